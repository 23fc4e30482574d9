"""Property-based fuzzing of the sparse GLMs (the linear models' properties, extended).

Every example draws a small problem: ``n`` from 2 to 25 samples, ``p`` from 1 to 8
features of half-precision values (with zero, constant and duplicated columns), a
binary, 3-class or count target, optional integer sample weights, ``l1_ratio`` in
{1, 0.5}, and ``alpha`` between ``alpha_max / 1000`` and ``alpha_max`` (the data's
own scale). Properties, for ``SparseLogisticRegression`` (binary and multinomial)
and ``SparsePoissonRegressor``:

- certified: a fit without ``ConvergenceWarning`` reports a duality gap within its
  tolerance; the objective (recomputed here from first principles) is no worse than
  the null model's plus that gap; KKT: off the support ``|grad_j| <= l1 + slack``;
- dense = CSC: the same objective within the two certified gaps;
- row order: permuting the samples (and weights) gives the same objective within the
  gaps;
- separable data at small ``alpha``: finite coefficients and probabilities, never
  NaN (a ``ConvergenceWarning`` is allowed there).

The per-property example counts are below the ``ci`` profile's 100 (a GLM fit costs
tens of milliseconds): the module stays under ~20 s.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, note, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.special import expit, logsumexp, softmax, xlogy
from sklearn.exceptions import ConvergenceWarning

from skreg import SparseLogisticRegression, SparsePoissonRegressor
from skreg.datafits_glm import GLM_DATAFITS
from skreg.solvers.prox_newton import GLMProblem

# Fits that stop at max_iter are a legitimate outcome here (warned, checked).
pytestmark = pytest.mark.iteration_budget

FAMILIES = ["binomial", "multinomial", "poisson"]
EXAMPLES = 20
BASE = st.floats(-4, 4, width=16, allow_subnormal=False)


@st.composite
def glm_problems(draw, family):
    n = draw(st.integers(4, 25), label="n")
    p = draw(st.integers(1, 8), label="p")
    X = draw(hnp.arrays(np.float64, (n, p), elements=st.one_of(st.just(0.0), BASE)))
    if p > 1 and draw(st.booleans(), label="duplicate column"):
        X[:, -1] = X[:, 0]
    if family == "binomial":
        y = np.arange(n) % 2
        y = draw(st.permutations(y.tolist()), label="y")
    elif family == "multinomial":
        y = draw(st.permutations((np.arange(n) % 3).tolist()), label="y")
    else:
        y = draw(hnp.arrays(np.float64, n, elements=st.integers(0, 6)), label="y")
        y[0] = max(y[0], 1.0)  # a positive sum
    y = np.asarray(y)
    sw = None
    if draw(st.booleans(), label="weights"):
        sw = draw(hnp.arrays(np.float64, n, elements=st.integers(1, 4)), label="sw")
    l1_ratio = draw(st.sampled_from([1.0, 0.5]), label="l1_ratio")
    fraction = 10.0 ** draw(st.floats(-3, 0), label="log10 alpha/alpha_max")
    return X, y, sw, l1_ratio, fraction


def encode(family, y):
    if family == "binomial":
        return (y == 1).astype(float)[:, None]
    if family == "multinomial":
        return np.eye(3)[y.astype(int)]
    return y.astype(float)[:, None]


def alpha_max(family, X, y, sw, l1_ratio):
    problem = GLMProblem(
        np.asfortranarray(X), encode(family, y), sw, GLM_DATAFITS[family],
        alpha=1.0, l1_ratio=l1_ratio,
    )  # fmt: skip
    return problem.alpha_max()


def objective(family, X, y, sw, coef, intercept, alpha, l1_ratio):
    """The documented objective from first principles (float64)."""
    s = np.ones(X.shape[0]) if sw is None else sw
    s = s / s.sum()
    B = np.atleast_2d(np.asarray(coef, dtype=float))
    eta = np.asarray(X @ B.T) + np.atleast_1d(intercept)
    if family == "binomial":
        loss = np.logaddexp(0.0, eta[:, 0]) - y * eta[:, 0]
    elif family == "multinomial":
        loss = logsumexp(eta, axis=1) - eta[np.arange(len(y)), y.astype(int)]
    else:
        loss = np.exp(eta[:, 0]) - y * eta[:, 0] + xlogy(y, y) - y
    pen = l1_ratio * np.abs(B).sum() + 0.5 * (1 - l1_ratio) * (B**2).sum()
    return float(s @ loss) + alpha * pen


def gradient(family, X, y, sw, coef, intercept):
    s = np.ones(X.shape[0]) if sw is None else sw
    s = s / s.sum()
    B = np.atleast_2d(np.asarray(coef, dtype=float))
    eta = X @ B.T + np.atleast_1d(intercept)
    if family == "binomial":
        mu = expit(eta)
    elif family == "multinomial":
        mu = softmax(eta, axis=1)
    else:
        mu = np.exp(eta)
    return (s[:, None] * (mu - encode(family, y))).T @ X


def null_objective(family, X, y, sw, alpha, l1_ratio):
    Y = encode(family, y)
    problem = GLMProblem(
        np.asfortranarray(X), Y, sw, GLM_DATAFITS[family], alpha=alpha,
        l1_ratio=l1_ratio,
    )  # fmt: skip
    b0 = problem.null_intercept()
    K = Y.shape[1]
    return objective(family, X, y, sw, np.zeros((K, X.shape[1])), b0, alpha, l1_ratio)


def fit(family, X, y, sw, alpha, l1_ratio):
    """Fit; return ``(estimator, converged)``."""
    cls = SparsePoissonRegressor if family == "poisson" else SparseLogisticRegression
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        est = cls(alpha=alpha, l1_ratio=l1_ratio).fit(X, y, sample_weight=sw)
    others = [w for w in caught if not issubclass(w.category, ConvergenceWarning)]
    assert not others, [str(w.message) for w in others]
    return est, len(caught) == 0


def _draw(data, family):
    X, y, sw, l1_ratio, fraction = data.draw(glm_problems(family))
    a_max = alpha_max(family, X, y, sw, l1_ratio)
    alpha = max(fraction * a_max, 1e-6)
    note(f"alpha={alpha!r} (alpha_max={a_max!r})")
    return X, y, sw, l1_ratio, alpha


@pytest.mark.parametrize("family", FAMILIES)
@settings(max_examples=EXAMPLES)
@given(data=st.data())
def test_certified_gap_and_kkt(family, data):
    X, y, sw, l1_ratio, alpha = _draw(data, family)
    est, converged = fit(family, X, y, sw, alpha, l1_ratio)
    assert np.all(np.isfinite(est.coef_)) and np.all(np.isfinite(est.intercept_))
    obj = objective(family, X, y, sw, est.coef_, est.intercept_, alpha, l1_ratio)
    obj0 = null_objective(family, X, y, sw, alpha, l1_ratio)
    assert obj <= obj0 + 1e-12 * max(abs(obj0), 1.0) + est.dual_gap_
    if not converged:
        return
    assert est.dual_gap_ <= 1e-6 * abs(obj) + 1e-13
    G = gradient(family, X, y, sw, est.coef_, est.intercept_)
    B = np.atleast_2d(est.coef_)
    off = B == 0
    l1 = alpha * l1_ratio
    # KKT off the support, to a slack of order sqrt(gap) times the data's scale.
    slack = 10 * np.sqrt(max(est.dual_gap_, 1e-16)) * max(np.abs(X).max(), 1.0)
    assert np.all(np.abs(G[off]) <= l1 + slack)


@pytest.mark.parametrize("family", FAMILIES)
@settings(max_examples=EXAMPLES)
@given(data=st.data())
def test_dense_equals_csc(family, data):
    X, y, sw, l1_ratio, alpha = _draw(data, family)
    dense, ok_d = fit(family, X, y, sw, alpha, l1_ratio)
    sparse, ok_s = fit(family, sp.csc_matrix(X), y, sw, alpha, l1_ratio)
    if not (ok_d and ok_s):
        return
    o_d = objective(family, X, y, sw, dense.coef_, dense.intercept_, alpha, l1_ratio)
    o_s = objective(family, X, y, sw, sparse.coef_, sparse.intercept_, alpha, l1_ratio)
    assert abs(o_d - o_s) <= dense.dual_gap_ + sparse.dual_gap_ + 1e-12 * abs(o_d)


@pytest.mark.parametrize("family", FAMILIES)
@settings(max_examples=EXAMPLES)
@given(data=st.data())
def test_row_order_invariance(family, data):
    X, y, sw, l1_ratio, alpha = _draw(data, family)
    perm = data.draw(st.permutations(list(range(X.shape[0]))), label="perm")
    perm = np.asarray(perm)
    a, ok_a = fit(family, X, y, sw, alpha, l1_ratio)
    b, ok_b = fit(family, X[perm], y[perm], None if sw is None else sw[perm], alpha,
                  l1_ratio)  # fmt: skip
    if not (ok_a and ok_b):
        return
    o_a = objective(family, X, y, sw, a.coef_, a.intercept_, alpha, l1_ratio)
    o_b = objective(family, X, y, sw, b.coef_, b.intercept_, alpha, l1_ratio)
    assert abs(o_a - o_b) <= a.dual_gap_ + b.dual_gap_ + 1e-12 * abs(o_a)


@pytest.mark.parametrize("family", ["binomial", "multinomial"])
@settings(max_examples=EXAMPLES)
@given(data=st.data())
def test_separable_data_never_nan(family, data):
    X, _, sw, l1_ratio, _ = data.draw(glm_problems(family))
    # Labels from a linear score of the first column: separable whenever it varies.
    score = X[:, 0] + 1e-3 * np.arange(X.shape[0])
    if family == "binomial":
        y = (score > np.median(score)).astype(int)
    else:
        y = np.searchsorted(np.quantile(score, [1 / 3, 2 / 3]), score)
    if np.unique(y).shape[0] < 2:
        return
    alpha = data.draw(st.sampled_from([1e-4, 1e-6]), label="alpha")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = SparseLogisticRegression(alpha=alpha, l1_ratio=l1_ratio, max_iter=30)
        est.fit(X, y, sample_weight=sw)
    assert np.all(np.isfinite(est.coef_)) and np.all(np.isfinite(est.intercept_))
    proba = est.predict_proba(X)
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
