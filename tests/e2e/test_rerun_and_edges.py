"""`relbot release` and `relbot bump-values` at the edges: an unreachable GitHub API, a changelog in
a directory that does not exist yet, values steps that do not push, reruns of a finished or
half-finished release (also on a later day), a leftover local tag, `--json` purity in GitHub
Actions, refused or missing tokens in a dry run, a push refused by a hook, a missing version file.

Every test drives the real CLI in a subprocess (or `relbot.api.release` in-process, only to crash a
run at a chosen step) against real repositories with bare remotes and, where the GitHub API is
involved, the fake GitHub on 127.0.0.1.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from relbot.api import release
from relbot.errors import VersionRuleError
from relbot.gitrepo import GitRepo
from relbot.release.steps import Push
from relbot.steps import Session
from relbot.tags import TagFormat
from tests.gitfixture import Remote, Repo, released_project, snapshot
from tests.github_api.fixtures import REPO, TOKEN
from tests.github_api.server import FakeGitHub

ANALYZER = ["@semantic-release/commit-analyzer", {"preset": "conventionalcommits"}]
NOTES = ["@semantic-release/release-notes-generator", {"preset": "conventionalcommits"}]
CHANGELOG = ["@semantic-release/changelog", {"changelogTitle": "# Changelog"}]
GIT = ["@semantic-release/git", {"assets": ["CHANGELOG.md"],
                                 "message": "chore(release): ${nextRelease.version}"}]
GIT_PLUGINS: list[Any] = [ANALYZER, NOTES, CHANGELOG, GIT]
VALUES_PATH = "k8s/v.yaml"
VALUES = 'app:\n  image:\n    tag: "1.0.0"\n'
REASON = "policy: release pushes need a change ticket"
LATER_EPOCH = "1717459200"  # 2024-06-04, three days after the pinned 2024-06-01


# -- helpers ---------------------------------------------------------------------------------------


def relbot(repo: Repo, *args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "relbot", *args], cwd=repo.path,
                          env={**repo.env, **(env or {})}, capture_output=True, text=True, check=False)


def project(tmp_path: Path, env: dict[str, str], config: Mapping[str, Any],
            files: Mapping[str, str] | None = None) -> tuple[Repo, Remote]:
    """Released as v1.0.0, then a feature and a fix, all pushed to a bare origin: v1.1.0 is due."""
    return released_project(tmp_path, env, config, files,
                            since=("feat(api): paginate (#12)", "fix: trailing slash"))


def github_env(server: FakeGitHub, token: str | None = TOKEN) -> dict[str, str]:
    api = {"GITHUB_API_URL": server.url, "GITHUB_REPOSITORY": REPO}
    return {**api, "GITHUB_TOKEN": token} if token is not None else api


def free_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound by the OS, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def plan_steps(done: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(done.stdout)
    steps: list[dict[str, Any]] = data["plan"]["steps"]
    return steps


# -- 1. an unreachable GitHub API -------------------------------------------------------------------


def test_unreachable_github_api_is_exit_8_and_a_message_not_a_traceback(
    tmp_path: Path, env: dict[str, str]
) -> None:
    config = {"branches": ["main"], "plugins": [ANALYZER, NOTES, "@semantic-release/github"],
              "repositoryUrl": "https://github.com/acme/widget.git"}
    repo, remote = project(tmp_path, env, config)
    before = snapshot(remote.bare)
    api = {"GITHUB_TOKEN": TOKEN, "GITHUB_API_URL": f"http://127.0.0.1:{free_port()}"}
    done = relbot(repo, "release", "--dry-run", "--strict", env=api)
    assert done.returncode == 8, done.stdout + done.stderr
    assert "cannot be reached" in done.stderr
    assert "Traceback" not in done.stderr
    assert TOKEN not in done.stdout + done.stderr
    assert snapshot(remote.bare) == before


# -- 2. a changelog in a directory that does not exist yet ------------------------------------------


def test_changelog_file_in_a_missing_directory_is_created_committed_and_pushed(
    tmp_path: Path, env: dict[str, str]
) -> None:
    config = {"branches": ["main"], "plugins": [
        ANALYZER, NOTES, ["@semantic-release/changelog", {"changelogFile": "docs/CHANGELOG.md",
                                                          "changelogTitle": "# Changelog"}],
        ["@semantic-release/git", {"assets": ["docs/CHANGELOG.md"],
                                   "message": "chore(release): ${nextRelease.version}"}]]}
    repo, remote = project(tmp_path, env, config)
    assert not (repo.path / "docs").exists()
    done = relbot(repo, "release")
    assert done.returncode == 0, done.stdout + done.stderr
    changelog = remote.git("show", "main:docs/CHANGELOG.md")
    assert changelog.startswith("# Changelog\n\n## 1.1.0 (2024-06-01)\n")
    assert "paginate" in changelog
    assert remote.git("log", "-1", "--format=%s", "main") == "chore(release): 1.1.0"
    assert remote.git("rev-parse", "v1.1.0^{commit}") == remote.git("rev-parse", "main")
    assert repo.git("status", "--porcelain") == ""


# -- 3. values.onRelease steps that do not push to the branch ---------------------------------------


@pytest.mark.parametrize("mode", ["createPr", "write-only"])
def test_values_step_describes_what_it_will_really_do(
    tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub, mode: str
) -> None:
    values: dict[str, Any] = {"onRelease": True, "files": [
        {"path": VALUES_PATH, "set": {"app.image.tag": "${version}"}}]}
    if mode == "createPr":
        values["createPr"] = True
    config = {"branches": ["main"], "plugins": [ANALYZER, NOTES, "@semantic-release/github"],
              "values": values}
    repo, remote = project(tmp_path, env, config, {VALUES_PATH: VALUES})
    before, remote_before = snapshot(repo.path), snapshot(remote.bare)
    steps = plan_steps(relbot(repo, "release", "--dry-run", "--json", env=github_env(fake_github)))
    [bump] = [step for step in steps if step["kind"] == "bump-values"]
    description = bump["step"]
    assert bump["done"] is False
    assert f"{VALUES_PATH}: app.image.tag 1.0.0 → 1.1.0" in description
    if mode == "createPr":
        assert "pull request" in description
        assert "push to main" not in description
    else:
        assert "push" not in description
        assert "commit" not in description
        assert "pull request" not in description
    assert snapshot(repo.path) == before
    assert snapshot(remote.bare) == remote_before


# -- 4. a rerun of the release job at the tagged commit, after the values push moved main -----------


def test_rerun_at_the_tagged_commit_after_the_values_push_is_nothing_to_do(
    tmp_path: Path, env: dict[str, str]
) -> None:
    config = {"branches": ["main"], "plugins": GIT_PLUGINS, "values": {
        "onRelease": True, "push": True,
        "files": [{"path": VALUES_PATH, "set": {"app.image.tag": "${version}"}}]}}
    repo, remote = project(tmp_path, env, config, {VALUES_PATH: VALUES})
    first = relbot(repo, "release")
    assert first.returncode == 0, first.stdout + first.stderr
    tagged = remote.git("rev-parse", "v1.1.0^{commit}")
    assert remote.git("rev-parse", "main~1") == tagged  # the values commit moved main on
    assert 'tag: "1.1.0"' in remote.git("show", f"main:{VALUES_PATH}")
    repo.git("checkout", "-q", tagged)  # the job's checkout: the commit that triggered it
    remote_before = snapshot(remote.bare)

    real = relbot(repo, "release", "--branch", "main")
    assert real.returncode == 0, real.stdout + real.stderr
    assert "already released; nothing to do" in real.stderr
    assert "relbot: error" not in real.stderr

    dry = relbot(repo, "release", "--dry-run", "--branch", "main")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "nothing to do" in dry.stdout
    assert "already released" in dry.stdout
    assert "relbot: error" not in dry.stderr

    assert snapshot(remote.bare) == remote_before
    assert remote.git("tag", "-l") == "v1.0.0\nv1.1.0"


# -- 5. a tag left in this checkout only ------------------------------------------------------------


def test_next_tag_only_in_this_checkout_off_main_says_to_delete_it(
    tmp_path: Path, env: dict[str, str]
) -> None:
    repo, remote = project(tmp_path, env, {"branches": ["main"], "plugins": GIT_PLUGINS})
    repo.git("switch", "-q", "-c", "side", "v1.0.0")
    repo.commit("chore: an abandoned attempt")
    repo.tag("v1.1.0", annotated=True)
    repo.git("switch", "-q", "main")
    repo.git("branch", "-q", "-D", "side")
    assert repo.git("branch", "--contains", "v1.1.0") == ""  # on no branch, main included
    assert remote.git("tag", "-l", "v1.1.0") == ""
    head, remote_before = repo.git("rev-parse", "HEAD"), snapshot(remote.bare)

    done = relbot(repo, "release")
    assert done.returncode == 6, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("relbot: error:")]
    assert len(errors) == 1, done.stderr
    assert "v1.1.0" in errors[0]
    assert "only in this checkout" in errors[0]
    hints = [line for line in done.stderr.splitlines() if line.startswith("hint:")]
    assert hints, done.stderr
    assert "git tag -d v1.1.0" in hints[0]
    assert repo.git("rev-parse", "HEAD") == head
    assert snapshot(remote.bare) == remote_before


# -- 6. --json stays pure JSON in GitHub Actions -----------------------------------------------------


def test_json_output_is_pure_in_github_actions(tmp_path: Path, env: dict[str, str]) -> None:
    repo, _ = project(tmp_path, env, {"branches": ["main"], "plugins": ["@semantic-release/commit-analyzer"]})
    (repo.path / "f.yaml").write_text("a:\n  b: 1\n", encoding="utf-8")
    token = "ghs_actions_token_0123456789abcdef"
    actions = {"GITHUB_ACTIONS": "true", "GITHUB_TOKEN": token,
               "GITHUB_OUTPUT": str(tmp_path / "output"), "GITHUB_STEP_SUMMARY": str(tmp_path / "summary")}

    dry = relbot(repo, "release", "--dry-run", "--json", env=actions)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    data = json.loads(dry.stdout)
    assert data["version"] == "1.1.0"
    assert "::" not in dry.stdout
    assert f"::add-mask::{token}" in dry.stderr.splitlines()

    bump = relbot(repo, "bump-values", "f.yaml", "--set", "a.b=2", "--dry-run", "--json", env=actions)
    assert bump.returncode == 0, bump.stdout + bump.stderr
    changes = json.loads(bump.stdout)["changes"]
    assert [(c["path"], c["old"], c["new"]) for c in changes] == [("a.b", "1", "2")]
    assert "::" not in bump.stdout
    assert f"::add-mask::{token}" in bump.stderr.splitlines()

    failed = relbot(repo, "bump-values", "f.yaml", "--set", "a.c.d=2", "--dry-run", "--json", env=actions)
    assert failed.returncode == 7, failed.stdout + failed.stderr
    error = json.loads(failed.stdout)
    assert error["exit_code"] == 7
    assert error["error"]
    assert "::" not in failed.stdout
    assert any(line.startswith("::error") for line in failed.stderr.splitlines()), failed.stderr
    assert (repo.path / "f.yaml").read_text(encoding="utf-8") == "a:\n  b: 1\n"


# -- 7. a refused token, and no token, in a dry run outside CI --------------------------------------


def test_dry_run_outside_ci_fails_on_a_refused_token_but_not_on_a_missing_one(
    tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub
) -> None:
    config = {"branches": ["main"], "plugins": [ANALYZER, NOTES, "@semantic-release/github"]}
    repo, _ = project(tmp_path, env, config)
    assert "CI" not in env

    wrong = "ghs_wrong_token_abcdef0123456789"
    refused = relbot(repo, "release", "--dry-run", env=github_env(fake_github, wrong))
    assert refused.returncode == 8, refused.stdout + refused.stderr
    assert "token was refused" in refused.stderr
    assert wrong not in refused.stdout + refused.stderr

    missing = relbot(repo, "release", "--dry-run", env=github_env(fake_github, None))
    assert missing.returncode == 0, missing.stdout + missing.stderr
    assert "the real run needs a token" in missing.stderr
    assert "contents: write" in missing.stderr
    assert "relbot: error" not in missing.stderr
    assert fake_github.repo(REPO).releases == {}


# -- 8. a push refused by a hook, reported as JSON ---------------------------------------------------


def test_push_refused_by_a_hook_reports_the_reason_and_the_steps_done_as_json(
    tmp_path: Path, env: dict[str, str]
) -> None:
    repo, remote = project(tmp_path, env, {"branches": ["main"], "plugins": GIT_PLUGINS})
    listed = plan_steps(relbot(repo, "release", "--dry-run", "--json"))
    before_push = [step["step"] for step in listed if step["kind"] in ("write", "commit", "tag")]
    assert [step["kind"] for step in listed] == ["write", "commit", "tag", "push"]
    hook = remote.bare / "hooks" / "pre-receive"
    hook.write_text(f'#!/bin/sh\necho "{REASON}" >&2\nexit 1\n', encoding="utf-8")
    hook.chmod(0o755)
    head = repo.git("rev-parse", "HEAD")

    done = relbot(repo, "release", "--json")
    assert done.returncode == 4, done.stdout + done.stderr
    data = json.loads(done.stdout)
    assert REASON in data["error"]
    assert data["exit_code"] == 4
    assert data["steps_done"] == before_push
    assert data["steps_done"][0] == "write CHANGELOG.md"
    assert data["steps_done"][1].startswith("commit CHANGELOG.md: chore(release): 1.1.0")
    assert data["steps_done"][2] == "tag v1.1.0 (annotated)"
    assert remote.git("tag", "-l", "v1.1.0") == ""
    assert remote.git("rev-parse", "main") == head


# -- 9. a version file that does not exist -----------------------------------------------------------


def test_missing_version_file_is_exit_7_naming_it(tmp_path: Path, env: dict[str, str]) -> None:
    config = {"branches": ["main"], "plugins": GIT_PLUGINS, "versionFiles": ["package.json"]}
    repo, remote = project(tmp_path, env, config)
    before, remote_before = snapshot(repo.path), snapshot(remote.bare)
    done = relbot(repo, "release", "--dry-run")
    assert done.returncode == 7, done.stdout + done.stderr
    assert "package.json: no such file" in done.stderr
    assert "Traceback" not in done.stderr
    assert snapshot(repo.path) == before
    assert snapshot(remote.bare) == remote_before


# -- 10. a release tagged and pushed whose GitHub Release is missing --------------------------------


@pytest.mark.parametrize("finish_epoch", [None, LATER_EPOCH], ids=["same-day", "next-days"])
def test_rerun_after_the_push_only_creates_the_github_release_and_never_commits_again(
    tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub, finish_epoch: str | None
) -> None:
    config = {"branches": ["main"], "plugins": [*GIT_PLUGINS, "@semantic-release/github"]}
    repo, remote = project(tmp_path, env, config)
    api = github_env(fake_github)

    def crash(step: str) -> None:
        if step == "push":
            raise RuntimeError("the runner died after the push")

    with pytest.raises(RuntimeError, match="died after the push"):
        release(repo.path, env={**env, **api}, on_step=crash, today="2024-06-01")
    released_main = remote.git("rev-parse", "main")
    assert remote.git("rev-parse", "v1.1.0^{commit}") == released_main
    assert fake_github.repo(REPO).releases == {}

    finish = {**api, **({"SOURCE_DATE_EPOCH": finish_epoch} if finish_epoch else {})}
    dry = relbot(repo, "release", "--dry-run", env=finish)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    lines = [line.strip() for line in dry.stdout.splitlines()]
    assert "1. write CHANGELOG.md (already done)" in lines
    assert any(line.startswith("2. commit CHANGELOG.md: chore(release): 1.1.0")
               and line.endswith("(already done)") for line in lines), dry.stdout
    [github_line] = [line for line in lines if "GitHub release v1.1.0 on acme/widget" in line]
    assert not github_line.endswith("(already done)")
    assert remote.git("rev-parse", "main") == released_main

    steps = plan_steps(relbot(repo, "release", "--dry-run", "--json", env=finish))
    remaining = [step["step"] for step in steps if step["kind"] in ("github-release", "github-success")]
    assert [step["step"] for step in steps if not step["done"]] == remaining
    real = relbot(repo, "release", "--json", env=finish)
    assert real.returncode == 0, real.stdout + real.stderr
    assert json.loads(real.stdout)["steps_done"] == remaining
    assert remote.git("rev-parse", "main") == released_main
    assert [r.tag_name for r in fake_github.repo(REPO).releases.values()] == ["v1.1.0"]

    later = relbot(repo, "release", env={**api, "SOURCE_DATE_EPOCH": str(int(LATER_EPOCH) + 86_400)})
    assert later.returncode == 0, later.stdout + later.stderr
    assert remote.git("rev-parse", "main") == released_main
    assert remote.git("log", "--format=%s", "v1.0.0..main").count("chore(release)") == 1
    assert remote.git("show", "main:CHANGELOG.md").count("## 1.1.0") == 1
    assert len(fake_github.repo(REPO).releases) == 1


def test_push_refuses_a_version_below_a_release_tag_origin_has_on_heads_history(
        tmp_path: Path, env: dict[str, str]) -> None:
    """The push's own check, on a checkout whose tags could not be fetched: origin has v1.1.0 on a
    commit HEAD contains, so releasing 1.0.1 would go backwards; a higher tag elsewhere is fine."""
    repo, remote = released_project(tmp_path, env, {"branches": ["main"]})
    released = repo.git("rev-parse", "HEAD")
    repo.commit("fix: third")
    repo.git("push", "-q", "origin", "main")
    session = Session(repo.path, GitRepo(repo.path, repo.env), repo.env)
    push = Push("main", "v1.0.1", "origin", "1.0.1", TagFormat("v${version}"))

    repo.git("checkout", "-q", "-b", "next")
    elsewhere = repo.commit("feat!: elsewhere")
    repo.git("push", "-q", "origin", "next")
    repo.git("checkout", "-q", "main")
    remote.git("tag", "v2.0.0", elsewhere)  # another branch's release, not on HEAD's history …
    push.check(session)  # … is no reason to refuse

    remote.git("tag", "v1.1.0", released)
    with pytest.raises(VersionRuleError, match=r"release tag v1\.1\.0 on this branch's history"):
        push.check(session)


def test_rerun_in_a_shallow_checkout_of_a_tagged_head_plans_the_full_notes(
        tmp_path: Path, env: dict[str, str]) -> None:
    """A CI rerun (actions/checkout depth 1) at the release's own tag: the notes, the GitHub
    Release body a rerun would write, start at the release before, so the shallow fetch reaches it."""
    config = {"branches": ["main"], "repositoryUrl": "https://github.com/acme/widget",
              "preset": "conventionalcommits"}
    repo, remote = released_project(tmp_path, env, config, since=("feat: second", "fix: third"))
    repo.tag("v1.1.0", annotated=True)
    repo.git("push", "-q", "origin", "v1.1.0")
    clone = tmp_path / "ci"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--no-tags", remote.bare.resolve().as_uri(),
                    str(clone)], env=env, check=True)

    result = release(clone, dry_run=True, env=env)

    assert result.previous_version == "1.0.0"
    assert result.notes.startswith("## [1.1.0](https://github.com/acme/widget/compare/v1.0.0...v1.1.0)")
    assert "* second (" in result.notes
    assert "* third (" in result.notes
