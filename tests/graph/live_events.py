"""Helpers of the live-shop tests: events from a REES46 file, the same events as a file of the
``live`` mapping, and graph dumps whose order lines are compared by rank."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from shopgraph.graph.live import Event
from shopgraph.loaders.mapping import ColumnMapping
from shopgraph.loaders.records import Event as FileEvent
from shopgraph.loaders.rees46 import rees46_source

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "loaders" / "samples" / "rees46-2019-10-01-head.csv.gz"
LIVE_MAPPING = ColumnMapping.from_toml(REPO / "loaders" / "mappings" / "live.toml")
LIVE_COLUMNS = (
    "eventId",
    "time",
    "type",
    "itemId",
    "sessionId",
    "userId",
    "price",
    "quantity",
    "orderId",
    "brand",
    "categoryCode",
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def events_of(path: Path, prefix: str = "e") -> list[Event]:
    """The good rows of a REES46 file as live events, in file order; event ids from lines."""
    events = []
    for record in rees46_source(path).records():
        if not isinstance(record, FileEvent):
            continue
        assert record.time is not None
        assert record.session is not None
        events.append(
            Event(
                event_id=f"{prefix}{record.position}",
                time=_EPOCH + timedelta(milliseconds=record.time),
                type=record.type,
                item=record.item,
                session=record.session,
                user=record.user,
                price=record.price,
                quantity=record.quantity,
                order=record.order,
                brand=record.brand,
                category=record.category,
            )
        )
    return events


def write_live_csv(events: Iterable[Event], path: Path) -> Path:
    """The events as a file of the ``live`` mapping (``loaders/mappings/live.toml``)."""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(LIVE_COLUMNS)
        for event in events:
            row = event.to_map()
            writer.writerow(["" if row[key] is None else row[key] for key in LIVE_COLUMNS])
    return path


def with_line_ranks(dump: dict[str, Any]) -> dict[str, Any]:
    """The dump with each order line's ``position`` replaced by its rank within its order
    (by position, then item id), the order bundles read."""
    lines: dict[Any, list[tuple[Any, Any]]] = defaultdict(list)
    for key, props in dump["relationships"].items():
        if key[1] == "CONTAINS":
            lines[key[0]].append((props.get("position"), key[2][1]))
    rank = {}
    for order, entries in lines.items():
        ordered = sorted(entries, key=lambda e: (e[0] is None, e[0] or 0, e[1]))
        for n, (_, item) in enumerate(ordered):
            rank[(order, item)] = n
    relationships = {}
    for key, props in dump["relationships"].items():
        if key[1] == "CONTAINS":
            props = {**props, "position": rank[(key[0], key[2][1])]}
        relationships[key] = props
    return {"nodes": dump["nodes"], "relationships": relationships}
