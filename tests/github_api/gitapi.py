"""The Git Database API (`/repos/{owner}/{repo}/git/…`) over a repository's real bare git dir.

Blobs, trees, commits and annotated tags are real objects and refs are real refs (gitdata.GitDir), so a
commit a client makes through the API is what a later `git fetch` gets. As on GitHub:

- a commit made without `author` and `committer` is the token's: author the token's account (its
  noreply email), committer `GitHub <noreply@github.com>`, dated now, and signed by GitHub: the object
  has a `gpgsig` header and the answer says `verified: true, reason: "valid"` (the fake's signature is
  a stand-in no gpg can check; `FakeGitHub.verified_commits` lists the commits the API signed). With an
  explicit author or committer it is unsigned (`verified: false, reason: "unsigned"`), and with a
  `signature` that goes in as the `gpgsig` header unchecked (`unknown_key`);
- a ref update without `force` must be a fast-forward (422 "Update is not a fast forward"), and it is a
  compare-and-swap on the value it checked, so a push landing in between is also a 422;
- errors are 422s with GitHub's messages ("Reference already exists", "Reference does not exist",
  "Object does not exist", "Tree SHA does not exist", "Parent SHA does not exist or is not a commit
  object", "base_tree is not a valid tree oid"); a repository without a git dir is 409 "Git Repository
  is empty.". The messages for malformed tree entries are the fake's own wording.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from .gitdata import FULL_SHA, ZERO_SHA, GitDir, Person, TreeEntry
from .payloads import (
    JSON,
    UNSIGNED,
    WEB_FLOW_EMAIL,
    Repository,
    git_commit_json,
    git_ref_json,
    git_tag_json,
    git_tree_json,
    short_blob_json,
)
from .state import ApiError, Call, GitHubState, Reply, verification

_MODES = {"100644": "blob", "100755": "blob", "120000": "blob", "040000": "tree", "160000": "commit"}
PARENT_FORMAT = "Each SHA in the 'parents' parameter must be exactly 40 characters and contain only [0-9a-f]."


def get_ref(state: GitHubState, call: Call) -> Reply:
    repo, git = _git(state, call)
    name = _ref_name(call)
    sha = git.ref(name)
    if sha is None:
        raise ApiError(404, "Not Found")
    return Reply(200, _ref_json(call, repo, git, name, sha))


def create_ref(state: GitHubState, call: Call) -> Reply:
    repo, git = _git(state, call, write=True)
    name, sha = str(call.body["ref"]), str(call.body["sha"])
    if not name.startswith("refs/") or name.count("/") < 2:
        raise ApiError(422, "Reference name must start with 'refs/' and have at least two slashes.")
    if not git.succeeds("check-ref-format", name):
        raise ApiError(422, f"{name} is not a valid ref name.")
    if git.object_type(sha) is None:
        raise ApiError(422, "Object does not exist")
    if not git.update_ref(name, sha, ZERO_SHA):
        raise ApiError(422, "Reference already exists")
    data = _ref_json(call, repo, git, name, sha)
    return Reply(201, data, {"Location": data["url"]})


def update_ref(state: GitHubState, call: Call) -> Reply:
    repo, git = _git(state, call, write=True)
    name = _ref_name(call)
    current = git.ref(name)
    if current is None:
        raise ApiError(422, "Reference does not exist")
    new = str(call.body["sha"])
    if git.object_type(new) is None:
        raise ApiError(422, "Object does not exist")
    force = bool(call.body.get("force", False))
    if not force and new != current and not git.is_ancestor(current, new):
        raise ApiError(422, "Update is not a fast forward")
    if git.before_ref_update is not None:
        git.before_ref_update(name)
    if not git.update_ref(name, new, None if force else current):
        raise ApiError(422, "Reference update failed" if force else "Update is not a fast forward")
    return Reply(200, _ref_json(call, repo, git, name, new))


def delete_ref(state: GitHubState, call: Call) -> Reply:
    _repo, git = _git(state, call, write=True)
    name = _ref_name(call)
    current = git.ref(name)
    if current is None or not git.delete_ref(name, current):
        raise ApiError(422, "Reference does not exist")
    return Reply(204, None)


def get_commit(state: GitHubState, call: Call) -> Reply:
    repo, git = _git(state, call)
    sha = call.params["commit_sha"]
    if git.object_type(sha) != "commit":
        raise ApiError(404, "Not Found")
    commit = git.read_commit(sha)
    return Reply(200, git_commit_json(call.api, repo, commit, verification(repo, commit)))


def create_commit(state: GitHubState, call: Call) -> Reply:
    repo, git = _git(state, call, write=True)
    body: JSON = call.body
    tree = str(body["tree"])
    if git.object_type(tree) != "tree":
        raise ApiError(422, "Tree SHA does not exist")
    parents = [str(p) for p in body.get("parents") or []]
    if not all(FULL_SHA.fullmatch(p) for p in parents):
        raise ApiError(422, PARENT_FORMAT)
    if any(git.object_type(p) != "commit" for p in parents):
        raise ApiError(422, "Parent SHA does not exist or is not a commit object")
    message = str(body["message"])
    signed = all(body.get(key) is None for key in ("author", "committer", "signature"))
    author = _person(state, body["author"]) if body.get("author") is not None else state.identity()
    if body.get("committer") is not None:
        committer = _person(state, body["committer"])
    elif signed:
        committer = Person("GitHub", WEB_FLOW_EMAIL, author.when)
    else:
        committer = author
    signature = body.get("signature")
    if signed:
        payload = git.commit_text(tree, parents, author, committer, message)
        signature = fake_signature(payload)
    sha = git.write_commit(tree, parents, author, committer, message, signature)
    if signed:
        repo.verified[sha] = committer.iso()
    commit = git.read_commit(sha)
    data = git_commit_json(call.api, repo, commit, verification(repo, commit))
    return Reply(201, data, {"Location": data["url"]})


def get_tree(state: GitHubState, call: Call) -> Reply:
    """A tree by sha, or the tree of a branch, tag or commit; any `recursive` value lists every path."""
    repo, git = _git(state, call)
    sha = git.resolve(unquote(call.params["tree_sha"]), "tree")
    if sha is None:
        raise ApiError(404, "Not Found")
    entries = git.read_tree(sha, recursive="recursive" in call.query)
    return Reply(200, git_tree_json(call.api, repo, sha, entries))


def create_tree(state: GitHubState, call: Call) -> Reply:
    repo, git = _git(state, call, write=True)
    base = call.body.get("base_tree")
    if base is not None and git.object_type(str(base)) != "tree":
        raise ApiError(422, "base_tree is not a valid tree oid")
    sha = write_tree(git, base, call.body["tree"])
    data = git_tree_json(call.api, repo, sha, git.read_tree(sha))
    return Reply(201, data, {"Location": data["url"]})


def create_blob(state: GitHubState, call: Call) -> Reply:
    repo, git = _git(state, call, write=True)
    content, encoding = str(call.body["content"]), call.body.get("encoding", "utf-8")
    if encoding in ("utf-8", "utf8"):
        data = content.encode()
    elif encoding == "base64":
        try:
            data = base64.b64decode(content, validate=True)
        except binascii.Error as error:
            raise ApiError(
                422, "Validation Failed", [{"resource": "Blob", "field": "content", "code": "invalid"}]
            ) from error
    else:
        raise ApiError(
            422, "Validation Failed", [{"resource": "Blob", "field": "encoding", "code": "invalid"}]
        )
    sha = git.write_blob(data)
    data_json = short_blob_json(call.api, repo, sha)
    return Reply(201, data_json, {"Location": data_json["url"]})


def get_tag(state: GitHubState, call: Call) -> Reply:
    repo, git = _git(state, call)
    sha = call.params["tag_sha"]
    if git.object_type(sha) != "tag":
        raise ApiError(404, "Not Found")
    return Reply(200, git_tag_json(call.api, repo, git.read_tag(sha), UNSIGNED))


def create_tag(state: GitHubState, call: Call) -> Reply:
    """An annotated tag object (`git mktag`); like GitHub, no ref: `POST …/git/refs` makes `refs/tags/…`."""
    repo, git = _git(state, call, write=True)
    body: JSON = call.body
    target, kind = str(body["object"]), str(body["type"])
    if git.object_type(target) != kind:
        raise ApiError(422, "Object does not exist")
    tagger = _person(state, body["tagger"]) if body.get("tagger") is not None else state.identity()
    sha = git.write_tag(target, kind, str(body["tag"]), tagger, str(body["message"]))
    data = git_tag_json(call.api, repo, git.read_tag(sha), UNSIGNED)
    return Reply(201, data, {"Location": data["url"]})


def write_tree(git: GitDir, base: str | None, entries: Sequence[JSON]) -> str:
    """The tree `base` (or an empty one) with `entries` applied in order: nested paths reach into (and
    make) subtrees, `content` is written as a blob, `sha: null` deletes; subtrees left empty go."""
    root = _Tree(git, base)
    for entry in entries:
        path = str(entry.get("path") or "")
        parts = path.split("/")
        if not path or any(part in ("", ".", "..", ".git") for part in parts):
            raise ApiError(422, f"tree.path {path!r} is not a valid path")
        mode = str(entry.get("mode") or "")
        kind = str(entry.get("type") or _MODES.get(mode, ""))
        if _MODES.get(mode) != kind:
            raise ApiError(422, f"tree.mode {mode!r} does not go with tree.type {kind!r} at {path}")
        if "content" in entry and entry.get("sha") is not None:
            raise ApiError(422, "Must supply either tree.sha or tree.content, not both")
        if "content" in entry:
            if kind != "blob":
                raise ApiError(422, f"tree.content is for blobs only ({path})")
            root.put(parts, TreeEntry(mode, kind, git.write_blob(str(entry["content"]).encode()), path))
        elif "sha" in entry and entry["sha"] is None:
            root.put(parts, None)
        elif entry.get("sha"):
            sha = str(entry["sha"])
            if kind != "commit" and git.object_type(sha) != kind:
                raise ApiError(422, f"tree.sha {sha} is not a valid {kind}")
            root.put(parts, TreeEntry(mode, kind, sha, path))
        else:
            raise ApiError(422, "Must supply either tree.sha or tree.content")
    return root.write()


def fake_signature(payload: str) -> str:
    """An armored stand-in for GitHub's web-flow signature over `payload` (stable, not checkable)."""
    digest = base64.b64encode(b"fake-github web-flow " + hashlib.sha256(payload.encode()).digest()).decode()
    return f"-----BEGIN PGP SIGNATURE-----\n\n{digest}\n=FAKE\n-----END PGP SIGNATURE-----"


class _Tree:
    """A tree being edited: its entries, and the subtrees opened for edits below it."""

    def __init__(self, git: GitDir, sha: str | None) -> None:
        self.git = git
        self.entries = {e.path: e for e in git.read_tree(sha)} if sha else {}
        self.subtrees: dict[str, _Tree] = {}

    def put(self, parts: list[str], entry: TreeEntry | None) -> None:
        name, rest = parts[0], parts[1:]
        if not rest:
            self.subtrees.pop(name, None)
            if entry is None:
                self.entries.pop(name, None)
            else:
                self.entries[name] = replace(entry, path=name)
            return
        if name not in self.subtrees:
            existing = self.entries.get(name)
            self.subtrees[name] = _Tree(
                self.git, existing.sha if existing and existing.type == "tree" else None
            )
        self.subtrees[name].put(rest, entry)

    def write(self, *, top: bool = True) -> str:
        for name, subtree in self.subtrees.items():
            if subtree.entries or subtree.subtrees:
                sha = subtree.write(top=False)
                if sha:
                    self.entries[name] = TreeEntry("040000", "tree", sha, name)
                    continue
            if name in self.entries and self.entries[name].type == "tree":
                del self.entries[name]
        if not top and not self.entries:
            return ""
        return self.git.write_tree(self.entries.values())


def _git(state: GitHubState, call: Call, *, write: bool = False) -> tuple[Repository, GitDir]:
    repo = state.writable(call) if write else state.repo(call.params["owner"], call.params["repo"])
    if repo.git is None:
        raise ApiError(409, "Git Repository is empty.")
    return repo, repo.git


def _ref_name(call: Call) -> str:
    """The full ref name of the path's `{ref}` (`heads/main` -> `refs/heads/main`)."""
    return "refs/" + unquote(call.params["ref"])


def _ref_json(call: Call, repo: Repository, git: GitDir, name: str, sha: str) -> JSON:
    return git_ref_json(call.api, repo, name, sha, git.object_type(sha) or "commit")


def _person(state: GitHubState, given: dict[str, Any]) -> Person:
    """An author, committer or tagger from a request; without a date, now."""
    missing = [key for key in ("email", "name") if not isinstance(given.get(key), str)]
    if missing:
        raise ApiError(
            422,
            "Invalid request.\n\n"
            + ", ".join(f'"{key}"' for key in missing)
            + (" wasn't supplied." if len(missing) == 1 else " weren't supplied."),
        )
    date = given.get("date")
    when = datetime.fromisoformat(str(date).replace("Z", "+00:00")) if date else state.tick()
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return Person(str(given["name"]), str(given["email"]), when)
