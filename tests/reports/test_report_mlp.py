"""FeatureSelectionReport on the MLP input selectors (issue 25): the selected inputs,
the alpha at which each leaves the path, the validation curve with the 1-SE choice,
the training curves, and stability over subsamples. Read from public attributes only.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skreg.neural_network import RegularizedMLPClassifierCV, RegularizedMLPRegressorCV
from skreg.reports import CVCurveDisplay, FeatureSelectionReport, TrainingCurveDisplay


def _data(n=80, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 5))
    y = np.sin(2 * X[:, 0]) + X[:, 1] + 0.1 * rng.standard_normal(n)
    return X, y


@pytest.fixture(scope="module")
def fitted():
    X, y = _data()
    model = RegularizedMLPRegressorCV(
        (8,), n_alphas=6, max_iter=60, random_state=0
    ).fit(X, y)
    return model, X, y


def test_report_reads_the_selector(fitted):
    model, X, y = fitted
    report = FeatureSelectionReport.from_estimator(model, X, y, n_bootstrap=0)
    m = report.mlp
    assert m["kind"] == "cv"
    assert report.selected == [f"x{j}" for j in np.flatnonzero(model.support_)]
    np.testing.assert_array_equal(m["exit_alphas"], model.exit_alphas_)
    p = m["path"]
    np.testing.assert_allclose(p["cv_mean"], model.cv_score_path_.mean(axis=1))
    assert p["alpha"] == model.alpha_ and p["alpha_1se"] == model.alpha_1se_
    assert p["alpha_1se"] >= p["alpha_min"]
    np.testing.assert_array_equal(m["train_loss_curve"], model.refit_curves_["train"])
    assert [f["exit_alpha"] for f in report.features] == list(model.exit_alphas_)
    text = report.to_text()
    assert "leaves@" in text and "Validation curve along the path" in text
    assert all(len(line) <= 88 for line in text.splitlines())
    data = json.loads(report.to_json())
    assert data["mlp"]["path"]["alpha_1se"] == pytest.approx(model.alpha_1se_)


def test_stability_over_subsamples(fitted):
    model, X, y = fitted
    report = FeatureSelectionReport.from_estimator(
        model, X, y, n_bootstrap=2, random_state=0
    )
    st = report.mlp["stability"]
    assert st["n_subsamples"] == 2 and st["subsample_size"] == 40
    assert st["probabilities"].shape == (5, len(model.alphas_))
    assert np.all((st["selected_frequency"] >= 0) & (st["selected_frequency"] <= 1))
    # At the empty end of the path no half keeps any input.
    if model.n_features_path_[-1] == 0:
        assert st["probabilities"][:, -1].max() <= 1.0
    assert "P(sel)" in report.to_text()
    assert "probability_at_alpha" in report.features[0]


def test_html_figures_and_displays(fitted):
    pytest.importorskip("matplotlib")
    model, X, y = fitted
    report = FeatureSelectionReport.from_estimator(model, X, y, n_bootstrap=0)
    html = report.to_html()
    assert "Validation curve along the path" in html and "Training curves" in html
    disp = CVCurveDisplay.from_estimator(model)
    assert disp.ax_.get_ylabel() == "cross-validated held-out loss"
    assert disp.alpha_1se == model.alpha_1se_
    assert CVCurveDisplay.from_report(report).alpha_min == model.alpha_min_
    assert TrainingCurveDisplay.from_report(report).best_epoch is not None


def test_classifier_selector_in_a_pipeline():
    X, y = _data()
    labels = np.where(y > 0, "pos", "neg")
    pipe = make_pipeline(
        StandardScaler(),
        RegularizedMLPClassifierCV((8,), n_alphas=5, max_iter=40, random_state=0),
    )
    report = FeatureSelectionReport.from_estimator(pipe, X, labels, n_bootstrap=0)
    assert report.mlp["model"] == "RegularizedMLPClassifierCV"
    assert report.provenance["estimator"].startswith("Pipeline(StandardScaler")
    assert len(report.features) == 5
