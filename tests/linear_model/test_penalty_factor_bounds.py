"""Penalty factors and box bounds: R glmnet references and first principles.

The references (``tests/data/glmnet_refs_gaussian.npz``) come from
``tests/data/make_glmnet_refs_gaussian.py`` (R glmnet 4.1-6, ``standardize=FALSE``,
``thresh=1e-14``, intercept fitted, dense and sparse ``X``). glmnet's gaussian
objective, checked by computing it from glmnet's coefficients, is

    1/(2n) RSS + lambda * sum_j f_j (alpha |b_j| + (1 - alpha) / (2 s_y) b_j^2)

with ``f`` the penalty factors rescaled to sum to ``n_features`` (as skreg does) and
``s_y`` the standard deviation of ``y`` (1/n): glmnet standardises ``y`` internally
and reports ``lambda`` on the original scale, which leaves the ridge term divided by
``s_y``. So glmnet's ``(lambda, alpha)`` is skreg's ``l1 = lambda alpha``,
``l2 = lambda (1 - alpha) / s_y`` (identical for the lasso).
"""

from __future__ import annotations

import pathlib
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from skreg import ElasticNet, ElasticNetCV, Lasso, LassoCV, enet_path, penalties
from skreg._path import alpha_grid
from skreg.datafits import QuadraticData
from skreg.solvers.cd import solve_cd
from skreg.solvers.fista import solve_fista

REFS = pathlib.Path(__file__).resolve().parents[1] / "data" / "glmnet_refs_gaussian.npz"
_Z = np.load(REFS)
CASES = sorted({k.split("/")[0] for k in _Z.files})


def _case(name):
    z = {k.split("/", 1)[1]: _Z[k] for k in _Z.files if k.startswith(name + "/")}
    if "X" in z:
        X = z["X"]
    else:
        X = sp.csc_matrix(
            (z["X_data"], z["X_indices"], z["X_indptr"]), shape=tuple(z["X_shape"])
        )
    return X, z


def _objective(X, y, w, b, l1, l2, pf):
    """glmnet's objective in skreg's terms (factors rescaled to sum to p)."""
    r = y - np.asarray(X @ w).ravel() - b
    f = pf * pf.shape[0] / pf.sum()
    return 0.5 * r @ r / y.shape[0] + l1 * f @ np.abs(w) + 0.5 * l2 * f @ (w * w)


def _skreg_params(z):
    """skreg's ``(alphas, l1_ratio)`` for glmnet's lambdas and alpha (module notes)."""
    a = float(z["l1_ratio"])
    s_y = float(np.std(z["y"]))
    scale = a + (1.0 - a) / s_y
    return z["lambdas"] * scale, a / scale, s_y


def test_references_are_small_and_complete():
    assert REFS.stat().st_size < 200_000
    assert len(CASES) == 8
    assert any("X_data" in k for k in _Z.files)  # sparse cases present


@pytest.mark.parametrize("name", CASES)
def test_objective_matches_glmnet(name):
    """skreg's objective is no worse than glmnet's by more than 1e-6 (relative)."""
    X, z = _case(name)
    y, pf = z["y"], z["penalty_factor"]
    alphas, l1_ratio, s_y = _skreg_params(z)
    _, coefs, gaps, intercepts = enet_path(
        X, y, l1_ratio=l1_ratio, alphas=alphas, fit_intercept=True,
        penalty_factor=pf, lower_bounds=z["lower"], upper_bounds=z["upper"],
    )  # fmt: skip
    a = float(z["l1_ratio"])
    for i, lam in enumerate(z["lambdas"]):
        l1, l2 = lam * a, lam * (1.0 - a) / s_y
        mine = _objective(X, y, coefs[:, i], intercepts[i], l1, l2, pf)
        ref = _objective(X, y, z["coef"][:, i], z["intercept"][i], l1, l2, pf)
        assert mine <= ref * (1.0 + 1e-6), (i, mine, ref)
        assert abs(mine - ref) <= 1e-6 * ref
        assert np.all(coefs[:, i] >= z["lower"]) and np.all(coefs[:, i] <= z["upper"])


@pytest.mark.parametrize("name", CASES)
def test_coefficients_match_glmnet(name):
    """Coefficients to 5e-5 of the largest one: glmnet's own ``thresh`` is on its
    change in deviance, so its coefficients carry ~1e-5 relative error in flat
    directions (the objectives agree to ~1e-11)."""
    X, z = _case(name)
    alphas, l1_ratio, _ = _skreg_params(z)
    _, coefs, _, intercepts = enet_path(
        X, z["y"], l1_ratio=l1_ratio, alphas=alphas, fit_intercept=True,
        penalty_factor=z["penalty_factor"], lower_bounds=z["lower"],
        upper_bounds=z["upper"], rel_tol=1e-10,
    )  # fmt: skip
    ref = z["coef"]
    scale = max(1.0, float(np.abs(ref).max()))
    np.testing.assert_allclose(coefs, ref, rtol=0, atol=5e-5 * scale)
    np.testing.assert_allclose(intercepts, z["intercept"], rtol=0, atol=5e-5 * scale)


@pytest.mark.parametrize(
    "name", [c for c in CASES if c.startswith("pf_") and "box" not in c]
)
def test_alpha_max_is_glmnets_lambda_max(name):
    """With zero factors, the grid starts where glmnet's does (unpenalised fitted).

    To 1e-7: glmnet fits the unpenalised features by its own iterations first.
    """
    X, z = _case(name)
    alphas, l1_ratio, _ = _skreg_params(z)
    grid = alpha_grid(
        X, z["y"], l1_ratio=l1_ratio, n_alphas=3, penalty_factor=z["penalty_factor"]
    )
    assert grid[0] == pytest.approx(alphas[0], rel=1e-7)


# -- first principles ---------------------------------------------------------------


def _centred(X, y):
    X = np.asarray(X.toarray() if sp.issparse(X) else X, dtype=np.float64)
    return X - X.mean(axis=0), y - y.mean()


PF = np.array([0.0, 1, 2, 0.5, 1, 3, 0, 1] + [1.0] * 22)


def _kkt_violation(Xc, yc, w, l1, l2, f, lower, upper):
    """Max violation of ``-grad_j - f_j l2 w_j in f_j l1 d|w_j| + N_box(w_j)``."""
    n = Xc.shape[0]
    v = Xc.T @ (yc - Xc @ w) / n - f * l2 * w
    l1f = f * l1
    out = np.empty_like(w)
    for j in range(w.shape[0]):
        if w[j] >= upper[j] > 0:
            out[j] = max(l1f[j] - v[j], 0.0)
        elif w[j] <= lower[j] < 0:
            out[j] = max(v[j] + l1f[j], 0.0)
        elif w[j] > 0:
            out[j] = abs(v[j] - l1f[j])
        elif w[j] < 0:
            out[j] = abs(v[j] + l1f[j])
        else:
            up = v[j] - l1f[j] if upper[j] > 0 else 0.0
            down = -v[j] - l1f[j] if lower[j] < 0 else 0.0
            out[j] = max(up, down, 0.0)
    return out


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
def test_kkt_with_penalty_factors(regression, sparse, l1_ratio):
    X = sp.csc_matrix(regression.X) if sparse else regression.X
    alpha = 0.3
    model = ElasticNet(
        alpha=alpha, l1_ratio=l1_ratio, penalty_factor=PF, tol=1e-12
    ).fit(X, regression.y)
    f = PF * PF.shape[0] / PF.sum()
    Xc, yc = _centred(regression.X, regression.y)
    inf = np.full(PF.shape[0], np.inf)
    viol = _kkt_violation(
        Xc, yc, model.coef_, alpha * l1_ratio, alpha * (1 - l1_ratio), f, -inf, inf
    )
    assert viol.max() < 1e-6
    # Unpenalised features: their correlation with the residual is zero.
    r = yc - Xc @ model.coef_
    assert np.abs(Xc[:, PF == 0].T @ r / r.shape[0]).max() < 1e-8
    assert np.all(model.coef_[PF == 0] != 0)


def test_unpenalised_feature_is_ols_when_the_rest_is_zero(regression):
    """Above alpha_max only the unpenalised feature is fitted: by least squares."""
    X, y = regression.X, regression.y
    pf = np.ones(X.shape[1])
    pf[4] = 0.0
    grid = alpha_grid(X, y, l1_ratio=1.0, n_alphas=2, penalty_factor=pf)
    model = Lasso(alpha=1.01 * grid[0], penalty_factor=pf).fit(X, y)
    slope, intercept = np.polyfit(X[:, 4], y, 1)
    assert np.count_nonzero(model.coef_) == 1
    assert model.coef_[4] == pytest.approx(slope, rel=1e-10)
    assert model.intercept_ == pytest.approx(intercept, rel=1e-10)
    # ... and just below alpha_max a penalised feature enters.
    below = Lasso(alpha=0.98 * grid[0], penalty_factor=pf).fit(X, y)
    assert np.count_nonzero(below.coef_) == 2


@pytest.mark.parametrize("sparse", [False, True])
def test_bounds_active_satisfy_projected_kkt(regression, sparse):
    X = sp.csc_matrix(regression.X) if sparse else regression.X
    p = X.shape[1]
    lower = np.full(p, -0.5)
    upper = np.full(p, 0.8)
    upper[1] = 0.0  # a non-positive coefficient
    alpha, l1_ratio = 0.05, 0.8
    model = ElasticNet(
        alpha=alpha, l1_ratio=l1_ratio, lower_bounds=lower, upper_bounds=upper,
        penalty_factor=PF, tol=1e-12,
    ).fit(X, regression.y)  # fmt: skip
    w = model.coef_
    assert np.all(w >= lower) and np.all(w <= upper)
    at_bound = (w == lower) | (w == upper)
    assert at_bound.sum() >= 3  # the bounds do bind
    Xc, yc = _centred(regression.X, regression.y)
    f = PF * p / PF.sum()
    viol = _kkt_violation(
        Xc, yc, w, alpha * l1_ratio, alpha * (1 - l1_ratio), f, lower, upper
    )
    assert viol.max() < 1e-6


@pytest.mark.parametrize("sparse", [False, True])
def test_all_equal_factors_are_no_factors(wide, sparse):
    X = sp.csc_matrix(wide.X) if sparse else wide.X
    plain = ElasticNet(alpha=0.2, l1_ratio=0.7).fit(X, wide.y)
    for pf in (np.ones(X.shape[1]), np.full(X.shape[1], 2.5)):
        model = ElasticNet(alpha=0.2, l1_ratio=0.7, penalty_factor=pf).fit(X, wide.y)
        np.testing.assert_allclose(model.coef_, plain.coef_, rtol=1e-12, atol=1e-12)
        assert model.intercept_ == pytest.approx(plain.intercept_, rel=1e-12)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("problem_name", ["regression", "wide"])
def test_positive_is_lower_bounds_zero(request, sparse, problem_name):
    prob = request.getfixturevalue(problem_name)
    X = sp.csc_matrix(prob.X) if sparse else prob.X
    a = ElasticNet(alpha=0.1, l1_ratio=0.9, positive=True, tol=1e-13).fit(X, prob.y)
    b = ElasticNet(alpha=0.1, l1_ratio=0.9, lower_bounds=0.0, tol=1e-13).fit(X, prob.y)
    np.testing.assert_allclose(b.coef_, a.coef_, rtol=1e-7, atol=1e-9)
    assert np.all(b.coef_ >= 0)


def test_dense_equals_sparse_with_factors_and_bounds(wide):
    kw = dict(
        alpha=0.05, l1_ratio=0.5, penalty_factor=np.r_[PF, np.ones(50)],
        lower_bounds=-1.0, upper_bounds=2.0, tol=1e-13,
    )  # fmt: skip
    dense = ElasticNet(**kw).fit(wide.X, wide.y)
    sparse = ElasticNet(**kw).fit(sp.csc_matrix(wide.X), wide.y)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, rtol=1e-7, atol=1e-9)


def test_float32(regression):
    X32, y32 = regression.X.astype(np.float32), regression.y.astype(np.float32)
    kw = dict(alpha=0.1, penalty_factor=PF, lower_bounds=-1.0, upper_bounds=1.5)
    m32 = Lasso(**kw).fit(X32, y32)
    m64 = Lasso(**kw).fit(regression.X, regression.y)
    assert m32.coef_.dtype == np.float32
    np.testing.assert_allclose(m32.coef_, m64.coef_, rtol=1e-3, atol=1e-3)


def _problem(prob, penalty):
    return QuadraticData(np.asfortranarray(prob.X), prob.y, None, True)


@pytest.mark.parametrize(
    "kw",
    [
        dict(penalty_factor=PF),
        dict(lower_bounds=-0.4, upper_bounds=0.6),
        dict(penalty_factor=PF, lower_bounds=np.r_[-0.2, np.full(29, -1.0)]),
        dict(penalty_factor=PF, upper_bounds=0.5, positive=True),
    ],
)
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_gap_certifies(regression, kw, l1_ratio):
    """The duality gap bounds the suboptimality anywhere feasible, -> 0 at the optimum.

    Covers the conjugate of L1 + box (no rescaling) and the projection of the dual
    point for unpenalised features (free, or at a bound: not projected there).
    """
    positive = kw.pop("positive", False)
    pen = penalties.ElasticNet(0.2, l1_ratio, positive, n_features=30, **kw)
    data = _problem(regression, pen)
    w_opt = np.zeros(30)
    res = solve_cd(data, pen, w_opt, rel_tol=1e-12, max_iter=10_000)
    assert res.converged
    params = pen.solver_params()
    gap_opt, p_opt, _ = data.exact_gap(w_opt, *params)
    # (Non-negative up to rounding: the objective and the dual value cancel there.)
    assert -1e-13 * p_opt <= gap_opt <= 1e-9 * p_opt
    rng = np.random.default_rng(0)
    lo = pen.lower if pen.bounded else np.full(30, -np.inf)
    hi = pen.upper if pen.bounded else np.full(30, np.inf)
    if positive:
        lo = np.maximum(lo, 0.0)
    for scale in (1e-3, 1e-1, 1.0):
        w = np.clip(w_opt + scale * rng.standard_normal(30), lo, hi)
        gap, primal, _ = data.exact_gap(w, *params)
        assert gap >= (primal - p_opt) - 1e-12 * p_opt >= -1e-12 * p_opt


@pytest.mark.parametrize("kw", [dict(penalty_factor=PF), dict(lower_bounds=-0.3)])
def test_screening_keeps_the_solution(wide, kw):
    pen = penalties.ElasticNet(0.1, 0.9, n_features=80, **{
        k: (np.r_[v, np.ones(50)] if k == "penalty_factor" else v)
        for k, v in kw.items()
    })  # fmt: skip
    data = QuadraticData(np.asfortranarray(wide.X), wide.y, None, True)
    w1, w2 = np.zeros(80), np.zeros(80)
    solve_cd(data, pen, w1, rel_tol=1e-12, screening=True, compiled_below=0)
    solve_cd(data, pen, w2, rel_tol=1e-12, screening=False, compiled_below=0)
    np.testing.assert_allclose(w1, w2, rtol=1e-6, atol=1e-8)


def test_fista_agrees_with_cd(regression):
    pen = penalties.ElasticNet(
        0.1, 0.7, penalty_factor=PF, lower_bounds=-0.5, upper_bounds=1.0
    )
    data = _problem(regression, pen)
    w_cd, w_fista = np.zeros(30), np.zeros(30)
    solve_cd(data, pen, w_cd, rel_tol=1e-10)
    res = solve_fista(data, pen, w_fista, rel_tol=1e-8, max_iter=20_000)
    assert res.converged
    params = pen.solver_params()
    p_cd = data.exact_gap(w_cd, *params)[1]
    p_fista = data.exact_gap(w_fista, *params)[1]
    assert p_fista == pytest.approx(p_cd, rel=1e-7)


def test_cv_estimators_with_factors(regression):
    X, y = regression.X, regression.y
    pf_grid = alpha_grid(X, y, l1_ratio=0.5, n_alphas=5, penalty_factor=PF)
    cv = ElasticNetCV(l1_ratio=0.5, alphas=5, cv=3, penalty_factor=PF).fit(X, y)
    np.testing.assert_allclose(cv.alphas_, pf_grid, rtol=1e-12)
    refit = ElasticNet(alpha=cv.alpha_, l1_ratio=0.5, penalty_factor=PF).fit(X, y)
    np.testing.assert_allclose(cv.coef_, refit.coef_, rtol=1e-10, atol=1e-12)
    lcv = LassoCV(alphas=5, cv=3, penalty_factor=PF, lower_bounds=-1.0).fit(X, y)
    assert np.all(lcv.coef_ >= -1.0)
    assert np.all(lcv.coef_[PF == 0] != 0)


def test_homotopy_is_not_used_with_factors(wide):
    """Wide dense lasso paths would follow the homotopy: with factors they use CD."""
    pf = np.r_[PF, np.ones(50)]
    _, coefs, gaps, _ = enet_path(
        wide.X, wide.y, l1_ratio=1.0, alphas=5, fit_intercept=True, penalty_factor=pf
    )
    assert np.all(coefs[pf == 0, 1:] != 0)


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(penalty_factor=np.ones(5)), "penalty_factor"),
        (dict(penalty_factor=np.r_[-1.0, np.ones(29)]), "penalty_factor"),
        (dict(penalty_factor=np.zeros(30)), "penalty_factor"),
        (dict(penalty_factor=np.r_[np.nan, np.ones(29)]), "penalty_factor"),
        (dict(penalty_factor=np.r_[np.inf, np.ones(29)]), "penalty_factor"),
        (dict(lower_bounds=np.zeros(3)), "lower_bounds"),
        (dict(lower_bounds=0.5), "lower_bounds"),
        (dict(upper_bounds=-0.5), "upper_bounds"),
        (dict(lower_bounds=-1.0, upper_bounds=-2.0), "lower_bounds"),
        (dict(upper_bounds=np.r_[np.nan, np.ones(29)]), "upper_bounds"),
    ],
)
@pytest.mark.parametrize("Est", [ElasticNet, LassoCV])
def test_bad_input_names_the_parameter(regression, kw, match, Est):
    with pytest.raises(ValueError, match=match):
        Est(**kw).fit(regression.X, regression.y)


def test_adaptive_lasso_recipe(regression):
    """The user guide's recipe: weights 1 / |ridge coef| select the true support."""
    from sklearn.linear_model import Ridge

    X, y = regression.X, regression.y
    ridge = Ridge(alpha=1.0).fit(X, y)
    weights = 1.0 / np.abs(ridge.coef_)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = LassoCV(penalty_factor=weights, cv=5).fit(X, y)
    truth = regression.true_coef != 0
    assert np.array_equal(model.coef_ != 0, truth)
