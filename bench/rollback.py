"""Benchmark: `relbot rollback --dry-run` on values histories of 100, 2,000 and 10,000 deploys, against
the git floor (the `git log` and `git cat-file --batch` that read every version of the file) and a
bare `python -c pass`, in one paired run; plus, in process, the deploy-before search reading only
what it needs against reading every version.

    python bench/rollback.py               # median of 5 rounds
    python bench/rollback.py --runs 9

The histories are built with `git fast-import` under bench/.cache/rollback/: a 109-line values file
with two services whose tags go 1.0.0, 1.1.0, … one deploy per commit. No peer reads a values
file's history to roll back (argocd-image-updater and the yq step write forward only; `helm rollback`
needs a cluster and leaves git behind), so there is no peer row. The table goes to
bench/.cache/rollback-results.md and, by hand, to bench/README.md.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from timing import command, timed

from relbot.config.files import load_config
from relbot.gitrepo import open_repo
from relbot.values.deploys import Deploy, previous_deploy
from relbot.values.edit import read_values
from relbot.values.rollback import RollbackOptions, plan_rollback, rollback_targets
from relbot.values.valuehistory import read_versions, version_reader

CACHE = Path(__file__).resolve().parent / ".cache" / "rollback"
SIZES = (100, 2_000, 10_000)
ARGS = ("values.yaml", "--image", "ghcr.io/acme/api", "--image", "ghcr.io/acme/worker", "--dry-run")
OPTIONS = RollbackOptions(files=("values.yaml",), images=("ghcr.io/acme/api", "ghcr.io/acme/worker"))


def values_text(version: str) -> str:
    lines = ["# production values", *(f"setting{i}: value{i}  # comment {i}" for i in range(40))]
    services = "".join(f"{name}:\n  image:\n    repository: ghcr.io/acme/{name}\n    tag: \"{version}\"\n"
                       for name in ("api", "worker"))
    extras = "".join(f"extra{i}:\n  enabled: true\n  size: {i}\n" for i in range(20))
    return "\n".join(lines) + "\n" + services + extras


def build(deploys: int) -> Path:
    path = CACHE / f"deploys-{deploys}"
    if (path / ".git").is_dir():
        return path
    path.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    stream = io.BytesIO()
    for index in range(deploys):
        data = values_text(f"1.{index}.0").encode()
        message = f"chore: update image tags to 1.{index}.0\n".encode()
        stream.write(b"commit refs/heads/main\n")
        stream.write(f"committer CI <ci@example.com> {1_700_000_000 + index * 60} +0000\n".encode())
        stream.write(f"data {len(message)}\n".encode() + message)
        stream.write(f"M 100644 inline values.yaml\ndata {len(data)}\n".encode() + data + b"\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input=stream.getvalue(), check=True)
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=path, check=True)
    return path


def floor(path: Path) -> Callable[[], None]:
    return lambda: git_floor(path)


def git_floor(path: Path) -> None:
    """What relbot must read from git at the least: the commits that changed the file, every version."""
    commits = subprocess.run(["git", "log", "--first-parent", "--format=%H", "--", "values.yaml"], cwd=path,
                             capture_output=True, text=True, check=True).stdout.split()
    request = "".join(f"{commit}:values.yaml\n" for commit in commits).encode()
    subprocess.run(["git", "cat-file", "--batch"], cwd=path, input=request, capture_output=True, check=True)


def every_version(path: Path) -> Callable[[], None]:
    """The search without the text screen: every version read, then loop erasure over all of them."""
    repo = open_repo(path, {})
    config = load_config(path, None, None)
    targets = rollback_targets(path, path, OPTIONS, config)
    current = Deploy("HEAD", tuple(read_values((path / "values.yaml").read_text(encoding="utf-8"), t.edits)
                                   for t in targets))
    read = version_reader(targets, current)

    def run() -> None:
        versions = read_versions(repo, repo.head_sha() or "HEAD", targets)
        found = [read(version) for version in reversed(versions)]
        assert previous_deploy([deploy for deploy in found if isinstance(deploy, Deploy)]) is not None

    return run


def lazy(path: Path) -> Callable[[], None]:
    repo = open_repo(path, {})
    config = load_config(path, None, None)
    options = OPTIONS._replace(dry_run=True)

    def run() -> None:
        plan_rollback(path, options, config, {}, repo, lambda _m: None)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rows = ["| deploys | `python -c pass` | git floor | `relbot rollback --dry-run` | / git floor | "
            "/ `pass` | in process: read what is needed | read every version |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for deploys in SIZES:
        path = build(deploys)
        runs = {"pass": command([sys.executable, "-c", "pass"], path),
                "git": floor(path),
                "relbot": command([sys.executable, "-m", "relbot", "rollback", *ARGS], path),
                "lazy": lazy(path), "every": every_version(path)}
        for run in runs.values():
            run()  # warm: imports, the OS's file cache
        times: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(args.runs):
            for name, run in runs.items():  # paired: the tools take turns in every round
                times[name].append(timed(run))
        median = {name: statistics.median(values) for name, values in times.items()}
        rows.append(f"| {deploys:,} | {median['pass'] * 1000:.0f} ms | {median['git'] * 1000:.0f} ms | "
                    f"{median['relbot'] * 1000:.0f} ms | {median['relbot'] / median['git']:.2f} | "
                    f"{median['relbot'] / median['pass']:.1f} | {median['lazy'] * 1000:.0f} ms | "
                    f"{median['every'] * 1000:.0f} ms |")
        print(rows[-1], flush=True)
    table = "\n".join(rows) + "\n"
    (CACHE.parent / "rollback-results.md").write_text(table, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
