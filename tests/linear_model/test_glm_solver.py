"""The GLM proximal Newton solver: tight tolerances certify, the working set."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from skreg import SparseLogisticRegression, SparsePoissonRegressor
from skreg.datafits_glm import Logistic, Multinomial, Poisson
from skreg.solvers.prox_newton import GLMProblem, solve_prox_newton


def _correlated(n, p, seed, rho=0.6):
    rng = np.random.default_rng(seed)
    X = np.empty((n, p), order="F")
    X[:, 0] = rng.standard_normal(n)
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1 - rho**2) * rng.standard_normal(n)
    return X, rng


def _problem(kind):
    """A p > n binary, a 3-class and a Poisson problem at a small alpha."""
    if kind == "binary":
        X, rng = _correlated(60, 120, 0)
        eta = X[:, :5] @ np.array([2.0, -1.5, 1.0, 1.0, -1.0])
        y = (rng.uniform(size=60) < 1 / (1 + np.exp(-eta))).astype(int)
        return X, y, SparseLogisticRegression, Logistic, y[:, None].astype(float)
    if kind == "multinomial":
        X, rng = _correlated(90, 15, 1)
        y = np.argmax(X[:, :3] * 2 + rng.gumbel(size=(90, 3)), axis=1)
        return X, y, SparseLogisticRegression, Multinomial, np.eye(3)[y]
    X, rng = _correlated(80, 20, 2)
    y = rng.poisson(np.exp(0.3 + X[:, :3] @ np.array([0.5, -0.4, 0.3]))).astype(float)
    return X, y, SparsePoissonRegressor, Poisson, y[:, None]


@pytest.mark.parametrize("kind", ["binary", "multinomial", "poisson"])
@pytest.mark.parametrize("fmt", ["dense", "csc"])
def test_tight_tolerance_is_certified(kind, fmt):
    """tol=1e-10 converges without warning, and the reported gap is a true gap.

    The previous solver stalled near a relative gap of 1e-8: its line searches
    compared two rounded objectives, and refused every step once the decrease
    fell below their rounding.
    """
    X, y, cls, datafit, Y = _problem(kind)
    Xf = sp.csc_matrix(X) if fmt == "csc" else X
    problem = GLMProblem(X, Y, None, datafit, alpha=1.0, l1_ratio=1.0)
    alpha = problem.alpha_max() / 50
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = cls(alpha=alpha, tol=1e-10, max_iter=500).fit(Xf, y)
    problem.set_penalty(alpha, 1.0)
    W = np.atleast_2d(est.coef_).astype(float)
    b = np.atleast_1d(est.intercept_).astype(float)
    if datafit is Logistic:
        W, b = W[:1], b[:1]
    eta = problem.linear_predictor(W, b)
    gap, primal = problem.dual_gap(W, eta)
    # Recomputed at the returned point (no intercept polishing): the gap certifies
    # 1e-10 relative up to the rounding of the objective.
    assert gap <= 1e-10 * primal + 1e-14
    assert est.dual_gap_ <= 1e-10 * primal


def test_line_search_accepts_steps_below_the_objectives_rounding():
    """``change`` of each datafit is the objective difference, accurate near zero
    (a difference of two objectives would be rounding at this scale)."""
    rng = np.random.default_rng(3)
    eta = rng.standard_normal(50)
    y = (rng.uniform(size=50) < 0.5).astype(float)
    s = np.full(50, 1 / 50)
    delta = 1e-9 * rng.standard_normal(50)
    for f, Y in ((Logistic, y), (Poisson, np.round(2 * y))):
        mu = f.mean(eta[:, None])[:, 0]
        exact = float(s @ ((mu - Y) * delta))  # first order: |delta| ~ 1e-9
        change = f.change(Y, eta, mu, delta, s)
        assert change == pytest.approx(exact, rel=1e-6)
    # The multinomial's change under one shift of every row (intercept polishing).
    Y3 = np.eye(3)[rng.integers(0, 3, 50)]
    eta3 = rng.standard_normal((50, 3))
    mu3 = Multinomial.mean(eta3)
    step = 1e-9 * rng.standard_normal(3)
    exact = float(s @ ((mu3 - Y3) @ step))
    assert Multinomial.shift_change(Y3, mu3, step, s) == pytest.approx(exact, rel=1e-6)


def _strong_rule_violation_problem():
    """Three latent factors behind 12 features: the strong rule fails at step 8."""
    rng = np.random.default_rng(6)
    n, p = 40, 12
    Z = rng.standard_normal((n, 3))
    X = Z @ rng.standard_normal((3, p)) + 0.3 * rng.standard_normal((n, p))
    X = np.asfortranarray(X)
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(X[:, 0] - X[:, 1])))).astype(float)
    return X, y


def test_strong_rule_violation_is_caught_by_the_kkt_check():
    # The sequential strong rule assumes |G_j| moves no faster than alpha; here it
    # discards a feature that the next solution needs. The path adds it back (the
    # KKT check of every feature) and still certifies that point to tol.
    from skreg._glm_path import glm_path
    from skreg.solvers.prox_newton import strong_set

    X, y = _strong_rule_violation_problem()
    tol = 1e-8
    problem = GLMProblem(X, y[:, None], None, Logistic, alpha=1.0, l1_ratio=1.0)
    alphas = problem.alpha_max() * np.geomspace(1, 0.05, 12)
    _, coefs, intercepts, gaps, _, converged = glm_path(
        X, y[:, None], alphas=alphas, tol=tol
    )
    i = 8
    problem.set_penalty(alphas[i - 1], 1.0)
    W_prev = coefs[:, :, i - 1]
    eta = problem.linear_predictor(W_prev, intercepts[:, i - 1])
    _, _, G_prev = problem.gap_and_gradient(W_prev, eta)
    problem.set_penalty(alphas[i], 1.0)
    kept = strong_set(problem, W_prev, G_prev, alphas[i - 1])
    W = coefs[:, :, i]
    missed = np.flatnonzero((W[0] != 0) & ~kept)
    assert missed.size > 0  # the rule discarded a feature that entered
    # The path's point is optimal all the same: certified gap, KKT conditions met.
    eta = problem.linear_predictor(W, intercepts[:, i])
    plain_gap, primal, G = problem.gap_and_gradient(W, eta)
    assert converged[i]
    assert gaps[i] <= tol * primal
    # The certified gap (the better of the path's dual points) bounds the true
    # suboptimality, against a tight solve, and is at most the plain gradient's.
    W0, b0 = np.zeros_like(W), problem.null_intercept()
    ref = solve_prox_newton(problem, W0, b0, tol=1e-14, max_iter=500)
    assert primal - ref.primal <= gaps[i] + 1e-15
    assert gaps[i] <= plain_gap * (1 + 1e-12) + 1e-16
    l1 = problem.l1_reg
    support = W[0] != 0
    np.testing.assert_allclose(
        G[0, support], -l1 * np.sign(W[0, support]), atol=1e-4 * l1
    )
    assert np.all(np.abs(G[0, ~support]) <= l1 * (1 + 1e-4))


@pytest.mark.parametrize("fmt", ["dense", "csc"])
def test_extreme_class_weights_converge_in_few_newton_steps(fmt):
    """Every point fitted to a probability near 1e-7 (class weights 1000 : 1e-4, as
    scikit-learn's check_class_weight_classifiers) keeps its true curvature.

    glmnet's absolute floor of the IRLS weights (1e-5) was 100 times the true
    curvature there: every Newton step was damped to 1% of its length, and a
    2-feature fit used all of max_iter=1000 without certifying tol=1e-9.
    """
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(-5, 20, (24, 2)), rng.normal(8, 20, (26, 2))]
    y = np.r_[np.zeros(24, int), np.ones(26, int)]
    Xf = sp.csc_matrix(X) if fmt == "csc" else X
    cw = {0: 1000.0, 1: 1e-4}
    s = np.where(y == 0, 1000.0, 1e-4)
    Y = y[:, None].astype(float)
    problem = GLMProblem(X, Y, s / s.sum(), Logistic, alpha=1.0, l1_ratio=1.0)
    alpha = problem.alpha_max() / 20
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = SparseLogisticRegression(alpha=alpha, tol=1e-9, class_weight=cw).fit(
            Xf, y
        )
    assert est.n_iter_ <= 20
    assert np.count_nonzero(est.coef_) > 0
    # The gap is a true gap: no point of a tight reference is lower by more.
    ref = SparseLogisticRegression(alpha=alpha, tol=1e-10, class_weight=cw).fit(X, y)
    problem.set_penalty(alpha, 1.0)

    def objective(m):
        W = np.atleast_2d(m.coef_).astype(float)
        b = np.atleast_1d(m.intercept_).astype(float)
        return problem.primal(problem.linear_predictor(W, b), W)

    assert objective(est) - objective(ref) <= est.dual_gap_ + 1e-15 * objective(ref)


def _tight(problem):
    """The optimum's objective, from a tight solve (relative gap 1e-14)."""
    K, p = problem.Y.shape[1], problem.X.shape[1]
    W, b = np.zeros((K, p)), problem.null_intercept()
    return solve_prox_newton(problem, W, b, tol=1e-14, max_iter=500).primal


def _dual_value(problem, Q):
    """The dual value at the dual mean ``Q``, rebuilt by hand (no solver code)."""
    U = problem.s[:, None] * (Q - problem.Y)
    V = -problem.xt_dot(U)
    if problem.l2_reg > 0:
        excess = np.maximum(np.abs(V) - problem.l1_reg, 0.0)
        omega_star = float((excess**2).sum()) / (2 * problem.l2_reg)
    else:
        omega_star = 0.0
    return -problem.datafit.conjugate(problem.Y, Q, problem.s) - omega_star, U, V


@pytest.mark.parametrize(
    ("kind", "fmt", "l1_ratio"),
    [
        ("binary", "dense", 1.0),  # p > n
        ("binary", "csc", 1.0),
        ("binary", "dense", 0.5),
        ("multinomial", "dense", 1.0),
        ("poisson", "csc", 1.0),
    ],
)
def test_certified_gap_is_a_true_bound_from_a_feasible_dual_point(kind, fmt, l1_ratio):
    # At a loose tolerance (the certificate then matters), the reported gap is the
    # objective minus the dual value at the returned dual point, that point is
    # feasible (to rounding), and the gap is at least the true suboptimality.
    X, _, _, datafit, Y = _problem(kind)
    Xf = sp.csc_matrix(X) if fmt == "csc" else X
    problem = GLMProblem(Xf, Y, None, datafit, alpha=1.0, l1_ratio=l1_ratio)
    problem.set_penalty(problem.alpha_max() / 20, l1_ratio)
    p_star = _tight(problem)
    for max_iter in (1, 2, 3, 100):
        W, b = np.zeros((Y.shape[1], X.shape[1])), problem.null_intercept()
        res = solve_prox_newton(problem, W, b, tol=1e-3, max_iter=max_iter)
        eta = problem.linear_predictor(W, b)
        primal = problem.primal(eta, W)
        assert res.primal == pytest.approx(primal, rel=1e-12)
        assert res.dual_gap >= primal - p_star - 1e-14
        dual, U, V = _dual_value(problem, res.dual_mean)
        assert primal - dual == pytest.approx(res.dual_gap, rel=1e-9, abs=1e-14)
        # Feasible: the dual mean in the conjugate's domain, the intercepts'
        # constraint met, and (L1) -X^T U inside the unit ball of l1.
        Q = res.dual_mean
        assert np.all(Q >= 0)
        if datafit is not Poisson:
            assert np.all(Q <= 1)
        if datafit is Multinomial:
            np.testing.assert_allclose(Q.sum(axis=1), 1.0, rtol=1e-12)
        np.testing.assert_allclose(U.sum(axis=0), 0.0, atol=1e-14)
        if l1_ratio == 1.0:
            assert np.abs(V).max() <= problem.l1_reg * (1 + 1e-10)


def test_model_dual_point_tightens_the_gap():
    # After two Newton iterations, the last Newton model's gradient is a better dual
    # point than the gradient at the iterate: the gap shrinks by more than a
    # third, and still bounds the suboptimality.
    # 20 features: the working set is most of them, so the solver pays for the
    # model's dual point (a product with the whole of X).
    rng = np.random.default_rng(0)
    n, p = 200, 20
    Z = rng.standard_normal((n, p))
    X = np.asfortranarray(Z + 0.8 * Z[:, [0]])
    eta = X[:, :5].sum(axis=1)
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
    problem = GLMProblem(X, y[:, None], None, Logistic, alpha=1.0, l1_ratio=1.0)
    problem.set_penalty(problem.alpha_max() / 30, 1.0)
    p_star = _tight(problem)
    W, b = np.zeros((1, p)), problem.null_intercept()
    res = solve_prox_newton(problem, W, b, tol=1e-14, max_iter=2, finish=False)
    eta = problem.polish_intercept(W, b, problem.linear_predictor(W, b))
    plain_gap, primal, _ = problem.gap_and_gradient(W, eta)
    assert res.dual_gap <= 0.7 * plain_gap
    assert res.dual_gap >= primal - p_star
    # The certificate of the point alone (what the reports recompute), with the
    # dual point of a Newton model at the point: a true bound, and tighter than
    # the gradient's.
    point_gap, _ = problem.dual_gap(W, eta)
    assert primal - p_star <= point_gap < plain_gap
