"""Output destinations, interrupts and unexpected errors of ``skreg report``.

A destination that exists and is not a regular file (a FIFO, a device, a directory,
a symbolic link to one) is refused before fitting: one line, status 2, nothing
written. ``-`` sends the JSON or the HTML to standard output. Ctrl-C prints one line
and exits 130; any other unexpected error prints one line naming it and how to get
the traceback.
"""

import io
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from skreg import cli

ROOT = Path(__file__).resolve().parents[1]
FAST = ["--n-bootstrap", "4", "--cv", "3", "--l1-ratio", "1.0"]
ENV = dict(os.environ, PYTHONPATH=str(ROOT))


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(argv, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def data_csv(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 3))
    y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.standard_normal(30)
    path = tmp_path / "data.csv"
    rows = np.column_stack([X, y])
    path.write_text("a,b,c,price\n" + "\n".join(",".join(map(str, r)) for r in rows))
    return path


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.parametrize("option", ["--json", "--html"])
def test_a_fifo_destination_is_refused(data_csv, tmp_path, option):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    # A subprocess with a timeout: opening a FIFO without a reader would block.
    res = subprocess.run(
        [sys.executable, "-m", "skreg", str(data_csv), "--target", "price",
         option, str(fifo), *FAST],
        capture_output=True, text=True, timeout=120, env=ENV, cwd=tmp_path,
    )  # fmt: skip
    assert res.returncode == 2, res.stderr
    assert res.stdout == "" and res.stderr.count("\n") == 1
    assert f"cannot write '{fifo}': it is a named pipe (FIFO), not a regular file" in (
        res.stderr
    )
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv", "pipe"]


def test_a_symlink_to_a_device_is_refused(data_csv, tmp_path):
    link = tmp_path / "null.json"
    os.symlink(os.devnull, link)
    status, out, err = run(
        [str(data_csv), "--target", "price", "--json", str(link), *FAST]
    )
    assert status == 2 and out == "" and err.count("\n") == 1
    assert f"cannot write '{link}': it is a character device" in err
    assert os.path.islink(link) and os.readlink(link) == os.devnull
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv", "null.json"]


def test_a_device_is_refused_before_fitting(data_csv, tmp_path, monkeypatch):
    from skreg.reports import FeatureSelectionReport

    def never(*args, **kwargs):  # pragma: no cover - the test fails if reached
        raise AssertionError("fitted before checking the destination")

    monkeypatch.setattr(FeatureSelectionReport, "from_estimator", never)
    status, out, err = run(
        [str(data_csv), "--target", "price", "--html", os.devnull, *FAST]
    )
    assert status == 2 and "it is a character device" in err
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


@pytest.mark.parametrize("kind", ["json", "html"])
def test_dash_writes_the_report_to_stdout(data_csv, tmp_path, kind):
    status, out, err = run(
        [str(data_csv), "--target", "price", f"--{kind}", "-", *FAST]
    )
    assert status == 0, err
    if kind == "json":
        data = json.loads(out)  # stdout holds the JSON alone
        assert data["feature_names"] == ["a", "b", "c"]
    else:
        assert out.startswith("<!DOCTYPE html>") and out.rstrip().endswith("</html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv"]


def test_dash_for_both_outputs_is_refused(data_csv):
    status, out, err = run(
        [str(data_csv), "--target", "price", "--json", "-", "--html", "-", *FAST]
    )
    assert status == 2 and "--html and --json cannot both be - (standard output)" in err


def test_keyboard_interrupt_prints_one_line(data_csv, tmp_path, monkeypatch):
    from skreg.reports import FeatureSelectionReport

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(FeatureSelectionReport, "from_estimator", interrupted)
    html = tmp_path / "r.html"
    status, out, err = run(
        [str(data_csv), "--target", "price", "--html", str(html), *FAST]
    )
    assert status == 130
    assert err == "skreg report: interrupted; no output file written\n"
    assert not html.exists()


def test_ctrl_c_in_a_subprocess(data_csv, tmp_path):
    html = tmp_path / "r.html"
    proc = subprocess.Popen(
        [sys.executable, "-m", "skreg", str(data_csv), "--target", "price",
         "--html", str(html), "--n-bootstrap", "100000", "--cv", "3"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
        cwd=tmp_path,
    )  # fmt: skip
    try:
        for line in proc.stdout:  # wait until the fit has started
            if line.startswith("Stability selection"):
                break
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        err = proc.stderr.read()
        status = proc.wait(timeout=60)
    finally:
        proc.kill()
        proc.stdout.close()
        proc.stderr.close()
    assert status == 130
    assert err == "skreg report: interrupted; no output file written\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv"]


def test_an_unexpected_error_is_one_line_naming_the_debug_switch(data_csv, monkeypatch):
    from skreg.reports import FeatureSelectionReport

    def broken(*args, **kwargs):
        raise TypeError("something internal\nbroke")

    monkeypatch.setattr(FeatureSelectionReport, "from_estimator", broken)
    monkeypatch.delenv("SKREG_DEBUG", raising=False)
    status, out, err = run([str(data_csv), "--target", "price", *FAST])
    assert status == 1
    assert err == (
        "skreg report: error: TypeError: something internal broke (--debug or "
        "SKREG_DEBUG=1 shows the traceback)\n"
    )
    with pytest.raises(TypeError, match="something internal"):
        run([str(data_csv), "--target", "price", "--debug", *FAST])
    monkeypatch.setenv("SKREG_DEBUG", "1")
    with pytest.raises(TypeError, match="something internal"):
        run([str(data_csv), "--target", "price", *FAST])


def test_a_binary_codec_is_not_a_text_encoding(data_csv):
    status, out, err = run(
        [str(data_csv), "--target", "price", "--encoding", "hex", *FAST]
    )
    assert status == 2 and out == "" and err.count("\n") == 1
    assert "'hex' is not a text encoding (--encoding)" in err
