"""``shopgraph refresh``: recompute what serving precomputes (bundle masses, walk projection)."""

from __future__ import annotations

import argparse
from typing import Any

from shopgraph.cli._common import add_connection_flags, print_json, settings_from, table
from shopgraph.core.errors import ConfigError
from shopgraph.graph.client import ShopGraph


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "refresh",
        help="recompute bundle masses and the walk projection",
        description="Recompute the item masses that bundles normalise by and rebuild the "
        "in-memory projection of the random walks. `shopgraph load` does it after every load; "
        "run it after changing weights (trust) or loading through the Python API.",
    )
    parser.add_argument(
        "--half-life-days",
        type=float,
        help="recency half-life of co-purchases in days (default 135)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    add_connection_flags(parser)
    parser.set_defaults(run=_refresh)


def _refresh(args: argparse.Namespace) -> int:
    if args.half_life_days is not None and args.half_life_days <= 0:
        raise ConfigError(f"--half-life-days must be above 0, got {args.half_life_days}.")
    with ShopGraph.connect(settings_from(args)) as shop:
        bundles, walks = shop.refresh(half_life_days=args.half_life_days)
    if args.json:
        print_json({"bundles": bundles, "walks": walks})
        return 0
    print(
        "Refreshed:\n"
        + table(
            [
                ("items with bundle mass", bundles.items),
                ("baskets", bundles.baskets),
                ("bundle refresh ms", bundles.millis),
                ("walk projection nodes", walks.nodes),
                ("walk projection relationships", walks.relationships),
                ("walk refresh ms", walks.millis),
            ]
        )
    )
    return 0
