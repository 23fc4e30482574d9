"""CPU time of ``ElasticNetCV``: default, ``store_path=True`` and ``relax=True``.

Usage (from the repository root; ``PYTHONPATH`` picks which skreg is measured, so that
two checkouts can be compared round by round)::

    OMP_NUM_THREADS=1 python benchmarks/cv_path_cost.py --rounds 8
    PYTHONPATH=/path/to/old/checkout python benchmarks/cv_path_cost.py --only default

On ``make_regression(1000, 100, n_informative=20, noise=10, random_state=0)`` with the
default 5 folds and 100 alphas, each setting is fitted once to warm up, then
``--reps`` times per round; the minimum CPU time (``time.process_time``: the fits run
in one thread) of each round is printed, and the median over rounds at the end. CPU
time rather than wall time because the shared machines this runs on are
oversubscribed (wall times there were 3 to 7 times the CPU times).
"""

from __future__ import annotations

import argparse
import statistics
import time

from sklearn.datasets import make_regression

import skreg

SETTINGS = {
    "default": {},
    "store_path": {"store_path": True},
    "relax": {"relax": True},
}


def _best_cpu(X, y, params, reps):
    best = float("inf")
    for _ in range(reps):
        start = time.process_time()
        skreg.ElasticNetCV(**params).fit(X, y)
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    """Time the settings round by round and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--only", choices=sorted(SETTINGS), action="append")
    args = parser.parse_args()
    names = args.only or list(SETTINGS)
    X, y = make_regression(
        n_samples=1000, n_features=100, n_informative=20, noise=10.0, random_state=0
    )
    for name in names:
        skreg.ElasticNetCV(**SETTINGS[name]).fit(X, y)  # warm-up (compiled cache)
    times = {name: [] for name in names}
    for r in range(args.rounds):
        for name in names:
            times[name].append(_best_cpu(X, y, SETTINGS[name], args.reps))
        cells = ", ".join(f"{n} {times[n][-1]:.4f} s" for n in names)
        print(f"round {r + 1}: {cells}")
    print(f"skreg from {skreg.__file__}")
    for name in names:
        print(f"{name}: median of round minima {statistics.median(times[name]):.4f} s")


if __name__ == "__main__":
    main()
