"""Runs a composite action's steps in order, the way the GitHub Actions runner does, for end-to-end tests.

`run_composite(action_dir, inputs, ...)` reads `action.yml`, applies the input defaults, and walks the
steps: a `run:` step is written to a file and run as `bash --noprofile --norc -eo pipefail FILE` (the
runner's template for `shell: bash`) with a fresh `$GITHUB_OUTPUT` and `$GITHUB_STEP_SUMMARY` per step,
the job's `$GITHUB_ENV` and `$GITHUB_PATH` applied to later steps, and the step's `env:`; a `uses:`
step is not run but replaced by the effect the test gives for it (its outputs). Expressions are
evaluated only where the runner evaluates them before a script sees anything: input defaults, `env:`,
`with:`, `if:`, `working-directory:` and the action's `outputs`. The evaluator knows the forms actions
use there: context paths (`inputs.x`, `github.action_path`, `runner.temp`, `steps.id.outputs.x`),
string literals, `true`/`false`, `==`, `!=`, `!`, `&&`, `||`, parentheses, the status functions and
`format()`;
anything else is an error, so an action that outgrows it fails its test instead of passing untested.
`::add-mask::` lines are taken out of the log and their values masked, as the runner does.

`run_job(workflow, job_id, ...)` walks one job of a workflow file the same way: the job's `env:`, the
workflow's default shell, `if:` with `failure()` and `steps.<id>.outcome`, the `vars`, `secrets` and
`env` contexts, `uses:` steps by effect (a composite action's effect may run it with
`run_composite`), and the job's `outputs:`.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

UsesEffect = Callable[[Mapping[str, str]], Mapping[str, str]]
Context = Mapping[str, Any]
_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
_TOKEN = re.compile(r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||!|\(|\)|,)"
                    r"|(?P<call>[A-Za-z_]\w*)\(|(?P<path>[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*))")


@dataclass
class StepRun:
    id: str
    outputs: dict[str, str]
    summary: str
    returncode: int
    log: str


@dataclass
class ActionRun:
    """What the workflow sees after the action: its outputs, the job summary, the log, the exit code."""

    outputs: dict[str, str]
    steps: list[StepRun] = field(default_factory=list)
    returncode: int = 0

    @property
    def summary(self) -> str:
        return "".join(step.summary for step in self.steps)

    @property
    def log(self) -> str:
        return "".join(step.log for step in self.steps)

    def step(self, step_id: str) -> StepRun:
        return next(step for step in self.steps if step.id == step_id)


def load_action(action_dir: Path) -> dict[str, Any]:
    """action.yml with every scalar as its source text, as the runner reads `with:` and `env:` values."""
    data = YAML(typ="base").load((action_dir / "action.yml").read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("runs", {}).get("using") != "composite":
        raise ValueError(f"{action_dir}/action.yml is not a composite action")
    return data


def run_composite(action_dir: Path, inputs: Mapping[str, str], *, env: Mapping[str, str],
                  workspace: Path, runner_temp: Path, github: Mapping[str, str],
                  uses: Mapping[str, UsesEffect]) -> ActionRun:
    """Run the action as a step of a job in `workspace`; `env` is the runner's process environment."""
    action = load_action(action_dir)
    github_ctx = {**github, "action_path": str(action_dir), "workspace": str(workspace)}
    runner_ctx = {"temp": str(runner_temp), "os": env.get("RUNNER_OS", "Linux"),
                  "arch": env.get("RUNNER_ARCH", "X64")}
    declared: dict[str, Any] = action.get("inputs") or {}
    unknown = set(inputs) - set(declared)
    if unknown:
        raise ValueError(f"inputs not declared by the action: {sorted(unknown)}")
    base_ctx: dict[str, Any] = {"github": github_ctx, "runner": runner_ctx, "steps": {}, "inputs": {}}
    resolved = {name: inputs[name] if name in inputs else interpolate(str(spec.get("default", "")), base_ctx)
                for name, spec in declared.items()}
    contexts: dict[str, Any] = {**base_ctx, "inputs": resolved}
    job = _Job(runner_temp, {**env, "GITHUB_ACTIONS": "true", "CI": "true", "RUNNER_TEMP": str(runner_temp),
                             "GITHUB_WORKSPACE": str(workspace), "GITHUB_ACTION_PATH": str(action_dir),
                             **_github_env(github_ctx)})
    result = ActionRun(outputs={})
    for index, step in enumerate(action["runs"]["steps"]):
        step_id = str(step.get("id", f"__step{index}"))
        condition = _strip_braces(str(step.get("if", "success()")))
        if not truthy(evaluate(condition, {**contexts, "__failed": result.returncode != 0})):
            continue
        if "uses" in step:
            outputs = _uses(step, contexts, uses)
            result.steps.append(StepRun(step_id, dict(outputs), "", 0, ""))
        else:
            run = job.run_step(step_id, step, contexts, workspace)
            result.steps.append(run)
            outputs = run.outputs
            if run.returncode != 0:
                result.returncode = run.returncode
        contexts["steps"][step_id] = {"outputs": dict(outputs)}
    result.outputs = {name: interpolate(str(spec.get("value", "")), contexts)
                      for name, spec in (action.get("outputs") or {}).items()}
    return result


@dataclass
class JobRun:
    """What a workflow job left: its outputs (as `needs.<job>.outputs`), its steps and its result."""

    outputs: dict[str, str]
    steps: list[StepRun] = field(default_factory=list)
    failed: bool = False
    skipped: bool = False  # the job's `if:` was false

    @property
    def result(self) -> str:
        """As `needs.<job>.result` has it."""
        return "skipped" if self.skipped else "failure" if self.failed else "success"

    @property
    def log(self) -> str:
        return "".join(step.log for step in self.steps)

    def ran(self, step_id: str) -> bool:
        return any(step.id == step_id for step in self.steps)

    def step(self, step_id: str) -> StepRun:
        return next(step for step in self.steps if step.id == step_id)


# a `uses:` step of a job: the step's `with:` inputs (evaluated) → its outputs, or the whole run of a
# composite action (its exit code and log count)
JobEffect = Callable[[Mapping[str, str]], "Mapping[str, str] | ActionRun"]


def run_job(workflow: Path, job_id: str, *, env: Mapping[str, str], workspace: Path, runner_temp: Path,
            contexts: Mapping[str, Any], uses: Mapping[str, JobEffect]) -> JobRun:
    """Run one job of a workflow file as the runner does: the job's `if:` and `env:`, each step's
    `if:` (with `success()`, `failure()`, `always()`, `steps.<id>.outcome`), `run:` steps in the
    workflow's default shell, `uses:` steps by the effect given, and the job's `outputs:`.
    `contexts`: github, vars, secrets, needs (each a mapping)."""
    data = YAML(typ="base").load(workflow.read_text(encoding="utf-8"))
    job = data["jobs"][job_id]
    shell = (data.get("defaults") or {}).get("run", {}).get("shell")
    ctx: dict[str, Any] = {"vars": {}, "secrets": {}, "needs": {}, **contexts, "steps": {},
                           "runner": {"temp": str(runner_temp), "os": "Linux", "arch": "X64"}}
    if not truthy(evaluate(_strip_braces(str(job.get("if", "success()"))), ctx)):
        return JobRun(outputs={}, skipped=True)
    ctx["env"] = {key: interpolate(str(value), ctx) for key, value in (job.get("env") or {}).items()}
    state = _Job(runner_temp, {**env, "GITHUB_ACTIONS": "true", "CI": "true", "RUNNER_TEMP": str(runner_temp),
                               "GITHUB_WORKSPACE": str(workspace), **_github_env(ctx.get("github", {})),
                               **ctx["env"]})
    result = JobRun(outputs={})
    for index, step in enumerate(job["steps"]):
        step_id = str(step.get("id", f"__step{index}"))
        condition = _strip_braces(str(step.get("if", "success()")))
        if not truthy(evaluate(condition, {**ctx, "__failed": result.failed})):
            ctx["steps"][step_id] = {"outputs": {}, "outcome": "skipped", "conclusion": "skipped"}
            continue
        if "uses" in step:
            run = _job_uses(step_id, step, ctx, uses)
        else:
            run = state.run_step(step_id, {**step, "shell": step.get("shell", shell)}, ctx, workspace)
        result.steps.append(run)
        outcome = "success" if run.returncode == 0 else "failure"
        result.failed = result.failed or run.returncode != 0
        ctx["steps"][step_id] = {"outputs": dict(run.outputs), "outcome": outcome, "conclusion": outcome}
    declared = job.get("outputs") or {}
    result.outputs = {name: interpolate(str(value), ctx) for name, value in declared.items()}
    return result


def _job_uses(step_id: str, step: Mapping[str, Any], contexts: Context,
              effects: Mapping[str, JobEffect]) -> StepRun:
    name = str(step["uses"]).split("@", 1)[0]
    if name not in effects:
        raise ValueError(f"no effect given for `uses: {step['uses']}`")
    with_inputs = {key: interpolate(str(value), contexts) for key, value in (step.get("with") or {}).items()}
    done = effects[name](with_inputs)
    if isinstance(done, ActionRun):
        return StepRun(step_id, dict(done.outputs), done.summary, done.returncode, done.log)
    return StepRun(step_id, dict(done), "", 0, "")


def _github_env(github: Mapping[str, str]) -> dict[str, str]:
    names = {"repository": "GITHUB_REPOSITORY", "ref": "GITHUB_REF", "server_url": "GITHUB_SERVER_URL",
             "api_url": "GITHUB_API_URL", "event_name": "GITHUB_EVENT_NAME", "sha": "GITHUB_SHA",
             "run_id": "GITHUB_RUN_ID", "actor": "GITHUB_ACTOR"}
    return {variable: github[key] for key, variable in names.items() if key in github}


def _uses(step: Mapping[str, Any], contexts: Context, effects: Mapping[str, UsesEffect]) -> Mapping[str, str]:
    action = str(step["uses"])
    name = action.split("@", 1)[0]
    if name not in effects:
        raise ValueError(f"no effect given for `uses: {action}`")
    with_inputs = {key: interpolate(str(value), contexts) for key, value in (step.get("with") or {}).items()}
    return effects[name](with_inputs)


class _Job:
    """The job's state that outlives a step: the environment, $GITHUB_ENV and $GITHUB_PATH."""

    def __init__(self, runner_temp: Path, env: dict[str, str]) -> None:
        self.files = runner_temp / "_runner_file_commands"
        self.files.mkdir(parents=True, exist_ok=True)
        self.env = env
        self.path_entries: list[str] = []
        self.masks: list[str] = []

    def run_step(self, step_id: str, step: Mapping[str, Any], contexts: Context, workspace: Path) -> StepRun:
        if step.get("shell") != "bash":
            raise ValueError(f"step {step_id}: only `shell: bash` is modelled, not {step.get('shell')!r}")
        names = ("output", "summary", "env", "path", "script")
        paths = {name: self.files / f"{name}_{step_id}" for name in names}
        for name, path in paths.items():
            path.write_text(str(step["run"]) if name == "script" else "", encoding="utf-8")
        step_env = {key: interpolate(str(value), contexts) for key, value in (step.get("env") or {}).items()}
        env = {**self.env, **step_env, "GITHUB_OUTPUT": str(paths["output"]),
               "GITHUB_STEP_SUMMARY": str(paths["summary"]), "GITHUB_ENV": str(paths["env"]),
               "GITHUB_PATH": str(paths["path"])}
        if self.path_entries:
            env["PATH"] = ":".join([*reversed(self.path_entries), env.get("PATH", "")])
        cwd = workspace / interpolate(str(step.get("working-directory", ".")), contexts)
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(paths["script"])],
                              cwd=cwd, env=env, capture_output=True, text=True, check=False)
        self.env.update(parse_file_commands(paths["env"].read_text(encoding="utf-8")))
        self.path_entries += [line for line in paths["path"].read_text(encoding="utf-8").splitlines() if line]
        return StepRun(step_id, parse_file_commands(paths["output"].read_text(encoding="utf-8")),
                       paths["summary"].read_text(encoding="utf-8"), done.returncode,
                       self._log(done.stdout) + self._log(done.stderr))

    def _log(self, text: str) -> str:
        kept: list[str] = []
        for line in text.splitlines(keepends=True):
            if line.startswith("::add-mask::"):
                value = _unescape(line.removeprefix("::add-mask::").rstrip("\r\n"))
                if value:
                    self.masks.append(value)
                continue
            masked = line
            for secret in self.masks:
                masked = masked.replace(secret, "***")
            kept.append(masked)
        return "".join(kept)


def _unescape(data: str) -> str:
    return data.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def parse_file_commands(text: str) -> dict[str, str]:
    """`name=value` lines and `name<<DELIMITER` blocks, as in $GITHUB_OUTPUT and $GITHUB_ENV."""
    values: dict[str, str] = {}
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index].removesuffix("\r")
        index += 1
        if not line:
            continue
        heredoc = re.fullmatch(r"([^=<]+)<<(.+)", line)
        if heredoc and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = heredoc.groups()
            body: list[str] = []
            while index < len(lines) and lines[index].removesuffix("\r") != delimiter:
                body.append(lines[index])
                index += 1
            if index >= len(lines):
                raise ValueError(f"unterminated heredoc for {name!r}: no line {delimiter!r}")
            index += 1
            values[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
        else:
            raise ValueError(f"invalid file command line: {line!r}")
    return values


def interpolate(text: str, contexts: Context) -> str:
    """Replace every `${{ expr }}` in `text` with the expression's value as a string."""
    return _EXPRESSION.sub(lambda match: to_string(evaluate(match.group(1), contexts)), text)


def _strip_braces(condition: str) -> str:
    """An `if:` as an expression; without a status function in it, `success() && (…)`, as the
    runner reads it."""
    stripped = condition.strip()
    if stripped.startswith("${{") and stripped.endswith("}}"):
        stripped = stripped[3:-2]
    if not re.search(r"\b(success|failure|always|cancelled)\(\)", stripped):
        stripped = f"success() && ({stripped})"
    return stripped


def to_string(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def truthy(value: object) -> bool:
    return bool(value)


def evaluate(expression: str, contexts: Context) -> object:
    tokens = _tokenize(expression)
    parser = _Parser(tokens, contexts)
    value = parser.or_expr()
    if parser.position != len(tokens):
        raise ValueError(f"unsupported expression: {expression!r}")
    return value


def _tokenize(expression: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while expression[position:].strip():
        match = _TOKEN.match(expression, position)
        if not match or match.lastgroup is None:
            raise ValueError(f"unsupported expression: {expression!r} (at {expression[position:]!r})")
        tokens.append((match.lastgroup, match.group(match.lastgroup)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], contexts: Context) -> None:
        self.tokens = tokens
        self.contexts = contexts
        self.position = 0

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self, op: str) -> bool:
        if self._peek() == ("op", op):
            self.position += 1
            return True
        return False

    def or_expr(self) -> object:
        value = self.and_expr()
        while self._take("||"):
            other = self.and_expr()
            value = value if truthy(value) else other
        return value

    def and_expr(self) -> object:
        value = self.comparison()
        while self._take("&&"):
            other = self.comparison()
            value = other if truthy(value) else value
        return value

    def comparison(self) -> object:
        value = self.unary()
        for op in ("==", "!="):
            if self._take(op):
                equal = to_string(value).casefold() == to_string(self.unary()).casefold()
                return equal if op == "==" else not equal
        return value

    def unary(self) -> object:
        if self._take("!"):
            return not truthy(self.unary())
        if self._take("("):
            value = self.or_expr()
            if not self._take(")"):
                raise ValueError("missing ')'")
            return value
        token = self._peek()
        if token is None:
            raise ValueError("expression ends too early")
        self.position += 1
        kind, text = token
        if kind == "string":
            return text[1:-1].replace("''", "'")
        if kind == "call":
            return self._call(text)
        if kind == "path":
            return self._path(text)
        raise ValueError(f"unexpected {text!r}")

    def _call(self, name: str) -> object:
        """A function call, its `(` taken: the status functions and `format()`."""
        args: list[object] = []
        if not self._take(")"):
            args.append(self.or_expr())
            while self._take(","):
                args.append(self.or_expr())
            if not self._take(")"):
                raise ValueError(f"missing ')' after the arguments of {name}()")
        failed = bool(self.contexts.get("__failed"))
        if name == "format" and args:
            return re.sub(r"\{(\d+)\}", lambda m: to_string(args[1 + int(m.group(1))]), to_string(args[0]))
        calls = {"success": not failed, "always": True, "failure": failed, "cancelled": False}
        if name not in calls or args:
            raise ValueError(f"unsupported function {name}()")
        return calls[name]

    def _path(self, text: str) -> object:
        if text in ("true", "false"):
            return text == "true"
        head, *rest = text.split(".")
        if head not in ("inputs", "github", "runner", "steps", "env", "vars", "secrets", "needs"):
            raise ValueError(f"unsupported context {head!r} in {text!r}")
        value: object = self.contexts[head]
        for part in rest:
            if not isinstance(value, Mapping):
                return ""
            found = {key.casefold(): item for key, item in value.items()}
            value = found.get(part.casefold(), "")
        return value
