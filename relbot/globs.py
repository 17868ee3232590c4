"""Glob matching in the dialect semantic-release's configs are written in (micromatch).

Supported: `*` (not across `/`), `**`, `?`, `[...]`, `{a,b}` and the extglobs `+(…)`, `*(…)`, `?(…)`,
`@(…)` with `|` alternatives, which is what branch names and release rules use in practice.
"""

from __future__ import annotations

import re
from functools import lru_cache

_EXTGLOB_SUFFIX = {"+": "+", "*": "*", "?": "?", "@": ""}


@lru_cache(maxsize=256)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """Translate a glob into an anchored regular expression."""
    regex, _ = _translate(pattern, 0, closer=None)
    return re.compile(rf"\A(?:{regex})\Z", re.DOTALL)


def glob_match(value: str, pattern: str) -> bool:
    return compile_glob(pattern).match(value) is not None


def is_glob(pattern: str) -> bool:
    return any(ch in pattern for ch in "*?[{(")


def _translate(pattern: str, i: int, closer: str | None) -> tuple[str, int]:
    out: list[str] = []
    while i < len(pattern):
        ch = pattern[i]
        nxt = pattern[i + 1] if i + 1 < len(pattern) else ""
        if closer is not None and ch in closer:
            return "".join(out), i
        if ch in _EXTGLOB_SUFFIX and nxt == "(":
            inner, end = _alternatives(pattern, i + 2, ")")
            out.append(f"(?:{inner}){_EXTGLOB_SUFFIX[ch]}")
            i = end + 1
        elif ch == "*" and nxt == "*":
            after = pattern[i + 2 : i + 3]
            before = pattern[i - 1 : i] if i else ""
            if after == "/" and before in ("", "/"):
                out.append("(?:.*/)?")  # `**/` also matches no directory at all
                i += 3
            elif after == "" and before == "/" and out and out[-1] == "/":
                out[-1] = "(?:/.*)?"  # `a/**` also matches `a`
                i += 2
            else:
                out.append(".*")
                i += 2
        elif ch == "*":
            out.append("[^/]*")
            i += 1
        elif ch == "?":
            out.append("[^/]")
            i += 1
        elif ch == "{":
            inner, end = _alternatives(pattern, i + 1, "}")
            out.append(f"(?:{inner})")
            i = end + 1
        elif ch == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(ch))
                i += 1
            else:
                body = pattern[i + 1 : end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end + 1
        else:
            out.append(re.escape(ch))
            i += 1
    return "".join(out), i


def _alternatives(pattern: str, i: int, close: str) -> tuple[str, int]:
    separators = "|," if close == "}" else "|"
    parts: list[str] = []
    while True:
        part, i = _translate(pattern, i, closer=separators + close)
        parts.append(part)
        if i >= len(pattern):
            return "|".join(parts), i
        if pattern[i] == close:
            return "|".join(parts), i
        i += 1
