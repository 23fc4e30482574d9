"""Input selection for the MLPs: alpha chosen on the warm-started path, relaxed refit.

:class:`RegularizedMLPRegressorCV` and :class:`RegularizedMLPClassifierCV` run
:func:`~skreg.neural_network.mlp_path` on a validation split (``cv=None``) or on K
folds, score every path point on held-out data, pick ``alpha`` by the one-standard-error
rule (glmnet's ``lambda.1se``) or at the minimum, and refit on the selected inputs.

Scoring with ``refit="relaxed"``. The validation loss of the penalized network is
biased upwards at sparse points: the shrinkage that removes inputs also shrinks the
kept ones, so the penalized optimum keeps many noise inputs, whose small
contributions offset that bias. As the relaxed lasso (Meinshausen 2007) and glmnet's
``relax=True`` do, every point of the sparse side of the path (at most as many inputs
as the penalized optimum) is scored by its *relaxed* network: the path's weights on
its kept inputs, trained on without input penalty until the validation loss stops
improving. Those networks have a handful of inputs, so each costs a fraction of a path
epoch.

Pruning (``prune``). The group penalty ranks inputs by how cheaply the first layer
represents them, not by how much they matter: an even effect (``x**2``) needs two
ReLU units of opposite slopes, and an input acting only through a product reaches the
first-layer gradient weakly, so such inputs leave the path among the noise inputs
(on the additive design of ``benchmarks/bench_mlp_selection.py``, ``x_4**2`` leaves
12th, after two noise inputs). Each relaxed network is therefore tested input by
input by permutation on the validation rows, the inputs without significant
importance dropped, and the point scored by the network on what remains: a point
that keeps some noise inputs to hold on to a weak informative one can then win.

The final model is the relaxed network of the chosen (pruned) support, with its L2
strength and dropout chosen among ``refit_alphas`` x ``refit_dropouts`` on validation,
retrained on every row and averaged over ``n_refits`` starts.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    is_classifier,
)
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.feature_selection import SelectorMixin
from sklearn.model_selection import check_cv, train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets

from skreg.neural_network._activations import HIDDEN_ACTIVATIONS
from skreg.neural_network._docstrings import fill_cv_doc
from skreg.neural_network._mlp import RegularizedMLPClassifier, RegularizedMLPRegressor
from skreg.neural_network._path import (
    _check_alphas,
    _Trainer,
    exit_alphas,
    merge_networks,
    mlp_path,
    permutation_losses,
    relaxed_network,
    train_early_stopping,
)
from skreg.utils._validation import (
    Integral,
    Interval,
    Real,
    StrOptions,
    _fit_context,
    check_is_fitted,
    validate_data,
)

__all__ = ["RegularizedMLPClassifierCV", "RegularizedMLPRegressorCV"]

# Relaxed fits that score path points: at most this many epochs each.
_SCORE_MAX_ITER = 200
# Permutations per input of the pruning step (``prune``).
_PERMUTATION_REPEATS = 5


class _BaseRegularizedMLPCV(SelectorMixin, BaseEstimator):
    """Shared implementation of the path-and-select MLP estimators."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(set(HIDDEN_ACTIVATIONS))],
        "l1_ratio": [Interval(Real, 0, 1, closed="right")],
        "input_penalty": [StrOptions({"elementwise", "group"})],
        "alphas": ["array-like", None],
        "n_alphas": [Interval(Integral, 2, None, closed="left")],
        "eps": [Interval(Real, 0, 1, closed="neither")],
        "cv": ["cv_object", None],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "selection": [StrOptions({"1se", "min"})],
        "refit": [StrOptions({"relaxed", "penalized"})],
        "refit_alphas": ["array-like"],
        "refit_dropouts": ["array-like"],
        "prune": [Interval(Real, 0, None, closed="left"), None],
        "n_refits": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "max_epochs_per_alpha": [Interval(Integral, 1, None, closed="left")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        hidden_layer_sizes=(64,),
        *,
        activation="relu",
        l1_ratio=1.0,
        input_penalty="group",
        alphas=None,
        n_alphas=20,
        eps=1e-2,
        cv=None,
        validation_fraction=0.2,
        selection="1se",
        refit="relaxed",
        refit_alphas=(1e-3, 3e-3, 1e-2),
        refit_dropouts=(0.0,),
        prune=2.0,
        n_refits=3,
        batch_size="auto",
        learning_rate_init=3e-3,
        max_iter=200,
        max_epochs_per_alpha=10,
        n_iter_no_change=20,
        tol=1e-4,
        random_state=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.l1_ratio = l1_ratio
        self.input_penalty = input_penalty
        self.alphas = alphas
        self.n_alphas = n_alphas
        self.eps = eps
        self.cv = cv
        self.validation_fraction = validation_fraction
        self.selection = selection
        self.refit = refit
        self.refit_alphas = refit_alphas
        self.refit_dropouts = refit_dropouts
        self.prune = prune
        self.n_refits = n_refits
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.max_epochs_per_alpha = max_epochs_per_alpha
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state

    # ------------------------------------------------------------------ helpers
    def _make_network(self, seed):
        return self._network_class(
            self.hidden_layer_sizes,
            activation=self.activation,
            l1_ratio=self.l1_ratio,
            input_penalty=self.input_penalty,
            batch_size=self.batch_size,
            learning_rate_init=self.learning_rate_init,
            max_iter=self.max_iter,
            n_iter_no_change=self.n_iter_no_change,
            tol=self.tol,
            random_state=seed,
        )

    def _check_refit_grid(self):
        alphas = np.asarray(self.refit_alphas, dtype=float).ravel()
        dropouts = np.asarray(self.refit_dropouts, dtype=float).ravel()
        if alphas.size == 0 or not np.all(np.isfinite(alphas)) or np.any(alphas < 0):
            raise ValueError(
                "refit_alphas must be a non-empty list of finite values >= 0, got "
                f"{self.refit_alphas!r}."
            )
        if dropouts.size == 0 or np.any(dropouts < 0) or np.any(dropouts >= 1):
            raise ValueError(
                "refit_dropouts must be a non-empty list of rates in [0, 1), got "
                f"{self.refit_dropouts!r}."
            )
        return [(float(a), float(d)) for d in dropouts for a in alphas]

    def _holdout(self, X, y, rng):
        """Return the indices ``(train, validation)`` of the holdout split."""
        n = X.shape[0]
        n_val = int(np.floor(self.validation_fraction * n))
        if n_val < 1 or n - n_val < 1:
            raise ValueError(
                f"validation_fraction={self.validation_fraction} leaves "
                f"{n_val} validation rows and {n - n_val} training rows out of "
                f"{n} samples; both need at least one. Increase "
                "validation_fraction or pass more samples."
            )
        stratify = None
        if is_classifier(self):
            _, counts = np.unique(y, return_counts=True)
            if counts.min() >= 2 and n_val >= len(counts) and n - n_val >= len(counts):
                stratify = y
        idx = np.arange(n)
        return train_test_split(
            idx,
            test_size=n_val,
            random_state=rng.randint(np.iinfo(np.int32).max),
            stratify=stratify,
        )

    def _score_split(self, net, X, y, train, val, grid, refit_alpha, rng):
        """Run the path on one split; return it, the scores and the selections.

        Returns ``(path, scores, ses, selected)``: ``selected[k]`` is the set of
        inputs that point ``k`` selects (its kept inputs, pruned with ``prune``), and
        ``scores[k]`` the held-out loss of the relaxed network on that set.
        """
        Xt, yt, Xv, yv = X[train], y[train], X[val], y[val]
        path = mlp_path(
            net,
            Xt,
            yt,
            Xv,
            yv,
            alphas=grid,
            n_alphas=self.n_alphas,
            eps=self.eps,
            max_epochs_per_alpha=self.max_epochs_per_alpha,
            return_coefs=True,
            classes=getattr(self, "classes_", None),
        )
        scores = path.validation_loss.copy()
        ses = path.validation_se.copy()
        selected = path.support.copy()

        if self.refit == "relaxed":
            # Relax the sparse side: points with at most the inputs of the penalized
            # optimum (the others keep their penalized score).
            bound = path.n_features[int(np.argmin(scores))]
            max_iter = min(_SCORE_MAX_ITER, self.max_iter)
            for k in np.flatnonzero(path.n_features <= bound):
                support = path.support[k]
                if not support.any() or (k > 0 and _same(path.support, k)):
                    if k > 0 and support.any():
                        scores[k], ses[k] = scores[k - 1], ses[k - 1]
                        selected[k] = selected[k - 1]
                    continue
                trainer = self._relaxed_trainer(
                    path, k, support, Xt, yt, Xv, yv, refit_alpha, 0.0
                )
                train_early_stopping(trainer, max_iter, self.n_iter_no_change, self.tol)
                if self.prune is not None:
                    pruned, _ = self._prune(trainer, support, rng)
                    if not np.array_equal(pruned, support):
                        # Score the point by what it would select: the relaxed
                        # network on the pruned set.
                        selected[k] = pruned
                        trainer = self._relaxed_trainer(
                            path, k, pruned, Xt, yt, Xv, yv, refit_alpha, 0.0
                        )
                        train_early_stopping(
                            trainer, max_iter, self.n_iter_no_change, self.tol
                        )
                scores[k], ses[k] = trainer.validation()
        return path, scores, ses, selected

    def _relaxed_trainer(
        self, path, k, s, Xt, yt, Xv, yv, alpha, dropout, warm=True, seed=None
    ):
        """Trainer of a network on the inputs ``s`` (point ``k``'s weights or fresh).

        ``seed`` seeds a fresh network (default: the path network's seed), or the
        shuffling of a warm one.
        """
        if warm:
            est = path.estimator
            est.coefs_, est.intercepts_ = path.coefs[k], path.intercepts[k]
            net = relaxed_network(est, s, alpha, dropout)
            if seed is not None:
                # Same start, another order of the mini-batches.
                net._rng = check_random_state(seed)
            Xv = None if Xv is None else Xv[:, s]
            return _Trainer(net, Xt[:, s], yt, Xv, yv, initialized=True)
        net = self._make_network(path.estimator.random_state if seed is None else seed)
        net.set_params(
            alpha=alpha,
            l1_ratio=0.0,
            input_penalty="elementwise",
            dropout=dropout,
            record_train_loss=True,
        )
        classes = getattr(self, "classes_", None)
        Xv = None if Xv is None else Xv[:, s]
        return _Trainer(net, Xt[:, s], yt, Xv, yv, classes=classes)

    # --------------------------------------------------------------------- fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Run the path, choose alpha on held-out data, and refit.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data (CSR sparse input is kept sparse).
        y : array-like of shape (n_samples,)
            Target values (class labels for the classifier).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            dtype=[np.float64, np.float32],
            order="C",
            y_numeric=not is_classifier(self),
            multi_output=not is_classifier(self),
        )
        y = self._prepare_target(y)
        grid = None if self.alphas is None else _check_alphas(self.alphas)
        refit_grid = self._check_refit_grid()
        rng = check_random_state(self.random_state)
        net = self._make_network(rng.randint(np.iinfo(np.int32).max))

        train, val = self._holdout(X, y, rng)
        main, scores, ses, selected = self._score_split(
            net, X, y, train, val, grid, refit_grid[0][0], rng
        )
        grid = main.alphas
        if self.cv is None:
            fold_scores = scores[:, None]
            se = ses
            epochs = main.n_epochs[:, None]
        else:
            cv = check_cv(self.cv, y, classifier=is_classifier(self))
            fold_scores, epochs = [], []
            for tr, va in cv.split(X, y):
                path, s, _, _ = self._score_split(
                    net, X, y, tr, va, grid, refit_grid[0][0], rng
                )
                fold_scores.append(s)
                epochs.append(path.n_epochs)
            fold_scores = np.column_stack(fold_scores)
            epochs = np.column_stack(epochs)
            se = np.std(fold_scores, axis=1, ddof=1) / np.sqrt(fold_scores.shape[1])

        mean = fold_scores.mean(axis=1)
        i_min = int(np.argmin(mean))
        # One-standard-error rule: the largest alpha (sparsest point, the grid is
        # increasing) whose mean score is within one standard error of the best.
        within = np.flatnonzero(mean <= mean[i_min] + se[i_min])
        i_1se = int(within.max())
        i_best = i_1se if self.selection == "1se" else i_min

        self.alphas_ = grid
        self.alpha_ = float(grid[i_best])
        self.alpha_min_ = float(grid[i_min])
        self.alpha_1se_ = float(grid[i_1se])
        self.cv_score_path_ = fold_scores
        self.cv_score_se_ = se
        self.n_epochs_path_ = epochs
        self.support_path_ = main.support
        self.n_features_path_ = main.n_features
        self.train_loss_path_ = main.train_loss
        self.validation_loss_path_ = main.validation_loss
        self.exit_alphas_ = exit_alphas(grid, main.support)
        self.dense_epochs_ = main.dense_epochs
        self.n_iter_ = int(main.dense_epochs + main.n_epochs.sum())
        self.path_support_ = main.support[i_best].copy()
        self.support_ = selected[i_best].copy()
        self.n_features_selected_ = int(self.support_.sum())
        self._refit(main, i_best, X, y, train, val, refit_grid, rng)
        return self

    def _refit(self, path, k, X, y, train, val, refit_grid, rng):
        s = self.support_
        self.permutation_importances_ = None
        if not s.any():
            dummy = self._dummy_class()
            dummy.fit(np.zeros((len(y), 1)), y)
            self.estimator_ = dummy
            self.refit_alpha_ = self.refit_dropout_ = self.refit_init_ = None
            self.refit_curves_ = {}
            return
        Xt, yt, Xv, yv = X[train], y[train], X[val], y[val]
        if self.refit == "penalized":
            est = path.estimator
            est.coefs_, est.intercepts_ = path.coefs[k], path.intercepts[k]
            net = relaxed_network(est, s, est.alpha)
            net.set_params(l1_ratio=est.l1_ratio, input_penalty=est.input_penalty)
            self.estimator_ = net
            self.refit_alpha_ = self.refit_dropout_ = self.refit_init_ = None
            self.refit_curves_ = {}
            return
        best = self._relaxed_search(path, k, s, Xt, yt, Xv, yv, refit_grid)
        _, trainer, alpha, dropout, warm = best
        if self.prune is not None:
            s, self.permutation_importances_ = self._prune(trainer, s, rng)
            if not np.array_equal(s, self.support_):
                self.support_ = s
                self.n_features_selected_ = int(s.sum())
                # The pruned set is refit with the L2, dropout and start chosen on
                # the path's set (one fit, not the whole grid again).
                best = self._relaxed_search(
                    path, k, s, Xt, yt, Xv, yv, [(alpha, dropout)], (warm,)
                )
                trainer = best[1]
        net, n_epochs = trainer.est, trainer.best_epochs
        self.refit_alpha_, self.refit_dropout_ = alpha, dropout
        self.refit_init_ = "path" if warm else "random"
        self.refit_curves_ = {
            "train": np.asarray(net.train_loss_curve_),
            "validation": np.asarray(net.validation_loss_curve_),
            "best_epoch": int(net.best_epoch_),
        }
        # Retrain on every row (training and validation) for the number of epochs
        # that validation chose, from the same start, as scikit-learn's CV estimators
        # refit on the whole data: on the 1 500-row benchmark of
        # benchmarks/bench_mlp_selection.py, test R^2 0.662 -> 0.687. With
        # n_refits > 1, further members are trained the same way and averaged, as
        # one wider network (merge_networks): from other random starts, or from the
        # path's weights with other mini-batch orders when that start was chosen
        # (the number of epochs is that of the chosen start).
        rows = np.concatenate([train, val])
        members = []
        for m in range(self.n_refits):
            seed = None if m == 0 else rng.randint(np.iinfo(np.int32).max)
            trainer = self._relaxed_trainer(
                path,
                k,
                s,
                X[rows],
                y[rows],
                None,
                None,
                alpha,
                dropout,
                warm,
                seed=seed,
            )
            while trainer.epochs < n_epochs:
                trainer.epoch()
            members.append(trainer.est)
        self.estimator_ = merge_networks(members)

    def _relaxed_search(self, path, k, s, Xt, yt, Xv, yv, grid, inits=(True, False)):
        """Early-stopped relaxed fits on ``s`` over ``grid`` x ``inits``; the best.

        Returns ``(validation loss, trainer, alpha, dropout, warm)`` of the fit with
        the lowest validation loss (its best weights restored).
        """
        best = None
        for warm in inits:
            for alpha, dropout in grid:
                trainer = self._relaxed_trainer(
                    path, k, s, Xt, yt, Xv, yv, alpha, dropout, warm
                )
                curve = train_early_stopping(
                    trainer, self.max_iter, self.n_iter_no_change, self.tol
                )
                trainer.est.validation_loss_curve_ = curve
                score = trainer.est.best_validation_loss_
                if best is None or score < best[0]:
                    best = (score, trainer, alpha, dropout, warm)
        return best

    def _prune(self, trainer, s, rng):
        """Drop the inputs of ``s`` whose permutation importance is not significant.

        Returns the pruned mask and the importances (over all inputs, ``nan`` off
        ``s``).

        The importance of a selected input is the mean increase of the validation
        loss of the relaxed network when the input's column is permuted (averaged
        over ``_PERMUTATION_REPEATS`` permutations); it is kept when that mean exceeds
        ``prune`` standard errors of the paired per-sample increases. The input with
        the largest importance is always kept.
        """
        increase = permutation_losses(
            trainer.est, trainer.Xv, trainer.Yv, _PERMUTATION_REPEATS, rng
        )
        mean = increase.mean(axis=0)
        se = increase.std(axis=0, ddof=1) / np.sqrt(increase.shape[0])
        keep = mean > self.prune * se
        keep[int(np.argmax(mean))] = True
        importances = np.full(s.shape, np.nan)
        importances[s] = mean
        pruned = np.zeros_like(s)
        pruned[np.flatnonzero(s)[keep]] = True
        return pruned, importances

    # -------------------------------------------------------------- prediction
    def _selected(self, X):
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            reset=False,
            accept_sparse="csr",
            dtype=[np.float64, np.float32],
        )
        if not self.support_.any():
            return np.zeros((X.shape[0], 1))
        Xs = X[:, self.support_]
        return Xs.tocsr() if sp.issparse(Xs) else Xs

    def _get_support_mask(self):
        check_is_fitted(self)
        return self.support_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def _same(support, k):
    return np.array_equal(support[k], support[k - 1])


@fill_cv_doc
class RegularizedMLPRegressorCV(RegressorMixin, _BaseRegularizedMLPCV):
    r"""MLP regressor selecting its inputs on a warm-started group-lasso path.

    Fits :class:`RegularizedMLPRegressor` along :func:`mlp_path` (dense to empty),
    chooses ``alpha`` on held-out data (one-standard-error rule by default) and refits
    a network on the selected inputs only (relaxed, by default). The target is
    standardized internally, so losses are in units of ``var(y)``. Also a feature
    selector: ``transform`` keeps the selected columns, so it can precede any
    estimator in a :class:`~sklearn.pipeline.Pipeline`.

    Read more in the :doc:`user guide </neural_network>`.

    %(shared)s

    See Also
    --------
    mlp_path : The path itself.
    RegularizedMLPClassifierCV : The classifier.

    Examples
    --------
    >>> import numpy as np
    >>> from skreg.neural_network import RegularizedMLPRegressorCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((300, 20))
    >>> y = np.sin(2 * X[:, 0]) + X[:, 1] ** 2 + X[:, 2]
    >>> reg = RegularizedMLPRegressorCV((16,), random_state=0).fit(X, y)
    >>> bool(reg.support_[:3].all())
    True
    >>> reg.transform(X).shape[1] == reg.n_features_selected_
    True
    """

    _network_class = RegularizedMLPRegressor

    def _dummy_class(self):
        return DummyRegressor()

    def _prepare_target(self, y):
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        y = np.asarray(y, dtype=np.float64)
        self._y_mean = y.mean(axis=0)
        scale = y.std(axis=0)
        self._y_scale = np.where(scale > 0, scale, 1.0)
        return (y - self._y_mean) / self._y_scale

    def predict(self, X):
        """Predict with the refit network on the selected inputs.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predicted values.
        """
        Xs = self._selected(X)
        return self.estimator_.predict(Xs) * self._y_scale + self._y_mean

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags


@fill_cv_doc
class RegularizedMLPClassifierCV(ClassifierMixin, _BaseRegularizedMLPCV):
    r"""MLP classifier selecting its inputs on a warm-started group-lasso path.

    The classifier counterpart of :class:`RegularizedMLPRegressorCV`: the path of
    :class:`RegularizedMLPClassifier`, scored by the held-out log loss, with stratified
    splits.

    Read more in the :doc:`user guide </neural_network>`.

    %(shared)s
    classes_ : ndarray of shape (n_classes,)
        Class labels.

    See Also
    --------
    mlp_path : The path itself.
    RegularizedMLPRegressorCV : The regressor.

    Examples
    --------
    >>> import numpy as np
    >>> from skreg.neural_network import RegularizedMLPClassifierCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((300, 20))
    >>> y = (X[:, 0] ** 2 + X[:, 1] > 1).astype(int)
    >>> clf = RegularizedMLPClassifierCV((16,), n_alphas=10, random_state=0).fit(X, y)
    >>> bool(clf.support_[:2].all())
    True
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    """

    _network_class = RegularizedMLPClassifier

    def _dummy_class(self):
        return DummyClassifier(strategy="prior")

    def _prepare_target(self, y):
        check_classification_targets(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        if y.ndim != 1:
            raise ValueError(
                "RegularizedMLPClassifierCV supports single-output targets only; "
                f"y has shape {y.shape}."
            )
        self.classes_ = np.unique(y)
        return y

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted classes.
        """
        Xs = self._selected(X)
        return self.estimator_.predict(Xs)

    def predict_proba(self, X):
        """Class probabilities, in the order of ``classes_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probability of each class.
        """
        Xs = self._selected(X)
        return self.estimator_.predict_proba(Xs)
