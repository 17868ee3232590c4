"""The deploys in the values files' git history, the one before the current deploy, and the text a
rollback writes about them. Pure: the commits' file contents in, deploys out; reading a version's
values is the caller's function.

A deploy is the set of named values at a commit. The history, oldest first, is a path of states;
a return to an earlier state (a rollback, a `git revert`, a redeploy of an older tag) erases the
loop it closes (chronological loop erasure), and the deploy before the current one is the step
before the last on what is left.

Reading every version of a long-lived values file costs milliseconds each, so versions are read
newest first and only as far as the answer needs: once the newest ones give a line of two deploys
or more, an older version can change the answer only if it holds one of their states, and a
version whose text lacks one of a state's values cannot hold it. So older versions are searched
by their bytes (a value such as `1.4.2` or `ghcr.io/acme/api:1.4.2` is written as it reads) and
read only where a state may be; values that YAML may write otherwise (quotes, escapes, spaces)
are always read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from relbot.values.edit import ValueRead
from relbot.values.images import parse_reference

if TYPE_CHECKING:
    from relbot.values.plan import FileOutcome

_VERBATIM = re.compile(r"[A-Za-z0-9._:/@+=-]+")  # written as is wherever YAML holds it


class Deploy(NamedTuple):
    """The named values at one point of the history."""

    commit: str  # the first commit that had these values; for --to, the release tag's name
    values: tuple[tuple[ValueRead, ...], ...]  # one tuple per values target, in target order

    @property
    def state(self) -> tuple[tuple[str | None, ...], ...]:
        return tuple(tuple(read.value for read in reads) for reads in self.values)

    @property
    def layout(self) -> tuple[tuple[tuple[int, tuple[object, ...]], ...], ...]:
        return tuple(tuple((read.document, read.parts) for read in reads) for reads in self.values)


class Version(NamedTuple):
    """The values files at one commit: each file's blob id and bytes, None where it is missing."""

    commit: str
    files: tuple[tuple[str, bytes] | None, ...]


# a version's deploy, or why the history cannot go back past it (a sentence)
Reader = Callable[[Version], "Deploy | str"]


class Found(NamedTuple):
    history: list[Deploy]  # the deploys read, oldest first; a run of equal values as its first commit
    before: Deploy | None  # the deploy before the current one; None when there is none
    stop: str | None  # why the history ends early, when it was read to its end that way


def previous_deploy(history: Sequence[Deploy]) -> Deploy | None:
    """The deploy before the last one of `history` (oldest first) once returns to an earlier state
    are erased as loops; None when the current values have no earlier deploy."""
    line = _loop_erased(history)
    return line[-2] if len(line) > 1 else None


def _loop_erased(history: Sequence[Deploy]) -> list[Deploy]:
    line: list[Deploy] = []
    where: dict[object, int] = {}
    for deploy in history:
        at = where.get(deploy.state)
        if at is None:
            where[deploy.state] = len(line)
            line.append(deploy)
            continue
        for dropped in line[at + 1 :]:
            del where[dropped.state]
        del line[at + 1 :]
    return line


def deploy_before(versions: Sequence[Version], read: Reader) -> Found:
    """The deploy before the current one in `versions` (newest first, the current one first),
    reading as few versions as the answer needs (see the module's docstring)."""
    window = _Window(versions, read)
    window.grow(0)
    while True:
        history = window.history()
        line = _loop_erased(history)
        if window.ended:
            return Found(history, line[-2] if len(line) > 1 else None, window.stop)
        if len(line) < 2:
            window.grow(len(window.deploys))
            continue
        older = window.older_holding({deploy.state for deploy in history})
        if older is None:
            return Found(history, line[-2], None)
        window.grow(older)


class _Window:
    """The newest versions, read; the older ones read on demand (each distinct set of blobs once)."""

    def __init__(self, versions: Sequence[Version], read: Reader) -> None:
        self.versions = versions
        self.read = read
        self.deploys: list[Deploy] = []  # newest first, versions[0 : len]
        self.ended = False  # the window holds every version the history can go back to
        self.stop: str | None = None
        self._cache: dict[tuple[str | None, ...], Deploy | str] = {}

    def at(self, index: int) -> Deploy | str:
        version = self.versions[index]
        key = tuple(blob[0] if blob else None for blob in version.files)
        if key not in self._cache:
            self._cache[key] = self.read(version)
        found = self._cache[key]
        return found if isinstance(found, str) else found._replace(commit=version.commit)

    def grow(self, to: int) -> None:
        """Read the versions up to index `to`; at an unreadable one the history ends there."""
        while not self.ended and len(self.deploys) <= to:
            if len(self.deploys) == len(self.versions):
                self.ended = True
                return
            found = self.at(len(self.deploys))
            if isinstance(found, str):
                self.ended, self.stop = True, found
                return
            self.deploys.append(found)

    def history(self) -> list[Deploy]:
        runs: list[Deploy] = []
        for deploy in reversed(self.deploys):
            if not runs or runs[-1].state != deploy.state:
                runs.append(deploy)
        return runs

    def older_holding(self, states: set[tuple[tuple[str | None, ...], ...]]) -> int | None:
        """The newest version older than the window that holds one of `states`; None when none
        does, or an unreadable version ends the history first."""
        needles = [_needles(state) for state in states]  # once, not once a version
        for index in range(len(self.deploys), len(self.versions)):
            if not _may_hold(self.versions[index], needles):
                continue
            found = self.at(index)
            if isinstance(found, str):
                return None
            if found.state in states:
                return index
        return None


def _needles(state: tuple[tuple[str | None, ...], ...]) -> tuple[bytes, ...]:
    """A state's values that YAML writes as they read (quotes, escapes or spaces may not be)."""
    return tuple(value.encode() for values in state for value in values
                 if value is not None and _VERBATIM.fullmatch(value))


def _may_hold(version: Version, needles: Sequence[tuple[bytes, ...]]) -> bool:
    """False only when the version's text cannot hold any of the states whose `needles` are given:
    each lacks one of its values written as is. A missing file counts as may (it is read, to end
    the history there)."""
    if any(blob is None for blob in version.files):
        return True
    text = b"\0".join(blob[1] for blob in version.files if blob is not None)
    return any(all(needle in text for needle in state) for state in needles)


def shown(value: str | None) -> str:
    """A value as a person names the version in it: an image reference's tag, else the value."""
    ref = parse_reference(value or "")
    if ref is not None and ref.tag:
        return ref.tag
    return value if value is not None else "(not set)"


def summary(deploy: Deploy) -> str:
    """The version a deploy's values name: one tag when they agree, else each value's,
    comma-separated."""
    return ", ".join(dict.fromkeys(shown(read.value) for reads in deploy.values for read in reads))


def rollback_message(current: Deploy, target: Deploy, release: str | None, reason: str | None,
                     outcomes: Sequence[FileOutcome]) -> str:
    """The commit message: what is rolled back, from what to what, and why."""
    changes = [(o.path, c) for o in outcomes for c in o.changes if c.changed]
    files = list(dict.fromkeys(path for path, _ in changes)) or [o.path for o in outcomes]
    names = " and ".join(files) if len(files) <= 2 else f"{len(files)} values files"
    olds = {shown(c.old) for _, c in changes}
    news = {shown(c.new) for _, c in changes}
    since = f" from {olds.pop()}" if len(olds) == 1 else ""
    if release:  # --to goes either way: it sets a release
        subject = f"chore: set {names} to release {release}" + (f" ({since.strip()})" if since else "")
    else:
        to = news.pop() if len(news) == 1 else f"the values of {target.commit[:7]}"
        subject = f"chore: roll back {names}{since} to {to}"
    body = [f"Reason: {reason.strip()}" if reason and reason.strip() else "Reason: not given (--reason)"]
    body += ["", *(f"- {path}: {c.path} {c.old} → {c.new}" for path, c in changes)]
    if release:  # a chosen release, not an automatic step back: a deploy of it may be rolled back
        trailers = [f"Release-set: {target.commit}", f"Release-set-over: {current.commit}"]
    else:
        trailers = [f"Rollback-of: {current.commit}", f"Rollback-to: {target.commit} (the deploy before)"]
    return "\n".join([subject, "", *body, "", *trailers]) + "\n"
