"""The behaviours scikit-learn's own coordinate-descent tests check, tested directly.

Each test here reproduces, on a small seeded problem, a cause of failure of
``benchmarks/sklearn_suite.py`` (see ``test_sklearn_suite.py``): references are
scikit-learn's estimators or first principles, never stored numbers.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn.datasets import make_regression
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import LeaveOneGroupOut

from skreg import ElasticNet, ElasticNetCV, LassoCV, enet_path


def _collinear(n_samples=300, n_features=100, seed=0):
    # scikit-learn's test_enet_ridge_consistency: effective_rank=10, singular values
    # decaying over decades, on which coordinate descent crawls for ridge and least
    # squares.
    rng = np.random.RandomState(seed)
    X, y = make_regression(
        n_samples=n_samples,
        n_features=n_features,
        effective_rank=10,
        n_informative=50,
        random_state=rng,
    )
    sw = rng.uniform(low=0.01, high=10, size=n_samples)
    return X, y, sw


@pytest.mark.parametrize("ridge_alpha", [1e-6, 1e-1, 1e3])
@pytest.mark.parametrize("weighted", [False, True])
def test_ridge_corner_is_exact(ridge_alpha, weighted):
    # ElasticNet(l1_ratio=0) is Ridge with alpha / sum(sw): equal to rounding, at
    # skreg's default tol as well as at a tight scikit-learn tol.
    X, y, sw = _collinear()
    sw = sw if weighted else np.ones_like(sw)
    ridge = Ridge(alpha=ridge_alpha, solver="svd").fit(X, y, sample_weight=sw)
    for tol in (None, 1e-12):
        enet = ElasticNet(alpha=ridge_alpha / sw.sum(), l1_ratio=0, tol=tol)
        enet.fit(X, y, sample_weight=sw)
        assert_allclose(enet.coef_, ridge.coef_, rtol=1e-8, atol=1e-11)
        assert_allclose(enet.intercept_, ridge.intercept_, rtol=1e-10, atol=1e-11)


@pytest.mark.filterwarnings("ignore:With alpha=0, this algorithm:UserWarning")
@pytest.mark.parametrize("effective_rank", [None, 8])
def test_least_squares_corner_is_exact(effective_rank):
    rng = np.random.RandomState(1)
    X, y = make_regression(
        n_samples=120,
        n_features=40,
        effective_rank=effective_rank,
        n_informative=20,
        random_state=rng,
    )
    sw = rng.uniform(low=0.01, high=10, size=X.shape[0])
    ols = LinearRegression().fit(X, y, sample_weight=sw)
    enet = ElasticNet(alpha=0, tol=1e-15).fit(X, y, sample_weight=sw)
    # y is exactly linear in X: the weighted squared error is rounding.
    assert np.sum(sw * (y - enet.predict(X)) ** 2) <= 1e-19
    assert_allclose(enet.coef_, ols.coef_, rtol=0, atol=1e-11)
    assert_allclose(enet.intercept_, ols.intercept_, rtol=0, atol=1e-11)
    assert enet.n_iter_ == 1


def test_overflowing_x_error_names_x_and_says_sklearns_words():
    # scikit-learn's test_enet_nonfinite_params: X near the float64 maximum.
    rng = np.random.RandomState(0)
    X = np.finfo(np.float64).max * rng.uniform(size=(10, 2))
    y = rng.randint(0, 2, size=10).astype(float)
    msg = "Coordinate descent iterations resulted in non-finite parameter values"
    with pytest.raises(ValueError, match=msg) as info:
        ElasticNet(alpha=0.1).fit(X, y)
    assert str(info.value).startswith("X is too badly scaled for float64")


def _noiseless(n_samples, n_features, seed=0):
    # scikit-learn's build_dataset: a noiseless linear model on 10 features.
    rng = np.random.RandomState(seed)
    w = rng.randn(n_features)
    w[10:] = 0.0
    X = rng.randn(n_samples, n_features)
    return X, X @ w


def _assert_same_up_to_rounding(a, b):
    # rtol 1e-9 on the entries; entries at the rounding level of the largest one
    # (exact zeros on one side, 1e-17 on the other) count as equal.
    assert_allclose(a, b, rtol=1e-9, atol=1e-13 * np.abs(b).max())


@pytest.mark.parametrize("seed", [0, 1])
def test_dense_and_sparse_paths_reach_the_same_points(seed):
    # Dense 50 x 20 paths run in covariance form (the small-problem solve), sparse
    # ones from the residual: each finishing step is accepted only if the objective
    # does not rise, which the covariance-form objective (||y||^2 - 2 w.b + w.G.w)
    # cannot tell to better than eps ||y||^2; its change must be computed directly.
    X, y = _noiseless(50, 20, seed)
    _, dense, _ = enet_path(X, y, tol=1e-10)
    _, sparse, _ = enet_path(sp.csr_matrix(X), y, tol=1e-10)
    _assert_same_up_to_rounding(sparse, dense)


def test_dense_and_sparse_slow_small_fits_agree():
    # scikit-learn's test_same_multiple_output_sparse_dense: 4 x 5 with affine
    # columns, the last target needing 70 epochs. At the default tol=None both fits
    # certify the relative gap 1e-6 (the dense covariance-form fit polishes only
    # after a whole phase: a polish costs twice a small fit), so their objectives
    # agree to it; with scikit-learn's numeric tol both polish and agree to rounding.
    X = np.array(
        [[0, 1, 2, 3, 4], [0, 2, 5, 8, 11], [9, 10, 11, 12, 13], [10, 11, 12, 13, 14]],
        dtype=float,
    )
    y = X[:, 4] + 1.0

    def objective(model):
        r = y - X @ model.coef_ - model.intercept_
        l1, l2 = np.abs(model.coef_).sum(), model.coef_ @ model.coef_
        return 0.5 * np.mean(r**2) + 1.0 * (0.5 * l1 + 0.25 * l2)

    dense = ElasticNet().fit(X, y)
    sparse = ElasticNet().fit(sp.csc_matrix(X), y)
    assert dense.n_iter_ >= 40  # the slow fit this test is about
    assert_allclose(objective(dense), objective(sparse), rtol=2e-6)
    dense = ElasticNet(tol=1e-4).fit(X, y)
    sparse = ElasticNet(tol=1e-4).fit(sp.csc_matrix(X), y)
    _assert_same_up_to_rounding(sparse.coef_, dense.coef_)
    assert_allclose(sparse.intercept_, dense.intercept_, rtol=1e-12)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("Model", [ElasticNetCV, LassoCV])
def test_cv_sample_weight_equals_repetition(Model, fit_intercept, sparse):
    # scikit-learn's test_enet_cv_sample_weight_correctness: integer weights on one
    # cross-validation group equal repeating its rows, for the held-out errors of
    # every alpha (rtol 1e-7) and the refit (1e-10). The dense case flipped with
    # the BLAS kernels' rounding (OPENBLAS_CORETYPE=Prescott) while the
    # covariance-form finishing step was accepted on a rounded objective.
    rng = np.random.RandomState(42)
    X = rng.rand(30, 5)
    beta = 10 * rng.rand(5)
    beta[:2] = 0.0
    y = X @ beta + rng.rand(30)
    sw = np.ones(30)
    sw[:10] = rng.randint(0, 5, size=10)
    groups = np.repeat([0, 1, 2], 10)
    reps = sw.astype(int)
    X_rep, y_rep, groups_rep = (np.repeat(a, reps, axis=0) for a in (X, y, groups))
    container = sp.csc_matrix if sparse else np.asarray
    kw = {"fit_intercept": fit_intercept, "tol": 1e-6}
    weighted = Model(cv=list(LeaveOneGroupOut().split(X, groups=groups)), **kw)
    weighted.fit(container(X), y, sample_weight=sw)
    repeated = Model(cv=list(LeaveOneGroupOut().split(X_rep, groups=groups_rep)), **kw)
    repeated.fit(container(X_rep), y_rep)
    assert_allclose(weighted.alphas_, repeated.alphas_, rtol=1e-12)
    assert_allclose(weighted.mse_path_, repeated.mse_path_, rtol=1e-7)
    assert weighted.alpha_ == pytest.approx(repeated.alpha_, rel=1e-12)
    assert_allclose(weighted.coef_, repeated.coef_, rtol=0, atol=1e-10)
    assert_allclose(weighted.intercept_, repeated.intercept_, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
def test_ridge_corner_constant_column(weighted):
    # A constant column centres to exact zeros: its coefficient is 0, as Ridge's.
    X, y, sw = _collinear(n_samples=60, n_features=8)
    X[:, 3] = 7.0
    sw = sw if weighted else None
    ridge = Ridge(alpha=1.0, solver="svd").fit(X, y, sample_weight=sw)
    total = 60.0 if sw is None else sw.sum()
    enet = ElasticNet(alpha=1.0 / total, l1_ratio=0).fit(X, y, sample_weight=sw)
    assert enet.coef_[3] == 0.0
    assert_allclose(enet.coef_, ridge.coef_, rtol=1e-8, atol=1e-11)
    assert_allclose(enet.intercept_, ridge.intercept_, rtol=1e-10)


def test_ridge_corner_float32_stays_float32():
    X, y, _ = _collinear(n_samples=80, n_features=10)
    enet64 = ElasticNet(alpha=0.01, l1_ratio=0).fit(X, y)
    enet32 = ElasticNet(alpha=0.01, l1_ratio=0).fit(X.astype(np.float32), y)
    assert enet32.coef_.dtype == np.float32
    assert_allclose(enet32.coef_, enet64.coef_, rtol=1e-4, atol=1e-4)
