"""The report's sections for the sparse GLMs (logistic, multinomial, Poisson).

The same sections as the linear models' (:mod:`skreg.reports._sections`), computed on
the GLM's own objective: the path comes from :func:`skreg._glm_path.glm_path`, the CV
curve is the held-out mean **deviance** (glmnet's ``type.measure = "deviance"``, with
cv.glmnet's clipping of probabilities to ``[1e-5, 1 - 1e-5]``), ``alpha_min`` is the
largest alpha among ties at the smallest mean and ``alpha_1se`` glmnet's one-standard-
error rule, both on fold means weighted by the folds' sizes (``cv.glmnet``).

A multinomial model has one coefficient row per class. A feature is *selected* when it
is non-zero for any class; the path and the feature rows summarise it by its L2 norm
across the classes (``coef_summary = "l2 norm across classes"``), and each feature row
keeps the per-class coefficients at the model's alpha (``coef_by_class``).

The score the headline leads with is the CV deviance; for classifiers the held-out
accuracy at the model's alpha (from the per-fold refits) is shown beside it, and for
every family the share of the null model's CV deviance explained (``1 - CV deviance
/ CV deviance at alpha_max``, glmnet's ``%Dev`` taken on held-out data).
"""

from __future__ import annotations

import time

import numpy as np
from scipy.special import log_expit, log_softmax, xlogy
from sklearn.model_selection import check_cv

from skreg._glm_path import _problem, glm_alpha_grid, glm_path
from skreg.datafits import DEFAULT_REL_TOL
from skreg.datafits_glm import GLM_DATAFITS
from skreg.linear_model import (
    SparseLogisticRegression,
    SparseLogisticRegressionCV,
    SparsePoissonRegressor,
)
from skreg.reports._format import feature_row

GLM_MODELS = (
    SparseLogisticRegression,
    SparseLogisticRegressionCV,
    SparsePoissonRegressor,
)
# Grid of the CV curve the report fits for a GLM that is not a CV estimator: 30
# alphas from alpha_max down to alpha_max / 100 (glmnet's lambda.min.ratio when
# n < p). Each GLM fit is a few Newton steps, each a weighted lasso: the linear
# models' 100 alphas down to alpha_max / 1000 would make the report several times
# slower, and the small alphas (nearly unpenalised, nearly separable data) cost most.
N_ALPHAS, EPS = 30, 1e-2
# cv.glmnet clips held-out probabilities to this range in its deviance.
_PROB_MIN = 1e-5
FAMILY_NAMES = {
    "binomial": "logistic regression (binomial)",
    "multinomial": "multinomial logistic regression",
    "poisson": "Poisson regression (log link)",
}


def is_glm(final) -> bool:
    return isinstance(final, GLM_MODELS)


def family_of(final) -> str:
    """``"binomial"``, ``"multinomial"`` or ``"poisson"`` of a fitted GLM."""
    if isinstance(final, SparsePoissonRegressor):
        return "poisson"
    return "binomial" if len(final.classes_) == 2 else "multinomial"


def encode(final, family, y):
    """Return ``(y, Y)``: the labels as given and the 2-D target the path fits.

    ``Y`` is a 0/1 column (binomial), one-hot rows over ``final.classes_``
    (multinomial) or the counts (Poisson).
    """
    y = np.asarray(y).ravel()
    if family == "poisson":
        y = y.astype(np.float64)
        return y, y[:, None]
    classes = final.classes_
    idx = np.searchsorted(classes, y)
    idx = np.clip(idx, 0, len(classes) - 1)
    if not np.all(classes[idx] == y):
        unseen = sorted({str(v) for v in y[classes[idx] != y]})[:5]
        raise ValueError(
            f"y holds labels the model was not fitted on: {', '.join(unseen)}; pass "
            "the y the model was fitted with."
        )
    if family == "binomial":
        return y, (idx == 1).astype(np.float64)[:, None]
    return y, np.eye(len(classes))[idx]


def _options(final, family) -> dict:
    grouped = (
        family == "multinomial"
        and getattr(final, "multinomial_penalty", "ungrouped") == "grouped"
    )
    return {
        "family": family,
        "fit_intercept": bool(final.fit_intercept),
        "positive": bool(final.positive),
        "grouped": grouped,
        "tol": final.tol,
        "max_iter": int(final.max_iter),
        "solver": final.solver,
        # The model's penalty factors (glmnet's penalty.factor): every path, grid,
        # fold refit and stability subsample solves the objective it was fitted on.
        "penalty_factor": final.penalty_factor,
    }


def _model_problem(Xt, Y, opts, l1_ratio):
    """Return the GLM problem of the model's objective on ``Xt`` (alpha set later)."""
    return _problem(
        Xt, Y, None, GLM_DATAFITS[opts["family"]], l1_ratio, opts["positive"],
        opts["grouped"], opts["fit_intercept"], opts["penalty_factor"],
    )  # fmt: skip


def linear_predictor(X, W, b):
    return np.asarray(X @ np.asarray(W, dtype=np.float64).T) + b


def deviance(Y, eta, family) -> float:
    """Mean deviance (twice the mean negative log-likelihood minus the saturated)."""
    if family == "binomial":
        p = np.clip(np.exp(log_expit(eta[:, 0])), _PROB_MIN, 1 - _PROB_MIN)
        loss = -(Y[:, 0] * np.log(p) + (1 - Y[:, 0]) * np.log(1 - p))
    elif family == "multinomial":
        P = np.clip(np.exp(log_softmax(eta, axis=1)), _PROB_MIN, 1 - _PROB_MIN)
        loss = -(Y * np.log(P)).sum(axis=1)
    else:
        with np.errstate(over="ignore"):
            mu = np.exp(eta[:, 0])
        y = Y[:, 0]
        loss = mu - y * eta[:, 0] + xlogy(y, y) - y
    return 2.0 * float(np.mean(loss))


def accuracy(Y, eta, family) -> float:
    if family == "binomial":
        return float(np.mean((eta[:, 0] > 0) == (Y[:, 0] > 0.5)))
    return float(np.mean(eta.argmax(axis=1) == Y.argmax(axis=1)))


def _folds(final, Xt, y, cv):
    classifier = not isinstance(final, SparsePoissonRegressor)
    return list(check_cv(cv, y, classifier=classifier).split(Xt, y))


def _mean_se(scores, folds):
    """cv.glmnet's fold-size-weighted mean and standard error over the folds."""
    w = np.array([len(test) for _, test in folds], dtype=np.float64)
    mean = scores @ w / w.sum()
    var = ((scores - mean[:, None]) ** 2) @ w / w.sum()
    return mean, np.sqrt(var / max(len(folds) - 1, 1))


def _rules(alphas, mean, se):
    """``alpha_min`` (largest among ties at the minimum) and ``alpha_1se``."""
    i = int(np.flatnonzero(mean <= mean.min())[0])
    within = mean <= mean[i] + se[i]
    return float(alphas[i]), float(alphas[within].max())


def cv_curve(final, family, Xt, y, Y, cv, timings, counts, counting, say) -> dict:
    """Compute the held-out deviance along the grid (or read a CV estimator's)."""
    if isinstance(final, SparseLogisticRegressionCV):
        l1s = np.atleast_1d(np.asarray(final.l1_ratio, dtype=np.float64))
        li = int(np.flatnonzero(l1s == float(final.l1_ratio_))[0])
        scoring = final.scoring
        return {
            "l1_ratio": float(final.l1_ratio_),
            "alphas": np.atleast_2d(final.alphas_)[li],
            "scores": final.scores_path_[li],
            "cv_mean": final.mean_score_path_[li],
            "cv_se": final.se_score_path_[li],
            "alpha_min": float(final.alpha_),
            "alpha_1se": float(final.alpha_1se_),
            "model_alpha": float(final.alpha_),
            "score": "deviance" if scoring is None else f"minus {scoring}",
        }
    l1_ratio = float(final.l1_ratio)
    if l1_ratio <= 0:
        raise ValueError(
            "l1_ratio=0 (ridge) selects no features; a feature-selection "
            "report needs l1_ratio > 0."
        )
    say("fitting the CV curve")
    opts = _options(final, family)
    alphas = glm_alpha_grid(_model_problem(Xt, Y, opts, l1_ratio), N_ALPHAS, EPS)
    folds = _folds(final, Xt, y, cv)
    scores = np.empty((len(alphas), len(folds)))
    start = time.perf_counter()
    with counting(counts, "cv_curve"):
        for k, (train, test) in enumerate(folds):
            _, coefs, intercepts, *_ = glm_path(
                Xt[train], Y[train], l1_ratio=l1_ratio, alphas=alphas, **opts
            )
            for i in range(len(alphas)):
                eta = linear_predictor(Xt[test], coefs[:, :, i], intercepts[:, i])
                scores[i, k] = deviance(Y[test], eta, family)
    timings["cv_curve"] = time.perf_counter() - start
    mean, se = _mean_se(scores, folds)
    alpha_min, alpha_1se = _rules(alphas, mean, se)
    return {
        "l1_ratio": l1_ratio,
        "alphas": alphas,
        "scores": scores,
        "cv_mean": mean,
        "cv_se": se,
        "alpha_min": alpha_min,
        "alpha_1se": alpha_1se,
        "model_alpha": float(final.alpha),
        "score": "deviance",
    }


def summarise(coefs):
    """Per-feature summary of ``(K, p, ...)`` coefficients: the row, or its L2 norm."""
    coefs = np.asarray(coefs, dtype=np.float64)
    if coefs.shape[0] == 1:
        return coefs[0]
    return np.sqrt((coefs**2).sum(axis=0))


def full_path(final, family, Xt, Y, curve, timings, counts, counting, say) -> dict:
    """Fit the path on all the data over the CV grid; glmnet's summary per alpha."""
    say("fitting the path on all the data")
    alphas, l1_ratio = curve["alphas"], curve["l1_ratio"]
    opts = _options(final, family)
    start = time.perf_counter()
    with counting(counts, "path"):
        _, coefs, intercepts, gaps, n_iters, converged = glm_path(
            Xt, Y, l1_ratio=l1_ratio, alphas=alphas, **opts
        )
    timings["path"] = time.perf_counter() - start
    n = Xt.shape[0]
    s = np.full(n, 1.0 / n)
    datafit = GLM_DATAFITS[family]
    b0 = datafit.null_intercept(Y, s) if opts["fit_intercept"] else np.zeros(Y.shape[1])
    null_dev = deviance(Y, np.zeros_like(Y) + b0, family)
    dev = np.array(
        [
            deviance(Y, linear_predictor(Xt, coefs[:, :, i], intercepts[:, i]), family)
            for i in range(len(alphas))
        ]
    )
    summary = summarise(coefs)
    classes = getattr(final, "classes_", None)
    return {
        "family": family,
        "score": curve["score"],
        "l1_ratio": l1_ratio,
        "alphas": np.asarray(alphas, dtype=np.float64),
        "n_nonzero": (summary != 0).sum(axis=0),
        "deviance_explained": 100.0 * (1.0 - dev / null_dev)
        if null_dev > 0
        else np.zeros(len(alphas)),
        "cv_mean": np.asarray(curve["cv_mean"], dtype=np.float64),
        "cv_se": np.asarray(curve["cv_se"], dtype=np.float64),
        "dual_gaps": np.asarray(gaps, dtype=np.float64),
        "n_iter": np.asarray(n_iters),
        "coefs": summary,
        "coef_summary": "coefficient"
        if coefs.shape[0] == 1
        else "l2 norm across classes",
        "classes": None if classes is None else [str(c) for c in classes],
        "alpha_min": curve["alpha_min"],
        "alpha_1se": curve["alpha_1se"],
        "alpha": curve["model_alpha"],
        "alpha_rule": None,
        "n_folds": int(np.shape(curve["scores"])[1]),
        "tol": final.tol,
        "null_deviance": null_dev,
        "y_variance": None,
        "path_alphas_above_tol": int(np.sum(~np.asarray(converged))),
    }


def display_path(final, Xt, y, l1_ratio, alphas):
    """Return ``(alphas, coefs, label)`` of a GLM's path for the path display."""
    family = family_of(final)
    _, Y = encode(final, family, y)
    if alphas is None:
        problem = _model_problem(Xt, Y, _options(final, family), l1_ratio)
        alphas = glm_alpha_grid(problem, N_ALPHAS, EPS)
    grid, coefs, *_ = glm_path(
        Xt, Y, l1_ratio=l1_ratio, alphas=alphas, **_options(final, family)
    )
    multi = coefs.shape[0] > 1
    label = "coefficient norm across classes" if multi else "coefficient"
    return grid, summarise(coefs), label


def model_coefs(final):
    """Return the model's coefficients ``(K, p)`` and intercepts ``(K,)``."""
    W = np.atleast_2d(np.asarray(final.coef_, dtype=np.float64))
    b = np.atleast_1d(np.asarray(final.intercept_, dtype=np.float64))
    return W, b


def fold_selection(final, family, Xt, y, Y, path, cv, timings, counts, counting, say):
    """Per-fold refits at the model's alpha: selection frequency, signs, accuracy.

    Returns ``(frequency, sign_consistency, cv_accuracy)``; the signs of a multinomial
    model are those of its per-class coefficients, so ``sign_consistency`` is ``NaN``
    there; ``cv_accuracy`` is ``None`` for the Poisson model.
    """
    say("refitting the path on each CV fold")
    alphas, model_alpha = path["alphas"], path["alpha"]
    i_min = int(np.argmin(np.abs(alphas - path["alpha_min"])))
    i_1se = int(np.argmin(np.abs(alphas - path["alpha_1se"])))
    grid = np.unique(np.r_[alphas[: max(i_min, i_1se) + 1], model_alpha])[::-1]
    i_model = int(np.flatnonzero(grid == model_alpha)[0])
    folds = _folds(final, Xt, y, cv)
    opts = _options(final, family)
    signs = np.zeros((len(folds), Xt.shape[1]))
    correct = 0.0
    start = time.perf_counter()
    with counting(counts, "folds"):
        for k, (train, test) in enumerate(folds):
            _, coefs, intercepts, *_ = glm_path(
                Xt[train], Y[train], l1_ratio=path["l1_ratio"], alphas=grid, **opts
            )
            W = coefs[:, :, i_model]
            signs[k] = np.sign(W[0]) if W.shape[0] == 1 else (W != 0).any(axis=0)
            if family != "poisson":
                eta = linear_predictor(Xt[test], W, intercepts[:, i_model])
                correct += accuracy(Y[test], eta, family) * len(test)
    timings["folds"] = time.perf_counter() - start
    n_sel = (signs != 0).sum(axis=0)
    if family == "multinomial":
        consistency = np.full(Xt.shape[1], np.nan)
    else:
        n_pos, n_neg = (signs > 0).sum(axis=0), (signs < 0).sum(axis=0)
        consistency = np.where(
            n_sel > 0, np.maximum(n_pos, n_neg) / np.maximum(n_sel, 1), np.nan
        )
    cv_accuracy = None
    if family != "poisson":
        cv_accuracy = correct / sum(len(test) for _, test in folds)
    return n_sel / len(folds), consistency, cv_accuracy


def feature_rows(final, names, path, Xt, freq, consistency, stab_prob, stable):
    """One dict per feature, as the linear report's, plus ``coef_by_class``."""
    W, _ = model_coefs(final)
    coef = summarise(W[:, :, None])[:, 0]
    alphas, coefs = path["alphas"], path["coefs"]
    i_min = int(np.argmin(np.abs(alphas - path["alpha_min"])))
    i_1se = int(np.argmin(np.abs(alphas - path["alpha_1se"])))
    nonzero = coefs != 0
    entry = np.where(nonzero.any(axis=1), alphas[np.argmax(nonzero, axis=1)], np.nan)
    x_std = Xt.std(axis=0)
    classes = path["classes"] if W.shape[0] > 1 else None
    rows = []
    for j, name in enumerate(names):
        row = feature_row(
            j, name, coef, (coefs, i_min, i_1se, x_std),
            (entry, freq, consistency, stab_prob, stable),
        )  # fmt: skip
        if classes is not None:
            row["coef_by_class"] = {c: float(W[k, j]) for k, c in enumerate(classes)}
        rows.append(row)
    return rows, coef


def model_convergence(final, family, Xt, Y, path) -> tuple[float, float, str]:
    """Return the model's duality gap, the gap to reach, and that rule."""
    problem = _model_problem(Xt, Y, _options(final, family), path["l1_ratio"])
    problem.set_penalty(path["alpha"], path["l1_ratio"])
    W, b = model_coefs(final)
    if W.shape[0] > 1:
        b = b - b.mean()
    eta = problem.linear_predictor(W, b)
    gap, primal = problem.dual_gap(W, eta)
    tol = final.tol
    threshold = problem.threshold(tol, DEFAULT_REL_TOL, primal)
    rule = (
        "1e-6 relative duality gap (tol=None)"
        if tol is None
        else f"tol={tol:g} relative duality gap"
    )
    return float(gap), float(threshold), rule


def stability_section(final, family, Xt, Y, path, names, options, timings, say):
    """Stability selection of the GLM: its path fitted on complementary halves."""
    from skreg.reports._stability import ASSUMPTIONS, stability_path, stable_set

    n_bootstrap = options["n_bootstrap"]
    if n_bootstrap <= 0:
        return None, np.full(len(names), np.nan), np.zeros(len(names), dtype=bool)
    alphas = path["alphas"]
    i_min = int(np.argmin(np.abs(alphas - path["alpha_min"])))
    i_1se = int(np.argmin(np.abs(alphas - path["alpha_1se"])))
    last = max(i_min, i_1se)
    n_grid = min(40, last + 1)
    idx = np.unique(np.r_[np.round(np.linspace(0, last, n_grid)).astype(int), i_1se])
    threshold, max_selected = options["threshold"], options["max_selected"]
    say(f"stability selection: {n_bootstrap} subsamples")
    start = time.perf_counter()
    result = stability_path(
        Xt, Y, alphas=alphas[idx], l1_ratio=path["l1_ratio"],
        n_bootstrap=n_bootstrap, weakness=options["weakness"], tol=final.tol,
        max_iter=int(final.max_iter), n_jobs=options["n_jobs"],
        random_state=options["random_state"], family=family,
        penalty_factor=final.penalty_factor, positive=bool(final.positive),
    )  # fmt: skip
    timings["stability"] = time.perf_counter() - start
    out = stable_set(result, threshold=threshold, max_selected=max_selected)
    region = result.alphas[: out["n_region"]]
    weakness = options["weakness"]
    p = len(names)
    stability = {
        "method": "complementary pairs"
        + (f", randomized (weakness {weakness:g})" if weakness < 1 else ""),
        "alphas": result.alphas,
        "probabilities": result.selection_probabilities,
        "threshold": float(threshold),
        "n_subsamples": int(result.n_subsamples),
        "subsample_size": int(result.subsample_size),
        "weakness": float(weakness),
        "n_region": int(out["n_region"]),
        "region": [float(region[0]), float(region[-1])],
        "q": float(out["q"]),
        "q_cap": float(out["q_cap"]),
        "max_selected": max_selected,
        "bound": float(out["bound"]),
        "bound_formula": (
            f"E[V] <= q^2 / ((2 pi_thr - 1) p) = {out['q']:.4g}^2 / "
            f"((2 * {threshold:g} - 1) * {p}) = {out['bound']:.4g}"
        ),
        "stable": [n for n, s in zip(names, out["support"], strict=True) if s],
        "assumptions": ASSUMPTIONS,
        "n_convergence_warnings": int(result.n_convergence_warnings),
    }
    return stability, out["max_probabilities"], out["support"]
