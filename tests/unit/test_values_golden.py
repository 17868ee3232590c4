"""Golden files for `bump-values`: every scenario folder is a spec, compared byte for byte.

`tests/golden/values/<scenario>/` holds `input.yaml`, `edits.json` and `expected.yaml`;
`tests/golden/values-errors/<scenario>/` holds `input.yaml`, `edits.json` and `expected-error.txt`
(a substring the InputError message must contain). The expected files are written by hand.

`edits.json` is a list of edits, `{"set": PATH, "value": VALUE}` or `{"image": "REPO=TAG"}`. An
edit may also carry the call-wide options `"document"` (1-based, as `--document` takes it),
`"create"`, `"allow_downgrade"` and `"allow_shared"`; every edit that names an option must give it
the same value.
Files are read as bytes and decoded without newline translation, so CRLF and a BOM are kept.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from relbot.errors import InputError
from relbot.values import Edit, EditResult, SetImage, SetValue, edit_values
from relbot.values.images import parse_image_argument
from relbot.values.yamlpath import parse_path

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
SUCCESS = GOLDEN / "values"
ERRORS = GOLDEN / "values-errors"
OPTIONS = ("document", "create", "allow_downgrade", "allow_shared")

# Scenarios that show a bug: the folder keeps the correct behaviour, the test is a strict xfail.
Bugs = dict[str, tuple[type[BaseException], str]]
GOLDEN_BUGS: Bugs = {}
RERUN_BUGS: Bugs = {}
ERROR_BUGS: Bugs = {}


@dataclass(frozen=True)
class Scenario:
    text: str
    edits: tuple[Edit, ...]
    options: dict[str, Any]


def read_exact(path: Path) -> str:
    """The file's text with every byte kept (no newline translation, BOM kept)."""
    return path.read_bytes().decode("utf-8")


def load_scenario(folder: Path) -> Scenario:
    raw = json.loads((folder / "edits.json").read_text(encoding="utf-8"))
    assert isinstance(raw, list), f"{folder}/edits.json must be a list"
    edits: list[Edit] = []
    options: dict[str, Any] = {}
    for item in raw:
        for option in OPTIONS:
            if option in item:
                assert options.setdefault(option, item[option]) == item[option], \
                    f"{folder}: edits disagree on {option}"
        if "set" in item:
            edits.append(SetValue(parse_path(item["set"]), item["value"]))
        else:
            edits.append(SetImage(parse_image_argument(item["image"])))
    if "document" in options:
        options["document"] -= 1
    return Scenario(read_exact(folder / "input.yaml"), tuple(edits), options)


def run(scenario: Scenario, text: str | None = None) -> EditResult:
    return edit_values(scenario.text if text is None else text, scenario.edits,
                       source="values.yaml", **scenario.options)


def params(root: Path, bugs: Bugs) -> list[Any]:
    out = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        marks = []
        if folder.name in bugs:
            raises, reason = bugs[folder.name]
            marks.append(pytest.mark.xfail(strict=True, raises=raises, reason=reason))
        out.append(pytest.param(folder, id=folder.name, marks=marks))
    return out


def touched_lines_only(old: str, new: str, result: EditResult) -> None:
    """The line diff replaces only lines that held a changed value, and inserts only created lines."""
    allowed: set[int] = set()  # 1-based lines of the old text
    created_lines = 0
    for change in result.changed:
        allowed.update(range(change.line, change.line + change.old_source.count("\n") + 1))
        if change.old is None:
            created_lines += max(change.new_source.count("\n"), 1)
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    inserted = 0
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        replaced = set(range(i1 + 1, i2 + 1))
        assert replaced <= allowed, f"lines {sorted(replaced - allowed)} changed but hold no set value"
        inserted += max(0, (j2 - j1) - (i2 - i1))
    assert inserted <= created_lines, f"{inserted} line(s) added, but {created_lines} key(s) created"


@pytest.mark.parametrize("folder", params(SUCCESS, GOLDEN_BUGS))
def test_golden_values(folder: Path) -> None:
    scenario = load_scenario(folder)
    expected = read_exact(folder / "expected.yaml")
    result = run(scenario)
    assert result.text == expected, f"{folder.name}: output differs from expected.yaml"
    touched_lines_only(scenario.text, result.text, result)
    assert bool(result.changed) == (expected != scenario.text)
    for change in result.changed:
        assert change.new_source in result.text


@pytest.mark.parametrize("folder", params(SUCCESS, RERUN_BUGS))
def test_golden_values_rerun_is_a_no_op(folder: Path) -> None:
    scenario = load_scenario(folder)
    first = run(scenario)
    again = run(scenario, first.text)
    assert again.text == first.text
    assert again.changed == ()
    assert all(not change.changed for change in again.changes)
    assert again.changes, "a rerun still reports the targets it found already set"


@pytest.mark.parametrize("folder", params(ERRORS, ERROR_BUGS))
def test_golden_errors(folder: Path) -> None:
    scenario = load_scenario(folder)
    expected = read_exact(folder / "expected-error.txt")
    with pytest.raises(InputError) as caught:
        run(scenario)
    message = caught.value.message
    assert expected in message, f"{folder.name}: {message!r} lacks {expected!r}"
    assert caught.value.hint, "every refusal says what to do next"


def test_every_scenario_folder_is_complete() -> None:
    for folder in SUCCESS.iterdir():
        if folder.is_dir():
            assert {p.name for p in folder.iterdir()} == {"input.yaml", "edits.json", "expected.yaml"}
    for folder in ERRORS.iterdir():
        if folder.is_dir():
            assert {p.name for p in folder.iterdir()} == {"input.yaml", "edits.json",
                                                         "expected-error.txt"}
