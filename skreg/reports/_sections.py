"""The sections of a :class:`FeatureSelectionReport`, computed from a fitted model.

Each helper computes one section as plain numbers: the CV curve, the path on all the
data, the per-fold selection, stability selection, the feature rows, the diagnostics,
the provenance; :meth:`FeatureSelectionReport.from_estimator` calls them in turn.
"""

from __future__ import annotations

import platform
import sys
import time
import warnings
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import check_cv

from skreg._path import enet_path
from skreg.datafits import DEFAULT_REL_TOL
from skreg.linear_model import ElasticNet, ElasticNetCV, Lasso, LassoCV
from skreg.reports import _penalty
from skreg.reports._estimators import (
    final_step_unfitted,
    foreign_model_message,
    is_fitted,
    unwrap,
)
from skreg.reports._format import feature_row
from skreg.reports._glm import GLM_MODELS
from skreg.reports._mlp import MLP_CV_MODELS
from skreg.reports._stability import ASSUMPTIONS, StabilitySelector

_LINEAR = (ElasticNet, Lasso)
_CV = (ElasticNetCV, LassoCV)
_MAX_STABILITY_ALPHAS = 40
_VERSIONED = ("skreg", "scikit-learn", "numpy", "scipy", "numba", "joblib")
_OPTIONAL = ("pandas", "matplotlib")


def _version(dist: str) -> str | None:
    if dist == "skreg":  # also right when running from a source tree
        from skreg._version import __version__

        return __version__
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def is_mlp(estimator) -> bool:
    if isinstance(estimator, MLP_CV_MODELS):
        return False
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


def _json_value(value):
    """One parameter value as JSON-safe (estimators become their class names)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (str, int, float, bool, type(None), list, tuple)):
        return value
    return _describe(value) if hasattr(value, "get_params") else repr(value)


def _json_params(params: dict, *, nested: bool = False) -> dict:
    """Parameters as JSON-safe values.

    ``get_params(deep=True)`` repeats every nested estimator's parameters under
    ``step__param`` keys; those are dropped unless ``nested`` (a search's
    ``best_params_`` over a pipeline *is* such keys, and they are the answer).
    """
    return {
        str(k): _json_value(v)
        for k, v in params.items()
        if nested or "__" not in str(k)
    }


@contextmanager
def counting(counts: dict, key: str):
    """Count the ConvergenceWarnings raised inside, under ``counts[key]``.

    They are reported once, in the diagnostics; any other warning is passed on.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        yield
    counts[key] = counts.get(key, 0) + sum(
        issubclass(w.category, ConvergenceWarning) for w in caught
    )
    for w in caught:
        if not issubclass(w.category, ConvergenceWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def _search_info(search) -> dict:
    res = search.cv_results_
    return {
        "type": type(search).__name__,
        "best_params": _json_params(search.best_params_, nested=True),
        "best_score": float(search.best_score_),
        "scoring": str(getattr(search, "scoring", None)),
        "n_candidates": len(res["params"]),
        "n_splits": int(search.n_splits_),
        "mean_fit_time": float(np.mean(res["mean_fit_time"])),
        "refit_time": float(getattr(search, "refit_time_", np.nan)),
    }


def fit_and_unwrap(estimator, X, y, timings, counts):
    """Fit a clone of what needs fitting; return (top, search info, prefix, final).

    ``prefix`` is the fitted pipeline without its last step (or ``None``).
    """
    fitted = estimator
    if not is_fitted(estimator):
        _check_final(final_step_unfitted(estimator))
        fitted = clone(estimator)
        start = time.perf_counter()
        with counting(counts, "model_fit"):
            fitted.fit(X, y)
        timings["fit"] = time.perf_counter() - start
    search, prefix, final = unwrap(fitted)
    _check_final(final)
    return fitted, None if search is None else _search_info(search), prefix, final


def _check_final(final) -> None:
    if isinstance(final, _LINEAR + _CV + GLM_MODELS + MLP_CV_MODELS) or is_mlp(final):
        return
    message = foreign_model_message(final, "FeatureSelectionReport")
    raise TypeError(
        message
        or "FeatureSelectionReport needs a skreg ElasticNet, Lasso, ElasticNetCV, "
        "LassoCV, SparseLogisticRegression(CV), SparsePoissonRegressor or "
        "RegularizedMLPRegressorCV / ClassifierCV (or a fitted model with "
        "feature_importances_), alone, at the end of a Pipeline, or inside a "
        f"search; got {type(final).__name__}."
    )


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


def path_fit(final, X, y, *, l1_ratio, alphas):
    """Fit the elastic-net path of ``final``'s objective (factors, bounds, settings).

    Returns :func:`skreg.enet_path`'s ``(alphas, coefs, gaps, n_iters[, intercepts])``.
    """
    return enet_path(
        X,
        y,
        l1_ratio=l1_ratio,
        alphas=alphas,
        fit_intercept=bool(final.fit_intercept),
        tol=final.tol,
        max_iter=int(final.max_iter),
        return_n_iter=True,
        **_penalty.path_params(final),
    )


def cv_curve(final, Xt, y, cv, timings, counts, say) -> dict:
    """Compute the CV curve over alpha at the model's l1_ratio (its own, or refit)."""
    if isinstance(final, _CV):
        l1_ratio = float(final.l1_ratio_)
        l1s = np.atleast_1d(np.asarray(getattr(final, "l1_ratio", 1.0), float))
        several = final.mse_path_.ndim > 2
        i_l1 = int(np.flatnonzero(l1s == l1_ratio)[0]) if several else 0
        mse = final.mse_path_ if final.mse_path_.ndim == 2 else final.mse_path_[i_l1]
        return {
            "l1_ratio": l1_ratio,
            "alphas": final.alphas_ if final.alphas_.ndim == 1 else final.alphas_[i_l1],
            "mse": mse,
            "cv_se": np.atleast_2d(final.cv_se_)[i_l1],
            "alpha_min": float(final.alpha_min_),
            "alpha_1se": float(final.alpha_1se_),
            "model_alpha": float(final.alpha_),
        }
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
        penalty_factor=final.penalty_factor,
        lower_bounds=final.lower_bounds,
        upper_bounds=final.upper_bounds,
        positive=final.positive,
    )
    start = time.perf_counter()
    with counting(counts, "cv_curve"):
        cv_model.fit(Xt, y)
    timings["cv_curve"] = time.perf_counter() - start
    return {
        "l1_ratio": l1_ratio,
        "alphas": cv_model.alphas_,
        "mse": cv_model.mse_path_,
        "cv_se": cv_model.cv_se_,
        "alpha_min": float(cv_model.alpha_min_),
        "alpha_1se": float(cv_model.alpha_1se_),
        "model_alpha": float(final.alpha),
    }


def full_path(final, Xt, y, curve, timings, counts, say) -> dict:
    """Fit the path on all the data over the CV grid; glmnet's summary per alpha."""
    say("fitting the path on all the data")
    alphas, l1_ratio = curve["alphas"], curve["l1_ratio"]
    fit_intercept, tol = bool(final.fit_intercept), final.tol
    n_samples = Xt.shape[0]
    start = time.perf_counter()
    with counting(counts, "path"):
        _, coefs, gaps, n_iters, intercepts = path_fit(
            final, Xt, y, l1_ratio=l1_ratio, alphas=alphas
        )
    timings["path"] = time.perf_counter() - start
    coefs = np.asarray(coefs, dtype=np.float64)
    y_mean = y.mean() if fit_intercept else 0.0
    tss = float(np.sum((y - y_mean) ** 2))
    resid = y[:, None] - Xt @ coefs - np.asarray(intercepts)[None, :]
    dev = 1.0 - np.sum(resid**2, axis=0) / tss if tss > 0 else np.zeros(len(alphas))
    # The gap each fit had to reach: scikit-learn's ``tol * ||y_c||^2 / n`` for a
    # number, else a certified relative suboptimality (gap <= 1e-6 * objective).
    objectives = 0.5 * np.sum(resid**2, axis=0) / n_samples + np.array(
        [
            _penalty.penalty_value(final, a, l1_ratio, coefs[:, i])
            for i, a in enumerate(alphas)
        ]
    )
    if tol is None:
        path_tol = DEFAULT_REL_TOL * objectives
    else:
        path_tol = np.full(len(alphas), float(tol) * tss / n_samples)
    mse = curve["mse"]
    return {
        "l1_ratio": l1_ratio,
        "alphas": np.asarray(alphas, dtype=np.float64),
        "n_nonzero": (coefs != 0).sum(axis=0),
        "deviance_explained": 100.0 * dev,
        "cv_mean": mse.mean(axis=1),
        "cv_se": np.asarray(curve["cv_se"], dtype=np.float64),
        "dual_gaps": np.asarray(gaps, dtype=np.float64),
        "n_iter": np.asarray(n_iters),
        "coefs": coefs,
        "alpha_min": curve["alpha_min"],
        "alpha_1se": curve["alpha_1se"],
        "alpha": curve["model_alpha"],
        "alpha_rule": getattr(final, "alpha_rule", None),
        "n_folds": int(mse.shape[1]),
        "tol": tol,
        "y_variance": tss / n_samples,
        "path_alphas_above_tol": int(np.sum(np.asarray(gaps) > path_tol * (1 + 1e-6))),
    }


def fold_selection(final, Xt, y, path, cv, timings, counts, say):
    """Per-fold refits at the model's alpha: selection frequency and sign agreement."""
    say("refitting the path on each CV fold")
    alphas, model_alpha = path["alphas"], path["alpha"]
    i_min = int(np.argmin(np.abs(alphas - path["alpha_min"])))
    i_1se = int(np.argmin(np.abs(alphas - path["alpha_1se"])))
    start = time.perf_counter()
    fold_grid = np.unique(np.r_[alphas[: max(i_min, i_1se) + 1], model_alpha])[::-1]
    i_model = int(np.flatnonzero(fold_grid == model_alpha)[0])
    folds = list(check_cv(cv).split(Xt, y))
    fold_signs = np.zeros((len(folds), Xt.shape[1]))
    with counting(counts, "folds"):
        for k, (train, _) in enumerate(folds):
            fc = path_fit(
                final, Xt[train], y[train], l1_ratio=path["l1_ratio"],
                alphas=fold_grid,
            )[1]  # fmt: skip
            fold_signs[k] = np.sign(fc[:, i_model])
    timings["folds"] = time.perf_counter() - start
    n_sel = (fold_signs != 0).sum(axis=0)
    n_pos, n_neg = (fold_signs > 0).sum(axis=0), (fold_signs < 0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        sign_consistency = np.where(
            n_sel > 0, np.maximum(n_pos, n_neg) / np.maximum(n_sel, 1), np.nan
        )
    return n_sel / len(folds), sign_consistency


def stability_section(final, Xt, y, path, names, options, timings, say):
    """Stability selection over the alphas down to alpha_min / alpha_1se."""
    n_bootstrap = options["n_bootstrap"]
    if n_bootstrap <= 0:
        return None, np.full(len(names), np.nan), np.zeros(len(names), dtype=bool)
    alphas = path["alphas"]
    i_min = int(np.argmin(np.abs(alphas - path["alpha_min"])))
    i_1se = int(np.argmin(np.abs(alphas - path["alpha_1se"])))
    last = max(i_min, i_1se)
    n_grid = min(_MAX_STABILITY_ALPHAS, last + 1)
    idx = np.unique(np.r_[np.round(np.linspace(0, last, n_grid)).astype(int), i_1se])
    threshold, weakness = options["threshold"], options["weakness"]
    max_selected = options["max_selected"]
    selector = StabilitySelector(
        l1_ratio=path["l1_ratio"], alphas=alphas[idx], n_bootstrap=n_bootstrap,
        threshold=threshold, max_selected=max_selected, weakness=weakness,
        tol=final.tol, max_iter=int(final.max_iter), n_jobs=options["n_jobs"],
        random_state=options["random_state"], verbose=options["verbose"],
        **_penalty.path_params(final),
    )  # fmt: skip
    if options["stability_callbacks"]:
        selector.set_callbacks(*options["stability_callbacks"])
    say(f"stability selection: {n_bootstrap} subsamples")
    start = time.perf_counter()
    selector.fit(Xt, y)
    timings["stability"] = time.perf_counter() - start
    region = selector.alphas_[: selector.n_region_alphas_]
    p = len(names)
    stable_mask = selector.support_
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
            f"((2 * {threshold:g} - 1) * {p}) = {selector.expected_false_bound_:.4g}"
        ),
        "stable": [n for n, s in zip(names, stable_mask, strict=True) if s],
        "assumptions": ASSUMPTIONS,
        "n_convergence_warnings": int(selector.n_convergence_warnings_),
    }
    return stability, selector.max_probabilities_, stable_mask


def feature_rows(names, coef, path, Xt, freq, sign_consistency, stab_prob, stable):
    """One dict per feature: coefficients, entry alpha, CV and stability selection."""
    alphas, coefs = path["alphas"], path["coefs"]
    i_min = int(np.argmin(np.abs(alphas - path["alpha_min"])))
    i_1se = int(np.argmin(np.abs(alphas - path["alpha_1se"])))
    nonzero = coefs != 0
    entry_alpha = np.where(
        nonzero.any(axis=1), alphas[np.argmax(nonzero, axis=1)], np.nan
    )
    x_std = Xt.std(axis=0)
    path = (coefs, i_min, i_1se, x_std)
    stats = (entry_alpha, freq, sign_consistency, stab_prob, stable)
    return [feature_row(j, name, coef, path, stats) for j, name in enumerate(names)]


def diagnostics(final, Xt, y, coef, path, selected, stability, counts, threshold):
    """Convergence of the model and the path, warnings counted, collinear groups."""
    tol = final.tol
    model_gap = float(np.max(np.atleast_1d(final.dual_gap_)))
    if tol is None:
        # The objective the model minimised: its factors weigh the penalty.
        resid = y - Xt @ coef - float(final.intercept_)
        model_tol = DEFAULT_REL_TOL * (
            0.5 * float(resid @ resid) / Xt.shape[0]
            + _penalty.penalty_value(final, path["alpha"], path["l1_ratio"], coef)
        )
    else:
        model_tol = float(tol) * path["y_variance"]
    rule = (
        "1e-6 relative suboptimality (tol=None)"
        if tol is None
        else f"tol={tol:g} times ||y_c||^2 / n"
    )
    return convergence_diagnostics(
        final, Xt, coef, path, selected, stability, counts, threshold,
        (model_gap, float(model_tol), rule),
    )  # fmt: skip


def convergence_diagnostics(
    final, Xt, coef, path, selected, stability, counts, threshold, convergence
):
    """Compute the diagnostics section from the model's ``(gap, tolerance, rule)``."""
    model_gap, model_tol, rule = convergence
    support = coef != 0
    groups, pairs, vif = _collinear_groups(Xt[:, support], selected, threshold)
    stab_warnings = None if stability is None else stability["n_convergence_warnings"]
    return {
        "model_dual_gap": model_gap,
        "tol_scaled": float(model_tol),
        "tol_rule": rule,
        "model_n_iter": int(np.max(np.atleast_1d(final.n_iter_))),
        "max_iter": int(final.max_iter),
        "model_converged": bool(model_gap <= model_tol * (1 + 1e-6)),
        "path_alphas_above_tol": path.pop("path_alphas_above_tol"),
        "n_convergence_warnings": int(
            sum(counts.get(k, 0) for k in ("cv_curve", "path", "folds"))
        ),
        "model_fit_convergence_warnings": int(counts.get("model_fit", 0)),
        "stability_convergence_warnings": stab_warnings,
        "collinearity_threshold": float(threshold),
        "collinear_groups": groups,
        "collinear_pairs": pairs or [],
        "vif": vif,
    }


def provenance(top, final, search, X, Xt, target_name, cv, options, timings):
    return {
        "n_samples": int(Xt.shape[0]),
        "n_features": int(Xt.shape[1]),
        "n_features_raw": int(np.shape(X)[1]),
        "target": target_name,
        "estimator": _describe(top),
        "model": type(final).__name__,
        "params": _json_params(final.get_params(deep=False)),
        "search": search,
        "cv": repr(check_cv(cv)),
        "n_bootstrap": int(options["n_bootstrap"]),
        "random_state": options["random_state"]
        if isinstance(options["random_state"], int | None)
        else repr(options["random_state"]),
        "versions": {d: _version(d) for d in _VERSIONED + _OPTIONAL},
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "fit_times": timings,
    }


def mlp_section(model, names) -> dict:
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


def progress_printer(verbose):
    def say(message):
        if verbose:
            print(f"[FeatureSelectionReport] {message}", file=sys.stderr, flush=True)

    return say
