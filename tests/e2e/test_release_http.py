"""`relbot release` pushing over HTTP to a git server that demands the token."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

from tests.gitfixture import Repo, make_repo
from tests.gitserver import GitHttpServer, token_header_env

CONFIG = {"branches": ["main"], "plugins": [
    "@semantic-release/commit-analyzer", "@semantic-release/release-notes-generator",
    ["@semantic-release/changelog", {}], ["@semantic-release/git", {"assets": ["CHANGELOG.md"]}]]}


def http_project(tmp_path: Path, env: dict[str, str], server: GitHttpServer,
                 config: dict[str, object] = CONFIG) -> Repo:
    """`acme/widget` on the token-protected HTTP server (v1.0.0 and a fix after it), cloned."""
    server.create_repo("acme/widget.git")
    seed = make_repo(tmp_path, env, "seed")
    seed.commit("feat: first", {".releaserc.json": json.dumps(config)})
    seed.tag("v1.0.0")
    seed.commit("fix: second")
    auth = {**env, **token_header_env(server.token)}
    subprocess.run(["git", "-C", str(seed.path), "push", "-q", server.url("acme/widget.git"),
                    "main", "v1.0.0"], env=auth, check=True)
    clone = tmp_path / "ci"
    subprocess.run(["git", "clone", "-q", server.url("acme/widget.git"), str(clone)], env=auth,
                   check=True)
    return Repo(clone, env)


def _release(repo: Repo, extra: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "relbot", "-v", "release", *args], cwd=repo.path,
                          env={**repo.env, **extra}, capture_output=True, text=True, check=False)


def _secret_free(token: str, server: GitHttpServer, repo: Repo, *texts: str) -> None:
    encoded = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    config = (repo.path / ".git" / "config").read_text(encoding="utf-8")
    for text in (*texts, config, *(r.request_line for r in server.requests)):
        assert token not in text
        assert encoded not in text


def test_release_pushes_with_the_token_from_the_environment_only(
    tmp_path: Path, env: dict[str, str], git_http_server: GitHttpServer
) -> None:
    repo = http_project(tmp_path, env, git_http_server)
    done = _release(repo, {"GH_TOKEN": git_http_server.token})
    assert done.returncode == 0, done.stderr
    assert "pushed main and v1.0.1 (atomically)" in done.stderr
    remote = git_http_server.repo_path("acme/widget.git")
    tags = subprocess.run(["git", "--git-dir", str(remote), "tag"], env=env, capture_output=True,
                          text=True, check=True).stdout.split()
    assert tags == ["v1.0.0", "v1.0.1"]
    _secret_free(git_http_server.token, git_http_server, repo, done.stdout, done.stderr)


def test_missing_token_is_caught_before_any_write(tmp_path: Path, env: dict[str, str],
                                                  git_http_server: GitHttpServer) -> None:
    repo = http_project(tmp_path, env, git_http_server)
    head = repo.git("rev-parse", "HEAD")
    done = _release(repo, {})
    assert done.returncode == 4
    assert "contents: write" in done.stderr
    assert repo.git("rev-parse", "HEAD") == head
    assert not (repo.path / "CHANGELOG.md").exists()


def test_wrong_token_fails_clearly_and_is_never_shown(tmp_path: Path, env: dict[str, str],
                                                      git_http_server: GitHttpServer) -> None:
    repo = http_project(tmp_path, env, git_http_server)
    wrong = "ghp_not_the_right_one_0123456789abcdef"
    done = _release(repo, {"RELBOT_TOKEN": wrong})
    assert done.returncode == 4
    assert "RELBOT_TOKEN" in done.stderr
    _secret_free(wrong, git_http_server, repo, done.stdout, done.stderr)
    _secret_free(git_http_server.token, git_http_server, repo, done.stdout, done.stderr)


def test_protected_branch_rejection_explains_the_options(tmp_path: Path, env: dict[str, str],
                                                         git_http_server: GitHttpServer) -> None:
    repo = http_project(tmp_path, env, git_http_server)
    git_http_server.protect_branch("acme/widget.git", "main")
    head = repo.git("rev-parse", "HEAD")
    done = _release(repo, {"GITHUB_TOKEN": git_http_server.token})
    assert done.returncode == 4
    assert "protected branch" in done.stderr
    assert "bypass" in done.stderr
    assert repo.git("rev-parse", "HEAD") == head  # rolled back: a rerun starts clean
    assert repo.git("tag", "-l", "v1.0.1") == ""
    _secret_free(git_http_server.token, git_http_server, repo, done.stdout, done.stderr)
