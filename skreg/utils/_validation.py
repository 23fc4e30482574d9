"""Validation helpers: the sole home of scikit-learn private imports.

scikit-learn's parameter-validation machinery (``Interval``, ``StrOptions``,
``_fit_context``) and ``_check_sample_weight`` are private. Importing them in one module
means that a rename upstream breaks one file, not the whole package (skglm #45).
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, _fit_context
from sklearn.linear_model._base import LinearClassifierMixin, SparseCoefMixin
from sklearn.utils._metadata_requests import _raise_for_params, _routing_enabled
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

__all__ = [
    "Integral",
    "Interval",
    "LinearClassifierMixin",
    "SparseCoefMixin",
    "MetadataRouter",
    "MethodMapping",
    "process_routing",
    "raise_for_params",
    "routing_enabled",
    "Real",
    "StrOptions",
    "_fit_context",
    "check_is_fitted",
    "check_sample_weight",
    "validate_data",
    "as_kernel_csc",
    "check_squares_fit",
    "fast_validate_xy",
    "is_private_copy",
    "validate_params_cached",
]


def raise_for_params(params, owner, method) -> None:
    """scikit-learn's check: extra ``fit`` keywords need metadata routing enabled."""
    _raise_for_params(params, owner, method)


def routing_enabled() -> bool:
    """Whether ``sklearn.set_config(enable_metadata_routing=True)`` is in effect."""
    return _routing_enabled()


def check_sample_weight(sample_weight, X, dtype) -> np.ndarray | None:
    """Validate ``sample_weight``: 1-D, length ``n_samples``, finite, non-negative.

    Returns ``None`` when ``sample_weight`` is ``None`` (the unweighted fast path),
    else a contiguous array of ``dtype``. Raises ``ValueError`` naming
    ``sample_weight`` on
    negative entries or an all-zero vector.
    """
    if sample_weight is None:
        return None
    sw = _check_sample_weight(sample_weight, X, dtype=dtype, ensure_non_negative=True)
    if not np.all(np.isfinite(sw)):
        raise ValueError("sample_weight must be finite.")
    if not np.any(sw > 0):
        raise ValueError("sample_weight must have at least one positive entry.")
    return np.ascontiguousarray(sw)


def as_kernel_csc(X) -> sp.csc_array | sp.csc_matrix:
    """Return ``X`` as canonical CSC with int32 indices (int64 when nnz needs it).

    The compiled sparse kernels specialise on the index dtype; normalising it here keeps
    one compiled signature per floating dtype. They also need the canonical format
    (sorted row indices, no duplicate entries): duplicates would be counted once per
    stored entry in the column norms but summed in the products, which solves another
    problem than the one given (issue 26). ``X`` is copied only when its format, index
    dtype or canonical form changes, never modified.
    """
    X_in = X
    X = X.tocsc() if X.format != "csc" else X
    if not X.has_canonical_format:
        # sum_duplicates works in place: on a copy, never on the caller's matrix
        # (a converted matrix is already a copy).
        X = X.copy() if X is X_in else X
        X.sum_duplicates()
    idx_dtype = (
        np.int32 if max(X.nnz, X.shape[0]) < np.iinfo(np.int32).max else np.int64
    )
    if X.indices.dtype != idx_dtype or X.indptr.dtype != idx_dtype:
        X = X.copy()
        X.indices = X.indices.astype(idx_dtype)
        X.indptr = X.indptr.astype(idx_dtype)
    if not X.has_sorted_indices:
        X = X.sorted_indices()
    return X


def check_squares_fit(a: np.ndarray, name: str) -> None:
    """Raise ``ValueError`` naming ``name`` if sums of squares of ``a`` overflow.

    ``n * max|a|^2`` must stay below the largest number of ``a``'s dtype (with a
    factor 256 of headroom): losses and gradients square the data, and beyond that
    training only overflows (float32 data of 1e20, found by
    ``tests/test_fuzz_mlp.py``).
    """
    if a.size == 0:
        return
    info = np.finfo(a.dtype)
    top = max(-float(a.min()), float(a.max()))
    bound = np.sqrt(float(info.max) / a.shape[0]) / 16
    if top > bound:
        hint = ", or fit in float64" if a.dtype != np.float64 else ""
        raise ValueError(
            f"{name} is too badly scaled for {a.dtype}: its largest absolute value is "
            f"{top:.3g}, whose square would overflow {a.dtype} (at most {bound:.1e}). "
            f"Standardize {name} (e.g. StandardScaler){hint}."
        )


# Two validation paths, kept on purpose (both for speed: scikit-learn's machinery is
# a tenth of a small fit): this cache of valid parameter settings in front of
# scikit-learn's _validate_params, and fast_validate_xy in front of validate_data.
# Each falls back to scikit-learn's own function on anything unusual, so the errors
# stay scikit-learn's; tests/linear_model/test_sklearn_integration.py keeps them in
# step (test_invalid_parameters_rejected_after_a_valid_fit,
# test_fast_input_path_equals_sklearn_validation, and the common checks).
#
# Parameter settings already validated, per estimator class: scikit-learn's
# validation inspects the constructor signature and builds constraint objects on every
# fit (~40 us, a tenth of a small fit). Validity is a function of the values and their
# types only, so a setting that passed once passes again. Only settings whose values
# are all hashable are remembered (lists and arrays are validated every time), and
# only settings that passed (a NaN never compares equal, so it is never remembered).
_VALID_SETTINGS: dict = {}
_MAX_VALID_SETTINGS = 1024


def validate_params_cached(estimator) -> None:
    """scikit-learn's ``_validate_params``, skipped for settings known to be valid.

    Calls the estimator's class's parent ``_validate_params`` (scikit-learn's) on a
    miss, so the errors are scikit-learn's own.
    """
    cls = type(estimator)
    try:
        key = (cls,) + tuple(
            (name, type(value), value)
            for name in cls._parameter_constraints
            for value in (getattr(estimator, name),)
        )
        known = key in _VALID_SETTINGS
    except TypeError:  # an unhashable value: validate every time
        key, known = None, False
    if known:
        return
    BaseEstimator._validate_params(estimator)
    if key is not None and len(_VALID_SETTINGS) < _MAX_VALID_SETTINGS:
        _VALID_SETTINGS[key] = None


def fast_validate_xy(estimator, X, y):
    """``(X, y)`` validated without scikit-learn's machinery, or ``None``.

    Covers the common cases only: ``X`` a plain 2-D float32/float64 ``ndarray``, or a
    ``csc_matrix`` / ``csc_array`` of those dtypes, with at least one row and column;
    ``y`` a plain 1-D float or integer ``ndarray`` of the same length; both finite.
    Anything else (or any doubt) returns ``None`` and the caller falls back to
    :func:`validate_data`, which raises scikit-learn's errors. The effects on
    ``estimator`` are ``validate_data``'s with ``reset=True``: ``n_features_in_`` is
    set and a stale ``feature_names_in_`` removed. Dense ``X`` is returned in Fortran
    order (copied only if needed), CSC ``X`` and ``y`` as given (as ``validate_data``
    returns them).
    """
    if type(y) is not np.ndarray:
        return None
    sparse = type(X) in (sp.csc_matrix, sp.csc_array)
    if not sparse and type(X) is not np.ndarray:
        return None
    if X.ndim != 2 or y.ndim != 1 or X.dtype not in (np.float64, np.float32):
        return None
    n, p = X.shape
    if n < 1 or p < 1 or y.shape[0] != n or y.dtype.kind not in "fiu":
        return None
    # The sum is finite iff every entry is (or overflows: then scikit-learn decides).
    # (An overflowing sum is no error here: silence numpy's warning about it.)
    with np.errstate(over="ignore", invalid="ignore"):
        sums = (X.data if sparse else X).sum(), y.sum()
    if not (math.isfinite(sums[0]) and math.isfinite(sums[1])):
        return None
    if hasattr(estimator, "feature_names_in_"):
        del estimator.feature_names_in_
    estimator.n_features_in_ = p
    return (X if sparse else np.asfortranarray(X)), y


def is_private_copy(X, X_given) -> bool:
    """Tell whether validation made ``X`` a fresh array that nothing else refers to.

    True only when the caller passed an ``ndarray`` (or a list) and ``X`` owns its
    memory and shares none with it: then ``X`` (say, the Fortran-ordered copy of a
    C-ordered array) may be overwritten. Anything else, notably pandas objects
    whose arrays may be views of the caller's frame, answers ``False``.
    """
    if not isinstance(X, np.ndarray) or not isinstance(X_given, np.ndarray | list):
        return False
    if X is X_given or not X.flags.owndata:
        return False
    return not (isinstance(X_given, np.ndarray) and np.shares_memory(X, X_given))
