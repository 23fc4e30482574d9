"""Proximal Newton (IRLS) and proximal gradient for the sparse GLMs.

The problem is

.. math::

    \\min_{W, b} \\sum_i s_i f(y_i, x_i^\\top W^\\top + b)
    + \\sum_{k, j} \\Omega(W_{kj}),

with a datafit of :mod:`skreg.datafits_glm`, weights ``s`` summing to one and the
elastic net ``Omega = l1_reg |.| + l2_reg / 2 (.)^2`` (or, ``grouped``, the L2 norm
of each column ``W[:, j]`` across outputs in place of the absolute value), feature
``j``'s terms multiplied by its penalty factor ``f_j`` (glmnet's ``penalty.factor``,
rescaled to sum to ``p`` by :func:`skreg.penalties.check_penalty_arrays`; all ones by
default, and then no per-feature array reaches the kernels).

Penalty factors. A feature with ``f_j > 0`` keeps every rule below with ``l1_reg`` and
``l2_reg`` multiplied by ``f_j`` (KKT scores, strong rule, prox, the conjugate in
the gap). A feature with ``f_j = 0`` is unpenalised: its KKT condition is a zero
gradient, the strong rule always keeps it, ``alpha_max`` is taken over the
penalised features at the fit of the unpenalised ones alone (glmnet's
``lambda.max``, :meth:`GLMProblem.null_fit`), and a path starts from that fit. In
the dual, an unpenalised feature is a linear constraint ``X_j^T U = 0`` like the
intercept's ``sum_i U_ik = 0``: the dual mean is projected onto those constraints
jointly (weighted least squares, :meth:`GLMProblem._project_dual`) before the
feasibility scaling, which multiplies ``U`` and so keeps them.

Proximal Newton (glmnet's IRLS, skglm's and celer's ``ProxNewton``), on working
sets. Each outer iteration computes the full gradient, the duality gap and every
feature's KKT violation, and picks a working set: the support and the most violating
features, twice as many as the support (at least 10; skglm's rule). Inner iterations
take proximal Newton steps on the working set until its KKT violation is 0.3 of the
outer one. A step on output ``k`` minimises the second-order model of the datafit in
the linear predictor, ``sum_i U_i delta_i + 1/2 sum_i h_i delta_i^2`` (``U = s
f'(eta)``, ``h = s f''(eta)``) plus the penalty, by at most 20 coordinate-descent
epochs of :func:`skreg._kernels.glm.newton_direction` (the weights enter its
products: no weighted copy of ``X``; the intercept is one more coordinate),
Anderson-extrapolated every 5 epochs (:func:`_direction`). A
backtracking line search on the true objective (Armijo on the model's decrease, Lee,
Sun & Saunders 2014) makes every step a descent step; it compares objective
*changes* computed as such (each datafit's ``change``), never two rounded
objectives, so that steps whose decrease is below the objective's rounding are still
taken and tight gaps certify. Multinomial models cycle over the classes, one
block-diagonal Newton step per class (glmnet), the sweeps combined by Anderson
extrapolation. Once the gap certifies, one more Newton step on the support (its
direction solved to 1e-3 of the last KKT violation) moves the point towards the
optimum; the line search only lowers the objective, so the gap still holds.

The stop is a certified duality gap (:mod:`skreg.datafits_glm` gives the dual), at a
relative ``rel_tol`` of the objective. Before each gap the intercepts are polished by
a one-dimensional Newton step, so that the dual point meets the intercepts'
constraint ``sum_i U_ik = 0`` to rounding. The gap keeps the better of two dual
points: the gradient at the iterate, and (one output) the gradient of the last
Newton model, ``U + h delta``, whose only KKT violations are its coordinate
descent's residual (:meth:`GLMProblem.gap_and_gradient`). Making the gradient
feasible moves its dual mean towards ``y``, which costs the dual the KKT violation
times ``||W||_1`` and more: on a path's late points the gradient's gap ran 4-6
orders above the suboptimality. The model's point is also tried inside the
direction's coordinate descent, which stops once it certifies.

``grouped`` penalties and ``solver="fista"`` use accelerated proximal gradient with
backtracking and adaptive restart, on the same objective and gap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from skreg import penalties
from skreg._kernels import glm as _glm
from skreg.datafits import DEFAULT_REL_TOL
from skreg.solvers.cd import _anderson
from skreg.utils._validation import as_kernel_csc

__all__ = [
    "GLMProblem",
    "GLMResult",
    "solve_glm_fista",
    "solve_prox_newton",
    "strong_set",
]

# Armijo constant and the most halvings of the line search.
_ARMIJO = 1e-4
_MAX_HALVINGS = 30
# Smallest working set (skglm's ``p0``); it is at least twice the support.
_WS_START = 10
# The inner Newton iterations on a working set stop once its KKT violation is this
# fraction of the outer violation (skglm's ``EPS_TOL``), and the coordinate descent
# of each Newton direction once the model's violation is this fraction of that.
_INNER_KKT_FRACTION = 0.3
_CD_KKT_FRACTION = 0.3
# The Newton step after certification solves its direction to this fraction of
# the last outer KKT violation.
_POLISH_CD_FRACTION = 1e-3
# Coordinate-descent epochs allowed per Newton direction (skglm's ``MAX_CD_ITER``):
# an inexact direction costs one more Newton iteration on the working set, cheaper
# than hundreds of epochs on a correlated design.
_CD_MAX_EPOCHS = 20
# Epochs between two Anderson extrapolations of a Newton direction's coordinate
# descent (celer's and skglm's K = 5).
_CD_ANDERSON_K = 5
# The certificate of a Newton model's dual point is tried inside its coordinate
# descent (after each extrapolation) only when the product with the whole of X it
# needs costs at most this fraction of the epochs between two tries: otherwise a
# p > n problem's small working set pays for full products it rarely uses
# (dense 1000 x 5000 at alpha_max / 100: 15% slower at a fraction of 1).
_CERTIFY_COST = 0.25
# An outer iteration that does not lower the gap is a stall (a growing working
# set lowers it slowly, but lowers it): the next inner tolerance is this much
# smaller.
_STALL_RATIO = 1.0
_STALL_SHRINK = 0.01
# Consecutive stalls after which the solver gives up (and the estimator warns):
# rounding, or nearly separable multinomial lasso problems whose L1 gap is first
# order in a distance to the optimum that flat directions keep large.
_MAX_STALLS = 8
# Sweeps over the classes combined by Anderson extrapolation (multinomial).
_ANDERSON_K = 4
# Intercept polishing: Newton steps at most.
_POLISH_STEPS = 20

# Proximal gradient: iterations per unit of max_iter, and gap checks every so often.
_FISTA_ITER_FACTOR = 100
_FISTA_CHECK_EVERY = 10


@dataclass
class GLMResult:
    """Outcome of one GLM solve.

    Attributes
    ----------
    coef : ndarray of shape (n_outputs, n_features)
    intercept : ndarray of shape (n_outputs,)
    n_iter : int
        Newton (or proximal gradient) iterations.
    dual_gap : float
        Duality gap at the solution (mean scaling, ``sum s = 1``): the objective
        minus the dual value at ``dual_mean``, the best of the dual points
        :meth:`GLMProblem.gap_and_gradient` tried (a certificate: at least the
        suboptimality).
    primal : float
        Objective at the solution.
    tol : float
        The absolute gap asked for.
    converged : bool
    dual_mean : ndarray of shape (n, n_outputs) or None
        Dual mean ``Q`` of the dual point that certified ``dual_gap`` (the dual
        point is ``s (Q - y)``; see :meth:`GLMProblem.gap_and_gradient`).
    """

    coef: np.ndarray
    intercept: np.ndarray
    n_iter: int
    dual_gap: float
    primal: float
    tol: float
    converged: bool
    dual_mean: np.ndarray | None = None


class GLMProblem:
    """A validated GLM problem: data, datafit and penalty numbers.

    Parameters
    ----------
    X : ndarray (Fortran-ordered) or CSC matrix of shape (n, p)
        Validated finite design, float32 or float64.
    Y : ndarray of shape (n, K)
        Targets (0/1 column, one-hot rows, or counts), float64.
    sample_weight : ndarray of shape (n,) or None
        Non-negative weights; normalised here to sum to one.
    datafit : class of :mod:`skreg.datafits_glm`
    alpha, l1_ratio : float
        Penalty ``alpha * (l1_ratio ||W||_1 + (1 - l1_ratio) / 2 ||W||_F^2)``.
    positive, grouped, fit_intercept : bool
    penalty_factor : array-like of shape (p,), default=None
        Per-feature factors of both penalty terms (validated and rescaled to sum to
        ``p`` by :func:`skreg.penalties.check_penalty_arrays`, as the linear models).
    """

    def __init__(
        self,
        X,
        Y,
        sample_weight,
        datafit,
        *,
        alpha,
        l1_ratio,
        positive=False,
        grouped=False,
        fit_intercept=True,
        penalty_factor=None,
    ):
        n = X.shape[0]
        # The linear models' validator: one rule and one message for the factors.
        self.weights = penalties.check_penalty_arrays(X.shape[1], penalty_factor)[0]
        self.unpenalised = penalties.ElasticNet.with_arrays(
            1.0, 1.0, False, (self.weights, penalties.NO_ARRAY, penalties.NO_ARRAY)
        ).unpenalised
        self.X, self.Y, self.datafit = X, np.asarray(Y, dtype=np.float64), datafit
        self.dtype = X.dtype
        s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, float)
        total = float(s.sum())
        if not total > 0:
            raise ValueError("sample_weight must have at least one positive entry.")
        self.s = s / total
        self.sample_weight = sample_weight
        self.set_penalty(alpha, l1_ratio)
        self.positive, self.grouped = bool(positive), bool(grouped)
        self.fit_intercept = bool(fit_intercept)
        self._null_value = None
        self._xs = None
        self._kx = None
        self._null_fit = None
        self._dual_projector = {}

    def set_penalty(self, alpha: float, l1_ratio: float) -> None:
        """Set ``alpha`` and ``l1_ratio`` (a path reuses the problem)."""
        self.alpha, self.l1_ratio = float(alpha), float(l1_ratio)
        self.l1_reg = self.alpha * self.l1_ratio
        self.l2_reg = self.alpha * (1.0 - self.l1_ratio)

    # -- products ----------------------------------------------------------------
    def linear_predictor(self, W: np.ndarray, b: np.ndarray) -> np.ndarray:
        """``X @ W.T + b`` in float64, shape ``(n, K)``."""
        out = self.X @ W.T.astype(np.float64)
        return np.asarray(out, dtype=np.float64) + b

    def xt_dot(self, U: np.ndarray) -> np.ndarray:
        """``U.T @ X`` in float64, shape ``(K, p)``."""
        if sp.issparse(self.X):
            return np.asarray((self.X.T @ U).T, dtype=np.float64)
        return (U.T @ self.X).astype(np.float64, copy=False)

    def grad_at_null(self) -> np.ndarray:
        """Datafit gradient in ``W`` at the null model (:meth:`null_fit`)."""
        W0, b0 = self.null_fit()
        eta = self.linear_predictor(W0, b0)
        mu = self.datafit.mean(eta)
        return self.xt_dot(self.s[:, None] * (mu - self.Y))

    def null_fit(self) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(W, b)`` of the null model: where a path starts.

        The intercepts alone (:meth:`null_intercept`, ``W = 0``) or, with unpenalised
        features (penalty factor 0), the unpenalised fit of those and the intercepts
        (glmnet's start: they are never zero on the path). Computed once; copies are
        returned.
        """
        if self._null_fit is None:
            K, p = self.Y.shape[1], self.X.shape[1]
            W, b = np.zeros((K, p)), self.null_intercept()
            unpen = self.unpenalised
            if unpen.shape[0]:
                Xu = self.X[:, unpen]
                Xu = as_kernel_csc(Xu) if sp.issparse(Xu) else np.asfortranarray(Xu)
                sub = GLMProblem(
                    Xu, self.Y, self.s, self.datafit, alpha=0.0, l1_ratio=1.0,
                    positive=self.positive, fit_intercept=self.fit_intercept,
                )  # fmt: skip
                Wu = np.zeros((K, unpen.shape[0]))
                with np.errstate(over="ignore"):
                    solve_prox_newton(sub, Wu, b)
                W[:, unpen] = Wu
            self._null_fit = (W, b)
        W, b = self._null_fit
        return W.copy(), b.copy()

    def null_intercept(self) -> np.ndarray:
        """Return the intercepts of the model without features (0 if none)."""
        if not self.fit_intercept:
            return np.zeros(self.Y.shape[1])
        return self.datafit.null_intercept(self.Y, self.s)

    def alpha_max(self) -> float:
        """Smallest ``alpha`` at which ``W = 0`` is optimal (``l1_ratio > 0``)."""
        G = self.grad_at_null()
        if self.grouped:
            mag = np.sqrt((G**2).sum(axis=0))
        elif self.positive:
            mag = np.maximum(-G, 0.0).max(axis=0, initial=0.0)
        else:
            mag = np.abs(G).max(axis=0, initial=0.0)
        if self.weights.shape[0]:
            # Over the penalised features, each scaled by its factor (glmnet).
            pen = self.weights > 0
            mag = mag[pen] / self.weights[pen]
        g = float(mag.max(initial=0.0))
        if self.l1_ratio == 0:
            return np.inf if g > 0 else 0.0
        return g / self.l1_ratio

    # -- objective and gap ---------------------------------------------------------
    def penalty_value(self, W: np.ndarray) -> float:
        """``Omega(W)`` (``inf`` when ``positive`` is violated)."""
        W = W.astype(np.float64, copy=False)
        if self.positive and np.any(W < 0):
            return np.inf
        if self.weights.shape[0]:
            # sum_j f_j (l1_reg |W_.j| + l2_reg / 2 ||W_.j||^2), per feature.
            sq_j = (W * W).sum(axis=0)
            l1_j = np.sqrt(sq_j) if self.grouped else np.abs(W).sum(axis=0)
            f = self.weights
            return self.l1_reg * float(f @ l1_j) + 0.5 * self.l2_reg * float(f @ sq_j)
        sq = float((W * W).sum())
        if self.grouped:
            l1 = float(np.sqrt((W * W).sum(axis=0)).sum())
        else:
            l1 = float(np.abs(W).sum())
        return self.l1_reg * l1 + 0.5 * self.l2_reg * sq

    def primal(self, eta: np.ndarray, W: np.ndarray) -> float:
        """Objective at ``(W, b)`` given its linear predictor ``eta``."""
        return self.datafit.value(self.Y, eta, self.s) + self.penalty_value(W)

    def kernel_x(self) -> tuple:
        """Return ``(sparse, args)``: the design as :mod:`skreg._kernels.glm` takes it.

        Dense ``X`` Fortran-ordered (copied once if it is not, e.g. the rows of a
        cross-validation fold), CSC as ``(data, indices, indptr)``.
        """
        if self._kx is None:
            if sp.issparse(self.X):
                X = as_kernel_csc(self.X)
                self._kx = (True, (X.data, X.indices, X.indptr))
            else:
                self._kx = (False, (np.asfortranarray(self.X),))
        return self._kx

    def nnz_cols(self, ws: np.ndarray | None) -> float:
        """Return the stored entries of the columns ``ws`` of ``X`` (``None``: all)."""
        n, p = self.X.shape
        if not sp.issparse(self.X):
            return float(n * (p if ws is None else ws.shape[0]))
        if ws is None:
            return float(self.X.nnz)
        indptr = self.kernel_x()[1][2]
        return float((indptr[ws + 1] - indptr[ws]).sum())

    def xt_dot_ws(self, U: np.ndarray, ws: np.ndarray) -> np.ndarray:
        """``U.T @ X[:, ws]`` in float64, shape ``(K, len(ws))`` (no column copy)."""
        sparse, xargs = self.kernel_x()
        out = np.empty((U.shape[1], ws.shape[0]))
        kernel = _glm.xt_dot_cols_sparse if sparse else _glm.xt_dot_cols
        for k in range(U.shape[1]):
            kernel(*xargs, ws, np.ascontiguousarray(U[:, k]), out[k])
        return out

    def dual_gap(self, W: np.ndarray, eta: np.ndarray) -> tuple[float, float]:
        """Return ``(gap, primal)`` at ``W`` with linear predictor ``eta``.

        The certificate of a given point (a fitted model's, as the reports check
        it): the better of the gradient's dual point and (one output) the dual
        point of a Newton model at the point, on the support and the features
        violating the KKT conditions, solved as the finishing step solves it (see
        :meth:`gap_and_gradient`). The solver certified its result with such a
        model's dual point; the gradient's alone can be orders looser.
        """
        gap, primal, G = self.gap_and_gradient(W, eta)
        if self.Y.shape[1] != 1 or (self.l1_reg == 0.0 and self.l2_reg == 0.0):
            return gap, primal
        W = np.asarray(W, dtype=np.float64)
        scores = _kkt_scores(self, W, G)
        ws = np.flatnonzero((W != 0).any(axis=0) | (scores > 0)).astype(np.int64)
        if ws.shape[0] == 0:
            return gap, primal
        cd_tol = _POLISH_CD_FRACTION * float(scores.max(initial=0.0))
        W_step, b_step = W.copy(), np.zeros(1)
        _, _, Q_model, _ = _newton_ws(
            self, W_step, b_step, eta, 0, ws, self.kernel_x(), cd_tol
        )
        gap_model = self.gap_and_gradient(W, eta, Q_model[:, None])[0]
        return min(gap, gap_model), primal

    def gap_and_gradient(
        self,
        W: np.ndarray,
        eta: np.ndarray,
        Q_model: np.ndarray | None = None,
        *,
        return_dual: bool = False,
        thr: float = -np.inf,
    ):
        """Return ``(gap, primal, G)``: the gap and the datafit gradient in ``W``.

        The plain dual point is the gradient ``U = s (mu - y)``: its dual mean ``Q =
        mu`` is shifted per output to meet the intercepts' constraint, then moved
        towards ``y`` until ``-U^T X`` is feasible for the L1 part (no L2 part) or
        charged ``Omega^*`` (elastic net) (:meth:`_dual_value`). Without any penalty
        the gap is replaced by the largest gradient entry (the KKT violation).

        That move towards ``y`` costs the dual, to first order, the largest KKT
        violation times ``||W||_1``, where the suboptimality is second order in the
        violation: on a path's late points (``||W||_1 = 78``, objective 0.3) the plain
        gap ran 3-4 orders above the suboptimality. ``Q_model`` (shape ``(n, K)``),
        a second candidate, is the dual mean of the last Newton model's gradient
        (:func:`_newton_ws`), whose only violations are the model's coordinate
        descent residual; it is made a dual point the same way, and the larger of
        the two dual values is kept. Any feasible point bounds the optimum from
        below, so the gap is a certificate whichever wins.

        ``thr``: the second candidate is skipped when the first one's gap is at
        most ``thr`` (it costs a product with ``X``).

        ``return_dual``: also return the dual mean ``Q`` of the dual point used
        (feasible: ``Omega^*(-X^T s (Q - y))`` finite, ``Q`` in the conjugate's
        domain, ``sum_i s_i (Q_ik - y_ik) = 0`` with intercepts), whose dual value
        ``-F^*(Q) - Omega^*`` is ``primal - gap``.
        """
        Y, s = self.Y, self.s
        primal = self.primal(eta, W)
        mu = self.datafit.mean(eta)
        G = self.xt_dot(s[:, None] * (mu - Y))
        if self.l1_reg == 0.0 and self.l2_reg == 0.0:
            gap = self._kkt_violation(mu, G, W)
            return (gap, primal, G, mu) if return_dual else (gap, primal, G)
        dual, Q = self._dual_value(mu, G, W)
        if Q_model is not None and primal - dual > thr:
            with np.errstate(invalid="ignore"):
                Qm = self.datafit.clip_dual(np.asarray(Q_model, dtype=np.float64))
            if np.all(np.isfinite(Qm)):
                dual_m, Qm = self._dual_value(Qm, None, W)
                if dual_m > dual:
                    dual, Q = dual_m, Qm
        gap = primal - dual
        return (gap, primal, G, Q) if return_dual else (gap, primal, G)

    def _shifted(self, Q: np.ndarray, GQ: np.ndarray | None, W: np.ndarray):
        """Dual mean ``Q`` moved to the unpenalised parts' constraints, and ``-X^T U``.

        The intercepts' constraint (a shift per output), or with unpenalised features
        ``X_u^T U = 0`` as well (:meth:`_project_dual`). With ``positive`` an
        unpenalised feature at zero in ``W`` only needs ``V_j <= 0`` (its conjugate
        is the indicator of that): not projected, and ``V`` is ``None`` where the
        point breaks that (infeasible). ``GQ`` is ``X^T s (Q - y)`` if known
        (``None``: computed here).
        """
        Y, s = self.Y, self.s
        if self.unpenalised.shape[0]:
            on, off = self.unpenalised, self.unpenalised[:0]
            if self.positive:
                active = (W[:, on] != 0).any(axis=0)
                on, off = on[active], on[~active]
            Qs = self.datafit.clip_dual(self._project_dual(Q, on))
            V = -self.xt_dot(s[:, None] * (Qs - Y))
            return Qs, (None if np.any(V[:, off] > 0.0) else V)
        if self.fit_intercept:
            shift = s @ (Q - Y)
            Qs = self.datafit.clip_dual(Q - shift)
            if GQ is not None and np.array_equal(Qs, Q - shift):
                # X^T (s (Q - shift - y)) = GQ - shift (X^T s): no second product.
                return Qs, -(GQ - np.outer(shift, self._xt_s()))
            if Y.shape[1] == 1 and GQ is None:
                # The clip undid part of the shift (a candidate far from the
                # gradient): the shift that meets the constraint after the clip.
                Qs = self._clipped_shift(Q)
            return Qs, -self.xt_dot(s[:, None] * (Qs - Y))
        if GQ is None:
            GQ = self.xt_dot(s[:, None] * (Q - Y))
        return Q, -GQ

    def _clipped_shift(self, Q: np.ndarray) -> np.ndarray:
        """Return ``clip(Q - tau)`` with ``sum_i s_i (clip(Q_i - tau) - y_i) = 0``.

        One output. The weighted mean of ``clip(Q - tau)`` falls with ``tau``,
        piecewise linearly (slope minus the weight of the entries inside the
        domain): safeguarded Newton steps on ``tau`` inside a bracket, then the
        residual of the constraint is removed from the entries strictly inside the
        domain, so that it holds to rounding.
        """
        f, s, target = self.datafit, self.s, float(self.s @ self.Y[:, 0])
        q = Q[:, 0]
        upper = 1.0 if f.name == "binomial" else np.inf
        lo, hi = float(q.min()) - 1.0, float(q.max()) + 1.0  # g(lo) >= 0 >= g(hi)
        tau = float(s @ (q - self.Y[:, 0]))
        out = f.clip_dual(q - tau)
        for _ in range(100):
            out = f.clip_dual(q - tau)
            resid = float(s @ out) - target
            if resid == 0.0 or hi - lo <= 1e-15 * max(abs(tau), 1.0):
                break
            if resid > 0.0:
                lo = tau
            else:
                hi = tau
            mass = float(s[(out > 0.0) & (out < upper)].sum())
            tau = tau + resid / mass if mass > 0.0 else 0.5 * (lo + hi)
            if not lo < tau < hi:
                tau = 0.5 * (lo + hi)
        inside = (out > 0.0) & (out < upper)
        mass = float(s[inside].sum())
        if mass > 0.0:
            out[inside] -= (float(s @ out) - target) / mass
        return f.clip_dual(out)[:, None]

    def _kkt_violation(self, mu: np.ndarray, G: np.ndarray, W: np.ndarray) -> float:
        """Largest gradient entry after the intercepts' shift (no penalty)."""
        _, V = self._shifted(mu, G, W)
        return np.inf if V is None else float(np.abs(V).max(initial=0.0))

    def _dual_value(self, Q: np.ndarray, GQ: np.ndarray | None, W: np.ndarray):
        """Return ``(dual, Q_feasible)``: the dual point made from the dual mean ``Q``.

        ``GQ`` is ``X^T s (Q - y)`` if known. ``Q`` is shifted to the intercepts'
        constraint, then moved towards ``y`` (``y + c (Q - y)``, ``c <= 1``) until
        ``-X^T s (Q - y)`` is feasible for the L1 part, or charged ``Omega^*``
        (elastic net).
        """
        Y, s = self.Y, self.s
        Q, V = self._shifted(Q, GQ, W)
        if V is None:
            # An unpenalised feature held at zero by ``positive`` while this point's
            # gradient pulls it up: infeasible, no bound.
            return -np.inf, Q
        l1, l2 = self.l1_reg, self.l2_reg
        if self.grouped:
            mag = np.sqrt((V * V).sum(axis=0))
        elif self.positive:
            mag = np.maximum(V, 0.0)
        else:
            mag = np.abs(V)
        if self.weights.shape[0]:
            # Feature j's conjugate at factor f_j: the unweighted one of mag_j / f_j,
            # times f_j. Unpenalised columns meet X_j^T U = 0 by the projection above
            # (to rounding) and are charged nothing.
            pen = self.weights > 0
            f = self.weights[pen]
            mag = mag[..., pen] / f
        if l2 == 0.0:
            top = float(mag.max(initial=0.0))
            c = 1.0 if top <= l1 else l1 / top
            Q = Y + c * (Q - Y)
            omega_star = 0.0
        elif self.weights.shape[0]:
            excess = np.maximum(mag - l1, 0.0) ** 2
            omega_star = float((excess * f).sum()) / (2.0 * l2)
        else:
            omega_star = float((np.maximum(mag - l1, 0.0) ** 2).sum()) / (2.0 * l2)
        return -self.datafit.conjugate(Y, Q, s) - omega_star, Q

    def _project_dual(self, mu: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """Dual mean ``Q = mu - A C`` with ``A^T (s (Q - Y)) = 0`` (before clipping).

        ``A`` holds the unpenalised columns (and a column of ones with intercepts):
        the weighted least-squares projection, ``C = (A^T S A)^+ A^T S (mu - Y)``,
        one column of ``C`` per output. For the multinomial the rows of ``A C`` sum
        to zero over the classes (the columns of ``mu - Y`` do), so ``Q`` stays on
        the simplex's affine hull. ``A`` holds ``columns`` (the unpenalised ones, or
        with ``positive`` those of them off zero); it and the pseudo-inverse are
        computed once per set.
        Clipping onto the conjugate's domain afterwards (probabilities of 0 or 1 in
        floating point) may break the constraints by rounding, as with the
        intercept's shift.
        """
        key = columns.tobytes()
        if key not in self._dual_projector:
            A = self.X[:, columns]
            A = np.asarray(A.todense() if sp.issparse(A) else A, dtype=np.float64)
            if self.fit_intercept:
                A = np.column_stack([np.ones(A.shape[0]), A])
            if A.shape[1] == 0:
                return mu
            sA = self.s[:, None] * A
            self._dual_projector[key] = (A, sA, np.linalg.pinv(A.T @ sA))
        A, sA, M_pinv = self._dual_projector[key]
        return mu - A @ (M_pinv @ (sA.T @ (mu - self.Y)))

    def _xt_s(self) -> np.ndarray:
        """``X.T @ s`` (the weighted column means), computed once."""
        if self._xs is None:
            self._xs = self.xt_dot(self.s[:, None])[0]
        return self._xs

    def polish_intercept(self, W, b, eta):
        """Newton steps on the intercepts alone (in place); returns ``eta``.

        With unpenalised features, first on those and the intercepts together
        (:meth:`polish_unpenalised`).
        """
        if self.unpenalised.shape[0]:
            eta = self.polish_unpenalised(W, b, eta)
        if not self.fit_intercept:
            return eta
        f, Y, s = self.datafit, self.Y, self.s
        for _ in range(_POLISH_STEPS):
            mu = f.mean(eta)
            g = s @ (mu - Y)
            if float(np.abs(g).max()) <= 1e-15:
                break
            h = s @ f.curvature(mu)
            step = -g / h
            if Y.shape[1] > 1:
                step -= step.mean()
            t = 1.0
            for _ in range(_MAX_HALVINGS):
                # The change of the objective, not two rounded objectives: near the
                # optimum their difference is rounding and every step was refused
                # (30 halvings per step, half the time of a sparse fit).
                if Y.shape[1] > 1:
                    change = f.shift_change(Y, mu, t * step, s)
                else:
                    delta = np.full(eta.shape[0], t * step[0])
                    change = f.change(Y[:, 0], eta[:, 0], mu[:, 0], delta, s)
                if change <= 0.0:
                    break
                t *= 0.5
            else:
                break
            b += t * step
            eta = eta + t * step
        return eta

    def polish_unpenalised(self, W, b, eta):
        """Newton steps on the unpenalised features and intercepts (in place).

        Their gradient is driven to rounding, so that the dual mean's projection
        onto ``X_u^T U = 0`` (:meth:`_project_dual`) is a rounding-sized move that
        stays in the conjugate's domain: from an unpolished point it could leave
        ``[0, 1]``, and the clipped point was no longer feasible (a negative gap).
        The steps are :func:`_newton_ws` on the unpenalised working set (its prox is
        the identity there), with the line search on the true objective: the
        objective only decreases. Returns ``eta``.
        """
        ws = self.unpenalised
        kx = self.kernel_x()
        for _ in range(_POLISH_STEPS):
            U = self.s[:, None] * (self.datafit.mean(eta) - self.Y)
            g = np.abs(self.xt_dot_ws(U, ws)).max()
            if self.fit_intercept:
                g = max(g, float(np.abs(U.sum(axis=0)).max()))
            if g <= 1e-15:
                break
            before = eta
            for k in range(W.shape[0]):
                eta, *_ = _newton_ws(self, W, b, eta, k, ws, kx, 1e-3 * g)
            if eta is before:
                break  # no step was accepted: rounding
        return eta

    def center_classes(self, W: np.ndarray) -> np.ndarray:
        """Shift each column of a multinomial ``W`` to its penalty's minimiser.

        The symmetric multinomial loss is unchanged when one vector ``c`` is
        subtracted from every row of ``W`` (the softmax is shift invariant), so the
        optimum minimises ``sum_k Omega(W_kj - c_j)`` over ``c_j`` for each feature
        (glmnet's ``elc`` step). Proximal Newton moves one class at a time and
        cannot follow that direction, which has no curvature in the loss: without
        this step it crawled along it and stalled short of the tolerance (glmnet's
        multinomial path, ``tests/linear_model/test_glm_glmnet.py``). ``W`` is updated
        in place; the shift ``c`` (shape ``(p,)``) is returned, so that the caller
        can update the linear predictor (``eta -= X @ c``).
        """
        K, p = W.shape
        if K < 2 or self.positive or self.grouped:
            # Positive: a shift may leave the feasible set. Grouped: the gradient
            # and the group prox keep the class means fixed (at zero) already.
            return np.zeros(p)
        l1, l2 = self.l1_reg, self.l2_reg
        V = np.sort(W, axis=0)
        if l2 == 0.0:
            # The L1 norm of a column minus c is least on its median interval;
            # the point of it nearest zero keeps the column where it is if it can.
            c = np.clip(0.0, V[(K - 1) // 2], V[K // 2])
        else:
            # Strictly convex and piecewise quadratic in c: the minimum is at a
            # breakpoint (an entry of the column) or at the stationary point of
            # one of the pieces, clipped to it. The exact minimiser is applied
            # (no "only if it helps" test: a shift of 1e-8 gains 1e-19, below any
            # test, and left dense and sparse fits apart by that much).
            total = V.sum(axis=0)
            lower = np.vstack([np.full(p, -np.inf), V])
            upper = np.vstack([V, np.full(p, np.inf)])
            m = np.arange(K + 1)[:, None]  # entries below c on each piece
            C = np.vstack(
                [V, np.clip((total - l1 * (2 * m - K) / l2) / K, lower, upper)]
            )
            D = W[None, :, :] - C[:, None, :]  # (n_candidates, K, p)
            cost = l1 * np.abs(D).sum(axis=1) + 0.5 * l2 * (D * D).sum(axis=1)
            c = C[np.argmin(cost, axis=0), np.arange(p)]
        if self.weights.shape[0]:
            # A positive factor scales Omega_j, not its minimiser over shifts; an
            # unpenalised column has no preferred shift: centred, as glmnet returns
            # it (and as the intercepts).
            c = np.where(self.weights > 0, c, W.mean(axis=0))
        W -= c
        return c

    def center_unpenalised(self, W: np.ndarray) -> None:
        """Centre the unpenalised columns of a multinomial ``W`` over the classes.

        Neither the loss nor the penalty sees a shift of such a column (the
        softmax is shift invariant, the column's factor is 0): the centred one is
        glmnet's choice, and makes the returned model unique (dense and CSC
        fits, the two solvers and warm starts agree). ``W`` updated in place.
        """
        unpen = self.unpenalised
        if W.shape[0] > 1 and unpen.shape[0] and not self.positive:
            W[:, unpen] -= W[:, unpen].mean(axis=0)

    def threshold(self, tol: float | None, rel_tol: float, primal: float) -> float:
        """Absolute gap to reach: relative ``tol`` (or ``rel_tol``) of the objective.

        Floored at a few units of the dtype's precision: below, the gap computed
        from float32 data is rounding.
        """
        rel = rel_tol if tol is None else tol
        floor = 16 * float(np.finfo(self.dtype).eps)
        if self.dtype == np.float64:
            floor = 64 * float(np.finfo(np.float64).eps)
        if self._null_value is None:
            b0 = self.null_intercept()
            eta0 = np.zeros((self.X.shape[0], self.Y.shape[1])) + b0
            self._null_value = self.datafit.value(self.Y, eta0, self.s)
        # The objective of the null model is the scale of the problem: an objective
        # near zero (separable data, small alpha) is certified to rounding of it.
        return max(rel * abs(primal), floor * self._null_value)


def _kkt_scores(problem, W, G, ws=None):
    """Largest KKT violation of each feature over the outputs, shape ``(p,)``.

    ``G`` is the datafit gradient in ``W``; the violation is the distance of ``-G``
    to the subdifferential of the penalty at ``W`` (0 at an optimum). ``W`` and
    ``G`` may be the columns ``ws`` only (their penalty factors are then taken).
    An unpenalised feature's violation is ``|G_j|`` (``max(-G_j, 0)`` at zero
    with ``positive``).
    """
    l1, l2 = problem.l1_reg, problem.l2_reg
    if problem.weights.shape[0]:
        f = problem.weights if ws is None else problem.weights[ws]
        l1, l2 = l1 * f, l2 * f
    Gt = G + l2 * W
    if problem.positive:
        viol = np.where(W > 0, np.abs(Gt + l1), np.maximum(-(Gt + l1), 0.0))
    else:
        viol = np.where(
            W != 0, np.abs(Gt + l1 * np.sign(W)), np.maximum(np.abs(Gt) - l1, 0.0)
        )
    return viol.max(axis=0)


def strong_set(problem, W, G, prev_alpha):
    """Support and survivors of the sequential strong rule, boolean of shape ``(p,)``.

    ``W`` is the solution at ``prev_alpha`` and ``G`` its datafit gradient; the
    rule (Tibshirani et al. 2012, "Strong rules for discarding predictors in
    lasso-type problems") keeps a zero feature when ``|G_j| >= l1_ratio (2 alpha -
    prev_alpha)`` times its penalty factor (largest over the outputs; ``-G_j``
    with ``positive``). It
    assumes each ``|G_j|`` moves at most as fast as ``alpha`` along the path, which
    can fail: the caller checks the KKT conditions of every feature afterwards.
    """
    bound = problem.l1_ratio * (2.0 * problem.alpha - float(prev_alpha))
    if problem.weights.shape[0]:
        # Feature j's threshold scales with its factor: unpenalised ones always pass.
        bound = bound * problem.weights
    mag = -G if problem.positive else np.abs(G)
    return (W != 0).any(axis=0) | (mag.max(axis=0) >= bound)


def _penalty_change(problem, w, d, f=None):
    """``Omega(w + d) - Omega(w)`` summed entry by entry (``inf`` off ``positive``).

    ``f``: the penalty factors of the entries (``None``: all ones).
    """
    new = w + d
    if problem.positive and np.any(new < 0):
        return np.inf
    l1_j = np.abs(new) - np.abs(w)
    l2_j = d * (w + 0.5 * d)
    if f is not None:
        return problem.l1_reg * float(f @ l1_j) + problem.l2_reg * float(f @ l2_j)
    return problem.l1_reg * float(l1_j.sum()) + problem.l2_reg * float(l2_j.sum())


def _model_change(problem, w, d, U, h, delta, f=None):
    """Return the Newton model's change ``U . delta + h . delta^2 / 2 + dOmega``.

    ``f``: the penalty factors of the entries (``None``: all ones).
    """
    quad = float(U @ delta) + 0.5 * float(h @ (delta * delta))
    return quad + _penalty_change(problem, w, d, f)


def _direction(
    problem, kx, ws, w, d, U, h, L, hx, Xd, c, h_sum, tol, certify=None, f=None
):
    """Coordinate descent on the Newton model, Anderson-accelerated.

    Runs :func:`skreg._kernels.glm.newton_direction` (arguments as there; ``d`` and
    ``Xd`` updated in place). Every ``_CD_ANDERSON_K`` epochs the last iterates ``(d,
    c)`` are combined by Anderson extrapolation (as :mod:`skreg.solvers.cd` does for
    the linear models; celer's and skglm's ``AndersonCD``), the linear predictor's
    step ``Xd`` combined with the same weights (it is linear in ``d``), and the
    combination is kept when it lowers the model. On correlated designs cyclic
    coordinate descent converges slowly along the directions the columns share; the
    extrapolation jumps along them, so a direction's epochs leave a smaller model
    KKT residual, which both the Newton step and the dual point of the gap
    (:meth:`GLMProblem.gap_and_gradient`) need.

    ``certify``: a function of the model's step of the linear predictor ``Xd + c``
    that says whether its dual point certifies the gap; it is asked after each
    extrapolation, and the descent stops once it does (the direction is then
    precise enough for the tolerance, however large the model's residual against
    ``tol``). ``f``: the penalty factors of the working set (``None``: all ones).
    Returns ``(epochs, c, certified)``.
    """
    sparse, xargs = kx
    kernel = _glm.newton_direction_sparse if sparse else _glm.newton_direction
    n, m = Xd.shape[0], d.shape[0]
    # The history costs n a stored epoch: on CSC data only when an epoch costs as
    # much (the non-zeros of the working set at least n). ``_CD_ANDERSON_K = 0``
    # turns the extrapolation off.
    anderson = _CD_ANDERSON_K > 0 and (
        not sparse or int((xargs[2][ws + 1] - xargs[2][ws]).sum()) >= n
    )
    rows = _CD_ANDERSON_K + 1 if anderson else 0
    hist_d, hist_c, hist_x = np.empty((rows, m)), np.empty(rows), np.empty((rows, n))
    l1, l2, positive = problem.l1_reg, problem.l2_reg, problem.positive
    total, certified = 0, False
    while total < _CD_MAX_EPOCHS:
        chunk = _CD_MAX_EPOCHS - total
        if anderson:
            chunk = min(chunk, _CD_ANDERSON_K)
            hist_d[0], hist_c[0], hist_x[0] = d, c, Xd
        epochs, c, worst = kernel(
            *xargs, ws, w, d, U, h, L, hx, Xd, c, l1, l2, positive,
            penalties.NO_ARRAY if f is None else f, h_sum, chunk, float(tol), hist_d,
            hist_c, hist_x,
        )  # fmt: skip
        total += epochs
        if worst <= tol or not anderson or epochs < _CD_ANDERSON_K:
            break
        weights = _anderson(np.column_stack([hist_d, hist_c]))
        if weights is None:
            continue
        d_ex, c_ex = weights @ hist_d[1:], float(weights @ hist_c[1:])
        Xd_ex = weights @ hist_x[1:]
        if _model_change(problem, w, d_ex, U, h, Xd_ex + c_ex, f) < _model_change(
            problem, w, d, U, h, Xd + c, f
        ):
            d[:], Xd[:], c = d_ex, Xd_ex, c_ex
        if certify is not None and certify(Xd + c):
            certified = True
            break
    return total, c, certified


def _newton_ws(problem, W, b, eta, k, ws, kx, cd_tol, thr=None):
    """One proximal Newton step of output ``k`` on the working set ``ws``.

    The direction minimises the second-order model by the coordinate descent of
    :mod:`skreg._kernels.glm` (sample weights and curvature enter its products
    directly; :func:`_direction`); a backtracking line search on the true objective
    (Armijo on the model's decrease) takes the step. ``W``, ``b`` updated in place;
    returns ``(eta, epochs, Q_model, certified)``.

    ``Q_model`` (shape ``(n,)``) is the dual mean of the model's gradient at the
    direction, ``mu + f''(eta) delta``: the gradient ``U + h delta`` of the model,
    whose optimum meets the KKT conditions of the working set exactly. It is a dual
    point candidate whose gap is second order in the step (the linear predictor's
    change ``delta``), where the gradient at the new point leaves the model's
    residual plus a first-order term (:meth:`GLMProblem.gap_and_gradient`).

    ``thr`` (one output): the absolute gap to reach. The coordinate descent then
    stops as soon as ``Q_model``'s dual point certifies it at the current point
    (the step only lowers the objective, so it still holds after), when a full
    product with ``X`` costs little against the epochs between two checks;
    ``certified`` is then ``(dual value, feasible dual mean)``, else ``None``.
    """
    datafit, s, Y = problem.datafit, problem.s, problem.Y
    mu = datafit.mean(eta)[:, k]
    curv = datafit.curvature(mu)
    U = s * (mu - Y[:, k])
    h = s * curv
    sparse, xargs = kx
    n = eta.shape[0]
    m = ws.shape[0]
    L, hx = np.empty(m), np.zeros(m)
    w = np.ascontiguousarray(W[k, ws])
    d = np.zeros(m)
    Xd = np.zeros(n)
    fit_b = problem.fit_intercept
    h_sum = float(h.sum()) if fit_b else 0.0
    # The intercept is eliminated from the model (weighted-centred columns): its
    # step starts at the model's optimum for d = 0 and follows each coordinate.
    c = -float(U.sum()) / h_sum if h_sum > 0.0 else 0.0
    stats = _glm.weighted_col_stats_sparse if sparse else _glm.weighted_col_stats
    stats(*xargs, ws, h, float(h.sum()), fit_b, L, hx)
    if not fit_b:
        hx[:] = 0.0
    # Penalty factors of the working set (None: all ones, the default kernels' path).
    f = problem.weights[ws] if problem.weights.shape[0] else None
    certify, found = None, []
    if thr is not None and problem.Y.shape[1] == 1:
        nnz_ws, nnz = problem.nnz_cols(ws), problem.nnz_cols(None)
        if nnz <= _CERTIFY_COST * _CD_ANDERSON_K * nnz_ws:
            primal = problem.primal(eta, W)

            def certify(delta):
                Qm = datafit.clip_dual((mu + curv * delta)[:, None])
                dual, Qm = problem._dual_value(Qm, None, W)
                if primal - dual > thr:
                    return False
                found.append((dual, Qm))
                return True

    epochs, db, certified = _direction(
        problem, kx, ws, w, d, U, h, L, hx, Xd, c, h_sum, cd_tol, certify, f
    )
    certified = found[-1] if certified else None
    Xd += db
    Q_model = mu + curv * Xd
    if not d.any() and db == 0.0:
        return eta, epochs, Q_model, certified
    # Objective changes are computed as differences (the datafit's ``change``,
    # the penalty entry by entry), not as differences of two objectives: near
    # the optimum the decrease falls below the objective's rounding, and a test
    # on rounded values would refuse every step (the gap then stalls near 1e-8).
    decrease = float(U @ Xd) + _penalty_change(problem, w, d, f)
    e_k = np.ascontiguousarray(eta[:, k])
    t = 1.0
    for _ in range(_MAX_HALVINGS):
        change = datafit.change(Y[:, k], e_k, mu, t * Xd, s) + _penalty_change(
            problem, w, t * d, f
        )
        if change <= _ARMIJO * t * min(decrease, 0.0):
            W[k, ws] = w + t * d
            b[k] += t * db
            eta = eta.copy()
            eta[:, k] += t * Xd
            return eta, epochs, Q_model, certified
        t *= 0.5
    return eta, epochs, Q_model, certified


def _extrapolate(problem, W, b, eta, history):
    """Anderson extrapolation of the multinomial sweeps; returns ``eta``.

    Cycling over the classes is block Gauss-Seidel on coupled blocks: near separable
    data its iterates zig-zag along a valley. Anderson's combination of the last
    sweeps (as :mod:`skreg.solvers.cd` applies to epochs) jumps along it, and is
    kept only when it lowers the objective.
    """
    history.append(np.concatenate([W.ravel(), b]))
    if len(history) <= _ANDERSON_K:
        return eta
    del history[: len(history) - _ANDERSON_K - 1]
    c = _anderson(np.array(history))
    if c is None:
        return eta
    z = c @ np.array(history[1:])
    K, p = W.shape
    W_ex, b_ex = z[: K * p].reshape(K, p), z[K * p :]
    if problem.positive:
        W_ex = np.maximum(W_ex, 0.0)
    eta_ex = problem.linear_predictor(W_ex, b_ex)
    if problem.primal(eta_ex, W_ex) < problem.primal(eta, W):
        W[...], b[...] = W_ex, b_ex
        history[-1] = z
        return eta_ex
    return eta


def _center_classes(problem, W, eta):
    """Shift each column of ``W`` to the penalty's minimiser over class shifts.

    Multinomial (glmnet's elc), which the class-by-class steps do not reach; ``W``
    in place, returns the linear predictor.
    """
    shift = problem.center_classes(W)
    if not shift.any():
        return eta
    return eta - np.asarray(problem.X @ shift, dtype=np.float64).reshape(-1, 1)


def _finish_on_support(problem, W, b, eta, kx, kkt, gap, primal):
    """One more Newton iteration on the support of a certified point.

    Its direction solved to a small fraction of the last KKT violation ``kkt``, it
    takes the point from the tolerance towards the optimum (quadratic convergence;
    as the linear solver's finishing step). The line search only lowers the
    objective, so the dual point of the gap still certifies it, with the gap
    lowered by the decrease. ``W``, ``b`` updated in place; returns ``(eta, gap,
    primal)``.
    """
    support = np.flatnonzero((W != 0).any(axis=0)).astype(np.int64)
    if support.shape[0]:
        for k in range(W.shape[0]):
            eta, *_ = _newton_ws(
                problem, W, b, eta, k, support, kx, _POLISH_CD_FRACTION * kkt
            )
        new = problem.primal(eta, W)
        gap, primal = gap - max(primal - new, 0.0), min(new, primal)
    return eta, gap, primal


def _working_set(problem, W, G, scores, prev_alpha) -> np.ndarray:
    """Features of the next inner iterations, sorted ``int64``.

    The support and the features of largest KKT violation (``scores``, overwritten
    on the support), at least twice as many as the support; with ``prev_alpha`` (a
    path point's first iteration) the sequential strong rule's survivors too
    (:func:`strong_set`).
    """
    p = W.shape[1]
    support = (W != 0).any(axis=0)
    ws_size = min(p, max(_WS_START, 2 * int(support.sum())))
    if ws_size >= p:
        return np.arange(p, dtype=np.int64)
    scores[support] = np.inf
    ws = np.argpartition(-scores, ws_size - 1)[:ws_size]
    if prev_alpha is not None:
        strong = strong_set(problem, W, G, prev_alpha)
        strong[ws] = True
        ws = np.flatnonzero(strong)
    return np.sort(ws).astype(np.int64)


def solve_prox_newton(
    problem: GLMProblem,
    W: np.ndarray,
    b: np.ndarray,
    *,
    max_iter: int = 100,
    tol: float | None = None,
    rel_tol: float = DEFAULT_REL_TOL,
    verbose: int = 0,
    prev_alpha: float | None = None,
    finish: bool = True,
) -> GLMResult:
    """Minimise the GLM objective by working-set proximal Newton.

    Outer iterations compute the full gradient and the duality gap, and pick a
    working set: the support and the features of largest KKT violation, at least
    twice as many as the support (skglm's ``ProxNewton``, celer). Inner proximal
    Newton iterations (:func:`_newton_ws`, every output once, Anderson-extrapolated
    across sweeps for the multinomial) run on the working set until its KKT
    violation is a fraction of the outer one.

    Parameters
    ----------
    problem : GLMProblem
        Data, datafit and penalty (not ``grouped``).
    W : ndarray of shape (K, p), float64
        Starting coefficients (warm start); updated in place.
    b : ndarray of shape (K,), float64
        Starting intercepts; updated in place.
    max_iter : int, default=100
        Proximal Newton iterations at most (each visits every output once).
    tol : float or None, default=None
        Relative duality gap to reach; ``None`` uses ``rel_tol``.
    rel_tol : float, default=1e-6
    verbose : int, default=0
    prev_alpha : float or None, default=None
        The ``alpha`` whose solution ``W`` is (a path's previous point): the first
        working set is then the support and the sequential strong rule's survivors
        (:func:`strong_set`) instead of twice the support. A feature the rule
        wrongly discards violates the KKT conditions at the next outer iteration,
        which adds it: the gap still certifies the result.
    finish : bool, default=True
        Take the Newton step on the support after certification (see the module
        notes). A path skips it: the next point's first Newton step starts from
        the certified point anyway, and the step cost 40% of a path.

    Returns
    -------
    GLMResult
    """
    if problem.grouped:
        raise ValueError("Grouped penalties are solved by solve_glm_fista.")
    kx = problem.kernel_x()
    eta = problem.linear_predictor(W, b)
    n_iter, stalls, prev_gap = 0, 0, np.inf
    history: list = []
    # The dual mean of the last Newton models (one column per output): the second
    # dual point candidate of the gap (GLMProblem.gap_and_gradient).
    Q_model = None
    certified = None
    while True:
        eta = problem.polish_intercept(W, b, eta)
        if certified is not None:
            # A Newton model's dual point certified the point before the step,
            # hence the point after it: no gradient or second dual point needed.
            primal = problem.primal(eta, W)
            gap, Q = primal - certified[0], certified[1]
            thr = problem.threshold(tol, rel_tol, primal)
            if verbose:
                print(f"[skreg newton] iteration {n_iter}: gap {gap:.3e} (model)")
            if gap <= thr:
                break
        thr = problem.threshold(tol, rel_tol, problem.primal(eta, W))
        gap, primal, G, Q = problem.gap_and_gradient(
            W, eta, Q_model, return_dual=True, thr=thr
        )
        scores = _kkt_scores(problem, W, G)
        kkt = float(scores.max(initial=0.0))
        if verbose:
            print(f"[skreg newton] iteration {n_iter}: gap {gap:.3e} (tol {thr:.3e})")
        if gap <= thr or n_iter >= max_iter:
            break
        stalls = stalls + 1 if gap >= _STALL_RATIO * prev_gap else 0
        if stalls > _MAX_STALLS:
            # Rounding: neither the objective nor the gap moves any more.
            break
        prev_gap = gap
        ws = _working_set(problem, W, G, scores, prev_alpha if n_iter == 0 else None)
        # The inner loop stops at a fraction of the outer violation (geometric
        # decrease), and after a stall at a much smaller one.
        inner_tol = _INNER_KKT_FRACTION * kkt * (_STALL_SHRINK**stalls)
        cd_tol = _CD_KKT_FRACTION * inner_tol
        # One output: a multinomial model's classes are solved in turn, at
        # different points, and their joint dual mean left the simplex's constraint.
        Q_model = np.empty_like(eta) if W.shape[0] == 1 else None
        inner_cost = 0.0
        while n_iter < max_iter:
            for k in range(W.shape[0]):
                eta, epochs, Q_k, certified = _newton_ws(
                    problem, W, b, eta, k, ws, kx, cd_tol, thr
                )
                inner_cost += epochs * problem.nnz_cols(ws)
                if Q_model is not None:
                    Q_model[:, k] = Q_k
            eta = _center_classes(problem, W, eta)
            n_iter += 1
            if W.shape[0] > 1:
                eta = _extrapolate(problem, W, b, eta, history)
            if certified is not None:
                # The model's dual point certifies (checked at the top).
                break
            U = problem.s[:, None] * (problem.datafit.mean(eta) - problem.Y)
            G_ws = problem.xt_dot_ws(U, ws)
            if float(_kkt_scores(problem, W[:, ws], G_ws, ws).max()) <= inner_tol:
                break
        if problem.nnz_cols(None) > _CERTIFY_COST * inner_cost:
            # The model's dual point costs a product with the whole of X: not
            # when the working set is a small part of it (p > n, large sparse
            # designs), whose gradient's gap is then as tight anyway.
            Q_model = None
    if finish and gap <= thr and gap > 0.0:
        eta, gap, primal = _finish_on_support(problem, W, b, eta, kx, kkt, gap, primal)
    problem.center_unpenalised(W)
    return GLMResult(
        W, b, n_iter, max(gap, 0.0), primal, thr, bool(gap <= thr), dual_mean=Q
    )


def _prox(problem, V, step):
    """Proximal operator of ``step * Omega`` at ``V`` (shape ``(K, p)``)."""
    l1, l2 = problem.l1_reg * step, problem.l2_reg * step
    weighted = problem.weights.shape[0] > 0
    if problem.grouped:
        if weighted:
            # Per feature: thresholds f_j l1 and f_j l2 (the columns are the groups).
            l1, l2 = l1 * problem.weights, l2 * problem.weights
        norms = np.sqrt((V * V).sum(axis=0))
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(norms > l1, 1.0 - l1 / norms, 0.0)
        if weighted:
            # Unpenalised columns (f_j = 0, so l1_j = 0) pass through, even at zero.
            scale = np.where(l1 > 0, scale, 1.0)
        return V * scale / (1.0 + l2)
    if l1 + l2 == 0.0:
        return np.maximum(V, 0.0) if problem.positive else V.copy()
    # The elastic-net prox of skreg.penalties (one home for it), at unit step; with
    # penalty factors, on V.T: the penalty tiles its per-feature arrays by rows.
    arrays = (problem.weights, penalties.NO_ARRAY, penalties.NO_ARRAY)
    penalty = penalties.ElasticNet.with_arrays(
        l1 + l2, l1 / (l1 + l2), problem.positive, arrays
    )
    if weighted:
        return np.ascontiguousarray(penalty.prox(np.ascontiguousarray(V.T), 1.0).T)
    return penalty.prox(V, 1.0)


def solve_glm_fista(
    problem: GLMProblem,
    W: np.ndarray,
    b: np.ndarray,
    *,
    max_iter: int = 100,
    tol: float | None = None,
    rel_tol: float = DEFAULT_REL_TOL,
    verbose: int = 0,
    prev_alpha: float | None = None,
    finish: bool = True,
) -> GLMResult:
    """Accelerated proximal gradient (FISTA, backtracking, adaptive restart).

    Same arguments as :func:`solve_prox_newton` (``prev_alpha`` and ``finish`` are
    accepted for a path's sake and unused); ``max_iter`` counts hundreds of
    iterations (one iteration costs two products with ``X``).
    """
    f, s, Y = problem.datafit, problem.s, problem.Y
    n_max = _FISTA_ITER_FACTOR * max_iter
    L = 1.0
    Wz, bz = W.copy(), b.copy()  # extrapolated point
    t_mom = 1.0
    eta = problem.linear_predictor(W, b)
    p_prev = problem.primal(eta, W)
    n_iter = 0
    gap, primal, thr, Q = np.inf, p_prev, 0.0, None
    while True:
        if n_iter % _FISTA_CHECK_EVERY == 0 or n_iter >= n_max:
            eta = problem.polish_intercept(W, b, eta)
            gap, primal, _, Q = problem.gap_and_gradient(W, eta, return_dual=True)
            thr = problem.threshold(tol, rel_tol, primal)
            if verbose:
                print(f"[skreg fista] iteration {n_iter}: gap {gap:.3e}")
            if gap <= thr or n_iter >= n_max:
                break
            Wz, bz, t_mom = W.copy(), b.copy(), 1.0
            p_prev = primal
        eta_z = problem.linear_predictor(Wz, bz)
        fz = f.value(Y, eta_z, s)
        U = s[:, None] * (f.mean(eta_z) - Y)
        G = problem.xt_dot(U)
        gb = U.sum(axis=0) if problem.fit_intercept else np.zeros_like(b)
        while True:
            W_new = _prox(problem, Wz - G / L, 1.0 / L)
            b_new = bz - gb / L
            dW, db = W_new - Wz, b_new - bz
            eta_new = problem.linear_predictor(W_new, b_new)
            quad = float((G * dW).sum() + gb @ db) + 0.5 * L * float(
                (dW * dW).sum() + db @ db
            )
            if f.value(Y, eta_new, s) <= fz + quad + 1e-12 * abs(fz) or L > 1e16:
                break
            L *= 2.0
        p_new = problem.primal(eta_new, W_new)
        if p_new > p_prev:
            # Adaptive restart (O'Donoghue & Candes 2015): drop the momentum.
            if t_mom == 1.0:
                # No momentum was in play: the plain step from W itself went up,
                # which the rounding slack of the sufficient-decrease test lets
                # through near the optimum. Without a smaller step the same step
                # was rejected forever (grouped multinomial, glmnet's path).
                L *= 2.0
            Wz, bz, t_mom = W.copy(), b.copy(), 1.0
            n_iter += 1
            continue
        t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t_mom * t_mom))
        beta = (t_mom - 1.0) / t_next
        Wz = W_new + beta * (W_new - W)
        bz = b_new + beta * (b_new - b)
        W[...], b[...] = W_new, b_new
        eta, p_prev, t_mom = eta_new, p_new, t_next
        L *= 0.9
        n_iter += 1
    problem.center_unpenalised(W)
    return GLMResult(
        W, b, n_iter, max(gap, 0.0), primal, thr, bool(gap <= thr), dual_mean=Q
    )
