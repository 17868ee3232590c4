"""Real git repositories in temp dirs, with pinned dates and an isolated HOME."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

BASE_EPOCH = 1_704_067_200  # 2024-01-01T00:00:00Z
PINNED_DATE = "2024-06-01"
_CI_VARIABLES = ("CI", "GITHUB_ACTIONS", "GITHUB_REF", "GITHUB_REF_NAME", "GITHUB_REF_TYPE",
                 "GITHUB_HEAD_REF", "GITHUB_REPOSITORY", "GITHUB_SERVER_URL", "GITHUB_OUTPUT",
                 "GITHUB_STEP_SUMMARY", "GITHUB_TOKEN", "GH_TOKEN", "RELBOT_TOKEN")


def isolated_env(home: Path) -> dict[str, str]:
    """The process environment with a fresh HOME, no user/system git config and no CI variables."""
    env = {k: v for k, v in os.environ.items()
           if k not in _CI_VARIABLES and not k.startswith(("GIT_", "GITHUB_"))}
    home.mkdir(parents=True, exist_ok=True)
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test Author\n\temail = author@example.com\n"
        "[init]\n\tdefaultBranch = main\n[protocol \"file\"]\n\tallow = always\n",
        encoding="utf-8",
    )
    env.update({
        "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"), "LC_ALL": "C", "TZ": "UTC",
        "SOURCE_DATE_EPOCH": "1717200000",  # 2024-06-01
    })
    return env


@dataclass
class Repo:
    """A working repository; every commit gets the next pinned timestamp."""

    path: Path
    env: dict[str, str]
    clock: list[int] = field(default_factory=lambda: [0])

    def git(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(["git", "-C", str(self.path), *args], env=self._dated(),
                              capture_output=True, text=True, check=False)
        if check and done.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
        return done.stdout.strip()

    def _dated(self) -> dict[str, str]:
        stamp = f"{BASE_EPOCH + self.clock[0] * 60} +0000"
        return {**self.env, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}

    def commit(self, message: str, files: Mapping[str, str] | None = None) -> str:
        self.clock[0] += 1
        for name, text in (files or {f"file{self.clock[0]}.txt": f"{self.clock[0]}\n"}).items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            self.git("add", name)
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")

    def tag(self, name: str, *, annotated: bool = False, ref: str = "HEAD") -> None:
        self.clock[0] += 1
        if annotated:
            self.git("tag", "-a", name, "-m", name, ref)
        else:
            self.git("tag", name, ref)

    def relbot(self, *args: str, env: Mapping[str, str] | None = None,
               cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        """Run the real CLI in a subprocess, as a user would."""
        return subprocess.run(
            [sys.executable, "-m", "relbot", *args], cwd=cwd or self.path,
            env={**self.env, **(env or {})}, capture_output=True, text=True, check=False,
        )


def make_repo(root: Path, env: dict[str, str], name: str = "work", branch: str = "main") -> Repo:
    path = root / name
    path.mkdir(parents=True)
    repo = Repo(path, env)
    repo.git("init", "-q", "-b", branch)
    return repo


def make_bare(root: Path, env: dict[str, str], name: str = "remote.git") -> Path:
    path = root / name
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(path)], env=env, check=True)
    return path


class Remote:
    """A bare repository that plays origin, read with `git --git-dir`."""

    def __init__(self, bare: Path, env: Mapping[str, str]) -> None:
        self.bare = bare
        self.env = dict(env)

    def git(self, *args: str) -> str:
        return subprocess.run(["git", "--git-dir", str(self.bare), *args], env=self.env,
                              capture_output=True, text=True, check=False).stdout.strip()


def snapshot(path: Path) -> dict[str, str]:
    """Every file under `path` (.git included for a work tree) by content hash."""
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file()}


def released_project(tmp_path: Path, env: dict[str, str], config: Mapping[str, object],
                     files: Mapping[str, str] | None = None,
                     since: tuple[str, ...] = ("fix: second",)) -> tuple[Repo, Remote]:
    """A repository released as v1.0.0 (annotated), then the commits `since`, all pushed to a bare
    origin."""
    remote = Remote(make_bare(tmp_path, env), env)
    repo = make_repo(tmp_path, env)
    repo.git("remote", "add", "origin", str(remote.bare))
    repo.commit("feat: first", {".releaserc.json": json.dumps(config, indent=2), **(files or {})})
    repo.tag("v1.0.0", annotated=True)
    for message in since:
        repo.commit(message)
    repo.git("push", "-q", "-u", "origin", "main", "v1.0.0")
    return repo, remote
