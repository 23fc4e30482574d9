"""Element-wise kernels of the regularized multi-layer perceptron.

The matrix products of a network run in NumPy's BLAS (``np.matmul(..., out=buffer)``);
everything else, element by element, runs here, fused so that each buffer is read once:

- :func:`forward_activation`: bias, activation and inverted-dropout mask of one layer;
- :func:`backward_activation`: dropout mask and activation derivative applied to the
  back-propagated error, fused with the column sum that gives the intercept gradient;
- :func:`loss_gradient`: data loss of a mini-batch and the error at the output layer;
- :func:`adam_step` / :func:`sgd_step`: the optimizer update fused with the L2 gradient,
  the decoupled weight decay and the (preconditioned) L1 proximal step;
- :func:`group_prox_rows`: the row-wise group-lasso proximal step on the first layer.

All kernels trust their input: arrays are C-contiguous, float32 or float64 (all the
arrays of one call share a dtype), finite and of matching shapes; scalars are Python
floats, flags Python ints/bools. The estimator shells validate upstream and
preallocate every buffer.

Activation codes (``kind``): ``0`` identity, ``1`` logistic, ``2`` tanh, ``3`` relu,
``4`` softmax (row-wise). Loss codes: ``0`` half squared error, ``1`` binary log loss
(logistic outputs, one or several labels), ``2`` categorical log loss (softmax).
"""

import numpy as np

from skreg._jit import jit

IDENTITY, LOGISTIC, TANH, RELU, SOFTMAX = 0, 1, 2, 3, 4
SQUARED_ERROR, BINARY_LOG_LOSS, CATEGORICAL_LOG_LOSS = 0, 1, 2


@jit
def forward_activation(Z, bias, kind, U, rate):
    """Apply ``Z <- dropout(act(Z + bias))`` in place, row by row.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_units), C-contiguous
        Pre-activations ``A @ W`` on entry, activations on exit (mutated in place).
    bias : ndarray of shape (n_units,)
        Intercepts added to every row.
    kind : int
        Activation code (see the module docstring).
    U : ndarray of shape (n_samples, n_units)
        Uniform draws in ``[0, 1)``; only read when ``rate > 0``. Unit ``(i, k)`` is
        kept when ``U[i, k] >= rate`` and then scaled by ``1 / (1 - rate)`` (inverted
        dropout: the expected activation is unchanged, so nothing changes at predict).
    rate : float
        Dropout rate in ``[0, 1)``; ``0`` disables dropout (``U`` may be any array).
    """
    n, m = Z.shape
    zero = Z.dtype.type(0.0)
    one = Z.dtype.type(1.0)
    for i in range(n):
        if kind == IDENTITY:
            for k in range(m):
                Z[i, k] = Z[i, k] + bias[k]
        elif kind == RELU:
            for k in range(m):
                z = Z[i, k] + bias[k]
                Z[i, k] = z if z > zero else zero
        elif kind == LOGISTIC:
            for k in range(m):
                Z[i, k] = one / (one + np.exp(-(Z[i, k] + bias[k])))
        elif kind == TANH:
            for k in range(m):
                Z[i, k] = np.tanh(Z[i, k] + bias[k])
        else:
            # Softmax, shifted by the row maximum so that exp never overflows.
            zmax = Z[i, 0] + bias[0]
            for k in range(1, m):
                z = Z[i, k] + bias[k]
                if z > zmax:
                    zmax = z
            total = zero
            for k in range(m):
                e = np.exp(Z[i, k] + bias[k] - zmax)
                Z[i, k] = e
                total += e
            for k in range(m):
                Z[i, k] = Z[i, k] / total
        if rate > 0.0:
            scale = Z.dtype.type(1.0 / (1.0 - rate))
            for k in range(m):
                Z[i, k] = Z[i, k] * scale if U[i, k] >= rate else zero


@jit
def backward_activation(A, delta, kind, U, rate, grad_bias):
    """Multiply ``delta`` by the derivative of the layer, and sum its columns.

    With ``A = m * act(Z) / (1 - rate)`` the output of :func:`forward_activation`
    (``m`` the dropout mask), the chain rule gives
    ``d loss / d Z = delta * m / (1 - rate) * act'(Z)``, and ``act'`` is a function of
    ``act(Z) = A * (1 - rate)`` on kept units: ``1 - a**2`` (tanh), ``a * (1 - a)``
    (logistic), ``1[a > 0]`` (relu).

    Parameters
    ----------
    A : ndarray of shape (n_samples, n_units)
        Activations of the layer from the forward pass. Not modified.
    delta : ndarray of shape (n_samples, n_units)
        On entry ``d loss / d A``; on exit ``d loss / d Z`` (mutated in place).
    kind : int
        Activation code of the layer (not softmax).
    U : ndarray of shape (n_samples, n_units)
        The uniform draws of the forward pass (read only when ``rate > 0``).
    rate : float
        Dropout rate of the layer.
    grad_bias : ndarray of shape (n_units,)
        Overwritten with the column sums of the new ``delta``: the intercept gradient.
    """
    n, m = A.shape
    zero = A.dtype.type(0.0)
    one = A.dtype.type(1.0)
    keep = A.dtype.type(1.0 - rate)
    inv_keep = A.dtype.type(1.0 / (1.0 - rate))
    for k in range(m):
        grad_bias[k] = zero
    for i in range(n):
        if rate > 0.0:
            for k in range(m):
                if U[i, k] >= rate:
                    delta[i, k] = delta[i, k] * inv_keep
                else:
                    delta[i, k] = zero
        if kind == RELU:
            for k in range(m):
                d = delta[i, k] if A[i, k] > zero else zero
                delta[i, k] = d
                grad_bias[k] += d
        elif kind == LOGISTIC:
            for k in range(m):
                a = A[i, k] * keep
                d = delta[i, k] * a * (one - a)
                delta[i, k] = d
                grad_bias[k] += d
        elif kind == TANH:
            for k in range(m):
                a = A[i, k] * keep
                d = delta[i, k] * (one - a * a)
                delta[i, k] = d
                grad_bias[k] += d
        else:
            for k in range(m):
                grad_bias[k] += delta[i, k]


@jit
def loss_gradient(P, Y, sample_weight, kind, scale, eps, delta, grad_bias, with_grad):
    """Weighted data loss of a batch and, optionally, the error at the output layer.

    With the canonical link of each loss (identity for the squared error, logistic for
    the binary log loss, softmax for the categorical one), the derivative of the loss
    with respect to the output pre-activation is ``P - Y``; it is weighted by
    ``sample_weight[i] * scale`` so that the matrix products downstream directly give
    the gradient of the mean loss.

    Parameters
    ----------
    P : ndarray of shape (n_samples, n_outputs)
        Network outputs (after the output activation). Not modified.
    Y : ndarray of shape (n_samples, n_outputs)
        Targets (0/1 indicators for the log losses). Not modified.
    sample_weight : ndarray of shape (n_samples,)
        Per-sample weights (ones when unweighted).
    kind : int
        Loss code (see the module docstring).
    scale : float
        Normalisation of the gradient (``1 / (n_batch * mean weight)``).
    eps : float
        Probabilities are clipped to ``[eps, 1 - eps]`` in the log losses.
    delta, grad_bias : ndarray of shape (n_samples, n_outputs) and (n_outputs,)
        Written only when ``with_grad``: the weighted error and its column sums.
    with_grad : bool
        Compute ``delta`` and ``grad_bias``.

    Returns
    -------
    loss : float
        ``sum_i sample_weight[i] * loss_i`` accumulated in float64, where ``loss_i``
        sums over outputs: ``0.5 * ||y_i - p_i||^2`` or the cross-entropy.
    """
    n, m = P.shape
    total = 0.0
    if with_grad:
        for k in range(m):
            grad_bias[k] = P.dtype.type(0.0)
    for i in range(n):
        sw = sample_weight[i]
        row = 0.0
        for k in range(m):
            p = float(P[i, k])
            y = float(Y[i, k])
            if kind == SQUARED_ERROR:
                row += 0.5 * (p - y) * (p - y)
            else:
                pc = min(max(p, eps), 1.0 - eps)
                if y > 0.0:
                    row -= y * np.log(pc)
                if kind == BINARY_LOG_LOSS and y < 1.0:
                    row -= (1.0 - y) * np.log(1.0 - pc)
        total += float(sw) * row
        if with_grad:
            w = sw * scale
            for k in range(m):
                d = (P[i, k] - Y[i, k]) * w
                delta[i, k] = d
                grad_bias[k] += d
    return total


@jit
def _adam_segment(params, grads, m, v, start, stop, lr, b1, b2, eps, l2, decay, l1):
    """Adam on ``params[start:stop]``, with ridge gradient, decay and L1 prox.

    Works on local slices with constants of the array's dtype, so that LLVM proves the
    loop free of aliasing and of mixed precision, and vectorises it.
    """
    T = params.dtype.type
    b1, b2, c1, c2 = T(b1), T(b2), T(1.0 - b1), T(1.0 - b2)
    lr, eps, l2, decay, l1 = T(lr), T(eps), T(l2), T(decay), T(l1)
    zero = T(0.0)
    p = params[start:stop]
    g = grads[start:stop]
    mm = m[start:stop]
    vv = v[start:stop]
    for j in range(p.shape[0]):
        w = p[j]
        gj = g[j] + l2 * w
        mj = b1 * mm[j] + c1 * gj
        vj = b2 * vv[j] + c2 * gj * gj
        mm[j] = mj
        vv[j] = vj
        inv = lr / (np.sqrt(vj) + eps)
        w = decay * w - mj * inv
        # Proximal step in Adam's metric diag((sqrt(v) + eps) / lr): soft-threshold at
        # lr * l1 / (sqrt(v_j) + eps), written without branches (exact identity when
        # l1 = 0).
        thr = l1 * inv
        p[j] = max(w - thr, zero) + min(w + thr, zero)


@jit
def adam_step(
    params,
    grads,
    m,
    v,
    n_weights,
    l1_start,
    lr,
    beta_1,
    beta_2,
    epsilon,
    l1_reg,
    l2_reg,
    decay,
):
    """One Adam update of all parameters, fused with the penalty.

    Parameters
    ----------
    params, grads, m, v : ndarray of shape (n_params,)
        Flat parameters (weights first, then intercepts), their mini-batch gradient of
        the data loss, and Adam's first and second moments. ``params``, ``m`` and ``v``
        are updated in place; ``grads`` is not modified.
    n_weights : int
        ``params[:n_weights]`` are weights (penalised), the rest intercepts (never
        penalised nor decayed).
    l1_start : int
        The L1 proximal step applies to ``params[l1_start:n_weights]`` (``> 0`` when the
        first layer carries the group penalty instead).
    lr : float
        Bias-corrected step ``lr0 * sqrt(1 - beta_2**t) / (1 - beta_1**t)``.
    beta_1, beta_2, epsilon : float
        Adam's constants.
    l1_reg, l2_reg : float
        Elastic-net strengths: ``l2_reg * w`` is added to the gradient, then each weight
        is soft-thresholded at ``lr * l1_reg / (sqrt(v) + epsilon)``.
    decay : float
        Decoupled weight decay factor ``1 - lr0 * weight_decay`` applied to weights.
    """
    n = params.shape[0]
    b1, b2, eps = beta_1, beta_2, epsilon
    _adam_segment(params, grads, m, v, 0, l1_start, lr, b1, b2, eps, l2_reg, decay, 0.0)
    _adam_segment(
        params, grads, m, v, l1_start, n_weights, lr, b1, b2, eps, l2_reg, decay, l1_reg
    )
    _adam_segment(params, grads, m, v, n_weights, n, lr, b1, b2, eps, 0.0, 1.0, 0.0)


@jit
def _sgd_segment(params, grads, vel, start, stop, lr, mom, nesterov, l2, decay, l1):
    """SGD with (Nesterov) momentum on ``params[start:stop]``, with the penalty."""
    T = params.dtype.type
    lr, mom, l2, decay = T(lr), T(mom), T(l2), T(decay)
    thr = T(lr * l1)
    zero = T(0.0)
    nest = T(1.0) if nesterov else T(0.0)
    p = params[start:stop]
    g = grads[start:stop]
    vv = vel[start:stop]
    for j in range(p.shape[0]):
        w = p[j]
        gj = g[j] + l2 * w
        vj = mom * vv[j] - lr * gj
        vv[j] = vj
        # Nesterov: step = mom * v - lr * g; plain momentum: step = v.
        step = vj + nest * (mom * vj - lr * gj - vj)
        w = decay * w + step
        p[j] = max(w - thr, zero) + min(w + thr, zero)


@jit
def sgd_step(
    params,
    grads,
    velocity,
    n_weights,
    l1_start,
    lr,
    momentum,
    nesterov,
    l1_reg,
    l2_reg,
    decay,
):
    """One SGD update (momentum, optionally Nesterov) fused with the penalty.

    The velocity is ``momentum * velocity - lr * (grad + l2_reg * w)``; the step is the
    velocity, or with Nesterov ``momentum * velocity - lr * grad`` (scikit-learn's
    form). Weights are then decayed by ``decay`` and soft-thresholded at
    ``lr * l1_reg`` (the proximal step of the L1 penalty). Arrays as in
    :func:`adam_step`; ``params`` and ``velocity`` are updated in place.
    """
    n = params.shape[0]
    mom, nest = momentum, nesterov
    _sgd_segment(
        params, grads, velocity, 0, l1_start, lr, mom, nest, l2_reg, decay, 0.0
    )
    _sgd_segment(
        params,
        grads,
        velocity,
        l1_start,
        n_weights,
        lr,
        mom,
        nest,
        l2_reg,
        decay,
        l1_reg,
    )
    _sgd_segment(params, grads, velocity, n_weights, n, lr, mom, nest, 0.0, 1.0, 0.0)


@jit
def group_prox_rows(W, V, lr, epsilon, threshold, adaptive):
    """Row-wise group soft-thresholding of the first layer in the optimizer's metric.

    The proximal operator of ``threshold * sum_i ||W[i]||_2`` in the metric
    ``diag(D)`` zeroes row ``i`` exactly when ``||D_i * W[i]||_2 <= threshold``. With
    plain SGD ``D = 1 / lr`` and this is the usual block soft-thresholding; with Adam
    ``D = (sqrt(V) + epsilon) / lr``, the metric of Adam's step. A surviving row is
    scaled by ``1 - threshold / ||D_i * W[i]||_2``: exact when ``D`` is constant on the
    row, continuous at the zero boundary, and with the right fixed points (a row stays
    at zero exactly when the norm of its gradient is at most ``threshold``).

    Parameters
    ----------
    W : ndarray of shape (n_features, n_units)
        First-layer weights after the optimizer step (mutated in place).
    V : ndarray of shape (n_features, n_units)
        Adam's second moments (read only when ``adaptive``).
    lr : float
        Step size (Adam's bias-corrected step, or SGD's learning rate).
    epsilon : float
        Adam's epsilon.
    threshold : float
        Group-lasso strength (``alpha * l1_ratio``).
    adaptive : bool
        Use Adam's metric rather than the scalar ``1 / lr``.
    """
    n, m = W.shape
    zero = W.dtype.type(0.0)
    for i in range(n):
        norm2 = 0.0
        if adaptive:
            for k in range(m):
                d = (np.sqrt(float(V[i, k])) + epsilon) / lr
                x = d * float(W[i, k])
                norm2 += x * x
        else:
            for k in range(m):
                x = float(W[i, k]) / lr
                norm2 += x * x
        norm = np.sqrt(norm2)
        if norm <= threshold:
            for k in range(m):
                W[i, k] = zero
        else:
            scale = W.dtype.type(1.0 - threshold / norm)
            for k in range(m):
                W[i, k] = W[i, k] * scale
