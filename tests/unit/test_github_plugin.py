"""The github plugin's options as relbot reads them (semantic-release's defaults, `false` turning each
feature off), and the texts it puts on GitHub: the success comment, the `released` labels, the
failure issue's body, and the issues a message closes."""

from __future__ import annotations

from typing import Any

import pytest

from relbot.config.options import DEFAULT_FAIL_TITLE, FAIL_LABEL, Asset
from relbot.config.parse import parse_config
from relbot.errors import ConfigError
from relbot.release import announce, templates

ANALYZER = "@semantic-release/commit-analyzer"
GITHUB = "@semantic-release/github"


def _github(options: dict[str, Any] | None = None) -> Any:
    plugins: list[Any] = [ANALYZER, [GITHUB, options] if options is not None else GITHUB]
    config = parse_config({"plugins": plugins}, ".releaserc.json")
    return config.github, config.warnings


def test_defaults_are_semantic_releases() -> None:
    github, warnings = _github()
    assert warnings == ()
    assert (github.success_on, github.fail_on, github.fail_title, github.labels, github.released_labels,
            github.assignees, github.assets, github.add_releases) == (
        True, True, DEFAULT_FAIL_TITLE, (FAIL_LABEL,), None, (), (), None)


@pytest.mark.parametrize(("options", "field", "expected"), [
    ({"successComment": False}, "success_on", False),
    ({"successCommentCondition": False}, "success_on", False),
    ({"failComment": False}, "fail_on", False),
    ({"failTitle": False}, "fail_on", False),
    ({"failCommentCondition": False}, "fail_on", False),
    ({"releasedLabels": False}, "released_labels", ()),
    ({"releasedLabels": "shipped"}, "released_labels", ("shipped",)),
    ({"labels": False}, "labels", ()),
    ({"labels": ["release", "ci"]}, "labels", ("release", "ci")),
    ({"assignees": "octocat"}, "assignees", ("octocat",)),
    ({"addReleases": "top"}, "add_releases", "top"),
    ({"discussionCategoryName": "Announcements"}, "discussion_category_name", "Announcements"),
    ({"discussionCategoryName": False}, "discussion_category_name", None),
    ({"assets": "dist/*.tgz"}, "assets", (Asset(("dist/*.tgz",)),)),
    ({"assets": ["a.zip", "b.txt"]}, "assets", (Asset(("a.zip",)), Asset(("b.txt",)))),
    ({"assets": [["dist/*.tgz", "!dist/b.tgz"]]}, "assets", (Asset(("dist/*.tgz", "!dist/b.tgz")),)),
    ({"assets": [{"path": ["a/*.zip", "!a/x.zip"], "label": "L ${nextRelease.version}"}]}, "assets",
     (Asset(("a/*.zip", "!a/x.zip"), None, "L ${nextRelease.version}"),)),
])
def test_each_option_is_read(options: dict[str, Any], field: str, expected: object) -> None:
    github, warnings = _github(options)
    assert getattr(github, field) == expected
    assert not any("not supported" in w for w in warnings)


@pytest.mark.parametrize(("options", "named"), [
    ({"successCommentCondition": "<% return false %>"}, "successCommentCondition"),
    ({"failCommentCondition": "<% return issue %>"}, "failCommentCondition"),
    ({"addReleases": "middle"}, "addReleases"),
    ({"assets": [{"name": "x"}]}, "assets[0].path"),
    ({"assets": [3]}, "assets[0]"),
    ({"assets": [["!dist/*.map"]]}, "assets[0]"),
    ({"labels": [1]}, "labels"),
    ({"successComment": ""}, "successComment"),
])
def test_bad_options_name_themselves(options: dict[str, Any], named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _github(options)
    assert named in caught.value.message


def test_relbots_own_options() -> None:
    config = parse_config({"commitSource": "pull-request", "verifiedCommits": True}, "x")
    assert (config.commit_source, config.verified_commits) == ("pull-request", True)
    with pytest.raises(ConfigError, match="commitSource"):
        parse_config({"commitSource": "squash"}, "x")
    with pytest.raises(ConfigError, match="verifiedCommits"):
        parse_config({"verifiedCommits": "yes"}, "x")


def test_lodash_placeholders_are_filled_and_expressions_refused() -> None:
    values = {"nextRelease.version": "1.2.0", "nextRelease.channel": ""}
    rendered = templates.render("v<%= nextRelease.version %> ${nextRelease.version}", values, "o")
    assert rendered == "v1.2.0 1.2.0"
    with pytest.raises(ConfigError, match="JavaScript expression"):
        templates.render("<% if (x) { %>y<% } %>", values, "o")
    with pytest.raises(ConfigError, match="JavaScript expression"):
        templates.render('${nextRelease.version.split(".")[0]}.tgz', values, "o")
    # a value holding `<% %>` is text, not a template
    assert templates.render("${nextRelease.version}", {"nextRelease.version": "<% x %>"}, "o") == "<% x %>"


def test_success_comment_is_semantic_releases_text_with_a_marker() -> None:
    body = announce.success_comment(is_pull=True, version="1.3.0", release_name="v1.3.0",
                                    release_url="https://github.com/acme/widget/releases/tag/v1.3.0",
                                    template=None, values={}, tag="v1.3.0")
    assert body.startswith(":tada: This PR is included in version 1.3.0 :tada:")
    assert "[v1.3.0](https://github.com/acme/widget/releases/tag/v1.3.0)" in body
    assert body.endswith(announce.released_marker("v1.3.0"))
    issue = announce.success_comment(is_pull=False, version="1.3.0", release_name="v1.3.0", release_url=None,
                                     template=None, values={}, tag="v1.3.0")
    assert "This issue has been resolved in version 1.3.0" in issue
    assert "`v1.3.0`" in issue
    custom = announce.success_comment(is_pull=True, version="1.3.0", release_name="v1.3.0", release_url=None,
                                      template="Shipped in ${nextRelease.version}",
                                      values={"nextRelease.version": "1.3.0"}, tag="v1.3.0")
    assert custom.startswith("Shipped in 1.3.0\n")


def test_released_labels_follow_the_channel() -> None:
    assert announce.released_labels(None, {"nextRelease.channel": ""}) == ("released",)
    assert announce.released_labels(None, {"nextRelease.channel": "beta"}) == ("released on @beta",)
    assert announce.released_labels(("in ${nextRelease.version}",), {"nextRelease.version": "2.0.0"}) == (
        "in 2.0.0",)
    assert announce.released_labels((), {}) == ()


def test_fail_comment_lists_every_error_with_what_to_do() -> None:
    body = announce.fail_comment(branch="main", errors=[("push refused", "use a PAT"), ("tag exists", "")],
                                 template=None, values={})
    assert "The automated release from the `main` branch failed" in body
    assert "### push refused\n\nuse a PAT" in body
    assert "### tag exists\n\nNo more information is available." in body


def test_closed_issues_keep_this_repository_and_close_keywords_only() -> None:
    messages = ["fix: crash\n\nFixes #7, refs #8",
                "feat: x\n\ncloses acme/widget#9 and resolves other/repo#10", "chore: y (#11)\n\nfixed #7"]
    assert announce.closed_issues(messages, "acme/widget") == [7, 9]
