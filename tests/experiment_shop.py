"""A small shop in REES46 event form for the experiment tests, with times relative to now.

Experiments log requests at the server's clock (or an ``at`` no later than it) and attribute
carts and purchases within hours of an exposure, so the shop's events are placed in the recent
past: ``ago(hours=...)`` is that long before the fixture was built, to the second.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from shopgraph.graph.client import ShopGraph

HEADER = (
    "event_time",
    "event_type",
    "product_id",
    "category_id",
    "category_code",
    "brand",
    "price",
    "user_id",
    "user_session",
)


@dataclass(frozen=True)
class Event:
    """One REES46 event: ``kind`` is view, cart, remove_from_cart or purchase."""

    at: datetime
    kind: str
    item: str
    user: str
    session: str
    price: float = 10.0


class Clock:
    """Times before a fixed now (whole seconds, UTC)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def ago(self, *, days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
        return self.now - timedelta(days=days, hours=hours, minutes=minutes)


def write_events(path: Path, events: Iterable[Event]) -> Path:
    """Writes events as a REES46 CSV (category 1, brand ``b-<item>``)."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        for e in sorted(events, key=lambda e: e.at):
            writer.writerow(
                (
                    e.at.strftime("%Y-%m-%d %H:%M:%S UTC"),
                    e.kind,
                    e.item,
                    "1",
                    "",
                    f"b-{e.item}",
                    f"{e.price:.2f}",
                    e.user,
                    e.session,
                )
            )
    return path


def load_events(shop: ShopGraph, path: Path, events: Iterable[Event]) -> None:
    """Loads the events and refreshes what serving precomputes."""
    shop.load_rees46(write_events(path, events))
    shop.refresh()


def history(clock: Clock) -> list[Event]:
    """Ten days ago: five orders over items p1 to p5 (p1, p2 and p3 bought together most)."""
    baskets = {
        "h1": ["p1", "p2", "p3"],
        "h2": ["p1", "p2"],
        "h3": ["p2", "p3", "p4"],
        "h4": ["p4", "p5"],
        "h5": ["p1", "p3"],
    }
    events = []
    for n, (user, items) in enumerate(baskets.items()):
        at = clock.ago(days=10, hours=n)
        for item in items:
            events.append(Event(at, "view", item, user, f"s-{user}"))
            events.append(Event(at, "purchase", item, user, f"s-{user}", price=10.0 + n))
    return events
