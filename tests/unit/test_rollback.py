"""The rollback's rules as tables: which deploy comes before the current one, how a value reads,
and what the commit message says."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relbot.errors import InputError
from relbot.values.deploys import Deploy, Version, deploy_before, previous_deploy, rollback_message, shown
from relbot.values.edit import SetImage, SetValue, ValueChange, ValueRead, edit_values, read_values
from relbot.values.images import ImageTarget
from relbot.values.plan import FileOutcome
from relbot.values.yamlpath import parse_path


def _deploy(commit: str, *values: str) -> Deploy:
    return Deploy(commit, (tuple(ValueRead(f"s{i}.tag", 0, (f"s{i}", "tag"), v)
                                 for i, v in enumerate(values)),))


def _line(*states: str) -> list[Deploy]:
    """One deploy per state, named c0, c1, …; a state is the values joined by `,`."""
    return [_deploy(f"c{i}", *state.split(",")) for i, state in enumerate(states)]


@pytest.mark.parametrize(("states", "expected"), [
    (["1"], None),  # one deploy: nothing before it
    (["1", "2"], "c0"),
    (["1", "2", "3"], "c1"),
    (["1", "2", "3", "2"], "c0"),  # after a rollback to 2, the one before 2 (not 3 again)
    (["1", "2", "3", "2", "1"], None),  # rolled back to the first deploy: nothing before it
    (["1", "2", "3", "2", "1", "3"], "c0"),  # --to 3 after that: 1 ran before it
    (["1", "2", "1", "3"], "c0"),  # a return to 1, then a new deploy: back to 1 (its first commit)
    (["1", "2", "3", "1", "4", "5"], "c4"),
    (["1,a", "2,a", "2,b"], "c1"),  # services deployed one at a time roll back one deploy at a time
    (["1,a", "2,b"], "c0"),  # deployed together: back together
    (["1", "2", "3", "4", "2"], "c0"),  # a return across several deploys erases all of them
])
def test_the_deploy_before_erases_the_loops_a_return_closes(states: list[str], expected: str | None) -> None:
    found = previous_deploy(_line(*states))
    assert (found.commit if found else None) == expected


def test_the_deploy_before_keeps_the_first_commit_of_the_values_it_returns_to() -> None:
    history = _line("1", "2", "3", "2")
    history[1] = history[1]._replace(commit="deployed-2")
    found = previous_deploy([*history, _deploy("c9", "4")])
    assert found is not None
    assert found.commit == "deployed-2"


VALUES = """\
api:
  image: {repository: ghcr.io/acme/api, tag: "1.2.0"}  # flow style
worker:
  image: ghcr.io/acme/worker:1.2.0@sha256:""" + "a" * 64 + """
embedded: |
  inner:
    image:
      repository: ghcr.io/acme/inner
      tag: 1.2.0
"""


def test_read_values_finds_what_edit_values_would_set_and_sets_it_back() -> None:
    edits = [SetImage(ImageTarget("ghcr.io/acme/api", "0.0.0", None)),
             SetImage(ImageTarget("ghcr.io/acme/worker", "0.0.0", None)),
             SetImage(ImageTarget("ghcr.io/acme/inner", "0.0.0", None))]
    reads = read_values(VALUES, edits)
    assert [(r.path, r.value) for r in reads] == [
        ("api.image.tag", "1.2.0"),
        ("worker.image", "ghcr.io/acme/worker:1.2.0@sha256:" + "a" * 64),
        ("embedded | inner.image.tag", "1.2.0")]
    changed = edit_values(VALUES, edits, allow_downgrade=True).text
    back = edit_values(changed, [SetValue(r.parts, r.value or "") for r in reads], allow_downgrade=True)
    assert back.text == VALUES  # every scalar set back where it was read, byte for byte


def test_read_values_reports_a_missing_path_as_edit_values_does() -> None:
    with pytest.raises(InputError, match=r"values\.yaml \(document 1\): no key 'nothere' under api"):
        read_values(VALUES, [SetValue(parse_path("api.nothere.tag"), "x")], source="values.yaml")
    [read] = read_values(VALUES, [SetValue(parse_path("api.image.digest"), "x")], create=True)
    assert read.value is None  # would be created: no value to go back to


@pytest.mark.parametrize(("value", "expected"), [
    ("1.2.0", "1.2.0"), ("ghcr.io/acme/api:v1.2.0", "v1.2.0"),
    ("ghcr.io/acme/api:1.2.0@sha256:" + "b" * 64, "1.2.0"), ("latest", "latest"), (None, "(not set)"),
])
def test_shown_names_the_version_in_a_value(value: str | None, expected: str) -> None:
    assert shown(value) == expected


def _outcome(*changes: tuple[str, str, str]) -> FileOutcome:
    return FileOutcome("values.yaml", tuple(ValueChange(p, 0, 1, old, new, old, new)
                                            for p, old, new in changes), "")


def test_the_message_says_what_from_what_to_what_and_why() -> None:
    current, target = _deploy("a" * 40, "1.2.0"), _deploy("b" * 40, "1.1.0")
    message = rollback_message(current, target, None, "smoke test failed\n",
                               [_outcome(("api.tag", "1.2.0", "1.1.0"), ("worker.tag", "1.2.0", "1.1.0"))])
    assert message == (
        "chore: roll back values.yaml from 1.2.0 to 1.1.0\n\n"
        "Reason: smoke test failed\n\n"
        "- values.yaml: api.tag 1.2.0 → 1.1.0\n- values.yaml: worker.tag 1.2.0 → 1.1.0\n\n"
        f"Rollback-of: {'a' * 40}\nRollback-to: {'b' * 40} (the deploy before)\n")


def test_a_message_for_values_of_several_versions_names_the_commit() -> None:
    current, target = _deploy("a" * 40, "x"), _deploy("b" * 40, "y")
    message = rollback_message(current, target, None, None,
                               [_outcome(("api.tag", "1.2.0", "1.1.0"), ("worker.tag", "2.0.0", "1.9.0"))])
    assert message.splitlines()[0] == "chore: roll back values.yaml to the values of bbbbbbb"
    assert "Reason: not given (--reason)" in message
    release = rollback_message(current, Deploy("v1.1.0", ()), "1.1.0", "why",
                               [_outcome(("api.tag", "1.2.0", "1.1.0"), ("worker.tag", "2.0.0", "1.1.0"))])
    assert release.splitlines()[0] == "chore: set values.yaml to release 1.1.0"
    assert release.endswith(f"Release-set: v1.1.0\nRelease-set-over: {'a' * 40}\n")  # not a rollback


STATES = st.lists(st.sampled_from(["1.0.0", "1.1.0", "1.2.0", "1.3.0", "2.0.0", "1.1", "bad", "gone"]),
                  min_size=1, max_size=30)


@given(STATES)
@settings(max_examples=400, deadline=None)
def test_reading_only_what_the_answer_needs_gives_the_answer_of_reading_everything(
    sequence: list[str],
) -> None:
    """Versions newest first; "bad" cannot be read and "gone" has no file, so the history ends there.
    The lazy search must find what loop erasure over every readable version finds."""
    versions = [Version(f"c{i}", (None,) if v == "gone" else ((f"blob-{v}", f"tag: {v}  # x\n".encode()),))
                for i, v in enumerate(reversed(sequence))]
    reads: list[str] = []

    def read(version: Version) -> Deploy | str:
        blob = version.files[0]
        if blob is None or blob[0] == "blob-bad":
            return "unreadable"
        value = blob[1].decode().split()[1]
        reads.append(value)
        return Deploy(version.commit, ((ValueRead("tag", 0, ("tag",), value),),))

    everything: list[Deploy] = []
    for version in versions:  # newest first, to the first version that cannot be read
        found = read(version)
        if isinstance(found, str):
            break
        everything.append(found)
    runs: list[Deploy] = []
    for deploy in reversed(everything):
        if not runs or runs[-1].state != deploy.state:
            runs.append(deploy)
    expected = previous_deploy(runs)
    lazy = deploy_before(versions, read)
    assert (lazy.before.commit if lazy.before else None) == (expected.commit if expected else None)
    assert lazy.history[-1:] == runs[-1:]  # the current values' first commit, as the message names it


def test_a_long_history_of_new_versions_is_searched_by_text_not_read() -> None:
    versions = [Version(f"c{i}", ((f"b{i}", f"tag: 1.{i}.0\n".encode()),)) for i in range(2000)]
    read_count = [0]

    def read(version: Version) -> Deploy | str:
        read_count[0] += 1
        value = version.files[0][1].decode().split()[1] if version.files[0] else ""
        return Deploy(version.commit, ((ValueRead("tag", 0, ("tag",), value),),))

    found = deploy_before(versions, read)
    assert found.before is not None
    assert found.before.commit == "c1"
    assert read_count[0] == 2  # the two newest; the other 1,998 do not hold 1.0.0 or 1.1.0 as text
