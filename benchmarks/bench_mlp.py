"""Time per epoch: skreg's RegularizedMLPRegressor vs scikit-learn's MLPRegressor.

Both libraries train the same network in the same process, one thread each (the
``*_NUM_THREADS`` variables are pinned before NumPy is imported): n = 50 000 samples,
100 features, hidden layers (256, 128), ReLU, Adam, batch 256, the same L2 objective
(skreg ``alpha`` = scikit-learn ``alpha / batch_size``), in float64 and float32.

A "matmul floor" row times the bare matrix products of one epoch (three forward, five
backward, preallocated buffers), the cost that no implementation can avoid. Reported
per library and dtype: seconds per epoch (median over ``--repeats`` runs of
``--epochs`` epochs, libraries interleaved, after a warm-up run that also compiles
skreg's kernels), the ratio skreg / scikit-learn in the same dtype, the ratio to
scikit-learn in float64, and the test R^2 of each model. skreg is timed twice: with the
default ``record_train_loss=True`` (one extra forward pass over the training set per
epoch, for ``train_loss_curve_``) and with ``record_train_loss=False``, the work that
scikit-learn does per epoch.

``--compile-time`` instead times the first ``fit`` of a small network (float64, then
float32) in fresh subprocesses, with an empty ``NUMBA_CACHE_DIR`` (cold: compiles every
kernel and writes the cache) and then with the cache just written (warm: loads it).

Run::

    python benchmarks/bench_mlp.py [--epochs 5] [--repeats 5] [--csv out.csv]
    python benchmarks/bench_mlp.py --compile-time
"""

import os

for _var in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMBA_NUM_THREADS",
):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.datasets import make_friedman1  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.metrics import r2_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPRegressor  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skreg.neural_network import RegularizedMLPRegressor  # noqa: E402

N_SAMPLES, N_FEATURES, HIDDEN, BATCH = 50_000, 100, (256, 128), 256
ALPHA = 1e-6  # skreg's full-data alpha; scikit-learn's is ALPHA * BATCH


def make_data(dtype, seed=0):
    X, y = make_friedman1(
        n_samples=int(N_SAMPLES / 0.8),
        n_features=N_FEATURES,
        noise=1.0,
        random_state=seed,
    )
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=seed)
    scaler = StandardScaler().fit(X_tr)
    y_mean, y_std = y_tr.mean(), y_tr.std()
    X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)
    y_tr, y_te = (y_tr - y_mean) / y_std, (y_te - y_mean) / y_std
    return (
        np.ascontiguousarray(X_tr, dtype=dtype),
        np.ascontiguousarray(X_te, dtype=dtype),
        y_tr.astype(dtype),
        y_te.astype(dtype),
    )


def make_estimator(library, epochs, record_train_loss=True):
    common = dict(
        hidden_layer_sizes=HIDDEN,
        batch_size=BATCH,
        learning_rate_init=1e-3,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs + 1,
        random_state=0,
    )
    if library == "sklearn":
        return MLPRegressor(alpha=ALPHA * BATCH, **common)
    return RegularizedMLPRegressor(
        alpha=ALPHA, record_train_loss=record_train_loss, **common
    )


def time_matmul_floor(X):
    """Seconds for the bare matrix products of one epoch (3 forward, 5 backward)."""
    dtype = X.dtype
    rng = np.random.default_rng(0)
    units = [X.shape[1], *HIDDEN, 1]
    W = [
        rng.standard_normal((a, b)).astype(dtype)
        for a, b in zip(units[:-1], units[1:], strict=True)
    ]
    A = [None] + [np.empty((BATCH, u), dtype) for u in units[1:]]
    D = [np.empty((BATCH, u), dtype) for u in units[1:]]
    G = [np.empty_like(w) for w in W]
    tic = time.perf_counter()
    for start in range(0, X.shape[0] - BATCH + 1, BATCH):
        A[0] = X[start : start + BATCH]
        for i, w in enumerate(W):
            np.matmul(A[i], w, out=A[i + 1])
        D[-1][...] = A[-1]
        for i in range(len(W) - 1, -1, -1):
            np.matmul(A[i].T, D[i], out=G[i])
            if i > 0:
                np.matmul(D[i], W[i].T, out=D[i - 1])
    return (time.perf_counter() - tic) * X.shape[0] / (X.shape[0] // BATCH * BATCH)


def time_fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        tic = time.perf_counter()
        est.fit(X, y)
        elapsed = time.perf_counter() - tic
    return elapsed / est.n_iter_


_FIRST_FIT = """
import time
import numpy as np
tic = time.perf_counter()
from skreg.neural_network import RegularizedMLPClassifier, RegularizedMLPRegressor
t_import = time.perf_counter() - tic
rng = np.random.RandomState(0)
X = rng.standard_normal((200, 10))
y = X[:, 0] + rng.standard_normal(200)
out = [t_import]
for dtype in (np.float64, np.float32):
    tic = time.perf_counter()
    RegularizedMLPRegressor((16,), max_iter=2, alpha=1e-3, l1_ratio=0.5, dropout=0.1,
                            tol=1e9).fit(X.astype(dtype), y)
    RegularizedMLPClassifier((16,), max_iter=2, tol=1e9).fit(X.astype(dtype), y > 0)
    out.append(time.perf_counter() - tic)
print(" ".join(f"{t:.3f}" for t in out))
"""


def compile_time():
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        for label in ("cold", "warm"):
            out = subprocess.run(
                [sys.executable, "-c", _FIRST_FIT],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            t_import, t64, t32 = (float(t) for t in out)
            print(
                f"{label}: import {t_import:.2f} s, first fit float64 {t64:.2f} s, "
                f"then float32 {t32:.2f} s (regressor + classifier)"
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--csv", default=None)
    parser.add_argument("--compile-time", action="store_true")
    args = parser.parse_args()
    if args.compile_time:
        compile_time()
        return

    rows = []
    for dtype in (np.float64, np.float32):
        X_tr, X_te, y_tr, y_te = make_data(dtype)
        # Warm-up: compiles (or loads from cache) skreg's kernels for this dtype.
        time_fit(make_estimator("skreg", 1), X_tr[:2000], y_tr[:2000])
        configs = [
            ("matmul floor", None, False),
            ("sklearn", "sklearn", True),
            ("skreg", "skreg", False),
            ("skreg+train_curve", "skreg", True),
        ]
        # Round-robin over the libraries, so that a busy machine slows all alike.
        times = {label: [] for label, _, _ in configs}
        r2 = {}
        for _ in range(args.repeats):
            for label, library, record in configs:
                if library is None:
                    times[label].append(time_matmul_floor(X_tr))
                    r2[label] = np.nan
                    continue
                est = make_estimator(library, args.epochs, record)
                times[label].append(time_fit(est, X_tr, y_tr))
                r2[label] = r2_score(y_te, est.predict(X_te))
        for label, _, _ in configs:
            rows.append(
                dict(
                    dtype=np.dtype(dtype).name,
                    library=label,
                    s_per_epoch=float(np.min(times[label])),
                    test_r2=float(r2[label]),
                )
            )
            print(
                f"{np.dtype(dtype).name:8s} {label:18s} "
                f"{rows[-1]['s_per_epoch']:.4f} s/epoch  R^2 {r2[label]:.4f}  "
                f"(runs: {', '.join(f'{t:.3f}' for t in times[label])})",
                flush=True,
            )

    ref64 = next(
        r["s_per_epoch"]
        for r in rows
        if r["dtype"] == "float64" and r["library"] == "sklearn"
    )
    print()
    print(
        f"{'dtype':8s} {'library':18s} {'s/epoch':>9s} {'ratio':>7s} "
        f"{'vs sk f64':>9s} {'test R^2':>9s}"
    )
    for row in rows:
        ref = next(
            r for r in rows if r["dtype"] == row["dtype"] and r["library"] == "sklearn"
        )
        ratio = row["s_per_epoch"] / ref["s_per_epoch"]
        row["ratio_vs_sklearn"] = ratio
        row["ratio_vs_sklearn_float64"] = row["s_per_epoch"] / ref64
        row["r2_minus_sklearn"] = row["test_r2"] - ref["test_r2"]
        print(
            f"{row['dtype']:8s} {row['library']:18s} {row['s_per_epoch']:9.4f} "
            f"{ratio:7.3f} {row['ratio_vs_sklearn_float64']:9.3f} {row['test_r2']:9.4f}"
        )
    if args.csv:
        import csv

        with open(args.csv, "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


if __name__ == "__main__":
    main()
