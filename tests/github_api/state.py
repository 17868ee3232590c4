"""What each fake endpoint does to the fake's repositories, releases, issues and pull requests.

Pure request-in, reply-out functions over `GitHubState`; the HTTP server (server.py) owns sockets,
authentication, fault injection and spec validation, and calls these under its lock (routes.py maps
methods and paths to them; the Git Database endpoints are in gitapi.py). Behaviour follows
api.github.com where a release tool can tell the difference:

- releases are listed newest first; `releases/tags/{tag}` and `releases/latest` ignore drafts;
- one published release per tag (creating or publishing another is 422 `already_exists`), while
  drafts may share a tag with anything; publishing a release of a git-backed repository creates its
  tag (lightweight, at `target_commitish`) when the tag is not there yet, as GitHub does;
- a published release with a `discussion_category_name` gets a discussion, numbered from the same
  sequence as issues and pull requests;
- asset names are unique per release (another upload of a name is 422 `already_exists`);
- issues and pull requests share one number sequence; `GET /issues/{n}` of a pull request is the
  pull request as an issue (with `pull_request`), and `GET /issues` lists both;
- naming a label that does not exist on an issue creates it (color `ededed`);
- one open pull request per head branch (another is 422 "A pull request already exists for …");
- a token without push access gets 403 "Resource not accessible by integration" on every write.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode

from .gitdata import FULL_SHA, ZERO_SHA, CommitInfo, GitDir, GitRefs, Person
from .payloads import (
    ACTIONS_BOT,
    DEFAULT_LABELS,
    JSON,
    UNSIGNED,
    Asset,
    Comment,
    Issue,
    Label,
    PullRequest,
    Release,
    Repository,
    Verification,
    asset_json,
    branch_json,
    comment_json,
    commit_json,
    issue_json,
    issue_labels_json,
    label_json,
    noreply_email,
    private_user_json,
    pull_json,
    release_json,
    repo_json,
)

CLOCK_START = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
_SHA = re.compile(r"[0-9a-f]{7,40}")
# Characters GitHub keeps in an asset's file name; it turns others into `.` (see `asset_name`).
_ASSET_NAME_KEEPS = re.compile(r"[^A-Za-z0-9._+-]+")


class ApiError(Exception):
    """A GitHub error answer: status, `message` and, for 422, the `errors` list."""

    def __init__(self, status: int, message: str, errors: Sequence[JSON] = ()) -> None:
        super().__init__(f"{status} {message}")
        self.status = status
        self.message = message
        self.errors = list(errors)


@dataclass(frozen=True)
class Call:
    """One routed request: the fake's base URL, path parameters, query, body and headers (lower-cased).

    `body` is the parsed JSON, or the raw bytes for a route that takes a raw upload.
    """

    api: str
    path: str
    params: dict[str, str]
    query: dict[str, list[str]]
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    def arg(self, name: str, default: str) -> str:
        return self.query.get(name, [default])[0]


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class GitHubState:
    """Repositories keyed by lower-cased `owner/name`, with ids and timestamps that never vary."""

    actor: tuple[str, int] = ACTIONS_BOT
    can_write: bool = True
    repos: dict[str, Repository] = field(default_factory=dict)
    _next_id: int = 1000
    _ticks: int = 0

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def tick(self) -> datetime:
        """A pinned clock that moves one second per write."""
        self._ticks += 1
        return CLOCK_START + timedelta(seconds=self._ticks)

    def now(self) -> str:
        return self.tick().strftime("%Y-%m-%dT%H:%M:%SZ")

    def identity(self) -> Person:
        """The token's git identity (`github-actions[bot] <41898282+…@users.noreply.github.com>`), now."""
        login, user_id = self.actor
        return Person(login, noreply_email(login, user_id), self.tick())

    def repo(self, owner: str, name: str) -> Repository:
        repo = self.repos.get(f"{owner}/{name}".lower())
        if repo is None:
            raise ApiError(404, "Not Found")
        return repo

    def add_repo(
        self,
        full_name: str,
        *,
        default_branch: str = "main",
        branches: Mapping[str, str] | None = None,
        permissions: Mapping[str, bool] | None = None,
        private: bool = False,
        clone_url: str | None = None,
        git_dir: Path | None = None,
    ) -> Repository:
        owner, name = full_name.split("/")
        repo = Repository(owner, name, self.new_id(), self.new_id(), default_branch=default_branch)
        repo.private, repo.clone_url = private, clone_url
        repo.permissions = dict(permissions or repo.permissions)
        for label_name, color, description in DEFAULT_LABELS:
            repo.labels[label_name] = Label(self.new_id(), label_name, color, description, default=True)
        if git_dir is not None:
            self.attach_git(repo, git_dir)
        else:
            repo.branches = dict(branches or {default_branch: fake_sha(full_name, default_branch)})
        self.repos[full_name.lower()] = repo
        return repo

    def attach_git(self, repo: Repository, git_dir: Path) -> GitDir:
        """Back `repo` with a bare repository: its branches become the git dir's refs/heads, read live."""
        git = GitDir(git_dir)
        git.run("config", "uploadpack.allowAnySHA1InWant", "true")  # GitHub serves any reachable sha
        repo.git, repo.branches = git, GitRefs(git, "refs/heads/")
        repo.clone_url = repo.clone_url or Path(git_dir).resolve().as_uri()
        return git

    def next_number(self, repo: Repository) -> int:
        """The next number in the sequence issues, pull requests and discussions share."""
        return max([*repo.issues, *repo.discussions, 0]) + 1

    def add_release(
        self,
        repo: Repository,
        tag_name: str,
        *,
        name: str | None = None,
        body: str | None = None,
        draft: bool = False,
        prerelease: bool = False,
        target_commitish: str | None = None,
        discussion_category: str | None = None,
    ) -> Release:
        now = self.now()
        release = Release(
            id=self.new_id(),
            tag_name=tag_name,
            target_commitish=target_commitish or repo.default_branch,
            name=name,
            body=body,
            draft=draft,
            prerelease=prerelease,
            created_at=now,
            updated_at=now,
            published_at=None if draft else now,
            author=self.actor,
            discussion_category=discussion_category,
        )
        repo.releases[release.id] = release
        self.on_published(repo, release)
        return release

    def on_published(self, repo: Repository, release: Release) -> None:
        """What publishing does besides the flag: the tag in git, the announcement discussion."""
        if release.draft:
            return
        if repo.git is not None and repo.git.ref(f"refs/tags/{release.tag_name}") is None:
            target = repo.git.resolve(release.target_commitish)
            if target is not None:
                repo.git.update_ref(f"refs/tags/{release.tag_name}", target, ZERO_SHA)
        if release.discussion_category and release.discussion_number is None:
            release.discussion_number = self.next_number(repo)
            repo.discussions[release.discussion_number] = release.name or release.tag_name

    def add_issue(
        self,
        repo: Repository,
        title: str,
        *,
        body: str | None = None,
        labels: Iterable[str] = (),
        assignees: Iterable[str] = (),
        state: str = "open",
        user: tuple[str, int] | None = None,
        number: int | None = None,
    ) -> Issue:
        now = self.now()
        issue = Issue(
            number=number or self.next_number(repo),
            id=self.new_id(),
            title=title,
            body=body,
            state=state,
            created_at=now,
            updated_at=now,
            user=user or self.actor,
            labels=self.ensure_labels(repo, labels),
            assignees=self.assignable(repo, assignees),
        )
        if state == "closed":
            issue.closed_at, issue.state_reason, issue.closed_by = now, "completed", self.actor
        repo.issues[issue.number] = issue
        return issue

    def add_pull(
        self,
        repo: Repository,
        head: str,
        base: str,
        title: str,
        *,
        body: str | None = None,
        draft: bool = False,
        number: int | None = None,
    ) -> PullRequest:
        if repo.git is None:
            repo.branches.setdefault(head, fake_sha(repo.full_name, head))
        return self._new_pull(repo, number, head=head, base=base, title=title, body=body, state="open",
                              draft=draft)

    def add_merged_pull(
        self,
        repo: Repository,
        *,
        title: str,
        body: str | None,
        head: str,
        base: str,
        merge_commit_sha: str,
        commits: Iterable[str] = (),
        number: int | None = None,
    ) -> PullRequest:
        """A closed, merged pull request (its head branch need not exist any more)."""
        return self._new_pull(repo, number, head=head, base=base, title=title, body=body, state="closed",
                              merged=True, merge_commit_sha=merge_commit_sha, merged_by=self.actor,
                              commits=list(commits))

    def _new_pull(self, repo: Repository, number: int | None, *, merged: bool = False,
                  **fields: Any) -> PullRequest:
        """A pull request numbered as the next issue, created (and closed and merged) now."""
        now = self.now()
        pull = PullRequest(number=number or self.next_number(repo), id=self.new_id(), created_at=now,
                           updated_at=now, user=self.actor, closed_at=now if merged else None,
                           merged_at=now if merged else None, **fields)
        repo.issues[pull.number] = pull
        return pull

    def ensure_labels(self, repo: Repository, names: Iterable[str]) -> list[str]:
        """The repository's spelling of each label name, creating (color `ededed`) those it lacks."""
        spelled: list[str] = []
        for name in names:
            label = repo.label(name)
            if label is None:
                label = repo.labels[name.lower()] = Label(self.new_id(), name)
            if label.name not in spelled:
                spelled.append(label.name)
        return spelled

    def assignable(self, repo: Repository, logins: Iterable[str]) -> list[str]:
        """The collaborators' logins as spelled; 422 `invalid` for anyone who cannot be assigned."""
        by_lower = {login.lower(): login for login in repo.collaborators}
        found: list[str] = []
        for login in logins:
            if login.lower() not in by_lower:
                raise ApiError(422, "Validation Failed", [_invalid("Issue", "assignees") | {"value": login}])
            if by_lower[login.lower()] not in found:
                found.append(by_lower[login.lower()])
        return found

    def writable(self, call: Call) -> Repository:
        repo = self.repo(call.params["owner"], call.params["repo"])
        if not (self.can_write and repo.permissions.get("push", False)):
            raise ApiError(403, "Resource not accessible by integration")
        return repo


def get_user(state: GitHubState, call: Call) -> Reply:
    login, user_id = state.actor
    if login.endswith("[bot]"):
        # An installation token (GITHUB_TOKEN, ghs_…) is not a user.
        raise ApiError(403, "Resource not accessible by integration")
    return Reply(200, private_user_json(call.api, login, user_id, CLOCK_START))


def get_repo(state: GitHubState, call: Call) -> Reply:
    return Reply(200, repo_json(call.api, state.repo(call.params["owner"], call.params["repo"])))


def list_branches(state: GitHubState, call: Call) -> Reply:
    repo = state.repo(call.params["owner"], call.params["repo"])
    return paginate(call, [branch_json(call.api, repo, name) for name in sorted(repo.branches)])


# -- releases ------------------------------------------------------------------------------------------


def list_releases(state: GitHubState, call: Call) -> Reply:
    repo = state.repo(call.params["owner"], call.params["repo"])
    releases = sorted(repo.releases.values(), key=lambda r: r.id, reverse=True)
    return paginate(call, [release_json(call.api, repo, r) for r in releases])


def get_release(state: GitHubState, call: Call) -> Reply:
    repo = state.repo(call.params["owner"], call.params["repo"])
    return Reply(200, release_json(call.api, repo, _release(repo, call)))


def get_release_by_tag(state: GitHubState, call: Call) -> Reply:
    repo = state.repo(call.params["owner"], call.params["repo"])
    release = _published_release(repo, unquote(call.params["tag"]))
    if release is None:
        raise ApiError(404, "Not Found")
    return Reply(200, release_json(call.api, repo, release))


def get_latest_release(state: GitHubState, call: Call) -> Reply:
    repo = state.repo(call.params["owner"], call.params["repo"])
    candidates = [r for r in repo.releases.values() if not r.draft and not r.prerelease]
    if not candidates:
        raise ApiError(404, "Not Found")
    return Reply(200, release_json(call.api, repo, max(candidates, key=lambda r: r.id)))


def create_release(state: GitHubState, call: Call) -> Reply:
    repo = state.writable(call)
    body: JSON = call.body
    tag = body["tag_name"]
    target = body.get("target_commitish") or repo.default_branch
    _check_target(repo, target)
    draft = bool(body.get("draft", False))
    if not draft and _published_release(repo, tag) is not None:
        raise ApiError(422, "Validation Failed", [_already_exists()])
    release = state.add_release(
        repo,
        tag,
        name=body.get("name"),
        body=body.get("body"),
        draft=draft,
        prerelease=bool(body.get("prerelease", False)),
        target_commitish=target,
        discussion_category=_discussion_category(repo, body),
    )
    data = release_json(call.api, repo, release)
    return Reply(201, data, {"Location": data["url"]})


def update_release(state: GitHubState, call: Call) -> Reply:
    repo = state.writable(call)
    release = _release(repo, call)
    body: JSON = call.body or {}
    tag = body.get("tag_name", release.tag_name)
    draft = bool(body.get("draft", release.draft))
    other = _published_release(repo, tag)
    if not draft and other is not None and other.id != release.id:
        raise ApiError(422, "Validation Failed", [_already_exists()])
    if "target_commitish" in body:
        _check_target(repo, body["target_commitish"])
        release.target_commitish = body["target_commitish"]
    release.discussion_category = _discussion_category(repo, body) or release.discussion_category
    release.tag_name = tag
    release.name = body.get("name", release.name)
    release.body = body.get("body", release.body)
    release.prerelease = bool(body.get("prerelease", release.prerelease))
    release.updated_at = state.now()
    if release.draft and not draft:
        release.published_at = release.updated_at
    release.draft = draft
    state.on_published(repo, release)
    return Reply(200, release_json(call.api, repo, release))


def upload_asset(state: GitHubState, call: Call) -> Reply:
    """`POST …/releases/{id}/assets?name=&label=` (uploads.github.com on GitHub): the raw body is the file."""
    repo = state.writable(call)
    release = _release(repo, call)
    name = asset_name(call.arg("name", ""))
    if any(a.name == name for a in release.assets):
        raise ApiError(422, "Validation Failed", [_invalid("ReleaseAsset", "name", "already_exists")])
    data: bytes = call.body if isinstance(call.body, bytes) else b""
    now = state.now()
    asset = Asset(
        id=state.new_id(),
        name=name,
        label=call.arg("label", ""),
        content_type=call.headers.get("content-type", "application/octet-stream"),
        data=data,
        created_at=now,
        updated_at=now,
        uploader=state.actor,
    )
    release.assets.append(asset)
    return Reply(201, asset_json(call.api, repo, release, asset))


def list_assets(state: GitHubState, call: Call) -> Reply:
    repo = state.repo(call.params["owner"], call.params["repo"])
    release = _release(repo, call)
    return paginate(call, [asset_json(call.api, repo, release, a) for a in release.assets])


def get_asset(state: GitHubState, call: Call) -> Reply:
    repo = state.repo(call.params["owner"], call.params["repo"])
    release, asset = _asset(repo, call)
    return Reply(200, asset_json(call.api, repo, release, asset))


def delete_asset(state: GitHubState, call: Call) -> Reply:
    repo = state.writable(call)
    release, asset = _asset(repo, call)
    release.assets.remove(asset)
    return Reply(204, None)


def asset_name(name: str) -> str:
    """The name GitHub files an upload under: characters other than letters, digits and `._+-` become
    `.`, and a leading `.` gets a `default` before it (`.env` -> `default.env`)."""
    renamed = _ASSET_NAME_KEEPS.sub(".", name)
    return "default" + renamed if renamed.startswith(".") else renamed


# -- pull requests -------------------------------------------------------------------------------------


def list_pulls(state: GitHubState, call: Call) -> Reply:
    repo = state.repo(call.params["owner"], call.params["repo"])
    wanted_state = call.arg("state", "open")
    head = call.arg("head", "")
    base = call.arg("base", "")
    pulls = [
        p
        for p in sorted(
            repo.pulls.values(), key=lambda p: p.number, reverse=call.arg("direction", "desc") == "desc"
        )
        if wanted_state in ("all", p.state)
        and (not head or head in (f"{repo.owner}:{p.head}", p.head))
        and (not base or base == p.base)
    ]
    return paginate(call, [pull_json(call.api, repo, p, full=False) for p in pulls])


def get_pull(state: GitHubState, call: Call) -> Reply:
    repo = state.repo(call.params["owner"], call.params["repo"])
    return Reply(200, pull_json(call.api, repo, _pull(repo, call)))


def create_pull(state: GitHubState, call: Call) -> Reply:
    repo = state.writable(call)
    body: JSON = call.body
    owner, _, head = body["head"].rpartition(":")
    if owner.lower() not in ("", repo.owner.lower()) or head not in repo.branches:
        raise ApiError(422, "Validation Failed", [_invalid("PullRequest", "head")])
    if body["base"] not in repo.branches:
        raise ApiError(422, "Validation Failed", [_invalid("PullRequest", "base")])
    if any(p.head == head and p.base == body["base"] and p.state == "open" for p in repo.pulls.values()):
        message = f"A pull request already exists for {repo.owner}:{head}."
        raise ApiError(
            422, "Validation Failed", [{"resource": "PullRequest", "code": "custom", "message": message}]
        )
    if "title" not in body:
        raise ApiError(422, "Validation Failed", [_invalid("PullRequest", "title", "missing_field")])
    pull = state.add_pull(
        repo, head, body["base"], body["title"], body=body.get("body"), draft=bool(body.get("draft", False))
    )
    data = pull_json(call.api, repo, pull)
    return Reply(201, data, {"Location": data["url"]})


def update_pull(state: GitHubState, call: Call) -> Reply:
    repo = state.writable(call)
    pull = _pull(repo, call)
    body: JSON = call.body or {}
    if "base" in body and body["base"] not in repo.branches:
        raise ApiError(422, "Validation Failed", [_invalid("PullRequest", "base")])
    pull.title = body.get("title", pull.title)
    pull.body = body.get("body", pull.body)
    pull.base = body.get("base", pull.base)
    pull.updated_at = state.now()
    if body.get("state", pull.state) != pull.state:
        pull.state = body["state"]
        pull.closed_at = pull.updated_at if pull.state == "closed" else None
    return Reply(200, pull_json(call.api, repo, pull))


def list_pull_commits(state: GitHubState, call: Call) -> Reply:
    """The pull request's commits, oldest first: the recorded shas (read from git when it has them),
    else `base..head` of the git dir."""
    repo = state.repo(call.params["owner"], call.params["repo"])
    pull = _pull(repo, call)
    shas = list(pull.commits)
    if not shas and repo.git is not None and pull.head in repo.branches and pull.base in repo.branches:
        shas = repo.git.rev_list(f"refs/heads/{pull.base}..refs/heads/{pull.head}")
    commits = []
    for index, sha in enumerate(shas):
        info = commit_info(repo, sha, shas[index - 1] if index else None)
        commits.append(commit_json(call.api, repo, info, verification(repo, info)))
    return paginate(call, commits)


def list_commit_pulls(state: GitHubState, call: Call) -> Reply:
    """The pull requests a commit belongs to: merged as it (`merge_commit_sha`) or carrying it."""
    repo = state.repo(call.params["owner"], call.params["repo"])
    sha = call.params["commit_sha"]
    if repo.git is not None:
        resolved = repo.git.resolve(sha)
        if resolved is None:
            raise ApiError(422, f"No commit found for SHA: {sha}")
        sha = resolved
    pulls = [
        p
        for p in sorted(repo.pulls.values(), key=lambda p: p.number, reverse=True)
        if sha in (p.merge_commit_sha, *p.commits)
    ]
    return paginate(call, [pull_json(call.api, repo, p, full=False) for p in pulls])


def get_commit(state: GitHubState, call: Call) -> Reply:
    """`GET /commits/{ref}`: a commit by sha, branch or tag, with its stats and files when git-backed."""
    repo = state.repo(call.params["owner"], call.params["repo"])
    ref = unquote(call.params["ref"])
    if repo.git is not None:
        sha = repo.git.resolve(ref)
    else:
        sha = repo.branches.get(ref) or (ref if FULL_SHA.fullmatch(ref) else None)
    if sha is None:
        raise ApiError(422, f"No commit found for SHA: {ref}")
    info = commit_info(repo, sha)
    files = repo.git.changes(sha, info.parents[0] if info.parents else None) if repo.git else []
    return Reply(200, commit_json(call.api, repo, info, verification(repo, info), files))


def commit_info(repo: Repository, sha: str, parent: str | None = None) -> CommitInfo:
    """The commit as git has it, or, for a sha the repository has no object for, a stand-in (a pull
    request's merge commit says what a squash merge says: the title, `(#n)`, and the body)."""
    if repo.git is not None and repo.git.object_type(sha) == "commit":
        return repo.git.read_commit(sha)
    login, user_id = ACTIONS_BOT
    person = Person(login, noreply_email(login, user_id), CLOCK_START)
    merged = next((p for p in repo.pulls.values() if p.merge_commit_sha == sha), None)
    message = f"Commit {sha[:7]}"
    if merged is not None:
        message = f"{merged.title} (#{merged.number})" + (f"\n\n{merged.body}" if merged.body else "")
    return CommitInfo(sha, fake_sha(sha, "tree"), (parent,) if parent else (), person, person, message)


def verification(repo: Repository, commit: CommitInfo) -> Verification:
    """Verified for the commits the API signed; a signature nobody here can check is `unknown_key`."""
    if commit.sha in repo.verified:
        return Verification(True, "valid", commit.signature, commit.payload, repo.verified[commit.sha])
    if commit.signature:
        return Verification(False, "unknown_key", commit.signature, commit.payload)
    return UNSIGNED


# -- issues, comments, labels --------------------------------------------------------------------------


def get_issue(state: GitHubState, call: Call) -> Reply:
    repo = state.repo(call.params["owner"], call.params["repo"])
    return Reply(200, issue_json(call.api, repo, _issue(repo, call)))


def list_issues(state: GitHubState, call: Call) -> Reply:
    """Issues and pull requests, filtered by `state`, `labels` (all of them), `creator`, `assignee`,
    `milestone` and `since`, sorted by `sort` and `direction` (newest created first by default)."""
    repo = state.repo(call.params["owner"], call.params["repo"])
    wanted_state = call.arg("state", "open")
    wanted_labels = {name.strip().lower() for name in call.arg("labels", "").split(",") if name.strip()}
    creator = call.arg("creator", "").lower()
    assignee = call.arg("assignee", "").lower()
    since = call.arg("since", "")
    milestone = call.arg("milestone", "")
    sort_key = {
        "created": lambda i: (i.created_at, i.number),
        "updated": lambda i: (i.updated_at, i.number),
        "comments": lambda i: (len(i.comments), i.number),
    }[call.arg("sort", "created")]
    issues = [
        issue
        for issue in sorted(
            repo.issues.values(), key=sort_key, reverse=call.arg("direction", "desc") == "desc"
        )
        if wanted_state in ("all", issue.state)
        and wanted_labels <= {name.lower() for name in issue.labels}
        and (not creator or issue.user[0].lower() == creator)
        and _assigned(issue, assignee)
        and (not since or issue.updated_at >= since)
        and milestone in ("", "none")  # the fake has no milestones
    ]
    return paginate(call, [issue_json(call.api, repo, i) for i in issues])


def create_issue(state: GitHubState, call: Call) -> Reply:
    """A new issue. Assignees must be collaborators: GitHub answers 422 (`invalid`, field `assignees`,
    with the login as `value`) for anyone else; it drops assignees and labels silently only when the
    requester lacks push access, and the fake's writes always need push access."""
    repo = state.writable(call)
    body: JSON = call.body
    assignees = [*body.get("assignees", []), *([body["assignee"]] if body.get("assignee") else [])]
    issue = state.add_issue(
        repo,
        str(body["title"]),
        body=body.get("body"),
        labels=[_label_name(label) for label in body.get("labels", [])],
        assignees=assignees,
    )
    data = issue_json(call.api, repo, issue)
    return Reply(201, data, {"Location": data["url"]})


def update_issue(state: GitHubState, call: Call) -> Reply:
    """Edit an issue or a pull request as an issue: `state` (closing says why in `state_reason`,
    `completed` unless told; reopening is `reopened`), `title`, `body`, `labels` and `assignees`
    (each replaces the whole list)."""
    repo = state.writable(call)
    issue = _issue(repo, call)
    body: JSON = call.body or {}
    if "assignees" in body or "assignee" in body:
        named = body.get("assignees") or ([body["assignee"]] if body.get("assignee") else [])
        issue.assignees = state.assignable(repo, named)
    if "labels" in body:
        issue.labels = state.ensure_labels(repo, [_label_name(label) for label in body["labels"] or []])
    if body.get("title") is not None:
        issue.title = str(body["title"])
    issue.body = body.get("body", issue.body)
    issue.updated_at = state.now()
    new_state = body.get("state", issue.state)
    if new_state != issue.state:
        issue.state = new_state
        if new_state == "closed":
            issue.closed_at, issue.closed_by = issue.updated_at, state.actor
            issue.state_reason = body.get("state_reason") or "completed"
        else:
            issue.closed_at, issue.closed_by = None, None
            issue.state_reason = body.get("state_reason") or "reopened"
    elif body.get("state_reason"):
        issue.state_reason = body["state_reason"]
    return Reply(200, issue_json(call.api, repo, issue))


def list_comments(state: GitHubState, call: Call) -> Reply:
    repo = state.repo(call.params["owner"], call.params["repo"])
    issue = _issue(repo, call)
    since = call.arg("since", "")
    comments = [c for c in issue.comments if not since or c.updated_at >= since]
    return paginate(call, [comment_json(call.api, repo, issue, c) for c in comments])


def create_comment(state: GitHubState, call: Call) -> Reply:
    repo = state.writable(call)
    issue = _issue(repo, call)
    now = state.now()
    comment = Comment(state.new_id(), str(call.body["body"]), now, now, user=state.actor)
    issue.comments.append(comment)
    issue.updated_at = now
    data = comment_json(call.api, repo, issue, comment)
    return Reply(201, data, {"Location": data["url"]})


def add_labels(state: GitHubState, call: Call) -> Reply:
    """Add labels (`{"labels": [...]}`, or a bare list as PyGithub sends) to an issue, creating those the
    repository lacks; the answer is every label the issue has now."""
    repo = state.writable(call)
    issue = _issue(repo, call)
    named = call.body if isinstance(call.body, list) else (call.body or {}).get("labels", [])
    added = state.ensure_labels(repo, [_label_name(label) for label in named])
    issue.labels += [name for name in added if name not in issue.labels]
    issue.updated_at = state.now()
    return Reply(200, issue_labels_json(call.api, repo, issue))


def list_labels(state: GitHubState, call: Call) -> Reply:
    repo = state.repo(call.params["owner"], call.params["repo"])
    labels = sorted(repo.labels.values(), key=lambda label: label.name.lower())
    return paginate(call, [label_json(call.api, repo, label) for label in labels])


# -- helpers -------------------------------------------------------------------------------------------


def paginate(call: Call, items: list[JSON]) -> Reply:
    """One page of `items` (per_page ≤ 100, default 30) with GitHub's `Link` header."""
    per_page = max(1, min(100, int(call.arg("per_page", "30"))))
    page = max(1, int(call.arg("page", "1")))
    last = max(1, -(-len(items) // per_page))
    links = {"next": page + 1, "last": last} if page < last else {}
    if page > 1:
        links |= {"first": 1, "prev": page - 1}
    headers = {}
    if links:
        query = {k: v[0] for k, v in call.query.items() if k != "page"}
        headers["Link"] = ", ".join(
            f'<{call.api}{call.path}?{urlencode({**query, "page": n})}>; rel="{rel}"'
            for rel, n in links.items()
        )
    return Reply(200, items[(page - 1) * per_page : page * per_page], headers)


def fake_sha(full_name: str, branch: str) -> str:
    """A stable commit sha for a branch nobody pushed."""
    return hashlib.sha1(f"{full_name}:{branch}".encode()).hexdigest()  # noqa: S324


def _published_release(repo: Repository, tag: str) -> Release | None:
    return next((r for r in repo.releases.values() if r.tag_name == tag and not r.draft), None)


def _already_exists() -> JSON:
    return _invalid("Release", "tag_name", "already_exists")


def _invalid(resource: str, field_name: str, code: str = "invalid") -> JSON:
    return {"resource": resource, "code": code, "field": field_name}


def _check_target(repo: Repository, target: str) -> None:
    known = target in repo.branches or (
        _SHA.fullmatch(target) is not None and (repo.git is None or repo.git.resolve(target) is not None)
    )
    if not known:
        raise ApiError(422, "Validation Failed", [_invalid("Release", "target_commitish")])


def _discussion_category(repo: Repository, body: JSON) -> str | None:
    """The category a release's discussion goes in; 422 for one the repository does not have."""
    name = body.get("discussion_category_name")
    if name is None:
        return None
    found = next((c for c in repo.discussion_categories if c.lower() == str(name).lower()), None)
    if found is None:
        raise ApiError(422, "Validation Failed", [_invalid("Release", "discussion_category_name")])
    return found


def _release(repo: Repository, call: Call) -> Release:
    release = repo.releases.get(int(call.params["release_id"]))
    if release is None:
        raise ApiError(404, "Not Found")
    return release


def _asset(repo: Repository, call: Call) -> tuple[Release, Asset]:
    asset_id = int(call.params["asset_id"])
    for release in repo.releases.values():
        for asset in release.assets:
            if asset.id == asset_id:
                return release, asset
    raise ApiError(404, "Not Found")


def _pull(repo: Repository, call: Call) -> PullRequest:
    pull = repo.pulls.get(int(call.params["pull_number"]))
    if pull is None:
        raise ApiError(404, "Not Found")
    return pull


def _issue(repo: Repository, call: Call) -> Issue:
    issue = repo.issues.get(int(call.params["issue_number"]))
    if issue is None:
        raise ApiError(404, "Not Found")
    return issue


def _label_name(label: Any) -> str:
    """A label as a request names it: a string, or an object with `name`."""
    return str(label["name"]) if isinstance(label, dict) else str(label)


def _assigned(issue: Issue, assignee: str) -> bool:
    if assignee in ("", "*"):
        return assignee == "" or bool(issue.assignees)
    if assignee == "none":
        return not issue.assignees
    return assignee in (login.lower() for login in issue.assignees)
