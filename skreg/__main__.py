"""``python -m skreg``: see :mod:`skreg.cli`."""

import sys

try:
    from skreg.cli import main
except KeyboardInterrupt:  # Ctrl-C while the libraries load: one line, no traceback
    print("skreg: interrupted", file=sys.stderr)
    sys.exit(130)

sys.exit(main())
