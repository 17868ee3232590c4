"""The next release of every package of a monorepo (`packages`, `groups`), from one history walk.

A release unit is a group (its packages share one version and one tag) or a package in no group.
Each unit's last release is the highest of its own tags (its tag format only) that HEAD reaches;
the commits that belong to it are those after that tag that touch its paths (a merge by its own
changes) or carry one of its scopes. One `for-each-ref` lists the tags, one `for-each-ref --merged`
says which HEAD reaches, and one `git log --name-only` reads every unit's commits: from HEAD back
to the last releases' common ancestor, each unit's range then taken in memory."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import semver

from relbot.config.options import Config
from relbot.config.packages import changelog_path
from relbot.errors import ConfigError, GitError, UsageError
from relbot.gitrepo import GitRepo
from relbot.model import Branch, ReleaseRule, ReleaseType, Tag, TagRef, ZeroPolicy
from relbot.release import history
from relbot.release.changelog import ReleaseContext, render_notes
from relbot.release.commits import Commit, ParsedCommit, parse_commit
from relbot.release.rules import Analysis, analyze
from relbot.release.versioning import next_version, release_candidates
from relbot.tags import TagFormat, release_tags


class Unit(NamedTuple):
    """What releases with one version: a group of packages, or a package alone."""

    name: str
    members: tuple[str, ...]  # the packages
    paths: tuple[str, ...]  # "" is the whole repository
    scopes: tuple[str, ...]
    tag_format: TagFormat
    release_rules: tuple[ReleaseRule, ...]
    zero_version: ZeroPolicy
    member_paths: tuple[str, ...] = ()  # each package's first path, in `members` order

    def owns(self, files: Iterable[str], scope: str | None) -> bool:
        """Whether a commit that changes `files` (with `scope`) belongs to this unit."""
        if scope is not None and scope in self.scopes:
            return True
        return any(not path or file == path or file.startswith(path + "/")
                   for file in files for path in self.paths)


def release_units(config: Config) -> tuple[Unit, ...]:
    """The release units, in the order of `packages` (a group where its first member is)."""
    group_of = {member: group for group in config.groups for member in group.members}
    by_name = {p.name: p for p in config.packages}
    units: list[Unit] = []
    for package in config.packages:
        group = group_of.get(package.name)
        if group is None:
            units.append(Unit(package.name, (package.name,), package.paths, package.scopes,
                              package.tag_format, package.release_rules or config.release_rules,
                              package.zero_version or config.zero_version, (package.paths[0],)))
        elif all(u.name != group.name for u in units):
            members = [by_name[m] for m in group.members]
            rules = [m.release_rules for m in members]
            zeros = [m.zero_version for m in members]
            for option, values in (("releaseRules", rules), ("zeroVersion", zeros)):
                if len(set(values)) > 1:
                    raise ConfigError(f"group {group.name!r}: its packages set different {option}",
                                      f"a group releases with one {option}: set the same on every "
                                      "package of the group, or on none")
            units.append(Unit(group.name, group.members, tuple(p for m in members for p in m.paths),
                              tuple(s for m in members for s in m.scopes), group.tag_format,
                              rules[0] or config.release_rules, zeros[0] or config.zero_version,
                              tuple(m.paths[0] for m in members)))
    return tuple(units)


class PackagePlan(NamedTuple):
    """One unit's next release; `version` is None when none is due."""

    unit: Unit
    version: str | None
    tag: str | None
    previous: Tag | None
    bump: ReleaseType
    rule: str
    reason: str
    commits: tuple[Commit, ...]  # the unit's commits since its last release, newest first
    analysis: Analysis
    notes: str = ""
    resumed: bool = False  # tagged at HEAD already: a rerun finishes its release

    def matrix(self) -> list[dict[str, str | None]]:
        """One build-matrix entry per package (a group's packages each get the group's version):
        `name`, `version`, `tag`, `path` (its first path) and `group` (None for a package alone)."""
        group = None if self.unit.members == (self.unit.name,) else self.unit.name
        return [{"name": name, "version": self.version, "tag": self.tag, "path": path, "group": group}
                for name, path in zip(self.unit.members, self.unit.member_paths, strict=True)]

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.unit.name, "packages": list(self.unit.members), "paths": list(self.unit.paths),
            "released": self.version is not None, "version": self.version, "tag": self.tag,
            "previous_version": self.previous.version if self.previous else None,
            "previous_tag": self.previous.name if self.previous else None, "bump": self.bump.label,
            "rule": self.rule, "reason": self.reason, "commits": len(self.commits),
        }


def plan_units(repo: GitRepo, config: Config, branch: Branch, head: str, *,
               notes_context: Mapping[str, Any] | None = None, resume: bool = False,
               say: Callable[[str], None] = lambda _m: None) -> tuple[PackagePlan, ...]:
    """Every unit's next release at `head`. `notes_context`: `date` and `repository_url` for the
    notes (None: no notes). `resume`: a unit tagged at HEAD is the release to finish (as `relbot
    release` reruns), not a release already made. Raises GitError on a shallow clone (every
    unit's tags are needed)."""
    if repo.is_shallow():
        raise GitError("a monorepo's packages need the whole history and every tag, and this clone "
                       "is shallow", history.SHALLOW_HINT)
    units = release_units(config)
    refs = _sync_tags(repo, units, head, say)
    tags = {u.name: release_tags(refs, u.tag_format) for u in units}
    # Usually each unit's highest tag is its last release, on HEAD's history: the walk from HEAD
    # back to their common ancestor with HEAD proves it (a tag in the walk, or that ancestor itself,
    # is HEAD's), so no walk of the whole history is needed to ask which tags HEAD reaches.
    _check_group_starts(config, units, refs)
    candidates = {name: release_candidates(found, branch) for name, found in tags.items()}
    # a unit tagged at HEAD was released by this commit (a rerun finishes it): its range runs from
    # the release before
    at_head = {name: c[0] for name, c in candidates.items() if resume and c and c[0].sha == head}
    tops = {name: c[1 if name in at_head else 0] for name, c in candidates.items()
            if len(c) > (1 if name in at_head else 0)}
    base = repo.merge_base(head, *(t.sha for t in tops.values())) if len(tops) == len(units) else None
    walked = list(repo.log_with_paths(head, *([f"^{base}"] if base else [])))
    parents = {raw.sha: raw.parents for raw, _files in walked}
    reachable: set[str] | None = None
    found: dict[str, history.ReleaseTags] = {}
    for unit in units:
        top = tops.get(unit.name)
        others = tuple(t for t in tags[unit.name] if unit.name not in at_head or t != at_head[unit.name])
        if top is not None and (top.sha in parents or top.sha == base) \
                and not semver.Version.parse(top.version).prerelease:
            found[unit.name] = history.ReleaseTags(top, top, others)
            continue
        if reachable is None:  # a tag off HEAD's history, or a prerelease line: ask git once
            reachable = {ref.name for ref in repo.tags("refs/tags/*", merged=head)}
        found[unit.name] = history.find_last_release(repo, head, unit.tag_format, branch, others,
                                                     reachable - {at_head[unit.name].name}
                                                     if unit.name in at_head else reachable)
    parsed = {raw.sha: parse_commit(raw, config.note_keywords) for raw, _files in walked}
    released_at = {t.sha for found in tags.values() for t in found}
    managed = _release_files(config)
    prefix = _release_subject(config)
    # relbot's release commit (a release tag's commit, or one with the release message's subject,
    # that changes only changelogs and version files) is no package's change, whichever folder
    # those files are in: also when a run stopped before tagging it
    walked = [(raw, files) for raw, files in walked
              if not ((raw.sha in released_at or (prefix and raw.message.startswith(prefix)))
                      and files and set(files) <= managed)]
    plans: list[PackagePlan] = []
    for unit in units:
        last = found[unit.name].last
        before = _reached(last.sha, parents) if last is not None else set()
        mine = tuple(parsed[raw.sha] for raw, files in walked
                     if raw.sha not in before and unit.owns(files, _scope(parsed[raw.sha])))
        plans.append(_plan(unit, found[unit.name], branch, mine, config, notes_context,
                           at_head.get(unit.name)))
    return tuple(plans)


def _sync_tags(repo: GitRepo, units: Sequence[Unit], head: str,
               say: Callable[[str], None]) -> list[TagRef]:
    """The checkout's tags, after fetching the packages' release tags that origin has and this
    checkout lacks (one `ls-remote`, one fetch), as a single release does. Refuses a release tag
    only this checkout has on HEAD's history (a run stopped before its push left it): releasing
    after it would skip it."""
    refs = repo.tags("refs/tags/*")
    if not repo.has_remote():
        return refs
    try:
        remote = repo.remote_tags()
    except GitError as exc:
        say(f"warning: origin cannot be asked for the packages' release tags ({exc.message}); the "
            "checkout's own tags decide")
        return refs

    def ours(name: str) -> bool:
        return any(u.tag_format.parse(name) is not None for u in units)

    local = {ref.name: ref.sha for ref in refs}
    missing = sorted(name for name in remote if name not in local and ours(name))
    if missing:
        repo.fetch_tags(missing)
        say(f"fetched {len(missing)} release tag(s) from origin that this checkout lacked "
            f"({', '.join(missing[:3])}{', …' if len(missing) > 3 else ''})")
        refs = repo.tags("refs/tags/*")
    unpushed = sorted(name for name, sha in local.items() if name not in remote and ours(name)
                      and (sha == head or repo.is_ancestor(sha, head)))
    if unpushed:
        raise GitError(f"the release tag(s) {', '.join(unpushed)} are only in this checkout, not on "
                       "origin (left by a run stopped before its push, or made by hand and not pushed)",
                       f"a tag made by hand: push it (git push origin {unpushed[0]}); one left by a "
                       f"stopped run was never published: delete it (git tag -d {' '.join(unpushed)}) "
                       "and rerun, which releases those packages again")
    return refs


def _check_group_starts(config: Config, units: Sequence[Unit], refs: Sequence[TagRef]) -> None:
    """A group with no tag of its own whose packages have theirs would restart at 1.0.0."""
    formats = {p.name: p.tag_format for p in config.packages}
    for unit in units:
        if len(unit.members) == 1 and unit.name == unit.members[0]:
            continue
        if release_tags(refs, unit.tag_format):
            continue
        own = sorted((t.name for m in unit.members for t in release_tags(refs, formats[m])), reverse=True)
        if own:
            raise ConfigError(
                f"group {unit.name!r} has no release tag ({unit.tag_format.template}) yet, but its "
                f"packages do ({', '.join(own[:3])}): its first release would be 1.0.0",
                f"tag where the group starts, e.g. `git tag {unit.tag_format.render('X.Y.Z')} <commit>` "
                "with the highest of its packages' versions, and push the tag")


def _release_files(config: Config) -> set[str]:
    """The files a release commit changes: every package's changelog and version files."""
    out: set[str] = set()
    for package in config.packages:
        out.add(changelog_path(package))
        out.update(path for path, _key in package.version_files)
    return out


def _release_subject(config: Config) -> str:
    """The literal start of the release commit's message (`chore(release): ` by default)."""
    message = config.git.message if config.git is not None else ""
    return message.split("${", 1)[0] if "${" in message else ""


def _scope(commit: Commit) -> str | None:
    return commit.scope if isinstance(commit, ParsedCommit) else None


def _reached(start: str, parents: Mapping[str, Sequence[str]]) -> set[str]:
    """The walked commits that `start` reaches (itself included), through their parents."""
    seen = {start}
    todo = [start]
    while todo:
        for parent in parents.get(todo.pop(), ()):
            if parent not in seen and parent in parents:
                seen.add(parent)
                todo.append(parent)
    return seen


def _plan(unit: Unit, tags: history.ReleaseTags, branch: Branch, commits: tuple[Commit, ...],
          config: Config, notes_context: Mapping[str, Any] | None, tagged: Tag | None) -> PackagePlan:
    last = tags.last
    analysis = analyze(commits, unit.release_rules)
    if tagged is not None:  # released at HEAD: its version is the tag's, its notes its range's
        notes = _notes(tagged.version, tagged.name, last, analysis, config, notes_context)
        return PackagePlan(unit, tagged.version, tagged.name, last, analysis.bump,
                           f"finishing the release {tagged.name}, tagged at HEAD", "", commits, analysis,
                           notes, resumed=True)
    if analysis.bump is ReleaseType.NONE:
        since = f"since {last.name}" if last else "in the history"
        reason = (f"no release: none of the {len(commits)} commit(s) of {unit.name} {since} asks for one"
                  if commits else f"no release: no commit touches {unit.name} {since}")
        return PackagePlan(unit, None, None, last, ReleaseType.NONE, analysis.rule, reason, commits, analysis)
    nxt = next_version(last.version if last else None, analysis.bump, branch,
                       existing=[t.version for t in tags.all_tags], policy=unit.zero_version,
                       latest_release=tags.latest_release.version if tags.latest_release else None)
    tag = unit.tag_format.render(nxt.version)
    notes = _notes(nxt.version, tag, last, analysis, config, notes_context)
    return PackagePlan(unit, nxt.version, tag, last, analysis.bump, f"{analysis.rule}; {nxt.rule}", "",
                       commits, analysis, notes)


def _notes(version: str, tag: str, last: Tag | None, analysis: Analysis, config: Config,
           notes_context: Mapping[str, Any] | None) -> str:
    if notes_context is None:
        return ""
    context = ReleaseContext(version, tag, last.name if last else None, notes_context["date"],
                             notes_context.get("repository_url"), config.link_compare,
                             config.link_references)
    return render_notes(context, analysis.counted, config.types, config.notes_preset)


def pick(plans: Sequence[PackagePlan], name: str) -> PackagePlan:
    """The plan of package (or group) `name`; a package in a group answers with its group's."""
    for plan in plans:
        if name == plan.unit.name or name in plan.unit.members:
            return plan
    names = ", ".join(m for p in plans for m in p.unit.members)
    raise UsageError(f"--package {name!r}: no such package", f"the packages are: {names}")

