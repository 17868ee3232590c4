"""bump-values pushing over HTTP to a real git server that demands a token; the token never shows."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

from tests.gitfixture import Repo, make_repo
from tests.github_api.server import FakeGitHub
from tests.gitserver import GitHttpServer, LiveBranches, token_header_env

VALUES = 'app:\n  image:\n    repository: ghcr.io/acme/app\n    tag: "1.0.0"  # CI\n'


def _setup(tmp_path: Path, env: dict[str, str], server: GitHttpServer) -> Repo:
    server.create_repo("acme/gitops.git")
    seed = make_repo(tmp_path, env, "seed")
    seed.commit("chore: values", {"values-production.yaml": VALUES})
    auth = {**env, **token_header_env(server.token)}
    subprocess.run(["git", "-C", str(seed.path), "push", "-q", server.url("acme/gitops.git"), "main"],
                   env=auth, check=True)
    clone = tmp_path / "ci"
    subprocess.run(["git", "clone", "-q", server.url("acme/gitops.git"), str(clone)], env=auth,
                   check=True)
    return Repo(clone, env)


def _bump(repo: Repo, token_env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "relbot", "-v", "bump-values", "values-production.yaml",
         "--set", "app.image.tag=1.1.0", "--push", "--retries", "1", *args],
        cwd=repo.path, env={**repo.env, **token_env}, capture_output=True, text=True, check=False)


def _leaks(token: str, *texts: str) -> list[str]:
    encoded = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    return [t for t in texts if token in t or encoded in t]


def _assert_no_secret(server: GitHttpServer, repo: Repo, done: subprocess.CompletedProcess[str],
                      token: str) -> None:
    config = (repo.path / ".git" / "config").read_text(encoding="utf-8")
    lines = [r.request_line for r in server.requests]
    assert not _leaks(token, done.stdout, done.stderr, config, *lines)
    assert token not in repo.git("remote", "get-url", "origin")


def test_push_with_token_lands_and_the_token_appears_nowhere(
    tmp_path: Path, env: dict[str, str], git_http_server: GitHttpServer
) -> None:
    repo = _setup(tmp_path, env, git_http_server)
    pushes = git_http_server.push_count
    done = _bump(repo, {"RELBOT_TOKEN": git_http_server.token, "GITHUB_ACTIONS": "true"})
    assert done.returncode == 0, done.stderr
    assert git_http_server.push_count == pushes + 1
    assert f"::add-mask::{git_http_server.token}" in done.stdout  # masked before anything else
    remote = git_http_server.repo_path("acme/gitops.git")
    shown = subprocess.run(["git", "--git-dir", str(remote), "show", "main:values-production.yaml"],
                           env=env, capture_output=True, text=True, check=True).stdout
    assert 'tag: "1.1.0"  # CI' in shown
    unmasked = done.stdout.replace(f"::add-mask::{git_http_server.token}", "")
    rest = subprocess.CompletedProcess(done.args, done.returncode, unmasked, done.stderr)
    _assert_no_secret(git_http_server, repo, rest, git_http_server.token)


def test_missing_token_fails_clearly(tmp_path: Path, env: dict[str, str],
                                     git_http_server: GitHttpServer) -> None:
    repo = _setup(tmp_path, env, git_http_server)
    done = _bump(repo, {})
    assert done.returncode == 4
    assert "needs a token and none was given" in done.stderr
    assert "RELBOT_TOKEN, GH_TOKEN, GITHUB_TOKEN" in done.stderr


def test_wrong_token_fails_without_showing_it(tmp_path: Path, env: dict[str, str],
                                              git_http_server: GitHttpServer) -> None:
    repo = _setup(tmp_path, env, git_http_server)
    wrong = "ghp_wrongwrongwrong0123456789"
    done = _bump(repo, {"GH_TOKEN": wrong})
    assert done.returncode == 4
    assert "refused with the token from GH_TOKEN" in done.stderr
    assert "contents: write" in done.stderr
    _assert_no_secret(git_http_server, repo, done, wrong)
    assert not _leaks(git_http_server.token, done.stdout, done.stderr)


def test_protected_branch_rejection_is_explained(tmp_path: Path, env: dict[str, str],
                                                 git_http_server: GitHttpServer) -> None:
    repo = _setup(tmp_path, env, git_http_server)
    git_http_server.protect_branch("acme/gitops.git", "main")
    done = _bump(repo, {"GITHUB_TOKEN": git_http_server.token})
    assert done.returncode == 4
    assert "protected branch" in done.stderr
    assert "--create-pr" in done.stderr
    _assert_no_secret(git_http_server, repo, done, git_http_server.token)


def test_create_pr_pushes_a_branch_and_reuses_the_open_pull_request(
    tmp_path: Path, env: dict[str, str], git_http_server: GitHttpServer, fake_github: FakeGitHub
) -> None:
    repo = _setup(tmp_path, env, git_http_server)
    git_http_server.protect_branch("acme/gitops.git", "main")
    fake_github.add_repo("acme/gitops")
    fake_github.repo("acme/gitops").branches = LiveBranches(
        git_http_server.repo_path("acme/gitops.git"), env)
    api = {"GITHUB_TOKEN": git_http_server.token, "GITHUB_API_URL": fake_github.url,
           "GITHUB_REPOSITORY": "acme/gitops", "RELBOT_TOKEN": git_http_server.token}
    fake_github.token = git_http_server.token  # one token for git and the API, as in CI
    first = _bump(repo, api, "--create-pr")
    assert first.returncode == 0, first.stderr
    pulls = list(fake_github.repo("acme/gitops").pulls.values())
    assert len(pulls) == 1
    assert pulls[0].base == "main"
    assert pulls[0].head.startswith("relbot/bump-values/main/")
    assert pulls[0].title == "chore: update image tags to 1.1.0"
    remote = git_http_server.repo_path("acme/gitops.git")
    shown = subprocess.run(["git", "--git-dir", str(remote), "show",
                            f"{pulls[0].head}:values-production.yaml"],
                           env=env, capture_output=True, text=True, check=True).stdout
    assert 'tag: "1.1.0"  # CI' in shown
    assert repo.git("status", "--porcelain") == ""
    second = _bump(repo, api, "--create-pr")
    assert second.returncode == 0, second.stderr
    assert len(fake_github.repo("acme/gitops").pulls) == 1  # the open one was reused
    _assert_no_secret(git_http_server, repo, first, git_http_server.token)
