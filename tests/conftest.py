"""Shared fixtures: isolated environment and real git repositories."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gitfixture import Repo, isolated_env, make_repo

pytest_plugins = ["tests.gitserver_fixtures", "tests.github_api.fixtures"]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An isolated environment, also applied to this process (for in-process API calls)."""
    environment = isolated_env(tmp_path / "home")
    for key in list(__import__("os").environ):
        if key not in environment:
            monkeypatch.delenv(key, raising=False)
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    return environment


@pytest.fixture
def repo(tmp_path: Path, env: dict[str, str]) -> Repo:
    return make_repo(tmp_path, env)
