"""What `relbot release` prints and reports: the plan on stdout (text or JSON), progress on
stderr, and in GitHub Actions the outputs, the job summary and the token mask."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from relbot import ghactions, gitauth
from relbot.plan import plan_json, render_plan
from relbot.release import ReleaseResult, release


def run_release(directory: Path, config_path: Path | None, branch: str | None, dry_run: bool, *,
                verbose: int, say: Callable[[str], None], as_json: bool = False,
                strict: bool = False) -> Iterator[str]:
    env = dict(os.environ)
    token = gitauth.find_token(env)
    if token is not None and ghactions.in_actions(env):
        yield ghactions.add_mask(token.value) + "\n"
    result = release(directory, config_path=config_path, branch=branch, dry_run=dry_run, env=env,
                     say=say, strict=strict)
    if as_json:
        yield json.dumps(report(result, dry_run), indent=2, ensure_ascii=False) + "\n"
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
        _outputs(result, env)
    if result.problems:
        raise result.problems[0]


def report(result: ReleaseResult, dry_run: bool) -> dict[str, object]:
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


def _outputs(result: ReleaseResult, env: dict[str, str]) -> None:
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
