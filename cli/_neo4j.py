"""``shopgraph neo4j start|stop|status``: the embedded Neo4j server."""

from __future__ import annotations

import argparse
from typing import Any

from shopgraph.cli._common import print_json, settings_from, table
from shopgraph.graph import server


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("neo4j", help="start, stop or inspect the embedded Neo4j")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    start = actions.add_parser("start", help="build on first use, start, wait until Bolt answers")
    start.add_argument("--timeout", type=float, default=180.0, help="seconds to wait (180)")
    start.set_defaults(run=_start)
    stop = actions.add_parser("stop", help="stop the embedded server")
    stop.add_argument("--timeout", type=float, default=60.0, help="seconds before SIGKILL (60)")
    stop.set_defaults(run=_stop)
    status = actions.add_parser("status", help="is it running, and where")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(run=_status)


def _start(args: argparse.Namespace) -> int:
    state = server.start(settings_from(args), timeout=args.timeout)
    print(f"Neo4j is running at {state.uri} (pid {state.pid}, {state.agent}); home {state.home}")
    return 0


def _stop(args: argparse.Namespace) -> int:
    state = server.stop(settings_from(args), timeout=args.timeout)
    print(f"Neo4j is stopped (home {state.home})")
    return 0


def _status(args: argparse.Namespace) -> int:
    state = server.status(settings_from(args))
    if args.json:
        print_json(state)
    else:
        print(
            table(
                [
                    ("state", state.state),
                    ("uri", state.uri),
                    ("pid", state.pid or "-"),
                    ("home", state.home or "-"),
                    ("answers", state.agent or "no"),
                ]
            )
        )
    return 0 if state.state == "running" or state.agent else 3
