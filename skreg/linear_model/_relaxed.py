"""The relaxed lasso in the CV estimators: ``relax=True`` (glmnet's ``relax=TRUE``).

With ``relax=True``, :class:`skreg.ElasticNetCV` and :class:`skreg.LassoCV` follow
``cv.glmnet(relax=TRUE)``: each (``l1_ratio``, fold) job fits the penalised path on
the training part, refits the unpenalised least squares on each support along it and
scores every blend ``gamma`` on the held-out part (:mod:`skreg._relaxed_path`), so
that ``alpha`` and ``gamma`` are selected on the same folds. The data checks, grids,
folds and fold paths are the estimators' own (:mod:`skreg.linear_model._cv`); this
mixin adds the selection over ``gamma``, the relaxed refit and the blended path.
"""

from __future__ import annotations

import numpy as np

from skreg._relaxed_path import (
    _support_least_squares,
    blend,
    check_gammas,
    relaxed_choice,
)


class RelaxedCVMixin:
    """Selection, refit and path of ``relax=True`` for :class:`_BaseCV`.

    Uses the estimator's ``_refit_path`` and ``_stored_path`` (defined there).
    """

    def _gammas(self) -> np.ndarray | None:
        """Return the sorted distinct gammas with ``relax=True``, else ``None``."""
        if not self.relax:
            return None
        return np.unique(check_gammas(self.gamma, "gamma"))

    def _fit_relaxed(
        self, X, y, sample_weight, l1_ratios, grids, params, mse_path, cv_se
    ):
        """Select (``l1_ratio``,) ``gamma`` and ``alpha``; refit; set the attributes.

        ``mse_path`` and ``cv_se`` have shapes (n_l1_ratio, n_gammas, n_alphas,
        n_folds) and (n_l1_ratio, n_gammas, n_alphas).
        """
        gammas = self._gammas()
        n_l1 = len(l1_ratios)
        mean_mse = mse_path.mean(axis=-1)
        i_l1 = int(np.argmin(mean_mse.reshape(n_l1, -1).min(axis=1)))
        mean, se = mean_mse[i_l1], cv_se[i_l1]
        # glmnet's relaxed rules (getOptcv.relaxed): the minimum over the (gamma,
        # alpha) grid; the 1se choice among all the cells within one standard error
        # (the minimum's) of it; ties to the largest alpha, then gamma.
        g_min, a_min = relaxed_choice(mean <= mean.min())
        g_1se, a_1se = relaxed_choice(mean <= mean[g_min, a_min] + se[g_min, a_min])
        alphas = grids[i_l1]
        self.l1_ratio_ = float(l1_ratios[i_l1])
        self.gammas_ = gammas
        self.alpha_min_, self.gamma_min_ = float(alphas[a_min]), float(gammas[g_min])
        self.alpha_1se_, self.gamma_1se_ = float(alphas[a_1se]), float(gammas[g_1se])
        one_se = self.alpha_rule == "1se"
        i_gamma, i_alpha = (g_1se, a_1se) if one_se else (g_min, a_min)
        self.alpha_, self.gamma_ = float(alphas[i_alpha]), float(gammas[i_gamma])
        self.mse_path_ = mse_path[0] if n_l1 == 1 else mse_path
        self.cv_se_ = cv_se[0] if n_l1 == 1 else cv_se
        self.alphas_ = alphas if n_l1 == 1 else np.asarray(grids)
        # The penalised path on all the data (glmnet fits it too), the least squares
        # on each of its supports, and the selected blend.
        coefs, intercepts = self._refit_path(
            X, y, sample_weight, alphas, self.l1_ratio_, params, i_alpha, True
        )
        ols, ols_b, _ = _support_least_squares(
            X, y, coefs, sample_weight, self.fit_intercept
        )
        self.relaxed_coef_path_, self.relaxed_intercept_path_ = ols, ols_b
        at = slice(i_alpha, i_alpha + 1)
        coef, intercept = blend(
            [self.gamma_], coefs[:, at], intercepts[at], ols[:, at], ols_b[at]
        )
        self.coef_ = coef[0, :, 0].astype(X.dtype)
        self.intercept_ = float(intercept[0, 0]) if self.fit_intercept else 0.0
        return self

    def _blended_path(self, gamma):
        """Return the stored path, blended at ``gamma`` (or ``gamma_``) if relaxed."""
        coefs, intercepts = self._stored_path()
        if not hasattr(self, "relaxed_coef_path_"):
            if gamma is not None:
                raise ValueError(
                    "gamma applies to relaxed fits only (relax=True), got "
                    f"gamma={gamma!r}."
                )
            return coefs, intercepts
        g = check_gammas(self.gamma_ if gamma is None else gamma, "gamma")
        if g.shape[0] != 1:
            raise ValueError(f"gamma must be a single float in [0, 1], got {gamma!r}.")
        coefs, intercepts = blend(
            g, coefs, intercepts, self.relaxed_coef_path_, self.relaxed_intercept_path_
        )
        return coefs[0], intercepts[0]


_RELAX_PARAMETERS = """
    relax : bool, default=False
        The relaxed lasso (glmnet's ``relax=TRUE``, Meinshausen 2007): the
        coefficients are ``gamma * w(alpha) + (1 - gamma) * w_OLS(alpha)``, where
        ``w(alpha)`` is the penalised fit and ``w_OLS(alpha)`` the unpenalised least
        squares on its support (with the intercept and the sample weights; minimum
        norm when the support's columns are collinear or outnumber the samples).
        ``alpha`` and ``gamma`` (and ``l1_ratio``) are selected on the same folds,
        with glmnet's rules; ``mse_path_`` gains a ``gamma`` axis. The penalised
        path on all the data is fitted and stored, as with ``store_path=True``.

    gamma : float or array-like of float, default=(0, 0.25, 0.5, 0.75, 1)
        With ``relax=True``, the blends tried, in ``[0, 1]`` (cv.glmnet's default
        grid; sorted and deduplicated): ``1`` is the penalised fit, ``0`` the least
        squares on its support. Ignored otherwise.
"""

_RELAX_ATTRIBUTES = """
    gamma_ : float
        With ``relax=True``: the gamma of the final model (``gamma_min_`` or
        ``gamma_1se_`` by ``alpha_rule``); ``coef_`` and ``intercept_`` are the blend
        at (``alpha_``, ``gamma_``). ``mse_path_`` then has shape (n_gammas,
        n_alphas, n_folds), or (n_l1_ratio, n_gammas, n_alphas, n_folds) with
        several ``l1_ratio``, and ``cv_se_`` the same without the folds.

    gamma_min_, gamma_1se_ : float
        With ``relax=True``: ``alpha_min_``/``gamma_min_`` is the cell of the
        (gamma, alpha) grid of least mean CV error (ties: the largest alpha, then
        gamma); ``alpha_1se_``/``gamma_1se_`` glmnet's relaxed one-standard-error
        choice, the largest alpha (then gamma) among all cells whose mean CV error
        is within one standard error (the minimum's) of the minimum.

    gammas_ : ndarray of shape (n_gammas,)
        With ``relax=True``: the gammas tried (increasing).

    relaxed_coef_path_ : ndarray of shape (n_features, n_alphas)
        With ``relax=True``: the least squares on each support of ``coef_path_``
        (``gamma = 0``); each distinct support is solved once.

    relaxed_intercept_path_ : ndarray of shape (n_alphas,)
        With ``relax=True``: their intercepts.
"""
