"""The reports package has no import cycle (issue 20: ``_render`` <-> ``_display``)."""

import ast
from pathlib import Path

import skreg.reports

PACKAGE = Path(skreg.reports.__file__).parent


def _module_imports(path: Path) -> set[str]:
    """skreg.reports modules imported anywhere in ``path`` (inside functions too)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "skreg.reports":
                out.update(f"skreg.reports.{a.name}" for a in node.names)
            elif node.module.startswith("skreg.reports."):
                out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(
                a.name for a in node.names if a.name.startswith("skreg.reports.")
            )
    return out


def test_no_import_cycle_among_report_modules():
    graph = {
        f"skreg.reports.{p.stem}": _module_imports(p) for p in PACKAGE.glob("_*.py")
    }
    state: dict[str, int] = {}

    def visit(node, trail):
        if state.get(node) == 1:
            raise AssertionError(" -> ".join([*trail, node]))
        if state.get(node) == 2 or node not in graph:
            return
        state[node] = 1
        for nxt in graph[node]:
            visit(nxt, [*trail, node])
        state[node] = 2

    for node in graph:
        visit(node, [])
    assert "skreg.reports._display" not in graph["skreg.reports._render"]
