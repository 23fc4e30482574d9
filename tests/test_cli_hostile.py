"""``skreg report`` on broken input: one clear line, a non-zero status, no files.

Each broken file runs through both readers (pandas and the standard library), which
must print the same line. Every run asks for ``--html`` and ``--json`` next to the
input, and the directory must hold nothing else afterwards: no output, no temporary
file.
"""

import io
import json
import os
import stat
import struct
import zlib

import numpy as np
import pytest

from skreg import cli

FAST = ["--n-bootstrap", "4", "--cv", "3", "--l1-ratio", "1.0"]
pytest.importorskip("pandas")


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(argv, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def numeric_rows(n=12, p=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.standard_normal(n)
    return [[f"{v:.6g}" for v in row] for row in np.column_stack([X, y])]


def csv_text(header, rows):
    return "\n".join(",".join(r) for r in [header, *rows]) + "\n"


def png_bytes():
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", idat)
        + chunk(b"IEND", b"")
    )


GOOD = csv_text(["a", "b", "c", "price"], numeric_rows())
BAD_CELLS = numeric_rows()
BAD_CELLS[4][2] = ""  # c, line 6
BAD_CELLS[7][2] = "NA"  # c, line 9
BAD_CELLS[2][0] = "nan"  # a, line 4
NON_NUMERIC = [r[:3] + [f"city{i % 3}", "x" if i == 5 else "1", r[3]]
               for i, r in enumerate(numeric_rows())]  # fmt: skip
MANY = numeric_rows(p=13)
MANY_HEADER = [f"f{j:02d}" for j in range(13)] + ["price"]
for row in MANY:
    row[1:13] = ["?"] * 12
DUPLICATE = csv_text(["a", "b", "a", "price"], numeric_rows())
RAGGED = numeric_rows()
RAGGED[3] = RAGGED[3][:2]

# (id, file bytes or None for no file, extra arguments, expected part of the message)
CASES = [
    ("missing file", None, [], "no such file: '"),
    ("directory", "DIR", [], "is a directory, not a CSV file"),
    ("empty file", b"", [], "is empty (0 bytes)"),
    ("blank lines only", b"\n\n\r\n", [], "has no header row (only blank lines)"),
    ("header only", b"a,b,price\n", [], "has a header but no data rows"),
    ("random bytes", bytes(np.random.default_rng(0).integers(0, 256, 600,
     dtype=np.uint8)) + b"\x00", [], "is not a CSV text file: binary content (a NUL"),
    ("png image", png_bytes(), [], "is not a CSV text file: it looks like a PNG image"),
    ("xlsx", b"PK\x03\x04" + b"\x00" * 40, [], "a ZIP archive (an .xlsx workbook?"),
    ("utf-16", GOOD.encode("utf-16"), [], "looks like UTF-16 text (byte-order mark); "
     "pass --encoding utf-16"),
    ("latin-1", csv_text(["prix_\xe9", "b", "c", "price"], numeric_rows()).encode(
     "latin-1"), [], "is not valid utf-8 text (byte 0xe9 on line 1); pass its "
     "encoding, e.g. --encoding latin-1 or --encoding cp1252"),
    ("unknown encoding", GOOD.encode(), ["--encoding", "klingon"],
     "unknown encoding 'klingon' (--encoding)"),
    ("binary codec", GOOD.encode(), ["--encoding", "hex"], "'hex' is not a text "
     "encoding (--encoding): give one such as utf-8, latin-1 or cp1252"),
    ("latin-1 late in the file", (GOOD + "1,2,3,caf\xe9\n").encode("latin-1"), [],
     "is not valid utf-8 text (byte 0xe9 on line 14)"),
    ("misspelt target", GOOD.encode(), ["--target", "prise"],
     "target column 'prise' not found; did you mean 'price'? (columns: 'a', 'b', "
     "'c', 'price')"),
    ("target in the wrong case", GOOD.encode(), ["--target", "PRICE"],
     "did you mean 'price'?"),
    ("absent target", GOOD.encode(), ["--target", "zzz"],
     "target column 'zzz' not found (columns: 'a', 'b', 'c', 'price')"),
    ("non-numeric features", csv_text(["a", "b", "c", "city", "flag", "price"],
     NON_NUMERIC).encode(), [], "non-numeric columns in '{path}': 'city', 'flag' "
     "(e.g. 'city0' in 'city' on line 2); skreg encodes nothing silently: pass "
     "--one-hot to encode them (at most 20 distinct values each), --drop city to "
     "leave them out, or --index-col city for an id column"),
    ("many non-numeric features", csv_text(MANY_HEADER, MANY).encode(), [],
     "'f01', 'f02', 'f03', 'f04', 'f05', 'f06', 'f07', 'f08', 'f09', 'f10' and 2 "
     "more (e.g. '?'"),
    # A text target is read as class labels (issue 21); one label is nothing to fit.
    ("constant text target", csv_text(["a", "b", "c", "price"], [r[:3] + ["abc"]
     for r in numeric_rows()]).encode(), [], "target 'price' is constant (every row "
     "is abc): nothing to explain"),
    ("missing cells", csv_text(["a", "b", "c", "price"], BAD_CELLS).encode(), [],
     "missing values in 2 columns of '{path}': 'a' (1 of 12 rows), 'c' (2 of 12 "
     "rows); pass --missing drop (drop those rows) or --missing impute"),
    ("single row", csv_text(["a", "b", "price"], [["1", "2", "3"]]).encode(), [],
     "only 1 data row in '{path}': 3-fold cross-validation needs at least 6 (--cv)"),
    ("constant target", csv_text(["a", "b", "c", "price"], [r[:3] + ["3"]
     for r in numeric_rows()]).encode(), [], "target 'price' is constant (every row "
     "is 3): nothing to explain"),
    ("duplicate names", DUPLICATE.encode(), [], "duplicate column name 'a' in "
     "'{path}' (columns 1 and 3): column names must be unique"),
    ("unnamed column", csv_text(["", "b", "c", "price"], numeric_rows()).encode(),
     [], "column 1 of the header of '{path}' has no name (an unnamed index column"),
    ("ragged row", csv_text(["a", "b", "c", "price"], RAGGED).encode(), [],
     "cannot parse '{path}': line 5 has 2 fields, the header has 4"),
    ("infinite cell", csv_text(["a", "b", "c", "price"], [r[:2] + ["inf", r[3]]
     for r in numeric_rows()]).encode(), [], "infinite value in column 'c' on line 2"),
    ("huge cell", csv_text(["a", "b", "c", "price"], [r[:1] + ["-1e200", *r[2:]]
     if i == 1 else r for i, r in enumerate(numeric_rows())]).encode(), [],
     "value -1e+200 in column 'b' on line 3 is too large: beyond 1e+150 its square "
     "overflows float64; rescale the column"),
    ("target only", csv_text(["price"], [["1"], ["2"]]).encode(), [],
     "no feature columns besides the target 'price'"),
    ("drop leaves nothing", csv_text(["a", "b", "price"], [["", "1", "2"],
     ["1", "", "3"]]).encode(), ["--missing", "drop"], "every row of '{path}' has a "
     "missing value ('a' (1 of 2 rows), 'b' (1 of 2 rows)): nothing left"),
    ("impute an empty column", csv_text(["a", "b", "c", "price"], [r[:2] + ["", r[3]]
     for r in numeric_rows()]).encode(), ["--missing", "impute"],
     "nothing to impute from: 'c' has no values (--missing impute)"),
]  # fmt: skip


def _run_case(tmp_path, content, extra, use_pandas, without_pandas):
    if not use_pandas:
        without_pandas()
    work = tmp_path / ("pandas" if use_pandas else "stdlib")
    work.mkdir()
    path = work / "data.csv"
    if content == "DIR":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    before = sorted(os.listdir(work))
    args = [str(path), "--target", "price", *FAST, "--html", str(work / "r.html")]
    args += ["--json", str(work / "r.json"), *extra]
    status, out, err = run(args)
    assert sorted(os.listdir(work)) == before, "an output or temporary file was left"
    return status, out, err, str(path)


@pytest.mark.parametrize(
    ("content", "extra", "expected"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_broken_input_gives_one_line_and_status_2(
    tmp_path, without_pandas, content, extra, expected
):
    results = []
    for use_pandas in (True, False):
        status, out, err, path = _run_case(
            tmp_path, content, extra, use_pandas, without_pandas
        )
        assert status == 2, err
        assert out == ""  # nothing printed before the error: it comes before fitting
        assert err.startswith("skreg report: error: ") and err.endswith("\n")
        assert err.count("\n") == 1 and "Traceback" not in err
        assert expected.format(path=path) in err, err
        results.append(err.replace(path, "PATH"))
    assert results[0] == results[1], "pandas and the standard library disagree"


def test_broken_input_in_a_subprocess_has_no_traceback(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    path = tmp_path / "image.csv"
    path.write_bytes(png_bytes())
    root = Path(__file__).resolve().parents[1]
    res = subprocess.run(
        [sys.executable, "-m", "skreg", str(path), "--target", "y"],
        capture_output=True, text=True, timeout=120,
        env=dict(os.environ, PYTHONPATH=str(root)), cwd=tmp_path,
    )  # fmt: skip
    assert res.returncode == 2 and res.stdout == ""
    assert res.stderr.startswith("skreg report: error: ")
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr


def test_cv_below_two_is_a_usage_error(capsys):
    status, out, _ = run(["--cv", "1"])
    assert status == 2 and out == ""
    assert "argument --cv: must be >= 2, got 1" in capsys.readouterr().err


# -- options that make broken files usable -------------------------------------------
@pytest.mark.parametrize("use_pandas", [True, False])
def test_encoding_option_reads_latin_1(tmp_path, without_pandas, use_pandas):
    if not use_pandas:
        without_pandas()
    path = tmp_path / "latin.csv"
    path.write_bytes(
        csv_text(["prix_\xe9", "b", "c", "price"], numeric_rows()).encode("latin-1")
    )
    js = tmp_path / "r.json"
    status, out, err = run(
        [str(path), "--target", "price", "--encoding", "latin-1", "--json", str(js),
         *FAST]
    )  # fmt: skip
    assert status == 0, err
    assert "prix_\xe9" in out
    data = json.loads(js.read_bytes().decode("utf-8"))
    assert data["feature_names"] == ["prix_\xe9", "b", "c"]
    assert "prix_\xe9" in js.read_text(encoding="utf-8")  # UTF-8, not \\u escapes


def test_utf16_with_the_encoding_option(tmp_path):
    path = tmp_path / "u16.csv"
    path.write_bytes(GOOD.encode("utf-16"))
    status, out, err = run([str(path), "--target", "price", "--encoding", "utf-16",
                            *FAST])  # fmt: skip
    assert status == 0, err
    assert "Data: 12 rows, 3 features" in out


@pytest.mark.parametrize("use_pandas", [True, False])
@pytest.mark.parametrize(
    ("option", "announced", "rows"),
    [
        ("drop", "--missing drop: dropped 3 rows of 12 with missing values ('a' (1 "
         "of 12 rows), 'c' (2 of 12 rows))", 9),
        ("impute", "--missing impute: replaced 3 missing values by column means "
         "('a' (1), 'c' (2)); the means use every row", 12),
    ],
)  # fmt: skip
def test_missing_option_is_announced(
    tmp_path, without_pandas, use_pandas, option, announced, rows
):
    if not use_pandas:
        without_pandas()
    path = tmp_path / "na.csv"
    path.write_text(csv_text(["a", "b", "c", "price"], BAD_CELLS))
    html, js = tmp_path / "r.html", tmp_path / "r.json"
    status, out, err = run(
        [str(path), "--target", "price", "--missing", option, "--html", str(html),
         "--json", str(js), *FAST]
    )  # fmt: skip
    assert status == 0, err
    assert announced in out  # on the console, before the report
    assert f"Data: {rows} rows, 3 features" in out
    assert "Input      : " + announced[:30] in out  # and in the text report
    data = json.loads(js.read_text(encoding="utf-8"))
    assert data["provenance"]["n_samples"] == rows
    assert data["provenance"]["input_notes"] == [announced + data["provenance"][
        "input_notes"][0][len(announced):]]  # fmt: skip
    assert "<dt>Input</dt><dd>--missing " + option in html.read_text(encoding="utf-8")


def test_impute_drops_rows_with_a_missing_target(tmp_path):
    rows = numeric_rows()
    rows[0][3] = ""
    rows[1][0] = ""
    path = tmp_path / "na.csv"
    path.write_text(csv_text(["a", "b", "c", "price"], rows))
    status, out, err = run(
        [str(path), "--target", "price", "--missing", "impute", *FAST]
    )
    assert status == 0, err
    assert (
        "--missing impute: dropped 1 row of 12 whose target 'price' is missing" in out
    )
    assert "--missing impute: replaced 1 missing value by column means ('a' (1))" in out
    assert "Data: 11 rows, 3 features" in out


def test_readers_agree_on_awkward_but_valid_files(tmp_path):
    # BOM, CRLF line ends, quoted fields, blank lines, spaces around numbers and
    # names, booleans, NA spellings.
    text = (
        '\ufeff a ,"b, quoted",flag,price\r\n'
        "1, 2.5,True,3\r\n\r\n"
        "2,-1e-3,false,4\r\n"
        "3,NA,TRUE,5\r\n"
        "4,7,False,1\r\n"
    )
    path = tmp_path / "awkward.csv"
    path.write_bytes(text.encode("utf-8"))
    a = cli._read(path, "price", use_pandas=True, missing="impute")
    b = cli._read(path, "price", use_pandas=False, missing="impute")
    assert a.feature_names == b.feature_names == ["a", "b, quoted", "flag"]
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert a.notes == b.notes and len(a.notes) == 1


# -- output files: all or nothing ----------------------------------------------------
@pytest.fixture
def good_csv(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text(csv_text(["a", "b", "c", "price"], numeric_rows(n=30)))
    return path


def _listing(directory):
    return sorted(p.name for p in directory.iterdir())


def test_outputs_get_the_usual_permissions(good_csv, tmp_path):
    html, js = tmp_path / "r.html", tmp_path / "r.json"
    status, _, err = run(
        [str(good_csv), "--target", "price", "--html", str(html), "--json", str(js),
         *FAST]
    )  # fmt: skip
    assert status == 0, err
    umask = os.umask(0o022)
    os.umask(umask)
    for path in (html, js):
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    assert _listing(tmp_path) == ["data.csv", "r.html", "r.json"]


@pytest.mark.parametrize("existing", [False, True])
@pytest.mark.parametrize("stage", ["write", "rename", "render"])
def test_a_failure_after_fitting_leaves_no_output(
    good_csv, tmp_path, monkeypatch, stage, existing
):
    html, js = tmp_path / "r.html", tmp_path / "r.json"
    if existing:
        html.write_text("old html")
        js.write_text("old json")
    if stage == "write":  # the disk fills up while writing the second file
        real = os.fdopen
        calls = []

        def fdopen(fd, *args, **kwargs):
            calls.append(fd)
            if len(calls) == 2:
                os.close(fd)
                raise OSError(28, "No space left on device")
            return real(fd, *args, **kwargs)

        monkeypatch.setattr(os, "fdopen", fdopen)
    elif stage == "rename":  # the first rename succeeds, the second fails
        real = os.replace

        def replace(src, dst):
            if str(dst) == str(js):
                raise OSError(13, "Permission denied")
            return real(src, dst)

        monkeypatch.setattr(os, "replace", replace)
    else:
        from skreg.reports import FeatureSelectionReport

        def boom(self, *args, **kwargs):
            raise ValueError("rendering failed\non two lines")

        monkeypatch.setattr(FeatureSelectionReport, "to_json", boom)
    status, out, err = run(
        [str(good_csv), "--target", "price", "--html", str(html), "--json", str(js),
         *FAST]
    )  # fmt: skip
    assert err.count("\n") == 1 and "Traceback" not in err, err
    if stage == "render":
        assert status == 1
        assert err == (
            "skreg report: error: ValueError: rendering failed on two lines (--debug "
            "or SKREG_DEBUG=1 shows the traceback)\n"
        )
    else:
        assert status == 2
        assert "; no output file written" in err
        assert ("No space left" if stage == "write" else "Permission denied") in err
    if existing:
        assert html.read_text() == "old html" and js.read_text() == "old json"
        assert _listing(tmp_path) == ["data.csv", "r.html", "r.json"]
    else:
        assert _listing(tmp_path) == ["data.csv"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--html", "{dir}/missing/r.html"], "cannot write '{dir}/missing/r.html': "
         "no such directory '{dir}/missing'"),
        (["--json", "{dir}"], "cannot write '{dir}': it is a directory"),
        (["--html", "{dir}/data.csv"], "--html '{dir}/data.csv' would overwrite the "
         "input data"),
        (["--html", "{dir}/same", "--json", "{dir}/./same"],
         "--html and --json name the same file"),
    ],
)  # fmt: skip
def test_bad_output_paths_fail_before_fitting(good_csv, tmp_path, args, expected):
    before = good_csv.read_bytes()
    args = [a.format(dir=tmp_path) for a in args]
    status, out, err = run([str(good_csv), "--target", "price", *args, *FAST])
    assert status == 2 and out == "" and err.count("\n") == 1
    assert expected.format(dir=tmp_path) in err
    assert good_csv.read_bytes() == before
    assert _listing(tmp_path) == ["data.csv"]


@pytest.mark.parametrize("unbuffered", [True, False])
def test_closed_stdout_is_quiet_and_the_files_are_written(
    good_csv, tmp_path, unbuffered
):
    # ``skreg report ... --html r.html | head``: the reader goes away early. Without
    # buffering the first line already fails; with it, the final flush.
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONPATH=str(root))
    env.pop("PYTHONUNBUFFERED", None)
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    html = tmp_path / "r.html"
    proc = subprocess.Popen(
        [sys.executable, "-m", "skreg", str(good_csv), "--target", "price",
         "--html", str(html), *FAST],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        cwd=tmp_path,
    )  # fmt: skip
    proc.stdout.close()  # before the child writes anything
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=120) == 1
    assert err == ""  # no "BrokenPipeError", no "Exception ignored"
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert _listing(tmp_path) == ["data.csv", "r.html"]
