"""The report's section for the MLP input selectors (``RegularizedMLP*CV``).

Read from the fitted estimator's public attributes only: the selected inputs
(``support_``), the alpha at which each input leaves the path (``exit_alphas_``), the
validation curve along the path (``cv_score_path_``, ``cv_score_se_``, with
``alpha_min_`` and the one-standard-error choice ``alpha_1se_``), the penalized
network's training and validation losses along the path, and the learning curves of
the relaxed refit (``refit_curves_``).

Stability over subsamples refits the selector on complementary halves of the rows
(Shah & Samworth 2013), each a clone with the same grid (``alphas=alphas_``), a
validation split inside the half (``cv=None``) and no relaxed refit
(``refit="penalized"``: only its selection is read). Per input it gives the fraction of
halves whose own choice selects it, and the selection probability at every point of
the path. Each half costs about one path on half the rows: see the figures measured
in the command's help.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from skreg.neural_network import RegularizedMLPClassifierCV, RegularizedMLPRegressorCV

MLP_CV_MODELS = (RegularizedMLPRegressorCV, RegularizedMLPClassifierCV)


def is_mlp_cv(final) -> bool:
    return isinstance(final, MLP_CV_MODELS)


def _importances(final, p):
    """Return the refit network's input importances, placed at the selected inputs."""
    out = np.zeros(p)
    est = getattr(final, "estimator_", None)
    imp = getattr(est, "feature_importances_", None)
    mask = np.asarray(final.support_, dtype=bool)
    if imp is not None and np.size(imp) == mask.sum():
        out[mask] = np.asarray(imp, dtype=np.float64).ravel()
    else:
        out[mask] = 1.0
    return out


def _fit_half(final, X, y, rows, seed):
    est = clone(final).set_params(
        alphas=np.asarray(final.alphas_), cv=None, refit="penalized", random_state=seed
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        est.fit(X[rows], y[rows])
    n_warn = sum(issubclass(w.category, ConvergenceWarning) for w in caught)
    # Align the half's path with the full one (the same grid, unless it stopped early).
    idx = np.clip(np.searchsorted(est.alphas_, final.alphas_), 0, len(est.alphas_) - 1)
    return est.support_path_[idx].T, est.support_, n_warn


def stability(final, X, y, n_bootstrap, random_state, n_jobs, say) -> dict:
    """Complementary-pairs refits of the selector (see the module docstring)."""
    rng = check_random_state(random_state)
    n = X.shape[0]
    half = n // 2
    n_pairs = max(1, -(-n_bootstrap // 2))
    draws = []
    for _ in range(n_pairs):
        perm = rng.permutation(n)
        for rows in (np.sort(perm[:half]), np.sort(perm[half : 2 * half])):
            draws.append((rows, int(rng.randint(np.iinfo(np.int32).max))))
    say(f"stability over subsamples: {len(draws)} refits of the selector")
    start = time.perf_counter()
    results = Parallel(n_jobs=n_jobs, prefer="threads")(
        delayed(_fit_half)(final, X, y, rows, seed) for rows, seed in draws
    )
    paths = np.stack([r[0] for r in results])  # (n_subsamples, p, n_points)
    chosen = np.stack([r[1] for r in results])  # (n_subsamples, p)
    i_model = int(np.argmin(np.abs(np.asarray(final.alphas_) - final.alpha_)))
    probabilities = paths.mean(axis=0)
    return {
        "method": "complementary pairs: the selector refitted on halves of the rows",
        "n_subsamples": len(draws),
        "subsample_size": half,
        "alphas": np.asarray(final.alphas_, dtype=np.float64),
        "probabilities": probabilities,
        "at_model_alpha": probabilities[:, i_model],
        "selected_frequency": chosen.mean(axis=0),
        "n_convergence_warnings": int(sum(r[2] for r in results)),
        "seconds": time.perf_counter() - start,
    }


def section(final, X, y, names, options, timings, say) -> dict:
    """Compute the ``mlp`` section of a report on a ``RegularizedMLP*CV``."""
    p = len(names)
    mask = np.asarray(final.support_, dtype=bool)
    scores = np.asarray(final.cv_score_path_, dtype=np.float64)
    curves = getattr(final, "refit_curves_", None) or {}
    stab = None
    if options["n_bootstrap"] > 0:
        stab = stability(
            final, X, y, options["n_bootstrap"], options["random_state"],
            options["n_jobs"], say,
        )  # fmt: skip
        timings["stability"] = stab["seconds"]
    exit_alphas = np.asarray(final.exit_alphas_, dtype=np.float64)
    return {
        "kind": "cv",
        "model": type(final).__name__,
        "feature_names": list(names),
        "importances": _importances(final, p),
        "selected_mask": mask,
        "selected": [n for n, s in zip(names, mask, strict=True) if s],
        "n_features_selected": int(mask.sum()),
        "exit_alphas": exit_alphas,
        "selection": final.selection,
        "refit": {
            "kind": final.refit,
            "alpha": getattr(final, "refit_alpha_", None),
            "dropout": getattr(final, "refit_dropout_", None),
            "init": getattr(final, "refit_init_", None),
        },
        "path": {
            "alphas": np.asarray(final.alphas_, dtype=np.float64),
            "n_features": np.asarray(final.n_features_path_),
            "cv_mean": scores.mean(axis=1),
            "cv_se": np.asarray(final.cv_score_se_, dtype=np.float64),
            "n_folds": int(scores.shape[1]),
            "train_loss": np.asarray(final.train_loss_path_, dtype=np.float64),
            "validation_loss": np.asarray(
                final.validation_loss_path_, dtype=np.float64
            ),
            "alpha": float(final.alpha_),
            "alpha_min": float(final.alpha_min_),
            "alpha_1se": float(final.alpha_1se_),
            "score": "held-out loss",
        },
        "best_epoch": curves.get("best_epoch"),
        "train_loss_curve": None
        if curves.get("train") is None
        else np.asarray(curves["train"], dtype=np.float64),
        "validation_loss_curve": None
        if curves.get("validation") is None
        else np.asarray(curves["validation"], dtype=np.float64),
        "stability": stab,
    }
