"""go-yaml v2 as a test oracle: `helmread.go`, built once per version and run as one long-lived process.

Helm reads values files with go-yaml v2 (gopkg.in/yaml.v2, wrapped by sigs.k8s.io/yaml). `HelmReader`
sends YAML texts to `helmread` and gets back every document with each scalar typed as go-yaml
resolved it: {"str": "x"}, {"int": "12"}, {"float": "8.765e+104"}, {"bool": "true"}, {"null": ""}, a
mapping as {"map": [[key, value], ...]} (pairs sorted by key), a list as {"seq": [...]}. Timestamps
are strings, as go-yaml v2 decodes them into interface{}.

It needs Go and go-yaml v2's sources from the Debian packages golang-go and
golang-gopkg-yaml.v2-dev; without them it raises OracleError, so tests fail rather than skip.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self, TypeAlias

SOURCE = Path(__file__).with_name("helmread.go")
GOPATH = Path("/usr/share/gocode")
YAML_V2 = GOPATH / "src" / "gopkg.in" / "yaml.v2"
PACKAGES = "golang-go golang-gopkg-yaml.v2-dev"
_GO_FALLBACK = Path("/usr/lib/go/bin/go")  # golang-go's own copy, should /usr/bin not be on PATH
_BUILD_TIMEOUT = 600
_SMALL_WRITE = 4096  # a pipe holds at least this much: such a batch is written without a thread


class OracleError(RuntimeError):
    """The oracle itself failed: Go or go-yaml v2 missing, helmread.go not building, helmread dying."""


class GoYamlError(Exception):
    """go-yaml refused the text; `message` is go-yaml's own (`yaml: line 1: ...`)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


Result: TypeAlias = list[Any] | GoYamlError
"""What go-yaml made of one text: its documents, typed as above, or the error it raised."""


class HelmReader:
    """One helmread process for many texts: `read` one, or `read_many` in a single round trip."""

    def __init__(self, cache_dir: Path) -> None:
        self.binary = build(cache_dir)
        self._work = Path(tempfile.mkdtemp(prefix="helmread-"))
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None

    def read(self, text: str) -> list[Any]:
        """The documents of `text` as go-yaml reads them; GoYamlError when go-yaml refuses it."""
        result = self.read_many([text])[0]
        if isinstance(result, GoYamlError):
            raise result
        return result

    def read_many(self, texts: Iterable[str]) -> list[Result]:
        """What go-yaml makes of each text, in order; a refused text gives its GoYamlError."""
        batch = [_encode(text) for text in texts]
        if not batch:
            return []
        with self._lock:
            process = self._start()
            try:
                lines = self._exchange(process, b"".join(batch), len(batch))
            except BaseException:
                self._stop()  # answers may be pending or lost: the next call starts a fresh process
                raise
        return [_decode(line) for line in lines]

    def close(self) -> None:
        with self._lock:
            self._stop()
        shutil.rmtree(self._work, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def _start(self) -> subprocess.Popen[bytes]:
        if self._process is None:
            home = self._work / "home"
            home.mkdir(exist_ok=True)
            self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process
            self._process = subprocess.Popen(
                [str(self.binary)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
                cwd=home, env={"PATH": os.environ.get("PATH", os.defpath), "HOME": str(home), "LC_ALL": "C"},
            )
        return self._process

    def _exchange(self, process: subprocess.Popen[bytes], data: bytes, count: int) -> list[bytes]:
        stdin, stdout = process.stdin, process.stdout
        if stdin is None or stdout is None:
            raise OracleError("helmread was started without pipes")
        failures: list[OSError] = []

        def write() -> None:
            try:
                stdin.write(data)
                stdin.flush()
            except OSError as exc:  # helmread died; the reader below sees the end of its output
                failures.append(exc)

        # helmread answers each text as it reads it: a big batch is written from another thread, or
        # both sides would block once the pipes fill up.
        writer = None if len(data) <= _SMALL_WRITE else threading.Thread(target=write, daemon=True)
        if writer is None:
            write()
        else:
            writer.start()
        lines: list[bytes] = []
        while len(lines) < count:
            line = stdout.readline()
            if not line.endswith(b"\n"):
                break
            lines.append(line)
        if writer is not None:
            writer.join()
        if len(lines) < count or failures:
            try:
                code: int | None = process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                code = None
            raise OracleError(f"helmread stopped after {len(lines)} of {count} texts (exit status "
                              f"{code}, {failures or 'no write error'}): {self._stderr_text()}")
        return lines

    def _stderr_text(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")[-4000:]

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            if process.stdin is not None:
                with contextlib.suppress(OSError):  # it died already
                    process.stdin.close()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None


def build(cache_dir: Path) -> Path:
    """The helmread binary in `cache_dir`, built unless one for this helmread.go, Go and go-yaml is there.

    The binary's name holds a hash of helmread.go, `go version` and go-yaml v2's sources, so an edit
    to any of them builds a new one (and removes the old ones). Go runs with its own HOME and
    GOCACHE in a temporary directory, in GOPATH mode against the Debian-packaged go-yaml v2.
    """
    go, cache_dir = _find_go(), cache_dir.absolute()  # helmread runs from another directory
    work = Path(tempfile.mkdtemp(prefix="helmread-build-"))
    try:
        env = _go_env(work)
        version = _run([str(go), "version"], env, work)
        binary = cache_dir / f"helmread-{_digest(version)}"
        if binary.is_file():
            return binary
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = cache_dir / f".{binary.name}.{os.getpid()}.partial"
        _run([str(go), "build", "-o", str(partial), str(SOURCE)], env, work)
        partial.replace(binary)  # atomic: parallel sessions may build the same binary
        for old in cache_dir.glob("helmread-*"):
            if old != binary:
                old.unlink(missing_ok=True)
        return binary
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _find_go() -> Path:
    found = shutil.which("go")
    go = Path(found) if found else _GO_FALLBACK if _GO_FALLBACK.is_file() else None
    missing = [] if go else ["the Go toolchain (`go`)"]
    if not (YAML_V2 / "yaml.go").is_file():
        missing.append(f"go-yaml v2's sources ({YAML_V2})")
    if go is None or missing:
        raise OracleError(f"the go-yaml oracle (tests/goyaml) needs {' and '.join(missing)}: "
                          f"install them with `apt-get install {PACKAGES}`")
    return go


def _go_env(work: Path) -> dict[str, str]:
    """Go's environment: nothing from the user's, a fresh HOME and build cache, no cgo, no downloads."""
    home = work / "home"
    home.mkdir()
    return {
        "PATH": os.environ.get("PATH", os.defpath), "HOME": str(home), "LC_ALL": "C", "TMPDIR": str(work),
        "GOENV": "off", "GOFLAGS": "", "GOPATH": str(GOPATH), "GO111MODULE": "off", "GOTOOLCHAIN": "local",
        "GOCACHE": str(work / "gocache"), "GOTMPDIR": str(work), "CGO_ENABLED": "0",
    }


def _run(args: list[str], env: dict[str, str], cwd: Path) -> str:
    try:
        done = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, check=False,
                              timeout=_BUILD_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise OracleError(f"`{' '.join(args)}` failed: {exc}") from exc
    if done.returncode != 0:
        raise OracleError(f"`{' '.join(args)}` failed with exit status {done.returncode}:\n"
                          f"{done.stdout}{done.stderr}")
    return done.stdout


def _digest(go_version: str) -> str:
    parts = [go_version.encode(), SOURCE.read_bytes()]
    for path in sorted(YAML_V2.glob("*.go")):
        if not path.name.endswith("_test.go"):
            parts.append(path.name.encode() + b"\0" + path.read_bytes())
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:16]


def _encode(text: str) -> bytes:
    if "\0" in text:
        raise ValueError(f"helmread cannot take a text with a NUL byte, its separator: {text!r}")
    return text.encode("utf-8") + b"\0"


def _decode(line: bytes) -> Result:
    answer = json.loads(line)
    if "error" in answer:
        return GoYamlError(str(answer["error"]))
    documents: list[Any] = answer["docs"]
    return documents
