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
def csc_column_stats(data, indptr, sums, out):
    """``sums[j] = sum_i X[i, j]`` and ``out[j] = ||X[:, j]||_2^2`` for CSC ``X``.

    One pass over the stored values (``sums`` and ``out`` float64, written in place;
    ``out`` is returned): the column means and norms of a fit's statistics.
    """
    for j in range(indptr.shape[0] - 1):
        s = 0.0
        s2 = 0.0
        for k in range(np.uint64(indptr[j]), np.uint64(indptr[j + 1])):
            x = np.float64(data[k])
            s += x
            s2 += x * x
        sums[j] = s
        out[j] = s2
    return out


@jit
def csc_gram(data, indices, indptr, cols, y, G, b, work):
    """``G = X[:, cols].T X[:, cols]`` and ``b = X[:, cols].T y`` for CSC ``X``.

    ``cols`` int64 column indices; ``G`` (``len(cols)`` square) and ``b`` float64,
    written in place (``b`` only when ``y`` is not empty); ``work`` a float64 array of
    ``n_rows`` zeros, left zero. Column ``cols[a]`` is scattered into ``work`` once and
    dotted with the stored entries of the columns after it: ``len(cols) * nnz / 2``
    multiply-adds at most, no sparse product machinery (the Gram matrix of a few
    columns, for the small-problem solve and the finishing step's Hessian block).
    """
    m = cols.shape[0]
    with_b = y.shape[0] > 0
    for a in range(m):
        j = cols[a]
        start, stop = np.uint64(indptr[j]), np.uint64(indptr[j + 1])
        s = 0.0
        for k in range(start, stop):
            i = np.uint64(indices[k])
            x = np.float64(data[k])
            work[i] = x
            if with_b:
                s += x * np.float64(y[i])
        if with_b:
            b[a] = s
        for c in range(a, m):
            jc = cols[c]
            t = 0.0
            for k in range(np.uint64(indptr[jc]), np.uint64(indptr[jc + 1])):
                t += np.float64(data[k]) * work[np.uint64(indices[k])]
            G[a, c] = t
            G[c, a] = t
        for k in range(start, stop):
            work[np.uint64(indices[k])] = 0.0
    return G
