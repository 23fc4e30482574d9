"""Kernels of the proximal Newton GLM solver: the Newton direction on a working set.

At the current point ``(w, b)`` of one output, with the datafit gradient in the
linear predictor ``U`` (``U_i = s_i f'(eta_i)``) and its curvature ``h``
(``h_i = s_i f''(eta_i)``), the proximal Newton direction ``(d, d_b)`` on the
working set ``ws`` minimises the second-order model

.. math::

    \\sum_i U_i \\delta_i + \\frac12 \\sum_i h_i \\delta_i^2
    + \\sum_{j \\in ws} \\Omega(w_j + d_j), \\qquad \\delta = X_{ws} d + d_b,

with the elastic net ``Omega = l1_reg |.| + l2_reg / 2 (.)^2`` (``positive``:
``+inf`` below zero) and the intercept step ``d_b`` unpenalised. Cyclic coordinate
descent on ``d`` keeps ``Xd = delta`` up to date; the model's gradient in ``d_j`` is
``X[:, j] @ (U + h * Xd)`` and its curvature ``L_j = X[:, j]^2 @ h``. The weights
enter the products directly: no weighted or centred copy of ``X`` is made (skglm's
and celer's ``ProxNewton`` do the same).

Shapes and dtypes: ``X`` is ``(n, p)`` Fortran-ordered (float32 or float64), or CSC
``data`` / ``indices`` / ``indptr`` with sorted indices; ``ws`` int64; ``w``,
``d``, ``L`` of length ``len(ws)`` float64 (``w`` and ``d`` indexed by position in
``ws``); ``U``, ``h``, ``Xd`` float64 of length ``n``. Accumulations are float64.
"""

import numpy as np

from skreg._jit import jit
from skreg._kernels.prox import prox_enet_scalar


@jit
def weighted_sq_norms(X, ws, h, out):
    """``out[jj] = X[:, ws[jj]]^2 @ h`` (dense ``X``)."""
    n = X.shape[0]
    for jj in range(ws.shape[0]):
        j = ws[jj]
        acc = 0.0
        for i in range(n):
            x = X[i, j]
            acc += h[i] * x * x
        out[jj] = acc


@jit
def weighted_sq_norms_sparse(data, indices, indptr, ws, h, out):
    """``out[jj] = X[:, ws[jj]]^2 @ h`` (CSC ``X``)."""
    for jj in range(ws.shape[0]):
        j = ws[jj]
        acc = 0.0
        for k in range(np.uint64(indptr[j]), np.uint64(indptr[j + 1])):
            x = data[k]
            acc += h[np.uint64(indices[k])] * x * x
        out[jj] = acc


@jit
def newton_direction(
    X, ws, w, d, U, h, L, Xd, db, l1_reg, l2_reg, positive, fit_intercept, h_sum,
    max_epochs, tol,
):  # fmt: skip
    """Coordinate descent on the proximal Newton model (dense ``X``).

    ``d``, ``Xd`` are updated in place; ``db`` is the starting intercept step.
    Epochs stop once the largest ``L_j |change_j|`` of an epoch (the model's KKT
    violation, in gradient units) is at most ``tol``, or after ``max_epochs``.
    Returns ``(epochs, db)``.
    """
    n = X.shape[0]
    epoch = 0
    while epoch < max_epochs:
        epoch += 1
        worst = 0.0
        for jj in range(ws.shape[0]):
            Lj = L[jj]
            if Lj <= 0.0:
                continue
            j = ws[jj]
            g = 0.0
            for i in range(n):
                g += X[i, j] * (U[i] + h[i] * Xd[i])
            old = w[jj] + d[jj]
            new = prox_enet_scalar(old - g / Lj, l1_reg / Lj, l2_reg / Lj, positive)
            diff = new - old
            if diff != 0.0:
                d[jj] += diff
                for i in range(n):
                    Xd[i] += diff * X[i, j]
                if Lj * abs(diff) > worst:
                    worst = Lj * abs(diff)
        if fit_intercept and h_sum > 0.0:
            g = 0.0
            for i in range(n):
                g += U[i] + h[i] * Xd[i]
            diff = -g / h_sum
            db += diff
            for i in range(n):
                Xd[i] += diff
            if abs(g) > worst:
                worst = abs(g)
        if worst <= tol:
            break
    return epoch, db


@jit
def newton_direction_sparse(
    data, indices, indptr, ws, w, d, U, h, L, Xd, db, l1_reg, l2_reg, positive,
    fit_intercept, h_sum, max_epochs, tol,
):  # fmt: skip
    """Coordinate descent on the proximal Newton model (CSC ``X``).

    As :func:`newton_direction`. The intercept step is applied to every row of
    ``Xd`` (dense), once per epoch.
    """
    n = Xd.shape[0]
    epoch = 0
    while epoch < max_epochs:
        epoch += 1
        worst = 0.0
        for jj in range(ws.shape[0]):
            Lj = L[jj]
            if Lj <= 0.0:
                continue
            j = ws[jj]
            g = 0.0
            for k in range(np.uint64(indptr[j]), np.uint64(indptr[j + 1])):
                i = np.uint64(indices[k])
                g += data[k] * (U[i] + h[i] * Xd[i])
            old = w[jj] + d[jj]
            new = prox_enet_scalar(old - g / Lj, l1_reg / Lj, l2_reg / Lj, positive)
            diff = new - old
            if diff != 0.0:
                d[jj] += diff
                for k in range(np.uint64(indptr[j]), np.uint64(indptr[j + 1])):
                    Xd[np.uint64(indices[k])] += diff * data[k]
                if Lj * abs(diff) > worst:
                    worst = Lj * abs(diff)
        if fit_intercept and h_sum > 0.0:
            g = 0.0
            for i in range(n):
                g += U[i] + h[i] * Xd[i]
            diff = -g / h_sum
            db += diff
            for i in range(n):
                Xd[i] += diff
            if abs(g) > worst:
                worst = abs(g)
        if worst <= tol:
            break
    return epoch, db


@jit
def xt_dot_cols(X, ws, U, out):
    """``out[jj] = X[:, ws[jj]] @ U`` (dense ``X``): the gradient on a working set."""
    n = X.shape[0]
    for jj in range(ws.shape[0]):
        j = ws[jj]
        acc = 0.0
        for i in range(n):
            acc += X[i, j] * U[i]
        out[jj] = acc


@jit
def xt_dot_cols_sparse(data, indices, indptr, ws, U, out):
    """``out[jj] = X[:, ws[jj]] @ U`` (CSC ``X``)."""
    for jj in range(ws.shape[0]):
        j = ws[jj]
        acc = 0.0
        for k in range(np.uint64(indptr[j]), np.uint64(indptr[j + 1])):
            acc += data[k] * U[np.uint64(indices[k])]
        out[jj] = acc
