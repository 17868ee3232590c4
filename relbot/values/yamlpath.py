"""Paths into YAML documents: `a.b[0].c`, `podAnnotations."app.kubernetes.io/version"`, and yq's
own spellings (`.imprun-server.image.tag`, `.["imprun-server"].image.tag`). Text in, keys out."""

from __future__ import annotations

import re

from relbot.errors import InputError

PathPart = str | int
_PLAIN_KEY = re.compile(r"[^.\[\]\"']+")
_SAFE_KEY = re.compile(r"^[A-Za-z0-9_/-]+$")


def parse_path(text: str) -> tuple[PathPart, ...]:
    """Split a path into mapping keys (str) and list indices (int)."""
    source = text.strip()
    if source.startswith(".."):
        raise _bad(text, "`..`, which in yq searches at any depth; relbot sets one exact path")
    if source.startswith("."):
        source = source[1:]
    parts: list[PathPart] = []
    i = 0
    while i < len(source):
        ch = source[i]
        if ch == ".":
            if i + 1 >= len(source) or source[i + 1] == ".":
                raise _bad(text, "an empty key between dots")
            i += 1
            continue
        if ch == "[":
            part, i = _bracket(text, source, i)
        elif ch in "\"'":
            part, i = _quoted(text, source, i)
        else:
            found = _PLAIN_KEY.match(source, i)
            if found is None:
                raise _bad(text, f"an unexpected {ch!r}")
            part, i = found.group(0), found.end()
        parts.append(part)
        if i < len(source) and source[i] not in ".[":
            raise _bad(text, f"an unexpected {source[i]!r} after {part!r}")
    if not parts:
        raise _bad(text, "no keys")
    return tuple(parts)


def _bracket(text: str, source: str, i: int) -> tuple[PathPart, int]:
    if i + 1 < len(source) and source[i + 1] in "\"'":
        key, end = _quoted(text, source, i + 1)
        if end >= len(source) or source[end] != "]":
            raise _bad(text, "a quoted key in [] without its closing ]")
        return key, end + 1
    end = source.find("]", i)
    if end < 0:
        raise _bad(text, "a [ without its ]")
    inner = source[i + 1 : end].strip()
    if not inner.lstrip("-").isdigit():
        raise _bad(text, f"[{inner}]: an index must be a number; quote keys as [\"key\"]")
    return int(inner), end + 1


def split_assignment(text: str) -> tuple[str, str] | None:
    """`PATH=VALUE` split at the first `=` outside a quoted key (`a."b=c".d=1`); None without one."""
    quote: str | None = None
    i = 0
    while i < len(text):
        ch = text[i]
        if quote is not None:
            if ch == "\\" and quote == '"':
                i += 2
                continue
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "=":
            return text[:i], text[i + 1 :]
        i += 1
    return None


def _quoted(text: str, source: str, i: int) -> tuple[str, int]:
    quote = source[i]
    out: list[str] = []
    j = i + 1
    while j < len(source):
        ch = source[j]
        if ch == "\\" and quote == '"' and j + 1 < len(source):
            out.append(source[j + 1])
            j += 2
            continue
        if ch == quote:
            return "".join(out), j + 1
        out.append(ch)
        j += 1
    raise _bad(text, f"an unterminated {quote} quote")


def _bad(text: str, what: str) -> InputError:
    return InputError(
        f"path {text!r} has {what}",
        'write paths as a.b[0].c, quote keys with dots: a."b.c", or use yq\'s .a["b.c"].c',
    )


def format_path(parts: tuple[PathPart, ...]) -> str:
    """`imprun-server.image.tag`, `containers[0].image`, `podAnnotations."a.b/c"`."""
    out: list[str] = []
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
            continue
        key = part if _SAFE_KEY.match(part) else '"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"'
        out.append(f".{key}" if out else key)
    return "".join(out)
