"""House rules that keep the layers apart, read from the source with ast.

The contract (docs/design.md, STYLE.md):
- `model/` imports nothing of ours outside `model/`, and no I/O library;
- `i3/` and `dbus/` import `model/` (and the standard library and third parties),
  never each other nor the capabilities and the service;
- `cli/` reaches nothing of ours but `cli/`, `model/`, `dbus/names.py`, `busaddress.py`,
  `config.py` (the files, for edit and validate) and the package's `__version__`, not
  even through another module;
- no import cycle in src/ or bench/, counting imports inside functions.
Importing one's own package (its `__init__`) is not an edge.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "src" / "i3project_dbus"
OURS = "i3project_dbus"

Graph = dict[str, set[str]]

# Libraries that do I/O: the model must be testable without any of them.
IO_LIBRARIES = frozenset({
    "os", "io", "pathlib", "shutil", "tempfile", "time", "socket", "_socket", "ssl", "select",
    "selectors", "asyncio", "subprocess", "signal", "threading", "multiprocessing",
    "dbus_fast", "dbus_next", "jeepney", "i3ipc", "rich", "Xlib",
})  # fmt: skip

# What each layer may import of ours (a module, or a package and everything under it).
MAY_IMPORT: Mapping[str, tuple[str, ...]] = {
    f"{OURS}.model": (f"{OURS}.model",),
    f"{OURS}.i3": (f"{OURS}.i3", f"{OURS}.model"),
    # The D-Bus layer calls the service through its one door, the manager facade; never
    # a capability module or the i3 adapter.
    f"{OURS}.dbus": (f"{OURS}.dbus", f"{OURS}.model", f"{OURS}.manager"),
    # The package's own __init__ (its __version__) is implied: see breaches(). `config`
    # is the file layer (no bus, no i3): `validate` and `edit` read the project files
    # with the service's own loader, so the two cannot disagree, and write them with its
    # atomic writer, as `diagnose --output` and `selftest -o` do their reports.
    f"{OURS}.cli": (
        f"{OURS}.cli",
        f"{OURS}.model",
        f"{OURS}.dbus.names",
        f"{OURS}.busaddress",
        f"{OURS}.config",
    ),
}

# Known breaches, each named with the module it may reach for now; the test fails when
# one is no longer needed, so the list cannot go stale. None since the core reshape.
EXCLUDED: Mapping[str, frozenset[str]] = {}


# -- reading the imports --------------------------------------------------------------


def module_files(roots: Mapping[Path, Path]) -> dict[str, Path]:
    """Every module under each root by dotted name (a package by its __init__);
    `roots` maps a package directory to the directory its names count from."""
    found: dict[str, Path] = {}
    for package, base in roots.items():
        for path in sorted(package.rglob("*.py")):
            parts = path.relative_to(base).with_suffix("").parts
            if any(part.startswith(".") for part in parts):
                continue  # a venv inside the tree (bench/.venv-peer): not our code
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def imported_names(module: str, path: Path) -> Iterator[str]:
    """Every dotted name the module imports, anywhere (inside functions and
    TYPE_CHECKING blocks too), relative imports resolved. `from X import y` gives X and
    X.y, since y may be a submodule."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            yield target
            yield from (f"{target}.{alias.name}" for alias in node.names)


def _known(name: str, modules: Collection[str]) -> str | None:
    """The longest prefix of a dotted name that is one of `modules`."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def _ancestors(module: str) -> set[str]:
    parts = module.split(".")
    return {".".join(parts[:end]) for end in range(1, len(parts))}


def import_graph(files: Mapping[str, Path]) -> Graph:
    """module -> the modules of `files` it imports. Importing a module runs its parent
    packages too, so they count, except the importer's own packages."""
    graph: Graph = {}
    for module, path in files.items():
        own = _ancestors(module) | {module}
        edges: set[str] = set()
        for name in imported_names(module, path):
            target = _known(name, files)
            if target is not None:
                edges |= {t for t in {target} | _ancestors(target) if t in files} - own
        graph[module] = edges
    return graph


def cycles(graph: Mapping[str, Collection[str]]) -> list[list[str]]:
    """The strongly connected components with a cycle (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in graph.get(node, ()):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def reachable(graph: Mapping[str, Collection[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for succ in graph.get(todo.pop(), ()):
            if succ not in seen:
                seen.add(succ)
                todo.append(succ)
    return seen


def breaches(graph: Mapping[str, Collection[str]]) -> dict[str, set[str]]:
    """Per module, what it imports of ours beyond what its layer may (transitively for
    the CLI, whose closure must stay small)."""
    found: dict[str, set[str]] = {}
    for module in sorted(graph):
        layer = _known(module, MAY_IMPORT)
        if layer is None:
            continue
        allowed = MAY_IMPORT[layer]
        # Importing an allowed module runs its packages' __init__ too; what those import
        # is followed like any other edge.
        implied = set().union(*(_ancestors(a) for a in allowed))
        targets = reachable(graph, module) if layer == f"{OURS}.cli" else set(graph[module])
        bad = {t for t in targets - implied if _known(t, allowed) is None}
        if bad:
            found[module] = bad
    return found


@pytest.fixture(scope="module")
def graph() -> Graph:
    return import_graph(module_files({PKG: PKG.parent, ROOT / "bench": ROOT}))


# -- the contract ---------------------------------------------------------------------


def test_no_import_cycle_in_src_or_bench(graph: Graph) -> None:
    assert f"{OURS}.cli.commands" in graph and "bench.env" in graph
    assert cycles(graph) == []


def test_each_layer_imports_only_what_it_may(graph: Graph) -> None:
    found = breaches(graph)
    unexpected = {m: bad - EXCLUDED.get(m, frozenset()) for m, bad in found.items()}
    assert {m: bad for m, bad in unexpected.items() if bad} == {}
    stale = {m: set(allowed) - found.get(m, set()) for m, allowed in EXCLUDED.items()}
    assert {m: s for m, s in stale.items() if s} == {}, "remove these from EXCLUDED"


def test_model_uses_no_io_library() -> None:
    for module, path in module_files({PKG / "model": PKG.parent}).items():
        roots = {name.split(".")[0] for name in imported_names(module, path)}
        assert not roots & IO_LIBRARIES, f"{module} imports {roots & IO_LIBRARIES}"


# -- the checker itself ---------------------------------------------------------------


def test_the_checker_finds_cycles_and_only_cycles() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"a"}, "b": set()}) == [["a"]]
    assert cycles({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []
    two = cycles({"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"c", "a"}})
    assert two == [["a", "b"], ["c", "d"]]


def test_the_checker_reads_relative_and_function_level_imports(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from .sub import b\n")  # its own package: no edge back
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .sub import b\n")
    (pkg / "sub" / "b.py").write_text("def f():\n    from .. import a\n    from . import c\n")
    (pkg / "sub" / "c.py").write_text("import pkg.sub\n")
    graph = import_graph(module_files({pkg: tmp_path}))
    assert graph["pkg.a"] == {"pkg.sub", "pkg.sub.b"}
    assert graph["pkg.sub.b"] == {"pkg.a", "pkg.sub.c"}
    assert graph["pkg.sub.c"] == set()
    assert cycles(graph) == [["pkg.a", "pkg.sub.b"]]


def test_the_checker_flags_a_cli_module_that_reaches_i3() -> None:
    graph = {f"{OURS}.cli.x": {f"{OURS}.model.y"}, f"{OURS}.model.y": {f"{OURS}.i3.z"},
             f"{OURS}.model.z": set(), f"{OURS}.i3.z": set()}  # fmt: skip
    assert breaches(graph) == {
        f"{OURS}.cli.x": {f"{OURS}.i3.z"},
        f"{OURS}.model.y": {f"{OURS}.i3.z"},
    }


# -- rich stays in the CLI ------------------------------------------------------------


def test_only_the_cli_imports_rich() -> None:
    for module, path in module_files({PKG: PKG.parent}).items():
        if module.startswith(f"{OURS}.cli"):
            continue
        roots = {name.split(".")[0] for name in imported_names(module, path)}
        assert "rich" not in roots, module


def test_service_start_does_not_load_rich() -> None:
    code = "import sys, i3project_dbus.service; print('rich' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
