import sys

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skreg import ElasticNetCV, Lasso, LassoCV, enet_path
from skreg.reports import (
    CVCurveDisplay,
    FeatureSelectionReport,
    RegularizationPathDisplay,
    StabilityPathDisplay,
    StabilitySelector,
    TrainingCurveDisplay,
)

pytest.importorskip("matplotlib")


def test_regularization_path_from_estimator(sparse_problem):
    X, y = sparse_problem
    disp = RegularizationPathDisplay.from_estimator(Lasso(), X, y, alphas=15)
    alphas, coefs, *_ = enet_path(X, y, l1_ratio=1.0, alphas=15, fit_intercept=True)
    np.testing.assert_allclose(disp.coefs, coefs)
    assert len(disp.lines_) == X.shape[1]
    np.testing.assert_allclose(disp.lines_[0].get_ydata(), coefs[0])
    assert disp.ax_.xaxis_inverted() and disp.ax_.get_xscale() == "log"
    assert disp.figure_ is disp.ax_.figure


def test_regularization_path_of_a_fitted_cv_pipeline(sparse_problem):
    X, y = sparse_problem
    pipe = make_pipeline(
        StandardScaler(), ElasticNetCV(l1_ratio=[0.5, 1.0], cv=3, alphas=12)
    ).fit(X, y)
    disp = RegularizationPathDisplay.from_estimator(pipe, X, y)
    model = pipe[-1]
    assert disp.alpha_min == model.alpha_min_ and disp.l1_ratio == model.l1_ratio_
    assert disp.coefs.shape == (X.shape[1], 12)
    labels = [t.get_text() for t in disp.ax_.get_legend().get_texts()]
    assert "alpha_min" in labels and "alpha_1se" in labels


def test_cv_curve_marks_both_alphas(sparse_problem):
    X, y = sparse_problem
    model = LassoCV(cv=3, alphas=15)
    disp = CVCurveDisplay.from_estimator(model, X, y)
    np.testing.assert_allclose(disp.line_.get_ydata(), model.mse_path_.mean(axis=1))
    xs = [line.get_xdata()[0] for line in disp.ax_.lines[1:]]
    assert xs == [model.alpha_min_, model.alpha_1se_]
    with pytest.raises(ValueError, match="not fitted"):
        CVCurveDisplay.from_estimator(LassoCV())


def test_stability_paths(sparse_problem):
    X, y = sparse_problem
    sel = StabilitySelector(alphas=6, n_bootstrap=6, random_state=0).fit(X, y)
    disp = StabilityPathDisplay.from_estimator(sel)
    assert len(disp.lines_) == X.shape[1]
    stable_lines = [
        ln
        for ln in disp.lines_
        if ln.get_label() and not ln.get_label().startswith("_")
    ]
    assert len(stable_lines) == sel.support_.sum()
    assert disp.ax_.get_ylim() == (-0.02, 1.02)


def test_training_curves_from_a_stand_in_and_the_real_estimator():
    class Fitted:
        train_loss_curve_ = [2.0, 1.0, 0.5]
        validation_loss_curve_ = [2.1, 1.4, 1.6]
        best_epoch_ = 1

    disp = TrainingCurveDisplay.from_estimator(Fitted())
    assert disp.train_line_.get_ydata().tolist() == [2.0, 1.0, 0.5]
    assert disp.validation_line_.get_ydata().tolist() == [2.1, 1.4, 1.6]
    assert disp.ax_.lines[-1].get_xdata()[0] == 2  # best epoch, 1-based

    class SklearnStyle:
        loss_curve_ = [1.0, 0.5]

    assert TrainingCurveDisplay.from_estimator(SklearnStyle()).validation_line_ is None
    with pytest.raises(ValueError, match="fit it first"):
        TrainingCurveDisplay.from_estimator(object())

    try:
        from skreg.neural_network import RegularizedMLPRegressor
    except ImportError:  # the MLP estimators land separately
        return
    from sklearn.datasets import make_regression

    Xr, yr = make_regression(n_samples=60, n_features=5, random_state=0)
    mlp = RegularizedMLPRegressor(
        hidden_layer_sizes=(8,), max_iter=5, validation_fraction=0.2, random_state=0
    )
    with _no_warning_context():
        mlp.fit(Xr, yr)
    disp = TrainingCurveDisplay.from_estimator(mlp)
    assert len(disp.train_line_.get_ydata()) == len(mlp.train_loss_curve_)
    assert disp.validation_line_ is not None


class _no_warning_context:
    def __enter__(self):
        import warnings

        self._cm = warnings.catch_warnings()
        self._cm.__enter__()
        warnings.simplefilter("ignore")  # a 5-epoch fit may warn it did not converge

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


def test_from_report_draws_on_given_axes(sparse_problem):
    from matplotlib.figure import Figure

    X, y = sparse_problem
    report = FeatureSelectionReport.from_estimator(
        LassoCV(cv=3, alphas=12), X, y, cv=3, n_bootstrap=4, random_state=0
    )
    fig = Figure()
    axes = fig.subplots(1, 3)
    RegularizationPathDisplay.from_report(report, ax=axes[0])
    CVCurveDisplay.from_report(report, ax=axes[1])
    disp = StabilityPathDisplay.from_report(report, ax=axes[2])
    assert disp.ax_ is axes[2] and all(len(ax.lines) > 0 for ax in axes)


def test_missing_matplotlib_names_the_extra(sparse_problem, monkeypatch):
    X, y = sparse_problem
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"skreg\[plot\]"):
        RegularizationPathDisplay.from_estimator(Lasso(), X, y)
    with pytest.raises(ImportError, match="TrainingCurveDisplay needs matplotlib"):
        TrainingCurveDisplay([1.0, 0.5]).plot()
