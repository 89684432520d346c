"""``python -m shopgraph.cli``: the same as the ``shopgraph`` command."""

import sys

from shopgraph.cli import main

sys.exit(main())
