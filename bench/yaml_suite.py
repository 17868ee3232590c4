"""The YAML test suite table: relbot's value editor on every valid input of the official suite.

    python bench/yaml_suite.py            # the edits table (a few seconds)
    python bench/yaml_suite.py --parsers  # which parsers read the valid inputs go-yaml reads, and how fast

It runs what tests/unit/test_yaml_suite.py asserts (tests/yamlsuite.py), with go-yaml v2 built from
tests/goyaml/helmread.go into bench/.cache/goyaml (needs Debian's golang-go and
golang-gopkg-yaml.v2-dev). The suite's data is read from ../shared/yaml-test-suite (or
$RELBOT_YAML_TEST_SUITE). The exit code is 1 when any edit crashed or changed other data.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from relbot.errors import InputError  # noqa: E402 - after the path is set
from relbot.values import yamldoc  # noqa: E402
from tests import yamlsuite  # noqa: E402
from tests.goyaml.oracle import GoYamlError, HelmReader  # noqa: E402


def _parsers() -> dict[str, Callable[[str], Any]]:
    import yaml  # noqa: PLC0415
    from ruamel.yaml import YAML  # noqa: PLC0415

    def located(text: str) -> Any:
        return yamldoc.compose(text, "in.yaml")

    return {
        "libyaml events + relbot's composer (what relbot locates with)": located,
        "PyYAML CSafeLoader compose (libyaml)":
            lambda t: list(yaml.compose_all(t, Loader=yaml.CSafeLoader)),
        "PyYAML SafeLoader compose (pure Python)":
            lambda t: list(yaml.compose_all(t, Loader=yaml.SafeLoader)),
        "ruamel.yaml safe compose (pure Python; relbot's check)":
            lambda t: list(YAML(typ="safe", pure=True).compose_all(t)),
    }


def parsers_table(reader: HelmReader) -> str:
    """How many of the valid inputs go-yaml reads each parser reads, and its time on all of them."""
    cases = yamlsuite.valid_cases(yamlsuite.suite_dir())
    go = reader.read_many(text for _, text in cases)
    readable = [text for (_, text), result in zip(cases, go, strict=True)
                if not isinstance(result, GoYamlError)]
    rows = [f"| go-yaml v2 (Helm's reader) | {len(readable)} of {len(cases)} valid | — |"]
    for name, parse in _parsers().items():
        read, started = 0, time.perf_counter()
        for text in readable:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    parse(text)
                except (InputError, Exception):  # noqa: S112 - counting refusals is the point
                    continue
                read += 1
        elapsed = (time.perf_counter() - started) * 1000
        rows.append(f"| {name} | {read} of {len(readable)} | {elapsed:,.0f} |")
    header = ["| parser | inputs read (of the valid ones go-yaml reads) | time for all (ms) |",
              "| --- | ---: | ---: |"]
    return "\n".join(header + rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parsers", action="store_true", help="measure the parsers instead")
    args = parser.parse_args()
    started = time.perf_counter()
    with HelmReader(ROOT / "bench" / ".cache" / "goyaml") as reader:
        if args.parsers:
            print(parsers_table(reader))
            return 0
        report = yamlsuite.run(reader)
    print(report.table())
    print(f"\n{len(report.outcomes)} edits in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 1 if report.count("crash") or report.count("corrupt") else 0


if __name__ == "__main__":
    sys.exit(main())
