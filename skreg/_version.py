"""The installed version of skreg (``0+unknown`` when running from a source tree).

Its own module so that code below the package's ``__init__`` (the reports' environment
section) reads it without importing the whole package.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("skreg")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"
