"""FeatureSelectionReport and the displays on the sparse GLMs (issue 21).

Small seeded problems (60 x 5), few alphas and subsamples. The CV curve is checked
against fold fits of the estimators scored by scikit-learn's ``log_loss`` and
``mean_poisson_deviance``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics import log_loss, mean_poisson_deviance
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skreg import (
    SparseLogisticRegression,
    SparseLogisticRegressionCV,
    SparsePoissonRegressor,
)
from skreg.reports import (
    CVCurveDisplay,
    FeatureSelectionReport,
    RegularizationPathDisplay,
    StabilityPathDisplay,
)

pytest.importorskip("matplotlib")


def _data(seed=0, n=60):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 5))
    labels = np.where(X[:, 0] - X[:, 1] + 0.5 * rng.standard_normal(n) > 0, "b", "a")
    counts = rng.poisson(np.exp(0.7 * X[:, 0]))
    return X, labels, counts


@pytest.fixture(scope="module")
def binomial_report():
    X, y, _ = _data()
    model = SparseLogisticRegression(alpha=0.05)
    report = FeatureSelectionReport.from_estimator(
        model, X, y, cv=3, n_bootstrap=4, random_state=0
    )
    return report, X, y


def test_binomial_report_names_family_and_deviance(binomial_report):
    report, X, y = binomial_report
    head = report.headline
    assert head["glm_family"] == "binomial"
    assert head["family"].startswith("logistic regression (binomial)")
    assert report.path["score"] == "deviance"
    assert head["cv_mse"] is None and head["cv_deviance"] is not None
    assert 0.5 < head["cv_accuracy"] <= 1.0
    coef = report.estimator.coef_.ravel()
    assert report.selected == [f"x{j}" for j in np.flatnonzero(coef)]
    text = report.to_text()
    assert "logistic regression (binomial)" in text and "CV dev." in text
    assert "CV MSE" not in text
    assert all(len(line) <= 88 for line in text.splitlines())


def test_binomial_cv_curve_from_first_principles(binomial_report):
    """The curve is the held-out deviance of fold fits (log loss by scikit-learn)."""
    report, X, y = binomial_report
    path = report.path
    i = len(path["alphas"]) // 3
    alpha = path["alphas"][i]
    devs, sizes = [], []
    for train, test in StratifiedKFold(3).split(X, y):
        fold = SparseLogisticRegression(alpha=alpha).fit(X[train], y[train])
        devs.append(
            2 * log_loss(y[test], fold.predict_proba(X[test]), labels=["a", "b"])
        )
        sizes.append(len(test))
    np.testing.assert_allclose(
        path["cv_mean"][i], np.average(devs, weights=sizes), rtol=1e-4
    )
    mean, se = np.asarray(path["cv_mean"]), np.asarray(path["cv_se"])
    i = int(np.argmin(mean))
    assert path["alpha_min"] == pytest.approx(path["alphas"][i])
    within = mean <= mean[i] + se[i]
    assert path["alpha_1se"] == pytest.approx(path["alphas"][within].max())


def test_binomial_outputs(binomial_report):
    report, _, _ = binomial_report
    data = json.loads(report.to_json())
    assert data["path"]["family"] == "binomial"
    assert data["headline"]["glm_family"] == "binomial"
    assert data["stability"]["n_subsamples"] == 4
    frame = report.to_frame("path")
    assert "cv_mean" in frame.columns and len(frame) == len(report.path["alphas"])
    html = report.to_html()
    assert "CV deviance" in html and "logistic regression (binomial)" in html
    assert html.count("data:image/png;base64,") == 3  # path, CV curve, stability
    assert report.diagnostics["model_converged"]


def test_poisson_report():
    X, _, counts = _data()
    report = FeatureSelectionReport.from_estimator(
        SparsePoissonRegressor(alpha=0.05), X, counts, cv=3, n_bootstrap=2,
        random_state=0,
    )  # fmt: skip
    assert report.headline["glm_family"] == "poisson"
    assert report.headline["cv_accuracy"] is None
    assert "x0" in report.selected
    # The curve is the held-out Poisson deviance of fold fits (scikit-learn's).
    i = len(report.path["alphas"]) // 3
    alpha = report.path["alphas"][i]
    devs, sizes = [], []
    for train, test in KFold(3).split(X):
        fold = SparsePoissonRegressor(alpha=alpha).fit(X[train], counts[train])
        devs.append(mean_poisson_deviance(counts[test], fold.predict(X[test])))
        sizes.append(len(test))
    np.testing.assert_allclose(
        report.path["cv_mean"][i], np.average(devs, weights=sizes), rtol=1e-4
    )
    assert "Poisson regression (log link)" in report.to_text()


def test_classifier_cv_in_grid_search_over_pipeline():
    X, y, _ = _data()
    pipe = make_pipeline(
        StandardScaler(), SparseLogisticRegressionCV(alphas=6, eps=0.05, cv=3)
    )
    search = GridSearchCV(
        pipe, {"sparselogisticregressioncv__l1_ratio": [1.0]}, cv=2
    ).fit(X, y)
    report = FeatureSelectionReport.from_estimator(
        search, X, y, cv=3, n_bootstrap=2, random_state=0
    )
    final = search.best_estimator_[-1]
    np.testing.assert_allclose(report.path["cv_mean"], final.mean_score_path_[0])
    assert report.path["alpha_min"] == final.alpha_
    assert report.path["alpha_1se"] == final.alpha_1se_
    assert report.provenance["search"]["type"] == "GridSearchCV"
    assert report.headline["glm_family"] == "binomial"


def test_multinomial_per_class_coefficients():
    """Selected when non-zero for any class; per-class values in JSON and frame."""
    X, _, _ = _data()
    rng = np.random.default_rng(1)
    scores = np.c_[X[:, 0], X[:, 1], -X[:, 0]] * 2 + rng.standard_normal((60, 3))
    y = np.array(["u", "v", "w"])[scores.argmax(axis=1)]
    model = SparseLogisticRegressionCV(alphas=3, eps=0.3, cv=2).fit(X, y)
    report = FeatureSelectionReport.from_estimator(model, X, y, cv=2, n_bootstrap=0)
    assert report.headline["glm_family"] == "multinomial"
    any_class = (model.coef_ != 0).any(axis=0)
    assert report.selected == [f"x{j}" for j in np.flatnonzero(any_class)]
    row = report.features[0]
    assert set(row["coef_by_class"]) == {"u", "v", "w"}
    np.testing.assert_allclose(
        [row["coef_by_class"][c] for c in "uvw"], model.coef_[:, 0]
    )
    assert row["coef"] == pytest.approx(np.linalg.norm(model.coef_[:, 0]))
    frame = report.to_frame()
    assert {"coef[u]", "coef[v]", "coef[w]"} <= set(frame.columns)
    assert "[u]" in report.to_text()
    assert json.loads(report.to_json())["path"]["classes"] == ["u", "v", "w"]
    assert "L2 norm of the feature" in report.to_html(figures=False)


def test_unseen_labels_are_named():
    X, y, _ = _data()
    model = SparseLogisticRegression(alpha=0.05).fit(X, y)
    y2 = y.astype(object)
    y2[0] = "zz"
    with pytest.raises(ValueError, match="not fitted on: zz"):
        FeatureSelectionReport.from_estimator(model, X, y2, cv=3, n_bootstrap=0)


def test_displays_accept_the_glms(binomial_report):
    X, y, counts = _data()
    disp = RegularizationPathDisplay.from_estimator(
        SparseLogisticRegression(alpha=0.05), X, y, alphas=[0.2, 0.05, 0.01]
    )
    assert len(disp.lines_) == 5 and disp.coefs.shape == (5, 3)
    disp = RegularizationPathDisplay.from_estimator(
        SparsePoissonRegressor(alpha=0.05), X, counts, alphas=[0.2, 0.02]
    )
    assert disp.coefs.shape == (5, 2)
    cv = SparseLogisticRegressionCV(alphas=4, eps=0.05, cv=3).fit(X, y)
    disp = CVCurveDisplay.from_estimator(cv)
    assert disp.ax_.get_ylabel() == "cross-validated deviance"
    assert disp.alpha_min == cv.alpha_
    report = binomial_report[0]
    disp = CVCurveDisplay.from_report(report)
    assert disp.ax_.get_ylabel() == "cross-validated deviance"
    assert RegularizationPathDisplay.from_report(report).coefs.shape[0] == 5
    assert StabilityPathDisplay.from_report(report).probabilities.shape[0] == 5
