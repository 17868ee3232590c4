"""The plan tells the truth: what `release` and `bump-values` say they will do (or did) is what happens.

Every test drives the real CLI in a subprocess against real repositories and real remotes (local
bare repositories, or the token-checking HTTP git server on 127.0.0.1), and checks exit codes,
messages and — by hashing every file of the work tree, `.git` included, and of the remote — that
nothing was written when nothing should be.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_bump_values_cli import parse_outputs
from tests.e2e.test_release_http import http_project
from tests.gitfixture import Remote, Repo, make_bare, make_repo, released_project, snapshot
from tests.gitserver import GitHttpServer

ANALYZER_ONLY = {"branches": ["main"], "plugins": ["@semantic-release/commit-analyzer"]}
WITH_RELEASE_COMMIT = {"branches": ["main"], "plugins": [
    "@semantic-release/commit-analyzer", "@semantic-release/release-notes-generator",
    ["@semantic-release/changelog", {}], ["@semantic-release/git", {"assets": ["CHANGELOG.md"]}]]}
VALUES_PATH = "k8s/values-production.yaml"
VALUES = 'app:\n  image:\n    repository: ghcr.io/acme/app\n    tag: "{tag}"  # set by CI\n'
TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN", "RELBOT_TOKEN")
REMOTE_SUBCOMMANDS = frozenset({"push", "fetch", "ls-remote"})


# -- helpers ---------------------------------------------------------------------------------------


def relbot(cwd: Path, env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "relbot", *args], cwd=cwd, env=dict(env),
                          capture_output=True, text=True, check=False)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("relbot: error:")]


def project(tmp_path: Path, env: dict[str, str], config: Mapping[str, Any],
            files: Mapping[str, str] | None = None) -> tuple[Repo, Remote]:
    """A repository released as v1.0.0 with one fix since, pushed to a bare origin."""
    return released_project(tmp_path, env, config, files, since=("fix: second",))


def values_remote(tmp_path: Path, env: dict[str, str], tag: str) -> Remote:
    bare = make_bare(tmp_path, env)
    seed = make_repo(tmp_path, env, "seed")
    seed.commit("chore: values", {VALUES_PATH: VALUES.format(tag=tag)})
    seed.git("push", "-q", str(bare), "main")
    return Remote(bare, env)


def clone(tmp_path: Path, env: dict[str, str], remote: Remote, name: str) -> Repo:
    target = tmp_path / name
    subprocess.run(["git", "clone", "-q", f"file://{remote.bare}", str(target)], env=env, check=True)
    return Repo(target, env)


def free_port_containing_403() -> int:
    """A port on 127.0.0.1 whose number contains "403" and where nothing listens."""
    candidates: list[int] = [*range(14030, 14040), *range(24030, 24040), *range(40300, 40400)]
    for port in candidates:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.settimeout(0.5)
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    pytest.skip("every candidate port containing 403 is in use")


# -- 1. a HEAD that is already released --------------------------------------------------------------


def test_released_head_is_nothing_to_do_for_the_dry_run_and_the_real_run(
    tmp_path: Path, env: dict[str, str]
) -> None:
    repo, remote = project(tmp_path, env, ANALYZER_ONLY)
    first = relbot(repo.path, env, "release")
    assert first.returncode == 0, first.stderr
    assert remote.git("rev-parse", "v1.0.1^{commit}") == repo.git("rev-parse", "HEAD")
    before, remote_before = snapshot(repo.path), snapshot(remote.bare)

    dry = relbot(repo.path, env, "release", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "nothing to do" in dry.stdout
    assert snapshot(repo.path) == before
    assert snapshot(remote.bare) == remote_before

    real = relbot(repo.path, env, "release")
    assert real.returncode == 0, real.stderr
    assert "already released; nothing to do" in real.stderr
    assert error_lines(real.stderr) == []
    assert snapshot(repo.path) == before
    assert snapshot(remote.bare) == remote_before


# -- 2. the github plugin and an origin that is not on GitHub ----------------------------------------


def test_github_plugin_without_a_github_repository_fails_alike_in_both_runs(
    tmp_path: Path, env: dict[str, str]
) -> None:
    repo, remote = project(tmp_path, env, {"branches": ["main"]})  # default plugins: github is on
    assert "GITHUB_REPOSITORY" not in env
    before, remote_before = snapshot(repo.path), snapshot(remote.bare)

    dry = relbot(repo.path, env, "release", "--dry-run")
    real = relbot(repo.path, env, "release")
    assert dry.returncode == 8, dry.stderr
    assert real.returncode == 8, real.stderr
    dry_errors, real_errors = error_lines(dry.stderr), error_lines(real.stderr)
    assert len(dry_errors) == 1, dry.stderr
    assert dry_errors == real_errors
    assert "needs a GitHub repository" in dry_errors[0]
    assert "does not name one" in dry_errors[0]
    for done in (dry, real):
        hints = [line for line in done.stderr.splitlines() if line.startswith("hint:")]
        assert hints, done.stderr
        assert "GITHUB_REPOSITORY=owner/name" in hints[0]
        assert "repositoryUrl" in hints[0]
        assert "Traceback" not in done.stderr
    assert snapshot(repo.path) == before
    assert snapshot(remote.bare) == remote_before
    assert repo.git("tag", "-l", "v1.0.1") == ""


# -- 3. values.onRelease that would move a value backwards ------------------------------------------


def test_on_release_values_downgrade_is_refused_before_the_first_write(
    tmp_path: Path, env: dict[str, str]
) -> None:
    config = {**WITH_RELEASE_COMMIT, "values": {
        "onRelease": True, "push": True,
        "files": [{"path": VALUES_PATH, "set": {"app.image.tag": "${version}"}}]}}
    repo, remote = project(tmp_path, env, config, {VALUES_PATH: VALUES.format(tag="9.0.0")})
    head = repo.git("rev-parse", "HEAD")
    before, remote_before = snapshot(repo.path), snapshot(remote.bare)

    dry = relbot(repo.path, env, "release", "--dry-run")
    assert dry.returncode == 7, dry.stdout + dry.stderr
    assert "would move it backwards" in dry.stderr
    assert snapshot(repo.path) == before
    assert snapshot(remote.bare) == remote_before

    real = relbot(repo.path, env, "release")
    assert real.returncode == 7, real.stderr
    assert "app.image.tag is 9.0.0; setting 1.0.1 would move it backwards" in real.stderr
    assert repo.git("rev-parse", "HEAD") == head  # no release commit
    assert repo.git("tag", "-l", "v1.0.1") == ""
    assert remote.git("tag", "-l", "v1.0.1") == ""
    assert remote.git("rev-parse", "main") == head
    assert not (repo.path / "CHANGELOG.md").exists()
    assert (repo.path / VALUES_PATH).read_text(encoding="utf-8") == VALUES.format(tag="9.0.0")
    assert snapshot(repo.path) == before
    assert snapshot(remote.bare) == remote_before


# -- 4. a clone that is behind a newer value on origin ----------------------------------------------


def _behind_clone(tmp_path: Path, env: dict[str, str], name: str) -> tuple[Repo, Remote]:
    """Our clone holds 1.2.2; after we cloned, another clone pushed 1.2.4."""
    remote = values_remote(tmp_path / name, env, "1.2.2")
    ours = clone(tmp_path / name, env, remote, "ci")
    other = clone(tmp_path / name, env, remote, "other")
    other.commit("chore: update image tags to 1.2.4", {VALUES_PATH: VALUES.format(tag="1.2.4")})
    other.git("push", "-q", "origin", "main")
    return ours, remote


def test_push_from_a_clone_behind_a_newer_value_reports_no_change(
    tmp_path: Path, env: dict[str, str]
) -> None:
    ours, remote = _behind_clone(tmp_path, env, "actions")
    output, summary = tmp_path / "output", tmp_path / "summary"
    actions = {**env, "GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(output),
               "GITHUB_STEP_SUMMARY": str(summary)}
    done = relbot(ours.path, actions, "bump-values", VALUES_PATH, "--set", "app.image.tag=1.2.3",
                  "--push")
    assert done.returncode == 0, done.stderr
    outputs = parse_outputs(output.read_text(encoding="utf-8"))
    assert outputs["changed"] == "false"
    assert outputs.get("diff", "") == ""
    text = summary.read_text(encoding="utf-8")
    assert "| `1.2.2` | `1.2.3` |" not in text
    assert "Nothing changed" in text
    assert 'tag: "1.2.4"' in remote.git("show", f"main:{VALUES_PATH}")
    assert remote.git("log", "-1", "--format=%s", "main") == "chore: update image tags to 1.2.4"

    ours_json, remote_json = _behind_clone(tmp_path, env, "json")
    reported = relbot(ours_json.path, env, "bump-values", VALUES_PATH, "--set", "app.image.tag=1.2.3",
                      "--push", "--json")
    assert reported.returncode == 0, reported.stderr
    data = json.loads(reported.stdout)
    assert data["changed"] is False
    assert data["pushed"] is False
    assert data["not_landed"]
    assert "newer value" in data["not_landed"]
    assert 'tag: "1.2.4"' in remote_json.git("show", f"main:{VALUES_PATH}")
    assert remote_json.git("log", "-1", "--format=%s", "main") == "chore: update image tags to 1.2.4"

    # No commit landed, so no commit may be reported: a later step would deploy or link a commit
    # that exists nowhere but in this runner's reflog.
    landed = remote.git("rev-list", "main").split()
    assert outputs.get("commit-sha", "") in ("", *landed), (
        f"commit-sha={outputs.get('commit-sha')} is not on origin")
    landed_json = remote_json.git("rev-list", "main").split()
    assert data.get("commit_sha") in (None, "", *landed_json), (
        f"commit_sha={data.get('commit_sha')} is not on origin")


# -- 5. an unreachable server whose port contains 403 -----------------------------------------------


def test_unreachable_origin_on_a_port_containing_403_is_not_a_refused_token(
    tmp_path: Path, env: dict[str, str]
) -> None:
    port = free_port_containing_403()
    repo = make_repo(tmp_path, env)
    repo.commit("chore: values", {VALUES_PATH: VALUES.format(tag="1.0.0")})
    repo.git("remote", "add", "origin", f"http://127.0.0.1:{port}/acme/x.git")
    token = "ghs_unreachable0123456789abcdefABCDEF"
    head = repo.git("rev-parse", "HEAD")
    done = relbot(repo.path, {**env, "GITHUB_TOKEN": token}, "bump-values", VALUES_PATH, "--set",
                  "app.image.tag=1.1.0", "--push", "--retries", "1")
    assert done.returncode == 4, done.stdout + done.stderr
    assert "origin cannot be reached" in done.stderr
    for wrong in ("refused with the token", "token is valid", "invalid", "needs credentials"):
        assert wrong not in done.stderr
    assert token not in done.stdout
    assert token not in done.stderr
    assert repo.git("rev-parse", "HEAD") == head
    assert repo.git("status", "--porcelain") == ""


# -- 6. a push refused by a server hook ---------------------------------------------------------------


REASON = "policy: pushes need a ticket number"


@pytest.mark.parametrize("command", ["bump-values", "release"])
def test_push_refused_by_a_server_hook_shows_its_reason_and_leaves_the_checkout(
    tmp_path: Path, env: dict[str, str], command: str
) -> None:
    repo, remote = project(tmp_path, env, WITH_RELEASE_COMMIT, {VALUES_PATH: VALUES.format(tag="1.0.0")})
    hook = remote.bare / "hooks" / "pre-receive"
    hook.write_text(f'#!/bin/sh\necho "{REASON}" >&2\nexit 1\n', encoding="utf-8")
    hook.chmod(0o755)
    head = repo.git("rev-parse", "HEAD")
    remote_before = snapshot(remote.bare)
    if command == "bump-values":
        done = relbot(repo.path, env, "bump-values", VALUES_PATH, "--set", "app.image.tag=1.1.0",
                      "--push", "--retries", "1")
    else:
        done = relbot(repo.path, env, "release")
    assert done.returncode == 4, done.stdout + done.stderr
    assert REASON in done.stderr
    assert "pre-receive hook declined" in done.stderr
    assert repo.git("rev-parse", "HEAD") == head
    assert repo.git("tag", "-l", "v1.0.1") == ""
    assert repo.git("status", "--porcelain") == ""
    assert remote.git("rev-parse", "main") == head
    assert remote.git("tag", "-l", "v1.0.1") == ""
    assert snapshot(remote.bare) == remote_before


# -- 7. the token reaches only the git processes that talk to the remote ----------------------------


WRAPPER = '''#!{python}
import json, os, sys
argv = sys.argv[1:]
record = {{
    "argv": argv,
    "tokens": sorted(name for name in {tokens!r} if name in os.environ),
    "authorization": any("Authorization" in value for key, value in os.environ.items()
                         if key.startswith("GIT_CONFIG_VALUE_")),
}}
with open({log!r}, "a", encoding="utf-8") as log:
    log.write(json.dumps(record) + "\\n")
os.execv({git!r}, [{git!r}, *argv])
'''


def _subcommand(argv: list[str]) -> str:
    """The git subcommand of an argv (after options such as `-C DIR` or `-c key=value`)."""
    args = iter(argv)
    for arg in args:
        if arg in ("-C", "-c", "--git-dir", "--work-tree", "--namespace", "--exec-path"):
            next(args, None)
        elif not arg.startswith("-"):
            return arg
    return argv[0] if argv else ""


def test_token_variables_never_reach_git_processes_that_do_not_talk_to_the_remote(
    tmp_path: Path, env: dict[str, str], git_http_server: GitHttpServer
) -> None:
    real_git = shutil.which("git", path=env.get("PATH"))
    assert real_git is not None
    checkout = http_project(tmp_path, env, git_http_server, WITH_RELEASE_COMMIT).path

    bin_dir, log = tmp_path / "wrapper-bin", tmp_path / "git-calls.jsonl"
    bin_dir.mkdir()
    wrapper = bin_dir / "git"
    wrapper.write_text(WRAPPER.format(python=sys.executable, tokens=TOKEN_VARIABLES, log=str(log),
                                      git=real_git), encoding="utf-8")
    wrapper.chmod(0o755)
    run_env = {**env, "GITHUB_TOKEN": git_http_server.token, "GIT_PYTHON_GIT_EXECUTABLE": str(wrapper),
               "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"}
    done = relbot(checkout, run_env, "release")
    assert done.returncode == 0, done.stderr
    assert git_http_server.token not in done.stdout + done.stderr

    remote = Remote(git_http_server.repo_path("acme/widget.git"), env)
    assert remote.git("rev-parse", "v1.0.1^{commit}") == remote.git("rev-parse", "main")
    assert remote.git("log", "-1", "--format=%s", "main").startswith("chore(release): 1.0.1")

    calls = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert calls, "the wrapper saw no git invocation"
    remote_calls = [c for c in calls if _subcommand(c["argv"]) in REMOTE_SUBCOMMANDS]
    local_calls = [c for c in calls if _subcommand(c["argv"]) not in REMOTE_SUBCOMMANDS]
    assert remote_calls, "no push/fetch/ls-remote was seen"
    assert local_calls, "no local git command was seen"
    assert any(_subcommand(c["argv"]) == "push" for c in remote_calls)
    unauthorized = [c["argv"] for c in remote_calls if not c["authorization"]]
    assert unauthorized == [], f"remote calls without the Authorization header: {unauthorized}"
    leaked = [c["argv"] for c in local_calls if c["authorization"]]
    assert leaked == [], f"local calls with the Authorization header: {leaked}"
    seen = {_subcommand(c["argv"]) for c in local_calls}
    assert {"rev-parse", "commit", "tag"} <= seen, seen
    # Last, so that the checks above still report when this one fails: not one git process (not
    # even one GitPython starts on its own) may see the token variables themselves.
    with_tokens = [(c["argv"], c["tokens"]) for c in calls if c["tokens"]]
    assert with_tokens == [], f"git got token variables: {with_tokens}"
