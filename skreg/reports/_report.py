"""``FeatureSelectionReport``: which features matter, and how sure we are.

The report is built by :meth:`FeatureSelectionReport.from_estimator` from a skreg linear
model, CV estimator, a ``Pipeline`` ending in one, or a search (``GridSearchCV``) over
one. It holds plain numbers (no estimator methods are needed to render it); the
renderers live in :mod:`skreg.reports._render` and the plots in
:mod:`skreg.reports._display`.
"""

from __future__ import annotations

import platform
import time
import warnings
from datetime import UTC, datetime
from importlib import metadata

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import check_cv
from sklearn.utils import check_array

from skreg._path import enet_path
from skreg.datafits import DEFAULT_REL_TOL, enet_objective
from skreg.linear_model import ElasticNet, ElasticNetCV, Lasso, LassoCV
from skreg.reports import _render
from skreg.reports._stability import ASSUMPTIONS, StabilitySelector
from skreg.utils._validation import check_is_fitted

__all__ = ["FeatureSelectionReport"]

_LINEAR = (ElasticNet, Lasso)
_CV = (ElasticNetCV, LassoCV)
_MAX_STABILITY_ALPHAS = 40
_VERSIONED = ("skreg", "scikit-learn", "numpy", "scipy", "numba", "joblib")
_OPTIONAL = ("pandas", "matplotlib")


def _version(dist: str) -> str | None:
    if dist == "skreg":  # also right when running from a source tree
        import skreg

        return skreg.__version__
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _is_fitted(estimator) -> bool:
    try:
        check_is_fitted(estimator)
    except NotFittedError:
        return False
    return True


def _is_mlp(estimator) -> bool:
    return hasattr(estimator, "feature_importances_") or (
        "MLP" in type(estimator).__name__ and not hasattr(estimator, "coef_")
    )


def _describe(estimator) -> str:
    """``Pipeline(StandardScaler, ElasticNetCV)``-style one-line name."""
    steps = getattr(estimator, "steps", None)
    if steps is not None:
        return f"Pipeline({', '.join(type(s).__name__ for _, s in steps)})"
    inner = getattr(estimator, "estimator", None)
    if inner is not None and hasattr(inner, "get_params"):
        return f"{type(estimator).__name__}({_describe(inner)})"
    return type(estimator).__name__


def _json_params(params: dict) -> dict:
    """Parameters as JSON-safe values (estimators become their class names)."""
    out = {}
    for key, value in params.items():
        if "__" in key:
            continue
        if isinstance(value, np.ndarray):
            value = value.tolist()
        elif isinstance(value, np.generic):
            value = value.item()
        elif not isinstance(value, (str, int, float, bool, type(None), list, tuple)):
            value = (
                repr(value) if not hasattr(value, "get_params") else _describe(value)
            )
        out[key] = value
    return out


def _unwrap(estimator, X, y, timings):
    """Fit what needs fitting; return (fitted top object, search info, prefix, final).

    ``prefix`` is the fitted pipeline without its last step (or ``None``).
    """
    search = None
    fitted = estimator
    if not _is_fitted(estimator):
        fitted = clone(estimator)
        start = time.perf_counter()
        fitted.fit(X, y)
        timings["fit"] = time.perf_counter() - start
    top = fitted
    if hasattr(fitted, "best_estimator_") or hasattr(fitted, "cv_results_"):
        if not hasattr(fitted, "best_estimator_"):
            raise ValueError(
                "The search was fitted with refit=False; the report needs the refit "
                "best_estimator_."
            )
        res = fitted.cv_results_
        search = {
            "type": type(fitted).__name__,
            "best_params": _json_params(fitted.best_params_),
            "best_score": float(fitted.best_score_),
            "scoring": str(getattr(fitted, "scoring", None)),
            "n_candidates": len(res["params"]),
            "n_splits": int(fitted.n_splits_),
            "mean_fit_time": float(np.mean(res["mean_fit_time"])),
            "refit_time": float(getattr(fitted, "refit_time_", np.nan)),
        }
        fitted = fitted.best_estimator_
    prefix = None
    final = fitted
    if hasattr(fitted, "steps"):
        prefix = fitted[:-1] if len(fitted.steps) > 1 else None
        final = fitted[-1]
    if not (isinstance(final, _LINEAR + _CV) or _is_mlp(final)):
        raise TypeError(
            "FeatureSelectionReport needs a skreg ElasticNet, Lasso, ElasticNetCV or "
            "LassoCV (or a fitted model with feature_importances_), alone, at the end "
            f"of a Pipeline, or inside a search; got {type(final).__name__}."
        )
    return top, search, prefix, final


def _feature_names(feature_names, X, prefix, n_features):
    names = None
    if prefix is not None:
        try:
            in_names = (
                list(feature_names)
                if feature_names is not None
                else getattr(prefix[0], "feature_names_in_", None)
            )
            names = list(
                prefix.get_feature_names_out(
                    None if in_names is None else np.asarray(in_names, dtype=object)
                )
            )
        except (AttributeError, ValueError, TypeError):
            names = None
    elif feature_names is not None:
        names = [str(n) for n in feature_names]
    elif hasattr(X, "columns"):
        names = [str(c) for c in X.columns]
    if names is None or len(names) != n_features:
        names = [f"x{j}" for j in range(n_features)]
    return [str(n) for n in names]


def _collinear_groups(Xs, names, threshold):
    """Group the columns by connected components of ``|corr| >= threshold``."""
    k = Xs.shape[1]
    if k < 2:
        return [], None, {}
    std = Xs.std(axis=0)
    ok = std > 0
    corr = np.zeros((k, k))
    Z = (Xs[:, ok] - Xs[:, ok].mean(axis=0)) / std[ok]
    corr[np.ix_(ok, ok)] = Z.T @ Z / Xs.shape[0]
    parent = list(range(k))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    pairs = []
    for i in range(k):
        for j in range(i + 1, k):
            if abs(corr[i, j]) >= threshold:
                parent[find(i)] = find(j)
                pairs.append((names[i], names[j], float(corr[i, j])))
    comps: dict[int, list[str]] = {}
    for i in range(k):
        comps.setdefault(find(i), []).append(names[i])
    groups = [g for g in comps.values() if len(g) > 1]
    vif = {}
    try:
        inv = np.linalg.inv(corr[np.ix_(ok, ok)])
        for name, v in zip(np.asarray(names)[ok], np.diag(inv), strict=True):
            vif[str(name)] = float(v)
    except np.linalg.LinAlgError:
        vif = {}
    return groups, pairs, vif


def _path_fit(X, y, *, l1_ratio, alphas, fit_intercept, tol, max_iter, counter):
    """``enet_path`` with ConvergenceWarnings counted instead of raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        out = enet_path(
            X,
            y,
            l1_ratio=l1_ratio,
            alphas=alphas,
            fit_intercept=fit_intercept,
            tol=tol,
            max_iter=max_iter,
            return_n_iter=True,
        )
    counter[0] += sum(issubclass(w.category, ConvergenceWarning) for w in caught)
    return out


class FeatureSelectionReport:
    """Which features a sparse linear model selects, and how stable the choice is.

    Build it with :meth:`from_estimator`. It holds five sections of plain numbers:

    1. ``provenance``: data shape, parameters, library versions, fit times;
    2. ``features``: per feature, the coefficients at ``alpha_min`` and ``alpha_1se``
       (raw and standardized: times the feature's standard deviation), the largest
       alpha at which it enters the path, its selection frequency and sign consistency
       across the CV folds (refit at the model's alpha), and its stability-selection
       probability;
    3. ``path``: glmnet's path summary per alpha (non-zeros, % deviance explained, CV
       mean squared error and its standard error, duality gap);
    4. ``stability``: stability selection with complementary pairs (Meinshausen &
       Bühlmann 2010; Shah & Samworth 2013): the selection probabilities over the
       alphas, the stable set at the threshold and the bound on the expected number of
       false selections with its assumptions;
    5. ``diagnostics``: convergence and collinear groups among the selected features.

    A fitted MLP with ``feature_importances_`` (given as the estimator, or as ``mlp=``)
    adds ``mlp``: its selected input features (importance > 0).

    Render it with :meth:`to_text` (also ``str(report)``), :meth:`to_dict`,
    :meth:`to_json`, :meth:`to_frame` (pandas), :meth:`to_html` (figures need
    matplotlib) or in a notebook (``_repr_html_``).

    Attributes
    ----------
    feature_names : list of str
        Names of the features the final model sees (after any pipeline steps).
    selected : list of str
        The model's support: the features with a non-zero coefficient.
    provenance, features, path, stability, diagnostics, mlp : dict or None
        The sections (``None`` when not applicable).
    estimator : estimator
        The fitted estimator the report describes (a fitted clone when an unfitted one
        was given).

    See Also
    --------
    StabilitySelector : The stability selection as a Pipeline step.
    RegularizationPathDisplay, CVCurveDisplay, StabilityPathDisplay : The plots.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from skreg import LassoCV
    >>> from skreg.reports import FeatureSelectionReport
    >>> X, y = make_regression(n_samples=80, n_features=8, n_informative=3,
    ...                        noise=5.0, random_state=0)
    >>> report = FeatureSelectionReport.from_estimator(
    ...     LassoCV(cv=3, alphas=30), X, y, cv=3, n_bootstrap=10, random_state=0)
    >>> report.selected == [f"x{j}" for j in report.estimator.coef_.nonzero()[0]]
    True
    >>> report.to_dict()["stability"]["n_subsamples"]
    10
    """

    def __init__(
        self,
        *,
        feature_names,
        selected,
        provenance,
        features,
        path=None,
        stability=None,
        diagnostics=None,
        mlp=None,
        estimator=None,
    ):
        self.feature_names = feature_names
        self.selected = selected
        self.provenance = provenance
        self.features = features
        self.path = path
        self.stability = stability
        self.diagnostics = diagnostics
        self.mlp = mlp
        self.estimator = estimator

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        feature_names=None,
        cv=5,
        n_bootstrap=100,
        random_state=None,
        threshold=0.9,
        max_selected="auto",
        weakness=1.0,
        collinearity_threshold=0.8,
        mlp=None,
        target_name=None,
        n_jobs=None,
        verbose=0,
        stability_callbacks=(),
    ):
        """Build the report for a (fitted or unfitted) estimator on ``X``, ``y``.

        Parameters
        ----------
        estimator : estimator
            A skreg ``ElasticNet``, ``Lasso``, ``ElasticNetCV`` or ``LassoCV``, a
            ``Pipeline`` ending in one, or a ``GridSearchCV`` (any search with
            ``best_estimator_``) over one; fitted or not (an unfitted one is cloned
            and fitted on ``X``, ``y``). A fitted model with ``feature_importances_``
            (skreg's regularized MLPs) gives a report of its input selection only.
        X : array-like of shape (n_samples, n_features)
            The data the model was (or is to be) fitted on.
        y : array-like of shape (n_samples,)
            Target values.
        feature_names : list of str, default=None
            Names of the columns of ``X`` (default: the DataFrame's columns, or
            ``x0, x1, ...``). With a pipeline, the names out of its transformers.
        cv : int or cross-validation generator, default=5
            Folds for the CV curve of a non-CV model and for the per-fold selection
            frequencies (a fitted CV estimator's own curve is reused).
        n_bootstrap : int, default=100
            Subsamples of stability selection (``0`` skips it).
        random_state : int, RandomState instance or None, default=None
            Seeds stability selection.
        threshold : float, default=0.9
            Stability threshold ``pi_thr`` in ``(0.5, 1]``.
        max_selected : "auto", float or None, default="auto"
            Cap on ``q`` that sets the stability region (see
            :class:`StabilitySelector`).
        weakness : float, default=1.0
            Randomized-lasso weakness (``1`` is the plain lasso).
        collinearity_threshold : float, default=0.8
            ``|corr|`` at or above which two selected features are grouped.
        mlp : estimator, default=None
            A fitted model with ``feature_importances_`` over the same features, whose
            input selection is reported beside the linear model's.
        target_name : str, default=None
            Name of the target, for the provenance.
        n_jobs : int, default=None
            Parallel jobs of stability selection.
        verbose : int, default=0
            Print progress to stderr.
        stability_callbacks : tuple, default=()
            scikit-learn callbacks (e.g. ``sklearn.callback.ProgressBar()``) set on the
            :class:`StabilitySelector` (scikit-learn >= 1.9).

        Returns
        -------
        report : FeatureSelectionReport
        """
        t_start = time.perf_counter()
        timings: dict[str, float] = {}
        say = _progress_printer(verbose)
        if hasattr(X, "columns") and feature_names is None:
            feature_names = [str(c) for c in X.columns]
        top, search, prefix, final = _unwrap(estimator, X, y, timings)
        y = np.asarray(y, dtype=np.float64).ravel()
        Xt = prefix.transform(X) if prefix is not None else X
        if sp.issparse(Xt):
            Xt = Xt.toarray()
        Xt = check_array(Xt, dtype=np.float64, order="F")
        n_samples, n_features = Xt.shape
        names = _feature_names(feature_names, X, prefix, n_features)
        provenance = {
            "n_samples": int(n_samples),
            "n_features": int(n_features),
            "n_features_raw": int(np.shape(X)[1]),
            "target": target_name,
            "estimator": _describe(top),
            "model": type(final).__name__,
            "params": _json_params(final.get_params(deep=False)),
            "search": search,
            "cv": repr(check_cv(cv)),
            "n_bootstrap": int(n_bootstrap),
            "random_state": random_state
            if isinstance(random_state, int | None)
            else repr(random_state),
            "versions": {d: _version(d) for d in _VERSIONED + _OPTIONAL},
            "python": platform.python_version(),
            "platform": platform.platform(terse=True),
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "fit_times": timings,
        }
        if _is_mlp(final):
            mlp_section = _mlp_section(final, names)
            features = [
                {"name": n, "selected": bool(s)}
                for n, s in zip(names, mlp_section["selected_mask"], strict=True)
            ]
            timings["total"] = time.perf_counter() - t_start
            return cls(
                feature_names=names,
                selected=list(mlp_section["selected"]),
                provenance=provenance,
                features=features,
                mlp=mlp_section,
                estimator=top,
            )

        warn_count = [0]
        # -- the CV curve over alpha at the model's l1_ratio -------------------------
        if isinstance(final, _CV):
            l1_ratio = float(final.l1_ratio_)
            l1s = np.atleast_1d(np.asarray(getattr(final, "l1_ratio", 1.0), float))
            i_l1 = (
                int(np.flatnonzero(l1s == l1_ratio)[0]) if final.alphas_.ndim > 1 else 0
            )
            alphas = np.atleast_2d(final.alphas_)[i_l1]
            mse = (
                final.mse_path_ if final.mse_path_.ndim == 2 else final.mse_path_[i_l1]
            )
            cv_se = np.atleast_2d(final.cv_se_)[i_l1]
            alpha_min, alpha_1se = float(final.alpha_min_), float(final.alpha_1se_)
            model_alpha = float(final.alpha_)
        else:
            l1_ratio = float(final.l1_ratio) if isinstance(final, ElasticNet) else 1.0
            if l1_ratio <= 0:
                raise ValueError(
                    "l1_ratio=0 (ridge) selects no features; a feature-selection "
                    "report needs l1_ratio > 0."
                )
            say("fitting the CV curve")
            cv_model = ElasticNetCV(
                l1_ratio=l1_ratio,
                cv=cv,
                fit_intercept=final.fit_intercept,
                max_iter=final.max_iter,
                tol=final.tol,
                positive=final.positive,
            )
            start = time.perf_counter()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ConvergenceWarning)
                cv_model.fit(Xt, y)
            warn_count[0] += len(caught)
            timings["cv_curve"] = time.perf_counter() - start
            alphas, mse, cv_se = cv_model.alphas_, cv_model.mse_path_, cv_model.cv_se_
            alpha_min, alpha_1se = cv_model.alpha_min_, cv_model.alpha_1se_
            model_alpha = float(final.alpha)
        fit_intercept = bool(final.fit_intercept)
        tol, max_iter = final.tol, int(final.max_iter)
        coef = np.asarray(final.coef_, dtype=np.float64).ravel()
        support = coef != 0
        selected = [n for n, s in zip(names, support, strict=True) if s]

        # -- the full-data path on the CV grid ----------------------------------------
        say("fitting the path on all the data")
        start = time.perf_counter()
        _, coefs, gaps, n_iters, intercepts = _path_fit(
            Xt,
            y,
            l1_ratio=l1_ratio,
            alphas=alphas,
            fit_intercept=fit_intercept,
            tol=tol,
            max_iter=max_iter,
            counter=warn_count,
        )
        timings["path"] = time.perf_counter() - start
        coefs = np.asarray(coefs, dtype=np.float64)
        y_mean = y.mean() if fit_intercept else 0.0
        tss = float(np.sum((y - y_mean) ** 2))
        resid = y[:, None] - Xt @ coefs - np.asarray(intercepts)[None, :]
        dev = 1.0 - np.sum(resid**2, axis=0) / tss if tss > 0 else np.zeros(len(alphas))
        i_min = int(np.argmin(np.abs(alphas - alpha_min)))
        i_1se = int(np.argmin(np.abs(alphas - alpha_1se)))
        nonzero = coefs != 0
        entered = nonzero.any(axis=1)
        entry_alpha = np.where(entered, alphas[np.argmax(nonzero, axis=1)], np.nan)
        x_std = Xt.std(axis=0)
        # The gap each fit had to reach: scikit-learn's ``tol * ||y_c||^2 / n`` for a
        # number, else a certified relative suboptimality (gap <= 1e-6 * objective).
        objectives = 0.5 * np.sum(resid**2, axis=0) / n_samples + alphas * (
            l1_ratio * np.abs(coefs).sum(axis=0)
            + 0.5 * (1 - l1_ratio) * (coefs**2).sum(axis=0)
        )
        if tol is None:
            path_tol = DEFAULT_REL_TOL * objectives
        else:
            path_tol = np.full(len(alphas), float(tol) * tss / n_samples)

        # -- per-fold refits at the model's alpha -------------------------------------
        say("refitting the path on each CV fold")
        start = time.perf_counter()
        fold_grid = np.unique(np.r_[alphas[: max(i_min, i_1se) + 1], model_alpha])[::-1]
        i_model = int(np.flatnonzero(fold_grid == model_alpha)[0])
        folds = list(check_cv(cv).split(Xt, y))
        fold_signs = np.zeros((len(folds), n_features))
        for k, (train, _) in enumerate(folds):
            fc = _path_fit(
                Xt[train],
                y[train],
                l1_ratio=l1_ratio,
                alphas=fold_grid,
                fit_intercept=fit_intercept,
                tol=tol,
                max_iter=max_iter,
                counter=warn_count,
            )[1]
            fold_signs[k] = np.sign(fc[:, i_model])
        timings["folds"] = time.perf_counter() - start
        n_sel = (fold_signs != 0).sum(axis=0)
        freq = n_sel / len(folds)
        n_pos, n_neg = (fold_signs > 0).sum(axis=0), (fold_signs < 0).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            sign_consistency = np.where(
                n_sel > 0, np.maximum(n_pos, n_neg) / np.maximum(n_sel, 1), np.nan
            )

        # -- stability selection ------------------------------------------------------
        stability = None
        stab_prob = np.full(n_features, np.nan)
        stable_mask = np.zeros(n_features, dtype=bool)
        if n_bootstrap > 0:
            last = max(i_min, i_1se)
            idx = np.unique(
                np.r_[
                    np.round(
                        np.linspace(0, last, min(_MAX_STABILITY_ALPHAS, last + 1))
                    ).astype(int),
                    i_1se,
                ]
            )
            selector = StabilitySelector(
                l1_ratio=l1_ratio,
                alphas=alphas[idx],
                n_bootstrap=n_bootstrap,
                threshold=threshold,
                max_selected=max_selected,
                weakness=weakness,
                tol=tol,
                max_iter=max_iter,
                n_jobs=n_jobs,
                random_state=random_state,
                verbose=verbose,
            )
            if stability_callbacks:
                selector.set_callbacks(*stability_callbacks)
            say(f"stability selection: {n_bootstrap} subsamples")
            start = time.perf_counter()
            selector.fit(Xt, y)
            timings["stability"] = time.perf_counter() - start
            stab_prob = selector.max_probabilities_
            stable_mask = selector.support_
            region = selector.alphas_[: selector.n_region_alphas_]
            stability = {
                "method": "complementary pairs"
                + (f", randomized (weakness {weakness:g})" if weakness < 1 else ""),
                "alphas": selector.alphas_,
                "probabilities": selector.selection_probabilities_,
                "threshold": float(threshold),
                "n_subsamples": int(selector.n_subsamples_),
                "subsample_size": int(selector.subsample_size_),
                "weakness": float(weakness),
                "n_region": int(selector.n_region_alphas_),
                "region": [float(region[0]), float(region[-1])],
                "q": float(selector.q_),
                "q_cap": float(selector.q_cap_),
                "max_selected": max_selected,
                "bound": float(selector.expected_false_bound_),
                "bound_formula": (
                    f"E[V] <= q^2 / ((2 pi_thr - 1) p) = {selector.q_:.4g}^2 / "
                    f"((2 * {threshold:g} - 1) * {n_features}) = "
                    f"{selector.expected_false_bound_:.4g}"
                ),
                "stable": [n for n, s in zip(names, stable_mask, strict=True) if s],
                "assumptions": ASSUMPTIONS,
                "n_convergence_warnings": int(selector.n_convergence_warnings_),
            }

        features = []
        for j, name in enumerate(names):
            features.append(
                {
                    "name": name,
                    "selected": bool(support[j]),
                    "coef": float(coef[j]),
                    "coef_min": float(coefs[j, i_min]),
                    "coef_1se": float(coefs[j, i_1se]),
                    "std_coef_min": float(coefs[j, i_min] * x_std[j]),
                    "std_coef_1se": float(coefs[j, i_1se] * x_std[j]),
                    "entry_alpha": float(entry_alpha[j]),
                    "cv_frequency": float(freq[j]),
                    "sign_consistency": float(sign_consistency[j]),
                    "stability": float(stab_prob[j]),
                    "stable": bool(stable_mask[j]),
                }
            )
        path = {
            "l1_ratio": l1_ratio,
            "alphas": np.asarray(alphas, dtype=np.float64),
            "n_nonzero": nonzero.sum(axis=0),
            "deviance_explained": 100.0 * dev,
            "cv_mean": mse.mean(axis=1),
            "cv_se": np.asarray(cv_se, dtype=np.float64),
            "dual_gaps": np.asarray(gaps, dtype=np.float64),
            "n_iter": np.asarray(n_iters),
            "coefs": coefs,
            "alpha_min": float(alpha_min),
            "alpha_1se": float(alpha_1se),
            "alpha": model_alpha,
            "alpha_rule": getattr(final, "alpha_rule", None),
            "n_folds": int(mse.shape[1]),
            "tol": tol,
        }

        # -- diagnostics --------------------------------------------------------------
        groups, pairs, vif = _collinear_groups(
            Xt[:, support], selected, collinearity_threshold
        )
        model_gap = float(np.max(np.atleast_1d(final.dual_gap_)))
        model_iter = int(np.max(np.atleast_1d(final.n_iter_)))
        if tol is None:
            model_tol = DEFAULT_REL_TOL * enet_objective(
                Xt, y, coef, float(final.intercept_), alpha=model_alpha,
                l1_ratio=l1_ratio,
            )  # fmt: skip
        else:
            model_tol = float(tol) * tss / n_samples
        diagnostics = {
            "model_dual_gap": model_gap,
            "tol_scaled": float(model_tol),
            "tol_rule": "1e-6 relative suboptimality (tol=None)"
            if tol is None
            else f"tol={tol:g} times ||y_c||^2 / n",
            "model_n_iter": model_iter,
            "max_iter": max_iter,
            "model_converged": bool(model_gap <= model_tol * (1 + 1e-6)),
            "path_alphas_above_tol": int(
                np.sum(np.asarray(gaps) > path_tol * (1 + 1e-6))
            ),
            "n_convergence_warnings": int(warn_count[0]),
            "stability_convergence_warnings": None
            if stability is None
            else stability["n_convergence_warnings"],
            "collinearity_threshold": float(collinearity_threshold),
            "collinear_groups": groups,
            "collinear_pairs": pairs or [],
            "vif": vif,
        }
        mlp_section = None
        if mlp is not None:
            inner = mlp[-1] if hasattr(mlp, "steps") else mlp
            if not _is_fitted(inner):
                raise ValueError("mlp= must be a fitted estimator.")
            mlp_section = _mlp_section(inner, names)
        timings["total"] = time.perf_counter() - t_start
        return cls(
            feature_names=names,
            selected=selected,
            provenance=provenance,
            features=features,
            path=path,
            stability=stability,
            diagnostics=diagnostics,
            mlp=mlp_section,
            estimator=top,
        )

    # -- outputs ----------------------------------------------------------------------
    def to_dict(self) -> dict:
        """Return the report as JSON-safe nested dicts and lists (no pandas needed).

        Arrays become lists and NaN becomes ``None``.
        """
        return _render.to_dict(self)

    def to_json(self, path=None, *, indent: int = 2) -> str:
        """Return the report as JSON; also write it (atomically) to ``path`` if given.

        Parameters
        ----------
        path : str or path-like, default=None
            File to write.
        indent : int, default=2
            JSON indentation.

        Returns
        -------
        text : str
        """
        return _render.to_json(self, path, indent=indent)

    def to_text(self, *, max_rows: int = 20) -> str:
        """Return the fixed-width text report (``str(report)``), at most 88 columns.

        Parameters
        ----------
        max_rows : int, default=20
            Rows of the path summary (evenly spaced, alpha_min and alpha_1se kept).

        Returns
        -------
        text : str
        """
        return _render.to_text(self, max_rows=max_rows)

    def to_frame(self, section: str = "features"):
        """Return one section as a pandas DataFrame (needs pandas).

        Parameters
        ----------
        section : {"features", "path", "stability", "mlp"}, default="features"
            ``"stability"`` is the selection-probability matrix (features by alphas).

        Returns
        -------
        frame : pandas.DataFrame
        """
        return _render.to_frame(self, section)

    def to_html(self, path=None, *, figures: bool = True) -> str:
        """Return a self-contained HTML page; also write it (atomically) to ``path``.

        Tables are inline; figures are inline PNGs when matplotlib is installed
        (otherwise the page says so and keeps the tables).

        Parameters
        ----------
        path : str or path-like, default=None
            File to write.
        figures : bool, default=True
            Include the figures.

        Returns
        -------
        html : str
        """
        return _render.to_html(self, path, figures=figures)

    def _repr_html_(self) -> str:
        return _render.to_html(self, None, figures=True, standalone=False)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return (
            f"<FeatureSelectionReport: {self.provenance['model']}, "
            f"{len(self.selected)} of {len(self.feature_names)} features selected>"
        )


def _mlp_section(model, names) -> dict:
    """Input-feature selection of a fitted MLP (read defensively from attributes)."""
    importances = np.asarray(model.feature_importances_, dtype=np.float64).ravel()
    if importances.shape[0] != len(names):
        names = [f"x{j}" for j in range(importances.shape[0])]
    mask = importances > 0
    curve = getattr(model, "train_loss_curve_", None)
    if curve is None:
        curve = getattr(model, "loss_curve_", None)
    val = getattr(model, "validation_loss_curve_", None)
    return {
        "model": type(model).__name__,
        "feature_names": list(names),
        "importances": importances,
        "selected_mask": mask,
        "selected": [n for n, s in zip(names, mask, strict=True) if s],
        "n_features_selected": int(getattr(model, "n_features_selected_", mask.sum())),
        "best_epoch": getattr(model, "best_epoch_", None),
        "train_loss_curve": None if curve is None else np.asarray(curve, float),
        "validation_loss_curve": None if val is None else np.asarray(val, float),
    }


def _progress_printer(verbose):
    import sys

    def say(message):
        if verbose:
            print(f"[FeatureSelectionReport] {message}", file=sys.stderr, flush=True)

    return say
