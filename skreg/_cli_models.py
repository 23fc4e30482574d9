"""The model ``skreg report`` fits: its family, read from the target, and its estimator.

The family comes from the target (``--family auto``), by these rules in order:

1. two distinct values (numbers or text) → ``binomial``;
2. at most :data:`MAX_CLASSES` distinct values that are text or integers →
   ``multinomial``;
3. otherwise (numbers) → ``gaussian`` (a regression).

``--family`` overrides the rules: ``binomial`` needs exactly two distinct values,
``multinomial`` at least three, ``gaussian`` and ``poisson`` a numeric target (and
``poisson`` non-negative values, counts or rates). The report says which family was
used and why.
"""

from __future__ import annotations

import numpy as np

FAMILIES = ("auto", "gaussian", "binomial", "multinomial", "poisson")
MODELS = ("linear", "mlp")
# Most distinct labels read as classes by --family auto.
MAX_CLASSES = 20
# The GLMs' CV grid in the command: 30 alphas down to alpha_max / 100.
GLM_N_ALPHAS, GLM_EPS = 30, 1e-2


class FamilyError(ValueError):
    """The target does not fit the family asked for (one line, for the command)."""


def _labels(values, k: int = 5) -> str:
    shown = [
        repr(str(v)) if isinstance(v, str) else str(_number(v)) for v in values[:k]
    ]
    more = f" and {len(values) - k} more" if len(values) > k else ""
    return ", ".join(shown) + more


def _number(v):
    v = float(v)
    return int(v) if v.is_integer() else v


def choose_family(y, family: str = "auto"):
    """Return ``(family, y, reason)`` for the target ``y`` (numbers or text labels).

    Class labels that are whole numbers come back as integers.

    Examples
    --------
    >>> import numpy as np
    >>> from skreg._cli_models import choose_family
    >>> choose_family(np.array([0.0, 1.0, 1.0]))[::2]
    ('binomial', 'binomial: the target has 2 distinct values (0, 1)')
    >>> choose_family(np.array([0.5, 1.5, 2.25]))[0]
    'gaussian'
    """
    text = y.dtype == object
    values = np.unique(y.astype(str) if text else y)
    k = len(values)
    integers = not text and bool(np.all(np.mod(values, 1) == 0))
    what = "text labels" if text else ("integer values" if integers else "values")
    if family == "auto":
        if k == 2:
            family = "binomial"
            reason = f"the target has 2 distinct values ({_labels(values)})"
        elif k <= MAX_CLASSES and (text or integers):
            family = "multinomial"
            reason = (
                f"the target has {k} distinct {what} ({_labels(values)}), at most "
                f"{MAX_CLASSES}: read as classes (--family gaussian or poisson to "
                "fit a regression)"
            )
        elif text:
            raise FamilyError(
                f"the target has {k} distinct text labels ({_labels(values)}): too "
                f"many for classes (at most {MAX_CLASSES} with --family auto); pass "
                "--family multinomial to fit them anyway"
            )
        else:
            family = "gaussian"
            reason = (
                f"the target has {k} distinct numeric values"
                + ("" if integers else ", not all whole numbers")
                + ": a regression"
            )
        return family, _as_labels(y, family, integers), f"{family}: {reason}"
    if family in ("gaussian", "poisson") and text:
        raise FamilyError(
            f"--family {family} needs a numeric target; it holds text labels "
            f"({_labels(values)})"
        )
    if family == "poisson" and values[0] < 0:
        raise FamilyError(
            "--family poisson needs a non-negative target (counts or rates); it "
            f"holds {_number(values[0])}"
        )
    if family == "binomial" and k != 2:
        raise FamilyError(
            f"--family binomial needs a target with 2 distinct values; it has {k} "
            f"({_labels(values)})"
        )
    if family == "multinomial" and k < 3:
        raise FamilyError(
            f"--family multinomial needs at least 3 distinct values; the target has "
            f"{k} ({_labels(values)}): use --family binomial"
        )
    reason = (
        f"{family}: asked for (--family {family}); the target has {k} distinct {what}"
    )
    return family, _as_labels(y, family, integers), reason


def _as_labels(y, family, integers):
    if family in ("binomial", "multinomial") and y.dtype != object and integers:
        return y.astype(np.int64)
    if y.dtype == object:
        return y.astype(str)
    return y


def make_model(args, family: str):
    """Return the command's final estimator for ``family`` and ``--model``."""
    l1 = args.l1_ratio if len(args.l1_ratio) > 1 else args.l1_ratio[0]
    if args.model == "mlp":
        from skreg.neural_network import (
            RegularizedMLPClassifierCV,
            RegularizedMLPRegressorCV,
        )

        if family == "poisson":
            raise FamilyError(
                "--model mlp fits the gaussian, binomial or multinomial family, not "
                "poisson"
            )
        cls = (
            RegularizedMLPRegressorCV
            if family == "gaussian"
            else RegularizedMLPClassifierCV
        )
        return cls(cv=None, random_state=args.random_state)
    if family == "gaussian":
        from skreg.linear_model import ElasticNetCV

        return ElasticNetCV(
            l1_ratio=l1, cv=args.cv, alpha_rule=args.alpha_rule, n_jobs=args.n_jobs,
            max_iter=args.max_iter, tol=args.tol,
        )  # fmt: skip
    glm_iter = {} if args.max_iter_given is None else {"max_iter": args.max_iter}
    if family in ("binomial", "multinomial"):
        from skreg.linear_model import SparseLogisticRegressionCV

        return SparseLogisticRegressionCV(
            alphas=GLM_N_ALPHAS, eps=GLM_EPS, l1_ratio=l1, cv=args.cv,
            n_jobs=args.n_jobs, tol=args.tol, **glm_iter,
        )  # fmt: skip
    from skreg.linear_model import SparsePoissonRegressor

    return SparsePoissonRegressor(tol=args.tol, **glm_iter)


def describe(args, family: str, model) -> str:
    name = type(model).__name__
    if args.model == "mlp":
        return f"{name}(hidden_layer_sizes={model.hidden_layer_sizes}, cv=None)"
    if family == "poisson":
        return (
            f"{name} at the alpha of its {args.cv}-fold CV curve "
            f"(l1_ratio {args.l1_ratio})"
        )
    note = ""
    if family != "gaussian" and args.alpha_rule == "1se":
        note = " (refit at alpha_min: --alpha-rule 1se applies to the elastic net)"
    return f"{name}(l1_ratio={args.l1_ratio}, cv={args.cv}){note}"


def poisson_alpha(model, X, y, args, standardize: bool):
    """Return the alpha (``--alpha-rule``) and l1_ratio the Poisson CV chooses.

    ``SparsePoissonRegressor`` has no CV twin: the report's own CV curve (the held-out
    Poisson deviance along the path, see :mod:`skreg.reports._glm`) chooses it, for
    each ``--l1-ratio``; the best mean wins.
    """
    from sklearn.base import clone
    from sklearn.preprocessing import StandardScaler

    from skreg.reports import _glm
    from skreg.reports._sections import counting

    Xs = StandardScaler().fit_transform(X) if standardize else np.asarray(X, float)
    Xs = np.asfortranarray(Xs, dtype=np.float64)
    best = None
    for l1 in args.l1_ratio:
        est = clone(model).set_params(l1_ratio=l1)
        curve = _glm.cv_curve(
            est, "poisson", Xs, y, y[:, None].astype(np.float64), args.cv, {}, {},
            counting, lambda message: None,
        )  # fmt: skip
        score = float(np.min(curve["cv_mean"]))
        alpha = curve["alpha_1se" if args.alpha_rule == "1se" else "alpha_min"]
        if best is None or score < best[0]:
            best = (score, alpha, l1)
    return best[1], best[2]
