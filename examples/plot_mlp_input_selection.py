"""
===========================================================
Selecting the input pixels of a digit classifier
===========================================================

The 8x8 digits with 64 extra *noise pixels* (uniform draws on the same scale) placed
to their right: 128 inputs, half of them useless. :class:`RegularizedMLPClassifierCV`
trains a network along a warm-started group-lasso path on its input rows, from every
pixel kept to none. At each point it trains a network on the kept pixels only (the
*relaxed* fit), drops the pixels whose permutation importance on the validation split
is not significant (``prune``), and scores the point by the network on the pixels that
remain. It keeps the sparsest point within one standard error of the best (the
one-standard-error rule) and refits a network on its pixels.

The left panel shows the selected pixels (dark), and those the path kept at the
chosen alpha but the permutation test dropped (light); the right one, the number of
inputs and the validation loss along the path. The border pixels of the digits,
always blank, are dropped with the noise; the classifier keeps accuracy with a
fraction of the inputs.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skreg.neural_network import RegularizedMLPClassifierCV

X, y = load_digits(return_X_y=True)
X = X / 16.0
rng = np.random.default_rng(0)
noise = rng.uniform(0.0, 1.0, size=X.shape)
# Row r of the 8 x 16 image: 8 digit pixels, then 8 noise pixels.
images = np.concatenate([X.reshape(-1, 8, 8), noise.reshape(-1, 8, 8)], axis=2)
X_wide = images.reshape(-1, 128)
X_train, X_test, y_train, y_test = train_test_split(X_wide, y, test_size=0.3,
                                                    random_state=0)  # fmt: skip
# The group penalty compares input rows of the first layer: put the inputs on one
# scale (the blank border pixels have no variance and stay at zero).
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

clf = RegularizedMLPClassifierCV(
    hidden_layer_sizes=(32,), n_alphas=15, learning_rate_init=0.01, random_state=0
)
clf.fit(X_train, y_train)
mask = clf.get_support().reshape(8, 16)
path_mask = clf.path_support_.reshape(8, 16)
print(f"path at alpha_: {path_mask.sum()} inputs ({path_mask[:, 8:].sum()} noise); "
      f"selected {clf.n_features_selected_} of 128: "
      f"{mask[:, :8].sum()} digit pixels, {mask[:, 8:].sum()} noise pixels; "
      f"test accuracy {clf.score(X_test, y_test):.3f}")  # fmt: skip

# %%
fig, (ax_img, ax_path) = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
ax_img.imshow(0.4 * path_mask + 0.6 * mask, cmap="Greens", vmin=0, vmax=1)
ax_img.axvline(7.5, color="k", lw=1)
ax_img.set_title("selected (dark), pruned (light); left: digit, right: noise")
ax_img.set_xticks([3.5, 11.5], ["digit", "noise"])
ax_img.set_yticks([])

alphas = clf.alphas_
ax_path.semilogx(alphas, clf.n_features_path_, "o-", label="inputs kept")
ax_path.set_xlabel("alpha")
ax_path.set_ylabel("inputs kept")
ax_loss = ax_path.twinx()
score = clf.cv_score_path_.mean(axis=1)
ax_loss.semilogx(alphas, score, "s-", color="C1", label="validation loss")
ax_loss.fill_between(alphas, score - clf.cv_score_se_, score + clf.cv_score_se_,
                     color="C1", alpha=0.2)  # fmt: skip
ax_loss.set_ylabel("validation log loss")
ax_path.axvline(clf.alpha_, color="k", ls="--", lw=1)
ax_path.set_title(f"path: alpha_ = {clf.alpha_:.3g} (1se rule)")
plt.show()
