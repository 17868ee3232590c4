"""A release as an ordered list of steps, and the dry-run text that shows them. Pure."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class FileChange:
    path: str  # relative to the repository root
    old: str
    new: str

    @property
    def diff(self) -> str:
        return "".join(difflib.unified_diff(
            self.old.splitlines(keepends=True), self.new.splitlines(keepends=True),
            fromfile=f"a/{self.path}", tofile=f"b/{self.path}"))


@dataclass(frozen=True)
class ReleasePlan:
    version: str
    tag: str
    previous_tag: str | None
    branch: str
    rule: str
    notes: str
    files: tuple[FileChange, ...]
    commit_message: str | None  # None: no @semantic-release/git, nothing is committed
    remote: str | None  # the push target (redacted URL), None without an origin
    github_release: bool
    release_name: str
    release_body: str
    prerelease: bool
    draft: bool
    bump_values: bool
    warnings: tuple[str, ...] = ()

    @property
    def steps(self) -> list[str]:
        steps = [f"write {f.path}" for f in self.files]
        if self.commit_message is not None:
            steps.append(f"commit {', '.join(f.path for f in self.files) or '(nothing changed)'}")
        steps.append(f"tag {self.tag} (annotated)")
        if self.remote is not None:
            steps.append(f"push --atomic {self.branch} and {self.tag} to {self.remote}")
        if self.github_release:
            kind = "draft " if self.draft else ("pre" if self.prerelease else "")
            steps.append(f"create or update the GitHub {kind}release {self.release_name}")
        if self.bump_values:
            steps.append(f"bump-values with version {self.version}")
        return steps


def render_plan(plan: ReleasePlan) -> str:
    """What `relbot release --dry-run` prints: everything the release would do, in order."""
    out = [f"release {plan.tag} (version {plan.version}) from {plan.branch}",
           f"previous release: {plan.previous_tag or 'none'}", f"rule: {plan.rule}", ""]
    out += ["steps:", *(f"  {i}. {step}" for i, step in enumerate(plan.steps, 1)), ""]
    out += [f"warning: {w}" for w in plan.warnings]
    out += ["--- release notes ---", plan.notes.rstrip("\n"), ""]
    for change in plan.files:
        out += [f"--- {change.path} ---", change.diff.rstrip("\n") or "(unchanged)", ""]
    if plan.commit_message is not None:
        out += ["--- commit message ---", plan.commit_message.rstrip("\n"), ""]
    if plan.github_release:
        out += [f"--- GitHub release {plan.release_name} ---", plan.release_body.rstrip("\n"), ""]
    return "\n".join(out) + "\n"
