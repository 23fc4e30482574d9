"""One same-signature adapter per library for the linear-model benchmarks.

Every library exposes two functions:

``fit(X, y, alpha, l1_ratio, fit_intercept, tol) -> (coef, intercept)``
    one elastic-net fit at ``alpha``;
``fit_path(X, y, alphas, l1_ratio, fit_intercept, tol) -> (coefs, intercepts)``
    the regularization path at the decreasing ``alphas``, ``coefs`` of shape
    ``(n_alphas, n_features)`` and ``intercepts`` of shape ``(n_alphas,)``.

All of them target scikit-learn's objective

    1 / (2 n) ||y - X w - b||^2 + alpha * l1_ratio * ||w||_1
        + alpha * (1 - l1_ratio) / 2 * ||w||^2;

where a library parametrizes it differently, the adapter maps the parameters (see
the glmnet and adelie adapters) and ``run.py --check`` verifies that each adapter
reaches the common optimum at a tight tolerance. ``tol`` is passed to each
library's own stopping criterion, whose meaning differs between libraries: the
runner therefore sweeps it and measures suboptimality itself.

Adapters include each library's own input validation and conversions in the
timed call (that is what a user pays), but never data preparation a user would
not do. Convergence warnings are silenced: the runner measures the objective.
A library that is not installed is skipped with the import error as the reason.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = ["LIBRARIES", "Library", "select_libraries"]

# Iteration caps high enough that ``tol`` is what stops every solver.
MAX_EPOCHS = 100_000
MAX_OUTER = 1_000


def _warm_path(make_estimator: Callable, X, y, alphas, fit_intercept: bool):
    """Path by warm-started fits of an estimator made by ``make_estimator(alpha)``."""
    est = make_estimator(alphas[0])
    coefs = np.empty((len(alphas), X.shape[1]))
    intercepts = np.empty(len(alphas))
    for k, alpha in enumerate(alphas):
        est.set_params(alpha=alpha)
        est.fit(X, y)
        coefs[k] = np.ravel(est.coef_)
        intercepts[k] = float(np.ravel(est.intercept_)[0]) if fit_intercept else 0.0
    return coefs, intercepts


def _lasso_or_enet(
    module: str, alpha, l1_ratio, fit_intercept, tol, max_iter, warm_start=False
):
    """``module.Lasso`` at ``l1_ratio=1`` (some libraries' Lasso is faster), else
    ``module.ElasticNet``, with the parameters the four estimator libraries share."""
    mod = importlib.import_module(module)
    params = dict(
        alpha=alpha,
        fit_intercept=fit_intercept,
        tol=tol,
        max_iter=max_iter,
        warm_start=warm_start,
    )
    if l1_ratio == 1.0:
        return mod.Lasso(**params)
    return mod.ElasticNet(l1_ratio=l1_ratio, **params)


def _estimator_fit(make_estimator: Callable, X, y, alpha, l1_ratio, fit_intercept, tol):
    """One fit of ``make_estimator(alpha, l1_ratio, fit_intercept, tol)``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = make_estimator(alpha, l1_ratio, fit_intercept, tol).fit(X, y)
    return np.ravel(est.coef_), float(np.ravel(est.intercept_)[0])


# ---------------------------------------------------------------------- skreg
def _skreg_estimator(alpha, l1_ratio, fit_intercept, tol, warm_start=False):
    return _lasso_or_enet(
        "skreg", alpha, l1_ratio, fit_intercept, tol, MAX_EPOCHS, warm_start
    )


def skreg_fit(X, y, alpha, l1_ratio, fit_intercept, tol):
    return _estimator_fit(_skreg_estimator, X, y, alpha, l1_ratio, fit_intercept, tol)


def skreg_fit_path(X, y, alphas, l1_ratio, fit_intercept, tol):
    import skreg

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if hasattr(skreg, "enet_path"):
            out = skreg.enet_path(
                X,
                y,
                l1_ratio=l1_ratio,
                alphas=alphas,
                fit_intercept=fit_intercept,
                # Paths are swept on skreg's relative criterion (``rel_tol``, each
                # point certified to that relative suboptimality), the knob a path
                # user turns: scikit-learn's absolute ``tol`` over-solves the large
                # alphas to reach the small ones.
                tol=None,
                rel_tol=tol,
                max_iter=MAX_EPOCHS,
            )
            coefs = np.asarray(out[1]).T
            intercepts = np.asarray(out[-1]) if fit_intercept else np.zeros(len(alphas))
            return coefs, intercepts
        return _warm_path(
            lambda a: _skreg_estimator(a, l1_ratio, fit_intercept, tol, True),
            X,
            y,
            alphas,
            fit_intercept,
        )


# -------------------------------------------------------------------- sklearn
def _sklearn_estimator(alpha, l1_ratio, fit_intercept, tol, warm_start=False):
    return _lasso_or_enet(
        "sklearn.linear_model",
        alpha,
        l1_ratio,
        fit_intercept,
        tol,
        MAX_EPOCHS,
        warm_start,
    )


def sklearn_fit(X, y, alpha, l1_ratio, fit_intercept, tol):
    return _estimator_fit(_sklearn_estimator, X, y, alpha, l1_ratio, fit_intercept, tol)


def sklearn_fit_path(X, y, alphas, l1_ratio, fit_intercept, tol):
    """``sklearn.linear_model.enet_path`` on centred data, intercepts recovered.

    ``enet_path`` fits no intercept, so dense data are centred here (part of the
    timed call, as a user of ``enet_path`` has to do it); sparse data, which
    cannot be centred without densifying, go through warm-started ``ElasticNet``.
    """
    from sklearn.linear_model import enet_path

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if sp.issparse(X):
            return _warm_path(
                lambda a: _sklearn_estimator(a, l1_ratio, fit_intercept, tol, True),
                X,
                y,
                alphas,
                fit_intercept,
            )
        if fit_intercept:
            X_mean, y_mean = X.mean(axis=0), y.mean()
            Xc = np.asfortranarray(X - X_mean)
            yc = y - y_mean
        else:
            Xc, yc = X, y
        _, coefs, _ = enet_path(
            Xc,
            yc,
            l1_ratio=l1_ratio,
            alphas=alphas,
            tol=tol,
            max_iter=MAX_EPOCHS,
            check_input=True,
        )
    coefs = coefs.T
    intercepts = y_mean - coefs @ X_mean if fit_intercept else np.zeros(len(alphas))
    return coefs, intercepts


# ---------------------------------------------------------------------- skglm
def _skglm_estimator(alpha, l1_ratio, fit_intercept, tol, warm_start=False):
    return _lasso_or_enet(
        "skglm", alpha, l1_ratio, fit_intercept, tol, MAX_OUTER, warm_start
    )


def skglm_fit(X, y, alpha, l1_ratio, fit_intercept, tol):
    return _estimator_fit(_skglm_estimator, X, y, alpha, l1_ratio, fit_intercept, tol)


def skglm_fit_path(X, y, alphas, l1_ratio, fit_intercept, tol):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _warm_path(
            lambda a: _skglm_estimator(a, l1_ratio, fit_intercept, tol, True),
            X,
            y,
            alphas,
            fit_intercept,
        )


# ---------------------------------------------------------------------- celer
def _celer_estimator(alpha, l1_ratio, fit_intercept, tol, warm_start=False):
    return _lasso_or_enet(
        "celer", alpha, l1_ratio, fit_intercept, tol, MAX_OUTER, warm_start
    )


def celer_fit(X, y, alpha, l1_ratio, fit_intercept, tol):
    return _estimator_fit(_celer_estimator, X, y, alpha, l1_ratio, fit_intercept, tol)


def celer_fit_path(X, y, alphas, l1_ratio, fit_intercept, tol):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _warm_path(
            lambda a: _celer_estimator(a, l1_ratio, fit_intercept, tol, True),
            X,
            y,
            alphas,
            fit_intercept,
        )


# --------------------------------------------------------------------- adelie
def _adelie_solve(X, y, lmdas, l1_ratio, fit_intercept, tol):
    """``adelie.grpnet`` with singleton groups: exactly scikit-learn's objective.

    adelie's Gaussian loss is ``sum_i w_i (y_i^2 - 2 y_i eta_i + eta_i^2) / 2`` up to
    a constant, with weights normalized to ``1 / n``; its penalty is
    ``lambda * sum_g omega_g (a ||b_g|| + (1 - a) / 2 ||b_g||^2)``, with
    ``omega_g = sqrt(|g|) = 1`` for singletons. So ``lambda = alpha`` and
    ``a = l1_ratio``; ``grpnet`` neither standardizes ``X`` nor rescales ``y``.
    ``early_exit=False`` keeps it from stopping the path on deviance explained.
    """
    import adelie as ad

    Xa = (
        ad.matrix.sparse(X.tocsc(), method="naive")
        if sp.issparse(X)
        else ad.matrix.dense(np.asfortranarray(X), method="naive")
    )
    state = ad.grpnet(
        Xa,
        ad.glm.gaussian(np.asarray(y, dtype=np.float64)),
        alpha=l1_ratio,
        lmda_path=np.asarray(lmdas, dtype=np.float64),
        tol=tol,
        max_iters=MAX_EPOCHS * 10,
        early_exit=False,
        intercept=fit_intercept,
        n_threads=1,
        progress_bar=False,
    )
    coefs = state.betas.toarray()
    intercepts = np.asarray(state.intercepts, dtype=np.float64)
    return coefs, intercepts


def adelie_fit(X, y, alpha, l1_ratio, fit_intercept, tol):
    coefs, intercepts = _adelie_solve(X, y, [alpha], l1_ratio, fit_intercept, tol)
    return coefs[-1], float(intercepts[-1])


def adelie_fit_path(X, y, alphas, l1_ratio, fit_intercept, tol):
    coefs, intercepts = _adelie_solve(X, y, alphas, l1_ratio, fit_intercept, tol)
    return _pad_path(coefs, intercepts, len(alphas))


# --------------------------------------------------------------------- glmnet
def _glmnet_params(y, l1_ratio):
    """Map scikit-learn's ``(alpha, l1_ratio)`` to glmnet's on a rescaled ``y``.

    glmnet's Gaussian objective is scikit-learn's, but its Fortran core divides
    ``y`` by its standard deviation ``s`` (and ``lambda`` by ``s``) before solving,
    which leaves the Lasso unchanged (it is 1-homogeneous) but not the ridge part.
    So the adapter hands glmnet ``y' = y / s`` (glmnet's own rescaling is then the
    identity) and solves for ``w' = w / s``; multiplying glmnet's objective by
    ``s^2`` gives scikit-learn's when

        lambda' * a = alpha * l1_ratio / s,
        lambda' * (1 - a) = alpha * (1 - l1_ratio),

    i.e. ``lambda' = alpha * c`` with ``c = l1_ratio / s + 1 - l1_ratio`` and
    ``a = l1_ratio / (s c)``. Coefficients and intercept are multiplied back by
    ``s``. For the Lasso this is glmnet's own (documented) behaviour.
    """
    s = float(np.std(y))
    if s == 0.0:
        s = 1.0
    c = l1_ratio / s + 1.0 - l1_ratio
    return s, c, min(1.0, l1_ratio / (s * c))


def _glmnet_solve(X, y, lmdas, l1_ratio, fit_intercept, tol):
    from glmnet import ElasticNet

    s, c, a = _glmnet_params(y, l1_ratio)
    est = ElasticNet(
        alpha=a,
        lambda_path=np.asarray(lmdas, dtype=np.float64) * c,
        standardize=False,
        fit_intercept=fit_intercept,
        n_splits=0,
        tol=tol,
        max_iter=MAX_EPOCHS * 10,
    )
    est.fit(X, y / s)
    coefs = s * np.atleast_2d(est.coef_path_).T[: est.n_lambda_]
    intercepts = s * np.atleast_1d(est.intercept_path_)[: est.n_lambda_]
    return coefs, intercepts


def glmnet_fit(X, y, alpha, l1_ratio, fit_intercept, tol):
    coefs, intercepts = _glmnet_solve(X, y, [alpha], l1_ratio, fit_intercept, tol)
    return coefs[-1], float(intercepts[-1])


def glmnet_fit_path(X, y, alphas, l1_ratio, fit_intercept, tol):
    coefs, intercepts = _glmnet_solve(X, y, alphas, l1_ratio, fit_intercept, tol)
    return _pad_path(coefs, intercepts, len(alphas))


def _pad_path(coefs, intercepts, n_alphas):
    """Pad a path that stopped early with NaN (counted as not converged)."""
    if coefs.shape[0] == n_alphas:
        return coefs, intercepts
    pad = n_alphas - coefs.shape[0]
    coefs = np.vstack([coefs, np.full((pad, coefs.shape[1]), np.nan)])
    intercepts = np.concatenate([intercepts, np.full(pad, np.nan)])
    return coefs, intercepts


# ------------------------------------------------------------------- registry
@dataclass(frozen=True)
class Library:
    """A benchmarked library: its adapters and the settings the runner sweeps.

    ``tols`` is the coarse grid of tolerances the runner walks, loosest first
    (it then bisects between them); ``check_tol`` is the one
    ``run.py --check`` uses. ``anchor`` is false for the library under test
    (skreg): the "fastest anchor" ratio compares against the fastest of the others.
    """

    name: str
    module: str
    fit: Callable
    fit_path: Callable
    tols: tuple[float, ...] = tuple(10.0**-k for k in range(2, 15, 2))
    anchor: bool = True
    check_tol: float = 1e-10

    def available(self) -> tuple[bool, str]:
        """Whether the library imports, and why not."""
        try:
            importlib.import_module(self.module)
        except Exception as exc:  # noqa: BLE001 - any import failure means skip
            return False, f"not installed ({type(exc).__name__}: {exc})"
        if self.name == "skreg":
            import skreg

            if not hasattr(skreg, "ElasticNet"):
                return False, "skreg.ElasticNet not available yet"
        return True, ""

    def version(self) -> str:
        """The installed version, or ``"?"``."""
        try:
            from importlib.metadata import version

            return version(self.module if self.module != "sklearn" else "scikit-learn")
        except Exception:  # noqa: BLE001
            pass
        try:  # a source tree (skreg under test) has no distribution metadata
            return str(importlib.import_module(self.module).__version__)
        except Exception:  # noqa: BLE001
            return "?"


LIBRARIES: dict[str, Library] = {
    lib.name: lib
    for lib in (
        Library("skreg", "skreg", skreg_fit, skreg_fit_path, anchor=False),
        Library("sklearn", "sklearn", sklearn_fit, sklearn_fit_path),
        Library("skglm", "skglm", skglm_fit, skglm_fit_path),
        Library("celer", "celer", celer_fit, celer_fit_path),
        Library("adelie", "adelie", adelie_fit, adelie_fit_path, check_tol=1e-14),
        Library("glmnet", "glmnet", glmnet_fit, glmnet_fit_path, check_tol=1e-14),
    )
}


def select_libraries(names: str | None) -> list[Library]:
    """Libraries by comma-separated names (all registered ones by default)."""
    if not names:
        return list(LIBRARIES.values())
    unknown = [n for n in names.split(",") if n.strip() not in LIBRARIES]
    if unknown:
        raise SystemExit(f"unknown libraries {unknown}; known: {list(LIBRARIES)}")
    return [LIBRARIES[n.strip()] for n in names.split(",")]
