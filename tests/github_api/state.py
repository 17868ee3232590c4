"""What each fake endpoint does to the fake's repositories, releases and pull requests.

Pure request-in, reply-out functions over `GitHubState`; the HTTP server (server.py) owns sockets,
authentication, fault injection and spec validation, and calls these under its lock. Behaviour follows
api.github.com where a release tool can tell the difference:

- releases are listed newest first; `releases/tags/{tag}` and `releases/latest` ignore drafts;
- one published release per tag (creating or publishing another is 422 `already_exists`), while
  drafts may share a tag with anything;
- one open pull request per head branch (another is 422 "A pull request already exists for …");
- a token without push access gets 403 "Resource not accessible by integration" on every write.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlencode

from .payloads import (
    ACTIONS_BOT,
    JSON,
    PullRequest,
    Release,
    Repository,
    branch_json,
    private_user_json,
    pull_json,
    release_json,
    repo_json,
)

CLOCK_START = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
_SHA = re.compile(r"[0-9a-f]{7,40}")


class ApiError(Exception):
    """A GitHub error answer: status, `message` and, for 422, the `errors` list."""

    def __init__(self, status: int, message: str, errors: Sequence[JSON] = ()) -> None:
        super().__init__(f"{status} {message}")
        self.status = status
        self.message = message
        self.errors = list(errors)


@dataclass(frozen=True)
class Call:
    """One routed request: the fake's base URL, path parameters, query and parsed JSON body."""

    api: str
    path: str
    params: dict[str, str]
    query: dict[str, list[str]]
    body: Any

    def arg(self, name: str, default: str) -> str:
        return self.query.get(name, [default])[0]


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class GitHubState:
    """Repositories keyed by lower-cased `owner/name`, with ids and timestamps that never vary."""

    actor: tuple[str, int] = ACTIONS_BOT
    can_write: bool = True
    repos: dict[str, Repository] = field(default_factory=dict)
    _next_id: int = 1000
    _ticks: int = 0

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def now(self) -> str:
        """A pinned clock that moves one second per write."""
        self._ticks += 1
        return (CLOCK_START + timedelta(seconds=self._ticks)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def repo(self, owner: str, name: str) -> Repository:
        repo = self.repos.get(f"{owner}/{name}".lower())
        if repo is None:
            raise ApiError(404, "Not Found")
        return repo

    def add_repo(
        self,
        full_name: str,
        *,
        default_branch: str = "main",
        branches: Mapping[str, str] | None = None,
        permissions: Mapping[str, bool] | None = None,
        private: bool = False,
        clone_url: str | None = None,
    ) -> Repository:
        owner, name = full_name.split("/")
        repo = Repository(owner, name, self.new_id(), self.new_id(), default_branch=default_branch)
        repo.private, repo.clone_url = private, clone_url
        repo.permissions = dict(permissions or repo.permissions)
        repo.branches = dict(branches or {default_branch: fake_sha(full_name, default_branch)})
        self.repos[full_name.lower()] = repo
        return repo

    def add_release(
        self,
        repo: Repository,
        tag_name: str,
        *,
        name: str | None = None,
        body: str | None = None,
        draft: bool = False,
        prerelease: bool = False,
        target_commitish: str | None = None,
    ) -> Release:
        now = self.now()
        release = Release(
            id=self.new_id(),
            tag_name=tag_name,
            target_commitish=target_commitish or repo.default_branch,
            name=name,
            body=body,
            draft=draft,
            prerelease=prerelease,
            created_at=now,
            updated_at=now,
            published_at=None if draft else now,
            author=self.actor,
        )
        repo.releases[release.id] = release
        return release

    def add_pull(
        self,
        repo: Repository,
        head: str,
        base: str,
        title: str,
        *,
        body: str | None = None,
        draft: bool = False,
    ) -> PullRequest:
        now = self.now()
        repo.branches.setdefault(head, fake_sha(repo.full_name, head))
        number = max([*repo.pulls, 0]) + 1
        repo.pulls[number] = PullRequest(
            number, self.new_id(), head, base, title, body, "open", draft, now, now, user=self.actor
        )
        return repo.pulls[number]

    def writable(self, call: Call) -> Repository:
        repo = self.repo(call.params["owner"], call.params["repo"])
        if not (self.can_write and repo.permissions.get("push", False)):
            raise ApiError(403, "Resource not accessible by integration")
        return repo


def get_user(state: GitHubState, call: Call) -> Reply:
    login, user_id = state.actor
    if login.endswith("[bot]"):
        # An installation token (GITHUB_TOKEN, ghs_…) is not a user.
        raise ApiError(403, "Resource not accessible by integration")
    return Reply(200, private_user_json(call.api, login, user_id, CLOCK_START))


def get_repo(state: GitHubState, call: Call) -> Reply:
    return Reply(200, repo_json(call.api, state.repo(call.params["owner"], call.params["repo"])))


def list_branches(state: GitHubState, call: Call) -> Reply:
    repo = state.repo(call.params["owner"], call.params["repo"])
    return paginate(call, [branch_json(call.api, repo, name) for name in sorted(repo.branches)])


def list_releases(state: GitHubState, call: Call) -> Reply:
    repo = state.repo(call.params["owner"], call.params["repo"])
    releases = sorted(repo.releases.values(), key=lambda r: r.id, reverse=True)
    return paginate(call, [release_json(call.api, repo, r) for r in releases])


def get_release(state: GitHubState, call: Call) -> Reply:
    repo = state.repo(call.params["owner"], call.params["repo"])
    release = repo.releases.get(int(call.params["release_id"]))
    if release is None:
        raise ApiError(404, "Not Found")
    return Reply(200, release_json(call.api, repo, release))


def get_release_by_tag(state: GitHubState, call: Call) -> Reply:
    repo = state.repo(call.params["owner"], call.params["repo"])
    release = _published(repo, unquote(call.params["tag"]))
    if release is None:
        raise ApiError(404, "Not Found")
    return Reply(200, release_json(call.api, repo, release))


def get_latest_release(state: GitHubState, call: Call) -> Reply:
    repo = state.repo(call.params["owner"], call.params["repo"])
    candidates = [r for r in repo.releases.values() if not r.draft and not r.prerelease]
    if not candidates:
        raise ApiError(404, "Not Found")
    return Reply(200, release_json(call.api, repo, max(candidates, key=lambda r: r.id)))


def create_release(state: GitHubState, call: Call) -> Reply:
    repo = state.writable(call)
    body: JSON = call.body
    tag = body["tag_name"]
    target = body.get("target_commitish") or repo.default_branch
    _check_target(repo, target)
    draft = bool(body.get("draft", False))
    if not draft and _published(repo, tag) is not None:
        raise ApiError(422, "Validation Failed", [_already_exists()])
    release = state.add_release(
        repo,
        tag,
        name=body.get("name"),
        body=body.get("body"),
        draft=draft,
        prerelease=bool(body.get("prerelease", False)),
        target_commitish=target,
    )
    data = release_json(call.api, repo, release)
    return Reply(201, data, {"Location": data["url"]})


def update_release(state: GitHubState, call: Call) -> Reply:
    repo = state.writable(call)
    release = repo.releases.get(int(call.params["release_id"]))
    if release is None:
        raise ApiError(404, "Not Found")
    body: JSON = call.body or {}
    tag = body.get("tag_name", release.tag_name)
    draft = bool(body.get("draft", release.draft))
    other = _published(repo, tag)
    if not draft and other is not None and other.id != release.id:
        raise ApiError(422, "Validation Failed", [_already_exists()])
    if "target_commitish" in body:
        _check_target(repo, body["target_commitish"])
        release.target_commitish = body["target_commitish"]
    release.tag_name = tag
    release.name = body.get("name", release.name)
    release.body = body.get("body", release.body)
    release.prerelease = bool(body.get("prerelease", release.prerelease))
    release.updated_at = state.now()
    if release.draft and not draft:
        release.published_at = release.updated_at
    release.draft = draft
    return Reply(200, release_json(call.api, repo, release))


def list_pulls(state: GitHubState, call: Call) -> Reply:
    repo = state.repo(call.params["owner"], call.params["repo"])
    wanted_state = call.arg("state", "open")
    head = call.arg("head", "")
    base = call.arg("base", "")
    pulls = [
        p
        for p in sorted(
            repo.pulls.values(), key=lambda p: p.number, reverse=call.arg("direction", "desc") == "desc"
        )
        if wanted_state in ("all", p.state)
        and (not head or head in (f"{repo.owner}:{p.head}", p.head))
        and (not base or base == p.base)
    ]
    return paginate(call, [pull_json(call.api, repo, p, full=False) for p in pulls])


def get_pull(state: GitHubState, call: Call) -> Reply:
    repo = state.repo(call.params["owner"], call.params["repo"])
    return Reply(200, pull_json(call.api, repo, _pull(repo, call)))


def create_pull(state: GitHubState, call: Call) -> Reply:
    repo = state.writable(call)
    body: JSON = call.body
    owner, _, head = body["head"].rpartition(":")
    if owner.lower() not in ("", repo.owner.lower()) or head not in repo.branches:
        raise ApiError(422, "Validation Failed", [_invalid("PullRequest", "head")])
    if body["base"] not in repo.branches:
        raise ApiError(422, "Validation Failed", [_invalid("PullRequest", "base")])
    if any(p.head == head and p.base == body["base"] and p.state == "open" for p in repo.pulls.values()):
        message = f"A pull request already exists for {repo.owner}:{head}."
        raise ApiError(
            422, "Validation Failed", [{"resource": "PullRequest", "code": "custom", "message": message}]
        )
    if "title" not in body:
        raise ApiError(422, "Validation Failed", [_invalid("PullRequest", "title", "missing_field")])
    pull = state.add_pull(
        repo, head, body["base"], body["title"], body=body.get("body"), draft=bool(body.get("draft", False))
    )
    data = pull_json(call.api, repo, pull)
    return Reply(201, data, {"Location": data["url"]})


def update_pull(state: GitHubState, call: Call) -> Reply:
    repo = state.writable(call)
    pull = _pull(repo, call)
    body: JSON = call.body or {}
    if "base" in body and body["base"] not in repo.branches:
        raise ApiError(422, "Validation Failed", [_invalid("PullRequest", "base")])
    pull.title = body.get("title", pull.title)
    pull.body = body.get("body", pull.body)
    pull.base = body.get("base", pull.base)
    pull.updated_at = state.now()
    if body.get("state", pull.state) != pull.state:
        pull.state = body["state"]
        pull.closed_at = pull.updated_at if pull.state == "closed" else None
    return Reply(200, pull_json(call.api, repo, pull))


def paginate(call: Call, items: list[JSON]) -> Reply:
    """One page of `items` (per_page ≤ 100, default 30) with GitHub's `Link` header."""
    per_page = max(1, min(100, int(call.arg("per_page", "30"))))
    page = max(1, int(call.arg("page", "1")))
    last = max(1, -(-len(items) // per_page))
    links = {"next": page + 1, "last": last} if page < last else {}
    if page > 1:
        links |= {"first": 1, "prev": page - 1}
    headers = {}
    if links:
        query = {k: v[0] for k, v in call.query.items() if k != "page"}
        headers["Link"] = ", ".join(
            f'<{call.api}{call.path}?{urlencode({**query, "page": n})}>; rel="{rel}"'
            for rel, n in links.items()
        )
    return Reply(200, items[(page - 1) * per_page : page * per_page], headers)


def fake_sha(full_name: str, branch: str) -> str:
    """A stable commit sha for a branch nobody pushed."""
    return hashlib.sha1(f"{full_name}:{branch}".encode()).hexdigest()  # noqa: S324


def _published(repo: Repository, tag: str) -> Release | None:
    return next((r for r in repo.releases.values() if r.tag_name == tag and not r.draft), None)


def _already_exists() -> JSON:
    return _invalid("Release", "tag_name", "already_exists")


def _invalid(resource: str, field_name: str, code: str = "invalid") -> JSON:
    return {"resource": resource, "code": code, "field": field_name}


def _check_target(repo: Repository, target: str) -> None:
    if target not in repo.branches and not _SHA.fullmatch(target):
        raise ApiError(422, "Validation Failed", [_invalid("Release", "target_commitish")])


def _pull(repo: Repository, call: Call) -> PullRequest:
    pull = repo.pulls.get(int(call.params["pull_number"]))
    if pull is None:
        raise ApiError(404, "Not Found")
    return pull


Endpoint = Callable[[GitHubState, Call], Reply]


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    endpoint: Endpoint
    pattern: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.template))
        object.__setattr__(self, "pattern", re.compile(regex))


_R = "/repos/{owner}/{repo}"
ROUTES = (
    Route("GET", "/user", get_user),
    Route("GET", _R, get_repo),
    Route("GET", f"{_R}/branches", list_branches),
    Route("GET", f"{_R}/releases", list_releases),
    Route("POST", f"{_R}/releases", create_release),
    Route("GET", f"{_R}/releases/latest", get_latest_release),
    Route("GET", f"{_R}/releases/tags/{{tag}}", get_release_by_tag),
    Route("GET", f"{_R}/releases/{{release_id}}", get_release),
    Route("PATCH", f"{_R}/releases/{{release_id}}", update_release),
    Route("GET", f"{_R}/pulls", list_pulls),
    Route("POST", f"{_R}/pulls", create_pull),
    Route("GET", f"{_R}/pulls/{{pull_number}}", get_pull),
    Route("PATCH", f"{_R}/pulls/{{pull_number}}", update_pull),
)


def route(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The first route for `method` whose template matches the raw (still percent-encoded) path."""
    for candidate in ROUTES:
        if candidate.method == method and (match := candidate.pattern.fullmatch(path)):
            return candidate, match.groupdict()
    return None
