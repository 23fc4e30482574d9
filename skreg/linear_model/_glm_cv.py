"""Cross-validated sparse logistic regression (glmnet's ``cv.glmnet``).

Each (``l1_ratio``, fold) pair fits one warm-started path on the training part and
scores every alpha on the held-out part: by default the weighted mean deviance
(glmnet's ``type.measure = "deviance"``, with its clipping of probabilities to
[1e-5, 1 - 1e-5]). The grid of each ``l1_ratio`` comes from the full data, as glmnet.
The fold means and standard errors follow ``cv.glmnet`` (fold means weighted by the
folds' total sample weight), and so do ``alpha_`` (smallest mean, largest alpha among
ties) and ``alpha_1se_`` (largest alpha whose mean is within one standard error of
the smallest).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator
from sklearn.metrics import get_scorer
from sklearn.model_selection import check_cv

from skreg._glm_path import _problem, glm_alpha_grid, glm_path
from skreg.linear_model._cv import check_alpha_grid, check_l1_ratios
from skreg.linear_model._glm import (
    _GLM_CONSTRAINTS,
    LogisticClassifierMixin,
    SparseLogisticRegression,
    encode_classes,
    fit_glm,
)
from skreg.penalties import check_penalty_arrays
from skreg.utils._validation import Integral, Interval, Real, StrOptions, _fit_context

__all__ = ["SparseLogisticRegressionCV"]

# cv.glmnet clips the held-out probabilities to this range in its deviance.
_PROB_MIN = 1e-5


def _deviance(Y, eta, s, family):
    """Weighted mean held-out deviance (``2 *`` the mean negative log-likelihood)."""
    if family == "binomial":
        p = np.clip(1.0 / (1.0 + np.exp(-eta[:, 0])), _PROB_MIN, 1 - _PROB_MIN)
        y = Y[:, 0]
        loss = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    else:
        z = eta - eta.max(axis=1, keepdims=True)
        P = np.exp(z)
        P /= P.sum(axis=1, keepdims=True)
        P = np.clip(P, _PROB_MIN, 1 - _PROB_MIN)
        loss = -(Y * np.log(P)).sum(axis=1)
    return 2.0 * float(s @ loss) / float(s.sum())


def _fold_scores(X, Y, sw, train, test, alphas, l1_ratio, opts, scorer, template):
    """Held-out score (lower is better) of every alpha of a path fitted on ``train``."""
    sw_train = None if sw is None else sw[train]
    s_test = np.ones(test.shape[0]) if sw is None else sw[test]
    if not s_test.sum() > 0:
        raise ValueError(
            "sample_weight is zero on every row of a held-out cross-validation fold."
        )
    _, coefs, intercepts, *_ = glm_path(
        X[train], Y[train], alphas=alphas, l1_ratio=l1_ratio, sample_weight=sw_train,
        **opts,
    )  # fmt: skip
    X_test, Y_test = X[test], Y[test]
    out = np.empty(alphas.shape[0])
    for i in range(alphas.shape[0]):
        W = coefs[:, :, i].astype(np.float64)
        if scorer is None:
            eta = np.asarray(X_test @ W.T) + intercepts[:, i]
            out[i] = _deviance(Y_test, eta, s_test, opts["family"])
        else:
            template.coef_, template.intercept_ = W, intercepts[:, i]
            if Y.shape[1] == 1:
                labels = template.classes_[(Y_test[:, 0] > 0.5).astype(int)]
            else:
                labels = template.classes_[Y_test.argmax(axis=1)]
            out[i] = -scorer(template, X_test, labels)
    return out


class SparseLogisticRegressionCV(LogisticClassifierMixin, BaseEstimator):
    """Sparse logistic regression with ``alpha`` and ``l1_ratio`` chosen by CV.

    Fits :class:`SparseLogisticRegression` paths on each training fold (warm
    started), scores every ``alpha`` on the held-out fold, and refits on all the
    data at the best ``(alpha, l1_ratio)``.

    Parameters
    ----------
    alphas : int or array-like, default=100
        Number of alphas on a geometric grid from ``alpha_max`` (full data) down to
        ``eps * alpha_max``, or the grid itself.
    l1_ratio : float or list of float, default=1.0
        Mixes tried (each in (0, 1] with an automatic grid).
    eps : float, default=1e-3
        Length of the automatic grid.
    cv : int, cross-validation generator or iterable, default=5
        Stratified K-fold for an int (scikit-learn's ``check_cv``).
    scoring : str or callable, default=None
        ``None``: held-out mean deviance (lower is better); otherwise a
        scikit-learn scorer (higher is better).
    n_jobs : int, default=None
        Jobs over the (``l1_ratio``, fold) pairs (joblib).
    fit_intercept, multinomial_penalty, class_weight, tol, max_iter, positive,
    solver, verbose
        As in :class:`SparseLogisticRegression`.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature penalty factors, as in :class:`SparseLogisticRegression`
        (glmnet's ``penalty.factor``, rescaled to sum to ``n_features``): the
        automatic grid starts at the ``alpha_max`` of the penalised features, and
        every fold's path and the refit use the same factors.

    Attributes
    ----------
    alpha_ : float
        Alpha of the smallest mean held-out score.
    l1_ratio_ : float
    alpha_1se_ : float
        Largest alpha (same ``l1_ratio_``) whose mean score is within one standard
        error of the smallest (glmnet's ``lambda.1se``).
    alphas_ : ndarray of shape (n_l1_ratio, n_alphas) or (n_alphas,)
    scores_path_ : ndarray of shape (n_l1_ratio, n_alphas, n_folds)
        Held-out scores (deviance, or minus the scorer's value).
    mean_score_path_, se_score_path_ : ndarray of shape (n_l1_ratio, n_alphas)
        Fold-weighted mean and standard error of ``scores_path_`` (``cv.glmnet``'s
        ``cvm`` and ``cvsd``).
    classes_, coef_, intercept_, n_iter_, dual_gap_
        Of the refitted model.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined only when ``X`` has feature names that are all strings.

    See Also
    --------
    SparseLogisticRegression : The model at a given ``alpha``.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skreg.linear_model import SparseLogisticRegressionCV
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> clf = SparseLogisticRegressionCV(alphas=10, cv=3).fit(X, y)
    >>> bool(clf.alpha_1se_ >= clf.alpha_)
    True
    """

    _parameter_constraints: dict = {
        **{k: v for k, v in _GLM_CONSTRAINTS.items() if k not in ("alpha",)},
        "alphas": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "l1_ratio": [Interval(Real, 0, 1, closed="both"), "array-like"],
        "eps": [Interval(Real, 0, None, closed="neither")],
        "cv": ["cv_object"],
        "scoring": [str, callable, None],
        "n_jobs": [Integral, None],
        "multinomial_penalty": [StrOptions({"ungrouped", "grouped"})],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }
    _parameter_constraints.pop("warm_start", None)

    def __init__(
        self,
        *,
        alphas=100,
        l1_ratio=1.0,
        eps=1e-3,
        cv=5,
        scoring=None,
        n_jobs=None,
        fit_intercept=True,
        multinomial_penalty="ungrouped",
        class_weight=None,
        tol=None,
        max_iter=100,
        positive=False,
        solver="auto",
        verbose=0,
        penalty_factor=None,
    ):
        self.alphas = alphas
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.cv = cv
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.fit_intercept = fit_intercept
        self.multinomial_penalty = multinomial_penalty
        self.class_weight = class_weight
        self.tol = tol
        self.max_iter = max_iter
        self.positive = positive
        self.solver = solver
        self.verbose = verbose
        self.penalty_factor = penalty_factor

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Cross-validate the path(s), then refit at the best ``alpha``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        # Long (about 90 lines): validation, grids, the fold paths and the selection
        # share the fold layout and the class encoding; each step is one block.
        y_labels = np.asarray(y)
        l1_ratios = check_l1_ratios(self.l1_ratio)
        if np.ndim(self.alphas) == 0:
            if np.any(l1_ratios == 0):
                raise ValueError(
                    "Automatic alpha grid generation needs l1_ratio > 0; pass alphas "
                    "explicitly for l1_ratio=0 (ridge)."
                )
        else:
            explicit = check_alpha_grid(self.alphas)
        X, Y, sw, datafit, grouped = encode_classes(self, X, y, sample_weight)
        # Bad factors fail here, not inside a fold (an explicit grid builds no
        # problem on the full data).
        check_penalty_arrays(X.shape[1], self.penalty_factor)
        if sp.issparse(X):
            X = X.tocsr()  # the folds slice rows (COO cannot); each path takes CSC
        family = datafit.name
        grids = []
        for l1_ratio in l1_ratios:
            if np.ndim(self.alphas) == 0:
                problem = _problem(
                    X, Y, sw, datafit, l1_ratio, self.positive, grouped,
                    self.fit_intercept, self.penalty_factor,
                )  # fmt: skip
                grids.append(glm_alpha_grid(problem, int(self.alphas), self.eps))
            else:
                grids.append(explicit)
        alphas = np.array(grids)
        folds = list(check_cv(self.cv, y_labels, classifier=True).split(X, y_labels))
        opts = {
            "family": family,
            "fit_intercept": self.fit_intercept,
            "positive": self.positive,
            "grouped": grouped,
            "tol": self.tol,
            "max_iter": self.max_iter,
            "solver": self.solver,
            "penalty_factor": self.penalty_factor,
        }
        scorer, template = None, None
        if self.scoring is not None:
            scorer = get_scorer(self.scoring)
            template = SparseLogisticRegression()
            template.classes_ = self.classes_
            template.n_features_in_ = X.shape[1]
        jobs = [
            delayed(_fold_scores)(
                X,
                Y,
                sw,
                train,
                test,
                alphas[li],
                l1_ratios[li],
                opts,
                scorer,
                template,
            )  # fmt: skip
            for li in range(l1_ratios.shape[0])
            for train, test in folds
        ]
        scores = Parallel(n_jobs=self.n_jobs, prefer="threads")(jobs)
        n_folds = len(folds)
        path = np.array(scores).reshape(l1_ratios.shape[0], n_folds, -1)
        self.scores_path_ = np.transpose(path, (0, 2, 1))
        fold_w = np.array(
            [len(test) if sw is None else sw[test].sum() for _, test in folds], float
        )
        mean = self.scores_path_ @ fold_w / fold_w.sum()
        dev = (self.scores_path_ - mean[..., None]) ** 2
        var = dev @ fold_w / fold_w.sum()
        se = np.sqrt(var / max(n_folds - 1, 1))
        self.mean_score_path_, self.se_score_path_ = mean, se
        li, ai = np.unravel_index(np.argmin(mean), mean.shape)
        # cv.glmnet: lambda.min is the largest alpha among ties at the minimum.
        ai = int(np.flatnonzero(mean[li] <= mean[li, ai])[0])
        self.l1_ratio_ = float(l1_ratios[li])
        self.alpha_ = float(alphas[li, ai])
        within = mean[li] <= mean[li, ai] + se[li, ai]
        self.alpha_1se_ = float(alphas[li][within].max())
        self.alphas_ = (
            alphas if l1_ratios.shape[0] > 1 or np.ndim(self.l1_ratio) else alphas[0]
        )
        # Refit on all the data at the selected point.
        final = SparseLogisticRegression(
            alpha=self.alpha_,
            l1_ratio=self.l1_ratio_,
            fit_intercept=self.fit_intercept,
            positive=self.positive,
            tol=self.tol,
            max_iter=self.max_iter,
            solver=self.solver,
            penalty_factor=self.penalty_factor,
        )
        result = fit_glm(final, X, Y, sw, datafit, grouped)
        self._set_fitted(result, X.dtype)
        return self
