"""``shopgraph forget USER``: erase a user from the graph and from shopgraph's files."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from shopgraph.cli._common import add_connection_flags, print_json, settings_from, table
from shopgraph.graph.client import ShopGraph


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "forget",
        help="erase a user from the graph and from shopgraph's files",
        description="Erase a user: the user node (trust, embeddings of every model version), "
        "its sessions, orders, feedback and recorded-event bookkeeping, the user's rows in the "
        "run folders of model versions and under SHOPGRAPH_HOME/runs, and the rows and lines "
        "that mention the id in reject files and logs under SHOPGRAPH_HOME. Items stay.",
    )
    parser.add_argument("user", help="user id")
    parser.add_argument(
        "--run-folder",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="another run or model folder to remove the user from (repeatable)",
    )
    parser.add_argument(
        "--missing-ok",
        action="store_true",
        help="clean the files even when the graph no longer holds the user (to finish an "
        "interrupted erasure)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    add_connection_flags(parser)
    parser.set_defaults(run=_forget)


def _forget(args: argparse.Namespace) -> int:
    with ShopGraph.connect(settings_from(args)) as shop:
        report = shop.forget_user(
            args.user, run_folders=args.run_folder, missing_ok=args.missing_ok
        )
    if args.json:
        print_json(report)
        return 0
    if report.in_graph:
        print(f"Forgot user {report.user_id}; removed from the graph:")
        print(
            table(
                [
                    ("sessions", report.sessions),
                    ("sessions kept for other users", report.sessions_kept),
                    ("views, cart adds and removals", report.session_events),
                    ("orders", report.orders),
                    ("orders kept for other users", report.orders_kept),
                    ("order lines", report.order_lines),
                    ("feedback", report.feedback),
                    ("recorded event ids", report.recorded_events),
                    ("relationships in all", report.relationships),
                ]
            )
        )
    else:
        print(f"User {report.user_id} was not in the graph; its files were cleaned.")
    print(
        f"Rewrote {len(report.files_rewritten)} files "
        f"({report.rows_removed} reject rows and log lines removed)"
        + (":" if report.files_rewritten else ".")
    )
    for path in report.files_rewritten:
        print(f"  {path}")
    return 0
