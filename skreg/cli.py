"""Command-line entry point: ``skreg`` / ``python -m skreg``.

``skreg report [data.csv] --target COLUMN`` (the default command) fits a
cross-validated elastic net on a CSV file, prints the feature-selection report and
writes it as HTML / JSON when asked. Without a file it runs on the bundled data
(scikit-learn's diabetes set), so ``python -m skreg`` alone shows the real thing.

``skreg search`` runs a ``GridSearchCV`` over ``alpha`` and ``l1_ratio`` of a
``StandardScaler`` + ``ElasticNet`` pipeline on the bundled data and prints the chosen
parameters and the kept features.

Errors in the input (a missing, empty, binary or mis-encoded file, a missing target
column, non-numeric or missing values, a constant target, ...) print one line to
stderr and exit with status 2, as argparse does, before any fitting; the checks live
in :mod:`skreg.datasets._csv`. Output files are written all or none, only to regular
files (or ``-``, standard output). Ctrl-C prints one line and exits with status 130;
any other error prints one line naming it and exits with status 1 (``--debug`` or
``SKREG_DEBUG=1`` shows the traceback instead). ``SECURITY.md`` says what the command
trusts.
"""

from __future__ import annotations

import argparse
import os
import shutil
import stat
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from skreg._cli_models import FAMILIES, MODELS
from skreg.datasets._csv import MAX_LEVELS, MISSING_OPTIONS

COMMANDS = ("report", "search")
CLI_N_BOOTSTRAP = 50
# What --n-bootstrap costs with --model mlp, measured in CPU seconds (the machine was
# shared: wall times were 3x these) with the default selector; see docs/user_guide.
MLP_COST = (
    "10 subsamples cost 0.5 s CPU on the bundled data (the selector's fit 0.5 s) "
    "and 3.4 s on a 1000 x 50 CSV (fit 1.3 s)"
)


class CLIError(Exception):
    """An input error reported as one line on stderr with exit status 2."""


# -- reading the data ------------------------------------------------------------------
def read_csv(
    path,
    target: str,
    *,
    use_pandas: bool | None = None,
    encoding: str = "utf-8",
    missing: str = "error",
    **options,
):
    """Read a numeric CSV file with a header; return ``(X, y, feature_names)``.

    Streams the file once; plain blocks of lines are converted by pandas when
    installed (``use_pandas=None``), else by the standard library; both accept the
    same files and give the same arrays. Raises :class:`CLIError` (one line) naming
    the problem: a missing, empty, binary or mis-encoded file, ragged rows, duplicate
    or empty column names, a missing target column (with the closest name),
    non-numeric, infinite, huge or missing values (see ``missing``). ``options``
    are those of :func:`skreg.datasets._csv.read_numeric_csv`: ``sep``, ``drop``,
    ``index_col``, ``one_hot``, ``max_levels``.

    Examples
    --------
    >>> from skreg.cli import read_csv
    >>> from skreg.datasets import default_csv_path
    >>> X, y, names = read_csv(default_csv_path(), "target", use_pandas=False)
    >>> X.shape, names[:2]
    ((442, 10), ['age', 'sex'])
    """
    data = _read(
        path,
        target,
        use_pandas=use_pandas,
        encoding=encoding,
        missing=missing,
        **options,
    )
    return data.X, data.y, data.feature_names


def _read(
    path, target, *, use_pandas=None, encoding="utf-8", missing="error", **options
):
    from skreg.datasets._csv import CSVError, read_numeric_csv

    try:
        return read_numeric_csv(
            path,
            target,
            use_pandas=use_pandas,
            encoding=encoding,
            missing=missing,
            **options,
        )
    except CSVError as e:
        raise CLIError(str(e)) from None


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


STDOUT = "-"
_FILE_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _not_regular(dest: Path) -> str | None:
    """Say what ``dest`` is if it exists and is not a regular file (links followed)."""
    try:
        mode = os.stat(dest).st_mode
    except OSError:  # absent (or a dangling link): a new file
        return None
    if stat.S_ISREG(mode):
        return None
    for test, what in _FILE_KINDS:
        if test(mode):
            return what
    return "not a regular file"  # pragma: no cover - e.g. a door on Solaris


def _refuse_special(dest: Path) -> None:
    from skreg.datasets._csv import show_name

    what = _not_regular(dest)
    if what is not None:
        raise CLIError(
            f"cannot write {show_name(str(dest), 80)}: it is {what}, not a regular "
            "file; give a file path, or - for standard output"
        )


def _check_outputs(args, data_path) -> list[tuple[str, Path | None]]:
    """Return the requested outputs (``None``: stdout), checked before any fitting.

    A destination must be absent or a regular file: the report is written to a
    temporary file renamed over it, which would replace a FIFO or a device (as
    root, ``/dev/null`` itself) by a regular file.
    """
    from skreg.datasets._csv import show_name

    given = [(k, d) for k, d in (("html", args.html), ("json", args.json)) if d]
    if sum(d == STDOUT for _, d in given) > 1:
        raise CLIError("--html and --json cannot both be - (standard output)")
    outputs = [(k, None if d == STDOUT else Path(d)) for k, d in given]
    files = [dest for _, dest in outputs if dest is not None]
    if len(files) == 2 and files[0].resolve() == files[1].resolve():
        raise CLIError("--html and --json name the same file")
    for kind, dest in outputs:
        if dest is None:
            continue
        shown = show_name(str(dest), 80)
        if data_path is not None and dest.resolve() == Path(data_path).resolve():
            raise CLIError(f"--{kind} {shown} would overwrite the input data")
        if dest.is_dir():
            raise CLIError(f"cannot write {shown}: it is a directory")
        _refuse_special(dest)
        if not dest.parent.is_dir():
            raise CLIError(
                f"cannot write {shown}: no such directory "
                f"{show_name(str(dest.parent), 80)}"
            )
    return outputs


def _write_outputs(contents: list[tuple[Path, str]]) -> None:
    """Write every file or none: stage each as a temporary file, then rename them all.

    The temporary files sit next to their destinations, so each ``os.replace`` is an
    atomic rename. On any error the temporary files are removed, files already
    renamed are taken back (a file that existed before gets its old content back
    from a hard link kept until the end), and :class:`CLIError` says so.
    """
    from skreg.datasets._csv import show_name
    from skreg.reports._render import new_file_mode

    staged: list[tuple[str, Path]] = []
    done: list[tuple[str | None, Path]] = []  # (backup of the old file, dest)
    dest = None
    try:
        for dest, text in contents:
            fd, tmp = tempfile.mkstemp(
                prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent
            )
            staged.append((tmp, dest))
            with os.fdopen(
                fd, "w", encoding="utf-8", errors="backslashreplace", newline="\n"
            ) as f:
                f.write(text)
            os.chmod(tmp, new_file_mode(dest))
        for tmp, dest in staged:
            _refuse_special(dest)  # again: it may have appeared during the fit
            backup = None
            if dest.exists():
                backup = tmp + ".old"
                try:
                    os.link(dest, backup)
                except OSError:  # no hard links on this file system
                    shutil.copy2(dest, backup)
            os.replace(tmp, dest)
            done.append((backup, dest))
    except BaseException as e:
        for backup, old in reversed(done):
            try:
                if backup is None:
                    _unlink(old)
                else:
                    os.replace(backup, old)
            except OSError:  # pragma: no cover - best effort; report the first error
                pass
        if isinstance(e, CLIError):
            raise CLIError(f"{e}; no output file written") from None
        if isinstance(e, OSError):
            raise CLIError(
                f"cannot write {show_name(str(dest), 80)}: {e.strerror or e}; "
                "no output file written"
            ) from None
        raise
    finally:
        for tmp, _ in staged:
            _unlink(tmp)
            _unlink(tmp + ".old")


def _unlink(path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def run_report(args, out=None, err=None) -> int:
    """Run ``skreg report`` with parsed ``args``; return the exit status."""
    # Long (about 140 lines): the command's steps in their order (read, choose the
    # family and model, fit, report, write each output), each a call; the error
    # messages name the option at fault, so they stay beside the step.
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skreg import _cli_models
    from skreg.datasets import DEFAULT_TARGET, default_csv_path
    from skreg.datasets._csv import show_name
    from skreg.reports import FeatureSelectionReport
    from skreg.reports._render import clean_text

    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    real_out = out
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
    if args.n_bootstrap is None:  # the MLP's stability refits the whole selector
        args.n_bootstrap = 0 if args.model == "mlp" else CLI_N_BOOTSTRAP
    if args.n_bootstrap < 0:
        raise CLIError(f"--n-bootstrap must be >= 0, got {args.n_bootstrap}")
    args.max_iter_given = args.max_iter
    if args.max_iter is None:
        args.max_iter = 1000
    if args.tol is not None and not args.tol > 0:
        raise CLIError(f"--tol must be > 0, got {args.tol}")
    outputs = _check_outputs(args, args.data)
    to_stdout = any(dest is None for _, dest in outputs)
    if to_stdout:  # stdout carries the file alone; the text report is not printed
        out = err
    data = _read(
        path,
        target,
        encoding=args.encoding,
        missing=args.missing,
        sep=args.sep,
        drop=args.drop,
        index_col=args.index_col,
        one_hot=args.one_hot,
        max_levels=args.max_levels,
        text_target=True,
    )
    X, y, names = data.X, data.y, data.feature_names
    shown_source = show_name(str(source), 80)
    if X.shape[0] < 2 * args.cv:
        rows = f"only {X.shape[0]} data row{'s' if X.shape[0] != 1 else ''}"
        if data.notes:
            rows += " left after --missing"
        raise CLIError(
            f"{rows} in {shown_source}: {args.cv}-fold cross-validation needs at "
            f"least {2 * args.cv} (--cv)"
        )
    if len(set(y.tolist())) == 1:
        first = y[0] if y.dtype == object else f"{y[0]:g}"
        raise CLIError(
            f"target {show_name(target)} is constant (every row is {first}): "
            "nothing to explain"
        )
    try:
        family, y, reason = _cli_models.choose_family(y, args.family)
        model = _cli_models.make_model(args, family)
        if family == "poisson" and args.model == "linear":
            alpha, l1 = _cli_models.poisson_alpha(
                model, X, y, args, not args.no_standardize
            )
            model.set_params(alpha=alpha, l1_ratio=l1)
    except _cli_models.FamilyError as e:
        raise CLIError(f"target {show_name(target)}: {e}") from None
    estimator = model if args.no_standardize else make_pipeline(StandardScaler(), model)
    callbacks, verbose = _progress_callbacks(args, err)
    print(f"skreg report on {clean_text(str(source), 80)}", file=out)
    print(
        f"Data: {X.shape[0]} rows, {X.shape[1]} features, target {show_name(target)}",
        file=out,
    )
    for note in data.notes:
        print(clean_text(note), file=out)
    print(f"Family: {clean_text(reason)}", file=out)
    print(
        "Model: "
        + ("" if args.no_standardize else "StandardScaler + ")
        + _cli_models.describe(args, family, model),
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
    report.provenance["family_reason"] = reason
    # The file's name, not its directory: reports get shared.
    report.provenance["source"] = Path(source).name if args.data else source
    report.provenance["input_notes"] = list(data.notes)
    # Render everything before writing anything: a failure leaves no file behind.
    rendered = [
        (dest, report.to_html() if kind == "html" else report.to_json())
        for kind, dest in outputs
    ]
    # Write the files before the text: they must not depend on the console reader
    # (``skreg report ... --html r.html | head`` still writes r.html).
    _write_outputs([(dest, text) for dest, text in rendered if dest is not None])
    if to_stdout:
        text = next(text for dest, text in rendered if dest is None)
        print(text, file=real_out, end="" if text.endswith("\n") else "\n")
    else:
        print(report.to_text(max_rows=args.max_rows), file=out, end="")
    for kind, dest in outputs:
        where = "standard output" if dest is None else clean_text(str(dest), 200)
        print(f"\nWrote {kind.upper()} report to {where}", file=out)
    hint = _figures_hint(any(kind == "html" for kind, _ in outputs))
    if hint:
        print(f"\n{hint}", file=out)
    print(f"\nDone in {time.perf_counter() - start:.1f} s.", file=out)
    return 0


def _figures_hint(html: bool) -> str | None:
    """Say where the figures are: in the HTML page, when matplotlib is installed."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return (
            "Figures (regularization path, CV curve, stability path) need matplotlib: "
            "pip install 'skreg[plot]'"
            + ("" if html else ", then add --html report.html")
        )
    if html:
        return None
    return (
        "Figures (regularization path, CV curve, stability path): add "
        "--html report.html"
    )


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


def _separator(text: str) -> str:
    named = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "space": " "}
    sep = named.get(text.lower(), text)
    if len(sep) != 1 or sep in '\r\n"':
        raise argparse.ArgumentTypeError(
            f"must be one character (or tab, comma, semicolon, space), got {text!r}"
        )
    return sep


def _folds(text: str) -> int:
    value = int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"must be >= 2, got {value}")
    return value


def _build_parser() -> argparse.ArgumentParser:
    """Return the parser of the ``report`` and ``search`` commands."""
    # Long (about 180 lines): the argparse declaration of every option, one after the
    # other; split, the options of one command would sit in several places.
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
    rep.add_argument("--cv", type=_folds, default=5, help="CV folds, >= 2 (5)")
    rep.add_argument(
        "--alpha-rule",
        choices=["min", "1se"],
        default="min",
        help="alpha refit: minimum CV error or one-standard-error rule (min)",
    )
    rep.add_argument(
        "--family",
        choices=FAMILIES,
        default="auto",
        help="model family; auto reads it from the target: 2 distinct values -> "
        "binomial, at most 20 distinct text or integer values -> multinomial, "
        "else gaussian (auto). poisson needs a non-negative numeric target",
    )
    rep.add_argument(
        "--model",
        choices=MODELS,
        default="linear",
        help="linear: a sparse linear model / GLM with CV (default); mlp: "
        "RegularizedMLPRegressorCV or ClassifierCV, a neural network selecting its "
        "inputs on a warm-started path with the one-standard-error rule",
    )
    rep.add_argument(
        "--n-bootstrap",
        type=int,
        default=None,
        help=f"stability-selection subsamples, 0 to skip ({CLI_N_BOOTSTRAP}; with "
        f"--model mlp 0, as each subsample refits the whole selector: {MLP_COST})",
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
    rep.add_argument(
        "--missing",
        choices=MISSING_OPTIONS,
        default="error",
        help="missing cells: stop with an error naming the columns, drop those rows, "
        "or impute feature cells by the column mean (error)",
    )
    rep.add_argument(
        "--encoding",
        default="utf-8",
        help="text encoding of the CSV file, e.g. latin-1 (utf-8)",
    )
    rep.add_argument(
        "--sep",
        type=_separator,
        metavar="SEP",
        help="field delimiter, e.g. ';' or tab (default: comma, semicolon or tab, "
        "detected from the first lines)",
    )
    rep.add_argument(
        "--drop",
        nargs="+",
        action="extend",
        default=[],
        metavar="COL",
        help="columns to leave out (put the CSV file before this option)",
    )
    rep.add_argument(
        "--index-col",
        metavar="COL",
        help="a column of row labels (an id): not a feature",
    )
    rep.add_argument(
        "--one-hot",
        action="store_true",
        help="encode text columns as one indicator column per value (at most "
        "--max-levels values a column, else an error)",
    )
    rep.add_argument(
        "--max-levels",
        type=_positive_int,
        default=MAX_LEVELS,
        help=f"most distinct values of a text column for --one-hot ({MAX_LEVELS})",
    )
    rep.add_argument(
        "--max-iter",
        type=_positive_int,
        default=None,
        help="most solver iterations per alpha (1000; the GLMs: 100 Newton steps)",
    )
    rep.add_argument(
        "--tol",
        type=float,
        default=None,
        help="solver tolerance, as scikit-learn's (default: a duality gap certifying "
        "1e-6 relative suboptimality)",
    )
    rep.add_argument(
        "--html",
        metavar="PATH",
        help="also write a self-contained HTML page (- for standard output)",
    )
    rep.add_argument(
        "--json",
        metavar="PATH",
        help="also write the report as JSON (- for standard output)",
    )
    rep.add_argument(
        "-v", "--verbose", action="count", default=0, help="progress lines on stderr"
    )
    rep.add_argument(
        "--progress",
        action="store_true",
        help="scikit-learn's ProgressBar (scikit-learn >= 1.9 and rich), else lines",
    )
    rep.add_argument(
        "--debug",
        action="store_true",
        help="show the traceback of an unexpected error (also SKREG_DEBUG=1)",
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
    srch.add_argument("--cv", type=_folds, default=5, help="CV folds, >= 2 (5)")
    srch.add_argument("--n-jobs", type=int, default=1, help="parallel jobs (1)")
    srch.add_argument(
        "--debug",
        action="store_true",
        help="show the traceback of an unexpected error (also SKREG_DEBUG=1)",
    )
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
        0 on success, 2 on an input error (one line on ``err``), 1 on another error
        (one line too, unless ``--debug`` or ``SKREG_DEBUG=1``: the traceback) or when
        stdout is closed early, 130 on Ctrl-C (one line).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in (*COMMANDS, "-h", "--help", "--version"):
        argv = ["report", *argv]
    err_stream = sys.stderr if err is None else err
    try:
        parser = _build_parser()  # imports skreg: Ctrl-C may come already
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse's own errors (exit 2) and --help (exit 0)
        return int(e.code or 0)
    except KeyboardInterrupt:
        print("skreg: interrupted", file=err_stream)
        return 130
    if out is None or err is None:
        # The real stdout / stderr: a name's characters must not fail the run on a
        # terminal that cannot show them (e.g. an ASCII locale).
        for real in (sys.stdout, sys.stderr):
            if hasattr(real, "reconfigure"):
                real.reconfigure(errors="backslashreplace")
    console = _Console(sys.stdout) if out is None else None
    try:
        status = args.func(args, out=console or out, err=err)
        if console is not None:
            console.flush()  # a closed pipe shows here, not at interpreter exit
            if console.broken:
                return 1
        return status
    except CLIError as e:
        print(f"skreg {args.command}: error: {_one_line(str(e))}", file=err_stream)
        return 2
    except KeyboardInterrupt:
        # The output files are staged and renamed last: an interrupt leaves none.
        print(
            f"skreg {args.command}: interrupted; no output file written",
            file=err_stream,
        )
        return 130
    except Exception as e:
        if args.debug or os.environ.get("SKREG_DEBUG", "") not in ("", "0"):
            raise
        # Not foreseen above: still one line, no traceback, and a different status.
        message = _one_line(f"{type(e).__name__}: {e}")
        print(
            f"skreg {args.command}: error: {message} (--debug or SKREG_DEBUG=1 "
            "shows the traceback)",
            file=err_stream,
        )
        return 1


class _Console:
    """The real stdout, outliving its reader (``skreg report ... | head``).

    After a ``BrokenPipeError`` further output is dropped and stdout points to
    ``os.devnull`` (as Python's documentation on SIGPIPE recommends, so that nothing
    fails again at exit): the run goes on and still writes ``--html`` / ``--json``,
    whether or not stdout is buffered (``PYTHONUNBUFFERED``).
    """

    def __init__(self, stream):
        self.stream = stream
        self.broken = False

    def write(self, text: str) -> int:
        if not self.broken:
            try:
                self.stream.write(text)
            except BrokenPipeError:
                self._close()
        return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self.stream.flush()
            except BrokenPipeError:
                self._close()

    def _close(self) -> None:
        self.broken = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.stream.fileno())
            os.close(devnull)
        except (OSError, ValueError):  # pragma: no cover - not a file descriptor
            pass


def _one_line(message: str) -> str:
    """Collapse whitespace and escape control characters: one terminal-safe line."""
    from skreg.reports._render import clean_text

    return clean_text(" ".join(message.split()))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
