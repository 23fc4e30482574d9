"""``skreg report`` on real CSVs: delimiters, id and text columns, solver options,
streaming (both block converters agree with the cell-by-cell definition) and memory.
"""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from skreg import cli
from skreg.datasets import _csv

ROOT = Path(__file__).resolve().parents[1]
FAST = ["--n-bootstrap", "4", "--cv", "3", "--l1-ratio", "1.0"]


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(argv, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def table(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    y = 2 * X[:, 0] - X[:, 2] + 0.1 * rng.standard_normal(n)
    return X, y


@pytest.mark.parametrize("sep", [";", "\t"])
def test_a_semicolon_or_tab_file_is_detected(tmp_path, sep):
    X, y = table()
    path = tmp_path / "longley.csv"
    lines = [sep.join(["Obs", "TOTEMP", "GNP", "POP"])]
    lines += [sep.join(f"{v:.6g}" for v in (i + 1, t, *x[:2])) for i, (x, t) in
              enumerate(zip(X, y, strict=True))]  # fmt: skip
    path.write_text("\n".join(lines) + "\n")
    js = tmp_path / "r.json"
    status, out, err = run(
        [str(path), "--target", "TOTEMP", "--index-col", "Obs", "--json", str(js),
         *FAST]
    )  # fmt: skip
    assert status == 0, err
    name = {";": "semicolon", "\t": "tab"}[sep]
    assert f"read as {name}-separated values (--sep to force)" in out
    data = json.loads(js.read_text())
    assert data["feature_names"] == ["GNP", "POP"]
    # --sep forces the delimiter: a comma here finds one column only.
    status, out, err = run([str(path), "--target", "TOTEMP", "--sep", ",", *FAST])
    assert status == 2 and err.count("\n") == 1
    assert "target column 'TOTEMP' not found" in err


def id_and_text_file(path, n=40):
    X, y = table(n)
    cities = ["paris", "rome", "oslo"]
    lines = ["id,x1,city,x2,x3,price"]
    for i in range(n):
        lines.append(
            f"P{i:03d},{X[i, 0]:.6g},{cities[i % 3]},{X[i, 1]:.6g},{X[i, 2]:.6g},"
            f"{y[i]:.6g}"
        )
    path.write_text("\n".join(lines) + "\n")
    return path


def test_id_and_text_columns_fail_clearly_without_the_options(tmp_path):
    path = id_and_text_file(tmp_path / "shop.csv")
    status, out, err = run([str(path), "--target", "price", *FAST])
    assert status == 2 and out == "" and err.count("\n") == 1
    assert "non-numeric columns in " in err and "'id', 'city' (e.g. 'P000'" in err
    assert "--one-hot" in err and "--drop id" in err and "--index-col id" in err
    # --index-col alone: the city column is still named, with the option to use.
    status, _, err = run([str(path), "--target", "price", "--index-col", "id", *FAST])
    assert status == 2 and "non-numeric column in " in err and "--one-hot" in err
    # --one-hot alone: the id has 40 distinct values, more than the cap.
    status, _, err = run([str(path), "--target", "price", "--one-hot", *FAST])
    assert status == 2 and err.count("\n") == 1
    assert "column 'id' has more than 20 distinct values" in err
    assert "--drop id or --index-col id" in err


def test_id_and_text_columns_work_with_the_options(tmp_path):
    path = id_and_text_file(tmp_path / "shop.csv")
    js = tmp_path / "r.json"
    status, out, err = run(
        [str(path), "--target", "price", "--index-col", "id", "--one-hot", "--json",
         str(js), *FAST]
    )  # fmt: skip
    assert status == 0, err
    assert "--one-hot: encoded 'city' (3 levels) as indicator columns" in out
    assert "--index-col: 'id' labels the rows, not a feature" in out
    data = json.loads(js.read_text())
    assert data["feature_names"] == [
        "x1", "city=oslo", "city=paris", "city=rome", "x2", "x3"
    ]  # fmt: skip
    d = cli._read(path, "price", index_col="id", one_hot=True)
    city = np.array(["paris", "rome", "oslo"] * 14)[:40]
    for j, level in enumerate(["oslo", "paris", "rome"], start=1):
        np.testing.assert_array_equal(d.X[:, j], (city == level).astype(float))
    X, y = table()
    np.testing.assert_allclose(d.X[:, [0, 4, 5]], X, rtol=1e-5)
    # --drop instead of --index-col, and a cap that the city column exceeds.
    d = cli._read(path, "price", drop=["id", "city"])
    assert d.feature_names == ["x1", "x2", "x3"]
    status, _, err = run(
        [str(path), "--target", "price", "--drop", "id", "--one-hot", "--max-levels",
         "2", *FAST]
    )  # fmt: skip
    assert status == 2 and "column 'city' has more than 2 distinct values" in err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--drop", "idd"], "--drop column 'idd' not found; did you mean 'id'?"),
        (["--index-col", "price"], "--index-col 'price' is the target column"),
        (["--drop", "id", "--index-col", "id"], "given to both --drop and --index-col"),
        (["--drop", "id", "x1", "city", "x2", "x3"], "no feature columns besides"),
    ],
)
def test_bad_column_options(tmp_path, args, expected):
    path = id_and_text_file(tmp_path / "shop.csv")
    status, out, err = run([str(path), "--target", "price", *args, *FAST])
    assert status == 2 and out == "" and err.count("\n") == 1
    assert expected in err


def test_max_iter_and_tol_reach_the_model(tmp_path, monkeypatch):
    from skreg.reports import FeatureSelectionReport

    seen = {}

    def capture(estimator, *args, **kwargs):
        seen.update(estimator[-1].get_params())
        raise KeyboardInterrupt  # stop before fitting

    monkeypatch.setattr(FeatureSelectionReport, "from_estimator", capture)
    path = id_and_text_file(tmp_path / "shop.csv")
    status, _, _ = run(
        [str(path), "--target", "price", "--drop", "id", "city", "--max-iter", "77",
         "--tol", "1e-3", *FAST]
    )  # fmt: skip
    assert status == 130
    assert seen["max_iter"] == 77 and seen["tol"] == 1e-3
    status, _, err = run([str(path), "--target", "price", "--tol", "0"])
    assert status == 2 and "--tol must be > 0" in err


AWKWARD = ["1e", "1.5.3", "1_000", " 2 ", "+3", "-.5", ".5", "5.", "0x10", "1e-320",
           "nan", "NaN", "NA", "", "True", "false", "1,5", "inf", "-Infinity", "1e400",
           "abc", "１２"]  # fmt: skip


@pytest.mark.parametrize("cell", AWKWARD)
def test_both_converters_follow_the_cell_definition(tmp_path, cell):
    pytest.importorskip("pandas")
    # One awkward cell among plain ones, in a block the fast converters try first.
    rows = [f"{i},{i * 0.5},{i % 7}" for i in range(50)]
    rows[30] = f"30,{cell},2" if "," not in cell else f'30,"{cell}",2'
    path = tmp_path / "awkward.csv"
    path.write_text("a,b,y\n" + "\n".join(rows) + "\n")
    results = []
    for use_pandas in (True, False):
        try:
            d = _csv.read_numeric_csv(
                path, "y", use_pandas=use_pandas, missing="impute"
            )
            results.append(("ok", d.X.tobytes(), d.y.tobytes(), d.notes))
        except _csv.CSVError as e:
            results.append(("error", str(e)))
    assert results[0] == results[1]
    expected = _csv._parse_cell(cell)
    if results[0][0] == "ok" and expected is not None and np.isfinite(expected):
        X = np.frombuffer(results[0][1]).reshape(50, 2)
        assert X[30, 1] == expected


def test_many_blocks_quotes_and_blank_lines_match_the_csv_module(tmp_path):
    # Longer than one block, with a quoted multi-line cell across a block boundary,
    # blank lines, CRLF ends and full-precision values: exact floats, exact lines.
    rng = np.random.default_rng(3)
    n = 2 * _csv.BLOCK + 100
    values = rng.standard_normal((n, 3)) * 10.0 ** rng.integers(-30, 30, (n, 3))
    lines = ['"note",a,b,y']
    for i, (a, b, t) in enumerate(values):
        note = "x\r\ny" if i == _csv.BLOCK - 3 else f"r{i}"
        lines.append(f'"{note}",{float(a)!r},{float(b)!r},{float(t)!r}')
        if i % 5000 == 4:
            lines.append("")
    path = tmp_path / "long.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    for use_pandas in (True, False):
        d = _csv.read_numeric_csv(path, "y", use_pandas=use_pandas, drop=["note"])
        np.testing.assert_array_equal(d.X, values[:, :2])
        np.testing.assert_array_equal(d.y, values[:, 2])
    # An error far down names its physical line (lines count from 1).
    text = path.read_bytes().decode().split("\r\n")
    k = len(text) - 50
    cells = text[k].split(",")
    cells[1] = "inf"
    text[k] = ",".join(cells)
    path.write_bytes("\r\n".join(text).encode())
    for use_pandas in (True, False):
        with pytest.raises(
            _csv.CSVError, match=rf"infinite value in column 'a' on line {k + 1}$"
        ):
            _csv.read_numeric_csv(path, "y", use_pandas=use_pandas, drop=["note"])


MEMORY_CHILD = r"""
import resource, sys
import numpy as np
from skreg.datasets import default_csv_path
from skreg.datasets._csv import read_numeric_csv

# A first small read loads what the reader imports lazily (pandas' parser modules):
# libraries, not the reader's memory.
read_numeric_csv(default_csv_path(), "target", use_pandas=sys.argv[2] == "1")

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()

base = rss()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
data = read_numeric_csv(sys.argv[1], "y", use_pandas=sys.argv[2] == "1")
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(max(base, before), peak, data.X.shape[0])
"""


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs /proc")
@pytest.mark.parametrize("use_pandas", [False, True])
def test_reading_peaks_near_the_numeric_data_not_the_text(tmp_path, use_pandas):
    if use_pandas:
        pytest.importorskip("pandas")
    # 40 000 x 20 cells, 8 bytes each: 6.4 MB of numbers in a 7.8 MB file. The old
    # reader (every cell a Python string) peaked at about 14x the file above the
    # baseline; the limit is 2x the numeric data plus 25 MB for the converters'
    # blocks and the interpreter's allocations.
    rng = np.random.default_rng(0)
    rows, cols = 40_000, 20
    path = tmp_path / "big.csv"
    with open(path, "w") as f:
        f.write(",".join([f"x{j}" for j in range(cols - 1)] + ["y"]) + "\n")
        np.savetxt(f, rng.standard_normal((rows, cols)), fmt="%.8f", delimiter=",")
    numeric = rows * cols * 8
    res = subprocess.run(
        [sys.executable, "-c", MEMORY_CHILD, str(path), str(int(use_pandas))],
        capture_output=True, text=True, timeout=120, check=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )  # fmt: skip
    base, peak, n = map(int, res.stdout.split())
    assert n == rows
    assert peak - base < 2 * numeric + 25e6, (peak - base) / numeric


def test_a_numeric_row_number_column_is_pointed_out(tmp_path):
    X, y = table()
    path = tmp_path / "obs.csv"
    lines = ["Obs,a,b,y"] + [
        f"{i + 1},{x[0]:.6g},{x[1]:.6g},{t:.6g}"
        for i, (x, t) in enumerate(zip(X, y, strict=True))
    ]
    path.write_text("\n".join(lines) + "\n")
    status, out, err = run([str(path), "--target", "y", *FAST])
    assert status == 0, err
    assert (
        "note: column 'Obs' holds the row numbers 1..40; it is used as a feature: if "
        "it is an id, pass --index-col Obs"
    ) in out
    status, out, err = run([str(path), "--target", "y", "--index-col", "Obs", *FAST])
    assert status == 0, err
    assert "row numbers" not in out
