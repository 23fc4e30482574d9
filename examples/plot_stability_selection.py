"""
===========================================
Stability selection on the diabetes data
===========================================

Which of the ten baseline variables predict disease progression, and which choices
would survive other samples of patients? Stability selection (Meinshausen & Bühlmann
2010) with complementary pairs (Shah & Samworth 2013) refits the lasso on many
halves of the data and keeps the features chosen in at least 90 % of them, with a
bound on the expected number of false selections. This is what ``python -m skreg``
prints.
"""

# %%
# The stability paths
# -------------------
import matplotlib.pyplot as plt
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skreg.datasets import load_default
from skreg.reports import StabilityPathDisplay, StabilitySelector

data = load_default()
X, y, names = data.data, data.target, data.feature_names
pipe = make_pipeline(
    StandardScaler(), StabilitySelector(alphas=40, eps=1e-3, n_bootstrap=100,
                                        random_state=0)
).fit(X, y)  # fmt: skip
selector = pipe[-1]
print("stable set:", list(pipe.get_feature_names_out(names)))
print(f"q = {selector.q_:.2f}, bound on E[false selections] = "
      f"{selector.expected_false_bound_:.2f}")  # fmt: skip
StabilityPathDisplay.from_estimator(selector, feature_names=names)

# %%
# The randomized lasso
# --------------------
# With ``weakness=0.5`` each feature's penalty is divided by a random weight in
# [0.5, 1] on every subsample, which breaks ties among correlated features (s1 to
# s4 here).
randomized = StabilitySelector(
    alphas=40, eps=1e-3, n_bootstrap=100, weakness=0.5, random_state=0
).fit(StandardScaler().fit_transform(X), y)
StabilityPathDisplay.from_estimator(randomized, feature_names=names)
plt.show()
