"""Renderers of :class:`FeatureSelectionReport`: dict/JSON, pandas, text and HTML.

dict/JSON and pandas live here; the text and HTML renderers in ``_text`` and
``_html``.

Text and JSON need nothing beyond the standard library and numpy; pandas and
matplotlib are imported inside the functions that need them, with a message naming the
extra to install when they are missing. The module layout has no import cycle:
``_format`` and ``_io`` import no report module; ``_summary`` imports ``_format``;
``_text`` and ``_html`` import those; ``_html`` imports ``_display`` (the plots) inside
the function that draws; ``_display`` imports ``_format``, ``_io`` and ``_estimators``.
"""

from __future__ import annotations

import json

import numpy as np

from skreg.reports._format import WIDTH, clean_text, plain
from skreg.reports._html import CSP, to_html
from skreg.reports._io import new_file_mode, require_pandas, write_atomic
from skreg.reports._summary import headline
from skreg.reports._text import to_text

# Names other modules (the command, the datasets, the tests) import from here.
_plain = plain
_require_pandas = require_pandas

__all__ = [
    "CSP",
    "WIDTH",
    "clean_text",
    "new_file_mode",
    "to_dict",
    "to_frame",
    "to_html",
    "to_json",
    "to_text",
    "write_atomic",
]


def to_dict(report) -> dict:
    """See :meth:`FeatureSelectionReport.to_dict`."""
    out = {
        "format": "skreg.FeatureSelectionReport/1",
        "feature_names": report.feature_names,
        "selected": report.selected,
        "headline": headline(report),
        "provenance": report.provenance,
        "features": report.features,
        "path": report.path,
        "stability": report.stability,
        "diagnostics": report.diagnostics,
        "mlp": None,
    }
    if report.mlp is not None:
        out["mlp"] = {k: v for k, v in report.mlp.items() if k != "selected_mask"}
    return plain(out)


def to_json(report, path=None, *, indent: int = 2) -> str:
    """See :meth:`FeatureSelectionReport.to_json`."""
    # Strict JSON: plain turned NaN/inf into null, and allow_nan=False proves it.
    text = (
        json.dumps(to_dict(report), indent=indent, allow_nan=False, ensure_ascii=False)
        + "\n"
    )
    if path is not None:
        write_atomic(path, text)
    return text


def to_frame(report, section: str = "features"):
    """See :meth:`FeatureSelectionReport.to_frame`."""
    pd = require_pandas("FeatureSelectionReport.to_frame")
    if section == "features":
        rows = []
        for f in report.features:  # a multinomial model's per-class coefficients
            row = {k: v for k, v in f.items() if k != "coef_by_class"}
            for c, v in (f.get("coef_by_class") or {}).items():
                row[f"coef[{c}]"] = v
            rows.append(row)
        return pd.DataFrame(rows).set_index("name")
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
        order = np.argsort(-np.asarray(m["importances"]), kind="stable")
        return pd.DataFrame(
            {
                "importance": np.asarray(m["importances"])[order],
                "selected": np.asarray(m["selected_mask"])[order],
            },
            index=pd.Index(np.asarray(m["feature_names"], dtype=object)[order],
                           name="feature"),
        )  # fmt: skip
    raise ValueError(
        f"section must be 'features', 'path', 'stability' or 'mlp', got {section!r}."
    )
