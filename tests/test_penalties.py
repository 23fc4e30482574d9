"""The penalty objects: parametrisation, value, prox, KKT distance and alpha_max."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose
from scipy.optimize import minimize

from skreg.penalties import L1, L2, ElasticNet, GroupL1


def test_kernel_params_are_sklearn_parametrisation():
    assert L1(0.3).kernel_params() == (0.3, 0.0)
    assert L2(0.3).kernel_params() == (0.0, 0.3)
    l1, l2 = ElasticNet(2.0, l1_ratio=0.25).kernel_params()
    assert (l1, l2) == (0.5, 1.5)
    assert all(type(v) is float for v in ElasticNet(np.float32(2), 0.5).kernel_params())


@pytest.mark.parametrize("penalty", [L1(0.7), L2(0.7), ElasticNet(0.7, 0.3)])
def test_value(penalty):
    w = np.array([1.5, -2.0, 0.0, 0.25])
    l1, l2 = penalty.kernel_params()
    assert penalty.value(w) == pytest.approx(l1 * 3.75 + 0.5 * l2 * (w @ w))
    # Any shape: the matrix is flattened.
    assert penalty.value(w.reshape(2, 2)) == pytest.approx(penalty.value(w))


def test_positive_value_is_infinite_outside_the_orthant():
    pen = ElasticNet(1.0, 0.5, positive=True)
    assert pen.value(np.array([1.0, -1e-12])) == np.inf
    assert np.isfinite(pen.value(np.array([1.0, 0.0])))


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("penalty_cls", [L1, L2])
def test_prox_matrix_and_inplace(penalty_cls, positive):
    rng = np.random.default_rng(0)
    pen = penalty_cls(0.4, positive=positive)
    W = rng.standard_normal((5, 3))
    step = 0.7
    out = pen.prox(W, step)
    assert out.shape == W.shape
    l1, l2 = pen.kernel_params()

    def F(z):
        z = z.reshape(W.shape)
        return 0.5 * np.sum((z - W) ** 2) / step + pen.value(z)

    # The closed form beats a generic minimiser (feasible start: the prox itself).
    bounds = [(0, None)] * W.size if positive else None
    res = minimize(
        F,
        np.abs(W).ravel() if positive else W.ravel(),
        method="Powell",
        bounds=bounds,
        options={"xtol": 1e-10, "ftol": 1e-14},
    )
    assert F(out) <= res.fun + 1e-10
    W2 = W.copy()
    assert pen.prox(W2, step, out=W2) is W2
    assert_allclose(W2, out)


def test_subdiff_distance_and_alpha_max_agree():
    # At alpha = alpha_max(grad0), w = 0 satisfies KKT exactly; just below, it doesn't.
    rng = np.random.default_rng(1)
    grad0 = rng.standard_normal(7)
    for positive in (False, True):
        for l1_ratio in (1.0, 0.5):
            probe = ElasticNet(1.0, l1_ratio, positive=positive)
            amax = probe.alpha_max(grad0)
            top = (-grad0).max() if positive else np.abs(grad0).max()
            assert amax == pytest.approx(top / l1_ratio)
            at = ElasticNet(amax, l1_ratio, positive=positive)
            assert_allclose(at.subdiff_distance(np.zeros(7), grad0), 0, atol=1e-15)
            below = ElasticNet(0.99 * amax, l1_ratio, positive=positive)
            assert below.subdiff_distance(np.zeros(7), grad0).max() > 0


def test_alpha_max_of_pure_ridge():
    assert L2(1.0).alpha_max(np.array([0.5, -1.0])) == np.inf
    assert L2(1.0).alpha_max(np.zeros(2)) == 0.0


@pytest.mark.parametrize(
    "make", [lambda: ElasticNet(-1.0), lambda: L1(-0.1), lambda: GroupL1(-1)]
)
def test_negative_alpha_rejected(make):
    with pytest.raises(ValueError, match="alpha must be >= 0"):
        make()


@pytest.mark.parametrize("l1_ratio", [-0.1, 1.5, np.nan])
def test_l1_ratio_outside_unit_interval_rejected(l1_ratio):
    with pytest.raises(ValueError, match="l1_ratio must be in"):
        ElasticNet(1.0, l1_ratio)


def test_group_l1():
    rng = np.random.default_rng(2)
    W = rng.standard_normal((6, 3))
    W[2] = 0.0
    pen = GroupL1(0.5)
    assert pen.value(W) == pytest.approx(0.5 * np.linalg.norm(W, axis=1).sum())
    step = 0.8
    out = pen.prox(W, step)
    norms = np.linalg.norm(W, axis=1)
    expected = (
        W * np.maximum(1 - step * 0.5 / np.where(norms > 0, norms, 1), 0)[:, None]
    )
    assert_allclose(out, expected)
    # Prox fixed point <=> zero KKT distance: with grad := (out - W) / step, out is a
    # fixed point of the proximal-gradient map.
    grad = (out - W) / step
    assert_allclose(pen.subdiff_distance(out, grad), 0, atol=1e-12)
    # alpha_max: the largest row norm of the gradient at zero zeroes every row.
    amax = pen.alpha_max(grad)
    assert amax == pytest.approx(np.linalg.norm(grad, axis=1).max())
    assert_allclose(
        GroupL1(amax).subdiff_distance(np.zeros_like(W), grad), 0, atol=1e-15
    )
    assert GroupL1(0.9 * amax).subdiff_distance(np.zeros_like(W), grad).max() > 0


def test_repr():
    assert repr(L1(0.5)) == "L1(alpha=0.5, positive=False)"
    assert "l1_ratio=0.25" in repr(ElasticNet(1.0, 0.25))
    assert repr(GroupL1(2.0)) == "GroupL1(alpha=2.0)"


FLOATS = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
STRENGTHS = st.floats(0, 5, allow_nan=False, allow_infinity=False)
SETTINGS = settings(max_examples=60, deadline=None)


@SETTINGS
@given(data=st.data(), threshold=STRENGTHS)
def test_group_l1_prox_is_the_minimiser(data, threshold):
    n_rows = data.draw(st.integers(1, 4))
    n_cols = data.draw(st.integers(1, 4))
    W = data.draw(arrays(np.float64, (n_rows, n_cols), elements=FLOATS))
    out = GroupL1(threshold).prox(W, 1.0)
    for i in range(n_rows):

        def F(z, row=W[i]):
            return 0.5 * np.sum((z - row) ** 2) + threshold * np.linalg.norm(z)

        # Nonsmooth at 0: Powell (derivative-free) from two starts, the best kept.
        best = min(
            (
                minimize(F, x0, method="Powell", options={"xtol": 1e-10, "ftol": 1e-14})
                for x0 in (W[i], np.zeros(n_cols) + 1e-3)
            ),
            key=lambda r: r.fun,
        )
        assert F(out[i]) <= best.fun + 1e-9
        assert_allclose(out[i], best.x, rtol=0, atol=1e-4 * max(1, np.abs(W[i]).max()))
        if np.linalg.norm(W[i]) <= threshold:
            assert np.all(out[i] == 0)
    # In place.
    W2 = W.copy()
    assert GroupL1(threshold).prox(W2, 1.0, out=W2) is W2
    assert_allclose(W2, out)
