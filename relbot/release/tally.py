"""The release type of a range read straight from the `git log` stream: semantic-release's
analyzeCommits without a parsed commit, or any other object, per message.

`commits.parse_commit` and `rules.analyze` stay the single source of truth. A record goes through
`parse_commit` whenever anything in it could make a cheaper reading differ: a carriage return, a
blank first line, a header that starts with `revert`, a note keyword (`BREAKING CHANGE`) after
the header. Every other record is decided from its header alone, matched by the parser's own
pattern, and the decision for a header's (type, scope, subject, `!`) is `rules.decide`'s, cached.
`[skip release]` commits are left out as `analyze` leaves them out.

Reverts and the commits they name are set aside and cancelled at the end by
`rules.cancel_reverts`: a revert is always newer than the commit it reverts, and it names that
commit by its full hash, so no other commit can be cancelled and the decisions of all the others
are final as soon as they are read. That is also why the answer can be certain before the end:
a commit that asks for a major release and that no revert read so far names stays counted.
"""

from __future__ import annotations

from collections.abc import Sequence

from relbot.gitrepo import raw_commit
from relbot.model import ReleaseRule, ReleaseType
from relbot.release.commits import HEADER_PATTERN, ParsedCommit, Unparsed, parse_commit
from relbot.release.rules import Decider, cancel_reverts, is_skipped, skip_requested

_NO_RULE = "no commit asks for a release"


class Tally:
    """What the commits of one range ask for, fed the blocks of `GitRepo.log_blocks` (newest
    first, with `--boundary`).

    After the last block: `bump` and `rule` are what `rules.analyze` gives for the range;
    `commits` counts the range's commits, `counted` those the rules looked at (parsed, not
    skipped, not cancelled), `cancelled` the reverts and reverted commits that cancel out;
    `boundary` holds the hashes of the boundary commits. With `stop_when_certain`, records after
    a certain major release are not read (only the boundary marks are looked for), so the
    counts are then partial and `certain` is True.
    """

    def __init__(self, rules: Sequence[ReleaseRule] = (),
                 note_keywords: Sequence[str] = ("BREAKING CHANGE", "BREAKING-CHANGE"), *,
                 stop_when_certain: bool = False) -> None:
        self.commits = 0
        self.counted = 0
        self.cancelled = 0
        self.boundary: set[str] = set()
        self.certain = False
        self._decide = Decider(rules)
        self._keywords = tuple(note_keywords)
        self._stop = stop_when_certain
        self._bump = ReleaseType.NONE
        self._position = -1  # of the commit that gave the bump (the newest of the strongest)
        self._rule = _NO_RULE
        self._aside: list[tuple[int, ParsedCommit]] = []  # reverts and the commits they name
        self._named: set[str] = set()  # the hashes the reverts read so far name

    def feed(self, block: str) -> None:
        """Read one block of records."""
        if self.certain:
            self._boundary_only(block)
            return
        keywords, match, named = self._keywords, HEADER_PATTERN.match, self._named
        for record in block.split("\x00"):
            if not record:
                continue
            first = record.find("\x1f")
            if record[0] == "-":
                self.boundary.add(record[1:first])
                continue
            self.commits += 1
            start = record.find("\x1f", first + 1) + 1
            end = record.find("\n", start)
            header = record[start:end] if end >= 0 else record[start:]
            if "[" in record and skip_requested(record):
                continue
            if "\r" in record or record[start : start + 1] == "\n" \
                    or header.lstrip(" \t")[:6].lower() == "revert" \
                    or (end >= 0 and any(record.find(k, end) >= 0 for k in keywords)) \
                    or (named and record[1:first] in named):
                self._read_whole(record)
            elif (found := match(header)) is not None:
                scope = found["scope"] or None
                decision = self._decide.header(found["type"], scope.strip() if scope else None,
                                               found["subject"].rstrip(), found["bang"] is not None)
                self._count(decision.bump, decision.rule, record[1:first], header.strip())
            if self.certain:
                self._boundary_only(block)  # the boundary records come last
                return

    def finish(self) -> Tally:
        """Settle the reverts set aside; call once, after the last block."""
        kept, cancelled = cancel_reverts([commit for _position, commit in self._aside])
        self.cancelled = len(cancelled)
        positions = {id(commit): position for position, commit in self._aside}
        for commit in kept:
            decision = self._decide(commit)
            self.counted += 1
            position = positions[id(commit)]
            if decision.bump > self._bump or (decision.bump is self._bump is not ReleaseType.NONE
                                              and position < self._position):
                self._set_best(decision.bump, decision.rule, position, commit.sha, commit.header)
        return self

    @property
    def bump(self) -> ReleaseType:
        return self._bump

    @property
    def rule(self) -> str:
        return self._rule

    def _read_whole(self, record: str) -> None:
        commit = parse_commit(raw_commit(record), self._keywords)
        if isinstance(commit, Unparsed) or is_skipped(commit):
            return
        if commit.revert is not None or commit.sha in self._named:
            self._aside.append((self.commits, commit))
            if commit.revert is not None and commit.revert.sha:
                self._named.add(commit.revert.sha)
            return
        decision = self._decide(commit)
        self._count(decision.bump, decision.rule, commit.sha, commit.header)

    def _count(self, bump: ReleaseType, rule: str, sha: str, header: str) -> None:
        self.counted += 1
        if bump > self._bump:
            self._set_best(bump, rule, self.commits, sha, header)
            if bump is ReleaseType.MAJOR and self._stop and not self._aside:
                self.certain = True  # nothing set aside could come first

    def _set_best(self, bump: ReleaseType, rule: str, position: int, sha: str, header: str) -> None:
        self._bump, self._position = bump, position
        self._rule = f"{rule}, from {sha[:7]} {header!r}"

    def _boundary_only(self, block: str) -> None:
        at = 0 if block.startswith("-") else block.find("\x00-") + 1
        if at == 0 and not block.startswith("-"):
            return
        for record in block[at:].split("\x00"):
            if record.startswith("-"):
                self.boundary.add(record[1 : record.find("\x1f")])
