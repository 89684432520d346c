"""Normalised records shared by every loader: event types, order kinds, events and rejects."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

__all__ = ["Event", "EventGroup", "EventType", "OrderKind", "Reject"]


class EventType(StrEnum):
    """What a shopper did with an item."""

    VIEW = "view"
    CART = "cart"
    REMOVE_FROM_CART = "remove_from_cart"
    PURCHASE = "purchase"


class OrderKind(StrEnum):
    """What an order is: a normal order, a cancellation of one, or a bookkeeping adjustment."""

    ORDER = "order"
    CANCELLATION = "cancellation"
    ADJUSTMENT = "adjustment"


class Event(NamedTuple):
    """One validated, normalised input row.

    Ids are strings (business keys). ``time`` is epoch milliseconds (UTC) or ``None`` when the
    source has no time. A purchase belongs to ``order`` (the session id when the source has
    no order id). ``position`` is where the event sits in its file: the row's line number (as
    in :class:`Reject`) for event and order-line files, the item's 0-based index in its line
    for basket-form files, or ``None``; an order line keeps the smallest of its item's rows as
    ``CONTAINS.position`` (the line order that bundles read).
    """

    time: int | None
    type: EventType
    item: str
    user: str | None
    session: str | None
    price: float | None
    brand: str | None
    category: str | None
    category_id: str | None
    quantity: int
    order: str | None
    order_kind: OrderKind
    item_name: str | None
    position: int | None = None


class EventGroup(list[Event]):
    """The events of one input row that holds several (a basket-form line: one per item)."""


class Reject(NamedTuple):
    """A row that was not loaded, and why.

    ``line`` is the 1-based physical line of a text file (the header is line 1), or the
    1-based row number of a Parquet file. ``field`` is empty when the whole row is at fault
    (encoding, column count).
    """

    file: str
    line: int
    field: str
    reason: str
    raw: str
