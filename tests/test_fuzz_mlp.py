"""Property-based fuzzing of the regularized MLPs (issue 8).

Which properties of the linear models apply to a network trained for a few epochs,
and why:

- inputs never mutated: applies;
- finite outputs or a clear error: applies; data whose squares overflow the dtype
  are rejected up front ("too badly scaled"), and a diverging training ends in the
  documented ``ValueError`` ("non-finite parameter weights", now also when only the
  loss left the dtype), both allowed only where the data are far from unit scale; a
  fit that succeeds must not warn;
- same ``random_state`` => bit-identical refit: applies (initialisation, shuffling
  and dropout masks all come from ``random_state``);
- float32 vs float64: applies loosely: after one epoch of a small network with a
  small step both follow the same trajectory (and, since the fuzzing found they did
  not, the same dropout masks) to float32 rounding; after many epochs the
  non-convex training may drift apart, so only one epoch is compared;
- dense = sparse: applies since issue 25 (CSR input, first-layer products
  sparse-dense): any sparse format gives the dense fit's weights to rounding, fuzzed
  below;
- objective no worse than at zero, ``alpha >= alpha_max``: do not apply (non-convex
  loss, no closed-form ``alpha_max``);
- integer weights = repeated rows: does not apply to minibatch training with
  shuffling (a repeated row lands in different batches, and the number of steps per
  epoch changes), so weights are fuzzed only for finiteness and non-mutation.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import event, given, note
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_array_equal
from sklearn.exceptions import ConvergenceWarning

from skreg import RegularizedMLPClassifier, RegularizedMLPRegressor

ESTIMATORS = [RegularizedMLPRegressor, RegularizedMLPClassifier]
BASE = st.floats(-8, 8, width=16, allow_subnormal=False)
SCALES = [1e-150, 1e-20, 1e-3, 1.0, 1e3, 1e20, 1e150]


@st.composite
def mlp_problems(draw, Est, *, scaled=True, dtypes=(np.float64, np.float32)):
    n = draw(st.integers(2, 12), label="n_samples")
    p = draw(st.integers(1, 8), label="n_features")
    dtype = draw(st.sampled_from(dtypes), label="dtype")
    X = draw(hnp.arrays(np.float64, (n, p), elements=BASE), label="X")
    if p >= 2 and draw(st.booleans(), label="duplicated column"):
        X[:, 1] = X[:, 0]
    if draw(st.booleans(), label="constant column"):
        X[:, -1] = draw(BASE)
    sx = draw(st.sampled_from(SCALES), label="X scale") if scaled else 1.0
    if dtype == np.float32:
        sx = min(max(sx, 1e-20), 1e20)
    if Est is RegularizedMLPClassifier:
        y = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 2)), label="y")
        if np.unique(y).size < 2:
            y[0] = 1 - y[1] if y[1] < 2 else 0
        sy = 1.0
    else:
        kind = draw(st.sampled_from(["random", "zero", "constant"]), label="y")
        y = {
            "random": lambda: draw(hnp.arrays(np.float64, n, elements=BASE)),
            "zero": lambda: np.zeros(n),
            "constant": lambda: np.full(n, draw(BASE)),
        }[kind]()
        sy = draw(st.sampled_from(SCALES), label="y scale") if scaled else 1.0
        if dtype == np.float32:
            sy = min(max(sy, 1e-20), 1e20)
        y = (y * sy).astype(dtype)
    sw = None
    if draw(st.booleans(), label="weighted"):
        sw = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 3)), label="sw")
        if not sw.any():
            sw[0] = 1
    return (X * sx).astype(dtype), y, sw, max(sx, 1 / sx, sy, 1 / sy)


def make(Est, **params):
    params = {
        "hidden_layer_sizes": (3,),
        "max_iter": 3,
        "batch_size": 4,
        "random_state": 0,
        "alpha": 1e-3,
        **params,
    }
    return Est(**params)


def fit(est, X, y, sw):
    """Fit with every warning but ConvergenceWarning an error (as under pytest)."""
    # A batch larger than the data is clipped with a UserWarning (as scikit-learn).
    est.set_params(batch_size=min(est.batch_size, X.shape[0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, sample_weight=sw)


CLEAR_ERRORS = ("non-finite parameter weights", "too badly scaled")


def fit_or_clear_error(est, X, y, sw, spread):
    """Fit; a clear error is allowed only away from unit scale (``spread >= 1e3``).

    Data whose squares overflow the dtype are rejected up front ("too badly
    scaled"). Plain SGD at a fixed learning rate diverges once ``|X|^2`` or ``|y|``
    is ~1e3 times the step's stability limit; the fit must then end in the
    documented "non-finite parameter weights" error (numpy's overflow warnings on the
    way are expected, as in scikit-learn's ``MLPRegressor``). A fit that succeeds
    must not warn.
    """
    try:
        return fit(est, X, y, sw)
    except RuntimeWarning as warning:
        if spread < 1e3:
            raise
        event("warned, then the clear error")
        note(f"diverging: {warning}")
    except ValueError as exc:
        if spread < 1e3 or not any(s in str(exc) for s in CLEAR_ERRORS):
            raise
        event(f"clear ValueError: {next(s for s in CLEAR_ERRORS if s in str(exc))}")
        note(f"clear error: {exc}")
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.raises(ValueError, match=CLEAR_ERRORS[0]) as info:
            est.fit(X, y, sample_weight=sw)
    note(f"clear error after the warnings: {info.value}")
    return None


PARAMS = st.fixed_dictionaries(
    {
        "solver": st.sampled_from(["adam", "sgd"]),
        "activation": st.sampled_from(["relu", "tanh", "logistic", "identity"]),
        "l1_ratio": st.sampled_from([0.0, 0.5, 1.0]),
        "dropout": st.sampled_from([0.0, 0.3]),
        "shuffle": st.booleans(),
    }
)


@pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
@given(data=st.data())
def test_fit_never_mutates_inputs(Est, data):
    X, y, sw, spread = data.draw(mlp_problems(Est))
    params = data.draw(PARAMS, label="params")
    copies = [None if a is None else a.copy() for a in (X, y, sw)]
    fit_or_clear_error(make(Est, **params), X, y, sw, spread)
    for before, after in zip(copies, (X, y, sw), strict=True):
        if before is not None:
            assert_array_equal(before, after, strict=True)


@pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
@given(data=st.data())
def test_finite_outputs_or_clear_error(Est, data):
    X, y, sw, spread = data.draw(mlp_problems(Est))
    params = data.draw(PARAMS, label="params")
    est = fit_or_clear_error(make(Est, **params), X, y, sw, spread)
    if est is None:
        return
    for w in [*est.coefs_, *est.intercepts_]:
        assert w.dtype == X.dtype
        assert np.all(np.isfinite(w))
    with warnings.catch_warnings():
        # finite weights times 1e150 inputs may overflow in predict
        warnings.simplefilter("ignore", RuntimeWarning)
        out = est.predict_proba(X) if Est is RegularizedMLPClassifier else None
        pred = est.predict(X)
    if spread <= 1e3:
        if out is not None:
            assert np.all(np.isfinite(out))
            np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)
        if Est is RegularizedMLPRegressor:
            assert np.all(np.isfinite(pred))
    if Est is RegularizedMLPClassifier:
        assert set(np.unique(pred)) <= set(est.classes_)


@pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
@given(data=st.data())
def test_same_random_state_is_bit_identical(Est, data):
    X, y, sw, spread = data.draw(mlp_problems(Est))
    params = data.draw(PARAMS, label="params")
    seed = data.draw(st.integers(0, 2**31 - 1), label="random_state")
    first = fit_or_clear_error(make(Est, random_state=seed, **params), X, y, sw, spread)
    second = fit_or_clear_error(
        make(Est, random_state=seed, **params), X, y, sw, spread
    )
    if first is None or second is None:
        assert first is None and second is None
        return
    params_first = first.coefs_ + first.intercepts_
    params_second = second.coefs_ + second.intercepts_
    for a, b in zip(params_first, params_second, strict=True):
        assert_array_equal(a, b, strict=True)
    assert_array_equal(first.predict(X), second.predict(X), strict=True)


@pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
@given(data=st.data())
def test_float32_follows_float64_for_one_epoch(Est, data):
    """Same data, same seed (same dropout masks): one epoch of float32 training stays
    within float32 rounding (amplified by a few steps) of the float64 one.

    Adam runs with ``epsilon=1e-4``: its step ``lr * m / (sqrt(v) + epsilon)`` is
    about ``+-lr`` whatever the size of a gradient well below ``epsilon``, so with the
    default 1e-8 a gradient that is float32 rounding noise (a saturated ``tanh`` unit)
    moves a weight by a sizeable fraction of ``lr`` in a random direction; that is
    the optimizer, not a dtype bug.
    """
    X, y, sw, _ = data.draw(mlp_problems(Est, scaled=False, dtypes=(np.float64,)))
    params = data.draw(PARAMS, label="params")
    params.update(max_iter=1, learning_rate_init=1e-3, epsilon=1e-4)
    est64 = fit(make(Est, **params), X, y, sw)
    y32 = y.astype(np.float32) if Est is RegularizedMLPRegressor else y
    est32 = fit(make(Est, **params), X.astype(np.float32), y32, sw)
    pairs = zip(
        est64.coefs_ + est64.intercepts_, est32.coefs_ + est32.intercepts_, strict=True
    )
    for a, b in pairs:
        assert b.dtype == np.float32
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
@given(data=st.data())
def test_sparse_input_equals_dense(Est, data):
    """Sparse ``X`` (any format, either dtype) trains the network that dense ``X``
    trains (same ``random_state``: same initialisation and batches), to rounding:
    only the first layer's products change, from BLAS to sparse-dense."""
    X, y, sw, _ = data.draw(mlp_problems(Est, scaled=False))
    fmt = data.draw(st.sampled_from(["csr", "csc", "coo"]), label="format")
    Xs = sp.coo_matrix(X).asformat(fmt)
    dense = fit(make(Est), X, y, sw)
    sparse = fit(make(Est), Xs, y, sw)
    tol = 1e-4 if X.dtype == np.float32 else 1e-9
    for a, b in zip(dense.coefs_, sparse.coefs_, strict=True):
        np.testing.assert_allclose(b, a, rtol=tol, atol=tol)
    np.testing.assert_allclose(sparse.predict(Xs), dense.predict(X), rtol=tol, atol=tol)
