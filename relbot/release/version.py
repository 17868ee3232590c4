"""The next release of a repository: the last release tag, the commits since, the release type,
the next version and its notes (semantic-release's analyzeCommits and generateNotes), and the
notes of an existing release tag. Reads git; writes nothing but a shallow clone's history."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

from relbot.config.files import load_config
from relbot.config.options import Config, github_target
from relbot.errors import GitError, GitHubError, RelbotError
from relbot.gitauth import TOKEN_VARIABLES, find_token
from relbot.github.issues import merged_pulls
from relbot.gitrepo import GitRepo, detect_branch, open_repo
from relbot.model import Branch, BranchType, LastRelease, NextRelease, RawCommit, ReleaseType, Tag
from relbot.release import history
from relbot.release.changelog import ReleaseContext, render_notes
from relbot.release.commits import Commit, parse_all, parse_commit
from relbot.release.monorepo import PackagePlan, plan_units
from relbot.release.rules import Analysis, analyze
from relbot.release.tally import Tally
from relbot.release.versioning import (
    next_version,
    release_branch_names,
    resolve_branch,
    with_release_range,
)
from relbot.remotes import repository_url


class VersionPlan(NamedTuple):
    """The next release as relbot computes it; `version` is None when no release is due."""

    branch: str
    branch_type: str | None
    version: str | None
    tag: str | None
    previous_version: str | None
    previous_tag: str | None
    bump: ReleaseType
    rule: str
    reason: str  # why there is no release (empty when there is one)
    head: str | None
    commits: tuple[Commit, ...] = ()
    analysis: Analysis | None = None
    notes: str = ""
    config: Config = Config()
    messages: tuple[str, ...] = ()
    channel: str | None = None  # the branch's distribution channel (`${nextRelease.channel}`)
    commit_count: int = 0  # the commits since the last release (all of them, also when `commits` is empty)
    counted_count: int = 0  # those the release rules looked at (parsed, not skipped, not cancelled)
    pull_requests: Mapping[str, int] = MappingProxyType({})  # commit → the squash-merged PR read for it

    @property
    def released(self) -> bool:
        return self.version is not None

    @property
    def next_release(self) -> NextRelease | None:
        """semantic-release's `nextRelease` (None when no release is due)."""
        if self.version is None or self.tag is None:
            return None
        return NextRelease(self.bump.label, self.version, self.tag, self.notes, self.channel)

    @property
    def last_release(self) -> LastRelease | None:
        """semantic-release's `lastRelease` (None before the first release)."""
        if self.previous_version is None or self.previous_tag is None:
            return None
        return LastRelease(self.previous_version, self.previous_tag)

    def as_json(self) -> dict[str, Any]:
        return {
            "released": self.released, "version": self.version, "tag": self.tag,
            "previous_version": self.previous_version, "previous_tag": self.previous_tag,
            "bump": self.bump.label, "branch": self.branch, "branch_type": self.branch_type,
            "rule": self.rule, "reason": self.reason, "commits": self.commit_count,
            "counted_commits": self.counted_count, "head": self.head,
        }


def release_date(env: Mapping[str, str], today: str | None = None) -> str:
    """Today's date (UTC), or the one SOURCE_DATE_EPOCH pins for reproducible output."""
    if today:
        return today
    epoch = env.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return moment.strftime("%Y-%m-%d")


def plan_version(
    repo_path: Path,
    config: Mapping[str, Any] | None = None,
    branch: str | None = None,
    env: Mapping[str, str] | None = None,
    *,
    config_path: Path | None = None,
    today: str | None = None,
    say: Callable[[str], None] | None = None,
    detail: Detail = "notes",
) -> VersionPlan:
    """Compute the next release of the repository at `repo_path`.

    It writes nothing but what it fetches from origin: a shallow clone's history, and the release
    tags of origin's the checkout lacks (as semantic-release fetches them; when origin cannot be
    asked, the local tags decide).

    `detail` says how much of the range to keep: "notes" (the default) parses every commit and
    renders the notes; "commits" parses every commit (`-v`); "counts" decides from the raw log
    stream (`release.tally`) and keeps only the counts (`relbot version --json`); "version" does
    the same and stops parsing once a major release is certain, so `commit_count` and
    `counted_count` may then be partial (`relbot version`).
    """
    env = dict(os.environ if env is None else env)
    repo = open_repo(Path(repo_path), env)
    cfg = load_config(repo.root, config, config_path)
    return plan_for(repo, cfg, branch or detect_branch(repo, env), env, say=say, today=today,
                    detail=detail)


def plan_for(repo: GitRepo, cfg: Config, name: str, env: Mapping[str, str], *,
             say: Callable[[str], None] | None = None, today: str | None = None,
             detail: Detail = "notes", pulls_required: bool = False) -> VersionPlan:
    """`plan_version` for a repository and configuration the caller already holds.
    `pulls_required`: with `commitSource: "pull-request"`, pull requests that cannot be read are
    an error (a real release), not a warning with the commit messages deciding."""
    messages: list[str] = []
    report = say or messages.append
    for warning in cfg.warnings:
        report(f"warning: {warning}")
    resolved = resolve_branch(name, cfg.branches)  # the channel: `relbot release` asks which branches exist
    if resolved is None:
        names = ", ".join(b.name for b in cfg.branches)
        return _nothing(name, None, f"branch {name!r} is not configured for releases "
                        f"(branches: {names})", cfg, messages)
    head = repo.head_sha()
    if head is None:
        return _nothing(name, resolved, "the branch has no commits yet", cfg, messages)
    if history.ensure_history(repo, head, cfg.tag_format, resolved, report):
        tags = history.matching_tags(repo, cfg.tag_format)  # origin's were consulted just now
    else:
        tags = history.sync_tags(repo, cfg.tag_format, report)
    releases = release_branch_names(cfg.branches)
    after = releases.index(resolved.name) + 1 if resolved.name in releases else len(releases)
    # Only a next release branch in this checkout can bound this one (walking the histories for
    # the tags of each costs time on a large repository, so only then).
    if resolved.type is BranchType.RELEASE and after < len(releases) and \
            repo.branch_commit(releases[after]) is not None:
        releases = releases[: after + 1]  # those before it, and the next
        resolved = with_release_range(resolved, releases, history.release_branch_versions(
            repo, cfg.tag_format, releases, resolved.name, head))
    keywords = cfg.note_keywords
    pulls: dict[str, int] = {}
    if cfg.commit_source == "pull-request":
        found, raws = history.read_unreleased(repo, head, cfg.tag_format, resolved,
                                              lambda: history.Parsed(lambda raw: raw), tags)
        commits = tuple(parse_commit(raw, keywords)
                        for raw in _pull_request_messages(repo, cfg, env, raws.commits, pulls, report,
                                                          required=pulls_required))
        analysis = analyze(commits, cfg.release_rules)
        outcome = _Outcome(analysis.bump, analysis.rule, commits, analysis, len(commits),
                           len(analysis.counted), len(analysis.cancelled))
    elif detail in ("counts", "version"):
        found, tally = history.read_unreleased(
            repo, head, cfg.tag_format, resolved,
            lambda: Tally(cfg.release_rules, keywords, stop_when_certain=detail == "version"), tags)
        tally.finish()
        outcome = _Outcome(tally.bump, tally.rule, (), None, tally.commits, tally.counted,
                           tally.cancelled)
    else:
        found, parsed = history.read_unreleased(
            repo, head, cfg.tag_format, resolved,
            lambda: history.Parsed(lambda raw: parse_commit(raw, keywords)), tags)
        commits = tuple(parsed.commits)
        analysis = analyze(commits, cfg.release_rules)
        outcome = _Outcome(analysis.bump, analysis.rule, commits, analysis, len(commits),
                           len(analysis.counted), len(analysis.cancelled))
    plan = _plan(repo, cfg, resolved, head, found, outcome, env, today, tuple(messages),
                 detail == "notes" or bool(pulls))
    return plan._replace(pull_requests=MappingProxyType(pulls)) if pulls else plan


def _pull_request_messages(repo: GitRepo, cfg: Config, env: Mapping[str, str], raws: list[RawCommit],
                           read: dict[str, int], report: Callable[[str], None], *,
                           required: bool) -> list[RawCommit]:
    """`commitSource: "pull-request"`: a commit GitHub made by squash-merging a pull request gets
    the pull request's title and body as its message (recorded in `read`). Without a token, or
    with the API failing, the commit messages decide and a warning says so; unless `required`
    (a real release, which must not publish a version the pull requests would not give), where
    that is the error."""
    squashes = [raw.sha for raw in raws if len(raw.parents) <= 1]
    if not squashes:
        return raws
    try:
        target = github_target(cfg, env, repo.remote_url())
        if find_token(env) is None:
            raise GitHubError("no GitHub token", f"set one of {', '.join(TOKEN_VARIABLES)}")
        pulls = {p.merge_commit_sha: p for p in merged_pulls(target, env, squashes)}
    except RelbotError as exc:
        if required:
            raise GitHubError(f"commitSource \"pull-request\": the pull requests of the released "
                              f"commits cannot be read ({exc.message}); nothing was released",
                              exc.hint or "rerun when the API answers", credentials=exc.credentials) from None
        report(f"warning: commitSource \"pull-request\": the pull requests cannot be read "
               f"({exc.message}), so the commit messages decide")
        return raws
    out: list[RawCommit] = []
    for raw in raws:
        pull = pulls.get(raw.sha)
        if pull is None or not pull.title.strip():
            out.append(raw)
            continue
        read[raw.sha] = pull.number
        out.append(raw._replace(message=f"{pull.title.strip()}\n\n{pull.body.strip()}".strip() + "\n"))
    return out


Detail = Literal["notes", "commits", "counts", "version"]


class _Outcome(NamedTuple):
    """What the range asks for, from either reading."""

    bump: ReleaseType
    rule: str
    commits: tuple[Commit, ...]
    analysis: Analysis | None
    commit_count: int
    counted_count: int
    cancelled_count: int


def _plan(
    repo: GitRepo, cfg: Config, branch: Branch, head: str, found: history.ReleaseTags,
    outcome: _Outcome, env: Mapping[str, str], today: str | None,
    messages: tuple[str, ...], with_notes: bool,
) -> VersionPlan:
    last = found.last
    analysis = outcome.analysis
    common = {
        "branch": branch.name, "branch_type": branch.type.value, "head": head,
        "previous_version": last.version if last else None,
        "previous_tag": last.name if last else None, "commits": outcome.commits,
        "analysis": analysis, "config": cfg, "messages": messages, "channel": branch.channel,
        "commit_count": outcome.commit_count, "counted_count": outcome.counted_count,
    }
    if outcome.bump is ReleaseType.NONE:
        since = f"since {last.name}" if last else "in the history"
        count = outcome.commit_count
        cancelled = (f"; {outcome.cancelled_count} of them cancelled by reverts in the same range"
                     if outcome.cancelled_count else "")
        reason = (f"no release: none of the {_commits(count)} {since} asks for one "
                  f"(feat, fix, perf, revert or a breaking change){cancelled}") if count else \
                 f"no release: no commits {since}"
        return VersionPlan(version=None, tag=None, bump=ReleaseType.NONE, rule=outcome.rule,
                           reason=reason, **common)  # type: ignore[arg-type]
    nxt = next_version(
        last.version if last else None, outcome.bump, branch,
        existing=[t.version for t in found.all_tags], policy=cfg.zero_version,
        latest_release=found.latest_release.version if found.latest_release else None,
    )
    tag = cfg.tag_format.render(nxt.version)
    notes = ""
    if with_notes and analysis is not None:
        context = ReleaseContext(
            version=nxt.version, tag=tag, previous_tag=last.name if last else None,
            date=release_date(env, today),
            repository_url=repository_url(cfg.repository_url, repo.remote_url("origin"), env),
            link_compare=cfg.link_compare, link_references=cfg.link_references,
        )
        notes = render_notes(context, analysis.counted, cfg.types, cfg.notes_preset)
    return VersionPlan(version=nxt.version, tag=tag, bump=outcome.bump,
                       rule=f"{outcome.rule}; {nxt.rule}", reason="", notes=notes,
                       **common)  # type: ignore[arg-type]


def _commits(count: int) -> str:
    return f"{count} commit" if count == 1 else f"{count} commits"


def _nothing(name: str, branch: Branch | None, reason: str, cfg: Config,
             messages: list[str]) -> VersionPlan:
    return VersionPlan(
        branch=name, branch_type=branch.type.value if branch else None, version=None, tag=None,
        previous_version=None, previous_tag=None, bump=ReleaseType.NONE, rule="", reason=reason,
        head=None, config=cfg, messages=tuple(messages),
    )


def plan_packages(repo_path: Path, branch: str | None = None, env: Mapping[str, str] | None = None, *,
                  config_path: Path | None = None, today: str | None = None, notes: bool = True,
                  say: Callable[[str], None] = lambda _m: None) -> tuple[PackagePlan, ...] | None:
    """Every package's (or group's) next release, for a configuration with `packages`; None when
    it has none. Raises GitError for a branch that does not release or has no commits."""
    env = dict(os.environ if env is None else env)
    repo = open_repo(Path(repo_path), env)
    cfg = load_config(repo.root, None, config_path)
    if not cfg.packages:
        return None
    name = branch or detect_branch(repo, env)
    resolved = resolve_branch(name, cfg.branches, lambda b: repo.branch_commit(b) is not None)
    head = repo.head_sha()
    if resolved is None or head is None:
        raise GitError(f"branch {name!r} is not configured for releases or has no commits",
                       "run it on a release branch")
    context = {"date": release_date(env, today),
               "repository_url": repository_url(cfg.repository_url, repo.remote_url("origin"), env)}
    return plan_units(repo, cfg, resolved, head, notes_context=context if notes else None, say=say)


def full_changelog(
    repo_path: Path, config: Mapping[str, Any] | None = None, branch: str | None = None,
    env: Mapping[str, str] | None = None, *, config_path: Path | None = None,
) -> str:
    """A whole changelog regenerated from every release tag reachable from HEAD."""
    env = dict(os.environ if env is None else env)
    repo = open_repo(Path(repo_path))
    cfg = load_config(repo.root, config, config_path)
    name = branch or detect_branch(repo, env)
    resolved = resolve_branch(name, cfg.branches)
    head = repo.head_sha()
    if resolved is None or head is None:
        raise GitError(f"branch {name!r} is not configured for releases or has no commits",
                       "run it on a release branch")
    if not history.ensure_history(repo, head, cfg.tag_format, resolved, lambda _m: None, whole=True):
        history.sync_tags(repo, cfg.tag_format, lambda _m: None)
    dates = {ref.name: ref.date for ref in repo.tags(cfg.tag_format.glob())}
    tags = history.releases_in_order(history.matching_tags(repo, cfg.tag_format, merged=head))
    url = repository_url(cfg.repository_url, repo.remote_url("origin"), env)
    sections: list[str] = []
    previous: Tag | None = None
    for tag in tags:
        sections.append(_section(repo, cfg, previous, tag, dates.get(tag.name, ""), url))
        previous = tag
    body = "\n".join(reversed(sections))
    title = cfg.changelog.title if cfg.changelog and cfg.changelog.title else None
    return f"{title}\n\n{body}" if title else body


def notes_for_tag(repo: GitRepo, cfg: Config, tag: Tag, branch: str, env: Mapping[str, str],
                  date: str) -> tuple[str, Tag | None]:
    """The notes of an existing release tag (from the release before it), and that previous tag."""
    resolved = resolve_branch(branch, cfg.branches)
    previous: Tag | None = None
    if resolved is not None:
        reachable = history.matching_tags(repo, cfg.tag_format, merged=tag.sha)
        below = history.release_candidates_below(reachable, resolved, tag)
        previous = below[0] if below else None
    url = repository_url(cfg.repository_url, repo.remote_url("origin"), env)
    return _section(repo, cfg, previous, tag, date, url), previous


def _section(repo: GitRepo, cfg: Config, previous: Tag | None, tag: Tag, date: str,
             url: str | None) -> str:
    commits = parse_all(list(repo.log(history.unreleased_range(previous, tag.sha))),
                        cfg.note_keywords)
    analysis = analyze(commits, cfg.release_rules)
    context = ReleaseContext(tag.version, tag.name, previous.name if previous else None, date,
                             url, cfg.link_compare, cfg.link_references)
    return render_notes(context, analysis.counted, cfg.types, cfg.notes_preset)
