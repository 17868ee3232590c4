"""A real bare git repository behind the fake's Git Database API, read and written with git plumbing.

Objects are written with `hash-object -w`, `mktree` and `mktag`, refs moved with `update-ref <ref> <new>
<old>` (compare-and-swap), so whatever a client makes through the API is there for a real `git fetch`.
git runs with an environment built from scratch (no user or system config, no inherited GIT_* variables,
an explicit identity), so the user's setup never leaks in.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

ZERO_SHA = "0" * 40
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
_STATUSES = {"A": "added", "D": "removed", "M": "modified", "T": "changed"}
FULL_SHA = re.compile(r"[0-9a-f]{40}")
_PERSON = re.compile(r"(?P<name>.*) <(?P<email>.*)> (?P<epoch>-?\d+) (?P<tz>[+-]\d{4})")
_IDENTITY = ("GitHub", "noreply@github.com")


class GitError(RuntimeError):
    """A git command that failed where the fake did not expect it to."""


@dataclass(frozen=True)
class Person:
    """An author, committer or tagger line: name, email and an aware timestamp."""

    name: str
    email: str
    when: datetime

    def stamp(self) -> str:
        """git's raw date: epoch seconds and the UTC offset (`1735787045 +0000`)."""
        offset = self.when.utcoffset() or timedelta(0)
        minutes = int(offset.total_seconds()) // 60
        sign = "-" if minutes < 0 else "+"
        return f"{int(self.when.timestamp())} {sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"

    def header(self) -> str:
        return f"{self.name} <{self.email}> {self.stamp()}"

    def iso(self) -> str:
        """As GitHub renders a git date: UTC, whole seconds, `Z`."""
        return self.when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    @classmethod
    def parse(cls, line: str) -> Person:
        match = _PERSON.fullmatch(line)
        if match is None:
            raise GitError(f"not an identity line: {line!r}")
        tz = match["tz"]
        offset = timedelta(hours=int(tz[1:3]), minutes=int(tz[3:5])) * (-1 if tz[0] == "-" else 1)
        when = datetime.fromtimestamp(int(match["epoch"]), timezone(offset))
        return cls(match["name"], match["email"], when)


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    tree: str
    parents: tuple[str, ...]
    author: Person
    committer: Person
    message: str
    signature: str | None = None  # the gpgsig header, unfolded
    payload: str = ""  # the object without its gpgsig header: what a signature signs


@dataclass(frozen=True)
class TagInfo:
    sha: str
    object: str
    type: str
    tag: str
    tagger: Person | None
    message: str


@dataclass(frozen=True)
class FileChange:
    """A file a commit changes (against its first parent), as GitHub lists it."""

    path: str
    status: str  # added, removed, modified, changed (the type)
    sha: str  # the blob after the change (before it, for a removed file)
    additions: int
    deletions: int


@dataclass(frozen=True)
class TreeEntry:
    mode: str
    type: str
    sha: str
    path: str
    size: int | None = None


class GitDir:
    """One bare repository; every method is a git plumbing command with `--git-dir`."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        # Called with the full ref name between a non-forced update's fast-forward check and its
        # compare-and-swap write, so a test can land a concurrent push exactly there.
        self.before_ref_update: Callable[[str], None] | None = None

    def run(self, *args: str, data: bytes = b"", env: dict[str, str] | None = None) -> bytes:
        done = self._run(args, data, env)
        if done.returncode != 0:
            raise GitError(f"git {' '.join(args)} failed: {done.stderr.decode(errors='replace').strip()}")
        return done.stdout

    def succeeds(self, *args: str) -> bool:
        return self._run(args, b"", None).returncode == 0

    def _run(
        self, args: Iterable[str], data: bytes, env: dict[str, str] | None
    ) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            ["git", "--git-dir", str(self.path), *args],
            input=data,
            env=git_env(self.path, env),
            capture_output=True,
            check=False,
            timeout=60,
        )

    # -- reading ---------------------------------------------------------------------------------------

    def refs(self, prefix: str) -> dict[str, str]:
        """Refs under `prefix` (e.g. `refs/heads/`), by their name below it, to the sha they hold."""
        out = self.run("for-each-ref", "--format=%(refname)%00%(objectname)", prefix).decode()
        found = {}
        for line in out.splitlines():
            name, _, sha = line.partition("\0")
            found[name.removeprefix(prefix)] = sha
        return found

    def ref(self, name: str) -> str | None:
        """The sha a full ref name (`refs/heads/main`) holds, unpeeled; None when there is no such ref."""
        if not name.startswith("refs/"):
            return None
        done = self._run(("show-ref", "--verify", "--hash", "--", name), b"", None)
        return done.stdout.decode().strip() if done.returncode == 0 else None

    def object_type(self, sha: str) -> str | None:
        """`commit`, `tree`, `blob` or `tag` for an existing object named by its full sha, else None."""
        if not FULL_SHA.fullmatch(sha):
            return None
        done = self._run(("cat-file", "-t", sha), b"", None)
        return done.stdout.decode().strip() if done.returncode == 0 else None

    def resolve(self, name: str, kind: str = "commit") -> str | None:
        """The `kind` object a sha, branch or tag name peels to; None when there is none."""
        if not name or name.startswith("-") or not re.fullmatch(r"[\w./+@-]+", name):
            return None
        done = self._run(
            ("rev-parse", "--verify", "--quiet", "--end-of-options", f"{name}^{{{kind}}}"), b"", None
        )
        return done.stdout.decode().strip() if done.returncode == 0 else None

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        return self.succeeds("merge-base", "--is-ancestor", ancestor, descendant)

    def rev_list(self, *ranges: str) -> list[str]:
        """Commits in `ranges` (e.g. `base..head`), oldest first."""
        return self.run("rev-list", "--reverse", "--end-of-options", *ranges).decode().split()

    def read_commit(self, sha: str) -> CommitInfo:
        raw = self.run("cat-file", "commit", sha).decode("utf-8", errors="replace")
        headers, message = _split_object(raw)
        fields: dict[str, list[str]] = {}
        for key, value in headers:
            fields.setdefault(key, []).append(value)
        signature = fields.get("gpgsig", [None])[0]
        payload = (
            "".join(
                f"{key} {value.replace(chr(10), chr(10) + ' ')}\n"
                for key, value in headers
                if key != "gpgsig"
            )
            + "\n"
            + message
        )
        return CommitInfo(
            sha=sha,
            tree=fields["tree"][0],
            parents=tuple(fields.get("parent", [])),
            author=Person.parse(fields["author"][0]),
            committer=Person.parse(fields["committer"][0]),
            message=message,
            signature=signature,
            payload=payload,
        )

    def read_tag(self, sha: str) -> TagInfo:
        raw = self.run("cat-file", "tag", sha).decode("utf-8", errors="replace")
        headers, message = _split_object(raw)
        fields = dict(headers)
        tagger = fields.get("tagger")
        return TagInfo(
            sha,
            fields["object"],
            fields["type"],
            fields["tag"],
            Person.parse(tagger) if tagger else None,
            message,
        )

    def changes(self, sha: str, parent: str | None) -> list[FileChange]:
        """What `sha` changes against `parent` (None: a root commit, against the empty tree)."""
        base = parent or EMPTY_TREE
        raw = self.run("diff-tree", "-r", "--no-renames", "-z", base, sha).decode("utf-8", "surrogateescape")
        numstat = self.run("diff-tree", "-r", "--no-renames", "-z", "--numstat", base, sha).decode(
            "utf-8", "surrogateescape"
        )
        counts: dict[str, tuple[int, int]] = {}
        for record in numstat.split("\0"):
            if record:
                added, deleted, path = record.split("\t", 2)
                counts[path] = (int(added) if added != "-" else 0, int(deleted) if deleted != "-" else 0)
        fields = raw.split("\0")
        found = []
        for meta, path in zip(fields[0::2], fields[1::2], strict=False):
            if not meta.startswith(":"):
                continue
            _old_mode, _new_mode, old, new, status = meta[1:].split()
            additions, deletions = counts.get(path, (0, 0))
            sha_after = old if status == "D" else new
            found.append(FileChange(path, _STATUSES.get(status, "modified"), sha_after, additions, deletions))
        return found

    def read_tree(self, sha: str, *, recursive: bool = False) -> list[TreeEntry]:
        args = ["ls-tree", "-z", "-l", *(["-r", "-t"] if recursive else []), sha]
        entries = []
        for record in self.run(*args).decode("utf-8", errors="surrogateescape").split("\0"):
            if not record:
                continue
            meta, _, path = record.partition("\t")
            mode, kind, object_sha, size = meta.split()
            entries.append(TreeEntry(mode, kind, object_sha, path, None if size == "-" else int(size)))
        return entries

    # -- writing ---------------------------------------------------------------------------------------

    def write_blob(self, data: bytes) -> str:
        return self.run("hash-object", "-w", "--stdin", data=data).decode().strip()

    def write_tree(self, entries: Iterable[TreeEntry]) -> str:
        """A tree of `entries` (single path components); objects are checked by the caller."""
        listing = b"".join(
            f"{e.mode} {e.type} {e.sha}\t".encode() + e.path.encode("utf-8", errors="surrogateescape") + b"\0"
            for e in entries
        )
        return self.run("mktree", "-z", "--missing", data=listing).decode().strip()

    @staticmethod
    def commit_text(
        tree: str, parents: Iterable[str], author: Person, committer: Person, message: str
    ) -> str:
        """A commit object's text without a signature: what a signature over the commit signs."""
        lines = [
            f"tree {tree}",
            *(f"parent {p}" for p in parents),
            f"author {author.header()}",
            f"committer {committer.header()}",
        ]
        return "\n".join(lines) + "\n\n" + message

    def write_commit(
        self,
        tree: str,
        parents: Iterable[str],
        author: Person,
        committer: Person,
        message: str,
        signature: str | None = None,
    ) -> str:
        """A commit object written as given (`signature` becomes its gpgsig header)."""
        raw = self.commit_text(tree, parents, author, committer, message)
        if signature is not None:
            head, _, rest = raw.partition("\n\n")
            raw = f"{head}\ngpgsig {signature.rstrip(chr(10)).replace(chr(10), chr(10) + ' ')}\n\n{rest}"
        env = _identity_env(author, committer)
        return (
            self.run("hash-object", "-t", "commit", "-w", "--stdin", data=raw.encode(), env=env)
            .decode()
            .strip()
        )

    def write_tag(self, obj: str, kind: str, tag: str, tagger: Person, message: str) -> str:
        raw = f"object {obj}\ntype {kind}\ntag {tag}\ntagger {tagger.header()}\n\n{message}"
        return self.run("mktag", data=raw.encode(), env=_identity_env(tagger, tagger)).decode().strip()

    def update_ref(self, name: str, new: str, old: str | None) -> bool:
        """Point `name` at `new` if it still holds `old` (ZERO_SHA: if it does not exist; None: whatever it
        holds). False when the ref moved meanwhile or git refused."""
        args = ["update-ref", "--no-deref", name, new] + ([] if old is None else [old])
        return self._run(args, b"", None).returncode == 0

    def delete_ref(self, name: str, old: str) -> bool:
        return self._run(("update-ref", "--no-deref", "-d", name, old), b"", None).returncode == 0


class GitRefs(MutableMapping[str, str]):
    """Refs under a prefix as a live name -> sha mapping (a repository's `branches` when git-backed)."""

    def __init__(self, git: GitDir, prefix: str = "refs/heads/") -> None:
        self.git, self.prefix = git, prefix

    def __getitem__(self, name: str) -> str:
        sha = self.git.ref(self.prefix + name)
        if sha is None:
            raise KeyError(name)
        return sha

    def __setitem__(self, name: str, sha: str) -> None:
        if not self.git.update_ref(self.prefix + name, sha, None):
            raise GitError(f"cannot point {self.prefix}{name} at {sha}")

    def __delitem__(self, name: str) -> None:
        if not self.git.delete_ref(self.prefix + name, self[name]):
            raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.git.refs(self.prefix)))

    def __len__(self) -> int:
        return len(self.git.refs(self.prefix))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.git.ref(self.prefix + name) is not None


def git_env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """An environment for git that reads no user or system configuration."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "no-config"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
        "LC_ALL": "C",
        "TZ": "UTC",
        **_identity_env(None, None),
    }
    return env | (extra or {})


def _identity_env(author: Person | None, committer: Person | None) -> dict[str, str]:
    env = {}
    for role, person in (("AUTHOR", author), ("COMMITTER", committer)):
        name, email = (person.name, person.email) if person else _IDENTITY
        env[f"GIT_{role}_NAME"], env[f"GIT_{role}_EMAIL"] = name, email
        if person is not None:
            env[f"GIT_{role}_DATE"] = person.stamp()
    return env


def _split_object(raw: str) -> tuple[list[tuple[str, str]], str]:
    """A commit's or tag's headers (continuation lines unfolded) and its message."""
    head, _, message = raw.partition("\n\n")
    headers: list[tuple[str, str]] = []
    for line in head.split("\n"):
        if line.startswith(" ") and headers:
            key, value = headers[-1]
            headers[-1] = (key, value + "\n" + line[1:])
        elif line:
            key, _, value = line.partition(" ")
            headers.append((key, value))
    return headers, message
