"""Finding and reading the configuration: `.releaserc*` (JSON or YAML), `package.json#release`,
an explicit `--config` file, or an options object. The file's text becomes an options object here;
`relbot.config.parse` validates it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from relbot.config.options import CONFIG_FILES, CONFIG_HINT, JS_CONFIG_FILES, Config
from relbot.config.parse import parse_config
from relbot.errors import ConfigError


def load_config(root: Path, config: Mapping[str, Any] | None = None,
                config_path: Path | None = None) -> Config:
    """The configuration: an options object, an explicit file, or the first file found in root."""
    if config is not None:
        return parse_config(config, "<options>")
    if config_path is not None:
        return _read_config(config_path, required=True)
    for name in (*CONFIG_FILES, *JS_CONFIG_FILES):
        path = root / name
        if not path.is_file():
            continue
        if name == "package.json" and not _has_release_key(path):
            continue  # as cosmiconfig does: a `release` npm script is not a configuration
        return _read_config(path, required=False)
    return Config()


def _has_release_key(path: Path) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False  # an unreadable package.json is npm's problem, not a configuration
    return isinstance(data, dict) and data.get("release") is not None  # null: none, as cosmiconfig


def _read_config(path: Path, *, required: bool) -> Config:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file", "check the --config path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read: {exc}", "check the file") from None
    del required
    return parse_config(load_text(text, str(path)), str(path))


def load_text(text: str, filename: str) -> dict[str, Any]:
    """The options object in a config file's text (JSON, or YAML for `.releaserc*`)."""
    name = filename.rsplit("/", 1)[-1]
    if name in JS_CONFIG_FILES or name.endswith((".js", ".cjs", ".mjs", ".ts")):
        raise ConfigError(
            f"{filename}: JavaScript configuration files cannot be read by relbot",
            "move the options to .releaserc.json (same keys; it is JSON, so no functions "
            "or require())",
        )
    if name == "package.json":
        data = _parse_json(text, filename)
        release = data.get("release", {})
        if not isinstance(release, dict):
            raise ConfigError(f"{filename}: `release` must be an object", CONFIG_HINT)
        return release
    if name.endswith(".json"):
        return _parse_json(text, filename)
    if name == ".releaserc" and text.lstrip().startswith("{"):
        try:
            return _parse_json(text, filename)
        except ConfigError as json_error:
            try:  # a YAML flow mapping also starts with `{`
                return _parse_yaml(text, filename)
            except ConfigError:
                raise json_error from None
    return _parse_yaml(text, filename)


def _parse_json(text: str, filename: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{filename}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
            "fix the syntax (a trailing comma is the usual cause)",
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{filename}: the top level must be an object", "wrap the options in {}")
    return data


def _parse_yaml(text: str, filename: str) -> dict[str, Any]:
    from ruamel.yaml import YAML  # noqa: PLC0415 - heavy, only for YAML configs
    from ruamel.yaml.error import YAMLError  # noqa: PLC0415

    try:
        data = YAML(typ="safe", pure=True).load(text)
    except YAMLError as exc:
        raise ConfigError(f"{filename}: invalid YAML: {exc}", "fix the syntax") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{filename}: the top level must be a mapping", "write `key: value` lines")
    return data
