"""Regularized multi-layer perceptrons: elastic net, group lasso, dropout, decay.

The estimators mirror scikit-learn's ``MLPRegressor`` / ``MLPClassifier``
(``sklearn/neural_network/_multilayer_perceptron.py``): parameter names, fitted
attributes, ``_forward_pass`` / ``_backprop``, activations and losses found in dicts.
What differs is the penalty, defined on the full data as for skreg's linear models:

- an elastic net on all weight matrices, its L2 part in the gradient and its L1 part by
  a proximal step after every optimizer update, so weights become exactly zero;
- optionally a row-wise group lasso on the first layer (``input_penalty="group"``),
  whose proximal step zeroes whole input rows: the network selects input features;
- inverted dropout on the inputs and on the hidden layers;
- decoupled (AdamW-style) weight decay;
- per-epoch learning curves on the training and a held-out validation set.

The matrix products run in NumPy's BLAS, the element-wise work in the Numba kernels of
:mod:`skreg._kernels.mlp`; see :mod:`._training` for the epoch loop.
"""

from __future__ import annotations

from itertools import chain

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import column_or_1d

from skreg.neural_network._activations import (
    ACTIVATIONS,
    DERIVATIVES,
    HIDDEN_ACTIVATIONS,
    LOSS_FUNCTIONS,
)
from skreg.neural_network._docstrings import fill_doc
from skreg.neural_network._training import fit_stochastic
from skreg.penalties import L2, ElasticNet, GroupL1
from skreg.utils._validation import (
    Integral,
    Interval,
    Real,
    StrOptions,
    _fit_context,
    check_is_fitted,
    check_sample_weight,
    check_squares_fit,
    validate_data,
)

__all__ = ["RegularizedMLPClassifier", "RegularizedMLPRegressor"]


def _matmul(A, B, out):
    """``out[...] = A @ B``, with ``A`` dense (BLAS into ``out``) or scipy.sparse.

    Only the first layer sees sparse inputs: there ``X_batch @ W_1`` (forward) and
    ``X_batch.T @ delta_1`` (the first-layer gradient) are sparse-dense products that
    cost ``O(nnz * n_units)``; the batch is never densified.
    """
    if sp.issparse(A):
        out[...] = A @ B
    else:
        np.matmul(A, B, out=out)
    return out


class _BaseRegularizedMLP(BaseEstimator):
    """Shared implementation of the regularized MLP estimators."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(set(HIDDEN_ACTIVATIONS))],
        "solver": [StrOptions({"adam", "sgd"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "input_penalty": [StrOptions({"elementwise", "group"})],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "input_dropout": [Interval(Real, 0, 1, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "record_train_loss": ["boolean"],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        activation="relu",
        solver="adam",
        alpha=1e-4,
        l1_ratio=0.0,
        input_penalty="elementwise",
        dropout=0.0,
        input_dropout=0.0,
        weight_decay=0.0,
        batch_size="auto",
        learning_rate_init=0.001,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=None,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        record_train_loss=True,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.input_penalty = input_penalty
        self.dropout = dropout
        self.input_dropout = input_dropout
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.record_train_loss = record_train_loss

    # ------------------------------------------------------------------ penalty
    def _penalty_numbers(self):
        """``(l1_reg, l2_reg, group_reg)`` handed to the optimizer kernels."""
        l1_reg, l2_reg = ElasticNet(self.alpha, self.l1_ratio).kernel_params()
        group_reg = l1_reg if self.input_penalty == "group" else 0.0
        return l1_reg, l2_reg, group_reg

    def _penalty_value(self):
        """Penalty of the objective at the current weights (biases excluded)."""
        if self.alpha == 0:
            return 0.0
        enet = ElasticNet(self.alpha, self.l1_ratio)
        coefs = self.coefs_
        value = 0.0
        if self.input_penalty == "group":
            W1 = coefs[0]
            value += L2(self.alpha * (1.0 - self.l1_ratio)).value(W1)
            value += GroupL1(self.alpha * self.l1_ratio).value(W1)
            coefs = coefs[1:]
        for W in coefs:
            value += enet.value(W)
        return value

    def _loss_function(self):
        name = self._loss
        if name == "log_loss" and self.out_activation_ == "logistic":
            name = "binary_log_loss"
        return LOSS_FUNCTIONS[name]

    # ----------------------------------------------------- forward and backward
    def _forward_pass(self, activations, masks=None):
        """Forward pass in place through preallocated buffers.

        Parameters
        ----------
        activations : list of ndarray, length n_layers_
            ``activations[0]`` is the input batch (modified in place by input dropout,
            so it must then be a copy); ``activations[i]`` for ``i >= 1`` are
            C-contiguous buffers of shape ``(n_batch, n_units[i])``, overwritten with
            the outputs of the layers.
        masks : list or None
            Per layer output ``i < n_layers_ - 1`` (``0`` = inputs), ``None`` or
            ``(U, rate)``: uniform draws and dropout rate (``(U, rate, zero_bias)`` for
            the inputs). ``None``: no dropout (evaluation).

        Returns
        -------
        activations : list of ndarray
        """
        n_hidden = len(self.coefs_) - 1
        if masks is not None and masks[0] is not None:
            U, rate, zero_bias = masks[0]
            ACTIVATIONS["identity"](activations[0], zero_bias, U, rate)
        hidden_activation = ACTIVATIONS[self.activation]
        for i in range(n_hidden):
            _matmul(activations[i], self.coefs_[i], activations[i + 1])
            mask = None if masks is None else masks[i + 1]
            if mask is None:
                hidden_activation(activations[i + 1], self.intercepts_[i])
            else:
                hidden_activation(activations[i + 1], self.intercepts_[i], *mask)
        np.matmul(activations[n_hidden], self.coefs_[n_hidden], out=activations[-1])
        ACTIVATIONS[self.out_activation_](activations[-1], self.intercepts_[n_hidden])
        return activations

    def _backprop(
        self,
        Y,
        sample_weight,
        scale,
        activations,
        deltas,
        coef_grads,
        intercept_grads,
        masks=None,
        loss_function=None,
    ):
        """Forward and backward pass on one batch: data loss and its gradient.

        The gradient written into ``coef_grads`` / ``intercept_grads`` is that of
        ``scale * sum_i sample_weight[i] * loss_i`` (the mean data loss of the batch
        when ``scale = 1 / (n_batch * mean weight)``); the penalty enters in the
        optimizer (:mod:`._optimizers`). ``deltas[i]`` receives ``d loss / d Z`` of
        layer ``i``'s pre-activation.

        Returns
        -------
        loss : float
            ``sum_i sample_weight[i] * loss_i`` over the batch (not scaled).
        """
        if loss_function is None:
            loss_function = self._loss_function()
        self._forward_pass(activations, masks)
        last = len(self.coefs_) - 1
        loss = loss_function(
            activations[-1],
            Y,
            sample_weight,
            scale,
            deltas[last],
            intercept_grads[last],
        )
        derivative = DERIVATIVES[self.activation]
        for i in range(last, -1, -1):
            _matmul(activations[i].T, deltas[i], coef_grads[i])
            if i > 0:
                np.matmul(deltas[i], self.coefs_[i].T, out=deltas[i - 1])
                mask = None if masks is None else masks[i]
                if mask is None:
                    derivative(activations[i], deltas[i - 1], intercept_grads[i - 1])
                else:
                    derivative(
                        activations[i], deltas[i - 1], intercept_grads[i - 1], *mask
                    )
        return loss

    def _forward_pass_fast(self, X):
        """Return the outputs of the network on validated ``X`` (dropout off)."""
        dtype = self.coefs_[0].dtype
        if sp.issparse(X):
            activation = X.astype(dtype, copy=False)
        else:
            activation = np.asarray(X, dtype=dtype)
        hidden_activation = ACTIVATIONS[self.activation]
        last = len(self.coefs_) - 1
        for i, (W, b) in enumerate(zip(self.coefs_, self.intercepts_, strict=True)):
            activation = activation @ W
            b = np.ascontiguousarray(b, dtype=dtype)
            if i < last:
                hidden_activation(activation, b)
            else:
                ACTIVATIONS[self.out_activation_](activation, b)
        return activation

    # ------------------------------------------------------------------- fitting
    def _hidden_layer_sizes(self):
        sizes = self.hidden_layer_sizes
        if not hasattr(sizes, "__iter__"):
            sizes = [sizes]
        sizes = list(sizes)
        if len(sizes) == 0:
            raise ValueError(
                "hidden_layer_sizes must contain at least one hidden layer, got "
                f"{self.hidden_layer_sizes!r}."
            )
        for s in sizes:
            if isinstance(s, bool) or not isinstance(s, Integral | np.integer) or s < 1:
                raise ValueError(
                    "hidden_layer_sizes must be positive integers, got "
                    f"{self.hidden_layer_sizes!r}."
                )
        return [int(s) for s in sizes]

    def _init_coef(self, fan_in, fan_out, dtype):
        # Glorot & Bengio's uniform initialisation, drawn in scikit-learn's order so
        # that an int random_state gives scikit-learn's initial weights.
        factor = 2.0 if self.activation == "logistic" else 6.0
        bound = np.sqrt(factor / (fan_in + fan_out))
        coef = self._rng.uniform(-bound, bound, (fan_in, fan_out)).astype(dtype)
        intercept = self._rng.uniform(-bound, bound, fan_out).astype(dtype)
        return np.ascontiguousarray(coef), intercept

    def _initialize(self, layer_units, dtype):
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = layer_units[-1]
        self.n_layers_ = len(layer_units)
        self.out_activation_ = self._output_activation()
        self.coefs_, self.intercepts_ = [], []
        for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:], strict=True):
            coef, intercept = self._init_coef(fan_in, fan_out, dtype)
            self.coefs_.append(coef)
            self.intercepts_.append(intercept)
        self.loss_curve_ = []
        self.train_loss_curve_ = None
        self.validation_loss_curve_ = None
        self.best_loss_ = np.inf
        self.best_validation_loss_ = None
        self._no_improvement_count = 0
        for name in ("_optimizer", "_dropout_rng"):
            if hasattr(self, name):
                delattr(self, name)

    def _fit(self, X, y, sample_weight=None, incremental=False):
        hidden = self._hidden_layer_sizes()
        if self.input_penalty == "group" and self.l1_ratio == 0:
            raise ValueError(
                "input_penalty='group' needs l1_ratio > 0: the group lasso is the L1 "
                "part of the penalty on the first layer."
            )
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True.")
        first_pass = not hasattr(self, "coefs_") or (
            not self.warm_start and not incremental
        )
        X, Y = self._validate_input(X, y, incremental, reset=first_pass)
        check_squares_fit(X, "X")
        check_squares_fit(Y, "y")
        if sp.issparse(X) and self.input_dropout > 0:
            raise ValueError(
                "input_dropout > 0 is not supported for sparse X: dropping entries "
                "of a CSR matrix would densify the batch. Use input_dropout=0."
            )
        if not first_pass:
            dtype = self.coefs_[0].dtype
            if sp.issparse(X):
                X = X.astype(dtype, copy=False)
            else:
                X = np.ascontiguousarray(X, dtype=dtype)
            Y = np.ascontiguousarray(Y, dtype=dtype)
            if Y.shape[1] != self.n_outputs_:
                raise ValueError(
                    f"y has {Y.shape[1]} outputs, but the network was fitted with "
                    f"{self.n_outputs_}."
                )
        sample_weight = check_sample_weight(sample_weight, X, dtype=X.dtype)

        if first_pass or not incremental or not hasattr(self, "_rng"):
            self._rng = check_random_state(self.random_state)
        if first_pass:
            self._initialize([X.shape[1], *hidden, Y.shape[1]], X.dtype)
        elif [c.shape[1] for c in self.coefs_[:-1]] != hidden:
            raise ValueError(
                "hidden_layer_sizes changed since the last fit; warm_start and "
                "partial_fit need the same architecture."
            )
        if self.record_train_loss and self.train_loss_curve_ is None:
            self.train_loss_curve_ = []
        holds_out = self.early_stopping or self.validation_fraction is not None
        if holds_out and not incremental and self.validation_loss_curve_ is None:
            self.validation_loss_curve_ = []

        return self._train(X, Y, sample_weight, incremental)

    def _train(self, X, Y, sample_weight, incremental):
        """Run :func:`fit_stochastic` on validated arrays; raise if training diverged.

        ``X`` (C-contiguous or CSR) and ``Y`` (2-D) are in the network's dtype, as
        ``_validate_input`` returns them. :func:`~skreg.neural_network.mlp_path` calls
        this directly for its epochs, skipping the per-call validation of
        ``partial_fit``.
        """
        # Training diverged when a product overflows (numpy), when the loss leaves
        # the network's dtype, or when a weight is not finite. The first two can
        # happen with weights that are still finite (1e144 after three SGD steps on
        # 3e20 inputs, whose forward passes overflow; found by tests/test_fuzz_mlp.py):
        # stop at the first overflow instead of training on with inf activations.
        overflow = ""
        try:
            with np.errstate(over="raise"):
                fit_stochastic(self, X, Y, sample_weight, incremental)
        except FloatingPointError as exc:
            overflow = f" ({exc})"
        loss = getattr(self, "loss_", 0.0)
        if (
            overflow
            or not abs(loss) <= np.finfo(self.coefs_[0].dtype).max
            or not all(
                np.isfinite(w).all() for w in chain(self.coefs_, self.intercepts_)
            )
        ):
            raise ValueError(
                "Solver produced non-finite parameter weights, activations or loss"
                f"{overflow or f' (loss_={loss})'}. The input data may contain large "
                "values and need to be preprocessed, or the learning rate may be too "
                "large."
            )
        return self

    # ------------------------------------------------------------ introspection
    def __sklearn_is_fitted__(self):
        # A fit that failed on validation may already have set n_features_in_.
        return hasattr(self, "coefs_") and hasattr(self, "out_activation_")

    @property
    def feature_importances_(self):
        """Euclidean norm of each input row of the first weight matrix."""
        check_is_fitted(self)
        return np.linalg.norm(np.asarray(self.coefs_[0], dtype=np.float64), axis=1)

    @property
    def n_features_selected_(self):
        """Number of input features whose first-layer row is not exactly zero."""
        check_is_fitted(self)
        return int(np.count_nonzero(np.any(self.coefs_[0] != 0, axis=1)))

    @property
    def sparsity_(self):
        """Fraction of exactly-zero weights in each weight matrix."""
        check_is_fitted(self)
        return [float(np.mean(W == 0)) for W in self.coefs_]


@fill_doc
class RegularizedMLPRegressor(RegressorMixin, _BaseRegularizedMLP):
    r"""Multi-layer perceptron regressor with elastic-net, group, dropout and decay.

    Minimises, over the weights :math:`W_l` and intercepts :math:`b_l`,

    .. math::

        \frac{1}{\sum_i s_i} \sum_{i=1}^{n} s_i \, \frac{1}{2}
        \|y_i - f(x_i)\|_2^2
        + \alpha \sum_l \Big( \rho \|W_l\|_1
        + \frac{1 - \rho}{2} \|W_l\|_F^2 \Big)

    with :math:`s_i` the sample weights, :math:`\rho` = ``l1_ratio``, and with
    ``input_penalty="group"`` the term :math:`\rho \|W_1\|_1` replaced by
    :math:`\rho \sum_j \|W_1[j, :]\|_2`. The objective is defined on the full data: it
    does not depend on the batch size nor on the solver. Mini-batch stochastic
    gradients of the data loss plus the L2 part feed Adam or SGD; the L1 (or group)
    part is applied by a proximal step after every update, so that weights (or whole
    input rows) become exactly zero. Dropout and decoupled weight decay are optional.

    Read more in the :doc:`user guide </neural_network>`.

    Parameters
    ----------
    %(shared_parameters)s

    Attributes
    ----------
    %(shared_attributes)s

    out_activation_ : str
        ``'identity'``.

    See Also
    --------
    RegularizedMLPClassifier : The classifier sharing this implementation.
    sklearn.neural_network.MLPRegressor : scikit-learn's MLP (L2 only).

    Notes
    -----
    With ``l1_ratio=0``, no dropout and no decay, this is scikit-learn's
    ``MLPRegressor(alpha=alpha * batch_size)`` under adam / sgd, and
    ``MLPRegressor(alpha=alpha * n_samples, solver='lbfgs')`` optimises the same
    objective. For a single output the data loss is scikit-learn's squared loss; with
    several outputs it sums (not averages) over them, which is the loss whose gradient
    scikit-learn follows.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from skreg.neural_network import RegularizedMLPRegressor
    >>> X, y = make_regression(n_samples=200, n_features=8, n_informative=3,
    ...                        noise=1.0, random_state=0)
    >>> reg = RegularizedMLPRegressor((16,), alpha=0.05, l1_ratio=1.0,
    ...                               input_penalty="group", learning_rate_init=0.01,
    ...                               max_iter=300, random_state=0).fit(X, y / 100)
    >>> reg.coefs_[0].shape
    (8, 16)
    >>> reg.n_features_selected_ < 8
    True
    """

    _loss = "squared_error"

    def _output_activation(self):
        return "identity"

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(
            self,
            X,
            y,
            multi_output=True,
            y_numeric=True,
            dtype=[np.float64, np.float32],
            order="C",
            accept_sparse="csr",
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        Y = np.ascontiguousarray(y.reshape(y.shape[0], -1), dtype=X.dtype)
        return X, Y

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to ``X`` and target(s) ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (float32 is kept as float32).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Update the network with one epoch over ``X``, keeping the optimizer state.

        Each call draws a new shuffle; nothing is held out (``early_stopping`` is not
        supported).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def predict(self, X):
        """Predict with the network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predicted values, in the dtype of the fitted weights.
        """
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            reset=False,
            dtype=[np.float64, np.float32],
            accept_sparse="csr",
        )
        y_pred = self._forward_pass_fast(X)
        if y_pred.shape[1] == 1:
            return y_pred.ravel()
        return y_pred

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags


@fill_doc
class RegularizedMLPClassifier(ClassifierMixin, _BaseRegularizedMLP):
    r"""Multi-layer perceptron classifier with elastic-net, group, dropout and decay.

    Minimises the mean log loss (binary, multiclass with a softmax output, or
    multilabel with independent logistic outputs) plus the same penalty as
    :class:`RegularizedMLPRegressor`:

    .. math::

        -\frac{1}{\sum_i s_i} \sum_{i=1}^{n} s_i \sum_k y_{ik} \log p_k(x_i)
        + \alpha \sum_l \Big( \rho \|W_l\|_1
        + \frac{1 - \rho}{2} \|W_l\|_F^2 \Big)

    with :math:`\rho` = ``l1_ratio`` and, with ``input_penalty="group"``,
    :math:`\rho \|W_1\|_1` replaced by :math:`\rho \sum_j \|W_1[j, :]\|_2`. The L1 (or
    group) part is applied by a proximal step after each optimizer update, giving exact
    zeros.

    Read more in the :doc:`user guide </neural_network>`.

    Parameters
    ----------
    %(shared_parameters)s

    Attributes
    ----------
    %(shared_attributes)s

    classes_ : ndarray or list of ndarray
        Class labels.

    out_activation_ : str
        ``'logistic'`` (binary and multilabel) or ``'softmax'`` (multiclass).

    See Also
    --------
    RegularizedMLPRegressor : The regressor sharing this implementation.
    sklearn.neural_network.MLPClassifier : scikit-learn's MLP (L2 only).

    Notes
    -----
    With ``l1_ratio=0``, no dropout and no decay, this is scikit-learn's
    ``MLPClassifier(alpha=alpha * batch_size)`` under adam / sgd.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from skreg.neural_network import RegularizedMLPClassifier
    >>> X, y = make_classification(n_samples=300, n_features=10, random_state=0)
    >>> clf = RegularizedMLPClassifier((16,), dropout=0.2, alpha=1e-3,
    ...                                learning_rate_init=0.01, early_stopping=True,
    ...                                random_state=0).fit(X, y)
    >>> clf.best_epoch_ < clf.n_iter_
    True
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    >>> bool(clf.score(X, y) > 0.8)
    True
    """

    _loss = "log_loss"

    def _output_activation(self):
        if self._label_binarizer.y_type_ == "multiclass":
            return "softmax"
        return "logistic"

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(
            self,
            X,
            y,
            multi_output=True,
            dtype=[np.float64, np.float32],
            order="C",
            accept_sparse="csr",
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start and not incremental:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes "
                        f"as in the previous call to fit. Previously got "
                        f"{self.classes_}, `y` has {classes}."
                    )
            elif len(np.setdiff1d(classes, self.classes_)):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{self.classes_}. 'y' has {classes}."
                )
        Y = self._label_binarizer.transform(y)
        Y = np.ascontiguousarray(Y.reshape(Y.shape[0], -1), dtype=X.dtype)
        return X, Y

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to ``X`` and labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (float32 is kept as float32).
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a label-indicator matrix for multilabel problems.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Update the network with one epoch over ``X``, keeping the optimizer state.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.
        classes : array-like of shape (n_classes,), default=None
            All the classes; required on the first call, ignored afterwards.

        Returns
        -------
        self : object
            The updated estimator.
        """
        if not hasattr(self, "classes_"):
            if classes is None:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit."
                )
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
            self.classes_ = self._label_binarizer.classes_
        elif classes is not None and not np.array_equal(
            np.unique(classes), np.asarray(self.classes_)
        ):
            raise ValueError(
                f"classes={classes!r} differs from the classes of the first call to "
                f"partial_fit: {self.classes_!r}."
            )
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted classes.
        """
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            reset=False,
            dtype=[np.float64, np.float32],
            accept_sparse="csr",
        )
        y_pred = self._forward_pass_fast(X)
        if self.n_outputs_ == 1:
            y_pred = y_pred.ravel()
        return self._label_binarizer.inverse_transform(y_pred)

    def predict_proba(self, X):
        """Probability estimates.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probability of each class, in the order of ``classes_``.
        """
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            reset=False,
            dtype=[np.float64, np.float32],
            accept_sparse="csr",
        )
        y_pred = self._forward_pass_fast(X)
        if self.n_outputs_ == 1:
            p = y_pred.ravel()
            return np.column_stack([1 - p, p])
        return y_pred

    def predict_log_proba(self, X):
        """Logarithm of the probability estimates.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``.
        """
        proba = self.predict_proba(X)
        return np.log(proba, out=proba)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_label = True
        return tags
