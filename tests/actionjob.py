"""The relbot action as a runner job sees it: the action's files copied as the runner downloads them,
and one use of it run step by step (`tests.actionrunner`), with actions/setup-python replaced by this
Python and actions/cache by a cache miss."""

from __future__ import annotations

import platform
import re
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.actionrunner import ActionRun, run_composite

ROOT = Path(__file__).resolve().parents[1]
# What GitHub downloads as the action: the repository at the ref; these are the parts the action uses.
ACTION_FILES = ("action.yml", "pyproject.toml", "README.md", "relbot")


@dataclass(frozen=True)
class Job:
    """One runner job: its temp directory and the action's files as the runner downloaded them."""

    runner_temp: Path
    action_dir: Path


def make_job(root: Path) -> Job:
    action_dir = root / "_actions" / "acme" / "relbot" / "v1"
    action_dir.mkdir(parents=True)
    for name in ACTION_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, action_dir / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, action_dir / name)
    (root / "_temp").mkdir()
    return Job(root / "_temp", action_dir)


def run_action(job: Job, workspace: Path, env: Mapping[str, str], inputs: Mapping[str, str],
               github: Mapping[str, str]) -> ActionRun:
    """One use of the action in `workspace`; `github`: the github context (repository, ref, …)."""
    def setup_python(with_inputs: Mapping[str, str]) -> Mapping[str, str]:
        assert with_inputs == {"python-version": "3.11", "update-environment": "false"}
        return {"python-path": sys.executable, "python-version": platform.python_version()}

    def cache(with_inputs: Mapping[str, str]) -> Mapping[str, str]:
        assert with_inputs["path"] == f"{job.runner_temp}/relbot-pip-cache"
        key = f"relbot-pip-Linux-X64-py{platform.python_version()}-"
        source = r"(pyproject-[0-9a-f]{40}|pypi-[0-9A-Za-z.!+-]+)"
        assert re.fullmatch(re.escape(key) + source, with_inputs["key"])
        return {"cache-hit": "false"}

    return run_composite(job.action_dir, inputs, env={**env, "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64"},
                         workspace=workspace, runner_temp=job.runner_temp, github=github,
                         uses={"actions/setup-python": setup_python, "actions/cache": cache})
