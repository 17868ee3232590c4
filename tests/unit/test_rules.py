"""Release rules: default and custom releaseRules, [skip release], revert cancelling, analyze()."""

from __future__ import annotations

import hashlib

import pytest

from relbot.model import RawCommit, ReleaseRule, ReleaseType
from relbot.release.commits import Commit, ParsedCommit, Unparsed, parse_commit
from relbot.release.rules import DEFAULT_RULES, analyze, cancel_reverts, decide, is_skipped

RT = ReleaseType  # the release type, short for the tables below


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
        pytest.param("feat!: x", RT.MAJOR, id="bang"),
        pytest.param("fix(api)!: x", RT.MAJOR, id="fix-bang"),
        pytest.param("chore: x\n\nBREAKING CHANGE: y", RT.MAJOR, id="footer-on-chore"),
        pytest.param("docs: x\n\nBREAKING-CHANGE: y", RT.MAJOR, id="hyphen-footer-on-docs"),
        pytest.param("revert: feat: x", RT.NONE, id="revert-type-naming-no-commit"),
        pytest.param("revert: feat: x\n\nRefs: 1234567", RT.PATCH, id="revert-type-with-refs"),
        pytest.param('Revert "feat!: x"\n\nThis reverts commit 1234567.', RT.PATCH,
                     id="git-revert-of-breaking"),
        pytest.param("feat: x", RT.MINOR, id="feat"),
        pytest.param("Feat: x", RT.MINOR, id="Feat"),
        pytest.param("FEAT(api): x", RT.MINOR, id="FEAT"),
        pytest.param("fix: x", RT.PATCH, id="fix"),
        pytest.param("FIX: x", RT.PATCH, id="FIX"),
        pytest.param("perf: x", RT.PATCH, id="perf"),
        pytest.param("docs: x", RT.NONE, id="docs"),
        pytest.param("chore: x", RT.NONE, id="chore"),
        pytest.param("chore(release): 1.2.3 [skip ci]", RT.NONE, id="release-commit"),
        pytest.param("refactor: x", RT.NONE, id="refactor"),
        pytest.param("style: x", RT.NONE, id="style"),
        pytest.param("test: x", RT.NONE, id="test"),
        pytest.param("ci: x", RT.NONE, id="ci"),
        pytest.param("build: x", RT.NONE, id="build"),
        pytest.param("feature: x", RT.NONE, id="feature-is-not-feat"),
    ],
)

def test_default_rules(message: str, bump: ReleaseType) -> None:
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
        (RT.MAJOR, None, True, False),
        (RT.PATCH, None, False, True),
        (RT.MINOR, "feat", False, False),
        (RT.PATCH, "fix", False, False),
        (RT.PATCH, "perf", False, False),
    ]


# --- custom rules -------------------------------------------------------------------------------

README_RULES = (
    ReleaseRule(RT.PATCH, type="docs", scope="README"),
    ReleaseRule(RT.PATCH, type="refactor"),
    ReleaseRule(RT.PATCH, type="style"),
    ReleaseRule(None, scope="no-release"),
)


@pytest.mark.parametrize(
    ("rules", "message", "bump"),
    [
        pytest.param(README_RULES, "docs(README): x", RT.PATCH, id="readme-docs-scope"),
        pytest.param(README_RULES, "docs(api): x", RT.NONE, id="readme-docs-other-scope"),
        pytest.param(README_RULES, "refactor: x", RT.PATCH, id="readme-refactor"),
        pytest.param(README_RULES, "feat: x", RT.MINOR, id="readme-falls-back-to-defaults"),
        pytest.param(README_RULES, "feat(no-release): x", RT.NONE, id="readme-no-release-feat"),
        pytest.param(README_RULES, "feat(no-release)!: x", RT.NONE, id="readme-no-release-breaking"),
        pytest.param(README_RULES, "fix(no-release): x", RT.NONE, id="readme-no-release-fix"),
        pytest.param((ReleaseRule(RT.MINOR, scope="api-*"),), "fix(api-v2): x", RT.MINOR,
                     id="scope-glob"),
        pytest.param((ReleaseRule(RT.MINOR, scope="api-*"),), "fix(core): x", RT.PATCH,
                     id="scope-glob-miss-falls-back"),
        pytest.param((ReleaseRule(RT.MINOR, scope="api-*"),), "fix: x", RT.PATCH,
                     id="scope-glob-no-scope"),
        pytest.param((ReleaseRule(RT.PATCH, subject="*security*"),), "chore: bump for security fix",
                     RT.PATCH, id="subject-glob"),
        pytest.param((ReleaseRule(RT.PATCH, type="{refactor,style}"),), "style: x", RT.PATCH,
                     id="type-braces"),
        pytest.param((ReleaseRule(RT.PATCH, type="ch*"),), "chore: x", RT.PATCH, id="type-star"),
        pytest.param((ReleaseRule(RT.PATCH, type="Docs"),), "DOCS: x", RT.PATCH, id="type-case-folded"),
        pytest.param((ReleaseRule(RT.PATCH, type="feat"),), "feat: x", RT.PATCH,
                     id="custom-overrides-default"),
        pytest.param((ReleaseRule(RT.MINOR, breaking=True),), "feat!: x", RT.MINOR,
                     id="custom-breaking-minor"),
        pytest.param((ReleaseRule(RT.MINOR, breaking=True),), "fix: x", RT.PATCH,
                     id="custom-breaking-needs-breaking"),
        pytest.param((ReleaseRule(None, revert=True),), "revert: feat: x", RT.NONE, id="custom-revert-off"),
        pytest.param((ReleaseRule(RT.MINOR, type="revert", revert=True),),
                     'Revert "feat: x"\n\nThis reverts commit 1234567.', RT.PATCH,
                     id="git-revert-has-no-type"),
        pytest.param(
            (ReleaseRule(RT.PATCH, type="docs"), ReleaseRule(RT.MAJOR, scope="big")), "docs(big): x",
            RT.MAJOR, id="strongest-custom-match",
        ),
        pytest.param(
            (ReleaseRule(RT.PATCH, type="docs", scope="api", subject="*"),), "docs(api): x", RT.PATCH,
            id="all-fields",
        ),
        pytest.param(
            (ReleaseRule(RT.PATCH, type="docs", scope="api", subject="nope"),), "docs(api): x", RT.NONE,
            id="all-fields-one-misses",
        ),
    ],
)
def test_custom_rules(rules: tuple[ReleaseRule, ...], message: str, bump: ReleaseType) -> None:
    assert decide(pc(message), rules).bump is bump


def test_release_false_names_no_release() -> None:
    decision = decide(pc("feat(no-release): x"), (ReleaseRule(None, scope="no-release"),))
    assert decision.bump is RT.NONE
    assert decision.rule == "scope 'no-release' → no release"


def test_readme_no_release_rule_wins_over_earlier_match() -> None:
    assert decide(pc("refactor(no-release): x"), README_RULES).bump is RT.NONE


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
    assert analysis.bump is (RT.NONE if skipped else RT.PATCH)
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
    refs_form = pc(f"revert: feat: add x\n\nRefs: {FEAT.sha}")
    refs_short = pc(f"revert: feat: add x\n\nRefs: {FEAT.sha[:7]}")
    button = pc(f'Revert "feat: add x" (#12)\n\nThis reverts commit {FEAT.sha}.')
    other_header = pc(f"revert: feat: add y\n\nThis reverts commit {FEAT.sha}.")
    out_of_range = pc("revert: feat: add w\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.")
    other_sha = pc("revert: feat: add x\n\nThis reverts commit 0123456.")
    r1 = revert_of(FEAT, git_form=True)
    r2 = revert_of(r1, git_form=True)
    return [
        pytest.param([by_sha, FEAT], RT.NONE, [], [by_sha, FEAT], id="same-range-by-sha"),
        # semantic-release cancels on the exact header and full hash only; the revert is a patch
        pytest.param([by_prefix, FEAT], RT.MINOR, [by_prefix, FEAT], [], id="short-hash-cancels-nothing"),
        pytest.param([button, FEAT], RT.MINOR, [button, FEAT], [], id="github-button-pr-suffix"),
        pytest.param([other_header, FEAT], RT.MINOR, [other_header, FEAT], [], id="header-must-match"),
        pytest.param([refs_short, FEAT], RT.MINOR, [refs_short, FEAT], [], id="refs-short-hash"),
        pytest.param([git_form, FEAT], RT.NONE, [], [git_form, FEAT], id="git-form-by-sha"),
        pytest.param([by_header, FEAT], RT.MINOR, [by_header, FEAT], [], id="no-sha-is-no-revert"),
        pytest.param([refs_form, FEAT], RT.NONE, [], [refs_form, FEAT], id="refs-footer-form"),
        pytest.param([by_sha, FEAT, FIX], RT.PATCH, [FIX], [by_sha, FEAT], id="only-its-target"),
        pytest.param([out_of_range, DOCS], RT.PATCH, [out_of_range, DOCS], [], id="older-target-patch"),
        pytest.param([other_sha, FEAT], RT.MINOR, [other_sha, FEAT], [], id="sha-wins-over-header"),
        pytest.param([FEAT, by_sha], RT.MINOR, [FEAT, by_sha], [], id="target-newer-than-revert"),
        pytest.param([r2, r1, FEAT], RT.MINOR, [FEAT], [r2, r1], id="revert-of-revert-restores"),
        pytest.param([r2, r1], RT.NONE, [], [r2, r1], id="revert-of-revert-target-released"),
    ]


@pytest.mark.parametrize(("commits", "bump", "counted", "cancelled"), _cancel_cases())
def test_revert_cancelling(
    commits: list[ParsedCommit], bump: ReleaseType, counted: list[ParsedCommit], cancelled: list[ParsedCommit]
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
    assert analysis.bump is RT.MINOR


# --- analyze ------------------------------------------------------------------------------------


def test_analyze_picks_the_strongest_and_names_the_commit() -> None:
    unparsed = Unparsed("e" * 40, "WIP", "no `type: subject` header")
    commits: list[Commit] = [FIX, unparsed, FEAT, DOCS]
    analysis = analyze(commits)
    assert analysis.bump is RT.MINOR
    assert analysis.rule == "type 'feat' → minor, from aaaaaaa 'feat: add x'"
    assert analysis.counted == (FIX, FEAT, DOCS)
    assert analysis.ignored == (unparsed,)
    assert analysis.cancelled == ()


@pytest.mark.parametrize(
    ("messages", "bump"),
    [
        pytest.param([], RT.NONE, id="empty"),
        pytest.param(["docs: a", "chore: b"], RT.NONE, id="nothing-releasable"),
        pytest.param(["docs: a", "fix: b"], RT.PATCH, id="patch"),
        pytest.param(["fix: a", "feat: b", "perf: c"], RT.MINOR, id="minor"),
        pytest.param(["fix: a", "feat: b", "docs!: c"], RT.MAJOR, id="major"),
        pytest.param(["feat: a [skip release]", "fix: b"], RT.PATCH, id="skipped-feat"),
    ],
)
def test_analyze_max(messages: list[str], bump: ReleaseType) -> None:
    assert analyze([pc(m) for m in messages]).bump is bump


def test_analyze_first_of_equal_strength_is_named() -> None:
    newest, older = pc("fix: newest", "1" * 40), pc("fix: older", "2" * 40)
    assert analyze([newest, older]).rule.endswith("from 1111111 'fix: newest'")


def test_analyze_nothing_rule() -> None:
    assert analyze([DOCS]).rule == "no commit asks for a release"


def test_analyze_with_custom_rules() -> None:
    analysis = analyze([DOCS, FIX], (ReleaseRule(RT.MINOR, type="docs"),))
    assert analysis.bump is RT.MINOR
    assert "ccccccc" in analysis.rule
