"""The fixed-width text report (``str(report)``), at most :data:`WIDTH` columns."""

from __future__ import annotations

import numpy as np

from skreg.reports._format import (
    WIDTH,
    clean_text,
    distinct_labels,
    fmt,
    fmt_gap,
    fmt_params,
    nearest,
    ordered_features,
    path_rows,
    table,
    wrap,
)
from skreg.reports._format import names_text as _names
from skreg.reports._summary import diagnostic_items, headline, headline_lines

# Names get the room the numbers leave, between these bounds (then a middle ellipsis).
_MIN_NAME, _MAX_NAME = 14, 40
# Per-class coefficient columns of a multinomial model, up to this many classes.
_MAX_CLASS_COLUMNS = 3


def to_text(report, *, max_rows: int = 20) -> str:
    """See :meth:`FeatureSelectionReport.to_text`."""
    lines = ["skreg feature-selection report", "=" * 30]
    for line in headline_lines(report):
        lines.extend(wrap(line))
    for banner in headline(report)["banners"]:
        lines.extend(wrap(f"!! {banner['title']}: {banner['text']}"))
    lines.append("")
    path = report.path
    if path is not None:
        lines.extend(_features_text(report))
        lines.append("")
        lines.extend(_path_text(report, max_rows))
    if report.stability is not None:
        lines.append("")
        lines.extend(_stability_text(report))
    if report.diagnostics is not None:
        lines.append("")
        lines.extend(_diagnostics_text(report))
    if report.mlp is not None:
        lines.append("")
        lines.extend(_mlp_text(report))
    lines.append("")
    lines.extend(_provenance_text(report))
    return "\n".join(lines) + "\n"


def _provenance_text(report) -> list[str]:
    prov = report.provenance
    lines = ["Provenance", "----------"]
    target = (
        f', target "{clean_text(prov["target"], 40)}"' if prov.get("target") else ""
    )
    lines.append(
        f"Data       : {prov['n_samples']} samples x {prov['n_features']} "
        f"features{target}"
    )
    lines.append(f"Estimator  : {prov['estimator']} (model: {prov['model']})")
    if prov.get("search"):
        s = prov["search"]
        lines.extend(
            wrap(
                f"Search     : {s['type']}, {s['n_candidates']} candidates x "
                f"{s['n_splits']} folds; best {fmt_params(s['best_params'])} "
                f"(score {fmt(s['best_score'])})"
            )
        )
    path = report.path
    if path is not None:
        rule = f", alpha_rule={path['alpha_rule']!r}" if path["alpha_rule"] else ""
        lines.extend(
            wrap(
                f"Model alpha: {fmt(path['alpha'])} (l1_ratio {fmt(path['l1_ratio'])}"
                f"{rule}); alpha_min {fmt(path['alpha_min'])}, alpha_1se "
                f"{fmt(path['alpha_1se'])} from {path['n_folds']}-fold CV"
            )
        )
    v = prov["versions"]
    versions = (
        ", ".join(f"{k} {v[k]}" for k in v if v[k]) + f", Python {prov['python']}"
    )
    lines.extend(wrap(f"Versions   : {versions}"))
    times = ", ".join(f"{k} {t:.2f} s" for k, t in prov["fit_times"].items())
    lines.extend(wrap(f"Fit times  : {times}"))
    lines.append(f"Created    : {prov['created']}")
    if prov.get("source"):
        lines.extend(wrap(f"Source     : {clean_text(prov['source'], 200)}"))
    for note in prov.get("input_notes") or ():
        lines.extend(wrap(f"Input      : {clean_text(note)}"))
    return lines


def _name_table(header, names, rows, aligns) -> list[str]:
    """Lay out a table of names (first column) in the room the numbers leave.

    Names longer than that room are cut in the middle (keeping the end, which tells
    one-hot levels apart) and kept distinct (:func:`distinct_labels`).
    """
    others = [
        max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(str(h))
        for i, h in enumerate(header[1:])
    ]
    room = WIDTH - sum(others) - len(others)
    longest = max([len(header[0]), *(len(clean_text(n)) for n in names)])
    width = min(longest, _MAX_NAME, max(room, _MIN_NAME))
    labels = distinct_labels(names, width)
    return table(header, [[lab, *r] for lab, r in zip(labels, rows, strict=True)],
                 aligns)  # fmt: skip


def _features_text(report) -> list[str]:
    path = report.path
    n_sel, p = len(report.selected), len(report.feature_names)
    lines = [
        f"Selected features: {n_sel} of {p} (non-zero at the model's alpha "
        f"{fmt(path['alpha'])})"
    ]
    lines.append("-" * len(lines[0]))
    # The model's own coefficients get a column when its alpha is neither alpha_min
    # nor alpha_1se (a plain ElasticNet, or a search's best model).
    own = not np.isclose(path["alpha"], [path["alpha_min"], path["alpha_1se"]]).any()
    # A multinomial model: per-feature L2 norms across the classes, no single sign,
    # and (for a few classes) the per-class coefficients at the model's alpha.
    multi = path.get("coef_summary") == "l2 norm across classes"
    classes = list(path.get("classes") or []) if multi else []
    shown_classes = classes if len(classes) <= _MAX_CLASS_COLUMNS else []
    c = "|c|" if multi else "coef"
    header = [
        "feature", "sel", *([c] if own else []), f"{c}@min", f"{c}@1se",
        "std@min", "enters@", "CV freq", *([] if multi else ["sign"]), "P(stab)",
        *(f"[{clean_text(k, 8)}]" for k in shown_classes),
    ]  # fmt: skip
    feats = ordered_features(report)
    rows = []
    for f in feats:
        stab = "-" if f["stability"] is None else fmt(f["stability"], 2)
        if f["stable"]:
            stab += "*"
        by_class = f.get("coef_by_class") or {}
        rows.append(
            [
                "yes" if f["selected"] else "",
                *([fmt(f["coef"], 3)] if own else []),
                fmt(f["coef_min"], 3),
                fmt(f["coef_1se"], 3),
                fmt(f["std_coef_min"], 3),
                fmt(f["entry_alpha"], 3),
                f"{f['cv_frequency']:.2f}",
                *([] if multi else [fmt(f["sign_consistency"], 2)]),
                stab,
                *(fmt(by_class.get(k), 3) for k in shown_classes),
            ]
        )
    names = [f["name"] for f in feats]
    lines.extend(_name_table(header, names, rows, "<<" + ">" * (len(header) - 2)))
    if multi:
        note = (
            "|c|: the L2 norm of a feature's coefficients across the classes (a "
            "feature is selected when any class uses it); "
            + (
                "[class]: its coefficient for that class at the model's alpha; "
                if shown_classes
                else f"the {len(classes)} per-class coefficients are in to_json() "
                "and to_frame(); "
            )
        )
    else:
        note = "coef@min / coef@1se: coefficients at alpha_min and alpha_1se; "
    glm = path.get("family") is not None
    lines.extend(
        wrap(
            ("coef: the model's coefficients; " if own else "")
            + note
            + ("(on the link scale) " if glm else "")
            + "std@min: coef@min times the feature's standard deviation; enters@: "
            "largest alpha with a non-zero coefficient; CV freq: fraction of CV "
            "folds selecting the feature at the model's alpha; "
            + ("" if multi else "sign: fraction of those with the majority sign; ")
            + "P(stab): stability-selection probability (max over the region), "
            "* marks the stable set. Long names are cut in the middle (…); "
            "to_json() and to_frame() hold them whole."
        )
    )
    return lines


def _path_text(report, max_rows) -> list[str]:
    path = report.path
    rows_idx = path_rows(path, max_rows)
    n = len(path["alphas"])
    title = (
        f"Regularization path (l1_ratio {fmt(path['l1_ratio'])}; {len(rows_idx)} of "
        f"{n} alphas shown)"
    )
    lines = [title, "-" * len(title)]
    glm = path.get("family") is not None
    score = "CV dev." if glm else "CV MSE"
    header = ["", "alpha", "Df", "%Dev", score, "+/- SE", "dual gap"]
    i_min = nearest(path["alphas"], path["alpha_min"])
    i_1se = nearest(path["alphas"], path["alpha_1se"])
    rows = []
    for i in rows_idx:
        mark = "min" if i == i_min else ("1se" if i == i_1se else "")
        rows.append(
            [
                mark,
                fmt(path["alphas"][i]),
                int(path["n_nonzero"][i]),
                f"{path['deviance_explained'][i]:.2f}",
                fmt(path["cv_mean"][i], 5),
                fmt(path["cv_se"][i], 3),
                fmt_gap(path["dual_gaps"][i]),
            ]
        )
    lines.extend(table(header, rows, "<>>>>>>"))
    if glm:
        text = (
            "Df: features with a non-zero coefficient; %Dev: percentage of the null "
            "model's deviance explained on all the data; CV dev. +/- SE: held-out "
            f"mean {path['score']} over the folds and its standard error (glmnet's "
            "cv.glmnet); the full table is in to_json() / to_frame('path')."
        )
    else:
        text = (
            "Df: non-zero coefficients; %Dev: percentage of the (centred) sum of "
            "squares explained on all the data; CV MSE +/- SE: held-out mean squared "
            "error over the folds and its standard error; the full table is in "
            "to_json() / to_frame('path')."
        )
    lines.extend(wrap(text))
    return lines


def _stability_text(report) -> list[str]:
    st = report.stability
    p = len(report.feature_names)
    title = (
        f"Stability selection ({st['method']}: {st['n_subsamples']} subsamples of "
        f"{st['subsample_size']} rows)"
    )
    lines = [title, "-" * len(title)]
    alphas = np.asarray(st["alphas"])
    lines.extend(
        wrap(
            f"Region: the first {st['n_region']} of {len(alphas)} alphas, from "
            f"{fmt(st['region'][0])} down to {fmt(st['region'][1])}, where q stays at "
            f"most {fmt(st['q_cap'], 3)} (max_selected={st['max_selected']!r})."
        )
    )
    lines.append(
        f"q = {fmt(st['q'], 3)} features selected per subsample on the region; "
        f"p = {p}; threshold {fmt(st['threshold'])}"
    )
    lines.extend(wrap(f"Bound: {st['bound_formula']}"))
    stable = ", ".join(_names(st["stable"])) if st["stable"] else "none"
    lines.extend(wrap(f"Stable set ({len(st['stable'])}): {stable}"))
    lines.extend(wrap(f"Assumptions: {st['assumptions']}"))
    probs = np.asarray(st["probabilities"])
    n_cols = min(8, len(alphas))
    cols = np.unique(np.round(np.linspace(0, len(alphas) - 1, n_cols)).astype(int))
    lines.append("")
    lines.append("Selection probability by alpha (columns evenly spaced on the grid):")
    header = ["feature", *(fmt(alphas[c], 3) for c in cols)]
    order = np.argsort(-probs.mean(axis=1), kind="stable")  # earliest entry first
    rows = [[f"{probs[j, c]:.2f}" for c in cols] for j in order]
    names = [report.feature_names[j] for j in order]
    lines.extend(_name_table(header, names, rows, "<" + ">" * len(cols)))
    return lines


def _diagnostics_text(report) -> list[str]:
    lines = ["Diagnostics", "-----------"]
    for item in diagnostic_items(report):
        lines.extend(wrap(f"{item['title']}: {item['text']}"))
    return lines


def _mlp_text(report) -> list[str]:
    m = report.mlp
    title = f"Input-feature selection of {m['model']}"
    lines = [title, "-" * len(title)]
    lines.extend(
        wrap(
            f"{len(m['selected'])} of {len(m['feature_names'])} inputs have non-zero "
            f"first-layer weights: {', '.join(_names(m['selected'])) or 'none'}"
        )
    )
    if m.get("best_epoch") is not None:
        lines.append(f"Best epoch: {m['best_epoch']}")
    if m.get("kind") == "cv":
        return lines + _mlp_cv_text(m)
    header = ["input", "importance", "selected"]
    order = np.argsort(-np.asarray(m["importances"]), kind="stable")
    rows = [
        [fmt(float(m["importances"][j])), "yes" if m["selected_mask"][j] else ""]
        for j in order
    ]
    names = [m["feature_names"][j] for j in order]
    lines.extend(_name_table(header, names, rows, "<><"))
    return lines


def _mlp_cv_text(m) -> list[str]:
    """Lay out the inputs of an MLP selector: exit alphas, stability, the path."""
    p, st = m["path"], m["stability"]
    lines = wrap(
        f"alpha {fmt(p['alpha'])} chosen by the {m['selection']} rule (alpha_min "
        f"{fmt(p['alpha_min'])}, alpha_1se {fmt(p['alpha_1se'])}, "
        f"{p['n_folds']} validation split(s)); refit {m['refit']['kind']}"
    )
    exit_alphas = np.asarray(m["exit_alphas"], dtype=float)
    order = np.lexsort((-np.asarray(m["importances"]), -exit_alphas))
    header = ["input", "sel", "leaves@", "importance"]
    if st is not None:
        header += ["P(sel)", "P@alpha"]
    rows = []
    for j in order:
        row = [
            "yes" if m["selected_mask"][j] else "",
            "never" if np.isinf(exit_alphas[j]) else fmt(exit_alphas[j], 3),
            fmt(float(m["importances"][j]), 3),
        ]
        if st is not None:
            row += [
                f"{st['selected_frequency'][j]:.2f}",
                f"{st['at_model_alpha'][j]:.2f}",
            ]
        rows.append(row)
    names = [m["feature_names"][j] for j in order]
    lines.extend(_name_table(header, names, rows, "<<" + ">" * (len(header) - 2)))
    note = (
        "leaves@: the alpha at which the input leaves the path for good; importance: "
        "the refit network's input importance"
    )
    if st is not None:
        note += (
            f"; P(sel): fraction of {st['n_subsamples']} selectors refitted on halves "
            f"of the rows ({st['subsample_size']} rows) that select the input; "
            "P@alpha: fraction whose path keeps it at the chosen alpha"
        )
    lines.extend(wrap(note + "."))
    lines.append("")
    title = "Validation curve along the path (alpha increasing, inputs leaving)"
    lines += [title, "-" * len(title)]
    rows_idx = np.unique(
        np.round(np.linspace(0, len(p["alphas"]) - 1, min(20, len(p["alphas"]))))
    ).astype(int)
    i_min = nearest(p["alphas"], p["alpha_min"])
    i_1se = nearest(p["alphas"], p["alpha_1se"])
    rows_idx = np.unique(np.r_[rows_idx, i_min, i_1se])
    rows = []
    for i in rows_idx:
        mark = "min" if i == i_min else ("1se" if i == i_1se else "")
        rows.append(
            [mark, fmt(p["alphas"][i]), int(p["n_features"][i]),
             fmt(p["cv_mean"][i], 4), fmt(p["cv_se"][i], 2),
             fmt(p["train_loss"][i], 4), fmt(p["validation_loss"][i], 4)]
        )  # fmt: skip
    lines.extend(
        table(
            ["", "alpha", "inputs", "held-out", "+/- SE", "train", "valid."],
            rows,
            "<>>>>>>",
        )
    )
    lines.extend(
        wrap(
            "held-out: the loss that chooses alpha (the relaxed network's on the "
            "sparse side with refit='relaxed'); train / valid.: the penalized "
            "network's data losses."
        )
    )
    return lines
