"""The one Numba decorator of skreg.

Every kernel in :mod:`skreg._kernels` is compiled through :func:`jit`, so that the
compilation options live in one place:

- ``cache=True``: the first call after install compiles and writes the on-disk
  cache, later processes load it (compilation is lazy: nothing compiles at
  ``import skreg``).
- ``nogil=True``: kernels release the GIL, so joblib's threading backend can overlap
  them.
- ``error_model="numpy"``: division by zero gives inf/nan as in NumPy instead of
  raising,
  which avoids the exception checks in the inner loops (inputs are validated upstream).

``fastmath`` and ``parallel`` are deliberately off: fastmath assumes no NaN/inf and
reassociates sums, which breaks the exact ``w == 0`` support checks and the tight
agreement with scikit-learn that the tests demand.
"""

import numba

JIT_OPTIONS = {"cache": True, "nogil": True, "error_model": "numpy"}


def jit(func):
    """Compile ``func`` in nopython mode with skreg's options."""
    return numba.njit(**JIT_OPTIONS)(func)
