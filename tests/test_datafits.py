"""QuadraticData against numpy on explicitly centred, sqrt-weight-scaled data."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose

from skreg.datafits import Quadratic, QuadraticData, enet_objective

CASES = [
    (sparse, weighted, fit_intercept)
    for sparse in (False, True)
    for weighted in (False, True)
    for fit_intercept in (False, True)
]


def _ids(case):
    sparse, weighted, fit_intercept = case
    return "-".join(
        [
            "csc" if sparse else "dense",
            "weighted" if weighted else "unweighted",
            "intercept" if fit_intercept else "nointercept",
        ]
    )


@pytest.fixture(params=CASES, ids=[_ids(c) for c in CASES])
def prepared(request, helpers, problem):
    sparse, weighted, fit_intercept = request.param
    sw = problem.sample_weight if weighted else None
    X = problem.X.copy()
    X[np.abs(X) < 0.5] = 0.0  # genuine sparsity for the CSC path
    Xin = sp.csc_matrix(X) if sparse else np.asfortranarray(X)
    data = QuadraticData(Xin, problem.y.copy(), sw, fit_intercept)
    Xc, yc, xmean, ymean = helpers.centered_scaled(X, problem.y, sw, fit_intercept)
    return data, Xc, yc, xmean, ymean, X, sw, problem.y


def test_centring_and_scaling(prepared):
    data, Xc, yc, xmean, ymean, X, sw, y = prepared
    n = Xc.shape[0]
    assert_allclose(data.xmean, xmean, rtol=1e-12, atol=1e-12)
    assert data.ymean == pytest.approx(ymean, rel=1e-12, abs=1e-12)
    assert_allclose(data.y, yc, rtol=1e-12, atol=1e-12)
    assert data.tol_scale == pytest.approx(yc @ yc / n, rel=1e-12)
    assert_allclose(data.lipschitz, (Xc**2).sum(axis=0) / n, rtol=1e-10, atol=1e-12)


def test_products_and_gradients(prepared):
    data, Xc, yc, xmean, ymean, X, sw, y = prepared
    n, p = Xc.shape
    rng = np.random.default_rng(3)
    w = rng.standard_normal(p)
    w[rng.random(p) < 0.5] = 0.0
    r = rng.standard_normal(n)
    assert_allclose(data.matvec(w), Xc @ w, rtol=1e-10, atol=1e-10)
    assert_allclose(data.rmatvec(r), Xc.T @ r, rtol=1e-10, atol=1e-10)
    R, offset = data.init_residual(w.copy())
    assert_allclose(data.true_residual(R, offset), yc - Xc @ w, rtol=1e-10, atol=1e-10)
    grad = data.full_gradient(R, offset)
    assert_allclose(grad, -Xc.T @ (yc - Xc @ w) / n, rtol=1e-10, atol=1e-10)
    ws = np.array([0, 3, p - 1], dtype=np.int64)
    assert_allclose(data.gradient(R, offset, ws), grad[ws], rtol=1e-10, atol=1e-12)
    assert_allclose(data.grad_at_zero(), -Xc.T @ yc / n, rtol=1e-10, atol=1e-12)
    # Intercept recovered from the (weighted) means.
    expected = ymean - xmean @ w if data.fit_intercept else 0.0
    assert data.intercept(w) == pytest.approx(expected, rel=1e-12, abs=1e-12)
    # Residual update: w[ws] += delta.
    delta = rng.standard_normal(ws.size)
    offset2 = data.update_residual(R, offset, ws, delta)
    w2 = w.copy()
    w2[ws] += delta
    assert_allclose(
        data.true_residual(R, offset2), yc - Xc @ w2, rtol=1e-10, atol=1e-10
    )
    # Primal value in the 1/n scaling equals the weighted objective of sklearn.
    R2, off2 = data.init_residual(w2)
    l1, l2 = 0.3, 0.2
    expected_primal = (
        0.5 * np.sum((yc - Xc @ w2) ** 2) / n
        + l1 * np.abs(w2).sum()
        + 0.5 * l2 * w2 @ w2
    )
    assert data.primal(w2, R2, off2, l1, l2) == pytest.approx(expected_primal, 1e-12)
    b = data.intercept(w2)
    obj = enet_objective(X, y, w2, b, alpha=0.5, l1_ratio=0.6, sample_weight=sw)
    assert obj == pytest.approx(data.primal(w2, R2, off2, 0.3, 0.2), rel=1e-10)


def test_one_epoch_is_exact_coordinate_minimisation(prepared):
    data, Xc, yc, xmean, ymean, X, sw, y = prepared
    n, p = Xc.shape
    l1, l2 = 0.05, 0.02
    w = np.zeros(p)
    R, offset = data.init_residual(w)
    ws = np.arange(p, dtype=np.int64)
    data.epoch(w, R, offset, ws, l1, l2, False)
    # Reference: cyclic exact coordinate minimisation on the explicit matrices.
    v = np.zeros(p)
    for j in range(p):
        L = Xc[:, j] @ Xc[:, j] / n
        if L == 0:
            continue
        g = Xc[:, j] @ (yc - Xc @ v) / n
        z = v[j] + g / L
        v[j] = np.sign(z) * max(abs(z) - l1 / L, 0) / (1 + l2 / L)
    assert_allclose(w, v, rtol=1e-9, atol=1e-12)


def test_quadratic_value():
    r = np.array([1.0, -2.0, 3.0])
    assert Quadratic.value(r) == pytest.approx(14 / 6)
    sw = np.array([1.0, 0.0, 2.0])
    assert Quadratic.value(r, sw) == pytest.approx(0.5 * (1 + 18) / 3)


def test_float32_data_stays_float32(regression):
    X32 = np.asfortranarray(regression.X, dtype=np.float32)
    for Xin in (X32, sp.csc_matrix(X32)):
        data = QuadraticData(
            Xin, regression.y.astype(np.float32), regression.sample_weight, True
        )
        assert data.y.dtype == np.float32
        assert data.lipschitz.dtype == np.float32
        w = np.zeros(X32.shape[1], np.float32)
        R, offset = data.init_residual(w)
        assert R.dtype == np.float32
        assert data.full_gradient(R, offset).dtype == np.float32


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_gradient_at_zero(helpers, regression, case):
    """-X_c^T y_c / n, computed once (by the fused pass on dense unweighted data, else
    by a product), exact zero on constant columns, and returned as a copy."""
    sparse, weighted, fit_intercept = case
    X = regression.X.copy()
    X[:, 3] = 2.5  # a constant column
    sw = regression.sample_weight if weighted else None
    Xk = sp.csc_matrix(X) if sparse else np.asfortranarray(X)
    data = QuadraticData(Xk, regression.y, sw, fit_intercept)
    Xc, yc, _, _ = helpers.centered_scaled(X, regression.y, sw, fit_intercept)
    g = data.grad_at_zero()
    assert_allclose(g, -Xc.T @ yc / X.shape[0], rtol=1e-10, atol=1e-12)
    if fit_intercept:
        assert g[3] == 0.0
    g[:] = 7.0
    assert not np.any(data.grad_at_zero() == 7.0)
    # Same as the generic product.
    R, offset = data.init_residual(np.zeros(X.shape[1]))
    all_j = np.arange(X.shape[1], dtype=np.int64)
    assert_allclose(data.gradient(R, offset, all_j), data.grad_at_zero(), atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "none"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_gram_and_hessian_of_csc_equal_dense(
    helpers, regression, weighted, fit_intercept, dtype
):
    """The Gram triple and the Hessian blocks of CSC data (formed from the stored
    columns without densifying them) are the dense data's to rounding, constant
    columns zeroed as there, and both equal the explicitly centred product."""
    X = regression.X.copy()
    X[np.abs(X) < 0.5] = 0.0
    X[:, 3] = 2.5  # a constant column
    X = X.astype(dtype)
    y = regression.y.astype(dtype)
    sw = regression.sample_weight if weighted else None
    dense = QuadraticData(np.asfortranarray(X), y, sw, fit_intercept)
    csc = QuadraticData(sp.csc_matrix(X), y, sw, fit_intercept)
    assert csc.gram_cheap and dense.gram_cheap
    ws = np.array([5, 0, 11, 3], dtype=np.int64)
    # (float32: the dense Hessian block centres its columns in float32.)
    rtol = 1e-10 if dtype == np.float64 else 1e-5
    # The Hessian block before any Gram matrix exists (the finishing step's), then
    # the Gram triple, then the block again (read from the Gram matrix).
    for when in ("before", "after"):
        if when == "after":
            for a, b in zip(csc.gram(), dense.gram(), strict=True):
                assert_allclose(a, b, rtol=rtol, atol=rtol)
        H = csc.hessian(ws)
        assert H.dtype == np.float64
        assert_allclose(H, dense.hessian(ws), rtol=rtol, atol=rtol)
    G, b, y_sq = csc.gram()
    Xc, yc, _, _ = helpers.centered_scaled(X, y, sw, fit_intercept)
    n = X.shape[0]
    assert_allclose(G, Xc.T @ Xc / n, rtol=rtol, atol=rtol)
    assert_allclose(b, Xc.T @ yc / n, rtol=rtol, atol=rtol)
    assert y_sq == pytest.approx(yc @ yc / n, rel=rtol)
    if fit_intercept:
        assert not G[3].any() and not G[:, 3].any() and b[3] == 0.0


def test_csc_gram_refused_for_far_shifted_columns(regression):
    """A CSC column whose mean dwarfs its spread would lose the Gram matrix to
    cancellation (A.T A - n m m^T): such data declare no covariance form, unless the
    shift is dropped with the intercept."""
    X = regression.X.copy()
    X[:, 2] = 1e3 + regression.X[:, 2]  # mean square / centred square ~ 1e6
    y = regression.y
    assert not QuadraticData(sp.csc_matrix(X), y, None, True).gram_cheap
    assert QuadraticData(sp.csc_matrix(X), y, None, False).gram_cheap
    X[:, 2] = 10.0 + regression.X[:, 2]  # ~ 1e2: accurate enough
    assert QuadraticData(sp.csc_matrix(X), y, None, True).gram_cheap


def test_csc_gram_only_where_cheaper_than_working_sets():
    """Forming a CSC design's Gram matrix costs p nnz / 2: taken for few features or
    very sparse columns, not where a few passes over the stored values cost less."""
    rng = np.random.default_rng(0)

    def declares(n, p, density):
        X = sp.random(n, p, density=density, format="csc", random_state=rng)
        return QuadraticData(X, rng.standard_normal(n), None, True).gram_cheap

    assert declares(1000, 10, 0.01)
    assert declares(1000, 100, 0.01)
    assert declares(100_000, 10, 0.05)
    assert not declares(2000, 40, 0.6)
    assert not declares(1000, 1000, 0.01)
