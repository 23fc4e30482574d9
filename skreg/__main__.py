"""``python -m skreg``: see :mod:`skreg.cli`."""

import sys

from skreg.cli import main

sys.exit(main())
