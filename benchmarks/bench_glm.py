"""Time-to-suboptimality benchmark of the sparse GLMs (skreg and its anchors).

Usage (from the repository root)::

    python benchmarks/bench_glm.py                       # every problem
    python benchmarks/bench_glm.py --problems 'dense*'   # a subset (fnmatch)
    python benchmarks/bench_glm.py --libraries skreg,glmnet --repeat 3
    python benchmarks/bench_glm.py --cv                  # SparseLogisticRegressionCV
    python benchmarks/bench_glm.py --check               # adapters reach P*?

The common objective (glmnet's, ``standardize=FALSE``) is

    mean_i NLL(y_i, x_i W^T + b) + alpha * (l1_ratio ||W||_1
                                             + (1 - l1_ratio) / 2 ||W||_F^2),

binomial (one output) or symmetric multinomial (one row of ``W`` per class), the
intercepts ``b`` unpenalised. Methodology, as ``benchmarks/run.py``:

1. Each library's tolerance is swept, loose to tight (one decade per step), after
   one untimed warm-up fit on a slice of the data (so JIT compilation is not
   counted), until the relative suboptimality ``(P - P*) / |P*|`` (worst over the
   alphas of a path) reaches the tightest target, or a single fit exceeds the time
   budget.
2. ``P*`` is the lowest objective among a tight skreg solve (``tol=1e-10``) and
   every fit of every library during the run.
3. The first setting that reaches a target is timed again, ``--repeat`` times in
   all, in rounds that alternate the libraries (shuffled per round); its median
   is the library's time-to-target.

Threads are pinned to one (OMP/OpenBLAS/MKL/Numba env vars before NumPy is
imported, and threadpoolctl). ``SKREG_BENCH_CLOCK=cpu`` times by the process's CPU
time instead of the wall clock (as ``benchmarks/run.py``): on a shared machine it
hardly moves with the other jobs' load.

Anchors and how each is mapped onto the common objective (``n`` samples):

- scikit-learn ``LogisticRegression``: minimises ``C sum_i NLL + penalty``, so
  ``C = 1 / (n alpha)``. Binary L1 uses ``liblinear``, which penalises the
  intercept (it is the weight of a constant column ``intercept_scaling``): we set
  ``intercept_scaling=100`` so that the intercept's penalty is ``alpha |b| / 100``;
  what that costs in objective is measured like any other suboptimality (the
  liblinear column reaches 1e-6 or says it did not). Everything else (multinomial,
  paths with warm starts, CV) uses ``saga``.
- skglm ``GeneralizedLinearEstimator(Logistic(), L1(alpha), ProxNewton(
  fit_intercept=True))``; skglm's ``Logistic`` is the mean NLL on labels in
  {-1, 1}. skglm has no multinomial datafit: n/a there.
- celer ``LogisticRegression(C=1 / (n alpha), fit_intercept=True)``: celer 0.7
  raises ``NotImplementedError`` for the intercept, so it is n/a everywhere (its
  multiclass mode is one-vs-rest, a different objective anyway).
- glmnet (python-glmnet ``LogitNet(alpha=l1_ratio, lambda_path=[...],
  standardize=False)``): exactly the common objective (``lambda = alpha``). A
  single multinomial fit is given a 20-value path from ``alpha_max`` (one lambda
  diverges), and timed as such.
- adelie ``grpnet`` with ``glm.binomial`` / ``glm.multinomial`` (weights ``1 / n``,
  ``lambda = alpha``). For the multinomial, the ungrouped penalty needs singleton
  groups, which adelie 1.1.52 rejects ("IRLS lambda is unexpectedly inf"): n/a.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# benchmarks/run.py pins every thread pool to one thread before NumPy loads.
from benchmarks import run as _run  # noqa: E402, F401

# isort: split
import argparse  # noqa: E402
import fnmatch  # noqa: E402
import functools  # noqa: E402
import gc  # noqa: E402
import platform  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from scipy.special import log_expit, logsumexp  # noqa: E402

from benchmarks.problems import _correlated_design, _sparse_truth  # noqa: E402

SEED = 0
MAX_ITER = 10_000
TOLS = tuple(10.0**-k for k in range(1, 15))
TARGETS = (1e-4, 1e-6)


# ----------------------------------------------------------------------- data
def _labels(eta: np.ndarray, rng) -> np.ndarray:
    """Bernoulli draws of ``sigmoid(eta)`` as 0/1 floats."""
    return (rng.uniform(size=eta.shape[0]) < 1.0 / (1.0 + np.exp(-eta))).astype(float)


def _scaled(signal: np.ndarray, scale: float = 2.0, offset: float = 0.5):
    return scale * signal / max(signal.std(), 1e-12) + offset


@functools.cache
def dense_binary(n: int, p: int, rho: float = 0.6, n_nonzero: int = 20):
    rng = np.random.default_rng([SEED, n, p, 7])
    X = _correlated_design(n, p, rho, rng)
    w = _sparse_truth(p, min(n_nonzero, p), rng)
    return X, _labels(_scaled(X @ w), rng)


@functools.cache
def sparse_binary(n: int, p: int, density: float, n_nonzero: int = 100):
    rng = np.random.default_rng([SEED, n, p, 8])
    X = sp.random(
        n, p, density=density, format="csc", random_state=rng,
        data_rvs=rng.standard_normal,
    )  # fmt: skip
    X.sort_indices()
    w = _sparse_truth(p, n_nonzero, rng)
    return X, _labels(_scaled(np.asarray(X @ w).ravel()), rng)


@functools.cache
def dense_multinomial(n: int, p: int, K: int, n_nonzero: int = 10):
    rng = np.random.default_rng([SEED, n, p, K])
    X = _correlated_design(n, p, 0.6, rng)
    W = np.stack([_sparse_truth(p, n_nonzero, rng) for _ in range(K)])
    eta = X @ W.T
    eta = 2.0 * eta / eta.std()
    P = np.exp(eta - logsumexp(eta, axis=1, keepdims=True))
    y = (P.cumsum(axis=1) < rng.uniform(size=(n, 1))).sum(axis=1)
    return X, np.minimum(y, K - 1).astype(float)


# ------------------------------------------------------------------ objective
def encode(y: np.ndarray):
    """``(Y, K)``: 0/1 column for two classes, one-hot rows otherwise."""
    classes = np.unique(y)
    if classes.shape[0] == 2:
        return (y == classes[1]).astype(float)[:, None], 1
    return (y[:, None] == classes[None, :]).astype(float), classes.shape[0]


def objective(X, y, W, b, alpha, l1_ratio) -> float:
    """The common objective at ``(W, b)`` (``W`` of shape ``(K, p)``)."""
    W, b = np.atleast_2d(np.asarray(W, float)), np.atleast_1d(np.asarray(b, float))
    if not (np.all(np.isfinite(W)) and np.all(np.isfinite(b))):
        return np.inf
    Y, K = encode(y)
    eta = np.asarray(X @ W.T) + b
    if K == 1:
        nll = -log_expit(np.where(Y > 0.5, eta, -eta)).mean()
    else:
        nll = (logsumexp(eta, axis=1) - (eta * Y).sum(axis=1)).mean()
    pen = l1_ratio * np.abs(W).sum() + 0.5 * (1 - l1_ratio) * (W * W).sum()
    return float(nll + alpha * pen)


def alpha_max(X, y, l1_ratio: float = 1.0) -> float:
    """Smallest ``alpha`` whose solution is ``W = 0`` (with intercepts)."""
    Y, _ = encode(y)
    G = np.asarray(X.T @ (Y - Y.mean(axis=0))) / X.shape[0]
    return float(np.abs(G).max() / l1_ratio)


# ------------------------------------------------------------------- adapters
# fit(X, y, alphas, l1_ratio, tol) -> list of (W (K, p), b (K,)), one per alpha;
# single fits pass one alpha. Convergence warnings are silenced (we measure).


def _quiet(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args, **kwargs)

    return wrapper


@_quiet
def skreg_fit(X, y, alphas, l1_ratio, tol):
    import skreg

    if len(alphas) == 1:
        est = skreg.SparseLogisticRegression(
            alpha=alphas[0], l1_ratio=l1_ratio, tol=tol, max_iter=MAX_ITER
        ).fit(X, y)
        return [(est.coef_, est.intercept_)]
    _, coefs, intercepts, _ = skreg.logistic_path(
        X, y, alphas=alphas, l1_ratio=l1_ratio, tol=tol, max_iter=MAX_ITER
    )
    return [(coefs[:, :, i], intercepts[:, i]) for i in range(len(alphas))]


def _sk_out(est, K):
    W, b = np.atleast_2d(est.coef_), np.atleast_1d(est.intercept_)
    return (W, b) if K > 1 else (W[:1], b[:1])


@_quiet
def sklearn_fit(X, y, alphas, l1_ratio, tol, solver=None):
    from sklearn.linear_model import LogisticRegression

    n, K = X.shape[0], encode(y)[1]
    if solver is None:
        solver = "liblinear" if (K == 1 and l1_ratio == 1.0) else "saga"
    params = dict(l1_ratio=l1_ratio, tol=tol, max_iter=MAX_ITER, solver=solver)
    if solver == "liblinear":
        params["intercept_scaling"] = 100.0
    est = LogisticRegression(C=1.0 / (n * alphas[0]), warm_start=True, **params)
    out = []
    for alpha in alphas:
        est.set_params(C=1.0 / (n * alpha))
        est.fit(X, y)
        out.append(_sk_out(est, K))
    return out


def sklearn_saga_fit(X, y, alphas, l1_ratio, tol):
    return sklearn_fit(X, y, alphas, l1_ratio, tol, solver="saga")


@_quiet
def skglm_fit(X, y, alphas, l1_ratio, tol):
    from skglm import GeneralizedLinearEstimator
    from skglm.datafits import Logistic
    from skglm.penalties import L1, L1_plus_L2
    from skglm.solvers import ProxNewton

    ypm = np.where(y == np.unique(y)[1], 1.0, -1.0)

    def penalty(a):
        return L1(a) if l1_ratio == 1.0 else L1_plus_L2(a, l1_ratio)

    solver = ProxNewton(tol=tol, fit_intercept=True, max_iter=1000, warm_start=True)
    est = GeneralizedLinearEstimator(Logistic(), penalty(alphas[0]), solver)
    out = []
    for alpha in alphas:
        est.penalty = penalty(alpha)
        est.fit(X, ypm)
        out.append((np.atleast_2d(est.coef_), np.atleast_1d(est.intercept_)))
    return out


@_quiet
def celer_fit(X, y, alphas, l1_ratio, tol):
    from celer import LogisticRegression

    n = X.shape[0]
    est = LogisticRegression(
        C=1.0 / (n * alphas[0]), tol=tol, fit_intercept=True, warm_start=True,
        max_iter=1000,
    )  # fmt: skip
    out = []
    for alpha in alphas:
        est.set_params(C=1.0 / (n * alpha))
        est.fit(X, y)
        out.append((np.atleast_2d(est.coef_), np.atleast_1d(est.intercept_)))
    return out


@_quiet
def glmnet_fit(X, y, alphas, l1_ratio, tol):
    from glmnet import LogitNet

    n_alphas = len(alphas)
    if n_alphas == 1 and encode(y)[1] > 1:
        # One lambda far below lambda_max diverges for the multinomial (objective
        # 7e5, then a ValueError from lsolns): glmnet needs its path, 20 values here.
        alphas = list(np.geomspace(alpha_max(X, y, l1_ratio), alphas[0], 20))
    est = LogitNet(
        alpha=l1_ratio,
        lambda_path=np.asarray(alphas, dtype=np.float64),
        standardize=False,
        fit_intercept=True,
        n_splits=0,
        tol=tol,
        max_iter=100_000,
    )
    est.fit(X, y)
    # coef_path_: (K, p, n_lambda) (K = 1 for two classes)
    C = np.asarray(est.coef_path_)
    B = np.asarray(est.intercept_path_).reshape(C.shape[0], -1)
    out = [(C[:, :, i], B[:, i]) for i in range(min(est.n_lambda_, len(alphas)))]
    nan = (np.full(C.shape[:2], np.nan), np.full(C.shape[0], np.nan))
    out += [nan] * (len(alphas) - len(out))
    return out[-n_alphas:]


@_quiet
def adelie_fit(X, y, alphas, l1_ratio, tol):
    import adelie as ad

    Y, K = encode(y)
    Xa = (
        ad.matrix.sparse(X.tocsc(), method="naive")
        if sp.issparse(X)
        else ad.matrix.dense(np.asfortranarray(X), method="naive")
    )
    if K == 1:
        glm, groups = ad.glm.binomial(Y[:, 0].copy()), None
    else:
        glm, groups = (
            ad.glm.multinomial(np.ascontiguousarray(Y)),
            np.arange(X.shape[1] * K),
        )
    state = ad.grpnet(
        Xa,
        glm,
        groups=groups,
        alpha=l1_ratio,
        lmda_path=np.asarray(alphas, dtype=np.float64),
        tol=tol,
        irls_tol=tol,
        max_iters=10**7,
        early_exit=False,
        intercept=True,
        n_threads=1,
        progress_bar=False,
    )
    betas = state.betas.toarray()
    b0 = np.asarray(state.intercepts, dtype=np.float64)
    p = X.shape[1]
    out = []
    for i in range(betas.shape[0]):
        # multinomial: coefficients are feature-major, (p, K) flattened
        W = betas[i].reshape(p, K).T if K > 1 else betas[i][None, :]
        out.append((W, np.atleast_1d(b0[i]).ravel()))
    nan = (np.full((K, p), np.nan), np.full(K, np.nan))
    return out + [nan] * (len(alphas) - len(out))


# celer 0.7: ``LogisticRegression(fit_intercept=True).fit`` raises
# NotImplementedError("Fitting an intercept is not implement yet").
_CELER_NA = "no intercept"
# adelie 1.1.52: singleton groups on ``glm.multinomial`` (the ungrouped penalty) fail
# with "IRLS lambda is unexpectedly inf"; its default groups are the grouped penalty.
_ADELIE_NA = "ungrouped multinomial fails"


@dataclass(frozen=True)
class Library:
    name: str
    fit: object
    binary: str = ""  # "" = supported, else the n/a reason
    multinomial: str = ""
    enet: str = ""


LIBRARIES = {
    lib.name: lib
    for lib in (
        Library("skreg", skreg_fit),
        Library("sklearn", sklearn_fit),
        Library("skglm", skglm_fit, multinomial="no multinomial datafit"),
        Library("celer", celer_fit, binary=_CELER_NA, multinomial=_CELER_NA),
        Library("glmnet", glmnet_fit),
        Library("adelie", adelie_fit, multinomial=_ADELIE_NA),
    )
}


# ------------------------------------------------------------------- problems
@dataclass(frozen=True)
class Problem:
    name: str
    data: object  # zero-argument callable -> (X, y)
    ratios: tuple[float, ...]  # alpha / alpha_max, one (fit) or a grid (path)
    l1_ratio: float = 1.0

    @property
    def is_path(self) -> bool:
        return len(self.ratios) > 1


def _path_ratios(n_alphas: int, eps: float) -> tuple[float, ...]:
    return tuple(np.geomspace(1.0, eps, n_alphas))


PROBLEMS = {
    p.name: p
    for p in (
        Problem(
            "dense_1000x5000_rho0.6/amax_10",
            functools.partial(dense_binary, 1000, 5000),
            (0.1,),
        ),
        Problem(
            "dense_1000x5000_rho0.6/amax_100",
            functools.partial(dense_binary, 1000, 5000),
            (0.01,),
        ),
        Problem(
            "csc_20000x50000_d1e-3/amax_10",
            functools.partial(sparse_binary, 20000, 50000, 1e-3),
            (0.1,),
        ),
        Problem(
            "csc_20000x50000_d1e-3/amax_100",
            functools.partial(sparse_binary, 20000, 50000, 1e-3),
            (0.01,),
        ),
        Problem(
            "dense_50000x200_rho0.6/amax_100",
            functools.partial(dense_binary, 50000, 200),
            (0.01,),
        ),
        Problem(
            "multinomial10_2000x500/amax_100",
            functools.partial(dense_multinomial, 2000, 500, 10),
            (0.01,),
        ),
        Problem(
            "path_2000x500_rho0.6/50alphas_1e-4",
            functools.partial(dense_binary, 2000, 500),
            _path_ratios(50, 1e-4),
        ),
    )
}


# ------------------------------------------------------------------- the run
@dataclass
class Run:
    lib: str
    na: str = ""
    sweep: list = field(default_factory=list)  # (tol, seconds, subopt)
    times: dict = field(default_factory=dict)  # target -> list of seconds
    chosen: dict = field(default_factory=dict)  # target -> tol


def objectives(X, y, sols, alphas, l1_ratio) -> np.ndarray:
    return np.array(
        [
            objective(X, y, W, b, a, l1_ratio)
            for (W, b), a in zip(sols, alphas, strict=False)
        ]
    )


def timed(fn, *args):
    gc.collect()
    gc.disable()
    try:
        start = _run.clock()
        out = fn(*args)
        return _run.clock() - start, out
    finally:
        gc.enable()


def warm_up(lib: Library, X, y, alphas, l1_ratio):
    """One untimed fit on a slice (JIT compilation, imports).

    At the slice's own ``alpha_max / 10``, so that the solution is not zero and
    every kernel a real fit calls has run once.
    """
    n = min(X.shape[0], 200)
    Xs = X[:n].tocsc() if sp.issparse(X) else np.asfortranarray(X[:n])
    ys = y[:n]
    if np.unique(ys).shape[0] != np.unique(y).shape[0]:
        ys = np.resize(np.unique(y), n)
    a = 0.1 * alpha_max(Xs, ys, l1_ratio)
    try:
        lib.fit(Xs, ys, [a, 0.5 * a] if len(alphas) > 1 else [a], l1_ratio, 1e-4)
    except Exception as exc:  # noqa: BLE001
        print(f"  warm-up of {lib.name} failed: {exc!r}")


def na_reason(lib: Library, problem: Problem, K: int) -> str:
    if K > 1 and lib.multinomial:
        return lib.multinomial
    if K == 1 and lib.binary:
        return lib.binary
    if problem.l1_ratio < 1 and lib.enet:
        return lib.enet
    return ""


def run_problem(problem: Problem, libs, repeat: int, budget: float, seed: int):
    X, y = problem.data()
    amax = alpha_max(X, y, problem.l1_ratio)
    alphas = [r * amax for r in problem.ratios]
    K = encode(y)[1]
    print(f"\n== {problem.name}: n={X.shape[0]} p={X.shape[1]} K={max(K, 2)}")
    runs = {}
    # reference: a tight skreg solve
    ref = np.full(len(alphas), np.inf)
    if "skreg" in LIBRARIES:
        warm_up(LIBRARIES["skreg"], X, y, alphas, problem.l1_ratio)
        t, sols = timed(skreg_fit, X, y, alphas, problem.l1_ratio, 1e-10)
        ref = objectives(X, y, sols, alphas, problem.l1_ratio)
        print(f"  reference skreg tol=1e-10: {t:.2f} s")
    for lib in libs:
        run = runs[lib.name] = Run(lib.name, na=na_reason(lib, problem, K))
        if run.na:
            print(f"  {lib.name}: n/a ({run.na})")
            continue
        warm_up(lib, X, y, alphas, problem.l1_ratio)
        for tol in TOLS:
            try:
                t, sols = timed(lib.fit, X, y, alphas, problem.l1_ratio, tol)
            except Exception as exc:  # noqa: BLE001
                run.na = f"error: {type(exc).__name__}: {exc}"[:120]
                print(f"  {lib.name}: {run.na}")
                break
            obj = objectives(X, y, sols, alphas, problem.l1_ratio)
            ref = np.minimum(ref, obj)
            run.sweep.append((tol, t, obj))
            sub = float(np.max((obj - ref) / np.abs(ref)))
            print(f"  {lib.name:8s} tol={tol:.0e} {t:8.3f} s  subopt {sub:.2e}")
            if sub <= min(TARGETS) or t > budget:
                break
    # suboptimality against the final reference; first tol reaching each target
    for run in runs.values():
        for target in TARGETS:
            for tol, t, obj in run.sweep:
                if np.max((obj - ref) / np.abs(ref)) <= target:
                    run.chosen[target] = tol
                    run.times[target] = [t]
                    break
    # re-time the chosen settings in alternating rounds
    rng = np.random.default_rng(seed)
    order = [r for r in runs.values() if r.chosen]
    for _ in range(repeat - 1):
        for idx in rng.permutation(len(order)):
            run = order[idx]
            for tol in sorted(set(run.chosen.values()), reverse=True):
                t, _ = timed(
                    LIBRARIES[run.lib].fit, X, y, alphas, problem.l1_ratio, tol
                )
                for target, chosen in run.chosen.items():
                    if chosen == tol:
                        run.times[target].append(t)
    return runs


def ratio_rows(problem: Problem, runs, libs, budget: float):
    """Markdown rows: median times, and skreg / fastest anchor per target."""
    rows = []
    targets = TARGETS if problem.is_path else (1e-6,)
    for target in targets:
        cells, anchors = [], {}
        for lib in libs:
            run = runs[lib.name]
            if run.na:
                cells.append(f"n/a ({run.na})")
                continue
            if target not in run.times:
                last = run.sweep[-1][1] if run.sweep else float("nan")
                cells.append(f"not reached (> {last:.2f} s)")
                continue
            med = float(np.median(run.times[target]))
            cells.append(f"{med:.3f} s")
            if lib.name != "skreg":
                anchors[lib.name] = med
        sk = runs.get("skreg")
        if sk and target in sk.times and anchors:
            best = min(anchors, key=anchors.get)
            ratio = float(np.median(sk.times[target])) / anchors[best]
            verdict = f"{ratio:.2f}x ({best})"
        else:
            verdict = "n/a"
        rows.append(
            f"| {problem.name} | {target:.0e} | "
            + " | ".join(cells)
            + f" | {verdict} |"
        )
    return rows


def cv_comparison(repeat: int):
    """SparseLogisticRegressionCV vs LogisticRegressionCV(saga, elastic-net)."""
    from sklearn.linear_model import LogisticRegressionCV
    from sklearn.model_selection import StratifiedKFold

    import skreg

    X, y = dense_binary(1000, 100)
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(X, y))
    n_train = len(folds[0][0])
    if any(len(tr) != n_train for tr, _ in folds):
        raise RuntimeError("folds of unequal size: C <-> alpha would differ by fold")
    amax = alpha_max(X, y, 0.5)  # the larger grid (l1_ratio 0.5)
    grid = np.geomspace(amax, amax * 1e-3, 50)
    makers = {
        "skreg": lambda: skreg.SparseLogisticRegressionCV(
            alphas=grid, l1_ratio=[0.5, 1.0], cv=folds
        ),
        "sklearn saga": lambda: LogisticRegressionCV(
            Cs=1.0 / (n_train * grid),
            l1_ratios=[0.5, 1.0],
            cv=folds,
            solver="saga",
            max_iter=1000,
            scoring="neg_log_loss",
            use_legacy_attributes=False,
        ),  # fmt: skip
    }
    times = {k: [] for k in makers}
    fitted = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        skreg.SparseLogisticRegressionCV(alphas=5, cv=3).fit(X[:200], y[:200])
        for _ in range(repeat):
            for name in makers:
                t, est = timed(lambda m=makers[name]: m().fit(X, y))
                times[name].append(t)
                fitted[name] = est
    med = {k: float(np.median(v)) for k, v in times.items()}
    sk, ref = fitted["skreg"], fitted["sklearn saga"]
    sk_alpha = sk.alpha_
    ref_alpha = 1.0 / (n_train * float(np.ravel(ref.C_)[0]))
    lines = [
        "| library | median time | / sklearn | alpha_ / alpha_max | l1_ratio_ |",
        "|---|---|---|---|---|",
        f"| skreg | {med['skreg']:.2f} s | {med['skreg'] / med['sklearn saga']:.3f}x"
        f" | {sk_alpha / amax:.4g} | {sk.l1_ratio_:g} |",
        f"| sklearn saga | {med['sklearn saga']:.2f} s | 1 | {ref_alpha / amax:.4g}"
        f" | {float(np.ravel(ref.l1_ratio_)[0]):g} |",
    ]
    print("\n".join(lines))
    return lines


def environment() -> str:
    import importlib.metadata as md

    libs = []
    for mod, dist in (
        ("skreg", "skreg"), ("sklearn", "scikit-learn"), ("skglm", "skglm"),
        ("celer", "celer"), ("glmnet", "glmnet"), ("adelie", "adelie"),
        ("numba", "numba"), ("numpy", "numpy"),
    ):  # fmt: skip
        try:
            libs.append(f"{mod} {md.version(dist)}")
        except Exception:  # noqa: BLE001
            libs.append(f"{mod} ?")
    load = os.getloadavg()
    clock = "CPU time" if _run.CPU_CLOCK else "wall time"
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; "
        + ", ".join(libs)
        + f"; load average at start {load[0]:.2f}/{load[1]:.2f}/{load[2]:.2f}"
        + f"; clock: {clock}"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", default="*")
    parser.add_argument("--libraries", default=",".join(LIBRARIES))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--budget", type=float, default=60.0, help="stop a sweep after a longer fit (s)"
    )
    parser.add_argument("--cv", action="store_true")
    parser.add_argument("--no-fits", action="store_true")
    parser.add_argument("--out", type=Path, default=None, help="markdown file")
    args = parser.parse_args(argv)
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    libs = [LIBRARIES[n] for n in args.libraries.split(",")]
    lines = [f"Environment: {environment()}", ""]
    if not args.no_fits:
        header = "| problem | target | " + " | ".join(lib.name for lib in libs)
        lines += [
            header + " | skreg / fastest anchor |",
            "|---" * (len(libs) + 3) + "|",
        ]
        for name, problem in PROBLEMS.items():
            if not fnmatch.fnmatch(name, args.problems):
                continue
            runs = run_problem(problem, libs, args.repeat, args.budget, seed=0)
            rows = ratio_rows(problem, runs, libs, args.budget)
            print("\n".join(rows))
            lines += rows
    if args.cv:
        lines += ["", *cv_comparison(args.repeat)]
    lines.append(f"\nLoad average at end: {os.getloadavg()[0]:.2f}")
    text = "\n".join(lines)
    print("\n" + text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
