"""The documentation builds offline with warnings as errors (the CI command).

Marked slow (about a minute: the gallery runs every example); skipped when the
``docs`` extra is not installed, except under CI (``CI`` set), where the test extra
installs it and a missing module is a broken setup.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_docs_build_with_warnings_as_errors(tmp_path):
    for module in ("sphinx", "numpydoc", "sphinx_gallery", "myst_parser",
                   "pydata_sphinx_theme", "dask.distributed"):  # fmt: skip
        if os.environ.get("CI"):
            __import__(module)
        else:
            pytest.importorskip(module)
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    res = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html",
         "-d", str(tmp_path / "doctrees"), str(ROOT / "docs"), str(tmp_path / "html")],
        capture_output=True, text=True, timeout=600, env=env,
    )  # fmt: skip
    assert res.returncode == 0, (res.stdout[-3000:], res.stderr[-5000:])
    html = tmp_path / "html"
    for page in ["index.html", "api.html", "user_guide/feature_selection.html",
                 "auto_examples/index.html",
                 "generated/skreg.reports.FeatureSelectionReport.html"]:  # fmt: skip
        assert (html / page).is_file(), page
    gallery = (html / "auto_examples" / "index.html").read_text()
    for example in ["plot_lasso_feature_selection", "plot_grid_search_pipeline",
                    "plot_dask_grid_search", "plot_stability_selection",
                    "plot_mlp_dropout", "plot_mlp_digits_l2"]:  # fmt: skip
        assert example in gallery
