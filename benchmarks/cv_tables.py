"""ElasticNetCV / LassoCV of skreg against scikit-learn's on the real tables.

Usage (from the repository root)::

    python benchmarks/cv_tables.py --quick         # 5 tables + the tall 25 000 x 20
    python benchmarks/cv_tables.py                 # every table + tall synthetic ones
    python benchmarks/cv_tables.py --from-csv benchmarks/results/cv_tables.csv \
        --markdown cv.md --plot docs/_static/bench_cv_tables.png

Per table (``tables.py``) and per estimator, ``ElasticNetCV(l1_ratio=[0.5, 1],
cv=KFold(5))`` and ``LassoCV(cv=KFold(5))``, default settings otherwise (100
alphas from each library's own ``alpha_max`` grid, ``eps=1e-3``), all libraries
on the same folds:

- ``skreg``: its defaults (``tol=None``: fold paths certified to a relative
  suboptimality, refit to 1e-6);
- ``sklearn``: its defaults (``tol=1e-4``, ``max_iter=1000``): what a user gets,
  convergence warnings counted;
- ``sklearn_conv``: ``max_iter=100_000``, so that the fits converge (equal
  accuracy), warnings counted;

celer's ``LassoCV`` (0.7.4) does not run with scikit-learn 1.9 (``TypeError:
LinearModelCV.__init__() got an unexpected keyword argument 'n_alphas'``);
python-glmnet's internal CV and adelie's ``cv_grpnet`` choose their own folds and
grid (glmnet's lambda sequence, no ``l1_ratio`` grid), so they are not compared
at equal selected models here.

Time: the best of ``--repeat`` fits after one warm-up fit (JIT compilation and
first-call caches not counted); fits under 0.2 s are repeated until 0.2 s have
passed and the best is kept. Selected model: ``alpha_`` (relative difference to
scikit-learn's), ``l1_ratio_`` and the support of ``coef_`` (same support or
not); also ``alpha_`` against ``sklearn_conv``'s. The tall synthetic tables
(Toeplitz rho 0.5, 10 nonzeros, SNR 3) are the shapes of issue 23: 25 000 x 20
(also the profiled one), 200 000 x 30 and 40.
"""

from __future__ import annotations

import csv
import functools
import math
import sys
import time
import warnings
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
from benchmarks.tables import load_tables  # noqa: E402

# isort: split
import numpy as np  # noqa: E402

QUICK = ("diabetes", "sm_scotland_deg2", "wine_deg2", "sm_fair_deg2", "sm_randhie")
TALL = ((25_000, 20), (200_000, 30), (200_000, 40))
MIN_TIME = 0.2


@functools.cache
def tall(n: int, p: int):
    """Tall synthetic table: Toeplitz rho 0.5 design, 10 nonzeros, SNR 3."""
    rng = np.random.default_rng([0, n, p, 23])
    X = _correlated_design(n, p, 0.5, rng)
    w = _sparse_truth(p, min(p, 10), rng)
    return X, _response(X, w, snr=3.0, rng=rng)


def _estimators(kind: str):
    from sklearn import linear_model as sklm
    from sklearn.model_selection import KFold

    import skreg

    cv = KFold(5)
    if kind == "ElasticNetCV":
        params = dict(l1_ratio=[0.5, 1.0], cv=cv)
        out = {
            "skreg": lambda: skreg.ElasticNetCV(**params),
            "sklearn": lambda: sklm.ElasticNetCV(**params),
            "sklearn_conv": lambda: sklm.ElasticNetCV(**params, max_iter=100_000),
        }
    else:
        out = {
            "skreg": lambda: skreg.LassoCV(cv=cv),
            "sklearn": lambda: sklm.LassoCV(cv=cv),
            "sklearn_conv": lambda: sklm.LassoCV(cv=cv, max_iter=100_000),
        }
    return out


def _fit(make, X, y):
    """Fit once, counting convergence warnings (any warning class named so)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est = make().fit(X, y)
    n_warn = sum("Convergence" in type(w.message).__name__ for w in caught)
    return est, n_warn


def time_fit(make, X, y, repeat: int):
    _fit(make, X[: min(200, X.shape[0])], y[: min(200, X.shape[0])])  # warm-up
    times, est, n_warn = [], None, 0
    start_all = time.perf_counter()
    while len(times) < repeat or time.perf_counter() - start_all < MIN_TIME:
        start = time.perf_counter()
        est, n_warn = _fit(make, X, y)
        times.append(time.perf_counter() - start)
        if times[-1] > MIN_TIME and len(times) >= repeat:
            break
    return min(times), est, n_warn


FIELDS = ["table", "shape", "estimator", "library", "time_s", "ratio_sklearn",
          "ratio_sklearn_conv", "n_conv_warnings", "alpha_", "alpha_rel_diff",
          "alpha_rel_diff_conv",
          "l1_ratio_", "same_l1_ratio", "same_support", "note"]  # fmt: skip


def run_table(name: str, X, y, repeat: int) -> list[dict]:
    rows = []
    for kind in ("ElasticNetCV", "LassoCV"):
        res = {}
        for lib, make in _estimators(kind).items():
            try:
                res[lib] = time_fit(make, X, y, repeat)
            except Exception as exc:  # noqa: BLE001 - an anchor failing is a note
                res[lib] = (math.nan, None, 0, f"{type(exc).__name__}: {exc}")
        sk, sk_conv = res["sklearn"][1], res["sklearn_conv"][1]
        for lib, out in res.items():
            t, est, n_warn = out[:3]
            row = dict(table=name, shape=f"{X.shape[0]}x{X.shape[1]}", estimator=kind,
                       library=lib, time_s=t, n_conv_warnings=n_warn,
                       note=out[3] if len(out) > 3 else "")  # fmt: skip
            row["ratio_sklearn"] = t / res["sklearn"][0]
            row["ratio_sklearn_conv"] = t / res["sklearn_conv"][0]
            if est is not None and sk is not None:
                row["alpha_"] = float(est.alpha_)
                row["alpha_rel_diff"] = abs(est.alpha_ - sk.alpha_) / sk.alpha_
                if sk_conv is not None:
                    row["alpha_rel_diff_conv"] = (
                        abs(est.alpha_ - sk_conv.alpha_) / sk_conv.alpha_
                    )
                l1 = float(getattr(est, "l1_ratio_", 1.0))
                row["l1_ratio_"] = l1
                row["same_l1_ratio"] = l1 == float(getattr(sk, "l1_ratio_", 1.0))
                row["same_support"] = bool(
                    np.array_equal(np.ravel(est.coef_) != 0, np.ravel(sk.coef_) != 0)
                )
            rows.append(row)
            diff = row.get("alpha_rel_diff", 0)
            print(
                f"  {kind:12s} {lib:12s} {t * 1e3:9.2f} ms  x{row['ratio_sklearn']:.2f}"
                f"  warnings {n_warn:3d}  alpha_ diff {diff:.1e}"
                f"  same support {row.get('same_support')}",
                flush=True,
            )
    return rows


def write(rows, path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in FIELDS})


def read(path: Path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        for k in ("time_s", "ratio_sklearn", "ratio_sklearn_conv", "alpha_rel_diff",
                  "alpha_rel_diff_conv"):  # fmt: skip
            value = r.get(k, "")
            r[k] = float(value) if value not in ("", "nan") else math.nan
        r["n_conv_warnings"] = int(r["n_conv_warnings"])
    return rows


def _size(r) -> float:
    n, p = r["shape"].split("x")
    return float(n) * float(p)


def summary_text(rows) -> str:
    lines = []
    for kind in ("ElasticNetCV", "LassoCV"):
        sk = [r for r in rows if r["library"] == "skreg" and r["estimator"] == kind]
        if not sk:
            continue
        for ref in ("ratio_sklearn", "ratio_sklearn_conv"):
            v = np.array([r[ref] for r in sk if np.isfinite(r[ref])])
            lines.append(
                f"{kind} skreg / {ref[6:]}: {len(v)} tables, at or under 0.5x on "
                f"{int(np.sum(v <= 0.5))}, under 1x on {int(np.sum(v < 1))}, "
                f"geometric mean {np.exp(np.mean(np.log(v))):.2f}x, max {v.max():.2f}x"
            )
        for lib in ("skreg", "sklearn", "sklearn_conv"):
            w = [r for r in rows if r["library"] == lib and r["estimator"] == kind]
            n_w = sum(r["n_conv_warnings"] for r in w)
            n_t = sum(r["n_conv_warnings"] > 0 for r in w)
            lines.append(f"  {lib}: {n_w} convergence warnings on {n_t} tables")
        same = sum(str(r.get("same_support")) == "True" for r in sk)
        eq_alpha = sum(
            np.isfinite(r["alpha_rel_diff"]) and r["alpha_rel_diff"] < 1e-6 for r in sk
        )
        eq_conv = sum(
            np.isfinite(r["alpha_rel_diff_conv"]) and r["alpha_rel_diff_conv"] < 1e-6
            for r in sk
        )
        lines.append(
            f"  selected model vs sklearn: same alpha_ on {eq_alpha}, same support "
            f"on {same} of {len(sk)} tables; same alpha_ as sklearn_conv on "
            f"{eq_conv}"
        )
        worst = sorted(sk, key=lambda r: -r["ratio_sklearn"])[:10]
        lines.append("  worst: " + "; ".join(
            f"{r['table']} ({r['shape']}) {r['ratio_sklearn']:.2f}x" for r in worst
        ))  # fmt: skip
    return "\n".join(lines)


def markdown(rows) -> list[str]:
    out = []
    for kind in ("ElasticNetCV", "LassoCV"):
        sel = [r for r in rows if r["estimator"] == kind]
        libs = list(dict.fromkeys(r["library"] for r in sel))
        size = {r["table"]: _size(r) for r in sel}
        tables = sorted(dict.fromkeys(r["table"] for r in sel), key=size.get)
        head = (
            " | skreg / sklearn | skreg / sklearn converged"
            " | same alpha_ (sklearn, converged), support |"
        )
        out += [
            f"`{kind}`:",
            "",
            "| table | shape | " + " | ".join(libs) + head,
            "|---" * (len(libs) + 5) + "|",
        ]
        for t in tables:
            rs = {r["library"]: r for r in sel if r["table"] == t}
            cells = []
            for lib in libs:
                r = rs.get(lib)
                if r is None or not np.isfinite(r["time_s"]):
                    cells.append("n/a")
                    continue
                w = f" ({r['n_conv_warnings']} w)" if r["n_conv_warnings"] else ""
                cells.append(suite._fmt_time(r["time_s"]) + w)
            sk = rs["skreg"]
            ratio = f"{sk['ratio_sklearn']:.2f}x"
            if sk["ratio_sklearn"] > 0.5:
                ratio = f"**{ratio}**"
            conv = sk["alpha_rel_diff_conv"]
            conv = "n/a" if not np.isfinite(conv) else ("yes" if conv < 1e-6 else "no")
            same = (
                f"{'yes' if sk['alpha_rel_diff'] < 1e-6 else 'no'} ({conv}), "
                f"{'yes' if str(sk['same_support']) == 'True' else 'no'}"
            )
            out.append(
                f"| `{t}` | {sk['shape']} | " + " | ".join(cells)
                + f" | {ratio} | {sk['ratio_sklearn_conv']:.2f}x | {same} |"
            )  # fmt: skip
        out.append("")
    return out


def plot(rows, path: str):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.0, 3.6), dpi=90)
    for kind, marker in (("ElasticNetCV", "o"), ("LassoCV", "^")):
        sk = [r for r in rows if r["library"] == "skreg" and r["estimator"] == kind]
        ax.scatter([_size(r) for r in sk], [r["ratio_sklearn"] for r in sk], s=14,
                   marker=marker, alpha=0.75, label=kind)  # fmt: skip
    ax.axhline(1.0, color="0.5", lw=0.8)
    ax.axhline(0.5, color="tab:red", lw=0.8, ls="--", label="0.5x target")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("table size (n x p)")
    ax.set_ylabel("skreg time / scikit-learn CV")
    ax.set_title("CV on real tables: skreg / scikit-learn (defaults)", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    print(f"wrote {path}")


def main(argv=None) -> int:
    parser = suite.base_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--no-tall", action="store_true", help="real tables only")
    args = parser.parse_args(argv)
    out = Path(args.out or suite.RESULTS / "cv_tables.csv")
    if args.from_csv:
        rows = read(Path(args.from_csv))
    else:
        tables = {k: v for k, v in load_tables().items()
                  if not args.quick or k in QUICK}  # fmt: skip
        if not args.no_tall:
            for n, p in TALL[:1] if args.quick else TALL:
                tables[f"tall_{n}x{p}"] = tall(n, p)
        rows, start = [], time.perf_counter()
        for name, (X, y) in tables.items():
            if time.perf_counter() - start > args.wall:
                print("wall budget reached")
                break
            print(f"-- {name}: {X.shape}", flush=True)
            rows += run_table(name, X, y, max(args.repeat, 1))
            write(rows, out)
        print(f"wrote {out} ({time.perf_counter() - start:.0f} s)")
    print(summary_text(rows))
    if args.markdown:
        text = markdown(rows) + ["```", summary_text(rows), "```", ""]
        Path(args.markdown).write_text("\n".join(text))
    if args.plot:
        plot(rows, args.plot)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
