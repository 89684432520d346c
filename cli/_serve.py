"""``shopgraph bundle|recommend|similar``: recommendations from the command line."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from shopgraph.cli._common import add_connection_flags, print_json, settings_from
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.recommend import (
    BundleItem,
    BundleOptions,
    Recommendation,
    RecommendOptions,
    WalkOptions,
)


def register(subparsers: Any) -> None:
    bundle = subparsers.add_parser("bundle", help="frequently bought together for a cart")
    bundle.add_argument("items", nargs="+", metavar="ITEM", help="cart item ids (1 to 50)")
    bundle.add_argument("--user", help="leave out what this user already bought")
    bundle.add_argument("--max-per-brand", type=int, help="at most N items of one brand")
    bundle.add_argument("--category", action="append", default=[], help="only this category")
    bundle.add_argument("--in-stock", action="store_true", help="only items in stock")
    bundle.add_argument("--max-price", type=float, help="only items at most this price")
    bundle.set_defaults(run=_bundle)
    recommend = subparsers.add_parser("recommend", help="recommendations for a user")
    recommend.add_argument("user", help="user id (unknown users get popular items)")
    recommend.add_argument("--max-per-brand", type=int, help="at most N items of one brand")
    recommend.add_argument("--in-stock", action="store_true", help="only items in stock")
    recommend.set_defaults(run=_recommend)
    similar = subparsers.add_parser("similar", help="items similar to an item")
    similar.add_argument("item", help="item id")
    similar.add_argument("--seed", type=int, help="seed of the random walks")
    similar.set_defaults(run=_similar)
    for sub in (bundle, recommend, similar):
        sub.add_argument("--k", type=int, default=10, help="how many items (10)")
        sub.add_argument("--json", action="store_true", help="print JSON")
        add_connection_flags(sub)


def _bundle(args: argparse.Namespace) -> int:
    options = BundleOptions(
        user=args.user,
        max_per_brand=args.max_per_brand,
        categories=tuple(args.category),
        in_stock_only=args.in_stock,
        max_price=args.max_price,
    )
    with ShopGraph.connect(settings_from(args)) as shop:
        items = shop.bundle(args.items, args.k, options)
    _show(items, args.json, f"Bought together with {', '.join(args.items)}")
    return 0


def _recommend(args: argparse.Namespace) -> int:
    options = RecommendOptions(max_per_brand=args.max_per_brand, in_stock_only=args.in_stock)
    with ShopGraph.connect(settings_from(args)) as shop:
        items = shop.recommend(args.user, args.k, options)
    _show(items, args.json, f"Recommended for {args.user}")
    return 0


def _similar(args: argparse.Namespace) -> int:
    with ShopGraph.connect(settings_from(args)) as shop:
        items = shop.similar(args.item, args.k, WalkOptions(seed=args.seed))
    _show(items, args.json, f"Similar to {args.item}")
    return 0


def _show(items: Sequence[Recommendation], as_json: bool, title: str) -> None:
    if as_json:
        print_json(list(items))
        return
    print(f"{title}:" if items else f"{title}: nothing found.")
    for item in items:
        line = f"  {item.rank:>3}. {item.item_id:<20} score {item.score:10.4f}  {item.reason}"
        if isinstance(item, BundleItem):
            line += (
                f"  support {item.support:.2f} confidence {item.confidence:.3f} "
                f"lift {item.lift:.2f}  because {', '.join(item.because)}"
            )
        print(line)
