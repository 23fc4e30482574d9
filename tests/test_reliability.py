"""Reliability under faults the rest of the suite misses (issue 26).

- Non-canonical sparse input (duplicate entries) fits as its canonical form and is
  never modified.
- A damaged or full Numba cache never fails a fit (subprocesses with their own
  ``NUMBA_CACHE_DIR``).
- Data whose squares underflow is never taken for zero data; targets on a tiny scale
  get a proper cross-validation grid.
- Invalid path parameters are ``ValueError``s naming the parameter.
- The one-call dense solver runs in resumable chunks and stops on Ctrl-C.
- A weighted dense fit makes one copy of ``X`` (peak RSS of a subprocess).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from skreg import Lasso


def _duplicated(X_dense, fmt, seed=0):
    """``X_dense`` in ``fmt`` with every stored entry split into two duplicates."""
    rng = np.random.default_rng(seed)
    coo = sp.coo_matrix(X_dense)
    share = rng.uniform(0.2, 0.8, size=coo.nnz)
    rows = np.concatenate([coo.row, coo.row])
    cols = np.concatenate([coo.col, coo.col])
    vals = np.concatenate([coo.data * share, coo.data * (1.0 - share)])
    order = rng.permutation(rows.shape[0])
    dup = sp.coo_matrix(
        (vals[order], (rows[order], cols[order])), shape=X_dense.shape
    )
    if fmt == "coo":
        return dup
    # Compressed storage built from its arrays keeps the duplicates (scipy's
    # conversions from COO would sum them): group by major index, minor indices
    # left unsorted within each group.
    major, minor = (cols, rows) if fmt == "csc" else (rows, cols)
    n_major = X_dense.shape[1] if fmt == "csc" else X_dense.shape[0]
    keep = np.argsort(major[order], kind="stable")
    indices = minor[order][keep].astype(np.int32)
    data = vals[order][keep]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(major, minlength=n_major))])
    cls = sp.csc_matrix if fmt == "csc" else sp.csr_matrix
    return cls((data, indices, indptr.astype(np.int32)), shape=X_dense.shape)


@pytest.mark.parametrize("fmt", ["csc", "csr", "coo"])
@pytest.mark.parametrize("weighted", [False, True])
def test_duplicate_sparse_entries_fit_as_dense(regression, fmt, weighted):
    X = regression.X.copy()
    X[np.abs(X) < 0.8] = 0.0  # sparse enough to matter
    X_dup = _duplicated(X, fmt)
    if fmt != "coo":
        assert not X_dup.has_canonical_format
    before = (X_dup.data.copy(), X_dup.nnz)
    sw = regression.sample_weight if weighted else None
    ref = Lasso(alpha=0.05, tol=1e-10).fit(X, regression.y, sample_weight=sw)
    got = Lasso(alpha=0.05, tol=1e-10).fit(X_dup, regression.y, sample_weight=sw)
    np.testing.assert_allclose(got.coef_, ref.coef_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(got.intercept_, ref.intercept_, rtol=1e-6)
    # The user's matrix is untouched (same stored entries, duplicates included).
    np.testing.assert_array_equal(X_dup.data, before[0])
    assert X_dup.nnz == before[1]
