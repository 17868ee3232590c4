"""Monorepo packages on real repositories: which commits belong to which package (paths, merges by
their own changes, scopes), tags read strictly by each package's own format, groups that share one
version, and `relbot version --package` / `--json` with every package's decision."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from relbot.release.version import plan_packages
from tests.actionjob import make_job, run_action
from tests.gitfixture import Remote, Repo, make_bare, make_repo
from tests.github_api.fixtures import REPO, TOKEN
from tests.github_api.server import FakeGitHub

PACKAGES: list[dict[str, Any]] = [
    {"name": "server", "path": "server"},
    {"name": "server-api", "path": "server-api"},
    {"name": "console", "path": ["console", "shared/ui"], "scopes": ["console"]},
]


def _repo(tmp_path: Path, env: dict[str, str], config: dict[str, Any]) -> Repo:
    repo = make_repo(tmp_path, env)
    repo.commit("chore: layout", {".releaserc.json": json.dumps({"branches": ["main"], **config}),
                                  "server/main.go": "1\n", "server-api/api.go": "1\n",
                                  "console/app.ts": "1\n", "shared/ui/button.ts": "1\n"})
    return repo


def _tag_each(repo: Repo) -> None:
    """Every package of PACKAGES released as 1.0.0 at HEAD."""
    for tag in ("server-v1.0.0", "server-api-v1.0.0", "console-v1.0.0"):
        repo.tag(tag, annotated=True)


def _decisions(repo: Repo) -> dict[str, tuple[str | None, str | None]]:
    plans = plan_packages(repo.path, env=repo.env, notes=False)
    assert plans is not None
    return {p.unit.name: (p.version, p.previous.name if p.previous else None) for p in plans}


def test_each_package_releases_from_its_own_paths_and_tags(tmp_path: Path, env: dict[str, str]) -> None:
    repo = _repo(tmp_path, env, {"packages": PACKAGES})
    for tag in ("server-v1.0.0", "server-api-v2.0.0", "console-v0.3.0"):
        repo.tag(tag, annotated=True)
    repo.commit("fix: nil pointer", {"server/main.go": "2\n"})
    repo.commit("feat!: drop v1 routes", {"server-api/api.go": "2\n"})
    assert _decisions(repo) == {"server": ("1.0.1", "server-v1.0.0"),
                                "server-api": ("3.0.0", "server-api-v2.0.0"),
                                "console": (None, "console-v0.3.0")}
    # server-v1.0.1 is server's, never server-api's: the formats read only their own tags
    repo.tag("server-v1.0.1", annotated=True)
    assert _decisions(repo)["server"] == (None, "server-v1.0.1")
    assert _decisions(repo)["server-api"] == ("3.0.0", "server-api-v2.0.0")


def test_a_higher_tag_off_heads_history_is_not_the_last_release(tmp_path: Path, env: dict[str, str]) -> None:
    repo = _repo(tmp_path, env, {"packages": PACKAGES})
    _tag_each(repo)
    repo.git("switch", "-q", "-c", "experiment")
    repo.commit("feat!: experiment", {"server/main.go": "x\n"})
    repo.tag("server-v2.0.0", annotated=True)  # released from a branch main never merged
    repo.git("switch", "-q", "main")
    repo.commit("fix: real fix", {"server/main.go": "2\n"})
    assert _decisions(repo)["server"] == ("1.0.1", "server-v1.0.0")


def test_a_commit_touching_two_packages_counts_for_both_and_a_scope_counts_too(
        tmp_path: Path, env: dict[str, str]) -> None:
    repo = _repo(tmp_path, env, {"packages": PACKAGES})
    _tag_each(repo)
    repo.commit("feat: shared header", {"server/main.go": "2\n", "shared/ui/button.ts": "2\n"})
    repo.commit("fix(console): typo in the docs", {"docs/console.md": "x\n"})
    repo.commit("feat: readme", {"README.md": "x\n"})  # in no package: releases nothing
    assert _decisions(repo) == {"server": ("1.1.0", "server-v1.0.0"),
                                "server-api": (None, "server-api-v1.0.0"),
                                "console": ("1.1.0", "console-v1.0.0")}


def test_a_merge_counts_by_its_own_changes(tmp_path: Path, env: dict[str, str]) -> None:
    repo = _repo(tmp_path, env, {"packages": PACKAGES})
    _tag_each(repo)
    repo.git("switch", "-q", "-c", "topic")
    repo.commit("fix: api timeout", {"server-api/api.go": "2\n"})
    repo.git("switch", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "feat: merge topic", "topic")
    # the merge's header says feat, but it changes nothing of its own: server-api gets the fix only
    assert _decisions(repo) == {"server": (None, "server-v1.0.0"),
                                "server-api": ("1.0.1", "server-api-v1.0.0"),
                                "console": (None, "console-v1.0.0")}


def test_a_group_shares_one_version_bumped_by_its_strongest_change(
        tmp_path: Path, env: dict[str, str]) -> None:
    config = {"packages": PACKAGES, "groups": [{"name": "platform", "packages": ["server", "console"]}]}
    repo = _repo(tmp_path, env, config)
    repo.tag("v1.2.0", annotated=True)
    repo.tag("server-api-v1.0.0", annotated=True)
    repo.commit("fix: server bug", {"server/main.go": "2\n"})
    repo.commit("feat: console page", {"console/app.ts": "2\n"})
    assert _decisions(repo) == {"platform": ("1.3.0", "v1.2.0"), "server-api": (None, "server-api-v1.0.0")}
    one = repo.relbot("version", "--package", "server")
    assert one.returncode == 0, one.stderr
    assert one.stdout == "1.3.0\n"  # a package in a group answers with the group's version
    tag = repo.relbot("version", "--package", "console", "--tag")
    assert tag.stdout == "v1.3.0\n"


def test_version_json_lists_every_package_and_the_first_release_of_each(
        tmp_path: Path, env: dict[str, str]) -> None:
    repo = _repo(tmp_path, env, {"packages": PACKAGES})
    repo.commit("feat: first server feature", {"server/main.go": "2\n"})
    run = repo.relbot("version", "--json")
    assert run.returncode == 0, run.stderr
    decisions = {p["name"]: p for p in json.loads(run.stdout)["packages"]}
    assert list(decisions) == ["server", "server-api", "console"]
    assert (decisions["server"]["version"], decisions["server"]["tag"]) == ("1.0.0", "server-v1.0.0")
    assert decisions["server"]["paths"] == ["server"]
    # the first commit (a chore) adds every package's files: it releases none of them
    assert (decisions["console"]["released"], decisions["console"]["commits"]) == (False, 1)
    assert decisions["console"]["reason"].startswith("no release: none of the 1 commit(s) of console")
    plain = repo.relbot("version")
    assert plain.stdout.splitlines() == ["server 1.0.0"]
    assert "console: no release" in plain.stderr


@pytest.mark.parametrize(("config", "message"), [
    ({"packages": [{"name": "a", "path": "a", "tagFormat": "v${version}"},
                   {"name": "b", "path": "b", "tagFormat": "v${version}"}]},
     "the tag format of 'a' (v${version}) also reads the tags of 'b'"),
    ({"packages": [{"name": "a"}]}, "packages[0].path: is required"),
    ({"packages": [{"name": "a", "path": "../x"}]}, "is outside the repository"),
    ({"packages": [{"name": "a", "path": "a"}, {"name": "a", "path": "b"}]}, "package 'a' is listed twice"),
    ({"packages": [{"name": "a", "path": "a"}], "groups": [{"name": "g", "packages": ["zz"]}]},
     "'zz' is not a package"),
    ({"packages": [{"name": "a", "path": "a", "changelogFile": "docs/CH.md"},
                   {"name": "b", "path": "b", "changelogFile": "./docs//CH.md"}]},
     "docs/CH.md is also 'a''s changelog"),
    ({"packages": [{"name": "a", "path": "a", "changelogFile": "../outside.md"}]},
     "packages[0].changelogFile: '../outside.md' is outside the repository"),
    ({"packages": [{"name": "a", "path": "a", "versionFiles": [{"path": "/etc/x.json", "key": "v"}]}]},
     "packages[0].versionFiles: '/etc/x.json' is outside the repository"),
    ({"packages": [{"name": "a", "path": "a", "versionFiles": ["shared/package.json"]},
                   {"name": "b", "path": "b", "versionFiles": ["./shared/package.json"]}]},
     "shared/package.json `version` is also 'a''s version"),
])
def test_bad_package_configurations_name_the_option(tmp_path: Path, env: dict[str, str],
                                                    config: dict[str, Any], message: str) -> None:
    repo = _repo(tmp_path, env, config)
    run = repo.relbot("version", "--json")
    assert run.returncode == 3, run.stdout + run.stderr
    assert message in run.stderr
    assert "Traceback" not in run.stderr


def test_an_unknown_package_is_a_clear_error(tmp_path: Path, env: dict[str, str]) -> None:
    repo = _repo(tmp_path, env, {"packages": PACKAGES})
    unknown = repo.relbot("version", "--package", "serv")
    assert unknown.returncode == 2
    assert "no such package" in unknown.stderr
    assert "server, server-api, console" in unknown.stderr


RELEASE_PLUGINS = ["@semantic-release/commit-analyzer", "@semantic-release/release-notes-generator",
                   "@semantic-release/changelog", "@semantic-release/git", "@semantic-release/github"]


def _released(tmp_path: Path, env: dict[str, str], fake: FakeGitHub,
              config: dict[str, Any]) -> tuple[Repo, Remote]:
    """The packages released once, pushed to a bare origin the fake GitHub serves."""
    bare = make_bare(tmp_path, env)
    repo = _repo(tmp_path, env, {"plugins": RELEASE_PLUGINS, "repositoryUrl": "https://github.com/acme/widget",
                                 **config})
    repo.git("remote", "add", "origin", str(bare))
    for tag in ("server-v1.0.0", "server-api-v1.0.0", "console-v1.0.0", "v1.0.0"):
        repo.tag(tag, annotated=True)
    repo.git("push", "-q", "origin", "main", "--tags")
    fake.attach_git(REPO, bare)
    return repo, Remote(bare, env)


def _api(env: dict[str, str], fake: FakeGitHub) -> dict[str, str]:
    return {**env, "GITHUB_API_URL": fake.url, "GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": TOKEN}


def test_one_run_releases_each_due_package_with_one_commit_and_one_atomic_push(
        tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub) -> None:
    repo, origin = _released(tmp_path, env, fake_github, {"packages": PACKAGES})
    repo.commit("fix: nil pointer", {"server/main.go": "2\n"})
    repo.commit("feat!: drop v1 routes", {"server-api/api.go": "2\n"})
    repo.git("push", "-q", "origin", "main")
    dry = repo.relbot("release", "--dry-run", env=_api(env, fake_github))
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("release server 1.0.1 (server-v1.0.1), server-api 2.0.0 (server-api-v2.0.0)")
    assert "console" not in dry.stdout.splitlines()[0]
    assert "warning: not made for packages yet (@semantic-release/github): comments and labels on the " \
        "released pull requests and issues; the failure issue" in dry.stdout
    planned = json.loads(repo.relbot("release", "--dry-run", "--json", env=_api(env, fake_github)).stdout)
    listed = [step["step"] for step in planned["plan"]["steps"] if not step["done"]]
    run = repo.relbot("release", "--json", env=_api(env, fake_github))
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    released = [(p["name"], p["version"]) for p in report["packages"]]
    assert released == [("server", "1.0.1"), ("server-api", "2.0.0")]
    assert report["steps_done"] == listed
    main = origin.git("rev-parse", "main")
    assert origin.git("rev-list", "--count", "v1.0.0..main") == "3"  # two changes and one release commit
    assert origin.git("log", "-1", "--format=%s", "main") == (
        "chore(release): server 1.0.1, server-api 2.0.0 [skip ci]")
    # the release commit changed server/CHANGELOG.md and server-api/CHANGELOG.md: it is nobody's change
    assert all(version is None for version, _tag in _decisions(repo).values())
    for tag in ("server-v1.0.1", "server-api-v2.0.0"):
        assert origin.git("rev-parse", f"{tag}^{{commit}}") == main
        assert origin.git("cat-file", "-t", tag) == "tag"
    assert origin.git("tag", "--list", "console-v*") == "console-v1.0.0"
    assert "## [1.0.1]" in origin.git("show", "main:server/CHANGELOG.md")
    umask = os.umask(0)
    os.umask(umask)
    assert (repo.path / "server/CHANGELOG.md").stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0600
    assert "# [2.0.0]" in origin.git("show", "main:server-api/CHANGELOG.md")
    assert sorted(r.tag_name for r in fake_github.repo(REPO).releases.values()) == [
        "server-api-v2.0.0", "server-v1.0.1"]
    again = repo.relbot("release", env=_api(env, fake_github))
    assert again.returncode == 0, again.stderr
    assert origin.git("rev-parse", "main") == main


def test_a_group_releases_one_version_with_one_tag(tmp_path: Path, env: dict[str, str],
                                                  fake_github: FakeGitHub) -> None:
    config = {"packages": PACKAGES, "groups": [{"name": "platform", "packages": ["server", "console"]}]}
    repo, origin = _released(tmp_path, env, fake_github, config)
    repo.commit("fix: server bug", {"server/main.go": "2\n"})
    repo.commit("feat: console page", {"console/app.ts": "2\n"})
    repo.git("push", "-q", "origin", "main")
    run = repo.relbot("release", env=_api(env, fake_github))
    assert run.returncode == 0, run.stderr
    assert origin.git("rev-parse", "v1.1.0^{commit}") == origin.git("rev-parse", "main")
    assert "# [1.1.0]" in origin.git("show", "main:server/CHANGELOG.md")
    assert "# [1.1.0]" in origin.git("show", "main:console/CHANGELOG.md")
    assert [r.tag_name for r in fake_github.repo(REPO).releases.values()] == ["v1.1.0"]


def test_a_rerun_after_a_failure_between_the_tags_and_the_releases_finishes_every_package(
        tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub) -> None:
    repo, origin = _released(tmp_path, env, fake_github, {"packages": PACKAGES})
    repo.commit("fix: a", {"server/main.go": "2\n", "console/app.ts": "2\n"})
    repo.git("push", "-q", "origin", "main")
    fake_github.fail_next("POST", r"/repos/acme/widget/releases", 403, message="Forbidden", times=1)
    failed = repo.relbot("release", env=_api(env, fake_github))
    assert failed.returncode == 8, failed.stdout + failed.stderr
    main = origin.git("rev-parse", "main")
    assert origin.git("rev-parse", "console-v1.0.1^{commit}") == main
    assert not fake_github.repo(REPO).releases  # the first Release failed: none was made
    rerun = repo.relbot("release", "--json", env=_api(env, fake_github))
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert json.loads(rerun.stdout)["steps_done"] == [
        "create the GitHub release server-v1.0.1 on acme/widget",
        "create the GitHub release console-v1.0.1 on acme/widget"]
    assert origin.git("rev-parse", "main") == main  # nothing released twice, no second commit
    assert sorted(r.tag_name for r in fake_github.repo(REPO).releases.values()) == [
        "console-v1.0.1", "server-v1.0.1"]
    done = repo.relbot("release", "--dry-run", env=_api(env, fake_github))
    assert "nothing to do" in done.stdout + done.stderr


def test_changelog_and_bump_values_take_a_package(tmp_path: Path, env: dict[str, str]) -> None:
    config = {"packages": PACKAGES, "groups": [{"name": "platform", "packages": ["server", "console"]}]}
    repo = _repo(tmp_path, env, {**config, "repositoryUrl": "https://github.com/acme/widget"})
    repo.tag("v1.2.0", annotated=True)
    repo.tag("server-api-v3.0.0", annotated=True)
    repo.commit("feat: console page", {"console/app.ts": "2\n"})
    repo.commit("fix(api): retry", {"server-api/api.go": "2\n"})
    notes = repo.relbot("changelog", "--package", "console")
    assert notes.returncode == 0, notes.stderr
    assert notes.stdout.startswith("# [1.3.0](https://github.com/acme/widget/compare/v1.2.0...v1.3.0)")
    assert "console page" in notes.stdout
    assert "retry" not in notes.stdout
    api = repo.relbot("changelog", "--package", "server-api")
    assert "retry" in api.stdout
    assert "console page" not in api.stdout
    (repo.path / "values.yaml").write_text("api:\n  tag: 2.0.0\nweb:\n  tag: 1.0.0\n")
    bumped = repo.relbot("bump-values", "values.yaml", "--set", "api.tag=${version}", "--version-from", "tag",
                         "--package", "server-api")
    assert bumped.returncode == 0, bumped.stderr
    assert "the latest release tag server-api-v3.0.0" in bumped.stderr
    from_tag = ("--version-from", "tag", "--package")
    grouped = repo.relbot("bump-values", "values.yaml", "--set", "web.tag=${version}", *from_tag,
                          "console")  # console is in the group: the group's tag v1.2.0
    assert grouped.returncode == 0, grouped.stderr
    assert (repo.path / "values.yaml").read_text() == "api:\n  tag: 3.0.0\nweb:\n  tag: 1.2.0\n"
    unknown = repo.relbot("bump-values", "values.yaml", "--set", "web.tag=${version}", *from_tag, "nope")
    assert unknown.returncode == 2
    assert "no such package" in unknown.stderr


def test_a_refused_push_leaves_no_tag_no_commit_and_a_rerun_releases(
        tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub) -> None:
    repo, origin = _released(tmp_path, env, fake_github, {"packages": PACKAGES})
    repo.commit("fix: a", {"server/main.go": "2\n", "console/app.ts": "2\n"})
    repo.git("push", "-q", "origin", "main")
    start = repo.git("rev-parse", "HEAD")
    hook = origin.bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'frozen for the audit' >&2\nexit 1\n")
    hook.chmod(0o755)
    refused = repo.relbot("release", env=_api(env, fake_github))
    assert refused.returncode == 4, refused.stdout + refused.stderr
    assert "frozen for the audit" in refused.stderr
    assert repo.git("rev-parse", "HEAD") == start
    assert repo.git("tag", "--list", "*-v1.0.1") == ""
    assert repo.git("status", "--porcelain") == ""
    assert not fake_github.repo(REPO).releases
    hook.unlink()
    assert repo.relbot("release", env=_api(env, fake_github)).returncode == 0
    assert origin.git("tag", "--list", "*-v1.0.1").split() == ["console-v1.0.1", "server-v1.0.1"]


def test_tags_only_on_origin_are_fetched_and_unpushed_ones_refused(
        tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub) -> None:
    _seed, origin = _released(tmp_path, env, fake_github, {"packages": PACKAGES})
    clone = Repo(tmp_path / "clone", env)
    subprocess.run(["git", "clone", "-q", "--no-tags", str(origin.bare), str(clone.path)], env=env,
                   check=True)
    clone.commit("fix: a", {"server/main.go": "2\n"})
    said = clone.relbot("version", "--package", "server")
    assert said.stdout == "1.0.1\n", said.stderr  # from server-v1.0.0, fetched from origin
    assert "fetched 3 release tag(s) from origin" in said.stderr  # the packages' (v1.0.0 is no one's)
    clone.tag("server-v1.0.1", annotated=True)  # left by a run stopped before its push
    clone.commit("fix: b", {"server/main.go": "3\n"})
    stopped = clone.relbot("version", "--package", "server")
    assert stopped.returncode == 4, stopped.stdout + stopped.stderr
    assert "git tag -d server-v1.0.1" in stopped.stderr


def test_a_new_group_over_tagged_packages_must_be_given_its_start(tmp_path: Path,
                                                                 env: dict[str, str]) -> None:
    config = {"packages": PACKAGES, "groups": [{"name": "platform", "packages": ["server", "console"]}]}
    repo = _repo(tmp_path, env, config)
    repo.tag("server-v1.4.0", annotated=True)
    repo.tag("console-v2.3.0", annotated=True)
    repo.commit("fix: server", {"server/main.go": "2\n"})
    run = repo.relbot("version", "--json")
    assert run.returncode == 3, run.stdout + run.stderr
    assert "group 'platform' has no release tag" in run.stderr
    assert "console-v2.3.0" in run.stderr
    repo.tag("v2.3.0", ref="HEAD~1", annotated=True)
    plans = {p["name"]: p for p in json.loads(repo.relbot("version", "--json").stdout)["packages"]}
    assert plans["platform"]["version"] == "2.3.1"


def test_a_group_is_one_matrix_entry_per_package_and_changelog_needs_a_package(
        tmp_path: Path, env: dict[str, str]) -> None:
    job = make_job(tmp_path / "runner")
    config = {"packages": PACKAGES, "groups": [{"name": "platform", "packages": ["server", "console"]}]}
    repo = _repo(tmp_path, env, config)
    repo.tag("v1.0.0")
    repo.commit("fix: console", {"console/app.ts": "2\n"})
    run = run_action(job, repo.path, env, {"command": "version"},
                     {"repository": REPO, "ref": "refs/heads/main", "server_url": "https://github.com"})
    assert run.returncode == 0, run.log
    assert json.loads(run.outputs["packages"]) == [
        {"name": "server", "version": "1.0.1", "tag": "v1.0.1", "path": "server", "group": "platform"},
        {"name": "console", "version": "1.0.1", "tag": "v1.0.1", "path": "console", "group": "platform"}]
    notes = repo.relbot("changelog")
    assert notes.returncode == 2
    assert "pass --package NAME" in notes.stderr


def test_group_members_with_different_rules_are_refused(tmp_path: Path, env: dict[str, str]) -> None:
    packages = [{**PACKAGES[0], "zeroVersion": "minor"}, PACKAGES[1], PACKAGES[2]]
    repo = _repo(tmp_path, env, {"packages": packages,
                                 "groups": [{"name": "platform", "packages": ["server", "console"]}]})
    run = repo.relbot("version")
    assert run.returncode == 3
    assert "its packages set different zeroVersion" in run.stderr


def test_two_packages_cannot_share_a_changelog(tmp_path: Path, env: dict[str, str]) -> None:
    packages = [{"name": "web", "path": "web", "changelogFile": "CHANGELOG.md"},
                {"name": "root", "path": ".", "tagFormat": "v${version}", "changelogFile": "CHANGELOG.md"}]
    repo = _repo(tmp_path, env, {"packages": packages})
    run = repo.relbot("version")
    assert run.returncode == 3
    assert "CHANGELOG.md is also 'web''s changelog" in run.stderr


def test_a_release_commit_left_untagged_by_a_stopped_run_is_no_packages_change(
        tmp_path: Path, env: dict[str, str], fake_github: FakeGitHub) -> None:
    chores = [{"type": "chore", "release": "patch"}]
    packages = [{"name": "server", "path": "server", "releaseRules": chores},
                {"name": "console", "path": "console", "releaseRules": chores,
                 "changelogFile": "server/console-changes.md"}]
    repo, origin = _released(tmp_path, env, fake_github, {"packages": packages})
    repo.commit("fix: console", {"console/app.ts": "2\n"})
    # the release commit a stopped run made (no tag yet): it writes into server/, and chores release
    repo.commit("chore(release): console 1.0.1 [skip ci]", {"server/console-changes.md": "## 1.0.1\n"})
    repo.git("push", "-q", "origin", "main")
    decisions = _decisions(repo)
    assert decisions["server"] == (None, "server-v1.0.0")
    assert decisions["console"] == ("1.0.1", "console-v1.0.0")
    bump = repo.relbot("bump-values", "values.yaml", "--set", "a=${version}", "--version-from", "tag")
    assert bump.returncode == 2
    assert "pass --package NAME" in bump.stderr
    del origin
