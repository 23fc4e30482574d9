"""Registry of the linear-model benchmark problems.

A *problem* is a design ``X``, a target ``y`` and a regularization: one ``alpha``
(single fits) or a decreasing grid of ``alphas`` (regularization paths), an
``l1_ratio`` and ``fit_intercept=True``. The objective is scikit-learn's
elastic net,

    1 / (2 n) ||y - X w - b||^2 + alpha * l1_ratio * ||w||_1
        + alpha * (1 - l1_ratio) / 2 * ||w||^2,

and ``alpha`` is given relative to ``alpha_max``, the smallest ``alpha`` whose
solution is ``w = 0`` (with an intercept: ``max |X^T (y - mean(y))| / (n l1_ratio)``).

Every data set is seeded and generated once per process (``functools.lru_cache``).
Problem names read ``<data>/<alpha>/<penalty>``, e.g.
``dense_500x5000_rho0.6/amax_10/l1`` (``alpha = alpha_max / 10``, Lasso) or
``path_500x5000_rho0.6/50alphas_1000/enet0.5`` (50 alphas from ``alpha_max`` to
``alpha_max / 1000``, ``l1_ratio = 0.5``).
"""

from __future__ import annotations

import fnmatch
import functools
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = [
    "PROBLEMS",
    "Problem",
    "ProblemData",
    "alpha_max",
    "get_data",
    "select_problems",
]

SEED = 0


# --------------------------------------------------------------------------- data
def _correlated_design(n: int, p: int, rho: float, rng) -> np.ndarray:
    """Gaussian design with ``corr(x_i, x_j) = rho ** |i - j|`` (an AR(1) over columns).

    Generated column by column as ``x_j = rho x_{j-1} + sqrt(1 - rho^2) z_j``, which
    has exactly this Toeplitz correlation and costs O(n p) (no p x p Cholesky).
    Returned Fortran-ordered, the layout coordinate-descent solvers prefer.
    """
    X = np.empty((n, p), order="F")
    X[:, 0] = rng.standard_normal(n)
    scale = np.sqrt(1.0 - rho**2)
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + scale * rng.standard_normal(n)
    return X


def _sparse_truth(p: int, n_nonzero: int, rng) -> np.ndarray:
    """Sparse truth: ``n_nonzero`` random entries, random signs, ``|w|`` in [1, 2]."""
    w = np.zeros(p)
    support = rng.choice(p, size=n_nonzero, replace=False)
    w[support] = rng.choice([-1.0, 1.0], size=n_nonzero) * rng.uniform(
        1.0, 2.0, size=n_nonzero
    )
    return w


def _response(X, w, snr: float, rng, offset: float = 1.0) -> np.ndarray:
    """``y = X w + offset + noise`` with ``||X w|| / ||noise|| = snr`` on average."""
    signal = np.asarray(X @ w).ravel()
    sigma = np.linalg.norm(signal) / (snr * np.sqrt(signal.shape[0]))
    return signal + offset + sigma * rng.standard_normal(signal.shape[0])


@functools.cache
def _dense_toeplitz(n: int, p: int, rho: float, n_nonzero: int):
    rng = np.random.default_rng([SEED, n, p])
    X = _correlated_design(n, p, rho, rng)
    w = _sparse_truth(p, n_nonzero, rng)
    y = _response(X, w, snr=3.0, rng=rng)
    return X, y


@functools.cache
def _sparse_random(n: int, p: int, density: float, n_nonzero: int):
    rng = np.random.default_rng([SEED, n, p, 1])
    X = sp.random(
        n,
        p,
        density=density,
        format="csc",
        random_state=rng,
        data_rvs=rng.standard_normal,
    )
    X.sort_indices()
    w = _sparse_truth(p, n_nonzero, rng)
    y = _response(X, w, snr=3.0, rng=rng)
    return X, y


@functools.cache
def _diabetes():
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    return np.asfortranarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)


#: Data sets by name: zero-argument callables returning ``(X, y)`` (cached).
DATASETS = {
    "dense_500x5000_rho0.6": functools.partial(_dense_toeplitz, 500, 5000, 0.6, 50),
    "dense_20000x500_rho0.6": functools.partial(_dense_toeplitz, 20000, 500, 0.6, 50),
    "csc_20000x50000_d1e-3": functools.partial(_sparse_random, 20000, 50000, 1e-3, 100),
    "diabetes": _diabetes,
}


def get_data(dataset: str):
    """``(X, y)`` of a registered data set (generated once, then cached)."""
    return DATASETS[dataset]()


def alpha_max(X, y, l1_ratio: float = 1.0, fit_intercept: bool = True) -> float:
    """Smallest ``alpha`` with an all-zero solution, as scikit-learn computes it.

    With an intercept this is ``max |X_c^T y_c| / (n l1_ratio)`` on centred data;
    ``X_c^T y_c = X^T y_c``, so sparse ``X`` needs no centred copy.
    """
    yc = y - y.mean() if fit_intercept else y
    Xty = np.asarray(X.T @ yc).ravel()
    return float(np.max(np.abs(Xty)) / (X.shape[0] * l1_ratio))


# ----------------------------------------------------------------------- problems
@dataclass(frozen=True)
class ProblemData:
    """A loaded problem: what every library adapter is given."""

    X: object
    y: np.ndarray
    alpha: float | None
    alphas: np.ndarray | None
    l1_ratio: float
    fit_intercept: bool = True

    @property
    def is_path(self) -> bool:
        return self.alphas is not None

    @property
    def is_sparse(self) -> bool:
        return sp.issparse(self.X)


@dataclass(frozen=True)
class Problem:
    """A registered problem: a data set, a regularization level and a penalty mix.

    ``ratio`` is ``alpha_max / alpha`` for single fits and ``alpha_max / alpha_min``
    for paths, whose ``n_alphas`` alphas are geometric from ``alpha_max``.
    """

    name: str
    dataset: str
    ratio: float
    l1_ratio: float
    n_alphas: int = 0
    fit_intercept: bool = True

    @property
    def is_path(self) -> bool:
        return self.n_alphas > 0

    def load(self) -> ProblemData:
        """Generate (or fetch from the cache) the data and the regularization."""
        return _load(self)

    def __call__(self) -> ProblemData:
        return self.load()


@functools.cache
def _load(problem: Problem) -> ProblemData:
    X, y = get_data(problem.dataset)
    amax = alpha_max(X, y, problem.l1_ratio, problem.fit_intercept)
    if problem.is_path:
        alphas = np.geomspace(amax, amax / problem.ratio, problem.n_alphas)
        return ProblemData(X, y, None, alphas, problem.l1_ratio, problem.fit_intercept)
    return ProblemData(
        X, y, amax / problem.ratio, None, problem.l1_ratio, problem.fit_intercept
    )


def _penalty_tag(l1_ratio: float) -> str:
    return "l1" if l1_ratio == 1.0 else f"enet{l1_ratio:g}"


def _build_registry() -> dict[str, Problem]:
    problems = {}
    for dataset in DATASETS:
        for ratio in (10, 100):
            for l1_ratio in (1.0, 0.5):
                name = f"{dataset}/amax_{ratio}/{_penalty_tag(l1_ratio)}"
                problems[name] = Problem(name, dataset, ratio, l1_ratio)
    for l1_ratio in (1.0, 0.5):
        name = f"path_500x5000_rho0.6/50alphas_1000/{_penalty_tag(l1_ratio)}"
        problems[name] = Problem(
            name, "dense_500x5000_rho0.6", 1000.0, l1_ratio, n_alphas=50
        )
    return problems


#: All problems by name, in the order the runner goes through them.
PROBLEMS: dict[str, Problem] = _build_registry()


def select_problems(patterns: str | None) -> list[Problem]:
    """Problems whose name matches any comma-separated glob or substring pattern."""
    if not patterns:
        return list(PROBLEMS.values())
    selected = []
    for problem in PROBLEMS.values():
        for pattern in patterns.split(","):
            pattern = pattern.strip()
            if fnmatch.fnmatch(problem.name, pattern) or pattern in problem.name:
                selected.append(problem)
                break
    if not selected:
        raise SystemExit(f"no problem matches {patterns!r}; known: {list(PROBLEMS)}")
    return selected
