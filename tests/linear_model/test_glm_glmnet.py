"""Sparse GLMs against R's glmnet 4.1-6 (``standardize=FALSE``, ``thresh=1e-14``).

The reference fits are data (``tests/data/glmnet_glm/``, written once by
``tests/data/make_glmnet_refs_glm.R``), so R is not needed to run these tests. Each
problem is fitted by glmnet along its own default lambda grid; skreg fits the same
lambdas at its default settings and must reach an objective no worse than glmnet's
by more than 1e-6 relative, with fitted probabilities (means) within 1e-3.

How glmnet's objective maps onto skreg's (both computed below, from first principles,
by :func:`objective`):

- Weights. glmnet normalises the observation weights to sum to one inside its
  Fortran (``lognet``, ``fishnet``), so its loss is the weighted *mean* negative
  log-likelihood; skreg's ``s = w / sum(w)`` is the same. ``lambda`` is skreg's
  ``alpha`` and glmnet's ``alpha`` is skreg's ``l1_ratio``; the penalty is
  ``lambda (alpha ||B||_1 + (1 - alpha) / 2 ||B||_F^2)`` in both, intercepts free.
- Binomial. ``-loglik / N = sum_i s_i (log(1 + e^eta_i) - y_i eta_i)``: glmnet's
  deviance over ``2 N`` (the saturated log-likelihood of 0/1 data is 0).
- Multinomial. glmnet's symmetric parametrisation: one coefficient row and one
  intercept per class, all rows penalised, ``sum_i s_i (logsumexp(eta_i) -
  eta_{i, y_i})``. The loss is invariant to adding a vector to every row; the penalty
  picks the shift (glmnet's Fortran re-centres each column by the minimiser of the
  penalty over shifts, ``elc``; an exact optimum is already so centred). glmnet
  returns intercepts centred to sum zero, and so does skreg. ``type.multinomial =
  "grouped"`` replaces ``||B||_1`` by ``sum_j ||B[:, j]||_2`` (skreg's
  ``multinomial_penalty="grouped"``).
- Poisson. glmnet minimises ``sum_i s_i (mu_i - y_i eta_i)`` (its ``-loglik / N``
  without the ``log y!`` term); skreg's loss is half the mean deviance, ``sum_i s_i
  (mu_i - y_i eta_i + y_i log y_i - y_i)``: the same function plus a constant. The
  comparison below uses skreg's form (non-negative, so "relative" is well defined;
  it is also the stricter of the two, being the smaller in magnitude here).

Penalty factors (``tests/data/make_glmnet_refs_glm_pf.R``, problems ``pf_*``):
glmnet's ``penalty.factor`` with zeros and varied positive values, rescaled by glmnet
to sum to ``nvars``; the penalty of feature ``j`` (all its class rows, or its group
norm) is multiplied by the rescaled factor ``f_j``, in both the L1 and the L2 term
(``pf_binomial_enet`` has glmnet's ``alpha = 0.5``). skreg's ``penalty_factor``
takes the same raw factors and rescales them the same way.

Cross-validation: ``cv.glmnet(type.measure="deviance", foldid=...)`` on the binomial
dense problem, on the fitted lambda grid; skreg gets the same folds as a
``PredefinedSplit`` and the same grid, and must select ``lambda.min`` and
``lambda.1se`` (and reproduce ``cvm``/``cvsd`` to 1e-4 relative).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import expit, logsumexp, softmax, xlogy
from sklearn.model_selection import PredefinedSplit

from skreg import (
    SparseLogisticRegression,
    SparseLogisticRegressionCV,
    SparsePoissonRegressor,
)
from skreg.linear_model import logistic_path

DATA = Path(__file__).resolve().parents[1] / "data" / "glmnet_glm"

# name -> (family, multinomial_penalty)
PROBLEMS = {
    "binomial_dense": ("binomial", "ungrouped"),
    "binomial_wide": ("binomial", "ungrouped"),
    "binomial_sparse_weighted": ("binomial", "ungrouped"),
    "multinomial": ("multinomial", "ungrouped"),
    "multinomial_grouped": ("multinomial", "grouped"),
    "poisson": ("poisson", "ungrouped"),
}
# Problems with glmnet's penalty.factor: name -> (family, multinomial_penalty).
PF_PROBLEMS = {
    "pf_binomial_dense": ("binomial", "ungrouped"),
    "pf_binomial_enet": ("binomial", "ungrouped"),
    "pf_binomial_sparse": ("binomial", "ungrouped"),
    "pf_multinomial": ("multinomial", "ungrouped"),
    "pf_multinomial_grouped": ("multinomial", "grouped"),
    "pf_poisson": ("poisson", "ungrouped"),
}
OBJ_RTOL = 1e-6
FITTED_ATOL = 1e-3


def _load(name: str, part: str) -> np.ndarray:
    return np.loadtxt(DATA / f"{name}_{part}.csv.gz", delimiter=",", ndmin=2)


def load_problem(name: str) -> dict:
    """Design, response, weights and glmnet's path for one stored problem."""
    if (DATA / f"{name}_X.csv.gz").exists():
        X = _load(name, "X")
    else:
        rows, cols, vals = _load(name, "Xsp").T
        n, p = _load(name, "shape").ravel().astype(int)
        X = sp.csc_matrix((vals, (rows.astype(int), cols.astype(int))), shape=(n, p))
    lambdas = _load(name, "lambda").ravel()
    m, n = lambdas.shape[0], X.shape[0]
    a0 = _load(name, "a0")
    K = a0.shape[1]
    extra = {}
    if (DATA / f"{name}_pf.csv.gz").exists():
        extra["pf"] = _load(name, "pf").ravel()
        extra["l1_ratio"] = float(_load(name, "l1ratio")[0, 0])
    return {
        **extra,
        "X": X,
        "y": _load(name, "y").ravel(),
        "w": _load(name, "w").ravel(),
        "lambdas": lambdas,
        "a0": a0,
        "beta": _load(name, "beta").reshape(m, K, X.shape[1]),
        "fitted": _load(name, "fitted").reshape(m, n, K),
    }


def objective(family, grouped, X, y, w, B, b, lam, l1_ratio=1.0, pf=None):
    """The common objective (skreg's form, see the module docstring) at ``(B, b)``.

    ``pf``: glmnet's raw penalty factors, rescaled here to sum to ``n_features``.
    """
    s = w / w.sum()
    eta = np.asarray(X @ B.T) + b
    if family == "binomial":
        loss = np.logaddexp(0.0, eta[:, 0]) - y * eta[:, 0]
    elif family == "multinomial":
        idx = y.astype(int)
        loss = logsumexp(eta, axis=1) - eta[np.arange(X.shape[0]), idx]
    else:
        loss = np.exp(eta[:, 0]) - y * eta[:, 0] + xlogy(y, y) - y
    p = B.shape[1]
    f = np.ones(p) if pf is None else np.asarray(pf) * (p / np.sum(pf))
    l1 = np.sqrt((B**2).sum(axis=0)) if grouped else np.abs(B).sum(axis=0)
    pen = lam * (l1_ratio * f @ l1 + 0.5 * (1.0 - l1_ratio) * f @ (B**2).sum(axis=0))
    return float(s @ loss) + pen


def fitted(family, X, B, b):
    """Fitted probabilities (binomial: P(y=1)) or means, shape ``(n, K)``."""
    eta = np.asarray(X @ B.T) + b
    if family == "binomial":
        return expit(eta)
    if family == "multinomial":
        return softmax(eta, axis=1)
    return np.exp(eta)


def _fit_skreg(family, penalty, X, y, w, lam, **params):
    if family == "poisson":
        est = SparsePoissonRegressor(alpha=lam, **params).fit(X, y, sample_weight=w)
        return est.coef_[None, :].astype(float), np.array([est.intercept_])
    est = SparseLogisticRegression(alpha=lam, multinomial_penalty=penalty, **params)
    est.fit(X, y.astype(int), sample_weight=w)
    return est.coef_.astype(float), est.intercept_.astype(float)


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_objective_and_fitted_values_match_glmnet_along_its_path(name):
    family, penalty = PROBLEMS[name]
    grouped = penalty == "grouped"
    ref = load_problem(name)
    X, y, w = ref["X"], ref["y"], ref["w"]
    for i, lam in enumerate(ref["lambdas"]):
        B, b = _fit_skreg(family, penalty, X, y, w, lam)
        ours = objective(family, grouped, X, y, w, B, b, lam)
        B_ref, b_ref = ref["beta"][i], ref["a0"][i]
        theirs = objective(family, grouped, X, y, w, B_ref, b_ref, lam)
        assert ours <= theirs + OBJ_RTOL * abs(theirs), (i, lam, ours, theirs)
        # glmnet's stored fitted values are its own predict(); check the reading.
        np.testing.assert_allclose(
            fitted(family, X, B_ref, b_ref), ref["fitted"][i], rtol=1e-8, atol=1e-9
        )
        np.testing.assert_allclose(
            fitted(family, X, B, b), ref["fitted"][i], rtol=0, atol=FITTED_ATOL
        )


def test_multinomial_intercepts_centred_as_glmnet():
    ref = load_problem("multinomial")
    i = len(ref["lambdas"]) // 2
    np.testing.assert_allclose(ref["a0"][i].sum(), 0.0, atol=1e-10)
    est = SparseLogisticRegression(alpha=ref["lambdas"][i]).fit(
        ref["X"], ref["y"].astype(int)
    )
    np.testing.assert_allclose(est.intercept_.sum(), 0.0, atol=1e-12)
    np.testing.assert_allclose(est.intercept_, ref["a0"][i], atol=1e-3)


def _cv_ref(part):
    return np.loadtxt(DATA / f"cv_binomial_dense_{part}.csv.gz", delimiter=",")


def test_cv_selects_glmnet_lambda_min_and_1se():
    ref = load_problem("binomial_dense")
    foldid = _cv_ref("foldid").astype(int)
    lambdas = _cv_ref("lambda")
    lambda_min, lambda_1se = _cv_ref("selected")
    np.testing.assert_array_equal(lambdas, ref["lambdas"])
    cv = SparseLogisticRegressionCV(alphas=lambdas, cv=PredefinedSplit(foldid))
    cv.fit(ref["X"], ref["y"].astype(int))
    np.testing.assert_array_equal(cv.alphas_, lambdas)
    np.testing.assert_allclose(cv.mean_score_path_[0], _cv_ref("cvm"), rtol=1e-4)
    np.testing.assert_allclose(cv.se_score_path_[0], _cv_ref("cvsd"), rtol=1e-3)
    assert cv.alpha_ == lambda_min
    assert cv.alpha_1se_ == lambda_1se


@pytest.mark.parametrize("name", sorted(PF_PROBLEMS))
def test_penalty_factor_matches_glmnet_along_its_path(name):
    """skreg's penalty_factor against glmnet's penalty.factor (zeros included)."""
    family, penalty = PF_PROBLEMS[name]
    grouped = penalty == "grouped"
    ref = load_problem(name)
    X, y, w, pf, l1_ratio = ref["X"], ref["y"], ref["w"], ref["pf"], ref["l1_ratio"]
    assert np.any(pf == 0) and len(np.unique(pf[pf > 0])) > 1
    unpen = np.flatnonzero(pf == 0)
    for i, lam in enumerate(ref["lambdas"]):
        B, b = _fit_skreg(
            family, penalty, X, y, w, lam, l1_ratio=l1_ratio, penalty_factor=pf
        )
        args = (family, grouped, X, y, w)
        ours = objective(*args, B, b, lam, l1_ratio, pf)
        theirs = objective(*args, ref["beta"][i], ref["a0"][i], lam, l1_ratio, pf)
        assert ours <= theirs + OBJ_RTOL * abs(theirs), (i, lam, ours, theirs)
        np.testing.assert_allclose(
            fitted(family, X, B, b), ref["fitted"][i], rtol=0, atol=FITTED_ATOL
        )
        # Unpenalised features are in the model from glmnet's lambda.max on.
        assert np.all(np.abs(B[:, unpen]).max(axis=0) > 0)


@pytest.mark.parametrize("name", sorted(PF_PROBLEMS))
def test_penalty_factor_fista_matches_glmnet(name):
    family, penalty = PF_PROBLEMS[name]
    ref = load_problem(name)
    X, y, w, pf, l1_ratio = ref["X"], ref["y"], ref["w"], ref["pf"], ref["l1_ratio"]
    args = (family, penalty == "grouped", X, y, w)
    for i in range(0, len(ref["lambdas"]), 4):
        lam = ref["lambdas"][i]
        B, b = _fit_skreg(
            family, penalty, X, y, w, lam, l1_ratio=l1_ratio, penalty_factor=pf,
            solver="fista",
        )  # fmt: skip
        ours = objective(*args, B, b, lam, l1_ratio, pf)
        theirs = objective(*args, ref["beta"][i], ref["a0"][i], lam, l1_ratio, pf)
        assert ours <= theirs + OBJ_RTOL * abs(theirs), (i, lam, ours, theirs)
        np.testing.assert_allclose(
            fitted(family, X, B, b), ref["fitted"][i], rtol=0, atol=FITTED_ATOL
        )


@pytest.mark.parametrize(
    "name", ["pf_binomial_dense", "pf_binomial_sparse", "pf_multinomial_grouped"]
)
def test_penalty_factor_grid_and_path_match_glmnet(name):
    """glmnet's lambda.max (penalised features at the unpenalised fit) and its path."""
    family, penalty = PF_PROBLEMS[name]
    ref = load_problem(name)
    X, y, w, pf, l1_ratio = ref["X"], ref["y"], ref["w"], ref["pf"], ref["l1_ratio"]
    lambdas = ref["lambdas"]
    alphas, coefs, intercepts, _ = logistic_path(
        X, y.astype(int), l1_ratio=l1_ratio, sample_weight=w, penalty_factor=pf,
        multinomial_penalty=penalty, n_alphas=5, eps=lambdas[-1] / lambdas[0],
    )  # fmt: skip
    np.testing.assert_allclose(alphas[0], lambdas[0], rtol=1e-7)
    alphas, coefs, intercepts, _ = logistic_path(
        X, y.astype(int), l1_ratio=l1_ratio, sample_weight=w, penalty_factor=pf,
        multinomial_penalty=penalty, alphas=lambdas,
    )  # fmt: skip
    args = (family, penalty == "grouped", X, y, w)
    for i, lam in enumerate(lambdas):
        ours = objective(*args, coefs[:, :, i], intercepts[:, i], lam, l1_ratio, pf)
        theirs = objective(*args, ref["beta"][i], ref["a0"][i], lam, l1_ratio, pf)
        assert ours <= theirs + OBJ_RTOL * abs(theirs), (i, lam, ours, theirs)
