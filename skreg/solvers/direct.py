"""Direct solve of the smooth corner of the elastic net: ridge and least squares.

Without L1 part and sign constraint (``l1_ratio=0`` or ``alpha=0``, ``positive=False``)
the objective is the quadratic

.. math::

    \\frac{1}{2n} \\|y_c - X_c w\\|^2 + \\frac{l_2}{2} \\|w\\|^2,

whose minimiser solves one linear system. Coordinate descent converges on it only
linearly, at a rate set by the conditioning of ``X_c`` (slowly on collinear columns,
not at all in finite time for least squares), while the thin SVD
``X_c = U diag(s) V^T`` gives it exactly:
``w = V diag(s / (s^2 + n l_2)) U^T y_c`` (scikit-learn's ``Ridge(solver="svd")``),
and with ``l_2 = 0`` the minimum-norm least-squares solution, singular values below
``rcond * s_max`` dropped (``LinearRegression``'s ``lstsq``). Working on ``X_c``
rather than on its Gram matrix keeps the conditioning of ``X_c``, not its square.
"""

from __future__ import annotations

import numpy as np

from skreg.solvers._base import SolverResult

# Dense problems whose SVD costs at most this many multiply-adds (n_samples *
# n_features^2) are solved directly when the objective is smooth: a few tens of
# milliseconds at most, whatever the conditioning, where coordinate descent on
# collinear columns needs hundreds of epochs (scikit-learn's ridge and least-squares
# consistency tests: 300 x 100 at tol=1e-11 to 1e-16). Larger ridge problems keep
# coordinate descent, whose epochs cost n_samples * n_features each and which
# converges in a few of them when the L2 term dominates.
DIRECT_MAX_FLOPS = 50_000_000


def uses_direct(data, penalty) -> bool:
    """Whether :func:`solve_direct` is the method for ``penalty`` on ``data``."""
    l1_reg, _ = penalty.kernel_params()
    return (
        l1_reg == 0.0
        and not penalty.positive
        and not data.sparse
        and data.n_samples * data.n_features**2 <= DIRECT_MAX_FLOPS
    )


def solve_direct(
    data, penalty, w: np.ndarray, *, tol: float | None = None, rel_tol: float = 1e-6
) -> SolverResult:
    """Minimise the smooth objective of the module docstring exactly (dense ``X``).

    Parameters
    ----------
    data : QuadraticData
        Prepared dense data.
    penalty : skreg.penalties.ElasticNet
        Penalty with no L1 part and ``positive=False``.
    w : ndarray of shape (n_features,)
        Output array (contiguous, the data's dtype), overwritten with the solution.
    tol, rel_tol : float
        The gap the caller asked for (see :func:`skreg.solvers.solve_cd`); the gap at
        the solution is computed from the residual and reported against it, floored
        at its rounding level (the solution is exact up to rounding).

    Returns
    -------
    SolverResult
        ``n_iter`` is 1 (one solve).
    """
    _, l2_reg = penalty.kernel_params()
    n = data.n_samples
    # Columns of zero centred norm (constant or zero columns) get a zero coefficient,
    # exactly, as in coordinate descent: the solve runs on the others.
    keep = np.flatnonzero(data.lipschitz > 0)
    A = data.centred_columns(keep).astype(np.float64)
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    uty = U.T @ data.y.astype(np.float64)
    if l2_reg > 0.0:
        d = s / (s * s + n * l2_reg)
    else:
        # Least squares: the minimum-norm solution, as LAPACK's gelsd with its
        # default cutoff (numpy.linalg.lstsq's rcond=None).
        cutoff = np.finfo(np.float64).eps * max(A.shape) * (s[0] if s.size else 0.0)
        d = np.zeros_like(s)
        big = s > cutoff
        d[big] = 1.0 / s[big]
    w[:] = 0.0
    w[keep] = Vt.T @ (d * uty)
    gap, primal, grad = data.exact_gap(w, 0.0, l2_reg, False)
    tol_abs = data.gap_threshold(tol, primal, rel_tol)
    floor = 16 * float(np.finfo(data.dtype).eps) * max(data.tol_scale, primal)
    return SolverResult(
        w, 1, gap, tol_abs, bool(gap <= max(tol_abs, floor)), grad, None
    )
