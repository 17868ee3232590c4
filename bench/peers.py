"""The peer tools, installed on first use into isolated places under `bench/.cache/peers/`.

PyPI tools each get their own virtual environment; the npm tools share one prefix. Every
version is pinned exactly so that results can be compared between machines and runs. A
`.installed` marker is written only after an install succeeded, so a half-done install is
redone on the next run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PIP_PINS = {
    "commitizen": "4.19.3",
    "git-cliff": "2.14.2",
    "python-semantic-release": "10.7.0",
}
NPM_PINS = {
    "semantic-release": "24.2.9",  # 25 needs Node 22
    "conventional-changelog-conventionalcommits": "9.3.1",  # 10 needs Node 22
}


class InstallError(Exception):
    """A peer could not be installed; `log` holds the installer's output."""

    def __init__(self, message: str, log: Path) -> None:
        super().__init__(message)
        self.log = log


def install_log(cache: Path, name: str) -> Path:
    """Where the output of installing `name` goes."""
    path = cache / "logs" / f"install-{name}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def run_logged(argv: list[str], log: Path) -> None:
    """Run an install command with its output in log; InstallError if it fails."""
    with log.open("a") as out:
        out.write(f"$ {' '.join(argv)}\n")
        out.flush()
        result = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0:
        message = f"`{' '.join(argv[:3])} …` failed (exit {result.returncode}); see {log}"
        raise InstallError(message, log)


def pip_peer(cache: Path, package: str) -> Path:
    """The bin directory of a venv holding package at its pinned version."""
    version = PIP_PINS[package]
    venv = cache / "peers" / f"{package}-{version}"
    marker = venv / ".installed"
    if not marker.exists():
        log = install_log(cache, package)
        log.write_text("")
        run_logged([sys.executable, "-m", "venv", "--clear", str(venv)], log)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check"]
        run_logged([*pip, f"{package}=={version}"], log)
        marker.write_text(f"{package}=={version}\n")
    return venv / "bin"


def npm_prefix_path(cache: Path) -> Path:
    """Where the npm prefix for NPM_PINS lives (installed or not)."""
    key = "-".join(f"{name}-{version}" for name, version in sorted(NPM_PINS.items()))
    return cache / "peers" / f"npm-{key}"


def npm_prefix(cache: Path) -> Path:
    """The npm prefix holding every NPM_PINS package at its exact version."""
    prefix = npm_prefix_path(cache)
    marker = prefix / ".installed"
    if not marker.exists():
        log = install_log(cache, "npm")
        log.write_text("")
        prefix.mkdir(parents=True, exist_ok=True)
        specs = [f"{name}@{version}" for name, version in NPM_PINS.items()]
        npm = ["npm", "install", "--prefix", str(prefix), "--save-exact", "--no-audit", "--no-fund"]
        run_logged([*npm, *specs], log)
        marker.write_text("\n".join(specs) + "\n")
    return prefix


def npm_installed_version(prefix: Path, package: str) -> str:
    """The version of package found in prefix/node_modules, or '?'."""
    manifest = prefix / "node_modules" / package / "package.json"
    try:
        return str(json.loads(manifest.read_text())["version"])
    except (OSError, ValueError, KeyError):
        return "?"
