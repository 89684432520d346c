"""``shopgraph stats [--json]``: node and relationship counts."""

from __future__ import annotations

import argparse
from typing import Any

from shopgraph.cli._common import add_connection_flags, print_json, settings_from, table
from shopgraph.graph.client import ShopGraph


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("stats", help="counts per label and relationship type")
    parser.add_argument("--json", action="store_true", help="print JSON")
    add_connection_flags(parser)
    parser.set_defaults(run=_stats)


def _stats(args: argparse.Namespace) -> int:
    with ShopGraph.connect(settings_from(args)) as shop:
        stats = shop.stats()
    if args.json:
        print_json(stats.as_dict())
        return 0
    print(f"{stats.nodes:,} nodes, {stats.relationships:,} relationships")
    print("Nodes per label:")
    print(table(sorted(stats.labels.items())))
    print("Relationships per type:")
    print(table(sorted(stats.types.items())))
    return 0
