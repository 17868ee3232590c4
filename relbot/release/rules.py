"""Release rules: which bump each commit asks for, as semantic-release's commit-analyzer decides it.

Custom `releaseRules` are tried first; a commit that no custom rule matches falls back to the
defaults (breaking → major, revert → patch, feat → minor, fix/perf → patch). A custom rule with
`"release": false` matches and releases nothing. Types are compared case-insensitively, as the
Conventional Commits specification requires. Reverts whose target is in the same range cancel
both commits; `[skip release]` / `[release skip]` commits are left out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from relbot.globs import glob_match
from relbot.model import Decision, ReleaseRule, ReleaseType
from relbot.release.commits import Commit, ParsedCommit, Unparsed

_SKIP_RELEASE = re.compile(r"\[(?:skip\s+release|release\s+skip)\]", re.IGNORECASE)


class Analysis(NamedTuple):
    """What the commits since the last release ask for."""

    bump: ReleaseType
    rule: str
    counted: tuple[ParsedCommit, ...]
    ignored: tuple[Commit, ...]
    cancelled: tuple[ParsedCommit, ...] = ()


DEFAULT_RULES: tuple[ReleaseRule, ...] = (
    ReleaseRule(ReleaseType.MAJOR, breaking=True),
    ReleaseRule(ReleaseType.PATCH, revert=True),
    ReleaseRule(ReleaseType.MINOR, type="feat"),
    ReleaseRule(ReleaseType.PATCH, type="fix"),
    ReleaseRule(ReleaseType.PATCH, type="perf"),
)


def rule_matches(rule: ReleaseRule, commit: ParsedCommit) -> bool:
    if rule.breaking and not commit.breaking:
        return False
    if rule.revert and commit.revert is None:
        return False
    checks = (
        (rule.type, commit.type.lower() if commit.type else None, True),
        (rule.scope, commit.scope, False),
        (rule.subject, commit.subject, False),
    )
    for pattern, value, fold in checks:
        if pattern is None:
            continue
        if value is None:
            return False
        if not glob_match(value, pattern.lower() if fold else pattern):
            return False
    return True


def _apply(rules: Sequence[ReleaseRule], commit: ParsedCommit) -> Decision | None:
    """The release the matching rules give, None when no rule matched at all.

    As commit-analyzer walks them: rules in order; a match replaces the current release when
    there is none yet, when the current one is "no release", when the match is `release: false`,
    or when the match is stronger; a major ends the walk.
    """
    best: Decision | None = None
    for rule in rules:
        if not rule_matches(rule, commit):
            continue
        if best is None or best.bump is ReleaseType.NONE or rule.release is None \
                or rule.release > best.bump:
            best = Decision(rule.release or ReleaseType.NONE, rule.describe())
        if best.bump is ReleaseType.MAJOR:
            break
    return best


def decide(commit: ParsedCommit, custom: Sequence[ReleaseRule] = ()) -> Decision:
    """The bump one commit asks for, custom rules first, then the defaults."""
    decision = _apply(custom, commit) if custom else None
    if decision is None:
        decision = _apply(DEFAULT_RULES, commit)
    return decision or Decision(ReleaseType.NONE, "no rule matches")


def skip_requested(message: str) -> bool:
    """Whether a message asks to be left out: `[skip release]` or `[release skip]` anywhere."""
    return "[" in message and _SKIP_RELEASE.search(message) is not None


def is_skipped(commit: Commit) -> bool:
    return skip_requested(commit.message)


class Decider:
    """`decide` with a cache keyed on the commit fields the rules can look at."""

    def __init__(self, custom: Sequence[ReleaseRule] = ()) -> None:
        self.custom = tuple(custom)
        self.uses_scope = any(rule.scope is not None for rule in self.custom)
        self.uses_subject = any(rule.subject is not None for rule in self.custom)
        self._cache: dict[tuple[object, ...], Decision] = {}

    def __call__(self, commit: ParsedCommit) -> Decision:
        return self._lookup(commit.type, commit.scope, commit.subject, commit.breaking,
                            commit.revert is not None, commit)

    def header(self, ctype: str, scope: str | None, subject: str, breaking: bool) -> Decision:
        """The decision for a commit that is not a revert, from its header's parts alone."""
        return self._lookup(ctype, scope, subject, breaking, False, None)

    def _lookup(self, ctype: str | None, scope: str | None, subject: str, breaking: bool, revert: bool,
                commit: ParsedCommit | None) -> Decision:
        key = (ctype.lower() if ctype else None, scope if self.uses_scope else None,
               subject if self.uses_subject else None, breaking, revert)
        found = self._cache.get(key)
        if found is None:
            if commit is None:  # a header alone: a commit holding just what the rules look at
                commit = ParsedCommit.build(
                    sha="", header="", type=ctype, scope=scope, subject=subject,
                    breaking_notes=(subject,) if breaking else (), revert=None, message="",
                    is_merge=False, note_keywords=())
            found = self._cache[key] = decide(commit, self.custom)
        return found


def cancel_reverts(commits: Sequence[ParsedCommit]) -> tuple[list[ParsedCommit], list[ParsedCommit]]:
    """Drop reverts whose target is in the same range, and their targets, as semantic-release's
    filter does: the target is an older commit whose header and full hash are exactly those the
    revert names. A short hash, or GitHub's `Revert "x" (#12)` header, cancels nothing (the revert
    then counts on its own, as a patch).

    `commits` is newest first, as git log gives them. A revert of a revert is handled newest first,
    so the original change is restored. Returns (kept, cancelled).
    """
    if not any(commit.revert is not None for commit in commits):
        return list(commits), []
    cancelled: set[int] = set()
    for index, commit in enumerate(commits):
        revert = commit.revert
        if revert is None or index in cancelled:
            continue
        target = next((i for i in range(index + 1, len(commits)) if i not in cancelled
                       and commits[i].sha == revert.sha and commits[i].header == revert.header), None)
        if target is not None:
            cancelled.update((index, target))
    kept = [c for i, c in enumerate(commits) if i not in cancelled]
    dropped = [c for i, c in enumerate(commits) if i in cancelled]
    return kept, dropped


def analyze(commits: Sequence[Commit], custom: Sequence[ReleaseRule] = ()) -> Analysis:
    """Decide the release type for the commits of one range (newest first)."""
    ignored: list[Commit] = []
    parsed: list[ParsedCommit] = []
    for commit in commits:
        if isinstance(commit, Unparsed) or is_skipped(commit):
            ignored.append(commit)
        else:
            parsed.append(commit)
    kept, cancelled = cancel_reverts(parsed)
    bump, rule = ReleaseType.NONE, "no commit asks for a release"
    decider = Decider(custom)
    for commit in kept:
        decision = decider(commit)
        if decision.bump > bump:
            bump = decision.bump
            rule = f"{decision.rule}, from {commit.short_sha} {commit.header!r}"
    return Analysis(bump, rule, tuple(kept), tuple(ignored), tuple(cancelled))
