"""Relaxed lasso and elastic net with ``alpha`` and ``gamma`` chosen by CV.

glmnet's ``cv.glmnet(relax=TRUE)``: each (``l1_ratio``, fold) job fits the penalised
path on the training part, refits the unpenalised least squares on each support along
it (:func:`skreg.relaxed_path`'s machinery) and scores every blend ``gamma`` on the
held-out part, so that ``alpha`` and ``gamma`` are selected on the same folds. The
data checks, grids, folds and path settings are those of :class:`skreg.ElasticNetCV`.
"""

from __future__ import annotations

from numbers import Real

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator

from skreg._relaxed_path import (
    GLMNET_GAMMAS,
    _support_least_squares,
    blend,
    check_gammas,
    predict_path,
)
from skreg.linear_model._cv import (
    _CV_FIT_DOC,
    _CV_PARAMETERS,
    CV_REL_TOL,
    _BaseCV,
    _fold_se,
    _fold_weights,
    _grid_path,
)
from skreg.utils._validation import Interval, _fit_context


def _relaxed_path_mse(X, y, sample_weight, train, test, alphas, l1_ratio, params, g):
    """Held-out mean squared errors, shape (n_gammas, n_alphas), of one fold.

    The penalised path is certified to ``CV_REL_TOL`` (as the fold paths of
    :class:`skreg.ElasticNetCV`, without their held-out floor: the least-squares
    refits depend on the supports of the whole path, not only near the minimum).
    """
    sw_train, sw_test = _fold_weights(sample_weight, train, test)
    fit_intercept = params["fit_intercept"]
    _, coefs, _, _, *intercepts = _grid_path(
        X[train], y[train], sw_train, alphas, l1_ratio, params, rel_tol=CV_REL_TOL
    )
    intercepts = intercepts[0] if fit_intercept else np.zeros(alphas.shape[0])
    ols, ols_b, _ = _support_least_squares(
        X[train], y[train], coefs, sw_train, fit_intercept
    )
    # Predictions are linear in the coefficients: blend the two predictions.
    pred = predict_path(X[test], coefs, intercepts)
    pred_ols = predict_path(X[test], ols, ols_b)
    y_test = np.asarray(y[test], dtype=np.float64)[:, None]
    out = np.empty((g.shape[0], alphas.shape[0]))
    for i, gamma in enumerate(g):
        sq = (gamma * pred + (1.0 - gamma) * pred_ols - y_test) ** 2
        out[i] = np.average(sq, axis=0, weights=sw_test)
    return out


def _relaxed_choice(mask):
    """glmnet's tie-break among the (gamma, alpha) cells of ``mask``.

    The largest alpha (first column: the grid decreases), then the largest gamma
    (last row: the gammas increase), as ``getOptcv.relaxed`` orders them. Returns
    ``(i_gamma, i_alpha)``.
    """
    i_alpha = int(np.flatnonzero(mask.any(axis=0))[0])
    i_gamma = int(np.flatnonzero(mask[:, i_alpha])[-1])
    return i_gamma, i_alpha


class _RelaxedCV(_BaseCV):
    """Shared ``fit`` and ``predict_path`` of the relaxed CV estimators."""

    _parameter_constraints: dict = {
        **{k: v for k, v in _BaseCV._parameter_constraints.items() if k != "store_path"},
        "gamma": [Interval(Real, 0, 1, closed="both"), "array-like"],
    }

    def _fit_relaxed(self, X, y, sample_weight, params):
        gammas = np.unique(check_gammas(self.gamma, "gamma"))  # sorted increasing
        X, y, sample_weight, l1_ratios, grids, folds, params = self._cv_setup(
            X, y, sample_weight, params
        )
        jobs = (
            delayed(_relaxed_path_mse)(
                X, y, sample_weight, train, test, grid, l1, params, gammas
            )
            for l1, grid in zip(l1_ratios, grids, strict=True)
            for train, test in folds
        )
        mses = Parallel(n_jobs=self.n_jobs, verbose=self.verbose, prefer="threads")(
            jobs
        )
        n_l1, n_folds, n_gammas = len(l1_ratios), len(folds), gammas.shape[0]
        # (n_l1, n_folds, n_gammas, n_alphas) -> (n_l1, n_gammas, n_alphas, n_folds)
        mse_path = np.reshape(mses, (n_l1, n_folds, n_gammas, -1)).transpose(0, 2, 3, 1)
        mean_mse = mse_path.mean(axis=-1)
        cv_se = _fold_se(mse_path)
        i_l1 = int(np.argmin(mean_mse.reshape(n_l1, -1).min(axis=1)))
        mean, se = mean_mse[i_l1], cv_se[i_l1]
        # glmnet's relaxed rules (getOptcv.relaxed): the minimum over the (gamma,
        # alpha) grid; the 1se choice among all cells within one standard error of
        # it (the minimum's), both with the largest alpha, then gamma, on ties.
        g_min, a_min = _relaxed_choice(mean <= mean.min())
        g_1se, a_1se = _relaxed_choice(mean <= mean[g_min, a_min] + se[g_min, a_min])
        alphas = grids[i_l1]
        self.l1_ratio_ = float(l1_ratios[i_l1])
        self.gammas_ = gammas
        self.alpha_min_, self.gamma_min_ = float(alphas[a_min]), float(gammas[g_min])
        self.alpha_1se_, self.gamma_1se_ = float(alphas[a_1se]), float(gammas[g_1se])
        i_gamma, i_alpha = (g_1se, a_1se) if self.alpha_rule == "1se" else (g_min, a_min)
        self.alpha_, self.gamma_ = float(alphas[i_alpha]), float(gammas[i_gamma])
        squeeze = n_l1 == 1
        self.mse_path_ = mse_path[0] if squeeze else mse_path
        self.cv_se_ = cv_se[0] if squeeze else cv_se
        self.alphas_ = alphas if squeeze else np.asarray(grids)
        # The penalised path on all the data (glmnet fits it too), its least squares
        # on each support, and the selected blend.
        coefs, intercepts = self._refit_path(
            X, y, sample_weight, alphas, self.l1_ratio_, params, i_alpha, store=True
        )
        ols, ols_b, _ = _support_least_squares(
            X, y, coefs, sample_weight, self.fit_intercept
        )
        self.relaxed_coef_path_, self.relaxed_intercept_path_ = ols, ols_b
        coef, intercept = blend(
            [self.gamma_],
            coefs[:, i_alpha : i_alpha + 1],
            intercepts[i_alpha : i_alpha + 1],
            ols[:, i_alpha : i_alpha + 1],
            ols_b[i_alpha : i_alpha + 1],
        )
        self.coef_ = coef[0, :, 0].astype(X.dtype)
        self.intercept_ = float(intercept[0, 0]) if self.fit_intercept else 0.0
        return self

    def predict_path(self, X, alphas=None, gamma=None):
        """Predict with every alpha of the relaxed path at one ``gamma``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        alphas : array-like of shape (n_at,), default=None
            Predict at these alphas instead of the grid ``alphas_``: coefficients
            interpolated linearly in alpha between neighbouring grid points,
            clamped to the grid's range (glmnet's ``exact=FALSE``).

        gamma : float, default=None
            Blend in ``[0, 1]`` (``None``: ``gamma_``); any value, not only those of
            the CV grid.

        Returns
        -------
        y_pred : ndarray of shape (n_samples, n_alphas) or (n_samples, n_at)
            One column per alpha of the grid (decreasing), or per given alpha.
        """
        coefs, intercepts = self._stored_path()
        g = self.gamma_ if gamma is None else gamma
        g = check_gammas(g, "gamma")
        if g.shape[0] != 1:
            raise ValueError(f"gamma must be a single float in [0, 1], got {gamma!r}.")
        coefs, intercepts = blend(
            g, coefs, intercepts, self.relaxed_coef_path_, self.relaxed_intercept_path_
        )
        return self._predict_path(X, alphas, coefs[0], intercepts[0])


_GAMMA_PARAMETER = """
    gamma : float or array-like of float, default=(0, 0.25, 0.5, 0.75, 1)
        Blends tried, in ``[0, 1]``: ``1`` is the penalised fit, ``0`` the
        unpenalised least squares on its support (cv.glmnet's default grid; sorted
        and deduplicated).
"""

_RELAXED_ATTRIBUTES = """
    alpha_ : float
        The alpha of the final model (``alpha_min_`` or ``alpha_1se_`` by
        ``alpha_rule``).

    gamma_ : float
        The gamma of the final model (``gamma_min_`` or ``gamma_1se_``).

    alpha_min_, gamma_min_ : float
        The cell of the (gamma, alpha) grid minimising the mean CV error (ties: the
        largest alpha, then the largest gamma; glmnet's ``lambda.min``,
        ``gamma.min``).

    alpha_1se_, gamma_1se_ : float
        glmnet's relaxed one-standard-error choice: among all cells whose mean CV
        error is within one standard error (that of the minimum) of the minimum,
        the largest alpha, then the largest gamma.

    gammas_ : ndarray of shape (n_gammas,)
        The gammas tried (increasing).

    l1_ratio_ : float
        The ``l1_ratio`` of the final model.

    coef_ : ndarray of shape (n_features,)
        Coefficients of the final model, ``gamma_`` times the penalised fit at
        ``alpha_`` plus ``1 - gamma_`` times the least squares on its support.

    intercept_ : float
        Its intercept.

    mse_path_ : ndarray of shape (n_gammas, n_alphas, n_folds) or \
(n_l1_ratio, n_gammas, n_alphas, n_folds)
        Held-out mean squared error per gamma, alpha and fold (the second form
        with several ``l1_ratio``).

    cv_se_ : ndarray of shape (n_gammas, n_alphas) or (n_l1_ratio, n_gammas, \
n_alphas)
        Standard error of the mean CV error (sample standard deviation over folds
        divided by ``sqrt(n_folds)``, glmnet's).

    alphas_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
        The grid(s) of alphas.

    coef_path_ : ndarray of shape (n_features, n_alphas)
        The penalised path on all the data (``l1_ratio_``, its grid).

    intercept_path_ : ndarray of shape (n_alphas,)
        Its intercepts.

    relaxed_coef_path_ : ndarray of shape (n_features, n_alphas)
        Least squares on each support of ``coef_path_`` (``gamma = 0``; minimum
        norm when the support's columns are collinear or outnumber the samples).

    relaxed_intercept_path_ : ndarray of shape (n_alphas,)
        Their intercepts.

    dual_gap_ : float
        Duality gap of the penalised fit at ``alpha_``.

    n_iter_ : int
        Epochs of the penalised path on all the data down to ``alpha_``.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit``, when ``X`` has string column names.
"""

_RELAXED_NOTES = """
    Notes
    -----
    The penalised path is fitted on all the data over the whole grid (as glmnet
    does; about ``1 / n_folds`` of the CV cost), which gives ``predict_path`` and
    ``coef_`` (its point at ``alpha_``, certified as a single fit). The fold paths
    are certified to a relative suboptimality of 1e-4 (``tol=None``; see
    :class:`ElasticNetCV`), without ElasticNetCV's looser floor in the over-fitted
    tail: every support of the path is refitted. Each distinct support is refitted
    once (``numpy.linalg.lstsq``, minimum norm when singular). glmnet differs on
    supports with more than ``n_samples - 3`` features (it skips them) and clamps
    ``gamma`` to at least 1e-5 in ``coef``/``predict``.
"""


class RelaxedElasticNetCV(_RelaxedCV, BaseEstimator):
    __doc__ = (
        """Relaxed elastic net with ``alpha``, ``gamma`` (and ``l1_ratio``) chosen by CV.

    glmnet's ``cv.glmnet(relax=TRUE)`` (Meinshausen 2007): the coefficients are

    .. math::

        w_\\gamma(\\alpha) = \\gamma\\, w(\\alpha) + (1 - \\gamma)\\,
        \\hat w^{\\text{OLS}}_{S(\\alpha)},

    where ``w(alpha)`` minimises the objective of :class:`ElasticNet` and
    ``S(alpha)`` is its support, refitted by unpenalised least squares (with the
    intercept and the sample weights). ``alpha`` and ``gamma`` are selected on the
    same folds.

    Parameters
    ----------
    l1_ratio : float or array-like of float, default=1.0
        Mix(es) of L1 and L2 of the penalised fit, in ``(0, 1]`` for the automatic
        grid (``1``: the relaxed lasso).
"""
        + _GAMMA_PARAMETER
        + _CV_PARAMETERS
        + """
    Attributes
    ----------"""
        + _RELAXED_ATTRIBUTES
        + """
    See Also
    --------
    RelaxedLassoCV : The case ``l1_ratio=1``.
    skreg.linear_model.relaxed_path : The relaxed path itself.
    ElasticNetCV : Without the relaxation (``gamma = 1``).
"""
        + _RELAXED_NOTES
        + """
    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from skreg import RelaxedElasticNetCV
    >>> X, y = make_regression(n_samples=80, n_features=10, n_informative=3,
    ...                        noise=1.0, random_state=0)
    >>> model = RelaxedElasticNetCV(l1_ratio=[0.5, 1.0], alphas=20, cv=3).fit(X, y)
    >>> model.mse_path_.shape, model.predict_path(X[:4]).shape
    ((2, 5, 20, 3), (4, 20))
    """
    )

    def __init__(
        self,
        *,
        l1_ratio=1.0,
        gamma=GLMNET_GAMMAS,
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
    ):
        self.l1_ratio = l1_ratio
        self.gamma = gamma
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

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, **params):  # noqa: D102 - set below
        return self._fit_relaxed(X, y, sample_weight, params)

    fit.__doc__ = _CV_FIT_DOC


class RelaxedLassoCV(_RelaxedCV, BaseEstimator):
    __doc__ = (
        """Relaxed lasso with ``alpha`` and ``gamma`` chosen by cross-validation.

    :class:`RelaxedElasticNetCV` with ``l1_ratio=1``: glmnet's
    ``cv.glmnet(relax=TRUE)``.

    Parameters
    ----------"""
        + _GAMMA_PARAMETER
        + _CV_PARAMETERS
        + """
    Attributes
    ----------"""
        + _RELAXED_ATTRIBUTES
        + """
    See Also
    --------
    RelaxedElasticNetCV : Adds an L2 term.
    LassoCV : Without the relaxation (``gamma = 1``).
"""
        + _RELAXED_NOTES
        + """
    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from skreg import RelaxedLassoCV
    >>> X, y = make_regression(n_samples=100, n_features=20, n_informative=4,
    ...                        noise=1.0, random_state=0)
    >>> model = RelaxedLassoCV(cv=5).fit(X, y)
    >>> model.mse_path_.shape
    (5, 100, 5)
    >>> bool(model.alpha_1se_ >= model.alpha_min_)
    True
    """
    )

    _parameter_constraints: dict = {
        k: v for k, v in _RelaxedCV._parameter_constraints.items() if k != "l1_ratio"
    }

    def __init__(
        self,
        *,
        gamma=GLMNET_GAMMAS,
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
    ):
        self.gamma = gamma
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

    def _l1_ratios(self) -> np.ndarray:
        return np.ones(1)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, **params):  # noqa: D102 - set below
        return self._fit_relaxed(X, y, sample_weight, params)

    fit.__doc__ = _CV_FIT_DOC
