"""A semantic-release options object → a frozen Config.

Two passes: the shape of each value (errors name the JSON path, e.g. `branches[1].prerelease`),
then the rules across fields. Options relbot does not act on produce warnings that name them.
Finding and reading the file is `relbot.config.files`' job.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any

from relbot.config.options import (
    ANALYZER,
    CHANGELOG,
    CLI_ONLY_KEYS,
    CONFIG_HINT,
    DEFAULT_ASSETS,
    DEFAULT_BRANCHES,
    DEFAULT_FAIL_TITLE,
    DEFAULT_MESSAGE,
    DEFAULT_NOTE_KEYWORDS,
    DEFAULT_PLUGINS,
    DEFAULT_TYPES,
    FAIL_LABEL,
    GIT,
    GITHUB,
    NOTES,
    NPM,
    PLUGIN_KEYS,
    SHARED_KEYS,
    STEP_PLUGINS,
    SUPPORTED_PRESETS,
    TOP_LEVEL_KEYS,
    Asset,
    ChangelogOptions,
    Config,
    GithubOptions,
    GitOptions,
    TypeSection,
)
from relbot.config.packages import parse_packages
from relbot.config.values import parse_values, parse_version_files
from relbot.errors import ConfigError
from relbot.model import BranchSpec, ReleaseRule, ReleaseType, ZeroPolicy
from relbot.tags import TagFormat


def parse_config(data: Mapping[str, Any], source: str) -> Config:
    """Validate an options object (shape, then cross-field rules) into a Config."""
    return _Parser(source).parse(data)


_BUMPS = {"major": ReleaseType.MAJOR, "minor": ReleaseType.MINOR, "patch": ReleaseType.PATCH}


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.warnings: list[str] = []

    def fail(self, path: str, message: str, hint: str = CONFIG_HINT) -> ConfigError:
        return ConfigError(f"{self.source}: {path}: {message}", hint)

    def warn(self, path: str, message: str) -> None:
        self.warnings.append(f"{self.source}: {path}: {message}")

    def parse(self, data: Mapping[str, Any]) -> Config:
        if "extends" in data:
            raise self.fail("extends", "shareable configurations (npm modules) cannot be loaded",
                            "copy the options of the shared configuration into this file")
        for key in data:
            if key in CLI_ONLY_KEYS:
                self.warn(key, "a command-line option of semantic-release; ignored here "
                          "(use relbot's --dry-run flag)")
            elif key not in TOP_LEVEL_KEYS and key not in SHARED_KEYS:
                self.warn(key, "unknown option, ignored")
        plugins = self._plugins(data)
        names = tuple(name for name, _ in plugins)
        options = dict(plugins)
        analyzer = options.get(ANALYZER, {})
        notes = options.get(NOTES, {})
        for name in (ANALYZER, NOTES):
            self._preset(options.get(name, {}), name)
        keywords = self._keywords(analyzer, ANALYZER) or self._keywords(notes, NOTES)
        tag_format = self._tag_format(data.get("tagFormat", "v${version}"))
        packages, groups = parse_packages(data.get("packages"), data.get("groups"), self.fail, self.warn,
                                          self._rules, tag_format)
        config = Config(
            branches=self._branches(data.get("branches")),
            tag_format=tag_format,
            repository_url=self._opt_str(data, "repositoryUrl", "repositoryUrl"),
            zero_version=self._zero(data.get("zeroVersion", "off")),
            plugins=names,
            release_rules=self._rules(analyzer.get("releaseRules"), f"plugins[{ANALYZER}]"),
            note_keywords=keywords or DEFAULT_NOTE_KEYWORDS,
            types=self._types(notes.get("presetConfig") or analyzer.get("presetConfig")),
            notes_preset=str(notes.get("preset", "angular")),
            link_compare=self._bool(notes, "linkCompare", f"plugins[{NOTES}]", default=True),
            link_references=self._bool(notes, "linkReferences", f"plugins[{NOTES}]", default=True),
            changelog=self._changelog(options[CHANGELOG]) if CHANGELOG in options else None,
            git=self._git(options[GIT]) if GIT in options else None,
            github=self._github(options[GITHUB]) if GITHUB in options else None,
            values=parse_values(data.get("values"), self.fail, self.warn),
            version_files=parse_version_files(data.get("versionFiles"), self.fail),
            npm_root=self._pkg_root(options.get(NPM, {})),
            commit_source=self._commit_source(data.get("commitSource", "git")),
            verified_commits=self._bool(data, "verifiedCommits", "", default=False),
            packages=packages, groups=groups,
            source=self.source,
        )
        self._cross_check(config)
        return config._replace(warnings=tuple(self.warnings))

    def _plugins(self, data: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        raw = data.get("plugins", list(DEFAULT_PLUGINS))
        if not isinstance(raw, list):
            raise self.fail("plugins", "must be a list of plugin names or [name, options] pairs")
        shared = {k: v for k, v in data.items() if k in SHARED_KEYS}
        steps = self._step_options(data)
        result: list[tuple[str, dict[str, Any]]] = []
        for index, entry in enumerate(raw):
            path = f"plugins[{index}]"
            if isinstance(entry, str):
                name, opts = entry, {}
            elif (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
                  and isinstance(entry[1], dict)):
                name, opts = entry[0], entry[1]
            else:
                raise self.fail(path, "must be a plugin name or a [name, {options}] pair")
            if name not in PLUGIN_KEYS:
                self.warn(path, f"plugin {name!r} is not one relbot runs; it is ignored")
                continue
            for key in opts:
                if key not in PLUGIN_KEYS[name]:
                    self.warn(f"{path}[1].{key}", f"unknown option of {name}, ignored")
            merged = {k: v for k, v in shared.items() if k in PLUGIN_KEYS[name]}
            result.append((name, {**merged, **opts, **steps.get(name, {})}))
        return result

    def _step_options(self, data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        """Top-level step options without a `path`, merged into the plugins that implement the
        step, as semantic-release does (`"analyzeCommits": {"releaseRules": [...]}`)."""
        by_plugin: dict[str, dict[str, Any]] = {}
        for step, plugins in STEP_PLUGINS.items():
            raw = data.get(step)
            if raw is None:
                continue
            if not isinstance(raw, dict) or "path" in raw:
                self.warn(step, "a step plugin given by path cannot be loaded; ignored (list the "
                          "plugin in `plugins` instead)")
                continue
            for name in plugins:
                for key in raw:
                    if key not in PLUGIN_KEYS[name]:
                        self.warn(f"{step}.{key}", f"unknown option of {name}, ignored")
                known = {k: v for k, v in raw.items() if k in PLUGIN_KEYS[name]}
                by_plugin.setdefault(name, {}).update(known)
        return by_plugin

    def _preset(self, opts: Mapping[str, Any], plugin: str) -> None:
        preset = opts.get("preset", "angular")
        if preset not in SUPPORTED_PRESETS:
            raise self.fail(f"plugins[{plugin}].preset", f"preset {preset!r} is not supported",
                            'use "angular" (semantic-release\'s default) or "conventionalcommits"; '
                            "relbot parses commits as Conventional Commits 1.0 with either")
        if "config" in opts:
            raise self.fail(f"plugins[{plugin}].config", "preset packages cannot be loaded",
                            'remove "config" and set "preset": "conventionalcommits"')
        if "writerOpts" in opts:
            self.warn(f"plugins[{plugin}].writerOpts", "templates are not supported; ignored")

    def _keywords(self, opts: Mapping[str, Any], plugin: str) -> tuple[str, ...]:
        parser_opts = opts.get("parserOpts", {})
        path = f"plugins[{plugin}].parserOpts"
        if not isinstance(parser_opts, dict):
            raise self.fail(path, "must be an object")
        for key in parser_opts:
            if key != "noteKeywords":
                self.warn(f"{path}.{key}", "parser option not supported; ignored")
        keywords = parser_opts.get("noteKeywords", [])
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            raise self.fail(f"{path}.noteKeywords", "must be a list of strings")
        return tuple(k.strip() for k in keywords if k.strip())  # as the parser reads them

    def _branches(self, raw: Any) -> tuple[BranchSpec, ...]:
        if raw is None:
            return DEFAULT_BRANCHES
        if isinstance(raw, str | dict):
            raw = [raw]
        if not isinstance(raw, list) or not raw:
            raise self.fail("branches", "must be a non-empty list of branch names or objects")
        return tuple(self._branch(entry, f"branches[{i}]") for i, entry in enumerate(raw))

    def _branch(self, entry: Any, path: str) -> BranchSpec:
        if isinstance(entry, str) and entry:
            return BranchSpec(entry)
        if not isinstance(entry, dict):
            raise self.fail(path, "must be a branch name or an object with a `name`")
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            raise self.fail(f"{path}.name", "is required and must be a non-empty string")
        for key in entry:
            if key not in {"name", "channel", "range", "prerelease"}:
                self.warn(f"{path}.{key}", "unknown branch option, ignored")
        prerelease = entry.get("prerelease")
        if prerelease is not None and not isinstance(prerelease, bool | str):
            raise self.fail(f"{path}.prerelease", "must be true, false or a prerelease id string")
        channel = entry.get("channel")
        if channel is not None and channel is not False and not isinstance(channel, str):
            raise self.fail(f"{path}.channel", "must be a string or false")
        rng = entry.get("range")
        if rng is not None and not isinstance(rng, str):
            raise self.fail(f"{path}.range", 'must be a string such as "1.x"')
        return BranchSpec(name, channel=channel if channel is False else (channel or None), range=rng,
                          prerelease=prerelease)

    def _tag_format(self, raw: Any) -> TagFormat:
        if not isinstance(raw, str):
            raise self.fail("tagFormat", 'must be a string such as "v${version}"')
        try:
            return TagFormat(raw)
        except ConfigError as exc:
            raise self.fail("tagFormat", exc.message, exc.hint) from None

    def _zero(self, raw: Any) -> ZeroPolicy:
        choices = [p.value for p in ZeroPolicy]
        if raw not in choices:
            raise self.fail("zeroVersion", f"must be one of {', '.join(choices)}, not {raw!r}")
        return ZeroPolicy(raw)

    def _opt_str(self, opts: Mapping[str, Any], key: str, path: str) -> str | None:
        value = opts.get(key)
        if value is not None and not isinstance(value, str):
            raise self.fail(path, "must be a string")
        return value or None

    def _bool(self, opts: Mapping[str, Any], key: str, path: str, *, default: bool) -> bool:
        value = opts.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"{path}.{key}" if path else key, "must be true or false")
        return value

    def _rules(self, raw: Any, path: str) -> tuple[ReleaseRule, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            raise self.fail(f"{path}.releaseRules", "must be a list of rule objects",
                            "a path to a rules module cannot be loaded; inline the rules")
        return tuple(self._rule(r, f"{path}.releaseRules[{i}]") for i, r in enumerate(raw))

    def _rule(self, raw: Any, path: str) -> ReleaseRule:
        if not isinstance(raw, dict):
            raise self.fail(path, "must be an object such as {\"type\": \"docs\", \"release\": \"patch\"}")
        release = raw.get("release")
        if release is not None and release is not False and (not isinstance(release, str)
                                                             or release not in _BUMPS):
            raise self.fail(f"{path}.release",
                            f'must be "major", "minor", "patch", false or null, not {release!r}')
        strings: dict[str, str | None] = {}
        for key in ("type", "scope", "subject"):
            value = raw.get(key)
            if value is not None and not isinstance(value, str):
                raise self.fail(f"{path}.{key}", "must be a string (a glob)")
            strings[key] = value
        for key in raw:
            if key not in {"type", "scope", "subject", "breaking", "revert", "release"}:
                self.warn(f"{path}.{key}", "rule field not supported; the rule ignores it")
        return ReleaseRule(
            release=_BUMPS[release] if release else None,
            type=strings["type"], scope=strings["scope"], subject=strings["subject"],
            breaking=bool(raw.get("breaking")), revert=bool(raw.get("revert")),
        )

    def _types(self, preset_config: Any) -> tuple[TypeSection, ...]:
        path = f"plugins[{NOTES}].presetConfig"
        if preset_config is None:
            return DEFAULT_TYPES
        if not isinstance(preset_config, dict):
            raise self.fail(path, "must be an object")
        for key in preset_config:
            if key != "types":
                self.warn(f"{path}.{key}", "preset option not supported; ignored")
        raw = preset_config.get("types")
        if raw is None:
            return DEFAULT_TYPES
        if not isinstance(raw, list):
            raise self.fail(f"{path}.types", "must be a list of {type, scope, section, hidden} objects")
        sections: list[TypeSection] = []
        for index, entry in enumerate(raw):
            item = f"{path}.types[{index}]"
            if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
                raise self.fail(item, "must be an object with a string `type`")
            section = entry.get("section", entry["type"])
            if not isinstance(section, str):
                raise self.fail(f"{item}.section", "must be a string")
            hidden = entry.get("hidden", False)
            if not isinstance(hidden, bool):
                raise self.fail(f"{item}.hidden", "must be true or false")
            scope = entry.get("scope")
            if scope is not None and not isinstance(scope, str):
                raise self.fail(f"{item}.scope", "must be a string: the one scope this entry is for")
            sections.append(TypeSection(entry["type"].lower(), section, hidden, scope or None))
        return tuple(sections)

    def _changelog(self, opts: Mapping[str, Any]) -> ChangelogOptions:
        path = f"plugins[{CHANGELOG}]"
        return ChangelogOptions(
            file=self._opt_str(opts, "changelogFile", f"{path}.changelogFile") or "CHANGELOG.md",
            title=self._opt_str(opts, "changelogTitle", f"{path}.changelogTitle"),
        )

    def _pkg_root(self, opts: Mapping[str, Any]) -> str:
        root = opts.get("pkgRoot", ".")
        if not isinstance(root, str) or not root.strip() or posixpath.isabs(root) \
                or ".." in root.split("/"):
            raise self.fail(f"plugins[{NPM}].pkgRoot", "must be a directory inside the repository",
                            "write it relative to the repository root, e.g. \"dist\"")
        return posixpath.normpath(root)

    def _git(self, opts: Mapping[str, Any]) -> GitOptions:
        path = f"plugins[{GIT}]"
        assets = opts.get("assets", list(DEFAULT_ASSETS))
        if assets is False:
            assets = []
        if isinstance(assets, str):
            assets = [assets]
        if not isinstance(assets, list) or not all(isinstance(a, str) for a in assets):
            raise self.fail(f"{path}.assets", "must be a list of paths or globs, or false")
        message = self._opt_str(opts, "message", f"{path}.message") or DEFAULT_MESSAGE
        return GitOptions(assets=tuple(assets), message=message)

    def _github(self, opts: Mapping[str, Any]) -> GithubOptions:
        path = f"plugins[{GITHUB}]"
        if opts.get("proxy") not in (None, False):
            self.warn(f"{path}.proxy", "set HTTPS_PROXY (and NO_PROXY) in the environment instead; "
                      "relbot's HTTP client reads them")
        if opts.get("githubApiPathPrefix"):
            self.warn(f"{path}.githubApiPathPrefix", "ignored: give the whole API URL as githubApiUrl "
                      "(GitHub Enterprise: https://HOST/api/v3)")
        for key in ("successCommentCondition", "failCommentCondition"):
            if opts.get(key) not in (None, False):
                raise self.fail(f"{path}.{key}", "a condition is a JavaScript template, which relbot "
                                "does not run", "use false to turn the comments off, or remove it")
        fail_on = not (opts.get("failComment") is False or opts.get("failTitle") is False
                       or opts.get("failCommentCondition") is False)
        add_releases = opts.get("addReleases", False)
        if add_releases not in (False, "top", "bottom"):
            raise self.fail(f"{path}.addReleases", 'must be false, "top" or "bottom"')
        labels = self._strings(opts, "labels", path)
        released = self._strings(opts, "releasedLabels", path)
        return GithubOptions(
            draft_release=self._bool(opts, "draftRelease", path, default=False),
            release_name_template=self._opt_str(opts, "releaseNameTemplate", f"{path}.releaseNameTemplate"),
            release_body_template=self._opt_str(opts, "releaseBodyTemplate", f"{path}.releaseBodyTemplate"),
            github_url=self._opt_str(opts, "githubUrl", f"{path}.githubUrl"),
            github_api_url=self._opt_str(opts, "githubApiUrl", f"{path}.githubApiUrl"),
            assets=self._assets(opts.get("assets"), f"{path}.assets"),
            success_comment=self._text_or_false(opts, "successComment", path),
            success_on=opts.get("successComment") is not False
            and opts.get("successCommentCondition") is not False,
            fail_comment=self._text_or_false(opts, "failComment", path),
            fail_title=self._text_or_false(opts, "failTitle", path) or DEFAULT_FAIL_TITLE,
            fail_on=fail_on,
            labels=(FAIL_LABEL,) if labels is None else labels,
            assignees=self._strings(opts, "assignees", path) or (),
            released_labels=released,
            add_releases=add_releases or None,
            discussion_category_name=self._text_or_false(opts, "discussionCategoryName", path),
        )

    def _text_or_false(self, opts: Mapping[str, Any], key: str, path: str) -> str | None:
        value = opts.get(key)
        if value is None or value is False:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{path}.{key}", "must be a non-empty string or false")
        return value

    def _strings(self, opts: Mapping[str, Any], key: str, path: str) -> tuple[str, ...] | None:
        """A string or a list of strings; `false` is the empty tuple, absent is None."""
        value = opts.get(key)
        if value is None:
            return None
        if value is False:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(f"{path}.{key}", "must be a string, a list of strings, or false")
        return tuple(value)

    def _assets(self, raw: Any, path: str) -> tuple[Asset, ...]:
        """semantic-release's shapes: a glob, a list of globs (one group: `!glob` leaves out), or
        `{"path": glob or globs, "name": …, "label": …}`."""
        if raw is None or raw is False:
            return ()
        entries = raw if isinstance(raw, list) else [raw]
        assets: list[Asset] = []
        for index, entry in enumerate(entries):
            where = f"{path}[{index}]"
            if isinstance(entry, dict):
                for key in entry:
                    if key not in ("path", "name", "label"):
                        self.warn(f"{where}.{key}", "unknown asset option, ignored")
                for key in ("name", "label"):
                    if entry.get(key) is not None and not isinstance(entry[key], str):
                        raise self.fail(f"{where}.{key}", "must be a string")
                globs = self._globs(entry.get("path"), f"{where}.path")
                assets.append(Asset(globs, entry.get("name") or None, entry.get("label") or None))
            else:
                assets.append(Asset(self._globs(entry, where)))
        return tuple(assets)

    def _globs(self, raw: Any, where: str) -> tuple[str, ...]:
        globs = [raw] if isinstance(raw, str) else raw
        if not isinstance(globs, list) or not globs \
                or not all(isinstance(g, str) and g.strip() for g in globs):
            raise self.fail(where, 'must be a glob, a list of globs, or {"path": GLOB, "name": …, '
                            '"label": …}')
        if all(g.startswith("!") for g in globs):
            raise self.fail(where, "has only `!` globs, which match nothing by themselves",
                            'add what to upload: ["dist/*", "!dist/*.map"]')
        return tuple(globs)

    def _commit_source(self, raw: Any) -> str:
        if raw not in ("git", "pull-request"):
            raise self.fail("commitSource", f'must be "git" or "pull-request", not {raw!r}',
                            '"pull-request" reads a squash-merged pull request\'s title and body '
                            "through GitHub's API and parses them as the commit's message")
        return str(raw)

    def _cross_check(self, config: Config) -> None:
        if ANALYZER not in config.plugins:
            raise self.fail("plugins", f"{ANALYZER} is required to decide the release type",
                            f'add "{ANALYZER}" as the first plugin')
        names = [b.name for b in config.branches]
        for index, name in enumerate(names):
            if name in names[:index]:
                raise self.fail(f"branches[{index}].name", f"branch {name!r} is listed twice")
        if config.changelog is not None and config.git is not None:
            order = list(config.plugins)
            if order.index(CHANGELOG) > order.index(GIT):
                self.warn("plugins", f"{CHANGELOG} should come before {GIT}; relbot "
                          "writes the changelog first either way")

