"""`steps.text_diff`: the diff a dry run and GitHub Actions' `diff` output show for a changed file."""

from __future__ import annotations

import difflib

from hypothesis import given, settings
from hypothesis import strategies as st

from relbot.steps import text_diff

_LINES = st.lists(st.sampled_from(["a\n", "b\n", "c\n", "d"]), max_size=25)


@settings(max_examples=300, deadline=None)
@given(old=_LINES, new=_LINES)
def test_small_texts_diff_as_difflib_does(old: list[str], new: list[str]) -> None:
    a, b = "".join(old), "".join(new)
    expected = "".join(difflib.unified_diff(a.splitlines(keepends=True), b.splitlines(keepends=True),
                                            fromfile="a/f.yaml", tofile="b/f.yaml"))
    assert text_diff(a, b, "f.yaml") == expected


def test_a_long_values_file_shows_only_the_changed_line() -> None:
    """Lines repeated all over a long file (difflib's "popular" junk) after the change, with no
    unique line below them, are not shown as removed and added again."""
    block = "  svc-{n}:\n    replicaCount: 2\n    resources:\n      requests:\n        cpu: \"500m\"\n"
    old = "".join(block.format(n=n) for n in range(60))  # 300 lines, the last block at the end
    new = old.replace("  svc-59:\n    replicaCount: 2\n", "  svc-59:\n    replicaCount: 3\n")
    diff = text_diff(old, new, "values.yaml")
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == ["-    replicaCount: 2", "+    replicaCount: 3"]
    assert "@@ -294,7 +294,7 @@" in diff  # line 297 and three lines of context each side
