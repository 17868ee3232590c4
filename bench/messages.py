"""Synthetic commit messages: a seeded mix of Conventional Commits and free-form text.

A release interval is generated for a chosen bump (patch, minor or major) so that the
tags in a synthetic history agree with the commits under them: a patch interval has
fixes and no features, a minor one at least one feature and no breaking change, a major
one exactly one breaking change (a `!` or a `BREAKING CHANGE:` footer).
"""

from __future__ import annotations

import enum
import random
from collections.abc import Iterator


class ReleaseType(enum.Enum):
    """The kind of version increment a run of commits calls for."""

    PATCH = "patch"
    MINOR = "minor"
    MAJOR = "major"


TYPE_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("feat", 24),
    ("fix", 30),
    ("perf", 4),
    ("docs", 9),
    ("chore", 10),
    ("refactor", 7),
    ("test", 4),
    ("ci", 2),
    ("build", 2),
    ("", 8),  # free-form, not Conventional Commits
)
SCOPES = ("api", "cli", "core", "parser", "config", "auth", "db", "ui", "deps", "release")
VERBS = ("add", "handle", "support", "remove", "improve", "rework", "simplify", "guard", "cache")
OBJECTS = (
    "retry on HTTP 502",
    "nested config keys",
    "empty tag lists",
    "unicode in branch names",
    "the token refresh path",
    "slow startup on large repos",
    "timezone offsets in dates",
    "windows line endings",
    "the --dry-run output",
    "duplicate entries in the changelog",
    "missing remote errors",
    "prerelease counters",
)
FREE_FORM = (
    "Update README.md",
    "Merge pull request #{n} from someone/topic-{n}",
    "WIP",
    "fix typo",
    "ReleaseType lodash from 4.17.20 to 4.17.21",
    "Revert previous change to the build script",
    "more tests",
    "Merge branch 'main' into feature-{n}",
)
BODY_LINES = (
    "The previous behaviour surprised users with large histories.",
    "This keeps the public interface unchanged.",
    "Measured locally; see the linked issue for numbers.",
    "Callers that relied on the old order should sort explicitly.",
    "No migration is needed.",
)
FOOTERS = ("Refs: #{n}", "Reviewed-by: Rev Iewer <rev@example.invalid>", "Closes #{n}")


def pick_type(rng: random.Random) -> str:
    """A commit type drawn from TYPE_WEIGHTS; '' means a free-form message."""
    types = [name for name, _ in TYPE_WEIGHTS]
    weights = [weight for _, weight in TYPE_WEIGHTS]
    return rng.choices(types, weights)[0]


def body(rng: random.Random) -> str:
    """An optional body and footer block (empty for about half the commits)."""
    if rng.random() < 0.5:
        return ""
    lines = rng.sample(BODY_LINES, rng.randint(1, 3))
    text = "\n\n" + " ".join(lines)
    if rng.random() < 0.4:
        text += "\n\n" + rng.choice(FOOTERS).format(n=rng.randint(1, 9999))
    return text


def conventional(rng: random.Random, ctype: str, breaking: bool = False) -> str:
    """One Conventional Commits message of type ctype; breaking adds `!` or a footer."""
    scope = f"({rng.choice(SCOPES)})" if rng.random() < 0.7 else ""
    subject = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}"
    if not breaking:
        return f"{ctype}{scope}: {subject}{body(rng)}"
    if rng.random() < 0.5:
        return f"{ctype}{scope}!: {subject}{body(rng)}"
    footer = "BREAKING CHANGE: the old behaviour is gone; update your configuration."
    return f"{ctype}{scope}: {subject}{body(rng)}\n\n{footer}"


def ordinary(rng: random.Random, bump: ReleaseType) -> str:
    """A message that never raises the bump above `bump` (features only if bump > patch)."""
    ctype = pick_type(rng)
    if ctype == "":
        return rng.choice(FREE_FORM).format(n=rng.randint(1, 9999))
    if ctype == "feat" and bump is ReleaseType.PATCH:
        ctype = "fix"
    return conventional(rng, ctype)


def interval(rng: random.Random, count: int, bump: ReleaseType) -> Iterator[str]:
    """Messages for `count` commits whose combined bump is exactly `bump`."""
    decisive = rng.randrange(count)
    for index in range(count):
        if index != decisive:
            yield ordinary(rng, bump)
        elif bump is ReleaseType.MAJOR:
            yield conventional(rng, rng.choice(("feat", "refactor", "fix")), breaking=True)
        else:
            yield conventional(rng, "feat" if bump is ReleaseType.MINOR else "fix")


def release_bumps(rng: random.Random, count: int) -> list[ReleaseType]:
    """`count` bumps between releases: mostly patch and minor, a few majors."""
    kinds = [ReleaseType.PATCH, ReleaseType.MINOR, ReleaseType.MAJOR]
    return rng.choices(kinds, weights=[52, 45, 3], k=count)


def apply_bump(version: tuple[int, int, int], bump: ReleaseType) -> tuple[int, int, int]:
    """The SemVer increment of version by bump."""
    major, minor, patch = version
    if bump is ReleaseType.MAJOR:
        return (major + 1, 0, 0)
    if bump is ReleaseType.MINOR:
        return (major, minor + 1, 0)
    return (major, minor, patch + 1)
