"""Docstring sections shared by the regularized MLP estimators and their CV forms.

Both estimators take the same parameters and expose the same fitted attributes; the
text lives here once and :func:`fill_doc` substitutes it for the ``%(shared_...)s``
markers of each class docstring (so the doctests and ``help()`` see the full text).
"""

_SHARED_PARAMETERS = """\
hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        Number of units of each hidden layer (at least one layer, all sizes >= 1).

    activation : {'identity', 'logistic', 'tanh', 'relu'}, default='relu'
        Activation of the hidden layers.

    solver : {'adam', 'sgd'}, default='adam'
        Stochastic optimizer: Adam, or SGD with (Nesterov) momentum.

    alpha : float, default=1e-4
        Strength of the elastic-net penalty on the weights, ``>= 0``, defined on the
        full-data objective above: it does not depend on ``batch_size`` nor on the
        solver. scikit-learn's ``alpha`` is divided by the batch size under adam / sgd,
        so ``RegularizedMLP*(alpha=a, l1_ratio=0)`` is ``MLP*(alpha=a * batch_size)``.

    l1_ratio : float, default=0.0
        Mix between L1 (``1``) and L2 (``0``), in ``[0, 1]``. The L1 part is applied by
        a proximal step after each optimizer update (exact zeros).

    input_penalty : {'elementwise', 'group'}, default='elementwise'
        Penalty of the first layer. ``'elementwise'``: the elastic net as on the other
        layers. ``'group'``: its L1 part is replaced by the group lasso
        ``alpha * l1_ratio * sum_j ||W_1[j, :]||_2`` over the input rows, whose
        proximal step zeroes whole rows: the network drops input features (requires
        ``l1_ratio > 0``).

    dropout : float, default=0.0
        Inverted-dropout rate of every hidden layer, in ``[0, 1)``: each unit is zeroed
        with this probability during training and the others scaled by
        ``1 / (1 - dropout)``; off at predict.

    input_dropout : float, default=0.0
        Inverted-dropout rate of the input features, in ``[0, 1)``.

    weight_decay : float, default=0.0
        Decoupled weight decay (AdamW), ``>= 0``: after each update the weights are
        multiplied by ``1 - learning_rate_init * weight_decay``. Unlike ``alpha`` it is
        not part of the objective and is not rescaled by Adam.

    batch_size : int or 'auto', default='auto'
        Mini-batch size; ``'auto'`` is ``min(200, n_samples)``.

    learning_rate_init : float, default=0.001
        Step size (constant; Adam rescales it per weight).

    max_iter : int, default=200
        Maximum number of epochs.

    shuffle : bool, default=True
        Shuffle the samples at every epoch (a new permutation each epoch, also across
        ``partial_fit`` calls).

    random_state : int, RandomState instance or None, default=None
        Seeds the initialisation, the shuffles, the validation split and the dropout
        masks. Pass an int for reproducible fits.

    tol : float, default=1e-4
        Improvement under which an epoch counts as no improvement (of the training
        objective, or of the validation loss with ``early_stopping``).

    verbose : bool, default=False
        Print the losses at every epoch.

    warm_start : bool, default=False
        Start ``fit`` from the current weights (a new optimizer state; curves append).

    momentum : float, default=0.9
        Momentum of ``solver='sgd'``, in ``[0, 1]``.

    nesterovs_momentum : bool, default=True
        Nesterov's momentum with ``solver='sgd'`` and ``momentum > 0``.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data (0.1 when it is None), stop when
        the validation loss has not improved by ``tol`` for ``n_iter_no_change``
        epochs, and restore the weights of the best epoch.

    validation_fraction : float or None, default=None
        Fraction of the training data held out as a validation set, in ``(0, 1)``.
        With ``early_stopping=False`` a float still holds the data out, to record
        ``validation_loss_curve_`` (monitoring only); ``None`` holds out nothing,
        unless ``early_stopping`` (then 0.1, as scikit-learn's default).

    beta_1 : float, default=0.9
        Adam's decay rate of the first moment, in ``[0, 1)``.

    beta_2 : float, default=0.999
        Adam's decay rate of the second moment, in ``[0, 1)``.

    epsilon : float, default=1e-8
        Adam's numerical-stability constant.

    n_iter_no_change : int, default=10
        Training stops after more than ``n_iter_no_change`` consecutive epochs without
        an improvement by ``tol`` (scikit-learn's rule).

    record_train_loss : bool, default=True
        Recompute the data loss on the training set at the end of every epoch, with
        dropout off, into ``train_loss_curve_``: on all of it up to 10,000 rows, on
        10,000 evenly spaced rows beyond (as scikit-learn's HistGradientBoosting
        scores its training data), so that the curve costs at most 10,000 rows of
        forward pass per epoch."""

_SHARED_ATTRIBUTES = """\
loss_ : float
        Objective (data loss + penalty) at the last epoch: the running mean of the
        mini-batch losses over the epoch, as scikit-learn, plus the penalty at its end.

    best_loss_ : float
        Smallest value of ``loss_curve_``.

    loss_curve_ : list of float
        ``loss_`` at each epoch.

    train_loss_curve_ : list of float or None
        Data loss (no penalty) on the training set at the end of each epoch, dropout
        off (on 10,000 evenly spaced rows when the training set is larger); None
        when ``record_train_loss=False``.

    validation_loss_curve_ : list of float or None
        Data loss on the held-out validation set at the end of each epoch; None when
        nothing is held out (see ``validation_fraction``).

    best_validation_loss_ : float or None
        Smallest validation loss (None without a validation set).

    best_epoch_ : int
        Index in the curves of the best epoch: lowest validation loss if there is a
        validation set (with ``early_stopping`` the weights of that epoch are
        restored), else lowest training loss.

    t_ : int
        Number of training samples seen by the optimizer (cumulative).

    coefs_ : list of ndarray of shape (n_units[i], n_units[i + 1])
        Weight matrices; ``coefs_[0]`` has one row per input feature.

    intercepts_ : list of ndarray of shape (n_units[i + 1],)
        Intercepts (never penalised).

    feature_importances_ : ndarray of shape (n_features_in_,)
        Euclidean norm of each input row of ``coefs_[0]``: zero for dropped features.
        Usable by ``SelectFromModel``.

    n_features_selected_ : int
        Number of input features with a non-zero row in ``coefs_[0]``.

    sparsity_ : list of float
        Fraction of exactly-zero weights in each weight matrix.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when ``X`` has string column names.

    n_iter_ : int
        Number of epochs run by the last call to ``fit`` / ``partial_fit``.

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of outputs."""


def fill_doc(cls):
    """Substitute the shared parameter and attribute sections into ``cls.__doc__``."""
    cls.__doc__ = cls.__doc__.replace(
        "%(shared_parameters)s", _SHARED_PARAMETERS
    ).replace("%(shared_attributes)s", _SHARED_ATTRIBUTES)
    return cls


# The path-selecting MLPs (RegularizedMLPRegressorCV / ClassifierCV), in _cv.py.
_CV_SHARED_DOC = """
    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(64,)
        Units of each hidden layer.
    activation : {'identity', 'logistic', 'tanh', 'relu'}, default='relu'
        Activation of the hidden layers.
    l1_ratio : float, default=1.0
        Mix of the path's penalty, in ``(0, 1]``: ``alpha * l1_ratio`` on the inputs
        (group or element-wise) and on the other weights (element-wise L1),
        ``alpha * (1 - l1_ratio)`` as L2 on all weights.
    input_penalty : {'group', 'elementwise'}, default='group'
        Penalty of the first layer along the path (``'group'`` zeroes whole input
        rows).
    alphas : array-like, default=None
        Grid of ``alpha`` (finite, positive). ``None``: ``n_alphas`` points from
        ``eps * alpha_max`` to ``alpha_max``, extended until the model is empty (see
        :func:`mlp_path`).
    n_alphas : int, default=20
        Points of the automatic grid.
    eps : float, default=1e-2
        ``alpha_min / alpha_max`` of the automatic grid.
    cv : int, cross-validation generator, iterable or None, default=None
        ``None``: one validation split of ``validation_fraction`` scores the path,
        and the one-standard-error rule uses the standard error of the mean
        validation loss over the validation samples. Otherwise K-fold (stratified
        for the classifier) as :func:`sklearn.model_selection.check_cv`; the standard
        error is then over folds (glmnet's), and the support and refit still come from
        the path on the training part of the validation split.
    validation_fraction : float, default=0.2
        Fraction of the samples held out (``floor(validation_fraction *
        n_samples)`` rows, at least one) for early stopping, scoring with
        ``cv=None``, and the choice of the refit's L2 and dropout.
    selection : {'1se', 'min'}, default='1se'
        ``'1se'``: the largest alpha whose mean score is within one standard error
        of the best (sparser, glmnet's ``lambda.1se``); ``'min'``: the best.
    refit : {'relaxed', 'penalized'}, default='relaxed'
        ``'relaxed'`` (default): the final network keeps only the selected inputs,
        starts from the path's weights and trains without input penalty, with the L2
        strength and dropout chosen on validation; the path's points are scored by
        the same relaxed fits (module docstring). The input penalty then only
        *selects*: it does not also shrink the final predictions, which the
        penalized network's do (the relaxed-lasso argument; measured in
        ``docs/benchmarks.md``). ``'penalized'``: the path's network at ``alpha_``,
        scored as it is.
    refit_alphas : array-like, default=(1e-3, 3e-3, 1e-2)
        L2 strengths tried by the relaxed refit; the first also serves the relaxed
        scores along the path. (The former default ``(1e-4, 1e-3, 1e-2)`` scored
        the path with nearly no L2 and gave test R^2 0.700 instead of 0.737 on the
        additive design of ``benchmarks/bench_mlp_selection.py``, seed 0.)
    refit_dropouts : array-like, default=(0.0,)
        Hidden-layer dropout rates tried by the relaxed refit.
    prune : float or None, default=2.0
        Relaxed refit only. After a relaxed network is trained on a point's kept
        inputs, drop every input whose permutation importance on the validation
        rows (mean increase of the per-sample validation loss when its column is
        permuted, over 5 permutations) is at most ``prune`` standard errors of those
        paired increases, and train again on the rest. Every point is scored by the
        network on its pruned set and ``support_`` is the pruned set of the chosen
        point. The group penalty ranks inputs by how cheaply the first layer
        represents them, so even effects (``x**2``, ``|x|``) and inputs acting only
        through products leave the path among noise inputs; the permutation test
        sees them at full strength. ``None``: no pruning (``support_`` is the
        path's set).
    n_refits : int, default=3
        Networks averaged in the final refit: the chosen relaxed fit retrained on
        every row, plus ``n_refits - 1`` more retrains for the same number of
        epochs (from other random starts, or from the path's weights with other
        mini-batch orders when that start was chosen), merged into one network
        ``n_refits`` times as wide (the mean of the members' outputs before the
        output activation).
    batch_size : int or 'auto', default='auto'
        Mini-batch size (``'auto'``: ``min(200, n_samples)``).
    learning_rate_init : float, default=3e-3
        Adam's step size.
    max_iter : int, default=200
        Epochs of the dense fit and of each refit, at most.
    max_epochs_per_alpha : int, default=10
        Epochs per path point, at most.
    n_iter_no_change : int, default=20
        Early-stopping patience of the dense fit and of the relaxed fits (a patience
        of 5 stops on the plateaus of non-linear effects: test MSE 0.70 instead of
        0.08 on ``sin(2 x_0) + x_1^2 + x_2``, 400 rows, in
        ``tests/neural_network/test_mlp_path.py``).
    tol : float, default=1e-4
        Improvement of the validation loss that resets the patience.
    random_state : int, RandomState instance or None, default=None
        Seeds the split, the initial weights and the shuffling.

    Attributes
    ----------
    alpha_ : float
        Chosen alpha (``alpha_1se_`` or ``alpha_min_`` per ``selection``).
    alpha_1se_, alpha_min_ : float
        Alpha of the one-standard-error rule and of the best mean score.
    alphas_ : ndarray of shape (n_points,)
        The path's grid, increasing (dense to empty).
    support_ : ndarray of shape (n_features_in_,)
        Boolean mask of the selected inputs (``get_support()``): the inputs kept by
        the path at ``alpha_``, pruned (see ``prune``).
    path_support_ : ndarray of shape (n_features_in_,)
        Inputs kept by the path at ``alpha_``, before pruning.
    permutation_importances_ : ndarray of shape (n_features_in_,) or None
        Permutation importance of the inputs of the final pruning step (``nan`` for
        the others; ``None`` without pruning).
    n_features_selected_ : int
        Number of selected inputs.
    support_path_ : ndarray of shape (n_points, n_features)
        Boolean masks of the inputs kept at each point of the path on the training
        part of the split.
    n_features_path_ : ndarray of shape (n_points,)
        Number of inputs kept at each point.
    exit_alphas_ : ndarray of shape (n_features_in_,)
        Alpha at which each input leaves the path for good (``inf``: kept to the
        end).
    cv_score_path_ : ndarray of shape (n_points, n_folds)
        Held-out *loss* of each point (lower is better; ``n_folds = 1`` with
        ``cv=None``): the data loss of the relaxed network on the sparse side of
        the path with ``refit='relaxed'``, of the penalized network elsewhere.
    cv_score_se_ : ndarray of shape (n_points,)
        Its standard error.
    train_loss_path_, validation_loss_path_ : ndarray of shape (n_points,)
        Training and validation data losses of the penalized network along the path.
    n_epochs_path_ : ndarray of shape (n_points, n_folds)
        Epochs each point took (warm-started).
    dense_epochs_ : int
        Epochs of the dense fit that starts the path.
    n_iter_ : int
        Epochs of the path on the training part of the split, dense fit included
        (the fold paths and the relaxed fits come on top).
    estimator_ : estimator
        The network on the selected inputs: with ``refit='relaxed'``, trained on all
        the rows for the number of epochs that validation chose (its
        ``loss_curve_`` and ``train_loss_curve_`` are the first member's curves),
        ``n_refits`` members merged into one wider network; a dummy estimator when
        no input is selected.
    refit_curves_ : dict
        Relaxed refit only: ``'train'`` and ``'validation'`` loss per epoch of the
        chosen refit on the training part, and ``'best_epoch'`` (the learning curves
        that chose the number of epochs).
    refit_alpha_, refit_dropout_ : float or None
        L2 strength and dropout chosen for the relaxed refit.
    refit_init_ : {'path', 'random'} or None
        Start of the chosen relaxed refit: the path's weights on the selected inputs,
        or a fresh initialisation (both are tried, the validation loss decides).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit (only when ``X`` has string column names).
"""


def fill_cv_doc(cls):
    """Substitute the shared section of the path-selecting MLPs for ``%(shared)s``."""
    cls.__doc__ = cls.__doc__.replace("%(shared)s", _CV_SHARED_DOC.strip("\n")[4:])
    return cls
