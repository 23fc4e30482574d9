"""Per-point overhead of ``enet_path`` and a profile of a tall ``ElasticNetCV``.

Usage (from the repository root; ``PYTHONPATH`` picks which skreg is measured)::

    python benchmarks/profile_cv.py                # overhead + profile
    python benchmarks/profile_cv.py --quick        # fewer loops, smaller table
    PYTHONPATH=/path/to/old/checkout python benchmarks/profile_cv.py

1. **Per-point overhead**: ``skreg.enet_path`` with 50 and with 500 alphas
   (``eps=1e-3``, ``l1_ratio=0.5``, ``fit_intercept=True``, default tolerances)
   on a seeded 50 x 10 Gaussian problem, where the numerical work per point is a
   few hundred flops: microseconds per path point as ``time / n_alphas`` and as
   the slope ``(t_500 - t_50) / 450`` (the fixed cost of a call removed). Best of
   ``--loops`` calls after a warm-up; scikit-learn's ``enet_path`` on centred
   data for comparison.
2. **Profile**: ``cProfile`` of ``ElasticNetCV(l1_ratio=[0.5, 1], cv=5)`` on the
   25 000 x 20 tall table of ``cv_tables.py`` (after a warm-up fit on a slice),
   top entries by own time and by cumulative time, and the wall time of an
   unprofiled fit next to scikit-learn's.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # appended: an explicit PYTHONPATH skreg wins

from benchmarks import run as _run  # noqa: E402, F401  (pins the threads first)
from benchmarks.cv_tables import tall  # noqa: E402

# isort: split
import numpy as np  # noqa: E402


def _best(fn, loops: int) -> float:
    fn()
    best = np.inf
    for _ in range(loops):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def overhead(loops: int) -> str:
    from sklearn.linear_model import enet_path as sk_enet_path

    import skreg

    rng = np.random.default_rng(0)
    X = np.asfortranarray(rng.standard_normal((50, 10)))
    y = X @ rng.standard_normal(10) + rng.standard_normal(50)
    Xc, yc = np.asfortranarray(X - X.mean(0)), y - y.mean()
    out = {}
    for n_alphas in (50, 500):
        out["skreg", n_alphas] = _best(
            lambda n=n_alphas: skreg.enet_path(
                X, y, l1_ratio=0.5, alphas=n, fit_intercept=True
            ),
            loops,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out["sklearn", n_alphas] = _best(
                lambda n=n_alphas: sk_enet_path(Xc, yc, l1_ratio=0.5, alphas=n),
                loops,
            )
    lines = [f"skreg from {Path(skreg.__file__).parent}"]
    for lib in ("skreg", "sklearn"):
        t50, t500 = out[lib, 50], out[lib, 500]
        lines.append(
            f"{lib:8s} enet_path 50x10: 50 alphas {t50 * 1e3:.3f} ms "
            f"({t50 / 50 * 1e6:.1f} us/point), 500 alphas {t500 * 1e3:.3f} ms "
            f"({t500 / 500 * 1e6:.1f} us/point); marginal "
            f"{(t500 - t50) / 450 * 1e6:.1f} us/point"
        )
    return "\n".join(lines)


def profile(n: int, p: int, top: int, table: str | None = None) -> str:
    from sklearn.linear_model import ElasticNetCV as SkElasticNetCV

    import skreg

    if table:
        from benchmarks.tables import load_tables

        X, y = load_tables()[table]
        n, p = X.shape
    else:
        X, y = tall(n, p)
    make = {
        "skreg": lambda: skreg.ElasticNetCV(l1_ratio=[0.5, 1.0], cv=5),
        "sklearn": lambda: SkElasticNetCV(l1_ratio=[0.5, 1.0], cv=5),
    }
    times = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, mk in make.items():
            mk().fit(X[:500], y[:500])
            times[name] = _best(lambda mk=mk: mk().fit(X, y), 2)
        prof = cProfile.Profile()
        prof.enable()
        make["skreg"]().fit(X, y)
        prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    head = (
        f"ElasticNetCV(l1_ratio=[0.5, 1], cv=5) on tall {n}x{p}: skreg "
        f"{times['skreg']:.3f} s, sklearn {times['sklearn']:.3f} s "
        f"(ratio {times['skreg'] / times['sklearn']:.2f}x), best of 2"
    )
    return head + "\n" + buf.getvalue()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--loops", type=int, default=200)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--no-overhead", action="store_true")
    parser.add_argument("--shape", default="25000,20", help="tall table n,p")
    parser.add_argument("--table", help="profile this table of tables.py instead")
    args = parser.parse_args(argv)
    if not args.no_overhead:
        print(overhead(20 if args.quick else args.loops), flush=True)
    if not args.no_profile:
        n, p = (int(v) for v in args.shape.split(","))
        print(profile(5_000 if args.quick else n, p, args.top, args.table))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
