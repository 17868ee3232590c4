"""go-yaml v2, the reader Helm uses, as the oracle for how relbot writes a value (`relbot.values.scalars`).

The oracle (tests/goyaml) types every scalar as go-yaml resolved it. A table first checks that it
reports what go-yaml does. Then properties feed `render` generated values (versions, SHAs, dates,
number-like text, YAML 1.1 booleans, awkward and arbitrary strings) and check that go-yaml reads the
rendered scalar back as exactly that string wherever relbot may write one: in a block mapping, a
flow mapping and a flow sequence (also in a block list item, before a comment, before a further
flow item). An integer or boolean kept plain (`keep_kind`, a replica count) must stay one.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relbot.errors import RelbotError
from relbot.values.scalars import Kind, render, resolve
from tests.goyaml.oracle import GoYamlError, HelmReader

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Node = dict[str, Any]


def _str(text: str) -> Node:
    return {"str": text}


def _in_map(*pairs: tuple[str, Node]) -> list[Any]:
    return [{"map": [[_str(key), node] for key, node in sorted(pairs)]}]


# Where relbot writes a value: the YAML around it, and the documents go-yaml should read when the
# value reads as `node` (go-yaml sorts mapping pairs by key).
CONTEXTS: tuple[tuple[str, str, Callable[[Node], list[Any]]], ...] = (
    ("block mapping", "tag: {}\n", lambda node: _in_map(("tag", node))),
    ("block mapping, comment after", "image:\n  tag: {}  # pinned\n",
     lambda node: [{"map": [[_str("image"), _in_map(("tag", node))[0]]]}]),
    ("block sequence", "- {}\n", lambda node: [{"seq": [node]}]),
    ("flow mapping", "{{tag: {}}}\n", lambda node: _in_map(("tag", node))),
    ("flow mapping, key after", "{{tag: {}, z: 0}}\n",
     lambda node: _in_map(("tag", node), ("z", {"int": "0"}))),
    ("flow sequence", "[{}]\n", lambda node: [{"seq": [node]}]),
    ("flow sequence, item after", "[{}, 0]\n", lambda node: [{"seq": [node, {"int": "0"}]}]),
)


def misreadings(reader: HelmReader, source: str, expected: Callable[[Node], Node]) -> list[str]:
    """Each context where go-yaml refuses the scalar `source` or reads it as other than
    `expected(the node it read)`, described; the texts of all contexts go in one batch."""
    texts = [template.format(source) for _, template, _ in CONTEXTS]
    problems = []
    for (name, _, documents), text, read in zip(CONTEXTS, texts, reader.read_many(texts), strict=True):
        node = _scalar_in(read)
        if node is None or read != documents(expected(node)):
            problems.append(f"{name}: {text!r} -> {read!r}")
    return problems


def _scalar_in(read: list[Any] | GoYamlError) -> Node | None:
    """The one scalar CONTEXTS put in a text, as go-yaml read it (None: go-yaml refused the text)."""
    if isinstance(read, GoYamlError) or len(read) != 1:
        return None
    node: Any = read[0]
    while isinstance(node, dict) and ("map" in node or "seq" in node):
        items = node["seq"] if "seq" in node else [value for key, value in node["map"] if key != _str("z")]
        if not items:
            return None
        node = items[0]
    return node if isinstance(node, dict) else None


def reads_as_string(reader: HelmReader, value: str, source: str) -> list[str]:
    return misreadings(reader, source, lambda _node: _str(value))


# --- the oracle reports what go-yaml does --------------------------------------------------------

@pytest.mark.parametrize(
    ("source", "node"),
    [
        ("8765e10_1", {"float": "8.765e+104"}),  # go-yaml drops `_` before it tries a number
        ("1e5_", {"float": "100000"}),
        ("5e_3", {"float": "5000"}),
        ("2e1_0", {"float": "2e+10"}),
        ("1_000", {"int": "1000"}),
        ("0x1F", {"int": "31"}),
        ("0X1F", {"int": "31"}),
        ("0x_1F", {"int": "31"}),
        ("0o17", {"int": "15"}),
        ("012", {"int": "10"}),
        ("09", {"float": "9"}),  # not octal, so Go's float parser takes it
        ("0b101", {"int": "5"}),
        ("-0b101", {"int": "-5"}),
        ("0b+1", {"int": "1"}),  # go-yaml's own 0b fallback: strconv.ParseInt("+1", 2, 64)
        ("+1", {"int": "1"}),
        ("-1", {"int": "-1"}),
        ("9223372036854775808", {"int": "9223372036854775808"}),  # uint64
        ("18446744073709551616", {"float": "1.8446744073709552e+19"}),
        ("1e3", {"float": "1000"}),
        ("1e999", {"str": "1e999"}),  # out of range: not a float
        ("1.10", {"float": "1.1"}),
        (".5", {"float": "0.5"}),
        ("1.", {"float": "1"}),
        (".inf", {"float": "+Inf"}),
        ("-.Inf", {"float": "-Inf"}),
        (".nan", {"float": "NaN"}),
        ("1:20", {"str": "1:20"}),  # no sexagesimal numbers in go-yaml
        ("1:20:30.5", {"str": "1:20:30.5"}),
        ("on", {"bool": "true"}),
        ("Off", {"bool": "false"}),
        ("y", {"bool": "true"}),
        ("N", {"bool": "false"}),
        ("YES", {"bool": "true"}),
        ("tRUE", {"str": "tRUE"}),
        ("~", {"null": ""}),
        ("null", {"null": ""}),
        ("", {"null": ""}),
        ("2024-01-01", {"str": "2024-01-01"}),  # a timestamp, which go-yaml v2 hands over as a string
        ("2001-12-14t21:59:43.10-05:00", {"str": "2001-12-14t21:59:43.10-05:00"}),
        ("'1.10'", {"str": "1.10"}),
        ('"yes"', {"str": "yes"}),
        ('"\\x41\\u00e9\\U0001F680\\N\\L\\P"', {"str": "Aé🚀\x85\u2028\u2029"}),
        ("a:b", {"str": "a:b"}),
    ],
)
def test_oracle_reads_as_go_yaml_does(helm_reader: HelmReader, source: str, node: Node) -> None:
    assert helm_reader.read(f"v: {source}\n") == _in_map(("v", node))
    assert helm_reader.read(f"{{v: {source}}}\n") == _in_map(("v", node))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: b: c\n", "mapping values are not allowed in this context"),
        ("[1, 2\n", "did not find expected ',' or ']'"),
        ("{a: 1\n", "did not find expected ',' or '}'"),
        ('v: "x\n', "found unexpected end of stream"),
        ("a:\n\tb: 1\n", "found character that cannot start any token"),
        ("v: @x\n", "found character that cannot start any token"),
        ("v: *x\n", "unknown anchor 'x' referenced"),
        ("v: !!int x\n", "cannot decode !!str `x` as a !!int"),
        ("v: a\x01b\n", "control characters are not allowed"),
    ],
)
def test_oracle_raises_go_yaml_errors(helm_reader: HelmReader, text: str, message: str) -> None:
    with pytest.raises(GoYamlError, match=r"^yaml: ") as caught:
        helm_reader.read(text)
    assert message in caught.value.message


def test_oracle_batches_documents_and_errors(helm_reader: HelmReader) -> None:
    texts = ["", "---\na\n---\nb: [1, {c: ~}]\n", "a: b: c\n", *(f"k: {i}\n" for i in range(3000))]
    read = helm_reader.read_many(texts)  # more than a pipe holds, both ways
    assert read[0] == []
    assert read[1] == [_str("a"), *_in_map(("b", {"seq": [{"int": "1"}, *_in_map(("c", {"null": ""}))]}))]
    assert isinstance(read[2], GoYamlError)
    assert read[3:] == [_in_map(("k", {"int": str(i)})) for i in range(3000)]
    assert helm_reader.read_many([]) == []
    with pytest.raises(ValueError, match="NUL"):
        helm_reader.read("a\0b")
    assert helm_reader.read("still: here\n") == _in_map(("still", _str("here")))


# --- generated values ----------------------------------------------------------------------------

_DIGITS = st.text(string.digits, min_size=1, max_size=8)
_HEX = st.integers(7, 40).flatmap(lambda n: st.text("0123456789abcdef", min_size=n, max_size=n))
_IDENTIFIER = st.text(string.ascii_letters + string.digits + "-", min_size=1, max_size=8) | _HEX
_NUMBER = st.integers(0, 99_999).map(str) | st.sampled_from(["0", "00", "01", "09", "10", "1_0"])


@st.composite
def versions(draw: st.DrawFn) -> str:
    """Semver and near-semver tags: `v` prefixes, 1 to 4 parts, pre-releases, `+`/`_`/`-` builds."""
    text = draw(st.sampled_from(["", "", "v", "V"]))
    text += ".".join(draw(st.lists(_NUMBER, min_size=1, max_size=4)))
    if pre := draw(st.lists(_IDENTIFIER, max_size=3)):
        text += "-" + ".".join(pre)
    if build := draw(st.lists(_IDENTIFIER, max_size=3)):
        text += draw(st.sampled_from(["+", "_", "-"])) + ".".join(build)
    return text


_SHAS = st.one_of(
    _HEX,
    _HEX.map(str.upper),
    st.text(string.digits, min_size=7, max_size=12),  # a short SHA can be all digits
    # digits, an `e`, digits: a float to YAML (`8765e10`), and to go-yaml even with `_` (`8765e10_1`)
    st.builds(lambda a, e, sign, b, tail: f"{a}{e}{sign}{b}{tail}", _DIGITS, st.sampled_from("eE"),
              st.sampled_from(["", "", "+", "-"]), _DIGITS, st.sampled_from(["", "", "_", "_1", "0_0"])),
)


@st.composite
def timestamps(draw: st.DrawFn) -> str:
    """Dates and date-times in the forms YAML 1.1 and go-yaml know, and a few near misses."""
    year, month, day = draw(st.integers(1000, 9999)), draw(st.integers(1, 12)), draw(st.integers(1, 31))
    date = draw(st.sampled_from([f"{year}-{month:02}-{day:02}", f"{year}-{month}-{day}",
                                 f"{year}{month:02}{day:02}", f"{year}.{month:02}.{day:02}"]))
    if draw(st.booleans()):
        return date
    hour, minute, second = draw(st.integers(0, 23)), draw(st.integers(0, 59)), draw(st.integers(0, 59))
    time = draw(st.sampled_from([f"{hour:02}:{minute:02}:{second:02}", f"{hour}:{minute:02}:{second:02}"]))
    time += draw(st.sampled_from(["", "", ".1", ".123456", ".123456789"]))
    zone = draw(st.sampled_from(["", "Z", "z", "+00:00", "-05:00", "+5", " -5", " Z", "+0530"]))
    return date + draw(st.sampled_from(["T", "t", " ", "  ", "_", "-"])) + time + zone


def _underscored(digits: str, draw: st.DrawFn) -> str:
    """`digits` with `_` put before some of its characters and maybe after the last."""
    marks = draw(st.lists(st.booleans(), min_size=len(digits) + 1, max_size=len(digits) + 1))
    spread = "".join(("_" if mark else "") + ch for ch, mark in zip(digits, marks[:-1], strict=True))
    return spread + ("_" if marks[-1] else "")


@st.composite
def radix_numbers(draw: st.DrawFn) -> str:
    """0x/0o/0b/leading-zero numbers in either case, with signs and `_` in odd places."""
    prefix, digits = draw(st.sampled_from([
        ("0x", string.hexdigits), ("0X", string.hexdigits), ("0o", "01234567"), ("0O", "01234567"),
        ("0b", "01"), ("0B", "01"), ("0", "0123456789"),
    ]))
    body = draw(st.text(digits, min_size=0, max_size=10))
    sign = draw(st.sampled_from(["", "", "+", "-"]))
    after_prefix = draw(st.sampled_from(["", "", "", "_", "+", "-"]))  # `0b+1` is the int 1 to go-yaml
    return sign + prefix + after_prefix + (_underscored(body, draw) if draw(st.booleans()) else body)


@st.composite
def decimal_numbers(draw: st.DrawFn) -> str:
    """Ints, floats, exponents, sexagesimals, YAML's .inf/.nan: signed, dotted, `_`-sprinkled."""
    sign = draw(st.sampled_from(["", "", "+", "-"]))
    kind = draw(st.sampled_from(["int", "float", "exponent", "sexagesimal", "special", "python"]))
    if kind == "int":
        text = draw(_DIGITS)
    elif kind == "float":
        text = draw(st.sampled_from(["{}.{}", ".{}", "{}.", "{}.{}e{}", ".{}E-{}"])).format(
            draw(_DIGITS), draw(_DIGITS), draw(_DIGITS))
    elif kind == "exponent":
        exponent = draw(st.sampled_from(["e", "E", "e+", "e-", "E+", "E-"]))
        text = f"{draw(_DIGITS)}{exponent}{draw(_DIGITS)}"
    elif kind == "sexagesimal":
        text = ":".join(draw(st.lists(st.integers(0, 99).map(str), min_size=2, max_size=4)))
        text += draw(st.sampled_from(["", "", ".5", ".", ".25"]))
    elif kind == "special":
        text = draw(st.sampled_from([".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN", "inf", "nan", ".iNf",
                                     "Infinity", "NaN"]))
    else:
        return draw(st.floats().map(str) | st.floats().map("{:e}".format) | st.integers().map(str))
    return sign + (_underscored(text, draw) if draw(st.booleans()) else text)


_NUMBERS = st.one_of(
    st.sampled_from(["1e5_", "5e_3", "2e1_0", "8765e10", "8765e10_1", "0x1F", "0o17", "0b101", "+1", "-1",
                     ".5", "1.", "1_000", "1:20", "1:20:30.5", ".inf", ".nan", "0", "-0", "+0", "00"]),
    radix_numbers(),
    decimal_numbers(),
    st.text("0123456789_.eE+-xXoObB:", min_size=1, max_size=12),
)


@st.composite
def any_case(draw: st.DrawFn, words: list[str]) -> str:
    word = draw(st.sampled_from(words))
    upper = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(ch.upper() if up else ch for ch, up in zip(word, upper, strict=True))


_KEYWORDS = any_case(["y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "nil", "none"])

# Pieces of strings that YAML treats specially somewhere: indicators, `: ` and ` #`, quotes,
# escapes, blanks, line breaks, control and format characters, non-ASCII text.
_FRAGMENTS = [
    ": ", " #", "#", ":", " ", "  ", "\t", "'", '"', "\\", "\\n", "-", "- ", "?", "? ", ",", "[", "]", "{",
    "}", "&", "*", "!", "|", ">", "%", "@", "`", "~", "<<", "=", "---", "...", "a", "x", "1", ".", "_", "e",
    "é", "日本", "🚀", "\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f", "\xa0", "\u2028", "\u2029",
    "\ufeff", "\ufffe", "\uffff", "\r", "\n", "\r\n", "\u200b", "\U0010ffff", "\ue000",
]
# no lone surrogates (as in st.text()): test_a_lone_surrogate_is_never_written_as_go_yaml_refuses
_CHARACTERS = st.characters(exclude_categories=["Cs"])
_TRICKY = st.lists(st.sampled_from(_FRAGMENTS) | _CHARACTERS, max_size=8).map("".join)

_IMAGES = st.builds(
    lambda registry, path, tag, digest: f"{registry}{path}{tag}{digest}",
    st.sampled_from(["", "ghcr.io/", "localhost:5000/", "registry.example.com:5000/"]),
    st.sampled_from(["acme/api", "nginx", "library/nginx", "a__b/c--d.e"]),
    st.just("") | versions().map(lambda version: ":" + version),
    st.sampled_from(["", "@sha256:" + "0123456789abcdef" * 4]),
)

FAMILIES: dict[str, st.SearchStrategy[str]] = {
    "versions": versions(),
    "shas": _SHAS,
    "timestamps": timestamps(),
    "radix numbers": radix_numbers(),
    "numbers": _NUMBERS,
    "keywords": _KEYWORDS,
    "tricky strings": _TRICKY,
    "images": _IMAGES,
    "text": st.text(),
}
ALL_VALUES = st.one_of(*FAMILIES.values())


# --- a new value reads back as the string it is --------------------------------------------------

@pytest.mark.parametrize("values", [pytest.param(strategy, id=name) for name, strategy in FAMILIES.items()])
@SETTINGS
@given(data=st.data())
def test_plain_or_quoted_reads_back_as_the_string(helm_reader: HelmReader, values: st.SearchStrategy[str],
                                                   data: st.DataObject) -> None:
    value = data.draw(values, label="value")
    source = render(value, None)
    assert reads_as_string(helm_reader, value, source) == [], f"render({value!r}, None) = {source}"


@pytest.mark.parametrize("style", ["'", '"'])
@SETTINGS
@given(value=ALL_VALUES)
def test_quoted_styles_read_back_as_the_string(helm_reader: HelmReader, style: str, value: str) -> None:
    source = render(value, style)
    assert source[:1] in ("'", '"')
    assert reads_as_string(helm_reader, value, source) == [], f"render({value!r}, {style}) = {source}"


@pytest.mark.parametrize("style", [None, "'", '"'])
@pytest.mark.parametrize("value", ["\ud800", "a\udcffb"])  # `\udcff`: byte 0xff in argv, surrogate-escaped
def test_a_lone_surrogate_is_never_written_as_go_yaml_refuses(helm_reader: HelmReader, value: str,
                                                              style: str | None) -> None:
    """No UTF-8 file holds a lone surrogate: relbot may refuse the value, but not write it in a form
    go-yaml cannot read (such as the escape `"\ud800"`, which go-yaml rejects)."""
    try:
        source = render(value, style)
    except (ValueError, RelbotError):
        return
    assert reads_as_string(helm_reader, value, source) == [], f"render({value!r}, {style}) = {source}"


# --- an int or a bool kept plain stays one -------------------------------------------------------

_GO_INTS = (-(2**63), 2**64 - 1)  # what go-yaml reads as an int (int64, then uint64)


@SETTINGS
@given(number=st.integers(0, 100) | st.integers()
       | st.sampled_from([*_GO_INTS, _GO_INTS[0] - 1, _GO_INTS[1] + 1]))
def test_an_integer_kept_plain_stays_that_integer(helm_reader: HelmReader, number: int) -> None:
    """`replicas: 3` set to 5 stays an int: plain whenever go-yaml reads it as that int, and
    then read so; quoted (a string) otherwise."""
    text = str(number)
    source = render(text, None, keep_kind=Kind.INT)
    if source == text:
        problems = misreadings(helm_reader, source, lambda _node: {"int": text})
    else:
        problems = reads_as_string(helm_reader, text, source)
    assert problems == [], f"render({text!r}, None, keep_kind=Kind.INT) = {source}"
    if _GO_INTS[0] <= number <= _GO_INTS[1]:
        assert source == text


@SETTINGS
@given(text=st.one_of(radix_numbers(), decimal_numbers(), _NUMBERS).filter(lambda t: resolve(t) is Kind.INT))
def test_an_int_spelling_kept_plain_stays_an_int(helm_reader: HelmReader, text: str) -> None:
    """Any spelling relbot resolves as an int: kept plain only if go-yaml reads an int there."""
    source = render(text, None, keep_kind=Kind.INT)
    if source == text:
        problems = misreadings(helm_reader, source, lambda node: node if "int" in node else {"int": "an int"})
    else:
        problems = reads_as_string(helm_reader, text, source)
    assert problems == [], f"render({text!r}, None, keep_kind=Kind.INT) = {source}"


@pytest.mark.parametrize("text", ["y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True",
                                  "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF"])
def test_a_boolean_kept_plain_stays_that_boolean(helm_reader: HelmReader, text: str) -> None:
    source = render(text, None, keep_kind=Kind.BOOL)
    truth = str(text.lower() in ("y", "yes", "true", "on")).lower()
    if source == text:
        problems = misreadings(helm_reader, source, lambda _node: {"bool": truth})
    else:
        problems = reads_as_string(helm_reader, text, source)
    assert problems == [], f"render({text!r}, None, keep_kind=Kind.BOOL) = {source}"
