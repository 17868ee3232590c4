"""pytest plugin: the `git_http_server` fixture, a token-protected smart-HTTP git server per test.

Load it from tests/conftest.py with `pytest_plugins = ["tests.gitserver_fixtures"]`. Options come
through indirect parametrization, e.g.
`@pytest.mark.parametrize("git_http_server", [{"read_token_optional": True}], indirect=True)`;
the keys are `GitHttpServer`'s keyword arguments (`token`, `read_token_optional`, ...).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.gitserver import GitHttpServer


@pytest.fixture
def git_http_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GitHttpServer]:
    """A running server under `tmp_path/gitserver` with a fresh random token (`.token`)."""
    options: dict[str, Any] = dict(getattr(request, "param", None) or {})
    options.setdefault("token", f"ghs_{secrets.token_hex(18)}")
    with GitHttpServer(tmp_path / "gitserver", **options) as server:
        yield server
