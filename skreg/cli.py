"""Command-line entry point: ``skreg`` / ``python -m skreg``.

``skreg report [data.csv] --target COLUMN`` (the default command) fits a
cross-validated elastic net on a CSV file, prints the feature-selection report and
writes it as HTML / JSON when asked. Without a file it runs on the bundled data
(scikit-learn's diabetes set), so ``python -m skreg`` alone shows the real thing.

``skreg search`` runs a ``GridSearchCV`` over ``alpha`` and ``l1_ratio`` of a
``StandardScaler`` + ``ElasticNet`` pipeline on the bundled data and prints the chosen
parameters and the kept features.

Errors in the input (a missing file, a missing target column, non-numeric or missing
values) print one line to stderr and exit with status 2, as argparse does.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import math
import sys
import time
from pathlib import Path

import numpy as np

COMMANDS = ("report", "search")
CLI_N_BOOTSTRAP = 50
_NA_STRINGS = frozenset({"", "na", "nan", "n/a", "null", "none", "#n/a", "-nan"})


class CLIError(Exception):
    """An input error reported as one line on stderr with exit status 2."""


# -- reading the data ------------------------------------------------------------------
def _closest(name: str, columns: list[str]) -> str:
    match = difflib.get_close_matches(name, columns, n=1, cutoff=0.5)
    if not match:
        lowered = {c.lower(): c for c in columns}
        match = [lowered[name.lower()]] if name.lower() in lowered else []
    hint = f"; did you mean {match[0]!r}?" if match else ""
    shown = ", ".join(columns[:12]) + (", ..." if len(columns) > 12 else "")
    return f"target column {name!r} not found{hint} (columns: {shown})"


def _non_numeric_message(columns: list[str]) -> str:
    return (
        f"non-numeric column{'s' if len(columns) > 1 else ''}: {', '.join(columns)} "
        "(skreg encodes nothing silently: encode them, e.g. with "
        "sklearn.preprocessing.OneHotEncoder, or drop them)"
    )


def _missing_message(columns: list[str]) -> str:
    return (
        f"missing values in column{'s' if len(columns) > 1 else ''}: "
        f"{', '.join(columns)} (impute or drop them first)"
    )


def read_csv(path, target: str, *, use_pandas: bool | None = None):
    """Read a numeric CSV file with a header; return ``(X, y, feature_names)``.

    Uses pandas when installed (``use_pandas=None``), else the standard library.
    Raises :class:`CLIError` naming the problem: a missing file, a missing target
    column (with the closest name), non-numeric columns, missing values.

    Examples
    --------
    >>> from skreg.cli import read_csv
    >>> from skreg.datasets import default_csv_path
    >>> X, y, names = read_csv(default_csv_path(), "target", use_pandas=False)
    >>> X.shape, names[:2]
    ((442, 10), ['age', 'sex'])
    """
    path = Path(path)
    if not path.is_file():
        raise CLIError(f"no such file: {str(path)!r}")
    if use_pandas is None:
        use_pandas = _have_pandas()
    reader = _read_pandas if use_pandas else _read_stdlib
    header, columns = reader(path)
    if target not in header:
        raise CLIError(_closest(target, header))
    X_cols = [c for c in header if c != target]
    if not X_cols:
        raise CLIError(f"no feature columns besides the target {target!r}")
    X = np.column_stack([columns[c] for c in X_cols])
    return X, columns[target], X_cols


def _have_pandas() -> bool:
    try:
        import pandas  # noqa: F401
    except ImportError:
        return False
    return True


def _read_pandas(path):
    import pandas as pd

    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise CLIError(f"cannot parse {str(path)!r}: {str(e).strip()}") from None
    header = [str(c) for c in frame.columns]
    frame.columns = header
    bad = [
        c
        for c in header
        if not (
            pd.api.types.is_numeric_dtype(frame[c])
            or pd.api.types.is_bool_dtype(frame[c])
        )
    ]
    if bad:
        raise CLIError(_non_numeric_message(bad))
    missing = [c for c in header if frame[c].isna().any()]
    if missing:
        raise CLIError(_missing_message(missing))
    return header, {c: frame[c].to_numpy(dtype=np.float64) for c in header}


def _read_stdlib(path):
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
    except UnicodeDecodeError as e:
        raise CLIError(f"cannot parse {str(path)!r}: {e}") from None
    rows = [r for r in rows if r]
    if not rows:
        raise CLIError(f"cannot parse {str(path)!r}: the file is empty")
    header, body = [h.strip() for h in rows[0]], rows[1:]
    for i, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise CLIError(
                f"cannot parse {str(path)!r}: line {i} has {len(row)} fields, the "
                f"header has {len(header)}"
            )
    values = {h: np.empty(len(body)) for h in header}
    bad, missing = [], []
    for j, h in enumerate(header):
        col = values[h]
        for i, row in enumerate(body):
            cell = row[j].strip()
            if cell.lower() in _NA_STRINGS:
                col[i] = math.nan
                if h not in missing:
                    missing.append(h)
                continue
            if cell in ("True", "False", "TRUE", "FALSE", "true", "false"):
                col[i] = cell.lower() == "true"
                continue
            try:
                col[i] = float(cell)
            except ValueError:
                bad.append(h)
                break
    if bad:
        raise CLIError(_non_numeric_message(bad))
    if missing:
        raise CLIError(_missing_message(missing))
    return header, values


# -- the report command ----------------------------------------------------------------
def _progress_callbacks(args, err):
    """scikit-learn's ``ProgressBar`` when available, else ``verbose`` lines."""
    if not args.progress:
        return (), args.verbose
    from skreg.reports._stability import HAS_CALLBACKS

    if HAS_CALLBACKS:
        try:
            from sklearn.callback import ProgressBar

            return (ProgressBar(),), args.verbose
        except ImportError as e:  # ProgressBar needs rich
            reason = str(e).splitlines()[0]
    else:
        reason = "this scikit-learn has no sklearn.callback (needs >= 1.9)"
    print(
        f"skreg report: no progress bar ({reason}); showing progress lines",
        file=err,
    )
    return (), max(1, args.verbose)


def run_report(args, out=None, err=None) -> int:
    """Run ``skreg report`` with parsed ``args``; return the exit status."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skreg import ElasticNetCV
    from skreg.datasets import DEFAULT_TARGET, default_csv_path
    from skreg.reports import FeatureSelectionReport

    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    if args.data is None:
        path, target = default_csv_path(), args.target or DEFAULT_TARGET
        source = "bundled data: scikit-learn's diabetes set"
    else:
        if args.target is None:
            raise CLIError("--target COLUMN is required with a CSV file")
        path, target, source = Path(args.data), args.target, args.data
    if not all(0 < r <= 1 for r in args.l1_ratio):
        raise CLIError(f"--l1-ratio values must be in (0, 1], got {args.l1_ratio}")
    if not 0.5 < args.threshold <= 1:
        raise CLIError(f"--threshold must be in (0.5, 1], got {args.threshold}")
    if not 0 < args.weakness <= 1:
        raise CLIError(f"--weakness must be in (0, 1], got {args.weakness}")
    if args.n_bootstrap < 0:
        raise CLIError(f"--n-bootstrap must be >= 0, got {args.n_bootstrap}")
    X, y, names = read_csv(path, target)
    if X.shape[0] < 2 * args.cv:
        raise CLIError(
            f"{X.shape[0]} rows are too few for {args.cv}-fold cross-validation"
        )
    model = ElasticNetCV(
        l1_ratio=args.l1_ratio if len(args.l1_ratio) > 1 else args.l1_ratio[0],
        cv=args.cv,
        alpha_rule=args.alpha_rule,
        n_jobs=args.n_jobs,
    )
    estimator = model if args.no_standardize else make_pipeline(StandardScaler(), model)
    callbacks, verbose = _progress_callbacks(args, err)
    print(
        f"skreg report on {source} ({X.shape[0]} rows, {X.shape[1]} features, "
        f"target {target!r})",
        file=out,
    )
    print(
        "Model: "
        + ("" if args.no_standardize else "StandardScaler + ")
        + f"ElasticNetCV(l1_ratio={args.l1_ratio}, cv={args.cv})",
        file=out,
    )
    print(
        f"Stability selection: {args.n_bootstrap} subsamples (--n-bootstrap; the "
        "Python API defaults to 100)\n",
        file=out,
    )
    start = time.perf_counter()
    report = FeatureSelectionReport.from_estimator(
        estimator,
        X,
        y,
        feature_names=names,
        cv=args.cv,
        n_bootstrap=args.n_bootstrap,
        random_state=args.random_state,
        threshold=args.threshold,
        weakness=args.weakness,
        target_name=target,
        n_jobs=args.n_jobs,
        verbose=verbose,
        stability_callbacks=callbacks,
    )
    print(report.to_text(max_rows=args.max_rows), file=out, end="")
    for kind, dest in (("html", args.html), ("json", args.json)):
        if dest is None:
            continue
        try:
            if kind == "html":
                report.to_html(dest)
            else:
                report.to_json(dest)
        except OSError as e:
            raise CLIError(f"cannot write {dest!r}: {e.strerror or e}") from None
        print(f"\nWrote {kind.upper()} report to {dest}", file=out)
    print(f"\nDone in {time.perf_counter() - start:.1f} s.", file=out)
    return 0


# -- the search command ----------------------------------------------------------------
def run_grid_search(cv: int = 5, n_jobs: int = 1, out=None) -> dict:
    """Run ``skreg search`` and print its summary to ``out`` (stdout by default).

    A ``GridSearchCV`` over ``alpha`` and ``l1_ratio`` of a ``StandardScaler`` +
    skreg ``ElasticNet`` pipeline on the bundled diabetes data.

    Returns
    -------
    summary : dict
        The best parameters, the CV score and the kept features.
    """
    from sklearn.model_selection import GridSearchCV, KFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skreg import ElasticNet
    from skreg.datasets import load_default

    out = sys.stdout if out is None else out
    data = load_default()
    X, y, names = data.data, data.target, list(data.feature_names)
    pipe = make_pipeline(StandardScaler(), ElasticNet())
    grid = {
        "elasticnet__alpha": np.geomspace(1e-3, 10.0, 13).tolist(),
        "elasticnet__l1_ratio": [0.1, 0.5, 0.7, 0.9, 1.0],
    }
    search = GridSearchCV(
        pipe,
        grid,
        cv=KFold(cv, shuffle=True, random_state=0),
        n_jobs=n_jobs,
        scoring="r2",
    )
    start = time.perf_counter()
    search.fit(X, y)
    elapsed = time.perf_counter() - start
    model = search.best_estimator_[-1]
    kept = [(n, float(c)) for n, c in zip(names, model.coef_, strict=True) if c != 0]
    print(
        f"skreg ElasticNet on the diabetes data ({X.shape[0]} x {X.shape[1]})", file=out
    )
    print(
        f"GridSearchCV: {len(grid['elasticnet__alpha'])} alphas x "
        f"{len(grid['elasticnet__l1_ratio'])} l1_ratios, {cv}-fold CV, "
        f"{elapsed:.2f} s",
        file=out,
    )
    print(f"best alpha    : {model.alpha:.4g}", file=out)
    print(f"best l1_ratio : {model.l1_ratio:.4g}", file=out)
    print(f"CV R^2        : {search.best_score_:.4f}", file=out)
    print(
        f"features kept : {len(kept)} of {len(names)} "
        "(coefficients on standardized features)",
        file=out,
    )
    for name, coef in sorted(kept, key=lambda t: -abs(t[1])):
        print(f"  {name:<6} {coef:+10.3f}", file=out)
    dropped = [n for n in names if n not in dict(kept)]
    print(f"features dropped: {', '.join(dropped) if dropped else 'none'}", file=out)
    return {
        "alpha": model.alpha,
        "l1_ratio": model.l1_ratio,
        "cv_r2": float(search.best_score_),
        "kept": dict(kept),
    }


# -- parser and main -------------------------------------------------------------------
def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def _build_parser() -> argparse.ArgumentParser:
    from skreg import __version__

    parser = argparse.ArgumentParser(
        prog="skreg",
        description=(
            "Sparse linear models and feature-selection reports. Without a command, "
            "runs 'report' (on the bundled diabetes data when no CSV is given)."
        ),
    )
    parser.add_argument("--version", action="version", version=f"skreg {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="{report,search}")

    rep = sub.add_parser(
        "report",
        help="feature-selection report of a cross-validated elastic net (default)",
        description=(
            "Fit ElasticNetCV on a numeric CSV file (standardized features), print "
            "the feature-selection report: selected features, path summary, "
            "stability selection, diagnostics. Without a file: the bundled diabetes "
            "data."
        ),
    )
    rep.add_argument("data", nargs="?", help="CSV file with a header row")
    rep.add_argument(
        "--target", metavar="COLUMN", help="target column (bundled data: 'target')"
    )
    rep.add_argument(
        "--l1-ratio",
        type=float,
        nargs="+",
        default=[0.5, 0.9, 1.0],
        metavar="R",
        help="l1_ratio value(s) to cross-validate, in (0, 1] (default: 0.5 0.9 1.0)",
    )
    rep.add_argument("--cv", type=_positive_int, default=5, help="CV folds (5)")
    rep.add_argument(
        "--alpha-rule",
        choices=["min", "1se"],
        default="min",
        help="alpha refit: minimum CV error or one-standard-error rule (min)",
    )
    rep.add_argument(
        "--n-bootstrap",
        type=int,
        default=CLI_N_BOOTSTRAP,
        help=f"stability-selection subsamples, 0 to skip ({CLI_N_BOOTSTRAP})",
    )
    rep.add_argument(
        "--threshold", type=float, default=0.9, help="stability threshold (0.9)"
    )
    rep.add_argument(
        "--weakness",
        type=float,
        default=1.0,
        help="randomized-lasso weakness in (0, 1]; 1 disables it (1.0)",
    )
    rep.add_argument("--random-state", type=int, default=0, help="seed (0)")
    rep.add_argument(
        "--no-standardize",
        action="store_true",
        help="fit on the raw features (default: StandardScaler first)",
    )
    rep.add_argument("--n-jobs", type=int, default=None, help="parallel jobs")
    rep.add_argument(
        "--max-rows", type=_positive_int, default=20, help="path rows printed (20)"
    )
    rep.add_argument("--html", metavar="PATH", help="also write a self-contained HTML")
    rep.add_argument("--json", metavar="PATH", help="also write the report as JSON")
    rep.add_argument(
        "-v", "--verbose", action="count", default=0, help="progress lines on stderr"
    )
    rep.add_argument(
        "--progress",
        action="store_true",
        help="scikit-learn's ProgressBar (scikit-learn >= 1.9 and rich), else lines",
    )
    rep.set_defaults(func=run_report)

    srch = sub.add_parser(
        "search",
        help="GridSearchCV over alpha and l1_ratio on the bundled data",
        description=(
            "GridSearchCV over alpha and l1_ratio of StandardScaler + ElasticNet on "
            "the bundled diabetes data."
        ),
    )
    srch.add_argument("--cv", type=_positive_int, default=5, help="CV folds (5)")
    srch.add_argument("--n-jobs", type=int, default=1, help="parallel jobs (1)")
    srch.set_defaults(func=_run_search)
    return parser


def _run_search(args, out=None, err=None) -> int:
    run_grid_search(cv=args.cv, n_jobs=args.n_jobs, out=out)
    return 0


def main(argv: list[str] | None = None, *, out=None, err=None) -> int:
    """Run the command line; return the exit status.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments (``sys.argv[1:]`` by default). Without a command, ``report``.
    out, err : file-like, default=None
        Streams for the output and the error line (stdout and stderr by default).

    Returns
    -------
    status : int
        0 on success, 2 on an input error.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in (*COMMANDS, "-h", "--help", "--version"):
        argv = ["report", *argv]
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse's own errors (exit 2) and --help (exit 0)
        return int(e.code or 0)
    err_stream = sys.stderr if err is None else err
    try:
        return args.func(args, out=out, err=err)
    except CLIError as e:
        print(f"skreg {args.command}: error: {e}", file=err_stream)
        return 2
    except (ValueError, MemoryError) as e:
        print(f"skreg {args.command}: error: {type(e).__name__}: {e}", file=err_stream)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
