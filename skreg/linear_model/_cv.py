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

from skreg import penalties
from skreg._fold_stats import fold_stats, polish_on_gram, take_rows
from skreg._path import (
    HeldOut,
    _enet_path,
    _path_options,
    _solve_point,
    _uses_homotopy,
    alpha_grid,
    decreasing_alphas,
    enet_path,
    uses_gram_path,
)
from skreg._relaxed_path import GLMNET_GAMMAS, predict_path, relaxed_held_out_mse
from skreg.datafits import DEFAULT_REL_TOL, QuadraticData
from skreg.linear_model._base import _ACCEPT_SPARSE, LinearModelMixin, set_fitted
from skreg.linear_model._coordinate import ElasticNet
from skreg.linear_model._relaxed import (
    _RELAX_ATTRIBUTES,
    _RELAX_PARAMETERS,
    RelaxedCVMixin,
)
from skreg.solvers import resolve_solver
from skreg.solvers.cd import _SMALL
from skreg.utils._validation import (
    Integral,
    Interval,
    MetadataRouter,
    MethodMapping,
    StrOptions,
    _fit_context,
    check_is_fitted,
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
# diabetes); 1e-2 changed one. Near the selected alpha only CV_REL_TOL applies. Fold
# paths on the fold statistics have no floor (see _fold_mses).
CV_FLOOR = 1e-3
# Sparse data take the fold statistics (one dense float64 copy) up to this many
# entries (32 MB): on tall sparse folds the covariance form saves what it saves on
# dense ones.
_SPARSE_FOLD_CELLS = 4_000_000


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


def _fold_mses(
    X, y, sample_weight, train, test, runs, params, gammas, fold=None, floor=CV_FLOOR
):
    """Held-out mean squared errors of paths fitted on the rows ``train``.

    One path per ``(alphas, l1_ratio)`` of ``runs``, all on one copy of the training
    rows; each gives the error of every alpha, shape (n_alphas,). With ``gammas``
    (``relax=True``), that of every relaxed blend instead, shape (n_gammas,
    n_alphas): the path is then certified to ``CV_REL_TOL`` throughout, without the
    held-out floor (the least-squares refits use every support of it). ``fold``
    (:class:`skreg._fold_stats.FoldStats`, not with ``gammas``) gives the training
    rows' Gram matrix and scores the held-out rows from their statistics.
    ``floor`` is the held-out floor of the other fold paths (:data:`CV_FLOOR`).
    """
    sw_train = None if sample_weight is None else sample_weight[train]
    sw_test = None if sample_weight is None else sample_weight[test]
    if sw_test is not None and not sw_test.sum() > 0:
        raise ValueError(
            "sample_weight is zero on every row of a held-out cross-validation fold: "
            "its error cannot be averaged. Drop the zero-weight rows or use other "
            "folds."
        )
    if gammas is not None:
        held_out = None
    elif fold is None:
        held_out = HeldOut(X[test], y[test], sw_test, floor)
    else:
        # No held-out floor on the compiled fold paths: their points cost a few
        # epochs and an exact step, and the floor's gap bounds the fit on the
        # training rows only. On small folds (sm_copper_deg2: 20 training rows, 20
        # features) held-out errors at the floor were up to 3 times a tight
        # solve's and moved alpha_; certified to CV_REL_TOL and polished, they
        # agree with it to 1e-2 (docs/benchmarks.md, cross-validation).
        held_out = HeldOut(None, None, None, 0.0, stats=fold)
    X_train, y_train = take_rows(X, train), y[train]
    fit_intercept = params["fit_intercept"]
    params = dict(params, fold=fold)
    mses = []
    for alphas, l1_ratio in runs:
        out = _grid_path(
            X_train,
            y_train,
            sw_train,
            alphas,
            l1_ratio,
            params,
            rel_tol=CV_REL_TOL,
            held_out=held_out,
        )
        if gammas is None:
            mses.append(out[-1])
            continue
        intercepts = out[-1] if fit_intercept else None
        train_data = (X_train, y_train, sw_train, fit_intercept)
        test_data = (X[test], y[test], sw_test)
        mses.append(
            relaxed_held_out_mse(train_data, test_data, out[1], intercepts, gammas)
        )
    return mses


def _cv_mse_path(
    X, y, sample_weight, folds, runs, params, gammas, stats, *, n_jobs=None,
    verbose=0, floor=CV_FLOOR,
):  # fmt: skip
    """Return the held-out errors of every fold, folds last.

    Shape ``(n_l1_ratio, [n_gammas,] n_alphas, n_folds)``: one :func:`_fold_mses`
    job per fold (``stats``: its :class:`skreg._fold_stats.FoldStats` or ``None``),
    on ``n_jobs`` threads; ``floor`` is the held-out floor (:data:`CV_FLOOR`).
    """
    jobs = (
        delayed(_fold_mses)(
            X, y, sample_weight, train, test, runs, params, gammas, st, floor
        )
        for (train, test), st in zip(folds, stats, strict=True)
    )
    mses = Parallel(n_jobs=n_jobs, verbose=verbose, prefer="threads")(jobs)
    return np.moveaxis(np.asarray(mses), 0, -1)


def _fold_gram_path(n_train, n_features, n_alphas, params) -> bool:
    """Tell whether a fold path runs in covariance form on the fold statistics.

    Tall folds always do, as any tall path; at the default ``tol=None`` (the
    certified relative gap of :data:`CV_REL_TOL`) all folds of at most
    ``_GRAM_PATH_FEATURES`` features do too. A numeric ``tol`` can ask for an
    absolute gap below what the covariance form resolves on such folds: they keep
    the residual.
    """
    if uses_gram_path(n_train, n_features, n_alphas):
        return True
    return params["tol"] is None and uses_gram_path(
        n_train, n_features, n_alphas, fold=True
    )


def _fold_statistics(X, y, sample_weight, folds, grids, params):
    """:func:`skreg._fold_stats.fold_stats` where the fold paths use a Gram matrix.

    That is tall data (:func:`skreg._path.uses_gram_path`), dense or sparse with a
    dense copy of at most ``_SPARSE_FOLD_CELLS`` entries, split into complementary
    training and held-out parts; ``None`` entries otherwise.
    """
    n, n_alphas = X.shape[0], min(map(len, grids))
    eligible = (
        (not sp.issparse(X) or X.shape[0] * X.shape[1] <= _SPARSE_FOLD_CELLS)
        and params["precompute"] is not False
        and params["rng"] is None
        and params["solver"] in ("auto", "cd")
        and all(
            train.shape[0] + test.shape[0] == n
            and _fold_gram_path(train.shape[0], X.shape[1], n_alphas, params)
            for train, test in folds
        )
    )
    if eligible and sample_weight is not None:
        # A part without weight has no mean: the plain path raises its clear error.
        eligible = all(
            sample_weight[train].sum() > 0 and sample_weight[test].sum() > 0
            for train, test in folds
        )
    if eligible:
        seen = np.zeros(n, dtype=np.int64)
        for train, test in folds:
            seen[:] = 0
            np.add.at(seen, train, 1)
            np.add.at(seen, test, 1)
            if not np.all(seen == 1):
                eligible = False
                break
    if not eligible:
        return [None] * len(folds)
    return fold_stats(X, y, sample_weight, params["fit_intercept"], folds)


def check_l1_ratios(l1_ratio) -> np.ndarray:
    """Validate a CV estimator's ``l1_ratio`` (float or list) before any fit.

    Returns a non-empty 1-D float64 array of values in [0, 1]; raises ``ValueError``
    naming ``l1_ratio`` otherwise (NaN included).
    """
    l1_ratios = np.atleast_1d(np.asarray(l1_ratio, dtype=np.float64))
    if l1_ratios.ndim != 1 or l1_ratios.shape[0] == 0:
        raise ValueError(
            "l1_ratio must be a float or a non-empty 1-D array-like of floats "
            f"in [0, 1], got {l1_ratio!r}."
        )
    if not np.all((l1_ratios >= 0) & (l1_ratios <= 1)):  # NaN fails too
        raise ValueError(f"l1_ratio must be floats in [0, 1], got {l1_ratio!r}.")
    return l1_ratios


def check_alpha_grid(alphas) -> np.ndarray:
    """Validate an explicit grid ``alphas``; return it sorted, largest first.

    scikit-learn's element-wise checks and messages (``alphas[i]``), then a
    non-empty grid of finite non-negative floats.
    """
    for i, a in enumerate(np.ravel(np.asarray(alphas, dtype=object))):
        check_scalar(a, f"alphas[{i}]", target_type=Real, min_val=0.0)
    grid = decreasing_alphas(alphas)
    if grid.shape[0] == 0 or not np.all((grid >= 0) & (grid < np.inf)):
        raise ValueError(
            "alphas must be an int >= 1 or a non-empty array-like of finite "
            f"non-negative floats, got {alphas!r}."
        )
    return grid


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


# Attributes of a stored or relaxed path, removed before each fit: a path stored by
# an earlier fit does not describe the new one.
_PATH_STATE = (
    "coef_path_",
    "intercept_path_",
    "relaxed_coef_path_",
    "relaxed_intercept_path_",
    "gamma_",
    "gamma_min_",
    "gamma_1se_",
    "gammas_",
)


class _BaseCV(RelaxedCVMixin, LinearModelMixin):
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
        "store_path": ["boolean"],
        "relax": ["boolean"],
        "gamma": [Interval(Real, 0, 1, closed="both"), "array-like"],
        "penalty_factor": ["array-like", None],
        "lower_bounds": [Real, "array-like", None],
        "upper_bounds": [Real, "array-like", None],
    }

    def _l1_ratios(self) -> np.ndarray:
        return check_l1_ratios(self.l1_ratio)

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

    def _cv_setup(self, X, y, sample_weight, params):
        """Validate the data, build the grids and the folds of a CV fit.

        Returns ``(X, y, sample_weight, l1_ratios, grids, folds, path_params)``:
        ``grids[i]`` is the alpha grid of ``l1_ratios[i]``; ``path_params`` the
        keyword arguments of the fold paths (see :func:`_grid_path`).
        """
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
            grids = [check_alpha_grid(self.alphas)] * len(l1_ratios)
        cv = check_cv(self.cv)
        if routing_enabled():
            routed = process_routing(self, "fit", sample_weight=sample_weight, **params)
            split_params = routed.splitter.split
        else:
            split_params = {}
        folds = list(cv.split(X, y, **split_params))
        # "auto" stays "auto" on the fold paths (see enet_path: the lasso homotopy
        # on wide dense data); the refit resolves it as the estimators do.
        params = {
            "fit_intercept": self.fit_intercept,
            "tol": self.tol,
            "max_iter": self.max_iter,
            "positive": self.positive,
            "solver": self.solver,
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
        return X, y, sample_weight, l1_ratios, grids, folds, params

    def _fit_cv(self, X, y, sample_weight, params):
        X, y, sample_weight, l1_ratios, grids, folds, params = self._cv_setup(
            X, y, sample_weight, params
        )
        for name in _PATH_STATE:
            self.__dict__.pop(name, None)
        gammas = self._gammas()
        if gammas is None:
            stats = _fold_statistics(X, y, sample_weight, folds, grids, params)
        else:
            stats = [None] * len(folds)
        # One job per fold: its paths (one per l1_ratio) share one copy of its rows.
        runs = list(zip(grids, l1_ratios, strict=True))
        mse_path = _cv_mse_path(
            X, y, sample_weight, folds, runs, params, gammas, stats,
            n_jobs=self.n_jobs, verbose=self.verbose,
        )  # fmt: skip
        cv_se = _fold_se(mse_path)
        if gammas is not None:
            return self._fit_relaxed(
                X, y, sample_weight, l1_ratios, grids, params, mse_path, cv_se
            )
        mean_mse = mse_path.mean(axis=2)
        i_l1, i_alpha = np.unravel_index(np.argmin(mean_mse), mean_mse.shape)
        best_l1 = float(l1_ratios[i_l1])
        alphas_best = grids[i_l1]
        # glmnet's one-standard-error rule: the largest alpha whose mean CV error is
        # within one standard error (sample std over folds / sqrt(n_folds)) of the
        # minimum, on the curve of the selected l1_ratio.
        se = cv_se[i_l1, i_alpha]
        within = np.flatnonzero(mean_mse[i_l1] <= mean_mse[i_l1, i_alpha] + se)
        self.alpha_min_ = float(alphas_best[i_alpha])
        self.alpha_1se_ = float(alphas_best[within.min()])
        i_refit = int(within.min()) if self.alpha_rule == "1se" else int(i_alpha)
        self.alpha_ = float(alphas_best[i_refit])
        self.l1_ratio_ = best_l1
        self.cv_se_ = cv_se
        # Shapes as scikit-learn's: the l1_ratio axis squeezed when there is one
        # l1_ratio; one alpha grid when it is given (shared by the l1_ratios).
        if len(l1_ratios) == 1:
            self.mse_path_ = mse_path[0]
            self.cv_se_ = self.cv_se_[0]
        else:
            self.mse_path_ = mse_path
        if len(l1_ratios) == 1 or not isinstance(self.alphas, Integral):
            self.alphas_ = grids[0]
        else:
            self.alphas_ = np.asarray(grids)
        if self.store_path or _uses_homotopy(X, best_l1, self.solver, self._plain()):
            # store_path: predict_path needs the whole path on all the data; the
            # refit is its point at alpha_. The lasso on wide dense data: the refit
            # follows the homotopy down the grid to alpha_ on all the data, as the
            # fold paths did (exact points, each certified by the same duality gap
            # as a single fit; a single fit would compile and run coordinate
            # descent on a large support instead).
            if self.store_path:
                grid, at = alphas_best, i_refit
            else:
                # The homotopy goes from the grid's first point to alpha_ in one
                # advance (event to event), without certifying the points between.
                grid, at = alphas_best[np.unique([0, i_refit])], min(i_refit, 1)
            self._refit_path(
                X, y, sample_weight, grid, best_l1, params, at, self.store_path
            )
            return self
        model = self._estimator(self.alpha_, best_l1)
        if stats[0] is not None and self._refits_on_gram(X, best_l1):
            self._refit_on_gram(X, y, sample_weight, stats[0].full_gram, model)
            return self
        model.fit(X, y, sample_weight=sample_weight)
        set_fitted(self, model.coef_, model.intercept_, model.n_iter_, model.dual_gap_)
        return self

    def _refits_on_gram(self, X, l1_ratio) -> bool:
        """Tell whether the refit runs in covariance form on the folds' statistics.

        Where the folds had them (:func:`_fold_statistics`), the Gram matrix of all
        the rows comes with them: a plain elastic net (not the ridge, which the
        estimator solves directly) on float64 data then needs no pass over ``X``
        per epoch. With at most ``_SMALL`` features the estimator's own fit runs in
        covariance form already (the refit is then exactly ``ElasticNet``'s); with
        more it runs working sets on ``X``, whose epochs on tall correlated data
        cost 10-250 ms at the selected alpha (``sm_randhie_deg2``: 480 epochs, most
        of the CV's time; 1 000 epochs without converging on 2 000 x 40 nearly
        collinear columns).
        """
        return (
            X.dtype == np.float64
            and X.shape[1] > _SMALL
            and l1_ratio > 0
            and self._plain()
            and not self.verbose
            and resolve_solver(self.solver) == "cd"
        )

    def _refit_on_gram(self, X, y, sample_weight, full_gram, model) -> None:
        """Fit ``model``'s problem on all the data from their Gram triple ``full_gram``.

        The small-problem solver of :func:`skreg.solvers.cd.solve_cd` (compiled
        covariance-form epochs, exact steps on the support between phases, the gap
        certified from the residual where the covariance form cannot resolve it),
        with the estimator's ``tol`` and convergence warning; sets the fitted
        attributes as ``model.fit`` would.
        """
        data = QuadraticData(
            X, np.ascontiguousarray(y), sample_weight, self.fit_intercept
        )
        data.use_gram(*full_gram)
        penalty = penalties.ElasticNet(
            model.alpha, model.l1_ratio, positive=self.positive
        )
        w = np.zeros(X.shape[1], dtype=X.dtype)
        result = _solve_point(
            data,
            penalty,
            w,
            solver="cd",
            max_iter=self.max_iter,
            tol=self.tol,
            rel_tol=DEFAULT_REL_TOL,
            verbose=False,
            options={"gram": True, "compiled_below": X.shape[1]},
            message=model._convergence_message,
            stacklevel=4,
        )
        gap = result.dual_gap
        if result.converged:
            # A single fit polishes its converged point (the exact step on the
            # support, where that is cheap): so does this one.
            polished = polish_on_gram(data, penalty, w, self.tol, DEFAULT_REL_TOL)
            gap = gap if polished is None else polished
        intercept = X.dtype.type(data.intercept(w)) if self.fit_intercept else 0.0
        set_fitted(self, w, intercept, result.n_iter, gap)

    def _refit_path(
        self, X, y, sample_weight, alphas, l1_ratio, params, i_refit, store
    ):
        """Fit the path on all the data over ``alphas``; refit = its point ``i_refit``.

        Sets ``coef_``, ``intercept_``, ``dual_gap_`` and ``n_iter_`` (the epochs
        down to ``i_refit``); with ``store`` also ``coef_path_`` and
        ``intercept_path_``. Returns ``(coefs, intercepts)`` of the whole path.
        """
        _, coefs, gaps, n_iters, *intercepts = _grid_path(
            X, y, sample_weight, alphas, l1_ratio, params, rel_tol=DEFAULT_REL_TOL
        )
        intercepts = intercepts[0] if intercepts else np.zeros(alphas.shape[0])
        intercept = float(intercepts[i_refit]) if self.fit_intercept else 0.0
        n_iter = int(sum(n_iters[: i_refit + 1]))
        set_fitted(self, coefs[:, i_refit], intercept, n_iter, float(gaps[i_refit]))
        if store:
            self.coef_path_, self.intercept_path_ = coefs, intercepts
        return coefs, intercepts

    def _path_point_alphas(self) -> np.ndarray:
        """Return the grid of the stored path (that of ``l1_ratio_``)."""
        alphas = np.asarray(self.alphas_)
        if alphas.ndim == 1:
            return alphas
        return alphas[int(np.flatnonzero(self._l1_ratios() == self.l1_ratio_)[0])]

    def _stored_path(self):
        """Coefficients and intercepts of the stored path (``predict_path``)."""
        check_is_fitted(self)
        if not hasattr(self, "coef_path_"):
            raise AttributeError(
                "predict_path needs the path on all the data: fit with "
                "store_path=True (or relax=True)."
            )
        return self.coef_path_, self.intercept_path_

    def _predict_path(self, X, alphas, coefs, intercepts):
        """:func:`predict_path` on validated ``X`` over the grid of ``l1_ratio_``."""
        X = validate_data(
            self,
            X,
            accept_sparse=_ACCEPT_SPARSE,
            dtype=[np.float64, np.float32],
            reset=False,
        )
        return predict_path(
            X, coefs, intercepts, path_alphas=self._path_point_alphas(), alphas=alphas
        )

    def predict_path(self, X, alphas=None, gamma=None):
        """Predict with every alpha of the path: glmnet's ``predict(fit, s=)``.

        The path is the one fitted on all the data for ``l1_ratio_`` over the grid
        ``alphas_`` (needs ``store_path=True`` or ``relax=True``).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        alphas : array-like of shape (n_at,), default=None
            Predict at these alphas instead: coefficients interpolated linearly in
            alpha between neighbouring grid points, clamped to the grid's range
            (glmnet's ``exact=FALSE``).

        gamma : float, default=None
            With ``relax=True``: the blend in ``[0, 1]`` of the relaxed path
            (``None``: ``gamma_``; any value, not only those of the CV grid).
            Without relaxation only ``None`` is allowed.

        Returns
        -------
        y_pred : ndarray of shape (n_samples, n_alphas) or (n_samples, n_at)
            One column per alpha of the grid (decreasing), or per given alpha.
        """
        return self._predict_path(X, alphas, *self._blended_path(gamma))

    def _plain(self) -> bool:
        """Tell whether the penalty has no factors and no bounds."""
        return self.penalty_factor is None and (
            self.lower_bounds is None and self.upper_bounds is None
        )

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

_STORE_PATH_PARAMETER = """
    store_path : bool, default=False
        Also fit the whole path on all the data (for ``l1_ratio_``, over its grid)
        and store it as ``coef_path_`` and ``intercept_path_``, for
        :meth:`predict_path`. The refit is then that path's point at ``alpha_``
        (certified to the same relative suboptimality as a single fit), which costs
        one warm-started path instead of one fit (2 to 8% more CPU time on a
        1000 x 100 problem with 5 folds, measured).
"""

_PATH_ATTRIBUTES = """
    coef_path_ : ndarray of shape (n_features, n_alphas)
        With ``store_path=True``: the path on all the data for ``l1_ratio_``, over
        its grid (a row of ``alphas_``), used by :meth:`predict_path`.

    intercept_path_ : ndarray of shape (n_alphas,)
        With ``store_path=True``: its intercepts.
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
        + _STORE_PATH_PARAMETER
        + _RELAX_PARAMETERS
        + """
    Attributes
    ----------
    l1_ratio_ : float
        The selected ``l1_ratio``.
"""
        + _CV_ATTRIBUTES
        + _PATH_ATTRIBUTES
        + _RELAX_ATTRIBUTES
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
        store_path=False,
        relax=False,
        gamma=GLMNET_GAMMAS,
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
        self.store_path = store_path
        self.relax = relax
        self.gamma = gamma
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
        + _STORE_PATH_PARAMETER
        + _RELAX_PARAMETERS
        + """
    Attributes
    ----------"""
        + _CV_ATTRIBUTES
        + _PATH_ATTRIBUTES
        + _RELAX_ATTRIBUTES
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
        store_path=False,
        relax=False,
        gamma=GLMNET_GAMMAS,
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
        self.store_path = store_path
        self.relax = relax
        self.gamma = gamma
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    def _l1_ratios(self) -> np.ndarray:
        return np.ones(1)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, **params):  # noqa: D102 - set below
        return self._fit_cv(X, y, sample_weight, params)

    fit.__doc__ = _CV_FIT_DOC
