"""The values product's delivery steps: push to the branch with retries when it moves, or push a
branch and open a pull request. Both are steps of the one step model (see `relbot.steps`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from relbot import fsio, gitauth
from relbot.errors import BranchMoved, DowngradeRefused, GitError, RelbotError, Superseded, UsageError
from relbot.github.gitdata import commit
from relbot.gitoutcome import RemoteError, RemoteResult, RemoteStatus
from relbot.gitrepo import GitRepo
from relbot.remotes import GitHubTarget
from relbot.steps import Commit, Session

BYPASS = "push with a PAT or GitHub App token that is allowed to bypass the branch protection"
VALUES_PROTECTED_HINT = f"use --create-pr to open a pull request instead, or {BYPASS}"
# file texts → (each file's outcome, the texts to write): the same edits on origin's new head
Replan = Callable[[Mapping[str, str]], tuple[Sequence[object], Mapping[str, str]]]


def push_error(result: RemoteResult, branch: str, env: Mapping[str, str],
               protected_hint: str = VALUES_PROTECTED_HINT) -> GitError:
    """A clear error for a push to `branch` that failed for a reason other than a moved branch."""
    status, detail = result.status, result.detail or "no message"
    if status is RemoteStatus.PROTECTED:
        return GitError(f"{branch} is a protected branch and the server refused the push: {detail}",
                        protected_hint)
    if status is RemoteStatus.AUTH:
        token = gitauth.find_token(env)
        if token is None:
            return GitError(f"the push to {branch} needs credentials and none were given ({detail})",
                            f"set one of {', '.join(gitauth.TOKEN_VARIABLES)} to a token with "
                            "`contents: write` permission", credentials=True)
        return GitError(f"the push to {branch} was refused with the token from {token.variable}: "
                        f"{detail}", "check that the token is valid and has `contents: write`")
    if status is RemoteStatus.UNREACHABLE:
        return GitError(f"the push to {branch} failed: origin cannot be reached ({detail})",
                        "check the remote URL, the network and that the server is up")
    if status is RemoteStatus.REJECTED:
        return GitError(f"the server refused the push to {branch}: {detail}",
                        "the server's own rule (a hook) said no; see its message above")
    if status is RemoteStatus.TAG_EXISTS:
        return GitError(f"the push to {branch} was refused: a tag of that name is already on origin "
                        f"({detail})", "a published tag is never moved; release a new version")
    return GitError(f"the push to {branch} failed: {detail}", "see git's message above")


def check_push_access(session: Session, branch: str, need: str) -> None:
    """Can this checkout push to `branch` on origin (read-only: `push --dry-run`)?"""

    if not session.git.has_remote():
        raise GitError(f"there is no `origin` remote to push {branch} to",
                       "add it (git remote add origin URL), or drop --push/--create-pr")

    def probe() -> None:
        url = session.git.remote_url() or ""
        if url.startswith(("http://", "https://")) and not session.git.remote_env():
            try:  # an unreachable server says so first
                session.git.remote_ref(f"refs/heads/{branch}")
            except RemoteError as exc:
                if exc.result.status is not RemoteStatus.AUTH:
                    raise
            raise GitError(f"pushing to {branch} over HTTP(S) needs a token and none was given",
                           f"set one of {', '.join(gitauth.TOKEN_VARIABLES)} to a token with "
                           "`contents: write` (or use an ssh remote)", credentials=True)
        result = session.git.push([f"HEAD:refs/heads/{branch}"], dry_run=True)
        if not result.ok and result.status is not RemoteStatus.MOVED:
            raise push_error(result, branch, session.env)

    session.check_credentials(need, probe)


def branch_name(name: str, repo: GitRepo) -> str:
    """The branch `--branch` names, as a push to origin's `refs/heads/<name>` needs it: `refs/heads/X`
    is X; a remote-tracking name, `HEAD`, another ref, or a name `git check-ref-format --branch`
    refuses is a UsageError."""
    branch = name.strip().removeprefix("refs/heads/")
    if branch.startswith(("refs/", "origin/", "remotes/")) or branch == "HEAD" \
            or not repo.is_branch_name(branch):
        raise UsageError(f"--branch {name!r} is not a branch name",
                         "name the branch as origin has it, for example --branch main")
    return branch


def check_head_on_branch(session: Session, branch: str) -> None:
    """The push publishes HEAD's commits with the values commit, so HEAD must be on origin's
    `branch` (its tip, or behind it: a rejected push is then re-applied on the tip). A checkout of
    another branch, or of a pull request's merge ref, would publish its own commits too."""
    repo = session.git
    head = session.start_head or repo.head_sha()
    try:
        tip = repo.remote_ref(f"refs/heads/{branch}")
        if tip is None:
            raise GitError(f"origin has no branch {branch}: a values commit goes to a branch that exists",
                           "check --branch (or the checked-out branch), or create the branch on origin first")
        if tip == head or head is None:
            return  # HEAD is the tip
        if not repo.present_commits([tip]):
            repo.fetch(f"refs/heads/{branch}", no_fetch_head=True)
    except RemoteError:
        return  # origin cannot be read: check_push_access says so, or records the need
    if not repo.is_ancestor(head, tip):
        raise GitError(f"HEAD ({head[:7]}) is not on {branch} as origin has it ({tip[:7]}): the push "
                       f"would publish HEAD's other commits to {branch} with the values commit",
                       f"run on a checkout of {branch} (or of a commit it has), or pass --branch with "
                       "the branch HEAD belongs to")


@dataclass(frozen=True)
class PushToBranch:
    """Push the values commit to `branch`; when another pipeline pushed first, fetch its head,
    apply the same edits again and retry (up to `retries` times). When origin already holds the
    values (or newer ones), nothing lands and the session says why."""

    kind: ClassVar[str] = "push"
    branch: str
    retries: int
    commit: Commit
    replan: Replan
    verified: GitHubTarget | None = None  # commit through GitHub's API (signed by GitHub), no push

    def describe(self) -> str:
        how = f"commit to {self.branch} through GitHub's API on {self.verified.slug} (signed by GitHub)" \
            if self.verified else f"push to {self.branch} on origin"
        return f"{how} (re-applied on its new head up to {self.retries} times)"

    def is_done(self, session: Session) -> bool:
        if not self.commit.is_done(session):
            return False
        try:
            return session.git.remote_ref(f"refs/heads/{self.branch}") == session.git.head_sha()
        except RemoteError:
            return False

    def check(self, session: Session) -> None:
        if self.verified is not None:
            check_api_access(session, self.verified)
        else:
            check_push_access(session, self.branch,
                              f"a token with `contents: write` to push to {self.branch}")
        check_head_on_branch(session, self.branch)

    def _land(self, repo: GitRepo, session: Session) -> bool:
        """Push HEAD (or make its commit through the API); False when origin's branch moved."""
        if self.verified is not None:
            parent = repo.commit_of("HEAD^") or ""
            try:
                sha = commit(self.verified, session.env, branch=self.branch, parent=parent,
                             files={f.path: (repo.root / f.path).read_bytes() for f in self.commit.files},
                             message=self.commit.message)
            except BranchMoved:
                return False
            except RelbotError:
                _restore(repo, session)
                raise
            repo.reset_to_remote_branch(self.branch)  # the signed commit replaces the local one
            session.commit_sha = sha
            return True
        result = repo.push([f"HEAD:refs/heads/{self.branch}"])
        if result.ok or result.status is RemoteStatus.MOVED:
            return result.ok
        _restore(repo, session)
        raise push_error(result, self.branch, session.env)

    def run(self, session: Session) -> None:
        repo = session.git
        for attempt in range(1, self.retries + 2):
            landed = self._land(repo, session)
            session.attempts = attempt
            if landed:
                session.pushed = True
                how = "committed (signed by GitHub)" if self.verified else "pushed"
                session.say(f"{how} {str(repo.head_sha())[:7]} to {self.branch}"
                            + (f" after {attempt} attempts" if attempt > 1 else ""))
                return
            if attempt > self.retries:
                break
            refused = "commit refused" if self.verified else "push rejected"
            session.say(f"{refused}: {self.branch} moved on origin; re-applying the edits to its "
                        f"new head (attempt {attempt + 1} of {self.retries + 1})")
            session.sleep(backoff(attempt))
            if not self._reapply(repo, session):
                session.attempts = attempt + 1  # the last attempt found nothing left to push
                return
        _restore(repo, session)
        raise GitError(f"the push to {self.branch} was rejected {self.retries + 1} times because other "
                       "pipelines kept pushing first", "raise --retries, or rerun the job")

    def _reapply(self, repo: GitRepo, session: Session) -> bool:
        """Move onto origin's new head and commit the edits again; False when nothing is left."""
        repo.reset_to_remote_branch(self.branch)
        paths = [f.path for f in self.commit.files]
        try:
            outcomes, texts = self.replan({p: fsio.read_text(repo.root / p) for p in paths})
        except Superseded as exc:
            session.commit_sha = None  # the local commit was dropped with the reset
            session.not_landed = f"origin already has a newer value: {exc.message}" \
                if isinstance(exc, DowngradeRefused) else exc.message
            session.say(f"{session.not_landed}; nothing to push")
            return False
        if not texts:
            session.commit_sha = None
            session.not_landed = "origin already has these values"
            session.say(f"{session.not_landed}; nothing to push")
            return False
        session.replanned = tuple(outcomes)  # what the commit that lands changes
        for path, text in texts.items():
            fsio.write_atomic(repo.root / path, text)
        session.commit_sha = repo.commit_paths(list(texts), self.commit.message, session.identity)
        session.say(f"committed {session.commit_sha[:7]} on origin's new head (the earlier one is dropped)")
        return True


@dataclass(frozen=True)
class PullRequest:
    """Push the values commit to its own branch and open (or update) a pull request into `base`."""

    kind: ClassVar[str] = "pull-request"
    base: str
    title: str
    body: str
    github: GitHubTarget
    command: str = "bump-values"  # names the branch, so a merge of the pull request says what it was
    verified: bool = False  # the branch's commit is made through GitHub's API (signed by GitHub)

    @property
    def head(self) -> str:
        import hashlib  # noqa: PLC0415 - start-up guard: only --create-pr names a branch

        digest = hashlib.sha256(self.body.encode()).hexdigest()[:12]
        return f"relbot/{self.command}/{self.base}/{digest}"

    def describe(self) -> str:
        return f"push branch {self.head} and open a pull request into {self.base} on {self.github.slug}"

    def is_done(self, session: Session) -> bool:
        del session
        return False  # opening it again updates the open pull request: always safe to run

    def check(self, session: Session) -> None:
        from relbot.github import check_access  # noqa: PLC0415 - PyGithub only for PRs

        if self.verified:
            check_api_access(session, self.github)
        else:
            check_push_access(session, self.head, "a token with `contents: write` to push the branch")
        check_head_on_branch(session, self.base)  # the pull request would carry HEAD's other commits
        session.check_credentials("a token with `pull-requests: write` to open the pull request",
                                  lambda: check_access(self.github, session.env))

    def run(self, session: Session) -> None:
        from relbot.github import open_pull_request  # noqa: PLC0415 - PyGithub only for PRs

        repo = session.git
        if self.verified:
            try:
                commit(self.github, session.env, branch=self.head, parent=repo.commit_of("HEAD^") or "",
                       files={f: (repo.root / f).read_bytes() for f in repo.changed_paths("HEAD^", "HEAD")},
                       message=repo.message("HEAD"), force=True)
            except RelbotError:
                _restore(repo, session)
                raise
        else:
            result = repo.push([f"HEAD:refs/heads/{self.head}"], force=True)
            if not result.ok:
                _restore(repo, session)
                raise push_error(result, self.head, session.env)
        try:
            url = open_pull_request(self.github, session.env, head=self.head, base=self.base,
                                    title=self.title, body=self.body)
        finally:
            _restore(repo, session)  # keep the local branch where origin has it, opened or not
        session.pull_request_url = url
        session.attempts = 1
        session.say(f"pull request {url} ({self.head} → {self.base})")


def check_api_access(session: Session, target: GitHubTarget) -> None:
    """Can the token commit through GitHub's API on `target` (`contents: write`)?"""
    from relbot.github import check_access  # noqa: PLC0415 - PyGithub is slow to import

    session.check_credentials(f"a token with `contents: write` on {target.slug} to commit through "
                              "GitHub's API", lambda: check_access(target, session.env))


def _restore(repo: GitRepo, session: Session) -> None:
    """Put the checkout back where the run found it (its edits are on origin or not wanted)."""
    if session.start_head is not None and repo.head_sha() != session.start_head:
        repo.reset_hard(session.start_head)


def backoff(attempt: int) -> float:
    """Jittered exponential backoff: about 0.5 s, 1 s, 2 s, … capped at 8 s."""
    return float(min(8.0, 0.5 * 2 ** (attempt - 1)) * (0.5 + os.urandom(1)[0] / 256))
