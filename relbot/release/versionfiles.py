"""Writing the new version into project files in place: package.json `version` (and npm's lock
files, as `npm version` does), pyproject.toml `[project].version`, Helm Chart.yaml
`version`/`appVersion`, or any JSON, YAML or TOML key.
Text in, text out; every byte but the version's is kept."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from relbot.errors import ConfigError, InputError
from relbot.values.edit import SetValue, edit_values
from relbot.values.yamlpath import parse_path

_TABLE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_STRING = r"(\"(?:[^\"\\]|\\.)*\"|'[^']*')"


@dataclass(frozen=True)
class VersionFile:
    """One `versionFiles` entry: a file and the dotted key that holds the version (and, for npm's
    lock files, the other keys `npm version` sets)."""

    path: str
    key: str
    also: tuple[str, ...] = ()


NPM_LOCK_FILES = ("package-lock.json", "npm-shrinkwrap.json")


def npm_files(root: Path, pkg_root: str) -> list[VersionFile]:
    """What `npm version` (run by @semantic-release/npm in `pkgRoot`) writes the version into:
    package.json, and the lock files there with their root package entry (lockfileVersion 2, 3)."""
    base = PurePosixPath(pkg_root)
    entries: list[VersionFile] = []
    if (root / base / "package.json").is_file():
        entries.append(VersionFile((base / "package.json").as_posix(), "version"))
    for name in NPM_LOCK_FILES:
        path = root / base / name
        if path.is_file():
            try:
                lock = json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError) as exc:
                raise InputError(f"{(base / name).as_posix()}: not valid JSON ({exc})",
                                 "fix the lock file (npm install rewrites it)") from None
            root_package = lock.get("packages", {}).get("") if isinstance(lock, dict) else None
            has_root = isinstance(root_package, dict) and "version" in root_package
            also = ('packages[""].version',) if has_root else ()
            entries.append(VersionFile((base / name).as_posix(), "version", also))
    return entries


def set_version(text: str, entry: VersionFile, version: str) -> str:
    """`text` with the version key set; JSON and YAML through the YAML editor, TOML by line."""
    if entry.path.endswith(".toml"):
        return _toml(text, entry, version)
    if not entry.path.endswith((".json", ".yaml", ".yml")):
        raise ConfigError(f"versionFiles: {entry.path}: only .json, .yaml/.yml and .toml files",
                          "name a JSON, YAML or TOML file")
    edits = [SetValue(parse_path(key), version) for key in (entry.key, *entry.also)]
    result = edit_values(text, edits, source=entry.path, allow_downgrade=True)
    return result.text


def _toml(text: str, entry: VersionFile, version: str) -> str:
    *table_parts, key = entry.key.split(".")
    table = ".".join(table_parts)
    lines = text.splitlines(keepends=True)
    current = ""
    pattern = re.compile(rf"^(\s*{re.escape(key)}\s*=\s*){_STRING}")
    for index, line in enumerate(lines):
        header = _TABLE.match(line)
        if header:
            current = header.group(1).replace(" ", "")
            continue
        found = pattern.match(line) if current == table else None
        if found:
            quote = found.group(2)[0]
            lines[index] = found.group(1) + f"{quote}{version}{quote}" + line[found.end():]
            new = "".join(lines)
            _check_toml(new, table_parts, key, version, entry.path)
            return new
    raise InputError(f"{entry.path}: no `{key} = \"…\"` in [{table or 'top level'}]",
                     "add the key once by hand, or fix versionFiles")


def _check_toml(text: str, table: list[str], key: str, version: str, path: str) -> None:
    data = tomllib.loads(text)
    for part in table:
        data = data[part]
    if data.get(key) != version:
        raise InputError(f"{path}: writing the version did not read back", "please report this")
