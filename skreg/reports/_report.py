"""``FeatureSelectionReport``: which features matter, and how sure we are.

The report is built by :meth:`FeatureSelectionReport.from_estimator` from a skreg linear
model, CV estimator, a ``Pipeline`` ending in one, or a search (``GridSearchCV``) over
one. It holds plain numbers (no estimator methods are needed to render it); the
renderers live in :mod:`skreg.reports._render` (text in ``_text``, HTML in ``_html``),
the headline and diagnostics in ``_summary`` and the plots in ``_display``.
"""

from __future__ import annotations

import time

import numpy as np

from skreg.reports import _glm, _mlp, _penalty, _render, _summary
from skreg.reports import _sections as sections
from skreg.reports._estimators import feature_names as _feature_names
from skreg.reports._estimators import is_fitted, transform

__all__ = ["FeatureSelectionReport"]


class FeatureSelectionReport:
    """Which features a sparse linear model selects, and how stable the choice is.

    Build it with :meth:`from_estimator`. It holds five sections of plain numbers:

    1. ``provenance``: data shape, parameters, library versions, fit times;
    2. ``features``: per feature, the coefficients at ``alpha_min`` and ``alpha_1se``
       (raw and standardized: times the feature's standard deviation), the largest
       alpha at which it enters the path, its selection frequency and sign consistency
       across the CV folds (refit at the model's alpha), and its stability-selection
       probability;
    3. ``path``: glmnet's path summary per alpha (non-zeros, % deviance explained, CV
       mean squared error and its standard error, duality gap);
    4. ``stability``: stability selection with complementary pairs (Meinshausen &
       Bühlmann 2010; Shah & Samworth 2013): the selection probabilities over the
       alphas, the stable set at the threshold and the bound on the expected number of
       false selections with its assumptions;
    5. ``diagnostics``: convergence and collinear groups among the selected features.

    A fitted MLP with ``feature_importances_`` (given as the estimator, or as ``mlp=``)
    adds ``mlp``: its selected input features (importance > 0).

    **Sparse GLMs** (``SparseLogisticRegression``, ``SparseLogisticRegressionCV``,
    ``SparsePoissonRegressor``): the same sections on the GLM's objective. The CV
    curve is the held-out mean deviance (cv.glmnet's, with its 1se rule), ``%Dev``
    the share of the null deviance explained, the stability selection refits the
    GLM's path. The headline names the family and gives ``cv_deviance``,
    ``cv_deviance_se``, ``cv_deviance_explained`` (of the null model's CV deviance)
    and, for classifiers, ``cv_accuracy`` at the model's alpha. A multinomial
    model's feature is selected when non-zero for any class; its ``coef*`` values
    are the L2 norms across classes and ``coef_by_class`` maps each class to its
    coefficient at the model's alpha. JSON keys added: ``path.family``,
    ``path.score``, ``path.classes``, ``path.coef_summary``, ``path.null_deviance``,
    ``path.cv_accuracy``, ``headline.glm_family`` / ``cv_deviance`` /
    ``cv_deviance_se`` / ``cv_deviance_explained`` / ``cv_accuracy``,
    ``features[].coef_by_class``, ``provenance.family``.

    **Penalty factors and bounds**: every path, alpha grid, fold refit and stability
    subsample the report makes solves the objective the model was fitted on, with its
    ``penalty_factor``, ``lower_bounds`` / ``upper_bounds`` and ``positive``: the
    path at the model's alpha is the model. A feature of factor 0 is unpenalised
    (in the model, and selected by every subsample, along the whole path). The
    headline says so in one line (``headline.penalty``, e.g. ``"penalty factors: 2
    features unpenalised (x5, x7), ..."``) and ``provenance.penalty`` holds the
    factors as fitted (rescaled to sum to ``n_features``), the unpenalised features
    and the bounds (``None`` for an infinite one); both are ``None`` for the plain
    penalty.

    **MLP selectors** (``RegularizedMLPRegressorCV`` / ``ClassifierCV``): ``mlp``
    (``kind = "cv"``) holds the selected inputs, ``exit_alphas`` (the alpha at which
    each input leaves the path), ``path`` (``alphas``, ``n_features``, ``cv_mean``,
    ``cv_se``, ``train_loss``, ``validation_loss``, ``alpha``, ``alpha_min``,
    ``alpha_1se``), the refit's training curves and, with ``n_bootstrap > 0``,
    ``stability`` (the selector refitted on complementary halves:
    ``selected_frequency`` and ``probabilities`` along the path per input).

    Render it with :meth:`to_text` (also ``str(report)``), :meth:`to_dict`,
    :meth:`to_json`, :meth:`to_frame` (pandas), :meth:`to_html` (figures need
    matplotlib) or in a notebook (``_repr_html_``). Text and HTML lead with the
    :attr:`headline`: the model, its CV score, the features selected and stable, and
    a banner for anything to check (no convergence, ``alpha_min`` at the edge of the
    grid, an unstable selection). ConvergenceWarnings of the fits the report makes
    (and of the model's own fit, when it fits the model) are counted in the
    diagnostics, not printed.

    Attributes
    ----------
    feature_names : list of str
        Names of the features the final model sees (after any pipeline steps).
    selected : list of str
        The model's support: the features with a non-zero coefficient.
    provenance, features, path, stability, diagnostics, mlp : dict or None
        The sections (``None`` when not applicable).
    estimator : estimator
        The fitted estimator the report describes (a fitted clone when an unfitted one
        was given).

    See Also
    --------
    StabilitySelector : The stability selection as a Pipeline step.
    RegularizationPathDisplay, CVCurveDisplay, StabilityPathDisplay : The plots.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from skreg import LassoCV
    >>> from skreg.reports import FeatureSelectionReport
    >>> X, y = make_regression(n_samples=80, n_features=8, n_informative=3,
    ...                        noise=5.0, random_state=0)
    >>> report = FeatureSelectionReport.from_estimator(
    ...     LassoCV(cv=3, alphas=30), X, y, cv=3, n_bootstrap=10, random_state=0)
    >>> report.selected == [f"x{j}" for j in report.estimator.coef_.nonzero()[0]]
    True
    >>> report.to_dict()["stability"]["n_subsamples"]
    10
    """

    def __init__(
        self,
        *,
        feature_names,
        selected,
        provenance,
        features,
        path=None,
        stability=None,
        diagnostics=None,
        mlp=None,
        estimator=None,
    ):
        self.feature_names = feature_names
        self.selected = selected
        self.provenance = provenance
        self.features = features
        self.path = path
        self.stability = stability
        self.diagnostics = diagnostics
        self.mlp = mlp
        self.estimator = estimator

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        feature_names=None,
        cv=5,
        n_bootstrap=100,
        random_state=None,
        threshold=0.9,
        max_selected="auto",
        weakness=1.0,
        collinearity_threshold=0.8,
        mlp=None,
        target_name=None,
        n_jobs=None,
        verbose=0,
        stability_callbacks=(),
    ):
        """Build the report for a (fitted or unfitted) estimator on ``X``, ``y``.

        Parameters
        ----------
        estimator : estimator
            A skreg ``ElasticNet``, ``Lasso``, ``ElasticNetCV``, ``LassoCV``,
            ``SparseLogisticRegression``, ``SparseLogisticRegressionCV``,
            ``SparsePoissonRegressor``, ``RegularizedMLPRegressorCV`` or
            ``RegularizedMLPClassifierCV``, a ``Pipeline`` ending in one, or a
            ``GridSearchCV`` (any search with ``best_estimator_``) over one; fitted
            or not (an unfitted one is cloned and fitted on ``X``, ``y``). A fitted
            model with ``feature_importances_`` (skreg's regularized MLPs) gives a
            report of its input selection only.
        X : array-like of shape (n_samples, n_features)
            The data the model was (or is to be) fitted on.
        y : array-like of shape (n_samples,)
            Target values (class labels for the classifiers).
        feature_names : list of str, default=None
            Names of the columns of ``X`` (default: the DataFrame's columns, or
            ``x0, x1, ...``). With a pipeline, the names out of its transformers.
        cv : int or cross-validation generator, default=5
            Folds for the CV curve of a non-CV model and for the per-fold selection
            frequencies (a fitted CV estimator's own curve is reused).
        n_bootstrap : int, default=100
            Subsamples of stability selection (``0`` skips it). For an MLP
            selector each subsample refits the selector on half the rows.
        random_state : int, RandomState instance or None, default=None
            Seeds stability selection.
        threshold : float, default=0.9
            Stability threshold ``pi_thr`` in ``(0.5, 1]``.
        max_selected : "auto", float or None, default="auto"
            Cap on ``q`` that sets the stability region (see
            :class:`StabilitySelector`).
        weakness : float, default=1.0
            Randomized-lasso weakness (``1`` is the plain lasso).
        collinearity_threshold : float, default=0.8
            ``|corr|`` at or above which two selected features are grouped.
        mlp : estimator, default=None
            A fitted model with ``feature_importances_`` over the same features, whose
            input selection is reported beside the linear model's.
        target_name : str, default=None
            Name of the target, for the provenance.
        n_jobs : int, default=None
            Parallel jobs of stability selection.
        verbose : int, default=0
            Print progress to stderr.
        stability_callbacks : tuple, default=()
            scikit-learn callbacks (e.g. ``sklearn.callback.ProgressBar()``) set on the
            :class:`StabilitySelector` (scikit-learn >= 1.9).

        Returns
        -------
        report : FeatureSelectionReport
        """
        t_start = time.perf_counter()
        timings: dict[str, float] = {}
        counts: dict[str, int] = {}
        say = sections.progress_printer(verbose)
        if target_name is None and getattr(y, "name", None) is not None:
            target_name = str(y.name)  # a pandas Series names the target
        top, search, prefix, final = sections.fit_and_unwrap(
            estimator, X, y, timings, counts
        )
        Xt = transform(prefix, X)
        names = _feature_names(feature_names, X, prefix, Xt.shape[1])
        options = {
            "n_bootstrap": n_bootstrap, "random_state": random_state,
            "threshold": threshold, "max_selected": max_selected,
            "weakness": weakness, "n_jobs": n_jobs, "verbose": verbose,
            "stability_callbacks": stability_callbacks,
            "collinearity_threshold": collinearity_threshold,
        }  # fmt: skip
        provenance = sections.provenance(
            top, final, search, X, Xt, target_name, cv, options, timings
        )
        mlp_model = _mlp.is_mlp_cv(final) or sections.is_mlp(final)
        provenance["penalty"] = None if mlp_model else _penalty.describe(final, names)
        if _mlp.is_mlp_cv(final):
            parts = _mlp_cv_parts(final, Xt, y, names, options, timings, say)
        elif sections.is_mlp(final):
            parts = _mlp_parts(final, names)
        elif _glm.is_glm(final):
            parts = _glm_parts(final, Xt, y, names, cv, options, timings, counts, say)
            provenance["family"] = parts.pop("family")
        else:
            parts = _linear_parts(
                final, Xt, y, names, cv, options, timings, counts, say
            )
        if mlp is not None and parts.get("mlp") is None:
            inner = mlp[-1] if hasattr(mlp, "steps") else mlp
            if not is_fitted(inner):
                raise ValueError("mlp= must be a fitted estimator.")
            parts["mlp"] = sections.mlp_section(inner, names)
        timings["total"] = time.perf_counter() - t_start
        return cls(feature_names=names, provenance=provenance, estimator=top, **parts)

    @property
    def headline(self) -> dict:
        """The answer first: model, CV score, selected / stable counts, warnings.

        A dict with ``model``, ``family``, ``penalty`` (the factors and bounds in
        one line, ``None`` for the plain penalty), ``cv_mse`` / ``cv_rmse`` /
        ``cv_r2`` at the model's alpha (``cv_r2 = 1 - CV MSE / Var(y)``),
        ``n_selected``,
        ``n_features``, ``n_selected_stable`` and ``banners`` (a list of
        ``{"kind", "title", "text"}``: ``"convergence"``, ``"path"``, ``"edge"``,
        ``"unstable"``).
        """
        return _summary.headline(self)

    # -- outputs ----------------------------------------------------------------------
    def to_dict(self) -> dict:
        """Return the report as JSON-safe nested dicts and lists (no pandas needed).

        Arrays become lists and NaN becomes ``None``.
        """
        return _render.to_dict(self)

    def to_json(self, path=None, *, indent: int = 2) -> str:
        """Return the report as JSON; also write it (atomically) to ``path`` if given.

        Parameters
        ----------
        path : str or path-like, default=None
            File to write.
        indent : int, default=2
            JSON indentation.

        Returns
        -------
        text : str
        """
        return _render.to_json(self, path, indent=indent)

    def to_text(self, *, max_rows: int = 20) -> str:
        """Return the fixed-width text report (``str(report)``), at most 88 columns.

        Parameters
        ----------
        max_rows : int, default=20
            Rows of the path summary (evenly spaced, alpha_min and alpha_1se kept).

        Returns
        -------
        text : str
        """
        return _render.to_text(self, max_rows=max_rows)

    def to_frame(self, section: str = "features"):
        """Return one section as a pandas DataFrame (needs pandas).

        Parameters
        ----------
        section : {"features", "path", "stability", "mlp"}, default="features"
            ``"stability"`` is the selection-probability matrix (features by alphas).

        Returns
        -------
        frame : pandas.DataFrame
        """
        return _render.to_frame(self, section)

    def to_html(self, path=None, *, figures: bool = True) -> str:
        """Return a self-contained HTML page; also write it (atomically) to ``path``.

        Tables are inline; figures are inline PNGs when matplotlib is installed
        (otherwise the page says so and keeps the tables).

        Parameters
        ----------
        path : str or path-like, default=None
            File to write.
        figures : bool, default=True
            Include the figures.

        Returns
        -------
        html : str
        """
        return _render.to_html(self, path, figures=figures)

    def _repr_html_(self) -> str:
        return _render.to_html(self, None, figures=True, standalone=False)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return (
            f"<FeatureSelectionReport: {self.provenance['model']}, "
            f"{len(self.selected)} of {len(self.feature_names)} features selected>"
        )


# -- the sections of each kind of model ------------------------------------------
def _mlp_parts(final, names) -> dict:
    """Report a fitted MLP with ``feature_importances_``: its input selection."""
    section = sections.mlp_section(final, names)
    features = [
        {"name": n, "selected": bool(s)}
        for n, s in zip(names, section["selected_mask"], strict=True)
    ]
    return {"selected": list(section["selected"]), "features": features,
            "mlp": section}  # fmt: skip


def _mlp_cv_parts(final, Xt, y, names, options, timings, say) -> dict:
    """Report a ``RegularizedMLP*CV``: its selection, path, curves and stability."""
    section = _mlp.section(final, Xt, np.asarray(y).ravel(), names, options,
                           timings, say)  # fmt: skip
    stab = section["stability"]
    features = []
    for j, name in enumerate(names):
        row = {
            "name": name,
            "selected": bool(section["selected_mask"][j]),
            "importance": float(section["importances"][j]),
            "exit_alpha": float(section["exit_alphas"][j]),
        }
        if stab is not None:
            row["selected_frequency"] = float(stab["selected_frequency"][j])
            row["probability_at_alpha"] = float(stab["at_model_alpha"][j])
        features.append(row)
    return {"selected": list(section["selected"]), "features": features,
            "mlp": section}  # fmt: skip


def _linear_parts(final, Xt, y, names, cv, options, timings, counts, say) -> dict:
    """Report an elastic net / lasso: CV curve, path, folds, stability, diagnostics."""
    y = np.asarray(y, dtype=np.float64).ravel()
    curve = sections.cv_curve(final, Xt, y, cv, timings, counts, say)
    path = sections.full_path(final, Xt, y, curve, timings, counts, say)
    coef = np.asarray(final.coef_, dtype=np.float64).ravel()
    selected = [n for n, c in zip(names, coef, strict=True) if c != 0]
    freq, signs = sections.fold_selection(final, Xt, y, path, cv, timings, counts, say)
    stability, stab_prob, stable = sections.stability_section(
        final, Xt, y, path, names, options, timings, say
    )
    features = sections.feature_rows(
        names, coef, path, Xt, freq, signs, stab_prob, stable
    )
    diagnostics = sections.diagnostics(
        final, Xt, y, coef, path, selected, stability, counts,
        options["collinearity_threshold"],
    )  # fmt: skip
    return {"selected": selected, "features": features, "path": path,
            "stability": stability, "diagnostics": diagnostics}  # fmt: skip


def _glm_parts(final, Xt, y, names, cv, options, timings, counts, say) -> dict:
    """Report a sparse GLM: the same sections on its deviance (see ``_glm``)."""
    family = _glm.family_of(final)
    y, Y = _glm.encode(final, family, y)
    counting = sections.counting
    curve = _glm.cv_curve(final, family, Xt, y, Y, cv, timings, counts, counting, say)
    path = _glm.full_path(final, family, Xt, Y, curve, timings, counts, counting, say)
    freq, signs, accuracy = _glm.fold_selection(
        final, family, Xt, y, Y, path, cv, timings, counts, counting, say
    )
    path["cv_accuracy"] = accuracy
    stability, stab_prob, stable = _glm.stability_section(
        final, family, Xt, Y, path, names, options, timings, say
    )
    features, coef = _glm.feature_rows(
        final, names, path, Xt, freq, signs, stab_prob, stable
    )
    selected = [n for n, c in zip(names, coef, strict=True) if c != 0]
    convergence = _glm.model_convergence(final, family, Xt, Y, path)
    diagnostics = sections.convergence_diagnostics(
        final, Xt, coef, path, selected, stability, counts,
        options["collinearity_threshold"], convergence,
    )  # fmt: skip
    return {"selected": selected, "features": features, "path": path,
            "stability": stability, "diagnostics": diagnostics,
            "family": family}  # fmt: skip
