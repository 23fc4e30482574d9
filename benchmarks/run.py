"""Time-to-suboptimality benchmark of elastic-net solvers (skreg and its anchors).

Usage (from the repository root)::

    python benchmarks/run.py                      # all problems, all libraries
    python benchmarks/run.py --quick              # a ~2-minute subset
    python benchmarks/run.py --problems 'dense_500x5000*' --libraries skreg,skglm
    python benchmarks/run.py --check              # does each adapter reach P*?
    python benchmarks/run.py --cv                 # ElasticNetCV: skreg vs sklearn
    python benchmarks/run.py --out results.csv --markdown docs/benchmarks.md

Methodology (see benchmarks/README.md for the long form):

1. Reference optimum ``P*`` per problem (per alpha for paths): the lowest common
   objective among very tight solves of scikit-learn, skglm and celer, cached in
   ``benchmarks/results/reference/`` and lowered further by any lower objective a
   library reaches during the run.
2. Each library's tolerance is swept, loose to tight (1e-1 ... 1e-14), after one
   untimed warm-up fit (so JIT compilation is not counted), until the relative
   suboptimality ``(P - P*) / |P*|`` (worst over the path for path problems)
   reaches the tightest target; a geometric mid-point refines the first setting
   that reaches each target. The objective is always skreg's ``enet_objective``.
3. The settings that reach a target are timed again in interleaved rounds (all
   libraries of a problem, in a shuffled order per round), and a library's
   time-to-target is the smallest median time among its settings that reach it.

Threads are pinned to one (OMP/OpenBLAS/MKL/Numba) before NumPy is imported.
"""

from __future__ import annotations

import os

for _var in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMBA_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import csv  # noqa: E402
import gc  # noqa: E402
import hashlib  # noqa: E402
import importlib  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import types  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # ``python benchmarks/run.py`` from anywhere
    sys.path.insert(0, str(ROOT))

from benchmarks.libraries import LIBRARIES, Library, select_libraries  # noqa: E402
from benchmarks.problems import (  # noqa: E402
    PROBLEMS,
    Problem,
    ProblemData,
    select_problems,
)

RESULTS = Path(__file__).resolve().parent / "results"
REFERENCE_DIR = RESULTS / "reference"
# Reference solvers, by kind of problem: at 1e-12, scikit-learn's path takes >10 min
# on the 500 x 5000 path and celer's > 2 min; celer takes ~50 s on each sparse
# alpha_max / 100 problem.
REFERENCE_LIBRARIES = {
    "dense": ("sklearn", "skglm", "celer"),
    "sparse": ("sklearn", "skglm"),
    "path": ("skglm",),
}
REFERENCE_TOL = 1e-12
CHECK_TOL = 1e-10
CHECK_PASS = 1e-7
QUICK_PROBLEMS = (
    "dense_500x5000_rho0.6/amax_10/*,dense_20000x500_rho0.6/amax_100/*,"
    "csc_20000x50000_d1e-3/amax_10/l1,diabetes/amax_100/*"
)


# ---------------------------------------------------------------- the objective
def _load_enet_objective():
    """skreg's ``enet_objective``; if ``import skreg`` is broken, load the module alone.

    The fallback registers a bare ``skreg`` package (its ``__init__`` not run) so
    that ``skreg.datafits`` and its kernels import even while the estimators are
    being edited.
    """
    try:
        from skreg.datafits import enet_objective

        return enet_objective
    except Exception as exc:  # noqa: BLE001
        warnings.warn(
            f"import skreg failed ({exc!r}); loading skreg.datafits alone",
            stacklevel=2,
        )
        for name in [m for m in sys.modules if m == "skreg" or m.startswith("skreg.")]:
            del sys.modules[name]
        package = types.ModuleType("skreg")
        package.__path__ = [str(ROOT / "skreg")]
        sys.modules["skreg"] = package
        return importlib.import_module("skreg.datafits").enet_objective


enet_objective = _load_enet_objective()


def objectives(data: ProblemData, coef, intercept) -> np.ndarray:
    """Common objective(s): shape ``(1,)`` for a fit, ``(n_alphas,)`` for a path."""
    if not data.is_path:
        coef, intercept = np.atleast_2d(coef), np.atleast_1d(intercept)
        alphas = [data.alpha]
    else:
        alphas = data.alphas
    out = np.empty(len(alphas))
    for k, alpha in enumerate(alphas):
        c, b = np.asarray(coef[k], dtype=np.float64), float(intercept[k])
        if not (np.all(np.isfinite(c)) and np.isfinite(b)):
            out[k] = np.inf
            continue
        out[k] = enet_objective(
            data.X, data.y, c, b, alpha=alpha, l1_ratio=data.l1_ratio
        )
    return out


def suboptimality(obj: np.ndarray, ref: np.ndarray) -> float:
    """Worst relative suboptimality ``max_k (P_k - P*_k) / |P*_k|``."""
    return float(np.max((obj - ref) / np.abs(ref)))


def call(lib: Library, data: ProblemData, tol: float):
    """Run a library's adapter on a problem: ``(coef(s), intercept(s))``."""
    if data.is_path:
        return lib.fit_path(
            data.X, data.y, data.alphas, data.l1_ratio, data.fit_intercept, tol
        )
    return lib.fit(data.X, data.y, data.alpha, data.l1_ratio, data.fit_intercept, tol)


# Fits shorter than this are timed as the mean of a loop of calls lasting about
# _LOOP_TIME (as timeit does): a single millisecond call right after gc.collect()
# measured the cold instruction and data caches more than the solver.
_SHORT_FIT = 0.01
_LOOP_TIME = 0.05
# SKREG_BENCH_CLOCK=cpu: time by the process's CPU time instead of the wall clock. On a
# machine shared with other jobs it hardly moves with their load, and with threads
# pinned to one it is the fit's own time (docs/benchmarks.md says which clock a table
# used).
CPU_CLOCK = os.environ.get("SKREG_BENCH_CLOCK", "wall") == "cpu"
clock = time.process_time if CPU_CLOCK else time.perf_counter


def timed(lib: Library, data: ProblemData, tol: float):
    """Wall time of one adapter call (garbage collector off), and its output."""
    gc.collect()
    gc.disable()
    try:
        start = clock()
        out = call(lib, data, tol)
        elapsed = clock() - start
        if elapsed < _SHORT_FIT:
            loops = max(2, math.ceil(_LOOP_TIME / max(elapsed, 1e-6)))
            start = clock()
            for _ in range(loops):
                out = call(lib, data, tol)
            elapsed = (clock() - start) / loops
    finally:
        gc.enable()
    return elapsed, out


# ------------------------------------------------------------- the reference P*
def _fingerprint(problem: Problem, data: ProblemData) -> str:
    h = hashlib.sha256()
    h.update(repr((problem.dataset, problem.ratio, problem.l1_ratio)).encode())
    h.update(np.ascontiguousarray(data.y).tobytes())
    Xd = data.X.data if sp.issparse(data.X) else data.X
    h.update(np.float64(Xd.sum()).tobytes())
    h.update(np.float64(np.abs(Xd).sum()).tobytes())
    h.update(np.asarray(data.alphas if data.is_path else [data.alpha]).tobytes())
    return h.hexdigest()[:16]


def _reference_path(problem: Problem) -> Path:
    return REFERENCE_DIR / (problem.name.replace("/", "__") + ".npz")


def reference(problem: Problem, data: ProblemData, verbose: bool = True) -> np.ndarray:
    """``P*`` (per alpha): cached, else the best of tight reference solves."""
    key = _fingerprint(problem, data)
    path = _reference_path(problem)
    if path.exists():
        cached = np.load(path)
        if str(cached["fingerprint"]) == key:
            return cached["objective"]
    best, source = None, None
    kind = "path" if data.is_path else "sparse" if data.is_sparse else "dense"
    for name in REFERENCE_LIBRARIES[kind]:
        lib = LIBRARIES[name]
        if not lib.available()[0]:
            continue
        start = time.perf_counter()
        obj = objectives(data, *call(lib, data, REFERENCE_TOL))
        if verbose:
            print(
                f"  reference {name:8s} tol={REFERENCE_TOL:g}: "
                f"{time.perf_counter() - start:6.2f} s, P = {obj.min():.12g}",
                flush=True,
            )
        best = obj if best is None else np.minimum(best, obj)
        source = name if source is None else f"{source},{name}"
    if best is None:
        raise SystemExit(f"no reference library {REFERENCE_LIBRARIES[kind]} available")
    REFERENCE_DIR.mkdir(parents=True, exist_ok=True)
    np.savez(path, objective=best, fingerprint=key, source=source)
    return best


# ----------------------------------------------------------------- the sweep
@dataclass
class Point:
    """One tolerance setting of one library on one problem."""

    tol: float
    times: list[float]
    objective: np.ndarray
    subopt: float = math.inf

    @property
    def time(self) -> float:
        return float(np.median(self.times))


@dataclass
class LibraryRun:
    """What the runner learned about one library on one problem."""

    library: Library
    points: list[Point] = field(default_factory=list)
    stop_reason: str = ""
    skipped: str = ""
    candidates: list[Point] = field(default_factory=list)


def _evaluate(run: LibraryRun, data: ProblemData, ref: np.ndarray, tol: float):
    elapsed, out = timed(run.library, data, tol)
    obj = objectives(data, *out)
    point = Point(tol, [elapsed], obj, suboptimality(obj, ref))
    run.points.append(point)
    return point


def sweep(
    lib: Library,
    data: ProblemData,
    ref: np.ndarray,
    targets: list[float],
    max_fit_time: float,
    n_refine: int = 2,
) -> LibraryRun:
    """Warm up, tighten ``tol`` on a coarse grid, then bisect towards each target.

    The coarse grid (``lib.tols``, a factor 100 apart) is walked until the
    tightest target is reached; then, per target, the tolerance between the
    loosest setting reaching it and the tightest one not reaching it is bisected
    (geometric mean) ``n_refine`` times, which leaves a factor ~3 of slack.
    """
    run = LibraryRun(lib)
    call(lib, data, 1e-3)  # warm-up: JIT compilation, caches, imports
    goal = min(targets)
    for tol in lib.tols:
        point = _evaluate(run, data, ref, tol)
        if point.subopt <= goal:
            run.stop_reason = "reached"
            break
        if point.time > max_fit_time:
            run.stop_reason = f"fit time > {max_fit_time:g} s"
            break
        # no progress over 3 settings, the tightest at most 1e-8: give up. (Loose
        # settings may well return the same point: some solvers stop at once.)
        recent = [p.subopt for p in run.points[-3:]]
        if (
            tol <= 1e-8
            and len(recent) == 3
            and max(recent) - min(recent) <= 1e-3 * min(recent)
        ):
            run.stop_reason = "stalled"
            break
    else:
        run.stop_reason = "tolerances exhausted"
    for target in targets:
        for _ in range(n_refine):
            reaching = [p.tol for p in run.points if p.subopt <= target]
            if not reaching:
                break
            hi = max(reaching)  # loosest setting reaching the target
            looser = [p.tol for p in run.points if p.tol > hi]
            if looser:
                tol = math.sqrt(min(looser) * hi)
            elif hi < 0.1:
                tol = min(0.1, hi * 10)
            else:
                break
            if any(math.isclose(tol, p.tol) for p in run.points):
                break
            _evaluate(run, data, ref, tol)
    run.points.sort(key=lambda p: -p.tol)
    return run


def select_candidates(run: LibraryRun, targets: list[float]) -> list[Point]:
    """Settings worth re-timing: near-fastest among those reaching each target."""
    chosen: dict[float, Point] = {}
    for target in targets:
        reaching = [p for p in run.points if p.subopt <= target]
        if not reaching:
            continue
        fastest = min(p.time for p in reaching)
        for p in reaching:
            if p.time <= 1.3 * fastest:
                chosen[p.tol] = p
    return list(chosen.values())


def time_interleaved(
    runs: list[LibraryRun],
    data: ProblemData,
    repeat: int,
    budget: float,
    rng: np.random.Generator,
) -> None:
    """Re-time every candidate in ``repeat`` shuffled rounds over all libraries.

    A candidate whose single run exceeds ``budget / repeat`` gets fewer rounds
    (at least the sweep's own measurement is kept). A candidate's samples are the
    interleaved rounds; the sweep measurement is added when there are fewer than 3.
    """
    jobs = []
    for run in runs:
        for point in run.candidates:
            rounds = min(repeat, int(budget // max(point.time, 1e-9)))
            jobs.append([run.library, point, rounds, []])
    for r in range(repeat):
        order = rng.permutation(len(jobs))
        for j in order:
            lib, point, rounds, samples = jobs[j]
            if r < rounds:
                samples.append(timed(lib, data, point.tol)[0])
    for _lib, point, _rounds, samples in jobs:
        if samples:
            point.times = samples + (point.times[:1] if len(samples) < 3 else [])


# -------------------------------------------------------------------- results
@dataclass
class Row:
    """One line of the results CSV."""

    problem: str
    library: str
    version: str
    target: float
    time_s: float
    tol: float
    subopt: float
    n_timed: int
    note: str = ""
    ratio_sklearn: float = math.nan
    ratio_fastest_anchor: float = math.nan
    fastest_anchor: str = ""
    shape: str = ""


def result_rows(problem: Problem, data: ProblemData, runs, targets) -> list[Row]:
    """Time-to-target per library, with the ratios filled in."""
    shape = f"{data.X.shape[0]}x{data.X.shape[1]}{' csc' if data.is_sparse else ''}"
    rows = []
    for target in targets:
        per_target = []
        for run in runs:
            lib = run.library
            if run.skipped:
                per_target.append(
                    Row(problem.name, lib.name, "", target, math.nan, math.nan,
                        math.nan, 0, run.skipped, shape=shape)
                )  # fmt: skip
                continue
            reaching = [p for p in run.points if p.subopt <= target]
            if reaching:
                best = min(reaching, key=lambda p: p.time)
                per_target.append(
                    Row(problem.name, lib.name, lib.version(), target, best.time,
                        best.tol, best.subopt, len(best.times), shape=shape)
                )  # fmt: skip
            else:
                closest = min(run.points, key=lambda p: p.subopt)
                per_target.append(
                    Row(problem.name, lib.name, lib.version(), target, math.nan,
                        closest.tol, closest.subopt, 0,
                        f"not reached ({run.stop_reason}; best "
                        f"{closest.subopt:.1e} in {closest.time:.3g} s)",
                        shape=shape)
                )  # fmt: skip
        sk = next((r for r in per_target if r.library == "sklearn"), None)
        anchors = [
            r
            for r in per_target
            if LIBRARIES[r.library].anchor and np.isfinite(r.time_s)
        ]
        fastest = min(anchors, key=lambda r: r.time_s) if anchors else None
        for r in per_target:
            if sk is not None and np.isfinite(sk.time_s):
                r.ratio_sklearn = r.time_s / sk.time_s
            if fastest is not None:
                r.ratio_fastest_anchor = r.time_s / fastest.time_s
                r.fastest_anchor = fastest.library
        rows.extend(per_target)
    return rows


def write_csv(rows: list[Row], path: Path) -> None:
    """Write the result rows (one per problem, library and target)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fields = list(Row.__dataclass_fields__)
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        for r in rows:
            writer.writerow({k: getattr(r, k) for k in fields})


def write_sweep_csv(sweeps: list[tuple[str, LibraryRun]], path: Path) -> None:
    """Every swept setting: problem, library, tol, median time, suboptimality."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["problem", "library", "tol", "time_s", "n_timed", "subopt"])
        for name, run in sweeps:
            for p in run.points:
                writer.writerow(
                    [name, run.library.name, p.tol, p.time, len(p.times), p.subopt]
                )


def read_csv(path: Path) -> list[Row]:
    """Rows of a results CSV written by :func:`write_csv`."""
    types_ = {"target": float, "time_s": float, "tol": float, "subopt": float,
              "n_timed": int, "ratio_sklearn": float,
              "ratio_fastest_anchor": float}  # fmt: skip
    with open(path, newline="") as f:
        return [
            Row(**{k: types_.get(k, str)(v) for k, v in rec.items()})
            for rec in csv.DictReader(f)
        ]


def _fmt_time(t: float) -> str:
    if not np.isfinite(t):
        return "—"
    if t < 1:
        return f"{t * 1e3:.3g} ms"
    return f"{t:.3g} s"


def _fmt_ratio(r: float) -> str:
    return f"{r:.2f}x" if np.isfinite(r) else "—"


def print_problem_table(problem: Problem, rows: list[Row]) -> None:
    """Per-problem console table: time, ratio vs sklearn and vs fastest anchor."""
    print(f"\n== {problem.name}")
    targets = sorted({r.target for r in rows}, reverse=True)
    header = f"{'library':9s}" + "".join(
        f" | {'t(' + format(t, 'g') + ')':>10s} {'/sklearn':>8s} {'/fastest':>8s}"
        for t in targets
    )
    print(header)
    print("-" * len(header))
    for lib in dict.fromkeys(r.library for r in rows):
        line = f"{lib:9s}"
        notes = []
        for t in targets:
            r = next(r for r in rows if r.library == lib and r.target == t)
            line += (
                f" | {_fmt_time(r.time_s):>10s} {_fmt_ratio(r.ratio_sklearn):>8s}"
                f" {_fmt_ratio(r.ratio_fastest_anchor):>8s}"
            )
            if r.note:
                notes.append(f"[{t:g}] {r.note}")
        print(line + ("   " + "; ".join(dict.fromkeys(notes)) if notes else ""))


# ------------------------------------------------------------------ markdown
def _environment() -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    versions = ", ".join(
        f"{lib.name} {lib.version()}"
        for lib in LIBRARIES.values()
        if lib.available()[0]
    )
    return [
        f"- Machine: {cpu}, {os.cpu_count()} cores, one thread per library "
        "(OMP/OpenBLAS/MKL/Numba pinned to 1).",
        f"- Python {platform.python_version()}, NumPy {np.__version__}; {versions}.",
        f"- Date: {time.strftime('%Y-%m-%d')}.",
        "- Clock: "
        + ("process CPU time (SKREG_BENCH_CLOCK=cpu)." if CPU_CLOCK else "wall."),
    ]


def markdown(rows: list[Row], extra_sections: list[str], command: str) -> str:
    """The results page: one table per target, problems as rows."""
    libs = list(dict.fromkeys(r.library for r in rows))
    out = [
        "# Benchmarks",
        "",
        "Time for each library to reach a relative suboptimality "
        "`(P - P*) / |P*|` of the common objective (scikit-learn's elastic net, "
        "computed by `skreg.datafits.enet_objective`; worst over the path for path "
        "problems). In parentheses: the ratio to scikit-learn's time; the last "
        "columns name the fastest *anchor* (the fastest library other than skreg) "
        "and skreg's time over it. "
        "Methodology and install steps: `benchmarks/README.md`.",
        "",
        *_environment(),
        f"- Command: `{command}`.",
        "",
    ]
    for target in sorted({r.target for r in rows}, reverse=True):
        sel = [r for r in rows if r.target == target]
        problems = list(dict.fromkeys(r.problem for r in sel))
        out += [f"## Time to relative suboptimality {target:g}", ""]
        out.append(
            "| problem | " + " | ".join(libs) + " | fastest anchor | skreg / fastest |"
        )
        out.append("|---" * (len(libs) + 3) + "|")
        for name in problems:
            cells = []
            fastest, skreg_ratio = "", "—"
            for lib in libs:
                r = next(
                    (r for r in sel if r.problem == name and r.library == lib), None
                )
                if r is None:
                    cells.append("")
                    continue
                fastest = r.fastest_anchor or fastest
                if lib == "skreg":
                    skreg_ratio = _fmt_ratio(r.ratio_fastest_anchor)
                if np.isfinite(r.time_s):
                    cells.append(
                        f"{_fmt_time(r.time_s)} ({_fmt_ratio(r.ratio_sklearn)})"
                    )
                elif r.note.startswith("not reached"):
                    cells.append("not reached")
                else:
                    cells.append("n/a")
            out.append(
                f"| `{name}` | " + " | ".join(cells) + f" | {fastest} | {skreg_ratio} |"
            )
        out.append("")
    notes = sorted(
        {
            f"- {r.library} on `{r.problem}` at {r.target:g}: {r.note}"
            for r in rows
            if r.note and not r.note.startswith("not installed")
        }
    )
    missing = sorted(
        {f"- {r.library}: {r.note}" for r in rows if r.note.startswith("not inst")}
    )
    if notes or missing:
        out += ["## Notes", "", *missing, *notes, ""]
    for section in extra_sections:
        out += [section, ""]
    return "\n".join(out).rstrip() + "\n"


# ------------------------------------------------------------------- --check
def check(problems: list[Problem], libraries: list[Library]) -> list[str]:
    """Each adapter at a tight tolerance: relative suboptimality against ``P*``."""
    lines = []
    print(f"{'problem':45s} {'library':8s} {'tol':>7s} {'subopt':>10s}  verdict")
    for problem in problems:
        data = problem.load()
        ref = reference(problem, data)
        results = []
        for lib in libraries:
            ok, reason = lib.available()
            if not ok:
                results.append((lib, None, None, reason))
                continue
            tol = lib.check_tol
            obj = objectives(data, *call(lib, data, tol))
            results.append((lib, tol, obj, ""))
        best = ref
        for _, _, obj, _ in results:
            if obj is not None:
                best = np.minimum(best, obj)
        for lib, tol, obj, reason in results:
            if obj is None:
                line = f"{problem.name:45s} {lib.name:8s} {'':>7s} {'':>10s}  {reason}"
            else:
                so = suboptimality(obj, best)
                verdict = "PASS" if so <= CHECK_PASS else "FAIL"
                line = (
                    f"{problem.name:45s} {lib.name:8s} {tol:7.0e} {so:10.2e}  {verdict}"
                )
            print(line, flush=True)
            lines.append(line)
    return lines


# ---------------------------------------------------------------------- --cv
def cv_comparison(repeat: int = 1) -> str:
    """``ElasticNetCV``: skreg vs scikit-learn, 5-fold KFold, 3 l1_ratios, 50 alphas."""
    from sklearn.linear_model import ElasticNetCV as SkElasticNetCV
    from sklearn.model_selection import KFold

    problem = PROBLEMS["dense_500x5000_rho0.6/amax_10/l1"]
    data = problem.load()
    params = dict(l1_ratio=[0.5, 0.75, 1.0], alphas=50, cv=KFold(5))
    # scikit-learn at its default tol=1e-4 (gap <= 1e-4 ||y_c||^2 / n); skreg at its
    # default (tol=None: fold paths certify relative suboptimality 1e-4, the refit
    # 1e-6) and at scikit-learn's criterion with the same tol.
    makers = {"sklearn": lambda: SkElasticNetCV(**params, max_iter=10_000)}
    try:
        import skreg

        makers["skreg"] = lambda: skreg.ElasticNetCV(**params, max_iter=10_000)
        makers["skreg tol=1e-4"] = lambda: skreg.ElasticNetCV(
            **params, tol=1e-4, max_iter=10_000
        )
    except Exception as exc:  # noqa: BLE001
        print(f"skreg.ElasticNetCV unavailable: {exc!r}")
    X_small, y_small = data.X[:100, :50], data.y[:100]
    lines = [
        "## Cross-validation: `ElasticNetCV`",
        "",
        "`ElasticNetCV(l1_ratio=[0.5, 0.75, 1.0], alphas=50, cv=KFold(5))` "
        f"on `{problem.dataset}`, best of {repeat} run(s) after a warm-up fit on a "
        "small slice (JIT compilation excluded); scikit-learn at its default "
        "`tol=1e-4`, skreg at its default (`tol=None`: fold paths certified to "
        "relative suboptimality 1e-4, refit to 1e-6) and at `tol=1e-4` "
        "(scikit-learn's criterion).",
        "",
        "| library | time | / sklearn | alpha_ | l1_ratio_ | min mean CV MSE |",
        "|---|---|---|---|---|---|",
    ]
    print(
        "\n== ElasticNetCV (5-fold KFold, 3 l1_ratios, 50 alphas) on", problem.dataset
    )
    fitted, best = {}, {}
    for name, make in makers.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            make().fit(X_small, y_small)
            times = []
            for _ in range(repeat):
                gc.collect()
                start = clock()
                est = make().fit(data.X, data.y)
                times.append(clock() - start)
        fitted[name] = est
        best[name] = min(times)
        mse = np.asarray(est.mse_path_).mean(axis=-1)
        line = (
            f"| {name} | {_fmt_time(best[name])} | "
            f"{best[name] / best['sklearn']:.2f}x | {est.alpha_:.5g} | "
            f"{est.l1_ratio_:g} | {mse.min():.6g} |"
        )
        print(line)
        lines.append(line)
    for name in [k for k in fitted if k != "sklearn"]:
        a, b = (np.asarray(fitted[k].mse_path_) for k in ("sklearn", name))
        diff = np.max(np.abs(a - b) / np.abs(a)) if a.shape == b.shape else math.nan
        note = f"max relative difference of `mse_path_`, {name} vs sklearn: {diff:.2e}"
        print(note)
        lines += ["", note]
    return "\n".join(lines)


# ---------------------------------------------------------------------- main
def run_problem(
    problem: Problem,
    libraries: list[Library],
    targets: list[float],
    args,
    rng: np.random.Generator,
):
    """Sweep, re-time and tabulate one problem."""
    data = problem.load()
    print(f"\n-- {problem.name}: X {data.X.shape}", flush=True)
    ref = reference(problem, data)
    runs = []
    for lib in libraries:
        ok, reason = lib.available()
        if not ok:
            runs.append(LibraryRun(lib, skipped=reason))
            continue
        start = time.perf_counter()
        run = sweep(lib, data, ref, targets, args.max_fit_time)
        runs.append(run)
        print(
            f"  sweep {lib.name:8s} {len(run.points):2d} settings, "
            f"{time.perf_counter() - start:6.2f} s, best subopt "
            f"{min(p.subopt for p in run.points):.1e} ({run.stop_reason})",
            flush=True,
        )
    # a library may beat the cached reference: P* is the best objective seen
    best = ref.copy()
    for run in runs:
        for p in run.points:
            best = np.minimum(best, p.objective)
    if np.any(best < ref):
        for run in runs:
            for p in run.points:
                p.subopt = suboptimality(p.objective, best)
    for run in runs:
        if not run.skipped:
            run.candidates = select_candidates(run, targets)
    time_interleaved(
        [r for r in runs if not r.skipped], data, args.repeat, args.budget, rng
    )
    rows = result_rows(problem, data, runs, targets)
    print_problem_table(problem, rows)
    return rows, runs


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--problems", help="comma-separated globs or substrings")
    parser.add_argument("--libraries", help="comma-separated: " + ",".join(LIBRARIES))
    parser.add_argument("--repeat", type=int, default=3, help="interleaved rounds")
    parser.add_argument(
        "--target",
        help="comma-separated suboptimality targets (default 1e-4,1e-6; paths "
        "1e-3,1e-4,1e-6)",
    )
    parser.add_argument("--check", action="store_true", help="adapter check only")
    parser.add_argument("--cv", action="store_true", help="run the ElasticNetCV entry")
    parser.add_argument("--cv-only", action="store_true", help="only the CV entry")
    parser.add_argument(
        "--compile-time",
        action="store_true",
        help="also measure first-fit (JIT) times (benchmarks/compile_time.py)",
    )
    parser.add_argument("--quick", action="store_true", help="a small subset")
    parser.add_argument("--out", default=str(RESULTS / "results.csv"))
    parser.add_argument("--markdown", help="write the results page (docs/...md)")
    parser.add_argument(
        "--max-fit-time",
        type=float,
        default=20.0,
        help="stop tightening a library's tol once one fit takes longer (s)",
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=20.0,
        help="re-timing budget per setting (s); slower ones get fewer rounds",
    )
    parser.add_argument("--seed", type=int, default=0, help="interleaving order")
    parser.add_argument(
        "--from-csv",
        help="no benchmark: rebuild --markdown from this results CSV (with --cv / "
        "--compile-time sections if asked)",
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Entry point of ``python benchmarks/run.py``."""
    args = parse_args(argv)
    command = "python benchmarks/run.py " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    patterns = args.problems or (QUICK_PROBLEMS if args.quick else None)
    problems = select_problems(patterns)
    libraries = select_libraries(args.libraries)
    if args.check:
        check(problems, libraries)
        return 0
    extra = []
    rows: list[Row] = []
    sweeps = []
    rng = np.random.default_rng(args.seed)
    start = time.perf_counter()
    if args.from_csv:
        rows = read_csv(Path(args.from_csv))
        command = "python benchmarks/run.py  # rows from " + Path(args.from_csv).name
    elif not args.cv_only:
        for problem in problems:
            if args.target:
                targets = sorted(float(t) for t in args.target.split(","))
            elif problem.is_path:
                targets = [1e-6, 1e-4, 1e-3]
            else:
                targets = [1e-6, 1e-4]
            targets = sorted(targets, reverse=True)
            problem_rows, runs = run_problem(problem, libraries, targets, args, rng)
            rows.extend(problem_rows)
            sweeps.extend((problem.name, r) for r in runs if not r.skipped)
            out = Path(args.out)
            write_csv(rows, out)
            write_sweep_csv(sweeps, out.with_name(out.stem + "_sweep.csv"))
        print(f"\nwrote {args.out} ({time.perf_counter() - start:.0f} s)")
    if args.cv or args.cv_only:
        extra.append(cv_comparison())
    if args.compile_time:
        from benchmarks import compile_time

        extra.append(compile_time.markdown_section(compile_time.measure()))
    if args.markdown:
        Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(args.markdown).write_text(markdown(rows, extra, command))
        print(f"wrote {args.markdown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
