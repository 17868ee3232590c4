"""Shared fixtures: isolated environment, real git repositories and the go-yaml oracle."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gitfixture import Repo, isolated_env, make_repo
from tests.goyaml.oracle import HelmReader

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


@pytest.fixture(scope="session")
def helm_reader(request: pytest.FixtureRequest,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[HelmReader]:
    """go-yaml v2 as Helm reads values (tests/goyaml): one process for the session. The binary is
    kept in pytest's cache, rebuilt when helmread.go changes; without Go or go-yaml this errors."""
    cache: pytest.Cache | None = getattr(request.config, "cache", None)  # None: -p no:cacheprovider
    cache_dir = cache.mkdir("goyaml") if cache is not None else tmp_path_factory.mktemp("goyaml")
    with HelmReader(cache_dir) as reader:
        yield reader
