"""The README's worked example is real output: this test builds its repository (pinned dates, so
the hashes are the README's), runs each `$ …` command of the example and compares what it
prints with the README, byte for byte."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.gitfixture import Repo

README = Path(__file__).resolve().parents[2] / "README.md"


def _example() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## A worked example")
    block = re.search(r"```console\n(.*?)```", text[start:], re.DOTALL)
    assert block is not None
    return block.group(1)


def _build(repo: Repo) -> None:
    repo.git("remote", "add", "origin", "https://github.com/acme/widget.git")
    repo.commit("feat: first")
    repo.tag("v1.4.2", annotated=True)
    repo.commit("feat(api): paginate list endpoints (#41)")
    repo.commit("fix: keep trailing slashes in redirects\n\ncloses #38")
    repo.commit("docs: explain pagination")
    repo.commit("perf(db): batch inserts")
    repo.commit("Update README\n\n> BREAKING CHANGE: quoted from upstream notes")


def test_the_readme_worked_example_is_what_relbot_prints(repo: Repo) -> None:
    _build(repo)
    expected = _example()
    actual: list[str] = []
    for command in re.findall(r"^\$ (.*)$", expected, re.MULTILINE):
        done = subprocess.run(["bash", "-c", command.replace("relbot", f"{_python()} -m relbot")],
                              cwd=repo.path, env=repo.env, capture_output=True, text=True, check=False)
        actual.append(f"$ {command}\n{done.stdout}{done.stderr}")
    assert "\n".join(actual) == expected


def _python() -> str:
    import sys  # noqa: PLC0415

    return sys.executable
