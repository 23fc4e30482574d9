"""Peak memory and time of ``skreg report``'s CSV reading phase (no fitting).

Generates a numeric CSV (``--rows`` x ``--cols``, the last column the target; 500 000 x
40 is about 215 MB) once, then reads it in a fresh subprocess per reader and prints,
for each: the seconds spent reading, the peak resident set size of the process
(``resource.getrusage``), the resident size after the imports (the baseline) and the
size of the numeric data (rows x columns x 8 bytes)::

    python benchmarks/csv_read.py --rows 500000 --cols 40 --file /tmp/big.csv

``--readers`` picks what to time: ``skreg`` (the command's reader, with pandas
converting the blocks), ``skreg-stdlib`` (the same without pandas) and ``pandas``
(plain ``pandas.read_csv``, for reference).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
import numpy as np
import skreg.cli  # the command's imports, as when it runs
reader, path, target = sys.argv[1:4]

def rss_now():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()

baseline = rss_now()
start = time.perf_counter()
if reader == "pandas":
    import pandas as pd
    frame = pd.read_csv(path)
    shape = frame.shape
else:
    from skreg.cli import _read
    data = _read(path, target, use_pandas=reader == "skreg")
    shape = (data.X.shape[0], data.X.shape[1] + 1)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"reader": reader, "seconds": seconds, "peak": peak,
                  "baseline": baseline, "shape": shape}))
"""


def generate(path: Path, rows: int, cols: int, seed: int = 0) -> None:
    import numpy as np

    rng = np.random.default_rng(seed)
    header = ",".join([f"x{j}" for j in range(cols - 1)] + ["y"])
    with open(path, "w") as f:
        f.write(header + "\n")
        for start in range(0, rows, 50_000):
            block = rng.standard_normal((min(50_000, rows - start), cols))
            np.savetxt(f, block, fmt="%.8f", delimiter=",")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--cols", type=int, default=40)
    parser.add_argument("--file", default="/tmp/skreg_csv_read.csv")
    parser.add_argument(
        "--readers", nargs="+", default=["skreg", "skreg-stdlib", "pandas"]
    )
    args = parser.parse_args()
    path = Path(args.file)
    if not path.exists():
        generate(path, args.rows, args.cols)
    size = path.stat().st_size
    numeric = args.rows * args.cols * 8
    print(f"{path}: {size / 1e6:.0f} MB, {args.rows} x {args.cols}, numeric data "
          f"{numeric / 1e6:.0f} MB")  # fmt: skip
    for reader in args.readers:
        res = subprocess.run(
            [sys.executable, "-c", CHILD, reader, str(path), "y"],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(res.stdout)
        extra = r["peak"] - r["baseline"]
        print(
            f"{reader:12s} {r['seconds']:6.1f} s  peak RSS {r['peak'] / 1e6:7.0f} MB "
            f"(baseline {r['baseline'] / 1e6:.0f} MB; above it {extra / 1e6:.0f} MB "
            f"= {extra / size:.2f}x the file, {extra / numeric:.2f}x the numeric "
            f"data)  shape {tuple(r['shape'])}"
        )


if __name__ == "__main__":
    main()
