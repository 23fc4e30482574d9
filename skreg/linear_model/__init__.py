"""Sparse linear models fitted by proximal methods, their paths and CV versions."""

from skreg._glm_path import logistic_path
from skreg._path import alpha_grid, enet_path, lasso_path
from skreg._relaxed_path import predict_path, relaxed_path
from skreg.linear_model._coordinate import ElasticNet, Lasso
from skreg.linear_model._cv import ElasticNetCV, LassoCV
from skreg.linear_model._glm import SparseLogisticRegression, SparsePoissonRegressor
from skreg.linear_model._glm_cv import SparseLogisticRegressionCV

__all__ = [
    "ElasticNet",
    "ElasticNetCV",
    "Lasso",
    "LassoCV",
    "SparseLogisticRegression",
    "SparseLogisticRegressionCV",
    "SparsePoissonRegressor",
    "alpha_grid",
    "enet_path",
    "lasso_path",
    "logistic_path",
    "predict_path",
    "relaxed_path",
]
