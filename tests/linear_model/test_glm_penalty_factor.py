"""``penalty_factor`` on the sparse GLMs, from first principles.

The objective with factors ``f`` (the given ones rescaled to sum to ``n_features``,
as glmnet) is the weighted mean negative log-likelihood plus
``alpha sum_j f_j (l1_ratio |W_.j| + (1 - l1_ratio) / 2 ||W_.j||^2)`` (``|W_.j|`` the
L1 norm of the column, or its L2 norm when grouped). At the optimum, with ``G`` the
datafit gradient in ``W``: ``G_kj = 0`` for an unpenalised feature (``f_j = 0``),
``G_kj + alpha f_j (l1_ratio sign(W_kj) + (1 - l1_ratio) W_kj) = 0`` on the support
and ``|G_kj| <= alpha f_j l1_ratio`` off it (grouped: the same with column norms).
The glmnet references are in ``test_glm_glmnet.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import expit, softmax

from skreg import (
    SparseLogisticRegression,
    SparseLogisticRegressionCV,
    SparsePoissonRegressor,
)
from skreg.linear_model import _glm_cv, logistic_path

KKT_ATOL = 1e-6


def _tight_tol(kind, l1_ratio=1.0):
    """A tolerance the solver reaches: the grouped penalty is solved by proximal
    gradient, whose lasso gap stalls near 1e-8 on these problems with or without
    factors (its dual point, not the factors); its KKT conditions hold to 1e-8."""
    return 1e-7 if kind == "grouped" and l1_ratio == 1.0 else 1e-10


def _data(kind, seed=0, n=80, p=12):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X[:, 3] += 2.0  # a shifted column: the intercept matters
    eta = X[:, :3] @ np.array([1.0, -0.8, 0.6])
    if kind == "binomial":
        y = (eta + rng.logistic(size=n) > 0).astype(int)
    elif kind == "multinomial":
        y = np.digitize(eta + 0.5 * rng.standard_normal(n), [-0.7, 0.7])
    else:
        y = rng.poisson(np.exp(0.4 * eta)).astype(float)
    return X, y


def _factors(p, seed=1):
    pf = np.random.default_rng(seed).uniform(0.3, 3.0, size=p)
    pf[[5, 8]] = 0.0  # two unpenalised features, without signal
    return pf


def _estimator(kind, **params):
    if kind == "poisson":
        return SparsePoissonRegressor(**params)
    penalty = "grouped" if kind == "grouped" else "ungrouped"
    return SparseLogisticRegression(multinomial_penalty=penalty, **params)


def _fit(kind, X, y, **params):
    est = _estimator(kind, **params).fit(X, y)
    W = np.atleast_2d(est.coef_).astype(float)
    b = np.atleast_1d(est.intercept_).astype(float)
    return est, W, b


def _gradient(kind, X, y, W, b):
    """Datafit gradient in ``W`` (mean loss), shape ``(K, p)``."""
    eta = np.asarray(X @ W.T) + b
    if kind == "poisson":
        R = np.exp(eta) - y[:, None]
    elif W.shape[0] == 1:
        R = expit(eta) - y[:, None]
    else:
        R = softmax(eta, axis=1) - np.eye(W.shape[0])[y]
    return np.asarray(X.T @ R).T / X.shape[0]


def _kkt_violation(G, W, alpha, l1_ratio, f, grouped):
    """Largest distance of ``-G`` to the subdifferential of the penalty at ``W``."""
    l1, l2 = alpha * l1_ratio * f, alpha * (1.0 - l1_ratio) * f
    R = G + l2 * W  # smooth part
    if grouped:
        norms = np.linalg.norm(W, axis=0)
        on = norms > 0
        unit = np.where(on, W / np.where(on, norms, 1.0), 0.0)
        viol = np.where(
            on,
            np.linalg.norm(R + l1 * unit, axis=0),
            np.maximum(np.linalg.norm(R, axis=0) - l1, 0.0),
        )
        return float(viol.max())
    viol = np.where(
        W != 0, np.abs(R + l1 * np.sign(W)), np.maximum(np.abs(R) - l1, 0.0)
    )
    return float(viol.max())


KINDS = {
    "binomial": ("binomial", False),
    "multinomial": ("multinomial", False),
    "grouped": ("multinomial", True),
    "poisson": ("poisson", False),
}


def _objective(kind, X, y, W, b, alpha, l1_ratio, f, grouped):
    """The mean negative log-likelihood (up to a constant) plus the penalty."""
    data_kind = KINDS[kind][0]
    eta = np.asarray(X @ W.T) + b
    if data_kind == "poisson":
        loss = np.exp(eta[:, 0]) - y * eta[:, 0]
    elif W.shape[0] == 1:
        loss = np.logaddexp(0.0, eta[:, 0]) - y * eta[:, 0]
    else:
        top = eta.max(axis=1)
        lse = top + np.log(np.exp(eta - top[:, None]).sum(axis=1))
        loss = lse - eta[np.arange(X.shape[0]), y]
    l1 = np.linalg.norm(W, axis=0) if grouped else np.abs(W).sum(axis=0)
    l2 = (W**2).sum(axis=0)
    return loss.mean() + alpha * f @ (l1_ratio * l1 + 0.5 * (1 - l1_ratio) * l2)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_kkt_with_factors_at_the_solution(kind, l1_ratio):
    data_kind, grouped = KINDS[kind]
    X, y = _data(data_kind)
    pf = _factors(X.shape[1])
    f = pf * X.shape[1] / pf.sum()
    alpha = 0.02 / l1_ratio
    tol = _tight_tol(kind, l1_ratio)
    _, W, b = _fit(
        kind, X, y, alpha=alpha, l1_ratio=l1_ratio, penalty_factor=pf, tol=tol
    )
    G = _gradient(data_kind, X, y, W, b)
    assert _kkt_violation(G, W, alpha, l1_ratio, f, grouped) <= KKT_ATOL
    # The unpenalised features are in the model with a zero gradient; some
    # penalised ones are out (the factors matter).
    assert np.all(np.abs(W[:, pf == 0]).max(axis=0) > 0)
    np.testing.assert_allclose(G[:, pf == 0], 0.0, atol=KKT_ATOL)
    assert np.any(np.all(W[:, pf > 0] == 0, axis=0))
    # The factors enter: the model without them is another one.
    _, W_plain, _ = _fit(kind, X, y, alpha=alpha, l1_ratio=l1_ratio, tol=tol)
    assert np.abs(W_plain - W).max() > 1e-3


@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_fista_reaches_newtons_objective_with_factors(kind, l1_ratio):
    """Proximal gradient (its prox with factors) and Newton agree on the optimum.

    ``tol=1e-7``: the lasso gap of proximal gradient stalls near 1e-8 on these
    problems with or without factors (its dual point, not the factors).
    """
    data_kind, grouped = KINDS[kind]
    X, y = _data(data_kind)
    pf = _factors(X.shape[1])
    f = pf * X.shape[1] / pf.sum()
    params = {"alpha": 0.02, "l1_ratio": l1_ratio, "penalty_factor": pf}
    _, W_newton, b_newton = _fit(kind, X, y, tol=_tight_tol(kind, l1_ratio), **params)
    _, W, b = _fit(kind, X, y, tol=1e-7, solver="fista", **params)
    args = (kind, X, y)
    best = _objective(*args, W_newton, b_newton, 0.02, l1_ratio, f, grouped)
    ours = _objective(*args, W, b, 0.02, l1_ratio, f, grouped)
    # Newton's point is certified to _tight_tol (1e-10 relative): the optimum lies
    # at most that far below it, and so may proximal gradient's point.
    floor = best - _tight_tol(kind, l1_ratio) * abs(best)
    assert floor <= ours <= best + 1e-7 * abs(best)
    np.testing.assert_allclose(W, W_newton, atol=2e-3)
    assert np.all(np.abs(W[:, pf == 0]).max(axis=0) > 0)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_alpha_max_is_over_the_penalised_features_at_the_unpenalised_fit(kind):
    data_kind, _ = KINDS[kind]
    X, y = _data(data_kind)
    pf = _factors(X.shape[1])
    if kind == "poisson":
        # logistic_path is the public path; the Poisson grid is glm_alpha_grid's.
        from skreg._glm_path import _problem, glm_alpha_grid
        from skreg.datafits_glm import Poisson

        problem = _problem(
            np.asfortranarray(X), y[:, None], None, Poisson, 1.0, False, False, True,
            pf,
        )  # fmt: skip
        alpha_max = glm_alpha_grid(problem, 3)[0]
    else:
        penalty = "grouped" if kind == "grouped" else "ungrouped"
        alpha_max = logistic_path(
            X, y, penalty_factor=pf, multinomial_penalty=penalty, n_alphas=2, eps=0.5
        )[0][0]
    _, W_above, _ = _fit(kind, X, y, alpha=1.001 * alpha_max, penalty_factor=pf)
    _, W_below, _ = _fit(kind, X, y, alpha=0.98 * alpha_max, penalty_factor=pf)
    assert np.all(W_above[:, pf > 0] == 0)
    assert np.all(np.abs(W_above[:, pf == 0]).max(axis=0) > 0)
    assert np.any(W_below[:, pf > 0] != 0)
    # Without factors the grid starts elsewhere (the maximum over all features).
    _, W_plain, _ = _fit(kind, X, y, alpha=1.001 * alpha_max)
    assert not np.array_equal(W_plain != 0, W_above != 0)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_equal_factors_are_no_factors(kind):
    data_kind, _ = KINDS[kind]
    X, y = _data(data_kind)
    _, W0, b0 = _fit(kind, X, y, alpha=0.03, l1_ratio=0.8)
    for pf in (np.ones(X.shape[1]), np.full(X.shape[1], 3.5)):
        _, W, b = _fit(kind, X, y, alpha=0.03, l1_ratio=0.8, penalty_factor=pf)
        np.testing.assert_array_equal(W, W0)
        np.testing.assert_array_equal(b, b0)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_factors_are_rescaled_like_glmnet(kind):
    """Factors ``c * f`` give the model of ``f``: they are rescaled to sum to p."""
    data_kind, _ = KINDS[kind]
    X, y = _data(data_kind)
    pf = _factors(X.shape[1])
    tol = _tight_tol(kind)
    _, W1, b1 = _fit(kind, X, y, alpha=0.02, penalty_factor=pf, tol=tol)
    _, W2, b2 = _fit(kind, X, y, alpha=0.02, penalty_factor=7.0 * pf, tol=tol)
    # Two solves certified to ``tol``: coefficients agree to what that gap allows
    # (the grouped penalty's 1e-7 leaves them 1e-8 to 1e-7 apart).
    atol = 1e-9 if tol <= 1e-10 else 1e-6
    np.testing.assert_allclose(W2, W1, rtol=1e-7, atol=atol)
    np.testing.assert_allclose(b2, b1, rtol=1e-7, atol=atol)


@pytest.mark.parametrize("solver", ["auto", "fista"])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_dense_and_csc_give_the_same_model(kind, solver):
    data_kind, _ = KINDS[kind]
    X, y = _data(data_kind)
    X[np.abs(X) < 0.6] = 0.0
    pf = _factors(X.shape[1])
    tol = 1e-7 if solver == "fista" else _tight_tol(kind)
    params = {"alpha": 0.02, "penalty_factor": pf, "tol": tol, "solver": solver}
    _, W_dense, b_dense = _fit(kind, X, y, **params)
    _, W_csc, b_csc = _fit(kind, sp.csc_matrix(X), y, **params)
    np.testing.assert_allclose(W_csc, W_dense, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(b_csc, b_dense, rtol=1e-6, atol=1e-8)


def test_zero_factor_on_a_strong_feature_is_never_shrunk():
    """With its factor 0 a feature keeps its unpenalised effect at any alpha."""
    X, y = _data("binomial")
    pf = np.ones(X.shape[1])
    pf[0] = 0.0
    est = SparseLogisticRegression(alpha=10.0, penalty_factor=pf, tol=1e-10)
    est.fit(X, y)
    assert np.all(est.coef_[0, 1:] == 0)
    ref = SparseLogisticRegression(alpha=0.0, tol=1e-10).fit(X[:, :1], y)
    np.testing.assert_allclose(est.coef_[0, 0], ref.coef_[0, 0], rtol=1e-6)


BAD_FACTORS = [
    (np.ones(5), "shape"),
    (np.r_[-1.0, np.ones(11)], ">= 0"),
    (np.zeros(12), "positive entry"),
    (np.r_[np.nan, np.ones(11)], "NaN"),
    (np.r_[np.inf, np.ones(11)], "finite"),
]


@pytest.mark.parametrize("pf, match", BAD_FACTORS)
@pytest.mark.parametrize(
    "make",
    [
        lambda pf: SparseLogisticRegression(alpha=0.1, penalty_factor=pf),
        lambda pf: SparsePoissonRegressor(alpha=0.1, penalty_factor=pf),
        lambda pf: SparseLogisticRegressionCV(alphas=3, cv=2, penalty_factor=pf),
        lambda pf: SparseLogisticRegressionCV(
            alphas=[0.1, 0.01], cv=2, penalty_factor=pf
        ),
    ],
)
def test_bad_factors_raise_naming_the_parameter(make, pf, match, monkeypatch):
    X, y = _data("binomial")
    y = y.astype(float) if isinstance(make(None), SparsePoissonRegressor) else y

    def no_path(*args, **kwargs):  # the error comes before any fold's path
        raise AssertionError("a path was fitted")

    monkeypatch.setattr(_glm_cv, "glm_path", no_path)
    with pytest.raises(ValueError, match="penalty_factor") as info:
        make(pf).fit(X, y)
    assert match in str(info.value)


@pytest.mark.parametrize("pf, match", BAD_FACTORS)
def test_bad_factors_raise_in_the_path(pf, match):
    X, y = _data("binomial")
    with pytest.raises(ValueError, match="penalty_factor"):
        logistic_path(X, y, penalty_factor=pf, n_alphas=3)


def test_cv_passes_the_factors_to_every_fold_path_and_the_refit(monkeypatch):
    X, y = _data("multinomial")
    pf = _factors(X.shape[1])
    seen = []
    glm_path = _glm_cv.glm_path

    def spy(*args, **kwargs):
        seen.append(kwargs["penalty_factor"])
        return glm_path(*args, **kwargs)

    monkeypatch.setattr(_glm_cv, "glm_path", spy)
    cv = SparseLogisticRegressionCV(
        alphas=6, l1_ratio=[0.5, 1.0], cv=3, penalty_factor=pf, tol=1e-10
    ).fit(X, y)
    assert len(seen) == 2 * 3
    assert all(s is pf for s in seen)
    # The grid starts at the alpha_max of the penalised features ...
    start = logistic_path(X, y, penalty_factor=pf, l1_ratio=0.5, n_alphas=2, eps=0.5)
    start = start[0][0]
    np.testing.assert_allclose(cv.alphas_[0, 0], start, rtol=1e-12)
    # ... and the refit is the estimator's fit with the same factors.
    ref = SparseLogisticRegression(
        alpha=cv.alpha_, l1_ratio=cv.l1_ratio_, penalty_factor=pf, tol=1e-10
    ).fit(X, y)
    np.testing.assert_allclose(cv.coef_, ref.coef_, rtol=1e-8, atol=1e-10)
    assert np.all(np.abs(cv.coef_[:, pf == 0]).max(axis=0) > 0)


@pytest.mark.parametrize("kind", ["binomial", "multinomial", "grouped"])
def test_path_with_factors_matches_single_fits(kind):
    """Warm starts and the strong rule with factors: each point is the optimum.

    The grouped path (proximal gradient) stops at ``eps=0.1``: below, its gap
    certifies slowly on this problem (as without factors), which costs seconds. Its
    tolerance (1e-7 relative gap) bounds the KKT violation only to about the square
    root of the gap: 1e-4.
    """
    data_kind, grouped = KINDS[kind]
    X, y = _data(data_kind, seed=3, n=60, p=30)
    pf = _factors(X.shape[1], seed=4)
    penalty = "grouped" if grouped else "ungrouped"
    alphas, coefs, intercepts, _ = logistic_path(
        X, y, penalty_factor=pf, multinomial_penalty=penalty, n_alphas=8,
        eps=0.1 if grouped else 0.01, tol=_tight_tol(kind),
    )  # fmt: skip
    f = pf * X.shape[1] / pf.sum()
    for i, alpha in enumerate(alphas):
        W, b = coefs[:, :, i], intercepts[:, i]
        G = _gradient(data_kind, X, y, W, b)
        atol = 1e-4 if grouped else KKT_ATOL
        assert _kkt_violation(G, W, alpha, 1.0, f, grouped) <= atol, i


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_positive_with_an_unpenalised_feature_held_at_zero(fit_intercept):
    """``positive`` and a factor 0: a feature pulled below zero stays at zero.

    Its KKT condition is then ``G_j >= 0`` (not ``G_j = 0``), and the gap must
    still certify the fit (it used to stall, projecting on ``G_j = 0``).
    """
    X, y = _data("binomial")
    X[:, 5] = X[:, 1]  # unpenalised, and its unconstrained effect is negative
    pf = _factors(X.shape[1])
    f = pf * X.shape[1] / pf.sum()
    alpha = 0.02
    est = SparseLogisticRegression(
        alpha=alpha, penalty_factor=pf, positive=True, fit_intercept=fit_intercept,
        tol=1e-10,
    ).fit(X, y)  # fmt: skip
    W = est.coef_.astype(float)
    G = _gradient("binomial", X, y, W, est.intercept_)
    assert np.all(W >= 0) and W[0, 5] == 0 and W[0, 8] > 0
    assert G[0, 5] > 1e-3  # held at its bound
    viol = np.where(W > 0, np.abs(G + alpha * f), np.maximum(-G - alpha * f, 0.0))
    assert viol.max() <= KKT_ATOL
