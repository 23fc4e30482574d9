"""The result object every solver returns."""

from __future__ import annotations

from dataclasses import dataclass

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
    """

    coef: np.ndarray
    n_iter: int
    dual_gap: float
    tol: float
    converged: bool
    grad: np.ndarray | None = None
    residual: tuple | None = None

    def __post_init__(self):
        # A gap computed at the optimum can round to a tiny negative number; it is
        # zero (a duality gap is never negative).
        self.dual_gap = max(float(self.dual_gap), 0.0)
