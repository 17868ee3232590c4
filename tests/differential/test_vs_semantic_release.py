"""relbot computes the same next version as semantic-release 24 on a few hundred generated histories.

semantic-release runs in one warm Node process (tests/node/sr_driver.mjs, installed by
`npm ci --prefix tests/node`), in dry-run mode, with the conventionalcommits preset for both
commit-analyzer and release-notes-generator. Every history is a real repository in a temp dir.

Where semantic-release departs from the Conventional Commits 1.0 spec, relbot follows the spec. Each
such departure is listed once, in DIFFERENCES, and `expected_difference()` names the ones a history
exercises. Such a history is not let off: relbot on it must equal semantic-release on its canonical
twin (the same history with each misread message rewritten into one semantic-release reads as the
spec reads the original). Everything else must be equal as it is.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from relbot.api import plan_version
from relbot.errors import VersionRuleError
from relbot.model import ReleaseType

from .gitrun import GitRunner, clean_env
from .histories import (
    SEED,
    Commit,
    HistorySpec,
    Merge,
    Switch,
    Tag,
    build,
    generate_specs,
    make_options,
)
from .messages import AGREED, DEVIATIONS
from .samples import GOLDEN_DIR, NOW, SAMPLES
from .sr_client import SemanticRelease, SrResult, missing_install

pytestmark = pytest.mark.node

COUNT = 300
HISTORIES = generate_specs(SEED, COUNT)
UPDATE_GOLDEN = os.environ.get("RELBOT_UPDATE_GOLDEN") == "1"

# The one place where relbot is allowed to differ from semantic-release, and why.
DIFFERENCES: dict[str, str] = {
    "type-case": (
        "types are case-insensitive (spec item 15), so `Feat:` and `Fix(api):` bump like `feat:` "
        "and `fix(api):`; commit-analyzer's release rules match `feat`, `fix`, `perf` (and the "
        "JSHint `FEAT`, `FIX`) exactly, so `Feat:`, `Fix:`, `Perf:`, `PERF:` release nothing"
    ),
    "breaking-in-body": (
        "a breaking change is the `!` or a BREAKING CHANGE footer (items 11-13); "
        "conventional-commits-parser takes any body line matching /^[\\s|*]*BREAKING[ -]CHANGE[:\\s]/i, "
        "so an indented, `*`-bulleted, `|`-prefixed or tab-indented line inside the body counts"
    ),
    "breaking-token-case": (
        "BREAKING CHANGE must be upper-case (item 16) and `breaking change`, `Breaking Change`, "
        "`Breaking-Change` are other tokens; the parser's note pattern is case-insensitive"
    ),
    "breaking-without-colon": (
        "a footer is a token, then `: ` or ` #` (item 9); the parser accepts `BREAKING CHANGE "
        "<text>` with only a space"
    ),
    "dash-line-hides-footer": (
        "a body line such as `---` matches the parser's field pattern /^-(.*?)-$/, after which "
        "every later line, footers included, goes into that field: semantic-release misses a "
        "BREAKING CHANGE footer that the spec reads"
    ),
    "revert-refs-footer": (
        "the spec's FAQ recommends reverting with the `revert` type and a `Refs: <sha>` footer; "
        "relbot reads that as a revert (a patch, or cancelling its target in the same range), "
        "while commit-analyzer only knows git's `This reverts commit <sha>.` sentence and releases "
        "nothing for it"
    ),
}


def expected_difference(history: HistorySpec) -> str | None:
    """Why relbot may answer differently from semantic-release on `history`, or None."""
    reasons = [f"{key}: {DIFFERENCES[key]}" for key in sorted(history.deviations)]
    return "\n".join(reasons) or None


@pytest.fixture(scope="session")
def semantic_release() -> Iterator[SemanticRelease]:
    problem = missing_install()
    if problem is not None:
        pytest.fail(problem, pytrace=False)
    with SemanticRelease() as driver:
        yield driver


@pytest.fixture(autouse=True)
def _no_ci_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep the caller's CI variables and git config away from relbot (GitPython uses os.environ)."""
    for name in list(os.environ):
        if name == "CI" or name.startswith(("GITHUB_", "GIT_", "RUNNER_", "GH_")):
            monkeypatch.delenv(name)
    for name, value in clean_env(tmp_path / "home").items():
        if name != "PATH":
            monkeypatch.setenv(name, value)


def _relbot(repo: Path, history: HistorySpec, home: Path) -> tuple[str | None, str | None]:
    plan = plan_version(repo, config=history.options, branch=history.branch, env=clean_env(home))
    # `relbot version` and `version --json` read the raw log stream instead (release.tally): the
    # same answer, rule and counts on every real history as the full parse that the notes need
    for detail in ("counts", "version"):
        fast = plan_version(repo, config=history.options, branch=history.branch, env=clean_env(home),
                            detail=detail)
        assert (fast.version, fast.rule, fast.reason, fast.previous_tag) == \
            (plan.version, plan.rule, plan.reason, plan.previous_tag), detail
        if detail == "counts" or fast.bump is not ReleaseType.MAJOR:
            assert (fast.commit_count, fast.counted_count) == (plan.commit_count, plan.counted_count)
    return plan.version, plan.tag


def _explain(history: HistorySpec, repo: Path, sr: SrResult, reason: str | None) -> str:
    log = GitRunner(repo, repo.parent / "home").log(graph=True)
    return (
        f"history {history.name} on {history.branch} with {history.options_json}\n"
        f"semantic-release: {sr.type} release {sr.version} after {sr.last_release_tag} "
        f"({sr.commits} commits analysed)\n"
        f"documented difference (semantic-release ran on the canonical twin): {reason}\n{log}"
    )


@pytest.mark.parametrize("history", HISTORIES, ids=[h.name for h in HISTORIES])
def test_next_version_matches_semantic_release(
    history: HistorySpec, semantic_release: SemanticRelease, tmp_path: Path
) -> None:
    reason = expected_difference(history)
    reference = history.canonical() if reason else history
    reference_repo = build(reference, tmp_path)
    sr = semantic_release.run(reference_repo, reference.options)
    assert sr.error is None, f"semantic-release failed on {history.name}: {sr.error}\n{sr.log}"
    repo = build(history, tmp_path) if reason else reference_repo
    relbot = _relbot(repo, history, tmp_path / "home")
    assert relbot == (sr.version, sr.git_tag), _explain(history, repo, sr, reason)


# One small history per documented difference: semantic-release really answers otherwise on it,
# and relbot answers as semantic-release does on the canonical message.
EXAMPLES: dict[str, tuple[str, str]] = {
    "type-case": ("Feat(api): add pagination", "feat(api): add pagination"),
    "breaking-in-body": (
        "feat: add retries\n\nNotes from the upstream changelog:\n  BREAKING CHANGE: drops node 16"
        "\n\nNothing changes for our users.",
        "feat: add retries\n\nNotes from the upstream changelog:\n  Heads-up: drops node 16"
        "\n\nNothing changes for our users.",
    ),
    "breaking-token-case": (
        "fix: stricter parsing\n\nbreaking change: rejects tabs",
        "fix: stricter parsing\n\nHeads-up: rejects tabs",
    ),
    "breaking-without-colon": (
        "fix: stricter parsing\n\nBREAKING CHANGE rejects tabs",
        "fix: stricter parsing\n\nHeads-up: rejects tabs",
    ),
    "dash-line-hides-footer": (
        "feat: new config format\n\nSee below.\n---\nDetails.\n\nBREAKING CHANGE: old files are ignored",
        "feat: new config format\n\nSee below.\n___\nDetails.\n\nBREAKING CHANGE: old files are ignored",
    ),
    "revert-refs-footer": (
        "revert: feat: drop the cache\n\nRefs: 1a2b3c4",
        "revert: feat: drop the cache\n\nThis reverts commit 1a2b3c4.",
    ),
}


def _example(key: str, message: str, canonical: str | None) -> HistorySpec:
    steps = (Commit("feat: first release"), Tag("v1.0.0"), Commit(message, canonical, key))
    return HistorySpec(f"example-{key}", "main", make_options(["main"]), steps)


def test_every_generated_difference_is_documented() -> None:
    assert set(DIFFERENCES) == set(DEVIATIONS) - set(AGREED) == set(EXAMPLES)


@pytest.mark.parametrize("key", sorted(EXAMPLES))
def test_documented_difference_is_real(
    key: str, semantic_release: SemanticRelease, tmp_path: Path
) -> None:
    message, canonical = EXAMPLES[key]
    history = _example(key, message, canonical)
    twin = history.canonical()
    as_is = semantic_release.run(build(history, tmp_path), history.options)
    as_spec = semantic_release.run(build(twin, tmp_path), twin.options)
    assert as_is.error is None
    assert as_spec.error is None
    assert as_is.version != as_spec.version, f"semantic-release no longer differs on {key}"
    relbot = _relbot(tmp_path / history.name, history, tmp_path / "home")
    assert relbot == (as_spec.version, as_spec.git_tag)


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_sample_notes_match_golden_files(
    sample: HistorySpec, semantic_release: SemanticRelease, tmp_path: Path
) -> None:
    """tests/node/sample-notes holds semantic-release's exact notes; RELBOT_UPDATE_GOLDEN=1 rewrites."""
    repo = build(sample, tmp_path)
    sr = semantic_release.run(repo, sample.options, now=NOW)
    assert sr.error is None, sr.error
    assert sr.notes is not None
    log = GitRunner(repo, tmp_path / "home").log()
    notes_path = GOLDEN_DIR / f"{sample.name}.md"
    log_path = GOLDEN_DIR / f"{sample.name}.txt"
    if UPDATE_GOLDEN:
        GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
        notes_path.write_bytes(sr.notes.encode("utf-8"))
        log_path.write_bytes(log.encode("utf-8"))
    assert notes_path.read_bytes() == sr.notes.encode("utf-8")
    assert log_path.read_bytes() == log.encode("utf-8")


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_relbot_notes_equal_semantic_release_notes(sample: HistorySpec, tmp_path: Path) -> None:
    """relbot's release notes are byte for byte what semantic-release wrote for the same history."""
    repo = build(sample, tmp_path)
    plan = plan_version(repo, config=sample.options, branch=sample.branch,
                        env=clean_env(tmp_path / "home"), today=NOW[:10])
    expected = (GOLDEN_DIR / f"{sample.name}.md").read_bytes().decode("utf-8")
    assert plan.notes == expected


# Several release branches: semantic-release derives each one's range from the releases of the
# others (lib/branches/normalize.js); relbot must accept and refuse the same versions.
RELEASE_BRANCHES = make_options(["main", "next", "next-major"])
_NEXT_RELEASED = (Commit("feat: first"), Tag("v1.0.0"), Switch("next", create=True),
                  Commit("feat: on next"), Tag("v1.1.0"))
BRANCH_HISTORIES: tuple[HistorySpec, ...] = (
    HistorySpec("branches-main-fix", "main", RELEASE_BRANCHES,
                (*_NEXT_RELEASED, Switch("main"), Commit("fix: on main"))),
    HistorySpec("branches-main-feat", "main", RELEASE_BRANCHES,
                (*_NEXT_RELEASED, Switch("main"), Commit("feat: on main"))),
    HistorySpec("branches-main-breaking", "main", RELEASE_BRANCHES,
                (*_NEXT_RELEASED, Switch("main"), Commit("fix!: on main"))),
    HistorySpec("branches-next-feat", "next", RELEASE_BRANCHES,
                (*_NEXT_RELEASED, Commit("feat: more on next"))),
    HistorySpec("branches-main-merged-next", "main", RELEASE_BRANCHES,
                (*_NEXT_RELEASED, Switch("main"), Merge("next", "Merge branch 'next'"),
                 Commit("feat: after the merge"))),
    HistorySpec("branches-next-below-next-major", "next", RELEASE_BRANCHES,
                (*_NEXT_RELEASED, Switch("next-major", create=True), Commit("feat!: major"),
                 Tag("v2.0.0"), Switch("next"), Commit("feat!: breaking on next"))),
    HistorySpec("branches-next-minor-below-next-major", "next", RELEASE_BRANCHES,
                (*_NEXT_RELEASED, Switch("next-major", create=True), Commit("feat!: major"),
                 Tag("v2.0.0"), Switch("next"), Commit("feat: minor on next"))),
)


@pytest.mark.parametrize("history", BRANCH_HISTORIES, ids=[h.name for h in BRANCH_HISTORIES])
def test_release_branch_ranges_match_semantic_release(
    history: HistorySpec, semantic_release: SemanticRelease, tmp_path: Path
) -> None:
    repo = build(history, tmp_path)
    sr = semantic_release.run(repo, history.options)
    try:
        relbot: tuple[str | None, str | None] | str = _relbot(repo, history, tmp_path / "home")
    except VersionRuleError as exc:
        relbot = f"refused: {exc.message}"
    if sr.error is not None:
        assert "EINVALIDNEXTVERSION" in sr.error, sr.error
        assert isinstance(relbot, str), f"semantic-release refused ({sr.error}); relbot: {relbot}"
    else:
        assert relbot == (sr.version, sr.git_tag), _explain(history, repo, sr, None)
