"""Compiled kernels: results against numpy, and at most two signatures per kernel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose

from skreg._kernels import quadratic as quad
from skreg._kernels.sparse import (
    csc_column_stats,
    csc_gram,
    csc_matvec_centered,
    csc_rmatvec_centered,
)

# The kernels' "no penalty factors / no bounds" (empty float64 arrays).
NONE = np.empty(0)


@pytest.fixture(params=[np.float64, np.float32], ids=["float64", "float32"])
def csc(request, regression):
    X = regression.X.copy()
    X[np.abs(X) < 0.7] = 0.0
    Xs = sp.csc_matrix(X.astype(request.param))
    Xs.indices = Xs.indices.astype(np.int32)
    Xs.indptr = Xs.indptr.astype(np.int32)
    return Xs, X.astype(request.param)


@pytest.mark.parametrize("centred", [False, True])
def test_csc_products(csc, centred):
    """Products with the implicitly centred, row-scaled design ``X - v xmean^T``."""
    Xs, X = csc
    dtype = X.dtype
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    rng = np.random.default_rng(0)
    n, p = X.shape
    w = rng.standard_normal(p).astype(dtype)
    w[::3] = 0
    r = rng.standard_normal(n).astype(dtype)
    xmean = (rng.standard_normal(p) if centred else np.zeros(p)).astype(dtype)
    v = (rng.uniform(0.5, 2, n) if centred else np.ones(n)).astype(dtype)
    X64 = X.astype(np.float64) - np.outer(v, xmean).astype(np.float64)
    out = csc_matvec_centered(
        Xs.data, Xs.indices, Xs.indptr, w, xmean, v, np.full(n, 7, dtype)
    )
    assert out.dtype == dtype
    assert_allclose(out, X64 @ w, rtol=rtol, atol=rtol * 10)
    out = csc_rmatvec_centered(
        Xs.data, Xs.indices, Xs.indptr, r, xmean, v, np.empty(p, dtype)
    )
    assert_allclose(out, X64.T @ r, rtol=rtol, atol=rtol * 10)
    X64 = X.astype(np.float64)
    sums = np.empty(X.shape[1])
    norms = csc_column_stats(Xs.data, Xs.indptr, sums, np.empty(X.shape[1]))
    assert_allclose(sums, X64.sum(axis=0), rtol=rtol, atol=rtol)
    assert_allclose(norms, (X64**2).sum(axis=0), rtol=rtol)


def test_csc_gram(csc):
    """The Gram block of CSC columns (any subset, any order) and ``X.T y``, float64
    whatever the dtype, against numpy; the work array is left zero."""
    Xs, X = csc
    X64 = X.astype(np.float64)
    n, p = X.shape
    y = np.random.default_rng(1).standard_normal(n).astype(X.dtype)
    work = np.zeros(n)
    for cols in (np.arange(p), np.array([7, 2, 19, 3])):
        G = np.full((cols.shape[0], cols.shape[0]), np.nan)
        b = np.full(cols.shape[0], np.nan)
        csc_gram(Xs.data, Xs.indices, Xs.indptr, cols, y, G, b, work)
        A = X64[:, cols]
        assert_allclose(G, A.T @ A, rtol=1e-12, atol=1e-12)
        assert_allclose(b, A.T @ y.astype(np.float64), rtol=1e-12, atol=1e-12)
        assert not work.any()
    # Without y: the Gram block only (b is not written).
    G = np.empty((p, p))
    csc_gram(Xs.data, Xs.indices, Xs.indptr, np.arange(p), y[:0], G, NONE, work)
    assert_allclose(G, X64.T @ X64, rtol=1e-12, atol=1e-12)


def test_dense_and_sparse_kernels_agree(regression):
    """Implicit centring: dense (true residual) and CSC (stored residual + offset)
    epochs, gradients and residual updates give the same iterates."""
    X = regression.X.copy()
    X[np.abs(X) < 0.7] = 0.0
    n, p = X.shape
    xmean = X.mean(axis=0)
    yc = regression.y - regression.y.mean()
    Xc = X - xmean
    Xf = np.asfortranarray(X)
    Xs = sp.csc_matrix(X)
    Xs.indices, Xs.indptr = Xs.indices.astype(np.int32), Xs.indptr.astype(np.int32)
    L = (Xc**2).sum(axis=0) / n
    ws = np.arange(p, dtype=np.int64)
    w_d, w_s = np.zeros(p), np.zeros(p)
    R_d, R_s, offset = yc.copy(), yc.copy(), 0.0
    for _ in range(3):
        ch_d = quad.cd_epoch_quadratic(
            Xf, xmean, R_d, w_d, ws, L, 0.1, 0.05, False, 1 / n
        )
        ch_s, offset = quad.cd_epoch_quadratic_sparse(
            Xs.data, Xs.indices, Xs.indptr, xmean, R_s, offset, w_s, ws, L,
            0.1, 0.05, False, 1 / n,
        )  # fmt: skip
        assert ch_d == pytest.approx(ch_s, rel=1e-10)
    assert_allclose(w_d, w_s, rtol=1e-10, atol=1e-14)
    assert_allclose(R_d, yc - Xc @ w_d, rtol=1e-10, atol=1e-10)
    assert_allclose(R_s + offset, R_d, rtol=1e-10, atol=1e-10)
    assert offset == pytest.approx(xmean @ w_s, rel=1e-10)
    g_d = quad.gradient_quadratic(Xf, xmean, R_d, ws, 1 / n, np.empty(p))
    g_s = quad.gradient_quadratic_sparse(
        Xs.data, Xs.indices, Xs.indptr, xmean, R_s, offset, ws, 1 / n, np.empty(p)
    )
    assert_allclose(g_d, -Xc.T @ R_d / n, rtol=1e-10, atol=1e-12)
    assert_allclose(g_s, g_d, rtol=1e-10, atol=1e-12)
    sub = np.array([1, 4], dtype=np.int64)
    delta = np.array([0.3, -0.2])
    quad.update_residual(Xf, xmean, R_d, sub, delta)
    offset = quad.update_residual_sparse(
        Xs.data, Xs.indices, Xs.indptr, xmean, R_s, offset, sub, delta
    )
    assert_allclose(R_s + offset, R_d, rtol=1e-10, atol=1e-10)
    # Centred column norms (the Lipschitz constants above, times n) from the
    # one-pass column statistics.
    mean, norms = np.empty(p), np.empty(p)
    quad.dense_column_stats(
        Xf, yc, True, mean, norms, np.empty(p), np.empty(0), np.empty(0), np.empty(0)
    )
    assert_allclose(mean, xmean, rtol=1e-12)
    assert_allclose(norms, (Xc**2).sum(axis=0), rtol=1e-12)


@pytest.mark.parametrize("center", [True, False])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dense_column_stats(regression, center, dtype):
    """Means, centred squared norms and X_c^T y in one pass, against numpy."""
    X = np.asfortranarray(regression.X.astype(dtype)) + dtype(3.0)
    y = regression.y.astype(dtype)
    p = X.shape[1]
    mean, sq, xty = np.empty(p), np.empty(p), np.empty(p)
    quad.dense_column_stats(
        X, y, center, mean, sq, xty, np.empty(0, dtype), np.empty(0, dtype), np.empty(0)
    )
    X64 = X.astype(np.float64)
    ref_mean = X64.mean(axis=0) if center else np.zeros(p)
    Xc = X64 - ref_mean
    rtol = 1e-12 if dtype == np.float64 else 1e-6
    assert_allclose(mean, ref_mean, rtol=rtol)
    assert_allclose(sq, (Xc**2).sum(axis=0), rtol=rtol)
    assert_allclose(xty, Xc.T @ y.astype(np.float64), rtol=rtol, atol=rtol)


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
def test_enet_dual_gap_kernel(helpers, regression, l1_ratio, positive):
    Xc, yc, _, _ = helpers.centered_scaled(regression.X, regression.y)
    n, p = Xc.shape
    rng = np.random.default_rng(1)
    w = np.abs(rng.standard_normal(p)) * (rng.random(p) < 0.3)
    alpha = 0.4
    R = yc - Xc @ w
    gap = quad.enet_dual_gap(
        w, Xc.T @ R / n, R @ R / n, R @ yc / n,
        alpha * l1_ratio, alpha * (1 - l1_ratio), positive,
    )  # fmt: skip
    expected = helpers.dual_gap(Xc, yc, w, alpha, l1_ratio, positive)
    assert gap == pytest.approx(expected, rel=1e-10)
    assert gap > 0


# -- compiled signatures ---------------------------------------------------------

_SIGNATURE_SCRIPT = textwrap.dedent(
    """
    import inspect, json, sys, warnings
    import numpy as np
    import scipy.sparse as sp
    from sklearn.base import is_classifier
    from sklearn.exceptions import ConvergenceWarning
    import skreg.linear_model
    from skreg._kernels import glm, homotopy, prox, quadratic, sparse

    rng = np.random.default_rng(0)
    # 40 features: above the small-problem threshold (skreg.solvers.cd._SMALL), so
    # the working-set kernels run on dense X; the small-problem kernel runs on
    # X[:, :12] below (and on these small CSC designs: QuadraticData.gram_cheap).
    X = rng.standard_normal((30, 40))
    X[np.abs(X) < 0.5] = 0.0
    X[:, ::3] += 2.0
    y = X[:, :3] @ np.array([1.0, -2.0, 0.5]) + rng.standard_normal(30)
    sw = rng.uniform(0.5, 2.0, 30)
    pf = np.r_[0.0, 2.0, np.ones(38)]
    Xt = rng.standard_normal((2000, 40))
    Xt[np.abs(Xt) < 0.5] = 0.0
    yt = Xt[:, :3] @ np.array([1.0, -2.0, 0.5]) + rng.standard_normal(2000)
    swt = rng.uniform(0.5, 2.0, 2000)

    def storages(X):
        csc64 = sp.csc_matrix(X)
        csc64.indices = csc64.indices.astype(np.int64)
        csc64.indptr = csc64.indptr.astype(np.int64)
        csr64 = sp.csr_matrix(X)
        csr64.indices = csr64.indices.astype(np.int64)
        csr64.indptr = csr64.indptr.astype(np.int64)
        return [X, np.ascontiguousarray(X), sp.csc_matrix(X), csc64, csr64,
                sp.csc_array(X)]

    Y2 = np.column_stack([y, -y])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # tiny max_iter below
        for dtype in (np.float64, np.float32):
            # The lasso homotopy down a whole grid (variables join and leave);
            # LassoCV's fold paths run in covariance form on the fold statistics.
            skreg.lasso_path(X.astype(dtype), y.astype(dtype), eps=1e-3)
            for Xs in storages(X.astype(dtype)):
                for solver in ("cd", "fista"):
                    for weights, fit_intercept, positive in [
                        (None, True, False), (sw, True, True),
                        (None, False, True), (sw, False, False),
                    ]:
                        est = skreg.linear_model.ElasticNet(
                            alpha=0.05, l1_ratio=0.7, solver=solver,
                            fit_intercept=fit_intercept, positive=positive,
                            max_iter=50,
                        )
                        est.fit(Xs, y.astype(dtype), sample_weight=weights)
                        est.predict(Xs)
                    skreg.linear_model.Lasso(alpha=0.1, solver=solver).fit(
                        Xs, Y2.astype(dtype))
                    # Penalty factors (with zeros: the projected dual point)
                    # and bounds: the same specialisations.
                    for extra in [dict(penalty_factor=pf),
                                  dict(penalty_factor=pf, lower_bounds=-1.0,
                                       upper_bounds=2.0)]:
                        skreg.linear_model.ElasticNet(
                            alpha=0.05, l1_ratio=0.7, solver=solver, max_iter=50,
                            **extra,
                        ).fit(Xs, y.astype(dtype))
            # Tall CSC data, where working sets cost less than forming the Gram
            # matrix (QuadraticData.gram_cheap: the CSC fits above take the
            # small-problem solve on it).
            for Xs in storages(Xt.astype(dtype))[2:]:
                for weights, fit_intercept in [(None, True), (swt, False)]:
                    skreg.linear_model.ElasticNet(
                        alpha=0.05, l1_ratio=0.7, fit_intercept=fit_intercept,
                        max_iter=50,
                    ).fit(Xs, yt.astype(dtype), sample_weight=weights)
            for Xs in storages(X[:, :12].astype(dtype)):
                for weights in (None, sw):
                    skreg.linear_model.ElasticNet(alpha=0.05, l1_ratio=0.7).fit(
                        Xs, y.astype(dtype), sample_weight=weights)
                skreg.linear_model.ElasticNet(
                    alpha=0.05, l1_ratio=0.7, penalty_factor=pf[:12]).fit(
                    Xs, y.astype(dtype))
            # Every other linear estimator (CV, ...) on dense and CSC data.
            for name in skreg.linear_model.__all__:
                cls = getattr(skreg.linear_model, name)
                if name in ("ElasticNet", "Lasso") or not inspect.isclass(cls):
                    continue
                target = y
                if is_classifier(cls()):
                    target = (y > np.median(y)).astype(int)
                elif "Poisson" in name:
                    target = np.round(np.abs(y))
                for Xs in (X.astype(dtype), sp.csc_matrix(X.astype(dtype))):
                    cls().fit(Xs, target.astype(dtype))

    counts = {}
    for module in (glm, homotopy, prox, quadratic, sparse):
        for name, obj in vars(module).items():
            if hasattr(obj, "signatures") and obj.__module__ == module.__name__:
                counts[module.__name__ + "." + name] = [
                    str(s) for s in obj.signatures
                ]
    json.dump(counts, sys.stdout)
    """
)


def test_each_kernel_compiles_at_most_two_signatures(tmp_path):
    """Fit both dtypes on dense and sparse input (both index dtypes, CSR and CSC),
    both solvers, with and without weights and intercept: the shell must normalise
    every kernel argument so that only a float32 and a float64 specialisation exist
    (only float64 for the homotopy's).

    Runs in a fresh interpreter so that other tests (which call kernels directly with
    arbitrary types) cannot pollute the dispatchers.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
        + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    )
    proc = subprocess.run(
        [sys.executable, "-c", _SIGNATURE_SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    counts = json.loads(proc.stdout)
    # The fits exercised the kernels (the test is not vacuous).
    assert len(counts["skreg._kernels.quadratic.cd_epoch_quadratic"]) >= 1
    assert len(counts["skreg._kernels.quadratic.cd_epoch_quadratic_sparse"]) >= 1
    assert len(counts["skreg._kernels.sparse.csc_gram"]) >= 1
    # (float64 only: the small-problem solve works on float64 copies.)
    assert len(counts["skreg._kernels.quadratic.cd_solve_gram"]) == 1
    too_many = {k: v for k, v in counts.items() if len(v) > 2}
    assert not too_many, json.dumps(too_many, indent=1)
    # The lasso homotopy (lasso_path and LassoCV's refit on these wide data) works in
    # float64 whatever the data's dtype: one specialisation per kernel.
    for name in ("cholesky_solve", "cholesky_delete", "homotopy_event"):
        assert len(counts["skreg._kernels.homotopy." + name]) == 1, counts


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n", [quad._BLOCK_ROWS - 1, quad._BLOCK_ROWS])
def test_dense_gradient_four_columns_per_pass(n, dtype):
    """From _BLOCK_ROWS rows the dense gradient reads four columns per pass: the same
    values as one column at a time, for any order of ``ws`` and any length (the
    last columns of a length that is not a multiple of four go one at a time)."""
    rng = np.random.default_rng(5)
    p = 11
    X = np.asfortranarray(rng.standard_normal((n, p)) + 3.0, dtype=dtype)
    xmean = X.mean(axis=0, dtype=np.float64).astype(dtype)
    xmean[2] = 0.0  # uncentred column: read as is
    R = rng.standard_normal(n).astype(dtype)
    Xc = X.astype(np.float64) - xmean.astype(np.float64)
    for ws in ([7, 0, 3, 10, 2, 5, 9], [4, 1, 8, 6], [2], list(range(p))):
        ws = np.array(ws, dtype=np.int64)
        out = quad.gradient_quadratic(X, xmean, R, ws, 1 / n, np.empty(len(ws), dtype))
        expected = -Xc[:, ws].T @ R.astype(np.float64) / n
        rtol = 1e-5 if dtype == np.float32 else 1e-12
        assert_allclose(out, expected, rtol=rtol, atol=rtol * np.abs(expected).max())


# -- lasso homotopy kernels --------------------------------------------------------


def _factor_in_buffer(m, cap, seed=0):
    """Cholesky factor of a random Gram matrix in the top-left of a C buffer."""
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((3 * m, m))
    G = A.T @ A / (3 * m)
    L = np.full((cap, cap), np.nan)  # entries outside L[:m, :m] must not be read
    L[:m, :m] = np.linalg.cholesky(G)
    return G, L


def test_cholesky_solve_uses_the_leading_block():
    from skreg._kernels.homotopy import cholesky_solve

    m, cap = 7, 11
    G, L = _factor_in_buffer(m, cap)
    b = np.random.default_rng(1).standard_normal(cap)
    z = cholesky_solve(L, m, b, np.full(cap, 5.0), False)
    assert_allclose(z[:m], np.linalg.solve(L[:m, :m], b[:m]), rtol=1e-12)
    assert np.all(z[m:] == 5.0)
    d = cholesky_solve(L, m, b, np.empty(cap), True)
    assert_allclose(d[:m], np.linalg.solve(G, b[:m]), rtol=1e-10)
    # m = 0: nothing is read or written.
    assert np.all(cholesky_solve(L, 0, b, np.full(3, 2.0), True) == 2.0)


@pytest.mark.parametrize("k", [0, 3, 6])
def test_cholesky_delete_is_the_factor_without_row_and_column_k(k):
    from skreg._kernels.homotopy import cholesky_delete

    m, cap = 7, 9
    G, L = _factor_in_buffer(m, cap, seed=k)
    L[:m, m:] = 0.0
    L[m:, :m] = 0.0
    cholesky_delete(L, m, k)
    keep = np.delete(np.arange(m), k)
    L1 = L[: m - 1, : m - 1]
    assert np.all(np.triu(L1, 1) == 0.0)
    assert np.all(np.diag(L1) > 0)
    assert_allclose(L1 @ L1.T, G[np.ix_(keep, keep)], atol=1e-12)
    assert np.all(L[m - 1, :m] == 0.0) and np.all(L[:m, m - 1] == 0.0)


def _event(c, neg_a, lam, delta, positive=False, skip=-1, d=(), beta=()):
    from skreg._kernels.homotopy import homotopy_event

    c = np.array(c, dtype=np.float64)
    beta = np.array(beta, dtype=np.float64)
    free = np.arange(10, 10 + c.shape[0], dtype=np.int64)  # positions among W
    out = homotopy_event(
        c, np.array(neg_a, dtype=np.float64), free, lam, delta, positive,
        skip, np.array(d, dtype=np.float64), beta, beta.shape[0],
    )  # fmt: skip
    return out, c, beta


def test_homotopy_event_by_hand():
    """lambda = 1; a free candidate with correlation c and rate a reaches
    |c - delta a| = 1 - delta at delta = (1 - c) / (1 - a) (sign +1) or
    (1 + c) / (1 + a) (sign -1); an active coefficient b moving by d reaches 0 at
    -b / d when they have opposite signs."""
    # Target first: no candidate reaches lambda within delta = 0.1.
    (delta, event, _, _), c, _ = _event([0.5, -0.5], [0.0, 0.0], 1.0, 0.1)
    assert (delta, event) == (0.1, 0)
    assert_allclose(c, [0.5, -0.5])  # rates 0: unchanged
    # Candidate 1 joins with sign +1 at (1 - 0.8) / (1 - 0.5) = 0.4; candidate 0
    # would join with sign -1 at (1 + 0.2) / (1 + 0) = 1.2.
    (delta, event, pick, side), c, _ = _event([-0.2, 0.8], [0.0, -0.5], 1.0, 2.0)
    assert (event, pick, side) == (1, 1, 1.0)
    assert_allclose(delta, 0.4)
    assert_allclose(c, [-0.2, 0.8 - 0.4 * 0.5])  # c_1 = lambda - delta = 0.6
    # Sign -1 first: (1 - 0.7) / (1 + 0.5) = 0.2 for candidate 0...
    (delta, event, pick, side), _, _ = _event([-0.7, 0.1], [-0.5, 0.0], 1.0, 2.0)
    assert (event, pick, side) == (1, 0, -1.0)
    assert_allclose(delta, 0.2)
    # ... which positive=True forbids: candidate 1 at (1 - 0.1) / 1 = 0.9 instead.
    (delta, event, pick, side), _, _ = _event(
        [-0.7, 0.1], [-0.5, 0.0], 1.0, 2.0, positive=True
    )
    assert (event, pick, side) == (1, 1, 1.0)
    assert_allclose(delta, 0.9)
    # The candidate at position 10 among W (the first) has just left: skipped.
    (delta, event, pick, _), _, _ = _event([0.99, 0.5], [0.0, 0.0], 1.0, 2.0, skip=10)
    assert (event, pick) == (1, 1)
    assert_allclose(delta, 0.5)
    # A correlation already at (or rounded past) lambda joins at once (delta 0).
    (delta, event, pick, _), _, _ = _event([0.3, 1.0 + 1e-15], [0.0, 0.0], 1.0, 2.0)
    assert (delta, event, pick) == (0.0, 1, 1)
    # A rate a >= 1 (sign +1) never reaches lambda.
    (delta, event, _, _), _, _ = _event([0.9], [-1.0], 1.0, 0.5, positive=True)
    assert (delta, event) == (0.5, 0)
    # Drop: beta = (2, -1) moving by d = (1, 4): the second reaches 0 at 0.25,
    # before the candidate (at 0.5); both coefficients move by 0.25 d.
    (delta, event, pick, _), c, beta = _event(
        [0.5], [0.0], 1.0, 2.0, d=[1.0, 4.0], beta=[2.0, -1.0]
    )
    assert (event, pick) == (2, 1)
    assert_allclose(delta, 0.25)
    assert_allclose(beta, [2.25, 0.0], atol=1e-15)


def test_scalar_prox_helpers_are_inlined_into_the_epochs():
    """The two scalar helpers of the CD epochs are inlined by Numba (no compilation
    of their own inside a fit), the kernels themselves are not; both are cached."""
    from skreg._kernels import prox

    for helper in (prox.soft_threshold, prox.prox_enet_scalar):
        assert helper.targetoptions["inline"] == "always"
        # cache=True, through skreg's tolerant subclass of Numba's cache
        assert helper._cache.__class__.__name__ == "_TolerantCache"
        assert helper._cache.__class__.__mro__[1].__name__ == "FunctionCache"
    for kernel in (quad.cd_epoch_quadratic, prox.prox_enet):
        assert kernel.targetoptions.get("inline", "never") == "never"
    assert prox.prox_enet_scalar(3.0, 1.0, 1.0, False) == 1.0
