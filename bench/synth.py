"""Synthetic git repositories built with `git fast-import`, cached by their parameters.

Everything that goes into a repository is pinned: a seeded random generator, a fixed
author, dates that start at 2021-01-01 and step forward by seeded amounts, and file
contents drawn from a small pool of blobs. The same RepoSpec therefore always yields the
same commit ids, and a finished build is reused from `bench/.cache/repos/<key>/`.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from messages import ReleaseType, apply_bump, interval, release_bumps

GENERATOR_VERSION = 2
IDENT = "Bench Bot <bench@example.invalid>"
START_EPOCH = 1609459200  # 2021-01-01T00:00:00Z
FILE_COUNT = 500
FILES_PER_DIR = 25  # small trees keep fast-import fast
BLOB_COUNT = 64


@dataclass(frozen=True)
class RepoSpec:
    """What to build: `released` commits carrying `tags` release tags, then a tail."""

    name: str
    released: int
    tags: int
    unreleased: int
    tail_bump: ReleaseType
    seed: int = 20210101

    @property
    def key(self) -> str:
        """A directory name that changes whenever any parameter changes."""
        parts = (self.name, self.released, self.tags, self.unreleased, self.tail_bump.value)
        return "-".join(str(part) for part in parts) + f"-s{self.seed}-g{GENERATOR_VERSION}"


@dataclass(frozen=True)
class BuiltRepo:
    """A finished repository and what its history implies."""

    spec: RepoSpec
    path: Path
    last_tag: str
    expected: str
    commits: int


def git_env(cache: Path) -> dict[str, str]:
    """The environment for every git (and tool) run: no system or user git config."""
    empty = cache / "empty.gitconfig"
    empty.parent.mkdir(parents=True, exist_ok=True)
    empty.touch()
    env = dict(os.environ)
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=str(empty), GIT_TERMINAL_PROMPT="0")
    return env


def run_git(repo: Path, env: dict[str, str], *args: str) -> None:
    """Run one git command in repo, failing loudly."""
    subprocess.run(["git", "-C", str(repo), *args], env=env, check=True)


def tag_positions(spec: RepoSpec, rng: random.Random) -> list[int]:
    """1-based commit counts at which each tag sits; the last is exactly spec.released."""
    spacing = spec.released / spec.tags
    positions = []
    for index in range(1, spec.tags):
        jitter = rng.uniform(-spacing / 4, spacing / 4)
        positions.append(max(1, round(index * spacing + jitter)))
    positions.append(spec.released)
    return positions


def plan(spec: RepoSpec, rng: random.Random) -> list[tuple[int, ReleaseType, str | None]]:
    """The history as (commit count, bump, tag after them or None) intervals."""
    positions = tag_positions(spec, rng)
    bumps = [ReleaseType.MINOR, *release_bumps(rng, spec.tags - 1)]
    version = (1, 0, 0)
    intervals: list[tuple[int, ReleaseType, str | None]] = []
    previous = 0
    for index, (position, bump) in enumerate(zip(positions, bumps, strict=True)):
        if index:
            version = apply_bump(version, bump)
        intervals.append((position - previous, bump, "v{}.{}.{}".format(*version)))
        previous = position
    intervals.append((spec.unreleased, spec.tail_bump, None))
    return intervals


def blob_records() -> Iterator[str]:
    """The shared pool of small file contents, marks :1 … :BLOB_COUNT."""
    for index in range(BLOB_COUNT):
        content = "".join(f"VALUE_{line} = {index * 31 + line}\n" for line in range(8))
        yield f"blob\nmark :{index + 1}\ndata {len(content)}\n{content}\n"


def commit_record(number: int, mark: int, when: int, message: str) -> str:
    """One fast-import commit on main that changes one file to a pooled blob."""
    directory, file = divmod(number % FILE_COUNT, FILES_PER_DIR)
    path = f"src/pkg_{directory:02d}/module_{file:02d}.py"
    blob = (number // FILE_COUNT) % BLOB_COUNT + 1
    data = message.encode() + b"\n"
    return (
        f"commit refs/heads/main\nmark :{mark}\n"
        f"author {IDENT} {when} +0000\ncommitter {IDENT} {when} +0000\n"
        f"data {len(data)}\n{data.decode()}\nM 100644 :{blob} {path}\n\n"
    )


def stream(spec: RepoSpec) -> Iterator[str]:
    """The whole fast-import stream for spec, in pieces."""
    rng = random.Random(spec.seed)
    yield from blob_records()
    number, when = 0, START_EPOCH
    for count, bump, tag in plan(spec, rng):
        for message in interval(rng, count, bump) if count else ():
            when += rng.randint(30, 600)
            yield commit_record(number, BLOB_COUNT + number + 1, when, message)
            number += 1
        if tag is not None:
            yield f"reset refs/tags/{tag}\nfrom :{BLOB_COUNT + number}\n\n"
    yield "done\n"


def fast_import(work: Path, spec: RepoSpec, env: dict[str, str]) -> None:
    """Create work as a new repository and feed it the stream for spec."""
    run_git(work.parent, env, "init", "-q", "-b", "main", str(work))
    command = ["git", "-C", str(work), "fast-import", "--quiet", "--done"]
    with subprocess.Popen(command, stdin=subprocess.PIPE, env=env, bufsize=1 << 20) as proc:
        pipe: IO[bytes] | None = proc.stdin
        assert pipe is not None
        batch: list[str] = []
        for piece in stream(spec):
            batch.append(piece)
            if len(batch) >= 2000:
                pipe.write("".join(batch).encode())
                batch.clear()
        pipe.write("".join(batch).encode())
        pipe.close()
        if proc.wait() != 0:
            raise RuntimeError(f"git fast-import failed for {spec.key}")
    run_git(work, env, "reset", "-q", "--hard", "main")


def add_origin(final: Path, env: dict[str, str]) -> None:
    """A bare clone as `origin` (file URL), fetched so main tracks origin/main."""
    work, origin = final / "work", final / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(origin)], env=env, check=True)
    run_git(work, env, "remote", "add", "origin", origin.resolve().as_uri())
    run_git(work, env, "fetch", "-q", "origin")
    run_git(work, env, "branch", "-q", "--set-upstream-to=origin/main", "main")


def summarize(spec: RepoSpec) -> dict[str, str | int]:
    """Last tag, expected next version and commit count, recomputed from the plan."""
    intervals = plan(spec, random.Random(spec.seed))
    last_tag = next(tag for _, _, tag in reversed(intervals) if tag is not None)
    major, minor, patch = (int(part) for part in last_tag[1:].split("."))
    expected = apply_bump((major, minor, patch), spec.tail_bump)
    commits = sum(count for count, _, _ in intervals)
    return {"last_tag": last_tag, "expected": "{}.{}.{}".format(*expected), "commits": commits}


def load(spec: RepoSpec, final: Path) -> BuiltRepo:
    """The BuiltRepo recorded in final/meta.json."""
    meta = json.loads((final / "meta.json").read_text())
    return BuiltRepo(
        spec=spec,
        path=final / "work",
        last_tag=str(meta["last_tag"]),
        expected=str(meta["expected"]),
        commits=int(meta["commits"]),
    )


def ensure(spec: RepoSpec, cache: Path) -> BuiltRepo:
    """The repository for spec, built on first use and reused after (meta.json marks done)."""
    final = cache / "repos" / spec.key
    if (final / "meta.json").exists():
        return load(spec, final)
    env = git_env(cache)
    staging = cache / "repos" / f"{spec.key}.tmp"
    for stale in (staging, final):
        shutil.rmtree(stale, ignore_errors=True)
    staging.mkdir(parents=True)
    fast_import(staging / "work", spec, env)
    staging.rename(final)
    add_origin(final, env)
    (final / "meta.json").write_text(json.dumps(summarize(spec), indent=2) + "\n")
    return load(spec, final)
