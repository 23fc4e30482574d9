"""Discover skreg's public estimators (used by the common tests)."""

from __future__ import annotations

import inspect

from sklearn.base import BaseEstimator


def all_estimators() -> list[tuple[str, type]]:
    """Return ``(name, class)`` for every public estimator exported by :mod:`skreg`.

    Examples
    --------
    >>> from skreg.utils.discovery import all_estimators
    >>> "Lasso" in dict(all_estimators())
    True
    """
    import skreg

    out = []
    for name in skreg.__all__:
        obj = getattr(skreg, name)
        if inspect.isclass(obj) and issubclass(obj, BaseEstimator):
            out.append((name, obj))
    return sorted(out)
