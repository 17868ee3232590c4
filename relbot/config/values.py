"""The `values` section of the configuration (relbot's own): shape checks with JSON paths."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from relbot.config.options import VALUES_FILE_KEYS, VALUES_KEYS, ValuesFile, ValuesOptions
from relbot.errors import ConfigError

Fail = Callable[[str, str], ConfigError]
Warn = Callable[[str, str], None]
_EXAMPLE = ('{"values": {"files": [{"path": "k8s/app/values-production.yaml", '
            '"set": {".app.image.tag": "${version}"}}], "push": true}}')


def parse_values(raw: Any, fail: Fail, warn: Warn) -> ValuesOptions | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise fail("values", f"must be an object such as {_EXAMPLE}")
    for key in raw:
        if key not in VALUES_KEYS:
            warn(f"values.{key}", "unknown option, ignored")
    files = raw.get("files", [])
    if not isinstance(files, list):
        raise fail("values.files", "must be a list of {path, set, images} objects")
    message = raw.get("message")
    if message is not None and not isinstance(message, str):
        raise fail("values.message", "must be a string such as \"chore: update image tags to ${version}\"")
    return ValuesOptions(
        files=tuple(_file(entry, f"values.files[{i}]", fail, warn) for i, entry in enumerate(files)),
        commit=_flag(raw, "commit", fail), push=_flag(raw, "push", fail),
        create_pr=_flag(raw, "createPr", fail), message=message,
        on_release=_flag(raw, "onRelease", fail),
    )


def parse_version_files(raw: Any, fail: Fail) -> tuple[tuple[str, str], ...]:
    """`versionFiles`: ["package.json", {"path": "chart/Chart.yaml", "key": "appVersion"}]."""
    known = {"package.json": "version", "pyproject.toml": "project.version", "Chart.yaml": "version"}
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise fail("versionFiles", "must be a list of file names or {path, key} objects")
    entries: list[tuple[str, str]] = []
    for index, entry in enumerate(raw):
        path = f"versionFiles[{index}]"
        if isinstance(entry, str):
            name = entry.rsplit("/", 1)[-1]
            if name not in known:
                raise fail(path, f"{entry!r} needs a key: write {{\"path\": {entry!r}, \"key\": \"a.b\"}}")
            entries.append((entry, known[name]))
        elif isinstance(entry, dict) and isinstance(entry.get("path"), str) \
                and isinstance(entry.get("key"), str) and entry["path"] and entry["key"]:
            entries.append((entry["path"], entry["key"]))
        else:
            raise fail(path, "must be a file name or an object with `path` and `key`")
    return tuple(entries)


def _flag(raw: dict[str, Any], key: str, fail: Fail, path: str = "values") -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise fail(f"{path}.{key}", "must be true or false")
    return value


def _file(entry: Any, path: str, fail: Fail, warn: Warn) -> ValuesFile:
    if not isinstance(entry, dict) or not isinstance(entry.get("path"), str) or not entry["path"]:
        raise fail(path, "must be an object with a `path` (the values file, relative to the repository)")
    for key in entry:
        if key not in VALUES_FILE_KEYS:
            warn(f"{path}.{key}", "unknown option, ignored")
    sets = _mapping(entry.get("set", {}), f"{path}.set", fail)
    images = _mapping(entry.get("images", {}), f"{path}.images", fail)
    if not sets and not images:
        raise fail(path, "sets nothing: add `set` (path → value) or `images` (repository → tag)")
    document = entry.get("document")
    if document is not None and (not isinstance(document, int) or isinstance(document, bool)
                                 or document < 1):
        raise fail(f"{path}.document", "must be a document number, counted from 1")
    return ValuesFile(entry["path"], sets, images, document, _flag(entry, "create", fail, path))


def _mapping(raw: Any, path: str, fail: Fail) -> dict[str, str]:
    if not isinstance(raw, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                            for k, v in raw.items()):
        raise fail(path, "must map strings to strings, e.g. {\".app.image.tag\": \"${version}\"}")
    return dict(raw)
