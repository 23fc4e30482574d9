"""Proximal operators and elastic-net penalty kernels.

All functions trust their input: arrays are 1-D, contiguous, float32 or float64 and
finite; scalars are Python floats (compiled as float64) and flags Python bools. The
shells and :mod:`skreg.penalties` validate upstream.

The elastic-net penalty used throughout is

.. math::

    g(w) = \\lambda_1 \\|w\\|_1 + \\frac{\\lambda_2}{2} \\|w\\|_2^2,

optionally restricted to ``w >= 0`` (``positive``). L1 (``lambda_2 = 0``) and L2
(``lambda_1 = 0``) are its corners, so one set of kernels serves all three penalties.
Its proximal operator with step ``t`` is closed form:

.. math::

    \\operatorname{prox}_{t g}(x) = \\frac{S(x, t \\lambda_1)}{1 + t \\lambda_2},
    \\qquad S(x, \\tau) = \\operatorname{sign}(x) \\max(|x| - \\tau, 0),

with ``S`` replaced by ``max(x - tau, 0)`` when ``positive``.

**Per-feature weights and bounds** (glmnet's ``penalty.factor``, ``lower.limits``,
``upper.limits``). The general penalty is separable,

.. math::

    g(w) = \\sum_j f_j \\left(\\lambda_1 |w_j| + \\frac{\\lambda_2}{2} w_j^2\\right)
    + \\iota_{[l_j, u_j]}(w_j), \\qquad l_j \\le 0 \\le u_j,

and the kernels that take it receive three float64 arrays, ``weights`` (``f``),
``lower`` (``l``) and ``upper`` (``u``), each either of shape ``(p,)`` or *empty*
(``np.empty(0)``): an empty ``weights`` means all ones, empty bounds mean no box. The
default fit passes empty arrays and pays one predictable branch per coordinate. Since
the one-dimensional problem is convex, the prox of a coordinate with a box is the
clipped elastic-net prox, ``clip(S(x, t f l1) / (1 + t f l2), l, u)``
(:func:`prox_coordinate`).
"""

import numpy as np

from skreg._jit import jit


@jit(inline=True)
def soft_threshold(x, threshold):
    """Return ``sign(x) * max(|x| - threshold, 0)`` for a scalar ``x``."""
    if x > threshold:
        return x - threshold
    if x < -threshold:
        return x + threshold
    return 0.0


@jit(inline=True)
def prox_enet_scalar(x, l1_step, l2_step, positive):
    """Elastic-net prox of a scalar: ``S(x, l1_step) / (1 + l2_step)``.

    ``l1_step`` and ``l2_step`` are the penalty strengths multiplied by the step.
    With ``positive`` the result is clipped at zero.
    """
    if positive:
        if x > l1_step:
            return (x - l1_step) / (1.0 + l2_step)
        return 0.0
    return soft_threshold(x, l1_step) / (1.0 + l2_step)


@jit(inline=True)
def prox_coordinate(x, scale, j, l1_reg, l2_reg, positive, weights, lower, upper):
    """Prox of coordinate ``j`` of the general penalty with step ``1 / scale``.

    ``clip(S(x, f_j l1_reg / scale) / (1 + f_j l2_reg / scale), lower_j, upper_j)``;
    a coordinate-descent update passes ``x = w_j + g_j / L_j`` and ``scale = L_j``.
    ``weights``, ``lower`` and ``upper`` are float64 arrays of shape ``(p,)`` or empty
    (see the module notes).
    """
    l1 = l1_reg
    l2 = l2_reg
    if weights.shape[0]:
        l1 = l1_reg * weights[j]
        l2 = l2_reg * weights[j]
    new = prox_enet_scalar(x, l1 / scale, l2 / scale, positive)
    if lower.shape[0]:
        if new < lower[j]:
            new = lower[j]
        elif new > upper[j]:
            new = upper[j]
    return new


@jit
def prox_enet(x, l1_step, l2_step, positive, weights, lower, upper, out):
    """Out-of-place elastic-net prox of a vector: ``out[:] = prox(x)``.

    Parameters
    ----------
    x : ndarray of shape (n,), float32 or float64, contiguous
        Point at which the prox is evaluated. Not modified (unless ``out is x``).
    l1_step, l2_step : float
        ``step * lambda_1`` and ``step * lambda_2``.
    positive : bool
        Restrict to the non-negative orthant.
    weights, lower, upper : ndarray of shape (n,) or (0,), float64
        Per-coordinate penalty factors and bounds (empty: none; module notes).
    out : ndarray of shape (n,), same dtype as ``x``
        Written in place and returned.
    """
    for j in range(x.shape[0]):
        out[j] = prox_coordinate(
            x[j], 1.0, j, l1_step, l2_step, positive, weights, lower, upper
        )
    return out


@jit
def enet_penalty_value(w, l1_reg, l2_reg, weights):
    """Return ``sum_j f_j (l1_reg |w_j| + 0.5 l2_reg w_j^2)``, in float64.

    ``weights`` (``f``) is float64 of shape ``(p,)`` or empty (all ones). Bounds do
    not enter: the solvers keep ``w`` inside them.
    """
    l1 = 0.0
    l2 = 0.0
    if weights.shape[0]:
        for j in range(w.shape[0]):
            wj = np.float64(w[j])
            l1 += weights[j] * abs(wj)
            l2 += weights[j] * wj * wj
    else:
        for j in range(w.shape[0]):
            wj = np.float64(w[j])
            l1 += abs(wj)
            l2 += wj * wj
    return l1_reg * l1 + 0.5 * l2_reg * l2


@jit(inline=True)
def enet_conjugate(z, l1, l2, lo, hi):
    """Convex conjugate of ``l1 |w| + l2 / 2 w^2`` on ``[lo, hi]`` (``lo <= 0 <= hi``).

    ``sup_{lo <= w <= hi} z w - l1 |w| - l2 w^2 / 2``: with ``t = |z| - l1 > 0`` the
    maximiser is ``min(t / l2, bound)`` on the side of ``sign(z)`` (``bound`` being
    ``hi`` or ``-lo``), giving ``t w - l2 w^2 / 2`` (``t^2 / (2 l2)`` unbounded,
    ``t * bound`` when ``l2 = 0``); zero when ``|z| <= l1``. ``inf`` when ``l2 = 0``
    and the bound on that side is infinite.
    """
    if z > l1:
        t = z - l1
        bound = hi
    elif z < -l1:
        t = -z - l1
        bound = -lo
    else:
        return 0.0
    if l2 > 0.0:
        w = t / l2
        if w > bound:
            w = bound
        return t * w - 0.5 * l2 * w * w
    if bound == 0.0:
        return 0.0
    return t * bound


@jit
def enet_subdiff_distance(w, grad, l1_reg, l2_reg, positive, out):
    """Per-feature distance of ``-grad`` to the subdifferential of the penalty at ``w``.

    This is the violation of the KKT condition ``-grad_j in d g(w_j)`` of feature ``j``:
    zero at an optimum, and the score by which working sets rank features.

    Parameters
    ----------
    w : ndarray of shape (p,)
        Coefficients.
    grad : ndarray of shape (p,)
        Gradient of the data-fitting term at ``w`` (same dtype as ``w``).
    l1_reg, l2_reg : float
        Penalty strengths.
    positive : bool
        Penalty restricted to ``w >= 0``.
    out : ndarray of shape (p,)
        Written in place and returned.
    """
    for j in range(w.shape[0]):
        wj = w[j]
        # Negative gradient minus the (smooth) ridge part: must lie in l1_reg * d|w_j|.
        v = -grad[j] - l2_reg * wj
        if wj > 0.0:
            out[j] = abs(v - l1_reg)
        elif wj < 0.0:
            out[j] = abs(v + l1_reg)
        elif positive:
            out[j] = max(v - l1_reg, 0.0)
        else:
            out[j] = max(abs(v) - l1_reg, 0.0)
    return out


@jit
def enet_subdiff_distance_general(
    w, grad, l1_reg, l2_reg, positive, weights, lower, upper, out
):
    """Per-feature distance of ``-grad`` to the subdifferential of the penalty at ``w``.

    This is the violation of the KKT condition ``-grad_j in d g(w_j)`` of feature ``j``:
    zero at an optimum, and the score by which working sets rank features. With
    bounds, the subdifferential includes the normal cone of the box: at ``w_j = u_j >
    0`` any ``-grad_j - f_j l2 w_j >= f_j l1`` is optimal (the coefficient pushes
    against its bound), symmetrically at ``w_j = l_j < 0``, and at ``w_j = 0`` a bound
    at zero (``l_j = 0`` or ``u_j = 0``) opens one side: the violation is
    ``max(f_j l1 - v, 0)`` at the upper bound and ``max(v + f_j l1, 0)`` at the lower
    one, with ``v = -grad_j - f_j l2 w_j``.

    Parameters
    ----------
    w : ndarray of shape (p,)
        Coefficients.
    grad : ndarray of shape (p,)
        Gradient of the data-fitting term at ``w`` (same dtype as ``w``).
    l1_reg, l2_reg : float
        Penalty strengths.
    positive : bool
        Penalty restricted to ``w >= 0``.
    weights, lower, upper : ndarray of shape (p,) or (0,), float64
        Penalty factors and bounds (empty: none; module notes).
    out : ndarray of shape (p,)
        Written in place and returned.
    """
    boxed = lower.shape[0] > 0
    for j in range(w.shape[0]):
        wj = w[j]
        l1 = l1_reg
        l2 = l2_reg
        if weights.shape[0]:
            l1 = l1_reg * weights[j]
            l2 = l2_reg * weights[j]
        # Negative gradient minus the (smooth) ridge part: must lie in l1 * d|w_j|
        # (plus the normal cone of the box).
        v = -grad[j] - l2 * wj
        if boxed and wj > 0.0 and wj >= upper[j]:
            out[j] = max(l1 - v, 0.0)
        elif boxed and wj < 0.0 and wj <= lower[j]:
            out[j] = max(v + l1, 0.0)
        elif wj > 0.0:
            out[j] = abs(v - l1)
        elif wj < 0.0:
            out[j] = abs(v + l1)
        elif positive or (boxed and lower[j] == 0.0):
            if boxed and upper[j] == 0.0:
                out[j] = 0.0
            else:
                out[j] = max(v - l1, 0.0)
        elif boxed and upper[j] == 0.0:
            out[j] = max(-v - l1, 0.0)
        else:
            out[j] = max(abs(v) - l1, 0.0)
    return out
