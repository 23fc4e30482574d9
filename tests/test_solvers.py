"""The solvers on prepared data: requested gap reached, Anderson and working sets."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose

from skreg.datafits import QuadraticData
from skreg.penalties import ElasticNet
from skreg.solvers import SOLVERS, SolverResult, solve_cd, solve_fista


def _data(helpers, prob, sparse=False, weighted=True):
    sw = prob.sample_weight if weighted else None
    X = sp.csc_matrix(prob.X) if sparse else np.asfortranarray(prob.X)
    return QuadraticData(X, prob.y, sw, True), sw


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
@pytest.mark.parametrize("solver", sorted(SOLVERS))
@pytest.mark.parametrize("tol", [1e-4, 1e-8, 1e-12])
def test_reaches_requested_gap(helpers, problem, solver, sparse, tol):
    data, sw = _data(helpers, problem, sparse)
    amax = helpers.alpha_max(problem.X, problem.y, 0.8, sw)
    penalty = ElasticNet(amax / 20, 0.8)
    w = np.zeros(data.n_features)
    res = SOLVERS[solver](data, penalty, w, max_iter=100_000, tol=tol)
    assert isinstance(res, SolverResult)
    assert res.converged
    tol_abs = tol * data.tol_scale
    assert res.tol == pytest.approx(tol_abs)
    assert res.dual_gap <= tol_abs
    assert res.coef is w  # updated in place
    # The gap is a real certificate: recomputed from scratch at the solution.
    Xc, yc, _, _ = helpers.centered_scaled(problem.X, problem.y, sw)
    true_gap = helpers.dual_gap(Xc, yc, res.coef, penalty.alpha, 0.8)
    assert true_gap <= tol_abs + 1e-14 * data.tol_scale


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
def test_anderson_on_and_off_agree(helpers, problem, sparse):
    data, sw = _data(helpers, problem, sparse)
    amax = helpers.alpha_max(problem.X, problem.y, 1.0, sw)
    penalty = ElasticNet(amax / 50, 1.0)
    p = data.n_features
    # compiled_below=0: the working-set solver even on the 30-feature problem.
    on = solve_cd(data, penalty, np.zeros(p), tol=1e-13, max_iter=100_000,
                  compiled_below=0)  # fmt: skip
    off = solve_cd(data, penalty, np.zeros(p), tol=1e-13, max_iter=100_000,
                   anderson_k=0, compiled_below=0)  # fmt: skip
    assert on.converged and off.converged
    assert_allclose(on.coef, off.coef, rtol=0, atol=1e-6)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_small_csc_solve_equals_dense_and_working_sets(helpers, regression, weighted,
                                                       l1_ratio):  # fmt: skip
    """Sparse X with few features takes the small-problem solve on the Gram matrix
    of its stored columns (no residual kept), polished at convergence as the
    working-set solve is: the working-set solve's point at the default tolerance,
    and the dense solve's optimum (both solved tightly)."""
    X = regression.X.copy()
    X[np.abs(X) < 0.5] = 0.0
    sw = regression.sample_weight if weighted else None
    p = X.shape[1]

    def solve(Xin, tol, compiled_below=32):
        data = QuadraticData(Xin, regression.y, sw, True)
        w = np.zeros(p)
        res = solve_cd(data, penalty, w, tol=tol, compiled_below=compiled_below)
        assert res.converged
        return w, res

    amax = helpers.alpha_max(X, regression.y, l1_ratio, sw)
    penalty = ElasticNet(amax / 50, l1_ratio)
    small, res = solve(sp.csc_matrix(X), None)
    assert res.residual is None  # the small-problem solve ran
    assert 0 < np.count_nonzero(small) < p
    working_sets, res = solve(sp.csc_matrix(X), None, compiled_below=0)
    assert res.residual is not None
    scale = np.abs(working_sets).max()
    assert_allclose(small, working_sets, rtol=1e-9, atol=1e-9 * scale)
    tight, _ = solve(sp.csc_matrix(X), 1e-10)
    dense, _ = solve(np.asfortranarray(X), 1e-10)
    assert_allclose(tight, dense, rtol=1e-9, atol=1e-9 * scale)


def test_small_csc_solve_hands_tight_tolerances_on():
    """A tolerance below the rounding of a sparse Gram matrix (formed by cancellation
    from shifted columns, integer weights): the small-problem solve hands over to
    the residual form, which certifies it (it looped to max_iter instead)."""
    rng = np.random.default_rng(13)
    X = rng.standard_normal((60, 12))
    X[:, ::3] += 3.0
    y = X[:, :4] @ np.array([3.0, -2.0, 1.5, 1.0]) + 4.0 + rng.standard_normal(60)
    sw = rng.integers(1, 4, size=60).astype(float)
    X[np.abs(X) < 0.5] = 0.0
    data = QuadraticData(sp.csc_matrix(X), y, sw, True)
    assert data.gram_cheap
    penalty = ElasticNet(np.abs(data.grad_at_zero()).max() / 10, 1.0)
    w = np.zeros(X.shape[1])
    loose = solve_cd(data, penalty, w, tol=1e-12, max_iter=5000)
    assert loose.converged and loose.residual is None
    w = np.zeros(X.shape[1])
    res = solve_cd(data, penalty, w, tol=1e-15, max_iter=5000)
    assert res.converged and res.residual is not None and res.n_iter < 5000


def test_small_csc_solve_skipped_when_gram_inaccurate(helpers, regression):
    """A CSC column far from zero (its Gram entries would cancel) sends a small
    sparse problem to the working-set solver, which still finds the dense optimum."""
    X = regression.X.copy()
    X[np.abs(X) < 0.5] = 0.0
    X[:, 4] += 1e3
    data = QuadraticData(sp.csc_matrix(X), regression.y, None, True)
    assert not data.gram_cheap
    penalty = ElasticNet(helpers.alpha_max(X, regression.y) / 20, 1.0)
    w = np.zeros(X.shape[1])
    res = solve_cd(data, penalty, w, tol=1e-10)
    assert res.converged and res.residual is not None
    w_dense = np.zeros(X.shape[1])
    dense = QuadraticData(np.asfortranarray(X), regression.y, None, True)
    solve_cd(dense, penalty, w_dense, tol=1e-10)
    assert_allclose(w, w_dense, rtol=1e-8, atol=1e-8 * np.abs(w_dense).max())


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_cheap_gram_solve_equals_working_sets(l1_ratio):
    """Tall dense data with more than 32 features but a cheap Gram matrix take the
    covariance-form solve (no residual kept), unless the caller asks for the residual
    form (gram=False): the same optimum, solved tightly."""
    data = _correlated(200, 60, 0.9, 3)
    assert data.gram_cheap and data.n_features > 32
    assert not _correlated(20_000, 60, 0.9, 3).gram_cheap  # n p^2 too large
    assert not _correlated(50, 60, 0.9, 3).gram_cheap  # singular Gram matrix
    alpha_max = np.abs(data.grad_at_zero()).max() / l1_ratio
    penalty = ElasticNet(alpha_max / 100, l1_ratio)
    fits = {}
    for gram in (None, False):
        w = np.zeros(data.n_features)
        res = solve_cd(data, penalty, w, tol=1e-11, max_iter=100_000, gram=gram)
        assert res.converged
        assert (res.residual is None) == (gram is None)
        fits[gram] = w
    assert 0 < np.count_nonzero(fits[None]) < data.n_features
    scale = np.abs(fits[False]).max()
    assert_allclose(fits[None], fits[False], rtol=1e-9, atol=1e-9 * scale)


def test_slow_working_set_solve_switches_to_the_gram_matrix():
    """Tall correlated data whose Gram matrix is not cheap enough to start with: once
    the residual-form epochs have cost as much as forming it, the solve continues in
    covariance form (no residual returned; its epochs count on) and reaches the
    optimum in fewer epochs; not with gram=False or keep_state."""
    data = _correlated(5000, 60, 0.95, 5)
    assert not data.gram_cheap and np.isfinite(data.gram_after)
    penalty = ElasticNet(1e-3, 0.9)
    l1_reg, l2_reg = penalty.kernel_params()

    def fit(tol, **options):
        w = np.zeros(data.n_features)
        res = solve_cd(data, penalty, w, tol=tol, max_iter=10_000, **options)
        assert res.converged
        objective = data.primal(w, *data.init_residual(w), l1_reg, l2_reg)
        return w, res, objective

    switched, res, objective = fit(1e-11)
    assert res.residual is None and res.n_iter > 10
    for options in ({"gram": False}, {"keep_state": True}):
        w, other, _ = fit(1e-11, **options)
        assert other.residual is not None and other.n_iter > res.n_iter
    # The residual form solved further: the same optimum (the coefficients to the
    # accuracy its gap allows), which the switched solve reached exactly.
    reference, _, best = fit(1e-14, gram=False)
    assert objective <= best * (1 + 1e-13)
    scale = np.abs(reference).max()
    assert_allclose(switched, reference, rtol=0, atol=1e-7 * scale)


def test_working_set_and_full_set_agree(helpers, wide):
    """p >> n: a small working set (grown from ws_start=2) and the full set from the
    start (ws_start=p) reach the same solution."""
    data, sw = _data(helpers, wide, weighted=False)
    amax = helpers.alpha_max(wide.X, wide.y, 1.0)
    penalty = ElasticNet(amax / 10, 1.0)
    p = data.n_features
    small = solve_cd(data, penalty, np.zeros(p), tol=1e-13, ws_start=2)
    full = solve_cd(data, penalty, np.zeros(p), tol=1e-13, ws_start=p)
    assert small.converged and full.converged
    assert_allclose(small.coef, full.coef, rtol=0, atol=1e-7)
    assert 0 < np.count_nonzero(small.coef) < p // 4
    # FISTA (full gradient) agrees too.
    fista = solve_fista(data, penalty, np.zeros(p), tol=1e-13, max_iter=100_000)
    assert_allclose(fista.coef, small.coef, rtol=0, atol=1e-6)


@pytest.mark.parametrize("compiled_below", [0, 32], ids=["working-sets", "compiled"])
def test_warm_start_at_solution_stops_immediately(helpers, regression, compiled_below):
    data, _ = _data(helpers, regression)
    penalty = ElasticNet(0.1, 0.5)
    w = np.zeros(data.n_features)
    first = solve_cd(data, penalty, w, tol=1e-10, compiled_below=compiled_below)
    again = solve_cd(
        data, penalty, first.coef.copy(), tol=1e-10, compiled_below=compiled_below
    )
    assert again.n_iter == 0
    assert again.converged


@pytest.mark.parametrize("problem_name", ["wide", "regression"])
def test_max_iter_respected(helpers, problem_name):
    prob = helpers.problems[problem_name]
    data, _ = _data(helpers, prob)
    penalty = ElasticNet(1e-3, 1.0)
    for solver in (solve_cd, solve_fista):
        res = solver(data, penalty, np.zeros(data.n_features), tol=1e-14, max_iter=3)
        assert res.n_iter <= 3
        assert not res.converged
        assert res.dual_gap > res.tol


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("rel_tol", [1e-6, 1e-12])
def test_compiled_small_solve(helpers, regression, weighted, l1_ratio, rel_tol):
    """The covariance-form solve of small dense problems (30 features) certifies its
    gap and reaches the working-set solver's optimum."""
    data, sw = _data(helpers, regression, weighted=weighted)
    amax = helpers.alpha_max(regression.X, regression.y, l1_ratio, sw)
    penalty = ElasticNet(amax / 30, l1_ratio)
    p = data.n_features
    small = solve_cd(data, penalty, np.zeros(p), rel_tol=rel_tol, max_iter=100_000)
    assert small.converged and small.n_iter > 0
    assert small.dual_gap <= small.tol
    Xc, yc, _, _ = helpers.centered_scaled(regression.X, regression.y, sw)
    P_small = helpers.objective(Xc, yc, small.coef, 0.0, penalty.alpha, l1_ratio)
    assert small.tol == pytest.approx(data.gap_threshold(None, P_small, rel_tol))
    true_gap = helpers.dual_gap(Xc, yc, small.coef, penalty.alpha, l1_ratio)
    assert true_gap <= small.tol * (1 + 1e-6) + 1e-14 * data.tol_scale
    # The returned gradient is that of the returned coefficients; no residual is
    # kept (the solve never forms it).
    R = yc - Xc @ small.coef
    assert small.residual is None
    assert_allclose(small.grad, -Xc.T @ R / len(R), atol=1e-10 * np.abs(yc).max())
    ref = solve_cd(data, penalty, np.zeros(p), rel_tol=1e-13, max_iter=100_000,
                   compiled_below=0)  # fmt: skip
    P = helpers.objective(Xc, yc, small.coef, 0.0, penalty.alpha, l1_ratio)
    P_ref = helpers.objective(Xc, yc, ref.coef, 0.0, penalty.alpha, l1_ratio)
    assert P - P_ref <= rel_tol * P_ref * (1 + 1e-6) + 1e-14


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("shape", [(200, 12), (8, 12)], ids=["tall", "wide"])
def test_covariance_form_small_solve(dtype, positive, fit_intercept, shape):
    """The small-problem solve (covariance form): the working-set solver's certified
    optimum, an exact returned gradient, constant columns kept at zero, ``max_iter``
    respected."""
    rng = np.random.default_rng(3)
    n, p = shape
    X = rng.standard_normal((n, p)) @ np.triu(np.full((p, p), 0.5)) + 2.0
    X[:, 4] = 3.0  # constant: zero after centring
    y = X[:, :3] @ np.array([1.0, 2.0, -0.5]) + 0.1 * rng.standard_normal(n) + 5.0
    data = QuadraticData(np.asfortranarray(X, dtype=dtype), y.astype(dtype), None,
                         fit_intercept)  # fmt: skip
    penalty = ElasticNet(0.01, 0.7, positive=positive)
    l1_reg, l2_reg = penalty.kernel_params()
    w = np.zeros(p)  # float64 whatever the data's dtype (as _solve_small does)
    G, b, _ = data.gram()
    q = b.copy()
    epochs, gap, threshold, rounding = data.solve_gram(
        w, q, l1_reg, l2_reg, positive, None, 1e-9, 100_000
    )
    assert gap <= threshold and 0 < epochs < 100_000 and rounding < threshold
    if fit_intercept:
        assert w[4] == 0.0
    Xc = data.X.astype(np.float64) - data.kernel_xmean.astype(np.float64)
    R_true = data.y.astype(np.float64) - Xc @ w.astype(np.float64)
    atol = (1e-4 if dtype == np.float32 else 1e-11) * np.abs(data.y).max()
    assert_allclose(-q, -Xc.T @ R_true / n, atol=atol)
    # The covariance-form gap is the one computed from the residual (in float32,
    # within that dtype's rounding of the residual's gap).
    exact, primal, _ = data.exact_gap(w.astype(dtype), l1_reg, l2_reg, positive)
    slack = 1e-6 if dtype == np.float64 else 1e-5
    assert abs(exact - gap) <= slack * primal + rounding
    ref = solve_cd(data, penalty, np.zeros(p, dtype=dtype), rel_tol=1e-9,
                   max_iter=100_000, compiled_below=0)  # fmt: skip
    assert ref.converged
    P_ref = data.primal(ref.coef, *ref.residual, l1_reg, l2_reg)
    # Both are within their certified gaps of the optimum (1e-9 relative in float64;
    # float32 gaps stop at the dtype's floor).
    assert abs(primal - P_ref) <= threshold + ref.tol
    # max_iter stops the epochs, uncertified.
    w = np.zeros(p)
    q = b.copy()
    epochs, gap, threshold, _ = data.solve_gram(
        w, q, l1_reg, l2_reg, positive, None, 1e-14, 3
    )
    assert epochs == 3 and gap > threshold


@pytest.mark.parametrize("with_target", [False, True], ids=["fixed", "target"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_large_working_sets_skip_restricted_checks(
    regression, l1_ratio, with_target, monkeypatch
):
    """With the tall-data rule forced on (a CDTuning), no restricted gap is computed
    and the solve still certifies its gap, at the optimum of the solve with restricted
    checks; working sets of every feature in play take a target (see
    _TARGET_FRACTION) once ``n_samples`` times those features reach
    ``target_min_size``, only then."""
    import skreg.solvers.cd as cd

    data, _ = _data(None, regression, weighted=False)
    penalty = ElasticNet(1e-3, l1_ratio)
    p = data.n_features
    ref = solve_cd(data, penalty, np.zeros(p), rel_tol=1e-10, compiled_below=0,
                   gram=False)  # fmt: skip
    calls = []
    original = cd._restricted_dual
    monkeypatch.setattr(
        cd, "_restricted_dual", lambda *a: calls.append(1) or original(*a)
    )
    tuning = replace(cd.DEFAULT_TUNING, tall=0, tall_min_samples=0, large_ws=0.0)
    if with_target:
        tuning = replace(tuning, target_min_size=data.n_samples * p)
    targets = []
    inner = cd._inner_loop

    def spy(*args, **kwargs):
        ws = args[4]
        targets.append((ws.shape[0], kwargs.get("target")))
        return inner(*args, **kwargs)

    monkeypatch.setattr(cd, "_inner_loop", spy)
    res = solve_cd(data, penalty, np.zeros(p), rel_tol=1e-10, compiled_below=0,
                   gram=False, tuning=tuning)  # fmt: skip
    assert res.converged and res.dual_gap <= res.tol
    assert not calls
    assert data.n_samples * p < cd.DEFAULT_TUNING.target_min_size  # default: no target
    with_ws_p = [t for size, t in targets if size == p]
    assert with_ws_p and all((t is not None) == with_target for t in with_ws_p)
    assert all(t is None for size, t in targets if size < p)
    l1_reg, l2_reg = penalty.kernel_params()
    P = data.primal(res.coef, *res.residual, l1_reg, l2_reg)
    P_ref = data.primal(ref.coef, *ref.residual, l1_reg, l2_reg)
    assert abs(P - P_ref) <= res.tol + ref.tol


def _tall_problem():
    rng = np.random.default_rng(11)
    n, p = 3000, 80
    Z = rng.standard_normal((n, p))
    X = np.empty((n, p))
    X[:, 0] = Z[:, 0]
    for j in range(1, p):  # Toeplitz-like correlation between neighbours
        X[:, j] = 0.6 * X[:, j - 1] + 0.8 * Z[:, j]
    beta = np.zeros(p)
    beta[::4] = rng.standard_normal(p // 4)
    y = X @ beta + rng.standard_normal(n)
    return QuadraticData(np.asfortranarray(X), y, None, True)


def _run_to_target(data, penalty, target, w0=None, tuning=None):
    """``_epochs_then_return`` over every feature from ``w0`` (default zero),
    recording the epochs; ``tuning`` defaults to the solver's."""
    import skreg.solvers.cd as cd

    p = data.n_features
    w = np.zeros(p) if w0 is None else w0.copy()
    R, offset = data.init_residual(w)
    l1_reg, l2_reg = penalty.kernel_params()
    tuning = cd.DEFAULT_TUNING if tuning is None else tuning
    state = cd._DualState(data, penalty.solver_params(), tuning)
    sweeps = []
    epoch = data.epoch

    def recording_epoch(w_, R_, offset_, sweep, *args):
        before = np.flatnonzero(w_)
        out = epoch(w_, R_, offset_, sweep, *args)
        sweeps.append((sweep.copy(), before, np.flatnonzero(w_)))
        return out

    data.epoch = recording_epoch
    try:
        ws = np.arange(p, dtype=np.int64)
        n_epochs, offset, R = cd._epochs_then_return(
            data, w, R, offset, ws, state, target, 1000, 5, 0, cd._EARLY_CHECK
        )
    finally:
        del data.epoch
    return w, n_epochs, data.primal(w, R, offset, l1_reg, l2_reg), sweeps


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_tall_inner_loop_solves_to_its_target(l1_ratio):
    """Without restricted gaps, the large-working-set loop of tall data sweeps the
    support while no feature enters, returns after a closing full sweep once the
    objective left to gain (estimated from the last two decreases) is below its
    target, and at the latest after ``CDTuning.target_max`` epochs; a support of more
    than half the working set returns after _EARLY_CHECK epochs."""
    import skreg.solvers.cd as cd

    data = _tall_problem()
    p = data.n_features
    amax = float(np.max(np.abs(data.grad_at_zero()))) / l1_ratio
    penalty = ElasticNet(amax / 10, l1_ratio)  # supports of 14 to 43 of 80 features
    l1_reg, l2_reg = penalty.kernel_params()
    ref = solve_cd(data, penalty, np.zeros(p), rel_tol=1e-13, compiled_below=0)
    P_opt = data.primal(ref.coef, *ref.residual, l1_reg, l2_reg)
    scale = data.tol_scale
    epochs, subopts = [], []
    for target in (1e-4 * scale, 1e-9 * scale):
        w, n_epochs, P, sweeps = _run_to_target(data, penalty, target)
        assert n_epochs == len(sweeps) < cd.DEFAULT_TUNING.target_max
        # A sweep of part of the working set visits the support, and only after a
        # sweep that brought no new feature in; the last sweep covers all of it.
        assert sweeps[-1][0].shape[0] == p
        for (_, before, after), (sweep, support, _) in zip(
            sweeps[:-1], sweeps[1:], strict=True
        ):
            if sweep.shape[0] < p:
                assert np.all(np.isin(after, before))
                assert np.all(np.isin(support, sweep))
        epochs.append(n_epochs)
        subopts.append(P - P_opt)
    # The smaller target runs longer and ends far closer to the optimum than the
    # four epochs a loop without target runs (1e-5 to 3e-4 relative here). The
    # estimate is about the support: the closing sweep may still find a feature.
    assert epochs[0] < epochs[1] and subopts[1] < subopts[0]
    assert subopts[1] <= 1e-6 * abs(P_opt)
    assert sum(s[0].shape[0] < p for s in sweeps) >= 3
    # Features leaving the support do not force the next sweep to cover everything.
    assert any(
        sweep.shape[0] < p and prev.shape[0] == p and len(after) < len(before)
        for (prev, before, after), (sweep, _, _) in zip(
            sweeps[:-1], sweeps[1:], strict=True
        )
    )
    # The objective stops decreasing (here from the optimum itself): the loop ends.
    _, n_epochs, P, _ = _run_to_target(data, penalty, 1e-300, ref.coef)
    assert n_epochs <= 8 and P - P_opt <= 1e-12 * abs(P_opt)
    # A target no estimate reaches: the loop returns after target_max epochs.
    tuning = replace(cd.DEFAULT_TUNING, target_max=7)
    _, n_epochs, _, sweeps = _run_to_target(data, penalty, 1e-300, tuning=tuning)
    assert n_epochs == 7 and sweeps[-1][0].shape[0] == p
    # Epochs that change nothing at all (the zero solution, alpha above alpha_max).
    _, n_epochs, _, _ = _run_to_target(data, ElasticNet(2 * amax, l1_ratio), 1e-300)
    assert n_epochs <= 4
    # A support of more than half the working set makes support sweeps hardly cheaper
    # than full ones: the loop returns after _EARLY_CHECK epochs, as without a target.
    dense = ElasticNet(amax / 200, l1_ratio)
    _, n_epochs, _, sweeps = _run_to_target(data, dense, 1e-9 * scale)
    assert n_epochs == cd._EARLY_CHECK
    assert all(s[0].shape[0] == p for s in sweeps)


def test_tall_target_only_for_working_sets_of_every_feature(monkeypatch):
    """solve_cd gives the tall-data loop a target only when the working set holds
    every feature in play (a smaller one may miss features: solving it further would
    be wasted)."""
    import skreg.solvers.cd as cd

    data = _tall_problem()
    p = data.n_features
    amax = float(np.max(np.abs(data.grad_at_zero())))
    tuning = replace(cd.DEFAULT_TUNING, large_ws=0.0, target_min_size=0)
    calls = []
    inner = cd._inner_loop

    def spy(*args, **kwargs):
        calls.append((args[4].shape[0], kwargs.get("target")))
        return inner(*args, **kwargs)

    monkeypatch.setattr(cd, "_inner_loop", spy)
    # Without the finishing step, which solves this problem before the working set
    # has grown to every feature.
    res = solve_cd(data, ElasticNet(amax / 20, 1.0), np.zeros(p), ws_start=5,
                   screening=False, compiled_below=0, gram=False,
                   finish=False, tuning=tuning)  # fmt: skip
    assert res.converged
    assert any(size < p for size, _ in calls) and any(size == p for size, _ in calls)
    assert all((target is not None) == (size == p) for size, target in calls)


def test_working_set_grows_fast_only_after_a_stall():
    """Twice the support normally; eight times (capped by n_samples) when the gap
    stalled and the last working set filled up with nonzeros."""
    from skreg.solvers import cd

    class State:
        params = (0.1, 0.0, False, np.empty(0), np.empty(0), np.empty(0))
        ws_size = 10

        class data:
            n_samples = 1000

    p = 500
    w = np.zeros(p)
    w[:9] = 1.0  # 9 nonzeros in a working set of 10: full
    grad = np.linspace(-1, 1, p)
    active = np.arange(p, dtype=np.int64)
    state = State()
    calm = cd._working_set(w, grad, active, None, 5, state, stalled=False)
    assert calm.shape[0] == 18 and state.ws_size == 18
    state.ws_size = 10
    stalled = cd._working_set(w, grad, active, None, 5, state, stalled=True)
    assert stalled.shape[0] == 9 * cd._WS_GROW
    assert np.all(np.isin(np.arange(9), stalled))  # the support stays in
    state.ws_size = 100  # not full: 9 of 100
    assert cd._working_set(w, grad, active, None, 5, state, stalled=True).shape[0] == 18
    State.data.n_samples = 40  # the cap
    state.ws_size = 10
    assert cd._working_set(w, grad, active, None, 5, state, stalled=True).shape[0] == 40


@pytest.mark.parametrize("solver", sorted(SOLVERS))
def test_verbose_prints_gap(helpers, regression, solver, capsys):
    data, _ = _data(helpers, regression)
    SOLVERS[solver](
        data, ElasticNet(0.1, 0.5), np.zeros(data.n_features), tol=1e-8, verbose=1
    )
    out = capsys.readouterr().out
    assert f"[skreg {solver}]" in out
    assert "gap" in out
    SOLVERS[solver](
        data, ElasticNet(0.1, 0.5), np.zeros(data.n_features), tol=1e-8, verbose=0
    )
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_gram_inner_loop_matches_plain(l1_ratio):
    """Covariance-form epochs reach the same solution as residual-form epochs."""
    from skreg import penalties
    from skreg.datafits import QuadraticData
    from skreg.solvers.cd import solve_cd

    rng = np.random.default_rng(3)
    X = np.asfortranarray(rng.standard_normal((400, 30)) + 2.0)
    y = X[:, :4] @ np.array([1.0, -2.0, 0.5, 3.0]) + rng.standard_normal(400)
    data = QuadraticData(X, y, rng.uniform(0.5, 2.0, 400), True)
    pen = penalties.ElasticNet(0.05, l1_ratio)
    w_plain, w_gram = np.zeros(30), np.zeros(30)
    r_plain = solve_cd(data, pen, w_plain, tol=1e-12, gram=False)
    r_gram = solve_cd(data, pen, w_gram, tol=1e-12, gram=True)
    assert r_plain.converged and r_gram.converged
    np.testing.assert_allclose(w_gram, w_plain, atol=1e-8)


class _WeightedQuadratic:
    """A datafit written outside skreg, in NumPy: ``sum_i s_i (y_i - x_i w)^2 / (2 n)``.

    Sample weights ``s`` (normalised to sum to ``n``), no intercept. It implements the
    interface of :mod:`skreg.solvers.cd` ("Interface") and nothing else: the solver
    fits it unchanged. ``sparse = True`` declares no covariance form.
    """

    sparse = True

    def __init__(self, X, y, s):
        n = X.shape[0]
        root = np.sqrt(s * n / s.sum())
        self.X, self.y = X * root[:, None], y * root
        self.n_samples, self.n_features = X.shape
        self.inv_n = 1.0 / n
        self.lipschitz = (self.X**2).sum(axis=0) / n

    def init_residual(self, w):
        return self.y - self.X @ w, 0.0

    def true_residual(self, R, offset):
        return R

    def update_residual(self, R, offset, ws, delta):
        R -= self.X[:, ws] @ delta
        return 0.0

    def epoch(self, w, R, offset, ws, l1_reg, l2_reg, positive, weights, lower, upper):
        change = 0.0
        for j in ws:
            L = self.lipschitz[j]
            f = weights[j] if weights.shape[0] else 1.0
            x = w[j] + self.X[:, j] @ R / self.n_samples / L
            new = np.sign(x) * max(abs(x) - f * l1_reg / L, 0.0) / (1 + f * l2_reg / L)
            if positive:
                new = max(new, 0.0)
            if lower.shape[0]:
                new = min(max(new, lower[j]), upper[j])
            R -= (new - w[j]) * self.X[:, j]
            change = max(change, abs(new - w[j]))
            w[j] = new
        return change, 0.0

    def gradient(self, R, offset, ws):
        return -(self.X[:, ws].T @ R) / self.n_samples

    def grad_at_zero(self):
        return self.gradient(self.y, 0.0, np.arange(self.n_features))

    def primal(self, w, R, offset, l1_reg, l2_reg, weights=None):
        f = np.ones_like(w) if weights is None or not weights.shape[0] else weights
        pen = l1_reg * f @ np.abs(w) + 0.5 * l2_reg * f @ (w * w)
        return 0.5 * R @ R / self.n_samples + pen

    def gap_threshold(self, tol, primal, rel_tol):
        return rel_tol * primal if tol is None else tol * self.y @ self.y / len(self.y)

    def dual_stats(self, theta, xt_theta, params, features=None):
        n = self.n_samples
        return self.project_stats(
            xt_theta, theta @ theta / n, theta @ self.y / n, params
        )

    def project_stats(self, xt_theta, t2, ty, params, features=None):
        assert not params[3].shape[0] or params[3].all()  # no unpenalised feature
        return np.ascontiguousarray(xt_theta, dtype=np.float64), t2, ty

    def dual_value(self, w, theta, xt_theta, *params, features=None):
        from skreg.datafits import enet_dual

        stats = self.dual_stats(theta, xt_theta, params)
        l1_reg, l2_reg, positive, weights, lower, upper = params
        if features is not None and weights.shape[0]:
            weights = np.ascontiguousarray(weights[features])
        return enet_dual(w, stats, (l1_reg, l2_reg, positive, weights, lower, upper))


@pytest.mark.parametrize("with_factors", [False, True])
def test_a_new_datafit_plugs_in_without_solver_changes(regression, with_factors):
    """The interface contract of solve_cd: a NumPy weighted quadratic is solved as is,
    to the solution skreg's own datafit (rows scaled by the weights) reaches."""
    from skreg import ElasticNet as ElasticNetModel
    from skreg.solvers.cd import DATAFIT_REQUIRED, check_interface

    X, y, s = regression.X, regression.y, regression.sample_weight
    pf = np.linspace(0.5, 2.0, X.shape[1]) if with_factors else None
    penalty = ElasticNet(0.1, 0.7, penalty_factor=pf, n_features=X.shape[1])
    data = _WeightedQuadratic(X, y, s)
    w = np.zeros(X.shape[1])
    result = solve_cd(data, penalty, w, rel_tol=1e-10, finish=False)
    assert result.converged
    ref = ElasticNetModel(
        alpha=0.1, l1_ratio=0.7, fit_intercept=False, penalty_factor=pf, tol=1e-12
    ).fit(X, y, sample_weight=s)
    # Same objective to the certified 1e-10; coefficients to what that certifies
    # (the reference is exact on its support, this fit is not polished).
    R = data.y - data.X @ ref.coef_
    p_ref = data.primal(ref.coef_, R, 0.0, *penalty.kernel_params(), penalty.weights)
    p_new = data.primal(w, *data.init_residual(w), *penalty.kernel_params(),
                        penalty.weights)  # fmt: skip
    assert p_ref <= p_new <= p_ref * (1 + 1e-10)
    np.testing.assert_allclose(w, ref.coef_, rtol=0, atol=1e-5)
    # What is missing is named at the start.
    with pytest.raises(TypeError, match="lacks hessian"):
        check_interface(data, penalty, finish=True)
    partial = SimpleNamespace(
        **{name: getattr(data, name) for name in DATAFIT_REQUIRED if name != "epoch"}
    )
    with pytest.raises(TypeError, match="lacks epoch"):
        check_interface(partial, penalty, finish=False)


def _correlated(n, p, rho, seed, sparse=False):
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, p))
    X = np.empty((n, p))
    X[:, 0] = Z[:, 0]
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1 - rho**2) * Z[:, j]
    beta = np.zeros(p)
    beta[::3] = rng.standard_normal(beta[::3].shape[0])
    y = X @ beta + rng.standard_normal(n)
    X = sp.csc_matrix(X) if sparse else np.asfortranarray(X)
    return QuadraticData(X, y, None, True)


@pytest.mark.parametrize(
    "sparse, gram, k, stops_seen",
    [
        (False, None, 1, {"_inner_loop", "gap check"}),
        (False, None, 7, {"_inner_loop"}),
        (False, True, 3, {"_inner_loop_gram"}),
        (True, None, 2, {"_inner_loop", "gap check"}),
    ],
)
def test_resumed_solve_follows_one_longer_solve(sparse, gram, k, stops_seen):
    """``keep_state`` / ``resume`` in budgets of ``k`` epochs: the iterates of one
    solve, whether a budget ends inside an inner loop (residual or covariance form)
    or at a full gap check."""
    from skreg.solvers.cd import CDState

    data = _correlated(800, 120, 0.95, 4, sparse)
    penalty = ElasticNet(1e-4, 0.8)
    total = 84
    # (compiled_below=0: the working-set solver, which this table's cheap Gram
    # matrix would otherwise skip, QuadraticData.gram_cheap.)
    options = dict(gram=gram, compiled_below=0)
    ref = solve_cd(data, penalty, np.zeros(120), max_iter=total, **options)
    assert not ref.converged and ref.n_iter == total
    w, state, stops = np.zeros(120), None, set()
    for _ in range(total // k):
        res = solve_cd(
            data, penalty, w, max_iter=k, keep_state=True, resume=state, **options
        )
        assert res.n_iter == k and isinstance(res.state, CDState)
        state = res.state
        stops.add("gap check" if state.inner is None else state.inner[0].__name__)
    assert stops == stops_seen
    assert_allclose(res.coef, ref.coef, rtol=0, atol=1e-13 * np.abs(ref.coef).max())
    assert res.dual_gap == pytest.approx(ref.dual_gap, rel=1e-9)


def test_keep_state_only_without_warm_start():
    from skreg.solvers import WarmStart

    data = _correlated(50, 20, 0.5, 0)
    with pytest.raises(ValueError, match="without a warm start"):
        solve_cd(data, ElasticNet(0.1), np.zeros(20), keep_state=True, warm=WarmStart())
