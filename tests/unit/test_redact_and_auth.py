"""Secrets: the redaction registry and how the token reaches git (environment only)."""

from __future__ import annotations

import base64
import logging

import pytest

from relbot import gitauth, redact

TOKEN = "ghp_unit0123456789abcdefABCDEF"


def test_registered_token_and_its_basic_auth_form_are_masked() -> None:
    redact.register(TOKEN)
    encoded = base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    text = f"fatal: {TOKEN} and Authorization: Basic {encoded}"
    assert redact.redact(text) == "fatal: *** and Authorization: Basic ***"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://user:pass@github.com/a/b.git", "https://***@github.com/a/b.git"),
        ("push to http://x-access-token:abc@127.0.0.1:8080/r", "push to http://***@127.0.0.1:8080/r"),
        ("git@github.com:a/b.git", "git@github.com:a/b.git"),
    ],
)
def test_credentials_in_urls_are_masked(text: str, expected: str) -> None:
    assert redact.redact(text) == expected


def test_logging_filter_redacts_messages_and_arguments() -> None:
    redact.register(TOKEN)
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "token %s in %s", (TOKEN, "msg"), None)
    assert redact.redact_record(record)
    assert record.getMessage() == "token *** in msg"


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"RELBOT_TOKEN": "a1234", "GH_TOKEN": "b1234", "GITHUB_TOKEN": "c1234"}, "RELBOT_TOKEN"),
        ({"GH_TOKEN": "b1234", "GITHUB_TOKEN": "c1234"}, "GH_TOKEN"),
        ({"GITHUB_TOKEN": "c1234", "GH_TOKEN": " "}, "GITHUB_TOKEN"),
    ],
)
def test_token_precedence(env: dict[str, str], variable: str) -> None:
    token = gitauth.find_token(env)
    assert token is not None
    assert token.variable == variable
    assert token.value not in repr(token)


def test_git_gets_a_header_scoped_to_the_remote_host_through_the_environment() -> None:
    token = gitauth.Token(TOKEN, "GH_TOKEN")
    env = gitauth.git_auth_env(token, "https://github.example.com:8443/acme/w.git",
                               {"GIT_CONFIG_COUNT": "2"})
    assert env["GIT_CONFIG_COUNT"] == "4"
    assert env["GIT_CONFIG_KEY_2"] == env["GIT_CONFIG_KEY_3"] == \
        "http.https://github.example.com:8443/.extraHeader"
    assert env["GIT_CONFIG_VALUE_2"] == ""  # resets a header actions/checkout left behind
    basic = base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    assert env["GIT_CONFIG_VALUE_3"] == f"Authorization: Basic {basic}"


@pytest.mark.parametrize("url", ["git@github.com:acme/w.git", "ssh://git@host/acme/w.git",
                                 "/srv/git/w.git", None])
def test_ssh_and_local_remotes_get_no_token(url: str | None) -> None:
    assert gitauth.git_auth_env(gitauth.Token(TOKEN, "GH_TOKEN"), url, {}) == {}


def test_bot_identity_only_inside_github_actions() -> None:
    assert gitauth.identity_env({}) == {}
    bot = gitauth.identity_env({"GITHUB_ACTIONS": "true"})
    assert bot["GIT_AUTHOR_NAME"] == "github-actions[bot]"
    own = gitauth.identity_env({"GITHUB_ACTIONS": "true", "GIT_AUTHOR_NAME": "Ada"})
    assert own["GIT_AUTHOR_NAME"] == "Ada"
    assert own["GIT_COMMITTER_NAME"] == "github-actions[bot]"
