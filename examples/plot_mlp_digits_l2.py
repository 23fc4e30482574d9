"""
===========================================================
L2 on every layer in digit classification
===========================================================

A small image classifier (the 8x8 digits stand in for images) with an L2 penalty of
0.001 on every weight matrix (``alpha=1e-3``, ``l1_ratio=0``), against the same
network without it. On this easy problem neither network over-fits much in 60
epochs; the penalty shrinks the weights (their norm is in the titles) at no cost in
accuracy, and its first-layer filters are smoother.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from skreg.neural_network import RegularizedMLPClassifier
from skreg.reports import TrainingCurveDisplay

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3,
                                                    random_state=0)  # fmt: skip
# Every network runs all its epochs (tol=0), so each one warns that it did not
# converge; the curves, not convergence, are the point here.
warnings.filterwarnings("ignore", category=ConvergenceWarning)
common = dict(
    hidden_layer_sizes=(64, 32),
    max_iter=60,
    tol=0.0,
    n_iter_no_change=60,
    validation_fraction=0.15,
    random_state=0,
)
models = {
    "no penalty": RegularizedMLPClassifier(alpha=0.0, **common),
    "L2, alpha=0.001": RegularizedMLPClassifier(alpha=1e-3, l1_ratio=0.0, **common),
}
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True, layout="constrained")
for ax, (name, model) in zip(axes, models.items(), strict=True):
    model.fit(X_train, y_train)
    TrainingCurveDisplay.from_estimator(model, ax=ax)
    norm = np.sqrt(sum((W**2).sum() for W in model.coefs_))
    ax.set_title(f"{name}: test accuracy {model.score(X_test, y_test):.3f}, "
                 f"||W|| = {norm:.1f}")  # fmt: skip

# %%
# First-layer weights of four hidden units, as 8x8 images
# -------------------------------------------------------
fig, axes = plt.subplots(2, 4, figsize=(8, 4), layout="constrained")
for row, (name, model) in zip(axes, models.items(), strict=True):
    for k, ax in enumerate(row):
        ax.imshow(model.coefs_[0][:, k].reshape(8, 8), cmap="RdBu")
        ax.set_xticks([])
        ax.set_yticks([])
    row[0].set_ylabel(name)
plt.show()
