"""SparseLogisticRegressionCV and logistic_path."""

from __future__ import annotations

import threading

import numpy as np
from sklearn.model_selection import StratifiedKFold

from skreg import SparseLogisticRegression, SparseLogisticRegressionCV, logistic_path
from skreg._glm_path import glm_alpha_grid, glm_path
from skreg.datafits_glm import Multinomial
from skreg.solvers.prox_newton import GLMProblem, solve_prox_newton


def _data(seed=0, n=120, p=15):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = (X[:, :3] @ np.array([1.0, -1.0, 0.5]) + rng.standard_normal(n) > 0).astype(int)
    return X, y


def test_path_matches_single_fits():
    X, y = _data()
    alphas, coefs, intercepts, classes = logistic_path(X, y, n_alphas=6, tol=1e-10)
    assert coefs.shape == (1, X.shape[1], 6) and np.all(np.diff(alphas) < 0)
    assert not coefs[:, :, 0].any()  # alpha_max
    for i in (2, 5):
        est = SparseLogisticRegression(alpha=alphas[i], tol=1e-10).fit(X, y)
        np.testing.assert_allclose(coefs[0, :, i], est.coef_[0], atol=1e-8)
        np.testing.assert_allclose(intercepts[0, i], est.intercept_[0], atol=1e-8)


def test_cv_selects_min_mean_deviance_and_1se():
    X, y = _data(seed=1)
    folds = list(StratifiedKFold(4).split(X, y))
    cv = SparseLogisticRegressionCV(alphas=12, cv=folds, l1_ratio=[0.5, 1.0]).fit(X, y)
    assert cv.scores_path_.shape == (2, 12, 4)
    li, ai = np.unravel_index(np.argmin(cv.mean_score_path_), (2, 12))
    assert cv.alpha_ == cv.alphas_[li, ai] and cv.l1_ratio_ == [0.5, 1.0][li]
    # One-standard-error rule (cv.glmnet): largest alpha within one SE of the min.
    m, se = cv.mean_score_path_[li], cv.se_score_path_[li]
    ok = m <= m[ai] + se[ai]
    assert cv.alpha_1se_ == cv.alphas_[li][ok].max() and cv.alpha_1se_ >= cv.alpha_
    # Held-out deviance recomputed by hand for one fold and alpha.
    train, test = folds[0]
    est = SparseLogisticRegression(alpha=cv.alphas_[li, 3], l1_ratio=cv.l1_ratio_)
    est.fit(X[train], y[train])
    p = np.clip(est.predict_proba(X[test])[:, 1], 1e-5, 1 - 1e-5)
    dev = -2 * np.mean(y[test] * np.log(p) + (1 - y[test]) * np.log(1 - p))
    np.testing.assert_allclose(cv.scores_path_[li, 3, 0], dev, rtol=1e-4)
    # Refit at alpha_.
    ref = SparseLogisticRegression(alpha=cv.alpha_, l1_ratio=cv.l1_ratio_).fit(X, y)
    np.testing.assert_allclose(cv.coef_, ref.coef_, atol=1e-6)


def _separable_3class():
    # scikit-learn's check_dont_overwrite_parameters data: y = floor(X[:, 0]).
    rng = np.random.RandomState(0)
    X = 3 * rng.uniform(size=(20, 3))
    return X, X[:, 0].astype(int)


def test_fold_paths_on_row_slices_equal_fortran_paths():
    # The CV fits X[train] (C-ordered); the path lays it out for the kernels.
    X, y = _separable_3class()
    train = np.flatnonzero(np.arange(20) % 3 != 0)
    Y = np.eye(3)[y[train]]
    kw = dict(family="multinomial", n_alphas=10)
    a = glm_path(X[train], Y, **kw)
    b = glm_path(np.asfortranarray(X[train]), Y, **kw)
    np.testing.assert_array_equal(a[1], b[1])


def test_newton_terminates_when_the_inner_gap_is_rounding():
    # Proximal Newton on a C-ordered design, the layout that made the small-problem
    # CD loop forever (no epochs, its covariance gap 0, the residual gap above an
    # innermost target of ~3e-16). A daemon thread, so that a regression fails here
    # instead of hanging the run.
    X, y = _separable_3class()
    Y = np.eye(3)[y]
    alphas = glm_alpha_grid(
        GLMProblem(np.asfortranarray(X), Y, None, Multinomial, alpha=1.0, l1_ratio=1.0),
        10,
        1e-3,
    )
    results = []

    def run():
        for train, _ in StratifiedKFold(3).split(X, y):
            problem = GLMProblem(
                np.ascontiguousarray(X[train]), Y[train], None, Multinomial,
                alpha=1.0, l1_ratio=1.0,
            )  # fmt: skip
            W, b = np.zeros((3, 3)), problem.null_intercept()
            for alpha in alphas:
                problem.set_penalty(alpha, 1.0)
                results.append(solve_prox_newton(problem, W, b, max_iter=100))

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "proximal Newton did not return within 60 s"
    assert len(results) == 30
    assert all(np.isfinite(r.coef).all() for r in results)
