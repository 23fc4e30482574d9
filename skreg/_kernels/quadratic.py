"""Kernels of the quadratic datafit: coordinate-descent epochs, gradients, duality gap.

Notation (all kernels). The problem solved is

.. math::

    \\min_w \\frac{1}{2n} \\|y_c - X_c w\\|_2^2 + \\lambda_1 \\|w\\|_1
    + \\frac{\\lambda_2}{2} \\|w\\|_2^2,

where ``X_c`` is ``X`` with its (weighted) column means ``xmean`` removed and ``y_c``
the centred target; ``inv_n = 1 / n``. The intercept is thereby eliminated exactly and
recovered afterwards as ``ybar - xmean @ w``. Sample weights are folded in upstream by
scaling rows by ``sqrt(s_i)`` (weights normalised to sum to ``n``), so these kernels
never see them.

**Implicit centring.** ``X_c`` is never formed.

- Dense: ``R`` is the true residual ``y_c - X_c w``; column ``j`` of ``X_c`` is read
  as ``X[:, j] - xmean[j]`` on the fly (``xmean`` is all zeros without intercept or when
  the caller centred explicitly).
- CSC: subtracting ``xmean[j]`` would densify a column, so the kernels keep the stored
  residual ``R = y_c - X w`` and a scalar ``offset = xmean @ w``; the true residual is
  ``R + offset * v`` with ``v`` the row scales (ones when unweighted). Because the true
  residual is orthogonal to ``v`` (it is weighted-centred),
  ``X_c[:, j] @ R_true = X[:, j] @ R + offset * n * xmean[j]`` and a coordinate step
  ``w_j += delta`` becomes ``R -= delta * X[:, j]``, ``offset += delta * xmean[j]``.

Shapes, dtypes and memory order: ``X`` is ``(n, p)`` Fortran-ordered; CSC ``data`` has
the dtype of ``X`` with int32 (or int64) ``indices`` / ``indptr`` and sorted indices;
``R``, ``w``, ``xmean`` and ``lipschitz`` are contiguous 1-D arrays of the same floating
dtype; ``ws`` is an int64 array of feature indices (the working set). Arrays named as
"updated in place" are mutated; nothing else is. Inputs are validated upstream: these
kernels do no checks. Reductions accumulate in float64.

CSC loops read the stored positions as unsigned (``np.uint64(indices[k])``, and the
``indptr`` bounds likewise): Numba then drops the negative-index wraparound test it
would otherwise make on every gathered or scattered element. Measured on the
20000 x 50000 benchmark (1e6 non-zeros): an epoch over 18,000 columns went from 1.45 to
0.77 ms and a full gradient from 2.1 to about 1.1 ms, on par with SciPy's
``X.T @ r``.
"""

import numpy as np

from skreg._jit import jit
from skreg._kernels.homotopy import cholesky_solve
from skreg._kernels.prox import (
    enet_conjugate,
    prox_coordinate,
    prox_enet_scalar,
)


@jit
def cd_epoch_quadratic(X, xmean, R, w, ws, lipschitz, l1_reg, l2_reg, positive, inv_n):
    """One cyclic proximal coordinate-descent pass over ``ws`` (dense ``X``).

    For each ``j`` in ``ws`` the exact coordinate minimiser is

    ``w_j <- S(L_j w_j + g_j, l1_reg) / (L_j + l2_reg)``,  ``g_j = X_c[:, j] @ R / n``,

    with ``L_j = ||X_c[:, j]||^2 / n`` (``lipschitz[j]``; columns with ``L_j = 0`` are
    constant after centring and stay at zero). ``w`` and ``R`` are updated in place.
    Returns the largest absolute coefficient change.
    """
    n = X.shape[0]
    max_change = 0.0
    for jj in range(ws.shape[0]):
        j = ws[jj]
        L = lipschitz[j]
        if L == 0.0:
            continue
        xm = xmean[j]
        dot = 0.0
        if xm == 0.0:
            for i in range(n):
                dot += X[i, j] * R[i]
        else:
            for i in range(n):
                dot += (X[i, j] - xm) * R[i]
        old = w[j]
        new = prox_enet_scalar(old + dot * inv_n / L, l1_reg / L, l2_reg / L, positive)
        delta = new - old
        if delta != 0.0:
            w[j] = new
            d = R.dtype.type(delta)
            if xm == 0.0:
                for i in range(n):
                    R[i] -= d * X[i, j]
            else:
                for i in range(n):
                    R[i] -= d * (X[i, j] - xm)
            if abs(delta) > max_change:
                max_change = abs(delta)
    return max_change


@jit
def cd_epoch_quadratic_general(
    X, xmean, R, w, ws, lipschitz, l1_reg, l2_reg, positive, weights, lower, upper,
    inv_n,
):  # fmt: skip
    """One cyclic proximal coordinate-descent pass over ``ws`` (dense ``X``).

    For each ``j`` in ``ws`` the exact coordinate minimiser is

    ``w_j <- S(L_j w_j + g_j, l1_reg) / (L_j + l2_reg)``,  ``g_j = X_c[:, j] @ R / n``,

    with ``L_j = ||X_c[:, j]||^2 / n`` (``lipschitz[j]``; columns with ``L_j = 0`` are
    constant after centring and stay at zero), penalty factors and bounds applied by
    :func:`skreg._kernels.prox.prox_coordinate`. ``w`` and ``R`` are updated in place.
    Returns the largest absolute coefficient change.
    """
    n = X.shape[0]
    max_change = 0.0
    # One test per call, not per coordinate (in the loop it cost 25% of a CSC epoch).
    plain = weights.shape[0] == 0 and lower.shape[0] == 0
    for jj in range(ws.shape[0]):
        j = ws[jj]
        L = lipschitz[j]
        if L == 0.0:
            continue
        xm = xmean[j]
        dot = 0.0
        if xm == 0.0:
            for i in range(n):
                dot += X[i, j] * R[i]
        else:
            for i in range(n):
                dot += (X[i, j] - xm) * R[i]
        old = w[j]
        x = old + dot * inv_n / L
        if plain:
            new = prox_enet_scalar(x, l1_reg / L, l2_reg / L, positive)
        else:
            new = prox_coordinate(
                x, L, j, l1_reg, l2_reg, positive, weights, lower, upper
            )
        delta = new - old
        if delta != 0.0:
            w[j] = new
            d = R.dtype.type(delta)
            if xm == 0.0:
                for i in range(n):
                    R[i] -= d * X[i, j]
            else:
                for i in range(n):
                    R[i] -= d * (X[i, j] - xm)
            if abs(delta) > max_change:
                max_change = abs(delta)
    return max_change


@jit
def cd_epoch_quadratic_sparse(
    data,
    indices,
    indptr,
    xmean,
    R,
    offset,
    w,
    ws,
    lipschitz,
    l1_reg,
    l2_reg,
    positive,
    inv_n,
):
    """One cyclic proximal coordinate-descent pass over ``ws`` (CSC ``X``).

    Same update as :func:`cd_epoch_quadratic`, on the stored residual ``R`` with the
    centring ``offset`` (see the module notes). ``w`` and ``R`` are updated in place.
    Returns ``(max_abs_change, new_offset)``.
    """
    max_change = 0.0
    for jj in range(ws.shape[0]):
        j = ws[jj]
        L = lipschitz[j]
        if L == 0.0:
            continue
        xm = xmean[j]
        dot = 0.0
        for k in range(np.uint64(indptr[j]), np.uint64(indptr[j + 1])):
            dot += data[k] * R[np.uint64(indices[k])]
        grad = dot * inv_n + offset * xm
        old = w[j]
        new = prox_enet_scalar(old + grad / L, l1_reg / L, l2_reg / L, positive)
        delta = new - old
        if delta != 0.0:
            w[j] = new
            d = R.dtype.type(delta)
            for k in range(np.uint64(indptr[j]), np.uint64(indptr[j + 1])):
                R[np.uint64(indices[k])] -= d * data[k]
            offset += delta * xm
            if abs(delta) > max_change:
                max_change = abs(delta)
    return max_change, offset


@jit
def cd_epoch_quadratic_sparse_general(
    data,
    indices,
    indptr,
    xmean,
    R,
    offset,
    w,
    ws,
    lipschitz,
    l1_reg,
    l2_reg,
    positive,
    weights,
    lower,
    upper,
    inv_n,
):
    """One cyclic proximal coordinate-descent pass over ``ws`` (CSC ``X``).

    Same update as :func:`cd_epoch_quadratic`, on the stored residual ``R`` with the
    centring ``offset`` (see the module notes). ``w`` and ``R`` are updated in place.
    Returns ``(max_abs_change, new_offset)``.
    """
    max_change = 0.0
    # One test per call, not per coordinate (in the loop it cost 25% of a CSC epoch).
    plain = weights.shape[0] == 0 and lower.shape[0] == 0
    for jj in range(ws.shape[0]):
        j = ws[jj]
        L = lipschitz[j]
        if L == 0.0:
            continue
        xm = xmean[j]
        dot = 0.0
        for k in range(np.uint64(indptr[j]), np.uint64(indptr[j + 1])):
            dot += data[k] * R[np.uint64(indices[k])]
        grad = dot * inv_n + offset * xm
        old = w[j]
        x = old + grad / L
        if plain:
            new = prox_enet_scalar(x, l1_reg / L, l2_reg / L, positive)
        else:
            new = prox_coordinate(
                x, L, j, l1_reg, l2_reg, positive, weights, lower, upper
            )
        delta = new - old
        if delta != 0.0:
            w[j] = new
            d = R.dtype.type(delta)
            for k in range(np.uint64(indptr[j]), np.uint64(indptr[j + 1])):
                R[np.uint64(indices[k])] -= d * data[k]
            offset += delta * xm
            if abs(delta) > max_change:
                max_change = abs(delta)
    return max_change, offset


@jit
def cd_epoch_gram(G, q, w, lipschitz, l1_reg, l2_reg, positive):
    """One cyclic proximal CD pass on a working set in covariance (Gram) form.

    For tall data (``n_samples`` much larger than the working set) the residual is not
    touched: with ``G = X_ws^T X_ws / n`` (centred columns) and the negative gradient
    ``q = X_ws^T R / n``, a step ``w_j += delta`` updates ``q -= delta * G[:, j]`` in
    ``O(|ws|)`` instead of ``O(n)`` (Friedman, Hastie & Tibshirani 2010, covariance
    updates).

    Parameters
    ----------
    G : ndarray of shape (k, k), C-contiguous, symmetric
        Gram matrix of the working set (row ``j`` is read as column ``j``).
    q : ndarray of shape (k,)
        Negative datafit gradient on the working set; updated in place.
    w : ndarray of shape (k,)
        Coefficients of the working set; updated in place.
    lipschitz : ndarray of shape (k,)
        ``G[j, j]``; zero for constant columns (kept at zero).
    l1_reg, l2_reg : float
        Penalty strengths; ``positive`` restricts ``w >= 0``.

    Returns
    -------
    max_change : float
        Largest absolute coefficient change.
    """
    k = w.shape[0]
    max_change = 0.0
    for j in range(k):
        L = lipschitz[j]
        if L == 0.0:
            continue
        old = w[j]
        new = prox_enet_scalar(old + q[j] / L, l1_reg / L, l2_reg / L, positive)
        delta = new - old
        if delta != 0.0:
            w[j] = new
            d = q.dtype.type(delta)
            for i in range(k):
                q[i] -= d * G[j, i]
            if abs(delta) > max_change:
                max_change = abs(delta)
    return max_change


# From this many rows, gradient_quadratic reads four columns per pass over R: the
# products are bound by memory bandwidth there, and four streams read faster than one.
# Measured (one thread, X of 80 MB, 1.6 MB for the last two): 0.58x the time at
# 10000 x 1000 and 20000 x 500, 0.64x at 50000 x 200, 0.71x at 4000 x 2500, 0.81x at
# 2500 x 4000, 0.65x at 4096 x 100; 1.04x at 2000 x 5000 and 1.77x at 1000 x 10000.
_BLOCK_ROWS = 2500


@jit
def cd_epoch_gram_general(
    G, q, w, lipschitz, l1_reg, l2_reg, positive, weights, lower, upper
):
    """One cyclic proximal CD pass on a working set in covariance (Gram) form.

    For tall data (``n_samples`` much larger than the working set) the residual is not
    touched: with ``G = X_ws^T X_ws / n`` (centred columns) and the negative gradient
    ``q = X_ws^T R / n``, a step ``w_j += delta`` updates ``q -= delta * G[:, j]`` in
    ``O(|ws|)`` instead of ``O(n)`` (Friedman, Hastie & Tibshirani 2010, covariance
    updates).

    Parameters
    ----------
    G : ndarray of shape (k, k), C-contiguous, symmetric
        Gram matrix of the working set (row ``j`` is read as column ``j``).
    q : ndarray of shape (k,)
        Negative datafit gradient on the working set; updated in place.
    w : ndarray of shape (k,)
        Coefficients of the working set; updated in place.
    lipschitz : ndarray of shape (k,)
        ``G[j, j]``; zero for constant columns (kept at zero).
    l1_reg, l2_reg : float
        Penalty strengths; ``positive`` restricts ``w >= 0``.
    weights, lower, upper : ndarray of shape (k,) or (0,), float64
        Penalty factors and bounds *of the working set* (empty: none).

    Returns
    -------
    max_change : float
        Largest absolute coefficient change.
    """
    k = w.shape[0]
    max_change = 0.0
    # One test per call, not per coordinate (in the loop it cost 25% of a CSC epoch).
    plain = weights.shape[0] == 0 and lower.shape[0] == 0
    for j in range(k):
        L = lipschitz[j]
        if L == 0.0:
            continue
        old = w[j]
        x = old + q[j] / L
        if plain:
            new = prox_enet_scalar(x, l1_reg / L, l2_reg / L, positive)
        else:
            new = prox_coordinate(
                x, L, j, l1_reg, l2_reg, positive, weights, lower, upper
            )
        delta = new - old
        if delta != 0.0:
            w[j] = new
            d = q.dtype.type(delta)
            for i in range(k):
                q[i] -= d * G[j, i]
            if abs(delta) > max_change:
                max_change = abs(delta)
    return max_change


# From this many rows, gradient_quadratic reads four columns per pass over R: the
# products are bound by memory bandwidth there, and four streams read faster than one.
# Measured (one thread, X of 80 MB, 1.6 MB for the last two): 0.58x the time at
# 10000 x 1000 and 20000 x 500, 0.64x at 50000 x 200, 0.71x at 4000 x 2500, 0.81x at
# 2500 x 4000, 0.65x at 4096 x 100; 1.04x at 2000 x 5000 and 1.77x at 1000 x 10000.
_BLOCK_ROWS = 2500


@jit
def gradient_quadratic(X, xmean, R, ws, inv_n, out):
    """Datafit gradient on ``ws``: ``out[k] = -X_c[:, ws[k]] @ R / n`` (dense).

    ``out`` has shape ``(len(ws),)``; it is written and returned. From
    ``_BLOCK_ROWS`` rows on, four columns are read per pass over ``R``.
    """
    n = X.shape[0]
    start = 0
    if n >= _BLOCK_ROWS:
        while start + 4 <= ws.shape[0]:
            j0 = ws[start]
            j1 = ws[start + 1]
            j2 = ws[start + 2]
            j3 = ws[start + 3]
            m0 = xmean[j0]
            m1 = xmean[j1]
            m2 = xmean[j2]
            m3 = xmean[j3]
            d0 = 0.0
            d1 = 0.0
            d2 = 0.0
            d3 = 0.0
            for i in range(n):
                r = R[i]
                d0 += (X[i, j0] - m0) * r
                d1 += (X[i, j1] - m1) * r
                d2 += (X[i, j2] - m2) * r
                d3 += (X[i, j3] - m3) * r
            out[start] = -d0 * inv_n
            out[start + 1] = -d1 * inv_n
            out[start + 2] = -d2 * inv_n
            out[start + 3] = -d3 * inv_n
            start += 4
    for jj in range(start, ws.shape[0]):
        j = ws[jj]
        xm = xmean[j]
        dot = 0.0
        if xm == 0.0:
            for i in range(n):
                dot += X[i, j] * R[i]
        else:
            for i in range(n):
                dot += (X[i, j] - xm) * R[i]
        out[jj] = -dot * inv_n
    return out


@jit
def gradient_quadratic_sparse(data, indices, indptr, xmean, R, offset, ws, inv_n, out):
    """Datafit gradient on ``ws`` for CSC ``X`` (stored residual plus ``offset``)."""
    for jj in range(ws.shape[0]):
        j = ws[jj]
        dot = 0.0
        for k in range(np.uint64(indptr[j]), np.uint64(indptr[j + 1])):
            dot += data[k] * R[np.uint64(indices[k])]
        out[jj] = -(dot * inv_n + offset * xmean[j])
    return out


@jit
def update_residual(X, xmean, R, ws, delta):
    """``R -= X_c[:, ws] @ delta`` in place (dense); used after extrapolation steps."""
    n = X.shape[0]
    for jj in range(ws.shape[0]):
        d = delta[jj]
        if d == 0.0:
            continue
        j = ws[jj]
        xm = xmean[j]
        for i in range(n):
            R[i] -= d * (X[i, j] - xm)


@jit
def update_residual_sparse(data, indices, indptr, xmean, R, offset, ws, delta):
    """``R -= X[:, ws] @ delta`` in place (CSC); returns the updated ``offset``."""
    for jj in range(ws.shape[0]):
        d = delta[jj]
        if d == 0.0:
            continue
        j = ws[jj]
        for k in range(np.uint64(indptr[j]), np.uint64(indptr[j + 1])):
            R[np.uint64(indices[k])] -= d * data[k]
        offset += np.float64(d) * xmean[j]
    return offset


@jit
def enet_duals_general(
    w, xt_theta, theta_norm2, theta_dot_y, l1_reg, l2_reg, positive, weights, lower,
    upper,
):  # fmt: skip
    """Return the two elastic-net dual objectives reachable from ``theta``.

    The one home of the dual objective: :func:`enet_dual_value` (gaps) and
    :func:`enet_screen` (gap-safe rules) read it from here.

    Parameters
    ----------
    w : ndarray of shape (p,)
        Coefficients paired with ``theta`` (used by the augmented dual A).
    xt_theta : ndarray of shape (p,)
        ``X_c.T @ theta / n`` (projected by :func:`project_unpenalised` when some
        weights are zero).
    theta_norm2, theta_dot_y : float
        ``theta @ theta / n`` and ``theta @ y_c / n``. ``theta`` must be orthogonal to
        the row scales when an intercept is fitted (residuals and their affine
        combinations are).
    l1_reg, l2_reg, positive, weights, lower, upper
        The penalty (:mod:`skreg._kernels.prox` module notes).

    Returns
    -------
    dual_a, c_a, dual_b, c_b : float
        Two lower bounds of the optimum (``-inf`` when not defined) and their scalings:

        A. scikit-learn's: the elastic net as a lasso on ``[X; sqrt(l2_j) e_j]``, dual
           point ``c [theta; -sqrt(l2) w]`` with ``c = min(1, min_j l1_j / |xt_theta_j
           - l2_j w_j|)``: ``c theta y - c^2 (||theta||^2 + sum_j l2_j w_j^2) / 2``;
           not with bounds.
        B. the Fenchel dual at ``c theta``,
           ``c theta y - c^2 ||theta||^2 / 2 - sum_j g_j^*(c xt_theta_j)``, with
           ``g_j^*`` the conjugate of feature ``j``'s penalty
           (:func:`skreg._kernels.prox.enet_conjugate`; ``(|z| - l1)_+^2 / (2 l2)``
           without bounds) and ``c < 1`` only where ``g_j^*`` would be infinite
           (``l2_j = 0`` and no bound on that side). Finite everywhere with a
           bounded box: bounds need no rescaling. Without weights or bounds, B is
           only computed for ``l2 > 0`` (with ``l2 = 0`` it equals A).
    """
    # Long (about 90 lines): the two dual points (rescaled and Fenchel) share one
    # pass over the features, with per-feature factors and bounds; kept in one loop.
    p = w.shape[0]
    weighted = weights.shape[0] > 0
    boxed = lower.shape[0] > 0
    dual_a = -np.inf
    c_a = 0.0
    if l1_reg > 0.0 and not boxed:
        w_l2 = 0.0
        c_a = 1.0
        if weighted:
            for j in range(p):
                wj = np.float64(w[j])
                f = weights[j]
                w_l2 += f * wj * wj
                v = np.float64(xt_theta[j]) - l2_reg * f * wj
                if not positive:
                    v = abs(v)
                if v * c_a > l1_reg * f:
                    c_a = l1_reg * f / v
        else:
            dual_norm = 0.0
            for j in range(p):
                wj = np.float64(w[j])
                w_l2 += wj * wj
                v = np.float64(xt_theta[j]) - l2_reg * wj
                if not positive:
                    v = abs(v)
                if v > dual_norm:
                    dual_norm = v
            if dual_norm > l1_reg:
                c_a = l1_reg / dual_norm
        dual_a = c_a * theta_dot_y - 0.5 * c_a * c_a * (theta_norm2 + l2_reg * w_l2)
    dual_b = -np.inf
    c_b = 0.0
    if not (weighted or boxed):
        if l2_reg > 0.0:
            c_b = 1.0
            excess = 0.0
            for j in range(p):
                v = np.float64(xt_theta[j])
                if not positive:
                    v = abs(v)
                v -= l1_reg
                if v > 0.0:
                    excess += v * v
            dual_b = theta_dot_y - 0.5 * theta_norm2 - excess / (2.0 * l2_reg)
        return dual_a, c_a, dual_b, c_b
    if l1_reg == 0.0 and l2_reg == 0.0:
        return dual_a, c_a, dual_b, c_b
    # B, general: first the scaling that keeps every conjugate finite ...
    c_b = 1.0
    for j in range(p):
        f = 1.0
        if weighted:
            f = weights[j]
        if l2_reg * f > 0.0:
            continue
        l1 = l1_reg * f
        z = np.float64(xt_theta[j])
        hi = np.inf
        lo = -np.inf
        if boxed:
            hi = upper[j]
            lo = lower[j]
        if positive and lo < 0.0:
            lo = 0.0
        if z > 0.0 and hi == np.inf and z * c_b > l1:
            c_b = l1 / z
        elif z < 0.0 and lo == -np.inf and -z * c_b > l1:
            c_b = l1 / -z
    # ... then the conjugates at c_b * xt_theta (zero by construction where c_b was
    # chosen: not evaluated there, as rounding could give t * inf).
    conj = 0.0
    for j in range(p):
        f = 1.0
        if weighted:
            f = weights[j]
        l1 = l1_reg * f
        l2 = l2_reg * f
        z = c_b * np.float64(xt_theta[j])
        hi = np.inf
        lo = -np.inf
        if boxed:
            hi = upper[j]
            lo = lower[j]
        if positive and lo < 0.0:
            lo = 0.0
        if l2 == 0.0 and ((z > 0.0 and hi == np.inf) or (z < 0.0 and lo == -np.inf)):
            continue
        conj += enet_conjugate(z, l1, l2, lo, hi)
    dual_b = c_b * theta_dot_y - 0.5 * c_b * c_b * theta_norm2 - conj
    return dual_a, c_a, dual_b, c_b


@jit
def enet_dual_value(w, xt_theta, theta_norm2, theta_dot_y, l1_reg, l2_reg, positive):
    """Best elastic-net dual objective reachable from a residual-like point ``theta``.

    Parameters
    ----------
    w : ndarray of shape (p,)
        Coefficients paired with ``theta`` (used by the augmented dual A).
    xt_theta : ndarray of shape (p,)
        ``X_c.T @ theta / n``.
    theta_norm2, theta_dot_y : float
        ``theta @ theta / n`` and ``theta @ y_c / n``. ``theta`` must be orthogonal to
        the row scales when an intercept is fitted (residuals and their affine
        combinations are).
    l1_reg, l2_reg : float
        Penalty strengths; ``positive`` restricts ``w >= 0``.

    Returns
    -------
    dual : float
        The larger of two dual objectives (each a lower bound of the optimum):

        A. scikit-learn's: the elastic net as a lasso on ``[X; sqrt(l2) I]``, dual point
           ``c [theta; -sqrt(l2) w]`` with ``c = min(1, l1 / ||xt_theta - l2 w||_inf)``:
           ``c theta y - c^2 (||theta||^2 + l2 ||w||^2) / 2``;
        B. for ``l2 > 0``, the Fenchel dual at ``theta`` itself:
           ``theta y - ||theta||^2 / 2 - sum_j (|xt_theta_j| - l1)_+^2 / (2 l2)``.

        ``-inf`` when ``l1 = l2 = 0`` (least squares has no such dual).
    """
    p = w.shape[0]
    dual = -np.inf
    if l1_reg > 0.0:
        w_l2 = 0.0
        dual_norm = 0.0
        for j in range(p):
            wj = np.float64(w[j])
            w_l2 += wj * wj
            v = np.float64(xt_theta[j]) - l2_reg * wj
            if not positive:
                v = abs(v)
            if v > dual_norm:
                dual_norm = v
        c = 1.0
        if dual_norm > l1_reg:
            c = l1_reg / dual_norm
        dual = c * theta_dot_y - 0.5 * c * c * (theta_norm2 + l2_reg * w_l2)
    if l2_reg > 0.0:
        excess = 0.0
        for j in range(p):
            v = np.float64(xt_theta[j])
            if not positive:
                v = abs(v)
            v -= l1_reg
            if v > 0.0:
                excess += v * v
        dual = max(dual, theta_dot_y - 0.5 * theta_norm2 - excess / (2.0 * l2_reg))
    return dual


@jit
def enet_dual_value_general(
    w, xt_theta, theta_norm2, theta_dot_y, l1_reg, l2_reg, positive, weights, lower,
    upper,
):  # fmt: skip
    """:func:`enet_dual_value` with penalty factors and bounds.

    The duals of :func:`enet_duals_general`.

    Returns the larger of its duals A and B (``-inf`` when ``l1 = l2 = 0``: least
    squares has no such dual).
    """
    dual_a, _, dual_b, _ = enet_duals_general(
        w, xt_theta, theta_norm2, theta_dot_y, l1_reg, l2_reg, positive, weights,
        lower, upper,
    )  # fmt: skip
    return max(dual_a, dual_b)


@jit
def project_unpenalised(
    xt_theta, theta_norm2, theta_dot_y, pos, cross, cols, pinv, b_u, out
):  # fmt: skip
    """Project a dual point on the orthogonal complement of the unpenalised columns.

    Features with penalty factor 0 (set ``U``) make every dual point infeasible
    unless ``X_U^T theta = 0`` (their conjugate is the indicator of ``{0}``). The
    orthogonal projection ``theta' = theta - X_U a``, ``a = G_UU^+ X_U^T theta / n``
    (``G_UU = X_U^T X_U / n``), is feasible for them, equals ``theta`` at the optimum
    (where the residual is orthogonal to ``X_U``), and its statistics follow from
    those of ``theta`` without touching ``X``:
    ``X_j^T theta' / n = xt_theta_j - C_j a`` with ``C = X_c^T X_U / n``,
    ``||theta'||^2 / n = ||theta||^2 / n - (X_U^T theta / n) @ a`` and
    ``theta' @ y_c / n = theta @ y_c / n - b_U @ a`` (``b_U = X_U^T y_c / n``).

    Parameters
    ----------
    xt_theta : ndarray of shape (k,), float64
        ``X_c[:, S].T @ theta / n`` on some features ``S`` holding ``U``.
    theta_norm2, theta_dot_y : float
        As in :func:`enet_duals_general`.
    pos : ndarray of shape (u,), int64
        Positions of ``U`` within ``S``.
    cross : ndarray of shape (k, m), float64, C-contiguous
        Rows ``S`` of a matrix whose columns ``cols`` are ``C`` (the Gram matrix
        itself in covariance form).
    cols : ndarray of shape (u,), int64
        Columns of ``cross`` holding ``U``.
    pinv : ndarray of shape (u, u), float64
        Pseudo-inverse of ``G_UU`` (singular for duplicated unpenalised columns).
    b_u : ndarray of shape (u,), float64
        ``X_U^T y_c / n``.
    out : ndarray of shape (k,), float64
        Written with the projected ``xt_theta`` (exactly zero on ``U``).

    Returns
    -------
    theta_norm2, theta_dot_y : float
        Those of ``theta'``.
    """
    u = pos.shape[0]
    a = np.zeros(u)
    for i in range(u):
        acc = 0.0
        for k in range(u):
            acc += pinv[i, k] * np.float64(xt_theta[pos[k]])
        a[i] = acc
    zu_a = 0.0
    bu_a = 0.0
    for i in range(u):
        zu_a += np.float64(xt_theta[pos[i]]) * a[i]
        bu_a += b_u[i] * a[i]
    for j in range(xt_theta.shape[0]):
        acc = np.float64(xt_theta[j])
        for i in range(u):
            acc -= cross[j, cols[i]] * a[i]
        out[j] = acc
    for i in range(u):
        out[pos[i]] = 0.0
    return theta_norm2 - zu_a, theta_dot_y - bu_a


@jit
def enet_dual_gap(w, neg_grad, r_norm2, r_dot_y, l1_reg, l2_reg, positive):
    """Elastic-net duality gap in scikit-learn's scaling (divided by ``n``).

    Parameters
    ----------
    w : ndarray of shape (p,)
        Coefficients.
    neg_grad : ndarray of shape (p,)
        ``X_c.T @ R / n`` at ``w`` (minus the datafit gradient).
    r_norm2, r_dot_y : float
        ``R @ R / n`` and ``R @ y_c / n`` for the true residual ``R = y_c - X_c w``.
    l1_reg, l2_reg : float
        Penalty strengths; ``positive`` restricts ``w >= 0``.

    Returns
    -------
    gap : float
        ``P(w) - D`` with ``D`` the dual value of :func:`enet_dual_value` at the
        residual. With ``l1 = l2 = 0`` (least squares) there is no dual point; as
        scikit-learn, the squared norm of the gradient is returned.
    """
    if l1_reg == 0.0 and l2_reg == 0.0:
        gnorm2 = 0.0
        for j in range(w.shape[0]):
            gnorm2 += np.float64(neg_grad[j]) ** 2
        return gnorm2
    w_l1 = 0.0
    w_l2 = 0.0
    for j in range(w.shape[0]):
        w_l1 += abs(np.float64(w[j]))
        w_l2 += np.float64(w[j]) * np.float64(w[j])
    primal = 0.5 * r_norm2 + l1_reg * w_l1 + 0.5 * l2_reg * w_l2
    return primal - enet_dual_value(
        w, neg_grad, r_norm2, r_dot_y, l1_reg, l2_reg, positive
    )


@jit
def enet_screen(
    w,
    xt_theta,
    theta_norm2,
    theta_dot_y,
    primal,
    lipschitz,
    l1_reg,
    l2_reg,
    positive,
    keep,
):
    """Gap-safe screening of the elastic net (Ndiaye, Fercoq, Gramfort & Salmon 2017).

    Both duals of :func:`enet_dual_value` are ``1/n``-strongly concave, so the optimal
    dual point lies within ``sqrt(2 n gap)`` of any dual point, ``gap`` being the
    objective minus that point's dual value. Two safe tests follow; feature ``j`` is
    proven zero when either holds:

    A. (lasso on ``[X; sqrt(n l2) I]``, dual point ``c [theta; -sqrt(n l2) w]``)
       ``c |xt_theta_j - l2 w_j| + sqrt(2 gap_A (L_j + l2)) < l1``;
    B. (``l2 > 0``, Fenchel dual at ``theta``, whose optimum gives
       ``w_j = S(x_j^T theta / n, l1) / l2``)
       ``|xt_theta_j| + sqrt(2 gap_B L_j) < l1``;

    without the absolute values when ``positive``; ``L_j = ||X_c[:, j]||^2 / n``.

    Parameters
    ----------
    w, xt_theta, lipschitz : ndarray of shape (p,)
        Coefficients, ``X_c.T @ theta / n`` and column norms, on the features still in
        play (the problem reduced by earlier screening).
    theta_norm2, theta_dot_y : float
        ``theta @ theta / n`` and ``theta @ y_c / n``.
    primal : float
        Objective at the current iterate.
    l1_reg, l2_reg : float
        Penalty strengths (``l1_reg > 0``); ``positive`` restricts ``w >= 0``.
    keep : ndarray of shape (p,), bool
        Written in place: ``False`` for the features proven zero.

    Returns
    -------
    n_keep : int
        Number of features kept.
    """
    p = w.shape[0]
    w_l2 = 0.0
    dual_norm = 0.0
    excess = 0.0
    for j in range(p):
        w_l2 += np.float64(w[j]) * np.float64(w[j])
        v = np.float64(xt_theta[j]) - l2_reg * np.float64(w[j])
        u = np.float64(xt_theta[j])
        if not positive:
            v = abs(v)
            u = abs(u)
        if v > dual_norm:
            dual_norm = v
        if u > l1_reg:
            excess += (u - l1_reg) ** 2
    c = 1.0
    if dual_norm > l1_reg:
        c = l1_reg / dual_norm
    dual_a = c * theta_dot_y - 0.5 * c * c * (theta_norm2 + l2_reg * w_l2)
    gap_a = max(primal - dual_a, 0.0)
    gap_b = np.inf
    if l2_reg > 0.0:
        dual_b = theta_dot_y - 0.5 * theta_norm2 - excess / (2.0 * l2_reg)
        gap_b = max(primal - dual_b, 0.0)
    root_a = np.sqrt(2.0 * gap_a)
    root_b = np.sqrt(2.0 * gap_b)
    n_keep = 0
    for j in range(p):
        v = np.float64(xt_theta[j]) - l2_reg * np.float64(w[j])
        u = np.float64(xt_theta[j])
        if not positive:
            v = abs(v)
            u = abs(u)
        L = np.float64(lipschitz[j])
        # sqrt(2 gap) sqrt(L): the product gap * L underflows for tiny data scales.
        safe_a = c * v + root_a * np.sqrt(L + l2_reg) < l1_reg
        safe_b = u + root_b * np.sqrt(L) < l1_reg
        keep[j] = not (safe_a or safe_b)
        if keep[j]:
            n_keep += 1
    return n_keep


@jit
def enet_screen_general(
    w,
    xt_theta,
    theta_norm2,
    theta_dot_y,
    primal,
    lipschitz,
    l1_reg,
    l2_reg,
    positive,
    weights,
    lower,
    upper,
    keep,
):
    """Gap-safe screening with penalty factors and bounds (see :func:`enet_screen`).

    Both duals of :func:`enet_duals_general` are ``1/n``-strongly concave: the optimal
    dual point lies within ``sqrt(2 n gap)`` of any dual point, ``gap`` being the
    objective minus that point's dual value. Two safe tests follow; feature ``j`` is
    proven zero when either holds (``l1_j = f_j l1``, ``l2_j = f_j l2``):

    A. (lasso on ``[X; sqrt(n l2_j) e_j]``, dual point ``c [theta; -sqrt(n l2) w]``;
       not with bounds) ``c |xt_theta_j - l2_j w_j| + sqrt(2 gap_A (L_j + l2_j))
       < l1_j``;
    B. (Fenchel dual at ``c theta``; the optimum gives ``w_j`` in the
       subdifferential of ``g_j^*`` at ``x_j^T theta^* / n``, which is ``{0}`` when
       ``|x_j^T theta^* / n| < l1_j``, bounds or not)
       ``c |xt_theta_j| + sqrt(2 gap_B L_j) < l1_j``;

    without the absolute values when ``positive`` (one side only where a bound is
    zero); ``L_j = ||X_c[:, j]||^2 / n``. Unpenalised features (``f_j = 0``) are
    always kept.

    Parameters
    ----------
    w, xt_theta, lipschitz : ndarray of shape (p,)
        Coefficients, ``X_c.T @ theta / n`` and column norms, on the features still in
        play (the problem reduced by earlier screening).
    theta_norm2, theta_dot_y : float
        ``theta @ theta / n`` and ``theta @ y_c / n``.
    primal : float
        Objective at the current iterate.
    l1_reg, l2_reg, positive, weights, lower, upper
        The penalty (``l1_reg > 0``), restricted to the features in play.
    keep : ndarray of shape (p,), bool
        Written in place: ``False`` for the features proven zero.

    Returns
    -------
    n_keep : int
        Number of features kept.
    """
    p = w.shape[0]
    dual_a, c_a, dual_b, c_b = enet_duals_general(
        w, xt_theta, theta_norm2, theta_dot_y, l1_reg, l2_reg, positive, weights,
        lower, upper,
    )  # fmt: skip
    gap_a = max(primal - dual_a, 0.0)
    gap_b = max(primal - dual_b, 0.0)
    root_a = np.sqrt(2.0 * gap_a)
    root_b = np.sqrt(2.0 * gap_b)
    weighted = weights.shape[0] > 0
    boxed = lower.shape[0] > 0
    n_keep = 0
    for j in range(p):
        f = 1.0
        if weighted:
            f = weights[j]
        l1 = l1_reg * f
        l2 = l2_reg * f
        z = np.float64(xt_theta[j])
        v = z - l2 * np.float64(w[j])
        up = not boxed or upper[j] > 0.0
        down = not positive and (not boxed or lower[j] < 0.0)
        u = -np.inf
        if up:
            u = z
        if down and -z > u:
            u = -z
        if not positive:
            v = abs(v)
        L = np.float64(lipschitz[j])
        # sqrt(2 gap) sqrt(L): the product gap * L underflows for tiny data scales.
        safe_a = dual_a > -np.inf and c_a * v + root_a * np.sqrt(L + l2) < l1
        safe_b = dual_b > -np.inf and c_b * u + root_b * np.sqrt(L) < l1
        keep[j] = not (safe_a or safe_b)
        if keep[j]:
            n_keep += 1
    return n_keep


@jit
def cd_solve_gram(
    G, b, y_sq, w, lipschitz, l1_reg, l2_reg, positive, tol_abs, rel_tol, floor,
    max_iter, check_every, q,
):  # fmt: skip
    """Run coordinate descent in covariance form only (a few features).

    Cyclic epochs over every feature on the Gram matrix ``G = X_c.T X_c / n`` with
    ``b = X_c.T y_c / n`` and ``y_sq = y_c @ y_c / n`` (float64, computed once per
    data set by the caller and reused along a path and across solves), ``O(p^2)``
    each, never touching ``X`` (Friedman, Hastie & Tibshirani 2010). ``q`` is the
    negative gradient ``b - G w`` (float64, updated in place; recomputed exactly at
    every check, so that rounding does not accumulate).

    Every ``check_every`` epochs the duality gap is computed from the same
    quantities: with ``G w = b - q``, ``R @ y_c / n = y_sq - w @ b`` and
    ``||R||^2 / n = y_sq - w @ b - w @ q``. These subtractions lose the digits of
    ``y_sq`` when the fit is nearly perfect, so the kernel also returns a bound on
    their rounding error, ``8 eps (y_sq + |w| @ (|b| + |q|))``, which the caller
    compares with the threshold (and certifies from the residual when it matters).

    Stops when the gap is at most ``tol_abs`` (when ``tol_abs >= 0``) or else
    ``max(rel_tol * P(w), floor)``, or after ``max_iter`` epochs (the caller runs it
    in phases: a call resumes from ``w``). ``w`` and ``q`` are updated in place.
    Returns ``(n_epochs, gap, threshold, rounding_bound)``.
    """
    p = w.shape[0]
    eps = np.finfo(np.float64).eps
    w64 = np.empty(p, np.float64)
    for j in range(p):
        w64[j] = w[j]
    n_epochs = 0
    support = np.empty(p, np.int64)
    while True:
        wb = 0.0
        wq = 0.0
        mag = 0.0
        pen = 0.0
        g_l2 = 0.0
        # G w over the nonzeros of w (the same sums: the zeros add nothing), O(p |S|)
        n_support = 0
        for k in range(p):
            if w64[k] != 0.0:
                support[n_support] = k
                n_support += 1
        for j in range(p):
            acc = b[j]
            for kk in range(n_support):
                k = support[kk]
                acc -= G[j, k] * w64[k]
            q[j] = acc
            wj = w64[j]
            wb += wj * b[j]
            wq += wj * acc
            mag += abs(wj) * (abs(b[j]) + abs(acc))
            pen += l1_reg * abs(wj) + 0.5 * l2_reg * wj * wj
            g_l2 += acc * acc
        r_dot_y = y_sq - wb
        r_norm2 = r_dot_y - wq
        primal = 0.5 * r_norm2 + pen
        if l1_reg == 0.0 and l2_reg == 0.0:
            gap = g_l2  # least squares: the squared gradient norm, as scikit-learn
        else:
            gap = primal - enet_dual_value(
                w64, q, r_norm2, r_dot_y, l1_reg, l2_reg, positive
            )
        threshold = tol_abs
        if threshold < 0.0:
            threshold = max(rel_tol * primal, floor)
        if gap <= threshold or n_epochs >= max_iter:
            break
        for _ in range(check_every):
            for j in range(p):
                L = lipschitz[j]
                if L == 0.0:
                    continue  # constant column: stays at zero
                old = w64[j]
                new = prox_enet_scalar(old + q[j] / L, l1_reg / L, l2_reg / L, positive)
                delta = new - old
                if delta != 0.0:
                    w64[j] = new
                    for k in range(p):
                        q[k] -= delta * G[j, k]
            n_epochs += 1
            if n_epochs >= max_iter:
                break
    for j in range(p):
        w[j] = w64[j]
    return n_epochs, gap, threshold, 8.0 * eps * (y_sq + mag)


@jit
def dense_column_stats(
    X, y, center, mean_out, sq_out, xty_out, row_scale, X_out, const_out
):  # fmt: skip
    """Column means, centred squared norms and ``X_c.T @ y`` in one pass over ``X``.

    ``X`` (n, p) Fortran-ordered and ``y`` (n,) of one dtype; the outputs (p,) are
    float64. With ``center``, ``mean_out[j]`` is the mean of ``X[:, j]`` (else 0),
    ``sq_out[j] = ||X[:, j] - mean_out[j]||^2`` and
    ``xty_out[j] = (X[:, j] - mean_out[j]) @ y``. Each column is read twice in a row
    (mean, then the rest), the second time from cache.

    With a non-empty ``row_scale`` (n,) of ``X``'s dtype (a weighted fit), each
    column is instead centred with the given (weighted) means ``mean_out`` (left
    unchanged; ``center`` ignored) and scaled, ``(X[:, j] - mean_out[j]) *
    row_scale``, written to ``X_out`` (n * p,), the Fortran-order flat view of an
    array of ``X``'s shape and dtype, which may be ``X`` itself: centring in place,
    so that a weighted fit needs no temporary beyond its one copy of ``X``. The
    statistics are then those of the written columns (uncentred), and
    ``const_out[j]`` (float64) the column's value where it was constant on the rows
    of positive scale (read before centring: exactly), else NaN. Unweighted calls
    pass empty ``row_scale``, ``X_out`` and ``const_out`` (``X`` may then be
    read-only). Inputs are validated upstream.
    """
    n = X.shape[0]
    scaled = row_scale.shape[0] > 0
    for j in range(X.shape[1]):
        sq = 0.0
        xy = 0.0
        if scaled:
            shift = mean_out[j]
            seen = False
            const = True
            value = 0.0
            for i in range(n):
                x = np.float64(X[i, j])
                s = row_scale[i]
                if s > 0:
                    if not seen:
                        value = x
                        seen = True
                    elif x != value:
                        const = False
                X_out[j * n + i] = (x - shift) * s
                d = np.float64(X_out[j * n + i])  # as stored, in X's dtype
                sq += d * d
                xy += d * np.float64(y[i])
            const_out[j] = value if seen and const else np.nan
        else:
            m = 0.0
            if center:
                acc = 0.0
                for i in range(n):
                    acc += np.float64(X[i, j])
                m = acc / n
            for i in range(n):
                d = np.float64(X[i, j]) - m
                sq += d * d
                xy += d * np.float64(y[i])
            mean_out[j] = m
        sq_out[j] = sq
        xty_out[j] = xy


@jit(inline=True)
def _copy_into(dst, src):
    """``dst[:] = src`` as an element loop (array copies cost seconds of compile)."""
    for j in range(src.shape[0]):
        dst[j] = src[j]


@jit
def _gram_objective(G, b, w, l1_reg, l2_reg):
    """Elastic-net objective less ``y_sq / 2``, and the size of its terms (float64).

    ``0.5 w.T G w - b.T w + l1_reg |w|_1 + l2_reg / 2 |w|^2`` in covariance form, over
    the nonzeros of ``w``; the second value, the sum of the terms' magnitudes, scales
    its rounding.
    """
    p = w.shape[0]
    quad = 0.0
    lin = 0.0
    pen = 0.0
    for j in range(p):
        wj = w[j]
        if wj == 0.0:
            continue
        acc = 0.0
        for k in range(p):
            if w[k] != 0.0:
                acc += G[j, k] * w[k]
        quad += wj * acc
        lin += wj * b[j]
        pen += l1_reg * abs(wj) + 0.5 * l2_reg * wj * wj
    return 0.5 * quad - lin + pen, 0.5 * abs(quad) + abs(lin) + pen


@jit
def _cholesky_factor(H, m):
    """Factor ``H[:m, :m]`` in place (its lower triangle); False if not definite."""
    for a in range(m):
        acc = H[a, a]
        for c in range(a):
            acc -= H[a, c] * H[a, c]
        if not acc > 0.0:
            return False
        H[a, a] = np.sqrt(acc)
        for r in range(a + 1, m):
            acc = H[r, a]
            for c in range(a):
                acc -= H[r, c] * H[a, c]
            H[r, a] = acc / H[a, a]
    return True


@jit
def gram_support_newton(G, b, w, l1_reg, l2_reg, damping, max_solves, n_refine):
    """Jump to the elastic net's minimiser on the support of ``w`` with its signs.

    Covariance form (``G``, ``b`` as in :func:`cd_solve_gram`; ``w`` float64, updated
    in place). On the support ``S`` of ``w`` with signs ``s``, the objective is the
    smooth quadratic ``0.5 w_S.T (G_SS + l2_reg I) w_S - (b_S - l1_reg s).T w_S``:
    one Newton step from ``w`` reaches its minimiser. The step stops at the first
    coefficient it would take through zero (which then leaves ``S``: the objective
    falls all along the segment, inside the orthant), and the step is solved again
    on the smaller support, at most ``max_solves`` systems; a full step is refined
    ``n_refine`` times from the exact gradient at the new point (reusing the
    factor), which recovers the digits an ill-conditioned ``G_SS`` costs. The
    systems are scaled to a unit diagonal and damped by ``damping`` (relative).
    A sign-constrained fit (``positive``) needs nothing more: its support is
    positive and a coefficient stops at zero.

    ``w`` is kept when the objective would rise above its rounding. Returns whether
    ``w`` moved. Costs ``|S|^2`` to build the system and ``|S|^3 / 3`` per solve.
    """
    p = w.shape[0]
    keep = np.empty(p, np.int64)
    m = 0
    for j in range(p):
        if w[j] != 0.0:
            keep[m] = j
            m += 1
    if m == 0:
        return False
    before, size = _gram_objective(G, b, w, l1_reg, l2_reg)
    w_old = np.empty(p)
    _copy_into(w_old, w)
    signs = np.empty(p)
    for j in range(p):
        signs[j] = 1.0 if w[j] > 0.0 else -1.0
    H = np.empty((m, m))
    scale = np.empty(m)
    rhs = np.empty(m)
    d = np.empty(m)
    full = False
    for _ in range(max_solves):
        for a in range(m):
            ja = keep[a]
            scale[a] = np.sqrt(max(G[ja, ja] + l2_reg, 1e-300))
        for a in range(m):
            ja = keep[a]
            for c in range(a + 1):
                H[a, c] = G[ja, keep[c]] / (scale[a] * scale[c])
            H[a, a] += l2_reg / (scale[a] * scale[a]) + damping
        if not _cholesky_factor(H, m):
            break
        for refine in range(n_refine + 1):
            # The gradient of the smooth objective on the support, exactly.
            for a in range(m):
                ja = keep[a]
                acc = l1_reg * signs[ja] + l2_reg * w[ja] - b[ja]
                for k in range(p):
                    if w[k] != 0.0:
                        acc += G[ja, k] * w[k]
                rhs[a] = -acc / scale[a]
            cholesky_solve(H, m, rhs, d, True)
            t = 1.0
            hit = -1
            finite = True
            for a in range(m):
                d[a] /= scale[a]
                finite = finite and np.isfinite(d[a])
                ja = keep[a]
                if (w[ja] + d[a]) * signs[ja] <= 0.0 and -w[ja] / d[a] < t:
                    t = -w[ja] / d[a]
                    hit = a
            if not finite or (refine > 0 and hit >= 0):
                break  # (a refinement that would change a sign is not taken)
            for a in range(m):
                ja = keep[a]
                w[ja] += t * d[a]
                if a == hit or w[ja] * signs[ja] <= 0.0:
                    w[ja] = 0.0
            if hit >= 0:
                break
            full = True
        if full:
            break
        # A coefficient reached zero: solve again without it.
        n_left = 0
        for a in range(m):
            if w[keep[a]] != 0.0:
                keep[n_left] = keep[a]
                n_left += 1
        if n_left == m or n_left == 0:
            break
        m = n_left
    after, _ = _gram_objective(G, b, w, l1_reg, l2_reg)
    if not after <= before + 4.0 * np.finfo(np.float64).eps * size:
        _copy_into(w, w_old)
        return False
    for j in range(p):
        if w[j] != w_old[j]:
            return True
    return False


@jit
def cd_gram_fold_path(
    G, b, y_sq, lipschitz, alphas, l1_ratio, positive, rel_tol, base_floor, phase,
    polish_after, check_every, xmean, ymean, held, m0, y0, floor_factor, tail_rise,
    cancellation, newton_every, newton_cost, damping, max_solves, n_refine, start,
    state, w, q, coefs, intercepts, gaps, n_iters, held_mse,
):  # fmt: skip
    """Run a cross-validation fold's path in covariance form, one call for many points.

    Point ``i`` (from ``start``) solves ``alphas[i]`` from the previous solution with
    :func:`cd_solve_gram` (``tol=None``: the relative gap ``rel_tol``, floored at
    ``max(base_floor, gap_floor)``), the same kernel and arguments as the
    small-problem solver's first phase, for at most ``phase`` epochs in all. Where
    coordinate descent crawls (correlated columns: hundreds of epochs at small
    alphas), it jumps to the exact solution on the support
    (:func:`gram_support_newton`) every ``newton_every`` epochs, once the epochs
    since the last jump cost at least ``1 / newton_cost`` times the jump (``damping``,
    ``max_solves``, ``n_refine``: the jump's arguments). A point certified within
    the budget (and in fewer than ``polish_after`` epochs: more go to that solver)
    is polished by one more jump, kept where it is certified too. It stores ``w``,
    the intercept
    ``ymean - xmean @ w``, the gap and the epochs, and scores the held-out rows from
    their statistics ``held = (A, a, z, c, u, s)`` (see :mod:`skreg._fold_stats`).
    Once the held-out error has risen ``tail_rise`` above its minimum along the path,
    ``gap_floor = floor_factor * mse / 2`` (``state[0]``; ``state[1]`` is that
    minimum). A point not certified within ``phase`` epochs, whose gap is within its
    rounding bound of the threshold, or whose held-out error cancels to rounding
    noise, goes back to the caller: returns ``(i, code)`` with code 1 (not solved
    here) or 2 (solved, held-out error to compute from the residuals), or
    ``(n_alphas, 0)`` when the path is done.
    """
    # Long (about 100 lines): one compiled loop over the points, each solved (epochs,
    # exact steps), polished and scored in place; split into calls, the numbers a
    # point needs from the previous one would travel through more arguments.
    A, a, z, c, u, s = held
    p = w.shape[0]
    support = np.empty(p, np.int64)
    exact = False  # w (the previous point) is exact on its support
    for i in range(start, alphas.shape[0]):
        l1_reg = alphas[i] * l1_ratio
        l2_reg = alphas[i] * (1.0 - l1_ratio)
        floor = max(base_floor, state[0])
        w_before = np.empty(w.shape[0])
        _copy_into(w_before, w)
        epochs = 0
        # Epochs since the last jump; from a polished point, the jump at the new
        # alpha comes first (on an unchanged sign pattern the solution moves
        # linearly in alpha, and the jump lands on it: no epoch at all).
        credit = newton_every if exact else 0
        first = exact
        exact = False  # w is the exact solution on its support at this alpha
        while True:
            n_run, gap, threshold, rounding = cd_solve_gram(
                G, b, y_sq, w, lipschitz, l1_reg, l2_reg, positive, -1.0, rel_tol,
                floor, 0 if first else min(phase - epochs, newton_every),
                check_every, q,
            )  # fmt: skip
            first = False
            epochs += n_run
            credit += n_run
            exact = exact and n_run == 0
            if gap <= threshold or epochs >= phase:
                break
            # Coordinate descent crawls (correlated columns): jump to the exact
            # solution on the support, when the epochs since the last jump paid for
            # one (its cost in epochs: |S|^3 / 3 + a few |S| p, over p^2).
            m = 0
            for j in range(p):
                if w[j] != 0.0:
                    m += 1
            if (m * m * m / 3.0 + 6.0 * m * p) / (p * p) <= newton_cost * credit:
                credit = 0
                exact = gram_support_newton(
                    G, b, w, l1_reg, l2_reg, damping, max_solves, n_refine
                )
        if not gap <= threshold or rounding > 0.1 * threshold or epochs >= polish_after:
            # (The caller's solver starts from the previous point.)
            _copy_into(w, w_before)
            exact = False
            return i, 1
        if not exact:
            # Polish: the exact solution on the certified point's support (kept
            # when it is certified too). On small, ill-conditioned folds the
            # objective is flat in directions that move held-out predictions:
            # certified points of sm_fertility had held-out errors 10% off a tight
            # solve's; polished ones, 1e-3 at most.
            w_certified = np.empty(w.shape[0])
            _copy_into(w_certified, w)
            if gram_support_newton(
                G, b, w, l1_reg, l2_reg, damping, max_solves, n_refine
            ):
                _, gap_new, threshold, rounding = cd_solve_gram(
                    G, b, y_sq, w, lipschitz, l1_reg, l2_reg, positive, -1.0,
                    rel_tol, floor, 0, check_every, q,
                )  # fmt: skip
                if gap_new <= threshold and rounding <= 0.1 * threshold:
                    gap = gap_new
                    exact = True
                else:
                    _copy_into(w, w_certified)
        intercept = ymean
        for j in range(p):
            intercept -= xmean[j] * w[j]
        for j in range(w.shape[0]):
            coefs[j, i] = w[j]
        intercepts[i] = intercept
        gaps[i] = gap
        n_iters[i] = epochs
        delta = intercept - y0
        quad = 0.0
        cross = 0.0
        lin = 0.0
        # (Over the support only: O(|S|^2), not O(p^2), on wide folds.)
        n_support = 0
        for j in range(p):
            if w[j] != 0.0:
                support[n_support] = j
                n_support += 1
        for jj in range(n_support):
            j = support[jj]
            delta += m0[j] * w[j]
            acc = 0.0
            for kk in range(n_support):
                acc += A[j, support[kk]] * w[support[kk]]
            quad += w[j] * acc
            cross += w[j] * a[j]
            lin += w[j] * z[j]
        total = quad - 2.0 * cross + c + 2.0 * delta * (lin - u) + s * delta * delta
        if not total > cancellation * (quad + c + s * delta * delta):
            return i, 2
        mse = total / s
        held_mse[i] = mse
        state[1] = min(state[1], mse)
        if mse > tail_rise * state[1]:
            state[0] = floor_factor * 0.5 * mse
    return alphas.shape[0], 0
