"""The composite action (action.yml) run step by step as the runner runs it, against real repositories.

`tests.actionrunner` walks the action's steps. actions/setup-python is replaced by its effect (this
Python's path in its `python-path` output) and actions/cache by a cache miss; every `run:` step is the
real script, so the install step really creates the virtual environment under RUNNER_TEMP and
pip-installs relbot into it from a copy of this checkout, as the runner's copy of the action would be.
RUNNER_TEMP is shared by the tests of this module, like one job that uses the action several times:
the first run installs (about 15 s), later runs reuse the environment (the action's own rule).
Releases push over smart HTTP to a token-protected git server and publish to a fake GitHub API.
"""

from __future__ import annotations

import base64
import json
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.actionjob import Job, make_job, run_action
from tests.actionrunner import ActionRun
from tests.gitfixture import Repo, make_repo
from tests.github_api.fixtures import REPO, TOKEN
from tests.github_api.server import FakeGitHub
from tests.gitserver import GitHttpServer, token_header_env

CONFIG = {"branches": ["main"], "plugins": [
    "@semantic-release/commit-analyzer", "@semantic-release/release-notes-generator",
    ["@semantic-release/changelog", {}], ["@semantic-release/git", {"assets": ["CHANGELOG.md"]}],
    "@semantic-release/github"]}
VALUES = """\
# production values
imprun-server:
  image:
    repository: ghcr.io/acme/imprun-server  # the registry
    tag: "1.2.2"   # set by CI

imprun-worker:
  image:
    repository: ghcr.io/acme/imprun-worker
    tag: 1.2.2
podAnnotations:
  note: ""
"""
VALUES_PATH = "k8s/imprun/values-production.yaml"
CHECKOUT_HEADER = "AUTHORIZATION: basic " + base64.b64encode(b"x-access-token:ghs_workflow_token").decode()
HOSTILE = """$(touch pwned) `touch pwned` "; touch pwned; echo \""""


@pytest.fixture(scope="module")
def job(tmp_path_factory: pytest.TempPathFactory) -> Job:
    return make_job(tmp_path_factory.mktemp("runner"))


def _run(job: Job, workspace: Path, env: Mapping[str, str], inputs: Mapping[str, str],
         github: Mapping[str, str] | None = None) -> ActionRun:
    context = {"repository": REPO, "ref": "refs/heads/main", "server_url": "https://github.com",
               **(github or {})}
    return run_action(job, workspace, env, inputs, context)


def _publish(tmp_path: Path, env: dict[str, str], server: GitHttpServer, name: str,
             commits: list[tuple[str, dict[str, str] | None]], tags: dict[int, str]) -> Repo:
    """A repository on `server` with these commits (and tags after the commit at each index), cloned
    the way actions/checkout leaves it: the workflow's own token persisted as an Authorization header."""
    server.create_repo(name)
    seed = make_repo(tmp_path, env, "seed")
    for index, (message, files) in enumerate(commits):
        seed.commit(message, files)
        if index in tags:
            seed.tag(tags[index])
    auth = {**env, **token_header_env(server.token)}
    subprocess.run(["git", "-C", str(seed.path), "push", "-q", server.url(name), "main", *tags.values()],
                   env=auth, check=True)
    clone = tmp_path / "workspace"
    subprocess.run(["git", "clone", "-q", server.url(name), str(clone)], env=auth, check=True)
    subprocess.run(["git", "-C", str(clone), "config", f"http.{_base(server)}/.extraheader",
                    CHECKOUT_HEADER], env=env, check=True)
    return Repo(clone, env)


def _base(server: GitHttpServer) -> str:
    return server.url("").rstrip("/")


def _remote(server: GitHttpServer, name: str, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", str(server.repo_path(name)), *args], capture_output=True,
                          text=True, check=True, env=server.backend_env()).stdout.strip()


@pytest.mark.parametrize("git_http_server", [{"token": TOKEN}], indirect=True)
def test_release_pushes_with_the_token_input_and_maps_every_output(
    tmp_path: Path, env: dict[str, str], job: Job, git_http_server: GitHttpServer, fake_github: FakeGitHub
) -> None:
    repo = _publish(tmp_path, env, git_http_server, "acme/widget.git",
                    [("feat: first", {".releaserc.json": json.dumps(CONFIG)}),
                     ("feat(api): paginate (#12)", None)],
                    {0: "v1.0.0"})
    run = _run(job, repo.path, env, {"command": "release", "github-token": TOKEN},
               {"server_url": _base(git_http_server), "api_url": fake_github.url})
    assert run.returncode == 0, run.log
    outputs = run.outputs
    assert (outputs["released"], outputs["version"], outputs["tag"], outputs["previous-version"]) == (
        "true", "1.1.0", "v1.1.0", "1.0.0")
    assert "* **api:** paginate" in outputs["notes"]
    assert outputs["release-url"] == "https://github.com/acme/widget/releases/tag/v1.1.0"
    assert outputs["commit-sha"] == _remote(git_http_server, "acme/widget.git", "rev-parse", "main")
    assert _remote(git_http_server, "acme/widget.git", "tag") == "v1.0.0\nv1.1.0"
    assert (outputs["changed"], outputs["diff"], outputs["pull-request-url"]) == ("", "", "")
    assert run.summary.startswith("### Released v1.1.0\n")
    assert "paginate" in run.summary
    [created] = fake_github.repo(REPO).releases.values()
    assert (created.body or "").rstrip("\n") == outputs["notes"]  # an output keeps no final newline
    assert TOKEN not in run.log
    assert CHECKOUT_HEADER in (repo.path / ".git" / "config").read_text(encoding="utf-8")  # left as it was


def test_bump_values_passes_multi_line_inputs_verbatim_and_pushes(
    tmp_path: Path, env: dict[str, str], job: Job, git_http_server: GitHttpServer
) -> None:
    repo = _publish(tmp_path, env, git_http_server, "acme/gitops.git",
                    [("chore: values", {VALUES_PATH: VALUES})], {})
    inputs = {
        "command": "bump-values", "github-token": git_http_server.token, "version": "1.2.3", "push": "true",
        "files": f"\n  {VALUES_PATH}\n",
        "set": f"\n  .imprun-server.image.tag=${{version}}  \n# a comment\npodAnnotations.note={HOSTILE}\r\n",
        "image": "ghcr.io/acme/imprun-worker=${version}\n",
    }
    run = _run(job, repo.path, env, inputs, {"server_url": _base(git_http_server)})
    assert run.returncode == 0, run.log
    outputs = run.outputs
    assert (outputs["changed"], outputs["version"], outputs["pull-request-url"]) == ("true", "1.2.3", "")
    assert '-    tag: "1.2.2"   # set by CI\n+    tag: "1.2.3"   # set by CI\n' in outputs["diff"]
    assert "-    tag: 1.2.2\n+    tag: 1.2.3\n" in outputs["diff"]
    assert outputs["commit-sha"] == _remote(git_http_server, "acme/gitops.git", "rev-parse", "main")
    pushed = _remote(git_http_server, "acme/gitops.git", "show", f"main:{VALUES_PATH}")
    assert pushed == VALUES.replace("1.2.2", "1.2.3").replace('""', json.dumps(HOSTILE)).rstrip("\n")
    assert YAML(typ="safe").load(pushed)["podAnnotations"]["note"] == HOSTILE
    assert _remote(git_http_server, "acme/gitops.git", "log", "-1", "--format=%s") == (
        "chore: update image tags to 1.2.3")
    assert not list(tmp_path.rglob("pwned"))
    assert not list(job.runner_temp.rglob("pwned"))
    assert run.summary.startswith("### relbot bump-values\n")
    assert "`1.2.2` | `1.2.3`" in run.summary
    assert git_http_server.token not in run.log


def test_bump_values_dry_run_changes_nothing(tmp_path: Path, env: dict[str, str], job: Job,
                                             git_http_server: GitHttpServer) -> None:
    repo = _publish(tmp_path, env, git_http_server, "acme/gitops.git",
                    [("chore: values", {VALUES_PATH: VALUES})], {})
    head = _remote(git_http_server, "acme/gitops.git", "rev-parse", "main")
    run = _run(job, repo.path, env, {"command": "bump-values", "files": VALUES_PATH, "version": "1.2.3",
                                     "image": "ghcr.io/acme/imprun-worker=${version}", "push": "true",
                                     "dry-run": "true", "github-token": git_http_server.token})
    assert run.returncode == 0, run.log
    assert "+    tag: 1.2.3" in run.outputs["diff"]
    assert run.outputs["commit-sha"] == ""
    assert (repo.path / VALUES_PATH).read_text(encoding="utf-8") == VALUES
    assert _remote(git_http_server, "acme/gitops.git", "rev-parse", "main") == head


def test_bump_values_allow_shared_reaches_the_command(tmp_path: Path, env: dict[str, str], job: Job,
                                                      git_http_server: GitHttpServer) -> None:
    shared = "base: &base\n  image:\n    repository: ghcr.io/acme/api\n    tag: 1.2.2\napi: *base\n"
    repo = _publish(tmp_path, env, git_http_server, "acme/gitops.git",
                    [("chore: values", {VALUES_PATH: shared})], {})
    inputs = {"command": "bump-values", "files": VALUES_PATH, "set": "api.image.tag=1.2.3", "dry-run": "true",
              "github-token": git_http_server.token}
    refused = _run(job, repo.path, env, inputs)
    assert refused.returncode == 7, refused.log
    assert "would also change base.image.tag" in refused.log
    allowed = _run(job, repo.path, env, {**inputs, "allow-shared": "true"})
    assert allowed.returncode == 0, allowed.log
    assert "+    tag: 1.2.3" in allowed.outputs["diff"]


def test_version_and_changelog_become_outputs_and_the_second_use_reuses_the_environment(
    tmp_path: Path, env: dict[str, str], job: Job
) -> None:
    repo = make_repo(tmp_path, env)
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    repo.commit("fix: keep trailing slashes")
    version = _run(job, repo.path, env, {"command": "version"})
    assert version.returncode == 0, version.log
    assert {k: v for k, v in version.outputs.items() if v} == {
        "released": "true", "version": "1.0.1", "tag": "v1.0.1", "previous-version": "1.0.0"}
    assert version.step("run").log.count("v1.0.1: type 'fix' → patch") == 1  # relbot ran once
    notes = _run(job, repo.path, env, {"command": "changelog"})
    assert notes.returncode == 0, notes.log
    assert "* keep trailing slashes" in notes.outputs["notes"]
    assert "relbot: reusing" in notes.step("install").log
    repo.commit("docs: nothing to release")
    repo.tag("v1.0.1", ref="HEAD~1")
    none_due = _run(job, repo.path, env, {"command": "version"})
    assert none_due.returncode == 0, none_due.log
    assert (none_due.outputs["released"], none_due.outputs["version"]) == ("false", "")


NO_DRY_RUN = ("input dry-run is only for release, bump-values and rollback: version and changelog change "
              "nothing")
NOT_USED = "input relbot-version is no longer used"
ONLY_VALUES = "is only for command: bump-values or rollback"


@pytest.mark.parametrize(("inputs", "message"), [
    ({"command": "publish"}, "input command must be release, bump-values, rollback, version or changelog"),
    ({"command": "release", "files": "values.yaml"}, f"input files {ONLY_VALUES}"),
    ({"command": "version", "allow-downgrade": "true"},
     "input allow-downgrade is only for command: bump-values"),
    ({"command": "changelog", "allow-shared": "TRUE"}, "input allow-shared is only for command: bump-values"),
    ({"command": "rollback", "version": "1.2.3"}, "input version is only for command: bump-values"),
    ({"command": "bump-values", "to": "1.2.3"}, "input to is only for command: rollback"),
    ({"command": "release", "reason": "x"}, "input reason is only for command: rollback"),
    ({"command": "release", "create-pr": "true"}, f"input create-pr {ONLY_VALUES}"),
    ({"command": "rollback", "create-pr": "perhaps"}, "input create-pr must be true or false"),
    ({"command": "release", "dry-run": "yes"}, "input dry-run must be true or false"),
    ({"command": "bump-values", "push": "maybe"}, "input push must be true or false"),
    ({"command": "version", "relbot-version": "1.0; rm -rf ~"}, NOT_USED),
    ({"command": "version", "relbot-version": "1.4.0"}, NOT_USED),
    ({"command": "version", "dry-run": "true"}, NO_DRY_RUN),
    ({"command": "changelog", "dry-run": "true"}, NO_DRY_RUN),
    ({"command": "version", "verbose": "loud"}, "input verbose must be true or false"),
    ({"command": "release", "verified-commits": "true"},
     "input verified-commits is only for command: bump-values or rollback"),
    ({"command": "bump-values", "files": "v.yaml", "verified-commits": "maybe"},
     "input verified-commits must be true or false"),
])
def test_bad_inputs_stop_with_an_annotation(tmp_path: Path, env: dict[str, str], job: Job,
                                            inputs: dict[str, str], message: str) -> None:
    repo = make_repo(tmp_path, env)
    repo.commit("feat: first")
    run = _run(job, repo.path, env, inputs)
    assert run.returncode == 2
    assert f"::error title=relbot::{message}" in run.log


def test_config_branch_verbose_and_args_reach_relbot_as_written(tmp_path: Path, env: dict[str, str],
                                                                job: Job) -> None:
    repo = make_repo(tmp_path, env)
    config = {"branches": ["release"], "tagFormat": "rel-${version}"}
    repo.commit("feat: first", {"ci/relbot.json": json.dumps(config)})
    repo.tag("rel-1.0.0")
    repo.commit("fix: second")
    repo.git("checkout", "-q", "--detach")
    hostile = "$(touch pwned) `touch pwned` ; touch pwned"
    run = _run(job, repo.path, env, {
        "command": "version", "config": "ci/relbot.json", "branch": "release", "verbose": "true",
        "args": "\n  --strict  \n# a comment\n--tag\n"})
    assert run.returncode == 0, run.log
    assert run.step("run").log.splitlines()[0] == "rel-1.0.1"  # --tag, from args
    assert (run.outputs["version"], run.outputs["tag"]) == ("1.0.1", "rel-1.0.1")
    assert "branch release" in run.log  # -v names the branch it released as
    hostile_run = _run(job, repo.path, env, {"command": "version", "config": "ci/relbot.json",
                                             "branch": "release", "args": hostile})
    assert hostile_run.returncode == 2  # one argument, exactly as written: click refuses it
    assert "No such option" in hostile_run.log or "Got unexpected extra argument" in hostile_run.log
    assert not (repo.path / "pwned").exists()


def test_a_file_name_that_looks_like_an_option_stays_a_file_name(tmp_path: Path, env: dict[str, str],
                                                                  job: Job) -> None:
    repo = make_repo(tmp_path, env)
    repo.commit("feat: first", {"values.yaml": "image:\n  tag: 1.0.0\n"})
    run = _run(job, repo.path, env, {"command": "bump-values", "files": "--create-pr values.yaml",
                                     "set": "image.tag=1.0.1"})
    assert run.returncode == 7, run.log
    assert "--create-pr" in run.step("run").log  # named as the file that is not there
    assert (repo.path / "values.yaml").read_text(encoding="utf-8") == "image:\n  tag: 1.0.0\n"


@pytest.mark.parametrize("git_http_server", [{"token": TOKEN}], indirect=True)
def test_rollback_sets_both_services_back_and_names_the_versions_in_outputs(
    tmp_path: Path, env: dict[str, str], job: Job, git_http_server: GitHttpServer
) -> None:
    deploys: list[tuple[str, dict[str, str] | None]] = [
        (f"chore: update image tags to {v}", {VALUES_PATH: VALUES.replace("1.2.2", v)})
        for v in ("1.0.0", "1.1.0", "1.2.0")]
    repo = _publish(tmp_path, env, git_http_server, "acme/gitops.git", deploys, {0: "v1.0.0", 1: "v1.1.0"})
    reason = f"smoke test failed: {HOSTILE}"
    inputs = {"command": "rollback", "github-token": TOKEN, "files": VALUES_PATH, "push": "true",
              "set": ".imprun-server.image.tag\n", "image": "ghcr.io/acme/imprun-worker\n", "reason": reason}
    dry = _run(job, repo.path, env, {**inputs, "dry-run": "true"}, {"server_url": _base(git_http_server)})
    assert dry.returncode == 0, dry.log
    assert dry.outputs["commit-sha"] == ""
    assert "+    tag: 1.1.0\n" in dry.outputs["diff"]
    run = _run(job, repo.path, env, inputs, {"server_url": _base(git_http_server)})
    assert run.returncode == 0, run.log
    outputs = run.outputs
    assert (outputs["changed"], outputs["version"], outputs["previous-version"]) == ("true", "1.1.0", "1.2.0")
    assert outputs["commit-sha"] == _remote(git_http_server, "acme/gitops.git", "rev-parse", "main")
    assert _remote(git_http_server, "acme/gitops.git", "show", f"main:{VALUES_PATH}") == (
        VALUES.replace("1.2.2", "1.1.0").rstrip("\n"))
    message = _remote(git_http_server, "acme/gitops.git", "log", "-1", "--format=%B")
    assert f"Reason: {reason}" in message  # one argument, exactly as written
    assert not list(tmp_path.rglob("pwned"))
    assert run.summary.startswith("### relbot rollback\n")
    assert TOKEN not in run.log

    images = "ghcr.io/acme/imprun-server\nghcr.io/acme/imprun-worker"
    to = _run(job, repo.path, env, {"command": "rollback", "github-token": TOKEN, "files": VALUES_PATH,
                                    "push": "true", "image": images, "to": "1.0.0"},
              {"server_url": _base(git_http_server)})
    assert to.returncode == 0, to.log
    assert (to.outputs["version"], to.outputs["previous-version"]) == ("1.0.0", "1.1.0")


def test_version_in_a_monorepo_outputs_the_due_packages_for_a_build_matrix(
        tmp_path: Path, env: dict[str, str], job: Job) -> None:
    repo = make_repo(tmp_path, env)
    config = {"branches": ["main"], "packages": [{"name": "server", "path": "server"},
                                                 {"name": "console", "path": "web/console"}]}
    repo.commit("chore: layout", {".releaserc.json": json.dumps(config), "server/a": "1\n",
                                  "web/console/b": "1\n"})
    repo.tag("server-v1.0.0")
    repo.tag("console-v1.0.0")
    repo.commit("fix: console", {"web/console/b": "2\n"})
    run = _run(job, repo.path, env, {"command": "version"})
    assert run.returncode == 0, run.log
    assert run.outputs["released"] == "true"
    assert json.loads(run.outputs["packages"]) == [
        {"name": "console", "version": "1.0.1", "tag": "console-v1.0.1", "path": "web/console",
         "group": None}]
