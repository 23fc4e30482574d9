"""The ``skreg`` command: report on the bundled data and on a CSV, errors, search."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from skreg import cli
from skreg.datasets import default_csv_path, load_default

ROOT = Path(__file__).resolve().parents[1]
FAST = ["--n-bootstrap", "6", "--cv", "3", "--l1-ratio", "1.0"]


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(argv, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def write_csv(path, header, rows):
    path.write_text(
        ",".join(header) + "\n" + "\n".join(",".join(map(str, r)) for r in rows) + "\n"
    )
    return path


@pytest.fixture(scope="module")
def csv_file(tmp_path_factory):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 5))
    y = 2 * X[:, 0] - X[:, 3] + 0.1 * rng.standard_normal(60)
    path = tmp_path_factory.mktemp("data") / "data.csv"
    return write_csv(
        path, ["a", "b", "c", "d", "e", "outcome"], np.column_stack([X, y]).tolist()
    )


def test_bundled_csv_is_the_diabetes_data():
    from sklearn.datasets import load_diabetes

    ref = load_diabetes()
    data = load_default()
    np.testing.assert_array_equal(data.data, ref.data)
    np.testing.assert_array_equal(data.target, ref.target)
    assert data.feature_names == list(ref.feature_names)
    assert default_csv_path().read_text().splitlines()[0].endswith(",target")


def test_default_runs_the_report_on_the_bundled_data(tmp_path):
    status, out, err = run(["--n-bootstrap", "6", "--cv", "3"])
    assert status == 0, err
    assert "bundled data" in out and "442 samples x 10 features" in out
    assert "Stability selection" in out and "Diagnostics" in out
    assert "bmi" in out and "s5" in out
    assert max(len(line) for line in out.splitlines()) <= 100


def test_report_on_a_csv_with_html_and_json(csv_file, tmp_path):
    html, js = tmp_path / "out.html", tmp_path / "out.json"
    status, out, err = run(
        ["report", str(csv_file), "--target", "outcome", "--html", str(html),
         "--json", str(js), *FAST]
    )  # fmt: skip
    assert status == 0, err
    data = json.loads(js.read_text())
    assert data["provenance"]["target"] == "outcome"
    assert data["feature_names"] == ["a", "b", "c", "d", "e"]
    assert {"a", "d"} <= set(data["selected"])
    assert html.read_text().startswith("<!DOCTYPE html>")
    assert f"Wrote HTML report to {html}" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.html", "out.json"]


def test_stdlib_reader_matches_pandas(csv_file):
    pytest.importorskip("pandas")
    a = cli.read_csv(csv_file, "outcome", use_pandas=True)
    b = cli.read_csv(csv_file, "outcome", use_pandas=False)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert a[2] == b[2]


def test_report_without_pandas(csv_file, monkeypatch, without_pandas):
    """Without pandas the report reads the CSV with the standard library. (A CLI
    that imported pandas at module import, or kept it from an earlier call, would
    take the pandas converter here.)"""
    import skreg.datasets._csv as csv_module

    pytest.importorskip("pandas")
    calls = {"pandas": 0, "stdlib": 0}

    def spy(name, convert):
        def counted(*args):
            calls[name] += 1
            return convert(*args)

        return counted

    monkeypatch.setattr(
        csv_module, "_convert_pandas", spy("pandas", csv_module._convert_pandas)
    )
    monkeypatch.setattr(
        csv_module, "_convert_stdlib", spy("stdlib", csv_module._convert_stdlib)
    )
    status, out, err = run([str(csv_file), "--target", "outcome", *FAST])
    assert status == 0, err
    assert calls["pandas"] > 0  # installed: the spies see the pandas converter
    calls.update(pandas=0, stdlib=0)
    without_pandas()
    with pytest.raises(ImportError):
        import pandas  # noqa: F401
    status, out, err = run([str(csv_file), "--target", "outcome", *FAST])
    assert status == 0, err
    assert "Selected features" in out
    assert calls["pandas"] == 0 and calls["stdlib"] > 0


@pytest.mark.parametrize("use_pandas", [True, False])
def test_missing_target_suggests_the_closest_column(
    csv_file, use_pandas, without_pandas
):
    if not use_pandas:
        without_pandas()
    status, out, err = run([str(csv_file), "--target", "outcom", *FAST])
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "target column 'outcom' not found; did you mean 'outcome'?" in err


@pytest.mark.parametrize("use_pandas", [True, False])
def test_non_numeric_columns_are_named(tmp_path, use_pandas, without_pandas):
    if not use_pandas:
        without_pandas()
    path = write_csv(
        tmp_path / "mixed.csv",
        ["x", "city", "z", "day", "y"],
        [[i, "paris" if i % 2 else "rome", i * 0.5, f"2024-01-{i + 1:02d}", i]
         for i in range(12)],
    )  # fmt: skip
    status, out, err = run([str(path), "--target", "y", *FAST])
    assert status == 2 and err.count("\n") == 1
    assert "non-numeric columns in " in err and "mixed.csv': 'city', 'day' (" in err
    assert "encodes nothing silently" in err


@pytest.mark.parametrize("use_pandas", [True, False])
def test_missing_values_are_named(tmp_path, use_pandas, without_pandas):
    if not use_pandas:
        without_pandas()
    path = write_csv(
        tmp_path / "na.csv", ["x", "w", "y"], [[1, "", 2], [2, 3, 4], [3, 1, 5]]
    )
    status, _, err = run([str(path), "--target", "y", *FAST])
    assert status == 2 and "na.csv': 'w' (1 of 3 rows)" in err


def test_other_input_errors(tmp_path, csv_file, capsys):
    status, _, err = run([str(tmp_path / "absent.csv"), "--target", "y"])
    assert status == 2 and "no such file" in err and err.count("\n") == 1
    status, _, err = run([str(csv_file)])
    assert status == 2 and "--target COLUMN is required" in err
    status, _, err = run([str(csv_file), "--target", "outcome", "--l1-ratio", "0"])
    assert status == 2 and "--l1-ratio" in err
    status, _, _ = run(["--bogus"])
    assert status == 2 and "unrecognized arguments" in capsys.readouterr().err
    bad_dir = tmp_path / "missing" / "r.html"
    status, _, err = run(
        [str(csv_file), "--target", "outcome", "--html", str(bad_dir), *FAST]
    )
    assert status == 2 and "cannot write" in err


def test_verbose_and_progress(csv_file, capsys):
    status, out, err = run([str(csv_file), "--target", "outcome", "-v", *FAST])
    assert status == 0
    captured = capsys.readouterr()  # progress goes to sys.stderr
    assert "complementary pairs fitted" in captured.err
    status, out, err = run([str(csv_file), "--target", "outcome", "--progress", *FAST])
    assert status == 0
    try:
        import rich  # noqa: F401
        from sklearn.callback import ProgressBar  # noqa: F401
    except ImportError:
        assert "no progress bar" in err  # the fallback says why
    else:
        assert "no progress bar" not in err


def test_search_command_keeps_the_grid_search_job():
    status, out, err = run(["search", "--cv", "3"])
    assert status == 0, err
    assert "GridSearchCV: 13 alphas x 5 l1_ratios, 3-fold CV" in out
    assert "best l1_ratio" in out


def test_help_and_version():
    status, out, _ = run(["--version"])
    assert status == 0


def test_python_dash_m_in_a_subprocess(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    res = subprocess.run(
        [sys.executable, "-m", "skreg", "--n-bootstrap", "4", "--cv", "3",
         "--json", str(tmp_path / "r.json")],
        capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "skreg feature-selection report" in res.stdout
    assert (
        json.loads((tmp_path / "r.json").read_text())["provenance"]["n_samples"] == 442
    )
    res = subprocess.run(
        [sys.executable, "-m", "skreg", "nope.csv", "--target", "y"],
        capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert res.returncode == 2 and res.stderr.startswith("skreg report: error:")
    assert "Traceback" not in res.stderr


@pytest.mark.parametrize("html", [True, False])
def test_console_says_how_to_get_the_figures(csv_file, tmp_path, monkeypatch, html):
    args = [str(csv_file), "--target", "outcome", *FAST]
    if html:
        args += ["--html", str(tmp_path / "r.html")]
    status, out, err = run(args)
    assert status == 0, err
    if html:
        assert "Figures (" not in out
    else:
        assert "Figures (regularization path, CV curve, stability path): add " in out
    # Without matplotlib (its import fails), the line names the extra.
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    hint = cli._figures_hint(html)
    assert "need matplotlib: pip install 'skreg[plot]'" in hint
    assert ("then add --html report.html" in hint) is not html


def test_readme_first_command_installs_the_figures_and_names_the_docs_build():
    readme = (ROOT / "README.md").read_text()
    commands = [
        line
        for line in readme.split("```bash\n", 1)[1].split("```", 1)[0].splitlines()
        if line and not line.startswith("#")
    ]
    assert 'pip install ".[plot]" && python -m skreg --html report.html' in commands[0]
    assert any("python -m sphinx -b html docs docs/_build/html" in c for c in commands)
