"""The only module that speaks git: every git command relbot runs is spelled here, as a named
operation on one repository directory; what the remote answered is classified once, by
`gitoutcome`, into a `RemoteStatus`.

Reading (`relbot version`, `changelog`, the dry runs' planning) runs git as plain child processes;
the commands that change the checkout or the remote (commit, tag, reset, push) run through
GitPython's command runner, which is imported on the first of them only: importing GitPython costs
about 40 ms and two `git version` processes, more than the rest of a small `relbot version`.

History is read with one streamed `git log` over the unreleased range, not one Python object per
commit; tags come from one `git for-each-ref`.

Credentials: no git process sees the token variables (RELBOT_TOKEN, GH_TOKEN, GITHUB_TOKEN); the
processes that talk to `origin` (push, fetch, ls-remote) get the host-scoped auth header
(`gitauth.git_auth_env`) and no other process does.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import threading
from collections.abc import Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, cast

from relbot import gitauth, redact
from relbot.errors import GitError
from relbot.gitoutcome import (
    RemoteError,
    RemoteResult,
    RemoteStatus,
    classify_failure,
    classify_push,
    remote_error,
)
from relbot.model import RawCommit, TagRef

_LOG_FORMAT = "--format=%m%H%x1f%P%x1f%B"  # %m: `-` marks a --boundary commit
_RECORD = re.compile(r"[>-][0-9a-f]{40}\x1f")  # a record's start in `log_with_paths`
_CHUNK = 1 << 20
ORIGIN = "origin"
_BASE_ENV = {"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}


@contextmanager
def _without_token_variables() -> Iterator[None]:
    """GitPython copies os.environ into every child: hide the token variables meanwhile."""
    saved = {name: os.environ.pop(name) for name in gitauth.TOKEN_VARIABLES if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def _child_env(extra: Mapping[str, str] | None) -> dict[str, str]:
    """A git child's environment: this process's without the token variables, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in gitauth.TOKEN_VARIABLES}
    return {**env, **_BASE_ENV, **(extra or {})}


class GitRepo:
    """A repository on disk, driven through git child processes (GitPython's runner for writes).

    `env` is the run's environment: it is only read for the token, which reaches git as an auth
    header for `origin`'s host in the processes that talk to the remote.
    """

    def __init__(self, path: Path, env: Mapping[str, str] | None = None) -> None:
        self.path = path
        self._run_env = dict(os.environ if env is None else env)
        self._auth: dict[str, str] | None = None
        self._writer: Any = None  # GitPython's git.Git, made by the first write
        self._remotes: dict[str, str | None] = {}
        # One process for where the repository is, whether it is shallow, HEAD's commit and branch
        # (an unborn HEAD makes it fail: then the first two alone). HEAD's are kept until a write.
        code, out, _err = self._execute(["rev-parse", "--show-toplevel", "--is-shallow-repository",
                                         "HEAD^{commit}", "--symbolic-full-name", "HEAD"])
        # Split from the end (the top-level path may hold a newline), the path as the file system
        # names it (any bytes), the rest as text.
        lines = out.removesuffix(b"\n").rsplit(b"\n", 3)
        self._head: dict[str, str | None] = {}
        if code == 0 and len(lines) == 4:
            ref = lines[3].decode("utf-8", "replace")
            branch = ref.removeprefix("refs/heads/") if ref.startswith("refs/heads/") else None
            self._head = {"sha": lines[2].decode("ascii", "replace"), "branch": branch}
        else:
            code, out, err = self._execute(["rev-parse", "--show-toplevel", "--is-shallow-repository"])
            if code != 0:
                raise _not_a_repository(path, err)
            lines = out.removesuffix(b"\n").rsplit(b"\n", 1)
        self.root = Path(os.fsdecode(lines[0]))
        self._shallow: bool | None = lines[1] == b"true"

    # -- process plumbing -------------------------------------------------------------------

    def _execute(self, args: Sequence[str], env: Mapping[str, str] | None = None, *,
                 write: bool = False) -> tuple[int, bytes, str]:
        """Run one git process to the end: (exit code, stdout, stderr). `write`: through GitPython."""
        if write:
            self._head = {}  # HEAD may move
            return self._execute_gitpython(args, env)
        proc = subprocess.run(["git", *args], cwd=self.path, env=_child_env(env), check=False,
                              stdin=subprocess.DEVNULL, capture_output=True)
        return proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace")

    def _execute_gitpython(self, args: Sequence[str],
                           env: Mapping[str, str] | None) -> tuple[int, bytes, str]:
        with _without_token_variables():
            if self._writer is None:
                import git  # noqa: PLC0415 - only the commands that write need GitPython

                redact.install_logging_filter()
                self._writer = git.Git(str(self.path))
            code, out, err = self._writer.execute(
                ["git", *args], env={**_BASE_ENV, **(env or {})}, with_extended_output=True,
                with_exceptions=False, stdout_as_string=False, strip_newline_in_stdout=False)
        return int(code), bytes(out), str(err)

    def _run(self, *args: str, what: str = "", env: Mapping[str, str] | None = None,
             write: bool = False) -> str:
        code, out, err = self._execute(args, env, write=write)
        if code != 0:
            stderr = redact.redact(err.strip())
            where = getattr(self, "root", self.path.resolve())
            raise GitError(what or f"git {args[0]} failed in {where}: {stderr or 'no message'}",
                           _hint_for(stderr))
        return out.decode("utf-8", "replace").rstrip("\n")

    def _git_path(self, name: str) -> Path:
        """Where git keeps `name` of this repository (`git rev-parse --git-path`), as the file
        system names it."""
        code, out, err = self._execute(["rev-parse", "--git-path", name])
        if code != 0:
            raise GitError(f"git rev-parse failed in {self.root}: {redact.redact(err.strip())}")
        return self.path / os.fsdecode(out.rstrip(b"\n"))

    def _try(self, *args: str) -> str | None:
        try:
            return self._run(*args)
        except GitError:
            return None

    def _attempt(self, *args: str, env: Mapping[str, str] | None = None,
                 write: bool = False) -> tuple[int, str, str]:
        """(exit code, stdout, stderr), both redacted; never raises."""
        code, out, err = self._execute(args, env, write=write)
        return code, redact.redact(out.decode("utf-8", "replace")), redact.redact(err)

    def remote_env(self) -> dict[str, str]:
        """The auth header variables for `origin` (empty for ssh, local paths, or no token)."""
        if self._auth is None:
            self._auth = gitauth.git_auth_env(gitauth.find_token(self._run_env), self.remote_url(),
                                              self._run_env)
        return self._auth

    def _remote(self, *args: str, write: bool = False) -> tuple[int, str, str]:
        return self._attempt(*args, env=self.remote_env(), write=write)

    # -- reading ----------------------------------------------------------------------------

    def head_sha(self) -> str | None:
        if "sha" in self._head:
            return self._head["sha"]
        return self._try("rev-parse", "--verify", "--quiet", "HEAD^{commit}")

    def commit_of(self, revision: str) -> str | None:
        """The commit `revision` names (a hash, a branch, a tag), None when it names none."""
        return self._try("rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}")

    def is_branch_name(self, name: str) -> bool:
        """Whether git takes `name` as a branch name (`git check-ref-format --branch`)."""
        code, _out, _err = self._attempt("check-ref-format", "--branch", name)
        return code == 0 and not name.startswith("-")

    def subject(self, commit: str) -> str:
        """The first line of `commit`'s message."""
        return self._run("log", "-1", "--format=%s", "--no-show-signature", "--end-of-options", commit)

    def message(self, commit: str) -> str:
        """`commit`'s whole message, as git stores it."""
        return self._run("log", "-1", "--format=%B", "--no-show-signature", "--end-of-options", commit)

    def changed_paths(self, old: str, new: str) -> list[str]:
        """The files that differ between two commits (relative to the repository root)."""
        out = self._run("diff", "--name-only", "--no-renames", "-z", old, new, "--")
        return [path for path in out.split("\x00") if path]

    def trailer_values(self, commit: str, *keys: str) -> list[str]:
        """The values of `commit`'s message trailers named `keys` (git's own trailer parsing)."""
        fields = "".join(f"%(trailers:key={key},valueonly,separator=%x00)%x00" for key in keys)
        out = self._run("log", "-1", f"--format={fields}", "--no-show-signature", "--end-of-options", commit)
        return [value for value in out.split("\x00") if value.strip()]

    def current_branch(self) -> str | None:
        """The checked-out branch, or None for a detached HEAD."""
        if "branch" in self._head:
            return self._head["branch"]
        return self._try("symbolic-ref", "--quiet", "--short", "HEAD")

    def is_shallow(self) -> bool:
        if self._shallow is None:  # asked again after a fetch
            self._shallow = self._run("rev-parse", "--is-shallow-repository") == "true"
        return self._shallow

    def remote_url(self, remote: str = ORIGIN) -> str | None:
        if remote not in self._remotes:
            self._remotes[remote] = self._try("remote", "get-url", remote)
        return self._remotes[remote]

    def has_remote(self, remote: str = ORIGIN) -> bool:
        return self.remote_url(remote) is not None

    def tags(self, pattern: str, *, merged: str | None = None) -> list[TagRef]:
        """The tags whose refs match `pattern`, from one `for-each-ref`.

        `merged`: only those whose commit is reachable from that revision, decided by git in one
        history walk for all of them (not one `merge-base` per tag).
        """
        flags = [f"--merged={merged}"] if merged is not None else []
        out = self._run(
            "for-each-ref", "--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)"
            "%00%(creatordate:short)", *flags, pattern,
        )
        refs: list[TagRef] = []
        for line in out.splitlines():
            name, sha, peeled, date = line.split("\x00")
            refs.append(TagRef(name, peeled or sha, date))
        return refs

    def branch_commit(self, name: str) -> str | None:
        """The commit of branch `name` here, or of origin's as last fetched; None when neither."""
        refs = (f"refs/heads/{name}", f"refs/remotes/{ORIGIN}/{name}")
        out = self._run("for-each-ref", "--format=%(refname)%00%(objectname)", *refs)
        found = dict(line.split("\x00") for line in out.splitlines())  # the patterns match below too
        return next((found[ref] for ref in refs if ref in found), None)

    def tag_target(self, name: str) -> str | None:
        """The commit the local tag `name` points to, None when there is no such tag."""
        return self._try("rev-parse", "--verify", "--quiet", f"refs/tags/{name}^{{commit}}")

    def has_commit_graph(self) -> bool:
        """Whether git keeps a commit-graph here (`git gc` writes one), with which ancestry
        questions read a compact table instead of walking the commits' objects."""
        info = self._git_path("objects/info")
        return (info / "commit-graph").is_file() or (info / "commit-graphs" / "commit-graph-chain").is_file()

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        code, _out, _err = self._attempt("merge-base", "--is-ancestor", ancestor, descendant)
        return code == 0

    def present_commits(self, shas: Sequence[str]) -> set[str]:
        """Those of `shas` whose commits this repository holds (one process, no history walk)."""
        if not shas:
            return set()
        out = self._run("rev-list", "--no-walk", "--ignore-missing", *sorted(set(shas)))
        return set(out.split())

    def cut_by_shallow(self, head: str, base: str | None = None) -> bool:
        """Whether a shallow boundary lies inside `base..head` (all of HEAD's history without
        `base`), so that range is incomplete here."""
        shallow = self._git_path("shallow")
        try:
            boundary = set(shallow.read_text(encoding="ascii").split())
        except FileNotFoundError:
            return False
        return bool(boundary) and not boundary.isdisjoint(
            self._run("rev-list", head, *([f"^{base}"] if base else [])).split())

    def status_paths(self) -> list[str]:
        """The tracked paths with uncommitted changes (staged or not), relative to the root."""
        out = self._run("status", "--porcelain=v1", "-z", "--untracked-files=no")
        paths: list[str] = []
        records = iter(out.split("\x00"))
        for record in records:
            if not record:
                continue
            paths.append(record[3:])
            if record[0] in "RC":  # a rename names its source next: skip it
                next(records, None)
        return paths

    def is_ignored(self, path: str) -> bool:
        """Whether .gitignore (or another exclude file) ignores `path`."""
        code, _out, _err = self._attempt("check-ignore", "--quiet", "--", path)
        return code == 0

    def can_commit(self, identity: Mapping[str, str]) -> str | None:
        """None when git knows the author and the committer (with `identity`), else git's reason."""
        for role in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
            code, _out, err = self._attempt("var", role, env=identity)
            if code != 0:
                return (err.strip().splitlines() or ["no identity"])[0]
        return None

    def file_at(self, revision: str, path: str) -> str | None:
        """The exact text of `path` at `revision` (line endings kept), None when it is not there."""
        code, data, _err = self._execute(["show", f"{revision}:{path}"])
        return data.decode("utf-8") if code == 0 else None

    def log_blocks(self, revision_range: str, *, boundary: bool = False) -> Generator[str, None, None]:
        """The commits of a range, newest first, as text blocks from one streamed `git log -z`.

        A block holds whole records separated by NUL, each `<mark><sha>\\x1f<parents>\\x1f<message>`:
        the mark is `-` for a boundary commit (with `boundary=True`: the excluded parents of the
        range's oldest commits, which git prints last) and `>` otherwise (see `records`). Blocks
        are decoded while git is still writing, so the caller's work overlaps git's formatting on
        the other core. Closing the iterator early stops git.
        """
        # A user's log.showSignature would print signatures into the format, and
        # i18n.logOutputEncoding would re-encode the messages: neither applies here.
        args = ["git", "log", "-z", _LOG_FORMAT, "--no-show-signature", "--encoding=UTF-8",
                *(["--boundary"] if boundary else []), revision_range, "--"]
        popen = subprocess.Popen(args, cwd=self.path, env=_child_env(None), stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert popen.stdout is not None  # noqa: S101
        stderr_tail: list[bytes] = []  # read meanwhile: git stalls once a full stderr pipe blocks it
        drain = threading.Thread(target=_drain, args=(popen.stderr, stderr_tail), daemon=True)
        drain.start()
        finished = False
        try:
            pending = b""
            while chunk := cast("io.BufferedReader", popen.stdout).read1(_CHUNK):
                pending += chunk
                cut = pending.rfind(b"\x00")
                if cut >= 0:
                    block, pending = pending[:cut], pending[cut + 1 :]
                    yield block.decode("utf-8", "replace")
            if pending:
                yield pending.decode("utf-8", "replace")
            finished = True
        finally:
            if not finished:
                popen.kill()
            code = popen.wait()
            drain.join()
            popen.stdout.close()
        stderr = b"".join(stderr_tail).decode("utf-8", "replace")
        if code != 0:
            raise GitError(f"git log {revision_range} failed in {self.root}: {redact.redact(stderr.strip())}",
                           _hint_for(stderr))

    def log_with_paths(self, *revisions: str) -> Iterator[tuple[RawCommit, tuple[str, ...]]]:
        """The commits of `revisions` (`HEAD`, `^BASE`), newest first, each with the files it
        changes (relative to the root): against its parent, and for a merge only its own changes
        (the files that differ from every parent: conflict resolutions), from one `git log`."""
        args = ["log", "-z", "--name-only", "--no-renames", "--diff-merges=dense-combined",
                "--format=%m%H%x1f%P%x1f%B%x1f", "--no-show-signature", "--encoding=UTF-8",
                *revisions, "--"]
        code, out, err = self._execute(args)
        if code != 0:
            detail = redact.redact(err.strip())
            raise GitError(f"git log failed in {self.root}: {detail}")
        current: RawCommit | None = None
        files: list[str] = []
        for token in out.decode("utf-8", "surrogateescape").split("\x00"):
            if _RECORD.fullmatch(token[:42]) and token.endswith("\x1f") and token.count("\x1f") >= 3:
                if current is not None:
                    yield current, tuple(files)
                current, files = raw_commit(token[:-1]), []
            elif token:
                files.append(token.removeprefix("\n"))
        if current is not None:
            yield current, tuple(files)

    def merge_base(self, *commits: str) -> str | None:
        """The best common ancestor of all `commits` (`git merge-base --octopus`), None if none."""
        return self._try("merge-base", "--octopus", *commits)

    def log(self, revision_range: str) -> Iterator[RawCommit]:
        """The commits of a range, newest first (see `log_blocks`)."""
        for block in self.log_blocks(revision_range):
            yield from records(block)

    def path_history(self, revision: str, paths: Sequence[str]) -> list[str]:
        """The commits on `revision`'s first-parent line that changed any of `paths` (relative to
        the repository root), newest first: the branch's own states, a merged pull request as one
        step, whatever its branch held on the way."""
        out = self._run("log", "--first-parent", "--format=%H", "--no-show-signature", revision, "--",
                        *(f":(top,literal){path}" for path in paths))
        return out.split()

    def blobs_at(self, specs: Sequence[tuple[str, str]]) -> list[tuple[str, bytes] | None]:
        """(blob id, bytes) of each (revision, path), None where that revision has no such file:
        one `git cat-file --batch` for all of them."""
        if any("\n" in path for _rev, path in specs):
            raise GitError("a values file name holds a newline, which `git cat-file` cannot read",
                           "rename the file")
        request = "".join(f"{rev}:{path}\n" for rev, path in specs).encode("utf-8", "surrogateescape")
        proc = subprocess.run(["git", "cat-file", "--batch"], cwd=self.path, env=_child_env(None),
                              input=request, capture_output=True, check=False)
        if proc.returncode != 0:
            raise GitError(f"git cat-file failed in {self.root}: "
                           f"{redact.redact(proc.stderr.decode('utf-8', 'replace').strip())}")
        found: list[tuple[str, bytes] | None] = []
        data, at = proc.stdout, 0
        for _spec in specs:
            end = data.index(b"\n", at)
            header = data[at:end].split(b" ")
            at = end + 1
            if len(header) == 3 and header[1] == b"blob":
                size = int(header[2])
                found.append((header[0].decode("ascii"), data[at : at + size]))
                at += size + 1
            else:  # `<spec> missing`, or not a file (a tree)
                if len(header) == 3:
                    at += int(header[2]) + 1
                found.append(None)
        return found

    def fetch_history(self, head: str, branch: str | None) -> None:
        """All of `head`'s history from origin, by its commit (so no other branch comes along); a
        server that refuses a commit id gets the branch's name. Raises RemoteError."""
        try:
            self.fetch(head, unshallow=True, no_fetch_head=True)
        except RemoteError as exc:
            if branch is None or exc.result.status is not RemoteStatus.OTHER:
                raise
            self.fetch(f"+refs/heads/{branch}:refs/remotes/{ORIGIN}/{branch}", unshallow=True,
                       no_fetch_head=True)

    # -- writing (local) --------------------------------------------------------------------

    def commit_paths(self, paths: Sequence[str], message: str, identity: Mapping[str, str]) -> str:
        """Stage exactly `paths` and commit them; returns the new commit's hash."""
        self._run("add", "--", *paths, env=identity, write=True)
        self._run("commit", "--quiet", "--no-verify", "-m", message, "--", *paths, env=identity,
                  write=True)
        return self._run("rev-parse", "HEAD")

    def create_tag(self, name: str, message: str, identity: Mapping[str, str]) -> None:
        """An annotated tag at HEAD."""
        self._run("tag", "-a", name, "-m", message, env=identity, write=True)

    def restore_path(self, path: str) -> None:
        """Put `path` back to its text at HEAD, in the index and the working tree."""
        self._run("checkout", "HEAD", "--", f":(top,literal){path}", write=True)

    def delete_tag(self, name: str) -> None:
        self._run("tag", "-d", name, write=True)

    def reset_hard(self, revision: str) -> None:
        """Move the checked-out branch and the working tree to `revision`."""
        self._run("reset", "--quiet", "--hard", revision, write=True)

    # -- talking to origin ------------------------------------------------------------------

    def remote_ref(self, ref: str) -> str | None:
        """The commit `ref` (refs/heads/… or refs/tags/…, peeled) has on origin; None when absent.

        Raises RemoteError (UNREACHABLE, AUTH, ...) when origin does not answer."""
        code, out, err = self._remote("ls-remote", ORIGIN, ref, f"{ref}^{{}}")
        if code != 0:
            error = remote_error("origin cannot be read", classify_failure(err))
            # refused for want of a token that was not given: what a dry run reports as a need
            error.credentials = error.result.status is RemoteStatus.AUTH and not self.remote_env()
            raise error
        found: dict[str, str] = {}
        for line in out.splitlines():
            sha, _, name = line.partition("\t")
            found[name] = sha
        return found.get(f"{ref}^{{}}") or found.get(ref)

    def remote_tags(self) -> dict[str, str]:
        """Origin's tags: name → the commit each points to (peeled). Raises RemoteError."""
        code, out, err = self._remote("ls-remote", "--tags", ORIGIN)
        if code != 0:
            raise remote_error("origin cannot be read", classify_failure(err))
        tags: dict[str, str] = {}
        for line in out.splitlines():
            sha, _, ref = line.partition("\t")
            name = ref.removeprefix("refs/tags/")
            if name.endswith("^{}"):
                tags[name[:-3]] = sha
            else:
                tags.setdefault(name, sha)
        return tags

    def fetch_tags(self, names: Sequence[str]) -> None:
        """Fetch these tags from origin (no FETCH_HEAD written). Raises RemoteError."""
        self.fetch(*(f"refs/tags/{name}:refs/tags/{name}" for name in names), no_fetch_head=True)

    def push(self, refspecs: Sequence[str], *, atomic: bool = False, force: bool = False,
             dry_run: bool = False) -> RemoteResult:
        """Push `refspecs` to origin; the outcome is classified, never raised."""
        flags = [flag for flag, on in (("--atomic", atomic), ("--force", force), ("--dry-run", dry_run))
                 if on]
        code, out, err = self._remote("push", "--porcelain", *flags, ORIGIN, *refspecs, write=True)
        return classify_push(code, out, err)

    def fetch(self, *refspecs: str, depth: int | None = None, deepen: int | None = None,
              unshallow: bool = False, shallow_exclude: str | None = None,
              no_fetch_head: bool = False) -> None:
        """Fetch from origin; a failure raises RemoteError."""
        flags = [f"--depth={depth}"] if depth else []
        flags += [f"--shallow-exclude={shallow_exclude}"] if shallow_exclude else []
        flags += ["--no-write-fetch-head"] if no_fetch_head else []
        flags += [f"--deepen={deepen}"] if deepen else []
        flags += ["--unshallow"] if unshallow else []
        code, _out, err = self._remote("fetch", "--quiet", *flags, ORIGIN, *refspecs)
        self._shallow = None  # a fetch can deepen or unshallow the clone
        if code != 0:
            raise remote_error("fetching from origin failed", classify_failure(err))

    def reset_to_remote_branch(self, branch: str) -> None:
        """Fetch `branch` from origin and move the checkout onto it (after a rejected push)."""
        self.fetch(f"refs/heads/{branch}")
        self.reset_hard("FETCH_HEAD")


def _drain(pipe: IO[bytes] | None, tail: list[bytes]) -> None:
    """Read a pipe to its end, keeping the last 64 KiB (for the error message)."""
    if pipe is None:
        return
    kept = b""
    while chunk := pipe.read(_CHUNK):
        kept = (kept + chunk)[-65536:]
    pipe.close()
    tail.append(kept)


def _not_a_repository(path: Path, stderr: str) -> GitError:
    if "dubious ownership" in stderr:
        return GitError(
            f"git refuses to read {path}: the repository belongs to another user (git's "
            "safe.directory check)",
            f"if you trust it, run `git config --global --add safe.directory {path.resolve()}`, or run "
            "relbot as the checkout's owner (in a container, match its user)")
    return GitError(f"{path} is not inside a git repository",
                    "run relbot inside a git repository, or pass -C DIR")


def records(block: str, boundary: set[str] | None = None) -> Iterator[RawCommit]:
    """The commits of one `log_blocks` block; boundary commits are left out (their hashes are
    added to `boundary` when given)."""
    for record in block.split("\x00"):
        if not record:
            continue
        if record[0] == "-":
            if boundary is not None:
                boundary.add(record[1 : record.find("\x1f")])
            continue
        yield raw_commit(record)


def raw_commit(record: str) -> RawCommit:
    """One record of `log_blocks` (not a boundary one) as a RawCommit."""
    sha, parents, message = record.split("\x1f", 2)
    return RawCommit(sha[1:], message, tuple(parents.split()))


def _hint_for(stderr: str) -> str:
    if "not a git repository" in stderr:
        return "run relbot inside a git repository, or pass -C DIR"
    return ""


def open_repo(path: Path, env: Mapping[str, str] | None = None) -> GitRepo:
    """Open the repository containing `path`; a clear error when there is none."""
    if not path.exists():
        raise GitError(f"{path} does not exist", "pass an existing directory with -C")
    if not path.is_dir():
        raise GitError(f"{path} is not a directory", "pass the repository's directory with -C")
    return GitRepo(path, env)


def detect_branch(repo: GitRepo, env: Mapping[str, str]) -> str:
    """The branch from git, or from the CI environment when HEAD is detached."""
    name = repo.current_branch()
    if name:
        return name
    if env.get("GITHUB_HEAD_REF"):
        return env["GITHUB_HEAD_REF"]
    ref = env.get("GITHUB_REF", "")
    if ref.startswith("refs/heads/"):
        return ref.removeprefix("refs/heads/")
    if env.get("GITHUB_REF_NAME") and env.get("GITHUB_REF_TYPE", "branch") == "branch" \
            and not ref.startswith("refs/tags/"):
        return env["GITHUB_REF_NAME"]
    raise GitError(
        f"HEAD is detached in {repo.root} and the CI environment names no branch",
        "check out the branch (`git switch main`) or pass --branch NAME",
    )
