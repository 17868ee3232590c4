"""The bump-values use case: resolve the version, edit the files, then commit and push with
retries (or open a pull request). Returns what happened; never prints."""

from __future__ import annotations

import difflib
import os
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from relbot import fsio, gitauth, redact
from relbot.errors import GitError, InputError
from relbot.gitrepo import GitRepo
from relbot.images import parse_image_argument
from relbot.settings import Config, ValuesFile
from relbot.values import Edit, SetImage, SetValue, ValueChange, edit_values
from relbot.versionsource import resolve_version
from relbot.yamlpath import parse_path

DEFAULT_MESSAGE = "chore: update image tags to ${version}"


@dataclass(frozen=True)
class BumpOptions:
    files: tuple[str, ...] = ()
    sets: tuple[str, ...] = ()
    images: tuple[str, ...] = ()
    version: str | None = None
    version_from: str | None = None
    document: int | None = None  # 1-based, as the user writes it
    create: bool = False
    allow_downgrade: bool = False
    commit: bool | None = None
    push: bool | None = None
    create_pr: bool | None = None
    message: str | None = None
    dry_run: bool = False
    retries: int = 5
    branch: str | None = None


@dataclass(frozen=True)
class FileOutcome:
    path: str
    changes: tuple[ValueChange, ...]
    diff: str


@dataclass(frozen=True)
class BumpResult:
    version: str | None
    version_source: str
    files: tuple[FileOutcome, ...]
    commit_sha: str | None = None
    pushed: bool = False
    attempts: int = 0
    pr_url: str | None = None
    messages: tuple[str, ...] = field(default_factory=tuple)

    @property
    def changed(self) -> bool:
        return any(c.changed for f in self.files for c in f.changes)

    @property
    def diff(self) -> str:
        return "".join(f.diff for f in self.files)


@dataclass(frozen=True)
class _Plan:
    path: Path
    display: str
    edits: tuple[Edit, ...]
    document: int | None
    create: bool


def bump_values(
    directory: Path, options: BumpOptions, config: Config, env: Mapping[str, str] | None = None,
    repo: GitRepo | None = None, say: Callable[[str], None] = lambda _m: None,
    sleep: Callable[[float], None] = time.sleep,
) -> BumpResult:
    """Set the values; with commit/push settings, record and publish them.

    Files named on the command line are relative to `directory`; files from the configuration
    are relative to the repository root.
    """
    config_root = repo.root if repo is not None else directory
    env = dict(os.environ if env is None else env)
    values = config.values
    commit = options.commit if options.commit is not None else bool(values and values.commit)
    push = options.push if options.push is not None else bool(values and values.push)
    create_pr = options.create_pr if options.create_pr is not None else \
        bool(values and values.create_pr)
    commit = commit or push or create_pr
    templates = _templates(options, config)
    needs_version = any("${version}" in t for t in templates)
    version, source = resolve_version(options.version, options.version_from, env, repo,
                                      config.tag_format, required=needs_version)
    if needs_version:
        say(f"version {version} (from {source})")
    plans = _plans(directory, config_root, options, config, version or "")
    outcomes, texts = _edit_all(plans, options.allow_downgrade)
    result = BumpResult(version, source, tuple(outcomes))
    if options.dry_run or not result.changed:
        return result
    if commit and repo is None:
        raise GitError(f"{directory} is not inside a git repository, so --commit/--push "
                       "cannot record the change", "run in a clone, or drop --commit/--push")
    if commit:
        assert repo is not None  # noqa: S101 - checked above
        _require_clean(repo, plans)
    for plan, text in texts.items():
        fsio.write_atomic(plan.path, text)
    if not commit:
        return result
    assert repo is not None  # noqa: S101
    message = _message(options, config, version, outcomes)
    from relbot.publish import publish  # noqa: PLC0415 - only committing needs it

    published: BumpResult = publish(
        repo, plans, result, message, env, options, push=push, create_pr=create_pr,
        reapply=lambda: _edit_all(plans, options.allow_downgrade), say=say, sleep=sleep)
    return published


def _templates(options: BumpOptions, config: Config) -> list[str]:
    texts = [*options.sets, *options.images]
    if not texts and config.values is not None:
        for entry in config.values.files:
            texts += [*entry.set.values(), *entry.images.values()]
    if config.values is not None:
        texts.append(options.message or config.values.message or DEFAULT_MESSAGE)
    return texts


def _plans(directory: Path, config_root: Path, options: BumpOptions, config: Config,
           version: str) -> list[_Plan]:
    document = options.document - 1 if options.document else None
    if options.sets or options.images:
        if not options.files:
            raise InputError("--set/--image need the values files to edit",
                             "name them: relbot bump-values values-production.yaml --set …")
        edits = tuple(_parse_edits(options.sets, options.images, version))
        return [_Plan(directory / f, f, edits, document, options.create) for f in options.files]
    if options.files:
        raise InputError("no --set or --image given for " + ", ".join(options.files),
                         "add --set PATH=VALUE or --image REPOSITORY=TAG")
    if config.values is None or not config.values.files:
        raise InputError("nothing to set: no --set/--image and no `values` section in the "
                         "configuration", "see `relbot bump-values --help`")
    return [_config_plan(config_root, entry, version, options) for entry in config.values.files]


def _config_plan(directory: Path, entry: ValuesFile, version: str, options: BumpOptions) -> _Plan:
    sets = tuple(f"{path}={value}" for path, value in entry.set.items())
    images = tuple(f"{name}={value}" for name, value in entry.images.items())
    edits = tuple(_parse_edits(sets, images, version))
    document = entry.document - 1 if entry.document else None
    return _Plan(directory / entry.path, entry.path, edits, document, options.create or entry.create)


def _parse_edits(sets: Sequence[str], images: Sequence[str], version: str) -> list[Edit]:
    edits: list[Edit] = []
    for text in sets:
        path, sep, value = text.partition("=")
        if not sep or not path.strip():
            raise InputError(f"--set {text!r} is not PATH=VALUE", "for example --set image.tag=1.2.3")
        edits.append(SetValue(parse_path(path), value.replace("${version}", version)))
    edits.extend(SetImage(parse_image_argument(t.replace("${version}", version))) for t in images)
    return edits


def _edit_all(plans: Sequence[_Plan], allow_downgrade: bool) -> tuple[list[FileOutcome], dict[_Plan, str]]:
    outcomes: list[FileOutcome] = []
    texts: dict[_Plan, str] = {}
    for plan in plans:
        text = fsio.read_text(plan.path)
        result = edit_values(text, plan.edits, source=plan.display, document=plan.document,
                             create=plan.create, allow_downgrade=allow_downgrade)
        diff = "".join(difflib.unified_diff(
            text.splitlines(keepends=True), result.text.splitlines(keepends=True),
            fromfile=f"a/{plan.display}", tofile=f"b/{plan.display}"))
        outcomes.append(FileOutcome(plan.display, result.changes, diff))
        if result.text != text:
            texts[plan] = result.text
    return outcomes, texts


def _require_clean(repo: GitRepo, plans: Sequence[_Plan]) -> None:
    ours = {str(p.path.resolve()) for p in plans}
    dirty = []
    for line in repo.run("status", "--porcelain", "--untracked-files=no").splitlines():
        name = line[3:].split(" -> ")[-1]
        if str((repo.root / name).resolve()) not in ours:
            dirty.append(name)
    if dirty:
        raise GitError(f"the working tree has other changes ({', '.join(dirty[:5])}); a retry "
                       "after a rejected push resets the branch and would lose them",
                       "commit or stash them first, or run without --commit/--push")


def _message(options: BumpOptions, config: Config, version: str | None,
             outcomes: Sequence[FileOutcome]) -> str:
    template = options.message or (config.values.message if config.values else None) or DEFAULT_MESSAGE
    fallback = next((c.new for f in outcomes for c in f.changes if c.changed), "")
    return redact.redact(template.replace("${version}", version or fallback))


def token_env(repo: GitRepo, env: Mapping[str, str]) -> dict[str, str]:
    """The auth environment for pushing to `origin` (empty for ssh or when there is no token)."""
    return gitauth.git_auth_env(gitauth.find_token(env), repo.remote_url("origin"), env)


def backoff(attempt: int) -> float:
    """Jittered exponential backoff: about 0.5 s, 1 s, 2 s, … capped at 8 s."""
    return float(min(8.0, 0.5 * 2 ** (attempt - 1)) * (0.5 + random.random()))  # noqa: S311
