"""Utilities: validation helpers and estimator discovery."""
