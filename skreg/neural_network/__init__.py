"""Regularized multi-layer perceptrons (elastic net, group lasso, dropout, decay)."""

from skreg.neural_network._mlp import RegularizedMLPClassifier, RegularizedMLPRegressor

__all__ = ["RegularizedMLPClassifier", "RegularizedMLPRegressor"]
