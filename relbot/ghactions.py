"""GitHub Actions workflow commands and files: ::error::, ::add-mask::, $GITHUB_OUTPUT."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def in_actions(env: Mapping[str, str]) -> bool:
    return env.get("GITHUB_ACTIONS") == "true"


def pull_request(env: Mapping[str, str]) -> str | None:
    """The pull request a CI run was triggered by (`refs/pull/12/merge`, or the event's name),
    None for any other run."""
    ref = env.get("GITHUB_REF", "")
    if ref.startswith("refs/pull/"):
        return ref
    event = env.get("GITHUB_EVENT_NAME", "")
    return event if event.startswith("pull_request") else None


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def error_annotation(message: str) -> str:
    return f"::error title=relbot::{escape_data(message)}"


def add_mask(secret: str) -> str:
    return f"::add-mask::{escape_data(secret)}"


def output_block(values: Mapping[str, str]) -> str:
    """`name=value` lines, or heredoc blocks with a delimiter that cannot occur in the value."""
    lines: list[str] = []
    for name, value in values.items():
        if "\n" not in value and "\r" not in value:
            lines.append(f"{name}={value}")
            continue
        delimiter = f"RELBOT_EOF_{os.urandom(8).hex()}"
        while delimiter in value:
            delimiter = f"RELBOT_EOF_{os.urandom(8).hex()}"
        lines += [f"{name}<<{delimiter}", value.rstrip("\n"), delimiter]
    return "".join(f"{line}\n" for line in lines)


def set_outputs(env: Mapping[str, str], values: Mapping[str, str]) -> None:
    """Append step outputs to `$GITHUB_OUTPUT` (nothing outside GitHub Actions)."""
    append_file(env.get("GITHUB_OUTPUT"), output_block(values))


def add_summary(env: Mapping[str, str], markdown: str) -> None:
    """Append Markdown to the job summary, `$GITHUB_STEP_SUMMARY`."""
    append_file(env.get("GITHUB_STEP_SUMMARY"), markdown)


def append_file(path: str | None, text: str) -> None:
    if path:
        with Path(path).open("a", encoding="utf-8") as handle:
            handle.write(text)
