"""Seeded data for the report tests; matplotlib on the non-interactive Agg backend."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest

try:
    import matplotlib
except ImportError:  # the display tests skip themselves
    matplotlib = None
else:
    matplotlib.use("Agg")


def make_sparse_problem(n_samples=80, n_features=12, seed=0):
    """Three informative features (0, 1, 2) out of ``n_features``, seeded."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    coef = np.zeros(n_features)
    coef[:3] = [3.0, -2.0, 1.5]
    y = X @ coef + 1.0 + 0.5 * rng.standard_normal(n_samples)
    return X, y


@pytest.fixture(scope="session")
def sparse_problem():
    return make_sparse_problem()


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    if matplotlib is not None:
        import matplotlib.pyplot as plt

        plt.close("all")


CHROMIUM = next(
    (p for n in ("chromium", "chromium-browser", "google-chrome")
     if (p := shutil.which(n))),
    None,
)  # fmt: skip


@pytest.fixture(scope="session")
def chromium():
    """Path of a headless-capable chromium; skip without one, except under CI (set
    ``CI``), where a missing browser is a broken setup and fails."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail(
                "CI is set but no chromium is installed (apt-get install chromium)"
            )
        pytest.skip("chromium is not installed")
    return CHROMIUM
