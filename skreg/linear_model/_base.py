"""Shared shell of skreg's penalised least-squares estimators.

The shell validates, builds the problem, calls a solver and stores scikit-learn's fitted
attributes. It never mutates its inputs and never lets an unvalidated array reach a
compiled kernel.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import MultiOutputMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning

from skreg import penalties
from skreg.datafits import QuadraticData
from skreg.solvers import SOLVERS
from skreg.utils._validation import (
    Integral,
    Interval,
    Real,
    StrOptions,
    check_is_fitted,
    check_sample_weight,
    fast_validate_xy,
    is_private_copy,
    validate_data,
    validate_params_cached,
)

_ACCEPT_SPARSE = ["csc", "csr", "coo"]


def resolve_solver(solver: str, X) -> str:
    """Map ``solver="auto"`` to a concrete solver for ``X``.

    Working-set coordinate descent is the fastest choice on every problem shape we
    benchmark (dense wide, dense tall, sparse), so ``"auto"`` picks it; ``"fista"`` is
    kept for users who want a full-gradient method.
    """
    return "cd" if solver == "auto" else solver


class LinearModelMixin(MultiOutputMixin, RegressorMixin):
    """``predict``, ``sparse_coef_`` and tags shared by the penalised regressors."""

    def predict(self, X):
        """Predict with the fitted linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            ``X @ coef_.T + intercept_``.
        """
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            accept_sparse=_ACCEPT_SPARSE,
            dtype=[np.float64, np.float32],
            reset=False,
        )
        out = X @ self.coef_.T
        return np.asarray(out) + self.intercept_

    @property
    def sparse_coef_(self):
        """Sparse (CSR) representation of ``coef_``."""
        check_is_fitted(self)
        return sp.csr_matrix(np.atleast_2d(self.coef_))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


class BaseElasticNet(LinearModelMixin):
    """Elastic-net least squares solved by skreg's proximal solvers (shared code).

    Subclasses are scikit-learn estimators (they add ``BaseEstimator``) and define
    ``__init__``; ``_l1_ratio()`` tells the penalty's mix.
    """

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "fit_intercept": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "warm_start": ["boolean"],
        "positive": ["boolean"],
        "solver": [StrOptions({"auto", "cd", "fista"})],
        "verbose": ["verbose"],
    }

    def _l1_ratio(self) -> float:
        return float(self.l1_ratio)

    def _validate_params(self):
        validate_params_cached(self)

    def _fit(self, X, y, sample_weight):
        X_given = X
        checked = fast_validate_xy(self, X, y)
        if checked is None:
            checked = validate_data(
                self,
                X,
                y,
                accept_sparse=_ACCEPT_SPARSE,
                dtype=[np.float64, np.float32],
                order="F",
                y_numeric=True,
                multi_output=True,
            )
        X, y = checked
        y = np.asarray(y, dtype=X.dtype)
        if y.ndim > 2:
            raise ValueError(f"y must be 1-D or 2-D, got an array of shape {y.shape}.")
        sample_weight = check_sample_weight(sample_weight, X, X.dtype)
        if self.alpha == 0:
            warnings.warn(
                "With alpha=0 the problem is ordinary least squares; the solvers are "
                "not designed for it and may converge slowly. Use "
                "sklearn.linear_model.LinearRegression instead.",
                UserWarning,
                stacklevel=3,
            )
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        n_targets = Y.shape[1]
        penalty = penalties.ElasticNet(
            self.alpha, self._l1_ratio(), positive=self.positive
        )
        solver = SOLVERS[resolve_solver(self.solver, X)]
        coefs = self._initial_coef(n_targets, X.shape[1], X.dtype)
        intercepts = np.zeros(n_targets, dtype=X.dtype)
        n_iters, gaps = [], []
        for k in range(n_targets):
            data = QuadraticData(
                X,
                np.ascontiguousarray(Y[:, k]),
                sample_weight,
                self.fit_intercept,
                # A single target may centre validation's own copy of X in place.
                copy_X=n_targets > 1 or not is_private_copy(X, X_given),
            )
            w = np.ascontiguousarray(coefs[k])
            result = solver(
                data,
                penalty,
                w,
                max_iter=self.max_iter,
                tol=self.tol,
                verbose=self.verbose,
            )
            if not result.converged:
                warnings.warn(
                    f"Objective did not converge: duality gap {result.dual_gap:.3e} "
                    f"after {result.n_iter} iterations, tolerance {result.tol:.3e} "
                    f"(tol={self.tol}). Increase max_iter, increase tol, or scale "
                    "the features.",
                    ConvergenceWarning,
                    stacklevel=3,
                )
            coefs[k] = result.coef
            intercepts[k] = data.intercept(result.coef)
            n_iters.append(result.n_iter)
            gaps.append(result.dual_gap)
        if not np.all(np.isfinite(coefs)):
            raise ValueError(
                "The solver returned non-finite coefficients; the data may be too "
                "badly scaled. Standardize X (e.g. StandardScaler)."
            )
        if y.ndim == 1:
            self.coef_ = coefs[0]
            self.intercept_ = float(intercepts[0]) if self.fit_intercept else 0.0
            self.n_iter_ = n_iters[0]
            self.dual_gap_ = gaps[0]
        else:
            self.coef_ = coefs
            self.intercept_ = intercepts if self.fit_intercept else np.zeros(n_targets)
            self.n_iter_ = n_iters
            self.dual_gap_ = np.asarray(gaps)
        return self

    def _initial_coef(self, n_targets, n_features, dtype):
        if self.warm_start and hasattr(self, "coef_"):
            prev = np.atleast_2d(self.coef_)
            if prev.shape == (n_targets, n_features):
                return np.array(prev, dtype=dtype, order="C")
        return np.zeros((n_targets, n_features), dtype=dtype)
