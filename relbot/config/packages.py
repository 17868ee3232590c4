"""The `packages` and `groups` sections (relbot's own, for monorepos): shape checks with JSON
paths, and the cross-checks that keep packages apart (unique names, one group each, tag formats
that can never read each other's tags)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from relbot.config.options import GROUP_KEYS, PACKAGE_KEYS, GroupSpec, PackageSpec
from relbot.config.values import parse_version_files
from relbot.errors import ConfigError, UsageError
from relbot.model import ReleaseRule, ZeroPolicy
from relbot.tags import TagFormat

Fail = Callable[..., ConfigError]
Warn = Callable[[str, str], None]
Rules = Callable[[Any, str], tuple[ReleaseRule, ...]]
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*")
_EXAMPLE = '{"name": "server", "path": "server"}'


def parse_packages(raw: Any, groups_raw: Any, fail: Fail, warn: Warn, rules: Rules,
                   top_tag_format: TagFormat) -> tuple[tuple[PackageSpec, ...], tuple[GroupSpec, ...]]:
    """`packages: [{name, path, ...}]` and `groups: [{name, packages, tagFormat}]`."""
    if raw is None:
        if groups_raw is not None:
            raise fail("groups", "groups are made of `packages`, and there are none")
        return (), ()
    if not isinstance(raw, list) or not raw:
        raise fail("packages", f"must be a non-empty list of objects such as {_EXAMPLE}")
    packages = tuple(_package(entry, f"packages[{i}]", fail, warn, rules) for i, entry in enumerate(raw))
    names = [p.name for p in packages]
    for index, name in enumerate(names):
        if name in names[:index]:
            raise fail(f"packages[{index}].name", f"package {name!r} is listed twice")
    groups = _groups(groups_raw, {p.name for p in packages}, fail, warn, top_tag_format)
    _check_formats(packages, groups, fail)
    _check_changelogs(packages, groups, fail)
    return packages, groups


def changelog_path(package: PackageSpec) -> str:
    """Where a package's notes go: `changelogFile`, else CHANGELOG.md in its first path."""
    return package.changelog_file or posixpath.join(package.paths[0], "CHANGELOG.md")


def _check_changelogs(packages: Sequence[PackageSpec], groups: Sequence[GroupSpec], fail: Fail) -> None:
    """Two release units never write one changelog (one version's section would replace the
    other's), nor one key of one version file (the last version written would win)."""
    unit_of = {m: g.name for g in groups for m in g.members}
    owner: dict[object, str] = {}
    for index, package in enumerate(packages):
        unit = unit_of.get(package.name, package.name)
        path = changelog_path(package)
        if owner.setdefault(path, unit) != unit:
            raise fail(f"packages[{index}].changelogFile", f"{path} is also {owner[path]!r}'s changelog",
                       "give each package (or group) a changelog of its own")
        for entry in package.version_files:
            if owner.setdefault(entry, unit) != unit:
                raise fail(f"packages[{index}].versionFiles", f"{entry[0]} `{entry[1]}` is also "
                           f"{owner[entry]!r}'s version", "give each package (or group) its own key")


def _package(raw: Any, where: str, fail: Fail, warn: Warn, rules: Rules) -> PackageSpec:
    name = _named(raw, where, PACKAGE_KEYS, "package", fail, warn)
    paths = _paths(raw.get("path"), f"{where}.path", fail)
    scopes = raw.get("scopes", [])
    if not isinstance(scopes, list) or not all(isinstance(s, str) and s for s in scopes):
        raise fail(f"{where}.scopes", "must be a list of commit scopes, such as [\"server\"]")
    fmt = raw.get("tagFormat", f"{name}-v${{version}}")
    if not isinstance(fmt, str):
        raise fail(f"{where}.tagFormat", 'must be a string such as "server-v${version}"')
    try:
        tag_format = TagFormat(fmt)
    except ConfigError as exc:
        raise fail(f"{where}.tagFormat", exc.message, exc.hint) from None
    changelog = raw.get("changelogFile")
    if changelog is not None and (not isinstance(changelog, str) or not changelog.strip()):
        raise fail(f"{where}.changelogFile", "must be a path such as \"server/CHANGELOG.md\"")
    if changelog is not None:
        changelog = _inside(changelog, f"{where}.changelogFile", fail)
    zero = raw.get("zeroVersion")
    if zero is not None and zero not in [p.value for p in ZeroPolicy]:
        raise fail(f"{where}.zeroVersion", f"must be one of {', '.join(p.value for p in ZeroPolicy)}")
    return PackageSpec(
        name=name, paths=paths, scopes=tuple(scopes), tag_format=tag_format,
        changelog_file=changelog,
        version_files=tuple((_inside(path, f"{where}.versionFiles", fail), key) for path, key
                            in parse_version_files(raw.get("versionFiles"), _prefixed(fail, where))),
        release_rules=rules(raw["releaseRules"], where) if "releaseRules" in raw else None,
        zero_version=ZeroPolicy(zero) if zero is not None else None)


def _named(raw: Any, where: str, keys: frozenset[str], what: str, fail: Fail, warn: Warn) -> str:
    """An entry of `packages` or `groups`: an object (unknown keys warned about) and its name."""
    if not isinstance(raw, dict):
        raise fail(where, f"must be an object with a `name`, such as {_EXAMPLE}")
    for key in raw:
        if key not in keys:
            warn(f"{where}.{key}", f"unknown {what} option, ignored")
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise fail(f"{where}.name", "is required: letters, digits, `.`, `_`, `-` (and `/` between parts)")
    return name


def _prefixed(fail: Fail, where: str) -> Fail:
    def prefixed(path: str, message: str, *hint: str) -> ConfigError:
        return fail(f"{where}.{path}", message, *hint)
    return prefixed


def _paths(raw: Any, where: str, fail: Fail) -> tuple[str, ...]:
    paths = [raw] if isinstance(raw, str) else raw
    if not isinstance(paths, list) or not paths or not all(isinstance(p, str) and p.strip() for p in paths):
        raise fail(where, "is required: the folder (or folders) whose changes belong to the package",
                   'for example "path": "server" or "path": ["server", "proto/server"]')
    return tuple(_inside(path, where, fail, folder=True) for path in paths)


def _inside(path: str, where: str, fail: Fail, *, folder: bool = False) -> str:
    """`path` normalized (`./a//b` is `a/b`), relative to the repository root; a path outside it
    is an error. A folder "." is "" (the whole repository)."""
    clean = posixpath.normpath(path.strip().rstrip("/") if folder else path.strip())
    if posixpath.isabs(path.strip()) or clean == ".." or clean.startswith("../"):
        raise fail(where, f"{path!r} is outside the repository", "write it relative to the repository root")
    if clean == "." and not folder:
        raise fail(where, f"{path!r} is not a file")
    return "" if clean == "." else clean


def _groups(raw: Any, known: set[str], fail: Fail, warn: Warn,
            top_tag_format: TagFormat) -> tuple[GroupSpec, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise fail("groups", 'must be a list such as '
                   '[{"name": "platform", "packages": ["server", "console"]}]')
    groups: list[GroupSpec] = []
    taken: dict[str, str] = {}
    for index, entry in enumerate(raw):
        where = f"groups[{index}]"
        name = _named(entry, where, GROUP_KEYS, "group", fail, warn)
        if name in known or any(g.name == name for g in groups):
            raise fail(f"{where}.name", f"{name!r} is already the name of a package or group")
        members = entry.get("packages")
        if not isinstance(members, list) or not members or not all(isinstance(m, str) for m in members):
            raise fail(f"{where}.packages", "must be a non-empty list of package names")
        for member in members:
            if member not in known:
                raise fail(f"{where}.packages", f"{member!r} is not a package in `packages`")
            if member in taken:
                raise fail(f"{where}.packages", f"{member!r} is already in the group {taken[member]!r}",
                           "a package shares one version with one group at most")
            taken[member] = name
        fmt = entry.get("tagFormat", top_tag_format.template)
        try:
            tag_format = TagFormat(fmt) if isinstance(fmt, str) else None
        except ConfigError as exc:
            raise fail(f"{where}.tagFormat", exc.message, exc.hint) from None
        if tag_format is None:
            raise fail(f"{where}.tagFormat", 'must be a string such as "v${version}"')
        groups.append(GroupSpec(name, tuple(members), tag_format))
    return tuple(groups)


def _check_formats(packages: Sequence[PackageSpec], groups: Sequence[GroupSpec], fail: Fail) -> None:
    """Every release unit (a group, or a package in none) has a tag format that reads no other
    unit's tags: `server-v1.2.0` is never `server-api`'s."""
    grouped = {m for g in groups for m in g.members}
    units: Mapping[str, TagFormat] = {
        **{g.name: g.tag_format for g in groups},
        **{p.name: p.tag_format for p in packages if p.name not in grouped},
    }
    samples = ("1.2.3", "1.2.3-beta.1", "0.1.0-rc.2+build.5")
    for name, fmt in units.items():
        for other, other_fmt in units.items():
            if other != name and any(fmt.parse(other_fmt.render(v)) is not None for v in samples):
                raise fail("packages", f"the tag format of {name!r} ({fmt.template}) also reads the tags "
                           f"of {other!r} ({other_fmt.template})",
                           "give each package (or group) its own prefix, such as \"server-v${version}\"")


def tag_format_of(packages: Sequence[PackageSpec], groups: Sequence[GroupSpec], name: str) -> TagFormat:
    """The tag format of package (or group) `name`: its group's when it is in one. Raises
    ConfigError for a name that is neither."""
    for group in groups:
        if name == group.name or name in group.members:
            return group.tag_format
    for package in packages:
        if package.name == name:
            return package.tag_format
    known = ", ".join(p.name for p in packages) or "none: the configuration has no `packages`"
    raise UsageError(f"--package {name!r}: no such package", f"the packages are: {known}")
