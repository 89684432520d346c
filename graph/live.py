"""The live shop: events recorded as they happen, and negative feedback.

:func:`record_events` sends a batch of :class:`Event` to ``CALL shopgraph.events.record($events)``
in one round trip and one transaction: the batch is written whole or not at all. A transient
failure (a deadlock with another writer) or a lost connection is retried, which the event ids
make safe. Every event is checked here first with the procedure's rules and sentences (a bad
event is a :class:`~shopgraph.core.errors.BadInputError` naming its index, field and reason,
from either). The rules are the file loaders' (:class:`~shopgraph.loaders.mapping.RowParser`):
ids present, a known event type, a price that is a finite number of at least 0, a quantity of
at least 1, a category code without empty parts, a time with a timezone.

What a batch writes is what a file load of the same events writes: events go through the load
writer of the plugin, so sessions, their view, cart and removal aggregates, orders with their
lines, items, brands and categories are the same as those of ``shopgraph load csv FILE
--mapping loaders/mappings/live.toml`` on a file that lists the events in the order they were
recorded, but for two things that a file cannot say the same way:

* **order lines** are numbered by first sight: the first purchase of an item in an order gives
  the line the number of lines the order had until then (0, 1, 2, ...), where a file load
  gives the file line of the item's first row; both put an order's lines in the same order;
* orders carry ``source = 'live'``, as the mapping ``live`` gives them.

Items and users are created on first sight; an item created by events (recorded or loaded) has
``inCatalog = false`` until the catalog names it (:mod:`shopgraph.graph.catalog`).

**Idempotent by event id.** An event whose id was recorded before, or earlier in the same
batch, changes nothing and is counted as a duplicate: a retry after a timeout is safe, and of
two writers racing with one id exactly one records it (the id is locked as MERGE locks a key).
Recorded ids are kept as ``(:RecordedEvent {eventId, sessionId, recordedAt})`` bookkeeping
nodes, outside the shop graph, for **7 days after recording** (by the server's clock).
Recording prunes them, at most once a second, in a transaction of its own: up to twice the
events recorded since the last pruning plus 1,000 expired ones, so the bookkeeping holds about
the last 7 days of events. An id sent again after that is recorded again.

**Negative feedback** (:func:`record_feedback`) is one relationship per user and item,
``(:User)-[:REJECTED {kind, first, at, count}]->(:Item)``: ``kind`` is ``not_interested`` or
``dismissed`` (that of the latest feedback), ``first`` and ``at`` the earliest and latest
times, ``count`` how many times it was given. The training export leaves such pairs out of the
user's positives; serving reads the relationship to leave the item out and demote similar ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from shopgraph.core.errors import BadArgumentError
from shopgraph.core.times import require_timezone
from shopgraph.core.values import describe
from shopgraph.graph._input import Element, argument_id
from shopgraph.graph.runner import GraphRunner
from shopgraph.loaders.records import EventType

__all__ = [
    "MAX_BATCH",
    "Event",
    "FeedbackKind",
    "FeedbackReport",
    "RecordReport",
    "check_events",
    "record_events",
    "record_feedback",
]

#: The most events (or catalog items) one call sends; the procedures take no more.
MAX_BATCH = 10_000

_TYPE_OF = {t.value: t for t in EventType}
_TYPES = ", ".join(_TYPE_OF)


@dataclass(frozen=True)
class Event:
    """One shop event, as a storefront backend records it.

    Attributes:
        event_id: The sender's unique id of the event; sending it again changes nothing.
        time: When it happened, a datetime with a timezone (stored to the millisecond).
        type: What happened: view, cart, remove_from_cart or purchase.
        item: The item's id; an unknown item is created (``inCatalog = false``).
        session: The session's id.
        user: The user's id, or ``None`` for an anonymous visitor; an unknown user is created.
        price: The item's price at the event (a finite number of at least 0), or ``None``.
        quantity: Items bought (purchases), at least 1; default 1.
        order: The order a purchase belongs to; ``None``: the session's order (its id is the
            session id), as file loads of event data make it.
        brand: The item's brand, as REES46 events carry it, or ``None``.
        category: The item's dotted category code (``appliances.kitchen``), or ``None``.

    The map the procedure takes (:meth:`to_map`) has the keys ``eventId``, ``time`` (epoch
    milliseconds, or a datetime with a timezone), ``type``, ``itemId``, ``sessionId``,
    ``userId``, ``price``, ``quantity``, ``orderId``, ``brand``, ``categoryCode``.
    """

    event_id: str
    time: datetime
    type: EventType
    item: str
    session: str
    user: str | None = None
    price: float | None = None
    quantity: int = 1
    order: str | None = None
    brand: str | None = None
    category: str | None = None

    def to_map(self) -> dict[str, Any]:
        """The event as ``shopgraph.events.record`` takes it, unchecked: camelCase keys, the
        time in epoch milliseconds when it has a timezone, the type as its value."""
        time: Any = self.time
        if isinstance(time, datetime) and time.utcoffset() is not None:
            time = Element(0).time("time", time)
        return {
            "eventId": self.event_id,
            "time": time,
            "type": self.type.value if isinstance(self.type, EventType) else self.type,
            "itemId": self.item,
            "sessionId": self.session,
            "userId": self.user,
            "price": self.price,
            "quantity": self.quantity,
            "orderId": self.order,
            "brand": self.brand,
            "categoryCode": self.category,
        }


@dataclass(frozen=True)
class RecordReport:
    """What a batch of events did.

    Attributes:
        recorded: Events written.
        duplicates: Events whose id was recorded before (or earlier in the batch): nothing
            changed for them.
        nodes_created: Nodes of the shop graph created (items, users, sessions, orders, ...).
        relationships_created: Relationships created.
        pruned: Expired bookkeeping nodes of recorded ids deleted by this call.
    """

    recorded: int = 0
    duplicates: int = 0
    nodes_created: int = 0
    relationships_created: int = 0
    pruned: int = 0


def check_events(events: Event | Iterable[Event]) -> list[dict[str, Any]]:
    """The procedure's maps of ``events``, each checked with the procedure's rules.

    Raises:
        BadArgumentError: When there are more than :data:`MAX_BATCH` events.
        BadInputError: For the first bad event: its index, field and reason.
    """
    batch = [events] if isinstance(events, Event) else list(events)
    if len(batch) > MAX_BATCH:
        raise BadArgumentError(f"A batch must have at most {MAX_BATCH} events, got {len(batch)}.")
    return [_checked(index, event) for index, event in enumerate(batch)]


def _checked(index: int, event: object) -> dict[str, Any]:
    """The event's map, its fields checked in the procedure's order (the first bad one fails)."""
    check = Element(index)
    if not isinstance(event, Event):
        check.fail(None, f"An event must be an Event, got {describe(event)}.")
    event_id = check.id("eventId", event.event_id)
    time = check.time("time", event.time)
    kind = _TYPE_OF.get(event.type) if isinstance(event.type, str) else None
    if kind is None:
        check.invalid("type", f"one of {_TYPES}", event.type)
    return {
        "eventId": event_id,
        "time": time,
        "type": kind.value,
        "itemId": check.id("itemId", event.item),
        "sessionId": check.id("sessionId", event.session),
        "userId": check.id("userId", event.user, nullable=True),
        "price": check.price("price", event.price),
        "quantity": check.positive("quantity", event.quantity),
        "orderId": check.id("orderId", event.order, nullable=True),
        "brand": check.text("brand", event.brand),
        "categoryCode": check.category("categoryCode", event.category),
    }


def record_events(runner: GraphRunner, events: Event | Iterable[Event]) -> RecordReport:
    """Records one event or a batch, in one transaction (see the module docstring).

    Args:
        runner: The graph (its schema must exist: ``ShopGraph.ensure_schema``).
        events: An event, or up to :data:`MAX_BATCH` of them; an empty batch sends nothing.

    Returns:
        How many were recorded and how many were duplicates.

    Raises:
        BadArgumentError: When there are more than :data:`MAX_BATCH` events.
        BadInputError: For the first bad event (index, field, reason); nothing was written.
    """
    maps = check_events(events)
    if not maps:
        return RecordReport()

    # One round trip, retried until it commits: safe, as a batch sent again changes nothing.
    row = runner.write_idempotent("call_events_record", {"events": maps})[0]
    return RecordReport(
        recorded=row["recorded"],
        duplicates=row["duplicates"],
        nodes_created=row["nodesCreated"],
        relationships_created=row["relationshipsCreated"],
        pruned=row["pruned"],
    )


class FeedbackKind(StrEnum):
    """Negative feedback of a shopper on an item shown to them."""

    NOT_INTERESTED = "not_interested"
    DISMISSED = "dismissed"


@dataclass(frozen=True)
class FeedbackReport:
    """The feedback stored for a user and an item.

    Attributes:
        user_id: The user.
        item_id: The item.
        kind: The kind of the latest feedback on the pair.
        count: How many times feedback was given on the pair.
        user_created: Whether the user was new.
    """

    user_id: str
    item_id: str
    kind: FeedbackKind
    count: int
    user_created: bool


def record_feedback(
    runner: GraphRunner,
    user: str,
    item: str,
    kind: FeedbackKind | str,
    *,
    at: datetime | None = None,
) -> FeedbackReport:
    """Records negative feedback (``shopgraph.feedback.record``; see the module docstring).

    Args:
        runner: The graph.
        user: The user; created when unknown (a visitor's first feedback).
        item: The item; it must be in the graph.
        kind: ``not_interested`` or ``dismissed``.
        at: When, a datetime with a timezone; ``None``: now, by the server's clock.

    Returns:
        The feedback now stored for the pair.

    Raises:
        BadArgumentError: For an empty id, an unknown kind or a time without a timezone, with
            the procedure's sentence.
        UnknownEntityError: When the item is not in the graph.
    """
    argument_id("userId", user)
    argument_id("itemId", item)
    if not isinstance(kind, str) or kind not in {k.value for k in FeedbackKind}:
        raise BadArgumentError(
            f"kind must be one of not_interested, dismissed, got {describe(kind)}."
        )
    if at is not None:
        require_timezone(at, "at")
    row = runner.write(
        "call_feedback_record",
        {"userId": user, "itemId": item, "kind": str(kind), "at": at},
    )[0]
    return FeedbackReport(
        user_id=row["userId"],
        item_id=row["itemId"],
        kind=FeedbackKind(row["kind"]),
        count=row["count"],
        user_created=row["userCreated"],
    )
