"""The catalog (ShopGraph.upsert_items, shopgraph.items.upsert) and negative feedback
(ShopGraph.feedback, shopgraph.feedback.record) on the real server, and the training export
that leaves rejected pairs out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shopgraph.core.errors import BadArgumentError, BadInputError, UnknownEntityError
from shopgraph.graph.catalog import CLEAR, CatalogItem, UpsertReport
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.export import ExportOptions, export_interactions
from shopgraph.graph.live import Event, FeedbackKind
from shopgraph.graph.recommend import BundleOptions
from shopgraph.loaders.records import EventType

T0 = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)


def _item(shop: ShopGraph, item_id: str) -> dict[str, Any]:
    rows = shop.runner.read_tx(
        lambda tx: tx._tx.run(
            "MATCH (i:Item {itemId: $id}) "
            "RETURN properties(i) AS props, [(i)-[:HAS_BRAND]->(b) | b.name] AS brands, "
            "[(i)-[:IN_CATEGORY]->(c) | c.code] AS categories",
            id=item_id,
        ).data()
    )
    assert len(rows) == 1
    return dict(rows[0])


def test_an_upsert_names_an_item_and_changes_only_what_it_names(shop: ShopGraph) -> None:
    report = shop.upsert_items(
        CatalogItem(
            "p1",
            name="Kettle",
            brand="acme",
            category="home.kitchen.kettles",
            price=30,
            in_stock=True,
            attributes={"color": "red", "watts": 2000, "rating": 4.5, "cordless": True},
        )
    )
    assert report == UpsertReport(items=1, created=1)
    assert _item(shop, "p1") == {
        "props": {
            "itemId": "p1",
            "inCatalog": True,
            "name": "Kettle",
            "price": 30.0,
            "inStock": True,
            "attr_color": "red",
            "attr_watts": 2000,
            "attr_rating": 4.5,
            "attr_cordless": True,
        },
        "brands": ["acme"],
        "categories": ["home.kitchen.kettles"],
    }
    levels = shop.runner.read_tx(
        lambda tx: tx._tx.run(
            "MATCH (:Category {code: 'home.kitchen.kettles'})-[:CHILD_OF*0..]->(c:Category) "
            "RETURN c.code AS code, c.name AS name, c.level AS level ORDER BY level"
        ).values()
    )
    assert levels == [["home", "home", 1], ["home.kitchen", "kitchen", 2],
                      ["home.kitchen.kettles", "kettles", 3]]  # fmt: skip

    shop.upsert_items(
        [
            CatalogItem("p1", price=25.5, in_stock=False),
            CatalogItem(
                "p1",
                name=CLEAR,
                brand="zeta",
                hidden=True,
                attributes={"color": CLEAR, "rating": 5},
            ),
        ]
    )
    assert _item(shop, "p1") == {
        "props": {
            "itemId": "p1",
            "inCatalog": True,
            "price": 25.5,
            "inStock": False,
            "hidden": True,
            "attr_watts": 2000,
            "attr_rating": 5,
            "attr_cordless": True,
        },
        "brands": ["zeta"],
        "categories": ["home.kitchen.kettles"],
    }
    shop.upsert_items(CatalogItem("p1", category=CLEAR, in_stock=CLEAR, attributes=CLEAR))
    assert _item(shop, "p1") == {
        "props": {"itemId": "p1", "inCatalog": True, "price": 25.5, "hidden": True},
        "brands": ["zeta"],
        "categories": [],
    }


def test_an_item_that_events_created_keeps_its_history_once_the_catalog_names_it(
    shop: ShopGraph,
) -> None:
    shop.record(Event("e1", T0, EventType.VIEW, "p7", "s1", user="u1", price=4.0, brand="old"))
    assert _item(shop, "p7")["props"]["inCatalog"] is False

    assert shop.upsert_items(CatalogItem("p7", name="Mug", brand="new")) == UpsertReport(1, 0)

    item = _item(shop, "p7")
    assert item["props"] == {"itemId": "p7", "inCatalog": True, "price": 4.0, "name": "Mug"}
    assert item["brands"] == ["new"]
    views = shop.runner.read_tx(
        lambda tx: (
            tx._tx.run("MATCH (:Session)-[v:VIEWED]->(:Item {itemId: 'p7'}) RETURN v.count")
            .single(strict=True)
            .value()
        )
    )
    assert views == 1


#: One bad value per rule, with the field the error names and its sentence.
_VALUES = "must be a string, an integer, a finite float, a boolean or null, got"
BAD_ITEMS = [
    (CatalogItem(""), "itemId", "itemId must be a non-empty id, got an empty string."),
    (
        CatalogItem("p", name=""),
        "name",
        "name must be a non-empty string or null, got an empty string.",
    ),
    (
        CatalogItem("p", price=-1),
        "price",
        "price must be a finite number of at least 0 or null, got the integer -1.",
    ),
    (
        CatalogItem("p", in_stock="yes"),
        "inStock",
        "inStock must be a boolean or null, got the string 'yes'.",
    ),
    (CatalogItem("p", hidden=1), "hidden", "hidden must be a boolean or null, got the integer 1."),
    (
        CatalogItem("p", category="home."),
        "categoryCode",
        "categoryCode must be a dotted code without empty parts or null, got the string 'home.'.",
    ),
    (
        CatalogItem("p", attributes={"a b": 1}),
        "attributes",
        "Attribute name 'a b' must start with a letter and hold only letters, digits and "
        "underscores, at most 64.",
    ),
    (
        CatalogItem("p", attributes={"ok": 1, "sizes": [1, 2]}),
        "attributes",
        f"Attribute sizes {_VALUES} the list [1, 2].",
    ),
    (
        CatalogItem("p", attributes={"nan": float("nan")}),
        "attributes",
        f"Attribute nan {_VALUES} the float NaN.",
    ),
    (
        CatalogItem("p", attributes=["a"]),
        "attributes",
        "attributes must be a map of attribute names to values or null, got the list ['a'].",
    ),
]


@pytest.mark.parametrize(("bad", "field", "sentence"), BAD_ITEMS, ids=[b[1] for b in BAD_ITEMS])
def test_a_bad_item_gets_the_same_error_from_the_client_and_the_procedure_and_writes_nothing(
    shop: ShopGraph, bad: CatalogItem, field: str, sentence: str
) -> None:
    batch = [CatalogItem("ok", name="fine"), bad]

    with pytest.raises(BadInputError) as from_client:
        shop.upsert_items(batch)
    with pytest.raises(BadInputError) as from_procedure:
        shop.runner.write("call_items_upsert", {"items": [i.to_map() for i in batch]})

    for error in (from_client.value, from_procedure.value):
        assert (error.index, error.field, error.reason) == (1, field, sentence)
    assert str(from_client.value) == str(from_procedure.value)
    # The client refused it itself; the procedure's error came from the server.
    assert from_client.value.__cause__ is None
    assert from_procedure.value.__cause__ is not None
    assert shop.stats().labels == {}


def _bought_together(shop: ShopGraph) -> None:
    """Two orders of p1 with p2, one with p3: p2 and p3 are p1's bundle."""
    events = []
    for n, (session, items) in enumerate((("s1", ["p1", "p2"]), ("s2", ["p1", "p2", "p3"]))):
        for m, item in enumerate(items):
            t = T0 + timedelta(minutes=10 * n + m)
            events.append(Event(f"{session}-{item}", t, EventType.PURCHASE, item, session,
                                user=f"u{n}", price=5.0, brand=f"b-{item}"))  # fmt: skip
    shop.record(events)
    shop.refresh()


def test_out_of_stock_takes_effect_on_the_next_bundle(shop: ShopGraph) -> None:
    _bought_together(shop)
    assert [b.item_id for b in shop.bundle(["p1"])] == ["p2", "p3"]

    shop.upsert_items(CatalogItem("p2", in_stock=False))

    assert [b.item_id for b in shop.bundle(["p1"])] == ["p3"]
    options = BundleOptions(in_stock_only=False)
    assert [b.item_id for b in shop.bundle(["p1"], options=options)] == ["p2", "p3"]


def test_feedback_is_one_relationship_per_pair_and_the_export_leaves_the_pair_out(
    shop: ShopGraph,
) -> None:
    views = [
        Event(f"v{n}", T0 + timedelta(minutes=n), EventType.VIEW, item, "s1", user="u1")
        for n, item in enumerate(["p1", "p2", "p3"])
    ]
    shop.record(views)
    before = export_interactions(shop.runner, ExportOptions(half_life_days=None))
    assert sorted(before.id_map.items) == ["p1", "p2", "p3"]

    first = shop.feedback("u1", "p2", FeedbackKind.DISMISSED, at=T0)
    second = shop.feedback("u1", "p2", "not_interested", at=T0 + timedelta(hours=1))
    visitor = shop.feedback("visitor-9", "p1", FeedbackKind.NOT_INTERESTED)

    assert (first.kind, first.count, first.user_created) == (FeedbackKind.DISMISSED, 1, False)
    assert (second.kind, second.count) == (FeedbackKind.NOT_INTERESTED, 2)
    assert visitor.user_created
    stored = shop.runner.read_tx(
        lambda tx: tx._tx.run(
            "MATCH (u:User)-[r:REJECTED]->(i:Item) RETURN u.userId AS u, i.itemId AS i, "
            "r.kind AS kind, r.count AS count, r.first AS first, r.at AS at ORDER BY u"
        ).data()
    )
    assert [(r["u"], r["i"], r["kind"], r["count"]) for r in stored] == [
        ("u1", "p2", "not_interested", 2),
        ("visitor-9", "p1", "not_interested", 1),
    ]
    assert stored[0]["first"].to_native() == T0
    assert stored[0]["at"].to_native() == T0 + timedelta(hours=1)
    after = export_interactions(shop.runner, ExportOptions(half_life_days=None))
    users = after.id_map.user_ids(after.users)
    items = after.id_map.item_ids(after.items)
    assert sorted(zip(users, items, strict=True)) == [("u1", "p1"), ("u1", "p3")]


def test_bad_feedback_gets_the_procedures_class_and_sentence(shop: ShopGraph) -> None:
    shop.record(Event("v1", T0, EventType.VIEW, "p1", "s1", user="u1"))
    cases: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"item": "p9"}, UnknownEntityError, "Unknown item id: p9."),
        ({"kind": "meh"}, BadArgumentError,
         "kind must be one of not_interested, dismissed, got the string 'meh'."),
        ({"user": ""}, BadArgumentError, "userId must be a non-empty id, got an empty string."),
        ({"at": datetime(2024, 3, 1)}, BadArgumentError,
         "at must be a datetime with a timezone, got the local datetime 2024-03-01T00:00:00."),
    ]  # fmt: skip
    for change, kind, sentence in cases:
        args = {"user": "u1", "item": "p1", "kind": "dismissed", "at": None, **change}
        with pytest.raises(kind) as from_client:
            shop.feedback(args["user"], args["item"], args["kind"], at=args["at"])
        params = {"userId": args["user"], "itemId": args["item"], "kind": args["kind"]}
        with pytest.raises(kind) as from_procedure:
            shop.runner.write("call_feedback_record", {**params, "at": args["at"]})
        assert str(from_client.value) == str(from_procedure.value) == sentence
