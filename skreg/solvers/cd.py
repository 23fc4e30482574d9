"""Working-set proximal coordinate descent with Anderson extrapolation.

The outer loop (Python) follows Massias, Gramfort & Salmon (2018) and Bertrand et al.
(2022, skglm): at each outer iteration it computes the full gradient and the duality gap
at the current point, stops when the gap is below the tolerance (scikit-learn's scaled
one, or a certified relative suboptimality), and otherwise ranks features by their KKT
violation (the distance of the negative gradient to the penalty's subdifferential).
The working set is the current support plus the most
violating features, of size ``max(ws_start, 2 * |support|)`` (eight times the support
when the last working set filled up and the gap stalled). The inner loop runs
cyclic proximal coordinate-descent epochs (compiled kernels) on the working set until
the duality gap of the restricted problem falls below a fraction of the outer gap.

Every ``anderson_k`` inner epochs the last iterates are extrapolated (Anderson
acceleration of coordinate descent, Bertrand & Massias 2021): with the differences
``U`` of the last ``K + 1`` iterates, the weights ``c = z / sum(z)`` where
``(U^T U) z = 1`` combine the iterates into a candidate that is kept only if it lowers
the objective (and stays feasible), so extrapolation can never make things worse.

The duality gap is first order in the distance to the optimum while suboptimality is
second order, so a gap computed at the current residual over-states the error by
orders of magnitude near convergence. Two remedies tighten it (Massias et al. 2018,
2020): *dual extrapolation*, the same Anderson combination applied to the residuals of
the last ``K + 1`` epochs, whose limit is the optimal dual point; and keeping the best
dual value seen, since every dual value of the same problem is a lower bound of the
optimum. The gap is the objective minus the best of these lower bounds.

**Interface** (what :func:`solve_cd` relies on; checked once per call by
:func:`check_interface`, as skglm's solvers check ``_datafit_required_attr``). The
solver never looks inside the datafit or the penalty beyond these names, so a new
datafit or penalty plugs in by providing them (``tests/test_solvers.py`` fits a
weighted quadratic written in NumPy that way).

*Datafit* (``data``; :class:`skreg.datafits.QuadraticData` is the reference) — the
least-squares datafit ``F(w) = ||y - X w||^2 / (2 n)`` in some representation of the
residual ``(R, offset)``:

- ``n_samples``, ``n_features``, ``inv_n`` (``1 / n``), ``y`` (the target as the
  dual sees it), ``lipschitz`` (per-feature coordinate Lipschitz constants), ``sparse``
  (``True`` skips the covariance-form paths below);
- residuals: ``init_residual(w) -> (R, offset)``, ``true_residual(R, offset)``,
  ``update_residual(R, offset, ws, delta) -> offset``;
- ``epoch(w, R, offset, ws, *params) -> (max_change, offset)``: one coordinate pass
  over ``ws`` with the penalty's kernel tuple ``params`` (below), ``w`` and ``R``
  updated in place;
- ``gradient(R, offset, ws)`` (on ``ws``), ``grad_at_zero()``;
- ``primal(w, R, offset, l1_reg, l2_reg, weights)``, ``gap_threshold(tol, primal,
  rel_tol)``;
- dual points: ``dual_stats(theta, xt_theta, params, features)`` and
  ``project_stats(xt_theta, theta_norm2, theta_dot_y, params, features)``, returning
  ``(xt_theta, ||theta||^2 / n, theta @ y / n)`` of a feasible dual point built from the
  residual-like ``theta`` (the gap and the screening rules are computed from these),
  and ``dual_value(w, theta, xt_theta, *params, features=)`` (restricted problems);
- with ``finish=True``: ``hessian(ws)``; dense data (``sparse=False``) also
  ``centred_columns``, ``gram``, ``gram_step``, ``solve_gram`` and ``exact_gap``
  (the covariance form and the small-problem solve). Data may declare
  ``gram_cheap = True`` (optional; sparse data then offer ``gram``, ``gram_step``,
  ``solve_gram`` and ``exact_gap`` too): they take the small-problem solve whatever
  their number of features (:class:`skreg.datafits.QuadraticData` does where its
  centred Gram matrix is accurate and cheaper to form than a working-set solve).
  ``gram_after`` (optional, dense data): after epochs of that many column passes
  in all, the solve continues in covariance form (:meth:`QuadraticData.gram`).

*Penalty* (:class:`skreg.penalties.ElasticNet`): ``solver_params()``, the kernel tuple
``(l1_reg, l2_reg, positive, weights, lower, upper)`` (floats, a bool and three
float64 arrays, empty when absent) that every kernel takes in this order; and
``positive``, ``bounded``, ``lower``, ``upper``, ``unpenalised``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import scipy.linalg

from skreg._kernels.prox import enet_subdiff_distance, enet_subdiff_distance_general
from skreg._kernels.quadratic import (
    cd_epoch_gram,
    cd_epoch_gram_general,
    enet_screen,
    enet_screen_general,
)
from skreg.datafits import DEFAULT_REL_TOL, enet_dual, enet_primal
from skreg.solvers._base import SolverResult, WarmStart

# The constants below carry one line of reason each; the measurements behind them are in
# docs/benchmarks.md ("Why the constants").
#
# Dense problems with at most _SMALL features (and any whose data find the Gram matrix
# cheap and accurate, QuadraticData.gram_cheap): compiled covariance-form epochs over
# every feature (_solve_small), where working sets cost more Python than they save.
_SMALL = 32
# ... in phases of _PHASE epochs (Ctrl-C and finishing steps between phases; most fits
# need one), their covariance-form gap certified from the residual when its rounding
# bound exceeds _ROUNDING_SHARE of the threshold.
_PHASE = 100
_ROUNDING_SHARE = 0.1
# Fraction of the outer gap the restricted problem must reach before the working set is
# re-ranked: small enough for geometric progress, large enough not to over-solve a
# working set that is still missing features.
_INNER_GAP_FRACTION = 0.3
# Restricted gaps are checked every this many inner epochs (one check costs about one
# epoch on the working set).
_GAP_CHECK_EVERY = 10
# ... and once early, after _EARLY_CHECK epochs, unless the solve continues a path: fits
# from zero often finish a working set in a few epochs, path points rarely do.
_EARLY_CHECK = 4
# The loops without restricted gaps, when their working set holds every feature in
# play, return once the objective left to gain (estimated from the last two decreases,
# linear convergence) is below _TARGET_FRACTION of the final gap tolerance; past a
# support of _TARGET_SUPPORT of the working set they return at the early check instead
# (solving further pays only while support sweeps are cheap). When these loops run,
# and for how long at most: :class:`CDTuning`.
_TARGET_FRACTION = 0.1
_TARGET_SUPPORT = 0.5
# Inner epochs may run in covariance form when n_samples is at least this multiple of
# the working-set size (dense X) and the working set is expected to need many epochs
# (see ``solve_cd``): unconditional covariance form loses on wide data.
_GRAM_RATIO = 16
# The finishing step on a support S spends |S|^2 / _FINISH_COST column passes of
# credit for its Gram block: a BLAS product is about 8 times cheaper per column than
# a CD epoch, and the factor 4 left keeps the step to a fraction of the epochs' time.
_FINISH_COST = 2
# Mid-solve steps only once an inner loop has run this many epochs (coordinate
# descent crawling there): on well-conditioned problems they cost more than they save.
_FINISH_AFTER = 40
# Damping of its Newton steps (on the Hessian block scaled to a unit diagonal), the
# refinement steps after a full one, and the relative rounding of the objective below
# which a finished point counts as no worse.
_FINISH_DAMPING = 1e-12
# Systems of at most this many unknowns are solved directly (_Factor).
_FACTOR_DIRECT = 64
# Solves a step on a Hessian block the caller already has may always afford, and
# the size (n_samples |S|^2) of a polishing step that is always affordable (about a
# millisecond, the order of a solve's Python time).
_FINISH_FREE_SOLVES = 4
_FINISH_FREE_FLOPS = 2_000_000
_FINISH_ROUNDING = 4 * np.finfo(np.float64).eps
# The Python cost of an epoch, in multiply-adds (about 10 microseconds): credited to
# the finishing step with the epoch's column passes.
_EPOCH_OVERHEAD = 10_000
# An outer iteration that does not shrink the gap below this fraction of the previous
# one counts as stalled.
_STALL_RATIO = 0.5
# A stalled outer iteration whose working set ended at least _WS_FULL full of nonzeros
# was missing features: the next one grows to _WS_GROW times the support (at most
# n_samples, the lasso's support bound) instead of twice, saving full gradients that
# barely move the gap; without the stall test it over-grows working sets.
_WS_GROW = 8
_WS_FULL = 0.8
# The residual is rebuilt on a stall only when at least this many epochs have updated
# it since the start or the last rebuild (rounding drift grows with the epochs; a stall
# after a few epochs comes from a too small working set).
_REBUILD_EPOCHS = 20


@dataclass(frozen=True)
class CDTuning:
    """The tuning of :func:`solve_cd`'s working-set loop that tests vary.

    The rule for tall data with a large working set: there, restricted gap checks
    cost most of the full gap the outer loop computes next, so the inner loop skips
    them (:func:`_epochs_then_return`). Defaults are :data:`DEFAULT_TUNING`; the
    measurements behind them are in docs/benchmarks.md ("Why the constants"). Every
    other constant of the solver stays a module constant with its reason.
    :func:`solve_cd` reads the record once per solve.
    """

    # Tall data: n_samples >= tall times the features in play ...
    tall: int = 4
    # ... and at least this many rows (keeps fits with integer weights and with
    # repeated rows on the same iterates: scikit-learn's sample-weight checks).
    tall_min_samples: int = 1000
    # The working set holds at least this fraction of the features in play.
    large_ws: float = 0.5
    # A working set of every feature in play takes a target (_TARGET_FRACTION) once
    # n_samples times those features reach this size (below, the objective computed
    # every epoch for the estimate costs more than it saves).
    target_min_size: int = 10**6
    # Epochs after which a loop with a target returns, whatever its estimate.
    target_max: int = 20


DEFAULT_TUNING = CDTuning()


class _DualMemory(NamedTuple):
    """What :class:`_DualState` carries between outer iterations (its ``save``).

    ``finisher`` is ``(credit, last, tried)`` of its :class:`_Finisher` (or ``None``).
    """

    best_dual: float
    candidate: tuple | None
    ws_size: int
    rng: np.random.Generator | None
    finisher: tuple | None


class _Paused(NamedTuple):
    """An inner loop stopped by its epoch budget (``max_iter``), to be continued.

    ``k`` epochs ran in the loop; ``w_ws`` and ``residual`` are the iterate on the
    working set and the residual ``(R, offset)`` where it stopped, and ``dual`` the
    :class:`_DualState` then (both before a covariance-form loop's closing finishing
    step, which a longer solve would not run there); ``loop`` holds the loop's own
    variables (see :func:`_inner_loop` and :func:`_inner_loop_gram`).
    """

    k: int
    w_ws: np.ndarray
    residual: tuple
    dual: _DualMemory
    loop: tuple


class CDState(NamedTuple):
    """Where a working-set solve stopped at ``max_iter``, short of its tolerance.

    :func:`solve_cd` returns it with ``keep_state=True`` (``SolverResult.state``) and
    continues it when handed back as ``resume``: the epochs then run are those a
    single solve with the two ``max_iter`` added would have run (same working sets,
    Anderson cycles, dual bounds, finishing credit), so that a warm-started estimator
    fitted twice for ``k`` epochs ends where one fit of ``2 k`` epochs does. The
    solver's state beyond ``w`` is all here; the data are not (the caller checks that
    the problem is the same one).

    Attributes
    ----------
    n_epochs : int
        Epochs run so far, over every solve of the chain.
    w : ndarray of shape (n_features,)
        The solver's iterate (the returned ``coef`` may differ by a finishing step
        that a longer solve would not have taken there).
    residual : tuple (R, offset)
        Its residual (the incrementally updated one, not rebuilt).
    active : ndarray of int64
        Features still in play (not screened out).
    outer : tuple
        The outer loop's ``(prev_gap, polished, finished_at, last_epochs, rebuilt)``.
    dual : _DualMemory
        Best dual bound, dual candidate, working-set size, random generator and the
        finishing step's credit and tried patterns.
    inner : tuple or None
        ``(loop, ws, tol_in, early_check, start, paused)``: the inner loop the budget
        stopped (:class:`_Paused`), continued first; ``None`` when the solve stopped
        after a full gap check.
    checked : tuple or None
        ``(grad, check, stalled)`` of that full gap check (:class:`_GapCheck`), from
        which the resumed solve screens and picks its next working set.
    """

    n_epochs: int
    w: np.ndarray
    residual: tuple
    active: np.ndarray
    outer: tuple
    dual: _DualMemory
    inner: tuple | None
    checked: tuple | None


class SmallCDState(NamedTuple):
    """Where the small-problem solve (:func:`_solve_small`) stopped at ``max_iter``.

    ``w`` is its float64 iterate and ``grad`` the gradient there, ``phase_left`` the
    epochs left in the phase the budget cut (0: the finishing step between two
    phases comes next), ``finisher`` the sign patterns its finishing step tried
    (a frozenset, ``None`` without finishing step); see :class:`CDState`.
    """

    n_epochs: int
    w: np.ndarray
    grad: np.ndarray
    exact: bool
    polished: bool
    phase_left: int
    finisher: tuple | None


def _anderson(iterates: np.ndarray) -> np.ndarray | None:
    """Anderson weights ``c`` (summing to one) for the last ``K`` of ``K + 1`` iterates.

    The extrapolated point is ``c @ iterates[1:]``. Returns ``None`` when the linear
    system is singular (no extrapolation).
    """
    U = np.diff(iterates.astype(np.float64), axis=0)
    # The weights do not depend on the scale of U: normalise it, so that C neither
    # underflows (coefficients near 1e-150) nor overflows.
    top = float(np.max(np.abs(U), initial=0.0))
    if not 0.0 < top < np.inf:
        return None
    U /= top
    C = U @ U.T
    # Tikhonov damping relative to the scale of C keeps the solve stable when the
    # iterates have (nearly) converged.
    C.flat[:: C.shape[0] + 1] += 1e-10 * max(np.trace(C), np.finfo(float).tiny)
    try:
        z = np.linalg.solve(C, np.ones(C.shape[0]))
    except np.linalg.LinAlgError:
        return None
    s = z.sum()
    if not np.isfinite(s) or s == 0:
        return None
    return z / s


#: Attributes :func:`solve_cd` requires of its datafit (module notes, "Interface").
DATAFIT_REQUIRED = (
    "n_samples", "n_features", "inv_n", "y", "lipschitz", "sparse", "init_residual",
    "true_residual", "update_residual", "epoch", "gradient", "grad_at_zero", "primal",
    "gap_threshold", "dual_stats", "project_stats", "dual_value",
)  # fmt: skip
#: ... when it finishes on the support (``finish=True``) ...
DATAFIT_REQUIRED_FINISH = ("hessian",)
#: ... and on dense data (covariance form, small-problem solve).
DATAFIT_REQUIRED_DENSE = (
    "centred_columns", "gram", "gram_step", "solve_gram", "exact_gap",
)  # fmt: skip
#: Attributes :func:`solve_cd` requires of its penalty.
PENALTY_REQUIRED = ("solver_params", "positive", "bounded", "lower", "upper",
                    "unpenalised")  # fmt: skip


_CHECKED: set = set()


def check_interface(data, penalty, finish=True) -> None:
    """Raise ``TypeError`` naming what ``data`` or ``penalty`` lack for the solver.

    Called at the start of every solve, so that a datafit or penalty missing part of
    the interface fails there with its name, not deep inside an outer iteration.
    A pair of classes that passed is remembered (the names are the classes'
    methods and attributes every instance sets in ``__init__``): the check cost
    13 us of a 110 us small fit.
    """
    key = (type(data), type(penalty), bool(finish), bool(getattr(data, "sparse", 1)))
    if key in _CHECKED:
        return
    required = DATAFIT_REQUIRED
    if finish:
        required += DATAFIT_REQUIRED_FINISH
    if not getattr(data, "sparse", True):
        required += DATAFIT_REQUIRED_DENSE
    missing = [name for name in required if not hasattr(data, name)]
    if missing:
        raise TypeError(
            f"{type(data).__name__} cannot be solved by solve_cd: it lacks "
            f"{', '.join(missing)} (see skreg.solvers.cd, 'Interface')."
        )
    missing = [name for name in PENALTY_REQUIRED if not hasattr(penalty, name)]
    if missing:
        raise TypeError(
            f"{type(penalty).__name__} cannot be used by solve_cd: it lacks "
            f"{', '.join(missing)} (see skreg.solvers.cd, 'Interface')."
        )
    _CHECKED.add(key)


def _on(params, idx):
    """Return the penalty's kernel tuple with its arrays restricted to ``idx``.

    ``params`` is :meth:`skreg.penalties.ElasticNet.solver_params`:
    ``(l1_reg, l2_reg, positive, weights, lower, upper)``, arrays empty when absent.
    """
    l1_reg, l2_reg, positive, weights, lower, upper = params
    if weights.shape[0]:
        weights = np.ascontiguousarray(weights[idx])
    if lower.shape[0]:
        lower = np.ascontiguousarray(lower[idx])
        upper = np.ascontiguousarray(upper[idx])
    return l1_reg, l2_reg, positive, weights, lower, upper


def _plain(params) -> bool:
    """Whether the kernel tuple has no penalty factors and no bounds.

    The plain elastic net runs its own kernels (those of a default fit, whose
    compilation then includes none of the general code); the ``_general`` ones
    take the arrays.
    """
    return not (params[3].shape[0] or params[4].shape[0])


def _subdiff_distance(w, grad, params):
    """KKT violations of :func:`skreg._kernels.prox.enet_subdiff_distance[_general]`."""
    out = np.empty_like(w)
    if _plain(params):
        return enet_subdiff_distance(w, grad, *params[:3], out)
    return enet_subdiff_distance_general(w, grad, *params, out)


def _project(w_acc, params, idx):
    """Project an extrapolated point on the feasible set (``positive``, bounds)."""
    _, _, positive, _, lower, upper = params
    if positive:
        w_acc = np.maximum(w_acc, 0.0)
    if lower.shape[0]:
        w_acc = np.clip(w_acc, lower[idx], upper[idx])
    return w_acc


def _restricted_dual(data, w, theta, ws, params):
    """Dual value of the problem restricted to ``ws`` at a residual-like ``theta``."""
    xt_theta = -data.gradient(theta, 0.0, ws)
    return data.dual_value(
        np.ascontiguousarray(w[ws]), theta, xt_theta, *params, features=ws
    )


def solve_cd(
    data,
    penalty,
    w: np.ndarray,
    *,
    max_iter: int = 1000,
    tol: float | None = None,
    rel_tol: float = DEFAULT_REL_TOL,
    ws_start: int = 50,
    anderson_k: int = 5,
    screening: bool = True,
    gram: bool | None = None,
    compiled_below: int = _SMALL,
    finish: bool = True,
    rng: np.random.Generator | None = None,
    warm: WarmStart | None = None,
    verbose: int = 0,
    keep_state: bool = False,
    resume: CDState | SmallCDState | None = None,
    tuning: CDTuning = DEFAULT_TUNING,
) -> SolverResult:
    """Minimise the elastic net by working-set proximal coordinate descent.

    Parameters
    ----------
    data : QuadraticData
        Prepared data (:class:`skreg.datafits.QuadraticData`).
    penalty : skreg.penalties.ElasticNet
        Penalty; its ``solver_params()`` are used (penalty factors and bounds
        included).
    w : ndarray of shape (n_features,)
        Starting point (warm start), contiguous, of the data's dtype; updated in place.
    max_iter : int, default=1000
        Maximum number of coordinate-descent epochs (passes over the working set).
    tol : float or None, default=None
        Stop when the duality gap is at most ``tol * ||y_c||^2 / n`` (scikit-learn);
        ``None`` stops at a gap certifying relative suboptimality ``rel_tol``
        (:meth:`QuadraticData.gap_threshold`).
    rel_tol : float, default=1e-6
        Relative suboptimality certified when ``tol`` is ``None``.
    ws_start : int, default=50
        Smallest working-set size (docs/benchmarks.md, "Why the constants").
    anderson_k : int, default=5
        Number of iterates combined by Anderson extrapolation (0 disables it).
    screening : bool, default=True
        Discard features proven zero by the gap-safe rule; gaps are then those of
        the reduced problem, which has the same optimum.
    gram : bool or None, default=None
        Run the inner epochs in covariance form (:func:`_inner_loop_gram`); ``None``
        decides per working set: dense ``X`` with ``n_samples`` at least
        ``_GRAM_RATIO`` times the working-set size, once the previous working set
        needed at least half as many epochs as the new one has features (building
        ``G`` costs about that many residual-form epochs).
    compiled_below : int, default=32
        Dense problems with at most this many features, and (unless ``gram`` is
        ``False``) problems whose data declare ``gram_cheap`` (a cheap and accurate
        Gram matrix), are solved in covariance form on their Gram matrix
        (:func:`_solve_small`; ``warm.residual`` is then ignored and the result has
        none); 0 disables it.
    finish : bool, default=True
        Solve the problem exactly on the support and signs reached by the epochs
        (:class:`_Finisher`) when that costs less than the epochs run so far.
    rng : numpy.random.Generator, default=None
        ``selection="random"``: each epoch visits its coordinates in a random order
        drawn from ``rng`` (the small-problem solve and the covariance form, which
        sweep in a fixed order, are then not used). ``None``: index order.
    warm : WarmStart, default=None
        What a path knows at this point (residual, gradient, strong-rule working
        set): :class:`skreg.solvers.WarmStart`. ``None``: a solve from ``w`` alone.
    verbose : int, default=0
        Print one line per outer iteration when positive.
    keep_state : bool, default=False
        When the solve stops at ``max_iter`` short of its tolerance, return where it
        stopped as ``SolverResult.state`` (:class:`CDState`, or
        :class:`SmallCDState` for the small-problem solve). Solves without ``warm``.
    resume : CDState or SmallCDState, default=None
        Continue that solve (of the same problem: the caller checks it) for up to
        ``max_iter`` more epochs, instead of starting from ``w`` (whose values are
        replaced by the state's iterate): the iterates are those of one solve with
        the two budgets added. ``n_iter`` counts this solve's epochs.
    tuning : CDTuning, default=DEFAULT_TUNING
        When the working-set loop skips restricted gap checks (:class:`CDTuning`);
        tests pass their own to reach those branches on small data.

    Returns
    -------
    SolverResult
    """
    # Long (about 140 lines): the outer loop's state (gap history, rebuild and
    # finishing counters, the screened feature set) is read by every step of it, and
    # a resumed solve restores all of it; each step that needs no more than its
    # arguments is a function of its own.
    check_interface(data, penalty, finish)
    if warm is not None and (keep_state or resume is not None):
        raise ValueError("keep_state and resume are for solves without a warm start.")
    params = penalty.solver_params()
    l1_reg = params[0]
    warm = WarmStart() if warm is None else warm
    if rng is not None:
        compiled_below, gram = 0, False
    if penalty.weights.shape[0] or penalty.bounded:
        # The compiled small solve is the plain elastic net's (its compilation stays
        # that of a default fit); penalty factors and bounds use working sets.
        compiled_below = 0
    # Small dense problems, and data whose Gram matrix is cheap (and accurate: they
    # say so themselves) or given (sparse cross-validation folds), unless the caller
    # asked for the residual form.
    small = data.n_features <= compiled_below and not data.sparse
    cheap = not small and compiled_below > 0 and gram is not False
    given = data.n_features <= compiled_below and getattr(data, "has_gram", False)
    cheap = cheap and (given or getattr(data, "gram_cheap", False))
    if (small or cheap) and not verbose:
        result = _solve_small(
            data, w, params, max_iter, tol, rel_tol, finish, resume, keep_state,
            as_working_sets=cheap,
        )  # fmt: skip
        if result.converged or not cheap or result.n_iter >= max_iter:
            return result
        # A tolerance below the rounding of G (formed by cancellation: sparse
        # columns, cross-validation folds): the residual form from w.
        handed = result.n_iter
        result = solve_cd(
            data, penalty, w, max_iter=max_iter - handed, tol=tol, rel_tol=rel_tol,
            ws_start=ws_start, anderson_k=anderson_k, screening=screening,
            gram=gram, compiled_below=0, finish=finish, tuning=tuning,
        )  # fmt: skip
        result.n_iter += handed
        return result
    state = _DualState(data, params, tuning)
    if finish:
        state.finisher = _Finisher(state.params)
    state.rng = rng
    screening = screening and l1_reg > 0
    # ``pending``: the inner loop to run at the top of the next iteration (chosen at
    # the end of the previous one); ``checked``: a full gap check to take instead of
    # computing one; ``stop``: the CDState to return if the budget ends the solve.
    pending = checked = stop = None
    if not isinstance(resume, CDState):
        resume = None
        R, offset = data.init_residual(w) if warm.residual is None else warm.residual
        active = np.arange(data.n_features, dtype=np.int64)
        n_epochs, prev_gap, polished, finished_at, last_epochs, rebuilt = (
            0, np.inf, False, -1, 0, 0,
        )  # fmt: skip
    else:
        # Continue an unconverged solve where it stopped: the epochs that follow are
        # those a solve with a larger max_iter would have run (CDState).
        w[:] = resume.w
        R, offset = resume.residual[0].copy(), resume.residual[1]
        active, n_epochs = resume.active, resume.n_epochs
        prev_gap, polished, finished_at, last_epochs, rebuilt = resume.outer
        state.restore(resume.dual)
        pending, checked = resume.inner, resume.checked
    first_epoch = n_epochs
    max_iter += n_epochs
    # Column passes of the epochs run, and the count at which data with a Gram
    # matrix switch to it (``gram_after``, optional; residual form if asked).
    work, gram_after = 0, np.inf
    if gram is not False and compiled_below > 0 and not verbose:
        gram_after = getattr(data, "gram_after", np.inf)
    grad_init, ws_init = warm.grad, warm.ws_init
    if grad_init is None and resume is None and not w.any():
        # From zero, the gradient is X_c.T y_c / n, which the data may already have.
        grad_init = data.grad_at_zero()
    if warm.solve_ws_first and ws_init is not None and grad_init is None:
        # The caller moved ``w`` (a path's predicted point): its gradient is unknown,
        # and a full one now would only give a gap at a point the working set is
        # about to change. A few epochs on ``ws_init`` first; the full gap computed
        # next often certifies the point.
        state.ws_size = ws_init.shape[0]
        n_epochs, offset, R = _epochs_then_return(
            data, w, R, offset, ws_init, state, 0.0, max_iter, anderson_k, 0,
            _EARLY_CHECK,
        )  # fmt: skip
        state.paused = None
        last_epochs = n_epochs
        ws_init = None
    while True:
        if pending is not None:
            inner, ws, tol_in, early_check, start, paused = pending
            pending = None
            n_epochs, offset, R = inner(
                data, w, R, offset, ws, state, tol_in, max_iter - n_epochs, anderson_k,
                n_epochs, early_check, paused=paused,
            )  # fmt: skip
            last_epochs = n_epochs - start
            paused, state.paused = state.paused, None
            work += last_epochs * ws.shape[0]
            if work >= gram_after and n_epochs < max_iter and not keep_state:
                # The epochs have cost as much as the Gram matrix would: the
                # covariance form from here (at most twice the better of the two).
                result = _solve_small(
                    data, w, params, max_iter - n_epochs, tol, rel_tol, finish,
                    as_working_sets=True,
                )  # fmt: skip
                n_epochs += result.n_iter
                if result.converged or n_epochs >= max_iter:
                    result.n_iter = n_epochs - first_epoch
                    return result
                # (G cannot resolve the tolerance: the residual form again.)
                gram_after = np.inf
                R, offset = data.init_residual(w)
            if paused is not None and keep_state:
                # The budget stopped the inner loop: the state before the gap check
                # below, which a longer solve would not compute here.
                w_stop = w.copy()
                w_stop[ws] = paused.w_ws
                stop = CDState(
                    n_epochs, w_stop, paused.residual, active,
                    (prev_gap, polished, finished_at, last_epochs, rebuilt),
                    paused.dual, (inner, ws, tol_in, early_check, start, paused), None,
                )  # fmt: skip
        if checked is not None:
            # A resumed solve that stopped after this gap check.
            (grad, check, stalled), checked = checked, None
        else:
            grad = _gradient_in_play(data, R, offset, active, grad_init, w.dtype)
            grad_init = None
            check = state.gap(w, R, offset, active, grad, tol, rel_tol)
            if state.finisher is not None:
                # The gradient's column passes count as work done, as the epochs'.
                state.finisher.credit += active.shape[0]
            stalled = check.gap > _STALL_RATIO * prev_gap
            if stalled and n_epochs - rebuilt >= _REBUILD_EPOCHS:
                # The incrementally updated residual drifts by rounding over many
                # epochs; when progress stalls, rebuild it exactly from w (one
                # product with X).
                R, offset = data.init_residual(w)
                grad = data.gradient(R, offset, active)
                check = state.gap(w, R, offset, active, grad, tol, rel_tol)
                rebuilt = n_epochs
            prev_gap = check.gap
            if verbose:
                print(
                    f"[skreg cd] epoch {n_epochs}: gap {check.gap:.3e} (tol "
                    f"{check.threshold:.3e}), {active.shape[0]} features in play"
                )
        gap, tol_abs = check.gap, check.threshold
        if (
            gap <= tol_abs
            and state.finisher is not None
            and not polished
            and (tol is not None or rel_tol <= DEFAULT_REL_TOL)
        ):
            # Converged: one exact solve on the support, if the epochs paid for it,
            # takes the point from the tolerance to the optimum (dense and sparse
            # fits, or two solvers, then agree to rounding). Not at a relative
            # tolerance looser than the default, as _solve_small: cross-validation's
            # fold paths need no more for their held-out errors.
            polished = True
            pos = state.finisher.support(w[active], active)
            moved = state.finisher.step(
                data, w, R, offset, active[pos], grad[pos], polish=True
            )
            if moved is not None:
                R, offset = moved
                continue
        if gap <= tol_abs:
            break
        if n_epochs >= max_iter:
            if keep_state and stop is None:
                stop = CDState(
                    n_epochs, w.copy(), (R.copy(), offset), active,
                    (prev_gap, polished, finished_at, last_epochs, rebuilt),
                    state.save(), None, (grad.copy(), check, stalled),
                )  # fmt: skip
            break
        if screening:
            active, grad, offset = _screen_out(state, w, R, offset, active, grad, check)
        if (
            state.finisher is not None
            and finished_at != n_epochs
            and last_epochs >= _FINISH_AFTER
        ):
            # (At most one step between two rounds of epochs: a step that gains
            # nothing measurable must not repeat forever.)
            finished_at = n_epochs
            pos = state.finisher.support(w[active], active)
            moved = state.finisher.step(data, w, R, offset, active[pos], grad[pos])
            if moved is not None:
                R, offset = moved
                continue
        ws = _working_set(w, grad, active, ws_init, ws_start, state, stalled)
        ws_init = None
        if ws.shape[0] == 0:
            # Screening removed every feature: w = 0 is optimal, and the gap left is
            # rounding that no epoch can reduce (with tol=0 it never reaches 0).
            break
        inner, tol_in = _pick_inner_loop(
            data, ws, active, gram, last_epochs, check, tuning
        )
        early_check = 0 if warm.warm_path else _EARLY_CHECK
        pending = (inner, ws, tol_in, early_check, n_epochs, None)
    full_grad = np.full_like(w, np.nan)
    full_grad[active] = grad
    return SolverResult(
        w,
        n_epochs - first_epoch,
        float(gap),
        float(tol_abs),
        bool(gap <= tol_abs),
        full_grad,
        (R, offset),
        state=None if gap <= tol_abs else stop,
    )


def _gradient_in_play(data, R, offset, active, grad_init, dtype):
    """Datafit gradient on ``active``: computed, or completed from ``grad_init``.

    ``grad_init`` (a path's previous gradient, NaN where unknown) is copied and only
    its unknown entries are computed.
    """
    if grad_init is None:
        return data.gradient(R, offset, active)
    grad = np.array(grad_init, dtype=dtype)
    unknown = np.flatnonzero(np.isnan(grad))
    if unknown.shape[0]:
        grad[unknown] = data.gradient(R, offset, unknown)
    return grad


def _screen_out(state, w, R, offset, active, grad, check):
    """Drop the features the gap-safe rule proves zero; return the new state.

    Returns ``(active, grad, offset)``; screened features that were non-zero are set
    to zero in ``w`` and their columns removed from the residual ``R`` (in place).
    """
    keep = state.screen(active, check)
    if keep.all():
        return active, grad, offset
    dropped = active[~keep]
    nonzero = dropped[w[dropped] != 0]
    if nonzero.shape[0]:
        offset = state.data.update_residual(R, offset, nonzero, -w[nonzero])
        w[nonzero] = 0.0
    return active[keep], grad[keep], offset


def _pick_inner_loop(data, ws, active, gram, last_epochs, check, tuning):
    """Choose the inner loop for ``ws`` and its restricted-gap target ``tol_in``.

    Covariance form (``_inner_loop_gram``) on tall dense data once working sets need
    many epochs (``gram=None``) or when asked; epochs without restricted gaps
    (``_epochs_then_return``) on tall data with a large working set (``tuning``, a
    :class:`CDTuning`); else the residual-form loop with restricted gaps.
    """
    tol_in = max(_INNER_GAP_FRACTION * check.gap, 0.5 * check.threshold)
    use_gram = gram
    if use_gram is None:
        # Building G costs about |ws| / 2 residual-form epochs: worth it only on
        # tall data and when the last working set needed more epochs than that.
        use_gram = (
            not data.sparse
            and data.n_samples >= _GRAM_RATIO * ws.shape[0]
            and last_epochs >= 0.5 * ws.shape[0]
        )
    if use_gram:
        return _inner_loop_gram, tol_in
    if (
        data.n_samples >= max(tuning.tall * active.shape[0], tuning.tall_min_samples)
        and ws.shape[0] >= tuning.large_ws * active.shape[0]
    ):
        tol_in = 0.0
        if (
            ws.shape[0] == active.shape[0]
            and data.n_samples * active.shape[0] >= tuning.target_min_size
        ):
            tol_in = _TARGET_FRACTION * check.threshold
        return _epochs_then_return, tol_in
    return _inner_loop, tol_in


class _Finisher:
    """Exact solves on the support and signs that coordinate descent has reached.

    On the orthant of signs ``s`` (support ``S``) the objective is the smooth
    quadratic ``Q(w_S) = F(w_S) + l1 s @ w_S + l2 / 2 ||w_S||^2``, whose minimiser is
    the elastic-net optimum when its signs are ``s`` and the KKT conditions hold off
    ``S`` (the full gap computed next checks both). A primal active-set loop reaches
    it: a Newton step ``(H_SS + l2 I) d = -grad Q``, with ``H`` the datafit's
    Hessian (:meth:`QuadraticData.hessian`, built once, scaled to a unit diagonal and
    damped by a tiny multiple of the identity, which keeps the solve defined when
    ``H_SS`` is singular, as on supports larger than ``n_samples``), stopped where
    the first coefficient reaches zero, which then leaves ``S``; repeated until a
    step keeps every sign. Each step decreases ``Q``, which equals the objective
    along the way. Coordinate descent crawls on ill-conditioned supports (collinear
    or duplicated columns, badly scaled columns); this does not.

    When: a pattern is tried when it is the one seen at the previous check
    (settled), and again only if its last step lowered the objective. Cost control:
    ``credit`` counts the column passes of the epochs run so far (kept up to date
    by the caller); the Gram block spends ``|S|^2 / _FINISH_COST`` of it and each
    solve ``|S|^3 / (3 n _FINISH_COST)``, and the loop stops when the credit runs
    out, so the steps never cost more than the epochs around them.
    """

    def __init__(self, params):
        self.params = params
        # Without L1 part and sign constraint the objective is smooth: one Newton
        # step on every feature in play is exact, and signs do not matter.
        self.smooth = params[0] == 0.0 and not params[2] and not params[4].shape[0]
        self.credit = 0.0
        self.last = None
        self.tried = set()

    def _regs(self, S):
        """Per-feature ``(l1_reg, l2_reg)`` of the features ``S`` (float64 arrays).

        Without penalty factors the two floats themselves (they broadcast alike).
        """
        l1_reg, l2_reg, _, weights, _, _ = self.params
        if not weights.shape[0]:
            return l1_reg, l2_reg
        f = _on(self.params, S)[3]
        return l1_reg * f, l2_reg * f

    def support(self, w, idx=None) -> np.ndarray:
        """Positions in ``w`` that a step moves: the nonzeros (all when smooth).

        With bounds, coefficients at a bound stay there (``idx``: the features of
        ``w``'s entries, all when ``None``).
        """
        if self.smooth:
            return np.arange(w.shape[0])
        lower, upper = self.params[4], self.params[5]
        if not lower.shape[0]:
            return np.flatnonzero(w)
        if idx is not None:
            lower, upper = lower[idx], upper[idx]
        return np.flatnonzero((w != 0) & (w != lower) & (w != upper))

    def _bounds(self, S):
        """``(lower, upper)`` of the features ``S``; ``(None, None)`` without bounds."""
        lower, upper = self.params[4], self.params[5]
        if not lower.shape[0]:
            return None, None
        return lower[S].astype(np.float64), upper[S].astype(np.float64)

    def step(self, data, w, R, offset, S, grad_S, hessian=None, polish=False):
        """Try the steps from the support ``S`` of ``w`` (``grad_S``: gradient there).

        Returns the new ``(R, offset)`` with ``w`` updated in place, or ``None`` when
        ``w`` is kept (the covariance-form solvers take the compiled
        :meth:`QuadraticData.gram_step` instead). A ``hessian`` block the caller
        already has (a covariance-form inner loop's) makes the step cheap: it is
        then tried whether or not the pattern has settled, and costs no credit.
        ``polish``: the point is converged; try once more (unsettled or tried
        patterns too) to reach the optimum, where that is cheap.
        """
        size = S.shape[0]
        # In column passes: the Gram block, then each solve.
        gram_cost = 0.0 if hessian is not None else size**2 / _FINISH_COST
        solve_cost = size**3 / (3 * data.n_samples * _FINISH_COST)
        cheap = data.n_samples * size**2 <= _FINISH_FREE_FLOPS
        if polish and not cheap:
            # Polishing a converged point pays only where it is cheap.
            return None
        if hessian is not None or (polish and cheap):
            # A Hessian block at hand, or a polish cheaper than the Python around a
            # solve: affordable whatever the epochs paid.
            self.credit = max(self.credit, gram_cost + solve_cost * _FINISH_FREE_SOLVES)
        signs = b"" if self.smooth else np.signbit(w[S]).tobytes()
        pattern = S.tobytes(), signs
        settled, self.last = pattern == self.last, pattern
        if (
            size == 0
            or (not settled and hessian is None and not polish)
            or (pattern in self.tried and not polish)
            or gram_cost + solve_cost > self.credit
        ):
            return None
        self.tried.add(pattern)
        self.credit -= gram_cost
        w_old = np.ascontiguousarray(w[S])
        w_new = self._newton(data, w, S, grad_S, solve_cost, hessian)
        if w_new is None:
            return None
        w_new = w_new.astype(w.dtype)
        if not (w_new - w_old).any():
            return None
        w_full = w.copy()
        w_full[S] = w_new
        l1_reg, l2_reg = self.params[0], self.params[1]
        # The residual at the new point from one product with X (not accumulated
        # updates): the gap that certifies it is then as accurate as it can be.
        R_new, offset_new = data.init_residual(w_full)
        weights = _on(self.params, S)[3]
        before = data.primal(w_old, R, offset, l1_reg, l2_reg, weights)
        after = data.primal(w_new, R_new, offset_new, l1_reg, l2_reg, weights)
        # Not higher up to rounding: on flat directions a step may gain nothing
        # measurable in the objective but much in the gap.
        if not after <= before + _FINISH_ROUNDING * abs(before):
            return None
        # A step that helped may be refined from where it ended.
        self.tried.discard(pattern)
        w[S] = w_new
        return R_new, offset_new

    def _newton(self, data, w, S, grad_S, solve_cost, hessian=None):
        """Run the active-set Newton loop of the class docstring (``None``: failed).

        (No iterative refinement here: from the residual each costs two passes
        over ``X``. The covariance-form solvers refine in their compiled step,
        :meth:`QuadraticData.gram_step`.)
        """
        l1_reg, l2_reg = self._regs(S)
        w_S = w[S].astype(np.float64)
        signs = np.sign(w_S)
        H = data.hessian(S) if hessian is None else np.array(hessian, np.float64)
        H.flat[:: S.shape[0] + 1] += l2_reg
        # Jacobi scaling: the solves see a unit diagonal whatever the column scales,
        # and the damping is relative to it.
        scale = np.sqrt(np.maximum(np.diag(H), np.finfo(np.float64).tiny))
        H /= np.outer(scale, scale)
        grad_q = grad_S.astype(np.float64) + l1_reg * signs + l2_reg * w_S
        lo, hi = self._bounds(S)
        keep = np.arange(S.shape[0])
        while self.credit >= solve_cost:
            self.credit -= solve_cost
            H_k = H[np.ix_(keep, keep)]
            H_k.flat[:: keep.shape[0] + 1] += _FINISH_DAMPING
            try:
                factor = _Factor(H_k)
            except (np.linalg.LinAlgError, ValueError):
                return None
            d = factor.solve(-grad_q[keep] / scale[keep])
            d /= scale[keep]
            if not np.all(np.isfinite(d)):
                return None
            new = w_S[keep] + d
            if self.smooth:
                w_S[keep] = new
                return w_S
            # Breakpoints: a coefficient reaching zero (leaves S) or a bound
            # (fixed there); the step stops at the first one.
            old = w_S[keep]
            ends = np.where(np.sign(new) != signs[keep], 0.0, new)
            if lo is not None:
                ends = np.clip(ends, lo[keep], hi[keep])
            hit = ends != new
            if not hit.any():
                w_S[keep] = new
                return w_S
            ratios = (ends[hit] - old[hit]) / (new[hit] - old[hit])
            t = float(ratios.min())
            step = t * d
            grad_q += scale * (H[:, keep] @ (scale[keep] * step))
            w_S[keep] += step
            stopped = np.flatnonzero(hit)[ratios <= t]
            w_S[keep[stopped]] = ends[stopped]
            moving = w_S[keep]
            free = moving != 0.0
            if lo is not None:
                free &= (moving != lo[keep]) & (moving != hi[keep])
            keep = keep[free]
            if keep.shape[0] == 0:
                break
        return w_S


class _Factor:
    """A symmetric positive definite system, factored once and solved repeatedly.

    Small systems go to NumPy's solver directly (SciPy's Cholesky wrappers cost tens
    of microseconds of Python a call, more than the arithmetic below
    ``_FACTOR_DIRECT`` unknowns); larger ones are Cholesky-factored once.
    """

    def __init__(self, H):
        if H.shape[0] <= _FACTOR_DIRECT:
            self.H, self.factor = H, None
            np.linalg.cholesky(H)  # raises LinAlgError when not positive definite
        else:
            self.factor = scipy.linalg.cho_factor(H, check_finite=False)

    def solve(self, rhs):
        if self.factor is None:
            return np.linalg.solve(self.H, rhs)
        return scipy.linalg.cho_solve(self.factor, rhs, check_finite=False)


def polishes_slow_fits(n_epochs, rel_tol) -> bool:
    """Tell whether a small fit at ``tol=None`` gets the finishing step at the end.

    After ``_FINISH_AFTER`` epochs (a fit certified sooner is near its optimum, and
    its first call compiles no step), at the default relative tolerance or tighter.
    """
    return n_epochs >= _FINISH_AFTER and rel_tol <= DEFAULT_REL_TOL


def _solve_small(
    data, w, params, max_iter, tol, rel_tol, finish, resume=None, keep_state=False,
    as_working_sets=False,
):  # fmt: skip
    """Solve a dense problem with a few features in covariance form, compiled.

    Working sets, extrapolation and screening cost more Python time than they save
    there, and so does the residual: the epochs and the gap use the Gram matrix of
    the data (:meth:`QuadraticData.gram`, built once and kept along a path), so a
    solve never reads ``X``, except to certify the gap from the residual when the
    covariance-form gap is within its rounding of the threshold (nearly perfect
    fits). The compiled solve runs a phase at a time (Ctrl-C is handled between
    phases), and between phases the compiled finishing step
    (:meth:`QuadraticData.gram_step`) may jump to the exact solution on the current
    support, as it does once at convergence after a slow fit
    (:func:`polishes_slow_fits`) or with a numeric ``tol`` (polishing). Phases last
    ``_PHASE`` epochs: most fits converge within the first. ``keep_state`` and
    ``resume`` as :func:`solve_cd`'s (:class:`SmallCDState`). ``as_working_sets``:
    the solve stands in for the working-set solve (data with a cheap Gram matrix):
    as that one, it polishes every converged point at the default relative
    tolerance or tighter, not only the slow ones; and where the covariance-form
    iterates cannot reach the tolerance certified from the residual, it returns
    unconverged for the residual form to continue.
    """
    # Long (about 85 lines): the phase loop's state (epochs, exact mode, polishing)
    # is read by each of its steps, and a resumed solve restores it.
    G, b, _ = data.gram()
    w_out = w
    # The sign patterns the finishing step tried (None: no finishing step).
    tried = set() if finish else None
    # (In exact mode the covariance-form gap proved too coarse: certify each phase.)
    if isinstance(resume, SmallCDState):
        # Continue where the budget stopped an earlier solve: phases and finishing
        # steps fall where one longer solve has them.
        w, grad = resume.w.copy(), resume.grad
        n_epochs, exact, polished = resume.n_epochs, resume.exact, resume.polished
        phase = resume.phase_left
        if tried is not None and resume.finisher is not None:
            tried = set(resume.finisher)
        if phase == 0:
            phase = _PHASE
            if tried is not None:
                _small_step(data, w, params, tried, False)
    else:
        # The epochs run on a float64 copy of w whatever the data's dtype (G is
        # float64 too): phases then resume exactly, and float32 data compile nothing
        # more.
        w = w.astype(np.float64)
        n_epochs, exact, polished, phase = 0, False, False, _PHASE
    q = b - G @ w
    first_epoch = n_epochs
    max_iter += n_epochs
    while True:
        # (In exact mode the kernel runs whole phases: tol=0 is never met.)
        epochs, gap, tol_abs, rounding = data.solve_gram(
            w, q, *params[:3], 0.0 if exact else tol, rel_tol,
            min(max_iter - n_epochs, phase),
        )  # fmt: skip
        n_epochs += epochs
        phase_left, phase = phase - epochs, _PHASE
        grad = -q
        if exact or (gap <= tol_abs and rounding > _ROUNDING_SHARE * tol_abs):
            gap, primal, grad = data.exact_gap(w.astype(w_out.dtype), *params)
            tol_abs = data.gap_threshold(tol, primal, rel_tol)
            exact = gap > tol_abs
        converged = gap <= tol_abs
        if exact and not converged and (epochs == 0 or as_working_sets):
            # The covariance-form kernel saw nothing left to do (its gap is zero
            # at the rounding of G w) while the residual's gap is above a tol near
            # rounding (proximal Newton's innermost targets): no epoch will run, so
            # stop rather than loop (it did, forever, on separable 3-class data).
            # (Standing in for working sets: those continue in residual form.)
            break
        # Polishing: after a slow fit or for scikit-learn's absolute ``tol``, which
        # can stop far from the optimum (tol=None certifies the relative gap). Not
        # at a relative tolerance looser than the default: cross-validation's fold
        # paths (CV_REL_TOL) need no more for their held-out errors.
        slow = polishes_slow_fits(n_epochs, rel_tol) or (
            as_working_sets and rel_tol <= DEFAULT_REL_TOL
        )
        polish = converged and (tol is not None or slow)
        if (converged and (polished or not polish)) or n_epochs >= max_iter:
            break
        if tried is None:
            break
        # Between phases, and once at convergence (to the optimum from the
        # tolerance), a finishing step.
        polished = converged
        if _small_step(data, w, params, tried, converged):
            q[:] = b - G @ w
        elif converged:
            break
    converged = gap <= tol_abs
    state = None
    if keep_state and not converged and n_epochs >= max_iter:
        memory = None if tried is None else frozenset(tried)
        state = SmallCDState(
            n_epochs, w.copy(), grad.copy(), exact, polished, phase_left, memory
        )
    w_out[:] = w
    grad = grad.astype(w_out.dtype)
    return SolverResult(
        w_out, n_epochs - first_epoch, gap, tol_abs, converged, grad, None, state
    )


def _small_step(data, w, params, tried, converged) -> bool:
    """:func:`_solve_small`'s finishing step from float64 ``w``; tell if ``w`` moved.

    Compiled (:meth:`QuadraticData.gram_step`: a few epochs' arithmetic and one
    call). Between phases a sign pattern is tried once (again after a step on it
    helped: ``tried`` holds the others); at convergence (polishing) always.
    """
    pattern = (w != 0).tobytes() + np.signbit(w).tobytes()
    if pattern in tried and not converged:
        return False
    tried.add(pattern)
    moved = data.gram_step(w, params[0], params[1])
    if moved:
        tried.discard(pattern)
    return moved


def _working_set(w, grad, active, ws_init, ws_start, state, stalled):
    """Support plus the features of ``active`` with the largest KKT violations."""
    if ws_init is not None:
        # Before any screening ``active`` is every feature: no intersection needed.
        if active.shape[0] < w.shape[0]:
            ws_init = ws_init[np.isin(ws_init, active, assume_unique=True)]
        if 0 < ws_init.shape[0] < active.shape[0]:
            state.ws_size = ws_init.shape[0]
            return ws_init
    w_act = np.ascontiguousarray(w[active])
    scores = _subdiff_distance(w_act, grad, _on(state.params, active))
    support = w_act != 0
    n_support = int(support.sum())
    ws_size = max(ws_start, 2 * n_support)
    if stalled and n_support >= _WS_FULL * state.ws_size:
        ws_size = max(ws_size, min(_WS_GROW * n_support, state.data.n_samples))
    state.ws_size = ws_size
    if ws_size >= active.shape[0]:
        return active
    scores[support] = np.inf
    return active[np.sort(np.argpartition(-scores, ws_size - 1)[:ws_size])]


class _GapCheck(NamedTuple):
    """A full gap check: what :meth:`_DualState.screen` reads next.

    ``points`` are the dual points evaluated at this check, each ``(w, theta,
    xt_theta)`` on the features in play (the gap-safe sphere is centred on each).
    """

    gap: float
    threshold: float
    primal: float
    points: list


class _DualState:
    """Lower bounds of the optimum: the best dual value seen and a dual candidate.

    ``candidate`` is an extrapolated residual with its paired coefficients, set by the
    inner loop; it is evaluated (one product with ``X_c.T`` on the features in play)
    at the next full gap. Every dual value of the (reduced) problem stays a valid lower
    bound of the common optimum, so the best one is kept. It also remembers the size
    of the last working set (``ws_size``), which the growth rule of
    :func:`_working_set` compares the support with. With the random generator and
    the finishing step's bookkeeping, this is what :meth:`save` records for a
    resumable :class:`CDState`; an inner loop that its budget stops leaves its own
    state in ``paused``. ``tuning`` is the solve's :class:`CDTuning`, which the inner
    loops read.
    """

    def __init__(self, data, params, tuning):
        self.data = data
        self.params = params
        self.tuning = tuning
        self.best_dual = -np.inf
        self.candidate = None
        self.ws_size = 0
        self.rng = None
        # Exact solves on the support (:class:`_Finisher`), or None.
        self.finisher = None
        # Set by an inner loop that its epoch budget stopped (:class:`_Paused`).
        self.paused = None

    def save(self) -> _DualMemory:
        """Return what later outer iterations read of this state (for CDState)."""
        f = self.finisher
        finisher = None if f is None else (f.credit, f.last, frozenset(f.tried))
        rng = None if self.rng is None else copy.deepcopy(self.rng)
        return _DualMemory(self.best_dual, self.candidate, self.ws_size, rng, finisher)

    def restore(self, memory: _DualMemory) -> None:
        """Take back what :meth:`save` returned (the record stays unchanged)."""
        self.best_dual, self.candidate, self.ws_size = memory[:3]
        self.rng = None if memory.rng is None else copy.deepcopy(memory.rng)
        if self.finisher is not None and memory.finisher is not None:
            credit, last, tried = memory.finisher
            self.finisher.credit, self.finisher.last = credit, last
            self.finisher.tried = set(tried)

    def gap(self, w, R, offset, active, grad, tol, rel_tol) -> _GapCheck:
        """Check the duality gap at ``w`` from the gradient on ``active``."""
        data = self.data
        l1_reg, l2_reg, _, weights, _, _ = self.params
        primal = data.primal(w, R, offset, l1_reg, l2_reg, weights)
        threshold = data.gap_threshold(tol, primal, rel_tol)
        if l1_reg == 0.0 and l2_reg == 0.0:
            # Least squares: no dual; the squared gradient norm, as scikit-learn.
            gap = float(grad.astype(np.float64) @ grad)
            return _GapCheck(gap, threshold, primal, [])
        Rt = data.true_residual(R, offset)
        w_act = np.ascontiguousarray(w[active])
        params = _on(self.params, active)
        # Dual points as their statistics (projected when some features are
        # unpenalised: QuadraticData.dual_stats), shared with ``screen``.
        stats = data.dual_stats(Rt, -grad, self.params, active)
        points = [(w_act, stats)]
        self._offer(enet_dual(w_act, stats, params))
        if self.candidate is not None and primal - self.best_dual > threshold:
            theta, w_theta = self.candidate
            self.candidate = None
            w_theta = np.ascontiguousarray(w_theta[active])
            xt_theta = -data.gradient(theta, 0.0, active)
            stats = data.dual_stats(theta, xt_theta, self.params, active)
            points.append((w_theta, stats))
            self._offer(enet_dual(w_theta, stats, params))
        return _GapCheck(primal - self.best_dual, threshold, primal, points)

    def screen(self, active, check: _GapCheck):
        """Mask over ``active``: ``False`` for features proven zero at the optimum.

        ``check`` is the last gap check on ``active`` (its primal and dual points).
        """
        data = self.data
        lipschitz = np.ascontiguousarray(data.lipschitz[active])
        keep = np.ones(active.shape[0], dtype=np.bool_)
        mask = np.empty_like(keep)
        params = _on(self.params, active)
        plain = _plain(params)
        for w_pt, stats in check.points:
            # (The general rules in their own kernel: a default fit never compiles
            # them.)
            if plain:
                enet_screen(w_pt, *stats, check.primal, lipschitz, *params[:3], mask)
            else:
                enet_screen_general(
                    w_pt, *stats, check.primal, lipschitz, *params, mask
                )
            keep &= mask
        return keep

    def _offer(self, dual):
        if np.isfinite(dual) and dual > self.best_dual:
            self.best_dual = dual


def _inner_loop(
    data, w, R, offset, ws, state, tol_in, budget, anderson_k, n_epochs, early_check,
    restricted=True, target=None, paused=None,
):  # fmt: skip
    """CD epochs on ``ws`` with Anderson extrapolation; returns the updated state.

    Every ``anderson_k + 1`` epochs the iterates (and residuals) of the cycle are
    extrapolated: the residual extrapolation becomes the dual candidate of ``state``,
    the primal one replaces ``w`` if it lowers the objective. Without ``restricted``
    the loop returns at its first check instead of computing a restricted gap; with a
    ``target``, checks come when the estimated objective left to gain is below it.
    When ``budget`` epochs run out first, ``state.paused`` tells where the loop
    stopped (:class:`_Paused`), and ``paused`` continues such a loop.
    """
    # Long (about 100 lines): one epoch's bookkeeping (sweep choice, Anderson history,
    # target estimate, finishing step, restricted gap) shares the loop's state.
    params = state.params
    l1_reg, l2_reg, _, weights, _, _ = params
    target_max = state.tuning.target_max
    K = anderson_k
    if paused is None:
        k_start = 0
        # Lower bound of the restricted problem's optimum (valid for this working set).
        best_dual = -np.inf
        history = residuals = None
        if K:
            history = np.empty((K + 1, ws.shape[0]), dtype=w.dtype)
            residuals = np.empty((K + 1, data.n_samples), dtype=w.dtype)
        sweep, full_sweep = ws, True
        prev_primal = prev_decrease = None
        converged = False
    else:
        k_start = paused.k
        history, residuals, sweep, full_sweep = paused.loop[:4]
        prev_primal, prev_decrease, converged, best_dual = paused.loop[4:]
        if K:
            history, residuals = history.copy(), residuals.copy()
    for k in range(k_start, k_start + budget):
        # Active-set cycling (glmnet): once a full sweep of ``ws`` leaves its support
        # unchanged (with a ``target``: adds no feature to it), epochs visit the
        # nonzero coordinates only, with a full sweep before every restricted gap
        # check or return (and whenever the support moves).
        check = (k + 1) % _GAP_CHECK_EVERY == 0 or k + 1 == early_check
        if target is not None:
            # Past _TARGET_SUPPORT, the checks of a loop without target.
            dense = sweep.shape[0] > _TARGET_SUPPORT * ws.shape[0]
            check = converged or (k + 1) % target_max == 0 or (dense and check)
        if full_sweep or check:
            before = w[ws] != 0
            order = ws if state.rng is None else state.rng.permutation(ws)
            _, offset = data.epoch(w, R, offset, order, *params)
            swept = ws.shape[0]
            after = w[ws] != 0
            if target is None:
                full_sweep = not np.array_equal(before, after)
            else:
                full_sweep = bool(np.any(after & ~before))
            sweep = ws[after]
        else:
            order = sweep if state.rng is None else state.rng.permutation(sweep)
            _, offset = data.epoch(w, R, offset, order, *params)
            swept = sweep.shape[0]
        n_epochs += 1
        if state.finisher is not None:
            state.finisher.credit += swept + _EPOCH_OVERHEAD / data.n_samples
        if K:
            slot = k % (K + 1)
            history[slot] = w[ws]
            residuals[slot] = data.true_residual(R, offset)
            if slot == K:
                # The dual candidate is only read at gap checks: extrapolate the
                # residuals in the last cycle before one.
                if -(k + 1) % _GAP_CHECK_EVERY <= K:
                    _extrapolate_dual(w, ws, history, residuals, state)
                offset, R = _try_extrapolation(data, w, R, offset, ws, history, params)
        if check and not restricted:
            break
        if target is not None:
            # Objective left to gain, from the last two decreases (_TARGET_FRACTION).
            primal = data.primal(w, R, offset, l1_reg, l2_reg, weights)
            if prev_primal is not None:
                decrease = prev_primal - primal
                if decrease <= 0.0:
                    # Nothing gained at this precision: more epochs will not help.
                    converged = True
                elif prev_decrease is not None and decrease < prev_decrease:
                    rho = decrease / prev_decrease
                    converged = decrease * rho / (1.0 - rho) <= target
                prev_decrease = decrease
            prev_primal = primal
        if check and state.finisher is not None and k + 1 >= _FINISH_AFTER:
            S = ws[state.finisher.support(w[ws], ws)]
            moved = state.finisher.step(
                data, w, R, offset, S, data.gradient(R, offset, S)
            )
            if moved is not None:
                R, offset = moved
                # The extrapolated dual point predates the step: use the residual.
                state.candidate = None
        if check:
            # One dual point per check (one product with X_ws): the extrapolated
            # residual when there is one (nearly always the tighter bound), else the
            # current residual. Every dual value stays a lower bound, the best is kept.
            if state.candidate is not None:
                theta, w_theta = state.candidate
            else:
                theta, w_theta = data.true_residual(R, offset), w
            dual = _restricted_dual(data, w_theta, theta, ws, params)
            if np.isfinite(dual):
                best_dual = max(best_dual, dual)
            primal = data.primal(w, R, offset, l1_reg, l2_reg, weights)
            if primal - best_dual <= tol_in:
                break
    else:
        # The budget (max_iter) ran out before the loop's own exit.
        loop = (history, residuals, sweep, full_sweep, prev_primal, prev_decrease,
                converged, best_dual)  # fmt: skip
        state.paused = _Paused(
            k_start + budget, w[ws], (R.copy(), offset), state.save(), loop
        )
    return n_epochs, offset, R


def _epochs_then_return(
    data, w, R, offset, ws, state, tol_in, budget, anderson_k, n_epochs, early_check,
    paused=None,
):  # fmt: skip
    """:func:`_inner_loop` without restricted gap checks, for a large working set.

    When ``ws`` holds most of the features in play, a restricted gap costs nearly as
    much as the full one the outer loop computes next. With ``tol_in > 0`` the loop
    returns once the objective it estimates is left to gain falls below ``tol_in``
    (see ``_TARGET_FRACTION``); otherwise, and once the support fills more than
    ``_TARGET_SUPPORT`` of ``ws``, at its first check, without computing it.
    """
    return _inner_loop(
        data, w, R, offset, ws, state, -np.inf, budget, anderson_k, n_epochs,
        early_check, restricted=False, target=tol_in if tol_in > 0 else None,
        paused=paused,
    )  # fmt: skip


def _inner_loop_gram(
    data, w, R, offset, ws, state, tol_in, budget, anderson_k, n_epochs, early_check,
    paused=None,
):  # fmt: skip
    """CD epochs on ``ws`` in covariance form (dense ``X``, tall data).

    One pass over the working-set columns builds ``G = X_ws^T X_ws / n`` (a BLAS
    product), ``q = X_ws^T R / n`` and ``b = X_ws^T y / n``; the epochs then cost
    ``O(|ws|^2)`` instead of ``O(n |ws|)``. With ``d = w_ws - w0`` the quantities the
    restricted gap needs stay exact functions of ``d``:
    ``||R||^2 / n = r2_0 - d @ (q0 + q)`` (as ``G d = q0 - q``) and
    ``R @ y / n = ry_0 - d @ b``. The residual is rebuilt by one product at the end.
    A loop stopped by its ``budget`` is continued as :func:`_inner_loop`'s (``G`` is
    built again, the rest of the loop's state is in ``paused``).
    """
    # Long (about 90 lines): the restricted objective and gap are closures over the
    # loop's starting point, shared with a continued loop.
    params = state.params
    l1_reg, l2_reg, _, weights, _, _ = params
    params_ws = _on(params, ws)
    dtype = w.dtype
    inv_n = dtype.type(data.inv_n)
    cols = data.centred_columns(ws)
    G = np.ascontiguousarray(cols.T @ cols) * inv_n
    b = (cols.T @ data.y).astype(np.float64) * data.inv_n
    K = anderson_k
    if paused is None:
        k_start, R0 = 0, R
        q0 = (cols.T @ R) * inv_n
        R64 = R.astype(np.float64, copy=False)
        r2_0 = float(R64 @ R64) * data.inv_n
        ry_0 = float(R64 @ data.y) * data.inv_n
        w0 = np.ascontiguousarray(w[ws])
        w_ws, q = w0.copy(), q0.copy()
        best_dual = -np.inf
        history = np.empty((K + 1, ws.shape[0]), dtype=dtype) if K else None
    else:
        k_start, w_ws = paused.k, paused.w_ws.copy()
        R0, q0, r2_0, ry_0, w0, q, best_dual, history = paused.loop
        q = q.copy()
        history = history.copy() if K else None
    lipschitz = np.ascontiguousarray(np.diag(G))
    w_out = w.copy()
    w_out[ws] = 0.0
    pen_out = enet_primal(0.0, w_out, l1_reg, l2_reg, weights)
    q_sum0 = q0.astype(np.float64)
    weights_ws = params_ws[3]

    def objective(w_k, q_k):
        d = w_k.astype(np.float64) - w0
        r2 = r2_0 - float(d @ (q_sum0 + q_k))
        return r2, enet_primal(r2, w_k, l1_reg, l2_reg, weights_ws) + pen_out

    k, stopped = k_start - 1, False
    for k in range(k_start, k_start + budget):
        if _plain(params_ws):
            cd_epoch_gram(G, q, w_ws, lipschitz, *params_ws[:3])
        else:
            cd_epoch_gram_general(G, q, w_ws, lipschitz, *params_ws)
        n_epochs += 1
        if K:
            slot = k % (K + 1)
            history[slot] = w_ws
            if slot == K:
                c = _anderson(history)
                if c is not None:
                    w_acc = _project(c @ history[1:].astype(np.float64), params, ws)
                    w_acc = w_acc.astype(dtype)
                    q_acc = q - G @ (w_acc - w_ws)
                    if np.all(np.isfinite(q_acc)) and (
                        objective(w_acc, q_acc)[1] < objective(w_ws, q)[1]
                    ):
                        w_ws, q = w_acc, np.ascontiguousarray(q_acc)
        if (k + 1) % _GAP_CHECK_EVERY == 0 or k + 1 == early_check:
            r2, primal = objective(w_ws, q)
            ry = ry_0 - float((w_ws.astype(np.float64) - w0) @ b)
            stats = data.project_stats(q, r2, ry, params, ws)
            dual = enet_dual(w_ws, stats, params_ws)
            best_dual = max(best_dual, dual)
            if primal - best_dual <= tol_in:
                break
    else:
        stopped = True  # the budget (max_iter) ran out
    w[ws] = w_ws
    R = R0 - cols @ (w_ws - w0)
    if stopped:
        # The state before the finishing step below (a longer solve takes none here).
        loop = (R0, q0, r2_0, ry_0, w0, q, best_dual, history)
        state.paused = _Paused(
            k_start + budget, w_ws.copy(), (R.copy(), offset), state.save(), loop
        )
    if state.finisher is not None and k + 1 >= _FINISH_AFTER:
        # The Hessian block of the support is part of G: an exact solve on it is
        # nearly free (the gap computed next checks it).
        pos = state.finisher.support(w_ws, ws)
        S = ws[pos]
        moved = state.finisher.step(
            data, w, R, offset, S, -q[pos], hessian=G[np.ix_(pos, pos)]
        )
        if moved is not None:
            R, offset = moved
    return n_epochs, offset, R


def _extrapolate_dual(w, ws, history, residuals, state):
    """Store the Anderson extrapolation of the residuals as ``state.candidate``."""
    c = _anderson(residuals)
    if c is None:
        return
    theta = (c @ residuals[1:].astype(np.float64)).astype(w.dtype)
    w_theta = w.copy()
    w_theta[ws] = c @ history[1:].astype(np.float64)
    if np.all(np.isfinite(theta)) and np.all(np.isfinite(w_theta)):
        state.candidate = (theta, w_theta)


def _try_extrapolation(data, w, R, offset, ws, history, params):
    """Replace ``w[ws]`` by the Anderson extrapolation when it lowers the objective.

    With ``positive`` or bounds, the combination is projected on them first.
    """
    c = _anderson(history)
    if c is None:
        return offset, R
    w_acc = c @ history[1:].astype(np.float64)
    if not np.all(np.isfinite(w_acc)):
        return offset, R
    w_acc = _project(w_acc, params, ws).astype(w.dtype)
    delta = w_acc - w[ws]
    # Coordinates that stayed zero over the cycle do not move: skip their columns.
    moved = delta != 0
    R_acc = R.copy()
    offset_acc = data.update_residual(R_acc, offset, ws[moved], delta[moved])
    # Only the coordinates of ``ws`` differ: compare the objectives on them.
    w_ws = np.ascontiguousarray(w[ws])
    l1_reg, l2_reg, _, weights, _, _ = _on(params, ws)
    if data.primal(w_acc, R_acc, offset_acc, l1_reg, l2_reg, weights) < data.primal(
        w_ws, R, offset, l1_reg, l2_reg, weights
    ):
        w[ws] = w_acc
        return offset_acc, R_acc
    return offset, R
