"""FakeGitHub: a stateful fake of api.github.com on 127.0.0.1 that checks every exchange against the spec.

Each request is recorded (Authorization redacted), checked against GitHub's OpenAPI description,
authenticated, routed to an endpoint in state.py, and its response is checked too. Whatever the spec or
the fake objects to is collected in `validation_errors` and `unhandled`; the `fake_github` fixture fails
the test at teardown if either is non-empty. Faults (a one-off 502, rate limits) and response tampering
are queued per method and path.

A repository can be backed by a real bare git repository (`add_repo(..., git_dir=)`, `attach_git`): its
branches are then that repository's, and the Git Database endpoints (gitapi.py) write real objects and
refs into it, for a client's `git fetch` to see.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from .gitdata import GitDir
from .payloads import ACTIONS_BOT, Asset, Issue, PullRequest, Release, Repository
from .routes import Route, route
from .spec import SpecValidator, load_validator
from .state import ApiError, Call, GitHubState, Reply, fake_sha

API_VERSION = "2022-11-28"
RATE_LIMIT = 5000
REDACTED = "[redacted]"
DOCS = "https://docs.github.com/rest"
RATE_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
PRIMARY_RATE_MESSAGE = "API rate limit exceeded for installation ID 1."
SECONDARY_RATE_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)

Edit = Callable[[Any], Any]


@dataclass(frozen=True)
class RecordedRequest:
    """One request as received: header names lower-cased, the Authorization value replaced by REDACTED."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    auth_matched: bool | None  # None: no Authorization header
    body: Any


@dataclass
class _Queued:
    """A fault or an edit that applies to the next `remaining` requests matching method and path."""

    method: str | None
    pattern: re.Pattern[str]
    remaining: int
    status: int = 0
    message: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    reset_in: int | None = None
    edit: Edit | None = None

    def take(self, method: str, path: str) -> bool:
        if self.remaining > 0 and self.method in (None, method) and self.pattern.fullmatch(path):
            self.remaining -= 1
            return True
        return False


class FakeGitHub:
    """A fake api.github.com for one token; use as a context manager (or start()/stop())."""

    def __init__(
        self,
        token: str,
        *,
        can_write: bool = True,
        actor: tuple[str, int] = ACTIONS_BOT,
        prefix: str = "",
        validator: SpecValidator | None = None,
    ) -> None:
        self.token = token
        self.prefix = prefix.rstrip("/")
        self.state = GitHubState(actor=actor, can_write=can_write)
        self.requests: list[RecordedRequest] = []
        self.validation_errors: list[str] = []
        self.unhandled: list[str] = []
        self.validator = validator or load_validator()
        self._lock = threading.RLock()
        self._faults: list[_Queued] = []
        self._edits: list[_Queued] = []
        self._remaining = RATE_LIMIT
        self._reset = int(time.time()) + 3600
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL to hand PyGithub (`Github(base_url=server.url, …)`)."""
        if self._server is None:
            raise RuntimeError("FakeGitHub is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.prefix}"

    def start(self) -> Self:
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-github", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.close_connections()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- state -----------------------------------------------------------------------------------------

    @property
    def can_write(self) -> bool:
        return self.state.can_write

    @can_write.setter
    def can_write(self, value: bool) -> None:
        self.state.can_write = value

    def repo(self, full_name: str) -> Repository:
        owner, name = full_name.split("/")
        with self._lock:
            return self.state.repo(owner, name)

    def add_repo(
        self,
        full_name: str,
        *,
        default_branch: str = "main",
        branches: Mapping[str, str] | None = None,
        permissions: Mapping[str, bool] | None = None,
        private: bool = False,
        clone_url: str | None = None,
        git_dir: Path | None = None,
    ) -> Repository:
        """A repository with `default_branch` (or `branches`: name -> sha) and push access by default.

        With `git_dir` (a bare repository) the branches are that repository's refs/heads, read live, and
        the Git Database endpoints write real objects and refs into it (see `attach_git`).
        """
        with self._lock:
            return self.state.add_repo(
                full_name,
                default_branch=default_branch,
                branches=branches,
                permissions=permissions,
                private=private,
                clone_url=clone_url,
                git_dir=git_dir,
            )

    def attach_git(self, full_name: str, git_dir: Path) -> GitDir:
        """Back an existing repository with the bare repository `git_dir` (its branches become the git
        dir's; `clone_url` becomes its file:// URL unless one was given); the GitDir, whose
        `before_ref_update` hook lets a test push between a ref update's check and its write."""
        with self._lock:
            return self.state.attach_git(self.repo(full_name), git_dir)

    def git(self, full_name: str) -> GitDir:
        git = self.repo(full_name).git
        if git is None:
            raise ValueError(f"{full_name} has no git dir (add_repo(..., git_dir=) or attach_git)")
        return git

    def add_branch(self, full_name: str, name: str, sha: str | None = None) -> str:
        """A branch at `sha`; without one, a made-up sha (git-backed: the default branch's commit)."""
        with self._lock:
            repo = self.repo(full_name)
            if sha is None:
                sha = repo.branches[repo.default_branch] if repo.git else fake_sha(full_name, name)
            repo.branches[name] = sha
            return sha

    def add_release(
        self,
        full_name: str,
        tag_name: str,
        *,
        name: str | None = None,
        body: str | None = None,
        draft: bool = False,
        prerelease: bool = False,
        target_commitish: str | None = None,
    ) -> Release:
        """Seed a release directly, without a request (no conflict checks)."""
        with self._lock:
            return self.state.add_release(
                self.repo(full_name),
                tag_name,
                name=name,
                body=body,
                draft=draft,
                prerelease=prerelease,
                target_commitish=target_commitish,
            )

    def add_pull(
        self,
        full_name: str,
        head: str,
        *,
        base: str | None = None,
        title: str = "",
        body: str | None = None,
        number: int | None = None,
    ) -> PullRequest:
        """Seed an open pull request from branch `head` (created if missing, unless git-backed)."""
        with self._lock:
            repo = self.repo(full_name)
            return self.state.add_pull(
                repo, head, base or repo.default_branch, title or head, body=body, number=number
            )

    def add_merged_pull(
        self,
        full_name: str,
        *,
        title: str,
        body: str | None,
        head: str,
        base: str = "main",
        merge_commit_sha: str,
        commits: Iterable[str] = (),
        number: int | None = None,
    ) -> int:
        """Seed a merged (closed) pull request; `GET /commits/{sha}/pulls` finds it by `merge_commit_sha`
        or any of `commits` (its commits, oldest first, listed by `GET /pulls/{n}/commits`). Its number."""
        with self._lock:
            return self.state.add_merged_pull(
                self.repo(full_name),
                title=title,
                body=body,
                head=head,
                base=base,
                merge_commit_sha=merge_commit_sha,
                commits=commits,
                number=number,
            ).number

    def add_issue(
        self,
        full_name: str,
        title: str,
        *,
        body: str | None = None,
        labels: Iterable[str] = (),
        assignees: Iterable[str] = (),
        state: str = "open",
        user: tuple[str, int] | None = None,
        number: int | None = None,
    ) -> int:
        """Seed an issue (missing labels are created; assignees must be collaborators). Its number."""
        with self._lock:
            return self.state.add_issue(
                self.repo(full_name),
                title,
                body=body,
                labels=labels,
                assignees=assignees,
                state=state,
                user=user,
                number=number,
            ).number

    def add_label(
        self, full_name: str, name: str, *, color: str = "ededed", description: str | None = None
    ) -> None:
        with self._lock:
            repo = self.repo(full_name)
            self.state.ensure_labels(repo, [name])
            label = repo.labels[name.lower()]
            label.color, label.description = color, description

    def add_collaborator(self, full_name: str, login: str, user_id: int | None = None) -> None:
        """Someone issues can be assigned to (ids are stable per login unless given)."""
        with self._lock:
            self.repo(full_name).collaborators[login] = user_id or _stable_id(login)

    def issue(self, full_name: str, number: int) -> Issue:
        """The issue or pull request `number` (a PullRequest is an Issue): `.labels` (names), `.comments`
        (Comment: `.body`, `.user`), `.state`, `.state_reason`, `.assignees`, …"""
        with self._lock:
            issue = self.repo(full_name).issues.get(number)
            if issue is None:
                raise KeyError(f"{full_name} has no issue or pull request #{number}")
            return issue

    def comments(self, full_name: str, number: int) -> list[str]:
        """The bodies of the comments on issue or pull request `number`, oldest first."""
        with self._lock:
            return [c.body for c in self.issue(full_name, number).comments]

    def labels(self, full_name: str, number: int) -> list[str]:
        """The names of the labels on issue or pull request `number`."""
        with self._lock:
            return sorted(self.issue(full_name, number).labels, key=str.lower)

    def release(self, full_name: str, tag_or_id: str | int) -> Release:
        """A release by id, or by tag (the newest with that tag, drafts included)."""
        with self._lock:
            releases = self.repo(full_name).releases
            if isinstance(tag_or_id, int):
                return releases[tag_or_id]
            return max((r for r in releases.values() if r.tag_name == tag_or_id), key=lambda r: r.id)

    def assets(self, full_name: str, tag_or_id: str | int) -> dict[str, bytes]:
        """A release's uploaded assets: name -> the bytes received."""
        with self._lock:
            return {a.name: a.data for a in self.release(full_name, tag_or_id).assets}

    def asset(self, full_name: str, tag_or_id: str | int, name: str) -> Asset:
        with self._lock:
            return next(a for a in self.release(full_name, tag_or_id).assets if a.name == name)

    def verified_commits(self, full_name: str) -> set[str]:
        """The shas of the commits the API made and signed (no author or committer given)."""
        with self._lock:
            return set(self.repo(full_name).verified)

    # -- faults and checks -----------------------------------------------------------------------------

    def fail_next(
        self,
        method: str | None,
        path_regex: str,
        status: int,
        *,
        times: int = 1,
        message: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Answer the next `times` requests whose path (no prefix, no query) fullmatches with `status`."""
        with self._lock:
            self._faults.append(
                _Queued(
                    method,
                    re.compile(path_regex),
                    times,
                    status=status,
                    message=message or _reason(status),
                    headers=dict(headers or {}),
                )
            )

    def rate_limit_next(
        self,
        method: str | None,
        path_regex: str,
        *,
        secondary: bool = False,
        reset_in: int = 60,
        times: int = 1,
    ) -> None:
        """Primary: 403, x-ratelimit-remaining 0, reset in `reset_in` s. Secondary: 429 with retry-after."""
        status, message = (429, SECONDARY_RATE_MESSAGE) if secondary else (403, PRIMARY_RATE_MESSAGE)
        fault = _Queued(method, re.compile(path_regex), times, status=status, message=message)
        if secondary:
            fault.headers["Retry-After"] = str(reset_in)
        else:
            fault.reset_in = reset_in
        with self._lock:
            self._faults.append(fault)

    def tamper_next(self, method: str | None, path_regex: str, edit: Edit, *, times: int = 1) -> None:
        """Pass the next matching response bodies through `edit` before they are checked and sent."""
        with self._lock:
            self._edits.append(_Queued(method, re.compile(path_regex), times, edit=edit))

    def problems(self) -> list[str]:
        """Every spec violation and every request the fake could not answer, in order of arrival."""
        with self._lock:
            return [*self.validation_errors, *(f"unhandled: {u}" for u in self.unhandled)]

    # -- the exchange ----------------------------------------------------------------------------------

    def handle(
        self, method: str, target: str, headers: Mapping[str, str], raw: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer one request (header names lower-cased): status, headers and body bytes."""
        split = urlsplit(target)
        query = parse_qs(split.query, keep_blank_values=True)
        with self._lock:
            if not split.path.startswith(self.prefix + "/"):
                self.unhandled.append(f"{method} {split.path}: outside the base URL prefix {self.prefix!r}")
                return self._finish(Reply(404, _error(404, "Not Found", DOCS)), authenticated=False)
            path = split.path[len(self.prefix) :]
            auth_matched = self._auth_matches(headers.get("authorization"))
            found = route(method, path)
            # An upload's body is the file itself, kept as bytes; every other body is JSON.
            body, parse_error = (raw, None) if found and found[0].raw_body else _parse_json(raw)
            self.requests.append(RecordedRequest(method, path, query, _redact(headers), auth_matched, body))
            try:
                spec_request, request_problems = self.validator.check_request(
                    method, path, query, headers, raw
                )
                reply, routed = self._answer(
                    method, path, query, headers, auth_matched, found, body, parse_error, request_problems
                )
            except Exception:  # a bug in the fake must fail the test, not hang the client
                self.unhandled.append(f"{method} {path}: the fake crashed:\n{traceback.format_exc()}")
                return self._finish(Reply(500, _error(500, "Server Error", DOCS)), authenticated=False)
            for edit in self._edits:
                if edit.edit is not None and edit.take(method, path):
                    reply.body = edit.edit(reply.body)
            status, out_headers, payload = self._finish(reply, authenticated=bool(auth_matched))
            if routed:
                self.validation_errors.extend(request_problems)
                self.validation_errors.extend(
                    self.validator.check_response(spec_request, status, out_headers, payload)
                )
            return status, out_headers, payload

    def _answer(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: Mapping[str, str],
        auth_matched: bool | None,
        found: tuple[Route, dict[str, str]] | None,
        body: Any,
        parse_error: str | None,
        request_problems: list[str],
    ) -> tuple[Reply, bool]:
        """The reply, and whether the request reached a known endpoint (only those are spec-checked)."""
        docs = self.validator.docs_url(method, found[0].template) if found else DOCS
        for fault in self._faults:
            if fault.take(method, path):
                return self._fault_reply(fault), found is not None
        if auth_matched is None:
            return Reply(401, _error(401, "Requires authentication", docs)), found is not None
        if not auth_matched:
            return Reply(401, _error(401, "Bad credentials", DOCS)), found is not None
        if found is None:
            self.unhandled.append(f"{method} {path}: no such endpoint in the fake")
            return Reply(404, _error(404, "Not Found", DOCS)), False
        if parse_error is not None:
            return Reply(400, _error(400, f"Problems parsing JSON: {parse_error}", docs)), True
        if request_problems:
            return Reply(422, _error(422, "Invalid request.\n\n" + request_problems[0], docs)), True
        call = Call(api=self.url, path=path, params=found[1], query=query, body=body, headers=dict(headers))
        try:
            return found[0].endpoint(self.state, call), True
        except ApiError as error:
            return Reply(error.status, _error(error.status, error.message, docs, error.errors)), True

    def _fault_reply(self, fault: _Queued) -> Reply:
        docs = RATE_DOCS if fault.status in (403, 429) else DOCS
        reply = Reply(fault.status, _error(fault.status, fault.message, docs), dict(fault.headers))
        if fault.reset_in is not None:
            reply.headers |= {
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": str(int(time.time()) + fault.reset_in),
            }
        return reply

    def _finish(self, reply: Reply, *, authenticated: bool) -> tuple[int, dict[str, str], bytes]:
        payload = b"" if reply.body is None else json.dumps(reply.body, ensure_ascii=False).encode()
        if authenticated and self._remaining > 0:
            self._remaining -= 1
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-GitHub-Api-Version-Selected": API_VERSION,
            "X-GitHub-Media-Type": "github.v3; format=json",
            "X-GitHub-Request-Id": f"FAKE:{len(self.requests):06d}",
            "X-RateLimit-Limit": str(RATE_LIMIT),
            "X-RateLimit-Remaining": str(self._remaining),
            "X-RateLimit-Reset": str(self._reset),
            "X-RateLimit-Used": str(RATE_LIMIT - self._remaining),
            "X-RateLimit-Resource": "core",
        }
        if reply.status == 200:
            headers["ETag"] = f'W/"{hashlib.sha256(payload).hexdigest()}"'
        headers |= reply.headers
        return reply.status, headers, payload

    def _auth_matches(self, value: str | None) -> bool | None:
        if value is None:
            return None
        scheme, _, credential = value.partition(" ")
        return scheme.lower() in ("token", "bearer") and credential.strip() == self.token


def _error(status: int, message: str, docs: str, errors: list[Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"message": message, "documentation_url": docs, "status": str(status)}
    if errors:
        body["errors"] = errors
    return body


def _stable_id(login: str) -> int:
    return 10_000_000 + int(hashlib.sha1(login.lower().encode()).hexdigest()[:6], 16)  # noqa: S324


def _reason(status: int) -> str:
    return {500: "Server Error", 502: "Server Error", 503: "Service Unavailable"}.get(
        status, f"HTTP {status}"
    )


def _parse_json(raw: bytes) -> tuple[Any, str | None]:
    if not raw:
        return None, None
    try:
        return json.loads(raw), None
    except ValueError as exc:
        return None, str(exc)


def _redact(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): REDACTED if k.lower() == "authorization" else v for k, v in headers.items()}


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeGitHub) -> None:
        self.fake = fake
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End idle keep-alive connections so their handler threads finish with the server."""
        with self._open_lock:
            sockets, self._open = list(self._open), set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        status, out_headers, payload = self.server.fake.handle(self.command, self.path, headers, raw)
        self.send_response(status)
        for name, value in out_headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve  # noqa: N815  (http.server's names)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet; `FakeGitHub.requests` is the log."""
