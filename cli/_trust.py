"""``shopgraph trust [--since TIME | --users ID ...]`` and ``shopgraph trust explain USER``."""

from __future__ import annotations

import argparse
from typing import Any

from shopgraph.cli._common import add_connection_flags, aware_datetime, print_json, settings_from
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.recommend import refresh_bundle_masses
from shopgraph.graph.trust import compute_trust, explain_trust, users_since


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "trust", help="score users' trust, store it and weight their edges (or explain one)"
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--since",
        type=aware_datetime,
        metavar="TIME",
        help="only users with a session or order at or after this ISO time with a timezone, "
        "e.g. 2024-03-01T00:00:00+00:00 (incremental)",
    )
    group.add_argument("--users", nargs="+", metavar="ID", help="only these users (incremental)")
    parser.add_argument(
        "--no-bundle-refresh",
        action="store_true",
        help="skip shopgraph.bundle.refresh() after the new weights",
    )
    parser.add_argument("--json", action="store_true", help="print every score as JSON")
    add_connection_flags(parser)
    parser.set_defaults(run=_compute)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    explain = actions.add_parser("explain", help="a user's stored trust and why")
    explain.add_argument("user", help="user id")
    explain.add_argument("--json", action="store_true", help="print JSON")
    add_connection_flags(explain)
    explain.set_defaults(run=_explain)


def _compute(args: argparse.Namespace) -> int:
    with ShopGraph.connect(settings_from(args)) as shop:
        users = args.users
        if args.since is not None:
            users = users_since(shop.runner, args.since)
        report = compute_trust(shop.runner, users=users)
        refreshed = None if args.no_bundle_refresh else refresh_bundle_masses(shop.runner)
    if args.json:
        print_json(list(report.scores))
        return 0
    print(
        f"Scored {len(report.scores):,} users in {report.seconds:.1f} s: "
        f"{report.low:,} with trust below 0.5."
    )
    if refreshed is not None:
        print(f"Bundle masses refreshed: {refreshed.items:,} items, {refreshed.baskets:,} baskets.")
    return 0


def _explain(args: argparse.Namespace) -> int:
    with ShopGraph.connect(settings_from(args)) as shop:
        explanation = explain_trust(shop.runner, args.user)
    if explanation is None:
        print(f"User {args.user} has no trust score yet: run `shopgraph trust`.")
        return 1
    if args.json:
        print_json(explanation)
        return 0
    score = explanation.score
    print(f"User {score.user_id}: trust {score.trust:.3f} (computed {explanation.computed_at:%c})")
    reasons = explanation.reasons()
    for reason in reasons:
        print(f"  - {reason}")
    if not reasons:
        print("  no signal lowered it")
    return 0
