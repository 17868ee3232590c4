"""The only module that imports github (PyGithub): GitHub Releases and pull requests.

Where the calls go is a `GitHubTarget` (see `find_target`); the token comes from RELBOT_TOKEN,
GH_TOKEN or GITHUB_TOKEN. Every error message is redacted and says which permission or setting is
missing; errors for a missing or refused token are marked as credential errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from relbot import gitauth, redact
from relbot.errors import GitHubError
from relbot.remotes import GitHubTarget


def client(env: Mapping[str, str], api_url: str, *, lazy: bool = False) -> Any:
    import logging  # noqa: PLC0415 - start-up guard: only the libraries that log need it

    from github import Auth, Github, GithubRetry  # noqa: PLC0415 - PyGithub is slow to import

    redact.install_logging_filter()
    # PyGithub's retry logs each refused request as a warning; relbot's own error says it once
    logging.getLogger("github.GithubRetry").setLevel(logging.ERROR)
    token = gitauth.find_token(env)
    if token is None:
        raise GitHubError("no GitHub token: the API needs one",
                          f"set one of {', '.join(gitauth.TOKEN_VARIABLES)}", credentials=True)
    # 5xx and rate limits (403/429 with GitHub's headers) are retried with backoff, for every
    # method: a repeated POST that had landed answers 422 `already_exists`, which is handled.
    retry = GithubRetry(total=5, backoff_factor=0.5, allowed_methods=None,
                        secondary_rate_wait=30, max_rate_limit_wait=300)
    return Github(base_url=api_url,
                  auth=Auth.Token(token.value), retry=retry, timeout=30, per_page=100,
                  seconds_between_requests=0, seconds_between_writes=0, lazy=lazy)


def repository(target: GitHubTarget, env: Mapping[str, str]) -> Any:
    """The repository, not fetched: objects reached from it are read when first used."""
    return client(env, target.api_url, lazy=True).get_repo(target.slug)


@contextmanager
def calling(target: GitHubTarget, doing: str, permission: str) -> Iterator[None]:
    """Turn every failure of the calls inside into a GitHubError that says what to do."""
    from github import GithubException  # noqa: PLC0415
    from requests.exceptions import ConnectionError as Unreachable  # noqa: PLC0415
    from requests.exceptions import RequestException, Timeout  # noqa: PLC0415

    try:
        yield
    except GithubException as exc:
        error = api_error(exc, doing, permission)
        error.status = getattr(exc, "status", None)
        raise error from None
    except (Unreachable, Timeout) as exc:
        raise GitHubError(f"{doing}: GitHub's API at {target.api_url} cannot be reached "
                          f"({redact.redact(type(exc).__name__)})",
                          "check the network, GITHUB_API_URL or `githubApiUrl`") from None
    except RequestException as exc:  # 5xx answers still failing after the retries
        cause = re.search(r"ResponseError\('([^']+)'\)", str(exc))  # "too many 502 error responses"
        detail = redact.redact(cause[1] if cause else str(exc))[:300]
        raise GitHubError(f"{doing}: GitHub's API kept failing ({detail})",
                          "rerun later; the release resumes where it stopped") from None


def open_pull_request(target: GitHubTarget, env: Mapping[str, str], *, head: str, base: str,
                      title: str, body: str) -> str:
    """Open a pull request from `head` into `base`, or update the open one; returns its URL."""
    slug = target.slug
    with calling(target, f"opening a pull request on {slug}",
                  "`pull-requests: write` and `contents: write`"):
        remote = client(env, target.api_url).get_repo(slug)
        for pull in remote.get_pulls(state="open", head=f"{target.owner}:{head}", base=base):
            pull.edit(title=title, body=body)
            return str(pull.html_url)
        return str(remote.create_pull(title=title, body=body, head=head, base=base).html_url)


def api_error(exc: Any, doing: str, permission: str) -> GitHubError:
    """A GithubException as a clear, redacted error."""
    status = getattr(exc, "status", None)
    data = getattr(exc, "data", None)
    detail = data.get("message", "") if isinstance(data, dict) else str(data or "")
    detail = redact.redact(str(detail))
    headers = {k.lower(): v for k, v in (getattr(exc, "headers", None) or {}).items()}
    if status in (403, 429) and (headers.get("x-ratelimit-remaining") == "0"
                                 or "rate limit" in detail.lower() or "retry-after" in headers):
        return GitHubError(f"{doing}: GitHub's rate limit was hit and did not reset in time "
                           f"({status} {detail})", "rerun later; the release resumes where it stopped")
    if status == 401:
        return GitHubError(f"{doing}: the token was refused (401 {detail})",
                           "the token is invalid or expired; create a new one")
    if status == 403:
        return GitHubError(f"{doing}: forbidden (403 {detail})",
                           f"the token needs {permission}; in a workflow set them under `permissions:`")
    if status == 404:
        return GitHubError(f"{doing}: not found (404 {detail})",
                           "check GITHUB_REPOSITORY / the origin remote, and that the token can see "
                           "the repository")
    if status == 422:
        errors = data.get("errors", []) if isinstance(data, dict) else []
        reasons = ", ".join(redact.redact(str(e.get("message") or f"{e.get('field')} {e.get('code')}"))
                            for e in errors if isinstance(e, dict))
        exists = "already_exists" in reasons or "already exist" in f"{detail} {reasons}".lower()
        return GitHubError(f"{doing}: GitHub refused the request (422 {detail}"
                           f"{': ' + reasons if reasons else ''})",
                           "another run made it meanwhile: rerun relbot, which updates what exists"
                           if exists else "GitHub's reason is above; fix what it names and rerun")
    return GitHubError(f"{doing}: GitHub answered {status} {detail}", "see the message above")


@dataclass(frozen=True)
class PublishedRelease:
    """A GitHub Release as GitHub has it."""

    url: str
    name: str
    draft: bool
    prerelease: bool


def find_release(target: GitHubTarget, env: Mapping[str, str], tag: str) -> PublishedRelease | None:
    """The GitHub Release for `tag` (drafts included), or None when there is none."""
    slug = target.slug
    with calling(target, f"reading the release {tag} of {slug}", "`contents: read`"):
        found = release_by_tag(client(env, target.api_url).get_repo(slug), tag)
    if found is None:
        return None
    return PublishedRelease(str(found.html_url), str(found.name or ""), bool(found.draft),
                            bool(found.prerelease))


def release_by_tag(remote: Any, tag: str) -> Any:
    """The release for `tag`, drafts included (GitHub's by-tag lookup skips drafts)."""
    from github import UnknownObjectException  # noqa: PLC0415

    try:
        return remote.get_release(tag)
    except UnknownObjectException:
        pass
    for index, release in enumerate(remote.get_releases()):
        if release.tag_name == tag:
            return release
        if index >= 300:
            break
    return None


def publish_release(target: GitHubTarget, env: Mapping[str, str], *, tag: str, name: str, body: str,
                    prerelease: bool, draft: bool, discussion: str | None = None) -> str:
    """Create the GitHub Release for `tag`, or update it when it exists; returns its URL.
    `discussion`: the category of the discussion GitHub opens for a published release."""
    from github import GithubException  # noqa: PLC0415

    slug = target.slug
    extra = {"discussion_category_name": discussion} if discussion and not draft else {}
    with calling(target, f"publishing the GitHub Release {tag} on {slug}", "`contents: write`"):
        remote = client(env, target.api_url).get_repo(slug)
        release = release_by_tag(remote, tag)
        if release is None:
            try:  # with a discussion: a draft first, published with it (a refused category leaves
                # the draft, which a rerun publishes)
                created = remote.create_git_release(tag=tag, name=name, message=body,
                                                    draft=draft or bool(extra), prerelease=prerelease)
                if not extra:
                    return str(created.html_url)
                release = created
            except GithubException as exc:
                release = release_by_tag(remote, tag) if exc.status == 422 else None
                if release is None:  # not made meanwhile by a concurrent run
                    raise
        updated = release.update_release(name=name, message=body, draft=draft, prerelease=prerelease,
                                         **extra)
        return str(updated.html_url)


def check_access(target: GitHubTarget, env: Mapping[str, str]) -> None:
    """Fail before any write when the token cannot publish releases on the repository."""
    slug = target.slug
    with calling(target, f"reading {slug}", "`contents: write`"):
        remote = client(env, target.api_url).get_repo(slug)
    permissions = getattr(remote, "permissions", None)
    if permissions is not None and not getattr(permissions, "push", True):
        raise GitHubError(f"the token cannot write to {slug} (no push permission)",
                          "give it `contents: write` (in a workflow: `permissions: contents: write`)")
