"""Kernel of the lasso homotopy (LARS in its lasso form) between two path points.

The lasso on centred data,

.. math::

    \\min_w \\frac{1}{2n} \\|y_c - X_c w\\|_2^2 + \\lambda \\|w\\|_1,

has a piecewise-linear solution path in ``lambda`` (Osborne, Presnell & Turlach 2000;
Efron, Hastie, Johnstone & Tibshirani 2004). On the active set ``S`` with signs ``s``
the correlations ``c = X_c^T r / n`` equal ``lambda s``, and as ``lambda`` decreases by
``delta`` the coefficients move along ``d = G_SS^{-1} s`` (``G = X_c^T X_c / n``): every
correlation moves by ``-delta a`` with ``a = X_c^T X_c[:, S] d / n``, which is ``s`` on
``S``. The step ends at the first event: a feature outside ``S`` reaches
``|c_j| = lambda`` (it joins), a coefficient of ``S`` reaches zero (it leaves), or
``lambda`` reaches the target. Each step costs two products over the active columns
and the candidate set ``W`` (not over every feature) and an update of the Cholesky
factor of ``G_SS`` (a row appended on a join, Givens rotations on a drop).

``X`` is read as in :mod:`skreg._kernels.quadratic` (Fortran-ordered, implicit centring
by ``xmean``); everything else is float64: ``XS`` holds the centred active columns,
``L`` (C-ordered, lower triangular) the Cholesky factor of ``G_SS``. The caller keeps
the state between calls and checks the result (a duality gap over every feature).
"""

import numpy as np

from skreg._jit import jit

# Return codes of lasso_homotopy.
REACHED = 0  # lambda reached the target
MAX_STEPS = 1  # the step budget ran out
DEGENERATE = 2  # a joining column is (numerically) in the span of the active ones
FULL = 3  # the active set reached the capacity of the buffers


@jit
def lasso_homotopy(
    X, xmean, inv_n, W, c, in_s, S, sgn, beta, L, XS, m, lam, lam_to, positive,
    max_steps, work,
):  # fmt: skip
    """Follow the lasso path from ``lam`` down to ``lam_to``.

    Parameters
    ----------
    X, xmean : the design as the quadratic kernels read it.
    W : int64 array, candidate features (those allowed to join; a superset of ``S``).
    c : float64 array of ``len(W)``, correlations ``X_c[:, W]^T r / n`` at the start
        (entries of active features are ignored); updated in place.
    in_s : int64 array of ``n_features``, the position of each feature in ``S`` or -1.
    S, sgn, beta : active features, their signs and coefficients (float64), of
        capacity ``len(S)``; the first ``m`` entries are used.
    L, XS : Cholesky factor of ``G_SS`` and the centred active columns.
    m : number of active features.
    lam, lam_to : current and target ``lambda``.
    positive : only positive coefficients (features join with sign +1 only).
    max_steps : step budget.
    work : float64 array of at least ``n_samples + 2 * len(S) + len(W)``.

    Returns
    -------
    (m, lam, n_steps, status) with status one of REACHED, MAX_STEPS, DEGENERATE, FULL.
    """
    n = X.shape[0]
    cap = S.shape[0]
    nw = W.shape[0]
    u = work[:n]
    z = work[n : n + cap]
    d = work[n + cap : n + 2 * cap]
    a = work[n + 2 * cap : n + 2 * cap + nw]
    # Position in W of each active feature (to refresh its correlation on a drop).
    w_pos = np.full(cap, -1, dtype=np.int64)
    for t in range(nw):
        if in_s[W[t]] >= 0:
            w_pos[in_s[W[t]]] = t
    steps = 0
    last_dropped = -1
    status = MAX_STEPS
    while steps < max_steps:
        if lam <= lam_to:
            status = REACHED
            break
        # d = G^{-1} sgn by two triangular solves.
        for i in range(m):
            acc = sgn[i]
            for k in range(i):
                acc -= L[i, k] * z[k]
            z[i] = acc / L[i, i]
        # Back solve L^T d = z by rows of L (contiguous): subtract each solved
        # d[i] times row i from the entries still to solve.
        for i in range(m):
            d[i] = z[i]
        for i in range(m - 1, -1, -1):
            di = d[i] / L[i, i]
            d[i] = di
            for k in range(i):
                d[k] -= L[i, k] * di
        for i in range(n):
            u[i] = 0.0
        for k in range(m):
            dk = d[k]
            for i in range(n):
                u[i] += dk * XS[i, k]
        usum = 0.0
        for i in range(n):
            usum += u[i]
        delta = lam - lam_to
        event = 0
        pick = -1
        side = 1.0
        for t in range(nw):
            j = W[t]
            if in_s[j] >= 0:
                continue
            acc = 0.0
            for i in range(n):
                acc += X[i, j] * u[i]
            aj = (acc - xmean[j] * usum) * inv_n
            a[t] = aj
            if j == last_dropped:
                # It has just left at |c_j| = lambda: it cannot rejoin at once.
                continue
            cj = c[t]
            if aj < 1.0:
                g = max((lam - cj) / (1.0 - aj), 0.0)
                if g < delta:
                    delta, event, pick, side = g, 1, t, 1.0
            if not positive and aj > -1.0:
                g = max((lam + cj) / (1.0 + aj), 0.0)
                if g < delta:
                    delta, event, pick, side = g, 1, t, -1.0
        for k in range(m):
            if d[k] * beta[k] < 0.0:
                g = -beta[k] / d[k]
                if g < delta:
                    delta, event, pick = g, 2, k
        for k in range(m):
            beta[k] += delta * d[k]
        for t in range(nw):
            j = W[t]
            if in_s[j] < 0:
                c[t] -= delta * a[t]
        lam = lam_to if event == 0 else lam - delta
        steps += 1
        last_dropped = -1
        if event == 1:
            if m == cap:
                status = FULL
                break
            j = W[pick]
            xm = xmean[j]
            g_jj = 0.0
            for i in range(n):
                v = X[i, j] - xm
                XS[i, m] = v
                g_jj += v * v
            g_jj *= inv_n
            # Forward solve L z = G_{S, j}; the new diagonal is G_jj - |z|^2.
            for k in range(m):
                acc = 0.0
                for i in range(n):
                    acc += XS[i, k] * XS[i, m]
                acc *= inv_n
                for q in range(k):
                    acc -= L[k, q] * z[q]
                z[k] = acc / L[k, k]
            zz = 0.0
            for k in range(m):
                zz += z[k] * z[k]
            diag = g_jj - zz
            if not diag > 1e-10 * g_jj:
                status = DEGENERATE
                break
            for k in range(m):
                L[m, k] = z[k]
            L[m, m] = np.sqrt(diag)
            S[m] = j
            sgn[m] = side
            beta[m] = 0.0
            in_s[j] = m
            w_pos[m] = pick
            m += 1
        elif event == 2:
            k = pick
            j = S[k]
            s_old = sgn[k]
            t_old = w_pos[k]
            # Remove row and column k of the Cholesky factor: shift the rows below
            # up, then Givens rotations on columns (i, i + 1) zero the one entry
            # each of them has right of the diagonal. (Inlined: a nested compiled
            # call costs compile time.)
            for i in range(k, m - 1):
                for q in range(i + 2):
                    L[i, q] = L[i + 1, q]
            for q in range(m):
                L[m - 1, q] = 0.0
            for i in range(k, m - 1):
                a_ = L[i, i]
                b_ = L[i, i + 1]
                r_ = np.sqrt(a_ * a_ + b_ * b_)
                if r_ > 0.0:
                    cs = a_ / r_
                    sn = b_ / r_
                    for q in range(i, m - 1):
                        x_ = L[q, i]
                        y_ = L[q, i + 1]
                        L[q, i] = cs * x_ + sn * y_
                        L[q, i + 1] = -sn * x_ + cs * y_
                    L[i, i + 1] = 0.0
            for q in range(m):
                L[q, m - 1] = 0.0
            for q in range(k, m - 1):
                S[q] = S[q + 1]
                sgn[q] = sgn[q + 1]
                beta[q] = beta[q + 1]
                w_pos[q] = w_pos[q + 1]
                in_s[S[q]] = q
                for i in range(n):
                    XS[i, q] = XS[i, q + 1]
            m -= 1
            w_pos[m] = -1
            in_s[j] = -1
            if t_old >= 0:
                # The leaving feature's correlation is lambda times its sign.
                c[t_old] = lam * s_old
            last_dropped = j
    return m, lam, steps, status
