"""The micromatch dialect used by branch names and release rules."""

from __future__ import annotations

import pytest

from relbot.globs import compile_glob, glob_match, is_glob

MAINTENANCE = "+([0-9])?(.{+([0-9]),x}).x"


@pytest.mark.parametrize(
    ("value", "matches"),
    [
        ("1.x", True), ("10.x", True), ("1.2.x", True), ("1.x.x", True), ("12.34.x", True),
        ("1.2", False), ("1.2.3", False), ("x", False), ("1.", False), (".x", False), ("1.2.3.x", False),
        ("a.x", False), ("1.a.x", False), ("main", False), ("1.x/y", False), ("v1.x", False), ("1.xx", False),
    ],
    ids=str,
)
def test_default_maintenance_pattern(value: str, matches: bool) -> None:
    assert glob_match(value, MAINTENANCE) is matches


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        pytest.param("feature/*", "feature/x", True, id="star"),
        pytest.param("feature/*", "feature/a/b", False, id="star-not-across-slash"),
        pytest.param("*", "a/b", False, id="bare-star-not-across-slash"),
        pytest.param("*-rc", "1.0-rc", True, id="star-prefix"),
        pytest.param("feature/**", "feature/a/b", True, id="globstar"),
        pytest.param("**", "a/b/c", True, id="globstar-alone"),
        pytest.param("a/**/z", "a/b/c/z", True, id="globstar-middle"),
        pytest.param("rel?", "rel1", True, id="question"),
        pytest.param("a?b", "a/b", False, id="question-not-slash"),
        pytest.param("rel?", "rel", False, id="question-needs-one"),
        pytest.param("{main,master}", "master", True, id="braces"),
        pytest.param("{main,master}", "mai", False, id="braces-whole"),
        pytest.param("{a,{b,c}}d", "cd", True, id="nested-braces"),
        pytest.param("release/{v,}*", "release/1", True, id="brace-empty-alternative"),
        pytest.param("[0-9].x", "7.x", True, id="class-range"),
        pytest.param("[0-9].x", "a.x", False, id="class-range-miss"),
        pytest.param("[abc]z", "bz", True, id="class-set"),
        pytest.param("[^a]z", "bz", True, id="class-negated"),
        pytest.param("[^a]z", "az", False, id="class-negated-miss"),
        pytest.param("[ab", "[ab", True, id="unclosed-class-literal"),
        pytest.param("a+(b)", "abbb", True, id="extglob-plus"),
        pytest.param("a+(b)", "a", False, id="extglob-plus-needs-one"),
        pytest.param("a*(b)", "a", True, id="extglob-star"),
        pytest.param("a?(b)c", "ac", True, id="extglob-question"),
        pytest.param("a@(b|c)d", "acd", True, id="extglob-at"),
        pytest.param("a@(b|c)d", "abcd", False, id="extglob-at-once"),
        pytest.param("v1.0", "v1x0", False, id="dot-is-literal"),
        pytest.param("a$b^c", "a$b^c", True, id="regex-chars-literal"),
        pytest.param("main", "Main", False, id="case-sensitive"),
        pytest.param("main", "main\n", False, id="anchored-end"),
    ],
)
def test_glob_match(pattern: str, value: str, matches: bool) -> None:
    assert glob_match(value, pattern) is matches


@pytest.mark.parametrize(
    ("pattern", "value"),
    [("**/x", "x"), ("a/**", "a"), ("a/**/z", "a/z")],
    ids=["leading", "trailing", "middle"],
)
def test_globstar_matches_zero_segments(pattern: str, value: str) -> None:
    assert glob_match(value, pattern)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [("main", False), ("1.x", False), ("*", True), ("a?", True), ("[ab]", True), ("{a,b}", True),
     ("+(a)", True), ("next-major", False)],
    ids=str,
)
def test_is_glob(pattern: str, expected: bool) -> None:
    assert is_glob(pattern) is expected


def test_compile_glob_is_anchored_and_cached() -> None:
    assert compile_glob("a*") is compile_glob("a*")
    assert compile_glob("a*").match("xa") is None
