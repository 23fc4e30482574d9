"""Discover skreg's public estimators (used by the common tests).

This module sits on top of the package, beside the CLI: it imports ``skreg`` (lazily,
to read ``__all__``), so nothing in the package imports it (``tests/test_layout.py``
checks both). Keeping it here rather than in the tests follows scikit-learn's
``sklearn.utils.discovery`` and the project template.
"""

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
