"""The demonstrations of the regularized MLP, asserted on seeded runs.

- Over-fitting on scikit-learn's diabetes data (six hidden ReLU layers, Adam, 100
  epochs, 10 % held out): without regularization the validation loss turns up within a
  few epochs while the training loss keeps falling; L2, dropout or early stopping close
  the gap.
- A wide noisy problem (2 000 samples, 500 features, 10 informative): the L1 proximal
  step zeroes the noise-feature input weights exactly, and the group penalty keeps the
  informative features only, with a better test R^2 than L2.
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skreg.neural_network import RegularizedMLPRegressor


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


# --------------------------------------------------------------- over-fitting
@pytest.fixture(scope="module")
def diabetes_runs():
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    common = dict(
        hidden_layer_sizes=(64,) * 6,
        activation="relu",
        solver="adam",
        alpha=0.0,
        batch_size=32,
        max_iter=100,
        tol=0.0,
        n_iter_no_change=100,
        validation_fraction=0.1,
        random_state=0,
    )
    configs = {
        "none": {},
        "l2": dict(alpha=0.03),
        "dropout": dict(dropout=0.3),
        "early_stopping": dict(early_stopping=True, n_iter_no_change=10),
    }
    runs = {}
    for name, extra in configs.items():
        est = _fit(RegularizedMLPRegressor(**{**common, **extra}), X, y)
        runs[name] = (
            est,
            np.asarray(est.train_loss_curve_),
            np.asarray(est.validation_loss_curve_),
        )
    return runs


def test_unregularized_network_overfits(diabetes_runs):
    est, train, val = diabetes_runs["none"]
    assert len(train) == len(val) == 100
    best = est.best_epoch_
    assert best == int(np.argmin(val)) and best <= 10  # turns up within a few epochs
    assert val[-1] > 1.2 * val[best]  # ... and keeps above its minimum
    assert train[-1] < 0.1 * train[best]  # while the training loss keeps falling
    assert np.diff(train[best:]).mean() < 0
    assert val[-1] - train[-1] > 0.3


@pytest.mark.parametrize("name", ["l2", "dropout"])
def test_penalty_or_dropout_closes_the_gap(diabetes_runs, name):
    _, train0, val0 = diabetes_runs["none"]
    _, train, val = diabetes_runs[name]
    gap0 = val0[-1] - train0[-1]
    gap = val[-1] - train[-1]
    assert gap < 0.5 * gap0
    assert val[-1] < val0[-1]
    # No late blow-up: the final validation loss is close to its best.
    assert val[-1] < 1.15 * val.min()


def test_early_stopping_restores_before_overfitting(diabetes_runs):
    est, train, val = diabetes_runs["early_stopping"]
    _, train0, val0 = diabetes_runs["none"]
    assert est.n_iter_ < 30
    best = est.best_epoch_
    assert val[best] == val.min() == est.best_validation_loss_
    gap = val[best] - train[best]
    assert gap < 0.5 * (val0[-1] - train0[-1])


# ---------------------------------------------------------- feature selection
@pytest.fixture(scope="module")
def wide_problem():
    rng = np.random.RandomState(0)
    n, p, k = 2000, 500, 10
    X = rng.standard_normal((n, p))
    y = (
        X[:, :k] @ rng.uniform(1, 2, k)
        + np.sin(2 * X[:, 0])
        + X[:, 1] * X[:, 2]
        + 0.5 * rng.standard_normal(n)
    )
    y = (y - y.mean()) / y.std()
    return train_test_split(X, y, test_size=0.25, random_state=0), k


def _wide_fit(data, **params):
    (X_tr, X_te, y_tr, y_te), _ = data
    est = RegularizedMLPRegressor(
        hidden_layer_sizes=(32,),
        learning_rate_init=3e-3,
        batch_size=64,
        max_iter=25,
        tol=0.0,
        n_iter_no_change=100,
        record_train_loss=False,
        random_state=0,
        **params,
    )
    _fit(est, X_tr, y_tr)
    return est, est.score(X_te, y_te)


def test_wide_noisy_l1_and_group_select_features(wide_problem):
    k = wide_problem[1]
    l1, r2_l1 = _wide_fit(wide_problem, alpha=0.03, l1_ratio=1.0)
    noise_rows = l1.coefs_[0][k:]
    assert np.mean(noise_rows == 0) >= 0.95  # exact zeros, from the proximal step

    group, r2_group = _wide_fit(
        wide_problem, alpha=0.03, l1_ratio=1.0, input_penalty="group"
    )
    selected = np.flatnonzero(group.feature_importances_ > 0)
    assert group.n_features_selected_ == selected.size <= 20
    assert np.isin(np.arange(k), selected).all()

    r2_l2 = max(
        _wide_fit(wide_problem, alpha=alpha, l1_ratio=0.0)[1] for alpha in (0.003, 0.03)
    )
    assert r2_group > r2_l2 + 0.02
    assert r2_l1 > r2_l2
