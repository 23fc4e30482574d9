"""Weight penalties shared by the linear models and the networks.

Every penalty offers the same small interface, which the solvers rely on:

- ``value(w)``: the penalty at ``w``;
- ``prox(w, step, out=None)``: the proximal operator of ``step * penalty``;
- ``subdiff_distance(w, grad)``: per feature, the distance of ``-grad`` to the
  subdifferential at ``w`` (the KKT violation; zero at an optimum);
- ``alpha_max(grad0)``: the smallest ``alpha`` at which ``w = 0`` is optimal, given the
  datafit gradient at zero;
- ``kernel_params()``: the numbers ``(l1_reg, l2_reg)`` handed to the compiled kernels.

L1 and L2 are the corners of the elastic net, so all three classes reduce to
``l1_reg * ||w||_1 + 0.5 * l2_reg * ||w||_2^2`` with

- ``L1(alpha)``: ``l1_reg = alpha``, ``l2_reg = 0``;
- ``L2(alpha)``: ``l1_reg = 0``, ``l2_reg = alpha`` (the *half* sum of squares,
  ``0.5 * alpha * ||w||^2``, as scikit-learn's ``ElasticNet`` and ``tf.nn.l2_loss``);
- ``ElasticNet(alpha, l1_ratio)``: ``l1_reg = alpha * l1_ratio``,
  ``l2_reg = alpha * (1 - l1_ratio)``, scikit-learn's parametrisation.

``GroupL1(alpha)`` penalises the Euclidean norms of the rows of a weight matrix (the
group lasso on input features of a network).

The kernels receive numbers, never these objects, so that every kernel stays cacheable.
"""

from __future__ import annotations

import numpy as np

from skreg._kernels.prox import enet_penalty_value, enet_subdiff_distance, prox_enet

__all__ = ["L1", "L2", "ElasticNet", "GroupL1"]


class ElasticNet:
    """Elastic net ``alpha * (l1_ratio ||w||_1 + 0.5 (1 - l1_ratio) ||w||^2)``.

    Parameters
    ----------
    alpha : float
        Overall strength, ``>= 0``.
    l1_ratio : float, default=0.5
        Mix between L1 (``1``) and L2 (``0``).
    positive : bool, default=False
        Restrict the weights to be non-negative (the penalty is ``+inf`` elsewhere).
    """

    def __init__(self, alpha: float, l1_ratio: float = 0.5, positive: bool = False):
        if not alpha >= 0:
            raise ValueError(f"alpha must be >= 0, got {alpha!r}.")
        if not 0 <= l1_ratio <= 1:
            raise ValueError(f"l1_ratio must be in [0, 1], got {l1_ratio!r}.")
        self.alpha = float(alpha)
        self.l1_ratio = float(l1_ratio)
        self.positive = bool(positive)

    def kernel_params(self) -> tuple[float, float]:
        """Return ``(l1_reg, l2_reg)`` as Python floats."""
        return self.alpha * self.l1_ratio, self.alpha * (1.0 - self.l1_ratio)

    def value(self, w: np.ndarray) -> float:
        """Penalty value at ``w`` (``inf`` if ``positive`` and some ``w < 0``)."""
        w = np.ascontiguousarray(w).ravel()
        if self.positive and np.any(w < 0):
            return np.inf
        return float(enet_penalty_value(w, *self.kernel_params()))

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
            flat_in, float(step * l1_reg), float(step * l2_reg), self.positive, flat_out
        )
        return out

    def subdiff_distance(self, w: np.ndarray, grad: np.ndarray) -> np.ndarray:
        """Per-feature KKT violation: distance of ``-grad`` to ``d penalty(w)``."""
        w = np.ascontiguousarray(w)
        grad = np.ascontiguousarray(grad, dtype=w.dtype)
        out = np.empty_like(w)
        return enet_subdiff_distance(w, grad, *self.kernel_params(), self.positive, out)

    def alpha_max(self, grad0: np.ndarray) -> float:
        """Smallest ``alpha`` for which ``w = 0`` is optimal (``inf`` if no L1 part).

        ``grad0`` is the gradient of the datafit at ``w = 0``.
        """
        # max_j |grad0_j| (max_j -grad0_j, at least 0, when positive): the L2 part
        # vanishes at zero. One pass per path or grid: NumPy, not a compiled kernel
        # (whose first compilation cost more than every later call together).
        g0 = np.asarray(grad0, dtype=np.float64).ravel()
        g = float((-g0 if self.positive else np.abs(g0)).max(initial=0.0))
        if self.l1_ratio == 0:
            return np.inf if g > 0 else 0.0
        return g / self.l1_ratio

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(alpha={self.alpha!r}, l1_ratio={self.l1_ratio!r}, "
            f"positive={self.positive!r})"
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
