"""Reports and displays honour ``penalty_factor``, bounds and ``positive``.

Every path, alpha grid, fold refit and stability subsample the report makes must solve
the objective the model was fitted on: the report's path at the model's alpha is the
model's ``coef_``, an unpenalised feature (factor 0) is in the model along the whole
path, and a bounded coefficient stays in its box.
"""

import json

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skreg import (
    ElasticNet,
    ElasticNetCV,
    Lasso,
    SparseLogisticRegression,
    SparseLogisticRegressionCV,
    enet_path,
)
from skreg._path import alpha_grid
from skreg.linear_model import logistic_path
from skreg.reports import (
    FeatureSelectionReport,
    RegularizationPathDisplay,
    StabilitySelector,
)
from skreg.reports._penalty import describe
from skreg.reports._stability import _penalty_params, _rescaled_bounds, stability_path
from tests.reports.conftest import make_sparse_problem

FAST = dict(cv=3, n_bootstrap=6, random_state=0)
UNPENALISED = [5, 7]  # noise features of make_sparse_problem, never penalised
# Feature 0 (true coefficient 3) capped at 0.5, feature 1 (true -2) floored at -0.5.
UPPER = np.array([0.5] + [np.inf] * 11)
LOWER = np.array([-np.inf, -0.5] + [-np.inf] * 10)


@pytest.fixture(scope="module")
def data():
    X, y = make_sparse_problem()
    factors = np.ones(X.shape[1])
    factors[UNPENALISED] = 0.0
    factors[3] = 2.0  # a penalised feature with another weight
    return X, y, factors


@pytest.fixture(scope="module")
def binary():
    X, y = make_sparse_problem(n_samples=120)
    return X, (y > np.median(y)).astype(int)


def _scaled(X, wrap):
    return X if wrap == "bare" else StandardScaler().fit_transform(X)


def _wrap(model, wrap, grid_param=None, values=None):
    """The model bare, last in a Pipeline, or in a GridSearchCV over that Pipeline."""
    if wrap == "bare":
        return model
    pipe = make_pipeline(StandardScaler(), model)
    if wrap == "pipeline":
        return pipe
    name = pipe.steps[-1][0]
    return GridSearchCV(pipe, {f"{name}__{grid_param}": values}, cv=3)


def _final(report):
    est = report.estimator
    est = getattr(est, "best_estimator_", est)
    return est[-1] if hasattr(est, "steps") else est


def _assert_path_is_the_model(report, final, model_alpha):
    """The report's path at the model's alpha is the fitted ``coef_`` (1e-6 rel.)."""
    alphas = np.asarray(report.path["alphas"])
    hits = np.flatnonzero(np.isclose(alphas, model_alpha, rtol=1e-10, atol=0))
    assert hits.size == 1, "the model's alpha is not on the report's grid"
    coef = np.ravel(final.coef_)
    np.testing.assert_allclose(
        report.path["coefs"][:, hits[0]],
        coef,
        rtol=1e-6,
        atol=1e-6 * np.abs(coef).max(),
    )


def _assert_unpenalised_on_whole_path(report, names=("x5", "x7")):
    coefs = np.asarray(report.path["coefs"])
    rows = {f["name"]: f for f in report.features}
    for name in names:
        j = report.feature_names.index(name)
        assert np.all(coefs[j] != 0), f"{name} leaves the path"
        assert rows[name]["selected"]
        assert rows[name]["entry_alpha"] == report.path["alphas"][0]
    assert np.all(report.path["n_nonzero"] >= len(names))


@pytest.mark.parametrize("wrap", ["bare", "pipeline", "search"])
def test_elastic_net_with_factors(data, wrap):
    X, y, factors = data
    grid = alpha_grid(_scaled(X, wrap), y, l1_ratio=0.7, penalty_factor=factors)
    alpha = grid[35]
    model = ElasticNet(alpha=alpha, l1_ratio=0.7, penalty_factor=factors)
    est = _wrap(model, wrap, "alpha", [grid[30], grid[35]])
    report = FeatureSelectionReport.from_estimator(est, X, y, **FAST)
    final = _final(report)
    _assert_path_is_the_model(report, final, final.alpha)
    _assert_unpenalised_on_whole_path(report)
    # Stability subsamples keep the factors: the unpenalised features are in every
    # subsample's model at every alpha.
    P = np.asarray(report.stability["probabilities"])
    np.testing.assert_array_equal(P[UNPENALISED], 1.0)


@pytest.mark.parametrize("wrap", ["bare", "pipeline", "search"])
def test_lasso_with_bounds(data, wrap):
    X, y, _ = data
    # Bounds do not move alpha_max: the plain grid is the report's.
    grid = alpha_grid(_scaled(X, wrap), y, l1_ratio=1.0)
    model = Lasso(alpha=grid[30], lower_bounds=LOWER, upper_bounds=UPPER)
    est = _wrap(model, wrap, "alpha", [grid[25], grid[30]])
    report = FeatureSelectionReport.from_estimator(est, X, y, **FAST)
    final = _final(report)
    _assert_path_is_the_model(report, final, final.alpha)
    coefs = np.asarray(report.path["coefs"])
    assert coefs[0].max() <= 0.5 and coefs[1].min() >= -0.5
    assert coefs[0].max() == 0.5 and coefs[1].min() == -0.5  # the bounds bind
    assert "bounds" in report.to_text()


def test_positive_lasso(data):
    X, y, _ = data
    grid = alpha_grid(X, y, positive=True)
    model = Lasso(alpha=grid[30], positive=True).fit(X, y)
    report = FeatureSelectionReport.from_estimator(model, X, y, **FAST)
    _assert_path_is_the_model(report, model, model.alpha)
    assert np.all(np.asarray(report.path["coefs"]) >= 0)
    assert report.features[1]["cv_frequency"] == 0.0  # true coefficient -2
    assert np.max(report.stability["probabilities"][1]) == 0.0


@pytest.mark.parametrize("wrap", ["bare", "pipeline", "search"])
def test_elastic_net_cv_with_factors(data, wrap):
    X, y, factors = data
    model = ElasticNetCV(l1_ratio=0.7, alphas=30, cv=3, penalty_factor=factors)
    est = _wrap(model, wrap, "eps", [1e-3, 1e-2])
    report = FeatureSelectionReport.from_estimator(est, X, y, **FAST)
    final = _final(report)
    _assert_path_is_the_model(report, final, final.alpha_)
    _assert_unpenalised_on_whole_path(report)
    # The model's own fold paths (with the factors) are the CV curve.
    np.testing.assert_allclose(report.path["alphas"], final.alphas_)


@pytest.mark.parametrize("wrap", ["bare", "pipeline", "search"])
def test_sparse_logistic_with_factors(binary, data, wrap):
    X, y = binary
    factors = data[2]
    # The report's grid of a GLM that is not a CV estimator: 30 alphas to /100.
    grid = logistic_path(
        _scaled(X, wrap), y, n_alphas=30, eps=1e-2, penalty_factor=factors
    )[0]
    model = SparseLogisticRegression(alpha=grid[12], penalty_factor=factors, tol=1e-10)
    est = _wrap(model, wrap, "alpha", [grid[10], grid[12]])
    report = FeatureSelectionReport.from_estimator(est, X, y, **FAST)
    final = _final(report)
    _assert_path_is_the_model(report, final, final.alpha)
    _assert_unpenalised_on_whole_path(report)
    P = np.asarray(report.stability["probabilities"])
    np.testing.assert_array_equal(P[UNPENALISED], 1.0)
    assert report.diagnostics["model_converged"]


def test_sparse_logistic_cv_with_factors(binary, data):
    X, y = binary
    model = SparseLogisticRegressionCV(
        alphas=15, cv=3, penalty_factor=data[2], tol=1e-10
    ).fit(X, y)
    report = FeatureSelectionReport.from_estimator(model, X, y, **FAST)
    _assert_path_is_the_model(report, model, model.alpha_)
    _assert_unpenalised_on_whole_path(report)


def test_output_says_the_penalty_is_not_plain(data):
    X, y, factors = data
    model = ElasticNet(
        alpha=0.1, l1_ratio=0.7, penalty_factor=factors, upper_bounds=UPPER
    ).fit(X, y)
    report = FeatureSelectionReport.from_estimator(model, X, y, **FAST)
    text = " ".join(report.to_text().split())  # lines wrap at 88 columns
    assert "penalty factors: 2 features unpenalised (x5, x7)" in text
    assert "bounds: 1 feature bounded (x0 <= 0.5)" in text
    out = json.loads(report.to_json())
    assert "2 features unpenalised" in out["headline"]["penalty"]
    pen = out["provenance"]["penalty"]
    assert pen["unpenalised"] == ["x5", "x7"]
    assert sum(pen["penalty_factor"]) == pytest.approx(12.0)  # glmnet's rescaling
    assert pen["upper_bounds"][0] == 0.5 and pen["upper_bounds"][1] is None
    assert "2 features unpenalised" in report.to_html(figures=False)
    # A plain model says nothing.
    plain = FeatureSelectionReport.from_estimator(
        ElasticNet(alpha=0.1).fit(X, y), X, y, **FAST
    )
    assert plain.headline["penalty"] is None
    assert plain.provenance["penalty"] is None
    assert "penalty factors" not in plain.to_text()


@pytest.mark.parametrize("kind", ["linear", "glm"])
def test_path_display_is_the_fitted_objective(data, binary, kind):
    pytest.importorskip("matplotlib")
    X, y, factors = data
    if kind == "linear":
        grid = alpha_grid(X, y, l1_ratio=0.7, penalty_factor=factors)
        model = ElasticNet(
            alpha=grid[35], l1_ratio=0.7, penalty_factor=factors, upper_bounds=UPPER
        )
    else:
        X, y = binary
        grid = logistic_path(X, y, n_alphas=30, eps=1e-2, penalty_factor=factors)[0]
        model = SparseLogisticRegression(
            alpha=grid[12], penalty_factor=factors, tol=1e-10
        )
    i = 35 if kind == "linear" else 12
    model.fit(X, y)
    disp = RegularizationPathDisplay.from_estimator(model, X, y, alphas=grid)
    coef = np.ravel(model.coef_)
    np.testing.assert_allclose(
        disp.coefs[:, i], coef, rtol=1e-6, atol=1e-6 * np.abs(coef).max()
    )
    assert np.all(disp.coefs[UNPENALISED] != 0)


def test_stability_selector_keeps_factors_and_bounds(data):
    X, y, factors = data
    # Factor 0: selected by every subsample at every alpha, alpha_max included.
    sel = StabilitySelector(
        alphas=8, n_bootstrap=6, random_state=0, penalty_factor=factors
    ).fit(X, y)
    np.testing.assert_array_equal(sel.selection_probabilities_[UNPENALISED], 1.0)
    assert sel.support_[UNPENALISED].all()
    # Grid from the alpha_max of the penalised features, at the unpenalised fit.
    np.testing.assert_allclose(
        sel.alphas_[0], alpha_grid(X, y, penalty_factor=factors, eps=1e-2)[0]
    )
    # Feature 1 (true coefficient -2) held >= 0: never selected, also when the
    # randomized lasso rescales the columns (the bounds are rescaled with them).
    for weakness in (1.0, 0.5):
        res = stability_path(
            X, y, alphas=[1.0, 0.3, 0.1], n_bootstrap=6, random_state=0,
            weakness=weakness, lower_bounds=np.r_[-np.inf, 0.0, [-np.inf] * 10],
        )  # fmt: skip
        assert np.all(res.selection_probabilities[1] == 0.0)
        assert np.all(res.selection_probabilities[0] == 1.0)


def test_stability_path_rejects_bad_penalty_arrays(data):
    X, y, _ = data
    with pytest.raises(ValueError, match="penalty_factor"):
        stability_path(X, y, alphas=[1.0], n_bootstrap=2, penalty_factor=[1.0, 2.0])
    with pytest.raises(ValueError, match="bounds"):
        stability_path(
            X, y[:, None], alphas=[1.0], n_bootstrap=2, family="binomial",
            upper_bounds=1.0,
        )  # fmt: skip


def test_penalty_summary_lines():
    names = [f"x{j}" for j in range(8)]
    assert describe(ElasticNet(), names) is None
    assert describe(ElasticNet(positive=True), names) is None  # in the parameters
    assert describe(ElasticNet(upper_bounds=np.inf), names) is None
    scalar = describe(ElasticNet(lower_bounds=-3.0, upper_bounds=2.0), names)
    assert scalar["summary"] == "bounds: -3 <= every coefficient <= 2"
    assert scalar["lower_bounds"] == [-3.0] * 8 and scalar["penalty_factor"] is None
    upper = np.r_[np.arange(1.0, 8.0), np.inf]
    many = describe(ElasticNet(upper_bounds=upper, positive=True), names)
    assert many["summary"] == (
        "bounds: 7 features bounded (x0 <= 1, x1 <= 2, x2 <= 3, x3 <= 4, x4 <= 5, "
        "...); coefficients >= 0 (positive=True)"
    )
    factors = describe(SparseLogisticRegression(penalty_factor=[0, 1, 1, 1] * 2), names)
    assert factors["summary"] == (
        "penalty factors: 2 features unpenalised (x0, x4), 6 weighted 1.33 "
        "(glmnet's rescaling to sum to 8)"
    )
    assert "lower_bounds" in factors and factors["lower_bounds"] is None


def test_randomized_lasso_keeps_the_original_bounds(data):
    # Column k times W_k: the rescaled coefficient is w_k / W_k, its box divided by
    # W_k; the original coefficient W_k * (w_k / W_k) then binds at the given bound.
    X, y, _ = data
    scale = np.linspace(0.5, 1.0, X.shape[1])
    params = _penalty_params(X.shape[1], "gaussian", None, LOWER, UPPER, False)
    rescaled = _rescaled_bounds(params, scale)
    _, coefs, *_ = enet_path(
        X * scale, y, alphas=[0.05], fit_intercept=True, **rescaled
    )
    w = coefs[:, 0] * scale
    assert w[0] == pytest.approx(0.5, rel=1e-12)
    assert w[1] == pytest.approx(-0.5, rel=1e-12)
