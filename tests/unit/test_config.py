"""semantic-release options → Config: file formats, JSON-path errors, warnings, plugin options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from relbot.config.files import load_config, load_text
from relbot.config.options import (
    ANALYZER,
    CHANGELOG,
    DEFAULT_ASSETS,
    DEFAULT_BRANCHES,
    DEFAULT_MESSAGE,
    DEFAULT_NOTE_KEYWORDS,
    DEFAULT_PLUGINS,
    DEFAULT_TYPES,
    GIT,
    GITHUB,
    NOTES,
    NPM,
    ChangelogOptions,
    Config,
    GithubOptions,
    GitOptions,
    TypeSection,
)
from relbot.config.parse import parse_config
from relbot.errors import ConfigError, ExitCode
from relbot.model import BranchSpec, ReleaseRule, ReleaseType, ZeroPolicy
from relbot.tags import TagFormat

SRC = ".releaserc.json"


def parse(data: dict[str, Any]) -> Config:
    return parse_config(data, SRC)


def error_of(data: dict[str, Any]) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse(data)
    return info.value


# --- load_text ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "text", "expected"),
    [
        pytest.param(".releaserc.json", '{"branches": ["main"]}', {"branches": ["main"]}, id="json"),
        pytest.param(".releaserc", '{"tagFormat": "x${version}"}', {"tagFormat": "x${version}"},
                     id="extensionless-json"),
        pytest.param(".releaserc", "branches:\n  - main\n  - name: beta\n    prerelease: true\n",
                     {"branches": ["main", {"name": "beta", "prerelease": True}]}, id="extensionless-yaml"),
        pytest.param(".releaserc.yaml", "tagFormat: v${version}\n", {"tagFormat": "v${version}"}, id="yaml"),
        pytest.param(".releaserc.yml", "plugins:\n  - - '@semantic-release/git'\n    - assets: false\n",
                     {"plugins": [["@semantic-release/git", {"assets": False}]]}, id="yml-pair"),
        pytest.param(".releaserc.yml", "", {}, id="empty-yaml"),
        pytest.param(".releaserc.yml", "# only a comment\n", {}, id="comment-only-yaml"),
        pytest.param("package.json", '{"name": "x", "release": {"branches": ["main"]}}',
                     {"branches": ["main"]}, id="package-json"),
        pytest.param("package.json", '{"name": "x"}', {}, id="package-json-without-release"),
        pytest.param("sub/dir/package.json", '{"release": {"ci": false}}', {"ci": False},
                     id="package-json-path"),
    ],
)
def test_load_text(filename: str, text: str, expected: dict[str, Any]) -> None:
    assert load_text(text, filename) == expected


@pytest.mark.parametrize(
    "filename",
    [".releaserc.js", ".releaserc.cjs", ".releaserc.mjs", "release.config.js", "release.config.cjs",
     "release.config.mjs", "release.config.ts", "conf/release.config.js"],
)
def test_load_text_rejects_javascript(filename: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_text("module.exports = {}", filename)
    assert info.value.message.startswith(f"{filename}: ")
    assert "JavaScript" in info.value.message
    assert ".releaserc.json" in info.value.hint
    assert info.value.exit_code is ExitCode.CONFIG


@pytest.mark.parametrize(
    ("filename", "text", "words"),
    [
        pytest.param(".releaserc.json", '{\n  "branches": ["main"],\n}', "line 3, column 1",
                     id="trailing-comma"),
        pytest.param(".releaserc.json", '{"a": 1,\n "b" 2}', "line 2, column 6", id="missing-colon"),
        pytest.param(".releaserc.json", "", "line 1, column 1", id="empty-json"),
        pytest.param(".releaserc.json", "[1, 2]", "top level must be an object", id="json-list"),
        pytest.param(".releaserc", '{"a": [1}', "invalid JSON at line 1", id="extensionless-brace"),
        pytest.param("package.json", '{"release": "main"}', "`release` must be an object",
                     id="release-string"),
        pytest.param("package.json", "{", "invalid JSON", id="package-json-broken"),
        pytest.param(".releaserc.yml", "- main\n- next\n", "top level must be a mapping", id="yaml-list"),
        pytest.param(".releaserc.yml", "branches: [main\n", "invalid YAML", id="yaml-broken"),
    ],
)
def test_load_text_errors_name_the_file(filename: str, text: str, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_text(text, filename)
    assert info.value.message.startswith(f"{filename}: ")
    assert words in info.value.message


def test_load_text_yaml_flow_mapping() -> None:
    assert load_text("{branches: [main]}\n", ".releaserc.yaml") == {"branches": ["main"]}


# --- defaults -----------------------------------------------------------------------------------


def test_defaults_when_empty() -> None:
    config = parse({})
    assert config.branches == DEFAULT_BRANCHES
    assert config.tag_format == TagFormat("v${version}")
    assert config.repository_url is None
    assert config.zero_version is ZeroPolicy.OFF
    assert config.plugins == DEFAULT_PLUGINS
    assert config.release_rules == ()
    assert config.note_keywords == DEFAULT_NOTE_KEYWORDS
    assert config.types == DEFAULT_TYPES
    assert (config.link_compare, config.link_references) == (True, True)
    assert config.changelog is None
    assert config.git is None
    assert config.github == GithubOptions()
    assert config.source == SRC
    assert config.warnings == ()


# --- top-level options --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "branches"),
    [
        pytest.param({"branches": "main"}, (BranchSpec("main"),), id="string"),
        pytest.param({"branches": {"name": "main"}}, (BranchSpec("main"),), id="object"),
        pytest.param(
            {"branches": ["main", {"name": "beta", "prerelease": True, "channel": "beta"},
                          {"name": "1.x", "range": "1.x", "channel": False},
                          {"name": "rc/*", "prerelease": "rc"}]},
            (BranchSpec("main"), BranchSpec("beta", channel="beta", prerelease=True),
             BranchSpec("1.x", channel=False, range="1.x"), BranchSpec("rc/*", prerelease="rc")),
            id="mixed",
        ),
    ],
)
def test_branches(data: dict[str, Any], branches: tuple[BranchSpec, ...]) -> None:
    assert parse(data).branches == branches


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param({"tagFormat": "server-v${version}"}, TagFormat("server-v${version}"), id="tag-format"),
        pytest.param({"zeroVersion": "minor"}, ZeroPolicy.MINOR, id="zero-minor"),
        pytest.param({"zeroVersion": "shift"}, ZeroPolicy.SHIFT, id="zero-shift"),
        pytest.param({"repositoryUrl": "git@github.com:acme/widget.git"}, "git@github.com:acme/widget.git",
                     id="repository-url"),
        pytest.param({"repositoryUrl": ""}, None, id="empty-repository-url"),
    ],
)
def test_top_level_values(data: dict[str, Any], expected: object) -> None:
    config = parse(data)
    value = {"tagFormat": config.tag_format, "zeroVersion": config.zero_version,
             "repositoryUrl": config.repository_url}[next(iter(data))]
    assert value == expected


@pytest.mark.parametrize("key", ["dryRun", "ci", "debug", "noCi"])
def test_command_line_options_warn_by_name(key: str) -> None:
    (warning,) = parse({key: True}).warnings
    assert warning.startswith(f"{SRC}: {key}: ")
    assert "command-line" in warning


# --- errors name the JSON path ------------------------------------------------------------------

ANALYZER_PATH = f"plugins[{ANALYZER}]"


def rules(*entries: object) -> dict[str, Any]:
    return {"plugins": [[ANALYZER, {"releaseRules": list(entries)}]]}


@pytest.mark.parametrize(
    ("data", "path"),
    [
        pytest.param({"branches": ["main", {"name": "beta", "prerelease": 1}]}, "branches[1].prerelease",
                     id="prerelease-type"),
        pytest.param({"branches": ["main", {"prerelease": True}]}, "branches[1].name",
                     id="branch-without-name"),
        pytest.param({"branches": [{"name": ""}]}, "branches[0].name", id="empty-branch-name"),
        pytest.param({"branches": ["main", 7]}, "branches[1]", id="branch-number"),
        pytest.param({"branches": ["main", ""]}, "branches[1]", id="branch-empty-string"),
        pytest.param({"branches": [{"name": "a", "channel": 3}]}, "branches[0].channel", id="channel-type"),
        pytest.param({"branches": [{"name": "a", "range": 1}]}, "branches[0].range", id="range-type"),
        pytest.param({"branches": []}, "branches", id="no-branches"),
        pytest.param({"branches": 5}, "branches", id="branches-number"),
        pytest.param({"branches": ["main", "main"]}, "branches[1].name", id="duplicate-branch"),
        pytest.param({"plugins": [42]}, "plugins[0]", id="plugin-number"),
        pytest.param({"plugins": [ANALYZER, [NOTES]]}, "plugins[1]", id="plugin-pair-too-short"),
        pytest.param({"plugins": [[NOTES, "x"]]}, "plugins[0]", id="plugin-options-not-object"),
        pytest.param({"plugins": ANALYZER}, "plugins", id="plugins-not-list"),
        pytest.param({"plugins": [NOTES]}, "plugins", id="analyzer-missing"),
        pytest.param({"tagFormat": "v"}, "tagFormat", id="tag-format-no-placeholder"),
        pytest.param({"tagFormat": "${name}@${version}"}, "tagFormat", id="tag-format-other-placeholder"),
        pytest.param({"tagFormat": 1}, "tagFormat", id="tag-format-type"),
        pytest.param({"zeroVersion": "maybe"}, "zeroVersion", id="zero-version"),
        pytest.param({"zeroVersion": True}, "zeroVersion", id="zero-version-bool"),
        pytest.param({"repositoryUrl": 3}, "repositoryUrl", id="repository-url-type"),
        pytest.param(rules({"type": "docs", "release": "mini"}), f"{ANALYZER_PATH}.releaseRules[0].release",
                     id="rule-release-value"),
        pytest.param(rules({"type": "docs", "release": True}), f"{ANALYZER_PATH}.releaseRules[0].release",
                     id="rule-release-true"),
        pytest.param(rules({"type": "docs", "release": "patch"}, {"scope": 1, "release": "patch"}),
                     f"{ANALYZER_PATH}.releaseRules[1].scope", id="rule-scope-type"),
        pytest.param(rules("docs"), f"{ANALYZER_PATH}.releaseRules[0]", id="rule-not-object"),
        pytest.param({"plugins": [[ANALYZER, {"releaseRules": "./rules.js"}]]},
                     f"{ANALYZER_PATH}.releaseRules",
                     id="rules-module-path"),
        pytest.param({"plugins": [[ANALYZER, {"parserOpts": []}]]}, f"{ANALYZER_PATH}.parserOpts",
                     id="parser-opts-type"),
        pytest.param({"plugins": [[ANALYZER, {"preset": "eslint"}]]}, f"{ANALYZER_PATH}.preset",
                     id="unsupported-preset"),
        pytest.param({"plugins": [[ANALYZER, {"config": "conventional-changelog-x"}]]},
                     f"{ANALYZER_PATH}.config",
                     id="preset-package"),
        pytest.param({"plugins": [ANALYZER, [NOTES, {"presetConfig": {"types": [{"section": "X"}]}}]]},
                     f"plugins[{NOTES}].presetConfig.types[0]", id="type-without-type"),
        pytest.param({"plugins": [ANALYZER, [NOTES, {"presetConfig": {"types": [{"type": "x",
                                                                                  "hidden": "no"}]}}]]},
                     f"plugins[{NOTES}].presetConfig.types[0].hidden", id="type-hidden"),
        pytest.param({"plugins": [ANALYZER, [NOTES, {"presetConfig": {"types": [{"type": "x",
                                                                                  "scope": 3}]}}]]},
                     f"plugins[{NOTES}].presetConfig.types[0].scope", id="type-scope"),
        pytest.param({"plugins": [ANALYZER, [NOTES, {"presetConfig": {"types": {}}}]]},
                     f"plugins[{NOTES}].presetConfig.types", id="types-not-list"),
        pytest.param({"plugins": [ANALYZER, [NOTES, {"linkCompare": "yes"}]]},
                     f"plugins[{NOTES}].linkCompare",
                     id="link-compare"),
        pytest.param({"plugins": [ANALYZER, [GIT, {"assets": 3}]]}, f"plugins[{GIT}].assets",
                     id="git-assets"),
        pytest.param({"plugins": [ANALYZER, [GITHUB, {"draftRelease": "yes"}]]},
                     f"plugins[{GITHUB}].draftRelease", id="github-draft"),
        pytest.param({"plugins": [ANALYZER, [CHANGELOG, {"changelogFile": ["a"]}]]},
                     f"plugins[{CHANGELOG}].changelogFile", id="changelog-file"),
        pytest.param({"extends": "@acme/release-config"}, "extends", id="extends"),
        pytest.param({"plugins": [ANALYZER, ["@semantic-release/npm", {"pkgRoot": "../elsewhere"}]]},
                     "plugins[@semantic-release/npm].pkgRoot", id="npm-pkg-root-outside"),
    ],
)
def test_errors_name_the_json_path(data: dict[str, Any], path: str) -> None:
    error = error_of(data)
    assert error.message.startswith(f"{SRC}: {path}: "), error.message
    assert error.hint
    assert error.exit_code is ExitCode.CONFIG


def test_extends_error_says_what_to_do() -> None:
    error = error_of({"extends": "@acme/release-config", "branches": ["main"]})
    assert "shareable" in error.message
    assert "copy the options" in error.hint


def test_unsupported_preset_names_it() -> None:
    error = error_of({"plugins": [[ANALYZER, {"preset": "eslint"}]]})
    assert "'eslint' is not supported" in error.message
    assert "conventionalcommits" in error.hint


def test_duplicate_branch_names_it() -> None:
    assert "'main' is listed twice" in error_of({"branches": ["main", {"name": "main"}]}).message


@pytest.mark.parametrize("release", [["patch"], {"type": "patch"}], ids=["list", "object"])
def test_rule_release_unhashable(release: object) -> None:
    error = error_of(rules({"type": "docs", "release": release}))
    assert "releaseRules[0].release: must be" in error.message


# --- warnings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "path", "text"),
    [
        pytest.param({"foo": 1}, "foo", "unknown option, ignored", id="unknown-top-level"),
        pytest.param({"plugins": [ANALYZER, "@semantic-release/exec"]}, "plugins[1]",
                     "plugin '@semantic-release/exec' is not one relbot runs; it is ignored",
                     id="unknown-plugin"),
        pytest.param({"plugins": [[ANALYZER, {"bogus": 1}]]}, "plugins[0][1].bogus",
                     f"unknown option of {ANALYZER}, ignored", id="unknown-plugin-option"),
        pytest.param({"branches": [{"name": "main", "foo": 1}]}, "branches[0].foo",
                     "unknown branch option, ignored", id="unknown-branch-option"),
        pytest.param(rules({"type": "docs", "release": "patch", "emoji": ":x:"}),
                     f"{ANALYZER_PATH}.releaseRules[0].emoji",
                     "rule field not supported; the rule ignores it",
                     id="unknown-rule-field"),
        pytest.param({"plugins": [[ANALYZER, {"parserOpts": {"headerPattern": "x"}}]]},
                     f"{ANALYZER_PATH}.parserOpts.headerPattern", "parser option not supported; ignored",
                     id="parser-option"),
        pytest.param({"plugins": [ANALYZER, [NOTES, {"writerOpts": {}}]]}, f"plugins[{NOTES}].writerOpts",
                     "templates are not supported; ignored", id="writer-opts"),
        pytest.param({"plugins": [ANALYZER, [NOTES, {"presetConfig": {"issueUrlFormat": "x"}}]]},
                     f"plugins[{NOTES}].presetConfig.issueUrlFormat", "preset option not supported; ignored",
                     id="preset-option"),
        pytest.param({"plugins": [ANALYZER, [GITHUB, {"proxy": "http://proxy:3128"}]]},
                     f"plugins[{GITHUB}].proxy", "set HTTPS_PROXY (and NO_PROXY) in the environment "
                     "instead; relbot's HTTP client reads them", id="github-option"),
        pytest.param({"plugins": [ANALYZER, GIT, CHANGELOG]}, "plugins",
                     f"{CHANGELOG} should come before {GIT}; relbot writes the changelog first either way",
                     id="changelog-after-git"),
    ],
)
def test_warnings_name_the_option(data: dict[str, Any], path: str, text: str) -> None:
    assert f"{SRC}: {path}: {text}" in parse(data).warnings


def test_unknown_plugin_is_left_out() -> None:
    assert parse({"plugins": [ANALYZER, "@semantic-release/exec", NOTES]}).plugins == (ANALYZER, NOTES)


def test_several_unknown_keys_each_named() -> None:
    warnings = parse({"foo": 1, "bar": 2}).warnings
    assert [w.split(": ")[1] for w in warnings] == ["foo", "bar"]


# --- shared options, rules, presets -------------------------------------------------------------


def test_shared_top_level_preset_is_applied_to_plugins() -> None:
    error = error_of({"preset": "eslint"})
    assert error.message.startswith(f"{SRC}: {ANALYZER_PATH}.preset: ")
    config = parse({"preset": "conventionalcommits"})
    assert config.warnings == ()


def test_plugin_option_overrides_shared_option() -> None:
    assert parse({"preset": "eslint", "plugins": [[ANALYZER, {"preset": "conventionalcommits"}],
                                                  [NOTES, {"preset": "angular"}]]}).warnings == ()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param({"releaseRules": [{"type": "docs", "release": "patch"}]},
                     (ReleaseRule(ReleaseType.PATCH, type="docs"),), id="top-level"),
        pytest.param({"changelogFile": "HISTORY.md", "plugins": [ANALYZER, CHANGELOG]},
                     ChangelogOptions(file="HISTORY.md"), id="top-level-changelog-file"),
        pytest.param({"parserOpts": {"noteKeywords": ["BREAKING CHANGES"]}}, ("BREAKING CHANGES",),
                     id="top-level-note-keywords"),
        pytest.param({"linkCompare": False}, False, id="top-level-link-compare"),
    ],
)
def test_shared_top_level_options(data: dict[str, Any], expected: object) -> None:
    config = parse(data)
    assert config.warnings == ()
    actual = {"releaseRules": config.release_rules, "changelogFile": config.changelog,
              "parserOpts": config.note_keywords, "linkCompare": config.link_compare}[next(iter(data))]
    assert actual == expected


def test_release_rules_are_parsed() -> None:
    config = parse(rules(
        {"type": "docs", "scope": "README", "release": "patch"},
        {"scope": "no-release", "release": False},
        {"breaking": True, "release": "minor"},
        {"revert": True, "subject": "*", "release": "major"},
    ))
    assert config.release_rules == (
        ReleaseRule(ReleaseType.PATCH, type="docs", scope="README"),
        ReleaseRule(None, scope="no-release"),
        ReleaseRule(ReleaseType.MINOR, breaking=True),
        ReleaseRule(ReleaseType.MAJOR, subject="*", revert=True),
    )


@pytest.mark.parametrize(
    ("plugins", "keywords"),
    [
        pytest.param([[ANALYZER, {"parserOpts": {"noteKeywords": ["BREAKING CHANGES", "BC"]}}]],
                     ("BREAKING CHANGES", "BC"), id="analyzer"),
        pytest.param([ANALYZER, [NOTES, {"parserOpts": {"noteKeywords": ["BREAKING"]}}]], ("BREAKING",),
                     id="notes"),
        pytest.param([ANALYZER], DEFAULT_NOTE_KEYWORDS, id="default"),
    ],
)
def test_note_keywords(plugins: list[Any], keywords: tuple[str, ...]) -> None:
    assert parse({"plugins": plugins}).note_keywords == keywords


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        pytest.param(
            [{"type": "feat", "section": "New"}, {"type": "Chore", "section": "Chores", "hidden": False},
             {"type": "docs", "hidden": True}],
            (TypeSection("feat", "New"), TypeSection("chore", "Chores"),
             TypeSection("docs", "docs", hidden=True)),
            id="custom",
        ),
        pytest.param([], (), id="empty-list"),
    ],
)
def test_preset_config_types(types: list[dict[str, Any]], expected: tuple[TypeSection, ...]) -> None:
    config = parse({"plugins": [ANALYZER, [NOTES, {"preset": "conventionalcommits",
                                                   "presetConfig": {"types": types}}]]})
    assert config.types == expected


def test_preset_config_without_types_keeps_defaults() -> None:
    assert parse({"plugins": [ANALYZER, [NOTES, {"presetConfig": {}}]]}).types == DEFAULT_TYPES


def test_preset_config_from_analyzer() -> None:
    config = parse({"plugins": [[ANALYZER, {"presetConfig": {"types": [{"type": "feat", "section": "F"}]}}]]})
    assert config.types == (TypeSection("feat", "F"),)


# --- changelog, git, github ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        pytest.param({}, ChangelogOptions(), id="defaults"),
        pytest.param({"changelogFile": "docs/CHANGES.md", "changelogTitle": "# Changelog"},
                     ChangelogOptions("docs/CHANGES.md", "# Changelog"), id="file-and-title"),
        pytest.param({"changelogFile": ""}, ChangelogOptions(), id="empty-file"),
    ],
)
def test_changelog_options(options: dict[str, Any], expected: ChangelogOptions) -> None:
    assert parse({"plugins": [ANALYZER, [CHANGELOG, options]]}).changelog == expected


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        pytest.param({}, GitOptions(DEFAULT_ASSETS, DEFAULT_MESSAGE), id="defaults"),
        pytest.param({"assets": False}, GitOptions((), DEFAULT_MESSAGE), id="assets-false"),
        pytest.param({"assets": "CHANGELOG.md"}, GitOptions(("CHANGELOG.md",), DEFAULT_MESSAGE),
                     id="assets-string"),
        pytest.param({"assets": ["a", "b/**"], "message": "chore: ${nextRelease.version}"},
                     GitOptions(("a", "b/**"), "chore: ${nextRelease.version}"), id="assets-and-message"),
    ],
)
def test_git_options(options: dict[str, Any], expected: GitOptions) -> None:
    assert parse({"plugins": [ANALYZER, [GIT, options]]}).git == expected


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        pytest.param({}, GithubOptions(), id="defaults"),
        pytest.param(
            {"draftRelease": True, "releaseNameTemplate": "v<%= nextRelease.version %>",
             "releaseBodyTemplate": "<%= nextRelease.notes %>", "githubUrl": "https://ghe.corp",
             "githubApiUrl": "https://ghe.corp/api/v3"},
            GithubOptions(True, "v<%= nextRelease.version %>", "<%= nextRelease.notes %>", "https://ghe.corp",
                          "https://ghe.corp/api/v3"),
            id="all",
        ),
    ],
)
def test_github_options(options: dict[str, Any], expected: GithubOptions) -> None:
    assert parse({"plugins": [ANALYZER, [GITHUB, options]]}).github == expected


def test_plugins_without_github() -> None:
    config = parse({"plugins": [ANALYZER, NOTES, NPM]})
    assert config.github is None
    assert config.plugins == (ANALYZER, NOTES, NPM)


def test_link_options() -> None:
    config = parse({"plugins": [ANALYZER, [NOTES, {"linkCompare": False, "linkReferences": False}]]})
    assert (config.link_compare, config.link_references) == (False, False)


def test_release_null_or_missing_is_no_release_and_note_keywords_are_trimmed() -> None:
    config = parse_config({"plugins": [[ANALYZER, {
        "releaseRules": [{"type": "docs", "release": None}, {"type": "style"}],
        "parserOpts": {"noteKeywords": ["", "  BREAKING CHANGE ", "DEPRECATED"]}}]]}, "test")
    assert [rule.release for rule in config.release_rules] == [None, None]
    assert config.note_keywords == ("BREAKING CHANGE", "DEPRECATED")


def test_step_options_at_the_top_level_reach_their_plugins() -> None:
    """semantic-release merges `"analyzeCommits": {...}` (no `path`) into the analyzer's options."""
    config = parse_config({
        "plugins": [ANALYZER, NOTES],
        "analyzeCommits": {"releaseRules": [{"type": "build", "release": "patch"}]},
        "generateNotes": {"linkCompare": False},
    }, "test")
    assert [(r.type, r.release) for r in config.release_rules] == [("build", ReleaseType.PATCH)]
    assert config.link_compare is False
    assert config.warnings == ()


def test_a_step_plugin_given_by_path_is_a_warning() -> None:
    config = parse_config({"analyzeCommits": {"path": "./my-analyzer.js"}}, "test")
    assert any("analyzeCommits" in w and "cannot be loaded" in w for w in config.warnings)


def test_a_package_json_without_a_release_key_is_skipped(tmp_path: Path) -> None:
    """A `release` npm script is not a configuration (cosmiconfig reads the `release` key only)."""
    (tmp_path / "package.json").write_text(
        '{"name": "w", "scripts": {"release": "semantic-release"}}', encoding="utf-8")
    (tmp_path / ".releaserc.json").write_text('{"branches": ["release"]}', encoding="utf-8")
    assert [b.name for b in load_config(tmp_path).branches] == ["release"]
    (tmp_path / "package.json").write_text('{"release": {"branches": ["trunk"]}}', encoding="utf-8")
    assert [b.name for b in load_config(tmp_path).branches] == ["trunk"]
    (tmp_path / "package.json").write_text('{"release": null}', encoding="utf-8")
    assert [b.name for b in load_config(tmp_path).branches] == ["release"]  # null: none, as cosmiconfig
