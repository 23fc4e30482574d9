"""Activations, their derivatives and the data losses, as functions in dicts.

As in scikit-learn's ``sklearn/neural_network/_base.py``, the network looks its
functions up by name once per fit (``ACTIVATIONS[self.activation]``), never by
``if``/``hasattr`` chains in the loops. Each function is a thin wrapper around one
fused kernel of :mod:`skreg._kernels.mlp`, which receives the activation as an integer
code, so that a whole layer costs one pass over memory:

- ``ACTIVATIONS[name](Z, bias, U=None, rate=0.0)``: ``Z <- dropout(act(Z + bias))``;
- ``DERIVATIVES[name](A, delta, grad_bias, U=None, rate=0.0)``: ``delta`` times the
  derivative (and the dropout mask) of the layer whose output is ``A``, with the column
  sums of the result written into ``grad_bias``;
- ``LOSS_FUNCTIONS[name](P, Y, sample_weight, scale, delta=None, grad_bias=None)``: the
  weighted sum of the per-sample losses, and the output error when ``delta`` is given.

All arrays are C-contiguous, of one floating dtype, preallocated by the caller.
"""

from __future__ import annotations

import numpy as np

from skreg._kernels.mlp import (
    BINARY_LOG_LOSS,
    CATEGORICAL_LOG_LOSS,
    IDENTITY,
    LOGISTIC,
    RELU,
    SOFTMAX,
    SQUARED_ERROR,
    TANH,
    backward_activation,
    forward_activation,
    loss_gradient,
)

__all__ = ["ACTIVATIONS", "DERIVATIVES", "LOSS_FUNCTIONS", "HIDDEN_ACTIVATIONS"]

HIDDEN_ACTIVATIONS = ("identity", "logistic", "tanh", "relu")


def _make_activation(code: int, name: str):
    def activation(Z, bias, U=None, rate=0.0):
        forward_activation(Z, bias, code, Z if U is None else U, float(rate))
        return Z

    activation.__name__ = f"inplace_{name}"
    activation.__doc__ = (
        f"Apply ``Z <- dropout({name}(Z + bias))`` in place (rate 0: no dropout)."
    )
    return activation


def _make_derivative(code: int, name: str):
    def derivative(A, delta, grad_bias, U=None, rate=0.0):
        backward_activation(
            A, delta, code, A if U is None else U, float(rate), grad_bias
        )
        return delta

    derivative.__name__ = f"inplace_{name}_derivative"
    derivative.__doc__ = (
        f"Multiply ``delta`` by the derivative of {name} at output ``A`` (in place) "
        "and write its column sums into ``grad_bias``."
    )
    return derivative


def _make_loss(code: int, name: str):
    def loss(P, Y, sample_weight, scale=1.0, delta=None, grad_bias=None):
        eps = float(np.finfo(P.dtype).eps)
        with_grad = delta is not None
        if not with_grad:
            delta, grad_bias = P, P[0]
        return loss_gradient(
            P, Y, sample_weight, code, float(scale), eps, delta, grad_bias, with_grad
        )

    loss.__name__ = name
    loss.__doc__ = (
        f"Weighted sum of the per-sample {name.replace('_', ' ')}; with ``delta``, "
        "also the output error ``(P - Y) * sample_weight * scale`` and its column sums."
    )
    return loss


_CODES = {
    "identity": IDENTITY,
    "logistic": LOGISTIC,
    "tanh": TANH,
    "relu": RELU,
    "softmax": SOFTMAX,
}

ACTIVATIONS = {name: _make_activation(code, name) for name, code in _CODES.items()}

DERIVATIVES = {
    name: _make_derivative(code, name)
    for name, code in _CODES.items()
    if name != "softmax"
}

LOSS_FUNCTIONS = {
    "squared_error": _make_loss(SQUARED_ERROR, "squared_error"),
    "binary_log_loss": _make_loss(BINARY_LOG_LOSS, "binary_log_loss"),
    "log_loss": _make_loss(CATEGORICAL_LOG_LOSS, "log_loss"),
}
