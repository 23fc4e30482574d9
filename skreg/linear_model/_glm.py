"""Sparse GLMs: penalised logistic (binary, multinomial) and Poisson regression.

The shells validate, encode the target, build a :class:`~skreg.solvers.prox_newton.
GLMProblem` and call proximal Newton (or proximal gradient); see
:mod:`skreg.solvers.prox_newton` for the solver and :mod:`skreg.datafits_glm` for the
losses and their duals.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.special import log_expit, log_softmax
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets

from skreg._glm_path import _problem, glm_solver
from skreg.datafits_glm import Logistic, Multinomial, Poisson
from skreg.linear_model._base import _ACCEPT_SPARSE, CONVERGENCE_MESSAGE, set_fitted
from skreg.utils._validation import (
    Integral,
    Interval,
    LinearClassifierMixin,
    Real,
    SparseCoefMixin,
    StrOptions,
    _fit_context,
    check_is_fitted,
    check_sample_weight,
    validate_data,
)

__all__ = [
    "SparseLogisticRegression",
    "SparsePoissonRegressor",
    "encode_classes",
    "fit_glm",
]

_GLM_CONSTRAINTS: dict = {
    "alpha": [Interval(Real, 0, None, closed="left")],
    "l1_ratio": [Interval(Real, 0, 1, closed="both")],
    "fit_intercept": ["boolean"],
    "tol": [Interval(Real, 0, None, closed="left"), None],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "warm_start": ["boolean"],
    "positive": ["boolean"],
    "solver": [StrOptions({"auto", "newton", "fista"})],
    "verbose": ["verbose"],
    "penalty_factor": ["array-like", None],
}


def fit_glm(estimator, X, Y, sample_weight, datafit, grouped=False, W0=None, b0=None):
    """Solve one GLM for ``estimator``'s parameters; return the :class:`GLMResult`.

    ``X`` is validated (CSC or Fortran-ordered), ``Y`` 2-D float64. Warns with
    ``ConvergenceWarning`` when the gap is not reached.
    """
    problem = _problem(
        X, Y, sample_weight, datafit, estimator.l1_ratio, estimator.positive,
        grouped, estimator.fit_intercept, estimator.penalty_factor,
    )  # fmt: skip
    problem.set_penalty(estimator.alpha, estimator.l1_ratio)
    solve = glm_solver(estimator.solver, grouped)
    K, p = Y.shape[1], X.shape[1]
    if W0 is None:
        W = np.zeros((K, p))
        b = problem.null_intercept()
    else:
        W, b = np.array(W0, dtype=np.float64), np.array(b0, dtype=np.float64)
        if not estimator.fit_intercept:
            b[:] = 0.0
    with np.errstate(over="ignore"):
        result = solve(
            problem,
            W,
            b,
            max_iter=estimator.max_iter,
            tol=estimator.tol,
            verbose=estimator.verbose,
        )
    if not (np.all(np.isfinite(result.coef)) and np.all(np.isfinite(result.intercept))):
        raise ValueError(
            "The solver returned non-finite coefficients; the data may be too badly "
            "scaled. Standardize X (e.g. StandardScaler)."
        )
    if not result.converged:
        warnings.warn(
            f"{CONVERGENCE_MESSAGE} duality gap {result.dual_gap:.3e} after "
            f"{result.n_iter} iterations, tolerance {result.tol:.3e} "
            f"(tol={estimator.tol}). Increase max_iter, increase tol or alpha, or "
            "scale the features.",
            ConvergenceWarning,
            stacklevel=3,
        )
    return result


def _validate_fit_xy(estimator, X, y, **kwargs):
    return validate_data(
        estimator,
        X,
        y,
        accept_sparse=_ACCEPT_SPARSE,
        dtype=[np.float64, np.float32],
        order="F",
        **kwargs,
    )


def encode_classes(estimator, X, y, sample_weight):
    """Validate ``X``, ``y``, weights; set ``classes_``; encode the labels.

    Returns ``(X, Y, sample_weight, datafit, grouped)``: ``Y`` a 0/1 column (two
    classes, :class:`Logistic`) or one-hot rows (:class:`Multinomial`), the sample
    weights multiplied by the class weights.
    """
    X, y = _validate_fit_xy(estimator, X, y)
    check_classification_targets(y)
    classes, y_ind = np.unique(y, return_inverse=True)
    if classes.shape[0] < 2:
        raise ValueError(
            "This solver needs samples of at least 2 classes in the data, but y "
            f"contains only one class: {classes[0]!r}."
        )
    estimator.classes_ = classes
    sw = check_sample_weight(sample_weight, X, np.float64)
    if isinstance(estimator.class_weight, dict):
        bad = {k: v for k, v in estimator.class_weight.items() if not v >= 0}
        if bad:
            raise ValueError(
                f"class_weight must map classes to non-negative weights, got {bad!r}."
            )
    if estimator.class_weight is not None:
        cw = compute_class_weight(estimator.class_weight, classes=classes, y=y)
        sw = (np.ones(X.shape[0]) if sw is None else sw) * cw[y_ind]
    if sw is not None:
        weighted = np.bincount(y_ind, weights=sw, minlength=classes.shape[0])
        if np.count_nonzero(weighted > 0) < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes with positive "
                "weight, but the sample (and class) weights leave only one class: "
                f"{classes[np.argmax(weighted)]!r}."
            )
    if classes.shape[0] == 2:
        Y = (y_ind == 1).astype(np.float64)[:, None]
        return X, Y, sw, Logistic, False
    Y = np.zeros((X.shape[0], classes.shape[0]))
    Y[np.arange(X.shape[0]), y_ind] = 1.0
    return X, Y, sw, Multinomial, estimator.multinomial_penalty == "grouped"


class LogisticClassifierMixin(LinearClassifierMixin, SparseCoefMixin, ClassifierMixin):
    """Probabilities, fitted attributes and tags of the logistic classifiers."""

    def _set_fitted(self, result, dtype):
        b = result.intercept.copy()
        if b.shape[0] > 1:
            b -= b.mean()
        set_fitted(
            self,
            np.ascontiguousarray(result.coef, dtype=dtype),
            (b if self.fit_intercept else np.zeros_like(b)).astype(dtype),
            int(result.n_iter),
            float(result.dual_gap),
        )

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``.
        """
        return np.exp(self.predict_log_proba(X))

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities (computed stably).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return np.column_stack([log_expit(-scores), log_expit(scores)])
        return log_softmax(scores, axis=1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


class SparseLogisticRegression(LogisticClassifierMixin, BaseEstimator):
    """Logistic regression with an elastic-net penalty (binary and multinomial).

    Minimises glmnet's objective (``standardize=FALSE``): the weighted mean negative
    log-likelihood plus the elastic net,

    .. math::

        \\frac{1}{\\sum_i s_i} \\sum_i s_i \\, \\ell(y_i, x_i^\\top B^\\top + b)
        + \\alpha \\left(\\rho \\|B\\|_1 + \\frac{1 - \\rho}{2} \\|B\\|_F^2\\right),

    with ``rho = l1_ratio``, unpenalised intercepts ``b``, and ``ell`` the binary
    logistic loss (two classes, one row of ``B``) or the symmetric multinomial loss
    (one row per class, as glmnet). ``alpha`` is glmnet's ``lambda`` and ``l1_ratio``
    its ``alpha``. With unit weights, scikit-learn's
    ``LogisticRegression(C=C, l1_ratio=rho)`` minimises ``n`` times this objective
    with ``alpha = 1 / (C * n_samples)``.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength (``>= 0``).
    l1_ratio : float, default=1.0
        Mix between L1 (``1``) and L2 (``0``).
    fit_intercept : bool, default=True
        Fit unpenalised intercepts.
    multinomial_penalty : {"ungrouped", "grouped"}, default="ungrouped"
        With more than two classes, ``"grouped"`` replaces ``||B||_1`` by the sum over
        features of the L2 norms of the columns ``B[:, j]`` (glmnet's
        ``type.multinomial = "grouped"``): a feature is in or out for all classes.
    class_weight : dict or "balanced", default=None
        Multiplies the sample weights by the weight of each sample's class.
    tol : float or None, default=None
        Relative duality gap certified at the solution (``None``: ``1e-6``).
    max_iter : int, default=100
        Newton iterations at most (proximal gradient: ``100 * max_iter``
        iterations).
    warm_start : bool, default=False
        Start from the previous solution when the shapes agree.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    solver : {"auto", "newton", "fista"}, default="auto"
        ``"newton"``: proximal Newton whose weighted least-squares subproblems are
        solved by skreg's working-set coordinate descent; ``"fista"``: accelerated
        proximal gradient. ``"auto"``: Newton, or FISTA for the grouped penalty.
    verbose : int, default=0
        Print the gap at every iteration when positive.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature penalty factors (glmnet's ``penalty.factor``): both penalty
        terms of feature ``j`` (every class row of ``coef_[:, j]``, or its group
        norm with ``multinomial_penalty="grouped"``) are multiplied by
        ``penalty_factor[j] >= 0``; ``0`` leaves the feature unpenalised (it is in
        the model at every ``alpha``). The factors are rescaled to sum to
        ``n_features``, as glmnet and the linear models do, so that ``alpha`` stays
        glmnet's ``lambda``; a constant factor changes nothing. Finite, not all
        zero (``ValueError`` otherwise). See "Penalty factors" in the GLM user
        guide (adaptive lasso).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Multinomial intercepts are centred to sum to zero.
    n_iter_ : int
        Newton (or proximal gradient) iterations.
    dual_gap_ : float
        Duality gap certified at the solution (mean scaling): the objective minus
        the dual value at the better of two feasible dual points, the gradient at
        the solution (its dual mean moved towards ``y`` until feasible) and the
        gradient of the solver's last Newton model, made feasible the same way
        (:meth:`skreg.solvers.prox_newton.GLMProblem.gap_and_gradient`). At least
        the suboptimality; often orders below the gradient's gap alone.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined only when ``X`` has feature names that are all strings.

    See Also
    --------
    SparseLogisticRegressionCV : Cross-validated ``alpha`` and ``l1_ratio``.
    sklearn.linear_model.LogisticRegression : The ``C`` parametrisation.

    Examples
    --------
    >>> import numpy as np
    >>> from skreg import SparseLogisticRegression
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]])
    >>> y = np.array(["a", "a", "b", "b"])
    >>> clf = SparseLogisticRegression(alpha=0.01).fit(X, y)
    >>> clf.predict([[0.0, 0.0], [3.0, 1.0]]).tolist()
    ['a', 'b']
    """

    _parameter_constraints: dict = {
        **_GLM_CONSTRAINTS,
        "multinomial_penalty": [StrOptions({"ungrouped", "grouped"})],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        alpha=1.0,
        *,
        l1_ratio=1.0,
        fit_intercept=True,
        multinomial_penalty="ungrouped",
        class_weight=None,
        tol=None,
        max_iter=100,
        warm_start=False,
        positive=False,
        solver="auto",
        verbose=0,
        penalty_factor=None,
    ):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.multinomial_penalty = multinomial_penalty
        self.class_weight = class_weight
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start
        self.positive = positive
        self.solver = solver
        self.verbose = verbose
        self.penalty_factor = penalty_factor

    def _encode(self, X, y, sample_weight):
        """Validate; return ``(X, Y, sample_weight, datafit, grouped)``."""
        return encode_classes(self, X, y, sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data (float32 is kept).
        y : array-like of shape (n_samples,)
            Class labels (any hashable, e.g. strings).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        prev = (getattr(self, "coef_", None), getattr(self, "intercept_", None))
        X, Y, sw, datafit, grouped = self._encode(X, y, sample_weight)
        W0 = b0 = None
        if self.warm_start and prev[0] is not None and prev[0].shape[0] == Y.shape[1]:
            if prev[0].shape[1] == X.shape[1]:
                W0, b0 = prev
        result = fit_glm(self, X, Y, sw, datafit, grouped, W0, b0)
        self._set_fitted(result, X.dtype)
        return self


class SparsePoissonRegressor(RegressorMixin, BaseEstimator):
    """Poisson regression (log link) with an elastic-net penalty.

    Minimises glmnet's ``family = "poisson"`` objective (``standardize=FALSE``): half
    the weighted mean Poisson deviance plus the elastic net,

    .. math::

        \\frac{1}{\\sum_i s_i} \\sum_i s_i \\left(e^{\\eta_i} - y_i \\eta_i
        + y_i \\log y_i - y_i\\right)
        + \\alpha \\left(\\rho \\|w\\|_1 + \\frac{1 - \\rho}{2} \\|w\\|_2^2\\right),
        \\qquad \\eta_i = x_i^\\top w + b.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength (``>= 0``; glmnet's ``lambda``).
    l1_ratio : float, default=1.0
        Mix between L1 (``1``) and L2 (``0``) (glmnet's ``alpha``).
    fit_intercept : bool, default=True
        Fit an unpenalised intercept.
    tol : float or None, default=None
        Relative duality gap certified at the solution (``None``: ``1e-6``).
    max_iter : int, default=100
        Newton iterations at most.
    warm_start : bool, default=False
        Start from the previous solution.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    solver : {"auto", "newton", "fista"}, default="auto"
        As in :class:`SparseLogisticRegression`.
    verbose : int, default=0
        Print the gap at every iteration when positive.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature penalty factors (glmnet's ``penalty.factor``), as in
        :class:`SparseLogisticRegression`: both terms of ``coef_[j]`` multiplied by
        ``penalty_factor[j] >= 0`` (``0``: unpenalised), rescaled to sum to
        ``n_features``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    n_iter_ : int
    dual_gap_ : float
        Duality gap certified at the solution, as
        :class:`SparseLogisticRegression`'s.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined only when ``X`` has feature names that are all strings.

    See Also
    --------
    sklearn.linear_model.PoissonRegressor : Ridge-penalised Poisson regression.

    Examples
    --------
    >>> import numpy as np
    >>> from skreg import SparsePoissonRegressor
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> y = np.array([1.0, 2.0, 4.0, 8.0])
    >>> reg = SparsePoissonRegressor(alpha=1e-6).fit(X, y)
    >>> float(np.round(reg.coef_[0], 2))
    0.69
    """

    _parameter_constraints: dict = dict(_GLM_CONSTRAINTS)

    def __init__(
        self,
        alpha=1.0,
        *,
        l1_ratio=1.0,
        fit_intercept=True,
        tol=None,
        max_iter=100,
        warm_start=False,
        positive=False,
        solver="auto",
        verbose=0,
        penalty_factor=None,
    ):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start
        self.positive = positive
        self.solver = solver
        self.verbose = verbose
        self.penalty_factor = penalty_factor

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data (float32 is kept).
        y : array-like of shape (n_samples,)
            Non-negative counts (or rates), not all zero.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        X, y = _validate_fit_xy(self, X, y, y_numeric=True)
        y = np.asarray(y, dtype=np.float64)
        if np.any(y < 0):
            raise ValueError(
                "y must be non-negative counts for SparsePoissonRegressor; got a "
                f"minimum of {y.min():.6g}."
            )
        sw = check_sample_weight(sample_weight, X, np.float64)
        total = y.sum() if sw is None else sw @ y
        if not total > 0:
            raise ValueError(
                "y must have a positive (weighted) sum for SparsePoissonRegressor: "
                "with all counts zero the intercept goes to minus infinity."
            )
        W0 = b0 = None
        if (
            self.warm_start
            and hasattr(self, "coef_")
            and self.coef_.shape[0] == (X.shape[1])
        ):
            W0, b0 = self.coef_[None, :], np.array([self.intercept_])
        result = fit_glm(self, X, y[:, None], sw, Poisson, False, W0, b0)
        set_fitted(
            self,
            np.ascontiguousarray(result.coef[0], dtype=X.dtype),
            float(result.intercept[0]) if self.fit_intercept else 0.0,
            int(result.n_iter),
            float(result.dual_gap),
        )
        return self

    def predict(self, X):
        """Predicted mean ``exp(X @ coef_ + intercept_)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            accept_sparse=_ACCEPT_SPARSE,
            dtype=[np.float64, np.float32],
            reset=False,
        )
        eta = np.asarray(X @ self.coef_).ravel() + self.intercept_
        with np.errstate(over="ignore"):
            return np.exp(eta)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.positive_only = True
        return tags
