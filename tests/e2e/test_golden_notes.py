"""Golden files for every text relbot writes: release notes and CHANGELOG.md, byte for byte.

Each scenario builds a real repository with pinned dates (so hashes are stable) and compares the
CLI's output with `tests/golden/<scenario>/expected.md`. Set RELBOT_UPDATE_GOLDEN=1 to rewrite
the files after a deliberate format change, then review the diff.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from relbot.release.changelog import update_changelog
from tests.gitfixture import Repo

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
ORIGIN = "https://github.com/acme/widget.git"


def check(name: str, actual: str) -> None:
    path = GOLDEN / name / "expected.md"
    if os.environ.get("RELBOT_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))
    expected = path.read_bytes().decode("utf-8")
    assert actual == expected, f"{name}: output differs from {path}"


def first_release(repo: Repo) -> None:
    repo.commit("chore: scaffold")
    repo.commit("feat: parse the config file")
    repo.commit("fix(cli): exit 2 on bad flags")


def minor_with_scopes_and_references(repo: Repo) -> None:
    repo.commit("feat: first")
    repo.tag("v1.4.2", annotated=True)
    repo.commit("feat(api): paginate list endpoints (#41)")
    repo.commit("fix: keep trailing slashes in redirects\n\nThanks to @octo-cat.\n\ncloses #38, fixes #39")
    repo.commit("fix(api): reject empty page sizes, reported by @alice in `@mentions`")
    repo.commit("perf(db): batch inserts")
    repo.commit("docs: explain pagination")
    repo.commit("Feat(Auth): accept upper-case types")
    repo.commit("Fixes acme/other#3 and more\n\nnot a conventional commit")
    repo.commit("feat: link to acme/other#5 in the subject\n\nResolves acme/other#6")


def breaking(repo: Repo) -> None:
    repo.commit("feat: first")
    repo.tag("v2.3.0")
    repo.commit("feat(api)!: drop the v1 endpoints")
    repo.commit("refactor(config): rename keys\n\nBody text.\n\n"
                "BREAKING CHANGE: `image.tag` is now `image.version`.\nMigrate with `relbot migrate`.")
    repo.commit("fix: tolerate empty files\n\nBREAKING-CHANGE: empty files are valid now")
    repo.commit("chore(deps): bump yaml from 1 to 2\n\n> BREAKING CHANGE: quoted upstream notes\n\n"
                "    BREAKING CHANGE: indented upstream notes")


def reverts(repo: Repo) -> None:
    released = repo.commit("feat: risky cache")
    repo.tag("v1.0.0")
    repo.git("revert", "--no-edit", released)
    feature = repo.commit("feat: short-lived idea")
    repo.git("revert", "--no-edit", feature)
    repo.commit("revert: fix: a fix that never shipped")
    real = repo.commit("fix: the real fix")
    repo.commit("fix(*): time out every request after 30 s")
    # GitHub's Revert button, squash-merged: its PR suffix stays in the header, so semantic-release
    # (and relbot) cancel nothing and list it; a short hash cancels nothing either
    repo.commit(f'Revert "fix: the real fix" (#12)\n\nThis reverts commit {real}.')
    repo.commit(f'Revert "fix(*): time out every request after 30 s"\n\nThis reverts commit {real[:7]}.')


def custom_types(repo: Repo) -> None:
    (repo.path / ".releaserc.json").write_text(json.dumps({"plugins": [
        "@semantic-release/commit-analyzer",
        ["@semantic-release/release-notes-generator", {"preset": "conventionalcommits",
                                                       "presetConfig": {"types": [
            {"type": "feat", "section": "New"},
            {"type": "docs", "section": "Docs"},
            {"type": "fix", "hidden": True},
        ]}}],
    ]}), encoding="utf-8")
    repo.commit("feat: one")
    repo.tag("v0.9.0")
    repo.commit("docs: how to")
    repo.commit("fix: hidden fix")
    repo.commit("feat(ui): zebra\n\nRefs: #4")
    repo.commit("feat(ui): apple")
    repo.commit("feat: Banana")


SCENARIOS: dict[str, Callable[[Repo], None]] = {
    "first-release": first_release,
    "minor-scopes-references": minor_with_scopes_and_references,
    "breaking": breaking,
    "reverts": reverts,
    "custom-types": custom_types,
}


CONVENTIONALCOMMITS = {"preset": "conventionalcommits"}


def _changelog(repo: Repo, tmp_path: Path, preset: str) -> str:
    """`relbot changelog`; for the conventionalcommits preset through `--config`, so the history
    (and its hashes) stays the same; with no configuration at all the preset is angular, as in
    semantic-release."""
    args = ["changelog"]
    if preset == "conventionalcommits" and not (repo.path / ".releaserc.json").exists():
        config = tmp_path / "conventionalcommits.json"
        config.write_text(json.dumps(CONVENTIONALCOMMITS), encoding="utf-8")
        args = ["--config", str(config), *args]
    done = repo.relbot(*args)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize(("name", "preset"), [
    *((name, "conventionalcommits") for name in sorted(SCENARIOS)),
    *((name, "angular") for name in sorted(SCENARIOS) if name != "custom-types"),  # types: CC only
])
def test_release_notes(repo: Repo, tmp_path: Path, name: str, preset: str) -> None:
    repo.git("remote", "add", "origin", ORIGIN)
    SCENARIOS[name](repo)
    notes = _changelog(repo, tmp_path, preset)
    check(f"notes-{name}" if preset == "conventionalcommits" else f"notes-angular-{name}", notes)


@pytest.mark.parametrize("preset", ["conventionalcommits", "angular"])
def test_notes_without_a_repository_url_have_no_links(repo: Repo, tmp_path: Path, preset: str) -> None:
    minor_with_scopes_and_references(repo)
    notes = _changelog(repo, tmp_path, preset)
    assert "](" not in notes
    check("notes-no-remote" if preset == "conventionalcommits" else "notes-angular-no-remote", notes)


def test_full_changelog(repo: Repo) -> None:
    repo.git("remote", "add", "origin", "git@github.com:acme/widget.git")
    (repo.path / ".releaserc.json").write_text(json.dumps({"preset": "conventionalcommits", "plugins": [
        "@semantic-release/commit-analyzer", "@semantic-release/release-notes-generator",
        ["@semantic-release/changelog", {"changelogTitle": "# Changelog"}]]}), encoding="utf-8")
    repo.commit("feat: one")
    repo.tag("v1.0.0", annotated=True)
    repo.commit("fix: two")
    repo.tag("v1.0.1", annotated=True)
    repo.commit("feat(api): three")
    repo.commit("feat!: four")
    repo.tag("v2.0.0", annotated=True)
    repo.commit("fix: unreleased")
    done = repo.relbot("changelog", "--full")
    assert done.returncode == 0, done.stderr
    check("changelog-full", done.stdout)


def test_changelog_update_is_prepended_and_idempotent(repo: Repo, tmp_path: Path) -> None:
    repo.git("remote", "add", "origin", ORIGIN)
    minor_with_scopes_and_references(repo)
    notes = _changelog(repo, tmp_path, "conventionalcommits")
    existing = (GOLDEN / "changelog-update" / "before.md").read_bytes().decode("utf-8")
    once = update_changelog(existing, notes, "1.5.0", "# Changelog")
    start = once.index(notes)
    assert once[:start] + once[start + len(notes) + 1:] == existing  # every old byte kept
    check("changelog-update", once)
    assert update_changelog(once, notes, "1.5.0", "# Changelog") == once
