"""Solvers of the elastic-net problem: working-set proximal CD and FISTA."""

from skreg.solvers._base import SolverResult
from skreg.solvers.cd import solve_cd
from skreg.solvers.fista import solve_fista

SOLVERS = {"cd": solve_cd, "fista": solve_fista}

__all__ = ["SOLVERS", "SolverResult", "solve_cd", "solve_fista"]
