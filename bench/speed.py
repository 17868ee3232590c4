"""Benchmark: what a CI job feels on every push, from one paired run.

Every command below runs once per round, rounds interleaved, so a change in machine load falls
on all of them alike; the table gives each command's median wall-clock time, its ratio to a bare
`python -c pass` and to the git floor of its group, and the maximum resident set size of its
whole process tree (relbot and the git it starts; the floor's git processes).

    python bench/speed.py                                   # relbot at HEAD, and before (01ef75f)
    python bench/speed.py --runs 9 --peers "" --before ""    # relbot at HEAD only
    python bench/speed.py --quick                           # small repositories (smoke run)

Groups: start-up in a 3-commit repository; `bump-values` on a 9-line and on the 5,000-line values
file of bench/values.py against a ruamel.yaml round trip (as a process, start-up included); the
next version on a 300,000-commit history with 1,000 unreleased commits and on 100,000 unreleased
commits, against the floor `git describe --tags --abbrev=0` + `git log --format=%H%n%B TAG..HEAD`
and the peers; the 1,500 tags HEAD does not reach of bench/tags.py. Each relbot revision (`--after`,
`--before`: committed code, from git worktrees) is installed with `pip install` into a virtual
environment of its own, as a user installs it; the ratios are to `python -c pass` in that
environment. The script checks that both revisions print the same answers and write the same
values files.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import tags as many_tags
from messages import ReleaseType
from run import command_output, prepare, progress
from synth import RepoSpec, ensure, git_env, run_git
from tools import TOOLS, peer_versions
from valuesynth import big_file

CACHE = Path(__file__).resolve().parent / ".cache"
TOOLS_BY_NAME = {tool.name: tool for tool in TOOLS}
LONG_RUN = 20.0  # a command whose first run is longer is not repeated
TIME = "/usr/bin/time"  # GNU time (Debian package `time`), for each command's max RSS
FULL = {"300k": RepoSpec("big-history", released=299_000, tags=121, unreleased=1_000,
                         tail_bump=ReleaseType.MINOR),
        "100k": RepoSpec("big-unreleased", released=50, tags=1, unreleased=100_000,
                         tail_bump=ReleaseType.MAJOR)}
QUICK = {"300k": RepoSpec("big-history", released=2_900, tags=121, unreleased=100,
                          tail_bump=ReleaseType.MINOR),
         "100k": RepoSpec("big-unreleased", released=50, tags=1, unreleased=3_000,
                          tail_bump=ReleaseType.MAJOR)}
SMALL_VALUES = """\
# Default values for web.
replicaCount: 2
image:
  repository: ghcr.io/acme/web
  tag: "1.2.3"
  pullPolicy: IfNotPresent
service:
  type: ClusterIP
  port: 80
"""
ROUND_TRIP = """\
import json, sys
from ruamel.yaml import YAML
yaml = YAML()
yaml.preserve_quotes = True
yaml.width = 4096
yaml.indent(mapping=2, sequence=4, offset=2)
path, edits = sys.argv[1], json.loads(sys.argv[2])
with open(path, encoding="utf-8") as handle:
    data = yaml.load(handle)
for parts, value in edits:
    node = data
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value
with open(path, "w", encoding="utf-8") as handle:
    yaml.dump(data, handle)
"""


@dataclass
class Row:
    """One command of the run, its group, and what it measured."""

    group: str
    label: str
    argv: list[str]
    cwd: Path
    env: dict[str, str]
    reset: Callable[[], None] = lambda: None
    answer: Callable[[str, Path], str] = lambda out, _cwd: (out.strip().splitlines() or ["—"])[-1]
    floor: bool = False
    seconds: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    last: str = ""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="relbot's start-up, history reading and values "
                                                 "editing against the floors, in one paired run.")
    parser.add_argument("--runs", type=int, default=5, help="timed rounds (median reported)")
    parser.add_argument("--after", default="HEAD", help="commit of this checkout timed as relbot")
    parser.add_argument("--before", default="01ef75f",
                        help="commit timed as relbot before (empty: none)")
    parser.add_argument("--peers", default="git-cliff-unreleased,commitizen,semantic-release",
                        help="version peers of bench/tools.py, comma-separated (empty: none)")
    parser.add_argument("--quick", action="store_true", help="3,000-commit repositories")
    parser.add_argument("--cache", type=Path, default=CACHE, help="cache directory")
    return parser.parse_args(argv)


def execute(row: Row, scratch: Path) -> tuple[float, int, str]:
    """One run: seconds, the max RSS in KB of the command's process tree, stdout.

    GNU time starts the command, so the RSS is the command's own and its children's (a child
    forked from this larger process would count this process's pages until its exec)."""
    row.reset()
    report = scratch / "rss"
    argv = [TIME, "-f", "%M", "-o", str(report), *row.argv]
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=row.cwd, env=row.env, stdin=subprocess.DEVNULL,
                          capture_output=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{row.label} failed (exit {done.returncode}) in {row.cwd}: {row.argv}\n"
                         f"{done.stderr.decode('utf-8', 'replace')[-2000:]}")
    rss = int(report.read_text(encoding="utf-8").split()[-1])
    return seconds, rss, done.stdout.decode("utf-8", "replace")


def relbot_venvs(args: argparse.Namespace, base: dict[str, str]) -> dict[str, Path]:
    """`after` and `before` → the bin directory of a fresh virtual environment with that revision
    installed as a user installs it (`pip install <worktree>`: compiled modules, no editable
    finder), made on first use under the cache."""
    revisions = {"after": args.after, **({"before": args.before} if args.before else {})}
    venvs = {}
    for label, revision in revisions.items():
        sha, path = many_tags.relbot_worktree(revision, args.cache, base)
        venv = args.cache / f"speed-venv-{sha[:12]}"
        if not (venv / "bin" / "relbot").exists():
            progress(f"installing relbot {sha[:7]} into {venv} …")
            shutil.rmtree(venv, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(path)], env=base, check=True)
        venvs[f"{label} ({sha[:7]})"] = venv / "bin"
    return venvs


def floor_row(group: str, repo: Path, env: dict[str, str]) -> Row:
    script = ('tag=$(git describe --tags --abbrev=0) && git log --format=%H%n%B "$tag..HEAD" >/dev/null'
              ' && echo "$tag"')
    return Row(group, "git floor: `git describe --tags --abbrev=0` + `git log --format=%H%n%B TAG..HEAD`",
               ["sh", "-c", script], repo, env, floor=True)


def peer_answer(name: str) -> Callable[[str, Path], str]:
    """The version a peer printed, as bench/tools.py reads it."""
    tool = TOOLS_BY_NAME[name]
    return lambda out, _cwd: tool.parse(out) or "—"


def history_rows(group: str, repo: Path, relbots: dict[str, Path],
                 peer_argv: dict[str, list[str]], env: dict[str, str]) -> list[Row]:
    rows = [floor_row(group, repo, env)]
    for label, bindir in relbots.items():
        rows.append(Row(group, f"`relbot version`, {label}", [str(bindir / "relbot"), "version"],
                        repo, env))
        rows.append(Row(group, f"`relbot version --json`, {label}",
                        [str(bindir / "relbot"), "version", "--json"], repo, env,
                        answer=lambda out, _cwd: "{} ({} commits)".format(
                            json.loads(out)["version"], json.loads(out)["commits"])))
    rows += [Row(group, f"`{name}`", argv, repo, env, answer=peer_answer(name))
             for name, argv in peer_argv.items()]
    return rows


def values_rows(group: str, work: Path, text: str, edits: list[tuple[list[str], str]],
                relbots: dict[str, Path], env: dict[str, str], cache: Path) -> list[Row]:
    """bump-values on `text` (a file in a git repository of its own) against ruamel's round trip."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    run_git(work, env, "init", "-q")
    target = work / "values.yaml"

    def reset() -> None:
        target.write_text(text, encoding="utf-8")

    reset()
    run_git(work, env, "add", "values.yaml")
    run_git(work, env, "-c", "user.name=Bench", "-c", "user.email=bench@example.invalid",
            "commit", "-q", "-m", "chore: values")
    script = cache / "configs" / "ruamel_round_trip.py"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(ROUND_TRIP, encoding="utf-8")
    sets = [f"--set={'.'.join(str(p) for p in parts)}={value}" for parts, value in edits]

    def written(_out: str, cwd: Path) -> str:
        changed = sum(a != b for a, b in zip(text.splitlines(), (cwd / "values.yaml").read_text(
            encoding="utf-8").splitlines(), strict=False))
        return f"{changed} line(s) changed"

    rows = [Row(group, f"`relbot bump-values values.yaml` ({len(edits)} --set), {label}",
                [str(bindir / "relbot"), "bump-values", "values.yaml", *sets], work, env,
                reset=reset, answer=written) for label, bindir in relbots.items()]
    rows.append(Row(group, "ruamel.yaml round trip (process: load, set, dump)",
                    [str(next(iter(relbots.values())) / "python"), str(script), "values.yaml",
                     json.dumps(edits)], work, env,
                    reset=reset, answer=written))
    return rows


def context(args: argparse.Namespace, names: list[str], relbots: dict[str, Path]) -> list[str]:
    """How, where and with what the numbers were taken."""
    versions = peer_versions(args.cache, names).items()
    peers = ", ".join(f"{name} {version}" for name, version in versions) or "none"
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return [
        f"- median of {args.runs} interleaved rounds (1 run for a command over {LONG_RUN:g} s), after "
        "one warm-up run each; wall-clock including start-up; max RSS of the whole process tree",
        f"- machine: {os.cpu_count()} cores, {command_output(['git', '--version'])}, Python "
        f"{sys.version.split()[0]}, Node {command_output(['node', '--version'])}; {now}",
        f"- relbot: {', '.join(relbots)}; peers: {peers}",
    ]


def cell(value: float) -> str:
    return f"{value:.3f}" if value < 1 else f"{value:.2f}"


def table(rows: list[Row], bare: float) -> list[str]:
    lines = ["| group | command | s | x `python -c pass` | x floor | max RSS (MB) | answer |",
             "| --- | --- | ---: | ---: | ---: | ---: | --- |"]
    floors = {row.group: statistics.median(row.seconds) for row in rows if row.floor}
    for row in rows:
        median = statistics.median(row.seconds)
        ratio = f"x{median / floors[row.group]:.2f}" if row.group in floors else "—"
        rss = max(row.rss_kb) / 1024
        lines.append(f"| {row.group} | {row.label} | {cell(median)} | x{median / bare:.2f} | {ratio} "
                     f"| {rss:.0f} | {row.last} |")
    return lines


def check_same(rows: list[Row]) -> list[str]:
    """The relbot rows of each group that differ in their answer between revisions."""
    problems = []
    for row in rows:
        if ", before (" not in row.label:
            continue
        twin = next(r for r in rows if r.group == row.group and r.label.split(", after")[0]
                    == row.label.split(", before")[0] and ", after (" in r.label)
        if twin.last != row.last:
            problems.append(f"{row.group}: {row.label} answered {row.last!r}, after {twin.last!r}")
    return problems


def build_rows(args: argparse.Namespace, env: dict[str, str], relbots: dict[str, Path],
               peer_argv: dict[str, list[str]]) -> list[Row]:
    """Every command of the run, in table order (repositories built on first use)."""
    specs = QUICK if args.quick else FULL
    tiny = args.cache / "speed" / "tiny"
    if not (tiny / ".git").exists():
        tiny.mkdir(parents=True, exist_ok=True)
        run_git(tiny, env, "init", "-q")
        for index in range(3):
            run_git(tiny, env, "-c", "user.name=Bench", "-c", "user.email=bench@example.invalid",
                    "commit", "-q", "--allow-empty", "-m", f"feat: change {index}")
        run_git(tiny, env, "tag", "v1.0.0", "HEAD~1")
    clean = next(iter(relbots.values())) / "python"
    rows = [Row("start-up", "`python -c pass` (the venv relbot is installed in)", [str(clean), "-c", "pass"],
                tiny, env, answer=lambda _out, _cwd: "—"),
            Row("start-up", "`python -c pass` (a dev venv: relbot installed editable, `pip install -e`)",
                [sys.executable, "-c", "pass"], tiny, env, answer=lambda _out, _cwd: "—")]
    for label, bindir in relbots.items():
        rows.append(Row("start-up", f"`relbot --help`, {label}", [str(bindir / "relbot"), "--help"],
                        tiny, env, answer=lambda out, _cwd: f"{len(out.splitlines())} lines"))
        rows.append(Row("start-up", f"`relbot version` (3 commits), {label}",
                        [str(bindir / "relbot"), "version"], tiny, env))
    rows += values_rows("small values", args.cache / "speed" / "small", SMALL_VALUES,
                        [(["image", "tag"], "1.2.4")], relbots, env, args.cache)
    big = big_file(20240501)
    big_edits = [(list(edit.argument.split(".")), edit.value) for edit in big.edits]
    rows += values_rows("5,000-line values", args.cache / "speed" / "big", big.text, big_edits,
                        relbots, env, args.cache)
    for spec in specs.values():
        progress(f"building {spec.key} …")
        repo = ensure(spec, args.cache)
        label = f"{spec.released + spec.unreleased:,} commits, {spec.unreleased:,} unreleased"
        rows += history_rows(label, repo.path, relbots, peer_argv, env)
    if not args.quick:
        progress("building many-tags-1500 …")
        tags_repo = many_tags.ensure_repo(1500, args.cache)
        floor = ["git", "for-each-ref", "--merged", "HEAD", "refs/tags/v*"]
        rows.append(Row("1,500 unreachable tags", "floor: `git for-each-ref --merged HEAD refs/tags/v*`",
                        floor, tags_repo, env, floor=True,
                        answer=lambda out, _cwd: f"{len(out.splitlines())} tags"))
        rows += [Row("1,500 unreachable tags", f"`relbot version`, {label}",
                     [str(bindir / "relbot"), "version"], tags_repo, env)
                 for label, bindir in relbots.items()]

    return rows


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not Path(TIME).exists():
        raise SystemExit(f"{TIME} is missing: apt-get install time")
    env = git_env(args.cache) | {"NO_COLOR": "1", "TERM": "dumb"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its modules compiled
    relbots = relbot_venvs(args, env)
    names = [name for name in args.peers.split(",") if name]
    prepared = prepare(names, args.cache) if names else {}
    failed = [name for name, argv in prepared.items() if not isinstance(argv, list)]
    if failed:
        progress(f"left out (install failed): {', '.join(failed)}")
    peer_argv = {name: argv for name, argv in prepared.items() if isinstance(argv, list)}

    rows = build_rows(args, env, relbots, peer_argv)
    progress(f"warm-up: {len(rows)} commands once …")
    skip = set()
    for row in rows:
        seconds, _rss, _out = execute(row, args.cache)
        if seconds > LONG_RUN:
            skip.add(row.label + row.group)
    for round_ in range(args.runs):
        progress(f"round {round_ + 1} of {args.runs} …")
        for row in rows:
            if row.seconds and row.label + row.group in skip:
                continue
            seconds, rss, out = execute(row, args.cache)
            row.seconds.append(seconds)
            row.rss_kb.append(rss)
            row.last = row.answer(out, row.cwd)
    bare = statistics.median(rows[0].seconds)
    lines = [*context(args, names, relbots), "", *table(rows, bare)]
    problems = check_same(rows)
    lines += ["", *(f"- **different answers**: {p}" for p in problems)] if problems else \
        ["", "- relbot before and after printed the same answers and wrote the same files."]
    text = "\n".join(lines) + "\n"
    (args.cache / "speed-results.md").write_text(text, encoding="utf-8")
    print(text)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
