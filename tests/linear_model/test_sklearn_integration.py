"""skreg's linear models in scikit-learn: validation, meta-estimators, attributes."""

from __future__ import annotations

import hashlib
import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.feature_selection import SelectFromModel
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skreg import ElasticNet, Lasso

ESTIMATORS = [ElasticNet, Lasso]
TIGHT = dict(tol=1e-12, max_iter=10_000)


# -- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize("Est", ESTIMATORS)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", ["X", "y"])
def test_non_finite_input_rejected(Est, regression, bad, where):
    X, y = regression.X.copy(), regression.y.copy()
    if where == "X":
        X[3, 2] = bad
    else:
        y[5] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        Est().fit(X, y)
    if where == "X":
        with pytest.raises(ValueError, match="NaN|infinity"):
            Est().fit(sp.csc_matrix(X), y)


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_inconsistent_lengths_rejected(Est, regression):
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        Est().fit(regression.X, regression.y[:-1])


@pytest.mark.parametrize(
    "Est, params, match",
    [
        (ElasticNet, {"alpha": -1.0}, "'alpha' parameter of ElasticNet"),
        (Lasso, {"alpha": -0.1}, "'alpha' parameter of Lasso"),
        (ElasticNet, {"l1_ratio": 1.5}, "'l1_ratio' parameter of ElasticNet"),
        (ElasticNet, {"l1_ratio": -0.5}, "'l1_ratio' parameter of ElasticNet"),
        (ElasticNet, {"solver": "newton"}, "'solver' parameter of ElasticNet"),
        (Lasso, {"solver": "saga"}, "'solver' parameter of Lasso"),
        (Lasso, {"max_iter": 0}, "'max_iter' parameter of Lasso"),
    ],
)
def test_invalid_parameters_rejected(Est, params, match, regression):
    with pytest.raises(ValueError, match=match):
        Est(**params).fit(regression.X, regression.y)


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_invalid_parameters_rejected_after_a_valid_fit(Est, regression):
    """Known-valid settings skip scikit-learn's parameter validation: a setting that
    changes, or is NaN, or has another type, is validated again."""
    from sklearn.utils._param_validation import InvalidParameterError

    from skreg.utils import _validation

    X, y = regression.X, regression.y
    model = Est(alpha=0.1).fit(X, y)
    model.fit(X, y)  # a cache hit
    for bad in (-0.1, np.nan, "0.1", None):
        model.set_params(alpha=bad)
        with pytest.raises(InvalidParameterError, match="'alpha' parameter"):
            model.fit(X, y)
    model.set_params(alpha=0.1, max_iter=[5])  # unhashable: validated, rejected
    with pytest.raises(InvalidParameterError, match="'max_iter' parameter"):
        model.fit(X, y)
    # At most _MAX_VALID_SETTINGS settings are remembered.
    for k in range(_validation._MAX_VALID_SETTINGS + 10):
        Est(alpha=0.1 + k)._validate_params()
    assert len(_validation._VALID_SETTINGS) <= _validation._MAX_VALID_SETTINGS


@pytest.mark.parametrize("Est", ESTIMATORS)
@pytest.mark.parametrize(
    "case", ["fortran", "c-order", "float32", "int-y", "list", "y-column", "readonly"]
)
def test_fast_input_path_equals_sklearn_validation(Est, regression, case):
    """Plain ndarrays skip scikit-learn's validate_data; they come out of it as from
    validate_data (values, dtype, memory order, fitted input attributes), so the fits
    are identical, and inputs are not modified."""
    X = np.asfortranarray(regression.X)
    y = regression.y.copy()
    if case == "c-order":
        X = np.ascontiguousarray(X)
    elif case == "float32":
        X = X.astype(np.float32)
    elif case == "int-y":
        y = np.round(y * 10).astype(np.int64)
    elif case == "list":
        X = X.tolist()
    elif case == "y-column":
        y = y[:, None]
    elif case == "readonly":
        X = X.copy()
        X.flags.writeable = False
    X_before = np.array(X, copy=True)
    fast_est, slow_est = Est(alpha=0.05), Est(alpha=0.05)
    X_fast, y_fast = fast_est._validate_xy(X, y)
    X_slow, y_slow = slow_est._validate_xy(X, y, fast=False)
    for a, b in ((X_fast, X_slow), (y_fast, y_slow)):
        assert_array_equal(a, b)
        assert a.dtype == b.dtype and a.shape == b.shape
        assert a.flags.f_contiguous == b.flags.f_contiguous
        assert a.flags.c_contiguous == b.flags.c_contiguous
    assert fast_est.n_features_in_ == slow_est.n_features_in_ == regression.X.shape[1]
    assert not hasattr(fast_est, "feature_names_in_")
    fit = Est(alpha=0.05).fit(X, y)
    assert fit.coef_.dtype == X_slow.dtype
    assert_array_equal(np.asarray(X), X_before)


@pytest.mark.parametrize("Est", ESTIMATORS)
@pytest.mark.parametrize(
    "case", ["csc", "csc_array", "float32", "int64-indices", "int-y", "csr", "empty"]
)
def test_fast_input_path_for_csc_equals_sklearn_validation(Est, regression, case):
    """CSC matrices skip scikit-learn's validate_data too: the same object comes back
    (as from validate_data: no copy), with the same fitted input attributes, and the
    inputs are not modified; other sparse formats take scikit-learn's path."""
    X = regression.X.copy()
    X[np.abs(X) < 0.7] = 0.0
    y = regression.y.copy()
    Xs = sp.csc_matrix(X)
    if case == "csc_array":
        Xs = sp.csc_array(X)
    elif case == "float32":
        Xs = Xs.astype(np.float32)
    elif case == "int64-indices":
        Xs.indices = Xs.indices.astype(np.int64)
        Xs.indptr = Xs.indptr.astype(np.int64)
    elif case == "int-y":
        y = np.round(y * 10).astype(np.int64)
    elif case == "csr":
        Xs = sp.csr_matrix(X)
    elif case == "empty":
        Xs = sp.csc_matrix(X.shape)  # no stored entries
    before, index_dtype = Xs.copy(), Xs.indices.dtype
    fast_est, slow_est = Est(alpha=0.05), Est(alpha=0.05)
    X_fast, y_fast = fast_est._validate_xy(Xs, y)
    X_slow, y_slow = slow_est._validate_xy(Xs, y, fast=False)
    assert type(X_fast) is type(X_slow)
    assert X_fast.format == X_slow.format and X_fast.dtype == X_slow.dtype
    assert (X_fast is Xs) == (X_slow is Xs)
    assert_array_equal(X_fast.toarray(), X_slow.toarray())
    assert_array_equal(y_fast, y_slow)
    assert y_fast.dtype == y_slow.dtype
    assert fast_est.n_features_in_ == slow_est.n_features_in_ == X.shape[1]
    if case == "empty":
        # (An all-zero design: alpha_max is 0 and the fit warns about it.)
        return
    # (Solved tightly: dense fits of 30 features are not polished at tol=None.)
    fit = Est(alpha=0.05, tol=1e-10).fit(Xs, y)
    dense = Est(alpha=0.05, tol=1e-10).fit(Xs.toarray(), y)
    assert_allclose(fit.coef_, dense.coef_, rtol=1e-5, atol=1e-6)
    assert type(Xs) is type(before)
    assert_array_equal(Xs.toarray(), before.toarray())
    assert Xs.indices.dtype == index_dtype


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_bad_csc_input_gives_sklearn_errors(Est, regression):
    """The fast CSC path falls back to scikit-learn on bad input, whose errors the
    user sees: non-finite stored values, wrong lengths, wrong dimensions."""
    Xs = sp.csc_matrix(regression.X)
    y = regression.y
    for bad in (np.nan, np.inf):
        Xb = Xs.copy()
        Xb.data[7] = bad
        with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
            Est().fit(Xb, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        Est().fit(Xs, y[:-1])
    with pytest.raises(ValueError, match="Input y contains NaN"):
        Est().fit(Xs, np.where(np.arange(y.shape[0]) == 3, np.nan, y))
    with pytest.raises(ValueError, match="0 feature"):
        Est().fit(sp.csc_matrix((y.shape[0], 0)), y)
    with pytest.raises(ValueError, match="0 sample"):
        Est().fit(sp.csc_matrix((0, 3)), y[:0])


def test_fast_input_path_resets_feature_names(regression):
    """A refit on a plain ndarray drops ``feature_names_in_`` of an earlier DataFrame
    fit and resets ``n_features_in_``, as validate_data does."""
    pd = pytest.importorskip("pandas")
    X, y = regression.X, regression.y
    df = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    model = ElasticNet(alpha=0.1).fit(df, y)
    assert hasattr(model, "feature_names_in_")
    model.fit(X[:, :5], y)
    assert not hasattr(model, "feature_names_in_")
    assert model.n_features_in_ == 5
    with pytest.raises(ValueError, match="features"):
        model.predict(X)


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_bad_sample_weight_rejected(Est, regression):
    X, y = regression.X, regression.y
    sw = np.ones(len(y))
    sw[4] = -1.0
    with pytest.raises(
        ValueError, match="Negative values in data passed to `sample_weight`"
    ):
        Est().fit(X, y, sample_weight=sw)
    with pytest.raises(ValueError, match=r"sample_weight.shape == \(59,\)"):
        Est().fit(X, y, sample_weight=np.ones(len(y) - 1))
    with pytest.raises(ValueError, match="[Ss]ample weights must contain"):
        Est().fit(X, y, sample_weight=np.zeros(len(y)))


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_predict_validation(Est, regression):
    with pytest.raises(NotFittedError):
        Est().predict(regression.X)
    model = Est(alpha=0.1).fit(regression.X, regression.y)
    with pytest.raises(ValueError, match="X has 29 features, but .* is expecting 30"):
        model.predict(regression.X[:, :-1])


# -- inputs are never mutated ------------------------------------------------------


def _digest(a):
    if sp.issparse(a):
        parts = [a.data, a.indices, a.indptr]
        return tuple(
            (p.dtype.str, p.shape, hashlib.sha1(np.ascontiguousarray(p)).hexdigest())
            for p in parts
        ) + (a.format,)
    return (a.dtype.str, a.shape, a.flags.f_contiguous,
            hashlib.sha1(np.ascontiguousarray(a)).hexdigest())  # fmt: skip


def _storages(X):
    csc64 = sp.csc_matrix(X)
    csc64.indices, csc64.indptr = (
        csc64.indices.astype(np.int64),
        csc64.indptr.astype(np.int64),
    )
    csr = sp.csr_matrix(X)
    return {
        "dense-C": np.ascontiguousarray(X),
        "dense-F": np.asfortranarray(X),
        "csc-int32": sp.csc_matrix(X),
        "csc-int64": csc64,
        "csr": csr,
    }


@pytest.mark.parametrize("storage", ["dense-C", "dense-F", "csc-int32", "csc-int64",
                                     "csr"])  # fmt: skip
@pytest.mark.parametrize("solver", ["cd", "fista"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
def test_inputs_not_mutated(regression, storage, solver, dtype, weighted):
    X = _storages(regression.X.astype(dtype))[storage]
    y = regression.y.astype(dtype)
    sw = regression.sample_weight.copy() if weighted else None
    before = (_digest(X), _digest(y), None if sw is None else _digest(sw))
    ElasticNet(alpha=0.05, solver=solver, tol=1e-6, max_iter=100_000).fit(
        X, y, sample_weight=sw
    )
    after = (_digest(X), _digest(y), None if sw is None else _digest(sw))
    assert before == after


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("solver", ["cd", "fista"])
def test_dense_and_sparse_fits_agree(regression, solver, weighted):
    X = regression.X.copy()
    X[np.abs(X) < 0.5] = 0.0
    sw = regression.sample_weight if weighted else None
    fits = {
        name: ElasticNet(alpha=0.05, l1_ratio=0.7, solver=solver, tol=1e-13,
                         max_iter=100_000).fit(Xs, regression.y, sample_weight=sw)
        for name, Xs in _storages(X).items()
    }  # fmt: skip
    ref = fits["dense-F"]
    # Dense and sparse small problems run different solvers (skreg.solvers.cd._SMALL),
    # each stopped by its own certificate: both are within sqrt(2 gap / mu) of the
    # optimum (mu = alpha (1 - l1_ratio), the strong convexity), so within the sum.
    mu = 0.05 * 0.3
    for name, model in fits.items():
        bound = np.sqrt(2 * model.dual_gap_ / mu) + np.sqrt(2 * ref.dual_gap_ / mu)
        assert bound < 1e-4, name  # the test has teeth: the fits are tight
        diff = np.linalg.norm(model.coef_ - ref.coef_)
        assert diff <= bound + 1e-12, name
        xmean = np.average(X, axis=0, weights=sw)
        assert abs(model.intercept_ - ref.intercept_) <= (
            np.linalg.norm(xmean) * bound + 1e-12
        )
        row_norm = np.linalg.norm(X, axis=1).max()
        assert_allclose(
            model.predict(_storages(X)[name]), ref.predict(X), atol=row_norm * bound
        )


# -- meta-estimators ---------------------------------------------------------------


def test_pipeline_in_grid_search_parallel():
    X, y = make_regression(n_samples=200, n_features=20, n_informative=5, noise=1.0,
                           random_state=0)  # fmt: skip
    pipe = make_pipeline(StandardScaler(), ElasticNet(tol=1e-8))
    grid = GridSearchCV(
        pipe,
        {
            "elasticnet__alpha": [0.01, 0.1, 1.0],
            "elasticnet__l1_ratio": [0.1, 0.5, 0.9],
        },
        cv=3,
        n_jobs=2,
    ).fit(X, y)
    assert grid.best_params_["elasticnet__alpha"] == 0.01
    assert grid.best_score_ > 0.99
    assert np.all(np.isfinite(grid.cv_results_["mean_test_score"]))
    assert grid.predict(X).shape == (200,)


def test_select_from_model_finds_informative_features():
    X, y, coef = make_regression(n_samples=200, n_features=30, n_informative=5,
                                 noise=1.0, coef=True, random_state=0)  # fmt: skip
    selector = SelectFromModel(Lasso(alpha=1.0)).fit(X, y)
    assert_array_equal(np.flatnonzero(selector.get_support()), np.flatnonzero(coef))


# -- fitted attributes and behaviour -----------------------------------------------


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_clone_and_pickle(Est, regression):
    model = Est(alpha=0.1, tol=1e-10, positive=True).fit(regression.X, regression.y)
    cloned = clone(model)
    assert cloned.get_params() == model.get_params()
    assert not hasattr(cloned, "coef_")
    restored = pickle.loads(pickle.dumps(model))
    assert_array_equal(restored.predict(regression.X), model.predict(regression.X))
    assert_array_equal(restored.coef_, model.coef_)


@pytest.mark.parametrize("solver", ["cd", "fista"])
def test_warm_start(wide, solver):
    X, y = wide.X, wide.y
    model = Lasso(alpha=0.05, warm_start=True, solver=solver, **TIGHT).fit(X, y)
    first_coef, first_iter = model.coef_.copy(), model.n_iter_
    model.fit(X, y)
    assert model.n_iter_ < first_iter
    assert_allclose(model.coef_, first_coef, rtol=0, atol=1e-8)
    cold = Lasso(alpha=0.05, solver=solver, **TIGHT).fit(X, y)
    cold.fit(X, y)
    assert cold.n_iter_ == first_iter  # no warm start: same work again


@pytest.mark.parametrize("sparse", [False, True])
def test_multi_output_matches_per_column(regression, sparse):
    X = sp.csc_matrix(regression.X) if sparse else regression.X
    Y = np.column_stack([regression.y, -2 * regression.y + regression.X[:, 7]])
    sw = regression.sample_weight
    multi = ElasticNet(alpha=0.1, l1_ratio=0.6, **TIGHT).fit(X, Y, sample_weight=sw)
    assert multi.coef_.shape == (2, X.shape[1])
    assert multi.intercept_.shape == (2,)
    assert multi.sparse_coef_.shape == (2, X.shape[1])
    for k in range(2):
        single = ElasticNet(alpha=0.1, l1_ratio=0.6, **TIGHT).fit(
            X, Y[:, k], sample_weight=sw
        )
        assert_allclose(multi.coef_[k], single.coef_, rtol=0, atol=1e-9)
        assert_allclose(multi.intercept_[k], single.intercept_, rtol=0, atol=1e-8)
    assert multi.predict(X).shape == (X.shape[0], 2)


def test_sparse_coef(regression):
    model = Lasso(alpha=0.2).fit(regression.X, regression.y)
    sc = model.sparse_coef_
    assert sp.issparse(sc)
    assert sc.shape == (1, regression.X.shape[1])
    assert_array_equal(sc.toarray().ravel(), model.coef_)
    assert sc.nnz == np.count_nonzero(model.coef_)


def test_feature_names_in(regression):
    pd = pytest.importorskip("pandas")
    names = [f"f{j}" for j in range(regression.X.shape[1])]
    df = pd.DataFrame(regression.X, columns=names)
    model = ElasticNet(alpha=0.1).fit(df, regression.y)
    assert_array_equal(model.feature_names_in_, names)
    assert model.n_features_in_ == len(names)
    model.predict(df)
    with pytest.raises(ValueError, match="feature names"):
        model.predict(df.rename(columns={"f0": "other"}))


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("solver", ["cd", "fista"])
def test_alpha_above_alpha_max_gives_zero(helpers, regression, sparse, weighted,
                                          solver):  # fmt: skip
    sw = regression.sample_weight if weighted else None
    amax = helpers.alpha_max(regression.X, regression.y, 0.5, sw)
    X = sp.csc_matrix(regression.X) if sparse else regression.X
    # Just above alpha_max (exactly at it, rounding decides the sign of 1e-17).
    for alpha in (amax * (1 + 1e-10), 1.5 * amax):
        model = ElasticNet(alpha=alpha, l1_ratio=0.5, solver=solver).fit(
            X, regression.y, sample_weight=sw
        )
        assert np.all(model.coef_ == 0)
        assert model.intercept_ == pytest.approx(np.average(regression.y, weights=sw))
    below = ElasticNet(alpha=0.99 * amax, l1_ratio=0.5, solver=solver, **TIGHT)
    assert np.any(below.fit(X, regression.y, sample_weight=sw).coef_ != 0)


@pytest.mark.parametrize("solver", ["cd", "fista"])
def test_convergence_warning_reports_gap(wide, solver):
    with pytest.warns(ConvergenceWarning, match="duality gap") as record:
        model = Lasso(alpha=1e-3, max_iter=1, tol=1e-12, solver=solver).fit(
            wide.X, wide.y
        )
    message = str(record[0].message)
    assert f"{model.dual_gap_:.3e}" in message
    assert model.n_iter_ == 1


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_float32_in_float32_out(Est, regression, sparse):
    X = regression.X.astype(np.float32)
    X = sp.csc_matrix(X) if sparse else X
    model = Est(alpha=0.1, tol=1e-4).fit(X, regression.y.astype(np.float32))
    assert model.coef_.dtype == np.float32
    assert model.predict(X).dtype == np.float32
    model64 = Est(alpha=0.1, tol=1e-4).fit(regression.X, regression.y)
    assert model64.coef_.dtype == np.float64
