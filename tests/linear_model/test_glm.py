"""Sparse GLMs: SparseLogisticRegression (binary, multinomial), SparsePoissonRegressor.

References: scikit-learn's LogisticRegression (same objective times n_samples with
alpha = 1 / (C n)) and PoissonRegressor (ridge), the KKT conditions and the duality
gap at the solution, dense versus sparse, float32 versus float64.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import expit, softmax
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, PoissonRegressor

from skreg import SparseLogisticRegression, SparsePoissonRegressor
from skreg.datafits_glm import Logistic, Multinomial, Poisson
from skreg.solvers.prox_newton import GLMProblem


def _binary(n=80, p=12, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X[:, 1] += 0.8 * X[:, 0]  # correlated columns
    logits = X[:, :4] @ np.array([1.5, -1.0, 0.8, 0.5]) + 0.3
    y = (rng.random(n) < expit(logits)).astype(int)
    return X, y


def _multiclass(n=90, p=8, k=3, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    B = rng.standard_normal((k, 3))
    y = np.array([rng.choice(k, p=q) for q in softmax(X[:, :3] @ B.T, axis=1)])
    return X, y


def _counts(n=80, p=10, seed=2):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * 0.5
    y = rng.poisson(np.exp(0.5 + X[:, :3] @ np.array([0.6, -0.4, 0.3])))
    return X, y.astype(float)


def _objective(est, X, y, family, alpha, l1_ratio, sample_weight=None):
    """The documented objective at the fitted model, from first principles."""
    n = X.shape[0]
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, float)
    s = s / s.sum()
    B = np.atleast_2d(est.coef_).astype(np.float64)
    eta = X @ B.T + np.atleast_1d(est.intercept_)
    if family == "binomial":
        yy = (y == est.classes_[1]).astype(float)
        loss = np.logaddexp(0, eta[:, 0]) - yy * eta[:, 0]
    elif family == "multinomial":
        idx = np.searchsorted(est.classes_, y)
        loss = np.logaddexp.reduce(eta, axis=1) - eta[np.arange(n), idx]
    else:
        mu = np.exp(eta[:, 0])
        ylogy = np.where(y > 0, y * np.log(np.where(y > 0, y, 1)), 0.0)
        loss = mu - y * eta[:, 0] + ylogy - y
    a, r = alpha, l1_ratio
    pen = a * (r * np.abs(B).sum() + 0.5 * (1 - r) * (B**2).sum())
    return float(s @ loss) + pen


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_binary_matches_sklearn_with_alpha_from_C(l1_ratio):
    # alpha = 1 / (C n): scikit-learn minimises n times skreg's objective.
    X, y = _binary()
    C = 0.3
    alpha = 1.0 / (C * X.shape[0])
    ours = SparseLogisticRegression(alpha=alpha, l1_ratio=l1_ratio, tol=1e-10).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = LogisticRegression(
            C=C, l1_ratio=l1_ratio, solver="saga", tol=1e-12, max_iter=20000
        ).fit(X, y)
    obj = _objective(ours, X, y, "binomial", alpha, l1_ratio)
    obj_ref = _objective(ref, X, y, "binomial", alpha, l1_ratio)
    assert obj <= obj_ref + 1e-8 * abs(obj_ref)
    assert abs(obj - obj_ref) <= 1e-6 * abs(obj_ref)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-3)
    np.testing.assert_allclose(
        ours.predict_proba(X), ref.predict_proba(X), rtol=0, atol=1e-4
    )
    assert ours.coef_.shape == (1, X.shape[1])
    assert (ours.coef_ == 0).any()  # sparse


def test_binary_kkt_and_certified_gap():
    X, y = _binary(seed=3)
    est = SparseLogisticRegression(alpha=0.02, l1_ratio=0.7).fit(X, y)
    p = expit(X @ est.coef_[0] + est.intercept_[0])
    g = X.T @ (p - y) / X.shape[0]
    l1, l2 = 0.02 * 0.7, 0.02 * 0.3
    w = est.coef_[0]
    on = w != 0
    # Stationarity: g + l2 w + l1 sign(w) = 0 on the support, |g| <= l1 elsewhere.
    np.testing.assert_allclose(g[on] + l2 * w[on] + l1 * np.sign(w[on]), 0, atol=2e-4)
    assert np.all(np.abs(g[~on]) <= l1 + 2e-4)
    assert abs(np.mean(p - y)) < 1e-8  # the intercept's equation
    # The reported gap bounds the suboptimality against a much tighter solve.
    tight = SparseLogisticRegression(alpha=0.02, l1_ratio=0.7, tol=1e-12).fit(X, y)
    sub = _objective(est, X, y, "binomial", 0.02, 0.7) - _objective(
        tight, X, y, "binomial", 0.02, 0.7
    )
    assert -1e-12 <= sub <= est.dual_gap_ + 1e-15
    assert est.dual_gap_ <= 1e-6 * _objective(est, X, y, "binomial", 0.02, 0.7)


@pytest.mark.parametrize("fmt", ["csc", "csr"])
def test_dense_equals_sparse(fmt):
    X, y = _binary(seed=4)
    X[np.abs(X) < 0.7] = 0.0
    sw = np.random.default_rng(0).uniform(0.2, 2.0, X.shape[0])
    kw = dict(alpha=0.01, l1_ratio=0.8, tol=1e-10)
    dense = SparseLogisticRegression(**kw).fit(X, y, sample_weight=sw)
    sparse = SparseLogisticRegression(**kw).fit(sp.csr_matrix(X).asformat(fmt), y, sw)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, atol=1e-6)
    np.testing.assert_allclose(sparse.intercept_, dense.intercept_, atol=1e-6)


def test_float32_kept_and_close_to_float64():
    X, y = _binary(seed=5)
    e64 = SparseLogisticRegression(alpha=0.01).fit(X, y)
    e32 = SparseLogisticRegression(alpha=0.01).fit(X.astype(np.float32), y)
    assert e32.coef_.dtype == np.float32 and e32.intercept_.dtype == np.float32
    np.testing.assert_allclose(e32.coef_, e64.coef_, atol=2e-3)


def test_string_labels_proba_and_predict():
    X, y = _binary(seed=6)
    labels = np.array(["no", "yes"])[y]
    est = SparseLogisticRegression(alpha=0.01).fit(X, labels)
    assert est.classes_.tolist() == ["no", "yes"]
    proba = est.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(est.predict(X), est.classes_[proba.argmax(axis=1)])
    np.testing.assert_allclose(np.exp(est.predict_log_proba(X)), proba)
    # Extreme inputs: finite log-probabilities, no overflow.
    big = 1e6 * np.ones((1, X.shape[1]))
    assert np.all(np.isfinite(est.predict_log_proba(big)))


def test_class_weight_equals_sample_weight():
    X, y = _binary(seed=7)
    y[:50] = 0  # imbalance
    bal = SparseLogisticRegression(alpha=0.01, class_weight="balanced").fit(X, y)
    counts = np.bincount(y)
    sw = (len(y) / (2 * counts))[y]
    ref = SparseLogisticRegression(alpha=0.01).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(bal.coef_, ref.coef_, atol=1e-6)
    cw = SparseLogisticRegression(alpha=0.01, class_weight={0: 1.0, 1: 3.0}).fit(X, y)
    sw = np.where(y == 1, 3.0, 1.0)
    ref = SparseLogisticRegression(alpha=0.01).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(cw.coef_, ref.coef_, atol=1e-6)


def test_multinomial_matches_sklearn():
    X, y = _multiclass()
    C = 0.5
    alpha = 1.0 / (C * X.shape[0])
    # The default certificate (1e-6 relative gap); tight tolerances are
    # test_tight_tol_objective_matches_sklearn_saga.
    ours = SparseLogisticRegression(alpha=alpha).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = LogisticRegression(
            C=C, l1_ratio=1.0, solver="saga", tol=1e-12, max_iter=20000
        ).fit(X, y)
    assert ours.coef_.shape == (3, X.shape[1])
    obj = _objective(ours, X, y, "multinomial", alpha, 1.0)
    obj_ref = _objective(ref, X, y, "multinomial", alpha, 1.0)
    assert obj <= obj_ref + 1e-7 * abs(obj_ref)
    np.testing.assert_allclose(
        ours.predict_proba(X), ref.predict_proba(X), rtol=0, atol=1e-3
    )
    np.testing.assert_allclose(ours.intercept_.sum(), 0.0, atol=1e-12)


def _sklearn_saga(X, y, C, l1_ratio):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return LogisticRegression(
            C=C, l1_ratio=l1_ratio, solver="saga", tol=1e-12, max_iter=100_000
        ).fit(X, y)


@pytest.mark.parametrize("family", ["binomial", "multinomial"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("C", [0.3, 3.0])
def test_tight_tol_objective_matches_sklearn_saga(family, l1_ratio, C):
    # Tight tolerance on both sides: the objectives agree to 1e-8 relative of the
    # better of the two (alpha = 1 / (C n)). At tol=1e-10 the multinomial lasso
    # used to stall at a gap of ~5e-9: the Armijo test could not see the last
    # Newton steps' gains (below the objective's rounding).
    X, y = _binary() if family == "binomial" else _multiclass()
    alpha = 1.0 / (C * X.shape[0])
    ours = SparseLogisticRegression(alpha=alpha, l1_ratio=l1_ratio, tol=1e-10)
    ours.fit(X, y)
    ref = _sklearn_saga(X, y, C, l1_ratio)
    obj = _objective(ours, X, y, family, alpha, l1_ratio)
    obj_ref = _objective(ref, X, y, family, alpha, l1_ratio)
    best = min(obj, obj_ref)
    assert obj - best <= 1e-8 * best
    assert obj_ref - best <= 1e-8 * best
    assert ours.dual_gap_ <= 1e-10 * obj


@pytest.mark.parametrize("family", ["binomial", "multinomial"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_dense_equals_sparse_tight(family, l1_ratio):
    X, y = _binary(seed=14) if family == "binomial" else _multiclass(seed=4)
    X[np.abs(X) < 0.5] = 0.0
    sw = np.random.default_rng(2).uniform(0.2, 2.0, X.shape[0])
    kw = dict(alpha=0.01, l1_ratio=l1_ratio, tol=1e-10)
    dense = SparseLogisticRegression(**kw).fit(X, y, sample_weight=sw)
    sparse = SparseLogisticRegression(**kw).fit(sp.csc_matrix(X), y, sample_weight=sw)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(sparse.intercept_, dense.intercept_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(
        sparse.predict_proba(X), dense.predict_proba(X), rtol=0, atol=1e-8
    )


@pytest.mark.parametrize("l1_ratio", [1.0, 0.7, 0.2])
@pytest.mark.parametrize("K", [2, 3, 4, 7])
def test_center_classes_minimises_the_penalty_over_shifts(K, l1_ratio):
    # glmnet's elc step: the column shift c_j minimising sum_k Omega(W_kj - c_j),
    # checked against a brute-force grid refined around its best point.
    rng = np.random.default_rng(K)
    W = rng.standard_normal((K, 6))
    W[rng.random((K, 6)) < 0.3] = 0.0
    Y = np.eye(K)[np.arange(20) % K]
    problem = GLMProblem(
        np.ones((20, 6), order="F"), Y, None, Multinomial, alpha=0.3,
        l1_ratio=l1_ratio,
    )  # fmt: skip

    def pen(col, c):
        d = col - c
        return 0.3 * (l1_ratio * np.abs(d).sum() + 0.5 * (1 - l1_ratio) * (d * d).sum())

    W_new = W.copy()
    c = problem.center_classes(W_new)
    np.testing.assert_allclose(W_new, W - c)
    for j in range(W.shape[1]):
        grid = np.linspace(W[:, j].min() - 1, W[:, j].max() + 1, 4001)
        best = grid[np.argmin([pen(W[:, j], g) for g in grid])]
        fine = np.linspace(best - 1e-3, best + 1e-3, 2001)
        brute = min(pen(W[:, j], g) for g in fine)
        assert pen(W[:, j], c[j]) <= brute + 1e-12


def test_multinomial_grouped_selects_whole_features():
    X, y = _multiclass(seed=3, p=10)
    est = SparseLogisticRegression(alpha=0.03, multinomial_penalty="grouped").fit(X, y)
    zero_cols = np.all(est.coef_ == 0, axis=0)
    nonzero_cols = np.all(est.coef_ != 0, axis=0)
    assert np.all(zero_cols | nonzero_cols)  # in or out for all classes
    assert zero_cols.any() and nonzero_cols.any()
    # Group KKT: ||g_j|| <= alpha off the support.
    P = softmax(X @ est.coef_.T + est.intercept_, axis=1)
    Y = np.eye(3)[y]
    G = (P - Y).T @ X / X.shape[0]
    assert np.all(np.linalg.norm(G[:, zero_cols], axis=0) <= 0.03 * (1 + 1e-3))
    # The grouped objective is no worse than the ungrouped solution's, in its terms.
    problem = GLMProblem(
        np.asfortranarray(X), Y, None, Multinomial, alpha=0.03, l1_ratio=1.0,
        grouped=True,
    )  # fmt: skip
    ung = SparseLogisticRegression(alpha=0.03).fit(X, y)

    def grouped_obj(e):
        eta = problem.linear_predictor(e.coef_.astype(float), e.intercept_)
        return problem.primal(eta, e.coef_.astype(float))

    assert grouped_obj(est) <= grouped_obj(ung) + 1e-9


def test_fista_agrees_with_newton():
    X, y = _binary(seed=8)
    a = SparseLogisticRegression(alpha=0.02, tol=1e-9).fit(X, y)
    b = SparseLogisticRegression(alpha=0.02, tol=1e-7, solver="fista").fit(X, y)
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-4)


def test_separable_data_small_alpha_is_finite():
    X, y = _binary(seed=9)
    y = (X[:, 0] > 0).astype(int)  # separable
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = SparseLogisticRegression(alpha=1e-6, max_iter=20).fit(X, y)
    assert np.all(np.isfinite(est.coef_)) and np.all(np.isfinite(est.intercept_))
    assert (est.predict(X) == y).all()


def test_convergence_warning_when_max_iter_too_small():
    X, y = _binary(seed=10)
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        SparseLogisticRegression(alpha=1e-3, max_iter=1).fit(X, y)


def test_alpha_max_gives_zero_model():
    X, y = _binary(seed=11)
    problem = GLMProblem(
        np.asfortranarray(X), y[:, None].astype(float), None, Logistic,
        alpha=1.0, l1_ratio=1.0,
    )  # fmt: skip
    a_max = problem.alpha_max()
    assert not SparseLogisticRegression(alpha=a_max * 1.001).fit(X, y).coef_.any()
    assert SparseLogisticRegression(alpha=a_max * 0.9).fit(X, y).coef_.any()


@pytest.mark.parametrize(
    ("X", "y", "match"),
    [
        (np.ones((4, 2)), np.zeros(4), "only one class"),
        (np.array([[np.nan, 1.0], [0.0, 1.0]]), np.array([0, 1]), "NaN"),
    ],
)
def test_logistic_bad_input(X, y, match):
    with pytest.raises(ValueError, match=match):
        SparseLogisticRegression().fit(X, y)


def test_one_class_after_weights():
    X, y = _binary(seed=12)
    sw = (y == 1).astype(float)
    with pytest.raises(ValueError, match="only one class"):
        SparseLogisticRegression().fit(X, y, sample_weight=sw)


def test_poisson_ridge_matches_sklearn():
    X, y = _counts()
    ours = SparsePoissonRegressor(alpha=0.05, l1_ratio=0.0, tol=1e-10).fit(X, y)
    ref = PoissonRegressor(alpha=0.05, tol=1e-12, max_iter=1000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-6)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-6)


def test_poisson_lasso_kkt_sparse_and_weights():
    X, y = _counts(seed=3)
    sw = np.random.default_rng(1).uniform(0.5, 2.0, X.shape[0])
    est = SparsePoissonRegressor(alpha=0.05, tol=1e-10).fit(X, y, sample_weight=sw)
    s = sw / sw.sum()
    mu = est.predict(X)
    g = X.T @ (s * (mu - y))
    on = est.coef_ != 0
    np.testing.assert_allclose(g[on] + 0.05 * np.sign(est.coef_[on]), 0, atol=1e-6)
    assert np.all(np.abs(g[~on]) <= 0.05 + 1e-6)
    assert (~on).any()
    spx = SparsePoissonRegressor(alpha=0.05, tol=1e-10).fit(sp.csc_matrix(X), y, sw)
    np.testing.assert_allclose(spx.coef_, est.coef_, atol=1e-7)
    assert _objective(est, X, y, "poisson", 0.05, 1.0, sw) >= 0


def test_poisson_bad_input():
    X, y = _counts()
    with pytest.raises(ValueError, match="non-negative"):
        SparsePoissonRegressor().fit(X, y - 5)
    with pytest.raises(ValueError, match="positive"):
        SparsePoissonRegressor().fit(X, np.zeros_like(y))


def test_datafit_duals_are_lower_bounds():
    # Weak duality on random points: D(U) <= P(W) for any primal W (first principles).
    X, y = _binary(seed=13)
    Xf = np.asfortranarray(X)
    cases = [
        (Logistic, y[:, None].astype(float), 1),
        (Poisson, _counts(n=80, p=12)[1][:, None], 1),
        (Multinomial, np.eye(3)[np.arange(80) % 3], 3),
    ]
    rng = np.random.default_rng(0)
    for datafit, Y, k in cases:
        for l1_ratio in (1.0, 0.5):
            problem = GLMProblem(Xf, Y, None, datafit, alpha=0.05, l1_ratio=l1_ratio)
            for _ in range(3):
                W = 0.1 * rng.standard_normal((k, X.shape[1]))
                b = problem.null_intercept()
                eta = problem.polish_intercept(W, b, problem.linear_predictor(W, b))
                gap, primal = problem.dual_gap(W, eta)
                assert gap >= -1e-12 * abs(primal)
