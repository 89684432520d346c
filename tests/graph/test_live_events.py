"""Events recorded as they happen (ShopGraph.record, shopgraph.events.record) on the real server:
the graph of a file load of the same events, idempotent by event id, and a bad event refused
whole with the same error from the client and the procedure."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from shopgraph.core.errors import BadArgumentError, BadInputError
from shopgraph.core.settings import Settings
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.live import Event, RecordReport
from shopgraph.graph.loading import LoadOptions
from shopgraph.loaders.records import EventType

from conftest import wipe
from live_events import LIVE_MAPPING, SAMPLE, events_of, with_line_ranks, write_live_csv

T0 = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
VIEW = Event("e1", T0, EventType.VIEW, "i1", "s1", user="u1", price=9.5, brand="acme",
             category="home.kitchen")  # fmt: skip


def test_recorded_events_give_the_graph_of_a_file_load_of_the_same_events(
    shop: ShopGraph, settings: Settings, graph_dump: Callable[[], Any], tmp_path: Path
) -> None:
    events = events_of(SAMPLE)
    assert len(events) > 15_000
    recorded = 0
    for start in range(0, len(events), 500):
        recorded += shop.record(events[start : start + 500]).recorded
    retry = shop.record(events[1000:1500])
    live = graph_dump()

    wipe(settings)
    report = shop.load_csv(write_live_csv(events, tmp_path / "events.csv"), LIVE_MAPPING)
    loaded = graph_dump()

    assert recorded == report.rows_loaded == len(events)
    assert (retry.recorded, retry.duplicates, retry.nodes_created) == (0, 500, 0)
    assert live["nodes"].keys() == loaded["nodes"].keys()
    assert live["relationships"].keys() == loaded["relationships"].keys()
    assert with_line_ranks(live) == with_line_ranks(loaded)
    # What the comparison covers: the sample's sessions, carts, multi-line orders, categories.
    types = {key[1] for key in live["relationships"]}
    assert types >= {"VIEWED", "ADDED_TO_CART", "CONTAINS", "PLACED", "IN_SESSION", "CHILD_OF"}
    lines = [key for key in live["relationships"] if key[1] == "CONTAINS"]
    assert len(lines) > len({key[0] for key in lines})  # some order has several lines
    positions = sorted(
        props["position"] for key, props in live["relationships"].items() if key[1] == "CONTAINS"
    )
    assert positions[0] == 0
    items = [props for key, props in live["nodes"].items() if key[0] == "Item"]
    assert {props["inCatalog"] for props in items} == {False}
    orders = [props for key, props in live["nodes"].items() if key[0] == "Order"]
    assert {props["source"] for props in orders} == {"live"}


def test_one_event_a_repeat_in_a_batch_and_a_retry(shop: ShopGraph) -> None:
    first = shop.record(VIEW)

    assert first == RecordReport(recorded=1, duplicates=0, nodes_created=6,
                                 relationships_created=5, pruned=0)  # fmt: skip
    cart = Event("e2", T0, EventType.CART, "i1", "s1", user="u1")
    batch = [cart, replace(cart, time=T0.replace(hour=11)), VIEW]
    assert shop.record(batch) == RecordReport(recorded=1, duplicates=2, relationships_created=1)
    assert shop.record(batch) == RecordReport(recorded=0, duplicates=3)
    rows = shop.runner.read_tx(
        lambda tx: tx._tx.run(
            "MATCH (s:Session {sessionId: 's1'})-[c:ADDED_TO_CART]->(i:Item {itemId: 'i1'}) "
            "RETURN s.events AS events, c.count AS carts, c.last AS last, i.price AS price"
        ).data()
    )
    assert len(rows) == 1
    assert (rows[0]["events"], rows[0]["carts"], rows[0]["price"]) == (2, 1, 9.5)
    assert rows[0]["last"].to_native() == T0
    assert shop.record([]) == RecordReport()


def test_a_purchase_makes_the_sessions_order_or_its_own(shop: ShopGraph) -> None:
    buy = Event("b1", T0, EventType.PURCHASE, "i1", "s1", user="u1", price=3.0, quantity=2)
    shop.record(
        [buy, replace(buy, event_id="b2", item="i2"), replace(buy, event_id="b3", order="o9")]
    )

    rows = shop.runner.read_tx(
        lambda tx: tx._tx.run(
            "MATCH (:User {userId: 'u1'})-[:PLACED]->(o:Order)-[c:CONTAINS]->(i:Item) "
            "RETURN o.orderId AS o, i.itemId AS i, c.quantity AS q, c.position AS p, "
            "c.price AS price "
            "ORDER BY o, p"
        ).values()
    )
    assert rows == [["o9", "i1", 2, 0, 3.0], ["s1", "i1", 2, 0, 3.0], ["s1", "i2", 2, 1, 3.0]]


def test_new_users_of_known_baskets_and_new_brands_of_known_items_as_a_file_load_gives_them(
    shop: ShopGraph, settings: Settings, graph_dump: Callable[[], Any], tmp_path: Path
) -> None:
    # Later batches meet what earlier ones wrote: a known session and order with their user,
    # a user known from another session, a new user, a known item with a known or new brand.
    first = [
        VIEW,
        Event("e2", T0, EventType.VIEW, "i2", "s2", user="u2", brand="zeta"),
        Event("e3", T0, EventType.PURCHASE, "i1", "s1", user="u1", price=9.0),
    ]
    later = [
        Event("e4", T0, EventType.VIEW, "i1", "s1", user="u1", brand="acme"),
        Event("e5", T0, EventType.VIEW, "i1", "s1", user="u2", brand="zeta"),
        Event("e6", T0, EventType.PURCHASE, "i2", "s1", user="u3", price=4.0, brand="acme"),
    ]
    again = [
        replace(later[1], event_id="e7"),
        replace(later[2], event_id="e8", item="i1"),
        later[0],
    ]
    reports = [shop.record(batch) for batch in (first, later, again)]
    # A node made for an id already recorded is deleted: none is left without a label.
    unlabelled = shop.runner.read_tx(
        lambda tx: tx._tx.run("MATCH (n) WHERE size(labels(n)) = 0 RETURN count(n) AS n").single()
    )["n"]
    live = graph_dump()

    wipe(settings)
    # Chunks of the batches' new events: an item's brand is the last one given per chunk.
    events = write_live_csv(first + later + again[:2], tmp_path / "events.csv")
    shop.load_csv(events, LIVE_MAPPING, LoadOptions(chunk_size=3))
    loaded = graph_dump()

    assert [(r.recorded, r.duplicates) for r in reports] == [(3, 0), (3, 0), (2, 1)]
    assert reports[2].nodes_created == reports[2].relationships_created == 0
    assert unlabelled == 0
    assert with_line_ranks(live) == with_line_ranks(loaded)
    links = {(key[0][1], key[1], key[2][1]) for key in live["relationships"]}
    assert {
        ("u1", "HAS_SESSION", "s1"),
        ("u2", "HAS_SESSION", "s1"),
        ("u3", "HAS_SESSION", "s1"),
    } <= links
    assert {("u1", "PLACED", "s1"), ("u3", "PLACED", "s1")} <= links
    assert {
        ("i1", "HAS_BRAND", "acme"),
        ("i1", "HAS_BRAND", "zeta"),
        ("i2", "HAS_BRAND", "zeta"),
        ("i2", "HAS_BRAND", "acme"),
    } <= links
    assert sum(1 for key in live["nodes"] if key[0] == "User") == 3


#: One bad value per rule, with the field the error names and its sentence.
BAD = [
    ("eventId", replace(VIEW, event_id=" "), "eventId must be a non-empty id, got the string ' '."),
    (
        "time",
        replace(VIEW, time=datetime(2024, 3, 1)),
        "time must be a datetime with a timezone or epoch milliseconds, "
        "got the local datetime 2024-03-01T00:00:00.",
    ),
    (
        "type",
        replace(VIEW, type="click"),
        "type must be one of view, cart, remove_from_cart, purchase, got the string 'click'.",
    ),
    ("itemId", replace(VIEW, item=""), "itemId must be a non-empty id, got an empty string."),
    ("sessionId", replace(VIEW, session=None), "sessionId must be a non-empty id, got null."),
    (
        "userId",
        replace(VIEW, user=""),
        "userId must be a non-empty id or null, got an empty string.",
    ),
    (
        "price",
        replace(VIEW, price=-2.5),
        "price must be a finite number of at least 0 or null, got the float -2.5.",
    ),
    (
        "price",
        replace(VIEW, price=math.inf),
        "price must be a finite number of at least 0 or null, got the float Infinity.",
    ),
    (
        "quantity",
        replace(VIEW, quantity=0),
        "quantity must be an integer of at least 1, got the integer 0.",
    ),
    (
        "quantity",
        replace(VIEW, quantity=1.5),
        "quantity must be an integer of at least 1, got the float 1.5.",
    ),
    (
        "orderId",
        replace(VIEW, order=""),
        "orderId must be a non-empty id or null, got an empty string.",
    ),
    (
        "brand",
        replace(VIEW, brand=7),
        "brand must be a non-empty string or null, got the integer 7.",
    ),
    (
        "categoryCode",
        replace(VIEW, category="home..kitchen"),
        "categoryCode must be a dotted code without empty parts or null, "
        "got the string 'home..kitchen'.",
    ),
]


@pytest.mark.parametrize(("field", "bad", "sentence"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_event_gets_the_same_error_from_the_client_and_the_procedure_and_writes_nothing(
    shop: ShopGraph, field: str, bad: Event, sentence: str
) -> None:
    batch = [VIEW, replace(VIEW, event_id="e2"), bad]

    with pytest.raises(BadInputError) as from_client:
        shop.record(batch)
    with pytest.raises(BadInputError) as from_procedure:
        shop.runner.write("call_events_record", {"events": [e.to_map() for e in batch]})

    for error in (from_client.value, from_procedure.value):
        assert (error.index, error.field, error.reason) == (2, field, sentence)
    assert str(from_client.value) == str(from_procedure.value)
    # The client refused it itself; the procedure's error came from the server.
    assert from_client.value.__cause__ is None
    assert from_procedure.value.__cause__ is not None
    assert str(from_client.value) == f"index 2, field '{field}': {sentence}"
    assert shop.stats().labels == {}


def test_a_batch_of_more_than_ten_thousand_events_is_a_bad_argument(shop: ShopGraph) -> None:
    batch = [replace(VIEW, event_id=f"e{n}") for n in range(10_001)]

    with pytest.raises(BadArgumentError) as from_client:
        shop.record(batch)
    with pytest.raises(BadArgumentError) as from_procedure:
        shop.runner.write("call_events_record", {"events": [e.to_map() for e in batch]})

    assert str(from_client.value) == str(from_procedure.value)
    assert str(from_client.value) == "A batch must have at most 10000 events, got 10001."
    assert shop.record(batch[:10_000]).recorded == 10_000


def test_the_first_bad_field_in_the_procedures_order_is_named_by_both(shop: ShopGraph) -> None:
    bad = replace(VIEW, type="click", event_id="", price=-1.0)

    with pytest.raises(BadInputError) as from_client:
        shop.record(bad)
    with pytest.raises(BadInputError) as from_procedure:
        shop.runner.write("call_events_record", {"events": [bad.to_map()]})

    assert from_client.value.field == from_procedure.value.field == "eventId"
    assert str(from_client.value) == str(from_procedure.value)
