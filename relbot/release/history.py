"""Where the last release is and which commits came after it, on a real repository.

Finds the highest release tag reachable from HEAD: the candidate tags come from one
`for-each-ref`, and which of them HEAD reaches from one `for-each-ref --merged` (a single history
walk, however many tags there are); deepens a shallow clone just far enough to see it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import semver

from relbot.errors import GitError
from relbot.gitrepo import GitRepo
from relbot.model import Branch, RawCommit, Tag
from relbot.release.versioning import release_candidates
from relbot.tags import TagFormat, release_tags

T = TypeVar("T")
_DEEPEN_STEPS = (100, 1000, 10000)
SHALLOW_HINT = (
    "fetch the full history: with actions/checkout set `fetch-depth: 0`; elsewhere run "
    "`git fetch --unshallow --tags`"
)


@dataclass(frozen=True)
class ReleaseTags:
    last: Tag | None  # the branch's last release (may be a prerelease on a prerelease branch)
    latest_release: Tag | None  # the highest plain release reachable
    all_tags: tuple[Tag, ...]  # every tag that matches the format, reachable or not


def matching_tags(repo: GitRepo, tag_format: TagFormat, *, merged: str | None = None) -> list[Tag]:
    """The repository's release tags (those that match the format); with `merged`, only those
    reachable from that revision."""
    return release_tags(repo.tags(tag_format.glob(), merged=merged), tag_format)


def reachable_names(repo: GitRepo, tag_format: TagFormat, head: str) -> set[str]:
    """The names of the release tags reachable from `head`, from one history walk."""
    return {ref.name for ref in repo.tags(tag_format.glob(), merged=head)}


def find_last_release(
    repo: GitRepo, head: str, tag_format: TagFormat, branch: Branch
) -> ReleaseTags:
    tags = matching_tags(repo, tag_format)
    reachable = reachable_names(repo, tag_format, head)
    last: Tag | None = None
    latest: Tag | None = None
    for tag in release_candidates(tags, branch):
        is_plain = not semver.Version.parse(tag.version).prerelease
        if last is not None and not is_plain:
            continue
        if tag.name not in reachable:
            continue
        if last is None:
            last = tag
        if is_plain:
            latest = tag
            break
    return ReleaseTags(last, latest, tuple(tags))


def ensure_history(
    repo: GitRepo, head: str, tag_format: TagFormat, branch: Branch,
    say: Callable[[str], None],
) -> None:
    """Make a shallow clone deep enough to see the last release, or fail with the exact fix."""
    if not repo.is_shallow():
        return
    if not repo.has_remote("origin"):
        raise GitError(
            f"{repo.root} is a shallow clone with no `origin` remote to fetch the history from; "
            "the version would be computed from a truncated history",
            SHALLOW_HINT,
        )
    try:
        if repo.remote_has_tags():
            repo.fetch("+refs/tags/*:refs/tags/*", depth=1)
        deepened = 0
        for depth in (0, *_DEEPEN_STEPS):
            if depth:
                repo.fetch(deepen=depth)
                deepened += depth
            found = find_last_release(repo, head, tag_format, branch).last
            if found is not None:
                say(f"shallow clone: fetched the tags and {deepened} more commits of history "
                    f"from origin to reach the last release {found.name}")
                return
            if not repo.is_shallow():
                break
        if repo.is_shallow():
            repo.fetch(unshallow=True)
        say("shallow clone: fetched the full history from origin (no earlier release tag)")
    except GitError as exc:
        raise GitError(
            f"{repo.root} is a shallow clone and fetching its history from origin failed: "
            f"{exc.message}",
            SHALLOW_HINT,
        ) from None


def sync_tags(repo: GitRepo, tag_format: TagFormat, say: Callable[[str], None], *,
              always: bool) -> list[Tag]:
    """The checkout's release tags, after fetching those of origin it lacks, as semantic-release
    does, so a checkout cloned without tags never releases below a tag that exists on origin.

    `always` False asks origin only when the checkout has no release tag at all (a tag-less clone,
    or a project before its first release), so `relbot version` stays local in the usual case.
    """
    tags = matching_tags(repo, tag_format)
    if (tags and not always) or not repo.has_remote():
        return tags
    local = {tag.name for tag in tags}
    try:
        remote = repo.remote_tags()
    except GitError as exc:
        if not local:
            say(f"warning: this checkout has no release tag and origin cannot be asked for them "
                f"({exc.message}); if it was cloned without tags, run `git fetch --tags`")
        return tags
    missing = sorted(name for name in remote if name not in local and tag_format.parse(name))
    if not missing:
        return tags
    repo.fetch_tags(missing)
    say(f"fetched {len(missing)} release tag(s) from origin that this checkout lacked "
        f"({', '.join(missing[:3])}{', …' if len(missing) > 3 else ''})")
    return matching_tags(repo, tag_format)


def release_candidates_below(tags: Sequence[Tag], branch: Branch, tag: Tag) -> list[Tag]:
    """Candidates for the release before `tag`, highest first."""
    limit = semver.Version.parse(tag.version)
    return [t for t in release_candidates(tags, branch) if semver.Version.parse(t.version) < limit]


def unreleased_range(last: Tag | None, head: str) -> str:
    return f"{last.sha}..{head}" if last is not None else head


def read_unreleased(
    repo: GitRepo, head: str, tag_format: TagFormat, branch: Branch,
    parse: Callable[[RawCommit], T], tags: Sequence[Tag] | None = None,
) -> tuple[ReleaseTags, list[T]]:
    """The last release and the commits after it (newest first), each passed through `parse`.

    The usual case, where the highest candidate tag is reachable, costs one history walk: the
    range is streamed with `--boundary`, and the tag is reachable exactly when it is one of the
    boundary commits. Otherwise the candidates are checked one by one. `tags`: the release tags,
    when the caller has read them already.
    """
    tags = matching_tags(repo, tag_format) if tags is None else list(tags)
    candidates = release_candidates(tags, branch)
    if candidates:
        first = candidates[0]
        boundary: set[str] = set()
        commits = [] if first.sha == head else \
            [parse(raw) for raw in repo.log(f"{first.sha}..{head}", boundary=boundary)]
        if first.sha == head or first.sha in boundary:
            latest = first if not semver.Version.parse(first.version).prerelease else \
                _latest_plain(reachable_names(repo, tag_format, head), candidates[1:])
            return ReleaseTags(first, latest, tuple(tags)), commits
    found = find_last_release(repo, head, tag_format, branch)
    if found.last is not None and found.last.sha == head:
        return found, []
    return found, [parse(raw) for raw in repo.log(unreleased_range(found.last, head))]


def _latest_plain(reachable: set[str], candidates: Sequence[Tag]) -> Tag | None:
    for tag in candidates:
        if not semver.Version.parse(tag.version).prerelease and tag.name in reachable:
            return tag
    return None


def releases_in_order(tags: Sequence[Tag]) -> list[Tag]:
    return sorted(tags, key=lambda t: semver.Version.parse(t.version))
