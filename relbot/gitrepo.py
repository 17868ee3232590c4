"""The only module that imports git (GitPython): every git call names the repository directory.

History is read with one streamed `git log` over the unreleased range, not one Python object per
commit; tags come from one `git for-each-ref`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from relbot import redact
from relbot.errors import GitError
from relbot.model import RawCommit

_LOG_FORMAT = "--format=%m%H%x1f%P%x1f%B"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class TagRef:
    name: str
    sha: str  # the commit the tag points to (peeled)
    date: str  # YYYY-MM-DD of the tag (tagger date, or the commit date for lightweight tags)


class GitRepo:
    """A repository on disk, driven through GitPython's git command runner."""

    def __init__(self, path: Path, env: Mapping[str, str] | None = None) -> None:
        import git  # noqa: PLC0415 - keep `relbot --help` fast

        self.path = path
        self._exc = git.GitCommandError
        self._git = git.Git(str(path))
        self._env = {"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})}
        top = self._run("rev-parse", "--show-toplevel", what=f"{path} is not inside a git repository")
        self.root = Path(top)

    def _run(self, *args: str, what: str = "", env: Mapping[str, str] | None = None) -> str:
        try:
            out: str = self._git.execute(
                ["git", *args], env={**self._env, **(env or {})}, strip_newline_in_stdout=False,
            )
        except self._exc as exc:
            stderr = redact.redact(str(exc.stderr or "").strip().removeprefix("stderr: ").strip(" '"))
            where = getattr(self, "root", self.path.resolve())
            raise GitError(what or f"git {args[0]} failed in {where}: {stderr or 'no message'}",
                           _hint_for(stderr)) from None
        return out.rstrip("\n")

    def try_run(self, *args: str) -> str | None:
        try:
            return self._run(*args)
        except GitError:
            return None

    def head_sha(self) -> str | None:
        return self.try_run("rev-parse", "--verify", "--quiet", "HEAD^{commit}")

    def current_branch(self) -> str | None:
        """The checked-out branch, or None for a detached HEAD."""
        return self.try_run("symbolic-ref", "--quiet", "--short", "HEAD")

    def is_shallow(self) -> bool:
        return self._run("rev-parse", "--is-shallow-repository") == "true"

    def remote_url(self, remote: str = "origin") -> str | None:
        return self.try_run("remote", "get-url", remote)

    def tags(self, pattern: str) -> list[TagRef]:
        out = self._run(
            "for-each-ref", "--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)"
            "%00%(creatordate:short)", pattern,
        )
        refs: list[TagRef] = []
        for line in out.splitlines():
            name, sha, peeled, date = line.split("\x00")
            refs.append(TagRef(name, peeled or sha, date))
        return refs

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        try:
            self._git.execute(["git", "merge-base", "--is-ancestor", ancestor, descendant],
                              env=self._env)
        except self._exc:
            return False
        return True

    def log(self, revision_range: str, *extra: str,
            boundary: set[str] | None = None) -> Iterator[RawCommit]:
        """Stream the commits of a range, newest first, from one `git log -z` process.

        With `boundary`, git also lists the excluded commits next to the range (`--boundary`):
        their hashes go into that set instead of being yielded.
        """
        flags = ("--boundary",) if boundary is not None else ()
        proc = self._git.execute(
            ["git", "log", "-z", _LOG_FORMAT, *flags, *extra, revision_range, "--"],
            as_process=True, env=self._env,
        )
        popen = proc.proc
        assert popen is not None  # noqa: S101
        assert popen.stdout is not None  # noqa: S101
        # Records are parsed while git is still writing (it prints only after walking the
        # range, then formats for a while): blocks up to the last NUL are decoded and split at
        # C speed, and the caller's parsing overlaps git's formatting on the other core.
        pending = b""
        while chunk := popen.stdout.read1(_CHUNK):  # type: ignore[attr-defined]
            pending += chunk
            cut = pending.rfind(b"\x00")
            if cut < 0:
                continue
            block, pending = pending[:cut], pending[cut + 1 :]
            yield from _records(block.decode("utf-8", "replace"), boundary)
        if pending:
            yield from _records(pending.decode("utf-8", "replace"), boundary)
        if popen.wait() != 0:
            stderr = popen.stderr.read().decode("utf-8", "replace") if popen.stderr else ""
            raise GitError(f"git log {revision_range} failed in {self.root}: {stderr.strip()}",
                           _hint_for(stderr))

    def fetch(self, *args: str, env: Mapping[str, str] | None = None) -> None:
        self._run("fetch", "--quiet", *args, env=env)

    def run(self, *args: str, env: Mapping[str, str] | None = None) -> str:
        """Any git command in this repository; failures become GitError (redacted)."""
        return self._run(*args, env=env)

    def attempt(self, *args: str, env: Mapping[str, str] | None = None) -> tuple[int, str]:
        """Run git and return (exit code, redacted stderr+stdout) instead of raising."""
        proc = self._git.execute(["git", *args], env={**self._env, **(env or {})}, with_extended_output=True,
                                 with_exceptions=False)
        code, out, err = proc
        return int(code), redact.redact(f"{err}\n{out}".strip())

    def commit_paths(self, paths: list[str], message: str, env: Mapping[str, str]) -> str:
        """Stage exactly `paths` and commit them; returns the new commit's hash."""
        self._run("add", "--", *paths, env=env)
        self._run("commit", "--quiet", "--no-verify", "-m", message, "--", *paths, env=env)
        return self._run("rev-parse", "HEAD")

    def has_remote(self, remote: str = "origin") -> bool:
        return self.remote_url(remote) is not None

    def file_at(self, revision: str, path: str) -> str | None:
        """The exact text of `path` at `revision` (line endings kept), None when it is not there."""
        try:
            data = self._git.execute(["git", "show", f"{revision}:{path}"], env=self._env,
                                     stdout_as_string=False, strip_newline_in_stdout=False)
        except self._exc:
            return None
        return bytes(data).decode("utf-8")


def _records(text: str, boundary: set[str] | None) -> Iterator[RawCommit]:
    for record in text.split("\x00"):
        if record[:1] == "-":
            if boundary is not None:
                boundary.add(record[1:41])
        elif record:
            sha, parents, message = record.split("\x1f", 2)
            yield RawCommit(sha[1:], message, tuple(parents.split()) if parents else ())


def _hint_for(stderr: str) -> str:
    if "not a git repository" in stderr:
        return "run relbot inside a git repository, or pass -C DIR"
    if "Could not read from remote" in stderr or "unable to access" in stderr:
        return "check the remote URL and that the token or ssh key can read it"
    return ""


def open_repo(path: Path, env: Mapping[str, str] | None = None) -> GitRepo:
    """Open the repository containing `path`; a clear error when there is none."""
    if not path.exists():
        raise GitError(f"{path} does not exist", "pass an existing directory with -C")
    try:
        return GitRepo(path, env)
    except GitError as exc:
        raise GitError(f"{path} is not inside a git repository",
                       "run relbot inside a git repository, or pass -C DIR") from exc
