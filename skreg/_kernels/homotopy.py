"""Kernels of the lasso homotopy (:mod:`skreg.solvers.homotopy`).

The homotopy keeps the lower-triangular Cholesky factor ``L`` of the Gram matrix
``G_SS = X_S^T X_S / n`` of its active columns, C-ordered in a buffer larger than
the active set (only ``L[:m, :m]`` is in use). A step solves two triangular systems
with it (:func:`cholesky_solve`), a join one more, a drop deletes a row and column
(:func:`cholesky_delete`); SciPy's triangular solvers would copy the strided block
``L[:m, :m]`` on every call. :func:`homotopy_event` is the step's ratio test over the
free candidates and active coefficients. The products over ``X`` are the solvers'
gradient kernel and BLAS; the loop over steps is Python.

Why not one kernel for the whole homotopy, as earlier versions had: compiling that
kernel took 1.4-1.6 s, the first ``lasso_path`` in a process with an empty Numba
cache 2.4 s; these three compile in about 0.6 s together (measured in the
benchmarks' notes, docs/benchmarks.md), for about 20-30 us more per step.
"""

import numpy as np

from skreg._jit import jit


@jit
def cholesky_solve(L, m, b, out, transpose):
    """Solve ``L z = b`` (and then ``L^T d = z`` when ``transpose``) into ``out``.

    ``L`` is lower triangular, C-ordered; its leading ``m x m`` block is used. ``b``
    and ``out`` are float64 arrays of at least ``m`` entries (they may not alias).
    Returns ``out``.
    """
    for i in range(m):
        acc = b[i]
        for k in range(i):
            acc -= L[i, k] * out[k]
        out[i] = acc / L[i, i]
    if transpose:
        # Back solve L^T d = z by rows of L (contiguous): subtract each solved
        # d[i] times row i from the entries still to solve.
        for i in range(m - 1, -1, -1):
            di = out[i] / L[i, i]
            out[i] = di
            for k in range(i):
                out[k] -= L[i, k] * di
    return out


@jit
def cholesky_delete(L, m, k):
    """Delete row and column ``k`` of the factor ``L[:m, :m]`` in place.

    The rows below ``k`` shift up, which leaves one entry right of the diagonal in
    each of them; Givens rotations on the column pairs ``(i, i + 1)`` zero those
    entries, so that ``L[:m-1, :m-1]`` is the factor of ``G_SS`` without feature
    ``k``. Row and column ``m - 1`` are zeroed.
    """
    for i in range(k, m - 1):
        for q in range(i + 2):
            L[i, q] = L[i + 1, q]
    for q in range(m):
        L[m - 1, q] = 0.0
    for i in range(k, m - 1):
        a = L[i, i]
        b = L[i, i + 1]
        r = np.sqrt(a * a + b * b)
        if r > 0.0:
            cs = a / r
            sn = b / r
            for q in range(i, m - 1):
                x = L[q, i]
                y = L[q, i + 1]
                L[q, i] = cs * x + sn * y
                L[q, i + 1] = -sn * x + cs * y
            L[i, i + 1] = 0.0
    for q in range(m):
        L[q, m - 1] = 0.0


@jit
def homotopy_event(c, neg_a, free, lam, delta, positive, skip, d, beta, m):
    """Find the first event of a homotopy step and take the step to it.

    ``c`` holds the correlations of the candidates ``f`` outside the active set, in
    the order of ``free`` (their positions among the candidates); ``neg_a`` their
    rates of change ``-a_f`` per unit decrease of ``lambda``. ``d`` is the direction
    of the ``m`` active coefficients ``beta``. The step ``delta`` (at most the one
    given, which reaches the target) ends where a free candidate reaches
    ``|c_j| = lambda`` (event 1; not the candidate at position ``skip``, which has just
    left) or an active coefficient reaches zero (event 2). Updates ``c`` and ``beta``
    to the end of the step; returns ``(delta, event, pick, side)``: ``pick`` is the
    position in ``free`` of the joining candidate (event 1, joining with sign
    ``side``) or in the active set of the leaving feature (event 2); ``event`` 0 when
    the target is reached first.
    """
    event = 0
    pick = 0
    side = 1.0
    for t in range(free.shape[0]):
        if free[t] == skip:
            continue
        ct = c[t]
        at = -neg_a[t]
        if at < 1.0:
            g = max((lam - ct) / (1.0 - at), 0.0)
            if g < delta:
                delta, event, pick, side = g, 1, t, 1.0
        if not positive and at > -1.0:
            g = max((lam + ct) / (1.0 + at), 0.0)
            if g < delta:
                delta, event, pick, side = g, 1, t, -1.0
    for k in range(m):
        if d[k] * beta[k] < 0.0:
            g = -beta[k] / d[k]
            if g < delta:
                delta, event, pick = g, 2, k
    for k in range(m):
        beta[k] += delta * d[k]
    for t in range(free.shape[0]):
        c[t] += delta * neg_a[t]
    return delta, event, pick, side
