"""The fast reading (`release.tally.Tally`, on the raw `git log` stream) gives what the full one
(`parse_commit` for every message, then `rules.analyze`) gives: the release type, the rule text
(which commit decided), the number of commits, of counted ones and of cancelled ones.

The ranges come from real histories (every release range of `../shared/replay/`, with the real
hashes, so real reverts cancel), from the peers' own parser test messages (`../shared/peer-cases/`)
and from the generator of the differential tests, mixed with hand-written hard cases: carriage
returns, blank first lines, reverts of reverts, `[skip release]`, notes quoted or indented, and
custom release rules that look at scopes and subjects. Each range is cut into blocks at random
places, as the pipe from git cuts it.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator, Sequence

import pytest

from relbot.model import RawCommit, ReleaseRule, ReleaseType
from relbot.release.commits import parse_all
from relbot.release.rules import analyze
from relbot.release.tally import Tally
from tests.differential.messages import MessageMaker
from tests.shared import shared_path

KEYWORDS = ("BREAKING CHANGE", "BREAKING-CHANGE")
RULE_SETS: dict[str, tuple[ReleaseRule, ...]] = {
    "default": (),
    "custom": (
        ReleaseRule(ReleaseType.PATCH, type="docs", scope="README"),
        ReleaseRule(ReleaseType.MINOR, type="refactor"),
        ReleaseRule(None, subject="*no-release*"),
        ReleaseRule(ReleaseType.MAJOR, type="feat", scope="api"),
        ReleaseRule(ReleaseType.PATCH, type="chore", subject="deps*"),
    ),
}
HARD = (
    "feat: crlf\r\n\r\nBREAKING CHANGE: with windows line ends\r\n",
    "\n\nfeat: after blank lines",
    "\r\nfeat: after a blank line with a carriage return",
    "\n",
    "",
    "   ",
    "feat!: bang",
    "fix(scope)!: bang with a scope",
    "fix: quoted\n\n> BREAKING CHANGE: not ours",
    "fix: indented\n\n  BREAKING CHANGE: not ours",
    "chore: a note in the middle\n\nBREAKING CHANGE: ours\n\nmore text",
    "Update README.md\n\nBREAKING CHANGE: a note without a header",
    "feat: skipped [skip release]",
    "fix: skipped too\n\n[release skip]",
    "docs(README): custom rule",
    "refactor: custom minor",
    "feat(api): custom major",
    "chore: deps bump no-release-here",
    "chore: deps-upgrade",
    "revert: feat: a revert naming nothing",
    "Revert \"feat: x\"\n\nThis reverts commit 1234567.",
    "Feat(API): type case",
    " \tfeat:   leading space",
    "feat(): empty scope",
    "feat( x ): spaced scope",
    "<blockquote>\nBREAKING CHANGE: quoted in html",
    "fix: html\n\n<details>\nBREAKING CHANGE: inside\n</details>",
)


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()  # noqa: S324 - a commit id, not security


def _records(commits: Sequence[RawCommit], boundary: Sequence[str]) -> str:
    """The text `git log -z --format=%m%H%x1f%P%x1f%B --boundary` prints for these commits."""
    parts = [f">{c.sha}\x1f{' '.join(c.parents)}\x1f{c.message}" for c in commits]
    parts += [f"-{sha}\x1f\x1fthe last release" for sha in boundary]
    return "\x00".join(parts)


def _blocks(text: str, rng: random.Random) -> Iterator[str]:
    """The text cut into blocks of whole records at random places, as `log_blocks` yields it."""
    records = text.split("\x00")
    while records:
        take = rng.randint(1, 40)
        yield "\x00".join(records[:take])
        records = records[take:]


def _with_reverts(messages: Sequence[str], rng: random.Random) -> list[RawCommit]:
    """Oldest first, then newest first: commits, some reverted (git's form, full hash), some of
    those reverts reverted again."""
    oldest_first: list[RawCommit] = []
    for index, drawn in enumerate(messages):
        message = drawn
        if oldest_first and rng.random() < 0.15:
            target = rng.choice(oldest_first)
            header = target.message.replace("\r\n", "\n").strip("\n").split("\n")[0]
            message = f'Revert "{header}"\n\nThis reverts commit {target.sha}.'
        parents = (oldest_first[-1].sha,) if oldest_first else ()
        if rng.random() < 0.05:
            parents = (*parents, _sha(f"side {index}"))
        oldest_first.append(RawCommit(_sha(f"{index} {message}"), message, parents))
    return oldest_first[::-1]


def _compare(commits: Sequence[RawCommit], rules: Sequence[ReleaseRule], rng: random.Random) -> None:
    analysis = analyze(parse_all(commits, KEYWORDS), rules)
    text = _records(commits, [_sha("last release")])
    tally = Tally(rules, KEYWORDS)
    for block in _blocks(text, rng):
        tally.feed(block)
    tally.finish()
    got = (tally.bump, tally.rule, tally.commits, tally.counted, tally.cancelled, tally.boundary)
    want = (analysis.bump, analysis.rule, len(commits), len(analysis.counted),
            len(analysis.cancelled), {_sha("last release")})
    assert got == want, "\n---\n".join(c.message for c in commits)
    early = Tally(rules, KEYWORDS, stop_when_certain=True)
    for block in _blocks(text, rng):
        early.feed(block)
    early.finish()
    assert (early.bump, early.rule, early.boundary) == (analysis.bump, analysis.rule,
                                                        {_sha("last release")})


def _replay_ranges() -> list[tuple[str, list[RawCommit]]]:
    ranges = []
    for path in sorted(shared_path("replay", "RELBOT_REPLAY_DIR").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or "releases" not in data:
            continue
        for release in data["releases"]:
            if "shas" not in release:  # a tag the harness only places (no commits of its own)
                continue
            messages, shas = release["commits"], release["shas"]
            oldest_first = [RawCommit(sha, message) for sha, message in zip(shas, messages, strict=True)]
            ranges.append((f"{path.stem}@{release['tag']}", oldest_first[::-1]))
    return ranges


def _peer_messages() -> list[str]:
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "message" and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted(shared_path("peer-cases", "RELBOT_PEER_CASES_DIR").glob("*.json")):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return found


REPLAY = _replay_ranges()


def test_the_corpora_are_there() -> None:
    assert len(REPLAY) > 500
    assert len(_peer_messages()) > 500


@pytest.mark.parametrize("rules", RULE_SETS.values(), ids=RULE_SETS.keys())
def test_every_real_release_range_is_decided_alike(rules: Sequence[ReleaseRule]) -> None:
    rng = random.Random(7)  # noqa: S311 - test data, seeded
    for _name, commits in REPLAY:
        _compare(commits, rules, rng)


@pytest.mark.parametrize("rules", RULE_SETS.values(), ids=RULE_SETS.keys())
def test_peer_and_generated_messages_with_reverts_are_decided_alike(rules: Sequence[ReleaseRule]) -> None:
    rng = random.Random(20261130)  # noqa: S311 - test data, seeded
    maker = MessageMaker(rng)
    pool = [*_peer_messages(), *HARD, *(maker.commit()[0] for _ in range(400))]
    for _ in range(1500):
        size = rng.choice((1, 2, 3, 5, 10, 40, 120))
        _compare(_with_reverts([rng.choice(pool) for _ in range(size)], rng), rules, rng)


def test_a_certain_major_stops_parsing_but_still_finds_the_boundary() -> None:
    newest_first = [RawCommit(_sha(str(i)), "fix: x" if i else "feat!: big") for i in range(1000)]
    tally = Tally(stop_when_certain=True)
    for block in _blocks(_records(newest_first, ["b" * 40]), random.Random(1)):  # noqa: S311
        tally.feed(block)
    tally.finish()
    assert (tally.bump, tally.certain, tally.commits) == (ReleaseType.MAJOR, True, 1)
    assert tally.rule == f"breaking → major, from {_sha('0')[:7]} 'feat!: big'"
    assert tally.boundary == {"b" * 40}


def test_a_revert_read_before_a_major_keeps_reading_to_the_end() -> None:
    target = RawCommit(_sha("old"), "feat!: dropped")
    newest_first = [RawCommit(_sha("r"), f'Revert "feat!: dropped"\n\nThis reverts commit {target.sha}.'),
                    RawCommit(_sha("m"), "feat!: kept"), target]
    tally = Tally(stop_when_certain=True)
    tally.feed(_records(newest_first, []))
    tally.finish()
    assert not tally.certain
    assert (tally.bump, tally.commits, tally.counted, tally.cancelled) == (ReleaseType.MAJOR, 3, 1, 2)
    assert "'feat!: kept'" in tally.rule
