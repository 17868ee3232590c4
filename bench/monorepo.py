"""Benchmark: every package's next version in a monorepo — 20 packages on a 100,000-commit history —
from one history walk, against the git floor (the one `git log --name-only` of the range since the
packages' oldest last release), a bare `python -c pass`, and one run per package (what a team that
runs a single-package tool once per package pays), in one paired run.

    python bench/monorepo.py               # median of 5 rounds
    python bench/monorepo.py --runs 9 --commits 20000

The history is built with `git fast-import` under bench/.cache/monorepo/: package `pkgNN` owns
`pkgNN/`; commit i changes `pkg(i mod 20)/file.txt` with a Conventional Commit (feat every 7th,
else fix); every package is tagged `pkgNN-v1.K.0` every 2,000 commits, the last time in the last
2,000 commits. The table goes to bench/.cache/monorepo-results.md and, by hand, to bench/README.md.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from timing import command, timed

CACHE = Path(__file__).resolve().parent / ".cache" / "monorepo"
PACKAGES = 20
TAG_EVERY = 2_000


def build(commits: int) -> Path:
    path = CACHE / f"commits-{commits}"
    if (path / ".git").is_dir():
        return path
    path.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    stream = io.BytesIO()
    config = {"branches": ["main"], "packages": [{"name": f"pkg{n:02}", "path": f"pkg{n:02}"}
                                                 for n in range(PACKAGES)]}
    data = json.dumps(config).encode()
    stream.write(b"commit refs/heads/main\nmark :1\ncommitter CI <ci@example.com> 1700000000 +0000\n")
    stream.write(b"data 14\nchore: layout\n\n")
    stream.write(f"M 100644 inline .releaserc.json\ndata {len(data)}\n".encode() + data + b"\n")
    for index in range(commits):
        package = f"pkg{index % PACKAGES:02}"
        kind = "feat" if index % 7 == 0 else "fix"
        message = f"{kind}: change {index} of {package}\n".encode()
        content = f"{index}\n".encode()
        stream.write(f"commit refs/heads/main\nmark :{index + 2}\n".encode())
        stream.write(f"committer CI <ci@example.com> {1_700_000_060 + index * 60} +0000\n".encode())
        stream.write(f"data {len(message)}\n".encode() + message)
        stream.write(f"M 100644 inline {package}/file.txt\ndata {len(content)}\n".encode() + content + b"\n")
        if (index + 1) % TAG_EVERY == 0 and index + 1 < commits:
            minor = (index + 1) // TAG_EVERY
            for number in range(PACKAGES):  # each package's release, on the last commit that touched it
                mark = index + 2 - ((index - number) % PACKAGES)
                stream.write(f"reset refs/tags/pkg{number:02}-v1.{minor}.0\nfrom :{mark}\n\n".encode())
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input=stream.getvalue(), check=True)
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=path, check=True)
    return path


def git_floor(path: Path) -> Callable[[], None]:
    """The one walk any tool needs: every commit (with its files) since the oldest last release."""
    tags = subprocess.run(["git", "tag", "--merged", "HEAD", "--sort=-creatordate"], cwd=path,
                          capture_output=True, text=True, check=True).stdout.split()
    last: dict[str, str] = {}
    for tag in tags:
        last.setdefault(tag.split("-v")[0], tag)
    base = subprocess.run(["git", "merge-base", "--octopus", *last.values()], cwd=path,
                          capture_output=True, text=True, check=True).stdout.strip() if last else ""
    revisions = f"{base}..HEAD" if base else "HEAD"  # no release yet: the whole history

    def run() -> None:
        subprocess.run(["git", "log", "-z", "--name-only", "--format=%H%x1f%P%x1f%B", revisions],
                       cwd=path, capture_output=True, check=True)

    return run


def per_package(path: Path) -> Callable[[], None]:
    """One `relbot version` per package, each with a single-package configuration (a tag format
    and a path filter of its own): the cost of running a one-package tool once per package."""
    configs = []
    for number in range(PACKAGES):
        config = CACHE / f"single-{number:02}.json"
        config.write_text(json.dumps({"branches": ["main"], "packages": [
            {"name": f"pkg{number:02}", "path": f"pkg{number:02}"}]}))
        configs.append(config)

    def run() -> None:
        for config in configs:
            subprocess.run([sys.executable, "-m", "relbot", "--config", str(config), "version"], cwd=path,
                           capture_output=True, check=True)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--commits", type=int, default=100_000)
    args = parser.parse_args()
    path = build(args.commits)
    answer = subprocess.run([sys.executable, "-m", "relbot", "version", "--json"], cwd=path,
                            capture_output=True, text=True, check=True).stdout
    due = [p for p in json.loads(answer)["packages"] if p["released"]]
    runs = {"pass": command([sys.executable, "-c", "pass"], path), "git": git_floor(path),
            "relbot": command([sys.executable, "-m", "relbot", "version", "--json"], path),
            "each": per_package(path)}
    for run in runs.values():
        run()  # warm: imports, the OS's file cache
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.runs):
        for name, run in runs.items():  # paired: the commands take turns in every round
            times[name].append(timed(run))
    median = {name: statistics.median(values) for name, values in times.items()}
    rows = [
        f"{args.commits:,} commits, {PACKAGES} packages ({len(due)} due), "
        f"median of {args.runs} paired rounds",
        "",
        "| command | time | / git floor | / `python -c pass` |",
        "| --- | ---: | ---: | ---: |",
    ]
    names = {"pass": "`python -c pass`", "git": "git floor: one `git log --name-only` since the oldest "
             "last release", "relbot": "`relbot version --json` (every package, one walk)",
             "each": f"{PACKAGES} x `relbot version`, one package each"}
    for key, label in names.items():
        rows.append(f"| {label} | {median[key] * 1000:,.0f} ms | {median[key] / median['git']:.1f}x | "
                    f"{median[key] / median['pass']:.1f}x |")
    table = "\n".join(rows) + "\n"
    (CACHE / "monorepo-results.md").write_text(table)
    sys.stdout.write(table)


if __name__ == "__main__":
    main()
