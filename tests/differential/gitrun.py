"""Runs git for the history builder: one repository, pinned clock and identity, no outside config.

Every call names the repository (`git -C`), passes its settings with `-c`, and runs with an
environment made from scratch: an isolated HOME, no system or global config, UTC, and author and
committer dates taken from `clock`.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

NAME = "Relbot Tester"
EMAIL = "tester@relbot.invalid"
SETTINGS = (
    "init.defaultBranch=main",
    "commit.gpgSign=false",
    "tag.gpgSign=false",
    "core.hooksPath=/dev/null",
    "core.autocrlf=false",
    "advice.detachedHead=false",
    "merge.ff=false",
    "user.useConfigOnly=false",
    "log.showSignature=false",
)


def clean_env(home: Path) -> dict[str, str]:
    """The environment for git (and for the tools under test): nothing from the caller but PATH."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
        "LC_ALL": "C",
        "TZ": "UTC",
    }


class GitRunner:
    def __init__(self, repo: Path, home: Path) -> None:
        self.repo = repo
        home.mkdir(parents=True, exist_ok=True)
        self.env = clean_env(home)
        self.clock = 0

    def __call__(self, *args: str, stdin: str | None = None) -> str:
        date = f"@{self.clock} +0000"
        env = {
            **self.env,
            "GIT_AUTHOR_NAME": NAME,
            "GIT_AUTHOR_EMAIL": EMAIL,
            "GIT_COMMITTER_NAME": NAME,
            "GIT_COMMITTER_EMAIL": EMAIL,
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_DATE": date,
        }
        settings = [arg for setting in SETTINGS for arg in ("-c", setting)]
        result = subprocess.run(
            ["git", "-C", str(self.repo), *settings, *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)} failed in {self.repo}:\n{result.stderr}")
        return result.stdout

    def init(self) -> None:
        self.repo.mkdir(parents=True)
        self("init", "--quiet", "--initial-branch=main")

    def head(self) -> str:
        return self("rev-parse", "HEAD").strip()

    def commit(self, message: str, path: str | None = None) -> None:
        """Commit `message`, adding the file `path` when given and an empty commit otherwise."""
        if path is None:
            self("commit", "--quiet", "--allow-empty", "--file=-", stdin=message + "\n")
            return
        target = self.repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(message.split("\n", 1)[0] + "\n", encoding="utf-8")
        self("add", "--", path)
        self("commit", "--quiet", "--file=-", stdin=message + "\n")

    def revert(self, sha: str, header: str, form: str) -> None:
        if form == "git":
            self("revert", "--no-edit", sha)
            return
        self("revert", "--no-commit", sha)
        message = {
            "type": f"revert: {header}\n\nThis reverts commit {sha}.\n",
            "github": f'Revert "{header}" (#{int(sha[:4], 16)})\n\nThis reverts commit {sha}.\n',
            "short": f'Revert "{header}"\n\nThis reverts commit {sha[:7]}.\n',
        }[form]
        self("commit", "--quiet", "--file=-", stdin=message)

    def tag(self, name: str, annotated: bool, note: str | None) -> None:
        if annotated:
            self("tag", "--annotate", f"--message=Release {name}", name)
        else:
            self("tag", name)
        if note is not None:
            self("notes", f"--ref=semantic-release-{name}", "add", "--force", f"--message={note}",
                 f"{name}^{{commit}}")

    def switch(self, branch: str, create: bool) -> None:
        if create:
            self("switch", "--quiet", "--create", branch)
        else:
            self("switch", "--quiet", branch)

    def merge(self, branch: str, message: str) -> None:
        self("merge", "--quiet", "--no-ff", "--no-edit", f"--message={message}", branch)

    def log(self, graph: bool = False) -> str:
        """The history as `git log` shows it: full messages, branches, tags, ISO dates, notes."""
        shape = ["--all", "--graph"] if graph else []
        return self("log", *shape, "--decorate=short", "--format=fuller", "--date=iso-strict",
                    "--notes=refs/notes/semantic-release-*")
