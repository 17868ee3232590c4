"""The release use case: plan (version, notes, file changes, commit, tag, push, GitHub Release),
check everything before the first write, then walk the steps; every step first asks whether it is
already done, so a rerun after a failure finishes the job instead of failing or releasing twice."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from relbot import changelog, fsio, gitauth, history, redact, templates
from relbot.api import VersionPlan, detect_branch, load_config, plan_version, release_date
from relbot.errors import GitError
from relbot.gitrepo import GitRepo, open_repo
from relbot.plan import FileChange, ReleasePlan
from relbot.publish import push_error
from relbot.settings import CHANGELOG, GIT, GITHUB, NPM, Config
from relbot.versionfiles import VersionFile, set_version
from relbot.versioning import resolve_branch

Step = Callable[[str], None]


@dataclass(frozen=True)
class ReleaseResult:
    released: bool
    reason: str = ""
    version: str | None = None
    tag: str | None = None
    previous_version: str | None = None
    notes: str = ""
    commit_sha: str | None = None
    release_url: str | None = None
    plan: ReleasePlan | None = None
    resumed: bool = False
    steps_done: tuple[str, ...] = field(default_factory=tuple)


@dataclass
class _Context:
    repo: GitRepo
    config: Config
    env: dict[str, str]
    branch: str
    auth: dict[str, str]
    say: Callable[[str], None]
    on_step: Step


def release(directory: Path, *, config_path: Path | None = None, branch: str | None = None,
            dry_run: bool = False, env: Mapping[str, str] | None = None,
            say: Callable[[str], None] = lambda _m: None, on_step: Step = lambda _s: None,
            today: str | None = None) -> ReleaseResult:
    """Release the repository at `directory` (or, with dry_run, say exactly what that would do)."""
    environment = dict(os.environ if env is None else env)
    repo = open_repo(directory)
    config = load_config(repo.root, None, config_path)
    name = branch or detect_branch(repo, environment)
    if resolve_branch(name, config.branches) is None:
        names = ", ".join(b.name for b in config.branches)
        return ReleaseResult(False, f"branch {name!r} is not configured for releases ({names})")
    token = gitauth.find_token(environment)
    auth = gitauth.git_auth_env(token, repo.remote_url("origin"), environment)
    ctx = _Context(repo, config, environment, name, auth, say, on_step)
    _check_not_behind(ctx, dry_run)
    version = plan_version(repo.root, branch=name, env=environment, config_path=config_path,
                           say=say, today=today)
    if not version.released:
        return _resume_or_nothing(ctx, version, dry_run, today)
    plan = build_plan(ctx, version)
    _preflight(ctx, plan, dry_run)
    if dry_run:
        return ReleaseResult(False, "dry run: nothing was changed", plan.version, plan.tag,
                             version.previous_version, plan.notes, plan=plan)
    return _execute(ctx, plan, version)


def build_plan(ctx: _Context, version: VersionPlan) -> ReleasePlan:
    if version.version is None or version.tag is None:
        raise ValueError("build_plan needs a version plan with a release")
    cfg, root = ctx.config, ctx.repo.root
    files: list[FileChange] = []
    if CHANGELOG in cfg.plugins and cfg.changelog is not None:
        old, base = _committed(ctx, cfg.changelog.file)
        new = changelog.update_changelog(base, version.notes, version.version, cfg.changelog.title)
        files.append(FileChange(cfg.changelog.file, old, new))
    for entry in _version_files(cfg, root):
        old, base = _committed(ctx, entry.path)
        files.append(FileChange(entry.path, old, set_version(base, entry, version.version)))
    values = templates.release_values(version.version, version.tag, version.notes,
                                      version.previous_version, version.previous_tag, ctx.branch)
    message = None
    if GIT in cfg.plugins and cfg.git is not None:
        message = templates.render(cfg.git.message, values, "plugins[@semantic-release/git].message")
    github = cfg.github
    name = templates.render(github.release_name_template or "${nextRelease.gitTag}", values,
                            "releaseNameTemplate") if github else version.tag
    body = templates.render(github.release_body_template or "${nextRelease.notes}", values,
                            "releaseBodyTemplate") if github else version.notes
    warnings = [w for w in [templates.skip_ci_warning(message or "")] if w]
    origin = ctx.repo.remote_url("origin")
    return ReleasePlan(
        version=version.version, tag=version.tag, previous_tag=version.previous_tag,
        branch=ctx.branch, rule=version.rule, notes=version.notes,
        files=tuple(f for f in files if f.old != f.new), commit_message=message,
        remote=redact.redact(origin) if origin else None, github_release=GITHUB in cfg.plugins,
        release_name=name, release_body=body, prerelease=version.branch_type == "prerelease",
        draft=bool(github and github.draft_release),
        bump_values=bool(cfg.values and cfg.values.on_release), warnings=tuple(warnings))


def _committed(ctx: _Context, path: str) -> tuple[str, str]:
    """(the file as HEAD has it, the text to edit): HEAD's copy, so a rerun after the write step
    plans the same change; for a file HEAD lacks, "" and the working tree's copy if any."""
    text = ctx.repo.file_at("HEAD", path)
    if text is not None:
        return text, text
    target = ctx.repo.root / path
    return "", fsio.read_text(target) if target.exists() else ""


def _version_files(cfg: Config, root: Path) -> list[VersionFile]:
    entries = [VersionFile(path, key) for path, key in cfg.version_files]
    if NPM in cfg.plugins and (root / "package.json").exists() and \
            all(e.path != "package.json" for e in entries):
        entries.append(VersionFile("package.json", "version"))
    return entries


def _check_not_behind(ctx: _Context, dry_run: bool) -> None:
    """The branch on origin must be HEAD or behind it; read-only (ls-remote), so dry runs too."""
    if ctx.repo.remote_url("origin") is None:
        return
    code, output = ctx.repo.attempt("ls-remote", "--heads", "origin", f"refs/heads/{ctx.branch}",
                                    env=ctx.auth)
    if code != 0 and dry_run:
        last = output.strip().splitlines()[-1] if output.strip() else "no answer"
        ctx.say(f"warning: origin cannot be reached ({last}); the release itself will check it")
        return
    if code != 0:
        raise push_error(output, ctx.branch, ctx.env)
    remote_sha = output.split()[0] if output.split() else None
    head = ctx.repo.head_sha()
    if remote_sha is None or remote_sha == head or (head and ctx.repo.is_ancestor(remote_sha, head)):
        return
    problem = GitError(
        f"{ctx.branch} moved on origin: it is at {remote_sha[:7]}, which this checkout "
        f"({(head or '')[:7]}) does not contain; releasing now would publish an outdated state",
        "nothing was changed; rerun the release on the new head (fetch and check it out)")
    if dry_run:
        ctx.say(f"warning: {problem.message}; the release itself would stop here")
        return
    raise problem


def _preflight(ctx: _Context, plan: ReleasePlan, dry_run: bool) -> None:
    planned = {f.path: f.new for f in plan.files}
    dirty: list[str] = []
    for line in ctx.repo.run("status", "--porcelain", "--untracked-files=no").splitlines():
        path = line[3:].split(" -> ")[-1]
        if path in planned and fsio.read_text(ctx.repo.root / path) == planned[path]:
            continue  # a rerun after the write step: already what the plan writes
        dirty.append(path)
    if dirty and dry_run:
        ctx.say(f"warning: the working tree has uncommitted changes ({', '.join(dirty[:5])}); "
                "the release itself would refuse to start")
    elif dirty:
        raise GitError(f"the working tree has uncommitted changes: {', '.join(dirty[:5])}",
                       "commit or stash them; a release is made from a clean checkout")
    if not dry_run:  # a dry run prints them with the plan
        for warning in plan.warnings:
            ctx.say(f"warning: {warning}")
    if plan.commit_message is not None and plan.files:
        patterns = ctx.config.git.assets if ctx.config.git else ()
        for change in plan.files:
            if not any(fnmatch.fnmatch(change.path, p) for p in patterns):
                ctx.say(f"warning: {change.path} changes but is not in the git plugin's assets; "
                        "it is committed anyway so the tag holds what was released")
    if dry_run or plan.remote is None:
        return
    _check_push(ctx)
    if plan.github_release:
        from relbot.github import check_access  # noqa: PLC0415

        check_access(ctx.repo, ctx.env)


def _check_push(ctx: _Context) -> None:
    url = ctx.repo.remote_url("origin") or ""
    if url.startswith(("http://", "https://")) and not ctx.auth:
        raise GitError("pushing the release over HTTPS needs a token and none was given",
                       f"set one of {', '.join(gitauth.TOKEN_VARIABLES)} to a token with "
                       "`contents: write` (or use an ssh remote)")
    code, output = ctx.repo.attempt("push", "--dry-run", "--porcelain", "origin",
                                    f"HEAD:refs/heads/{ctx.branch}", env=ctx.auth)
    if code != 0:
        raise push_error(output, ctx.branch, ctx.env)


def _identity(ctx: _Context) -> dict[str, str]:
    return gitauth.identity_env(ctx.env)


def _execute(ctx: _Context, plan: ReleasePlan, version: VersionPlan) -> ReleaseResult:
    from relbot.releasesteps import run_steps  # noqa: PLC0415

    return run_steps(ctx, plan, version)


def _resume_or_nothing(ctx: _Context, version: VersionPlan, dry_run: bool,
                       today: str | None) -> ReleaseResult:
    """No new commits: finish a release whose tag is at HEAD but was not fully published."""
    last_tag = version.previous_tag
    if last_tag is None or version.commits or version.head is None:
        return ReleaseResult(False, version.reason)
    from relbot.releasesteps import resume  # noqa: PLC0415

    tag = next(t for t in history.matching_tags(ctx.repo, ctx.config.tag_format) if t.name == last_tag)
    if tag.sha != version.head:
        return ReleaseResult(False, version.reason)
    return resume(ctx, version, tag, dry_run, release_date(ctx.env, today))
