"""The project's own rules: import direction, the example config, relbot on its own checkout."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from relbot.config.options import UNDERSTOOD_KEYS
from relbot.config.parse import parse_config

ROOT = Path(__file__).resolve().parents[2]
CORE = ("release/commits", "release/versioning", "release/changelog", "release/rules", "release/plan",
        "release/templates", "config/parse", "config/options", "config/values", "values/edit",
        "values/scalars", "values/yamlpath", "values/images", "globs", "remotes", "tags", "model",
        "errors")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names | {name.split(".")[0] for name in names}


@pytest.mark.parametrize("module", CORE)
def test_core_modules_do_no_io(module: str) -> None:
    """Text in, values out: the core imports no process, file, network or git library."""
    path = ROOT / "relbot" / f"{module}.py"
    imported = _imports(path)
    forbidden = {"subprocess", "os", "shutil", "socket", "urllib.request", "http", "requests",
                 "git", "github", "click", "pathlib", "relbot.gitrepo", "relbot.github",
                 "relbot.fsio"} & imported
    assert not forbidden, f"relbot/{module}.py imports {forbidden}"
    text = path.read_text(encoding="utf-8")
    assert "open(" not in text.replace("_open(", ""), f"relbot/{module}.py opens files"


def test_example_config_is_valid_warning_free_and_shows_every_option() -> None:
    data = json.loads((ROOT / ".releaserc.example.json").read_text(encoding="utf-8"))
    config = parse_config(data, ".releaserc.example.json")
    assert config.warnings == ()
    missing = sorted(UNDERSTOOD_KEYS[""] - set(data))
    options = {entry[0]: entry[1] for entry in data["plugins"] if isinstance(entry, list)}
    sections = {"values": data.get("values", {}),
                "values.files[]": (data.get("values", {}).get("files") or [{}])[0],
                "packages[]": {k: v for entry in data.get("packages", []) for k, v in entry.items()},
                "groups[]": (data.get("groups") or [{}])[0]}
    for plugin, keys in UNDERSTOOD_KEYS.items():
        if plugin:
            present = sections[plugin] if plugin in sections else options.get(plugin, {})
            missing += [f"{plugin}.{key}" for key in sorted(keys - set(present))]
    assert not missing, f".releaserc.example.json lacks {missing}"


_CI_ONLY = ("CI", "GITHUB_ACTIONS", "RELBOT_TOKEN", "GH_TOKEN", "GITHUB_TOKEN", "GITHUB_REPOSITORY")
LAPTOP = {k: v for k, v in os.environ.items() if k not in _CI_ONLY}


def test_relbot_runs_on_its_own_fresh_clone(tmp_path: Path) -> None:
    """The README's main command, as a developer runs it in a fresh clone (no token, not in CI)."""
    clone = tmp_path / "relbot"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], env=LAPTOP, check=True)
    attached = subprocess.run(["git", "-C", str(clone), "symbolic-ref", "-q", "HEAD"],
                              capture_output=True, check=False).returncode == 0
    branch = [] if attached else ["--branch", "main"]  # CI may check out a detached HEAD
    for command in (["version", "--json", *branch], ["changelog", *branch],
                    ["release", "--dry-run", *branch]):
        done = subprocess.run([sys.executable, "-m", "relbot", *command], cwd=clone, env=LAPTOP,
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
    strict = subprocess.run([sys.executable, "-m", "relbot", "release", "--dry-run", "--strict", *branch],
                            cwd=clone, env=LAPTOP, capture_output=True, text=True, check=False)
    if "nothing to do" not in strict.stdout:  # a release due: the GitHub Release needs a token
        assert strict.returncode == 8, strict.stderr
        assert "no GitHub token" in strict.stderr
    data = json.loads(subprocess.run([sys.executable, "-m", "relbot", "version", "--json", *branch],
                                     cwd=clone, env=LAPTOP, capture_output=True, text=True,
                                     check=True).stdout)
    assert data["released"] == (data["version"] is not None)
    if data["released"]:
        assert data["tag"] == f"v{data['version']}"
        assert data["rule"]
    else:
        assert data["reason"]
