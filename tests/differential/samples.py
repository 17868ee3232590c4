"""Three hand-written histories whose semantic-release notes are kept as golden files.

tests/node/sample-notes/<name>.md holds the exact notes that semantic-release 24 with the
conventionalcommits preset writes for the history, and <name>.txt its `git log`. The notes link to
a GitHub-style repository URL (the driver maps that URL onto a local bare repository) and the clock
of the run is pinned to NOW, the date in the notes heading.
"""

from __future__ import annotations

from pathlib import Path

from .histories import Commit, HistorySpec, Revert, Step, Tag, make_options

GOLDEN_DIR = Path(__file__).resolve().parent.parent / "node" / "sample-notes"
REPOSITORY_URL = "https://github.com/acme/widget.git"
NOW = "2024-06-01T12:00:00Z"


def _options() -> str:
    return make_options(["main"], repository_url=REPOSITORY_URL)


def _angular() -> str:
    return make_options(["main"], repository_url=REPOSITORY_URL, preset="angular")


FIRST_RELEASE: tuple[Step, ...] = (
    Commit("chore: initial project layout"),
    Commit("feat: parse Conventional Commits headers"),
    Commit("feat(cli): add the --dry-run flag"),
    Commit("fix: accept a commit without a body"),
    Commit("docs: describe the configuration file"),
)

MINOR_RELEASE: tuple[Step, ...] = (
    Commit("feat: read tags from the repository"),
    Commit("fix: ignore tags that are not versions"),  # 1: reverted after the release
    Tag("v1.2.3"),
    Commit("feat(api): add pagination to list endpoints (#12)"),
    Commit("fix(parser): keep trailing newlines in bodies\n\n"
           "The parser dropped the last newline of a body.\n\ncloses #7"),
    Commit("perf: cache compiled header patterns"),
    Commit("docs: explain the retry settings"),
    Commit("feat(cli): support proxy settings\n\n"
           "Reads HTTPS_PROXY and NO_PROXY.\n\nRefs: #15\nReviewed-by: Ada <ada@example.invalid>"),
    Commit("fix: handle network timeouts (#14)"),
    Commit("chore(deps): bump semver to 3.0.2"),
    Revert(1, "git"),
    Commit("fix(*): time out every request after 30 s"),  # the writer shows no `*` scope
    Revert(8, "github"),  # GitHub's Revert button, squash-merged: cancels nothing
    Revert(3, "short"),  # a short hash: cancels nothing
)

MAJOR_RELEASE: tuple[Step, ...] = (
    Commit("feat: first public API"),
    Tag("v2.4.1"),
    Commit("feat(config)!: drop the legacy .widgetrc format"),
    Commit("fix(api): return 404 for unknown tags\n\n"
           "BREAKING CHANGE: clients must handle a 404 answer instead of an empty list.\n"
           "Closes #31"),
    Commit("feat: add --json output (#33)"),
    Commit("fix: typo in the help text"),  # 5: reverted in the same release
    Commit("perf(core): read the git log once"),
    Revert(5, "type"),
    Commit("refactor: split the cli module"),
    Commit("refactor(core)!: rename Config to Settings"),
    Commit("docs: move the user guide\n\nBREAKING-CHANGE: the guide lives at /docs/guide now"),
    Commit("Update the runtime\n\nBREAKING CHANGE: node 20 is required"),  # no type: no heading
)

# Breaking changes without `!`, which the angular parser does not read (README difference 8).
ANGULAR_MAJOR_RELEASE: tuple[Step, ...] = (
    Commit("feat: first public API"),
    Tag("v2.4.1"),
    Commit("fix(api): return 404 for unknown tags\n\n"
           "BREAKING CHANGE: clients must handle a 404 answer instead of an empty list.\n"
           "Closes #31"),
    Commit("feat: add --json output (#33)"),
    Commit("fix: typo in the help text"),  # 4: reverted in the same release
    Commit("perf(core): read the git log once"),
    Revert(4, "type"),
    Commit("refactor(core): rename Config to Settings\n\nBREAKING CHANGE: Config is Settings now"),
    Commit("docs: move the user guide\n\nBREAKING CHANGE: the guide lives at /docs/guide now"),
    Commit("style: reformat"),
)

SCOPED_TYPES = {"presetConfig": {"types": [
    {"type": "feat", "section": "Features"},
    {"type": "fix", "scope": "deps", "section": "Dependencies"},
    {"type": "fix", "section": "Bug Fixes"},
    {"type": "chore", "scope": "deps", "section": "Dependencies"},
    {"type": "docs", "scope": "api", "section": "API documentation"},
]}}

SAMPLES: tuple[HistorySpec, ...] = (
    HistorySpec("first-release", "main", _options(), FIRST_RELEASE),
    HistorySpec("minor-release", "main", _options(), MINOR_RELEASE),
    HistorySpec("major-release", "main", _options(), MAJOR_RELEASE),
    HistorySpec("scoped-types", "main", make_options(["main"], repository_url=REPOSITORY_URL,
                                                     notes=SCOPED_TYPES), MINOR_RELEASE),
    HistorySpec("angular-first-release", "main", _angular(), FIRST_RELEASE),
    HistorySpec("angular-minor-release", "main", _angular(), MINOR_RELEASE),
    HistorySpec("angular-major-release", "main", _angular(), ANGULAR_MAJOR_RELEASE),
    HistorySpec("angular-patch", "main", _angular(),
                (*MINOR_RELEASE[:3], Commit("fix: only a fix"), Commit("fix(*): every scope"),
                 Commit("docs: not in the notes"))),
)
