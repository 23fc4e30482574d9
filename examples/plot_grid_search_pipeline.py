"""
==========================================================
GridSearchCV over alpha and l1_ratio, then the report
==========================================================

The everyday workflow: a ``StandardScaler`` + :class:`skreg.ElasticNet` pipeline tuned
by ``GridSearchCV`` over ``alpha`` and ``l1_ratio``, then
:class:`skreg.reports.FeatureSelectionReport` on the search to see which features the
best model keeps, how stable that choice is, and how it sits on the regularization
path.
"""

# %%
# The search
# ----------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_regression
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skreg import ElasticNet
from skreg.reports import (
    CVCurveDisplay,
    FeatureSelectionReport,
    RegularizationPathDisplay,
)

X, y = make_regression(
    n_samples=200, n_features=30, n_informative=6, noise=10.0, random_state=0
)
names = [f"f{j:02d}" for j in range(X.shape[1])]
search = GridSearchCV(
    make_pipeline(StandardScaler(), ElasticNet()),
    {
        "elasticnet__alpha": np.geomspace(1e-2, 10, 10),
        "elasticnet__l1_ratio": [0.2, 0.5, 0.8, 1.0],
    },
    cv=KFold(5, shuffle=True, random_state=0),
).fit(X, y)
print(search.best_params_, round(search.best_score_, 3))

# %%
# The report
# ----------
# ``from_estimator`` unwraps the search and the pipeline, computes the CV curve at the
# best ``l1_ratio``, the per-fold selections and stability selection.
report = FeatureSelectionReport.from_estimator(
    search, X, y, feature_names=names, cv=5, n_bootstrap=50, random_state=0
)
print(report.to_text(max_rows=12))

# %%
# Its figures
# -----------
fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
RegularizationPathDisplay.from_report(report, ax=axes[0])
CVCurveDisplay.from_report(report, ax=axes[1])
plt.show()

# %%
# ``report.to_html("report.html")`` writes all of it, figures included, to one
# self-contained file; ``report.to_json()`` and ``report.to_frame()`` give the
# numbers.
