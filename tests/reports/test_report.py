import base64
import json
import sys

import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skreg import ElasticNet, ElasticNetCV, Lasso, LassoCV
from skreg.reports import FeatureSelectionReport
from skreg.reports._render import WIDTH

FAST = dict(cv=3, n_bootstrap=8, random_state=0)


@pytest.fixture(scope="module")
def cv_report(sparse_problem):
    X, y = sparse_problem
    model = ElasticNetCV(l1_ratio=[0.5, 1.0], alphas=25, cv=3).fit(X, y)
    return model, FeatureSelectionReport.from_estimator(model, X, y, **FAST)


def _support_names(coef, names):
    return [n for n, c in zip(names, np.ravel(coef), strict=True) if c != 0]


def test_selected_set_is_the_cv_models_support(cv_report, sparse_problem):
    model, report = cv_report
    names = [f"x{j}" for j in range(sparse_problem[0].shape[1])]
    assert report.selected == _support_names(model.coef_, names)
    assert [f["name"] for f in report.features if f["selected"]] == report.selected
    assert report.estimator is model  # fitted: used as is, not refitted
    path = report.path
    assert path["alpha_min"] == model.alpha_min_
    assert path["alpha_1se"] == model.alpha_1se_
    assert path["l1_ratio"] == model.l1_ratio_
    i_l1 = [0.5, 1.0].index(model.l1_ratio_)
    np.testing.assert_allclose(path["cv_mean"], model.mse_path_[i_l1].mean(axis=1))
    np.testing.assert_allclose(path["alphas"], model.alphas_[i_l1])


def test_path_summary_matches_first_principles(cv_report, sparse_problem):
    X, y = sparse_problem
    _, report = cv_report
    p = report.path
    coefs = p["coefs"]
    np.testing.assert_array_equal(p["n_nonzero"], (coefs != 0).sum(axis=0))
    assert p["n_nonzero"][0] == 0  # alpha_max
    assert np.all(np.diff(p["deviance_explained"]) >= -1e-6)  # more fit, smaller alpha
    assert 0 <= p["deviance_explained"][-1] <= 100
    # entry alpha: the largest alpha with a non-zero coefficient
    for j, f in enumerate(report.features):
        nz = np.flatnonzero(coefs[j])
        expect = p["alphas"][nz[0]] if nz.size else None
        assert (f["entry_alpha"] is None or np.isnan(f["entry_alpha"])) == (
            expect is None
        )
        if expect is not None:
            assert f["entry_alpha"] == expect
        assert f["std_coef_min"] == pytest.approx(f["coef_min"] * X[:, j].std())
        assert 0.0 <= f["cv_frequency"] <= 1.0
    # the three informative features enter first
    entry = [f["entry_alpha"] for f in report.features]
    assert set(np.argsort(np.nan_to_num(entry, nan=0.0))[::-1][:3]) == {0, 1, 2}


def test_stability_section(cv_report):
    _, report = cv_report
    st = report.stability
    P = np.asarray(st["probabilities"])
    assert np.all((P >= 0) & (P <= 1))
    np.testing.assert_allclose(P * 8, np.round(P * 8), atol=1e-12)
    p = len(report.feature_names)
    assert st["bound"] == pytest.approx(st["q"] ** 2 / ((2 * st["threshold"] - 1) * p))
    assert "exchangeab" in st["assumptions"] and "random guessing" in st["assumptions"]
    assert set(st["stable"]) <= {"x0", "x1", "x2"}
    assert st["stable"] == [f["name"] for f in report.features if f["stable"]]


@pytest.mark.parametrize(
    "make",
    [
        lambda: Lasso(alpha=0.1),
        lambda: ElasticNet(alpha=0.1, l1_ratio=0.7),
        lambda: LassoCV(cv=3, alphas=20),
        lambda: make_pipeline(StandardScaler(), LassoCV(cv=3, alphas=20)),
        lambda: GridSearchCV(
            make_pipeline(StandardScaler(), ElasticNet()),
            {"elasticnet__alpha": [0.03, 0.3], "elasticnet__l1_ratio": [0.5, 1.0]},
            cv=3,
        ),
    ],
    ids=["lasso", "enet", "lassocv", "pipeline", "gridsearch"],
)
def test_every_supported_input_unfitted(make, sparse_problem):
    X, y = sparse_problem
    est = make()
    report = FeatureSelectionReport.from_estimator(est, X, y, **FAST)
    assert not hasattr(est, "coef_") and not hasattr(est, "best_estimator_")
    fitted = report.estimator
    final = getattr(fitted, "best_estimator_", fitted)
    final = final[-1] if hasattr(final, "steps") else final
    names = [f"x{j}" for j in range(X.shape[1])]
    assert report.selected == _support_names(final.coef_, names)
    assert {"x0", "x1", "x2"} <= set(report.selected)
    assert "fit" in report.provenance["fit_times"]
    if hasattr(fitted, "best_params_"):
        search = report.provenance["search"]
        assert search["n_candidates"] == 4 and search["n_splits"] == 3
        assert report.path["alpha"] == fitted.best_params_["elasticnet__alpha"]


def test_pipeline_feature_names_from_a_dataframe(sparse_problem):
    pd = pytest.importorskip("pandas")
    X, y = sparse_problem
    frame = pd.DataFrame(X, columns=[f"col_{j}" for j in range(X.shape[1])])
    pipe = make_pipeline(StandardScaler(), LassoCV(cv=3, alphas=15)).fit(frame, y)
    report = FeatureSelectionReport.from_estimator(pipe, frame, y, **FAST)
    assert report.feature_names == list(frame.columns)
    assert report.provenance["estimator"] == "Pipeline(StandardScaler, LassoCV)"


def test_provenance(cv_report):
    _, report = cv_report
    prov = report.provenance
    assert (prov["n_samples"], prov["n_features"]) == (80, 12)
    assert prov["versions"]["scikit-learn"] and prov["versions"]["numpy"]
    assert prov["params"]["l1_ratio"] == [0.5, 1.0]
    assert prov["fit_times"]["total"] >= prov["fit_times"]["stability"] > 0


def test_diagnostics_find_collinear_group():
    rng = np.random.default_rng(0)
    z = rng.standard_normal(120)
    X = np.column_stack(
        [z, z + 0.05 * rng.standard_normal(120), rng.standard_normal((120, 4))]
    )
    y = 2 * z + X[:, 2] + 0.1 * rng.standard_normal(120)
    report = FeatureSelectionReport.from_estimator(
        ElasticNet(alpha=0.01, l1_ratio=0.5), X, y, **FAST
    )
    d = report.diagnostics
    assert ["x0", "x1"] in [sorted(g) for g in d["collinear_groups"]]
    assert d["vif"]["x0"] > 10
    assert d["model_converged"] and d["n_convergence_warnings"] == 0


def test_text_is_fixed_width_and_complete(cv_report):
    _, report = cv_report
    text = report.to_text()
    assert text == str(report)
    assert max(len(line) for line in text.splitlines()) <= WIDTH
    for heading in [
        "Selected features",
        "Regularization path",
        "Stability selection",
        "Diagnostics",
        "Bound: E[V] <= q^2",
        "Assumptions",
    ]:
        assert heading in text
    assert "min " in text and "1se " in text


def test_dict_and_json_need_no_pandas(cv_report, tmp_path, monkeypatch):
    _, report = cv_report
    monkeypatch.setitem(sys.modules, "pandas", None)
    d = report.to_dict()
    text = json.dumps(d, allow_nan=False)  # NaN became None
    assert json.loads(text)["selected"] == report.selected
    out = tmp_path / "r.json"
    assert report.to_json(out) == out.read_text()
    loaded = json.loads(out.read_text())
    assert loaded["format"] == "skreg.FeatureSelectionReport/1"
    assert len(loaded["path"]["alphas"]) == 25
    assert loaded["stability"]["bound"] == pytest.approx(report.stability["bound"])
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind
    with pytest.raises(ImportError, match="pandas"):
        report.to_frame()


def test_to_frame_sections(cv_report):
    pytest.importorskip("pandas")
    _, report = cv_report
    feats = report.to_frame()
    assert list(feats.index) == report.feature_names
    assert feats["selected"].sum() == len(report.selected)
    path = report.to_frame("path")
    assert list(path.columns[:3]) == ["alpha", "n_nonzero", "deviance_explained"]
    stab = report.to_frame("stability")
    assert stab.shape == np.asarray(report.stability["probabilities"]).shape
    with pytest.raises(ValueError, match="section"):
        report.to_frame("nope")
    with pytest.raises(ValueError, match="mlp"):
        report.to_frame("mlp")


def _pngs(html):
    import re

    return [
        base64.b64decode(m)
        for m in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    ]


def test_html_is_self_contained_with_figures(cv_report, tmp_path):
    pytest.importorskip("matplotlib")
    _, report = cv_report
    out = tmp_path / "r.html"
    html = report.to_html(out)
    assert out.read_text(encoding="utf-8") == html
    assert html.startswith("<!DOCTYPE html>") and "</html>" in html
    assert "http://" not in html and "https://" not in html  # nothing fetched
    pngs = _pngs(html)
    assert len(pngs) == 3 and all(p.startswith(b"\x89PNG\r\n\x1a\n") for p in pngs)
    fragment = report._repr_html_()
    assert "<html" not in fragment and "skreg-report" in fragment


def test_html_without_matplotlib_keeps_tables(cv_report, monkeypatch):
    _, report = cv_report
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    html = report.to_html()
    assert "skreg[plot]" in html and "<table>" in html and not _pngs(html)


def test_skip_stability_with_zero_bootstrap(sparse_problem):
    X, y = sparse_problem
    report = FeatureSelectionReport.from_estimator(
        Lasso(alpha=0.1), X, y, cv=3, n_bootstrap=0
    )
    assert report.stability is None
    assert "Stability selection" not in report.to_text()
    assert report.to_dict()["stability"] is None


def test_errors(sparse_problem):
    X, y = sparse_problem
    with pytest.raises(TypeError, match="Ridge"):
        FeatureSelectionReport.from_estimator(Ridge(), X, y, **FAST)
    with pytest.raises(ValueError, match="l1_ratio=0"):
        FeatureSelectionReport.from_estimator(
            ElasticNet(alpha=1.0, l1_ratio=0.0), X, y, **FAST
        )
    search = GridSearchCV(Lasso(), {"alpha": [0.1, 1.0]}, cv=KFold(3), refit=False)
    with pytest.raises(ValueError, match="refit"):
        FeatureSelectionReport.from_estimator(search, X, y, **FAST)


class _FakeMLP(BaseEstimator):
    """Stand-in with the attributes of skreg's regularized MLPs."""

    def __init__(self, n_features=12):
        self.n_features = n_features
        imp = np.zeros(n_features)
        imp[[0, 2]] = [1.5, 0.25]
        self.feature_importances_ = imp
        self.n_features_selected_ = 2
        self.train_loss_curve_ = [3.0, 2.0, 1.5, 1.2]
        self.validation_loss_curve_ = [3.1, 2.2, 2.0, 2.1]
        self.best_epoch_ = 2
        self.coefs_ = [np.ones((n_features, 2))]  # "fitted" for check_is_fitted

    def fit(self, X, y):  # pragma: no cover - never called: already fitted
        return self


def test_mlp_section_beside_the_linear_model(sparse_problem):
    X, y = sparse_problem
    report = FeatureSelectionReport.from_estimator(
        Lasso(alpha=0.1), X, y, mlp=_FakeMLP(X.shape[1]), **FAST
    )
    assert report.mlp["selected"] == ["x0", "x2"]
    assert "Input-feature selection of _FakeMLP" in report.to_text()
    assert report.to_dict()["mlp"]["n_features_selected"] == 2
    assert report.to_frame("mlp")["selected"].sum() == 2
    if sys.modules.get("matplotlib") is not None:
        assert len(_pngs(report.to_html())) == 4  # + training curves


def test_mlp_as_the_estimator(sparse_problem):
    X, y = sparse_problem
    report = FeatureSelectionReport.from_estimator(_FakeMLP(X.shape[1]), X, y)
    assert report.selected == ["x0", "x2"] and report.path is None
    text = report.to_text()
    assert "Input-feature selection" in text and "Regularization path" not in text
    json.dumps(report.to_dict())
    report.to_html()


def test_real_mlp_input_selection_in_the_report(sparse_problem):
    nn = pytest.importorskip("skreg.neural_network")
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    X, y = sparse_problem
    mlp = nn.RegularizedMLPRegressor(
        hidden_layer_sizes=(16,), alpha=0.05, l1_ratio=1.0, input_penalty="group",
        max_iter=60, validation_fraction=0.2, random_state=0,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a short training
        mlp.fit(X, y)
    report = FeatureSelectionReport.from_estimator(
        Lasso(alpha=0.1), X, y, mlp=mlp, **FAST
    )
    expect = [f"x{j}" for j in np.flatnonzero(mlp.feature_importances_ > 0)]
    assert report.mlp["selected"] == expect
    assert report.mlp["model"] == "RegularizedMLPRegressor"
    json.dumps(report.to_dict())
