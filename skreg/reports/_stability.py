"""Stability selection with complementary pairs, and its selector transformer.

Meinshausen & Bühlmann (2010) fit the lasso on many subsamples of half the data and
keep the features whose selection probability reaches a threshold ``pi_thr`` somewhere
on a region ``Lambda`` of the regularization path. Shah & Samworth (2013) draw the
subsamples as *complementary pairs*: each draw splits the rows into two disjoint halves
and both are fitted. Each subsample is one warm-started :func:`skreg.enet_path` with an
intercept.

With ``q`` the average number of features selected anywhere on ``Lambda`` by one
subsample and ``p`` the number of features, Meinshausen & Bühlmann's Theorem 1 bounds
the expected number ``V`` of falsely selected (noise) features in the stable set:

.. math::

    E[V] \\le \\frac{q^2}{(2 \\pi_{thr} - 1) p}, \\qquad \\pi_{thr} \\in (1/2, 1],

assuming that the selection of the noise features is exchangeable and that the
procedure is not worse than random guessing. Shah & Samworth show that the same bound
holds for the complementary-pairs estimator under the same assumptions (their
Theorem 1 and its corollary), and that without them it bounds the number of selected
features whose single-subsample selection probability is low.

The randomized lasso (Meinshausen & Bühlmann, Sec. 3.1) divides the penalty of feature
``k`` by a weight ``W_k`` drawn uniformly in ``[weakness, 1]``. For the L1 term this is
the same as multiplying column ``k`` by ``W_k`` and leaving the penalty alone, which is
what this module does: the solver is unchanged. (With an L2 term, the L2 weight of the
rescaled problem is ``1 / W_k^2``.)
"""

from __future__ import annotations

import math
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_selection import SelectorMixin
from sklearn.utils import check_random_state

from skreg._glm_path import glm_path
from skreg._path import alpha_grid, decreasing_alphas, enet_path
from skreg.penalties import check_penalty_arrays
from skreg.utils._validation import (
    Interval,
    StrOptions,
    _fit_context,
    check_is_fitted,
    validate_data,
)

try:  # scikit-learn >= 1.9: the callback API (ProgressBar and friends)
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # pragma: no cover - older scikit-learn

    class CallbackSupportMixin:  # type: ignore[no-redef]
        """Stand-in when ``sklearn.callback`` does not exist."""


HAS_CALLBACKS = hasattr(CallbackSupportMixin, "set_callbacks")

__all__ = ["StabilityResult", "StabilitySelector", "stability_path", "error_bound"]

ASSUMPTIONS = (
    "Meinshausen & Bühlmann (2010, Thm 1): E[V] <= q^2 / ((2 pi_thr - 1) p), with V "
    "the number of noise features in the stable set, q the average number of features"
    " selected anywhere on the region of alphas by one subsample of half the data, p "
    "the number of features and pi_thr in (0.5, 1]. It assumes (i) exchangeability: "
    "the distribution of the selection indicators of the noise features is invariant "
    "under permutations of them, and (ii) the selection procedure is not worse than "
    "random guessing. Complementary-pairs subsampling keeps the bound (Shah & "
    "Samworth 2013). It is an upper bound on an expectation, not a p-value, and says "
    "nothing about missed (falsely excluded) features."
)


def error_bound(q: float, n_features: int, threshold: float) -> float:
    """Meinshausen & Bühlmann's bound on the expected number of false selections.

    Parameters
    ----------
    q : float
        Average number of features selected on the region of alphas per subsample.
    n_features : int
        Number of features ``p``.
    threshold : float
        Selection-probability threshold ``pi_thr`` in ``(0.5, 1]``.

    Returns
    -------
    bound : float
        ``q**2 / ((2 * threshold - 1) * n_features)``.

    Examples
    --------
    >>> error_bound(2.0, 10, 0.9)
    0.5
    """
    if not 0.5 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0.5, 1], got {threshold!r}.")
    return float(q) ** 2 / ((2.0 * threshold - 1.0) * n_features)


class StabilityResult:
    """The raw output of :func:`stability_path` (plain arrays, no estimator).

    Attributes
    ----------
    alphas : ndarray of shape (n_alphas,)
        Decreasing grid of alphas.
    selection_probabilities : ndarray of shape (n_features, n_alphas)
        Fraction of the subsamples whose fit at each alpha has a non-zero coefficient.
    n_selected : ndarray of shape (n_subsamples, n_alphas)
        Number of non-zero coefficients of each subsample's fit at each alpha.
    union_sizes : ndarray of shape (n_subsamples, n_alphas)
        Number of features selected at ``alphas[0], ..., alphas[k]`` by each subsample
        (the size of the union over the first ``k + 1`` alphas).
    n_subsamples : int
        Number of subsamples fitted (twice the number of complementary pairs).
    subsample_size : int
        Rows in each subsample, ``n_samples // 2``.
    n_convergence_warnings : int
        Alphas, over all subsamples, whose fit stopped before reaching ``tol``.
    n_iter : int
        Most epochs run at any alpha of any subsample.
    """

    def __init__(
        self,
        alphas,
        selection_probabilities,
        n_selected,
        union_sizes,
        subsample_size,
        n_convergence_warnings,
        n_iter=0,
    ):
        self.alphas = alphas
        self.selection_probabilities = selection_probabilities
        self.n_selected = n_selected
        self.union_sizes = union_sizes
        self.n_subsamples = n_selected.shape[0]
        self.subsample_size = subsample_size
        self.n_convergence_warnings = n_convergence_warnings
        self.n_iter = n_iter


def _glm_support(Xs, Y, alphas, family, params):
    """Supports of a GLM path on one half: non-zero for any class (and epochs).

    A class absent from the half is left out of the fit (its column of ``Y`` is all
    zero, and its intercept would go to minus infinity); a binary half holding one
    class selects nothing.
    """
    present = Y.sum(axis=0) > 0 if family != "poisson" else np.ones(1, dtype=bool)
    if family == "binomial":
        present = np.array([0 < Y[:, 0].sum() < Y.shape[0]])
    if not present.all() and (family == "binomial" or present.sum() < 2):
        return np.zeros((Xs.shape[1], len(alphas)), dtype=bool), 0
    if family == "multinomial" and present.sum() == 2:
        Y, family = Y[:, present][:, 1:], "binomial"
    elif family == "multinomial":
        Y = Y[:, present]
    _, coefs, _, _, n_iters, _ = glm_path(
        Xs, Y, family=family, alphas=alphas, fit_intercept=True, **params
    )
    return (coefs != 0).any(axis=0), int(max(n_iters))


def _fit_pair(X, y, halves, scales, alphas, params):
    """Fit the two halves of one complementary pair; return supports and epochs.

    ``params`` holds the solver settings, the penalty factors and bounds (the bounds
    as arrays, or absent) and, for a GLM, its ``family``.
    """
    params = dict(params)
    family = params.pop("family", "gaussian")
    out = []
    for rows, scale in zip(halves, scales, strict=True):
        Xs = X[rows]
        half_params = params
        if scale is not None:  # randomized lasso: column k times W_k
            Xs = Xs @ sp.diags(scale) if sp.issparse(Xs) else Xs * scale
            half_params = _rescaled_bounds(params, scale)
        if family != "gaussian":
            out.append(_glm_support(Xs, y[rows], alphas, family, half_params))
            continue
        _, coefs, _, n_iters, _ = enet_path(
            Xs, y[rows], alphas=alphas, fit_intercept=True, return_n_iter=True,
            **half_params,
        )  # fmt: skip
        out.append((coefs != 0, max(n_iters)))
    return out


def _rescaled_bounds(params, scale):
    """Return the bounds of the coefficients of the columns rescaled by ``scale``.

    The rescaled problem's coefficient of column ``k`` is ``w_k / W_k``: its box is
    ``[lower_k / W_k, upper_k / W_k]``. The penalty factors stay as they are (the
    randomized lasso's penalty of ``w_k`` is ``f_k |w_k| / W_k``: the rescaled
    problem's ``f_k |w_k / W_k|``).
    """
    if params.get("lower_bounds") is None:
        return params
    return {
        **params,
        "lower_bounds": params["lower_bounds"] / scale,
        "upper_bounds": params["upper_bounds"] / scale,
    }


def _penalty_params(n_features, family, penalty_factor, lower, upper, positive):
    """Check the factors and bounds once; return them as the path functions take them.

    Bounds become arrays of shape ``(n_features,)`` (so that the randomized lasso can
    rescale them per column), or are left out when absent or infinite.
    """
    if family != "gaussian" and (lower is not None or upper is not None):
        raise ValueError(
            "lower_bounds / upper_bounds apply to the elastic net only; the sparse "
            f"GLMs ({family}) take penalty_factor and positive."
        )
    _, lo, hi = check_penalty_arrays(n_features, penalty_factor, lower, upper)
    params = {"penalty_factor": penalty_factor, "positive": bool(positive)}
    if lo.shape[0]:
        params["lower_bounds"], params["upper_bounds"] = lo, hi
    return params


def stability_path(
    X,
    y,
    *,
    alphas,
    l1_ratio: float = 1.0,
    n_bootstrap: int = 100,
    weakness: float = 1.0,
    tol: float | None = None,
    max_iter: int = 1000,
    n_jobs=None,
    random_state=None,
    progress=None,
    family: str = "gaussian",
    penalty_factor=None,
    lower_bounds=None,
    upper_bounds=None,
    positive: bool = False,
) -> StabilityResult:
    """Estimate selection probabilities by complementary-pairs subsampling.

    For each of ``ceil(n_bootstrap / 2)`` draws, the rows are permuted and split into
    two disjoint halves of ``n_samples // 2`` rows; an elastic-net path with intercept
    is fitted on each half (Shah & Samworth 2013).

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        Validated training data (float32 or float64).
    y : ndarray of shape (n_samples,)
        Target values.
    alphas : array-like of shape (n_alphas,)
        The alphas, used in decreasing order.
    l1_ratio : float, default=1.0
        Elastic-net mix in ``(0, 1]``.
    n_bootstrap : int, default=100
        Number of subsamples; odd numbers are rounded up to complete the last pair.
    weakness : float, default=1.0
        Lower end of the random column weights ``W_k ~ U[weakness, 1]`` of the
        randomized lasso; ``1`` fits the plain (elastic-net) lasso.
    tol, max_iter : float, int
        Solver tolerance and epochs per alpha, as in :func:`skreg.enet_path`.
    n_jobs : int, default=None
        Pairs fitted in parallel (joblib threads; the kernels release the GIL).
    random_state : int, RandomState instance or None, default=None
        Seeds the splits and the random weights.
    progress : callable, default=None
        Called as ``progress(i_pair, n_pairs)`` after each pair, in the calling thread.
    family : {"gaussian", "binomial", "multinomial", "poisson"}, default="gaussian"
        The model fitted on each half: the elastic net, or the sparse GLM of
        :func:`skreg.linear_model.logistic_path` (then ``y`` is the encoded target of
        shape ``(n_samples, K)``: a 0/1 column, one-hot rows or counts, and a feature
        is selected when it is non-zero for any class).
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature factors of the penalty (glmnet's ``penalty.factor``; ``0``:
        unpenalised, then selected by every subsample), as in
        :func:`skreg.enet_path`. Every subsample keeps them.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), \
            default=None
        Box constraints of the elastic net's coefficients (not for the GLMs), as
        in :func:`skreg.enet_path`; with ``weakness < 1`` they are divided by the
        column weights, so that the coefficients of the original columns keep them.
    positive : bool, default=False
        Restrict the coefficients to be non-negative.

    Returns
    -------
    result : StabilityResult

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_regression
    >>> X, y = make_regression(n_samples=60, n_features=8, n_informative=2,
    ...                        random_state=0)
    >>> res = stability_path(X, y, alphas=[10.0, 1.0], n_bootstrap=10,
    ...                      random_state=0)
    >>> res.selection_probabilities.shape, res.n_subsamples
    ((8, 2), 10)
    """
    alphas = decreasing_alphas(alphas)
    n_samples, n_features = X.shape
    if not 0 < l1_ratio <= 1:
        raise ValueError(
            f"Stability selection needs l1_ratio in (0, 1], got {l1_ratio!r}."
        )
    n_pairs = max(1, math.ceil(n_bootstrap / 2))
    half = n_samples // 2
    if half < 1:
        raise ValueError(
            f"Stability selection needs n_samples >= 2, got {n_samples} sample."
        )
    rng = check_random_state(random_state)
    draws = []
    for _ in range(n_pairs):
        perm = rng.permutation(n_samples)
        halves = (np.sort(perm[:half]), np.sort(perm[half : 2 * half]))
        if weakness < 1.0:
            scales = tuple(
                rng.uniform(weakness, 1.0, size=n_features).astype(X.dtype)
                for _ in range(2)
            )
        else:
            scales = (None, None)
        draws.append((halves, scales))
    params = {
        "l1_ratio": float(l1_ratio),
        "tol": tol,
        "max_iter": max_iter,
        **_penalty_params(
            n_features, family, penalty_factor, lower_bounds, upper_bounds, positive
        ),
    }
    if family != "gaussian":
        params["family"] = family
    supports = []
    # The path functions warn once per unconverged alpha; record them (from every
    # worker thread: the warning filters are process-wide) and report a count.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        jobs = (
            delayed(_fit_pair)(X, y, halves, scales, alphas, params)
            for halves, scales in draws
        )
        results = Parallel(n_jobs=n_jobs, prefer="threads", return_as="generator")(jobs)
        n_iter = 0
        for i, pair in enumerate(results):
            supports.extend(support for support, _ in pair)
            n_iter = max(n_iter, *(epochs for _, epochs in pair))
            if progress is not None:
                progress(i, n_pairs)
    n_warn = sum(issubclass(w.category, ConvergenceWarning) for w in caught)
    for w in caught:  # anything else is not ours to swallow
        if not issubclass(w.category, ConvergenceWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    selected = np.stack(supports)  # (n_subsamples, n_features, n_alphas)
    union = np.logical_or.accumulate(selected, axis=2)
    return StabilityResult(
        alphas=alphas,
        selection_probabilities=selected.mean(axis=0),
        n_selected=selected.sum(axis=1),
        union_sizes=union.sum(axis=1),
        subsample_size=half,
        n_convergence_warnings=int(n_warn),
        n_iter=int(n_iter),
    )


def stable_set(result: StabilityResult, *, threshold: float, max_selected="auto"):
    """Region of alphas, stable set and error bound from a :class:`StabilityResult`.

    The region is the longest prefix ``alphas[0], ..., alphas[k]`` of the grid whose
    average union size ``q`` is at most the cap (``"auto"``: ``sqrt((2 pi_thr - 1)
    p)``, which makes the bound at most 1; ``None``: no cap, the whole grid). It always
    holds ``alphas[0]``.

    Returns
    -------
    out : dict
        ``n_region`` (alphas in the region), ``q``, ``q_cap``, ``max_probabilities``
        (per feature, over the region), ``support`` (boolean mask) and ``bound``.
    """
    n_features = result.selection_probabilities.shape[0]
    mean_union = result.union_sizes.mean(axis=0)
    if max_selected is None:
        q_cap = float(n_features)
    elif isinstance(max_selected, str):
        q_cap = math.sqrt((2.0 * threshold - 1.0) * n_features)
    else:
        q_cap = float(max_selected)
    within = np.flatnonzero(mean_union <= q_cap + 1e-12)
    n_region = int(within.max()) + 1 if within.size and within[0] == 0 else 1
    q = float(mean_union[n_region - 1])
    max_prob = result.selection_probabilities[:, :n_region].max(axis=1)
    return {
        "n_region": n_region,
        "q": q,
        "q_cap": q_cap,
        "max_probabilities": max_prob,
        "support": max_prob >= threshold,
        "bound": error_bound(q, n_features, threshold),
    }


class StabilitySelector(SelectorMixin, CallbackSupportMixin, BaseEstimator):
    """Feature selection by stability selection with complementary pairs.

    Fits an elastic-net (by default lasso) path with intercept on ``n_bootstrap``
    subsamples of half the rows, drawn as complementary pairs (Shah & Samworth 2013),
    and keeps the features whose selection probability reaches ``threshold`` somewhere
    on a region of the path (Meinshausen & Bühlmann 2010). The region is chosen so that
    ``q``, the average number of features a subsample selects on it, bounds the
    expected number of false selections:

    .. math::

        E[V] \\le \\frac{q^2}{(2 \\pi_{thr} - 1) p}

    under exchangeability of the noise features and a procedure not worse than random
    guessing (``expected_false_bound_``). The lasso is scale dependent: standardize
    ``X`` first (``make_pipeline(StandardScaler(), StabilitySelector())``).

    Parameters
    ----------
    l1_ratio : float, default=1.0
        Elastic-net mix in ``(0, 1]`` of each path (``1`` is the lasso).
    alphas : int or array-like, default=30
        Number of alphas on a geometric grid from ``alpha_max`` (on all the data) to
        ``eps * alpha_max``, or the alphas themselves.
    eps : float, default=1e-2
        Length of the automatic grid.
    n_bootstrap : int, default=100
        Number of subsamples (half of them complementary to the other half; odd
        numbers are rounded up).
    threshold : float, default=0.9
        Selection-probability threshold ``pi_thr`` in ``(0.5, 1]``.
    max_selected : "auto", int, float or None, default="auto"
        Cap on ``q`` that sets the region: the longest stretch of the grid from
        ``alpha_max`` down whose ``q`` stays at most the cap. ``"auto"`` is
        ``sqrt((2 threshold - 1) n_features)``, the largest ``q`` whose bound is at most
        1; ``None`` uses the whole grid.
    weakness : float, default=1.0
        Randomized lasso: column weights drawn in ``[weakness, 1]``; ``1`` disables it.
        Meinshausen & Bühlmann suggest values in ``[0.2, 0.8]``.
    tol : float or None, default=None
        Solver tolerance, as in :class:`skreg.ElasticNet`.
    max_iter : int, default=1000
        Epochs per alpha.
    n_jobs : int, default=None
        Complementary pairs fitted in parallel (joblib threads).
    random_state : int, RandomState instance or None, default=None
        Seeds the subsamples and the random weights.
    verbose : int, default=0
        Print one progress line per tenth of the pairs to stderr.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature factors of the penalty (glmnet's ``penalty.factor``, as in
        :class:`skreg.ElasticNet`); a feature of factor ``0`` is unpenalised, so
        every subsample selects it. The automatic grid starts at the ``alpha_max``
        of the penalised features.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), \
            default=None
        Box constraints of the coefficients (as in :class:`skreg.ElasticNet`),
        kept by every subsample (and by the randomized lasso's rescaled columns).
    positive : bool, default=False
        Restrict the coefficients to be non-negative.

    Attributes
    ----------
    alphas_ : ndarray of shape (n_alphas,)
        The grid of alphas, decreasing.
    selection_probabilities_ : ndarray of shape (n_features, n_alphas)
        Fraction of subsamples selecting each feature at each alpha.
    max_probabilities_ : ndarray of shape (n_features,)
        Maximum selection probability over the region.
    support_ : ndarray of shape (n_features,)
        The stable set (``max_probabilities_ >= threshold``).
    n_region_alphas_ : int
        Number of alphas in the region (the first ones of ``alphas_``).
    q_ : float
        Average number of features selected on the region per subsample.
    expected_false_bound_ : float
        ``q_**2 / ((2 threshold - 1) n_features_in_)``.
    n_subsamples_ : int
        Subsamples fitted.
    n_convergence_warnings_ : int
        Unconverged fits over all subsamples and alphas.
    n_iter_ : int
        Most epochs run at any alpha of any subsample (at most ``max_iter``).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of features seen during ``fit``, when ``X`` has string column names.

    See Also
    --------
    FeatureSelectionReport : The same selection with the CV model, in a report.
    sklearn.feature_selection.SelectFromModel : Selection by a single fit.

    Notes
    -----
    With scikit-learn >= 1.9, ``set_callbacks(sklearn.callback.ProgressBar())`` shows
    a progress bar over the pairs (the bar itself needs ``rich``).

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from skreg.reports import StabilitySelector
    >>> X, y, coef = make_regression(n_samples=100, n_features=20, n_informative=3,
    ...                              noise=1.0, coef=True, random_state=0)
    >>> sel = StabilitySelector(n_bootstrap=20, random_state=0).fit(X, y)
    >>> sel.get_support(indices=True).tolist() == coef.nonzero()[0].tolist()
    True
    >>> sel.get_support(indices=True).tolist()
    [4, 11, 15]
    >>> sel.transform(X).shape
    (100, 3)
    """

    _parameter_constraints: dict = {
        "l1_ratio": [Interval(Real, 0, 1, closed="right")],
        "alphas": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "eps": [Interval(Real, 0, 1, closed="neither")],
        "n_bootstrap": [Interval(Integral, 1, None, closed="left")],
        "threshold": [Interval(Real, 0.5, 1, closed="right")],
        "max_selected": [
            StrOptions({"auto"}),
            Interval(Real, 0, None, closed="neither"),
            None,
        ],
        "weakness": [Interval(Real, 0, 1, closed="right")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "penalty_factor": ["array-like", None],
        "lower_bounds": [Real, "array-like", None],
        "upper_bounds": [Real, "array-like", None],
        "positive": ["boolean"],
    }

    def __init__(
        self,
        *,
        l1_ratio=1.0,
        alphas=30,
        eps=1e-2,
        n_bootstrap=100,
        threshold=0.9,
        max_selected="auto",
        weakness=1.0,
        tol=None,
        max_iter=1000,
        n_jobs=None,
        random_state=None,
        verbose=0,
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
    ):
        self.l1_ratio = l1_ratio
        self.alphas = alphas
        self.eps = eps
        self.n_bootstrap = n_bootstrap
        self.threshold = threshold
        self.max_selected = max_selected
        self.weakness = weakness
        self.tol = tol
        self.max_iter = max_iter
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.positive = positive

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the paths on the subsamples and select the stable set.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data (standardize it first).
        y : array-like of shape (n_samples,)
            Target values.

        Returns
        -------
        self : object
            The fitted selector.
        """
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            dtype=[np.float64, np.float32],
            y_numeric=True,
            ensure_min_samples=2,
        )
        y = np.asarray(y, dtype=X.dtype)
        if isinstance(self.alphas, Integral):
            alphas = alpha_grid(
                X, y, l1_ratio=self.l1_ratio, eps=self.eps, n_alphas=int(self.alphas),
                positive=self.positive, penalty_factor=self.penalty_factor,
            )  # fmt: skip
        else:
            alphas = np.asarray(self.alphas, dtype=np.float64)
            if alphas.ndim != 1 or alphas.size == 0 or np.any(alphas < 0):
                raise ValueError("alphas must be a non-empty 1-D array of alphas >= 0.")
        n_pairs = max(1, math.ceil(self.n_bootstrap / 2))
        progress = self._progress_hook(n_pairs)
        result = stability_path(
            X,
            y,
            alphas=alphas,
            l1_ratio=self.l1_ratio,
            n_bootstrap=self.n_bootstrap,
            weakness=self.weakness,
            tol=self.tol,
            max_iter=self.max_iter,
            n_jobs=self.n_jobs,
            random_state=self.random_state,
            progress=progress,
            penalty_factor=self.penalty_factor,
            lower_bounds=self.lower_bounds,
            upper_bounds=self.upper_bounds,
            positive=self.positive,
        )
        self._set_result(result)
        return self

    def _progress_hook(self, n_pairs):
        """Per-pair hook: scikit-learn callbacks (ProgressBar) and ``verbose`` lines."""
        ctx = None
        if HAS_CALLBACKS and getattr(self, "_skl_callbacks", None):
            ctx = self._init_callback_context(max_subtasks=n_pairs)
            ctx.call_on_fit_task_begin(estimator=self)
        verbose = self.verbose
        step = max(1, n_pairs // 10)

        def progress(i, n):
            if ctx is not None:
                sub = ctx.subcontext(task_name="complementary pair")
                sub.call_on_fit_task_begin(estimator=self)
                sub.call_on_fit_task_end(estimator=self)
                if i + 1 == n:
                    ctx.call_on_fit_task_end(estimator=self)
            if verbose and ((i + 1) % step == 0 or i + 1 == n):
                import sys

                print(
                    f"[StabilitySelector] {i + 1}/{n} complementary pairs fitted",
                    file=sys.stderr,
                    flush=True,
                )

        return progress

    def _set_result(self, result: StabilityResult) -> None:
        out = stable_set(
            result, threshold=self.threshold, max_selected=self.max_selected
        )
        self.alphas_ = result.alphas
        self.selection_probabilities_ = result.selection_probabilities
        self.max_probabilities_ = out["max_probabilities"]
        self.support_ = out["support"]
        self.n_region_alphas_ = out["n_region"]
        self.q_ = out["q"]
        self.q_cap_ = out["q_cap"]
        self.expected_false_bound_ = out["bound"]
        self.n_subsamples_ = result.n_subsamples
        self.subsample_size_ = result.subsample_size
        self.n_convergence_warnings_ = result.n_convergence_warnings
        self.n_iter_ = result.n_iter
        self.union_sizes_ = result.union_sizes

    def _get_support_mask(self):
        check_is_fitted(self)
        return self.support_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.required = True
        return tags
