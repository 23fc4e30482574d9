"""
===========================================================
Dropout on a make_classification problem
===========================================================

``make_classification(n_samples=1000, n_features=20, n_informative=2,
n_redundant=10)``: few informative directions, many redundant and noisy ones, and a
network wide enough to memorise the training set. Dropout 0.5 on the hidden layer
(Srivastava et al. 2014) narrows the gap between training and validation loss.
"""

# %%
import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skreg.neural_network import RegularizedMLPClassifier
from skreg.reports import TrainingCurveDisplay

X, y = make_classification(
    n_samples=1000, n_features=20, n_informative=2, n_redundant=10, random_state=0
)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

# Every network runs all its epochs (tol=0), so each one warns that it did not
# converge; the curves, not convergence, are the point here.
warnings.filterwarnings("ignore", category=ConvergenceWarning)
common = dict(
    hidden_layer_sizes=(256,),
    alpha=0.0,
    max_iter=150,
    tol=0.0,
    n_iter_no_change=150,
    validation_fraction=0.2,
    random_state=0,
)
models = {
    "no dropout": RegularizedMLPClassifier(**common),
    "dropout 0.5": RegularizedMLPClassifier(dropout=0.5, **common),
}
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True, layout="constrained")
for ax, (name, model) in zip(axes, models.items(), strict=True):
    model.fit(X_train, y_train)
    TrainingCurveDisplay.from_estimator(model, ax=ax)
    ax.set_title(f"{name}: test accuracy {model.score(X_test, y_test):.3f}")
plt.show()
