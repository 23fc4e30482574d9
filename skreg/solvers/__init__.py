"""Solvers of the elastic-net problem: working-set proximal CD and FISTA."""

from skreg.solvers._base import SolverResult, WarmStart
from skreg.solvers.cd import solve_cd
from skreg.solvers.fista import solve_fista

SOLVERS = {"cd": solve_cd, "fista": solve_fista}

__all__ = [
    "SOLVERS",
    "SolverResult",
    "WarmStart",
    "resolve_solver",
    "solve_cd",
    "solve_fista",
]


def resolve_solver(solver: str) -> str:
    """Map ``solver="auto"`` to the name of a solver in :data:`SOLVERS`.

    Working-set coordinate descent is the fastest choice on every problem shape we
    benchmark (dense wide, dense tall, sparse), so ``"auto"`` picks it; ``"fista"`` is
    kept for users who want a full-gradient method. (On a lasso path over wide dense
    data ``"auto"`` also lets :func:`skreg.enet_path` follow the homotopy between
    points: :func:`skreg._path._uses_homotopy`.)
    """
    return "cd" if solver == "auto" else solver
