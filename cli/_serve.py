"""``shopgraph bundle|recommend|similar``: recommendations from the command line.

Each answer shows the items' name, brand, category and price beside their ids, as far as the
graph knows them (``--json`` too: an ``item`` object per row).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from shopgraph.cli._common import add_connection_flags, print_json, settings_from
from shopgraph.core.errors import BadArgumentError
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.recommend import (
    UNLIMITED,
    BundleItem,
    BundleOptions,
    ItemDetails,
    Limit,
    Recommendation,
    RecommendOptions,
    Served,
    WalkOptions,
)


def register(subparsers: Any) -> None:
    bundle = subparsers.add_parser("bundle", help="frequently bought together for a cart")
    bundle.add_argument("items", nargs="+", metavar="ITEM", help="cart item ids (1 to 50)")
    bundle.add_argument(
        "--user",
        help="leave out what this user already bought (with --experiment: the shopper)",
    )
    _add_limit(bundle, "--max-per-brand", "brand", "no limit")
    bundle.add_argument("--category", action="append", default=[], help="only this category")
    bundle.add_argument("--max-price", type=float, help="only items at most this price")
    bundle.set_defaults(run=_bundle)
    recommend = subparsers.add_parser("recommend", help="recommendations for a user")
    recommend.add_argument("user", help="user id (unknown users get popular items)")
    _add_limit(recommend, "--max-per-brand", "brand", "3")
    _add_limit(recommend, "--max-per-category", "category", "4")
    recommend.set_defaults(run=_recommend)
    similar = subparsers.add_parser("similar", help="items similar to an item")
    similar.add_argument("item", help="item id")
    similar.add_argument("--seed", type=int, help="seed of the random walks")
    similar.add_argument("--user", help="with --experiment: the user or visitor looking")
    similar.set_defaults(run=_similar)
    for sub in (bundle, recommend, similar):
        sub.add_argument(
            "--experiment",
            metavar="NAME",
            help="answer through this experiment (bundle and similar: with --user) and log it",
        )
        stock = sub.add_mutually_exclusive_group()
        stock.add_argument(
            "--in-stock",
            dest="in_stock",
            action="store_const",
            const=True,
            help="only items in stock (the default)",
        )
        stock.add_argument(
            "--include-out-of-stock",
            dest="in_stock",
            action="store_const",
            const=False,
            help="also items whose inStock is false",
        )
        sub.add_argument("--k", type=int, default=10, help="how many items, 1 to 1000 (10)")
        sub.add_argument("--json", action="store_true", help="print JSON")
        add_connection_flags(sub)


def _add_limit(parser: argparse.ArgumentParser, flag: str, what: str, default: str) -> None:
    parser.add_argument(
        flag,
        type=_limit,
        metavar="N|none",
        help=f"at most N items of one {what}; none: no limit (default {default})",
    )


def _limit(text: str) -> Limit:
    if text.lower() == "none":
        return UNLIMITED
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number or 'none': {text!r}") from None


def _bundle(args: argparse.Namespace) -> int:
    options = BundleOptions(
        user=args.user,
        max_per_brand=args.max_per_brand,
        categories=tuple(args.category),
        in_stock_only=args.in_stock,
        max_price=args.max_price,
    )
    title = f"Bought together with {', '.join(args.items)}"
    with ShopGraph.connect(settings_from(args)) as shop:
        if args.experiment is not None:
            _show_served(
                shop.bundle(args.items, args.k, options, details=True, experiment=args.experiment),
                args.json,
                title,
            )
            return 0
        items = shop.bundle(args.items, args.k, options, details=True)
    _show(items, args.json, title)
    return 0


def _recommend(args: argparse.Namespace) -> int:
    options = RecommendOptions(
        max_per_brand=args.max_per_brand,
        max_per_category=args.max_per_category,
        in_stock_only=args.in_stock,
    )
    title = f"Recommended for {args.user}"
    with ShopGraph.connect(settings_from(args)) as shop:
        if args.experiment is not None:
            _show_served(
                shop.recommend(
                    args.user, args.k, options, details=True, experiment=args.experiment
                ),
                args.json,
                title,
            )
            return 0
        items = shop.recommend(args.user, args.k, options, details=True)
    _show(items, args.json, title)
    return 0


def _similar(args: argparse.Namespace) -> int:
    options = WalkOptions(seed=args.seed, in_stock_only=args.in_stock)
    title = f"Similar to {args.item}"
    with ShopGraph.connect(settings_from(args)) as shop:
        if args.experiment is not None:
            if args.user is None:
                raise BadArgumentError("--experiment needs --user: the user or visitor looking.")
            _show_served(
                shop.similar(
                    args.item,
                    args.k,
                    options,
                    details=True,
                    experiment=args.experiment,
                    user=args.user,
                ),
                args.json,
                title,
            )
            return 0
        if args.user is not None:
            raise BadArgumentError("--user goes with --experiment.")
        items = shop.similar(args.item, args.k, options, details=True)
    _show(items, args.json, title)
    return 0


def _show_served(served: Served[Any], as_json: bool, title: str) -> None:
    """An answer through an experiment: its request id and variant, then its items."""
    if as_json:
        print_json(served)
        return
    if served.variant is None:
        print(f"Experiment {served.experiment} is not live: its control answered, unlogged.")
    else:
        print(
            f"Experiment {served.experiment}, variant {served.variant}, request "
            f"{served.request_id or '- (empty answer)'}"
        )
    _show(served.items, False, title)


def _show(items: Sequence[Recommendation], as_json: bool, title: str) -> None:
    if as_json:
        print_json(list(items))
        return
    if not items:
        print(f"{title}: nothing found.")
        return
    print(f"{title}:")
    print(_table(items))


def _table(items: Sequence[Recommendation]) -> str:
    """One line per item: rank, id, what the graph knows of it, score and why."""
    details = [item.item or ItemDetails() for item in items]
    columns: list[tuple[str, list[str]]] = [
        ("#", [str(item.rank) for item in items]),
        ("item", [item.item_id for item in items]),
    ]
    if any(d.name for d in details):
        columns.append(("name", [d.name or "-" for d in details]))
    columns.append(("brand", [d.brand or "-" for d in details]))
    columns.append(("category", [d.category or "-" for d in details]))
    columns.append(("price", ["-" if d.price is None else f"{d.price:,.2f}" for d in details]))
    if any(d.in_stock is False for d in details):
        columns.append(("stock", ["out" if d.in_stock is False else "in" for d in details]))
    columns.append(("score", [f"{item.score:.4f}" for item in items]))
    columns.append(("reason", [_reason(item) for item in items]))
    numeric = {"#", "price", "score"}
    widths = [max(len(name), *(len(v) for v in values)) for name, values in columns]
    lines = []
    for row in range(-1, len(items)):
        cells = []
        for (name, values), width in zip(columns, widths, strict=True):
            cell = name if row < 0 else values[row]
            cells.append(cell.rjust(width) if name in numeric else cell.ljust(width))
        lines.append(("  " + "  ".join(cells)).rstrip())
    return "\n".join(lines)


def _reason(item: Recommendation) -> str:
    if not isinstance(item, BundleItem):
        return item.reason
    return (
        f"{item.reason}: support {item.support:.2f}, confidence {item.confidence:.3f}, "
        f"lift {item.lift:.2f}, because {', '.join(item.because)}"
    )
