"""Read a numeric CSV file that skreg did not write, or say in one line what is wrong.

:func:`read_numeric_csv` serves ``skreg report``. It trusts nothing in the file: each
problem (empty, binary or mis-encoded content, ragged rows, duplicate or empty column
names, a missing target, non-numeric, non-finite or huge cells, missing cells) raises
:class:`CSVError` with one line that names the file, the columns and, where it helps,
the line number and the option that fixes it. Names quoted in messages go through
``repr`` (so control characters and newlines cannot reach the terminal raw) and are
cut to :data:`NAME_WIDTH` characters.

One pre-pass with the :mod:`csv` module checks the structure for both parsers, so the
pandas path and the standard-library path accept the same files, name the same
columns and produce the same arrays.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["CSVError", "CSVData", "read_numeric_csv", "show_name"]

# pandas' default NA strings (pandas._libs.parsers.STR_NA_VALUES), case-sensitive;
# both parsers use exactly this set.
NA_STRINGS = (
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
    "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
)  # fmt: skip
_NA = frozenset(NA_STRINGS)
_BOOLS = {
    "True": 1.0, "TRUE": 1.0, "true": 1.0, "False": 0.0, "FALSE": 0.0, "false": 0.0,
}  # fmt: skip
NAME_WIDTH = 40
# Largest magnitude accepted: standardizing squares the values, which must stay
# finite in float64 (max about 1.8e308) even summed over many rows.
LARGEST = 1e150
MAX_LISTED = 10
MISSING_OPTIONS = ("error", "drop", "impute")
_SNIFF = 8192
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an .xlsx workbook? export it as CSV)"),
    (b"\x1f\x8b", "a gzip archive (decompress it first)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (export it as CSV)"),
    (b"PAR1", "a Parquet file"),
    (b"\x7fELF", "an executable"),
)


class CSVError(ValueError):
    """A problem with an input CSV file, described in one line."""


@dataclass
class CSVData:
    """The numeric content of a CSV file: features, target and what was done to it."""

    X: np.ndarray
    y: np.ndarray
    feature_names: list[str]
    target: str
    n_rows_read: int
    notes: list[str] = field(default_factory=list)


def show_name(name: str, width: int = NAME_WIDTH) -> str:
    """Quote a name from the data for a one-line message: ``repr``, cut to ``width``.

    Examples
    --------
    >>> from skreg.datasets._csv import show_name
    >>> print(show_name("a\\x1b[31mb\\nc"))
    'a\\x1b[31mb\\nc'
    >>> print(show_name("x" * 50, width=8))
    'xxxxxxx…'
    """
    name = str(name)
    if len(name) > width:
        name = name[: width - 1] + "…"
    return repr(name)


def _names(names, counts=None) -> str:
    """List names as ``'a', 'b' and 3 more`` (with ``(n)`` counts when given)."""
    shown = [
        show_name(n) + ("" if counts is None else f" ({counts[n]})")
        for n in names[:MAX_LISTED]
    ]
    more = len(names) - MAX_LISTED
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# -- bytes to text ---------------------------------------------------------------------
def _read_text(path: Path, encoding: str) -> str:
    shown = show_name(str(path), 80)
    if not path.exists():
        raise CSVError(f"no such file: {shown}")
    if path.is_dir():
        raise CSVError(f"{shown} is a directory, not a CSV file")
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise CSVError(f"cannot read {shown}: {e.strerror or e}") from None
    if not raw:
        raise CSVError(f"{shown} is empty (0 bytes)")
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        raise CSVError(f"unknown encoding {encoding!r} (--encoding)") from None
    head = raw[:_SNIFF]
    if codec.name.startswith("utf-16") or codec.name.startswith("utf-32"):
        pass  # NUL bytes are part of these encodings
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise CSVError(
            f"{shown} looks like UTF-16 text (byte-order mark); pass --encoding utf-16"
        )
    else:
        for magic, what in _MAGIC:
            if head.startswith(magic):
                raise CSVError(f"{shown} is not a CSV text file: it looks like {what}")
        nul = head.find(b"\x00")
        if nul >= 0:
            raise CSVError(
                f"{shown} is not a CSV text file: binary content (a NUL byte at "
                f"offset {nul})"
            )
    name = "utf-8-sig" if codec.name == "utf-8" else codec.name
    try:
        return raw.decode(name)
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        bad = raw[e.start : e.start + 1].hex()
        raise CSVError(
            f"{shown} is not valid {encoding} text (byte 0x{bad} on line {line}); "
            "pass its encoding, e.g. --encoding latin-1 or --encoding cp1252"
        ) from None


# -- structure: header, rows -----------------------------------------------------------
def _split(text: str, shown: str):
    """Header and body rows (with their line numbers), blank lines skipped."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, lines = [], []
    try:
        for row in reader:
            if row:
                rows.append(row)
                lines.append(reader.line_num)
    except csv.Error as e:
        raise CSVError(f"cannot parse {shown}: line {reader.line_num}: {e}") from None
    if not rows:
        raise CSVError(f"{shown} has no header row (only blank lines)")
    header = [h.strip() for h in rows[0]]
    for i, h in enumerate(header, start=1):
        if not h:
            raise CSVError(
                f"column {i} of the header of {shown} has no name (an unnamed index "
                "column or a trailing comma?): name it or remove it"
            )
    seen: dict[str, int] = {}
    for i, h in enumerate(header, start=1):
        if h in seen:
            raise CSVError(
                f"duplicate column name {show_name(h)} in {shown} (columns "
                f"{seen[h]} and {i}): column names must be unique"
            )
        seen[h] = i
    body, body_lines = rows[1:], lines[1:]
    if not body:
        raise CSVError(f"{shown} has a header but no data rows")
    for row, line in zip(body, body_lines, strict=True):
        if len(row) != len(header):
            raise CSVError(
                f"cannot parse {shown}: line {line} has {_plural(len(row), 'field')}, "
                f"the header has {len(header)}"
            )
    return header, body, body_lines


def _closest(name: str, columns: list[str]) -> str:
    match = difflib.get_close_matches(name, columns, n=1, cutoff=0.5)
    if not match:
        lowered = {c.lower(): c for c in columns}
        match = [lowered[name.lower()]] if name.lower() in lowered else []
    hint = f"; did you mean {show_name(match[0])}?" if match else ""
    shown = ", ".join(show_name(c, 20) for c in columns[:12])
    more = f" and {len(columns) - 12} more" if len(columns) > 12 else ""
    return f"target column {show_name(name)} not found{hint} (columns: {shown}{more})"


# -- values ----------------------------------------------------------------------------
def _parse_cell(cell: str) -> float | None:
    """Return the cell's float (NaN when missing), or None if it is not a number."""
    cell = cell.strip()
    if cell in _NA:
        return math.nan
    if cell in _BOOLS:
        return _BOOLS[cell]
    try:
        return float(cell)
    except ValueError:
        return None


def _columns_stdlib(header, body, lines):
    values = {h: np.empty(len(body)) for h in header}
    bad: dict[str, tuple[str, int]] = {}
    for j, h in enumerate(header):
        col = values[h]
        for i, row in enumerate(body):
            v = _parse_cell(row[j])
            if v is None:
                bad[h] = (row[j], lines[i])
                break
            col[i] = v
    return values, bad


def _columns_pandas(text, header, body, lines):
    import pandas as pd

    frame = pd.read_csv(
        io.StringIO(text),
        keep_default_na=False,
        na_values=list(NA_STRINGS),
        skip_blank_lines=True,
    )
    if frame.shape != (len(body), len(header)):  # the csv pre-pass disagrees
        raise CSVError(
            f"cannot parse the file: pandas reads {frame.shape[0]} x "
            f"{frame.shape[1]} cells, the csv module {len(body)} x {len(header)}"
        )
    frame.columns = header
    values, bad = {}, {}
    for j, h in enumerate(header):
        col = frame[h]
        if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
            values[h] = col.to_numpy(dtype=np.float64, na_value=np.nan)
            continue
        # Same rules as the standard-library path, so both name the same cell.
        for i, row in enumerate(body):
            if _parse_cell(row[j]) is None:
                bad[h] = (row[j], lines[i])
                break
        else:
            values[h] = np.array([_parse_cell(row[j]) for row in body])
    return values, bad


def _non_numeric(bad, target, shown) -> str:
    if target in bad:
        cell, line = bad[target]
        return (
            f"target column {show_name(target)} is not numeric ({show_name(cell, 20)} "
            f"on line {line}): skreg report fits a regression on a numeric target"
        )
    names = list(bad)
    first = names[0]
    it = "it" if len(names) == 1 else "them"
    return (
        f"non-numeric {'column' if len(names) == 1 else 'columns'} in {shown}: "
        f"{_names(names)} (e.g. {show_name(bad[first][0], 20)} in {show_name(first)} "
        f"on line {bad[first][1]}); skreg encodes nothing silently: encode {it}, "
        f"e.g. with sklearn.preprocessing.OneHotEncoder, or drop {it}"
    )


def read_numeric_csv(
    path,
    target: str,
    *,
    use_pandas: bool,
    encoding: str = "utf-8",
    missing: str = "error",
) -> CSVData:
    """Read ``path`` into a numeric feature matrix and target, or raise CSVError.

    Parameters
    ----------
    path : str or path-like
        A CSV file with one header row.
    target : str
        The target column; every other column is a feature.
    use_pandas : bool
        Convert the cells with :func:`pandas.read_csv` (else the :mod:`csv` module);
        both give the same arrays and the same errors.
    encoding : str, default="utf-8"
        Text encoding (a UTF-8 byte-order mark is skipped).
    missing : {"error", "drop", "impute"}, default="error"
        Missing cells: an error naming the columns; drop the rows that have any;
        or replace missing feature cells by the column mean (rows whose target is
        missing are dropped). What was done is described in ``notes``.

    Returns
    -------
    data : CSVData

    Examples
    --------
    >>> from skreg.datasets import default_csv_path
    >>> from skreg.datasets._csv import read_numeric_csv
    >>> data = read_numeric_csv(default_csv_path(), "target", use_pandas=False)
    >>> data.X.shape, data.feature_names[:2], data.notes
    ((442, 10), ['age', 'sex'], [])
    """
    if missing not in MISSING_OPTIONS:
        raise CSVError(f"--missing must be one of {MISSING_OPTIONS}, got {missing!r}")
    path = Path(path)
    shown = show_name(str(path), 80)
    text = _read_text(path, encoding)
    header, body, lines = _split(text, shown)
    if target not in header:
        raise CSVError(_closest(target, header))
    features = [h for h in header if h != target]
    if not features:
        raise CSVError(f"no feature columns besides the target {show_name(target)}")
    if use_pandas:
        values, bad = _columns_pandas(text, header, body, lines)
    else:
        values, bad = _columns_stdlib(header, body, lines)
    if bad:
        raise CSVError(_non_numeric(bad, target, shown))
    for h in header:
        inf = np.isinf(values[h])
        if inf.any():
            raise CSVError(
                f"infinite value in column {show_name(h)} on line "
                f"{lines[int(np.argmax(inf))]}"
            )
        huge = np.abs(values[h]) > LARGEST  # NaN compares False
        if huge.any():
            i = int(np.argmax(huge))
            raise CSVError(
                f"value {values[h][i]:.3g} in column {show_name(h)} on line "
                f"{lines[i]} is too large: beyond {LARGEST:g} its square overflows "
                "float64; rescale the column"
            )
    X = np.column_stack([values[h] for h in features])
    y = values[target]
    X, y, notes = _handle_missing(X, y, features, target, missing, shown)
    return CSVData(X, y, features, target, len(body), notes)


def _handle_missing(X, y, features, target, missing, shown):
    na_X, na_y = np.isnan(X), np.isnan(y)
    counts = dict(zip(features, na_X.sum(axis=0).tolist(), strict=True))
    counts[target] = int(na_y.sum())
    cols = [h for h in [target, *features] if counts[h]]
    if not cols:
        return X, y, []
    n = len(y)
    detail = _names(cols, {h: f"{counts[h]} of {n} rows" for h in cols})
    if missing == "error":
        raise CSVError(
            f"missing values in {_plural(len(cols), 'column')} of {shown}: {detail}; "
            "pass --missing drop (drop those rows) or --missing impute (column means)"
        )
    if missing == "drop":
        keep = ~(na_X.any(axis=1) | na_y)
        if not keep.any():
            raise CSVError(
                f"every row of {shown} has a missing value ({detail}): nothing left "
                "after --missing drop"
            )
        note = (
            f"--missing drop: dropped {_plural(n - int(keep.sum()), 'row')} of {n} "
            f"with missing values ({detail})"
        )
        return X[keep], y[keep], [note]
    # impute: the target is never imputed; its missing rows go.
    notes = []
    if na_y.any():
        X, na_X = X[~na_y], na_X[~na_y]
        y = y[~na_y]
        notes.append(
            f"--missing impute: dropped {_plural(int(na_y.sum()), 'row')} of {n} "
            f"whose target {show_name(target)} is missing"
        )
    if na_X.any():
        empty = [h for j, h in enumerate(features) if na_X[:, j].all()]
        if empty:
            raise CSVError(
                f"nothing to impute from: {_names(empty)} "
                f"{'has' if len(empty) == 1 else 'have'} no values (--missing impute)"
            )
        X = X.copy()
        means = np.nanmean(X, axis=0)
        X[na_X] = np.take(means, np.nonzero(na_X)[1])
        left = dict(zip(features, na_X.sum(axis=0).tolist(), strict=True))
        feat_cols = [h for h in features if left[h]]
        n_cells = int(na_X.sum())
        notes.append(
            f"--missing impute: replaced {_plural(n_cells, 'missing value')} by "
            f"column means ({_names(feat_cols, left)}); "
            "the means use every row, so the CV error is slightly optimistic"
        )
    if len(y) == 0:
        raise CSVError(f"every target value in {shown} is missing")
    return X, y, notes
