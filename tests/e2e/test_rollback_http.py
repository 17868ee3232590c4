"""`relbot rollback` end to end: three deploys of two services on a token-guarded smart-HTTP git server,
CI clones as actions/checkout makes them (shallow), rollbacks, a return with --to, and races."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

from tests.gitfixture import Repo, make_repo
from tests.github_api.server import FakeGitHub
from tests.gitserver import GitHttpServer, LiveBranches, token_header_env

NAME = "acme/gitops.git"
VALUES_PATH = "k8s/values-production.yaml"
VALUES = """\
# production values
api:
  image:
    repository: ghcr.io/acme/api
    tag: "{version}"  # set by CI

worker:
  image: ghcr.io/acme/worker:{version}
  replicas: 2
"""
CONFIG = {"values": {"files": [{"path": VALUES_PATH, "images": {
    "ghcr.io/acme/api": "${version}", "ghcr.io/acme/worker": "${version}"}}], "push": True}}


def _values(version: str, **extra: str) -> str:
    text = VALUES.format(version=version)
    for old, new in extra.items():
        text = text.replace(old, new)
    return text


def _publish(tmp_path: Path, env: dict[str, str], server: GitHttpServer) -> Repo:
    """origin with three deploys, 1.0.0 → 1.1.0 → 1.2.0, each version tagged as its release."""
    server.create_repo(NAME)
    seed = make_repo(tmp_path, env, "seed")
    seed.commit("chore: configuration", {".releaserc.json": json.dumps(CONFIG)})
    for version in ("1.0.0", "1.1.0", "1.2.0"):
        seed.commit(f"chore: update image tags to {version}", {VALUES_PATH: _values(version)})
        seed.commit(f"docs: notes for {version}", {"NOTES.md": f"{version}\n"})  # other commits between
        seed.tag(f"v{version}")
    _push(seed, server, "main", "--tags")
    return seed


def _push(repo: Repo, server: GitHttpServer, *refs: str) -> None:
    subprocess.run(["git", "-C", str(repo.path), "push", "-q", server.url(NAME), *refs],
                   env={**repo.env, **token_header_env(server.token)}, check=True)


def _checkout(tmp_path: Path, env: dict[str, str], server: GitHttpServer, name: str) -> Repo:
    """A CI checkout: one commit deep, no tags, no credentials left behind."""
    clone = tmp_path / name
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--no-tags", server.url(NAME), str(clone)],
                   env={**env, **token_header_env(server.token)}, check=True)
    return Repo(clone, env)


def _rollback(repo: Repo, server: GitHttpServer, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "relbot", "rollback", *args], cwd=repo.path,
                          env={**repo.env, "RELBOT_TOKEN": server.token}, capture_output=True,
                          text=True, check=False)


def _origin(server: GitHttpServer, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", str(server.repo_path(NAME)), *args], capture_output=True,
                          text=True, check=True, env=server.backend_env()).stdout.strip()


def _origin_values(server: GitHttpServer) -> str:
    return _origin(server, "show", f"main:{VALUES_PATH}") + "\n"


def _no_token(server: GitHttpServer, repo: Repo, *texts: str) -> None:
    encoded = base64.b64encode(f"x-access-token:{server.token}".encode()).decode()
    config = (repo.path / ".git" / "config").read_text(encoding="utf-8")
    for text in (*texts, config, *(r.request_line for r in server.requests)):
        assert server.token not in text
        assert encoded not in text


def test_rollbacks_walk_back_deploy_by_deploy_and_to_moves_forward(
    tmp_path: Path, env: dict[str, str], git_http_server: GitHttpServer
) -> None:
    _publish(tmp_path, env, git_http_server)
    commits = int(_origin(git_http_server, "rev-list", "--count", "main"))

    first = _checkout(tmp_path, env, git_http_server, "ci-1")
    done = _rollback(first, git_http_server, "--reason", "smoke test failed (run 41)")
    assert done.returncode == 0, done.stderr
    assert _origin_values(git_http_server) == _values("1.1.0")  # both services, byte for byte
    assert int(_origin(git_http_server, "rev-list", "--count", "main")) == commits + 1  # one commit
    message = _origin(git_http_server, "log", "-1", "--format=%B")
    assert message.splitlines()[0] == f"chore: roll back {VALUES_PATH} from 1.2.0 to 1.1.0"
    assert "Reason: smoke test failed (run 41)" in message
    assert "- k8s/values-production.yaml: worker.image ghcr.io/acme/worker:1.2.0 → " \
           "ghcr.io/acme/worker:1.1.0" in message
    assert "shallow clone: fetched the full history from origin" in done.stderr
    changed = _origin(git_http_server, "diff", "--numstat", "main~1", "main")
    assert changed == f"2\t2\t{VALUES_PATH}"
    _no_token(git_http_server, first, done.stdout, done.stderr)

    second = _checkout(tmp_path, env, git_http_server, "ci-2")
    done = _rollback(second, git_http_server, "--reason", "still failing")
    assert done.returncode == 0, done.stderr
    assert _origin_values(git_http_server) == _values("1.0.0")  # not back to 1.2.0

    third = _checkout(tmp_path, env, git_http_server, "ci-3")
    head = _origin(git_http_server, "rev-parse", "main")
    done = _rollback(third, git_http_server)
    assert done.returncode == 7, done.stderr
    assert "the history holds no earlier values than the current ones" in done.stderr
    assert "hint: roll back to a release with --to VERSION" in done.stderr
    assert "Traceback" not in done.stderr
    assert _origin(git_http_server, "rev-parse", "main") == head  # nothing pushed

    forward = _checkout(tmp_path, env, git_http_server, "ci-4")
    done = _rollback(forward, git_http_server, "--to", "1.2.0", "--reason", "fixed in the cluster", "--json")
    assert done.returncode == 0, done.stderr
    assert _origin_values(git_http_server) == _values("1.2.0")
    report = json.loads(done.stdout)
    assert report["rollback"]["to"] == {"commit": None, "tag": "v1.2.0", "version": "1.2.0",
                                        "release": "1.2.0"}
    assert report["rollback"]["from"]["version"] == "1.0.0"
    assert report["rollback"]["reason"] == "fixed in the cluster"
    assert report["pushed"] is True
    assert report["commit_sha"] == _origin(git_http_server, "rev-parse", "main")

    # and back again: the deploy before 1.2.0 is now 1.0.0, which ran before it
    again = _checkout(tmp_path, env, git_http_server, "ci-5")
    done = _rollback(again, git_http_server)
    assert done.returncode == 0, done.stderr
    assert _origin_values(git_http_server) == _values("1.0.0")


def test_a_race_with_another_pipeline_is_retried_and_lands(
    tmp_path: Path, env: dict[str, str], git_http_server: GitHttpServer
) -> None:
    seed = _publish(tmp_path, env, git_http_server)
    deploy = _checkout(tmp_path, env, git_http_server, "deploy-job")  # the failed deploy's commit
    failed = deploy.git("rev-parse", "HEAD")
    seed.commit("chore: scale the worker", {VALUES_PATH: _values("1.2.0", **{"replicas: 2": "replicas: 3"})})
    seed.commit("docs: more", {"NOTES.md": "more\n"})
    _push(seed, git_http_server, "main")  # another pipeline pushes first

    done = _rollback(deploy, git_http_server, "--reason", "rollout failed")
    assert done.returncode == 0, done.stderr
    assert "re-applying the edits" in done.stderr
    assert _origin_values(git_http_server) == _values("1.1.0", **{"replicas: 2": "replicas: 3"})
    assert _origin(git_http_server, "rev-list", "--merges", "main") == ""
    assert _origin(git_http_server, "log", "-1", "--format=%s") == (
        f"chore: roll back {VALUES_PATH} from 1.2.0 to 1.1.0")

    # the same job run again (a re-run of the failed workflow checks out the same commit): origin
    # already has the values, so nothing is pushed
    head = _origin(git_http_server, "rev-parse", "main")
    rerun = _checkout(tmp_path, env, git_http_server, "rerun")
    subprocess.run(["git", "-C", str(rerun.path), "fetch", "-q", "--depth", "1", "origin", failed],
                   env={**env, **token_header_env(git_http_server.token)}, check=True)
    rerun.git("reset", "-q", "--hard", failed)
    done = _rollback(rerun, git_http_server, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["changed"] is False
    assert "origin already has these values" in done.stderr
    assert _origin(git_http_server, "rev-parse", "main") == head


def test_a_newer_deploy_that_landed_meanwhile_is_not_rolled_back(
    tmp_path: Path, env: dict[str, str], git_http_server: GitHttpServer
) -> None:
    seed = _publish(tmp_path, env, git_http_server)
    deploy = _checkout(tmp_path, env, git_http_server, "deploy-job")
    seed.commit("chore: update image tags to 1.3.0", {VALUES_PATH: _values("1.3.0")})
    _push(seed, git_http_server, "main")
    head = _origin(git_http_server, "rev-parse", "main")

    done = _rollback(deploy, git_http_server, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["changed"] is False
    assert "another deploy landed after this rollback was planned" in report["not_landed"]
    assert "api.image.tag 1.3.0 now, not 1.2.0" in report["not_landed"]
    assert _origin(git_http_server, "rev-parse", "main") == head
    assert _origin_values(git_http_server) == _values("1.3.0")


def test_to_must_name_a_release_and_a_dry_run_changes_nothing(
    tmp_path: Path, env: dict[str, str], git_http_server: GitHttpServer
) -> None:
    _publish(tmp_path, env, git_http_server)
    ci = _checkout(tmp_path, env, git_http_server, "ci")
    head = _origin(git_http_server, "rev-parse", "main")

    done = _rollback(ci, git_http_server, "--to", "1.1.5")
    assert done.returncode == 7
    assert "--to 1.1.5 is not a release: there is no tag v1.1.5 here or on origin" in done.stderr
    done = _rollback(ci, git_http_server, "--to", "latest")
    assert done.returncode == 7
    assert "--to 'latest' is not a version such as 1.2.3" in done.stderr

    done = _rollback(ci, git_http_server, "--dry-run")
    assert done.returncode == 0, done.stderr
    assert '-    tag: "1.2.0"  # set by CI\n+    tag: "1.1.0"  # set by CI\n' in done.stdout
    assert "push to main on origin" in done.stdout
    assert (ci.path / VALUES_PATH).read_text(encoding="utf-8") == _values("1.2.0")
    assert _origin(git_http_server, "rev-parse", "main") == head

    done = _rollback(ci, git_http_server, "--to", "v1.0.0", "--dry-run")  # the tag's name works too
    assert done.returncode == 0, done.stderr
    assert "+  image: ghcr.io/acme/worker:1.0.0\n" in done.stdout


def test_create_pr_opens_a_pull_request_that_says_why(
    tmp_path: Path, env: dict[str, str], git_http_server: GitHttpServer, fake_github: FakeGitHub
) -> None:
    _publish(tmp_path, env, git_http_server)
    git_http_server.protect_branch(NAME, "main")
    fake_github.add_repo("acme/gitops")
    fake_github.repo("acme/gitops").branches = LiveBranches(git_http_server.repo_path(NAME), env)
    fake_github.token = git_http_server.token
    ci = _checkout(tmp_path, env, git_http_server, "ci")
    head = _origin(git_http_server, "rev-parse", "main")
    api = {"RELBOT_TOKEN": git_http_server.token, "GITHUB_API_URL": fake_github.url,
           "GITHUB_REPOSITORY": "acme/gitops"}
    done = subprocess.run(
        [sys.executable, "-m", "relbot", "rollback", "--create-pr", "--reason", "p99 latency doubled"],
        cwd=ci.path, env={**ci.env, **api}, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    [pull] = fake_github.repo("acme/gitops").pulls.values()
    assert pull.title == f"chore: roll back {VALUES_PATH} from 1.2.0 to 1.1.0"
    assert pull.head.startswith("relbot/rollback/main/")
    assert "Reason: p99 latency doubled" in (pull.body or "")
    assert '-    tag: "1.2.0"  # set by CI\n+    tag: "1.1.0"  # set by CI\n' in (pull.body or "")
    assert _origin(git_http_server, "show", f"{pull.head}:{VALUES_PATH}") + "\n" == _values("1.1.0")
    assert _origin(git_http_server, "rev-parse", "main") == head  # main is protected; the PR waits
    _no_token(git_http_server, ci, done.stdout, done.stderr)
    assert ci.git("rev-parse", "HEAD") == head  # the checkout is back where it was

    fake_github.fail_next("POST", r"/repos/acme/gitops/pulls", 422, times=5)  # refused after the push
    again = subprocess.run(
        [sys.executable, "-m", "relbot", "rollback", "--create-pr", "--reason", "p99 latency tripled"],
        cwd=ci.path, env={**ci.env, **api}, capture_output=True, text=True, check=False)
    assert again.returncode == 8, again.stderr
    assert ci.git("rev-parse", "HEAD") == head  # no values commit left behind for a rerun to trip on
