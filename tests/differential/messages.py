"""Commit messages for generated histories, drawn from a seeded random generator.

`MessageMaker.commit()` returns `(message, canonical, deviation)`. `deviation` names a way in which
semantic-release reads the message differently from the Conventional Commits 1.0 spec (see
`DEVIATIONS`), and `canonical` is then a message that semantic-release reads the way the spec reads
`message`; both are None for a message that both read alike.
"""

from __future__ import annotations

import random

# The message kinds drawn with their own weight: every way a generated message may make
# semantic-release part from the spec (the differential test documents each one in
# tests/differential/test_vs_semantic_release.py: DIFFERENCES), and, in AGREED, kinds that relbot
# now reads as semantic-release does (kept in the draw so the seeded histories stay the same).
DEVIATIONS = (
    "type-case",
    "breaking-in-body",
    "breaking-line-in-body",
    "breaking-token-case",
    "breaking-without-colon",
    "dash-line-hides-footer",
    "revert-refs-footer",
)

TYPES = (
    ("feat", 14), ("fix", 18), ("perf", 4), ("docs", 12), ("chore", 15), ("refactor", 8),
    ("style", 3), ("test", 6), ("build", 3), ("ci", 3),
)
SCOPES = ("api", "cli", "core", "parser", "deps", "ui", "config", "release-notes", "api/v2")
VERBS = ("add", "handle", "support", "drop", "rename", "speed up", "document", "guard", "retry")
NOUNS = (
    "upload retries", "empty config files", "the --dry-run flag", "tag parsing", "proxy settings",
    "unicode branch names", "the cache layer", "long commit bodies", "windows paths", "timeouts",
)
SENTENCES = (
    "The previous behaviour surprised users on slow networks.",
    "This keeps the public interface as it was.",
    "See the discussion in the design notes for the trade-offs.",
    "Callers that relied on the old default must now pass it explicitly.",
    "Tested on Linux and macOS.",
    "The option is read once at start-up.",
)
NON_CONVENTIONAL = (
    "Update README.md", "WIP", "Fix the flaky upload test", "initial commit",
    "feat add a thing without the colon", "fix - typo in docs", "feat (api): space before scope",
    "feat:no space after the colon", "Merge branch 'main' into develop", "ReleaseType version",
)
OTHER_FOOTERS = (
    "Refs: #{n}", "Reviewed-by: Ada Lovelace <ada@example.invalid>", "Closes #{n}",
    "Co-authored-by: Grace Hopper <grace@example.invalid>", "Acked-by: Linus <l@example.invalid>",
)
DEVIATION_WEIGHTS = (1.5, 0.6, 0.6, 0.6, 0.5, 0.6, 0.0, 95.6)  # per commit; the last is "none"
KEYWORD = "BREAKING CHANGE"
AGREED = ("breaking-line-in-body",)
NEUTRAL = "Heads-up"  # replaces a breaking-change keyword that the spec does not read as one
BODY_BREAKING_LINES = ("  {}: {}", "* {}: {}", "| {}: {}", "\t{}: {}")


def bump_version(version: str, level: str) -> str:
    major, minor, patch = (int(part) for part in version.split("-", maxsplit=1)[0].split("."))
    if level == "major":
        return f"{major + 1}.0.0"
    if level == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


class MessageMaker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def issue(self) -> int:
        return self.rng.randint(1, 400)

    def subject(self) -> str:
        text = f"{self.rng.choice(VERBS)} {self.rng.choice(NOUNS)}"
        roll = self.rng.random()
        if roll < 0.25:
            text += f" (#{self.issue()})"
        elif roll < 0.28:
            text += " [skip release]"
        elif roll < 0.29:
            text += " [release skip]"
        return text

    def paragraph(self) -> str:
        roll = self.rng.random()
        if roll < 0.2:
            return "\n".join(f"- {self.rng.choice(SENTENCES)}" for _ in range(self.rng.randint(2, 3)))
        if roll < 0.25:
            return f"closes #{self.issue()}"
        sentences = self.rng.sample(SENTENCES, self.rng.randint(1, 3))
        return "\n".join(sentences)

    def merge_message(self, branch: str) -> str:
        if self.rng.random() < 0.5:
            return f"Merge branch '{branch}'"
        kind, rest = self.header_parts()
        return f"Merge pull request #{self.issue()} from acme/{branch}\n\n{kind}{rest}"

    def header_parts(self) -> tuple[str, str]:
        """A conventional header split after its type: ("feat", "(api)!: add x")."""
        kind = self.rng.choices([t for t, _ in TYPES], weights=[w for _, w in TYPES])[0]
        scope = f"({self.rng.choice(SCOPES)})" if self.rng.random() < 0.4 else ""
        bang = "!" if self.rng.random() < 0.025 else ""
        return kind, f"{scope}{bang}: {self.subject()}"

    def commit(self) -> tuple[str, str | None, str | None]:
        roll = self.rng.random()
        if roll < 0.07:
            return self.rng.choice(NON_CONVENTIONAL), None, None
        if roll < 0.08:
            kind, rest = self.header_parts()
            return f"revert: {kind}{rest}", None, None  # a revert type naming no commit
        if roll < 0.09:  # the spec's recommended revert form: the type plus a `Refs:` footer
            kind, rest = self.header_parts()
            sha = f"{self.rng.getrandbits(28):07x}"
            return (f"revert: {kind}{rest}\n\nRefs: {sha}",
                    f"revert: {kind}{rest}\n\nThis reverts commit {sha}.", "revert-refs-footer")
        deviation = self.rng.choices((*DEVIATIONS, None), weights=DEVIATION_WEIGHTS)[0]
        kind, rest = self.header_parts()
        header = canonical_header = f"{kind}{rest}"
        if deviation == "type-case":
            header = (kind.upper() if self.rng.random() < 0.4 else kind.capitalize()) + rest
        count = self.rng.choices((0, 1, 2, 3), (55, 25, 12, 8))[0]
        body = [self.paragraph() for _ in range(count)]
        if self.rng.random() < 0.03:
            body.append(self.quoted_breaking())
        canonical_body = list(body)
        footers = self.footer_lines()
        canonical_footers = list(footers)
        text = self.breaking_text()
        if deviation == "breaking-in-body":
            line = self.rng.choice(BODY_BREAKING_LINES)
            intro = "Notes from the migration guide:"
            plain = self.rng.choice(SENTENCES)
            body += [f"{intro}\n{line.format(KEYWORD, text)}", plain]
            canonical_body += [f"{intro}\n{line.format(NEUTRAL, text)}", plain]
        elif deviation == "breaking-line-in-body":  # as projects write it; both read it as breaking
            plain = self.rng.choice(SENTENCES)
            written = (f"BREAKING CHANGE: {text}",  # then an explanation paragraph
                       f"BREAKING CHANGE:\n{text}",  # git strips the space of `BREAKING CHANGE: ⏎`
                       f"* {kind}: {text.splitlines()[0]}\n\nBREAKING CHANGE: {text}\n\n---------\n\n"
                       "Co-authored-by: Ada <ada@example.invalid>")[len(text) % 3]  # GitHub's squash body
            body += [written, plain]
            canonical_body += [written, plain]
        elif deviation == "dash-line-hides-footer":
            plain = self.rng.choice(SENTENCES)
            body.append(f"{plain}\n---\nMore details below the line.")
            canonical_body.append(f"{plain}\n___\nMore details below the line.")
            footers.append(f"BREAKING CHANGE: {text}")
            canonical_footers.append(f"BREAKING CHANGE: {text}")
        elif deviation in ("breaking-token-case", "breaking-without-colon"):
            token = self.rng.choice(("breaking change:", "Breaking Change:", "Breaking-Change:"))
            footers.append(f"{token} {text}" if deviation == "breaking-token-case"
                           else f"BREAKING CHANGE {text}")
            canonical_footers.append(f"{NEUTRAL}: {text}")
        elif self.rng.random() < 0.035:
            keyword = "BREAKING CHANGE" if self.rng.random() < 0.7 else "BREAKING-CHANGE"
            footers.append(f"{keyword}: {text}")
            canonical_footers.append(f"{keyword}: {text}")
        message = _join(header, body, footers)
        if deviation is None or deviation in AGREED:
            return message, None, None
        return message, _join(canonical_header, canonical_body, canonical_footers), deviation

    def footer_lines(self) -> list[str]:
        if self.rng.random() >= 0.25:
            return []
        count = self.rng.randint(1, 2)
        return [f.format(n=self.issue()) for f in self.rng.sample(OTHER_FOOTERS, count)]

    def quoted_breaking(self) -> str:
        """A breaking change quoted from elsewhere: neither the spec nor semantic-release counts it."""
        text = "BREAKING CHANGE: the upstream API drops the v1 endpoints"
        return self.rng.choice((f"> {text}", f"`{text}`", f'"{text}"'))

    def breaking_text(self) -> str:
        change = self.rng.choice(("is removed", "changed", "now needs a token"))
        text = f"{self.rng.choice(NOUNS)} {change}"
        if self.rng.random() < 0.2:
            text += f"\n{self.rng.choice(SENTENCES)}"
        return text


def _join(header: str, body: list[str], footers: list[str]) -> str:
    return "\n\n".join([header, *body, *(["\n".join(footers)] if footers else [])])
