"""update_changelog: insert above the newest release (or under the title), keep every other byte,
replace on rerun."""

from __future__ import annotations

import pytest

from relbot.release.changelog import update_changelog

TITLE = "# Changelog"
URL = "https://github.com/acme/widget/compare"
OLD = f"## [1.0.0]({URL}/v0.9.0...v1.0.0) (2024-01-01)\n\n### Features\n\n* a\n"
NEW = f"## [1.1.0]({URL}/v1.0.0...v1.1.0) (2024-02-02)\n\n### Bug Fixes\n\n* b\n"
NEWER = f"## [1.1.0]({URL}/v1.0.0...v1.1.0) (2024-02-03)\n\n* c\n"


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


@pytest.mark.parametrize(
    ("existing", "title", "expected"),
    [
        pytest.param(f"{TITLE}\n\n{OLD}", TITLE, f"{TITLE}\n\n{NEW}\n{OLD}", id="under-title"),
        pytest.param(f"{TITLE}\n\nIntro text.\n\n{OLD}", TITLE, f"{TITLE}\n\nIntro text.\n\n{NEW}\n{OLD}",
                     id="below-intro-above-newest"),
        pytest.param(f"{TITLE}\n{OLD}", TITLE, f"{TITLE}\n{NEW}\n{OLD}", id="title-without-blank-line"),
        pytest.param(f"{TITLE}\n\n\n{OLD}", TITLE, f"{TITLE}\n\n\n{NEW}\n{OLD}", id="title-gap-kept"),
        pytest.param(OLD, None, f"{NEW}\n{OLD}", id="no-title"),
        pytest.param(f"{TITLE}\n\n{OLD}", None, f"{TITLE}\n\n{NEW}\n{OLD}",
                     id="title-in-file-not-configured"),
        pytest.param("", TITLE, f"{TITLE}\n\n{NEW}", id="empty-with-title"),
        pytest.param("", None, NEW, id="empty-without-title"),
        pytest.param("\n\n", TITLE, f"{TITLE}\n\n{NEW}", id="blank-with-title"),
        pytest.param(OLD, TITLE, f"{NEW}\n{OLD}", id="title-configured-file-without-it"),
        pytest.param("Notes by hand.\n", TITLE, f"{TITLE}\n\n{NEW}\nNotes by hand.\n",
                     id="title-configured-no-heading-yet"),
        pytest.param(f"# History\n\n{OLD}", TITLE, f"# History\n\n{NEW}\n{OLD}",
                     id="title-configured-file-with-another"),
        pytest.param(TITLE, TITLE, f"{TITLE}\n\n{NEW}", id="title-only"),
    ],
)
def test_insert(existing: str, title: str | None, expected: str) -> None:
    assert update_changelog(existing, NEW, "1.1.0", title) == expected


@pytest.mark.parametrize(
    ("existing", "title"),
    [
        pytest.param(f"{TITLE}\n\n{OLD}", TITLE, id="title"),
        pytest.param(f"{TITLE}\n\nSome intro  \n\t with odd   whitespace\n\n\n{OLD}\n\n", TITLE,
                     id="odd-bytes"),
        pytest.param(OLD, None, id="no-title"),
        pytest.param(f"<!-- keep -->\n{OLD}", TITLE, id="comment-first"),
        pytest.param(crlf(f"{TITLE}\n\n{OLD}"), TITLE, id="crlf"),
    ],
)
def test_every_existing_byte_is_kept(existing: str, title: str | None) -> None:
    result = update_changelog(existing, NEW, "1.1.0", title)
    section = NEW.replace("\n", "\r\n") if "\r\n" in existing else NEW
    newline = "\r\n" if "\r\n" in existing else "\n"
    start = result.index(section)
    assert result[:start] + result[start + len(section) + len(newline):] == existing
    assert result.count("## [1.1.0]") == 1


@pytest.mark.parametrize(
    ("existing", "title"),
    [
        pytest.param(f"{TITLE}\n\n{OLD}", TITLE, id="title"),
        pytest.param(OLD, None, id="no-title"),
        pytest.param("", TITLE, id="empty"),
        pytest.param(crlf(f"{TITLE}\n\n{OLD}"), TITLE, id="crlf"),
        pytest.param(f"{TITLE}\n\n## 1.2.0 (2024-03-03)\n\n* z\n\n{OLD}", TITLE, id="newer-release-above"),
    ],
)
def test_same_version_twice_is_idempotent(existing: str, title: str | None) -> None:
    once = update_changelog(existing, NEW, "1.1.0", title)
    assert update_changelog(once, NEW, "1.1.0", title) == once


@pytest.mark.parametrize(
    ("existing", "title"),
    [
        pytest.param(f"{TITLE}\n\n{OLD}", TITLE, id="before-older"),
        pytest.param("", TITLE, id="last-section"),
        pytest.param(crlf(f"{TITLE}\n\n{OLD}"), TITLE, id="crlf"),
    ],
)
def test_same_version_with_new_notes_replaces_its_section(existing: str, title: str | None) -> None:
    once = update_changelog(existing, NEW, "1.1.0", title)
    twice = update_changelog(once, NEWER, "1.1.0", title)
    assert twice.count("[1.1.0]") == 1
    assert "* c" in twice
    assert "* b" not in twice
    assert twice == update_changelog(existing, NEWER, "1.1.0", title)


@pytest.mark.parametrize(
    ("heading", "version"),
    [
        pytest.param("## 1.1.0 (2024-02-02)", "1.1.0", id="plain"),
        pytest.param("## [1.1.0](https://x/compare/v1.0.0...v1.1.0) (2024-02-02)", "1.1.0", id="linked"),
        pytest.param("### [1.1.0](https://x) (2024-02-02)", "1.1.0", id="angular-patch-level"),
        pytest.param("# 1.1.0 (2024-02-02)", "1.1.0", id="level-one"),
        pytest.param("## v1.1.0", "1.1.0", id="v-bare"),
        pytest.param("## 1.1.0-beta.1 (2024-02-02)", "1.1.0-beta.1", id="prerelease"),
    ],
)
def test_existing_heading_styles_are_replaced(heading: str, version: str) -> None:
    existing = f"{TITLE}\n\n{heading}\n\n* old\n\n{OLD}"
    result = update_changelog(existing, f"## {version} (2024-05-05)\n\n* new\n", version, TITLE)
    assert result == f"{TITLE}\n\n## {version} (2024-05-05)\n\n* new\n\n{OLD}"


def test_other_versions_are_not_replaced() -> None:
    others = "## 1.1.0-beta.1 (2024-01-15)\n\n* pre\n\n## 11.1.0 (2023-01-01)\n\n* eleven\n"
    result = update_changelog(f"{TITLE}\n\n{others}", NEW, "1.1.0", TITLE)
    assert result == f"{TITLE}\n\n{NEW}\n{others}"


def test_crlf_file_keeps_crlf() -> None:
    existing = crlf(f"{TITLE}\n\n{OLD}")
    result = update_changelog(existing, NEW, "1.1.0", TITLE)
    assert result == crlf(f"{TITLE}\n\n{NEW}\n{OLD}")
    assert "\n" not in result.replace("\r\n", "")


def test_lf_file_stays_lf() -> None:
    result = update_changelog(f"{TITLE}\n\n{OLD}", NEW, "1.1.0", TITLE)
    assert "\r" not in result


def test_crlf_bare_headings_bound_sections() -> None:
    existing = crlf(f"{TITLE}\n\n## 1.1.0\n\n* b\n\n## 1.0.0\n\n* a\n")
    result = update_changelog(existing, "## 1.1.0\n\n* c\n", "1.1.0", TITLE)
    assert result == crlf(f"{TITLE}\n\n## 1.1.0\n\n* c\n\n## 1.0.0\n\n* a\n")


def test_title_prefix_of_a_longer_first_line() -> None:
    existing = f"# Changelog for widget\n\n{OLD}"
    result = update_changelog(existing, NEW, "1.1.0", TITLE)
    assert "# Changelog for widget\n" in result
    assert result.count("## [1.1.0]") == 1
    assert result.endswith(OLD)
