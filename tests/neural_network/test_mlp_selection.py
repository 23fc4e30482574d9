"""The selection steps after the MLP path: permutation pruning, merged refits, grids.

Small seeded problems (200-400 rows, at most 20 inputs, one hidden layer of 8-16
units); each test takes well under two seconds.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from skreg.neural_network import (
    RegularizedMLPClassifier,
    RegularizedMLPRegressor,
    RegularizedMLPRegressorCV,
)
from skreg.neural_network._path import merge_networks, permutation_losses


def _even_effect_regression(n=400, p=15, seed=0):
    # One linear, one even (x**2) and one odd non-linear effect among noise inputs.
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = X[:, 0] + X[:, 1] ** 2 + np.sin(2 * X[:, 2]) + 0.3 * rng.standard_normal(n)
    return X, y


def _fitted_net(cls, X, y, hidden=(8,), seed=0):
    net = cls(hidden, max_iter=30, learning_rate_init=0.01, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 30 epochs: not converged, on purpose
        return net.fit(X, y)


def test_permutation_losses_see_only_the_inputs_the_network_uses():
    # First principles: an input whose first-layer row is zero does not reach the
    # output, so permuting its column changes no per-sample loss (exactly); an
    # input the network relies on raises the mean loss.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 4))
    y = 2 * X[:, 0] + 0.1 * rng.standard_normal(200)
    net = _fitted_net(RegularizedMLPRegressor, X, y)
    net.coefs_[0][1:] = 0.0
    X_before = X.copy()
    increase = permutation_losses(
        net, X, y[:, None], n_repeats=3, rng=np.random.RandomState(0)
    )
    assert increase.shape == (200, 4)
    np.testing.assert_array_equal(increase[:, 1:], 0.0)
    mean, se = increase[:, 0].mean(), increase[:, 0].std(ddof=1) / np.sqrt(200)
    assert mean > 10 * se > 0
    # X is not modified (the columns are permuted in a copy).
    np.testing.assert_array_equal(X, X_before)


@pytest.mark.parametrize("hidden", [(8,), (6, 5)])
def test_merged_network_averages_the_members(hidden):
    # The merged network is one network whose output is the members' mean output
    # (regression), by construction of the side-by-side hidden layers.
    rng = np.random.default_rng(1)
    X = rng.standard_normal((120, 5))
    y = np.sin(X[:, 0]) + X[:, 1]
    nets = [_fitted_net(RegularizedMLPRegressor, X, y, hidden, s) for s in range(3)]
    merged = merge_networks(nets)
    assert merged.coefs_[0].shape == (5, 3 * hidden[0])
    assert merged.get_params()["hidden_layer_sizes"] == tuple(3 * h for h in hidden)
    expected = np.mean([net.predict(X) for net in nets], axis=0)
    np.testing.assert_allclose(merged.predict(X), expected, rtol=1e-12, atol=1e-12)
    # The members are left as they were.
    assert nets[0].coefs_[0].shape == (5, hidden[0])


def test_merged_classifier_averages_the_logits():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((150, 4))
    y = (X[:, 0] + X[:, 1] ** 2 > 1).astype(int)
    nets = [_fitted_net(RegularizedMLPClassifier, X, y, (8,), s) for s in range(2)]
    merged = merge_networks(nets)

    def logit(p):
        return np.log(p) - np.log1p(-p)

    probas = [net.predict_proba(X)[:, 1] for net in nets]
    mean_logit = np.mean([logit(p) for p in probas], axis=0)
    np.testing.assert_allclose(
        logit(merged.predict_proba(X)[:, 1]), mean_logit, rtol=1e-9, atol=1e-9
    )


# A small network on a coarse grid, one refit member unless a test says otherwise.
SMALL_CV = dict(
    hidden_layer_sizes=(16,), n_alphas=8, n_refits=1, learning_rate_init=0.01
)


@pytest.fixture(scope="module")
def min_fits():
    # selection="min" on a coarse 8-point grid keeps seven noise inputs beside the
    # three informative ones at the chosen point; the pruning step must drop them.
    X, y = _even_effect_regression()
    kw = dict(SMALL_CV, selection="min", random_state=0)
    fits = {
        prune: RegularizedMLPRegressorCV(prune=prune, **kw).fit(X[:300], y[:300])
        for prune in (2.0, None)
    }
    return fits, X, y


def test_pruning_drops_the_noise_inputs_the_path_kept(min_fits):
    fits, _, _ = min_fits
    pruned, unpruned = fits[2.0], fits[None]
    # Without pruning the selection is the path's set, with noise inputs in it.
    np.testing.assert_array_equal(unpruned.support_, unpruned.path_support_)
    assert unpruned.permutation_importances_ is None
    assert unpruned.support_[:3].all() and unpruned.support_[3:].any()
    # With it: all three informative inputs, no noise input, a subset of the path's.
    assert pruned.support_[:3].all()
    assert not pruned.support_[3:].any()
    assert np.all(pruned.path_support_[pruned.support_])
    imp = pruned.permutation_importances_
    assert np.all(np.isfinite(imp[pruned.support_]))
    assert np.all(np.isnan(imp[~pruned.path_support_]))
    assert pruned.get_support().sum() == pruned.n_features_selected_ == 3


def test_pruning_improves_test_loss_on_the_designed_case(min_fits):
    # Seven noise inputs in a 300-row relaxed fit cost test loss; their removal
    # recovers it (measured: MSE 0.15 against 0.58, noise variance 0.09).
    fits, X, y = min_fits
    Xte, yte = X[300:], y[300:]
    mse = {k: np.mean((est.predict(Xte) - yte) ** 2) for k, est in fits.items()}
    assert mse[2.0] < 0.5 * mse[None]


def test_refit_members_are_merged_into_one_network():
    X, y = _even_effect_regression(n=300)
    kw = dict(SMALL_CV, n_alphas=6, n_iter_no_change=5, max_iter=100, random_state=0)
    one = RegularizedMLPRegressorCV(**kw).fit(X, y)
    three = RegularizedMLPRegressorCV(**dict(kw, n_refits=3)).fit(X, y)
    np.testing.assert_array_equal(one.support_, three.support_)
    assert one.estimator_.coefs_[0].shape[1] == 16
    assert three.estimator_.coefs_[0].shape[1] == 48
    assert three.predict(X).shape == (300,)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"refit_alphas": ()}, "refit_alphas"),
        ({"refit_alphas": (1e-3, -1.0)}, "refit_alphas"),
        ({"refit_dropouts": (1.0,)}, "refit_dropouts"),
        ({"n_refits": 0}, "n_refits"),
        ({"prune": -1.0}, "prune"),
    ],
)
def test_bad_refit_settings_are_refused(params, match):
    X, y = _even_effect_regression(n=60)
    with pytest.raises(ValueError, match=match):
        RegularizedMLPRegressorCV((4,), **params).fit(X, y)
