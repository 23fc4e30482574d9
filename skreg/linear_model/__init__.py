"""Sparse linear models fitted by proximal methods, their paths and CV versions."""

from skreg._path import alpha_grid, enet_path, lasso_path
from skreg.linear_model._coordinate import ElasticNet, Lasso
from skreg.linear_model._cv import ElasticNetCV, LassoCV

__all__ = [
    "ElasticNet",
    "ElasticNetCV",
    "Lasso",
    "LassoCV",
    "alpha_grid",
    "enet_path",
    "lasso_path",
]
