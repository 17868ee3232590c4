"""bump-values tells the truth: what it pushes is exactly its own edits, a run that cannot commit
or push is refused by the dry run and the real run alike and changes nothing, and its reports
describe the commit that landed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.test_bump_values_cli import parse_outputs
from tests.gitfixture import Repo, make_bare, make_repo

VALUES = ('app:\n  image:\n    repository: ghcr.io/acme/app\n    tag: "8.2.1"  # set by CI\n'
          "  pullPolicy: IfNotPresent\n")


def bump(repo: Repo, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "relbot", "bump-values", *args], cwd=repo.path,
                          env={**repo.env, **(env or {})}, capture_output=True, text=True, check=False)


def clone_with_origin(tmp_path: Path, env: dict[str, str],
                      files: dict[str, str] | None = None) -> tuple[Repo, Path]:
    bare = make_bare(tmp_path, env)
    repo = make_repo(tmp_path, env)
    repo.git("remote", "add", "origin", str(bare))
    repo.commit("chore: values", files or {"values.yaml": VALUES})
    repo.git("push", "-q", "origin", "main")
    return repo, bare


def on_origin(bare: Path, env: dict[str, str], path: str = "values.yaml") -> str:
    return subprocess.run(["git", "--git-dir", str(bare), "show", f"main:{path}"], env=env,
                          capture_output=True, text=True, check=True).stdout


def both_refuse(repo: Repo, code: int, words: str, *args: str, env: dict[str, str] | None = None) -> None:
    dry, real = bump(repo, *args, "--dry-run", env=env), bump(repo, *args, env=env)
    assert dry.returncode == real.returncode == code, (dry.stderr, real.stderr)
    assert words in dry.stderr
    assert words in real.stderr


def test_uncommitted_edits_in_the_values_file_are_never_pushed(tmp_path: Path, env: dict[str, str]) -> None:
    repo, bare = clone_with_origin(tmp_path, env)
    edited = VALUES.replace("IfNotPresent", "Always")
    (repo.path / "values.yaml").write_text(edited, encoding="utf-8")
    both_refuse(repo, 4, "values.yaml has uncommitted changes of its own",
                "values.yaml", "--set", "app.image.tag=9.0.0", "--push")
    assert on_origin(bare, env) == VALUES
    assert (repo.path / "values.yaml").read_text(encoding="utf-8") == edited


def test_staged_edits_in_the_values_file_are_never_dropped(tmp_path: Path, env: dict[str, str]) -> None:
    repo, bare = clone_with_origin(tmp_path, env)
    (repo.path / "values.yaml").write_text(VALUES.replace("IfNotPresent", "Always"), encoding="utf-8")
    repo.git("add", "values.yaml")
    (repo.path / "values.yaml").write_text(VALUES, encoding="utf-8")  # staged, then undone in the tree
    both_refuse(repo, 4, "uncommitted changes of its own", "values.yaml", "--set", "app.image.tag=9.0.0",
                "--push")
    assert repo.git("diff", "--cached", "--name-only") == "values.yaml"
    assert on_origin(bare, env) == VALUES


def test_an_earlier_plain_edit_is_not_taken_for_already_pushed(tmp_path: Path, env: dict[str, str]) -> None:
    """`--push` compares with HEAD, not with the file an earlier step already edited."""
    repo, bare = clone_with_origin(tmp_path, env)
    assert bump(repo, "values.yaml", "--set", "app.image.tag=9.0.0").returncode == 0
    done = bump(repo, "values.yaml", "--set", "app.image.tag=9.0.0", "--push")
    assert done.returncode == 0, done.stderr
    assert "app.image.tag: 8.2.1 → 9.0.0" in done.stderr
    assert on_origin(bare, env) == VALUES.replace('"8.2.1"', '"9.0.0"')


def test_a_run_that_cannot_commit_is_refused_before_writing(tmp_path: Path, env: dict[str, str]) -> None:
    repo, bare = clone_with_origin(tmp_path, env)
    nobody = tmp_path / "nobody.gitconfig"
    nobody.write_text("[user]\n\tuseConfigOnly = true\n[init]\n\tdefaultBranch = main\n", encoding="utf-8")
    anonymous = {"GIT_CONFIG_GLOBAL": str(nobody)}
    both_refuse(repo, 4, "does not know who commits", "values.yaml", "--set", "app.image.tag=9.0.0",
                "--push", env=anonymous)
    committer_only = {**anonymous, "GIT_COMMITTER_NAME": "c", "GIT_COMMITTER_EMAIL": "c@example.com"}
    both_refuse(repo, 4, "does not know who commits", "values.yaml", "--set", "app.image.tag=9.0.0",
                "--push", env=committer_only)
    assert (repo.path / "values.yaml").read_text(encoding="utf-8") == VALUES
    landed = bump(repo, "values.yaml", "--set", "app.image.tag=9.0.0", "--push")
    assert landed.returncode == 0, landed.stderr
    assert 'tag: "9.0.0"' in on_origin(bare, env)


def test_a_rerun_after_a_failed_commit_finishes_the_push(tmp_path: Path, env: dict[str, str]) -> None:
    repo, bare = clone_with_origin(tmp_path, env)
    written = VALUES.replace('"8.2.1"', '"9.0.0"')
    (repo.path / "values.yaml").write_text(written, encoding="utf-8")  # what a run that died left
    done = bump(repo, "values.yaml", "--set", "app.image.tag=9.0.0", "--push", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["changed"] is True
    assert report["pushed"] is True
    assert on_origin(bare, env) == written


def test_a_configured_file_outside_the_repository_is_named_as_such(tmp_path: Path,
                                                                  env: dict[str, str]) -> None:
    entry = {"path": "../outside.yaml", "set": {"app.image.tag": "${version}"}}
    repo, _ = clone_with_origin(tmp_path, env, {"values.yaml": VALUES, ".releaserc.json": json.dumps(
        {"values": {"push": True, "files": [entry]}})})
    (tmp_path / "outside.yaml").write_text(VALUES, encoding="utf-8")
    both_refuse(repo, 4, "outside the repository", "--version", "9.0.0")


def test_json_answers_a_configuration_error_too(tmp_path: Path, env: dict[str, str]) -> None:
    repo, _ = clone_with_origin(tmp_path, env)
    (repo.path / "bad.json").write_text("{bad", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "relbot", "--config", "bad.json", "bump-values",
                           "values.yaml", "--set", "app.image.tag=9.0.0", "--json"], cwd=repo.path,
                          env=repo.env, capture_output=True, text=True, check=False)
    assert done.returncode == 3
    assert json.loads(done.stdout)["exit_code"] == 3


def test_files_git_cannot_record_are_refused_with_push(tmp_path: Path, env: dict[str, str]) -> None:
    repo, _ = clone_with_origin(tmp_path, env, {"values.yaml": VALUES, ".gitignore": "local.yaml\n"})
    outside = tmp_path / "outside.yaml"
    outside.write_text(VALUES, encoding="utf-8")
    (repo.path / "local.yaml").write_text(VALUES, encoding="utf-8")
    both_refuse(repo, 4, "outside the repository", str(outside), "--set", "app.image.tag=9.0.0", "--push")
    both_refuse(repo, 4, "local.yaml is ignored by git", "local.yaml", "--set", "app.image.tag=9.0.0",
                "--push")
    assert outside.read_text(encoding="utf-8") == VALUES
    assert (repo.path / "local.yaml").read_text(encoding="utf-8") == VALUES


@pytest.mark.parametrize(("args", "shown"), [
    (("--set", "app.image.tag=${Version}"), "${Version}"),
    (("--set", "app.image.tag=${version"), "${version"),
    (("--set", "app.image.tag=$version"), "$version"),
    (("--set", "app.image.tag=${version}", "--commit", "--message", "bump to ${nextRelease.version}"),
     "${nextRelease.version}"),
], ids=["unknown", "unclosed", "no-braces", "in-the-message"])
def test_an_unknown_placeholder_is_never_written(tmp_path: Path, env: dict[str, str], args: tuple[str, ...],
                                                 shown: str) -> None:
    repo, _ = clone_with_origin(tmp_path, env)
    done = bump(repo, "values.yaml", *args, "--version", "9.0.0")
    assert done.returncode == 7, done.stderr
    assert f"unknown placeholder {shown}" in done.stderr
    assert (repo.path / "values.yaml").read_text(encoding="utf-8") == VALUES


@pytest.mark.parametrize("token", [{"GITHUB_TOKEN": "ghp_secretvalue123"}, {}], ids=["token", "no-token"])
@pytest.mark.parametrize("url", ["{tmp}/gone.git", "http://127.0.0.1:9/acme/x.git"], ids=["path", "http"])
def test_an_unreachable_origin_fails_the_dry_run_too(tmp_path: Path, env: dict[str, str], url: str,
                                                     token: dict[str, str]) -> None:
    repo, _ = clone_with_origin(tmp_path, env)
    repo.git("remote", "set-url", "origin", url.format(tmp=tmp_path))
    both_refuse(repo, 4, "cannot be", "values.yaml", "--set", "app.image.tag=9.0.0", "--push", env=token)


def test_after_a_retry_the_report_describes_the_commit_that_landed(tmp_path: Path,
                                                                   env: dict[str, str]) -> None:
    repo, bare = clone_with_origin(tmp_path, env)
    repo.git("clone", "-q", str(bare), str(tmp_path / "other"))
    other = Repo(tmp_path / "other", env)
    other.commit("chore: 9.1.0", {"values.yaml": VALUES.replace('"8.2.1"', '"9.1.0"')})
    other.git("push", "-q", "origin", "main")
    output = tmp_path / "out"
    done = bump(repo, "values.yaml", "--set", "app.image.tag=9.3.0", "--push", "--json",
                env={"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(output)})
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [(c["old"], c["new"], c["changed"]) for c in report["changes"]] == [("9.1.0", "9.3.0", True)]
    landed = subprocess.run(["git", "--git-dir", str(bare), "show", "--format=", "main"], env=env,
                            capture_output=True, text=True, check=True).stdout
    assert '-    tag: "9.1.0"  # set by CI\n+    tag: "9.3.0"  # set by CI' in landed
    outputs = parse_outputs(output.read_text(encoding="utf-8"))
    assert '-    tag: "9.1.0"' in outputs["diff"]
    assert outputs["commit-sha"] == report["commit_sha"]


def test_a_cli_edit_needs_no_version_even_with_a_values_section(tmp_path: Path, env: dict[str, str]) -> None:
    entry = {"path": "values.yaml", "set": {"app.image.tag": "${version}"}}
    config = {"values": {"push": True, "files": [entry]}}
    repo, _ = clone_with_origin(tmp_path, env, {"values.yaml": VALUES, ".releaserc.json": json.dumps(config)})
    done = bump(repo, "values.yaml", "--set", "app.image.tag=9.3.0")
    assert done.returncode == 0, done.stderr
    assert 'tag: "9.3.0"' in (repo.path / "values.yaml").read_text(encoding="utf-8")


def test_create_pr_without_a_github_repository_names_the_pull_request(tmp_path: Path,
                                                                      env: dict[str, str]) -> None:
    repo, _ = clone_with_origin(tmp_path, env)
    both_refuse(repo, 8, "the pull request (--create-pr) needs a GitHub repository", "values.yaml", "--set",
                "app.image.tag=9.0.0", "--create-pr")


def test_a_release_whose_values_push_is_refused_still_reports_the_release(tmp_path: Path,
                                                                         env: dict[str, str]) -> None:
    entry = {"path": "values.yaml", "set": {"app.image.tag": "${version}"}}
    config = {"branches": ["main"], "plugins": ["@semantic-release/commit-analyzer"],
              "values": {"onRelease": True, "push": True, "files": [entry]}}
    repo, bare = clone_with_origin(tmp_path, env, {"values.yaml": VALUES.replace('"8.2.1"', '"1.0.0"'),
                                                   ".releaserc.json": json.dumps(config)})
    repo.tag("v1.0.0")
    repo.commit("fix: second")
    repo.git("push", "-q", "origin", "main", "v1.0.0")
    hook = bare / "hooks" / "pre-receive"
    hook.write_text('#!/bin/sh\nwhile read old new ref; do\n'
                    '  if git log -1 --format=%s "$new" | grep -q "^chore: update image tags"; then\n'
                    '    echo "policy: values need a review" >&2; exit 1\n  fi\ndone\n', encoding="utf-8")
    hook.chmod(0o755)
    output = tmp_path / "out"
    actions = {"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(output)}
    done = subprocess.run([sys.executable, "-m", "relbot", "release"], cwd=repo.path,
                          env={**repo.env, **actions}, capture_output=True, text=True, check=False)
    assert done.returncode == 4
    assert "policy: values need a review" in done.stderr
    assert "released v1.0.1, but a later step failed" in done.stderr
    outputs = parse_outputs(output.read_text(encoding="utf-8"))
    assert (outputs["released"], outputs["tag"]) == ("true", "v1.0.1")
    tagged = subprocess.run(["git", "--git-dir", str(bare), "rev-parse", "v1.0.1^{commit}"], env=env,
                            capture_output=True, text=True, check=True).stdout.strip()
    assert outputs["commit-sha"] == tagged
    hook.unlink()
    output.unlink()
    rerun = subprocess.run([sys.executable, "-m", "relbot", "release"], cwd=repo.path,
                           env={**repo.env, **actions}, capture_output=True, text=True, check=False)
    assert rerun.returncode == 0, rerun.stderr
    assert 'tag: "1.0.1"' in on_origin(bare, env)
    assert parse_outputs(output.read_text(encoding="utf-8"))["commit-sha"] == tagged
