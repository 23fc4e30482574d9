"""Shared seeded problems and first-principles helpers for the skreg tests.

Everything here is rebuilt from a fixed seed on each run: no stored numbers. The
problems are small (60 x 30 tall, 40 x 80 wide) so that parametrised grids stay fast,
and a third of the columns are shifted away from zero so that forgetting to centre
(or centring wrongly) changes the answer.
"""

from __future__ import annotations

import importlib.abc
import os
import sys
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pytest


@dataclass(frozen=True)
class Problem:
    """A seeded regression problem with positive sample weights."""

    name: str
    X: np.ndarray
    y: np.ndarray
    sample_weight: np.ndarray
    true_coef: np.ndarray


def make_problem(name: str, n_samples: int, n_features: int, seed: int) -> Problem:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    # Shift every third column (and scale some) so that the intercept matters.
    X[:, ::3] += 3.0
    X[:, 1::4] *= 2.0
    true_coef = np.zeros(n_features)
    true_coef[:6] = [3.0, -2.0, 1.5, 0.0, -1.0, 2.5]
    y = X @ true_coef + 4.0 + 0.5 * rng.standard_normal(n_samples)
    sample_weight = rng.uniform(0.2, 3.0, size=n_samples)
    if PERTURB:
        X, y = _perturbed(X, seed), _perturbed(y, seed + 1)
    return Problem(name, X, y, sample_weight, true_coef)


# SKREG_TEST_PERTURB=1 moves every entry of the shared problems by a few units in the
# last place (CI runs the solver tests once so, and once under another
# NUMBA_CPU_NAME): a result that flips with rounding then fails in CI, not on a user's
# machine with another CPU.
PERTURB = os.environ.get("SKREG_TEST_PERTURB", "") not in ("", "0")


def _perturbed(a: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng([seed, 1234])
    return a * (1.0 + 4 * np.finfo(a.dtype).eps * rng.uniform(-1.0, 1.0, a.shape))


REGRESSION = make_problem("regression", 60, 30, seed=0)
WIDE = make_problem("wide", 40, 80, seed=1)
PROBLEMS = {"regression": REGRESSION, "wide": WIDE}


@pytest.fixture(params=sorted(PROBLEMS))
def problem(request) -> Problem:
    """The tall (60 x 30) and the wide (40 x 80) problem."""
    return PROBLEMS[request.param]


@pytest.fixture
def regression() -> Problem:
    return REGRESSION


@pytest.fixture
def wide() -> Problem:
    return WIDE


# -- first-principles helpers (numpy only, float64) ----------------------------------


def normalized_weights(sample_weight, n_samples: int) -> np.ndarray:
    """Weights rescaled to sum to ``n_samples`` (ones when ``None``)."""
    if sample_weight is None:
        return np.ones(n_samples)
    sw = np.asarray(sample_weight, dtype=np.float64)
    return sw * (n_samples / sw.sum())


def centered_scaled(X, y, sample_weight=None, fit_intercept=True):
    """Explicitly form ``X_c``, ``y_c`` (weighted-centred, rows times ``sqrt(s_i)``).

    Returns ``(Xc, yc, xmean, ymean)`` in float64; with ``fit_intercept=False`` the
    means are zero. With these, the weighted elastic net with intercept is the plain
    elastic net ``1/(2n) ||yc - Xc w||^2 + penalty`` without intercept.
    """
    X = np.asarray(X.toarray() if hasattr(X, "toarray") else X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = X.shape[0]
    s = normalized_weights(sample_weight, n)
    if fit_intercept:
        xmean = s @ X / n
        ymean = float(s @ y / n)
    else:
        xmean, ymean = np.zeros(X.shape[1]), 0.0
    root = np.sqrt(s)
    return (X - xmean) * root[:, None], (y - ymean) * root, xmean, ymean


def alpha_max(
    X, y, l1_ratio=1.0, sample_weight=None, fit_intercept=True, positive=False
):
    """``max_j |X_c[:, j] @ y_c| / (n l1_ratio)`` (``max_j`` of the signed value when
    ``positive``): the smallest ``alpha`` with an all-zero solution."""
    Xc, yc, _, _ = centered_scaled(X, y, sample_weight, fit_intercept)
    corr = Xc.T @ yc
    top = corr.max() if positive else np.abs(corr).max()
    return float(top) / (X.shape[0] * l1_ratio)


def objective(X, y, coef, intercept, alpha, l1_ratio, sample_weight=None) -> float:
    """scikit-learn's elastic-net objective, written out in float64."""
    X = np.asarray(X.toarray() if hasattr(X, "toarray") else X, dtype=np.float64)
    coef = np.asarray(coef, dtype=np.float64)
    r = np.asarray(y, dtype=np.float64) - X @ coef - float(intercept)
    s = np.ones_like(r) if sample_weight is None else np.asarray(sample_weight, float)
    datafit = 0.5 * float(s @ r**2) / float(s.sum())
    l1 = alpha * l1_ratio * float(np.abs(coef).sum())
    l2 = 0.5 * alpha * (1.0 - l1_ratio) * float(coef @ coef)
    return datafit + l1 + l2


def dual_gap(Xc, yc, w, alpha, l1_ratio, positive=False) -> float:
    """Duality gap (``1/n`` scaling) of the elastic net without intercept at ``w``.

    As skreg documents, the smaller of the gaps at two feasible dual points:

    A. scikit-learn's (``test_lasso_dual_gap``): the elastic net is a lasso on
       ``[Xc; sqrt(n l2) I]``, ``[yc; 0]``; the residual ``[R; -sqrt(n l2) w]`` is
       rescaled into the dual-feasible set ``||Xc^T theta / n - l2 w||_inf <= l1``.
    B. for ``l2 > 0``, the Fenchel dual of ``1/(2n)||yc - Xc w||^2 + g(w)`` at
       ``theta = R``: ``D = (R @ yc - ||R||^2 / 2) / n - g*(Xc^T R / n)`` with
       ``g*(v) = sum_j (|v_j| - l1)_+^2 / (2 l2)`` (``(v_j - l1)_+`` when positive).
    """
    n = Xc.shape[0]
    l1, l2 = alpha * l1_ratio, alpha * (1.0 - l1_ratio)
    w = np.asarray(w, dtype=np.float64)
    R = yc - Xc @ w
    primal = 0.5 * R @ R / n + l1 * np.abs(w).sum() + 0.5 * l2 * w @ w
    gaps = []
    if l1 > 0:
        v = Xc.T @ R / n - l2 * w
        dual_norm = max(v.max(), 0.0) if positive else np.abs(v).max()
        c = min(1.0, l1 / dual_norm) if dual_norm > 0 else 1.0
        # D(c R) of the augmented lasso: c R.yc / n - c^2 (|R|^2 / n + l2 |w|^2) / 2
        dual_a = c * (R @ yc) / n - 0.5 * c**2 * (R @ R / n + l2 * w @ w)
        gaps.append(primal - dual_a)
    if l2 > 0:
        g = Xc.T @ R / n
        excess = np.maximum((g if positive else np.abs(g)) - l1, 0.0)
        dual_b = (R @ yc) / n - 0.5 * (R @ R) / n - (excess @ excess) / (2 * l2)
        gaps.append(primal - dual_b)
    return float(min(gaps))


@pytest.fixture(scope="session")
def helpers():
    """The first-principles helpers above, for test modules (no conftest imports)."""
    return SimpleNamespace(
        normalized_weights=normalized_weights,
        centered_scaled=centered_scaled,
        alpha_max=alpha_max,
        objective=objective,
        dual_gap=dual_gap,
        make_problem=make_problem,
        problems=PROBLEMS,
    )


# -- an optional dependency made absent ---------------------------------------------


class _NotInstalled(importlib.abc.MetaPathFinder):
    """A finder that makes importing ``name`` (or a submodule) fail as if absent."""

    def __init__(self, name):
        self.name = name

    def find_spec(self, fullname, path=None, target=None):
        if fullname == self.name or fullname.startswith(self.name + "."):
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


@pytest.fixture
def without_pandas(monkeypatch):
    """A function that makes pandas absent until the test ends, as for a user who
    has not installed it: ``import pandas`` raises ModuleNotFoundError and
    ``sys.modules`` has no ``"pandas"`` (scikit-learn tests for data frames through
    ``sys.modules``, so setting the entry to None would break it where a user's
    install works). Code that imported pandas before the call keeps its module."""

    def hide():
        monkeypatch.delitem(sys.modules, "pandas", raising=False)
        monkeypatch.setattr(sys, "meta_path", [_NotInstalled("pandas"), *sys.meta_path])

    return hide


# -- hypothesis profiles (property-based fuzzing, tests/test_fuzz_*.py) ---------------
#
# ``ci`` (the default) keeps the fuzz suite's runtime bounded and reproducible:
# 100 examples per property (the 49 properties take about 35 s on 2 cores),
# derandomized (the same examples on every run, no example database). ``dev``
# explores more, with fresh random examples each run:
# ``HYPOTHESIS_PROFILE=dev python -m pytest tests/test_fuzz_*.py`` (about 4 min).
# ``--hypothesis-show-statistics`` prints the examples run per property and the
# share that ended in a clear error, a known warning or a marked skip (events).
# ``too_slow`` is suppressed because a first example may pay Numba's compilation of a
# new (dtype, storage) signature; ``data_too_large`` because the problems draw whole
# arrays.

from hypothesis import HealthCheck as _HealthCheck  # noqa: E402
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_FUZZ_HEALTH = [_HealthCheck.too_slow, _HealthCheck.data_too_large]
_hypothesis_settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=_FUZZ_HEALTH,
)
_hypothesis_settings.register_profile(
    "dev",
    max_examples=400,
    deadline=None,
    print_blob=True,
    suppress_health_check=_FUZZ_HEALTH,
)
_hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# -- knife edges -------------------------------------------------------------------
#
# A fit that converges only just under its ``max_iter`` passes on one CPU and fails on
# another, where rounding differs in the last bits. Every solve the suite runs through
# ``skreg.solvers.SOLVERS`` (estimators, paths, cross-validation) is watched: a solve
# that converged after more than half its budget of epochs fails the test. Tests that
# study a budget on purpose say so with ``@pytest.mark.iteration_budget``.

KNIFE_EDGE = 0.5


@pytest.fixture(autouse=True)
def _no_knife_edge_fits(request):
    if request.node.get_closest_marker("iteration_budget"):
        yield
        return
    from skreg import solvers

    # Patched by hand, not with ``monkeypatch``: this fixture must not change when the
    # tests' own ``monkeypatch`` undoes its changes.
    edges = []
    originals = dict(solvers.SOLVERS)

    def watch(name, solve):
        def watched(*args, **kwargs):
            result = solve(*args, **kwargs)
            max_iter = kwargs.get("max_iter", 1000)
            if result.converged and result.n_iter > KNIFE_EDGE * max_iter:
                edges.append((name, result.n_iter, max_iter))
            return result

        return watched

    solvers.SOLVERS.update({k: watch(k, v) for k, v in originals.items()})
    try:
        yield
    finally:
        solvers.SOLVERS.update(originals)
    if edges:
        pytest.fail(
            "solves converged after more than half their max_iter (a knife edge: "
            f"another CPU may not converge): {edges[:5]}"
        )
