"""Synthetic Helm values files for the values-editing benchmark, and what an exact edit of them
must produce.

Everything is drawn from a generator seeded per file, so the same seed always gives the same
bytes. Each file records its edit targets (the line, column and source text of every image tag
to change, with the source it must become) and the expected text: the input with only those
characters replaced. That expectation is computed here, independently of relbot.

The files look like hand-kept charts: comments (`##` docs, Flux `$imagepolicy` markers),
blank lines between sections, block and flow collections, `|` blocks, plain, double- and
single-quoted scalars, a few aligned values (`cpu:    100m`) and spaced flow maps
(`{ cpu: 500m }`). Lists are indented under their key (`env:` then `  - name:`) throughout.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field
from pathlib import Path

PathPart = str | int
BIG_LINES = 5_000
BIG_EDITS = 50
MONOREPO_FILES = 200
MONOREPO_LINES = (100, 300)
REGISTRY = "ghcr.io"
OWNER = "acme"
WORDS = ("api", "worker", "gateway", "billing", "search", "auth", "ledger", "notify", "media", "jobs")


@dataclass(frozen=True)
class Target:
    """One scalar to change: where its source is and what it becomes."""

    path: tuple[PathPart, ...]
    line: int  # 0-based
    column: int  # where the scalar's source starts on that line
    old_source: str
    new_source: str
    new_value: str  # the value as data (what a YAML loader reads from new_source)


@dataclass(frozen=True)
class EditSpec:
    """An edit as relbot's command line would take it: `--set PATH=VALUE` or `--image REPO=TAG`."""

    kind: str  # "set" or "image"
    argument: str  # the path, or the image repository
    value: str


@dataclass(frozen=True)
class ValuesFile:
    """A values file, the edits to apply to it and the exact text those edits must give."""

    name: str
    text: str
    edits: tuple[EditSpec, ...]
    targets: tuple[Target, ...]
    expected: str


@dataclass
class Writer:
    """Lines being written, with the candidate targets seen so far."""

    lines: list[str] = field(default_factory=list)
    mains: list[Target] = field(default_factory=list)  # each service's own `image.tag`
    extras: list[Target] = field(default_factory=list)  # other references to the same image

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def scalar(
        self,
        prefix: str,
        path: tuple[PathPart, ...],
        pair: tuple[str, str],
        quote: str,
        suffix: str = "",
        *,
        main: bool = True,
    ) -> None:
        """A line `prefix + scalar + suffix` whose scalar is an edit target."""
        old, new = pair
        target = Target(
            path, len(self.lines), len(prefix), f"{quote}{old}{quote}", f"{quote}{new}{quote}", new
        )
        (self.mains if main else self.extras).append(target)
        self.lines.append(f"{prefix}{target.old_source}{suffix}")


def tag_pair(rng: random.Random) -> tuple[str, str]:
    """An image tag and a newer one: semver, `v`-semver or calver with a commit."""
    kind = rng.choices(("semver", "v", "calver"), weights=(5, 3, 2))[0]
    if kind == "calver":
        month, day = rng.randint(1, 12), rng.randint(1, 27)
        old_sha, new_sha = (f"{rng.getrandbits(28):07x}" for _ in range(2))
        return f"2024.{month:02d}.{day:02d}-{old_sha}", f"2024.{month:02d}.{day + 1:02d}-{new_sha}"
    major, minor, patch = rng.randint(0, 4), rng.randint(0, 30), rng.randint(0, 20)
    prefix = "v" if kind == "v" else ""
    new = (major, minor, patch + 1) if rng.random() < 0.7 else (major, minor + 1, 0)
    return f"{prefix}{major}.{minor}.{patch}", prefix + ".".join(map(str, new))


def quote_style(rng: random.Random) -> str:
    return rng.choices(('"', "", "'"), weights=(5, 4, 1))[0]


def image_block(
    w: Writer,
    rng: random.Random,
    pad: str,
    path: tuple[PathPart, ...],
    repo: str,
    pair: tuple[str, str],
    *,
    main: bool,
) -> None:
    """`image:` with registry (or a registry-qualified repository), repository, tag, pullPolicy."""
    w.add(f"{pad}image:")
    if rng.random() < 0.7:
        w.add(f"{pad}  registry: {REGISTRY}", f"{pad}  repository: {OWNER}/{repo}")
    else:
        w.add(f"{pad}  repository: {REGISTRY}/{OWNER}/{repo}")
    marker = f'  # {{"$imagepolicy": "flux-system:{repo}:tag"}}' if rng.random() < 0.3 else ""
    if main and rng.random() < 0.3:
        w.add(f"{pad}  ## Overrides the image tag whose default is the chart appVersion.")
    w.scalar(f"{pad}  tag: ", (*path, "image", "tag"), pair, quote_style(rng), marker, main=main)
    w.add(f"{pad}  pullPolicy: IfNotPresent")


def resources(w: Writer, rng: random.Random, pad: str) -> None:
    cpu, memory = rng.choice(("100m", "250m", "500m", "1")), rng.choice(("128Mi", "256Mi", "1Gi"))
    w.add(f"{pad}resources:")
    style = rng.random()
    if style < 0.5:
        w.add(f"{pad}  limits:", f"{pad}    cpu: {cpu}", f"{pad}    memory: {memory}")
    elif style < 0.8:
        w.add(f"{pad}  limits: {{cpu: {cpu}, memory: {memory}}}")
    else:
        w.add(f"{pad}  limits: {{ cpu: {cpu}, memory: {memory} }}")
    aligned = "    " if rng.random() < 0.15 else " "
    w.add(f"{pad}  requests:", f"{pad}    cpu:{aligned}50m", f"{pad}    memory: 64Mi")


def service_head(w: Writer, rng: random.Random, pad: str, repo: str) -> None:
    """The plain settings at the top of a service."""
    w.add(f"{pad}enabled: {rng.choice(('true', 'false'))}", f"{pad}replicaCount: {rng.randint(1, 6)}", "")
    w.add(f"{pad}imagePullSecrets:", f"{pad}  - name: regcred", "")
    w.add(
        f"{pad}service:",
        f"{pad}  type: ClusterIP",
        f"{pad}  port: {rng.choice((80, 8080, 9000))}",
        f"{pad}  annotations: {{}}",
        "",
    )
    if rng.random() < 0.5:
        w.add(f'{pad}args: ["--port=8080", "--log-format=json", "--name={repo}"]')
    w.add(
        f"{pad}ports: [8080, 9090]",
        f"{pad}priorityClassName:",
        f"{pad}nodeSelector: {{}}",
        f"{pad}tolerations: []",
        "",
    )


def service_middle(w: Writer, rng: random.Random, pad: str, repo: str) -> None:
    """Resources, annotations, a `|` config block and a sidecar with an unrelated image."""
    resources(w, rng, pad)
    w.add(
        "",
        f"{pad}podAnnotations:",
        f'{pad}  prometheus.io/scrape: "true"',
        f"{pad}  prometheus.io/port: '9090'",
        f"{pad}  app.kubernetes.io/part-of: {OWNER}",
    )
    if rng.random() < 0.6:
        w.add(
            f"{pad}config: |",
            f"{pad}  server:",
            f"{pad}    port: 8080",
            f"{pad}    name: {repo}  # not a YAML comment: part of the block",
            f"{pad}  log:",
            f"{pad}    level: info",
        )
    w.add(
        "",
        f"{pad}# Sidecars share the pod network.",
        f"{pad}sidecars:",
        f"{pad}  - name: proxy",
        f"{pad}    image:",
        f"{pad}      repository: envoyproxy/envoy",
        f"{pad}      tag: v1.{rng.randint(25, 31)}.{rng.randint(0, 9)}",
        f"{pad}    args: [--log-level, warn]",
        "",
    )


def same_image_refs(
    w: Writer, rng: random.Random, pad: str, path: tuple[PathPart, ...], repo: str, pair: tuple[str, str]
) -> None:
    """A migrations job (split form) and a cron job (`repo:tag` string) on the service's image."""
    if rng.random() < 0.3:
        w.add(f"{pad}migrations:", f"{pad}  enabled: true")
        image_block(w, rng, f"{pad}  ", (*path, "migrations"), repo, pair, main=False)
        w.add("")
    if rng.random() < 0.2:
        old, new = pair
        w.add(f"{pad}cronjobs:", f"{pad}  - name: cleanup", f'{pad}    schedule: "0 3 * * *"')
        name = f"{REGISTRY}/{OWNER}/{repo}:"
        w.scalar(
            f"{pad}    image: ",
            (*path, "cronjobs", 0, "image"),
            (name + old, name + new),
            rng.choice(('"', "")),
            main=False,
        )
        w.add("")


def env_entry(w: Writer, rng: random.Random, pad: str, index: int) -> None:
    w.add(f"{pad}  - name: VAR_{index:03d}")
    if rng.random() < 0.2:
        w.add(f"{pad}    valueFrom:", f"{pad}      secretKeyRef: {{name: app-secrets, key: var-{index}}}")
        return
    value = rng.choice(('"true"', "info", "'8080'", '"postgres://db:5432/app"', "json", "~", "3"))
    w.add(f"{pad}    value: {value}")


def service(
    w: Writer, rng: random.Random, pad: str, path: tuple[PathPart, ...], repo: str, length: int | None = None
) -> None:
    """One service's values; its env list comes last and, given a length, grows the file to it."""
    pair = tag_pair(rng)
    service_head(w, rng, pad, repo)
    image_block(w, rng, pad, path, repo, pair, main=True)
    w.add("")
    service_middle(w, rng, pad, repo)
    same_image_refs(w, rng, pad, path, repo, pair)
    w.add(f"{pad}## Environment variables passed to the container.", f"{pad}env:")
    count = rng.randint(2, 14)
    index = 0
    while index < count if length is None else len(w.lines) < length:
        env_entry(w, rng, pad, index)
        index += 1


def expected_text(lines: list[str], targets: list[Target]) -> str:
    """The lines with exactly the targets' source replaced."""
    out = list(lines)
    for t in targets:
        line = out[t.line]
        assert line[t.column : t.column + len(t.old_source)] == t.old_source, (line, t)
        out[t.line] = line[: t.column] + t.new_source + line[t.column + len(t.old_source) :]
    return "\n".join(out) + "\n"


def big_file(seed: int) -> ValuesFile:
    """One umbrella values file of exactly BIG_LINES lines, and BIG_EDITS `--set` edits."""
    w = Writer()
    w.add(
        "# Umbrella chart values: every service of the platform.",
        "# Edited by hand and by CI.",
        "",
        "global:",
        f"  imageRegistry: {REGISTRY}",
        "  storageClass: fast",
        "",
    )
    index = 0
    while True:
        rng = random.Random(f"{seed}:big:{index}")
        block = Writer()
        name = f"svc-{index:03d}"
        block.add(f"# --- {name}: {rng.choice(WORDS)} ---", f"{name}:")
        service(block, rng, "  ", (name,), name)
        block.add("")
        if len(w.lines) + len(block.lines) > BIG_LINES - 3:
            break
        offset = len(w.lines)
        w.mains.extend(dataclasses.replace(t, line=t.line + offset) for t in block.mains)
        w.add(*block.lines)
        index += 1
    w.add("## Change log of this file (newest first).")
    w.add(*(f"# {2024 - i // 12}-{12 - i % 12:02d}: raised limits" for i in range(BIG_LINES - len(w.lines))))
    chosen = sorted(random.Random(f"{seed}:big:edits").sample(w.mains, BIG_EDITS), key=lambda t: t.line)
    edits = tuple(EditSpec("set", ".".join(str(p) for p in t.path), t.new_value) for t in chosen)
    text = "\n".join(w.lines) + "\n"
    return ValuesFile("umbrella/values.yaml", text, edits, tuple(chosen), expected_text(w.lines, chosen))


def monorepo_file(seed: int, index: int) -> ValuesFile:
    """One chart's values (MONOREPO_LINES long) and one `--image` edit of its own image."""
    repo = f"svc-{index:03d}"
    rng = random.Random(f"{seed}:mono:{index}")
    w = Writer()
    w.add(f"# Default values for {repo}.", "")
    service(w, rng, "", (), repo, length=rng.randint(*MONOREPO_LINES))
    targets = sorted([*w.mains, *w.extras], key=lambda t: t.line)
    edit = EditSpec("image", f"{REGISTRY}/{OWNER}/{repo}", w.mains[0].new_value)
    text = "\n".join(w.lines) + "\n"
    return ValuesFile(
        f"apps/{repo}/values.yaml", text, (edit,), tuple(targets), expected_text(w.lines, targets)
    )


def monorepo(seed: int) -> list[ValuesFile]:
    return [monorepo_file(seed, index) for index in range(MONOREPO_FILES)]


def write_out(files: list[ValuesFile], root: Path) -> None:
    """The inputs on disk, for a look or a diff (the benchmark itself works on the texts)."""
    for values in files:
        path = root / values.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(values.text)
