"""Working-set proximal coordinate descent with Anderson extrapolation.

The outer loop (Python) follows Massias, Gramfort & Salmon (2018) and Bertrand et al.
(2022, skglm): at each outer iteration it computes the full gradient and the duality gap
at the current point, stops when the gap is below scikit-learn's scaled tolerance, and
otherwise ranks features by their KKT violation (the distance of the negative gradient
to the penalty's subdifferential). The working set is the current support plus the most
violating features, of size ``max(ws_start, 2 * |support|)``. The inner loop runs
cyclic proximal coordinate-descent epochs (compiled kernels) on the working set until
the duality gap of the restricted problem falls below a fraction of the outer gap.

Every ``anderson_k`` inner epochs the last iterates are extrapolated (Anderson
acceleration of coordinate descent, Bertrand & Massias 2021): with the differences
``U`` of the last ``K + 1`` iterates, the weights ``c = z / sum(z)`` where
``(U^T U) z = 1`` combine the iterates into a candidate that is kept only if it lowers
the objective (and stays feasible), so extrapolation can never make things worse.
"""

from __future__ import annotations

import numpy as np

from skreg._kernels.prox import enet_subdiff_distance
from skreg._kernels.quadratic import enet_dual_gap
from skreg.solvers._base import SolverResult

# Fraction of the outer gap the restricted problem must reach before the working set is
# re-ranked: small enough for geometric progress, large enough not to over-solve a
# working set that is still missing features.
_INNER_GAP_FRACTION = 0.3
# Restricted gaps are checked every this many inner epochs (one check costs about one
# epoch on the working set).
_GAP_CHECK_EVERY = 10


def _anderson(iterates: np.ndarray) -> np.ndarray | None:
    """Anderson combination of the rows of ``iterates`` (``K + 1`` iterates).

    Returns ``None`` when the linear system is singular (no extrapolation).
    """
    U = np.diff(iterates.astype(np.float64), axis=0)
    C = U @ U.T
    # Tikhonov damping relative to the scale of C keeps the solve stable when the
    # iterates have (nearly) converged.
    C.flat[:: C.shape[0] + 1] += 1e-10 * max(np.trace(C), np.finfo(float).tiny)
    try:
        z = np.linalg.solve(C, np.ones(C.shape[0]))
    except np.linalg.LinAlgError:
        return None
    s = z.sum()
    if not np.isfinite(s) or s == 0:
        return None
    return (z / s) @ iterates[1:].astype(np.float64)


def _restricted_gap(data, w, R, offset, ws, l1_reg, l2_reg, positive):
    """Duality gap of the problem restricted to ``ws`` (``w`` is zero elsewhere)."""
    grad_ws = data.gradient(R, offset, ws)
    Rt = data.true_residual(R, offset).astype(np.float64, copy=False)
    r_norm2 = float(Rt @ Rt) * data.inv_n
    r_dot_y = float(Rt @ data.y) * data.inv_n
    w_ws = np.ascontiguousarray(w[ws])
    return float(
        enet_dual_gap(w_ws, -grad_ws, r_norm2, r_dot_y, l1_reg, l2_reg, positive)
    )


def solve_cd(
    data,
    penalty,
    w: np.ndarray,
    *,
    max_iter: int = 1000,
    tol: float = 1e-4,
    ws_start: int = 10,
    anderson_k: int = 5,
    ws_init: np.ndarray | None = None,
    verbose: int = 0,
) -> SolverResult:
    """Minimise the elastic net by working-set proximal coordinate descent.

    Parameters
    ----------
    data : QuadraticData
        Prepared data (:class:`skreg.datafits.QuadraticData`).
    penalty : skreg.penalties.ElasticNet
        Penalty; its ``kernel_params()`` and ``positive`` are used.
    w : ndarray of shape (n_features,)
        Starting point (warm start), contiguous, of the data's dtype; updated in place.
    max_iter : int, default=1000
        Maximum number of coordinate-descent epochs (passes over the working set).
    tol : float, default=1e-4
        Stop when the duality gap is at most ``tol * ||y_c||^2 / n`` (scikit-learn).
    ws_start : int, default=10
        Smallest working-set size.
    anderson_k : int, default=5
        Number of iterates combined by Anderson extrapolation (0 disables it).
    ws_init : ndarray of int64, default=None
        Working set of the first outer iteration (e.g. a strong-rule set on a path);
        later working sets are ranked by KKT violation as usual.
    verbose : int, default=0
        Print one line per outer iteration when positive.

    Returns
    -------
    SolverResult
    """
    l1_reg, l2_reg = penalty.kernel_params()
    positive = penalty.positive
    p = data.n_features
    tol_abs = tol * data.tol_scale
    R, offset = data.init_residual(w)
    all_features = np.arange(p, dtype=np.int64)
    scores = np.empty(p, dtype=w.dtype)
    n_epochs = 0
    gap = np.inf
    while True:
        grad = data.full_gradient(R, offset)
        gap = data.dual_gap(w, R, offset, grad, l1_reg, l2_reg, positive)
        if verbose:
            print(f"[skreg cd] epoch {n_epochs}: gap {gap:.3e} (tol {tol_abs:.3e})")
        if gap <= tol_abs or n_epochs >= max_iter:
            break
        enet_subdiff_distance(w, grad, l1_reg, l2_reg, positive, scores)
        support = w != 0
        ws_size = max(ws_start, 2 * int(support.sum()))
        if ws_init is not None and 0 < ws_init.shape[0] < p:
            ws, ws_init = ws_init, None
        elif ws_size >= p:
            ws = all_features
        else:
            scores[support] = np.inf
            ws = np.sort(np.argpartition(-scores, ws_size - 1)[:ws_size])
            ws = ws.astype(np.int64)
        tol_in = max(_INNER_GAP_FRACTION * gap, 0.5 * tol_abs)
        n_epochs, offset, R = _inner_loop(
            data,
            w,
            R,
            offset,
            ws,
            l1_reg,
            l2_reg,
            positive,
            tol_in,
            max_iter - n_epochs,
            anderson_k,
            n_epochs,
        )
    return SolverResult(
        w, n_epochs, float(gap), float(tol_abs), bool(gap <= tol_abs), grad
    )


def _inner_loop(
    data,
    w,
    R,
    offset,
    ws,
    l1_reg,
    l2_reg,
    positive,
    tol_in,
    budget,
    anderson_k,
    n_epochs,
):
    """CD epochs on ``ws`` with Anderson extrapolation; returns the updated state."""
    history = (
        np.empty((anderson_k + 1, ws.shape[0]), dtype=w.dtype) if anderson_k else None
    )
    for k in range(budget):
        _, offset = data.epoch(w, R, offset, ws, l1_reg, l2_reg, positive)
        n_epochs += 1
        if history is not None:
            slot = k % (anderson_k + 1)
            history[slot] = w[ws]
            if slot == anderson_k:
                offset, R = _try_extrapolation(
                    data, w, R, offset, ws, history, l1_reg, l2_reg, positive
                )
        if (k + 1) % _GAP_CHECK_EVERY == 0 or k + 1 == budget:
            if (
                _restricted_gap(data, w, R, offset, ws, l1_reg, l2_reg, positive)
                <= tol_in
            ):
                break
    return n_epochs, offset, R


def _try_extrapolation(data, w, R, offset, ws, history, l1_reg, l2_reg, positive):
    """Replace ``w[ws]`` by the Anderson extrapolation when it lowers the objective."""
    w_acc = _anderson(history)
    if w_acc is None or not np.all(np.isfinite(w_acc)):
        return offset, R
    if positive and np.any(w_acc < 0):
        w_acc = np.maximum(w_acc, 0.0)
    w_acc = w_acc.astype(w.dtype)
    delta = w_acc - w[ws]
    R_acc = R.copy()
    offset_acc = data.update_residual(R_acc, offset, ws, delta)
    w_new = w.copy()
    w_new[ws] = w_acc
    if data.primal(w_new, R_acc, offset_acc, l1_reg, l2_reg) < data.primal(
        w, R, offset, l1_reg, l2_reg
    ):
        w[ws] = w_acc
        return offset_acc, R_acc
    return offset, R
