"""`relbot release` for a monorepo: every package (or group) that is due, in one run — one release
commit with every package's changelog and version files, one annotated tag per package, one atomic
push of the branch and all the tags, one GitHub Release per package. The same step model as a single
release: the dry run shows the plan, a rerun after a failure finishes every package (a package tagged
at HEAD is one to finish) and never releases one twice."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from relbot import redact, steps
from relbot.config.options import CHANGELOG, GIT, GITHUB, Config
from relbot.config.packages import changelog_path
from relbot.errors import InputError, RelbotError
from relbot.gitrepo import GitRepo
from relbot.model import Branch, BranchType
from relbot.release import changelog, templates
from relbot.release.monorepo import PackagePlan, plan_units
from relbot.release.steps import PublishRelease, Push, Tag, push_atomically
from relbot.release.versionfiles import VersionFile, set_version
from relbot.remotes import GitHubTarget
from relbot.steps import Commit, Progress, Session, Step, WriteFile, render_steps


@dataclass(frozen=True)
class PushAll:
    """`git push --atomic` of the branch and every package's tag: all land or none does."""

    kind: ClassVar[str] = "push"
    branch: str
    pushes: tuple[Push, ...]  # one per tag: what each checks (the tag not elsewhere on origin, …)
    remote: str
    made: tuple[str, ...]  # the tags this release makes (the others were made by an earlier run)

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(p.tag for p in self.pushes)

    def describe(self) -> str:
        return f"push --atomic {self.branch} and {', '.join(self.tags)} to {self.remote}"

    def is_done(self, session: Session) -> bool:
        return all(p.is_done(session) for p in self.pushes)

    def check(self, session: Session) -> None:
        for push in self.pushes:
            push.check(session)

    def run(self, session: Session) -> None:
        push_atomically(session, self.branch, self.tags, self.made)


@dataclass(frozen=True)
class PackagesPlan:
    """The packages' release: which are due, the files, the commit message and the steps."""

    plans: tuple[PackagePlan, ...]  # the units that are due (new, or tagged at HEAD to finish)
    files: tuple[WriteFile, ...]
    commit_message: str | None
    steps: tuple[Step, ...]
    warnings: tuple[str, ...] = ()


def plan_release(repo: GitRepo, config: Config, branch: Branch, head: str,
                 notes_context: Mapping[str, str | None], github: GitHubTarget | None,
                 say: Callable[[str], None] = lambda _m: None) -> PackagesPlan:
    """The steps that release every due package, from HEAD's files (a rerun plans the same)."""
    due = tuple(p for p in plan_units(repo, config, branch, head, notes_context=notes_context, resume=True,
                                      say=say) if p.version is not None)
    new = [p for p in due if not p.resumed]
    edited: dict[str, str] = {}
    for plan in new:
        for path in _changelogs(config, plan):
            base = edited.get(path, repo.file_at("HEAD", path) or "")
            title = config.changelog.title if config.changelog else None
            edited[path] = changelog.update_changelog(base, plan.notes, str(plan.version), title)
        for path, key in _version_files(config, plan):
            current = edited.get(path, repo.file_at("HEAD", path))
            if current is None:
                raise InputError(f"{path}: no such file (a versionFiles entry of {plan.unit.name})",
                               "add the file, or remove it from the package's versionFiles")
            edited[path] = set_version(current, VersionFile(path, key), str(plan.version))
    files = tuple(WriteFile(path, repo.file_at("HEAD", path) or "", text) for path, text in edited.items()
                  if text != repo.file_at("HEAD", path))
    message = _message(config, new, branch) if new and GIT in config.plugins and files else None
    planned: list[Step] = [*files]
    if message is not None:
        planned.append(Commit(files, message))
    planned += [Tag(str(p.tag), f"Release {p.tag}") for p in due]
    origin = repo.remote_url()
    if origin is not None:
        planned.append(PushAll(branch.name, tuple(Push(branch.name, str(p.tag), "", str(p.version),
                                                       p.unit.tag_format) for p in due),
                               redact.redact(origin), tuple(str(p.tag) for p in new)))
    if GITHUB in config.plugins and github is not None:
        draft = bool(config.github and config.github.draft_release)
        planned += [PublishRelease(str(p.tag), str(p.tag), p.notes, branch.type is BranchType.PRERELEASE,
                                   draft, github) for p in due]
    return PackagesPlan(due, files, message, tuple(planned), _warnings(config))


def _warnings(config: Config) -> tuple[str, ...]:
    """What a single release does that a packages release does not do yet."""
    out: list[str] = []
    github = config.github
    if GITHUB in config.plugins and github is not None:
        left = [what for what, on in (("comments and labels on the released pull requests and issues",
                                       github.success_on),
                                      ("the failure issue", github.fail_on),
                                      ("release assets", bool(github.assets))) if on]
        if left:
            out.append(f"not made for packages yet (@semantic-release/github): {'; '.join(left)}")
    if config.values is not None and config.values.on_release:
        out.append("values.onRelease is not run for packages yet: run `relbot bump-values "
                   "--version-from tag --package NAME` in the build matrix instead")
    return tuple(out)


def _changelogs(config: Config, plan: PackagePlan) -> list[str]:
    """The changelog files a unit's release writes: each package's `changelogFile`, else
    `CHANGELOG.md` in its first path (the repository's for a package at the root)."""
    if CHANGELOG not in config.plugins:
        return []
    packages = {p.name: p for p in config.packages}
    return list(dict.fromkeys(changelog_path(packages[m]) for m in plan.unit.members))


def _version_files(config: Config, plan: PackagePlan) -> list[tuple[str, str]]:
    packages = {p.name: p for p in config.packages}
    return [entry for member in plan.unit.members for entry in packages[member].version_files]


def _message(config: Config, new: Sequence[PackagePlan], branch: Branch) -> str:
    """The git plugin's message, where `${nextRelease.version}` lists each package as `name version`,
    `${nextRelease.gitTag}` every tag and `${nextRelease.notes}` every package's notes."""
    version = ", ".join(f"{p.unit.name} {p.version}" for p in new)
    tag = " ".join(str(p.tag) for p in new)
    notes = "\n\n".join(p.notes.rstrip("\n") for p in new) + "\n"
    values = templates.release_values(version, tag, notes, None, None, branch.name, branch.channel)
    git = config.git
    return templates.render(git.message if git else "", values, "plugins[@semantic-release/git].message")


def render(plan: PackagesPlan, progress: Progress, needs: Sequence[str]) -> str:
    """What `relbot release --dry-run` prints for a monorepo."""
    out = ["release " + ", ".join(f"{p.unit.name} {p.version} ({p.tag}"
                                  + (", tagged at HEAD" if p.resumed else "") + ")" for p in plan.plans), ""]
    if progress.finished:
        out += ["nothing to do: every package is already released", ""]
    out += ["steps:", *render_steps(progress), ""]
    out += [f"needs: {need}" for need in needs]
    out += [f"warning: {warning}" for warning in plan.warnings]
    for package in plan.plans:
        out += [f"--- release notes of {package.unit.name} ---", package.notes.rstrip("\n"), ""]
    for change in plan.files:
        out += [f"--- {change.path} ---", change.diff.rstrip("\n") or "(unchanged)", ""]
    if plan.commit_message is not None:
        out += ["--- commit message ---", plan.commit_message.rstrip("\n"), ""]
    return "\n".join(out) + "\n"


Outcome = tuple[Progress, list[RelbotError], tuple[str, ...]]


def run(plan: PackagesPlan, session: Session, dry_run: bool,
        check_clean: Callable[[Progress], list[RelbotError]]) -> Outcome:
    """Assess, check and (unless `dry_run`) execute the plan: (progress, problems, steps done)."""
    progress = steps.assess(plan.steps, session)
    problems = [*check_clean(progress), *steps.preflight(progress, session)]
    if dry_run or progress.finished:
        return progress, problems, ()
    if problems:
        raise problems[0]
    return progress, problems, steps.execute(plan.steps, session)
