"""The `git_http_server` fixture is a real smart-HTTP remote: real git clients clone and push through it.

The token only ever travels in the environment (`GIT_CONFIG_*` → `http.extraHeader`, or a credential
helper reading an environment variable), never in argv or a URL.
"""

from __future__ import annotations

import base64
import http.client
import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.gitfixture import Repo
from tests.gitserver import REALM, GitHttpServer, token_header_env

READ_OPTIONAL = pytest.mark.parametrize("git_http_server", [{"read_token_optional": True}], indirect=True)


@pytest.fixture
def client_env(env: dict[str, str]) -> dict[str, str]:
    """The isolated environment, with every way git could prompt for a password shut."""
    quiet = {key: value for key, value in env.items() if key not in ("GIT_ASKPASS", "SSH_ASKPASS")}
    return {**quiet, "GIT_TERMINAL_PROMPT": "0"}


def git(client_env: dict[str, str], *args: str,
        auth: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], env={**client_env, **(auth or {})}, capture_output=True, text=True,
                          check=False, timeout=30)


def helper_env(token: str) -> dict[str, str]:
    """A credential helper that answers with the token from an environment variable."""
    helper = ('!f() { test "$1" = get && '
              'printf "username=x-access-token\\npassword=%s\\n" "$GITSERVER_TEST_TOKEN"; }; f')
    return {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "credential.helper", "GIT_CONFIG_VALUE_0": helper,
            "GITSERVER_TEST_TOKEN": token}


def ref_in(bare: Path, env: dict[str, str], ref: str) -> str:
    done = subprocess.run(["git", "-C", str(bare), "rev-parse", "--verify", "-q", ref], env=env,
                          capture_output=True, text=True, check=False)
    return done.stdout.strip()


@pytest.fixture
def seeded(git_http_server: GitHttpServer, repo: Repo, client_env: dict[str, str]) -> Path:
    """`acme/app.git` on the server with one commit on main, pushed with the token."""
    bare = git_http_server.create_repo("acme/app.git")
    repo.commit("feat: first")
    done = git(client_env, "-C", str(repo.path), "push", git_http_server.url("acme/app.git"), "main",
               auth=token_header_env(git_http_server.token))
    assert done.returncode == 0, done.stderr
    return bare


def test_push_with_token_lands_and_is_counted(git_http_server: GitHttpServer, repo: Repo,
                                              client_env: dict[str, str], seeded: Path) -> None:
    assert ref_in(seeded, client_env, "refs/heads/main") == repo.git("rev-parse", "HEAD")
    assert git_http_server.push_count == 1
    assert git_http_server.url("acme/app.git") == f"http://127.0.0.1:{git_http_server.port}/acme/app.git"
    assert all(request.has_authorization for request in git_http_server.requests)
    assert {request.status for request in git_http_server.requests} == {200}
    assert git_http_server.errors == []


def test_clone_with_token(git_http_server: GitHttpServer, repo: Repo, client_env: dict[str, str],
                          seeded: Path, tmp_path: Path) -> None:
    done = git(client_env, "clone", git_http_server.url("acme/app.git"), str(tmp_path / "clone"),
               auth=token_header_env(git_http_server.token))
    assert done.returncode == 0, done.stderr
    head = git(client_env, "-C", str(tmp_path / "clone"), "rev-parse", "HEAD").stdout.strip()
    assert head == repo.git("rev-parse", "HEAD")


def test_bearer_token_is_accepted(git_http_server: GitHttpServer, client_env: dict[str, str],
                                  seeded: Path, tmp_path: Path) -> None:
    done = git(client_env, "clone", git_http_server.url("acme/app.git"), str(tmp_path / "clone"),
               auth=token_header_env(git_http_server.token, bearer=True))
    assert done.returncode == 0, done.stderr


def test_push_without_token_is_refused(git_http_server: GitHttpServer, repo: Repo,
                                       client_env: dict[str, str]) -> None:
    bare = git_http_server.create_repo("acme/app.git")
    repo.commit("feat: first")
    done = git(client_env, "-C", str(repo.path), "push", git_http_server.url("acme/app.git"), "main")
    assert done.returncode != 0
    # With no credential at all git wants to ask for one; prompts are off, so it says so and stops.
    assert "could not read Username" in done.stderr
    assert "terminal prompts disabled" in done.stderr
    assert ref_in(bare, client_env, "refs/heads/main") == ""
    assert git_http_server.push_count == 0
    assert [request.status for request in git_http_server.requests] == [401]


@pytest.mark.parametrize("via", ["header", "credential-helper"])
def test_push_with_wrong_token_is_refused(git_http_server: GitHttpServer, repo: Repo,
                                          client_env: dict[str, str], via: str) -> None:
    bare = git_http_server.create_repo("acme/app.git")
    repo.commit("feat: first")
    auth = token_header_env("ghs_wrong") if via == "header" else helper_env("ghs_wrong")
    url = git_http_server.url("acme/app.git")
    done = git(client_env, "-C", str(repo.path), "push", url, "main", auth=auth)
    assert done.returncode != 0
    if via == "header":  # the extra header is not a credential git knows it sent, so it asks for one
        assert "terminal prompts disabled" in done.stderr
    else:
        assert f"Authentication failed for '{git_http_server.url('acme/app.git')}/'" in done.stderr
    assert ref_in(bare, client_env, "refs/heads/main") == ""
    assert git_http_server.push_count == 0
    assert {request.status for request in git_http_server.requests} == {401}


def test_credential_helper_with_right_token_pushes(git_http_server: GitHttpServer, repo: Repo,
                                                   client_env: dict[str, str]) -> None:
    bare = git_http_server.create_repo("acme/app.git")
    repo.commit("feat: first")
    done = git(client_env, "-C", str(repo.path), "push", git_http_server.url("acme/app.git"), "main",
               auth=helper_env(git_http_server.token))
    assert done.returncode == 0, done.stderr
    assert ref_in(bare, client_env, "refs/heads/main") == repo.git("rev-parse", "HEAD")
    # git asks anonymously first, and sends the helper's credential only after the 401.
    assert [request.status for request in git_http_server.requests][:2] == [401, 200]


def test_unauthorized_response_names_the_realm(git_http_server: GitHttpServer) -> None:
    git_http_server.create_repo("acme/app.git")
    connection = http.client.HTTPConnection("127.0.0.1", git_http_server.port, timeout=10)
    try:
        connection.request("GET", "/acme/app.git/info/refs?service=git-upload-pack",
                           headers={"Authorization": "Bearer ghs_wrong"})
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert response.status == 401
    assert response.getheader("WWW-Authenticate") == f'Basic realm="{REALM}"'


@READ_OPTIONAL
def test_anonymous_clone_when_read_token_optional(git_http_server: GitHttpServer, repo: Repo,
                                                  client_env: dict[str, str], seeded: Path,
                                                  tmp_path: Path) -> None:
    seen = len(git_http_server.requests)
    done = git(client_env, "clone", git_http_server.url("acme/app.git"), str(tmp_path / "clone"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "clone" / "file1.txt").is_file()
    clone_requests = git_http_server.requests[seen:]
    assert clone_requests
    assert all(not request.has_authorization and request.status == 200 for request in clone_requests)


@READ_OPTIONAL
def test_push_still_needs_token_when_read_token_optional(git_http_server: GitHttpServer, repo: Repo,
                                                         client_env: dict[str, str], seeded: Path) -> None:
    repo.commit("fix: second")
    done = git(client_env, "-C", str(repo.path), "push", git_http_server.url("acme/app.git"), "main")
    assert done.returncode != 0
    assert "terminal prompts disabled" in done.stderr
    assert ref_in(seeded, client_env, "refs/heads/main") == repo.git("rev-parse", "HEAD~1")
    assert git_http_server.push_count == 1


@READ_OPTIONAL
def test_wrong_token_is_refused_even_for_reads(git_http_server: GitHttpServer, client_env: dict[str, str],
                                               seeded: Path, tmp_path: Path) -> None:
    done = git(client_env, "clone", git_http_server.url("acme/app.git"), str(tmp_path / "clone"),
               auth=token_header_env("ghs_wrong"))
    assert done.returncode != 0


def test_protected_branch_is_refused_like_github(git_http_server: GitHttpServer, repo: Repo,
                                                 client_env: dict[str, str], seeded: Path) -> None:
    git_http_server.protect_branch("acme/app.git", "main")
    before = ref_in(seeded, client_env, "refs/heads/main")
    repo.commit("fix: second")
    url, auth = git_http_server.url("acme/app.git"), token_header_env(git_http_server.token)
    done = git(client_env, "-C", str(repo.path), "push", url, "main", auth=auth)
    assert done.returncode != 0
    assert "remote: error: GH006: Protected branch update failed for refs/heads/main." in done.stderr
    assert "[remote rejected] main -> main (pre-receive hook declined)" in done.stderr
    assert ref_in(seeded, client_env, "refs/heads/main") == before
    other = git(client_env, "-C", str(repo.path), "push", url, "main:refs/heads/release", auth=auth)
    assert other.returncode == 0, other.stderr


def test_large_push_and_gzip_fetch_go_through_the_backend(git_http_server: GitHttpServer, repo: Repo,
                                                          client_env: dict[str, str], tmp_path: Path) -> None:
    bare = git_http_server.create_repo("big.git")
    repo.commit("feat: first")
    for index in range(30):  # enough distinct wants to push the fetch request over git's 1 KiB gzip threshold
        repo.git("branch", f"b{index}")
        repo.git("checkout", "-q", f"b{index}")
        repo.commit(f"fix: {index}")
    repo.git("checkout", "-q", "main")
    (repo.path / "blob.bin").write_bytes(os.urandom(2 * 1024 * 1024))  # over http.postBuffer: chunked
    repo.git("add", "blob.bin")
    repo.commit("feat: big")
    auth = token_header_env(git_http_server.token)
    pushed = git(client_env, "-C", str(repo.path), "push", git_http_server.url("big.git"), "--all", auth=auth)
    assert pushed.returncode == 0, pushed.stderr
    assert ref_in(bare, client_env, "refs/heads/b29") == repo.git("rev-parse", "b29")
    cloned = git(client_env, "clone", "-q", git_http_server.url("big.git"), str(tmp_path / "c"), auth=auth)
    assert cloned.returncode == 0, cloned.stderr
    assert any(request.chunked for request in git_http_server.requests)
    assert any(request.content_encoding == "gzip" for request in git_http_server.requests)
    assert git_http_server.push_count == 1  # the `0000` auth probe before a large push is not a push
    assert git_http_server.errors == []


def test_token_never_appears_in_request_lines(git_http_server: GitHttpServer, repo: Repo,
                                              client_env: dict[str, str], seeded: Path,
                                              tmp_path: Path) -> None:
    token = git_http_server.token
    encoded = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    git(client_env, "clone", git_http_server.url("acme/app.git"), str(tmp_path / "clone"),
        auth=token_header_env(token))
    git(client_env, "clone", git_http_server.url("acme/app.git"), str(tmp_path / "anonymous"))
    lines = [request.request_line for request in git_http_server.requests]
    assert len(lines) >= 6
    assert not any(token in line or encoded in line or "@" in line for line in lines)
    assert not any(token in request.query for request in git_http_server.requests)


def test_shutdown_leaves_no_threads_even_with_a_connection_open(tmp_path: Path,
                                                                client_env: dict[str, str]) -> None:
    before = set(threading.enumerate())
    started = time.monotonic()
    with GitHttpServer(tmp_path / "server", token="ghs_t") as server:
        server.create_repo("r.git")
        done = git(client_env, "ls-remote", server.url("r.git"), auth=token_header_env("ghs_t"))
        assert done.returncode == 0, done.stderr
        idle = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        idle.request("GET", "/r.git/info/refs?service=git-upload-pack",
                     headers={"Authorization": "Bearer ghs_t"})
        idle.getresponse().read()  # the connection stays open (keep-alive), its handler thread waiting
    idle.close()
    assert set(threading.enumerate()) == before
    assert time.monotonic() - started < 5
    with pytest.raises(RuntimeError, match="not running"):
        server.url("r.git")
