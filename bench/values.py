"""Benchmark: relbot's YAML value editor against ruamel.yaml's round trip, with PyYAML's C
parser as a parse-only floor, on one 5,000-line values file (50 `--set` edits in one call) and
on a monorepo of 200 values files (one `--image` edit each, 200 calls).

    python bench/values.py                 # median of 5 runs
    python bench/values.py --runs 9 --seed 7 --profile

Everything runs in this process on texts already in memory (no disk I/O is timed). Each tool
runs once untimed (imports, warm caches; its output is the one checked), then `--runs` timed
rounds in which the tools take turns; the median is reported. The inputs are written to
bench/.cache/values/ for a look, and the table to bench/.cache/values-results.md.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import difflib
import gc
import importlib
import io
import os
import pstats
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from types import ModuleType
from typing import Any

from valuesynth import BIG_LINES, EditSpec, PathPart, ValuesFile, big_file, monorepo, write_out

from relbot.values.edit import Edit, SetImage, SetValue, edit_values
from relbot.values.images import parse_image_argument
from relbot.values.yamlpath import parse_path

CACHE = Path(__file__).resolve().parent / ".cache"
SEED = 20240501
Runner = Callable[[ValuesFile], str | None]


@dataclass(frozen=True)
class Tool:
    """A row: a name, how it handles one file, and whether it writes text back."""

    name: str
    run: Runner
    writes: bool = True


@dataclass(frozen=True)
class Scenario:
    """A column group: files, the number of edits asked for, a title."""

    title: str
    files: list[ValuesFile]

    @property
    def edits(self) -> int:
        return sum(len(values.edits) for values in self.files)


@dataclass(frozen=True)
class Cell:
    """One tool on one scenario: median seconds and how faithful the output was."""

    seconds: float
    fidelity: str
    exact: bool


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description="Time YAML value edits by relbot and ruamel.yaml.")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per cell (median reported)")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the synthetic values files")
    parser.add_argument("--profile", action="store_true", help="cProfile relbot on the big file (stderr)")
    parser.add_argument("--cache", type=Path, default=CACHE, help="where inputs and results are written")
    return parser.parse_args(argv)


def progress(message: str) -> None:
    """A progress line on stderr, so stdout carries only the table."""
    print(message, file=sys.stderr, flush=True)


def to_edit(spec: EditSpec) -> Edit:
    """What `--set PATH=VALUE` or `--image REPO=TAG` becomes in relbot."""
    if spec.kind == "set":
        return SetValue(parse_path(spec.argument), spec.value)
    return SetImage(parse_image_argument(f"{spec.argument}={spec.value}"))


def relbot_edit(values: ValuesFile) -> str:
    """relbot: parse, locate, replace the scalars' characters, verify by re-parsing."""
    edits = [to_edit(spec) for spec in values.edits]
    return edit_values(values.text, edits, source=values.name).text


def ruamel_runner() -> Runner:
    """ruamel.yaml's round trip at its most faithful: quotes kept, no wrapping, Helm list indent."""
    from ruamel.yaml import YAML  # noqa: PLC0415 - imported before any timing starts

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)

    def run(values: ValuesFile) -> str:
        data = yaml.load(values.text)
        for target in values.targets:
            assign(data, target.path, target.new_value)
        out = io.StringIO()
        yaml.dump(data, out)
        return out.getvalue()

    return run


def assign(data: Any, path: tuple[PathPart, ...], value: str) -> None:
    """Set a loaded value, in the old value's quote style when it had one."""
    from ruamel.yaml.scalarstring import ScalarString  # noqa: PLC0415

    for part in path[:-1]:
        data = data[part]
    old = data[path[-1]]
    data[path[-1]] = type(old)(value) if isinstance(old, ScalarString) else value


def load_pyyaml() -> ModuleType:
    """PyYAML, installed with pip when it is missing."""
    try:
        return importlib.import_module("yaml")
    except ImportError:
        progress("PyYAML is missing: pip install pyyaml")
        subprocess.run([sys.executable, "-m", "pip", "install", "pyyaml"], check=True)
        importlib.invalidate_caches()
        return importlib.import_module("yaml")


def pyyaml_tool(yaml: ModuleType) -> Tool:
    """PyYAML's C loader (libyaml) as a floor; the pure loader, said so, when libyaml is absent."""
    if yaml.__with_libyaml__:
        loader, name = yaml.CSafeLoader, "PyYAML CSafeLoader (parse only, floor)"
    else:
        loader, name = yaml.SafeLoader, "PyYAML SafeLoader (C loader unavailable; pure Python, parse only)"

    def run(values: ValuesFile) -> None:
        yaml.load(values.text, Loader=loader)

    return Tool(name, run, writes=False)


def differing_lines(expected: str, output: str) -> int:
    """Lines of `output` that differ from the exact edit (each changed hunk counted once)."""
    matcher = difflib.SequenceMatcher(None, expected.splitlines(), output.splitlines(), autojunk=False)
    changed = sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal")
    return changed or int(expected != output)  # a missing final newline or a CR still counts


def fidelity(files: list[ValuesFile], outputs: list[str | None]) -> tuple[str, bool]:
    """The cell text for output fidelity, and whether every file was byte-identical outside edits."""
    if all(output is None for output in outputs):
        return "— (parses only)", False
    counts = [differing_lines(v.expected, out or "") for v, out in zip(files, outputs, strict=True)]
    if not any(counts):
        return "yes, byte-identical", True
    lines = sum(len(v.text.splitlines()) for v in files)
    text = f"no: {sum(counts):,} of {lines:,} lines differ"
    if len(files) > 1:
        text += f", in {sum(1 for c in counts if c)} of {len(files)} files"
    return text, False


def time_once(tool: Tool, scenario: Scenario) -> float:
    """Seconds for one pass of a tool over every file of a scenario."""
    gc.collect()
    start = time.perf_counter()
    for values in scenario.files:
        tool.run(values)
    return time.perf_counter() - start


def measure(tools: list[Tool], scenario: Scenario, runs: int) -> dict[str, Cell]:
    """Per tool one untimed pass (its outputs are checked), then `runs` timed rounds taking the
    tools in turn, so a change in machine load falls on every tool alike; the medians."""
    checks = {}
    for tool in tools:
        checks[tool.name] = fidelity(scenario.files, [tool.run(values) for values in scenario.files])
    samples: dict[str, list[float]] = {tool.name: [] for tool in tools}
    for round_ in range(runs):
        for tool in tools:
            samples[tool.name].append(time_once(tool, scenario))
        progress(f"{scenario.title}: round {round_ + 1}/{runs} done")
    return {name: Cell(statistics.median(samples[name]), *checks[name]) for name in samples}


def render(
    tools: list[Tool], scenarios: list[Scenario], cells: dict[tuple[str, str], Cell], notes: list[str]
) -> str:
    """The Markdown table: per scenario, median ms, ms per edit, x floor and output fidelity."""
    floor_name = tools[-1].name
    header = ["tool"]
    for scenario in scenarios:
        header += [f"{scenario.title} (ms)", "per edit (ms)", "x floor", "unchanged outside the edits"]
    lines = ["| " + " | ".join(header) + " |", "| --- |" + " ---: | ---: | ---: | --- |" * len(scenarios)]
    for tool in tools:
        row = [tool.name]
        for scenario in scenarios:
            cell, floor = cells[tool.name, scenario.title], cells[floor_name, scenario.title]
            row += [
                f"{cell.seconds * 1000:,.1f}",
                f"{cell.seconds * 1000 / scenario.edits:.2f}",
                f"x{cell.seconds / floor.seconds:.1f}",
                cell.fidelity,
            ]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join([*lines, "", *notes, ""])


def context(args: argparse.Namespace, scenarios: list[Scenario], yaml: ModuleType) -> list[str]:
    """Lines on how, where and with what the numbers were taken."""
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    sizes = "; ".join(
        f"{s.title}: {sum(len(v.text.splitlines()) for v in s.files):,} lines, "
        f"{sum(len(v.targets) for v in s.files)} values changed by {s.edits} edits"
        for s in scenarios
    )
    return [
        f"- median of {args.runs} runs (tools taking turns) after one untimed run; in-process, "
        f"wall-clock, texts in memory; seed {args.seed}",
        f"- inputs: {sizes}",
        f"- machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, ruamel.yaml "
        f"{version('ruamel.yaml')}, PyYAML {yaml.__version__} (libyaml: {yaml.__with_libyaml__}); {now}",
    ]


def profile_relbot(values: ValuesFile, top: int = 12) -> None:
    """Where relbot spends its time on one file: the top functions by own time, on stderr."""
    profiler = cProfile.Profile()
    profiler.runcall(relbot_edit, values)
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats("relbot", top)


def main(argv: list[str] | None = None) -> int:
    """Generate, time, check, report."""
    args = parse_args(argv)
    big, repo = big_file(args.seed), monorepo(args.seed)
    assert len(big.text.splitlines()) == BIG_LINES
    write_out([big, *repo], args.cache / "values" / f"s{args.seed}")
    scenarios = [
        Scenario(f"1 file of {BIG_LINES:,} lines, {len(big.edits)} edits in 1 call", [big]),
        Scenario(f"{len(repo)} files, 1 image edit each", repo),
    ]
    yaml = load_pyyaml()
    tools = [
        Tool("relbot (edit_values)", relbot_edit),
        Tool("ruamel.yaml round trip", ruamel_runner()),
        pyyaml_tool(yaml),
    ]
    cells: dict[tuple[str, str], Cell] = {}
    for scenario in scenarios:
        for name, cell in measure(tools, scenario, args.runs).items():
            cells[name, scenario.title] = cell
            progress(f"{scenario.title}: {name} {cell.seconds * 1000:.1f} ms; {cell.fidelity}")
    if args.profile:
        profile_relbot(big)
    text = render(tools, scenarios, cells, context(args, scenarios, yaml))
    (args.cache / "values-results.md").write_text(text)
    print(text)
    relbot_exact = all(cells[tools[0].name, s.title].exact for s in scenarios)
    if not relbot_exact:
        progress("relbot's output differs from the exact edit outside the edited values")
    return 0 if relbot_exact else 1


if __name__ == "__main__":
    sys.exit(main())
