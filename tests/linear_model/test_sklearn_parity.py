"""The behaviours scikit-learn's own coordinate-descent tests check, tested directly.

Each test here reproduces, on a small seeded problem, a cause of failure of
``benchmarks/sklearn_suite.py`` (see ``test_sklearn_suite.py``): references are
scikit-learn's estimators or first principles, never stored numbers.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import make_regression
from sklearn.linear_model import LinearRegression, Ridge

from skreg import ElasticNet


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
