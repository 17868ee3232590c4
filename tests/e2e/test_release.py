"""`relbot release` end to end on real repositories and a real remote."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from relbot.errors import GitError
from relbot.release.run import release
from tests.gitfixture import Remote, Repo, make_bare, make_repo, released_project, snapshot

CONFIG = {
    "branches": ["main", {"name": "beta", "prerelease": True}],
    "plugins": [
        ["@semantic-release/commit-analyzer", {"preset": "conventionalcommits"}],
        ["@semantic-release/release-notes-generator", {"preset": "conventionalcommits"}],
        ["@semantic-release/changelog", {"changelogTitle": "# Changelog"}],
        ["@semantic-release/git", {"assets": ["CHANGELOG.md", "package.json", "pyproject.toml",
                                              "chart/Chart.yaml"],
                                   "message": "chore(release): ${nextRelease.version}\n\n"
                                              "${nextRelease.notes}"}],
    ],
    "versionFiles": ["package.json", "pyproject.toml",
                     {"path": "chart/Chart.yaml", "key": "appVersion"}],
}
PACKAGE = '{\n  "name": "widget",\n  "version": "1.0.0",\n  "private": true\n}\n'
PYPROJECT = '[project]\nname = "widget"  # the package\nversion = "1.0.0"\n\n[tool.x]\nversion = "9"\n'
CHART = 'apiVersion: v2\nname: widget\nversion: 0.3.0\nappVersion: "1.0.0"  # the app\n'


@pytest.fixture
def project(tmp_path: Path, env: dict[str, str]) -> tuple[Repo, Remote]:
    remote = Remote(make_bare(tmp_path, env), env)
    repo = make_repo(tmp_path, env)
    repo.git("remote", "add", "origin", str(remote.bare))
    repo.commit("feat: first", {".releaserc.json": json.dumps(CONFIG, indent=2), "package.json": PACKAGE,
                                "pyproject.toml": PYPROJECT, "chart/Chart.yaml": CHART})
    repo.tag("v1.0.0", annotated=True)
    repo.commit("feat(api): paginate")
    repo.commit("fix: trailing slash\n\ncloses #7")
    repo.git("push", "-q", "origin", "main", "v1.0.0")
    return repo, remote


def relbot(repo: Repo, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "relbot", *args], cwd=repo.path,
                          env={**repo.env, **(env or {})}, capture_output=True, text=True, check=False)


def push_from_another_clone(repo: Repo, remote: Remote, where: Path, message: str) -> None:
    """Another pipeline: clone the remote, commit, push to main."""
    repo.git("clone", "-q", str(remote.bare), str(where))
    other = Repo(where, repo.env)
    other.commit(message)
    other.git("push", "-q", "origin", "main")


def test_dry_run_prints_the_whole_plan_and_changes_nothing(project: tuple[Repo, Remote]) -> None:
    repo, remote = project
    before, remote_before = snapshot(repo.path), snapshot(remote.bare)
    done = relbot(repo, "release", "--dry-run")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("release v1.1.0 (version 1.1.0) from main\nprevious release: v1.0.0\n")
    assert "rule: type 'feat' → minor" in out
    for step in ("write CHANGELOG.md", "write package.json", "write pyproject.toml",
                 "write chart/Chart.yaml", "commit CHANGELOG.md, package.json", "tag v1.1.0 (annotated)",
                 f"push --atomic main and v1.1.0 to {remote.bare}"):
        assert step in out
    assert '-  "version": "1.0.0",\n+  "version": "1.1.0",' in out
    assert '-appVersion: "1.0.0"  # the app\n+appVersion: "1.1.0"  # the app' in out
    assert "--- commit message ---\nchore(release): 1.1.0\n" in out
    assert snapshot(repo.path) == before
    assert snapshot(remote.bare) == remote_before


def test_release_commits_tags_and_pushes_atomically(project: tuple[Repo, Remote]) -> None:
    repo, remote = project
    done = relbot(repo, "release")
    assert done.returncode == 0, done.stderr
    assert "released v1.1.0" in done.stderr
    assert remote.git("rev-parse", "main") == repo.git("rev-parse", "HEAD")
    assert remote.git("cat-file", "-t", "v1.1.0") == "tag"  # annotated
    assert remote.git("rev-parse", "v1.1.0^{commit}") == repo.git("rev-parse", "HEAD")
    assert repo.git("log", "-1", "--format=%s") == "chore(release): 1.1.0"
    assert json.loads(remote.git("show", "main:package.json"))["version"] == "1.1.0"
    assert remote.git("show", "main:pyproject.toml") + "\n" == PYPROJECT.replace(
        'version = "1.0.0"', 'version = "1.1.0"')
    assert remote.git("show", "main:chart/Chart.yaml") + "\n" == CHART.replace(
        'appVersion: "1.0.0"', 'appVersion: "1.1.0"')
    changelog = remote.git("show", "main:CHANGELOG.md")
    assert changelog.startswith("# Changelog\n\n## 1.1.0 (2024-06-01)\n\n### Features\n\n* **api:** paginate")
    again = relbot(repo, "release")
    assert again.returncode == 0
    assert "v1.1.0 is already released; nothing to do" in again.stderr


def test_branch_not_configured_is_a_message_and_exit_0(project: tuple[Repo, Remote]) -> None:
    repo, _ = project
    repo.git("switch", "-q", "-c", "feature/x")
    done = relbot(repo, "release")
    assert done.returncode == 0
    assert "'feature/x' is not configured for releases" in done.stderr


def test_dirty_tree_is_refused_before_any_write(project: tuple[Repo, Remote]) -> None:
    repo, remote = project
    (repo.path / "package.json").write_text(PACKAGE.replace("widget", "gadget"), encoding="utf-8")
    before = snapshot(remote.bare)
    done = relbot(repo, "release")
    assert done.returncode == 4
    assert "uncommitted changes: package.json" in done.stderr
    assert not (repo.path / "CHANGELOG.md").exists()
    assert snapshot(remote.bare) == before


def test_branch_behind_origin_is_an_error_never_a_silent_skip(
    project: tuple[Repo, Remote], tmp_path: Path
) -> None:
    repo, remote = project
    push_from_another_clone(repo, remote, tmp_path / "other", "fix: pushed by someone else")
    done = relbot(repo, "release")
    assert done.returncode == 4
    assert "main moved on origin" in done.stderr
    assert "rerun the release on the new head" in done.stderr
    assert remote.git("tag", "-l", "v1.1.0") == ""


def test_race_where_another_clone_pushes_first_publishes_nothing(
    project: tuple[Repo, Remote], tmp_path: Path, env: dict[str, str]
) -> None:
    repo, remote = project
    def competitor(step: str) -> None:
        if step == "tag":  # between our checks and our push, another pipeline pushes
            push_from_another_clone(repo, remote, tmp_path / "other", "fix: racing commit")

    head = repo.git("rev-parse", "HEAD")
    with pytest.raises(GitError, match="moved on origin while releasing; nothing was published"):
        release(repo.path, env=env, on_step=competitor, today="2024-06-01")
    assert remote.git("tag", "-l", "v1.1.0") == ""
    assert repo.git("tag", "-l", "v1.1.0") == ""  # the checkout is as it was
    assert repo.git("rev-parse", "HEAD") == head
    repo.git("pull", "-q", "--rebase", "origin", "main")
    result = release(repo.path, env=env, today="2024-06-01")
    assert result.released
    assert remote.git("rev-parse", "v1.1.0^{commit}") == remote.git("rev-parse", "main")


class InjectedError(RuntimeError):
    pass


@pytest.mark.parametrize("failing_step", ["write", "commit", "tag", "push"])
def test_a_rerun_after_a_failure_at_any_step_finishes_the_release(
    project: tuple[Repo, Remote], env: dict[str, str], failing_step: str
) -> None:
    repo, remote = project

    def fail(step: str) -> None:
        if step == failing_step:
            raise InjectedError(step)

    with pytest.raises(InjectedError):
        release(repo.path, env=env, on_step=fail, today="2024-06-01")
    result = release(repo.path, env=env, today="2024-06-01")
    assert result.released or "already released" in result.reason
    assert remote.git("tag", "-l", "v1.*") == "v1.0.0\nv1.1.0"
    assert remote.git("rev-parse", "v1.1.0^{commit}") == remote.git("rev-parse", "main")
    assert remote.git("log", "--format=%s", "v1.0.0..main").splitlines()[0] == "chore(release): 1.1.0"
    assert remote.git("log", "--format=%s", "v1.0.0..main").count("chore(release)") == 1
    assert remote.git("show", "main:CHANGELOG.md").count("## 1.1.0") == 1
    final = release(repo.path, env=env, today="2024-06-01")
    assert not final.released
    assert final.reason == "v1.1.0 is already released; nothing to do"


def test_prerelease_branch(project: tuple[Repo, Remote]) -> None:
    repo, remote = project
    repo.git("switch", "-q", "-c", "beta")
    repo.commit("feat!: new engine")
    repo.git("push", "-q", "origin", "beta")
    done = relbot(repo, "release")
    assert done.returncode == 0, done.stderr
    assert remote.git("tag", "-l", "v2*") == "v2.0.0-beta.1"


def test_unknown_placeholder_in_the_message_is_a_config_error(project: tuple[Repo, Remote]) -> None:
    repo, _ = project
    config = json.loads((repo.path / ".releaserc.json").read_text(encoding="utf-8"))
    config["plugins"][3][1]["message"] = "release ${nextRelease.versoin}"
    (repo.path / ".releaserc.json").write_text(json.dumps(config), encoding="utf-8")
    repo.git("commit", "-qam", "chore: typo")
    done = relbot(repo, "release", "--dry-run")
    assert done.returncode == 3
    assert "unknown placeholder ${nextRelease.versoin}" in done.stderr


def test_github_actions_outputs(project: tuple[Repo, Remote], tmp_path: Path) -> None:
    repo, _ = project
    output, summary = tmp_path / "out", tmp_path / "summary"
    done = relbot(repo, "release", env={"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(output),
                                        "GITHUB_STEP_SUMMARY": str(summary)})
    assert done.returncode == 0, done.stderr
    text = output.read_text(encoding="utf-8")
    assert "released=true\nversion=1.1.0\ntag=v1.1.0\nprevious-version=1.0.0\n" in text
    assert "notes<<RELBOT_EOF_" in text
    assert "* **api:** paginate" in text
    assert f"commit-sha={repo.git('rev-parse', 'HEAD')}" in text
    assert summary.read_text(encoding="utf-8").startswith("### Released v1.1.0")
    assert repo.git("log", "-1", "--format=%an") == "github-actions[bot]"


def test_release_runs_the_values_step_after_tagging_when_configured(
    tmp_path: Path, env: dict[str, str]
) -> None:
    remote = Remote(make_bare(tmp_path, env), env)
    repo = make_repo(tmp_path, env)
    repo.git("remote", "add", "origin", str(remote.bare))
    config = {"branches": ["main"], "plugins": ["@semantic-release/commit-analyzer"], "values": {
        "onRelease": True, "push": True,
        "files": [{"path": "k8s/values-production.yaml", "set": {"app.image.tag": "${version}"}}]}}
    repo.commit("feat: first", {".releaserc.json": json.dumps(config),
                                "k8s/values-production.yaml": 'app:\n  image:\n    tag: "1.0.0"\n'})
    repo.tag("v1.0.0")
    repo.commit("fix: second")
    repo.git("push", "-q", "origin", "main", "v1.0.0")
    result = release(repo.path, env=env, today="2024-06-01")
    assert result.steps_done[-1].startswith("bump-values k8s/values-production.yaml: app.image.tag "
                                            "1.0.0 → 1.0.1")
    assert remote.git("show", "main:k8s/values-production.yaml") == 'app:\n  image:\n    tag: "1.0.1"'
    assert remote.git("log", "-1", "--format=%s", "main") == "chore: update image tags to 1.0.1"
    assert remote.git("rev-parse", "v1.0.1^{commit}") == remote.git("rev-parse", "main~1")


def test_dry_run_behind_origin_shows_the_plan_and_fails_like_the_real_run(
    project: tuple[Repo, Remote], tmp_path: Path
) -> None:
    repo, remote = project
    push_from_another_clone(repo, remote, tmp_path / "other", "fix: pushed by someone else")
    dry = relbot(repo, "release", "--dry-run")
    real = relbot(repo, "release")
    assert dry.returncode == real.returncode == 4
    assert dry.stdout.startswith("release v1.1.0")
    error = "relbot: error: main moved on origin"
    assert error in dry.stderr
    assert error in real.stderr
    assert remote.git("tag", "-l", "v1.1.0") == ""


NPM_CONFIG = {"branches": ["main"], "plugins": [
    "@semantic-release/commit-analyzer", "@semantic-release/release-notes-generator",
    ["@semantic-release/npm", {"npmPublish": False}], "@semantic-release/git"]}
LOCK_V3 = ('{\n  "name": "widget",\n  "version": "1.0.0",\n  "lockfileVersion": 3,\n  "requires": true,\n'
           '  "packages": {\n    "": {\n      "name": "widget",\n      "version": "1.0.0",\n'
           '      "dependencies": {\n        "left-pad": "1.3.0"\n      }\n    },\n'
           '    "node_modules/left-pad": {\n      "version": "1.3.0"\n    }\n  }\n}\n')
SHRINKWRAP_V1 = ('{\n  "name": "widget",\n  "version": "1.0.0",\n  "lockfileVersion": 1,\n'
                 '  "dependencies": {\n    "left-pad": {\n      "version": "1.3.0"\n    }\n  }\n}\n')


def test_npm_release_versions_package_json_and_its_lock_files_as_npm_version_does(
        tmp_path: Path, env: dict[str, str]) -> None:
    """@semantic-release/npm runs `npm version`, which writes package.json, package-lock.json
    (top level and the root package of lockfileVersion 2/3) and npm-shrinkwrap.json; the
    dependencies' own `version` keys stay as they are, and so does every other byte."""
    repo, remote = released_project(tmp_path, env, NPM_CONFIG, {
        "package.json": PACKAGE, "package-lock.json": LOCK_V3, "npm-shrinkwrap.json": SHRINKWRAP_V1},
        since=("feat: second",))

    done = relbot(repo, "release")

    assert done.returncode == 0, done.stderr
    assert remote.git("show", "main:package.json") + "\n" == PACKAGE.replace("1.0.0", "1.1.0")
    lock = LOCK_V3.replace('"widget",\n  "version": "1.0.0"', '"widget",\n  "version": "1.1.0"').replace(
        '"widget",\n      "version": "1.0.0"', '"widget",\n      "version": "1.1.0"')
    assert remote.git("show", "main:package-lock.json") + "\n" == lock
    assert '"version": "1.3.0"' in lock
    assert remote.git("show", "main:npm-shrinkwrap.json") + "\n" == SHRINKWRAP_V1.replace(
        '"widget",\n  "version": "1.0.0"', '"widget",\n  "version": "1.1.0"')
    assert repo.git("show", "--stat", "--format=", "HEAD").count("|") == 3


def test_npm_pkg_root_versions_the_package_there(tmp_path: Path, env: dict[str, str]) -> None:
    config = {**NPM_CONFIG, "plugins": [
        "@semantic-release/commit-analyzer", ["@semantic-release/npm", {"pkgRoot": "pkg"}],
        ["@semantic-release/git", {"assets": ["pkg/package.json"]}]]}
    root_package = PACKAGE.replace("1.0.0", "0.0.0-development")
    repo, remote = released_project(tmp_path, env, config,
                                    {"package.json": root_package, "pkg/package.json": PACKAGE})

    done = relbot(repo, "release")

    assert done.returncode == 0, done.stderr
    assert remote.git("show", "main:pkg/package.json") + "\n" == PACKAGE.replace("1.0.0", "1.0.1")
    assert remote.git("show", "main:package.json") + "\n" == root_package


@pytest.mark.parametrize("trigger", [
    {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_REF": "refs/pull/1/merge", "GITHUB_HEAD_REF": "main"},
    {"GITHUB_EVENT_NAME": "pull_request_target", "GITHUB_REF": "refs/heads/main"},
])
def test_a_pull_request_run_publishes_nothing(project: tuple[Repo, Remote], trigger: dict[str, str]) -> None:
    """A PR run checks out the PR's merge commit: releasing it would push unreviewed code to the
    branch. semantic-release publishes nothing then; neither does relbot (its dry run still plans)."""
    repo, remote = project
    repo.git("checkout", "-q", "--detach")
    before, remote_before = snapshot(repo.path), snapshot(remote.bare)

    done = relbot(repo, "release", env={"GITHUB_ACTIONS": "true", **trigger})

    assert done.returncode == 0, done.stderr
    assert "this run was triggered by a pull request" in done.stderr
    assert (snapshot(repo.path), snapshot(remote.bare)) == (before, remote_before)
    dry = relbot(repo, "release", "--dry-run", env=trigger)
    assert "release v1.1.0" in dry.stdout
