"""The HTML report in a real headless browser (Debian's chromium).

Skipped when no chromium is installed, except under CI (``CI`` set), where it fails:
CI installs chromium, so a missing browser there is a broken setup, not a skip.
"""

import re
import subprocess

import numpy as np
import pytest

from skreg import LassoCV
from skreg.reports import FeatureSelectionReport

pytest.importorskip("matplotlib")


def _run(chromium, tmp_path, *args):
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    cmd = [
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--hide-scrollbars",
        f"--user-data-dir={profile}", *args,
    ]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def _without_csp(page):
    """Drop the Content-Security-Policy, which (rightly) blocks the test's probe."""
    out, n = re.subn(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n', "", page)
    assert n == 1
    return out


@pytest.fixture(scope="module")
def report_html(tmp_path_factory, sparse_problem):
    X, y = sparse_problem
    report = FeatureSelectionReport.from_estimator(
        LassoCV(cv=3, alphas=20), X, y, cv=3, n_bootstrap=8, random_state=0
    )
    path = tmp_path_factory.mktemp("html") / "report.html"
    report.to_html(path)
    return path


def test_figures_decode_in_the_browser(chromium, report_html, tmp_path):
    # A copy of the page with a probe that records, after load, whether each image
    # decoded (naturalWidth > 0) and any script error; --dump-dom prints the result.
    probe = (
        "<script>window.addEventListener('load', () => {"
        "const s = [...document.images].map(i => i.complete && i.naturalWidth > 0);"
        "document.body.setAttribute('data-images', JSON.stringify(s));});"
        "window.addEventListener('error', e => document.body.setAttribute("
        "'data-error', String(e.message)));</script>"
    )
    page = tmp_path / "probe.html"
    page.write_text(
        _without_csp(report_html.read_text(encoding="utf-8")).replace(
            "</body>", probe + "</body>"
        ),
        encoding="utf-8",
    )
    res = _run(
        chromium, tmp_path, "--virtual-time-budget=5000", "--dump-dom", page.as_uri()
    )
    assert res.returncode == 0, res.stderr[-2000:]
    m = re.search(r'data-images="([^"]*)"', res.stdout)
    assert m, res.stdout[:2000]
    assert m.group(1).replace("&quot;", '"') == "[true,true,true]"
    assert 'data-error="' not in res.stdout
    assert "Stability selection" in res.stdout


def test_screenshot_shows_the_figures(chromium, report_html, tmp_path):
    from matplotlib.image import imread

    shot = tmp_path / "shot.png"
    res = _run(
        chromium,
        tmp_path,
        "--window-size=1200,2600",
        f"--screenshot={shot}",
        report_html.as_uri(),
    )
    assert res.returncode == 0 and shot.exists(), res.stderr[-2000:]
    img = imread(shot)[..., :3]
    assert img.shape[:2] == (2600, 1200)
    # Not blank, and in colour: the plots' lines are the only saturated pixels.
    assert img.std() > 0.05
    saturation = img.max(axis=2) - img.min(axis=2)
    assert np.mean(saturation > 0.3) > 1e-3
