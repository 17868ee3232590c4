"""When a new image tag would move a value backwards: tags compared as the versions they stand for."""

from __future__ import annotations

import re

import semver

from relbot.errors import DowngradeRefused
from relbot.values.images import parse_reference


def refuse_downgrade(old: str, new: str, path: str, source: str, shown: str | None = None) -> None:
    old_v, new_v = _as_semver(old), _as_semver(new)
    if old_v is not None and new_v is not None and _same_flavor(old_v, new_v) and new_v < old_v:
        raise DowngradeRefused(
            f"{source}: {path} is {shown or old}; setting {new} would move it backwards (an older "
            "pipeline finishing last would roll production back)",
            "pass --allow-downgrade for a deliberate rollback")


# pre-release words; any other word after the version names an image variant (`-alpine`, `-bookworm`)
_PRERELEASE_WORDS = frozenset({"", "a", "alpha", "b", "beta", "rc", "cr", "pre", "preview", "dev", "snapshot",
                               "canary", "next", "nightly", "m", "milestone", "ea", "test"})


def _same_flavor(old: semver.Version, new: semver.Version) -> bool:
    """Versions compare only as the same image variant: `1.25.3-alpine` is not older than
    `1.25.3-bookworm` or `1.25.3`, while `1.25.2-alpine` is older than `1.25.3-alpine`."""
    def flavor(version: semver.Version) -> str | None:
        if not version.prerelease:
            return None
        word = re.match(r"[A-Za-z]*", version.prerelease.split(".", 1)[0])
        return word[0].lower() if word else ""

    old_flavor, new_flavor = flavor(old), flavor(new)
    variants = {f for f in (old_flavor, new_flavor) if f is not None and f not in _PRERELEASE_WORDS}
    return not variants or old_flavor == new_flavor


SHORT_VERSION = re.compile(r"^(\d+)\.(\d+)(?=$|\+)")  # `1.10`, not a bare number (a SHA can be digits)


def _as_semver(text: str) -> semver.Version | None:
    """The version a value holds, for the downgrade check; None for what is not one.

    Image tags write semver's build metadata with `_` (a Docker tag cannot hold `+`:
    `0.0.6-SNAPSHOT_3ced321a`), and often leave out the patch (`1.10`): both compare as the versions
    they stand for. A bare number is not read as one (a short SHA can be all digits).
    """
    ref = parse_reference(text)
    if ref is not None and ref.tag is not None:
        text = ref.tag  # `repo:1.2.4` compares by its tag
    text = text.split("@", 1)[0]
    candidate = text[1:] if text[:1] in "vV" else text
    if "+" not in candidate and "_" in candidate:
        candidate = candidate.replace("_", "+", 1)
    short = SHORT_VERSION.match(candidate)
    if short is not None:
        candidate = f"{short[1]}.{short[2]}.0{candidate[short.end():]}"
    return semver.Version.parse(candidate) if semver.Version.is_valid(candidate) else None
