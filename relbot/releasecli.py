"""What `relbot release` prints and reports: the dry-run plan on stdout, progress on stderr,
and in GitHub Actions the outputs, the job summary and the token mask."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

from relbot import ghactions, gitauth
from relbot.plan import render_plan
from relbot.release import ReleaseResult, release


def run_release(directory: Path, config_path: Path | None, branch: str | None, dry_run: bool, *,
                verbose: int, say: Callable[[str], None]) -> Iterator[str]:
    env = dict(os.environ)
    token = gitauth.find_token(env)
    if token is not None and ghactions.in_actions(env):
        yield ghactions.add_mask(token.value) + "\n"
    result = release(directory, config_path=config_path, branch=branch, dry_run=dry_run, env=env,
                     say=say)
    if dry_run and result.plan is not None:
        yield render_plan(result.plan)
    elif result.released:
        say(f"released {result.tag}" + (f": {result.release_url}" if result.release_url else "")
            + (" (finished an earlier, partial run)" if result.resumed else ""))
        if verbose:
            say(result.notes)
    else:
        say(result.reason)
    if ghactions.in_actions(env):
        _outputs(result, env)


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
