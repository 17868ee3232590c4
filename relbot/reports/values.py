"""What `relbot bump-values` shows: the diffs and steps, the `--json` report, and the GitHub Actions
outputs and job summary."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from relbot import ghactions
from relbot.config.files import load_config
from relbot.errors import GitError, RelbotError
from relbot.gitrepo import GitRepo, open_repo
from relbot.reports import Command, error_json, mask_token
from relbot.steps import render_steps, steps_json
from relbot.values.plan import BumpOptions, BumpResult, bump_values


def run_bump(directory: Path, config_path: Path | None, options: BumpOptions, *, as_json: bool,
             say: Callable[[str], None], command: Command) -> Iterator[str]:
    env = dict(os.environ)
    mask_token(env, command)
    repo = _maybe_repo(directory, env)
    try:
        config = load_config(repo.root if repo else directory, None, config_path)
        for warning in config.warnings:
            say(f"warning: {warning}")
        result = bump_values(directory, options, config, env, repo, say)
    except RelbotError as exc:
        if as_json:
            yield error_json(exc)
        raise
    for outcome in result.files:
        for change in outcome.changes:
            where = f"{outcome.path}: {change.path}"
            if result.not_landed and change.changed:
                say(f"{where}: {change.new} not set (see below)")
            elif not change.changed:
                say(f"{where} is already {change.new}")
            elif change.old is None:
                say(f"{where} added: {change.new} (line {change.line})")
            else:
                say(f"{where}: {change.old} → {change.new} (line {change.line})")
    for need in result.needs:
        say(f"the real run needs {need}")
    if result.not_landed:
        say(f"not changed: {result.not_landed}")
    if as_json:
        yield json.dumps(bump_report(result), indent=2, ensure_ascii=False) + "\n"
    elif options.dry_run:
        yield result.plan.diff
        if result.plan.steps:
            yield "\n".join(["steps:", *render_steps(result.progress)]) + "\n"
    if ghactions.in_actions(env):
        _actions_outputs(result, env)


def _maybe_repo(directory: Path, env: dict[str, str]) -> GitRepo | None:
    try:
        return open_repo(directory, env)
    except GitError:
        return None


def bump_report(result: BumpResult) -> dict[str, object]:
    return {
        "changed": result.changed, "dry_run": result.dry_run, "version": result.version,
        "version_source": result.version_source, "commit_sha": result.commit_sha,
        "pushed": result.pushed, "attempts": result.attempts, "pull_request": result.pr_url,
        "not_landed": result.not_landed, "steps": steps_json(result.progress),
        "steps_done": list(result.steps_done), "needs": list(result.needs),
        "changes": [
            {"file": f.path, "path": c.path, "document": c.document + 1, "line": c.line,
             "old": c.old, "new": c.new, "changed": c.changed and result.not_landed is None}
            for f in result.files for c in f.changes
        ],
    }


def _actions_outputs(result: BumpResult, env: dict[str, str]) -> None:
    outputs = {
        "changed": "true" if result.changed else "false", "version": result.version or "",
        "commit-sha": result.commit_sha or "", "pull-request-url": result.pr_url or "",
        "diff": result.diff,
    }
    ghactions.set_outputs(env, outputs)
    rows = ["| file | path | old | new |", "| --- | --- | --- | --- |"]
    rows += [f"| `{f.path}` | `{c.path}` | `{c.old}` | `{c.new}` |"
             for f in result.files for c in f.changes if c.changed]
    title = "### relbot bump-values\n\n"
    if result.changed:
        body = "\n".join(rows)
    elif result.not_landed:
        body = f"Nothing changed: {result.not_landed}."
    else:
        body = "Every value was already set."
    ghactions.add_summary(env, title + body + "\n")
