"""Remote URLs → web URLs for links, without credentials; where the repository URL comes from."""

from __future__ import annotations

import pytest

from relbot.remotes import repository_url, web_url


@pytest.mark.parametrize(
    ("remote", "url"),
    [
        pytest.param("https://github.com/acme/widget.git", "https://github.com/acme/widget", id="https"),
        pytest.param("https://github.com/acme/widget", "https://github.com/acme/widget", id="https-no-git"),
        pytest.param("https://github.com/acme/widget.git/", "https://github.com/acme/widget",
                     id="trailing-slash"),
        pytest.param("  https://github.com/acme/widget.git\n", "https://github.com/acme/widget",
                     id="whitespace"),
        pytest.param("https://x-access-token:ghs_s3cr3t@github.com/acme/widget.git",
                     "https://github.com/acme/widget", id="https-token"),
        pytest.param("https://user@github.com/acme/widget.git", "https://github.com/acme/widget",
                     id="https-user"),
        pytest.param("https://x:tok@ghe.corp/acme/widget.git", "https://ghe.corp/acme/widget",
                     id="ghe-token"),
        pytest.param("git@github.com:acme/widget.git", "https://github.com/acme/widget", id="scp"),
        pytest.param("github.com:acme/widget", "https://github.com/acme/widget", id="scp-no-user"),
        pytest.param("git@ghe.corp.example:team/project.git", "https://ghe.corp.example/team/project",
                     id="scp-ghe"),
        pytest.param("ssh://git@github.com/acme/widget.git", "https://github.com/acme/widget", id="ssh-url"),
        pytest.param("ssh://git@ghe.corp:2222/acme/widget.git", "https://ghe.corp/acme/widget",
                     id="ssh-port"),
        pytest.param("git+ssh://git@github.com/acme/widget.git", "https://github.com/acme/widget",
                     id="git+ssh"),
        pytest.param("git+https://github.com/acme/widget.git", "https://github.com/acme/widget",
                     id="git+https"),
        pytest.param("git://github.com/acme/widget.git", "https://github.com/acme/widget", id="git-protocol"),
        pytest.param("http://ghe.local:8080/acme/widget.git", "http://ghe.local:8080/acme/widget",
                     id="http-port"),
        pytest.param("http://u:p@ghe.local:8080/acme/widget.git", "http://ghe.local:8080/acme/widget",
                     id="http-port-credentials"),
        pytest.param("https://gitlab.com/group/sub/project.git", "https://gitlab.com/group/sub/project",
                     id="subgroups"),
        pytest.param("/srv/git/widget.git", None, id="absolute-path"),
        pytest.param("../widget", None, id="relative-path"),
        pytest.param("./acme/widget", None, id="dot-relative-path"),
        pytest.param("file:///srv/git/acme/widget.git", None, id="file-url"),
        pytest.param("C:\\repos\\widget", None, id="windows-path"),
        pytest.param("C:/repos/acme/widget", None, id="windows-forward-slashes"),
        pytest.param("https://github.com/widget", None, id="no-owner"),
        pytest.param("https:///acme/widget", None, id="no-host"),
        pytest.param("", None, id="empty"),
        pytest.param("   ", None, id="blank"),
    ],
)
def test_web_url(remote: str, url: str | None) -> None:
    assert web_url(remote) == url


@pytest.mark.parametrize(
    "remote",
    ["https://x-access-token:ghs_s3cr3t@github.com/acme/widget.git", "http://bot:s3cr3t@ghe.local:8080/a/b.git",
     "https://s3cr3t@github.com/acme/widget"],
)
def test_web_url_never_keeps_credentials(remote: str) -> None:
    url = web_url(remote)
    assert url is not None
    assert "s3cr3t" not in url
    assert "@" not in url


@pytest.mark.parametrize(
    ("configured", "origin", "env", "url"),
    [
        pytest.param("https://github.com/cfg/repo.git", "git@github.com:origin/repo.git",
                     {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "env/repo"},
                     "https://github.com/cfg/repo", id="config-first"),
        pytest.param(None, "git@github.com:origin/repo.git",
                     {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "env/repo"},
                     "https://github.com/origin/repo", id="origin-second"),
        pytest.param("", "git@github.com:origin/repo.git", {}, "https://github.com/origin/repo",
                     id="empty-config"),
        pytest.param("/srv/git/repo.git", "https://tok@ghe.corp/origin/repo.git", {},
                     "https://ghe.corp/origin/repo", id="local-config-falls-through"),
        pytest.param(None, "/srv/git/repo.git",
                     {"GITHUB_SERVER_URL": "https://ghe.corp/", "GITHUB_REPOSITORY": "env/repo"},
                     "https://ghe.corp/env/repo", id="actions-env"),
        pytest.param(None, None, {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "env/repo"},
                     "https://github.com/env/repo", id="no-origin"),
        pytest.param(None, None, {"GITHUB_REPOSITORY": "env/repo"}, None, id="env-without-server"),
        pytest.param(None, None, {"GITHUB_SERVER_URL": "https://github.com"}, None, id="env-without-repo"),
        pytest.param(None, "../local", {}, None, id="nothing"),
    ],
)
def test_repository_url_precedence(
    configured: str | None, origin: str | None, env: dict[str, str], url: str | None
) -> None:
    assert repository_url(configured, origin, env) == url


@pytest.mark.parametrize("remote", ["git+http://ghe.local:8080/a/b.git", "HTTP://ghe.local:8080/a/b"],
                         ids=["git+http", "upper-case"])
def test_web_url_keeps_http_scheme(remote: str) -> None:
    assert web_url(remote) == "http://ghe.local:8080/a/b"
