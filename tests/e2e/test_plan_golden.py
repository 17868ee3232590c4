"""Golden dry-run plans (text and `--json`) for releases and bump-values, and the promise behind
them: the real run executes exactly the steps the dry run listed as not done, and its
`steps_done` says so. Set RELBOT_UPDATE_GOLDEN=1 to rewrite the files, then review the diff."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from relbot.api import release
from tests.gitfixture import Repo, make_bare, make_repo
from tests.github_api.fixtures import REPO, TOKEN
from tests.github_api.server import FakeGitHub

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "plans"
VALUES = 'app:\n  image:\n    repository: ghcr.io/acme/widget\n    tag: "1.0.0"  # set by CI\n'
GIT_PLUGINS = [
    ["@semantic-release/commit-analyzer", {"preset": "conventionalcommits"}],
    ["@semantic-release/release-notes-generator", {"preset": "conventionalcommits"}],
    ["@semantic-release/changelog", {"changelogTitle": "# Changelog"}],
    ["@semantic-release/git", {"assets": ["CHANGELOG.md", "package.json"],
                               "message": "chore(release): ${nextRelease.version}"}],
]


def cli(repo: Repo, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "relbot", *args], cwd=repo.path,
                          env={**repo.env, **(env or {})}, capture_output=True, text=True, check=False)


def check(name: str, actual: str, tmp_path: Path, extra: dict[str, str] | None = None) -> None:
    """Compare with tests/golden/plans/<name>, with the temporary paths and ports made stable."""
    text = actual.replace(str(tmp_path), "<tmp>")
    for value, stand_in in (extra or {}).items():
        text = text.replace(value, stand_in)
    path = GOLDEN / name
    if os.environ.get("RELBOT_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert text == path.read_bytes().decode("utf-8"), f"{name}: output differs from {path}"


def project(tmp_path: Path, env: dict[str, str], config: dict[str, object],
            files: dict[str, str] | None = None) -> Repo:
    bare = make_bare(tmp_path, env)
    repo = make_repo(tmp_path, env)
    repo.git("remote", "add", "origin", str(bare))
    repo.commit("feat: first", {".releaserc.json": json.dumps(config, indent=2), **(files or {})})
    repo.tag("v1.0.0", annotated=True)
    repo.commit("feat(api): paginate (#12)")
    repo.commit("fix: trailing slash\n\ncloses #7")
    repo.git("push", "-q", "origin", "main", "v1.0.0")
    return repo


def pending(dry: subprocess.CompletedProcess[str], key: str = "plan") -> list[str]:
    assert dry.returncode == 0, dry.stderr
    data = json.loads(dry.stdout)
    plan = data[key] if key else data
    return [step["step"] for step in plan["steps"] if not step["done"]]


def assert_runs_what_the_dry_run_listed(repo: Repo, command: list[str], env: dict[str, str],
                                        plan_key: str) -> dict[str, object]:
    dry = cli(repo, *command, "--dry-run", "--json", env=env)
    listed = pending(dry, plan_key)
    real = cli(repo, *command, "--json", env=env)
    assert real.returncode == 0, real.stderr
    done: dict[str, object] = json.loads(real.stdout)
    assert done["steps_done"] == listed
    assert listed, "the scenario must leave something to do"
    return done


def golden_pair(name: str, repo: Repo, command: list[str], tmp_path: Path, env: dict[str, str],
                extra: dict[str, str] | None = None) -> None:
    text = cli(repo, *command, "--dry-run", env=env)
    assert text.returncode == 0, text.stderr
    check(f"{name}/dry-run.txt", text.stdout, tmp_path, extra)
    as_json = cli(repo, *command, "--dry-run", "--json", env=env)
    assert as_json.returncode == 0, as_json.stderr
    check(f"{name}/dry-run.json", as_json.stdout, tmp_path, extra)


def normal_release(tmp_path: Path, env: dict[str, str]) -> Repo:
    config = {"branches": ["main"], "plugins": GIT_PLUGINS, "versionFiles": ["package.json"]}
    return project(tmp_path, env, config, {"package.json": '{\n  "name": "w",\n  "version": "1.0.0"\n}\n'})


def values_on_release(tmp_path: Path, env: dict[str, str]) -> Repo:
    config = {"branches": ["main"], "plugins": GIT_PLUGINS, "values": {
        "onRelease": True, "push": True, "files": [{"path": "k8s/values-production.yaml",
                                      "images": {"ghcr.io/acme/widget": "${version}"}}]}}
    return project(tmp_path, env, config, {"k8s/values-production.yaml": VALUES})


@pytest.mark.parametrize(("name", "make"), [("release-normal", normal_release),
                                            ("release-values-on-release", values_on_release)])
def test_release_plans(name: str, make: Callable[[Path, dict[str, str]], Repo], tmp_path: Path,
                       env: dict[str, str]) -> None:
    repo = make(tmp_path, env)
    golden_pair(name, repo, ["release"], tmp_path, {})
    assert_runs_what_the_dry_run_listed(repo, ["release"], {}, "plan")
    again = cli(repo, "release", "--dry-run")
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith(("nothing to do", "release v1.1.0"))
    assert "nothing to do" in again.stdout


def test_release_whose_tag_is_pushed_but_whose_github_release_is_missing(
    tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub
) -> None:
    config = {"branches": ["main"], "plugins": [*GIT_PLUGINS[:2], "@semantic-release/github"]}
    repo = project(tmp_path, env, config)
    api = {"GITHUB_API_URL": fake_github.url, "GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": TOKEN}

    def crash(step: str) -> None:
        if step == "push":
            raise RuntimeError("the runner died after the push")

    with pytest.raises(RuntimeError):
        release(repo.path, env={**env, **api}, on_step=crash, today="2024-06-01")
    golden_pair("release-tag-pushed-no-github-release", repo, ["release"], tmp_path, api,
                {fake_github.url: "<api>"})
    done = assert_runs_what_the_dry_run_listed(repo, ["release"], api, "plan")
    assert done["released"] is True
    assert [r.tag_name for r in fake_github.repo(REPO).releases.values()] == ["v1.1.0"]


def values_repo(tmp_path: Path, env: dict[str, str]) -> Repo:
    bare = make_bare(tmp_path, env)
    repo = make_repo(tmp_path, env)
    repo.git("remote", "add", "origin", str(bare))
    repo.commit("chore: values", {"k8s/values-production.yaml": VALUES})
    repo.git("push", "-q", "origin", "main")
    return repo


def test_bump_values_push_plan(tmp_path: Path, env: dict[str, str]) -> None:
    repo = values_repo(tmp_path, env)
    command = ["bump-values", "k8s/values-production.yaml", "--image", "ghcr.io/acme/widget=1.1.0", "--push"]
    golden_pair("bump-values-push", repo, command, tmp_path, {})
    done = assert_runs_what_the_dry_run_listed(repo, command, {}, "")
    assert done["changed"] is True
    assert done["pushed"] is True


def test_bump_values_create_pr_plan(tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub) -> None:
    repo = values_repo(tmp_path, env)
    fake_github.add_repo("acme/gitops")
    api = {"GITHUB_API_URL": fake_github.url, "GITHUB_REPOSITORY": "acme/gitops", "GITHUB_TOKEN": TOKEN}
    command = ["bump-values", "k8s/values-production.yaml", "--image", "ghcr.io/acme/widget=1.1.0",
               "--create-pr"]
    golden_pair("bump-values-create-pr", repo, command, tmp_path, api, {fake_github.url: "<api>"})
    dry = cli(repo, *command, "--dry-run", "--json", env=api)
    head = next(s["step"] for s in json.loads(dry.stdout)["steps"] if s["kind"] == "pull-request").split()[2]
    fake_github.repo("acme/gitops").branches[head] = "0" * 40  # the fake learns of the pushed branch
    done = assert_runs_what_the_dry_run_listed(repo, command, api, "")
    assert str(done["pull_request"]).endswith("/pull/1")
    assert repo.git("status", "--porcelain") == ""
