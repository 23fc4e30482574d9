"""
=====================================================
Over-fitting of a deep network, and three cures
=====================================================

A network of six hidden ReLU layers trained with Adam for 100 epochs on scikit-learn's
diabetes data (442 samples, 10 features) has far more weights than the data can pin
down. Holding 10 % of the samples out (``validation_fraction=0.1``) and recording the
data loss on both parts at the end of every epoch (``train_loss_curve_`` and
``validation_loss_curve_``, dropout off) shows the classic picture: without
regularization the training loss keeps falling towards zero while the validation loss
turns up after a couple of epochs.

Three cures close the gap between the curves:

- an L2 penalty (``alpha``, on the full-data objective; ``l1_ratio=0``);
- inverted dropout on the hidden layers (``dropout=0.3``);
- early stopping on the validation loss, which restores the weights of the best epoch
  (``best_epoch_``).
"""

# The sphinx-gallery title (underlined, no period) is not a pydocstyle summary line.

# %%
# Data and common settings
# ------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.preprocessing import StandardScaler

from skreg.neural_network import RegularizedMLPRegressor

X, y = load_diabetes(return_X_y=True)
X = StandardScaler().fit_transform(X)
y = (y - y.mean()) / y.std()  # losses in units of the target variance

common = dict(
    hidden_layer_sizes=(64,) * 6,
    activation="relu",
    solver="adam",
    alpha=0.0,
    batch_size=32,
    max_iter=100,
    tol=0.0,
    n_iter_no_change=100,  # run all 100 epochs unless early stopping is asked
    validation_fraction=0.1,
    random_state=0,
)
settings = {
    "no regularization": {},
    "L2 penalty (alpha=0.03)": dict(alpha=0.03),
    "dropout 0.3": dict(dropout=0.3),
    "early stopping": dict(early_stopping=True, n_iter_no_change=10),
}

# %%
# Fit and plot the learning curves
# --------------------------------
# ``max_iter`` epochs without convergence raise a ``ConvergenceWarning``; here running
# all the epochs is the point, so the warning is expected.
import warnings  # noqa: E402

from sklearn.exceptions import ConvergenceWarning  # noqa: E402

fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharex=True, sharey=True)
for ax, (title, extra) in zip(axes.ravel(), settings.items(), strict=True):
    est = RegularizedMLPRegressor(**{**common, **extra})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    epochs = np.arange(1, est.n_iter_ + 1)
    train = np.asarray(est.train_loss_curve_)
    val = np.asarray(est.validation_loss_curve_)
    ax.plot(epochs, train, label="training loss")
    ax.plot(epochs, val, label="validation loss")
    ax.axvline(est.best_epoch_ + 1, color="grey", ls=":", label="best epoch")
    gap = val[-1] - train[-1]
    ax.set_title(f"{title}\nfinal gap {gap:.2f}")
    ax.set_xlabel("epoch")
    ax.set_ylabel("half mean squared error")
    ax.set_ylim(0, 0.8)
    print(
        f"{title:25s} epochs={est.n_iter_:3d} best epoch={est.best_epoch_ + 1:3d} "
        f"train={train[-1]:.3f} validation={val[-1]:.3f}"
    )
axes[0, 0].legend()
fig.tight_layout()

# %%
# Without regularization the validation loss is lowest after a couple of epochs and
# then rises while the training loss goes to zero: the network memorises the training
# samples. The L2 penalty and dropout keep the two curves together; early stopping
# keeps the weights of the best validation epoch (the dotted line) and stops ten epochs
# later.
plt.show()
