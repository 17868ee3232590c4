"""Frozen dataclasses and enums that every layer shares: commits, bumps, branches, versions."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, IntEnum
from functools import cached_property
from typing import Any, NamedTuple


class Bump(IntEnum):
    """A release type, ordered so that max() picks the strongest."""

    NONE = 0
    PATCH = 1
    MINOR = 2
    MAJOR = 3

    @property
    def label(self) -> str:
        return self.name.lower()


class RawCommit(NamedTuple):
    """A commit as read from git: its full hash, parent hashes and whole message.

    A named tuple, not a dataclass: `git log` yields 100,000 of them in a large range.
    """

    sha: str
    message: str
    parents: tuple[str, ...] = ()


@dataclass(frozen=True)
class Footer:
    """One Conventional Commits footer (`Token: value` or `Token #value`)."""

    token: str
    value: str


@dataclass(frozen=True)
class RevertRef:
    """What a revert commit says it reverts: the header and, when given, the commit hash."""

    header: str
    sha: str | None


@dataclass(frozen=True)
class Reference:
    """An issue or pull request reference such as `#12`, `closes #12` or `acme/widget#12`."""

    issue: str
    action: str | None = None
    owner_repo: str | None = None


@dataclass(frozen=True)
class ParsedCommit:
    """A commit whose header follows Conventional Commits 1.0 (or git's own revert form)."""

    sha: str
    header: str
    type: str | None
    scope: str | None
    subject: str
    breaking_notes: tuple[str, ...]
    revert: RevertRef | None
    message: str
    is_merge: bool = False
    note_keywords: tuple[str, ...] = ("BREAKING CHANGE", "BREAKING-CHANGE")

    @classmethod
    def build(cls, **fields: Any) -> ParsedCommit:
        """Construct without the frozen-dataclass `__setattr__` calls (10x cheaper per field);
        the instance is just as immutable afterwards."""
        commit = cls.__new__(cls)
        commit.__dict__.update(fields)
        return commit

    @cached_property
    def _body_and_footers(self) -> tuple[str, tuple[Footer, ...]]:
        from relbot.commits import split_body_and_footers  # noqa: PLC0415 - avoids a cycle

        return split_body_and_footers(self.message.partition("\n")[2], self.note_keywords)

    @property
    def body(self) -> str:
        """The free text between the header and the footers."""
        return self._body_and_footers[0]

    @property
    def footers(self) -> tuple[Footer, ...]:
        return self._body_and_footers[1]

    @cached_property
    def references(self) -> tuple[Reference, ...]:
        from relbot.commits import find_references  # noqa: PLC0415 - avoids a cycle

        return find_references(self.message)

    @property
    def breaking(self) -> bool:
        return bool(self.breaking_notes)

    @property
    def short_sha(self) -> str:
        return self.sha[:7]


@dataclass(frozen=True)
class Unparsed:
    """A commit whose message is not a Conventional Commit: ignored for the bump, kept for `-v`."""

    sha: str
    message: str
    reason: str

    @property
    def header(self) -> str:
        return self.message.split("\n", 1)[0]


Commit = ParsedCommit | Unparsed


class BranchType(Enum):
    RELEASE = "release"
    MAINTENANCE = "maintenance"
    PRERELEASE = "prerelease"


@dataclass(frozen=True)
class BranchSpec:
    """One entry of `branches`, as configured (the name may be a glob)."""

    name: str
    channel: str | None = None
    range: str | None = None
    prerelease: str | bool | None = None


@dataclass(frozen=True)
class Branch:
    """The branch being released, resolved against its configured entry."""

    name: str
    type: BranchType
    prerelease_id: str | None = None
    range_min: str | None = None  # inclusive lower bound (maintenance)
    range_max: str | None = None  # exclusive upper bound (maintenance)
    range_text: str | None = None


@dataclass(frozen=True)
class Tag:
    """A release tag that matched the tag format."""

    name: str
    version: str
    sha: str


@dataclass(frozen=True)
class Decision:
    """The bump one commit asks for, and the rule that decided it."""

    bump: Bump
    rule: str


@dataclass(frozen=True)
class Analysis:
    """What the commits since the last release ask for."""

    bump: Bump
    rule: str
    counted: tuple[ParsedCommit, ...]
    ignored: tuple[Commit, ...]
    cancelled: tuple[ParsedCommit, ...] = field(default_factory=tuple)
