"""relbot as a library: the one facade over both products.

Every function takes the repository (or the text) first and keyword options after, returns a
result and never prints; messages for people travel in the result or through `say`. Errors are
RelbotError subclasses (relbot.errors) whose `exit_code` the CLI uses.

- `plan_version(path, ...)` → VersionPlan: the next release (`relbot version`).
- `changelog(path, ...)` → str: a whole changelog from every release tag (`relbot changelog --full`).
- `release(path, ...)` → ReleaseResult: the release, or with `dry_run=True` its plan (`relbot release`).
- `bump_values(path, options, config, ...)` → BumpResult: set values, commit, push (`relbot bump-values`).
- `edit_values(text, edits, ...)` → EditResult: the byte-exact YAML edit alone, no git.
- `load_config(root, ...)` → Config.
"""

from __future__ import annotations

from relbot.config.files import load_config
from relbot.config.options import Config
from relbot.gitrepo import detect_branch
from relbot.release.run import ReleaseResult, release
from relbot.release.version import VersionPlan, full_changelog, notes_for_tag, plan_version, release_date
from relbot.values.edit import EditResult, SetImage, SetValue, edit_values
from relbot.values.plan import BumpOptions, BumpResult, bump_values

changelog = full_changelog

__all__ = [
    "BumpOptions", "BumpResult", "Config", "EditResult", "ReleaseResult", "SetImage", "SetValue",
    "VersionPlan", "bump_values", "changelog", "detect_branch", "edit_values", "full_changelog",
    "load_config", "notes_for_tag", "plan_version", "release", "release_date",
]
