"""Anchors, aliases and `<<:` merges as Helm's go-yaml v2 loads them: which paths hold a node.

A node shared through an anchor is loaded at every path that reaches it; a mapping's keys are its
own and those its merges bring, a later key or merge overwriting an earlier one. The value editor
asks these questions before it changes a shared value.
"""

from __future__ import annotations

from typing import Any

from relbot.errors import InputError
from relbot.values import yamldoc
from relbot.values.yamlpath import PathPart


def written_at(doc: Any, wanted: Any) -> tuple[PathPart, ...]:
    """The path of `wanted` in the text, walking keys as written (`<<` too) and no alias twice."""
    return next((path for node, path, _ in yamldoc.walk(doc, complex_keys=True) if node is wanted), ())


def used_as_key(doc: Any, wanted: Any) -> tuple[PathPart, ...] | None:
    """The path of a mapping that has `wanted` as one of its keys, if any."""
    return next((path for node, path, _ in yamldoc.walk(doc, complex_keys=True)
                 if yamldoc.is_mapping(node) and any(key is wanted for key, _ in node.value)), None)


_MAX_LOADED = 200_000  # values an alias-heavy document may expand to before relbot gives up


def loaded_paths(doc: Any, wanted: Any, source: str) -> list[tuple[PathPart, ...]]:
    """Every path at which a reader that follows aliases and `<<:` merges finds `wanted`."""
    found: list[tuple[PathPart, ...]] = []
    stack: list[tuple[Any, tuple[PathPart, ...], frozenset[int]]] = [(doc, (), frozenset())]
    visited = 0
    while stack:
        node, path, above = stack.pop()
        visited += 1
        if visited > _MAX_LOADED:
            raise InputError(f"{source}: its aliases expand to more than {_MAX_LOADED:,} values, so relbot "
                             "cannot tell what an edit would change", "un-share the anchors on the path")
        if node is wanted:
            found.append(path)
            continue
        if id(node) in above:
            continue  # a recursive alias
        children: list[tuple[PathPart, Any]] = []
        if yamldoc.is_mapping(node):
            children = loaded_pairs(node)
        elif yamldoc.is_sequence(node):
            children = list(enumerate(node.value))
        inside = above | {id(node)}
        stack.extend((child, (*path, key), inside) for key, child in reversed(children))
    return found


def merged_into(doc: Any, mapping: Any) -> list[Any]:
    """The mappings that take `mapping`'s keys through `<<:`, directly or through one another."""
    found: list[Any] = []
    sources = [mapping]
    while sources:
        source = sources.pop()
        for node, _, _ in yamldoc.walk(doc):
            if not yamldoc.is_mapping(node) or any(node is f for f in found):
                continue
            merged = [v for k, v in node.value if yamldoc.is_scalar(k) and is_merge(k)]
            items = [i for v in merged for i in ([v] if yamldoc.is_mapping(v) else
                                                 v.value if yamldoc.is_sequence(v) else [])]
            if any(item is source for item in items):
                found.append(node)
                sources.append(node)
    return found


def loaded_pairs(mapping: Any, depth: int = 0) -> list[tuple[PathPart, Any]]:
    """A mapping's keys as Helm's go-yaml v2 loads them: in order, a later key or `<<:` merge
    overwriting an earlier one (`{tag: v0, <<: *img}` takes the merged tag); of a list of merged
    mappings (`<<: [*a, *b]`) the first wins."""
    loaded: dict[PathPart, Any] = {}
    for key_node, value in mapping.value:
        if not yamldoc.is_scalar(key_node):
            continue
        if not is_merge(key_node):
            loaded[key_node.value] = value
            continue
        sources = [value] if yamldoc.is_mapping(value) else \
            [item for item in reversed(value.value) if yamldoc.is_mapping(item)] \
            if yamldoc.is_sequence(value) and depth <= 32 else []
        for merged in sources:
            loaded.update(loaded_pairs(merged, depth + 1))
    return list(loaded.items())


def is_merge(key: Any) -> bool:
    return bool(key.value == "<<" and key.style is None and key.tag in (None, "tag:yaml.org,2002:merge"))
