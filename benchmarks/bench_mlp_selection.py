"""Input selection by the MLP path (issue 25): RegularizedMLP*CV on wide noisy problems.

Three designs, each with 10 informative inputs among 500 independent standard normal
ones, n = 1 200 training + 300 validation rows (the estimators receive the 1 500 rows
and hold out ``validation_fraction=0.2`` themselves) and 500 test rows:

- ``additive``: ``y = sum_j g_j(x_j) + noise``, ten standardized non-linear effects
  (linear, tanh, sin, square, ReLU, exp, abs, cube...), SNR 4 (noise-free test R^2
  ceiling 0.80);
- ``interactions``: five pairwise products ``x_{2i} x_{2i+1}`` plus five non-linear
  main effects, SNR 4;
- ``classification``: the additive signal, label ``1[f + noise > median]`` at SNR 4
  (the score is the test accuracy; its ceiling is the accuracy of ``1[f > median]``).

For each design and estimator setting: the inputs kept, how many of the 10 informative
ones, the test score, and the wall and CPU times of the whole ``fit`` (path + scoring +
relaxed refit) on one thread (the CPU time is the one to read on a loaded machine).
Two references from the same run: an "oracle" network of the same size trained on the
10 informative inputs only (early stopping on the same validation split), and the same
network on all 500 inputs.

LassoNet (``lassonet``, torch, CPU) runs beside it when importable: its path with its
defaults except ``hidden_dims=(64,)``, on an 80/20 split of the same 1 500 rows, and
the point of best validation loss (timed: the path; it is LassoNet's own model
selection, without refit); otherwise its rows say "not installed".

Run::

    python benchmarks/bench_mlp_selection.py [--seeds 0 1] [--no-kfold] [--csv out.csv]
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
import csv  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.metrics import accuracy_score, r2_score  # noqa: E402

from skreg.neural_network import (  # noqa: E402
    RegularizedMLPClassifier,
    RegularizedMLPClassifierCV,
    RegularizedMLPRegressor,
    RegularizedMLPRegressorCV,
)

N_TRAIN, N_VAL, N_TEST, N_FEATURES, N_INFORMATIVE, SNR = 1200, 300, 500, 500, 10, 4.0


def _standardize(g):
    return (g - g.mean()) / g.std()


def _signal(design, X):
    x = [X[:, j] for j in range(N_INFORMATIVE)]
    if design == "interactions":
        terms = [x[2 * i] * x[2 * i + 1] for i in range(5)] + [
            x[0],
            np.tanh(2 * x[2]),
            x[4] ** 2,
            np.sin(x[6]),
            np.abs(x[8]),
        ]
    else:
        terms = [
            x[0],
            -x[1],
            np.tanh(2 * x[2]),
            np.sin(x[3]),
            x[4] ** 2,
            np.maximum(x[5], 0),
            np.exp(x[6] / 2),
            np.abs(x[7]),
            x[8] ** 3,
            np.sin(x[9]) + x[9] / 2,
        ]
    return sum(_standardize(t) for t in terms)


def make_problem(design, seed):
    """Return ``X_fit, y_fit, X_test, y_test, ceiling`` (fit = train + validation)."""
    rng = np.random.default_rng(seed)
    n = N_TRAIN + N_VAL + N_TEST
    X = rng.standard_normal((n, N_FEATURES))
    f = _signal(design, X)
    noise = rng.standard_normal(n) * np.sqrt(f.var() / SNR)
    y = f + noise
    n_fit = N_TRAIN + N_VAL
    if design == "classification":
        threshold = np.median(y[:n_fit])
        labels = (y > threshold).astype(int)
        ceiling = accuracy_score(labels[n_fit:], (f[n_fit:] > threshold).astype(int))
        return X[:n_fit], labels[:n_fit], X[n_fit:], labels[n_fit:], ceiling
    ceiling = r2_score(y[n_fit:], f[n_fit:] - f[:n_fit].mean() + y[:n_fit].mean())
    return X[:n_fit], y[:n_fit], X[n_fit:], y[n_fit:], ceiling


def _score(design, y, y_pred):
    if design == "classification":
        return accuracy_score(y, y_pred)
    return r2_score(y, y_pred)


def _missed(support):
    return " ".join(str(j) for j in np.flatnonzero(~support[:N_INFORMATIVE]))


def run_cv(design, X, y, X_test, y_test, **params):
    cls = (
        RegularizedMLPClassifierCV
        if design == "classification"
        else (RegularizedMLPRegressorCV)
    )
    est = cls(random_state=0, **params)
    t0, c0 = time.perf_counter(), time.process_time()
    est.fit(X, y)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "kept": est.n_features_selected_,
        "informative": int(est.support_[:N_INFORMATIVE].sum()),
        "missed": _missed(est.support_),
        "score": _score(design, y_test, est.predict(X_test)),
        "seconds": seconds,
        "cpu": cpu,
        "alpha": est.alpha_,
        "epochs": est.n_iter_,
    }


def run_network(design, X, y, X_test, y_test, columns, hidden=(64,)):
    """A network of the default size on ``columns``, early-stopped on 20 % held out."""
    cls = (
        RegularizedMLPClassifier
        if design == "classification"
        else (RegularizedMLPRegressor)
    )
    est = cls(
        hidden,
        alpha=1e-3,
        learning_rate_init=3e-3,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=20,
        max_iter=1000,
        random_state=0,
    )
    t0, c0 = time.perf_counter(), time.process_time()
    if design != "classification":
        mean, scale = y.mean(), y.std()
        est.fit(X[:, columns], (y - mean) / scale)
        pred = est.predict(X_test[:, columns]) * scale + mean
    else:
        est.fit(X[:, columns], y)
        pred = est.predict(X_test[:, columns])
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "kept": len(columns),
        "informative": int(np.sum(np.asarray(columns) < N_INFORMATIVE)),
        "missed": "",
        "score": _score(design, y_test, pred),
        "seconds": seconds,
        "cpu": cpu,
        "alpha": np.nan,
        "epochs": est.n_iter_,
    }


def run_lassonet(design, X, y, X_test, y_test):
    """LassoNet's path on a 80/20 split of the fit rows; the best validation point."""
    try:
        import torch
        from lassonet import LassoNetClassifier, LassoNetRegressor
    except ImportError:
        return None
    from sklearn.model_selection import train_test_split

    torch.set_num_threads(1)
    classification = design == "classification"
    cls = LassoNetClassifier if classification else LassoNetRegressor
    est = cls(hidden_dims=(64,), random_state=0, torch_seed=0, verbose=0)
    mean, scale = (0.0, 1.0) if classification else (y.mean(), y.std())
    target = y if classification else (y - mean) / scale
    X_tr, X_val, y_tr, y_val = train_test_split(
        X, target, test_size=0.2, random_state=0
    )
    t0, c0 = time.perf_counter(), time.process_time()
    path = est.path(X_tr, y_tr, X_val=X_val, y_val=y_val, return_state_dicts=True)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    best = min(path, key=lambda item: item.val_loss)
    est.load(best.state_dict)
    support = best.selected.numpy().astype(bool)
    pred = np.asarray(est.predict(X_test)).ravel()
    if not classification:
        pred = pred * scale + mean
    return {
        "kept": int(support.sum()),
        "informative": int(support[:N_INFORMATIVE].sum()),
        "missed": _missed(support),
        "score": _score(design, y_test, pred),
        "seconds": seconds,
        "cpu": cpu,
        "alpha": float(best.lambda_),
        "epochs": int(sum(item.n_iters for item in path)),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument(
        "--designs",
        nargs="+",
        default=["additive", "interactions", "classification"],
    )
    parser.add_argument("--csv", default=None)
    parser.add_argument(
        "--no-kfold", action="store_true", help="skip the 5-fold setting (slow)"
    )
    args = parser.parse_args()

    # Warm-up: compiles (or loads) the kernels outside the timings.
    X, y, _, _, _ = make_problem("additive", 99)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        RegularizedMLPRegressorCV((8,), n_alphas=3, max_iter=5).fit(X[:200], y[:200])
        RegularizedMLPClassifierCV((8,), n_alphas=3, max_iter=5).fit(
            X[:200], (y[:200] > 0).astype(int)
        )

    settings = {
        "CV 1se (default)": {},
        "CV min": {"selection": "min"},
        "CV 1se, no pruning": {"prune": None},
        "CV 1se, 5-fold": {"cv": 5},
    }
    if args.no_kfold:
        del settings["CV 1se, 5-fold"]
    rows = []
    header = (
        f"{'design':<15}{'seed':>5}  {'method':<22}{'kept':>6}{'inf':>5}"
        f"{'score':>8}{'seconds':>9}{'cpu':>7}{'epochs':>8}  missed informative"
    )
    print(header)
    for design in args.designs:
        for seed in args.seeds:
            X, y, X_test, y_test, ceiling = make_problem(design, seed)
            results = {}
            for name, params in settings.items():
                results[name] = run_cv(design, X, y, X_test, y_test, **params)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                results["oracle (10 true inputs)"] = run_network(
                    design, X, y, X_test, y_test, list(range(N_INFORMATIVE))
                )
                results["all 500 inputs"] = run_network(
                    design, X, y, X_test, y_test, list(range(N_FEATURES))
                )
            lassonet = run_lassonet(design, X, y, X_test, y_test)
            if lassonet is not None:
                results["LassoNet path, best val"] = lassonet
            results["noise-free ceiling"] = {
                "kept": N_INFORMATIVE,
                "informative": N_INFORMATIVE,
                "missed": "",
                "score": ceiling,
                "seconds": np.nan,
                "cpu": np.nan,
                "alpha": np.nan,
                "epochs": np.nan,
            }
            for name, r in results.items():
                print(
                    f"{design:<15}{seed:>5}  {name:<22}{r['kept']:>6}"
                    f"{r['informative']:>5}{r['score']:>8.3f}{r['seconds']:>9.2f}"
                    f"{r['cpu']:>7.2f}"
                    f"{r['epochs']:>8}  {r['missed']}"
                )
                rows.append({"design": design, "seed": seed, "method": name, **r})
            if lassonet is None:
                print(f"{design:<15}{seed:>5}  LassoNet: not installed")
    if args.csv:
        with open(args.csv, "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


if __name__ == "__main__":
    main()
