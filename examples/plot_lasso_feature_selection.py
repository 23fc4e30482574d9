"""
=====================================================
Lasso feature selection on a make_regression problem
=====================================================

``make_regression(n_samples=100, n_features=20, noise=0.1)`` with five informative
features. Least squares gives every feature a non-zero weight. The lasso with
``alpha=0.01`` (on standardized data) already sets most irrelevant coefficients to
exactly zero and leaves the others tiny; ``alpha=1`` keeps exactly the five
informative features. The regularization path shows them entering first.
"""

# %%
# Fit least squares and the lasso
# --------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_regression
from sklearn.linear_model import LinearRegression
from sklearn.preprocessing import StandardScaler

from skreg import Lasso
from skreg.reports import RegularizationPathDisplay

X, y, true_coef = make_regression(
    n_samples=100, n_features=20, n_informative=5, noise=0.1, coef=True,
    random_state=0,
)  # fmt: skip
X = StandardScaler().fit_transform(X)
ols = LinearRegression().fit(X, y)
lasso = Lasso(alpha=0.01).fit(X, y)
# With so little noise, alpha=0.01 leaves a few irrelevant coefficients tiny but
# non-zero; alpha=1 zeroes them all and barely shrinks the informative ones.
lasso_1 = Lasso(alpha=1.0).fit(X, y)

informative = np.flatnonzero(true_coef)
print("informative features :", informative.tolist())
print("lasso alpha=1 keeps  :", np.flatnonzero(lasso_1.coef_).tolist())
print("non-zero coefficients: OLS", int(np.sum(ols.coef_ != 0)),
      "| lasso alpha=0.01", int(np.sum(lasso.coef_ != 0)),
      "| lasso alpha=1", int(np.sum(lasso_1.coef_ != 0)))  # fmt: skip

# %%
# Coefficients side by side
# -------------------------
fig, ax = plt.subplots(figsize=(8, 3.5))
idx = np.arange(X.shape[1])
ax.bar(idx - 0.27, ols.coef_, width=0.27, label="least squares")
ax.bar(idx, lasso.coef_, width=0.27, label="lasso, alpha=0.01")
ax.bar(idx + 0.27, lasso_1.coef_, width=0.27, label="lasso, alpha=1")
ax.set_yscale("symlog", linthresh=1e-2)
ax.set_xticks(idx)
ax.set_xlabel("feature")
ax.set_ylabel("coefficient (symlog)")
ax.legend()

# %%
# The regularization path
# -----------------------
# Coefficients against alpha, from ``alpha_max`` (all zero) down: the five
# informative features enter long before the others.
RegularizationPathDisplay.from_estimator(Lasso(), X, y, alphas=60)
plt.show()
