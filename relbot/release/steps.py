"""The release's own step kinds: the annotated tag, the atomic push of branch and tag, the
GitHub Release, and the values bump after it. Files and the release commit are the shared
`WriteFile` and `Commit` steps (relbot.steps)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import ClassVar

import semver

from relbot import steps
from relbot.errors import GitError, RelbotError, VersionRuleError
from relbot.gitoutcome import RemoteError, RemoteStatus
from relbot.gitrepo import GitRepo
from relbot.remotes import GitHubTarget
from relbot.steps import Session
from relbot.tags import TagFormat
from relbot.values.plan import ValuesPlan
from relbot.values.push import BYPASS, PushToBranch, check_push_access, push_error

RELEASE_PROTECTED_HINT = (f"{BYPASS}; or stop committing release assets (drop @semantic-release/git "
                          "and keep the version in tags only), so the release pushes just a tag")


@dataclass(frozen=True)
class Tag:
    """An annotated tag at HEAD (after the release commit, when there is one)."""

    kind: ClassVar[str] = "tag"
    name: str
    message: str

    def describe(self) -> str:
        return f"tag {self.name} (annotated)"

    def is_done(self, session: Session) -> bool:
        target = session.git.tag_target(self.name)
        return target is not None and target == session.git.head_sha()

    def check(self, session: Session) -> None:
        target = session.git.tag_target(self.name)
        if target is not None and target != session.git.head_sha():
            raise VersionRuleError(
                f"tag {self.name} already exists on {target[:7]}, not on HEAD "
                f"{str(session.git.head_sha())[:7]}",
                "a published tag is never moved; if it was made by mistake and never published, "
                f"delete it (git tag -d {self.name}), else release from that commit")

    def run(self, session: Session) -> None:
        session.git.create_tag(self.name, self.message, session.identity)
        session.say(f"tagged {self.name}")


@dataclass(frozen=True)
class Push:
    """`git push --atomic` of the branch and the tag: both land on origin or neither does."""

    kind: ClassVar[str] = "push"
    branch: str
    tag: str
    remote: str  # for display, redacted
    version: str  # what the tag releases: no release tag of origin's on HEAD's history may be higher
    tag_format: TagFormat

    def describe(self) -> str:
        return f"push --atomic {self.branch} and {self.tag} to {self.remote}"

    def is_done(self, session: Session) -> bool:
        return tag_published(session, self.tag)

    def check(self, session: Session) -> None:
        session.check_credentials(f"a token with `contents: write` to push {self.branch} and {self.tag}",
                                  lambda: self.check_origin(session))
        check_push_access(session, self.branch,
                          f"a token with `contents: write` to push {self.branch} and {self.tag}")

    def check_origin(self, session: Session) -> None:
        """Origin's branch has not moved past HEAD, the tag is not on origin elsewhere, and no
        release tag of origin's on HEAD's history is at or above this version."""
        repo = session.git
        head = repo.head_sha() or ""
        remote = repo.remote_ref(f"refs/heads/{self.branch}")
        if remote is not None and remote != head and not repo.is_ancestor(remote, head):
            raise GitError(
                f"{self.branch} moved on origin: it is at {remote[:7]}, which this checkout "
                f"({head[:7]}) does not contain; releasing now would publish an outdated state",
                "nothing was changed; rerun the release on the new head (fetch and check it out)")
        origin_tags = repo.remote_tags()  # one ls-remote for both tag checks
        on_origin = origin_tags.get(self.tag)
        if on_origin is not None and on_origin != repo.tag_target(self.tag):
            raise VersionRuleError(
                f"tag {self.tag} is already on origin, on {on_origin[:7]}, and not on this release's "
                "commit", "a published tag is never moved; fetch the tags and release a new version")
        self._check_not_below_origin(repo, head, origin_tags)

    def _check_not_below_origin(self, repo: GitRepo, head: str, origin_tags: Mapping[str, str]) -> None:
        """Refuse a version at or below a release tag of origin's that HEAD contains but this
        checkout lacks (its tags could not be fetched): the release would go backwards."""
        fmt, version = self.tag_format, semver.Version.parse(self.version)
        local = {ref.name for ref in repo.tags(fmt.glob())}
        lacking = {name: sha for name, sha in origin_tags.items()
                   if name != self.tag and name not in local
                   and (found := fmt.parse(name)) is not None and semver.Version.parse(found) >= version}
        present = repo.present_commits(list(lacking.values()))
        above = sorted(name for name, sha in lacking.items()
                       if sha in present and (sha == head or repo.is_ancestor(sha, head)))
        if above:
            raise VersionRuleError(
                f"origin has the release tag {above[0]} on this branch's history, which this "
                f"checkout lacks: releasing {self.version} would go backwards",
                "nothing was changed; fetch the tags (git fetch --tags origin) and rerun")

    def run(self, session: Session) -> None:
        push_atomically(session, self.branch, (self.tag,))


def tag_published(session: Session, tag: str) -> bool:
    """The tag is on origin at this release's commit (HEAD): the atomic push that carried it
    carried the branch too (which may have moved on since, e.g. by the values commit)."""
    local = session.git.tag_target(tag)
    if local is None or local != session.git.head_sha():
        return False
    try:
        return session.git.remote_ref(f"refs/tags/{tag}") == local
    except RemoteError:
        return False


def push_atomically(session: Session, branch: str, tags: tuple[str, ...],
                    made: tuple[str, ...] | None = None) -> None:
    """`git push --atomic` of HEAD to `branch` and `tags`; when it fails, nothing reached origin,
    so the tags this run `made` (default: all) and the release commit are taken back first."""
    repo = session.git
    result = repo.push([f"HEAD:refs/heads/{branch}", *(f"refs/tags/{t}" for t in tags)], atomic=True)
    if result.ok:
        session.pushed = True
        session.say(f"pushed {branch} and {', '.join(tags)} (atomically)")
        return
    for tag in tags if made is None else made:  # leave the checkout as it was
        if repo.tag_target(tag) is not None:
            repo.delete_tag(tag)
    if session.start_head is not None and repo.head_sha() != session.start_head:
        repo.reset_hard(session.start_head)
    if result.status is RemoteStatus.MOVED:
        raise GitError(f"{branch} moved on origin while releasing; nothing was published (the push is "
                       "atomic: the branch and the tags go together or not at all)",
                       "rerun the release on the new head")
    raise push_error(result, branch, session.env, RELEASE_PROTECTED_HINT)


@dataclass(frozen=True)
class PublishRelease:
    """Create the GitHub Release for the tag, or update the one that exists."""

    kind: ClassVar[str] = "github-release"
    tag: str
    name: str
    body: str
    prerelease: bool
    draft: bool
    github: GitHubTarget
    discussion: str | None = None  # `discussionCategoryName`
    draft_first: bool = False  # a draft until the assets step has uploaded its assets

    def describe(self) -> str:
        what = "draft release" if self.draft else ("prerelease" if self.prerelease else "release")
        first = " (a draft until its assets are uploaded)" if self.draft_first and not self.draft else ""
        discussion = f" with a discussion in {self.discussion!r}" \
            if self.discussion and not self.draft else ""
        return f"create the GitHub {what} {self.name} on {self.github.slug}{first}{discussion}"

    def is_done(self, session: Session) -> bool:
        from relbot.github import find_release  # noqa: PLC0415 - PyGithub is slow to import

        try:
            found = find_release(self.github, session.env, self.tag)
        except RelbotError as exc:
            if exc.credentials:  # cannot be known without a token: the check says what is needed
                return False
            raise
        # a release made by hand or by a drafting tool for the tag is updated to the planned one
        drafts = {self.draft, True} if self.draft_first else {self.draft}
        return found is not None and (found.name, found.prerelease) == (self.name, self.prerelease) \
            and found.draft in drafts

    def check(self, session: Session) -> None:
        from relbot.github import check_access  # noqa: PLC0415

        session.check_credentials(
            f"a token with `contents: write` on {self.github.slug} for the GitHub Release",
            lambda: check_access(self.github, session.env))

    def run(self, session: Session) -> None:
        from relbot.github import publish_release  # noqa: PLC0415

        draft = self.draft or self.draft_first
        url = publish_release(self.github, session.env, tag=self.tag, name=self.name, body=self.body,
                              prerelease=self.prerelease, draft=draft, discussion=self.discussion)
        if draft and not self.draft:  # the assets step publishes it, under its real URL
            session.say(f"GitHub draft release {self.name}, published once its assets are uploaded")
            return
        session.release_url = url
        session.say(f"GitHub release {url}")


@dataclass(frozen=True)
class BumpValues:
    """`values.onRelease`: the values plan (edits, commit, push with retries) after the tag."""

    kind: ClassVar[str] = "bump-values"
    plan: ValuesPlan

    def describe(self) -> str:
        changes = [f"{f.path}: {c.path} {c.old} → {c.new}" for f in self.plan.files for c in f.changes
                   if c.changed]
        then = ", ".join(s.describe().split(":")[0] for s in self.plan.steps if s.kind != "write")
        return f"bump-values {'; '.join(changes) or '(already set)'}" + (f", then {then}" if then else "")

    def is_done(self, session: Session) -> bool:
        """Nothing to change, or origin's branch already holds the planned values (when this
        checkout has its head: a rerun of the release job after the values landed)."""
        if not self.plan.changed:
            return True
        pushes = [s for s in self.plan.steps if isinstance(s, PushToBranch)]
        if not pushes:
            return False
        try:
            head = session.git.remote_ref(f"refs/heads/{pushes[0].branch}")
        except RemoteError:
            return False
        return head is not None and all(session.git.file_at(head, f.path) == f.new
                                        for f in pushes[0].commit.files)

    def check(self, session: Session) -> None:
        for step in self.plan.steps:
            if step.kind not in ("write", "commit"):
                step.check(session)

    def run(self, session: Session) -> None:
        # its own session: a failed values push drops only the values commit, and the release's
        # commit and progress hooks stay the release's
        values = replace(session, on_step=lambda _k: None, start_head=session.git.head_sha(),
                         commit_sha=None, pushed=False, attempts=0, needs=[])
        steps.execute(self.plan.steps, values)
        session.not_landed = values.not_landed
        session.say("values: " + ("updated" if values.not_landed is None else values.not_landed))
