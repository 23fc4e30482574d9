"""The self-contained HTML report: the answer first, then tables, figures, provenance.

The page runs no script and loads nothing (see :data:`CSP` and SECURITY.md): tables
are sorted on the server (selected features first, by the size of their standardized
coefficient), long names are cut in the middle with the full name on hover (``title``),
and the figures are inline PNGs drawn without pyplot.
"""

from __future__ import annotations

import base64
import html
import io
import json
import warnings
from pathlib import Path

import numpy as np

from skreg.reports._format import (
    clean_text,
    fmt,
    fmt_gap,
    fmt_params,
    nearest,
    ordered_features,
    path_rows,
    plain,
    shorten_middle,
)
from skreg.reports._io import write_atomic
from skreg.reports._summary import diagnostic_items, headline

# Every rule is scoped to .skreg-report, so the notebook view styles nothing else.
_CSS = """
.skreg-report{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;
margin:1.5em auto;max-width:72em;padding:0 1em;color:#222;line-height:1.4}
.skreg-report h1{font-size:1.45em;margin:.2em 0 .4em}
.skreg-report h2{font-size:1.15em;border-bottom:1px solid #ccc;margin-top:1.6em}
.skreg-report .headline{border:1px solid #d8dee4;border-radius:6px;
padding:.8em 1em;background:#f6f8fa}
.skreg-report .headline .model{margin:0 0 .6em;font-size:1.02em}
.skreg-report .kpis{display:flex;flex-wrap:wrap;gap:.6em 2.2em}
.skreg-report .kpi .v{font-size:1.55em;font-weight:650;line-height:1.15}
.skreg-report .kpi .k{font-size:.82em;color:#555}
.skreg-report .banner{margin:.6em 0 0;padding:.45em .8em;border-radius:4px;
border-left:5px solid #d29922;background:#fff8e1}
.skreg-report .banner.convergence{border-left-color:#cf222e;background:#ffebe9}
.skreg-report table{border-collapse:collapse;margin:.6em 0;font-size:.88em}
.skreg-report th,.skreg-report td{padding:.22em .55em;border-bottom:1px solid #e4e4e4;
text-align:right;vertical-align:top}
.skreg-report th{font-weight:600;white-space:normal;max-width:7.5em;
vertical-align:bottom;border-bottom:2px solid #bbb}
.skreg-report th:first-child,.skreg-report td:first-child{text-align:left}
.skreg-report td.name{max-width:22em;overflow-wrap:anywhere}
.skreg-report tr.sel td.name{font-weight:600}
.skreg-report tr.off td{color:#777}
.skreg-report td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
.skreg-report .note{color:#555;font-size:.88em;max-width:62em}
.skreg-report figure{display:inline-block;margin:.5em 1em .5em 0;
vertical-align:top;max-width:100%}
.skreg-report figure img{max-width:100%;height:auto;border:1px solid #eee}
.skreg-report figcaption{font-size:.85em;color:#555;max-width:40em}
.skreg-report ul.diag li{margin:.2em 0}
.skreg-report ul.diag li.warn{color:#9a3412}
.skreg-report dl.prov{display:grid;grid-template-columns:max-content auto;
gap:.1em 1em;font-size:.9em}
.skreg-report dl.prov dt{font-weight:600}.skreg-report dl.prov dd{margin:0;
overflow-wrap:anywhere}
"""

# Defence in depth: even if something slipped through escaping, the page may load
# nothing (no script, no external resource, no form target) besides inline styles
# and data: images.
CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'"
)

# Rows of the HTML tables beyond the selected / stable features.
_MAX_OTHER_ROWS = 20
_MAX_STABILITY_ROWS = 30
# Names up to this long are shown whole (wrapped in their cell); longer ones are cut
# in the middle, with the full name on hover.
_NAME_WIDTH = 96


def _esc(x) -> str:
    """Escape for HTML text *and* attribute values (``& < > " '``).

    Control and format characters are shown as escapes too (``clean_text``), so a
    name cannot hide behind a bidirectional override or invisible characters.
    """
    return html.escape(clean_text(x), quote=True)


# In a title attribute, a name is data shown on hover; writing = : / ( as character
# references keeps even its escaped text from looking like an attribute, a URL or a
# CSS function to a scanner (the browser shows them decoded).
_ATTR_EXTRA = str.maketrans({"=": "&#61;", ":": "&#58;", "/": "&#47;", "(": "&#40;"})


def _attr(x) -> str:
    """Escape for a ``title`` attribute value (see ``_ATTR_EXTRA``)."""
    return _esc(x).translate(_ATTR_EXTRA)


def _name_cell(name) -> str:
    full = clean_text(name)
    short = shorten_middle(full, _NAME_WIDTH)
    title = f' title="{_attr(full)}"' if short != full else ""
    return f'<td class="name"{title}>{_esc(short)}</td>'


def _html_table(header, rows, *, row_classes=None, cell_styles=None, names=None,
                header_titles=None, cls=None) -> str:  # fmt: skip
    """Build a table; with ``names``, the first column holds names (full on hover)."""
    out = [f'<table class="{cls}">' if cls else "<table>", "<thead><tr>"]
    for k, h in enumerate(header):
        tip = header_titles[k] if header_titles else ""
        out.append(
            f'<th title="{_attr(tip)}">{_esc(h)}</th>' if tip else f"<th>{_esc(h)}</th>"
        )
    out.append("</tr></thead><tbody>")
    for i, row in enumerate(rows):
        rc = row_classes[i] if row_classes else ""
        out.append(f'<tr class="{rc}">' if rc else "<tr>")
        for j, cell in enumerate(row):
            if names is not None and j == 0:
                out.append(_name_cell(cell))
                continue
            style = ""
            if cell_styles is not None and cell_styles[i][j]:
                style = f' style="{cell_styles[i][j]}"'
            klass = ' class="num"' if j > 0 else ""
            out.append(f"<td{klass}{style}>{_esc(cell)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


# -- sections --------------------------------------------------------------------------
def _headline_html(report) -> str:
    h = headline(report)
    prov = report.provenance
    target = f", target “{prov['target']}”" if prov.get("target") else ""
    model = (
        f"<b>{_esc(h['estimator'])}</b> — {_esc(h['family'])}; "
        f"{_esc(prov['n_samples'])} samples × {_esc(h['n_features'])} features"
        f"{_esc(target)}"
    )
    kpis = []
    if h["glm_family"] is not None:
        if h["cv_deviance"] is not None:
            kpis.append(
                (
                    fmt(h["cv_deviance"], 4),
                    f"CV deviance at the model's alpha ({h['n_folds']}-fold)",
                )
            )
        if h["cv_deviance_explained"] is not None:
            kpis.append(
                (
                    f"{100 * h['cv_deviance_explained']:.1f}%",
                    "of the null model's CV deviance explained",
                )
            )
        if h["cv_accuracy"] is not None:
            kpis.append((f"{h['cv_accuracy']:.3f}", "CV accuracy"))
    if h["cv_mse"] is not None:
        r2 = "-" if h["cv_r2"] is None else f"{h['cv_r2']:.3f}"
        kpis.append((r2, f"CV R² at the model's alpha ({h['n_folds']}-fold)"))
        kpis.append((fmt(h["cv_rmse"], 3), "CV RMSE"))
    kpis.append((f"{h['n_selected']} / {h['n_features']}", "features selected"))
    if h["n_selected_stable"] is not None:
        kpis.append(
            (
                f"{h['n_selected_stable']} / {h['n_selected']}",
                f"selected and stable (E[false] ≤ {fmt(h['bound'], 2)})",
            )
        )
    if h["alpha"] is not None:
        kpis.append((fmt(h["alpha"], 3), "model's alpha"))
    parts = ['<div class="headline">', f'<p class="model">{model}</p>']
    if prov.get("family_reason"):
        parts.append(f'<p class="model">Family: {_esc(prov["family_reason"])}</p>')
    if h["penalty"]:
        parts.append(f'<p class="model">Fitted with {_esc(h["penalty"])}</p>')
    search = prov.get("search")
    if search:
        parts.append(
            f'<p class="model">Best of {_esc(search["n_candidates"])} candidates: '
            f"<b>{_esc(fmt_params(search['best_params']))}</b> (search score "
            f"{_esc(fmt(search['best_score']))})</p>"
        )
    parts.append('<div class="kpis">')
    parts.extend(
        f'<div class="kpi"><div class="v">{_esc(v)}</div>'
        f'<div class="k">{_esc(k)}</div></div>'
        for v, k in kpis
    )
    parts.append("</div>")
    parts.extend(
        f'<div class="banner {_esc(b["kind"])}"><b>{_esc(b["title"])}:</b> '
        f"{_esc(b['text'])}</div>"
        for b in h["banners"]
    )
    parts.append("</div>")
    return "\n".join(parts)


_FEATURE_COLUMNS = [
    ("feature", "Feature name (hover for the full name when cut)"),
    ("sel.", "Non-zero coefficient at the model's alpha"),
    ("P(stable)", "Stability-selection probability, max over the region; * stable"),
    ("CV freq.", "Fraction of the CV folds whose refit selects the feature"),
    ("std. coef @ α_min", "Coefficient at alpha_min times the feature's std"),
    ("coef @ α_min", "Coefficient at alpha_min"),
    ("coef @ α_1se", "Coefficient at alpha_1se (one-standard-error rule)"),
    ("enters at α", "Largest alpha with a non-zero coefficient"),
    ("sign agr.", "Fraction of the selecting folds with the majority sign"),
]


def _features_html(report) -> list[str]:
    path = report.path
    feats = ordered_features(report)
    keep = [f for f in feats if f["selected"] or f["stable"]]
    others = [f for f in feats if not (f["selected"] or f["stable"])]
    shown = keep + others[:_MAX_OTHER_ROWS]
    own = not np.isclose(path["alpha"], [path["alpha_min"], path["alpha_1se"]]).any()
    columns = list(_FEATURE_COLUMNS)
    if own:
        columns.insert(4, ("coef", "The model's coefficient (at its own alpha)"))
    rows, classes, styles = [], [], []
    for f in shown:
        stab = f["stability"]
        p_cell = fmt(stab, 2) + ("*" if f["stable"] else "")
        row = [
            f["name"], "✓" if f["selected"] else "", p_cell,
            f"{f['cv_frequency']:.2f}", fmt(f["std_coef_min"], 3),
            *([fmt(f["coef"], 3)] if own else []),
            fmt(f["coef_min"], 3), fmt(f["coef_1se"], 3), fmt(f["entry_alpha"], 3),
            fmt(f["sign_consistency"], 2),
        ]  # fmt: skip
        rows.append(row)
        # stable but not selected at the model's alpha: worth reading, not greyed
        classes.append("sel" if f["selected"] else ("" if f["stable"] else "off"))
        shade = 0.0 if stab is None or not np.isfinite(stab) else float(stab)
        style = [""] * len(row)
        style[2] = f"background:rgba(31,119,180,{0.45 * shade:.2f})"
        styles.append(style)
    parts = [
        f"<h2>Selected features: {len(report.selected)} of "
        f"{len(report.feature_names)}</h2>",
        _html_table(
            [c for c, _ in columns],
            rows,
            row_classes=classes,
            cell_styles=styles,
            names=True,
            header_titles=[t for _, t in columns],
            cls="features",
        ),  # fmt: skip
    ]
    left = len(feats) - len(shown)
    note = (
        "Sorted: selected features first, by the size of their standardized "
        "coefficient (the coefficient times the feature's standard deviation), then "
        "by stability. CV freq.: fraction of the folds whose refit at the model's "
        "alpha selects the feature; sign agr.: fraction of those with the majority "
        "sign; * marks the stable set. Hover a header for its meaning."
    )
    if left:
        note += (
            f" {left} more features, neither selected nor stable, are not listed: "
            "to_frame() and to_json() hold every feature."
        )
    if path.get("coef_summary") == "l2 norm across classes":
        note += (
            " Multinomial model: each coefficient is the L2 norm of the feature's "
            "coefficients across the classes (selected: used by any class); the "
            "per-class values are in to_json() and to_frame()."
        )
    parts.append(f'<p class="note">{_esc(note)}</p>')
    return parts


def _path_html(report) -> list[str]:
    p = report.path
    idx = path_rows(p, 25)
    i_min, i_1se = (
        nearest(p["alphas"], p["alpha_min"]),
        nearest(p["alphas"], p["alpha_1se"]),
    )
    score = "CV MSE" if p.get("family") is None else f"CV {p['score']}"
    rows, classes = [], []
    for i in idx:
        mark = "alpha_min" if i == i_min else ("alpha_1se" if i == i_1se else "")
        rows.append(
            [mark, fmt(p["alphas"][i]), int(p["n_nonzero"][i]),
             f"{p['deviance_explained'][i]:.2f}", fmt(p["cv_mean"][i], 5),
             fmt(p["cv_se"][i], 3), fmt_gap(p["dual_gaps"][i])]
        )  # fmt: skip
        classes.append("sel" if mark else "")
    return [
        f"<h2>Regularization path (l1_ratio {_esc(fmt(p['l1_ratio']))})</h2>",
        _html_table(
            ["", "alpha", "Df", "%Dev", score, "± SE", "dual gap"],
            rows,
            row_classes=classes,
        ),  # fmt: skip
        f'<p class="note">{len(idx)} of {len(p["alphas"])} alphas shown (evenly '
        "spaced, with alpha_min and alpha_1se); Df: non-zero coefficients; %Dev: "
        + (
            "percentage of the centred sum of squares explained."
            if p.get("family") is None
            else "percentage of the null model's deviance explained."
        )
        + " The full path is in to_json() / to_frame('path').</p>",
    ]


def _stability_html(report) -> list[str]:
    st = report.stability
    parts = [
        f"<h2>Stability selection ({_esc(st['method'])})</h2>",
        f"<p>{st['n_subsamples']} subsamples of {st['subsample_size']} rows. "
        f"Region: the first {st['n_region']} alphas ({fmt(st['region'][0])} to "
        f"{fmt(st['region'][1])}). Stable set at threshold "
        f"{fmt(st['threshold'])}: <b>{_esc(', '.join(st['stable']) or 'none')}"
        f"</b>.</p><p>{_esc(st['bound_formula'])}</p>"
        f'<p class="note">{_esc(st["assumptions"])}</p>',
    ]
    probs = np.asarray(st["probabilities"])
    alphas = np.asarray(st["alphas"])
    cols = np.unique(np.round(np.linspace(0, len(alphas) - 1, min(8, len(alphas)))))
    cols = cols.astype(int)
    order = np.argsort(-probs.mean(axis=1), kind="stable")[:_MAX_STABILITY_ROWS]
    rows, styles = [], []
    for j in order:
        rows.append([report.feature_names[j], *(f"{probs[j, c]:.2f}" for c in cols)])
        styles.append(
            [
                "",
                *(f"background:rgba(31,119,180,{0.6 * probs[j, c]:.2f})" for c in cols),
            ]
        )
    header = ["feature", *(f"α {fmt(alphas[c], 3)}" for c in cols)]
    parts.append(_html_table(header, rows, cell_styles=styles, names=True))
    left = probs.shape[0] - len(order)
    parts.append(
        f'<p class="note">Selection probability at {len(cols)} of the '
        f"{len(alphas)} alphas (evenly spaced), the most often selected features "
        "first"
        + (f"; {left} features less often selected are not listed" if left else "")
        + ". to_frame('stability') holds the whole matrix.</p>"
    )
    return parts


def _diagnostics_html(report) -> list[str]:
    parts = ['<h2>Diagnostics</h2><ul class="diag">']
    parts.extend(
        f'<li class="{item["level"]}"><b>{_esc(item["title"])}:</b> '
        f"{_esc(item['text'])}</li>"
        for item in diagnostic_items(report)
    )
    parts.append("</ul>")
    return parts


def _mlp_cv_html(m) -> list[str]:
    p, st = m["path"], m["stability"]
    exit_alphas = np.asarray(m["exit_alphas"], dtype=float)
    order = np.lexsort((-np.asarray(m["importances"]), -exit_alphas))
    header = ["input", "selected", "leaves the path at α", "importance"]
    if st is not None:
        header += ["P(selected)", "P(kept at α)"]
    rows = []
    for j in order:
        row = [
            m["feature_names"][j],
            "✓" if m["selected_mask"][j] else "",
            "never" if np.isinf(exit_alphas[j]) else fmt(exit_alphas[j], 3),
            fmt(float(m["importances"][j]), 3),
        ]
        if st is not None:
            row += [f"{st['selected_frequency'][j]:.2f}",
                    f"{st['at_model_alpha'][j]:.2f}"]  # fmt: skip
        rows.append(row)
    return [
        f"<h2>Input selection of {_esc(m['model'])}</h2>",
        f"<p>{len(m['selected'])} of {len(m['feature_names'])} inputs selected at "
        f"alpha {_esc(fmt(p['alpha']))} ({_esc(m['selection'])} rule; alpha_min "
        f"{_esc(fmt(p['alpha_min']))}, alpha_1se {_esc(fmt(p['alpha_1se']))}).</p>",
        _html_table(header, rows, names=True),
    ]


def _mlp_html(report) -> list[str]:
    m = report.mlp
    if m.get("kind") == "cv":
        return _mlp_cv_html(m)
    order = np.argsort(-np.asarray(m["importances"]), kind="stable")
    rows = [
        [m["feature_names"][j], fmt(float(m["importances"][j])),
         "✓" if m["selected_mask"][j] else ""]
        for j in order
    ]  # fmt: skip
    return [
        f"<h2>Input-feature selection of {_esc(m['model'])}</h2>",
        f"<p>{len(m['selected'])} of {len(m['feature_names'])} inputs have non-zero "
        "first-layer weights (sorted by importance).</p>",
        _html_table(["input", "importance", "selected"], rows, names=True),
    ]


def _provenance_html(report) -> list[str]:
    prov = report.provenance
    items = [
        ("Data", f"{prov['n_samples']} samples × {prov['n_features']} features"
         + (f", target “{prov['target']}”" if prov.get("target") else "")),
        ("Estimator", f"{prov['estimator']} (model: {prov['model']})"),
    ]  # fmt: skip
    if prov.get("search"):
        s = prov["search"]
        items.append(
            (
                "Search",
                f"{s['type']}: {s['n_candidates']} candidates × {s['n_splits']} "
                f"folds, best {fmt_params(s['best_params'])} "
                f"(score {fmt(s['best_score'])})",
            )
        )
    if report.path is not None:
        p = report.path
        items.append(
            (
                "Alphas",
                f"model {fmt(p['alpha'])}, alpha_min {fmt(p['alpha_min'])}, "
                f"alpha_1se {fmt(p['alpha_1se'])} (l1_ratio {fmt(p['l1_ratio'])}, "
                f"{p['n_folds']}-fold CV)",
            )
        )
    items.append(("Parameters", json.dumps(plain(prov["params"]))))
    v = prov["versions"]
    items.append(
        (
            "Versions",
            ", ".join(f"{k} {v[k]}" for k in v if v[k]) + f", Python {prov['python']}",
        )
    )
    items.append(
        ("Fit times", ", ".join(f"{k} {t:.2f} s" for k, t in prov["fit_times"].items()))
    )
    items.append(("Created", prov["created"]))
    if prov.get("source"):
        items.append(("Source", prov["source"]))
    items.extend(("Input", note) for note in prov.get("input_notes") or ())
    parts = ['<h2>Provenance</h2><dl class="prov">']
    parts.extend(f"<dt>{_esc(k)}</dt><dd>{_esc(val)}</dd>" for k, val in items)
    parts.append("</dl>")
    return parts


# -- figures ---------------------------------------------------------------------------
def _figures(report) -> tuple[list[tuple[str, str]], str | None]:
    """Draw the figures as (caption, PNG data URI); a note if matplotlib is absent."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return [], (
            "Figures need matplotlib, which is not installed: pip install "
            "'skreg[plot]'."
        )
    from skreg.reports import _display

    makers = []
    if report.path is not None:
        makers.append(("Regularization path", _display.RegularizationPathDisplay,
                       (9.6, 4.8)))  # fmt: skip
        makers.append(("Cross-validation curve", _display.CVCurveDisplay, (5.4, 3.9)))
    if report.stability is not None:
        makers.append(("Stability paths", _display.StabilityPathDisplay, (5.4, 3.9)))
    if report.mlp is not None and report.mlp.get("kind") == "cv":
        makers.append(("Validation curve along the path", _display.CVCurveDisplay,
                       (5.4, 3.9)))  # fmt: skip
    if report.mlp is not None and report.mlp.get("train_loss_curve") is not None:
        makers.append(("Training curves", _display.TrainingCurveDisplay, (5.4, 3.9)))
    out = []
    for caption, display_cls, size in makers:
        # Figure() without pyplot: no global state, no GUI backend, thread-safe.
        fig = Figure(figsize=size, dpi=96, layout="constrained")
        ax = fig.add_subplot()
        buf = io.BytesIO()
        with warnings.catch_warnings():
            # Names from the data may hold characters the font lacks (emoji, CJK):
            # they are drawn as boxes, which is no reason to warn about the report.
            warnings.filterwarnings("ignore", message="Glyph .* missing from font")
            warnings.filterwarnings("ignore", message="Matplotlib currently does not")
            disp = display_cls.from_report(report, ax=ax)
            fig.savefig(buf, format="png")
        hidden = getattr(disp, "n_hidden_", 0)
        if hidden:
            n = hidden + len(disp.lines_)
            caption += (
                f": {len(disp.lines_)} of {n} features drawn, {hidden} left out "
                "(the first to enter the path are drawn)"
                if display_cls is _display.RegularizationPathDisplay
                else f": {hidden} of {n} features left out (least often selected)"
            )
        uri = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
        out.append((caption, uri))
    return out, None


def to_html(report, path=None, *, figures=True, standalone=True) -> str:
    """See :meth:`FeatureSelectionReport.to_html`."""
    prov = report.provenance
    parts = ['<div class="skreg-report">', "<h1>skreg feature-selection report</h1>"]
    parts.append(_headline_html(report))
    if report.path is not None:
        parts.extend(_features_html(report))
    figs, note = _figures(report) if figures else ([], None)
    if figs:
        parts.append("<h2>Figures</h2>")
        for caption, uri in figs:
            parts.append(
                f'<figure><img alt="{_esc(caption)}" src="{uri}">'
                f"<figcaption>{_esc(caption)}</figcaption></figure>"
            )
    elif note:
        parts.append(f'<p class="note">{_esc(note)}</p>')
    if report.diagnostics is not None:
        parts.extend(_diagnostics_html(report))
    if report.stability is not None:
        parts.extend(_stability_html(report))
    if report.path is not None:
        parts.extend(_path_html(report))
    if report.mlp is not None:
        parts.extend(_mlp_html(report))
    parts.extend(_provenance_html(report))
    parts.append("</div>")
    body = "\n".join(parts)
    if not standalone:
        return f"<style>{_CSS}</style>\n{body}"
    title = "skreg feature-selection report"
    if prov.get("source"):
        title += f" – {Path(str(prov['source'])).name}"
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{_esc(title)}</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
    if path is not None:
        write_atomic(path, page)
    return page
