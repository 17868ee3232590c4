"""semantic-release's message placeholders (`${nextRelease.version}` and friends), rendered
without running JavaScript; an unknown placeholder is an error, never silently left in."""

from __future__ import annotations

import re
from collections.abc import Mapping

from relbot.errors import ConfigError

# `${name}`, and lodash's `<%= name %>` that the github plugin's defaults use; only a plain name
# (no JavaScript expression) is filled
_PLACEHOLDER = re.compile(r"\$\{\s*([A-Za-z_][\w.]*)\s*\}|<%=\s*([A-Za-z_][\w.]*)\s*%>")
_EXPRESSION = re.compile(r"<%.*?%>", re.DOTALL)
_OTHER_DOLLAR = re.compile(r"\$\{[^}]*\}?")  # `${a.split(".")[0]}`: JavaScript, not a placeholder
SKIP_CI = re.compile(r"\[(?:skip ci|ci skip|no ci|skip actions|actions skip)\]", re.IGNORECASE)


def render(template: str, values: Mapping[str, str], where: str) -> str:
    """Replace `${name}` placeholders; `where` names the option for the error message."""

    known = ", ".join(f"${{{k}}}" for k in sorted(values))

    def one(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name not in values:
            raise ConfigError(f"{where}: unknown placeholder {match.group(0)}",
                              f"relbot fills {known}; JavaScript expressions are not run")
        return values[name]

    rest = _PLACEHOLDER.sub("", template)
    expression = _EXPRESSION.search(rest) or _OTHER_DOLLAR.search(rest)
    if expression is not None:
        raise ConfigError(f"{where}: {expression.group(0)} is a JavaScript expression, which relbot "
                          "does not run", f"use plain placeholders: relbot fills {known}")
    return _PLACEHOLDER.sub(one, template)


def release_values(version: str, tag: str, notes: str, last_version: str | None,
                   last_tag: str | None, branch: str, channel: str | None = None) -> dict[str, str]:
    return {
        "nextRelease.version": version, "nextRelease.gitTag": tag, "nextRelease.notes": notes,
        "nextRelease.name": tag, "nextRelease.channel": channel or "",
        "lastRelease.version": last_version or "", "lastRelease.gitTag": last_tag or "",
        "branch.name": branch, "version": version,
    }


def skip_ci_warning(message: str) -> str | None:
    found = SKIP_CI.search(message)
    if found is None:
        return None
    return (f"the release commit message contains {found.group(0)}: GitHub Actions skips every "
            "workflow for a push whose head commit says so — the push of the release tag too, so a "
            "tag-triggered image build will not run. Drop it from the git plugin's `message` and "
            "keep the release workflow from re-running with `if: \"!startsWith("
            "github.event.head_commit.message, 'chore(release):')\"` instead")
