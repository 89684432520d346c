"""``shopgraph record``, ``shopgraph feedback`` and ``shopgraph merge-users``: the live shop's
writes from the command line, one at a time (backends use the Python API or the procedures)."""

from __future__ import annotations

import argparse
import uuid
from datetime import UTC, datetime
from typing import Any

from shopgraph.cli._common import add_connection_flags, aware_datetime, print_json, settings_from
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.live import Event, FeedbackKind
from shopgraph.loaders.records import EventType


def register(subparsers: Any) -> None:
    record = subparsers.add_parser(
        "record",
        help="record one shop event as it happens",
        description="Record one event (shopgraph.events.record): the graph a file load of it "
        "gives; an event id recorded in the last 7 days changes nothing.",
    )
    record.add_argument("type", choices=[t.value for t in EventType], help="what happened")
    record.add_argument("item", help="item id (created when unknown)")
    record.add_argument("--session", required=True, help="session id")
    record.add_argument("--user", help="user id (created when unknown); none: anonymous")
    record.add_argument("--price", type=float, help="the item's price")
    record.add_argument("--quantity", type=int, default=1, help="items bought (1)")
    record.add_argument("--order", help="order id of a purchase (default: the session id)")
    record.add_argument("--brand", help="the item's brand")
    record.add_argument("--category", help="the item's dotted category code")
    record.add_argument("--event-id", help="the event's id (default: a new UUID)")
    record.add_argument(
        "--time", type=aware_datetime, help="ISO time with a timezone (default: now)"
    )
    record.add_argument("--json", action="store_true", help="print JSON")
    add_connection_flags(record)
    record.set_defaults(run=_record)

    feedback = subparsers.add_parser(
        "feedback", help="record negative feedback of a user on an item"
    )
    feedback.add_argument("user", help="user id (created when unknown)")
    feedback.add_argument("item", help="item id")
    feedback.add_argument(
        "--kind",
        choices=[k.value for k in FeedbackKind],
        default=FeedbackKind.NOT_INTERESTED.value,
        help="not_interested (default) or dismissed",
    )
    feedback.add_argument("--json", action="store_true", help="print JSON")
    add_connection_flags(feedback)
    feedback.set_defaults(run=_feedback)

    merge = subparsers.add_parser(
        "merge-users",
        help="merge a user into another (a visitor who logs in)",
        description="Move the source user's sessions, orders and feedback to the target and "
        "delete the source; what both hold is kept once; the target's trust is marked stale.",
    )
    merge.add_argument("source", help="the user merged away, e.g. the anonymous visitor")
    merge.add_argument("target", help="the user who remains (created when unknown)")
    merge.add_argument("--json", action="store_true", help="print JSON")
    add_connection_flags(merge)
    merge.set_defaults(run=_merge)


def _record(args: argparse.Namespace) -> int:
    event = Event(
        event_id=args.event_id or str(uuid.uuid4()),
        time=args.time or datetime.now(UTC),
        type=EventType(args.type),
        item=args.item,
        session=args.session,
        user=args.user,
        price=args.price,
        quantity=args.quantity,
        order=args.order,
        brand=args.brand,
        category=args.category,
    )
    with ShopGraph.connect(settings_from(args)) as shop:
        report = shop.record(event)
    if args.json:
        print_json(report)
        return 0
    who = f"user {event.user}" if event.user else "an anonymous visitor"
    if report.duplicates:
        print(f"Event {event.event_id} was recorded before: nothing changed.")
    else:
        print(
            f"Recorded: {who} {_did(event.type)} item {event.item} in session {event.session} "
            f"({_count(report.nodes_created, 'node')} and "
            f"{_count(report.relationships_created, 'relationship')} created)."
        )
    return 0


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _did(kind: EventType) -> str:
    return {
        EventType.VIEW: "viewed",
        EventType.CART: "added to cart",
        EventType.REMOVE_FROM_CART: "removed from cart",
        EventType.PURCHASE: "bought",
    }[kind]


def _feedback(args: argparse.Namespace) -> int:
    with ShopGraph.connect(settings_from(args)) as shop:
        report = shop.feedback(args.user, args.item, args.kind)
    if args.json:
        print_json(report)
        return 0
    print(
        f"User {report.user_id} said {report.kind.value.replace('_', ' ')} about item "
        f"{report.item_id} (feedback given {_count(report.count, 'time')} on it)."
    )
    return 0


def _merge(args: argparse.Namespace) -> int:
    with ShopGraph.connect(settings_from(args)) as shop:
        report = shop.merge_users(args.source, args.target)
    if args.json:
        print_json(report)
        return 0
    created = " (a new user)" if report.target_created else ""
    print(
        f"Merged user {report.source} into {report.target}{created}: moved "
        f"{_count(report.sessions, 'session')}, {_count(report.orders, 'order')} and "
        f"{report.feedback} feedback; {report.combined} held by both kept once. "
        f"{report.source} is gone."
    )
    return 0
