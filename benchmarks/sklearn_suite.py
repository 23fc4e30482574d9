"""Run scikit-learn's own coordinate-descent tests on skreg's estimators.

The installed scikit-learn's ``sklearn/linear_model/tests/test_coordinate_descent.py``
and ``test_sparse_coordinate_descent.py`` are copied into a temporary directory, and
``ElasticNet``, ``ElasticNetCV``, ``Lasso``, ``LassoCV``, ``enet_path`` and
``lasso_path`` are rebound to skreg's right after scikit-learn's imports (one line
inserted after the module's leading import block, so that module-level
``parametrize`` lists already hold skreg's classes). A generated ``conftest.py``
provides scikit-learn's ``global_random_seed`` fixture (one seed, ``SEED``, as
scikit-learn's conftest does without ``SKLEARN_TESTS_GLOBAL_RANDOM_SEED``), deselects
the tests of :data:`EXCLUDED` and records every outcome. pytest runs in a subprocess
with scikit-learn's default warning filters (warnings are not errors).

Usage::

    python benchmarks/sklearn_suite.py [-v] [-k EXPR]

prints the counts and each failing test with the last line of its error; the pytest
entry is ``tests/linear_model/test_sklearn_suite.py``.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

FILES = ("test_coordinate_descent.py", "test_sparse_coordinate_descent.py")
REBOUND = ("ElasticNet", "ElasticNetCV", "Lasso", "LassoCV", "enet_path", "lasso_path")
SEED = 42

# The only tests not run: they test scikit-learn's private internals or estimators
# skreg does not provide. Test function name -> reason (every parametrisation).
EXCLUDED = {
    "test_set_order_dense": "scikit-learn's private _set_order helper",
    "test_set_order_sparse": "scikit-learn's private _set_order helper",
    "test_cython_solver_equivalence": "calls scikit-learn's private _cd_fast kernels",
    "test_lassoCV_does_not_set_precompute": (
        "monkeypatches scikit-learn's private _coordinate_descent module"
    ),
    "test_path_function_deprecated_n_alphas": (
        "the deprecated n_alphas parameter and alphas=None warning texts"
    ),
    "test_multi_task_lasso_vs_skglm": "MultiTask* estimators only (not in skreg)",
    "test_multi_task_lasso_and_enet": "MultiTask* estimators only (not in skreg)",
    "test_multi_task_lasso_readonly_data": "MultiTask* estimators only (not in skreg)",
    "test_multitask_enet_and_lasso_cv": "MultiTask* estimators only (not in skreg)",
    "test_warm_start_multitask_lasso": "MultiTask* estimators only (not in skreg)",
    "test_convergence_warnings": "MultiTask* estimators only (not in skreg)",
    "test_multi_task_lasso_cv_dtype": "MultiTask* estimators only (not in skreg)",
    # These compare coef_ to 7 decimals with scikit-learn's MultiTask*CV, whose
    # refit stops at tol=1e-4: measured 1.1e-4 from the optimum (skreg's: 3e-11).
    "test_1d_multioutput_enet_and_multitask_enet_cv": (
        "reference is a MultiTask* estimator's inexact solution (not in skreg)"
    ),
    "test_1d_multioutput_lasso_and_multitask_lasso_cv": (
        "reference is a MultiTask* estimator's inexact solution (not in skreg)"
    ),
}

# Tests that still fail at this commit, by cause; the pytest entry fails on any other
# failure. Empty this as the causes are fixed.
PENDING = {
    "test_lasso_dual_gap": (
        "compares dual_gap_ with the test's own float64 recomputation at rtol 1e-7 "
        "and atol 0: skreg's homotopy lands on the exact optimum (10 x 30 lasso), "
        "where both gaps are rounding noise (measured 2.6e-15 and 2.1e-15 for a "
        "primal of 0.2); scikit-learn passes because it stops 5.9e-4 from the "
        "optimum. Only an inexact solution could pass"
    ),
}


_CONFTEST = """
import json
import os

import pytest

_EXCLUDED = set(json.loads(os.environ["SKREG_SUITE_EXCLUDED"]))
_OUT = os.environ["SKREG_SUITE_OUT"]
# "i/n": this process runs every n-th test from the i-th (the others run in the
# other processes of the same run).
_SHARD = os.environ.get("SKREG_SUITE_SHARD")
_RESULTS = {}


@pytest.fixture(params=[int(os.environ["SKREG_SUITE_SEED"])])
def global_random_seed(request):
    return request.param


def pytest_collection_modifyitems(config, items):
    kept, dropped = [], []
    for item in items:
        name = getattr(item, "originalname", None) or item.name
        (dropped if name in _EXCLUDED else kept).append(item)
    for item in dropped:
        _RESULTS[item.nodeid] = ["excluded", ""]
    if _SHARD:
        i, n = map(int, _SHARD.split("/"))
        dropped = dropped + [x for k, x in enumerate(kept) if k % n != i]
        kept = [x for k, x in enumerate(kept) if k % n == i]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_runtest_logreport(report):
    if report.when == "call" or report.outcome != "passed":
        message = ""
        if report.outcome == "failed":
            lines = str(report.longrepr).strip().splitlines()
            errors = [x for x in lines if x.startswith("E ")] or lines[-1:]
            message = errors[0][:300]
        prev = _RESULTS.get(report.nodeid)
        if prev is None or prev[0] == "passed":
            _RESULTS[report.nodeid] = [report.outcome, message]


def pytest_sessionfinish(session, exitstatus):
    with open(_OUT, "w") as f:
        json.dump(_RESULTS, f, indent=0)
"""


def _rebind(source: str) -> str:
    """Insert skreg's six names after the module's leading import block."""
    tree = ast.parse(source)
    end = 0
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            end = node.end_lineno
        elif end and not isinstance(node, ast.Expr):
            break
    names = ", ".join(REBOUND)
    lines = source.splitlines(keepends=True)
    line = f"from skreg import {names}  # noqa: E402,F811 (rebound by skreg)\n"
    return "".join(lines[:end] + [line] + lines[end:])


def run(extra_args=(), verbose=False, excluded=None, jobs=1) -> dict:
    """Copy, rebind and run the two files; return ``{nodeid: [outcome, message]}``.

    ``jobs`` processes run every ``jobs``-th test each, at once (each records
    the excluded tests).
    """
    import sklearn

    src = Path(sklearn.__file__).parent / "linear_model" / "tests"
    with tempfile.TemporaryDirectory(prefix="skreg_sklearn_suite_") as tmp:
        tmp = Path(tmp)
        for name in FILES:
            (tmp / name).write_text(_rebind((src / name).read_text()))
        (tmp / "conftest.py").write_text(_CONFTEST)
        (tmp / "pytest.ini").write_text("[pytest]\n")
        env = dict(os.environ)
        env.update(
            SKREG_SUITE_EXCLUDED=json.dumps(
                sorted(EXCLUDED if excluded is None else excluded)
            ),
            SKREG_SUITE_SEED=str(SEED),
        )
        env.setdefault("MPLBACKEND", "Agg")
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q" if not verbose else "-v",
            "--tb=line",
            "-W",
            "ignore::DeprecationWarning",
            *FILES,
            *extra_args,
        ]
        procs, outs = [], []
        for i in range(jobs):
            out = tmp / f"results_{i}.json"
            shard = {"SKREG_SUITE_SHARD": f"{i}/{jobs}"} if jobs > 1 else {}
            procs.append(
                subprocess.Popen(
                    cmd,
                    cwd=tmp,
                    env={**env, "SKREG_SUITE_OUT": str(out), **shard},
                    stdout=None if verbose else subprocess.DEVNULL,
                )
            )
            outs.append(out)
        for proc in procs:
            proc.wait()
        results = {}
        for out in outs:
            for nodeid, outcome in json.loads(out.read_text()).items():
                if outcome[0] != "excluded" or nodeid not in results:
                    results[nodeid] = outcome
        return results


def summary(results: dict) -> Counter:
    """Count outcomes (passed, failed, skipped, excluded)."""
    return Counter(outcome for outcome, _ in results.values())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("-k", default=None, help="pytest -k expression")
    parser.add_argument(
        "--no-exclusions", action="store_true", help="run the excluded tests too"
    )
    parser.add_argument(
        "--jobs", type=int, default=1, help="processes running the tests at once"
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    results = run(
        ["-k", args.k] if args.k else [],
        verbose=args.verbose,
        excluded={} if args.no_exclusions else None,
        jobs=args.jobs,
    )
    elapsed = time.perf_counter() - start
    for nodeid, (outcome, message) in sorted(results.items()):
        if outcome == "failed":
            print(f"FAILED {nodeid}\n    {message}")
    counts = summary(results)
    print(
        ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
        + f" of {len(results)} in {elapsed:.0f} s"
    )
    return 1 if counts.get("failed") else 0


if __name__ == "__main__":
    sys.exit(main())
