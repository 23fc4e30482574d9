"""The penalty a model was fitted with, as every refit of a report must use it.

glmnet's ``penalty.factor`` and ``lower.limits`` / ``upper.limits`` (skreg's
``penalty_factor``, ``lower_bounds`` and ``upper_bounds``) and ``positive`` are part of
the objective. The paths, alpha grids, fold refits and stability subsamples of a report
or a display take them from the model through :func:`path_params` (as the user gave
them: the path functions validate and rescale the factors exactly as the estimators
do), so that the report's path at the model's alpha is the model. :func:`describe`
says so in the report: one line a reader sees, and the rescaled arrays in the JSON.
"""

from __future__ import annotations

import numpy as np

from skreg import penalties

# Bounded features named in the one-line summary, at most.
_MAX_NAMED = 5


def path_params(final) -> dict:
    """Return the penalty keyword arguments of ``final``'s path function.

    ``positive`` and ``penalty_factor`` for every model; ``lower_bounds`` and
    ``upper_bounds`` for the models that have them (the linear ones).
    """
    params = {
        "positive": bool(getattr(final, "positive", False)),
        "penalty_factor": getattr(final, "penalty_factor", None),
    }
    for name in ("lower_bounds", "upper_bounds"):
        if hasattr(final, name):
            params[name] = getattr(final, name)
    return params


def penalty_value(final, alpha, l1_ratio, w) -> float:
    """Return the elastic-net penalty of ``final`` at ``w``, its factors included.

    The bounds and ``positive`` are indicator functions, zero at the path's feasible
    points, and left out.
    """
    w = np.ascontiguousarray(w, dtype=np.float64).ravel()
    penalty = penalties.ElasticNet(
        float(alpha), float(l1_ratio),
        penalty_factor=getattr(final, "penalty_factor", None), n_features=w.shape[0],
    )  # fmt: skip
    return penalty.value(w)


def describe(final, names) -> dict | None:
    """Return the model's factors and bounds for the report (``None`` when plain).

    A dict with ``penalty_factor`` (rescaled to sum to ``n_features``, as fitted, or
    ``None``), ``unpenalised`` (names of the features of factor 0),
    ``lower_bounds`` / ``upper_bounds`` (per feature, ``None`` for an infinite bound,
    or ``None`` without bounds), ``positive`` and ``summary``: one line such as
    ``"penalty factors: 2 features unpenalised (x5, x7), 10 weighted 0.91 to
    1.8; bounds: 1 feature bounded (x0 <= 0.5)"``.
    """
    params = path_params(final)
    if params["penalty_factor"] is None and all(
        params.get(b) is None for b in ("lower_bounds", "upper_bounds")
    ):
        return None
    p = len(names)
    weights, lower, upper = penalties.check_penalty_arrays(
        p, params["penalty_factor"], params.get("lower_bounds"),
        params.get("upper_bounds"),
    )  # fmt: skip
    parts, out = [], {"penalty_factor": None, "unpenalised": []}
    if params["penalty_factor"] is not None:
        factors = weights if weights.shape[0] else np.ones(p)
        free = factors == 0
        out["penalty_factor"] = factors.tolist()
        out["unpenalised"] = [n for n, f in zip(names, free, strict=True) if f]
        parts.append(_factor_text(factors, out["unpenalised"]))
    out["lower_bounds"] = _finite_or_none(lower)
    out["upper_bounds"] = _finite_or_none(upper)
    if lower.shape[0]:
        parts.append(_bounds_text(lower, upper, names))
    out["positive"] = params["positive"]
    if params["positive"]:
        parts.append("coefficients >= 0 (positive=True)")
    if not parts:  # bounds given but all infinite
        return None
    out["summary"] = "; ".join(parts)
    return out


def _finite_or_none(bounds):
    if not bounds.shape[0]:
        return None
    return [float(b) if np.isfinite(b) else None for b in bounds]


def _factor_text(factors, unpenalised) -> str:
    n_free = len(unpenalised)
    text = f"penalty factors: {n_free} feature{'s' if n_free != 1 else ''} unpenalised"
    if unpenalised:
        shown = ", ".join(unpenalised[:_MAX_NAMED])
        text += f" ({shown}{', ...' if n_free > _MAX_NAMED else ''})"
    pen = factors[factors > 0]
    lo, hi = float(pen.min()), float(pen.max())
    spread = f"{lo:.3g}" if np.isclose(lo, hi) else f"{lo:.3g} to {hi:.3g}"
    return (
        text + f", {pen.shape[0]} weighted {spread} (glmnet's rescaling to sum to "
        f"{factors.shape[0]})"
    )


def _box_text(lo, hi, name) -> str:
    if np.isfinite(lo) and np.isfinite(hi):
        return f"{lo:g} <= {name} <= {hi:g}"
    if np.isfinite(hi):
        return f"{name} <= {hi:g}"
    return f"{name} >= {lo:g}"


def _bounds_text(lower, upper, names) -> str:
    if np.all(lower == lower[0]) and np.all(upper == upper[0]):  # scalar bounds
        return f"bounds: {_box_text(lower[0], upper[0], 'every coefficient')}"
    bounded = np.flatnonzero(np.isfinite(lower) | np.isfinite(upper))
    items = [_box_text(lower[j], upper[j], names[j]) for j in bounded[:_MAX_NAMED]]
    more = ", ..." if bounded.shape[0] > _MAX_NAMED else ""
    n = bounded.shape[0]
    return (
        f"bounds: {n} feature{'s' if n != 1 else ''} bounded ({', '.join(items)}{more})"
    )
