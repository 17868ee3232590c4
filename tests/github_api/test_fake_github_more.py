"""FakeGitHub's issues, labels, comments, commit pull requests, release assets and Git Database API.

Driven through PyGithub where it has a method, and through `requests` for what it does not send; the
Git Database tests check the result with real git (`git clone`/`git fetch` of the fake's bare repo).
"""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from github import Github, GithubException, InputGitAuthor, InputGitTreeElement, UnknownObjectException
from github.Repository import Repository as GhRepository

from tests.gitfixture import Remote, make_bare, make_repo

from .fixtures import REPO, TOKEN, github_client
from .server import FakeGitHub

HEADERS = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/vnd.github+json"}


@pytest.fixture
def gh(fake_github: FakeGitHub) -> Iterator[Github]:
    client = github_client(fake_github)
    yield client
    client.close()


@pytest.fixture
def repo(gh: Github) -> GhRepository:
    return gh.get_repo(REPO)


def _api(server: FakeGitHub, method: str, path: str, **kwargs: Any) -> requests.Response:
    """A plain request to the fake, for what PyGithub does not send."""
    return requests.request(method, f"{server.url}{path}", headers=HEADERS, timeout=10, **kwargs)


# -- issues, comments, labels --------------------------------------------------------------------------


def test_issues_and_pulls_share_numbers_and_a_pull_is_an_issue(
    repo: GhRepository, fake_github: FakeGitHub
) -> None:
    first = fake_github.add_issue(REPO, "bug: crash on start")
    fake_github.add_branch(REPO, "feature")
    pull = repo.create_pull(base="main", head="feature", title="feat: widgets", body="adds widgets")
    merged = fake_github.add_merged_pull(
        REPO, title="fix: crash", body="fixes #1", head="fix-crash", merge_commit_sha="a" * 40
    )

    assert (first, pull.number, merged) == (1, 2, 3)
    as_issue = repo.get_issue(pull.number)
    assert as_issue.pull_request is not None
    assert as_issue.pull_request.html_url == "https://github.com/acme/widget/pull/2"
    assert as_issue.title == "feat: widgets"
    assert repo.get_issue(first).pull_request is None
    merged_issue = _api(fake_github, "GET", f"/repos/{REPO}/issues/{merged}").json()
    assert merged_issue["state"] == "closed"
    merged_pull = repo.get_pull(merged)
    assert merged_pull.merged_at is not None
    assert merged_pull.merged
    assert merged_issue["pull_request"]["merged_at"] == merged_pull.merged_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert merged_pull.merge_commit_sha == "a" * 40
    with pytest.raises(UnknownObjectException):
        repo.get_issue(99)


def test_list_issues_filters_by_state_labels_and_creator(repo: GhRepository, fake_github: FakeGitHub) -> None:
    fake_github.add_issue(REPO, "one", labels=["bug", "p1"])
    fake_github.add_issue(REPO, "two", labels=["bug"])
    fake_github.add_issue(REPO, "three", labels=["Bug", "P1"], state="closed")
    fake_github.add_issue(REPO, "four", user=("octocat", 583231))
    fake_github.add_pull(REPO, "feature", title="five")

    assert [i.title for i in repo.get_issues()] == ["five", "four", "two", "one"]
    assert [i.title for i in repo.get_issues(state="open", labels=["bug", "p1"])] == ["one"]
    assert [i.title for i in repo.get_issues(state="all", labels=["bug", "p1"])] == ["three", "one"]
    assert [i.title for i in repo.get_issues(state="closed")] == ["three"]
    by_creator = _api(fake_github, "GET", f"/repos/{REPO}/issues", params={"creator": "OctoCat"}).json()
    assert [i["title"] for i in by_creator] == ["four"]
    assert [i.title for i in repo.get_issues(state="all", direction="asc")][:2] == ["one", "two"]


def test_list_issues_pages_with_link_headers(fake_github: FakeGitHub) -> None:
    for n in range(5):
        fake_github.add_issue(REPO, f"issue {n}")

    with github_client(fake_github, per_page=2) as client:
        titles = [i.title for i in client.get_repo(REPO).get_issues(state="all")]

    assert titles == [f"issue {n}" for n in (4, 3, 2, 1, 0)]
    assert [r.query.get("page", ["1"]) for r in fake_github.requests[1:]] == [["1"], ["2"], ["3"]]
    first = _api(fake_github, "GET", f"/repos/{REPO}/issues", params={"per_page": 2})
    assert 'rel="next"' in first.headers["Link"]
    assert "per_page=2" in first.headers["Link"]


def test_create_issue_creates_missing_labels_and_refuses_an_unknown_assignee(
    repo: GhRepository, fake_github: FakeGitHub
) -> None:
    fake_github.add_collaborator(REPO, "octocat", 583231)

    issue = repo.create_issue(
        "The automated release is failing",
        body="details",
        labels=["semantic-release", "bug"],
        assignees=["OctoCat"],
    )

    assert issue.number == 1
    assert sorted(label.name for label in issue.labels) == ["bug", "semantic-release"]
    assert [a.login for a in issue.assignees] == ["octocat"]
    created = next(label for label in repo.get_labels() if label.name == "semantic-release")
    assert created.color == "ededed"
    assert created.description is None
    with pytest.raises(GithubException) as caught:
        repo.create_issue("another", assignees=["nobody-here"])
    assert caught.value.status == 422
    assert caught.value.data["errors"] == [
        {"resource": "Issue", "code": "invalid", "field": "assignees", "value": "nobody-here"}
    ]
    assert list(fake_github.repo(REPO).issues) == [1]


def test_issue_writes_need_push_access(repo: GhRepository, fake_github: FakeGitHub) -> None:
    number = fake_github.add_issue(REPO, "one")
    fake_github.can_write = False

    with pytest.raises(GithubException) as caught:
        repo.get_issue(number).create_comment("hello")

    assert caught.value.status == 403
    assert fake_github.comments(REPO, number) == []


def test_edit_issue_closes_with_a_reason_and_reopens(repo: GhRepository, fake_github: FakeGitHub) -> None:
    number = fake_github.add_issue(REPO, "flaky test", labels=["bug"])
    issue = repo.get_issue(number)

    issue.edit(state="closed")
    assert (issue.state, issue.state_reason) == ("closed", "completed")
    assert issue.closed_by is not None
    assert issue.closed_by.login == "github-actions[bot]"
    issue.edit(state="open")
    assert (issue.state, issue.state_reason) == ("open", "reopened")
    assert issue.closed_at is None
    issue.edit(state="closed", state_reason="not_planned", title="flaky test (won't fix)", labels=["wontfix"])

    stored = fake_github.issue(REPO, number)
    assert (stored.state, stored.state_reason, stored.title) == (
        "closed",
        "not_planned",
        "flaky test (won't fix)",
    )
    assert fake_github.labels(REPO, number) == ["wontfix"]


def test_closing_a_pull_through_the_issues_api_closes_the_pull(
    repo: GhRepository, fake_github: FakeGitHub
) -> None:
    pull = fake_github.add_pull(REPO, "feature", title="feat: x")

    repo.get_issue(pull.number).edit(state="closed")

    assert repo.get_pull(pull.number).state == "closed"
    assert list(repo.get_pulls(state="open")) == []


def test_comments_are_kept_per_issue_in_order(repo: GhRepository, fake_github: FakeGitHub) -> None:
    one = fake_github.add_issue(REPO, "one")
    pull = fake_github.add_pull(REPO, "feature", title="two")
    issue = repo.get_issue(one)

    first = issue.create_comment(":tada: This issue has been resolved in version 1.0.0 :tada:")
    issue.create_comment("second")
    repo.get_issue(pull.number).create_comment("on the pull request")

    assert [c.body for c in issue.get_comments()] == [first.body, "second"]
    assert first.html_url == f"https://github.com/acme/widget/issues/{one}#issuecomment-{first.id}"
    assert fake_github.comments(REPO, pull.number) == ["on the pull request"]
    assert repo.get_issue(one).comments == 2
    assert repo.get_pull(pull.number).comments == 1


def test_add_labels_as_a_list_or_an_object_returns_all_the_issue_labels(
    repo: GhRepository, fake_github: FakeGitHub
) -> None:
    number = fake_github.add_issue(REPO, "one", labels=["bug"])

    repo.get_issue(number).add_to_labels("released")  # PyGithub sends a bare JSON list
    answer = _api(
        fake_github,
        "POST",
        f"/repos/{REPO}/issues/{number}/labels",
        json={"labels": ["Released", "on @next"]},
    )

    assert answer.status_code == 200
    assert [label["name"] for label in answer.json()] == ["bug", "on @next", "released"]
    assert fake_github.labels(REPO, number) == ["bug", "on @next", "released"]
    names = [label.name for label in repo.get_labels()]
    assert names == sorted(names, key=str.lower)
    assert {"bug", "released", "on @next", "good first issue"} <= set(names)


def test_an_empty_label_list_is_refused_by_the_spec(fake_github: FakeGitHub) -> None:
    number = fake_github.add_issue(REPO, "one")

    answer = _api(fake_github, "POST", f"/repos/{REPO}/issues/{number}/labels", json={"labels": []})

    assert answer.status_code == 422
    assert any("labels" in p for p in fake_github.validation_errors)
    fake_github.validation_errors.clear()


# -- pull requests of commits --------------------------------------------------------------------------


def test_commit_pulls_finds_the_pull_by_merge_commit_or_by_its_commits(
    repo: GhRepository, fake_github: FakeGitHub
) -> None:
    squashed = fake_github.add_merged_pull(
        REPO, title="feat: widgets (#1)", body="squashed body", head="widgets", merge_commit_sha="b" * 40
    )
    merged = fake_github.add_merged_pull(
        REPO,
        title="fix: gears",
        body=None,
        head="gears",
        merge_commit_sha="c" * 40,
        commits=["d" * 40, "e" * 40],
    )

    [by_merge] = repo.get_commit("b" * 40).get_pulls()
    [by_commit] = repo.get_commit("d" * 40).get_pulls()

    assert (by_merge.number, by_merge.title, by_merge.body) == (
        squashed,
        "feat: widgets (#1)",
        "squashed body",
    )
    assert by_merge.merged_at is not None
    assert by_commit.number == merged
    assert list(repo.get_commit("f" * 40).get_pulls()) == []
    assert [c.sha for c in repo.get_pull(merged).get_commits()] == ["d" * 40, "e" * 40]
    assert repo.get_pull(merged).commits == 2


def test_a_squash_merge_commit_reads_as_the_pull_request_title_and_body(
    repo: GhRepository, fake_github: FakeGitHub
) -> None:
    number = fake_github.add_merged_pull(
        REPO, title="feat: widgets", body="BREAKING CHANGE: new API", head="w", merge_commit_sha="b" * 40
    )

    commit = repo.get_commit("b" * 40)

    assert commit.commit.message == f"feat: widgets (#{number})\n\nBREAKING CHANGE: new API"
    unknown = _api(fake_github, "GET", f"/repos/{REPO}/commits/not-a-branch")
    assert (unknown.status_code, unknown.json()["message"]) == (422, "No commit found for SHA: not-a-branch")


# -- release assets and discussions --------------------------------------------------------------------


def test_upload_asset_stores_the_bytes_and_a_second_upload_of_a_name_is_422(
    repo: GhRepository, fake_github: FakeGitHub, tmp_path: Path
) -> None:
    release = repo.create_git_release("v1.0.0", "v1.0.0", "notes", draft=True)
    assert release.upload_url.startswith(fake_github.url)
    archive = tmp_path / "widget-1.0.0.tar.gz"
    archive.write_bytes(b"\x1f\x8b\x08\x00binary\xff")

    asset = release.upload_asset(str(archive), label="Source", content_type="application/gzip")

    assert (asset.name, asset.label, asset.size, asset.content_type) == (
        "widget-1.0.0.tar.gz",
        "Source",
        11,
        "application/gzip",
    )
    assert fake_github.assets(REPO, "v1.0.0") == {"widget-1.0.0.tar.gz": archive.read_bytes()}
    upload = fake_github.requests[-1]
    assert (upload.query["name"], upload.query["label"]) == (["widget-1.0.0.tar.gz"], ["Source"])
    assert upload.body == archive.read_bytes()
    with pytest.raises(GithubException) as caught:
        release.upload_asset(str(archive))
    assert caught.value.status == 422
    assert caught.value.data["errors"] == [
        {"resource": "ReleaseAsset", "code": "already_exists", "field": "name"}
    ]


def test_upload_from_memory_list_get_and_delete_assets(
    repo: GhRepository, fake_github: FakeGitHub, tmp_path: Path
) -> None:
    release = repo.create_git_release("v1.0.0", "v1.0.0", "notes")
    checksums = tmp_path / "SHA256SUMS"
    checksums.write_text("abc  widget.tar.gz\n")

    with checksums.open("rb") as handle:
        asset = release.upload_asset_from_memory(handle, checksums.stat().st_size, "SHA256SUMS", "text/plain")
    release.upload_asset_from_memory(io.BytesIO(b"{}"), 2, "my manifest.json", "application/json")

    listed = {a.name: a for a in release.get_assets()}
    assert sorted(listed) == ["SHA256SUMS", "my.manifest.json"]  # GitHub renames the space
    assert listed["SHA256SUMS"].browser_download_url == (
        "https://github.com/acme/widget/releases/download/v1.0.0/SHA256SUMS"
    )
    assert repo.get_release(release.id).assets[0].name == "SHA256SUMS"
    assert fake_github.assets(REPO, release.id)["SHA256SUMS"] == b"abc  widget.tar.gz\n"
    got = _api(fake_github, "GET", f"/repos/{REPO}/releases/assets/{asset.id}").json()
    assert (got["name"], got["size"]) == ("SHA256SUMS", 19)
    assert asset.delete_asset() is True
    assert [a.name for a in release.get_assets()] == ["my.manifest.json"]
    assert _api(fake_github, "DELETE", f"/repos/{REPO}/releases/assets/{asset.id}").status_code == 404


def test_a_failed_upload_can_be_injected_and_retried(repo: GhRepository, fake_github: FakeGitHub) -> None:
    release = repo.create_git_release("v1.0.0", "v1.0.0", "notes")
    fake_github.fail_next("POST", r"/repos/acme/widget/releases/\d+/assets", 502)

    with pytest.raises(GithubException) as caught:
        release.upload_asset_from_memory(io.BytesIO(b"x"), 1, "a.txt")
    release.upload_asset_from_memory(io.BytesIO(b"x"), 1, "a.txt")

    assert caught.value.status == 502
    assert fake_github.assets(REPO, "v1.0.0") == {"a.txt": b"x"}


def test_an_upload_without_a_content_type_or_a_name_is_a_spec_problem(
    repo: GhRepository, fake_github: FakeGitHub
) -> None:
    release = repo.create_git_release("v1.0.0", "v1.0.0", "notes")
    path = f"/repos/{REPO}/releases/{release.id}/assets"

    requests.post(f"{fake_github.url}{path}?name=a.bin", data=b"x", headers=HEADERS, timeout=10)
    requests.post(
        f"{fake_github.url}{path}",
        data=b"x",
        headers=HEADERS | {"Content-Type": "application/zip"},
        timeout=10,
    )

    assert any("needs a Content-Type header" in p for p in fake_github.validation_errors)
    assert any("Missing required query parameter: name" in p for p in fake_github.validation_errors)
    fake_github.validation_errors.clear()


def test_the_upload_answer_is_checked_against_the_spec_too(
    repo: GhRepository, fake_github: FakeGitHub
) -> None:
    release = repo.create_git_release("v1.0.0", "v1.0.0", "notes")

    def drop_digest(body: Any) -> Any:
        return {k: v for k, v in body.items() if k != "digest"}

    fake_github.tamper_next("POST", r"/repos/acme/widget/releases/\d+/assets", drop_digest)
    release.upload_asset_from_memory(io.BytesIO(b"x"), 1, "a.txt")

    assert any("'digest' is a required property" in e for e in fake_github.validation_errors)
    fake_github.validation_errors.clear()


def test_a_release_with_a_discussion_category_gets_a_discussion_when_published(
    repo: GhRepository, fake_github: FakeGitHub
) -> None:
    fake_github.add_issue(REPO, "one")
    path = f"/repos/{REPO}/releases"

    draft = _api(
        fake_github,
        "POST",
        path,
        json={"tag_name": "v1.0.0", "draft": True, "discussion_category_name": "Announcements"},
    ).json()
    published = _api(fake_github, "PATCH", f"{path}/{draft['id']}", json={"draft": False}).json()
    unknown = _api(fake_github, "POST", path, json={"tag_name": "v2.0.0", "discussion_category_name": "Nope"})

    assert "discussion_url" not in draft
    assert published["discussion_url"] == "https://github.com/acme/widget/discussions/2"
    assert repo.get_release("v1.0.0").raw_data["discussion_url"] == published["discussion_url"]
    assert fake_github.add_issue(REPO, "after the discussion") == 3  # the discussion took #2
    assert unknown.status_code == 422


# -- the Git Database API over a real bare repository -------------------------------------------------


@pytest.fixture
def origin(tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub) -> Remote:
    """acme/widget backed by a bare repository whose main has two commits (pinned dates)."""
    remote = Remote(make_bare(tmp_path, env), env)
    work = make_repo(tmp_path, env, "seed")
    work.commit("feat: first", {"README.md": "# widget\n", "src/app.py": "print('v1')\n"})
    work.commit("fix: second", {"src/util.py": "X = 1\n"})
    work.git("push", "-q", str(remote.bare), "main")
    fake_github.attach_git(REPO, remote.bare)
    return remote


def _clone(tmp_path: Path, env: dict[str, str], remote: Remote, name: str = "clone") -> Path:
    target = tmp_path / name
    subprocess.run(["git", "clone", "-q", str(remote.bare), str(target)], env=env, check=True)
    return target


def _git(path: Path, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(path), *args], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_a_commit_made_through_the_api_is_fetched_by_real_git(
    repo: GhRepository, fake_github: FakeGitHub, origin: Remote, tmp_path: Path, env: dict[str, str]
) -> None:
    ref = repo.get_git_ref("heads/main")
    parent = repo.get_git_commit(ref.object.sha)
    blob = repo.create_git_blob("print('v2')\n", "utf-8")
    tree = repo.create_git_tree(
        [
            InputGitTreeElement("src/app.py", "100644", "blob", sha=blob.sha),
            InputGitTreeElement("docs/deep/notes.md", "100644", "blob", content="# notes\n"),
            InputGitTreeElement("README.md", "100644", "blob", sha=None),
        ],
        base_tree=repo.get_git_tree(parent.tree.sha),
    )
    commit = repo.create_git_commit("chore(release): 1.1.0 [skip ci]", tree, [parent])
    ref.edit(commit.sha, force=False)

    assert commit.raw_data["verification"]["verified"] is True
    assert commit.raw_data["verification"]["reason"] == "valid"
    assert commit.committer.name == "GitHub"
    assert commit.author.email == "41898282+github-actions[bot]@users.noreply.github.com"
    assert fake_github.verified_commits(REPO) == {commit.sha}
    assert sorted(e.path for e in tree.tree) == ["docs", "src"]
    clone = _clone(tmp_path, env, origin)
    assert _git(clone, env, "rev-parse", "HEAD") == commit.sha == origin.git("rev-parse", "main")
    assert _git(clone, env, "rev-parse", "HEAD^") == parent.sha
    assert _git(clone, env, "log", "-1", "--format=%s%n%an <%ae>%n%cn <%ce>") == (
        "chore(release): 1.1.0 [skip ci]\n"
        "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>\n"
        "GitHub <noreply@github.com>"
    )
    assert _git(clone, env, "ls-files").split() == ["docs/deep/notes.md", "src/app.py", "src/util.py"]
    assert (clone / "src/app.py").read_text() == "print('v2')\n"
    assert (clone / "docs/deep/notes.md").read_text() == "# notes\n"
    assert "gpgsig -----BEGIN PGP SIGNATURE-----" in origin.git("cat-file", "commit", commit.sha)
    payload = commit.raw_data["verification"]["payload"]
    assert payload == _unsigned(origin.git("cat-file", "commit", commit.sha))
    assert repo.get_git_commit(commit.sha).raw_data["verification"]["verified"] is True
    assert repo.get_git_commit(parent.sha).raw_data["verification"]["reason"] == "unsigned"


def _unsigned(raw: str) -> str:
    """A commit object's text without its gpgsig header (the lines after it start with a space)."""
    head, _, message = raw.partition("\n\n")
    kept, skipping = [], False
    for line in head.split("\n"):
        skipping = line.startswith("gpgsig ") or (skipping and line.startswith(" "))
        if not skipping:
            kept.append(line)
    return "\n".join(kept) + "\n\n" + message


def test_a_commit_with_an_explicit_author_is_unsigned(
    repo: GhRepository, fake_github: FakeGitHub, origin: Remote
) -> None:
    parent = repo.get_git_commit(origin.git("rev-parse", "main"))
    author = InputGitAuthor("Release Bot", "bot@example.com", "2024-06-01T12:00:00+02:00")

    commit = repo.create_git_commit("chore: by hand", parent.tree, [parent], author=author)

    assert commit.raw_data["verification"] == {
        "verified": False,
        "reason": "unsigned",
        "signature": None,
        "payload": None,
        "verified_at": None,
    }
    assert commit.author.date == commit.committer.date == datetime(2024, 6, 1, 10, 0, tzinfo=UTC)
    assert fake_github.verified_commits(REPO) == set()
    raw = origin.git("cat-file", "commit", commit.sha)
    assert "gpgsig" not in raw
    assert "author Release Bot <bot@example.com> 1717236000 +0200" in raw
    assert "committer Release Bot <bot@example.com> 1717236000 +0200" in raw


def test_a_commit_with_its_own_signature_keeps_it_and_is_not_verified(
    fake_github: FakeGitHub, origin: Remote
) -> None:
    signature = "-----BEGIN PGP SIGNATURE-----\n\nwsBcBAAB\n=abcd\n-----END PGP SIGNATURE-----\n"
    tree = origin.git("rev-parse", "main^{tree}")

    made = _api(
        fake_github,
        "POST",
        f"/repos/{REPO}/git/commits",
        json={"message": "m", "tree": tree, "signature": signature},
    ).json()
    nameless = _api(
        fake_github,
        "POST",
        f"/repos/{REPO}/git/commits",
        json={"message": "m", "tree": tree, "committer": {}},
    )

    assert made["verification"]["verified"] is False
    assert made["verification"]["reason"] == "unknown_key"
    assert made["verification"]["signature"] == signature.rstrip("\n")
    assert (
        made["committer"]["email"]
        == made["author"]["email"]
        == ("41898282+github-actions[bot]@users.noreply.github.com")
    )
    assert "gpgsig -----BEGIN PGP SIGNATURE-----\n \n wsBcBAAB" in origin.git(
        "cat-file", "commit", made["sha"]
    )
    assert fake_github.verified_commits(REPO) == set()
    assert nameless.status_code == 422
    assert nameless.json()["message"] == 'Invalid request.\n\n"email", "name" weren\'t supplied.'


def test_a_ref_update_that_is_not_a_fast_forward_is_422_unless_forced(
    repo: GhRepository, origin: Remote, tmp_path: Path, env: dict[str, str]
) -> None:
    main = origin.git("rev-parse", "main")
    first = origin.git("rev-parse", "main^")
    ref = repo.get_git_ref("heads/main")

    with pytest.raises(GithubException) as caught:
        ref.edit(first)
    assert caught.value.status == 422
    assert caught.value.data["message"] == "Update is not a fast forward"
    assert origin.git("rev-parse", "main") == main

    ref.edit(first, force=True)

    assert origin.git("rev-parse", "main") == first
    clone = _clone(tmp_path, env, origin)
    assert _git(clone, env, "rev-parse", "HEAD") == first


def test_a_push_between_the_check_and_the_write_makes_the_update_422(
    repo: GhRepository, fake_github: FakeGitHub, origin: Remote, tmp_path: Path, env: dict[str, str]
) -> None:
    parent = repo.get_git_commit(origin.git("rev-parse", "main"))
    ours = repo.create_git_commit("ours", parent.tree, [parent])
    racer = make_repo(tmp_path, env, "racer")
    racer.git("fetch", "-q", str(origin.bare), "main")
    racer.git("checkout", "-q", "-b", "main", "FETCH_HEAD")
    theirs = racer.commit("theirs")

    def push_theirs(name: str) -> None:
        assert name == "refs/heads/main"
        racer.git("push", "-q", str(origin.bare), "main")

    fake_github.git(REPO).before_ref_update = push_theirs
    with pytest.raises(GithubException) as caught:
        repo.get_git_ref("heads/main").edit(ours.sha)

    assert caught.value.status == 422
    assert origin.git("rev-parse", "main") == theirs


def test_create_and_delete_refs(repo: GhRepository, fake_github: FakeGitHub, origin: Remote) -> None:
    main = origin.git("rev-parse", "main")

    created = repo.create_git_ref("refs/heads/relbot/release", main)
    with pytest.raises(GithubException) as exists:
        repo.create_git_ref("refs/heads/relbot/release", main)
    with pytest.raises(GithubException) as bad_sha:
        repo.create_git_ref("refs/heads/other", "0123456789" * 4)

    assert created.ref == "refs/heads/relbot/release"
    assert origin.git("rev-parse", "relbot/release") == main
    assert "relbot/release" in [b.name for b in repo.get_branches()]
    assert (exists.value.status, exists.value.data["message"]) == (422, "Reference already exists")
    assert (bad_sha.value.status, bad_sha.value.data["message"]) == (422, "Object does not exist")
    repo.get_git_ref("heads/relbot/release").delete()
    assert origin.git("branch", "--list", "relbot/release") == ""
    gone = _api(fake_github, "DELETE", f"/repos/{REPO}/git/refs/heads/relbot/release")
    assert (gone.status_code, gone.json()["message"]) == (422, "Reference does not exist")
    with pytest.raises(UnknownObjectException):
        repo.get_git_ref("heads/relbot/release")


def test_an_annotated_tag_made_through_the_api_is_a_real_tag(
    repo: GhRepository, origin: Remote, tmp_path: Path, env: dict[str, str]
) -> None:
    main = origin.git("rev-parse", "main")
    tagger = InputGitAuthor("Release Bot", "bot@example.com", "2024-06-01T00:00:00Z")

    tag = repo.create_git_tag("v1.1.0", "Release v1.1.0\n", main, "commit", tagger=tagger)
    ref = repo.create_git_ref("refs/tags/v1.1.0", tag.sha)

    assert (tag.tag, tag.object.sha, tag.object.type, tag.message) == (
        "v1.1.0",
        main,
        "commit",
        "Release v1.1.0\n",
    )
    assert ref.object.type == "tag"
    assert repo.get_git_ref("tags/v1.1.0").object.sha == tag.sha
    assert repo.get_git_tag(tag.sha).tagger.name == "Release Bot"
    clone = _clone(tmp_path, env, origin)
    assert _git(clone, env, "cat-file", "-t", "v1.1.0") == "tag"
    assert _git(clone, env, "rev-parse", "v1.1.0^{commit}") == main
    assert _git(
        clone, env, "for-each-ref", "--format=%(taggername) %(taggeremail) %(contents)", "refs/tags"
    ) == ("Release Bot <bot@example.com> Release v1.1.0")
    assert _git(clone, env, "describe", "--tags") == "v1.1.0"


def test_commits_and_pull_request_commits_come_from_git(
    repo: GhRepository, fake_github: FakeGitHub, origin: Remote, tmp_path: Path, env: dict[str, str]
) -> None:
    work = make_repo(tmp_path, env, "feature")
    work.git("fetch", "-q", str(origin.bare), "main")
    work.git("checkout", "-q", "-b", "feature", "FETCH_HEAD")
    one = work.commit("feat: one", {"src/app.py": "print('v1')\nprint('more')\n"})
    two = work.commit("feat: two", {"NEW.md": "new\n"})
    work.git("push", "-q", str(origin.bare), "feature")
    pull = repo.create_pull(base="main", head="feature", title="feat: one and two")
    merged = fake_github.add_merged_pull(
        REPO, title="t", body=None, head="x", merge_commit_sha=two, commits=[one, two]
    )

    commit = repo.get_commit(one)

    assert [c.sha for c in pull.get_commits()] == [one, two]
    assert [c.commit.message for c in repo.get_pull(merged).get_commits()] == ["feat: one\n", "feat: two\n"]
    assert commit.commit.author.name == "Test Author"
    assert [(f.filename, f.status, f.additions, f.deletions) for f in commit.files] == [
        ("src/app.py", "modified", 1, 0)
    ]
    assert commit.stats.total == 1
    assert repo.get_commit("feature").sha == two
    assert [p.number for p in repo.get_commit(one).get_pulls()] == [merged]


def test_a_commit_on_no_ref_can_be_fetched_by_sha(
    repo: GhRepository, origin: Remote, tmp_path: Path, env: dict[str, str]
) -> None:
    clone = _clone(tmp_path, env, origin)
    parent = repo.get_git_commit(origin.git("rev-parse", "main"))

    commit = repo.create_git_commit("not on any branch yet", parent.tree, [parent])
    _git(clone, env, "fetch", "-q", "origin", commit.sha)

    assert _git(clone, env, "log", "-1", "--format=%s", "FETCH_HEAD") == "not on any branch yet"


def test_trees_read_by_sha_or_branch_and_recursively(repo: GhRepository, origin: Remote) -> None:
    top = repo.get_git_tree("main")
    deep = repo.get_git_tree(top.sha, recursive=True)

    assert [(e.path, e.type) for e in top.tree] == [("README.md", "blob"), ("src", "tree")]
    assert [e.path for e in deep.tree] == ["README.md", "src", "src/app.py", "src/util.py"]
    assert next(e for e in deep.tree if e.path == "src/util.py").size == 6
    with pytest.raises(UnknownObjectException):
        repo.get_git_tree("f" * 40)


def test_git_database_errors(repo: GhRepository, fake_github: FakeGitHub, origin: Remote) -> None:
    path = f"/repos/{REPO}/git"
    main = origin.git("rev-parse", "main")

    no_tree = _api(fake_github, "POST", f"{path}/commits", json={"message": "m", "tree": "f" * 40})
    bad_parent = _api(
        fake_github,
        "POST",
        f"{path}/commits",
        json={"message": "m", "tree": origin.git("rev-parse", "main^{tree}"), "parents": ["abc"]},
    )
    commit_parent = _api(
        fake_github,
        "POST",
        f"{path}/commits",
        json={"message": "m", "tree": origin.git("rev-parse", "main^{tree}"), "parents": ["f" * 40]},
    )
    bad_base = _api(
        fake_github,
        "POST",
        f"{path}/trees",
        json={"base_tree": main, "tree": [{"path": "a", "mode": "100644", "type": "blob", "content": "x"}]},
    )
    blob = _api(fake_github, "POST", f"{path}/blobs", json={"content": "aGVsbG8=", "encoding": "base64"})

    assert (no_tree.status_code, no_tree.json()["message"]) == (422, "Tree SHA does not exist")
    assert bad_parent.status_code == 422
    assert "exactly 40 characters" in bad_parent.json()["message"]
    assert commit_parent.json()["message"] == "Parent SHA does not exist or is not a commit object"
    assert (bad_base.status_code, bad_base.json()["message"]) == (422, "base_tree is not a valid tree oid")
    assert blob.status_code == 201
    assert origin.git("cat-file", "blob", blob.json()["sha"]) == "hello"
    assert repo.get_git_ref("heads/main").object.sha == main


def test_git_backed_branches_are_live_and_publishing_a_release_tags_the_target(
    repo: GhRepository, origin: Remote, tmp_path: Path, env: dict[str, str]
) -> None:
    work = make_repo(tmp_path, env, "pusher")
    work.commit("feat: elsewhere")
    work.git("push", "-q", str(origin.bare), "main:feature")

    assert [b.name for b in repo.get_branches()] == ["feature", "main"]
    repo.create_git_release("v1.0.0", "v1.0.0", "notes", target_commitish="main")
    repo.create_git_release("v2.0.0", "v2.0.0", "notes", draft=True, target_commitish="main")

    assert origin.git("rev-parse", "v1.0.0") == origin.git("rev-parse", "main")
    assert origin.git("cat-file", "-t", "v1.0.0") == "commit"  # lightweight, as GitHub makes it
    assert origin.git("tag", "--list", "v2.0.0") == ""  # a draft makes no tag


def test_faults_can_be_injected_on_the_git_routes(
    repo: GhRepository, fake_github: FakeGitHub, origin: Remote
) -> None:
    parent = repo.get_git_commit(origin.git("rev-parse", "main"))
    commit = repo.create_git_commit("next", parent.tree, [parent])
    fake_github.fail_next(
        "PATCH", r"/repos/acme/widget/git/refs/heads/main", 422, message="Reference update failed"
    )
    ref = repo.get_git_ref("heads/main")

    with pytest.raises(GithubException) as caught:
        ref.edit(commit.sha)
    assert (caught.value.status, origin.git("rev-parse", "main")) == (422, parent.sha)
    ref.edit(commit.sha)

    assert origin.git("rev-parse", "main") == commit.sha


def test_git_endpoints_of_a_repository_without_a_git_dir_are_409(repo: GhRepository) -> None:
    with pytest.raises(GithubException) as caught:
        repo.get_git_ref("heads/main")

    assert (caught.value.status, caught.value.data["message"]) == (409, "Git Repository is empty.")
