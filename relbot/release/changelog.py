"""Release notes and CHANGELOG.md text: values in, text out.

The notes follow the Markdown that conventional-changelog's `conventionalcommits` writer produces
(what semantic-release's release-notes-generator prints with that preset). Updating a changelog
inserts the new section under the title and keeps every other byte; the same version twice replaces
its own section.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

import semver

from relbot.config.options import TypeSection
from relbot.release.commits import ParsedCommit

# The conventionalcommits writer links `#` + [a-z0-9]+ anywhere in a subject, and lower-case
# `@user` mentions outside backticks; these patterns do the same, byte for byte.
_ISSUE_IN_SUBJECT = re.compile(r"(?P<owner_repo>\b[\w.-]+/[\w.-]+)?#(?P<issue>[a-z0-9]+)")
_MENTION_OR_CODE = re.compile(r"`[^`]*`|\B@(?P<user>[a-z0-9](?:-?[a-z0-9/]){0,38})")
_VERSION_HEADING = re.compile(r"^#{1,3} \[?v?(?P<version>\d+\.\d+\.\d+[^\]\s]*)\]?(?:\(| |$)")


class ReleaseContext(NamedTuple):
    """What a notes heading needs: the version, tags, date and where links point."""

    version: str
    tag: str
    previous_tag: str | None
    date: str  # YYYY-MM-DD
    repository_url: str | None  # https://host/owner/repo, without .git
    link_compare: bool = True
    link_references: bool = True


def render_notes(
    context: ReleaseContext, commits: Sequence[ParsedCommit], types: Sequence[TypeSection],
    preset: str = "conventionalcommits",
) -> str:
    """The release notes for one release, ending with a newline, in the format of the notes
    generator's preset: `conventionalcommits` (with `types`) or `angular` (its fixed sections)."""
    if preset == "angular":
        return _render_angular(context, commits)
    lines = [_heading(context), ""]
    breaking = _breaking_notes(commits, context)
    if breaking:
        lines += ["### ⚠ BREAKING CHANGES", "", *breaking, ""]
    for section, members in _sections(commits, types, context):
        lines += [f"### {section}", ""] if section else []  # no type, no heading: as the writer
        lines += [_commit_line(commit, context) for commit in members]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _heading(context: ReleaseContext, level: str = "##") -> str:
    url = context.repository_url
    if url and context.previous_tag and context.link_compare:
        compare = f"{url}/compare/{context.previous_tag}...{context.tag}"
        return f"{level} [{context.version}]({compare}) ({context.date})"
    return f"{level} {context.version} ({context.date})"


# The angular writer's sections: these types always, the others only with a breaking change.
_ANGULAR_SECTIONS = {"feat": "Features", "fix": "Bug Fixes", "perf": "Performance Improvements"}
_ANGULAR_NOTED = {"docs": "Documentation", "style": "Styles", "refactor": "Code Refactoring",
                  "test": "Tests", "build": "Build System", "ci": "Continuous Integration"}


def _render_angular(context: ReleaseContext, commits: Sequence[ParsedCommit]) -> str:
    """conventional-changelog-angular's notes: `#` heading (`##` for a patch), sections sorted by
    title, each after two blank lines, then `### BREAKING CHANGES`."""
    patch = semver.Version.parse(context.version).patch != 0
    groups: dict[str, list[ParsedCommit]] = {}
    for commit in commits:
        title = _ANGULAR_SECTIONS.get(commit.type or "")
        if title is None and (commit.type == "revert" or commit.revert is not None):
            title = "Reverts"
        if title is None and not commit.breaking:
            continue
        if title is None:
            title = _ANGULAR_NOTED.get(commit.type or "", commit.type or "")
        groups.setdefault(title, []).append(commit)
    text = _heading(context, "##" if patch else "#") + "\n\n"
    for title in sorted(groups, key=_collation_key):
        text += f"\n### {title}\n\n" if title else "\n"
        members = sorted(groups[title], key=lambda c: _sort_key(c, context))
        text += "".join(_commit_line(c, context, angular=True) + "\n" for c in members) + "\n"
    breaking = _breaking_notes(commits, context)
    if breaking:
        text += "\n### BREAKING CHANGES\n\n" + "".join(f"{note}\n" for note in breaking)
    return text.rstrip("\n") + "\n"


def _collation_key(text: str) -> tuple[tuple[int, str], ...]:
    """An approximation of JavaScript's localeCompare (ICU root collation): punctuation and
    spaces before digits before letters, letters compared without case first."""
    def rank(char: str) -> int:
        if char.isalpha():
            return 3
        if char.isdigit():
            return 2
        return 1 if not char.isspace() else 0
    return (*((rank(c), c.casefold()) for c in text), (9, ""), *((0, c.swapcase()) for c in text))


def _sort_key(commit: ParsedCommit, context: ReleaseContext) -> tuple[tuple[int, str], ...]:
    """The writer sorts a section by scope + subject (as rendered), with localeCompare."""
    subject = commit.subject if commit.type is not None else commit.header
    return _collation_key((_scope(commit) or "") + _linkify(subject, context))


def _scope(commit: ParsedCommit) -> str | None:
    """The scope as the writer shows it: `*` (every scope) is shown as none."""
    return commit.scope if commit.scope != "*" else None


def _breaking_notes(commits: Sequence[ParsedCommit], context: ReleaseContext) -> list[str]:
    """Breaking-change notes in commit order (newest first), as the writer lists them."""
    del context
    notes: list[str] = []
    for commit in commits:
        scope = f"**{_scope(commit)}:** " if _scope(commit) else ""
        notes.extend(f"* {scope}{text}" for text in commit.breaking_notes)
    return notes


def _sections(
    commits: Sequence[ParsedCommit], types: Sequence[TypeSection], context: ReleaseContext
) -> list[tuple[str, list[ParsedCommit]]]:
    order: list[str] = []
    for section_type in types:
        if section_type.section not in order:
            order.append(section_type.section)
    grouped: dict[str, list[ParsedCommit]] = {}
    for commit in commits:
        ctype = _notes_type(commit)
        entry = _type_entry(types, ctype, commit.scope) if ctype else None
        if (entry is None or entry.hidden) and not commit.breaking:
            continue
        section = entry.section if entry else (commit.type or "")
        grouped.setdefault(section, []).append(commit)
    extra = [s for s in grouped if s not in order]  # unknown sections rank first, as in the writer
    return [(s, sorted(grouped[s], key=lambda c: _sort_key(c, context)))
            for s in extra + order if s in grouped]


def _type_entry(types: Sequence[TypeSection], ctype: str, scope: str | None) -> TypeSection | None:
    """The first `presetConfig.types` entry for the type, and for the commit's scope when the
    entry names one (as the writer finds it)."""
    return next((t for t in types if t.type == ctype and (t.scope is None or t.scope == scope)), None)


def _notes_type(commit: ParsedCommit) -> str | None:
    if commit.type is None and commit.revert is not None:
        return "revert"
    return commit.type.lower() if commit.type else None


def _commit_line(commit: ParsedCommit, context: ReleaseContext, *, angular: bool = False) -> str:
    scope = f"**{_scope(commit)}:** " if _scope(commit) else ""
    subject = commit.subject if commit.type is not None else commit.header
    text = _linkify(subject, context)
    url = context.repository_url
    bare = f" {commit.short_sha}" if angular else f" ({commit.short_sha})"  # no link: as each writes it
    link = f" ([{commit.short_sha}]({url}/commit/{commit.sha}))" if url else bare
    in_subject = {(m["owner_repo"], m["issue"]) for m in _ISSUE_IN_SUBJECT.finditer(subject)}
    others = [r for r in commit.references if (r.owner_repo, r.issue) not in in_subject]
    closes = ""
    if others:
        closes = ", closes" + "".join(f" {_issue_link(r.owner_repo, r.issue, context)}" for r in others)
    return f"* {scope}{text}{link}{closes}"


def _issue_link(owner_repo: str | None, issue: str, context: ReleaseContext) -> str:
    label = f"{owner_repo or ''}#{issue}"
    if not context.repository_url or not context.link_references:
        return label
    base = context.repository_url
    if owner_repo:
        base = f"{base.rsplit('/', 2)[0]}/{owner_repo}"
    return f"[{label}]({base}/issues/{issue})"


def _linkify(text: str, context: ReleaseContext) -> str:
    """Issue links and user links in a subject (done even without linkReferences, as upstream)."""
    url = context.repository_url
    if not url:
        return text
    host = url.rsplit("/", 2)[0]
    text = _ISSUE_IN_SUBJECT.sub(  # `other/repo#1` is issue 1 of other/repo, not of this repository
        lambda m: f"[{m.group(0)}]({host}/{m['owner_repo']}/issues/{m['issue']})" if m["owner_repo"]
        else f"[#{m['issue']}]({url}/issues/{m['issue']})", text)

    def user(match: re.Match[str]) -> str:
        name = match["user"]
        if not name:
            return match.group(0)
        return f"@{name}" if "/" in name else f"[@{name}]({host}/{name})"

    return _MENTION_OR_CODE.sub(user, text)


def update_changelog(existing: str, notes: str, version: str, title: str | None) -> str:
    """Insert (or replace) the section for `version`, keeping every other byte."""
    newline = "\r\n" if "\r\n" in existing else "\n"
    section = notes.strip("\n").replace("\n", newline) + newline
    span = _section_span(existing, version)
    if span is not None:
        start, end = span
        tail = existing[end:]
        return existing[:start] + section + (newline if tail else "") + tail
    if not existing.strip():
        head = f"{title}{newline}{newline}" if title else ""
        return head + section
    first = _first_heading(existing)
    if first is not None:  # below the title and any introduction, above the newest release
        return existing[:first] + section + newline + existing[first:]
    if title and existing.startswith(title) and existing[len(title):][:1] in ("", "\r", "\n"):
        return _after_title(existing, title, section, newline)
    if title:
        return f"{title}{newline}{newline}{section}{newline}{existing}"
    return f"{section}{newline}{existing}"


def _after_title(existing: str, title: str, section: str, newline: str) -> str:
    rest = existing[len(title):]
    body = rest.lstrip("\r\n")
    gap = rest[: len(rest) - len(body)]
    if newline + newline not in gap:
        gap = newline + newline
    return existing[: len(title)] + gap + section + (newline + body if body else "")


def _first_heading(text: str) -> int | None:
    offset = 0
    for line in text.splitlines(keepends=True):
        if _VERSION_HEADING.match(line.rstrip("\r\n")):
            return offset
        offset += len(line)
    return None


def _section_span(text: str, version: str) -> tuple[int, int] | None:
    """Byte offsets of the existing section for `version` (heading to the next version heading)."""
    start: int | None = None
    offset = 0
    for line in text.splitlines(keepends=True):
        found = _VERSION_HEADING.match(line.rstrip("\r\n"))
        if found and start is not None:
            return start, offset
        if found and found["version"] == version:
            start = offset
        offset += len(line)
    return (start, len(text)) if start is not None else None
