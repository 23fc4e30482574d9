"""The answer first: the headline of a report and its diagnostics as structured items.

Both renderers (text and HTML) lay out the same items, so a sentence is never rebuilt
by splitting wrapped text, and a warning is one item, reported once.
"""

from __future__ import annotations

import math

import numpy as np

from skreg.reports._format import clean_text, fmt, fmt_gap, fmt_params, nearest

# Fewer than this fraction of the selected features in the stable set is a warning.
_UNSTABLE_FRACTION = 0.5


# The GLM families as the headline names them.
GLM_FAMILY_NAMES = {
    "binomial": "logistic regression (binomial)",
    "multinomial": "multinomial logistic regression",
    "poisson": "Poisson regression (log link)",
}


def _family(report) -> str:
    if report.path is None:
        return "neural network (input-feature selection)"
    l1_ratio = float(report.path["l1_ratio"])
    penalty = (
        "lasso (L1)"
        if l1_ratio >= 1.0
        else f"elastic net (l1_ratio {fmt(l1_ratio, 3)})"
    )
    glm = report.path.get("family")
    if glm is None:
        return penalty
    return f"{GLM_FAMILY_NAMES[glm]}, {penalty.replace('lasso (L1)', 'L1 penalty')}"


def headline(report) -> dict:
    """See :attr:`FeatureSelectionReport.headline`."""
    prov = report.provenance
    n_features = len(report.feature_names)
    out = {
        "model": prov["model"],
        "estimator": prov["estimator"],
        "family": _family(report),
        "n_selected": len(report.selected),
        "n_features": n_features,
        "penalty": (prov.get("penalty") or {}).get("summary"),
        "alpha": None,
        "cv_mse": None,
        "cv_rmse": None,
        "cv_r2": None,
        "n_folds": None,
        "glm_family": None,
        "cv_deviance": None,
        "cv_deviance_se": None,
        "cv_deviance_explained": None,
        "cv_accuracy": None,
        "n_stable": None,
        "n_selected_stable": None,
        "bound": None,
        "banners": [],
    }
    path = report.path
    if path is not None and path.get("family") is not None:
        out.update(_glm_scores(path))
    elif path is not None:
        i = nearest(path["alphas"], path["alpha"])
        mse = float(path["cv_mean"][i])
        var = float(path.get("y_variance", np.nan))
        out.update(
            alpha=float(path["alpha"]),
            cv_mse=mse,
            cv_rmse=math.sqrt(mse) if mse >= 0 else None,
            cv_r2=1.0 - mse / var if var > 0 else None,
            n_folds=int(path["n_folds"]),
        )
    st = report.stability
    if st is not None:
        stable = set(st["stable"])
        out.update(
            n_stable=len(stable),
            n_selected_stable=len(stable.intersection(report.selected)),
            bound=float(st["bound"]),
        )
    out["banners"] = _banners(report, out)
    return out


def _glm_scores(path) -> dict:
    """Return the GLM's CV scores at the model's alpha (see ``_glm``)."""
    i = nearest(path["alphas"], path["alpha"])
    cv = np.asarray(path["cv_mean"], dtype=float)
    out = {
        "alpha": float(path["alpha"]),
        "n_folds": int(path["n_folds"]),
        "glm_family": path["family"],
        "cv_accuracy": path.get("cv_accuracy"),
    }
    if path.get("score") == "deviance":
        out["cv_deviance"] = float(cv[i])
        out["cv_deviance_se"] = float(path["cv_se"][i])
        # Share of the null model's held-out deviance (the grid starts at alpha_max,
        # where no feature is in the model) explained at the model's alpha.
        if path["n_nonzero"][0] == 0 and cv[0] > 0:
            out["cv_deviance_explained"] = float(1.0 - cv[i] / cv[0])
    return out


def _banners(report, head) -> list[dict]:
    banners = []
    d = report.diagnostics
    if d is not None:
        n_warn = _n_warnings(d)
        if not d["model_converged"]:
            banners.append(
                {
                    "kind": "convergence",
                    "title": "NOT converged",
                    "text": (
                        f"the model's duality gap {fmt_gap(d['model_dual_gap'])} is "
                        f"above the tolerance {d['tol_scaled']:.2e} after "
                        f"{d['model_n_iter']} epochs (max_iter {d['max_iter']}): its "
                        "coefficients, and so the selection, are not final. Raise "
                        "max_iter, loosen tol, or standardize the features."
                    ),
                }
            )
        elif n_warn or d["path_alphas_above_tol"]:
            banners.append(
                {
                    "kind": "path",
                    "title": "Path not fully converged",
                    "text": (
                        f"the model converged, but {d['path_alphas_above_tol']} path "
                        f"alphas ended above tolerance ({n_warn} convergence warnings "
                        "counted): the path summary and stability figures at those "
                        "alphas are approximate."
                    ),
                }
            )
    path = report.path
    if path is not None:
        i_min = nearest(path["alphas"], path["alpha_min"])
        n = len(path["alphas"])
        if n > 1 and i_min == n - 1:
            banners.append(
                {
                    "kind": "edge",
                    "title": "alpha_min at the edge of the grid",
                    "text": (
                        f"the CV error is lowest at the smallest alpha tried "
                        f"({fmt(path['alpha_min'])}): it may fall further below the "
                        "grid. Extend the grid (a smaller eps, or alphas=) before "
                        "trusting alpha_min."
                    ),
                }
            )
        elif n > 1 and i_min == 0:
            banners.append(
                {
                    "kind": "edge",
                    "title": "alpha_min at the edge of the grid",
                    "text": (
                        "the CV error is lowest at the largest alpha, where no "
                        "feature is selected: no feature beats predicting the mean."
                    ),
                }
            )
    n_sel, n_stable_sel = head["n_selected"], head["n_selected_stable"]
    if n_stable_sel is not None and n_sel > 0:
        if n_stable_sel < _UNSTABLE_FRACTION * n_sel:
            banners.append(
                {
                    "kind": "unstable",
                    "title": "Unstable selection",
                    "text": (
                        f"only {n_stable_sel} of the {n_sel} selected features are in "
                        "the stable set: the others come and go with the sample. "
                        "Read the stable set (and the collinear groups) rather than "
                        "the whole selection."
                    ),
                }
            )
    return banners


def _n_warnings(d) -> int:
    return (
        int(d["n_convergence_warnings"])
        + int(d.get("model_fit_convergence_warnings") or 0)
        + int(d.get("stability_convergence_warnings") or 0)
    )


def headline_lines(report) -> list[str]:
    """Return the headline as short plain-text lines (not wrapped)."""
    h = headline(report)
    prov = report.provenance
    target = (
        f', target "{clean_text(prov["target"], 40)}"' if prov.get("target") else ""
    )
    lines = [
        f"{h['estimator']}: {h['family']}, {prov['n_samples']} samples x "
        f"{h['n_features']} features{target}"
    ]
    family_note = prov.get("family_reason")
    if family_note:
        lines.append(f"Family: {family_note}")
    if h["penalty"]:
        lines.append(f"Fitted with {h['penalty']}")
    if h["glm_family"] is not None:
        lines.append(_glm_score_line(h, report.path))
    if h["cv_mse"] is not None:
        r2 = "-" if h["cv_r2"] is None else f"{h['cv_r2']:.3f}"
        lines.append(
            f"CV R^2 {r2}, RMSE {fmt(h['cv_rmse'])} (MSE {fmt(h['cv_mse'])}) at the "
            f"model's alpha {fmt(h['alpha'])}, {h['n_folds']}-fold"
        )
    search = prov.get("search")
    if search:
        lines.append(
            f"Best of {search['n_candidates']} candidates: "
            f"{fmt_params(search['best_params'])} (search score "
            f"{fmt(search['best_score'])})"
        )
    sel = f"Selected {h['n_selected']} of {h['n_features']} features"
    if h["n_selected_stable"] is not None:
        sel += (
            f"; {h['n_selected_stable']} of them stable (stable set "
            f"{h['n_stable']}, expected false selections <= {fmt(h['bound'], 3)})"
        )
    lines.append(sel)
    return lines


def _glm_score_line(h, path) -> str:
    parts = []
    if h["cv_deviance"] is not None:
        dev = (
            f"CV deviance {fmt(h['cv_deviance'], 4)} +/- {fmt(h['cv_deviance_se'], 2)}"
        )
        if h["cv_deviance_explained"] is not None:
            dev += f" ({100 * h['cv_deviance_explained']:.1f}% of the null's explained)"
        parts.append(dev)
    else:
        parts.append(f"CV score ({path['score']}) {fmt(path['cv_mean'][0], 4)}")
    if h["cv_accuracy"] is not None:
        parts.append(f"CV accuracy {h['cv_accuracy']:.3f}")
    return (
        ", ".join(parts) + f" at the model's alpha {fmt(h['alpha'])}, "
        f"{h['n_folds']}-fold"
    )


def diagnostic_items(report) -> list[dict]:
    """Return the diagnostics as ``{"level", "title", "text"}`` items."""
    d = report.diagnostics
    if d is None:
        return []
    items = []
    converged = d["model_converged"]
    items.append(
        {
            "level": "ok" if converged else "warn",
            "title": "Convergence" if converged else "Convergence: NOT converged",
            "text": (
                f"model duality gap {fmt_gap(d['model_dual_gap'])} vs tolerance "
                f"{d['tol_scaled']:.2e} ({d['tol_rule']}) after {d['model_n_iter']} "
                f"epochs (max_iter {d['max_iter']}): "
                + ("converged." if converged else "NOT converged.")
            ),
        }
    )
    above = d["path_alphas_above_tol"]
    items.append(
        {
            "level": "warn" if above else "ok",
            "title": "Path",
            "text": f"{above} alphas of the path ended above tolerance.",
        }
    )
    stab = d.get("stability_convergence_warnings")
    n_warn = _n_warnings(d)
    items.append(
        {
            "level": "warn" if n_warn else "ok",
            "title": "Warnings",
            "text": (
                f"{n_warn} convergence warnings, counted here instead of printed: "
                f"{d.get('model_fit_convergence_warnings') or 0} in the model fit, "
                f"{d['n_convergence_warnings']} in the CV curve, path and fold "
                "refits"
                + ("" if stab is None else f", {stab} in stability selection")
                + "."
            ),
        }
    )
    items.append(_collinearity_item(d))
    if d["vif"]:
        worst = max(d["vif"], key=d["vif"].get)
        items.append(
            {
                "level": "warn" if d["vif"][worst] > 10 else "ok",
                "title": "Variance inflation",
                "text": (
                    f"largest factor {d['vif'][worst]:.3g} ({clean_text(worst, 40)})."
                ),
            }
        )
    return items


def _collinearity_item(d) -> dict:
    groups = d["collinear_groups"]
    thr = f"|r| >= {d['collinearity_threshold']:g}"
    if not groups:
        return {
            "level": "ok",
            "title": "Collinear groups",
            "text": f"none among the selected features ({thr}).",
        }
    pairs = "; ".join(
        f"{clean_text(a, 30)}~{clean_text(b, 30)} r={r:+.2f}"
        for a, b, r in d["collinear_pairs"]
    )
    listed = ", ".join(
        "{" + ", ".join(clean_text(n, 30) for n in g) + "}" for g in groups
    )
    return {
        "level": "warn",
        "title": "Collinear groups",
        "text": (
            f"among the selected features ({thr}): {listed} ({pairs}). Within a "
            "group the lasso's choice is unstable; read the group, not the member."
        ),
    }
