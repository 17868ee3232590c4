"""Where the read-only data under `../shared/` is: beside the checkout, at /work/shared (a clone
in a temporary directory), or where an environment variable says."""

from __future__ import annotations

import os
from pathlib import Path


def shared_path(name: str, variable: str) -> Path:
    """`../shared/<name>` beside the checkout, else /work/shared/<name>; `$<variable>` overrides."""
    candidates = [Path(os.environ[variable])] if variable in os.environ \
        else [Path(__file__).resolve().parents[2] / "shared" / name, Path("/work/shared") / name]
    for path in candidates:
        if path.exists():
            return path
    raise FileNotFoundError(f"the data of ../shared/{name} is not beside the checkout; "
                            f"set {variable} to its path")
