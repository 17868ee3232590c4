"""Does an edited text read back as the original, changed exactly where it was meant to?

The trees compared are node trees: libyaml's of the original, and libyaml's or an independent
reader's of the edited text. At each expected path the scalar must carry the value and the quoting
style planned; everywhere else the trees must be equal (aliases compared once).
"""

from __future__ import annotations

from typing import Any

from relbot.values import yamldoc
from relbot.values.yamlpath import PathPart


def all_same(docs: list[Any], read: list[Any], expected: dict[tuple[int, tuple[PathPart, ...]], Any],
              tags: bool) -> bool:
    return len(read) == len(docs) and all(_same(old, new, (), index, expected, set(), tags)
                                          for index, (old, new) in enumerate(zip(docs, read, strict=True)))


def _same(old: Any, new: Any, path: tuple[PathPart, ...], doc: int,
          expected: dict[tuple[int, tuple[PathPart, ...]], Any], seen: set[int], tags: bool) -> bool:
    """`new` (from any reader) is `old` (libyaml's), but at the expected paths; explicit tags are
    compared only between libyaml's trees (`tags`), as other readers resolve implicit ones."""
    if (doc, path) in expected:
        want = expected[(doc, path)]
        seen.add(id(old))  # its aliases elsewhere changed with it
        return bool(yamldoc.is_scalar(new) and new.value == want.value and new.style == want.style)
    if id(old) in seen:
        return True  # an alias of a node already compared
    seen.add(id(old))
    if not _same_kind(old, new) or (tags and old.tag != new.tag):
        return False
    if yamldoc.is_scalar(old):
        return bool(old.value == new.value and old.style == (new.style or None))
    if yamldoc.is_sequence(old):
        return len(old.value) == len(new.value) and all(
            _same(a, b, (*path, i), doc, expected, seen, tags)
            for i, (a, b) in enumerate(zip(old.value, new.value, strict=True)))
    new_pairs = list(new.value)
    created = [(k, v) for k, v in new_pairs if yamldoc.is_scalar(k)  # a complex key is never created
               and (doc, (*path, k.value)) in expected and all(ok.value != k.value for ok, _ in old.value)]
    kept = [pair for pair in new_pairs if pair not in created]
    if len(kept) != len(old.value):
        return False
    for (old_key, old_value), (new_key, new_value) in zip(old.value, kept, strict=True):
        if not _same(old_key, new_key, (*path, 0), doc, {}, seen, tags):  # keys are never edited
            return False
        at = (*path, old_key.value) if yamldoc.is_scalar(old_key) else (*path, 0)
        if not _same(old_value, new_value, at, doc, expected if yamldoc.is_scalar(old_key) else {},
                     seen, tags):
            return False
    return all(_same(None, v, (*path, k.value), doc, expected, seen, tags) for k, v in created)


def _same_kind(old: Any, new: Any) -> bool:
    return (yamldoc.is_scalar(old) and yamldoc.is_scalar(new)) or (
        yamldoc.is_mapping(old) and yamldoc.is_mapping(new)) or (
        yamldoc.is_sequence(old) and yamldoc.is_sequence(new))
