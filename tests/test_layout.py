"""The package's import graph: no cycle, and the layers import downwards only.

Issue 20: the reports had a cycle (``_render`` <-> ``_display``) and the environment
section imported the whole package for its version. Imports inside functions count
too: a lazy import still ties the two modules together.
"""

import ast
from pathlib import Path

import skreg

ROOT = Path(skreg.__file__).parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in ROOT.rglob("*.py")}


def _skreg_imports(path: Path) -> set[str]:
    """skreg modules imported anywhere in ``path`` (inside functions too).

    ``from skreg.a import b`` names the module ``skreg.a.b`` when there is one, else
    ``skreg.a``.
    """
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "skreg":
                continue
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                out.add(full if full in MODULES else node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == "skreg")
    return out


GRAPH = {name: _skreg_imports(path) for name, path in MODULES.items()}


def _find_cycle(graph) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current trail, 2: done

    def visit(node, trail):
        if state.get(node) == 1:
            return [*trail[trail.index(node) :], node]
        if state.get(node) == 2 or node not in graph:
            return None
        state[node] = 1
        for nxt in sorted(graph[node]):
            found = visit(nxt, [*trail, node])
            if found:
                return found
        state[node] = 2
        return None

    for node in sorted(graph):
        found = visit(node, [])
        if found:
            return found
    return None


def test_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _find_cycle(graph) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_in_the_package():
    assert len(GRAPH) > 40  # every module was found
    cycle = _find_cycle(GRAPH)
    assert cycle is None, " -> ".join(cycle)
    assert "skreg.reports._display" not in GRAPH["skreg.reports._render"]


def test_kernels_import_only_kernels():
    """Kernels (njit only) sit at the bottom: ``_jit`` and other kernels at most."""
    for name, imports in GRAPH.items():
        if name.startswith("skreg._kernels"):
            bad = {
                m for m in imports if not m.startswith(("skreg._kernels", "skreg._jit"))
            }
            assert not bad, (name, bad)


def test_nothing_imports_the_top_level_entry_points():
    """The package root, the CLI and the test-only estimator discovery sit on top.

    ``skreg.utils.discovery`` imports the root (it lists ``skreg.__all__``), which is
    why no module of the package may import it.
    """
    top = {"skreg", "skreg.cli", "skreg.__main__", "skreg.utils.discovery"}
    for name, imports in GRAPH.items():
        if name in top:
            continue
        assert not imports & top, (name, imports & top)
