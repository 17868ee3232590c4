"""How git's answers are classified: `push --porcelain` status lines, `remote:` lines and fatal
messages, as git 2.x prints them, each to one RemoteStatus."""

from __future__ import annotations

import pytest

from relbot.gitoutcome import RemoteStatus, classify_failure, classify_push

TO = "To http://127.0.0.1:4030/acme/x.git\n"


@pytest.mark.parametrize(
    ("code", "stdout", "stderr", "status", "detail"),
    [
        pytest.param(0, TO + "*\tHEAD:refs/heads/main\t[new branch]\nDone\n", "", RemoteStatus.OK, "",
                     id="ok"),
        pytest.param(1, TO + "!\tHEAD:refs/heads/main\t[rejected] (fetch first)\nDone\n",
                     "error: failed to push some refs", RemoteStatus.MOVED,
                     "refs/heads/main [rejected] (fetch first)",
                     id="fetch-first"),
        pytest.param(1, TO + "!\tHEAD:refs/heads/main\t[rejected] (non-fast-forward)\nDone\n", "",
                     RemoteStatus.MOVED, "non-fast-forward", id="non-fast-forward"),
        pytest.param(1, TO + "!\tHEAD:refs/heads/main\t[rejected] (atomic push failed)\n"
                     "!\trefs/tags/v1:refs/tags/v1\t[rejected] (already exists)\nDone\n", "",
                     RemoteStatus.TAG_EXISTS, "refs/tags/v1 [rejected] (already exists)",
                     id="tag-exists-atomic"),
        pytest.param(1, TO + "!\tHEAD:refs/heads/main\t[remote rejected] (pre-receive hook declined)\nDone\n",
                     "remote: policy: pushes need a ticket number\nerror: failed to push some refs",
                     RemoteStatus.REJECTED, "remote: policy: pushes need a ticket number; refs/heads/main "
                     "[remote rejected] (pre-receive hook declined)", id="hook"),
        pytest.param(1, TO + "!\tHEAD:refs/heads/main\t[remote rejected] (pre-receive hook declined)\nDone\n",
                     "remote: error: GH006: Protected branch update failed for refs/heads/main.",
                     RemoteStatus.PROTECTED, "GH006", id="protected"),
        pytest.param(1, TO + "!\tHEAD:refs/heads/main\t[remote rejected] (failed to update ref)\nDone\n",
                     "remote: error: cannot lock ref 'refs/heads/main': is at 0b7f but expected 53f0",
                     RemoteStatus.MOVED, "cannot lock ref", id="lost-race-on-the-server"),
        pytest.param(128, "", "fatal: unable to access 'http://127.0.0.1:4030/acme/x.git/': Failed to "
                     "connect to 127.0.0.1 port 4030 after 0 ms: Couldn't connect to server",
                     RemoteStatus.UNREACHABLE, "port 4030", id="unreachable-port-with-403-in-it"),
        pytest.param(128, "", "remote: Invalid username or password.\nfatal: Authentication failed for "
                     "'https://github.com/acme/x.git/'", RemoteStatus.AUTH, "Authentication failed",
                     id="auth-failed"),
        pytest.param(128, "", "fatal: unable to access 'https://github.com/acme/x.git/': The requested URL "
                     "returned error: 403", RemoteStatus.AUTH, "403", id="http-403"),
        pytest.param(128, "", "fatal: could not read Username for 'https://github.com': terminal prompts "
                     "disabled", RemoteStatus.AUTH, "Username", id="no-credentials"),
        pytest.param(128, "", "fatal: '/tmp/nowhere.git' does not appear to be a git repository\n"
                     "fatal: Could not read from remote repository.", RemoteStatus.UNREACHABLE,
                     "does not appear to be a git repository", id="no-such-repository"),
    ],
)
def test_classify_push(code: int, stdout: str, stderr: str, status: RemoteStatus, detail: str) -> None:
    result = classify_push(code, stdout, stderr)
    assert result.status is status
    assert detail in result.detail


def test_an_unknown_failure_keeps_gits_last_line() -> None:
    result = classify_failure("warning: something\nfatal: the server hung up unexpectedly\n")
    assert result.status is RemoteStatus.OTHER
    assert result.detail == "fatal: the server hung up unexpectedly"
