"""Walking a release plan, and finishing a release whose tag exists but is not fully published.

Each step asks first whether it is already done (file content, commit, tag at HEAD, tag and
branch on origin, GitHub Release by tag), so running the release again after a failure at any
point completes it without a second version or a duplicate release."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from relbot import fsio, gitauth, templates
from relbot.errors import GitError
from relbot.model import Tag
from relbot.publish import BYPASS, moved, push_error

if TYPE_CHECKING:
    from relbot.api import VersionPlan
    from relbot.plan import ReleasePlan
    from relbot.release import ReleaseResult, _Context

RELEASE_PROTECTED_HINT = (f"{BYPASS}; or stop committing release assets (drop @semantic-release/git "
                          "and keep the version in tags only), so the release pushes just a tag")


def run_steps(ctx: _Context, plan: ReleasePlan, version: VersionPlan) -> ReleaseResult:
    from relbot.release import ReleaseResult  # noqa: PLC0415

    repo, done = ctx.repo, []
    before = repo.head_sha()
    for change in plan.files:
        path = repo.root / change.path
        if not path.exists() or fsio.read_text(path) != change.new:
            fsio.write_atomic(path, change.new)
    done.append("write")
    ctx.on_step("write")
    sha = repo.head_sha()
    if plan.commit_message is not None:
        paths = [c.path for c in plan.files]
        if paths and repo.run("status", "--porcelain", "--", *paths):
            sha = repo.commit_paths(paths, plan.commit_message, gitauth.identity_env(ctx.env))
            ctx.say(f"committed {sha[:7]}: {plan.commit_message.splitlines()[0]}")
    done.append("commit")
    ctx.on_step("commit")
    _tag(ctx, plan.tag)
    done.append("tag")
    ctx.on_step("tag")
    if plan.remote is not None:
        _push(ctx, plan.tag, before, sha)
        done.append("push")
    ctx.on_step("push")
    url = _github_release(ctx, plan.tag, plan.release_name, plan.release_body, plan.prerelease,
                          plan.draft) if plan.github_release else None
    done.append("github-release")
    ctx.on_step("github-release")
    if plan.bump_values:
        _bump(ctx, plan.version)
        done.append("bump-values")
    return ReleaseResult(True, "", plan.version, plan.tag, version.previous_version, plan.notes,
                         sha, url, plan, False, tuple(done))


def _tag(ctx: _Context, tag: str) -> None:
    at = ctx.repo.try_run("rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}")
    head = ctx.repo.head_sha()
    if at is not None:
        if at != head:
            raise GitError(f"tag {tag} already exists on {at[:7]}, not on HEAD {str(head)[:7]}",
                           "a published tag is never moved; release a new version instead")
        return
    ctx.repo.run("tag", "-a", tag, "-m", f"Release {tag}", env=gitauth.identity_env(ctx.env))
    ctx.say(f"tagged {tag}")


def _push(ctx: _Context, tag: str, before: str | None, sha: str | None) -> None:
    code, output = ctx.repo.attempt(
        "push", "--atomic", "--porcelain", "origin", f"HEAD:refs/heads/{ctx.branch}",
        f"refs/tags/{tag}", env=ctx.auth)
    if code == 0:
        ctx.say(f"pushed {ctx.branch} and {tag} (atomically)")
        return
    ctx.repo.run("tag", "-d", tag)  # nothing reached origin: leave the checkout as it was
    if before is not None and sha != before:
        ctx.repo.run("reset", "--quiet", "--hard", before)
    if moved(output):
        raise GitError(f"{ctx.branch} moved on origin while releasing; nothing was published (the "
                       "push is atomic: the branch and the tag go together or not at all)",
                       "rerun the release on the new head")
    raise push_error(output, ctx.branch, ctx.env, RELEASE_PROTECTED_HINT)


def _github_release(ctx: _Context, tag: str, name: str, body: str, prerelease: bool,
                    draft: bool) -> str:
    from relbot.github import publish_release  # noqa: PLC0415

    url = publish_release(ctx.repo, ctx.env, tag=tag, name=name, body=body, prerelease=prerelease,
                          draft=draft)
    ctx.say(f"GitHub release {url}")
    return url


def _bump(ctx: _Context, version: str) -> None:
    from relbot.bump import BumpOptions, bump_values  # noqa: PLC0415

    result = bump_values(ctx.repo.root, BumpOptions(version=version, branch=ctx.branch),
                         ctx.config, ctx.env, ctx.repo, ctx.say)
    ctx.say("values: " + ("updated" if result.changed else "already set"))


def resume(ctx: _Context, version: VersionPlan, tag: Tag, dry_run: bool, date: str) -> ReleaseResult:
    """HEAD carries the last release tag: push it, publish it, bump values — whatever is missing."""
    from relbot.api import notes_for_tag  # noqa: PLC0415
    from relbot.release import ReleaseResult  # noqa: PLC0415
    from relbot.settings import GITHUB  # noqa: PLC0415

    missing: list[str] = []
    if ctx.repo.remote_url("origin") is not None and not _on_origin(ctx, tag.name):
        missing.append("push")
    notes, previous = notes_for_tag(ctx.repo, ctx.config, tag, ctx.branch, ctx.env, date)
    release_url = None
    if GITHUB in ctx.config.plugins:
        from relbot.github import find_release  # noqa: PLC0415

        release_url = find_release(ctx.repo, ctx.env, tag.name)
        if release_url is None:
            missing.append("github-release")
    if ctx.config.values and ctx.config.values.on_release:
        missing.append("bump-values")
    base = ReleaseResult(False, f"{tag.name} is already released; nothing to do", tag.version,
                         tag.name, previous.version if previous else None, notes,
                         version.head, release_url)
    if not missing or (missing == ["bump-values"] and dry_run):
        return base
    ctx.say(f"{tag.name} is tagged at HEAD but not fully published; finishing: {', '.join(missing)}")
    if dry_run:
        return replace(base, reason=f"dry run: would finish {tag.name}: {', '.join(missing)}",
                       steps_done=tuple(missing))
    if "push" in missing:
        _push_existing(ctx, tag.name)
    if "github-release" in missing:
        github = ctx.config.github
        values = templates.release_values(tag.version, tag.name, notes,
                                          previous.version if previous else None,
                                          previous.name if previous else None, ctx.branch)
        name = templates.render((github and github.release_name_template) or "${nextRelease.gitTag}",
                                values, "releaseNameTemplate")
        body = templates.render((github and github.release_body_template) or "${nextRelease.notes}",
                                values, "releaseBodyTemplate")
        release_url = _github_release(ctx, tag.name, name, body, version.branch_type == "prerelease",
                                      bool(github and github.draft_release))
    if "bump-values" in missing:
        _bump(ctx, tag.version)
    return replace(base, released=True, reason="", release_url=release_url, resumed=True,
                   steps_done=tuple(missing))


def _on_origin(ctx: _Context, tag: str) -> bool:
    code, output = ctx.repo.attempt("ls-remote", "--tags", "origin", f"refs/tags/{tag}", env=ctx.auth)
    if code != 0:
        raise push_error(output, ctx.branch, ctx.env)
    branch_code, branch = ctx.repo.attempt("ls-remote", "--heads", "origin",
                                           f"refs/heads/{ctx.branch}", env=ctx.auth)
    head = ctx.repo.head_sha() or ""
    return bool(output.strip()) and branch_code == 0 and branch.split()[:1] == [head]


def _push_existing(ctx: _Context, tag: str) -> None:
    code, output = ctx.repo.attempt(
        "push", "--atomic", "--porcelain", "origin", f"HEAD:refs/heads/{ctx.branch}",
        f"refs/tags/{tag}", env=ctx.auth)
    if code != 0:
        raise push_error(output, ctx.branch, ctx.env)
    ctx.say(f"pushed {ctx.branch} and {tag} (atomically)")
