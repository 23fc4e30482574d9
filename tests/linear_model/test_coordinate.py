"""Correctness of ``skreg.ElasticNet`` / ``skreg.Lasso`` from references and first
principles: scikit-learn's estimators at tight tolerance, the exact LARS lasso path,
and the duality gap and KKT conditions rebuilt by hand at the returned solution."""

from __future__ import annotations

import functools

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn import linear_model as sk_lm
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import lars_path

from skreg import ElasticNet, Lasso

L1_RATIOS = [1.0, 0.7, 0.1]
# alpha = alpha_max / ALPHA_DIVISOR
ALPHA_DIVISORS = [2, 10, 100]
SOLVERS = ["cd", "fista"]
# The relative tolerances asked in float64. The coefficient error is only bounded by
# sqrt(2 gap / mu) (mu: strong-convexity modulus, 0 for the lasso), so the customary
# 1e-12 leaves up to ~1e-5 of slack in the coefficients of the wide elastic net. The
# (dense) scikit-learn reference is solved to 1e-14; skreg to 1e-13, the smallest
# relative gap that implicitly-centred sparse storage can certify in float64 on these
# problems (scikit-learn's sparse solver cannot reach 1e-14 on them either).
TOL_REF = 1e-14
TOL64 = 1e-13
MAX_ITER = {"cd": 10_000, "fista": 100_000}

# Variants of the fit: storage, intercept, sample weights and sign constraint.
VARIANTS = {
    "dense": dict(sparse=False, fit_intercept=True, weighted=False, positive=False),
    "csc": dict(sparse=True, fit_intercept=True, weighted=False, positive=False),
    "dense-nointercept": dict(
        sparse=False, fit_intercept=False, weighted=False, positive=False
    ),
    "csc-nointercept-weighted": dict(
        sparse=True, fit_intercept=False, weighted=True, positive=False
    ),
    "dense-weighted": dict(
        sparse=False, fit_intercept=True, weighted=True, positive=False
    ),
    "csc-weighted": dict(
        sparse=True, fit_intercept=True, weighted=True, positive=False
    ),
    "dense-positive": dict(
        sparse=False, fit_intercept=True, weighted=False, positive=True
    ),
    "csc-positive-weighted": dict(
        sparse=True, fit_intercept=True, weighted=True, positive=True
    ),
}


def _skreg(l1_ratio, **params):
    if l1_ratio == 1.0:
        return Lasso(**params)
    return ElasticNet(l1_ratio=l1_ratio, **params)


def _setting(helpers, problem_name, variant, l1_ratio, divisor):
    v = VARIANTS[variant]
    prob = helpers.problems[problem_name]
    sw = prob.sample_weight if v["weighted"] else None
    amax = helpers.alpha_max(
        prob.X, prob.y, l1_ratio, sw, v["fit_intercept"], v["positive"]
    )
    return prob, sw, amax / divisor, v


_REFERENCES: dict = {}


def _sklearn_reference(helpers, problem_name, variant, l1_ratio, divisor):
    """scikit-learn's float64 solution (cached: shared by both solvers and dtypes)."""
    key = (problem_name, variant, l1_ratio, divisor)
    if key not in _REFERENCES:
        prob, sw, alpha, v = _setting(helpers, problem_name, variant, l1_ratio, divisor)
        ref = sk_lm.ElasticNet(
            alpha=alpha,
            l1_ratio=l1_ratio,
            fit_intercept=v["fit_intercept"],
            positive=v["positive"],
            tol=TOL_REF,
            max_iter=100_000,
        ).fit(prob.X, prob.y, sample_weight=sw)
        _REFERENCES[key] = (ref.coef_.copy(), float(ref.intercept_))
    return _REFERENCES[key]


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("divisor", ALPHA_DIVISORS)
@pytest.mark.parametrize("l1_ratio", L1_RATIOS)
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_matches_sklearn_float64(helpers, problem, variant, l1_ratio, divisor, solver):
    prob, sw, alpha, v = _setting(helpers, problem.name, variant, l1_ratio, divisor)
    ref_coef, ref_intercept = _sklearn_reference(
        helpers, problem.name, variant, l1_ratio, divisor
    )
    X = sp.csc_matrix(prob.X) if v["sparse"] else prob.X
    model = _skreg(
        l1_ratio,
        alpha=alpha,
        fit_intercept=v["fit_intercept"],
        positive=v["positive"],
        tol=TOL64,
        max_iter=MAX_ITER[solver],
        solver=solver,
    ).fit(X, prob.y, sample_weight=sw)

    obj = helpers.objective(
        prob.X, prob.y, model.coef_, model.intercept_, alpha, l1_ratio, sw
    )
    obj_ref = helpers.objective(
        prob.X, prob.y, ref_coef, ref_intercept, alpha, l1_ratio, sw
    )
    assert abs(obj - obj_ref) <= 1e-8 * obj_ref
    assert_allclose(model.coef_, ref_coef, rtol=0, atol=1e-5)
    # The intercept is ybar - xbar @ w: its error is the coefficient error times
    # ||xbar||_1 (the columns are shifted by up to 3 here).
    assert_allclose(model.intercept_, ref_intercept, rtol=0, atol=1e-4)
    assert model.coef_.dtype == np.float64
    if v["positive"]:
        assert np.all(model.coef_ >= 0)
    if not v["fit_intercept"]:
        assert model.intercept_ == 0.0


# float32 cannot reach a relative gap of 1e-13 (nor objectives within 1e-8): its unit
# roundoff is 6e-8, and the residual, of the order of ||y_c||, carries that relative
# error into every gradient and gap evaluation. A float32 fit is therefore compared with
# the *float64* solution at float32 tolerances. Measured on these problems, float32
# fits stall at relative gaps (gap / (||y_c||^2 / n)) of ~1e-8 for the (strongly
# convex) elastic net but up to ~7e-6 for the lasso at alpha_max / 100, dense or
# sparse, CD or FISTA. The tolerance asked is just above those floors: 1e-5 for the
# lasso, 1e-7 for the elastic net, whose coefficient error is only bounded by
# sqrt(2 gap / mu) with mu = alpha (1 - l1_ratio) small, so it must be solved tighter
# for its coefficients to be comparable. Checks: objective within 2 tol ||y_c||^2 / n
# (weak duality bounds the suboptimality by the gap; float32 misestimates the gap by
# ~1e-6 of that scale, relative to ||y_c||^2 / n = 2 P(0), not to P(w*), because the
# rounding errors are relative to ||y_c||), coefficients within 1e-3 of their scale.
TOL32 = {1.0: 1e-5, 0.7: 1e-7, 0.1: 1e-7}
FLOAT32_VARIANTS = [
    "dense",
    "csc",
    "dense-nointercept",
    "dense-weighted",
    "csc-weighted",
]


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("divisor", ALPHA_DIVISORS)
@pytest.mark.parametrize("l1_ratio", L1_RATIOS)
@pytest.mark.parametrize("variant", FLOAT32_VARIANTS)
def test_float32_matches_float64(helpers, problem, variant, l1_ratio, divisor, solver):
    prob, sw, alpha, v = _setting(helpers, problem.name, variant, l1_ratio, divisor)
    ref_coef, ref_intercept = _sklearn_reference(
        helpers, problem.name, variant, l1_ratio, divisor
    )
    X32 = prob.X.astype(np.float32)
    X32 = sp.csc_matrix(X32) if v["sparse"] else X32
    model = _skreg(
        l1_ratio,
        alpha=alpha,
        fit_intercept=v["fit_intercept"],
        tol=TOL32[l1_ratio],
        max_iter=MAX_ITER[solver],
        solver=solver,
    ).fit(X32, prob.y.astype(np.float32), sample_weight=sw)

    assert model.coef_.dtype == np.float32
    obj = helpers.objective(
        prob.X, prob.y, model.coef_, model.intercept_, alpha, l1_ratio, sw
    )
    obj_ref = helpers.objective(
        prob.X, prob.y, ref_coef, ref_intercept, alpha, l1_ratio, sw
    )
    Xc, yc, _, _ = helpers.centered_scaled(prob.X, prob.y, sw, v["fit_intercept"])
    gap_bound = 2 * TOL32[l1_ratio] * (yc @ yc) / len(yc)
    assert obj - obj_ref <= gap_bound
    # Coefficients: 1e-3 of their scale, or, for the elastic net, the strong-convexity
    # bound ||w - w*||^2 <= 2 (P(w) - P(w*)) / mu if larger (FISTA in float32 stops at
    # a gap that leaves a few 1e-3 on the wide problem at alpha_max / 100).
    scale = max(1.0, np.abs(ref_coef).max())
    atol = 1e-3 * scale
    mu = alpha * (1.0 - l1_ratio)
    if mu > 0:
        atol = max(atol, np.sqrt(2 * gap_bound / mu))
    assert_allclose(model.coef_, ref_coef, rtol=0, atol=atol)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_float32_convergence_is_certified(
    helpers, regression, sparse, solver, weighted
):
    """A float32 fit that reports convergence must really have converged.

    The duality gap recomputed in float64 at the returned float32 coefficients (and
    intercept) bounds the suboptimality; it must be within the tolerance asked (plus
    the gap caused by rounding the solution to float32, well below it here), and the
    reported ``dual_gap_`` must not be negative beyond float32 rounding.
    """
    prob = regression
    sw = prob.sample_weight if weighted else None
    alpha = helpers.alpha_max(prob.X, prob.y, 0.7, sw) / 10
    X32 = prob.X.astype(np.float32)
    X32 = sp.csc_matrix(X32) if sparse else X32
    model = ElasticNet(
        alpha=alpha,
        l1_ratio=0.7,
        tol=TOL32[0.7],
        max_iter=MAX_ITER[solver],
        solver=solver,
    ).fit(X32, prob.y.astype(np.float32), sample_weight=sw)
    Xc, yc, _, _ = helpers.centered_scaled(prob.X, prob.y, sw)
    tol_abs = TOL32[0.7] * (yc @ yc) / len(yc)
    true_gap = helpers.dual_gap(Xc, yc, model.coef_, alpha, 0.7)
    assert true_gap <= 2 * tol_abs
    assert model.dual_gap_ >= -tol_abs


# -- the exact lasso path ----------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _diabetes_lars():
    X, y = load_diabetes(return_X_y=True)
    # lars_path fits no intercept: centre explicitly (the diabetes columns are already
    # centred, y is not).
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    alphas, _, coefs = lars_path(Xc, yc, method="lasso")
    return X, y, Xc, yc, alphas, coefs


def _knots():
    alphas = _diabetes_lars()[4]
    # The last knot is alpha = 0, the least-squares end of the path: not a lasso
    # problem (skreg warns and points to LinearRegression). All other knots are above
    # 1e-3 alpha_max on this data (checked below), hence reachable at tight tolerance.
    return [k for k in range(len(alphas)) if alphas[k] > 0]


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("knot", _knots())
def test_lasso_path_knots_match_lars(knot, solver):
    X, y, Xc, yc, alphas, coefs = _diabetes_lars()
    assert alphas[knot] >= 1e-3 * alphas[0]
    ref = coefs[:, knot]
    scale = np.abs(coefs).max()  # ~800 on diabetes (unit-norm columns)
    params = dict(alpha=alphas[knot], tol=1e-15, max_iter=MAX_ITER[solver] * 10)
    centred = Lasso(fit_intercept=False, solver=solver, **params).fit(Xc, yc)
    assert_allclose(centred.coef_, ref, rtol=0, atol=1e-6 * scale)
    raw = Lasso(fit_intercept=True, solver=solver, **params).fit(X, y)
    assert_allclose(raw.coef_, ref, rtol=0, atol=1e-6 * scale)
    assert_allclose(raw.intercept_, y.mean() - X.mean(axis=0) @ raw.coef_)


# -- duality gap and KKT conditions, rebuilt from first principles -----------------

GAP_CASES = {
    "lasso": dict(l1_ratio=1.0, weighted=False, fit_intercept=False, positive=False),
    "lasso-intercept": dict(
        l1_ratio=1.0, weighted=False, fit_intercept=True, positive=False
    ),
    "enet-weighted-intercept": dict(
        l1_ratio=0.7, weighted=True, fit_intercept=True, positive=False
    ),
    "enet-weighted": dict(
        l1_ratio=0.3, weighted=True, fit_intercept=False, positive=False
    ),
    "enet-positive-weighted-intercept": dict(
        l1_ratio=0.7, weighted=True, fit_intercept=True, positive=True
    ),
    "ridge-like": dict(
        l1_ratio=0.0, weighted=False, fit_intercept=True, positive=False
    ),
}


def _gap_fit(helpers, prob, case, sparse, solver, tol, max_iter):
    c = GAP_CASES[case]
    sw = prob.sample_weight if c["weighted"] else None
    if c["l1_ratio"] > 0:
        alpha = helpers.alpha_max(prob.X, prob.y, c["l1_ratio"], sw) / 20
    else:
        alpha = 0.5
    X = sp.csc_matrix(prob.X) if sparse else prob.X
    model = ElasticNet(
        alpha=alpha,
        l1_ratio=c["l1_ratio"],
        fit_intercept=c["fit_intercept"],
        positive=c["positive"],
        tol=tol,
        max_iter=max_iter,
        solver=solver,
    ).fit(X, prob.y, sample_weight=sw)
    Xc, yc, xmean, ymean = helpers.centered_scaled(
        prob.X, prob.y, sw, c["fit_intercept"]
    )
    return model, alpha, c, Xc, yc, xmean, ymean


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("case", sorted(GAP_CASES))
def test_dual_gap_matches_first_principles(helpers, problem, case, solver, sparse):
    c = GAP_CASES[case]
    if solver == "cd" and not sparse and c["l1_ratio"] == 0 and not c["positive"]:
        # Ridge on small dense data: one exact solve (skreg.solvers.direct), no
        # epochs to stop early; both gaps are then rounding.
        model, alpha, c, Xc, yc, _, _ = _gap_fit(
            helpers, problem, case, sparse, solver, tol=1e-12, max_iter=3
        )
        expected = helpers.dual_gap(Xc, yc, model.coef_, alpha, 0.0, False)
        assert model.n_iter_ == 1
        assert max(model.dual_gap_, abs(expected)) <= 1e-14 * (yc @ yc)
        return
    # Stopping after 3 epochs leaves a sizeable gap, so the comparison is not 0 == 0
    # (at any tolerance these small problems are solved exactly within 20 epochs).
    with pytest.warns(ConvergenceWarning, match="duality gap") as record:
        model, alpha, c, Xc, yc, _, _ = _gap_fit(
            helpers, problem, case, sparse, solver, tol=1e-12, max_iter=3
        )
    expected = helpers.dual_gap(
        Xc, yc, model.coef_, alpha, c["l1_ratio"], c["positive"]
    )
    assert expected > 1e-8 * (yc @ yc)
    if solver == "fista":
        assert_allclose(model.dual_gap_, expected, rtol=1e-7)
    else:
        # CD keeps the best dual value seen (including extrapolated dual points), so
        # its gap may be tighter than the one at the final residual, but it must stay
        # a valid bound: at least the suboptimality P(w) - P* (P* from a tight fit).
        assert model.dual_gap_ <= expected * (1 + 1e-7)
        n = Xc.shape[0]
        tight = _gap_fit(helpers, problem, case, sparse, "cd", 1e-13, 100_000)[0]
        l1, l2 = alpha * c["l1_ratio"], alpha * (1 - c["l1_ratio"])

        def primal(w):
            r = yc - Xc @ w
            return r @ r / (2 * n) + l1 * np.abs(w).sum() + 0.5 * l2 * w @ w

        suboptimality = primal(model.coef_) - primal(tight.coef_)
        assert suboptimality <= model.dual_gap_ * (1 + 1e-7) + 1e-13 * (yc @ yc) / n
    assert f"duality gap {model.dual_gap_:.3e}" in str(record[-1].message)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csc"])
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("case", sorted(GAP_CASES))
def test_kkt_at_solution(helpers, problem, case, solver, sparse):
    model, alpha, c, Xc, yc, xmean, ymean = _gap_fit(
        helpers, problem, case, sparse, solver, tol=1e-13, max_iter=100_000
    )
    n = Xc.shape[0]
    w = model.coef_
    l1, l2 = alpha * c["l1_ratio"], alpha * (1 - c["l1_ratio"])
    gap = helpers.dual_gap(Xc, yc, w, alpha, c["l1_ratio"], c["positive"])
    tol_abs = 1e-13 * (yc @ yc) / n
    # The reported gap certifies the tolerance asked. FISTA reports the gap at the
    # final residual; CD the gap to the best dual point seen (often an extrapolated
    # residual), which is at most the former and still bounds the suboptimality.
    assert -1e-15 * (yc @ yc) <= model.dual_gap_ <= tol_abs
    if solver == "fista":
        assert gap <= tol_abs
        assert_allclose(model.dual_gap_, gap, rtol=0, atol=1e-15 * (yc @ yc))
    else:
        assert model.dual_gap_ <= gap + 1e-15 * (yc @ yc)
    gap = model.dual_gap_
    # Stationarity of 1/(2n) ||yc - Xc w||^2 + l1 |w|_1 + l2/2 |w|^2:
    # v_j = Xc_j^T R / n - l2 w_j must equal l1 sign(w_j) on the support and lie in
    # [-l1, l1] ((-inf, l1] when positive) off it. Near the optimum the gradient of
    # the smooth part is accurate to sqrt(2 L gap) (L: its Lipschitz constant), which
    # sets the tolerance; the 1e-13 relative gap asked makes it ~1e-5 l1 here.
    v = Xc.T @ (yc - Xc @ w) / n - l2 * w
    lipschitz = np.linalg.norm(Xc, 2) ** 2 / n + l2
    atol = 2 * np.sqrt(2 * lipschitz * max(gap, tol_abs))
    on = w != 0
    assert_allclose(v[on], l1 * np.sign(w[on]), rtol=0, atol=atol)
    if c["positive"]:
        assert np.all(w >= 0)
        assert np.all(v[~on] <= l1 + atol)
    else:
        assert np.all(np.abs(v[~on]) <= l1 + atol)
    if c["l1_ratio"] > 0:
        assert atol < 1e-3 * l1
        assert 0 < on.sum() < len(w)  # a genuinely sparse solution
    expected_intercept = ymean - xmean @ w if c["fit_intercept"] else 0.0
    assert_allclose(model.intercept_, expected_intercept, rtol=1e-12, atol=1e-12)
