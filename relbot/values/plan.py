"""The bump-values use case as a plan: resolve the version, compute every file's edits from its
text (pure), then the steps — write the files, commit, push with retries or open a pull request —
walked by the one executor. The result reports what the executor did, so a change that did not
land says so. Never prints."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from relbot import fsio, redact, steps
from relbot.config.options import Config, ValuesFile, github_target
from relbot.config.packages import tag_format_of
from relbot.errors import GitError, InputError, UsageError
from relbot.gitrepo import GitRepo, detect_branch
from relbot.remotes import GitHubTarget
from relbot.steps import Commit, Progress, Session, Step, WriteFile
from relbot.values.edit import Edit, SetImage, SetValue, ValueChange, edit_values
from relbot.values.images import parse_image_argument
from relbot.values.push import PullRequest, PushToBranch, Replan, branch_name
from relbot.values.version import resolve_version
from relbot.values.yamlpath import parse_path, split_assignment

DEFAULT_MESSAGE = "chore: update image tags to ${version}"
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}?|\$version\b")  # `${…}`, an unclosed `${`, `$version`


class BumpOptions(NamedTuple):
    files: tuple[str, ...] = ()
    sets: tuple[str, ...] = ()
    images: tuple[str, ...] = ()
    version: str | None = None
    version_from: str | None = None
    document: int | None = None  # 1-based, as the user writes it
    create: bool = False
    allow_downgrade: bool = False
    allow_shared: bool = False  # change every path that shares a value through an anchor
    commit: bool | None = None
    push: bool | None = None
    create_pr: bool | None = None
    message: str | None = None
    dry_run: bool = False
    retries: int = 5
    branch: str | None = None
    strict: bool = False  # a dry run checks credentials as the real run does
    verified: bool | None = None  # commit through GitHub's API (signed); None: `verifiedCommits`
    package: str | None = None  # a monorepo's package: its tags give the version (--version-from)


class FileOutcome(NamedTuple):
    path: str
    changes: tuple[ValueChange, ...]
    diff: str


class ValuesTarget(NamedTuple):
    """One values file and the edits to make in it."""

    path: str  # relative to the session root (the repository root, or the directory)
    display: str  # as the user named it
    edits: tuple[Edit, ...]
    document: int | None  # 0-based
    create: bool
    allow_shared: bool = False


class ValuesPlan(NamedTuple):
    """What bump-values will do: the changes per file and the steps that make them land."""

    version: str | None
    version_source: str
    files: tuple[FileOutcome, ...]
    steps: tuple[Step, ...]

    @property
    def changed(self) -> bool:
        return any(c.changed for f in self.files for c in f.changes)

    @property
    def diff(self) -> str:
        return "".join(f.diff for f in self.files)


class BumpResult(NamedTuple):
    """What happened: `changed` is true only when the planned change landed where it was sent."""

    plan: ValuesPlan
    progress: Progress
    steps_done: tuple[str, ...] = ()
    commit_sha: str | None = None
    pushed: bool = False
    attempts: int = 0
    pr_url: str | None = None
    not_landed: str | None = None
    needs: tuple[str, ...] = ()
    dry_run: bool = False

    @property
    def version(self) -> str | None:
        return self.plan.version

    @property
    def version_source(self) -> str:
        return self.plan.version_source

    @property
    def files(self) -> tuple[FileOutcome, ...]:
        return self.plan.files

    @property
    def changed(self) -> bool:
        return self.plan.changed and self.not_landed is None

    @property
    def diff(self) -> str:
        return self.plan.diff if self.changed else ""


def edit_targets(targets: Sequence[ValuesTarget], texts: Mapping[str, str], allow_downgrade: bool,
                 ) -> tuple[list[FileOutcome], dict[str, str]]:
    """Each file's changes, and the new text of the files that change. Pure: texts in."""
    outcomes: list[FileOutcome] = []
    changed: dict[str, str] = {}
    for target in targets:
        text = texts[target.path]
        result = edit_values(text, target.edits, source=target.display, document=target.document,
                             create=target.create, allow_downgrade=allow_downgrade,
                             allow_shared=target.allow_shared)
        diff = steps.text_diff(text, result.text, target.display)
        outcomes.append(FileOutcome(target.display, result.changes, diff))
        if result.text != text:
            changed[target.path] = result.text
    return outcomes, changed


class Delivery(NamedTuple):
    """Where the commit goes: nowhere (files only), a local commit, the branch, or a pull request."""

    commit: bool = False
    push_branch: str | None = None
    retries: int = 5
    pull_request: PullRequest | None = None
    message: str = DEFAULT_MESSAGE
    verified: GitHubTarget | None = None  # commit through this repository's API instead of pushing


def plan_values(targets: Sequence[ValuesTarget], texts: Mapping[str, str],
                edited: tuple[Sequence[FileOutcome], Mapping[str, str]], *, version: str | None,
                source: str, allow_downgrade: bool, delivery: Delivery,
                replan: Replan | None = None) -> ValuesPlan:
    """The plan for `targets`, from the files' texts and their edits (`edit_targets`, which raises
    InputError for a missing key, a refused downgrade or a file that is not YAML). `replan` makes
    the edits again on origin's new head after a rejected push (default: the same edits)."""
    outcomes, changed = edited
    writes = tuple(WriteFile(t.path, texts[t.path], changed[t.path]) for t in targets if t.path in changed)
    planned: list[Step] = list(writes)
    if writes and (delivery.commit or delivery.push_branch or delivery.pull_request):
        commit = Commit(writes, delivery.message)
        planned.append(commit)

        def same_edits(fresh: Mapping[str, str]) -> tuple[Sequence[object], Mapping[str, str]]:
            return edit_targets([t for t in targets if t.path in fresh], fresh, allow_downgrade)

        if delivery.pull_request is not None:
            planned.append(delivery.pull_request)
        elif delivery.push_branch is not None:
            planned.append(PushToBranch(delivery.push_branch, delivery.retries, commit,
                                        replan or same_edits, delivery.verified))
    return ValuesPlan(version, source, tuple(outcomes), tuple(planned))


def bump_values(
    directory: Path, options: BumpOptions, config: Config, env: Mapping[str, str] | None = None,
    repo: GitRepo | None = None, say: Callable[[str], None] = lambda _m: None,
    sleep: Callable[[float], None] = time.sleep,
) -> BumpResult:
    """Set the values; with commit/push settings, record and publish them.

    Files named on the command line are relative to `directory`; files from the configuration
    are relative to the repository root.
    """
    env = dict(os.environ if env is None else env)
    plan = plan_bump(directory, options, config, env, repo, say)
    root = repo.root if repo is not None else directory.resolve()
    session = Session(root, repo, env, say, sleep=sleep, strict=not options.dry_run or options.strict,
                      start_head=repo.head_sha() if repo is not None else None)
    return run_values_plan(plan, session, dry_run=options.dry_run)


def plan_bump(directory: Path, options: BumpOptions, config: Config, env: Mapping[str, str],
              repo: GitRepo | None, say: Callable[[str], None] = lambda _m: None,
              version_source: str | None = None) -> ValuesPlan:
    """The bump-values plan for `options` and the `values` configuration, from the files as they
    are on disk; `version_source` names where an explicit version came from (default --version)."""
    root = repo.root if repo is not None else directory.resolve()
    recording = _committing(options, config)
    templates = _templates(options, config)
    needs_version = any("${version}" in t for t in templates)
    if config.packages and options.package is None and options.version is None and needs_version:
        raise UsageError("this repository's configuration has `packages`: name the package whose "
                         "version to set", "pass --package NAME (with --version-from tag), or --version")
    tag_format = config.tag_format if options.package is None else \
        tag_format_of(config.packages, config.groups, options.package)
    version, source = resolve_version(options.version, options.version_from, env, repo,
                                      tag_format, required=needs_version)
    source = version_source or source
    if needs_version:
        say(f"version {version} (from {source})")
    targets = values_targets(directory, root, options, config, version or "")
    if recording and repo is not None:
        texts = _committed_texts(repo, targets)  # a rerun after a failed commit plans the same change
    else:
        texts = {t.path: fsio.read_text(root / t.path) for t in targets}
    edited = edit_targets(targets, texts, options.allow_downgrade)  # before anything is written
    delivery = delivery_for(options, config, repo, env, version, edited[0])
    plan = plan_values(targets, texts, edited, version=version, source=source,
                       allow_downgrade=options.allow_downgrade, delivery=delivery)
    if recording and repo is not None:
        check_working_copies(repo, plan, targets)
    return plan


def _flags(options: BumpOptions, config: Config) -> tuple[bool, bool, bool]:
    """(commit, push, create a pull request): the flags, else the `values` section's defaults."""
    values = config.values
    commit, push, create_pr = (flag if flag is not None else bool(values and default) for flag, default in (
        (options.commit, values and values.commit), (options.push, values and values.push),
        (options.create_pr, values and values.create_pr)))
    return commit, push, create_pr


def _committing(options: BumpOptions, config: Config) -> bool:
    return any(_flags(options, config))


def _committed_texts(repo: GitRepo, targets: Sequence[ValuesTarget]) -> dict[str, str]:
    """The values files as HEAD has them; each must be a tracked file inside the repository."""
    texts: dict[str, str] = {}
    for target in targets:
        inside = (repo.root / target.path).resolve().is_relative_to(repo.root.resolve())
        if Path(target.path).is_absolute() or not inside:
            raise GitError(f"{target.display} is outside the repository at {repo.root}, so "
                           "--commit/--push cannot record it", "name a file inside the clone, or "
                           "drop --commit/--push to edit it in place")
        text = repo.file_at("HEAD", target.path)
        if text is None:
            why = "ignored by git" if repo.is_ignored(target.path) else "not committed"
            raise GitError(f"{target.display} is {why}, so --commit/--push cannot record a change to it",
                           "commit the file first (or fix .gitignore), or drop --commit/--push")
        texts[target.path] = text
    return texts


def check_working_copies(repo: GitRepo, plan: ValuesPlan, targets: Sequence[ValuesTarget]) -> None:
    """A values file may hold HEAD's text or the planned one (a rerun), never edits of its own:
    they would be committed and pushed unseen, or lost when a retry resets the checkout."""
    planned = {w.path: w.new for w in plan.steps if isinstance(w, WriteFile)}
    changed = set(repo.status_paths())  # staged or not
    for target in targets:
        working = fsio.read_text(repo.root / target.path)
        staged = target.path in changed and working != planned.get(target.path)
        if staged or working not in (repo.file_at("HEAD", target.path), planned.get(target.path)):
            raise GitError(f"{target.display} has uncommitted changes of its own",
                           "commit or stash them first; --commit/--push records only relbot's edits")


def run_values_plan(plan: ValuesPlan, session: Session, *, dry_run: bool) -> BumpResult:
    """Check the plan, then (unless a dry run) execute it; the result says what landed."""
    progress = steps.assess(plan.steps, session)
    if any(step.kind == "commit" for step in progress.remaining) and session.repo is not None:
        _require_clean(session.repo, [s for s in plan.steps if isinstance(s, WriteFile)])
    problems = steps.preflight(progress, session)
    if problems:
        raise problems[0]
    if dry_run:
        return BumpResult(plan, progress, needs=tuple(session.needs), dry_run=True)
    done = steps.execute(plan.steps, session)
    if session.replanned is not None:  # a retry re-applied the edits to origin's new head
        landed = tuple(o for o in session.replanned if isinstance(o, FileOutcome))
        plan = plan._replace(files=tuple(landed))
    return BumpResult(plan, progress.completed(), done, session.commit_sha, session.pushed, session.attempts,
                      session.pull_request_url, session.not_landed)


def delivery_for(options: BumpOptions, config: Config, repo: GitRepo | None, env: Mapping[str, str],
                 version: str | None, outcomes: Sequence[FileOutcome], message: str | None = None, *,
                 command: str = "bump-values") -> Delivery:
    """Where the commit goes, from the flags (else the `values` section). `message`: the commit
    message as it is, which also opens a pull request's body (default: `--message` or
    values.message with ${version} filled); `command` names the pull request's branch."""
    commit, push, create_pr = _flags(options, config)
    if not (commit or push or create_pr):
        return Delivery()
    if repo is None:
        raise GitError("the values files are not inside a git repository, so --commit/--push "
                       "cannot record the change", "run in a clone, or drop --commit/--push")
    intro = f"Set by `relbot {command}`:"
    if message is None:
        message = _message(options, config, version, outcomes)
        _fill(message, "", "the commit message")  # only ${version} was there to fill
    else:
        message = redact.redact(message)
        intro = message.rstrip("\n")
    if not (push or create_pr):
        return Delivery(commit=True, message=message)
    branch = branch_name(options.branch, repo) if options.branch else detect_branch(repo, env)

    def target(purpose: str) -> GitHubTarget:
        return github_target(config, env, repo.remote_url(), purpose=purpose)

    verified = config.verified_commits if options.verified is None else options.verified
    signed = target("the commit through GitHub's API (verifiedCommits)") if verified else None
    if create_pr:
        diff = "".join(o.diff for o in outcomes)
        body = intro + "\n\n```diff\n" + diff + "```\n"
        return Delivery(message=message, pull_request=PullRequest(
            branch, message.splitlines()[0], body, target("the pull request (--create-pr)"), command,
            signed is not None))
    return Delivery(message=message, push_branch=branch, retries=options.retries, verified=signed)


def _templates(options: BumpOptions, config: Config) -> list[str]:
    """The value templates (a commit message's `${version}` falls back to the first new value)."""
    texts = [*options.sets, *options.images]
    if not texts and config.values is not None:
        for entry in config.values.files:
            texts += [*entry.set.values(), *entry.images.values()]
    return texts


def values_targets(directory: Path, root: Path, options: BumpOptions, config: Config,
             version: str) -> list[ValuesTarget]:
    document = options.document - 1 if options.document else None
    if options.sets or options.images:
        if not options.files:
            raise InputError("--set/--image need the values files to edit",
                             "name them: relbot bump-values values-production.yaml --set …")
        edits = tuple(parse_edits(options.sets, options.images, version))
        return [ValuesTarget(_relative(directory / f, root), f, edits, document, options.create,
                             options.allow_shared)
                for f in options.files]
    if options.files:
        raise InputError("no --set or --image given for " + ", ".join(options.files),
                         "add --set PATH=VALUE or --image REPOSITORY=TAG")
    if config.values is None or not config.values.files:
        raise InputError("nothing to set: no --set/--image and no `values` section in the "
                         "configuration", "see `relbot bump-values --help`")
    return [config_target(entry, version, options.create) for entry in config.values.files]


def _relative(path: Path, root: Path) -> str:
    """`path` relative to the session root, as git names it (it may not exist yet)."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(root))
    except ValueError:
        return str(resolved)  # outside the repository: edited in place, never committed


def config_target(entry: ValuesFile, version: str, create: bool = False) -> ValuesTarget:
    """A `values.files` entry (paths relative to the repository root) as a target."""
    sets = tuple(f"{path}={value}" for path, value in entry.set.items())
    images = tuple(f"{name}={value}" for name, value in entry.images.items())
    edits = tuple(parse_edits(sets, images, version))
    document = entry.document - 1 if entry.document else None
    return ValuesTarget(entry.path, entry.path, edits, document, create or entry.create)


def parse_edits(sets: Sequence[str], images: Sequence[str], version: str) -> list[Edit]:
    edits: list[Edit] = []
    for text in sets:
        split = split_assignment(text)
        if split is None or not split[0].strip():
            raise InputError(f"--set {text!r} is not PATH=VALUE", "for example --set image.tag=1.2.3")
        path, value = split
        edits.append(SetValue(parse_path(path), _fill(value, version, f"--set {text}")))
    edits.extend(SetImage(parse_image_argument(_fill(t, version, f"--image {t}"))) for t in images)
    return edits


def _fill(template: str, version: str, where: str) -> str:
    """`${version}` filled in; any other placeholder is an error, never written to a values file."""
    filled = template.replace("${version}", version)
    unknown = _PLACEHOLDER.search(filled)
    if unknown:
        raise InputError(f"{where}: unknown placeholder {unknown.group(0)}",
                         "bump-values fills ${version} only (lower case)")
    return filled


def _require_clean(repo: GitRepo, writes: Sequence[WriteFile]) -> None:
    ours = {w.path for w in writes}
    dirty = [name for name in repo.status_paths() if name not in ours]
    if dirty:
        raise GitError(f"the working tree has other changes ({', '.join(dirty[:5])}); a retry "
                       "after a rejected push resets the branch and would lose them",
                       "commit or stash them first, or run without --commit/--push")


def _message(options: BumpOptions, config: Config, version: str | None,
             outcomes: Sequence[FileOutcome]) -> str:
    template = options.message or (config.values.message if config.values else None) or DEFAULT_MESSAGE
    fallback = next((c.new for f in outcomes for c in f.changes if c.changed), "")
    return redact.redact(template.replace("${version}", version or fallback))


__all__ = [
    "BumpOptions",
    "BumpResult",
    "Delivery",
    "FileOutcome",
    "ValuesPlan",
    "ValuesTarget",
    "bump_values",
    "check_working_copies",
    "config_target",
    "delivery_for",
    "edit_targets",
    "plan_values",
    "values_targets",
]
