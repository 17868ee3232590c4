"""Release assets through GitHub's REST API: what a Release holds, and uploading files to it (a
same-named asset is replaced, so a rerun after a failed upload finishes the job)."""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from relbot.errors import GitHubError
from relbot.github import calling, release_by_tag, repository
from relbot.remotes import GitHubTarget


class AssetFile(NamedTuple):
    """A file to upload: where it is, and the asset's name and label on the Release."""

    path: Path
    name: str
    label: str


def uploaded(target: GitHubTarget, env: Mapping[str, str], tag: str) -> tuple[bool, dict[str, int]] | None:
    """Whether the Release for `tag` is a draft, and its assets (name → size in bytes); None when
    there is no Release."""
    with calling(target, f"reading the assets of {tag} on {target.slug}", "`contents: read`"):
        release = release_by_tag(repository(target, env), tag)
        if release is None:
            return None
        return bool(release.draft), {str(a.name): int(a.size) for a in release.get_assets()
                                     if a.state == "uploaded"}


def upload(target: GitHubTarget, env: Mapping[str, str], tag: str, files: Sequence[AssetFile],
           *, publish: bool, discussion: str | None = None) -> tuple[str, list[str]]:
    """Upload `files` to the Release for `tag`, replacing same-named assets; with `publish`, then
    publish the draft it was created as. Returns the Release's URL and the assets' download URLs."""
    urls: list[str] = []
    with calling(target, f"uploading the assets of {tag} to {target.slug}", "`contents: write`"):
        release = release_by_tag(repository(target, env), tag)
        if release is None:
            raise GitHubError(f"the GitHub Release {tag} is gone from {target.slug}",
                              "rerun the release: it creates the Release again")
        present = {str(a.name): a for a in release.get_assets()}
        for file in files:
            if file.name in present:
                present[file.name].delete_asset()
            content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            with file.path.open("rb") as data:
                asset = release.upload_asset_from_memory(data, file.path.stat().st_size, name=file.name,
                                                         content_type=content_type, label=file.label)
            urls.append(str(asset.browser_download_url))
    if publish and release.draft:
        extra = {"discussion_category_name": discussion} if discussion else {}
        with calling(target, f"publishing the GitHub Release {tag} on {target.slug}", "`contents: write`"):
            release = release.update_release(name=release.name, message=release.body or "", draft=False,
                                             prerelease=release.prerelease, **extra)
    return str(release.html_url), urls
