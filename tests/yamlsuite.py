"""The official YAML test suite as input to relbot's value editor, checked by readers relbot does not use.

For every test of the suite (github.com/yaml/yaml-test-suite, data in `../shared/yaml-test-suite/`,
never copied into the project) whose input is valid YAML, up to `PER_TEST` scalars under string keys are
set, one edit per `edit_values` call on the original text. Each edit ends one of three ways:

- exact: the new text reads, in go-yaml v2 (Helm's reader, through `tests/goyaml`) and in a
  pure-Python reader (ruamel.yaml, else PyYAML's), as the original data with only that value
  replaced by the string set — type-strict — and no line outside the value's own changed;
- refused: a RelbotError with a message that names the source, the text untouched;
- or a failure: a crash (any other exception) or a corruption (anything else), which the test forbids.
"""

from __future__ import annotations

import difflib
import math
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from relbot.errors import RelbotError
from relbot.values.edit import EditResult, SetValue, edit_values
from relbot.values.yamlpath import PathPart
from tests.goyaml.oracle import GoYamlError, HelmReader
from tests.shared import shared_path

# values of the kinds an image tag takes, and ones a careless writer would leave unquoted
VALUES = ("1.2.3", "8765e10_1", "on", "a: b #c", "x\ty", "é-1", "2001-12-14", "0o17")
PER_TEST = 8  # scalars tried in each test at most, spread from the first to the last


def suite_dir() -> Path:
    """`../shared/yaml-test-suite` beside the checkout (or $RELBOT_YAML_TEST_SUITE)."""
    return shared_path("yaml-test-suite", "RELBOT_YAML_TEST_SUITE")


def valid_cases(root: Path) -> list[tuple[str, str]]:
    """(test id, in.yaml) of every test without an `error` marker, sub-tests included."""
    cases = []
    for path in sorted(root.rglob("in.yaml")):
        if not (path.parent / "error").exists():
            cases.append((str(path.parent.relative_to(root)), path.read_text(encoding="utf-8")))
    return cases


@dataclass
class Outcome:
    case: str
    path: tuple[PathPart, ...]
    value: str
    verdict: str  # "exact", "refused", "crash", "corrupt"
    detail: str = ""
    readers: int = 0  # how many independent readers checked an exact edit
    go_reads: bool = True  # go-yaml reads the original (Helm could use the file)


@dataclass
class Report:
    cases: int = 0
    cases_with_paths: int = 0
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, verdict: str) -> int:
        return sum(1 for o in self.outcomes if o.verdict == verdict)

    def refusals(self) -> Counter[str]:
        return Counter(refusal_reason(o.detail, o.go_reads) for o in self.outcomes if o.verdict == "refused")

    def table(self) -> str:
        exact = [o for o in self.outcomes if o.verdict == "exact"]
        rows = [("valid tests (with sub-tests)", self.cases),
                ("tests with a scalar under string keys", self.cases_with_paths),
                ("edits tried", len(self.outcomes)),
                ("exact", len(exact)),
                ("… checked by go-yaml and a pure-Python reader", sum(o.readers == 2 for o in exact)),
                ("… checked by one of them (the other refuses the file)", sum(o.readers == 1 for o in exact)),
                *((f"refused: {reason}", n) for reason, n in sorted(self.refusals().items())),
                ("crash (a traceback)", self.count("crash")),
                ("corrupt (other data or lines changed)", self.count("corrupt"))]
        lines = ["| edits on the YAML test suite | count |", "| --- | ---: |"]
        lines += [f"| {name.replace('|', chr(92) + '|')} | {count} |" for name, count in rows]
        return "\n".join(lines)


_REASONS = (
    ("explicit tag", "the value has an explicit tag (`!!int 3`, `!local x`)"),
    ("runs into its value", "an anchor runs into the value (`&an:chor value`)"),
    ("used as a key", "the value is also a key elsewhere (through an alias)"),
    ("anchor", "shared by an anchor or alias"),
    ("alias", "shared by an anchor or alias"),
    ("block scalar", "a block scalar (`|` or `>`)"),
    ("exists in documents", "the path is in several documents"),
    ("times in one mapping", "a key written twice"),
    ("has no value", "an empty value with no place for one (`? key` without `:`)"),
    ("read the file differently", "libyaml and the pure-Python reader disagree on the file"),
    ("would make the file unreadable", "the new value would make the file unreadable to go-yaml"),
)


def refusal_reason(message: str, go_reads: bool = True) -> str:
    """A refusal's reason, for the table; "other: …" when none fits (the test forbids those)."""
    if "not valid YAML at" in message:
        return "not valid YAML to libyaml" + (" (go-yaml reads it)" if go_reads else " nor go-yaml")
    for needle, reason in _REASONS:
        if needle in message:
            return reason
    return "other: " + message


def run(reader: HelmReader, root: Path | None = None) -> Report:
    """Every valid test of the suite, `PER_TEST` edits each; never raises for an edit."""
    report = Report()
    cases = valid_cases(root or suite_dir())
    go_docs = reader.read_many(text for _, text in cases)
    for (case, text), go in zip(cases, go_docs, strict=True):
        report.cases += 1
        python = _python_read(text)
        data = go if not isinstance(go, GoYamlError) else python
        if data is None or isinstance(data, GoYamlError):
            continue
        paths = _pick(list(_leaf_paths(data, go is data)))
        report.cases_with_paths += bool(paths)
        for n, (document, path) in enumerate(paths):
            value = VALUES[(len(report.outcomes) + n) % len(VALUES)]
            report.outcomes.append(_try(reader, case, text, go, python, document, path, value))
    return report


def _try(reader: HelmReader, case: str, text: str, go: list[Any] | GoYamlError, python: list[Any] | None,
         document: int, path: tuple[PathPart, ...], value: str) -> Outcome:
    outcome = Outcome(case, path, value, "exact", go_reads=not isinstance(go, GoYamlError))
    try:
        result = edit_values(text, [SetValue(path, value)], source=f"{case}/in.yaml", document=document,
                             allow_downgrade=True)
    except RelbotError as exc:
        ok = f"{case}/in.yaml" in exc.message
        outcome.verdict, outcome.detail = ("refused" if ok else "corrupt"), exc.message
        return outcome
    except Exception as exc:
        outcome.verdict, outcome.detail = "crash", f"{type(exc).__name__}: {exc}"
        return outcome
    problem = _lines_outside(text, result) or _data_problem(reader, result, go, python, path, value)
    if isinstance(problem, str):
        outcome.verdict, outcome.detail = "corrupt", problem
    else:
        outcome.readers = problem
    return outcome


def _lines_outside(text: str, result: EditResult) -> str | None:
    allowed: set[int] = set()
    for change in result.changes:
        first = change.line - 1
        allowed.update(range(first, first + change.old_source.count("\n") + 1))
    old, new = text.splitlines(keepends=True), result.text.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag != "equal" and not set(range(i1, max(i2, i1 + 1))) <= allowed:
            return f"lines {i1 + 1}-{i2} changed outside the edited value"
    return None


def _data_problem(reader: HelmReader, result: EditResult, go: list[Any] | GoYamlError,
                  python: list[Any] | None, path: tuple[PathPart, ...], value: str) -> str | int:
    """A corruption found by a reader, or how many readers agreed the edit is exact."""
    document = result.changes[0].document
    readers = 0
    if not isinstance(go, GoYamlError):
        try:
            new_go = reader.read(result.text)
        except GoYamlError as exc:
            return f"go-yaml no longer reads the file: {exc.message}"
        want = _set_go(go, document, path, value)
        if new_go != want:
            return f"go-yaml reads {_go_at(new_go, document, path)} at the path, or other data changed"
        readers += 1
    want_python = _canon(python) if python is not None else None
    try:
        _set_canon(want_python, document, path, value)
    except (IndexError, KeyError, StopIteration, TypeError):
        want_python = None  # this reader reads the original differently: the path is not there
    if want_python is not None:
        new_python = _python_read(result.text)
        if new_python is None:
            return "the pure-Python reader no longer reads the file"
        if _canon(new_python) != want_python:
            return "the pure-Python reader reads other data"
        readers += 1
    return readers


def _python_read(text: str) -> list[Any] | None:
    """The documents as ruamel.yaml (pure) loads them, else PyYAML's pure-Python loader."""
    import yaml  # noqa: PLC0415
    from ruamel.yaml import YAML  # noqa: PLC0415

    loaders: list[Callable[[str], list[Any]]] = [
        lambda t: list(YAML(typ="safe", pure=True).load_all(t)),
        lambda t: list(yaml.load_all(t, Loader=yaml.SafeLoader)),
    ]
    for load in loaders:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                docs = load(text)
                _canon(docs)  # unhashable or recursive data is not comparable: treat as unread
            except Exception:  # noqa: S112 - any refusal means: try the next reader
                continue
            return docs
    return None


def _canon(data: Any, depth: int = 0) -> Any:
    """Comparable data: a mapping as sorted (key, value) pairs, floats by repr (nan equals nan)."""
    if depth > 50:
        raise RecursionError("recursive data")
    if isinstance(data, dict):
        return {"map": sorted(([_canon(k, depth + 1), _canon(v, depth + 1)] for k, v in data.items()),
                              key=repr)}
    if isinstance(data, list | tuple):
        return [_canon(item, depth + 1) for item in data]
    if isinstance(data, float):
        return {"float": "nan" if math.isnan(data) else repr(data)}
    return {type(data).__name__: str(data)}


def _set_canon(docs: Any, document: int, path: tuple[PathPart, ...], value: str) -> None:
    node = docs[document]
    for part in path[:-1]:
        node = _canon_child(node, part)
    last = path[-1]
    if isinstance(last, int):
        node[last] = {"str": value}
    else:
        next(pair for pair in node["map"] if pair[0] == {"str": last})[1] = {"str": value}


def _canon_child(node: Any, part: PathPart) -> Any:
    if isinstance(part, int):
        return node[part]
    return next(pair[1] for pair in node["map"] if pair[0] == {"str": part})


def _set_go(docs: list[Any], document: int, path: tuple[PathPart, ...], value: str) -> list[Any]:
    import copy  # noqa: PLC0415

    new = copy.deepcopy(docs)
    node = new[document]
    for part in path[:-1]:
        node = _go_child(node, part)
    last = path[-1]
    if isinstance(last, int):
        node["seq"][last] = {"str": value}
    else:
        next(pair for pair in node["map"] if pair[0] == {"str": last})[1] = {"str": value}
    return new


def _go_child(node: Any, part: PathPart) -> Any:
    if isinstance(part, int):
        return node["seq"][part]
    return next(pair[1] for pair in node["map"] if pair[0] == {"str": part})


def _go_at(docs: list[Any], document: int, path: tuple[PathPart, ...]) -> Any:
    try:
        node = docs[document]
        for part in path:
            node = _go_child(node, part)
    except (IndexError, KeyError, StopIteration, TypeError):
        return "nothing"
    return node


def _leaf_paths(docs: list[Any], typed: bool) -> Iterator[tuple[int, tuple[PathPart, ...]]]:
    """(document, path) of every scalar reached by string keys and list indices, in go-yaml's typed
    form (`typed`) or in loaded Python data."""
    for index, doc in enumerate(docs):
        stack: list[tuple[Any, tuple[PathPart, ...]]] = [(doc, ())]
        while stack:
            node, path = stack.pop()
            children = _children(node, typed)
            if children is None:
                if path:
                    yield index, path
                continue
            stack.extend(reversed([(child, (*path, part)) for part, child in children]))


def _children(node: Any, typed: bool) -> list[tuple[PathPart, Any]] | None:
    if typed:
        if "map" in node:
            return [(k["str"], v) for k, v in node["map"] if "str" in k]
        if "seq" in node:
            return list(enumerate(node["seq"]))
        return None
    if isinstance(node, dict):
        return [(k, v) for k, v in node.items() if isinstance(k, str)]
    if isinstance(node, list):
        return list(enumerate(node))
    return None


def _pick(paths: list[tuple[int, tuple[PathPart, ...]]]) -> list[tuple[int, tuple[PathPart, ...]]]:
    if len(paths) <= PER_TEST:
        return paths
    return [paths[round(i * (len(paths) - 1) / (PER_TEST - 1))] for i in range(PER_TEST)]
