"""Relaxed lasso paths (glmnet's ``relax=TRUE``) and predictions along a path.

The relaxed lasso (Meinshausen 2007; Hastie, Tibshirani & Tibshirani 2020) separates
the two jobs of the lasso penalty, choosing the features and shrinking their
coefficients. At each point of a path, with support ``S`` (the non-zero coefficients
of the penalised fit ``w(alpha)``), the unpenalised least squares on ``S`` are

.. math::

    \\hat w_S^{\\text{OLS}}(\\alpha), \\hat b^{\\text{OLS}}(\\alpha)
    = \\arg\\min_{w_S, b} \\sum_i s_i (y_i - b - x_{iS} w_S)^2

(weights ``s``, intercept when ``fit_intercept``; zero off ``S``), and the relaxed
coefficients blend the two:

.. math::

    w_\\gamma(\\alpha) = \\gamma\\, w(\\alpha)
    + (1 - \\gamma)\\, \\hat w^{\\text{OLS}}(\\alpha),
    \\qquad \\gamma \\in [0, 1],

and likewise the intercepts. ``gamma = 1`` is the penalised path itself, ``gamma = 0``
the least squares on each support. As glmnet's ``relax.glmnet``, each distinct support
is refitted once along the path (consecutive alphas usually share it).

A support with more columns than (centred) rows, or with collinear columns, has no
unique least-squares solution: the minimum-norm one is taken (``numpy.linalg.lstsq``,
singular values below its default cut-off ``eps * max(n, |S|)`` relative to the
largest treated as zero). glmnet instead skips such points (its ``maxp = n - 3``) and
reuses the last relaxed fit.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.linalg import cho_solve, lapack
from sklearn.utils import check_array

from skreg._path import enet_path
from skreg.utils._validation import check_sample_weight

__all__ = ["GLMNET_GAMMAS", "check_gammas", "predict_path", "relaxed_path"]

# cv.glmnet(relax=TRUE)'s default grid of gamma.
GLMNET_GAMMAS = (0.0, 0.25, 0.5, 0.75, 1.0)


def check_gammas(gamma, name: str = "gamma") -> np.ndarray:
    """Return ``gamma`` as a non-empty 1-D float64 array in ``[0, 1]``.

    Raises ``ValueError`` naming ``name`` otherwise (an empty grid, a value outside
    ``[0, 1]``, NaN, a non-numeric entry).
    """
    try:
        gammas = np.atleast_1d(np.asarray(gamma, dtype=np.float64))
    except (TypeError, ValueError):
        gammas = None
    if gammas is None or gammas.ndim != 1 or gammas.shape[0] == 0:
        raise ValueError(
            f"{name} must be a float or a non-empty 1-D array-like of floats in "
            f"[0, 1], got {gamma!r}."
        )
    if not np.all((gammas >= 0) & (gammas <= 1)):  # NaN fails too
        raise ValueError(f"{name} must be floats in [0, 1], got {gamma!r}.")
    return gammas


def _support_least_squares(X, y, coefs, sample_weight=None, fit_intercept=True):
    """Unpenalised least squares on the support of every column of ``coefs``.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        Validated data (any float dtype; the solves run in float64).
    y : ndarray of shape (n_samples,)
        Validated target.
    coefs : ndarray of shape (n_features, n_alphas)
        A path of coefficients; column ``k`` defines the support ``S_k``.
    sample_weight : ndarray of shape (n_samples,) or None
        Non-negative weights (their scale does not matter).
    fit_intercept : bool
        Fit an unpenalised intercept.

    Returns
    -------
    ols_coefs : ndarray of shape (n_features, n_alphas)
        Minimum-norm least-squares coefficients on each support, zero off it.
    ols_intercepts : ndarray of shape (n_alphas,)
        Their intercepts (0 without intercept).
    n_solves : int
        Number of least-squares problems solved: one per distinct support.
    """
    n_features, n_alphas = coefs.shape
    y = np.asarray(y, dtype=np.float64)
    sw = None if sample_weight is None else np.asarray(sample_weight, np.float64)
    # Centring for the intercept uses the weighted means; rows are then scaled by
    # sqrt(weight), so that the plain least squares of the scaled, centred columns
    # minimise the weighted sum of squares. Rows of zero weight drop out.
    y_mean = np.average(y, weights=sw) if fit_intercept else None
    root_w = None if sw is None else np.sqrt(sw)
    y_c = y if y_mean is None else y - y_mean
    y_c = y_c if root_w is None else y_c * root_w
    # Every support lies in the union of the path's supports: its columns are
    # prepared (densified, centred, scaled) once, and so are their Gram matrix and
    # products with y when the union is small enough.
    union = np.flatnonzero(np.any(coefs != 0, axis=1))
    cols = X[:, union]
    cols = cols.toarray() if sp.issparse(cols) else np.asarray(cols)
    cols = cols.astype(np.float64)  # a copy: centred and scaled in place below
    x_mean = np.zeros(union.shape[0])
    if y_mean is not None:
        x_mean = np.average(cols, axis=0, weights=sw)
        cols -= x_mean
    if root_w is not None:
        cols *= root_w[:, None]
    gram = None
    if union.shape[0] <= _GRAM_MAX_FEATURES:
        gram = (cols.T @ cols, cols.T @ y_c)
    ols_coefs = np.zeros((n_features, n_alphas), dtype=np.float64)
    ols_intercepts = np.zeros(n_alphas, dtype=np.float64)
    solved: dict[bytes, np.ndarray] = {}
    for k in range(n_alphas):
        support = np.flatnonzero(coefs[:, k])
        key = support.tobytes()
        idx = np.searchsorted(union, support)
        if key not in solved:
            w_s = None if gram is None else _gram_solve(gram, idx)
            if w_s is None:
                w_s = np.linalg.lstsq(cols[:, idx], y_c, rcond=None)[0]
            solved[key] = w_s
        ols_coefs[support, k] = solved[key]
        if y_mean is not None:
            ols_intercepts[k] = y_mean - float(x_mean[idx] @ solved[key])
    return ols_coefs, ols_intercepts, len(solved)


# The Gram matrix of the union of the supports is formed when the union has at most
# this many features (8 MB in float64).
_GRAM_MAX_FEATURES = 1000
# Cholesky on the Gram block is used when LAPACK's estimate of its reciprocal
# condition number (on the unit-diagonal scaling) is at least this: the normal
# equations then lose at most ~1e-8 relative accuracy (cond(G) * eps, against
# cond(X_S) * eps for an orthogonal factorisation). Otherwise, and for rank-deficient
# supports, lstsq on the columns (SVD, minimum norm).
_GRAM_RCOND = 1e-8


def _gram_solve(gram, idx):
    """Solve the normal equations of the columns ``idx`` by Cholesky, if safe.

    ``gram`` is ``(C^T C, C^T y_c)`` of the prepared columns ``C``. Returns ``None``
    (lstsq needed) when the Gram block is singular or ill-conditioned, or a column
    is zero.
    """
    if idx.shape[0] == 0:
        return np.zeros(0)
    G = gram[0][np.ix_(idx, idx)]
    scale = np.sqrt(np.diag(G))
    if not np.all(scale > 0):
        return None
    G = G / scale[:, None] / scale
    L, info = lapack.dpotrf(G, lower=True)
    if info != 0:
        return None
    rcond, info = lapack.dpocon(L, np.abs(G).sum(axis=0).max(), uplo="L")
    if info != 0 or not rcond >= _GRAM_RCOND:
        return None
    rhs = gram[1][idx] / scale
    return cho_solve((L, True), rhs) / scale


def blend(gammas, coefs, intercepts, ols_coefs, ols_intercepts):
    """Relaxed coefficients ``gamma * penalised + (1 - gamma) * least squares``.

    ``coefs``/``ols_coefs`` have shape (n_features, n_alphas) and the intercepts
    (n_alphas,); returns arrays of shapes (n_gammas, n_features, n_alphas) and
    (n_gammas, n_alphas).
    """
    g = np.asarray(gammas, dtype=np.float64)
    relaxed = g[:, None, None] * coefs + (1.0 - g)[:, None, None] * ols_coefs
    relaxed_b = g[:, None] * intercepts + (1.0 - g)[:, None] * ols_intercepts
    return relaxed, relaxed_b


def relaxed_path(
    X,
    y,
    *,
    l1_ratio: float = 1.0,
    gammas=GLMNET_GAMMAS,
    eps: float = 1e-3,
    alphas=None,
    fit_intercept: bool = True,
    sample_weight=None,
    **params,
):
    """Compute the relaxed lasso (or elastic-net) path, glmnet's ``relax=TRUE``.

    Fits the penalised path with :func:`skreg.enet_path`, refits the unpenalised
    least squares on each support along it (once per distinct support), and blends
    the two for every ``gamma``:

    .. math::

        w_\\gamma(\\alpha) = \\gamma\\, w(\\alpha)
        + (1 - \\gamma)\\, \\hat w^{\\text{OLS}}_{S(\\alpha)},

    where ``w(alpha)`` minimises the objective of :func:`skreg.enet_path` and
    ``S(alpha)`` is its support. A support with collinear columns or more columns
    than samples gets the minimum-norm least-squares solution
    (``numpy.linalg.lstsq``); glmnet skips those points instead.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data.
    y : array-like of shape (n_samples,)
        Target values (a single target).
    l1_ratio : float, default=1.0
        Mix of L1 and L2 of the penalised path (``1``: the relaxed lasso).
    gammas : float or array-like of float, default=(0, 0.25, 0.5, 0.75, 1)
        Blending weights in ``[0, 1]`` (cv.glmnet's default grid).
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid.
    alphas : int or array-like, default=None
        Number of alphas on the automatic grid (``None``: 100) or the alphas.
    fit_intercept : bool, default=True
        Fit an unpenalised intercept, in the penalised and in the least-squares fits
        (glmnet's default; :func:`skreg.enet_path` defaults to ``False``).
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights, in both fits.
    **params
        Further keyword arguments of :func:`skreg.enet_path` (``tol``, ``max_iter``,
        ``positive``, ``solver``, ``precompute``, ...).

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        The alphas along the path.
    coefs : ndarray of shape (n_gammas, n_features, n_alphas)
        Relaxed coefficients (float64), ``coefs[i]`` for ``gammas[i]``.
    intercepts : ndarray of shape (n_gammas, n_alphas)
        Relaxed intercepts (0 without intercept).

    See Also
    --------
    skreg.LassoCV : With ``relax=True``, selects ``alpha`` and ``gamma`` by CV.
    predict_path : Predictions of every point of a path.

    Examples
    --------
    >>> import numpy as np
    >>> from skreg.linear_model import relaxed_path
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((30, 5))
    >>> y = X @ np.array([2.0, 0.0, -1.0, 0.0, 0.0]) + 0.1 * rng.standard_normal(30)
    >>> alphas, coefs, intercepts = relaxed_path(X, y, gammas=[0, 1], alphas=[0.5])
    >>> coefs.shape
    (2, 5, 1)
    >>> bool(abs(coefs[0, 0, 0]) > abs(coefs[1, 0, 0]))  # least squares: no shrinkage
    True
    """
    gammas = check_gammas(gammas, "gammas")
    X = check_array(X, accept_sparse="csc", dtype=[np.float64, np.float32], order="F")
    y = check_array(y, ensure_2d=False, dtype=X.dtype, input_name="y")
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D (a single target), got shape {y.shape}.")
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"X and y have inconsistent numbers of samples: {X.shape[0]} and "
            f"{y.shape[0]}."
        )
    sample_weight = check_sample_weight(sample_weight, X, X.dtype)
    alphas, coefs, _, *intercepts = enet_path(
        X,
        y,
        l1_ratio=l1_ratio,
        eps=eps,
        alphas=alphas,
        fit_intercept=fit_intercept,
        sample_weight=sample_weight,
        check_input=False,
        **params,
    )
    intercepts = intercepts[-1] if fit_intercept else np.zeros(alphas.shape[0])
    ols_coefs, ols_intercepts, _ = _support_least_squares(
        X, y, coefs, sample_weight, fit_intercept
    )
    return (alphas, *blend(gammas, coefs, intercepts, ols_coefs, ols_intercepts))


def relaxed_held_out_mse(train, test, coefs, intercepts, gammas):
    """Held-out mean squared errors of the relaxed blends of a path.

    Parameters
    ----------
    train : tuple
        ``(X, y, sample_weight, fit_intercept)`` the path was fitted on (validated).
    test : tuple
        ``(X, y, sample_weight)`` of the held-out part.
    coefs : ndarray of shape (n_features, n_alphas)
        The penalised path.
    intercepts : ndarray of shape (n_alphas,) or None
        Its intercepts (``None``: no intercept).
    gammas : ndarray of shape (n_gammas,)
        The blends.

    Returns
    -------
    mse : ndarray of shape (n_gammas, n_alphas)
        (Weighted) mean squared error on the held-out part of every blend.
    """
    ols, ols_b, _ = _support_least_squares(*train[:2], coefs, *train[2:])
    X_test, y_test, sw_test = test
    # Predictions are linear in the coefficients: blend the two predictions.
    pred = predict_path(X_test, coefs, intercepts)
    pred_ols = predict_path(X_test, ols, ols_b)
    y_test = np.asarray(y_test, dtype=np.float64)[:, None]
    mse = np.empty((gammas.shape[0], coefs.shape[1]))
    for i, gamma in enumerate(gammas):
        sq = (gamma * pred + (1.0 - gamma) * pred_ols - y_test) ** 2
        mse[i] = np.average(sq, axis=0, weights=sw_test)
    return mse


def relaxed_choice(mask) -> tuple[int, int]:
    """Pick glmnet's cell among the (gamma, alpha) cells of ``mask`` (at least one).

    The largest alpha (first column: the grid decreases), then the largest gamma
    (last row: the gammas increase), as glmnet's ``getOptcv.relaxed`` orders ties.
    Returns ``(i_gamma, i_alpha)``.
    """
    i_alpha = int(np.flatnonzero(mask.any(axis=0))[0])
    i_gamma = int(np.flatnonzero(mask[:, i_alpha])[-1])
    return i_gamma, i_alpha


def _interpolation(path_alphas, alphas):
    """Columns and weights interpolating a path linearly in alpha (glmnet's).

    For each requested alpha (clamped to the range of the grid, as glmnet's
    ``lambda.interp``), the two neighbouring grid points ``left`` (larger alpha) and
    ``right`` and the weight ``frac`` of ``left``.
    """
    grid = np.asarray(path_alphas, dtype=np.float64)
    at = np.clip(np.asarray(alphas, dtype=np.float64).ravel(), grid.min(), grid.max())
    # The grid decreases; on its increasing reversal, searchsorted finds the first
    # grid point >= alpha.
    rev = grid[::-1]
    upper = np.searchsorted(rev, at, side="left").clip(0, grid.shape[0] - 1)
    left = grid.shape[0] - 1 - upper  # the grid point >= alpha
    right = np.minimum(left + 1, grid.shape[0] - 1)
    span = grid[left] - grid[right]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(span > 0, (at - grid[right]) / span, 1.0)
    return left, right, frac


def predict_path(X, coefs, intercepts=None, *, path_alphas=None, alphas=None):
    """Predictions of every point of a path: glmnet's ``predict(fit, newx, s=)``.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Samples.
    coefs : array-like of shape (n_features, n_alphas)
        Coefficients along a path, as returned by :func:`skreg.enet_path`.
    intercepts : array-like of shape (n_alphas,) or float, default=None
        Intercepts along the path (``None``: 0).
    path_alphas : array-like of shape (n_alphas,), default=None
        The alphas of the path (decreasing), needed with ``alphas``.
    alphas : array-like of shape (n_at,), default=None
        Predict at these alphas instead of the grid: coefficients interpolated
        linearly in alpha between the neighbouring grid points, and clamped to the
        grid's range outside it (glmnet's ``exact=FALSE``).

    Returns
    -------
    y_pred : ndarray of shape (n_samples, n_alphas) or (n_samples, n_at)
        ``X @ coefs + intercepts``, one column per alpha.

    Examples
    --------
    >>> import numpy as np
    >>> from skreg import enet_path
    >>> from skreg.linear_model import predict_path
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((20, 3))
    >>> y = X @ np.array([1.0, -1.0, 0.0]) + 0.5
    >>> alphas, coefs, _, intercepts = enet_path(X, y, alphas=4, fit_intercept=True)
    >>> predict_path(X, coefs, intercepts).shape
    (20, 4)
    >>> at = [alphas[1], (alphas[1] + alphas[2]) / 2]
    >>> predict_path(X, coefs, intercepts, path_alphas=alphas, alphas=at).shape
    (20, 2)
    """
    X = check_array(X, accept_sparse=["csr", "csc", "coo"], dtype=[np.float64])
    coefs = np.asarray(coefs, dtype=np.float64)
    if coefs.ndim != 2 or coefs.shape[0] != X.shape[1]:
        raise ValueError(
            f"coefs must have shape (n_features, n_alphas) = ({X.shape[1]}, ...), "
            f"got {coefs.shape}."
        )
    b = np.zeros(coefs.shape[1]) if intercepts is None else intercepts
    b = np.broadcast_to(np.asarray(b, dtype=np.float64), (coefs.shape[1],))
    if alphas is not None:
        if path_alphas is None or np.shape(path_alphas) != (coefs.shape[1],):
            raise ValueError(
                "path_alphas (the path's grid, one alpha per column of coefs) is "
                "needed to predict at given alphas."
            )
        left, right, frac = _interpolation(path_alphas, alphas)
        coefs = coefs[:, left] * frac + coefs[:, right] * (1.0 - frac)
        b = b[left] * frac + b[right] * (1.0 - frac)
    return np.asarray(X @ coefs) + b
