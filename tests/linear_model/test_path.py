"""Correctness of the regularization paths (``enet_path``, ``lasso_path``,
``alpha_grid`` and the private ``_enet_path`` / ``_strong_set``) from references:
scikit-learn's paths and estimators at tight tolerance, independent single fits,
row repetition for integer weights, and the duality gap and KKT conditions rebuilt by
hand at every point of the path."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import linear_model as sk_lm

import skreg._path as path_module
from skreg import ElasticNet, enet_path, lasso_path
from skreg._path import _enet_path, _strong_set, alpha_grid
from skreg.datafits import QuadraticData
from skreg.solvers import WarmStart

L1_RATIOS = [1.0, 0.5, 0.2]
# Tight tolerances for comparisons with a reference: skreg certifies a relative
# suboptimality of 1e-12 at every alpha; scikit-learn stops at a gap of
# 1e-12 ||y||^2 / n, which it reaches on these small problems without a warning.
TIGHT = dict(tol=None, rel_tol=1e-12, max_iter=100_000)
SK_TIGHT = dict(tol=1e-12, max_iter=100_000)
N_ALPHAS = 10
EPS = 1e-2
FLOAT64_EPS = float(np.finfo(np.float64).eps)


def _dense(X):
    return X.toarray() if sp.issparse(X) else np.asarray(X)


def _storage(X, kind):
    return sp.csc_matrix(X) if kind == "csc" else X


def _path_fn(l1_ratio):
    """``lasso_path`` for the lasso (so that it is exercised), else ``enet_path``."""
    if l1_ratio == 1.0:
        return lasso_path
    return lambda X, y, **kw: enet_path(X, y, l1_ratio=l1_ratio, **kw)


def _sk_path_fn(l1_ratio):
    if l1_ratio == 1.0:
        return sk_lm.lasso_path
    return lambda X, y, **kw: sk_lm.enet_path(X, y, l1_ratio=l1_ratio, **kw)


def _assert_path_close(helpers, X, y, alphas, l1_ratio, coefs, ref, sw=None):
    """Compare two paths ``(coefs, intercepts)`` point by point.

    Objectives within 1e-9 relative at every alpha; coefficients within 1e-6 of
    their scale (a gap ``g`` leaves a coefficient error up to ``sqrt(2 g / mu)``,
    1e-6 for the relative gaps of 1e-12 asked); intercepts within 1e-6 of the
    coefficient scale times the column means (the intercept is ``ybar - xbar @ w``).
    """
    (c, b), (ref_c, ref_b) = coefs, ref
    X = _dense(X)
    scale = max(1.0, float(np.abs(ref_c).max()))
    for i, alpha in enumerate(alphas):
        obj = helpers.objective(X, y, c[:, i], b[i], alpha, l1_ratio, sw)
        obj_ref = helpers.objective(X, y, ref_c[:, i], ref_b[i], alpha, l1_ratio, sw)
        assert abs(obj - obj_ref) <= 1e-9 * obj_ref, (i, obj, obj_ref)
    assert_allclose(c, ref_c, rtol=0, atol=1e-6 * scale)
    x_scale = max(1.0, float(np.abs(X).mean(axis=0).sum()))
    assert_allclose(b, ref_b, rtol=0, atol=1e-6 * scale * x_scale)


def _sparse_problem(seed=7, n=60, p=40, density=0.3):
    """A genuinely sparse (30% non-zeros), uncentred CSC design and its target."""
    rng = np.random.default_rng(seed)
    X = sp.random(n, p, density=density, random_state=seed, format="csc") * 3.0
    w = np.zeros(p)
    w[:5] = [2.0, -1.5, 1.0, 0.5, -2.0]
    y = X @ w + 1.0 + 0.3 * rng.standard_normal(n)
    return sp.csc_matrix(X), y


def _two_targets(prob, seed=11):
    """The problem's target and a second one with another support."""
    rng = np.random.default_rng(seed)
    w2 = np.zeros(prob.X.shape[1])
    w2[[1, 7, 9]] = [-1.0, 2.0, 0.5]
    y2 = prob.X @ w2 - 2.0 + 0.3 * rng.standard_normal(prob.X.shape[0])
    return np.column_stack([prob.y, y2])


# -- 1. no intercept: scikit-learn's paths ---------------------------------------------


@pytest.mark.parametrize("grid", ["auto", "explicit"])
@pytest.mark.parametrize("storage", ["dense", "csc"])
@pytest.mark.parametrize("l1_ratio", L1_RATIOS)
def test_path_matches_sklearn_on_centred_data(
    helpers, problem, l1_ratio, storage, grid
):
    """``enet_path`` / ``lasso_path`` (``fit_intercept=False``) on explicitly centred
    data equal scikit-learn's paths: the same automatic grid (``eps``, ``alphas=int``)
    and the same solutions, for explicit alphas given in any order too."""
    Xc, yc, _, _ = helpers.centered_scaled(problem.X, problem.y)
    X = _storage(Xc, storage)
    if grid == "auto":
        alphas = N_ALPHAS
    else:
        amax = helpers.alpha_max(Xc, yc, l1_ratio, fit_intercept=False)
        alphas = np.random.default_rng(0).permutation(
            np.geomspace(amax * 1.5, amax / 50, N_ALPHAS)
        )
    a, c, _ = _path_fn(l1_ratio)(X, yc, alphas=alphas, eps=EPS, **TIGHT)
    ska, skc, _ = _sk_path_fn(l1_ratio)(X, yc, alphas=alphas, eps=EPS, **SK_TIGHT)
    assert_allclose(a, ska, rtol=1e-12, atol=0)
    assert np.all(np.diff(a) < 0)
    zeros = np.zeros(N_ALPHAS)
    _assert_path_close(helpers, Xc, yc, a, l1_ratio, (c, zeros), (skc, zeros))
    # The path is not trivial: it goes from all zeros to a dense-ish solution.
    assert not c[:, 0].any()
    assert (c[:, -1] != 0).sum() >= 5


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_path_matches_sklearn_on_sparse_uncentred_data(helpers, l1_ratio):
    """Without intercept, a genuinely sparse CSC design (not centred) gives
    scikit-learn's sparse path, and the same path as its dense copy."""
    X, y = _sparse_problem()
    a, c, _ = _path_fn(l1_ratio)(X, y, alphas=N_ALPHAS, eps=EPS, **TIGHT)
    ska, skc, _ = _sk_path_fn(l1_ratio)(X, y, alphas=N_ALPHAS, eps=EPS, **SK_TIGHT)
    ad, cd, _ = _path_fn(l1_ratio)(X.toarray(), y, alphas=N_ALPHAS, eps=EPS, **TIGHT)
    assert_allclose(a, ska, rtol=1e-12)
    assert_allclose(ad, a, rtol=1e-12)
    zeros = np.zeros(N_ALPHAS)
    _assert_path_close(helpers, X, y, a, l1_ratio, (c, zeros), (skc, zeros))
    _assert_path_close(helpers, X, y, a, l1_ratio, (cd, zeros), (skc, zeros))


@pytest.mark.parametrize("storage", ["dense", "csc"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_multi_target_path_is_one_path_per_target(
    helpers, regression, l1_ratio, storage
):
    """A 2-D ``y`` returns ``(n_targets, n_features, n_alphas)`` coefficients and
    ``(n_targets, n_alphas)`` gaps, each target's slice equal to scikit-learn's 1-D
    path of that target (independent problems, as ``ElasticNet`` fits them), on a
    common automatic grid starting at the largest per-target ``alpha_max``."""
    Xc, _, _, _ = helpers.centered_scaled(regression.X, regression.y)
    Y = _two_targets(regression)
    Yc = Y - Y.mean(axis=0)
    X = _storage(Xc, storage)
    a, c, g = _path_fn(l1_ratio)(X, Yc, alphas=N_ALPHAS, eps=EPS, **TIGHT)
    assert c.shape == (2, Xc.shape[1], N_ALPHAS)
    assert g.shape == (2, N_ALPHAS)
    amax = max(
        helpers.alpha_max(Xc, Yc[:, k], l1_ratio, fit_intercept=False) for k in range(2)
    )
    assert_allclose(a, np.geomspace(amax, amax * EPS, N_ALPHAS), rtol=1e-12)
    # Whichever target has the larger alpha_max.
    a_swapped = _path_fn(l1_ratio)(X, Yc[:, ::-1], alphas=N_ALPHAS, eps=EPS)[0]
    assert_allclose(a_swapped, a, rtol=1e-12)
    zeros = np.zeros(N_ALPHAS)
    for k in range(2):
        _, skc, _ = _sk_path_fn(l1_ratio)(X, Yc[:, k], alphas=a, **SK_TIGHT)
        _assert_path_close(
            helpers, Xc, Yc[:, k], a, l1_ratio, (c[k], zeros), (skc, zeros)
        )
    # The two targets have different solutions: the slices are not copies.
    assert not np.allclose(c[0], c[1], rtol=0, atol=1e-2)


# -- 2. with intercept: independent single fits ----------------------------------------


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("storage", ["dense", "csc"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_path_with_intercept_matches_single_fits(
    helpers, problem, l1_ratio, storage, weighted
):
    """With ``fit_intercept=True`` (skreg only) every point of the path, coefficients
    and returned intercept, is the independent ``skreg.ElasticNet`` fit at that alpha
    and scikit-learn's ``ElasticNet`` with an intercept; the intercept is
    ``ybar - xbar @ w`` with the weighted means."""
    sw = problem.sample_weight if weighted else None
    X = _storage(problem.X, storage)
    amax = helpers.alpha_max(problem.X, problem.y, l1_ratio, sw)
    alphas = np.geomspace(amax, amax / 100, 8)
    a, c, g, b = enet_path(
        X,
        problem.y,
        l1_ratio=l1_ratio,
        alphas=alphas,
        fit_intercept=True,
        sample_weight=sw,
        **TIGHT,
    )
    assert_array_equal(a, alphas)
    single = np.empty_like(c)
    single_b = np.empty(len(alphas))
    sk_c = np.empty_like(c)
    sk_b = np.empty(len(alphas))
    for i, alpha in enumerate(alphas):
        m = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-13, max_iter=100_000)
        m.fit(X, problem.y, sample_weight=sw)
        single[:, i], single_b[i] = m.coef_, m.intercept_
        ref = sk_lm.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, **SK_TIGHT)
        ref.fit(X, problem.y, sample_weight=sw)
        sk_c[:, i], sk_b[i] = ref.coef_, ref.intercept_
    args = (helpers, problem.X, problem.y, alphas, l1_ratio)
    _assert_path_close(*args, (c, b), (single, single_b), sw)
    _assert_path_close(*args, (c, b), (sk_c, sk_b), sw)
    _, _, xmean, ymean = helpers.centered_scaled(problem.X, problem.y, sw)
    assert_allclose(b, ymean - xmean @ c, rtol=1e-10, atol=1e-10)
    assert not c[:, 0].any() and (c[:, -1] != 0).sum() >= 5


# -- 3. integer weights are repeated rows ----------------------------------------------


@pytest.mark.parametrize("storage", ["dense", "csc"])
def test_integer_weights_equal_repeated_rows(helpers, regression, storage):
    """A path with integer ``sample_weight`` (zeros included) and an intercept equals
    the path on the data with each row repeated that many times: same automatic
    grid, coefficients and intercepts."""
    rng = np.random.default_rng(5)
    sw = rng.integers(0, 4, size=regression.X.shape[0])
    assert (sw == 0).any() and (sw > 1).any()
    X_rep = np.repeat(regression.X, sw, axis=0)
    y_rep = np.repeat(regression.y, sw)
    kw = dict(l1_ratio=0.5, alphas=N_ALPHAS, eps=EPS, fit_intercept=True, **TIGHT)
    a, c, _, b = enet_path(
        _storage(regression.X, storage), regression.y, sample_weight=sw, **kw
    )
    ar, cr, _, br = enet_path(_storage(X_rep, storage), y_rep, **kw)
    assert_allclose(a, ar, rtol=1e-12)
    _assert_path_close(helpers, X_rep, y_rep, a, 0.5, (c, b), (cr, br))


# -- 4. return values ------------------------------------------------------------------


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("return_n_iter", [False, True])
def test_return_structure(regression, return_n_iter, fit_intercept):
    """``(alphas, coefs, gaps)``, then ``n_iters`` when asked, then ``intercepts``
    last when ``fit_intercept=True``; shapes and dtypes for 1-D and 2-D ``y``."""
    X, y = regression.X, regression.y
    p = X.shape[1]
    kw = dict(alphas=7, return_n_iter=return_n_iter, fit_intercept=fit_intercept)
    out = enet_path(X, y, **kw)
    assert isinstance(out, tuple)
    assert len(out) == 3 + return_n_iter + fit_intercept
    alphas, coefs, gaps = out[:3]
    assert alphas.shape == (7,) and alphas.dtype == np.float64
    assert coefs.shape == (p, 7) and coefs.dtype == np.float64
    assert gaps.shape == (7,) and gaps.dtype == np.float64
    if return_n_iter:
        n_iters = out[3]
        assert len(n_iters) == 7
        assert all(isinstance(k, int | np.integer) and k >= 0 for k in n_iters)
        assert sum(n_iters) > 0
    if fit_intercept:
        intercepts = out[-1]
        assert intercepts.shape == (7,)
        # w = 0 at alpha_max: the intercept is the mean of y.
        assert_allclose(intercepts[0], y.mean(), rtol=1e-12)

    Y = _two_targets(regression)
    out2 = enet_path(X, Y, alphas=7, fit_intercept=fit_intercept)
    assert out2[1].shape == (2, p, 7)
    assert out2[2].shape == (2, 7)
    if fit_intercept:
        assert out2[-1].shape == (2, 7)
        assert_allclose(out2[-1][:, 0], Y.mean(axis=0), rtol=1e-12)


def test_float32_input_gives_float32_path(regression):
    """float32 ``X`` and ``y`` give float32 coefficients (float64 alphas and gaps),
    equal to the float64 path to float32 accuracy."""
    X, y = regression.X, regression.y
    a64, c64, _, b64 = enet_path(X, y, alphas=N_ALPHAS, eps=EPS, fit_intercept=True)
    a32, c32, g32, b32 = enet_path(
        X.astype(np.float32),
        y.astype(np.float32),
        alphas=N_ALPHAS,
        eps=EPS,
        fit_intercept=True,
        tol=1e-6,
    )
    assert c32.dtype == np.float32
    assert a32.dtype == np.float64 and g32.dtype == np.float64
    assert_allclose(a32, a64, rtol=1e-5)
    scale = np.abs(c64).max()
    assert_allclose(c32, c64, rtol=0, atol=2e-3 * scale)
    assert_allclose(b32, b64, rtol=0, atol=2e-3 * scale * 4)


# -- 5. duality gaps and KKT conditions at every point ---------------------------------

GAP_CASES = {
    "lasso-dense": dict(l1_ratio=1.0, weighted=False, fit_intercept=True, csc=False),
    "enet-csc-weighted": dict(
        l1_ratio=0.5, weighted=True, fit_intercept=True, csc=True
    ),
    "enet-dense-weighted-nointercept": dict(
        l1_ratio=0.2, weighted=True, fit_intercept=False, csc=False
    ),
    "lasso-csc": dict(l1_ratio=1.0, weighted=False, fit_intercept=True, csc=True),
}


@pytest.mark.parametrize("tol", [None, 1e-7], ids=["tol-None", "tol-1e-7"])
@pytest.mark.parametrize("case", sorted(GAP_CASES))
def test_gaps_within_tolerance_and_kkt(helpers, problem, case, tol):
    """Every returned gap is at most the threshold that applied (scikit-learn's
    ``tol ||y_c||^2 / n`` or ``rel_tol`` times the objective, floored at the float64
    rounding level), bounds the true suboptimality (against a tight scikit-learn
    fit), and the KKT conditions hold at every point within what that gap allows."""
    c_ = GAP_CASES[case]
    l1_ratio = c_["l1_ratio"]
    sw = problem.sample_weight if c_["weighted"] else None
    fi = c_["fit_intercept"]
    X = _storage(problem.X, "csc" if c_["csc"] else "dense")
    out = enet_path(
        X,
        problem.y,
        l1_ratio=l1_ratio,
        alphas=N_ALPHAS,
        eps=EPS,
        fit_intercept=fi,
        sample_weight=sw,
        tol=tol,
    )
    alphas, coefs, gaps = out[:3]
    intercepts = out[3] if fi else np.zeros(N_ALPHAS)
    Xc, yc, xmean, ymean = helpers.centered_scaled(problem.X, problem.y, sw, fi)
    n = Xc.shape[0]
    y_scale = float(yc @ yc) / n
    data = QuadraticData(problem.X, problem.y, sw, fi)
    lipschitz_x = np.linalg.norm(Xc, 2) ** 2 / n
    for i, alpha in enumerate(alphas):
        w, b = coefs[:, i], intercepts[i]
        primal = helpers.objective(problem.X, problem.y, w, b, alpha, l1_ratio, sw)
        if tol is None:
            threshold = max(1e-6 * primal, 16 * FLOAT64_EPS * y_scale)
        else:
            threshold = tol * y_scale
        assert_allclose(data.gap_threshold(tol, primal), threshold, rtol=1e-9)
        assert -1e-14 * y_scale <= gaps[i] <= threshold * (1 + 1e-9), i
        # The gap bounds the suboptimality.
        ref = sk_lm.ElasticNet(
            alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fi, **SK_TIGHT
        ).fit(problem.X, problem.y, sample_weight=sw)
        p_star = helpers.objective(
            problem.X, problem.y, ref.coef_, ref.intercept_, alpha, l1_ratio, sw
        )
        assert primal - p_star <= gaps[i] + 1e-12 * y_scale, i
        # KKT: v_j = X_c[:, j] @ r / n - l2 w_j is l1 sign(w_j) on the support and in
        # [-l1, l1] off it, to within 2 sqrt(2 L gap) (L: Lipschitz constant).
        l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
        v = Xc.T @ (yc - Xc @ w) / n - l2 * w
        atol = 2 * np.sqrt(2 * (lipschitz_x + l2) * max(gaps[i], 1e-15 * y_scale))
        on = w != 0
        assert_allclose(v[on], l1 * np.sign(w[on]), rtol=0, atol=atol)
        assert np.all(np.abs(v[~on]) <= l1 + atol), i
        assert atol < 0.5 * l1, i  # the check is not vacuous
        if fi:
            assert_allclose(b, ymean - xmean @ w, rtol=1e-10, atol=1e-10)
    assert not coefs[:, 0].any()
    assert (coefs[:, -1] != 0).sum() >= 5


# -- 6. positive paths -----------------------------------------------------------------


@pytest.mark.parametrize("storage", ["dense", "csc"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_positive_path_matches_sklearn(helpers, problem, l1_ratio, storage):
    """``positive=True``: every coefficient is non-negative, the automatic grid starts
    at the signed ``alpha_max`` and the path equals scikit-learn's positive path;
    the constraint binds (the unconstrained path has negative coefficients)."""
    Xc, yc, _, _ = helpers.centered_scaled(problem.X, problem.y)
    X = _storage(Xc, storage)
    kw = dict(alphas=N_ALPHAS, eps=EPS, positive=True)
    a, c, _ = _path_fn(l1_ratio)(X, yc, **kw, **TIGHT)
    ska, skc, _ = _sk_path_fn(l1_ratio)(X, yc, **kw, **SK_TIGHT)
    amax = helpers.alpha_max(Xc, yc, l1_ratio, fit_intercept=False, positive=True)
    assert_allclose(a[0], amax, rtol=1e-12)
    assert_allclose(a, ska, rtol=1e-12)
    assert np.all(c >= 0)
    zeros = np.zeros(N_ALPHAS)
    _assert_path_close(helpers, Xc, yc, a, l1_ratio, (c, zeros), (skc, zeros))
    free = _path_fn(l1_ratio)(X, yc, alphas=a, **TIGHT)[1]
    assert (free < 0).any()


# -- 7. coef_init ----------------------------------------------------------------------


def test_coef_init_is_used(regression):
    """A path started (``coef_init``) from the solution at its first alpha needs
    (almost) no epochs there, far fewer than from zero, and finds the same point."""
    X, y = regression.X, regression.y
    a, c, _ = enet_path(X, y, alphas=N_ALPHAS, eps=EPS, **TIGHT)
    last = a[-1:]
    _, cold, _, cold_iters = enet_path(X, y, alphas=last, return_n_iter=True, **TIGHT)
    _, warm, _, warm_iters = enet_path(
        X, y, alphas=last, coef_init=c[:, -1], return_n_iter=True, **TIGHT
    )
    assert cold_iters[0] >= 10
    assert warm_iters[0] <= 2
    assert_allclose(warm[:, 0], c[:, -1], rtol=0, atol=1e-6 * np.abs(c).max())
    assert_allclose(cold[:, 0], c[:, -1], rtol=0, atol=1e-6 * np.abs(c).max())


# -- 8. sequential strong rules --------------------------------------------------------


@pytest.mark.parametrize("positive", [False, True])
def test_strong_set_by_hand(positive):
    """``_strong_set`` keeps exactly the features with ``|g_j| >= rho (2 alpha -
    alpha_prev)`` (``-g_j`` when positive; the boundary included, NaN dropped) plus
    the support, sorted, as int64."""
    # rho (2 alpha - prev) = 0.5 * (0.75 - 0.5) = 0.125, exactly representable.
    grad = np.array([0.5, -0.125, 0.1, -0.2, 0.0, 0.124, np.nan, 0.3])
    support = np.array([False, False, False, False, True, False, False, False])
    got = _strong_set(grad, support, 0.375, 0.5, 0.5, positive)
    expected = [1, 3, 4] if positive else [0, 1, 3, 4, 7]
    assert got.dtype == np.int64
    assert_array_equal(got, expected)


def test_strong_set_random_gradients():
    """On random gradients, supports and alpha steps the set is the union of the
    rule's survivors and the support (brute force, feature by feature)."""
    rng = np.random.default_rng(3)
    for _ in range(50):
        p = 40
        grad = rng.standard_normal(p)
        support = rng.random(p) < 0.2
        prev = rng.uniform(0.5, 2.0)
        alpha = prev * rng.uniform(0.3, 1.0)
        rho = rng.uniform(0.1, 1.0)
        positive = bool(rng.random() < 0.5)
        thr = rho * (2 * alpha - prev)
        expected = [
            j
            for j in range(p)
            if support[j] or (-grad[j] if positive else abs(grad[j])) >= thr
        ]
        got = _strong_set(grad, support, alpha, prev, rho, positive)
        assert_array_equal(got, expected)


def _strong_rule_counterexample(n=60, n_noise=38):
    """Two features for which the sequential strong rule fails, plus inert ones.

    ``G = X^T X / n = [[1, -1.5], [-1.5, 4]]`` and ``c = X^T y / n = [1, 0.1]`` on
    the first two columns, so ``alpha_max = 1`` (lasso). On the way down with
    feature 0 alone active, ``w_0 = 1 - alpha`` and feature 1's correlation grows as
    ``0.1 + 1.5 (1 - alpha)``, faster than the unit slope the rule assumes: it
    reaches ``alpha`` at ``alpha = 0.64``. At ``alpha = 0.6`` after ``alpha_max``
    the rule keeps features with ``|c_j| >= 2 * 0.6 - 1 = 0.2`` and discards
    feature 1 (0.1), which is active there. ``n_noise`` more columns, orthogonal to
    everything, are never active; with them the dense solver runs its working sets
    (small dense problems are solved over all features at once). All columns and
    ``y`` have zero mean, so the same holds with an intercept.
    """
    rng = np.random.default_rng(0)
    G = np.array([[1.0, -1.5], [-1.5, 4.0]])
    c = np.array([1.0, 0.1])
    A = rng.standard_normal((n, 3 + n_noise))
    A -= A.mean(axis=0)
    Q, _ = np.linalg.qr(A)  # orthonormal, orthogonal to the ones vector
    pair = np.sqrt(n) * Q[:, :2] @ np.linalg.cholesky(G).T
    X = np.column_stack([pair, np.sqrt(n) * Q[:, 3:]])
    y = pair @ np.linalg.solve(G, c) + 0.5 * np.sqrt(n) * Q[:, 2]
    assert_allclose(X[:, :2].T @ X[:, :2] / n, G, atol=1e-12)
    assert_allclose(X.T @ y / n, np.r_[c, np.zeros(n_noise)], atol=1e-12)
    return X, y


@pytest.mark.parametrize("storage", ["dense", "csc"])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_path_correct_where_strong_rule_fails(helpers, fit_intercept, storage):
    """When the strong rule discards a feature that is active at the next alpha, the
    path still finds the solution (equal to independent fits and scikit-learn):
    the rule only seeds the working set."""
    X, y = _strong_rule_counterexample()
    alphas = np.array([1.0, 0.6, 0.3, 0.1])
    calls = []

    def spy(grad, support, alpha, *args):
        out = _strong_set(grad, support, alpha, *args)
        calls.append((alpha, out))
        return out

    with mock.patch.object(path_module, "_strong_set", spy):
        out = lasso_path(
            _storage(X, storage),
            y,
            alphas=alphas,
            fit_intercept=fit_intercept,
            **TIGHT,
        )
    a, c = out[0], out[1]
    b = out[-1] if fit_intercept else np.zeros(len(alphas))
    # The rule, as the path used it at alpha = 0.6, kept feature 0 only ...
    assert calls[0][0] == 0.6
    assert_array_equal(calls[0][1], [0])
    # ... as does the rule applied by hand to the gradient at w(alpha_max) = 0.
    grad0 = -X.T @ y / len(y)
    assert_array_equal(
        _strong_set(grad0, np.zeros(X.shape[1], bool), 0.6, 1.0, 1.0, False), [0]
    )
    # Yet feature 1 is active at 0.6, and the path is right.
    assert c[1, 1] != 0
    ref = np.empty_like(c)
    ref_b = np.empty(len(alphas))
    for i, alpha in enumerate(alphas):
        m = sk_lm.Lasso(alpha=alpha, fit_intercept=fit_intercept, **SK_TIGHT)
        m.fit(X, y)
        ref[:, i], ref_b[i] = m.coef_, m.intercept_
        single = ElasticNet(
            alpha=alpha, l1_ratio=1.0, fit_intercept=fit_intercept, tol=1e-13
        ).fit(_storage(X, storage), y)
        assert_allclose(single.coef_, m.coef_, rtol=0, atol=1e-7)
    assert ref[1, 1] > 0
    assert not ref[2:].any()  # the inert columns stay at zero
    _assert_path_close(helpers, X, y, a, 1.0, (c, b), (ref, ref_b))


# -- 9. the held-out hook of the cross-validated estimators ----------------------------


def _held_path(X, y, held_out, tol=None, sw=None, rel_tol=1e-6, **kw):
    params = dict(
        l1_ratio=0.7,
        eps=1e-3,
        alphas=15,
        coef_init=None,
        verbose=False,
        return_n_iter=True,
        positive=False,
        check_input=True,
        fit_intercept=True,
        sample_weight=sw,
        tol=tol,
        max_iter=10_000,
        solver="cd",
        rel_tol=rel_tol,
    )
    params.update(kw)
    if held_out is not None:
        held_out = path_module.HeldOut(*held_out)
    return _enet_path(X, y, held_out=held_out, **params)


def _split(prob, n_train):
    X, y = prob.X, prob.y
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("storage", ["dense", "csc"])
def test_held_out_mse_matches_recomputed(regression, storage, weighted, fit_intercept):
    """``held_out=HeldOut(X_test, y_test, sw_test, factor)`` appends the held-out mean
    squared error per alpha, equal to the error recomputed from the returned
    coefficients and intercepts (weighted by ``sw_test`` when given)."""
    Xtr, ytr, Xte, yte = _split(regression, 45)
    sw_tr = regression.sample_weight[:45] if weighted else None
    sw_te = regression.sample_weight[45:] if weighted else None
    out = _held_path(
        _storage(Xtr, storage),
        ytr,
        (_storage(Xte, storage), yte, sw_te, 3e-4),
        sw=sw_tr,
        fit_intercept=fit_intercept,
    )
    assert len(out) == 4 + fit_intercept + 1
    coefs, mse = out[1], out[-1]
    intercepts = out[4] if fit_intercept else np.zeros(coefs.shape[1])
    assert mse.shape == (coefs.shape[1],)
    residues = Xte @ coefs + intercepts - yte[:, None]
    s = np.ones_like(yte) if sw_te is None else sw_te
    expected = (s @ residues**2) / s.sum()
    assert_allclose(mse, expected, rtol=1e-12)
    if weighted:  # the weights matter
        assert not np.allclose(mse, np.mean(residues**2, axis=0), rtol=1e-3)


def test_held_out_with_numeric_tol_ignores_the_floor(helpers):
    """With ``tol`` a number the held-out floor does not apply: coefficients, gaps
    and epochs are identical to the run without ``held_out`` (where, with
    ``tol=None``, the same floor does change the path)."""
    prob = helpers.make_problem("p>>n", 120, 300, seed=3)
    Xtr, ytr, Xte, yte = _split(prob, 90)
    held_out = (Xte, yte, None, 10.0)
    plain = _held_path(Xtr, ytr, None, tol=1e-6)
    held = _held_path(Xtr, ytr, held_out, tol=1e-6)
    for k in range(5):  # alphas, coefs, gaps, n_iters, intercepts
        assert_array_equal(held[k], plain[k])
    floored = _held_path(Xtr, ytr, held_out, tol=None)
    assert not np.array_equal(floored[1], _held_path(Xtr, ytr, None)[1])


def test_held_out_factor_zero_is_the_plain_path(wide):
    """``factor=0`` (no floor) with ``tol=None`` reproduces the plain path exactly."""
    Xtr, ytr, Xte, yte = _split(wide, 30)
    plain = _held_path(Xtr, ytr, None)
    held = _held_path(Xtr, ytr, (Xte, yte, None, 0.0))
    for k in range(5):
        assert_array_equal(held[k], plain[k])


def test_held_out_floor_stops_earlier_within_its_bound(helpers):
    """With ``tol=None`` and a large factor, later points may stop once the gap is
    below ``factor * mse / 2`` of an earlier point (the floor handed to the solver is
    0 or exactly that, never at the first point): fewer epochs in total than the
    plain path, and every gap within ``max(rel_tol P, floor)``."""
    prob = helpers.make_problem("p>>n", 120, 300, seed=3)
    Xtr, ytr, Xte, yte = _split(prob, 90)
    factor, rel_tol = 1e-2, 1e-6
    plain = _held_path(Xtr, ytr, None, rel_tol=rel_tol)
    floors = []
    solve = path_module.SOLVERS["cd"]

    def spy(data, penalty, w, **kwargs):
        floors.append(data.gap_floor)
        return solve(data, penalty, w, **kwargs)

    with mock.patch.dict(path_module.SOLVERS, {"cd": spy}):
        a, c, gaps, n_iters, b, mse = _held_path(
            Xtr, ytr, (Xte, yte, None, factor), rel_tol=rel_tol
        )
    assert_array_equal(a, plain[0])
    assert sum(n_iters) < sum(plain[3])
    # The floor at alpha_k is 0 or factor * mse_j / 2 for an earlier point j < k.
    assert floors[0] == 0.0
    for k, value in enumerate(floors[1:], start=1):
        candidates = factor * 0.5 * mse[:k]
        assert value == 0.0 or np.any(value == candidates), (k, value)
    assert max(floors) > 0.0
    _, yc, _, _ = helpers.centered_scaled(Xtr, ytr)
    eps_floor = 16 * FLOAT64_EPS * (yc @ yc) / len(yc)
    primals = np.array(
        [
            helpers.objective(Xtr, ytr, c[:, i], b[i], alpha, 0.7)
            for i, alpha in enumerate(a)
        ]
    )
    for i in range(len(a)):
        bound = max(rel_tol * primals[i], eps_floor, floors[i])
        assert gaps[i] <= bound * (1 + 1e-9), i
    # The floor bit somewhere: some gap is above the relative tolerance ...
    assert np.any(gaps > rel_tol * primals * 1.01)
    # ... and the first point, which has no previous error, is solved as usual.
    assert_array_equal(c[:, 0], plain[1][:, 0])


def test_held_out_needs_one_target(regression):
    """The held-out hook scores a single target only."""
    Xtr, _, Xte, _ = _split(regression, 45)
    Y = _two_targets(regression)
    with pytest.raises(ValueError, match="single target"):
        _held_path(Xtr, Y[:45], (Xte, Y[45:], None, 0.0))


# -- 10. errors and alpha_grid ---------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(alphas=[0.1, -0.1]), "non-negative"),
        (dict(alphas=[0.1, np.inf]), "finite"),
        (dict(alphas=[0.1, np.nan]), "finite"),
        (dict(l1_ratio=1.5, alphas=[0.1]), "l1_ratio"),
        (dict(l1_ratio=-0.1, alphas=[0.1]), "l1_ratio"),
        (dict(l1_ratio=0.0), "l1_ratio=0"),
        (dict(l1_ratio=0.0, alphas=5), "l1_ratio=0"),
        (dict(alphas=0), "at least 1"),
        (dict(alphas=[]), "empty"),
    ],
)
def test_path_errors(regression, kwargs, match):
    """Invalid alphas or ``l1_ratio`` and a ridge path without alphas raise a
    ``ValueError`` naming the problem."""
    with pytest.raises(ValueError, match=match):
        enet_path(regression.X, regression.y, **kwargs)


def test_path_rejects_bool_alphas(regression):
    """``alphas=True`` is not a one-alpha grid."""
    with pytest.raises(TypeError, match="bool"):
        enet_path(regression.X, regression.y, alphas=True)


def test_path_inconsistent_samples(regression):
    """``X`` and ``y`` of different lengths raise a ``ValueError``."""
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        enet_path(regression.X, regression.y[:-1], alphas=3)
    with pytest.raises(ValueError, match="sample_weight"):
        enet_path(regression.X, regression.y, alphas=3, sample_weight=np.ones(5))


def test_alpha_grid_rejects_ridge(regression):
    """``alpha_grid`` has no grid for ``l1_ratio=0`` (``alpha_max`` is infinite)."""
    with pytest.raises(ValueError, match="l1_ratio"):
        alpha_grid(regression.X, regression.y, l1_ratio=0.0)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.3])
def test_alpha_grid_matches_sklearn_and_hand(helpers, problem, l1_ratio):
    """``alpha_grid`` equals the first grid of scikit-learn's path on centred data
    (no intercept), and ``geomspace(alpha_max, eps alpha_max)`` with ``alpha_max``
    computed by hand with an intercept, sample weights and ``positive``."""
    X, y, sw = problem.X, problem.y, problem.sample_weight
    Xc, yc, _, _ = helpers.centered_scaled(X, y)
    sk_alphas = _sk_path_fn(l1_ratio)(Xc, yc, alphas=N_ALPHAS, eps=EPS)[0]
    got = alpha_grid(
        Xc, yc, l1_ratio=l1_ratio, eps=EPS, n_alphas=N_ALPHAS, fit_intercept=False
    )
    assert_allclose(got, sk_alphas, rtol=1e-12)
    for weights in [None, sw]:
        for positive in [False, True]:
            amax = helpers.alpha_max(X, y, l1_ratio, weights, True, positive)
            got = alpha_grid(
                X,
                y,
                l1_ratio=l1_ratio,
                eps=EPS,
                n_alphas=N_ALPHAS,
                sample_weight=weights,
                positive=positive,
            )
            assert_allclose(got, np.geomspace(amax, amax * EPS, N_ALPHAS), rtol=1e-12)
    # The path's automatic grid is this grid.
    a = enet_path(
        X,
        y,
        l1_ratio=l1_ratio,
        alphas=N_ALPHAS,
        eps=EPS,
        fit_intercept=True,
        sample_weight=sw,
    )[0]
    expected = alpha_grid(
        X, y, l1_ratio=l1_ratio, eps=EPS, n_alphas=N_ALPHAS, sample_weight=sw
    )
    assert_allclose(a, expected, rtol=1e-12)


def test_early_gap_check_after_an_easy_point(wide, monkeypatch):
    """A path point solved within one regular gap check (``_EASY_POINT`` epochs) lets
    the next point check its gap early (``warm_path=False``); after a harder point the
    early check is skipped (``warm_path=True``). Both kinds occur on this path."""
    calls = []
    solve = path_module.SOLVERS["cd"]

    def spy(*args, **kwargs):
        result = solve(*args, **kwargs)
        warm = kwargs.get("warm")
        calls.append((None if warm is None else warm.warm_path, result.n_iter))
        return result

    monkeypatch.setitem(path_module.SOLVERS, "cd", spy)
    enet_path(wide.X, wide.y, l1_ratio=0.5, alphas=30, fit_intercept=True,
              rel_tol=1e-8)  # fmt: skip
    assert calls[0][0] is None  # the first point starts from zero
    warm = [flag for flag, _ in calls[1:]]
    expected = [n > path_module._EASY_POINT for _, n in calls[:-1]]
    assert warm == expected
    assert True in warm and False in warm


# -- 11. the path predictor ------------------------------------------------------------


def _orthonormal_problem(c, n=50, noise=0.5, seed=0):
    """Centred columns with ``X^T X / n = I`` and ``X^T y / n = c``: the lasso
    solution is ``sign(c_j) max(|c_j| - alpha, 0)``, coordinate by coordinate."""
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, len(c) + 1))
    A -= A.mean(axis=0)
    Q, _ = np.linalg.qr(A)
    X = np.sqrt(n) * Q[:, : len(c)]
    y = X @ np.asarray(c) + noise * np.sqrt(n) * Q[:, -1]
    return np.asfortranarray(X), y


@pytest.mark.parametrize("storage", ["dense", "csc"])
def test_predict_is_exact_where_the_lasso_path_is_linear(regression, storage):
    """Between three alphas with the same support and signs the lasso path is linear
    in alpha, so the extrapolation from the first two solutions is the third one;
    the returned residual is the residual of the predicted point."""
    X, y = regression.X, regression.y
    alphas = np.array([0.3, 0.25, 0.21])  # the same six coefficients active
    w0, w1, w2 = lasso_path(X, y, alphas=alphas, fit_intercept=True, solver="cd",
                            **TIGHT)[1].T  # fmt: skip
    assert (w0 != 0).sum() >= 5
    assert np.array_equal(np.sign(w0), np.sign(w1))
    assert np.array_equal(np.sign(w0), np.sign(w2))
    data = path_module._prepare(_storage(X, storage), y, None, True)
    w = w1.copy()
    residual = data.init_residual(w)
    penalty = path_module.penalties.ElasticNet(alphas[2], 1.0)
    R, offset = path_module._predict(data, penalty, w, w0, residual, alphas)
    assert_allclose(w, w2, rtol=0, atol=1e-9 * np.abs(w2).max())
    R_exact, offset_exact = data.init_residual(w)
    assert_allclose(
        data.true_residual(R, offset), data.true_residual(R_exact, offset_exact),
        rtol=0, atol=1e-10 * np.abs(y).max(),
    )  # fmt: skip


def test_predict_stops_at_zero_and_keeps_a_worse_point_out():
    """A coefficient the line would carry across zero stops at zero (here that is
    the optimum); an extrapolation that raises the objective is rejected, leaving
    ``w`` untouched."""
    c = np.array([1.0, 0.05, -0.6])
    X, y = _orthonormal_problem(c)
    data = path_module._prepare(X, y, None, True)
    alphas = np.array([0.3, 0.2, 0.1])
    penalty = path_module.penalties.ElasticNet(alphas[2], 1.0)
    # Not the path's points: w_prev -> w moves the second coordinate down through
    # zero by the next step; the others follow the true path (linear, t = 1).
    w_prev = np.array([0.7, 0.1, -0.3])
    w = np.array([0.8, 0.02, -0.4])
    out = path_module._predict(data, penalty, w, w_prev, data.init_residual(w), alphas)
    assert out is not None
    assert w[1] == 0.0
    assert_allclose(w, [0.9, 0.0, -0.5], rtol=0, atol=1e-12)  # S(c, 0.1)
    # Away from the optimum: the extrapolated point is worse, nothing moves.
    w_prev = np.array([0.2, 0.0, 0.3])
    w = np.array([0.8, 0.02, -0.4])
    before = w.copy()
    residual = data.init_residual(w)
    R_before = residual[0].copy()
    assert path_module._predict(data, penalty, w, w_prev, residual, alphas) is None
    assert_array_equal(w, before)
    assert_array_equal(residual[0], R_before)
    # No support, or a grid that does not decrease: no prediction.
    zero = np.zeros(3)
    assert path_module._predict(data, penalty, zero, w_prev, data.init_residual(zero),
                                alphas) is None  # fmt: skip
    flat = np.array([0.2, 0.2, 0.1])
    assert path_module._predict(data, penalty, w, w_prev, residual, flat) is None


@pytest.mark.parametrize("storage", ["dense", "csc"])
@pytest.mark.parametrize("l1_ratio", [0.5, 0.2, 1.0])
def test_predictor_saves_epochs_and_keeps_the_solutions(
    helpers, wide, monkeypatch, l1_ratio, storage
):
    """With the predictor (the default) the path needs fewer epochs than from the
    plain warm start, every point still certified (its gap within the tolerance) and
    the objectives equal to those of the plain path within that tolerance. The
    solver is told the gradient is unknown after each prediction."""
    X, y = _storage(wide.X, storage), wide.y
    kw = dict(l1_ratio=l1_ratio, eps=1e-3, alphas=30, coef_init=None, verbose=False,
              return_n_iter=True, positive=False, check_input=True,
              fit_intercept=True, sample_weight=None, tol=None, max_iter=1000,
              solver="cd", rel_tol=1e-8)  # fmt: skip
    cd = path_module.SOLVERS["cd"]

    def solve(*args, **kwargs):
        # The working-set solver, which the predictor serves (CSC data this small
        # would otherwise take the covariance form: QuadraticData.gram_cheap).
        return cd(*args, **{**kwargs, "compiled_below": 0})

    monkeypatch.setitem(path_module.SOLVERS, "cd", solve)
    a, plain, _, plain_iters, plain_b = path_module._enet_path(
        X, y, predict=False, **kw
    )
    flags = []

    def spy(*args, **kwargs):
        warm = kwargs.get("warm") or WarmStart()
        flags.append(warm.solve_ws_first)
        assert not warm.solve_ws_first or warm.grad is None
        return solve(*args, **kwargs)

    monkeypatch.setitem(path_module.SOLVERS, "cd", spy)
    _, coefs, gaps, iters, b = path_module._enet_path(X, y, **kw)
    assert sum(flags) >= 10
    if l1_ratio == 0.2:
        # On this small problem at l1_ratio 0.5 and 1 the finishing step of the
        # solver (skreg.solvers.cd._Finisher) makes the plain path as cheap; the
        # predictor pays on larger paths (500 x 5000 elastic net: 1670 -> 570
        # epochs, measured this round).
        assert sum(iters) < sum(plain_iters)
    for i, alpha in enumerate(a):
        obj = helpers.objective(wide.X, y, coefs[:, i], b[i], alpha, l1_ratio)
        obj_plain = helpers.objective(wide.X, y, plain[:, i], plain_b[i], alpha,
                                      l1_ratio)  # fmt: skip
        assert abs(obj - obj_plain) <= 2e-8 * obj_plain, i
        assert -1e-12 * obj <= gaps[i] <= 1e-8 * obj * (1 + 1e-9), i
