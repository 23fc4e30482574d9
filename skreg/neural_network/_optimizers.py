"""Stochastic optimizers fused with the penalty: Adam(W) and SGD with momentum.

Each optimizer works on *flat* buffers: the network's weights and intercepts live in one
contiguous vector (weights first), so that a whole update is one kernel call. An update

1. adds the L2 gradient ``l2_reg * W`` to the data gradient of the weights;
2. takes the optimizer step (Adam, or SGD with momentum / Nesterov momentum);
3. decays the weights by ``1 - learning_rate_init * weight_decay``: decoupled weight
   decay (Loshchilov & Hutter 2019, "Decoupled weight decay regularization"), which is
   *not* the L2 penalty under Adam, because Adam rescales the L2 gradient;
4. takes the proximal step of the L1 part: soft-thresholding, so weights reach exact
   zeros (a subgradient term, as in Keras or PyTorch, only makes them oscillate around
   zero). With Adam the threshold of weight ``j`` is ``lr_t * l1_reg / (sqrt(v_j) +
   epsilon)``: the proximal step in Adam's own (diagonal) metric, so that a weight
   stays at zero exactly when its averaged gradient is at most ``l1_reg`` in absolute
   value, the optimality condition of the objective;
5. with ``input_penalty="group"``, the row-wise group-lasso proximal step on the first
   layer (:func:`skreg._kernels.mlp.group_prox_rows`), zeroing whole input rows.

Intercepts are never penalised nor decayed. The penalty strengths come from
:mod:`skreg.penalties` (``kernel_params()``), shared with the linear models.
"""

from __future__ import annotations

import math

import numpy as np

from skreg._kernels.mlp import adam_step, group_prox_rows, sgd_step

__all__ = ["AdamOptimizer", "SGDOptimizer"]


class _BaseOptimizer:
    """State and penalty bookkeeping shared by the optimizers.

    Parameters
    ----------
    n_params : int
        Length of the flat parameter vector.
    n_weights : int
        The first ``n_weights`` entries are weights, the others intercepts.
    first_shape : tuple of int
        Shape of the first weight matrix ``(n_features, n_units)``.
    learning_rate_init : float
        Step size.
    l1_reg, l2_reg : float
        Element-wise elastic-net strengths on the weights.
    group_reg : float
        Row-group lasso strength on the first layer; ``0`` for none (then the first
        layer carries the element-wise L1 like the others).
    weight_decay : float
        Decoupled weight decay.
    dtype : dtype
        Floating dtype of the parameters.
    """

    def __init__(
        self,
        n_params,
        n_weights,
        first_shape,
        learning_rate_init,
        l1_reg,
        l2_reg,
        group_reg,
        weight_decay,
        dtype,
    ):
        self.n_params = int(n_params)
        self.n_weights = int(n_weights)
        self.first_shape = tuple(first_shape)
        self.learning_rate_init = float(learning_rate_init)
        self.learning_rate = float(learning_rate_init)
        self.dtype = np.dtype(dtype)
        self.set_penalty(l1_reg, l2_reg, group_reg, weight_decay)

    def set_penalty(self, l1_reg, l2_reg, group_reg, weight_decay):
        """Set the penalty numbers (kept separate so ``warm_start`` may change them)."""
        self.l1_reg = float(l1_reg)
        self.l2_reg = float(l2_reg)
        self.group_reg = float(group_reg)
        self.decay = 1.0 - self.learning_rate_init * float(weight_decay)
        n_first = self.first_shape[0] * self.first_shape[1]
        self.l1_start = n_first if self.group_reg > 0 else 0

    def _first_layer(self, flat):
        n_first = self.first_shape[0] * self.first_shape[1]
        return flat[:n_first].reshape(self.first_shape)


class AdamOptimizer(_BaseOptimizer):
    """Adam (Kingma & Ba 2015) with the proximal step and decoupled decay (AdamW).

    The step follows scikit-learn's ``AdamOptimizer``: ``lr_t = lr0 * sqrt(1 -
    beta_2**t) / (1 - beta_1**t)`` and ``w <- w - lr_t * m / (sqrt(v) + epsilon)``.
    """

    def __init__(self, *args, beta_1=0.9, beta_2=0.999, epsilon=1e-8, **kwargs):
        super().__init__(*args, **kwargs)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        self.t = 0
        self.ms = np.zeros(self.n_params, dtype=self.dtype)
        self.vs = np.zeros(self.n_params, dtype=self.dtype)

    def update_params(self, params, grads):
        """Update the flat ``params`` in place from the flat data gradient ``grads``."""
        self.t += 1
        t = self.t
        lr = (
            self.learning_rate_init
            * math.sqrt(1.0 - self.beta_2**t)
            / (1.0 - self.beta_1**t)
        )
        self.learning_rate = lr
        adam_step(
            params,
            grads,
            self.ms,
            self.vs,
            self.n_weights,
            self.l1_start,
            lr,
            self.beta_1,
            self.beta_2,
            self.epsilon,
            self.l1_reg,
            self.l2_reg,
            self.decay,
        )
        if self.group_reg > 0:
            group_prox_rows(
                self._first_layer(params),
                self._first_layer(self.vs),
                lr,
                self.epsilon,
                self.group_reg,
                True,
            )


class SGDOptimizer(_BaseOptimizer):
    """Stochastic gradient descent with momentum or Nesterov momentum.

    The velocity update and Nesterov's form are scikit-learn's ``SGDOptimizer``; the
    learning rate is constant.
    """

    def __init__(self, *args, momentum=0.9, nesterov=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)
        self.velocities = np.zeros(self.n_params, dtype=self.dtype)

    def update_params(self, params, grads):
        """Update the flat ``params`` in place from the flat data gradient ``grads``."""
        lr = self.learning_rate
        sgd_step(
            params,
            grads,
            self.velocities,
            self.n_weights,
            self.l1_start,
            lr,
            self.momentum,
            self.nesterov,
            self.l1_reg,
            self.l2_reg,
            self.decay,
        )
        if self.group_reg > 0:
            W = self._first_layer(params)
            group_prox_rows(W, W, lr, 0.0, self.group_reg, False)


OPTIMIZERS = {"adam": AdamOptimizer, "sgd": SGDOptimizer}
