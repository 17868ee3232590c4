"""`relbot rollback` from the command line on real repositories: named paths, reverts made by hand, a
values file whose layout changed, the Actions outputs, and bad input that changes nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.actionrunner import parse_file_commands
from tests.gitfixture import Repo, make_bare

VALUES = """\
server:
  image:
    repository: ghcr.io/acme/server
    tag: {server}   # CI
console:
  image: {{repository: ghcr.io/acme/console, tag: "{console}"}}
"""
ARGS = ("values.yaml", "--set", ".server.image.tag", "--image", "ghcr.io/acme/console")


def _values(server: str, console: str | None = None) -> str:
    return VALUES.format(server=server, console=console or server)


def _deploys(repo: Repo, *versions: str) -> list[str]:
    return [repo.commit(f"chore: update image tags to {v}", {"values.yaml": _values(v)}) for v in versions]


def test_named_paths_roll_back_in_a_local_commit_and_a_revert_by_hand_counts(repo: Repo) -> None:
    _deploys(repo, "1.0.0", "1.1.0")
    deployed = _deploys(repo, "1.2.0")[0]
    repo.git("revert", "--no-edit", deployed)  # someone rolled 1.2.0 back by hand
    done = repo.relbot("rollback", *ARGS, "--commit", "--reason", "the worker crashes")
    assert done.returncode == 0, done.stderr
    assert (repo.path / "values.yaml").read_text(encoding="utf-8") == _values("1.0.0")
    assert repo.git("log", "-1", "--format=%s") == "chore: roll back values.yaml from 1.1.0 to 1.0.0"
    assert repo.git("status", "--porcelain") == ""
    assert "server.image.tag: 1.1.0 → 1.0.0 (line 4)" in done.stderr


def test_services_deployed_one_at_a_time_roll_back_one_deploy_at_a_time(repo: Repo) -> None:
    repo.commit("chore: both at 1.0.0", {"values.yaml": _values("1.0.0")})
    repo.commit("chore: server 1.1.0", {"values.yaml": _values("1.1.0", "1.0.0")})
    repo.commit("chore: console 1.1.0", {"values.yaml": _values("1.1.0", "1.1.0")})
    done = repo.relbot("rollback", *ARGS, "--commit")
    assert done.returncode == 0, done.stderr
    assert (repo.path / "values.yaml").read_text(encoding="utf-8") == _values("1.1.0", "1.0.0")
    assert repo.git("log", "-1", "--format=%s") == "chore: roll back values.yaml from 1.1.0 to 1.0.0"


def test_the_history_stops_where_the_values_were_written_elsewhere(repo: Repo) -> None:
    repo.commit("chore: old layout", {"values.yaml": "server:\n  image: ghcr.io/acme/server:0.9.0\n"
                                                     "console:\n  image: ghcr.io/acme/console:0.9.0\n"})
    moved = _deploys(repo, "1.0.0")[0]
    _deploys(repo, "1.1.0")
    done = repo.relbot("rollback", *ARGS, "--commit")
    assert done.returncode == 0, done.stderr
    assert (repo.path / "values.yaml").read_text(encoding="utf-8") == _values("1.0.0")
    head = repo.git("rev-parse", "HEAD")
    done = repo.relbot("rollback", *ARGS, "--commit")
    assert done.returncode == 7
    assert "values.yaml: the history holds no earlier values than the current ones (server.image.tag " \
           "1.0.0, console.image.tag 1.0.0" in done.stderr
    assert f"it stops there: at {repo.git('rev-parse', '--short=7', f'{moved}~1')}, " \
           "values.yaml (document 1): server.image is a scalar, so it has no 'tag'" in done.stderr
    assert "Traceback" not in done.stderr
    assert repo.git("rev-parse", "HEAD") == head


def test_actions_outputs_name_both_versions_and_the_summary_says_what_changed(
    repo: Repo, tmp_path: Path
) -> None:
    _deploys(repo, "1.0.0", "1.1.0")
    output, summary = tmp_path / "output", tmp_path / "summary"
    actions = {"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary)}
    done = repo.relbot("rollback", *ARGS, "--commit", env=actions)
    assert done.returncode == 0, done.stderr
    outputs = parse_file_commands(output.read_text(encoding="utf-8"))
    assert (outputs["changed"], outputs["version"], outputs["previous-version"]) == ("true", "1.0.0", "1.1.0")
    assert outputs["commit-sha"] == repo.git("rev-parse", "HEAD")
    assert "-    tag: 1.1.0   # CI\n+    tag: 1.0.0   # CI\n" in outputs["diff"]
    table = summary.read_text(encoding="utf-8")
    assert table.startswith("### relbot rollback\n")
    assert "| `values.yaml` | `console.image.tag` | `1.1.0` | `1.0.0` |" in table


def test_bad_input_is_a_clear_error_and_changes_nothing(repo: Repo, tmp_path: Path) -> None:
    _deploys(repo, "1.0.0", "1.1.0")
    head = repo.git("rev-parse", "HEAD")
    cases = {
        ("values.yaml", "--set", "server.image.nothere"): (
            7, "values.yaml (document 1): no key 'nothere' under server.image"),
        ("values.yaml", "--set", "console.nothere"): (
            7, "hint: check the path: rollback sets back values the file has now"),
        ("missing.yaml", "--set", "a.b"): (7, "missing.yaml is not a file in HEAD's tree"),
        (".", "--set", "a.b"): (7, ". is a directory, not a values file"),
        ("values.yaml",): (7, "hint: name the values to roll back: --set .app.image.tag or --image"),
        ("values.yaml", "--set", ""): (7, "--set '' names no path or image"),
        ("values.yaml", "--set", ".server.image.tag=0.0.1"): (
            7, "--set .server.image.tag=0.0.1: a value is only used with --to"),
        ("values.yaml", "--image", "ghcr.io/acme/console=0.0.1"): (7, "a value is only used with --to"),
        (*ARGS, "--of", "nosuchcommit"): (7, "--of nosuchcommit: 'nosuchcommit' is not a commit of HEAD's"),
        (*ARGS, "--of", "HEAD", "--to", "1.0.0"): (2, "--of and --to cannot be used together"),
        (*ARGS, "--of", "HEAD...HEAD~1"): (7, "--of HEAD...HEAD~1: 'HEAD.' is not a commit"),
        (): (7, "nothing to roll back: no --set/--image and no `values` section"),
        (*ARGS, "--to", "1.0.0"): (7, "--to 1.0.0 is not a release: there is no tag v1.0.0 here"),
    }
    for args, (code, message) in cases.items():
        done = repo.relbot("rollback", *args, "--commit")
        assert (done.returncode, message in done.stderr) == (code, True), (args, done.stderr)
        assert "Traceback" not in done.stderr
    (repo.path / "values.yaml").write_text(_values("1.1.0") + "# mine\n", encoding="utf-8")
    done = repo.relbot("rollback", *ARGS, "--commit")
    assert done.returncode == 4
    assert "values.yaml has uncommitted changes of its own" in done.stderr
    assert (repo.path / "values.yaml").read_text(encoding="utf-8").endswith("# mine\n")
    assert repo.git("rev-parse", "HEAD") == head

    outside = tmp_path / "plain"
    outside.mkdir()
    (outside / "values.yaml").write_text(_values("1.0.0"), encoding="utf-8")
    done = repo.relbot("rollback", *ARGS, cwd=outside)
    assert done.returncode == 4
    assert "relbot: error: . is not inside a git repository" in done.stderr


def test_a_shallow_clone_without_origin_says_how_to_get_the_history(repo: Repo, tmp_path: Path) -> None:
    _deploys(repo, "1.0.0", "1.1.0")
    bare = make_bare(tmp_path, repo.env)
    repo.git("push", "-q", str(bare), "main")
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{bare}", str(shallow)], env=repo.env,
                   check=True)
    clone = Repo(shallow, repo.env)
    clone.git("remote", "remove", "origin")
    done = clone.relbot("rollback", *ARGS, "--commit")
    assert done.returncode == 4
    assert "is a shallow clone with no `origin` to fetch the values' history from" in done.stderr
    assert "fetch-depth: 0" in done.stderr


def test_from_a_subdirectory_and_with_c_the_history_is_the_same(repo: Repo) -> None:
    for version in ("1.0.0", "1.1.0"):
        repo.commit(f"chore: {version}", {"k8s/values.yaml": _values(version)})
    sub = repo.path / "k8s"
    inside = repo.relbot("rollback", *ARGS, "--dry-run", cwd=sub)
    assert inside.returncode == 0, inside.stderr
    assert "+    tag: 1.0.0   # CI\n" in inside.stdout
    with_c = repo.relbot("-C", "k8s", "rollback", *ARGS, "--json")
    assert with_c.returncode == 0, with_c.stderr
    assert json.loads(with_c.stdout)["version"] == "1.0.0"
    assert (sub / "values.yaml").read_text(encoding="utf-8") == _values("1.0.0")


def test_a_deploy_that_reached_main_through_a_merge_is_not_skipped(repo: Repo) -> None:
    """main merged into a branch and the branch pushed as main (a "foxtrot" merge): main's deploys
    are on the merge's second parent; the first-parent line alone would skip them."""
    _deploys(repo, "1.0.0")
    repo.git("checkout", "-q", "-b", "dev")
    repo.commit("docs: on the branch", {"dev.txt": "dev\n"})
    repo.git("checkout", "-q", "main")
    _deploys(repo, "1.1.0", "1.2.0")
    repo.git("checkout", "-q", "dev")
    repo.git("merge", "-q", "--no-edit", "main")  # "Merge branch 'main' into dev"
    repo.git("checkout", "-q", "main")
    repo.git("reset", "-q", "--hard", "dev")  # dev pushed as main
    done = repo.relbot("rollback", *ARGS, "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "server.image.tag: 1.2.0 → 1.1.0" in done.stderr
    assert "merged main back into main's line" in done.stderr


def test_a_merged_pull_request_is_one_deploy_whatever_its_branch_held(repo: Repo) -> None:
    _deploys(repo, "1.0.0", "1.1.0")
    repo.git("checkout", "-q", "-b", "renovate/images")
    _deploys(repo, "1.2.0", "1.3.0")  # never ran: main gets the pull request's last values
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #9 from acme/renovate/images",
             "renovate/images")
    done = repo.relbot("rollback", *ARGS, "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "server.image.tag: 1.3.0 → 1.1.0" in done.stderr


def test_of_rolls_back_only_the_deploy_that_commit_made(repo: Repo) -> None:
    deployed = _deploys(repo, "1.0.0", "1.1.0")[-1]
    scaled = repo.commit("chore: scale down", {"values.yaml": _values("1.1.0") + "replicas: 0\n"})
    done = repo.relbot("rollback", *ARGS, "--of", scaled, "--commit", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["changed"] is False
    assert report["not_landed"] == (f"{scaled[:7]} changed none of the values, so there is nothing of it "
                                    "to roll back")
    assert repo.git("rev-parse", "HEAD") == scaled
    done = repo.relbot("rollback", *ARGS, "--of", deployed, "--commit")
    assert done.returncode == 0, done.stderr
    assert repo.git("log", "-1", "--format=%s") == "chore: roll back values.yaml from 1.1.0 to 1.0.0"
    rollback = repo.git("rev-parse", "HEAD")
    done = repo.relbot("rollback", *ARGS, "--of", "HEAD", "--commit", "--json")  # its deploy failed too
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["not_landed"].startswith(f"the values now were set by a rollback "
                                                            f"({rollback[:7]}), and --of never rolls")
    first = repo.git("rev-list", "--max-parents=0", "HEAD")
    done = repo.relbot("rollback", *ARGS, "--commit", "--json")  # by hand: …the first values
    assert done.returncode == 7
    assert f"it stops there: values.yaml first appears at {first[:7]}" in json.loads(done.stdout)["error"]


def test_of_a_push_of_two_deploys_goes_back_to_what_ran_before_the_push(repo: Repo) -> None:
    before = _deploys(repo, "2.0.0")[-1]
    pushed = _deploys(repo, "3.0.0", "3.1.0")[-1]  # one push, two deploy commits: 3.0.0 never ran
    done = repo.relbot("rollback", *ARGS, "--of", f"{before}..{pushed}", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "server.image.tag: 3.1.0 → 2.0.0" in done.stderr
    assert f"rolling back to what ran before the push: the values of {before[:7]}" in done.stderr


ANCHORED = """\
x-image: &image {{repository: ghcr.io/acme/server, tag: "{version}"}}
server:
  image: *image
console:
  image:
    <<: *image
    repository: ghcr.io/acme/console
"""


def test_a_value_shared_through_an_anchor_is_set_back_only_when_allowed(repo: Repo) -> None:
    for version in ("1.0.0", "1.1.0"):
        repo.commit(f"chore: {version}", {"values.yaml": ANCHORED.format(version=version)})
    done = repo.relbot("rollback", "values.yaml", "--image", "ghcr.io/acme/server", "--commit")
    assert done.returncode == 7
    assert "console.image.tag" in done.stderr  # the other path the anchor's value reaches
    assert "--allow-shared" in done.stderr
    done = repo.relbot("rollback", "values.yaml", "--image", "ghcr.io/acme/server", "--allow-shared",
                       "--commit")
    assert done.returncode == 0, done.stderr
    assert (repo.path / "values.yaml").read_text(encoding="utf-8") == ANCHORED.format(version="1.0.0")


def test_a_reader_that_stops_early_is_not_an_error(repo: Repo) -> None:
    _deploys(repo, "1.0.0", "1.1.0")
    relbot = subprocess.Popen([sys.executable, "-m", "relbot", "rollback", *ARGS, "--dry-run"], cwd=repo.path,
                              env=repo.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert relbot.stdout is not None
    relbot.stdout.close()  # the reader is gone before relbot writes, as with `| head -0`
    _, err = relbot.communicate(timeout=60)
    assert relbot.returncode == 0, err
    assert b"Traceback" not in err
    assert b"internal error" not in err


def test_of_a_pull_request_merge_rolls_back_what_the_merge_brought(repo: Repo) -> None:
    _deploys(repo, "1.0.0")
    repo.git("checkout", "-q", "-b", "relbot/bump-values")
    _deploys(repo, "1.1.0")  # what `bump-values --create-pr` pushes
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #7", "relbot/bump-values")
    merged = repo.git("rev-parse", "HEAD")
    later = _deploys(repo, "1.2.0")[0]
    done = repo.relbot("rollback", *ARGS, "--of", merged, "--dry-run", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["not_landed"].startswith(f"the values now are not those {merged[:7]} set")
    repo.git("reset", "-q", "--hard", merged)  # the deploy job's checkout of the merge
    done = repo.relbot("rollback", *ARGS, "--of", merged, "--commit")
    assert done.returncode == 0, done.stderr
    assert (repo.path / "values.yaml").read_text(encoding="utf-8") == _values("1.0.0")
    assert later != merged


def test_of_a_push_rolls_back_what_the_push_brought(repo: Repo) -> None:
    before = _deploys(repo, "1.0.0", "1.1.0")[-1]
    _deploys(repo, "1.2.0")
    pushed = repo.commit("docs: notes", {"NOTES.md": "1.2.0\n"})  # the push's last commit changes no value
    done = repo.relbot("rollback", *ARGS, "--of", pushed, "--dry-run", "--json")
    assert json.loads(done.stdout)["not_landed"].startswith(f"{pushed[:7]} changed none of the values")
    done = repo.relbot("rollback", *ARGS, "--of", f"{before}..{pushed}", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "server.image.tag: 1.2.0 → 1.1.0" in done.stderr
    done = repo.relbot("rollback", *ARGS, "--of", f"{'0' * 40}..{pushed}", "--dry-run", "--json")
    assert json.loads(done.stdout)["changed"] is False  # a new branch's push: the last commit alone
    repo.git("checkout", "-q", "-b", "other", before)
    elsewhere = repo.commit("chore: elsewhere", {"values.yaml": _values("9.9.9")})
    repo.git("checkout", "-q", "main")
    done = repo.relbot("rollback", *ARGS, "--of", elsewhere, "--dry-run")
    assert done.returncode == 7
    assert f"--of {elsewhere}: '{elsewhere}' is not a commit of HEAD's history" in done.stderr


def test_to_warns_when_the_values_lose_their_v_and_json_answers_a_usage_error(repo: Repo) -> None:
    repo.commit("chore: v1.0.0", {"values.yaml": _values("v1.0.0")})
    repo.tag("v1.0.0")
    repo.commit("chore: v1.1.0", {"values.yaml": _values("v1.1.0")})
    repo.tag("v1.1.0")
    done = repo.relbot("rollback", *ARGS, "--to", "1.0.0", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "warning: values.yaml: server.image.tag was v1.1.0 and becomes 1.0.0, without" in done.stderr
    assert "pass --set server.image.tag=v${version}" in done.stderr
    done = repo.relbot("rollback", "values.yaml", "--set", ".server.image.tag=v${version}", "--to", "1.0.0",
                       "--commit")
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr
    assert repo.git("log", "-1", "--format=%s") == "chore: set values.yaml to release 1.0.0 (from v1.1.0)"
    done = repo.relbot("rollback", *ARGS, "--retries", "99", "--json")
    assert done.returncode == 2
    assert json.loads(done.stdout)["exit_code"] == 2


def test_a_git_pull_merge_on_main_is_followed_into_the_deploys_it_merged(tmp_path: Path, repo: Repo) -> None:
    """Someone edits the values on an old checkout and `git pull`s (a merge) before pushing: main's
    deploys are the merge's second parent."""
    _deploys(repo, "1.0.0")
    repo.git("checkout", "-q", "-b", "laptop")
    repo.commit("docs: a comment", {"values.yaml": "# the production values\n" + _values("1.0.0")})
    repo.git("checkout", "-q", "main")
    _deploys(repo, "1.1.0", "1.2.0")
    repo.git("checkout", "-q", "laptop")
    repo.git("merge", "-q", "-m", f"Merge branch 'main' of file://{tmp_path}/remote.git", "main")
    repo.git("checkout", "-q", "main")
    repo.git("reset", "-q", "--hard", "laptop")
    done = repo.relbot("rollback", *ARGS, "--commit")
    assert done.returncode == 0, done.stderr
    assert "server.image.tag: 1.2.0 → 1.1.0" in done.stderr
    commented = "# the production values\n" + _values("1.1.0")
    assert (repo.path / "values.yaml").read_text(encoding="utf-8") == commented
