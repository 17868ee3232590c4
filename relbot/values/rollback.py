"""`relbot rollback`: set the named values back to those of the deploy before the current one,
read from the values files' git history, or to a release's (`--to`); one commit, pushed with
bump-values' retry when another pipeline pushed first. Returns results, never prints.

The deploy before: the named values, read at every commit that changed a values file (see
`deploys`), form a path of states, oldest first. A return to an earlier state (a rollback, a `git revert`, a
redeploy of an older tag) erases the loop it closes, so what is left is the line of deploys that
led to the current values; the rollback takes one step back along it. A second rollback therefore
goes one more deploy back instead of undoing the first.

Race safety: the commit sets values back only where origin still has the values it rolls back
from. When a push is rejected because the branch moved, the edits are made again on origin's new
head if its values are still those; if origin already has the target values nothing is pushed; if
another deploy changed them meanwhile the rollback no longer applies and nothing is pushed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import semver

from relbot.config.options import Config
from relbot.errors import GitError, InputError, Superseded, UsageError
from relbot.gitoutcome import RemoteError
from relbot.gitrepo import GitRepo, detect_branch
from relbot.steps import Session
from relbot.tags import TagFormat
from relbot.values.deploys import Deploy, rollback_message, shown, summary
from relbot.values.edit import SetValue, ValueRead
from relbot.values.plan import (
    BumpOptions,
    BumpResult,
    FileOutcome,
    ValuesPlan,
    ValuesTarget,
    check_working_copies,
    delivery_for,
    edit_targets,
    plan_values,
    run_values_plan,
    values_targets,
)
from relbot.values.valuehistory import NoEarlierValues, deploy_at, find_deploy_before, not_of, read_target
from relbot.values.yamlpath import split_assignment

PROBE_VERSION = "0.0.0"  # fills ${version} when the templates only say which values to read


class RollbackOptions(NamedTuple):
    files: tuple[str, ...] = ()
    sets: tuple[str, ...] = ()  # PATH, or PATH=TEMPLATE (the template only matters with --to)
    images: tuple[str, ...] = ()  # REPOSITORY, or REPOSITORY=TEMPLATE
    to: str | None = None  # a released version (or its tag) to set instead of the deploy before
    reason: str | None = None
    document: int | None = None  # 1-based
    commit: bool | None = None
    push: bool | None = None
    create_pr: bool | None = None
    dry_run: bool = False
    retries: int = 5
    branch: str | None = None
    strict: bool = False
    allow_shared: bool = False  # also set back the other paths that share a value through an anchor
    of: str | None = None  # roll back only if this commit set the values now
    verified: bool | None = None  # commit through GitHub's API (signed); None: `verifiedCommits`


class RollbackResult(NamedTuple):
    """From which values to which, why, and what bump-values' executor did with the commit."""

    current: Deploy
    target: Deploy
    release: str | None  # the --to version
    reason: str | None
    outcome: BumpResult


def rollback(directory: Path, options: RollbackOptions, config: Config,
             env: Mapping[str, str] | None = None, repo: GitRepo | None = None,
             say: Callable[[str], None] = lambda _m: None,
             sleep: Callable[[float], None] = time.sleep) -> RollbackResult:
    """Plan the rollback from `repo`'s history, check it, and (unless a dry run) commit and push.

    Raises InputError when the history holds no earlier values, `--to` is not a release, or a
    values file cannot be read; GitError when there is no repository or its history cannot be
    fetched."""
    env = dict(os.environ if env is None else env)
    if repo is None:
        raise GitError(f"rollback reads the values files' git history, and {directory} is not in a "
                       "git repository", "run it in a clone of the repository that holds them")
    planned = plan_rollback(directory, options, config, env, repo, say)
    session = Session(repo.root, repo, env, say, sleep=sleep, strict=not options.dry_run or options.strict,
                      start_head=repo.head_sha())
    outcome = run_values_plan(planned.plan, session, dry_run=options.dry_run)
    if planned.skipped is not None:
        say(planned.skipped)
        outcome = outcome._replace(not_landed=planned.skipped)
    return RollbackResult(planned.current, planned.target, planned.release, options.reason, outcome)


class RollbackPlan(NamedTuple):
    current: Deploy  # its commit: the first one with the values now
    target: Deploy
    release: str | None  # the --to version
    plan: ValuesPlan
    skipped: str | None = None  # why nothing is rolled back (--of)


def plan_rollback(directory: Path, options: RollbackOptions, config: Config, env: Mapping[str, str],
                  repo: GitRepo, say: Callable[[str], None]) -> RollbackPlan:
    """The values now, the values to set, and the values plan that sets them."""
    head = repo.head_sha()
    if head is None:
        raise GitError(f"{repo.root} has no commit yet, so there is nothing to roll back",
                       "commit the values files first")
    _check_arguments(options, config)
    version = _release(repo, config.tag_format, options.to) if options.to else None
    probes = rollback_targets(directory, repo.root, options, config, version)
    texts = _committed(repo, probes)
    current = Deploy(head, tuple(_read_now(t, texts[t.path]) for t in probes))
    if version is not None:
        target = Deploy(config.tag_format.render(version), ())
        restore = probes
        say(f"setting release {version} ({target.commit})")
    else:
        current, found = _target(repo, head, probes, current, options, env, say)
        if isinstance(found, str):
            return _nothing(current, found, probes, texts)
        target = found
        restore = [_restore_target(t, reads) for t, reads in zip(probes, target.values, strict=True)]
    edited = edit_targets(restore, texts, allow_downgrade=True)
    if version is not None:  # the values a release sets, read back for the result and the message
        target = target._replace(values=tuple(read_target(t, edited[1].get(t.path, texts[t.path]))
                                              for t in probes))
        _warn_prefix(edited[0], say)
    message = rollback_message(current, target, version, options.reason, edited[0])
    delivery = delivery_for(_bump_options(options), config, repo, env, version, edited[0], message,
                            command="rollback")

    def replan(fresh: Mapping[str, str]) -> tuple[Sequence[object], Mapping[str, str]]:
        return _guarded(restore, probes, current, target, fresh)

    plan = plan_values(restore, texts, edited, version=version or summary(target), source=(
        "--to" if version else "history"), allow_downgrade=True, delivery=delivery, replan=replan)
    check_working_copies(repo, plan, restore)
    return RollbackPlan(current, target, version, plan)


def _target(repo: GitRepo, head: str, probes: Sequence[ValuesTarget], current: Deploy,
            options: RollbackOptions, env: Mapping[str, str],
            say: Callable[[str], None]) -> tuple[Deploy, Deploy | str]:
    """(the values now, what to set instead: the deploy before, or with --of BEFORE..COMMIT what
    ran before the push; a string says why nothing is rolled back)."""
    target: Deploy | None = None
    missing: NoEarlierValues | None = None
    try:
        current, target = find_deploy_before(repo, head, probes, current, _branch(repo, env, options), say)
    except NoEarlierValues as exc:
        current, missing = exc.current, exc
    check = not_of(repo, options.of, probes, current)
    if check.skipped is not None:
        return current, check.skipped
    before = deploy_at(repo, check.before, probes, current) if check.before else None
    if before is not None and before.state != current.state:
        say(f"rolling back to what ran before the push: the values of {before.commit[:7]}")
        return current, before
    if target is None:
        raise missing or AssertionError("no deploy before and no error")
    return current, target


def _branch(repo: GitRepo, env: Mapping[str, str], options: RollbackOptions) -> str | None:
    """The branch whose history this is (--branch, git, or the CI environment); None when unknown."""
    try:
        return options.branch or detect_branch(repo, env)
    except GitError:
        return None


def _warn_prefix(outcomes: Sequence[FileOutcome], say: Callable[[str], None]) -> None:
    """A `v` the values had and the release's values lack (`v1.2.0` → `1.3.0`): likely no such image."""
    for outcome in outcomes:
        for change in outcome.changes:
            old, new = shown(change.old), shown(change.new)
            if change.changed and old[:1] == "v" and new[:1] != "v" and semver.Version.is_valid(old[1:]):
                say(f"warning: {outcome.path}: {change.path} was {old} and becomes {new}, without the `v`; "
                    f"if the images are tagged v{new}, pass --set {change.path}=v${{version}}")


def _check_arguments(options: RollbackOptions, config: Config) -> None:
    """Refuse what rollback would otherwise ignore or misread."""
    named = options.sets or options.images
    if not (named or options.files) and not (config.values and config.values.files):
        raise InputError("nothing to roll back: no --set/--image and no `values` section in the "
                         "configuration", "name them: relbot rollback values-production.yaml --set "
                         ".app.image.tag (or --image REPOSITORY), or add a `values` section")
    if options.files and not named:
        raise InputError(f"no --set or --image given for {', '.join(options.files)}",
                         "name the values to roll back: --set .app.image.tag or --image REPOSITORY")
    if named and not options.files:
        raise InputError("--set/--image need the values files to roll back",
                         "name them: relbot rollback values-production.yaml --set .app.image.tag")
    for flag, given in (("--set", options.sets), ("--image", options.images)):
        for text in given:
            if not text.split("=", 1)[0].strip():
                raise InputError(f"{flag} {text!r} names no path or image", f"write {flag} PATH "
                                 "(for example --set .app.image.tag)" if flag == "--set" else
                                 "write --image REPOSITORY (for example --image ghcr.io/acme/api)")
            if options.to is None and "=" in text and (flag == "--image" or split_assignment(text)):
                raise InputError(f"{flag} {text}: a value is only used with --to; without it rollback "
                                 "sets the value the deploy before had", f"drop the value ({flag} "
                                 f"{text.split('=', 1)[0]}), or pass --to VERSION to set a release")
    if options.of and options.to:
        raise UsageError("--of and --to cannot be used together", "--of guards the rollback to the "
                         "deploy before; --to sets a release whatever deployed the values")


def _committed(repo: GitRepo, targets: Sequence[ValuesTarget]) -> dict[str, str]:
    """The values files as HEAD has them (their history is what rollback reads)."""
    texts: dict[str, str] = {}
    for target in targets:
        if (repo.root / target.path).is_dir():
            raise InputError(f"{target.display} is a directory, not a values file", "name the file")
        text = repo.file_at("HEAD", target.path)
        if text is None:
            raise InputError(f"{target.display} is not a file in HEAD's tree, so it has no history to roll "
                             "back", "name a committed values file (paths are relative to the current "
                             "directory, or to the repository root in the configuration)")
        texts[target.path] = text
    return texts


def _read_now(target: ValuesTarget, text: str) -> tuple[ValueRead, ...]:
    try:
        reads = read_target(target, text)
    except InputError as exc:
        if "--create" not in exc.hint:
            raise
        raise InputError(exc.message, "check the path: rollback sets back values the file has now") from None
    missing = next((r.path for r in reads if r.value is None), None)
    if missing is not None:
        raise InputError(f"{target.display}: {missing} is not set, so there is nothing to roll back",
                         "check the path, or set it with bump-values first")
    return reads


def _nothing(current: Deploy, skipped: str, probes: Sequence[ValuesTarget],
             texts: Mapping[str, str]) -> RollbackPlan:
    """The plan that changes nothing, when --of finds the values were not that commit's."""
    outcomes = edit_targets([t._replace(edits=()) for t in probes], texts, allow_downgrade=True)[0]
    return RollbackPlan(current, current, None, ValuesPlan(summary(current), "history", tuple(outcomes), ()),
                        skipped)


def rollback_targets(directory: Path, root: Path, options: RollbackOptions, config: Config,
                     version: str | None = None) -> list[ValuesTarget]:
    """The values files and the values in them that `options` (or the `values` section) name, with
    `${version}` filled by `version` (the --to release) or a placeholder when only read."""
    return values_targets(directory, root, _bump_options(options), config, version or PROBE_VERSION)


def _bump_options(options: RollbackOptions) -> BumpOptions:
    """bump-values' options for the same files and values: a PATH or REPOSITORY alone sets
    `${version}` there."""
    sets = tuple(s if split_assignment(s) is not None else f"{s}=${{version}}" for s in options.sets)
    images = tuple(i if "=" in i else f"{i}=${{version}}" for i in options.images)
    return BumpOptions(files=options.files, sets=sets, images=images, document=options.document,
                       allow_downgrade=True, allow_shared=options.allow_shared, commit=options.commit,
                       push=options.push, create_pr=options.create_pr, dry_run=options.dry_run,
                       retries=options.retries, branch=options.branch, strict=options.strict,
                       verified=options.verified)


def _release(repo: GitRepo, tag_format: TagFormat, to: str) -> str:
    """The version `--to` names (1.2.3 or its tag), once its release tag is found here or on origin."""
    version = tag_format.parse(to.strip()) or to.strip()
    hint = (f"pass a released version (`git tag --list '{tag_format.render('*')}'` lists them), or "
            "drop --to to go back one deploy")
    if not semver.Version.is_valid(version):
        raise InputError(f"--to {to!r} is not a version such as 1.2.3 or a tag such as "
                         f"{tag_format.render('1.2.3')}", hint)
    tag = tag_format.render(version)
    if repo.tag_target(tag) is not None:
        return version
    try:
        on_origin = repo.has_remote() and tag in repo.remote_tags()
    except RemoteError as exc:
        raise InputError(f"--to {to}: there is no tag {tag} here and origin cannot be read to look "
                         f"for it ({exc.message})", "fetch the tags (fetch-depth: 0), or check the "
                         "token") from None
    if not on_origin:
        raise InputError(f"--to {to} is not a release: there is no tag {tag} here or on origin", hint)
    return version


def _restore_target(target: ValuesTarget, reads: tuple[ValueRead, ...]) -> ValuesTarget:
    """Set each scalar the target reads back to `reads`' value, where it is written."""
    documents = {read.document for read in reads}
    if len(documents) != 1:
        raise InputError(f"{target.display}: the values to roll back are in documents "
                         f"{', '.join(str(d + 1) for d in sorted(documents))}",
                         "roll back one document at a time (--document N)")
    edits = tuple(SetValue(read.parts, read.value or "") for read in reads)
    return target._replace(edits=edits, document=documents.pop(), create=False)


def _guarded(restore: Sequence[ValuesTarget], probes: Sequence[ValuesTarget], current: Deploy,
             target: Deploy, fresh: Mapping[str, str]) -> tuple[Sequence[object], Mapping[str, str]]:
    """The same edits on origin's new head, where it still has the values rolled back from."""
    for probe, now, then in zip(probes, current.values, target.values, strict=True):
        if probe.path not in fresh:
            continue
        try:
            there = read_target(probe, fresh[probe.path])
        except InputError as exc:
            raise Superseded(f"origin changed {probe.display} meanwhile: {exc.message}; the rollback "
                             "no longer applies") from None
        if [(r.document, r.parts) for r in there] != [(r.document, r.parts) for r in now]:
            raise Superseded(f"origin has the values of {probe.display} in other places now; the "
                             "rollback no longer applies")
        values = [read.value for read in there]
        if values not in ([r.value for r in now], [r.value for r in then]):
            changed = next(r for r, old in zip(there, now, strict=True) if r.value != old.value)
            was = next(o.value for o in now if o.parts == changed.parts)
            raise Superseded(f"origin has {probe.display}: {changed.path} {changed.value} now, not "
                             f"{was}: another deploy landed after this rollback was planned, so it "
                             "no longer applies")
    return edit_targets([t for t in restore if t.path in fresh], fresh, allow_downgrade=True)


__all__ = ["RollbackOptions", "RollbackResult", "rollback", "rollback_targets"]
