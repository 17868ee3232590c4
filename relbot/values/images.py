"""Container image references: `[registry/]repository[:tag][@digest]`, Docker Hub's defaults, and
the `--image REPOSITORY=TAG` argument. Text in, values out."""

from __future__ import annotations

import re
from typing import NamedTuple

from relbot.errors import InputError

_DIGEST = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$")
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
DOCKER_HUB = "docker.io"


class ImageRef(NamedTuple):
    registry: str | None
    repository: str  # path without registry, e.g. "acme/api" or "library/nginx"
    tag: str | None
    digest: str | None

    @property
    def name(self) -> str:
        """The canonical `registry/repository`, Docker Hub spelled out."""
        return f"{self.registry or DOCKER_HUB}/{self.repository}"

    def render(self, original: str) -> str:
        """This reference written the way `original` spelled its name."""
        name = original.split("@", 1)[0]
        slash = name.rfind("/")
        colon = name.rfind(":")
        if colon > slash:
            name = name[:colon]
        text = name
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def _split_registry(name: str) -> tuple[str | None, str]:
    first, sep, rest = name.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        return first, rest
    return None, name


def normalize_name(name: str) -> str:
    """`nginx` → `docker.io/library/nginx`; `ghcr.io/acme/api` unchanged."""
    registry, repository = _split_registry(name.strip().lower())
    if registry in (None, "index.docker.io", "registry-1.docker.io"):
        registry = DOCKER_HUB
    if registry == DOCKER_HUB and "/" not in repository:
        repository = f"library/{repository}"
    return f"{registry}/{repository}"


def parse_reference(text: str) -> ImageRef | None:
    """An image reference, or None when `text` is not one (most strings in a values file)."""
    if not text or any(ch in text for ch in " \t\n\"'"):
        return None
    name, _, digest = text.partition("@")
    if digest and not _DIGEST.match(digest):
        return None
    slash = name.rfind("/")
    colon = name.rfind(":")
    tag = None
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
        if not _TAG.match(tag):
            return None
    registry, repository = _split_registry(name)
    if not repository or not all(_COMPONENT.match(c) for c in repository.split("/")):
        return None
    if tag is None and not digest and "/" not in name:
        return None  # a bare word such as `nginx` is too ambiguous to be a reference
    return ImageRef(registry, repository, tag, digest or None)


class ImageTarget(NamedTuple):
    """What `--image REPOSITORY=TAG[@DIGEST]` asks for."""

    name: str  # as given
    tag: str | None
    digest: str | None

    @property
    def canonical(self) -> str:
        return normalize_name(self.name)


def parse_image_argument(text: str) -> ImageTarget:
    name, sep, value = text.partition("=")
    name, value = name.strip(), value.strip()
    hint = "write --image REPOSITORY=TAG, TAG@sha256:DIGEST or @sha256:DIGEST"
    if not sep or not name or not value:
        raise InputError(f"--image {text!r} is not REPOSITORY=TAG", hint)
    if parse_reference(f"{name}:x") is None:
        raise InputError(f"--image {text!r}: {name!r} is not an image repository", hint)
    tag, _, digest = value.partition("@")
    if digest and not _DIGEST.match(digest):
        raise InputError(f"--image {text!r}: {digest!r} is not a digest such as sha256:<64 hex>", hint)
    if tag and not _TAG.match(tag):
        raise InputError(f"--image {text!r}: {tag!r} is not a valid image tag", hint)
    return ImageTarget(name, tag or None, digest or None)


def same_image(target: ImageTarget, registry: str | None, repository: str) -> bool:
    """Whether a `registry:` + `repository:` pair (registry may be absent) names the target."""
    full = f"{registry}/{repository}" if registry else repository
    if normalize_name(full) == target.canonical:
        return True
    # `repository: acme/api` without a registry key matches `--image ghcr.io/acme/api`:
    # charts often keep the registry in a global value.
    return registry is None and target.canonical.split("/", 1)[1] == repository.lower()
