"""Read a numeric CSV file that skreg did not write, or say in one line what is wrong.

:func:`read_numeric_csv` serves ``skreg report``. It trusts nothing in the file: each
problem (empty, binary or mis-encoded content, ragged rows, duplicate or empty column
names, a missing target, non-numeric, non-finite or huge cells, missing cells) raises
:class:`CSVError` with one line that names the file, the columns and, where it helps,
the line number and the option that fixes it. Names quoted in messages go through
``repr`` (so control characters and newlines cannot reach the terminal raw) and are
cut to :data:`NAME_WIDTH` characters.

The file is streamed once, in blocks of :data:`BLOCK` lines, into preallocated float
arrays: a block of plain lines (no quote, the header's number of fields) is converted
at once (pandas' C parser when installed, else ``float`` cell by cell); any other block,
or one that fails to convert, is read again record by record with the :mod:`csv` module
and :func:`_parse_cell`, which define every value and every message. So the text is
never held whole, both converters give the same arrays and the same errors, and peak
memory stays near the 8 bytes a cell of the result.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import itertools
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
SEPARATORS = (",", ";", "\t")
# Most distinct values of a column encoded by ``--one-hot``: more is an error (an id
# or free text is not a category; a wide one-hot block would swamp the report).
MAX_LEVELS = 20
# Lines read and converted at a time: small against the data, large enough for the
# block converters to run at full speed.
BLOCK = 8192
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
def _text_codec(encoding: str) -> str:
    """Return the codec's canonical name; CSVError if unknown or not a text codec."""
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        raise CSVError(f"unknown encoding {encoding!r} (--encoding)") from None
    if not getattr(codec, "_is_text_encoding", True):  # hex, base64, zlib, rot13...
        raise CSVError(
            f"{encoding!r} is not a text encoding (--encoding): give one such as "
            "utf-8, latin-1 or cp1252"
        )
    return codec.name


class _Prefixed(io.RawIOBase):
    """A binary file whose first bytes were already read: ``head``, then the rest."""

    def __init__(self, head: bytes, f):
        self._head, self._f = head, f

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        if self._head:
            n = min(len(b), len(self._head))
            b[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        return self._f.readinto(b)

    def close(self) -> None:
        self._f.close()
        super().close()


def _open_text(path: Path, encoding: str, shown: str):
    """Check the first bytes, then return ``(text stream, file size or None)``.

    The stream decodes strictly as it is read (``newline=""`` for the csv module);
    a pipe or a FIFO works too (size ``None``).
    """
    if not path.exists():
        raise CSVError(f"no such file: {shown}")
    if path.is_dir():
        raise CSVError(f"{shown} is a directory, not a CSV file")
    codec = _text_codec(encoding)
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed with the text stream
        head = f.read(_SNIFF)
    except OSError as e:
        raise CSVError(f"cannot read {shown}: {e.strerror or e}") from None
    if not head:
        f.close()
        raise CSVError(f"{shown} is empty (0 bytes)")
    problem = None
    if codec.startswith(("utf-16", "utf-32")):
        pass  # NUL bytes are part of these encodings
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        problem = (
            f"{shown} looks like UTF-16 text (byte-order mark); pass --encoding utf-16"
        )
    else:
        for magic, what in _MAGIC:
            if head.startswith(magic):
                problem = f"{shown} is not a CSV text file: it looks like {what}"
                break
        else:
            nul = head.find(b"\x00")
            if nul >= 0:
                problem = (
                    f"{shown} is not a CSV text file: binary content (a NUL byte at "
                    f"offset {nul})"
                )
    if problem:
        f.close()
        raise CSVError(problem)
    size = path.stat().st_size if path.is_file() else None
    name = "utf-8-sig" if codec == "utf-8" else codec
    raw = io.BufferedReader(_Prefixed(head, f), buffer_size=1 << 16)
    return io.TextIOWrapper(raw, encoding=name, errors="strict", newline=""), size


def _decode_error(path: Path, encoding: str, shown: str, exc) -> CSVError:
    """Name the first undecodable byte and its line (read again, line by line)."""
    where = ""
    if path.is_file():
        decoder = codecs.getincrementaldecoder(_text_codec(encoding))()
        with open(path, "rb") as f:
            for number, line in enumerate(f, start=1):
                try:
                    decoder.decode(line)
                except UnicodeDecodeError as e:
                    bad = line[e.start : e.start + 1].hex() or "??"
                    where = f" (byte 0x{bad} on line {number})"
                    break
    if not where:
        where = f" (byte 0x{exc.object[exc.start : exc.start + 1].hex()})"
    return CSVError(
        f"{shown} is not valid {encoding} text{where}; pass its encoding, e.g. "
        "--encoding latin-1 or --encoding cp1252"
    )


# -- structure: delimiter, header, records ---------------------------------------------
def _blank(line: str) -> bool:
    """Tell whether the csv module reads ``line`` as an empty row (skipped)."""
    return not line.rstrip("\r\n")


def _detect_sep(sample: list[str]) -> str:
    """Pick the delimiter among ``, ; tab`` that splits the sample the most.

    Every row must then have the header's number of fields; a comma when none does.
    """
    best, best_n = ",", 1
    for sep in SEPARATORS:
        try:
            rows = [r for r in csv.reader(sample, delimiter=sep) if r]
        except csv.Error:
            continue
        n = len(rows[0]) if rows else 0
        if n > best_n and all(len(r) == n for r in rows):
            best, best_n = sep, n
    return best


def _sep_name(sep: str) -> str:
    return {"\t": "tab", ",": "comma", ";": "semicolon"}.get(sep, repr(sep))


class _Records:
    """csv records from ``lines``, reading on into ``rest`` only to end a record.

    Yields ``(row, line)``, ``line`` being the number of the record's last physical
    line; ``consumed`` counts the physical lines read so far. Empty rows (blank
    lines) are skipped.
    """

    def __init__(self, lines, rest, sep, line0, shown):
        self.lines, self.rest, self.line0, self.shown = lines, rest, line0, shown
        self.consumed = 0
        self.reader = csv.reader(self._feed(), delimiter=sep)

    def _feed(self):
        for line in itertools.chain(self.lines, self.rest):
            self.consumed += 1
            yield line

    def __iter__(self):
        while self.consumed < len(self.lines):
            try:
                row = next(self.reader)
            except StopIteration:
                return
            except csv.Error as e:
                raise CSVError(
                    f"cannot parse {self.shown}: line {self.line0 + self.consumed}: {e}"
                ) from None
            if row:
                yield row, self.line0 + self.consumed


def _check_header(header: list[str], shown: str) -> None:
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


def _closest_hint(name: str, columns: list[str]) -> str:
    match = difflib.get_close_matches(name, columns, n=1, cutoff=0.5)
    if not match:
        lowered = {c.lower(): c for c in columns}
        match = [lowered[name.lower()]] if name.lower() in lowered else []
    hint = f"; did you mean {show_name(match[0])}?" if match else ""
    shown = ", ".join(show_name(c, 20) for c in columns[:12])
    more = f" and {len(columns) - 12} more" if len(columns) > 12 else ""
    return f"{hint} (columns: {shown}{more})"


def _closest(name: str, columns: list[str]) -> str:
    return f"target column {show_name(name)} not found{_closest_hint(name, columns)}"


# -- values ----------------------------------------------------------------------------
def _parse_cell(cell: str) -> float | None:
    """Return the cell's float (NaN when missing), or None if it is not a number.

    This is the definition of a cell's value; the fast block converters below give
    the same floats or fail, and a failed block is read again cell by cell.
    """
    cell = cell.strip()
    if cell in _NA:
        return math.nan
    if cell in _BOOLS:
        return _BOOLS[cell]
    try:
        return float(cell)
    except ValueError:
        return None


def _convert_pandas(text, n_lines, n_fields, sep, usecols):
    """Convert a block of plain lines (no quote) with pandas' C parser, or None.

    ``text`` holds ``n_lines`` lines and ``n_lines * (n_fields - 1)`` delimiters.
    The parser takes its width from the first line and fails on a wider one, so a
    result ``n_fields`` wide has no line wider, hence none narrower (nor blank).
    """
    import pandas as pd

    wanted = set(usecols)
    try:
        frame = pd.read_csv(
            io.BytesIO(text.encode("utf-8")),
            sep=sep,
            header=None,
            dtype={j: np.float64 if j in wanted else object for j in range(n_fields)},
            na_filter=False,
            quoting=csv.QUOTE_NONE,
            skip_blank_lines=False,
            engine="c",
        )
    except (ValueError, TypeError, OverflowError):
        return None
    if frame.shape != (n_lines, n_fields):
        return None
    return frame.iloc[:, usecols].to_numpy(dtype=np.float64)


def _convert_stdlib(text, n_lines, n_fields, sep, usecols):
    """Convert a block of plain lines (no quote) with ``float`` per cell, or None."""
    values = np.empty((n_lines, len(usecols)))
    lines = text.splitlines()
    if len(lines) != n_lines:
        return None
    try:
        for i, line in enumerate(lines):
            cells = line.split(sep)
            if len(cells) != n_fields:
                return None
            values[i] = [float(cells[j]) for j in usecols]
    except ValueError:
        return None
    return values


class _Columns:
    """Float columns grown block by block: ``X`` (rows x features) and ``y``.

    Rows go straight into preallocated arrays sized from the file size (pages never
    written cost no memory), so the numbers are held once; a longer file than
    guessed regrows them.
    """

    def __init__(self, n_features: int, capacity: int):
        self.n = 0
        self.X = np.empty((capacity, n_features))
        self.y = np.empty(capacity)
        self.lines = np.empty(capacity, dtype=np.int64)

    def reserve(self, m: int, per_row: float, remaining: float | None) -> None:
        if self.n + m <= len(self.y):
            return
        extra = m + BLOCK if remaining is None else remaining / per_row * 1.2 + m
        cap = max(int(self.n + extra), 2 * len(self.y))
        for name in ("X", "y", "lines"):
            old = getattr(self, name)
            new = np.empty((cap, *old.shape[1:]), dtype=old.dtype)
            new[: self.n] = old[: self.n]
            setattr(self, name, new)


def read_numeric_csv(
    path,
    target: str,
    *,
    use_pandas: bool | None = None,
    encoding: str = "utf-8",
    missing: str = "error",
    sep: str | None = None,
    drop=(),
    index_col: str | None = None,
    one_hot: bool = False,
    max_levels: int = MAX_LEVELS,
    text_target: bool = False,
) -> CSVData:
    """Read ``path`` into a numeric feature matrix and target, or raise CSVError.

    The file is read once, block by block: each block is checked and converted to
    floats straight into the result arrays, so peak memory stays near the size of the
    numbers (8 bytes a cell), not of the text.

    Parameters
    ----------
    path : str or path-like
        A CSV file with one header row.
    target : str
        The target column; every other column is a feature.
    use_pandas : bool, default=None
        Convert plain blocks with pandas' C parser (faster), else with ``float``;
        ``None`` uses pandas when installed. Both give the same arrays and the same
        errors: a block either converts cleanly or is read again cell by cell.
    encoding : str, default="utf-8"
        Text encoding (a UTF-8 byte-order mark is skipped).
    missing : {"error", "drop", "impute"}, default="error"
        Missing cells: an error naming the columns; drop the rows that have any;
        or replace missing feature cells by the column mean (rows whose target is
        missing are dropped). What was done is described in ``notes``.
    sep : str, default=None
        The delimiter; ``None`` detects comma, semicolon or tab from the first lines.
    drop : sequence of str, default=()
        Columns to leave out (not read as numbers).
    index_col : str, default=None
        A column of row labels (an id): left out of the features.
    one_hot : bool, default=False
        Encode non-numeric feature columns as one indicator column per distinct
        value (``name=value``); a column with more than ``max_levels`` values is an
        error.
    max_levels : int, default=20
        Most distinct values a column may have under ``one_hot``.
    text_target : bool, default=False
        Accept a non-numeric target: it is then read as text labels (``y`` an object
        array of ``str``, for a classifier), in a second pass over the file.

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
    if use_pandas is None:
        use_pandas = _have_pandas()
    path = Path(path)
    shown = show_name(str(path), 80)
    stream, size = _open_text(path, encoding, shown)
    try:
        with stream:
            return _read(
                stream, size, path, shown, target, use_pandas=use_pandas,
                encoding=encoding, missing=missing, sep=sep, drop=list(drop),
                index_col=index_col, one_hot=one_hot, max_levels=max_levels,
                text_target=text_target,
            )  # fmt: skip
    except UnicodeDecodeError as e:
        raise _decode_error(path, encoding, shown, e) from None


def _have_pandas() -> bool:
    try:
        import pandas  # noqa: F401
    except ImportError:
        return False
    return True


def _read(stream, size, path, shown, target, *, use_pandas, encoding, missing, sep,
          drop, index_col, one_hot, max_levels,
          text_target=False) -> CSVData:  # fmt: skip
    """Read ``stream`` (the file ``path``) into a :class:`CSVData` (see the module)."""
    # Long (about 80 lines): one streaming pass over the file, whose per-row checks
    # share the reader's position for their error messages.
    first = list(itertools.islice(stream, BLOCK))
    skip = 0
    while skip < len(first) and _blank(first[skip]):
        skip += 1
    if skip == len(first):
        raise CSVError(f"{shown} has no header row (only blank lines)")
    notes = []
    if sep is None:
        sample = [line for line in first[skip : skip + 64] if not _blank(line)]
        sep = _detect_sep(sample)
        if sep != ",":
            notes.append(f"read as {_sep_name(sep)}-separated values (--sep to force)")
    records = _Records(first[skip:], stream, sep, skip, shown)
    header = [h.strip() for h in next(iter(records))[0]]
    line_no = skip + records.consumed
    _check_header(header, shown)
    if target not in header:
        raise CSVError(_closest(target, header))
    left_out = _left_out(header, target, drop, index_col, notes)
    if not [h for h in header if h != target and h not in left_out]:
        raise CSVError(f"no feature columns besides the target {show_name(target)}")
    used = [j for j, h in enumerate(header) if h not in left_out]
    t_pos = used.index(header.index(target))
    f_pos = [k for k in range(len(used)) if k != t_pos]
    dest = {k: c for c, k in enumerate(f_pos)}
    active = list(range(len(used)))  # positions in ``used`` still read as numbers
    bad: dict[int, tuple[str, int]] = {}  # position -> first non-number, its line
    convert = _convert_pandas if use_pandas else _convert_stdlib
    rest = first[skip + records.consumed :]
    chars = sum(map(len, rest)) or 1
    per_row = chars / max(len(rest), 1)
    capacity = BLOCK if size is None else int(size / per_row * 1.1) + BLOCK
    cols = _Columns(len(f_pos), max(capacity, 1))
    n_fields = len(header)
    read_so_far = sum(map(len, first))
    block = rest
    while block:
        m = len(block)
        cols.reserve(m, per_row, None if size is None else size - read_so_far)
        values = None
        text = "".join(block)
        if '"' not in text and text.count(sep) == m * (n_fields - 1):
            values = convert(text, m, n_fields, sep, [used[k] for k in active])
        if values is not None:
            _store(cols, values, active, t_pos, f_pos)
            cols.lines[cols.n : cols.n + m] = np.arange(line_no + 1, line_no + m + 1)
            cols.n += m
            line_no += m
        else:  # read again cell by cell: the exact values, errors and line numbers
            records = _Records(block, stream, sep, line_no, shown)
            for row, line in records:
                if len(row) != n_fields:
                    raise CSVError(
                        f"cannot parse {shown}: line {line} has "
                        f"{_plural(len(row), 'field')}, the header has {n_fields}"
                    )
                cols.reserve(1, per_row, None)
                _store_row(cols, row, line, used, active, t_pos, dest, bad)
            line_no += records.consumed
            active = [k for k in active if k not in bad]
        block = list(itertools.islice(stream, BLOCK))
        read_so_far += sum(map(len, block))
    n = cols.n
    if n == 0:
        raise CSVError(f"{shown} has a header but no data rows")
    X, y, lines = cols.X[:n], cols.y[:n], cols.lines[:n]
    names = [header[used[k]] for k in f_pos]
    bad_names = {header[used[k]]: v for k, v in bad.items()}
    if text_target and target in bad_names:
        del bad_names[target]
        y = _text_column(path, encoding, sep, target, n, shown)
    if target in bad_names or (bad_names and not one_hot):
        raise CSVError(_non_numeric(bad_names, target, shown, max_levels))
    _check_finite(X, y, names, target, header, lines, skip=bad_names)
    notes += _row_number_notes(X, names, bad_names)
    if bad_names:
        X, names = _one_hot(
            path, encoding, sep, X, names, bad_names, max_levels, n, shown, notes
        )
    X, y, notes_missing = _handle_missing(X, y, names, target, missing, shown)
    return CSVData(X, y, names, target, n, notes + notes_missing)


def _left_out(header, target, drop, index_col, notes) -> set[str]:
    """Check ``--drop`` and ``--index-col`` names; return the columns not read."""
    for option, names in (
        ("--drop", drop),
        ("--index-col", [index_col] * bool(index_col)),
    ):
        for name in names:
            if name not in header:
                raise CSVError(
                    f"{option} column {show_name(name)} not found"
                    f"{_closest_hint(name, header)}"
                )
            if name == target:
                raise CSVError(f"{option} {show_name(name)} is the target column")
    if index_col and index_col in drop:
        raise CSVError(
            f"{show_name(index_col)} is given to both --drop and --index-col"
        )
    if drop:
        notes.append(f"--drop: left out {_names(list(dict.fromkeys(drop)))}")
    if index_col:
        notes.append(
            f"--index-col: {show_name(index_col)} labels the rows, not a feature"
        )
    return set(drop) | ({index_col} if index_col else set())


def _store(cols, values, active, t_pos, f_pos) -> None:
    """Copy a converted block (columns ``active``) into the result arrays."""
    i, m = cols.n, values.shape[0]
    where = {k: c for c, k in enumerate(active)}
    if t_pos in where:
        cols.y[i : i + m] = values[:, where[t_pos]]
    if len(where) - (t_pos in where) == len(f_pos):
        np.take(
            values,
            [where[k] for k in f_pos],
            axis=1,
            out=cols.X[i : i + m],
            mode="clip",
        )
    else:  # columns already known not to be numbers are skipped
        for c, k in enumerate(f_pos):
            if k in where:
                cols.X[i : i + m, c] = values[:, where[k]]


def _store_row(cols, row, line, used, active, t_pos, dest, bad) -> None:
    """Parse one record's cells (``dest`` maps a position to its column of X)."""
    i = cols.n
    for k in active:
        if k in bad:
            continue
        cell = row[used[k]]
        v = _parse_cell(cell)
        if v is None:
            bad[k] = (cell, line)
        elif k == t_pos:
            cols.y[i] = v
        else:
            cols.X[i, dest[k]] = v
    cols.lines[i] = line
    cols.n += 1


def _row_number_notes(X, names, skip) -> list[str]:
    """Point out a feature holding the row numbers (from 10 rows): an id, maybe."""
    n = X.shape[0]
    notes = []
    for c, h in enumerate(names):
        col = X[:, c]
        if n < 10 or h in skip or col[0] not in (0.0, 1.0):
            continue
        if col[-1] == col[0] + n - 1 and np.array_equal(col, col[0] + np.arange(n)):
            notes.append(
                f"note: column {show_name(h)} holds the row numbers "
                f"{col[0]:g}..{col[-1]:g}; it is used as a feature: if it is an id, "
                f"pass --index-col {_arg(h)}"
            )
    return notes


def _check_finite(X, y, names, target, header, lines, skip=()) -> None:
    """Infinite or huge cells, checked column by column in the header's order."""
    columns = dict(zip(names, X.T, strict=True))
    if y.dtype != object:  # text labels have nothing to check
        columns[target] = y
    for h in header:
        if h not in columns or h in skip:
            continue
        col = columns[h]
        inf = np.isinf(col)
        if inf.any():
            raise CSVError(
                f"infinite value in column {show_name(h)} on line "
                f"{lines[int(np.argmax(inf))]}"
            )
        huge = np.abs(col) > LARGEST  # NaN compares False
        if huge.any():
            i = int(np.argmax(huge))
            raise CSVError(
                f"value {col[i]:.3g} in column {show_name(h)} on line "
                f"{lines[i]} is too large: beyond {LARGEST:g} its square overflows "
                "float64; rescale the column"
            )


def _text_column(path, encoding, sep, name, n, shown):
    """Read column ``name`` as text labels (``None`` where missing), second pass."""
    if not path.is_file():
        raise CSVError(f"a text target is read from {shown} twice: give a regular file")
    codec = _text_codec(encoding)
    out = np.empty(n, dtype=object)
    with open(
        path, encoding="utf-8-sig" if codec == "utf-8" else codec, newline=""
    ) as f:
        reader = (row for row in csv.reader(f, delimiter=sep) if row)
        j = [h.strip() for h in next(reader)].index(name)
        for i, row in enumerate(reader):
            cell = row[j].strip()
            out[i] = None if cell in _NA else cell
    return out


def _one_hot(path, encoding, sep, X, names, text, max_levels, n, shown, notes):
    """Replace the ``text`` columns by indicator columns, read in a second pass."""
    if not path.is_file():
        raise CSVError(f"--one-hot reads {shown} twice: give a regular file")
    j_text = {h: None for h in text}
    codes = {h: np.empty(n, dtype=np.int64) for h in text}
    levels: dict[str, dict[str, int]] = {h: {} for h in text}
    name = _text_codec(encoding)
    with open(path, encoding="utf-8-sig" if name == "utf-8" else name, newline="") as f:
        reader = (row for row in csv.reader(f, delimiter=sep) if row)
        header = [h.strip() for h in next(reader)]
        for h in text:
            j_text[h] = header.index(h)
        for i, row in enumerate(reader):
            for h, j in j_text.items():
                cell = row[j].strip()
                if cell in _NA:
                    codes[h][i] = -1
                    continue
                seen = levels[h]
                code = seen.get(cell)
                if code is None:
                    if len(seen) == max_levels:
                        raise CSVError(
                            f"column {show_name(h)} has more than {max_levels} "
                            f"distinct values (--one-hot encodes at most "
                            f"--max-levels {max_levels}): an id or free text? pass "
                            f"--drop {_arg(h)} or --index-col {_arg(h)}, or raise "
                            "--max-levels"
                        )
                    code = seen[cell] = len(seen)
                codes[h][i] = code
    blocks, new_names = [], []
    for c, h in enumerate(names):
        if h not in text:
            blocks.append(X[:, [c]])
            new_names.append(h)
            continue
        order = sorted(levels[h], key=str)
        remap = np.empty(len(order), dtype=np.int64)
        for new, level in enumerate(order):
            remap[levels[h][level]] = new
        dummies = np.zeros((n, len(order)))
        ok = codes[h] >= 0
        dummies[np.nonzero(ok)[0], remap[codes[h][ok]]] = 1.0
        dummies[~ok] = np.nan
        blocks.append(dummies)
        new_names += [f"{h}={level}" for level in order]
    detail = ", ".join(
        f"{show_name(h)} ({_plural(len(levels[h]), 'level')})" for h in text
    )
    notes.append(f"--one-hot: encoded {detail} as indicator columns")
    return np.hstack(blocks), new_names


def _non_numeric(bad, target, shown, max_levels=MAX_LEVELS) -> str:
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
        f"on line {bad[first][1]}); skreg encodes nothing silently: pass --one-hot "
        f"to encode {it} (at most {max_levels} distinct values each), --drop "
        f"{_arg(first)} to leave {it} out, or --index-col {_arg(first)} for an id "
        "column"
    )


def _arg(name: str) -> str:
    """Quote a column name as a shell argument for a message (when it needs it)."""
    import shlex

    quoted = shlex.quote(name)
    return (
        quoted if name.isprintable() and len(quoted) <= NAME_WIDTH else show_name(name)
    )


def _handle_missing(X, y, features, target, missing, shown):
    na_X = np.isnan(X)
    na_y = np.isnan(y) if y.dtype != object else np.array([v is None for v in y])
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
