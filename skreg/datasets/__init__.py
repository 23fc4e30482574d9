"""Bundled data: the default CSV that ``skreg report`` runs on without arguments.

``diabetes.csv`` is scikit-learn's diabetes data (Efron, Hastie, Johnstone &
Tibshirani 2004, "Least angle regression"), written from
:func:`sklearn.datasets.load_diabetes` with every value's shortest round-trip
representation: ten standardized baseline variables and the column ``target``, a
measure of disease progression one year after baseline (442 rows).
"""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

__all__ = ["default_csv_path", "load_default"]

DEFAULT_TARGET = "target"


def default_csv_path() -> Path:
    """Return the path of the bundled CSV file.

    Returns
    -------
    path : pathlib.Path
        ``skreg/datasets/diabetes.csv`` inside the installed package.

    Examples
    --------
    >>> from skreg.datasets import default_csv_path
    >>> default_csv_path().name
    'diabetes.csv'
    """
    return Path(str(resources.files(__name__).joinpath("diabetes.csv")))


def load_default(*, return_X_y: bool = False, as_frame: bool = False):
    """Load the bundled default data set (scikit-learn's diabetes data).

    Reads the CSV with the standard library, so pandas is needed only for
    ``as_frame=True``.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of a :class:`~sklearn.utils.Bunch`.
    as_frame : bool, default=False
        Return ``data`` as a pandas DataFrame and ``target`` as a Series (and the
        whole table as ``frame``).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With ``data`` (442, 10), ``target`` (442,), ``feature_names``,
        ``target_name`` (``"target"``), ``frame`` (``None`` unless ``as_frame``) and
        ``filename``.
    (X, y) : tuple
        When ``return_X_y=True``.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from skreg.datasets import load_default
    >>> data = load_default()
    >>> data.data.shape, data.feature_names[:3], data.target_name
    ((442, 10), ['age', 'sex', 'bmi'], 'target')
    >>> bool((data.data == load_diabetes().data).all())
    True
    """
    path = default_csv_path()
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    table = np.array(body, dtype=np.float64)
    i_target = header.index(DEFAULT_TARGET)
    feature_names = [h for i, h in enumerate(header) if i != i_target]
    X = np.delete(table, i_target, axis=1)
    y = table[:, i_target]
    frame = None
    if as_frame:
        from skreg.reports._render import _require_pandas

        pd = _require_pandas("load_default(as_frame=True)")
        frame = pd.DataFrame(table, columns=header)
        X = frame[feature_names]
        y = frame[DEFAULT_TARGET]
    if return_X_y:
        return X, y
    return Bunch(
        data=X,
        target=y,
        feature_names=feature_names,
        target_name=DEFAULT_TARGET,
        frame=frame,
        filename=str(path),
    )
