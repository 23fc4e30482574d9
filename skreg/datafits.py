"""Data-fitting terms and the objectives built from them.

The quadratic datafit of skreg's linear models is scikit-learn's:

.. math::

    F(w, b) = \\frac{1}{2 \\sum_i s_i} \\sum_i s_i (y_i - x_i^\\top w - b)^2,

the (weighted) mean of half squared residuals over the full data, so that ``alpha``
means
the same thing whatever the number of samples, the batch size or the solver.
"""

from __future__ import annotations

import functools

import numpy as np
import scipy.sparse as sp

from skreg._kernels import prox as _prox
from skreg._kernels import quadratic as _quad
from skreg._kernels.sparse import (
    csc_column_stats,
    csc_gram,
    csc_matvec_centered,
    csc_rmatvec_centered,
)
from skreg.penalties import NO_ARRAY
from skreg.penalties import ElasticNet as _ElasticNetPenalty
from skreg.utils._validation import as_kernel_csc

__all__ = [
    "DEFAULT_REL_TOL",
    "Quadratic",
    "QuadraticData",
    "enet_objective",
    "enet_primal",
]

#: Relative suboptimality certified by the duality gap when ``tol=None`` (the default).
DEFAULT_REL_TOL = 1e-6
# scikit-learn's error for coefficients that overflow (users and tests match on it).
NONFINITE_MESSAGE = (
    "Coordinate descent iterations resulted in non-finite parameter values"
)
# Covariance-form solves (QuadraticData.solve_gram) compute their gap every
# _CHECK_EVERY epochs (each check costs about one epoch).
_CHECK_EVERY = 10
# Rounding levels, in units of the dtype's epsilon. A duality gap below
# _GAP_FLOOR_ULPS * eps * ||y_c||^2 / n is rounding noise (the objective's own
# rounding is a few eps of it): tol=None never asks for less.
_GAP_FLOOR_ULPS = 16
# A CSC column's centred norm ||X_j||^2 - n xmean_j^2 within _CANCELLATION_ULPS * eps
# of ||X_j||^2 is cancellation noise: the column is constant up to rounding.
_CANCELLATION_ULPS = 16
# The Gram matrix of CSC columns is formed without densifying them, as
# ``A.T A - n xmean xmean^T``: accurate to about eps times the ratio of a column's mean
# square to its centred one. Only columns within _SPARSE_GRAM_SHIFT of that ratio
# take the covariance form (QuadraticData.gram_cheap): about 1e-12 relative in G.
_SPARSE_GRAM_SHIFT = 1e4
# ... and only where it is cheaper than the working-set solve, in multiply-adds:
# forming G costs p nnz / 2 and the covariance-form solve _SPARSE_GRAM_EPOCHS epochs of
# p^2; the working-set solve _SPARSE_WS_PASSES passes over the stored values and the
# rows plus _SPARSE_WS_OVERHEAD of Python time (about 0.25 ms). Measured on CSC fits
# from 1000 x 100 to 200 000 x 30 (docs/benchmarks.md, wide suites).
_SPARSE_GRAM_EPOCHS = 20
_SPARSE_WS_PASSES = 8
_SPARSE_WS_OVERHEAD = 300_000
# Dense X with more rows than features and at most _DENSE_GRAM_WORK multiply-adds in
# its Gram matrix (about 0.5 ms of BLAS): the covariance form too, where 32 < p (below,
# the solvers take it anyway). Working sets then cost more, 2-10x on correlated
# columns (real tables with degree-2 features), up to 1.2x less on well-conditioned
# ones near the limit (docs/benchmarks.md, wide suites).
_DENSE_GRAM_WORK = 16_000_000
# Larger dense X with more rows than features, up to _GRAM_SWITCH_WORK multiply-adds
# in its Gram matrix (about 8 ms): a working-set solve whose epochs have cost as much
# as forming it (column passes of n multiply-adds, _BLAS_SPEEDUP times slower than
# BLAS's) continues in covariance form (QuadraticData.gram_after): ill-conditioned
# tall tables crawl in residual form (sm_randhie_deg2, 20 190 x 54: 464 epochs).
_GRAM_SWITCH_WORK = 200_000_000
_BLAS_SPEEDUP = 8
# Centring leaves rounding of a few eps |mean| per entry (the mean itself and the
# subtraction, each rounded): a centred dense column (or y) within _CENTRING_ULPS
# * eps |mean| of zero per entry is a constant one, checked exactly afterwards.
_CENTRING_ULPS = 64
# The covariance-form exact step's damping (on the unit diagonal), its solves after
# coefficients reach zero, and its refinements from the exact gradient
# (QuadraticData.gram_step and the compiled fold path).
GRAM_STEP = (1e-12, 4, 2)


class Quadratic:
    """Weighted mean of half squared residuals, ``sum_i s_i r_i^2 / (2 sum_i s_i)``."""

    @staticmethod
    def value(residual: np.ndarray, sample_weight: np.ndarray | None = None) -> float:
        """Datafit value at the residual ``y - Xw - b`` (accumulated in float64)."""
        r = np.asarray(residual, dtype=np.float64)
        if sample_weight is None:
            return 0.5 * float(r @ r) / r.shape[0]
        sw = np.asarray(sample_weight, dtype=np.float64)
        return 0.5 * float(sw @ (r * r)) / float(sw.sum())


def enet_primal(
    r_norm2: float, w: np.ndarray, l1_reg: float, l2_reg: float, weights=NO_ARRAY
) -> float:
    """Elastic-net objective from the mean squared residual ``r_norm2``.

    .. math::

        \\frac{r_{\\mathrm{norm2}}}{2} + \\sum_j f_j \\left(\\lambda_1 |w_j|
        + \\frac{\\lambda_2}{2} w_j^2\\right)

    with ``r_norm2 = ||R||^2 / n`` (weighted data folded in, as the solvers store
    them), ``(l1_reg, l2_reg)`` the penalty's ``kernel_params()`` and ``f`` its
    penalty factors (``weights``, empty: all ones). The one home of the objective in
    the Python layer: :meth:`QuadraticData.primal`, the covariance-form inner loop of
    :mod:`skreg.solvers.cd` and :func:`enet_objective` call it. Float64 throughout.
    """
    w64 = np.asarray(w, dtype=np.float64)
    return 0.5 * r_norm2 + _penalty_value(w64, l1_reg, l2_reg, weights)


def enet_objective(
    X,
    y: np.ndarray,
    coef: np.ndarray,
    intercept: float = 0.0,
    *,
    alpha: float,
    l1_ratio: float = 1.0,
    sample_weight: np.ndarray | None = None,
) -> float:
    """Elastic-net objective of scikit-learn's ``ElasticNet`` at ``(coef, intercept)``.

    .. math::

        \\frac{1}{2 n} \\|y - Xw - b\\|_2^2 + \\alpha \\rho \\|w\\|_1
        + \\frac{\\alpha (1 - \\rho)}{2} \\|w\\|_2^2

    with ``rho = l1_ratio`` and sample weights as scikit-learn applies them. Computed in
    float64 whatever the dtype of the inputs: the benchmarks and tests use it as the one
    common yardstick for every library.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.eye(2); y = np.array([1.0, -1.0])
    >>> enet_objective(X, y, np.zeros(2), 0.0, alpha=0.1)
    0.5
    """
    Xw = X @ np.asarray(coef, dtype=np.float64)
    if sp.issparse(Xw):  # pragma: no cover - defensive, X @ dense is dense
        Xw = Xw.toarray()
    r = np.asarray(y, dtype=np.float64) - np.ravel(Xw) - float(intercept)
    l1_reg, l2_reg = _ElasticNetPenalty(alpha, l1_ratio).kernel_params()
    r_norm2 = 2.0 * Quadratic.value(r, sample_weight)
    return enet_primal(r_norm2, np.ravel(coef), l1_reg, l2_reg)


def enet_dual(w, stats, params) -> float:
    """Dual objective at the dual point of ``stats`` (:meth:`QuadraticData.dual_stats`).

    The plain elastic net goes to :func:`skreg._kernels.quadratic.enet_dual_value`,
    penalty factors or bounds to its ``_general`` form: chosen here, once per call,
    so that a default fit never compiles the general code (measured: 0.6 s of a
    cold first fit).
    """
    l1_reg, l2_reg, positive, weights, lower, upper = params
    if weights.shape[0] or lower.shape[0]:
        return float(_quad.enet_dual_value_general(w, *stats, *params))
    return float(_quad.enet_dual_value(w, *stats, l1_reg, l2_reg, positive))


def _penalty_value(w64, l1_reg, l2_reg, weights) -> float:
    """Elastic-net penalty at ``w64`` (float64): NumPy, or the kernel with weights."""
    if weights.shape[0]:
        return float(
            _prox.enet_penalty_value(np.ascontiguousarray(w64), l1_reg, l2_reg, weights)
        )
    return l1_reg * float(np.abs(w64).sum()) + 0.5 * l2_reg * float(w64 @ w64)


@functools.lru_cache(maxsize=64)
def _safe_range(dtype, n_samples: int) -> tuple[float, float]:
    """Return the bounds on a scale ``a`` such that ``n a^2`` fits ``dtype``.

    Also ``eps a^2`` stays normal; a factor 16 of headroom either way.
    """
    info = np.finfo(dtype)
    small = np.sqrt(float(info.tiny) / float(info.eps)) * 16
    big = np.sqrt(float(info.max) / max(n_samples, 1)) / 16
    return small, big


def check_scale(
    x_scale: float,
    y_scale: float,
    dtype,
    n_samples: int,
    *,
    x_underflow: tuple[int, float] | None = None,
    y_underflow: float = 0.0,
) -> None:
    """Raise a ``ValueError`` naming ``X`` or ``y`` if their scale leaves the dtype.

    ``x_scale`` is the root mean square of the largest column of ``X`` as the kernels
    store it (weighted; constant columns left out), ``y_scale`` that of the centred
    ``y``. The kernels hold ``X``, the residual and the coefficients in ``dtype`` and
    square them: column norms ``||X_j||^2 = n x_scale^2``, the objective ``y_scale^2
    / 2`` (to which the solvers' tolerances are relative), coefficients of size
    ``y_scale / x_scale``; and gap-safe screening multiplies the duality gap by
    column norms (``x_scale^2 y_scale^2``) in float64. When such a square leaves the
    normal range (float64: about 1e-145 to 1e152 for each of ``x_scale``,
    ``y_scale`` and their product; float32: 5e-15 to 1e18 for ``x_scale`` and
    ``y_scale``) the fit would silently return NaN or inf, stop at zero, or screen
    out features of the solution (found by the property-based tests,
    ``tests/test_fuzz_linear.py``). Exact zeros are fine (zero columns, zero ``y``).

    Non-zero data are never taken for zero data (issue 26): values below about
    1e-162 have squares that underflow float64 to exactly zero, so their root mean
    square is 0. The caller measures such data by their largest magnitude instead:
    ``x_underflow = (j, peak)`` for a column ``j`` of ``X`` whose mean square is zero
    although it holds values up to ``peak``, ``y_underflow`` the same for ``y``;
    either raises.
    """
    dtype = np.dtype(dtype)
    small, big = _safe_range(dtype, int(n_samples))
    ax, ay = float(x_scale), float(y_scale)
    advice = "Standardize X (e.g. StandardScaler) or rescale y"
    if dtype != np.float64:
        advice += ", or fit in float64 (X.astype(np.float64))"
    underflows = []
    if x_underflow is not None:
        underflows.append((f"X (column {x_underflow[0]})", x_underflow[1]))
    if y_underflow > 0:
        underflows.append(("y (centred)", y_underflow))
    for name, peak in underflows:
        raise ValueError(
            f"{name} is too badly scaled for {dtype}: it holds values up to "
            f"{peak:.3g} in magnitude, whose squares underflow {dtype} to zero (safe "
            f"range {small:.1e} to {big:.1e}), so it would be taken for zero data. "
            f"{advice}."
        )
    for name, a in (("X", ax), ("y (centred)", ay)):
        if not a <= big or 0 < a < small:
            # On overflow, scikit-learn's words for what the iterations would give
            # (its users and tests match on them), after skreg's diagnosis.
            outcome = "" if a < small else f'; fitted anyway: "{NONFINITE_MESSAGE}"'
            raise ValueError(
                f"{name} is too badly scaled for {dtype}: its root mean square "
                f"(largest column) is {a:.3g}, whose square would "
                f"{'underflow' if a < small else 'overflow'} {dtype} (safe range "
                f"{small:.1e} to {big:.1e}){outcome}. {advice}."
            )
    if ax > 0 and ay / ax > big:
        raise ValueError(
            f"y is too badly scaled relative to X for {dtype}: coefficients of size "
            f"|y| / |X| = {ay / ax:.3g} would overflow {dtype} when squared. "
            f"{advice}."
        )
    small64, big64 = _safe_range(np.dtype(np.float64), int(n_samples))
    if ax > 0 and ay > 0 and not small64 <= ax * ay <= big64:
        raise ValueError(
            f"X and y are too badly scaled together: the product of their root mean "
            f"squares is {ax * ay:.3g}, whose square would "
            f"{'overflow' if ax * ay > big64 else 'underflow'} float64 (safe range "
            f"{small64:.1e} to {big64:.1e}). Standardize X (e.g. StandardScaler) or "
            "rescale y."
        )


def _column_range(X) -> tuple[np.ndarray, np.ndarray]:
    """Smallest and largest value of each column (float64; no copy of ``X``)."""
    lo, hi = X.min(axis=0), X.max(axis=0)
    if sp.issparse(lo):
        lo, hi = lo.toarray(), hi.toarray()
    return np.ravel(lo).astype(np.float64), np.ravel(hi).astype(np.float64)


def _normalised_weights(sample_weight, n_samples: int) -> np.ndarray | None:
    """Weights as float64 normalised to sum to ``n_samples`` (scikit-learn's)."""
    if sample_weight is None:
        return None
    sw = np.asarray(sample_weight, dtype=np.float64)
    total = float(sw.sum())
    if not total > 0:
        # The estimators check this; a path on a cross-validation fold
        # (check_input=False) may still receive only zero weights.
        raise ValueError(
            "sample_weight must have at least one positive entry (all the "
            "weights of these rows, e.g. a cross-validation training fold, "
            "are zero)."
        )
    return sw * (n_samples / total)


# Kernels of the quadratic datafit, picked once per fit by the storage of X.
_QUADRATIC_KERNELS = {
    False: (_quad.cd_epoch_quadratic, _quad.gradient_quadratic, _quad.update_residual),
    True: (
        _quad.cd_epoch_quadratic_sparse,
        _quad.gradient_quadratic_sparse,
        _quad.update_residual_sparse,
    ),
}
# ... and the epochs with penalty factors or bounds (their own kernels: a default fit
# never compiles them; in the plain kernels they doubled the epoch's compile time).
_GENERAL_EPOCHS = {
    False: _quad.cd_epoch_quadratic_general,
    True: _quad.cd_epoch_quadratic_sparse_general,
}


class QuadraticData:
    """Least-squares data prepared once for the solvers.

    Folds sample weights and the intercept into a problem without either:

    - weights are normalised to sum to ``n`` (scikit-learn's convention) and applied
      by scaling the rows of ``X`` and ``y`` by ``sqrt(s_i)``;
    - the intercept is eliminated by centring with the weighted means ``xmean`` and
      ``ymean``, implicitly (see :mod:`skreg._kernels.quadratic`), and recovered as
      ``ymean - xmean @ w``.

    Dense unweighted ``X`` is used as given (Fortran-ordered, never copied); dense
    weighted ``X`` is centred and scaled in one copy (as scikit-learn does), or in
    place with ``copy_X=False``; sparse ``X`` is CSC with int32 indices, its values
    scaled when weighted.

    Parameters
    ----------
    X : ndarray of shape (n, p), Fortran-ordered, or sparse matrix
        Validated design (float32 or float64, finite).
    y : ndarray of shape (n,)
        Validated target of the dtype of ``X``.
    sample_weight : ndarray of shape (n,) or None
        Validated non-negative weights.
    fit_intercept : bool
        Whether to centre.
    copy_X : bool, default=True
        ``False`` lets a weighted fit centre and scale dense ``X`` in place (when it
        is Fortran-ordered and writeable): for a caller's private copy only, such as
        the one validation made of C-ordered input (``tests/test_reliability.py``
        measures the peak memory).
    """

    def __init__(self, X, y, sample_weight=None, fit_intercept=True, copy_X=True):
        n, p = X.shape
        dtype = X.dtype
        self.n_samples, self.n_features, self.dtype = n, p, dtype
        self.sparse = sp.issparse(X)
        # Whether the solvers should take the covariance form on every feature
        # (set by _store_csc and _store_dense).
        self.gram_cheap = False
        # Column passes of residual-form epochs after which a solve switches to the
        # covariance form (dense X only, set by _store_dense).
        self.gram_after = np.inf
        if self.sparse:
            X = as_kernel_csc(X)
        X_in = X
        self.fit_intercept = fit_intercept
        y = np.asarray(y, dtype=dtype)
        sw = _normalised_weights(sample_weight, n)
        self.row_scale = None if sw is None else np.sqrt(sw).astype(dtype)
        X, xmean, ymean, norms2, xty = self._means(X, y, sw)
        self.xmean = xmean.astype(dtype)
        self.ymean = ymean
        yc = y - dtype.type(ymean)
        if self.row_scale is not None:
            yc = yc * self.row_scale
        self.y = np.ascontiguousarray(yc, dtype=dtype)
        self.inv_n = 1.0 / n
        # Overflows (data beyond the dtype's range) show as inf norms, which
        # _check_scales below turns into a clear error (one errstate for all).
        with np.errstate(over="ignore", invalid="ignore"):
            if self.sparse:
                norms2, noise = self._store_csc(X, xmean, norms2)
                const_value = None
            else:
                norms2, xty, noise, const_value = self._store_dense(
                    X, xmean, norms2, xty, copy_X
                )
            # Mean of squares of each column (weighted, as stored by the kernels).
            mean_sq = norms2 / n + xmean**2
            self._const = None
            # X_c.T @ y_c (dense: from the column statistics, float64): the gradient
            # at w = 0 and the right-hand side of the Gram form.
            self._xty = xty
            self._grad0 = None if self.sparse else (-xty * self.inv_n).astype(dtype)
            if fit_intercept and noise.any():
                self._fix_constant_columns(
                    X_in, sw, noise, const_value, xmean, norms2, mean_sq
                )
            self._check_scales(ymean, mean_sq)
        self.lipschitz = np.ascontiguousarray(norms2 / n, dtype=dtype)
        self._epoch, self._gradient, self._update = _QUADRATIC_KERNELS[self.sparse]
        # Absolute gap below which ``tol=None`` stops as well (cross-validation paths
        # set it from the held-out error; 0 otherwise).
        self.gap_floor = 0.0
        self._gram = None
        # Per set of unpenalised features: cross products for the dual projection.
        self._unpen = {}

    def _means(self, X, y, sw):
        """Return ``(X, xmean, ymean, norms2, xty)``: the (weighted) means, float64.

        Dense unweighted ``X``: means, centred column norms and ``X_c.T @ y_c`` in
        one pass over ``X`` as given. Sparse unweighted ``X``: means and the
        *uncentred* squared column norms in one pass (:meth:`_store_csc` centres
        them). ``norms2`` and ``xty`` are ``None`` otherwise: weighted dense ``X``
        gets them from the same kernel once it is centred and scaled
        (:meth:`_store_dense`), weighted sparse ``X`` from its scaled values. Zero
        means without intercept.
        """
        n, p = X.shape
        dtype = self.dtype
        if not self.sparse and sw is None:
            X = np.asfortranarray(X, dtype=dtype)
            # (np.mean's own sum, without its Python layers.)
            ymean = float(np.add.reduce(y, dtype=np.float64)) / n if n else 0.0
            ymean = ymean if self.fit_intercept else 0.0
            xmean = np.empty(p, np.float64)
            norms2 = np.empty(p, np.float64)
            xty = np.empty(p, np.float64)
            _quad.dense_column_stats(
                X,
                y - dtype.type(ymean),
                self.fit_intercept,
                xmean,
                norms2,
                xty,
                np.empty(0, dtype),
                np.empty(0, dtype),
                np.empty(0),
            )
            return X, xmean, ymean, norms2, xty
        if self.sparse and sw is None:
            # Column sums and squared norms in one pass (the norms are those of the
            # stored values: :meth:`_store_csc` takes them).
            sums = np.empty(p, np.float64)
            sq = csc_column_stats(X.data, X.indptr, sums, np.empty(p, np.float64))
            if not self.fit_intercept:
                return X, np.zeros(p), 0.0, sq, None
            ymean = float(np.add.reduce(y, dtype=np.float64)) / n
            return X, sums / n, ymean, sq, None
        if not self.fit_intercept:
            return X, np.zeros(p), 0.0, None, None
        if sw is None:
            xmean = np.asarray(X.mean(axis=0, dtype=np.float64)).ravel()
            ymean = float(np.mean(y, dtype=np.float64))
        else:
            xmean = np.asarray(X.T @ sw, dtype=np.float64).ravel() / n
            ymean = float(sw @ y) / n
        return X, xmean, ymean, None, None

    def _store_csc(self, X, xmean, sq=None):
        """Keep CSC ``X`` (values row-scaled when weighted); return ``(norms2, noise)``.

        ``norms2`` are the centred column norms, ``noise`` the columns whose centred
        norm is cancellation noise (constant up to rounding, checked exactly later).
        ``sq``: the squared norms of the stored columns when already known
        (unweighted, :meth:`_means`). Sets :attr:`gram_cheap`: whether the
        covariance form (:meth:`gram`) is accurate and cheaper than working sets.
        """
        data = X.data
        if self.row_scale is not None:
            data = data * self.row_scale[X.indices]
        self.data = np.ascontiguousarray(data, dtype=self.dtype)
        self.indices, self.indptr = X.indices, X.indptr
        self._xargs = (self.data, self.indices, self.indptr)
        self.kernel_xmean = self.xmean
        if sq is None:
            p = self.n_features
            sq = csc_column_stats(
                self.data, self.indptr, np.empty(p, np.float64), np.empty(p, np.float64)
            )
        # ||X_c[:, j]||^2 = ||X[:, j]||^2 - n xmean_j^2 (scaled columns).
        norms2 = sq - self.n_samples * xmean**2
        noise = norms2 <= _CANCELLATION_ULPS * float(np.finfo(self.dtype).eps) * sq
        norms2[noise] = 0.0
        self._xmean64 = xmean
        n, p, nnz = self.n_samples, self.n_features, self.data.shape[0]
        cheap = p * nnz / 2 + _SPARSE_GRAM_EPOCHS * p**2 <= (
            _SPARSE_WS_PASSES * (nnz + n) + _SPARSE_WS_OVERHEAD
        )
        self.gram_cheap = cheap and bool(
            np.all(noise | (sq <= _SPARSE_GRAM_SHIFT * norms2))
        )
        return norms2, noise

    def _store_dense(self, X, xmean, norms2, xty, copy_X):
        """Keep dense ``X``; return ``(norms2, xty, noise, const_value)``.

        Weighted: one copy of ``X`` at most (in place with ``copy_X=False`` when
        possible), centred and scaled column by column (``(X - xmean) * scale`` would
        hold two temporaries at once) by the statistics kernel, which finds the
        constant columns on the way, exactly (``const_value``: a column's value, NaN
        where not constant; the kernel every fit compiles anyway). Unweighted: ``X``
        as given, centred implicitly by the kernels. Sets :attr:`gram_cheap` and
        :attr:`gram_after`.
        """
        n, p = X.shape
        const_value = None
        if self.row_scale is not None:
            in_place = not copy_X and X.flags.f_contiguous and X.flags.writeable
            X = X if in_place else np.array(X, dtype=self.dtype, order="F")
            norms2 = np.empty(p, np.float64)
            xty = np.empty(p, np.float64)
            const_value = np.empty(p, np.float64)
            _quad.dense_column_stats(
                X,
                self.y,
                False,
                self.xmean.astype(np.float64),
                norms2,
                xty,
                self.row_scale,
                X.ravel(order="F"),  # a view: X is Fortran-contiguous
                const_value,
            )
            self.kernel_xmean = np.zeros(p, dtype=self.dtype)
        else:
            self.kernel_xmean = self.xmean
        self.X = X
        self._xargs = (self.X,)
        self.gram_cheap = p < n and n * p * p <= _DENSE_GRAM_WORK
        self.gram_after = np.inf
        if p < n and n * p * p <= _GRAM_SWITCH_WORK:
            self.gram_after = p * p / _BLAS_SPEEDUP
        eps = float(np.finfo(self.dtype).eps)
        noise = norms2 <= n * (_CENTRING_ULPS * eps * xmean) ** 2
        return norms2, xty, noise, const_value

    def _fix_constant_columns(
        self, X_in, sw, noise, const_value, xmean, norms2, mean_sq
    ):
        """Make the constant columns among ``noise`` exactly zero once centred.

        A constant column's mean must be its value exactly. A rounded mean (``3 * v /
        3 != v``) centres it to rounding noise of size ``eps |v|`` instead of zeros,
        which the solvers then fit (a non-zero coefficient above ``alpha_max``, no
        convergence at small alpha, a FISTA step ``1 / L`` of 1e28 when every column
        is constant; found by ``tests/test_fuzz_linear.py``). The columns whose
        centred norm is at the noise level are checked exactly, on the rows that
        count (zero weights dropped). ``xmean``, ``norms2`` and ``mean_sq`` are
        corrected in place.
        """
        cand = np.flatnonzero(noise)
        if not self.sparse and self.row_scale is not None:
            lo = hi = const_value[cand]  # NaN (lo != hi) where not constant
        else:
            columns = X_in[:, cand]
            if sw is not None and not sw.all():
                columns = columns[np.flatnonzero(sw)]
            lo, hi = _column_range(columns)
        const = np.zeros(self.n_features, dtype=bool)
        const[cand[lo == hi]] = True
        if not const.any():
            return
        self._const = const
        xmean[const] = lo[lo == hi]
        self.xmean[const] = xmean[const]
        norms2[const] = 0.0
        mean_sq[const] = 0.0
        if self._grad0 is not None:
            self._grad0[const] = 0.0
        if not self.sparse and self.row_scale is not None:
            self.X[:, const] = 0.0

    def _check_scales(self, ymean, mean_sq):
        """Set ``tol_scale``; raise if the data's squares leave the dtype's range."""
        n = self.n_samples
        # scikit-learn's stopping scale: tol * ||y_c||^2 / n (weighted; the caller
        # ignores overflow, which check_scale reports).
        y64 = self.y.astype(np.float64, copy=False)
        self.tol_scale = float(np.dot(y64, y64)) / n
        y_underflow = 0.0
        if self.tol_scale == 0.0 and n:
            y_underflow = float(np.abs(self.y).max())
            eps = float(np.finfo(self.dtype).eps)
            if y_underflow <= _CENTRING_ULPS * eps * abs(ymean):
                y_underflow = 0.0  # a constant y, centred to rounding errors
        check_scale(
            np.sqrt(mean_sq.max()),
            np.sqrt(self.tol_scale),
            self.dtype,
            n,
            x_underflow=self._underflowed_column(mean_sq),
            y_underflow=y_underflow,
        )

    def _underflowed_column(self, mean_sq) -> tuple[int, float] | None:
        """First non-constant column with a zero mean square but non-zero values.

        Returns ``(j, largest magnitude)`` or ``None``. Only columns whose mean square
        is exactly zero are read (once each, as the kernels store them), so this
        costs nothing for data without zero columns.
        """
        if mean_sq.all():
            return None
        zero = np.flatnonzero(mean_sq == 0)
        if self._const is not None:
            zero = zero[~self._const[zero]]
        if self.sparse:
            zero = zero[self.indptr[zero + 1] > self.indptr[zero]]  # stored entries
        for j in zero:
            if self.sparse:
                column = self.data[self.indptr[j] : self.indptr[j + 1]]
            else:
                column = self.X[:, j]
            peak = max(-float(column.min()), float(column.max()))
            if peak > 0:
                return int(j), peak
        return None

    def gap_threshold(
        self, tol: float | None, primal: float, rel_tol: float = DEFAULT_REL_TOL
    ) -> float:
        """Duality gap at which a solver stops: the one home of what ``tol`` means.

        A number ``tol`` is scikit-learn's criterion, ``gap <= tol * ||y_c||^2 / n``.
        ``tol=None`` certifies a relative suboptimality of ``rel_tol`` (1e-6 by
        default): ``gap <= rel_tol * P(w)`` implies ``(P(w) - P*) / P* <= rel_tol``
        (to first order),
        floored at a few units of the dtype's precision times ``||y_c||^2 / n``, below
        which the gap is rounding noise.
        """
        absolute, floor = self.stopping_terms(tol)
        if tol is not None:
            return absolute
        return max(rel_tol * primal, floor)

    def stopping_terms(self, tol: float | None) -> tuple[float, float]:
        """Return ``(absolute, floor)``, the terms of :meth:`gap_threshold`.

        ``absolute = tol * ||y_c||^2 / n`` (``-1.0`` when ``tol`` is ``None``) and
        ``floor``, the gap below which ``tol=None`` stops whatever ``rel_tol`` asks:
        rounding noise, or the data's ``gap_floor`` (a cross-validation path's
        held-out floor) when larger. The compiled covariance-form solve receives
        these numbers (:meth:`solve_gram`); everything else calls
        :meth:`gap_threshold`.
        """
        absolute = -1.0 if tol is None else tol * self.tol_scale
        noise = _GAP_FLOOR_ULPS * float(np.finfo(self.dtype).eps) * self.tol_scale
        return absolute, max(noise, self.gap_floor)

    # -- residuals ----------------------------------------------------------------
    def init_residual(self, w):
        """Return ``(R, offset)`` at ``w`` (see :meth:`residual`)."""
        if not w.any():
            return self.residual(np.zeros(self.n_samples, self.dtype))
        return self.residual(self.matvec(w))

    def residual(self, Xw):
        """Return ``(R, offset)`` for the centred product ``Xw = X_c @ w``.

        ``R = y_c - Xw`` is the true residual, computed accurately (the CSC product
        is formed in float64). For CSC ``X`` the kernels' gradient
        ``X[:, j] @ R / n + offset * xmean[j]`` equals the centred one exactly when
        ``offset = -(v @ R) / n`` (``v`` the row scales, ``X_c[:, j] @ v = 0``), so
        the offset is set from ``R`` rather than assumed zero: rounding leaves
        ``v @ R`` slightly non-zero, and large column means would amplify it. The
        kernels then accumulate in ``offset`` only the changes since this rebuild.
        """
        R = self.y - Xw
        if not (self.sparse and self.fit_intercept):
            # Without centring the residual need not be orthogonal to v, and the
            # kernels' offset term vanishes (xmean = 0): nothing to correct.
            return R, 0.0
        v_dot_r = float(self._scale_vector().astype(np.float64) @ R)
        return R, -v_dot_r * self.inv_n

    def true_residual(self, R, offset):
        """Return the residual ``y_c - X_c w`` from the stored residual and offset."""
        if not self.sparse or offset == 0.0:
            return R
        scale = 1.0 if self.row_scale is None else self.row_scale
        return R + self.dtype.type(offset) * scale

    # -- kernels --------------------------------------------------------------------
    def epoch(
        self, w, R, offset, ws, l1_reg, l2_reg, positive,
        weights=NO_ARRAY, lower=NO_ARRAY, upper=NO_ARRAY,
    ):  # fmt: skip
        """One CD pass over ``ws``; returns ``(max_change, offset)``.

        ``weights``, ``lower``, ``upper``: penalty factors and bounds over all
        features (float64, empty when absent; :mod:`skreg._kernels.prox`), which
        select the general epoch kernel.
        """
        general = weights.shape[0] or lower.shape[0]
        regs = (l1_reg, l2_reg, positive)
        if general:
            regs = (*regs, weights, lower, upper)
        if self.sparse:
            kernel = _GENERAL_EPOCHS[True] if general else self._epoch
            return kernel(
                *self._xargs, self.kernel_xmean, R, offset, w, ws, self.lipschitz,
                *regs, self.inv_n,
            )  # fmt: skip
        kernel = _GENERAL_EPOCHS[False] if general else self._epoch
        change = kernel(
            self.X, self.kernel_xmean, R, w, ws, self.lipschitz, *regs, self.inv_n
        )
        return change, 0.0

    def gradient(self, R, offset, ws):
        """Datafit gradient restricted to the features ``ws``."""
        out = np.empty(ws.shape[0], dtype=self.dtype)
        if self.sparse:
            self._gradient(
                *self._xargs, self.kernel_xmean, R, offset, ws, self.inv_n, out
            )
        else:
            self._gradient(self.X, self.kernel_xmean, R, ws, self.inv_n, out)
        if self._const is not None:
            out[self._const[ws]] = 0.0
        return out

    def full_gradient(self, R, offset):
        """Datafit gradient on all features, ``-X_c.T @ R_true / n``."""
        if self.sparse:
            return self.gradient(R, offset, np.arange(self.n_features))
        return -self.rmatvec(R) * self.dtype.type(self.inv_n)

    def update_residual(self, R, offset, ws, delta):
        """Apply ``w[ws] += delta`` to the residual in place; return the new offset."""
        delta = np.ascontiguousarray(delta, dtype=self.dtype)
        if self.sparse:
            return self._update(*self._xargs, self.kernel_xmean, R, offset, ws, delta)
        self._update(self.X, self.kernel_xmean, R, ws, delta)
        return 0.0

    def solve_gram(self, w, q, l1_reg, l2_reg, positive, tol, rel_tol, max_iter):
        """Coordinate descent in covariance form on :meth:`gram` (dense ``X``).

        See :func:`skreg._kernels.quadratic.cd_solve_gram`: ``w`` and ``q`` (the
        negative gradient), both float64, are updated in place; ``X`` is not read.
        Plain elastic net only (no penalty factors or bounds: the solver routes
        those fits to the working-set solver, keeping this kernel's compilation as
        small as before).
        Returns ``(n_epochs, gap, threshold, rounding_bound)`` after at most
        ``max_iter`` epochs (a caller wanting control between phases passes a
        ``max_iter`` of one phase).
        """
        tol_abs, floor = self.stopping_terms(tol)
        G, b, y_sq = self.gram()
        n_epochs, gap, threshold, bound = _quad.cd_solve_gram(
            G,
            b,
            y_sq,
            w,
            self.lipschitz.astype(np.float64),  # float64 only: one specialisation
            l1_reg,
            l2_reg,
            positive,
            tol_abs,
            rel_tol,
            floor,
            max_iter,
            _CHECK_EVERY,
            q,
        )
        return n_epochs, float(gap), float(threshold), float(bound)

    def gram(self) -> tuple[np.ndarray, np.ndarray, float]:
        """``(X_c.T X_c / n, X_c.T y_c / n, y_c @ y_c / n)`` in float64.

        Computed on first use and kept: every point of a path, and every solve on
        this data, reuses it (:meth:`solve_gram`, :meth:`hessian`). Sparse ``X``
        (when :attr:`gram_cheap`): from its stored columns (:meth:`_csc_gram`).
        """
        if self._gram is None and self.sparse:
            cols = np.arange(self.n_features, dtype=np.int64)
            G, b = self._csc_gram(cols, with_b=True)
            self._gram = G, b, self.tol_scale
        if self._gram is None:
            # One float64 copy of the centred columns (the stored X is already
            # centred when weighted); X_c.T y_c is known from the column statistics.
            if self.fit_intercept and self.row_scale is None:
                cols = np.subtract(self.X, self.kernel_xmean, dtype=np.float64)
            else:
                cols = self.X.astype(np.float64, copy=False)
            G = (cols.T @ cols) * self.inv_n
            b = self._xty * self.inv_n
            if self._const is not None:
                G[self._const, :] = 0.0
                G[:, self._const] = 0.0
                b[self._const] = 0.0
            self._gram = np.ascontiguousarray(G), b, self.tol_scale
        return self._gram

    def gram_step(self, w, l1_reg, l2_reg) -> bool:
        """Move float64 ``w`` to the exact elastic-net optimum on its support and signs.

        Covariance form, compiled (:func:`skreg._kernels.quadratic.gram_support_newton`
        on :meth:`gram`): a Newton step on the support, stopped where a coefficient
        reaches zero, re-solved on the smaller support, then refined from the exact
        gradient; plain elastic net (no penalty factors or bounds; ``positive``
        needs nothing more). ``w`` is kept when the objective would rise; returns
        whether it moved. The one finishing step of the covariance-form solvers
        (small fits, compiled fold paths and their polish).
        """
        G, b, _ = self.gram()
        return bool(_quad.gram_support_newton(G, b, w, l1_reg, l2_reg, *GRAM_STEP))

    @property
    def has_gram(self) -> bool:
        """Whether :meth:`gram` is known (computed, or given by :meth:`use_gram`)."""
        return self._gram is not None

    def use_gram(self, G, b, y_sq) -> None:
        """Take :meth:`gram`'s triple computed elsewhere (float64, same definition).

        Cross-validation computes the training folds' Gram matrices from statistics
        of all the rows (:mod:`skreg._fold_stats`); constant columns are zeroed here
        as :meth:`gram` does.
        """
        G = np.array(G, dtype=np.float64, order="C")
        b = np.array(b, dtype=np.float64)
        if self._const is not None:
            G[self._const, :] = 0.0
            G[:, self._const] = 0.0
            b[self._const] = 0.0
        self._gram = G, b, float(y_sq)

    def exact_gap(
        self, w, l1_reg, l2_reg, positive, weights=NO_ARRAY, lower=NO_ARRAY,
        upper=NO_ARRAY,
    ):  # fmt: skip
        """Duality gap at ``w`` from the residual (one product with ``X``).

        Returns ``(gap, primal, grad)``, ``grad`` the datafit gradient at ``w``.
        """
        R, offset = self.init_residual(w)
        grad = self.full_gradient(R, offset)
        params = (l1_reg, l2_reg, positive, weights, lower, upper)
        primal = self.primal(w, R, offset, l1_reg, l2_reg, weights)
        if l1_reg == 0.0 and l2_reg == 0.0:
            g64 = grad.astype(np.float64)
            return float(g64 @ g64), primal, grad
        return self.dual_gap(w, R, offset, grad, *params), primal, grad

    def dual_gap(
        self, w, R, offset, grad, l1_reg, l2_reg, positive, weights=NO_ARRAY,
        lower=NO_ARRAY, upper=NO_ARRAY,
    ):  # fmt: skip
        """Duality gap (``/ n`` scaling) from the full gradient ``grad`` at ``w``."""
        if weights.shape[0] or lower.shape[0]:
            # Penalty factors or bounds: the general dual (projected for unpenalised
            # features) through dual_value.
            if l1_reg == 0.0 and l2_reg == 0.0:
                g64 = grad.astype(np.float64)
                return float(g64 @ g64)
            primal = self.primal(w, R, offset, l1_reg, l2_reg, weights)
            Rt = self.true_residual(R, offset)
            params = (l1_reg, l2_reg, positive, weights, lower, upper)
            return primal - self.dual_value(w, Rt, -grad, *params)
        Rt = self.true_residual(R, offset).astype(np.float64, copy=False)
        r_norm2 = float(Rt @ Rt) * self.inv_n
        r_dot_y = float(Rt @ self.y) * self.inv_n
        return float(
            _quad.enet_dual_gap(w, -grad, r_norm2, r_dot_y, l1_reg, l2_reg, positive)
        )

    def dual_stats(self, theta, xt_theta, params, features=None):
        """Sufficient statistics of the dual point at ``theta`` (residual-like).

        Returns ``(xt_theta, theta @ theta / n, theta @ y_c / n)``, ``xt_theta =
        X_c[:, features].T theta / n`` given (``features``: all when ``None``), for
        the penalty ``params`` (:meth:`skreg.penalties.ElasticNet.solver_params`,
        arrays over all features). With unpenalised features among ``features``,
        the point may first be projected on the orthogonal complement of some of
        their columns (:meth:`project_stats`). Unpenalised features outside
        ``features`` (a working set) are left alone: the restricted problem does
        not include them.
        """
        t64 = theta.astype(np.float64, copy=False)
        t2 = float(t64 @ t64) * self.inv_n
        ty = float(t64 @ self.y) * self.inv_n
        return self.project_stats(xt_theta, t2, ty, params, features)

    def project_stats(self, xt_theta, t2, ty, params, features=None):
        """:meth:`dual_stats` from ``theta @ theta / n`` and ``theta @ y_c / n``.

        The conjugate of an unpenalised feature's penalty is ``u_j z_+ + (-l_j)
        z_-`` (bounds ``l_j <= w_j <= u_j``): finite where the bound on the side of
        ``z = xt_theta_j`` is, infinite otherwise. Features with no finite bound on
        that side (all of them without bounds) are projected out
        (:func:`skreg._kernels.quadratic.project_unpenalised`): their correlation
        becomes exactly zero, as it is at the optimum. Features pushing against a
        finite bound keep their correlation (at the optimum it need not be zero).
        As projecting moves the other correlations, the set grows until no
        unprojected unpenalised feature is infeasible (at most once per feature).
        """
        _, _, positive, weights, lower, upper = params
        if not weights.shape[0] or weights.all():
            return xt_theta, t2, ty
        f = weights if features is None else weights[features]
        pos_all = np.flatnonzero(f == 0).astype(np.int64)
        if not pos_all.shape[0]:
            return xt_theta, t2, ty
        ids_all = pos_all if features is None else features[pos_all]
        lo = (
            np.full(ids_all.shape[0], -np.inf) if not lower.shape[0] else lower[ids_all]
        )
        hi = np.full(ids_all.shape[0], np.inf) if not lower.shape[0] else upper[ids_all]
        if positive:
            lo = np.maximum(lo, 0.0)
        open_up, open_down = hi == np.inf, lo == -np.inf
        unpen = np.flatnonzero(weights == 0)
        cross, pinv_all, b_u = self._unpenalised_products(unpen)
        rows = np.ascontiguousarray(cross if features is None else cross[features])
        z0 = np.ascontiguousarray(xt_theta, dtype=np.float64)
        chosen = open_up & open_down
        out, t2_out, ty_out = xt_theta, t2, ty
        while True:
            if chosen.any():
                pos, ids = pos_all[chosen], ids_all[chosen]
                cols = np.searchsorted(unpen, ids).astype(np.int64)
                pinv = pinv_all
                if ids.shape[0] != unpen.shape[0]:
                    pinv = np.ascontiguousarray(
                        np.linalg.pinv(cross[np.ix_(ids, cols)]), dtype=np.float64
                    )
                out = np.empty(z0.shape[0], np.float64)
                t2_out, ty_out = _quad.project_unpenalised(
                    z0, t2, ty, pos, rows, cols, pinv,
                    np.ascontiguousarray(b_u[cols]), out,
                )  # fmt: skip
            z_u = out[pos_all]
            infeasible = ~chosen & ((open_up & (z_u > 0)) | (open_down & (z_u < 0)))
            if not infeasible.any():
                # In the dtype given: the dual kernels then see one type per dtype
                # (zeros stay exact zeros).
                return out.astype(xt_theta.dtype, copy=False), t2_out, ty_out
            chosen |= infeasible

    def _unpenalised_products(self, unpen):
        """Return ``(X_c.T X_c[:, U] / n, pinv(G_UU), X_c[:, U].T y_c / n)``, kept."""
        key = unpen.tobytes()
        if key not in self._unpen:
            cols = np.empty((self.n_samples, unpen.shape[0]), self.dtype)
            for i, j in enumerate(unpen):
                e = np.zeros(self.n_features, self.dtype)
                e[j] = 1
                cols[:, i] = self.matvec(e)
            cross = (
                np.stack(
                    [self.rmatvec(np.ascontiguousarray(c)) for c in cols.T], axis=1
                ).astype(np.float64)
                * self.inv_n
            )
            G_uu = cross[unpen]
            pinv = np.ascontiguousarray(np.linalg.pinv(0.5 * (G_uu + G_uu.T)))
            b_u = -self.grad_at_zero()[unpen].astype(np.float64)
            self._unpen[key] = (np.ascontiguousarray(cross), pinv, b_u)
        return self._unpen[key]

    def grad_unpenalised_fit(self, unpen):
        """Datafit gradient at the least-squares fit of the features ``unpen`` alone.

        glmnet's start of a path with unpenalised features: they are never zero, so
        ``alpha_max`` is read from the gradient once they are fitted
        (``w_U = G_UU^+ b_U``, all other coefficients zero). Returns ``(grad, w)``.
        """
        grad = self.grad_at_zero().astype(np.float64)
        w = np.zeros(self.n_features, np.float64)
        if unpen.shape[0] == 0:
            return grad, w
        cross, pinv, b_u = self._unpenalised_products(unpen)
        w[unpen] = pinv @ b_u
        grad += cross @ w[unpen]
        grad[unpen] = 0.0
        return grad, w

    def dual_value(
        self, w, theta, xt_theta, l1_reg, l2_reg, positive, weights=NO_ARRAY,
        lower=NO_ARRAY, upper=NO_ARRAY, features=None,
    ):  # fmt: skip
        """Dual objective at ``theta`` (residual-like), ``xt_theta = X_c.T theta / n``.

        See :func:`skreg._kernels.quadratic.enet_dual_value`; ``w`` pairs with
        ``theta`` in the augmented dual. ``features``: the features of ``w`` and
        ``xt_theta`` (all when ``None``); penalty arrays are over all features.
        """
        params = (l1_reg, l2_reg, positive, weights, lower, upper)
        z, t2, ty = self.dual_stats(theta, xt_theta, params, features)
        if features is not None and weights.shape[0]:
            weights = np.ascontiguousarray(weights[features])
        if features is not None and lower.shape[0]:
            lower = np.ascontiguousarray(lower[features])
            upper = np.ascontiguousarray(upper[features])
        return enet_dual(
            w, (z, t2, ty), (l1_reg, l2_reg, positive, weights, lower, upper)
        )

    def primal(self, w, R, offset, l1_reg, l2_reg, weights=NO_ARRAY):
        """Objective value at ``w`` (float64); ``weights`` over ``w``'s features."""
        Rt = self.true_residual(R, offset).astype(np.float64, copy=False)
        return enet_primal(float(Rt @ Rt) * self.inv_n, w, l1_reg, l2_reg, weights)

    # -- products with the centred design (FISTA, alpha_max) ---------------------------
    def matvec(self, w):
        """``X_c @ w`` as a dense vector of length ``n``."""
        if self._const is not None:
            w = np.where(self._const, self.dtype.type(0), w)
        if self.sparse:
            return csc_matvec_centered(
                *self._xargs,
                w,
                self.xmean,
                self._scale_vector(),
                np.empty(self.n_samples, self.dtype),
            )
        out = self.X @ w
        if self.fit_intercept and self.row_scale is None:
            out -= self.dtype.type(self.kernel_xmean.astype(np.float64) @ w)
        return out

    def rmatvec(self, r):
        """``X_c.T @ r`` as a dense vector of length ``p``."""
        if self.sparse:
            out = csc_rmatvec_centered(
                *self._xargs,
                np.ascontiguousarray(r, dtype=self.dtype),
                self.xmean,
                self._scale_vector(),
                np.empty(self.n_features, self.dtype),
            )
        else:
            out = self.X.T @ r
            if self.fit_intercept and self.row_scale is None:
                out -= self.kernel_xmean * self.dtype.type(r.sum(dtype=np.float64))
        if self._const is not None:
            out[self._const] = 0.0
        return out

    def _scale_vector(self):
        """Row scales as a vector (ones when unweighted), for the CSC kernels."""
        if self.row_scale is not None:
            return self.row_scale
        if not hasattr(self, "_ones"):
            self._ones = np.ones(self.n_samples, dtype=self.dtype)
        return self._ones

    def centred_columns(self, ws):
        """Dense copy of the centred (and row-scaled) columns ``X_c[:, ws]``."""
        cols = self.X[:, ws]
        if self.fit_intercept and self.row_scale is None:
            cols = cols - self.kernel_xmean[ws]
        return cols

    def hessian(self, ws) -> np.ndarray:
        """Block ``X_c[:, ws].T X_c[:, ws] / n`` of the datafit's Hessian (float64).

        Dense ``X``: from a centred copy of the columns (one BLAS product). CSC ``X``:
        the stored columns ``A = X[:, ws]`` (row-scaled when weighted) give
        ``A.T A / n - xmean xmean^T``, because ``A.T v = n xmean`` and ``v @ v = n``
        for the row scales ``v`` (weights normalised to sum to ``n``), without
        densifying the columns.
        """
        if self._gram is not None:
            return self._gram[0][np.ix_(ws, ws)]
        if not self.sparse:
            cols = self.centred_columns(ws).astype(np.float64)
            return (cols.T @ cols) * self.inv_n
        return self._csc_gram(np.asarray(ws, dtype=np.int64))[0]

    def _csc_gram(self, cols, with_b=False):
        """``(X_c[:, cols].T X_c[:, cols] / n, X_c[:, cols].T y_c / n)`` for CSC ``X``.

        One compiled pass over the stored columns ``A`` (row-scaled when weighted;
        :func:`skreg._kernels.sparse.csc_gram`), centred afterwards: with ``v`` the
        row scales, ``X_c = A - v m^T`` (``m`` the kernels' means, ``self.xmean``)
        and ``A.T v = n mu`` (``mu`` the float64 means), so ``X_c.T X_c = A.T A - n
        (m mu^T + mu m^T - m m^T)`` and ``X_c.T y_c = A.T y_c - m (v @ y_c)``.
        Without densifying the columns, so accurate where the centring shift is
        moderate (:attr:`gram_cheap`). Constant columns get exact zeros, as the
        dense data's centred copies. ``b`` is ``None`` unless ``with_b``.
        """
        m = cols.shape[0]
        G = np.empty((m, m), np.float64)
        b = np.empty(m if with_b else 0, np.float64)
        y = self.y if with_b else np.empty(0, self.dtype)
        work = np.zeros(self.n_samples, np.float64)
        csc_gram(self.data, self.indices, self.indptr, cols, y, G, b, work)
        if self.fit_intercept:
            xm = self.xmean[cols].astype(np.float64)
            mu = self._xmean64[cols]
            shift = np.outer(xm, mu)
            G -= self.n_samples * (shift + shift.T - np.outer(xm, xm))
            if with_b:
                v = self._scale_vector().astype(np.float64, copy=False)
                b -= xm * float(v @ self.y.astype(np.float64, copy=False))
        if self._const is not None:
            const = self._const[cols]
            G[const, :] = 0.0
            G[:, const] = 0.0
            if with_b:
                b[const] = 0.0
        G *= self.inv_n
        return G, (b * self.inv_n if with_b else None)

    def intercept(self, w) -> float:
        """Return the intercept ``ymean - xmean @ w`` (0 without intercept)."""
        if not self.fit_intercept:
            return 0.0
        return self.ymean - float(self.xmean.astype(np.float64) @ w)

    def grad_at_zero(self):
        """Datafit gradient at ``w = 0``: ``-X_c.T @ y_c / n`` (computed once)."""
        if self._grad0 is None:
            # Through the solvers' gradient kernel (compiled anyway; a first fit
            # then compiles no product kernel).
            R, offset = self.residual(np.zeros(self.n_samples, self.dtype))
            self._grad0 = self.gradient(
                R, offset, np.arange(self.n_features, dtype=np.int64)
            )
        return self._grad0.copy()
