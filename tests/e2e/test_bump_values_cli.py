"""`relbot bump-values` end to end: real files, real repositories, a real remote, real processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gitfixture import Repo, make_bare, make_repo

VALUES = """\
# Production values for the imprun platform
imprun-server:
  image:
    repository: ghcr.io/acme/imprun-server
    tag: "1.2.2"   # set by CI

  replicaCount: 3
imprun-console:
  image: {repository: ghcr.io/acme/imprun-console, tag: 1.10}
"""


def run(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "relbot", "bump-values", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)


def test_edits_a_file_outside_any_repository(tmp_path: Path, env: dict[str, str]) -> None:
    values = tmp_path / "values-production.yaml"
    values.write_text(VALUES, encoding="utf-8")
    values.chmod(0o640)
    done = run(tmp_path, env, "values-production.yaml", "--set", ".imprun-server.image.tag=1.2.3",
               "--image", "ghcr.io/acme/imprun-console=1.11")
    assert done.returncode == 0, done.stderr
    assert values.read_text(encoding="utf-8") == VALUES.replace('"1.2.2"', '"1.2.3"').replace(
        "tag: 1.10}", 'tag: "1.11"}')
    assert oct(values.stat().st_mode & 0o777) == "0o640"
    assert "imprun-server.image.tag: 1.2.2 → 1.2.3 (line 5)" in done.stderr
    assert not list(tmp_path.glob(".values-production.yaml.*"))  # no temp file left behind


def test_dry_run_prints_the_diff_and_touches_nothing(repo: Repo, tmp_path: Path) -> None:
    repo.commit("chore: values", {"values.yaml": VALUES})
    repo.git("remote", "add", "origin", str(make_bare(tmp_path, repo.env)))
    repo.git("push", "-q", "origin", "main")
    before = repo.git("rev-parse", "HEAD")
    done = run(repo.path, repo.env, "values.yaml", "--set", "imprun-server.image.tag=${version}",
               "--version", "1.2.3", "--push", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert '-    tag: "1.2.2"   # set by CI\n+    tag: "1.2.3"   # set by CI\n' in done.stdout
    assert "  3. push to main on origin" in done.stdout
    assert (repo.path / "values.yaml").read_text(encoding="utf-8") == VALUES
    assert repo.git("rev-parse", "HEAD") == before
    assert repo.git("status", "--porcelain") == ""


def test_push_without_an_origin_fails_alike_in_the_dry_run_and_the_real_run(repo: Repo) -> None:
    repo.commit("chore: values", {"values.yaml": VALUES})
    args = ("values.yaml", "--set", "imprun-server.image.tag=1.2.3", "--push")
    dry, real = run(repo.path, repo.env, *args, "--dry-run"), run(repo.path, repo.env, *args)
    assert dry.returncode == real.returncode == 4
    assert "no `origin` remote" in dry.stderr
    assert dry.stderr.splitlines()[-2:] == real.stderr.splitlines()[-2:]
    assert (repo.path / "values.yaml").read_text(encoding="utf-8") == VALUES


def test_json_reports_each_change(tmp_path: Path, env: dict[str, str]) -> None:
    (tmp_path / "v.yaml").write_text(VALUES, encoding="utf-8")
    done = run(tmp_path, env, "v.yaml", "--set", "imprun-server.replicaCount=4", "--json")
    data = json.loads(done.stdout)
    assert data["changed"] is True
    assert data["changes"] == [{"file": "v.yaml", "path": "imprun-server.replicaCount",
                                "document": 1, "line": 7, "old": "3", "new": "4", "changed": True}]
    assert "  replicaCount: 4\n" in (tmp_path / "v.yaml").read_text(encoding="utf-8")


def test_json_after_a_real_commit_marks_every_step_done(repo: Repo) -> None:
    repo.commit("chore: values", {"values.yaml": VALUES})
    args = ("values.yaml", "--set", "imprun-server.replicaCount=4", "--commit", "--json")
    dry = json.loads(run(repo.path, repo.env, *args, "--dry-run").stdout)
    assert [(s["kind"], s["done"]) for s in dry["steps"]] == [("write", False), ("commit", False)]
    real = json.loads(run(repo.path, repo.env, *args).stdout)
    assert [(s["kind"], s["done"]) for s in real["steps"]] == [("write", True), ("commit", True)]
    assert len(real["steps_done"]) == 2


def test_commit_uses_the_pipeline_message_and_the_bot_in_actions(repo: Repo) -> None:
    repo.commit("chore: values", {"values.yaml": VALUES})
    done = run(repo.path, {**repo.env, "GITHUB_ACTIONS": "true"}, "values.yaml", "--set",
               "imprun-server.image.tag=${version}", "--version", "1.2.3", "--commit")
    assert done.returncode == 0, done.stderr
    assert repo.git("log", "-1", "--format=%s|%an|%ae") == (
        "chore: update image tags to 1.2.3|github-actions[bot]|"
        "41898282+github-actions[bot]@users.noreply.github.com")
    assert repo.git("show", "--stat", "--format=", "HEAD").split("|")[0].strip() == "values.yaml"


def test_value_already_set_is_a_no_op_without_a_commit(repo: Repo) -> None:
    repo.commit("chore: values", {"values.yaml": VALUES})
    before = repo.git("rev-parse", "HEAD")
    done = run(repo.path, repo.env, "values.yaml", "--set", "imprun-server.image.tag=1.2.2", "--push")
    assert done.returncode == 0, done.stderr
    assert "imprun-server.image.tag is already 1.2.2" in done.stderr
    assert repo.git("rev-parse", "HEAD") == before


def test_downgrade_is_refused_unless_allowed(tmp_path: Path, env: dict[str, str]) -> None:
    (tmp_path / "v.yaml").write_text(VALUES, encoding="utf-8")
    done = run(tmp_path, env, "v.yaml", "--set", "imprun-server.image.tag=1.2.1")
    assert done.returncode == 7
    assert "imprun-server.image.tag is 1.2.2; setting 1.2.1 would move it backwards" in done.stderr
    assert (tmp_path / "v.yaml").read_text(encoding="utf-8") == VALUES
    allowed = run(tmp_path, env, "v.yaml", "--set", "imprun-server.image.tag=1.2.1", "--allow-downgrade")
    assert allowed.returncode == 0, allowed.stderr


@pytest.mark.parametrize(
    ("extra_env", "args", "expected", "source"),
    [
        ({"GITHUB_REF": "refs/tags/v2.0.0"}, [], "2.0.0", "GITHUB_REF=refs/tags/v2.0.0"),
        ({}, ["--version-from", "tag"], "1.5.0", "the latest release tag v1.5.0"),
        ({"GITHUB_REF": "refs/tags/v2.0.0"}, ["--version", "3.0.0"], "3.0.0", "--version"),
    ],
    ids=["tag-ref", "latest-tag", "explicit-wins"],
)
def test_version_sources_are_named(repo: Repo, extra_env: dict[str, str], args: list[str],
                                   expected: str, source: str) -> None:
    repo.commit("chore: values", {"values.yaml": VALUES})
    repo.tag("v1.5.0")
    repo.tag("v1.6.0-rc.1")
    done = run(repo.path, {**repo.env, **extra_env}, "values.yaml", "--set",
               "imprun-server.image.tag=${version}", *args)
    assert done.returncode == 0, done.stderr
    assert f"version {expected} (from {source})" in done.stderr
    assert f'tag: "{expected}"' in (repo.path / "values.yaml").read_text(encoding="utf-8")


def test_workflow_run_branch_ref_is_not_taken_for_a_version(repo: Repo) -> None:
    repo.commit("chore: values", {"values.yaml": VALUES})
    done = run(repo.path, {**repo.env, "GITHUB_REF": "refs/heads/main"}, "values.yaml", "--set",
               "imprun-server.image.tag=${version}")
    assert done.returncode == 7
    assert "GITHUB_REF=refs/heads/main is not a tag" in done.stderr
    assert (repo.path / "values.yaml").read_text(encoding="utf-8") == VALUES


def _remote_with_values(tmp_path: Path, env: dict[str, str], text: str) -> Path:
    bare = make_bare(tmp_path, env)
    seed = make_repo(tmp_path, env, "seed")
    seed.commit("chore: values", {"k8s/values-production.yaml": text})
    seed.git("push", "-q", str(bare), "main")
    return bare


def _clone(tmp_path: Path, env: dict[str, str], bare: Path, name: str) -> Repo:
    target = tmp_path / name
    subprocess.run(["git", "clone", "-q", f"file://{bare}", str(target)], env=env, check=True)
    return Repo(target, env)


def test_config_section_alone_does_the_job_and_pushes(tmp_path: Path, env: dict[str, str]) -> None:
    bare = _remote_with_values(tmp_path, env, VALUES)
    clone = _clone(tmp_path, env, bare, "ci")
    (clone.path / ".releaserc.json").write_text(json.dumps({"values": {
        "files": [{"path": "k8s/values-production.yaml",
                   "set": {".imprun-server.image.tag": "${version}"},
                   "images": {"ghcr.io/acme/imprun-console": "${version}"}}],
        "push": True}}), encoding="utf-8")
    clone.git("add", ".releaserc.json")
    clone.git("commit", "-q", "-m", "chore: config")
    clone.git("push", "-q", "origin", "main")
    done = run(clone.path, env, "--version", "1.3.0")
    assert done.returncode == 0, done.stderr
    shown = subprocess.run(["git", "--git-dir", str(bare), "show", "main:k8s/values-production.yaml"],
                           env=env, capture_output=True, text=True, check=True).stdout
    assert shown == VALUES.replace('"1.2.2"', '"1.3.0"').replace("tag: 1.10}", "tag: 1.3.0}")
    assert "pushed" in done.stderr


SERVICES = [f"svc{i}" for i in range(8)]
MANY = "".join(f"{name}:\n  image:\n    repository: ghcr.io/acme/{name}\n    tag: \"1.0.0\"  # {name}\n\n"
               for name in SERVICES)


def test_eight_concurrent_pipelines_all_land_with_linear_history(tmp_path: Path,
                                                                  env: dict[str, str]) -> None:
    bare = _remote_with_values(tmp_path, env, MANY)
    clones = [_clone(tmp_path, env, bare, f"job-{name}") for name in SERVICES]
    procs = [subprocess.Popen(
        [sys.executable, "-m", "relbot", "bump-values", "k8s/values-production.yaml", "--image",
         f"ghcr.io/acme/{name}=2.{i}.0", "--push", "--retries", "20"],
        cwd=clone.path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i, (name, clone) in enumerate(zip(SERVICES, clones, strict=True))]
    outputs = [proc.communicate(timeout=180) for proc in procs]
    for proc, (_, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    git = ["git", "--git-dir", str(bare)]
    final = subprocess.run([*git, "show", "main:k8s/values-production.yaml"], env=env,
                           capture_output=True, text=True, check=True).stdout
    expected = MANY
    for i, name in enumerate(SERVICES):
        expected = expected.replace(f'tag: "1.0.0"  # {name}', f'tag: "2.{i}.0"  # {name}')
    assert final == expected
    merges = subprocess.run([*git, "rev-list", "--merges", "main"], env=env, capture_output=True,
                            text=True, check=True).stdout
    assert merges == ""
    count = subprocess.run([*git, "rev-list", "--count", "main"], env=env, capture_output=True,
                           text=True, check=True).stdout.strip()
    assert count == str(1 + len(SERVICES))
    assert any("re-applying the edits" in err for _, err in outputs)  # there really was a race


@pytest.mark.parametrize("round_", range(2))
def test_two_updates_of_one_key_racing_end_at_the_newest(tmp_path: Path, env: dict[str, str],
                                                         round_: int) -> None:
    bare = _remote_with_values(tmp_path, env, VALUES)
    versions = ["1.2.3", "1.2.4"] if round_ == 0 else ["1.2.4", "1.2.3"]
    clones = [_clone(tmp_path, env, bare, f"job-{v}") for v in versions]
    procs = [subprocess.Popen(
        [sys.executable, "-m", "relbot", "bump-values", "k8s/values-production.yaml", "--set",
         f"imprun-server.image.tag={v}", "--push"],
        cwd=clone.path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for v, clone in zip(versions, clones, strict=True)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    final = subprocess.run(["git", "--git-dir", str(bare), "show", "main:k8s/values-production.yaml"],
                           env=env, capture_output=True, text=True, check=True).stdout
    assert 'tag: "1.2.4"' in final


def parse_outputs(text: str) -> dict[str, str]:
    """$GITHUB_OUTPUT as a dict (`name=value` lines and `name<<DELIMITER` blocks)."""
    values: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line:
            name, delimiter = line.split("<<", 1)
            block: list[str] = []
            for inner in lines:
                if inner == delimiter:
                    break
                block.append(inner)
            values[name] = "\n".join(block)
        else:
            name, _, value = line.partition("=")
            values[name] = value
    return values


def test_github_actions_outputs_and_summary(tmp_path: Path, env: dict[str, str]) -> None:
    (tmp_path / "v.yaml").write_text(VALUES, encoding="utf-8")
    output, summary = tmp_path / "output", tmp_path / "summary"
    done = run(tmp_path, {**env, "GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(output),
                          "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_REF": "refs/tags/v1.2.3"},
               "v.yaml", "--set", "imprun-server.image.tag=${version}")
    assert done.returncode == 0, done.stderr
    outputs = parse_outputs(output.read_text(encoding="utf-8"))
    assert outputs["changed"] == "true"
    assert outputs["version"] == "1.2.3"
    assert '+    tag: "1.2.3"   # set by CI' in outputs["diff"]
    row = "| `v.yaml` | `imprun-server.image.tag` | `1.2.2` | `1.2.3` |"
    assert row in summary.read_text(encoding="utf-8")
    again = run(tmp_path, {**env, "GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(output),
                           "GITHUB_STEP_SUMMARY": str(summary)}, "v.yaml", "--set",
                "imprun-server.image.tag=1.2.3")
    assert again.returncode == 0
    second = output.read_text(encoding="utf-8").split("changed=true", 1)[1]
    assert parse_outputs(second)["changed"] == "false"


def test_bad_yaml_is_an_error_that_names_file_and_line(tmp_path: Path, env: dict[str, str]) -> None:
    (tmp_path / "v.yaml").write_text("a:\n  b: [1, 2\nc: 3\n", encoding="utf-8")
    done = run(tmp_path, env, "v.yaml", "--set", "a.b=1")
    assert done.returncode == 7
    assert "v.yaml: not valid YAML at line" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(("old", "new", "refused"), [
    pytest.param("0.0.6-SNAPSHOT_3ced321a", "0.0.5_b579c34b", True, id="underscore-build-metadata"),
    pytest.param('"1.10"', "1.9", True, id="two-part-tag"),
    pytest.param("v1.10", "v1.9.3", True, id="two-part-to-three-part"),
    pytest.param('"1.9"', "1.10", False, id="two-part-upgrade"),
    pytest.param("0.0.5_b579c34b", "0.0.6-SNAPSHOT_3ced321a", False, id="underscore-upgrade"),
    pytest.param("1234567", "0899999", False, id="digit-only-sha-is-not-a-version"),
    pytest.param("12-debian-12-r9", "12-debian-12-r10", False, id="bitnami-revision"),
    pytest.param("1.10", "1.3.0", False, id="plain-float-is-what-helm-runs"),  # 1.10 is 1.1 to Helm
    pytest.param("1.10", "1.0.9", True, id="plain-float-downgrade"),
])
def test_downgrades_of_tags_as_images_write_them(tmp_path: Path, env: dict[str, str], old: str, new: str,
                                                  refused: bool) -> None:
    """Docker tags cannot hold `+`, so `_` writes build metadata; two-part tags are common. Both
    compare as the versions they stand for; what is not a version is never called a downgrade."""
    values = f"app:\n  image:\n    tag: {old}\n"
    (tmp_path / "v.yaml").write_text(values, encoding="utf-8")

    done = run(tmp_path, env, "v.yaml", "--set", f"app.image.tag={new}")

    if refused:
        assert done.returncode == 7, done.stderr
        assert "would move it backwards" in done.stderr
        assert (tmp_path / "v.yaml").read_text(encoding="utf-8") == values
    else:
        assert done.returncode == 0, done.stderr
        assert new in (tmp_path / "v.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("text", "args", "named"), [
    pytest.param("app:\n  image:\n    tag: 1.0.0\napp:\n  x: 1\n", ["--set", "app.image.tag=1.2.0"],
                 "app is written 2 times in one mapping (lines 1, 4)", id="parent-twice"),
    pytest.param("app:\n  image:\n    repository: ghcr.io/acme/app\n    tag: 1.0.0\n    tag: 1.0.1\n",
                 ["--image", "ghcr.io/acme/app=1.2.0"],
                 "app.image.tag is written 2 times in one mapping (lines 4, 5)", id="leaf-twice-image"),
])
def test_a_duplicated_key_is_named_and_nothing_is_written(tmp_path: Path, env: dict[str, str], text: str,
                                                          args: list[str], named: str) -> None:
    """The first `app` is the one a naive edit changes, and the last is the one Helm reads."""
    (tmp_path / "v.yaml").write_text(text, encoding="utf-8")

    done = run(tmp_path, env, "v.yaml", *args)

    assert done.returncode == 7
    assert named in done.stderr
    assert "please report" not in done.stderr
    assert (tmp_path / "v.yaml").read_text(encoding="utf-8") == text


def test_create_that_cannot_create_does_not_suggest_create(tmp_path: Path, env: dict[str, str]) -> None:
    (tmp_path / "v.yaml").write_text("app:\n  x: 1\n", encoding="utf-8")

    done = run(tmp_path, env, "v.yaml", "--set", "app.image.tag=1.2.0", "--create")

    assert done.returncode == 7
    assert "--create adds only a missing last key" in done.stderr
    assert "pass --create" not in done.stderr


KUSTOMIZATION = """apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
images:
  - name: app            # the name in deployment.yaml
    newName: ghcr.io/org/app
    newTag: v1.2.0
  - name: nginx
    newTag: "1.25"
  - name: ghcr.io/org/worker
    digest: sha256:{old}
"""


def test_kustomize_images_entries_get_new_tag_and_digest(tmp_path: Path, env: dict[str, str]) -> None:
    old, new = "1" * 64, "2" * 64
    text = KUSTOMIZATION.format(old=old)
    (tmp_path / "kustomization.yaml").write_text(text, encoding="utf-8")

    done = run(tmp_path, env, "kustomization.yaml", "--image", "ghcr.io/org/app=v1.3.0",
               "--image", "nginx=1.26", "--image", f"ghcr.io/org/worker=@sha256:{new}")

    assert done.returncode == 0, done.stderr
    assert (tmp_path / "kustomization.yaml").read_text(encoding="utf-8") == text.replace(
        "newTag: v1.2.0", "newTag: v1.3.0").replace('newTag: "1.25"', 'newTag: "1.26"').replace(old, new)


def test_image_spelled_with_name_and_tag(tmp_path: Path, env: dict[str, str]) -> None:
    text = "image:\n  name: ghcr.io/org/app\n  tag: v1  # pinned by CI\n  pullPolicy: IfNotPresent\n"
    (tmp_path / "v.yaml").write_text(text, encoding="utf-8")

    done = run(tmp_path, env, "v.yaml", "--image", "ghcr.io/org/app=v2")

    assert done.returncode == 0, done.stderr
    assert (tmp_path / "v.yaml").read_text(encoding="utf-8") == text.replace("tag: v1 ", "tag: v2 ")


def test_an_image_pinned_by_digest_only_is_an_error_not_a_silent_skip(tmp_path: Path,
                                                                      env: dict[str, str]) -> None:
    """Before, the sibling `image: repo:v1` moved to v2 while the digest-pinned one stayed (exit 0)."""
    text = (f"image:\n  repository: ghcr.io/org/app\n  digest: sha256:{'1' * 64}\n"
            "sidecar:\n  image: ghcr.io/org/app:v1\n")
    (tmp_path / "v.yaml").write_text(text, encoding="utf-8")

    done = run(tmp_path, env, "v.yaml", "--image", "ghcr.io/org/app=v2")

    assert done.returncode == 7
    assert "image pins ghcr.io/org/app by digest only" in done.stderr
    assert "TAG@sha256:" in done.stderr
    assert (tmp_path / "v.yaml").read_text(encoding="utf-8") == text


@pytest.mark.parametrize(("text", "edit", "expected"), [
    pytest.param("? [x]\n: y\napp:\n  tag: 1.0.0\n", "app.tag=1.1.0", "? [x]\n: y\napp:\n  tag: 1.1.0\n",
                 id="complex-key-elsewhere"),
    pytest.param("image:\n  tag: # set by CI\n    # see docs\n    1.2.2\n\nother: 1\n", "other=2",
                 "image:\n  tag: # set by CI\n    # see docs\n    1.2.2\n\nother: 2\n",
                 id="comment-between-key-and-value-then-blank-line"),
    pytest.param("image:\n  tag: # set by CI\n    # see docs\n    1.2.2\n\nother: 1\n", "image.tag=1.2.3",
                 "image:\n  tag: # set by CI\n    # see docs\n    1.2.3\n\nother: 1\n",
                 id="the-value-after-that-comment"),
])
def test_valid_files_that_crashed_the_editor_are_edited(tmp_path: Path, env: dict[str, str], text: str,
                                                        edit: str, expected: str) -> None:
    (tmp_path / "v.yaml").write_text(text, encoding="utf-8")

    done = run(tmp_path, env, "v.yaml", "--set", edit)

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert (tmp_path / "v.yaml").read_text(encoding="utf-8") == expected


def test_a_tag_helm_would_read_as_a_number_is_written_quoted(tmp_path: Path, env: dict[str, str]) -> None:
    text = "image:\n  repository: ghcr.io/acme/app\n  tag: 8765e10\n"
    (tmp_path / "v.yaml").write_text(text, encoding="utf-8")

    done = run(tmp_path, env, "v.yaml", "--image", "ghcr.io/acme/app=8765e10_1", "--allow-downgrade")

    assert done.returncode == 0, done.stderr
    written = (tmp_path / "v.yaml").read_text(encoding="utf-8")
    assert written == text.replace("tag: 8765e10", 'tag: "8765e10_1"')


def test_set_a_key_that_holds_an_equals_sign(tmp_path: Path, env: dict[str, str]) -> None:
    text = 'podAnnotations:\n  "a=b": "1"\n'
    (tmp_path / "v.yaml").write_text(text, encoding="utf-8")

    done = run(tmp_path, env, "v.yaml", "--set", 'podAnnotations."a=b"=2')

    assert done.returncode == 0, done.stderr
    assert (tmp_path / "v.yaml").read_text(encoding="utf-8") == 'podAnnotations:\n  "a=b": "2"\n'


def test_push_publishes_only_the_values_commit(tmp_path: Path, env: dict[str, str]) -> None:
    bare = _remote_with_values(tmp_path, env, VALUES)
    clone = _clone(tmp_path, env, bare, "ci")
    clone.tag("v1.2.3")
    clone.git("push", "-q", "origin", "v1.2.3")
    clone.git("checkout", "-q", "--detach", "v1.2.3")  # a release pipeline's checkout of the tag
    done = run(clone.path, env, "k8s/values-production.yaml", "--set", "imprun-server.image.tag=1.2.3",
               "--push", "--branch", "main")
    assert done.returncode == 0, done.stderr
    clone.git("checkout", "-q", "-b", "staging", "origin/main")
    clone.commit("chore: staging only", {"staging.txt": "x\n"})
    head = subprocess.run(["git", "--git-dir", str(bare), "rev-parse", "main"], env=env, capture_output=True,
                          text=True, check=True).stdout.strip()
    done = run(clone.path, env, "k8s/values-production.yaml", "--set", "imprun-server.image.tag=1.2.4",
               "--push", "--branch", "main")
    assert done.returncode == 4
    assert "is not on main as origin has it" in done.stderr
    api = {**env, "GITHUB_REPOSITORY": "acme/imprun", "GITHUB_API_URL": "http://127.0.0.1:9"}
    done = run(clone.path, api, "k8s/values-production.yaml", "--set", "imprun-server.image.tag=1.2.4",
               "--create-pr", "--branch", "main")
    assert done.returncode == 4  # a pull request would carry the branch's other commits too
    assert "is not on main as origin has it" in done.stderr
    names = (("refs/heads/main", 4), ("origin/main", 2), ("HEAD", 2), ("-main", 2), ("nosuch", 4))
    for spelling, code in names:
        done = run(clone.path, env, "k8s/values-production.yaml", "--set", "imprun-server.image.tag=1.2.4",
                   "--push", "--branch", spelling)
        assert done.returncode == code, (spelling, done.stderr)  # refs/heads/main is main: still refused
    assert subprocess.run(["git", "--git-dir", str(bare), "for-each-ref", "--format=%(refname)"], env=env,
                          capture_output=True, text=True, check=True).stdout.split() == [
        "refs/heads/main", "refs/tags/v1.2.3"]
    assert subprocess.run(["git", "--git-dir", str(bare), "rev-parse", "main"], env=env, capture_output=True,
                          text=True, check=True).stdout.strip() == head
