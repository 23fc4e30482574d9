"""mlp_path and the path-selecting MLPs (RegularizedMLPRegressorCV / ClassifierCV).

Every problem is small (300-400 rows, 12-20 inputs, one hidden layer of 8-16 units)
and seeded; each test takes well under two seconds.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline

from skreg.neural_network import (
    RegularizedMLPClassifier,
    RegularizedMLPClassifierCV,
    RegularizedMLPRegressor,
    RegularizedMLPRegressorCV,
    mlp_path,
)
from skreg.neural_network._path import exit_alphas


def _regression(n=400, p=12, noise=0.1, seed=0):
    # Three informative inputs (a non-linear, an even and a linear effect).
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = np.sin(2 * X[:, 0]) + X[:, 1] ** 2 + X[:, 2] + noise * rng.standard_normal(n)
    return X, y


def _net(**kw):
    params = dict(
        hidden_layer_sizes=(16,),
        l1_ratio=1.0,
        input_penalty="group",
        learning_rate_init=0.01,
        random_state=0,
        max_iter=200,
    )
    params.update(kw)
    return RegularizedMLPRegressor(**params)


@pytest.fixture(scope="module")
def path_and_data():
    X, y = _regression()
    path = mlp_path(_net(), X[:300], y[:300], X[300:], y[300:], n_alphas=12)
    return path, X, y


def test_path_runs_from_dense_to_empty_and_is_monotone_up_to_noise(path_and_data):
    # "Monotone up to noise": the number of kept inputs may go up between two
    # points by at most one input over the smallest count seen so far (a row the
    # stochastic optimizer zeroed may come back once), and the path starts dense and
    # ends empty, with every informative input among the last to leave.
    path, X, _ = path_and_data
    n = path.n_features
    assert n[0] == X.shape[1]
    assert n[-1] == 0
    running_min = np.minimum.accumulate(n)
    assert np.all(n <= running_min + 1)
    assert np.all(np.diff(path.alphas) > 0)
    exits = exit_alphas(path.alphas, path.support)
    assert exits[:3].min() > np.max(exits[3:])
    assert path.train_loss.shape == path.validation_loss.shape == n.shape
    assert np.all(path.n_epochs >= 1)


def test_warm_start_matches_cold_fits_at_a_fraction_of_the_epochs(path_and_data):
    # Cold fits at the path's alphas, each trained to convergence from the random
    # initialisation. Where the cold fit keeps the three informative inputs and at
    # most one other (the points that matter for selection), the warm-started point
    # keeps exactly the same set, after at most max_epochs_per_alpha = 10 epochs
    # instead of hundreds. (At the transitions the two may differ by a few noise
    # inputs in either direction, and past the last informative exit a cold fit
    # from a random start may find the empty network where the path keeps one
    # input: a non-convex objective has several local minima.)
    path, X, y = path_and_data
    compared = 0
    for k, alpha in enumerate(path.alphas):
        if not 3 <= path.n_features[k] <= 4:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # the cold fit must converge
            cold = _net(alpha=alpha, max_iter=1000, n_iter_no_change=10).fit(
                X[:300], y[:300]
            )
        cold_support = np.any(cold.coefs_[0] != 0, axis=1)
        if not cold_support[:3].all() or cold_support.sum() > 4:
            continue
        np.testing.assert_array_equal(path.support[k], cold_support)
        assert path.n_epochs[k] * 10 <= cold.n_iter_
        compared += 1
    assert compared >= 2
    # The whole path (dense fit included) costs about one cold fit.
    total = path.dense_epochs + path.n_epochs.sum()
    assert total <= 1.5 * cold.n_iter_


def test_exit_alphas_by_hand():
    alphas = np.array([0.1, 0.2, 0.4, 0.8])
    support = np.array(
        [
            [1, 1, 1, 1],
            [1, 0, 1, 1],
            [1, 1, 0, 1],
            [0, 0, 0, 1],
        ],
        dtype=bool,
    )
    # input 1 leaves, comes back, and leaves for good at 0.8.
    np.testing.assert_array_equal(exit_alphas(alphas, support), [0.8, 0.8, 0.4, np.inf])


@pytest.mark.parametrize(
    "alphas, match",
    [([], "at least one value"), ([-1.0, 0.1], "finite and positive"), ([0.0], "pos")],
)
def test_bad_alpha_grid_is_refused(alphas, match):
    X, y = _regression(n=60)
    with pytest.raises(ValueError, match=f"alphas.*{match}"):
        mlp_path(_net(), X, y, alphas=alphas)
    with pytest.raises(ValueError, match=f"alphas.*{match}"):
        RegularizedMLPRegressorCV((4,), alphas=alphas).fit(X, y)


def test_validation_fraction_leaving_no_rows_is_refused():
    X, y = _regression(n=40)
    with pytest.raises(ValueError, match="validation_fraction=0.01 leaves 0 valid"):
        RegularizedMLPRegressorCV((4,), validation_fraction=0.01).fit(X, y)


def test_path_needs_an_l1_part():
    X, y = _regression(n=60)
    with pytest.raises(ValueError, match="l1_ratio > 0"):
        mlp_path(_net(l1_ratio=0.0, input_penalty="elementwise"), X, y)


def _weak_regression(seed=0):
    # Three strong and three weak inputs among 20: the best validation point keeps
    # some weak ones, the one-standard-error rule drops them.
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((400, 20))
    y = (
        2 * np.sin(X[:, 0])
        + X[:, 1] ** 2
        + 2 * X[:, 2]
        + 0.4 * (X[:, 3] + X[:, 4] + X[:, 5])
        + 0.5 * rng.standard_normal(400)
    )
    return X, y


CV_KW = dict(
    hidden_layer_sizes=(16,),
    n_alphas=12,
    learning_rate_init=0.01,
    random_state=0,
)


@pytest.fixture(scope="module")
def weak_fits():
    X, y = _weak_regression()
    fits = {
        sel: RegularizedMLPRegressorCV(selection=sel, **CV_KW).fit(X[:300], y[:300])
        for sel in ("1se", "min")
    }
    return fits, X, y


def test_one_standard_error_choice_is_sparser_than_the_minimum(weak_fits):
    fits, _, _ = weak_fits
    one_se, best = fits["1se"], fits["min"]
    # Both runs share the path (same seed): the choices differ only by the rule.
    np.testing.assert_array_equal(one_se.alphas_, best.alphas_)
    assert one_se.alpha_ == one_se.alpha_1se_ >= best.alpha_ == best.alpha_min_
    assert one_se.n_features_selected_ < best.n_features_selected_
    assert one_se.support_[:3].all()
    # The rule itself, recomputed from the stored scores.
    mean = one_se.cv_score_path_.mean(axis=1)
    i = int(np.argmin(mean))
    ok = np.flatnonzero(mean <= mean[i] + one_se.cv_score_se_[i])
    assert one_se.alpha_1se_ == one_se.alphas_[ok.max()]


def test_fitted_attributes_for_reports(weak_fits):
    fits, X, _ = weak_fits
    est = fits["1se"]
    n_points = len(est.alphas_)
    assert est.support_path_.shape == (n_points, X.shape[1])
    assert est.n_features_path_.shape == est.train_loss_path_.shape == (n_points,)
    assert est.validation_loss_path_.shape == (n_points,)
    assert est.cv_score_path_.shape == (n_points, 1)
    assert est.exit_alphas_.shape == (X.shape[1],)
    # An input selected at alpha_ leaves the path after alpha_.
    assert np.all(est.exit_alphas_[est.support_] > est.alpha_)
    refit = est.estimator_
    assert len(refit.train_loss_curve_) == len(refit.loss_curve_) > 0
    curves = est.refit_curves_
    assert len(curves["train"]) > 0 and len(curves["validation"]) > 0
    assert np.argmin(curves["validation"]) == curves["best_epoch"]
    assert est.n_iter_ == est.dense_epochs_ + est.n_epochs_path_[:, 0].sum()


def test_relaxed_refit_improves_test_loss():
    # Strong signal in 3 of 20 inputs: the penalized network that removes the 17
    # noise inputs also shrinks the 3 kept ones; the relaxed refit does not.
    X, y = _regression(n=700, p=20)
    Xtr, ytr, Xte, yte = X[:400], y[:400], X[400:], y[400:]
    kw = dict(CV_KW, selection="min")
    relaxed = RegularizedMLPRegressorCV(refit="relaxed", **kw).fit(Xtr, ytr)
    penalized = RegularizedMLPRegressorCV(refit="penalized", **kw).fit(Xtr, ytr)
    assert relaxed.support_[:3].all()
    mse_relaxed = np.mean((relaxed.predict(Xte) - yte) ** 2)
    mse_penalized = np.mean((penalized.predict(Xte) - yte) ** 2)
    assert mse_relaxed < 0.7 * mse_penalized


def test_k_fold_scores_every_fold():
    X, y = _regression(n=300)
    kw = dict(CV_KW, n_alphas=6, n_iter_no_change=5)
    est = RegularizedMLPRegressorCV(cv=3, **kw).fit(X, y)
    assert est.cv_score_path_.shape == (len(est.alphas_), 3)
    assert est.n_epochs_path_.shape == (len(est.alphas_), 3)
    assert est.support_[:3].all()


def test_selector_in_a_pipeline():
    X, y = _regression(n=300)
    pipe = make_pipeline(
        RegularizedMLPRegressorCV(**dict(CV_KW, n_alphas=8)), LinearRegression()
    )
    pipe.fit(X, y)
    selector = pipe[0]
    mask = selector.get_support()
    assert mask.dtype == bool and mask[:3].all()
    np.testing.assert_array_equal(selector.transform(X), X[:, mask])
    assert pipe.predict(X).shape == (300,)


def test_classifier_selects_the_informative_inputs():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((400, 12))
    y = (X[:, 0] ** 2 + X[:, 1] - 0.5 * X[:, 2] > 1).astype(int)
    clf = RegularizedMLPClassifierCV(**CV_KW).fit(X[:300], y[:300])
    assert clf.support_[:3].all()
    assert clf.n_features_selected_ <= 6
    assert clf.score(X[300:], y[300:]) > 0.85
    np.testing.assert_array_equal(clf.classes_, [0, 1])
    assert clf.predict_proba(X[300:]).shape == (100, 2)


@pytest.mark.parametrize(
    "cls, target",
    [(RegularizedMLPRegressor, "reg"), (RegularizedMLPClassifier, "clf")],
)
def test_sparse_equals_dense_mlp(cls, target):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 30))
    X[rng.random(X.shape) < 0.7] = 0.0
    y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.standard_normal(200)
    if target == "clf":
        y = y > 0
    kw = dict(
        hidden_layer_sizes=(8,),
        alpha=0.01,
        l1_ratio=1.0,
        input_penalty="group",
        max_iter=20,
        learning_rate_init=0.01,
        validation_fraction=0.2,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 20 epochs: not converged, on purpose
        dense = cls(**kw).fit(X, y)
        csr = cls(**kw).fit(sp.csr_matrix(X), y)
        csr_array = cls(**kw).fit(sp.csr_array(X), y)
    for fitted in (csr, csr_array):
        for a, b in zip(dense.coefs_, fitted.coefs_, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
        np.testing.assert_array_equal(
            np.any(dense.coefs_[0] != 0, axis=1), np.any(fitted.coefs_[0] != 0, axis=1)
        )
    out = "predict" if target == "reg" else "predict_proba"
    np.testing.assert_allclose(
        getattr(dense, out)(X), getattr(csr, out)(sp.csr_matrix(X)), rtol=1e-10
    )


def test_sparse_input_dropout_is_refused():
    X = sp.random(50, 5, density=0.3, format="csr", random_state=0)
    with pytest.raises(ValueError, match="input_dropout"):
        RegularizedMLPRegressor((4,), input_dropout=0.1).fit(X, np.ones(50))


def test_sparse_equals_dense_cv():
    X, y = _regression(n=300)
    X[np.abs(X) < 0.5] = 0.0
    kw = dict(CV_KW, n_alphas=6, n_iter_no_change=5, max_iter=100)
    dense = RegularizedMLPRegressorCV(**kw).fit(X, y)
    csr = RegularizedMLPRegressorCV(**kw).fit(sp.csr_matrix(X), y)
    np.testing.assert_array_equal(dense.support_path_, csr.support_path_)
    np.testing.assert_allclose(dense.alphas_, csr.alphas_, rtol=1e-10)
    np.testing.assert_allclose(
        dense.predict(X), csr.predict(sp.csr_matrix(X)), rtol=1e-8, atol=1e-10
    )
