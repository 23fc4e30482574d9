"""Weight penalties shared by the linear models and the networks.

Every penalty offers the same small interface, which the solvers rely on:

- ``value(w)``: the penalty at ``w``;
- ``prox(w, step, out=None)``: the proximal operator of ``step * penalty``;
- ``subdiff_distance(w, grad)``: per feature, the distance of ``-grad`` to the
  subdifferential at ``w`` (the KKT violation; zero at an optimum);
- ``alpha_max(grad0)``: the smallest ``alpha`` at which ``w = 0`` is optimal, given the
  datafit gradient at zero;
- ``kernel_params()``: the numbers ``(l1_reg, l2_reg)`` handed to the compiled kernels;
- for the coordinate-descent solver (:data:`skreg.solvers.cd.PENALTY_REQUIRED`,
  checked once per solve): ``solver_params()``, the kernel tuple
  ``(l1_reg, l2_reg, positive, weights, lower, upper)``, and ``positive``,
  ``bounded``, ``lower``, ``upper``, ``unpenalised``.

L1 and L2 are the corners of the elastic net, so all three classes reduce to
``l1_reg * ||w||_1 + 0.5 * l2_reg * ||w||_2^2`` with

- ``L1(alpha)``: ``l1_reg = alpha``, ``l2_reg = 0``;
- ``L2(alpha)``: ``l1_reg = 0``, ``l2_reg = alpha`` (the *half* sum of squares,
  ``0.5 * alpha * ||w||^2``, as scikit-learn's ``ElasticNet`` and ``tf.nn.l2_loss``);
- ``ElasticNet(alpha, l1_ratio)``: ``l1_reg = alpha * l1_ratio``,
  ``l2_reg = alpha * (1 - l1_ratio)``, scikit-learn's parametrisation.

``ElasticNet`` also takes per-feature ``penalty_factor`` (glmnet's ``penalty.factor``)
and box constraints ``lower_bounds`` / ``upper_bounds`` (glmnet's ``lower.limits`` /
``upper.limits``): the penalty becomes
``sum_j f_j (l1_reg |w_j| + 0.5 l2_reg w_j^2) + indicator(lower_j <= w_j <= upper_j)``.
The kernels receive them as three float64 arrays, empty when absent
(``kernel_arrays()``), so that a default fit pays nothing for them;
``solver_params()`` is the tuple ``(l1_reg, l2_reg, positive, weights, lower, upper)``
in the order every kernel takes it. A GLM solver wanting penalty factors reads the same
tuple (the hook for the GLM estimators).

``GroupL1(alpha)`` penalises the Euclidean norms of the rows of a weight matrix (the
group lasso on input features of a network).

The kernels receive numbers, never these objects, so that every kernel stays cacheable.
"""

from __future__ import annotations

import numpy as np

from skreg._kernels.prox import (
    enet_penalty_value,
    enet_subdiff_distance,
    enet_subdiff_distance_general,
    prox_enet,
)

__all__ = ["L1", "L2", "ElasticNet", "GroupL1", "check_penalty_arrays"]

#: The kernels' "no penalty factors / no bounds" (module notes of ``_kernels.prox``).
#: Writeable like every array the kernels get: Numba types read-only arrays apart,
#: which would double the compiled specialisations.
NO_ARRAY = np.empty(0, dtype=np.float64)


def _as_vector(value, name, n_features):
    arr = np.asarray(value, dtype=np.float64) if value is not None else None
    if arr is None:
        return None
    if arr.ndim == 0:
        if n_features is None:
            raise ValueError(
                f"{name} is a scalar: the number of features must be known to "
                "broadcast it (pass penalty_factor or n_features)."
            )
        arr = np.full(n_features, float(arr))
    if arr.ndim != 1 or (n_features is not None and arr.shape[0] != n_features):
        shape = arr.shape
        raise ValueError(
            f"{name} must be a scalar or an array of shape (n_features,) = "
            f"({n_features},), got shape {shape}."
        )
    if np.any(np.isnan(arr)):
        raise ValueError(f"{name} contains NaN.")
    return np.ascontiguousarray(arr)


def check_penalty_arrays(
    n_features: int | None,
    penalty_factor=None,
    lower_bounds=None,
    upper_bounds=None,
    positive: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate penalty factors and bounds; return the kernel arrays.

    The kernel arrays are ``(weights, lower, upper)``.

    ``penalty_factor`` (shape ``(n_features,)``, finite, ``>= 0``, not all zero) is
    rescaled to sum to ``n_features``, as glmnet does with ``penalty.factor``: the
    objective at a given ``alpha`` is then glmnet's at ``lambda = alpha``, and a
    constant factor changes nothing. Factors of all ones give empty ``weights``
    (the unweighted kernels). Bounds are scalars or arrays of shape
    ``(n_features,)`` with ``lower <= 0 <= upper`` (``-inf`` / ``inf`` allowed);
    ``positive`` raises ``lower`` to zero. Absent arrays come back empty
    (:data:`NO_ARRAY`). Raises ``ValueError`` naming the parameter otherwise.
    """
    weights = NO_ARRAY
    if penalty_factor is not None:
        pf = _as_vector(penalty_factor, "penalty_factor", n_features)
        n_features = pf.shape[0]
        if not np.all(np.isfinite(pf)):
            raise ValueError("penalty_factor must be finite.")
        if np.any(pf < 0):
            raise ValueError(
                f"penalty_factor must be >= 0, got a minimum of {pf.min()!r}."
            )
        total = float(pf.sum())
        if not total > 0:
            raise ValueError(
                "penalty_factor must have a positive entry (all zero: nothing is "
                "penalised; fit LinearRegression instead)."
            )
        pf = pf * (pf.shape[0] / total)
        if not np.all(pf == 1.0):
            weights = pf
    if lower_bounds is None and upper_bounds is None:
        return weights, NO_ARRAY, NO_ARRAY
    if n_features is None:
        for bound in (lower_bounds, upper_bounds):
            if bound is not None and np.ndim(bound) == 1:
                n_features = len(bound)
                break
    lower = _as_vector(
        -np.inf if lower_bounds is None else lower_bounds, "lower_bounds", n_features
    )
    upper = _as_vector(
        np.inf if upper_bounds is None else upper_bounds, "upper_bounds", n_features
    )
    if lower.shape != upper.shape:
        raise ValueError(
            f"lower_bounds and upper_bounds have shapes {lower.shape} and "
            f"{upper.shape}; they must match the number of features."
        )
    if weights.shape[0] and weights.shape != lower.shape:
        raise ValueError("penalty_factor and the bounds have different lengths.")
    if np.any(lower > upper):
        j = int(np.flatnonzero(lower > upper)[0])
        raise ValueError(
            f"lower_bounds must not exceed upper_bounds: feature {j} has "
            f"lower_bounds={lower[j]!r} > upper_bounds={upper[j]!r}."
        )
    if np.any(lower > 0):
        raise ValueError(
            "lower_bounds must be <= 0 (as glmnet's lower.limits): a bound excluding "
            f"zero makes w = 0 infeasible, got {lower.max()!r}."
        )
    if np.any(upper < 0):
        raise ValueError(
            "upper_bounds must be >= 0 (as glmnet's upper.limits): a bound excluding "
            f"zero makes w = 0 infeasible, got {upper.min()!r}."
        )
    if positive:
        lower = np.maximum(lower, 0.0)
    if np.all(lower == -np.inf) and np.all(upper == np.inf):
        return weights, NO_ARRAY, NO_ARRAY
    return weights, lower, upper


class ElasticNet:
    """Elastic net ``alpha * (l1_ratio ||w||_1 + 0.5 (1 - l1_ratio) ||w||^2)``.

    Parameters
    ----------
    alpha : float
        Overall strength, ``>= 0``.
    l1_ratio : float, default=0.5
        Mix between L1 (``1``) and L2 (``0``).
    positive : bool, default=False
        Restrict the weights to be non-negative (the penalty is ``+inf`` elsewhere);
        the same as ``lower_bounds=0``.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature factors ``f_j >= 0`` multiplying both terms of feature ``j``
        (``0``: unpenalised), rescaled to sum to ``n_features`` as glmnet does
        (:func:`check_penalty_arrays`).
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), \
            default=None
        Box ``lower_j <= w_j <= upper_j`` with ``lower <= 0 <= upper``.
    n_features : int, default=None
        Needed only to broadcast scalar bounds without ``penalty_factor``.
    """

    def __init__(
        self,
        alpha: float,
        l1_ratio: float = 0.5,
        positive: bool = False,
        *,
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
        n_features: int | None = None,
    ):
        if not alpha >= 0:
            raise ValueError(f"alpha must be >= 0, got {alpha!r}.")
        if not 0 <= l1_ratio <= 1:
            raise ValueError(f"l1_ratio must be in [0, 1], got {l1_ratio!r}.")
        self.alpha = float(alpha)
        self.l1_ratio = float(l1_ratio)
        self.positive = bool(positive)
        self.weights, self.lower, self.upper = check_penalty_arrays(
            n_features, penalty_factor, lower_bounds, upper_bounds, self.positive
        )

    @classmethod
    def with_arrays(cls, alpha, l1_ratio, positive, arrays):
        """Build from already checked ``(weights, lower, upper)`` (no re-validation)."""
        penalty = cls(alpha, l1_ratio, positive)
        penalty.weights, penalty.lower, penalty.upper = arrays
        return penalty

    def kernel_params(self) -> tuple[float, float]:
        """Return ``(l1_reg, l2_reg)`` as Python floats."""
        return self.alpha * self.l1_ratio, self.alpha * (1.0 - self.l1_ratio)

    def kernel_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return ``(weights, lower, upper)``: float64 arrays, empty when absent."""
        return self.weights, self.lower, self.upper

    def solver_params(self) -> tuple:
        """``(l1_reg, l2_reg, positive, weights, lower, upper)``, as kernels take it."""
        return (*self.kernel_params(), self.positive, *self.kernel_arrays())

    @property
    def bounded(self) -> bool:
        """Whether the penalty has box constraints (besides ``positive``)."""
        return self.lower.shape[0] > 0

    @property
    def unpenalised(self) -> np.ndarray:
        """Indices of the features with penalty factor 0 (int64, maybe empty)."""
        return np.flatnonzero(self.weights == 0).astype(np.int64)

    def value(self, w: np.ndarray) -> float:
        """Penalty value at ``w`` (``inf`` outside ``positive`` or the bounds)."""
        w = np.ascontiguousarray(w).ravel()
        if self.positive and np.any(w < 0):
            return np.inf
        if self.bounded and (np.any(w < self.lower) or np.any(w > self.upper)):
            return np.inf
        return float(enet_penalty_value(w, *self.kernel_params(), self.weights))

    def prox(self, w: np.ndarray, step: float, out: np.ndarray | None = None):
        """Proximal operator of ``step * penalty`` at ``w`` (any shape).

        ``out`` may be ``w`` for an in-place update; it must then be contiguous.
        """
        l1_reg, l2_reg = self.kernel_params()
        w = np.asarray(w)
        if out is None:
            out = np.empty_like(w, order="C")
        flat_in = np.ascontiguousarray(w).reshape(-1)
        flat_out = out.reshape(-1)
        prox_enet(
            flat_in,
            float(step * l1_reg),
            float(step * l2_reg),
            self.positive,
            *self._arrays_for(flat_in.shape[0]),
            flat_out,
        )
        return out

    def _arrays_for(self, size):
        """Kernel arrays for a flat vector of ``size`` (a matrix: tiled by rows)."""
        arrays = self.kernel_arrays()
        p = max(a.shape[0] for a in arrays)
        if p == 0 or p == size:
            return arrays
        reps = size // p
        return tuple(np.repeat(a, reps) if a.shape[0] else a for a in arrays)

    def subdiff_distance(self, w: np.ndarray, grad: np.ndarray) -> np.ndarray:
        """Per-feature KKT violation: distance of ``-grad`` to ``d penalty(w)``."""
        w = np.ascontiguousarray(w)
        grad = np.ascontiguousarray(grad, dtype=w.dtype)
        out = np.empty_like(w)
        if self.weights.shape[0] or self.bounded:
            return enet_subdiff_distance_general(w, grad, *self.solver_params(), out)
        return enet_subdiff_distance(w, grad, *self.solver_params()[:3], out)

    def alpha_max(self, grad0: np.ndarray) -> float:
        """Smallest ``alpha`` for which ``w = 0`` is optimal (``inf`` if no L1 part).

        ``grad0`` is the gradient of the datafit at ``w = 0`` or, with unpenalised
        features, at the fit of those alone (they are never zero; glmnet fits them
        first): the maximum runs over the penalised features, each ``|grad0_j|``
        divided by its factor. Bounds do not enter (``w = 0`` is in every box).
        """
        # max_j |grad0_j| (max_j -grad0_j, at least 0, when positive): the L2 part
        # vanishes at zero. One pass per path or grid: NumPy, not a compiled kernel
        # (whose first compilation cost more than every later call together).
        g0 = np.asarray(grad0, dtype=np.float64).ravel()
        g0 = -g0 if self.positive else np.abs(g0)
        if self.weights.shape[0]:
            pen = self.weights > 0
            g0 = g0[pen] / self.weights[pen]
        g = float(g0.max(initial=0.0))
        if self.l1_ratio == 0:
            return np.inf if g > 0 else 0.0
        return g / self.l1_ratio

    def __repr__(self) -> str:
        extra = ""
        if self.weights.shape[0]:
            extra += ", penalty_factor=..."
        if self.bounded:
            extra += ", lower_bounds=..., upper_bounds=..."
        return (
            f"{type(self).__name__}(alpha={self.alpha!r}, l1_ratio={self.l1_ratio!r}, "
            f"positive={self.positive!r}{extra})"
        )


class L1(ElasticNet):
    """L1 penalty ``alpha * ||w||_1`` (the lasso; convex surrogate of L0)."""

    def __init__(self, alpha: float, positive: bool = False):
        super().__init__(alpha, l1_ratio=1.0, positive=positive)

    def __repr__(self) -> str:
        return f"L1(alpha={self.alpha!r}, positive={self.positive!r})"


class L2(ElasticNet):
    """L2 penalty ``0.5 * alpha * ||w||_2^2`` (half sum of squares: ridge)."""

    def __init__(self, alpha: float, positive: bool = False):
        super().__init__(alpha, l1_ratio=0.0, positive=positive)

    def __repr__(self) -> str:
        return f"L2(alpha={self.alpha!r}, positive={self.positive!r})"


class GroupL1:
    """Row-group lasso ``alpha * sum_i ||W[i, :]||_2`` on a 2-D weight matrix.

    Applied to the first layer of a network (rows = input features), its proximal step
    zeroes whole rows, so that the network drops input features.
    """

    def __init__(self, alpha: float):
        if not alpha >= 0:
            raise ValueError(f"alpha must be >= 0, got {alpha!r}.")
        self.alpha = float(alpha)

    def value(self, W: np.ndarray) -> float:
        """Penalty value: ``alpha`` times the sum of the row norms."""
        return self.alpha * float(np.sum(np.linalg.norm(np.atleast_2d(W), axis=1)))

    def prox(self, W: np.ndarray, step: float, out: np.ndarray | None = None):
        """Block soft-thresholding of the rows of ``W`` at ``step * alpha``.

        Each row is scaled by ``max(1 - step * alpha / ||W[i]||_2, 0)``, so whole rows
        become exactly zero. NumPy, not a kernel: the networks apply this prox inside
        their compiled optimiser steps (``skreg._kernels.mlp.group_prox_rows``, tested
        against this method); here it completes the penalty interface. ``out`` may be
        ``W``.
        """
        W = np.atleast_2d(np.asarray(W))
        threshold = float(step * self.alpha)
        W64 = W.astype(np.float64, copy=False)
        norms = np.sqrt(np.einsum("ij,ij->i", W64, W64))
        safe = np.where(norms > threshold, norms, 1.0)
        scale = np.where(norms > threshold, 1.0 - threshold / safe, 0.0)
        if out is None:
            out = np.empty_like(W)
        np.multiply(W, scale[:, None].astype(W.dtype), out=out)
        return out

    def subdiff_distance(self, W: np.ndarray, grad: np.ndarray) -> np.ndarray:
        """Per-row distance of ``-grad[i]`` to ``alpha * d||W[i]||_2``."""
        W = np.atleast_2d(W)
        grad = np.atleast_2d(grad)
        norms = np.linalg.norm(W, axis=1)
        out = np.empty(W.shape[0])
        nz = norms > 0
        unit = W[nz] / norms[nz, None]
        out[nz] = np.linalg.norm(-grad[nz] - self.alpha * unit, axis=1)
        out[~nz] = np.maximum(np.linalg.norm(grad[~nz], axis=1) - self.alpha, 0.0)
        return out

    def alpha_max(self, grad0: np.ndarray) -> float:
        """Smallest ``alpha`` zeroing every row: the largest row norm of ``grad0``."""
        return float(np.max(np.linalg.norm(np.atleast_2d(grad0), axis=1), initial=0.0))

    def __repr__(self) -> str:
        return f"GroupL1(alpha={self.alpha!r})"
