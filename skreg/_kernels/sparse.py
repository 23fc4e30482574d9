"""CSC sparse linear algebra kernels (no densification).

``data``, ``indices`` and ``indptr`` are the arrays of a CSC matrix with ``n_rows``
rows:
``data`` float32/float64, ``indices`` / ``indptr`` int32 (int64 for huge matrices),
indices sorted. Vectors are contiguous 1-D arrays of the dtype of ``data``; ``out`` is
written in place and returned. Inputs are validated upstream. Reductions accumulate in
float64.
"""

import numpy as np

from skreg._jit import jit


@jit
def csc_matvec(data, indices, indptr, w, out):
    """``out = X @ w`` for CSC ``X``; ``out`` has shape ``(n_rows,)``."""
    out[:] = 0.0
    for j in range(indptr.shape[0] - 1):
        wj = w[j]
        if wj == 0.0:
            continue
        for k in range(indptr[j], indptr[j + 1]):
            out[indices[k]] += data[k] * wj
    return out


@jit
def csc_rmatvec(data, indices, indptr, r, out):
    """``out = X.T @ r`` for CSC ``X``; ``out`` has shape ``(n_cols,)``."""
    for j in range(indptr.shape[0] - 1):
        dot = 0.0
        for k in range(indptr[j], indptr[j + 1]):
            dot += data[k] * r[indices[k]]
        out[j] = dot
    return out


@jit
def csc_column_sq_norms(data, indptr, out):
    """``out[j] = ||X[:, j]||_2^2`` for CSC ``X``."""
    for j in range(indptr.shape[0] - 1):
        s = 0.0
        for k in range(indptr[j], indptr[j + 1]):
            s += np.float64(data[k]) * np.float64(data[k])
        out[j] = s
    return out
