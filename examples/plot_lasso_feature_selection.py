"""
=====================================================
Lasso feature selection: real features and noise
=====================================================

scikit-learn's diabetes data (442 patients, ten baseline variables) with ten columns
of pure noise appended, so that we know which features carry nothing. Least squares
gives every column a non-zero weight, noise included. The lasso at the
cross-validated ``alpha_1se`` (glmnet's one-standard-error rule) sets the noise
columns to exactly zero and keeps a handful of the real variables. The
regularization path shows the real variables entering first.
"""

# %%
# Fit least squares and the lasso
# --------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LinearRegression
from sklearn.preprocessing import StandardScaler

from skreg import Lasso, LassoCV
from skreg.reports import RegularizationPathDisplay

data = load_diabetes()
rng = np.random.default_rng(0)
noise = rng.standard_normal((data.data.shape[0], 10))
X = StandardScaler().fit_transform(np.hstack([data.data, noise]))
y = data.target
names = [*data.feature_names, *(f"noise{j}" for j in range(10))]

ols = LinearRegression().fit(X, y)
cv = LassoCV(cv=5, alpha_rule="1se").fit(X, y)
lasso = Lasso(alpha=cv.alpha_1se_).fit(X, y)

print("least squares, non-zero:", int(np.sum(ols.coef_ != 0)), "of", len(names))
print(f"lasso at alpha_1se = {cv.alpha_1se_:.3g} keeps:",
      [n for n, c in zip(names, lasso.coef_, strict=True) if c != 0])  # fmt: skip
print("noise columns kept:", int(np.sum(lasso.coef_[10:] != 0)))

# %%
# Coefficients side by side
# -------------------------
fig, ax = plt.subplots(figsize=(9, 3.5), layout="constrained")
idx = np.arange(X.shape[1])
ax.bar(idx - 0.2, ols.coef_, width=0.4, label="least squares")
ax.bar(idx + 0.2, lasso.coef_, width=0.4, label="lasso, alpha_1se")
ax.axvline(9.5, color="0.5", lw=0.8)
ax.set_xticks(idx, names, rotation=60, ha="right")
ax.set_ylabel("coefficient (standardized X)")
ax.legend()

# %%
# The regularization path
# -----------------------
# Coefficients against alpha, from ``alpha_max`` (all zero) down, with alpha_min
# and alpha_1se marked; the ten largest at the right edge are named, and the top
# axis counts the non-zero coefficients. The noise columns only enter at the
# smallest alphas, below alpha_1se.
RegularizationPathDisplay.from_estimator(cv, X, y, feature_names=names)
plt.show()
