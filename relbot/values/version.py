"""Where the version for `${version}` comes from, said out loud: an explicit --version, the tag
that triggered the run (GITHUB_REF=refs/tags/…, only when it really is a tag), or the latest
release tag in the repository (--version-from tag). Never a guess."""

from __future__ import annotations

from collections.abc import Mapping

import semver

from relbot.errors import InputError
from relbot.gitrepo import GitRepo
from relbot.tags import TagFormat, release_tags

_HINT = ("pass --version 1.2.3, run on the tag's workflow (GITHUB_REF=refs/tags/v1.2.3), or pass "
         "--version-from tag to use the latest release tag")


def resolve_version(
    explicit: str | None, version_from: str | None, env: Mapping[str, str], repo: GitRepo | None,
    tag_format: TagFormat, *, required: bool,
) -> tuple[str | None, str]:
    """(version, where it came from); version None when no template needs one."""
    if explicit:
        return explicit.strip(), "--version"
    if version_from == "tag":
        return _latest_tag(repo, tag_format)
    if version_from not in (None, "ref"):
        raise InputError(f"--version-from {version_from!r} is not known", "use `tag` or `ref`")
    ref = env.get("GITHUB_REF", "")
    if ref.startswith("refs/tags/"):
        tag = ref.removeprefix("refs/tags/")
        version = tag_format.parse(tag)
        if version is None:
            raise InputError(f"GITHUB_REF={ref} is a tag, but {tag!r} does not match the tag "
                             f"format {tag_format.template!r}", _HINT)
        return version, f"GITHUB_REF={ref}"
    if not required:
        return None, "not needed"
    if ref:
        raise InputError(
            f"no version: GITHUB_REF={ref} is not a tag (in a workflow_run or push-to-branch job "
            "it names the branch, so it cannot say which image was built)", _HINT)
    raise InputError("no version given", _HINT)


def _latest_tag(repo: GitRepo | None, tag_format: TagFormat) -> tuple[str, str]:
    if repo is None:
        raise InputError("--version-from tag needs a git repository", "run in a clone, or pass --version")
    releases = [t for t in release_tags(repo.tags(tag_format.glob()), tag_format)
                if not semver.Version.parse(t.version).prerelease]
    if not releases:
        raise InputError(f"--version-from tag: no release tag matches {tag_format.template!r} "
                         "in this repository", "fetch the tags (fetch-depth: 0) or pass --version")
    latest = max(releases, key=lambda t: semver.Version.parse(t.version))
    return latest.version, f"the latest release tag {latest.name}"
