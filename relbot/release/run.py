"""The release use case: find what to release (the next release, or the release already tagged
at HEAD that a rerun finishes), plan it from the files' texts, check every remaining step before
the first write, then — unless a dry run — execute the plan. A dry run, a run and a rerun walk
the same plan; the executor's record is the result."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import semver

from relbot import fsio, ghactions, redact, steps
from relbot.config.files import load_config
from relbot.config.options import CHANGELOG, FAIL_LABEL, GITHUB, NPM, Config, github_target
from relbot.errors import DowngradeRefused, GitError, InputError, RelbotError, TagExistsError
from relbot.github import find_release
from relbot.github.issues import report_failure
from relbot.gitrepo import GitRepo, detect_branch, open_repo
from relbot.model import Branch, LastRelease, NextRelease
from relbot.release import announce, history, monorun, templates
from relbot.release.plan import FileText, PlanContext, ReleasePlan, build_plan
from relbot.release.version import VersionPlan, notes_for_tag, plan_for, release_date
from relbot.release.versionfiles import VersionFile, npm_files
from relbot.release.versioning import resolve_branch
from relbot.remotes import GitHubTarget, repository_url
from relbot.steps import Progress, Session, WriteFile
from relbot.values.plan import BumpOptions, ValuesPlan, plan_bump

OnStep = Callable[[str], None]


@dataclass(frozen=True)
class ReleaseResult:
    released: bool  # the real run made or finished a release
    reason: str = ""  # why nothing was done (empty when something was)
    version: str | None = None
    tag: str | None = None
    previous_version: str | None = None
    notes: str = ""
    commit_sha: str | None = None
    release_url: str | None = None
    plan: ReleasePlan | None = None
    progress: Progress | None = None  # which steps were already done when the plan was made
    resumed: bool = False  # the release was already tagged at HEAD: this run finished it
    steps_done: tuple[str, ...] = ()  # what the executor ran, in order
    needs: tuple[str, ...] = ()  # credentials the real run needs (a dry run without them)
    problems: tuple[RelbotError, ...] = field(default_factory=tuple)  # what would stop the real run
    packages: tuple[dict[str, object], ...] = ()  # a monorepo: each package (or group) released
    rendered: str | None = None  # a monorepo's dry run, as printed


def release(directory: Path, *, config_path: Path | None = None, branch: str | None = None,
            dry_run: bool = False, env: Mapping[str, str] | None = None,
            say: Callable[[str], None] = lambda _m: None, on_step: OnStep = lambda _s: None,
            today: str | None = None, strict: bool = False,
            on_plan: Callable[[VersionPlan], None] = lambda _p: None) -> ReleaseResult:
    """Release the repository at `directory`, or with `dry_run` say exactly what that would do.

    A dry run checks everything the real run checks; only credentials it may lack (outside CI,
    without `strict`) become `needs` instead of problems. The real run raises the first problem
    before its first write. Raises RelbotError subclasses (see relbot.errors) with exit codes.
    """
    environment = dict(os.environ if env is None else env)
    repo = open_repo(directory, environment)
    config = load_config(repo.root, None, config_path)
    trigger = ghactions.pull_request(environment)
    if trigger is not None and not dry_run:  # a PR's merge commit is not the branch: never publish it
        return ReleaseResult(False, f"this run was triggered by a pull request ({trigger}), so nothing "
                             "is published, as semantic-release does; `relbot release --dry-run` "
                             "shows what the release would be")
    name = branch or detect_branch(repo, environment)
    resolved = resolve_branch(name, config.branches, lambda b: repo.branch_commit(b) is not None)
    if resolved is None:
        names = ", ".join(b.name for b in config.branches)
        return ReleaseResult(False, f"branch {name!r} is not configured for releases ({names})")
    # what the real run would refuse fails the dry run too; only credentials may be missing, and
    # only outside CI without --strict
    checked = not dry_run or strict or environment.get("CI") == "true"
    if config.packages:
        return _release_packages(repo, config, resolved, environment, dry_run=dry_run, checked=checked,
                                 say=say, on_step=on_step, today=today)
    try:
        version = plan_for(repo, config, name, environment, say=say, today=today,
                           pulls_required=checked)
    except TagExistsError as exc:
        raise _left_behind(repo, config, exc) from None
    on_plan(version)
    target = _target(repo, config, version, resolved, environment, today)
    if target is None:
        return ReleaseResult(False, version.reason)
    nxt, last, resumed = target
    nxt = nxt._replace(channel=resolved.channel)  # as semantic-release: among the branches that exist
    context = _context(repo, config, environment, resolved,
                       f"finishing the release {nxt.git_tag}, tagged at HEAD" if resumed else version.rule,
                       nxt, last, resumed, version)
    plan = build_plan(context, config, _texts(repo, config, context.version_files, resumed))
    session = Session(repo.root, repo, environment, say, on_step,
                      strict=checked, start_head=repo.head_sha())
    progress = steps.assess(plan.steps, session)
    problems = [*_check_clean(repo, plan.files, progress), *steps.preflight(progress, session)]
    base = ReleaseResult(False, "", nxt.version, nxt.git_tag, last.version if last else None, nxt.notes,
                         plan=plan, progress=progress, needs=tuple(session.needs),
                         problems=tuple(problems))
    if progress.finished:
        return replace(base, reason=f"{nxt.git_tag} is already released; nothing to do")
    if dry_run:
        return replace(base, reason="dry run: nothing was changed")
    if problems:
        _report_failure(config, context, problems, session)
        raise problems[0]
    for warning in plan.warnings:
        say(f"warning: {warning}")
    if resumed:
        say(f"{nxt.git_tag} is tagged at HEAD but not fully published; finishing it")
    try:
        done = steps.execute(plan.steps, session)
    except RelbotError as exc:  # what was published before the failure, for the reports
        exc.partial = replace(base, released=repo.tag_target(nxt.git_tag) is not None and session.pushed,
                             commit_sha=repo.tag_target(nxt.git_tag), release_url=session.release_url,
                             resumed=resumed, steps_done=exc.steps_done)
        _report_failure(config, context, [exc], session)
        raise
    return replace(base, released=True, commit_sha=repo.tag_target(nxt.git_tag),
                   release_url=session.release_url or _release_url(context, session),
                   resumed=resumed, steps_done=done)


def _release_url(context: PlanContext, session: Session) -> str | None:
    """The GitHub Release's URL when this run did not make it (a rerun that finished the rest)."""
    if context.github is None:
        return None
    try:
        found = find_release(context.github, session.env, context.next_release.git_tag)
    except RelbotError:
        return None
    return found.url if found else None


def _release_packages(repo: GitRepo, config: Config, branch: Branch, env: Mapping[str, str], *,
                      dry_run: bool, checked: bool, say: Callable[[str], None], on_step: OnStep,
                      today: str | None) -> ReleaseResult:
    """A monorepo's release: every due package in one commit, its tags in one atomic push."""
    head = repo.head_sha()
    if head is None:
        return ReleaseResult(False, "the branch has no commits yet")
    origin = repo.remote_url()
    context = {"date": release_date(env, today),
               "repository_url": repository_url(config.repository_url, origin, env)}
    plan = monorun.plan_release(repo, config, branch, head, context, _github(config, env, origin), say)
    if not plan.plans:
        return ReleaseResult(False, "no package is due for a release")
    session = Session(repo.root, repo, env, say, on_step,
                      strict=checked, start_head=head)
    if not dry_run:
        for warning in plan.warnings:
            say(f"warning: {warning}")
    packages: tuple[dict[str, object], ...] = tuple(
        {"name": p.unit.name, "packages": list(p.unit.members), "paths": list(p.unit.paths),
         "version": p.version, "tag": p.tag, "previous_version": p.previous.version if p.previous else None,
         "notes": p.notes, "resumed": p.resumed, "matrix": p.matrix()} for p in plan.plans)
    one = plan.plans[0] if len(plan.plans) == 1 else None
    try:
        progress, problems, done = monorun.run(plan, session, dry_run,
                                               lambda progress: _check_clean(repo, plan.files, progress))
    except RelbotError as exc:
        exc.partial = ReleaseResult(session.pushed, "", packages=packages, steps_done=exc.steps_done)
        raise
    base = ReleaseResult(False, "", one.version if one else None, one.tag if one else None,
                         one.previous.version if one and one.previous else None, one.notes if one else "",
                         progress=progress, needs=tuple(session.needs), problems=tuple(problems),
                         packages=packages, rendered=monorun.render(plan, progress, session.needs))
    if progress.finished:
        return replace(base, reason="every package is already released; nothing to do")
    if dry_run:
        return replace(base, reason="dry run: nothing was changed")
    return replace(base, released=True, commit_sha=repo.head_sha(), steps_done=done,
                   resumed=all(p.resumed for p in plan.plans), release_url=session.release_url)


def _left_behind(repo: GitRepo, config: Config, exc: TagExistsError) -> RelbotError:
    """A next-version tag only in this checkout was left by a run stopped before its push: say so."""
    tag = config.tag_format.render(exc.version)
    try:
        published = repo.has_remote() and repo.remote_ref(f"refs/tags/{tag}") is not None
    except RelbotError:
        return exc
    if published or repo.tag_target(tag) is None:
        return exc
    return TagExistsError(f"the next version {exc.version} is already tagged by {tag}, which is only in "
                          "this checkout, not on origin (a run stopped before its push left it)",
                          f"it was never published: delete it (git tag -d {tag}) and rerun", exc.version)


def _target(repo: GitRepo, config: Config, version: VersionPlan, branch: Branch,
            env: Mapping[str, str], today: str | None) -> tuple[NextRelease, LastRelease | None, bool] | None:
    """(next release, last release, resumed): the release due, or the one tagged at HEAD."""
    if version.next_release is not None:
        return version.next_release, version.last_release, False
    if version.previous_tag is None or version.commits or version.head is None:
        return None
    tag = next((t for t in history.matching_tags(repo, config.tag_format) if t.name == version.previous_tag),
               None)
    if tag is None or tag.sha != version.head:
        return None
    pinned = today or env.get("SOURCE_DATE_EPOCH")  # a pinned date wins, as for a new release
    tagged = None if pinned else next((ref.date for ref in repo.tags(f"refs/tags/{tag.name}")), None)
    notes, previous = notes_for_tag(repo, config, tag, branch.name, env, tagged or release_date(env, today))
    last = LastRelease(previous.version, previous.name) if previous else None
    return NextRelease(_release_type(previous.version if previous else None, tag.version), tag.version,
                       tag.name, notes, branch.channel), last, True


def _release_type(previous: str | None, version: str) -> str:
    """The release type that led from `previous` to `version` (semver's field that changed)."""
    new = semver.Version.parse(version)
    if previous is None:
        return "major" if new.major else "minor"
    old = semver.Version.parse(previous)
    return "major" if new.major != old.major else "minor" if new.minor != old.minor else "patch"


def _report_failure(config: Config, context: PlanContext, errors: Sequence[RelbotError],
                    session: Session) -> None:
    """semantic-release's `fail`: open the failure issue, or comment on the open one. Not for want
    of a token (it could not be reported); a failure to report is a warning, never the error."""
    options, target = config.github, context.github
    if target is None or options is None or not options.fail_on or all(e.credentials for e in errors):
        return
    nxt = context.next_release
    values = templates.release_values(nxt.version, nxt.git_tag, nxt.notes, None, None,
                                      context.branch.name, nxt.channel)
    reported = [(redact.redact(e.message), redact.redact(e.hint)) for e in errors]
    try:
        body = announce.fail_comment(branch=context.branch.name, template=options.fail_comment,
                                     errors=reported, values=values)
        url = report_failure(target, session.env, title=options.fail_title, body=body,
                             marker=announce.FAIL_MARKER, labels=tuple(dict.fromkeys(
                                 (*options.labels, FAIL_LABEL))), assignees=options.assignees)
    except RelbotError as exc:
        session.say(f"warning: the failure could not be reported on GitHub: {exc.message}")
        return
    session.say(f"reported the failure in {url}")


def _context(repo: GitRepo, config: Config, env: Mapping[str, str], branch: Branch, rule: str,
             nxt: NextRelease, last: LastRelease | None, resumed: bool,
             version: VersionPlan) -> PlanContext:
    origin = repo.remote_url()
    if resumed:  # the tagged release commit and the commits it released
        commits = [(c.sha, c.message) for c in repo.log(f"{last.git_tag}..HEAD" if last else "HEAD")]
    else:
        commits = [(c.sha, c.message) for c in version.commits]
    return PlanContext(
        next_release=nxt, last_release=last, branch=branch, rule=rule, tagged=resumed,
        remote=redact.redact(origin) if origin else None, github=_github(config, env, origin),
        values=_values_plan(repo, config, env, nxt, branch.name),
        version_files=tuple(_version_files(config, repo.root)), commits=tuple(commits))


def _github(config: Config, env: Mapping[str, str], origin: str | None) -> GitHubTarget | None:
    """Where the GitHub Release goes; fails (both runs) when no GitHub repository is known."""
    return github_target(config, env, origin) if GITHUB in config.plugins else None


def _values_plan(repo: GitRepo, config: Config, env: Mapping[str, str], nxt: NextRelease,
                 branch: str) -> ValuesPlan | None:
    """`values.onRelease`: bump-values as configured (`push`, `createPr`, `commit`), planned now
    so a downgrade or a missing key stops the dry run and the real run before anything is written."""
    values = config.values
    if values is None or not values.on_release:
        return None
    options = BumpOptions(version=nxt.version, branch=branch)
    try:
        return plan_bump(repo.root, options, config, env, repo, version_source=f"the release {nxt.git_tag}")
    except DowngradeRefused as exc:
        raise DowngradeRefused(exc.message, "values.onRelease never moves a value backwards: this "
                               "release is older than what the values file holds (a maintenance "
                               "release?); drop values.onRelease on this branch, or run `relbot "
                               "bump-values --allow-downgrade` yourself") from None


def _texts(repo: GitRepo, config: Config, version_files: tuple[VersionFile, ...],
           resumed: bool) -> dict[str, FileText]:
    """The files the release edits; for a release tagged at HEAD, also their text before HEAD, so
    the plan shows the release commit's writes (done) instead of planning new ones."""
    paths = [config.changelog.file] if CHANGELOG in config.plugins and config.changelog else []
    paths += [entry.path for entry in version_files]
    texts: dict[str, FileText] = {}
    for path in paths:
        at_head = repo.file_at("HEAD", path)
        if at_head is None and path != (config.changelog.file if config.changelog else None) \
                and not (repo.root / path).exists():
            raise InputError(f"{path}: no such file (named in versionFiles or by @semantic-release/npm)",
                             "add the file, or remove it from versionFiles")
        # edit HEAD's text, so a rerun after the write step plans the same change; for a file HEAD
        # lacks, the working tree's copy, else ""
        target = repo.root / path
        base = at_head if at_head is not None else fsio.read_text(target) if target.exists() else ""
        texts[path] = FileText(at_head, base, repo.file_at("HEAD^", path) if resumed else None)
    return texts


def _version_files(cfg: Config, root: Path) -> list[VersionFile]:
    entries = [VersionFile(path, key) for path, key in cfg.version_files]
    if NPM in cfg.plugins:
        named = {e.path for e in entries}
        entries += [e for e in npm_files(root, cfg.npm_root) if e.path not in named]
    return entries


def _check_clean(repo: GitRepo, files: Sequence[WriteFile], progress: Progress) -> list[RelbotError]:
    """Uncommitted changes other than a planned file already holding its planned text."""
    if progress.finished:
        return []
    planned = {f.path: f.new for f in files}
    dirty = [path for path in repo.status_paths()
             if not (path in planned and fsio.read_text(repo.root / path) == planned[path])]
    if not dirty:
        return []
    return [GitError(f"the working tree has uncommitted changes: {', '.join(dirty[:5])}",
                     "commit or stash them; a release is made from a clean checkout")]

