"""Plots in scikit-learn's Display pattern (``from_estimator`` / ``plot``).

matplotlib is optional: it is imported when a plot is drawn, and its absence raises an
``ImportError`` naming the ``plot`` extra. Each display stores the numbers it plots, so
``plot`` can be called again on other axes; ``from_report`` draws from a
:class:`FeatureSelectionReport` without refitting.
"""

from __future__ import annotations

import numpy as np

from skreg.reports import _plotting as plotting
from skreg.reports._estimators import feature_names as _feature_names
from skreg.reports._format import distinct_labels
from skreg.reports._io import require_matplotlib

__all__ = [
    "CVCurveDisplay",
    "RegularizationPathDisplay",
    "StabilityPathDisplay",
    "TrainingCurveDisplay",
]


class RegularizationPathDisplay:
    """Coefficients along the regularization path, glmnet style.

    Coefficient curves against alpha (log scale, decreasing to the right), the
    selected alphas marked, the leading features named at the right edge (no legend
    over the curves; colours do not repeat among the named ones) and the number of
    non-zero coefficients on a top axis. With many features only the first
    ``max_lines`` to enter the path are drawn, and the figure says how many are left
    out.

    Parameters
    ----------
    alphas : ndarray of shape (n_alphas,)
        The alphas, decreasing.
    coefs : ndarray of shape (n_features, n_alphas)
        Coefficients along the path.
    feature_names : list of str, default=None
        Names of the features (default ``x0, x1, ...``).
    alpha_min, alpha_1se : float, default=None
        Marked with vertical lines.
    l1_ratio : float, default=None
        Shown in the title.
    coef_label : str, default="coefficient"
        The y axis (a multinomial model's path shows each feature's L2 norm across
        the classes).

    Attributes
    ----------
    lines_ : list of matplotlib Line2D
        One line per feature drawn, in feature order.
    shown_ : ndarray of int
        Indices of the features drawn.
    n_hidden_ : int
        Features not drawn (``max_lines`` exceeded).
    labels_ : list of matplotlib Text
        The names at the right edge (or the legend's texts with ``legend=True``).
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_diabetes
    >>> from skreg import Lasso
    >>> from skreg.reports import RegularizationPathDisplay
    >>> X, y = load_diabetes(return_X_y=True)
    >>> disp = RegularizationPathDisplay.from_estimator(Lasso(), X, y, alphas=20)
    >>> len(disp.lines_), disp.n_hidden_
    (10, 0)
    """

    def __init__(
        self, alphas, coefs, *, feature_names=None, alpha_min=None, alpha_1se=None,
        l1_ratio=None, coef_label="coefficient",
    ):  # fmt: skip
        self.alphas = np.asarray(alphas)
        self.coefs = np.asarray(coefs)
        self.feature_names = feature_names
        self.alpha_min = alpha_min
        self.alpha_1se = alpha_1se
        self.l1_ratio = l1_ratio
        self.coef_label = coef_label

    def plot(self, ax=None, *, legend=None, max_lines=30, n_labels=10):
        """Draw the path.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when ``None``.
        legend : bool, default=None
            ``True`` puts the names in a legend instead of at the right edge.
        max_lines : int, default=30
            Draw at most this many features: the first to enter the path (ties by
            largest ``|coef|``). The rest are counted in the figure.
        n_labels : int, default=10
            Name at most this many of the drawn features at the right edge (those
            with the largest ``|coef|`` at the smallest alpha), each in its own
            colour; the others are drawn thin and grey.

        Returns
        -------
        display : RegularizationPathDisplay
        """
        ax, fig = plotting.axes(ax, "RegularizationPathDisplay")
        p = self.coefs.shape[0]
        names = self.feature_names or [f"x{j}" for j in range(p)]
        shown = (
            plotting.top_features(self.coefs, max_lines)
            if p > max_lines
            else np.arange(p)
        )
        end = self.coefs[shown, -1]
        ranked = shown[np.argsort(-np.abs(end), kind="stable")]
        named = np.sort(ranked[: min(n_labels, len(shown))])
        palette = plotting.palette(len(named))
        colour = {j: palette[k] for k, j in enumerate(named)}
        self.lines_ = []
        for j in shown:
            style = {"color": colour[j], "lw": 1.6} if j in colour else {}
            style = style or {"color": "0.72", "lw": 0.8}
            label = plotting.legend_label(names[j])
            (line,) = ax.plot(self.alphas, self.coefs[j], label=label, **style)
            self.lines_.append(line)
        self.shown_, self.n_hidden_ = shown, int(p - len(shown))
        markers = plotting.mark_alphas(ax, self.alpha_min, self.alpha_1se)
        ax.set_xscale("log")
        if not ax.xaxis_inverted():
            ax.invert_xaxis()
        ax.axhline(0, color="0.6", lw=0.8)
        ax.set_xlabel("alpha (log scale, decreasing)")
        ax.set_ylabel(self.coef_label)
        title = "Regularization path"
        if self.l1_ratio is not None:
            title += f" (l1_ratio={self.l1_ratio:g})"
        ax.set_title(title, fontsize="medium")
        self._top_axis(ax)
        if legend:
            leg = ax.legend(fontsize="small", ncols=2, loc="best")
            self.labels_ = list(leg.get_texts())
        else:
            self.labels_ = self._edge_labels(ax, named, names, colour)
            if markers:
                ax.legend(handles=markers, fontsize="small", loc="upper left")
        if self.n_hidden_:
            ax.text(
                0.01, 0.01,
                f"{len(shown)} of {p} features drawn (first to enter); "
                f"{self.n_hidden_} left out",
                transform=ax.transAxes, fontsize="x-small", color="0.3",
            )  # fmt: skip
        self.ax_, self.figure_ = ax, fig
        return self

    def _top_axis(self, ax):
        """Show the number of non-zero coefficients at a few alphas, on top."""
        df = (self.coefs != 0).sum(axis=0)
        n = len(self.alphas)
        if n < 2:
            return
        idx = np.unique(np.round(np.linspace(0, n - 1, min(7, n))).astype(int))
        top = ax.secondary_xaxis("top")
        top.set_xticks(self.alphas[idx], labels=[str(int(df[i])) for i in idx])
        top.tick_params(labelsize="small")
        top.set_xlabel("non-zero coefficients", fontsize="small")
        top.xaxis.set_minor_locator(plotting.null_locator())

    def _edge_labels(self, ax, named, names, colour):
        """Names at the right edge, at each curve's last value, spread apart."""
        if len(named) == 0:
            return []
        from matplotlib.transforms import blended_transform_factory

        lo, hi = ax.get_ylim()
        gap = 0.055 * (hi - lo)
        ys = plotting.spread(self.coefs[named, -1], gap)
        texts = distinct_labels([names[j] for j in named], 28)
        trans = blended_transform_factory(ax.transAxes, ax.transData)
        out = []
        for j, y_end, y_text, text in zip(
            named, self.coefs[named, -1], ys, texts, strict=True
        ):
            out.append(
                ax.annotate(
                    plotting.literal(text),
                    xy=(1.0, y_end),
                    xytext=(1.02, y_text),
                    xycoords=trans,
                    textcoords=trans,
                    fontsize="small",
                    color=colour[j],
                    va="center",
                    annotation_clip=False,
                    arrowprops={"arrowstyle": "-", "color": colour[j], "lw": 0.5},
                )  # fmt: skip
            )
        ax.set_ylim(lo, hi)
        return out

    @classmethod
    def from_estimator(
        cls, estimator, X, y, *, alphas=None, feature_names=None, ax=None
    ):
        """Compute the path of the estimator's objective and plot it.

        The path has the estimator's ``l1_ratio``, ``penalty_factor``, bounds,
        ``positive``, ``fit_intercept``, ``tol`` and ``max_iter``: at the model's
        alpha it is the fitted model.

        Parameters
        ----------
        estimator : estimator
            A skreg linear model or CV estimator, alone, as the last step of a
            ``Pipeline`` or inside a search (``GridSearchCV``); fitted or not (an
            unfitted one is fitted on ``X``, ``y`` first).
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target values.
        alphas : int or array-like, default=None
            Grid of the path: a CV estimator's ``alphas_`` by default, else 100
            alphas.
        feature_names : list of str, default=None
            Names of the columns of ``X`` (default: the DataFrame's columns),
            passed through a pipeline's ``get_feature_names_out``.
        ax : matplotlib Axes, default=None
            Axes to draw on.

        Returns
        -------
        display : RegularizationPathDisplay
        """
        from skreg.reports import _glm, _sections

        require_matplotlib("RegularizationPathDisplay")
        prefix, final, Xt = plotting.resolve(
            estimator, X, y, "RegularizationPathDisplay"
        )
        alpha_min = alpha_1se = None
        if hasattr(final, "l1_ratio_"):  # a fitted CV estimator
            l1_ratio = float(final.l1_ratio_)
            if alphas is None:
                alphas = np.atleast_2d(final.alphas_)[plotting.curve_index(final)]
            alpha_min = getattr(final, "alpha_min_", None)
            alpha_1se = getattr(final, "alpha_1se_", None)
            if _glm.is_glm(final):  # SparseLogisticRegressionCV: alpha_ is the min
                alpha_min = final.alpha_
        else:
            l1_ratio = float(getattr(final, "l1_ratio", 1.0))
        if l1_ratio <= 0:
            raise ValueError("The path needs l1_ratio > 0.")
        label = "coefficient"
        if _glm.is_glm(final):
            grid, coefs, label = _glm.display_path(final, Xt, y, l1_ratio, alphas)
        else:  # the model's objective: its factors, bounds, tol, max_iter
            grid, coefs, *_ = _sections.path_fit(
                final, Xt, np.asarray(y, dtype=np.float64).ravel(),
                l1_ratio=l1_ratio, alphas=100 if alphas is None else alphas,
            )  # fmt: skip
        names = _feature_names(feature_names, X, prefix, Xt.shape[1], final)
        disp = cls(
            grid, coefs, feature_names=names, alpha_min=alpha_min,
            alpha_1se=alpha_1se, l1_ratio=l1_ratio, coef_label=label,
        )  # fmt: skip
        return disp.plot(ax=ax)

    @classmethod
    def from_report(cls, report, *, ax=None, max_lines=30):
        """Plot the path stored in a :class:`FeatureSelectionReport`.

        Parameters
        ----------
        report : FeatureSelectionReport
            A report with a path section.
        ax : matplotlib Axes, default=None
            Axes to draw on.
        max_lines : int, default=30
            Draw at most this many features (see :meth:`plot`).

        Returns
        -------
        display : RegularizationPathDisplay
        """
        p = report.path
        multi = p.get("coef_summary") == "l2 norm across classes"
        return cls(
            p["alphas"],
            p["coefs"],
            feature_names=report.feature_names,
            alpha_min=p["alpha_min"],
            alpha_1se=p["alpha_1se"],
            l1_ratio=p["l1_ratio"],
            coef_label="coefficient norm across classes" if multi else "coefficient",
        ).plot(ax=ax, max_lines=max_lines)


class CVCurveDisplay:
    """Cross-validated mean squared error against alpha, with its standard error.

    ``alpha_min`` (the minimum) and ``alpha_1se`` (glmnet's one-standard-error rule)
    are marked.

    Parameters
    ----------
    alphas : ndarray of shape (n_alphas,)
        The alphas.
    mse_mean : ndarray of shape (n_alphas,)
        Mean held-out error over the folds.
    mse_se : ndarray of shape (n_alphas,)
        Its standard error.
    alpha_min, alpha_1se : float
        The selected alphas.
    l1_ratio : float, default=None
        Shown in the title.
    score_name : str, default="mean squared error"
        What the curve measures (the GLMs: ``"deviance"``; the MLP selectors:
        ``"held-out loss"``), on the y axis.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The mean curve.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_diabetes
    >>> from skreg import LassoCV
    >>> from skreg.reports import CVCurveDisplay
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = LassoCV(cv=3, alphas=20).fit(X, y)
    >>> disp = CVCurveDisplay.from_estimator(model)
    >>> disp.alpha_1se >= disp.alpha_min
    True
    """

    def __init__(
        self, alphas, mse_mean, mse_se, *, alpha_min, alpha_1se, l1_ratio=None,
        score_name="mean squared error",
    ):  # fmt: skip
        self.alphas = np.asarray(alphas)
        self.mse_mean = np.asarray(mse_mean)
        self.mse_se = np.asarray(mse_se)
        self.alpha_min = alpha_min
        self.alpha_1se = alpha_1se
        self.l1_ratio = l1_ratio
        self.score_name = score_name

    def plot(self, ax=None):
        """Draw the curve with a ± one standard error band.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when ``None``.

        Returns
        -------
        display : CVCurveDisplay
        """
        ax, fig = plotting.axes(ax, "CVCurveDisplay")
        (self.line_,) = ax.plot(self.alphas, self.mse_mean, color="C3", label="mean")
        self.band_ = ax.fill_between(
            self.alphas,
            self.mse_mean - self.mse_se,
            self.mse_mean + self.mse_se,
            color="C3",
            alpha=0.2,
            label="± 1 standard error",
        )
        plotting.mark_alphas(ax, self.alpha_min, self.alpha_1se)
        ax.set_xscale("log")
        if not ax.xaxis_inverted():
            ax.invert_xaxis()
        ax.set_xlabel("alpha (log scale, decreasing)")
        ax.set_ylabel(f"cross-validated {self.score_name}")
        title = "Cross-validation curve"
        if self.l1_ratio is not None:
            title += f" (l1_ratio={self.l1_ratio:g})"
        ax.set_title(title)
        ax.legend(fontsize="small")
        self.ax_, self.figure_ = ax, fig
        return self

    @classmethod
    def from_estimator(cls, estimator, X=None, y=None, *, ax=None):
        """Plot the CV curve of a skreg ``ElasticNetCV`` / ``LassoCV``.

        Parameters
        ----------
        estimator : ElasticNetCV or LassoCV
            Fitted, or unfitted with ``X`` and ``y`` given (fitted here, in place);
            alone, the last step of a ``Pipeline`` or inside a search. With several
            ``l1_ratio``, the curve of ``l1_ratio_``.
        X, y : array-like, default=None
            Data to fit an unfitted estimator on.
        ax : matplotlib Axes, default=None
            Axes to draw on.

        Returns
        -------
        display : CVCurveDisplay
        """
        require_matplotlib("CVCurveDisplay")
        _, final, _ = plotting.resolve(estimator, X, y, "CVCurveDisplay")
        if hasattr(final, "mean_score_path_"):  # SparseLogisticRegressionCV
            i = plotting.curve_index(final)
            return cls(
                np.atleast_2d(final.alphas_)[i], final.mean_score_path_[i],
                final.se_score_path_[i], alpha_min=final.alpha_,
                alpha_1se=final.alpha_1se_, l1_ratio=float(final.l1_ratio_),
                score_name="deviance" if final.scoring is None
                else f"minus {final.scoring}",
            ).plot(ax=ax)  # fmt: skip
        if hasattr(final, "cv_score_path_"):  # the MLP selectors
            return cls(
                final.alphas_, final.cv_score_path_.mean(axis=1), final.cv_score_se_,
                alpha_min=final.alpha_min_, alpha_1se=final.alpha_1se_,
                score_name="held-out loss",
            ).plot(ax=ax)  # fmt: skip
        if not hasattr(final, "mse_path_"):
            raise TypeError(
                "CVCurveDisplay needs a CV estimator (skreg.ElasticNetCV, "
                "skreg.LassoCV, skreg.SparseLogisticRegressionCV or a "
                "RegularizedMLP*CV); got "
                f"{type(final).__name__}. FeatureSelectionReport computes the curve "
                "of any model: CVCurveDisplay.from_report(report)."
            )
        i = plotting.curve_index(final)
        mse = final.mse_path_ if final.mse_path_.ndim == 2 else final.mse_path_[i]
        return cls(
            final.alphas_ if np.ndim(final.alphas_) == 1 else final.alphas_[i],
            mse.mean(axis=1),
            np.atleast_2d(final.cv_se_)[i],
            alpha_min=final.alpha_min_,
            alpha_1se=final.alpha_1se_,
            l1_ratio=float(final.l1_ratio_),
        ).plot(ax=ax)

    @classmethod
    def from_report(cls, report, *, ax=None):
        """Plot the CV curve stored in a :class:`FeatureSelectionReport`.

        Parameters
        ----------
        report : FeatureSelectionReport
            A report with a path section.
        ax : matplotlib Axes, default=None
            Axes to draw on.

        Returns
        -------
        display : CVCurveDisplay
        """
        p = report.path
        score, l1_ratio = "mean squared error", None
        if p is None:  # an MLP selector: its validation curve along the path
            p, score = report.mlp["path"], "held-out loss"
        else:
            l1_ratio = p["l1_ratio"]
            if p.get("family") is not None:
                score = p["score"]
        return cls(
            p["alphas"],
            p["cv_mean"],
            p["cv_se"],
            alpha_min=p["alpha_min"],
            alpha_1se=p["alpha_1se"],
            l1_ratio=l1_ratio,
            score_name=score,
        ).plot(ax=ax)


class StabilityPathDisplay:
    """Selection probability of each feature against alpha (stability paths).

    The stable features are drawn in colour, the others in grey; the threshold is a
    horizontal line and the region of alphas used for the stable set is shaded.

    Parameters
    ----------
    alphas : ndarray of shape (n_alphas,)
        The alphas, decreasing.
    probabilities : ndarray of shape (n_features, n_alphas)
        Selection probabilities.
    feature_names : list of str, default=None
        Labels of the stable features.
    threshold : float, default=None
        The threshold ``pi_thr``.
    stable : ndarray of shape (n_features,) of bool, default=None
        The stable set.
    n_region : int, default=None
        Number of alphas (from the first) in the region.

    Attributes
    ----------
    lines_ : list of matplotlib Line2D
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import make_regression
    >>> from skreg.reports import StabilityPathDisplay, StabilitySelector
    >>> X, y = make_regression(n_samples=60, n_features=6, n_informative=2,
    ...                        random_state=0)
    >>> sel = StabilitySelector(n_bootstrap=10, random_state=0)
    >>> disp = StabilityPathDisplay.from_estimator(sel, X, y)
    >>> len(disp.lines_)
    6
    """

    def __init__(
        self, alphas, probabilities, *, feature_names=None, threshold=None,
        stable=None, n_region=None,
    ):  # fmt: skip
        self.alphas = np.asarray(alphas)
        self.probabilities = np.asarray(probabilities)
        self.feature_names = feature_names
        self.threshold = threshold
        self.stable = stable
        self.n_region = n_region

    def plot(self, ax=None, *, max_lines=30):
        """Draw the stability paths.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when ``None``.
        max_lines : int, default=30
            Besides the stable features (always drawn, in colour), draw at most this
            many others (the most often selected, in grey); the rest are counted in
            the figure.

        Returns
        -------
        display : StabilityPathDisplay
        """
        ax, fig = plotting.axes(ax, "StabilityPathDisplay")
        p = self.probabilities.shape[0]
        names = self.feature_names or [f"x{j}" for j in range(p)]
        stable = (
            np.zeros(p, dtype=bool) if self.stable is None else np.asarray(self.stable)
        )
        others = np.flatnonzero(~stable)
        if len(others) > max_lines:
            peak = self.probabilities[others].max(axis=1)
            others = np.sort(others[np.argsort(-peak, kind="stable")[:max_lines]])
        shown = np.sort(np.r_[np.flatnonzero(stable), others]).astype(int)
        palette = dict(zip(np.flatnonzero(stable), plotting.palette(int(stable.sum())),
                           strict=True))  # fmt: skip
        self.lines_ = []
        for j in shown:
            if stable[j]:
                line = ax.plot(
                    self.alphas, self.probabilities[j], lw=1.8, color=palette[j],
                    label=plotting.legend_label(names[j]),
                )[0]  # fmt: skip
            else:
                line = ax.plot(self.alphas, self.probabilities[j], lw=0.8, color="0.7")
                line = line[0]
            self.lines_.append(line)
        self.shown_, self.n_hidden_ = shown, int(p - len(shown))
        if self.threshold is not None:
            ax.axhline(self.threshold, color="k", ls="--", lw=1, label="threshold")
        if self.n_region is not None and len(self.alphas) > 1:
            lo = self.alphas[max(self.n_region - 1, 0)]
            ax.axvspan(self.alphas[0], lo, color="C0", alpha=0.08, label="region")
        ax.set_xscale("log")
        if not ax.xaxis_inverted():
            ax.invert_xaxis()
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("alpha (log scale, decreasing)")
        ax.set_ylabel("selection probability")
        title = "Stability paths"
        if self.n_hidden_:
            title += f" ({len(shown)} of {p} features drawn)"
        ax.set_title(title)
        ax.legend(fontsize="small", loc="lower right")
        self.ax_, self.figure_ = ax, fig
        return self

    @classmethod
    def from_estimator(cls, estimator, X=None, y=None, *, feature_names=None, ax=None):
        """Plot a :class:`StabilitySelector` (fitted, or fitted here on ``X, y``).

        Parameters
        ----------
        estimator : StabilitySelector
            Fitted, or unfitted with ``X`` and ``y`` given (fitted here, in place);
            alone, the last step of a ``Pipeline`` or inside a search.
        X, y : array-like, default=None
            Data to fit an unfitted selector on.
        feature_names : list of str, default=None
            Labels (default: the names out of a pipeline's earlier steps, the
            selector's ``feature_names_in_``, or ``x0, x1, ...``).
        ax : matplotlib Axes, default=None
            Axes to draw on.

        Returns
        -------
        display : StabilityPathDisplay
        """
        require_matplotlib("StabilityPathDisplay")
        prefix, final, _ = plotting.resolve(estimator, X, y, "StabilityPathDisplay")
        if not hasattr(final, "selection_probabilities_"):
            raise TypeError(
                "StabilityPathDisplay needs a StabilitySelector; got "
                f"{type(final).__name__}."
            )
        n_features = final.selection_probabilities_.shape[0]
        names = _feature_names(feature_names, X, prefix, n_features, final)
        return cls(
            final.alphas_,
            final.selection_probabilities_,
            feature_names=names,
            threshold=final.threshold,
            stable=final.support_,
            n_region=final.n_region_alphas_,
        ).plot(ax=ax)

    @classmethod
    def from_report(cls, report, *, ax=None):
        """Plot the stability section of a :class:`FeatureSelectionReport`.

        Parameters
        ----------
        report : FeatureSelectionReport
            A report with a stability section.
        ax : matplotlib Axes, default=None
            Axes to draw on.

        Returns
        -------
        display : StabilityPathDisplay
        """
        st = report.stability
        stable = np.isin(report.feature_names, st["stable"])
        return cls(
            st["alphas"],
            st["probabilities"],
            feature_names=report.feature_names,
            threshold=st["threshold"],
            stable=stable,
            n_region=st["n_region"],
        ).plot(ax=ax)


class TrainingCurveDisplay:
    """Training and validation loss per epoch of a regularized MLP.

    Reads ``train_loss_curve_`` (or scikit-learn's ``loss_curve_``),
    ``validation_loss_curve_`` and ``best_epoch_`` when the estimator has them.

    Parameters
    ----------
    train_loss : array-like of shape (n_epochs,)
        Training loss per epoch.
    validation_loss : array-like of shape (n_epochs,), default=None
        Validation loss per epoch.
    best_epoch : int, default=None
        Marked with a vertical line (0-based epoch index).
    estimator_name : str, default=None
        Shown in the title.

    Attributes
    ----------
    train_line_, validation_line_ : matplotlib Line2D
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skreg.reports import TrainingCurveDisplay
    >>> disp = TrainingCurveDisplay([3.0, 2.0, 1.5], [3.1, 2.4, 2.6], best_epoch=1)
    >>> disp.plot().validation_line_.get_ydata().tolist()
    [3.1, 2.4, 2.6]
    """

    def __init__(
        self, train_loss, validation_loss=None, *, best_epoch=None, estimator_name=None
    ):
        self.train_loss = np.asarray(train_loss, dtype=float)
        self.validation_loss = (
            None if validation_loss is None else np.asarray(validation_loss, float)
        )
        self.best_epoch = best_epoch
        self.estimator_name = estimator_name

    def plot(self, ax=None, *, log_scale=False):
        """Draw the curves against the epoch number (1-based).

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when ``None``.
        log_scale : bool, default=False
            Logarithmic loss axis.

        Returns
        -------
        display : TrainingCurveDisplay
        """
        ax, fig = plotting.axes(ax, "TrainingCurveDisplay")
        epochs = np.arange(1, len(self.train_loss) + 1)
        (self.train_line_,) = ax.plot(epochs, self.train_loss, label="training loss")
        self.validation_line_ = None
        if self.validation_loss is not None:
            (self.validation_line_,) = ax.plot(
                np.arange(1, len(self.validation_loss) + 1),
                self.validation_loss,
                label="validation loss",
            )
        if self.best_epoch is not None:
            ax.axvline(
                int(self.best_epoch) + 1, color="k", ls=":", lw=1, label="best epoch"
            )
        if log_scale:
            ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        title = "Training curves"
        if self.estimator_name:
            title += f" ({self.estimator_name})"
        ax.set_title(title)
        ax.legend(fontsize="small")
        self.ax_, self.figure_ = ax, fig
        return self

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, log_scale=False):
        """Plot the curves stored on a fitted MLP (or the last step of a Pipeline).

        Parameters
        ----------
        estimator : estimator
            Fitted, with ``train_loss_curve_`` or ``loss_curve_``.
        ax : matplotlib Axes, default=None
            Axes to draw on.
        log_scale : bool, default=False
            Logarithmic loss axis.

        Returns
        -------
        display : TrainingCurveDisplay
        """
        require_matplotlib("TrainingCurveDisplay")
        final = plotting.final_step(estimator)
        train = getattr(final, "train_loss_curve_", None)
        if train is None:
            train = getattr(final, "loss_curve_", None)
        if train is None:
            raise ValueError(
                f"{type(final).__name__} has no train_loss_curve_ or loss_curve_: "
                "fit it first."
            )
        return cls(
            train,
            getattr(final, "validation_loss_curve_", None),
            best_epoch=getattr(final, "best_epoch_", None),
            estimator_name=type(final).__name__,
        ).plot(ax=ax, log_scale=log_scale)

    @classmethod
    def from_report(cls, report, *, ax=None):
        """Plot the training curves stored in a report's MLP section.

        Parameters
        ----------
        report : FeatureSelectionReport
            A report with an MLP section that has curves.
        ax : matplotlib Axes, default=None
            Axes to draw on.

        Returns
        -------
        display : TrainingCurveDisplay
        """
        m = report.mlp
        return cls(
            m["train_loss_curve"],
            m["validation_loss_curve"],
            best_epoch=m["best_epoch"],
            estimator_name=m["model"],
        ).plot(ax=ax)
