"""Where the last release is and which commits came after it, on a real repository.

Finds the highest release tag reachable from HEAD: the candidate tags come from one
`for-each-ref`, and which of them HEAD reaches from one `for-each-ref --merged` (a single history
walk, however many tags there are); deepens a shallow clone just far enough to see it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, NamedTuple, Protocol, TypeVar

import semver

from relbot.errors import GitError
from relbot.gitoutcome import RemoteError, RemoteStatus
from relbot.gitrepo import GitRepo, records
from relbot.model import Branch, RawCommit, Tag, TagRef
from relbot.release.versioning import precedence, release_candidates
from relbot.tags import TagFormat, release_tags

T = TypeVar("T")
_SINCE_TRIES = 3  # release tags tried as the last one before fetching all of the history
SHALLOW_HINT = (
    "fetch the full history: with actions/checkout set `fetch-depth: 0`; elsewhere run "
    "`git fetch --unshallow --tags`"
)


class ReleaseTags(NamedTuple):
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
    repo: GitRepo, head: str, tag_format: TagFormat, branch: Branch,
    tags: Sequence[Tag] | None = None, reachable: set[str] | None = None,
) -> ReleaseTags:
    """The highest release tag of `branch` that `head` reaches (and the highest plain release),
    from one `for-each-ref --merged`; `tags`: the release tags, and `reachable` the names of the
    tags `head` reaches, when the caller has them."""
    tags = matching_tags(repo, tag_format) if tags is None else list(tags)
    if reachable is None:
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
    say: Callable[[str], None], *, whole: bool = False,
) -> bool:
    """Make a shallow clone deep enough to see the last release (`whole`: all of HEAD's history
    and its release tags), or fail with the exact fix. True when it was shallow, so origin's tags
    have been consulted.

    Origin's release tags are listed with one `ls-remote`; then only HEAD's history since the
    highest of them is fetched (`--shallow-exclude` of that tag, then `--deepen=1` for the tag's own
    commit), and only the release tags whose commits that history holds. When that tag is not
    HEAD's (a release of another branch), the next one is tried; after `_SINCE_TRIES`, or when the
    server cannot exclude, HEAD's whole history is fetched (`--unshallow`): never more than the full
    fetch this replaces, and usually a small part of it. Every fetch carries the run's credentials
    (the token from the environment), like the push.
    """
    if not repo.is_shallow():
        return False
    if not repo.has_remote("origin"):
        raise GitError(
            f"{repo.root} is a shallow clone with no `origin` remote to fetch the history from; "
            "the version would be computed from a truncated history",
            SHALLOW_HINT,
        )
    try:
        _fetch_enough(repo, head, tag_format, branch, say, whole=whole)
    except GitError as exc:
        raise GitError(
            f"{repo.root} is a shallow clone and fetching its history from origin failed: "
            f"{exc.message}",
            exc.hint if isinstance(exc, RemoteError) and
            exc.result.status in (RemoteStatus.AUTH, RemoteStatus.UNREACHABLE) else SHALLOW_HINT,
        ) from None
    return True


def _fetch_enough(repo: GitRepo, head: str, tag_format: TagFormat, branch: Branch,
                  say: Callable[[str], None], *, whole: bool) -> None:
    remote = [TagRef(name, sha, "") for name, sha in repo.remote_tags().items()]
    candidates = release_candidates(release_tags(remote, tag_format), branch)

    def reached() -> Tag | None:
        _fetch_present_tags(repo, candidates)
        found = find_last_release(repo, head, tag_format, branch).last
        return found if found is not None and not repo.cut_by_shallow(head, found.sha) else None

    found = None if whole else reached()
    for tag in candidates[:_SINCE_TRIES] if found is None and not whole else ():
        if _fetch_since(repo, head, tag):  # refused (this tag, or exclusion at all): the next
            found = reached()
        if found is not None:
            break
    if found is not None and found.sha == head:
        # a release tagged at HEAD (a rerun finishing it): its notes start at the release before
        below = release_candidates_below(candidates, branch, found)
        found = _reach_below(repo, head, tag_format, below, reached) if below else found
    if found is not None:
        say(f"shallow clone: fetched the history since the last release {found.name} from origin")
        return
    if repo.cut_by_shallow(head):
        repo.fetch_history(head, branch.name)
    found = reached()
    say("shallow clone: fetched the full history from origin"
        + (" (no earlier release tag)" if found is None else ""))


def _reach_below(repo: GitRepo, head: str, tag_format: TagFormat, below: Sequence[Tag],
                 reached: Callable[[], Tag | None]) -> Tag | None:
    """The release before the one at HEAD, with the history since it; None when a few tries do
    not reach it (the caller then fetches everything)."""
    for tag in below[:_SINCE_TRIES]:
        if _fetch_since(repo, head, tag):
            reached()  # fetches the tags whose commits arrived
        if tag.name in reachable_names(repo, tag_format, head) and not repo.cut_by_shallow(head, tag.sha):
            return tag
    return None


def _fetch_since(repo: GitRepo, head: str, tag: Tag) -> bool:
    """Fetch HEAD's history that `tag` does not reach, and the tag's own commit; False when the
    server cannot (no `deepen-not`, or no fetching by commit id)."""
    try:
        repo.fetch(head, shallow_exclude=f"refs/tags/{tag.name}", no_fetch_head=True)
        repo.fetch(head, deepen=1, no_fetch_head=True)
    except RemoteError as exc:
        if exc.result.status is not RemoteStatus.OTHER:
            raise
        return False
    return True


def _fetch_present_tags(repo: GitRepo, candidates: Sequence[Tag]) -> None:
    """Fetch the release tags of origin whose commits are already here (no history comes along)."""
    local = {ref.name for ref in repo.tags("refs/tags/")}
    missing = [t for t in candidates if t.name not in local]
    present = repo.present_commits([t.sha for t in missing])
    names = [t.name for t in missing if t.sha in present]
    if names:
        repo.fetch_tags(names)


def sync_tags(repo: GitRepo, tag_format: TagFormat, say: Callable[[str], None]) -> list[Tag]:
    """The checkout's release tags, after fetching those of origin it lacks (one `ls-remote`,
    one fetch of just those), as semantic-release does, so a checkout cloned without tags, or a
    CI cache with old ones, never releases below a tag that exists on origin. When origin cannot
    be asked, the local tags decide (with a warning when there are none)."""
    tags = matching_tags(repo, tag_format)
    if not repo.has_remote():
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


def release_branch_versions(repo: GitRepo, tag_format: TagFormat, names: Sequence[str],
                            current: str, head: str) -> list[list[str] | None]:
    """The versions tagged on each release branch's history (`current` is HEAD), one
    `for-each-ref --merged` each; None for a branch this checkout has neither locally nor as
    `origin/<name>` (semantic-release skips the configured branches origin lacks)."""
    found: list[list[str] | None] = []
    for name in names:
        commit = head if name == current else repo.branch_commit(name)
        found.append(None if commit is None else
                     [t.version for t in matching_tags(repo, tag_format, merged=commit)])
    return found


def release_candidates_below(tags: Sequence[Tag], branch: Branch, tag: Tag) -> list[Tag]:
    """Candidates for the release before `tag`, highest first."""
    limit = semver.Version.parse(tag.version)
    return [t for t in release_candidates(tags, branch) if semver.Version.parse(t.version) < limit]


def unreleased_range(last: Tag | None, head: str) -> str:
    return f"{last.sha}..{head}" if last is not None else head


class BlockReader(Protocol):
    """What reads a range's `git log` blocks (`GitRepo.log_blocks`): it collects the hashes of the
    boundary commits in `boundary` and does what it likes with the others."""

    boundary: set[str]
    certain: bool  # the rest of the range cannot change what the reader answers

    def feed(self, block: str) -> None: ...


class Parsed(Generic[T]):
    """A BlockReader that keeps every commit of the range, newest first, through `parse`."""

    def __init__(self, parse: Callable[[RawCommit], T]) -> None:
        self.boundary: set[str] = set()
        self.certain = False
        self.commits: list[T] = []
        self._parse = parse

    def feed(self, block: str) -> None:
        self.commits.extend(map(self._parse, records(block, self.boundary)))


R = TypeVar("R", bound=BlockReader)


def read_unreleased(
    repo: GitRepo, head: str, tag_format: TagFormat, branch: Branch,
    reader: Callable[[], R], tags: Sequence[Tag] | None = None,
) -> tuple[ReleaseTags, R]:
    """The last release, and a `reader()` fed the commits after it (newest first).

    The usual case, where the highest candidate tag is HEAD's ancestor, costs one history walk:
    the range since that tag is read with `--boundary`, and the tag among the boundary commits
    proves it is HEAD's ancestor. Otherwise one `for-each-ref --merged` decides for every tag and
    the range since the last release is read. `tags`: the release tags, when the caller has them.
    """
    tags = matching_tags(repo, tag_format) if tags is None else list(tags)
    candidates = release_candidates(tags, branch)
    first = candidates[0] if candidates else None
    if first is not None and first.sha == head:
        return _ancestor_first(repo, tag_format, head, candidates, tags), reader()
    if first is not None:
        read = _read(repo, f"{first.sha}..{head}", reader(), ancestor=(first.sha, head))
        if first.sha in read.boundary:
            return _ancestor_first(repo, tag_format, head, candidates, tags), read
    found = find_last_release(repo, head, tag_format, branch, tags)
    if found.last is not None and found.last.sha == head:
        return found, reader()
    return found, _read(repo, unreleased_range(found.last, head), reader())


def _read(repo: GitRepo, revision_range: str, reader: R, *,
          ancestor: tuple[str, str] | None = None) -> R:
    """Feed the range to `reader`. `ancestor`: (tag, HEAD) when the range runs from a tag not yet
    known to be HEAD's ancestor; it is read with `--boundary` so that the tag among the boundary
    commits proves it.

    Once the reader is certain, git is stopped: at once when the range's base is known to be
    HEAD's (no `ancestor`); with `ancestor`, when the repository has a commit-graph, which makes
    `merge-base --is-ancestor` cheap (the tag is then added to the boundary as git would have
    printed it); without one that question costs a walk of the range, so the rest of git's output
    is read instead (the reader only looks for the boundary).
    """
    blocks = repo.log_blocks(revision_range, boundary=ancestor is not None)
    for block in blocks:
        reader.feed(block)
        if reader.certain and (ancestor is None or repo.has_commit_graph()):
            blocks.close()  # stops git
            if ancestor is not None and repo.is_ancestor(*ancestor):
                reader.boundary.add(ancestor[0])
            break
    return reader


def _ancestor_first(repo: GitRepo, tag_format: TagFormat, head: str, candidates: Sequence[Tag],
                    tags: Sequence[Tag]) -> ReleaseTags:
    """The release tags when the highest candidate is HEAD's or its ancestor."""
    first = candidates[0]
    latest = first if not semver.Version.parse(first.version).prerelease else \
        _latest_plain(reachable_names(repo, tag_format, head), candidates[1:])
    return ReleaseTags(first, latest, tuple(tags))


def _latest_plain(reachable: set[str], candidates: Sequence[Tag]) -> Tag | None:
    for tag in candidates:
        if not semver.Version.parse(tag.version).prerelease and tag.name in reachable:
            return tag
    return None


def releases_in_order(tags: Sequence[Tag]) -> list[Tag]:
    return sorted(tags, key=lambda t: precedence(semver.Version.parse(t.version)))
