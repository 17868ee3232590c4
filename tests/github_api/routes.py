"""Which endpoint (state.py, gitapi.py) answers which method and path; templates are the spec's."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from . import gitapi, state
from .state import Call, GitHubState, Reply

Endpoint = Callable[[GitHubState, Call], Reply]


@dataclass(frozen=True)
class Route:
    """`raw_body`: the body is the bytes of a file (an asset upload), not JSON. `slashed`: the path
    parameter whose value has slashes in it (a Git ref, `heads/feature/x`); others are one segment."""

    method: str
    template: str
    endpoint: Endpoint
    raw_body: bool = False
    slashed: str = ""
    pattern: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        def group(match: re.Match[str]) -> str:
            name = match[1]
            return f"(?P<{name}>{'.+' if name == self.slashed else '[^/]+'})"

        regex = re.sub(r"\\\{(\w+)\\\}", group, re.escape(self.template))
        object.__setattr__(self, "pattern", re.compile(regex))


_R = "/repos/{owner}/{repo}"
ROUTES = (
    Route("GET", "/user", state.get_user),
    Route("GET", _R, state.get_repo),
    Route("GET", f"{_R}/branches", state.list_branches),
    Route("GET", f"{_R}/releases", state.list_releases),
    Route("POST", f"{_R}/releases", state.create_release),
    Route("GET", f"{_R}/releases/latest", state.get_latest_release),
    Route("GET", f"{_R}/releases/tags/{{tag}}", state.get_release_by_tag),
    Route("GET", f"{_R}/releases/assets/{{asset_id}}", state.get_asset),
    Route("DELETE", f"{_R}/releases/assets/{{asset_id}}", state.delete_asset),
    Route("GET", f"{_R}/releases/{{release_id}}", state.get_release),
    Route("PATCH", f"{_R}/releases/{{release_id}}", state.update_release),
    Route("GET", f"{_R}/releases/{{release_id}}/assets", state.list_assets),
    Route("POST", f"{_R}/releases/{{release_id}}/assets", state.upload_asset, raw_body=True),
    Route("GET", f"{_R}/pulls", state.list_pulls),
    Route("POST", f"{_R}/pulls", state.create_pull),
    Route("GET", f"{_R}/pulls/{{pull_number}}", state.get_pull),
    Route("PATCH", f"{_R}/pulls/{{pull_number}}", state.update_pull),
    Route("GET", f"{_R}/pulls/{{pull_number}}/commits", state.list_pull_commits),
    Route("GET", f"{_R}/commits/{{commit_sha}}/pulls", state.list_commit_pulls),
    Route("GET", f"{_R}/commits/{{ref}}", state.get_commit),
    Route("GET", f"{_R}/issues", state.list_issues),
    Route("POST", f"{_R}/issues", state.create_issue),
    Route("GET", f"{_R}/issues/{{issue_number}}", state.get_issue),
    Route("PATCH", f"{_R}/issues/{{issue_number}}", state.update_issue),
    Route("GET", f"{_R}/issues/{{issue_number}}/comments", state.list_comments),
    Route("POST", f"{_R}/issues/{{issue_number}}/comments", state.create_comment),
    Route("POST", f"{_R}/issues/{{issue_number}}/labels", state.add_labels),
    Route("GET", f"{_R}/labels", state.list_labels),
    Route("GET", f"{_R}/git/ref/{{ref}}", gitapi.get_ref, slashed="ref"),
    Route("POST", f"{_R}/git/refs", gitapi.create_ref),
    Route("PATCH", f"{_R}/git/refs/{{ref}}", gitapi.update_ref, slashed="ref"),
    Route("DELETE", f"{_R}/git/refs/{{ref}}", gitapi.delete_ref, slashed="ref"),
    Route("POST", f"{_R}/git/blobs", gitapi.create_blob),
    Route("POST", f"{_R}/git/trees", gitapi.create_tree),
    Route("GET", f"{_R}/git/trees/{{tree_sha}}", gitapi.get_tree),
    Route("POST", f"{_R}/git/commits", gitapi.create_commit),
    Route("GET", f"{_R}/git/commits/{{commit_sha}}", gitapi.get_commit),
    Route("POST", f"{_R}/git/tags", gitapi.create_tag),
    Route("GET", f"{_R}/git/tags/{{tag_sha}}", gitapi.get_tag),
)


def route(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The first route for `method` whose template matches the raw (still percent-encoded) path."""
    for candidate in ROUTES:
        if candidate.method == method and (match := candidate.pattern.fullmatch(path)):
            return candidate, match.groupdict()
    return None
