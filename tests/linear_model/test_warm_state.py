"""Warm-started fits that stop at ``max_iter`` continue the same solve.

Two warm-started fits of ``k`` epochs must end where one fit of ``2 k`` epochs does
(scikit-learn's ``test_warm_start``), far from the optimum, which needs the solver's
state beyond ``coef_`` (``skreg/linear_model/_warm_state.py``); a changed problem
must not resume a stale state.
"""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from skreg import ElasticNet, Lasso


def _wide(n=50, p=200, seed=0):
    """scikit-learn's ``build_dataset``: 10 informative features of 200, 50 rows."""
    rng = np.random.RandomState(seed)
    w = rng.randn(p)
    w[10:] = 0.0
    X = rng.randn(n, p)
    return np.asfortranarray(X), X @ w


def _tall(n=300, p=60, seed=1, rho=0.95):
    """Correlated neighbouring columns: hundreds of epochs to converge."""
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, p))
    X = np.empty((n, p))
    X[:, 0] = Z[:, 0]
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1 - rho**2) * Z[:, j]
    beta = np.zeros(p)
    beta[::3] = rng.standard_normal(beta[::3].shape[0])
    return np.asfortranarray(X), X @ beta + rng.standard_normal(n)


# (estimator, data, k): dense wide ElasticNet is scikit-learn's case; a cyclic Lasso
# runs coordinate descent on tall data (on wide dense data from zero it follows the
# homotopy, exact whatever max_iter), a random-order one on wide data too (its random
# generator is part of the state); 17 epochs per fit cut working sets and Anderson
# cycles mid-way. (precompute=False on the tall table: the residual-form working sets,
# whose state matters; its cheap Gram matrix would take the covariance-form solve,
# whose iterates depend on w alone.)
CASES = [
    (lambda **kw: ElasticNet(alpha=0.1, **kw), _wide, 5),
    (
        lambda **kw: ElasticNet(alpha=1e-3, l1_ratio=0.7, precompute=False, **kw),
        _tall,
        17,
    ),
    (lambda **kw: Lasso(alpha=1e-3, precompute=False, **kw), _tall, 17),
    (
        lambda **kw: Lasso(alpha=0.02, selection="random", random_state=0, **kw),
        _wide,
        4,
    ),
]


def _fit_quietly(est, X, y, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **fit_params)


def _unconverged(est, X, y):
    """Fit, asserting that the fit stops at max_iter short of its tolerance."""
    with pytest.warns(ConvergenceWarning):
        est.fit(X, y)
    return est


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("make, dataset, k", CASES)
def test_k_plus_k_epochs_equal_2k(make, dataset, k, sparse):
    X, y = dataset()
    X = sp.csc_matrix(X) if sparse else X
    once = _unconverged(make(max_iter=3 * k), X, y)
    est = make(max_iter=k, warm_start=True)
    for _ in range(3):
        _unconverged(est, X, y)
        assert est.n_iter_ == k  # this fit's epochs
    # The same iterates, up to rounding (measured: bitwise equal).
    scale = np.max(np.abs(once.coef_))
    assert_allclose(est.coef_, once.coef_, rtol=0, atol=1e-12 * scale)
    assert_allclose(est.intercept_, once.intercept_, rtol=1e-12, atol=1e-12)
    # Far from the optimum: continuing from coef_ alone lands elsewhere.
    plain = make(max_iter=k, warm_start=True)
    for _ in range(3):
        _fit_quietly(plain, X, y)
        del plain._solver_state
    assert np.max(np.abs(plain.coef_ - once.coef_)) > 1e-6 * scale


def test_multi_target_and_pickle():
    X, y = _tall()
    Y = np.c_[y, y[::-1]]
    once = _fit_quietly(ElasticNet(alpha=1e-3, max_iter=40), X, Y)
    est = _fit_quietly(ElasticNet(alpha=1e-3, max_iter=20, warm_start=True), X, Y)
    est = pickle.loads(pickle.dumps(est))  # the state travels with the estimator
    _fit_quietly(est, X, Y)
    assert est.n_iter_ == [20, 20]
    assert_allclose(est.coef_, once.coef_, rtol=0, atol=1e-12)


@pytest.mark.parametrize("k, n_fits", [(100, 2), (70, 3)])
def test_small_problem_across_phases(k, n_fits):
    # 25 dense features: the compiled small solve, which runs phases of 100 epochs
    # with a finishing step between them; fits of 100 epochs stop on a phase
    # boundary, fits of 70 inside phases.
    X, y = _tall(n=400, p=25, seed=2, rho=0.995)
    once = _unconverged(ElasticNet(alpha=1e-5, max_iter=k * n_fits), X, y)
    est = ElasticNet(alpha=1e-5, max_iter=k, warm_start=True)
    for _ in range(n_fits):
        _unconverged(est, X, y)
    scale = np.max(np.abs(once.coef_))
    assert_allclose(est.coef_, once.coef_, rtol=0, atol=1e-12 * scale)


def test_state_kept_only_while_it_can_continue():
    X, y = _wide()
    est = _fit_quietly(ElasticNet(alpha=0.1, max_iter=5, warm_start=True), X, y)
    assert hasattr(est, "_solver_state")
    assert not hasattr(clone(est), "_solver_state")
    # A fit that converges has nothing to continue.
    est.set_params(max_iter=10_000).fit(X, y)
    assert not hasattr(est, "_solver_state")
    cold = _fit_quietly(ElasticNet(alpha=0.1, max_iter=5), X, y)
    assert not hasattr(cold, "_solver_state")


def _flip_zero_column(X, coef):
    """``X`` with the sign of a column flipped where ``coef`` is zero: the same
    column norms and the same ``X @ coef``, so the same residual."""
    X = X.copy()
    j = int(np.flatnonzero(coef == 0)[0])
    X[:, j] = -X[:, j]
    return X


CHANGES = {
    "alpha": lambda est, X, y, sw: (est.set_params(alpha=0.09), X, y, sw),
    "l1_ratio": lambda est, X, y, sw: (est.set_params(l1_ratio=0.6), X, y, sw),
    "tol": lambda est, X, y, sw: (est.set_params(tol=1e-3), X, y, sw),
    "X": lambda est, X, y, sw: (est, _flip_zero_column(X, est.coef_), y, sw),
    "y": lambda est, X, y, sw: (est, X, y + 1e-3 * np.sin(np.arange(y.size)), sw),
    "sample_weight": lambda est, X, y, sw: (est, X, y, np.linspace(0.5, 1.5, y.size)),
    "coef_": lambda est, X, y, sw: (
        setattr(est, "coef_", est.coef_ * (1 + 1e-9)) or est,
        X,
        y,
        sw,
    ),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_changed_problem_does_not_resume_stale_state(change):
    """After a change, the fit is a plain warm start from ``coef_``: the same as
    with the state deleted."""
    X, y = _wide()
    fits = []
    for drop_state in (False, True):
        est = _fit_quietly(ElasticNet(alpha=0.1, max_iter=5, warm_start=True), X, y)
        if drop_state:
            del est._solver_state
        est, X2, y2, sw = CHANGES[change](est, X, y, None)
        fits.append(_fit_quietly(est, X2, y2, sample_weight=sw).coef_)
    assert_array_equal(fits[0], fits[1])
