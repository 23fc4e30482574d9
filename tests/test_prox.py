"""Proximal kernels against brute-force minimisers (hypothesis) and numpy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose
from scipy.optimize import minimize_scalar

from skreg._kernels.prox import (
    enet_penalty_value,
    enet_subdiff_distance,
    enet_subdiff_distance_general,
    prox_enet,
    prox_enet_scalar,
    soft_threshold,
)

FLOATS = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
STRENGTHS = st.floats(0, 5, allow_nan=False, allow_infinity=False)
DTYPES = st.sampled_from([np.float32, np.float64])
SETTINGS = settings(max_examples=60, deadline=None)

# The kernels' "no penalty factors / no bounds" (empty float64 arrays).
NONE = np.empty(0)


def vectors(min_size=1, max_size=12, dtype=np.float64):
    return arrays(dtype, st.integers(min_size, max_size), elements=FLOATS)


def _brute_prox_scalar(x, l1, l2, positive):
    """argmin_z 0.5 (z - x)^2 + l1 |z| + 0.5 l2 z^2 (z >= 0 if positive), numerically.

    The objective is strictly convex, so bounded Brent on an interval containing the
    minimiser (|z*| <= |x|) finds it to xatol.
    """

    def f(z):
        return 0.5 * (z - x) ** 2 + l1 * abs(z) + 0.5 * l2 * z * z

    lo = 0.0 if positive else -abs(x) - 1.0
    res = minimize_scalar(
        f, bounds=(lo, abs(x) + 1.0), method="bounded", options={"xatol": 1e-12}
    )
    # Brent may stop a hair away from a kink: keep 0 if it is at least as good.
    return 0.0 if f(0.0) <= f(res.x) else res.x


@SETTINGS
@given(x=FLOATS, l1=STRENGTHS, l2=STRENGTHS, positive=st.booleans())
def test_prox_enet_scalar_is_the_minimiser(x, l1, l2, positive):
    expected = _brute_prox_scalar(x, l1, l2, positive)
    out = prox_enet(np.array([x]), l1, l2, positive, NONE, NONE, NONE, np.empty(1))
    assert_allclose(out[0], expected, rtol=0, atol=1e-6)
    assert prox_enet_scalar(x, l1, l2, positive) == out[0]
    if positive:
        assert out[0] >= 0


@SETTINGS
@given(data=st.data(), l1=STRENGTHS, l2=STRENGTHS, positive=st.booleans(), dtype=DTYPES)
def test_prox_enet_vector(data, l1, l2, positive, dtype):
    x = data.draw(vectors(dtype=dtype))
    out = prox_enet(x, l1, l2, positive, NONE, NONE, NONE, np.empty_like(x))
    assert out.dtype == dtype
    expected = [_brute_prox_scalar(float(v), l1, l2, positive) for v in x]
    atol = 1e-6 if dtype == np.float64 else 1e-5 * max(1.0, np.abs(x).max())
    assert_allclose(out, expected, rtol=0, atol=atol)

    # The vector prox minimises the separable objective: no random perturbation
    # (kept feasible) does better.
    def F(z):
        z = z.astype(np.float64)
        return 0.5 * np.sum((z - x) ** 2) + l1 * np.abs(z).sum() + 0.5 * l2 * z @ z

    rng = np.random.default_rng(0)
    for _ in range(5):
        z = out.astype(np.float64) + 1e-3 * rng.standard_normal(x.shape)
        if positive:
            z = np.maximum(z, 0)
        assert F(out) <= F(z) + 1e-9
    # In place: same values, and the input is the output.
    y = x.copy()
    assert prox_enet(y, l1, l2, positive, NONE, NONE, NONE, y) is y
    assert_allclose(y, out)


@SETTINGS
@given(x=FLOATS, t=STRENGTHS)
def test_soft_threshold(x, t):
    assert soft_threshold(x, t) == pytest.approx(np.sign(x) * max(abs(x) - t, 0.0))


@SETTINGS
@given(
    data=st.data(),
    l1=STRENGTHS,
    l2=STRENGTHS,
    step=st.floats(0.01, 10),
    positive=st.booleans(),
    dtype=DTYPES,
)
def test_subdiff_distance_zero_at_prox_fixed_point(data, l1, l2, step, positive, dtype):
    # w = prox(z) for any z, and grad := (w - z) / step, make w a fixed point of the
    # proximal-gradient map: prox(w - step * grad) = prox(z) = w. This is exactly the
    # optimality condition -grad in d g(w), so the KKT distance is zero.
    z = data.draw(vectors(dtype=np.float64))
    w = prox_enet(z, step * l1, step * l2, positive, NONE, NONE, NONE, np.empty_like(z))
    grad = (w - z) / step
    back = prox_enet(
        w - step * grad,
        step * l1,
        step * l2,
        positive,
        NONE,
        NONE,
        NONE,
        np.empty_like(w),
    )
    assert_allclose(back, w, rtol=0, atol=1e-12 * max(1, np.abs(z).max()))
    w, grad = w.astype(dtype), grad.astype(dtype)
    dist = enet_subdiff_distance(w, grad, l1, l2, positive, np.empty_like(w))
    atol = (1e-12 if dtype == np.float64 else 1e-5) * max(1, np.abs(z).max()) / step
    assert_allclose(dist, 0, atol=atol)
    # Away from the fixed point the distance is the exact violation: shift the
    # gradient of the first coordinate by d > 0 in a direction that leaves d g(w_0).
    d = 0.5
    grad2 = grad.copy()
    if w[0] != 0:
        grad2[0] += d  # subdifferential is the single point l1 sign(w_0) + l2 w_0
        expected = d
    else:
        # -grad_0 in [-l1, l1] ((-inf, l1] positive); push it out past l1.
        grad2[0] = -(l1 + d)
        expected = d
    dist2 = enet_subdiff_distance(w, grad2, l1, l2, positive, np.empty_like(w))
    assert dist2[0] == pytest.approx(expected, rel=1e-6, abs=atol + 1e-12)


@SETTINGS
@given(data=st.data(), l1=STRENGTHS, l2=STRENGTHS, dtype=DTYPES)
def test_enet_penalty_value(data, l1, l2, dtype):
    # The kernel documents its result "in float64": float32 entries are promoted
    # before squaring, so the value equals numpy's float64 computation.
    w = data.draw(vectors(dtype=dtype))
    w64 = w.astype(np.float64)
    expected = l1 * np.abs(w64).sum() + 0.5 * l2 * w64 @ w64
    assert enet_penalty_value(w, l1, l2, NONE) == pytest.approx(
        expected, rel=1e-12, abs=1e-12
    )


@SETTINGS
@given(data=st.data(), positive=st.booleans(), dtype=DTYPES)
def test_enet_alpha_max(data, positive, dtype):
    """alpha_max from the gradient at zero: the largest |g_j| (-g_j when positive, 0
    if none is positive), divided by l1_ratio; infinite for ridge unless g = 0."""
    from skreg.penalties import ElasticNet

    g = data.draw(vectors(dtype=dtype))
    g64 = g.astype(np.float64)
    expected = max((-g64).max(), 0.0) if positive else np.abs(g64).max()
    assert ElasticNet(1.0, 1.0, positive=positive).alpha_max(g) == expected
    assert ElasticNet(1.0, 0.25, positive=positive).alpha_max(g) == expected / 0.25
    ridge = ElasticNet(1.0, 0.0, positive=positive).alpha_max(g)
    assert ridge == (np.inf if expected > 0 else 0.0)


def test_prox_enet_preserves_float32():
    x = np.linspace(-2, 2, 9, dtype=np.float32)
    out = prox_enet(x, 0.5, 0.25, False, NONE, NONE, NONE, np.empty_like(x))
    assert out.dtype == np.float32
    assert_allclose(out, np.sign(x) * np.maximum(np.abs(x) - 0.5, 0) / 1.25, rtol=1e-6)


def test_subdiff_distance_with_bounds_against_brute_force():
    """Per coordinate: zero exactly when w_j minimises the 1-D problem with its box."""
    rng = np.random.default_rng(3)
    l1, l2 = 0.3, 0.2
    weights = np.array([1.0, 2.0, 0.0, 0.5, 1.0, 1.0])
    lower = np.array([-0.5, -np.inf, -1.0, 0.0, -0.2, -0.4])
    upper = np.array([0.4, 0.0, np.inf, 0.7, 0.0, 0.4])
    for _ in range(200):
        w = np.clip(rng.standard_normal(6), lower, upper)
        w[rng.uniform(size=6) < 0.3] = 0.0
        pick = (rng.uniform(size=6) < 0.3) & np.isfinite(lower) & np.isfinite(upper)
        w[pick] = np.where(rng.uniform(size=6) < 0.5, lower, upper)[pick]
        grad = 2.0 * rng.standard_normal(6)
        dist = enet_subdiff_distance_general(
            w, grad, l1, l2, False, weights, lower, upper, np.empty(6)
        )
        for j in range(6):
            # The 1-D objective over the box (clipped to +-5) is minimised at w_j
            # iff the violation is zero (brute force on a fine grid).
            f = weights[j]
            t = np.linspace(max(lower[j], -5.0), min(upper[j], 5.0), 20001)

            def h(x, g=grad[j], f=f):
                return g * x + f * (l1 * np.abs(x) + 0.5 * l2 * x * x)

            gain = h(w[j]) - h(t).min()
            assert (dist[j] <= 1e-12) == (gain <= 1e-12), (j, w[j], grad[j], dist[j])
