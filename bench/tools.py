"""The tools under test: how to install and configure each, its command, and how to read
the next version from what it prints.

Configuration lives outside the benchmark repositories (passed by path on the command line)
so every tool sees the same clean work tree. Each config asks for the same policy: tags
`vX.Y.Z`, Conventional Commits, `feat` → minor, `fix`/`perf` → patch, breaking → major.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import peers

SEMVER = r"v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)"
LAST_LINE_VERSION = re.compile(rf"^\s*{SEMVER}\s*$", re.MULTILINE)
SR_VERSION = re.compile(rf"The next release version is {SEMVER}")

CZ_CONFIG = """\
[tool.commitizen]
name = "cz_conventional_commits"
tag_format = "v$version"
version_provider = "scm"
version_scheme = "semver2"
major_version_zero = false
"""
CLIFF_CONFIG = """\
[changelog]
body = "{{ version | default(value='unreleased') }}\\n"

[git]
conventional_commits = true
filter_unconventional = true
tag_pattern = "v[0-9]+\\\\.[0-9]+\\\\.[0-9]+"

[bump]
features_always_bump_minor = true
breaking_always_bump_major = true
"""
PSR_CONFIG = """\
[semantic_release]
tag_format = "v{version}"
allow_zero_version = false
commit_parser = "conventional"

[semantic_release.branches.main]
match = "(main|master)"
prerelease = false
"""
SR_CONFIG = {
    "branches": ["main", "master"],
    "tagFormat": "v${version}",
    "plugins": [["@semantic-release/commit-analyzer", {"preset": "conventionalcommits"}]],
}


@dataclass(frozen=True)
class Tool:
    """A tool to time: `prepare(cache)` installs and configures it and returns its argv."""

    name: str
    prepare: Callable[[Path], list[str]]
    pattern: re.Pattern[str] = LAST_LINE_VERSION

    def parse(self, stdout: str) -> str | None:
        """The next version the tool printed (the last match), or None."""
        found = self.pattern.findall(stdout)
        return str(found[-1]) if found else None


def config_file(cache: Path, name: str, text: str) -> Path:
    """Write a config file under cache/configs and return its path."""
    path = cache / "configs" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def relbot(_cache: Path) -> list[str]:
    """relbot from this checkout, with the interpreter running the benchmark."""
    return [sys.executable, "-m", "relbot", "version"]


def commitizen(cache: Path) -> list[str]:
    """`cz bump --get-next`: computes the next version and writes nothing."""
    cz = peers.pip_peer(cache, "commitizen") / "cz"
    config = config_file(cache, "cz.toml", CZ_CONFIG)
    return [str(cz), "--config", str(config), "bump", "--get-next"]


def git_cliff(cache: Path) -> list[str]:
    """`git-cliff --bumped-version`, as its documentation suggests."""
    cliff = peers.pip_peer(cache, "git-cliff") / "git-cliff"
    config = config_file(cache, "cliff.toml", CLIFF_CONFIG)
    return [str(cliff), "--config", str(config), "--bumped-version"]


def git_cliff_unreleased(cache: Path) -> list[str]:
    """git-cliff limited to the unreleased range, its fastest way to the same answer."""
    return [*git_cliff(cache), "--unreleased"]


def python_semantic_release(cache: Path) -> list[str]:
    """`semantic-release --noop version --print` (python-semantic-release)."""
    psr = peers.pip_peer(cache, "python-semantic-release") / "semantic-release"
    config = config_file(cache, "psr.toml", PSR_CONFIG)
    return [str(psr), "-c", str(config), "--noop", "version", "--print"]


def semantic_release(cache: Path) -> list[str]:
    """semantic-release (npm) dry run with only the commit analyzer plugin.

    The config sits in the npm prefix so that semantic-release resolves its plugins there.
    """
    prefix = peers.npm_prefix(cache)
    config = prefix / "releaserc.json"
    config.write_text(json.dumps(SR_CONFIG, indent=2) + "\n")
    binary = prefix / "node_modules" / ".bin" / "semantic-release"
    return [str(binary), "--dry-run", "--no-ci", "--extends", str(config)]


TOOLS: tuple[Tool, ...] = (
    Tool("relbot", relbot),
    Tool("commitizen", commitizen),
    Tool("git-cliff", git_cliff),
    Tool("git-cliff-unreleased", git_cliff_unreleased),
    Tool("python-semantic-release", python_semantic_release),
    Tool("semantic-release", semantic_release, SR_VERSION),
)


def floor_argv(last_tag: str) -> list[str]:
    """The raw log of the unreleased range: the least work any tool has to do."""
    return ["git", "log", "--format=%H%x00%B%x00", f"{last_tag}..HEAD"]


PEER_PACKAGES = {
    "commitizen": ("commitizen",),
    "git-cliff": ("git-cliff",),
    "git-cliff-unreleased": ("git-cliff",),
    "python-semantic-release": ("python-semantic-release",),
    "semantic-release": (*peers.NPM_PINS, "@semantic-release/commit-analyzer"),
}


def peer_versions(cache: Path, names: list[str]) -> dict[str, str]:
    """Versions of the peer packages behind the selected tools (npm ones as installed)."""
    pins = peers.PIP_PINS | peers.NPM_PINS
    prefix = peers.npm_prefix_path(cache)
    versions = {}
    for name in names:
        for package in PEER_PACKAGES.get(name, ()):
            found = pins.get(package) or peers.npm_installed_version(prefix, package)
            versions[package] = found
    return versions
