"""Reading and writing the files relbot edits: exact text in (line endings and BOM kept), atomic
writes out (a temp file in the same directory, then rename), the file mode kept."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from relbot.errors import InputError


def read_text(path: Path) -> str:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file", "check the path (relative to -C DIR)") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})",
                         "values files must be UTF-8") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read: {exc.strerror}", "check the permissions") from None


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` in one rename; a crash leaves the old file or the new one.
    Missing parent directories are created."""
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else None
    path.parent.mkdir(parents=True, exist_ok=True)  # a new CHANGELOG in docs/, as semantic-release does
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".relbot", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is None:  # a new file: the mode a plain open() would give it (mkstemp's is 0600)
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
