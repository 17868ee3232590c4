"""Benchmark: relbot on a repository whose highest release tags HEAD does not reach.

`main` released v1.0.0 … v1.0.5; a `release` branch was cut at v1.0.5; then `main` got
`--tags` more release tags (v2.x) that `release` never merged. HEAD is on `release`, one
`feat:` commit past v1.0.5, so the next version is 1.1.0. Before d6035f5 relbot ran one
`git merge-base --is-ancestor` per candidate tag here; this times the commands that did, as
committed at this checkout's HEAD and before the fix (git worktrees of both), next to the
floor `git for-each-ref --merged HEAD`, a bare `python -c pass` and the peers, all in one
interleaved run, and counts the git processes each command starts.

    python bench/tags.py                             # 1,500 unreachable tags, median of 3
    python bench/tags.py --tags 300 --runs 5 --peers semantic-release
    python bench/tags.py --after HEAD --before d6035f5~1     # the defaults

Both relbots are git worktrees of commits (the committed code, never uncommitted edits), made
under bench/.cache/ like the repository; the table is printed and written to
bench/.cache/tags-results.md; each run's output is in bench/.cache/logs/tags-<N>/.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import peers
from peers import InstallError
from report import ratio_cell, seconds_cell, shown
from run import command_output, context, prepare, progress
from synth import IDENT, START_EPOCH, git_env, run_git
from timing import LONG_RUN, Outcome, execute, measure
from tools import LAST_LINE_VERSION, SR_VERSION, TOOLS

CACHE = Path(__file__).resolve().parent / ".cache"
CHECKOUT = Path(__file__).resolve().parent.parent
GENERATOR_VERSION = 1
FIX = "d6035f5"  # perf(release): one history walk, not one git process per tag
NEXT = "1.1.0"
RELEASERC = {
    "branches": ["release"],
    "plugins": ["@semantic-release/commit-analyzer", "@semantic-release/release-notes-generator"],
}
REACHABLE = 6  # v1.0.0 … v1.0.5
PEERS = ("semantic-release", "git-cliff", "commitizen")
FLOOR = "`git for-each-ref --merged HEAD refs/tags/v*` (floor)"
BARE = "`python -c pass`"


@dataclass(frozen=True)
class Command:
    """One row: what to run, in which state of the repository, and how to read its answer."""

    name: str
    argv: list[str]
    parse: Callable[[str], str | None] | None
    expected: str | None = None
    tagged: bool = False  # run with HEAD tagged v1.1.0
    env: dict[str, str] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        """A file name for the command's logs."""
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


@dataclass
class Result:
    """What one command did: its timing, and its git processes from a separate counted run."""

    outcome: Outcome
    git_calls: list[str] | None = None
    stdout: str = ""
    counted: str = "ok"  # the counted run: "ok", "error" (exit code not 0) or "timeout"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description="Time relbot on many tags that HEAD does not reach.")
    parser.add_argument("--tags", type=int, default=1500, help="release tags HEAD does not reach")
    parser.add_argument("--peers", default=",".join(PEERS), help=f"comma-separated subset of: {PEERS}")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per run")
    parser.add_argument("--runs", type=int, default=3, help="runs per command (1 if a run > 20 s)")
    parser.add_argument("--after", default="HEAD", help="commit of this checkout to time as the fixed relbot")
    parser.add_argument("--before", default=f"{FIX}~1", help="commit to time as relbot before the fix")
    parser.add_argument("--cache", type=Path, default=CACHE, help="cache directory")
    args = parser.parse_args(argv)
    args.peers = [name for name in args.peers.split(",") if name]
    unknown = set(args.peers) - set(PEERS)
    if unknown:
        parser.error(f"unknown peer(s): {', '.join(sorted(unknown))}; choose from {PEERS}")
    if args.tags < 1:
        parser.error("--tags must be at least 1")
    return args


def commit_record(branch: str, mark: int, message: str, path: str, content: str) -> str:
    """One fast-import commit on branch (continuing from its tip) with one inline file."""
    when = START_EPOCH + mark * 60
    return (
        f"commit refs/heads/{branch}\nmark :{mark}\n"
        f"author {IDENT} {when} +0000\ncommitter {IDENT} {when} +0000\n"
        f"data {len(message) + 1}\n{message}\n\n"
        f"M 100644 inline {path}\ndata {len(content)}\n{content}\n"
    )


def tag_record(name: str, mark: int) -> str:
    """A lightweight tag on a mark."""
    return f"reset refs/tags/{name}\nfrom :{mark}\n\n"


def stream(unreachable: int) -> Iterator[str]:
    """main: v1.0.0 … v1.0.5, then `unreachable` tags v2.0.0, v2.0.1, …; release: cut at
    v1.0.5, then one `feat:` commit adding `.releaserc.json`."""
    mark = 1
    yield commit_record("main", mark, "feat: first", "f.txt", f"{mark}\n")
    yield tag_record("v1.0.0", mark)
    for patch in range(1, REACHABLE):
        mark += 1
        yield commit_record("main", mark, f"fix: patch {patch}", "f.txt", f"{mark}\n")
        yield tag_record(f"v1.0.{patch}", mark)
    yield f"reset refs/heads/release\nfrom :{mark}\n\n"
    mark += 1
    yield commit_record("main", mark, "feat!: the next major", "f.txt", f"{mark}\n")
    yield tag_record("v2.0.0", mark)
    for number in range(1, unreachable):
        mark += 1
        yield commit_record("main", mark, f"fix: m{number}", "f.txt", f"{mark}\n")
        yield tag_record(f"v2.{number // 100}.{number % 100}", mark)
    mark += 1
    config = json.dumps(RELEASERC, indent=2) + "\n"
    yield commit_record("release", mark, "feat: on the release branch", ".releaserc.json", config)
    yield "done\n"


def ensure_repo(unreachable: int, cache: Path) -> Path:
    """The repository's work tree (HEAD on `release`, an `origin` bare clone with every branch
    and tag), built on first use and reused after (meta.json marks done)."""
    final = cache / "repos" / f"many-tags-{unreachable}-g{GENERATOR_VERSION}"
    work = final / "work"
    if (final / "meta.json").exists():
        return work
    env = git_env(cache)
    staging = final.with_name(final.name + ".tmp")
    for stale in (staging, final):
        shutil.rmtree(stale, ignore_errors=True)
    staging.mkdir(parents=True)
    run_git(staging, env, "init", "-q", "-b", "release", "work")
    command = ["git", "-C", str(staging / "work"), "fast-import", "--quiet", "--done"]
    subprocess.run(command, input="".join(stream(unreachable)).encode(), env=env, check=True)
    run_git(staging / "work", env, "reset", "-q", "--hard", "release")
    staging.rename(final)
    origin = final / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(origin)], env=env, check=True)
    run_git(work, env, "remote", "add", "origin", origin.resolve().as_uri())
    run_git(work, env, "fetch", "-q", "origin")
    run_git(work, env, "branch", "-q", "--set-upstream-to=origin/release", "release")
    meta = {"unreachable_tags": unreachable, "tags": unreachable + REACHABLE, "next": NEXT}
    (final / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    return work


def git_out(repo: Path, *args: str) -> str:
    """The stripped output of a git command that must succeed."""
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def relbot_worktree(revision: str, cache: Path, env: dict[str, str]) -> tuple[str, Path]:
    """The commit `revision` names in this checkout and a git worktree of it under the cache
    (made on first use)."""
    sha = git_out(CHECKOUT, "rev-parse", "--verify", f"{revision}^{{commit}}")
    path = cache / f"relbot-{sha[:12]}"
    if not (path / "relbot" / "__init__.py").exists():
        shutil.rmtree(path, ignore_errors=True)
        run_git(CHECKOUT, env, "worktree", "prune")
        run_git(CHECKOUT, env, "worktree", "add", "-q", "--detach", str(path), sha)
    if git_out(path, "rev-parse", "HEAD") != sha or git_out(path, "status", "--porcelain"):
        raise SystemExit(f"{path} is not a clean checkout of {sha}; delete it and run again")
    return sha, path


def imported_from(env: dict[str, str]) -> Path:
    """Where `import relbot` finds the package with this environment (PYTHONPATH)."""
    argv = [sys.executable, "-c", "import relbot; print(relbot.__file__)"]
    done = subprocess.run(argv, env=env, cwd="/", capture_output=True, text=True, check=True)
    return Path(done.stdout.strip()).parent.parent


def set_tagged(repo: Path, tagged: bool) -> None:
    """Tag HEAD v1.1.0, or remove that tag."""
    present = bool(git_out(repo, "tag", "--list", f"v{NEXT}"))
    if tagged and not present:
        git_out(repo, "tag", f"v{NEXT}")
    elif present and not tagged:
        git_out(repo, "tag", "-d", f"v{NEXT}")


def counting_git(cache: Path) -> tuple[Path, Path]:
    """A directory holding a `git` that appends its arguments to a log, then runs the real git."""
    real = shutil.which("git")
    if real is None:
        raise SystemExit("git not found on PATH")
    bindir, log = cache / "git-counter" / "bin", cache / "git-counter" / "calls.log"
    bindir.mkdir(parents=True, exist_ok=True)
    wrapper = bindir / "git"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    return bindir, log


def count_calls(command: Command, repo: Path, env: dict[str, str], args: argparse.Namespace,
                logs: Path) -> Result:
    """The git command lines one untimed run starts (None if it failed), and its stdout."""
    bindir, calls = counting_git(args.cache)
    calls.write_text("")
    counted = env | command.env | {"PATH": f"{bindir}:{env['PATH']}"}
    run = execute(command.argv, repo, counted, args.timeout, logs / f"{command.slug}.count")
    if run.exit_code != 0:
        status = "timeout" if run.exit_code is None else "error"
        return Result(Outcome(status), None, run.stdout, status)
    return Result(Outcome("ok"), calls.read_text().splitlines(), run.stdout)


def again(outcomes: list[Outcome]) -> bool:
    """Whether a command gets another timed run: not after a failure or a long run."""
    if not outcomes:
        return True
    last = outcomes[-1]
    return last.status == "ok" and last.seconds is not None and last.seconds <= LONG_RUN


def combine(outcomes: list[Outcome]) -> Outcome:
    """The median of a command's runs, or its failure."""
    last = outcomes[-1]
    if last.status != "ok":
        return Outcome(last.status, last.seconds, len(outcomes), None, last.log)
    seconds = statistics.median(o.seconds for o in outcomes if o.seconds is not None)
    return Outcome("ok", seconds, len(outcomes), last.version, last.log)


def bench(commands: list[Command], repo: Path, env: dict[str, str],
          args: argparse.Namespace) -> dict[str, Result]:
    """One counted run of every command (also its warm-up), then `runs` interleaved rounds:
    each round runs every command once, untagged ones first, then the tagged ones."""
    logs = args.cache / "logs" / f"tags-{args.tags}"
    logs.mkdir(parents=True, exist_ok=True)
    results: dict[str, Result] = {}
    for tagged in (False, True):
        set_tagged(repo, tagged)
        for command in (c for c in commands if c.tagged == tagged):
            result = count_calls(command, repo, env, args, logs)
            results[command.name] = result
            found = result.counted if result.git_calls is None else len(result.git_calls)
            progress(f"counted {command.name}: {found} git processes")
    samples: dict[str, list[Outcome]] = {command.name: [] for command in commands}
    for number in range(1, args.runs + 1):
        for tagged in (False, True):
            set_tagged(repo, tagged)
            for command in (c for c in commands if c.tagged == tagged and again(samples[c.name])):
                log = logs / f"{command.slug}-{number}.log"
                limits = {"runs": 1, "timeout": args.timeout}
                outcome = measure(command.argv, repo, env | command.env, log=log, parse=command.parse,
                                  **limits)
                samples[command.name].append(outcome)
                progress(f"round {number}: {command.name} {outcome.status} {outcome.seconds}")
    set_tagged(repo, False)
    for command in commands:
        results[command.name].outcome = combine(samples[command.name])
    return results


def last_version(stdout: str) -> str | None:
    """The last line that is only a version."""
    found = LAST_LINE_VERSION.findall(stdout)
    return str(found[-1]) if found else None


def sr_version(stdout: str) -> str | None:
    """semantic-release's 'The next release version is X'."""
    found = SR_VERSION.findall(stdout)
    return str(found[-1]) if found else None


def tag_count(stdout: str) -> str:
    """How many refs for-each-ref listed."""
    return f"{len(stdout.splitlines())} tags"


def dry_run_answer(stdout: str) -> str | None:
    """The tag the dry run releases and the release before it, from its plan."""
    found = re.search(r"^release (\S+) .*\nprevious release: (\S+)$", stdout, re.MULTILINE)
    return f"{found[1]} after {found[2]}" if found else None


def changelog_answer(stdout: str) -> str | None:
    """How many release sections the changelog has, first and last."""
    versions = re.findall(r"^## \[?v?(\d+\.\d+\.\d+)", stdout, re.MULTILINE)
    return f"{len(versions)} releases, {versions[0]} … {versions[-1]}" if versions else None


def relbot_commands(label: str, root: Path) -> list[Command]:
    """relbot's three commands, importing relbot from root."""
    env = {"PYTHONPATH": str(root)}
    python = [sys.executable, "-m", "relbot"]
    return [
        Command(f"`relbot version`, {label}", [*python, "version"], last_version, NEXT, env=env),
        Command(f"`relbot release --dry-run`, HEAD tagged v{NEXT}, {label}",
                [*python, "release", "--dry-run"], dry_run_answer,
                f"v{NEXT} after v1.0.{REACHABLE - 1}", True, env),
        Command(f"`relbot changelog --full`, HEAD tagged v{NEXT}, {label}",
                [*python, "changelog", "--full"], changelog_answer,
                f"{REACHABLE + 1} releases, {NEXT} … 1.0.0", True, env),
    ]


def peer_commands(names: list[str], cache: Path) -> tuple[list[Command], dict[str, Outcome]]:
    """The selected peers' commands, and an error outcome for each peer that failed to install."""
    commands: list[Command] = []
    failed: dict[str, Outcome] = {}
    if "semantic-release" in names:
        name = "`semantic-release --dry-run --no-ci --branches release` (npm)"
        progress("preparing semantic-release …")
        try:
            binary = peers.npm_prefix(cache) / "node_modules" / ".bin" / "semantic-release"
            argv = [str(binary), "--dry-run", "--no-ci", "--branches", "release"]
            commands.append(Command(name, argv, sr_version, NEXT))
        except InstallError as error:
            progress(f"  {error}")
            failed[name] = Outcome("error", log=error.log)
    labels = {"git-cliff": "`git-cliff --bumped-version`", "commitizen": "`cz bump --get-next`"}
    for tool, argv_or_error in prepare([n for n in names if n in labels], cache).items():
        if isinstance(argv_or_error, Outcome):
            failed[labels[tool]] = argv_or_error
        else:
            commands.append(Command(labels[tool], argv_or_error, last_version, NEXT))
    return commands, failed


def answer_cell(command: Command | None, result: Result) -> str:
    """The answer the last timed run gave; bold when it is not the expected one."""
    version = result.outcome.version
    if version is None or command is None:
        return "—"
    return version if command.expected in (None, version) else f"**{version}**"


def calls_cell(result: Result) -> str:
    """How many git processes, and how many of them were `merge-base`."""
    calls = result.git_calls
    if calls is None:
        return result.counted
    merge_bases = sum(1 for line in calls if line.startswith("merge-base"))
    return f"{len(calls):,} ({merge_bases:,} merge-base)" if merge_bases else f"{len(calls):,}"


def table(commands: list[Command], results: dict[str, Result]) -> list[str]:
    """The Markdown table: a row per command."""
    floor, bare = results[FLOOR].outcome, results[BARE].outcome
    lines = [
        "| command | s | x git floor | x `python -c pass` | git processes | answer |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    by_name = {command.name: command for command in commands}
    for name, result in results.items():
        outcome = result.outcome
        cells = [name, seconds_cell(outcome), ratio_cell(outcome, floor), ratio_cell(outcome, bare),
                 calls_cell(result), answer_cell(by_name.get(name), result)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def notes(commands: list[Command], results: dict[str, Result], now: str, old: str) -> list[str]:
    """Failures with their logs, and whether the old and new relbot printed the same."""
    lines = []
    for name, result in results.items():
        if result.outcome.status != "ok":
            where = f" — log: `{shown(result.outcome.log)}`" if result.outcome.log else ""
            lines.append(f"- {name}: {result.outcome.status}{where}")
    pairs = [(c.name, c.name.replace(now, old)) for c in commands if c.name.endswith(now)]
    compared = [(new, before) for new, before in pairs
                if results[new].counted == results[before].counted == "ok"]
    differ = [new.removesuffix(f", {now}") for new, before in compared
              if results[new].stdout != results[before].stdout]
    if differ:
        lines.append(f"- relbot before the fix printed something else for: {', '.join(differ)}")
    elif compared:
        same = ", ".join(new.removesuffix(f", {now}") for new, _ in compared)
        lines.append(f"- relbot before and after the fix printed the same stdout for {same}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Build, prepare, count, time, report."""
    args = parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    env = git_env(args.cache) | {"NO_COLOR": "1", "TERM": "dumb"}
    start = time.perf_counter()
    repo = ensure_repo(args.tags, args.cache)
    progress(f"repo with {args.tags:,} unreachable tags: ready in {time.perf_counter() - start:.1f} s")
    set_tagged(repo, False)
    new_sha, new_root = relbot_worktree(args.after, args.cache, env)
    old_sha, old_root = relbot_worktree(args.before, args.cache, env)
    for root in (new_root, old_root):
        found = imported_from(env | {"PYTHONPATH": str(root)})
        if found != root:
            raise SystemExit(f"PYTHONPATH={root} imports relbot from {found}")
    now, old = "after the fix", "before the fix"
    commands = [
        Command(FLOOR, ["git", "for-each-ref", "--merged", "HEAD", "refs/tags/v*"], tag_count,
                f"{REACHABLE} tags"),
        Command(BARE, [sys.executable, "-c", "pass"], None),
    ]
    new_rows, old_rows = relbot_commands(now, new_root), relbot_commands(old, old_root)
    commands += [row for pair in zip(new_rows, old_rows, strict=True) for row in pair]
    peer_rows, failed = peer_commands(args.peers, args.cache)
    commands += peer_rows
    measured = bench(commands, repo, env, args)
    results = {command.name: measured[command.name] for command in commands}  # the rows' order
    results |= {name: Result(outcome) for name, outcome in failed.items()}
    names = [tool.name for tool in TOOLS if tool.name in args.peers]
    npm = peers.npm_prefix_path(args.cache)
    notes_version = peers.npm_installed_version(npm, "@semantic-release/release-notes-generator")
    described = [
        f"- repository: `release` at v1.0.5 + one `feat:` commit, {REACHABLE} reachable tags "
        f"v1.0.0 … v1.0.5, {args.tags:,} tags v2.x on `main` that HEAD does not reach "
        f"({args.tags + REACHABLE:,} tags, {args.tags + REACHABLE + 1:,} commits); next version {NEXT}",
        f"- relbot {now}: {new_sha[:7]} (`{args.after}`); {old}: {old_sha[:7]} (`{args.before}`); "
        f"each a git worktree under the cache, run as `PYTHONPATH=<worktree> python -m relbot` "
        f"with {command_output([sys.executable, '--version'])}",
        *context(args, names),
    ]
    if "semantic-release" in args.peers:
        described.append(f"- semantic-release plugins: @semantic-release/release-notes-generator "
                         f"{notes_version} (and the commit analyzer above), the repository's "
                         f"`.releaserc.json`")
    text = "\n".join([*described, "", *table(commands, results), "",
                      *notes(commands, results, now, old)]) + "\n"
    (args.cache / "tags-results.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
