"""Serving follows every write within a second, without a refresh, through the client.

Writes come the ways a live shop makes them: a file load, plain Cypher, and the live API
(recorded events, catalog upserts, feedback, an erasure). The answers after the writes
are the exact ones: the live pair index equals a full build of the same graph
(:func:`~shopgraph.graph.recommend.compact_bundle_index`), number for number.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from shopgraph.graph import CatalogItem, Event, EventType, FeedbackKind
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.recommend import (
    UNLIMITED,
    BundleOptions,
    RecommendOptions,
    WalkOptions,
    compact_bundle_index,
)

LINES = ("A,B", "A,X,C", "C,Y,A", "B,C", "X,Y")


def _within_a_second(what: str, condition: Callable[[], bool]) -> None:
    """Checks ``condition`` until it holds, for at most a second (the wait starts now)."""
    deadline = time.monotonic() + 1.0
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Not within a second: {what}.")
        time.sleep(0.01)


def _cypher(shop: ShopGraph, statement: str, **params: Any) -> None:
    shop.runner.write_tx(lambda tx: tx._tx.run(statement, **params).consume())


def _ids(items: list[Any]) -> list[str]:
    return [item.item_id for item in items]


@pytest.fixture
def orders(shop: ShopGraph, tmp_path: Path) -> ShopGraph:
    path = tmp_path / "shop.csv"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    shop.load_baskets(path)
    shop.refresh()
    return shop


def test_a_file_load_shows_in_bundles_within_a_second_and_as_a_full_build(
    orders: ShopGraph, tmp_path: Path
) -> None:
    assert "Z" not in _ids(orders.bundle(["A"]))
    more = tmp_path / "more.csv"
    more.write_text("A,Z\nA,Z\nZ,B\n", encoding="utf-8")
    orders.load_baskets(more)  # no refresh
    _within_a_second("Z is bought with A", lambda: "Z" in _ids(orders.bundle(["A"])))
    carts = [["A"], ["Z"], ["B", "C"], ["X"], ["A", "Y", "Z"]]
    knobs = [BundleOptions(), BundleOptions(alpha=1.0, beta=0.2, smoothing=3.0)]
    merged = [orders.bundle(cart, 10, options) for cart in carts for options in knobs]
    compaction = compact_bundle_index(orders.runner)
    assert compaction.items == 6  # A, B, C, X, Y, Z
    assert [orders.bundle(cart, 10, options) for cart in carts for options in knobs] == merged


def test_a_purchase_reaches_the_buyers_recommendations_and_candidates(orders: ShopGraph) -> None:
    # ann viewed A; she has bought nothing.
    _cypher(
        orders,
        "CREATE (:User {userId: 'ann'})-[:HAS_SESSION]->(s:Session {sessionId: 'ann-1',"
        " start: datetime('2024-01-01T00:00:00Z')}) WITH s MATCH (a:Item {itemId: 'A'})"
        " CREATE (s)-[:VIEWED {count: 1, weight: 1.0, first: s.start, last: s.start}]->(a)",
    )
    options = RecommendOptions(max_per_brand=UNLIMITED, max_per_category=UNLIMITED)
    _within_a_second(
        "B is recommended to ann", lambda: "B" in _ids(orders.recommend("ann", 10, options))
    )
    # She buys A with B.
    _cypher(
        orders,
        "MATCH (u:User {userId: 'ann'}), (a:Item {itemId: 'A'}), (b:Item {itemId: 'B'})"
        " CREATE (u)-[:PLACED]->(o:Order {orderId: 'ann-o1', kind: 'order',"
        " at: datetime('2024-01-02T00:00:00Z')}),"
        " (o)-[:CONTAINS {weight: 1.0, position: 0}]->(a),"
        " (o)-[:CONTAINS {weight: 1.0, position: 1}]->(b)",
    )
    _within_a_second(
        "what ann bought leaves her recommendations and candidates",
        lambda: (
            not {"A", "B"} & set(_ids(orders.recommend("ann", 10, options)))
            and not {"A", "B"} & set(_ids(orders.candidates("ann", 10)))
        ),
    )
    # B was bought with C in a file order: a co-purchase of what she bought is recommended.
    assert "C" in _ids(orders.recommend("ann", 10, options))


def test_hidden_rejected_and_new_items_through_the_client(orders: ShopGraph) -> None:
    _cypher(
        orders,
        "MERGE (b:Brand {name: 'acme'}) MERGE (c:Category {code: 'toys'})"
        " WITH b, c MATCH (i:Item) WHERE i.itemId IN ['A', 'B', 'C', 'X']"
        " CREATE (i)-[:HAS_BRAND]->(b), (i)-[:IN_CATEGORY]->(c)",
    )
    _cypher(orders, "CREATE (:User {userId: 'ann'})")
    # A hidden item is gone from the next answer.
    _cypher(orders, "MATCH (i:Item {itemId: 'B'}) SET i.hidden = true")
    assert "B" not in _ids(orders.bundle(["A"]))
    assert "B" not in _ids(orders.similar("A", 10))
    _cypher(orders, "MATCH (i:Item {itemId: 'B'}) SET i.hidden = false")
    # Rejected by ann: never to her, still to others.
    _cypher(
        orders,
        "MATCH (u:User {userId: 'ann'}), (i:Item {itemId: 'C'})"
        " CREATE (u)-[:REJECTED {kind: 'not_interested', at: datetime(), count: 1}]->(i)",
    )
    assert "C" not in _ids(orders.bundle(["A"], options=BundleOptions(user="ann")))
    assert "C" not in _ids(orders.similar("A", 10, WalkOptions(user_id="ann")))
    assert "C" in _ids(orders.similar("A", 10))
    # A new item of the brand and category, with no interactions: shown with its reason.
    _cypher(
        orders,
        "MATCH (b:Brand {name: 'acme'}), (c:Category {code: 'toys'})"
        " CREATE (n:Item {itemId: 'N'})-[:HAS_BRAND]->(b), (n)-[:IN_CATEGORY]->(c)",
    )
    # Walks of one step reach no item: what similar shows then is the cold start alone.
    one_step = WalkOptions(steps=1)
    _within_a_second(
        "the new item is shown with B's similar items",
        lambda: (
            [(r.item_id, r.reason) for r in orders.similar("B", 5, one_step)]
            == [("N", "new: same brand and category")]
        ),
    )
    assert orders.similar("B", 5, WalkOptions(steps=1, new_items=0)) == []
    assert "N" in _ids(orders.similar("B", 5))
    # Once viewed, it is no longer new.
    _cypher(
        orders,
        "MATCH (u:User {userId: 'ann'}), (n:Item {itemId: 'N'})"
        " CREATE (u)-[:HAS_SESSION]->(s:Session {sessionId: 'ann-2', start: datetime()}),"
        " (s)-[:VIEWED {count: 1, weight: 1.0}]->(n)",
    )
    _within_a_second("a viewed item is not new", lambda: orders.similar("B", 5, one_step) == [])


def test_what_the_live_api_writes_is_served_within_a_second(orders: ShopGraph) -> None:
    """Events, catalog upserts, feedback and an erasure through the live API."""
    now = datetime.now(UTC)

    def event(n: int, kind: EventType, item: str, session: str, user: str) -> Event:
        return Event(f"e{n}", now, kind, item, session, user=user)

    orders.record(
        [
            event(1, EventType.VIEW, "A", "s-ann", "ann"),
            event(2, EventType.VIEW, "X", "s-ann", "ann"),
        ]
    )
    options = RecommendOptions(max_per_brand=UNLIMITED, max_per_category=UNLIMITED)
    _within_a_second("ann is known", lambda: bool(orders.recommend("ann", 10, options)))
    # A purchase: in that cart's bundle, dropped from ann's list and candidates.
    assert "Y" not in _ids(orders.bundle(["B"]))
    orders.record(
        [
            event(3, EventType.PURCHASE, "B", "s-ann", "ann"),
            event(4, EventType.PURCHASE, "Y", "s-ann", "ann"),
        ]
    )
    _within_a_second(
        "the cart's bundle shows the purchase", lambda: "Y" in _ids(orders.bundle(["B"]))
    )
    _within_a_second(
        "ann's recommendations and candidates leave out what she bought",
        lambda: (
            not {"B", "Y"} & set(_ids(orders.recommend("ann", 10, options)))
            and not {"B", "Y"} & set(_ids(orders.candidates("ann", 10)))
        ),
    )
    # Hidden by the catalog: out of the next answer.
    orders.upsert_items([CatalogItem("Y", hidden=True)])
    assert "Y" not in _ids(orders.bundle(["B"]))
    orders.upsert_items([CatalogItem("Y", hidden=False)])
    # Rejected: never again to ann.
    orders.feedback("ann", "C", FeedbackKind.NOT_INTERESTED)
    assert "C" not in _ids(orders.recommend("ann", 10, options))
    assert "C" not in _ids(orders.bundle(["A"], options=BundleOptions(user="ann")))
    # A new item of A's brand and category: shown by similar before anyone touched it.
    orders.upsert_items(
        [CatalogItem(item, brand="acme", category="toys.blocks") for item in ("A", "N")]
    )
    _within_a_second(
        "the new item is shown with A's similar items",
        lambda: (
            [(r.item_id, r.reason) for r in orders.similar("A", 5, WalkOptions(steps=1))]
            == [("N", "new: same brand and category")]
        ),
    )
    # ann is forgotten: her order no longer counts.
    orders.forget_user("ann")
    _within_a_second("ann's order no longer counts", lambda: "Y" not in _ids(orders.bundle(["B"])))
