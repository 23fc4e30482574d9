"""Single fits to 1e-6 on the real tables of ``tables.py`` (>= 30 tables).

Usage (from the repository root)::

    python benchmarks/real_tables.py --quick       # 6 tables
    python benchmarks/real_tables.py               # every table, Lasso at alpha_max/100
    python benchmarks/real_tables.py --settings all   # + enet0.5, alpha_max/10
    python benchmarks/real_tables.py --from-csv benchmarks/results/real_tables.csv \
        --markdown real.md --plot docs/_static/bench_real_tables.png

Each table (raw and degree-2, standardized columns; see ``tables.py``) is one
problem of ``run.py`` (same adapters, reference, sweep and interleaved timing);
fits shorter than 10 ms are timed as the mean of a loop of calls, as in
``run.py``.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import suite  # noqa: E402  (pins the threads first)
from benchmarks.tables import load_tables  # noqa: E402

QUICK = ("diabetes", "sm_longley_deg2", "wine_deg2", "sm_fair", "sm_star98_deg2",
         "sm_randhie")  # fmt: skip


def _table(name: str):
    return load_tables()[name]


def problems(quick: bool = False, settings: str = "default"):
    names = [n for n in load_tables() if not quick or n in QUICK]
    grid = [(100, 1.0)] if settings == "default" else [
        (r, l1) for r in (10, 100) for l1 in (1.0, 0.5)
    ]  # fmt: skip
    out = []
    for name in names:
        dataset = suite.register(f"table_{name}", functools.partial(_table, name))
        out += [suite.problem(dataset, r, l1) for r, l1 in grid]
    return out


def main(argv=None) -> int:
    parser = suite.base_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--settings", choices=("default", "all"), default="default")
    args = parser.parse_args(argv)
    out = Path(args.out or suite.RESULTS / "real_tables.csv")
    targets = [1e-6]
    if args.from_csv:
        rows = suite.read_rows(args.from_csv)
    else:
        probs = problems(args.quick, args.settings)
        print(f"{len(probs)} problems on {len(load_tables())} tables")
        rows = suite.run_problems(probs, targets, args, out)
    print(suite.summary_text(rows, 1e-6, "real tables"))
    if args.markdown:
        lines = suite.markdown_table(rows, 1e-6, suite.shape_size)
        lines += ["", "```", suite.summary_text(rows, 1e-6, "real tables"), "```"]
        Path(args.markdown).write_text("\n".join(lines) + "\n")
    if args.plot:
        suite.plot(
            rows,
            1e-6,
            args.plot,
            "real tables: skreg / fastest anchor at 1e-6",
            label=lambda r: "degree 2" if "deg2" in r.problem else "raw",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
