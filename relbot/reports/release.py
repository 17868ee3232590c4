"""What `relbot version -v` and `relbot release` show: the commits and why each counts, the plan,
the `--json` report, and the GitHub Actions outputs and job summary."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from relbot import ghactions
from relbot.errors import RelbotError
from relbot.release.commits import Unparsed, breaking_lines
from relbot.release.plan import plan_json, render_plan
from relbot.release.rules import decide
from relbot.release.run import ReleaseResult, release
from relbot.release.version import VersionPlan
from relbot.reports import Command, error_json, mask_token
from relbot.steps import steps_json


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
        if commit.sha in plan.pull_requests:
            say(f"      squash-merged pull request #{plan.pull_requests[commit.sha]}: its title and body "
                "were read as the message")
        for line, counts, why in breaking_lines(commit.message, plan.config.note_keywords):
            say(f"      {'breaking' if counts else 'not breaking'}: {line.strip()[:72]!r} ({why})")


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
            tags = ", ".join(str(p["tag"]) for p in exc.partial.packages) or exc.partial.tag
            say(f"released {tags}, but a later step failed; a rerun finishes it")
            if ghactions.in_actions(env):
                _release_outputs(exc.partial, env)
        raise
    if as_json:
        yield json.dumps(release_report(result, dry_run), indent=2, ensure_ascii=False) + "\n"
    elif dry_run and result.rendered is not None:
        yield result.rendered
    elif dry_run and result.plan is not None and result.progress is not None:
        yield render_plan(result.plan, result.progress, result.needs)
    elif dry_run:
        yield f"nothing to do: {result.reason}\n"
    if result.released and result.packages:
        say("released " + ", ".join(str(p["tag"]) for p in result.packages)
            + (" (finished an earlier, partial run)" if result.resumed else ""))
    elif result.released:
        say(f"released {result.tag}" + (f": {result.release_url}" if result.release_url else "")
            + (" (finished an earlier, partial run)" if result.resumed else ""))
        if verbose:
            say(result.notes)
    elif not dry_run or (result.plan is None and result.rendered is None):
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
    elif result.progress is not None:  # a monorepo's packages
        data["plan"] = {"steps": steps_json(result.progress), "needs": list(result.needs)}
    if result.packages:
        data["packages"] = list(result.packages)
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
        # a monorepo: the released packages, for a build matrix (name, version, tag, path)
        "packages": json.dumps([entry for p in result.packages for entry in p["matrix"]]  # type: ignore[attr-defined]
                               if result.released else []),
    }
    ghactions.set_outputs(env, values)
    if result.released:
        summary = (f"### Released {result.tag}\n\n"
                   + (f"[GitHub release]({result.release_url})\n\n" if result.release_url else "")
                   + result.notes)
    else:
        summary = f"### No release\n\n{result.reason}\n"
    ghactions.add_summary(env, summary)
