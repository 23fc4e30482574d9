"""Drawing helpers of the displays: literal labels, marked alphas, which estimator.

``_resolve`` accepts an estimator alone, as the last step of a ``Pipeline`` or inside
a search, fitted or not; the rest places and colours lines and labels.
"""

from __future__ import annotations

import numpy as np

from skreg.reports._estimators import (
    final_step_unfitted,
    fit_if_needed,
    foreign_model_message,
    transform,
    unwrap,
)
from skreg.reports._format import clean_text
from skreg.reports._io import require_matplotlib


def legend_label(name, width: int = 30) -> str:
    """Turn a feature name into literal legend text.

    Names come from data files: control characters are escaped and long names cut
    (``clean_text``), ``$`` is escaped so that matplotlib does not parse the name as
    mathtext (an unbalanced ``$\\frac{`` would fail the whole figure), and a
    leading underscore, which tells matplotlib to leave the line out of the legend,
    gets a space in front.
    """
    return literal(clean_text(name, width))


def literal(label: str) -> str:
    label = label.replace("$", r"\$")
    return " " + label if label.startswith("_") else label


def axes(ax, what):
    require_matplotlib(what)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax, ax.figure


def mark_alphas(ax, alpha_min, alpha_1se):
    lines = []
    if alpha_min is not None:
        lines.append(ax.axvline(alpha_min, color="k", ls="--", lw=1, label="alpha_min"))
    if alpha_1se is not None:
        lines.append(ax.axvline(alpha_1se, color="k", ls=":", lw=1, label="alpha_1se"))
    return lines


def check_model(final, what: str) -> None:
    message = foreign_model_message(final, what)
    if message is not None:
        raise TypeError(message)


def resolve(estimator, X, y, what: str):
    """Fit ``estimator`` if needed (in place); return ``(prefix, final, Xt)``.

    Accepts a model alone, the last step of a ``Pipeline`` or a search over either;
    ``Xt`` is ``X`` through the pipeline's earlier steps (``None`` without ``X``).
    """
    check_model(final_step_unfitted(estimator), what)
    fit_if_needed(estimator, X, y, f"{what}.from_estimator")
    _, prefix, final = unwrap(estimator)
    check_model(final, what)
    Xt = None if X is None else transform(prefix, X)
    return prefix, final, Xt


def final_step(estimator):
    _, _, final = unwrap(estimator)
    return final


def curve_index(final) -> int:
    """Row of ``mse_path_`` (and of ``alphas_``, when 2-D) at the chosen ``l1_ratio_``.

    Given alphas are one grid shared by the l1_ratios (``alphas_`` 1-D), as in
    scikit-learn, while ``mse_path_`` keeps its l1_ratio axis.
    """
    path = getattr(final, "mse_path_", None)
    several = np.ndim(final.alphas_) > 1 if path is None else np.ndim(path) > 2
    if not several:
        return 0
    l1s = np.atleast_1d(np.asarray(getattr(final, "l1_ratio", 1.0), dtype=float))
    return int(np.flatnonzero(l1s == float(final.l1_ratio_))[0])


def spread(y, gap):
    """Move sorted label positions ``y`` apart by at least ``gap`` (same order)."""
    order = np.argsort(y, kind="stable")
    placed = np.asarray(y, dtype=float)[order].copy()
    for i in range(1, len(placed)):
        placed[i] = max(placed[i], placed[i - 1] + gap)
    # Centre the block again where pushing moved it up.
    shift = (placed - np.asarray(y, dtype=float)[order]).max() / 2
    placed -= shift if shift > 0 else 0.0
    out = np.empty_like(placed)
    out[order] = placed
    return out


def top_features(coefs, n):
    """Pick the ``n`` features that enter the path first (ties: larger |coef|)."""
    nonzero = coefs != 0
    entered = nonzero.any(axis=1)
    first = np.where(entered, np.argmax(nonzero, axis=1), coefs.shape[1])
    size = np.abs(coefs).max(axis=1)
    order = np.lexsort((-size, first))
    return np.sort(order[:n])


# tab10 without its grey (the unnamed curves are grey), and a dark teal in its place.
_NAMED_COLOURS = ["C0", "C1", "C2", "C3", "C4", "C5", "C6", "C8", "C9", "#00544a"]


def palette(n):
    """``n`` distinct colours, none of them grey: tab10-like up to 10, then a map."""
    if n <= len(_NAMED_COLOURS):
        return _NAMED_COLOURS[:n]
    from matplotlib import colormaps

    if n <= 20:
        cmap = colormaps["tab20"]
        return [cmap(k) for k in range(n)]
    cmap = colormaps["turbo"]
    return [cmap(k / max(n - 1, 1)) for k in range(n)]


def null_locator():
    from matplotlib.ticker import NullLocator

    return NullLocator()
