"""CSC sparse linear algebra kernels (no densification).

``data``, ``indices`` and ``indptr`` are the arrays of a CSC matrix with ``n_rows``
rows:
``data`` float32/float64, ``indices`` / ``indptr`` int32 (int64 for huge matrices),
indices sorted. Vectors are contiguous 1-D arrays of the dtype of ``data``; ``out`` is
written in place and returned. Inputs are validated upstream. Reductions accumulate in
float64. Stored positions are read as unsigned (``np.uint64``), which spares Numba's
negative-index test on every element (see :mod:`skreg._kernels.quadratic`).
"""

import numpy as np

from skreg._jit import jit


@jit
def csc_matvec_centered(data, indices, indptr, w, xmean, row_scale, out):
    """``out = (X - row_scale xmean^T) @ w`` for CSC ``X``, computed in float64.

    This is the product with the implicitly centred design (``row_scale`` holds the
    square roots of the normalised sample weights, ones when unweighted; ``xmean``
    zeros without centring). Sums are accumulated and the centring shift subtracted in
    float64 before the one rounding to the dtype of ``out``: with shifted columns,
    ``X @ w`` and the shift are both large and their float32 difference would lose
    most of its digits.
    """
    acc = np.zeros(out.shape[0])
    shift = 0.0
    for j in range(indptr.shape[0] - 1):
        wj = np.float64(w[j])
        if wj == 0.0:
            continue
        shift += np.float64(xmean[j]) * wj
        for k in range(np.uint64(indptr[j]), np.uint64(indptr[j + 1])):
            acc[np.uint64(indices[k])] += data[k] * wj
    for i in range(out.shape[0]):
        out[i] = acc[i] - shift * row_scale[i]
    return out


@jit
def csc_rmatvec_centered(data, indices, indptr, r, xmean, row_scale, out):
    """``out = (X - row_scale xmean^T).T @ r`` for CSC ``X``, computed in float64."""
    scale_dot_r = 0.0
    for i in range(r.shape[0]):
        scale_dot_r += np.float64(row_scale[i]) * r[i]
    for j in range(indptr.shape[0] - 1):
        dot = 0.0
        for k in range(np.uint64(indptr[j]), np.uint64(indptr[j + 1])):
            dot += data[k] * r[np.uint64(indices[k])]
        out[j] = dot - np.float64(xmean[j]) * scale_dot_r
    return out


@jit
def csc_column_sq_norms(data, indptr, out):
    """``out[j] = ||X[:, j]||_2^2`` for CSC ``X``."""
    for j in range(indptr.shape[0] - 1):
        s = 0.0
        for k in range(np.uint64(indptr[j]), np.uint64(indptr[j + 1])):
            s += np.float64(data[k]) * np.float64(data[k])
        out[j] = s
    return out
