"""Regularized multi-layer perceptrons (elastic net, group lasso, dropout, decay)."""

from skreg.neural_network._cv import (
    RegularizedMLPClassifierCV,
    RegularizedMLPRegressorCV,
)
from skreg.neural_network._mlp import RegularizedMLPClassifier, RegularizedMLPRegressor
from skreg.neural_network._path import mlp_path

__all__ = [
    "RegularizedMLPClassifier",
    "RegularizedMLPClassifierCV",
    "RegularizedMLPRegressor",
    "RegularizedMLPRegressorCV",
    "mlp_path",
]
