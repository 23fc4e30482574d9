"""Regressions of issue 24: reports and displays on real pipelines, read by people."""

import re
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skreg import ElasticNet, ElasticNetCV, LassoCV
from skreg.reports import (
    CVCurveDisplay,
    FeatureSelectionReport,
    RegularizationPathDisplay,
    StabilityPathDisplay,
    StabilitySelector,
)
from skreg.reports._format import WIDTH

FAST = dict(cv=3, n_bootstrap=6, random_state=0)


@pytest.fixture(scope="module")
def search_report(sparse_problem):
    X, y = sparse_problem
    search = GridSearchCV(
        make_pipeline(StandardScaler(), ElasticNet()),
        {"elasticnet__alpha": [0.03, 0.3], "elasticnet__l1_ratio": [0.5, 1.0]},
        cv=KFold(3),
    ).fit(X, y)
    return search, FeatureSelectionReport.from_estimator(search, X, y, **FAST)


# -- best parameters of a search over a pipeline ---------------------------------------
def test_search_best_params_keep_pipeline_keys(search_report):
    search, report = search_report
    best = report.provenance["search"]["best_params"]
    assert best == {k: float(v) for k, v in search.best_params_.items()}
    assert report.to_dict()["provenance"]["search"]["best_params"] == best
    text = report.to_text()
    alpha = search.best_params_["elasticnet__alpha"]
    assert f"elasticnet__alpha={alpha:.4g}" in text.replace("\n  ", " ")
    html = report.to_html(figures=False)
    assert "elasticnet__l1_ratio=" in html and "best {}" not in html
    # and the answer leads: the best parameters are in the headline of both
    assert "elasticnet__alpha=" in text.split("Selected features")[0]
    assert "elasticnet__alpha=" in html.split("<h2")[0]


# -- displays on every kind of estimator ----------------------------------------------
@pytest.mark.parametrize(
    "make, fitted",
    [
        (lambda: make_pipeline(StandardScaler(), LassoCV(cv=3, alphas=10)), True),
        (lambda: LassoCV(cv=3, alphas=10), True),
        (lambda: ElasticNetCV(l1_ratio=[0.5, 1.0], cv=3, alphas=10), False),
        (
            lambda: make_pipeline(
                StandardScaler(), ElasticNetCV(l1_ratio=[0.5, 1.0], cv=3, alphas=10)
            ),
            False,
        ),
        (
            lambda: GridSearchCV(
                make_pipeline(StandardScaler(), ElasticNet()),
                {"elasticnet__alpha": [0.03, 0.3]},
                cv=3,
            ),
            False,
        ),
        (
            lambda: GridSearchCV(
                make_pipeline(StandardScaler(), ElasticNet()),
                {"elasticnet__alpha": [0.03, 0.3]},
                cv=3,
            ),
            True,
        ),
    ],
    ids=["pipe-lassocv-fitted", "lassocv-fitted", "enetcv-list-unfitted",
         "pipe-enetcv-unfitted", "search-unfitted", "search-fitted"],
)  # fmt: skip
def test_regularization_path_display_accepts_every_form(make, fitted, sparse_problem):
    X, y = sparse_problem
    est = make()
    if fitted:
        est.fit(X, y)
    disp = RegularizationPathDisplay.from_estimator(est, X, y)
    assert disp.coefs.shape[0] == X.shape[1]
    assert np.isfinite(disp.coefs).all() and len(disp.lines_) == X.shape[1]
    if "CV" in type(disp).__name__ or hasattr(est, "l1_ratio"):
        assert disp.l1_ratio in (0.5, 1.0)


def test_cv_curve_display_through_a_search(sparse_problem):
    X, y = sparse_problem
    search = GridSearchCV(
        make_pipeline(StandardScaler(), LassoCV(cv=3, alphas=10)),
        {"lassocv__fit_intercept": [True]},
        cv=3,
    )
    disp = CVCurveDisplay.from_estimator(search, X, y)
    assert disp.alpha_1se >= disp.alpha_min


def test_stability_display_through_a_pipeline_names_the_columns(sparse_problem):
    pd = pytest.importorskip("pandas")
    X, y = sparse_problem
    frame = pd.DataFrame(X, columns=[f"col_{j}" for j in range(X.shape[1])])
    pipe = make_pipeline(
        StandardScaler(), StabilitySelector(alphas=5, n_bootstrap=4, random_state=0)
    ).fit(frame, y)
    disp = StabilityPathDisplay.from_estimator(pipe)
    assert disp.feature_names == list(frame.columns)


# -- names, target, foreign estimators -------------------------------------------------
def test_target_name_from_a_series(sparse_problem):
    pd = pytest.importorskip("pandas")
    X, y = sparse_problem
    report = FeatureSelectionReport.from_estimator(
        LassoCV(cv=3, alphas=10), X, pd.Series(y, name="TOTEMP"), **FAST
    )
    assert report.provenance["target"] == "TOTEMP"
    assert '"TOTEMP"' in report.to_text()


def test_sklearns_own_lassocv_is_named_with_the_fix(sparse_problem):
    from sklearn.linear_model import LassoCV as SkLassoCV

    X, y = sparse_problem
    with pytest.raises(TypeError, match=r"scikit-learn's .*skreg\.LassoCV"):
        FeatureSelectionReport.from_estimator(SkLassoCV(cv=3), X, y, **FAST)
    with pytest.raises(TypeError, match=r"skreg\.LassoCV"):
        RegularizationPathDisplay.from_estimator(SkLassoCV(cv=3), X, y)


def test_long_names_sharing_a_prefix_stay_distinct_in_the_text():
    rng = np.random.default_rng(0)
    levels = ["Adm-clerical", "Craft-repair", "Exec-managerial", "Farming-fishing",
              "Handlers-cleaners"]  # fmt: skip
    names = [f"cat__occupation_{lv}" for lv in levels] + ["num__age", "num__hours"]
    X = rng.standard_normal((90, len(names)))
    y = X[:, :5] @ np.array([3.0, -2.0, 1.5, 1.0, -1.0]) + rng.standard_normal(90)
    report = FeatureSelectionReport.from_estimator(
        LassoCV(cv=3, alphas=15), X, y, feature_names=names, **FAST
    )
    text = report.to_text()
    assert max(len(line) for line in text.splitlines()) <= WIDTH
    for section in ("Selected features", "Selection probability by alpha"):
        block = text.split(section, 1)[1].split("\n\n", 1)[0]
        rows = [ln.split(" ")[0] for ln in block.splitlines()[3:] if ln.strip()]
        shown = [r for r in rows if r.startswith("cat__")]
        assert len(shown) == 5 and len(set(shown)) == 5, shown


# -- diagnostics -----------------------------------------------------------------------
def _not_converging(sparse_problem):
    X, y = sparse_problem
    return LassoCV(cv=3, alphas=15, max_iter=2, tol=1e-12), X, y


@pytest.mark.iteration_budget  # max_iter=2 on purpose
def test_convergence_warnings_are_counted_not_printed(sparse_problem):
    model, X, y = _not_converging(sparse_problem)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        report = FeatureSelectionReport.from_estimator(model, X, y, **FAST)
    d = report.diagnostics
    assert d["n_convergence_warnings"] > 0 and d["model_fit_convergence_warnings"] > 0
    text = report.to_text()
    assert text.count("convergence warnings") == 1
    assert "NOT converged" in text


@pytest.mark.iteration_budget  # max_iter=2 on purpose
def test_html_diagnostics_are_whole_sentences_and_warn_in_a_banner(sparse_problem):
    model, X, y = _not_converging(sparse_problem)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        report = FeatureSelectionReport.from_estimator(model, X, y, **FAST)
    html = report.to_html(figures=False)
    diag = html.split("<h2>Diagnostics</h2>", 1)[1].split("</ul>", 1)[0]
    items = re.findall(r"<li[^>]*>(.*?)</li>", diag, re.S)
    assert items and all(not it.startswith(("  ", "epochs", "(")) for it in items)
    assert all(re.search(r"[.:)]$", re.sub("<[^>]+>", "", it).strip()) for it in items)
    head = html.split("<h2", 1)[0]
    assert re.search(r'class="banner[^"]*"[^>]*>[^<]*(<b>)?NOT converged', head)


def test_negative_duality_gaps_never_print_negative(sparse_problem):
    X, y = sparse_problem
    report = FeatureSelectionReport.from_estimator(LassoCV(cv=3, alphas=10), X, y,
                                                   **FAST)  # fmt: skip
    report.path["dual_gaps"] = np.full(len(report.path["alphas"]), -9e-10)
    report.diagnostics["model_dual_gap"] = -9e-10
    text, html = report.to_text(), report.to_html(figures=False)
    for out in (text, html):
        assert "-9.00e-10" not in out and "-9e-10" not in out
        assert "&lt;1e-09" in out or "<1e-09" in out


# -- the headline ----------------------------------------------------------------------
def test_headline_leads_text_and_html(sparse_problem):
    X, y = sparse_problem
    report = FeatureSelectionReport.from_estimator(LassoCV(cv=3, alphas=20), X, y,
                                                   **FAST)  # fmt: skip
    h = report.headline
    p = report.path
    i = int(np.argmin(np.abs(p["alphas"] - p["alpha"])))
    assert h["cv_rmse"] == pytest.approx(np.sqrt(p["cv_mean"][i]))
    assert h["cv_r2"] == pytest.approx(1 - p["cv_mean"][i] / np.var(y))
    assert (h["n_selected"], h["n_features"]) == (len(report.selected), X.shape[1])
    assert h["n_selected_stable"] == len(
        set(report.selected) & set(report.stability["stable"])
    )
    text = report.to_text()
    first = text.split("Provenance", 1)[0]
    assert "CV R^2" in first and f"{h['n_selected']} of {X.shape[1]}" in first
    html = report.to_html(figures=False)
    assert html.index('class="headline"') < html.index("<h2")


def test_banner_when_alpha_min_is_the_last_alpha(sparse_problem):
    X, y = sparse_problem
    # A short grid that stops far above the best alpha: the minimum is at its edge.
    model = LassoCV(cv=3, alphas=np.geomspace(3.0, 0.5, 6)).fit(X, y)
    report = FeatureSelectionReport.from_estimator(model, X, y, **FAST)
    kinds = [b["kind"] for b in report.headline["banners"]]
    assert "edge" in kinds
    assert "edge of the grid" in report.to_text()


# -- the path plot ---------------------------------------------------------------------
def test_path_plot_is_glmnet_style(sparse_problem):
    from matplotlib.colors import to_rgba
    from matplotlib.figure import Figure

    X, y = sparse_problem
    model = LassoCV(cv=3, alphas=20).fit(X, y)
    fig = Figure()
    disp = RegularizationPathDisplay.from_estimator(model, X, y, ax=fig.add_subplot())
    fig.savefig(__import__("io").BytesIO(), format="png")
    # names at the right edge, not in a legend over the curves
    legend = disp.ax_.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["alpha_min", "alpha_1se"]
    named = [t.get_text() for t in disp.labels_]
    assert 0 < len(named) <= 10 and all(n.startswith("x") for n in named)
    colours = [to_rgba(t.get_color()) for t in disp.labels_]
    assert len(set(colours)) == len(colours)  # no colour repeats among the named
    # the top axis counts the non-zero coefficients at its ticks
    top = [a for a in disp.figure_.axes[0].child_axes]
    assert len(top) == 1
    ticks = top[0].get_xticks()
    labels = [t.get_text() for t in top[0].get_xticklabels()]
    for alpha, label in zip(ticks, labels, strict=True):
        i = int(np.argmin(np.abs(disp.alphas - alpha)))
        assert int(label) == int((disp.coefs[:, i] != 0).sum())


def test_wide_data_draws_the_top_features_and_says_how_many_are_left_out():
    rng = np.random.default_rng(0)
    n, p = 60, 2000
    X = rng.standard_normal((n, p))
    y = X[:, :4] @ np.array([4.0, -3.0, 2.0, 1.5]) + 0.5 * rng.standard_normal(n)
    model = LassoCV(cv=3, alphas=15).fit(X, y)
    report = FeatureSelectionReport.from_estimator(
        model, X, y, cv=3, n_bootstrap=4, random_state=0
    )
    from matplotlib.figure import Figure

    disp = RegularizationPathDisplay.from_report(report, ax=Figure().add_subplot())
    assert len(disp.lines_) == 30 and disp.n_hidden_ == p - 30
    assert {0, 1, 2, 3} <= set(disp.shown_.tolist())  # the first to enter
    html = report.to_html()
    assert "30 of 2000 features drawn, 1970 left out" in html
    assert len(html) < 1_000_000  # tables and figures stay small
    assert "features, neither selected nor stable, are not listed" in html


# -- the HTML feature table ------------------------------------------------------------
def test_feature_table_puts_the_answer_first_and_names_on_hover(sparse_problem):
    X, y = sparse_problem
    long = [f"num__a_rather_long_measurement_name_{'z' * 70}_{j}" for j in range(12)]
    report = FeatureSelectionReport.from_estimator(
        LassoCV(cv=3, alphas=10), X, y, feature_names=long, **FAST
    )
    html = report.to_html(figures=False)
    table = html.split('<table class="features">', 1)[1].split("</table>", 1)[0]
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", table)
    assert headers[:4] == ["feature", "sel.", "P(stable)", "CV freq."]
    titles = re.findall(r'<td class="name" title="([^"]*)">([^<]*)</td>', table)
    assert len(titles) == 12
    for full, shown in titles:
        assert "…" in shown and full.endswith(shown.split("…")[1])
    # server-side order: the selected features first, by |standardized coefficient|
    body = table.split("<tbody>", 1)[1]
    rows = re.findall(r"<tr(?: class=\"(sel|off)\")?>", body)
    assert rows == sorted(rows, key=lambda c: c != "sel")


class _FittedMLP(BaseEstimator):
    """Stand-in with the attributes of skreg's regularized MLPs (already fitted)."""

    def __init__(self):
        self.feature_importances_ = np.array([1.5, 0, 0.25, 0, 0, 0.75])
        self.coefs_ = [np.ones((6, 2))]  # "fitted" for check_is_fitted

    def fit(self, X, y):  # pragma: no cover - never called: already fitted
        return self


def test_mlp_importance_table_is_sorted():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((30, 6)), rng.standard_normal(30)
    report = FeatureSelectionReport.from_estimator(_FittedMLP(), X, y)
    html = report.to_html(figures=False)
    section = html.split("Input-feature selection", 1)[1]
    names = re.findall(r'<td class="name"[^>]*>([^<]*)</td>', section)
    assert names[:3] == ["x0", "x5", "x2"]
    imps = [float(v) for v in re.findall(r'<td class="num">([-0-9.e]+)</td>', section)]
    assert imps == sorted(imps, reverse=True)
