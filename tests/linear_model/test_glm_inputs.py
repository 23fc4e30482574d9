"""Bad inputs to the sparse GLMs: a clear error naming what is wrong, before any solve.

The rules (decided here):

- ``X``, ``y``, ``sample_weight`` with NaN or infinity, negative or all-zero sample
  weights: ``ValueError`` naming the input (scikit-learn's validation).
- Classifiers: one class only (also after sample and class weights), continuous
  ``y``: ``ValueError``. Labels unseen at ``fit`` passed to ``score``: counted as
  errors, as scikit-learn's ``LogisticRegression`` does (no error).
- Poisson: negative counts or an all-zero target: ``ValueError``. Non-integer
  non-negative targets are accepted (rates, as glmnet and scikit-learn's
  ``PoissonRegressor``).
- Parameters: ``alpha``, ``l1_ratio``, ``multinomial_penalty``, ``class_weight``,
  ``alphas`` (CV, also element-wise) out of range: ``InvalidParameterError`` (a
  ``ValueError`` and ``TypeError``) or ``ValueError`` naming the parameter;
  negative ``class_weight`` values: ``ValueError`` naming ``class_weight``.

"Before any solve": the solvers are replaced by a function that fails the test.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import skreg._glm_path as glm_path_module
from skreg import (
    SparseLogisticRegression,
    SparseLogisticRegressionCV,
    SparsePoissonRegressor,
)

RNG = np.random.default_rng(0)
X = RNG.standard_normal((30, 3))
Y_CLASS = np.arange(30) % 2
Y_COUNT = RNG.poisson(2.0, 30).astype(float)
ESTIMATORS = {
    "logistic": (SparseLogisticRegression, Y_CLASS),
    "logistic_cv": (SparseLogisticRegressionCV, Y_CLASS),
    "poisson": (SparsePoissonRegressor, Y_COUNT),
}


@pytest.fixture
def no_solve(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("a solver ran before the input was rejected")

    # Every GLM fit (estimators, paths, CV) picks its solver in _glm_path.glm_solver.
    monkeypatch.setattr(glm_path_module, "solve_prox_newton", fail)
    monkeypatch.setattr(glm_path_module, "solve_glm_fista", fail)


def _with(a, index, value):
    a = np.array(a, dtype=float)
    a[index] = value
    return a


def _cases():
    ones = np.ones(30)
    return [
        ("X", lambda y: (_with(X, (0, 0), np.nan), y, None), "X contains NaN"),
        ("X", lambda y: (_with(X, (1, 2), np.inf), y, None), "X contains infinity"),
        ("y", lambda y: (X, _with(y, 0, np.nan), None), "y contains NaN"),
        ("y", lambda y: (X, _with(y, 3, -np.inf), None), "y contains infinity"),
        ("sw", lambda y: (X, y, _with(ones, 0, np.nan)), "sample_weight contains NaN"),
        ("sw", lambda y: (X, y, _with(ones, 0, np.inf)), "sample_weight contains inf"),
        (
            "sw",
            lambda y: (X, y, _with(ones, 0, -1.0)),
            "Negative values .*sample_weight",
        ),
        ("sw", lambda y: (X, y, np.zeros(30)), "at least one non-zero"),
    ]


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
@pytest.mark.parametrize("case", range(len(_cases())))
def test_non_finite_and_bad_weights_raise_before_solving(no_solve, name, case):
    cls, y = ESTIMATORS[name]
    _, make, match = _cases()[case]
    X_, y_, sw = make(y)
    with pytest.raises(ValueError, match=match):
        cls().fit(X_, y_, sample_weight=sw)


@pytest.mark.parametrize("cls", [SparseLogisticRegression, SparseLogisticRegressionCV])
def test_classifier_targets(no_solve, cls):
    with pytest.raises(ValueError, match="only one class"):
        cls().fit(X, np.zeros(30))
    with pytest.raises(ValueError, match="only one class"):
        cls().fit(X, Y_CLASS, sample_weight=(Y_CLASS == 1).astype(float))
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        cls().fit(X, RNG.standard_normal(30))


def test_poisson_targets(no_solve):
    with pytest.raises(ValueError, match="non-negative counts"):
        SparsePoissonRegressor().fit(X, Y_COUNT - 3.0)
    with pytest.raises(ValueError, match="positive .*sum"):
        SparsePoissonRegressor().fit(X, np.zeros(30))


def test_poisson_accepts_non_integer_rates():
    est = SparsePoissonRegressor(alpha=0.01).fit(X, Y_COUNT + 0.5)
    assert np.all(np.isfinite(est.coef_)) and est.predict(X).min() > 0


@pytest.mark.parametrize(
    ("cls", "params", "match"),
    [
        (SparseLogisticRegression, {"alpha": -1.0}, "'alpha' parameter"),
        (SparseLogisticRegression, {"alpha": "big"}, "'alpha' parameter"),
        (SparseLogisticRegression, {"l1_ratio": 1.5}, "'l1_ratio' parameter"),
        (SparseLogisticRegression, {"multinomial_penalty": "x"}, "multinomial_penalty"),
        (SparseLogisticRegression, {"class_weight": "x"}, "'class_weight' parameter"),
        (SparseLogisticRegression, {"class_weight": {0: -1.0, 1: 1.0}}, "class_weight"),
        (SparseLogisticRegression, {"class_weight": {5: 1.0}}, "not in class_weight"),
        (SparsePoissonRegressor, {"alpha": -0.1}, "'alpha' parameter"),
        (SparsePoissonRegressor, {"l1_ratio": -0.1}, "'l1_ratio' parameter"),
        (SparseLogisticRegressionCV, {"alphas": [0.1, -1.0]}, r"alphas\[1\]"),
        (SparseLogisticRegressionCV, {"alphas": []}, "alphas must be"),
        (SparseLogisticRegressionCV, {"alphas": 0}, "'alphas' parameter"),
        (SparseLogisticRegressionCV, {"l1_ratio": [0.5, 2.0]}, "l1_ratio must be"),
        (SparseLogisticRegressionCV, {"l1_ratio": [0.5, np.nan]}, "l1_ratio must be"),
        (SparseLogisticRegressionCV, {"l1_ratio": 0.0}, "l1_ratio > 0"),
        (SparseLogisticRegressionCV, {"multinomial_penalty": "x"}, "multinomial_pen"),
        (SparseLogisticRegressionCV, {"class_weight": {0: -2.0}}, "class_weight"),
    ],
)
def test_bad_parameters_name_the_parameter(no_solve, cls, params, match):
    y = Y_COUNT if cls is SparsePoissonRegressor else Y_CLASS
    with pytest.raises((ValueError, TypeError), match=match):
        cls(**params).fit(X, y)


def test_score_with_labels_unseen_at_fit_behaves_as_sklearn():
    y_test = Y_CLASS.copy()
    y_test[:6] = 7  # a label never seen at fit: always a wrong prediction
    ours = SparseLogisticRegression(alpha=0.01).fit(X, Y_CLASS)
    ref = LogisticRegression().fit(X, Y_CLASS)
    expected = np.mean(ours.predict(X) == y_test)
    assert ours.score(X, y_test) == pytest.approx(expected)
    assert np.mean(ref.predict(X) == y_test) == pytest.approx(ref.score(X, y_test))
    assert expected <= 24 / 30
