"""Benchmark: how long `relbot version` and its peers take to compute the next version on
two large synthetic repositories, against the floor of a plain `git log` of the unreleased
range.

    python bench/run.py                 # full: 300,000 and 100,050 commits
    python bench/run.py --quick         # smoke: 3,000 and 3,050 commits
    python bench/run.py --tools relbot,commitizen --timeout 60 --runs 5

Repositories and peer installs are cached under bench/.cache/; the table is printed and
written to bench/.cache/last-results.md; each tool's output is in bench/.cache/logs/.
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

from messages import ReleaseType
from peers import InstallError
from report import Column, render
from synth import BuiltRepo, RepoSpec, ensure, git_env
from timing import Outcome, measure
from tools import TOOLS, floor_argv, peer_versions

CACHE = Path(__file__).resolve().parent / ".cache"
FULL = (
    RepoSpec("big-history", released=299_850, tags=121, unreleased=150, tail_bump=ReleaseType.MINOR),
    RepoSpec("big-unreleased", released=50, tags=1, unreleased=100_000, tail_bump=ReleaseType.MAJOR),
)
QUICK = (
    RepoSpec("big-history", released=2_850, tags=121, unreleased=150, tail_bump=ReleaseType.MINOR),
    RepoSpec("big-unreleased", released=50, tags=1, unreleased=3_000, tail_bump=ReleaseType.MAJOR),
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    names = ",".join(tool.name for tool in TOOLS)
    parser = argparse.ArgumentParser(description="Time next-version computation by relbot and peers.")
    parser.add_argument("--quick", action="store_true", help="small repositories (smoke test)")
    parser.add_argument("--tools", default=names, help=f"comma-separated subset of: {names}")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per tool run")
    parser.add_argument("--runs", type=int, default=3, help="runs per cell (1 if a run > 20 s)")
    parser.add_argument("--cache", type=Path, default=CACHE, help="cache directory")
    args = parser.parse_args(argv)
    unknown = set(args.tools.split(",")) - {tool.name for tool in TOOLS}
    if unknown:
        parser.error(f"unknown tool(s): {', '.join(sorted(unknown))}; choose from {names}")
    return args


def progress(message: str) -> None:
    """A progress line on stderr, so stdout carries only the table."""
    print(message, file=sys.stderr, flush=True)


def build_repos(specs: tuple[RepoSpec, ...], cache: Path) -> list[BuiltRepo]:
    """Every repository, built on first use (timed) or taken from the cache."""
    repos = []
    for spec in specs:
        start = time.perf_counter()
        repos.append(ensure(spec, cache))
        progress(f"repo {spec.key}: ready in {time.perf_counter() - start:.1f} s")
    return repos


def prepare(names: list[str], cache: Path) -> dict[str, list[str] | Outcome]:
    """Each selected tool's argv, or an error outcome when its install failed."""
    prepared: dict[str, list[str] | Outcome] = {}
    for tool in TOOLS:
        if tool.name not in names:
            continue
        progress(f"preparing {tool.name} …")
        try:
            prepared[tool.name] = tool.prepare(cache)
        except InstallError as error:
            progress(f"  {error}")
            prepared[tool.name] = Outcome("error", log=error.log)
    return prepared


def bench_repo(repo: BuiltRepo, prepared: dict[str, list[str] | Outcome], args: argparse.Namespace) -> Column:
    """The floor and every prepared tool, timed on one repository."""
    env = git_env(args.cache) | {"NO_COLOR": "1", "TERM": "dumb"}
    logs = args.cache / "logs" / repo.spec.key
    limits = {"runs": args.runs, "timeout": args.timeout}
    floor_log = logs / "floor.log"
    floor = measure(floor_argv(repo.last_tag), repo.path, env, log=floor_log, parse=None, **limits)
    progress(f"{repo.spec.name}: floor {floor.status} {floor.seconds}")
    column = Column(repo, floor)
    parsers = {tool.name: tool.parse for tool in TOOLS}
    for name, argv in prepared.items():
        if isinstance(argv, Outcome):
            column.results[name] = argv
            continue
        log = logs / f"{name}.log"
        outcome = measure(argv, repo.path, env, log=log, parse=parsers[name], **limits)
        column.results[name] = outcome
        progress(f"{repo.spec.name}: {name} {outcome.status} {outcome.seconds} {outcome.version}")
    return column


def command_output(argv: list[str]) -> str:
    """First line of a version command's output, or '?'."""
    try:
        result = subprocess.run(argv, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return result.stdout.strip().splitlines()[0] if result.stdout.strip() else "?"


def context(args: argparse.Namespace, names: list[str]) -> list[str]:
    """Lines on how, where and with what the numbers were taken."""
    versions = peer_versions(args.cache, names).items()
    peers = ", ".join(f"{name} {version}" for name, version in versions) or "none"
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return [
        f"- median of up to {args.runs} runs (1 when a run exceeds 20 s); "
        f"timeout {args.timeout:g} s per run; wall-clock including start-up",
        f"- machine: {os.cpu_count()} cores, {command_output(['git', '--version'])}, "
        f"Python {sys.version.split()[0]}, Node {command_output(['node', '--version'])}; {now}",
        f"- peers: {peers}",
    ]


def main(argv: list[str] | None = None) -> int:
    """Build, install, time, report."""
    args = parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    repos = build_repos(QUICK if args.quick else FULL, args.cache)
    names = [tool.name for tool in TOOLS if tool.name in args.tools.split(",")]
    prepared = prepare(names, args.cache)
    columns = [bench_repo(repo, prepared, args) for repo in repos]
    text = render(columns, names, context(args, names))
    (args.cache / "last-results.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
