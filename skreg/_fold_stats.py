"""Cross-validation folds of tall dense data from one pass of Gram statistics.

A cross-validated path on tall dense data runs in covariance form (see
:data:`skreg._path._GRAM_PATH_FEATURES`): each fold needs the centred Gram matrix of its
training rows, and each path point its held-out error. Built fold by fold, that costs
``n_folds`` centred copies of the training rows and ``n_folds`` products of them
(``0.8 n p^2`` flops each for 5 folds), and one product ``X_test @ w`` per path point.

Here the data are centred once, on the means of all rows, into ``Z``; then

- ``A = Z.T S Z`` (``S`` the sample weights) once, and ``A_V`` per held-out part
  ``V`` from its rows only: the training part's ``A_T = A - A_V`` (``2 n p^2`` flops
  for all the folds together, without copying any training part);
- the training part is centred on its own (weighted) means by a rank-one correction:
  with ``d`` its mean of ``Z`` and ``s_T`` its total weight,
  ``G = (A_T - s_T d d.T) / s_T``, and likewise ``X_c.T y_c`` and ``y_c.T y_c``.
  Centring on the full means first keeps ``d`` small, so the correction does not
  cancel digits (a Gram matrix of uncentred columns would, for columns far from zero);
- the held-out error of ``(w, intercept)`` is the quadratic form
  ``(w.T A_V w - 2 w.T a_V + c_V + 2 delta (w.T z_V - u_V) + s_V delta^2) / s_V``
  in ``O(p^2)``; where it is within its rounding of zero (nearly perfect fits), the
  residuals are computed from the held-out rows instead.

The training Gram triple is the one :meth:`skreg.datafits.QuadraticData.gram` would
compute from the training rows (``tests/linear_model/test_fold_stats.py`` compares
them, and the cross-validated paths, with and without these statistics).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from skreg._kernels.quadratic import cd_gram_fold_path
from skreg.datafits import GRAM_STEP

# A held-out error below this share of the terms it is the difference of has lost
# most of its digits to cancellation: it is then computed from the residuals.
_CANCELLATION = 1e-6
# A fold path point not certified after this many epochs (one gap check) tries the
# exact step on its support, when the epochs since the last step cost at least as much
# as the step (_NEWTON_COST = 1): hard points of correlated tables then take tens of
# epochs instead of hundreds, and an easy point never pays for a step.
_NEWTON_EVERY = 10
_NEWTON_COST = 1.0
# A covariance-form gap whose rounding bound exceeds this share of its threshold is
# certified from the residual (as the small-problem solver does).
_ROUNDING_SHARE = 0.1


def take_rows(X, rows):
    """Rows of dense ``X`` as a Fortran-ordered copy (column by column: no C copy)."""
    if not (isinstance(X, np.ndarray) and X.ndim == 2 and X.flags.f_contiguous):
        return X[rows]
    out = np.empty((rows.shape[0], X.shape[1]), dtype=X.dtype, order="F")
    for j in range(X.shape[1]):
        np.take(X[:, j], rows, out=out[:, j])
    return out


def residual_mse(X, y, sample_weight, w, intercept) -> float:
    """(Weighted) mean squared error of ``(w, intercept)`` on ``(X, y)``, float64."""
    pred = np.asarray(X @ w, dtype=np.float64).ravel() + intercept
    residues = pred - np.asarray(y, dtype=np.float64)
    if sample_weight is None:
        return float(np.mean(residues**2))
    return float(np.average(residues**2, weights=sample_weight))


class _Part:
    """Weighted sums over a set of rows of the centred data ``(Z, u)``."""

    def __init__(self, Z, u, s):
        Zs = Z if s is None else Z * s[:, None]
        self.A = Zs.T @ Z
        self.a = Zs.T @ u
        self.z = Zs.sum(axis=0)
        self.c = float(u @ u) if s is None else float((s * u) @ u)
        self.u = float(u.sum()) if s is None else float(s @ u)
        self.s = float(Z.shape[0]) if s is None else float(s.sum())

    def plus(self, others):
        """Return the sums over the rows of ``self`` and ``others`` (disjoint parts)."""
        out = object.__new__(_Part)
        out.A = self.A + sum(o.A for o in others)
        out.a = self.a + sum(o.a for o in others)
        out.z = self.z + sum(o.z for o in others)
        out.c = self.c + sum(o.c for o in others)
        out.u = self.u + sum(o.u for o in others)
        out.s = self.s + sum(o.s for o in others)
        return out

    def minus(self, other):
        """Return the sums over the rows of ``self`` not in ``other`` (its subset)."""
        out = object.__new__(_Part)
        out.A = self.A - other.A
        out.a = self.a - other.a
        out.z = self.z - other.z
        out.c = self.c - other.c
        out.u = self.u - other.u
        out.s = self.s - other.s
        return out


class FoldStats:
    """Training Gram triple and held-out error of one fold (see the module)."""

    def __init__(self, whole, held, m0, y0, fit_intercept, X, y, sw, test, full_gram):
        # The Gram triple of all the rows (shared by the folds): the refit's.
        self.full_gram = full_gram
        train = whole.minus(held)
        if fit_intercept:
            d, e = train.z / train.s, train.u / train.s
        else:
            d, e = np.zeros_like(train.z), 0.0
        G = (train.A - train.s * np.outer(d, d)) / train.s
        b = (train.a - train.s * d * e) / train.s
        y_sq = max((train.c - train.s * e * e) / train.s, 0.0)
        self.gram = (np.ascontiguousarray(G), b, y_sq)
        # Whether a path may solve its points in one compiled call (CompiledFoldPath;
        # the tests compare it with the point-by-point loop).
        self.compiled = True
        self._held, self._m0, self._y0 = held, m0, y0
        self._X, self._y, self._sw, self._test = X, y, sw, test

    def held_out_mse(self, w, intercept) -> float:
        """(Weighted) mean squared error of ``(w, intercept)`` on the held-out rows."""
        h = self._held
        w = np.asarray(w, dtype=np.float64)
        delta = intercept + float(self._m0 @ w) - self._y0
        quad = float(w @ (h.A @ w))
        cross = float(w @ h.a)
        total = quad - 2.0 * cross + h.c + 2.0 * delta * (float(h.z @ w) - h.u)
        total += h.s * delta * delta
        if total > _CANCELLATION * (quad + h.c + h.s * delta * delta):
            return total / h.s
        sw = None if self._sw is None else self._sw[self._test]
        X_test = take_rows(self._X, self._test)
        return residual_mse(X_test, self._y[self._test], sw, w, intercept)


def fold_stats(X, y, sample_weight, fit_intercept, folds):
    """One :class:`FoldStats` per ``(train, test)`` pair of ``folds``.

    ``X`` dense or sparse (validated; a dense float64 copy is made), ``y`` one
    target; every row belongs to at most one held-out part per split, and the
    training part of a split is the rest of the rows (as scikit-learn's K-fold
    splitters give; callers check it).
    """
    s = None if sample_weight is None else np.asarray(sample_weight, np.float64)
    # One dense float64 copy (a sparse matrix's float32 data are cast first).
    if sp.issparse(X):
        X64 = X.astype(np.float64).toarray()
    else:
        X64 = np.asarray(X, dtype=np.float64)
    y64 = np.asarray(y, dtype=np.float64)
    if fit_intercept:
        m0 = np.average(X64, axis=0, weights=s)
        y0 = float(np.average(y64, weights=s))
    else:
        m0, y0 = np.zeros(X.shape[1]), 0.0
    Z = X64 - m0
    u = y64 - y0
    helds = [
        _Part(Z[test], u[test], None if s is None else s[test]) for _, test in folds
    ]
    tests = np.concatenate([test for _, test in folds])
    if tests.shape[0] == Z.shape[0] and np.array_equal(
        np.sort(tests), np.arange(Z.shape[0])
    ):
        # The held-out parts partition the rows (K-fold): their sums are the
        # whole's, which then cost no second pass of n p^2.
        whole = helds[0].plus(helds[1:])
    else:
        whole = _Part(Z, u, s)
    # The Gram triple of all the rows, for the refit (centred on their own means,
    # or not at all: d = 0 in FoldStats' correction).
    full_gram = (
        np.ascontiguousarray(whole.A / whole.s),
        whole.a / whole.s,
        max(whole.c / whole.s, 0.0),
    )
    return [
        FoldStats(whole, held, m0, y0, fit_intercept, X, y, s, test, full_gram)
        for held, (_, test) in zip(helds, folds, strict=True)
    ]


class CompiledFoldPath:
    """Run the points of a fold path in one compiled call where it can.

    :func:`skreg._kernels.quadratic.cd_gram_fold_path` solves point after point with
    the small-problem solver's kernel and arguments, jumping to the exact solution
    on the support where coordinate descent crawls and once more at each certified
    point (polishing it), and hands a point back where it is not certified within a
    phase, where its gap needs certifying from the residual, or where the held-out
    error needs the residuals. ``budget = (epochs,
    polish_after)``: a point gets at most ``epochs`` epochs here, and one that needs
    ``polish_after`` or more goes to that solver (which polishes such points). The
    path loop calls
    :meth:`run` at each point not yet handled; :attr:`done` is the first point it
    must solve itself.
    """

    def __init__(self, fold, data, alphas, l1_ratio, positive, rel_tol, budget, out):
        self.fold, self.data = fold, data
        G, b, y_sq = data.gram()
        eps = float(np.finfo(np.float64).eps)
        self._fixed = (
            G, b, y_sq, data.lipschitz.astype(np.float64), alphas, float(l1_ratio),
            bool(positive), float(rel_tol), 16 * eps * data.tol_scale,
            int(budget[0]), int(budget[1]),
        )  # fmt: skip
        held = fold._held
        self._held = (
            (held.A, held.a, held.z, held.c, held.u, held.s),
            np.asarray(fold._m0, dtype=np.float64),
            float(fold._y0),
        )
        self._xmean = data.xmean.astype(np.float64) if data.fit_intercept else None
        self.coefs, self.intercepts, self.gaps, self.held_mse = out
        self.n_iters = np.zeros(alphas.shape[0], dtype=np.int64)
        self.done = 0

    def run(self, i, w, floor_factor, tail_rise, check_every):
        """Solve from point ``i`` on; return the epochs of the points solved."""
        p = w.shape[0]
        xmean = np.zeros(p) if self._xmean is None else self._xmean
        ymean = float(self.data.ymean) if self._xmean is not None else 0.0
        past = self.held_mse[:i]
        state = np.array([self.data.gap_floor, past.min() if i else np.inf])
        w64 = w.astype(np.float64)
        held, m0, y0 = self._held
        stop, code = cd_gram_fold_path(
            *self._fixed, int(check_every), xmean, ymean, held, m0, y0,
            float(floor_factor), float(tail_rise), _CANCELLATION, _NEWTON_EVERY,
            _NEWTON_COST, *GRAM_STEP, int(i), state, w64,
            np.empty(p), self.coefs, self.intercepts, self.gaps, self.n_iters,
            self.held_mse,
        )  # fmt: skip
        w[:] = w64
        self.data.gap_floor = float(state[0])
        solved = stop + (code == 2)
        if code == 2:
            mse = self.fold.held_out_mse(w, float(self.intercepts[stop]))
            self.held_mse[stop] = mse
            if mse > tail_rise * self.held_mse[: stop + 1].min():
                self.data.gap_floor = floor_factor * 0.5 * mse
        self.done = solved
        return [int(e) for e in self.n_iters[i:solved]]


def polish_on_gram(data, penalty, w, tol, rel_tol):
    """Move a certified ``w`` to the exact solution on its support; return its gap.

    ``data`` carries its Gram triple (:meth:`QuadraticData.use_gram`); ``penalty``
    is a plain elastic net. One exact step
    (:meth:`QuadraticData.gram_step`); where it moved ``w``
    and the new point is certified (``tol``, ``rel_tol``: as the solvers' stopping
    rule; from the residual where the covariance-form gap cannot resolve it),
    ``w`` is updated in place and its duality gap returned, else ``None`` (``w``
    kept). The same polish as a single fit's at convergence.
    """
    l1_reg, l2_reg = penalty.kernel_params()
    w64 = w.astype(np.float64)
    if not data.gram_step(w64, l1_reg, l2_reg):
        return None
    q = np.empty_like(w64)
    positive = bool(penalty.positive)
    _, gap, threshold, rounding = data.solve_gram(
        w64, q, l1_reg, l2_reg, positive, tol, rel_tol, 0
    )
    if rounding > _ROUNDING_SHARE * threshold:
        gap, primal, _ = data.exact_gap(w64.astype(w.dtype), l1_reg, l2_reg, positive)
        threshold = data.gap_threshold(tol, primal, rel_tol)
    if not gap <= threshold:
        return None
    w[:] = w64
    return float(gap)
