"""relbot's value editor on every valid input of the official YAML test suite (see tests/yamlsuite.py).

The suite's data is read from ../shared/yaml-test-suite (never copied here); go-yaml v2 (Helm's reader)
and a pure-Python reader judge every edit. The table this prints is the one in bench/README.md.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests import yamlsuite
from tests.goyaml.oracle import HelmReader


@pytest.fixture(scope="module")
def report(helm_reader: HelmReader) -> yamlsuite.Report:
    result = yamlsuite.run(helm_reader)
    print("\n" + result.table())
    return result


def test_no_edit_crashes(report: yamlsuite.Report) -> None:
    crashes = [(o.case, o.path, o.detail) for o in report.outcomes if o.verdict == "crash"]
    assert not crashes


def test_no_edit_changes_other_data_or_lines(report: yamlsuite.Report) -> None:
    corrupt = [(o.case, o.path, o.value, o.detail) for o in report.outcomes if o.verdict == "corrupt"]
    assert not corrupt


def test_every_refusal_has_a_known_reason(report: yamlsuite.Report) -> None:
    unknown = [reason for reason in report.refusals() if reason.startswith("other:")]
    assert not unknown


def test_the_suite_was_really_run(report: yamlsuite.Report) -> None:
    assert report.cases > 300  # the suite has 308 valid inputs with sub-tests
    exact = report.count("exact")
    assert exact > len(report.outcomes) // 2
    checked_twice = sum(o.readers == 2 for o in report.outcomes if o.verdict == "exact")
    assert checked_twice > exact * 3 // 4


def test_valid_yaml_that_helm_reads_is_edited(report: yamlsuite.Report) -> None:
    """libyaml refuses no valid input that go-yaml reads, except the few the table names."""
    refused = [o.case for o in report.outcomes
               if o.verdict == "refused" and o.go_reads and "not valid YAML at" in o.detail]
    assert set(refused) <= {"4ABK"}  # `{omitted value:,}`: go-yaml v2 reads it, libyaml does not


@pytest.mark.parametrize(("text", "path", "expected_exit", "expected_text"), [
    ("image:\n  tag: 1.0\t# note\n", "image.tag", 0, "image:\n  tag: 1.2.5\t# note\n"),
    ("image:\n  tag: !!int 3\n", "image.tag", 7, None),
    ("image:\n  tag: |\n    1.2.2\n", "image.tag", 7, None),
    ("image: {tag:,}\n", "image.tag", 7, None),
])
def test_cli_edits_or_refuses_and_leaves_the_file(tmp_path: Path, text: str, path: str, expected_exit: int,
                                                  expected_text: str | None) -> None:
    values = tmp_path / "values.yaml"
    values.write_bytes(text.encode())
    result = subprocess.run([sys.executable, "-m", "relbot", "bump-values", str(values),
                             "--set", f"{path}=1.2.5", "--no-commit"],
                            capture_output=True, text=True, cwd=tmp_path, check=False)
    assert result.returncode == expected_exit, result.stderr
    assert "Traceback" not in result.stderr
    assert values.read_bytes() == (expected_text or text).encode()
    if expected_exit:
        assert "values.yaml" in result.stderr
