"""What `relbot bump-values` and `relbot rollback` show: the diffs and steps, the `--json` report,
and the GitHub Actions outputs and job summary."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from relbot import ghactions, redact
from relbot.config.files import load_config
from relbot.config.options import Config
from relbot.errors import GitError, RelbotError
from relbot.gitrepo import GitRepo, open_repo
from relbot.reports import Command, error_json, mask_token
from relbot.steps import render_steps, steps_json
from relbot.values.plan import BumpOptions, BumpResult, bump_values

if TYPE_CHECKING:
    from relbot.values.rollback import RollbackOptions


def run_bump(directory: Path, config_path: Path | None, options: BumpOptions, *, as_json: bool,
             say: Callable[[str], None], command: Command) -> Iterator[str]:
    env = dict(os.environ)
    mask_token(env, command)
    repo = _maybe_repo(directory, env)
    try:
        config = _config(repo.root if repo else directory, config_path, say)
        result = bump_values(directory, options, config, env, repo, say)
    except RelbotError as exc:
        if as_json:
            yield error_json(exc)
        raise
    yield from _report(result, say, as_json=as_json, dry_run=options.dry_run, report=bump_report(result))
    if ghactions.in_actions(env):
        _actions_outputs(result, env)


def run_rollback(directory: Path, config_path: Path | None, options: RollbackOptions, *,
                 as_json: bool, say: Callable[[str], None], command: Command) -> Iterator[str]:
    from relbot.values.deploys import summary  # noqa: PLC0415 - bump-values never needs it
    from relbot.values.rollback import rollback  # noqa: PLC0415

    env = dict(os.environ)
    mask_token(env, command)
    try:
        repo = open_repo(directory, env)
        result = rollback(directory, options, _config(repo.root, config_path, say), env, repo, say)
    except RelbotError as exc:
        if as_json:
            yield error_json(exc)
        raise
    versions = (result.release or summary(result.target), summary(result.current))  # to, from
    report = bump_report(result.outcome)
    report["rollback"] = {
        "from": {"commit": result.current.commit, "version": versions[1]},
        "to": {"commit": None if result.release else result.target.commit, "version": versions[0],
               "tag": result.target.commit if result.release else None, "release": result.release},
        "reason": redact.redact(result.reason) if result.reason else None,
    }
    yield from _report(result.outcome, say, as_json=as_json, dry_run=options.dry_run, report=report)
    if ghactions.in_actions(env):
        reason = f": {redact.redact(result.reason)}" if result.reason else ""
        lead = f"From {versions[1]} to {versions[0]}{reason}"
        _actions_outputs(result.outcome, env, title="relbot rollback", versions=versions, lead=lead)


def _report(result: BumpResult, say: Callable[[str], None], *, as_json: bool, dry_run: bool,
            report: dict[str, object]) -> Iterator[str]:
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
        yield json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    elif dry_run:
        yield result.plan.diff
        if result.plan.steps:
            yield "\n".join(["steps:", *render_steps(result.progress)]) + "\n"


def _config(root: Path, config_path: Path | None, say: Callable[[str], None]) -> Config:
    config = load_config(root, None, config_path)
    for warning in config.warnings:
        say(f"warning: {warning}")
    return config


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


def _actions_outputs(result: BumpResult, env: dict[str, str], *, title: str = "relbot bump-values",
                     versions: tuple[str, str] | None = None, lead: str = "") -> None:
    """The step outputs and the job summary; `versions`: a rollback's (to, from), `lead`: a line
    above the table."""
    outputs = {
        "changed": "true" if result.changed else "false", "version": result.version or "",
        "commit-sha": result.commit_sha or "", "pull-request-url": result.pr_url or "",
        "diff": result.diff,
    }
    if versions is not None:
        outputs["version"], outputs["previous-version"] = versions
    ghactions.set_outputs(env, outputs)
    rows = ["| file | path | old | new |", "| --- | --- | --- | --- |"]
    rows += [f"| `{f.path}` | `{c.path}` | `{c.old}` | `{c.new}` |"
             for f in result.files for c in f.changes if c.changed]
    if result.changed:
        body = "\n".join(rows)
    elif result.not_landed:
        body = f"Nothing changed: {result.not_landed}."
    else:
        body = "Every value was already set."
    ghactions.add_summary(env, f"### {title}\n\n" + (f"{lead}\n\n" if lead else "") + f"{body}\n")
