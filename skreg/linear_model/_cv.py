"""Cross-validated elastic net and lasso over ``alpha`` and ``l1_ratio``.

Each (``l1_ratio``, fold) pair fits one warm-started path on the training part (with
its own intercept and weights; no centred copies) and scores every alpha on the held-out
part. The pairs are independent jobs dispatched through joblib, so any joblib backend
(threads, processes, dask, ray) runs them.
"""

from __future__ import annotations

from numbers import Real

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator
from sklearn.model_selection import check_cv
from sklearn.utils import check_scalar

from skreg._path import _enet_path, _path_options, _uses_homotopy, alpha_grid, enet_path
from skreg.datafits import DEFAULT_REL_TOL
from skreg.linear_model._base import _ACCEPT_SPARSE, LinearModelMixin
from skreg.linear_model._coordinate import ElasticNet
from skreg.utils._validation import (
    Integral,
    Interval,
    MetadataRouter,
    MethodMapping,
    StrOptions,
    _fit_context,
    check_sample_weight,
    process_routing,
    raise_for_params,
    routing_enabled,
    validate_data,
)

# Relative suboptimality certified along the fold paths when ``tol=None``: the CV
# curve needs far less accuracy than a final model, and 1e-4 moves the mean held-out
# errors far less than their standard errors. The refit certifies 1e-6.
CV_REL_TOL = 1e-4
# ... or, in the over-fitted tail of a fold path (once the held-out error has risen 5%
# above its smallest value along the path so far), a gap of at most CV_FLOOR times
# half the held-out error of the previous alpha, whichever is looser. With p >> n the
# training objective falls far below the held-out error there: certifying 1e-4 of it
# cost three quarters of the fold paths' time and moved no held-out error that the
# selection compares. 1e-3 selected the same alpha_ and l1_ratio_ as fold paths solved
# to 1e-9 on ten seeded problems (dense p >> n, high-SNR make_regression, CSC,
# diabetes); 1e-2 changed one. Near the selected alpha only CV_REL_TOL applies.
CV_FLOOR = 1e-3


def _grid_path(X, y, sample_weight, alphas, l1_ratio, params, rel_tol, held_out=None):
    """Run :func:`_enet_path` on a grid with the estimator's ``params``.

    The input is validated already; the numbers of epochs are returned too.
    """
    return _enet_path(
        X,
        y,
        l1_ratio=l1_ratio,
        eps=1e-3,
        alphas=alphas,
        coef_init=None,
        verbose=False,
        return_n_iter=True,
        check_input=False,
        sample_weight=sample_weight,
        held_out=held_out,
        rel_tol=rel_tol,
        **params,
    )


def _path_mse(X, y, sample_weight, train, test, alphas, l1_ratio, params):
    """Held-out mean squared error of every alpha of a path fitted on ``train``."""
    sw_train = None if sample_weight is None else sample_weight[train]
    sw_test = None if sample_weight is None else sample_weight[test]
    if sw_test is not None and not sw_test.sum() > 0:
        raise ValueError(
            "sample_weight is zero on every row of a held-out cross-validation fold: "
            "its error cannot be averaged. Drop the zero-weight rows or use other "
            "folds."
        )
    out = _grid_path(
        X[train],
        y[train],
        sw_train,
        alphas,
        l1_ratio,
        params,
        rel_tol=CV_REL_TOL,
        held_out=(X[test], y[test], sw_test, CV_FLOOR),
    )
    return out[-1]


def _fold_se(mse_path):
    """Return the standard error over folds (last axis): std / sqrt(n_folds).

    Computed on the errors divided by their largest value, so that errors near the
    float64 range (their squares would overflow in ``np.std``) keep a finite error.
    """
    n_folds = mse_path.shape[-1]
    if n_folds < 2:
        return np.zeros(mse_path.shape[:-1])
    scale = np.max(np.abs(mse_path), axis=-1, keepdims=True)
    scale[~(scale > 0)] = 1.0
    return (mse_path / scale).std(axis=-1, ddof=1) * scale[..., 0] / np.sqrt(n_folds)


class _BaseCV(LinearModelMixin):
    """Shared ``fit`` of the cross-validated estimators.

    ``path`` is the public path function, as on scikit-learn's estimators; the folds
    run its private form, which also scores each alpha on the held-out part.
    """

    path = staticmethod(enet_path)

    _parameter_constraints: dict = {
        "l1_ratio": [Interval(Real, 0, 1, closed="both"), "array-like"],
        "eps": [Interval(Real, 0, None, closed="neither")],
        "alphas": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "fit_intercept": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "cv": ["cv_object"],
        "verbose": ["verbose"],
        "n_jobs": [Integral, None],
        "positive": ["boolean"],
        "solver": [StrOptions({"auto", "cd", "fista"})],
        "alpha_rule": [StrOptions({"min", "1se"})],
        "precompute": ["boolean", StrOptions({"auto"}), "array-like"],
        "copy_X": ["boolean"],
        "random_state": ["random_state"],
        "selection": [StrOptions({"cyclic", "random"})],
        "penalty_factor": ["array-like", None],
        "lower_bounds": [Real, "array-like", None],
        "upper_bounds": [Real, "array-like", None],
    }

    def _l1_ratios(self) -> np.ndarray:
        l1_ratios = np.atleast_1d(np.asarray(self.l1_ratio, dtype=np.float64))
        if l1_ratios.ndim != 1 or l1_ratios.shape[0] == 0:
            raise ValueError(
                "l1_ratio must be a float or a non-empty 1-D array-like of floats "
                f"in [0, 1], got {self.l1_ratio!r}."
            )
        return l1_ratios

    def _estimator(self, alpha, l1_ratio) -> ElasticNet:
        """Return the model refit on all the data (``l1_ratio=1`` is the lasso)."""
        return ElasticNet(
            alpha=alpha,
            l1_ratio=l1_ratio,
            fit_intercept=self.fit_intercept,
            max_iter=self.max_iter,
            tol=self.tol,
            positive=self.positive,
            solver=self.solver,
            precompute=self.precompute,
            random_state=self.random_state,
            selection=self.selection,
            penalty_factor=self.penalty_factor,
            lower_bounds=self.lower_bounds,
            upper_bounds=self.upper_bounds,
        )

    def get_metadata_routing(self):
        """Get the metadata routing of this object (scikit-learn's).

        ``fit`` routes its extra keyword arguments (e.g. ``groups``) to the ``split``
        method of the cross-validation splitter.

        Returns
        -------
        routing : MetadataRouter
            The routing information.
        """
        return (
            MetadataRouter(owner=self)
            .add_self_request(self)
            .add(
                splitter=check_cv(self.cv),
                method_mapping=MethodMapping().add(caller="fit", callee="split"),
            )
        )

    def _fit_cv(self, X, y, sample_weight, params):
        raise_for_params(params, self, "fit")
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=_ACCEPT_SPARSE,
            dtype=[np.float64, np.float32],
            order="F",
            y_numeric=True,
        )
        if sp.issparse(X):
            X = X.tocsr()  # the folds slice rows; each path converts to CSC
        y = np.asarray(y, dtype=X.dtype)
        sample_weight = check_sample_weight(sample_weight, X, X.dtype)
        l1_ratios = self._l1_ratios()
        if not np.all((l1_ratios >= 0) & (l1_ratios <= 1)):  # NaN fails too
            raise ValueError(
                f"l1_ratio must be floats in [0, 1], got {self.l1_ratio!r}."
            )
        if isinstance(self.alphas, Integral):
            if np.any(l1_ratios == 0):
                raise ValueError(
                    "Automatic alpha grid generation is not supported for "
                    "l1_ratio=0. Please supply a grid by providing your estimator "
                    "with the appropriate `alphas=` argument (alpha_max is infinite "
                    "for ridge)."
                )
            grids = [
                alpha_grid(
                    X,
                    y,
                    l1_ratio=l1,
                    eps=self.eps,
                    n_alphas=int(self.alphas),
                    fit_intercept=self.fit_intercept,
                    sample_weight=sample_weight,
                    positive=self.positive,
                    penalty_factor=self.penalty_factor,
                )
                for l1 in l1_ratios
            ]
        else:
            # scikit-learn's element-wise checks and messages.
            for i, a in enumerate(np.ravel(np.asarray(self.alphas, dtype=object))):
                check_scalar(a, f"alphas[{i}]", target_type=Real, min_val=0.0)
            alphas = np.sort(np.asarray(self.alphas, dtype=np.float64).ravel())[::-1]
            if alphas.shape[0] == 0 or not np.all((alphas >= 0) & (alphas < np.inf)):
                raise ValueError(
                    "alphas must be an int >= 1 or a non-empty array-like of finite "
                    f"non-negative floats, got {self.alphas!r}."
                )
            grids = [alphas] * len(l1_ratios)
        cv = check_cv(self.cv)
        if routing_enabled():
            routed = process_routing(self, "fit", sample_weight=sample_weight, **params)
            split_params = routed.splitter.split
        else:
            split_params = {}
        folds = list(cv.split(X, y, **split_params))
        # "auto" stays "auto" on the fold paths (see enet_path: the lasso homotopy
        # on wide dense data); the refit resolves it as the estimators do.
        solver = self.solver
        params = {
            "fit_intercept": self.fit_intercept,
            "tol": self.tol,
            "max_iter": self.max_iter,
            "positive": self.positive,
            "solver": solver,
            # A Gram matrix of the full data does not apply to a fold's rows.
            "precompute": (
                self.precompute if isinstance(self.precompute, bool | str) else "auto"
            ),
            "rng": _path_options(
                {"random_state": self.random_state, "selection": self.selection}
            ),
            "penalty_factor": self.penalty_factor,
            "lower_bounds": self.lower_bounds,
            "upper_bounds": self.upper_bounds,
        }
        plain = self.penalty_factor is None and (
            self.lower_bounds is None and self.upper_bounds is None
        )
        jobs = (
            delayed(_path_mse)(X, y, sample_weight, train, test, grid, l1, params)
            for l1, grid in zip(l1_ratios, grids, strict=True)
            for train, test in folds
        )
        mses = Parallel(n_jobs=self.n_jobs, verbose=self.verbose, prefer="threads")(
            jobs
        )
        n_folds = len(folds)
        mse_path = np.reshape(mses, (len(l1_ratios), n_folds, -1)).transpose(0, 2, 1)
        mean_mse = mse_path.mean(axis=2)
        i_l1, i_alpha = np.unravel_index(np.argmin(mean_mse), mean_mse.shape)
        best_l1 = float(l1_ratios[i_l1])
        alphas_best = grids[i_l1]
        # glmnet's one-standard-error rule: the largest alpha whose mean CV error is
        # within one standard error (sample std over folds / sqrt(n_folds)) of the
        # minimum, on the curve of the selected l1_ratio.
        cv_se = _fold_se(mse_path)
        se = cv_se[i_l1, i_alpha]
        within = np.flatnonzero(mean_mse[i_l1] <= mean_mse[i_l1, i_alpha] + se)
        self.alpha_min_ = float(alphas_best[i_alpha])
        self.alpha_1se_ = float(alphas_best[within.min()])
        i_refit = int(within.min()) if self.alpha_rule == "1se" else int(i_alpha)
        self.alpha_ = float(alphas_best[i_refit])
        self.l1_ratio_ = best_l1
        self.cv_se_ = cv_se
        if len(l1_ratios) == 1 or not isinstance(self.alphas, Integral):
            # squeezed as scikit-learn does (one grid: given, or one l1_ratio)
            self.mse_path_ = mse_path[0]
            self.alphas_ = grids[0]
            self.cv_se_ = self.cv_se_[0]
        else:
            self.mse_path_ = mse_path
            self.alphas_ = np.asarray(grids)
        if _uses_homotopy(X, best_l1, solver, plain):
            # The lasso on wide dense data: the refit follows the homotopy down the
            # grid to alpha_ on all the data, as the fold paths did (exact points,
            # each certified by the same duality gap as a single fit; a single fit
            # would compile and run coordinate descent on a large support instead).
            _, coefs, gaps, n_iters, *intercepts = _grid_path(
                X,
                y,
                sample_weight,
                alphas_best[: i_refit + 1],
                1.0,
                params,
                rel_tol=DEFAULT_REL_TOL,
            )
            self.coef_ = coefs[:, -1]
            self.intercept_ = float(intercepts[0][-1]) if self.fit_intercept else 0.0
            self.dual_gap_ = float(gaps[-1])
            self.n_iter_ = int(sum(n_iters))
            return self
        model = self._estimator(self.alpha_, best_l1)
        model.fit(X, y, sample_weight=sample_weight)
        self.coef_ = model.coef_
        self.intercept_ = model.intercept_
        self.dual_gap_ = model.dual_gap_
        self.n_iter_ = model.n_iter_
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = False
        return tags


_CV_PARAMETERS = """
    eps : float, default=1e-3
        Length of the automatic path: ``alpha_min / alpha_max = eps``.

    alphas : int or array-like, default=100
        Number of alphas on the automatic grid (computed per ``l1_ratio`` on the
        full data, as scikit-learn does), or the alphas themselves.

    fit_intercept : bool, default=True
        Whether to fit an intercept (each fold centres its own training part).

    max_iter : int, default=1000
        Maximum epochs per alpha.

    tol : float or None, default=None
        Duality-gap tolerance per alpha, as in :class:`ElasticNet`. ``None``
        stops each alpha of the fold paths at a duality gap of at most 1e-4 times
        the objective (the accuracy the CV curve needs) or, in the over-fitted tail
        of the path (held-out error 5% above its minimum so far), 1e-3 times half
        the held-out error of the previous alpha, whichever is larger; the final
        refit certifies a relative suboptimality of 1e-6.

    cv : int, cross-validation generator or iterable, default=None
        Folds, as in scikit-learn (``None`` is 5-fold ``KFold``).

    verbose : bool or int, default=0
        Verbosity of joblib and the solver.

    n_jobs : int, default=None
        Number of (``l1_ratio``, fold) paths fitted in parallel with joblib (threads:
        the compiled kernels release the GIL). ``None`` means 1 unless in a
        ``joblib.parallel_backend`` context, which also selects dask or ray.

    positive : bool, default=False
        Restrict the coefficients to be non-negative.

    precompute : bool, "auto" or array-like, default="auto"
        As in :class:`ElasticNet`: the form of the coordinate-descent epochs on dense
        ``X``, for the fold paths and the refit (a Gram array is checked against the
        full data and used by the refit only, as scikit-learn does).

    copy_X : bool, default=True
        Accepted for scikit-learn compatibility: the cross-validation never
        modifies ``X``.

    random_state : int, RandomState instance or None, default=None
        Seed of the coordinate order when ``selection="random"``.

    selection : {"cyclic", "random"}, default="cyclic"
        Coordinate order, as in :class:`ElasticNet`.

    solver : {"auto", "cd", "fista"}, default="auto"
        Solver used along each path and for the refit (``"auto"``: see
        :func:`skreg.enet_path`; lasso paths on dense data with fewer samples than
        features follow the exact homotopy between grid points, and so does the
        refit, down the grid to ``alpha_``).

    alpha_rule : {"min", "1se"}, default="min"
        Which alpha is refit: ``"min"`` minimises the mean CV error (scikit-learn);
        ``"1se"`` takes glmnet's ``lambda.1se``, the largest alpha whose mean CV
        error is within one standard error of the minimum.

    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature penalty factors, as in :class:`ElasticNet` (glmnet's
        ``penalty.factor``, rescaled to sum to ``n_features``); the automatic grid
        starts at glmnet's ``lambda.max``.

    lower_bounds, upper_bounds : float or array-like of shape (n_features,), \
            default=None
        Box constraints on the coefficients, as in :class:`ElasticNet`.
"""

_CV_ATTRIBUTES = """
    alpha_ : float
        The alpha refit (``alpha_min_`` or ``alpha_1se_`` by ``alpha_rule``).

    alpha_min_ : float
        The alpha minimising the mean CV error.

    alpha_1se_ : float
        The largest alpha whose mean CV error is within one standard error of the
        minimum, on the curve of ``l1_ratio_``. The standard error is the sample
        standard deviation over folds divided by ``sqrt(n_folds)`` (glmnet's).

    coef_ : ndarray of shape (n_features,)
        Coefficients of the refit model.

    intercept_ : float
        Intercept of the refit model.

    mse_path_ : ndarray of shape (n_alphas, n_folds) or (n_l1_ratio, n_alphas, n_folds)
        Held-out mean squared error per alpha and fold.

    cv_se_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
        Standard error of the mean CV error.

    alphas_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
        The grid of alphas.

    dual_gap_ : float
        Duality gap of the refit model.

    n_iter_ : int
        Epochs of the refit model. A lasso on dense data with fewer samples than
        features (``solver="auto"``) is refit by following the homotopy down the
        grid to ``alpha_``, as the fold paths are: its epochs are those of the
        coordinate-descent polishing along that path, summed (often 0: the
        homotopy's points already meet the tolerance).

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit``, when ``X`` has string column names.
"""

_CV_FIT_DOC = """Fit the model on each fold's path, select alpha (and l1_ratio), refit.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.

        y : array-like of shape (n_samples,)
            Target values.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, used in the fits and in the held-out errors.

        **params : dict
            Metadata routed to the splitter's ``split`` (e.g. ``groups`` for
            ``GroupKFold``); only with ``sklearn.set_config(
            enable_metadata_routing=True)``, as in scikit-learn (otherwise
            ``ValueError``).

        Returns
        -------
        self : object
            The fitted estimator.
        """


class ElasticNetCV(_BaseCV, BaseEstimator):
    __doc__ = (
        """Elastic net with ``alpha`` and ``l1_ratio`` chosen by cross-validation.

    Minimises the objective of :class:`ElasticNet` for the selected parameters, after
    fitting one warm-started path per (``l1_ratio``, fold). Parameter and attribute
    names and shapes are scikit-learn's; ``alpha_1se_``, ``alpha_min_``, ``cv_se_``
    and ``alpha_rule`` are added.

    Parameters
    ----------
    l1_ratio : float or array-like of float, default=0.5
        Mix(es) of L1 and L2 to try, in ``[0, 1]``.
"""
        + _CV_PARAMETERS
        + """
    Attributes
    ----------
    l1_ratio_ : float
        The selected ``l1_ratio``.
"""
        + _CV_ATTRIBUTES
        + """
    See Also
    --------
    LassoCV : The case ``l1_ratio=1``.
    sklearn.linear_model.ElasticNetCV : The reference implementation.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from skreg import ElasticNetCV
    >>> X, y = make_regression(n_samples=80, n_features=10, n_informative=3,
    ...                        noise=1.0, random_state=0)
    >>> model = ElasticNetCV(l1_ratio=[0.5, 1.0], alphas=20, cv=3).fit(X, y)
    >>> model.mse_path_.shape, model.alpha_1se_ >= model.alpha_min_
    ((2, 20, 3), True)
    """
    )

    def __init__(
        self,
        *,
        l1_ratio=0.5,
        eps=1e-3,
        alphas=100,
        fit_intercept=True,
        max_iter=1000,
        tol=None,
        cv=None,
        verbose=0,
        n_jobs=None,
        positive=False,
        solver="auto",
        alpha_rule="min",
        precompute="auto",
        copy_X=True,
        random_state=None,
        selection="cyclic",
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
    ):
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive
        self.solver = solver
        self.alpha_rule = alpha_rule
        self.precompute = precompute
        self.copy_X = copy_X
        self.random_state = random_state
        self.selection = selection
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, **params):  # noqa: D102 - set below
        return self._fit_cv(X, y, sample_weight, params)

    fit.__doc__ = _CV_FIT_DOC


class LassoCV(_BaseCV, BaseEstimator):
    __doc__ = (
        """Lasso with ``alpha`` chosen by cross-validation.

    :class:`ElasticNetCV` with ``l1_ratio=1``.

    Parameters
    ----------"""
        + _CV_PARAMETERS
        + """
    Attributes
    ----------"""
        + _CV_ATTRIBUTES
        + """
    See Also
    --------
    ElasticNetCV : Adds an L2 term and a search over ``l1_ratio``.
    sklearn.linear_model.LassoCV : The reference implementation.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from skreg import LassoCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = LassoCV(cv=5).fit(X, y)
    >>> bool(0 < model.alpha_ < model.alphas_[0])
    True
    """
    )

    _parameter_constraints: dict = {
        k: v for k, v in _BaseCV._parameter_constraints.items() if k != "l1_ratio"
    }

    def __init__(
        self,
        *,
        eps=1e-3,
        alphas=100,
        fit_intercept=True,
        max_iter=1000,
        tol=None,
        cv=None,
        verbose=0,
        n_jobs=None,
        positive=False,
        solver="auto",
        alpha_rule="min",
        precompute="auto",
        copy_X=True,
        random_state=None,
        selection="cyclic",
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
    ):
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive
        self.solver = solver
        self.alpha_rule = alpha_rule
        self.precompute = precompute
        self.copy_X = copy_X
        self.random_state = random_state
        self.selection = selection
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    def _l1_ratios(self) -> np.ndarray:
        return np.ones(1)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, **params):  # noqa: D102 - set below
        return self._fit_cv(X, y, sample_weight, params)

    fit.__doc__ = _CV_FIT_DOC
