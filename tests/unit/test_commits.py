"""Conventional Commits 1.0 parsing: headers, bodies, footers, breaking notes, reverts, references."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relbot.model import Footer, RawCommit, Reference, RevertRef
from relbot.release.commits import (
    ParsedCommit,
    Unparsed,
    find_references,
    parse_all,
    parse_commit,
    split_body_and_footers,
)

SHA_A = "1234567890abcdef1234567890abcdef12345678"


def raw(message: str, parents: tuple[str, ...] = ()) -> RawCommit:
    return RawCommit(hashlib.sha1(message.encode()).hexdigest(), message, parents)  # noqa: S324


def parsed(message: str, parents: tuple[str, ...] = ()) -> ParsedCommit:
    result = parse_commit(raw(message, parents))
    assert isinstance(result, ParsedCommit), result
    return result


# --- header -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "ctype", "scope", "subject", "breaking"),
    [
        pytest.param("feat: add x", "feat", None, "add x", False, id="type-subject"),
        pytest.param("fix(parser): handle y", "fix", "parser", "handle y", False, id="scope"),
        pytest.param("feat(api)!: drop v1", "feat", "api", "drop v1", True, id="scope-bang"),
        pytest.param("feat!: drop node 14", "feat", None, "drop node 14", True, id="bang"),
        pytest.param("FEAT: shout", "FEAT", None, "shout", False, id="upper-type-as-written"),
        pytest.param("Fix(Core): x", "Fix", "Core", "x", False, id="mixed-case-type-and-scope"),
        pytest.param("feat(): empty scope", "feat", None, "empty scope", False, id="empty-scope"),
        pytest.param("build_sys(ci-x): y", "build_sys", "ci-x", "y", False, id="underscore-type"),
        pytest.param("feat: trailing   ", "feat", None, "trailing", False, id="trailing-space-trimmed"),
        pytest.param("feat: x: y", "feat", None, "x: y", False, id="colon-in-subject"),
        pytest.param("feat: añadir ✨ soporte", "feat", None, "añadir ✨ soporte", False,
                     id="unicode-subject"),
        pytest.param("feat(ü): x", "feat", "ü", "x", False, id="unicode-scope"),
        pytest.param(
            "chore(deps-dev): bump @types/node from 1 to 2", "chore", "deps-dev",
            "bump @types/node from 1 to 2", False, id="dependabot-header",
        ),
        pytest.param("docs(a b): x", "docs", "a b", "x", False, id="space-in-scope"),
    ],
)
def test_header(header: str, ctype: str, scope: str | None, subject: str, breaking: bool) -> None:
    commit = parsed(header)
    assert (commit.type, commit.scope, commit.subject, commit.breaking) == (ctype, scope, subject, breaking)
    assert commit.header == header.strip()
    assert commit.body == ""
    assert commit.footers == ()


def test_sha_and_message_are_kept() -> None:
    commit = parse_commit(RawCommit(SHA_A, "fix: y\n\nbody\n", ("p1",)))
    assert isinstance(commit, ParsedCommit)
    assert commit.sha == SHA_A
    assert commit.short_sha == "1234567"
    assert commit.message == "fix: y\n\nbody"
    assert commit.is_merge is False


# --- non-conforming messages --------------------------------------------------------------------

LONG_LINE = "update " * 20_000


@pytest.mark.parametrize(
    "message",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="spaces"),
        pytest.param("\n\n", id="newlines"),
        pytest.param("\t \r\n \n", id="whitespace-crlf"),
        pytest.param("feat:", id="no-description"),
        pytest.param("feat: ", id="blank-description"),
        pytest.param("feat:   \n\nbody", id="blank-description-with-body"),
        pytest.param("feat :x", id="space-before-colon"),
        pytest.param("feat:x", id="no-space-after-colon"),
        pytest.param("feat", id="type-only"),
        pytest.param(": no type", id="no-type"),
        pytest.param("(scope): x", id="scope-without-type"),
        pytest.param("feat(scope: x", id="unclosed-scope"),
        pytest.param("feat(a)(b): x", id="two-scopes"),
        pytest.param("feat!!: x", id="double-bang"),
        pytest.param("Update README.md", id="prose"),
        pytest.param("✨ feat: emoji first", id="gitmoji"),
        pytest.param("féat: x", id="unicode-type"),
        pytest.param(LONG_LINE, id="very-long-line"),
        pytest.param("\x00\x01feat: x", id="control-chars"),
    ],
)
def test_non_conforming_messages_are_unparsed(message: str) -> None:
    result = parse_commit(RawCommit(SHA_A, message))
    assert isinstance(result, Unparsed)
    assert result.sha == SHA_A
    assert result.message == message
    assert result.reason


def test_empty_message_reason() -> None:
    result = parse_commit(RawCommit(SHA_A, " \n "))
    assert isinstance(result, Unparsed)
    assert result.reason == "empty message"


def test_crlf_line_endings() -> None:
    commit = parsed(
        "feat(api): add x\r\n\r\nSome body\r\nsecond line\r\n\r\nBREAKING CHANGE: y\r\nRefs: #4\r\n"
    )
    assert commit.subject == "add x"
    assert commit.scope == "api"
    assert commit.body == "Some body\nsecond line"
    assert commit.footers == (Footer("BREAKING CHANGE", "y"), Footer("Refs", "#4"))
    assert commit.breaking_notes == ("y",)
    assert "\r" not in commit.message


def test_very_long_message() -> None:
    subject = "x" * 100_000
    body = "\n".join(f"line {i}" for i in range(10_000))
    commit = parsed(f"fix: {subject}\n\n{body}\n\nBREAKING CHANGE: long")
    assert commit.subject == subject
    assert commit.body == body
    assert commit.breaking_notes == ("long",)


# --- body and footers ---------------------------------------------------------------------------

SPEC_EXAMPLE = """fix: prevent racing of requests

Introduce a request id and a reference to latest request. Dismiss
incoming responses other than from latest request.

Remove timeouts which were used to mitigate the racing issue but are
obsolete now.

Reviewed-by: Z
Refs: #123
"""


@pytest.mark.parametrize(
    ("message", "body", "footers"),
    [
        pytest.param(
            SPEC_EXAMPLE,
            "Introduce a request id and a reference to latest request. Dismiss\n"
            "incoming responses other than from latest request.\n\n"
            "Remove timeouts which were used to mitigate the racing issue but are\nobsolete now.",
            (Footer("Reviewed-by", "Z"), Footer("Refs", "#123")),
            id="spec-example",
        ),
        pytest.param("fix: a\n\nCloses #7", "", (Footer("Closes", "7"),), id="hash-separator"),
        pytest.param(
            "fix: a\n\nbody\n\nAcked-by: X\n\nSigned-off-by: Y <y@example.com>",
            "body",
            (Footer("Acked-by", "X"), Footer("Signed-off-by", "Y <y@example.com>")),
            id="footers-in-two-paragraphs",
        ),
        pytest.param(
            "feat: a\n\nBREAKING CHANGE: line one\n  line two\nline three\nRefs: #1",
            "",
            (Footer("BREAKING CHANGE", "line one\n  line two\nline three"), Footer("Refs", "#1")),
            id="multi-line-value",
        ),
        pytest.param(
            "feat: a\n\nBREAKING-CHANGE: hyphen form", "", (Footer("BREAKING-CHANGE", "hyphen form"),),
            id="breaking-hyphen",
        ),
        pytest.param(
            "docs: a\n\nSee-also: http://example.com:8080/x", "",
            (Footer("See-also", "http://example.com:8080/x"),), id="colon-in-value",
        ),
        pytest.param("feat: a\n\njust a body\nwith two lines", "just a body\nwith two lines", (),
                     id="body-only"),
        pytest.param("feat: a\n\nReviewed by: Z", "Reviewed by: Z", (), id="token-with-space-is-body"),
        pytest.param(
            "feat: a\n\nReviewed-by: Z\n\nand then some prose", "Reviewed-by: Z\n\nand then some prose", (),
            id="footer-like-followed-by-prose-is-body",
        ),
        pytest.param("feat: a\n\n\n\nbody\n\n\n", "body", (), id="extra-blank-lines"),
    ],
)
def test_body_and_footers(message: str, body: str, footers: tuple[Footer, ...]) -> None:
    commit = parsed(message)
    assert commit.body == body
    assert commit.footers == footers


def test_split_body_and_footers_directly() -> None:
    expected = ("body", (Footer("Token", "v\ncontinued"),))
    assert split_body_and_footers("body\n\nToken: v\ncontinued") == expected
    assert split_body_and_footers("") == ("", ())


# --- breaking changes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "notes"),
    [
        pytest.param("feat!: drop node 14", ("drop node 14",), id="bang-subject"),
        pytest.param("feat(api)!: drop v1", ("drop v1",), id="bang-scope-subject"),
        pytest.param("feat: x\n\nBREAKING CHANGE: config moved", ("config moved",), id="footer"),
        pytest.param("feat: x\n\nBREAKING-CHANGE: config moved", ("config moved",), id="footer-hyphen"),
        pytest.param("feat!: x\n\nBREAKING CHANGE: details win", ("details win",), id="bang-and-footer"),
        pytest.param("chore: x\n\nBREAKING CHANGE: any type", ("any type",), id="footer-on-chore"),
        pytest.param("feat: x\n\nBREAKING CHANGE: a\nb", ("a\nb",), id="multi-line-note"),
        pytest.param(
            "feat: x\n\nBREAKING CHANGE: a\nBREAKING-CHANGE: b", ("a", "b"), id="two-notes",
        ),
        pytest.param(
            "feat: x\n\nbody\n\nRefs: #1\nBREAKING CHANGE: after refs", ("after refs",),
            id="note-after-other-footer",
        ),
        pytest.param(
            "feat: x\n\nBREAKING CHANGE: removes y\n\nSigned-off-by: A <a@example.com>", ("removes y",),
            id="note-paragraph-before-signoff",
        ),
        pytest.param("feat: x\n\nbreaking change: lower case", (), id="lowercase-is-not-a-note"),
        pytest.param("feat: x\n\nBreaking-Change: mixed case", (), id="mixed-case-is-not-a-note"),
        pytest.param("feat: x\n\nBREAKING CHANGE:no space", ("no space",), id="no-space-after-colon"),
    ],
)
def test_breaking_notes(message: str, notes: tuple[str, ...]) -> None:
    commit = parsed(message)
    assert commit.breaking_notes == notes
    assert commit.breaking is bool(notes)


DEPENDABOT = """chore(deps): bump lodash from 4.17.20 to 5.0.0

Bumps [lodash](https://github.com/lodash/lodash) from 4.17.20 to 5.0.0.
- [Release notes](https://github.com/lodash/lodash/releases)
- [Commits](https://github.com/lodash/lodash/compare/4.17.20...5.0.0)

Release notes:

    BREAKING CHANGE: the API changed

---
updated-dependencies:
- dependency-name: lodash
  dependency-type: direct:production
  update-type: version-update:semver-major
...

Signed-off-by: dependabot[bot] <support@github.com>
"""

INDENTED_BEFORE_FOOTER = """chore(deps): bump foo from 1.0.0 to 2.0.0

Bumps foo from 1.0.0 to 2.0.0.

  BREAKING CHANGE: foo needs node 18

Signed-off-by: dependabot[bot] <support@github.com>
"""

RENOVATE_QUOTED = """chore(deps): update dependency bar to v3

This PR contains the following updates:

| Package | Change |
|---|---|
| bar | `2.0.0` -> `3.0.0` |

### Release Notes

> BREAKING CHANGE: bar needs node 18
> and more

Signed-off-by: renovate[bot] <bot@renovateapp.com>
"""

SQUASH_BULLETS = """feat: squash of a pull request (#40)

* feat!: remove old flag

* BREAKING CHANGE: flags renamed
"""

HTML_BLOCKQUOTE = """chore(deps): bump baz from 1 to 2

<details>
<summary>Release notes</summary>
<blockquote>
<h2>2.0.0</h2>
BREAKING CHANGE: baz drops callbacks
</blockquote>
</details>

Signed-off-by: dependabot[bot] <support@github.com>
"""

HTML_BLOCKQUOTE_PARAGRAPHS = """chore(deps): bump baz from 1 to 2

<blockquote>

BREAKING CHANGE: baz drops callbacks

</blockquote>
"""

MIDDLE_PARAGRAPH = """feat: x

BREAKING CHANGE: this was considered

but in the end we kept compatibility, so nothing breaks.
"""


@pytest.mark.parametrize(
    "message",
    [
        pytest.param(DEPENDABOT, id="dependabot-indented"),
        pytest.param(INDENTED_BEFORE_FOOTER, id="indented-paragraph-before-footer"),
        pytest.param(RENOVATE_QUOTED, id="renovate-quoted"),
        pytest.param(SQUASH_BULLETS, id="bullets"),
        pytest.param(HTML_BLOCKQUOTE, id="html-blockquote"),
        pytest.param(HTML_BLOCKQUOTE_PARAGRAPHS, id="html-blockquote-own-paragraph"),
    ],
)
def test_pasted_breaking_changes_are_not_this_commits(message: str) -> None:
    commit = parsed(message)
    assert commit.breaking_notes == ()
    assert not commit.breaking
    assert "BREAKING CHANGE" in commit.body or "BREAKING CHANGE" in "".join(f.value for f in commit.footers)


GREENKEEPER = """chore(package): update mocha to version 8.0.0

## Version **8.0.0** of **mocha** was just published.

<details>
<summary>Release Notes for v8.0.0</summary>

BREAKING CHANGE: drops Node.js 8
### BREAKING CHANGES
* `--compilers` is gone
</details>
"""

RENOVATE_TABLE = """fix(deps): update dependency qux to v4

| Package | Change |
|---|---|
| qux | 3.1.0 -> 4.0.0 |

### Release Notes

> BREAKING CHANGE: qux needs Node 18
>
| BREAKING CHANGE: from a table cell
#### BREAKING CHANGES
breaking change: lower case in prose
BREAKING CHANGE without a colon
"""


@pytest.mark.parametrize("message", [
    pytest.param(GREENKEEPER, id="greenkeeper-details"),
    pytest.param(RENOVATE_TABLE, id="renovate-table-quote-heading"),
])
def test_bot_bodies_stay_minor_or_patch(message: str) -> None:
    commit = parsed(message)
    assert not commit.breaking, commit.breaking_notes


@pytest.mark.parametrize(("message", "notes"), [
    pytest.param(MIDDLE_PARAGRAPH, ("this was considered",), id="then-an-explanation-paragraph"),
    pytest.param("feat: x\n\nBREAKING CHANGE: the v1 API is gone\n\n```js\nclient.v2()\n```\n\nCloses #12",
                 ("the v1 API is gone",), id="then-code-and-closes"),
    pytest.param("feat: x\n\nBREAKING CHANGE:\nthe config file moved\nto .config/", (
        "the config file moved\nto .config/",), id="description-on-the-next-line"),
    pytest.param("feat: squash (#40)\n\n* feat: a\n\nBREAKING CHANGE: b is gone\n\n* fix: c\n\n"
                 "---------\n\nCo-authored-by: Ada <ada@example.invalid>", ("b is gone",),
                 id="github-squash-body"),
    pytest.param("feat: x\n\nBREAKING-CHANGE: hyphenated\nsecond line\nCloses: #3",
                 ("hyphenated\nsecond line",), id="hyphen-token-then-a-footer"),
])
def test_breaking_changes_as_projects_write_them(message: str, notes: tuple[str, ...]) -> None:
    assert parsed(message).breaking_notes == notes


def test_a_breaking_footer_under_a_header_that_is_not_conventional() -> None:
    commit = parse_commit(RawCommit("a" * 40, "WIP\r\n\r\nBREAKING CHANGE: x\r\n"))
    assert isinstance(commit, ParsedCommit)
    assert commit.type is None
    assert commit.breaking_notes == ("x",)


def test_dependabot_signoff_is_still_a_footer() -> None:
    commit = parsed(DEPENDABOT)
    assert commit.footers == (Footer("Signed-off-by", "dependabot[bot] <support@github.com>"),)
    assert commit.type == "chore"
    assert commit.scope == "deps"


@pytest.mark.parametrize(
    ("keywords", "message", "notes"),
    [
        pytest.param(("BREAKING CHANGES",), "feat: x\n\nBREAKING CHANGES: y", ("y",), id="custom-keyword"),
        pytest.param(("BREAKING CHANGES",), "feat: x\n\nBREAKING CHANGE: y", (),
                     id="custom-replaces-default"),
        pytest.param(
            ("BREAKING CHANGE", "BREAKING CHANGES"), "feat: x\n\nBREAKING CHANGES: y", ("y",),
            id="longest-keyword-first",
        ),
        pytest.param(("BREAKING CHANGES",), "feat!: x", ("x",), id="bang-with-custom"),
        pytest.param(("Breaking",), "feat: x\n\nBreaking: y\nmore", ("y\nmore",), id="single-word"),
        pytest.param((), "feat: x\n\nBREAKING CHANGE: y", (), id="no-keywords"),
        pytest.param(
            ("BREAKING CHANGE", "BREAKING-CHANGE"), "feat: x\n\nBREAKING CHANGES: y", (),
            id="default-does-not-take-plural",
        ),
    ],
)
def test_custom_note_keywords(keywords: tuple[str, ...], message: str, notes: tuple[str, ...]) -> None:
    result = parse_commit(raw(message), keywords)
    assert isinstance(result, ParsedCommit)
    assert result.breaking_notes == notes


# --- merges -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "parents", "expected_type", "is_merge"),
    [
        pytest.param("Merge pull request #3 from acme/feat-x\n\nfeat: add x", ("a", "b"), None, True,
                     id="github-merge-unparsed"),
        pytest.param("Merge branch 'main' into dev", ("a", "b"), None, True, id="branch-merge-unparsed"),
        pytest.param("feat: add x (#3)", ("a", "b"), "feat", True, id="merge-with-header"),
        pytest.param("feat: add x", ("a",), "feat", False, id="single-parent"),
        pytest.param("feat: add x", (), "feat", False, id="root-commit"),
        pytest.param("Merge branch 'x'", ("a",), None, False, id="merge-text-single-parent"),
    ],
)
def test_merge_commits(
    message: str, parents: tuple[str, ...], expected_type: str | None, is_merge: bool
) -> None:
    result = parse_commit(raw(message, parents))
    if expected_type is None:
        assert isinstance(result, Unparsed)
        assert ("merge" in result.reason) is is_merge
    else:
        assert isinstance(result, ParsedCommit)
        assert result.type == expected_type
        assert result.is_merge is is_merge


# --- reverts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "ctype", "revert"),
    [
        pytest.param(
            f"revert: feat: add x\n\nThis reverts commit {SHA_A}.", "revert", RevertRef("feat: add x", SHA_A),
            id="revert-type",
        ),
        pytest.param(
            'revert: "feat: add x"\n\nThis reverts commit ABCDEF1.', "revert",
            RevertRef("feat: add x", "ABCDEF1"),  # as written: semantic-release compares it exactly
            id="revert-type-quoted-upper-sha",
        ),
        pytest.param(
            f'Revert "feat: add x"\n\nThis reverts commit {SHA_A}.', None, RevertRef("feat: add x", SHA_A),
            id="git-form",
        ),
        pytest.param(
            "revert: feat: add x\n\nRefs: 1234567", "revert", RevertRef("feat: add x", "1234567"),
            id="refs-footer",
        ),
        pytest.param(
            "revert: feat: add x\n\nRefs: #12, 89abcde", "revert", RevertRef("feat: add x", "89abcde"),
            id="refs-footer-mixed",
        ),
        pytest.param("revert: feat: add x", "revert", None, id="no-sha-is-a-plain-revert-type"),
        pytest.param(  # GitHub's Revert button, squash-merged: the PR suffix stays in the header
            f'Revert "feat: add x (#12)" (#13)\n\nThis reverts commit {SHA_A}.', None,
            RevertRef('feat: add x (#12)" (#13)', SHA_A), id="github-revert-button-squashed",
        ),
        pytest.param(
            f' Revert "feat: add x"\n\nThis reverts commit {SHA_A}.', None,
            RevertRef("feat: add x", SHA_A), id="git-form-leading-space",
        ),
        pytest.param(  # another line before git's sentence: semantic-release's pattern spans it
            f'Revert "feat: add x"\n\nIt broke the build.\nThis reverts commit {SHA_A}.', None,
            RevertRef('feat: add x"\n\nIt broke the build.', SHA_A), id="git-form-with-a-reason-first",
        ),

        pytest.param(
            'Revert "Revert "feat: add x""\n\nThis reverts commit abcdef1.', None,
            RevertRef('Revert "feat: add x"', "abcdef1"), id="revert-of-revert",
        ),
        pytest.param(  # semantic-release reads no revert in a scoped header; projects release so
            "Revert(api): fix(api): y\n\nThis reverts commit abcdef1.", "Revert", None,
            id="revert-type-any-case-with-scope",
        ),
        pytest.param("feat: revert button", "feat", None, id="feat-mentioning-revert"),
        pytest.param('fix: Revert "x"', "fix", None, id="fix-quoting-revert"),
    ],
)
def test_reverts(message: str, ctype: str | None, revert: RevertRef | None) -> None:
    commit = parsed(message)
    assert commit.type == ctype
    assert commit.revert == revert
    assert not commit.breaking


def test_git_revert_naming_no_commit_is_not_a_conventional_commit() -> None:
    result = parse_commit(raw('Revert "feat: add x" (#13)\n\nIt broke the build.'))
    assert isinstance(result, Unparsed)


def test_git_revert_without_a_commit_reference_is_not_conventional() -> None:
    assert isinstance(parse_commit(RawCommit(SHA_A, 'Revert "feat: add x"')), Unparsed)


def test_git_revert_header_is_kept_whole() -> None:
    commit = parsed(f'Revert "feat!: drop x"\n\nThis reverts commit {SHA_A}.')
    assert commit.header == 'Revert "feat!: drop x"'
    assert commit.subject == 'Revert "feat!: drop x"'
    assert commit.scope is None
    assert not commit.breaking


# --- references ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "references"),
    [
        pytest.param("feat: x (#12)", (Reference("12"),), id="header"),
        pytest.param("fix: y\n\ncloses #7", (Reference("7", "closes"),), id="closes-in-body"),
        pytest.param("fix: y\n\nFixes acme/widget#3", (Reference("3", "fixes", "acme/widget"),),
                     id="cross-repo"),
        pytest.param("fix: y\n\nsee the discussion in #5 for context", (Reference("5"),),
                     id="plain-hash-in-body"),
        pytest.param("fix: y\n\n> closes #9", (), id="quoted"),
        pytest.param("fix: y\n\n  > Fixes #9\n\nresolves #10", (Reference("10", "resolves"),),
                     id="indented-quote-skipped"),
        pytest.param("fix: y\n\nResolved: #4", (Reference("4", "resolved"),), id="action-with-colon"),
        pytest.param("fix: y\n\nCLOSES #7", (Reference("7", "closes"),), id="action-lowercased"),
        pytest.param(
            "fix: y (#1)\n\nCloses #2\nfixes #3",
            (Reference("1"), Reference("2", "closes"), Reference("3", "fixes")),
            id="several",
        ),
        pytest.param("feat: port acme/widget#8", (Reference("8", None, "acme/widget"),),
                     id="header-cross-repo"),
        pytest.param("fix: y\n\ncloses #7\ncloses #7", (Reference("7", "closes"),), id="deduplicated"),
        pytest.param("fix: y\n\nencloses #7", (Reference("7"),), id="action-must-be-a-word"),
    ],
)
def test_references(message: str, references: tuple[Reference, ...]) -> None:
    assert parsed(message).references == references
    assert find_references(message.strip("\n")) == references


# --- all and properties -------------------------------------------------------------------------


def test_parse_all_keeps_order_and_kinds() -> None:
    raws = [raw("feat: a"), raw("nonsense"), raw("fix: b")]
    results = parse_all(raws)
    assert [type(r) for r in results] == [ParsedCommit, Unparsed, ParsedCommit]
    assert [r.sha for r in results] == [r.sha for r in raws]


FRAGMENTS = st.sampled_from([
    "feat", "fix", "(", ")", "!", ":", " ", "\n", "\r\n", "\n\n", "#", "BREAKING CHANGE", "BREAKING-CHANGE",
    ": ", " #", "Revert \"", "\"", "revert: ", "This reverts commit ", "deadbeef", "> ", "closes #1",
    "acme/widget#2", "Refs: ", "é", "\x00", "\t",
])


@settings(max_examples=400, deadline=None, database=None)
@given(st.one_of(st.text(), st.lists(st.one_of(FRAGMENTS, st.text(max_size=5)), max_size=30).map("".join)),
       st.lists(st.text(min_size=1, max_size=3), max_size=2))
def test_parse_commit_never_raises(message: str, parents: list[str]) -> None:
    result = parse_commit(RawCommit("f" * 40, message, tuple(parents)))
    assert isinstance(result, ParsedCommit | Unparsed)
    if isinstance(result, ParsedCommit):
        assert "\n" not in result.header
        assert result.breaking == bool(result.breaking_notes)
    else:
        assert result.message == message


@pytest.mark.parametrize(("header", "kind", "scope", "subject"), [
    pytest.param(" feat(types): x", "feat", "types", "x", id="leading-space"),
    pytest.param("\tfix: x", "fix", None, "x", id="leading-tab"),
    pytest.param("fix(typescript):  remove y", "fix", "typescript", "remove y", id="two-spaces-after-colon"),
])
def test_headers_with_small_deviations_are_read(header: str, kind: str, scope: str | None,
                                               subject: str) -> None:
    commit = parsed(header)
    assert (commit.type, commit.scope, commit.subject) == (kind, scope, subject)


def test_a_scoped_revert_type_is_not_a_revert_of_a_commit() -> None:
    """semantic-release's revert pattern is `Revert "…"` or `revert: …`: a `revert(scope):` header
    cancels nothing, so the feature it names still releases (octokit/webhooks.js v10.8.0)."""
    commit = parsed("revert(typescript): new events (#830)\" (#833)\n\nThis reverts commit "
                    "8a7ac100ebc22808abde1c562fa5700ded2018a2.")
    assert commit.type == "revert"
    assert commit.revert is None


@pytest.mark.parametrize("body", [
    pytest.param("Now a <details> tag in markdown is rendered as a collapsible.\n\n", id="prose-details"),
    pytest.param("Wraps output in <blockquote> now.\n\n", id="prose-blockquote"),
    pytest.param("For example:\n\n```html\n<details>\n```\n\n", id="code-fence"),
    pytest.param("<details><summary>Log</summary>\n\nstack trace\n</details>\n\n", id="closed-block"),
])
def test_an_html_tag_mentioned_or_closed_before_hides_no_breaking_change(body: str) -> None:
    """Only a line that starts with the tag opens a quoted block, and the block ends at its
    closing tag: a breaking change written after prose or code that mentions one still counts."""
    commit = parsed(f"feat(md): render collapsibles\n\n{body}BREAKING CHANGE: the `collapse` option is gone")
    assert commit.breaking_notes == ("the `collapse` option is gone",)
