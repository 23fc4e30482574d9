"""Sparse linear models fitted by proximal methods."""

from skreg.linear_model._coordinate import ElasticNet, Lasso

__all__ = ["ElasticNet", "Lasso"]
