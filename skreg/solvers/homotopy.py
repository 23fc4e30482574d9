"""Lasso homotopy between the points of a path (dense ``X``).

On wide data (``n_samples < n_features``) the lasso path down to small ``alpha`` ends
with supports of nearly ``n_samples`` features, where coordinate descent converges
slowly and, worse, a duality gap from the rescaled residual certifies 1e-4 only once
the solution is accurate to about 1e-8. The homotopy (LARS in its lasso form) instead
follows the exact piecewise-linear path from one grid point to the next, one event (a
feature joining or leaving) per step, so its points are exact up to rounding. It is an
accelerator, never the judge: every point it returns is still checked by the
coordinate-descent solver's duality gap over all features, which polishes the point
when the gap is above the tolerance (a feature outside the candidate set joined, a
degenerate column, rounding), and the homotopy restarts from the polished point.

The lasso on centred data,

.. math::

    \\min_w \\frac{1}{2n} \\|y_c - X_c w\\|_2^2 + \\lambda \\|w\\|_1,

has a piecewise-linear solution path in ``lambda`` (Osborne, Presnell & Turlach 2000;
Efron, Hastie, Johnstone & Tibshirani 2004). On the active set ``S`` with signs ``s``
the correlations ``c = X_c^T r / n`` equal ``lambda s``, and as ``lambda`` decreases by
``delta`` the coefficients move along ``d = G_SS^{-1} s`` (``G = X_c^T X_c / n``): every
correlation moves by ``-delta a`` with ``a = X_c^T X_S d / n``, which is ``s`` on
``S``. The step ends at the first event: a feature outside ``S`` reaches
``|c_j| = lambda`` (it joins), a coefficient of ``S`` reaches zero (it leaves), or
``lambda`` reaches the target. Each step costs two products, over the active columns
and over the free candidates ``W`` (not every feature), and an update of the Cholesky
factor of ``G_SS`` (a row appended on a join, Givens rotations on a drop;
:mod:`skreg._kernels.homotopy`).
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import solve_triangular

from skreg._kernels.homotopy import cholesky_delete, cholesky_solve, homotopy_event

# Capacity of the first buffers (active features); doubled when full, up to
# _MAX_CAPACITY active features and _MAX_BUFFER float64 entries in the copy of the
# active columns (n_samples x capacity): beyond, coordinate descent alone continues.
_START_CAPACITY = 64
_MAX_CAPACITY = 2048
_MAX_BUFFER = 2**25
# After this many consecutive points where the homotopy could not start (sign
# changes when the support's coefficients are made exact) it is given up for the path.
_MAX_FAILED_STARTS = 3
# Steps allowed per path segment, in multiples of the candidate-set size.
_STEPS_PER_CANDIDATE = 4


class LassoHomotopy:
    """State of the lasso homotopy along one path (active set, Cholesky factor).

    Parameters
    ----------
    data : QuadraticData
        Dense prepared data.
    positive : bool
        Non-negative coefficients.
    start_capacity : int, default=64
        Active features the first buffers hold (doubled when full).
    max_capacity : int, default=2048
        Most active features the buffers grow to (fewer when ``n_samples`` times
        them would exceed ``_MAX_BUFFER`` entries); beyond, coordinate descent alone
        continues.
    """

    def __init__(
        self,
        data,
        positive=False,
        *,
        start_capacity=_START_CAPACITY,
        max_capacity=_MAX_CAPACITY,
    ):
        self.data = data
        self.positive = bool(positive)
        self._start_capacity = start_capacity
        self._max_active = max_capacity
        self.in_s = np.full(data.n_features, -1, dtype=np.int64)
        self.m = 0
        self.lam = None
        self.failed_starts = 0
        self._allocate(min(start_capacity, self._max_capacity()))
        self.n_steps = 0

    def _max_capacity(self):
        n = self.data.n_samples
        cap = min(n, self.data.n_features, self._max_active)
        return min(cap, max(_MAX_BUFFER // n, 1))

    def _allocate(self, cap):
        n = self.data.n_samples
        m = self.m
        S = np.empty(cap, dtype=np.int64)
        sgn = np.empty(cap)
        beta = np.empty(cap)
        L = np.zeros((cap, cap))
        XS = np.empty((n, cap), order="F")
        if m:
            S[:m], sgn[:m], beta[:m] = self.S[:m], self.sgn[:m], self.beta[:m]
            L[:m, :m] = self.L[:m, :m]
            XS[:, :m] = self.XS[:, :m]
        self.S, self.sgn, self.beta, self.L, self.XS = S, sgn, beta, L, XS

    def start(self, w, lam):
        """Take ``w`` (a solution at ``lam``) as the current point.

        The coefficients on the support of ``w`` are recomputed exactly for its sign
        pattern; returns ``False`` (the homotopy cannot start here) when that changes a
        sign or the support's Gram matrix is singular.
        """
        data = self.data
        self.in_s[:] = -1
        self.lam = None
        if self.failed_starts >= _MAX_FAILED_STARTS:
            return False
        support = np.flatnonzero(w)
        m = support.shape[0]
        if m >= self._max_capacity():
            self.m = 0
            self.failed_starts += 1
            return False
        cap = self.S.shape[0]
        if m > cap:
            self.m = 0
            cap = min(max(2 * m, self._start_capacity), self._max_capacity())
            self._allocate(cap)
        self.m = m
        if m == 0:
            self.lam = float(lam)
            return True
        cols = data.centred_columns(support).astype(np.float64)
        G = (cols.T @ cols) * data.inv_n
        try:
            L = np.linalg.cholesky(G)
        except np.linalg.LinAlgError:
            L = None
        if L is not None:
            sgn = np.sign(w[support]).astype(np.float64)
            b = (cols.T @ data.y.astype(np.float64)) * data.inv_n - lam * sgn
            z = solve_triangular(L, b, lower=True)
            beta = solve_triangular(L, z, lower=True, trans="T")
        if L is None or not np.all(np.isfinite(beta)) or np.any(np.sign(beta) != sgn):
            self.m = 0
            self.failed_starts += 1
            return False
        self.failed_starts = 0
        self.S[:m], self.sgn[:m], self.beta[:m] = support, sgn, beta
        self.L[:m, :m] = L
        self.XS[:, :m] = cols
        self.in_s[support] = np.arange(m)
        self.lam = float(lam)
        return True

    def advance(self, w, candidates, corr, lam_to):
        """Follow the path to ``lam_to``; write the point into ``w``.

        ``candidates`` are the features allowed to join (the active ones included),
        ``corr`` their correlations ``X_c^T r / n`` at the current point. Returns
        ``(reached, R)``: whether ``lam_to`` was reached, and the residual at the new
        ``w`` (of the data's dtype).
        """
        data = self.data
        W = np.ascontiguousarray(candidates, dtype=np.int64)
        c = np.array(corr, dtype=np.float64)
        budget = _STEPS_PER_CANDIDATE * max(W.shape[0], 1)
        reached = self._follow(W, c, float(lam_to), budget)
        m = self.m
        w[:] = 0.0
        w[self.S[:m]] = self.beta[:m]
        R = data.y.astype(np.float64) - self.XS[:, :m] @ self.beta[:m]
        return reached, R.astype(data.dtype)

    def _follow(self, W, c, lam_to, budget):
        """Take homotopy steps from ``self.lam`` towards ``lam_to``.

        ``W`` are the candidates, ``c`` their correlations (updated in place). Each
        step solves for the direction of the active coefficients, computes the rates
        of change of the free candidates' correlations (the compiled gradient
        kernel), finds the first event and moves to it (:func:`homotopy_event`), then
        updates the active set. Returns whether ``lam_to`` was reached: not when the
        step budget ran out, a joining column was degenerate, or the buffers are full
        at their largest.
        """
        data = self.data
        free = self.in_s[W] < 0  # candidates outside the active set
        d = np.empty(self._max_capacity())
        lam = self.lam
        last = -1  # position in W of the feature that has just left
        for _ in range(budget):
            if lam <= lam_to:
                return True
            m = self.m
            # d = G_SS^{-1} sgn, u = X_S d; the free candidates' correlations
            # change by -delta a_f with a_f = X_c[:, W_f]^T u / n, the gradient
            # kernel's output with its sign flipped.
            cholesky_solve(self.L, m, self.sgn, d, True)
            u = self.XS[:, :m] @ d[:m]
            f = np.flatnonzero(free)
            cf = c[f]
            neg_a = data.gradient(u.astype(data.dtype, copy=False), 0.0, W[f])
            delta, event, pick, side = homotopy_event(
                cf, neg_a.astype(np.float64, copy=False), f, lam, lam - lam_to,
                self.positive, last, d, self.beta, m,
            )  # fmt: skip
            c[f] = cf
            self.n_steps += 1
            lam = lam_to if event == 0 else lam - delta
            self.lam = lam
            last = -1
            if event == 1:
                t = f[pick]
                if not self._join(W[t], side):
                    return False
                free[t] = False
            elif event == 2:
                # W holds the active features: find the leaving one there.
                t_old = int(np.flatnonzero(W == self.S[pick])[0])
                s_old = self.sgn[pick]
                self._drop(pick)
                # The leaving feature's correlation is lambda times its sign.
                c[t_old] = lam * s_old
                free[t_old] = True
                last = t_old
        return lam <= lam_to

    def _join(self, j, side):
        """Add feature ``j`` with sign ``side`` to the active set (coefficient 0).

        Appends a row to the Cholesky factor. Returns ``False`` (nothing added) when
        the buffers are full at their largest or the column is numerically in the span
        of the active ones.
        """
        data = self.data
        m = self.m
        cap = self.S.shape[0]
        if m == cap:
            if cap == self._max_capacity():
                return False
            self._allocate(min(2 * cap, self._max_capacity()))
        XS, L = self.XS, self.L
        col = XS[:, m]
        col[:] = data.centred_columns(np.array([j]))[:, 0]
        g_jj = float(col @ col) * data.inv_n
        # Forward solve L z = G_{S, j}; the new diagonal is G_jj - |z|^2.
        z = cholesky_solve(L, m, (XS[:, :m].T @ col) * data.inv_n, np.empty(m), False)
        diag = g_jj - float(z @ z)
        if not diag > 1e-10 * g_jj:
            return False
        L[m, :m] = z
        L[m, m] = np.sqrt(diag)
        self.S[m], self.sgn[m], self.beta[m] = j, side, 0.0
        self.in_s[j] = m
        self.m = m + 1
        return True

    def _drop(self, k):
        """Remove the ``k``-th active feature (Givens rotations on the factor)."""
        m = self.m
        j = self.S[k]
        cholesky_delete(self.L, m, k)
        for arr in (self.S, self.sgn, self.beta):
            arr[k : m - 1] = arr[k + 1 : m]
        self.XS[:, k : m - 1] = self.XS[:, k + 1 : m]
        self.in_s[self.S[k : m - 1]] = np.arange(k, m - 1)
        self.in_s[j] = -1
        self.m = m - 1
