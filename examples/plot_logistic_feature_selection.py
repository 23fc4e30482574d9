"""
=========================================================
Sparse logistic regression: which tumour features matter
=========================================================

scikit-learn's breast cancer data (569 tumours, 30 features measured on cell nuclei,
malignant or benign). The features come in three groups of ten (mean, standard
error and worst value of each measurement), so many are nearly collinear. A sparse
logistic regression chosen by cross-validation on the held-out **deviance**
(glmnet's ``cv.glmnet``) keeps a handful of them; the regularization path shows the
order in which they enter, and ``FeatureSelectionReport`` adds the CV curve, the
stability of the choice and the collinear groups.
"""

# %%
# Cross-validate the path
# -----------------------
# Thirty alphas from ``alpha_max`` (no feature) down to ``alpha_max / 100``, five
# stratified folds. ``alpha_`` minimises the held-out deviance; ``alpha_1se_`` is
# the sparsest model within one standard error of it.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

from skreg import SparseLogisticRegression, SparseLogisticRegressionCV
from skreg.reports import (
    CVCurveDisplay,
    FeatureSelectionReport,
    RegularizationPathDisplay,
)

data = load_breast_cancer()
X = StandardScaler().fit_transform(data.data)
y = data.target_names[data.target]  # "malignant" / "benign"
names = [str(n) for n in data.feature_names]

cv = SparseLogisticRegressionCV(alphas=30, eps=1e-2, cv=5).fit(X, y)
sparse = SparseLogisticRegression(alpha=cv.alpha_1se_).fit(X, y)
print(f"alpha_min = {cv.alpha_:.3g}: {int(np.sum(cv.coef_ != 0))} features")
kept = [n for n, c in zip(names, sparse.coef_.ravel(), strict=True) if c != 0]
print(f"alpha_1se = {cv.alpha_1se_:.3g}: keeps {len(kept)}:", ", ".join(kept))

# %%
# The CV curve and the path
# -------------------------
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
CVCurveDisplay.from_estimator(cv, ax=ax0)
RegularizationPathDisplay.from_estimator(cv, X, y, feature_names=names, ax=ax1)

# %%
# The report
# ----------
# The same model in a report: the headline names the family (binomial) and gives
# the CV deviance and accuracy; the stability selection refits the path on 20
# halves of the rows; banners flag what to check (here the CV deviance still falls
# at the end of this short grid, and the collinear "worst" / "mean" measurements
# take turns). ``report.to_html("report.html")`` writes it as a page.
report = FeatureSelectionReport.from_estimator(
    cv, X, y, feature_names=names, cv=5, n_bootstrap=20, random_state=0
)
print("\n".join(report.to_text().splitlines()[:24]))
plt.show()
