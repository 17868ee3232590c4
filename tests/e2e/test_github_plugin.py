"""The github plugin's whole job on real repositories against the fake GitHub (every exchange checked
against GitHub's OpenAPI description): comments and `released` labels on what a release includes, the
failure issue opened by a failed release and closed by the next, release assets finished by a rerun,
squash-merged pull requests read through the API, and release and values commits made through the
Git Database API (signed by GitHub) with no `git push` at all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from relbot.errors import GitHubError
from relbot.release.run import release
from relbot.release.version import plan_version
from tests.gitfixture import Remote, Repo, make_bare, make_repo
from tests.github_api.fixtures import REPO, TOKEN, github_client
from tests.github_api.server import FakeGitHub

ANALYZER, NOTES, GITHUB = ("@semantic-release/commit-analyzer", "@semantic-release/release-notes-generator",
                           "@semantic-release/github")
MARKER = "<!-- semantic-release:github -->"


def _config(github: dict[str, Any] | None = None, **top: Any) -> dict[str, Any]:
    plugin: Any = [GITHUB, github] if github is not None else GITHUB
    return {"branches": ["main"], "plugins": [ANALYZER, NOTES, plugin],
            "repositoryUrl": "https://github.com/acme/widget.git", **top}


def _project(tmp_path: Path, env: dict[str, str], fake: FakeGitHub,
             config: dict[str, Any]) -> tuple[Repo, Remote]:
    """acme/widget released as v1.0.0, its origin a bare repository the fake GitHub serves too."""
    bare = make_bare(tmp_path, env)
    repo = make_repo(tmp_path, env)
    repo.git("remote", "add", "origin", str(bare))
    repo.commit("feat: first", {".releaserc.json": json.dumps(config), ".gitignore": "dist/\n"})
    repo.tag("v1.0.0", annotated=True)
    repo.git("push", "-q", "origin", "main", "v1.0.0")
    fake.attach_git(REPO, bare)
    return repo, Remote(bare, env)


def _env(env: dict[str, str], fake: FakeGitHub, **extra: str) -> dict[str, str]:
    return {**env, "GITHUB_API_URL": fake.url, "GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": TOKEN, **extra}


def _merged_history(repo: Repo, fake: FakeGitHub) -> None:
    """Issue #1; PR #2 and #3 squash-merged (#3 fixes #1); PR #4 merged with a merge commit."""
    fake.add_issue(REPO, "crash on an empty page", number=1)
    paginate = repo.commit("feat(api): paginate (#2)", {"api.py": "page = 1\n"})
    fake.add_merged_pull(REPO, number=2, title="feat(api): paginate", body="Adds pages.", head="paginate",
                         merge_commit_sha=paginate, commits=(paginate,))
    empty = repo.commit("fix: handle an empty page (#3)", {"api.py": "page = 1\nempty = True\n"})
    fake.add_merged_pull(REPO, number=3, title="fix: handle an empty page", body="Fixes #1.\n",
                         head="empty-page", merge_commit_sha=empty, commits=(empty,))
    repo.git("switch", "-q", "-c", "faster")
    faster = repo.commit("perf: cache pages", {"cache.py": "CACHE = {}\n"})
    repo.git("switch", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #4 from acme/faster", "faster")
    merge = repo.git("rev-parse", "HEAD")
    fake.add_merged_pull(REPO, number=4, title="perf: cache pages", body="", head="faster",
                         merge_commit_sha=merge, commits=(faster,))
    repo.git("push", "-q", "origin", "main")


def test_default_options_comment_on_and_label_the_released_pulls_and_the_issue_they_fix(
        tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub) -> None:
    repo, _origin = _project(tmp_path, env, fake_github, _config())
    _merged_history(repo, fake_github)
    result = release(repo.path, env=_env(env, fake_github), today="2024-06-01")
    assert result.released
    assert result.version == "1.1.0"
    url = "https://github.com/acme/widget/releases/tag/v1.1.0"
    for number in (2, 3, 4):
        [comment] = fake_github.comments(REPO, number)
        assert comment.startswith(":tada: This PR is included in version 1.1.0 :tada:")
        assert f"[v1.1.0]({url})" in comment
        assert fake_github.labels(REPO, number) == ["released"]
    [on_issue] = fake_github.comments(REPO, 1)
    assert on_issue.startswith(":tada: This issue has been resolved in version 1.1.0 :tada:")
    assert fake_github.labels(REPO, 1) == ["released"]
    assert "([#2](https://github.com/acme/widget/issues/2))" in result.notes
    assert "([#3](https://github.com/acme/widget/issues/3))" in result.notes
    # a rerun finds everything done: no second comment, no call that writes
    writes = len([r for r in fake_github.requests if r.method != "GET"])
    again = release(repo.path, env=_env(env, fake_github), today="2024-06-01")
    assert not again.released
    assert "already released" in again.reason
    assert [len(fake_github.comments(REPO, n)) for n in (1, 2, 3, 4)] == [1, 1, 1, 1]
    assert len([r for r in fake_github.requests if r.method != "GET"]) == writes


def test_with_the_default_branches_and_no_master_main_has_no_channel_so_the_label_is_released(
        tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub) -> None:
    config = _config()
    del config["branches"]  # semantic-release's defaults: main comes after master, which this repo lacks
    repo, _origin = _project(tmp_path, env, fake_github, config)
    _merged_history(repo, fake_github)
    dry = repo.relbot("release", "--dry-run", "--json", env=_env(env, fake_github))
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout)["plan"]["nextRelease"]["channel"] is None
    result = release(repo.path, env=_env(env, fake_github), today="2024-06-01")
    assert result.released
    assert fake_github.labels(REPO, 2) == ["released"]


def test_a_comment_left_out_by_a_failure_is_added_by_the_rerun_and_only_it(
        tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub) -> None:
    config = _config({"releasedLabels": ["shipped ${nextRelease.version}"]})
    repo, _origin = _project(tmp_path, env, fake_github, config)
    _merged_history(repo, fake_github)
    failing = fake_github.add_issue(REPO, "The automated release is failing 🚨", labels=("semantic-release",),
                                    body=f"an earlier failure\n\n{MARKER}", number=9)
    fake_github.fail_next("POST", r"/repos/acme/widget/issues/3/comments", 422, message="Validation Failed")
    with pytest.raises(GitHubError, match="#3"):
        release(repo.path, env=_env(env, fake_github), today="2024-06-01")
    assert [len(fake_github.comments(REPO, n)) for n in (1, 2, 3, 4)] == [1, 1, 0, 1]
    # the open failure issue stays open and hears of this failure; no second issue
    assert fake_github.issue(REPO, failing).state == "open"
    [report] = fake_github.comments(REPO, failing)
    assert "commenting on or labelling 1 of what it includes failed" in report
    assert not _is_issue(fake_github, 10)
    result = release(repo.path, env=_env(env, fake_github), today="2024-06-01")
    assert result.resumed
    assert result.release_url == "https://github.com/acme/widget/releases/tag/v1.1.0"
    assert [len(fake_github.comments(REPO, n)) for n in (1, 2, 3, 4)] == [1, 1, 1, 1]
    assert fake_github.labels(REPO, 3) == ["shipped 1.1.0"]
    assert fake_github.issue(REPO, failing).state == "closed"


def test_a_comment_github_forbids_is_a_warning_not_a_failure(
        tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub) -> None:
    repo, _origin = _project(tmp_path, env, fake_github, _config())
    _merged_history(repo, fake_github)
    fake_github.fail_next("POST", r"/repos/acme/widget/issues/2/comments", 403, message="Issue is locked")
    said: list[str] = []
    result = release(repo.path, env=_env(env, fake_github), today="2024-06-01", say=said.append)
    assert result.released
    assert any(line.startswith("warning: commenting on #2") for line in said)
    assert [len(fake_github.comments(REPO, n)) for n in (1, 2, 3, 4)] == [1, 0, 1, 1]


def test_turned_off_they_say_nothing(tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub) -> None:
    repo, _origin = _project(tmp_path, env, fake_github,
                             _config({"successComment": False, "failComment": False}))
    _merged_history(repo, fake_github)
    result = release(repo.path, env=_env(env, fake_github), today="2024-06-01")
    assert result.released
    assert all(not fake_github.comments(REPO, n) for n in (1, 2, 3, 4))
    assert not any("/issues" in r.path or "/pulls" in r.path for r in fake_github.requests)


def test_a_failed_release_opens_the_failure_issue_and_the_next_success_closes_it(
        tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub) -> None:
    repo, _origin = _project(tmp_path, env, fake_github,
                             _config({"labels": ["release-blocker"], "failTitle": "Release broken"}))
    repo.commit("fix: handle an empty page")
    repo.git("push", "-q", "origin", "main")
    fake_github.fail_next("POST", r"/repos/acme/widget/releases", 403, message="Resource not accessible")
    with pytest.raises(GitHubError):
        release(repo.path, env=_env(env, fake_github), today="2024-06-01")
    [number] = [n for n in range(1, 5) if _is_issue(fake_github, n)]
    issue = fake_github.issue(REPO, number)
    assert issue.title == "Release broken"
    assert issue.state == "open"
    assert sorted(issue.labels) == ["release-blocker", "semantic-release"]
    assert "The automated release from the `main` branch failed" in (issue.body or "")
    assert "publishing the GitHub Release v1.0.1" in (issue.body or "")
    assert MARKER in (issue.body or "")
    assert TOKEN not in (issue.body or "")
    # failing again comments on the open issue instead of opening another
    fake_github.fail_next("POST", r"/repos/acme/widget/releases", 403, message="Resource not accessible")
    with pytest.raises(GitHubError):
        release(repo.path, env=_env(env, fake_github), today="2024-06-01")
    assert [n for n in range(1, 6) if _is_issue(fake_github, n)] == [number]
    assert len(fake_github.comments(REPO, number)) == 1
    # a dry run never reports; the successful run closes it
    release(repo.path, env=_env(env, fake_github), today="2024-06-01", dry_run=True)
    assert len(fake_github.comments(REPO, number)) == 1
    result = release(repo.path, env=_env(env, fake_github), today="2024-06-01")
    assert result.released
    assert fake_github.issue(REPO, number).state == "closed"


def test_semantic_releases_own_open_failure_issue_is_closed_too(
        tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub) -> None:
    repo, _origin = _project(tmp_path, env, fake_github, _config())
    opened = fake_github.add_issue(REPO, "The automated release is failing 🚨", labels=("semantic-release",),
                                   body=f"## :rotating_light: The automated release failed.\n\n{MARKER}")
    other = fake_github.add_issue(REPO, "unrelated", labels=("semantic-release",), body="no marker")
    repo.commit("fix: x")
    repo.git("push", "-q", "origin", "main")
    assert release(repo.path, env=_env(env, fake_github), today="2024-06-01").released
    assert fake_github.issue(REPO, opened).state == "closed"
    assert fake_github.issue(REPO, other).state == "open"


def _is_issue(fake: FakeGitHub, number: int) -> bool:
    try:
        fake.issue(REPO, number)
    except Exception:
        return False
    return True


def test_assets_are_uploaded_and_a_rerun_after_a_failed_upload_finishes_without_duplicates(
        tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub) -> None:
    assets = [["dist/*.tgz", "!dist/debug-*.tgz"],
              {"path": "dist/checksums.txt", "label": "Checksums of ${nextRelease.gitTag}"}]
    repo, _origin = _project(tmp_path, env, fake_github, _config({"assets": assets}))
    repo.commit("feat: more")
    repo.git("push", "-q", "origin", "main")
    (repo.path / "dist").mkdir()
    (repo.path / "dist/widget.tgz").write_bytes(b"\x1f\x8b tarball bytes")
    (repo.path / "dist/checksums.txt").write_text("abc  widget.tgz\n")
    (repo.path / "dist/debug-widget.tgz").write_bytes(b"left out by the ! glob")
    fake_github.fail_next("POST", r"/repos/acme/widget/releases/\d+/assets", 403, message="Forbidden")
    with pytest.raises(GitHubError, match="uploading the assets") as failed:
        release(repo.path, env=_env(env, fake_github), today="2024-06-01")
    assert failed.value.partial.release_url is None  # type: ignore[attr-defined]  # not the draft's
    draft = fake_github.release(REPO, "v1.1.0")
    assert draft.draft  # never seen published without its assets
    # a partial upload from elsewhere under the same name is replaced, not duplicated
    gh_release = github_client(fake_github).get_repo(REPO).get_release(draft.id)
    gh_release.upload_asset(str(repo.path / "dist/checksums.txt"), name="widget.tgz",
                            content_type="application/gzip")
    result = release(repo.path, env=_env(env, fake_github), today="2024-06-01")
    assert result.resumed
    assert result.release_url == "https://github.com/acme/widget/releases/tag/v1.1.0"  # not the draft's
    published = fake_github.release(REPO, "v1.1.0")
    assert not published.draft
    assert fake_github.assets(REPO, "v1.1.0") == {"widget.tgz": b"\x1f\x8b tarball bytes",
                                                  "checksums.txt": b"abc  widget.tgz\n"}
    [checksums] = [a for a in published.assets if a.name == "checksums.txt"]
    assert checksums.label == "Checksums of v1.1.0"
    done = release(repo.path, env=_env(env, fake_github), today="2024-06-01")
    assert "already released" in done.reason


def test_an_asset_glob_that_matches_nothing_stops_the_release_before_any_write(
        tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub) -> None:
    repo, origin = _project(tmp_path, env, fake_github, _config({"assets": ["dist/*.zip"]}))
    repo.commit("feat: more")
    repo.git("push", "-q", "origin", "main")
    head = origin.git("rev-parse", "main")
    dry = release(repo.path, env=_env(env, fake_github), today="2024-06-01", dry_run=True)
    assert [p.message for p in dry.problems] == [
        f"plugins[@semantic-release/github].assets[0]: 'dist/*.zip' matches no file in {repo.path}"]
    with pytest.raises(Exception, match="matches no file"):
        release(repo.path, env=_env(env, fake_github), today="2024-06-01")
    assert origin.git("rev-parse", "main") == head
    assert origin.git("tag", "--list", "v1.1.0") == ""


def test_a_squash_merged_pull_requests_title_decides_with_commit_source_pull_request(
        tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub) -> None:
    repo, _origin = _project(tmp_path, env, fake_github, _config(commitSource="pull-request"))
    squash = repo.commit("Update the parser (#5)\n\n* wip\n* more wip\n", {"parser.py": "V = 2\n"})
    fake_github.add_merged_pull(REPO, number=5, title="feat!: parse the new format",
                                body="BREAKING CHANGE: the old format is gone.\n", head="parser",
                                merge_commit_sha=squash, commits=(squash,))
    repo.git("push", "-q", "origin", "main")
    plan = plan_version(repo.path, env=_env(env, fake_github), today="2024-06-01")
    assert (plan.version, plan.bump.label) == ("2.0.0", "major")
    assert plan.pull_requests == {squash: 5}
    assert "parse the new format" in plan.notes
    assert "the old format is gone" in plan.notes
    verbose = repo.relbot("-v", "version", env=_env(env, fake_github))
    assert verbose.returncode == 0, verbose.stderr
    assert "squash-merged pull request #5" in verbose.stderr + verbose.stdout
    # without a token the commit message decides, and a warning says why
    alone = {k: v for k, v in _env(env, fake_github).items() if k != "GITHUB_TOKEN"}
    messages: list[str] = []
    fallback = plan_version(repo.path, env=alone, say=messages.append)
    assert fallback.version is None
    assert any("the commit messages decide" in m for m in messages)


def test_templates_relbot_cannot_fill_fail_the_dry_run_before_anything_is_published(
        tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub) -> None:
    for github in ({"successComment": "<% if (issue.pull_request) { %>PR<% } %>"},
                   {"releasedLabels": ["${process.env.X}"]},
                   {"assets": [{"path": "dist/a.tgz", "name": '${nextRelease.version.split(".")[0]}.tgz'}]}):
        root = tmp_path / str(len(list(tmp_path.iterdir())))
        root.mkdir()
        repo, origin = _project(root, env, fake_github, _config(github))
        (repo.path / "dist").mkdir()
        (repo.path / "dist/a.tgz").write_bytes(b"x")
        repo.commit("feat: more")
        repo.git("push", "-q", "origin", "main")
        dry = repo.relbot("release", "--dry-run", env=_env(env, fake_github))
        assert dry.returncode == 3, (github, dry.stdout, dry.stderr)
        assert "JavaScript" in dry.stderr or "unknown placeholder" in dry.stderr
        assert "Traceback" not in dry.stderr
        real = repo.relbot("release", env=_env(env, fake_github))
        assert real.returncode == 3
        assert origin.git("tag", "--list", "v1.1.0") == ""
        assert not fake_github.repo(REPO).releases


def test_with_commit_source_pull_request_a_release_stops_when_the_pull_requests_cannot_be_read(
        tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub) -> None:
    repo, origin = _project(tmp_path, env, fake_github, _config(commitSource="pull-request"))
    squash = repo.commit("fix: update parser (#5)", {"parser.py": "V = 2\n"})
    fake_github.add_merged_pull(REPO, number=5, title="feat(parser)!: new format", body="", head="parser",
                                merge_commit_sha=squash, commits=(squash,))
    repo.git("push", "-q", "origin", "main")
    fake_github.fail_next("GET", r"/repos/acme/widget/commits/[0-9a-f]+/pulls", 403, message="Forbidden")
    run = repo.relbot("release", env=_env(env, fake_github))
    assert run.returncode == 8, run.stdout + run.stderr
    assert "cannot be read" in run.stderr
    assert "nothing was released" in run.stderr
    assert origin.git("tag", "--list") == "v1.0.0"
    assert release(repo.path, env=_env(env, fake_github), today="2024-06-01").version == "2.0.0"


def _verified_release(tmp_path: Path, env: dict[str, str], fake: FakeGitHub) -> tuple[Repo, Remote]:
    """verifiedCommits with the changelog and git plugins, and a `feat` pushed since v1.0.0."""
    config = _config(verifiedCommits=True)
    config["plugins"] = [ANALYZER, NOTES, "@semantic-release/changelog", "@semantic-release/git", GITHUB]
    repo, origin = _project(tmp_path, env, fake, config)
    repo.commit("feat: signed")
    repo.git("push", "-q", "origin", "main")
    return repo, origin


def _no_push_hook(remote: Remote) -> None:
    """Refuse every `git push` to the bare repository (the API writes with plumbing, not receive-pack)."""
    hook = remote.bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'pushing is not allowed here' >&2\nexit 1\n")
    hook.chmod(0o755)


def test_a_verified_commit_release_makes_the_commit_and_tag_through_the_api_with_no_git_push(
        tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub) -> None:
    config = _config(verifiedCommits=True)
    config["plugins"] = [ANALYZER, NOTES, ["@semantic-release/changelog", {}],
                         ["@semantic-release/git", {"assets": ["CHANGELOG.md"]}], GITHUB]
    repo, origin = _project(tmp_path, env, fake_github, config)
    repo.commit("feat: signed")
    repo.git("push", "-q", "origin", "main")
    _no_push_hook(origin)
    dry = release(repo.path, env=_env(env, fake_github), today="2024-06-01", dry_run=True)
    assert dry.problems == ()
    result = release(repo.path, env=_env(env, fake_github), today="2024-06-01")
    assert result.released
    tip = origin.git("rev-parse", "main")
    assert tip in fake_github.verified_commits(REPO)
    assert result.commit_sha == tip == repo.git("rev-parse", "HEAD")
    assert origin.git("log", "-1", "--format=%s", tip).startswith("chore(release): 1.1.0")
    assert "[1.1.0](https://github.com/acme/widget/compare/v1.0.0...v1.1.0)" in origin.git(
        "show", f"{tip}:CHANGELOG.md")
    assert origin.git("cat-file", "-t", "v1.1.0") == "tag"
    assert origin.git("rev-parse", "v1.1.0^{commit}") == tip
    assert repo.git("rev-parse", "v1.1.0^{commit}") == tip
    assert repo.git("status", "--porcelain") == ""
    assert fake_github.release(REPO, "v1.1.0").tag_name == "v1.1.0"
    again = release(repo.path, env=_env(env, fake_github), today="2024-06-01")
    assert "already released" in again.reason


def test_a_verified_commit_release_refuses_a_moved_branch_and_publishes_nothing(
        tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub) -> None:
    repo, origin = _verified_release(tmp_path, env, fake_github)
    other = make_repo(tmp_path, env, "other")
    other.git("fetch", "-q", str(origin.bare), "main")
    other.git("reset", "-q", "--hard", "FETCH_HEAD")
    other.commit("docs: meanwhile")

    def push_meanwhile(_ref: str) -> None:  # another pipeline pushes between the check and the update
        other.git("push", "-q", str(origin.bare), "HEAD:main")

    fake_github.git(REPO).before_ref_update = push_meanwhile
    with pytest.raises(Exception, match="moved"):
        release(repo.path, env=_env(env, fake_github), today="2024-06-01")
    assert origin.git("tag", "--list", "v1.1.0") == ""
    assert not fake_github.repo(REPO).releases
    assert repo.git("status", "--porcelain") == ""  # the checkout is as the run found it


def test_a_verified_commit_release_whose_ref_update_fails_takes_the_tag_back_and_the_rerun_finishes(
        tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub) -> None:
    repo, origin = _verified_release(tmp_path, env, fake_github)
    fake_github.fail_next("PATCH", r"/repos/acme/widget/git/refs/heads/main", 403, message="Forbidden")
    with pytest.raises(GitHubError):
        release(repo.path, env=_env(env, fake_github), today="2024-06-01")
    assert origin.git("tag", "--list", "v1.1.0") == ""
    assert repo.git("status", "--porcelain") == ""
    result = release(repo.path, env=_env(env, fake_github), today="2024-06-01")
    assert result.version == "1.1.0"
    assert origin.git("rev-parse", "v1.1.0^{commit}") == origin.git("rev-parse", "main")


def test_verified_commit_bump_values_commits_through_the_api_and_retries_a_moved_branch(
        tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub) -> None:
    repo, origin = _project(tmp_path, env, fake_github, _config())
    repo.commit("chore: values", {"values-production.yaml": "image:\n  tag: 1.0.0 # pinned\n"})
    repo.git("push", "-q", "origin", "main")
    _no_push_hook(origin)
    other = make_repo(tmp_path, env, "other")
    other.git("fetch", "-q", str(origin.bare), "main")
    other.git("reset", "-q", "--hard", "FETCH_HEAD")
    other.commit("docs: meanwhile", {"NOTES.md": "x\n"})
    hook = origin.bare / "hooks" / "pre-receive"
    hook.unlink()
    other.git("push", "-q", str(origin.bare), "HEAD:main")  # origin moved before the run
    _no_push_hook(origin)
    run = repo.relbot("bump-values", "values-production.yaml", "--set", "image.tag=1.1.0", "--push",
                      "--verified-commits", "--json", env=_env(env, fake_github))
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["pushed"] is True
    tip = origin.git("rev-parse", "main")
    assert tip in fake_github.verified_commits(REPO)
    assert origin.git("show", f"{tip}:values-production.yaml") == "image:\n  tag: 1.1.0 # pinned"
    assert origin.git("show", f"{tip}:NOTES.md") == "x"  # re-applied on the new head
    assert repo.git("rev-parse", "HEAD") == tip
    assert TOKEN not in run.stdout + run.stderr


def test_verified_commit_pull_requests_for_bump_values_and_rollback(
        tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub) -> None:
    repo, origin = _project(tmp_path, env, fake_github, _config())
    repo.commit("chore: values", {"values-production.yaml": "image:\n  tag: 1.0.0\n"})
    repo.git("push", "-q", "origin", "main")
    _no_push_hook(origin)
    for _ in range(2):  # the rerun moves the same branch (forced) and updates the pull request
        run = repo.relbot("bump-values", "values-production.yaml", "--set", "image.tag=1.1.0",
                          "--create-pr", "--verified-commits", env=_env(env, fake_github))
        assert run.returncode == 0, run.stdout + run.stderr
    [pull] = [p for p in fake_github.repo(REPO).pulls.values() if p.state == "open"]
    tip = origin.git("rev-parse", f"refs/heads/{pull.head}")
    assert tip in fake_github.verified_commits(REPO)
    assert origin.git("show", f"{tip}:values-production.yaml") == "image:\n  tag: 1.1.0"
    assert origin.git("rev-parse", f"{tip}^") == origin.git("rev-parse", "main")
    assert repo.git("status", "--porcelain") == ""
    # rollback's pull request goes the same way
    rolled = repo.relbot("rollback", "values-production.yaml", "--set", "image.tag", "--to", "0.9.0",
                         "--create-pr", "--verified-commits", env=_env(env, fake_github))
    assert rolled.returncode == 7, rolled.stdout + rolled.stderr  # no such release: nothing opened
    repo.tag("v0.9.0", ref="HEAD~1")
    rolled = repo.relbot("rollback", "values-production.yaml", "--set", "image.tag", "--to", "0.9.0",
                         "--create-pr", "--verified-commits", env=_env(env, fake_github))
    assert rolled.returncode == 0, rolled.stdout + rolled.stderr
    newest = max(fake_github.repo(REPO).pulls.values(), key=lambda p: p.number)
    assert newest.head.startswith("relbot/rollback/")
    assert origin.git("rev-parse", f"refs/heads/{newest.head}") in fake_github.verified_commits(REPO)


def test_a_refused_discussion_category_is_retried_by_the_rerun(
        tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub) -> None:
    repo, _origin = _project(tmp_path, env, fake_github, _config({"discussionCategoryName": "Nope"}))
    repo.commit("feat: more")
    repo.git("push", "-q", "origin", "main")
    for _ in range(2):  # the category stays wrong: every run says so, none publishes without it
        with pytest.raises(GitHubError, match=r"discussion_category_name|Validation Failed"):
            release(repo.path, env=_env(env, fake_github), today="2024-06-01")
        assert fake_github.release(REPO, "v1.1.0").draft


def test_two_assets_of_one_name_are_refused_before_anything_is_published(
        tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub) -> None:
    assets = [{"path": "dist/a.tgz", "name": "dup.tgz"}, {"path": "dist/b.tgz", "name": "dup.tgz"}]
    repo, origin = _project(tmp_path, env, fake_github, _config({"assets": assets}))
    repo.commit("feat: more")
    repo.git("push", "-q", "origin", "main")
    (repo.path / "dist").mkdir()
    (repo.path / "dist/a.tgz").write_bytes(b"a")
    (repo.path / "dist/b.tgz").write_bytes(b"b")
    dry = repo.relbot("release", "--dry-run", env=_env(env, fake_github))
    assert dry.returncode == 7, dry.stdout + dry.stderr
    assert "would both be the asset 'dup.tgz'" in dry.stderr
    assert origin.git("tag", "--list", "v1.1.0") == ""
