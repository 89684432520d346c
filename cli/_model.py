"""``shopgraph model list|rollback|activate``: model versions written back to Neo4j."""

from __future__ import annotations

import argparse
from typing import Any

from shopgraph.cli._common import add_connection_flags, print_json, settings_from
from shopgraph.graph import models
from shopgraph.graph.client import ShopGraph


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("model", help="list, roll back or activate model versions")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="every model version, newest first")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(run=_list)
    back = actions.add_parser("rollback", help="activate the previous version again")
    back.set_defaults(run=_rollback)
    use = actions.add_parser("activate", help="activate a ready or previous version")
    use.add_argument("version")
    use.set_defaults(run=_activate)
    for sub in (listing, back, use):
        add_connection_flags(sub)


def _list(args: argparse.Namespace) -> int:
    with ShopGraph.connect(settings_from(args)) as shop:
        versions = models.list_versions(shop.runner)
    if args.json:
        print_json(versions)
        return 0
    if not versions:
        print("No model versions yet: train one with `shopgraph train --write-back`.")
        return 0
    print(
        f"{'version':<32} {'status':<9} {'slot':<4} {'dims':>4} {'users':>9} {'items':>9}  created"
    )
    for v in versions:
        created = v.created_at.strftime("%Y-%m-%d %H:%M") if v.created_at else "-"
        marker = "*" if v.active else " "
        print(
            f"{marker}{v.version:<31} {v.status:<9} {v.slot or '-':<4} {v.dimensions:>4} "
            f"{v.users:>9,} {v.items:>9,}  {created}"
        )
    return 0


def _rollback(args: argparse.Namespace) -> int:
    with ShopGraph.connect(settings_from(args)) as shop:
        info = models.rollback(shop.runner)
    print(f"Active model version is now {info.version} (slot {info.slot}).")
    return 0


def _activate(args: argparse.Namespace) -> int:
    with ShopGraph.connect(settings_from(args)) as shop:
        info = models.activate(shop.runner, args.version)
    print(f"Active model version is now {info.version} (slot {info.slot}).")
    return 0
