"""`-v` says why: every commit, its rule, and each line that looked like a breaking change with
why it counted or not; global options after the subcommand; `--strict` says its reason once;
configuration hints that a package install can follow. Real repositories, the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.gitfixture import Repo

BOT_BODY = (
    "chore(deps): update dependency yaml to v2\n\n"
    "  BREAKING CHANGE: indented upstream note\n"
    "> BREAKING CHANGE: quoted upstream note\n"
    "* BREAKING CHANGE: a bullet\n"
    "| BREAKING CHANGE: a table cell |\n"
    "### BREAKING CHANGES\n"
    "breaking change: lower case\n"
    "BREAKING CHANGE without a colon\n"
    "<details>\nBREAKING CHANGE: inside details\n</details>\n"
    "This mentions a BREAKING CHANGE: mid-line"
)


@pytest.fixture
def history(repo: Repo) -> Repo:
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    repo.commit(BOT_BODY)
    repo.commit("Rework the loader\n\nBREAKING CHANGE: the config moved")
    repo.commit("feat(api)!: drop v1")
    repo.commit('Revert "feat: x" (#12)\n\nThis reverts commit 1234567.')
    repo.commit("WIP")
    return repo


def test_verbose_says_for_each_breaking_line_whether_it_counts_and_why(history: Repo) -> None:
    done = history.relbot("-v", "version")

    assert done.returncode == 0, done.stderr
    assert done.stdout == "2.0.0\n"
    lines = done.stderr.splitlines()
    expected = [
        ("not breaking", "BREAKING CHANGE: indented upstream note", "indented"),
        ("not breaking", "> BREAKING CHANGE: quoted upstream note", "quoted with `>`"),
        ("not breaking", "* BREAKING CHANGE: a bullet", "a list item"),
        ("not breaking", "| BREAKING CHANGE: a table cell |", "`|`-prefixed"),
        ("not breaking", "### BREAKING CHANGES", "a Markdown heading"),
        ("not breaking", "breaking change: lower case", "the token must be upper case"),
        ("not breaking", "BREAKING CHANGE without a colon", "no colon right after the token"),
        ("not breaking", "BREAKING CHANGE: inside details", "inside an HTML <blockquote> or <details>"),
        ("not breaking", "This mentions a BREAKING CHANGE: mid-line",
         "the token is not at the start of the line"),
        ("breaking", "BREAKING CHANGE: the config moved", "`BREAKING CHANGE:` at column 0"),
        ("breaking", "feat(api)!: drop v1", "`!` before the colon of the header"),
    ]
    for verdict, text, why in expected:
        assert any(line.strip().startswith(f"{verdict}: {text!r} ({why}") for line in lines), \
            f"no line says {verdict} {text!r} ({why}) in:\n{done.stderr}"
    assert "None" not in done.stderr


def test_global_options_work_after_the_subcommand(history: Repo, tmp_path: Path) -> None:
    before = history.relbot("-v", "version", cwd=tmp_path)
    assert before.returncode != 0  # not a repository

    after = history.relbot("version", "-v", "-C", str(history.path), cwd=tmp_path)
    first = history.relbot("-v", "-C", str(history.path), "version", cwd=tmp_path)

    assert after.returncode == 0, after.stderr
    assert (after.stdout, after.stderr) == (first.stdout, first.stderr)
    assert "not breaking:" in after.stderr

    config = tmp_path / "other.json"
    config.write_text(json.dumps({"tagFormat": "release-${version}"}), encoding="utf-8")
    tagged = history.relbot("version", "--tag", "--config", str(config))
    assert tagged.returncode == 0, tagged.stderr
    assert tagged.stdout == "release-1.0.0\n"  # no release-* tag yet: the first release


def test_verbose_release_dry_run_explains_the_commits_too(history: Repo) -> None:
    done = history.relbot("release", "--dry-run", "-v", env={"GITHUB_REPOSITORY": "acme/widget"})

    assert done.returncode == 0, done.stderr
    assert "breaking: 'BREAKING CHANGE: the config moved'" in done.stderr
    assert "ignored (no `type: subject` header): WIP" in done.stderr
    assert "None" not in done.stderr + done.stdout


def test_strict_says_its_reason_once(repo: Repo) -> None:
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    repo.commit("docs: typo")

    done = repo.relbot("version", "--strict")

    assert done.returncode == 5
    assert done.stderr.count("none of the 1 commit since v1.0.0 asks for one") == 1, done.stderr


def test_configuration_errors_point_at_the_readme_not_a_file_of_the_checkout(repo: Repo) -> None:
    repo.commit("feat: first", {".releaserc.json": json.dumps({"branches": [{"name": 3}]})})

    done = repo.relbot("version")

    assert done.returncode == 3
    assert ".releaserc.example.json" not in done.stderr
    assert "Configuration section of relbot's README" in done.stderr


def test_no_release_says_when_reverts_cancelled_the_commits(repo: Repo) -> None:
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    feature = repo.commit("feat: risky")
    repo.git("revert", "--no-edit", feature)

    done = repo.relbot("version")

    assert done.returncode == 0
    assert ("none of the 2 commits since v1.0.0 asks for one (feat, fix, perf, revert or a breaking "
            "change); 2 of them cancelled by reverts in the same range") in done.stderr
