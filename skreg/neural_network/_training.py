"""The epoch loop of the regularized MLP: batches, curves, early stopping.

:func:`fit_stochastic` trains an initialised network in place. It

- packs all weights and intercepts into one flat vector (weights first) and points the
  estimator's ``coefs_`` / ``intercepts_`` at views of it, so that the optimizer
  updates everything with one fused kernel call (:mod:`._optimizers`);
- preallocates every buffer once (:class:`Workspace`): the gathered batch, the
  activations and errors of each layer, the dropout draws; matrix products write into
  them with ``np.matmul(..., out=...)``;
- records, per epoch, ``loss_curve_`` (as scikit-learn: the running mean of the
  mini-batch loss, here plus the penalty at the end of the epoch),
  ``train_loss_curve_`` and ``validation_loss_curve_`` (the data loss recomputed at
  the end of the epoch with dropout off: the learning curves that show over-fitting);
- stops on ``tol`` / ``n_iter_no_change`` as scikit-learn, on the training objective, or
  with ``early_stopping`` on the validation loss, and then restores the best weights.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.base import is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from skreg.neural_network._optimizers import OPTIMIZERS

# Below this many multiply-adds per matrix product, BLAS runs single-threaded during
# training: threading small products costs more in synchronisation than it gains, and
# on a busy machine it can slow an epoch down tenfold (measured on 2 cores).
_SMALL_PRODUCT = 2**21


# Rows of the training set on which ``train_loss_curve_`` is evaluated, at most.
_TRAIN_CURVE_ROWS = 10_000
# batch_size="auto" is min(AUTO_BATCH_SIZE, n_samples), scikit-learn's MLP default.
AUTO_BATCH_SIZE = 200
# Loss evaluations without training (dropout off) run in chunks of at most EVAL_CHUNK
# rows: the workspace of a chunk stays small whatever n_samples.
EVAL_CHUNK = 2048


@functools.cache
def _threadpool_controller():
    """Return the process's threadpoolctl controller, built once (scans libraries).

    threadpoolctl limits are process-wide: while a small network trains under
    :func:`_blas_single_thread`, BLAS calls from other Python threads of the process
    run single-threaded too, and the previous limits come back when the fit ends.
    """
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _blas_single_thread():
    """Context manager limiting BLAS to one thread for the duration of a fit."""
    return _threadpool_controller().limit(limits=1, user_api="blas")


__all__ = ["Workspace", "fit_stochastic", "pack_parameters"]


def pack_parameters(est):
    """Copy ``coefs_`` and ``intercepts_`` into one flat vector and view them from it.

    Returns ``(params, n_weights)``; afterwards ``est.coefs_[i]`` and
    ``est.intercepts_[i]`` are C-contiguous views of ``params`` (weights first). Done at
    the start of every fit, so that unpickled or user-modified parameters stay valid.
    """
    dtype = est.coefs_[0].dtype
    sizes_w = [c.size for c in est.coefs_]
    sizes_b = [b.size for b in est.intercepts_]
    n_weights = int(sum(sizes_w))
    params = np.empty(n_weights + int(sum(sizes_b)), dtype=dtype)
    coefs, intercepts = [], []
    start = 0
    for c in est.coefs_:
        view = params[start : start + c.size].reshape(c.shape)
        view[...] = c
        coefs.append(view)
        start += c.size
    for b in est.intercepts_:
        view = params[start : start + b.size]
        view[...] = b
        intercepts.append(view)
        start += b.size
    est.coefs_, est.intercepts_ = coefs, intercepts
    return params, n_weights


def _flat_views(flat, est):
    """Return views of ``flat`` shaped like ``est.coefs_`` and ``est.intercepts_``."""
    coefs, intercepts = [], []
    start = 0
    for c in est.coefs_:
        coefs.append(flat[start : start + c.size].reshape(c.shape))
        start += c.size
    for b in est.intercepts_:
        intercepts.append(flat[start : start + b.size])
        start += b.size
    return coefs, intercepts


class Workspace:
    """Preallocated buffers for batches of at most ``batch_size`` rows.

    Parameters
    ----------
    layer_units : list of int
        ``[n_features, *hidden_layer_sizes, n_outputs]``.
    batch_size : int
        Largest batch.
    dtype : dtype
        Floating dtype of the network.
    rates : list of float
        Dropout rate of each layer's output, ``rates[0]`` for the inputs (the output
        layer has none).
    gather : bool
        Allocate a buffer for the input batch (needed when rows are shuffled or the
        inputs are dropped out; otherwise contiguous slices of ``X`` are used).
    """

    def __init__(self, layer_units, batch_size, dtype, rates, gather):
        B = int(batch_size)
        self.batch_size = B
        self.X = np.empty((B, layer_units[0]), dtype=dtype) if gather else None
        self.activations = [None] + [
            np.empty((B, u), dtype=dtype) for u in layer_units[1:]
        ]
        self.deltas = [np.empty((B, u), dtype=dtype) for u in layer_units[1:]]
        self.Y = np.empty((B, layer_units[-1]), dtype=dtype)
        self.sample_weight = np.ones(B, dtype=dtype)
        self.rates = [float(r) for r in rates]
        self.U = [
            np.empty((B, u), dtype=dtype) if r > 0 else None
            for u, r in zip(layer_units[:-1], self.rates, strict=True)
        ]
        self.input_zero_bias = np.zeros(layer_units[0], dtype=dtype)
        self._views = {}

    def views(self, n):
        """Buffers cut to ``n`` rows (cached: a batch loop needs at most two sizes)."""
        v = self._views.get(n)
        if v is None:
            v = {
                "X": None if self.X is None else self.X[:n],
                "activations": [None] + [a[:n] for a in self.activations[1:]],
                "deltas": [d[:n] for d in self.deltas],
                "Y": self.Y[:n],
                "sample_weight": self.sample_weight[:n],
                "U": [None if u is None else u[:n] for u in self.U],
            }
            if len(self._views) > 4:
                self._views.clear()
            self._views[n] = v
        return v

    def masks(self, v):
        """``[(U, rate), ...]`` per layer (``None`` where dropout is off)."""
        return [
            None if u is None else (u, r)
            for u, r in zip(v["U"], self.rates, strict=True)
        ]


def data_loss(est, X, Y, sample_weight, ws=None, chunk_size=EVAL_CHUNK):
    """Mean data loss of the network on ``(X, Y)`` with dropout off (no penalty).

    ``X`` and ``Y`` are C-contiguous of the network's dtype, ``Y`` 2-D (0/1 indicators
    for classifiers). Forward passes run in chunks of ``ws.batch_size`` rows through
    the preallocated buffers of the :class:`Workspace` ``ws`` (made when ``None``).
    """
    n = X.shape[0]
    if ws is None:
        units = [X.shape[1]] + [c.shape[1] for c in est.coefs_]
        ws = Workspace(
            units, min(n, chunk_size), X.dtype, [0.0] * (len(units) - 1), gather=False
        )
    size = ws.batch_size
    loss_fn = est._loss_function()
    total = 0.0
    for start in range(0, n, size):
        stop = min(start + size, n)
        v = ws.views(stop - start)
        activations = v["activations"]
        activations[0] = X[start:stop]
        est._forward_pass(activations)
        sw = v["sample_weight"] if sample_weight is None else sample_weight[start:stop]
        total += loss_fn(activations[-1], Y[start:stop], sw)
    weight = n if sample_weight is None else float(np.sum(sample_weight, dtype=float))
    return total / weight


def _split_validation(est, X, Y, sample_weight, fraction):
    """Hold out ``fraction`` of the rows (stratified for single-output classifiers)."""
    stratify = None
    if is_classifier(est) and est.n_outputs_ == 1:
        stratify = Y[:, 0]
    elif is_classifier(est) and est.out_activation_ == "softmax":
        stratify = np.argmax(Y, axis=1)
    arrays = (X, Y) if sample_weight is None else (X, Y, sample_weight)
    parts = train_test_split(
        *arrays, random_state=est._rng, test_size=fraction, stratify=stratify
    )
    X_tr, X_val, Y_tr, Y_val = parts[:4]
    sw_tr, sw_val = (None, None) if sample_weight is None else parts[4:]
    if X_val.shape[0] < 2:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' or the "
            "size of your dataset."
        )

    def contig(a):
        return a.tocsr() if sp.issparse(a) else np.ascontiguousarray(a)

    sw_tr = None if sw_tr is None else contig(sw_tr)
    sw_val = None if sw_val is None else contig(sw_val)
    return contig(X_tr), contig(Y_tr), sw_tr, contig(X_val), contig(Y_val), sw_val


def _make_optimizer(est, params, n_weights, l1_reg, l2_reg, group_reg):
    common = dict(
        learning_rate_init=est.learning_rate_init,
        l1_reg=l1_reg,
        l2_reg=l2_reg,
        group_reg=group_reg,
        weight_decay=est.weight_decay,
        dtype=params.dtype,
    )
    shape = est.coefs_[0].shape
    if est.solver == "adam":
        return OPTIMIZERS["adam"](
            params.size,
            n_weights,
            shape,
            beta_1=est.beta_1,
            beta_2=est.beta_2,
            epsilon=est.epsilon,
            **common,
        )
    return OPTIMIZERS["sgd"](
        params.size,
        n_weights,
        shape,
        momentum=est.momentum,
        nesterov=est.nesterovs_momentum,
        **common,
    )


def fit_stochastic(
    est, X, Y, sample_weight, incremental, *, curve_rows=_TRAIN_CURVE_ROWS
):
    """Train ``est`` in place; see :func:`_fit_stochastic` (BLAS threads limited)."""
    size = AUTO_BATCH_SIZE if est.batch_size == "auto" else est.batch_size
    batch = min(X.shape[0], size)
    units = [X.shape[1]] + [c.shape[1] for c in est.coefs_]
    largest = max(a * b for a, b in zip(units[:-1], units[1:], strict=True))
    if batch * largest < _SMALL_PRODUCT:
        with _blas_single_thread():
            return _fit_stochastic(est, X, Y, sample_weight, incremental, curve_rows)
    return _fit_stochastic(est, X, Y, sample_weight, incremental, curve_rows)


@dataclass
class _Data:
    """The arrays of one call of :func:`_fit_stochastic` and what follows from them.

    ``X``/``Y``/``sample_weight``: the training rows (after the validation split);
    ``X_val``/``Y_val``/``sw_val``: the held-out rows or ``None``; ``X_curve``/...:
    the rows of ``train_loss_curve_``; ``sw_total``/``sw_mean``: the sum and mean of
    the training weights (``n`` and 1 without weights).
    """

    X: object
    Y: np.ndarray
    sample_weight: np.ndarray | None
    X_val: object
    Y_val: np.ndarray | None
    sw_val: np.ndarray | None
    X_curve: object
    Y_curve: np.ndarray
    sw_curve: np.ndarray | None
    sw_total: float
    sw_mean: float


@dataclass
class _Settings:
    """The settings of the epoch loop, read once from the estimator.

    ``batch_size`` is clipped to the training rows; ``rates`` are the dropout rates of
    the inputs then of each hidden layer; ``gather``: batches are copied into the
    workspace (shuffled or input-dropped dense rows); ``early_stopping``: on the
    validation loss (never in ``partial_fit``).
    """

    batch_size: int
    rates: list
    dropout_on: bool
    sparse_X: bool
    gather: bool
    early_stopping: bool
    incremental: bool


def _optimizer(est, params, n_weights, incremental):
    """Return the optimizer: kept across ``partial_fit`` calls, else a new one."""
    l1_reg, l2_reg, group_reg = est._penalty_numbers()
    opt = getattr(est, "_optimizer", None)
    if (
        not incremental
        or opt is None
        or opt.n_params != params.size
        or opt.dtype != params.dtype
    ):
        opt = _make_optimizer(est, params, n_weights, l1_reg, l2_reg, group_reg)
        est._optimizer = opt
    else:
        opt.set_penalty(l1_reg, l2_reg, group_reg, est.weight_decay)
    return opt


def _prepare_data(est, X, Y, sample_weight, incremental, curve_rows):
    """Split off the validation rows and settle the weights and the curve rows.

    ``train_loss_curve_`` is evaluated on at most ``curve_rows`` rows.
    """
    fraction = est.validation_fraction
    if fraction is None and est.early_stopping:
        fraction = 0.1
    if fraction is not None and not incremental:
        X, Y, sample_weight, X_val, Y_val, sw_val = _split_validation(
            est, X, Y, sample_weight, fraction
        )
    else:
        X_val = Y_val = sw_val = None
    n_samples = X.shape[0]
    # Sample weights enter the gradient as sum_i s_i g_i / (n_batch * mean(s)): an
    # unbiased estimate of the gradient of the weighted mean loss of the whole data
    # (the objective), which does not depend on the batch size.
    if sample_weight is None:
        sw_total = float(n_samples)
    else:
        sw_total = float(np.sum(sample_weight, dtype=float))
        if not sw_total > 0:
            raise ValueError("sample_weight of the training set sums to zero.")
    # The training curve is evaluated on at most curve_rows evenly spaced rows,
    # as scikit-learn's HistGradientBoosting scores training data on a 10,000-row
    # subsample: a forward pass over all of a large training set costs ~40 % of an
    # epoch's matrix products, while the mean loss of 10,000 rows is accurate to about
    # 1 %. Evenly spaced rows need no random draw, so training is unchanged.
    if est.record_train_loss and n_samples > curve_rows:
        rows = np.linspace(0, n_samples - 1, curve_rows).round().astype(np.intp)
        X_curve, Y_curve = X[rows], Y[rows]
        sw_curve = None if sample_weight is None else sample_weight[rows]
    else:
        X_curve, Y_curve, sw_curve = X, Y, sample_weight
    return _Data(
        X,
        Y,
        sample_weight,
        X_val,
        Y_val,
        sw_val,
        X_curve,
        Y_curve,
        sw_curve,
        sw_total,
        sw_total / n_samples,
    )


def _settings(est, data, incremental):
    """Read the loop's settings from ``est`` (batch size clipped to the rows)."""
    n_samples = data.X.shape[0]
    if est.batch_size == "auto":
        batch_size = min(AUTO_BATCH_SIZE, n_samples)
    else:
        if est.batch_size > n_samples:
            warnings.warn(
                "Got `batch_size` larger than the number of training samples; it is "
                "clipped to the sample size.",
                UserWarning,
                stacklevel=3,
            )
        batch_size = int(np.clip(est.batch_size, 1, n_samples))
    rates = [est.input_dropout] + [est.dropout] * (len(est.coefs_) - 1)
    # A sparse X (CSR, validated upstream; input dropout is refused for it) is never
    # copied into a dense buffer: a shuffled batch is the CSR row subset X[idx].
    sparse_X = sp.issparse(data.X)
    return _Settings(
        batch_size=batch_size,
        rates=rates,
        dropout_on=any(r > 0 for r in rates),
        sparse_X=sparse_X,
        gather=(est.shuffle or est.input_dropout > 0) and not sparse_X,
        early_stopping=est.early_stopping and not incremental,
        incremental=incremental,
    )


def _batch(est, data, cfg, v, sample_idx, start, stop):
    """Rows ``start:stop`` of the epoch's order: ``(X, Y, sample_weight)`` views."""
    X, Y, sample_weight = data.X, data.Y, data.sample_weight
    if est.shuffle:
        idx = sample_idx[start:stop]
        if cfg.sparse_X:
            Xb = X[idx]
        else:
            Xb = np.take(X, idx, axis=0, out=v["X"], mode="clip")
        Yb = np.take(Y, idx, axis=0, out=v["Y"], mode="clip")
        if sample_weight is None:
            swb = v["sample_weight"]
        else:
            swb = np.take(sample_weight, idx, out=v["sample_weight"], mode="clip")
        return Xb, Yb, swb
    if cfg.gather:
        Xb = v["X"]
        Xb[...] = X[start:stop]
    else:
        Xb = X[start:stop]
    swb = v["sample_weight"] if sample_weight is None else sample_weight[start:stop]
    return Xb, Y[start:stop], swb


def _dropout_masks(ws, v, drng):
    """Draw this batch's dropout masks into the workspace; return them."""
    for u in v["U"]:
        if u is None:
            continue
        if u.dtype == np.float64:
            drng.random(out=u)
        else:
            # float64 draws whatever the dtype: float32 draws consume the stream
            # differently, and a float32 fit would drop other units than the float64
            # fit of the same random_state (found by tests/test_fuzz_mlp.py).
            u[...] = drng.random(u.shape)
    masks = ws.masks(v)
    if masks[0] is not None:
        masks[0] = (*masks[0], ws.input_zero_bias)
    return masks


def _run_epoch(est, data, cfg, ws, opt, params, grads, sample_idx, drng, loss_fn):
    """One pass over the training rows; return the summed weighted batch loss."""
    coef_grads_flat, coef_grads, intercept_grads = grads
    n_samples = data.X.shape[0]
    if est.shuffle:
        est._rng.shuffle(sample_idx)
    accumulated = 0.0
    for start in range(0, n_samples, cfg.batch_size):
        stop = min(start + cfg.batch_size, n_samples)
        nb = stop - start
        v = ws.views(nb)
        activations = v["activations"]
        Xb, Yb, swb = _batch(est, data, cfg, v, sample_idx, start, stop)
        activations[0] = Xb
        masks = _dropout_masks(ws, v, drng) if cfg.dropout_on else None
        accumulated += est._backprop(
            Yb,
            swb,
            1.0 / (nb * data.sw_mean),
            activations,
            v["deltas"],
            coef_grads,
            intercept_grads,
            masks,
            loss_fn,
        )
        opt.update_params(params, coef_grads_flat)
    return accumulated


def _record_epoch(est, data, accumulated, eval_ws):
    """Append this epoch's curves; return the validation loss (``None`` without)."""
    est.n_iter_ += 1
    est.t_ += data.X.shape[0]
    est.loss_ = accumulated / data.sw_total + est._penalty_value()
    est.loss_curve_.append(est.loss_)
    if est.record_train_loss:
        est.train_loss_curve_.append(
            data_loss(est, data.X_curve, data.Y_curve, data.sw_curve, eval_ws)
        )
    val_loss = None
    if data.X_val is not None:
        val_loss = data_loss(est, data.X_val, data.Y_val, data.sw_val, eval_ws)
        est.validation_loss_curve_.append(val_loss)
    if est.verbose:
        msg = f"Iteration {est.n_iter_}, loss = {est.loss_:.8f}"
        if val_loss is not None:
            msg += f", validation loss = {val_loss:.8f}"
        print(msg)
    return val_loss


def _count_no_improvement(est, loss, best):
    """Update the patience count on ``loss`` against ``best``; return the new best."""
    if not loss < best - est.tol:
        est._no_improvement_count += 1
    else:
        est._no_improvement_count = 0
    return loss if loss < best else best


def _fit_stochastic(est, X, Y, sample_weight, incremental, curve_rows):
    """Train ``est`` (initialised: ``coefs_``, ``intercepts_``, curves) on ``(X, Y)``.

    ``X`` is C-contiguous of the network's dtype, ``Y`` 2-D of the same dtype (0/1
    indicators for classifiers), ``sample_weight`` ``None`` or a contiguous array.
    ``incremental`` (``partial_fit``): one epoch, and the optimizer state is kept.
    ``curve_rows``: most rows ``train_loss_curve_`` is evaluated on
    (``_TRAIN_CURVE_ROWS`` by default).
    """
    params, n_weights = pack_parameters(est)
    opt = _optimizer(est, params, n_weights, incremental)
    data = _prepare_data(est, X, Y, sample_weight, incremental, curve_rows)
    cfg = _settings(est, data, incremental)
    n_samples = data.X.shape[0]

    units = [data.X.shape[1]] + [c.shape[1] for c in est.coefs_]
    ws = Workspace(units, cfg.batch_size, data.X.dtype, cfg.rates, cfg.gather)
    eval_ws = None
    if est.record_train_loss or data.X_val is not None:
        n_eval = max(n_samples, 0 if data.X_val is None else data.X_val.shape[0])
        eval_ws = Workspace(
            units, min(n_eval, EVAL_CHUNK), data.X.dtype, [0.0] * len(cfg.rates), False
        )
    if cfg.dropout_on and (
        not incremental or getattr(est, "_dropout_rng", None) is None
    ):
        est._dropout_rng = np.random.default_rng(
            est._rng.randint(np.iinfo(np.int32).max)
        )
    drng = getattr(est, "_dropout_rng", None)

    # As scikit-learn, each epoch shuffles the previous permutation in place;
    # partial_fit carries the permutation over, so that k calls equal k epochs of fit.
    sample_idx = getattr(est, "_sample_idx", None) if incremental else None
    if sample_idx is None or sample_idx.shape[0] != n_samples:
        sample_idx = np.arange(n_samples, dtype=np.intp)
    coef_grads_flat = np.empty_like(params)
    grads = (coef_grads_flat, *_flat_views(coef_grads_flat, est))
    loss_fn = est._loss_function()

    n_before = len(est.loss_curve_)
    best_val = np.inf
    best_params = params.copy() if cfg.early_stopping else None
    if cfg.early_stopping:
        # Overwritten at the first improvement (stays put if the loss is never finite).
        est.best_epoch_ = len(est.validation_loss_curve_)
    if not incremental:
        est._no_improvement_count = 0
    est.n_iter_ = 0
    for _ in range(est.max_iter):
        accumulated = _run_epoch(
            est, data, cfg, ws, opt, params, grads, sample_idx, drng, loss_fn
        )
        val_loss = _record_epoch(est, data, accumulated, eval_ws)
        if cfg.early_stopping:
            if val_loss < best_val:
                best_params[...] = params
                est.best_epoch_ = len(est.validation_loss_curve_) - 1
            best_val = _count_no_improvement(est, val_loss, best_val)
        else:
            est.best_loss_ = _count_no_improvement(
                est, est.loss_curve_[-1], est.best_loss_
            )
        if est._no_improvement_count > est.n_iter_no_change:
            if est.verbose:
                what = "Validation loss" if cfg.early_stopping else "Training loss"
                print(
                    f"{what} did not improve more than tol={est.tol:f} for "
                    f"{est.n_iter_no_change} consecutive epochs. Stopping."
                )
            break
        if incremental:
            break
        if est.n_iter_ == est.max_iter:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({est.max_iter}) reached "
                "and the optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=2,
            )
    _finish(est, data, cfg, params, best_params, best_val, sample_idx, n_before)


def _finish(est, data, cfg, params, best_params, best_val, sample_idx, n_before):
    """Restore the best weights, set ``best_epoch_``, detach the parameters."""
    if cfg.incremental and est.shuffle:
        est._sample_idx = sample_idx
    if cfg.early_stopping:
        params[...] = best_params
        est.best_validation_loss_ = float(best_val)
    elif est.validation_loss_curve_ is not None and len(est.validation_loss_curve_):
        est.best_validation_loss_ = float(np.min(est.validation_loss_curve_))
    if not cfg.early_stopping:
        curve = (
            est.validation_loss_curve_
            if data.X_val is not None
            else est.train_loss_curve_
            if est.record_train_loss
            else est.loss_curve_
        )
        if len(curve) > n_before or not hasattr(est, "best_epoch_"):
            est.best_epoch_ = int(np.argmin(curve)) if len(curve) else 0
    # Detach the parameters from the flat training buffer (plain arrays to the user).
    est.coefs_ = [c.copy() for c in est.coefs_]
    est.intercepts_ = [b.copy() for b in est.intercepts_]
