"""The ``shopgraph`` command line: parses arguments, calls library functions, prints results.

Every sub-command lives in its own module with ``register(subparsers)``; the library never
prints and nothing imports this package. The parser is built whole at start, so each
sub-command module imports only what the package needs without extras; what needs them
(torch, PyG, scipy, mlxtend: training and evaluations) is imported inside its run function.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from shopgraph.cli import (
    _attack,
    _eval,
    _experiment,
    _forget,
    _generate,
    _live,
    _load,
    _model,
    _neo4j,
    _refresh,
    _serve,
    _stats,
    _train,
    _trust,
)
from shopgraph.core.errors import ShopgraphError

__all__ = ["main"]

_COMMANDS = (
    _neo4j,
    _load,
    _generate,
    _stats,
    _refresh,
    _serve,
    _model,
    _experiment,
    _train,
    _eval,
    _live,
    _trust,
    _forget,
    _attack,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shopgraph",
        description="Graph recommender for e-commerce on Neo4j.",
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="log more (-vv for debug)"
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in _COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the exit code (0 ok, 1 error, 2 usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=(logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)],
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        code: int = args.run(args)
    except ShopgraphError as e:
        print(f"shopgraph: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("shopgraph: interrupted", file=sys.stderr)
        return 130
    return code
