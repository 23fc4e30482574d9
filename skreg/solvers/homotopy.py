"""Lasso homotopy between the points of a path (dense ``X``).

On wide data (``n_samples < n_features``) the lasso path down to small ``alpha`` ends
with supports of nearly ``n_samples`` features, where coordinate descent converges
slowly and, worse, a duality gap from the rescaled residual certifies 1e-4 only once
the solution is accurate to about 1e-8. The homotopy (LARS in its lasso form; see
:mod:`skreg._kernels.homotopy`) instead follows the exact piecewise-linear path from
one grid point to the next, one event (a feature joining or leaving) per step, so its
points are exact up to rounding. It is an accelerator, never the judge: every point
it returns is still checked by the coordinate-descent solver's duality gap over all
features, which polishes the point when the gap is above the tolerance (a feature
outside the candidate set joined, a degenerate column, rounding), and the homotopy
restarts from the polished point.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import solve_triangular

from skreg._kernels.homotopy import FULL, REACHED, lasso_homotopy

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
    """

    def __init__(self, data, positive=False):
        self.data = data
        self.positive = bool(positive)
        self.in_s = np.full(data.n_features, -1, dtype=np.int64)
        self.m = 0
        self.lam = None
        self.failed_starts = 0
        self._allocate(min(_START_CAPACITY, self._max_capacity()))
        self.n_steps = 0

    def _max_capacity(self):
        n = self.data.n_samples
        return min(n, self.data.n_features, _MAX_CAPACITY, max(_MAX_BUFFER // n, 1))

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
            cap = min(max(2 * m, _START_CAPACITY), self._max_capacity())
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
        reached = False
        while True:
            cap = self.S.shape[0]
            work = np.empty(data.n_samples + 2 * cap + W.shape[0])
            m, lam, steps, status = lasso_homotopy(
                data.X, data.kernel_xmean, data.inv_n, W, c, self.in_s, self.S,
                self.sgn, self.beta, self.L, self.XS, self.m, self.lam, lam_to,
                self.positive, budget, work,
            )  # fmt: skip
            self.m, self.lam = int(m), float(lam)
            self.n_steps += int(steps)
            budget -= int(steps)
            if status == FULL and cap < self._max_capacity():
                self._allocate(min(2 * cap, self._max_capacity()))
                continue
            reached = status == REACHED
            break
        m = self.m
        w[:] = 0.0
        w[self.S[:m]] = self.beta[:m]
        R = data.y.astype(np.float64) - self.XS[:, :m] @ self.beta[:m]
        return reached, R.astype(data.dtype)
