"""Estimators as the reports and displays accept them: alone, in a pipeline, searched.

An estimator alone, the last step of a ``Pipeline``, or inside a search
(``GridSearchCV``); fitted or not.

One home for unwrapping, fitting what is not fitted, transforming ``X`` through a
pipeline's earlier steps and naming the features the final step sees.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError

from skreg.utils._validation import check_is_fitted

_SKLEARN_TWINS = {
    "Lasso": "Lasso",
    "LassoCV": "LassoCV",
    "ElasticNet": "ElasticNet",
    "ElasticNetCV": "ElasticNetCV",
}


def is_fitted(estimator) -> bool:
    """Whether scikit-learn's ``check_is_fitted`` accepts ``estimator``."""
    try:
        check_is_fitted(estimator)
    except NotFittedError:
        return False
    return True


def is_search(estimator) -> bool:
    """Tell a search (``GridSearchCV``-like) from a model or a pipeline."""
    return hasattr(estimator, "best_estimator_") or (
        hasattr(estimator, "estimator")
        and hasattr(estimator, "cv")
        and any(hasattr(estimator, a) for a in ("param_grid", "param_distributions"))
    )


def fit_if_needed(estimator, X, y, what: str):
    """Fit ``estimator`` in place on ``X``, ``y`` when it is not fitted; return it."""
    if is_fitted(estimator):
        return estimator
    if X is None or y is None:
        raise ValueError(
            f"The estimator is not fitted: pass X and y to {what} to fit it, or fit it."
        )
    return estimator.fit(X, y)


def unwrap(fitted):
    """Split a fitted estimator into ``(search, prefix, final)``.

    ``search`` is the fitted search (or ``None``), ``prefix`` the fitted pipeline
    without its last step (or ``None``), ``final`` the model itself.
    """
    search = None
    if is_search(fitted):
        if not hasattr(fitted, "best_estimator_"):
            raise ValueError(
                "The search was fitted with refit=False; the report needs the refit "
                "best_estimator_."
            )
        search, fitted = fitted, fitted.best_estimator_
    prefix = None
    final = fitted
    if hasattr(fitted, "steps"):
        prefix = fitted[:-1] if len(fitted.steps) > 1 else None
        final = fitted[-1]
    return search, prefix, final


def final_step_unfitted(estimator):
    """Return the final model of an unfitted estimator, pipeline or search."""
    inner = getattr(estimator, "estimator", None)
    if hasattr(estimator, "param_grid") or hasattr(estimator, "param_distributions"):
        estimator = inner
    return estimator[-1] if hasattr(estimator, "steps") else estimator


def transform(prefix, X):
    """``X`` through the pipeline's earlier steps (dense float64, Fortran order)."""
    from sklearn.utils import check_array

    Xt = prefix.transform(X) if prefix is not None else X
    if sp.issparse(Xt):
        Xt = Xt.toarray()
    return check_array(Xt, dtype=np.float64, order="F")


def feature_names(feature_names, X, prefix, n_features, final=None) -> list[str]:
    """Names of the columns the final step sees.

    In order: ``feature_names`` given for the columns of ``X`` (passed through the
    pipeline's ``get_feature_names_out``), the pipeline's names out, the DataFrame's
    columns, the final step's ``feature_names_in_``, else ``x0, x1, ...``.
    """
    names = None
    if feature_names is None and hasattr(X, "columns"):
        feature_names = [str(c) for c in X.columns]
    if prefix is not None:
        try:
            in_names = (
                list(feature_names)
                if feature_names is not None
                else getattr(prefix[0], "feature_names_in_", None)
            )
            names = list(
                prefix.get_feature_names_out(
                    None if in_names is None else np.asarray(in_names, dtype=object)
                )
            )
        except (AttributeError, ValueError, TypeError):
            names = None
    elif feature_names is not None:
        names = [str(n) for n in feature_names]
    if (names is None or len(names) != n_features) and final is not None:
        names = getattr(final, "feature_names_in_", None)
    if names is None or len(names) != n_features:
        names = [f"x{j}" for j in range(n_features)]
    return [str(n) for n in names]


def foreign_model_message(final, what: str) -> str | None:
    """Say so clearly when ``final`` is scikit-learn's model instead of skreg's."""
    cls = type(final)
    name = cls.__name__
    if not cls.__module__.startswith("sklearn.") or name not in _SKLEARN_TWINS:
        return None
    return (
        f"{what} got scikit-learn's {cls.__module__.split('._')[0]}.{name}, which "
        "does not keep the CV curve and the alpha_1se the report reads; use "
        f"skreg.{_SKLEARN_TWINS[name]} instead (same parameters): "
        f"from skreg import {_SKLEARN_TWINS[name]}."
    )
