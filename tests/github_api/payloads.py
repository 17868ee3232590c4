"""The fake's state (repositories, releases, issues, pull requests) and its JSON as GitHub renders it.

Every object is rendered in full, as api.github.com does, because GitHub's OpenAPI description
requires most fields (75 on a repository, 42 on a pull request). API links point at the fake
(`api` is its base URL) so PyGithub can follow them; `html_url`s point at github.com as on GitHub.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from .gitdata import CommitInfo, FileChange, GitDir, Person, TagInfo, TreeEntry

HTML_BASE = "https://github.com"
ACTIONS_BOT = ("github-actions[bot]", 41898282)
# The committer of the commits GitHub makes and signs itself (`GitHub <noreply@github.com>`).
WEB_FLOW = ("web-flow", 19864447)
WEB_FLOW_EMAIL = "noreply@github.com"
# The labels every new repository starts with: name, color, description.
DEFAULT_LABELS = (
    ("bug", "d73a4a", "Something isn't working"),
    ("documentation", "0075ca", "Improvements or additions to documentation"),
    ("duplicate", "cfd3d7", "This issue or pull request already exists"),
    ("enhancement", "a2eeef", "New feature or request"),
    ("good first issue", "7057ff", "Good for newcomers"),
    ("help wanted", "008672", "Extra attention is needed"),
    ("invalid", "e4e669", "This doesn't seem right"),
    ("question", "d876e3", "Further information is requested"),
    ("wontfix", "ffffff", "This will not be worked on"),
)
# The discussion categories a repository gets when discussions are turned on.
DEFAULT_DISCUSSION_CATEGORIES = ("Announcements", "General", "Ideas", "Polls", "Q&A", "Show and tell")

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
    assets: list[Asset] = field(default_factory=list)
    discussion_category: str | None = None
    discussion_number: int | None = None  # taken from the issue numbers once the release is published

    @property
    def html_url_path(self) -> str:
        """The release page below the repository's html_url; drafts have an `untagged-` name there."""
        if self.draft:
            return "releases/tag/" + self.download_tag
        return "releases/tag/" + quote(self.tag_name, safe="")

    @property
    def download_tag(self) -> str:
        """The tag in the release's download URLs (`untagged-…` while it is a draft)."""
        if self.draft:
            return "untagged-" + hashlib.sha1(str(self.id).encode()).hexdigest()[:20]  # noqa: S324
        return quote(self.tag_name, safe="")


@dataclass
class Asset:
    """An uploaded release asset; `data` is the bytes as received."""

    id: int
    name: str
    label: str | None
    content_type: str
    data: bytes
    created_at: str
    updated_at: str
    uploader: tuple[str, int] = ACTIONS_BOT


@dataclass
class Label:
    id: int
    name: str
    color: str = "ededed"  # what GitHub gives a label made by naming it on an issue
    description: str | None = None
    default: bool = False


@dataclass
class Comment:
    id: int
    body: str
    created_at: str
    updated_at: str
    user: tuple[str, int] = ACTIONS_BOT


@dataclass(kw_only=True)
class Issue:
    """An issue; a pull request is one too (`PullRequest`), sharing the repository's numbers."""

    number: int
    id: int
    title: str
    body: str | None
    state: str
    created_at: str
    updated_at: str
    closed_at: str | None = None
    state_reason: str | None = None
    user: tuple[str, int] = ACTIONS_BOT
    closed_by: tuple[str, int] | None = None
    labels: list[str] = field(default_factory=list)  # label names, as the repository spells them
    assignees: list[str] = field(default_factory=list)  # logins
    comments: list[Comment] = field(default_factory=list)  # oldest first


@dataclass(kw_only=True)
class PullRequest(Issue):
    head: str
    base: str
    draft: bool = False
    merged_at: str | None = None
    merge_commit_sha: str | None = None
    merged_by: tuple[str, int] | None = None
    commits: list[str] = field(default_factory=list)  # shas, oldest first; empty: base..head


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
    # name -> sha; a live view of the git dir's refs/heads when the repository has one
    branches: MutableMapping[str, str] = field(default_factory=dict)
    releases: dict[int, Release] = field(default_factory=dict)
    issues: dict[int, Issue] = field(default_factory=dict)  # pull requests included
    labels: dict[str, Label] = field(default_factory=dict)  # by lower-cased name
    collaborators: dict[str, int] = field(default_factory=dict)  # login -> id: who can be assigned
    discussion_categories: list[str] = field(default_factory=lambda: list(DEFAULT_DISCUSSION_CATEGORIES))
    discussions: dict[int, str] = field(default_factory=dict)  # number -> title (a release's)
    git: GitDir | None = None
    verified: dict[str, str] = field(default_factory=dict)  # sha -> when: commits the API made and signed

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def pulls(self) -> dict[int, PullRequest]:
        """The pull requests, by number (a read-only view of `issues`)."""
        return {n: i for n, i in sorted(self.issues.items()) if isinstance(i, PullRequest)}

    def label(self, name: str) -> Label | None:
        return self.labels.get(name.lower())


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
    open_issues = sum(1 for issue in repo.issues.values() if issue.state == "open")  # PRs included
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
        "has_discussions": bool(repo.discussion_categories),
        "forks_count": 0,
        "mirror_url": None,
        "archived": False,
        "disabled": False,
        "open_issues_count": open_issues,
        "license": None,
        "allow_forking": True,
        "is_template": False,
        "web_commit_signoff_required": False,
        "topics": [],
        "visibility": "private" if repo.private else "public",
        "forks": 0,
        "open_issues": open_issues,
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
    data: JSON = {
        "url": url,
        "assets_url": f"{url}/assets",
        # api.github.com answers with uploads.github.com here; the fake takes the uploads itself.
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
        "assets": [asset_json(api, repo, release, asset) for asset in release.assets],
        "tarball_url": None if release.draft else f"{r}/tarball/{tag}",
        "zipball_url": None if release.draft else f"{r}/zipball/{tag}",
        "body": release.body,
    }
    if release.discussion_number is not None:
        data["discussion_url"] = f"{HTML_BASE}/{repo.full_name}/discussions/{release.discussion_number}"
    return data


def asset_json(api: str, repo: Repository, release: Release, asset: Asset) -> JSON:
    """`release-asset`."""
    return {
        "url": f"{api}/repos/{repo.full_name}/releases/assets/{asset.id}",
        "browser_download_url": f"{HTML_BASE}/{repo.full_name}/releases/download/"
        f"{release.download_tag}/{quote(asset.name, safe='')}",
        "id": asset.id,
        "node_id": node_id("RA_kwDO", asset.id),
        "name": asset.name,
        "label": asset.label,
        "state": "uploaded",
        "content_type": asset.content_type,
        "size": len(asset.data),
        "digest": "sha256:" + hashlib.sha256(asset.data).hexdigest(),
        "download_count": 0,
        "created_at": asset.created_at,
        "updated_at": asset.updated_at,
        "uploader": user_json(api, *asset.uploader),
    }


def label_json(api: str, repo: Repository, label: Label) -> JSON:
    """`label`."""
    return {
        "id": label.id,
        "node_id": node_id("LA_kwDO", label.id),
        "url": f"{api}/repos/{repo.full_name}/labels/{quote(label.name, safe='')}",
        "name": label.name,
        "description": label.description,
        "color": label.color,
        "default": label.default,
    }


def issue_labels_json(api: str, repo: Repository, issue: Issue) -> list[JSON]:
    """An issue's labels as GitHub lists them: by name, case-insensitively."""
    labels = [label for name in issue.labels if (label := repo.label(name)) is not None]
    return [label_json(api, repo, label) for label in sorted(labels, key=lambda lb: lb.name.lower())]


def issue_json(api: str, repo: Repository, issue: Issue) -> JSON:
    """`issue`; a pull request's has its `pull_request` key (with `merged_at`) and `draft`."""
    r = f"{api}/repos/{repo.full_name}"
    url = f"{r}/issues/{issue.number}"
    is_pull = isinstance(issue, PullRequest)
    html = f"{HTML_BASE}/{repo.full_name}/{'pull' if is_pull else 'issues'}/{issue.number}"
    assignees = [user_json(api, login, repo.collaborators[login]) for login in issue.assignees]
    data: JSON = {
        "id": issue.id,
        "node_id": node_id("PR_kwDO" if is_pull else "I_kwDO", issue.id),
        "url": url,
        "repository_url": r,
        "labels_url": f"{url}/labels{{/name}}",
        "comments_url": f"{url}/comments",
        "events_url": f"{url}/events",
        "html_url": html,
        "number": issue.number,
        "state": issue.state,
        "state_reason": issue.state_reason,
        "title": issue.title,
        "body": issue.body,
        "user": user_json(api, *issue.user),
        "labels": issue_labels_json(api, repo, issue),
        "assignee": assignees[0] if assignees else None,
        "assignees": assignees,
        "milestone": None,
        "locked": False,
        "active_lock_reason": None,
        "comments": len(issue.comments),
        "closed_at": issue.closed_at,
        "created_at": issue.created_at,
        "updated_at": issue.updated_at,
        "closed_by": user_json(api, *issue.closed_by) if issue.closed_by else None,
        "timeline_url": f"{url}/timeline",
        "performed_via_github_app": None,
        "author_association": "NONE",
        "reactions": _reactions(f"{url}/reactions"),
    }
    if isinstance(issue, PullRequest):
        data["draft"] = issue.draft
        data["pull_request"] = {
            "url": f"{r}/pulls/{issue.number}",
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "merged_at": issue.merged_at,
        }
    return data


def comment_json(api: str, repo: Repository, issue: Issue, comment: Comment) -> JSON:
    """`issue-comment`."""
    r = f"{api}/repos/{repo.full_name}"
    kind = "pull" if isinstance(issue, PullRequest) else "issues"
    url = f"{r}/issues/comments/{comment.id}"
    return {
        "id": comment.id,
        "node_id": node_id("IC_kwDO", comment.id),
        "url": url,
        "html_url": f"{HTML_BASE}/{repo.full_name}/{kind}/{issue.number}#issuecomment-{comment.id}",
        "body": comment.body,
        "user": user_json(api, *comment.user),
        "created_at": comment.created_at,
        "updated_at": comment.updated_at,
        "issue_url": f"{r}/issues/{issue.number}",
        "author_association": "NONE",
        "performed_via_github_app": None,
        "reactions": _reactions(f"{url}/reactions"),
    }


def _reactions(url: str) -> JSON:
    counts = ("total_count", "+1", "-1", "laugh", "confused", "heart", "hooray", "eyes", "rocket")
    return {"url": url} | dict.fromkeys(counts, 0)


def pull_json(api: str, repo: Repository, pull: PullRequest, *, full: bool = True) -> JSON:
    """`pull-request` (one PR) or, with full=False, `pull-request-simple` (the list endpoint)."""
    r = f"{api}/repos/{repo.full_name}"
    url = f"{r}/pulls/{pull.number}"
    issue = f"{r}/issues/{pull.number}"
    html = f"{HTML_BASE}/{repo.full_name}/pull/{pull.number}"
    head_sha = repo.branches.get(pull.head) or (pull.commits[-1] if pull.commits else "0" * 40)
    statuses = f"{r}/statuses/{head_sha}"
    assignees = [user_json(api, login, repo.collaborators[login]) for login in pull.assignees]
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
        "merged_at": pull.merged_at,
        "merge_commit_sha": pull.merge_commit_sha,
        "assignee": assignees[0] if assignees else None,
        "assignees": assignees,
        "requested_reviewers": [],
        "requested_teams": [],
        # a pull request's labels have a string description in GitHub's description (never null)
        "labels": [{**label, "description": label["description"] or ""}
                   for label in issue_labels_json(api, repo, pull)],
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
        "merged": pull.merged_at is not None,
        "mergeable": None,
        "rebaseable": None,
        "mergeable_state": "unknown",
        "merged_by": user_json(api, *pull.merged_by) if pull.merged_by else None,
        "comments": len(pull.comments),
        "review_comments": 0,
        "maintainer_can_modify": False,
        "commits": len(pull.commits) or 1,
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


# -- the Git Database API ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """What GitHub says of a commit's or tag's signature."""

    verified: bool
    reason: str
    signature: str | None = None
    payload: str | None = None
    verified_at: str | None = None


UNSIGNED = Verification(False, "unsigned")


def verification_json(verification: Verification) -> JSON:
    return {
        "verified": verification.verified,
        "reason": verification.reason,
        "signature": verification.signature,
        "payload": verification.payload,
        "verified_at": verification.verified_at,
    }


def git_person_json(person: Person) -> JSON:
    return {"name": person.name, "email": person.email, "date": person.iso()}


def git_ref_json(api: str, repo: Repository, ref: str, sha: str, kind: str) -> JSON:
    """`git-ref`: `ref` is the full name (`refs/heads/main`), `kind` the type of the object it holds."""
    r = f"{api}/repos/{repo.full_name}"
    return {
        "ref": ref,
        "node_id": node_id("REF_kwDO", int(hashlib.sha1(ref.encode()).hexdigest()[:15], 16)),  # noqa: S324
        "url": f"{r}/git/{quote(ref, safe='/')}",
        "object": {"type": kind, "sha": sha, "url": f"{r}/git/{kind}s/{sha}"},
    }


def git_commit_json(api: str, repo: Repository, commit: CommitInfo, verification: Verification) -> JSON:
    """`git-commit`."""
    r = f"{api}/repos/{repo.full_name}"
    html = f"{HTML_BASE}/{repo.full_name}/commit"
    return {
        "sha": commit.sha,
        "node_id": _sha_node_id("C_kwDO", commit.sha),
        "url": f"{r}/git/commits/{commit.sha}",
        "html_url": f"{html}/{commit.sha}",
        "author": git_person_json(commit.author),
        "committer": git_person_json(commit.committer),
        "tree": {"sha": commit.tree, "url": f"{r}/git/trees/{commit.tree}"},
        "message": commit.message,
        "parents": [
            {"sha": p, "url": f"{r}/git/commits/{p}", "html_url": f"{html}/{p}"} for p in commit.parents
        ],
        "verification": verification_json(verification),
    }


def commit_json(
    api: str,
    repo: Repository,
    commit: CommitInfo,
    verification: Verification,
    files: Sequence[FileChange] | None = None,
) -> JSON:
    """`commit`: as lists have it, or, with `files`, as `GET /commits/{ref}` has it (stats and files)."""
    r = f"{api}/repos/{repo.full_name}"
    html = f"{HTML_BASE}/{repo.full_name}/commit"
    data: JSON = {
        "url": f"{r}/commits/{commit.sha}",
        "sha": commit.sha,
        "node_id": _sha_node_id("C_kwDO", commit.sha),
        "html_url": f"{html}/{commit.sha}",
        "comments_url": f"{r}/commits/{commit.sha}/comments",
        "commit": {
            "url": f"{r}/git/commits/{commit.sha}",
            "author": git_person_json(commit.author),
            "committer": git_person_json(commit.committer),
            "message": commit.message,
            "tree": {"sha": commit.tree, "url": f"{r}/git/trees/{commit.tree}"},
            "comment_count": 0,
            "verification": verification_json(verification),
        },
        "author": _account(api, commit.author),
        "committer": _account(api, commit.committer),
        "parents": [{"sha": p, "url": f"{r}/commits/{p}", "html_url": f"{html}/{p}"} for p in commit.parents],
    }
    if files is not None:
        additions, deletions = sum(f.additions for f in files), sum(f.deletions for f in files)
        data["stats"] = {"additions": additions, "deletions": deletions, "total": additions + deletions}
        data["files"] = [_file_json(api, repo, commit.sha, f) for f in files]
    return data


def _file_json(api: str, repo: Repository, sha: str, change: FileChange) -> JSON:
    """`diff-entry`, without the patch."""
    path = quote(change.path)
    return {
        "sha": change.sha,
        "filename": change.path,
        "status": change.status,
        "additions": change.additions,
        "deletions": change.deletions,
        "changes": change.additions + change.deletions,
        "blob_url": f"{HTML_BASE}/{repo.full_name}/blob/{sha}/{path}",
        "raw_url": f"{HTML_BASE}/{repo.full_name}/raw/{sha}/{path}",
        "contents_url": f"{api}/repos/{repo.full_name}/contents/{path}?ref={sha}",
    }


def git_tree_json(api: str, repo: Repository, sha: str, entries: Sequence[TreeEntry]) -> JSON:
    """`git-tree`; entries as given (top level, or every path when listed recursively)."""
    r = f"{api}/repos/{repo.full_name}"
    listed = []
    for entry in entries:
        item: JSON = {"path": entry.path, "mode": entry.mode, "type": entry.type, "sha": entry.sha}
        if entry.type == "blob":
            item |= {"size": entry.size or 0, "url": f"{r}/git/blobs/{entry.sha}"}
        elif entry.type == "tree":
            item["url"] = f"{r}/git/trees/{entry.sha}"
        listed.append(item)
    return {"sha": sha, "url": f"{r}/git/trees/{sha}", "tree": listed, "truncated": False}


def git_tag_json(api: str, repo: Repository, tag: TagInfo, verification: Verification) -> JSON:
    """`git-tag` (an annotated tag object)."""
    r = f"{api}/repos/{repo.full_name}"
    tagger = git_person_json(tag.tagger) if tag.tagger else {"name": "", "email": "", "date": ""}
    return {
        "node_id": _sha_node_id("TA_kwDO", tag.sha),
        "tag": tag.tag,
        "sha": tag.sha,
        "url": f"{r}/git/tags/{tag.sha}",
        "message": tag.message,
        "tagger": tagger,
        "object": {"sha": tag.object, "type": tag.type, "url": f"{r}/git/{tag.type}s/{tag.object}"},
        "verification": verification_json(verification),
    }


def short_blob_json(api: str, repo: Repository, sha: str) -> JSON:
    return {"sha": sha, "url": f"{api}/repos/{repo.full_name}/git/blobs/{sha}"}


def noreply_email(login: str, user_id: int) -> str:
    """The commit email GitHub gives an account: `41898282+github-actions[bot]@users.noreply.github.com`."""
    return f"{user_id}+{login}@users.noreply.github.com"


_NOREPLY = re.compile(r"(?P<id>\d+)\+(?P<login>[^@]+)@users\.noreply\.github\.com")


def _account(api: str, person: Person) -> JSON | None:
    """The GitHub account a commit identity maps to (by its noreply email), or None as GitHub has it."""
    if person.email == WEB_FLOW_EMAIL:
        return user_json(api, *WEB_FLOW)
    match = _NOREPLY.fullmatch(person.email)
    return user_json(api, match["login"], int(match["id"])) if match else None


def _sha_node_id(prefix: str, sha: str) -> str:
    return node_id(prefix, int(sha[:15], 16))
