"""FakeGitHub driven through PyGithub: state, GitHub's error answers, faults, and the spec checks."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from github import (
    BadCredentialsException,
    Github,
    GithubException,
    GithubRetry,
    RateLimitExceededException,
    UnknownObjectException,
)

from .fixtures import REPO, TOKEN, fail_on_problems, github_client
from .server import REDACTED, FakeGitHub


@pytest.fixture
def gh(fake_github: FakeGitHub) -> Iterator[Github]:
    client = github_client(fake_github)
    yield client
    client.close()


def test_get_repo(gh: Github, fake_github: FakeGitHub) -> None:
    repo = gh.get_repo(REPO)

    assert (repo.full_name, repo.default_branch, repo.permissions.push) == (REPO, "main", True)
    request = fake_github.requests[-1]
    assert (request.method, request.path, request.auth_matched) == ("GET", "/repos/acme/widget", True)
    assert request.headers["authorization"] == REDACTED
    assert TOKEN not in repr(fake_github.requests)


def test_create_release_then_get_it_by_tag_and_id(gh: Github, fake_github: FakeGitHub) -> None:
    repo = gh.get_repo(REPO)

    created = repo.create_git_release("v1.2.0", "v1.2.0", "## Features\n\n- widgets", target_commitish="main")

    assert created.html_url == "https://github.com/acme/widget/releases/tag/v1.2.0"
    assert (created.draft, created.prerelease, created.author.login) == (False, False, "github-actions[bot]")
    assert fake_github.requests[-1].body["tag_name"] == "v1.2.0"
    by_tag = repo.get_release("v1.2.0")
    assert (by_tag.id, by_tag.body) == (created.id, "## Features\n\n- widgets")
    assert repo.get_release(created.id).tag_name == "v1.2.0"
    assert [r.tag_name for r in fake_github.repo(REPO).releases.values()] == ["v1.2.0"]


def test_update_release_with_patch(gh: Github, fake_github: FakeGitHub) -> None:
    release = gh.get_repo(REPO).create_git_release("v1.0.0", "v1.0.0", "old notes")

    updated = release.update_release("v1.0.0 (fixed)", "new notes", prerelease=True)

    assert fake_github.requests[-1].method == "PATCH"
    assert (updated.name, updated.body, updated.prerelease) == ("v1.0.0 (fixed)", "new notes", True)
    assert fake_github.repo(REPO).releases[release.id].body == "new notes"


def test_drafts_are_hidden_from_get_by_tag_until_published(gh: Github) -> None:
    repo = gh.get_repo(REPO)
    draft = repo.create_git_release("v2.0.0", "v2.0.0", "notes", draft=True)
    assert "untagged-" in draft.html_url

    with pytest.raises(UnknownObjectException):
        repo.get_release("v2.0.0")
    draft.update_release("v2.0.0", "notes", draft=False)

    assert repo.get_release("v2.0.0").id == draft.id


def test_second_release_for_a_tag_is_422_already_exists(gh: Github) -> None:
    repo = gh.get_repo(REPO)
    repo.create_git_release("v1.0.0", "v1.0.0", "notes")

    with pytest.raises(GithubException) as caught:
        repo.create_git_release("v1.0.0", "again", "notes")

    assert caught.value.status == 422
    assert caught.value.data["errors"] == [
        {"resource": "Release", "code": "already_exists", "field": "tag_name"}
    ]


def test_wrong_token_is_bad_credentials(fake_github: FakeGitHub) -> None:
    with (
        github_client(fake_github, token="ghs_wrong") as client,
        pytest.raises(BadCredentialsException) as caught,
    ):
        client.get_repo(REPO)

    assert caught.value.status == 401
    assert caught.value.data["message"] == "Bad credentials"
    assert fake_github.requests[-1].auth_matched is False


def test_unknown_repo_is_not_found(gh: Github) -> None:
    with pytest.raises(UnknownObjectException) as caught:
        gh.get_repo("acme/nothing-here")

    assert caught.value.status == 404


def test_token_without_write_access_gets_403_on_writes(gh: Github, fake_github: FakeGitHub) -> None:
    fake_github.can_write = False
    repo = gh.get_repo(REPO)

    with pytest.raises(GithubException) as caught:
        repo.create_git_release("v1.0.0", "v1.0.0", "notes")

    assert caught.value.status == 403
    assert caught.value.data["message"] == "Resource not accessible by integration"
    assert fake_github.repo(REPO).releases == {}


def test_installation_token_cannot_read_user(gh: Github) -> None:
    with pytest.raises(GithubException) as caught:
        _ = gh.get_user().login

    assert caught.value.status == 403


def test_personal_token_reads_its_user() -> None:
    with (
        FakeGitHub("ghp_personal", actor=("octocat", 583231)) as server,
        github_client(server, "ghp_personal") as gh,
    ):
        assert (gh.get_user().login, gh.get_user().type) == ("octocat", "User")
        assert server.problems() == []


def test_one_off_502_is_retried_by_pygithub(fake_github: FakeGitHub) -> None:
    fake_github.fail_next("GET", r"/repos/acme/widget", 502)

    with github_client(fake_github, retry=GithubRetry(total=2)) as client:
        assert client.get_repo(REPO).name == "widget"

    assert [r.path for r in fake_github.requests] == ["/repos/acme/widget"] * 2


def test_one_off_502_without_retry_then_success(gh: Github, fake_github: FakeGitHub) -> None:
    fake_github.fail_next("GET", r"/repos/acme/widget", 502)

    with pytest.raises(GithubException) as caught:
        gh.get_repo(REPO)

    assert caught.value.status == 502
    assert gh.get_repo(REPO).name == "widget"


def test_primary_rate_limit(gh: Github, fake_github: FakeGitHub) -> None:
    fake_github.rate_limit_next(None, r"/repos/.*", reset_in=600)

    with pytest.raises(RateLimitExceededException) as caught:
        gh.get_repo(REPO)

    assert caught.value.status == 403
    assert caught.value.headers is not None
    assert caught.value.headers["x-ratelimit-remaining"] == "0"
    assert int(caught.value.headers["x-ratelimit-reset"]) > 0


def test_secondary_rate_limit_429_honours_retry_after(fake_github: FakeGitHub) -> None:
    fake_github.rate_limit_next("GET", r"/repos/acme/widget", secondary=True, reset_in=0)

    with github_client(fake_github, retry=GithubRetry(total=2)) as client:
        assert client.get_repo(REPO).name == "widget"

    assert len(fake_github.requests) == 2


def test_list_releases_follows_link_pagination(fake_github: FakeGitHub) -> None:
    for n in range(5):
        fake_github.add_release(REPO, f"v1.{n}.0")

    with github_client(fake_github, per_page=2) as client:
        tags = [r.tag_name for r in client.get_repo(REPO).get_releases()]

    assert tags == [f"v1.{n}.0" for n in (4, 3, 2, 1, 0)]
    assert [r.query.get("page", ["1"]) for r in fake_github.requests[1:]] == [["1"], ["2"], ["3"]]


def test_pull_requests_create_find_by_head_edit_and_duplicate(gh: Github, fake_github: FakeGitHub) -> None:
    fake_github.add_branch(REPO, "relbot/release-v1.1.0")
    repo = gh.get_repo(REPO)

    pull = repo.create_pull(
        base="main", head="relbot/release-v1.1.0", title="chore: release v1.1.0", body="notes"
    )
    found = list(repo.get_pulls(state="open", head="acme:relbot/release-v1.1.0"))
    pull.edit(title="chore: release v1.1.0 (updated)")

    assert [p.number for p in found] == [pull.number] == [1]
    assert fake_github.repo(REPO).pulls[1].title == "chore: release v1.1.0 (updated)"
    assert list(repo.get_pulls(state="open", head="acme:other-branch")) == []
    with pytest.raises(GithubException) as caught:
        repo.create_pull(base="main", head="relbot/release-v1.1.0", title="again", body="")
    assert caught.value.status == 422
    assert (
        caught.value.data["errors"][0]["message"]
        == "A pull request already exists for acme:relbot/release-v1.1.0."
    )


def test_ghe_style_prefix() -> None:
    with FakeGitHub(TOKEN, prefix="/api/v3") as server:
        server.add_repo(REPO)
        assert server.url.endswith("/api/v3")
        with github_client(server) as client:
            assert client.get_repo(REPO).full_name == REPO
        assert server.requests[-1].path == "/repos/acme/widget"
        assert server.problems() == []


def test_validator_catches_a_response_missing_a_required_field(gh: Github, fake_github: FakeGitHub) -> None:
    def drop_node_id(body: Any) -> Any:
        return {k: v for k, v in body.items() if k != "node_id"}

    fake_github.tamper_next("GET", r"/repos/acme/widget", drop_node_id)
    gh.get_repo(REPO)  # PyGithub itself does not mind

    assert any("'node_id' is a required property" in e for e in fake_github.validation_errors)
    with pytest.raises(pytest.fail.Exception, match="node_id"):
        fail_on_problems(fake_github)
    fake_github.validation_errors.clear()


def test_validator_catches_an_invalid_request_body(fake_github: FakeGitHub) -> None:
    request = urllib.request.Request(  # noqa: S310 (a loopback URL)
        f"{fake_github.url}/repos/acme/widget/releases",
        data=json.dumps({"tag_name": "v1.0.0", "draft": "yes"}).encode(),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310
    caught.value.close()

    assert caught.value.code == 422
    assert any("'yes' is not of type 'boolean'" in e for e in fake_github.validation_errors)
    fake_github.validation_errors.clear()


def test_endpoints_the_fake_lacks_are_reported(gh: Github, fake_github: FakeGitHub) -> None:
    with pytest.raises(UnknownObjectException):
        gh.get_repo(REPO).get_branch("main")

    assert fake_github.unhandled == ["GET /repos/acme/widget/branches/main: no such endpoint in the fake"]
    fake_github.unhandled.clear()
