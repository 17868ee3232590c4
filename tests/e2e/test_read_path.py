"""The read path (`relbot version`) on the repositories CI and people really have: paths git
prints oddly, user git config that changes `git log`'s output, a git that writes a lot to stderr,
and a checkout owned by another user — and that it stays light: no GitPython, few git processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.gitfixture import Repo, make_repo


def _released(repo: Repo) -> None:
    repo.commit("feat: first", {".releaserc.json": json.dumps({"tagFormat": "rel-${version}"})})
    repo.tag("rel-1.0.0")
    repo.commit("fix: second")


def test_a_path_with_a_newline_and_a_byte_that_is_not_utf8(tmp_path: Path, env: dict[str, str]) -> None:
    root = Path(os.fsdecode(bytes(tmp_path) + b"/odd\nname \xe9"))
    root.mkdir()
    repo = make_repo(root, env)
    _released(repo)
    done = repo.relbot("version")
    assert (done.returncode, done.stdout) == (0, "1.0.1\n"), done.stderr
    assert "rel-1.0.1" in done.stderr  # the configuration in that directory was read


def test_c_naming_a_file_is_a_clear_error(repo: Repo) -> None:
    repo.commit("feat: first")
    done = repo.relbot("-C", str(repo.path / "file1.txt"), "version")
    assert done.returncode == 4
    assert "is not a directory" in done.stderr
    assert "Traceback" not in done.stderr


def test_user_config_that_changes_git_logs_output_changes_nothing(repo: Repo) -> None:
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    (repo.path / "msg").write_bytes(b"feat: caf\xe9 au lait\n\nBREAKING CHANGE: the menu changes\n")
    repo.git("-c", "i18n.commitEncoding=ISO-8859-1", "commit", "-q", "--allow-empty", "-F", "msg")
    for key, value in (("i18n.logOutputEncoding", "ISO-8859-1"), ("log.showSignature", "true"),
                       ("color.ui", "always"), ("log.decorate", "full")):
        repo.git("config", key, value)
    done = repo.relbot("version")
    assert (done.returncode, done.stdout) == (0, "2.0.0\n"), done.stderr
    assert "'feat: café au lait'" in done.stderr
    verbose = repo.relbot("-v", "version")
    assert verbose.stdout == "2.0.0\n"
    assert "feat: café au lait" in verbose.stderr


def test_a_git_that_floods_stderr_does_not_stall_relbot(repo: Repo) -> None:
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    stream = "".join(f"commit refs/heads/main\ncommitter A <a@b> {1700000000 + i} +0000\ndata 13\n"
                     f"fix: bug {i:04d}\n{'from refs/heads/main^0' if i == 0 else ''}\n" for i in range(1500))
    subprocess.run(["git", "fast-import", "--quiet"], input=stream.encode(), cwd=repo.path, env=repo.env,
                   check=True)
    repo.git("reset", "-q", "--hard", "main")
    repo.git("gc", "-q")
    # one trace line per object git reads: far more than a pipe holds (64 KiB)
    done = subprocess.run([sys.executable, "-m", "relbot", "version", "--json"], cwd=repo.path,
                          env={**repo.env, "GIT_TRACE_PACK_ACCESS": "2"}, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["commits"] == 1500


def test_a_checkout_owned_by_another_user_says_what_git_refuses(repo: Repo) -> None:
    repo.commit("feat: first")
    done = repo.relbot("version", env={"GIT_TEST_ASSUME_DIFFERENT_OWNER": "1"})
    assert done.returncode == 4
    assert "safe.directory" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_read_path_imports_no_gitpython_and_starts_five_git_processes(repo: Repo, tmp_path: Path) -> None:
    _released(repo)
    log = tmp_path / "git-calls"
    wrapper = tmp_path / "bin" / "git"
    wrapper.parent.mkdir()
    real = subprocess.run(["which", "git"], capture_output=True, text=True, check=True).stdout.strip()
    wrapper.write_text(f'#!/bin/sh\necho "$1" >> "{log}"\nexec {real} "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    probe = ("import sys\nfrom pathlib import Path\nfrom relbot.api import plan_version\n"
             "plan = plan_version(Path('.'), detail='version')\n"
             "print(plan.version, 'git' in sys.modules, 'logging' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=repo.path, capture_output=True, text=True,
                          env={**repo.env, "PATH": f"{wrapper.parent}:{repo.env['PATH']}"}, check=False)
    assert done.stdout == "1.0.1 False False\n", done.stderr
    calls = log.read_text(encoding="utf-8").split()
    assert calls == ["rev-parse", "for-each-ref", "remote", "for-each-ref", "log"], calls


def _calls(repo: Repo, tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run relbot with a git on PATH that logs each command line."""
    log = tmp_path / "calls"
    log.unlink(missing_ok=True)
    wrapper = tmp_path / "logbin" / "git"
    if not wrapper.exists():
        wrapper.parent.mkdir()
        real = subprocess.run(["which", "git"], capture_output=True, text=True, check=True).stdout.strip()
        wrapper.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec {real} "$@"\n', encoding="utf-8")
        wrapper.chmod(0o755)
    done = repo.relbot(*args, env={"PATH": f"{wrapper.parent}:{repo.env['PATH']}"})
    return done, log.read_text(encoding="utf-8").splitlines()


def _major_then_fixes(repo: Repo, fixes: int) -> None:
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    repo.commit("feat!: drop the old API")
    for index in range(fixes):
        repo.commit(f"fix: bug {index}")


def test_a_certain_major_stops_git_where_a_commit_graph_answers_ancestry(repo: Repo, tmp_path: Path) -> None:
    _major_then_fixes(repo, 400)
    counts = repo.relbot("version", "--json")
    assert json.loads(counts.stdout)["commits"] == 401
    done, calls = _calls(repo, tmp_path, "version")
    assert done.stdout == "2.0.0\n"
    assert not any(c.startswith("merge-base") for c in calls)  # no commit-graph: git's output read to the end
    repo.git("commit-graph", "write", "--reachable")
    done, calls = _calls(repo, tmp_path, "version")
    assert done.stdout == "2.0.0\n"
    assert "breaking → major, from " in done.stderr
    assert "'feat!: drop the old API'" in done.stderr
    assert any(c.startswith("merge-base --is-ancestor") for c in calls)  # git stopped; the graph answers


def test_a_certain_major_after_a_tag_on_another_branch_still_finds_the_last_release(
        repo: Repo, tmp_path: Path) -> None:
    _major_then_fixes(repo, 300)
    repo.git("switch", "-q", "-c", "other", "HEAD~301")
    repo.commit("feat: elsewhere")
    repo.tag("v5.0.0")  # the highest tag, not an ancestor of main
    repo.git("switch", "-q", "main")
    repo.git("commit-graph", "write", "--reachable")
    done, calls = _calls(repo, tmp_path, "version")
    assert (done.returncode, done.stdout) == (0, "2.0.0\n"), done.stderr
    assert "major bump of 1.0.0" in done.stderr
    assert any(c.startswith("merge-base --is-ancestor") for c in calls)  # v5.0.0: no
    assert any(c.startswith("for-each-ref") and "--merged" in c for c in calls)  # then the walk
