"""Profile skreg on the worst cells of the wide suites (why is it slow there?).

Usage (from the repository root)::

    python benchmarks/worst_cells.py --csv benchmarks/results/grid.csv,\
benchmarks/results/real_tables.csv --top 10
    python benchmarks/worst_cells.py --quick       # the worst 2 cells, 3 entries

Reads results CSVs of ``grid.py`` / ``real_tables.py`` (``run.py`` rows), takes
the cells with the largest skreg / fastest-anchor ratio at the tightest target,
refits skreg there at the tolerance that reached the target (the setting the
runner timed), repeated for at least 0.2 s under ``cProfile``, and prints per
cell: skreg's and the fastest anchor's time, the solve's share of the call, and
the top entries by own time (per call of the adapter).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import grid, real_tables, suite  # noqa: E402  (pins the threads)
from benchmarks.libraries import LIBRARIES  # noqa: E402

# isort: split
import numpy as np  # noqa: E402


def _problem(name: str):
    dataset, reg, pen = name.split("/")
    l1_ratio = 1.0 if pen == "l1" else float(pen[4:])
    m = re.fullmatch(r"(?:(\d+)alphas|amax)_(.+)", reg)
    n_alphas = int(m.group(1)) if m.group(1) else 0
    return suite.problem(dataset, float(m.group(2)), l1_ratio, n_alphas=n_alphas)


def _loop_time(lib, data, tol, loop_time=0.05) -> float:
    """Mean time of a loop of calls lasting about ``loop_time`` seconds."""
    n, start = 0, time.perf_counter()
    while n < 2 or time.perf_counter() - start < loop_time:
        suite.runner.call(lib, data, tol)
        n += 1
    return (time.perf_counter() - start) / n


def retime(row, anchor_row, data, rounds: int = 5) -> tuple[float, float]:
    """Best of ``rounds`` alternated loop timings of skreg and the fastest anchor."""
    libs = [(LIBRARIES["skreg"], row.tol), (LIBRARIES[anchor_row.library],
            anchor_row.tol)]  # fmt: skip
    best = [np.inf, np.inf]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for lib, tol in libs:
            suite.runner.call(lib, data, tol)
        for _ in range(rounds):
            for k, (lib, tol) in enumerate(libs):
                best[k] = min(best[k], _loop_time(lib, data, tol))
    return best[0], best[1]


def profile_cell(row, top: int, anchor_row=None) -> str:
    prob = _problem(row.problem)
    data = prob.load()
    lib = LIBRARIES["skreg"]
    again = ""
    if anchor_row is not None:
        t_sk, t_an = retime(row, anchor_row, data)
        again = (
            f"; re-timed (best of 5 alternated loops): skreg "
            f"{suite._fmt_time(t_sk)}, {anchor_row.library} "
            f"{suite._fmt_time(t_an)}, ratio {t_sk / t_an:.2f}x"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        suite.runner.call(lib, data, row.tol)  # warm-up
        prof = cProfile.Profile()
        n, start = 0, time.perf_counter()
        prof.enable()
        while n < 3 or time.perf_counter() - start < 0.2:
            suite.runner.call(lib, data, row.tol)
            n += 1
        prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    total = stats.total_tt / n
    entries = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:top]
    lines = [
        f"{row.ratio_fastest_anchor:.2f}x {row.problem} ({row.shape}): skreg "
        f"{suite._fmt_time(row.time_s)} at tol={row.tol:.2g} vs {row.fastest_anchor} "
        f"{suite._fmt_time(row.time_s / row.ratio_fastest_anchor)}; profiled "
        f"{total * 1e3:.3g} ms per call ({n} calls){again}"
    ]
    for (file, line, func), (cc, _nc, tt, ct, _) in entries:
        short = "/".join(Path(file).parts[-2:]) if file != "~" else ""
        lines.append(
            f"    {tt / n * 1e3:8.3f} ms own {ct / n * 1e3:8.3f} ms cum "
            f"{cc / n:7.1f} calls  {short}:{line}({func})"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--csv",
        default=",".join(
            str(suite.RESULTS / f) for f in ("grid.csv", "real_tables.csv")
        ),
    )
    parser.add_argument("--top", type=int, default=10, help="number of cells")
    parser.add_argument("--entries", type=int, default=6, help="profile entries")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    # register every data set the CSVs may name
    grid.all_cells()
    grid.path_problems()
    real_tables.problems(settings="all")
    paths = [p for p in args.csv.split(",") if Path(p).exists()]
    rows = suite.read_rows(",".join(paths))
    target = min(r.target for r in rows)
    sk = [
        r for r in suite.skreg_rows(rows, target) if np.isfinite(r.ratio_fastest_anchor)
    ]
    sk.sort(key=lambda r: -r.ratio_fastest_anchor)
    n_cells, n_entries = (2, 3) if args.quick else (args.top, args.entries)
    for row in sk[:n_cells]:
        anchor = next(
            r
            for r in rows
            if r.problem == row.problem
            and r.target == target
            and r.library == row.fastest_anchor
        )
        print(profile_cell(row, n_entries, anchor), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
