"""Seeded git histories for the differential test against semantic-release.

A `HistorySpec` is pure data: the steps of one small repository (commits, reverts, merges, tags,
branch switches), the branch to release from and the semantic-release options to use. `build()`
turns a spec into a real repository with pinned dates, a fixed identity, an isolated HOME and no
global or system git config. `generate_specs()` draws a few hundred specs from one seed.

Some commits are written so that semantic-release reads them differently from the Conventional
Commits 1.0 spec. Such a commit carries a `deviation` key and a `canonical` message: the message
that semantic-release reads the way the spec reads the original. `HistorySpec.canonical()` swaps
them in, so relbot on a history can be held to semantic-release on its canonical twin.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from .gitrun import GitRunner
from .messages import MessageMaker, bump_version

PRESET = "conventionalcommits"
PLUGINS: list[Any] = [
    ["@semantic-release/commit-analyzer", {"preset": PRESET}],
    ["@semantic-release/release-notes-generator", {"preset": PRESET}],
]
SEED = 20240601
# Commit n of a history is made at BASE_EPOCH + n hours (UTC).
BASE_EPOCH = 1_704_103_200  # 2024-01-01T10:00:00Z


@dataclass(frozen=True)
class Commit:
    """A commit adding one new file, so that any commit reverts cleanly."""

    message: str
    canonical: str | None = None  # the spec-equivalent message when semantic-release misreads it
    deviation: str | None = None  # which documented difference `message` exercises


RevertForm = Literal["git", "type", "github", "short"]
REVERT_VARIANTS: tuple[RevertForm, ...] = ("git", "github", "short")


@dataclass(frozen=True)
class Revert:
    """`git revert` of the commit at steps[target]: git's message, the `revert:` type form, GitHub's
    Revert button squash-merged (`Revert "<header>" (#N)`), or git's form naming a short hash."""

    target: int
    form: RevertForm


@dataclass(frozen=True)
class Tag:
    """A tag on HEAD, lightweight or annotated, with an optional semantic-release channel note."""

    name: str
    annotated: bool = False
    note: str | None = None  # the JSON that semantic-release stores in refs/notes/semantic-release-<tag>


@dataclass(frozen=True)
class Switch:
    branch: str
    create: bool = False


@dataclass(frozen=True)
class Merge:
    """`git merge --no-ff branch` with the given message."""

    branch: str
    message: str


Step = Commit | Revert | Tag | Switch | Merge


@dataclass(frozen=True)
class HistorySpec:
    name: str
    branch: str
    options_json: str
    steps: tuple[Step, ...]

    @property
    def options(self) -> dict[str, Any]:
        """A fresh copy of the semantic-release options (branches, tagFormat, plugins)."""
        value: dict[str, Any] = json.loads(self.options_json)
        return value

    @property
    def deviations(self) -> frozenset[str]:
        return frozenset(s.deviation for s in self.steps if isinstance(s, Commit) and s.deviation)

    def canonical(self) -> HistorySpec:
        """This history with every deviating message replaced by its spec-equivalent one."""
        steps = tuple(
            replace(s, message=s.canonical, canonical=None, deviation=None)
            if isinstance(s, Commit) and s.canonical is not None
            else s
            for s in self.steps
        )
        return replace(self, name=f"{self.name}-canonical", steps=steps)


def make_options(
    branch_specs: Sequence[str | dict[str, Any]],
    tag_format: str | None = None,
    repository_url: str | None = None,
    preset: str = PRESET,
    notes: dict[str, Any] | None = None,
) -> str:
    """semantic-release options as JSON: branches, plugins (with `preset`, and `notes` options for
    the notes generator), and tagFormat/repositoryUrl if given."""
    plugins = [["@semantic-release/commit-analyzer", {"preset": preset}],
               ["@semantic-release/release-notes-generator", {"preset": preset, **(notes or {})}]]
    options: dict[str, Any] = {"branches": list(branch_specs), "plugins": plugins}
    if tag_format is not None:
        options["tagFormat"] = tag_format
    if repository_url is not None:
        options["repositoryUrl"] = repository_url
    return json.dumps(options, sort_keys=True)


def build(spec: HistorySpec, directory: Path) -> Path:
    """Create the repository of `spec` under `directory` and return its path."""
    repo = directory / spec.name
    git = GitRunner(repo, directory / "home")
    git.init()
    shas: dict[int, str] = {}
    headers: dict[int, str] = {}
    targets = {s.target for s in spec.steps if isinstance(s, Revert)}
    for index, step in enumerate(spec.steps):
        git.clock = BASE_EPOCH + 3600 * index
        if isinstance(step, Commit):
            # Only a commit that is reverted later needs a change; the others stay empty (faster).
            path = f"changes/{index:03d}.txt" if index in targets else None
            git.commit(step.message, path)
            headers[index] = step.message.split("\n", 1)[0]
        elif isinstance(step, Revert):
            git.revert(shas[step.target], headers[step.target], step.form)
        elif isinstance(step, Tag):
            git.tag(step.name, step.annotated, step.note)
        elif isinstance(step, Switch):
            git.switch(step.branch, step.create)
        else:
            git.merge(step.branch, step.message)
        if index in targets:
            shas[index] = git.head()
    git.switch(spec.branch, create=False)
    return repo


# --- generation -----------------------------------------------------------------------------

KINDS: tuple[tuple[str, int], ...] = (
    ("fresh", 10),
    ("released", 45),
    ("tagformat", 15),
    ("prerelease", 22),
    ("prerelease-merged", 8),
)
START_VERSIONS = ("0.1.0", "0.4.2", "1.0.0", "1.3.7", "2.0.0", "3.11.0")
LEVELS = ("patch", "minor", "major")
RANGE_SIZES = (0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 8, 10, 12)  # commits after the last release


MAX_COMMITS = 25


class _Drawer:
    """Draws the steps of one history from one random generator, at most MAX_COMMITS commits."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.msg = MessageMaker(rng)
        self.steps: list[Step] = []
        self.budget = MAX_COMMITS
        self.branch = "main"
        self.reach: dict[str, set[int]] = {"main": set()}  # commit steps reachable from each branch
        self.reverted: set[int] = set()

    def commits(self, count: int) -> None:
        for _ in range(count):
            if self.budget <= 0:
                return
            roll = self.rng.random()
            candidates = sorted(self.reach[self.branch] - self.reverted)
            if roll < 0.08 and candidates:
                target = self.rng.choice(candidates)
                self.reverted.add(target)
                form: RevertForm = self.rng.choice(("git", "type"))
                if form == "git":  # the variant by the target, so the seeded draws stay the same
                    form = REVERT_VARIANTS[target % 3]
                self._add(Revert(target, form))
            elif roll < 0.13 and 4 <= self.budget < MAX_COMMITS:
                self._side_branch()
            else:
                self._add(Commit(*self.msg.commit()))

    def _add(self, step: Commit | Revert | Merge) -> None:
        self.budget -= 1
        if isinstance(step, Commit) and not step.message.lower().startswith("revert"):
            self.reach[self.branch].add(len(self.steps))
        self.steps.append(step)

    def switch(self, branch: str, create: bool = False) -> None:
        if create:
            self.reach[branch] = set(self.reach[self.branch])
        self.branch = branch
        self.steps.append(Switch(branch, create))

    def merge(self, branch: str, message: str) -> None:
        self.reach[self.branch] |= self.reach[branch]
        self._add(Merge(branch, message))

    def _side_branch(self) -> None:
        name = f"feature/topic-{len(self.reach)}"
        back = self.branch
        self.switch(name, create=True)
        for _ in range(self.rng.randint(1, min(3, self.budget - 1))):
            self._add(Commit(*self.msg.commit()))
        self.switch(back)
        for _ in range(self.rng.randint(0, min(2, self.budget - 1))):
            self._add(Commit(*self.msg.commit()))
        self.merge(name, self.msg.merge_message(name))

    def tag(self, name: str, note_channel: str | Literal[False] | None = False) -> None:
        if any(isinstance(s, Tag) and s.name == name for s in self.steps):
            return
        note = None if note_channel is False else json.dumps({"channels": [note_channel]})
        self.steps.append(Tag(name, annotated=self.rng.random() < 0.3, note=note))


def _released(d: _Drawer, fmt: str, decoy: str) -> str:
    """Commits with one to three releases tagged in `fmt`, odd tags now and then; returns version."""
    rng = d.rng
    version = rng.choice(START_VERSIONS)
    releases = rng.randint(1, 3)
    for number in range(releases):
        d.commits(rng.randint(1, 4))
        if number:
            version = bump_version(version, rng.choice(LEVELS))
        d.tag(fmt.format(version), None if rng.random() < 0.5 else False)
        if rng.random() < 0.06:
            d.tag(decoy.format(bump_version(version, "major")))
    if rng.random() < 0.05:
        d.commits(1)
        d.tag(fmt.format(bump_version(version, "minor") + "-rc.1"))  # a prerelease on a release branch
    if rng.random() < 0.05:
        d.commits(1)
        d.tag(fmt.format(version.rsplit(".", 1)[0]))  # not a semantic version: ignored
    major, minor, _ = version.split(".")
    if rng.random() < 0.05 and minor != "0":
        d.commits(1)
        d.tag(fmt.format(f"{major}.0.99"))  # a lower version tagged later (a backport): highest wins
    return version


def _prerelease(d: _Drawer, merged: bool) -> tuple[str, str]:
    rng = d.rng
    channel = "beta" if rng.random() < 0.75 else "alpha"
    if rng.random() < 0.85:
        version = _released(d, "v{}", "server-v{}")
    else:
        version = "0.0.0"  # no release yet on main
        d.commits(rng.randint(1, 3))
    d.switch(channel, create=True)
    d.commits(rng.randint(1, 5))
    if rng.random() < 0.7 and version != "0.0.0":
        base = bump_version(version, rng.choice(LEVELS))
        for number in range(1, rng.choice((2, 2, 3)) + 1):
            if number > 1:
                d.commits(rng.randint(1, 3))
            d.tag(f"v{base}-{channel}.{number}", channel)
        d.commits(rng.randint(0, 4))
    if rng.random() < 0.3 and version != "0.0.0":
        d.switch("main")
        d.commits(rng.randint(1, 2))
        if rng.random() < 0.5:
            d.tag(f"v{bump_version(version, 'patch')}", None)
        d.switch(channel)
    if not merged:
        return channel, channel
    d.switch("main")
    d.merge(channel, f"Merge branch '{channel}'")
    d.commits(rng.randint(0, 2))
    return channel, "main"


def draw_spec(seed: int, index: int) -> HistorySpec:
    """History number `index` of the set drawn from `seed`; each is reproducible on its own."""
    rng = random.Random(seed * 1_000_003 + index)  # noqa: S311 - reproducible, not secret
    kind = rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]
    d = _Drawer(rng)
    branch = "main"
    tag_format: str | None = None
    branch_specs: list[str | dict[str, Any]] = ["main"]
    if kind == "fresh":
        d.commits(rng.randint(1, 10))
    elif kind == "released":
        _released(d, "v{}", "server-v{}")
        d.commits(rng.choice(RANGE_SIZES))
    elif kind == "tagformat":
        tag_format = "server-v${version}"
        _released(d, "server-v{}", "v{}")
        d.commits(rng.choice(RANGE_SIZES[1:]))
    else:
        channel, branch = _prerelease(d, merged=kind == "prerelease-merged")
        branch_specs.append({"name": channel, "prerelease": True})
    options = make_options(branch_specs, tag_format)
    return HistorySpec(f"h{index:03d}-{kind}", branch, options, tuple(d.steps))


def generate_specs(seed: int = SEED, count: int = 300) -> list[HistorySpec]:
    return [draw_spec(seed, index) for index in range(count)]
