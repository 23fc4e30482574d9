"""Cross-validation folds of tall dense data from Gram statistics (skreg._fold_stats).

The statistics replace, on each fold, the centred copy of the training rows, their
Gram product and one ``X_test @ w`` per path point; they must give the same numbers:
the training Gram triple of :meth:`QuadraticData.gram` (rounding only), the held-out
errors of a direct computation, and the same fold paths to 1e-12.
"""

import numpy as np
import pytest
from sklearn.model_selection import KFold, ShuffleSplit

from skreg import ElasticNetCV, LassoCV
from skreg._fold_stats import fold_stats, residual_mse, take_rows
from skreg._path import HeldOut, _enet_path
from skreg.datafits import QuadraticData


def _tall(seed=0, n=600, p=12, offset=3.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + offset  # columns far from zero: centring matters
    X[:, 1:] += 0.5 * X[:, :-1]
    w = np.zeros(p)
    w[:4] = rng.standard_normal(4)
    y = X @ w + 0.5 * rng.standard_normal(n)
    return np.asfortranarray(X), y, rng.uniform(0.2, 3.0, n)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_fold_gram_equals_the_training_rows_gram(weighted, fit_intercept):
    X, y, sw = _tall()
    X[:, 5] = 2.5  # a constant column: zeroed in both
    sw = sw if weighted else None
    folds = list(KFold(4, shuffle=True, random_state=0).split(X))
    for (train, _), st in zip(
        folds, fold_stats(X, y, sw, fit_intercept, folds), strict=True
    ):
        sw_train = None if sw is None else sw[train]
        data = QuadraticData(take_rows(X, train), y[train], sw_train, fit_intercept)
        G, b, y_sq = data.gram()
        data.use_gram(*st.gram)
        G2, b2, y_sq2 = data.gram()
        scale = np.sqrt(np.outer(np.diag(G), np.diag(G))).max()
        np.testing.assert_allclose(G2, G, rtol=0, atol=1e-12 * scale)
        np.testing.assert_allclose(b2, b, rtol=0, atol=1e-12 * np.sqrt(scale * y_sq))
        assert y_sq2 == pytest.approx(y_sq, rel=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
def test_held_out_error_equals_the_residuals(weighted):
    X, y, sw = _tall(seed=1)
    sw = sw if weighted else None
    folds = list(KFold(3).split(X))
    rng = np.random.default_rng(2)
    for (_, test), st in zip(folds, fold_stats(X, y, sw, True, folds), strict=True):
        for _ in range(3):
            w, b = rng.standard_normal(X.shape[1]), float(rng.standard_normal())
            res = X[test] @ w + b - y[test]
            direct = np.average(res**2, weights=None if sw is None else sw[test])
            assert st.held_out_mse(w, b) == pytest.approx(direct, rel=1e-11)


def test_held_out_error_of_a_perfect_fit_is_computed_from_the_residuals():
    # y = X w up to rounding: the quadratic form cancels to noise of the size of
    # eps * ||y||^2 (of either sign), the residuals are of the size of eps * |y|.
    X, _, _ = _tall(seed=3)
    w = np.arange(X.shape[1], dtype=float)
    y = X @ w + 1.5
    folds = list(KFold(3).split(X))
    for (_, test), st in zip(folds, fold_stats(X, y, None, True, folds), strict=True):
        mse = st.held_out_mse(w, 1.5)
        assert 0.0 <= mse <= 1e-26 * np.mean(y[test] ** 2)


@pytest.mark.parametrize("weighted", [False, True])
def test_fold_paths_with_statistics_equal_the_paths_without(weighted):
    X, y, sw = _tall(seed=4)
    sw = sw if weighted else None
    folds = list(KFold(5).split(X))
    common = dict(
        l1_ratio=0.7, eps=1e-2, alphas=8, coef_init=None, verbose=False,
        return_n_iter=False, positive=False, check_input=False, fit_intercept=True,
        tol=1e-14, max_iter=10_000, solver="cd", rel_tol=1e-6,
    )  # fmt: skip
    for (train, test), st in zip(folds, fold_stats(X, y, sw, True, folds), strict=True):
        sw_tr = None if sw is None else sw[train]
        sw_te = None if sw is None else sw[test]
        plain = _enet_path(
            take_rows(X, train), y[train], sample_weight=sw_tr,
            held_out=HeldOut(X[test], y[test], sw_te, 0.0), **common,
        )  # fmt: skip
        fast = _enet_path(
            take_rows(X, train), y[train], sample_weight=sw_tr,
            held_out=HeldOut(None, None, None, 0.0, stats=st), fold=st, **common,
        )  # fmt: skip
        # Both are certified to a gap of 1e-14 ||y_c||^2 / n: the same objective to
        # 1e-12, the same coefficients to within what that gap allows (1e-7 here).
        np.testing.assert_allclose(
            _objectives(X[train], y[train], sw_tr, fast),
            _objectives(X[train], y[train], sw_tr, plain),
            rtol=1e-12,
        )
        np.testing.assert_allclose(fast[1], plain[1], rtol=0, atol=1e-7)
        np.testing.assert_allclose(fast[-1], plain[-1], rtol=1e-8)


def _objectives(X, y, sw, path, l1_ratio=0.7):
    """scikit-learn's (weighted) elastic-net objective at every point of ``path``."""
    alphas, coefs, intercepts = path[0], path[1], path[-2]
    sw = np.ones(X.shape[0]) if sw is None else sw / sw.mean()
    res = X @ coefs + intercepts - y[:, None]
    fit = 0.5 * (sw[:, None] * res**2).mean(axis=0)
    l1 = np.abs(coefs).sum(axis=0)
    l2 = (coefs**2).sum(axis=0)
    return fit + alphas * (l1_ratio * l1 + 0.5 * (1 - l1_ratio) * l2)


@pytest.mark.parametrize("n", [800, 60])
@pytest.mark.parametrize(
    "cv", [KFold(5), ShuffleSplit(3, test_size=0.2, random_state=0)], ids=str
)
def test_cv_errors_equal_held_out_errors_of_the_fold_paths(cv, n):
    # ShuffleSplit's parts are complementary too: both take the statistics path on
    # tall data (n=800, p=12); n=60 (4 training rows per feature) takes the plain one.
    X, y, _ = _tall(seed=5, n=n)
    model = ElasticNetCV(l1_ratio=0.5, alphas=6, cv=cv, tol=1e-12).fit(X, y)
    for j, (train, test) in enumerate(cv.split(X)):
        _, coefs, _, intercepts = _enet_path(
            X[train], y[train], l1_ratio=0.5, eps=1e-3, alphas=model.alphas_,
            coef_init=None, verbose=False, return_n_iter=False, positive=False,
            check_input=False, fit_intercept=True, sample_weight=None, tol=1e-12,
            max_iter=10_000, solver="cd", rel_tol=1e-6,
        )  # fmt: skip
        pred = X[test] @ coefs + intercepts
        direct = np.mean((pred - y[test][:, None]) ** 2, axis=0)
        np.testing.assert_allclose(model.mse_path_[:, j], direct, rtol=1e-8)


def test_rows_left_out_of_both_parts_take_the_plain_path():
    # Training and held-out parts that do not cover the rows (a time-series split)
    # cannot use the whole-data statistics; the errors are still those of the folds.
    from sklearn.model_selection import TimeSeriesSplit

    X, y, _ = _tall(seed=6, n=900)
    cv = TimeSeriesSplit(3)
    model = ElasticNetCV(l1_ratio=1.0, alphas=6, cv=cv, tol=1e-12).fit(X, y)
    for j, (train, test) in enumerate(cv.split(X)):
        _, coefs, _, intercepts = _enet_path(
            X[train], y[train], l1_ratio=1.0, eps=1e-3, alphas=model.alphas_,
            coef_init=None, verbose=False, return_n_iter=False, positive=False,
            check_input=False, fit_intercept=True, sample_weight=None, tol=1e-12,
            max_iter=10_000, solver="cd", rel_tol=1e-6,
        )  # fmt: skip
        direct = np.mean((X[test] @ coefs + intercepts - y[test][:, None]) ** 2, axis=0)
        np.testing.assert_allclose(model.mse_path_[:, j], direct, rtol=1e-8)


def test_take_rows_keeps_fortran_order_and_values():
    X, _, _ = _tall(seed=7, n=50, p=4)
    rows = np.array([3, 1, 4, 1, 5])
    out = take_rows(X, rows)
    assert out.flags.f_contiguous
    np.testing.assert_array_equal(out, X[rows])
    C = np.ascontiguousarray(X)
    np.testing.assert_array_equal(take_rows(C, rows), C[rows])


def _hard(seed, n=400, p=10):
    """Tall data with nearly collinear columns: small alphas need many epochs."""
    rng = np.random.default_rng(seed)
    base = rng.standard_normal((n, 1))
    X = base + 0.02 * rng.standard_normal((n, p))
    y = X @ rng.standard_normal(p) + 0.1 * rng.standard_normal(n)
    return np.asfortranarray(X), y


@pytest.mark.parametrize("rel_tol", [1e-4, 1e-6])
@pytest.mark.parametrize("problem", ["plain", "collinear", "perfect", "weighted"])
def test_compiled_fold_path_agrees_with_the_point_by_point_loop(problem, rel_tol):
    # The compiled call runs the small-problem solver's kernel, jumps to the exact
    # solution on the support where coordinate descent crawls, and polishes each
    # certified point; the loop runs that solver point by point. Both certify every
    # point: their objectives agree within the larger duality gap, and the compiled
    # path's held-out errors are those of its coefficients.
    # "collinear" makes points need many epochs (the loop's need two phases);
    # "perfect" makes held-out errors cancel (computed from residuals, code 2).
    if problem == "collinear":
        X, y = _hard(8)
        sw = None
    else:
        X, y, sw = _tall(seed=9, n=500, p=8)
        if problem == "perfect":
            y = X @ np.linspace(-1, 1, X.shape[1]) + 0.25
        if problem != "weighted":
            sw = None
    folds = list(KFold(4).split(X))
    common = dict(
        l1_ratio=0.8, eps=1e-4, alphas=40, coef_init=None, verbose=False,
        return_n_iter=True, positive=False, check_input=False, fit_intercept=True,
        tol=None, max_iter=5000, solver="cd", rel_tol=rel_tol,
    )  # fmt: skip
    if problem == "perfect":
        common["alphas"] = np.geomspace(1.0, 1e-12, 40)
    for (train, test), st in zip(folds, fold_stats(X, y, sw, True, folds), strict=True):
        sw_tr = None if sw is None else sw[train]
        sw_te = None if sw is None else sw[test]
        runs = []
        for compiled in (True, False):
            st.compiled = compiled
            runs.append(
                _enet_path(
                    take_rows(X, train),
                    y[train],
                    sample_weight=sw_tr,
                    held_out=HeldOut(None, None, None, 0.0, stats=st),
                    fold=st,
                    **common,
                )  # fmt: skip
            )
        fast, slow = runs
        assert max(fast[3]) < 100  # no point handed back after a phase
        P_fast = _objectives(X[train], y[train], sw_tr, fast, 0.8)
        P_slow = _objectives(X[train], y[train], sw_tr, slow, 0.8)
        assert np.all(fast[2] <= rel_tol * P_fast * (1 + 1e-9) + 1e-14 * y.var())
        bound = np.maximum(fast[2], slow[2]) + 1e-12 * P_slow
        assert np.all(np.abs(P_fast - P_slow) <= bound)
        direct = [
            residual_mse(X[test], y[test], sw_te, fast[1][:, k], fast[4][k])
            for k in range(fast[0].shape[0])
        ]
        np.testing.assert_allclose(fast[-1], direct, rtol=1e-9, atol=1e-12 * y.var())


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_compiled_fold_path_finishes_ill_conditioned_points(l1_ratio):
    # Nearly collinear columns: coordinate descent alone needs hundreds of epochs at
    # the small alphas, and the compiled path used to hand such points back to the
    # Python solver after a phase of 100 epochs (which then ran them again). The
    # compiled path now jumps to the exact solution on the support (a Newton step)
    # and certifies every point itself in a few tens of epochs, each to the
    # relative gap asked for (no held-out floor here: floor_factor 0).
    X, y = _hard(8)
    folds = list(KFold(4).split(X))
    rel_tol = 1e-4
    common = dict(
        l1_ratio=l1_ratio, eps=1e-4, alphas=40, coef_init=None, verbose=False,
        return_n_iter=True, positive=False, check_input=False, fit_intercept=True,
        max_iter=5000, solver="cd",
    )  # fmt: skip
    for (train, _), st in zip(folds, fold_stats(X, y, None, True, folds), strict=True):
        X_tr, y_tr = take_rows(X, train), y[train]
        out = _enet_path(
            X_tr, y_tr, sample_weight=None, held_out=HeldOut(None, None, None, 0.0, st),
            fold=st, tol=None, rel_tol=rel_tol, **common,
        )  # fmt: skip
        assert max(out[3]) <= 40  # a handed-back point costs 100 epochs or more
        common_tight = dict(common, alphas=out[0])
        tight = _enet_path(
            X_tr, y_tr, sample_weight=None, tol=1e-13, rel_tol=1e-6, **common_tight
        )
        objective = _objectives(X_tr, y_tr, None, out, l1_ratio)
        best = _objectives(X_tr, y_tr, None, tight, l1_ratio)
        assert np.all(objective - best <= rel_tol * best * (1 + 1e-6))


@pytest.mark.parametrize("kind", ["LassoCV", "ElasticNetCV"])
def test_cv_refit_of_tall_correlated_data_converges(kind):
    # 40 nearly collinear columns (more than the small-problem solver's 32): the
    # refit at alpha_ used to run the working-set solver on X, which stopped at
    # max_iter=1000 with a ConvergenceWarning (an error here). The folds' statistics
    # carry the Gram matrix of all the rows: the refit runs in covariance form on
    # it, certified like a single fit (dual_gap_ within the default relative tol).
    X, y = _hard(0, n=2000, p=40)
    est = LassoCV(cv=KFold(5)) if kind == "LassoCV" else ElasticNetCV(cv=KFold(5))
    est.fit(X, y)
    assert est.n_iter_ < est.max_iter
    # Certified from first principles: scikit-learn's duality gap of the
    # elastic net (enet_coordinate_descent), from the residual on centred data.
    l1_ratio = getattr(est, "l1_ratio_", 1.0)
    n = X.shape[0]
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    w = est.coef_
    R = yc - Xc @ w
    a, b = est.alpha_ * l1_ratio * n, est.alpha_ * (1 - l1_ratio) * n
    XtA = Xc.T @ R - b * w
    const = min(1.0, a / np.abs(XtA).max())
    gap = 0.5 * (R @ R) * (1 + const**2) + a * np.abs(w).sum() - const * (R @ yc)
    gap = (gap + 0.5 * b * (1 + const**2) * (w @ w)) / n
    primal = 0.5 * (R @ R) / n + (a * np.abs(w).sum() + 0.5 * b * (w @ w)) / n
    assert gap <= 1e-6 * primal
    assert est.intercept_ == pytest.approx(y.mean() - X.mean(axis=0) @ w, rel=1e-12)


def test_compiled_fold_path_jumps_along_unchanged_sign_patterns():
    # On a sign pattern that does not change between two alphas, the lasso solution
    # moves linearly in alpha: from a polished point, the exact step at the next
    # alpha lands on the solution, certified with no coordinate-descent epoch (a
    # third of the points here; where variables enter, coordinate descent finds
    # them). Coordinate descent first spent 10 epochs on 99% of the points.
    rng = np.random.default_rng(2)
    n, p = 100, 60
    X = np.asfortranarray(rng.standard_normal((n, p)))
    y = X[:, :5] @ np.array([2.0, -1.5, 1.0, 0.5, -0.5]) + rng.standard_normal(n)
    folds = list(KFold(5).split(X))
    common = dict(
        l1_ratio=1.0, eps=1e-3, alphas=100, coef_init=None, verbose=False,
        return_n_iter=True, positive=False, check_input=False, fit_intercept=True,
        max_iter=1000, solver="cd", tol=None, rel_tol=1e-4,
    )  # fmt: skip
    for (train, _), st in zip(folds, fold_stats(X, y, None, True, folds), strict=True):
        out = _enet_path(
            take_rows(X, train), y[train], sample_weight=None,
            held_out=HeldOut(None, None, None, 0.0, st), fold=st, **common,
        )  # fmt: skip
        epochs = np.array(out[3])
        assert np.mean(epochs == 0) >= 0.25, np.mean(epochs == 0)
        P = _objectives(X[train], y[train], None, out, 1.0)
        assert np.all(out[2] <= 1e-4 * P * (1 + 1e-9))


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("cls", [ElasticNetCV, LassoCV])
def test_sparse_folds_take_the_statistics_and_equal_dense(cls, weighted, monkeypatch):
    """Sparse tall data take the fold statistics too (a dense copy of a small
    matrix), and select and refit what the same data dense do (default tol)."""
    import scipy.sparse as sp

    import skreg.linear_model._cv as cv_module

    X, y, sw = _tall(seed=7, n=300, p=8)
    X = np.where(np.abs(X - 3.0) < 0.8, 0.0, X)  # zeros for the sparse format
    sw = sw if weighted else None
    calls = []
    original = cv_module.fold_stats

    def spy(*args, **kwargs):
        calls.append(sp.issparse(args[0]))
        return original(*args, **kwargs)

    kw = dict(alphas=12, cv=4)
    if cls is ElasticNetCV:
        kw["l1_ratio"] = [0.5, 1.0]
    dense = cls(**kw).fit(X, y, sample_weight=sw)
    monkeypatch.setattr(cv_module, "fold_stats", spy)
    sparse = cls(**kw).fit(sp.csc_matrix(X), y, sample_weight=sw)
    assert calls == [True]
    # The grids differ by rounding (alpha_max from sparse and dense products).
    np.testing.assert_allclose(sparse.alphas_, dense.alphas_, rtol=1e-13)
    np.testing.assert_allclose(sparse.alpha_, dense.alpha_, rtol=1e-13)
    np.testing.assert_allclose(sparse.mse_path_, dense.mse_path_, rtol=1e-9)
    # The refits are single fits (dense: covariance form; sparse: working sets),
    # each certified to a relative gap of 1e-6, not polished to the same point.
    np.testing.assert_allclose(sparse.coef_, dense.coef_, rtol=1e-4, atol=1e-8)
