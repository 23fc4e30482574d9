"""Installs and compilation (issue 8), each in fresh Python subprocesses.

- A read-only install: the package directory cannot be written, so Numba's cache
  falls back to the user cache directory (``$XDG_CACHE_HOME/numba``); and when
  nothing is writable, ``skreg._jit.jit`` compiles without the cache and warns once.
  Nothing is ever written into the package directory.
- A cold cache hit by several processes at once: two processes, each running a
  ``GridSearchCV`` with ``n_jobs=2`` (four processes compiling into one fresh
  ``NUMBA_CACHE_DIR``), twice; then a third process loads every kernel it uses from
  that cache (no miss) and gets the same results.
- ``NUMBA_DISABLE_JIT=1`` runs the kernels as plain Python with the same results
  (``.ci/run`` also runs a small subset of the suite that way).

The package tested is the one this suite imports, copied. Permission bits do not bind
root, so as root the subprocesses run under ``setpriv --bounding-set=-all`` (no
capabilities); each test first checks that the directories really are read-only.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import skreg

PACKAGE = Path(skreg.__file__).resolve().parent

# The fits compared across processes: dense and CSC, float64 and float32, with and
# without weights. Printed as JSON (a coefficient list per fit, then the intercept).
FITS = """
import json, sys, warnings
import numpy as np, scipy.sparse as sp
import skreg

def run():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 12))
    X[:, ::3] += 2.0
    y = X[:, :3] @ [1.5, -2.0, 1.0] + 0.1 * rng.standard_normal(40)
    sw = rng.integers(1, 4, 40).astype(float)
    out = {}
    for dtype in ("float64", "float32"):
        for storage in ("dense", "csc"):
            Xd = X.astype(dtype)
            Xs = sp.csc_matrix(Xd) if storage == "csc" else Xd
            for name, est in (
                ("lasso", skreg.Lasso(alpha=0.05)),
                ("enet", skreg.ElasticNet(alpha=0.05, l1_ratio=0.5)),
            ):
                for weighted in (False, True):
                    est.fit(Xs, y.astype(dtype), sample_weight=sw if weighted else None)
                    key = f"{name}-{dtype}-{storage}-{'w' if weighted else 'u'}"
                    out[key] = [float(v) for v in est.coef_] + [float(est.intercept_)]
    return out
"""

# Counts Numba's cache hits and misses over skreg's kernels (run after the fits).
CACHE_STATS = """
import importlib, pkgutil
import numba
import skreg._kernels

def cache_stats():
    hits = misses = 0
    for info in pkgutil.iter_modules(skreg._kernels.__path__):
        module = importlib.import_module(f"skreg._kernels.{info.name}")
        for obj in vars(module).values():
            if isinstance(obj, numba.core.dispatcher.Dispatcher):
                hits += sum(obj.stats.cache_hits.values())
                misses += sum(obj.stats.cache_misses.values())
    return {"hits": hits, "misses": misses}
"""

MAIN = """
print(json.dumps({"fits": run(), "file": skreg.__file__, "cache": cache_stats()}))
"""

GRID = """
import json
import numpy as np
from sklearn.model_selection import GridSearchCV
import skreg

rng = np.random.default_rng(1)
X = rng.standard_normal((60, 15))
y = X[:, :4] @ [1.0, -1.0, 2.0, 0.5] + 0.3 * rng.standard_normal(60)
grid = {"alpha": [0.01, 0.2], "l1_ratio": [0.5, 1.0]}
search = GridSearchCV(skreg.ElasticNet(), grid, cv=2, n_jobs=N_JOBS).fit(X, y)
out = {
    "best": search.best_params_,
    "scores": search.cv_results_["mean_test_score"].tolist(),
    "coef": search.best_estimator_.coef_.tolist(),
}
"""


def _drop_privileges() -> list[str]:
    """A command prefix under which permission bits bind (root: no capabilities)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permission bits do not bind")
    return [setpriv, "--bounding-set=-all", "--"]


def _env(**overrides) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NUMBA_", "PYTHON", "HYPOTHESIS"))
    }
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def _python(code: str, env: dict, cwd: Path, prefix=()) -> subprocess.Popen:
    return subprocess.Popen(
        [*prefix, sys.executable, "-c", code],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(proc: subprocess.Popen, timeout: float = 300) -> tuple[dict, str]:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err[-4000:]
    return json.loads(out.strip().splitlines()[-1]), err


def _run(code, env, cwd, prefix=()):
    return _finish(_python(code, env, cwd, prefix))


def _copy_package(dest: Path) -> Path:
    """A copy of the tested package under ``dest/site`` (no bytecode, no caches)."""
    site = dest / "site"
    shutil.copytree(
        PACKAGE, site / "skreg", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    return site


def _tree(root: Path) -> dict:
    """Every path under ``root`` with its size and modification time."""
    out = {}
    for path in sorted(root.rglob("*")):
        st = path.lstat()
        out[str(path.relative_to(root))] = (st.st_size, st.st_mtime_ns)
    return out


def _read_only(*roots: Path) -> None:
    for root in roots:
        for path in [root, *root.rglob("*")]:
            mode = path.lstat().st_mode
            path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def _writable(*roots: Path) -> None:
    for root in roots:
        for path in [root, *root.rglob("*")]:
            path.chmod(path.lstat().st_mode | stat.S_IWUSR)


def _in_process() -> dict:
    namespace: dict = {}
    exec(FITS, namespace)
    return namespace["run"]()


def _assert_same_fits(got: dict, expected: dict, rtol64=1e-12, rtol32=1e-5) -> None:
    assert got.keys() == expected.keys()
    for key, values in expected.items():
        ref = np.asarray(values)
        rtol = rtol32 if "float32" in key else rtol64
        scale = np.abs(ref).max()
        np.testing.assert_allclose(
            got[key], ref, rtol=0, atol=rtol * scale, err_msg=key
        )


@pytest.fixture(scope="module")
def expected() -> dict:
    return _in_process()


@pytest.fixture
def sandbox(tmp_path):
    """``tmp_path``, made writable again at teardown (so pytest can remove it)."""
    yield tmp_path
    _writable(tmp_path)


def test_read_only_package_caches_in_the_user_cache_dir(sandbox, expected):
    """Package read-only, home writable: Numba caches under ``$XDG_CACHE_HOME``; a
    second process loads from there; nothing is written into the package."""
    site = _copy_package(sandbox)
    home, xdg = sandbox / "home", sandbox / "xdg"
    home.mkdir()
    xdg.mkdir()
    _read_only(site)
    before = _tree(site)
    prefix = _drop_privileges()
    env = _env(PYTHONPATH=site, HOME=home, XDG_CACHE_HOME=xdg)
    probe = "open(__import__('sys').argv[-1] + '/probe', 'w')"
    proc = subprocess.run(
        [*prefix, sys.executable, "-c", probe, str(site / "skreg")],
        env=env,
        capture_output=True,
    )
    assert proc.returncode != 0, "the package directory is writable: test is void"

    code = FITS + CACHE_STATS + MAIN
    first, err = _run(code, env, sandbox, prefix)
    assert first["file"].startswith(str(site)), first["file"]
    _assert_same_fits(first["fits"], expected)
    assert first["cache"]["misses"] > 0 and "no writable cache" not in err
    cached = list((xdg / "numba").rglob("*.nbi"))
    assert cached, "Numba did not fall back to the user cache directory"

    second, _ = _run(code, env, sandbox, prefix)
    assert second["fits"] == first["fits"]
    # Every kernel loaded (callees compiled into a loaded caller are not counted).
    assert second["cache"]["misses"] == 0 and second["cache"]["hits"] > 0
    assert _tree(site) == before


def test_nothing_writable_runs_uncached(sandbox, expected):
    """Package, home and ``XDG_CACHE_HOME`` read-only, no ``NUMBA_CACHE_DIR``: Numba
    refuses ``cache=True`` at import; skreg compiles uncached, warns once, works."""
    site = _copy_package(sandbox)
    home, xdg = sandbox / "home", sandbox / "xdg"
    home.mkdir()
    xdg.mkdir()
    _read_only(sandbox)
    before = _tree(sandbox)
    env = _env(PYTHONPATH=site, HOME=home, XDG_CACHE_HOME=xdg)
    code = FITS + CACHE_STATS + MAIN
    result, err = _run(code, env, sandbox, _drop_privileges())
    _assert_same_fits(result["fits"], expected)
    assert result["cache"]["hits"] == 0
    assert err.count("Numba found no writable cache directory") == 1, err
    assert _tree(sandbox) == before


@pytest.mark.slow
def test_cold_cache_shared_by_concurrent_processes(tmp_path):
    """A fresh ``NUMBA_CACHE_DIR`` filled by the two workers of a
    ``GridSearchCV(n_jobs=2)`` compiling at once, beside a second such process (its
    workers race the first's for the same cache files); a last process loads every
    kernel it runs from the cache, with the same results."""
    cache = tmp_path / "numba-cache"
    cache.mkdir()
    env = _env(NUMBA_CACHE_DIR=cache, PYTHONPATH=PACKAGE.parent)
    parallel = GRID.replace("N_JOBS", "2") + "print(json.dumps(out))"
    procs = [_python(parallel, env, tmp_path) for _ in range(2)]
    results = [_finish(p)[0] for p in procs]
    assert all(r == results[0] for r in results[1:])
    assert list(cache.rglob("*.nbi")) and list(cache.rglob("*.nbc"))
    assert not [p for p in cache.rglob("*") if p.is_file() and p.suffix not in
                (".nbi", ".nbc")], "temporary files left in the cache"  # fmt: skip

    serial = (
        GRID.replace("N_JOBS", "None")
        + CACHE_STATS
        + ("out['cache'] = cache_stats(); print(json.dumps(out))")
    )
    third, _ = _run(serial, env, tmp_path)
    stats = third.pop("cache")
    assert stats["misses"] == 0 and stats["hits"] > 0, stats
    assert third == results[0]


@pytest.mark.slow
def test_numba_disable_jit_gives_the_same_fits(tmp_path, expected):
    """The kernels run as plain Python under ``NUMBA_DISABLE_JIT=1`` (debuggable,
    measured by coverage) and give the compiled results: to 1e-12 relative in
    float64; in float32 to a few float32 roundings (the compiled sums are
    reassociated)."""
    env = _env(NUMBA_DISABLE_JIT=1, PYTHONPATH=PACKAGE.parent)
    code = FITS + "print(json.dumps(run()))"
    result, _ = _run(code, env, tmp_path)
    _assert_same_fits(result, expected, rtol64=1e-12, rtol32=2e-5)
    check = "import numba, skreg._kernels.prox as p; print(json.dumps(" + (
        "not isinstance(p.soft_threshold, numba.core.dispatcher.Dispatcher)))"
    )
    assert _run("import json\n" + check, env, tmp_path)[0] is True
