"""Pull requests and issues through GitHub's REST API: which merged pull requests a release
includes, their titles and bodies (squash merges), comments and labels on what was released, and
the failure issue. Errors are GitHubErrors that say which permission is missing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from relbot.github import calling, repository
from relbot.remotes import GitHubTarget

PULLS_READ = "`pull-requests: read`"
ISSUES_WRITE = "`issues: write` and `pull-requests: write`"


class MergedPull(NamedTuple):
    """A merged pull request, as the release reads it."""

    number: int
    title: str
    body: str
    merge_commit_sha: str


def merged_pulls(target: GitHubTarget, env: Mapping[str, str], shas: Sequence[str]) -> list[MergedPull]:
    """The merged pull requests whose merge (or squash, or last rebased) commit is one of `shas`:
    one `GET /commits/{sha}/pulls` a commit."""
    wanted = set(shas)
    found: dict[int, MergedPull] = {}
    with calling(target, f"reading the pull requests of the released commits on {target.slug}",
                 PULLS_READ):
        remote = repository(target, env)
        for sha in shas:
            pulls = [MergedPull(p.number, str(p.title or ""), str(p.body or ""), str(p.merge_commit_sha))
                     for p in remote.get_commit(sha).get_pulls()
                     if p.merged_at is not None and p.merge_commit_sha in wanted]
            for pull in pulls:
                found.setdefault(pull.number, pull)
    return list(found.values())


class Issue(NamedTuple):
    number: int
    is_pull: bool
    url: str


def existing_issues(target: GitHubTarget, env: Mapping[str, str], numbers: Sequence[int]) -> list[Issue]:
    """Those of `numbers` that are issues or pull requests of the repository (a `#12` in a commit
    message may name nothing there)."""
    from github import UnknownObjectException  # noqa: PLC0415 - PyGithub is slow to import

    found: list[Issue] = []
    with calling(target, f"reading the issues the release closes on {target.slug}", "`issues: read`"):
        remote = repository(target, env)
        for number in numbers:
            try:
                issue = remote.get_issue(number)
                found.append(Issue(number, issue.pull_request is not None, str(issue.html_url)))
            except UnknownObjectException:
                continue  # gone, transferred or never there: nothing to comment on
    return found


def commented(target: GitHubTarget, env: Mapping[str, str], number: int, marker: str) -> bool:
    """Whether issue or pull request `number` has a comment holding `marker`."""
    with calling(target, f"reading the comments of #{number} on {target.slug}", "`issues: read`"):
        issue = repository(target, env).get_issue(number)
        return any(marker in str(c.body or "") for c in issue.get_comments())


def comment_and_label(target: GitHubTarget, env: Mapping[str, str], number: int, body: str,
                      marker: str, labels: Sequence[str]) -> bool:
    """Comment on issue or pull request `number` unless a comment holding `marker` is there, and
    add `labels`; False when it already had the comment (a rerun)."""
    with calling(target, f"commenting on #{number} of {target.slug}", ISSUES_WRITE):
        issue = repository(target, env).get_issue(number)
        done = any(marker in str(c.body or "") for c in issue.get_comments())
        if not done:
            issue.create_comment(body)
    if labels:
        with calling(target, f"labelling #{number} of {target.slug} {', '.join(labels)}", ISSUES_WRITE):
            issue.add_to_labels(*labels)
    return not done


def failure_issues(target: GitHubTarget, env: Mapping[str, str], labels: Sequence[str],
                   marker: str) -> list[Issue]:
    """The open failure issues: labelled `labels`, with `marker` in the body (as semantic-release
    finds its own)."""
    with calling(target, f"looking for the open failure issue on {target.slug}", "`issues: read`"):
        remote = repository(target, env)
        return [Issue(i.number, False, str(i.html_url))
                for i in remote.get_issues(state="open", labels=list(labels))
                if i.pull_request is None and marker in str(i.body or "")]


def report_failure(target: GitHubTarget, env: Mapping[str, str], *, title: str, body: str,
                   marker: str, labels: Sequence[str], assignees: Sequence[str]) -> str:
    """Comment on the open failure issue, or open one; returns its URL."""
    open_ones = failure_issues(target, env, labels, marker)
    with calling(target, f"reporting the failed release on {target.slug}", "`issues: write`"):
        remote = repository(target, env)
        if open_ones:
            remote.get_issue(open_ones[0].number).create_comment(body)
            return open_ones[0].url
        created: Any = remote.create_issue(title=title, body=f"{body}\n\n{marker}", labels=list(labels),
                                           assignees=list(assignees))
        return str(created.html_url)


def close_issues(target: GitHubTarget, env: Mapping[str, str], numbers: Sequence[int]) -> None:
    with calling(target, f"closing the failure issue on {target.slug}", "`issues: write`"):
        remote = repository(target, env)
        for number in numbers:
            remote.get_issue(number).edit(state="closed", state_reason="completed")

