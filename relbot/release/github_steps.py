"""The github plugin's steps after (or instead of) the push: release assets, the comments and
labels on what a release includes with the failure issue closed (semantic-release's `success`),
and the release commit and tag made through GitHub's API so GitHub signs them."""

from __future__ import annotations

import glob
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from relbot.config.options import Asset
from relbot.errors import GitError, GitHubError, InputError, RelbotError
from relbot.github import check_access, find_release
from relbot.github.assets import AssetFile, upload, uploaded
from relbot.github.gitdata import TagSpec, branch_tip, commit, tag_commit
from relbot.github.issues import (
    close_issues,
    comment_and_label,
    commented,
    existing_issues,
    failure_issues,
    merged_pulls,
)
from relbot.release import announce, templates
from relbot.release.steps import Push, tag_published
from relbot.remotes import GitHubTarget
from relbot.steps import Session, WriteFile
from relbot.tags import TagFormat

ASSETS_OPTION = "plugins[@semantic-release/github].assets"


def _matches(root: Path, globs: list[str]) -> set[str]:
    """The files (not directories) under `root` that the globs match, dot files included."""
    return {path for pattern in globs
            for path in glob.glob(pattern, root_dir=root, recursive=True, include_hidden=True)
            if (root / path).is_file()}


@dataclass(frozen=True)
class UploadAssets:
    """Upload the `assets` files to the GitHub Release (same-named assets are replaced), then
    publish the Release, which was made as a draft so it is never seen without its assets."""

    kind: ClassVar[str] = "github-assets"
    tag: str
    assets: tuple[Asset, ...]
    values: Mapping[str, str]  # the templates' placeholders (`${nextRelease.version}`, ...)
    github: GitHubTarget
    publish: bool  # the Release is a draft until its assets are there
    discussion: str | None = None  # `discussionCategoryName`, set when the draft is published

    def describe(self) -> str:
        globs = ", ".join(" ".join(a.globs) for a in self.assets)
        return f"upload the assets {globs} to the GitHub Release {self.tag}" + (
            ", then publish it" if self.publish else "")

    def files(self, root: Path) -> list[tuple[Path, str, str]]:
        """(file, asset name, label) of every file the globs match; InputError for an entry that
        matches none (nothing is uploaded then)."""
        found: dict[str, tuple[Path, str, str]] = {}
        for index, asset in enumerate(self.assets):
            matches = sorted(_matches(root, [g for g in asset.globs if not g.startswith("!")])
                             - _matches(root, [g[1:] for g in asset.globs if g.startswith("!")]))
            if not matches:
                shown = asset.globs[0] if len(asset.globs) == 1 else list(asset.globs)
                raise InputError(f"{ASSETS_OPTION}[{index}]: {shown!r} matches no file in {root}",
                                 "build the assets before `relbot release`, or fix the glob (a "
                                 "directory is not uploaded: name its files, such as dist/*)")
            for match in matches:
                name = posixpath.basename(match)
                if asset.name and len(matches) == 1:
                    name = templates.render(asset.name, self.values, f"{ASSETS_OPTION}[{index}].name")
                label = templates.render(asset.label, self.values, f"{ASSETS_OPTION}[{index}].label") \
                    if asset.label else ""
                earlier = found.get(name)
                if earlier is not None and earlier[0] != root / match:
                    raise InputError(f"{ASSETS_OPTION}[{index}]: {match} and {earlier[0].relative_to(root)} "
                                     f"would both be the asset {name!r}", "give one of them another `name`")
                found[name] = (root / match, name, label)
        return list(found.values())

    def is_done(self, session: Session) -> bool:
        try:
            present = uploaded(self.github, session.env, self.tag)
            wanted = self.files(session.root)
        except RelbotError:
            return False  # the check or the run says why
        if present is None or (self.publish and present[0]):
            return False  # no Release, or still the draft it is until its assets are there
        return all(present[1].get(name) == path.stat().st_size for path, name, _label in wanted)

    def check(self, session: Session) -> None:
        self.files(session.root)

    def run(self, session: Session) -> None:
        files = [AssetFile(path, name, label) for path, name, label in self.files(session.root)]
        session.release_url, _urls = upload(self.github, session.env, self.tag, files,
                                            publish=self.publish, discussion=self.discussion)
        session.say(f"uploaded {', '.join(f.name for f in files)} to the GitHub Release {self.tag}")


@dataclass(frozen=True)
class Announce:
    """semantic-release's `success`: comment on each merged pull request the release includes and
    on each issue they or the commits close, label them `released`, and close the failure issue.
    A comment already there (a rerun) is not made again."""

    kind: ClassVar[str] = "github-success"
    tag: str
    version: str
    release_name: str
    shas: tuple[str, ...]  # the released commits
    messages: tuple[str, ...]  # their messages (a squash-merged PR's title and body, when read)
    values: Mapping[str, str]
    github: GitHubTarget
    comment: str | None  # the `successComment` template; None: semantic-release's text
    labels: tuple[str, ...] | None  # `releasedLabels`; None: `released`
    comments_on: bool
    fail_labels: tuple[str, ...]  # the failure issue's labels; None of it closed when fail_off
    close_failure: bool

    def describe(self) -> str:
        what = []
        if self.comments_on:
            labels = ", ".join(announce.released_labels(self.labels, self.values)) or "(no label)"
            what.append(f"comment on the pull requests and issues this release includes, label them {labels}")
        if self.close_failure:
            what.append("close the failure issue if one is open")
        return f"on {self.github.slug}: " + "; ".join(what)

    def _targets(self, session: Session) -> list[tuple[int, bool]]:
        """(number, is a pull request) of everything the release includes, found once a session."""
        key = f"announce:{self.tag}"
        if key not in session.memo:
            pulls = merged_pulls(self.github, session.env, self.shas)
            numbers = announce.closed_issues([*(p.body for p in pulls), *self.messages],
                                             self.github.slug)
            pulled = {p.number for p in pulls}
            issues = existing_issues(self.github, session.env, [n for n in numbers if n not in pulled])
            session.memo[key] = [(p.number, True) for p in pulls] + [(i.number, i.is_pull) for i in issues]
        found: list[tuple[int, bool]] = session.memo[key]  # type: ignore[assignment]
        return found

    def is_done(self, session: Session) -> bool:
        """Asked once a session (what the plan showed is what the run does): the Release exists,
        the failure issue is closed and everything the release includes has its comment."""
        key = f"announced:{self.tag}"
        if key not in session.memo:
            session.memo[key] = self._announced(session)
        return bool(session.memo[key])

    def _announced(self, session: Session) -> bool:
        marker = announce.released_marker(self.tag)
        try:
            if find_release(self.github, session.env, self.tag) is None:
                return False  # not released yet: nothing was announced
            if self.close_failure and failure_issues(self.github, session.env, self.fail_labels,
                                                     announce.FAIL_MARKER):
                return False
            return not self.comments_on or all(
                commented(self.github, session.env, number, marker)
                for number, _pull in self._targets(session))
        except RelbotError:
            return False  # without a token it cannot be known: the run says what is missing

    def check(self, session: Session) -> None:
        session.check_credentials(f"a token with `issues: write` and `pull-requests: write` on "
                                  f"{self.github.slug} for the comments, labels and failure issue",
                                  lambda: check_access(self.github, session.env))

    def run(self, session: Session) -> None:
        failed: list[str] = []
        if self.comments_on:
            url = session.release_url
            if url is None:
                found = find_release(self.github, session.env, self.tag)
                url = found.url if found else None
            labels = announce.released_labels(self.labels, self.values)
            marker = announce.released_marker(self.tag)
            for number, is_pull in self._targets(session):
                body = announce.success_comment(is_pull=is_pull, version=self.version,
                                                release_name=self.release_name, release_url=url,
                                                template=self.comment, values=self.values, tag=self.tag)
                try:
                    if comment_and_label(self.github, session.env, number, body, marker, labels):
                        session.say(f"commented on {'pull request' if is_pull else 'issue'} #{number}"
                                    + (f" and labelled it {', '.join(labels)}" if labels else ""))
                except GitHubError as exc:  # the others still get theirs; a rerun retries this one
                    session.say(f"warning: {exc.message}")
                    if exc.status not in (403, 404):  # not allowed, or gone: skipped (semantic-release)
                        failed.append(f"#{number}: {exc.message}")
        if self.close_failure and not failed:  # a failed comment fails the run: the issue stays open
            open_ones = failure_issues(self.github, session.env, self.fail_labels, announce.FAIL_MARKER)
            close_issues(self.github, session.env, [i.number for i in open_ones])
            for issue in open_ones:
                session.say(f"closed the failure issue #{issue.number}")
        session.memo[f"announced:{self.tag}"] = not failed
        if failed:
            raise GitHubError(f"the release {self.tag} is published, but commenting on or labelling "
                              f"{len(failed)} of what it includes failed: {'; '.join(failed)}",
                              "rerun the release: it adds only the missing comments and labels")


@dataclass(frozen=True)
class ApiRelease:
    """The release commit (when there are files) and the annotated tag, made through GitHub's
    API so GitHub signs them; then the branch moves onto the commit (fast-forward only) and the
    checkout follows. Instead of Commit, Tag and Push: no `git push` is made."""

    kind: ClassVar[str] = "push"
    branch: str
    tag: str
    tag_message: str
    files: tuple[WriteFile, ...]
    message: str | None  # the release commit's; None: no commit, the tag goes on HEAD
    github: GitHubTarget
    version: str  # what the tag releases: no release tag of origin's on HEAD's history may be higher
    tag_format: TagFormat

    def describe(self) -> str:
        what = f"commit {', '.join(f.path for f in self.files)}" if self.files and self.message \
            else "no commit"
        return (f"{what}, tag {self.tag} (annotated) and move {self.branch} through GitHub's API on "
                f"{self.github.slug} (signed by GitHub, no git push)")

    def is_done(self, session: Session) -> bool:
        return tag_published(session, self.tag)

    def check(self, session: Session) -> None:
        def origin() -> None:
            tip = branch_tip(self.github, session.env, self.branch)
            head = session.start_head or session.git.head_sha()
            if tip != head:
                raise GitError(f"{self.branch} on {self.github.slug} is at {(tip or 'nothing')[:7]}, not at "
                               f"HEAD ({str(head)[:7]}): the release commit goes on the branch's tip",
                               "nothing was changed; rerun the release on the new head")
            # as for `git push`: the branch has not moved, the tag is not on origin, no release
            # tag of origin's on HEAD's history is higher
            Push(self.branch, self.tag, "", self.version, self.tag_format).check_origin(session)

        session.check_credentials(f"a token with `contents: write` on {self.github.slug} to commit "
                                  "and tag through GitHub's API", origin)

    def run(self, session: Session) -> None:
        repo = session.git
        head = session.start_head or str(repo.head_sha())
        tag = TagSpec(self.tag, self.tag_message)
        if self.files and self.message is not None:
            try:
                sha = commit(self.github, session.env, branch=self.branch, parent=head,
                             files={f.path: (session.root / f.path).read_bytes() for f in self.files},
                             message=self.message, tag=tag)
            except BaseException:
                self._restore(session)  # nothing was published: the checkout is as the run found it
                raise
            session.commit_sha = sha
            repo.reset_to_remote_branch(self.branch)  # the files are already as committed
            session.say(f"committed {sha[:7]} through GitHub's API (signed by GitHub)")
        else:
            tag_commit(self.github, session.env, tag, head)
        repo.fetch_tags([self.tag])
        session.pushed = True
        session.say(f"tagged {self.tag} and moved {self.branch} on {self.github.slug} through GitHub's API")

    def _restore(self, session: Session) -> None:
        """Undo the release's file writes: HEAD's text back, a file HEAD lacks removed."""
        for file in self.files:
            if session.git.file_at("HEAD", file.path) is None:
                (session.root / file.path).unlink(missing_ok=True)
            else:
                session.git.restore_path(file.path)
