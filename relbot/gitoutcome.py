"""How a conversation with a git remote ended, read once from git's machine-readable output
(`push --porcelain` status lines, `remote:` lines, fatal messages, HTTP status codes) into a
`RemoteStatus` — never recognised later by message text. Pure: text in, status out."""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import Enum
from typing import NamedTuple

from relbot import gitauth
from relbot.errors import GitError

_HTTP_STATUS = re.compile(r"The requested URL returned error: (\d{3})")
_UNREACHABLE = ("Could not resolve host", "Failed to connect", "Connection refused", "Connection timed out",
                "Couldn't connect to server", "Could not read from remote repository",
                "does not appear to be a git repository", "Connection reset", "Operation timed out",
                "No route to host", "Name or service not known", "SSL certificate problem")
_LOST_RACE = ("incorrect old value", "cannot lock ref", "but expected")
_NEEDS_CREDENTIALS = ("could not read Username", "could not read Password", "Authentication failed",
                      "terminal prompts disabled", "Permission denied (publickey")



class RemoteStatus(Enum):
    """How a conversation with the remote ended."""

    OK = "ok"
    MOVED = "moved"  # the branch moved on the remote meanwhile (fetch first, non-fast-forward, stale info)
    TAG_EXISTS = "tag-exists"  # a tag of that name is already on the remote, elsewhere
    PROTECTED = "protected"  # a branch protection rule refused the update (GitHub's GH006, ...)
    REJECTED = "rejected"  # the server refused for a reason of its own (a hook); `detail` says which
    AUTH = "auth"  # no credentials, or the server refused them (401/403)
    UNREACHABLE = "unreachable"  # no answer: host, port, network or path
    OTHER = "other"


class RemoteResult(NamedTuple):
    """The outcome of a push or another remote operation: the status and the server's own words."""

    status: RemoteStatus
    detail: str = ""  # redacted: the `remote:` lines and the refused refs with git's reason

    @property
    def ok(self) -> bool:
        return self.status is RemoteStatus.OK


class RemoteError(GitError):
    """A remote operation failed; `result` says how (never recognise it by message text)."""

    def __init__(self, message: str, hint: str, result: RemoteResult) -> None:
        super().__init__(message, hint)
        self.result: RemoteResult = result


def remote_error(what: str, result: RemoteResult) -> RemoteError:
    """`what` failed: the error with the server's detail and the hint for its status."""
    return RemoteError(f"{what}: {result.detail}", _REMOTE_HINTS[result.status], result)


_REMOTE_HINTS: dict[RemoteStatus, str] = {
    RemoteStatus.UNREACHABLE: "check the remote URL, the network and that the server is up",
    RemoteStatus.AUTH: (f"set one of {', '.join(gitauth.TOKEN_VARIABLES)} to a token that can read "
                        "and write the repository (`contents: write`), or use an ssh remote"),
    RemoteStatus.OTHER: "see git's message above",
}
for _status in RemoteStatus:
    _REMOTE_HINTS.setdefault(_status, "see the server's message above")


def classify_push(code: int, stdout: str, stderr: str) -> RemoteResult:
    """A push's outcome from its `--porcelain` status lines, exit code and `remote:` lines."""
    refused = [line.split("\t") for line in stdout.splitlines() if line.startswith("!\t")]
    if code == 0 and not refused:
        return RemoteResult(RemoteStatus.OK)
    if not refused:
        return classify_failure(stderr)
    remote_lines = [line for line in stderr.splitlines() if line.startswith("remote:")]
    pairs = [(fields[1] if len(fields) > 1 else "", fields[2] if len(fields) > 2 else "")
             for fields in refused]
    own = [(ref, reason) for ref, reason in pairs if "(atomic push failed)" not in reason] or pairs
    detail = "; ".join([*(line.strip() for line in remote_lines),
                        *(f"{ref.split(':')[-1]} {reason}" for ref, reason in own)])
    return RemoteResult(_refusal_status(own, remote_lines), detail)


def _refusal_status(refused: Sequence[tuple[str, str]], remote_lines: Sequence[str]) -> RemoteStatus:
    """Why refs were refused: `refused` holds (refspec, git's summary) for each."""
    told = "\n".join(remote_lines)
    reasons = [reason for _ref, reason in refused]
    if "GH006" in told or "protected branch" in told.lower() or any("protected branch" in r for r in reasons):
        return RemoteStatus.PROTECTED
    for ref, reason in refused:
        if reason.startswith("[rejected]"):
            if "(already exists)" in reason and ":refs/tags/" in ref:
                return RemoteStatus.TAG_EXISTS
            return RemoteStatus.MOVED
    if any(marker in f"{told}\n{' '.join(reasons)}" for marker in _LOST_RACE):
        return RemoteStatus.MOVED  # another push updated the ref while ours was being received
    if any(r.startswith(("[remote rejected]", "[remote failure]")) for r in reasons):
        return RemoteStatus.REJECTED
    return RemoteStatus.OTHER


def classify_failure(stderr: str) -> RemoteResult:
    """A remote operation that failed before any ref was judged: why, from git's fatal lines."""
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    fatal = [line for line in lines if line.startswith(("fatal:", "error:", "ssh:"))]
    detail = (fatal or lines or ["no message"])[0]
    http = _HTTP_STATUS.search(stderr)
    if http and http.group(1) in ("401", "403"):
        return RemoteResult(RemoteStatus.AUTH, detail)
    if any(marker in stderr for marker in _NEEDS_CREDENTIALS):
        return RemoteResult(RemoteStatus.AUTH, detail)
    if any(marker in stderr for marker in _UNREACHABLE) or (http and http.group(1) == "404"):
        return RemoteResult(RemoteStatus.UNREACHABLE, detail)
    return RemoteResult(RemoteStatus.OTHER, detail)
