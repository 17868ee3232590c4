"""The values and enums every layer shares: commits, bumps, branches, versions.

The records are named tuples, not frozen dataclasses: they are as immutable and compare by value,
and defining them costs a tenth as much at start-up (11 dataclasses took 7 ms of `relbot version`)."""

from __future__ import annotations

from enum import Enum, IntEnum
from typing import NamedTuple


class ReleaseType(IntEnum):
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


class Footer(NamedTuple):
    """One Conventional Commits footer (`Token: value` or `Token #value`)."""

    token: str
    value: str


class RevertRef(NamedTuple):
    """What a revert commit says it reverts: the header and, when given, the commit hash."""

    header: str
    sha: str | None


class Reference(NamedTuple):
    """An issue or pull request reference such as `#12`, `closes #12` or `acme/widget#12`."""

    issue: str
    action: str | None = None
    owner_repo: str | None = None


class BranchType(Enum):
    RELEASE = "release"
    MAINTENANCE = "maintenance"
    PRERELEASE = "prerelease"


class BranchSpec(NamedTuple):
    """One entry of `branches`, as configured (the name may be a glob)."""

    name: str
    channel: str | bool | None = None  # False: explicitly the default channel
    range: str | None = None
    prerelease: str | bool | None = None


class Branch(NamedTuple):
    """The branch being released, resolved against its configured entry."""

    name: str
    type: BranchType
    prerelease_id: str | None = None
    range_min: str | None = None  # inclusive lower bound (maintenance; release, next to others)
    range_max: str | None = None  # exclusive upper bound (None: unbounded)
    range_text: str | None = None
    next_branch: str | None = None  # a release branch: the one after it, which takes what it cannot
    channel: str | None = None  # semantic-release's distribution channel (None: the default one)


class LastRelease(NamedTuple):
    """semantic-release's `lastRelease`: the release the next one follows."""

    version: str
    git_tag: str


class NextRelease(NamedTuple):
    """semantic-release's `nextRelease`: what is being released."""

    type: str  # the release type: major, minor or patch
    version: str
    git_tag: str
    notes: str
    channel: str | None = None

    @property
    def name(self) -> str:
        return self.git_tag


class Tag(NamedTuple):
    """A release tag that matched the tag format."""

    name: str
    version: str
    sha: str


class Decision(NamedTuple):
    """The bump one commit asks for, and the rule that decided it."""

    bump: ReleaseType
    rule: str


class ZeroPolicy(Enum):
    """What a project at 0.x does; the `zeroVersion` setting."""

    OFF = "off"  # first release 1.0.0; 0.x versions bump like any other (semantic-release)
    MINOR = "minor"  # first release 0.1.0; while 0.x a breaking change bumps the minor
    SHIFT = "shift"  # first release 0.1.0; while 0.x breaking → minor, feat → patch (Cargo, git-cliff)


class TagRef(NamedTuple):
    """A tag as `git for-each-ref` lists it."""

    name: str
    sha: str  # the commit the tag points to (peeled)
    date: str  # YYYY-MM-DD of the tag (tagger date, or the commit date for lightweight tags)


class ReleaseRule(NamedTuple):
    """One entry of commit-analyzer's `releaseRules`; None fields match anything."""

    release: ReleaseType | None  # None: `"release": false`, matches and releases nothing
    type: str | None = None
    scope: str | None = None
    subject: str | None = None
    breaking: bool = False
    revert: bool = False

    def describe(self) -> str:
        parts = [f"{name} {value!r}" for name, value in (
            ("type", self.type), ("scope", self.scope), ("subject", self.subject)) if value]
        if self.breaking:
            parts.append("breaking")
        if self.revert:
            parts.append("revert")
        target = self.release.label if self.release else "no release"
        return f"{' + '.join(parts) or 'any commit'} → {target}"
