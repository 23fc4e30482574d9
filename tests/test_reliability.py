"""Reliability under faults the rest of the suite misses (issue 26).

- Non-canonical sparse input (duplicate entries) fits as its canonical form and is
  never modified.
- A damaged or full Numba cache never fails a fit (subprocesses with their own
  ``NUMBA_CACHE_DIR``).
- Data whose squares underflow is never taken for zero data; targets on a tiny scale
  get a proper cross-validation grid.
- Invalid path parameters are ``ValueError``s naming the parameter.
- The one-call dense solver runs in resumable chunks and stops on Ctrl-C.
- A weighted dense fit makes one copy of ``X`` (peak RSS of a subprocess).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp

from skreg import ElasticNetCV, Lasso, LassoCV, enet_path
from skreg.linear_model import alpha_grid


def _duplicated(X_dense, fmt, seed=0):
    """``X_dense`` in ``fmt`` with every stored entry split into two duplicates."""
    rng = np.random.default_rng(seed)
    coo = sp.coo_matrix(X_dense)
    share = rng.uniform(0.2, 0.8, size=coo.nnz)
    rows = np.concatenate([coo.row, coo.row])
    cols = np.concatenate([coo.col, coo.col])
    vals = np.concatenate([coo.data * share, coo.data * (1.0 - share)])
    order = rng.permutation(rows.shape[0])
    dup = sp.coo_matrix((vals[order], (rows[order], cols[order])), shape=X_dense.shape)
    if fmt == "coo":
        return dup
    # Compressed storage built from its arrays keeps the duplicates (scipy's
    # conversions from COO would sum them): group by major index, minor indices
    # left unsorted within each group.
    major, minor = (cols, rows) if fmt == "csc" else (rows, cols)
    n_major = X_dense.shape[1] if fmt == "csc" else X_dense.shape[0]
    keep = np.argsort(major[order], kind="stable")
    indices = minor[order][keep].astype(np.int32)
    data = vals[order][keep]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(major, minlength=n_major))])
    cls = sp.csc_matrix if fmt == "csc" else sp.csr_matrix
    return cls((data, indices, indptr.astype(np.int32)), shape=X_dense.shape)


@pytest.mark.parametrize("fmt", ["csc", "csr", "coo"])
@pytest.mark.parametrize("weighted", [False, True])
def test_duplicate_sparse_entries_fit_as_dense(regression, fmt, weighted):
    X = regression.X.copy()
    X[np.abs(X) < 0.8] = 0.0  # sparse enough to matter
    X_dup = _duplicated(X, fmt)
    if fmt != "coo":
        assert not X_dup.has_canonical_format
    before = (X_dup.data.copy(), X_dup.nnz)
    sw = regression.sample_weight if weighted else None
    ref = Lasso(alpha=0.05, tol=1e-10).fit(X, regression.y, sample_weight=sw)
    got = Lasso(alpha=0.05, tol=1e-10).fit(X_dup, regression.y, sample_weight=sw)
    np.testing.assert_allclose(got.coef_, ref.coef_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(got.intercept_, ref.intercept_, rtol=1e-6)
    # The user's matrix is untouched (same stored entries, duplicates included).
    np.testing.assert_array_equal(X_dup.data, before[0])
    assert X_dup.nnz == before[1]


# -- 1. A damaged or full Numba cache -----------------------------------------------

# A fit in a fresh process, printing (as JSON) its coefficients and every warning.
# PATCH may replace the cache's file writer by one that fails as a full disk does.
_CACHE_FIT = """
import errno, json, warnings
warnings.simplefilter("always")
if {enospc!r}:
    # A full disk, simulated: every cache write fails as open() does on a
    # filesystem without free blocks (writing the temporary file of
    # IndexDataCacheFile._open_for_write, which both the index and data use).
    import numba.core.caching as caching

    def _full(self, path):
        raise OSError(errno.ENOSPC, "No space left on device", path + ".tmp")

    caching.IndexDataCacheFile._open_for_write = _full
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import numpy as np
    from skreg import Lasso
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 5))
    y = X @ np.arange(5.0) + rng.standard_normal(30)
    coef = [Lasso(alpha=a).fit(X, y).coef_.tolist() for a in (0.1, 0.2)]
print(json.dumps({{
    "coef": coef,
    "warnings": [[w.category.__name__, str(w.message)] for w in caught],
}}))
"""


def _fit_in_subprocess(cache_dir, enospc=False):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env["NUMBA_CACHE_DIR"] = str(cache_dir)
    proc = subprocess.run(
        [sys.executable, "-c", _CACHE_FIT.format(enospc=enospc)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory):
    """A cache directory filled by one fit, and that fit's output."""
    cache = tmp_path_factory.mktemp("warm") / "cache"
    out = _fit_in_subprocess(cache)
    assert out["warnings"] == []
    assert list(cache.rglob("*.nbi")) and list(cache.rglob("*.nbc"))
    return cache, out["coef"]


def _truncate_index(cache):
    for f in cache.rglob("*.nbi"):
        f.write_bytes(b"")  # EOFError: Ran out of input


def _garble_data(cache):
    for f in cache.rglob("*.nbc"):
        f.write_bytes(b"\x80\x05garbage, not a pickle" * 4)  # UnpicklingError


def _assert_one_cache_warning(warnings, cache):
    assert len(warnings) == 1, warnings
    category, message = warnings[0]
    assert category == "NumbaCacheWarning"
    assert str(cache) in message


@pytest.mark.slow
@pytest.mark.parametrize("damage", [_truncate_index, _garble_data])
def test_damaged_cache_warns_once_and_heals(warm_cache, tmp_path, damage):
    source, coef = warm_cache
    cache = tmp_path / "cache"
    shutil.copytree(source, cache)
    damage(cache)
    out = _fit_in_subprocess(cache)
    _assert_one_cache_warning(out["warnings"], cache)
    np.testing.assert_allclose(out["coef"], coef, rtol=1e-12, atol=1e-14)
    # The broken entries were replaced: the next process loads them silently.
    again = _fit_in_subprocess(cache)
    assert again["warnings"] == []
    np.testing.assert_allclose(again["coef"], coef, rtol=1e-12, atol=1e-14)


@pytest.mark.slow
def test_full_cache_disk_warns_once_and_fits(warm_cache, tmp_path):
    _, coef = warm_cache
    cache = tmp_path / "cache"
    out = _fit_in_subprocess(cache, enospc=True)
    _assert_one_cache_warning(out["warnings"], cache)
    assert "No space left on device" in out["warnings"][0][1]
    np.testing.assert_allclose(out["coef"], coef, rtol=1e-12, atol=1e-14)
    assert not list(cache.rglob("*.tmp.*"))


# -- 7. Memory: one copy of X for a weighted dense fit ----------------------------

# Peak RSS of a weighted fit, beyond the process's peak once X is allocated, in units
# of X's size. The kernels are compiled first on a small problem, and X (80 MB)
# outweighs everything allocated before it, so the peak before the fit is the
# resident size with X. ru_maxrss is in kilobytes on Linux, bytes on macOS.
_MEMORY_FIT = """
import json, resource, sys
import numpy as np
from skreg import Lasso

order, weighted = sys.argv[1], sys.argv[2] == "1"
rng = np.random.default_rng(0)
small = rng.standard_normal((50, 40))
Lasso(alpha=0.1).fit(small, small[:, 0], sample_weight=np.ones(50))
n, p = 40_000, 250
X = np.empty((n, p), order=order)
for j in range(p):  # filled in place: no temporary raises the peak before the fit
    X[:, j] = rng.standard_normal(n)
y = X[:, :5].sum(axis=1) + rng.standard_normal(n)
sw = rng.uniform(0.5, 2.0, n) if weighted else None
unit = 1 if sys.platform == "darwin" else 1024
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit
Lasso(alpha=0.5, max_iter=20, tol=1e-2).fit(X, y, sample_weight=sw)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit
print(json.dumps({"ratio": (after - before) / X.nbytes}))
"""


def _peak_ratio(order, weighted):
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_DISABLE_JIT"}
    proc = subprocess.run(
        [sys.executable, "-c", _MEMORY_FIT, order, "1" if weighted else "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])["ratio"]


@pytest.mark.slow
@pytest.mark.skipif(
    sys.platform not in ("linux", "darwin"), reason="ru_maxrss semantics"
)
@pytest.mark.parametrize("order", ["C", "F"])
def test_weighted_dense_fit_copies_x_once(order):
    # One copy of X (centred and row-scaled, Fortran-ordered), plus a margin of a
    # fifth of X for the vectors and the interpreter (n = 40,000 rows).
    assert _peak_ratio(order, weighted=True) <= 1.2


@pytest.mark.parametrize("kind", ["C", "F", "list", "int"])
def test_weighted_fit_leaves_x_unchanged(regression, kind):
    # The in-place centring works on validation's copy only, never on the input.
    X = regression.X.copy(order="C" if kind != "F" else "F")
    X[:, 4] = 7.0  # a constant column, found exactly
    if kind == "int":
        X = np.round(X * 10).astype(np.int64)
    given = X.tolist() if kind == "list" else X
    kept = np.array(X, copy=True)
    sw = regression.sample_weight
    model = Lasso(alpha=0.05).fit(given, regression.y, sample_weight=sw)
    np.testing.assert_array_equal(np.asarray(given), kept)
    ref = Lasso(alpha=0.05).fit(
        np.asfortranarray(kept, dtype=float), regression.y, sample_weight=sw
    )
    np.testing.assert_array_equal(model.coef_, ref.coef_)
    assert model.coef_[4] == 0.0


# -- 6. Invalid parameters name themselves ------------------------------------------


@pytest.mark.parametrize(
    "params, match",
    [
        ({"eps": float("nan")}, r"eps must be .* \(0, 1\]"),
        ({"eps": 0.0}, r"eps must be .* \(0, 1\]"),
        ({"eps": -1e-3}, r"eps must be .* \(0, 1\]"),
        ({"eps": 1.5}, r"eps must be .* \(0, 1\]"),
        ({"eps": "0.1"}, r"eps must be"),
        ({"solver": "bogus"}, r"solver must be one of .*'auto'.*'cd'.*'fista'"),
        ({"l1_ratio": float("nan")}, r"l1_ratio must be .*\[0, 1\]"),
        ({"l1_ratio": 1.5, "check_input": False}, r"l1_ratio must be .*\[0, 1\]"),
        ({"max_iter": 0}, r"max_iter must be an int >= 1"),
        ({"tol": -1.0}, r"tol must be None or a float >= 0"),
        ({"tol": float("nan")}, r"tol must be None or a float >= 0"),
        ({"rel_tol": 0.0}, r"rel_tol must be a float in \(0, 1\)"),
        ({"alphas": 0}, r"alphas must be at least 1"),
        ({"alphas": [0.1, float("nan")]}, r"alphas must be finite"),
    ],
)
def test_enet_path_names_invalid_parameters(regression, params, match):
    with pytest.raises(ValueError, match=match):
        enet_path(regression.X, regression.y, **params)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"eps": float("nan")}, r"eps must be"),
        ({"eps": 0.0}, r"eps must be"),
        ({"l1_ratio": float("nan")}, r"l1_ratio must be"),
        ({"n_alphas": 0}, r"n_alphas must be an int >= 1"),
    ],
)
def test_alpha_grid_names_invalid_parameters(regression, params, match):
    with pytest.raises(ValueError, match=match):
        alpha_grid(regression.X, regression.y, **params)


@pytest.mark.parametrize(
    "estimator, match",
    [
        (ElasticNetCV(l1_ratio=[]), r"l1_ratio must be .*non-empty"),
        (ElasticNetCV(l1_ratio=[0.5, float("nan")]), r"l1_ratio must be .*\[0, 1\]"),
        (ElasticNetCV(l1_ratio=[[0.5, 1.0]]), r"l1_ratio must be .*1-D"),
        (LassoCV(alphas=[]), r"alphas must be .*non-empty"),
        (LassoCV(alphas=[0.1, -1.0]), r"alphas.*(non-negative|>= 0)"),
        (LassoCV(eps=float("nan")), r"eps"),
    ],
)
def test_cv_names_invalid_parameters(regression, estimator, match):
    with pytest.raises(ValueError, match=match):
        estimator.fit(regression.X, regression.y)


# -- 6. The one-call dense solver: resumable chunks, Ctrl-C ------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
def test_dense_solve_in_chunks_equals_one_call(regression, dtype, weighted):
    """The covariance-form solve of small problems runs in phases from Python (so
    that Ctrl-C is handled between them): phases of one gap check each give exactly
    the result of one long call."""
    from skreg.datafits import _CHECK_EVERY, QuadraticData
    from skreg.penalties import ElasticNet

    # Strongly correlated columns: hundreds of epochs, many phases.
    rng = np.random.default_rng(3)
    X = rng.standard_normal((60, 20)) @ np.triu(np.full((20, 20), 0.9)) + 1.0
    y = X @ rng.standard_normal(20) + rng.standard_normal(60)
    sw = regression.sample_weight if weighted else None
    data = QuadraticData(np.asfortranarray(X, dtype=dtype), y.astype(dtype), sw, True)
    params = (*ElasticNet(1e-4, 0.8).kernel_params(), False)
    G, b, _ = data.gram()
    # (The solver runs the epochs on a float64 copy of w, whatever the data's dtype.)
    w1, q1 = np.zeros(20), b.copy()
    e1, gap1, thr1, _ = data.solve_gram(w1, q1, *params, None, 1e-12, 5_000)
    w2, q2 = np.zeros(20), b.copy()
    e2 = 0
    while True:
        epochs, gap2, thr2, _ = data.solve_gram(
            w2, q2, *params, None, 1e-12, min(_CHECK_EVERY, 5_000 - e2)
        )
        e2 += epochs
        if gap2 <= thr2 or e2 >= 5_000:
            break
    assert e1 > 100  # many phases, so the phased solve made many calls
    assert (e1, gap1, thr1) == (e2, gap2, thr2)
    np.testing.assert_array_equal(w1, w2)
    np.testing.assert_array_equal(q1, q2)


# A small dense fit (20 features: the one-call solver) that would run for minutes
# (tol=0 is never met, max_iter huge); the parent sends SIGINT once it has started.
_LONG_FIT = """
import sys, time
import numpy as np
from skreg import Lasso
rng = np.random.default_rng(0)
X = rng.standard_normal((500, 20)) @ np.triu(np.full((20, 20), 0.9))
y = X @ rng.standard_normal(20) + rng.standard_normal(500)
Lasso(alpha=1e-4, max_iter=5).fit(X, y)  # compile first
print("ready", flush=True)
start = time.perf_counter()
try:
    Lasso(alpha=1e-4, tol=0.0, max_iter=10**9).fit(X, y)
except KeyboardInterrupt:
    print(f"interrupted {time.perf_counter() - start:.3f}", flush=True)
    sys.exit(0)
print("finished", flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_stops_a_small_dense_fit_promptly():
    import signal
    import time

    proc = subprocess.Popen(
        [sys.executable, "-c", _LONG_FIT],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(0.5)
        sent = time.perf_counter()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
        waited = time.perf_counter() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err[-3000:]
    assert out.startswith("interrupted"), out
    # Within a second of the signal (a chunk is milliseconds; the rest is exit).
    assert waited < 2.0


# -- 2. Squares that underflow are not zero data ------------------------------------


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("scaled", ["X", "y", "X column"])
def test_underflowing_squares_raise(regression, sparse, weighted, fit_intercept,
                                    scaled):  # fmt: skip
    # Values of 1e-170 square to 1e-340: below the smallest float64 (5e-324), so
    # every sum of squares is exactly zero although the data are not.
    X, y = regression.X.copy(), regression.y.copy()
    if scaled == "X":
        X *= 1e-170
    elif scaled == "X column":
        X[:, 7] *= 1e-170
    else:
        y *= 1e-170
    X = sp.csc_matrix(X) if sparse else X
    sw = regression.sample_weight if weighted else None
    model = Lasso(alpha=1e-173, fit_intercept=fit_intercept)
    with pytest.raises(ValueError, match="too badly scaled"):
        model.fit(X, y, sample_weight=sw)


def test_constant_tiny_target_is_still_zero_data(regression):
    # A constant y is zero once centred, whatever its scale (the rounded mean
    # leaves noise of relative size eps, which is not data).
    y = np.full(regression.y.shape, 3e-170)
    model = Lasso(alpha=0.1).fit(regression.X, y)
    assert not model.coef_.any()
    np.testing.assert_allclose(model.intercept_, 3e-170, rtol=1e-12)


@pytest.mark.parametrize("scale", [1e-16, 1e-30, 1e-100])
def test_cv_on_a_tiny_target_scales_its_grid(regression, scale):
    ref = LassoCV(cv=3, alphas=20).fit(regression.X, regression.y)
    got = LassoCV(cv=3, alphas=20).fit(regression.X, regression.y * scale)
    assert np.count_nonzero(got.coef_) == np.count_nonzero(ref.coef_) > 0
    np.testing.assert_allclose(got.alphas_, ref.alphas_ * scale, rtol=1e-12)
    np.testing.assert_allclose(got.alpha_, ref.alpha_ * scale, rtol=1e-12)
    np.testing.assert_allclose(got.coef_, ref.coef_ * scale, rtol=1e-6,
                               atol=1e-9 * scale * np.abs(ref.coef_).max())  # fmt: skip
