"""The YAML test suite table: relbot's value editor on every valid input of the official suite.

    python bench/yaml_suite.py            # prints the Markdown table (a few seconds)

It runs what tests/unit/test_yaml_suite.py asserts (tests/yamlsuite.py), with go-yaml v2 built from
tests/goyaml/helmread.go into bench/.cache/goyaml (needs Debian's golang-go and
golang-gopkg-yaml.v2-dev). The suite's data is read from ../shared/yaml-test-suite (or
$RELBOT_YAML_TEST_SUITE). The exit code is 1 when any edit crashed or changed other data.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import yamlsuite  # noqa: E402 - after the path is set
from tests.goyaml.oracle import HelmReader  # noqa: E402


def main() -> int:
    started = time.perf_counter()
    with HelmReader(ROOT / "bench" / ".cache" / "goyaml") as reader:
        report = yamlsuite.run(reader)
    print(report.table())
    print(f"\n{len(report.outcomes)} edits in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 1 if report.count("crash") or report.count("corrupt") else 0


if __name__ == "__main__":
    sys.exit(main())
