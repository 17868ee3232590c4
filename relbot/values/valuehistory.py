"""The values files' git history, read as deploys: the deploy before the current one (a shallow
clone's history fetched first; a merge of the branch back into it followed), and whether a commit
or a push deployed the values now (`--of`). The search itself is `deploys.deploy_before`; this
module reads git for it."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

from relbot.errors import GitError, InputError
from relbot.gitrepo import GitRepo
from relbot.values.deploys import Deploy, Version, deploy_before
from relbot.values.edit import ValueRead, read_values
from relbot.values.plan import ValuesTarget


def read_target(target: ValuesTarget, text: str) -> tuple[ValueRead, ...]:
    """The values `target` names in `text`, as they are (InputError when the text lacks them)."""
    return read_values(text, target.edits, source=target.display, document=target.document,
                       create=target.create)


class OfCheck(NamedTuple):
    """What `--of` says: why nothing is rolled back (None: roll back), and the push's BEFORE."""

    skipped: str | None
    before: str | None = None


def not_of(repo: GitRepo, of: str | None, probes: Sequence[ValuesTarget], current: Deploy) -> OfCheck:
    """With --of COMMIT (or BEFORE..COMMIT, a push): why there is nothing of that commit's to roll
    back (it changed none of the values, compared with its first parent or BEFORE; they changed
    again since; or a rollback set them, which is never rolled back again)."""
    if of is None:
        return OfCheck(None)
    before, dots, last = of.rpartition("..")
    commit = repo.commit_of(last)
    if commit is None or not repo.is_ancestor(commit, "HEAD"):
        raise InputError(f"--of {of}: {last!r} is not a commit of HEAD's history",
                         "pass the deployed commit (GITHUB_SHA in the deploy workflow), or BEFORE..COMMIT")
    # a push's `before` (all zeros for a new branch; absent after a force push): else the parent
    named = before if dots and before.strip("0") else ""
    found = repo.commit_of(named) if named else None
    if named and found is None and not re.fullmatch(r"[0-9a-f]{40}", named):
        raise InputError(f"--of {of}: {before!r} is not a commit", "pass BEFORE..COMMIT with two commit "
                         "hashes (github.event.before..github.sha), or COMMIT alone")
    base = found or f"{commit}^"
    what = f"{found[:7]}..{commit[:7]}" if found else commit[:7]
    set_there = state_at(repo, commit, probes)
    if set_there == state_at(repo, base, probes):
        return OfCheck(f"{what} changed none of the values, so there is nothing of it to roll back")
    if set_there != current.state:
        return OfCheck(f"the values now are not those {what} set (a later commit changed them), so it "
                       "is not rolled back")
    if is_rollback(repo, current.commit):
        return OfCheck(f"the values now were set by a rollback ({current.commit[:7]}), and --of never "
                       "rolls a rollback back: a person decides what runs next")
    return OfCheck(None, found)


def is_rollback(repo: GitRepo, commit: str) -> bool:
    """Whether `commit` is relbot's rollback or release-set commit, or the merge of its pull request."""
    return bool(repo.trailer_values(commit, "Rollback-of", "Release-set")) or bool(
        re.match(r"Merge pull request #\d+ from \S+/relbot/rollback/", repo.subject(commit)))


def deploy_at(repo: GitRepo, revision: str, probes: Sequence[ValuesTarget], current: Deploy) -> Deploy | None:
    """The values at `revision`, laid out as `current` has them; None when they are not."""
    try:
        texts = [repo.file_at(revision, t.path) for t in probes]
        reads = tuple(read_target(t, text) for t, text in zip(probes, texts, strict=True) if text is not None)
    except InputError:
        return None
    deploy = Deploy(revision, reads)
    if len(reads) != len(probes) or deploy.layout != current.layout or any(None in v for v in deploy.state):
        return None
    return deploy


def state_at(repo: GitRepo, revision: str, probes: Sequence[ValuesTarget]) -> object:
    """The named values at `revision`; None where they cannot be read (no such commit or file)."""
    try:
        return tuple(tuple(r.value for r in read_target(t, text)) if (text := repo.file_at(revision, t.path))
                     is not None else None for t in probes)
    except InputError:
        return None


def find_deploy_before(repo: GitRepo, head: str, targets: Sequence[ValuesTarget], current: Deploy,
                       branch: str | None, say: Callable[[str], None]) -> tuple[Deploy, Deploy]:
    """(the values now with the first commit that had them, the deploy before them); raises
    NoEarlierValues when the history has none."""
    if repo.is_shallow():
        if not repo.has_remote():
            raise GitError(f"{repo.root} is a shallow clone with no `origin` to fetch the values' "
                           "history from", "clone with the full history (fetch-depth: 0)")
        repo.fetch_history(head, branch)
        say("shallow clone: fetched the full history from origin")
    line: str | None = head
    while line is not None:  # HEAD's first-parent line, then perhaps a merge's second parent's
        versions = read_versions(repo, line, targets)
        history, found, stop = deploy_before(versions, version_reader(targets, current))
        if history and history[-1].state == current.state:
            current = current._replace(commit=history[-1].commit)
        line = _merged_back(repo, branch, targets, current) if line == head else None
        if line is not None:
            say(f"{current.commit[:7]} merged {branch} back into {branch}'s line: reading {branch}'s "
                "history from the merge's second parent")
    if found is not None:
        say(f"rolling back from the values of {current.commit[:7]} to those of {found.commit[:7]} "
            "(the deploy before)")
        return current, found
    names = ", ".join(dict.fromkeys(t.display for t in targets))
    if stop is None and versions:  # read to the file's first version
        stop = f"{names} first appears at {versions[-1].commit[:7]} (a rename is not followed)"
    values = ", ".join(f"{r.path} {r.value}" for reads in current.values for r in reads)
    raise NoEarlierValues(f"{names}: the history holds no earlier values than the current ones ({values}, "
                          f"since {current.commit[:7]}); it stops there: {stop}",
                          "roll back to a release with --to VERSION, or set the values with bump-values",
                          current)


# git's message for a merge of BRANCH (or origin/BRANCH): `git merge main` on another branch, or
# `git pull` on BRANCH itself ("Merge branch 'main' of <url>")
_MERGED = re.compile(r"^Merge (?:remote-tracking )?branch '(?:origin/)?(?P<merged>[^']+)'"
                     r"(?: of \S+)?(?: into \S+)?$")


def _merged_back(repo: GitRepo, branch: str | None, targets: Sequence[ValuesTarget],
                 current: Deploy) -> str | None:
    """When the values now came in with a merge that brought `branch` itself in (main merged into a
    branch pushed as main, or a `git pull` that merged origin's main into local commits), the
    merge's second parent, where `branch`'s own deploys are; None otherwise (a merged pull
    request's first parent is the branch's line)."""
    side = f"{current.commit}^2"
    if branch is None or repo.commit_of(side) is None:
        return None
    found = _MERGED.match(repo.subject(current.commit))
    if found is None or found["merged"] != branch:
        return None
    return side if state_at(repo, side, targets) == current.state else None


class NoEarlierValues(InputError):  # noqa: N818 - what the history says, not a failure of relbot's
    """The values files' history has nothing before the current values."""

    def __init__(self, message: str, hint: str, current: Deploy) -> None:
        super().__init__(message, hint)
        self.current = current


def read_versions(repo: GitRepo, head: str, targets: Sequence[ValuesTarget]) -> list[Version]:
    """The values files at each first-parent commit that changed one of them, newest first (one
    `git log` and one `git cat-file --batch`)."""
    paths = list(dict.fromkeys(t.path for t in targets))
    commits = repo.path_history(head, paths)
    blobs = repo.blobs_at([(commit, path) for commit in commits for path in paths])
    return [Version(commit, tuple(blobs[index * len(paths) : (index + 1) * len(paths)]))
            for index, commit in enumerate(commits)]


def version_reader(targets: Sequence[ValuesTarget], current: Deploy) -> Callable[[Version], Deploy | str]:
    """Reads a version's values for `deploy_before`: those `targets` name, laid out as in `current`."""
    paths = list(dict.fromkeys(t.path for t in targets))

    def read(version: Version) -> Deploy | str:
        """The values at a version, or why they cannot be set back (a sentence)."""
        short = version.commit[:7]
        blobs = dict(zip(paths, version.files, strict=True))
        missing = next((path for path, blob in blobs.items() if blob is None), None)
        if missing is not None:
            return f"{short} has no {missing}"
        texts = {path: blob[1] for path, blob in blobs.items() if blob is not None}
        try:
            deploy = Deploy(version.commit, tuple(read_target(t, texts[t.path].decode("utf-8"))
                                                  for t in targets))
        except UnicodeDecodeError:
            return f"{short} has a values file that is not UTF-8"
        except InputError as exc:
            return f"at {short}, {exc.message}"
        if deploy.layout != current.layout or any(None in values for values in deploy.state):
            return f"before {short} the values were in other places, or not set"
        return deploy

    return read


__all__ = ["NoEarlierValues", "OfCheck", "deploy_at", "find_deploy_before", "is_rollback", "not_of",
           "read_target", "read_versions", "state_at", "version_reader"]
