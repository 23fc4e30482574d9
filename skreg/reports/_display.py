"""Plots in scikit-learn's Display pattern (``from_estimator`` / ``plot``).

matplotlib is optional: it is imported when a plot is drawn, and its absence raises an
``ImportError`` naming the ``plot`` extra. Each display stores the numbers it plots, so
``plot`` can be called again on other axes; ``from_report`` draws from a
:class:`FeatureSelectionReport` without refitting.
"""

from __future__ import annotations

import numpy as np

from skreg.utils._validation import check_is_fitted

__all__ = [
    "CVCurveDisplay",
    "RegularizationPathDisplay",
    "StabilityPathDisplay",
    "TrainingCurveDisplay",
]


def _legend_label(name, width: int = 30) -> str:
    """Turn a feature name into literal legend text.

    Names come from data files: control characters are escaped and long names cut
    (``clean_text``), ``$`` is escaped so that matplotlib does not parse the name as
    mathtext (an unbalanced ``$\\frac{`` would fail the whole figure), and a
    leading underscore, which tells matplotlib to leave the line out of the legend,
    gets a space in front.
    """
    from skreg.reports._render import clean_text

    label = clean_text(name, width).replace("$", r"\$")
    return " " + label if label.startswith("_") else label


def _require_matplotlib(what: str):
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"{what} needs matplotlib, which is not installed: "
            "pip install 'skreg[plot]'"
        ) from exc


def _axes(ax, what):
    _require_matplotlib(what)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax, ax.figure


def _mark_alphas(ax, alpha_min, alpha_1se):
    lines = []
    if alpha_min is not None:
        lines.append(ax.axvline(alpha_min, color="k", ls="--", lw=1, label="alpha_min"))
    if alpha_1se is not None:
        lines.append(ax.axvline(alpha_1se, color="k", ls=":", lw=1, label="alpha_1se"))
    return lines


def _final_step(estimator):
    if hasattr(estimator, "best_estimator_"):
        estimator = estimator.best_estimator_
    return estimator[-1] if hasattr(estimator, "steps") else estimator


class RegularizationPathDisplay:
    """Coefficients along the regularization path, alpha decreasing to the right.

    Parameters
    ----------
    alphas : ndarray of shape (n_alphas,)
        The alphas, decreasing.
    coefs : ndarray of shape (n_features, n_alphas)
        Coefficients along the path.
    feature_names : list of str, default=None
        Line labels (legend shown for at most 12 features).
    alpha_min, alpha_1se : float, default=None
        Marked with vertical lines.
    l1_ratio : float, default=None
        Shown in the title.

    Attributes
    ----------
    lines_ : list of matplotlib Line2D
        One line per feature.
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
    >>> len(disp.lines_)
    10
    """

    def __init__(
        self, alphas, coefs, *, feature_names=None, alpha_min=None, alpha_1se=None,
        l1_ratio=None,
    ):  # fmt: skip
        self.alphas = np.asarray(alphas)
        self.coefs = np.asarray(coefs)
        self.feature_names = feature_names
        self.alpha_min = alpha_min
        self.alpha_1se = alpha_1se
        self.l1_ratio = l1_ratio

    def plot(self, ax=None, *, legend=None):
        """Draw the path.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when ``None``.
        legend : bool, default=None
            Show a legend (default: when there are at most 12 features).

        Returns
        -------
        display : RegularizationPathDisplay
        """
        ax, fig = _axes(ax, "RegularizationPathDisplay")
        names = self.feature_names or [f"x{j}" for j in range(self.coefs.shape[0])]
        self.lines_ = [
            ax.plot(self.alphas, c, lw=1.3, label=_legend_label(n))[0]
            for c, n in zip(self.coefs, names, strict=True)
        ]
        _mark_alphas(ax, self.alpha_min, self.alpha_1se)
        ax.set_xscale("log")
        if not ax.xaxis_inverted():
            ax.invert_xaxis()
        ax.axhline(0, color="0.6", lw=0.8)
        ax.set_xlabel("alpha (log scale, decreasing)")
        ax.set_ylabel("coefficient")
        title = "Regularization path"
        if self.l1_ratio is not None:
            title += f" (l1_ratio={self.l1_ratio:g})"
        ax.set_title(title)
        if legend or (legend is None and len(names) <= 12):
            ax.legend(fontsize="small", ncols=2, loc="best")
        self.ax_, self.figure_ = ax, fig
        return self

    @classmethod
    def from_estimator(
        cls, estimator, X, y, *, alphas=None, feature_names=None, ax=None
    ):
        """Compute the path with the estimator's ``l1_ratio`` and plot it.

        Parameters
        ----------
        estimator : estimator
            A skreg linear model or CV estimator (fitted or not), possibly the last
            step of a ``Pipeline``, whose earlier steps are fitted on ``X``.
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target values.
        alphas : int or array-like, default=None
            Grid of the path: a fitted CV estimator's ``alphas_`` by default, else
            100 alphas.
        feature_names : list of str, default=None
            Line labels.
        ax : matplotlib Axes, default=None
            Axes to draw on.

        Returns
        -------
        display : RegularizationPathDisplay
        """
        from skreg._path import enet_path

        _require_matplotlib("RegularizationPathDisplay")
        final = _final_step(estimator)
        if hasattr(estimator, "steps") and len(estimator.steps) > 1:
            prefix = estimator[:-1]
            try:
                check_is_fitted(prefix)
                X = prefix.transform(X)
            except Exception:  # noqa: BLE001 - an unfitted prefix is fitted here
                X = prefix.fit_transform(X, y)
        alpha_min = alpha_1se = None
        if hasattr(final, "l1_ratio_"):
            l1_ratio = float(final.l1_ratio_)
            if alphas is None:
                grid = np.atleast_2d(final.alphas_)
                l1s = np.atleast_1d(np.asarray(final.l1_ratio, dtype=float))
                alphas = (
                    grid[int(np.flatnonzero(l1s == l1_ratio)[0])]
                    if len(grid) > 1
                    else grid[0]
                )
            alpha_min = getattr(final, "alpha_min_", None)
            alpha_1se = getattr(final, "alpha_1se_", None)
        else:
            l1_ratio = float(getattr(final, "l1_ratio", 1.0))
        if l1_ratio <= 0:
            raise ValueError("The path needs l1_ratio > 0.")
        if alphas is None:
            alphas = 100
        grid, coefs, *_ = enet_path(
            X,
            y,
            l1_ratio=l1_ratio,
            alphas=alphas,
            fit_intercept=getattr(final, "fit_intercept", True),
        )
        if feature_names is None and hasattr(X, "columns"):
            feature_names = [str(c) for c in X.columns]
        disp = cls(
            grid,
            coefs,
            feature_names=feature_names,
            alpha_min=alpha_min,
            alpha_1se=alpha_1se,
            l1_ratio=l1_ratio,
        )
        return disp.plot(ax=ax)

    @classmethod
    def from_report(cls, report, *, ax=None):
        """Plot the path stored in a :class:`FeatureSelectionReport`.

        Parameters
        ----------
        report : FeatureSelectionReport
            A report with a path section.
        ax : matplotlib Axes, default=None
            Axes to draw on.

        Returns
        -------
        display : RegularizationPathDisplay
        """
        p = report.path
        return cls(
            p["alphas"],
            p["coefs"],
            feature_names=report.feature_names,
            alpha_min=p["alpha_min"],
            alpha_1se=p["alpha_1se"],
            l1_ratio=p["l1_ratio"],
        ).plot(ax=ax)


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
        self, alphas, mse_mean, mse_se, *, alpha_min, alpha_1se, l1_ratio=None
    ):
        self.alphas = np.asarray(alphas)
        self.mse_mean = np.asarray(mse_mean)
        self.mse_se = np.asarray(mse_se)
        self.alpha_min = alpha_min
        self.alpha_1se = alpha_1se
        self.l1_ratio = l1_ratio

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
        ax, fig = _axes(ax, "CVCurveDisplay")
        (self.line_,) = ax.plot(self.alphas, self.mse_mean, color="C3", label="mean")
        self.band_ = ax.fill_between(
            self.alphas,
            self.mse_mean - self.mse_se,
            self.mse_mean + self.mse_se,
            color="C3",
            alpha=0.2,
            label="± 1 standard error",
        )
        _mark_alphas(ax, self.alpha_min, self.alpha_1se)
        ax.set_xscale("log")
        if not ax.xaxis_inverted():
            ax.invert_xaxis()
        ax.set_xlabel("alpha (log scale, decreasing)")
        ax.set_ylabel("cross-validated mean squared error")
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
            Fitted, or unfitted with ``X`` and ``y`` given; possibly the last step of
            a ``Pipeline``. With several ``l1_ratio``, the curve of ``l1_ratio_``.
        X, y : array-like, default=None
            Data to fit an unfitted estimator on.
        ax : matplotlib Axes, default=None
            Axes to draw on.

        Returns
        -------
        display : CVCurveDisplay
        """
        _require_matplotlib("CVCurveDisplay")
        final = _final_step(estimator)
        if not hasattr(final, "mse_path_"):
            if X is None:
                raise ValueError(
                    "The estimator is not fitted: pass X and y to fit it, or fit it."
                )
            estimator.fit(X, y)
            final = _final_step(estimator)
        mse = final.mse_path_
        i = 0
        if mse.ndim == 3:
            l1s = np.atleast_1d(np.asarray(final.l1_ratio, dtype=float))
            i = int(np.flatnonzero(l1s == final.l1_ratio_)[0])
            mse = mse[i]
        return cls(
            np.atleast_2d(final.alphas_)[i],
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
        return cls(
            p["alphas"],
            p["cv_mean"],
            p["cv_se"],
            alpha_min=p["alpha_min"],
            alpha_1se=p["alpha_1se"],
            l1_ratio=p["l1_ratio"],
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

    def plot(self, ax=None):
        """Draw the stability paths.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when ``None``.

        Returns
        -------
        display : StabilityPathDisplay
        """
        ax, fig = _axes(ax, "StabilityPathDisplay")
        p = self.probabilities.shape[0]
        names = self.feature_names or [f"x{j}" for j in range(p)]
        stable = (
            np.zeros(p, dtype=bool) if self.stable is None else np.asarray(self.stable)
        )
        self.lines_ = []
        k = 0
        for j in range(p):
            if stable[j]:
                line = ax.plot(
                    self.alphas, self.probabilities[j], lw=1.8, color=f"C{k % 10}",
                    label=_legend_label(names[j]),
                )[0]  # fmt: skip
                k += 1
            else:
                line = ax.plot(self.alphas, self.probabilities[j], lw=0.8, color="0.7")[
                    0
                ]
            self.lines_.append(line)
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
        ax.set_title("Stability paths")
        ax.legend(fontsize="small", loc="lower right")
        self.ax_, self.figure_ = ax, fig
        return self

    @classmethod
    def from_estimator(cls, estimator, X=None, y=None, *, feature_names=None, ax=None):
        """Plot a :class:`StabilitySelector` (fitted, or fitted here on ``X, y``).

        Parameters
        ----------
        estimator : StabilitySelector
            Possibly the last step of a ``Pipeline``.
        X, y : array-like, default=None
            Data to fit an unfitted selector on.
        feature_names : list of str, default=None
            Labels (default: ``feature_names_in_`` or ``x0, x1, ...``).
        ax : matplotlib Axes, default=None
            Axes to draw on.

        Returns
        -------
        display : StabilityPathDisplay
        """
        _require_matplotlib("StabilityPathDisplay")
        final = _final_step(estimator)
        if not hasattr(final, "selection_probabilities_"):
            if X is None:
                raise ValueError(
                    "The selector is not fitted: pass X and y to fit it, or fit it."
                )
            estimator.fit(X, y)
            final = _final_step(estimator)
        if feature_names is None and hasattr(final, "feature_names_in_"):
            feature_names = [str(n) for n in final.feature_names_in_]
        return cls(
            final.alphas_,
            final.selection_probabilities_,
            feature_names=feature_names,
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
        ax, fig = _axes(ax, "TrainingCurveDisplay")
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
        _require_matplotlib("TrainingCurveDisplay")
        final = _final_step(estimator)
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
