"""Recording and publishing value changes: one commit, then a push that survives other pipelines
pushing to the same branch (fetch, reset to the remote head, re-apply the same edits to the fresh
files, commit, push again), or a pull request for protected branches."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from relbot import fsio, gitauth
from relbot.errors import GitError, InputError
from relbot.gitrepo import GitRepo

if TYPE_CHECKING:
    from relbot.bump import BumpOptions, BumpResult, FileOutcome

REJECTED = ("[rejected]", "non-fast-forward", "fetch first", "incorrect old value",
            "cannot lock ref", "stale info")  # git's words for "the branch moved meanwhile"
Reapply = Callable[[], tuple[list["FileOutcome"], dict[Any, str]]]


def publish(
    repo: GitRepo, plans: Sequence[Any], result: BumpResult, message: str, env: Mapping[str, str],
    options: BumpOptions, *, push: bool, create_pr: bool, reapply: Reapply,
    say: Callable[[str], None], sleep: Callable[[float], None],
) -> BumpResult:
    from relbot.api import detect_branch  # noqa: PLC0415
    from relbot.bump import backoff, token_env  # noqa: PLC0415

    identity = gitauth.identity_env(env)
    paths = [str(plan.path.resolve().relative_to(repo.root)) for plan in plans]
    sha = repo.commit_paths(paths, message, identity)
    say(f"committed {sha[:7]}: {message.splitlines()[0]}")
    if not push and not create_pr:
        return replace(result, commit_sha=sha)
    branch = options.branch or detect_branch(repo, env)
    auth = token_env(repo, env)
    if create_pr:
        return _pull_request(repo, result, sha, message, branch, auth, env, say)
    for attempt in range(1, options.retries + 2):
        code, output = repo.attempt("push", "--porcelain", "origin", f"HEAD:refs/heads/{branch}",
                                    env=auth)
        if code == 0:
            say(f"pushed {sha[:7]} to {branch}" + (f" after {attempt} attempts" if attempt > 1 else ""))
            return replace(result, commit_sha=sha, pushed=True, attempts=attempt)
        if not moved(output):
            raise push_error(output, branch, env)
        if attempt > options.retries:
            break
        say(f"push rejected: {branch} moved on origin; re-applying the edits to its new head "
            f"(attempt {attempt + 1} of {options.retries + 1})")
        sleep(backoff(attempt))
        repo.run("fetch", "--quiet", "origin", f"refs/heads/{branch}", env=auth)
        repo.run("reset", "--quiet", "--hard", "FETCH_HEAD")
        try:
            outcomes, texts = reapply()
        except InputError as exc:
            if "move it backwards" not in exc.message:
                raise
            say(f"origin already has a newer value: {exc.message}; nothing to push")
            return replace(result, attempts=attempt, messages=(exc.message,))
        result = replace(result, files=tuple(outcomes))
        if not texts:
            say(f"origin already has these values; nothing to push (attempt {attempt + 1})")
            return replace(result, attempts=attempt + 1)
        for plan, text in texts.items():
            fsio.write_atomic(plan.path, text)
        sha = repo.commit_paths(paths, message, identity)
    raise GitError(f"the push to {branch} was rejected {options.retries + 1} times because other "
                   "pipelines kept pushing first", "raise --retries, or rerun the job")


BYPASS = "push with a PAT or GitHub App token that is allowed to bypass the branch protection"


def moved(output: str) -> bool:
    """Whether a push failed because the remote branch moved (another pipeline pushed first)."""
    return any(marker in output for marker in REJECTED)


def push_error(output: str, branch: str, env: Mapping[str, str],
               protected_hint: str = f"use --create-pr to open a pull request instead, or {BYPASS}"
               ) -> GitError:
    """A clear error for a push that failed for a reason other than a moved branch."""
    detail = output.strip().splitlines()[-1] if output.strip() else "no message"
    if "GH006" in output or "protected branch" in output.lower():
        return GitError(f"{branch} is a protected branch and the server refused the push: {detail}",
                        protected_hint)
    if any(s in output for s in ("Authentication failed", "could not read Username", "403", "401")):
        token = gitauth.find_token(env)
        if token is None:
            return GitError(f"the push to {branch} needs credentials and none were given",
                            f"set one of {', '.join(gitauth.TOKEN_VARIABLES)} to a token with "
                            "`contents: write` permission")
        return GitError(f"the push to {branch} was refused with the token from {token.variable}: "
                        f"{detail}", "check that the token is valid and has `contents: write`")
    return GitError(f"the push to {branch} failed: {detail}", "see the message above")


def _pull_request(repo: GitRepo, result: BumpResult, sha: str, message: str, base: str,
                  auth: Mapping[str, str], env: Mapping[str, str],
                  say: Callable[[str], None]) -> BumpResult:
    from relbot.github import open_pull_request  # noqa: PLC0415 - PyGithub only for PRs

    digest = hashlib.sha256(result.diff.encode()).hexdigest()[:12]
    head = f"relbot/bump-values/{base}/{digest}"
    code, output = repo.attempt("push", "--porcelain", "--force", "origin",
                                f"HEAD:refs/heads/{head}", env=auth)
    if code != 0:
        raise push_error(output, head, env)
    title = message.splitlines()[0]
    body = "Set by `relbot bump-values`:\n\n```diff\n" + result.diff + "```\n"
    url = open_pull_request(repo, env, head=head, base=base, title=title, body=body)
    say(f"pull request {url} ({head} → {base})")
    repo.run("reset", "--quiet", "--hard", "HEAD~1")  # keep the local branch where origin has it
    return replace(result, commit_sha=sha, pr_url=url, attempts=1)
