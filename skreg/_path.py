"""Regularization paths: the alpha grid, ``enet_path`` and ``lasso_path``.

Along a decreasing grid of ``alpha`` each problem starts from the previous solution
(warm start; Friedman, Hastie & Tibshirani 2010), and the data are prepared once
(centring statistics, weights, column norms). Unlike scikit-learn's functions, these
fit an intercept (``fit_intercept=True``, no centred copy of ``X``) and accept sample
weights and sparse ``X`` together.

Sequential strong rules (Tibshirani et al. 2012) seed each working set: feature ``j``
enters the first working set at ``alpha_k`` when
``|grad_j(w(alpha_{k-1}))| >= rho (2 alpha_k - alpha_{k-1})`` or when it is in the
support. The rule can be wrong, so it only chooses where to start: the solver checks
the KKT conditions of every feature (through the full gradient and the duality gap)
before it accepts a solution.

From the third point on, each coordinate-descent solve starts from a predicted point
(:func:`_predict`): the linear extrapolation in ``alpha`` of the two previous
solutions on the current support, kept only when it lowers the objective.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_array, check_random_state

from skreg import penalties
from skreg._fold_stats import CompiledFoldPath, residual_mse
from skreg.datafits import _CHECK_EVERY, DEFAULT_REL_TOL, QuadraticData
from skreg.penalties import NO_ARRAY
from skreg.solvers import SOLVERS, WarmStart, resolve_solver
from skreg.solvers.cd import _PHASE
from skreg.solvers.homotopy import LassoHomotopy
from skreg.utils._validation import check_sample_weight

__all__ = ["alpha_grid", "enet_path", "lasso_path"]


def alpha_grid(
    X,
    y,
    *,
    l1_ratio: float = 1.0,
    eps: float = 1e-3,
    n_alphas: int = 100,
    fit_intercept: bool = True,
    sample_weight=None,
    positive: bool = False,
    penalty_factor=None,
) -> np.ndarray:
    """Geometric grid of ``n_alphas`` alphas from ``alpha_max`` to ``eps * alpha_max``.

    ``alpha_max = max_j |x_j^T y| / (n l1_ratio)`` on centred (and weighted) data is the
    smallest ``alpha`` at which all coefficients are zero, as in scikit-learn. With
    ``penalty_factor`` (rescaled as glmnet does), the maximum runs over the penalised
    features of ``|grad_j| / f_j``, the gradient taken once the unpenalised features
    are fitted (glmnet's ``lambda.max``).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> y = np.array([1.0, 2.0, 3.0])
    >>> alpha_grid(X, y, n_alphas=3, eps=0.01, fit_intercept=False).round(4).tolist()
    [1.6667, 0.1667, 0.0167]
    """
    _check_l1_ratio(l1_ratio)
    if isinstance(n_alphas, bool) or not isinstance(n_alphas, Integral) or n_alphas < 1:
        raise ValueError(f"n_alphas must be an int >= 1, got {n_alphas!r}.")
    data = _prepare(X, y, sample_weight, fit_intercept)
    penalty = penalties.ElasticNet(
        1.0, l1_ratio, positive=positive, penalty_factor=penalty_factor,
        n_features=X.shape[1],
    )  # fmt: skip
    return _automatic_grid([data], penalty, eps, n_alphas, X, y)


def decreasing_alphas(alphas) -> np.ndarray:
    """Return a user's grid as float64, flat, in decreasing order (scikit-learn's)."""
    return np.sort(np.asarray(alphas, dtype=np.float64).ravel())[::-1]


def _automatic_grid(datas, penalty, eps, n_alphas, X, Y) -> np.ndarray:
    """Build the automatic grid of :func:`alpha_grid` and :func:`enet_path`.

    ``alpha_max`` is the largest over the prepared data sets ``datas`` (one per
    target), so that every target starts from zero coefficients; ``penalty`` is the
    path's at ``alpha = 1`` (its factors decide where the path starts).
    """
    _check_eps(eps)
    if penalty.l1_ratio <= 0:
        raise ValueError(
            "Automatic alpha grid generation needs l1_ratio > 0; pass alphas "
            "explicitly for l1_ratio=0 (ridge)."
        )
    alpha_max = max(penalty.alpha_max(_grad_at_start(data, penalty)) for data in datas)
    return _geometric_grid(alpha_max, eps, n_alphas, X, Y)


def _grad_at_start(data, penalty):
    """Return the datafit gradient where a path starts.

    At zero, or at the fit of the unpenalised features alone when some penalty
    factors are zero (glmnet).
    """
    unpen = penalty.unpenalised
    if unpen.shape[0] == 0:
        return data.grad_at_zero()
    return data.grad_unpenalised_fit(unpen)[0]


def _geometric_grid(alpha_max, eps, n_alphas, X, Y) -> np.ndarray:
    """``n_alphas`` alphas from ``alpha_max`` down to ``eps * alpha_max``.

    An ``alpha_max`` at the level of rounding noise means a target that is zero or
    constant once centred (or orthogonal to ``X``): every alpha gives zeros, and the
    grid is the noise level repeated (scikit-learn's rule). scikit-learn takes that
    level as 1e-15 in absolute terms, so data on a tiny scale (a target of 1e-16)
    get an all-zero path without a word; here it is relative, ``1e-15 max|X|
    max|y|``, the ``alpha_max`` of data of that size whose centring left only
    rounding errors, so the grid scales with the data (issue 26).
    """
    resolution = np.finfo(np.float64).resolution
    data_scale = _max_abs(X) * _max_abs(Y)
    floor = resolution * data_scale if data_scale > 0 else resolution
    if not alpha_max > floor:
        # (scikit-learn's grid, 1e-15 repeated, when there is no signal at all.)
        return np.full(n_alphas, resolution if alpha_max == 0 else floor)
    return np.geomspace(alpha_max, alpha_max * eps, num=n_alphas)


def check_gram(precompute, X, sample_weight, fit_intercept, check_input):
    """Validate ``precompute`` as scikit-learn does; return the solver's ``gram``.

    ``precompute`` only chooses the form of the coordinate-descent epochs on dense
    ``X`` (sparse ``X`` ignores it, as scikit-learn does): ``True`` the covariance
    (Gram) form on every working set, ``False`` the residual form, ``"auto"`` the
    solver's per-working-set rule (returned as ``None``). A Gram array is checked
    like scikit-learn's: with ``fit_intercept`` and columns that are not centred it
    is ignored with scikit-learn's ``UserWarning`` (``"auto"``); otherwise one entry
    is compared with the (weighted) product of two columns and a mismatch raises
    ``ValueError``. A valid array leaves the choice to the solver (``None``): its
    working-set blocks of the Gram matrix are computed from ``X``, the same
    numbers up to rounding.
    """
    if sp.issparse(X) or (isinstance(precompute, str) and precompute == "auto"):
        return None
    if isinstance(precompute, bool | np.bool_):
        return bool(precompute)
    gram = np.asarray(precompute)
    n_features = X.shape[1]
    if gram.shape != (n_features, n_features):
        raise ValueError(
            f"precompute must be a Gram matrix of shape ({n_features}, {n_features}), "
            f"got an array of shape {gram.shape}."
        )
    if fit_intercept:
        offset = np.average(X, axis=0, weights=sample_weight)
    else:
        offset = np.zeros(n_features)
    if fit_intercept and not np.allclose(offset, 0.0):
        warnings.warn(
            "Gram matrix was provided but X was centered to fit intercept: "
            "recomputing Gram matrix.",
            UserWarning,
            stacklevel=4,
        )
        return None
    if check_input:
        # scikit-learn's _check_precomputed_gram_matrix: one entry, rows weighted by
        # the weights normalised to sum to n_samples.
        f1 = n_features // 2
        f2 = min(f1 + 1, n_features - 1)
        v1 = X[:, f1] - offset[f1]
        v2 = X[:, f2] - offset[f2]
        if sample_weight is not None:
            v1 = v1 * (sample_weight * (X.shape[0] / np.sum(sample_weight)))
        expected = float(np.dot(v1, v2))
        actual = gram[f1, f2]
        rtol = 1e-4 if np.float32 in (gram.dtype, X.dtype) else 1e-7
        if not np.isclose(expected, actual, rtol=rtol, atol=1e-5):
            raise ValueError(
                "Gram matrix passed in via 'precompute' parameter did not pass "
                "validation when a single element was checked - please check that "
                f"it was computed properly. For element ({f1},{f2}) we computed "
                f"{expected} but the user-supplied value was {actual}."
            )
    return None


def _max_abs(A) -> float:
    """Largest absolute value of an array or sparse matrix (no temporary copy)."""
    values = A.data if sp.issparse(A) else np.asarray(A)
    if values.size == 0:
        return 0.0
    return float(max(-values.min(), values.max()))


def _is_real(value) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _check_l1_ratio(l1_ratio) -> None:
    if not (_is_real(l1_ratio) and 0 <= l1_ratio <= 1):
        raise ValueError(f"l1_ratio must be a float in [0, 1], got {l1_ratio!r}.")


def _check_eps(eps) -> None:
    # eps = 1: every alpha is alpha_max (scikit-learn allows it; its tests use it).
    if not (_is_real(eps) and 0 < eps <= 1):
        raise ValueError(
            "eps must be a float in (0, 1] (alpha_min / alpha_max of the automatic "
            f"grid), got {eps!r}."
        )


def _check_path_params(l1_ratio, max_iter, tol, rel_tol, solver) -> None:
    """Raise a ``ValueError`` naming the first invalid parameter of a path."""
    _check_l1_ratio(l1_ratio)
    if solver != "auto" and solver not in SOLVERS:
        allowed = ", ".join(repr(s) for s in ["auto", *sorted(SOLVERS)])
        raise ValueError(f"solver must be one of {allowed}, got {solver!r}.")
    if isinstance(max_iter, bool) or not isinstance(max_iter, Integral) or max_iter < 1:
        raise ValueError(f"max_iter must be an int >= 1, got {max_iter!r}.")
    if tol is not None and not (_is_real(tol) and 0 <= tol < np.inf):
        raise ValueError(f"tol must be None or a float >= 0, got {tol!r}.")
    if not (_is_real(rel_tol) and 0 < rel_tol < 1):
        raise ValueError(f"rel_tol must be a float in (0, 1), got {rel_tol!r}.")


def _prepare(X, y, sample_weight, fit_intercept) -> QuadraticData:
    return QuadraticData(X, np.ascontiguousarray(y), sample_weight, fit_intercept)


def _uses_homotopy(X, l1_ratio, solver, plain=True) -> bool:
    """Tell whether :func:`enet_path` follows the lasso homotopy between points.

    It does with ``solver="auto"``, the lasso, and dense ``X`` with fewer samples
    than features; not with penalty factors or bounds (``plain=False``): the homotopy
    follows the equicorrelation path of one common L1 weight, with no events for a
    coefficient reaching a bound, so those fits use coordinate descent.
    """
    return (
        plain
        and solver == "auto"
        and l1_ratio == 1.0
        and not sp.issparse(X)
        and X.shape[0] < X.shape[1]
    )


class HeldOut(NamedTuple):
    """Held-out part of a cross-validation fold, scored at every point of a path.

    ``floor_factor`` sets the gap floor of the over-fitted tail (see
    :func:`_enet_path` and :data:`skreg.linear_model._cv.CV_FLOOR`); 0 disables it.
    ``stats`` (a :class:`skreg._fold_stats.FoldStats`) scores the part from its
    statistics instead of ``X`` and ``y`` (then ``None``).
    """

    X: object
    y: np.ndarray | None
    sample_weight: np.ndarray | None
    floor_factor: float
    stats: object = None


def _strong_set(grad, support, alpha, prev_alpha, l1_ratio, positive, weights=None):
    """Features kept by the sequential strong rule at ``alpha`` (plus the support).

    With penalty factors ``f`` the threshold of feature ``j`` is ``f_j`` times the
    common one (unpenalised features always pass).
    """
    g = -grad if positive else np.abs(grad)
    threshold = l1_ratio * (2.0 * alpha - prev_alpha)
    if weights is not None and weights.shape[0]:
        threshold = threshold * weights
    return np.flatnonzero((g >= threshold) | support).astype(np.int64)


def _predict(data, penalty, w, w_prev, residual, alphas):
    """Extrapolate the path linearly in ``alpha`` to the next point, if that helps.

    ``w_prev`` and ``w`` are the solutions at ``alphas[0] > alphas[1]``; on the support
    of ``w`` the coefficients move on to ``alphas[2]`` along the line through them,
    and those that would change sign stop at zero. On a stretch of the path where the
    support does not change the lasso path is linear in ``alpha`` (the prediction is
    then exact) and the elastic-net path is smooth (it is first-order accurate).
    The predicted point replaces ``w`` (in place) only when it has the lower
    objective at ``alphas[2]``; the residual ``(R, offset)`` at the point ``w`` ends
    at is returned, or ``None`` when ``w`` did not move.
    """
    a0, a1, a2 = alphas
    support = np.flatnonzero(w)
    if not a0 > a1 > a2 >= 0 or support.shape[0] == 0:
        return None
    t = (a2 - a1) / (a1 - a0)
    w_s = w[support]
    pred = w_s + t * (w_s - w_prev[support])
    pred[np.sign(pred) != np.sign(w_s)] = 0.0
    delta = pred - w_s
    if not delta.any():
        return None
    l1_reg, l2_reg, _, weights, lower, upper = penalty.solver_params()
    if lower.shape[0]:
        pred = np.clip(pred, lower[support], upper[support])
        delta = pred - w_s
    R, offset = residual
    before = data.primal(w, R, offset, l1_reg, l2_reg, weights)
    R_new = R.copy()
    offset_new = data.update_residual(R_new, offset, support, delta)
    w_new = w.copy()
    w_new[support] = pred
    if not data.primal(w_new, R_new, offset_new, l1_reg, l2_reg, weights) < before:
        return None
    w[support] = pred
    return R_new, offset_new


def enet_path(
    X,
    y,
    *,
    l1_ratio: float = 0.5,
    eps: float = 1e-3,
    alphas=None,
    precompute="auto",
    Xy=None,
    copy_X: bool = True,
    coef_init=None,
    verbose=False,
    return_n_iter: bool = False,
    positive: bool = False,
    check_input: bool = True,
    fit_intercept: bool = False,
    sample_weight=None,
    tol: float | None = None,
    max_iter: int = 1000,
    solver: str = "auto",
    rel_tol: float = DEFAULT_REL_TOL,
    penalty_factor=None,
    lower_bounds=None,
    upper_bounds=None,
    **params,
):
    """Compute the elastic-net path with warm starts and strong-rule working sets.

    The objective at each ``alpha`` is scikit-learn's

    .. math::

        \\frac{1}{2 n} \\|y - Xw - b\\|_2^2 + \\alpha \\rho \\|w\\|_1
        + \\frac{\\alpha (1 - \\rho)}{2} \\|w\\|_2^2 ,

    each feature's terms multiplied by its ``penalty_factor`` when given, subject to
    ``lower_bounds <= w <= upper_bounds`` (glmnet's objective).

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data (dense best Fortran-ordered; sparse converted to CSC).
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Target values. A 2-D ``y`` gives one independent path per target on a common
        grid (from the largest per-target ``alpha_max``); unlike scikit-learn's
        ``enet_path``, which solves the multi-task problem for 2-D ``y``.
    l1_ratio : float, default=0.5
        Mix of L1 (``1``) and L2 (``0``).
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid.
    alphas : int or array-like, default=None
        Number of alphas on the automatic grid (``None`` means 100), or the alphas
        themselves (sorted in decreasing order, as scikit-learn does).
    precompute : bool, "auto" or array-like of shape (n_features, n_features), \
            default="auto"
        Form of the coordinate-descent epochs on dense ``X``, validated and used as
        by :class:`ElasticNet` (a Gram array is checked against ``X``, then the
        solver computes the Gram blocks it needs from ``X``).
    Xy : array-like of shape (n_features,), default=None
        Accepted for scikit-learn compatibility and not used: skreg computes the
        products with ``y`` it needs.
    copy_X : bool, default=True
        Accepted for scikit-learn compatibility: the path never modifies ``X``.
    coef_init : array-like of shape (n_features,), default=None
        Starting point for the first alpha.
    verbose : bool or int, default=False
        Print progress.
    return_n_iter : bool, default=False
        Also return the number of epochs per alpha.
    positive : bool, default=False
        Restrict the coefficients to be non-negative.
    check_input : bool, default=True
        Validate ``X``, ``y`` and ``sample_weight``; skip only when they come
        validated (float32/float64, finite, matching shapes).
    fit_intercept : bool, default=False
        Fit an unpenalised intercept (no centred copy of ``X``). ``False`` matches
        scikit-learn's ``enet_path``, which expects centred data.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights, applied as by ``ElasticNet``.
    tol : float or None, default=None
        Duality-gap tolerance per alpha, as in ``ElasticNet`` (``None``: a certified
        relative suboptimality of 1e-6).
    max_iter : int, default=1000
        Maximum epochs per alpha.
    solver : {"auto", "cd", "fista"}, default="auto"
        Solver used at each alpha. ``"auto"`` is ``"cd"``, except for the lasso
        (``l1_ratio=1``) on dense data with fewer samples than features: there a
        homotopy (LARS in its lasso form, restricted to the strong-rule candidates)
        follows the exact path from each alpha to the next, and coordinate descent
        only checks the duality gap of every point (and polishes it when needed).
    rel_tol : float, default=1e-6
        Relative suboptimality certified at each alpha when ``tol`` is ``None``.
    penalty_factor : array-like of shape (n_features,), default=None
        glmnet's ``penalty.factor``: per-feature factors ``>= 0`` multiplying the L1
        and L2 terms (0: unpenalised), rescaled to sum to ``n_features`` as glmnet
        does. The automatic grid then starts at glmnet's ``lambda.max``.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), \
            default=None
        glmnet's ``lower.limits`` / ``upper.limits``: ``lower <= 0 <= upper``.
    **params
        scikit-learn's further keywords: ``random_state`` and ``selection``
        (``"cyclic"`` or ``"random"``, as in :class:`ElasticNet`). Any other name
        raises ``ValueError`` ("Unexpected parameters in params"), as in
        scikit-learn.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        The alphas along the path.
    coefs : ndarray of shape (n_features, n_alphas) or (n_targets, n_features, n_alphas)
        Coefficients along the path.
    dual_gaps : ndarray of shape (n_alphas,) or (n_targets, n_alphas)
        Duality gaps at the end of each fit (``1 / n`` scaling).
    n_iters : list of int
        Epochs per alpha (target by target for a 2-D ``y``: ``n_targets * n_alphas``
        entries); returned when ``return_n_iter=True``.
    intercepts : ndarray of shape (n_alphas,) or (n_targets, n_alphas)
        Intercepts along the path; returned last when ``fit_intercept=True``.

    See Also
    --------
    lasso_path : The case ``l1_ratio=1``.
    sklearn.linear_model.enet_path : The reference, without intercept.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from skreg import enet_path
    >>> X, y = load_diabetes(return_X_y=True)
    >>> alphas, coefs, gaps, intercepts = enet_path(
    ...     X, y, l1_ratio=1.0, alphas=5, fit_intercept=True)
    >>> coefs.shape, (coefs[:, 0] == 0).all(), (coefs[:, -1] != 0).sum() > 5
    ((10, 5), np.True_, np.True_)
    """
    rng = _path_options(params)
    if check_input and Xy is not None:
        Xy = check_array(Xy, ensure_2d=False, input_name="Xy")
    return _enet_path(
        X,
        y,
        precompute=precompute,
        rng=rng,
        l1_ratio=l1_ratio,
        eps=eps,
        alphas=alphas,
        coef_init=coef_init,
        verbose=verbose,
        return_n_iter=return_n_iter,
        positive=positive,
        check_input=check_input,
        fit_intercept=fit_intercept,
        sample_weight=sample_weight,
        tol=tol,
        max_iter=max_iter,
        solver=solver,
        rel_tol=rel_tol,
        penalty_factor=penalty_factor,
        lower_bounds=lower_bounds,
        upper_bounds=upper_bounds,
    )


def _enet_path(
    X,
    y,
    *,
    l1_ratio,
    eps,
    alphas,
    coef_init,
    verbose,
    return_n_iter,
    positive,
    check_input,
    fit_intercept,
    sample_weight,
    tol,
    max_iter,
    solver,
    rel_tol,
    held_out=None,
    precompute="auto",
    rng=None,
    predict=True,
    fold=None,
    penalty_factor=None,
    lower_bounds=None,
    upper_bounds=None,
):
    """:func:`enet_path`, optionally scoring each alpha on held-out data.

    ``predict=False`` starts each coordinate-descent point from the plain warm start
    instead of :func:`_predict`'s extrapolation (for the tests that compare both).

    ``held_out`` (a :class:`HeldOut`; single target only) makes the path compute the
    held-out mean squared error ``mse_k`` of every alpha, returned as an extra last
    output. When ``tol`` is ``None`` and ``mse_k`` has risen more than 5% above the
    smallest held-out error of the path so far (the over-fitted tail), the solver at
    ``alpha_{k+1}`` also stops once its gap is below ``held_out.floor_factor * mse_k
    / 2`` (the data's ``gap_floor``; see :data:`skreg.linear_model._cv.CV_FLOOR`).

    ``fold`` (a :class:`skreg._fold_stats.FoldStats`, single target) gives the
    training data's Gram matrix; a fold path in covariance form then solves its
    points in compiled calls (:class:`skreg._fold_stats.CompiledFoldPath`).
    """
    if check_input:
        X, y, sample_weight = _check_path_input(X, y, sample_weight)
    _check_path_params(l1_ratio, max_iter, tol, rel_tol, solver)
    if positive and y.ndim != 1:
        raise ValueError("positive=True is not allowed for multi-output (y.ndim != 1)")
    gram = check_gram(precompute, X, sample_weight, fit_intercept, check_input)
    Y = y.reshape(-1, 1) if y.ndim == 1 else y
    n_features, n_targets = X.shape[1], Y.shape[1]
    arrays = penalties.check_penalty_arrays(
        n_features, penalty_factor, lower_bounds, upper_bounds, positive
    )
    datas = [
        _prepare(X, Y[:, k], sample_weight, fit_intercept) for k in range(n_targets)
    ]
    if fold is not None:
        datas[0].use_gram(*fold.gram)
    unit = penalties.ElasticNet.with_arrays(1.0, l1_ratio, positive, arrays)
    plain = not (unit.weights.shape[0] or unit.bounded)
    alphas = _path_alphas(alphas, eps, datas, unit, X, Y)
    n_alphas = alphas.shape[0]
    if held_out is not None and n_targets != 1:
        raise ValueError("held_out scoring needs a single target.")
    run = _PathRun(
        l1_ratio=l1_ratio,
        positive=positive,
        solver=resolve_solver(solver),
        # (A fold path with its fold's statistics runs the compiled covariance form.)
        homotopy=fold is None and _uses_homotopy(X, l1_ratio, solver, plain),
        gram=gram,
        rng=rng,
        tol=tol,
        max_iter=max_iter,
        rel_tol=rel_tol,
        verbose=verbose,
        predict=predict,
        held_out=held_out,
        fold=fold,
        arrays=arrays,
        plain=plain,
    )
    run.gram_path = _uses_gram_path(run, X, n_alphas)
    coefs = np.empty((n_targets, n_features, n_alphas), dtype=X.dtype)
    intercepts = np.empty((n_targets, n_alphas), dtype=np.float64)
    gaps = np.empty((n_targets, n_alphas), dtype=np.float64)
    held_mse = np.empty(n_alphas, dtype=np.float64)
    n_iters = []
    for k, data in enumerate(datas):
        w = np.zeros(n_features, dtype=X.dtype)
        if coef_init is not None:
            w[:] = np.asarray(coef_init, dtype=X.dtype).reshape(n_targets, -1)[k]
        target = _TargetPath(run, data, w, from_zero=coef_init is None)
        target.walk(alphas, coefs[k], intercepts[k], gaps[k], held_mse, n_iters)
    if n_targets == 1 and y.ndim == 1:
        coefs, intercepts, gaps = coefs[0], intercepts[0], gaps[0]
    out = [alphas, coefs, gaps]
    if return_n_iter:
        out.append(n_iters)
    if fit_intercept:
        out.append(intercepts)
    if held_out is not None:
        out.append(held_mse)
    return tuple(out)


def _check_path_input(X, y, sample_weight):
    """Validate the arrays of :func:`enet_path` (``check_input=True``)."""
    X = check_array(
        X,
        accept_sparse="csc",
        dtype=[np.float64, np.float32],
        order="F",
        input_name="X",
    )
    y = check_array(y, dtype=X.dtype, ensure_2d=False, input_name="y", order="F")
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"X and y have inconsistent numbers of samples: {X.shape[0]} and "
            f"{y.shape[0]}."
        )
    return X, y, check_sample_weight(sample_weight, X, X.dtype)


def _path_alphas(alphas, eps, datas, unit_penalty, X, Y) -> np.ndarray:
    """Return the path's grid: automatic (``None`` or an int) or the user's, checked."""
    if isinstance(alphas, bool):
        raise TypeError("alphas must be an int or an array of floats, not a bool.")
    if alphas is None or isinstance(alphas, Integral):
        if alphas is not None and alphas < 1:
            raise ValueError(f"alphas must be at least 1 when an int, got {alphas}.")
        n_alphas = 100 if alphas is None else int(alphas)
        return _automatic_grid(datas, unit_penalty, eps, n_alphas, X, Y)
    alphas = decreasing_alphas(alphas)
    if np.any(alphas < 0) or not np.all(np.isfinite(alphas)):
        raise ValueError("alphas must be finite and non-negative.")
    if alphas.shape[0] == 0:
        raise ValueError("alphas is empty.")
    return alphas


@dataclass
class _PathRun:
    """The settings shared by every point and target of one :func:`_enet_path` run.

    ``solver`` is resolved (``"cd"`` or ``"fista"``); ``homotopy`` tells whether the
    lasso homotopy moves between points (:func:`_uses_homotopy`), ``gram_path``
    whether every point runs in covariance form (:func:`_uses_gram_path`).
    """

    l1_ratio: float
    positive: bool
    solver: str
    homotopy: bool
    gram: bool | None
    rng: np.random.Generator | None
    tol: float | None
    max_iter: int
    rel_tol: float
    verbose: bool | int
    predict: bool
    held_out: HeldOut | None
    fold: object = None
    # Penalty factors and bounds as the kernels take them (empty: none), and
    # whether there are none.
    arrays: tuple = (NO_ARRAY, NO_ARRAY, NO_ARRAY)
    plain: bool = True
    gram_path: bool = False


def _uses_gram_path(run, X, n_alphas) -> bool:
    """Tell whether every point of the path runs in covariance form.

    Tall dense data: every point on one Gram matrix per data set
    (:meth:`QuadraticData.gram`), as scikit-learn's ``precompute="auto"`` does in its
    cross-validation: building it costs about as much as a few points. A
    cross-validation fold, sparse or dense, whose Gram matrix its fold statistics
    give (:mod:`skreg._fold_stats`).
    """
    return (
        run.solver == "cd"
        and run.gram is not False
        and run.rng is None
        and not run.homotopy
        and (run.fold is not None or not sp.issparse(X))
        and uses_gram_path(X.shape[0], X.shape[1], n_alphas, fold=run.fold is not None)
    )


def uses_gram_path(n_samples, n_features, n_alphas, fold=False) -> bool:
    """Tell whether a dense path of this shape runs in covariance form.

    ``fold``: a cross-validation fold path whose Gram matrix comes from the fold
    statistics (:mod:`skreg._fold_stats`); it needs only more rows than features
    (with fewer, the centred Gram matrix is singular: the lasso's solutions need not
    be unique, and the exact support steps may pick another one than the epochs).
    """
    if fold:
        return (
            n_features <= _CV_GRAM_PATH_FEATURES
            and n_samples > _CV_GRAM_PATH_RATIO * n_features
            and n_alphas >= _GRAM_PATH_ALPHAS
        )
    return (
        n_features <= _GRAM_PATH_FEATURES
        and n_samples >= _GRAM_PATH_RATIO * n_features
        and n_alphas >= _GRAM_PATH_ALPHAS
    )


def _first_phase(run) -> tuple[int, int]:
    """Epochs of the small-problem solver's first phase, and when it polishes.

    Returns ``(epochs, polish_after)`` for :class:`CompiledFoldPath`: a point
    certified within the first phase is final (that solver polishes only the slower
    fits, :func:`skreg.solvers.cd.polishes_slow_fits`, which it then takes over).
    """
    epochs = min(run.max_iter, _PHASE)
    return epochs, epochs + 1


class _TargetPath:
    """One target's walk down the grid: warm starts, strong sets, predictor, homotopy.

    Between points it keeps what the next solve may reuse: the datafit gradient and
    the residual at ``w`` (``grad``, ``residual``; the gradient does not depend on
    ``alpha``), the previous ``alpha`` and the lasso homotopy (``hom``, or ``None``).
    """

    def __init__(self, run, data, w, from_zero):
        self.run, self.data, self.w = run, data, w
        self.grad = self.residual = self.prev_alpha = None
        self.hom = LassoHomotopy(data, run.positive) if run.homotopy else None
        self.from_zero = from_zero

    def walk(self, alphas, coefs, intercepts, gaps, held_mse, n_iters):
        """Solve every point; write the outputs of this target in place."""
        run, data, w = self.run, self.data, self.w
        if self.hom is not None and self.from_zero:
            self._start_homotopy(alphas[0])
        compiled = self._compiled(alphas, coefs, intercepts, gaps, held_mse)
        for i, alpha in enumerate(alphas):
            if compiled is not None and i >= compiled.done:
                floor_factor = run.held_out.floor_factor
                n_iters += compiled.run(i, w, floor_factor, _TAIL_RISE, _CHECK_EVERY)
                self.grad = self.residual = None
            if compiled is not None and i < compiled.done:
                self.prev_alpha = alpha
                continue
            penalty = penalties.ElasticNet.with_arrays(
                alpha, run.l1_ratio, run.positive, run.arrays
            )
            last = n_iters[-1] if n_iters else 0
            options, reached = self._options(penalty, alphas, i, coefs, last)
            result = _solve_point(
                data,
                penalty,
                w,
                solver=run.solver,
                max_iter=run.max_iter,
                tol=run.tol,
                rel_tol=run.rel_tol,
                verbose=run.verbose,
                options=options,
                stacklevel=3,  # the caller of _enet_path
            )
            if run.solver == "cd":
                self.grad, self.residual = result.grad, result.residual
            if self.hom is not None and (not reached or result.n_iter > 0):
                # The homotopy continues from the solver's point (exact again for
                # its sign pattern), or sits out the next point if it cannot.
                self.hom.start(w, alpha)
            coefs[:, i] = w
            intercepts[i] = data.intercept(w)
            if run.held_out is not None:
                self._score(held_mse, i, intercepts[i])
            gaps[i] = result.dual_gap
            n_iters.append(result.n_iter)
            self.prev_alpha = alpha
            if run.verbose:
                print(f"[enet_path] alpha {i + 1}/{alphas.shape[0]}: {alpha:.4g}")

    def _compiled(self, alphas, coefs, intercepts, gaps, held_mse):
        """Return a :class:`CompiledFoldPath` where the fold path can use one, or None.

        A scored fold path in covariance form on float64 data, at ``tol=None``
        (a numeric ``tol`` polishes every point: the point-by-point loop does that).
        """
        run, fold = self.run, self.run.fold
        usable = (
            fold is not None
            and fold.compiled
            and run.gram_path
            and run.tol is None
            and not run.verbose
            and run.held_out is not None
            and run.plain
            and self.data.dtype == np.float64
        )
        if not usable:
            return None
        return CompiledFoldPath(
            fold, self.data, alphas, run.l1_ratio, run.positive, run.rel_tol,
            _first_phase(run), (coefs, intercepts, gaps, held_mse),
        )  # fmt: skip

    def _start_homotopy(self, first_alpha):
        """Follow the homotopy from ``alpha_max`` when the grid starts below it.

        ``w = 0`` is exact at this data's ``alpha_max``: when the grid starts below it
        (a user's grid, a cross-validation fold's), the homotopy reaches the first
        point too (coordinate descent then only checks its gap). Not when the grid
        starts at ``alpha_max`` up to rounding: ``w = 0`` stays exact.
        """
        data, w = self.data, self.w
        grad0 = data.grad_at_zero()
        top = penalties.ElasticNet(1.0, 1.0, positive=self.run.positive).alpha_max(
            grad0
        )
        below = first_alpha < top * (1.0 - _AT_ALPHA_MAX)
        if below and self.hom.start(w, top):
            self.grad, self.residual, self.prev_alpha = (
                grad0,
                data.init_residual(w),
                top,
            )

    def _options(self, penalty, alphas, i, coefs, last_n_iter):
        """Return the solve's keyword arguments at ``alphas[i]`` and ``reached``.

        ``reached``: the homotopy moved ``w`` to that point exactly.
        """
        run, data, w, grad = self.run, self.data, self.w, self.grad
        options = {}
        reached = False
        alpha = alphas[i]
        if self.hom is not None and self.hom.lam is not None and grad is not None:
            unknown = np.flatnonzero(np.isnan(grad))
            if unknown.shape[0]:
                grad[unknown] = data.gradient(*self.residual, unknown)
            candidates = _strong_set(
                grad, w != 0, alpha, self.prev_alpha, 1.0, run.positive
            )
            reached, R = self.hom.advance(w, candidates, -grad[candidates], alpha)
            self.grad, self.residual = None, (R, 0.0)
            options["warm"] = WarmStart(residual=self.residual)
            if reached:
                # w is the exact solution on its sign pattern: the solver's
                # finishing step (the exact solution on the support) would solve
                # the same system again (half of a wide fold path's time).
                options["finish"] = False
        elif run.solver == "cd" and grad is not None:
            options["warm"] = self._warm_start(penalty, alphas, i, coefs, last_n_iter)
        if run.solver == "cd":
            options["gram"] = run.gram
            options["rng"] = run.rng
            if run.gram_path:
                options["compiled_below"] = data.n_features
        return options, reached

    def _warm_start(self, penalty, alphas, i, coefs, last_n_iter) -> WarmStart:
        """Return what coordinate descent reuses at ``alphas[i]`` from the last point.

        The residual and gradient at ``w``; the strong-rule working set; and, from
        the third point on, :func:`_predict`'s extrapolated ``w`` when it lowers the
        objective (its gradient is then unknown: ``solve_ws_first``).
        """
        run, w, grad = self.run, self.w, self.grad
        # The early restricted check rarely succeeds along a path, except where the
        # previous point needed no more than the first regular check (loose
        # tolerances, easy stretches of the path).
        warm_path = last_n_iter > _EASY_POINT
        if run.l1_ratio <= 0:
            return WarmStart(self.residual, grad, warm_path=warm_path)
        ws_init = _strong_set(
            grad, w != 0, alphas[i], alphas[i - 1], run.l1_ratio, run.positive,
            run.arrays[0],
        )  # fmt: skip
        moved = None
        # (Not after a covariance-form solve, which keeps no residual.)
        if run.predict and i >= 2 and self.residual is not None:
            # w is the solution at alphas[i - 1], the column i - 2 of coefs the one
            # before.
            moved = _predict(
                self.data, penalty, w, coefs[:, i - 2], self.residual,
                alphas[i - 2 : i + 1],
            )  # fmt: skip
        if moved is None:
            return WarmStart(self.residual, grad, ws_init, warm_path)
        # w moved: its gradient is unknown (see WarmStart.solve_ws_first).
        return WarmStart(moved, None, ws_init, warm_path, solve_ws_first=True)

    def _score(self, held_mse, i, intercept):
        """Held-out error at point ``i``; set the data's gap floor in the tail."""
        held_mse[i] = _held_out_mse(self.run.held_out, self.w, intercept)
        past_minimum = held_mse[i] > _TAIL_RISE * held_mse[: i + 1].min()
        if self.run.tol is None and past_minimum:
            self.data.gap_floor = self.run.held_out.floor_factor * 0.5 * held_mse[i]


def _solve_point(
    data,
    penalty,
    w,
    *,
    solver,
    max_iter,
    tol,
    rel_tol,
    verbose,
    options,
    message=None,
    stacklevel=1,
):
    """Solve the problem at one ``alpha``: the single fit of paths and estimators.

    ``w`` (the warm start) is updated in place and the solver's result returned. When
    the solver stops short of its tolerance a ``ConvergenceWarning`` says so, with
    ``message(result)`` when given (the estimators' scikit-learn wording), else the
    path's; ``stacklevel`` counts from the caller of this function.
    """
    result = SOLVERS[solver](
        data,
        penalty,
        w,
        max_iter=max_iter,
        tol=tol,
        rel_tol=rel_tol,
        verbose=verbose,
        **options,
    )
    if not result.converged:
        if message is None:
            text = (
                f"Objective did not converge at alpha={penalty.alpha:.4g}: duality "
                f"gap {result.dual_gap:.3e}, tolerance {result.tol:.3e}."
            )
        else:
            text = message(result)
        warnings.warn(text, ConvergenceWarning, stacklevel=stacklevel + 1)
    return result


def _path_options(params):
    """Check scikit-learn's ``**params`` of the path functions; return the ``rng``.

    ``random_state`` and ``selection`` are used; ``do_screening`` is accepted
    (skreg's gap-safe screening never changes the solution). Anything else raises
    scikit-learn's ``ValueError``.
    """
    params = dict(params)
    random_state = params.pop("random_state", None)
    selection = params.pop("selection", "cyclic")
    params.pop("do_screening", None)
    if params:
        raise ValueError("Unexpected parameters in params", params.keys())
    if selection not in ("cyclic", "random"):
        raise ValueError("selection should be either random or cyclic.")
    if selection == "cyclic":
        return None
    seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
    return np.random.default_rng(seed)


# Paths on dense data with at most _GRAM_PATH_FEATURES features, at least
# _GRAM_PATH_RATIO times as many rows, and at least _GRAM_PATH_ALPHAS points run in
# covariance form on one Gram matrix (docs/benchmarks.md, wide suites).
_GRAM_PATH_FEATURES = 200
_GRAM_PATH_RATIO = 10
# Cross-validation fold paths at the default tol=None need only more training rows
# than features: their Gram matrices cost one pass of statistics for all the folds. Not
# wider folds: the compiled fold path beats the lasso homotopy there (sm_scotland_deg2,
# 26 x 35 folds: 0.47 s to 14 ms) but its first call compiles for seconds more than
# the homotopy's, which a LassoCV on wide data would pay (docs/benchmarks.md).
_CV_GRAM_PATH_RATIO = 1
_CV_GRAM_PATH_FEATURES = 500
_GRAM_PATH_ALPHAS = 5
# A first grid point within this relative distance of alpha_max is taken as alpha_max
# (a grid computed by another formula, rounded): the homotopy does not move from w = 0
# by a rounding error's worth of coefficients.
_AT_ALPHA_MAX = 1e-9
# A path point solved within this many epochs (one regular gap check of the
# coordinate-descent solver) makes the next point check its gap early too.
_EASY_POINT = 10
# The held-out floor applies once the held-out error has risen this factor above its
# minimum along the path so far: in the over-fitted tail, not near the errors that
# cross-validation compares to pick alpha.
_TAIL_RISE = 1.05


def _held_out_mse(held_out, w, intercept):
    """(Weighted) mean squared error of ``(w, intercept)`` on the held-out data."""
    if held_out.stats is not None:
        return held_out.stats.held_out_mse(w, intercept)
    return residual_mse(held_out.X, held_out.y, held_out.sample_weight, w, intercept)


def lasso_path(X, y, *, eps: float = 1e-3, alphas=None, **params):
    """Compute the lasso path: :func:`enet_path` with ``l1_ratio=1``.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data.
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Target values.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid.
    alphas : int or array-like, default=None
        Number of alphas or the alphas themselves.
    **params
        Further keyword arguments of :func:`enet_path`.

    Returns
    -------
    tuple
        As :func:`enet_path`.

    Examples
    --------
    >>> import numpy as np
    >>> from skreg import lasso_path
    >>> X = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 3.5]])
    >>> y = np.array([1.0, 2.0, 3.2])
    >>> alphas, coefs, gaps = lasso_path(X, y, alphas=[0.5, 0.1])
    >>> coefs.shape
    (2, 2)
    """
    return enet_path(X, y, l1_ratio=1.0, eps=eps, alphas=alphas, **params)
