"""Timing one command on one repository: wall-clock median over a few runs, a hard
per-run timeout, and a log of what the command printed.

A run that exits non-zero, or prints no version when one is expected, is an error, never a
number. A run that passes the timeout is killed (its whole process group) and reported as
such. Runs longer than LONG_RUN seconds are not repeated.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

LONG_RUN = 20.0
TAIL_LINES = 40


@dataclass(frozen=True)
class Outcome:
    """The result for one tool on one repository."""

    status: str  # "ok", "error" or "timeout"
    seconds: float | None = None
    runs: int = 0
    version: str | None = None
    log: Path | None = None


@dataclass(frozen=True)
class Run:
    """One execution of a command."""

    seconds: float
    exit_code: int | None  # None when it timed out
    stdout: str
    stderr: str


def execute(argv: list[str], cwd: Path, env: dict[str, str], timeout: float, out: Path) -> Run:
    """Run argv once with stdout/stderr in files (or /dev/null for out == /dev/null)."""
    err = out.with_suffix(".stderr") if out != Path(os.devnull) else out
    with out.open("wb") as stdout, err.open("wb") as stderr:
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
        try:
            code: int | None = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            code = None
        seconds = time.perf_counter() - start
    if out == Path(os.devnull):
        return Run(seconds, code, "", "")
    return Run(seconds, code, read_text(out), read_text(err))


def read_text(path: Path) -> str:
    """A captured output file as text, undecodable bytes replaced."""
    return path.read_text(errors="replace")


def tail(text: str) -> str:
    """The last TAIL_LINES lines of text."""
    return "\n".join(text.splitlines()[-TAIL_LINES:])


def write_log(log: Path, argv: list[str], cwd: Path, runs: list[Run], note: str) -> None:
    """A human-readable record of the command, its runs and the output of the last one."""
    last = runs[-1]
    lines = [
        f"command: {' '.join(argv)}",
        f"cwd: {cwd}",
        f"runs (s): {', '.join(f'{run.seconds:.3f}' for run in runs)}",
        f"exit code of last run: {last.exit_code}",
        f"result: {note}",
        "--- stdout (tail) ---",
        tail(last.stdout),
        "--- stderr (tail) ---",
        tail(last.stderr),
    ]
    log.write_text("\n".join(lines) + "\n")


def judge(run: Run, timeout: float, parse: Callable[[str], str | None] | None) -> Outcome:
    """The outcome of a single run: timeout, error, or ok with the parsed version."""
    if run.exit_code is None:
        return Outcome("timeout", seconds=timeout)
    if run.exit_code != 0:
        return Outcome("error")
    version = parse(run.stdout) if parse else None
    if parse and version is None:
        return Outcome("error")
    return Outcome("ok", seconds=run.seconds, version=version)


def measure(
    argv: list[str],
    cwd: Path,
    env: dict[str, str],
    *,
    runs: int,
    timeout: float,
    log: Path,
    parse: Callable[[str], str | None] | None,
) -> Outcome:
    """Median wall-clock time of up to `runs` runs; the first failure ends it."""
    log.parent.mkdir(parents=True, exist_ok=True)
    out = log.with_suffix(".stdout") if parse else Path(os.devnull)
    done: list[Run] = []
    outcome = Outcome("ok")
    while len(done) < runs:
        done.append(execute(argv, cwd, env, timeout, out))
        outcome = judge(done[-1], timeout, parse)
        if outcome.status != "ok" or done[-1].seconds > LONG_RUN:
            break
    note = outcome.status if outcome.version is None else f"{outcome.status} {outcome.version}"
    write_log(log, argv, cwd, done, note)
    if outcome.status != "ok":
        return Outcome(outcome.status, outcome.seconds, len(done), None, log)
    seconds = statistics.median(run.seconds for run in done)
    return Outcome("ok", seconds, len(done), outcome.version, log)


def command(argv: list[str], cwd: Path) -> Callable[[], None]:
    """A run of `argv` in `cwd` (output captured, a failure raised), for `timed`."""
    def run() -> None:
        subprocess.run(argv, cwd=cwd, capture_output=True, check=True)

    return run


def timed(run: Callable[[], None]) -> float:
    """Seconds one call of `run` takes (wall clock)."""
    start = time.perf_counter()
    run()
    return time.perf_counter() - start
