"""
==========================================================
GridSearchCV over alpha and l1_ratio, then the report
==========================================================

The everyday workflow on a real table: scikit-learn's diabetes data (442 patients,
ten baseline variables) with every pairwise interaction and square added (65
features, many of them strongly correlated), a ``StandardScaler`` +
:class:`skreg.ElasticNet` pipeline tuned by ``GridSearchCV`` over ``alpha`` and
``l1_ratio``, then :class:`skreg.reports.FeatureSelectionReport` on the search: the
best parameters, which features the best model keeps, how stable that choice is, and
how it sits on the regularization path.
"""

# %%
# The search
# ----------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

from skreg import ElasticNet
from skreg.reports import (
    CVCurveDisplay,
    FeatureSelectionReport,
    RegularizationPathDisplay,
)

data = load_diabetes(as_frame=True)
X = PolynomialFeatures(2, include_bias=False).set_output(transform="pandas")
X = X.fit_transform(data.data)  # 10 variables, 45 interactions, 10 squares
y = data.target  # a pandas Series: its name becomes the report's target
search = GridSearchCV(
    make_pipeline(StandardScaler(), ElasticNet()),
    {
        "elasticnet__alpha": np.geomspace(0.05, 20, 10),
        "elasticnet__l1_ratio": [0.2, 0.5, 0.8, 1.0],
    },
    cv=KFold(5, shuffle=True, random_state=0),
).fit(X, y)
print(search.best_params_, round(search.best_score_, 3))

# %%
# The report
# ----------
# ``from_estimator`` unwraps the search and the pipeline (the feature names come
# from the DataFrame's columns), computes the CV curve at the best ``l1_ratio``, the
# per-fold selections and stability selection. The text opens with the answer: the
# model, its CV score, how many features it keeps and how many of those are stable,
# and a banner for anything that needs attention; the search's best parameters are
# in the provenance.
report = FeatureSelectionReport.from_estimator(
    search, X, y, cv=5, n_bootstrap=50, random_state=0
)
print(report.to_text(max_rows=12))
print("best parameters:", report.provenance["search"]["best_params"])

# %%
# Its figures
# -----------
# The path in glmnet's style: the curves against alpha, the ten largest named at the
# right edge, the number of non-zero coefficients on the top axis; and the CV curve
# with alpha_min and alpha_1se.
fig, axes = plt.subplots(
    1, 2, figsize=(13, 4.5), layout="constrained", width_ratios=[1.4, 1]
)
RegularizationPathDisplay.from_report(report, ax=axes[0])
CVCurveDisplay.from_report(report, ax=axes[1])
plt.show()

# %%
# ``report.to_html("report.html")`` writes all of it, figures included, to one
# self-contained file; ``report.to_json()`` and ``report.to_frame()`` give the
# numbers.
