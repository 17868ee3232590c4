"""Remote URLs → the web URL of the repository (for links), without credentials."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

_SCP = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?P<path>(?!/).+)$")


def web_url(remote: str) -> str | None:
    """`git@github.com:acme/widget.git` or `https://x:tok@ghe.corp/acme/widget.git` →
    `https://github.com/acme/widget` / `https://ghe.corp/acme/widget`; None for local paths."""
    remote = remote.strip()
    if not remote:
        return None
    if "://" not in remote:
        found = _SCP.match(remote)
        if found is None:
            return None
        host, path = found["host"], found["path"]
    else:
        parts = urlsplit(remote.removeprefix("git+"))
        if parts.scheme not in {"http", "https", "ssh", "git"} or not parts.hostname:
            return None
        host, path = parts.hostname, parts.path
        if parts.scheme in {"http", "https"} and parts.port:
            host = f"{host}:{parts.port}"
    path = path.strip("/").removesuffix(".git")
    if path.count("/") < 1:
        return None
    plain_http = remote.lower().removeprefix("git+").startswith("http://")
    return f"{'http' if plain_http else 'https'}://{host}/{path}"


def repository_url(
    configured: str | None, origin: str | None, env: Mapping[str, str]
) -> str | None:
    """Config `repositoryUrl`, else the `origin` remote, else GitHub Actions' variables."""
    for candidate in (configured, origin):
        if candidate:
            url = web_url(candidate)
            if url:
                return url
    server, repo = env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY")
    if server and repo:
        return f"{server.rstrip('/')}/{repo}"
    return None
