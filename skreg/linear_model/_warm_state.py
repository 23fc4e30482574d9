"""A warm-started estimator's resumable solver state (``_solver_state``).

scikit-learn's ``warm_start`` promises that a fit continues from the previous one:
fitting twice for ``k`` epochs ends where one fit of ``2 k`` epochs does
(scikit-learn's ``test_warm_start``). ``coef_`` alone cannot keep that promise for
skreg's coordinate descent, whose working sets, Anderson history, dual bounds,
screened features and finishing credit are not part of it. So when a fit with
``warm_start=True`` stops at ``max_iter`` short of its tolerance, the estimator keeps
the solver's state (:class:`skreg.solvers.cd.CDState`, one per target) in the private
attribute ``_solver_state`` (a :class:`SolverState`), and the next fit resumes it,
running ``max_iter`` more epochs of the same solve (``n_iter_`` counts them).

The state is used only for the same problem. It carries a fingerprint, checked
before any epoch: the shape and dtype of ``X`` and whether it is sparse, the
parameters that shape the iterates (all but ``max_iter``, ``warm_start`` and
``copy_X``), ``coef_`` equal to the coefficients the kept fit returned (a user who
sets ``coef_`` gets a plain warm start from it), and per target the data as the
solver sees them (:func:`data_key`: one product of the centred, weighted ``X`` with
a fixed vector, its product with ``y``, and the column norms). Anything else falls
back to a warm start from ``coef_``. The state holds no data, only vectors of
length ``n_samples`` and ``n_features`` and the solver's bookkeeping; ``clone``
drops it (it is not a parameter); pickling keeps it, harmlessly (plain arrays and
tuples; a state whose fingerprint no longer matches is ignored). A fit that
converges, or any fit with ``warm_start=False``, removes it.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

# Parameters that do not change the iterates of the next epochs.
_NOT_KEYED = frozenset({"max_iter", "warm_start", "copy_X"})


class SolverState(NamedTuple):
    """What a warm-started fit keeps to be continued (``_solver_state``).

    Attributes
    ----------
    params : tuple
        :func:`params_key` of the estimator when it was fitted.
    data : tuple
        ``(n_samples, n_features, n_targets, dtype, sparse)`` of ``X``.
    coef : ndarray of shape (n_targets, n_features)
        The coefficients the fit returned (a copy of ``coef_``).
    targets : tuple
        Per target, ``(data_key, state)`` (:func:`data_key`,
        :class:`skreg.solvers.cd.CDState` or ``SmallCDState``), or ``None`` for a
        target that converged.
    """

    params: tuple
    data: tuple
    coef: np.ndarray
    targets: tuple


def _value_key(value):
    """Return a comparable stand-in for a parameter value (arrays: a digest)."""
    if value is None or isinstance(value, bool | int | float | str | np.generic):
        return value
    if isinstance(value, list | tuple | np.ndarray):
        arr = np.asarray(value)
        if arr.dtype != object:
            arr = np.ascontiguousarray(arr)
            digest = hashlib.blake2b(memoryview(arr).cast("B")).hexdigest()
            return ("array", arr.shape, arr.dtype.str, digest)
    # Anything else (a RandomState instance) only as the same object.
    return ("object", id(value))


def params_key(estimator) -> tuple:
    """Return the parameters that shape the iterates, comparable with ``==``."""
    params = estimator.get_params(deep=False)
    return tuple(
        (name, _value_key(value))
        for name, value in sorted(params.items())
        if name not in _NOT_KEYED
    )


def data_key(data) -> tuple:
    """Fingerprint of the data as the solver sees them (after centring and weights).

    ``(X_c^T u / n, u @ y_c, lipschitz)`` for a fixed pseudo-random ``u``: one pass over
    ``X`` through the solvers' own gradient kernel (no kernel compiled for it), and a
    change of ``X``, ``y`` or the sample weights changes it.
    """
    n = data.n_samples
    u = np.random.default_rng(n).uniform(-1.0, 1.0, n).astype(data.dtype)
    features = np.arange(data.n_features, dtype=np.int64)
    u_dot_y = float(u.astype(np.float64) @ data.y.astype(np.float64))
    return data.gradient(u, 0.0, features), u_dot_y, data.lipschitz.copy()


def _same_data_key(a, b) -> bool:
    return np.array_equal(a[0], b[0]) and a[1] == b[1] and np.array_equal(a[2], b[2])


def _shape_key(X, n_targets) -> tuple:
    return (*X.shape, n_targets, X.dtype.str, sp.issparse(X))


def stored_targets(estimator, X, n_targets, coefs) -> tuple | None:
    """Per-target ``(data_key, state)`` a fit may resume, or ``None``.

    ``coefs`` are the fit's starting coefficients (from ``coef_``). The data of each
    target are checked later, by :func:`resume_state`, once they are prepared.
    """
    kept = getattr(estimator, "_solver_state", None)
    if (
        not estimator.warm_start
        or not isinstance(kept, SolverState)
        or kept.data != _shape_key(X, n_targets)
        or kept.params != params_key(estimator)
        or not np.array_equal(kept.coef, coefs)
    ):
        return None
    return kept.targets


def resume_state(entry, data):
    """Return the solver state of ``entry`` (a target's) if ``data`` are its data."""
    if entry is None or not _same_data_key(entry[0], data_key(data)):
        return None
    return entry[1]


def keep(estimator, X, coefs, entries) -> None:
    """Store the fit's ``entries`` as ``_solver_state`` (or drop the old state).

    ``entries``: per target, ``(data_key, state)`` of an unconverged solve or
    ``None``; kept only with ``warm_start=True`` and when one target has a state.
    """
    if estimator.warm_start and any(e is not None for e in entries):
        estimator._solver_state = SolverState(
            params_key(estimator),
            _shape_key(X, coefs.shape[0]),
            coefs.copy(),
            tuple(entries),
        )
    elif hasattr(estimator, "_solver_state"):
        del estimator._solver_state
