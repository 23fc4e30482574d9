"""Shared machinery of the wide suites (``grid.py``, ``real_tables.py``, ...).

The wide suites reuse ``run.py`` as it is: its adapters (``libraries.py``), its
reference ``P*``, its tolerance sweep, its interleaved re-timing and its
time-to-target rows, all measured on skreg's ``enet_objective``. What this module
adds is what the wide suites share: registering generated or loaded data sets as
``problems.DATASETS`` entries, running a list of problems under a wall-clock
budget, summarising skreg's ratio to the fastest anchor (count at or under 0.8x,
geometric mean, worst cells), one markdown table per family and one PNG plot of
the ratio against problem size.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import run as runner  # noqa: E402  (pins the threads first)
from benchmarks.libraries import select_libraries  # noqa: E402
from benchmarks.problems import DATASETS, Problem  # noqa: E402

# isort: split
import numpy as np  # noqa: E402  (after run.py set the thread variables)

RESULTS = runner.RESULTS
TARGET_RATIO = 0.8
TARGET_GEOMEAN = 0.5

# Reference P* of the wide suites: skglm alone at tol=1e-10 (scikit-learn at 1e-12
# takes minutes on the large cells; skglm at 1e-12 did not return within 60 s on
# the standardized 16 x 6 longley table, where 1e-10 takes 0.05 s), then lowered
# to the best objective any library reaches in the run (run.run_problem does that,
# and every library is swept down to the tolerance that reaches 1e-6).
runner.REFERENCE_TOL = 1e-10
runner.REFERENCE_LIBRARIES = {
    "dense": ("skglm",),
    "sparse": ("skglm",),
    "path": ("skglm",),
}


def register(name: str, loader) -> str:
    """Register a zero-argument ``(X, y)`` loader as data set ``name``."""
    DATASETS[name] = loader
    return name


def penalty_tag(l1_ratio: float) -> str:
    return "l1" if l1_ratio == 1.0 else f"enet{l1_ratio:g}"


def problem(dataset: str, ratio: float, l1_ratio: float, n_alphas: int = 0):
    """A ``Problem`` on a registered data set (name as in ``problems.py``)."""
    if n_alphas:
        name = f"{dataset}/{n_alphas}alphas_{ratio:g}/{penalty_tag(l1_ratio)}"
    else:
        name = f"{dataset}/amax_{ratio:g}/{penalty_tag(l1_ratio)}"
    return Problem(name, dataset, float(ratio), float(l1_ratio), n_alphas=n_alphas)


def base_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="a small subset")
    parser.add_argument("--libraries", help="comma-separated library names")
    parser.add_argument("--repeat", type=int, default=1, help="interleaved rounds")
    parser.add_argument("--max-fit-time", type=float, default=5.0)
    parser.add_argument("--budget", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--wall", type=float, default=math.inf, help="stop after this many seconds"
    )
    parser.add_argument("--out", help="results CSV")
    parser.add_argument("--markdown", help="write the markdown section here")
    parser.add_argument("--plot", help="write the ratio-vs-size PNG here")
    parser.add_argument(
        "--from-csv", help="no run: tabulate these results CSVs (comma-separated)"
    )
    parser.add_argument("--reverse", action="store_true", help="largest first")
    parser.add_argument(
        "--skip-done", help="comma-separated results CSVs: skip their problems"
    )
    parser.add_argument(
        "--only", help="comma-separated substrings: run the problems naming one"
    )
    return parser


def read_rows(paths: str):
    """Rows of one or more results CSVs; a later file's problem replaces an earlier."""
    rows = {}
    for path in paths.split(","):
        for r in runner.read_csv(Path(path)):
            rows.setdefault(r.problem, {})
        for r in runner.read_csv(Path(path)):
            rows[r.problem][r.library, r.target] = r
    return [r for by_lib in rows.values() for r in by_lib.values()]


def run_problems(
    problems: list[Problem], targets: list[float], args, out: Path, exclude=None
):
    """``run.run_problem`` on each problem; rows written after each one.

    ``exclude(problem, library_name)`` may return a reason to leave a library out
    of one problem (printed; the library then has no row for it).
    """
    all_libraries = select_libraries(args.libraries)
    rng = np.random.default_rng(args.seed)
    rows, sweeps = [], []
    start = time.perf_counter()
    targets = sorted(targets, reverse=True)
    if getattr(args, "reverse", False):
        problems = problems[::-1]
    if getattr(args, "only", None):
        keys = args.only.split(",")
        problems = [p for p in problems if any(k in p.name for k in keys)]
    if getattr(args, "skip_done", None):
        paths = [p for p in args.skip_done.split(",") if Path(p).exists()]
        done = {r.problem for r in read_rows(",".join(paths))} if paths else set()
        problems = [p for p in problems if p.name not in done]
        print(f"{len(done)} problems done already, {len(problems)} to run")
    for k, prob in enumerate(problems):
        if time.perf_counter() - start > args.wall:
            print(f"wall budget reached: {len(problems) - k} problems not run")
            break
        libraries = []
        for lib in all_libraries:
            reason = exclude(prob, lib.name) if exclude else None
            if reason:
                print(f"  {lib.name} left out of {prob.name}: {reason}")
            else:
                libraries.append(lib)
        problem_rows, runs = runner.run_problem(prob, libraries, targets, args, rng)
        rows.extend(problem_rows)
        sweeps.extend((prob.name, r) for r in runs if not r.skipped)
        runner.write_csv(rows, out)
        runner.write_sweep_csv(sweeps, out.with_name(out.stem + "_sweep.csv"))
    print(f"\nwrote {out} ({time.perf_counter() - start:.0f} s)")
    return rows


# ------------------------------------------------------------------ summaries
def skreg_rows(rows, target: float):
    """skreg's row per problem at ``target`` (ratio to the fastest anchor)."""
    return [r for r in rows if r.library == "skreg" and r.target == target]


def summary(rows, target: float) -> dict:
    """Counts at or under 0.8x, geometric mean and the sorted ratios."""
    sk = skreg_rows(rows, target)
    ratios = [(r.ratio_fastest_anchor, r) for r in sk]
    finite = [(x, r) for x, r in ratios if np.isfinite(x)]
    n_fail = len(ratios) - len(finite)  # skreg did not reach, or no anchor did
    vals = np.array([x for x, _ in finite])
    return {
        "n": len(ratios),
        "n_timed": len(finite),
        "n_unmeasured": n_fail,
        "n_le_0.8": int(np.sum(vals <= TARGET_RATIO)),
        "n_le_1": int(np.sum(vals <= 1.0)),
        "geomean": float(np.exp(np.mean(np.log(vals)))) if len(vals) else math.nan,
        "max": float(vals.max()) if len(vals) else math.nan,
        "worst": sorted(finite, key=lambda t: -t[0]),
        "unmeasured": [r for x, r in ratios if not np.isfinite(x)],
    }


def summary_text(rows, target: float, title: str) -> str:
    s = summary(rows, target)
    lines = [
        f"{title}: {s['n']} cells at target {target:g}; skreg at or under "
        f"{TARGET_RATIO}x the fastest anchor on {s['n_le_0.8']} of {s['n_timed']} "
        f"timed cells (at or under 1x on {s['n_le_1']}); geometric mean "
        f"{s['geomean']:.2f}x, max {s['max']:.2f}x; {s['n_unmeasured']} cells "
        "without a ratio."
    ]
    for x, r in s["worst"][:10]:
        lines.append(f"  {x:6.2f}x  {r.problem} ({r.shape}) vs {r.fastest_anchor}")
    for r in s["unmeasured"]:
        lines.append(f"  no ratio: {r.problem} ({r.shape}) {r.note}")
    return "\n".join(lines)


def _fmt_time(t: float) -> str:
    return runner._fmt_time(t)


def markdown_table(rows, target: float, size_of) -> list[str]:
    """One row per problem: shape, skreg, each anchor, fastest anchor, ratio."""
    sel = [r for r in rows if r.target == target]
    libs = list(dict.fromkeys(r.library for r in sel))
    out = [
        "| problem | shape | "
        + " | ".join(libs)
        + " | fastest anchor | skreg / fastest |",
        "|---" * (len(libs) + 4) + "|",
    ]
    problems = list(dict.fromkeys(r.problem for r in sel))
    problems.sort(key=lambda p: size_of(next(r for r in sel if r.problem == p)))
    for name in problems:
        cells, fastest, ratio, shape = [], "", "—", ""
        for lib in libs:
            r = next((r for r in sel if r.problem == name and r.library == lib), None)
            if r is None:
                cells.append("")
                continue
            shape = r.shape or shape
            fastest = r.fastest_anchor or fastest
            if lib == "skreg":
                ratio = runner._fmt_ratio(r.ratio_fastest_anchor)
                if np.isfinite(r.ratio_fastest_anchor) and (
                    r.ratio_fastest_anchor > TARGET_RATIO
                ):
                    ratio = f"**{ratio}**"
            if np.isfinite(r.time_s):
                cells.append(_fmt_time(r.time_s))
            elif r.note.startswith("not reached"):
                cells.append("not reached")
            else:
                cells.append("n/a")
        out.append(
            f"| `{name}` | {shape} | " + " | ".join(cells) + f" | {fastest} | {ratio} |"
        )
    return out


def shape_size(row) -> float:
    """``n * p`` (times the density for CSC rows, when the name says it)."""
    n, p = (int(v) for v in row.shape.split()[0].split("x"))
    return float(n) * float(p)


def plot(rows, target: float, path: str, title: str, size_of=shape_size, label=None):
    """skreg / fastest anchor against problem size (log-log), one PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sk = [r for r in skreg_rows(rows, target) if np.isfinite(r.ratio_fastest_anchor)]
    fig, ax = plt.subplots(figsize=(6.0, 3.6), dpi=90)
    groups = {}
    for r in sk:
        groups.setdefault(label(r) if label else "all", []).append(r)
    for name, rs in sorted(groups.items()):
        ax.scatter(
            [size_of(r) for r in rs],
            [r.ratio_fastest_anchor for r in rs],
            s=14,
            alpha=0.75,
            label=name,
        )
    ax.axhline(1.0, color="0.5", lw=0.8)
    ax.axhline(TARGET_RATIO, color="tab:red", lw=0.8, ls="--", label="0.8x target")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("problem size (n x p)")
    ax.set_ylabel("skreg time / fastest anchor")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    print(f"wrote {path}")
