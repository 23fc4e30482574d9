"""The relaxed lasso (``relaxed_path``, ``relax=True`` on the CV estimators) and
predictions along a path (``predict_path``).

References: R glmnet 4.1-6 (``tests/data/make_glmnet_refs_relax.R``, stored in
``glmnet_relax_refs.npz``) and first principles: ``numpy.linalg.lstsq`` on each
support, single fits at each alpha, row repetition for sample weights, dense = CSC.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.model_selection import KFold

from skreg import ElasticNet, ElasticNetCV, Lasso, LassoCV, enet_path
from skreg._relaxed_path import _support_least_squares, relaxed_choice
from skreg.datafits import enet_objective
from skreg.linear_model import predict_path, relaxed_path

REFS = np.load(Path(__file__).parents[1] / "data" / "glmnet_relax_refs.npz")
# Fits solved far below glmnet's own accuracy (thresh=1e-14 still leaves its
# coefficients ~3e-7 from the optimum, measured against lstsq on the supports).
TIGHT = dict(tol=1e-14, max_iter=100_000)
# Agreement with glmnet: 1e-6 relative, on the objective and on the coefficients
# (max absolute difference over max(1, largest coefficient)).
GLMNET_RTOL = 1e-6


def _problem(seed=0, n=60, p=12):
    """Shifted columns, a sparse truth, positive weights (conftest's recipe)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X[:, ::3] += 3.0
    w = np.zeros(p)
    w[:4] = [3.0, -2.0, 1.5, 1.0]
    y = X @ w + 4.0 + rng.standard_normal(n)
    return X, y, rng.integers(1, 4, size=n).astype(float)


def _lstsq_on_support(X, y, support, sample_weight=None, fit_intercept=True):
    """(coef on the support, intercept) by numpy's lstsq with a column of ones."""
    sw = np.ones(len(y)) if sample_weight is None else sample_weight
    cols = [np.ones(len(y))] if fit_intercept else []
    cols += [X[:, j] for j in support]
    if not cols:
        return np.zeros(0), 0.0
    A = np.column_stack(cols)
    sol = np.linalg.lstsq(A * np.sqrt(sw)[:, None], y * np.sqrt(sw), rcond=None)[0]
    return (sol[1:], sol[0]) if fit_intercept else (sol, 0.0)


def _close(a, b, rtol):
    scale = max(1.0, np.abs(b).max())
    assert np.abs(a - b).max() <= rtol * scale, np.abs(a - b).max() / scale


# -- agreement with glmnet -------------------------------------------------------------


@pytest.mark.parametrize("kind", ["dense", "sparse"])
def test_relaxed_path_matches_glmnet(kind):
    X, y, lam = REFS[f"{kind}_x"], REFS[f"{kind}_y"], REFS[f"{kind}_lambda"]
    if kind == "sparse":
        X = sp.csc_matrix(X)
    alphas, coefs, intercepts = relaxed_path(
        X, y, gammas=[0.0, 0.5, 1.0], alphas=lam, **TIGHT
    )
    assert_array_equal(alphas, lam)
    beta, a0 = REFS[f"{kind}_beta"], REFS[f"{kind}_a0"]
    # glmnet's lambda is the alpha of skreg's (and scikit-learn's) objective.
    for k, alpha in enumerate(lam):
        ours = enet_objective(X, y, coefs[2, :, k], intercepts[2, k], alpha=alpha)
        theirs = enet_objective(X, y, beta[:, k], a0[k], alpha=alpha)
        assert ours <= theirs * (1 + 1e-12)
        assert abs(ours - theirs) <= GLMNET_RTOL * theirs
    # Same supports, so that the relaxed fits refit the same columns.
    assert_array_equal(coefs[2] != 0, beta != 0)
    _close(coefs[2], beta, GLMNET_RTOL)
    _close(intercepts[2], a0, GLMNET_RTOL)
    # gamma = 0: glmnet's relaxed fits (fit$relaxed), least squares on the supports.
    _close(coefs[0], REFS[f"{kind}_beta_relaxed"], GLMNET_RTOL)
    _close(intercepts[0], REFS[f"{kind}_a0_relaxed"], GLMNET_RTOL)
    # gamma = 0.5: coef(fit, s = lambda, gamma = 0.5).
    _close(coefs[1], REFS[f"{kind}_beta_g05"], GLMNET_RTOL)
    _close(intercepts[1], REFS[f"{kind}_a0_g05"], GLMNET_RTOL)


def test_glmnet_coef_at_gamma_zero_is_the_blend_at_1e_5():
    # glmnet's blend.relaxed clamps gamma to >= 1e-5: coef(fit, gamma = 0) is not the
    # relaxed fit itself, but skreg's blend at gamma = 1e-5.
    X, y, lam = REFS["dense_x"], REFS["dense_y"], REFS["dense_lambda"]
    _, coefs, intercepts = relaxed_path(X, y, gammas=[1e-5], alphas=lam, **TIGHT)
    _close(coefs[0], REFS["dense_beta_g0"], GLMNET_RTOL)
    _close(intercepts[0], REFS["dense_a0_g0"], GLMNET_RTOL)
    assert np.abs(REFS["dense_beta_g0"] - REFS["dense_beta_relaxed"]).max() > 1e-6


# -- first principles ------------------------------------------------------------------


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_gamma_one_is_the_path_and_gamma_zero_least_squares(fit_intercept, weighted):
    X, y, sw = _problem()
    sw = sw if weighted else None
    alphas, coefs, intercepts = relaxed_path(
        X, y, gammas=[0.0, 1.0], alphas=8, fit_intercept=fit_intercept,
        sample_weight=sw,
    )  # fmt: skip
    out = enet_path(
        X, y, l1_ratio=1.0, alphas=alphas, fit_intercept=fit_intercept,
        sample_weight=sw,
    )  # fmt: skip
    assert_array_equal(coefs[1], out[1])
    assert_array_equal(intercepts[1], out[-1] if fit_intercept else 0.0)
    for k in range(alphas.shape[0]):
        support = np.flatnonzero(out[1][:, k])
        w_s, b = _lstsq_on_support(X, y, support, sw, fit_intercept)
        assert_allclose(coefs[0][support, k], w_s, rtol=1e-10, atol=1e-12)
        assert_array_equal(np.delete(coefs[0][:, k], support), 0.0)
        assert_allclose(intercepts[0, k], b, rtol=1e-10, atol=1e-12)


def test_relaxed_blend_is_linear_in_gamma():
    X, y, _ = _problem(seed=1)
    _, coefs, intercepts = relaxed_path(X, y, gammas=[0.0, 0.3, 1.0], alphas=6)
    assert_allclose(coefs[1], 0.3 * coefs[2] + 0.7 * coefs[0], rtol=1e-12)
    assert_allclose(intercepts[1], 0.3 * intercepts[2] + 0.7 * intercepts[0])


def test_degenerate_supports_get_the_minimum_norm_solution():
    rng = np.random.default_rng(3)
    n, p = 10, 20
    X = rng.standard_normal((n, p))
    X[:, 1] = X[:, 0]  # collinear (duplicated) columns
    y = rng.standard_normal(n) + 2.0
    coefs = np.ones((p, 2))  # full support: more columns than rows
    coefs[5:, 1] = 0.0  # support {0..4}: columns 0 and 1 collinear
    ols, b, _ = _support_least_squares(X, y, coefs, None, True)
    for k, support in enumerate([np.arange(p), np.arange(5)]):
        Xc = X[:, support] - X[:, support].mean(axis=0)
        w_min = np.linalg.pinv(Xc) @ (y - y.mean())
        assert_allclose(ols[support, k], w_min, rtol=1e-9, atol=1e-12)
        assert_allclose(b[k], y.mean() - X[:, support].mean(axis=0) @ w_min)
    # full support, p > n: an interpolating fit; duplicated columns share equally
    assert_allclose(X @ ols[:, 0] + b[0], y, atol=1e-10)
    assert_allclose(ols[0, 1], ols[1, 1], rtol=1e-12)


def test_ill_conditioned_supports_keep_lstsq_accuracy():
    # cond(X_S) ~ 1e6: the normal equations (cond 1e12) would lose ~1e-4; the
    # solve must fall back to lstsq on the columns and match it closely.
    rng = np.random.default_rng(4)
    X = rng.standard_normal((50, 4))
    X[:, 1] = X[:, 0] + 1e-6 * rng.standard_normal(50)
    y = X @ [1.0, 2.0, -1.0, 0.5] + rng.standard_normal(50)
    ols, b, _ = _support_least_squares(X, y, np.ones((4, 1)), None, True)
    w_s, b_ref = _lstsq_on_support(X, y, np.arange(4))
    assert_allclose(ols[:, 0], w_s, rtol=1e-7)
    assert_allclose(b[0], b_ref, rtol=1e-7)


def test_each_distinct_support_is_solved_once():
    X, y, _ = _problem(seed=2)
    _, coefs, *_ = enet_path(X, y, l1_ratio=1.0, alphas=30, fit_intercept=True)
    supports = {tuple(np.flatnonzero(c)) for c in coefs.T}
    ols, _, n_solves = _support_least_squares(X, y, coefs, None, True)
    assert n_solves == len(supports) < coefs.shape[1]
    # a support seen again later along the path reuses the first solve
    twice = np.concatenate([coefs, coefs[:, :3]], axis=1)
    ols2, _, n_solves2 = _support_least_squares(X, y, twice, None, True)
    assert n_solves2 == n_solves
    assert_array_equal(ols2[:, -3:], ols[:, :3])


def test_dense_equals_sparse():
    X, y, sw = _problem(seed=4)
    X[np.abs(X) < 0.5] = 0.0
    kw = dict(gammas=[0.0, 0.5, 1.0], alphas=10, sample_weight=sw, **TIGHT)
    a_d, c_d, b_d = relaxed_path(X, y, **kw)
    a_s, c_s, b_s = relaxed_path(sp.csc_matrix(X), y, **kw)
    assert_allclose(a_s, a_d, rtol=1e-14)  # alpha_max from other sums
    assert_array_equal(c_d != 0, c_s != 0)
    assert_allclose(c_s, c_d, rtol=1e-9, atol=1e-10)
    assert_allclose(b_s, b_d, rtol=1e-9)


def test_sample_weight_equals_row_repetition():
    X, y, sw = _problem(seed=5)
    reps = sw.astype(int)
    kw = dict(gammas=[0.0, 0.5, 1.0], **TIGHT)
    alphas, c_w, b_w = relaxed_path(X, y, sample_weight=sw, alphas=10, **kw)
    _, c_r, b_r = relaxed_path(
        np.repeat(X, reps, axis=0), np.repeat(y, reps), alphas=alphas, **kw
    )
    assert_allclose(c_w, c_r, rtol=1e-8, atol=1e-10)
    assert_allclose(b_w, b_r, rtol=1e-8)


# -- predict_path ----------------------------------------------------------------------


def test_predict_path_helper_and_interpolation():
    X, y, _ = _problem(seed=6)
    alphas, coefs, _, intercepts = enet_path(X, y, alphas=5, fit_intercept=True)
    P = predict_path(X, coefs, intercepts)
    assert_allclose(P, X @ coefs + intercepts, rtol=1e-12)
    # glmnet's lambda.interp: linear in alpha between neighbours, clamped outside.
    mid = 0.25 * alphas[1] + 0.75 * alphas[2]
    at = [mid, alphas[3], 10 * alphas[0], 0.1 * alphas[-1]]
    Q = predict_path(X, coefs, intercepts, path_alphas=alphas, alphas=at)
    assert_allclose(Q[:, 0], 0.25 * P[:, 1] + 0.75 * P[:, 2], rtol=1e-12)
    assert_allclose(Q[:, 1:], P[:, [3, 0, -1]], rtol=1e-12)
    with pytest.raises(ValueError, match="path_alphas"):
        predict_path(X, coefs, intercepts, alphas=at)
    with pytest.raises(ValueError, match="coefs"):
        predict_path(X, coefs[1:], intercepts)


@pytest.mark.parametrize("Est", [ElasticNetCV, LassoCV])
def test_predict_path_equals_single_fits(Est):
    X, y, _ = _problem(seed=7)
    cv = Est(alphas=6, cv=3, store_path=True, **TIGHT).fit(X, y)
    P = cv.predict_path(X)
    assert P.shape == (X.shape[0], 6)
    single = ElasticNet if Est is ElasticNetCV else Lasso
    l1 = {"l1_ratio": cv.l1_ratio_} if Est is ElasticNetCV else {}
    for k, alpha in enumerate(cv.alphas_):
        model = single(alpha=alpha, **l1, **TIGHT).fit(X, y)
        assert_allclose(P[:, k], model.predict(X), rtol=1e-8, atol=1e-8)
    assert_allclose(cv.predict(X), P[:, list(cv.alphas_).index(cv.alpha_)], 1e-12)


def test_relaxed_predict_path_equals_single_fits():
    X, y, _ = _problem(seed=8)
    cv = LassoCV(alphas=6, cv=3, relax=True, **TIGHT).fit(X, y)
    for gamma in (0.0, 0.4):
        P = cv.predict_path(X, gamma=gamma)
        for k, alpha in enumerate(cv.alphas_):
            lasso = Lasso(alpha=alpha, **TIGHT).fit(X, y)
            support = np.flatnonzero(lasso.coef_)
            w_s, b = _lstsq_on_support(X, y, support)
            ols = X[:, support] @ w_s + b
            expected = gamma * lasso.predict(X) + (1 - gamma) * ols
            assert_allclose(P[:, k], expected, rtol=1e-8, atol=1e-8)
    k = list(cv.alphas_).index(cv.alpha_)
    assert_allclose(cv.predict(X), cv.predict_path(X)[:, k], rtol=1e-12)


def test_predict_path_needs_the_stored_path():
    X, y, _ = _problem(seed=9)
    model = ElasticNetCV(alphas=4, cv=3).fit(X, y)
    assert not hasattr(model, "coef_path_")
    with pytest.raises(AttributeError, match="store_path=True"):
        model.predict_path(X)
    # a refit without store_path forgets the path of an earlier fit
    model.set_params(store_path=True).fit(X, y)
    assert model.predict_path(X).shape == (X.shape[0], 4)
    model.set_params(store_path=False).fit(X, y)
    with pytest.raises(AttributeError, match="store_path=True"):
        model.predict_path(X)


# -- the relaxed CV estimators ---------------------------------------------------------


def test_relaxed_cv_selection_follows_glmnet_rules():
    X, y, _ = _problem(seed=10, n=80, p=20)
    model = LassoCV(alphas=15, cv=4, relax=True).fit(X, y)
    assert model.mse_path_.shape == (5, 15, 4)
    assert_array_equal(model.gammas_, [0, 0.25, 0.5, 0.75, 1])
    mean = model.mse_path_.mean(axis=-1)
    se = model.mse_path_.std(axis=-1, ddof=1) / 2.0
    assert_allclose(model.cv_se_, se, rtol=1e-12)
    # glmnet's getOptcv.relaxed, rebuilt with its ordering: largest lambda first,
    # then largest gamma, among the cells at the minimum / within one SE of it.
    cells = [(g, a) for g in range(5) for a in range(15)]
    order = sorted(cells, key=lambda c: (-model.alphas_[c[1]], -model.gammas_[c[0]]))
    g_min, a_min = next(c for c in order if mean[c] <= mean.min())
    g_1se, a_1se = next(c for c in order if mean[c] <= mean.min() + se[g_min, a_min])
    assert (model.alpha_min_, model.gamma_min_) == (
        model.alphas_[a_min],
        model.gammas_[g_min],
    )
    assert (model.alpha_1se_, model.gamma_1se_) == (
        model.alphas_[a_1se],
        model.gammas_[g_1se],
    )
    assert (model.alpha_, model.gamma_) == (model.alpha_min_, model.gamma_min_)
    one_se = clone(model).set_params(alpha_rule="1se").fit(X, y)
    assert (one_se.alpha_, one_se.gamma_) == (model.alpha_1se_, model.gamma_1se_)
    k = list(model.alphas_).index(model.alpha_1se_)
    g = model.gamma_1se_
    expected = g * model.coef_path_[:, k] + (1 - g) * model.relaxed_coef_path_[:, k]
    assert_allclose(one_se.coef_, expected, rtol=1e-12)


def test_relaxed_choice_ties():
    mask = np.array([[False, True, True], [False, True, False], [False, False, True]])
    assert relaxed_choice(mask) == (1, 1)  # largest alpha (column 1), then gamma


def test_relaxed_fold_errors_by_hand():
    X, y, sw = _problem(seed=11)
    folds = list(KFold(3).split(X))
    model = LassoCV(alphas=5, cv=folds, relax=True, gamma=[0.0, 0.6], **TIGHT)
    model.fit(X, y, sample_weight=sw)
    for i, (train, test) in enumerate(folds):
        _, coefs, intercepts = relaxed_path(
            X[train], y[train], gammas=[0.0, 0.6], alphas=model.alphas_,
            sample_weight=sw[train], **TIGHT,
        )  # fmt: skip
        for g in range(2):
            pred = X[test] @ coefs[g] + intercepts[g]
            mse = np.average((pred - y[test, None]) ** 2, axis=0, weights=sw[test])
            assert_allclose(model.mse_path_[g, :, i], mse, rtol=1e-7)


def test_relax_with_gamma_one_is_the_plain_cv():
    X, y, _ = _problem(seed=12)
    plain = ElasticNetCV(l1_ratio=[0.5, 1.0], alphas=8, cv=3, **TIGHT).fit(X, y)
    relaxed = clone(plain).set_params(relax=True, gamma=1.0).fit(X, y)
    assert relaxed.mse_path_.shape == (2, 1, 8, 3)
    assert_allclose(relaxed.mse_path_[:, 0], plain.mse_path_, rtol=1e-7)
    assert (relaxed.alpha_, relaxed.l1_ratio_) == (plain.alpha_, plain.l1_ratio_)
    assert_allclose(relaxed.coef_, plain.coef_, rtol=1e-7, atol=1e-9)


def test_relaxed_cv_dense_equals_sparse():
    X, y, sw = _problem(seed=13)
    X[np.abs(X) < 0.5] = 0.0
    model = LassoCV(alphas=8, cv=3, relax=True, **TIGHT)
    dense = clone(model).fit(X, y, sample_weight=sw)
    sparse = clone(model).fit(sp.csr_matrix(X), y, sample_weight=sw)
    assert_allclose(sparse.alphas_, dense.alphas_, rtol=1e-14)
    assert_allclose(sparse.alpha_, dense.alpha_, rtol=1e-14)
    assert sparse.gamma_ == dense.gamma_
    assert_allclose(sparse.mse_path_, dense.mse_path_, rtol=1e-9)
    assert_allclose(sparse.coef_, dense.coef_, rtol=1e-9, atol=1e-10)
    assert_allclose(sparse.predict_path(X), dense.predict_path(X), rtol=1e-9)


def test_relaxed_cv_float32_stays_float32():
    X, y, _ = _problem(seed=18)
    model = LassoCV(alphas=5, cv=3, relax=True).fit(X.astype(np.float32), y)
    assert model.coef_.dtype == np.float32
    assert np.all(np.isfinite(model.coef_))
    assert model.predict_path(X).shape == (X.shape[0], 5)


def test_relaxed_cv_pickles():
    X, y, _ = _problem(seed=14)
    model = LassoCV(alphas=5, cv=3, relax=True).fit(X, y)
    again = pickle.loads(pickle.dumps(model))
    assert_array_equal(
        again.predict_path(X, gamma=0.3), model.predict_path(X, gamma=0.3)
    )


# -- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize("gamma", [1.5, -0.1, [0.0, 2.0], [], [np.nan]])
def test_bad_gamma_raises_naming_it(gamma):
    X, y, _ = _problem(seed=15)
    with pytest.raises(ValueError, match="gamma"):
        LassoCV(alphas=3, cv=3, relax=True, gamma=gamma).fit(X, y)
    with pytest.raises(ValueError, match="gammas"):
        relaxed_path(X, y, gammas=gamma, alphas=3)


def test_bad_gamma_in_predict_path():
    X, y, _ = _problem(seed=16)
    relaxed = LassoCV(alphas=3, cv=3, relax=True).fit(X, y)
    for gamma in (1.2, [0.1, 0.2]):
        with pytest.raises(ValueError, match="gamma"):
            relaxed.predict_path(X, gamma=gamma)
    plain = LassoCV(alphas=3, cv=3, store_path=True).fit(X, y)
    with pytest.raises(ValueError, match="gamma applies to relaxed fits"):
        plain.predict_path(X, gamma=0.5)


def test_relaxed_path_rejects_two_targets():
    X, y, _ = _problem(seed=17)
    with pytest.raises(ValueError, match="single target"):
        relaxed_path(X, np.column_stack([y, y]), alphas=3)
