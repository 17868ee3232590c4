"""Set values in YAML text by byte span: text and edits in, new text and the changes out.

Each target scalar is found with libyaml's parser (`yamldoc`), which reports where every node
starts and ends; only that scalar's characters are replaced, so comments, blank lines, indentation,
quotes, line endings, a BOM, flow style, anchors and other documents stay byte for byte. The
result is read again, by libyaml and by an independent reader, and must differ from the original
exactly at the edited paths, or nothing is returned.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from relbot.errors import InputError
from relbot.values import anchors, downgrade, verify, yamldoc
from relbot.values.images import ImageTarget, parse_reference, same_image
from relbot.values.scalars import Kind, render, resolve
from relbot.values.yamlpath import PathPart, format_path


class SetValue(NamedTuple):
    """`--set PATH=VALUE`."""

    path: tuple[PathPart, ...]
    value: str


class SetImage(NamedTuple):
    """`--image REPOSITORY=TAG[@DIGEST]`: every reference to that image."""

    target: ImageTarget


Edit = SetValue | SetImage


class ValueChange(NamedTuple):
    """One scalar set (or found already set) in one document."""

    path: str
    document: int  # 0-based
    line: int  # 1-based line of the value
    old: str | None  # None when the key was created
    new: str
    old_source: str
    new_source: str
    parts: tuple[PathPart, ...] = ()
    within: tuple[PathPart, ...] = ()  # the path of the string that holds it, in an embedded document

    @property
    def changed(self) -> bool:
        return self.old_source != self.new_source


class EditResult(NamedTuple):
    text: str
    changes: tuple[ValueChange, ...]  # every target, changed or already set

    @property
    def changed(self) -> tuple[ValueChange, ...]:
        return tuple(c for c in self.changes if c.changed)


@dataclass
class _Target:
    document: int
    path: tuple[PathPart, ...]
    node: Any  # the scalar node; None when the key is created
    parent: Any
    value: str
    what: str  # for messages: "--set a.b" or "--image x"
    chain: tuple[Any, ...] = ()  # the nodes above `node`, when it was found by path
    inner: tuple[Edit, ...] = ()  # edits inside `node`, a values document held as a string
    image: ImageTarget | None = None  # the image asked for, when found by --image
    also: tuple[tuple[PathPart, ...], ...] = ()  # other paths asked for that reach the same scalar
    defined: tuple[PathPart, ...] | None = None  # where a shared value is written, if not at `path`

    @property
    def written_at(self) -> tuple[PathPart, ...]:
        """The path of the text that changes (an alias's target is written at its anchor)."""
        return self.defined or self.path


def edit_values(
    text: str, edits: Sequence[Edit], *, source: str = "<text>", document: int | None = None,
    create: bool = False, allow_downgrade: bool = False, allow_shared: bool = False,
) -> EditResult:
    """Apply `edits` to `text`; raise InputError (and change nothing) when any cannot be made.

    A value shared through an anchor (`&a`, `*a`, `<<: *a`) changes wherever it is used: that is
    allowed when every such path was asked for, or with `allow_shared`."""
    docs = _compose(text, source, document)
    targets = _find_targets(text, docs, edits, source, document, create)
    replacements: list[tuple[int, int, str]] = []
    changes: list[ValueChange] = []
    blocks: dict[tuple[int, tuple[PathPart, ...]], Any] = {}
    counts = {index: yamldoc.alias_count(doc) for index, doc in enumerate(docs)}
    for target in targets:
        if any(0xD800 <= ord(ch) <= 0xDFFF for ch in target.value):
            raise InputError(f"{source}: the value for {format_path(target.path)} is not UTF-8 text "
                             f"({target.value!r})", "pass the value as UTF-8")
        _check_shared(docs[target.document], counts[target.document], target, source, allow_shared)
        if target.inner:
            inner_changes, inner_replacements, block = _render_embedded(
                text, target, source, {"create": create, "allow_downgrade": allow_downgrade,
                                       "allow_shared": allow_shared})
            changes.extend(inner_changes)
            replacements.extend(inner_replacements)
            if inner_replacements:
                blocks[(target.document, target.written_at)] = block
            continue
        change, span = _render_target(text, target, source, allow_downgrade)
        changes.append(change)
        if change.changed:
            replacements.append((*span, change.new_source))
    new_text = _apply(text, replacements)
    if new_text != text:
        _verify(docs, text, new_text, changes, source, blocks)
    return EditResult(new_text, tuple(changes))


class ValueRead(NamedTuple):
    """One scalar an edit reaches, and its value now (None: the key is missing and would be created)."""

    path: str
    document: int  # 0-based
    parts: tuple[PathPart, ...]  # where it is written; a `SetValue` with these parts sets it again
    value: str | None


def read_values(text: str, edits: Sequence[Edit], *, source: str = "<text>",
                document: int | None = None, create: bool = False) -> tuple[ValueRead, ...]:
    """The scalars `edits` would set in `text`, found exactly as `edit_values` finds them, with
    their values now; nothing is rendered or checked. Raises InputError as `edit_values` does for a
    path that is not there, an image with no reference, or a text that is not YAML."""
    docs = _compose(text, source, document)
    found: list[ValueRead] = []
    for target in _find_targets(text, docs, edits, source, document, create):
        if target.inner:
            where = f"{source}: {format_path(target.path)}"
            inner = read_values(target.node.value, target.inner, source=where)
            found += [ValueRead(f"{format_path(target.path)} | {r.path}", target.document,
                                (*target.written_at, *r.parts), r.value) for r in inner]
        elif target.node is None or yamldoc.is_scalar(target.node):
            found.append(ValueRead(format_path(target.path), target.document, target.written_at,
                                   None if target.node is None else str(target.node.value)))
        else:
            raise InputError(f"{source}: {format_path(target.path)} is not a single value",
                             "point the path at the scalar inside it (for example …image.tag)")
    return tuple(found)


def _compose(text: str, source: str, document: int | None) -> list[Any]:
    docs = yamldoc.compose(text, source)
    if not docs:
        raise InputError(f"{source}: the file has no YAML document", "check the file name")
    if document is not None and not 0 <= document < len(docs):
        raise InputError(f"{source}: --document {document + 1} does not exist; the file has "
                         f"{len(docs)} document(s)", "documents are numbered from 1")
    return docs


def _find_targets(text: str, docs: list[Any], edits: Sequence[Edit], source: str,
                  document: int | None, create: bool) -> list[_Target]:
    targets: list[_Target] = []
    for edit in edits:
        if isinstance(edit, SetValue):
            targets.append(_path_target(docs, edit, source, document, create))
        else:
            targets.extend(_image_targets(text, docs, edit.target, source, document))
    return _dedupe(targets, source)


def _path_target(docs: list[Any], edit: SetValue, source: str, document: int | None,
                 create: bool) -> _Target:
    what = f"--set {format_path(edit.path)}"
    candidates = [document] if document is not None else list(range(len(docs)))
    found: list[tuple[int, yamldoc.Located]] = []
    errors: list[InputError] = []
    for index in candidates:
        try:
            found.append((index, yamldoc.lookup(docs[index], edit.path, source, index)))
        except InputError as exc:
            errors.append(exc)
    if len(found) > 1:
        numbers = ", ".join(str(i + 1) for i, _ in found)
        raise InputError(f"{source}: {format_path(edit.path)} exists in documents {numbers}",
                         "pass --document N to choose one")
    if found:
        index, located = found[0]
        if located.rest:  # the rest of the path is inside a values document held as a string
            return _Target(index, located.path, located.node, located.parent, "", what, located.chain,
                           (SetValue(located.rest, edit.value),))
        return _Target(index, located.path, located.node, located.parent, edit.value, what,
                       located.chain)
    if create:
        return _create_target(docs, edit, source, candidates, errors, what)
    raise errors[0]


def _create_target(docs: list[Any], edit: SetValue, source: str, candidates: list[int],
                   errors: list[InputError], what: str) -> _Target:
    key = edit.path[-1]
    parents: list[tuple[int, Any]] = []
    for index in candidates:
        try:
            located = yamldoc.lookup(docs[index], edit.path[:-1], source, index) if len(edit.path) > 1 \
                else yamldoc.Located(docs[index], None, "")
        except InputError:
            continue
        if yamldoc.is_mapping(located.node) and isinstance(key, str):
            parents.append((index, located.node))
    if len(parents) != 1:
        if len(parents) > 1:
            raise InputError(f"{source}: the parent of {format_path(edit.path)} is in several "
                             "documents", "pass --document N")
        raise InputError(f"{errors[0].message}; --create adds only a missing last key, under an "
                         "existing mapping", "check the path (`-v` lists the keys), or add the "
                         "mappings above the last key by hand once")
    index, parent = parents[0]
    return _Target(index, edit.path, None, parent, edit.value, what)


def _image_targets(text: str, docs: list[Any], target: ImageTarget, source: str,
                   document: int | None) -> list[_Target]:
    what = f"--image {target.name}"
    found: list[_Target] = []
    for index, doc in enumerate(docs):
        if document is not None and index != document:
            continue
        matches = [*(t for mapping, path, _ in yamldoc.walk(doc) if yamldoc.is_mapping(mapping)
                     for t in _split_reference(index, mapping, path, target, what, source)),
                   *_whole_references(index, doc, target, what, source)]
        matches.extend(_embedded_references(index, doc, target, what, source))
        for match in matches:  # the nodes above, so a shared (anchored) mapping is seen
            match.chain = yamldoc.lookup(doc, match.path[:-1], source, index).chain \
                if len(match.path) > 1 else (doc,)
            yamldoc.refuse_duplicate(match.parent, match.path[-1], match.path, source, index)
            match.image = target
        found.extend(matches)
    if not found:
        raise ImageNotFoundError(
            f"{source}: no reference to image {target.name} (no `repository:` or `name:` with a "
            "`tag:` next to it, no Kustomize `images:` entry, no `image: repo:tag` string, and none "
            "in a values document held as a `|` string)",
            "check the repository name; relbot matches it with and without the registry")
    return found


class ImageNotFoundError(InputError):
    """No reference to the image asked for."""


def _embedded_references(index: int, doc: Any, target: ImageTarget, what: str,
                         source: str) -> Iterator[_Target]:
    """A values document held as a `|` string (Argo CD's `spec.source.helm.values`) that
    references the image: the edit is made inside it."""
    for parent, _, node, path in _scalars(doc):
        if target.name.rsplit("/", 1)[-1] not in node.value or not yamldoc.is_embedded(node):
            continue
        try:
            edit_values(node.value, [SetImage(target)], source=f"{source}: {format_path(path)}",
                        allow_downgrade=True)
        except ImageNotFoundError:
            continue
        except InputError:
            pass  # a reference is there; the real edit reports what is wrong with it
        yield _Target(index, path, node, parent, "", what, inner=(SetImage(target),))


def _split_reference(index: int, mapping: Any, path: tuple[PathPart, ...], target: ImageTarget,
                     what: str, source: str) -> Iterator[_Target]:
    """An image written as fields: `repository` (and `registry`) or `name`, with `tag` and
    `digest` beside it; or a Kustomize `images:` entry (`name`, `newName`, `newTag`, `digest`)."""
    fields = dict(anchors.loaded_pairs(mapping))  # as Helm loads it: `<<: *defaults` may bring the repository
    if "newTag" in fields or "newName" in fields:
        yield from _kustomize_entry(index, mapping, path, fields, target, what, source)
        return
    repo, registry = fields.get("repository"), fields.get("registry")
    if repo is None and ("tag" in fields or "digest" in fields):
        repo = fields.get("name")  # `image: {name: ghcr.io/org/app, tag: v1}`, as many charts spell it
    if repo is None or not yamldoc.is_scalar(repo) or not isinstance(repo.value, str):
        return
    registry_name = registry.value if registry is not None and _has_value(registry) else None
    if not same_image(target, registry_name or None, repo.value):
        return
    tag, digest = fields.get("tag"), fields.get("digest")
    if tag is None and digest is not None and not target.digest:
        raise InputError(f"{source}: {format_path(path)} pins {target.name} by digest only (a "
                         "`digest:` and no `tag:`), so a new tag alone cannot move it",
                         f"pass the digest too: --image {target.name}=TAG@sha256:… (or "
                         "=@sha256:…)")
    if target.digest and digest is not None:
        yield _Target(index, (*path, "digest"), digest, mapping, target.digest, what)
        if target.tag and tag is not None:
            yield _Target(index, (*path, "tag"), tag, mapping, target.tag, what)
    elif tag is not None and (target.tag or target.digest):
        value = f"{target.tag or ''}@{target.digest}" if target.digest else str(target.tag)
        if _has_value(digest) and not target.digest:
            # a new tag with the old digest beside it would still pin the old image
            yield _Target(index, (*path, "digest"), digest, mapping, "", what)
        if not target.tag:
            raise InputError(f"{source}: {format_path(path)} has no `digest:` key for "
                             f"{target.digest}", "add a digest key, or pass TAG@DIGEST")
        yield _Target(index, (*path, "tag"), tag, mapping, value, what)


def _has_value(node: Any) -> bool:
    """A scalar that holds something: not empty, and not a plain null (`~`, `null`)."""
    return node is not None and yamldoc.is_scalar(node) and bool(node.value) and not (
        node.style is None and resolve(node.value) is Kind.NULL)


def _kustomize_entry(index: int, mapping: Any, path: tuple[PathPart, ...], fields: dict[PathPart, Any],
                     target: ImageTarget, what: str, source: str) -> Iterator[_Target]:
    """A Kustomize `images:` entry: the image deployed is `newName` (else `name`); its tag goes in
    `newTag`, its digest in `digest`."""
    deployed = fields.get("newName") or fields.get("name")
    if deployed is None or not yamldoc.is_scalar(deployed) or not isinstance(deployed.value, str) \
            or not same_image(target, None, deployed.value):
        return
    new_tag, digest = fields.get("newTag"), fields.get("digest")
    if target.tag:
        if new_tag is None:
            raise InputError(f"{source}: {format_path(path)} (a Kustomize image) has no `newTag:` "
                             f"for {target.tag}", "add `newTag:` to the entry once")
        yield _Target(index, (*path, "newTag"), new_tag, mapping, target.tag, what)
    if target.digest or _has_value(digest):
        if digest is None:
            raise InputError(f"{source}: {format_path(path)} (a Kustomize image) has no `digest:` "
                             f"for {target.digest}", "add `digest:` to the entry once")
        yield _Target(index, (*path, "digest"), digest, mapping, target.digest or "", what)


def _whole_references(index: int, doc: Any, target: ImageTarget, what: str,
                      source: str) -> Iterator[_Target]:
    for parent, key, node, path in _scalars(doc):
        if key in ("repository", "registry", "tag", "digest") or not isinstance(node.value, str):
            continue
        ref = parse_reference(node.value)
        if ref is None or (ref.tag is None and ref.digest is None):
            continue
        if not same_image(target, ref.registry, ref.repository):
            continue
        if ref.tag is None and not target.digest:
            raise InputError(f"{source}: {format_path(path)} pins {target.name} by digest only "
                             f"({node.value}), so a new tag alone cannot move it",
                             f"pass the digest too: --image {target.name}=TAG@sha256:…")
        tag = target.tag or (ref.tag if target.digest else None)
        digest = target.digest if target.digest else None
        new = type(ref)(ref.registry, ref.repository, tag, digest).render(node.value)
        yield _Target(index, path, node, parent, new, what)


def _scalars(doc: Any) -> Iterator[tuple[Any, PathPart, Any, tuple[PathPart, ...]]]:
    """(parent, key or index, scalar, path) of every value that is a scalar, in document order."""
    for node, path, parent in yamldoc.walk(doc):
        if path and yamldoc.is_scalar(node):
            yield parent, path[-1], node, path


def _dedupe(targets: list[_Target], source: str) -> list[_Target]:
    """One target per scalar: the same node reached by two paths (`tag: &t …` and `tag: *t`) is
    edited once; two different values for it are an error."""
    by_place: dict[tuple[int, object], _Target] = {}
    for target in targets:
        place = (target.document, id(target.node) if target.node is not None else target.path)
        if place in by_place and by_place[place].inner and target.inner:
            by_place[place].inner += target.inner  # edits inside one embedded document
            continue
        if place in by_place and by_place[place].value != target.value:
            raise InputError(f"{source}: {format_path(target.path)} is set twice, to "
                             f"{by_place[place].value!r} ({by_place[place].what}) and "
                             f"{target.value!r} ({target.what})", "set each value once")
        if place in by_place:
            by_place[place].also += (target.path,)
            by_place[place].image = by_place[place].image or target.image
        by_place.setdefault(place, target)
    return list(by_place.values())


def _check_shared(doc: Any, counts: dict[int, int], target: _Target, source: str,
                  allow_shared: bool) -> None:
    """A value shared through an anchor changes at every path the file loads it at: allowed when
    each of them was asked for (the path set, or a reference to the image asked for — a merge key's
    own override is not shared), else refused naming the others."""
    holder = target.node if target.node is not None else target.parent
    shared = [node for node in (*target.chain, holder) if node is not None and counts.get(id(node), 0) > 1]
    merging = any(yamldoc.is_mapping(node) and any(yamldoc.is_scalar(k) and anchors.is_merge(k)
                                                   for k, _ in node.value) for node in target.chain)
    if not shared and not merging:
        return
    as_key = anchors.used_as_key(doc, holder)
    if as_key is not None:
        raise InputError(f"{source}: {format_path(target.path)} is also used as a key (at "
                         f"{format_path(as_key) or 'the top level'}, through an alias); setting it "
                         "would rename that key", "give the value and the key each their own text")
    paths = anchors.loaded_paths(doc, holder, source)
    written = anchors.written_at(doc, holder)
    if target.node is None:  # a created key lands in every use of its mapping, merges included
        key = target.path[-1]
        users = [mapping for mapping in anchors.merged_into(doc, holder)
                 if all(not yamldoc.is_scalar(k) or k.value != key for k, _ in mapping.value)]
        paths += [path for user in users for path in anchors.loaded_paths(doc, user, source)]
        paths = [(*path, key) for path in paths]
        written = (*written, target.path[-1])
    target.defined = written
    if target.node is not None and yamldoc.is_mapping(target.parent) and \
            dict(anchors.loaded_pairs(target.parent)).get(target.path[-1]) is not target.node:
        raise InputError(f"{source}: {format_path(target.path)} is overridden by a `<<:` merge after it "
                         "(Helm's go-yaml reads the merged value there), so setting it would change "
                         "nothing", "move the `<<:` line above the key, or set the value where the "
                         "merged anchor is defined")
    others = [path for path in paths if path != target.path and not _asked(doc, path, target)]
    if others and not allow_shared:
        anchor = next((node.anchor for node in shared if node.anchor), "?")
        named = ", ".join(format_path(path) for path in others[:10]) + (" …" if len(others) > 10 else "")
        raise InputError(f"{source}: setting {format_path(target.path)} would also change {named}, which "
                         f"share{'s' if len(others) == 1 else ''} its value through the anchor &{anchor}",
                         "pass --allow-shared to change them all knowingly, or give each its own value")


def _asked(doc: Any, path: tuple[PathPart, ...], target: _Target) -> bool:
    """`path` was asked for too: by another --set of the same scalar, or as a reference to the image
    an --image edit asked for (as loaded, merges applied)."""
    if path in target.also:
        return True
    if target.image is None:
        return False
    node = target.node
    if node is not None and yamldoc.is_scalar(node) and path[-1] not in ("tag", "digest", "newTag"):
        ref = parse_reference(str(node.value))  # a whole `repo:tag` string: the same image everywhere
        return ref is not None and same_image(target.image, ref.registry, ref.repository)
    holder = doc
    for part in path[:-1]:
        pairs = anchors.loaded_pairs(holder) if yamldoc.is_mapping(holder) else \
            list(enumerate(holder.value)) if yamldoc.is_sequence(holder) else []
        holder = next((child for key, child in pairs if key == part), None)
        if holder is None:
            return False
    if not yamldoc.is_mapping(holder):
        return False
    fields = {key: child.value for key, child in anchors.loaded_pairs(holder) if yamldoc.is_scalar(child)}
    if "newTag" in fields or "newName" in fields:
        deployed = fields.get("newName") or fields.get("name")
        return isinstance(deployed, str) and same_image(target.image, None, deployed)
    repo = fields.get("repository") or fields.get("name")
    registry_node = dict(anchors.loaded_pairs(holder)).get("registry")
    registry = registry_node.value if registry_node is not None and _has_value(registry_node) else None
    return isinstance(repo, str) and same_image(target.image, registry, repo)


def _render_embedded(text: str, target: _Target, source: str, flags: dict[str, bool],
                     ) -> tuple[list[ValueChange], list[tuple[int, int, str]], Any]:
    """Edit a values document held as a `|` string, line by line: each changed line of the document
    replaces that line's characters after the block's indentation, a created line is inserted with
    that indentation; every other byte stays. `flags`: create, allow_downgrade, allow_shared."""
    node, where = target.node, format_path(target.path)
    lines = _block_lines(text, node)
    if lines is None:
        raise InputError(f"{source}: {where} holds a values document relbot cannot map line by line "
                         "(an indentation indicator, or tabs in it)", "set the value by hand")
    inner_source = f"{source}: the `|` string {where} (its line 1 is line {_line_at(text, lines[0][0])})"
    result = edit_values(node.value, target.inner, source=inner_source, **flags)
    old_lines, new_lines = node.value.split("\n"), result.text.split("\n")
    first = next(start for start, end in lines if end > start)
    indent = text[text.rfind("\n", 0, first) + 1 : first]
    newline = "\r\n" if text[lines[0][1] : lines[0][1] + 1] == "\r" else "\n"
    replacements: list[tuple[int, int, str]] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "replace" and i2 - i1 == j2 - j1 and i2 <= len(lines):
            replacements += [(*lines[i], new_lines[j]) for i, j in zip(range(i1, i2), range(j1, j2),
                                                                        strict=True)]
        elif tag == "insert" and i1 < len(lines):
            at = text.rfind("\n", 0, lines[i1][0]) + 1  # the start of that line
            replacements.append((at, at, "".join(indent + line + newline for line in new_lines[j1:j2])))
        elif tag != "equal":
            raise InputError(f"{source}: {where}: relbot cannot map this change of the values document "
                             "held as a string back onto its lines", "make the change by hand")
    changes = [ValueChange(f"{where} | {c.path}", target.document,
                           _line_at(text, lines[c.line - 1][0]), c.old, c.new, c.old_source,
                           c.new_source, (*target.written_at, *c.parts), target.written_at)
               for c in result.changes]
    block = yamldoc.ScalarNode(None, result.text, node.start_mark, node.end_mark, "|")
    return changes, replacements, block


def _block_lines(text: str, node: Any) -> list[tuple[int, int]] | None:
    """Where each line of a `|` string's value stands in the text (after the indentation, before
    the line break); None when the lines do not give back the value exactly."""
    header_end = text.find("\n", node.start_mark.index)
    header = text[node.start_mark.index : header_end].split("#", 1)[0].strip()
    if header_end < 0 or any(ch.isdigit() for ch in header):
        return None
    body = text[header_end + 1 : node.end_mark.index]
    indent = next((len(line) - len(line.lstrip(" ")) for line in body.split("\n") if line.strip()), 0)
    spans: list[tuple[int, int]] = []
    position = header_end + 1
    for line in body.split("\n"):
        content = line.removesuffix("\r")
        start = position + min(indent, len(content))
        spans.append((start, position + len(content)))
        position += len(line) + 1
    rebuilt = "\n".join(text[start:end] for start, end in spans)
    value_lines = node.value.split("\n")
    if indent == 0 or rebuilt.rstrip("\n") != node.value.rstrip("\n") or len(spans) < len(value_lines) - 1:
        return None
    return spans


def _render_target(text: str, target: _Target, source: str,
                   allow_downgrade: bool) -> tuple[ValueChange, tuple[int, int]]:
    path = format_path(target.path)
    if target.node is None:
        position, new_source = _creation(text, target)
        change = ValueChange(path, target.document, _line_at(text, position), None,
                             target.value, "", new_source, target.written_at)
        return change, (position, position)
    node = target.node
    if not yamldoc.is_scalar(node):
        kind = "a mapping" if yamldoc.is_mapping(node) else "a list"
        raise InputError(f"{source}: {path} is {kind}, not a single value",
                         "point the path at the scalar inside it (for example …image.tag)")
    if node.style in ("|", ">"):
        raise InputError(f"{source}: {path} is a block scalar ({node.style}); relbot only sets "
                         "single-line values", "make it a plain or quoted value first")
    if node.tag not in (None, _STR_TAG):
        raise InputError(f"{source}: {path} has the explicit tag {_short_tag(node.tag)}; relbot writes "
                         "strings and keeps every tag", "remove the tag from the file, or set this "
                         "value by hand")
    span = yamldoc.scalar_span(text, node)
    if span is None:
        raise InputError(f"{source}: {path} has an anchor that runs into its value (`&{node.anchor}"
                         f"{node.value}`: libyaml and go-yaml read the anchor `{node.anchor}`)",
                         "put a space between the anchor and the value, or rename the anchor")
    start, end = span
    prefix = ""
    if node.value == "" and node.style is None:  # `tag:` with nothing after it
        if node.start_mark.index < end:  # `tag: &a` or `tag: !!str`: the value goes after them
            start, prefix = end, " "
        else:
            start, prefix = _empty_slot(text, target, source)
        end = start
    old_source = text[start:end]
    old_value = str(node.value)
    if not allow_downgrade:
        # a plain `tag: 1.10` is the float 1.1 to Helm: the image running is `app:1.1`
        running = f"{float(old_value):g}" if node.style is None and resolve(old_value) is Kind.FLOAT \
            and downgrade.SHORT_VERSION.match(old_value) else old_value
        downgrade.refuse_downgrade(running, target.value, path, source, shown=old_value)
    keep = resolve(old_value) if node.style is None else None
    if keep is not None and keep not in (Kind.INT, Kind.BOOL):
        keep = None
    rendered = render(target.value, node.style, keep)
    # a value already set keeps its source: quoted as it was, or plain when it is written so anyway
    new_source = old_source if old_value == target.value and (node.style is not None or
                                                              rendered == old_source) else rendered
    if node.value == "" and node.style is None and new_source:
        new_source = prefix + new_source
    change = ValueChange(path, target.document, _line_at(text, start), old_value,
                         target.value, old_source, new_source, target.written_at)
    return change, (start, end)


_STR_TAG = "tag:yaml.org,2002:str"


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def _empty_slot(text: str, target: _Target, source: str) -> tuple[int, str]:
    """Where an empty value goes and what precedes it: after `key:` (" "), after a list item's
    `-` (" "), or after a flow-mapping key written without `:` (": ")."""
    parent, node = target.parent, target.node
    if yamldoc.is_sequence(parent):
        index = next(i for i, item in enumerate(parent.value) if item is node)
        after = yamldoc.subtree_end(parent.value[index - 1], text) if index else parent.start_mark.index
        dash = text.find("-", after)
        if dash >= 0 and not parent.flow_style:
            return dash + 1, " "
    elif yamldoc.is_mapping(parent):
        key = next((k for k, v in parent.value if v is node), None)
        if key is None:  # the empty value comes from a `<<:` merge: it is written elsewhere
            raise InputError(f"{source}: {format_path(target.path)} is empty and comes from a `<<:` merge",
                             "write a placeholder value where the merged anchor is defined (tag: \"\")")
        rest = text[key.end_mark.index : node.start_mark.index + 1]
        colon = rest.find(":")
        if colon >= 0 and not rest[:colon].strip(" \t\"'"):
            return key.end_mark.index + colon + 1, " "
        if parent.flow_style and key.start_mark.line == key.end_mark.line:
            return key.end_mark.index, ": "  # an implicit key must stay on one line
    raise InputError(f"{source}: {format_path(target.path)} has no value and relbot cannot tell "
                     "where one would go", "write a placeholder value there once (tag: \"\")")


def _creation(text: str, target: _Target) -> tuple[int, str]:
    """Where and what to insert for a missing last key, in the style of its siblings."""
    parent = target.parent
    key = str(target.path[-1])
    key_source = render(key, None)
    if len(key_source) > 1024:
        raise InputError(f"--create: the key {key[:40]!r}… is longer than the 1,024 characters YAML "
                         "allows a key without `? `", "add the key by hand")
    value_source = render(target.value, None)
    newline = "\r\n" if "\r\n" in text else "\n"
    if parent.flow_style:
        close = parent.end_mark.index - 1
        while close > 0 and text[close - 1] in " \t":
            close -= 1
        separator = ", " if parent.value else ""
        return close, f"{separator}{key_source}: {value_source}"
    if not parent.value:
        raise InputError("--create cannot add to an empty mapping", "add the key by hand once")
    first_key = parent.value[0][0]
    indent = " " * first_key.start_mark.column
    last_end = yamldoc.subtree_end(parent.value[-1][1], text)
    if yamldoc.reached_through_alias(parent.value[-1][0], parent.value[-1][1]) or \
            not yamldoc.is_scalar(parent.value[-1][1]):
        last_end = yamldoc.subtree_end(parent, text)
    eol = text.find("\n", last_end)
    position = len(text) if eol < 0 else eol + 1
    prefix = newline if eol < 0 else ""
    return position, f"{prefix}{indent}{key_source}: {value_source}{newline if eol >= 0 else ''}"


def _line_at(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _apply(text: str, replacements: list[tuple[int, int, str]]) -> str:
    ordered = sorted(replacements, key=lambda r: (r[0], r[1]))
    for (_, end, _), (start, _, _) in itertools.pairwise(ordered):
        if start < end:
            raise InputError("two edits overlap in the same scalar", "set each value once")
    for start, end, new in reversed(ordered):
        text = text[:start] + new + text[end:]
    return text


def _verify(docs: list[Any], text: str, new_text: str, changes: list[ValueChange], source: str,
            blocks: dict[tuple[int, tuple[PathPart, ...]], Any]) -> None:
    """Read the new text twice, with libyaml (which located the values) and with an independent
    pure-Python reader (`yamldoc.reread`); each must equal the original everywhere but at the
    changed paths, where the scalar must read back as the value set, in the style that gives it
    the type intended."""
    try:
        new_docs = yamldoc.compose(new_text, source)
    except InputError:
        written = ", ".join(f"{c.path} as {c.new_source.strip()}" for c in changes if c.changed)
        raise InputError(f"{source}: writing {written} would make the file unreadable to libyaml, and "
                         "so to Helm's go-yaml, which shares its parser; nothing was written",
                         "tidy the lines around the value (a line of only spaces and tabs, an anchor "
                         "with `:` in its name), then run again") from None
    expected: dict[tuple[int, tuple[PathPart, ...]], Any] = dict(blocks)
    for change in changes:
        if change.changed and not change.within:
            scalar = render(change.new, None) if change.old is None else change.new_source
            if change.old_source == "":  # an empty slot was filled: drop the ` ` or `: ` before it
                scalar = scalar.removeprefix(":").lstrip(" ")
            probe = yamldoc.compose(f"v: {scalar}\n", source)[0].value[0][1]
            if probe.value != change.new:
                raise InputError(f"{source}: {change.path} would read back as {probe.value!r}, "
                                 f"not {change.new!r}; nothing was written", "please report this")
            expected[(change.document, change.parts)] = probe
    readers = [("libyaml", new_docs, True)]
    independent = yamldoc.reread(new_text)
    if independent is None and yamldoc.reread(text) is not None:
        readers.append(("the independent reader", [], False))  # it read the original, not the edit
    elif independent is not None:
        readers.append(("the independent reader", independent, False))
    for name, read, same_reader in readers:
        if not verify.all_same(docs, read, expected, same_reader):
            original = yamldoc.reread(text) if not same_reader else docs
            if original is not None and not verify.all_same(docs, original, {}, same_reader):
                raise InputError(f"{source}: libyaml and {name} read the file differently (before any "
                                 "edit), so relbot cannot check an edit of it; nothing was written",
                                 "rewrite the odd construct (an anchor with `:` in its name, a "
                                 "multi-line flow key) in a plain form, or set the value by hand")
            raise InputError(f"{source}: the edited text does not read back ({name}) as exactly the "
                             "values set; nothing was written", "please report this with the file")


