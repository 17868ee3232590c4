"""Several release branches (`main`, `next`, `next-major`) with the ranges and channels
semantic-release derives for them, on real repositories with a bare origin."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.gitfixture import Remote, Repo, make_bare

CONFIG = {
    "branches": ["main", "next", "next-major", {"name": "beta", "prerelease": True}],
    "plugins": [
        "@semantic-release/commit-analyzer", "@semantic-release/release-notes-generator",
        "@semantic-release/changelog",
        ["@semantic-release/git", {
            "assets": ["CHANGELOG.md"],
            "message": "chore(release): ${nextRelease.version} on ${nextRelease.channel} [${branch.name}]"}],
    ],
}


@pytest.fixture
def branches(repo: Repo, tmp_path: Path, env: dict[str, str]) -> tuple[Repo, Remote]:
    """main released v1.0.0; next branched from it and released v1.1.0; both on origin, and this
    checkout knows next only as origin/next (as a CI checkout of main does after a fetch)."""
    remote = Remote(make_bare(tmp_path, env), env)
    repo.git("remote", "add", "origin", str(remote.bare))
    repo.commit("feat: first", {".releaserc.json": json.dumps(CONFIG)})
    repo.tag("v1.0.0")
    repo.git("switch", "-q", "-c", "next")
    repo.commit("feat: a feature for the next minor")
    repo.tag("v1.1.0")
    repo.git("push", "-q", "origin", "main", "next", "v1.0.0", "v1.1.0")
    repo.git("switch", "-q", "main")
    repo.git("branch", "-q", "-D", "next")
    repo.git("fetch", "-q", "origin")
    return repo, remote


def test_main_takes_fixes_below_what_next_released(branches: tuple[Repo, Remote]) -> None:
    repo, _ = branches
    repo.commit("fix: a bug on main")

    done = repo.relbot("version")

    assert done.returncode == 0, done.stderr
    assert done.stdout == "1.0.1\n"


def test_a_feature_on_main_that_next_already_released_says_the_range(branches: tuple[Repo, Remote]) -> None:
    repo, _ = branches
    repo.commit("feat: a feature straight on main")

    done = repo.relbot("version")

    assert done.returncode == 6
    assert ("the next version 1.1.0 is out of range for release branch 'main': based on the "
            "releases on the other release branches, it can only release versions >=1.0.0 <1.1.0"
            ) in done.stderr
    assert "'next' already released 1.1.0" in done.stderr
    dry = repo.relbot("release", "--dry-run")
    assert dry.returncode == 6  # the dry run refuses what the real run would


def test_once_next_is_merged_main_releases_past_it(branches: tuple[Repo, Remote]) -> None:
    repo, _ = branches
    repo.git("merge", "-q", "--ff-only", "origin/next")
    repo.commit("feat: after the merge")

    done = repo.relbot("version")

    assert done.returncode == 0, done.stderr
    assert done.stdout == "1.2.0\n"


def test_next_releases_on_its_channel(branches: tuple[Repo, Remote]) -> None:
    repo, remote = branches
    repo.git("switch", "-q", "-c", "next", "origin/next")
    repo.commit("feat: more for next")

    done = repo.relbot("release")

    assert done.returncode == 0, done.stderr
    assert remote.git("log", "-1", "--format=%s", "next") == "chore(release): 1.2.0 on next [next]"
    assert remote.git("rev-parse", "v1.2.0^{commit}") == remote.git("rev-parse", "next")


def test_main_releases_on_the_default_channel(branches: tuple[Repo, Remote]) -> None:
    repo, remote = branches
    repo.commit("fix: a bug on main")

    done = repo.relbot("release")

    assert done.returncode == 0, done.stderr
    assert remote.git("log", "-1", "--format=%s", "main") == "chore(release): 1.0.1 on  [main]"


def test_next_major_caps_next_below_its_major(branches: tuple[Repo, Remote]) -> None:
    repo, remote = branches
    repo.git("switch", "-q", "-c", "next-major", "origin/next")
    repo.commit("feat!: the next major")
    repo.tag("v2.0.0")
    repo.git("push", "-q", "origin", "next-major", "v2.0.0")
    repo.git("switch", "-q", "-c", "next", "origin/next")
    repo.commit("feat!: a breaking change straight on next")

    done = repo.relbot("version")

    assert done.returncode == 6
    assert "it can only release versions >=1.1.0 <2.0.0" in done.stderr
    assert remote.git("tag").split() == ["v1.0.0", "v1.1.0", "v2.0.0"]
