"""Architecture rules for relbot's own imports, read from the source with `ast`.

Every import counts, including imports inside functions. A module is a dotted name such as
`relbot.release.plan`; importing a package (`relbot.values`) means importing its `__init__.py`;
`from relbot.x import y` means importing `relbot.x.y` when that module exists, else `relbot.x`.
Importing `relbot.x.y` is not counted as also importing the parent package `relbot.x`.

- cycles: no import cycles between relbot modules (`if TYPE_CHECKING:` imports do not count);
- layers: a module imports its own layer or a layer below, never one above (all imports count);
- owners: each third-party I/O library is imported by its owner modules only (all imports count);
- function-level imports: every import inside a function (outside `if TYPE_CHECKING:`) is in
  FUNCTION_LEVEL_IMPORTS with its reason, and every entry there still exists.

The tables below are data: edit them, not the helpers.
"""

from __future__ import annotations

import ast
import functools
import itertools
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

# Layers from top to bottom, by the first name after `relbot.` (`relbot.release.plan` -> "release").
# A module may import its own layer or any layer below it, never one above.
LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    ("cli", frozenset({"cli", "reports"})),
    ("api", frozenset({"api"})),
    ("release", frozenset({"release"})),
    ("values", frozenset({"values"})),
    ("config", frozenset({"config"})),
    ("edges", frozenset({
        "gitrepo", "gitauth", "github", "fsio", "ghactions", "steps", "tags", "remotes",
        "errors", "redact", "globs", "versioning", "templates",
    })),
    ("model", frozenset({"model"})),
)
# Top-level names missing from LAYERS land in this layer (and are named as such in failures).
DEFAULT_LAYER = "edges"
# Exempt from the layer rules, both as importer and as imported module.
LAYER_EXEMPT = frozenset({"relbot", "relbot.__main__"})
# (importer, imported) pairs of top-level names that stay forbidden whatever the order above says.
FORBIDDEN: frozenset[tuple[str, str]] = frozenset({("values", "release")})
# Top-level names that import nothing from relbot at all.
ISOLATED = frozenset({"model"})

# Third-party I/O library (top-level import name) -> the only modules that may import it.
OWNERS: Mapping[str, frozenset[str]] = {
    "git": frozenset({"relbot.gitrepo"}),
    # the submodules import PyGithub at their top; only functions import them (start-up guard)
    "github": frozenset({"relbot.github", "relbot.github.issues", "relbot.github.gitdata"}),
    "click": frozenset({"relbot.cli"}),
    "ruamel": frozenset({"relbot.values.yamldoc", "relbot.config.files"}),
    "yaml": frozenset({"relbot.values.yamldoc"}),
}

# (module, imported name) -> why it is imported inside a function rather than at the top.
# The imported name is absolute and dotted: `from github import Auth` -> "github.Auth".
# Start-up guards for heavy libraries belong here; relbot-internal entries should not, except
# lazy loading of heavy subcommands in relbot.cli. Entries marked "cycle" hide an import cycle.
_GITHUB = "start-up guard: PyGithub is slow to import"
_RUAMEL = "start-up guard: ruamel.yaml is heavy"
_PYYAML = "start-up guard: only bump-values parses YAML with libyaml"
_CLI_LAZY = "lazy subcommand: keep `relbot --help` fast"
_PYGITHUB_LAZY = "PyGithub only when a GitHub Release or pull request step runs"
FUNCTION_LEVEL_IMPORTS: Mapping[tuple[str, str], str] = {
    ("relbot.cli", "relbot.release.version.full_changelog"): _CLI_LAZY,
    ("relbot.cli", "relbot.release.version.plan_version"): _CLI_LAZY,
    ("relbot.cli", "relbot.release.version.plan_packages"): _CLI_LAZY,
    ("relbot.cli", "relbot.release.monorepo.pick"): _CLI_LAZY,
    ("relbot.cli", "relbot.values.plan.BumpOptions"): _CLI_LAZY,
    ("relbot.cli", "relbot.reports.values.run_bump"): _CLI_LAZY,
    ("relbot.cli", "relbot.reports.values.run_rollback"): _CLI_LAZY,
    ("relbot.cli", "relbot.reports.error_json"): _CLI_LAZY + " (a usage error with --json only)",
    ("relbot.cli", "relbot.values.rollback.RollbackOptions"): _CLI_LAZY,
    ("relbot.reports.values", "relbot.values.rollback.rollback"): "bump-values never reads the history",
    ("relbot.reports.values", "relbot.values.deploys.summary"): "bump-values never reads the history",
    ("relbot.cli", "relbot.reports.release.run_release"): _CLI_LAZY,
    ("relbot.cli", "relbot.reports.release.explain"): _CLI_LAZY + " (-v only)",
    ("relbot.cli", "relbot.redact"): _CLI_LAZY,
    ("relbot.cli", "relbot.redact.redact"): _CLI_LAZY,
    ("relbot.cli", "traceback"): "only the debug error path prints a traceback",
    ("relbot.cli", "json"): "start-up guard: only `version --json` needs it",
    ("relbot.steps", "difflib"): "start-up guard: only dry runs and --json show diffs",
    ("relbot.values.push", "hashlib"): "start-up guard: only --create-pr names a branch by a hash",
    ("relbot.redact", "logging"): "start-up guard: only the libraries that log (GitPython, PyGithub) need it",
    ("relbot.config.files", "ruamel.yaml.YAML"): _RUAMEL + "; only YAML configs need it",
    ("relbot.config.files", "ruamel.yaml.error.YAMLError"): _RUAMEL + "; only YAML configs need it",
    ("relbot.github", "github.Auth"): _GITHUB,
    ("relbot.github", "github.Github"): _GITHUB,
    ("relbot.github", "github.GithubException"): _GITHUB,
    ("relbot.github", "requests.exceptions.ConnectionError"): _GITHUB + " (its HTTP library)",
    ("relbot.github", "requests.exceptions.RequestException"): _GITHUB + " (its HTTP library)",
    ("relbot.github", "requests.exceptions.Timeout"): _GITHUB + " (its HTTP library)",
    ("relbot.github", "github.GithubRetry"): _GITHUB,
    ("relbot.github", "github.UnknownObjectException"): _GITHUB,
    ("relbot.gitrepo", "git"): "start-up guard: GitPython (40 ms, two `git version`) only for writes",
    ("relbot.github", "logging"): "start-up guard: only the libraries that log (PyGithub) need it",
    ("relbot.github.gitdata", "github.GithubException"): _GITHUB,
    ("relbot.github.gitdata", "github.InputGitTreeElement"): _GITHUB,
    ("relbot.github.gitdata", "github.UnknownObjectException"): _GITHUB,
    ("relbot.github.issues", "github.UnknownObjectException"): _GITHUB,
    ("relbot.release.steps", "relbot.github.check_access"): _PYGITHUB_LAZY,
    ("relbot.release.steps", "relbot.github.find_release"): _PYGITHUB_LAZY,
    ("relbot.release.steps", "relbot.github.publish_release"): _PYGITHUB_LAZY,
    ("relbot.values.push", "relbot.github.check_access"): _PYGITHUB_LAZY,
    ("relbot.values.push", "relbot.github.open_pull_request"): _PYGITHUB_LAZY,
    ("relbot.values.yamldoc", "ruamel.yaml.YAML"): _RUAMEL + "; only bump-values needs it",
    ("relbot.values.yamldoc", "ruamel.yaml.error.YAMLError"): _RUAMEL + "; only bump-values needs it",
    ("relbot.values.yamldoc", "yaml"): _PYYAML,
}

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "relbot"


@dataclass(frozen=True)
class Import:
    """One imported name: `from a import b, c` gives two."""

    importer: str
    name: str  # absolute dotted name: "relbot.publish.publish", "git", "ruamel.yaml.YAML"
    target: str | None  # the package's module it loads; None for third-party or unknown modules
    where: str  # "relbot/bump.py:122"
    in_function: bool
    type_only: bool  # under `if TYPE_CHECKING:`

    @property
    def context(self) -> str:
        if self.type_only:
            return "TYPE_CHECKING"
        return "function-level" if self.in_function else "top-level"

    def describe(self) -> str:
        return f"{self.where} [{self.context}] imports {self.name}"


@dataclass(frozen=True)
class Scan:
    modules: frozenset[str]
    imports: tuple[Import, ...]


@dataclass(frozen=True)
class _Site:
    node: ast.Import | ast.ImportFrom
    in_function: bool
    type_only: bool


def _module_name(path: Path, package_dir: Path) -> str:
    parts = path.relative_to(package_dir.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _sites(node: ast.AST, in_function: bool = False, type_only: bool = False) -> Iterator[_Site]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield _Site(node, in_function, type_only)
        return
    if isinstance(node, ast.If) and _is_type_checking(node.test):
        for stmt in node.body:
            yield from _sites(stmt, in_function, type_only=True)
        for stmt in node.orelse:
            yield from _sites(stmt, in_function, type_only)
        return
    in_function = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
    for child in ast.iter_child_nodes(node):
        yield from _sites(child, in_function, type_only)


def _longest_known(name: str, modules: frozenset[str]) -> str | None:
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        if (candidate := ".".join(parts[:end])) in modules:
            return candidate
    return None


def _from_base(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    parts = importer.split(".") if is_package else importer.split(".")[:-1]
    base = parts[: len(parts) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _resolve(
    site: _Site, importer: str, is_package: bool, modules: frozenset[str]
) -> Iterator[tuple[str, str | None]]:
    """(absolute imported name, module of the package it loads or None) for each imported name."""
    node = site.node
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name, _longest_known(alias.name, modules)
        return
    base = _from_base(node, importer, is_package)
    for alias in node.names:
        name = base if alias.name == "*" else f"{base}.{alias.name}"
        yield name, name if name in modules else _longest_known(base, modules)


def scan(package_dir: Path) -> Scan:
    paths = {
        _module_name(path, package_dir): path
        for path in sorted(package_dir.rglob("*.py"))
        if "__pycache__" not in path.parts
    }
    modules = frozenset(paths)
    imports: list[Import] = []
    for importer, path in sorted(paths.items()):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        shown = path.relative_to(package_dir.parent).as_posix()
        for site in _sites(tree):
            for name, target in _resolve(site, importer, is_package, modules):
                where = f"{shown}:{site.node.lineno}"
                imports.append(Import(importer, name, target, where, site.in_function, site.type_only))
    return Scan(modules, tuple(imports))


@functools.cache
def relbot() -> Scan:
    return scan(PACKAGE_DIR)


def _internal(imports: tuple[Import, ...]) -> Iterator[Import]:
    return (imp for imp in imports if imp.target is not None and imp.target != imp.importer)


def _top_name(module: str) -> str:
    return module.split(".")[1] if "." in module else ""


def _layer(module: str) -> tuple[int, str, bool]:
    """(rank from the top, layer name, listed in LAYERS) of a module."""
    for rank, (name, members) in enumerate(LAYERS):
        if _top_name(module) in members:
            return rank, name, True
    return [name for name, _ in LAYERS].index(DEFAULT_LAYER), DEFAULT_LAYER, False


# --- cycles ----------------------------------------------------------------------------------


def _graph(imports: tuple[Import, ...]) -> dict[str, dict[str, Import]]:
    """importer -> imported module -> the first import making that edge (TYPE_CHECKING left out)."""
    graph: dict[str, dict[str, Import]] = {}
    for imp in _internal(imports):
        if not imp.type_only and imp.target is not None:
            graph.setdefault(imp.importer, {}).setdefault(imp.target, imp)
    return graph


def _shortest_cycle(graph: Mapping[str, Mapping[str, Import]], start: str) -> list[str] | None:
    """The shortest cycle through start as [start, ..., start], by breadth-first search."""
    parent: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for following in sorted(graph.get(node, {})):
            if following == start:
                chain = [node]
                while chain[-1] != start:
                    chain.append(parent[chain[-1]])
                return [*reversed(chain), start]
            if following not in parent:
                parent[following] = node
                queue.append(following)
    return None


def _cycles(graph: Mapping[str, Mapping[str, Import]]) -> list[list[str]]:
    """The shortest cycle through each module that is on one, without repeats."""
    seen: set[tuple[str, ...]] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        cycle = _shortest_cycle(graph, start)
        if cycle is None:
            continue
        ring = cycle[:-1]
        first = ring.index(min(ring))
        canonical = (*ring[first:], *ring[:first])
        if canonical not in seen:
            seen.add(canonical)
            found.append([*canonical, canonical[0]])
    return found


def _format_cycle(cycle: list[str], graph: Mapping[str, Mapping[str, Import]]) -> str:
    steps = [
        f"    {a} -> {b}   ({graph[a][b].where}, {graph[a][b].context})"
        for a, b in itertools.pairwise(cycle)
    ]
    return " -> ".join(cycle) + "\n" + "\n".join(steps)


def test_no_import_cycles() -> None:
    graph = _graph(relbot().imports)
    cycles = _cycles(graph)
    assert not cycles, f"{len(cycles)} import cycle(s):\n" + "\n".join(
        _format_cycle(cycle, graph) for cycle in cycles
    )


# --- layers ----------------------------------------------------------------------------------


def _layer_label(module: str) -> str:
    _, name, listed = _layer(module)
    return name if listed else f"{name}, not in LAYERS"


def test_layer_table_is_consistent() -> None:
    names = [name for name, _ in LAYERS]
    members = [member for _, layer in LAYERS for member in layer]
    assert DEFAULT_LAYER in names
    assert len(set(names)) == len(names)
    assert len(set(members)) == len(members), "a top-level name is in two layers"


def _goes_up(imp: Import) -> bool:
    if imp.target is None or imp.importer in LAYER_EXEMPT or imp.target in LAYER_EXEMPT:
        return False
    return _layer(imp.target)[0] < _layer(imp.importer)[0]


def _by_statement(imports: list[Import]) -> dict[tuple[str, str, str, str], list[str]]:
    """(where, context, importer, imported module) -> the names that statement imports."""
    grouped: dict[tuple[str, str, str, str], list[str]] = {}
    for imp in imports:
        grouped.setdefault((imp.where, imp.context, imp.importer, imp.target or ""), []).append(imp.name)
    return grouped


def test_layers_only_import_downward() -> None:
    upward = _by_statement([imp for imp in _internal(relbot().imports) if _goes_up(imp)])
    unlisted = sorted({importer for _, _, importer, _ in upward if not _layer(importer)[2]})
    assert not upward, (
        f"{len(upward)} import statement(s) going up the layers {[name for name, _ in LAYERS]}:\n"
        + "\n".join(
            f"{importer} ({_layer_label(importer)}) -> {target} ({_layer_label(target)}) "
            f"at {where} [{context}]: {', '.join(names)}"
            for (where, context, importer, target), names in upward.items()
        )
        + f"\nimporters counted as {DEFAULT_LAYER!r} because LAYERS does not list them: {unlisted}"
    )


def test_forbidden_layer_pairs() -> None:
    found = [
        imp.describe()
        for imp in _internal(relbot().imports)
        if imp.target is not None and (_top_name(imp.importer), _top_name(imp.target)) in FORBIDDEN
    ]
    assert not found, f"forbidden by {sorted(FORBIDDEN)}:\n" + "\n".join(found)


def test_isolated_modules_import_nothing_from_relbot() -> None:
    found = [
        imp.describe()
        for imp in relbot().imports
        if _top_name(imp.importer) in ISOLATED and imp.name.split(".")[0] == PACKAGE_DIR.name
    ]
    assert not found, f"{sorted(ISOLATED)} must import nothing from relbot:\n" + "\n".join(found)


# --- owners of third-party I/O libraries -----------------------------------------------------


def test_io_libraries_are_imported_by_their_owners_only() -> None:
    found = [
        f"{imp.describe()} (owners: {sorted(OWNERS[library])})"
        for imp in relbot().imports
        if (library := imp.name.split(".")[0]) in OWNERS and imp.importer not in OWNERS[library]
    ]
    assert not found, f"{len(found)} import(s) of an I/O library outside its owner:\n" + "\n".join(found)


# --- function-level imports ------------------------------------------------------------------


def _function_level(imports: tuple[Import, ...]) -> list[Import]:
    return [imp for imp in imports if imp.in_function and not imp.type_only]


def test_function_level_imports_are_allow_listed() -> None:
    found = [
        f"{imp.describe()}  -> add ({imp.importer!r}, {imp.name!r}) with a reason, or move it up"
        for imp in _function_level(relbot().imports)
        if (imp.importer, imp.name) not in FUNCTION_LEVEL_IMPORTS
    ]
    assert not found, "function-level imports missing from FUNCTION_LEVEL_IMPORTS:\n" + "\n".join(found)


def test_function_level_allow_list_has_no_stale_entries() -> None:
    present = {(imp.importer, imp.name) for imp in _function_level(relbot().imports)}
    stale = sorted(set(FUNCTION_LEVEL_IMPORTS) - present)
    assert not stale, "FUNCTION_LEVEL_IMPORTS entries no longer in the code (remove them):\n" + "\n".join(
        map(repr, stale)
    )


# --- the scanner itself ----------------------------------------------------------------------


def test_scanner_resolves_packages_submodules_and_contexts(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("from . import leaf\n")
    (package / "sub" / "leaf.py").write_text("from .. import top\nfrom ..sub import thing\n")
    (package / "top.py").write_text(
        "from typing import TYPE_CHECKING\nimport pkg.sub\nfrom pkg.sub import leaf, Name\n"
        "if TYPE_CHECKING:\n    import git\nelse:\n    import json\n"
        "class C:\n    def f(self) -> None:\n        from github import Auth\n"
    )
    got = {(imp.importer, imp.name, imp.target, imp.context) for imp in scan(package).imports}
    assert got == {
        ("pkg.sub", "pkg.sub.leaf", "pkg.sub.leaf", "top-level"),
        ("pkg.sub.leaf", "pkg.top", "pkg.top", "top-level"),
        ("pkg.sub.leaf", "pkg.sub.thing", "pkg.sub", "top-level"),
        ("pkg.top", "typing.TYPE_CHECKING", None, "top-level"),
        ("pkg.top", "pkg.sub", "pkg.sub", "top-level"),
        ("pkg.top", "pkg.sub.leaf", "pkg.sub.leaf", "top-level"),
        ("pkg.top", "pkg.sub.Name", "pkg.sub", "top-level"),
        ("pkg.top", "git", None, "TYPE_CHECKING"),
        ("pkg.top", "json", None, "top-level"),
        ("pkg.top", "github.Auth", None, "function-level"),
    }


def test_scanner_finds_cycles_but_not_through_type_checking(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f() -> None:\n    from pkg import b\n")
    (package / "b.py").write_text(
        "import pkg.a\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.c\n"
    )
    (package / "c.py").write_text("import pkg.b\n")
    assert _cycles(_graph(scan(package).imports)) == [["pkg.a", "pkg.b", "pkg.a"]]
