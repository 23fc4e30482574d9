"""The grid of shapes: single fits to 1e-6 (and a few 50-alpha paths) across sizes.

Usage (from the repository root)::

    python benchmarks/grid.py --quick              # 8 cells, ~2 min
    python benchmarks/grid.py                      # the seeded sample, ~15 min
    python benchmarks/grid.py --all                # every cell (hours)
    python benchmarks/grid.py --paths              # 50-alpha paths, 1e-3/1e-4/1e-6
    python benchmarks/grid.py --from-csv benchmarks/results/grid.csv \
        --markdown grid.md --plot docs/_static/bench_grid.png

The full grid (issue 23): n in {100, 1000, 10000, 100000} x p in {10, 100, 1000,
10000} with n p <= 2e8 (15 shapes), dense (Gaussian, Toeplitz correlation
``rho^|i-j|`` with rho 0 and 0.8) and CSC (density 1e-3 and 1e-2, standard normal
entries, no correlation), Lasso and ``l1_ratio=0.5``, ``alpha_max/10`` and
``alpha_max/100``: 120 dense and 72 sparse cells (sparse shapes with fewer than 5
expected nonzeros per column, n * density < 5, are left out: their columns are
mostly empty). The truth has ``min(p, 10 + p // 100)`` nonzeros, SNR 3.

Sampling (``--all`` runs every cell): with the fixed seed 0 the sampler draws,
per stratum (one shape and one storage: dense, csc 1e-3 or csc 1e-2), a number
of cells that falls with the cost of the stratum: 4 of its settings (rho x
penalty x alpha) when ``n p <= 1e4``, 2 when ``n p <= 1e6``, 1 above. Every
shape and storage is therefore measured, and the small shapes (where Python
overhead shows) are covered densely. Cells run in order of size, so an
interrupted run (``--wall``) has covered the small shapes.
"""

from __future__ import annotations

import functools
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import suite  # noqa: E402  (pins the threads first)
from benchmarks.problems import (  # noqa: E402
    _correlated_design,
    _response,
    _sparse_truth,
)

# isort: split
import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

NS = (100, 1_000, 10_000, 100_000)
PS = (10, 100, 1_000, 10_000)
MAX_NP = 2e8
DENSITIES = (1e-3, 1e-2)
RHOS = (0.0, 0.8)
L1_RATIOS = (1.0, 0.5)
RATIOS = (10, 100)
SEED = 0
QUICK = 8


def _n_nonzero(p: int) -> int:
    return min(p, 10 + p // 100)


@functools.cache
def dense(n: int, p: int, rho: float):
    rng = np.random.default_rng([SEED, n, p, int(rho * 10), 7])
    X = _correlated_design(n, p, rho, rng)
    w = _sparse_truth(p, _n_nonzero(p), rng)
    return X, _response(X, w, snr=3.0, rng=rng)


@functools.cache
def sparse(n: int, p: int, density: float):
    rng = np.random.default_rng([SEED, n, p, int(round(-np.log10(density))), 8])
    X = sp.random(n, p, density=density, format="csc", random_state=rng,
                  data_rvs=rng.standard_normal)  # fmt: skip
    X.sort_indices()
    w = _sparse_truth(p, _n_nonzero(p), rng)
    return X, _response(X, w, snr=3.0, rng=rng)


def strata():
    """``(storage, n, p, size)`` of every shape of the grid, smallest first."""
    out = []
    for n, p in itertools.product(NS, PS):
        if n * p > MAX_NP:
            continue
        out.append(("dense", n, p, n * p))
        for d in DENSITIES:
            if n * d >= 5:
                out.append((f"csc{d:g}", n, p, n * p * d))
    return sorted(out, key=lambda s: (s[1] * s[2], s[0]))


def _dataset(storage: str, n: int, p: int, rho: float) -> str:
    if storage == "dense":
        name = f"grid_dense_{n}x{p}_rho{rho:g}"
        return suite.register(name, functools.partial(dense, n, p, rho))
    d = float(storage[3:])
    name = f"grid_csc_{n}x{p}_d{d:g}"
    return suite.register(name, functools.partial(sparse, n, p, d))


def all_cells():
    """Every cell: ``(stratum, problem)`` pairs."""
    cells = []
    for stratum in strata():
        storage, n, p, _ = stratum
        rhos = RHOS if storage == "dense" else (0.0,)
        for rho, l1, ratio in itertools.product(rhos, L1_RATIOS, RATIOS):
            cells.append(
                (stratum, suite.problem(_dataset(storage, n, p, rho), ratio, l1))
            )
    return cells


def _per_stratum(n: int, p: int) -> int:
    size = n * p
    return 4 if size <= 1e4 else 2 if size <= 1e6 else 1


def sample(seed: int = SEED, quick: bool = False):
    """The seeded sample of cells (see the module docstring)."""
    rng = np.random.default_rng(seed)
    by_stratum = {}
    for stratum, prob in all_cells():
        by_stratum.setdefault(stratum, []).append(prob)
    chosen = []
    for stratum, probs in by_stratum.items():
        k = min(len(probs), _per_stratum(stratum[1], stratum[2]))
        idx = sorted(rng.choice(len(probs), size=k, replace=False))
        chosen += [probs[i] for i in idx]
    if quick:
        idx = sorted(rng.choice(len(chosen), size=QUICK, replace=False))
        chosen = [chosen[i] for i in idx if chosen[i].dataset.find("100000x") < 0]
    return chosen


def path_problems(quick: bool = False):
    """50 alphas to ``alpha_max / 1000`` on a few shapes of the grid."""
    shapes = [
        ("dense", 100, 10, 0.0),
        ("dense", 1000, 100, 0.8),
        ("dense", 100_000, 10, 0.0),
        ("dense", 10_000, 1000, 0.8),
        ("csc0.001", 10_000, 10_000, 0.0),
        ("dense", 500, 10_000, 0.0),
    ]
    if quick:
        shapes = shapes[:2]
    out = []
    for storage, n, p, rho in shapes:
        if storage == "dense" and (n, p) == (500, 10_000):
            name = suite.register(
                "grid_dense_500x10000_rho0", functools.partial(dense, n, p, 0.0)
            )
        else:
            name = _dataset(storage, n, p, rho)
        for l1 in L1_RATIOS:
            out.append(suite.problem(name, 1000, l1, n_alphas=50))
    return out


# python-glmnet on large designs with a single lambda: 54-111 s per fit without
# reaching 1e-1 suboptimality on csc 10000 x 10000, density 1e-2, and 143 s at
# tol=1e-2 (suboptimality 1e-1) on dense 100000 x 1000 (measured); one such fit
# takes most of the run's budget.
GLMNET_MAX_NNZ = 2e5
GLMNET_MAX_DENSE = 1e7


def exclude(prob, library: str):
    """Leave glmnet out of single fits with more than 2e5 (CSC) / 1e7 entries."""
    if library != "glmnet" or prob.is_path:
        return None
    X = prob.load().X
    if sp.issparse(X) and X.nnz > GLMNET_MAX_NNZ:
        return f"CSC with {X.nnz} > {GLMNET_MAX_NNZ:g} nonzeros (fits of 54-111 s)"
    if not sp.issparse(X) and X.size > GLMNET_MAX_DENSE:
        return f"dense with {X.size} > {GLMNET_MAX_DENSE:g} entries (fits of 143 s)"
    return None


def _label(row) -> str:
    return "csc" if "csc" in row.shape else "dense"


def main(argv=None) -> int:
    parser = suite.base_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--all", action="store_true", help="every cell")
    parser.add_argument("--paths", action="store_true", help="the path problems")
    args = parser.parse_args(argv)
    family = "grid_paths" if args.paths else "grid"
    out = Path(args.out or suite.RESULTS / f"{family}.csv")
    if args.paths:
        targets = [1e-3, 1e-4, 1e-6]
    else:
        targets = [1e-6]
    if args.from_csv:
        rows = suite.read_rows(args.from_csv)
    else:
        if args.paths:
            problems = path_problems(args.quick)
        elif args.all:
            problems = [p for _, p in all_cells()]
        else:
            problems = sample(args.seed if args.seed else SEED, args.quick)
        print(f"{len(problems)} problems (of {len(all_cells())} grid cells)")
        rows = suite.run_problems(problems, targets, args, out, exclude)
    for t in targets:
        print(suite.summary_text(rows, t, family))
    if args.markdown:
        lines = []
        for t in sorted(targets, reverse=True):
            lines += [f"Time to relative suboptimality {t:g}:", ""]
            lines += suite.markdown_table(rows, t, suite.shape_size) + [""]
            lines += ["```", suite.summary_text(rows, t, family), "```", ""]
        Path(args.markdown).write_text("\n".join(lines))
    if args.plot:
        t = min(targets)
        suite.plot(rows, t, args.plot, f"{family}: skreg / fastest anchor at {t:g}",
                   label=_label)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
