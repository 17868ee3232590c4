"""The fake's state (repositories, branches, releases, pull requests) and its JSON as GitHub renders it.

Every object is rendered in full, as api.github.com does, because GitHub's OpenAPI description
requires most fields (75 on a repository, 42 on a pull request). API links point at the fake
(`api` is its base URL) so PyGithub can follow them; `html_url`s point at github.com as on GitHub.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

HTML_BASE = "https://github.com"
ACTIONS_BOT = ("github-actions[bot]", 41898282)

JSON = dict[str, Any]

# Keys of a full pull request that the list endpoint (pull-request-simple) leaves out.
_PULL_DETAIL_KEYS = (
    "merged",
    "mergeable",
    "rebaseable",
    "mergeable_state",
    "merged_by",
    "comments",
    "review_comments",
    "maintainer_can_modify",
    "commits",
    "additions",
    "deletions",
    "changed_files",
)


@dataclass
class Release:
    id: int
    tag_name: str
    target_commitish: str
    name: str | None
    body: str | None
    draft: bool
    prerelease: bool
    created_at: str
    updated_at: str
    published_at: str | None
    author: tuple[str, int] = ACTIONS_BOT
    assets: list[JSON] = field(default_factory=list)

    @property
    def html_url_path(self) -> str:
        """The release page below the repository's html_url; drafts have an `untagged-` name there."""
        if self.draft:
            return "releases/tag/untagged-" + hashlib.sha1(str(self.id).encode()).hexdigest()[:20]  # noqa: S324
        return "releases/tag/" + quote(self.tag_name, safe="")


@dataclass
class PullRequest:
    number: int
    id: int
    head: str
    base: str
    title: str
    body: str | None
    state: str
    draft: bool
    created_at: str
    updated_at: str
    closed_at: str | None = None
    user: tuple[str, int] = ACTIONS_BOT


@dataclass
class Repository:
    owner: str
    name: str
    id: int
    owner_id: int
    owner_type: str = "Organization"
    default_branch: str = "main"
    permissions: dict[str, bool] = field(
        default_factory=lambda: {
            "admin": False,
            "maintain": False,
            "push": True,
            "triage": True,
            "pull": True,
        }
    )
    private: bool = False
    description: str | None = None
    clone_url: str | None = None
    created_at: str = "2024-01-02T03:04:05Z"
    branches: dict[str, str] = field(default_factory=dict)
    releases: dict[int, Release] = field(default_factory=dict)
    pulls: dict[int, PullRequest] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


def node_id(prefix: str, number: int) -> str:
    """An opaque GraphQL id in GitHub's style (`R_kgDO…`, `RE_kwDO…`)."""
    return prefix + base64.b64encode(number.to_bytes(8, "big")).decode().rstrip("=")


def user_json(api: str, login: str, user_id: int, kind: str | None = None) -> JSON:
    """`simple-user`; `kind` is GitHub's `type` (User, Organization, Bot), Bot for a `[bot]` login."""
    kind = kind or ("Bot" if login.endswith("[bot]") else "User")
    url = f"{api}/users/{quote(login, safe='')}"
    html = f"{HTML_BASE}/apps/{login.removesuffix('[bot]')}" if kind == "Bot" else f"{HTML_BASE}/{login}"
    return {
        "login": login,
        "id": user_id,
        "node_id": node_id("MDQ6VXNlcj", user_id),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{user_id}?v=4",
        "gravatar_id": "",
        "url": url,
        "html_url": html,
        "followers_url": f"{url}/followers",
        "following_url": f"{url}/following{{/other_user}}",
        "gists_url": f"{url}/gists{{/gist_id}}",
        "starred_url": f"{url}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{url}/subscriptions",
        "organizations_url": f"{url}/orgs",
        "repos_url": f"{url}/repos",
        "events_url": f"{url}/events{{/privacy}}",
        "received_events_url": f"{url}/received_events",
        "type": kind,
        "user_view_type": "public",
        "site_admin": False,
    }


def private_user_json(api: str, login: str, user_id: int, created: datetime) -> JSON:
    """`private-user`, what GET /user shows the token's own user."""
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    counts = (
        "public_repos",
        "public_gists",
        "followers",
        "following",
        "private_gists",
        "total_private_repos",
    )
    return (
        user_json(api, login, user_id)
        | dict.fromkeys(("name", "company", "location", "email", "hireable", "bio", "twitter_username"))
        | dict.fromkeys((*counts, "owned_private_repos", "disk_usage", "collaborators"), 0)
        | {"blog": "", "created_at": stamp, "updated_at": stamp, "two_factor_authentication": True}
        | {"user_view_type": "private"}
    )


def repo_json(api: str, repo: Repository, *, full: bool = True) -> JSON:
    """`full-repository` (GET /repos/{owner}/{repo}) or, with full=False, `repository` (inside a PR)."""
    r = f"{api}/repos/{repo.full_name}"
    html = f"{HTML_BASE}/{repo.full_name}"
    open_pulls = sum(1 for pull in repo.pulls.values() if pull.state == "open")
    data: JSON = {
        "id": repo.id,
        "node_id": node_id("R_kgDO", repo.id),
        "name": repo.name,
        "full_name": repo.full_name,
        "private": repo.private,
        "owner": user_json(api, repo.owner, repo.owner_id, repo.owner_type),
        "html_url": html,
        "description": repo.description,
        "fork": False,
        "url": r,
        "forks_url": f"{r}/forks",
        "keys_url": f"{r}/keys{{/key_id}}",
        "collaborators_url": f"{r}/collaborators{{/collaborator}}",
        "teams_url": f"{r}/teams",
        "hooks_url": f"{r}/hooks",
        "issue_events_url": f"{r}/issues/events{{/number}}",
        "events_url": f"{r}/events",
        "assignees_url": f"{r}/assignees{{/user}}",
        "branches_url": f"{r}/branches{{/branch}}",
        "tags_url": f"{r}/tags",
        "blobs_url": f"{r}/git/blobs{{/sha}}",
        "git_tags_url": f"{r}/git/tags{{/sha}}",
        "git_refs_url": f"{r}/git/refs{{/sha}}",
        "trees_url": f"{r}/git/trees{{/sha}}",
        "statuses_url": f"{r}/statuses/{{sha}}",
        "languages_url": f"{r}/languages",
        "stargazers_url": f"{r}/stargazers",
        "contributors_url": f"{r}/contributors",
        "subscribers_url": f"{r}/subscribers",
        "subscription_url": f"{r}/subscription",
        "commits_url": f"{r}/commits{{/sha}}",
        "git_commits_url": f"{r}/git/commits{{/sha}}",
        "comments_url": f"{r}/comments{{/number}}",
        "issue_comment_url": f"{r}/issues/comments{{/number}}",
        "contents_url": f"{r}/contents/{{+path}}",
        "compare_url": f"{r}/compare/{{base}}...{{head}}",
        "merges_url": f"{r}/merges",
        "archive_url": f"{r}/{{archive_format}}{{/ref}}",
        "downloads_url": f"{r}/downloads",
        "issues_url": f"{r}/issues{{/number}}",
        "pulls_url": f"{r}/pulls{{/number}}",
        "milestones_url": f"{r}/milestones{{/number}}",
        "notifications_url": f"{r}/notifications{{?since,all,participating}}",
        "labels_url": f"{r}/labels{{/name}}",
        "releases_url": f"{r}/releases{{/id}}",
        "deployments_url": f"{r}/deployments",
        "created_at": repo.created_at,
        "updated_at": repo.created_at,
        "pushed_at": repo.created_at,
        "git_url": f"git://github.com/{repo.full_name}.git",
        "ssh_url": f"git@github.com:{repo.full_name}.git",
        "clone_url": repo.clone_url or f"{html}.git",
        "svn_url": html,
        "homepage": None,
        "size": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "language": "Python",
        "has_issues": True,
        "has_projects": True,
        "has_downloads": True,
        "has_wiki": True,
        "has_pages": False,
        "has_discussions": False,
        "forks_count": 0,
        "mirror_url": None,
        "archived": False,
        "disabled": False,
        "open_issues_count": open_pulls,
        "license": None,
        "allow_forking": True,
        "is_template": False,
        "web_commit_signoff_required": False,
        "topics": [],
        "visibility": "private" if repo.private else "public",
        "forks": 0,
        "open_issues": open_pulls,
        "watchers": 0,
        "default_branch": repo.default_branch,
        "permissions": dict(repo.permissions),
    }
    if full:
        data |= {"network_count": 0, "subscribers_count": 0}
    return data


def release_json(api: str, repo: Repository, release: Release) -> JSON:
    r = f"{api}/repos/{repo.full_name}"
    url = f"{r}/releases/{release.id}"
    tag = quote(release.tag_name, safe="")
    return {
        "url": url,
        "assets_url": f"{url}/assets",
        # api.github.com answers with uploads.github.com here; the fake keeps PyGithub on its own host.
        "upload_url": f"{url}/assets{{?name,label}}",
        "html_url": f"{HTML_BASE}/{repo.full_name}/{release.html_url_path}",
        "id": release.id,
        "author": user_json(api, *release.author),
        "node_id": node_id("RE_kwDO", release.id),
        "tag_name": release.tag_name,
        "target_commitish": release.target_commitish,
        "name": release.name,
        "draft": release.draft,
        "immutable": False,
        "prerelease": release.prerelease,
        "created_at": release.created_at,
        "updated_at": release.updated_at,
        "published_at": release.published_at,
        "assets": list(release.assets),
        "tarball_url": None if release.draft else f"{r}/tarball/{tag}",
        "zipball_url": None if release.draft else f"{r}/zipball/{tag}",
        "body": release.body,
    }


def pull_json(api: str, repo: Repository, pull: PullRequest, *, full: bool = True) -> JSON:
    """`pull-request` (one PR) or, with full=False, `pull-request-simple` (the list endpoint)."""
    r = f"{api}/repos/{repo.full_name}"
    url = f"{r}/pulls/{pull.number}"
    issue = f"{r}/issues/{pull.number}"
    html = f"{HTML_BASE}/{repo.full_name}/pull/{pull.number}"
    head_sha = repo.branches.get(pull.head, "0" * 40)
    statuses = f"{r}/statuses/{head_sha}"
    data: JSON = {
        "url": url,
        "id": pull.id,
        "node_id": node_id("PR_kwDO", pull.id),
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": issue,
        "number": pull.number,
        "state": pull.state,
        "locked": False,
        "title": pull.title,
        "user": user_json(api, *pull.user),
        "body": pull.body,
        "created_at": pull.created_at,
        "updated_at": pull.updated_at,
        "closed_at": pull.closed_at,
        "merged_at": None,
        "merge_commit_sha": None,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "labels": [],
        "milestone": None,
        "draft": pull.draft,
        "commits_url": f"{url}/commits",
        "review_comments_url": f"{url}/comments",
        "review_comment_url": f"{r}/pulls/comments{{/number}}",
        "comments_url": f"{issue}/comments",
        "statuses_url": statuses,
        "head": _pull_end(api, repo, pull.head, head_sha),
        "base": _pull_end(api, repo, pull.base, repo.branches.get(pull.base, "0" * 40)),
        "_links": {
            "self": {"href": url},
            "html": {"href": html},
            "issue": {"href": issue},
            "comments": {"href": f"{issue}/comments"},
            "review_comments": {"href": f"{url}/comments"},
            "review_comment": {"href": f"{r}/pulls/comments{{/number}}"},
            "commits": {"href": f"{url}/commits"},
            "statuses": {"href": statuses},
        },
        "author_association": "NONE",
        "auto_merge": None,
        "active_lock_reason": None,
        "merged": False,
        "mergeable": None,
        "rebaseable": None,
        "mergeable_state": "unknown",
        "merged_by": None,
        "comments": 0,
        "review_comments": 0,
        "maintainer_can_modify": False,
        "commits": 1,
        "additions": 0,
        "deletions": 0,
        "changed_files": 0,
    }
    if not full:
        for key in _PULL_DETAIL_KEYS:
            del data[key]
    return data


def _pull_end(api: str, repo: Repository, ref: str, sha: str) -> JSON:
    return {
        "label": f"{repo.owner}:{ref}",
        "ref": ref,
        "sha": sha,
        "user": user_json(api, repo.owner, repo.owner_id, repo.owner_type),
        "repo": repo_json(api, repo, full=False),
    }


def branch_json(api: str, repo: Repository, name: str) -> JSON:
    """`short-branch`, as listed by GET /repos/{owner}/{repo}/branches."""
    sha = repo.branches[name]
    return {
        "name": name,
        "commit": {"sha": sha, "url": f"{api}/repos/{repo.full_name}/commits/{sha}"},
        "protected": False,
    }
