"""First-call (JIT compilation) cost of skreg, cold and warm Numba cache.

Each measurement runs in a fresh Python process, so nothing compiled earlier in
this process can help:

- ``import skreg`` time;
- the first ``skreg.ElasticNet().fit`` on dense and sparse (CSC) data, in float64
  and float32, and the first ``lasso_path``, ``LassoCV().fit`` and
  ``ElasticNetCV().fit`` on wide dense data, with an **empty** ``NUMBA_CACHE_DIR``
  (a new temporary directory: everything is compiled), then again in another fresh
  process with **that same, now warm** cache directory (compiled code is loaded from
  disk);
- for comparison, skglm's first ``ElasticNet().fit`` in a fresh process (skglm's
  jitclasses are not cached on disk, so "warm" means nothing there: it is run
  twice to show the spread).

Usage::

    python benchmarks/compile_time.py [--markdown-section]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Code run in the child process: prints one JSON line of timings.
CHILD = r"""
import json, time
t0 = time.perf_counter()
import numpy as np, scipy.sparse as sp
t1 = time.perf_counter()
LIB = {lib!r}
KIND = {kind!r}
if LIB == "skreg":
    import skreg
    run = {{
        "fit": lambda X, y: skreg.ElasticNet(alpha=0.01, l1_ratio=0.5).fit(X, y),
        "lasso_path": lambda X, y: skreg.lasso_path(X, y, alphas=20),
        "LassoCV": lambda X, y: skreg.LassoCV(cv=3).fit(X, y),
        "ElasticNetCV": lambda X, y: skreg.ElasticNetCV(cv=3).fit(X, y),
    }}[KIND]
else:
    import skglm
    run = lambda X, y: skglm.ElasticNet(alpha=0.01, l1_ratio=0.5).fit(X, y)
t2 = time.perf_counter()
rng = np.random.default_rng(0)
X = rng.standard_normal(({n}, {p}))
y = X[:, :5].sum(axis=1) + rng.standard_normal({n})
if {sparse!r}:
    X = sp.random({n}, {p}, density=0.2, format="csc", random_state=0)
X = X.astype({dtype!r})
y = y.astype({dtype!r})
t3 = time.perf_counter()
run(X, y)
t4 = time.perf_counter()
run(X, y)
t5 = time.perf_counter()
print(json.dumps({{"import_numpy": t1 - t0, "import_lib": t2 - t1,
                  "first_fit": t4 - t3, "second_fit": t5 - t4}}))
"""

# (label, dtype, sparse, n_samples, n_features, call). "fit":
# ElasticNet(alpha=0.01, l1_ratio=0.5).fit; 50 features run the working-set solver,
# 10 features the one-call solver of small dense problems (skreg.solvers.cd._SMALL).
# On wide data (50 x 200): the first lasso_path(X, y, alphas=20) (the lasso homotopy),
# LassoCV(cv=3).fit (homotopy fold paths and refit), ElasticNetCV(cv=3).fit
# (l1_ratio=0.5: coordinate-descent fold paths and refit).
VARIANTS = [
    ("dense", "float64", False, 200, 50, "fit"),
    ("dense", "float32", False, 200, 50, "fit"),
    ("csc", "float64", True, 200, 50, "fit"),
    ("csc", "float32", True, 200, 50, "fit"),
    ("dense, 10 features", "float64", False, 200, 10, "fit"),
    ("dense 50 x 200, lasso_path", "float64", False, 50, 200, "lasso_path"),
    ("dense 50 x 200, LassoCV", "float64", False, 50, 200, "LassoCV"),
    ("dense 50 x 200, ElasticNetCV", "float64", False, 50, 200, "ElasticNetCV"),
]


def run_child(
    lib: str,
    dtype: str,
    sparse: bool,
    cache_dir: str,
    n: int = 200,
    p: int = 50,
    kind: str = "fit",
) -> dict:
    """Run one measurement in a fresh interpreter with the given Numba cache dir."""
    env = dict(os.environ)
    env["NUMBA_CACHE_DIR"] = cache_dir
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, [env.get("PYTHONPATH")])]
    )
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS"):
        env[var] = "1"
    code = CHILD.format(lib=lib, dtype=dtype, sparse=sparse, n=n, p=p, kind=kind)
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure() -> list[dict]:
    """All measurements: skreg cold/warm per variant, then skglm twice."""
    rows = []
    for layout, dtype, sparse, n, p, kind in VARIANTS:
        with tempfile.TemporaryDirectory(prefix="skreg-numba-cache-") as cache:
            for state in ("cold", "warm"):
                res = run_child("skreg", dtype, sparse, cache, n, p, kind)
                rows.append(
                    {"lib": "skreg", "layout": layout, "dtype": dtype, "cache": state}
                    | res
                )
                print(_line(rows[-1]), flush=True)
    with tempfile.TemporaryDirectory(prefix="skglm-numba-cache-") as cache:
        for state in ("run 1", "run 2"):
            res = run_child("skglm", "float64", False, cache)
            rows.append(
                {"lib": "skglm", "layout": "dense", "dtype": "float64", "cache": state}
                | res
            )
            print(_line(rows[-1]), flush=True)
    return rows


def _line(row: dict) -> str:
    head = f"{row['lib']:6s} {row['layout']:30s} {row['dtype']:7s} {row['cache']:5s}"
    if "error" in row:
        return f"{head}  ERROR {row['error']}"
    return (
        f"{head}  import {row['import_lib']:6.2f} s"
        f"  first fit {row['first_fit']:6.2f} s"
        f"  second fit {row['second_fit'] * 1e3:7.2f} ms"
    )


def markdown_section(rows: list[dict]) -> str:
    """The compile-time table for docs/benchmarks.md."""
    lines = [
        "## First-fit (compilation) time",
        "",
        "Fresh process each; `ElasticNet(alpha=0.01, l1_ratio=0.5).fit` on a "
        "200 x 50 problem (and 200 x 10, which takes the one-call solver of small "
        "dense problems); on a 50 x 200 problem, the first "
        "`lasso_path(X, y, alphas=20)`, `LassoCV(cv=3).fit` and "
        "`ElasticNetCV(cv=3).fit`. *cold*: empty `NUMBA_CACHE_DIR`, *warm*: the "
        "cache the cold run wrote. skglm (no on-disk cache) is shown for comparison.",
        "",
        "| library | data, call | dtype | cache | `import` | first call "
        "| second call |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if "error" in r:
            lines.append(
                f"| {r['lib']} | {r['layout']} | {r['dtype']} | {r['cache']} | "
                f"error: {r['error']} | | |"
            )
            continue
        lines.append(
            f"| {r['lib']} | {r['layout']} | {r['dtype']} | {r['cache']} | "
            f"{r['import_lib']:.2f} s | {r['first_fit']:.2f} s | "
            f"{r['second_fit'] * 1e3:.1f} ms |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    """Entry point of ``python benchmarks/compile_time.py``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--markdown-section", action="store_true", help="also print a markdown table"
    )
    args = parser.parse_args(argv)
    rows = measure()
    if args.markdown_section:
        print()
        print(markdown_section(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
