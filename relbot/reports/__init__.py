"""What a person or GitHub Actions sees of `relbot release` and `relbot bump-values`: the plan on
stdout (text or JSON), progress on stderr, and in GitHub Actions the outputs, the job summary and
the token mask — all taken from what the executor did. One module per product (`release`,
`values`), so that `bump-values` never imports the release modules; what both use is here."""

from __future__ import annotations

import json
from collections.abc import Callable

from relbot import ghactions, gitauth
from relbot.errors import RelbotError

Command = Callable[[str], None]  # writes a GitHub Actions workflow command where the runner reads it


def mask_token(env: dict[str, str], command: Command) -> None:
    """In GitHub Actions, `::add-mask::` the token before anything can print it."""
    token = gitauth.find_token(env)
    if token is not None and ghactions.in_actions(env):
        command(ghactions.add_mask(token.value))


def error_json(exc: RelbotError) -> str:
    """The `--json` answer of a run that failed: the error, and the steps done before it."""
    return json.dumps({"error": exc.message, "hint": exc.hint, "exit_code": int(exc.exit_code),
                       "steps_done": list(exc.steps_done)}, indent=2, ensure_ascii=False) + "\n"
