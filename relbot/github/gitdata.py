"""Commits and tags made through GitHub's Git Database API (blobs, tree, commit, refs) instead of
`git push`: GitHub signs a commit it makes for an app or workflow token, so it shows as Verified
and passes "require signed commits". The branch moves by a fast-forward-only ref update, which
fails (BranchMoved) when another pipeline pushed first."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from contextlib import suppress
from typing import Any, NamedTuple

from relbot.errors import BranchMoved
from relbot.github import api_error, calling, repository
from relbot.remotes import GitHubTarget

CONTENTS_WRITE = "`contents: write`"


class TagSpec(NamedTuple):
    """An annotated tag to create on the new commit, before the branch moves onto it."""

    name: str
    message: str


def branch_tip(target: GitHubTarget, env: Mapping[str, str], branch: str) -> str | None:
    """The commit `branch` points to on GitHub, None when there is no such branch."""
    from github import UnknownObjectException  # noqa: PLC0415 - PyGithub is slow to import

    with calling(target, f"reading {branch} on {target.slug}", "`contents: read`"):
        try:
            return str(repository(target, env)
                       .get_git_ref(f"heads/{branch}").object.sha)
        except UnknownObjectException:
            return None


def commit(target: GitHubTarget, env: Mapping[str, str], *, branch: str, parent: str,
           files: Mapping[str, bytes], message: str, tag: TagSpec | None = None,
           force: bool = False) -> str:
    """Commit `files` (path → bytes) on `parent` through the API and move `branch` onto it (with
    `tag` made first); returns the new commit's hash. The branch is created when it is missing;
    otherwise it must be at `parent` (`force`: it is moved whatever it holds). Raises BranchMoved
    when it is elsewhere or moves meanwhile; the tag is then taken back."""
    from github import GithubException, InputGitTreeElement, UnknownObjectException  # noqa: PLC0415

    slug = target.slug
    with calling(target, f"committing to {branch} through GitHub's API on {slug}", CONTENTS_WRITE):
        remote = repository(target, env)
        ref: Any = remote.get_git_ref(f"heads/{branch}")
        try:
            tip = str(ref.object.sha)  # read now (the repository is lazy): a missing branch is a 404
        except UnknownObjectException:
            ref = None
        if ref is not None and not force and tip != parent:
            raise _moved(branch, tip)
        base = remote.get_git_commit(parent)
        elements = [InputGitTreeElement(path, "100644", "blob",
                                        sha=remote.create_git_blob(
                                            base64.b64encode(data).decode("ascii"), "base64").sha)
                    for path, data in files.items()]
        tree = remote.create_git_tree(elements, base.tree)
        made = remote.create_git_commit(message, tree, [base])
        tag_ref = None
        if tag is not None:
            annotated = remote.create_git_tag(tag.name, tag.message, made.sha, "commit")
            tag_ref = remote.create_git_ref(f"refs/tags/{tag.name}", annotated.sha)
        try:
            if ref is None:
                remote.create_git_ref(f"refs/heads/{branch}", made.sha)
            else:
                ref.edit(made.sha, force=force)
        except BaseException as exc:
            if tag_ref is not None:  # take the tag back: nothing else was published
                with suppress(Exception):
                    tag_ref.delete()
            if isinstance(exc, GithubException) and exc.status == 422:
                now = branch_tip(target, env, branch)
                if now == parent:  # refused for another reason than a moved branch: GitHub says which
                    raise api_error(exc, f"moving {branch} through GitHub's API on {slug}",
                                    CONTENTS_WRITE) from None
                raise _moved(branch, now or "nothing") from None
            raise
        return str(made.sha)


def tag_commit(target: GitHubTarget, env: Mapping[str, str], tag: TagSpec, sha: str) -> None:
    """An annotated tag on an existing commit (a release that commits no files)."""
    with calling(target, f"tagging {tag.name} through GitHub's API on {target.slug}", CONTENTS_WRITE):
        remote = repository(target, env)
        annotated = remote.create_git_tag(tag.name, tag.message, sha, "commit")
        remote.create_git_ref(f"refs/tags/{tag.name}", annotated.sha)


def _moved(branch: str, tip: str) -> BranchMoved:
    return BranchMoved(f"{branch} moved on origin (it is at {tip[:7]}); the commit through GitHub's "
                       "API was not published", "rerun on the new head")
