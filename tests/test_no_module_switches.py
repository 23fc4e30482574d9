"""No test reaches a branch by rewriting a module's constant or capability check.

Issue 20: tests that monkeypatch a module switch (``cd._TALL = 0``,
``cv.CV_FLOOR = 0``, ``cli._have_pandas = lambda: False``) depend on state passed out
of band: the code under test reads a global the test rewrote, and nothing in its
signature says so. Such settings are arguments instead (``solve_cd(...,
tuning=replace(DEFAULT_TUNING, ...))``, ``_cv_mse_path(..., floor=0.0)``), and an
absent optional dependency is simulated as a user has it (the ``without_pandas``
fixture). Spies that wrap a function to count or fail its calls stay allowed.

This test fails on any ``setattr`` / ``delattr`` (``monkeypatch``, ``mock.patch``,
``mock.patch.object``, the builtins) or plain assignment in ``tests/`` whose target
attribute is UPPER_CASE (a constant, leading underscores allowed) or a ``_have_*``
function. ``python tests/test_no_module_switches.py`` lists them.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

TESTS = Path(__file__).parent
SWITCH = re.compile(r"^(_*[A-Z][A-Z0-9_]*|_have_\w+)$")
# Calls whose first argument is the object and second the attribute name
# (``monkeypatch.setattr(mod, "NAME", v)``, ``mock.patch.object(mod, "NAME")``) or
# whose first argument is a dotted path (``monkeypatch.setattr("pkg.mod.NAME", v)``,
# ``mock.patch("pkg.mod.NAME")``).
PATCHERS = {"setattr", "delattr", "object", "patch"}


def _callee(func) -> str | None:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _patched_names(call: ast.Call):
    """Yield the attribute names a patching call rewrites."""
    name = _callee(call.func)
    if name not in PATCHERS or not call.args:
        return
    first = call.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        # A dotted path: the attribute is its last component.
        if "." in first.value:
            yield first.value.rsplit(".", 1)[1]
        return
    if name != "patch" and len(call.args) >= 2:
        second = call.args[1]
        if isinstance(second, ast.Constant) and isinstance(second.value, str):
            yield second.value


def _assigned_names(node: ast.Assign | ast.AugAssign | ast.AnnAssign):
    """Yield ``attr`` of ``module.attr = ...`` targets (not ``self.X``, ``cls.X``)."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    for target in targets:
        for t in ast.walk(target):
            if (
                isinstance(t, ast.Attribute)
                and isinstance(t.value, ast.Name)
                and t.value.id not in ("self", "cls")
            ):
                yield t.attr


def module_switches(source: str):
    """Yield ``(line, name)`` for each rewrite of a switch in ``source``."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            names = _patched_names(node)
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            names = _assigned_names(node)
        else:
            continue
        for name in names:
            if SWITCH.match(name):
                yield node.lineno, name


def _all_switches():
    for path in sorted(TESTS.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for line, name in module_switches(source):
            yield f"{path.relative_to(TESTS).as_posix()}:{line}", name


def test_no_test_rewrites_a_module_switch():
    found = list(_all_switches())
    assert not found, found


def test_the_scan_finds_switches_and_spares_spies():
    switches = """
monkeypatch.setattr(cd, "_TALL", 0)
monkeypatch.setattr(cv_module, "CV_FLOOR", 0.0)
monkeypatch.setattr(cli, "_have_pandas", lambda: False)
monkeypatch.setattr("skreg.solvers.cd._TARGET_MAX", 7)
monkeypatch.delattr(training, "_TRAIN_CURVE_ROWS")
with mock.patch.object(homotopy, "_START_CAPACITY", 2):
    pass
with mock.patch("skreg._path._PREDICT", False):
    pass
setattr(cd, "_LARGE_WS", 0.0)
cd._TARGET_MIN_SIZE = 0
"""
    assert [name for _, name in sorted(module_switches(switches))] == [
        "_TALL",
        "CV_FLOOR",
        "_have_pandas",
        "_TARGET_MAX",
        "_TRAIN_CURVE_ROWS",
        "_START_CAPACITY",
        "_PREDICT",
        "_LARGE_WS",
        "_TARGET_MIN_SIZE",
    ]
    spies = """
monkeypatch.setattr(cd, "_inner_loop", spy)
monkeypatch.setattr(QuadraticData, "gram", counting)
monkeypatch.setattr(os, "replace", replace)
monkeypatch.setattr(path_module, "LassoHomotopy", factory)
monkeypatch.setitem(sys.modules, "matplotlib", None)
monkeypatch.setenv("SKREG_DEBUG", "1")
with mock.patch.object(homotopy.LassoHomotopy, "start", start):
    pass
self.X = X
"""
    assert list(module_switches(spies)) == []


if __name__ == "__main__":
    for where, name in _all_switches():
        print(f"{where}  {name}")
