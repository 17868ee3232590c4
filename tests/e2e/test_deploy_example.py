"""examples/workflows/deploy.yml's deploy job, run step by step as the runner runs it (`run_job`), on a
CI checkout of a repository on the token-guarded git server. Every `run:` script is the example's
own; helm, kubectl, curl and yq are stand-ins on PATH that record their arguments and answer as a
cluster would (the smoke test fails when the test says so); the relbot action runs for real.

What it shows: a failed smoke test leads to `helm rollback` (Helm path) and to a values commit on main
back to the deploy before, with the versions in the job's outputs for notify.yml; with Argo CD
there is no `helm rollback`; a failed deploy of a rollback commit is not rolled back again; a good
deploy rolls nothing back."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.actionjob import ROOT, Job, make_job, run_action
from tests.actionrunner import ActionRun, JobEffect, JobRun, run_job
from tests.gitfixture import Repo, make_repo
from tests.gitserver import GitHttpServer, token_header_env

WORKFLOW = ROOT / "examples" / "workflows" / "deploy.yml"
NAME = "acme/imprun.git"
VALUES_PATH = "k8s/imprun/values-production.yaml"
VALUES = """\
imprun-server:
  image:
    repository: ghcr.io/acme/imprun-server
    tag: "{version}"  # set by CI
imprun-worker:
  image:
    repository: ghcr.io/acme/imprun-worker
    tag: "{version}"
"""
RECORDING = '#!/bin/sh\nprintf "%s %s\\n" "$(basename "$0")" "$*" >> "$FAKE_LOG"\n'
FAKES = {
    "helm": RECORDING + """case "$1" in
  history) echo '[{"revision":6,"status":"superseded"},{"revision":7,"status":"deployed"}]' ;;
esac
""",
    "kubectl": RECORDING + """if [ "$2" = deployments ] && [ -n "$FAKE_KUBE_DENIED" ]; then
  echo "error: You must be logged in to the server (Unauthorized)" >&2; exit 1
fi
if [ "$2" = applications.argoproj.io ]; then
  printf '{"status":{"sync":{"revision":"%s","status":"%s"},' "${FAKE_REVISION:-$GITHUB_SHA}" "$FAKE_SYNC"
  printf '"operationState":{"phase":"%s","syncResult":{"revision":"%s"}},' "$FAKE_PHASE" \\
    "${FAKE_REVISION:-$GITHUB_SHA}"
  printf '"health":{"status":"%s"}}}\\n' "$FAKE_HEALTH"
fi
""",
    # the GitHub API's answers the example asks for, from the git server's repository
    "gh": RECORDING + """case "$2" in
  */contents/*) path="${2#*/contents/}"; git --git-dir "$FAKE_ORIGIN" rev-parse "${2##*ref=}:${path%%\\?*}" ;;
  */commits/main) echo "${FAKE_MAIN_TIP:-$(git --git-dir "$FAKE_ORIGIN" rev-parse main)}" ;;
  *) exit 1 ;;
esac
""",
    "curl": RECORDING + 'exit "${FAKE_SMOKE_EXIT:-0}"\n',
    "sleep": "#!/bin/sh\n",  # the waits between polls of Argo CD take no time here
    # mikefarah's yq for the one query the example makes: `.["key"].a.b` of a file
    "yq": f"#!{sys.executable}\n" + """import re, sys
from ruamel.yaml import YAML
node = YAML(typ="safe").load(open(sys.argv[2], encoding="utf-8"))
for key in re.findall(r'\\["([^"]+)"\\]|\\.([A-Za-z_][\\w-]*)', sys.argv[1]):
    node = node[key[0] or key[1]]
print(node)
""",
}


@pytest.fixture(scope="module")
def job(tmp_path_factory: pytest.TempPathFactory) -> Job:
    return make_job(tmp_path_factory.mktemp("runner"))


def _publish(tmp_path: Path, env: dict[str, str], server: GitHttpServer, *,
             rollback_last: bool = False, scale_last: bool = False, merged_rollback: bool = False) -> str:
    """origin with three deploys, 1.0.0 → 1.1.0 → 1.2.0, then perhaps a last commit that is itself a
    rollback, or one that changes no image; returns the head, the commit this deploy runs for."""
    server.create_repo(NAME)
    seed = make_repo(tmp_path, env, "seed")
    for version in ("1.0.0", "1.1.0", "1.2.0"):
        seed.commit(f"chore: update image tags to {version}", {VALUES_PATH: VALUES.format(version=version)})
    if scale_last:
        seed.commit("chore: scale down", {VALUES_PATH: VALUES.format(version="1.2.0") + "replicas: 0\n"})
    if merged_rollback:  # `rollback --create-pr`, merged with a merge commit: no trailer on top
        branch = "relbot/rollback/main/0123456789ab"
        seed.git("checkout", "-q", "-b", branch)
        seed.commit("chore: roll back to 1.1.0", {VALUES_PATH: VALUES.format(version="1.1.0")})
        seed.git("checkout", "-q", "main")
        seed.git("merge", "-q", "--no-ff", "-m", f"Merge pull request #12 from acme/{branch}", branch)
    if rollback_last:
        seed.commit("chore: roll back to 1.1.0\n\nRollback-of: " + seed.git("rev-parse", "HEAD"),
                    {VALUES_PATH: VALUES.format(version="1.1.0")})
    subprocess.run(["git", "-C", str(seed.path), "push", "-q", server.url(NAME), "main"],
                   env={**env, **token_header_env(server.token)}, check=True)
    return seed.git("rev-parse", "HEAD")


def _deploy(tmp_path: Path, env: dict[str, str], job: Job, server: GitHttpServer, *, smoke_exit: int,
            deployer: str = "", health: str = "Healthy", phase: str = "Succeeded", revision: str = "",
            sync: str = "Synced", at: str = "main", before: str = "", main_tip: str = "",
            kube_denied: bool = False) -> tuple[JobRun, list[str]]:
    """The workflow's `deploy` job on a checkout of `at` as actions/checkout makes it for a push (one
    commit deep); the stand-ins answer with `health`, `phase`, `sync`, `revision` (Argo CD) and
    `smoke_exit` (the smoke test)."""
    auth = {**env, **token_header_env(server.token)}
    workspace = tmp_path / "workspace"
    subprocess.run(["git", "clone", "-q", "--depth", "1", server.url(NAME), str(workspace)], env=auth,
                   check=True)
    if at != "main":
        subprocess.run(["git", "-C", str(workspace), "fetch", "-q", "--depth", "1", "origin", at], env=auth,
                       check=True)
        subprocess.run(["git", "-C", str(workspace), "reset", "-q", "--hard", at], env=env, check=True)
    sha = subprocess.run(["git", "-C", str(workspace), "rev-parse", "HEAD"], env=env, capture_output=True,
                         text=True, check=True).stdout.strip()
    fakes = tmp_path / "fakes"
    fakes.mkdir()
    for name, script in FAKES.items():
        (fakes / name).write_text(script, encoding="utf-8")
        (fakes / name).chmod(0o755)
    log = tmp_path / "calls.log"
    log.touch()
    runner_env = {**env, "PATH": f"{fakes}:{env['PATH']}", "FAKE_LOG": str(log), "FAKE_HEALTH": health,
                  "FAKE_PHASE": phase, "FAKE_REVISION": revision, "FAKE_SYNC": sync,
                  "FAKE_MAIN_TIP": main_tip, "FAKE_KUBE_DENIED": "1" if kube_denied else "",
                  "FAKE_SMOKE_EXIT": str(smoke_exit),
                  "FAKE_ORIGIN": str(server.repo_path(NAME))}
    github = {"repository": "acme/imprun", "ref": "refs/heads/main", "sha": sha, "run_id": "4242",
              "server_url": server.url("").rstrip("/"), "event_name": "push", "actor": "octocat"}
    contexts = {"github": {**github, "event": {"before": before}},
                "vars": {"DEPLOYER": deployer} if deployer else {},
                "secrets": {"KUBE_CONFIG": "a3ViZWNvbmZpZw==", "GITOPS_TOKEN": server.token}}

    def relbot(with_inputs: Mapping[str, str]) -> ActionRun:
        return run_action(job, workspace, runner_env, with_inputs, github)

    def noop(_with: Mapping[str, str]) -> Mapping[str, str]:
        return {}  # the checkout is made above; helm and kubectl are on PATH

    uses: dict[str, JobEffect] = {"actions/checkout": noop, "azure/setup-helm": noop,
                                  "azure/setup-kubectl": noop, "relbot/relbot": relbot}
    run = run_job(WORKFLOW, "deploy", env=runner_env, workspace=workspace, runner_temp=job.runner_temp,
                  contexts=contexts, uses=uses)
    return run, log.read_text(encoding="utf-8").splitlines()


def _origin(server: GitHttpServer, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", str(server.repo_path(NAME)), *args], capture_output=True,
                          text=True, check=True, env=server.backend_env()).stdout.strip()


def test_a_failed_smoke_test_rolls_helm_and_git_back_and_names_the_versions(
    tmp_path: Path, env: dict[str, str], job: Job, git_http_server: GitHttpServer
) -> None:
    deployed = _publish(tmp_path, env, git_http_server)
    run, calls = _deploy(tmp_path, env, job, git_http_server, smoke_exit=22)
    assert run.failed
    assert run.step("smoke").returncode == 22
    assert "helm rollback imprun 7 --namespace imprun --wait --timeout 5m" in calls  # the mitigation first
    assert run.step("git-rollback").returncode == 0, run.step("git-rollback").log
    assert run.outputs == {"current": "true", "version": "1.2.0", "rolled-back": "true",
                           "rolled-back-to": "1.1.0",
                           "what": "main names 1.1.0 again; its deploy follows. The cluster is back on Helm "
                                   "revision 7.",
                           "rolled-back-from": "1.2.0",
                           "rollback-commit": _origin(git_http_server, "rev-parse", "main")}
    assert _origin(git_http_server, "show", f"main:{VALUES_PATH}") + "\n" == VALUES.format(version="1.1.0")
    message = _origin(git_http_server, "log", "-1", "--format=%B")
    assert "Reason: the deploy of 1.2.0 failed: " in message
    assert "/acme/imprun/actions/runs/4242" in message
    assert f"Rollback-of: {deployed}" in message
    assert "::warning title=deploy::1.2.0 failed; main names 1.1.0 again" in run.log
    assert git_http_server.token not in run.log


def test_with_argocd_there_is_no_helm_rollback_and_git_is_rolled_back(
    tmp_path: Path, env: dict[str, str], job: Job, git_http_server: GitHttpServer
) -> None:
    _publish(tmp_path, env, git_http_server)
    run, calls = _deploy(tmp_path, env, job, git_http_server, smoke_exit=0, deployer="argocd",
                         health="Degraded")
    assert run.failed
    assert not [call for call in calls if call.startswith("helm")]  # Argo CD's selfHeal would undo it
    assert run.step("synced").returncode == 1
    assert (run.outputs["rolled-back"], run.outputs["rolled-back-to"]) == ("true", "1.1.0")
    assert _origin(git_http_server, "show", f"main:{VALUES_PATH}") + "\n" == VALUES.format(version="1.1.0")


def test_a_good_deploy_rolls_nothing_back(tmp_path: Path, env: dict[str, str], job: Job,
                                          git_http_server: GitHttpServer) -> None:
    head = _publish(tmp_path, env, git_http_server)
    run, calls = _deploy(tmp_path, env, job, git_http_server, smoke_exit=0)
    assert not run.failed, run.log
    assert [call.split()[:2] for call in calls] == [
        ["gh", "api"], ["kubectl", "get"], ["helm", "history"], ["helm", "upgrade"], ["kubectl", "rollout"],
        ["kubectl", "rollout"], ["curl", "--fail"]]
    assert "--description version 1.2.0, commit " + head in next(c for c in calls if "upgrade" in c)
    assert (run.outputs["version"], run.outputs["rolled-back"]) == ("1.2.0", "false")
    assert _origin(git_http_server, "rev-parse", "main") == head


@pytest.mark.parametrize(("last", "why"), [
    ({"rollback_last": True}, "set by a rollback"),  # no cascade of rollbacks
    ({"merged_rollback": True}, "set by a rollback"),  # …merged as a pull request
    ({"scale_last": True}, "changed none of the values"),  # this push set no image tag
])
def test_a_failed_deploy_that_set_no_new_image_leaves_main_alone(
    tmp_path: Path, env: dict[str, str], job: Job, git_http_server: GitHttpServer,
    last: dict[str, bool], why: str,
) -> None:
    head = _publish(tmp_path, env, git_http_server, **last)
    run, calls = _deploy(tmp_path, env, job, git_http_server, smoke_exit=22)
    assert run.failed
    assert why in run.step("git-rollback").log  # relbot ran and said why it changed nothing
    assert any(call.startswith("helm rollback") for call in calls)  # the cluster is still mitigated
    assert _origin(git_http_server, "rev-parse", "main") == head
    assert run.outputs["rolled-back"] == "false"
    assert run.outputs["what"].startswith("relbot left main as it is")
    assert "The cluster is back on Helm revision 7." in run.outputs["what"]


def test_a_rerun_of_a_deploy_that_was_rolled_back_deploys_nothing(
    tmp_path: Path, env: dict[str, str], job: Job, git_http_server: GitHttpServer
) -> None:
    failed = _publish(tmp_path, env, git_http_server)
    first, _ = _deploy(tmp_path / "first", env, job, git_http_server, smoke_exit=22)
    assert first.outputs["rolled-back"] == "true"
    rerun, calls = _deploy(tmp_path / "rerun", env, job, git_http_server, smoke_exit=0, at=failed)
    assert not rerun.failed  # main names 1.1.0 now: putting 1.2.0 back is not this run's to do
    assert rerun.outputs["current"] == "false"
    assert [call.split()[:2] for call in calls] == [["gh", "api"]]


@pytest.mark.parametrize(("case", "verdict", "rolled_back"), [
    ("a later commit with the same values", "healthy", False),
    ("these values, never Healthy", "failed", True),  # a crash loop Argo CD calls Progressing
    ("a newer commit with other values", "superseded", False),
    ("no sync of these values at all", "unknown", False),  # no reason to roll the images back
])
def test_argocd_verdicts(tmp_path: Path, env: dict[str, str], job: Job, git_http_server: GitHttpServer,
                         case: str, verdict: str, rolled_back: bool) -> None:
    deployed = _publish(tmp_path, env, git_http_server)
    seed = Repo(tmp_path / "seed", env)
    tip = seed.commit("docs: notes", {"NOTES.md": "notes\n"})  # main moves on; the values stay
    subprocess.run(["git", "-C", str(seed.path), "push", "-q", git_http_server.url(NAME), "main"],
                   env={**env, **token_header_env(git_http_server.token)}, check=True)
    older = _origin(git_http_server, "rev-parse", f"{deployed}~1")  # 1.1.0's values
    answers = {"a later commit with the same values": {"revision": tip},
               "these values, never Healthy": {"health": "Progressing", "sync": "Synced"},
               "a newer commit with other values": {"revision": older, "main_tip": older},
               "no sync of these values at all": {"revision": "0" * 40}}[case]
    run, calls = _deploy(tmp_path, env, job, git_http_server, smoke_exit=0, deployer="argocd", at=deployed,
                         revision=answers.get("revision", ""), health=answers.get("health", "Healthy"),
                         sync=answers.get("sync", "Synced"), main_tip=answers.get("main_tip", ""))
    assert run.step("synced").outputs["verdict"] == verdict, run.log
    assert not [call for call in calls if call.startswith("helm")]  # Argo CD's selfHeal would undo it
    assert run.outputs["rolled-back"] == ("true" if rolled_back else "false")
    assert run.failed is (verdict in ("failed", "unknown"))
    assert run.ran("smoke") is (verdict in ("healthy",))


def test_a_cluster_that_cannot_be_reached_rolls_nothing_back(
    tmp_path: Path, env: dict[str, str], job: Job, git_http_server: GitHttpServer
) -> None:
    head = _publish(tmp_path, env, git_http_server)
    run, calls = _deploy(tmp_path, env, job, git_http_server, smoke_exit=0, kube_denied=True)
    assert run.failed
    assert not run.ran("upgrade")
    assert not run.ran("git-rollback")  # the images are not at fault
    assert not [call for call in calls if call.startswith("helm")]
    assert _origin(git_http_server, "rev-parse", "main") == head
    assert run.outputs["what"].startswith("main was not rolled back (the deploy could not start")
