"""Side effects as frozen step values, and the one executor that walks them.

Both products plan their work as a tuple of steps. Every step kind answers four questions:
`describe()` (the line the dry run shows), `is_done(session)` (is its effect already there, so a
rerun skips it), `check(session)` (would it be refused, asked before the first write of the real
run and in the dry run alike) and `run(session)`. The dry run renders the plan with the steps
already done marked; the real run executes the others; a rerun after a failure is the same plan
with more steps done. What happened (`steps_done`, the commit, the release URL, whether a change
landed) is recorded on the Session by the steps that did it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, NamedTuple, Protocol

from relbot import fsio, gitauth
from relbot.errors import GitError, RelbotError
from relbot.gitrepo import GitRepo


@dataclass
class Session:
    """What the steps act on, and what they report back (filled in by the steps that ran)."""

    root: Path  # file paths of the steps are relative to it
    repo: GitRepo | None  # None: editing files outside any repository (no git step then)
    env: Mapping[str, str]
    say: Callable[[str], None] = lambda _m: None
    on_step: Callable[[str], None] = lambda _k: None
    sleep: Callable[[float], None] = time.sleep
    strict: bool = True  # check credentials; False only for a dry run outside CI without --strict
    start_head: str | None = None
    commit_sha: str | None = None
    release_url: str | None = None
    pull_request_url: str | None = None
    pushed: bool = False
    attempts: int = 0
    not_landed: str | None = None  # why a planned change did not land (origin already had it)
    needs: list[str] = field(default_factory=list)  # credentials the real run needs
    replanned: tuple[object, ...] | None = None  # a step's new account of the changes (after a retry)
    memo: dict[str, object] = field(default_factory=dict)  # what a step read once, for its later calls

    @property
    def git(self) -> GitRepo:
        """The repository, for the steps that need one (planning adds them only in a clone)."""
        if self.repo is None:
            raise GitError(f"{self.root} is not inside a git repository",
                           "run in a clone, or drop --commit/--push")
        return self.repo

    @property
    def identity(self) -> dict[str, str]:
        return gitauth.identity_env(self.env)

    def check_credentials(self, need: str, check: Callable[[], None]) -> None:
        """Run a check that needs credentials: strict, it fails like the real run; otherwise a
        failure for want of credentials is recorded as what the real run needs."""
        try:
            check()
        except RelbotError as exc:
            if self.strict or not exc.credentials:
                raise
            if need not in self.needs:
                self.needs.append(need)


class Step(Protocol):
    """One side effect of a plan."""

    kind: ClassVar[str]

    def describe(self) -> str: ...

    def is_done(self, session: Session) -> bool: ...

    def check(self, session: Session) -> None: ...

    def run(self, session: Session) -> None: ...


def text_diff(old: str, new: str, path: str) -> str:
    """A unified diff (3 lines of context) that shows only the lines that changed. difflib's own
    `unified_diff` takes a line repeated in more than 1% of a file over 200 lines as junk, and then
    shows unchanged lines of a values file (`cpu: "500m"`) as removed and added again."""
    import difflib  # noqa: PLC0415 - start-up guard: only dry runs and --json show diffs

    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    out: list[str] = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(3):
        if not out:
            out += [f"--- a/{path}\n", f"+++ b/{path}\n"]
        out.append(f"@@ -{_hunk_range(group[0][1], group[-1][2])} "
                   f"+{_hunk_range(group[0][3], group[-1][4])} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [" " + line for line in a[i1:i2]]
            else:
                out += ["-" + line for line in a[i1:i2]]
                out += ["+" + line for line in b[j1:j2]]
    return "".join(out)


def _hunk_range(start: int, stop: int) -> str:
    """`start,length` of a hunk, 1-based, as unified diffs write it (`n` alone for one line)."""
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start + 1 if length else start},{length}"


@dataclass(frozen=True)
class WriteFile:
    """Replace the text of a file (relative to the repository root, or absolute)."""

    kind: ClassVar[str] = "write"
    path: str
    old: str
    new: str

    def describe(self) -> str:
        return f"write {self.path}"

    @property
    def diff(self) -> str:
        return text_diff(self.old, self.new, self.path)

    def is_done(self, session: Session) -> bool:
        target = session.root / self.path
        return target.exists() and fsio.read_text(target) == self.new

    def check(self, session: Session) -> None:
        del session

    def run(self, session: Session) -> None:
        fsio.write_atomic(session.root / self.path, self.new)


@dataclass(frozen=True)
class Commit:
    """Commit exactly the planned files, with their planned text."""

    kind: ClassVar[str] = "commit"
    files: tuple[WriteFile, ...]
    message: str

    def describe(self) -> str:
        return f"commit {', '.join(f.path for f in self.files)}: {self.message.splitlines()[0]}"

    def is_done(self, session: Session) -> bool:
        return all(session.git.file_at("HEAD", f.path) == f.new for f in self.files)

    def check(self, session: Session) -> None:
        reason = session.git.can_commit(session.identity)
        if reason is not None:
            raise GitError(f"git cannot commit here: it does not know who commits ({reason})",
                           "set user.name and user.email (git config), or GIT_AUTHOR_NAME, "
                           "GIT_AUTHOR_EMAIL, GIT_COMMITTER_NAME and GIT_COMMITTER_EMAIL")

    def run(self, session: Session) -> None:
        sha = session.git.commit_paths([f.path for f in self.files], self.message, session.identity)
        session.commit_sha = sha
        session.say(f"committed {sha[:7]}: {self.message.splitlines()[0]}")


class Progress(NamedTuple):
    """Which steps of a plan were already done when it was made (the dry run shows this)."""

    steps: tuple[Step, ...]
    done: tuple[bool, ...]

    @property
    def remaining(self) -> tuple[Step, ...]:
        return tuple(step for step, done in zip(self.steps, self.done, strict=True) if not done)

    @property
    def finished(self) -> bool:
        return all(self.done)

    def completed(self) -> Progress:
        """The same steps after a run that finished: every one done."""
        return Progress(self.steps, tuple(True for _ in self.steps))


def assess(steps: Sequence[Step], session: Session) -> Progress:
    """Ask every step whether its effect is already there."""
    return Progress(tuple(steps), tuple(step.is_done(session) for step in steps))


def preflight(progress: Progress, session: Session) -> list[RelbotError]:
    """Every reason a remaining step would be refused, in plan order (empty: none is known)."""
    problems: list[RelbotError] = []
    for step in progress.remaining:
        try:
            step.check(session)
        except RelbotError as exc:
            problems.append(exc)
    return problems


def execute(steps: Sequence[Step], session: Session) -> tuple[str, ...]:
    """Run every step whose effect is not there yet; returns the descriptions of those that ran."""
    ran: list[str] = []
    for step in steps:
        if step.is_done(session):
            continue
        try:
            step.run(session)
        except RelbotError as exc:
            exc.steps_done = tuple(ran)
            raise
        ran.append(step.describe())
        session.on_step(step.kind)
    return tuple(ran)


def render_steps(progress: Progress) -> list[str]:
    """The numbered step lines of a dry run, with the steps already done marked."""
    return [f"  {index}. {step.describe()}" + (" (already done)" if done else "")
            for index, (step, done) in enumerate(zip(progress.steps, progress.done, strict=True), 1)]


def steps_json(progress: Progress) -> list[dict[str, object]]:
    return [{"kind": step.kind, "step": step.describe(), "done": done}
            for step, done in zip(progress.steps, progress.done, strict=True)]
