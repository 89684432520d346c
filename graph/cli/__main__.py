"""``python -m shopgraph.graph.cli``: the same as the ``shopgraph`` command."""

import sys

from shopgraph.graph.cli import main

sys.exit(main())
