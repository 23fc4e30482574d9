"""Regularisation paths of the sparse GLMs (logistic, multinomial, Poisson).

One :class:`~skreg.solvers.prox_newton.GLMProblem` is built per path; each ``alpha``
(largest first) is solved from the previous solution (warm start), as glmnet.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_X_y

from skreg._path import decreasing_alphas
from skreg.datafits import DEFAULT_REL_TOL
from skreg.datafits_glm import GLM_DATAFITS
from skreg.solvers.prox_newton import GLMProblem, solve_glm_fista, solve_prox_newton
from skreg.utils._validation import as_kernel_csc, check_sample_weight

__all__ = ["glm_alpha_grid", "glm_path", "glm_solver", "logistic_path"]


def _problem(
    X, Y, sample_weight, datafit, l1_ratio, positive, grouped, fit_intercept,
    penalty_factor=None,
):  # fmt: skip
    # Kernel layouts (STYLE: F-ordered or CSC): the CV passes row slices X[train],
    # which are C-ordered, and each layout compiles and rounds differently.
    X = as_kernel_csc(X) if sp.issparse(X) else np.asfortranarray(X)
    return GLMProblem(
        X,
        Y,
        sample_weight,
        datafit,
        alpha=1.0,
        l1_ratio=l1_ratio,
        positive=positive,
        grouped=grouped,
        fit_intercept=fit_intercept,
        penalty_factor=penalty_factor,
    )


def glm_solver(solver: str, grouped: bool):
    """Return the solve function for ``solver`` ("auto", "newton" or "fista").

    Proximal Newton's subproblems are solved per output by coordinate descent, which
    the grouped penalty (coupled across the outputs) does not fit: "auto" takes FISTA
    for it, and "newton" with it is a ``ValueError``.
    """
    if grouped and solver == "newton":
        raise ValueError(
            "solver='newton' does not support multinomial_penalty='grouped'; use "
            "solver='auto' or 'fista'."
        )
    if solver == "fista" or grouped:
        return solve_glm_fista
    return solve_prox_newton


def glm_alpha_grid(problem: GLMProblem, n_alphas: int = 100, eps: float = 1e-3):
    """Geometric grid from ``alpha_max`` of ``problem`` down to ``eps * alpha_max``."""
    if problem.l1_ratio <= 0:
        raise ValueError(
            "Automatic alpha grid generation needs l1_ratio > 0; pass alphas "
            "explicitly for l1_ratio=0 (ridge)."
        )
    alpha_max = problem.alpha_max()
    resolution = np.finfo(np.float64).resolution
    if alpha_max <= resolution:
        return np.full(n_alphas, resolution)
    return np.geomspace(alpha_max, alpha_max * eps, num=n_alphas)


def glm_path(
    X,
    Y,
    *,
    family: str = "binomial",
    l1_ratio: float = 1.0,
    alphas=None,
    n_alphas: int = 100,
    eps: float = 1e-3,
    sample_weight=None,
    fit_intercept: bool = True,
    positive: bool = False,
    grouped: bool = False,
    tol: float | None = None,
    max_iter: int = 100,
    solver: str = "auto",
    rel_tol: float = DEFAULT_REL_TOL,
    penalty_factor=None,
):
    """Warm-started path of a GLM on validated, encoded data.

    Parameters
    ----------
    X : ndarray (Fortran-ordered) or sparse matrix of shape (n, p)
        Validated design.
    Y : ndarray of shape (n, K)
        Encoded target (0/1 column, one-hot rows, or counts).
    family : {"binomial", "multinomial", "poisson"}, default="binomial"
    l1_ratio, alphas, n_alphas, eps, sample_weight, fit_intercept, positive, grouped
        As in :func:`logistic_path`.
    tol, max_iter, solver, rel_tol
        Solver settings (see :class:`skreg.SparseLogisticRegression`).
    penalty_factor : array-like of shape (p,), default=None
        As in :func:`logistic_path`.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
    coefs : ndarray of shape (K, p, n_alphas)
    intercepts : ndarray of shape (K, n_alphas)
    dual_gaps : ndarray of shape (n_alphas,)
    n_iters : ndarray of shape (n_alphas,)
    converged : ndarray of bool, shape (n_alphas,)
    """
    datafit = GLM_DATAFITS[family]
    problem = _problem(
        X, Y, sample_weight, datafit, l1_ratio, positive, grouped, fit_intercept,
        penalty_factor,
    )  # fmt: skip
    if alphas is None:
        alphas = glm_alpha_grid(problem, n_alphas, eps)
    alphas = decreasing_alphas(alphas)
    K, p = problem.Y.shape[1], X.shape[1]
    m = alphas.shape[0]
    coefs = np.zeros((K, p, m), dtype=X.dtype)
    intercepts = np.zeros((K, m))
    gaps, n_iters = np.zeros(m), np.zeros(m, dtype=int)
    converged = np.zeros(m, dtype=bool)
    # The null model: intercepts and (glmnet) the unpenalised features' fit.
    W, b = problem.null_fit()
    solve = glm_solver(solver, grouped)
    prev_alpha = None
    for i, alpha in enumerate(alphas):
        problem.set_penalty(alpha, l1_ratio)
        # Each point starts from the previous one's working set (support and strong
        # rule survivors) and certifies its own gap; no finishing step (the next
        # point's first Newton step starts from here).
        with np.errstate(over="ignore"):
            res = solve(
                problem, W, b, max_iter=max_iter, tol=tol, rel_tol=rel_tol,
                prev_alpha=prev_alpha, finish=False,
            )  # fmt: skip
        prev_alpha = alpha
        coefs[:, :, i] = W
        intercepts[:, i] = b - (b.mean() if K > 1 else 0.0)
        gaps[i], n_iters[i], converged[i] = res.dual_gap, res.n_iter, res.converged
    return alphas, coefs, intercepts, gaps, n_iters, converged


def logistic_path(
    X,
    y,
    *,
    l1_ratio: float = 1.0,
    alphas=None,
    n_alphas: int = 100,
    eps: float = 1e-3,
    sample_weight=None,
    fit_intercept: bool = True,
    positive: bool = False,
    multinomial_penalty: str = "ungrouped",
    tol: float | None = None,
    max_iter: int = 100,
    penalty_factor=None,
):
    """Regularisation path of :class:`skreg.SparseLogisticRegression`.

    The objective is the estimator's (glmnet's with ``standardize=FALSE``); each
    ``alpha``, largest first, starts from the previous solution.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data.
    y : array-like of shape (n_samples,)
        Class labels (two: binary model; more: multinomial).
    l1_ratio : float, default=1.0
        Mix between L1 (``1``) and L2 (``0``).
    alphas : array-like, default=None
        Grid; ``None``: ``n_alphas`` values from ``alpha_max`` down to
        ``eps * alpha_max``.
    n_alphas : int, default=100
    eps : float, default=1e-3
    sample_weight : array-like of shape (n_samples,), default=None
    fit_intercept : bool, default=True
    positive : bool, default=False
    multinomial_penalty : {"ungrouped", "grouped"}, default="ungrouped"
    tol : float or None, default=None
        Relative duality gap at each alpha (``None``: 1e-6).
    max_iter : int, default=100
        Newton iterations per alpha.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature factors of both penalty terms (glmnet's ``penalty.factor``; 0:
        unpenalised), rescaled to sum to ``n_features`` as glmnet does. The grid
        then starts at the ``alpha_max`` of the penalised features, at the fit of
        the unpenalised ones, and the path from that fit.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
    coefs : ndarray of shape (n_outputs, n_features, n_alphas)
        ``n_outputs`` is 1 (binary) or the number of classes.
    intercepts : ndarray of shape (n_outputs, n_alphas)
    classes : ndarray of shape (n_classes,)

    Examples
    --------
    >>> import numpy as np
    >>> from skreg.linear_model import logistic_path
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]])
    >>> alphas, coefs, intercepts, classes = logistic_path(X, [0, 0, 1, 1], n_alphas=3)
    >>> coefs.shape
    (1, 2, 3)
    """
    X, y = check_X_y(
        X, y, accept_sparse=["csc", "csr", "coo"], dtype=[np.float64, np.float32],
        order="F",
    )  # fmt: skip
    classes, y_ind = np.unique(y, return_inverse=True)
    if classes.shape[0] < 2:
        raise ValueError("y contains only one class: a path needs at least two.")
    sw = check_sample_weight(sample_weight, X, np.float64)
    if classes.shape[0] == 2:
        Y, family = (y_ind == 1).astype(np.float64)[:, None], "binomial"
    else:
        Y = np.eye(classes.shape[0])[y_ind]
        family = "multinomial"
    out = glm_path(
        X,
        Y,
        family=family,
        l1_ratio=l1_ratio,
        alphas=alphas,
        n_alphas=n_alphas,
        eps=eps,
        sample_weight=sw,
        fit_intercept=fit_intercept,
        positive=positive,
        grouped=family == "multinomial" and multinomial_penalty == "grouped",
        tol=tol,
        max_iter=max_iter,
        penalty_factor=penalty_factor,
    )
    return out[0], out[1], out[2], classes
