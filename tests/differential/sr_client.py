"""Talks to tests/node/sr_driver.mjs: one warm Node process running semantic-release on request.

The driver reads one JSON request per line and answers with one JSON line; see its header comment.
The process starts with an environment made from scratch (PATH and an isolated HOME only), so no CI
variable or token of the caller's reaches semantic-release.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

NODE_DIR = Path(__file__).resolve().parent.parent / "node"
DRIVER = NODE_DIR / "sr_driver.mjs"
INSTALL_HINT = "run `npm ci --prefix tests/node` to install semantic-release for the differential tests"


@dataclass(frozen=True)
class SrResult:
    """What semantic-release decided for one repository (a dry run)."""

    version: str | None
    type: str | None
    git_tag: str | None
    notes: str | None
    last_release: str | None
    last_release_tag: str | None
    commits: int | None
    error: str | None
    log: str | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SrResult:
        return cls(
            version=data.get("version"),
            type=data.get("type"),
            git_tag=data.get("gitTag"),
            notes=data.get("notes"),
            last_release=data.get("lastRelease"),
            last_release_tag=data.get("lastReleaseTag"),
            commits=data.get("commits"),
            error=data.get("error"),
            log=data.get("log"),
        )


def missing_install() -> str | None:
    """Why the driver cannot run here, or None when node and the npm packages are in place."""
    if shutil.which("node") is None:
        return f"node is not on PATH; install Node.js 20 or later, then {INSTALL_HINT}"
    if not (NODE_DIR / "node_modules" / "semantic-release" / "package.json").is_file():
        return f"tests/node/node_modules is missing: {INSTALL_HINT}"
    return None


class SemanticRelease:
    """A running driver; use as a context manager or call close()."""

    def __init__(self, timeout: float = 60.0) -> None:
        self.timeout = timeout
        self._home = tempfile.TemporaryDirectory(prefix="relbot-sr-home-")
        self._stderr: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self._home.name}
        self._proc = subprocess.Popen(
            ["node", str(DRIVER)],
            cwd=NODE_DIR,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            encoding="utf-8",
        )
        self._selector = selectors.DefaultSelector()
        assert self._proc.stdout is not None
        self._selector.register(self._proc.stdout, selectors.EVENT_READ)
        self._next_id = 0

    def __enter__(self) -> SemanticRelease:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, cwd: Path, options: dict[str, Any], now: str | None = None) -> SrResult:
        """semantic-release's dry-run answer for the repository at `cwd` with these options.

        `now` (an ISO 8601 instant) pins the clock of the driver for this request, which fixes the
        date in the release notes heading.
        """
        assert self._proc.stdin is not None
        assert self._proc.stdout is not None
        self._next_id += 1
        request: dict[str, Any] = {"id": self._next_id, "cwd": str(cwd), "options": options}
        if now is not None:
            request["now"] = now
        try:
            self._proc.stdin.write(json.dumps(request) + "\n")
            self._proc.stdin.flush()
        except BrokenPipeError:
            raise RuntimeError(f"the semantic-release driver died:\n{self.stderr()}") from None
        if not self._selector.select(self.timeout):
            self.close()
            raise RuntimeError(f"semantic-release gave no answer in {self.timeout}s for {cwd}")
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the semantic-release driver died:\n{self.stderr()}")
        data: dict[str, Any] = json.loads(line)
        if data.get("id") != self._next_id:
            raise RuntimeError(f"the driver answered request {data.get('id')}, not {self._next_id}")
        return SrResult.from_json(data)

    def stderr(self) -> str:
        self._stderr.seek(0)
        text = self._stderr.read()
        self._stderr.seek(0, os.SEEK_END)
        return text[-4000:]

    def close(self) -> None:
        if self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._proc.stdout is not None:
            self._selector.close()
            self._proc.stdout.close()
        self._stderr.close()
        self._home.cleanup()
