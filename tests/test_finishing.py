"""Exact solutions on the support (skreg.solvers.cd._Finisher) and fits that stay far
from their max_iter on ill-conditioned and small-alpha wide data.

References: hand-built duality gaps (tests/conftest.py), scikit-learn's ``lars_path``
(the exact lasso solution), symmetry (duplicated columns), and dense == sparse.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_diabetes
from sklearn.linear_model import lars_path
from sklearn.preprocessing import PolynomialFeatures

from skreg import ElasticNet, Lasso, enet_path
from skreg.datafits import QuadraticData
from skreg.penalties import ElasticNet as ElasticNetPenalty
from skreg.solvers import solve_cd


def _ar1(n, p, rho, seed):
    rng = np.random.default_rng(seed)
    X = np.empty((n, p), order="F")
    X[:, 0] = rng.standard_normal(n)
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1 - rho**2) * rng.standard_normal(n)
    w = np.zeros(p)
    w[rng.choice(p, 8, replace=False)] = rng.uniform(1, 2, 8) * rng.choice([-1, 1], 8)
    return X, X @ w + 0.5 * rng.standard_normal(n) + 3.0


def _alpha_max(X, y, l1_ratio=1.0):
    return np.abs((X - X.mean(0)).T @ (y - y.mean())).max() / (len(y) * l1_ratio)


def _certified(helpers, X, y, model, alpha, l1_ratio, rel):
    """The fit's own gap and one rebuilt from scratch are both within ``rel``."""
    Xc, yc, _, _ = helpers.centered_scaled(X, y)
    P = helpers.objective(X, y, model.coef_, model.intercept_, alpha, l1_ratio)
    assert model.dual_gap_ <= rel * P
    assert helpers.dual_gap(Xc, yc, model.coef_, alpha, l1_ratio) <= rel * P


@pytest.mark.parametrize("seed", [3, 4])
def test_small_alpha_wide_lasso_is_exact_in_few_epochs(helpers, seed):
    """The case that failed on another CPU: 40 x 120 at alpha_max / 300 needed about
    1 000 epochs of coordinate descent; the homotopy reaches the exact solution
    (scikit-learn's lars_path at the same alpha) without them."""
    X, y = _ar1(40, 120, 0.5, seed)
    alpha = _alpha_max(X, y) / 300
    model = Lasso(alpha=alpha).fit(X, y)
    assert model.n_iter_ <= 10
    _certified(helpers, X, y, model, alpha, 1.0, 1e-6)
    Xc, yc = X - X.mean(0), y - y.mean()
    _, _, lars = lars_path(Xc, yc, method="lasso", alpha_min=alpha)
    p_lars = helpers.objective(Xc, yc, lars[:, -1], 0.0, alpha, 1.0)
    p_fit = helpers.objective(X, y, model.coef_, model.intercept_, alpha, 1.0)
    assert abs(p_fit - p_lars) <= 1e-9 * p_lars


@pytest.mark.parametrize("l1_ratio", [0.8, 0.5])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
def test_small_alpha_wide_elastic_net_far_from_max_iter(helpers, l1_ratio, sparse):
    X, y = _ar1(40, 120, 0.5, 3)
    alpha = _alpha_max(X, y, l1_ratio) / 300
    Xs = sp.csc_matrix(X) if sparse else X
    model = ElasticNet(alpha=alpha, l1_ratio=l1_ratio).fit(Xs, y)
    assert model.n_iter_ <= 400  # knife edge: about 1 000 before the finishing step
    _certified(helpers, X, y, model, alpha, l1_ratio, 1e-6)


def _raw_diabetes_poly2():
    """Unscaled diabetes columns and their degree-2 products: a real table with
    columns on scales from 1 to 1e5 and variance inflation in the thousands."""
    X, y = load_diabetes(return_X_y=True, scaled=False)
    return PolynomialFeatures(2, include_bias=False).fit_transform(X), y


@pytest.mark.parametrize("l1_ratio", [0.5, 1.0])
@pytest.mark.parametrize("ratio", [10, 1000, 10_000])
def test_collinear_real_table_converges_well_within_max_iter(helpers, l1_ratio, ratio):
    """scikit-learn's ElasticNet stops at max_iter=1000 with a ConvergenceWarning on
    these fits from alpha_max / 1000 on; skreg certifies them well within it."""
    X, y = _raw_diabetes_poly2()
    alpha = _alpha_max(X, y, l1_ratio) / ratio
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = ElasticNet(alpha=alpha, l1_ratio=l1_ratio).fit(X, y)
    # (Covariance-form epochs: this 442 x 65 table's Gram matrix is cheap,
    # QuadraticData.gram_cheap; they run in phases of 100.)
    assert model.n_iter_ <= 500
    _certified(helpers, X, y, model, alpha, l1_ratio, 1e-6)


@pytest.mark.parametrize("l1_ratio", [0.1, 0.5, 0.9])
@pytest.mark.parametrize("n_features", [10, 60], ids=["compiled", "working-sets"])
def test_duplicated_columns_get_equal_coefficients(l1_ratio, n_features):
    """With an L2 part the optimum splits duplicated columns equally; dense and CSC
    fits agree to 1e-9. (Small dense problems polish their solution with a numeric
    ``tol``, scikit-learn's criterion; with ``tol=None`` they stop at the certified
    relative gap, faster.)"""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, n_features))
    X = np.hstack([X, X[:, :3]])
    y = 2 * X[:, 0] - X[:, 1] + rng.standard_normal(100)
    fits = [
        ElasticNet(alpha=0.05, l1_ratio=l1_ratio, tol=1e-8).fit(Xs, y)
        for Xs in (X, sp.csc_matrix(X))
    ]
    for model in fits:
        coef = model.coef_
        np.testing.assert_allclose(coef[:3], coef[n_features:], rtol=0, atol=1e-10)
    np.testing.assert_allclose(fits[0].coef_, fits[1].coef_, rtol=1e-9, atol=1e-12)


def test_finishing_step_saves_epochs_and_reaches_the_optimum(helpers):
    """solve_cd with and without the finishing step: the same objective, the step
    certifies it with a gap at rounding level, in fewer epochs."""
    X, y = _raw_diabetes_poly2()
    data = QuadraticData(np.asfortranarray(X), y, None, True)
    penalty = ElasticNetPenalty(_alpha_max(X, y, 0.5) / 1000, 0.5)
    runs = {
        finish: solve_cd(data, penalty, np.zeros(X.shape[1]), finish=finish,
                         max_iter=100_000, rel_tol=1e-12, compiled_below=0)
        for finish in (False, True)
    }  # fmt: skip
    assert runs[True].converged and runs[False].converged
    assert runs[True].n_iter < runs[False].n_iter / 2
    p = [
        helpers.objective(X, y, r.coef, data.intercept(r.coef), penalty.alpha, 0.5)
        for r in runs.values()
    ]
    assert abs(p[0] - p[1]) <= 1e-11 * p[0]


def test_small_problems_build_the_gram_matrix_once_per_path(monkeypatch):
    """Along a path on a few dense features every point reuses one Gram matrix, and
    the points equal (to 1e-12) those of a path that rebuilds it at every point."""
    rng = np.random.default_rng(1)
    X = np.asfortranarray(rng.standard_normal((500, 12)))
    X[:, 5] += 3.0
    y = X[:, :4] @ [1.0, -2.0, 0.5, 3.0] + rng.standard_normal(500)
    kw = dict(l1_ratio=0.5, alphas=30, fit_intercept=True)
    built = []
    gram = QuadraticData.gram

    def counting(self):
        built.append(self._gram is None)
        return gram(self)

    monkeypatch.setattr(QuadraticData, "gram", counting)
    _, coefs, _, intercepts = enet_path(X, y, **kw)
    assert sum(built) == 1 and len(built) >= 29

    def rebuilding(self):
        self._gram = None
        return gram(self)

    monkeypatch.setattr(QuadraticData, "gram", rebuilding)
    _, coefs_rebuilt, _, intercepts_rebuilt = enet_path(X, y, **kw)
    np.testing.assert_allclose(coefs, coefs_rebuilt, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(intercepts, intercepts_rebuilt, rtol=1e-12)


@pytest.mark.parametrize("tol", [1e-4, None])
def test_small_dense_fit_is_exact_on_its_support(tol):
    """Small dense fits (the compiled covariance-form solve) end on the exact optimum
    of their support and signs when they polish (a numeric tol, or a slow fit at
    tol=None): the support's linear system holds to 1e-10 and the KKT conditions off
    the support, and the CSC fit (working-set solver, its own polish) agrees to 1e-9.
    """
    X, y = _ar1(60, 12, 0.95, seed=3)
    alpha, l1_ratio = _alpha_max(X, y, 0.5) / 100, 0.5
    model = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=tol).fit(X, y)
    if tol is None:
        # A slow fit (40 to 100 epochs: the epochs alone stop 1e-4 short of the
        # support's system).
        assert 40 <= model.n_iter_ < 100
    w = model.coef_
    S = np.flatnonzero(w)
    Xc, yc = X - X.mean(0), y - y.mean()
    n = len(y)
    l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
    grad = Xc.T @ (Xc @ w - yc) / n
    # On the support: grad + l1 sign(w) + l2 w = 0.
    resid_S = grad[S] + l1 * np.sign(w[S]) + l2 * w[S]
    assert np.abs(resid_S).max() <= 1e-10 * max(1.0, np.abs(grad).max())
    off = np.setdiff1d(np.arange(X.shape[1]), S)
    assert np.all(np.abs(grad[off]) <= l1 * (1 + 1e-9))
    sparse = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=tol).fit(
        sp.csc_matrix(X), y
    )
    np.testing.assert_allclose(sparse.coef_, w, rtol=1e-9, atol=1e-12)


def test_fast_small_fit_compiles_no_finishing_step(monkeypatch):
    """A small dense fit certified within a few epochs at tol=None takes no finishing
    step (its first call then compiles none)."""
    X, y = load_diabetes(return_X_y=True)
    calls = []
    original = QuadraticData.gram_step
    monkeypatch.setattr(
        QuadraticData,
        "gram_step",
        lambda self, *a: calls.append(1) or original(self, *a),
    )
    model = ElasticNet().fit(X, y)
    assert model.n_iter_ < 40 and not calls
    ElasticNet(tol=1e-4).fit(X, y)  # a numeric tol polishes
    assert calls
