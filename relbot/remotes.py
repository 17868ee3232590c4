"""Remote URLs: the web URL of the repository (for links, without credentials) and the GitHub
repository and API a GitHub Release or pull request goes to."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple
from urllib.parse import urlsplit

from relbot import redact
from relbot.errors import GitHubError

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


DEFAULT_API_URL = "https://api.github.com"
_NAME_IT = ("name the repository: set GITHUB_REPOSITORY=owner/name (GitHub Actions sets it), or "
            "`repositoryUrl` in the configuration; for GitHub Enterprise also `githubUrl` or "
            "`githubApiUrl`; or, if the project is not on GitHub, drop @semantic-release/github "
            "(for a release) or --create-pr (for bump-values)")


class GitHubTarget(NamedTuple):
    """The repository on GitHub (`owner/name`) and the REST API that serves it."""

    slug: str
    api_url: str

    @property
    def owner(self) -> str:
        return self.slug.split("/")[0]


def find_target(env: Mapping[str, str], repository_url: str | None, origin: str | None, *,
                github_url: str | None = None, github_api_url: str | None = None,
                purpose: str = "the GitHub Release") -> GitHubTarget:
    """Where the GitHub API calls go, from semantic-release's sources in its order of precedence.

    The API: `githubApiUrl`, GITHUB_API_URL, `githubUrl` + `/api/v3`, else api.github.com. The
    repository: GITHUB_REPOSITORY, else the `repositoryUrl` option, else the origin remote — whose
    host must then be github.com or the configured GitHub's. Raises GitHubError (both in a dry
    run and in the real run) when no GitHub repository can be named.
    """
    server = github_url or env.get("GITHUB_URL") or env.get("GH_URL") or env.get("GITHUB_SERVER_URL")
    api = github_api_url or env.get("GITHUB_API_URL") or env.get("GH_API_URL") or (
        f"{server.rstrip('/')}/api/v3" if server and urlsplit(server).hostname != "github.com"
        else DEFAULT_API_URL)
    if env.get("GITHUB_REPOSITORY", "").count("/") == 1:
        return GitHubTarget(env["GITHUB_REPOSITORY"], api)
    url = repository_url or origin or ""
    host, slug = _host_and_path(url)
    hosts = {"github.com", urlsplit(server).hostname if server else None,
             urlsplit(api).hostname if api != DEFAULT_API_URL else None}
    if slug.count("/") != 1 or not slug.split("/")[0]:
        raise GitHubError(f"{purpose} needs a GitHub repository, and "
                          f"{redact.redact(url) or 'no remote'!r} does not name one", _NAME_IT)
    if host is not None and host not in hosts:
        raise GitHubError(f"{purpose} needs a GitHub repository, and "
                          f"{redact.redact(url)!r} is on {host}, not on GitHub", _NAME_IT)
    return GitHubTarget(slug, api)


def _host_and_path(url: str) -> tuple[str | None, str]:
    """(host, owner/name) of a remote URL; host None for a local path."""
    if "://" in url:
        parts = urlsplit(url.removeprefix("git+"))
        if parts.scheme == "file":
            return None, ""
        return parts.hostname, parts.path.strip("/").removesuffix(".git")
    user_host, colon, path = url.partition(":")
    if colon and "/" not in user_host and not url.startswith((".", "/")):
        return user_host.rpartition("@")[2], path.strip("/").removesuffix(".git")
    return None, ""
