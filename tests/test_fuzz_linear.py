"""Property-based fuzzing of the linear models (issue 8).

Every example draws a small least-squares problem: ``n`` from 1, ``p`` from 1 and up
to ``p >> n``, float32 or float64, dense / CSC / CSR, with zero, constant and
duplicated columns, all-zero or constant ``y``, ``X`` and ``y`` scaled independently
by powers of ten from 1e-150 to 1e150 (1e-20 to 1e20 in float32), and integer sample
weights. The base values are half-precision numbers, so the float32 and float64 copies
of an unscaled problem hold exactly the same data.

Objectives are compared on the *rescaled* problem: with ``X = sx X'`` and
``y = sy y'`` the objective divided by ``sy**2`` is the elastic net of ``(X', y')`` at
``w' = w sx / sy`` with ``alpha' rho' = alpha rho / (sx sy)`` and
``alpha' (1 - rho') = alpha (1 - rho) / sx**2``: computed by
:func:`skreg.datafits.enet_objective` without overflowing at any scale.

Which properties apply to which estimator:

- all four: inputs never mutated; finite coefficients or a clear ``ValueError``;
  repeated fits bit-identical (no ``random_state``: determinism of refits);
  ``alpha >= alpha_max`` gives zeros and the weighted mean as intercept (the CV
  estimators through an explicit grid above ``alpha_max``);
- ``ElasticNet`` / ``Lasso``: objective no worse than at zero (``cd`` and
  ``fista``); dense = CSC = CSR; float32 = float64 to float32 precision; integer
  weights = repeated rows; extreme scales reach the unit-scale optimum. Fits of one
  problem are compared through their objectives and fitted values, within the sum of
  their certified duality gaps (``assert_same_optimum``);
- CV estimators: the refit at ``alpha_`` is no worse than zero; scale equivariance of
  the automatic grid; a fold whose weights are all zero is a clear error. Weights are
  *not* repetition-equivalent for them (the folds split rows, so a repeated row can
  land in both train and test).

Data whose squares leave the dtype's range are rejected by
:func:`skreg.datafits.check_scale` with a ``ValueError`` naming ``X`` or ``y``
(``fit_or_clear_error`` allows it only at extreme scales). What the fuzzing found in
the solvers and the CV loop (Anderson weights and the gap-safe test at tiny scales,
FISTA's step at extreme scales, the CV standard error of huge errors, an all-zero
held-out fold) is fixed and kept as regression tests at the end of the module.
"""

from __future__ import annotations

import traceback
import warnings
from dataclasses import dataclass

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import event, given, note
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold

from skreg import ElasticNet, ElasticNetCV, Lasso, LassoCV
from skreg.datafits import enet_objective

# The properties hold whether or not a fit converges (fit() tolerates
# ConvergenceWarning): extreme draws may use most of max_iter without being knife edges.
pytestmark = pytest.mark.iteration_budget

PLAIN = [ElasticNet, Lasso]
CV = [ElasticNetCV, LassoCV]
ALL = PLAIN + CV

# Powers of ten by which X and y are scaled (independently).
SCALES = {
    np.float64: [1e-150, 1e-75, 1e-20, 1e-3, 1.0, 1e3, 1e20, 1e75, 1e150],
    np.float32: [1e-20, 1e-3, 1.0, 1e3, 1e20],
}
# A fit may end in a clear ValueError only when a square of the data leaves the
# dtype's range (or the coefficients' scale sy / sx does, or, in float64, the product
# sx sy: see skreg.datafits.check_scale): within these bounds of |log10| it must
# succeed.
SAFE_LOG10 = {np.float64: 75, np.float32: 3}
SAFE_PRODUCT_LOG10 = 130
# alpha_max of the rescaled problem (data of order one) below this is rounding noise.
ZERO_ALPHA_MAX = 1e-12
# "no worse than": relative slack on the objective (of the float64 rescaled problem).
SLACK = {np.float64: 1e-7, np.float32: 1e-3}

# Half-precision values: exactly representable in float32 and float64.
BASE = st.floats(-8, 8, width=16, allow_subnormal=False)
ELEMENT = st.one_of(st.just(0.0), BASE, BASE)


@dataclass
class Case:
    """One drawn problem: the arrays to fit and their exact float64 rescaled form."""

    X: object  # as passed to fit (dense F/C array or sparse matrix)
    y: np.ndarray
    sample_weight: np.ndarray | None
    Xb: np.ndarray  # float64 dense X / sx
    yb: np.ndarray  # float64 y / sy
    sx: float
    sy: float
    dtype: type
    storage: str

    @property
    def extreme(self) -> bool:
        bound = SAFE_LOG10[self.dtype]
        logs = [np.log10(self.sx), np.log10(self.sy), np.log10(self.sy / self.sx)]
        product = abs(np.log10(self.sx) + np.log10(self.sy))
        return max(abs(v) for v in logs) > bound or product > SAFE_PRODUCT_LOG10

    def as_storage(self, storage: str, dtype=None):
        """``X`` (as fitted) converted to another storage and/or dtype."""
        dtype = self.dtype if dtype is None else dtype
        X = self.X.toarray() if sp.issparse(self.X) else np.asarray(self.X)
        return to_storage(X.astype(dtype), storage)


def to_storage(X: np.ndarray, storage: str):
    if storage == "csc":
        return sp.csc_matrix(X)
    if storage == "csr":
        return sp.csr_matrix(X)
    if storage == "dense-C":
        return np.ascontiguousarray(X)
    return np.asfortranarray(X)


@st.composite
def problems(
    draw,
    *,
    min_samples: int = 1,
    max_samples: int = 12,
    max_features: int = 24,
    dtypes=(np.float64, np.float32),
    storages=("dense-F", "dense-C", "csc", "csr"),
    scaled: bool = True,
    weights: str = "maybe",
    min_weight: int = 0,
) -> Case:
    n = draw(st.integers(min_samples, max_samples), label="n_samples")
    p = draw(st.integers(1, max_features), label="n_features")
    dtype = draw(st.sampled_from(dtypes), label="dtype")
    storage = draw(st.sampled_from(storages), label="storage")
    X = draw(hnp.arrays(np.float64, (n, p), elements=ELEMENT), label="X")
    # Structure: a constant column and a duplicated column.
    if p >= 2 and draw(st.booleans(), label="constant column"):
        j = draw(st.integers(0, p - 1))
        X[:, j] = draw(BASE)
    if p >= 2 and draw(st.booleans(), label="duplicated column"):
        i, j = draw(st.lists(st.integers(0, p - 1), min_size=2, max_size=2))
        X[:, j] = X[:, i]
    kind = draw(st.sampled_from(["linear", "random", "zero", "constant"]), label="y")
    if kind == "linear":
        w = draw(hnp.arrays(np.float64, p, elements=ELEMENT))
        noise = draw(hnp.arrays(np.float64, n, elements=BASE))
        y = X @ w + 0.25 * noise
    elif kind == "random":
        y = draw(hnp.arrays(np.float64, n, elements=BASE))
    elif kind == "zero":
        y = np.zeros(n)
    else:
        y = np.full(n, draw(BASE))
    # Keep y exactly representable in float32 as well.
    y = y.astype(np.float32).astype(np.float64)
    sx = sy = 1.0
    if scaled:
        sx = draw(st.sampled_from(SCALES[dtype]), label="X scale")
        sy = draw(st.sampled_from(SCALES[dtype]), label="y scale")
    sw = None
    if weights == "always" or (weights == "maybe" and draw(st.booleans())):
        sw = draw(
            hnp.arrays(np.int64, n, elements=st.integers(min_weight, 3)), label="sw"
        )
        if not sw.any():
            sw[draw(st.integers(0, n - 1))] = 1
    Xf = (X * sx).astype(dtype)
    yf = (y * sy).astype(dtype)
    return Case(
        X=to_storage(Xf, storage),
        y=yf,
        sample_weight=sw,
        Xb=Xf.astype(np.float64) / sx,
        yb=yf.astype(np.float64) / sy,
        sx=sx,
        sy=sy,
        dtype=dtype,
        storage=storage,
    )


# -- first principles, on the rescaled float64 problem ------------------------------


def weighted_mean(v, sw) -> float:
    return float(np.average(v, weights=sw))


def alpha_max_base(case: Case, l1_ratio: float, fit_intercept: bool = True) -> float:
    """``alpha_max`` of the rescaled problem (multiply by ``sx * sy`` for the data)."""
    X, y = case.Xb, case.yb
    s = np.ones(len(y)) if case.sample_weight is None else case.sample_weight * 1.0
    s = s * (len(y) / s.sum())
    if fit_intercept:
        X = X - s @ X / len(y)
        y = y - s @ y / len(y)
    return float(np.abs(X.T @ (s * y)).max()) / (len(y) * l1_ratio)


def objective(case: Case, coef, intercept, alpha, l1_ratio, *, case_data=None):
    """Objective of ``(coef, intercept)`` fitted on ``case``, divided by ``sy**2``."""
    data = case if case_data is None else case_data
    sx, sy = case.sx, case.sy
    a1 = alpha * l1_ratio / (sx * sy)
    a2 = alpha * (1.0 - l1_ratio) / (sx * sx)
    coef = np.asarray(coef, dtype=np.float64) * (sx / sy)
    return enet_objective(
        data.Xb,
        data.yb,
        coef,
        float(intercept) / sy,
        alpha=a1 + a2,
        l1_ratio=a1 / (a1 + a2) if a1 + a2 > 0 else 1.0,
        sample_weight=data.sample_weight,
    )


def zero_objective(case: Case, alpha, l1_ratio, fit_intercept=True) -> float:
    b = weighted_mean(case.yb, case.sample_weight) * case.sy if fit_intercept else 0.0
    return objective(case, np.zeros(case.Xb.shape[1]), b, alpha, l1_ratio)


def objective_scale(case: Case) -> float:
    """Scale of the rescaled objective: half the weighted mean of ``y'^2`` (or tiny)."""
    sw = case.sample_weight
    return 0.5 * float(np.average(case.yb**2, weights=sw)) + 1e-300


def gap(est, case: Case) -> float:
    """The fit's certified suboptimality ``dual_gap_``, in rescaled units.

    ``P(w) - P* <= gap`` whether or not the solver converged, so two fits of the same
    problem agree to within the sum of their gaps (plus rounding of the objective).
    """
    return max(float(est.dual_gap_), 0.0) / case.sy**2


def wrms(diff, sample_weight) -> float:
    """Root of the weighted mean of ``diff**2`` (the norm of the datafit)."""
    return float(np.sqrt(np.average(np.square(diff), weights=sample_weight)))


def assert_same_optimum(fits: dict, case: Case, alpha, l1, X=None):
    """Fits of one problem reach the same objective and the same fitted values.

    The datafit is strongly convex in the fitted values: ``P(w) - P* >= ||X_c (w -
    w*)||_s^2 / (2 n)`` (weighted), so a fit with gap ``g`` predicts within
    ``sqrt(2 g)`` (weighted RMS) of the optimum. Coefficients are not compared: with
    duplicated columns the solution is not unique.
    """
    X = case.X if X is None else X
    scale = max(zero_objective(case, alpha, l1), objective_scale(case))
    objs = {
        k: objective(case, f.coef_, f.intercept_, alpha, l1) for k, f in fits.items()
    }
    gaps = {k: gap(f, case) for k, f in fits.items()}
    note(f"objectives {objs}, gaps {gaps}")
    (k0, ref), *others = fits.items()
    pred0 = ref.predict(X) / case.sy
    for k, f in others:
        assert abs(objs[k] - objs[k0]) <= gaps[k] + gaps[k0] + 1e-9 * scale, k
        diff = f.predict(X) / case.sy - pred0
        bound = np.sqrt(2 * gaps[k]) + np.sqrt(2 * gaps[k0]) + 1e-6 * np.sqrt(scale)
        assert wrms(diff, case.sample_weight) <= bound, k


def draw_alpha(data, case: Case, l1_ratio: float) -> float:
    """An alpha below ``alpha_max`` (a fraction of it), in the data's units."""
    amax = alpha_max_base(case, l1_ratio)
    frac = data.draw(st.sampled_from([1e-3, 0.05, 0.5]), label="alpha / alpha_max")
    # alpha_max = 0 (constant X or y, up to the rounding of the weighted means): any
    # alpha gives zeros; pick one in the data's units.
    alpha = (frac * amax if amax > ZERO_ALPHA_MAX else 1.0) * case.sx * case.sy
    note(f"alpha={alpha!r} (alpha_max={amax * case.sx * case.sy!r})")
    return alpha


def make(Est, alpha=None, l1_ratio=0.5, **params):
    """An estimator with small, fast settings (CV: 5 alphas, 2 folds)."""
    if Est in CV:
        params = {"alphas": 5, "cv": 2, **params}
        if Est is ElasticNetCV:
            params.setdefault("l1_ratio", l1_ratio)
        return Est(**params)
    if alpha is not None:
        params["alpha"] = alpha
    if Est is ElasticNet:
        params["l1_ratio"] = l1_ratio
    return Est(**params)


def sizes(Est) -> dict:
    """Problem limits: the CV estimators need two samples and, with ``cv=2``, a
    positive weight in every fold (zero-weight folds: see
    ``test_cv_zero_weight_fold_clear_error``)."""
    return {"min_samples": 2, "min_weight": 1} if Est in CV else {}


def l1_of(Est, est) -> float:
    if Est is Lasso or Est is LassoCV:
        return 1.0
    return float(getattr(est, "l1_ratio_", est.l1_ratio))


CLEAR_ERROR = "non-finite|too badly scaled|Standardize|overflow|scale"


# Warnings tolerated when raised inside a given function: (function, module path,
# message). The fuzzing found three (Anderson weights, the CV standard error and
# FISTA's step at extreme scales), all fixed; the list stays as the mechanism, so any
# stray warning fails the properties.
KNOWN_WARNINGS: list[tuple[str, str, str]] = []


def _known(message, stack) -> str | None:
    """The function of ``KNOWN_WARNINGS`` that raised ``message``, if any."""
    for func, path, text in KNOWN_WARNINGS:
        if text in str(message) and any(
            f.name == func and f.filename.endswith(path) for f in stack
        ):
            return func
    return None


def fit(est, case: Case, X=None, y=None, sample_weight="case"):
    """Fit, tolerating ConvergenceWarning and ``KNOWN_WARNINGS`` (in the notes).

    Every other warning fails the test (raised as an error, as pytest's
    ``filterwarnings = error`` would), with the stack at the point of the warning.
    """
    X = case.X if X is None else X
    y = case.y if y is None else y
    sw = case.sample_weight if isinstance(sample_weight, str) else sample_weight
    stray, notes = [], []

    # May run on the CV estimators' joblib threads: collect, note() afterwards.
    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, ConvergenceWarning):
            notes.append(("ConvergenceWarning", f"ConvergenceWarning: {message}"))
        elif func := _known(message, traceback.extract_stack()):
            notes.append(
                (f"known warning in {func}", f"{category.__name__}: {message}")
            )
        else:
            stray.append((category, f"{message} ({filename}:{lineno})"))

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.showwarning = show
            est.fit(X, y, sample_weight=sw)
    finally:
        for kind, text in notes:
            event(kind)
            note(text)
    for category, text in stray:
        raise category(text)
    return est


def fit_or_clear_error(est, case: Case, **kwargs):
    """Fit; a ``ValueError`` naming the scaling is allowed only at extreme scales.

    Returns ``None`` after such an error (the property is then vacuous).
    """
    try:
        return fit(est, case, **kwargs)
    except ValueError as exc:
        if case.extreme and any(s in str(exc) for s in CLEAR_ERROR.split("|")):
            event("clear ValueError (extreme scale)")
            note(f"clear error: {exc}")
            return None
        raise


def assert_finite_fit(est, case: Case):
    coef = np.asarray(est.coef_)
    assert coef.dtype == case.dtype
    assert np.all(np.isfinite(coef)), coef
    assert np.all(np.isfinite(est.intercept_)), est.intercept_


# -- properties ----------------------------------------------------------------------


def _snapshot(a):
    if a is None:
        return None
    if sp.issparse(a):
        parts = (a.data.copy(), a.indices.copy(), a.indptr.copy())
        return (a.format, a.dtype, a.shape, *parts)
    return (a.dtype, a.shape, a.flags.f_contiguous, a.copy())


def _same(before, after):
    assert (before is None) == (after is None)
    if before is None:
        return
    assert before[:3] == after[:3]
    for u, v in zip(before[3:], after[3:], strict=True):
        assert_array_equal(u, v, strict=True)


@pytest.mark.parametrize("Est", ALL, ids=lambda c: c.__name__)
@given(data=st.data())
def test_fit_never_mutates_inputs(Est, data):
    case = data.draw(problems(**sizes(Est)))
    alpha = draw_alpha(data, case, 0.5)
    before = [_snapshot(a) for a in (case.X, case.y, case.sample_weight)]
    fit_or_clear_error(make(Est, alpha), case)
    after = [_snapshot(a) for a in (case.X, case.y, case.sample_weight)]
    for b, a in zip(before, after, strict=True):
        _same(b, a)


@pytest.mark.parametrize("Est", ALL, ids=lambda c: c.__name__)
@given(data=st.data())
def test_finite_coefficients_or_clear_error(Est, data):
    """Never a silent NaN: finite ``coef_``/``intercept_``/predictions, or an error.

    The error is allowed only where a square of the data (or of the coefficients)
    leaves the dtype's range; the message must say what is wrong.
    """
    case = data.draw(problems(**sizes(Est)))
    l1_ratio = data.draw(st.sampled_from([1.0, 0.5, 0.1]), label="l1_ratio")
    alpha = draw_alpha(data, case, l1_ratio)
    est = fit_or_clear_error(make(Est, alpha, l1_ratio), case)
    if est is None:
        return
    assert_finite_fit(est, case)
    with warnings.catch_warnings():
        # Predictions of a finite model on finite data can still overflow at 1e150.
        warnings.simplefilter("ignore", RuntimeWarning)
        pred = est.predict(case.X)
    if not case.extreme:
        assert np.all(np.isfinite(pred))


@pytest.mark.parametrize("Est", PLAIN, ids=lambda c: c.__name__)
@given(data=st.data())
def test_objective_no_worse_than_at_zero(Est, data):
    """Coordinate descent starts at zero and never increases the objective."""
    case = data.draw(problems())
    l1_ratio = data.draw(st.sampled_from([1.0, 0.5, 0.1]), label="l1_ratio")
    alpha = draw_alpha(data, case, l1_ratio)
    solver = data.draw(st.sampled_from(["cd", "fista"]), label="solver")
    est = fit_or_clear_error(make(Est, alpha, l1_ratio, solver=solver), case)
    if est is None:
        return
    l1 = l1_of(Est, est)
    obj = objective(case, est.coef_, est.intercept_, alpha, l1)
    obj0 = zero_objective(case, alpha, l1)
    note(f"objective {obj!r}, at zero {obj0!r}")
    assert obj <= obj0 + SLACK[case.dtype] * max(obj0, objective_scale(case))


@pytest.mark.parametrize("Est", CV, ids=lambda c: c.__name__)
@given(data=st.data())
def test_cv_refit_no_worse_than_at_zero(Est, data):
    case = data.draw(problems(**sizes(Est), scaled=False))
    est = fit(make(Est), case)
    l1 = l1_of(Est, est)
    obj = objective(case, est.coef_, est.intercept_, est.alpha_, l1)
    obj0 = zero_objective(case, est.alpha_, l1)
    assert obj <= obj0 + SLACK[case.dtype] * max(obj0, objective_scale(case))


@pytest.mark.parametrize("Est", PLAIN, ids=lambda c: c.__name__)
@given(data=st.data())
def test_dense_and_sparse_fits_agree(Est, data):
    """Dense F, dense C, CSC and CSR fits reach the same objective and predictions
    (to within their duality gaps, see ``assert_same_optimum``)."""
    case = data.draw(problems(dtypes=(np.float64,)))
    l1_ratio = data.draw(st.sampled_from([1.0, 0.5]), label="l1_ratio")
    alpha = draw_alpha(data, case, l1_ratio)
    fits = {}
    for storage in ("dense-F", "dense-C", "csc", "csr"):
        X = case.as_storage(storage)
        fits[storage] = fit_or_clear_error(make(Est, alpha, l1_ratio), case, X=X)
    if any(f is None for f in fits.values()):
        assert all(f is None for f in fits.values()), "errors depend on storage"
        return
    assert_same_optimum(fits, case, alpha, l1_of(Est, fits["dense-F"]))


@pytest.mark.parametrize("Est", PLAIN, ids=lambda c: c.__name__)
@given(data=st.data())
def test_float32_agrees_with_float64(Est, data):
    """A float32 fit reaches the float64 optimum to float32 precision.

    The data are identical in both dtypes (half-precision values times a power of
    ten, rounded to float32 first); the float32 solution is judged on the float64
    objective.
    """
    case32 = data.draw(
        problems(dtypes=(np.float32,), storages=("dense-F", "csc")), label="problem"
    )
    l1_ratio = data.draw(st.sampled_from([1.0, 0.5]), label="l1_ratio")
    alpha = draw_alpha(data, case32, l1_ratio)
    est32 = fit_or_clear_error(make(Est, alpha, l1_ratio), case32)
    case64 = Case(
        X=case32.as_storage(case32.storage, np.float64),
        y=case32.y.astype(np.float64),
        sample_weight=case32.sample_weight,
        Xb=case32.Xb,
        yb=case32.yb,
        sx=case32.sx,
        sy=case32.sy,
        dtype=np.float64,
        storage=case32.storage,
    )
    est64 = fit(make(Est, alpha, l1_ratio), case64)
    if est32 is None:
        return
    assert est32.coef_.dtype == np.float32
    l1 = l1_of(Est, est64)
    obj32 = objective(case64, est32.coef_, est32.intercept_, alpha, l1)
    obj64 = objective(case64, est64.coef_, est64.intercept_, alpha, l1)
    scale = max(zero_objective(case64, alpha, l1), objective_scale(case64))
    note(f"objective float32 {obj32!r}, float64 {obj64!r}")
    assert abs(obj32 - obj64) <= SLACK[np.float32] * scale


@pytest.mark.parametrize("Est", PLAIN, ids=lambda c: c.__name__)
@given(data=st.data())
def test_integer_weights_equal_repeated_rows(Est, data):
    """``sample_weight=k`` is the row repeated ``k`` times (0: dropped).

    Same objective, hence the same optimum value and fitted values (on the original
    rows, weighted); coefficients may differ where the solution is not unique.
    """
    case = data.draw(problems(dtypes=(np.float64,), weights="always"))
    l1_ratio = data.draw(st.sampled_from([1.0, 0.5]), label="l1_ratio")
    alpha = draw_alpha(data, case, l1_ratio)
    sw = case.sample_weight
    rows = np.repeat(np.arange(len(sw)), sw)
    dense = case.as_storage("dense-F", np.float64)
    Xr = to_storage(dense[rows], case.storage)
    weighted = fit_or_clear_error(make(Est, alpha, l1_ratio), case)
    repeated = fit_or_clear_error(
        make(Est, alpha, l1_ratio), case, X=Xr, y=case.y[rows], sample_weight=None
    )
    if weighted is None or repeated is None:
        # Only at extreme scales (see fit_or_clear_error), where the weighted rows
        # (scaled by sqrt(s_i)) may cross the scale check's bound and the repeated
        # ones not.
        return
    fits = {"weighted": weighted, "repeated": repeated}
    assert_same_optimum(fits, case, alpha, l1_of(Est, weighted), X=dense)


@pytest.mark.parametrize("Est", ALL, ids=lambda c: c.__name__)
@given(data=st.data())
def test_alpha_above_alpha_max_gives_zero_and_weighted_mean(Est, data):
    case = data.draw(problems(**sizes(Est)))
    l1_ratio = 1.0 if Est in (Lasso, LassoCV) else 0.5
    amax = alpha_max_base(case, l1_ratio) * case.sx * case.sy
    factor = data.draw(st.sampled_from([1.001, 1.5, 100.0]), label="alpha / alpha_max")
    # alpha_max = 0: any alpha gives zeros; one in the data's units (a fixed 1.0 is
    # 1e-55 of the scale at sx = 1e75, sy = 1e-20, below the rounding noise of the
    # centred gradient of a constant sparse column).
    alpha = (
        amax * factor
        if amax > ZERO_ALPHA_MAX * case.sx * case.sy
        else case.sx * case.sy
    )
    if Est in CV:
        est = make(Est, l1_ratio=l1_ratio, alphas=[alpha, 2 * alpha])
    else:
        est = make(Est, alpha, l1_ratio)
    est = fit_or_clear_error(est, case)
    if est is None:
        return
    assert_array_equal(est.coef_, np.zeros_like(est.coef_))
    mean = weighted_mean(case.y.astype(np.float64), case.sample_weight)
    eps = np.finfo(case.dtype).eps
    assert abs(est.intercept_ - mean) <= 8 * eps * np.abs(case.y).max()


@pytest.mark.parametrize("Est", ALL, ids=lambda c: c.__name__)
@given(data=st.data())
def test_refit_is_bit_identical(Est, data):
    """No ``random_state``: two fits of the same data are bit-identical (CV: also
    with ``n_jobs=2``, whose threads finish in any order)."""
    case = data.draw(problems(**sizes(Est)))
    alpha = draw_alpha(data, case, 0.5)
    first = fit_or_clear_error(make(Est, alpha), case)
    params = {"n_jobs": 2} if Est in CV else {}
    second = fit_or_clear_error(make(Est, alpha, **params), case)
    if first is None or second is None:
        assert first is None and second is None
        return
    assert_array_equal(first.coef_, second.coef_, strict=True)
    assert first.intercept_ == second.intercept_
    if Est in CV:
        assert_array_equal(first.mse_path_, second.mse_path_, strict=True)
        assert first.alpha_ == second.alpha_


@pytest.mark.parametrize("Est", PLAIN, ids=lambda c: c.__name__)
@given(data=st.data())
def test_extreme_scales_reach_the_unit_scale_optimum(Est, data):
    """Scale equivariance: the fit of ``(sx X', sy y')`` at ``alpha sx sy`` is the fit
    of ``(X', y')`` at ``alpha`` in other units (``coef * sy / sx``), so both reach
    the same rescaled objective, or the scaled one raises a clear error.

    "No worse than zero" alone would accept a fit that silently stays at zero.
    """
    case = data.draw(problems(dtypes=(np.float64,)))
    l1_ratio = data.draw(st.sampled_from([1.0, 0.5]), label="l1_ratio")
    alpha = draw_alpha(data, case, l1_ratio)
    solver = data.draw(st.sampled_from(["cd", "fista"]), label="solver")
    est = fit_or_clear_error(make(Est, alpha, l1_ratio, solver=solver), case)
    if est is None:
        return
    unit = Case(
        X=to_storage(case.Xb, case.storage),
        y=case.yb,
        sample_weight=case.sample_weight,
        Xb=case.Xb,
        yb=case.yb,
        sx=1.0,
        sy=1.0,
        dtype=np.float64,
        storage=case.storage,
    )
    l1 = l1_of(Est, est)
    # The same objective on the unit-scale data: alpha' rho' = alpha rho / (sx sy),
    # alpha' (1 - rho') = alpha (1 - rho) / sx**2 (see the module docstring).
    a1 = alpha * l1 / (case.sx * case.sy)
    a2 = alpha * (1.0 - l1) / case.sx**2
    alpha_u, l1_u = a1 + a2, a1 / (a1 + a2)
    ref = fit(make(Est, alpha_u, l1_u, solver=solver), unit)
    obj = objective(case, est.coef_, est.intercept_, alpha, l1)
    obj_ref = objective(unit, ref.coef_, ref.intercept_, alpha_u, l1_u)
    scale = max(zero_objective(unit, alpha_u, l1_u), objective_scale(unit))
    gaps = gap(est, case), gap(ref, unit)
    note(f"objective at scale {obj!r}, at unit scale {obj_ref!r}, gaps {gaps}")
    assert abs(obj - obj_ref) <= sum(gaps) + 1e-9 * scale


@pytest.mark.parametrize("Est", CV, ids=lambda c: c.__name__)
@given(data=st.data())
def test_cv_is_scale_equivariant(Est, data):
    """Scaling ``X`` by ``sx`` and ``y`` by ``sy`` scales the grid by ``sx sy`` and the
    coefficients by ``sy / sx``: the same model in other units (for the elastic net
    only with ``sx = sy``).

    Scales are powers of two, so the scaled data are exact.
    """
    case = data.draw(
        problems(**sizes(Est), dtypes=(np.float64,), scaled=False), label="problem"
    )
    kx = data.draw(st.sampled_from([-60, -20, 0, 20, 60]), label="log2 sx")
    ky = data.draw(st.sampled_from([-60, -20, 0, 20, 60]), label="log2 sy")
    if Est is ElasticNetCV:
        # The ridge part is not equivariant under sx != sy (its weight relative to
        # the lasso part changes by sy / sx, see the module docstring).
        ky = kx
    sx, sy = 2.0**kx, 2.0**ky
    ref = fit(make(Est), case)
    X = case.as_storage(case.storage) * sx
    scaled = fit(make(Est), case, X=X, y=case.y * sy)
    amax = alpha_max_base(case, l1_of(Est, ref))
    if amax == 0 or np.ptp(ref.alphas_) == 0 or np.ptp(scaled.alphas_) == 0:
        # Constant y or X (a flat grid: alpha_max at the rounding level): every
        # alpha > 0 gives zeros; the grid is a convention (scikit-learn's 1e-15 when
        # there is no signal at all).
        assert_array_equal(scaled.coef_, 0.0)
        return
    np.testing.assert_allclose(scaled.alphas_, ref.alphas_ * sx * sy, rtol=1e-9)
    np.testing.assert_allclose(scaled.alpha_, ref.alpha_ * sx * sy, rtol=1e-9)
    atol = 1e-6 * (np.abs(ref.coef_).max() + 1e-12)
    np.testing.assert_allclose(scaled.coef_ * (sx / sy), ref.coef_, atol=atol)


@pytest.mark.parametrize("Est", CV, ids=lambda c: c.__name__)
@given(data=st.data())
def test_cv_zero_weight_fold_clear_error(Est, data):
    """Zero sample weights are allowed; a fold whose weights are all zero cannot be
    fitted (training part) or scored (held-out part): a ``ValueError`` must say so
    (not a ``ZeroDivisionError``, a ``TypeError`` or a NaN path).

    With two folds, one's training part is the other's held-out part; the first
    fold is fitted and scored first.
    """
    case = data.draw(problems(min_samples=2, scaled=False, weights="always"))
    sw = case.sample_weight
    folds = list(KFold(2).split(case.Xb))
    empty = any(sw[train].sum() == 0 or sw[test].sum() == 0 for train, test in folds)
    note(f"a fold without weight: {empty}")
    est = make(Est)
    if not empty:
        assert_finite_fit(fit(est, case), case)
        return
    with pytest.raises(ValueError, match="sample_weight"):
        fit(est, case)


# -- regressions: what the fuzzing found in the solvers and the CV loop, fixed -------


def _errors(func):
    """Run ``func`` with every warning an error (as under pytest's config)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return func()


def test_anderson_extrapolation_is_silent_for_tiny_coefficients():
    X = np.ones((6, 17))
    X[0, 0] = X[3, [0, 2]] = X[5, [1, 3]] = 0.0
    y = np.array([0.0, 0.25, 0.25, 0.25, 0.25, 0.25])
    X = np.asfortranarray(X * 1e150)
    est = _errors(lambda: Lasso(alpha=2.78e145).fit(X, y))
    assert np.abs(est.coef_).max() < 1e-149


def test_gap_safe_screening_does_not_underflow():
    from skreg._kernels.quadratic import enet_screen

    def keeps(s):  # the unit problem scaled: gap ~ s^2, L ~ s^2, |X^T theta| ~ s^2
        keep = np.ones(1, dtype=bool)
        enet_screen(
            np.zeros(1), np.array([0.5 * s * s]), 0.0, 0.0, s * s, np.array([s * s]),
            s * s, 0.0, False, keep,
        )  # fmt: skip
        return bool(keep[0])

    assert keeps(1.0)
    assert keeps(1e-90)


def test_cv_grid_floor_scales_with_the_data():
    """scikit-learn floors the automatic grid at 1e-15, so data scaled by 2**-60
    (alpha_max ~ 1e-37) get a grid of 1e-15s and all-zero coefficients; skreg's
    floor is relative to the data (issue 26), so the grid and the model scale."""
    from sklearn.linear_model import LassoCV as SkLassoCV

    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
    y = np.array([0.0, 0.25, 0.5, 1.0])
    s = 2.0**-60
    theirs = SkLassoCV(cv=2, alphas=5).fit(X * s, y * s)
    assert_array_equal(theirs.coef_, 0.0)
    ref = LassoCV(cv=2, alphas=5).fit(X, y)
    ours = LassoCV(cv=2, alphas=5).fit(X * s, y * s)
    np.testing.assert_allclose(ours.alphas_, ref.alphas_ * s * s, rtol=1e-12)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-9, atol=1e-12)
    assert ours.coef_.any()


def test_cv_zero_weight_held_out_fold_clear_error():
    X = np.arange(6.0).reshape(-1, 1)
    y = np.array([0.0, 1.0, 0.0, 2.0, 1.0, 3.0])
    with pytest.raises(ValueError, match="sample_weight"):
        LassoCV(cv=3).fit(X, y, sample_weight=[0, 0, 1, 1, 1, 1])


def test_cv_standard_error_of_large_errors_is_finite():
    X = np.zeros((3, 1))
    y = np.array([0.0, 2.5e149, 2.5e149])
    est = _errors(lambda: LassoCV(alphas=[1.0, 2.0], cv=2).fit(X, y))
    assert np.all(np.isfinite(est.cv_se_))


def test_fista_step_at_extreme_scales_of_X():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 5))
    y = X @ [1.0, 2.0, 0.0, 0.0, -1.0] + 0.1 * rng.standard_normal(20)
    ref = Lasso(alpha=0.01, solver="fista").fit(X, y).coef_
    for s in (2.0**300, 2.0**-300):  # 2e90, 5e-91
        est = _errors(lambda s=s: Lasso(alpha=0.01 * s, solver="fista").fit(X * s, y))
        np.testing.assert_allclose(est.coef_ * s, ref, rtol=1e-6)
