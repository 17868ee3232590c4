"""Tables for the rules under `bump-values`: how a plain scalar resolves and how a value is written
(scalars), what an image reference is and when two name the same image (images), and how a path
is spelled (yamlpath)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relbot.errors import InputError
from relbot.values.images import (
    ImageRef,
    ImageTarget,
    normalize_name,
    parse_image_argument,
    parse_reference,
    same_image,
)
from relbot.values.scalars import Kind, plain_is_safe, render, resolve
from relbot.values.yamlpath import PathPart, format_path, parse_path, split_assignment

DIGEST = "sha256:" + "0123456789abcdef" * 4
GO_YAML = ("BUG: go-yaml (Helm) reads a plain scalar with strconv.ParseInt(s, 0, 64), which takes "
           "upper-case radix prefixes 0X/0B/0O, so this is an int to Helm but relbot writes it plain")


# --- scalars.resolve -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "kind"),
    [
        *[(t, Kind.NULL) for t in ["", "~", "null", "Null", "NULL"]],
        *[(t, Kind.BOOL) for t in ["y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true",
                                   "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off",
                                   "Off", "OFF"]],
        *[(t, Kind.INT) for t in ["0", "7", "-1", "+1", "012", "0o17", "0x1F", "0xff", "-0x1F", "0b101",
                                  "1_000", "0x_1F", "1:20", "190:20:30", "09"]],
        *[(t, Kind.FLOAT) for t in ["1.10", "1.9", "1.", "0.", ".5", "-.5", "+1.5", "1e3", "1E3",
                                    "-1.5e-3", "6.8523015e+5", "685_230.15", "190:20:30.15", ".inf",
                                    "-.Inf", "+.INF", ".nan", ".NaN", ".NAN"]],
        *[(t, Kind.TIMESTAMP) for t in ["2024-01-01", "2024-1-1", "2001-12-14t21:59:43.10-05:00",
                                        "2001-12-14 21:59:43.10 -5", "2001-12-15T02:59:43.1Z",
                                        "2001-12-15 2:59:43"]],
        *[(t, Kind.STR) for t in ["1.2.3", "1.10.0", "v1.2.3", "nginx", "tRUE", "nULL", "yEs", "0x",
                                  "1e", "e3", "1.2.3-rc.1", "latest", "2024-01-01x", "1:2:3:", "-",
                                  "..", "inf", "nan", "0o8", "a b"]],
    ],
)
def test_resolve(text: str, kind: Kind) -> None:
    assert resolve(text) is kind


@pytest.mark.parametrize("text", ["0X1F", "0B101", "0O17"])
def test_resolve_upper_case_radix_prefixes_are_ints(text: str) -> None:
    assert resolve(text) is Kind.INT


# --- scalars.plain_is_safe -----------------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    ["1.2.3", "v1.2.3", "nginx", "ghcr.io/acme/api:1.0", f"1.2.3@{DIGEST}", "a b", "café", "日本語",
     "🚀", "-x", "x:y", "a#b", "http://example.com/x", "it's", 'say "hi"', "100m", "512Mi", "x-",
     "a.b/c_d", "---", "..."],
)
def test_plain_is_safe(text: str) -> None:
    assert plain_is_safe(text)


@pytest.mark.parametrize(
    "text",
    ["", " a", "a ", "yes", "No", "1.10", "3", "null", "~", "0x1F", "1e3", "2024-01-01", ".inf", "-",
     "- x", "?", "? x", ":", ": x", "a: b", "a #b", "a:", "#x", "&a", "*a", "!x", "|", ">", "'x", '"x',
     "%x", "@x", "`x", "[a]", "a,b", "{a}", "a]", "a}", "<<", "=", "tab\there", "new\nline", "cr\rx",
     "a\x00b", "a\x1bb", "a?b", "x?", "?x", ":x", "a\x7fb", "a\x9fb", "a\x85b", "a\u2028b",
     "a\u2029b", "a\ufffeb"],
)
def test_plain_is_not_safe(text: str) -> None:
    assert not plain_is_safe(text)


# --- scalars.render ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "style", "keep", "source"),
    [
        ("1.2.3", None, None, "1.2.3"),
        ("1.10", None, None, '"1.10"'),
        ("yes", None, None, '"yes"'),
        ("", None, None, '""'),
        ("a: b", None, None, '"a: b"'),
        ('say "hi"', None, None, 'say "hi"'),
        ('"x', None, None, '"\\"x"'),
        ("C:\\dir", None, None, "C:\\dir"),
        ("\\x", '"', None, '"\\\\x"'),
        ("1.10", "'", None, "'1.10'"),
        ("it's", "'", None, "'it''s'"),
        ("", "'", None, "''"),
        ("a\nb", "'", None, '"a\\nb"'),
        ('a"b\\c', '"', None, '"a\\"b\\\\c"'),
        ("a\nb\tc", '"', None, '"a\\nb\\tc"'),
        ("\x01\x7f", '"', None, '"\\x01\\x7f"'),
        ("café 🚀", '"', None, '"café 🚀"'),
        ("\ufeffkey", None, None, '"\ufeffkey"'),  # a BOM starting a line (a created key) is read as one
        ("3", None, Kind.INT, "3"),
        ("0x1F", None, Kind.INT, '"0x1F"'),  # go-yaml reads 31: not the text asked for
        ("1.5", None, Kind.INT, '"1.5"'),
        ("true", None, Kind.INT, '"true"'),
        ("false", None, Kind.BOOL, "false"),
        ("off", None, Kind.BOOL, '"off"'),  # Helm's --set reads only true/false as booleans
        ("3", None, Kind.BOOL, '"3"'),
        ("3", None, Kind.STR, '"3"'),
        ("3", '"', Kind.INT, '"3"'),
        ("3", "'", Kind.INT, "'3'"),
    ],
)
def test_render(text: str, style: str | None, keep: Kind | None, source: str) -> None:
    assert render(text, style, keep) == source


@pytest.mark.parametrize("style", [None, "'", '"'])
@pytest.mark.parametrize(
    "text",
    ["a\tb", "a\nb", "it's", 'a"b', "\\", "", " x ", "yes", "1.10", "a: b", "#", "- x", "café 🚀",
     "\x00\x07\x1b\x7f", "\x85\x9f", "\ufeff\ufffe", "a?b", ":x"],
)
def test_render_reads_back(text: str, style: str | None) -> None:
    """Whatever form render picks, a YAML reader reads that exact string back."""
    from ruamel.yaml import YAML  # noqa: PLC0415

    source = render(text, style)
    assert YAML(typ="safe", pure=True).load(f"v: {source}\n")["v"] == text
    assert YAML(typ="safe", pure=True).load(f"v: [{source}]\n")["v"] == [text]


# --- images.parse_reference ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("nginx:1.25", ImageRef(None, "nginx", "1.25", None)),
        ("acme/api", ImageRef(None, "acme/api", None, None)),
        ("acme/api:1.0", ImageRef(None, "acme/api", "1.0", None)),
        ("docker.io/library/nginx:1.25", ImageRef("docker.io", "library/nginx", "1.25", None)),
        (f"ghcr.io/acme/api:1.0@{DIGEST}", ImageRef("ghcr.io", "acme/api", "1.0", DIGEST)),
        (f"ghcr.io/acme/api@{DIGEST}", ImageRef("ghcr.io", "acme/api", None, DIGEST)),
        (f"nginx@{DIGEST}", ImageRef(None, "nginx", None, DIGEST)),
        ("localhost:5000/acme/api:1", ImageRef("localhost:5000", "acme/api", "1", None)),
        ("localhost:5000/acme/api", ImageRef("localhost:5000", "acme/api", None, None)),
        ("localhost/api:v2", ImageRef("localhost", "api", "v2", None)),
        ("registry.example.com:5000/team/app:v2.0.1-rc.1",
         ImageRef("registry.example.com:5000", "team/app", "v2.0.1-rc.1", None)),
        ("gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.8.1",
         ImageRef("gcr.io", "cloud-sql-connectors/cloud-sql-proxy", "2.8.1", None)),
        ("reg.local/a__b/c--d.e:latest", ImageRef("reg.local", "a__b/c--d.e", "latest", None)),
        ("acme/api:_x", ImageRef(None, "acme/api", "_x", None)),
    ],
)
def test_parse_reference(text: str, ref: ImageRef) -> None:
    assert parse_reference(text) == ref


@pytest.mark.parametrize(
    "text",
    ["", "nginx", "1.2.3", "a b", "acme/api:1.0 ", "'acme/api:1'", '"acme/api:1"', "Acme/API:1",
     "acme/api:", "acme/api:-x", "acme/api:.x", "acme/api:" + "x" * 129, "acme/api@sha256:short",
     "acme/api@md5", "http://example.com", "/acme/api:1", "acme//api:1", "acme/api/:1", "acme/-api:1",
     "ghcr.io/:1"],
)
def test_parse_reference_rejects(text: str) -> None:
    assert parse_reference(text) is None


@pytest.mark.parametrize(
    ("original", "ref", "rendered"),
    [
        ("ghcr.io/acme/api:1.0", ImageRef("ghcr.io", "acme/api", "1.1", None), "ghcr.io/acme/api:1.1"),
        ("localhost:5000/api:1.0", ImageRef("localhost:5000", "api", "1.1", None), "localhost:5000/api:1.1"),
        ("localhost:5000/api", ImageRef("localhost:5000", "api", "1.1", None), "localhost:5000/api:1.1"),
        (f"ghcr.io/acme/api@{DIGEST}", ImageRef("ghcr.io", "acme/api", "2", DIGEST),
         f"ghcr.io/acme/api:2@{DIGEST}"),
        (f"nginx:1@{DIGEST}", ImageRef(None, "nginx", None, DIGEST), f"nginx@{DIGEST}"),
        ("Docker.IO/Library/Nginx:1", ImageRef("docker.io", "library/nginx", "2", None),
         "Docker.IO/Library/Nginx:2"),
    ],
)
def test_render_reference_keeps_the_name_as_spelled(original: str, ref: ImageRef, rendered: str) -> None:
    assert ref.render(original) == rendered


# --- images.normalize_name -----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("nginx", "docker.io/library/nginx"),
        (" nginx ", "docker.io/library/nginx"),
        ("library/nginx", "docker.io/library/nginx"),
        ("docker.io/nginx", "docker.io/library/nginx"),
        ("docker.io/library/nginx", "docker.io/library/nginx"),
        ("index.docker.io/nginx", "docker.io/library/nginx"),
        ("registry-1.docker.io/acme/api", "docker.io/acme/api"),
        ("acme/api", "docker.io/acme/api"),
        ("ghcr.io/acme/api", "ghcr.io/acme/api"),
        ("GHCR.IO/Acme/API", "ghcr.io/acme/api"),
        ("localhost/api", "localhost/api"),
        ("localhost:5000/acme/api", "localhost:5000/acme/api"),
        ("quay.io/x", "quay.io/x"),
    ],
)
def test_normalize_name(name: str, canonical: str) -> None:
    assert normalize_name(name) == canonical


# --- images.parse_image_argument -----------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("acme/api=1.2.3", ImageTarget("acme/api", "1.2.3", None)),
        (" acme/api = 1.2.3 ", ImageTarget("acme/api", "1.2.3", None)),
        (f"acme/api=1.2.3@{DIGEST}", ImageTarget("acme/api", "1.2.3", DIGEST)),
        (f"ghcr.io/acme/api=@{DIGEST}", ImageTarget("ghcr.io/acme/api", None, DIGEST)),
        ("nginx=1.27-alpine", ImageTarget("nginx", "1.27-alpine", None)),
        ("localhost:5000/api=v1", ImageTarget("localhost:5000/api", "v1", None)),
    ],
)
def test_parse_image_argument(text: str, target: ImageTarget) -> None:
    assert parse_image_argument(text) == target


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("acme/api", "is not REPOSITORY=TAG"),
        ("=1.0", "is not REPOSITORY=TAG"),
        ("acme/api=", "is not REPOSITORY=TAG"),
        ("acme/api= ", "is not REPOSITORY=TAG"),
        ("Acme/API=1", "'Acme/API' is not an image repository"),
        ("acme api=1", "is not an image repository"),
        ("acme/api=1@sha256:xyz", "'sha256:xyz' is not a digest"),
        ("acme/api=bad tag", "'bad tag' is not a valid image tag"),
        ("acme/api=-x", "'-x' is not a valid image tag"),
        ("acme/api=" + "x" * 129, "is not a valid image tag"),
    ],
)
def test_parse_image_argument_errors(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_image_argument(text)
    assert message in caught.value.message
    assert "--image REPOSITORY=TAG" in caught.value.hint


def test_image_target_canonical() -> None:
    assert ImageTarget("nginx", "1", None).canonical == "docker.io/library/nginx"
    assert ImageTarget("ghcr.io/acme/api", "1", None).canonical == "ghcr.io/acme/api"


# --- images.same_image ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("target", "registry", "repository", "same"),
    [
        ("nginx", None, "nginx", True),
        ("nginx", None, "library/nginx", True),
        ("nginx", "docker.io", "library/nginx", True),
        ("nginx", "docker.io", "nginx", True),
        ("docker.io/library/nginx", None, "nginx", True),
        ("nginx", None, "bitnami/nginx", False),
        ("nginx", "ghcr.io", "nginx", False),
        ("ghcr.io/acme/api", "ghcr.io", "acme/api", True),
        ("ghcr.io/acme/api", None, "ghcr.io/acme/api", True),
        ("ghcr.io/acme/api", None, "acme/api", True),  # registry kept in global.imageRegistry
        ("ghcr.io/acme/api", "quay.io", "acme/api", False),
        ("ghcr.io/acme/api", None, "quay.io/acme/api", False),
        ("ghcr.io/acme/api", None, "acme/api-worker", False),
        ("ghcr.io/acme/api", "GHCR.io", "Acme/Api", True),
        ("acme/api", "ghcr.io", "acme/api", False),
        ("acme/api", None, "ghcr.io/acme/api", False),
        ("localhost:5000/acme/api", "localhost:5000", "acme/api", True),
    ],
)
def test_same_image(target: str, registry: str | None, repository: str, same: bool) -> None:
    assert same_image(ImageTarget(target, "1", None), registry, repository) is same


# --- yamlpath.parse_path / format_path -----------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("a", ("a",)),
        ("a.b.c", ("a", "b", "c")),
        (" a.b ", ("a", "b")),
        ("image.tag", ("image", "tag")),
        ("a[0].b", ("a", 0, "b")),
        ("a[-1]", ("a", -1)),
        ("a[ 1 ]", ("a", 1)),
        ("a[0][1]", ("a", 0, 1)),
        ("a.[0]", ("a", 0)),
        ("[0]", (0,)),
        ("[0].image", (0, "image")),
        ("sidecars[1].image.tag", ("sidecars", 1, "image", "tag")),
        ('podAnnotations."app.kubernetes.io/version"', ("podAnnotations", "app.kubernetes.io/version")),
        ("podAnnotations.'app.kubernetes.io/version'", ("podAnnotations", "app.kubernetes.io/version")),
        ('podAnnotations["app.kubernetes.io/version"]', ("podAnnotations", "app.kubernetes.io/version")),
        ("podAnnotations['app.kubernetes.io/version']", ("podAnnotations", "app.kubernetes.io/version")),
        ("app.kubernetes.io/version", ("app", "kubernetes", "io/version")),
        (".imprun-server.image.tag", ("imprun-server", "image", "tag")),
        ('.["imprun-server"].image.tag', ("imprun-server", "image", "tag")),
        ('.imprun-server["image"].tag', ("imprun-server", "image", "tag")),
        ('."a.b"', ("a.b",)),
        ('a."b\\"c"', ("a", 'b"c')),
        ('a."b\\\\c"', ("a", "b\\c")),
        ('a.""', ("a", "")),
        ("a.b c", ("a", "b c")),
        ("a.b-c/d_e", ("a", "b-c/d_e")),
        ("a.0", ("a", "0")),
        ("checksum/config", ("checksum/config",)),
    ],
)
def test_parse_path(text: str, parts: tuple[PathPart, ...]) -> None:
    assert parse_path(text) == parts


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no keys"),
        ("  ", "no keys"),
        (".", "no keys"),
        ("a..b", "an empty key between dots"),
        ("a.", "an empty key between dots"),
        ("a[x]", "an index must be a number"),
        ("a[]", "an index must be a number"),
        ("a[1.5]", "an index must be a number"),
        ("a[0", "a [ without its ]"),
        ('a."b', 'an unterminated " quote'),
        ("a.'b", "an unterminated ' quote"),
        ('a["b"', "a quoted key in [] without its closing ]"),
        ('a"b"', "an unexpected '\"' after 'a'"),
        ("a]", "an unexpected ']' after 'a'"),
        ("a[0]b", "an unexpected 'b' after 0"),
        ('a["x"]y', "an unexpected 'y' after 'x'"),
    ],
)
def test_parse_path_errors(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_path(text)
    assert message in caught.value.message
    assert repr(text) in caught.value.message
    assert "a.b[0].c" in caught.value.hint


def test_parse_path_refuses_recursive_descent() -> None:
    with pytest.raises(InputError):
        parse_path("..tag")


@pytest.mark.parametrize(
    ("parts", "text"),
    [
        (("a",), "a"),
        (("a", "b"), "a.b"),
        (("a", 0, "b"), "a[0].b"),
        ((0,), "[0]"),
        ((0, "a"), "[0].a"),
        (("a", -1), "a[-1]"),
        (("imprun-server", "image", "tag"), "imprun-server.image.tag"),
        (("podAnnotations", "app.kubernetes.io/version"), 'podAnnotations."app.kubernetes.io/version"'),
        (("checksum/config",), "checksum/config"),
        (("a b",), '"a b"'),
        (('a"b',), '"a\\"b"'),
        (("a\\b",), '"a\\\\b"'),
        (("",), '""'),
        (("café",), '"café"'),
        ((), ""),
    ],
)
def test_format_path(parts: tuple[PathPart, ...], text: str) -> None:
    assert format_path(parts) == text


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=6), st.integers(-3, 30)), min_size=1, max_size=5))
def test_format_path_reads_back(parts: list[PathPart]) -> None:
    assert parse_path(format_path(tuple(parts))) == tuple(parts)


@pytest.mark.parametrize(("text", "kind"), [
    ("8765e10_1", Kind.FLOAT), ("5e_3", Kind.FLOAT), ("1e5_", Kind.FLOAT), ("2e1_0", Kind.FLOAT),
    ("0x_1f", Kind.INT), ("-_1", Kind.INT), ("1_2.5", Kind.FLOAT),
])
def test_underscores_go_yaml_v2_drops_make_numbers(text: str, kind: Kind) -> None:
    """go-yaml v2 (Helm) removes every `_` before parsing a plain scalar that starts like a
    number: `8765e10_1` is 8.765e104 to Helm, so it must be written quoted."""
    assert resolve(text) is kind
    assert not plain_is_safe(text)
    assert render(text, None) == f'"{text}"'


@pytest.mark.parametrize("text", ["0.0.5_b579c34b", "1.2.3_4", "12_3a", "abc_1", "3ced321a_1"])
def test_underscores_in_what_go_does_not_parse_stay_plain(text: str) -> None:
    assert resolve(text) is Kind.STR
    assert plain_is_safe(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("a.b=1", ("a.b", "1")),
    ('podAnnotations."a=b"=1', ('podAnnotations."a=b"', "1")),
    ("x.'k=v'.y=2=3", ("x.'k=v'.y", "2=3")),
    ('a."q\\"=".b=4', ('a."q\\"=".b', "4")),
    ("image.tag=", ("image.tag", "")),
    ("no-assignment", None),
])
def test_set_splits_at_the_first_equals_sign_outside_a_quoted_key(
        text: str, expected: tuple[str, str] | None) -> None:
    assert split_assignment(text) == expected
