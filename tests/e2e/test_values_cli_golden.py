"""Golden cases for `relbot bump-values` as a user runs it: one folder per case in tests/golden/values-cli/.

Each folder holds the input file (its name is the one the command uses, e.g. `values.yaml` or
`application.yaml`), `command.json` (the arguments after `relbot`, as a JSON list), and either the
expected file bytes (`expected.<same name>`) or `expected-error.txt`: a substring of what relbot prints
on stderr, with `expected-exit` holding the exit code. A refused edit must leave the file untouched
and print no traceback. The expected files are written by hand, from what Helm and the user expect.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gitfixture import isolated_env

CASES = Path(__file__).resolve().parents[1] / "golden" / "values-cli"


def _cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if p.is_dir())


def _input(folder: Path) -> Path:
    (name,) = [p for p in folder.iterdir() if p.name not in ("command.json", "expected-error.txt",
                                                              "expected-exit", "README.md")
               and not p.name.startswith("expected.")]
    return name


@pytest.mark.parametrize("folder", _cases(), ids=lambda p: p.name)
def test_values_cli_golden(folder: Path, tmp_path: Path) -> None:
    source = _input(folder)
    work = tmp_path / "work"
    work.mkdir()
    target = work / source.name
    original = source.read_bytes()
    target.write_bytes(original)
    args = json.loads((folder / "command.json").read_text(encoding="utf-8"))
    result = subprocess.run([sys.executable, "-m", "relbot", *args], cwd=work, capture_output=True,
                            env=isolated_env(tmp_path / "home"), check=False)
    stderr = result.stderr.decode()
    assert "Traceback" not in stderr
    error = folder / "expected-error.txt"
    if error.exists():
        assert result.returncode == int((folder / "expected-exit").read_text().strip()), stderr
        assert error.read_text(encoding="utf-8").strip() in stderr
        assert target.read_bytes() == original  # a refusal writes nothing
    else:
        assert result.returncode == 0, stderr
        assert target.read_bytes() == (folder / f"expected.{source.name}").read_bytes()


def test_every_case_folder_is_complete() -> None:
    for folder in _cases():
        source = _input(folder)
        assert (folder / "command.json").exists(), folder
        has_error = (folder / "expected-error.txt").exists()
        assert has_error != (folder / f"expected.{source.name}").exists(), folder
        assert has_error == (folder / "expected-exit").exists(), folder
