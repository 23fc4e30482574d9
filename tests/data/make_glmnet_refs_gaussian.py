"""Generate ``glmnet_refs_gaussian.npz``: R glmnet fits with penalty factors and bounds.

Run from the repository root (needs ``Rscript`` with glmnet 4.1-6 and Matrix)::

    python tests/data/make_glmnet_refs_gaussian.py

Small seeded problems (dense and sparse, intercept fitted) are written as CSV to a
temporary directory, fitted by ``make_glmnet_refs_gaussian.R`` with
``standardize=FALSE, thresh=1e-14`` along glmnet's own lambda grid, and stored with
their inputs. Keys are ``<case>/<field>``: ``X`` (dense) or ``X_data``,
``X_indices``, ``X_indptr``, ``X_shape`` (CSC), ``y``, ``penalty_factor``,
``lower``, ``upper``, ``l1_ratio`` (glmnet's ``alpha``), ``lambdas``, ``coef``
(n_features x n_lambda) and ``intercept`` (n_lambda,).
"""

import pathlib
import subprocess
import tempfile

import numpy as np
import scipy.sparse as sp

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE / "glmnet_refs_gaussian.npz"

N_SAMPLES, N_FEATURES, N_LAMBDA = 40, 12, 12
PF = np.array([0.0, 1, 1, 0.5, 2, 1, 1, 0, 1, 3, 1, 1])
LOWER = np.array([-np.inf, -0.5, -0.5, -np.inf, 0, -0.3, -np.inf, -1, 0, -0.5, -2, 0])
UPPER = np.array([np.inf, 0.4, np.inf, 0.0, np.inf, 0.3, 1, np.inf, 0.6, 0, 2, 0.2])
NONE_LO = np.full(N_FEATURES, -np.inf)
NONE_HI = np.full(N_FEATURES, np.inf)
ONES = np.ones(N_FEATURES)

# name: (sparse, l1_ratio, penalty factor, lower, upper)
CASES = {
    "pf_enet": (False, 0.5, PF, NONE_LO, NONE_HI),
    "pf_lasso": (False, 1.0, PF, NONE_LO, NONE_HI),
    "box_lasso": (False, 1.0, ONES, LOWER, UPPER),
    "pf_box_enet": (False, 0.7, PF, LOWER, UPPER),
    "positive_lasso": (False, 1.0, ONES, np.zeros(N_FEATURES), NONE_HI),
    "pf_enet_sparse": (True, 0.5, PF, NONE_LO, NONE_HI),
    "pf_lasso_sparse": (True, 1.0, PF, NONE_LO, NONE_HI),
    "pf_box_enet_sparse": (True, 0.7, PF, LOWER, UPPER),
}


def make_problem(seed, sparse):
    """Correlated columns of unequal scales; a sparse signal plus noise."""
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((N_SAMPLES, N_FEATURES))
    X = Z + 0.5 * Z[:, [0]] + 0.3 * np.roll(Z, 1, axis=1)
    X *= rng.uniform(0.5, 2.0, N_FEATURES)
    if sparse:
        X = sp.random(
            N_SAMPLES, N_FEATURES, density=0.35, random_state=seed, format="csc"
        )
        X.data = rng.uniform(-2.0, 2.0, X.data.shape[0]) + 0.5
    coef = np.zeros(N_FEATURES)
    coef[[0, 1, 3, 4, 7, 9]] = [1.5, -2.0, 1.0, 0.8, -1.2, 0.7]
    y = np.asarray(X @ coef).ravel() + 0.5 * rng.standard_normal(N_SAMPLES) + 3.0
    return X, y


def _write(path, values):
    np.savetxt(path, np.asarray(values, dtype=np.float64), delimiter=",", fmt="%.17g")


def main():
    store = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        rows = ["name,sparse,alpha,nlambda"]
        problems = {}
        for seed, (name, (sparse, l1_ratio, pf, lo, hi)) in enumerate(CASES.items()):
            X, y = make_problem(seed, sparse)
            problems[name] = (X, y)
            d = root / name
            d.mkdir()
            if sparse:
                coo = X.tocoo()
                _write(d / "Xi.csv", coo.row + 1)
                _write(d / "Xj.csv", coo.col + 1)
                _write(d / "Xx.csv", coo.data)
            else:
                _write(d / "X.csv", X)
            _write(d / "y.csv", y)
            _write(d / "pf.csv", pf)
            # R reads "inf" / "-inf" as Inf / -Inf.
            _write(d / "lower.csv", lo)
            _write(d / "upper.csv", hi)
            rows.append(f"{name},{int(sparse)},{l1_ratio!r},{N_LAMBDA}")
        (root / "cases.csv").write_text("\n".join(rows) + "\n")
        subprocess.run(
            ["Rscript", str(HERE / "make_glmnet_refs_gaussian.R"), str(root)],
            check=True,
        )
        for name, (sparse, l1_ratio, pf, lo, hi) in CASES.items():
            X, y = problems[name]
            d = root / name
            coef = np.loadtxt(d / "coef.csv", delimiter=",", ndmin=2)
            lambdas = np.loadtxt(d / "lambda.csv", delimiter=",", ndmin=1)
            if sparse:
                store[f"{name}/X_data"] = X.data
                store[f"{name}/X_indices"] = X.indices
                store[f"{name}/X_indptr"] = X.indptr
                store[f"{name}/X_shape"] = np.array(X.shape)
            else:
                store[f"{name}/X"] = X
            store[f"{name}/y"] = y
            store[f"{name}/penalty_factor"] = pf
            store[f"{name}/lower"] = lo
            store[f"{name}/upper"] = hi
            store[f"{name}/l1_ratio"] = np.array(l1_ratio)
            store[f"{name}/lambdas"] = lambdas
            store[f"{name}/intercept"] = coef[0]
            store[f"{name}/coef"] = coef[1:]
    np.savez_compressed(OUT, **store)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(CASES)} cases)")


if __name__ == "__main__":
    main()
