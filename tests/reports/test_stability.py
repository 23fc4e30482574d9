import json
import math

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from skreg.reports import StabilitySelector, _stability, error_bound, stability_path
from skreg.reports._stability import HAS_CALLBACKS, stable_set


def test_probabilities_are_frequencies_in_unit_interval(sparse_problem):
    X, y = sparse_problem
    res = stability_path(
        X, y, alphas=np.geomspace(2.0, 0.02, 8), n_bootstrap=12, random_state=0
    )
    P = res.selection_probabilities
    assert P.shape == (X.shape[1], 8)
    assert np.all((P >= 0) & (P <= 1))
    # every entry is a count over the 12 subsamples
    np.testing.assert_allclose(P * 12, np.round(P * 12), atol=1e-12)
    assert res.n_subsamples == 12 and res.subsample_size == X.shape[0] // 2
    # union sizes: non-decreasing along the grid and at least the per-alpha counts
    assert np.all(np.diff(res.union_sizes, axis=1) >= 0)
    assert np.all(res.union_sizes >= res.n_selected)
    # the informative features are always chosen at the small alphas
    assert np.all(P[:3, -1] == 1.0)


def test_complementary_pairs_are_disjoint_halves(sparse_problem, monkeypatch):
    X, y = sparse_problem
    seen = []
    original = _stability._fit_pair

    def spy(X, y, halves, scales, alphas, params):
        seen.append(halves)
        return original(X, y, halves, scales, alphas, params)

    monkeypatch.setattr(_stability, "_fit_pair", spy)
    res = stability_path(
        X[:41], y[:41], alphas=[1.0, 0.1], n_bootstrap=7, random_state=1
    )
    assert len(seen) == 4 and res.n_subsamples == 8  # odd rounded up to pairs
    for a, b in seen:
        assert len(a) == len(b) == 20
        assert not set(a) & set(b)


def test_bound_region_and_stable_set_follow_their_formulas(sparse_problem):
    X, y = sparse_problem
    sel = StabilitySelector(
        alphas=10, n_bootstrap=20, threshold=0.8, random_state=0
    ).fit(X, y)
    p = X.shape[1]
    q_cap = math.sqrt((2 * 0.8 - 1) * p)
    mean_union = sel.union_sizes_.mean(axis=0)
    k = sel.n_region_alphas_
    # the region is the longest prefix with q <= cap
    assert np.all(mean_union[:k] <= q_cap + 1e-12)
    assert k == len(mean_union) or mean_union[k] > q_cap
    assert sel.q_ == pytest.approx(mean_union[k - 1])
    assert sel.expected_false_bound_ == pytest.approx(sel.q_**2 / ((2 * 0.8 - 1) * p))
    assert sel.expected_false_bound_ <= 1.0  # what "auto" promises
    np.testing.assert_array_equal(
        sel.max_probabilities_, sel.selection_probabilities_[:, :k].max(axis=1)
    )
    np.testing.assert_array_equal(sel.support_, sel.max_probabilities_ >= 0.8)
    assert set(sel.get_support(indices=True)) <= {0, 1, 2}


def test_error_bound_formula_and_domain():
    assert error_bound(3.0, 100, 0.75) == pytest.approx(9 / 50)
    assert error_bound(2.0, 10, 1.0) == pytest.approx(0.4)
    with pytest.raises(ValueError, match="threshold"):
        error_bound(1.0, 10, 0.5)


def test_max_selected_none_uses_the_whole_grid(sparse_problem):
    X, y = sparse_problem
    res = stability_path(
        X, y, alphas=np.geomspace(2.0, 0.02, 6), n_bootstrap=6, random_state=0
    )
    out = stable_set(res, threshold=0.9, max_selected=None)
    assert out["n_region"] == 6
    out3 = stable_set(res, threshold=0.9, max_selected=3)
    assert out3["q"] <= 3 or out3["n_region"] == 1


def test_randomized_lasso_is_seeded_and_different(sparse_problem):
    X, y = sparse_problem
    kw = dict(alphas=np.geomspace(2.0, 0.05, 6), n_bootstrap=10)
    a = stability_path(X, y, weakness=0.5, random_state=3, **kw)
    b = stability_path(X, y, weakness=0.5, random_state=3, **kw)
    c = stability_path(X, y, weakness=1.0, random_state=3, **kw)
    np.testing.assert_array_equal(a.selection_probabilities, b.selection_probabilities)
    assert not np.array_equal(a.selection_probabilities, c.selection_probabilities)


def test_parallel_equals_sequential(sparse_problem):
    X, y = sparse_problem
    kw = dict(alphas=np.geomspace(2.0, 0.05, 5), n_bootstrap=8, random_state=0)
    a = stability_path(X, y, n_jobs=1, **kw)
    b = stability_path(X, y, n_jobs=2, **kw)
    np.testing.assert_array_equal(a.selection_probabilities, b.selection_probabilities)


def test_sparse_input_matches_dense(sparse_problem):
    sp = pytest.importorskip("scipy.sparse")
    X, y = sparse_problem
    kw = dict(
        alphas=np.geomspace(2.0, 0.05, 5), n_bootstrap=6, random_state=0, weakness=0.6
    )
    a = StabilitySelector(**kw).fit(X, y)
    b = StabilitySelector(**kw).fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(a.selection_probabilities_, b.selection_probabilities_)


def test_selector_in_a_pipeline_with_names_and_pandas_output(sparse_problem):
    pd = pytest.importorskip("pandas")
    X, y = sparse_problem
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    pipe = make_pipeline(
        StandardScaler(), StabilitySelector(alphas=8, n_bootstrap=10, random_state=0)
    ).set_output(transform="pandas")
    out = pipe.fit(frame, y).transform(frame)
    names = list(pipe.get_feature_names_out())
    assert list(out.columns) == names
    assert set(names) <= {"f0", "f1", "f2"} and "f0" in names
    sel = pipe[-1]
    np.testing.assert_array_equal(
        sel.get_feature_names_out(), np.asarray(frame.columns)[sel.support_]
    )


def test_invalid_parameters_raise(sparse_problem):
    X, y = sparse_problem
    with pytest.raises(ValueError, match="l1_ratio"):
        StabilitySelector(l1_ratio=0.0).fit(X, y)
    with pytest.raises(ValueError, match="threshold"):
        StabilitySelector(threshold=0.5).fit(X, y)
    with pytest.raises(ValueError, match="alphas"):
        StabilitySelector(alphas=[-1.0]).fit(X, y)


def test_verbose_prints_progress(sparse_problem, capsys):
    X, y = sparse_problem
    StabilitySelector(alphas=4, n_bootstrap=4, verbose=1, random_state=0).fit(X, y)
    err = capsys.readouterr().err
    assert "2/2 complementary pairs fitted" in err


@pytest.mark.skipif(not HAS_CALLBACKS, reason="scikit-learn without sklearn.callback")
def test_scikit_learn_callbacks_see_every_pair(sparse_problem):
    X, y = sparse_problem

    class Recorder:
        def __init__(self):
            self.events = []

        def setup(self, estimator, context):
            self.events.append("setup")

        def on_fit_task_begin(self, estimator, context):
            self.events.append(("begin", context.task_name))

        def on_fit_task_end(self, estimator, context):
            self.events.append(("end", context.task_name))

        def teardown(self, estimator, context):
            self.events.append("teardown")

    rec = Recorder()
    sel = StabilitySelector(alphas=4, n_bootstrap=6, random_state=0)
    sel.set_callbacks(rec).fit(X, y)
    pairs = [e for e in rec.events if e == ("end", "complementary pair")]
    assert len(pairs) == 3
    assert rec.events[0] == "setup" and rec.events[-1] == "teardown"
    assert ("end", "fit") in rec.events


@pytest.mark.skipif(not HAS_CALLBACKS, reason="scikit-learn without sklearn.callback")
def test_scikit_learn_progress_bar(sparse_problem):
    pytest.importorskip("rich")
    from sklearn.callback import ProgressBar

    X, y = sparse_problem
    sel = StabilitySelector(alphas=4, n_bootstrap=4, random_state=0)
    sel.set_callbacks(ProgressBar()).fit(X, y)
    assert sel.n_subsamples_ == 4


def test_attributes_are_json_serialisable(sparse_problem):
    X, y = sparse_problem
    sel = StabilitySelector(alphas=4, n_bootstrap=4, random_state=0).fit(X, y)
    json.dumps(
        {
            "q": sel.q_,
            "bound": sel.expected_false_bound_,
            "support": sel.support_.tolist(),
        }
    )


# max_selected=None: with "auto", the checks' tiny data (three nearly collinear
# features) has an empty stable set, and scikit-learn warns "No features were
# selected" (an error under filterwarnings=error).
@parametrize_with_checks(
    [StabilitySelector(alphas=5, n_bootstrap=4, max_selected=None, random_state=0)]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
