"""``python -m webmap.cli``: the same as the ``angebotskarte`` console script."""

import sys

from webmap.cli import main

sys.exit(main())
