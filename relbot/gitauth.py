"""The token for pushes and API calls, and how it reaches git: through the environment only.

git gets an `Authorization` header for the remote's host from `GIT_CONFIG_COUNT`/`KEY`/`VALUE`
variables, so the token is never in argv, in the remote URL or in `.git/config`; it is also
registered with the redaction filter before any git call can echo it.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from relbot import redact

TOKEN_VARIABLES: tuple[str, ...] = ("RELBOT_TOKEN", "GH_TOKEN", "GITHUB_TOKEN")
BOT_NAME = "github-actions[bot]"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"


@dataclass(frozen=True)
class Token:
    value: str
    variable: str

    def __repr__(self) -> str:  # never print the value, even by accident
        return f"Token(variable={self.variable!r})"


def find_token(env: Mapping[str, str]) -> Token | None:
    """The first non-empty of RELBOT_TOKEN, GH_TOKEN, GITHUB_TOKEN (registered for redaction)."""
    for name in TOKEN_VARIABLES:
        value = env.get(name, "").strip()
        if value:
            redact.register(value)
            return Token(value, name)
    return None


def git_auth_env(token: Token | None, remote_url: str | None, env: Mapping[str, str]) -> dict[str, str]:
    """Environment variables that give git the token for `remote_url`'s host, and nothing else."""
    if token is None or not remote_url:
        return {}
    parts = urlsplit(remote_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return {}  # ssh and local remotes authenticate their own way
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    basic = base64.b64encode(f"x-access-token:{token.value}".encode()).decode()
    count = int(env.get("GIT_CONFIG_COUNT", "0") or "0")
    key = f"http.{parts.scheme}://{host}/.extraHeader"
    return {
        "GIT_CONFIG_COUNT": str(count + 2),
        # an empty value first resets the headers configured so far, such as the one
        # actions/checkout leaves in .git/config: two Authorization headers get a 400 from GitHub
        f"GIT_CONFIG_KEY_{count}": key,
        f"GIT_CONFIG_VALUE_{count}": "",
        f"GIT_CONFIG_KEY_{count + 1}": key,
        f"GIT_CONFIG_VALUE_{count + 1}": f"Authorization: Basic {basic}",
    }


def identity_env(env: Mapping[str, str]) -> dict[str, str]:
    """Author and committer: git's usual variables win; in GitHub Actions the bot is the default."""
    if env.get("GITHUB_ACTIONS") != "true":
        return {}
    identity: dict[str, str] = {}
    for role in ("AUTHOR", "COMMITTER"):
        identity.setdefault(f"GIT_{role}_NAME", env.get(f"GIT_{role}_NAME") or BOT_NAME)
        identity.setdefault(f"GIT_{role}_EMAIL", env.get(f"GIT_{role}_EMAIL") or BOT_EMAIL)
    return identity
