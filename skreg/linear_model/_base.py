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
from sklearn.utils import check_random_state

from skreg import penalties
from skreg._path import _enet_path, _uses_homotopy, check_gram
from skreg.datafits import DEFAULT_REL_TOL, QuadraticData
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
# Single lasso fits on dense data with fewer samples than features follow the
# homotopy (BaseElasticNet._fit_by_homotopy) when X has at most _HOMOTOPY_MAX_SIZE
# entries and either at most _HOMOTOPY_SAMPLES rows or alpha at most alpha_max /
# _HOMOTOPY_DEPTH: there it beats coordinate descent (docs/benchmarks.md).
_HOMOTOPY_MAX_SIZE = 1_000_000
_HOMOTOPY_SAMPLES = 100
_HOMOTOPY_DEPTH = 300

# The start of scikit-learn's convergence and alpha=0 warnings (users and tests match
# on them); skreg's details follow.
CONVERGENCE_MESSAGE = (
    "Objective did not converge. You might want to increase the number of iterations."
)
ALPHA_ZERO_MESSAGE = (
    "With alpha=0, this algorithm does not converge well. You are advised to use "
    "the LinearRegression estimator"
)


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
        "precompute": ["boolean", StrOptions({"auto"}), "array-like"],
        "copy_X": ["boolean"],
        "random_state": ["random_state"],
        "selection": [StrOptions({"cyclic", "random"})],
        "penalty_factor": ["array-like", None],
        "lower_bounds": [Real, "array-like", None],
        "upper_bounds": [Real, "array-like", None],
    }

    def _l1_ratio(self) -> float:
        return float(self.l1_ratio)

    def _validate_params(self):
        validate_params_cached(self)

    def _fit(self, X, y, sample_weight, check_input=True):
        X_given = X
        if check_input:
            X, y = self._validate_xy(X, y)
            sample_weight = check_sample_weight(sample_weight, X, X.dtype)
        else:
            X, y = self._trusted_xy(X, y, sample_weight)
            if sample_weight is not None and not np.isscalar(sample_weight):
                sample_weight = np.ascontiguousarray(sample_weight, dtype=X.dtype)
        if np.isscalar(sample_weight):
            sample_weight = None  # a constant weight changes nothing (scikit-learn)
        if y.ndim > 2:
            raise ValueError(f"y must be 1-D or 2-D, got an array of shape {y.shape}.")
        if self.alpha == 0:
            warnings.warn(
                ALPHA_ZERO_MESSAGE + " (the problem is ordinary least squares).",
                UserWarning,
                stacklevel=3,
            )
        gram = check_gram(
            self.precompute, X, sample_weight, self.fit_intercept, check_input
        )
        x_offset = None
        if (
            not self.copy_X
            and self.fit_intercept
            and not sp.issparse(X)
            and X.flags.writeable
        ):
            # copy_X=False: scikit-learn centres X in place (the memory a centred
            # copy would take); skreg does too, then fits the centred columns and
            # moves the intercept back by x_offset @ coef.
            x_offset = np.average(X, axis=0, weights=sample_weight).astype(X.dtype)
            X -= x_offset
        rng = None
        if self.selection == "random":
            rng = np.random.default_rng(
                check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
            )
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        n_targets = Y.shape[1]
        penalty = penalties.ElasticNet(
            self.alpha,
            self._l1_ratio(),
            positive=self.positive,
            penalty_factor=self.penalty_factor,
            lower_bounds=self.lower_bounds,
            upper_bounds=self.upper_bounds,
            n_features=X.shape[1],
        )
        plain = not (penalty.weights.shape[0] or penalty.bounded)
        solver = SOLVERS[resolve_solver(self.solver, X)]
        coefs = self._initial_coef(n_targets, X.shape[1], X.dtype)
        intercepts = np.zeros(n_targets, dtype=X.dtype)
        n_iters, gaps = [], []
        homotopy = (
            self.alpha > 0
            and X.shape[0] * X.shape[1] <= _HOMOTOPY_MAX_SIZE
            and _uses_homotopy(X, penalty.l1_ratio, self.solver, plain)
            and not coefs.any()
            and rng is None
        )
        for k in range(n_targets):
            y_k = np.ascontiguousarray(Y[:, k])
            data = QuadraticData(
                X,
                y_k,
                sample_weight,
                self.fit_intercept,
                # A single target may centre validation's own copy of X in place
                # (not when the homotopy may fit from X after all).
                copy_X=n_targets > 1 or homotopy or not is_private_copy(X, X_given),
            )
            if homotopy and (
                X.shape[0] <= _HOMOTOPY_SAMPLES
                or self.alpha * _HOMOTOPY_DEPTH
                <= penalty.alpha_max(data.grad_at_zero())
            ):
                coefs[k], intercepts[k], n_iter, gap = self._fit_by_homotopy(
                    X, y_k, sample_weight
                )
                n_iters.append(n_iter)
                gaps.append(gap)
                continue
            w = np.ascontiguousarray(coefs[k])
            options = {}
            if solver is SOLVERS["cd"]:
                options = {"gram": gram, "rng": rng}
            result = solver(
                data,
                penalty,
                w,
                max_iter=self.max_iter,
                tol=self.tol,
                verbose=self.verbose,
                **options,
            )
            if not result.converged:
                warnings.warn(
                    f"{CONVERGENCE_MESSAGE} duality gap {result.dual_gap:.3e} "
                    f"after {result.n_iter} iterations, tolerance {result.tol:.3e} "
                    f"(tol={self.tol}). Increase max_iter, increase tol, or scale "
                    "the features.",
                    ConvergenceWarning,
                    stacklevel=3,
                )
            coefs[k] = result.coef
            intercepts[k] = data.intercept(result.coef)
            if x_offset is not None:
                intercepts[k] -= float(x_offset.astype(np.float64) @ result.coef)
            n_iters.append(result.n_iter)
            gaps.append(result.dual_gap)
        if not np.all(np.isfinite(coefs)):
            raise ValueError(
                "The solver returned non-finite coefficients; the data may be too "
                "badly scaled. Standardize X (e.g. StandardScaler)."
            )
        if n_targets == 1:
            # y of shape (n, 1) gives coef_ of shape (n_features,) and intercept_ of
            # shape (1,), as scikit-learn's ElasticNet.
            self.coef_ = coefs[0]
            if not self.fit_intercept:
                self.intercept_ = 0.0
            elif y.ndim == 1:
                self.intercept_ = float(intercepts[0])
            else:
                self.intercept_ = intercepts.copy()
            self.n_iter_ = n_iters[0]
            self.dual_gap_ = gaps[0]
        else:
            self.coef_ = coefs
            self.intercept_ = intercepts if self.fit_intercept else np.zeros(n_targets)
            self.n_iter_ = n_iters
            self.dual_gap_ = np.asarray(gaps)
        return self

    def _fit_by_homotopy(self, X, y, sample_weight):
        """Lasso on wide dense data: the exact homotopy from ``alpha_max``.

        With few samples or a small ``alpha``, supports near ``n_samples`` make
        coordinate descent crawl (about 900 epochs on a 40 x 120 problem at
        ``alpha_max / 300``), while the homotopy of :func:`skreg.enet_path` reaches
        ``alpha`` exactly, certified by the same duality gap as coordinate descent.
        Returns ``(coef, intercept, n_iter, dual_gap)``.
        """
        _, coefs, gaps, n_iters, *intercepts = _enet_path(
            X,
            y,
            l1_ratio=1.0,
            eps=1e-3,
            alphas=[self.alpha],
            coef_init=None,
            verbose=self.verbose,
            return_n_iter=True,
            positive=self.positive,
            check_input=False,
            fit_intercept=self.fit_intercept,
            sample_weight=sample_weight,
            tol=self.tol,
            max_iter=self.max_iter,
            solver="auto",
            rel_tol=DEFAULT_REL_TOL,
        )
        intercept = intercepts[0][0] if self.fit_intercept else 0.0
        return coefs[:, 0], intercept, n_iters[0], float(gaps[0])

    def _validate_xy(self, X, y):
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
        return X, np.asarray(y, dtype=X.dtype)

    def _trusted_xy(self, X, y, sample_weight):
        """``check_input=False``: no copy, no finiteness check, layout checked.

        As in scikit-learn, ``X`` must then be a float32/float64 Fortran-ordered
        array (or a sparse matrix); ``y`` is cast to the dtype of ``X``.
        """
        if sp.issparse(X):
            if X.dtype not in (np.float32, np.float64):
                raise ValueError("With check_input=False, X must be float32/float64.")
        elif sample_weight is not None and isinstance(X, np.ndarray):
            # scikit-learn reorders X when it rescales it by the weights.
            X = np.asfortranarray(X)
        if not sp.issparse(X) and not (
            isinstance(X, np.ndarray)
            and X.ndim == 2
            and X.dtype in (np.float32, np.float64)
            and X.flags.f_contiguous
        ):
            raise ValueError(
                "With check_input=False, X must be a Fortran-ordered (order='F') "
                "float32 or float64 array; pass check_input=True to convert it."
            )
        self.n_features_in_ = X.shape[1]
        return X, np.asarray(y, dtype=X.dtype)

    def _initial_coef(self, n_targets, n_features, dtype):
        if self.warm_start and hasattr(self, "coef_"):
            prev = np.atleast_2d(self.coef_)
            if prev.shape == (n_targets, n_features):
                return np.array(prev, dtype=dtype, order="C")
        return np.zeros((n_targets, n_features), dtype=dtype)
