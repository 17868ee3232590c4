"""Release rules: default and custom releaseRules, [skip release], revert cancelling, analyze()."""

from __future__ import annotations

import hashlib

import pytest

from relbot.model import Bump, RawCommit, ReleaseRule
from relbot.release.commits import Commit, ParsedCommit, Unparsed, parse_commit
from relbot.release.rules import DEFAULT_RULES, analyze, cancel_reverts, decide, is_skipped


def sha_of(message: str) -> str:
    return hashlib.sha1(message.encode()).hexdigest()  # noqa: S324


def pc(message: str, sha: str | None = None) -> ParsedCommit:
    result = parse_commit(RawCommit(sha or sha_of(message), message))
    assert isinstance(result, ParsedCommit), result
    return result


def revert_of(target: ParsedCommit, *, sha_len: int = 40, git_form: bool = False) -> ParsedCommit:
    header = f'Revert "{target.header}"' if git_form else f"revert: {target.header}"
    return pc(f"{header}\n\nThis reverts commit {target.sha[:sha_len]}.")


# --- default rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "bump"),
    [
        pytest.param("feat!: x", Bump.MAJOR, id="bang"),
        pytest.param("fix(api)!: x", Bump.MAJOR, id="fix-bang"),
        pytest.param("chore: x\n\nBREAKING CHANGE: y", Bump.MAJOR, id="footer-on-chore"),
        pytest.param("docs: x\n\nBREAKING-CHANGE: y", Bump.MAJOR, id="hyphen-footer-on-docs"),
        pytest.param("revert: feat: x", Bump.NONE, id="revert-type-naming-no-commit"),
        pytest.param("revert: feat: x\n\nRefs: 1234567", Bump.PATCH, id="revert-type-with-refs"),
        pytest.param('Revert "feat!: x"\n\nThis reverts commit 1234567.', Bump.PATCH,
                     id="git-revert-of-breaking"),
        pytest.param("feat: x", Bump.MINOR, id="feat"),
        pytest.param("Feat: x", Bump.MINOR, id="Feat"),
        pytest.param("FEAT(api): x", Bump.MINOR, id="FEAT"),
        pytest.param("fix: x", Bump.PATCH, id="fix"),
        pytest.param("FIX: x", Bump.PATCH, id="FIX"),
        pytest.param("perf: x", Bump.PATCH, id="perf"),
        pytest.param("docs: x", Bump.NONE, id="docs"),
        pytest.param("chore: x", Bump.NONE, id="chore"),
        pytest.param("chore(release): 1.2.3 [skip ci]", Bump.NONE, id="release-commit"),
        pytest.param("refactor: x", Bump.NONE, id="refactor"),
        pytest.param("style: x", Bump.NONE, id="style"),
        pytest.param("test: x", Bump.NONE, id="test"),
        pytest.param("ci: x", Bump.NONE, id="ci"),
        pytest.param("build: x", Bump.NONE, id="build"),
        pytest.param("feature: x", Bump.NONE, id="feature-is-not-feat"),
    ],
)
def test_default_rules(message: str, bump: Bump) -> None:
    assert decide(pc(message)).bump is bump


@pytest.mark.parametrize(
    ("message", "rule"),
    [
        pytest.param("feat!: x", "breaking → major", id="breaking"),
        pytest.param("revert: feat: x\n\nThis reverts commit 1234567.", "revert → patch", id="revert"),
        pytest.param("feat: x", "type 'feat' → minor", id="feat"),
        pytest.param("docs: x", "no rule matches", id="none"),
    ],
)
def test_decision_names_the_rule(message: str, rule: str) -> None:
    assert decide(pc(message)).rule == rule


def test_default_rules_are_semantic_release_defaults() -> None:
    assert [(r.release, r.type, r.breaking, r.revert) for r in DEFAULT_RULES] == [
        (Bump.MAJOR, None, True, False),
        (Bump.PATCH, None, False, True),
        (Bump.MINOR, "feat", False, False),
        (Bump.PATCH, "fix", False, False),
        (Bump.PATCH, "perf", False, False),
    ]


# --- custom rules -------------------------------------------------------------------------------

README_RULES = (
    ReleaseRule(Bump.PATCH, type="docs", scope="README"),
    ReleaseRule(Bump.PATCH, type="refactor"),
    ReleaseRule(Bump.PATCH, type="style"),
    ReleaseRule(None, scope="no-release"),
)


@pytest.mark.parametrize(
    ("rules", "message", "bump"),
    [
        pytest.param(README_RULES, "docs(README): x", Bump.PATCH, id="readme-docs-scope"),
        pytest.param(README_RULES, "docs(api): x", Bump.NONE, id="readme-docs-other-scope"),
        pytest.param(README_RULES, "refactor: x", Bump.PATCH, id="readme-refactor"),
        pytest.param(README_RULES, "feat: x", Bump.MINOR, id="readme-falls-back-to-defaults"),
        pytest.param(README_RULES, "feat(no-release): x", Bump.NONE, id="readme-no-release-feat"),
        pytest.param(README_RULES, "feat(no-release)!: x", Bump.NONE, id="readme-no-release-breaking"),
        pytest.param(README_RULES, "fix(no-release): x", Bump.NONE, id="readme-no-release-fix"),
        pytest.param((ReleaseRule(Bump.MINOR, scope="api-*"),), "fix(api-v2): x", Bump.MINOR,
                     id="scope-glob"),
        pytest.param((ReleaseRule(Bump.MINOR, scope="api-*"),), "fix(core): x", Bump.PATCH,
                     id="scope-glob-miss-falls-back"),
        pytest.param((ReleaseRule(Bump.MINOR, scope="api-*"),), "fix: x", Bump.PATCH,
                     id="scope-glob-no-scope"),
        pytest.param((ReleaseRule(Bump.PATCH, subject="*security*"),), "chore: bump for security fix",
                     Bump.PATCH, id="subject-glob"),
        pytest.param((ReleaseRule(Bump.PATCH, type="{refactor,style}"),), "style: x", Bump.PATCH,
                     id="type-braces"),
        pytest.param((ReleaseRule(Bump.PATCH, type="ch*"),), "chore: x", Bump.PATCH, id="type-star"),
        pytest.param((ReleaseRule(Bump.PATCH, type="Docs"),), "DOCS: x", Bump.PATCH, id="type-case-folded"),
        pytest.param((ReleaseRule(Bump.PATCH, type="feat"),), "feat: x", Bump.PATCH,
                     id="custom-overrides-default"),
        pytest.param((ReleaseRule(Bump.MINOR, breaking=True),), "feat!: x", Bump.MINOR,
                     id="custom-breaking-minor"),
        pytest.param((ReleaseRule(Bump.MINOR, breaking=True),), "fix: x", Bump.PATCH,
                     id="custom-breaking-needs-breaking"),
        pytest.param((ReleaseRule(None, revert=True),), "revert: feat: x", Bump.NONE, id="custom-revert-off"),
        pytest.param((ReleaseRule(Bump.MINOR, type="revert", revert=True),),
                     'Revert "feat: x"\n\nThis reverts commit 1234567.', Bump.PATCH,
                     id="git-revert-has-no-type"),
        pytest.param(
            (ReleaseRule(Bump.PATCH, type="docs"), ReleaseRule(Bump.MAJOR, scope="big")), "docs(big): x",
            Bump.MAJOR, id="strongest-custom-match",
        ),
        pytest.param(
            (ReleaseRule(Bump.PATCH, type="docs", scope="api", subject="*"),), "docs(api): x", Bump.PATCH,
            id="all-fields",
        ),
        pytest.param(
            (ReleaseRule(Bump.PATCH, type="docs", scope="api", subject="nope"),), "docs(api): x", Bump.NONE,
            id="all-fields-one-misses",
        ),
    ],
)
def test_custom_rules(rules: tuple[ReleaseRule, ...], message: str, bump: Bump) -> None:
    assert decide(pc(message), rules).bump is bump


def test_release_false_names_no_release() -> None:
    decision = decide(pc("feat(no-release): x"), (ReleaseRule(None, scope="no-release"),))
    assert decision.bump is Bump.NONE
    assert decision.rule == "scope 'no-release' → no release"


def test_readme_no_release_rule_wins_over_earlier_match() -> None:
    assert decide(pc("refactor(no-release): x"), README_RULES).bump is Bump.NONE


# --- [skip release] -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "skipped"),
    [
        pytest.param("fix: x [skip release]", True, id="skip-release"),
        pytest.param("fix: x [release skip]", True, id="release-skip"),
        pytest.param("fix: x [SKIP RELEASE]", True, id="upper"),
        pytest.param("fix: x [Release Skip]", True, id="title-case"),
        pytest.param("fix: x [skip  \t release]", True, id="whitespace"),
        pytest.param("fix: x\n\nbody [release skip]", True, id="in-body"),
        pytest.param("fix: x [skip ci]", False, id="skip-ci"),
        pytest.param("fix: x [skip-release]", False, id="hyphen"),
        pytest.param("fix: x skip release", False, id="no-brackets"),
        pytest.param("fix: x [skiprelease]", False, id="no-space"),
    ],
)
def test_skip_release(message: str, skipped: bool) -> None:
    assert is_skipped(pc(message)) is skipped
    analysis = analyze([pc(message)])
    assert analysis.bump is (Bump.NONE if skipped else Bump.PATCH)
    assert len(analysis.ignored) == int(skipped)


def test_skip_release_on_unparsed() -> None:
    assert is_skipped(Unparsed("a" * 40, "WIP [skip release]", "no header"))


# --- reverts ------------------------------------------------------------------------------------

FEAT = pc("feat: add x", "a" * 40)
FIX = pc("fix: y", "b" * 40)
DOCS = pc("docs: z", "c" * 40)


def _cancel_cases() -> list[object]:
    by_sha = revert_of(FEAT)
    by_prefix = revert_of(FEAT, sha_len=7)
    git_form = revert_of(FEAT, git_form=True)
    by_header = pc("revert: feat: add x")  # names no commit: a plain `revert` type, no release
    refs_form = pc(f"revert: feat: add x\n\nRefs: {FEAT.sha[:7]}")
    out_of_range = pc("revert: feat: add w\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.")
    other_sha = pc("revert: feat: add x\n\nThis reverts commit 0123456.")
    r1 = revert_of(FEAT, git_form=True)
    r2 = revert_of(r1, git_form=True)
    return [
        pytest.param([by_sha, FEAT], Bump.NONE, [], [by_sha, FEAT], id="same-range-by-sha"),
        pytest.param([by_prefix, FEAT], Bump.NONE, [], [by_prefix, FEAT], id="same-range-by-sha-prefix"),
        pytest.param([git_form, FEAT], Bump.NONE, [], [git_form, FEAT], id="git-form-by-sha"),
        pytest.param([by_header, FEAT], Bump.MINOR, [by_header, FEAT], [], id="no-sha-is-no-revert"),
        pytest.param([refs_form, FEAT], Bump.NONE, [], [refs_form, FEAT], id="refs-footer-form"),
        pytest.param([by_sha, FEAT, FIX], Bump.PATCH, [FIX], [by_sha, FEAT], id="only-its-target"),
        pytest.param([out_of_range, DOCS], Bump.PATCH, [out_of_range, DOCS], [], id="older-target-patch"),
        pytest.param([other_sha, FEAT], Bump.MINOR, [other_sha, FEAT], [], id="sha-wins-over-header"),
        pytest.param([FEAT, by_sha], Bump.MINOR, [FEAT, by_sha], [], id="target-newer-than-revert"),
        pytest.param([r2, r1, FEAT], Bump.MINOR, [FEAT], [r2, r1], id="revert-of-revert-restores"),
        pytest.param([r2, r1], Bump.NONE, [], [r2, r1], id="revert-of-revert-target-released"),
    ]


@pytest.mark.parametrize(("commits", "bump", "counted", "cancelled"), _cancel_cases())
def test_revert_cancelling(
    commits: list[ParsedCommit], bump: Bump, counted: list[ParsedCommit], cancelled: list[ParsedCommit]
) -> None:
    analysis = analyze(commits)
    assert analysis.bump is bump
    assert list(analysis.counted) == counted
    assert list(analysis.cancelled) == cancelled
    assert cancel_reverts(commits) == (counted, cancelled)


def test_revert_of_older_commit_names_revert_rule() -> None:
    commit = pc("revert: feat: add w\n\nThis reverts commit 0123456.")
    assert analyze([commit]).rule.startswith("revert → patch, from ")


def test_one_revert_cancels_one_target() -> None:
    twin = pc("feat: add x", "d" * 40)
    revert = pc(f"revert: feat: add x\n\nThis reverts commit {FEAT.sha}.")
    analysis = analyze([revert, FEAT, twin])
    assert analysis.counted == (twin,)
    assert analysis.bump is Bump.MINOR


# --- analyze ------------------------------------------------------------------------------------


def test_analyze_picks_the_strongest_and_names_the_commit() -> None:
    unparsed = Unparsed("e" * 40, "WIP", "no `type: subject` header")
    commits: list[Commit] = [FIX, unparsed, FEAT, DOCS]
    analysis = analyze(commits)
    assert analysis.bump is Bump.MINOR
    assert analysis.rule == "type 'feat' → minor, from aaaaaaa 'feat: add x'"
    assert analysis.counted == (FIX, FEAT, DOCS)
    assert analysis.ignored == (unparsed,)
    assert analysis.cancelled == ()


@pytest.mark.parametrize(
    ("messages", "bump"),
    [
        pytest.param([], Bump.NONE, id="empty"),
        pytest.param(["docs: a", "chore: b"], Bump.NONE, id="nothing-releasable"),
        pytest.param(["docs: a", "fix: b"], Bump.PATCH, id="patch"),
        pytest.param(["fix: a", "feat: b", "perf: c"], Bump.MINOR, id="minor"),
        pytest.param(["fix: a", "feat: b", "docs!: c"], Bump.MAJOR, id="major"),
        pytest.param(["feat: a [skip release]", "fix: b"], Bump.PATCH, id="skipped-feat"),
    ],
)
def test_analyze_max(messages: list[str], bump: Bump) -> None:
    assert analyze([pc(m) for m in messages]).bump is bump


def test_analyze_first_of_equal_strength_is_named() -> None:
    newest, older = pc("fix: newest", "1" * 40), pc("fix: older", "2" * 40)
    assert analyze([newest, older]).rule.endswith("from 1111111 'fix: newest'")


def test_analyze_nothing_rule() -> None:
    assert analyze([DOCS]).rule == "no commit asks for a release"


def test_analyze_with_custom_rules() -> None:
    analysis = analyze([DOCS, FIX], (ReleaseRule(Bump.MINOR, type="docs"),))
    assert analysis.bump is Bump.MINOR
    assert "ccccccc" in analysis.rule
