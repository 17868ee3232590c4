"""The `fake_github` pytest fixture: a started FakeGitHub with `acme/widget`, failing the test on any problem.

Enable it with `pytest_plugins = ["tests.github_api.fixtures"]` in tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from github import Auth, Github

from .server import FakeGitHub
from .spec import missing_spec

TOKEN = "ghs_test_token_0123456789"
REPO = "acme/widget"


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    """A FakeGitHub on 127.0.0.1 that accepts TOKEN (with write access) and holds REPO."""
    problem = missing_spec()
    if problem is not None:
        pytest.fail(problem, pytrace=False)
    with FakeGitHub(TOKEN) as server:
        server.add_repo(REPO)
        yield server
    fail_on_problems(server)


def fail_on_problems(server: FakeGitHub) -> None:
    """Fail the running test if the server saw a spec violation or a request it could not answer."""
    problems = server.problems()
    if problems:
        pytest.fail(
            f"FakeGitHub saw {len(problems)} problem(s):\n" + "\n".join(f"- {p}" for p in problems),
            pytrace=False,
        )


def github_client(server: FakeGitHub, token: str = TOKEN, **options: Any) -> Github:
    """A PyGithub client for `server`, without PyGithub's default pacing (0.25 s per request, 1 s per write).

    Retries are off unless `retry=` is given, so a fault reaches the test as an exception.
    """
    options = {"retry": None, "seconds_between_requests": None, "seconds_between_writes": None} | options
    return Github(base_url=server.url, auth=Auth.Token(token), **options)
