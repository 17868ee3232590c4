"""Properties of `edit_values` on generated YAML text.

The documents are built here as text, piece by piece, so the span of every scalar is known
without asking a YAML library: nested block mappings and sequences, flow leaves, keys of varied
characters, plain/single/double-quoted scalars, comments on their own lines and after values,
blank lines, 2/4-space (and zero-indented) blocks, optional CRLF and an optional BOM. One scalar
leaf is set to a new value, often a type-ambiguous one, and then:

(a) every byte before and after the replaced scalar is unchanged;
(b) ruamel.yaml's safe loader (YAML 1.1 rules, as Helm's go-yaml reads values) reads both texts
    to the same data except at that path, where it reads the new value as a string, or as the
    same int/bool when the old plain scalar was an int/bool and the new value is one too;
(c) the same edit applied again changes nothing.
"""

from __future__ import annotations

import functools
import re
import warnings
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relbot.values.edit import SetValue, edit_values
from relbot.values.yamlpath import PathPart

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Characters YAML cannot hold raw, or that are line breaks to YAML 1.1 readers: kept out of the
# generated documents (new values may hold any of them but LS/PS, a known bug tested below).
_EXCLUDED = "\x85\u2028\u2029\ufeff\ufffe\uffff"
# ruamel's YAML 1.1 reading of these differs from go-yaml's (`0o17` is 15, `09` is 9 there), so an
# old plain value like them has no one type to keep.
_GO_DIFFERS = re.compile(r"[-+]?0o[0-7_]*|[-+]?0[0-9_]*[89][0-9_]*")
_TEXT = st.characters(exclude_categories=("Cs", "Cc"), exclude_characters=_EXCLUDED)


@functools.cache
def _loader(version: tuple[int, int]) -> Any:
    from ruamel.yaml import YAML  # noqa: PLC0415

    loader = YAML(typ="safe", pure=True)
    if version == (1, 1):
        loader.version = version
    return loader


def load_all(text: str, version: tuple[int, int] = (1, 1)) -> list[Any]:
    """ruamel.yaml's safe loader; YAML 1.1 (Helm's go-yaml reads values so) unless told 1.2."""
    from ruamel.yaml.error import MantissaNoDotYAML1_1Warning  # noqa: PLC0415

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MantissaNoDotYAML1_1Warning)  # a plain `1e3` is fine here
        return list(_loader(version).load_all(text))


# --- scalars -------------------------------------------------------------------------------------

def double_quote(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\n":
            out.append("\\n")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def single_quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


PLAIN_OLD = st.one_of(
    st.sampled_from([
        "1.10", "1.9", "yes", "no", "on", "Off", "true", "False", "3", "0", "-7", "012", "0x1F",
        "1e3", "1:20", "2024-01-01", ".inf", "~", "null", "1.2.3", "v1.2.3", "nginx", "512Mi",
        "ghcr.io/acme/api:1.0", "a b", "café", "x:y", "-x", "http://example.com/a?b=c", "日本",
        "1.2.3@sha256:0123456789abcdef0123456789abcdef", "a#b", "it's", 'say "hi"',
    ]),
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._/@+-]{0,10}", fullmatch=True),
    st.from_regex(r"[A-Za-z][a-z0-9]{0,5}( [a-z0-9]{1,4}){1,2}", fullmatch=True),
).filter(lambda v: not _GO_DIFFERS.fullmatch(v))
LINE_TEXT = st.text(_TEXT, max_size=10)
DQ_TEXT = st.text(st.one_of(_TEXT, st.sampled_from("\t\n\"\\")), max_size=10)


def flow_unsafe_in_1_1(text: str) -> bool:
    """YAML 1.1 readers (libyaml, PyYAML, go-yaml) end a plain scalar at `?` in flow context
    and reject one that starts with `:`."""
    return "?" in text or text.startswith(":")


PLAIN_OLD_IN_FLOW = PLAIN_OLD.filter(lambda v: not flow_unsafe_in_1_1(v))


@dataclass(frozen=True)
class Leaf:
    path: tuple[PathPart, ...]
    start: int
    end: int
    style: str | None  # None: plain
    flow: bool = False  # inside [...] or {...}


@dataclass(frozen=True)
class Document:
    text: str
    leaves: tuple[Leaf, ...]


class Writer:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.leaves: list[Leaf] = []

    def write(self, text: str) -> None:
        self.parts.append(text)
        self.pos += len(text)

    def scalar(self, draw: st.DrawFn, path: tuple[PathPart, ...], flow: bool = False) -> None:
        style = draw(st.sampled_from([None, None, "'", '"']))
        if style is None:
            source = draw(PLAIN_OLD_IN_FLOW if flow else PLAIN_OLD)
        elif style == "'":
            source = single_quote(draw(LINE_TEXT))
        else:
            source = double_quote(draw(DQ_TEXT))
        start = self.pos
        self.write(source)
        self.leaves.append(Leaf(path, start, self.pos, style, flow))


# --- keys ----------------------------------------------------------------------------------------

@functools.cache
def _plain_key_is_string(key: str) -> bool:
    return all(list(load_all(f"{key}: 1\n", v)[0]) == [key] for v in ((1, 1), (1, 2)))


PLAIN_KEYS = st.one_of(
    st.sampled_from(["image", "tag", "repository", "app.kubernetes.io/version", "imprun-server",
                     "a b", "café", "x_y", "9lives", "checksum/config", "UPPER", "on_off"]),
    st.from_regex(r"[a-z][a-zA-Z0-9_-]{0,8}", fullmatch=True),
).filter(_plain_key_is_string)
QUOTED_KEYS = st.text(_TEXT, max_size=8).filter(lambda k: k != "<<")  # `<<` is the merge key
KEYS = st.one_of(
    PLAIN_KEYS.map(lambda k: (k, k)),
    QUOTED_KEYS.map(lambda k: (double_quote(k), k)),
    QUOTED_KEYS.map(lambda k: (single_quote(k), k)),
)


# --- documents -----------------------------------------------------------------------------------

def decorations(draw: st.DrawFn, w: Writer, indent: int) -> None:
    """Blank lines and comment lines before an entry."""
    for kind in draw(st.lists(st.sampled_from(["blank", "comment"]), max_size=2)):
        if kind == "blank":
            w.write("\n")
        else:
            w.write(" " * draw(st.sampled_from([0, indent])) + "#" + draw(LINE_TEXT) + "\n")


def end_of_line(draw: st.DrawFn, w: Writer) -> None:
    if draw(st.booleans()):
        w.write(" " * draw(st.integers(1, 3)) + "#" + draw(LINE_TEXT))
    w.write("\n")


def flow(draw: st.DrawFn, w: Writer, path: tuple[PathPart, ...]) -> None:
    if draw(st.booleans()):
        w.write("[")
        for i in range(draw(st.integers(1, 3))):
            w.write(", " if i else "")
            w.scalar(draw, (*path, i), flow=True)
        w.write("]")
        return
    w.write("{")
    keys = draw(st.lists(KEYS, min_size=1, max_size=3, unique_by=lambda k: k[1]))
    for i, (source, key) in enumerate(keys):
        w.write((", " if i else "") + source + ": ")
        w.scalar(draw, (*path, key), flow=True)
    w.write("}")


def mapping(draw: st.DrawFn, w: Writer, indent: int, path: tuple[PathPart, ...], depth: int,
            inline_first: bool = False) -> None:
    keys = draw(st.lists(KEYS, min_size=1, max_size=4, unique_by=lambda k: k[1]))
    for n, (source, key) in enumerate(keys):
        if not (inline_first and n == 0):
            decorations(draw, w, indent)
            w.write(" " * indent)
        w.write(source + ":")
        value(draw, w, indent, (*path, key), depth)


def value(draw: st.DrawFn, w: Writer, indent: int, path: tuple[PathPart, ...], depth: int) -> None:
    kinds = ["scalar", "scalar", "flow", "map", "seq"] if depth < 3 else ["scalar", "flow"]
    kind = draw(st.sampled_from(kinds))
    if kind in ("scalar", "flow"):
        w.write(" ")
        if kind == "scalar":
            w.scalar(draw, path)
        else:
            flow(draw, w, path)
        end_of_line(draw, w)
    elif kind == "map":
        end_of_line(draw, w)
        mapping(draw, w, indent + draw(st.sampled_from([2, 4])), path, depth + 1)
    else:
        end_of_line(draw, w)
        sequence(draw, w, indent + draw(st.sampled_from([0, 2, 4])), path, depth + 1)


def sequence(draw: st.DrawFn, w: Writer, indent: int, path: tuple[PathPart, ...], depth: int) -> None:
    for i in range(draw(st.integers(1, 3))):
        decorations(draw, w, indent)
        w.write(" " * indent + "-")
        kinds = ["scalar", "flow", "map", "seq"] if depth < 3 else ["scalar", "flow"]
        kind = draw(st.sampled_from(kinds))
        if kind == "map":
            w.write(" ")
            mapping(draw, w, indent + 2, (*path, i), depth + 1, inline_first=True)
        elif kind == "seq":
            w.write("\n")
            sequence(draw, w, indent + draw(st.sampled_from([2, 4])), (*path, i), depth + 1)
        else:
            w.write(" ")
            if kind == "scalar":
                w.scalar(draw, (*path, i))
            else:
                flow(draw, w, (*path, i))
            end_of_line(draw, w)


@st.composite
def documents(draw: st.DrawFn) -> Document:
    w = Writer()
    decorations(draw, w, 0)
    mapping(draw, w, 0, (), 0)
    decorations(draw, w, 0)
    text = "".join(w.parts)
    leaves = w.leaves
    if draw(st.booleans()):  # CRLF: every offset moves by the line breaks before it
        def moved(pos: int) -> int:
            return pos + text.count("\n", 0, pos)
        leaves = [Leaf(leaf.path, moved(leaf.start), moved(leaf.end), leaf.style, leaf.flow)
                  for leaf in leaves]
        text = text.replace("\n", "\r\n")
    if draw(st.booleans()):
        leaves = [Leaf(leaf.path, leaf.start + 1, leaf.end + 1, leaf.style, leaf.flow)
                  for leaf in leaves]
        text = "\ufeff" + text
    return Document(text, tuple(leaves))


# --- new values ----------------------------------------------------------------------------------

AMBIGUOUS = [
    "1.10", "1.2.4", "yes", "no", "Off", "y", "n", "null", "Null", "~", "", "0x1F", "012", "09",
    "0o17", "1e3", "1_000", "1:20", "2024-01-01", "2024-01-01 10:00:00", ".inf", "-.inf", ".nan",
    "3", "42", "-1", "+1", "0", "true", "false", "TRUE", "'", '"', "''", ": ", " #", "a: b", "a #b",
    "#x", "- x", "-", "--", "---", "...", "?", ":", "&a", "*a", "!x", "|", ">", "%x", "@x", "`x",
    "[a]", "{a}", "a,b", "<<", "=", " lead", "trail ", "tab\there", "new\nline", "café", "日本語",
    "🚀", "\\", "C:\\dir", "it's", 'say "hi"', "v1.2.3", "1.2.3@sha256:" + "a" * 64,
    "ghcr.io/acme/api:1.0", "x:y", "a:", "-x", "?x", ":x", "x?", "#", " ", "\t", "'x'", '"x"',
    "a]b", "a}b", "0.", ".5", "-0", "0b101", "+0x1F", "True", "nO", "NULL",
]
_ANY_CHAR = st.characters(exclude_categories=["Cs"], exclude_characters="\u2028\u2029")
NEW_VALUES = st.one_of(st.sampled_from(AMBIGUOUS), st.text(_ANY_CHAR, max_size=12))
# what Helm's own `--set` types as a number or boolean, and every reader reads back as written
_HELM_SET_TYPED = re.compile(r"(?:0|-?[1-9][0-9]*)|true|false")  # not `-0`: relbot keeps it as typed


def at(data: Any, path: tuple[PathPart, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def put(data: Any, path: tuple[PathPart, ...], new: Any) -> None:
    at(data, path[:-1])[path[-1]] = new


def expected_value(old: Any, style: str | None, new: str) -> tuple[Any, bool]:
    """The new value as a string, or as the old plain scalar's int/bool type when it is one too
    (as Helm's `--set` types it: a decimal integer, true or false); and whether the type was decided
    by the string rule (so any YAML reader must read a string)."""
    kept = style is None and type(old) in (int, bool)
    if kept and _HELM_SET_TYPED.fullmatch(new):
        parsed = load_all(f"v: {new}\n")[0]["v"]
        if type(parsed) is type(old):
            return parsed, False
    return new, not kept


def check_edit(doc: Document, leaf: Leaf, new: str) -> None:
    text = doc.text
    before, before12 = load_all(text), load_all(text, (1, 2))
    edit = SetValue(leaf.path, new)
    result = edit_values(text, [edit], allow_downgrade=True)
    out = result.text
    # (a) bytes outside the scalar's span are kept
    suffix = text[leaf.end :]
    assert out.startswith(text[: leaf.start])
    assert out.endswith(suffix)
    assert len(out) - len(suffix) >= leaf.start
    (change,) = result.changes
    assert out[leaf.start : len(out) - len(suffix)] == change.new_source
    # (b) the data differ exactly at the path, where the new value is read as intended
    try:
        after, after12 = load_all(out), load_all(out, (1, 2))
    except Exception as exc:  # any reader failure on relbot's output is a failed property
        raise AssertionError(f"the edited text no longer loads: {exc}\n{out}") from None
    wanted, string_rule = expected_value(at(before[0], leaf.path), leaf.style, new)
    put(before[0], leaf.path, wanted)
    assert after == before
    assert type(at(after[0], leaf.path)) is type(wanted)
    # ... and a YAML 1.2 reader agrees wherever the value had to become a string
    if string_rule:
        put(before12[0], leaf.path, wanted)
        assert after12 == before12
    else:
        put(after12[0], leaf.path, at(before12[0], leaf.path))
        assert after12 == before12
    # (c) the same edit again is a no-op
    again = edit_values(out, [edit], allow_downgrade=True)
    assert again.text == out
    assert again.changed == ()


@SETTINGS
@given(doc=documents(), data=st.data(), new=NEW_VALUES)
def test_setting_one_scalar_changes_only_its_bytes(doc: Document, data: st.DataObject, new: str) -> None:
    leaf = data.draw(st.sampled_from(doc.leaves))
    check_edit(doc, leaf, new)


@settings(SETTINGS, max_examples=100)
@given(doc=documents())
def test_generated_documents_are_what_the_generator_says(doc: Document) -> None:
    """The generator's own check: each recorded span holds a scalar that loads at its path."""
    data = load_all(doc.text)
    assert len(data) == 1
    for leaf in doc.leaves:
        source = doc.text[leaf.start : leaf.end]
        assert at(data[0], leaf.path) == load_all(f"v: {source}\n")[0]["v"]


def one_leaf(text: str, path: tuple[PathPart, ...]) -> Document:
    """A document with one scalar leaf: the last scalar on its line (`x`, `'x'`, `"x"`, `1.10`)."""
    line = text.rstrip("\n")
    end = len(line.rstrip("]}"))
    start = max(line.rfind(" ", 0, end), line.rfind("[", 0, end), line.rfind("{", 0, end)) + 1
    return Document(text, (Leaf(path, start, end, None, flow=line.endswith(("]", "}"))),))


@pytest.mark.parametrize("old", ["x", "'x'", '"x"', "[x]"])
@pytest.mark.parametrize("new", ["a\x7fb", "a\x9fb", "a\x85b", "a\ufffeb", "a\ufeffb", "\x00\x1b"])
def test_non_printable_characters_are_escaped(old: str, new: str) -> None:
    path: tuple[PathPart, ...] = ("a", 0) if old.startswith("[") else ("a",)
    doc = one_leaf(f"a: {old}\n", path)
    check_edit(doc, doc.leaves[0], new)


@pytest.mark.parametrize("old", ["x", "'x'", '"x"'])
@pytest.mark.parametrize("new", ["a \u2028 b", "a \u2029 b"])
def test_unicode_line_separators_are_escaped(old: str, new: str) -> None:
    doc = one_leaf(f"a: {old}\n", ("a",))
    check_edit(doc, doc.leaves[0], new)


@pytest.mark.parametrize("new", ["a?b", "x?", ":x", "?x", "a,b", "a]", "{x}"])
@pytest.mark.parametrize("old", ["[x]", "{k: x}"])
def test_flow_indicators_are_quoted_in_flow_collections(old: str, new: str) -> None:
    path: tuple[PathPart, ...] = ("a", 0) if old.startswith("[") else ("a", "k")
    doc = one_leaf(f"a: {old}\n", path)
    check_edit(doc, doc.leaves[0], new)


@pytest.mark.parametrize(("text", "path"), [('"<key>": 1.10\n', ("<key>",)),
                                            ('image: {"<key>": 1.10}\n', ("image", "<key>"))])
def test_any_key_text_can_be_edited(text: str, path: tuple[PathPart, ...]) -> None:
    doc = one_leaf(text, path)
    check_edit(doc, doc.leaves[0], "2")
