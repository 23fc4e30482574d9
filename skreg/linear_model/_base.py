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

from skreg import penalties
from skreg._path import (
    _enet_path,
    _path_options,
    _solve_point,
    _uses_homotopy,
    check_gram,
)
from skreg.datafits import DEFAULT_REL_TOL, NONFINITE_MESSAGE, QuadraticData
from skreg.linear_model import _warm_state
from skreg.solvers import resolve_solver
from skreg.solvers.direct import solve_direct, uses_direct
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


def set_fitted(estimator, coef, intercept, n_iter, dual_gap) -> None:
    """Store a fit's ``coef_``, ``intercept_``, ``n_iter_`` and ``dual_gap_``."""
    estimator.coef_ = coef
    estimator.intercept_ = intercept
    estimator.n_iter_ = n_iter
    estimator.dual_gap_ = dual_gap


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
        X, y, sample_weight = self._fit_input(X, y, sample_weight, check_input)
        if self.alpha == 0:
            warnings.warn(
                ALPHA_ZERO_MESSAGE + " (the problem is ordinary least squares).",
                UserWarning,
                stacklevel=3,
            )
        gram = check_gram(
            self.precompute, X, sample_weight, self.fit_intercept, check_input
        )
        x_offset = self._centre_in_place(X, sample_weight)
        rng = _path_options(
            {"random_state": self.random_state, "selection": self.selection}
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
        solver = resolve_solver(self.solver)
        options = {"gram": gram, "rng": rng} if solver == "cd" else {}
        coefs = self._initial_coef(n_targets, X.shape[1], X.dtype)
        # A warm-started fit that stopped at max_iter continues (_warm_state).
        stored = _warm_state.stored_targets(self, X, n_targets, coefs)
        intercepts = np.zeros(n_targets, dtype=X.dtype)
        n_iters, gaps, kept = [], [], []
        homotopy = (
            self.alpha > 0
            and X.shape[0] * X.shape[1] <= _HOMOTOPY_MAX_SIZE
            and _uses_homotopy(X, penalty.l1_ratio, self.solver, plain)
            and not coefs.any()
            and rng is None
        )
        for k in range(n_targets):
            # A single target may centre validation's own copy of X in place (not
            # when the homotopy may fit from X after all).
            copy_X = n_targets > 1 or homotopy or not is_private_copy(X, X_given)
            coefs[k], intercepts[k], n_iter, gap, entry = self._fit_target(
                X, np.ascontiguousarray(Y[:, k]), sample_weight, penalty, coefs[k],
                copy_X=copy_X, homotopy=homotopy, solver=solver, options=options,
                x_offset=x_offset, stored=None if stored is None else stored[k],
            )  # fmt: skip
            n_iters.append(n_iter)
            gaps.append(gap)
            kept.append(entry)
        if not np.all(np.isfinite(coefs)):
            raise ValueError(
                f"{NONFINITE_MESSAGE}: the solver returned non-finite coefficients; "
                "the data may be too badly scaled. Standardize X (e.g. "
                "StandardScaler)."
            )
        _warm_state.keep(self, X, coefs, kept)
        if n_targets > 1:
            intercepts = intercepts if self.fit_intercept else np.zeros(n_targets)
            set_fitted(self, coefs, intercepts, n_iters, np.asarray(gaps))
        elif not self.fit_intercept:
            set_fitted(self, coefs[0], 0.0, n_iters[0], gaps[0])
        else:
            # y of shape (n, 1) gives coef_ of shape (n_features,) and intercept_ of
            # shape (1,), as scikit-learn's ElasticNet.
            intercept = float(intercepts[0]) if y.ndim == 1 else intercepts.copy()
            set_fitted(self, coefs[0], intercept, n_iters[0], gaps[0])
        return self

    def _fit_target(
        self, X, y_k, sample_weight, penalty, coef, *, copy_X, homotopy, solver,
        options, x_offset, stored=None,
    ):  # fmt: skip
        """Fit one target from ``coef``: ``(coef, intercept, n_iter, gap, kept)``.

        ``stored``: the target's entry of a kept solver state (:mod:`._warm_state`),
        resumed if these are its data; ``kept``: the entry to keep (``None`` unless
        coordinate descent stopped at ``max_iter`` with ``warm_start=True``).
        """
        data = QuadraticData(X, y_k, sample_weight, self.fit_intercept, copy_X=copy_X)
        resume = _warm_state.resume_state(stored, data)
        if resume is not None:
            # (The kept solve was coordinate descent: no homotopy or direct solve.)
            homotopy = False
            options = {**options, "resume": resume}
        if solver == "cd" and self.warm_start:
            options = {**options, "keep_state": True}
        if homotopy and (
            X.shape[0] <= _HOMOTOPY_SAMPLES
            or self.alpha * _HOMOTOPY_DEPTH <= penalty.alpha_max(data.grad_at_zero())
        ):
            return (*self._fit_by_homotopy(X, y_k, sample_weight), None)
        plain = not (penalty.weights.shape[0] or penalty.bounded)
        direct = (self.alpha == 0 or penalty.l1_ratio == 0) and solver == "cd"
        direct = direct and plain  # (the SVD solves the unweighted, unbounded ridge)
        if direct and resume is None and uses_direct(data, penalty):
            # Ridge or least squares: exact by one SVD (skreg.solvers.direct).
            w = np.ascontiguousarray(coef)
            result = solve_direct(data, penalty, w, tol=self.tol)
            return (*self._target_result(X, data, result, x_offset), None)
        result = _solve_point(
            data,
            penalty,
            np.ascontiguousarray(coef),
            solver=solver,
            max_iter=self.max_iter,
            tol=self.tol,
            rel_tol=DEFAULT_REL_TOL,
            verbose=self.verbose,
            options=options,
            message=self._convergence_message,
            stacklevel=4,
        )
        kept = None
        if result.state is not None:
            kept = (_warm_state.data_key(data), result.state)
        return (*self._target_result(X, data, result, x_offset), kept)

    @staticmethod
    def _target_result(X, data, result, x_offset):
        """Return ``(coef, intercept, n_iter, gap)`` of one target's solve."""
        # (In the dtype of X, as the estimator stores it.)
        intercept = X.dtype.type(data.intercept(result.coef))
        if x_offset is not None:
            intercept -= float(x_offset.astype(np.float64) @ result.coef)
        return result.coef, intercept, result.n_iter, result.dual_gap

    def _fit_input(self, X, y, sample_weight, check_input):
        """Return ``X``, ``y`` and weights, validated (trusted if not check_input)."""
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
        return X, y, sample_weight

    def _centre_in_place(self, X, sample_weight):
        """``copy_X=False``: centre dense ``X`` in place; return the column means.

        scikit-learn centres ``X`` in place (saving the memory a centred copy would
        take); skreg does too, then fits the centred columns and moves the intercept
        back by ``x_offset @ coef``. ``None`` when ``X`` is left alone.
        """
        if (
            self.copy_X
            or not self.fit_intercept
            or sp.issparse(X)
            or not X.flags.writeable
        ):
            return None
        x_offset = np.average(X, axis=0, weights=sample_weight).astype(X.dtype)
        X -= x_offset
        return x_offset

    def _convergence_message(self, result) -> str:
        return (
            f"{CONVERGENCE_MESSAGE} duality gap {result.dual_gap:.3e} "
            f"after {result.n_iter} iterations, tolerance {result.tol:.3e} "
            f"(tol={self.tol}). Increase max_iter, increase tol, or scale "
            "the features."
        )

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

    def _validate_xy(self, X, y, *, fast=True):
        """Return ``X`` and ``y`` as the kernels take them.

        ``fast=False`` always goes through scikit-learn's ``validate_data``, the
        reference the fast path must equal.
        """
        checked = fast_validate_xy(self, X, y) if fast else None
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
