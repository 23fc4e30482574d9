"""Formatting shared by every renderer: safe names, numbers, fixed-width tables.

Nothing here imports another report module, so the text, HTML and plot modules can all
use it without import cycles.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np

WIDTH = 88


def clean_text(text, width: int | None = None) -> str:
    r"""Neutralise a string from the data for a terminal or a fixed-width table.

    Characters that are not printable (control characters such as ANSI escapes,
    carriage returns, NUL and newlines; format characters such as bidirectional
    overrides) are replaced by their Python escapes (``\x1b``, ``\n``,
    ``\u202e``), so a name cannot move the cursor, recolour or rewrite the terminal,
    or break a table row. With ``width``, longer results are cut and end in ``…``.

    Examples
    --------
    >>> from skreg.reports._format import clean_text
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


def shorten_middle(text: str, width: int, tail: int | None = None) -> str:
    """Cut ``text`` to ``width`` characters with ``…`` in the middle.

    The end of a name (``cat__occupation_Sales``: the level after a shared prefix)
    is what tells one-hot columns apart, so it is kept: ``tail`` characters of it
    (default: half the width).

    Examples
    --------
    >>> from skreg.reports._format import shorten_middle
    >>> shorten_middle("cat__occupation_Adm-clerical", 16)
    'cat__oc…clerical'
    """
    if len(text) <= width:
        return text
    width = max(width, 3)
    tail = width // 2 if tail is None else min(max(tail, 1), width - 2)
    return text[: width - 1 - tail] + "…" + text[len(text) - tail :]


def distinct_labels(names, width: int) -> list[str]:
    """Neutralised names cut to ``width`` (middle ellipsis) and kept distinct.

    Names that would print the same get a longer kept tail, then (for names equal
    after neutralising, or differing only in the middle) their position ``#j``.

    Examples
    --------
    >>> from skreg.reports._format import distinct_labels
    >>> distinct_labels(["cat__occupation_Sales", "cat__occupation_Tech"], 12)
    ['cat__…_Sales', 'cat__…n_Tech']
    """
    full = [clean_text(n) for n in names]
    labels = [shorten_middle(n, width) for n in full]
    for tail in range(width // 2 + 1, width - 1):
        dup = _duplicated(labels)
        if not dup:
            return labels
        for i in dup:
            labels[i] = shorten_middle(full[i], width, tail)
    for i in _duplicated(labels):
        mark = f"#{i}"
        labels[i] = shorten_middle(full[i], width - len(mark)) + mark
    return labels


def _duplicated(labels) -> list[int]:
    seen: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        seen.setdefault(label, []).append(i)
    return [i for group in seen.values() if len(group) > 1 for i in group]


def plain(value):
    """JSON-safe copy: arrays to lists, numpy scalars to Python, NaN/inf to None."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def fmt(x, digits: int = 4) -> str:
    """Compact number: ``-`` for missing, else ``digits`` significant digits."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    return f"{x:.{digits}g}"


def fmt_gap(gap) -> str:
    """Format a duality gap for reading: never negative.

    A gap is non-negative in exact arithmetic; a small negative value (``-9e-10``) is
    rounding in the primal and dual objectives, so it reads as ``<1e-09`` (below the
    rounding level) rather than as a negative number.

    Examples
    --------
    >>> from skreg.reports._format import fmt_gap
    >>> fmt_gap(-9e-10), fmt_gap(0.0), fmt_gap(2.5e-3)
    ('<1e-09', '0', '2.50e-03')
    """
    if gap is None or not math.isfinite(gap):
        return "-"
    if gap == 0:
        return "0"
    if gap < 0:
        return f"<1e{math.ceil(math.log10(-gap)):03d}"
    return f"{gap:.2e}"


def fmt_params(params: dict) -> str:
    """``key=value, ...`` with floats compact (a search's best parameters)."""
    return ", ".join(
        f"{clean_text(k)}={fmt(v) if isinstance(v, float) else clean_text(v)}"
        for k, v in params.items()
    )


def _row(cells, widths, aligns) -> str:
    out = []
    for cell, w, a in zip(cells, widths, aligns, strict=True):
        out.append(f"{cell:<{w}}" if a == "<" else f"{cell:>{w}}")
    return " ".join(out).rstrip()


def table(header, rows, aligns) -> list[str]:
    """Lay out a fixed-width table: header, dashes, rows (cells are strings)."""
    widths = [
        max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(str(h))
        for i, h in enumerate(header)
    ]
    lines = [_row(header, widths, aligns)]
    lines.append(_row(["-" * w for w in widths], widths, aligns))
    lines.extend(_row([str(c) for c in r], widths, aligns) for r in rows)
    return lines


def wrap(text: str, indent: str = "") -> list[str]:
    """Wrap running text at :data:`WIDTH` columns."""
    return textwrap.wrap(
        text, WIDTH, initial_indent=indent, subsequent_indent=indent or "  "
    )


def names_text(names, width: int = 30) -> list[str]:
    """Names from the data, neutralised and cut for running text."""
    return [clean_text(n, width) for n in names]


def nearest(alphas, alpha) -> int:
    """Index of the grid alpha nearest to ``alpha``."""
    return int(np.argmin(np.abs(np.asarray(alphas) - alpha)))


def path_rows(path: dict, max_rows: int) -> list[int]:
    """Evenly spaced path rows, always with alpha_min, alpha_1se and the model's."""
    n = len(path["alphas"])
    keep = set(np.round(np.linspace(0, n - 1, min(max_rows, n))).astype(int).tolist())
    for key in ("alpha_min", "alpha_1se", "alpha"):
        keep.add(nearest(path["alphas"], path[key]))
    return sorted(keep)


def ordered_features(report) -> list[dict]:
    """Order the features: selected first (by |std coefficient|), then by stability."""

    def key(f):
        std = abs(f.get("std_coef_min", 0.0) or 0.0)
        stab = f.get("stability", 0.0)
        stab = 0.0 if stab is None or not math.isfinite(stab) else stab
        entry = f.get("entry_alpha", 0.0)
        entry = 0.0 if entry is None or not math.isfinite(entry) else entry
        return (not f["selected"], -std, -stab, -entry, f["name"])

    return sorted(report.features, key=key)


def feature_row(j, name, coef, path, stats) -> dict:
    """Return the report's row of feature ``j`` (linear and GLM reports alike).

    ``path = (coefs, i_min, i_1se, x_std)``: the coefficient path on the report's
    grid, the CV choices on it and the columns' standard deviations; ``stats =
    (entry_alpha, cv_frequency, sign_consistency, stability, stable)``, per feature.
    """
    coefs, i_min, i_1se, x_std = path
    entry, freq, consistency, stab_prob, stable = stats
    return {
        "name": name,
        "selected": bool(coef[j] != 0),
        "coef": float(coef[j]),
        "coef_min": float(coefs[j, i_min]),
        "coef_1se": float(coefs[j, i_1se]),
        "std_coef_min": float(coefs[j, i_min] * x_std[j]),
        "std_coef_1se": float(coefs[j, i_1se] * x_std[j]),
        "entry_alpha": float(entry[j]),
        "cv_frequency": float(freq[j]),
        "sign_consistency": float(consistency[j]),
        "stability": float(stab_prob[j]),
        "stable": bool(stable[j]),
    }
