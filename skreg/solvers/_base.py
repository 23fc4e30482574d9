"""The records of a solve: what a path hands it (``WarmStart``), what it returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np


@dataclass
class SolverResult:
    """Outcome of one solve.

    Attributes
    ----------
    coef : ndarray of shape (n_features,)
        Solution, in the dtype of the data.
    n_iter : int
        Epochs (coordinate descent: passes over the working set; FISTA: iterations).
    dual_gap : float
        Duality gap at ``coef`` in scikit-learn's ``1 / n`` scaling.
    tol : float
        The absolute gap the solver was asked to reach (``tol * ||y_c||^2 / n``).
    converged : bool
        ``dual_gap <= tol``.
    grad : ndarray of shape (n_features,) or None
        Datafit gradient at ``coef`` when the solver computed it last, NaN for the
        features screened out (reused, with the strong rules, by the next point on a
        path).
    residual : tuple (R, offset) or None
        The solver's residual at ``coef`` (see :class:`skreg.datafits.QuadraticData`),
        the warm start of the next point on a path.
    state : CDState or None
        Coordinate descent asked to ``keep_state``: where a solve that stopped at
        ``max_iter`` short of its tolerance was (:class:`skreg.solvers.cd.CDState`),
        which a later solve on the same problem resumes. ``None`` otherwise.
    """

    coef: np.ndarray
    n_iter: int
    dual_gap: float
    tol: float
    converged: bool
    grad: np.ndarray | None = None
    residual: tuple | None = None
    state: object | None = None

    def __post_init__(self):
        # A gap computed at the optimum can round to a tiny negative number; it is
        # zero (a duality gap is never negative).
        self.dual_gap = max(float(self.dual_gap), 0.0)


class WarmStart(NamedTuple):
    """What a path knows at the start of a point's solve (coordinate descent).

    Attributes
    ----------
    residual : tuple (R, offset) or None
        The residual at ``w`` (the previous point's), saving one product with ``X``;
        ``R`` is updated in place.
    grad : ndarray of shape (n_features,) or None
        The datafit gradient at ``w`` (the previous point's: it does not depend on
        ``alpha``), NaN where unknown; only those entries are computed.
    ws_init : ndarray of int64 or None
        Working set of the first outer iteration (a strong-rule set); later working
        sets are ranked by KKT violation as usual.
    warm_path : bool
        The solve continues a path from the previous point's solution: skip the
        early restricted gap check, which rarely succeeds there.
    solve_ws_first : bool
        With ``ws_init`` and no ``grad``: run a few epochs on ``ws_init`` before the
        first full gradient. A path sets it after its predictor step, which moves
        ``w`` and leaves the gradient unknown: a full gradient at the predicted point
        would give a gap at a point the working set is about to change, while the
        one after these epochs often certifies the solution.
    """

    residual: tuple | None = None
    grad: np.ndarray | None = None
    ws_init: np.ndarray | None = None
    warm_path: bool = False
    solve_ws_first: bool = False
