"""MLP kernels against NumPy references; gradients against finite differences."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning

from skreg._kernels.mlp import (
    adam_step,
    backward_activation,
    forward_activation,
    group_prox_rows,
    sgd_step,
)
from skreg.neural_network import RegularizedMLPClassifier, RegularizedMLPRegressor
from skreg.neural_network._activations import ACTIVATIONS, DERIVATIVES
from skreg.neural_network._training import Workspace, _flat_views, pack_parameters
from skreg.penalties import GroupL1


def _soft(x, t):
    return np.sign(x) * np.maximum(np.abs(x) - t, 0.0)


# ------------------------------------------------------------------ activations
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_activations_match_numpy(dtype):
    rng = np.random.RandomState(0)
    Z = rng.standard_normal((7, 5)).astype(dtype)
    b = rng.standard_normal(5).astype(dtype)
    S = Z + b
    expected = {
        "identity": S,
        "relu": np.maximum(S, 0),
        "tanh": np.tanh(S),
        "logistic": 1 / (1 + np.exp(-S)),
        "softmax": np.exp(S) / np.exp(S).sum(axis=1, keepdims=True),
    }
    rtol = 1e-6 if dtype == np.float32 else 1e-12
    for name, ref in expected.items():
        out = ACTIVATIONS[name](Z.copy(), b)
        assert out.dtype == dtype
        assert_allclose(out, ref, rtol=rtol, atol=rtol)


def test_softmax_is_stable_for_large_inputs():
    Z = np.array([[1000.0, 0.0, -1000.0]])
    out = ACTIVATIONS["softmax"](Z, np.zeros(3))
    assert_allclose(out, [[1.0, 0.0, 0.0]])


def test_derivatives_match_numpy():
    rng = np.random.RandomState(1)
    Z = rng.standard_normal((6, 4))
    delta = rng.standard_normal((6, 4))
    for name, dfun in {
        "identity": lambda a: np.ones_like(a),
        "relu": lambda a: (a > 0).astype(float),
        "tanh": lambda a: 1 - a**2,
        "logistic": lambda a: a * (1 - a),
    }.items():
        A = ACTIVATIONS[name](Z.copy(), np.zeros(4))
        gb = np.empty(4)
        out = DERIVATIVES[name](A, delta.copy(), gb)
        assert_allclose(out, delta * dfun(A), rtol=1e-12)
        assert_allclose(gb, out.sum(axis=0), rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_inverted_dropout_keeps_expectation(dtype):
    rng = np.random.RandomState(0)
    rate = 0.3
    Z = np.ones((400, 250), dtype=dtype)
    U = rng.random_sample(Z.shape).astype(dtype)
    forward_activation(Z, np.zeros(250, dtype=dtype), 0, U, rate)
    kept = U >= rate
    assert_array_equal(Z == 0, ~kept)
    assert_allclose(Z[kept], 1 / (1 - rate), rtol=1e-6)
    assert abs(Z.mean() - 1.0) < 0.01
    assert abs((Z == 0).mean() - rate) < 0.01
    # Backward: the same mask and scale multiply the error.
    A = np.tanh(rng.standard_normal((5, 3)))
    U = rng.random_sample((5, 3))
    A_drop = A * (U >= rate) / (1 - rate)
    delta = rng.standard_normal((5, 3))
    gb = np.empty(3)
    ref = delta * (U >= rate) / (1 - rate) * (1 - A**2)
    d = delta.copy()
    backward_activation(A_drop, d, 2, U, rate, gb)
    assert_allclose(d, ref, rtol=1e-12, atol=1e-15)
    assert_allclose(gb, ref.sum(axis=0), rtol=1e-12)


# ----------------------------------------------------------- optimizer kernels
def _state(n=40, n_weights=30, seed=0):
    rng = np.random.RandomState(seed)
    return (
        rng.standard_normal(n) * 0.1,
        rng.standard_normal(n),
        rng.standard_normal(n) * 0.1,
        rng.uniform(0.1, 1, n),
        n_weights,
    )


@pytest.mark.parametrize("l1_start", [0, 12])
def test_adam_step_matches_reference(l1_start):
    w, g, m, v, nw = _state()
    lr, b1, b2, eps, l1, l2, decay = 0.01, 0.9, 0.99, 1e-8, 0.05, 0.3, 0.995
    ref_w, ref_m, ref_v = w.copy(), m.copy(), v.copy()
    pen = np.arange(w.size) < nw
    gg = g + np.where(pen, l2 * w, 0.0)
    ref_m = b1 * m + (1 - b1) * gg
    ref_v = b2 * v + (1 - b2) * gg**2
    step = lr / (np.sqrt(ref_v) + eps)
    ref_w = np.where(pen, decay * w, w) - step * ref_m
    l1_on = pen & (np.arange(w.size) >= l1_start)
    ref_w = np.where(l1_on, _soft(ref_w, l1 * step), ref_w)
    adam_step(w, g, m, v, nw, l1_start, lr, b1, b2, eps, l1, l2, decay)
    assert_allclose(w, ref_w, rtol=1e-12, atol=1e-15)
    assert_allclose(m, ref_m, rtol=1e-12)
    assert_allclose(v, ref_v, rtol=1e-12)


@pytest.mark.parametrize("nesterov", [True, False])
def test_sgd_step_matches_reference(nesterov):
    w, g, vel, _, nw = _state(seed=1)
    lr, mom, l1, l2, decay = 0.1, 0.8, 0.02, 0.1, 0.99
    pen = np.arange(w.size) < nw
    gg = g + np.where(pen, l2 * w, 0.0)
    ref_vel = mom * vel - lr * gg
    step = mom * ref_vel - lr * gg if nesterov else ref_vel
    ref_w = np.where(pen, decay * w, w) + step
    ref_w = np.where(pen, _soft(ref_w, lr * l1), ref_w)
    sgd_step(w, g, vel, nw, 0, lr, mom, nesterov, l1, l2, decay)
    assert_allclose(w, ref_w, rtol=1e-12, atol=1e-15)
    assert_allclose(vel, ref_vel, rtol=1e-12)


def test_adam_l1_threshold_fixed_point():
    # With the threshold lr * l1 / (sqrt(v) + eps), a weight at zero stays there exactly
    # when its (constant) gradient is at most l1 in absolute value: the optimality
    # condition of the objective, whatever the gradient scale Adam normalises away.
    l1 = 0.5
    g = np.array([0.1, -0.45, 0.55, -2.0, 1e-4, 10.0])
    w = np.zeros_like(g)
    m, v = np.zeros_like(g), np.zeros_like(g)
    for t in range(1, 200):
        lr = 0.01 * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        adam_step(w, g, m, v, g.size, 0, lr, 0.9, 0.999, 1e-8, l1, 0.0, 1.0)
    assert_array_equal(w == 0, np.abs(g) <= l1)
    assert np.all(np.sign(w[np.abs(g) > l1]) == -np.sign(g[np.abs(g) > l1]))


def test_group_prox_rows_matches_penalty_prox():
    rng = np.random.RandomState(0)
    W = (
        rng.standard_normal((8, 5))
        * np.array([0.01, 1, 0.02, 2, 0.5, 0.001, 1, 3])[:, None]
    )
    lr, lam = 0.1, 1.0
    ref = GroupL1(lam).prox(W.copy(), lr)
    out = W.copy()
    group_prox_rows(out, out, lr, 0.0, lam, False)
    assert_allclose(out, ref, rtol=1e-12)
    assert np.any(np.all(out == 0, axis=1)) and not np.all(out == 0)
    # Adam's metric, constant on each row: the same prox, step lr / (sqrt(v) + eps).
    v = np.repeat(rng.uniform(0.01, 4, (8, 1)), 5, axis=1)
    eps = 1e-8
    out = W.copy()
    group_prox_rows(out, v, lr, eps, lam, True)
    steps = lr / (np.sqrt(v[:, 0]) + eps)
    for i in range(8):
        assert_allclose(
            out[i], GroupL1(lam).prox(W[i : i + 1], steps[i])[0], rtol=1e-10
        )


# --------------------------------------------------------------- gradients
def _setup(est, X, Y, sw, rates):
    params, _ = pack_parameters(est)
    n = X.shape[0]
    units = [X.shape[1]] + [c.shape[1] for c in est.coefs_]
    ws = Workspace(units, n, X.dtype, rates, gather=True)
    v = ws.views(n)
    rng = np.random.RandomState(42)
    for u in v["U"]:
        if u is not None:
            u[...] = rng.random_sample(u.shape)
    masks = None
    if any(r > 0 for r in rates):
        masks = ws.masks(v)
        if masks[0] is not None:
            masks[0] = (*masks[0], ws.input_zero_bias)
    grads = np.empty_like(params)
    coef_grads, intercept_grads = _flat_views(grads, est)
    scale = 1.0 / sw.sum()

    def loss_and_grad(theta):
        params[...] = theta
        v["X"][...] = X
        activations = v["activations"]
        activations[0] = v["X"]
        loss = est._backprop(
            Y, sw, scale, activations, v["deltas"], coef_grads, intercept_grads, masks
        )
        return loss * scale, grads.copy()

    return params.copy(), loss_and_grad


def _check_gradient(est, X, Y, sw, rates):
    theta0, loss_and_grad = _setup(est, X, Y, sw, rates)
    _, grad = loss_and_grad(theta0)
    h = 1e-6
    fd = np.empty_like(theta0)
    for j in range(theta0.size):
        e = np.zeros_like(theta0)
        e[j] = h
        fd[j] = (loss_and_grad(theta0 + e)[0] - loss_and_grad(theta0 - e)[0]) / (2 * h)
    assert_allclose(grad, fd, rtol=1e-5, atol=1e-8)


def _fit_one_epoch(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
@pytest.mark.parametrize("rates", [[0.0, 0.0, 0.0], [0.3, 0.4, 0.25]])
def test_regressor_gradient_finite_differences(activation, rates):
    rng = np.random.RandomState(0)
    X = rng.standard_normal((9, 4))
    y = rng.standard_normal((9, 2))
    sw = rng.uniform(0.2, 2.0, 9)
    est = RegularizedMLPRegressor(
        (5, 3), activation=activation, max_iter=1, random_state=0
    )
    _fit_one_epoch(est, X, y)
    _check_gradient(est, X, y, sw, rates)


@pytest.mark.parametrize("task", ["binary", "multiclass", "multilabel"])
@pytest.mark.parametrize("rates", [[0.0, 0.0], [0.2, 0.5]])
def test_classifier_gradient_finite_differences(task, rates):
    rng = np.random.RandomState(0)
    X = rng.standard_normal((10, 3))
    if task == "binary":
        y = np.arange(10) % 2
    elif task == "multiclass":
        y = np.arange(10) % 3
    else:
        y = (rng.standard_normal((10, 3)) > 0).astype(int)
    est = RegularizedMLPClassifier((4,), activation="tanh", max_iter=1, random_state=0)
    _fit_one_epoch(est, X, y)
    Y = np.ascontiguousarray(est._label_binarizer.transform(y), dtype=float)
    sw = rng.uniform(0.2, 2.0, 10)
    _check_gradient(est, X, Y, sw, rates)
