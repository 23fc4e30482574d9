"""Pack the CSV files of a folder into one ``.npz`` (used by the R reference scripts).

Usage: ``python3 tests/data/pack_csv_refs.py FOLDER OUT.npz``. Each ``name.csv`` (comma
separated numbers, written by R with 17 significant digits) becomes the float64 array
``name``; single-column files become 1-D arrays.
"""

import sys
from pathlib import Path

import numpy as np


def main(folder: str, out: str) -> None:
    """Read every CSV of ``folder`` and save them together in ``out``."""
    arrays = {}
    for path in sorted(Path(folder).glob("*.csv")):
        values = np.loadtxt(path, delimiter=",", ndmin=2)
        arrays[path.stem] = values[:, 0] if values.shape[1] == 1 else values
    np.savez_compressed(out, **arrays)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
