"""`relbot rollback`: set the named values back to those of the deploy before the current one,
read from the values files' git history, or to a release's (`--to`); one commit, pushed with
bump-values' retry when another pipeline pushed first. Returns results, never prints.

The deploy before: the named values, read at every first-parent commit that changed a values file,
form a path of states, oldest first. A return to an earlier state (a rollback, a `git revert`, a
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
from relbot.errors import GitError, InputError, Superseded
from relbot.gitoutcome import RemoteError
from relbot.gitrepo import GitRepo
from relbot.steps import Session
from relbot.tags import TagFormat
from relbot.values.deploys import Deploy, Version, deploy_before
from relbot.values.edit import SetValue, ValueRead, read_values
from relbot.values.images import parse_reference
from relbot.values.plan import (
    BumpOptions,
    BumpResult,
    FileOutcome,
    ValuesPlan,
    ValuesTarget,
    check_working_copies,
    committed_texts,
    delivery_for,
    edit_targets,
    plan_values,
    run_values_plan,
    values_targets,
)
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


class RollbackResult(NamedTuple):
    """From which values to which, why, and what bump-values' executor did with the commit."""

    current: Deploy
    target: Deploy
    release: str | None  # the --to version
    reason: str | None
    outcome: BumpResult


def shown(value: str | None) -> str:
    """A value as a person names the version in it: an image reference's tag, else the value."""
    ref = parse_reference(value or "")
    if ref is not None and ref.tag:
        return ref.tag
    return value if value is not None else "(not set)"


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
    return RollbackResult(planned.current, planned.target, planned.release, options.reason, outcome)


class RollbackPlan(NamedTuple):
    current: Deploy  # its commit: the first one with the values now
    target: Deploy
    release: str | None  # the --to version
    plan: ValuesPlan


def plan_rollback(directory: Path, options: RollbackOptions, config: Config, env: Mapping[str, str],
                  repo: GitRepo, say: Callable[[str], None]) -> RollbackPlan:
    """The values now, the values to set, and the values plan that sets them."""
    head = repo.head_sha()
    if head is None:
        raise GitError(f"{repo.root} has no commit yet, so there is nothing to roll back",
                       "commit the values files first")
    if not (options.sets or options.images or options.files) and not (config.values and config.values.files):
        raise InputError("nothing to roll back: no --set/--image and no `values` section in the "
                         "configuration", "name them: relbot rollback values-production.yaml --set "
                         ".app.image.tag (or --image REPOSITORY), or add a `values` section")
    version = _release(repo, config.tag_format, options.to) if options.to else None
    bump = _bump_options(options)
    probes = rollback_targets(directory, repo.root, options, config, version)
    texts = committed_texts(repo, probes)
    current = Deploy(head, tuple(_read(t, texts[t.path]) for t in probes))
    missing = [(t.display, r.path) for t, reads in zip(probes, current.values, strict=True)
               for r in reads if r.value is None]
    if missing:
        raise InputError(f"{missing[0][0]}: {missing[0][1]} is not set, so there is nothing to roll back",
                         "check the path, or set it with bump-values first")
    if version is not None:
        target = Deploy(config.tag_format.render(version), ())
        restore = probes
        say(f"rolling back to release {version} ({target.commit})")
    else:
        current, target = _deploy_before(repo, head, probes, current,
                                         options.branch or repo.current_branch(), say)
        restore = [_restore_target(t, reads) for t, reads in zip(probes, target.values, strict=True)]
    edited = edit_targets(restore, texts, allow_downgrade=True)
    if version is not None:  # the values a release sets, read back for the result and the message
        target = target._replace(values=tuple(_read(t, edited[1].get(t.path, texts[t.path]))
                                              for t in probes))
    message = rollback_message(current, target, version, options.reason, edited[0])
    delivery = delivery_for(bump, config, repo, env, version, edited[0], message)

    def replan(fresh: Mapping[str, str]) -> tuple[Sequence[object], Mapping[str, str]]:
        return _guarded(restore, probes, current, target, fresh)

    plan = plan_values(restore, texts, edited, version=version, source="--to" if version else "history",
                       allow_downgrade=True, delivery=delivery, replan=replan)
    check_working_copies(repo, plan, restore)
    return RollbackPlan(current, target, version, plan)


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
                       allow_downgrade=True, commit=options.commit, push=options.push,
                       create_pr=options.create_pr, dry_run=options.dry_run, retries=options.retries,
                       branch=options.branch, strict=options.strict)


def _read(target: ValuesTarget, text: str) -> tuple[ValueRead, ...]:
    return read_values(text, target.edits, source=target.display, document=target.document,
                       create=target.create)


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


def _deploy_before(repo: GitRepo, head: str, targets: Sequence[ValuesTarget], current: Deploy,
                   branch: str | None, say: Callable[[str], None]) -> tuple[Deploy, Deploy]:
    """(the values now with the first commit that had them, the deploy before them)."""
    if repo.is_shallow():
        if not repo.has_remote():
            raise GitError(f"{repo.root} is a shallow clone with no `origin` to fetch the values' "
                           "history from", "clone with the full history (fetch-depth: 0)")
        repo.fetch_history(head, branch)
        say("shallow clone: fetched the full history from origin")
    history, found, stop = deploy_before(read_versions(repo, head, targets), version_reader(targets, current))
    if found is None:
        names = ", ".join(dict.fromkeys(t.display for t in targets))
        values = ", ".join(f"{r.path} {r.value}" for reads in current.values for r in reads)
        why = f"; the history stops there: {stop}" if stop else ""
        raise InputError(f"{names}: the history holds no earlier values than the current ones "
                         f"({values}, since {current.commit[:7]}){why}",
                         "roll back to a release with --to VERSION, or set the values with bump-values")
    if history and history[-1].state == current.state:
        current = current._replace(commit=history[-1].commit)
    say(f"rolling back from the values of {current.commit[:7]} to those of {found.commit[:7]} "
        "(the deploy before)")
    return current, found


def read_versions(repo: GitRepo, head: str, targets: Sequence[ValuesTarget]) -> list[Version]:
    """The values files at each first-parent commit that changed one of them, newest first (one
    `git log` and one `git cat-file --batch`)."""
    paths = list(dict.fromkeys(t.path for t in targets))
    commits = repo.path_history(head, paths)
    blobs = repo.blobs_at([(commit, path) for commit in commits for path in paths])
    return [Version(commit, tuple(blobs[index * len(paths) : (index + 1) * len(paths)]))
            for index, commit in enumerate(commits)]


def version_reader(targets: Sequence[ValuesTarget], current: Deploy) -> Callable[[Version], Deploy | str]:
    """Reads a version's values for `deploy_before`: those `targets` name, laid out as in `current`."""
    paths = list(dict.fromkeys(t.path for t in targets))

    def read(version: Version) -> Deploy | str:
        """The values at a version, or why they cannot be set back (a sentence)."""
        short = version.commit[:7]
        blobs = dict(zip(paths, version.files, strict=True))
        missing = next((path for path, blob in blobs.items() if blob is None), None)
        if missing is not None:
            return f"{short} has no {missing}"
        texts = {path: blob[1] for path, blob in blobs.items() if blob is not None}
        try:
            deploy = Deploy(version.commit, tuple(_read(t, texts[t.path].decode("utf-8")) for t in targets))
        except UnicodeDecodeError:
            return f"{short} has a values file that is not UTF-8"
        except InputError as exc:
            return f"at {short}, {exc.message}"
        if deploy.layout != current.layout or any(None in values for values in deploy.state):
            return f"before {short} the values were in other places, or not set"
        return deploy

    return read


def _restore_target(target: ValuesTarget, reads: tuple[ValueRead, ...]) -> ValuesTarget:
    """Set each scalar the target reads back to `reads`' value, where it is written."""
    documents = {read.document for read in reads}
    if len(documents) != 1:
        raise InputError(f"{target.display}: the values to roll back are in documents "
                         f"{', '.join(str(d + 1) for d in sorted(documents))}",
                         "roll back one document at a time (--document N)")
    edits = tuple(SetValue(read.parts, read.value or "") for read in reads)
    return target._replace(edits=edits, document=documents.pop(), create=False, allow_shared=True)


def _guarded(restore: Sequence[ValuesTarget], probes: Sequence[ValuesTarget], current: Deploy,
             target: Deploy, fresh: Mapping[str, str]) -> tuple[Sequence[object], Mapping[str, str]]:
    """The same edits on origin's new head, where it still has the values rolled back from."""
    for probe, now, then in zip(probes, current.values, target.values, strict=True):
        if probe.path not in fresh:
            continue
        try:
            there = _read(probe, fresh[probe.path])
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


def rollback_message(current: Deploy, target: Deploy, release: str | None, reason: str | None,
                     outcomes: Sequence[FileOutcome]) -> str:
    """The commit message: what is rolled back, from what to what, and why."""
    changes = [(o.path, c) for o in outcomes for c in o.changes if c.changed]
    files = list(dict.fromkeys(path for path, _ in changes)) or [o.path for o in outcomes]
    names = " and ".join(files) if len(files) <= 2 else f"{len(files)} values files"
    olds = {shown(c.old) for _, c in changes}
    news = {shown(c.new) for _, c in changes}
    to = release or (news.pop() if len(news) == 1 else f"the values of {target.commit[:7]}")
    subject = f"chore: roll back {names}" + (f" from {olds.pop()}" if len(olds) == 1 else "") + f" to {to}"
    body = [f"Reason: {reason.strip()}" if reason and reason.strip() else "Reason: not given (--reason)"]
    body += ["", *(f"- {path}: {c.path} {c.old} → {c.new}" for path, c in changes)]
    trailers = [f"Rollback-of: {current.commit}",
                f"Rollback-to: {target.commit}" + (" (the deploy before)" if not release else "")]
    return "\n".join([subject, "", *body, "", *trailers]) + "\n"


__all__ = ["RollbackOptions", "RollbackResult", "read_versions", "rollback", "rollback_message",
           "rollback_targets", "shown", "version_reader"]
