"""`relbot release` publishing GitHub Releases through PyGithub to a fake of GitHub's REST API that
keeps state and validates every request and response against GitHub's OpenAPI description."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from relbot.release.run import release
from tests.gitfixture import Repo, make_bare, make_repo
from tests.github_api.fixtures import REPO, TOKEN
from tests.github_api.server import FakeGitHub

CONFIG = {"branches": ["main", {"name": "beta", "prerelease": True}], "plugins": [
    "@semantic-release/commit-analyzer", "@semantic-release/release-notes-generator",
    "@semantic-release/github"], "repositoryUrl": "https://github.com/acme/widget.git"}


def _project(tmp_path: Path, env: dict[str, str], config: dict[str, object] = CONFIG) -> Repo:
    bare = make_bare(tmp_path, env)
    repo = make_repo(tmp_path, env)
    repo.git("remote", "add", "origin", str(bare))
    repo.commit("feat: first", {".releaserc.json": json.dumps(config)})
    repo.tag("v1.0.0")
    repo.commit("feat(api): paginate (#12)")
    repo.git("push", "-q", "origin", "main", "v1.0.0")
    return repo


def _env(env: dict[str, str], server: FakeGitHub, **extra: str) -> dict[str, str]:
    return {**env, "GITHUB_API_URL": server.url, "GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": TOKEN,
            **extra}


def _releases(server: FakeGitHub) -> list[object]:
    return list(server.repo(REPO).releases.values())


def test_release_creates_the_github_release_once(tmp_path: Path, env: dict[str, str],
                                                 fake_github: FakeGitHub) -> None:
    repo = _project(tmp_path, env)
    result = release(repo.path, env=_env(env, fake_github), today="2024-06-01")
    assert result.released
    [created] = _releases(fake_github)
    assert (created.tag_name, created.name, created.prerelease, created.draft) == (  # type: ignore[attr-defined]
        "v1.1.0", "v1.1.0", False, False)
    assert created.body == result.notes  # type: ignore[attr-defined]
    assert "* **api:** paginate ([#12](https://github.com/acme/widget/issues/12))" in result.notes
    assert result.release_url
    assert result.release_url.endswith("/releases/tag/v1.1.0")
    again = release(repo.path, env=_env(env, fake_github), today="2024-06-01")
    assert not again.released
    assert len(_releases(fake_github)) == 1


def test_prerelease_branch_makes_a_prerelease(tmp_path: Path, env: dict[str, str],
                                              fake_github: FakeGitHub) -> None:
    repo = _project(tmp_path, env)
    repo.git("switch", "-q", "-c", "beta")
    repo.commit("feat!: new engine")
    repo.git("push", "-q", "origin", "beta")
    assert release(repo.path, env=_env(env, fake_github), today="2024-06-01").tag == "v2.0.0-beta.1"
    [created] = _releases(fake_github)
    assert created.prerelease  # type: ignore[attr-defined]


def test_draft_release_is_idempotent(tmp_path: Path, env: dict[str, str],
                                     fake_github: FakeGitHub) -> None:
    config = {**CONFIG, "plugins": [*CONFIG["plugins"][:2],  # type: ignore[index]
                                    ["@semantic-release/github", {"draftRelease": True}]]}
    repo = _project(tmp_path, env, config)

    def crash_after_release(step: str) -> None:
        if step == "github-release":
            raise RuntimeError("crash after the release step")

    with pytest.raises(RuntimeError):
        release(repo.path, env=_env(env, fake_github), on_step=crash_after_release, today="2024-06-01")
    release(repo.path, env=_env(env, fake_github), today="2024-06-01")
    drafts = _releases(fake_github)
    assert len(drafts) == 1
    assert drafts[0].draft  # type: ignore[attr-defined]


def test_a_run_that_failed_after_the_push_is_finished_by_the_rerun(
    tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub
) -> None:
    repo = _project(tmp_path, env)

    def crash(step: str) -> None:
        if step == "push":
            raise RuntimeError("the runner died after the push")

    with pytest.raises(RuntimeError):
        release(repo.path, env=_env(env, fake_github), on_step=crash, today="2024-06-01")
    assert _releases(fake_github) == []
    result = release(repo.path, env=_env(env, fake_github), today="2024-06-01")
    assert result.released
    assert result.resumed
    assert result.steps_done[0] == "create the GitHub release v1.1.0 on acme/widget"
    assert [s.split(":")[0] for s in result.steps_done[1:]] == ["on acme/widget"]  # the announcement
    [created] = _releases(fake_github)
    assert "paginate" in created.body  # type: ignore[attr-defined]


def test_an_existing_release_for_the_tag_is_updated(tmp_path: Path, env: dict[str, str],
                                                    fake_github: FakeGitHub) -> None:
    repo = _project(tmp_path, env)
    fake_github.add_release(REPO, "v1.1.0", name="placeholder", body="made by hand")
    release(repo.path, env=_env(env, fake_github), today="2024-06-01")
    [updated] = _releases(fake_github)
    assert updated.name == "v1.1.0"  # type: ignore[attr-defined]
    assert "paginate" in updated.body  # type: ignore[attr-defined]
    assert any(r.method == "PATCH" for r in fake_github.requests)


def test_a_one_off_502_is_retried(tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub) -> None:
    repo = _project(tmp_path, env)
    fake_github.fail_next("POST", r"/repos/acme/widget/releases", 502)
    assert release(repo.path, env=_env(env, fake_github), today="2024-06-01").released
    assert len(_releases(fake_github)) == 1


def _cli(repo: Repo, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "relbot", "release"], cwd=repo.path, env=env,
                          capture_output=True, text=True, check=False)


def test_bad_token_fails_before_any_write_and_is_never_shown(
    tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub
) -> None:
    repo = _project(tmp_path, env)
    head = repo.git("rev-parse", "HEAD")
    wrong = "ghs_wrong_token_abcdef0123456789"
    done = _cli(repo, _env(env, fake_github, GITHUB_TOKEN=wrong))
    assert done.returncode == 8
    assert "the token was refused (401" in done.stderr
    assert wrong not in done.stdout + done.stderr
    assert repo.git("rev-parse", "HEAD") == head
    assert repo.git("tag", "-l", "v1.1.0") == ""


def test_token_without_write_access_names_the_permission(tmp_path: Path, env: dict[str, str],
                                                         fake_github: FakeGitHub) -> None:
    repo = _project(tmp_path, env)
    fake_github.repo(REPO).permissions["push"] = False
    done = _cli(repo, _env(env, fake_github))
    assert done.returncode == 8
    assert "contents: write" in done.stderr
    assert repo.git("tag", "-l", "v1.1.0") == ""


def test_unknown_repository_is_a_clear_404(tmp_path: Path, env: dict[str, str],
                                           fake_github: FakeGitHub) -> None:
    repo = _project(tmp_path, env)
    done = _cli(repo, _env(env, fake_github, GITHUB_REPOSITORY="acme/nope"))
    assert done.returncode == 8
    assert "acme/nope" in done.stderr
    assert "not found (404" in done.stderr


def test_cli_outputs_the_release_url(tmp_path: Path, env: dict[str, str],
                                     fake_github: FakeGitHub) -> None:
    repo = _project(tmp_path, env)
    output = tmp_path / "output"
    done = _cli(repo, _env(env, fake_github, GITHUB_ACTIONS="true", GITHUB_OUTPUT=str(output)))
    assert done.returncode == 0, done.stderr
    assert "release-url=https://github.com/acme/widget/releases/tag/v1.1.0\n" in output.read_text(
        encoding="utf-8")
    assert TOKEN not in done.stdout.replace(f"::add-mask::{TOKEN}", "") + done.stderr


def test_422_already_exists_is_a_clear_error(tmp_path: Path, env: dict[str, str],
                                             fake_github: FakeGitHub) -> None:
    repo = _project(tmp_path, env)
    fake_github.fail_next("POST", r"/repos/acme/widget/releases", 422,
                          message="Validation Failed")
    with pytest.raises(Exception, match=r"422 Validation Failed") as caught:
        release(repo.path, env=_env(env, fake_github), today="2024-06-01")
    assert "rerun" in str(caught.value)
    result = release(repo.path, env=_env(env, fake_github), today="2024-06-01")
    assert result.resumed
    assert len(_releases(fake_github)) == 1


def test_a_secondary_rate_limit_is_waited_out(tmp_path: Path, env: dict[str, str],
                                              fake_github: FakeGitHub) -> None:
    repo = _project(tmp_path, env)
    fake_github.rate_limit_next("POST", r"/repos/acme/widget/releases", secondary=True, reset_in=1)
    assert release(repo.path, env=_env(env, fake_github), today="2024-06-01").released
    assert len(_releases(fake_github)) == 1


def test_github_api_url_and_repository_come_from_the_configuration_alone(
    tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub
) -> None:
    """A GitHub Enterprise config: `githubApiUrl` and `repositoryUrl`, no GITHUB_* variables."""
    config = {**CONFIG, "repositoryUrl": "https://ghe.example.com/acme/widget.git", "plugins": [
        *CONFIG["plugins"][:2],  # type: ignore[index]
        ["@semantic-release/github", {"githubUrl": "https://ghe.example.com",
                                      "githubApiUrl": fake_github.url}]]}
    repo = _project(tmp_path, env, config)
    result = release(repo.path, env={**env, "GITHUB_TOKEN": TOKEN}, today="2024-06-01")
    assert result.released
    assert [r.tag_name for r in _releases(fake_github)] == ["v1.1.0"]  # type: ignore[attr-defined]


def test_channel_reaches_the_templates(tmp_path: Path, env: dict[str, str],
                                       fake_github: FakeGitHub) -> None:
    name = "${nextRelease.version} on ${nextRelease.channel}"
    config: dict[str, object] = {
        "branches": ["main", {"name": "next", "channel": "next"}],
        "plugins": [*CONFIG["plugins"][:2],  # type: ignore[index]
                    ["@semantic-release/github", {"releaseNameTemplate": name}]],
        "repositoryUrl": "https://github.com/acme/widget.git"}
    repo = _project(tmp_path, env, config)
    repo.git("switch", "-q", "-c", "next")
    repo.commit("feat: on next")
    repo.git("push", "-q", "origin", "next")
    assert release(repo.path, env=_env(env, fake_github), today="2024-06-01").released
    [created] = _releases(fake_github)
    assert created.name == "1.1.0 on next"  # type: ignore[attr-defined]
