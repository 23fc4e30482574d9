"""Renderers of :class:`FeatureSelectionReport`: text, dict/JSON, pandas, HTML.

Text and JSON need nothing beyond the standard library and numpy; pandas and
matplotlib are imported inside the functions that need them, with a message naming the
extra to install when they are missing.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import os
import tempfile
import textwrap
import warnings
from pathlib import Path

import numpy as np

WIDTH = 88


# -- helpers ---------------------------------------------------------------------------
def _require_pandas(what: str):
    try:
        import pandas as pd
    except ImportError as exc:
        raise ImportError(
            f"{what} needs pandas, which is not installed: pip install pandas"
        ) from exc
    return pd


def clean_text(text, width: int | None = None) -> str:
    r"""Neutralise a string from the data for a terminal or a fixed-width table.

    Characters that are not printable (control characters such as ANSI escapes,
    carriage returns, NUL and newlines; format characters such as bidirectional
    overrides) are replaced by their Python escapes (``\x1b``, ``\n``,
    ``\u202e``), so a name cannot move the cursor, recolour or rewrite the terminal,
    or break a table row. With ``width``, longer results are cut and end in ``…``.

    Examples
    --------
    >>> from skreg.reports._render import clean_text
    >>> print(clean_text("a\x1b[2Jb\rc"))
    a\x1b[2Jb\rc
    >>> print(clean_text("abcdefgh", 5))
    abcd…
    """
    text = str(text)
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    if width is not None and len(text) > width:
        text = text[: width - 1] + "…"
    return text


def new_file_mode(path) -> int:
    """Permissions for a file replacing ``path``: its own, else ``0o666 & ~umask``.

    ``tempfile.mkstemp`` creates files readable by their owner only; a report
    written through one should get the permissions a plain ``open`` would give.
    """
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and ``os.replace``.

    A reader never sees a half-written file, and an error leaves any old file intact.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        os.chmod(tmp, new_file_mode(path))
        # backslashreplace: a lone surrogate (only possible from Python strings,
        # never from decoded files) becomes a \udxxx escape, valid in JSON too.
        with os.fdopen(
            fd, "w", encoding="utf-8", errors="backslashreplace", newline="\n"
        ) as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _plain(value):
    """JSON-safe copy: arrays to lists, numpy scalars to Python, NaN/inf to None."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _g(x, digits: int = 4) -> str:
    """Compact number: ``-`` for missing, else ``digits`` significant digits."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    return f"{x:.{digits}g}"


def _row(cells, widths, aligns) -> str:
    out = []
    for cell, w, a in zip(cells, widths, aligns, strict=True):
        out.append(f"{cell:<{w}}" if a == "<" else f"{cell:>{w}}")
    return " ".join(out).rstrip()


def _table(header, rows, aligns) -> list[str]:
    widths = [
        max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(str(h))
        for i, h in enumerate(header)
    ]
    lines = [_row(header, widths, aligns)]
    lines.append(_row(["-" * w for w in widths], widths, aligns))
    lines.extend(_row([str(c) for c in r], widths, aligns) for r in rows)
    return lines


def _wrap(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(
        text, WIDTH, initial_indent=indent, subsequent_indent=indent or "  "
    )


def _names(names, width: int = 30) -> list[str]:
    """Names from the data, neutralised and cut for running text."""
    return [clean_text(n, width) for n in names]


def _path_rows(path: dict, max_rows: int) -> list[int]:
    """Evenly spaced path rows, always with alpha_min, alpha_1se and the model's."""
    n = len(path["alphas"])
    keep = set(np.round(np.linspace(0, n - 1, min(max_rows, n))).astype(int).tolist())
    for key in ("alpha_min", "alpha_1se", "alpha"):
        keep.add(int(np.argmin(np.abs(path["alphas"] - path[key]))))
    return sorted(keep)


def _ordered_features(report) -> list[dict]:
    """Order the features: selected first (by |std coefficient|), then by stability."""

    def key(f):
        std = abs(f.get("std_coef_min", 0.0) or 0.0)
        stab = f.get("stability", 0.0)
        stab = 0.0 if stab is None or not math.isfinite(stab) else stab
        return (not f["selected"], -std, -stab, f["name"])

    return sorted(report.features, key=key)


# -- dict / JSON -----------------------------------------------------------------------
def to_dict(report) -> dict:
    """See :meth:`FeatureSelectionReport.to_dict`."""
    out = {
        "format": "skreg.FeatureSelectionReport/1",
        "feature_names": report.feature_names,
        "selected": report.selected,
        "provenance": report.provenance,
        "features": report.features,
        "path": report.path,
        "stability": report.stability,
        "diagnostics": report.diagnostics,
        "mlp": None,
    }
    if report.mlp is not None:
        out["mlp"] = {k: v for k, v in report.mlp.items() if k != "selected_mask"}
    return _plain(out)


def to_json(report, path=None, *, indent: int = 2) -> str:
    """See :meth:`FeatureSelectionReport.to_json`."""
    # Strict JSON: _plain turned NaN/inf into null, and allow_nan=False proves it.
    text = (
        json.dumps(to_dict(report), indent=indent, allow_nan=False, ensure_ascii=False)
        + "\n"
    )
    if path is not None:
        write_atomic(path, text)
    return text


# -- text ------------------------------------------------------------------------------
def to_text(report, *, max_rows: int = 20) -> str:
    """See :meth:`FeatureSelectionReport.to_text`."""
    prov = report.provenance
    lines = ["skreg feature-selection report", "=" * 30]
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
        params = ", ".join(
            f"{k}={_g(v) if isinstance(v, float) else v}"
            for k, v in s["best_params"].items()
        )
        lines.extend(
            _wrap(
                f"Search     : {s['type']}, {s['n_candidates']} candidates x "
                f"{s['n_splits']} folds; best {params} (score {_g(s['best_score'])})"
            )
        )
    path = report.path
    if path is not None:
        rule = f", alpha_rule={path['alpha_rule']!r}" if path["alpha_rule"] else ""
        lines.extend(
            _wrap(
                f"Model alpha: {_g(path['alpha'])} (l1_ratio {_g(path['l1_ratio'])}"
                f"{rule}); alpha_min {_g(path['alpha_min'])}, alpha_1se "
                f"{_g(path['alpha_1se'])} from {path['n_folds']}-fold CV"
            )
        )
    v = prov["versions"]
    versions = (
        ", ".join(f"{k} {v[k]}" for k in v if v[k]) + f", Python {prov['python']}"
    )
    lines.extend(_wrap(f"Versions   : {versions}"))
    times = ", ".join(f"{k} {t:.2f} s" for k, t in prov["fit_times"].items())
    lines.extend(_wrap(f"Fit times  : {times}"))
    lines.append(f"Created    : {prov['created']}")
    if prov.get("source"):
        lines.extend(_wrap(f"Source     : {clean_text(prov['source'], 200)}"))
    for note in prov.get("input_notes") or ():
        lines.extend(_wrap(f"Input      : {clean_text(note)}"))
    lines.append("")

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
    return "\n".join(lines) + "\n"


def _features_text(report) -> list[str]:
    path = report.path
    n_sel, p = len(report.selected), len(report.feature_names)
    lines = [
        f"Selected features: {n_sel} of {p} (non-zero at the model's alpha "
        f"{_g(path['alpha'])})"
    ]
    lines.append("-" * len(lines[0]))
    # The model's own coefficients get a column when its alpha is neither alpha_min
    # nor alpha_1se (a plain ElasticNet, or a search's best model).
    own = not np.isclose(path["alpha"], [path["alpha_min"], path["alpha_1se"]]).any()
    header = [
        "feature", "sel", *(["coef"] if own else []), "coef@min", "coef@1se",
        "std@min", "std@1se", "enters@", "CV freq", "sign", "P(stab)",
    ]  # fmt: skip
    rows = []
    for f in _ordered_features(report):
        stab = "-" if f["stability"] is None else _g(f["stability"], 2)
        if f["stable"]:
            stab += "*"
        rows.append(
            [
                clean_text(f["name"], 14),
                "yes" if f["selected"] else "",
                *([_g(f["coef"])] if own else []),
                _g(f["coef_min"]),
                _g(f["coef_1se"]),
                _g(f["std_coef_min"]),
                _g(f["std_coef_1se"]),
                _g(f["entry_alpha"], 3),
                f"{f['cv_frequency']:.2f}",
                _g(f["sign_consistency"], 2),
                stab,
            ]
        )
    lines.extend(_table(header, rows, "<<" + ">" * (len(header) - 2)))
    lines.extend(
        _wrap(
            ("coef: the model's coefficients; " if own else "")
            + "coef@min / coef@1se: coefficients at alpha_min and alpha_1se; std@: "
            "times the feature's standard deviation; enters@: largest alpha with a "
            "non-zero coefficient; CV freq: fraction of CV folds selecting the "
            "feature at the model's alpha; sign: fraction of those with the majority "
            "sign; P(stab): stability-selection probability (max over the region), "
            "* marks the stable set."
        )
    )
    return lines


def _path_text(report, max_rows) -> list[str]:
    path = report.path
    rows_idx = _path_rows(path, max_rows)
    n = len(path["alphas"])
    title = (
        f"Regularization path (l1_ratio {_g(path['l1_ratio'])}; {len(rows_idx)} of "
        f"{n} alphas shown)"
    )
    lines = [title, "-" * len(title)]
    header = ["", "alpha", "Df", "%Dev", "CV MSE", "+/- SE", "dual gap"]
    i_min = int(np.argmin(np.abs(path["alphas"] - path["alpha_min"])))
    i_1se = int(np.argmin(np.abs(path["alphas"] - path["alpha_1se"])))
    rows = []
    for i in rows_idx:
        mark = "min" if i == i_min else ("1se" if i == i_1se else "")
        rows.append(
            [
                mark,
                _g(path["alphas"][i]),
                int(path["n_nonzero"][i]),
                f"{path['deviance_explained'][i]:.2f}",
                _g(path["cv_mean"][i], 5),
                _g(path["cv_se"][i], 3),
                f"{path['dual_gaps'][i]:.2e}",
            ]
        )
    lines.extend(_table(header, rows, "<>>>>>>"))
    lines.extend(
        _wrap(
            "Df: non-zero coefficients; %Dev: percentage of the (centred) sum of "
            "squares explained on all the data; CV MSE +/- SE: held-out mean squared "
            "error over the folds and its standard error; the full table is in "
            "to_json() / to_frame('path')."
        )
    )
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
        _wrap(
            f"Region: the first {st['n_region']} of {len(alphas)} alphas, from "
            f"{_g(st['region'][0])} down to {_g(st['region'][1])}, where q stays at "
            f"most {_g(st['q_cap'], 3)} (max_selected={st['max_selected']!r})."
        )
    )
    lines.append(
        f"q = {_g(st['q'], 3)} features selected per subsample on the region; "
        f"p = {p}; threshold {_g(st['threshold'])}"
    )
    lines.extend(_wrap(f"Bound: {st['bound_formula']}"))
    stable = ", ".join(_names(st["stable"])) if st["stable"] else "none"
    lines.extend(_wrap(f"Stable set ({len(st['stable'])}): {stable}"))
    lines.extend(_wrap(f"Assumptions: {st['assumptions']}"))
    probs = np.asarray(st["probabilities"])
    n_cols = min(8, len(alphas))
    cols = np.unique(np.round(np.linspace(0, len(alphas) - 1, n_cols)).astype(int))
    lines.append("")
    lines.append("Selection probability by alpha (columns evenly spaced on the grid):")
    header = ["feature", *(_g(alphas[c], 3) for c in cols)]
    order = np.argsort(-probs.mean(axis=1), kind="stable")  # earliest entry first
    rows = [
        [clean_text(report.feature_names[j], 14), *(f"{probs[j, c]:.2f}" for c in cols)]
        for j in order
    ]
    lines.extend(_table(header, rows, "<" + ">" * len(cols)))
    return lines


def _diagnostics_text(report) -> list[str]:
    d = report.diagnostics
    lines = ["Diagnostics", "-----------"]
    status = "converged" if d["model_converged"] else "NOT converged"
    lines.extend(
        _wrap(
            f"Convergence: model duality gap {d['model_dual_gap']:.2e} vs tolerance "
            f"{d['tol_scaled']:.2e} ({d['tol_rule']}) after {d['model_n_iter']} "
            f"epochs (max_iter "
            f"{d['max_iter']}): {status}. Path alphas above tolerance: "
            f"{d['path_alphas_above_tol']}; convergence warnings in the path and "
            f"fold refits: {d['n_convergence_warnings']}"
            + (
                ""
                if d["stability_convergence_warnings"] is None
                else f"; in stability selection: {d['stability_convergence_warnings']}"
            )
            + "."
        )
    )
    groups = d["collinear_groups"]
    if groups:
        pairs = "; ".join(
            f"{clean_text(a, 30)}~{clean_text(b, 30)} r={r:+.2f}"
            for a, b, r in d["collinear_pairs"]
        )
        text = (
            f"Collinear groups among the selected features (|r| >= "
            f"{d['collinearity_threshold']:g}): "
            + ", ".join("{" + ", ".join(_names(g)) + "}" for g in groups)
            + f" ({pairs}). Within a group the lasso's choice is unstable; read the "
            "group, not the member."
        )
    else:
        text = (
            f"Collinear groups among the selected features (|r| >= "
            f"{d['collinearity_threshold']:g}): none."
        )
    lines.extend(_wrap(text))
    if d["vif"]:
        worst = max(d["vif"], key=d["vif"].get)
        lines.append(
            f"Largest variance inflation factor: {d['vif'][worst]:.3g} "
            f"({clean_text(worst, 30)})"
        )
    return lines


def _mlp_text(report) -> list[str]:
    m = report.mlp
    title = f"Input-feature selection of {m['model']}"
    lines = [title, "-" * len(title)]
    lines.extend(
        _wrap(
            f"{len(m['selected'])} of {len(m['feature_names'])} inputs have non-zero "
            f"first-layer weights: {', '.join(_names(m['selected'])) or 'none'}"
        )
    )
    if m.get("best_epoch") is not None:
        lines.append(f"Best epoch: {m['best_epoch']}")
    header = ["input", "importance", "selected"]
    order = np.argsort(-np.asarray(m["importances"]), kind="stable")
    rows = [
        [clean_text(m["feature_names"][j], 14), _g(float(m["importances"][j])),
         "yes" if m["selected_mask"][j] else ""]
        for j in order
    ]  # fmt: skip
    lines.extend(_table(header, rows, "<><"))
    return lines


# -- pandas ----------------------------------------------------------------------------
def to_frame(report, section: str = "features"):
    """See :meth:`FeatureSelectionReport.to_frame`."""
    pd = _require_pandas("FeatureSelectionReport.to_frame")
    if section == "features":
        return pd.DataFrame(report.features).set_index("name")
    if section == "path":
        if report.path is None:
            raise ValueError("This report has no path section.")
        cols = [
            "alphas", "n_nonzero", "deviance_explained", "cv_mean", "cv_se",
            "dual_gaps", "n_iter",
        ]  # fmt: skip
        p = report.path
        frame = pd.DataFrame({c: np.asarray(p[c]) for c in cols if len(p[c])})
        return frame.rename(columns={"alphas": "alpha", "dual_gaps": "dual_gap"})
    if section == "stability":
        if report.stability is None:
            raise ValueError("This report has no stability section.")
        st = report.stability
        return pd.DataFrame(
            np.asarray(st["probabilities"]),
            index=pd.Index(report.feature_names, name="feature"),
            columns=pd.Index(np.asarray(st["alphas"]), name="alpha"),
        )
    if section == "mlp":
        if report.mlp is None:
            raise ValueError("This report has no mlp section.")
        m = report.mlp
        return pd.DataFrame(
            {"importance": m["importances"], "selected": m["selected_mask"]},
            index=pd.Index(m["feature_names"], name="feature"),
        )
    raise ValueError(
        f"section must be 'features', 'path', 'stability' or 'mlp', got {section!r}."
    )


# -- HTML ------------------------------------------------------------------------------
# Every rule is scoped to .skreg-report, so the notebook view styles nothing else.
_CSS = """
.skreg-report{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;
margin:2em auto;max-width:70em;color:#222;line-height:1.4}
.skreg-report h1{font-size:1.5em}
.skreg-report h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:1.6em}
.skreg-report table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
.skreg-report th,.skreg-report td{padding:.2em .6em;border-bottom:1px solid #e4e4e4;
text-align:right}
.skreg-report th:first-child,.skreg-report td:first-child{text-align:left}
.skreg-report tr.sel td:first-child{font-weight:600}
.skreg-report .note{color:#555;font-size:.9em;max-width:60em}
.skreg-report figure{display:inline-block;margin:.5em 1em .5em 0}
.skreg-report figure img{max-width:100%;height:auto;border:1px solid #eee}
.skreg-report figcaption{font-size:.85em;color:#555}
.skreg-report dl.prov{display:grid;grid-template-columns:max-content auto;
gap:.1em 1em}
.skreg-report dl.prov dt{font-weight:600}.skreg-report dl.prov dd{margin:0}
"""


def _esc(x) -> str:
    """Escape for HTML text *and* attribute values (``& < > " '``).

    Control and format characters are shown as escapes too (``clean_text``), so a
    name cannot hide behind a bidirectional override or invisible characters.
    """
    return html.escape(clean_text(x), quote=True)


# Defence in depth: even if something slipped through escaping, the page may load
# nothing (no script, no external resource, no form target) besides inline styles
# and data: images.
CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'"
)


def _html_table(header, rows, row_classes=None, cell_styles=None) -> str:
    out = ["<table>", "<thead><tr>"]
    out.extend(f"<th>{_esc(h)}</th>" for h in header)
    out.append("</tr></thead><tbody>")
    for i, row in enumerate(rows):
        cls = f' class="{row_classes[i]}"' if row_classes and row_classes[i] else ""
        out.append(f"<tr{cls}>")
        for j, cell in enumerate(row):
            style = ""
            if cell_styles is not None and cell_styles[i][j]:
                style = f' style="{cell_styles[i][j]}"'
            out.append(f"<td{style}>{_esc(cell)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


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
        makers.append(("Regularization path", _display.RegularizationPathDisplay))
        makers.append(("Cross-validation curve", _display.CVCurveDisplay))
    if report.stability is not None:
        makers.append(("Stability paths", _display.StabilityPathDisplay))
    if report.mlp is not None and report.mlp.get("train_loss_curve") is not None:
        makers.append(("Training curves", _display.TrainingCurveDisplay))
    out = []
    for caption, display_cls in makers:
        # Figure() without pyplot: no global state, no GUI backend, thread-safe.
        fig = Figure(figsize=(6.4, 4.2), dpi=96, layout="constrained")
        ax = fig.add_subplot()
        buf = io.BytesIO()
        with warnings.catch_warnings():
            # Names from the data may hold characters the font lacks (emoji, CJK):
            # they are drawn as boxes, which is no reason to warn about the report.
            warnings.filterwarnings("ignore", message="Glyph .* missing from font")
            warnings.filterwarnings("ignore", message="Matplotlib currently does not")
            display_cls.from_report(report, ax=ax)
            fig.savefig(buf, format="png")
        uri = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
        out.append((caption, uri))
    return out, None


def to_html(report, path=None, *, figures=True, standalone=True) -> str:
    """See :meth:`FeatureSelectionReport.to_html`."""
    prov = report.provenance
    parts = ['<div class="skreg-report">', "<h1>skreg feature-selection report</h1>"]
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
                f"folds, best {s['best_params']} (score {_g(s['best_score'])})",
            )
        )
    if report.path is not None:
        p = report.path
        items.append(
            (
                "Alphas",
                f"model {_g(p['alpha'])}, alpha_min {_g(p['alpha_min'])}, "
                f"alpha_1se {_g(p['alpha_1se'])} (l1_ratio {_g(p['l1_ratio'])}, "
                f"{p['n_folds']}-fold CV)",
            )
        )
    items.append(("Parameters", json.dumps(_plain(prov["params"]))))
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
    parts.append('<h2>Provenance</h2><dl class="prov">')
    parts.extend(f"<dt>{_esc(k)}</dt><dd>{_esc(val)}</dd>" for k, val in items)
    parts.append("</dl>")

    if report.path is not None:
        feats = _ordered_features(report)
        parts.append(
            f"<h2>Selected features: {len(report.selected)} of "
            f"{len(report.feature_names)}</h2>"
        )
        header = [
            "feature", "selected", "coef", "coef@alpha_min", "coef@alpha_1se",
            "std@alpha_min", "std@alpha_1se", "enters at alpha", "CV frequency",
            "sign consistency", "P(stable)", "stable",
        ]  # fmt: skip
        rows = [
            [f["name"], "yes" if f["selected"] else "", _g(f["coef"]),
             _g(f["coef_min"]), _g(f["coef_1se"]), _g(f["std_coef_min"]),
             _g(f["std_coef_1se"]), _g(f["entry_alpha"]), f"{f['cv_frequency']:.2f}",
             _g(f["sign_consistency"], 2), _g(f["stability"], 2),
             "yes" if f["stable"] else ""]
            for f in feats
        ]  # fmt: skip
        parts.append('<div style="overflow-x:auto">')
        parts.append(
            _html_table(header, rows, ["sel" if f["selected"] else "" for f in feats])
        )
        parts.append("</div>")
        parts.append(
            '<p class="note">Standardized coefficients are the coefficients times '
            "the feature's standard deviation. CV frequency: fraction of the folds "
            "whose refit at the model's alpha selects the feature; sign consistency: "
            "fraction of those with the majority sign.</p>"
        )

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

    if report.path is not None:
        p = report.path
        parts.append(f"<h2>Regularization path (l1_ratio {_g(p['l1_ratio'])})</h2>")
        i_min = int(np.argmin(np.abs(p["alphas"] - p["alpha_min"])))
        i_1se = int(np.argmin(np.abs(p["alphas"] - p["alpha_1se"])))
        rows, classes = [], []
        for i in range(len(p["alphas"])):
            mark = "alpha_min" if i == i_min else ("alpha_1se" if i == i_1se else "")
            rows.append(
                [mark, _g(p["alphas"][i]), int(p["n_nonzero"][i]),
                 f"{p['deviance_explained'][i]:.2f}", _g(p["cv_mean"][i], 5),
                 _g(p["cv_se"][i], 3), f"{p['dual_gaps'][i]:.2e}"]
            )  # fmt: skip
            classes.append("sel" if mark else "")
        parts.append(
            _html_table(
                ["", "alpha", "Df", "%Dev", "CV MSE", "± SE", "dual gap"], rows, classes
            )
        )

    st = report.stability
    if st is not None:
        parts.append(f"<h2>Stability selection ({_esc(st['method'])})</h2>")
        parts.append(
            f"<p>{st['n_subsamples']} subsamples of {st['subsample_size']} rows. "
            f"Region: the first {st['n_region']} alphas ({_g(st['region'][0])} to "
            f"{_g(st['region'][1])}). Stable set at threshold "
            f"{_g(st['threshold'])}: <b>{_esc(', '.join(st['stable']) or 'none')}"
            f"</b>.</p><p>{_esc(st['bound_formula'])}</p>"
            f'<p class="note">{_esc(st["assumptions"])}</p>'
        )
        probs = np.asarray(st["probabilities"])
        alphas = np.asarray(st["alphas"])
        order = np.argsort(-probs.mean(axis=1), kind="stable")
        rows, styles = [], []
        for j in order:
            rows.append([report.feature_names[j], *(f"{v:.2f}" for v in probs[j])])
            styles.append(
                ["", *(f"background:rgba(31,119,180,{v:.2f})" for v in probs[j])]
            )
        header = ["feature", *(_g(a, 3) for a in alphas)]
        parts.append('<div style="overflow-x:auto">')
        parts.append(_html_table(header, rows, cell_styles=styles))
        parts.append("</div>")

    d = report.diagnostics
    if d is not None:
        parts.append("<h2>Diagnostics</h2><ul>")
        parts.extend(f"<li>{_esc(line)}</li>" for line in _diagnostics_text(report)[2:])
        parts.append("</ul>")
    if report.mlp is not None:
        m = report.mlp
        parts.append(f"<h2>Input-feature selection of {_esc(m['model'])}</h2>")
        rows = [
            [n, _g(float(v)), "yes" if s else ""]
            for n, v, s in zip(
                m["feature_names"], m["importances"], m["selected_mask"], strict=True
            )
        ]
        parts.append(_html_table(["input", "importance", "selected"], rows))
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
