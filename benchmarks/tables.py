"""Real regression tables that ship with installed packages (no download).

``load_tables()`` returns ``{name: (X, y)}``: scikit-learn's bundled data
(diabetes, the three linnerud targets, and a numeric column of iris, wine and
breast_cancer regressed on the others) and statsmodels' bundled data sets
(``statsmodels.datasets.*``: their ``endog`` on their numeric ``exog``, or a
named column on the other numeric columns for the time-series tables), each raw
and with degree-2 features (``PolynomialFeatures(2, include_bias=False)``).
Columns are standardized (mean 0, variance 1; constant columns dropped), as for
any penalized fit, then stored Fortran-ordered in float64. Tables with a single
column are kept only in their degree-2 form.
"""

from __future__ import annotations

import functools
import importlib
import warnings

import numpy as np

# statsmodels data sets without endog/exog: (module, target column, dropped columns)
_STATSMODELS_FRAMES = {
    "macrodata": ("realgdp", ("year", "quarter")),
    "danish_data": ("lrm", ("period",)),
    "interest_inflation": ("Dp", ("year", "quarter")),
    "elnino": ("DEC", ("YEAR",)),
    "fertility": ("1990", ()),
    "heart": ("survival", ()),
}
_STATSMODELS_XY = (
    "anes96", "cancer", "ccard", "committee", "copper", "cpunish", "engel", "fair",
    "grunfeld", "longley", "modechoice", "randhie", "scotland", "spector",
    "stackloss", "star98", "statecrime", "strikes",
)  # fmt: skip


def _standardize(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    X = X[:, np.nanstd(X, axis=0) > 0]
    return (X - X.mean(axis=0)) / X.std(axis=0)


def _clean(X, y):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).ravel()
    X = X[:, np.mean(np.isfinite(X), axis=0) >= 0.8]  # mostly-missing columns out
    keep = np.all(np.isfinite(X), axis=1) & np.isfinite(y)
    return X[keep], y[keep]


def _sklearn_raw():
    from sklearn import datasets

    out = {}
    X, y = datasets.load_diabetes(return_X_y=True)
    out["diabetes"] = (X, y)
    lin = datasets.load_linnerud()
    for j, name in enumerate(lin.target_names):
        out[f"linnerud_{name.lower()}"] = (lin.data, lin.target[:, j])
    for loader, col in (("load_iris", 3), ("load_wine", 0), ("load_breast_cancer", 0)):
        data = getattr(datasets, loader)().data
        rest = np.delete(data, col, axis=1)
        out[loader[5:]] = (rest, data[:, col])
    return out


def _statsmodels_raw():
    out = {}
    for name in _STATSMODELS_XY:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = importlib.import_module(f"statsmodels.datasets.{name}").load_pandas()
        exog = ds.exog.select_dtypes("number")
        endog = ds.endog
        if getattr(endog, "ndim", 1) == 2:  # star98: successes of the binomial pair
            endog = endog.iloc[:, 0]
        out[f"sm_{name}"] = (exog.to_numpy(), endog.to_numpy())
    for name, (target, dropped) in _STATSMODELS_FRAMES.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            df = importlib.import_module(f"statsmodels.datasets.{name}").load_pandas()
        df = df.data.select_dtypes("number")
        y = df[target].to_numpy()
        X = df.drop(columns=[target, *[c for c in dropped if c in df]]).to_numpy()
        out[f"sm_{name}"] = (X, y)
    return out


@functools.cache
def load_tables() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """All tables, raw (``name``) and degree-2 (``name_deg2``), sorted by size."""
    from sklearn.preprocessing import PolynomialFeatures

    raw = {**_sklearn_raw(), **_statsmodels_raw()}
    out = {}
    for name, (X, y) in raw.items():
        X, y = _clean(X, y)
        if X.shape[0] < 10 or X.shape[1] == 0:
            continue
        Xs = _standardize(X)
        if Xs.shape[1] >= 2:
            out[name] = (np.asfortranarray(Xs), y)
        X2 = PolynomialFeatures(2, include_bias=False).fit_transform(Xs)
        out[f"{name}_deg2"] = (np.asfortranarray(_standardize(X2)), y)
    return dict(sorted(out.items(), key=lambda kv: kv[1][0].size))


if __name__ == "__main__":
    for name, (X, _y) in load_tables().items():
        print(f"{name:32s} {X.shape[0]:6d} x {X.shape[1]:4d}")
    print(len(load_tables()), "tables")
