"""skreg: scikit-learn compatible estimators for weight regularization."""

from skreg._version import __version__
from skreg.linear_model import (
    ElasticNet,
    ElasticNetCV,
    Lasso,
    LassoCV,
    SparseLogisticRegression,
    SparseLogisticRegressionCV,
    SparsePoissonRegressor,
    enet_path,
    lasso_path,
    logistic_path,
    predict_path,
    relaxed_path,
)
from skreg.neural_network import (
    RegularizedMLPClassifier,
    RegularizedMLPClassifierCV,
    RegularizedMLPRegressor,
    RegularizedMLPRegressorCV,
    mlp_path,
)
from skreg.reports import FeatureSelectionReport, StabilitySelector

__all__ = [
    "ElasticNet",
    "ElasticNetCV",
    "FeatureSelectionReport",
    "Lasso",
    "LassoCV",
    "RegularizedMLPClassifier",
    "RegularizedMLPClassifierCV",
    "RegularizedMLPRegressor",
    "RegularizedMLPRegressorCV",
    "SparseLogisticRegression",
    "SparseLogisticRegressionCV",
    "SparsePoissonRegressor",
    "StabilitySelector",
    "__version__",
    "enet_path",
    "lasso_path",
    "mlp_path",
    "logistic_path",
    "predict_path",
    "relaxed_path",
]
