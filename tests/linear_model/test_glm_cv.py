"""SparseLogisticRegressionCV and logistic_path."""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import StratifiedKFold

from skreg import SparseLogisticRegression, SparseLogisticRegressionCV, logistic_path


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
