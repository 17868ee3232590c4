"""The settings relbot reads from a semantic-release configuration, as named tuples, and
the option names it knows; validation lives in config.py."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from relbot.model import BranchSpec, ReleaseRule, ZeroPolicy
from relbot.remotes import GitHubTarget, find_target
from relbot.tags import TagFormat

DEFAULT_BRANCHES: tuple[BranchSpec, ...] = (
    BranchSpec("+([0-9])?(.{+([0-9]),x}).x"),
    BranchSpec("master"),
    BranchSpec("main"),
    BranchSpec("next"),
    BranchSpec("next-major"),
    BranchSpec("beta", prerelease=True),
    BranchSpec("alpha", prerelease=True),
)


CONFIG_FILES: tuple[str, ...] = (
    "package.json", ".releaserc", ".releaserc.json", ".releaserc.yaml", ".releaserc.yml",
)
JS_CONFIG_FILES: tuple[str, ...] = (
    ".releaserc.js", ".releaserc.cjs", ".releaserc.mjs",
    "release.config.js", "release.config.cjs", "release.config.mjs",
)

ANALYZER = "@semantic-release/commit-analyzer"
NOTES = "@semantic-release/release-notes-generator"
CHANGELOG = "@semantic-release/changelog"
GIT = "@semantic-release/git"
GITHUB = "@semantic-release/github"
NPM = "@semantic-release/npm"
DEFAULT_PLUGINS: tuple[str, ...] = (ANALYZER, NOTES, NPM, GITHUB)
DEFAULT_MESSAGE = "chore(release): ${nextRelease.version} [skip ci]\n\n${nextRelease.notes}"
DEFAULT_ASSETS: tuple[str, ...] = ("CHANGELOG.md", "package.json", "package-lock.json",
                                   "npm-shrinkwrap.json")
DEFAULT_NOTE_KEYWORDS: tuple[str, ...] = ("BREAKING CHANGE", "BREAKING-CHANGE")
SUPPORTED_PRESETS = ("conventionalcommits", "angular")

# semantic-release's steps, and the plugins relbot knows that implement each: options given at
# the top level under a step's name (`"analyzeCommits": {"releaseRules": …}`) go to those plugins.
STEP_PLUGINS: dict[str, tuple[str, ...]] = {
    "verifyConditions": (CHANGELOG, GIT, GITHUB, NPM),
    "analyzeCommits": (ANALYZER,),
    "verifyRelease": (),
    "generateNotes": (NOTES,),
    "prepare": (CHANGELOG, GIT, NPM),
    "publish": (GITHUB, NPM),
    "addChannel": (GITHUB, NPM),
    "success": (GITHUB,),
    "fail": (GITHUB,),
}
TOP_LEVEL_KEYS = frozenset({
    "branches", "tagFormat", "repositoryUrl", "plugins", "extends", "zeroVersion", "values",
    "versionFiles", "commitSource", "verifiedCommits", "packages", "groups", *STEP_PLUGINS,
})
VALUES_KEYS = frozenset({"files", "commit", "push", "createPr", "message", "onRelease"})
VALUES_FILE_KEYS = frozenset({"path", "set", "images", "document", "create"})
PACKAGE_KEYS = frozenset({"name", "path", "scopes", "tagFormat", "changelogFile", "versionFiles",
                          "releaseRules", "zeroVersion"})
GROUP_KEYS = frozenset({"name", "packages", "tagFormat"})
CLI_ONLY_KEYS = frozenset({"dryRun", "ci", "debug", "noCi"})
PLUGIN_KEYS: dict[str, frozenset[str]] = {
    ANALYZER: frozenset({"preset", "config", "releaseRules", "parserOpts", "presetConfig"}),
    NOTES: frozenset({"preset", "config", "parserOpts", "writerOpts", "presetConfig",
                      "linkCompare", "linkReferences"}),
    CHANGELOG: frozenset({"changelogFile", "changelogTitle"}),
    GIT: frozenset({"assets", "message"}),
    GITHUB: frozenset({
        "githubUrl", "githubApiPathPrefix", "githubApiUrl", "proxy", "assets", "successComment",
        "successCommentCondition", "failComment", "failCommentCondition", "failTitle", "labels",
        "assignees", "releasedLabels", "addReleases", "draftRelease", "releaseNameTemplate",
        "releaseBodyTemplate", "discussionCategoryName",
    }),
    NPM: frozenset({"npmPublish", "pkgRoot", "tarballDir"}),
}
SHARED_KEYS = frozenset().union(*PLUGIN_KEYS.values())
CONFIG_HINT = ("every option relbot reads, and what each means, is in the Configuration section "
               "of relbot's README")

# The options that change what relbot does; `.releaserc.example.json` shows each of them.
UNDERSTOOD_KEYS: dict[str, frozenset[str]] = {
    "": TOP_LEVEL_KEYS - {"extends"} - set(STEP_PLUGINS),  # step options: plugin options, placed up
    "packages[]": PACKAGE_KEYS,
    "groups[]": GROUP_KEYS,
    "values": VALUES_KEYS,
    "values.files[]": VALUES_FILE_KEYS,
    ANALYZER: frozenset({"preset", "releaseRules", "parserOpts", "presetConfig"}),
    NOTES: frozenset({"preset", "parserOpts", "presetConfig", "linkCompare", "linkReferences"}),
    CHANGELOG: frozenset({"changelogFile", "changelogTitle"}),
    GIT: frozenset({"assets", "message"}),
    # the conditions are JavaScript (only `false` is read); `addReleases` has no other release to link
    GITHUB: PLUGIN_KEYS[GITHUB] - {"githubApiPathPrefix", "proxy", "successCommentCondition",
                                   "failCommentCondition", "addReleases"},
}


class TypeSection(NamedTuple):
    """One entry of `presetConfig.types`: the notes section a commit type (with `scope`, only
    that scope of it) goes to."""

    type: str
    section: str
    hidden: bool = False
    scope: str | None = None


DEFAULT_TYPES: tuple[TypeSection, ...] = (
    TypeSection("feat", "Features"),
    TypeSection("feature", "Features"),
    TypeSection("fix", "Bug Fixes"),
    TypeSection("perf", "Performance Improvements"),
    TypeSection("revert", "Reverts"),
    TypeSection("docs", "Documentation", hidden=True),
    TypeSection("style", "Styles", hidden=True),
    TypeSection("chore", "Miscellaneous Chores", hidden=True),
    TypeSection("refactor", "Code Refactoring", hidden=True),
    TypeSection("test", "Tests", hidden=True),
    TypeSection("build", "Build System", hidden=True),
    TypeSection("ci", "Continuous Integration", hidden=True),
)


class ChangelogOptions(NamedTuple):
    file: str = "CHANGELOG.md"
    title: str | None = None


class GitOptions(NamedTuple):
    assets: tuple[str, ...] = DEFAULT_ASSETS
    message: str = DEFAULT_MESSAGE


class Asset(NamedTuple):
    """One entry of the github plugin's `assets`: globs of files to upload to the GitHub Release
    (a `!glob` leaves out what it matches), with the asset's name and label (templates; None: the
    file's own name, no label)."""

    globs: tuple[str, ...]
    name: str | None = None
    label: str | None = None


DEFAULT_FAIL_TITLE = "The automated release is failing 🚨"
FAIL_LABEL = "semantic-release"  # the failure issue always has it, as semantic-release's does


class GithubOptions(NamedTuple):
    """@semantic-release/github's options, with its defaults. A comment or label list of None is
    the plugin's default text; `False` in the configuration turns the feature off (`…_on`)."""

    draft_release: bool = False
    release_name_template: str | None = None
    release_body_template: str | None = None
    github_url: str | None = None
    github_api_url: str | None = None
    assets: tuple[Asset, ...] = ()
    success_comment: str | None = None  # None: semantic-release's "This PR is included in …"
    success_on: bool = True  # `successComment: false` / `successCommentCondition: false`
    fail_comment: str | None = None  # None: semantic-release's failure report
    fail_title: str = DEFAULT_FAIL_TITLE
    fail_on: bool = True  # `failComment: false` / `failTitle: false` / `failCommentCondition: false`
    labels: tuple[str, ...] = (FAIL_LABEL,)  # the failure issue's labels (FAIL_LABEL is added)
    assignees: tuple[str, ...] = ()
    released_labels: tuple[str, ...] | None = None  # None: "released" (+ " on @channel"); (): none
    add_releases: str | None = None  # "top" or "bottom"; None: off
    discussion_category_name: str | None = None


class ValuesFile(NamedTuple):
    """One entry of `values.files`: a values file and what to set in it."""

    path: str
    set: Mapping[str, str] = MappingProxyType({})  # path → value template
    images: Mapping[str, str] = MappingProxyType({})  # repository → tag template
    document: int | None = None  # 1-based
    create: bool = False


class ValuesOptions(NamedTuple):
    """The `values` section: what `relbot bump-values` does with no arguments."""

    files: tuple[ValuesFile, ...] = ()
    commit: bool = False
    push: bool = False
    create_pr: bool = False
    message: str | None = None
    on_release: bool = False  # `relbot release` runs this step after the tag is pushed


class PackageSpec(NamedTuple):
    """One entry of `packages` (monorepos): a package released from the paths it owns, with its
    own tags; None overrides keep the top-level option."""

    name: str
    paths: tuple[str, ...]  # relative to the repository root, normalized ("" is the whole tree)
    scopes: tuple[str, ...] = ()  # commits with one of these scopes count for it too
    tag_format: TagFormat = TagFormat("v${version}")
    changelog_file: str | None = None
    version_files: tuple[tuple[str, str], ...] = ()
    release_rules: tuple[ReleaseRule, ...] | None = None
    zero_version: ZeroPolicy | None = None


class GroupSpec(NamedTuple):
    """One entry of `groups`: packages that always share one version and one tag."""

    name: str
    members: tuple[str, ...]
    tag_format: TagFormat


class Config(NamedTuple):
    """Everything relbot reads from a semantic-release configuration."""

    branches: tuple[BranchSpec, ...] = DEFAULT_BRANCHES
    tag_format: TagFormat = TagFormat("v${version}")
    repository_url: str | None = None
    zero_version: ZeroPolicy = ZeroPolicy.OFF
    plugins: tuple[str, ...] = DEFAULT_PLUGINS
    release_rules: tuple[ReleaseRule, ...] = ()
    note_keywords: tuple[str, ...] = DEFAULT_NOTE_KEYWORDS
    types: tuple[TypeSection, ...] = DEFAULT_TYPES
    notes_preset: str = "angular"  # the notes generator's preset: the format of the notes
    link_compare: bool = True
    link_references: bool = True
    changelog: ChangelogOptions | None = None
    git: GitOptions | None = None
    github: GithubOptions | None = None
    values: ValuesOptions | None = None
    version_files: tuple[tuple[str, str], ...] = ()  # (path, dotted key)
    npm_root: str = "."  # @semantic-release/npm's `pkgRoot`: where its package.json is
    commit_source: str = "git"  # "pull-request": a squash-merged PR's title and body are its message
    verified_commits: bool = False  # commit (and tag) through GitHub's API, which signs them
    packages: tuple[PackageSpec, ...] = ()  # a monorepo's packages; () : one release for the repository
    groups: tuple[GroupSpec, ...] = ()
    source: str = "defaults"
    warnings: tuple[str, ...] = ()


def github_target(config: Config, env: Mapping[str, str], origin: str | None, *,
                  purpose: str = "the GitHub Release") -> GitHubTarget:
    """Where the GitHub API calls go for this configuration (`repositoryUrl`, the github plugin's
    `githubUrl`/`githubApiUrl`) and the origin remote; see `relbot.remotes.find_target`."""
    github = config.github
    return find_target(env, config.repository_url, origin,
                       github_url=github.github_url if github else None,
                       github_api_url=github.github_api_url if github else None, purpose=purpose)
