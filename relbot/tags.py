"""Tag formats (`v${version}`, `server-v${version}`): rendering a version into a tag name,
reading the version back, and picking the release tags out of a repository's tag refs. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import semver

from relbot.errors import ConfigError
from relbot.model import Tag, TagRef

_PLACEHOLDER = "${version}"


@dataclass(frozen=True)
class TagFormat:
    """A tag template such as `v${version}` or `server-v${version}`."""

    template: str

    def __post_init__(self) -> None:
        if self.template.count(_PLACEHOLDER) != 1:
            raise ConfigError(
                f"tagFormat {self.template!r} must contain ${{version}} exactly once",
                "use a format such as \"v${version}\" or \"server-v${version}\"",
            )
        rest = self.template.replace(_PLACEHOLDER, "")
        if "${" in rest or re.search(r"[\s~^:?*\[\\]", rest):
            raise ConfigError(
                f"tagFormat {self.template!r} has a placeholder other than ${{version}} "
                "or a character git does not allow in tag names",
                "relbot renders only ${version}; write any other part literally",
            )

    @property
    def prefix(self) -> str:
        return self.template.split(_PLACEHOLDER)[0]

    @property
    def suffix(self) -> str:
        return self.template.split(_PLACEHOLDER)[1]

    def render(self, version: str) -> str:
        return self.template.replace(_PLACEHOLDER, version)

    def parse(self, name: str) -> str | None:
        """The version in a tag name, or None when the name does not match the format."""
        prefix, suffix = self.prefix, self.suffix
        if not name.startswith(prefix) or not name.endswith(suffix):
            return None
        text = name[len(prefix) : len(name) - len(suffix)] if suffix else name[len(prefix) :]
        return text if semver.Version.is_valid(text) else None

    def glob(self) -> str:
        """A `git for-each-ref` pattern that selects candidate tags."""
        return f"refs/tags/{self.prefix}*{self.suffix}"


def release_tags(refs: Iterable[TagRef], tag_format: TagFormat) -> list[Tag]:
    """The refs whose names match `tag_format`, as release tags with their versions."""
    tags: list[Tag] = []
    for ref in refs:
        version = tag_format.parse(ref.name)
        if version is not None:
            tags.append(Tag(ref.name, version, ref.sha))
    return tags
