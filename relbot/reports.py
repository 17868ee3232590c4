"""What a person or GitHub Actions sees of `relbot release` and `relbot bump-values`: the plan on
stdout (text or JSON), progress on stderr, and in GitHub Actions the outputs, the job summary and
the token mask — all taken from what the executor did."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from relbot import ghactions, gitauth
from relbot.config.files import load_config
from relbot.errors import GitError, RelbotError
from relbot.gitrepo import GitRepo, open_repo
from relbot.release.commits import Unparsed, breaking_lines
from relbot.release.plan import plan_json, render_plan
from relbot.release.rules import decide
from relbot.release.run import ReleaseResult, release
from relbot.release.version import VersionPlan
from relbot.steps import render_steps, steps_json
from relbot.values.plan import BumpOptions, BumpResult, bump_values

Command = Callable[[str], None]  # writes a GitHub Actions workflow command where the runner reads it


def mask_token(env: dict[str, str], command: Command) -> None:
    """In GitHub Actions, `::add-mask::` the token before anything can print it."""
    token = gitauth.find_token(env)
    if token is not None and ghactions.in_actions(env):
        command(ghactions.add_mask(token.value))


def explain(plan: VersionPlan, say: Callable[[str], None]) -> None:
    """`-v`: every commit since the last release, the rule it met, and each line that looked like
    a breaking change with why it counted or not."""
    analysis, count = plan.analysis, len(plan.commits)
    say(f"branch {plan.branch} ({plan.branch_type}); last release: "
        f"{plan.previous_tag or 'none'}; {count} commit{'' if count == 1 else 's'} since")
    if analysis is None:
        return
    cancelled = {c.sha for c in analysis.cancelled}
    for commit in plan.commits:
        if isinstance(commit, Unparsed):
            say(f"  {commit.sha[:7]} ignored ({commit.reason}): {commit.header}")
        elif commit.sha in cancelled:
            say(f"  {commit.short_sha} cancelled by a revert in the same range: {commit.header}")
        elif commit in analysis.ignored:
            say(f"  {commit.short_sha} skipped ([skip release]): {commit.header}")
        else:
            decision = decide(commit, plan.config.release_rules)
            say(f"  {commit.short_sha} {decision.bump.label:<5} ({decision.rule}): {commit.header}")
        for line, counts, why in breaking_lines(commit.message, plan.config.note_keywords):
            say(f"      {'breaking' if counts else 'not breaking'}: {line.strip()[:72]!r} ({why})")


def error_json(exc: RelbotError) -> str:
    """The `--json` answer of a run that failed: the error, and the steps done before it."""
    return json.dumps({"error": exc.message, "hint": exc.hint, "exit_code": int(exc.exit_code),
                       "steps_done": list(exc.steps_done)}, indent=2, ensure_ascii=False) + "\n"


def run_release(directory: Path, config_path: Path | None, branch: str | None, dry_run: bool, *,
                verbose: int, say: Callable[[str], None], command: Command, as_json: bool = False,
                strict: bool = False) -> Iterator[str]:
    env = dict(os.environ)
    mask_token(env, command)
    try:
        result = release(directory, config_path=config_path, branch=branch, dry_run=dry_run, env=env,
                         say=say, strict=strict,
                         on_plan=(lambda plan: explain(plan, say)) if verbose else lambda _p: None)
    except RelbotError as exc:
        if as_json:
            yield error_json(exc)
        if isinstance(exc.partial, ReleaseResult) and exc.partial.released:
            say(f"released {exc.partial.tag}, but a later step failed; a rerun finishes it")
            if ghactions.in_actions(env):
                _release_outputs(exc.partial, env)
        raise
    if as_json:
        yield json.dumps(release_report(result, dry_run), indent=2, ensure_ascii=False) + "\n"
    elif dry_run and result.plan is not None and result.progress is not None:
        yield render_plan(result.plan, result.progress, result.needs)
    elif dry_run:
        yield f"nothing to do: {result.reason}\n"
    if result.released:
        say(f"released {result.tag}" + (f": {result.release_url}" if result.release_url else "")
            + (" (finished an earlier, partial run)" if result.resumed else ""))
        if verbose:
            say(result.notes)
    elif not dry_run or result.plan is None:
        say(result.reason)
    for need in result.needs:
        say(f"the real run needs {need}")
    if ghactions.in_actions(env):
        _release_outputs(result, env)
    if result.problems:
        raise result.problems[0]


def release_report(result: ReleaseResult, dry_run: bool) -> dict[str, object]:
    """The `--json` object: the plan with each step's state, and what the executor did."""
    data: dict[str, object] = {
        "dry_run": dry_run, "released": result.released, "reason": result.reason,
        "version": result.version, "tag": result.tag, "previous_version": result.previous_version,
        "commit_sha": result.commit_sha, "release_url": result.release_url,
        "steps_done": list(result.steps_done),
        "problems": [problem.message for problem in result.problems],
    }
    if result.plan is not None and result.progress is not None:
        data["plan"] = plan_json(result.plan, result.progress, result.needs)
    return data


def _release_outputs(result: ReleaseResult, env: dict[str, str]) -> None:
    values = {
        "released": "true" if result.released else "false",
        "version": result.version or "" if result.released else "",
        "tag": result.tag or "" if result.released else "",
        "previous-version": result.previous_version or "",
        "notes": result.notes if result.released else "",
        "release-url": result.release_url or "",
        "commit-sha": result.commit_sha or "",
    }
    ghactions.append_file(env.get("GITHUB_OUTPUT"), ghactions.output_block(values))
    if result.released:
        summary = (f"### Released {result.tag}\n\n"
                   + (f"[GitHub release]({result.release_url})\n\n" if result.release_url else "")
                   + result.notes)
    else:
        summary = f"### No release\n\n{result.reason}\n"
    ghactions.append_file(env.get("GITHUB_STEP_SUMMARY"), summary)


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
    ghactions.append_file(env.get("GITHUB_OUTPUT"), ghactions.output_block(outputs))
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
    ghactions.append_file(env.get("GITHUB_STEP_SUMMARY"), title + body + "\n")
