"""Docstring sections shared by the two regularized MLP estimators.

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
