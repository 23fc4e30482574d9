"""A warm-started regularization path for the MLPs with a sparse input penalty.

:func:`mlp_path` trains one network along an increasing grid of ``alpha``, from the
dense end to the empty model, as LassoNet does (Lemhadri et al. 2021, "LassoNet: a
neural network with feature sparsity"): the network is first trained with a
negligible input penalty until its validation loss stops improving (the *dense fit*),
then ``alpha`` is raised point by point, each point starting from the weights and
the Adam moments of the previous one and training only a few epochs. Inputs leave
the path one by one as their rows of the first layer are zeroed by the group (or
element-wise L1) proximal step. Going from dense to sparse rather than the reverse
is what makes warm starts pay: the dense fit learns the function once, and each
later point only has to shrink it; from the empty end, every point would have to
learn new features from scratch.

The automatic grid is geometric, ``n_alphas`` points from ``eps * alpha_max`` to
``alpha_max``, where ``alpha_max`` is the smallest ``alpha`` at which an all-zero first
layer is stationary given the dense fit's other layers: the largest row norm (group) or
entry (element-wise) of the data-loss gradient with respect to ``W_1`` at ``W_1 = 0``,
divided by ``l1_ratio``. The network's other layers keep adapting along the path, so
the empty model may come later: the path then continues past ``alpha_max`` with the same
ratio, for at most ``n_alphas`` more points.
"""

from __future__ import annotations

import copy

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.utils import Bunch

from skreg.neural_network._training import EVAL_CHUNK, Workspace, data_loss

__all__ = ["exit_alphas", "mlp_path"]


def _check_alphas(alphas):
    """Validate a user grid: non-empty, finite, positive; returned increasing."""
    alphas = np.asarray(alphas, dtype=float).ravel()
    if alphas.size == 0:
        raise ValueError("alphas must contain at least one value, got an empty grid.")
    if not np.all(np.isfinite(alphas)) or np.any(alphas <= 0):
        raise ValueError(
            f"alphas must be finite and positive, got {alphas.tolist()!r}: the input "
            "penalty of a path point is alpha * l1_ratio > 0."
        )
    return np.unique(alphas)


def _support(est):
    """Return the mask of inputs whose first-layer row is not exactly zero."""
    return np.any(est.coefs_[0] != 0, axis=1)


def sample_losses(est, X, Y):
    """Per-sample data loss of a fitted network (dropout off, no penalty).

    ``Y`` is 2-D as the network sees it (0/1 indicators for classifiers). The losses are
    those of :mod:`skreg._kernels.mlp`: half the squared error summed over outputs, or
    the log loss with probabilities clipped to ``[eps, 1 - eps]``.
    """
    P = est._forward_pass_fast(X).astype(np.float64, copy=False)
    Y = np.asarray(Y, dtype=np.float64)
    if est._loss == "squared_error":
        return 0.5 * np.sum((P - Y) ** 2, axis=1)
    eps = float(np.finfo(est.coefs_[0].dtype).eps)
    P = np.clip(P, eps, 1.0 - eps)
    if est.out_activation_ == "softmax":
        return -np.sum(Y * np.log(P), axis=1)
    return -np.sum(Y * np.log(P) + (1.0 - Y) * np.log(1.0 - P), axis=1)


def permutation_losses(est, X, Y, n_repeats, rng):
    """Per-sample loss increase when each input column is permuted.

    Parameters
    ----------
    est : fitted network
        Evaluated with dropout off, as :func:`sample_losses`.
    X : ndarray or sparse matrix of shape (n_samples, n_inputs)
        Validated inputs of the network (narrow: it is densified).
    Y : ndarray of shape (n_samples, n_outputs)
        Targets as the network sees them.
    n_repeats : int
        Permutations per column; the increases are averaged over them.
    rng : numpy.random.RandomState
        Source of the permutations.

    Returns
    -------
    increase : ndarray of shape (n_samples, n_inputs)
        ``loss_i(X with column j permuted) - loss_i(X)``, averaged over the repeats:
        paired per-sample differences, whose mean is the permutation importance of
        input ``j`` and whose standard error gives its noise level.
    """
    X = X.toarray() if hasattr(X, "toarray") else np.array(X, copy=True)
    base = sample_losses(est, X, Y)
    n, p = X.shape
    out = np.zeros((n, p))
    for j in range(p):
        column = X[:, j].copy()
        for _ in range(n_repeats):
            X[:, j] = column[rng.permutation(n)]
            out[:, j] += sample_losses(est, X, Y) - base
        X[:, j] = column
    return out / n_repeats


def _first_layer_gradient(est, X, Y):
    """Gradient of the mean data loss with respect to ``W_1``, taken at ``W_1 = 0``."""
    W1 = est.coefs_[0]
    est.coefs_[0] = np.zeros_like(W1)
    try:
        n = X.shape[0]
        units = [X.shape[1]] + [c.shape[1] for c in est.coefs_]
        chunk = min(n, EVAL_CHUNK)
        ws = Workspace(units, chunk, W1.dtype, [0.0] * (len(units) - 1), False)
        coef_grads = [np.empty_like(c) for c in est.coefs_]
        intercept_grads = [np.empty_like(b) for b in est.intercepts_]
        G = np.zeros(W1.shape)
        for start in range(0, n, chunk):
            stop = min(start + chunk, n)
            v = ws.views(stop - start)
            activations = v["activations"]
            activations[0] = X[start:stop]
            est._backprop(
                Y[start:stop],
                v["sample_weight"],
                1.0 / n,
                activations,
                v["deltas"],
                coef_grads,
                intercept_grads,
            )
            G += coef_grads[0]
    finally:
        est.coefs_[0] = W1
    return G


def _alpha_max(est, X, Y):
    """Smallest alpha at which ``W_1 = 0`` is stationary given the other layers."""
    G = _first_layer_gradient(est, X, Y)
    if not np.any(G) and hasattr(est._optimizer, "vs"):
        # Every hidden unit is inactive at W_1 = 0 (ReLU units with negative
        # intercepts): no gradient there. Fall back on the scale of the gradients
        # met in training, Adam's root-mean-square of the first-layer gradient.
        n_first = est.coefs_[0].size
        G = np.sqrt(est._optimizer.vs[:n_first]).reshape(est.coefs_[0].shape)
    if est.input_penalty == "group":
        top = float(np.max(np.linalg.norm(G, axis=1)))
    else:
        top = float(np.max(np.abs(G)))
    return top / est.l1_ratio


class _Trainer:
    """One network trained epoch by epoch with ``partial_fit`` (Adam state kept)."""

    def __init__(self, est, X, y, X_val, y_val, initialized=False, classes=None):
        self.est = est
        self.X, self.y = X, y
        if initialized:
            self.epochs = 0
        else:
            if classes is None:
                classes = np.unique(y)
            kwargs = {"classes": classes} if is_classifier(est) else {}
            est.partial_fit(X, y, **kwargs)
            self.epochs = 1
        self.best_epochs = self.epochs
        # The arrays as the network sees them (validated once; Y 2-D, binarized).
        self.Xn, self.Yn = est._validate_input(X, y, incremental=True, reset=False)
        self.Xv = self.Yv = None
        if X_val is not None:
            self.Xv, self.Yv = est._validate_input(
                X_val, y_val, incremental=True, reset=False
            )

    def epoch(self):
        # One partial_fit epoch on the arrays validated once in __init__.
        self.est._train(self.Xn, self.Yn, None, True)
        self.epochs += 1

    def validation(self, samples=False):
        """``(mean, standard error)`` of the validation loss.

        With ``samples=True``, ``(mean, standard error, per-sample losses)``.
        """
        losses = sample_losses(self.est, self.Xv, self.Yv)
        se = (
            float(np.std(losses, ddof=1) / np.sqrt(len(losses)))
            if len(losses) > 1
            else 0.0
        )
        if samples:
            return float(np.mean(losses)), se, losses
        return float(np.mean(losses)), se

    def train_loss(self):
        return float(data_loss(self.est, self.Xn, self.Yn, None))

    def snapshot(self):
        est = self.est
        return [c.copy() for c in est.coefs_], [b.copy() for b in est.intercepts_]

    def restore(self, snap):
        self.est.coefs_ = [c.copy() for c in snap[0]]
        self.est.intercepts_ = [b.copy() for b in snap[1]]


def relaxed_network(est, support, alpha, dropout=0.0):
    """Return a copy of a path network restricted to ``support``, without input penalty.

    The copy keeps the rows ``support`` of the first layer and every other weight of
    ``est`` (the relaxed fit starts where the path left off), with ``alpha`` as a pure
    L2 penalty (``l1_ratio=0``) and ``dropout`` on the hidden layers; its optimizer
    state is reset. Train it with :class:`_Trainer` (``initialized=True``).
    """
    net = copy.deepcopy(est)
    for name in ("_optimizer", "_dropout_rng", "_sample_idx", "feature_names_in_"):
        if hasattr(net, name):
            delattr(net, name)
    net.coefs_ = [np.ascontiguousarray(est.coefs_[0][support])] + [
        c.copy() for c in est.coefs_[1:]
    ]
    net.intercepts_ = [b.copy() for b in est.intercepts_]
    net.n_features_in_ = int(np.count_nonzero(support))
    net.set_params(
        alpha=float(alpha),
        l1_ratio=0.0,
        input_penalty="elementwise",
        dropout=float(dropout),
        record_train_loss=True,
    )
    net.loss_curve_, net.train_loss_curve_ = [], []
    net.best_loss_ = np.inf
    net.t_ = 0
    return net


def merge_networks(nets):
    """Return one network whose outputs' pre-activations average those of ``nets``.

    The networks share their architecture. Their hidden layers are laid side by side
    (the first layers' columns concatenated, the later hidden layers block-diagonal,
    so that no unit of one member sees another's) and the output layer averages the
    members' pre-activations: exactly the mean prediction of the members for a
    regressor, the mean logit for a classifier. The result is an ordinary network of
    ``len(nets)`` times the width, for prediction (its optimizer state is dropped).
    """
    if len(nets) == 1:
        return nets[0]
    merged = copy.deepcopy(nets[0])
    for name in ("_optimizer", "_dropout_rng", "_sample_idx"):
        if hasattr(merged, name):
            delattr(merged, name)
    m = len(nets)
    n_layers = len(nets[0].coefs_)
    coefs, intercepts = [], []
    for i in range(n_layers):
        blocks = [net.coefs_[i] for net in nets]
        if i == 0:
            W = np.hstack(blocks)
        elif i == n_layers - 1:
            W = np.vstack(blocks) / m
        else:
            W = np.zeros(
                (sum(b.shape[0] for b in blocks), sum(b.shape[1] for b in blocks)),
                dtype=blocks[0].dtype,
            )
            r = c = 0
            for b in blocks:
                W[r : r + b.shape[0], c : c + b.shape[1]] = b
                r, c = r + b.shape[0], c + b.shape[1]
        coefs.append(np.ascontiguousarray(W))
        if i == n_layers - 1:
            intercepts.append(np.mean([net.intercepts_[i] for net in nets], axis=0))
        else:
            intercepts.append(np.concatenate([net.intercepts_[i] for net in nets]))
    merged.coefs_, merged.intercepts_ = coefs, intercepts
    merged.set_params(hidden_layer_sizes=tuple(W.shape[1] for W in coefs[:-1]))
    return merged


def train_early_stopping(trainer, max_iter, n_iter_no_change, tol):
    """Train until the validation loss (else the objective) stops improving.

    Stops when the loss has not improved by ``tol`` for ``n_iter_no_change`` epochs,
    after at most ``max_iter`` epochs in all, and restores the best weights when a
    validation set is given. Returns the validation curve (empty without one).
    """
    est = trainer.est
    curve = []
    best, best_snap, best_epoch, count = np.inf, None, 0, 0
    while True:
        if trainer.Xv is not None:
            loss = trainer.validation()[0]
            curve.append(loss)
        else:
            loss = est.loss_
        if loss < best - tol:
            count = 0
        else:
            count += 1
        if loss < best:
            best = loss
            if trainer.Xv is not None:
                best_snap = trainer.snapshot()
                best_epoch = len(curve) - 1
                trainer.best_epochs = trainer.epochs
        if count > n_iter_no_change or trainer.epochs >= max_iter:
            break
        trainer.epoch()
    if best_snap is not None:
        trainer.restore(best_snap)
        # Epochs trained when the best weights were reached (curve[0] is the
        # starting point), overriding what the epoch loop recorded.
        est.best_epoch_ = best_epoch
        est.best_validation_loss_ = float(best)
    return curve


def mlp_path(
    estimator,
    X,
    y,
    X_val=None,
    y_val=None,
    *,
    alphas=None,
    n_alphas=20,
    eps=1e-2,
    max_epochs_per_alpha=10,
    n_iter_no_change=2,
    epochs=None,
    return_coefs=False,
    classes=None,
):
    r"""Warm-started path of a regularized MLP over increasing input penalties.

    Trains a clone of ``estimator`` (a :class:`RegularizedMLPRegressor` or
    :class:`RegularizedMLPClassifier` with ``l1_ratio > 0``; its ``input_penalty``,
    ``'group'`` or ``'elementwise'``, is the penalty whose path is followed) first to
    the dense end, then along ``alphas`` in increasing order, each point warm-started
    from the previous weights and optimizer state.

    Parameters
    ----------
    estimator : RegularizedMLPRegressor or RegularizedMLPClassifier
        Template network (cloned; its ``alpha`` is replaced by the path's). The dense
        fit runs at most ``estimator.max_iter`` epochs with ``estimator.tol`` and
        ``estimator.n_iter_no_change``.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training inputs (CSR sparse input is kept sparse).
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Training targets.
    X_val, y_val : array-like, default=None
        Validation set: early stopping of the dense fit (best weights restored) and
        the validation loss recorded per point. Without it, the dense fit stops on
        the training objective.
    alphas : array-like, default=None
        Grid of ``alpha`` (finite, positive; sorted increasing). ``None``: geometric
        grid of ``n_alphas`` points from ``eps * alpha_max`` to ``alpha_max``, extended
        past ``alpha_max`` until the model is empty (see the module docstring).
    n_alphas : int, default=20
        Number of points of the automatic grid.
    eps : float, default=1e-2
        ``alpha_min / alpha_max`` of the automatic grid.
    max_epochs_per_alpha : int, default=10
        Epochs per point at most.
    n_iter_no_change : int, default=2
        A point stops once, for this many epochs, its training objective has not
        improved by ``estimator.tol`` and its set of kept inputs has not changed.
    epochs : array-like of int, default=None
        Fixed number of epochs of each point (used without validation set, e.g. to
        replay the epochs that cross-validation folds took).
    return_coefs : bool, default=False
        Also return the weights and intercepts at every point.
    classes : array-like, default=None
        Classifier only: all the classes (default: those of ``y``).

    Returns
    -------
    path : Bunch
        ``alphas`` (n_points,), ``support`` (n_points, n_features) bool,
        ``n_features`` (n_points,), ``train_loss`` and ``validation_loss`` (data losses
        at the end of each point; ``nan`` without validation set),
        ``validation_se`` (standard error of the mean validation loss over the
        validation samples), ``validation_sample_losses`` (n_points, n_val) (``None``
        without validation set), ``n_epochs`` (epochs per point), ``dense_epochs``,
        ``dense_validation_curve``, ``alpha_max``, ``estimator`` (the network at the
        last point) and, with ``return_coefs``, ``coefs`` and ``intercepts`` (lists
        over points).

    See Also
    --------
    RegularizedMLPRegressorCV : Chooses ``alpha`` on this path and refits.

    Examples
    --------
    >>> import numpy as np
    >>> from skreg.neural_network import RegularizedMLPRegressor, mlp_path
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 10))
    >>> y = np.sin(2 * X[:, 0]) + X[:, 1]
    >>> net = RegularizedMLPRegressor((16,), l1_ratio=1.0, input_penalty="group",
    ...                               learning_rate_init=0.01, random_state=0)
    >>> path = mlp_path(net, X[:150], y[:150], X[150:], y[150:], n_alphas=8)
    >>> bool(path.n_features[0] > path.n_features[-1])
    True
    """
    # Long (about 90 lines): the warm-started walk keeps the network, the optimiser
    # state and the per-point records in step; each point's training is a call.
    est = clone(estimator)
    if est.l1_ratio <= 0:
        raise ValueError(
            "mlp_path needs an estimator with l1_ratio > 0: the input penalty of the "
            f"path is alpha * l1_ratio, got l1_ratio={est.l1_ratio!r}."
        )
    user_alphas = None if alphas is None else _check_alphas(alphas)
    if epochs is not None:
        epochs = np.asarray(epochs, dtype=int)
    est.set_params(
        alpha=0.0 if user_alphas is None else float(user_alphas[0]),
        warm_start=False,
        early_stopping=False,
        validation_fraction=None,
        record_train_loss=False,
    )
    trainer = _Trainer(est, X, y, X_val, y_val, classes=classes)
    has_val = trainer.Xv is not None

    dense_curve = train_early_stopping(
        trainer, est.max_iter, est.n_iter_no_change, est.tol
    )
    dense_epochs = trainer.epochs
    alpha_max = _alpha_max(est, trainer.Xn, trainer.Yn)
    if user_alphas is None:
        if not alpha_max > 0:
            raise ValueError(
                "The data-loss gradient of the first layer is zero at the dense fit: "
                "no input penalty can select inputs (constant target?). Pass alphas."
            )
        grid = np.geomspace(eps * alpha_max, alpha_max, n_alphas)
        ratio = grid[1] / grid[0] if n_alphas > 1 else 2.0
        extra = alpha_max * ratio ** np.arange(1, n_alphas + 1)
        grid = np.concatenate([grid, extra])
    else:
        grid = user_alphas

    records = {k: [] for k in ("support", "train", "val", "se", "epochs", "losses")}
    coefs, intercepts = [], []
    support = None
    for k, alpha in enumerate(grid):
        if k > 0 and not support.any():
            # An empty first layer stays empty at larger alpha: the point repeats.
            n_ep = 0
        else:
            n_ep = _train_point(
                trainer,
                float(alpha),
                max_epochs_per_alpha if epochs is None else int(epochs[k]),
                n_iter_no_change if epochs is None else None,
            )
            support = _support(est)
            train = trainer.train_loss()
            if has_val:
                val, se, losses = trainer.validation(samples=True)
            else:
                val, se, losses = np.nan, np.nan, None
        records["support"].append(support)
        records["train"].append(train)
        records["val"].append(val)
        records["se"].append(se)
        records["losses"].append(losses)
        records["epochs"].append(n_ep)
        if return_coefs:
            snap = trainer.snapshot()
            coefs.append(snap[0])
            intercepts.append(snap[1])
        if user_alphas is None and not support.any():
            break
    n_points = len(records["support"])
    support = np.array(records["support"], dtype=bool).reshape(n_points, -1)
    out = Bunch(
        alphas=np.asarray(grid[:n_points], dtype=float),
        support=support,
        n_features=support.sum(axis=1),
        train_loss=np.array(records["train"]),
        validation_loss=np.array(records["val"]),
        validation_se=np.array(records["se"]),
        validation_sample_losses=(np.array(records["losses"]) if has_val else None),
        n_epochs=np.array(records["epochs"], dtype=int),
        dense_epochs=int(dense_epochs),
        dense_validation_curve=np.array(dense_curve),
        alpha_max=alpha_max,
        estimator=est,
    )
    if return_coefs:
        out.coefs = coefs
        out.intercepts = intercepts
    return out


def _train_point(trainer, alpha, max_epochs, n_iter_no_change):
    """Train one path point from the current weights; return its number of epochs.

    With ``n_iter_no_change=None`` exactly ``max_epochs`` epochs run. Otherwise the
    point stops once, for ``n_iter_no_change`` epochs in a row, the training objective
    (``loss_``, penalty included) has not improved by ``tol`` and the set of kept
    inputs has not changed: the weights have settled at this alpha. The validation
    loss is not the criterion here: raising alpha makes it worse from the first epoch
    (the penalty shrinks the fit), so a point stopped on it ends after
    ``n_iter_no_change + 1`` epochs, before inputs have finished leaving (measured on
    the 300 x 12 problem of ``tests/neural_network/test_mlp_path.py``: the points
    then lag the cold fits by one input).
    """
    est = trainer.est
    est.set_params(alpha=alpha)
    best, count = np.inf, 0
    support = _support(est)
    for epoch in range(1, max_epochs + 1):
        trainer.epoch()
        if n_iter_no_change is None:
            continue
        new_support = _support(est)
        loss = est.loss_
        settled = loss >= best - est.tol and np.array_equal(new_support, support)
        count = count + 1 if settled else 0
        best = min(best, loss)
        support = new_support
        if count >= n_iter_no_change:
            return epoch
    return max_epochs


def exit_alphas(alphas, support):
    """Return the alpha at which each input leaves the path for good.

    Parameters
    ----------
    alphas : ndarray of shape (n_points,)
        Increasing grid.
    support : ndarray of shape (n_points, n_features)
        Kept inputs per point.

    Returns
    -------
    exit : ndarray of shape (n_features,)
        ``alphas[k]`` for the first point ``k`` from which the input is zero at every
        later point; ``inf`` for inputs still kept at the last point.
    """
    support = np.asarray(support, dtype=bool)
    n_points, n_features = support.shape
    # Last point at which each input is kept (-1 if never).
    kept_any = support.any(axis=0)
    last = n_points - 1 - np.argmax(support[::-1], axis=0)
    last = np.where(kept_any, last, -1)
    out = np.full(n_features, np.inf)
    leaves = last < n_points - 1
    out[leaves] = np.asarray(alphas, dtype=float)[last[leaves] + 1]
    return out
