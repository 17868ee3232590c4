"""How a new value is written as a YAML scalar so Helm reads it with the intended type.

Helm reads values with go-yaml, which resolves plain scalars by YAML 1.1 rules (`yes`, `on`,
`0x1F`, `012`, `1_000`, sexagesimal `1:20`, timestamps), and other tools use YAML 1.2 (`1e3`); a
plain scalar is only written when no rule of either would read it as anything but a string.
"""

from __future__ import annotations

import re
from enum import Enum

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE"
                   r"|on|On|ON|off|Off|OFF)$")
_INT = re.compile(r"^[-+]?(?:0[bB][0-1_]+|0[oO]?[0-7_]+|0[xX][0-9a-fA-F_]+|[0-9][0-9_]*"
                  r"|[1-9][0-9_]*(?::[0-5]?[0-9])+)$")
_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?$"
                    r"|^[-+]?[0-9][0-9_]*(?:[eE][-+]?[0-9]+)$"
                    r"|^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$"
                    r"|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$")
_TIMESTAMP = re.compile(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
                        r"(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
                        r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?$")
# go-yaml v2 (Helm's reader) drops every `_` from a plain scalar that starts with a digit, a sign or
# a dot, and reads it as a number when Go parses what is left: `8765e10_1` is the float 8.765e104.
_GO_INT = re.compile(r"^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[0-9]+)$")
_GO_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_GO_BINARY = re.compile(r"^(?:0b[-+]?|-0b)[01]+$")  # its own `0b` rule: `0b+1` and `0b-1` are ints too
# a number or boolean that Helm's own `--set` would type so, and every reader reads back as written
# (`0o17` is 15 to go-yaml, `off` is false; Helm's --set takes both as strings)
_KEEPS_TEXT = re.compile(r"^(?:0|-?[1-9][0-9]*|true|false)$")  # not `-0`, which reads as 0
_GO_INT_RANGE = (-(2**63), 2**64 - 1)  # beyond int64 (and uint64), go-yaml v2 reads a float
_SPECIAL = re.compile(r"^(?:<<|=)$")
_PLAIN_START = set("-?:,[]{}#&*!|>'\"%@`")
_NUMBER_START = frozenset("0123456789+-.")


class Kind(Enum):
    """What a plain scalar resolves to."""

    STR = "str"
    NULL = "null"
    BOOL = "bool"
    INT = "int"
    FLOAT = "float"
    TIMESTAMP = "timestamp"


def resolve(text: str) -> Kind:
    """The type a plain scalar would get under YAML 1.1 or 1.2 (the first non-string wins)."""
    for kind, pattern in ((Kind.NULL, _NULL), (Kind.BOOL, _BOOL), (Kind.INT, _INT),
                          (Kind.FLOAT, _FLOAT), (Kind.TIMESTAMP, _TIMESTAMP)):
        if pattern.match(text):
            return kind
    if text[:1] in _NUMBER_START:
        plain = text.replace("_", "")
        if _GO_INT.match(plain) or _GO_BINARY.match(plain):
            return Kind.INT
        if _GO_FLOAT.match(plain):
            return Kind.FLOAT
    return Kind.STR


def plain_is_safe(text: str) -> bool:
    """True when `text` can be written as a plain scalar and still read back as this string."""
    if not text or text != text.strip() or resolve(text) is not Kind.STR or _SPECIAL.match(text):
        return False
    if text[0] == "\ufeff":
        return False  # a byte order mark at the start of a line is read as one, not as text
    if text[0] in _PLAIN_START and not (text[0] in "-?:" and len(text) > 1 and text[1] not in " \t"):
        return False
    if ": " in text or " #" in text or text.endswith(":") or "\t" in text:
        return False
    if not all(_printable(ch) for ch in text) or any(ch in text for ch in "\x85\u2028\u2029"):
        return False
    if "?" in text or text[0] == ":":
        return False  # `?` and a leading `:` break YAML 1.1 readers inside flow collections
    return not any(ch in text for ch in ",[]{}")  # flow indicators: unsafe inside flow collections


def _printable(ch: str) -> bool:
    """YAML's printable set, minus the line breaks a plain or quoted scalar cannot keep raw."""
    code = ord(ch)
    return (code in (0x09,) or 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF
            or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF)


def double_quoted(text: str) -> str:
    out: list[str] = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch in "\x85\u2028\u2029":
            out.append({"\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P"}[ch])
        elif not _printable(ch):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code <= 0xFF else
                       f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def single_quoted(text: str) -> str | None:
    """The single-quoted form, or None when the value needs escapes single quotes cannot hold."""
    if not all(_printable(ch) and ch not in "\t\x85\u2028\u2029" for ch in text):
        return None
    return "'" + text.replace("'", "''") + "'"


def render(text: str, style: str | None, keep_kind: Kind | None = None) -> str:
    """The source for `text` as a scalar in the given style (None: plain, `'`, `"`).

    `keep_kind`: the old plain scalar was a number or a boolean and `text` resolves to the same
    kind, so it stays plain (a replica count stays an integer); otherwise the value is a string.
    Raises ValueError for text no YAML file can hold (a lone surrogate).
    """
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        raise ValueError(f"{text!r} is not Unicode text (a lone surrogate, as from bytes that are not "
                         "UTF-8); no YAML reader accepts it")
    if style == "'":
        return single_quoted(text) or double_quoted(text)
    if style == '"':
        return double_quoted(text)
    if keep_kind is not None and keep_kind is not Kind.STR and resolve(text) is keep_kind \
            and _KEEPS_TEXT.match(text) and (keep_kind is not Kind.INT or _GO_INT_RANGE[0] <= int(text)
                                             <= _GO_INT_RANGE[1]):
        return text
    return text if plain_is_safe(text) else double_quoted(text)
