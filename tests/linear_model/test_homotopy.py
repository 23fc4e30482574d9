"""The lasso homotopy of ``enet_path(solver="auto")`` on wide dense data.

References: scikit-learn's ``lars_path(method="lasso")`` (the exact piecewise-linear
path), the pure coordinate-descent path (``solver="cd"``) at tight tolerance, the
duality gap rebuilt by hand, and a Cholesky factor recomputed from scratch.
"""

from __future__ import annotations

import warnings
from unittest import mock

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import lars_path

import skreg._path as path_module
import skreg.solvers.homotopy as homotopy_module
from skreg import LassoCV, enet_path, lasso_path
from skreg.datafits import QuadraticData
from skreg.solvers.homotopy import LassoHomotopy

TIGHT = dict(tol=None, rel_tol=1e-12, max_iter=100_000)


def _wide(n=40, p=120, seed=0, rho=0.5):
    """Correlated wide design (AR(1) columns) with a sparse truth."""
    rng = np.random.default_rng(seed)
    X = np.empty((n, p), order="F")
    X[:, 0] = rng.standard_normal(n)
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1 - rho**2) * rng.standard_normal(n)
    w = np.zeros(p)
    w[rng.choice(p, 8, replace=False)] = rng.uniform(1, 2, 8) * rng.choice([-1, 1], 8)
    y = X @ w + 0.5 * rng.standard_normal(n) + 3.0
    return X, y


def _objective(X, y, w, b, alpha, sw=None):
    r = y - X @ w - b
    sw = np.ones_like(y) if sw is None else sw / sw.mean()
    return 0.5 * float(sw @ (r * r)) / len(y) + alpha * np.abs(w).sum()


class _Counter:
    """Counts the homotopy's starts and advances (wraps the real methods)."""

    def __init__(self):
        self.calls = {"start": 0, "start_failed": 0, "advance": 0, "reached": 0}

    def __enter__(self):
        real_start = homotopy_module.LassoHomotopy.start
        real_advance = homotopy_module.LassoHomotopy.advance
        calls = self.calls

        def start(obj, *args):
            ok = real_start(obj, *args)
            calls["start"] += 1
            calls["start_failed"] += not ok
            return ok

        def advance(obj, *args):
            out = real_advance(obj, *args)
            calls["advance"] += 1
            calls["reached"] += bool(out[0])
            return out

        self._patches = [
            mock.patch.object(homotopy_module.LassoHomotopy, "start", start),
            mock.patch.object(homotopy_module.LassoHomotopy, "advance", advance),
        ]
        for p in self._patches:
            p.start()
        return self.calls

    def __exit__(self, *exc):
        for p in self._patches:
            p.stop()


def _lars_at(alphas_lars, coefs_lars, alpha):
    """The LARS path interpolated at ``alpha`` (it is piecewise linear)."""
    a = -alphas_lars
    j = np.searchsorted(a, -alpha)
    if j == 0:
        return coefs_lars[:, 0]
    if j >= len(a):
        return coefs_lars[:, -1]
    t = (alphas_lars[j - 1] - alpha) / (alphas_lars[j - 1] - alphas_lars[j])
    return coefs_lars[:, j - 1] + t * (coefs_lars[:, j] - coefs_lars[:, j - 1])


def test_kernel_state_after_joins_and_drops():
    """One homotopy call from alpha_max to a small alpha over every feature: the
    point equals LARS, and after the joins and drops (Givens rotations) the factor
    still satisfies ``L L^T = X_S^T X_S / n`` on the centred active columns."""
    X, y = _wide(seed=8)
    data = QuadraticData(X, y, None, True)
    Xc, yc = X - X.mean(0), y - y.mean()
    alphas_l, _, coefs_l = lars_path(Xc, yc, method="lasso", max_iter=10_000)
    hom = LassoHomotopy(data)
    w = np.zeros(X.shape[1])
    assert hom.start(w, alphas_l[0])
    alpha = alphas_l[0] / 300
    features = np.arange(X.shape[1])
    reached, R = hom.advance(w, features, Xc.T @ yc / len(y), alpha)
    assert reached
    m = hom.m
    assert hom.n_steps > m  # some features left the active set on the way
    ref = _lars_at(alphas_l, coefs_l, alpha)
    assert_allclose(w, ref, atol=1e-9 * np.abs(ref).max())
    assert_allclose(R, yc - Xc @ w, atol=1e-9 * np.abs(yc).max())
    S = hom.S[:m]
    assert_array_equal(np.sort(S), np.flatnonzero(w))
    cols = Xc[:, S]
    L = hom.L[:m, :m]
    assert np.all(np.triu(L, 1) == 0)
    assert_allclose(L @ L.T, cols.T @ cols / len(y), atol=1e-10)
    assert_allclose(hom.XS[:, :m], cols, atol=1e-12)


def test_path_equals_lars_and_needs_no_epochs():
    """Centred data, no intercept: every point equals the exact LARS path, reached by
    the homotopy alone (coordinate descent runs no epoch: it only checks the gap)."""
    X, y = _wide()
    Xc, yc = X - X.mean(0), y - y.mean()
    alphas_l, _, coefs_l = lars_path(Xc, yc, method="lasso", max_iter=10_000)
    grid = np.geomspace(alphas_l[0], alphas_l[0] / 200, 30)
    with _Counter() as calls:
        _, coefs, gaps, n_iter = lasso_path(
            Xc, yc, alphas=grid, return_n_iter=True, **TIGHT
        )
    assert calls["advance"] == len(grid) - 1
    assert calls["reached"] == len(grid) - 1
    assert max(n_iter) == 0
    for i, alpha in enumerate(grid):
        ref = _lars_at(alphas_l, coefs_l, alpha)
        scale = np.abs(ref).max()
        assert_allclose(coefs[:, i], ref, atol=1e-9 * scale, rtol=0)
        assert gaps[i] <= 1e-12 * _objective(Xc, yc, coefs[:, i], 0.0, alpha)


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_auto_equals_coordinate_descent(positive, weighted, dtype):
    """With an intercept, sample weights, positivity and float32: the path of
    ``solver="auto"`` (homotopy) has the objectives of the pure CD path."""
    X, y = _wide(seed=1)
    X, y = X.astype(dtype), y.astype(dtype)
    sw = np.random.default_rng(2).uniform(0.2, 3.0, len(y)) if weighted else None
    # To alpha_max / 30: coordinate descent, the reference, needs tens of thousands
    # of epochs per point further down (supports near n_samples).
    kw = dict(
        fit_intercept=True, sample_weight=sw, positive=positive, alphas=25, eps=1 / 30
    )
    rel_tol = 1e-12 if dtype == np.float64 else 1e-6
    with _Counter() as calls:
        out_auto = lasso_path(X, y, solver="auto", rel_tol=rel_tol, **kw)
    out_cd = lasso_path(X, y, solver="cd", rel_tol=rel_tol, **kw)
    assert calls["reached"] >= 20
    assert_allclose(out_auto[0], out_cd[0])
    X64, y64 = X.astype(np.float64), y.astype(np.float64)
    for i, alpha in enumerate(out_auto[0]):
        p_auto = _objective(X64, y64, out_auto[1][:, i], out_auto[-1][i], alpha, sw)
        p_cd = _objective(X64, y64, out_cd[1][:, i], out_cd[-1][i], alpha, sw)
        assert abs(p_auto - p_cd) <= (1e-10 if dtype == np.float64 else 1e-5) * p_cd
        if positive:
            assert np.all(out_auto[1][:, i] >= 0)
    assert out_auto[1].dtype == dtype


def test_intercept_path_equals_single_fits():
    from skreg import Lasso

    X, y = _wide(seed=3)
    alphas, coefs, _, intercepts = lasso_path(X, y, alphas=12, fit_intercept=True)
    for i in [3, 7, 11]:
        m = Lasso(alpha=alphas[i], tol=None).fit(X, y)
        p_path = _objective(X, y, coefs[:, i], intercepts[i], alphas[i])
        p_fit = _objective(X, y, m.coef_, m.intercept_, alphas[i])
        assert abs(p_path - p_fit) <= 2e-6 * p_fit


def test_duplicated_columns_fall_back_to_coordinate_descent():
    """An exact copy of a column makes a joining column degenerate: the homotopy
    stops, coordinate descent finishes the point, and every point is certified."""
    X, y = _wide(seed=4)
    X = np.asfortranarray(np.hstack([X, X[:, :20]]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        alphas, coefs, gaps, intercepts = lasso_path(
            X, y, alphas=20, fit_intercept=True
        )
    for i, alpha in enumerate(alphas):
        P = _objective(X, y, coefs[:, i], intercepts[i], alpha)
        assert gaps[i] <= 1e-6 * P
    out_cd = lasso_path(X, y, alphas=alphas, fit_intercept=True, solver="cd")
    for i, alpha in enumerate(alphas):
        p_cd = _objective(X, y, out_cd[1][:, i], out_cd[-1][i], alpha)
        p_auto = _objective(X, y, coefs[:, i], intercepts[i], alpha)
        assert abs(p_auto - p_cd) <= 2e-6 * p_cd


def test_grid_not_starting_at_alpha_max_and_coef_init():
    """A grid starting below alpha_max: the homotopy starts at alpha_max (w = 0) and
    reaches the first point too. With coef_init, coordinate descent solves the first
    point and the homotopy starts from it."""
    X, y = _wide(seed=5)
    grid = np.geomspace(0.3, 0.01, 15)
    with _Counter() as calls:
        out = lasso_path(
            X, y, alphas=grid, fit_intercept=True, return_n_iter=True, **TIGHT
        )
    assert calls["advance"] == calls["reached"] == len(grid)
    assert out[3][0] == 0  # no epoch at the first point
    out_cd = lasso_path(X, y, alphas=grid, fit_intercept=True, solver="cd", **TIGHT)
    assert_allclose(out[1], out_cd[1], atol=1e-7)
    with _Counter() as calls:
        out_init = lasso_path(
            X, y, alphas=grid, fit_intercept=True, coef_init=out[1][:, 3], **TIGHT
        )
    assert calls["advance"] == len(grid) - 1
    assert_allclose(out_init[1], out_cd[1], atol=1e-7)


def _homotopies(made, **capacities):
    """A ``LassoHomotopy`` factory with these buffer capacities, for the path to
    build its homotopy with; every one built is appended to ``made``."""

    def make(*args, **kwargs):
        hom = LassoHomotopy(*args, **capacities, **kwargs)
        made.append(hom)
        return hom

    return make


def test_buffers_grow_and_a_full_buffer_leaves_the_point_to_cd(monkeypatch):
    """Buffers of 2 active features double as features join (the points still equal
    LARS); capped at 6, the homotopy stops when a 7th would join and coordinate
    descent finishes the points, every one certified."""
    X, y = _wide(seed=9)
    Xc, yc = X - X.mean(0), y - y.mean()
    alphas_l, _, coefs_l = lars_path(Xc, yc, method="lasso", max_iter=10_000)
    grid = np.geomspace(alphas_l[0], alphas_l[0] / 100, 20)
    made = []
    # The path builds its homotopy with small buffers (the capacities are arguments
    # of LassoHomotopy; the spy only passes them).
    monkeypatch.setattr(
        path_module, "LassoHomotopy", _homotopies(made, start_capacity=2)
    )
    with _Counter() as calls:
        _, coefs, _ = lasso_path(Xc, yc, alphas=grid, **TIGHT)
    assert calls["reached"] == calls["advance"] == len(grid) - 1
    assert np.count_nonzero(coefs[:, -1]) > 8
    # The buffers grew from 2 to hold the support.
    (hom,) = made
    assert hom.S.shape[0] >= np.count_nonzero(coefs[:, -1])
    for i, alpha in enumerate(grid):
        ref = _lars_at(alphas_l, coefs_l, alpha)
        assert_allclose(coefs[:, i], ref, atol=1e-9 * np.abs(ref).max(), rtol=0)
    monkeypatch.setattr(
        path_module,
        "LassoHomotopy",
        _homotopies(made, start_capacity=2, max_capacity=6),
    )
    with _Counter() as calls:
        _, coefs6, gaps6 = lasso_path(Xc, yc, alphas=grid, **TIGHT)
    assert len(made) == 2 and made[1].S.shape[0] <= 6
    assert calls["reached"] < calls["advance"]
    assert_allclose(coefs6, coefs, atol=1e-8)
    for i, alpha in enumerate(grid):
        assert gaps6[i] <= 1e-12 * _objective(Xc, yc, coefs6[:, i], 0.0, alpha)


def test_tall_data_sparse_data_and_elastic_net_do_not_use_it():
    import scipy.sparse as sp

    X, y = _wide(n=150, p=40, seed=6)
    Xw, yw = _wide(seed=6)
    with _Counter() as calls:
        lasso_path(X, y, alphas=10, eps=0.05)
        lasso_path(sp.csc_matrix(Xw), yw, alphas=10, eps=0.05)
        enet_path(Xw, yw, l1_ratio=0.5, alphas=10, eps=0.05)
        lasso_path(Xw, yw, alphas=10, eps=0.05, solver="cd")
    assert calls["advance"] == 0 and calls["start"] == 0


def test_lasso_cv_auto_equals_cd():
    X, y = _wide(n=60, p=150, seed=7)
    with _Counter() as calls:
        auto = LassoCV(cv=3, alphas=20, eps=0.05).fit(X, y)
    # The reference: fold paths solved by coordinate descent to a gap of 1e-12
    # (the default accepts looser gaps in the over-fitted tail of each path).
    cd = LassoCV(
        cv=3, alphas=20, eps=0.05, solver="cd", tol=1e-12, max_iter=100_000
    ).fit(X, y)
    assert calls["reached"] > 0
    assert auto.alpha_ == cd.alpha_
    # Points solved by coordinate descent (the first, when alpha_max of the fold is
    # larger) are certified to 1e-6: their held-out errors agree to about that.
    assert_allclose(auto.mse_path_, cd.mse_path_, rtol=2e-5)
    assert_allclose(auto.coef_, cd.coef_, atol=1e-5)


@pytest.mark.parametrize(
    "alpha_rule, weighted, positive",
    [("min", False, False), ("1se", False, False), ("min", True, True)],
)
def test_lasso_cv_refit_follows_the_homotopy(alpha_rule, weighted, positive):
    """On wide dense data the refit follows the homotopy down the grid to alpha_ on
    all the data (no single fit): the same model as Lasso(alpha_), certified. (The
    fold paths run the compiled covariance form on the folds' statistics.)"""
    from skreg import Lasso, linear_model

    X, y = _wide(n=60, p=150, seed=10)
    sw = np.random.default_rng(3).uniform(0.2, 3.0, len(y)) if weighted else None
    cv = LassoCV(cv=3, alphas=30, alpha_rule=alpha_rule, positive=positive)
    with mock.patch.object(linear_model._cv.ElasticNet, "fit") as single_fit:
        with _Counter() as calls:
            cv.fit(X, y, sample_weight=sw)
    single_fit.assert_not_called()
    i = int(np.flatnonzero(cv.alphas_ == cv.alpha_)[0])
    assert i > 0
    assert calls["advance"] >= i  # the refit
    ref = Lasso(alpha=cv.alpha_, tol=None, max_iter=100_000, positive=positive)
    ref.fit(X, y, sample_weight=sw)
    p_cv = _objective(X, y, cv.coef_, cv.intercept_, cv.alpha_, sw)
    p_ref = _objective(X, y, ref.coef_, ref.intercept_, cv.alpha_, sw)
    assert abs(p_cv - p_ref) <= 2e-6 * p_ref
    assert 0 <= cv.dual_gap_ <= 1e-6 * p_cv
    if positive:
        assert np.all(cv.coef_ >= 0) and np.any(cv.coef_ > 0)
    assert isinstance(cv.n_iter_, int) and cv.n_iter_ >= 0
    assert isinstance(cv.intercept_, float)
    assert cv.coef_.dtype == X.dtype and cv.coef_.shape == (X.shape[1],)


def test_points_the_homotopy_reaches_are_not_finished_again():
    """Where the homotopy reaches a point exactly (the solution on its sign pattern),
    coordinate descent only certifies its gap: no finishing step, which would solve
    the same system on the support again (half the time of a wide fold path)."""
    from skreg.solvers import cd

    X, y = _wide(n=60, p=150, seed=10)
    real = cd._Finisher._newton
    n_newton = []

    def newton(self, *args, **kwargs):
        n_newton.append(1)
        return real(self, *args, **kwargs)

    with mock.patch.object(cd._Finisher, "_newton", newton):
        with _Counter() as calls:
            lasso_path(X, y, alphas=30, eps=1e-2)
    assert calls["reached"] >= 20
    assert len(n_newton) <= calls["advance"] - calls["reached"]
