"""A YAML text as libyaml parses it, with the source position of every node.

Only what the value editor needs: find a node by path (knowing when the path runs through an
anchor or alias), walk every mapping, and say where a scalar's own characters are. The nodes are
composed here from libyaml's events (through PyYAML's C parser): libyaml is the C original that
Helm's go-yaml v2 was ported from, so it accepts what Helm accepts (tabs as separation, a tab before a
comment) where the pure-Python parsers refuse. `reread` gives the same text as an independent
implementation reads it, to check an edit with a reader other than the one that located it.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from relbot.errors import InputError
from relbot.values.yamlpath import PathPart, format_path


@dataclass(frozen=True)
class Mark:
    """A position in the text: `index` counts characters (str indices); line and column from 0."""

    index: int
    line: int
    column: int


@dataclass(eq=False)
class ScalarNode:
    tag: str | None  # an explicit tag (`!!str`), expanded; None when implicit
    value: str
    start_mark: Mark
    end_mark: Mark
    style: str | None = None  # None: plain; `'`, `"`, `|`, `>`
    anchor: str | None = None


@dataclass(eq=False)
class SequenceNode:
    tag: str | None
    value: list[Node]
    start_mark: Mark
    end_mark: Mark
    flow_style: bool = False
    anchor: str | None = None


@dataclass(eq=False)
class MappingNode:
    tag: str | None
    value: list[tuple[Node, Node]]
    start_mark: Mark
    end_mark: Mark
    flow_style: bool = False
    anchor: str | None = None


Node = ScalarNode | SequenceNode | MappingNode


class Located(NamedTuple):
    """A node reached by a path: the node, its parent collection and the key or index used."""

    node: Any
    parent: Any
    key: PathPart
    chain: tuple[Any, ...] = ()  # every node from the document root down to `node`
    rest: tuple[PathPart, ...] = ()  # the path inside `node`, a values document held as a string
    path: tuple[PathPart, ...] = ()  # the path followed, a negative list index made positive


def compose(text: str, source: str) -> list[Any]:
    """The documents of `text` as node trees; a syntax error names the file, line and column.

    An anchor defined twice is allowed (the spec lets a later `&a` replace the earlier one, and
    go-yaml reads such files); an alias to an anchor not yet defined is an error."""
    import yaml  # noqa: PLC0415 - start-up guard; only bump-values needs it

    offset = 1 if text.startswith("\ufeff") else 0  # libyaml skips a BOM without counting it
    loader = yaml.CSafeLoader(text) if yaml.__with_libyaml__ else yaml.SafeLoader(text)
    try:
        return [doc for doc in _Composer(offset).compose(loader) if doc is not None]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        raise InputError(f"{source}: not valid YAML at {where}: {exc.problem or exc.context}",
                         "fix the file first; relbot never rewrites a file it cannot read") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{source}: not valid YAML: {exc}", "fix the file first") from None
    finally:
        loader.dispose()


@dataclass
class _Composer:
    """Node trees from parser events; one anchor table per document."""

    offset: int
    anchors: dict[str, Node] = field(default_factory=dict)
    stack: list[tuple[SequenceNode | MappingNode, list[Node]]] = field(default_factory=list)
    root: Node | None = None

    def compose(self, loader: Any) -> list[Any]:
        import yaml  # noqa: PLC0415 - start-up guard; only bump-values needs it

        docs: list[Any] = []
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.DocumentStartEvent):
                self.anchors, self.root = {}, None
            elif isinstance(event, yaml.DocumentEndEvent):
                docs.append(self.root)
            elif isinstance(event, yaml.AliasEvent):
                self._add(self._alias(event))
            elif isinstance(event, yaml.ScalarEvent):
                self._add(self._named(event, ScalarNode(
                    _tag(event.tag), event.value, self._mark(event.start_mark),
                    self._mark(event.end_mark), event.style or None)))
            elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                kind = SequenceNode if isinstance(event, yaml.SequenceStartEvent) else MappingNode
                collection = kind(_tag(event.tag), [], self._mark(event.start_mark),
                                  self._mark(event.end_mark), bool(event.flow_style))
                self._add(self._named(event, collection))
                self.stack.append((collection, []))
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                self.stack.pop()[0].end_mark = self._mark(event.end_mark)
        return docs

    def _mark(self, mark: Any) -> Mark:
        return Mark(mark.index + self.offset, mark.line, mark.column)

    def _named(self, event: Any, node: Node) -> Node:
        if event.anchor is not None:
            node.anchor = event.anchor
            self.anchors[event.anchor] = node
        return node

    def _alias(self, event: Any) -> Node:
        import yaml  # noqa: PLC0415 - start-up guard; only bump-values needs it

        if event.anchor not in self.anchors:
            raise yaml.MarkedYAMLError(None, None, f"found undefined alias *{event.anchor}",
                                       event.start_mark)
        return self.anchors[event.anchor]

    def _add(self, node: Node) -> None:
        if not self.stack:
            self.root = node
            return
        parent, pending = self.stack[-1]
        if isinstance(parent, SequenceNode):
            parent.value.append(node)
        elif pending:
            parent.value.append((pending.pop(), node))
        else:
            pending.append(node)


def _tag(tag: str | None) -> str | None:
    return None if tag in (None, "!") else tag


def reread(text: str) -> list[Any] | None:
    """`text` as an independent, pure-Python implementation composes it (ruamel.yaml, else
    PyYAML's own parser); None when neither reads it (both refuse some valid input that libyaml
    and go-yaml accept, such as a tab before a comment)."""
    import yaml  # noqa: PLC0415 - start-up guard; only bump-values needs it
    from ruamel.yaml import YAML  # noqa: PLC0415 - heavy; only bump-values needs it
    from ruamel.yaml.error import YAMLError  # noqa: PLC0415

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ruamel warns of an anchor defined twice, which is valid
        try:
            return [doc for doc in YAML(typ="safe", pure=True).compose_all(text) if doc is not None]
        except YAMLError:
            pass
    try:
        return [doc for doc in yaml.compose_all(text, Loader=yaml.SafeLoader) if doc is not None]
    except yaml.YAMLError:
        return None


def is_embedded(node: Any) -> bool:
    """A literal block scalar (`values: |`) that holds a YAML mapping or list, as Argo CD's
    `spec.source.helm.values` does (a config file or a script in a `|` string does not)."""
    if not (is_scalar(node) and node.style == "|" and ":" in node.value):
        return False
    try:
        docs = compose(node.value, "")
    except InputError:
        return False
    return bool(docs) and (is_mapping(docs[0]) or is_sequence(docs[0]))


def is_mapping(node: Any) -> bool:
    return type(node).__name__ == "MappingNode"


def is_sequence(node: Any) -> bool:
    return type(node).__name__ == "SequenceNode"


def is_scalar(node: Any) -> bool:
    return type(node).__name__ == "ScalarNode"


def scalar_span(text: str, node: Any) -> tuple[int, int] | None:
    """The characters of the scalar itself, without an anchor (`&a`) or tag (`!!str`) before it;
    None when they run into the value (`&an:chor value` is the anchor `an` before `:chor value`)."""
    start, end = node.start_mark.index, node.end_mark.index
    while start < end and text[start] in "&!":
        if text[start] == "&" and node.anchor and text.startswith("&" + node.anchor, start):
            start += 1 + len(node.anchor)
        else:
            while start < end and text[start] not in " \t\r\n":
                start += 1
        if start < end and text[start] not in " \t\r\n":
            return None
        while start < end and text[start] in " \t\r\n":
            start += 1
    return start, end


def reached_through_alias(owner: Any, child: Any) -> bool:
    """A child placed textually before its owner was reached through an alias (`*name`)."""
    return bool(child.start_mark.index < owner.start_mark.index)


def lookup(doc: Any, path: tuple[PathPart, ...], source: str, document: int) -> Located:
    """Follow `path`; a missing step names the deepest key found and the keys next to it."""
    node, parent, key = doc, None, path[0]
    chain = [doc]
    resolved: list[PathPart] = []
    for depth, part in enumerate(path):
        refuse_duplicate(node, part, path[: depth + 1], source, document)
        found = _child(node, part)
        if found is None:
            if is_embedded(node):
                return Located(node, parent, key, tuple(chain), path[depth:], tuple(resolved))
            raise _missing(node, path, depth, source, document)
        resolved.append(part + len(node.value) if isinstance(part, int) and part < 0 else part)
        _, child = found
        parent, node, key = node, child, part
        chain.append(node)
    return Located(node, parent, key, tuple(chain), (), tuple(resolved))


def refuse_duplicate(node: Any, part: PathPart, at: tuple[PathPart, ...], source: str,
                      document: int) -> None:
    """A key written twice in one mapping: readers differ on which one counts (Helm's takes the
    last), so an edit of either could be lost; say where both are."""
    if isinstance(part, int) or not is_mapping(node):
        return
    lines = [k.start_mark.line + 1 for k, _ in node.value if is_scalar(k) and k.value == part]
    if len(lines) > 1:
        raise InputError(f"{source} (document {document + 1}): {format_path(at)} is written "
                         f"{len(lines)} times in one mapping (lines {', '.join(map(str, lines))}); "
                         "YAML readers differ on which one counts",
                         "keep one of them (merge their contents), then run again")


def _child(node: Any, part: PathPart) -> tuple[Any, Any] | None:
    if isinstance(part, int):
        if not is_sequence(node):
            return None
        items = node.value
        index = part if part >= 0 else len(items) + part
        return (None, items[index]) if 0 <= index < len(items) else None
    if not is_mapping(node):
        return None
    for key_node, value_node in node.value:
        if is_scalar(key_node) and key_node.value == part:
            return key_node, value_node
    return None


def _missing(node: Any, path: tuple[PathPart, ...], depth: int, source: str, document: int) -> InputError:
    where = format_path(path[:depth]) or "the top level"
    part = path[depth]
    if is_mapping(node):
        keys = [k.value for k, _ in node.value if is_scalar(k)]
        nearby = ", ".join(str(k) for k in keys[:12]) or "none"
        detail = f"no key {part!r} under {where}; keys there: {nearby}"
        if "<<" in keys:
            detail += (" (more keys come from a merge `<<: *anchor`: set the value where the "
                       "anchor is defined)")
    elif is_sequence(node):
        detail = f"{where} is a list of {len(node.value)} items; there is no item [{part}]"
    else:
        detail = f"{where} is a scalar, so it has no {part!r}"
    return InputError(f"{source} (document {document + 1}): {detail}",
                      "check the path (`-v` lists the keys), or pass --create to add a missing leaf")


def walk(doc: Any, *, complex_keys: bool = False) -> Iterator[tuple[Any, tuple[PathPart, ...], Any]]:
    """Every node as written, in document order, with its path and its parent collection; an
    aliased node is visited once. Values under a complex key (`? [x]`) are left out, unless
    `complex_keys`, when their path part is 0."""
    seen: set[int] = set()
    stack: list[tuple[Any, tuple[PathPart, ...], Any]] = [(doc, (), None)]
    while stack:
        node, path, parent = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node, path, parent
        children: list[tuple[PathPart, Any]] = []
        if is_mapping(node):
            children = [(k.value if is_scalar(k) else 0, v) for k, v in node.value
                        if complex_keys or is_scalar(k)]
        elif is_sequence(node):
            children = list(enumerate(node.value))
        stack.extend((child, (*path, key), node) for key, child in reversed(children))


def alias_count(doc: Any) -> dict[int, int]:
    """How many times each node object is referenced (more than once: it is anchored and aliased)."""
    counts: dict[int, int] = {}
    stack = [doc]
    while stack:
        node = stack.pop()
        counts[id(node)] = counts.get(id(node), 0) + 1
        if counts[id(node)] > 1:
            continue
        if is_mapping(node):
            for key_node, value_node in node.value:
                stack.extend((key_node, value_node))
        elif is_sequence(node):
            stack.extend(node.value)
    return counts


def subtree_end(node: Any, text: str) -> int:
    """Where the text of a node ends: a flow collection at its bracket, a block one at its last
    item (not at the next key, where the composer's end mark points); a last item that is an alias
    (`pullPolicy: *p`, `<<: *base`, `- *a`) ends at that `*name`, not at its anchor."""
    end = int(node.end_mark.index)
    if getattr(node, "flow_style", False):
        return end
    if is_mapping(node) and node.value:
        key, value = node.value[-1]
        if reached_through_alias(key, value):
            return _alias_end(text, value, int(key.end_mark.index), end)
        return max(subtree_end(value, text), int(key.end_mark.index))
    if is_sequence(node) and node.value:
        item = node.value[-1]
        if reached_through_alias(node, item):
            return _alias_end(text, item, int(node.start_mark.index), end)
        return subtree_end(item, text)
    return end


def _alias_end(text: str, target: Any, start: int, end: int) -> int:
    """The end of the last `*name` naming `target`'s anchor between start and end."""
    token = "*" + (target.anchor or "")
    found = text.rfind(token, start, max(end, start + len(token)))
    return found + len(token) if found >= 0 else start
