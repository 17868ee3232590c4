"""Thousands of release tags, most of them unreachable from HEAD: the number of git processes
relbot starts must not grow with the number of tags (one history walk decides reachability)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.gitfixture import BASE_EPOCH, Repo, make_bare, make_repo

CONFIG = {"branches": ["release"], "plugins": [
    "@semantic-release/commit-analyzer", "@semantic-release/release-notes-generator"]}


def _fast_import(repo: Repo, unreachable: int) -> None:
    """`main` released v1.0.0 … v1.0.5 and then `unreachable` more (v2.x) that the `release`
    branch, cut at v1.0.5, never merged."""
    records: list[str] = []
    marks = [0]

    def commit(branch: str, message: str, parent: int | None) -> int:
        marks[0] += 1
        mark = marks[0]
        records.append(f"commit refs/heads/{branch}\nmark :{mark}\n"
                       f"committer T <t@example.com> {BASE_EPOCH + mark * 60} +0000\n"
                       f"data {len(message)}\n{message}\n"
                       + (f"from :{parent}\n" if parent else "")
                       + f"M 644 inline f.txt\ndata {len(str(mark)) + 1}\n{mark}\n\n")
        return mark

    def tag(name: str, mark: int) -> None:
        records.append(f"reset refs/tags/{name}\nfrom :{mark}\n\n")

    head = commit("main", "feat: first", None)
    tag("v1.0.0", head)
    for patch in range(1, 6):
        head = commit("main", f"fix: patch {patch}", head)
        tag(f"v1.0.{patch}", head)
    records.append(f"reset refs/heads/release\nfrom :{head}\n\n")
    head = commit("main", "feat!: the next major", head)
    tag("v2.0.0", head)
    for number in range(1, unreachable):
        head = commit("main", f"fix: m{number}", head)
        tag(f"v2.{number // 100}.{number % 100}", head)
    subprocess.run(["git", "-C", str(repo.path), "fast-import", "--quiet"],
                   input="".join(records).encode(), env=repo.env, check=True)
    repo.git("checkout", "-q", "release")


@pytest.fixture
def counting_git(tmp_path: Path) -> tuple[Path, Path]:
    """A `git` on PATH that appends its arguments to a log, then runs the real git."""
    real = shutil.which("git")
    assert real is not None
    bindir, log = tmp_path / "bin", tmp_path / "git-calls.log"
    bindir.mkdir()
    wrapper = bindir / "git"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{real}" "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    return bindir, log


def _project(tmp_path: Path, env: dict[str, str], unreachable: int) -> Repo:
    repo = make_repo(tmp_path / f"p{unreachable}", env)
    _fast_import(repo, unreachable)
    bare = make_bare(tmp_path / f"p{unreachable}", env)
    repo.git("remote", "add", "origin", str(bare))
    repo.commit("feat: on the release branch", {".releaserc.json": json.dumps(CONFIG)})
    repo.git("push", "-q", "origin", "--all")
    repo.git("push", "-q", "origin", "--tags")
    return repo


def _calls(repo: Repo, counting: tuple[Path, Path], *args: str) -> tuple[str, list[str]]:
    bindir, log = counting
    log.unlink(missing_ok=True)
    done = repo.relbot(*args, env={"PATH": f"{bindir}:{repo.env['PATH']}"})
    assert done.returncode == 0, done.stderr
    return done.stdout, log.read_text(encoding="utf-8").splitlines()


def test_git_processes_do_not_grow_with_the_number_of_tags(
        tmp_path: Path, env: dict[str, str], counting_git: tuple[Path, Path]) -> None:
    few, many = _project(tmp_path, env, 20), _project(tmp_path, env, 1500)
    assert len(many.git("tag").split()) == 1506

    counts: dict[str, list[int]] = {}
    for repo in (few, many):
        out, calls = _calls(repo, counting_git, "version")
        assert out.strip() == "1.1.0"  # minor on v1.0.5, not on the unreachable v2.x
        assert len([c for c in calls if c.startswith("merge-base")]) <= 1  # the highest tag only
        counts.setdefault("version", []).append(len(calls))

        repo.git("tag", "v1.1.0")
        out, calls = _calls(repo, counting_git, "release", "--dry-run")
        assert "1.1.0" in out
        counts.setdefault("release --dry-run", []).append(len(calls))

        out, calls = _calls(repo, counting_git, "changelog", "--full")
        assert out.startswith("# 1.1.0")  # the angular preset's heading: `#`, `##` for a patch
        assert "## 1.0.5" in out
        assert "2.0.0" not in out
        counts.setdefault("changelog --full", []).append(len(calls))

    for command, (small, large) in counts.items():
        assert large == small, f"{command}: {small} git processes with 26 tags, {large} with 1,506"
