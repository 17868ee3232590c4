"""The results as a Markdown table: rows are tools, and for each repository the median
seconds, the ratio to the `git log` floor and the next version the tool computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from synth import BuiltRepo
from timing import Outcome

FLOOR = "git log (floor)"


@dataclass(frozen=True)
class Column:
    """Everything measured on one repository."""

    repo: BuiltRepo
    floor: Outcome
    results: dict[str, Outcome] = field(default_factory=dict)


def seconds_cell(outcome: Outcome) -> str:
    """Median seconds, `>T s` for a timeout, or `error`."""
    if outcome.status == "timeout" and outcome.seconds is not None:
        return f">{outcome.seconds:g} s"
    if outcome.status != "ok" or outcome.seconds is None:
        return "error"
    return f"{outcome.seconds:.2f}" if outcome.seconds >= 1 else f"{outcome.seconds:.3f}"


def ratio_cell(outcome: Outcome, floor: Outcome) -> str:
    """How many times the floor this took, or a dash."""
    if outcome.status != "ok" or outcome.seconds is None or not floor.seconds:
        return "—"
    ratio = outcome.seconds / floor.seconds
    return f"x{ratio:.0f}" if ratio >= 100 else f"x{ratio:.1f}"


def version_cell(outcome: Outcome, expected: str) -> str:
    """The computed version; bold when it differs from the one the history implies."""
    if outcome.version is None:
        return "—"
    return outcome.version if outcome.version == expected else f"**{outcome.version}**"


def row(name: str, cells: list[str]) -> str:
    """One Markdown table row."""
    return "| " + " | ".join([name, *cells]) + " |"


def table(columns: list[Column], tools: list[str]) -> list[str]:
    """The table's lines: header, floor row, one row per tool, expected versions."""
    header = []
    for column in columns:
        name = column.repo.spec.name
        header += [f"{name} (s)", "x floor", "next version"]
    lines = [row("tool", header), row("---", ["---:", "---:", "---"] * len(columns))]
    floor_cells = []
    for column in columns:
        floor_cells += [seconds_cell(column.floor), "x1.0" if column.floor.seconds else "—", "—"]
    lines.append(row(FLOOR, floor_cells))
    for tool in tools:
        cells = []
        for column in columns:
            outcome = column.results[tool]
            expected = column.repo.expected
            cells += [
                seconds_cell(outcome),
                ratio_cell(outcome, column.floor),
                version_cell(outcome, expected),
            ]
        lines.append(row(tool, cells))
    lines.append(row("*expected*", [cell for c in columns for cell in ("", "", c.repo.expected)]))
    return lines


def describe(repo: BuiltRepo) -> str:
    """One line on how a repository was built."""
    spec = repo.spec
    return (
        f"- **{spec.name}**: {repo.commits:,} commits, {spec.tags} release tag"
        f"{'' if spec.tags == 1 else 's'} "
        f"(last `{repo.last_tag}`), {spec.unreleased:,} unreleased commits after it "
        f"({spec.tail_bump.value} bump, so the next version is {repo.expected})"
    )


def shown(path: Path) -> str:
    """path relative to the working directory when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def failures(columns: list[Column], tools: list[str]) -> list[str]:
    """A line per failed or timed-out cell, naming its log."""
    lines = []
    for column in columns:
        for tool in tools:
            outcome = column.results[tool]
            if outcome.status != "ok":
                where = f" — log: `{shown(outcome.log)}`" if outcome.log else ""
                lines.append(f"- {tool} on {column.repo.spec.name}: {outcome.status}{where}")
    return lines


def render(columns: list[Column], tools: list[str], context: list[str]) -> str:
    """The whole Markdown report."""
    parts = [*(describe(column.repo) for column in columns), *context, "", *table(columns, tools)]
    notes = failures(columns, tools)
    if notes:
        parts += ["", "Failures:", *notes]
    parts += ["", "Bold versions differ from the version the synthetic history implies."]
    return "\n".join(parts) + "\n"
