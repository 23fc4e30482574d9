"""``ElasticNet`` and ``Lasso``: drop-in replacements for scikit-learn's."""

from __future__ import annotations

from sklearn.base import BaseEstimator
from sklearn.utils import metadata_routing

from skreg._path import enet_path
from skreg.linear_model._base import BaseElasticNet
from skreg.utils._validation import _fit_context

_SHARED_PARAMETERS = """
    fit_intercept : bool, default=True
        Whether to fit an intercept. The intercept is not penalised; it is eliminated
        by (implicit) centring, so ``X`` is never copied for it.

    precompute : bool, "auto" or array-like of shape (n_features, n_features), \
            default="auto"
        Form of the coordinate-descent epochs on dense ``X`` (ignored for sparse
        ``X``, as in scikit-learn): ``True`` the covariance (Gram) form on every
        working set, ``False`` the residual form, ``"auto"`` (default; scikit-learn's
        is ``False``) chooses per working set. Results agree to the tolerance
        either way. A Gram matrix ``X^T X`` is validated as scikit-learn does (one
        entry checked, ``ValueError`` if it does not match; ignored with a
        ``UserWarning`` when ``fit_intercept=True`` and ``X`` is not centred), then
        treated as ``"auto"``: the solver computes the Gram blocks of its working
        sets from ``X`` (the same numbers up to rounding) and does not read the
        array further. Problems with at most 32 dense features are solved by one
        compiled cyclic call whatever ``precompute`` says; with ``"auto"``, so are
        tall dense problems whose Gram matrix is cheap (more rows than features,
        ``n_samples * n_features**2`` up to 1.6e7) and sparse ones whose Gram
        matrix costs less than working sets, and a slow working-set solve on tall
        dense data continues in covariance form once its epochs have cost as much
        as the Gram matrix.

    max_iter : int, default=1000
        Maximum number of epochs: passes of coordinate descent over the working set
        (``solver="cd"``) or iterations (``solver="fista"``).

    copy_X : bool, default=True
        ``False`` lets ``fit`` overwrite dense ``X``: with ``fit_intercept=True``
        its columns are centred in place (weighted means), as in scikit-learn.
        ``True`` never modifies ``X``.

    tol : float or None, default=None
        A number is scikit-learn's criterion: stop when the duality gap is at most
        ``tol * ||y_c||_2^2 / n_samples`` (weighted and centred ``y``). ``None`` (the
        default) stops when the gap certifies a relative suboptimality of 1e-6,
        ``gap <= 1e-6 * objective``: scikit-learn's ``tol=1e-4`` bounds the gap by a
        fraction of ``||y||^2``, which can leave 1e-3 relative suboptimality on
        well-fitted problems, so the default asks for a certificate instead.

    warm_start : bool, default=False
        Start from the previous ``coef_`` when refitting. A fit that stopped at
        ``max_iter`` short of its tolerance is continued where it stopped: its solver
        state is kept in the private ``_solver_state`` and the next fit on the same
        data and parameters runs ``max_iter`` more epochs of the same solve, so that
        two fits of ``k`` epochs end where one fit of ``2 k`` epochs does (any change
        of ``X``, ``y``, the sample weights, the parameters or ``coef_`` falls back
        to starting from ``coef_``).

    positive : bool, default=False
        Restrict the coefficients to be non-negative (the same as
        ``lower_bounds=0``).

    random_state : int, RandomState instance or None, default=None
        Seed of the coordinate order when ``selection="random"``.

    selection : {"cyclic", "random"}, default="cyclic"
        ``"cyclic"`` visits the coordinates of each working set in index order;
        ``"random"`` in a new random order at every epoch (``solver="cd"``; the
        small-problem compiled call and the covariance form are then not used).

    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature penalty factors (glmnet's ``penalty.factor``): feature ``j``'s
        L1 and L2 terms are multiplied by ``penalty_factor[j] >= 0``; ``0`` leaves
        it unpenalised. The factors are rescaled to sum to ``n_features``, as glmnet
        does, so that ``alpha`` means glmnet's ``lambda``. See "Penalty factors and
        bounds" in the user guide (adaptive lasso).

    lower_bounds, upper_bounds : float or array-like of shape (n_features,), \
            default=None
        Box constraints ``lower_bounds <= coef_ <= upper_bounds`` (glmnet's
        ``lower.limits`` / ``upper.limits``), with ``lower_bounds <= 0 <=
        upper_bounds`` (``ValueError`` otherwise: ``coef_ = 0`` must stay
        feasible). Gap-safe screening stays on (its dual test holds with bounds);
        the exact finishing step on the support is off.

    solver : {"auto", "cd", "fista"}, default="auto"
        ``"cd"``: proximal coordinate descent on working sets with Anderson
        extrapolation. ``"fista"``: accelerated proximal gradient with adaptive restart.
        ``"auto"`` picks ``"cd"``.

    verbose : int or bool, default=0
        Print the duality gap at each outer iteration.
"""

_SHARED_ATTRIBUTES = """
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients, in the dtype of ``X`` (float32 stays float32).

    sparse_coef_ : sparse matrix of shape (1, n_features) or (n_targets, n_features)
        ``coef_`` as a CSR matrix.

    intercept_ : float or ndarray of shape (n_targets,)
        Intercept (0.0 when ``fit_intercept=False``).

    n_iter_ : int or list of int
        Epochs run by the solver in this fit (one per target): passes over the
        working set, as in ``max_iter``.

    dual_gap_ : float or ndarray of shape (n_targets,)
        Duality gap at the solution, in the ``1 / n_samples`` scaling of the objective.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit``, when ``X`` has string column names.
"""

_FIT_DOC = """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. Dense input is best passed Fortran-ordered (no copy); sparse
            input is converted to CSC. float32 input stays float32.

        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, applied as scikit-learn does: normalised to sum to
            ``n_samples`` inside the squared loss.

        check_input : bool, default=True
            ``False`` skips the validation of ``X``, ``y`` and ``sample_weight``
            (scikit-learn's option): ``X`` must then be a float32/float64 array in
            Fortran order or a sparse matrix, finite; other layouts raise
            ``ValueError``.

        Returns
        -------
        self : object
            The fitted estimator.
        """


class ElasticNet(BaseElasticNet, BaseEstimator):
    __doc__ = (
        """Linear regression with combined L1 and L2 priors, fitted by proximal methods.

    Minimises scikit-learn's elastic-net objective

    .. math::

        \\frac{1}{2 n_{\\text{samples}}} \\|y - Xw - b\\|_2^2
        + \\alpha \\rho \\|w\\|_1 + \\frac{\\alpha (1 - \\rho)}{2} \\|w\\|_2^2,

    with ``rho = l1_ratio``, so that swapping the import from
    ``sklearn.linear_model`` is enough for the common arguments.

    Parameters
    ----------
    alpha : float, default=1.0
        Constant multiplying the penalty terms. ``alpha = 0`` is ordinary least squares
        (warned; use ``LinearRegression``).

    l1_ratio : float, default=0.5
        Elastic-net mixing parameter in ``[0, 1]``: ``1`` is the lasso, ``0`` ridge
        (with the half sum of squares).
"""
        + _SHARED_PARAMETERS
        + """
    Attributes
    ----------"""
        + _SHARED_ATTRIBUTES
        + """
    See Also
    --------
    Lasso : The special case ``l1_ratio=1``.
    sklearn.linear_model.ElasticNet : The reference implementation.

    Notes
    -----
    Differences from scikit-learn: ``precompute`` defaults to ``"auto"`` and a Gram
    array only selects the covariance form (see above); ``tol=None`` by default;
    ``solver`` and ``verbose`` are added. ``path`` is :func:`skreg.enet_path`.

    Examples
    --------
    >>> import numpy as np
    >>> from skreg import ElasticNet
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 5))
    >>> y = X @ np.array([1.0, 0.0, -2.0, 0.0, 0.0]) + 0.01 * rng.standard_normal(50)
    >>> model = ElasticNet(alpha=0.05, l1_ratio=0.9).fit(X, y)
    >>> np.flatnonzero(model.coef_).tolist()
    [0, 2]
    """
    )

    def __init__(
        self,
        alpha=1.0,
        *,
        l1_ratio=0.5,
        fit_intercept=True,
        precompute="auto",
        max_iter=1000,
        copy_X=True,
        tol=None,
        warm_start=False,
        positive=False,
        random_state=None,
        selection="cyclic",
        solver="auto",
        verbose=0,
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
    ):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.copy_X = copy_X
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.solver = solver
        self.verbose = verbose
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    # check_input is an optimisation, not metadata to route (as scikit-learn's).
    __metadata_request__fit = {"check_input": metadata_routing.UNUSED}

    path = staticmethod(enet_path)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, check_input=True):  # noqa: D102
        return self._fit(X, y, sample_weight, check_input)

    fit.__doc__ = _FIT_DOC


class Lasso(BaseElasticNet, BaseEstimator):
    __doc__ = (
        """Linear model trained with an L1 prior, fitted by proximal methods.

    Minimises scikit-learn's lasso objective

    .. math::

        \\frac{1}{2 n_{\\text{samples}}} \\|y - Xw - b\\|_2^2 + \\alpha \\|w\\|_1,

    the convex surrogate of the (NP-hard) count of non-zero coefficients.

    Parameters
    ----------
    alpha : float, default=1.0
        Constant multiplying the L1 term.
"""
        + _SHARED_PARAMETERS
        + """
    Attributes
    ----------"""
        + _SHARED_ATTRIBUTES
        + """
    See Also
    --------
    ElasticNet : Adds an L2 term.
    sklearn.linear_model.Lasso : The reference implementation.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from skreg import Lasso
    >>> X, y = make_regression(n_samples=100, n_features=20, n_informative=5,
    ...                        noise=0.1, random_state=0)
    >>> model = Lasso(alpha=0.01).fit(X, y)
    >>> int((model.coef_ != 0).sum()) <= 20
    True
    """
    )

    _parameter_constraints: dict = {
        k: v
        for k, v in BaseElasticNet._parameter_constraints.items()
        if k != "l1_ratio"
    }

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        precompute="auto",
        max_iter=1000,
        copy_X=True,
        tol=None,
        warm_start=False,
        positive=False,
        random_state=None,
        selection="cyclic",
        solver="auto",
        verbose=0,
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.copy_X = copy_X
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.solver = solver
        self.verbose = verbose
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    def _l1_ratio(self) -> float:
        return 1.0

    # check_input is an optimisation, not metadata to route (as scikit-learn's).
    __metadata_request__fit = {"check_input": metadata_routing.UNUSED}

    path = staticmethod(enet_path)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, check_input=True):  # noqa: D102
        return self._fit(X, y, sample_weight, check_input)

    fit.__doc__ = _FIT_DOC
