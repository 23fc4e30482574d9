"""Behaviour of RegularizedMLPRegressor / RegularizedMLPClassifier.

Correctness comes from references and first principles: scikit-learn's MLP on the
converted objective, finite differences, losses recomputed from ``predict``, and fits
that must coincide (``partial_fit`` vs ``fit``, early stopping vs a shorter run).
"""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import make_classification, make_friedman1, make_regression
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.feature_selection import SelectFromModel
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor

from skreg.neural_network import RegularizedMLPClassifier, RegularizedMLPRegressor

ESTIMATORS = [RegularizedMLPRegressor, RegularizedMLPClassifier]


def _quiet_fit(est, *args, **kwargs):
    """Fit, tolerating only ConvergenceWarning (short runs in tests)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


@pytest.fixture(scope="module")
def regression_data():
    X, y = make_friedman1(n_samples=240, n_features=6, noise=0.5, random_state=0)
    return X, (y - y.mean()) / y.std()


@pytest.fixture(scope="module")
def classification_data():
    X, y = make_classification(
        n_samples=240, n_features=8, n_informative=4, n_classes=3, random_state=0
    )
    return X, y


# ----------------------------------------------------------------- validation
@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize(
    "params, match",
    [
        (dict(dropout=1.0), "dropout"),
        (dict(dropout=-0.1), "dropout"),
        (dict(input_dropout=1.5), "input_dropout"),
        (dict(alpha=-1.0), "alpha"),
        (dict(weight_decay=-0.1), "weight_decay"),
        (dict(l1_ratio=1.5), "l1_ratio"),
        (dict(hidden_layer_sizes=()), "hidden_layer_sizes"),
        (dict(hidden_layer_sizes=(4, 0)), "hidden_layer_sizes"),
        (dict(hidden_layer_sizes=(4, -2)), "hidden_layer_sizes"),
        (dict(hidden_layer_sizes=0), "hidden_layer_sizes"),
        (dict(input_penalty="rows"), "input_penalty"),
        (dict(input_penalty="group", l1_ratio=0.0), "input_penalty='group'"),
        (dict(solver="lbfgs"), "solver"),
        (dict(validation_fraction=1.0), "validation_fraction"),
        (dict(batch_size=0), "batch_size"),
    ],
)
def test_bad_hyperparameters_raise(Estimator, params, match, classification_data):
    X, y = classification_data
    with pytest.raises(ValueError, match=match):
        Estimator(**params).fit(X, y)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_bad_input_raises(Estimator, classification_data):
    X, y = classification_data
    est = Estimator(max_iter=2)
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        est.fit(X_nan, y)
    # sparse X is accepted since issue 25 (tests/neural_network/test_mlp_path.py);
    # other sparse formats than CSR are converted, as scikit-learn's MLPs do.
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        est.fit(X, y[:-1])
    with pytest.raises(ValueError, match="sample_weight"):
        est.fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(NotFittedError):
        est.predict(X)
    for name in ("feature_importances_", "n_features_selected_", "sparsity_"):
        assert not hasattr(est, name)
    _quiet_fit(est, X, y)
    with pytest.raises(ValueError, match="features"):
        est.predict(X[:, :3])


def test_partial_fit_errors(classification_data):
    X, y = classification_data
    with pytest.raises(ValueError, match="classes"):
        RegularizedMLPClassifier().partial_fit(X, y)
    with pytest.raises(ValueError, match="early_stopping"):
        RegularizedMLPRegressor(early_stopping=True).partial_fit(X, y.astype(float))
    clf = RegularizedMLPClassifier().partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="classes"):
        clf.partial_fit(X, y + 5)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_inputs_not_mutated(Estimator, classification_data):
    X, y = classification_data
    X = X.copy()
    sw = np.linspace(0.5, 2.0, len(y))
    X0, y0, sw0 = X.copy(), y.copy(), sw.copy()
    est = Estimator(
        max_iter=3,
        input_dropout=0.2,
        dropout=0.3,
        alpha=0.01,
        l1_ratio=0.5,
        early_stopping=True,
    )
    _quiet_fit(est, X, y, sample_weight=sw)
    est.predict(X)
    assert_array_equal(X, X0)
    assert_array_equal(y, y0)
    assert_array_equal(sw, sw0)


# ---------------------------------------------------- scikit-learn equivalence
def test_alpha_conversion_matches_sklearn():
    # skreg's alpha is defined on the full-data objective; scikit-learn divides its
    # alpha by the batch size. With l1_ratio=0 and no dropout the two runs take the
    # same steps (same Glorot initialisation and shuffles from the same seed).
    X, y = make_friedman1(n_samples=400, n_features=8, noise=1.0, random_state=0)
    y = (y - y.mean()) / y.std()
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0)
    batch_size, alpha = 50, 0.01
    common = dict(
        hidden_layer_sizes=(24,),
        batch_size=batch_size,
        learning_rate_init=3e-3,
        max_iter=60,
        random_state=0,
    )
    ref = _quiet_fit(MLPRegressor(alpha=alpha * batch_size, **common), X_tr, y_tr)
    est = _quiet_fit(
        RegularizedMLPRegressor(alpha=alpha, l1_ratio=0.0, **common), X_tr, y_tr
    )
    assert abs(est.score(X_te, y_te) - ref.score(X_te, y_te)) < 0.01
    # 300 training samples are 6 full batches, where the objectives coincide exactly.
    for W, W_ref in zip(est.coefs_, ref.coefs_, strict=True):
        assert_allclose(W, W_ref, rtol=1e-6, atol=1e-8)
    assert est.n_iter_ == ref.n_iter_
    # Without penalty the epoch losses are the same running means.
    assert_allclose(est.loss_curve_[0], ref.loss_curve_[0], rtol=1e-2)


def test_alpha_conversion_sgd_and_classifier(classification_data):
    X, y = classification_data
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0)
    batch_size, alpha = 30, 0.003
    common = dict(
        hidden_layer_sizes=(16,),
        batch_size=batch_size,
        solver="sgd",
        learning_rate_init=0.05,
        max_iter=40,
        random_state=0,
    )
    ref = _quiet_fit(MLPClassifier(alpha=alpha * batch_size, **common), X_tr, y_tr)
    est = _quiet_fit(RegularizedMLPClassifier(alpha=alpha, **common), X_tr, y_tr)
    assert abs(est.score(X_te, y_te) - ref.score(X_te, y_te)) <= 0.02
    assert_allclose(est.predict_proba(X_te), ref.predict_proba(X_te), atol=1e-6)


# -------------------------------------------------------------- curves, stops
def test_train_loss_curve_is_recomputed_data_loss(regression_data):
    X, y = regression_data
    est = _quiet_fit(
        RegularizedMLPRegressor(
            (16,), dropout=0.3, alpha=0.01, max_iter=8, random_state=0
        ),
        X,
        y,
    )
    assert len(est.loss_curve_) == len(est.train_loss_curve_) == est.n_iter_ == 8
    assert est.validation_loss_curve_ is None
    # Data loss without penalty, dropout off, at the final weights.
    expected = 0.5 * np.mean((y - est.predict(X)) ** 2)
    assert_allclose(est.train_loss_curve_[-1], expected, rtol=1e-10)
    assert est.loss_ == est.loss_curve_[-1]
    assert est.best_loss_ == min(est.loss_curve_)
    assert est.best_epoch_ == int(np.argmin(est.train_loss_curve_))


def test_classifier_curves_are_log_loss(classification_data):
    X, y = classification_data
    sw = np.random.RandomState(0).uniform(0.5, 2, len(y))
    clf = _quiet_fit(
        RegularizedMLPClassifier((16,), max_iter=5, random_state=0),
        X,
        y,
        sample_weight=sw,
    )
    assert_allclose(
        clf.train_loss_curve_[-1],
        log_loss(y, clf.predict_proba(X), sample_weight=sw),
        rtol=1e-8,
    )
    yb = (y == 1).astype(int)
    clf_bin = _quiet_fit(clone(clf), X, yb)
    assert_allclose(
        clf_bin.train_loss_curve_[-1], log_loss(yb, clf_bin.predict_proba(X)), rtol=1e-8
    )


def test_validation_curve_and_early_stopping_restores_best(regression_data):
    X, y = regression_data
    common = dict(
        hidden_layer_sizes=(32, 32),
        learning_rate_init=0.01,
        batch_size=16,
        validation_fraction=0.25,
        tol=0.0,
        n_iter_no_change=5,
        random_state=0,
    )
    es = RegularizedMLPRegressor(early_stopping=True, max_iter=200, **common).fit(X, y)
    curve = es.validation_loss_curve_
    assert len(curve) == es.n_iter_ < 200
    assert es.best_epoch_ == int(np.argmin(curve))
    assert es.best_validation_loss_ == min(curve)
    # As scikit-learn: stop after n_iter_no_change + 1 epochs without improvement.
    assert es.n_iter_ == (es.best_epoch_ + 1) + es.n_iter_no_change + 1
    # Monitoring only (early_stopping=False) holds out the same rows and takes the same
    # steps: stopped at the best epoch, it must equal the restored network.
    short = RegularizedMLPRegressor(max_iter=es.best_epoch_ + 1, **common)
    with pytest.warns(ConvergenceWarning):
        short.fit(X, y)
    assert_allclose(short.validation_loss_curve_, curve[: es.best_epoch_ + 1])
    assert_allclose(short.predict(X), es.predict(X), rtol=1e-12)


def test_convergence_warning_and_tol_stop(regression_data):
    X, y = regression_data
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        RegularizedMLPRegressor((8,), max_iter=2, random_state=0).fit(X, y)
    est = RegularizedMLPRegressor((8,), tol=10.0, n_iter_no_change=2, random_state=0)
    est.fit(X, y)
    # Epoch 1 improves on inf; epochs 2, 3, 4 do not improve by tol: 3 > 2, stop.
    assert est.n_iter_ == 4


def test_verbose_prints(regression_data, capsys):
    X, y = regression_data
    est = RegularizedMLPRegressor(
        (4,), max_iter=2, verbose=True, validation_fraction=0.2, random_state=0
    )
    _quiet_fit(est, X, y)
    out = capsys.readouterr().out
    assert "Iteration 2" in out and "validation loss" in out


# ------------------------------------------------ warm start, partial_fit, seeds
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_partial_fit_equals_fit(solver, regression_data):
    # partial_fit keeps the optimizer state and the random stream: a new shuffle each
    # epoch, exactly as the epochs of one fit.
    X, y = regression_data
    params = dict(
        hidden_layer_sizes=(12,),
        solver=solver,
        batch_size=32,
        learning_rate_init=0.01,
        alpha=0.01,
        l1_ratio=0.5,
        random_state=3,
    )
    full = _quiet_fit(
        RegularizedMLPRegressor(max_iter=4, tol=0, n_iter_no_change=99, **params), X, y
    )
    inc = RegularizedMLPRegressor(**params)
    for _ in range(4):
        inc.partial_fit(X, y)
    for W, W_ref in zip(inc.coefs_, full.coefs_, strict=True):
        assert_allclose(W, W_ref, rtol=1e-12)
    assert inc.t_ == full.t_ == 4 * len(y)
    assert inc._optimizer.__class__ is full._optimizer.__class__
    # Re-using one permutation for every epoch would give a different network.
    frozen = RegularizedMLPRegressor(**params).partial_fit(X, y)
    for _ in range(3):
        frozen._rng = np.random.RandomState(0)
        frozen.partial_fit(X, y)
    assert not np.allclose(frozen.coefs_[0], inc.coefs_[0])


def test_partial_fit_classifier(classification_data):
    X, y = classification_data
    clf = RegularizedMLPClassifier((16,), random_state=0, learning_rate_init=0.01)
    for _ in range(30):
        clf.partial_fit(X, y, classes=np.unique(y))
    assert clf.score(X, y) > 0.8
    assert clf.n_iter_ == 1 and len(clf.loss_curve_) == 30


def test_warm_start_continues(regression_data):
    X, y = regression_data
    est = RegularizedMLPRegressor((8,), max_iter=3, warm_start=True, random_state=0)
    _quiet_fit(est, X, y)
    W = est.coefs_[0].copy()
    _quiet_fit(est, X, y)
    assert len(est.loss_curve_) == len(est.train_loss_curve_) == 6
    assert not np.allclose(W, est.coefs_[0])
    cold = _quiet_fit(clone(est).set_params(warm_start=False), X, y)
    assert len(cold.loss_curve_) == 3
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        _quiet_fit(est.set_params(hidden_layer_sizes=(9,)), X, y)


def test_dropout_seeded_and_off_at_predict(regression_data):
    X, y = regression_data
    params = dict(hidden_layer_sizes=(16,), max_iter=5, dropout=0.5, input_dropout=0.2)
    a = _quiet_fit(RegularizedMLPRegressor(random_state=0, **params), X, y)
    b = _quiet_fit(RegularizedMLPRegressor(random_state=0, **params), X, y)
    c = _quiet_fit(RegularizedMLPRegressor(random_state=1, **params), X, y)
    assert_array_equal(a.predict(X), b.predict(X))
    assert_array_equal(a.predict(X), a.predict(X))
    assert not np.allclose(a.predict(X), c.predict(X))
    plain = _quiet_fit(
        RegularizedMLPRegressor(random_state=0, **{**params, "dropout": 0.0}), X, y
    )
    assert not np.allclose(a.coefs_[0], plain.coefs_[0])


def test_pickle_roundtrip_and_refit(regression_data):
    X, y = regression_data
    est = _quiet_fit(
        RegularizedMLPRegressor((8,), max_iter=3, warm_start=True, random_state=0), X, y
    )
    est2 = pickle.loads(pickle.dumps(est))
    assert_array_equal(est.predict(X), est2.predict(X))
    _quiet_fit(est, X, y)
    _quiet_fit(est2, X, y)
    assert_allclose(est.predict(X), est2.predict(X))


# ------------------------------------------------------------ tasks and dtypes
def test_multioutput_regression_and_multilabel():
    X, Y = make_regression(
        n_samples=200, n_features=5, n_targets=3, noise=0.1, random_state=0
    )
    Y = Y / Y.std(axis=0)
    reg = RegularizedMLPRegressor((32,), learning_rate_init=0.01, random_state=0)
    _quiet_fit(reg, X, Y)
    assert reg.predict(X).shape == (200, 3)
    assert reg.score(X, Y) > 0.9
    expected = 0.5 * np.mean(np.sum((Y - reg.predict(X)) ** 2, axis=1))
    assert_allclose(reg.train_loss_curve_[-1], expected, rtol=1e-10)

    Yml = (Y > 0).astype(int)
    clf = _quiet_fit(RegularizedMLPClassifier((32,), random_state=0), X, Yml)
    assert clf.out_activation_ == "logistic"
    assert clf.predict(X).shape == (200, 3)
    assert clf.score(X, Yml) > 0.7


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_float32_kept_end_to_end(Estimator, classification_data):
    X, y = classification_data
    X32 = X.astype(np.float32)
    params = dict(max_iter=3, dropout=0.2, alpha=0.01, l1_ratio=0.5, random_state=0)
    est = _quiet_fit(Estimator((8,), **params), X32, y, sample_weight=np.ones(len(y)))
    assert all(W.dtype == np.float32 for W in est.coefs_ + est.intercepts_)
    assert est._optimizer.ms.dtype == np.float32
    out = est.predict_proba(X) if hasattr(est, "predict_proba") else est.predict(X)
    assert out.dtype == np.float32
    # The same fit in both precisions (no dropout: its draws depend on the dtype).
    params.update(dropout=0.0, l1_ratio=0.0)
    est32 = _quiet_fit(Estimator((8,), **params), X32, y)
    est64 = _quiet_fit(Estimator((8,), **params), X, y)
    assert est64.coefs_[0].dtype == np.float64
    assert_allclose(est32.coefs_[0], est64.coefs_[0], rtol=1e-3, atol=1e-4)


def test_kernel_signatures_at_most_two(classification_data, regression_data):
    from numba.core.registry import CPUDispatcher

    from skreg._kernels import mlp

    # The public kernels (private callees compile inside them, per call site).
    kernels = [
        k
        for name, k in vars(mlp).items()
        if isinstance(k, CPUDispatcher) and not name.startswith("_")
    ]
    assert len(kernels) >= 6

    X, y = classification_data
    Xr, yr = regression_data
    for dtype in (np.float64, np.float32):
        for solver in ("adam", "sgd"):
            common = dict(
                hidden_layer_sizes=(6, 5),
                max_iter=2,
                solver=solver,
                alpha=0.01,
                l1_ratio=0.5,
                input_penalty="group",
                dropout=0.1,
                input_dropout=0.1,
                validation_fraction=0.2,
                random_state=0,
            )
            clf = _quiet_fit(RegularizedMLPClassifier(**common), X.astype(dtype), y)
            clf.predict_proba(X.astype(dtype))
            clf.predict(X[::-1].T.copy().T)  # F-ordered float64 input
            reg = RegularizedMLPRegressor(**common)
            _quiet_fit(reg, Xr.astype(dtype), yr, sample_weight=np.ones(len(yr)))
            reg.partial_fit(Xr.astype(dtype), yr)
            reg.predict(Xr[:7])
    for kernel in kernels:
        assert len(kernel.signatures) <= 2, (kernel, kernel.signatures)


# ------------------------------------------------------ sparsity and selection
def test_l1_gives_exact_zeros_and_importances(regression_data):
    X, y = regression_data
    rng = np.random.RandomState(0)
    X = np.hstack([X[:, :3], rng.standard_normal((len(y), 5))])
    est = RegularizedMLPRegressor(
        (16,),
        alpha=0.05,
        l1_ratio=1.0,
        learning_rate_init=0.01,
        max_iter=60,
        tol=0,
        n_iter_no_change=100,
        random_state=0,
    )
    _quiet_fit(est, X, y)
    sparsity = est.sparsity_
    assert len(sparsity) == 2 and sparsity[0] > 0.3
    assert sparsity[0] == np.mean(est.coefs_[0] == 0)
    assert_allclose(est.feature_importances_, np.linalg.norm(est.coefs_[0], axis=1))
    assert est.n_features_selected_ == np.count_nonzero(est.feature_importances_)
    # Penalty of the objective computed by hand.
    penalty = 0.05 * sum(np.abs(W).sum() for W in est.coefs_)
    assert est.loss_ > penalty
    assert_allclose(est._penalty_value(), penalty, rtol=1e-10)


def test_group_penalty_selects_rows_and_select_from_model():
    rng = np.random.RandomState(0)
    X = rng.standard_normal((300, 12))
    y = (
        X[:, 0]
        + np.sin(2 * X[:, 1])
        + X[:, 2] * X[:, 0]
        + 0.1 * rng.standard_normal(300)
    )
    est = RegularizedMLPRegressor(
        (16,),
        alpha=0.05,
        l1_ratio=1.0,
        input_penalty="group",
        learning_rate_init=0.01,
        max_iter=60,
        tol=0,
        n_iter_no_change=100,
        random_state=0,
    )
    _quiet_fit(est, X, y)
    rows_zero = np.all(est.coefs_[0] == 0, axis=1)
    assert rows_zero.sum() >= 6
    assert not rows_zero[:3].any()
    assert est.n_features_selected_ == 12 - rows_zero.sum()
    W1 = est.coefs_[0]
    expected = (
        0.05 * np.linalg.norm(W1, axis=1).sum() + 0.05 * np.abs(est.coefs_[1]).sum()
    )
    assert_allclose(est._penalty_value(), expected, rtol=1e-10)
    selector = SelectFromModel(
        clone(est), threshold=1e-12, importance_getter="feature_importances_"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        X_sel = selector.fit_transform(X, y)
    assert X_sel.shape[1] == est.n_features_selected_
    assert_array_equal(selector.get_support(), ~rows_zero)


def test_weight_decay_shrinks_weights(regression_data):
    X, y = regression_data
    common = dict(hidden_layer_sizes=(16,), alpha=0.0, max_iter=30, random_state=0)
    plain = _quiet_fit(RegularizedMLPRegressor(**common), X, y)
    decayed = _quiet_fit(RegularizedMLPRegressor(weight_decay=5.0, **common), X, y)
    norm = [np.linalg.norm(W) for W in plain.coefs_]
    norm_decayed = [np.linalg.norm(W) for W in decayed.coefs_]
    assert all(a < 0.8 * b for a, b in zip(norm_decayed, norm, strict=True))
    # Decay is not part of the objective (no penalty term), and biases are not decayed.
    assert decayed._penalty_value() == 0.0
    assert any(np.abs(b).max() > 0.05 for b in decayed.intercepts_)


def test_train_loss_curve_on_evenly_spaced_rows_beyond_cap():
    """Beyond the row cap the training curve is the data loss of evenly spaced rows."""
    import skreg.neural_network._training as training

    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 4))
    y = X @ np.array([1.0, -1.0, 0.5, 0.0]) + 0.1 * rng.standard_normal(300)
    net = RegularizedMLPRegressor(
        hidden_layer_sizes=(8,), max_iter=3, random_state=0, shuffle=False
    )
    with pytest.warns(ConvergenceWarning):
        net.fit(X, y)
    # All 300 rows below the default cap.
    assert net.train_loss_curve_[-1] == pytest.approx(
        0.5 * np.mean((net.predict(X) - y) ** 2), rel=1e-10
    )
    # Three more epochs of the fitted network, its curve on at most 40 rows.
    with pytest.warns(ConvergenceWarning):
        training.fit_stochastic(net, X, y[:, None].copy(), None, False, curve_rows=40)
    assert len(net.train_loss_curve_) == 6
    rows = np.linspace(0, 299, 40).round().astype(int)
    expected = 0.5 * np.mean((net.predict(X[rows]) - y[rows]) ** 2)
    assert net.train_loss_curve_[-1] == pytest.approx(expected, rel=1e-10)
    full = 0.5 * np.mean((net.predict(X) - y) ** 2)
    assert net.train_loss_curve_[-1] != pytest.approx(full, rel=1e-10)
