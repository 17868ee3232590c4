"""`relbot rollback` from the command line on real repositories: named paths, reverts made by hand, a
values file whose layout changed, the Actions outputs, and bad input that changes nothing."""

from __future__ import annotations

import subprocess
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
    assert f"the history stops there: at {repo.git('rev-parse', '--short=7', f'{moved}~1')}, " \
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
        ("missing.yaml", "--set", "a.b"): (4, "missing.yaml is not committed"),
        ("values.yaml",): (7, "no --set or --image given for values.yaml"),
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
