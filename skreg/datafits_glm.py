"""Datafits of the sparse generalised linear models: logistic, multinomial, Poisson.

Every datafit is the weighted **mean** negative log-likelihood of glmnet (its
``standardize=FALSE`` objective),

.. math::

    F(\\eta) = \\sum_i s_i f(y_i, \\eta_i), \\qquad \\sum_i s_i = 1,

of the linear predictor ``eta = X @ W.T + b`` of shape ``(n_samples, n_outputs)``:

- ``Logistic``: ``f(y, eta) = log(1 + exp(eta)) - y eta`` with ``y`` in {0, 1}
  (one output);
- ``Multinomial``: ``f(y, eta) = logsumexp(eta) - eta[y]`` (one output per class,
  ``y`` one-hot);
- ``Poisson``: ``f(y, eta) = exp(eta) - y eta + y log y - y``, half the Poisson
  deviance (glmnet's ``family = "poisson"``), zero at a perfect fit.

Arrays are 2-D ``(n_samples, n_outputs)`` throughout and computed in float64.

Duality. With ``U = grad F(eta) = s * (mu - y)`` (``mu`` the fitted mean), the Fenchel
dual of ``min F(X W^T + b) + Omega(W)`` is ``D(U) = -F^*(U) - Omega^*(-U^T X)``,
subject to ``sum_i U_ik = 0`` when the model has intercepts. Writing ``U = s (Q -
y)``, the conjugate is a negative entropy of the "dual mean" ``Q`` (Massias et al.
2020, "Dual extrapolation for sparse GLMs"): ``sum_i s_i (q log q + (1 - q) log(1 -
q))`` (logistic, ``Q`` in [0, 1]), ``sum_i s_i sum_k q_k log q_k`` (multinomial, ``Q``
on the simplex), ``sum_i s_i (q log q - q - y log y + y)`` (Poisson, ``Q >= 0``).
Moving ``Q`` towards ``y`` (``Q_c = y + c (Q - y)``, ``c`` in [0, 1]) keeps it in
the domain, which is how a dual point is made feasible for the L1 constraint.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, log_expit, xlogy

__all__ = ["GLM_DATAFITS", "Logistic", "Multinomial", "Poisson"]

# Floor of the IRLS weights, relative to the largest of them when that is below 1
# (and to the sample weight): a vanishing curvature (a probability of 1e-300 on
# separable data) would make a coordinate step ``-g / h`` overflow; the floored
# weight gives a damped Newton step, which the line search on the true objective
# accepts or shortens. glmnet's floor is absolute (probabilities clipped at 1e-5):
# where every point is fitted that closely (extreme class weights, nearly separable
# data) it damps every Newton step by the ratio of the floor to the true curvature.
_MIN_CURVATURE = 1e-5


def _floored(c: np.ndarray) -> np.ndarray:
    """``c`` floored at ``_MIN_CURVATURE`` times its largest entry, or times 1.

    The smaller of the two: never above glmnet's absolute floor.
    """
    top = float(c.max(initial=0.0))
    return np.maximum(c, _MIN_CURVATURE * min(top if top > 0.0 else 1.0, 1.0))


class Logistic:
    """Binary logistic loss (labels 0/1, one output)."""

    name = "binomial"

    @staticmethod
    def value(Y: np.ndarray, eta: np.ndarray, s: np.ndarray) -> float:
        """``sum_i s_i (log(1 + exp(eta_i)) - y_i eta_i)`` without overflow."""
        # log(1 + e^eta) - y eta = -log sigmoid(eta) for y=1, -log sigmoid(-eta) else
        loss = -log_expit(np.where(Y > 0.5, eta, -eta))
        return float(s @ loss.sum(axis=1))

    @staticmethod
    def change(y, eta, mu, delta, s) -> float:
        """``F(eta + delta) - F(eta)`` for one output, accurate near zero.

        ``log1p(mu expm1(delta)) - y delta`` per sample: no cancellation between
        two nearly equal objectives, so a line search can compare steps whose
        decrease is below the rounding of the objective itself.
        """
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            out = np.log1p(mu * np.expm1(delta)) - y * delta
        bad = ~np.isfinite(out)
        if bad.any():
            e = eta[bad]
            out[bad] = np.logaddexp(0.0, e + delta[bad]) - np.logaddexp(0.0, e)
            out[bad] -= y[bad] * delta[bad]
        return float(s @ out)

    @staticmethod
    def mean(eta: np.ndarray) -> np.ndarray:
        """Fitted probability ``sigmoid(eta)``."""
        return expit(eta)

    @staticmethod
    def curvature(mu: np.ndarray) -> np.ndarray:
        """Second derivative ``mu (1 - mu)`` of ``f`` in ``eta`` (floored)."""
        return _floored(mu * (1.0 - mu))

    @staticmethod
    def conjugate(Y: np.ndarray, Q: np.ndarray, s: np.ndarray) -> float:
        """``sum_i s_i (q log q + (1 - q) log(1 - q))`` for ``Q`` in [0, 1]."""
        ent = xlogy(Q, Q) + xlogy(1.0 - Q, 1.0 - Q)
        return float(s @ ent.sum(axis=1))

    @staticmethod
    def clip_dual(Q: np.ndarray) -> np.ndarray:
        """Project a dual mean onto the domain of the conjugate."""
        return np.clip(Q, 0.0, 1.0)

    @staticmethod
    def null_intercept(Y: np.ndarray, s: np.ndarray) -> np.ndarray:
        """Intercept of the model without features: ``logit(mean(y))``."""
        m = float(np.clip(s @ Y[:, 0], 1e-12, 1 - 1e-12))
        return np.array([np.log(m / (1.0 - m))])


class Multinomial:
    """Symmetric multinomial loss (one-hot ``Y``, one output per class)."""

    name = "multinomial"

    @staticmethod
    def value(Y: np.ndarray, eta: np.ndarray, s: np.ndarray) -> float:
        """``sum_i s_i (logsumexp(eta_i) - eta_i . y_i)``."""
        # Stable log-sum-exp by hand: scipy's logsumexp costs ~0.5 ms a call in
        # array-API dispatch, and line searches call this thousands of times.
        top = eta.max(axis=1)
        lse = top + np.log(np.exp(eta - top[:, None]).sum(axis=1))
        loss = lse - np.einsum("ik,ik->i", eta, Y)
        return float(s @ loss)

    @staticmethod
    def change(y, eta, mu, delta, s) -> float:
        """``F(eta + delta e_k) - F(eta)`` for class ``k``, accurate near zero.

        ``y`` and ``mu`` are the class's columns: ``log1p(mu_k expm1(delta)) - y_k
        delta`` per sample.
        """
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            out = np.log1p(mu * np.expm1(delta)) - y * delta
        if not np.all(np.isfinite(out)):
            return np.inf
        return float(s @ out)

    @staticmethod
    def shift_change(Y, mu, step, s) -> float:
        """``F(eta + step) - F(eta)`` for one shift ``step`` (shape ``(K,)``).

        Every row moves by ``step``; accurate near zero as ``log1p(mu_i .
        expm1(step)) - y_i . step`` per sample.
        """
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            out = np.log1p(mu @ np.expm1(step)) - Y @ step
        if not np.all(np.isfinite(out)):
            return np.inf
        return float(s @ out)

    @staticmethod
    def mean(eta: np.ndarray) -> np.ndarray:
        """Fitted class probabilities ``softmax(eta)`` (row-wise, stable)."""
        z = eta - eta.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        return z

    @staticmethod
    def curvature(mu: np.ndarray) -> np.ndarray:
        """Diagonal ``mu_k (1 - mu_k)`` of the Hessian block of each class."""
        return _floored(mu * (1.0 - mu))

    @staticmethod
    def conjugate(Y: np.ndarray, Q: np.ndarray, s: np.ndarray) -> float:
        """``sum_i s_i sum_k q_ik log q_ik`` for rows of ``Q`` on the simplex."""
        return float(s @ xlogy(Q, Q).sum(axis=1))

    @staticmethod
    def clip_dual(Q: np.ndarray) -> np.ndarray:
        """Project (approximately) onto the simplex: clip, renormalise."""
        Q = np.clip(Q, 0.0, None)
        return Q / Q.sum(axis=1, keepdims=True)

    @staticmethod
    def null_intercept(Y: np.ndarray, s: np.ndarray) -> np.ndarray:
        """Centred log class frequencies."""
        logp = np.log(np.clip(s @ Y, 1e-12, None))
        return logp - logp.mean()


class Poisson:
    """Half the Poisson deviance with log link (counts ``y >= 0``, one output)."""

    name = "poisson"

    @staticmethod
    def value(Y: np.ndarray, eta: np.ndarray, s: np.ndarray) -> float:
        """``sum_i s_i (exp(eta_i) - y_i eta_i + y_i log y_i - y_i)``."""
        with np.errstate(over="ignore"):
            loss = np.exp(eta) - Y * eta + xlogy(Y, Y) - Y
        return float(s @ loss.sum(axis=1))

    @staticmethod
    def change(y, eta, mu, delta, s) -> float:
        """``F(eta + delta) - F(eta)``, accurate near zero.

        ``mu expm1(delta) - y delta`` per sample.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            out = mu * np.expm1(delta) - y * delta
        if not np.all(np.isfinite(out)):
            return np.inf
        return float(s @ out)

    @staticmethod
    def mean(eta: np.ndarray) -> np.ndarray:
        """Fitted mean ``exp(eta)``."""
        with np.errstate(over="ignore"):
            return np.exp(eta)

    @staticmethod
    def curvature(mu: np.ndarray) -> np.ndarray:
        """Second derivative ``mu`` of ``f`` in ``eta`` (floored)."""
        return _floored(mu)

    @staticmethod
    def conjugate(Y: np.ndarray, Q: np.ndarray, s: np.ndarray) -> float:
        """``sum_i s_i (q log q - q - y log y + y)`` for ``Q >= 0``."""
        ent = xlogy(Q, Q) - Q - xlogy(Y, Y) + Y
        return float(s @ ent.sum(axis=1))

    @staticmethod
    def clip_dual(Q: np.ndarray) -> np.ndarray:
        """Project a dual mean onto the domain of the conjugate."""
        return np.clip(Q, 0.0, None)

    @staticmethod
    def null_intercept(Y: np.ndarray, s: np.ndarray) -> np.ndarray:
        """Intercept of the model without features: ``log(mean(y))``."""
        return np.array([np.log(max(float(s @ Y[:, 0]), 1e-12))])


#: Datafits by family name.
GLM_DATAFITS = {"binomial": Logistic, "multinomial": Multinomial, "poisson": Poisson}
