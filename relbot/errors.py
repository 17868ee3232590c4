"""The exception tree and the exit codes; no printing, no click.

Every error relbot raises on purpose is a RelbotError: a message that names the file, key, commit or
option at fault, a hint that says what to do next, and the process exit code the CLI uses.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes, documented in the README."""

    OK = 0
    ERROR = 1  # unexpected failure (a bug): please report it
    USAGE = 2  # bad command-line usage (click's own code)
    CONFIG = 3  # the configuration file is missing, unreadable or invalid
    GIT = 4  # git could not do what was asked (not a repository, shallow clone, fetch failed, ...)
    NO_RELEASE = 5  # `--strict` and no release is due
    VERSION = 6  # the next version breaks a branch rule (maintenance range, prerelease id, ...)
    INPUT = 7  # bad input data: a values file, path or value
    GITHUB = 8  # the GitHub API refused or failed (token, permission, repository)


class RelbotError(Exception):
    """Base of every error relbot reports to the user."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, hint: str = "", *, credentials: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        # the credentials (a token, a permission, a reachable server) are what is missing: the one
        # kind of problem a dry run on a laptop reports as a need instead of failing
        self.credentials = credentials
        self.steps_done: tuple[str, ...] = ()  # what a plan's executor ran before this error
        self.partial: object = None  # a use case's partial result, when it had done something

    def __str__(self) -> str:
        return f"{self.message}\nhint: {self.hint}" if self.hint else self.message


class UsageError(RelbotError):
    """The command line itself is wrong (an unknown option, a value out of range): click's own."""

    exit_code = ExitCode.USAGE


class ConfigError(RelbotError):
    """The configuration cannot be used as it is."""

    exit_code = ExitCode.CONFIG


class GitError(RelbotError):
    """A git operation failed or the repository is not in a usable state."""

    exit_code = ExitCode.GIT


class NoReleaseError(RelbotError):
    """No release is due and the caller asked for a non-zero exit in that case."""

    exit_code = ExitCode.NO_RELEASE


class VersionRuleError(RelbotError):
    """The next version would break a rule of the branch it is released from."""

    exit_code = ExitCode.VERSION


class TagExistsError(VersionRuleError):
    """The next version is already tagged, on a commit this branch does not contain."""

    def __init__(self, message: str, hint: str, version: str) -> None:
        super().__init__(message, hint)
        self.version = version


class GitHubError(RelbotError):
    """The GitHub API could not do what was asked; `status` is its HTTP status, when it answered."""

    exit_code = ExitCode.GITHUB
    status: int | None = None


class InputError(RelbotError):
    """A file, path or value given to relbot is not usable."""

    exit_code = ExitCode.INPUT


class Superseded(InputError):  # noqa: N818 - what happened, not a failure of relbot's
    """Origin moved on while relbot was pushing, so the planned change no longer applies (a newer
    deploy landed): nothing is pushed, and the run says why."""


class DowngradeRefused(Superseded):
    """A value would move a version backwards and downgrades were not allowed."""


class BranchMoved(GitError):  # noqa: N818 - what happened on origin
    """Origin's branch is not where the commit made through GitHub's API expects it (another
    pipeline pushed first); nothing was published."""
