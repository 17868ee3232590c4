"""A shallow CI checkout (`actions/checkout` with `persist-credentials: false`) of a repository on
a token-protected HTTP server: relbot deepens it with the token from the environment, fetches only
HEAD's history and the release tags in it, and never leaks the token."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

from tests.gitfixture import Repo, make_repo
from tests.gitserver import GitHttpServer, token_header_env

CONFIG = {"branches": ["main"]}


def _shallow_checkout(tmp_path: Path, env: dict[str, str], server: GitHttpServer,
                      fixes_after_release: int) -> tuple[Repo, str]:
    """`acme/widget` with releases v1.0.0 … v1.0.9 on main, a v9.9.9 on a branch main never
    merged, then `fixes_after_release` fixes; cloned at depth 1 with no tags, as actions/checkout
    does, and no credentials left in the clone. Returns the clone and the stray tag's commit."""
    server.create_repo("acme/widget.git")
    seed = make_repo(tmp_path, env, "seed")
    seed.commit("feat: first", {".releaserc.json": json.dumps(CONFIG)})
    seed.tag("v1.0.0")
    for patch in range(1, 10):
        seed.commit(f"fix: patch {patch}")
        seed.tag(f"v1.0.{patch}", annotated=patch % 2 == 0)
    seed.git("checkout", "-q", "-b", "experiment")
    stray = seed.commit("feat!: an experiment nobody merged")
    seed.tag("v9.9.9")
    seed.git("checkout", "-q", "main")
    for number in range(fixes_after_release):
        seed.commit(f"fix: after the release {number}")
    auth = {**env, **token_header_env(server.token)}
    subprocess.run(["git", "-C", str(seed.path), "push", "-q", server.url("acme/widget.git"),
                    "--all"], env=auth, check=True)
    subprocess.run(["git", "-C", str(seed.path), "push", "-q", server.url("acme/widget.git"),
                    "--tags"], env=auth, check=True)
    clone = tmp_path / "ci"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--no-tags", server.url("acme/widget.git"),
                    str(clone)], env=auth, check=True)
    return Repo(clone, env), stray


def _relbot(repo: Repo, extra: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "relbot", *args], cwd=repo.path,
                          env={**repo.env, **extra}, capture_output=True, text=True, check=False)


def _has_object(repo: Repo, sha: str) -> bool:
    return subprocess.run(["git", "-C", str(repo.path), "cat-file", "-e", sha], env=repo.env,
                          capture_output=True, check=False).returncode == 0


def test_shallow_checkout_deepens_with_the_token_from_the_environment(
    tmp_path: Path, env: dict[str, str], git_http_server: GitHttpServer
) -> None:
    repo, stray = _shallow_checkout(tmp_path, env, git_http_server, fixes_after_release=3)
    assert repo.git("rev-parse", "--is-shallow-repository") == "true"
    token = git_http_server.token

    done = _relbot(repo, {"GITHUB_TOKEN": token}, "version", "--json")

    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["version"], result["previous_tag"], result["commits"]) == ("1.0.10", "v1.0.9", 3)
    assert "since the last release v1.0.9" in done.stderr
    # only what the answer needs came: HEAD's history and the tags in it, not the unmerged branch
    assert not _has_object(repo, stray)
    assert repo.git("tag").split() == ["v1.0.9"]  # the last release; no other tag's history came
    encoded = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    config = (repo.path / ".git" / "config").read_text(encoding="utf-8")
    for text in (done.stdout, done.stderr, config):
        assert token not in text
        assert encoded not in text


def test_shallow_checkout_without_a_token_says_what_to_set(
    tmp_path: Path, env: dict[str, str], git_http_server: GitHttpServer
) -> None:
    repo, _stray = _shallow_checkout(tmp_path, env, git_http_server, fixes_after_release=1)

    done = _relbot(repo, {}, "version")

    assert done.returncode == 4, done.stderr
    assert "is a shallow clone and fetching its history from origin failed" in done.stderr
    assert "token" in done.stderr.lower()
    assert "Traceback" not in done.stderr


def test_shallow_checkout_far_from_its_last_release_fetches_the_rest(
    tmp_path: Path, env: dict[str, str], git_http_server: GitHttpServer
) -> None:
    repo, stray = _shallow_checkout(tmp_path, env, git_http_server, fixes_after_release=130)

    done = _relbot(repo, {"GH_TOKEN": git_http_server.token}, "version", "--json")

    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["version"], result["commits"]) == ("1.0.10", 130)
    assert "fetched the history since the last release v1.0.9" in done.stderr
    assert not _has_object(repo, stray)


def test_full_changelog_from_a_shallow_checkout_fetches_all_of_heads_history(
    tmp_path: Path, env: dict[str, str], git_http_server: GitHttpServer
) -> None:
    repo, stray = _shallow_checkout(tmp_path, env, git_http_server, fixes_after_release=2)

    done = _relbot(repo, {"GH_TOKEN": git_http_server.token}, "changelog", "--full")

    assert done.returncode == 0, done.stderr
    headings = [line.split("]")[0].split(" (")[0].strip("# [") for line in done.stdout.splitlines()
                if line.startswith(("# ", "## "))]
    assert headings == [f"1.0.{patch}" for patch in range(9, -1, -1)]
    assert repo.git("rev-parse", "--is-shallow-repository") == "false"
    assert not _has_object(repo, stray)
