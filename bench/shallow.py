"""Time `relbot version` in a shallow CI checkout against the full fetch it replaces.

Usage: python bench/shallow.py <repository> [--branch B] [--release-back N] [--old DIR] [--runs R]

<repository> is any local clone of a real project (for instance `git clone --mirror` of it). Each
run clones it over file:// the way actions/checkout does (`--depth 1 --no-tags`, one branch),
then times, each on a fresh clone, one after the other:

- `git fetch --unshallow --tags origin`: the full fetch that shallow CI set-ups run by hand
  (the floor relbot must never be slower than);
- `python -c pass`: the interpreter's start-up;
- `python -m relbot version` from this checkout, and with `--old DIR` the same from another
  checkout of relbot (a `git worktree` of an older commit), for the before/after.

`--release-back N` first copies the repository and deletes the tags within the last N
first-parent commits of the branch, so the last release lies far from HEAD.
Prints a markdown table: median seconds, the ratio to the full fetch, the objects fetched.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                          check=True).stdout.strip()


def far_copy(source: Path, branch: str, back: int, work: Path) -> Path:
    """A mirror of `source` without the tags of the last `back` first-parent commits."""
    copy = work / "far.git"
    git("clone", "-q", "--mirror", str(source), str(copy))
    base = git("--git-dir", str(copy), "rev-list", "--first-parent", f"--skip={back}", "-1", branch)
    merged = set(git("--git-dir", str(copy), "tag", "--merged", base).split())
    doomed = [t for t in git("--git-dir", str(copy), "tag").split() if t not in merged]
    if doomed:
        git("--git-dir", str(copy), "tag", "-d", *doomed)
    return copy


def one_run(source: Path, branch: str, argv: list[str], env: dict[str, str],
            work: Path) -> tuple[float, int, str]:
    """(seconds, objects in the clone afterwards, last stdout line) for argv in a fresh clone."""
    clone = work / "clone"
    shutil.rmtree(clone, ignore_errors=True)
    git("clone", "-q", "--depth", "1", "--no-tags", "--branch", branch, source.resolve().as_uri(),
        str(clone))
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=clone, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr}")
    counts = dict(line.split(": ") for line in git("count-objects", "-v", cwd=clone).splitlines())
    objects = int(counts["count"]) + int(counts["in-pack"])
    lines = done.stdout.strip().splitlines()
    return seconds, objects, (lines[-1] if lines else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repository", type=Path)
    parser.add_argument("--branch", default=None, help="the release branch (default: HEAD's)")
    parser.add_argument("--release-back", type=int, default=0, help="drop the newest N commits' tags")
    parser.add_argument("--old", type=Path, help="another relbot checkout to compare with")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    source = args.repository.resolve()
    branch = args.branch or git("--git-dir", str(source / ".git") if (source / ".git").exists()
                                else str(source), "symbolic-ref", "--short", "HEAD")
    python = sys.executable
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GIT_"))}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0", PYTHONPATH=str(HERE.parent))
    rows = [("git fetch --unshallow --tags (full fetch)",
             ["git", "fetch", "-q", "--unshallow", "--tags", "origin"], env),
            ("python -c pass", [python, "-c", "pass"], env),
            ("relbot version", [python, "-m", "relbot", "version"], env)]
    if args.old:
        rows.append((f"relbot version ({args.old.name})", [python, "-m", "relbot", "version"],
                     {**env, "PYTHONPATH": str(args.old.resolve())}))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.release_back:
            source = far_copy(source, branch, args.release_back, work)
        times: dict[str, list[float]] = {name: [] for name, _, _ in rows}
        objects: dict[str, int] = {}
        answers: dict[str, str] = {}
        for _ in range(args.runs):  # interleaved, so drift hits every row alike
            for name, argv, row_env in rows:
                seconds, count, answer = one_run(source, branch, argv, row_env, work)
                times[name].append(seconds)
                objects[name], answers[name] = count, answer
    full = statistics.median(times[rows[0][0]])
    print(f"{args.repository.name} ({branch}), last release {args.release_back or 'near'} "
          f"commits back, median of {args.runs}\n")
    print("| command | seconds | x full fetch | objects after | prints |")
    print("| --- | ---: | ---: | ---: | --- |")
    for name, _, _ in rows:
        median = statistics.median(times[name])
        print(f"| {name} | {median:.2f} | x{median / full:.2f} | {objects[name]} | {answers[name]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
