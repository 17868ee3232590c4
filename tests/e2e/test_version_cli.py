"""`relbot version` end to end: real repositories, the real CLI in a subprocess."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.gitfixture import Repo, make_bare, make_repo


def version(repo: Repo, *args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return repo.relbot("version", *args, **kw)  # type: ignore[arg-type]


def shallow_clone(repo: Repo, dest: Path, *args: str) -> Repo:
    """A CI-style checkout of `repo`: one commit deep, no tags (what actions/checkout makes)."""
    repo.git("clone", "-q", "--depth", "1", "--no-tags", *args, f"file://{repo.path}", str(dest))
    return Repo(dest, repo.env)


def test_first_release_is_1_0_0_and_json_names_everything(repo: Repo) -> None:
    repo.commit("chore: init")
    repo.commit("feat(api): add widgets")
    repo.commit("fix: handle empty input")
    done = version(repo, "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["version"] == "1.0.0"
    assert data["tag"] == "v1.0.0"
    assert data["previous_version"] is None
    assert data["bump"] == "minor"
    assert data["branch"] == "main"
    assert data["commits"] == 3
    assert "first release 1.0.0" in data["rule"]
    assert "feat" in data["rule"]


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        (["fix: a"], "1.2.4"),
        (["perf: faster"], "1.2.4"),
        (["fix: a", "feat: b"], "1.3.0"),
        (["feat!: drop the v1 API"], "2.0.0"),
        (["fix: a", "refactor: b\n\nBREAKING CHANGE: config keys renamed"], "2.0.0"),
        (["fix(core)!: b"], "2.0.0"),
        (["Feat: upper-case type"], "1.3.0"),
        (["revert: fix: something released earlier\n\nThis reverts commit 1234567."], "1.2.4"),
    ],
    ids=["fix", "perf", "feat-wins", "bang", "footer", "scoped-bang", "case-insensitive", "old-revert"],
)
def test_bump_after_last_release(repo: Repo, messages: list[str], expected: str) -> None:
    repo.commit("feat: base")
    repo.tag("v1.2.3", annotated=True)
    for message in messages:
        repo.commit(message)
    done = version(repo)
    assert (done.returncode, done.stdout) == (0, f"{expected}\n"), done.stderr


def test_tag_flag_prints_tag_with_custom_format(repo: Repo) -> None:
    (repo.path / ".releaserc.json").write_text('{"tagFormat": "server-v${version}"}\n', encoding="utf-8")
    repo.commit("feat: a")
    repo.tag("server-v0.4.0")
    repo.tag("v9.9.9")  # another format: ignored
    repo.commit("fix: b")
    done = version(repo, "--tag")
    assert done.stdout == "server-v0.4.1\n", done.stderr


def test_highest_reachable_tag_wins_and_unreachable_tags_are_ignored(repo: Repo) -> None:
    repo.commit("feat: a")
    repo.tag("v1.0.0")
    repo.git("switch", "-q", "-c", "other")
    repo.commit("feat: other line")
    repo.tag("v5.0.0")
    repo.git("switch", "-q", "main")
    repo.commit("fix: b")
    repo.tag("v1.0.1")
    repo.commit("fix: c")
    assert version(repo).stdout == "1.0.2\n"


@pytest.mark.parametrize("messages", [[], ["docs: readme", "chore: deps", "not conventional"]],
                         ids=["no-commits", "nothing-releasable"])
def test_no_release_prints_nothing_and_exits_zero_unless_strict(repo: Repo, messages: list[str]) -> None:
    repo.commit("feat: a")
    repo.tag("v1.0.0")
    for message in messages:
        repo.commit(message)
    done = version(repo)
    assert (done.returncode, done.stdout) == (0, "")
    assert "no release" in done.stderr
    strict = version(repo, "--strict")
    assert strict.returncode == 5
    assert strict.stdout == ""
    assert "no release" in strict.stderr


def test_branch_not_configured_exits_zero_and_says_so(repo: Repo) -> None:
    repo.commit("feat: a")
    repo.git("switch", "-q", "-c", "feature/x")
    done = version(repo)
    assert (done.returncode, done.stdout) == (0, "")
    assert "'feature/x' is not configured for releases" in done.stderr


def test_prerelease_counter_comes_from_existing_tags(repo: Repo) -> None:
    repo.commit("feat: a")
    repo.tag("v1.0.0")
    repo.git("switch", "-q", "-c", "beta")
    repo.commit("feat!: new engine")
    assert version(repo).stdout == "2.0.0-beta.1\n"
    repo.tag("v2.0.0-beta.1")
    repo.tag("v2.0.0-beta.2", ref="HEAD~1")  # a tag left by an earlier, rebased run
    repo.commit("fix: b")
    assert version(repo).stdout == "2.0.0-beta.3\n"


def test_hotfix_glob_branch_with_prerelease_id(repo: Repo) -> None:
    (repo.path / ".releaserc.json").write_text(json.dumps({"branches": [
        "main", {"name": "hotfix/*", "prerelease": "hotfix"}]}), encoding="utf-8")
    repo.commit("feat: a")
    repo.tag("v1.2.3")
    repo.git("switch", "-q", "-c", "hotfix/login")
    repo.commit("fix: login loop")
    assert version(repo).stdout == "1.2.4-hotfix.1\n"


def test_maintenance_range_violation_is_an_error_naming_the_range(repo: Repo) -> None:
    repo.commit("feat: a")
    repo.tag("v1.2.0")
    repo.git("switch", "-q", "-c", "1.2.x")
    repo.commit("fix: ok")
    assert version(repo).stdout == "1.2.1\n"
    repo.commit("feat: not allowed here")
    done = version(repo)
    assert done.returncode == 6
    assert ("1.3.0 is out of range for maintenance branch '1.2.x': based on the releases published "
            "on other branches, it can only release versions >=1.2.0 <1.3.0") in done.stderr


def test_revert_in_same_range_cancels_both(repo: Repo) -> None:
    repo.commit("fix: a")
    repo.tag("v1.0.0")
    feature = repo.commit("feat: risky")
    repo.git("revert", "--no-edit", feature)
    assert version(repo).stdout == ""
    repo.commit("fix: b")
    assert version(repo).stdout == "1.0.1\n"


def test_skip_release_commits_are_ignored(repo: Repo) -> None:
    repo.commit("fix: a")
    repo.tag("v1.0.0")
    repo.commit("feat: experimental [skip release]")
    assert version(repo).stdout == ""


def test_detached_head_uses_the_ci_branch(repo: Repo) -> None:
    repo.commit("feat: a")
    repo.git("checkout", "-q", "--detach")
    done = version(repo)
    assert done.returncode == 4
    assert "detached" in done.stderr
    assert "--branch" in done.stderr
    ci = version(repo, env={"GITHUB_REF": "refs/heads/main", "GITHUB_REF_NAME": "main"})
    assert ci.stdout == "1.0.0\n", ci.stderr
    assert version(repo, "--branch", "main").stdout == "1.0.0\n"


def test_shallow_clone_fetches_history_back_to_the_last_release(tmp_path: Path, repo: Repo) -> None:
    for index in range(30):
        repo.commit(f"fix: change {index}")
        if index == 9:
            repo.tag("v1.0.0", annotated=True)
        if index == 19:
            repo.tag("v1.1.0")
    repo.commit("feat: new")
    shallow = shallow_clone(repo, tmp_path / "shallow")
    assert shallow.git("rev-parse", "--is-shallow-repository") == "true"
    done = version(shallow, "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["version"], data["previous_tag"], data["commits"]) == ("1.2.0", "v1.1.0", 11)
    assert "shallow clone" in done.stderr


def test_shallow_clone_on_a_server_that_cannot_fetch_by_commit_falls_back_to_the_branch(
        tmp_path: Path, repo: Repo) -> None:
    """Protocol v0 without allowReachableSHA1InWant refuses wants by commit id (older servers):
    relbot then fetches the whole history of the branch by name, and still finds the release."""
    for index in range(12):
        repo.commit(f"fix: change {index}")
        if index == 5:
            repo.tag("v1.0.0", annotated=True)
    shallow = shallow_clone(repo, tmp_path / "shallow")
    repo.commit("fix: pushed meanwhile, so the checkout's commit is no longer a branch tip")
    v0 = {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "protocol.version", "GIT_CONFIG_VALUE_0": "0"}
    done = version(shallow, "--json", env=v0)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["version"], data["previous_tag"], data["commits"]) == ("1.0.1", "v1.0.0", 6)
    assert "fetched the full history" in done.stderr


def test_shallow_clone_with_a_higher_release_ahead_on_another_branch_fetches_only_since_its_own(
        tmp_path: Path, repo: Repo) -> None:
    """`next` released v2.0.0 on top of main's history: excluding it from main's fetch is refused
    (HEAD is inside it), so the next tag down is tried instead of fetching everything."""
    repo.commit("feat: a", {".releaserc.json": '{"branches": ["main", "next"]}'})
    repo.tag("v1.1.0")
    for index in range(30):
        repo.commit(f"chore: filler {index}")
    repo.commit("fix: c")
    repo.tag("v1.1.1")
    repo.commit("fix: d")
    repo.git("switch", "-q", "-c", "next")
    repo.commit("feat!: big")
    repo.tag("v2.0.0")
    repo.git("switch", "-q", "main")
    shallow = shallow_clone(repo, tmp_path / "shallow", "--branch", "main")
    done = version(shallow)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "1.1.2\n"
    assert "fetched the history since the last release v1.1.1" in done.stderr
    assert shallow.git("rev-list", "--count", "HEAD") == "2"


def test_shallow_clone_without_remote_fails_with_the_exact_fix(tmp_path: Path, repo: Repo) -> None:
    repo.commit("feat: a")
    repo.tag("v1.0.0")
    repo.commit("fix: b")
    clone = tmp_path / "shallow"
    repo.git("clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone))
    shallow = Repo(clone, repo.env)
    shallow.git("remote", "remove", "origin")
    done = version(shallow)
    assert done.returncode == 4
    assert "shallow clone" in done.stderr
    assert "fetch-depth: 0" in done.stderr


def test_shallow_first_release_unshallows(tmp_path: Path, env: dict[str, str]) -> None:
    bare = make_bare(tmp_path, env)
    source = make_repo(tmp_path, env, "source")
    for index in range(5):
        source.commit(f"fix: {index}")
    source.git("push", "-q", str(bare), "main")
    clone = tmp_path / "clone"
    source.git("clone", "-q", "--depth", "1", f"file://{bare}", str(clone))
    done = version(Repo(clone, env), "--json")
    assert json.loads(done.stdout)["commits"] == 5, done.stderr
    assert "full history" in done.stderr


@pytest.mark.parametrize(
    ("filename", "text", "needle"),
    [
        (".releaserc.json", '{"branches": ["main"],}', "invalid JSON at line 1"),
        (".releaserc.js", "module.exports = {}", "JavaScript configuration files"),
        (".releaserc.json", '{"branches": [{"name": "beta", "prerelease": 1}]}', "branches[0].prerelease"),
        (".releaserc.yaml", "tagFormat: release\n", "tagFormat"),
        ("package.json", '{"release": {"plugins": [["@semantic-release/commit-analyzer", '
         '{"preset": "eslint"}]]}}', "preset 'eslint' is not supported"),
    ],
    ids=["json-syntax", "js-config", "json-path", "tag-format", "preset"],
)
def test_config_errors_exit_3_and_name_the_problem(repo: Repo, filename: str, text: str,
                                                   needle: str) -> None:
    (repo.path / filename).write_text(text, encoding="utf-8")
    repo.commit("feat: a")
    done = version(repo)
    assert done.returncode == 3, done.stderr
    assert filename in done.stderr
    assert needle in done.stderr
    assert "Traceback" not in done.stderr


def test_unknown_plugin_is_a_warning_naming_it(repo: Repo) -> None:
    (repo.path / ".releaserc").write_text(
        "plugins:\n  - '@semantic-release/commit-analyzer'\n  - semantic-release-slack-bot\n",
        encoding="utf-8")
    repo.commit("feat: a")
    done = version(repo)
    assert done.stdout == "1.0.0\n"
    assert "semantic-release-slack-bot" in done.stderr
    assert "warning" in done.stderr


def test_not_a_repository_exits_4(tmp_path: Path, env: dict[str, str]) -> None:
    outside = tmp_path / "plain"
    outside.mkdir()
    done = Repo(outside, env).relbot("version")
    assert done.returncode == 4
    assert "not inside a git repository" in done.stderr


def test_explicit_config_path_and_zero_version_policy(repo: Repo, tmp_path: Path) -> None:
    config = tmp_path / "custom.json"
    config.write_text('{"zeroVersion": "shift"}', encoding="utf-8")
    repo.commit("feat: a")
    done = repo.relbot("--config", str(config), "version")
    assert done.stdout == "0.1.0\n", done.stderr
    repo.tag("v0.1.0")
    repo.commit("feat: b")
    repo.commit("feat!: c")
    done = repo.relbot("--config", str(config), "-v", "version")
    assert done.stdout == "0.2.0\n"
    assert "0.x policy 'shift'" in done.stderr


def test_angular_preset_still_reads_the_bang(repo: Repo) -> None:
    (repo.path / ".releaserc.json").write_text(json.dumps({"plugins": [
        ["@semantic-release/commit-analyzer", {"preset": "angular"}]]}), encoding="utf-8")
    repo.commit("feat: a")
    repo.tag("v1.0.0")
    repo.commit("feat!: drop the v1 API")
    assert version(repo).stdout == "2.0.0\n"


def test_next_version_already_tagged_elsewhere_is_an_error(repo: Repo) -> None:
    repo.commit("feat: a")
    repo.tag("v1.0.0")
    repo.git("switch", "-q", "-c", "side")
    repo.commit("fix: on a side branch")
    repo.tag("v1.0.1")
    repo.git("switch", "-q", "main")
    repo.commit("fix: on main")
    done = version(repo)
    assert done.returncode == 6
    assert "1.0.1 is already tagged" in done.stderr


def test_a_clone_without_tags_fetches_them_before_choosing_the_last_release(
    tmp_path: Path, env: dict[str, str]
) -> None:
    """`git clone --no-tags` (or a CI fetch of one sha) must not make relbot start over at 1.0.0."""
    origin = make_repo(tmp_path, env, "origin")
    origin.commit("feat: first")
    origin.tag("v2.3.0")
    origin.commit("fix: a bug")
    clone = tmp_path / "ci"
    subprocess.run(["git", "clone", "-q", "--no-tags", str(origin.path), str(clone)], env=env, check=True)
    ci = Repo(clone, env)
    assert ci.git("tag") == ""
    done = ci.relbot("version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2.3.1"
    assert "fetched 1 release tag(s) from origin" in done.stderr
    assert ci.git("tag") == "v2.3.0"


def test_a_checkout_with_old_tags_only_fetches_the_newer_ones_before_choosing(
    tmp_path: Path, env: dict[str, str]
) -> None:
    """A CI cache holding v1.0.0 while origin released v2.0.0 and v2.0.1 since: `relbot version`
    agrees with `relbot release` (2.1.0), never 1.1.0 below origin's releases."""
    origin = make_repo(tmp_path, env, "origin")
    origin.commit("feat: first")
    origin.tag("v1.0.0")
    origin.commit("feat!: a")
    origin.tag("v2.0.0")
    origin.commit("fix: b")
    origin.tag("v2.0.1")
    origin.commit("feat: c")
    clone = tmp_path / "ci"
    subprocess.run(["git", "clone", "-q", "--no-tags", str(origin.path), str(clone)], env=env, check=True)
    ci = Repo(clone, env)
    ci.git("fetch", "-q", "origin", "refs/tags/v1.0.0:refs/tags/v1.0.0")

    done = ci.relbot("version")

    assert done.returncode == 0, done.stderr
    assert done.stdout == "2.1.0\n"
    assert "fetched 2 release tag(s) from origin that this checkout lacked (v2.0.0, v2.0.1)" in done.stderr


def test_full_changelog_in_a_clone_without_tags_fetches_them(tmp_path: Path, env: dict[str, str]) -> None:
    origin = make_repo(tmp_path, env, "origin")
    origin.commit("feat: first")
    origin.tag("v1.0.0")
    origin.commit("fix: b")
    origin.tag("v1.0.1")
    clone = tmp_path / "ci"
    subprocess.run(["git", "clone", "-q", "--no-tags", str(origin.path), str(clone)], env=env, check=True)

    done = Repo(clone, env).relbot("changelog", "--full")

    assert done.returncode == 0, done.stderr
    assert "## 1.0.1" in done.stdout
    assert "# 1.0.0" in done.stdout


def test_a_release_fetches_the_release_tags_the_checkout_lacks(tmp_path: Path, env: dict[str, str]) -> None:
    origin = make_repo(tmp_path, env, "origin")
    origin.commit("feat: first", {".releaserc.json": '{"branches": ["main"], "plugins": '
                                  '["@semantic-release/commit-analyzer"]}'})
    origin.tag("v1.0.0")
    origin.commit("feat: second")
    clone = tmp_path / "ci"
    subprocess.run(["git", "clone", "-q", "--no-tags", str(origin.path), str(clone)], env=env, check=True)
    ci = Repo(clone, env)
    ci.git("fetch", "-q", "origin", "refs/tags/v1.0.0:refs/tags/v1.0.0")
    origin.tag("v1.1.0")  # released meanwhile from another checkout of the same commit
    dry = ci.relbot("release", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "nothing to do" in dry.stdout
    assert "fetched 1 release tag(s) from origin that this checkout lacked (v1.1.0)" in dry.stderr
