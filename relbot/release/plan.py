"""A release as an ordered tuple of steps, built from file texts (pure), and the dry-run text
and JSON that show it — the same plan the real run executes."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass

from relbot.config.options import CHANGELOG, FAIL_LABEL, GIT, GITHUB, Config, GithubOptions
from relbot.errors import ConfigError
from relbot.model import Branch, BranchType, LastRelease, NextRelease
from relbot.release import announce, changelog, templates
from relbot.release.github_steps import Announce, ApiRelease, UploadAssets
from relbot.release.steps import BumpValues, PublishRelease, Push, Tag
from relbot.release.versionfiles import VersionFile, set_version
from relbot.remotes import GitHubTarget
from relbot.steps import Commit, Progress, Step, WriteFile, render_steps, steps_json
from relbot.tags import TagFormat
from relbot.values.plan import ValuesPlan


@dataclass(frozen=True)
class PlanContext:
    """Everything the plan depends on besides the configuration and the files' texts."""

    next_release: NextRelease
    last_release: LastRelease | None
    branch: Branch
    rule: str
    remote: str | None  # origin's URL, redacted; None: there is no origin and nothing is pushed
    github: GitHubTarget | None  # where the GitHub Release goes, when the github plugin is on
    tagged: bool = False  # the release is tagged at HEAD already (a rerun finishing it)
    values: ValuesPlan | None = None  # `values.onRelease`
    version_files: tuple[VersionFile, ...] = ()
    commits: tuple[tuple[str, str], ...] = ()  # (hash, message) of the released commits


@dataclass(frozen=True)
class ReleasePlan:
    context: PlanContext
    files: tuple[WriteFile, ...]
    commit_message: str | None  # None: no @semantic-release/git, nothing is committed
    release_name: str
    release_body: str
    steps: tuple[Step, ...]
    warnings: tuple[str, ...] = ()

    @property
    def next_release(self) -> NextRelease:
        return self.context.next_release

    @property
    def last_release(self) -> LastRelease | None:
        return self.context.last_release


@dataclass(frozen=True)
class FileText:
    """A file the release edits: its text at HEAD (None when HEAD lacks it) and the text to edit
    (HEAD's; for a file HEAD lacks, the working tree's copy or "")."""

    at_head: str | None
    base: str
    before_head: str | None = None  # at HEAD's parent; read only for a release tagged at HEAD


def build_plan(context: PlanContext, config: Config, texts: Mapping[str, FileText]) -> ReleasePlan:
    """The release's steps, from the files' texts (pure: no repository is read).

    Planning from HEAD's text makes a rerun after the write step plan the same change. Raises
    ConfigError for a template with an unknown placeholder, InputError for a version file whose
    key is missing."""
    nxt, last = context.next_release, context.last_release
    edited: list[tuple[str, str]] = []
    if CHANGELOG in config.plugins and config.changelog is not None:
        path = config.changelog.file
        edited.append((path, changelog.update_changelog(texts[path].base, nxt.notes, nxt.version,
                                                        config.changelog.title)))
    edited += [(e.path, set_version(texts[e.path].base, e, nxt.version)) for e in context.version_files]
    files = [WriteFile(path, texts[path].at_head or "", new) for path, new in edited
             if new != texts[path].at_head]
    if context.tagged:  # the tagged commit is the release commit: its writes are done, never redone
        files = [WriteFile(path, t.before_head or "", t.at_head) for path, t in texts.items()
                 if t.at_head is not None and t.at_head != t.before_head] if GIT in config.plugins else []
    values = templates.release_values(nxt.version, nxt.git_tag, nxt.notes, last.version if last else None,
                                      last.git_tag if last else None, context.branch.name, nxt.channel)
    message = None
    if GIT in config.plugins and config.git is not None:
        message = templates.render(config.git.message, values, "plugins[@semantic-release/git].message")
    github = config.github
    name = templates.render((github and github.release_name_template) or "${nextRelease.gitTag}",
                            values, "releaseNameTemplate")
    body = templates.render((github and github.release_body_template) or "${nextRelease.notes}",
                            values, "releaseBodyTemplate")
    planned: list[Step] = [*files]  # without a commit message, written but not committed
    if config.verified_commits:
        planned.append(_api_release(context, files, message, config.tag_format))
    else:
        if message is not None and files:
            planned.append(Commit(tuple(files), message))
        planned.append(Tag(nxt.git_tag, f"Release {nxt.git_tag}"))
        if context.remote is not None:
            planned.append(Push(context.branch.name, nxt.git_tag, context.remote, nxt.version,
                                config.tag_format))
    if GITHUB in config.plugins and context.github is not None:
        planned += _github_steps(context, context.github, github or GithubOptions(), name, body, values)
    if context.values is not None:
        planned.append(BumpValues(context.values))
    return ReleasePlan(context, tuple(files), message, name, body, tuple(planned),
                       _warnings(config, message, files))


def _api_release(context: PlanContext, files: list[WriteFile], message: str | None,
                 tag_format: TagFormat) -> ApiRelease:
    nxt = context.next_release
    if context.github is None:
        raise ConfigError("verifiedCommits: the release commit and tag are made through GitHub's API, "
                          "which needs @semantic-release/github in `plugins`",
                          "add the github plugin, or drop verifiedCommits")
    return ApiRelease(context.branch.name, nxt.git_tag, f"Release {nxt.git_tag}", tuple(files),
                      message, context.github, nxt.version, tag_format)


def _github_steps(context: PlanContext, target: GitHubTarget, github: GithubOptions, name: str,
                  body: str, values: Mapping[str, str]) -> list[Step]:
    """The GitHub Release (a draft until its assets are uploaded), its assets, and the comments,
    labels and closed failure issue of semantic-release's `success`."""
    nxt = context.next_release
    # the comment and label templates are checked now, so a dry run fails on them as the run would
    if github.success_on:
        announce.success_comment(is_pull=True, version=nxt.version, release_name=name, release_url=None,
                                 template=github.success_comment, values=values, tag=nxt.git_tag)
        announce.released_labels(github.released_labels, values)
    if github.fail_on:
        announce.fail_comment(branch=context.branch.name, errors=[], template=github.fail_comment,
                              values=values)
    draft = github.draft_release
    steps: list[Step] = [PublishRelease(nxt.git_tag, name, body, context.branch.type is BranchType.PRERELEASE,
                                        draft, target, github.discussion_category_name,
                                        draft_first=bool(github.assets))]
    if github.assets:
        steps.append(UploadAssets(nxt.git_tag, github.assets, values, target, publish=not draft,
                                  discussion=github.discussion_category_name))
    if github.success_on or github.fail_on:
        steps.append(Announce(nxt.git_tag, nxt.version, name, tuple(sha for sha, _m in context.commits),
                              tuple(m for _s, m in context.commits), values, target,
                              github.success_comment, github.released_labels, github.success_on,
                              (FAIL_LABEL,), github.fail_on))
    return steps


def _warnings(config: Config, message: str | None, files: list[WriteFile]) -> tuple[str, ...]:
    warnings = [w for w in [templates.skip_ci_warning(message or "")] if w and files]
    if message is not None:
        patterns = config.git.assets if config.git else ()
        warnings += [f"{f.path} changes but is not in the git plugin's assets; it is committed "
                     "anyway so the tag holds what was released"
                     for f in files if not any(fnmatch.fnmatch(f.path, p) for p in patterns)]
    elif files:
        warnings.append("without @semantic-release/git the changed files are written but not "
                        "committed, so the tag does not contain them")
    return tuple(warnings)


def render_plan(plan: ReleasePlan, progress: Progress, needs: tuple[str, ...] = ()) -> str:
    """What `relbot release --dry-run` prints: everything the release would do, in order."""
    nxt, last = plan.next_release, plan.last_release
    out = [f"release {nxt.git_tag} (version {nxt.version}) from {plan.context.branch.name}",
           f"previous release: {last.git_tag if last else 'none'}", f"rule: {plan.context.rule}", ""]
    if progress.finished:
        out += [f"nothing to do: {nxt.git_tag} is already released", ""]
    out += ["steps:", *render_steps(progress), ""]
    out += [f"needs: {need}" for need in needs]
    out += [f"warning: {w}" for w in plan.warnings]
    out += ["--- release notes ---", nxt.notes.rstrip("\n"), ""]
    for change in plan.files:
        out += [f"--- {change.path} ---", change.diff.rstrip("\n") or "(unchanged)", ""]
    if plan.commit_message is not None and plan.files:
        out += ["--- commit message ---", plan.commit_message.rstrip("\n"), ""]
    if any(isinstance(step, PublishRelease) for step in plan.steps):
        out += [f"--- GitHub release {plan.release_name} ---", plan.release_body.rstrip("\n"), ""]
    if plan.context.values is not None and plan.context.values.diff:
        out += ["--- values ---", plan.context.values.diff.rstrip("\n"), ""]
    return "\n".join(out) + "\n"


def plan_json(plan: ReleasePlan, progress: Progress, needs: tuple[str, ...] = ()) -> dict[str, object]:
    nxt, last = plan.next_release, plan.last_release
    return {
        "nextRelease": {"type": nxt.type, "version": nxt.version, "gitTag": nxt.git_tag,
                        "name": nxt.name, "channel": nxt.channel, "notes": nxt.notes},
        "lastRelease": {"version": last.version, "gitTag": last.git_tag} if last else None,
        "branch": plan.context.branch.name, "rule": plan.context.rule,
        "nothing_to_do": progress.finished, "steps": steps_json(progress), "needs": list(needs),
        "warnings": list(plan.warnings),
    }
