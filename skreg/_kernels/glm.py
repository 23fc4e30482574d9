"""Kernels of the proximal Newton GLM solver: the Newton direction on a working set.

At the current point ``(w, b)`` of one output, with the datafit gradient in the
linear predictor ``U`` (``U_i = s_i f'(eta_i)``) and its curvature ``h``
(``h_i = s_i f''(eta_i)``), the proximal Newton direction ``(d, d_b)`` on the
working set ``ws`` minimises the second-order model

.. math::

    \\sum_i U_i \\delta_i + \\frac12 \\sum_i h_i \\delta_i^2
    + \\sum_{j \\in ws} \\Omega(w_j + d_j), \\qquad \\delta = X_{ws} d + d_b,

with the elastic net ``Omega_j = f_j (l1_reg |.| + l2_reg / 2 (.)^2)`` (``positive``:
``+inf`` below zero; ``f`` the penalty factors of the working set, glmnet's
``penalty.factor``, all ones when ``weights`` is empty) and the intercept step ``d_b``
unpenalised. Cyclic coordinate
descent on ``d`` keeps ``Xd`` up to date (``delta = Xd + c``, the intercept step
``c`` eliminated: weighted-centred columns); the model's gradient in ``d_j`` is
``X[:, j] @ (U + h * delta)`` and its curvature ``L_j = (X[:, j] - xbar_j)^2 @ h``.
The weights enter the products directly: no weighted or centred copy of ``X`` is made
(skglm's and celer's ``ProxNewton`` do the same).

Shapes and dtypes: ``X`` is ``(n, p)`` Fortran-ordered (float32 or float64), or CSC
``data`` / ``indices`` / ``indptr`` with sorted indices; ``ws`` int64; ``w``,
``d``, ``L`` and ``weights`` (or empty) of length ``len(ws)`` float64 (indexed by
position in ``ws``); ``U``, ``h``, ``Xd`` float64 of length ``n``. Accumulations are
float64.
"""

import numpy as np

from skreg._jit import jit
from skreg._kernels.prox import prox_coordinate, prox_enet_scalar


@jit
def weighted_col_stats(X, ws, h, h_sum, fit_intercept, L, hx):
    """Curvatures ``L`` and weighted sums ``hx`` of the columns ``ws`` (dense ``X``).

    ``hx[jj] = X[:, j] @ h``; ``L[jj] = (X[:, j] - xbar_j)^2 @ h`` with the weighted
    mean ``xbar_j = hx[jj] / h_sum`` when ``fit_intercept`` (the intercept eliminated
    from the model), else ``X[:, j]^2 @ h``. Two passes: no cancellation on columns
    whose mean is large against their spread.
    """
    n = X.shape[0]
    for jj in range(ws.shape[0]):
        j = ws[jj]
        acc = 0.0
        for i in range(n):
            acc += h[i] * X[i, j]
        hx[jj] = acc
        xbar = acc / h_sum if fit_intercept and h_sum > 0.0 else 0.0
        acc = 0.0
        for i in range(n):
            x = X[i, j] - xbar
            acc += h[i] * x * x
        L[jj] = acc


@jit
def weighted_col_stats_sparse(
    data, indices, indptr, ws, h, h_sum, fit_intercept, L, hx
):
    """As :func:`weighted_col_stats` for CSC ``X`` (implicit zeros counted)."""
    for jj in range(ws.shape[0]):
        j = ws[jj]
        acc = 0.0
        for k in range(np.uint64(indptr[j]), np.uint64(indptr[j + 1])):
            acc += h[np.uint64(indices[k])] * data[k]
        hx[jj] = acc
        xbar = acc / h_sum if fit_intercept and h_sum > 0.0 else 0.0
        # sum_i h_i (x_i - xbar)^2 = sum_nz h (x - xbar)^2 + xbar^2 (h_sum - sum_nz h)
        acc = 0.0
        h_nz = 0.0
        for k in range(np.uint64(indptr[j]), np.uint64(indptr[j + 1])):
            hi = h[np.uint64(indices[k])]
            x = data[k] - xbar
            acc += hi * x * x
            h_nz += hi
        if fit_intercept:
            acc += xbar * xbar * max(h_sum - h_nz, 0.0)
        L[jj] = acc


@jit
def _store_iterate(d, c, Xd, row, hist_d, hist_c, hist_x):
    """Copy ``(d, c, Xd)`` into row ``row`` of the history buffers."""
    for jj in range(d.shape[0]):
        hist_d[row, jj] = d[jj]
    hist_c[row] = c
    for i in range(Xd.shape[0]):
        hist_x[row, i] = Xd[i]


@jit
def newton_direction(
    X, ws, w, d, U, h, L, hx, Xd, c, l1_reg, l2_reg, positive, weights, h_sum,
    max_epochs, tol, hist_d, hist_c, hist_x,
):  # fmt: skip
    """Coordinate descent on the proximal Newton model (dense ``X``).

    The intercept step is eliminated: ``delta = Xd + c`` with the scalar ``c`` kept
    at the model's optimal intercept step, ``sum_i (U_i + h_i delta_i) = 0`` (the
    caller starts from ``c = -sum(U) / sum(h)``, or ``c = 0`` and ``hx = 0``
    without intercept). A step ``diff`` on ``d_j`` then moves ``c`` by ``-diff
    xbar_j``, so each coordinate works on the weighted-centred column, whose
    curvature ``L`` is (:func:`weighted_col_stats`): no zig-zag between the
    intercept and uncentred columns. ``d``, ``Xd`` are updated in place. Epochs stop
    once the largest ``L_j |change_j|`` of an epoch is at most ``tol``, or after
    ``max_epochs``. ``weights`` (float64, one per working-set position, or empty for
    all ones) multiply both penalty terms of each coordinate. Returns ``(epochs, c,
    worst)``, ``worst`` the last epoch's largest ``L_j |change_j|``.

    ``hist_d`` (``(r, len(ws))``), ``hist_c`` (``(r,)``) and ``hist_x`` (``(r, n)``),
    float64 and C-ordered, receive the iterate ``(d, c, Xd)`` after epoch ``e``
    (from 1) in row ``e`` while ``e < r``: the caller extrapolates from them (Anderson
    acceleration, :func:`skreg.solvers.prox_newton._newton_ws`). ``r = 0``: nothing
    is stored.
    """
    n = X.shape[0]
    # One test per call (as the quadratic epochs); factors by working-set position.
    plain = weights.shape[0] == 0
    no_box = weights[:0]
    epoch = 0
    worst = 0.0
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
            g += c * hx[jj]
            old = w[jj] + d[jj]
            if plain:
                new = prox_enet_scalar(old - g / Lj, l1_reg / Lj, l2_reg / Lj, positive)
            else:
                new = prox_coordinate(
                    old - g / Lj, Lj, jj, l1_reg, l2_reg, positive, weights, no_box,
                    no_box,
                )  # fmt: skip
            diff = new - old
            if diff != 0.0:
                d[jj] += diff
                for i in range(n):
                    Xd[i] += diff * X[i, j]
                if h_sum > 0.0:
                    c -= diff * hx[jj] / h_sum
                if Lj * abs(diff) > worst:
                    worst = Lj * abs(diff)
        if epoch < hist_c.shape[0]:
            _store_iterate(d, c, Xd, epoch, hist_d, hist_c, hist_x)
        if worst <= tol:
            break
    return epoch, c, worst


@jit
def newton_direction_sparse(
    data, indices, indptr, ws, w, d, U, h, L, hx, Xd, c, l1_reg, l2_reg, positive,
    weights, h_sum, max_epochs, tol, hist_d, hist_c, hist_x,
):  # fmt: skip
    """Coordinate descent on the proximal Newton model (CSC ``X``).

    As :func:`newton_direction` (the intercept as the scalar ``c``: column updates
    stay sparse).
    """
    plain = weights.shape[0] == 0
    no_box = weights[:0]
    epoch = 0
    worst = 0.0
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
            g += c * hx[jj]
            old = w[jj] + d[jj]
            if plain:
                new = prox_enet_scalar(old - g / Lj, l1_reg / Lj, l2_reg / Lj, positive)
            else:
                new = prox_coordinate(
                    old - g / Lj, Lj, jj, l1_reg, l2_reg, positive, weights, no_box,
                    no_box,
                )  # fmt: skip
            diff = new - old
            if diff != 0.0:
                d[jj] += diff
                for k in range(np.uint64(indptr[j]), np.uint64(indptr[j + 1])):
                    Xd[np.uint64(indices[k])] += diff * data[k]
                if h_sum > 0.0:
                    c -= diff * hx[jj] / h_sum
                if Lj * abs(diff) > worst:
                    worst = Lj * abs(diff)
        if epoch < hist_c.shape[0]:
            _store_iterate(d, c, Xd, epoch, hist_d, hist_c, hist_x)
        if worst <= tol:
            break
    return epoch, c, worst


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
