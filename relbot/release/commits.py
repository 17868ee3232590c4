"""Conventional Commits 1.0 parsing: a message in, a ParsedCommit or an Unparsed out.

The header is `type(scope)!: subject`; footers are `Token: value` or `Token #value` lines in the
trailing paragraphs of the message, so a `BREAKING CHANGE:` that a dependency bot pasted (quoted,
indented, or in the middle of a body) is not this commit's breaking change. Reverts are read in both
the `revert: <header>` and git's `Revert "<header>"` forms.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from relbot.model import Footer, RawCommit, Reference, RevertRef

DEFAULT_NOTE_KEYWORDS: tuple[str, ...] = ("BREAKING CHANGE", "BREAKING-CHANGE")
REFERENCE_ACTIONS = (
    "close", "closes", "closed", "fix", "fixes", "fixed", "resolve", "resolves", "resolved",
)

HEADER_PATTERN = re.compile(  # a leading space or tab and extra spaces after the colon are read, as
    r"^[ \t]*(?P<type>[A-Za-z][A-Za-z0-9_-]*)"  # semantic-release reads them (and projects release)
    r"(?:\((?P<scope>[^()\r\n]*)\))?"
    r"(?P<bang>!)?: [ \t]*(?P<subject>\S.*)$"
)
# conventional-commits-parser's revertPattern, as semantic-release applies it to the whole message:
# git's `Revert "<header>"` (GitHub's squash suffix ` (#12)` then stays in the header) or
# `revert: <header>`, and, before any other line, `This reverts commit <hash>.`
_REVERT = re.compile(r'(?:Revert|revert:)\s"?(?P<header>[\s\S]+?)"?\s*This reverts commit (?P<sha>\w*)\.',
                     re.IGNORECASE)
_HTML_QUOTE_OPEN = re.compile(r"<(?:blockquote|details)\b", re.IGNORECASE)
_HTML_QUOTE_CLOSE = re.compile(r"</(?:blockquote|details)>", re.IGNORECASE)
_FENCE = ("```", "~~~")


class _HtmlQuotes:
    """Whether a body line is inside an HTML `<blockquote>`/`<details>` block, as bots paste
    release notes: a block opens on a line that starts with the tag (prose that mentions one, or a
    code sample, opens nothing) and ends at its closing tag."""

    def __init__(self) -> None:
        self.depth = 0
        self.fenced = False

    def inside(self, line: str) -> bool:
        """Feed the next line; True when it is quoted (the opening line included)."""
        stripped = line.lstrip()
        if stripped.startswith(_FENCE):
            self.fenced = not self.fenced
            return self.depth > 0
        if self.fenced:
            return self.depth > 0
        opened = len(_HTML_QUOTE_OPEN.findall(line)) if _HTML_QUOTE_OPEN.match(stripped) else 0
        was = self.depth
        self.depth = max(0, self.depth + opened - len(_HTML_QUOTE_CLOSE.findall(line)))
        return was > 0 or opened > 0
_REFS_FOOTER_SHA = re.compile(r"\b[0-9a-fA-F]{7,40}\b")
_REFERENCE = re.compile(
    r"(?:(?P<action>\b(?:" + "|".join(REFERENCE_ACTIONS) + r")):?\s+)?"
    r"(?P<owner_repo>\b[\w.-]+/[\w.-]+)?#(?P<issue>\d+)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ParsedCommit:
    """A commit whose header follows Conventional Commits 1.0 (or git's own revert form)."""

    sha: str
    header: str
    type: str | None
    scope: str | None
    subject: str
    breaking_notes: tuple[str, ...]
    revert: RevertRef | None
    message: str
    is_merge: bool = False
    note_keywords: tuple[str, ...] = ("BREAKING CHANGE", "BREAKING-CHANGE")

    @classmethod
    def build(cls, **fields: Any) -> ParsedCommit:
        """Construct without the frozen-dataclass `__setattr__` calls (10x cheaper per field);
        the instance is just as immutable afterwards."""
        commit = cls.__new__(cls)
        commit.__dict__.update(fields)
        return commit

    @cached_property
    def _body_and_footers(self) -> tuple[str, tuple[Footer, ...]]:
        return split_body_and_footers(self.message.partition("\n")[2], self.note_keywords)

    @property
    def body(self) -> str:
        """The free text between the header and the footers."""
        return self._body_and_footers[0]

    @property
    def footers(self) -> tuple[Footer, ...]:
        return self._body_and_footers[1]

    @cached_property
    def references(self) -> tuple[Reference, ...]:
        return find_references(self.message)

    @property
    def breaking(self) -> bool:
        return bool(self.breaking_notes)

    @property
    def short_sha(self) -> str:
        return self.sha[:7]


@dataclass(frozen=True)
class Unparsed:
    """A commit whose message is not a Conventional Commit: ignored for the bump, kept for `-v`."""

    sha: str
    message: str
    reason: str

    @property
    def header(self) -> str:
        return self.message.split("\n", 1)[0]


Commit = ParsedCommit | Unparsed


@lru_cache(maxsize=16)
def _footer_pattern(note_keywords: tuple[str, ...]) -> re.Pattern[str]:
    keywords = "|".join(re.escape(k) for k in sorted(note_keywords, key=len, reverse=True))
    token = rf"(?:{keywords})|[A-Za-z0-9][A-Za-z0-9-]*" if keywords else r"[A-Za-z0-9][A-Za-z0-9-]*"
    return re.compile(rf"^(?P<token>{token})(?P<sep>: | #)(?P<value>.*)$")


def parse_commit(
    raw: RawCommit, note_keywords: Sequence[str] = DEFAULT_NOTE_KEYWORDS
) -> ParsedCommit | Unparsed:
    """Parse one commit message; never raises on any input.

    The header is parsed eagerly; footers only when the message can hold a breaking-change note
    or a revert reference, so reading 100,000 commits stays cheap. Body, footers and references
    are computed on first use.
    """
    message = raw.message
    if "\r" in message:
        message = message.replace("\r\n", "\n")
    if message[:1] == "\n" or message[-1:] == "\n":
        message = message.strip("\n")
    if not message or message.isspace():
        return Unparsed(raw.sha, raw.message, "empty message")
    keywords = note_keywords if isinstance(note_keywords, tuple) else tuple(note_keywords)
    newline = message.find("\n")
    header = message if newline < 0 else message[:newline]
    # The body is only copied out when a footer could matter (a revert or a note keyword).
    has_note = newline >= 0 and any(message.find(k, newline) >= 0 for k in keywords)
    is_revert = header.lstrip(" \t")[:6].lower() == "revert"
    rest = message[newline + 1 :] if newline >= 0 and (has_note or is_revert) else ""
    is_merge = len(raw.parents) > 1
    match = HEADER_PATTERN.match(header)
    footers: tuple[Footer, ...] | None = None
    revert = None
    if is_revert:
        footers = split_body_and_footers(rest, keywords)[1]
        revert = _find_revert(message, match, footers)
    notes: tuple[str, ...] = ()
    written = body_notes(rest, keywords) if has_note else ()  # unquoted column-0 keyword lines
    if written:  # a trailing footer keeps its own text (continuation lines as written)
        if footers is None:
            footers = split_body_and_footers(rest, keywords)[1]
        notes = tuple(f.value for f in footers if f.token in keywords) or written
    if match is None and revert is None and not notes:
        reason = "merge commit without a conventional header" if is_merge else "no `type: subject` header"
        return Unparsed(raw.sha, raw.message, reason)
    if match is not None:
        ctype: str | None = match["type"]
        scope = match["scope"] or None
        subject = match["subject"].rstrip()
        bang = match["bang"] is not None
    else:
        ctype, scope, bang = None, None, False
        subject = header.strip()
    if bang and not notes:
        notes = (subject,)
    return ParsedCommit.build(
        sha=raw.sha,
        header=header.strip(),
        type=ctype,
        scope=scope.strip() if scope else None,
        subject=subject,
        breaking_notes=notes,
        revert=revert,
        message=message,
        is_merge=is_merge,
        note_keywords=keywords,
    )


def body_notes(text: str, note_keywords: tuple[str, ...] = DEFAULT_NOTE_KEYWORDS) -> tuple[str, ...]:
    """Breaking-change notes written as projects write them: a line that starts at column 0 with
    an upper-case note keyword and a colon (`BREAKING CHANGE:`), wherever it stands in the body.

    The note is the rest of that line and the lines after it up to a blank line (when the line
    holds nothing after the colon, as git leaves `BREAKING CHANGE: ⏎`, it is those lines alone).
    Indented, bulleted, quoted (`>`, or inside an HTML `<blockquote>`/`<details>`), `|`-prefixed
    and heading lines, lower case and a missing colon do not count, so a dependency bot's pasted
    release notes never make a major release.
    """
    notes: list[str] = []
    lines = text.split("\n")
    quotes = _HtmlQuotes()
    for index, line in enumerate(lines):
        quoted = quotes.inside(line)
        keyword = None if quoted else _column0_keyword(line, note_keywords)
        if keyword is None:
            continue
        parts = [line[len(keyword) + 1 :].strip()]
        for following in lines[index + 1 :]:
            if not following.strip() and any(parts):
                break
            if _footer_pattern(note_keywords).match(following):
                break
            parts.append(following.strip())
        notes.append("\n".join(part for part in parts if part) or keyword)
    return tuple(notes)


def _column0_keyword(line: str, keywords: Sequence[str]) -> str | None:
    """The note keyword a line starts with, at column 0 and followed by `:` (what counts)."""
    return next((k for k in keywords if line.startswith(f"{k}:")), None)


def breaking_lines(message: str, note_keywords: Sequence[str] = DEFAULT_NOTE_KEYWORDS
                   ) -> tuple[tuple[str, bool, str], ...]:
    """Every line of a message that looks like a breaking change, whether it counts, and why:
    (line, counts, reason), for `-v`. The header's `!` counts; in the body, exactly the lines
    `body_notes` reads."""
    keywords = tuple(note_keywords)
    lines = message.replace("\r\n", "\n").strip("\n").split("\n")
    found: list[tuple[str, bool, str]] = []
    header = HEADER_PATTERN.match(lines[0])
    if header is not None and header["bang"]:
        found.append((lines[0], True, "`!` before the colon of the header"))
    words = {re.sub(r"[\s-]+", " ", k).lower() for k in keywords}
    quotes = _HtmlQuotes()
    for line in lines[1:]:
        quoted = quotes.inside(line)
        if not any(word in re.sub(r"[\s-]+", " ", line).lower() for word in words):
            continue
        found.append((line, *_why_breaking(line, keywords, quoted)))
    return tuple(found)


def _why_breaking(line: str, keywords: tuple[str, ...], in_html_quote: bool) -> tuple[bool, str]:
    if in_html_quote:
        return False, "inside an HTML <blockquote> or <details> block: quoted notes"
    keyword = _column0_keyword(line, keywords)
    if keyword is not None:
        return True, f"`{keyword}:` at column 0"
    stripped = line.lstrip()
    reasons = (
        (line[:1] in (" ", "\t"), "indented"),
        (stripped[:1] == ">", "quoted with `>`"),
        (stripped[:1] in ("*", "-", "+") and stripped[1:2] == " ", "a list item"),
        (stripped[:1] == "#", "a Markdown heading"),
        (stripped[:1] == "|", "`|`-prefixed (a table or pasted block)"),
    )
    for applies, reason in reasons:
        if applies:
            return False, f"{reason}: not a line of this commit's own"
    if any(line.upper().startswith(k.upper()) for k in keywords) and \
            not any(line.startswith(k) for k in keywords):
        return False, "the token must be upper case"
    if any(line.startswith(k) for k in keywords):
        return False, "no colon right after the token"
    return False, "the token is not at the start of the line"


def split_body_and_footers(
    text: str, note_keywords: tuple[str, ...] = DEFAULT_NOTE_KEYWORDS
) -> tuple[str, tuple[Footer, ...]]:
    """Split what follows the header into the body and the trailing footers.

    Footers are the trailing paragraphs whose first line is a `Token: value` / `Token #value` line;
    other lines inside those paragraphs continue the previous footer's value.
    """
    pattern = _footer_pattern(note_keywords)
    paragraphs = _paragraphs(text)
    start = len(paragraphs)
    while start > 0 and pattern.match(paragraphs[start - 1][0]):
        start -= 1
    footers: list[Footer] = []
    for paragraph in paragraphs[start:]:
        for line in paragraph:
            found = pattern.match(line)
            if found:
                footers.append(Footer(found["token"], found["value"].strip()))
            else:
                last = footers[-1]
                footers[-1] = Footer(last.token, f"{last.value}\n{line}".strip())
    body = "\n\n".join("\n".join(p) for p in paragraphs[:start])
    return body, tuple(footers)


def _paragraphs(text: str) -> list[list[str]]:
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in text.split("\n"):
        if line.strip():
            current.append(line.rstrip())
        elif current:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    return paragraphs


def _find_revert(
    message: str, match: re.Match[str] | None, footers: tuple[Footer, ...]
) -> RevertRef | None:
    """What a revert says it reverts, as semantic-release reads it; also the Conventional Commits
    FAQ's `revert: <header>` with a `Refs: <hash>` footer, which semantic-release does not read."""
    found = _REVERT.match(message.lstrip(" \t"))
    if found is not None:
        return RevertRef(header=found["header"].strip(), sha=found["sha"])
    if match is None or match["type"].lower() != "revert" or match["scope"] is not None \
            or match["bang"] is not None:  # `revert(scope): x` names no commit for semantic-release either
        return None
    for footer in footers:
        if footer.token.lower() == "refs" and (sha := _REFS_FOOTER_SHA.search(footer.value)):
            target = match["subject"].strip()
            if len(target) >= 2 and target[0] == target[-1] == '"':
                target = target[1:-1]
            return RevertRef(header=target, sha=sha.group(0))
    return None  # names no commit: a plain `revert` type, as semantic-release reads it


def find_references(message: str) -> tuple[Reference, ...]:
    """Issue references anywhere in the message (`#12`, `closes #7`, `acme/widget#3`), as
    conventional-commits-parser finds them, except on quoted lines (`> …`) that bots paste."""
    seen: set[tuple[str, str | None]] = set()
    found: list[Reference] = []
    for line in message.split("\n"):
        if "#" not in line or line.lstrip().startswith(">"):
            continue
        for ref in _REFERENCE.finditer(line):
            key = (ref["issue"], ref["owner_repo"])
            if key in seen:
                continue
            seen.add(key)
            action = ref["action"].lower() if ref["action"] else None
            found.append(Reference(issue=ref["issue"], action=action, owner_repo=ref["owner_repo"]))
    return tuple(found)


def parse_all(
    commits: Sequence[RawCommit], note_keywords: Sequence[str] = DEFAULT_NOTE_KEYWORDS
) -> list[ParsedCommit | Unparsed]:
    """Parse every commit, keeping their order."""
    keywords = tuple(note_keywords)
    return [parse_commit(raw, keywords) for raw in commits]
