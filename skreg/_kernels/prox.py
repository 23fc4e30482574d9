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


@jit
def prox_enet(x, l1_step, l2_step, positive, out):
    """Out-of-place elastic-net prox of a vector: ``out[:] = prox(x)``.

    Parameters
    ----------
    x : ndarray of shape (n,), float32 or float64, contiguous
        Point at which the prox is evaluated. Not modified (unless ``out is x``).
    l1_step, l2_step : float
        ``step * lambda_1`` and ``step * lambda_2``.
    positive : bool
        Restrict to the non-negative orthant.
    out : ndarray of shape (n,), same dtype as ``x``
        Written in place and returned.
    """
    for j in range(x.shape[0]):
        out[j] = prox_enet_scalar(x[j], l1_step, l2_step, positive)
    return out


@jit
def enet_penalty_value(w, l1_reg, l2_reg):
    """Return ``l1_reg * ||w||_1 + 0.5 * l2_reg * ||w||_2^2``, in float64."""
    l1 = 0.0
    l2 = 0.0
    for j in range(w.shape[0]):
        wj = np.float64(w[j])
        l1 += abs(wj)
        l2 += wj * wj
    return l1_reg * l1 + 0.5 * l2_reg * l2


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
