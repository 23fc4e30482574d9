"""skreg: scikit-learn compatible estimators for weight regularization."""

from importlib.metadata import PackageNotFoundError, version

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

try:
    __version__ = version("skreg")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

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
