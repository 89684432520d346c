"""Aggregation of a chunk of events into the rows of the graph's batched writes.

One :class:`GraphBatch` holds, for one chunk of input, the rows of the four ``UNWIND $rows``
statements that write it (``merge_categories``, ``merge_items``, ``merge_sessions``,
``merge_orders`` in ``cypher/``). Rows are nested so that each session and order is looked up
once: a session row carries its users and its views, cart adds and removals aggregated per
item (count, first and last time); an order row carries its users, sessions and lines
aggregated per item (quantity, number of lines, last price, smallest position).

Counts of later chunks are added to those already stored, so a chunk must be written exactly
once; the graph layer guarantees it with a per-load chunk counter. Item and category rows are
plain facts (``MERGE`` and ``SET``), so a :class:`CatalogCache` leaves out the ones this load
has already written unchanged.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from shopgraph.loaders.records import Event, EventType

__all__ = ["BatchBuilder", "CatalogCache", "GraphBatch", "category_path"]

Row = dict[str, Any]
#: [item id, count, first time, last time] of a view, cart add or removal aggregate.
PairRow = list[Any]


@dataclass
class GraphBatch:
    """Rows of each batched write of one chunk; each list holds distinct keys.

    Times are epoch milliseconds or ``None``.

    Attributes:
        categories: ``{code, name, level, parent}``, parents first.
        items: ``{id, price, categoryId, name, brand, category}`` (new or changed items).
        sessions: ``{id, start, end, n, users, views, carts, removals}``; the last three
            are lists of ``[item, count, first, last]``.
        orders: ``{id, at, kind, source, users, sessions, lines}``; lines are
            ``[item, quantity, lines, price, position]`` (price and position may be ``None``).
    """

    categories: list[Row] = field(default_factory=list)
    items: list[Row] = field(default_factory=list)
    sessions: list[Row] = field(default_factory=list)
    orders: list[Row] = field(default_factory=list)


def category_path(code: str) -> list[str]:
    """Returns the codes from the root down to ``code``.

    >>> category_path("appliances.kitchen.refrigerators")
    ['appliances', 'appliances.kitchen', 'appliances.kitchen.refrigerators']
    """
    parts = code.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


class CatalogCache:
    """Remembers the item and category rows a load has written, to skip unchanged ones.

    Bounded (least recently used items are forgotten and simply written again), so the
    loader's memory stays flat whatever the file size.

    Args:
        max_items: Items remembered at most.
    """

    def __init__(self, max_items: int = 500_000) -> None:
        self._items: OrderedDict[str, tuple[Any, ...]] = OrderedDict()
        self._categories: set[str] = set()
        self._max_items = max_items

    def item_changed(self, row: Row) -> bool:
        """True when ``row`` differs from what this load last wrote for the item."""
        key = row["id"]
        state = (row["price"], row["categoryId"], row["name"], row["brand"], row["category"])
        if self._items.get(key) == state:
            self._items.move_to_end(key)
            return False
        self._items[key] = state
        self._items.move_to_end(key)
        if len(self._items) > self._max_items:
            self._items.popitem(last=False)
        return True

    def category_new(self, code: str) -> bool:
        """True the first time a category code is seen by this load."""
        if code in self._categories:
            return False
        self._categories.add(code)
        return True


class _Session:
    __slots__ = ("carts", "end", "n", "removals", "start", "users", "views")

    def __init__(self, t: int | None) -> None:
        self.start = t
        self.end = t
        self.n = 0
        self.users: set[str] = set()
        self.views: dict[str, PairRow] = {}
        self.carts: dict[str, PairRow] = {}
        self.removals: dict[str, PairRow] = {}


class _Order:
    __slots__ = ("at", "kind", "lines", "sessions", "users")

    def __init__(self, t: int | None, kind: str) -> None:
        self.at = t
        self.kind = kind
        self.users: set[str] = set()
        self.sessions: set[str] = set()
        self.lines: dict[str, PairRow] = {}


class BatchBuilder:
    """Collects the events of one chunk and builds its :class:`GraphBatch`.

    Args:
        source: Loader name stored on orders (``source``).
    """

    def __init__(self, source: str) -> None:
        self._source = source
        self._items: dict[str, Row] = {}
        self._sessions: dict[str, _Session] = {}
        self._orders: dict[str, _Order] = {}

    def add(self, event: Event) -> None:
        """Adds one validated event.

        Raises:
            ValueError: When a view or cart event has no session, or a purchase has neither
                order nor session.
        """
        t = event.time
        self._add_item(event)
        session_id = event.session
        session = None
        if session_id is not None:
            session = self._sessions.get(session_id)
            if session is None:
                session = self._sessions[session_id] = _Session(t)
            elif t is not None:
                if session.start is None or t < session.start:
                    session.start = t
                if session.end is None or t > session.end:
                    session.end = t
            session.n += 1
            if event.user is not None:
                session.users.add(event.user)
        if event.type is EventType.PURCHASE:
            self._add_purchase(event)
            return
        if session is None:
            raise ValueError(f"A {event.type} event needs a session id (item {event.item}).")
        if event.type is EventType.VIEW:
            pairs = session.views
        elif event.type is EventType.CART:
            pairs = session.carts
        else:
            pairs = session.removals
        pair = pairs.get(event.item)
        if pair is None:
            pairs[event.item] = [event.item, 1, t, t]
            return
        pair[1] += 1
        if t is not None:
            if pair[2] is None or t < pair[2]:
                pair[2] = t
            if pair[3] is None or t > pair[3]:
                pair[3] = t

    def _add_item(self, event: Event) -> None:
        item = self._items.get(event.item)
        if item is None:
            item = self._items[event.item] = {
                "id": event.item,
                "price": None,
                "categoryId": None,
                "name": None,
                "brand": None,
                "category": None,
            }
        if event.price is not None:
            item["price"] = event.price
        if event.category_id is not None:
            item["categoryId"] = event.category_id
        if event.item_name is not None:
            item["name"] = event.item_name
        if event.brand is not None:
            item["brand"] = event.brand
        if event.category is not None:
            item["category"] = event.category

    def _add_purchase(self, event: Event) -> None:
        order_id = event.order if event.order is not None else event.session
        if order_id is None:
            raise ValueError(f"A purchase needs an order or a session id (item {event.item}).")
        t = event.time
        order = self._orders.get(order_id)
        if order is None:
            order = self._orders[order_id] = _Order(t, event.order_kind.value)
        elif t is not None and (order.at is None or t < order.at):
            order.at = t
        if event.user is not None:
            order.users.add(event.user)
        if event.session is not None:
            order.sessions.add(event.session)
        line = order.lines.get(event.item)
        if line is None:
            order.lines[event.item] = [event.item, event.quantity, 1, event.price, event.position]
            return
        line[1] += event.quantity
        line[2] += 1
        if event.price is not None:
            line[3] = event.price
        if event.position is not None and (line[4] is None or event.position < line[4]):
            line[4] = event.position

    def build(self, cache: CatalogCache) -> GraphBatch:
        """Returns the rows of everything added, leaving out what ``cache`` says is written."""
        categories: list[Row] = []
        for item in self._items.values():
            code = item["category"]
            if code is None:
                continue
            parent = None
            for level, path in enumerate(category_path(code), start=1):
                if cache.category_new(path):
                    categories.append(
                        {
                            "code": path,
                            "name": path.rsplit(".", 1)[-1],
                            "level": level,
                            "parent": parent,
                        }
                    )
                parent = path
        categories.sort(key=lambda row: row["level"])
        return GraphBatch(
            categories=categories,
            items=[row for row in self._items.values() if cache.item_changed(row)],
            sessions=[
                {
                    "id": session_id,
                    "start": s.start,
                    "end": s.end,
                    "n": s.n,
                    "users": sorted(s.users),
                    "views": list(s.views.values()),
                    "carts": list(s.carts.values()),
                    "removals": list(s.removals.values()),
                }
                for session_id, s in self._sessions.items()
            ],
            orders=[
                {
                    "id": order_id,
                    "at": o.at,
                    "kind": o.kind,
                    "source": self._source,
                    "users": sorted(o.users),
                    "sessions": sorted(o.sessions),
                    "lines": list(o.lines.values()),
                }
                for order_id, o in self._orders.items()
            ],
        )
