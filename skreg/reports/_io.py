"""Files and optional dependencies: atomic writes, lazy pandas and matplotlib."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def require_pandas(what: str):
    """Import pandas, or raise an ImportError naming what needs it."""
    try:
        import pandas as pd
    except ImportError as exc:
        raise ImportError(
            f"{what} needs pandas, which is not installed: pip install pandas"
        ) from exc
    return pd


def require_matplotlib(what: str) -> None:
    """Import matplotlib, or raise an ImportError naming the ``plot`` extra."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"{what} needs matplotlib, which is not installed: "
            "pip install 'skreg[plot]'"
        ) from exc


def new_file_mode(path) -> int:
    """Permissions for a file replacing ``path``: its own, else ``0o666 & ~umask``.

    ``tempfile.mkstemp`` creates files readable by their owner only; a report
    written through one should get the permissions a plain ``open`` would give.
    """
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and ``os.replace``.

    A reader never sees a half-written file, and an error leaves any old file intact.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        os.chmod(tmp, new_file_mode(path))
        # backslashreplace: a lone surrogate (only possible from Python strings,
        # never from decoded files) becomes a \udxxx escape, valid in JSON too.
        with os.fdopen(
            fd, "w", encoding="utf-8", errors="backslashreplace", newline="\n"
        ) as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
