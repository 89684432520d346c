"""Export of a weighted user-item subgraph from the real Neo4j, and its id map."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from shopgraph.core.errors import BadArgumentError, UnknownEntityError
from shopgraph.gnn.data import IdMap, InteractionData
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.export import EventWeights, ExportOptions, export_interactions
from shopgraph.graph.runner import GraphRunner
from shopgraph.loaders.generate import SyntheticShopConfig, generate_events
from shopgraph.loaders.rees46 import REES46_COLUMNS

HEADER = ",".join(REES46_COLUMNS)
ROWS = [
    # day 1: u1 views i1 twice and buys it; u2 views i2 (electronics) and carts it
    "2020-01-01 10:00:00 UTC,view,i1,1,home.lamp,b,1.0,u1,s1",
    "2020-01-01 10:01:00 UTC,view,i1,1,home.lamp,b,1.0,u1,s1",
    "2020-01-01 10:02:00 UTC,purchase,i1,1,home.lamp,b,1.0,u1,s1",
    "2020-01-01 11:00:00 UTC,view,i2,2,electronics.audio,b,9.0,u2,s2",
    "2020-01-01 11:01:00 UTC,cart,i2,2,electronics.audio,b,9.0,u2,s2",
    # day 11 (ten days later): u1 views i2 and i3; u3 views i3
    "2020-01-11 10:00:00 UTC,view,i2,2,electronics.audio,b,9.0,u1,s3",
    "2020-01-11 10:01:00 UTC,view,i3,2,electronics.audio,b,9.0,u1,s3",
    "2020-01-11 10:02:00 UTC,view,i3,2,electronics.audio,b,9.0,u3,s4",
]


@pytest.fixture
def small_shop(shop: ShopGraph, tmp_path: Path) -> ShopGraph:
    path = tmp_path / "events.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    shop.load_rees46(path)
    return shop


def _edges(data: InteractionData) -> dict[tuple[str, str], float]:
    users = data.id_map.user_ids(data.users)
    items = data.id_map.item_ids(data.items)
    return {(u, i): float(w) for u, i, w in zip(users, items, data.weights, strict=True)}


def test_weights_combine_event_types_recency_and_trust(small_shop: ShopGraph) -> None:
    data = export_interactions(
        small_shop.runner, ExportOptions(half_life_days=10.0, weights=EventWeights())
    )
    assert data.id_map.users == ("u1", "u2", "u3")
    assert data.id_map.items == ("i1", "i2", "i3")
    # now = the latest event (2020-01-11 10:02); day-1 events are ~10 days old: decay ~0.5.
    now = datetime(2020, 1, 11, 10, 2, tzinfo=UTC)

    def age(t: datetime) -> float:
        return float(0.5 ** ((now - t).total_seconds() / 86400 / 10))

    expected = {
        ("u1", "i1"): 1.0 * age(datetime(2020, 1, 1, 10, 1, tzinfo=UTC))
        + 4.0 * age(datetime(2020, 1, 1, 10, 2, tzinfo=UTC)),
        ("u2", "i2"): 1.0 * age(datetime(2020, 1, 1, 11, 0, tzinfo=UTC))
        + 2.0 * age(datetime(2020, 1, 1, 11, 1, tzinfo=UTC)),
        ("u1", "i2"): 1.0 * age(datetime(2020, 1, 11, 10, 0, tzinfo=UTC)),
        ("u1", "i3"): 1.0 * age(datetime(2020, 1, 11, 10, 1, tzinfo=UTC)),
        ("u3", "i3"): 1.0,
    }
    edges = _edges(data)
    assert edges.keys() == expected.keys()
    for key, weight in expected.items():
        assert edges[key] == pytest.approx(weight, rel=1e-5)

    # Trust: a relationship weight of 0.25 scales that edge.
    small_shop.runner.write_tx(
        lambda tx: tx._tx.run(
            "MATCH (:Session {sessionId: 's4'})-[r:VIEWED]->() SET r.weight = 0.25"
        ).consume()
    )
    trusted = _edges(export_interactions(small_shop.runner, ExportOptions(half_life_days=None)))
    assert trusted[("u3", "i3")] == pytest.approx(0.25)
    untrusted = export_interactions(
        small_shop.runner, ExportOptions(half_life_days=None, use_trust=False)
    )
    assert _edges(untrusted)[("u3", "i3")] == pytest.approx(1.0)


def test_window_categories_and_dense_core(small_shop: ShopGraph) -> None:
    runner = small_shop.runner
    late = export_interactions(runner, ExportOptions(since=datetime(2020, 1, 5, tzinfo=UTC)))
    assert set(_edges(late)) == {("u1", "i2"), ("u1", "i3"), ("u3", "i3")}

    audio = export_interactions(runner, ExportOptions(categories=("electronics",)))
    assert audio.id_map.items == ("i2", "i3")
    assert ("u1", "i1") not in _edges(audio)

    # Users with >= 2 items and items with >= 2 users, until both hold: u1 (i1, i2, i3),
    # i2 (u1, u2), i3 (u1, u3) -> u2, u3 have one item each and go, then i2, i3 have one user.
    core = export_interactions(
        runner, ExportOptions(min_user_interactions=2, min_item_interactions=2)
    )
    assert core.n_interactions == 0
    core1 = export_interactions(runner, ExportOptions(min_user_interactions=2))
    assert core1.id_map.users == ("u1",)

    views_only = export_interactions(
        runner, ExportOptions(weights=EventWeights(cart=0, purchase=0), half_life_days=None)
    )
    assert _edges(views_only)[("u2", "i2")] == pytest.approx(1.0)


def test_export_is_deterministic(small_shop: ShopGraph) -> None:
    first = export_interactions(small_shop.runner, ExportOptions())
    second = export_interactions(small_shop.runner, ExportOptions())
    assert first.fingerprint == second.fingerprint
    assert first.id_map == second.id_map
    np.testing.assert_array_equal(first.weights, second.weights)


def test_export_id_map_round_trip(small_shop: ShopGraph, tmp_path: Path) -> None:
    data = export_interactions(small_shop.runner, ExportOptions())
    data.id_map.save(tmp_path / "id_map.json")
    again = IdMap.load(tmp_path / "id_map.json")
    assert again == data.id_map
    assert again.user_ids(again.user_index(["u3", "u1"])) == ["u3", "u1"]
    assert again.item_ids(data.items) == ["i1", "i2", "i3", "i2", "i3"]
    assert again.user_ids(data.users) == ["u1", "u1", "u1", "u2", "u3"]


def test_an_unknown_category_is_an_unknown_entity(small_shop: ShopGraph) -> None:
    with pytest.raises(
        UnknownEntityError, match=r"^Unknown category ids: toys, garden\.$"
    ) as unknown:
        export_interactions(small_shop.runner, ExportOptions(categories=("toys", "home", "garden")))
    assert (unknown.value.kind, unknown.value.ids) == ("category", ["toys", "garden"])


def _reference(runner: GraphRunner, options: ExportOptions) -> InteractionData:
    """The export through the readable statement ``export_interactions.cypher``, one row per
    edge, turned into tensors as plainly as possible (the way export.py did before the
    procedure). Times go as UTC, as :func:`export_interactions` passes them."""
    since = options.since.astimezone(UTC) if options.since else None
    until = options.until.astimezone(UTC) if options.until else None
    now = runner.read("export_latest_time", {"until": until})[0]["latest"]
    rows = runner.read_values(
        "export_interactions",
        {
            "since": since,
            "until": until,
            "categories": list(options.categories),
            "weights": options.weights.by_type(),
            "halfLifeDays": options.half_life_days,
            "now": now,
            "useTrust": options.use_trust,
        },
    )
    users = np.array([row[0] for row in rows], dtype=str)
    items = np.array([row[1] for row in rows], dtype=str)
    weights = np.array([row[2] for row in rows], dtype=np.float64)
    keep = np.ones(len(rows), dtype=bool)
    while len(rows):
        _, user_of, user_counts = np.unique(users[keep], return_inverse=True, return_counts=True)
        _, item_of, item_counts = np.unique(items[keep], return_inverse=True, return_counts=True)
        dense = (user_counts[user_of] >= options.min_user_interactions) & (
            item_counts[item_of] >= options.min_item_interactions
        )
        if dense.all():
            break
        keep[np.flatnonzero(keep)[~dense]] = False
    users, items, weights = users[keep], items[keep], weights[keep]
    user_ids, user_index = np.unique(users, return_inverse=True)
    item_ids, item_index = np.unique(items, return_inverse=True)
    return InteractionData.from_arrays(
        user_index.astype(np.int64),
        item_index.astype(np.int64),
        weights.astype(np.float32),
        id_map=IdMap(tuple(user_ids.tolist()), tuple(item_ids.tolist())),
    )


@pytest.mark.slow
def test_the_procedure_and_the_readable_statement_give_the_same_tensors(
    shop: ShopGraph, tmp_path: Path
) -> None:
    """A random shop (synthetic events, repeat visits, carts, removals, orders, categories)
    with uneven trust weights and negative feedback, exported under every kind of option both
    ways."""
    config = SyntheticShopConfig(events=20_000, seed=5, n_items=400, n_users=600)
    path = generate_events(tmp_path / "events.csv.gz", config).path
    shop.load_rees46(path)
    runner = shop.runner
    runner.write_tx(
        lambda tx: tx._tx.run(
            "MATCH ()-[r:VIEWED|ADDED_TO_CART|CONTAINS]->(i:Item) "
            "WHERE toInteger(i.itemId) % 3 = 0 SET r.weight = 0.3"
        ).consume()
    )
    # Negative feedback on one of the items of every third user: those pairs are not positives.
    rejected = runner.write_tx(
        lambda tx: tx._tx.run(
            "MATCH (u:User)-[:HAS_SESSION]->(:Session)-[:VIEWED]->(i:Item) "
            "WHERE toInteger(u.userId) % 3 = 0 "
            "WITH u, min(i.itemId) AS item MATCH (i:Item {itemId: item}) "
            "CREATE (u)-[:REJECTED {kind: 'not_interested', count: 1}]->(i) "
            "RETURN u.userId AS user, item"
        ).values()
    )
    assert len(rejected) > 20
    category = runner.read_tx(
        lambda tx: tx._tx.run(
            "MATCH (c:Category {level: 1})<-[:CHILD_OF*0..]-(:Category)<-[:IN_CATEGORY]-(i:Item) "
            "RETURN c.code AS code, count(i) AS n ORDER BY n DESC, code LIMIT 1"
        ).single(strict=True)["code"]
    )
    latest = runner.read("export_latest_time", {"until": None})[0]["latest"].to_native()
    hour = timedelta(hours=1)
    variants = [
        ExportOptions(),
        ExportOptions(half_life_days=0.02, weights=EventWeights(remove_from_cart=0.5)),
        ExportOptions(half_life_days=None, use_trust=False),
        ExportOptions(since=latest - 2 * hour, until=latest - hour, half_life_days=0.05),
        ExportOptions(categories=(category,), half_life_days=0.2),
        ExportOptions(weights=EventWeights(view=0.0, purchase=7.0)),
        ExportOptions(min_user_interactions=3, min_item_interactions=4, half_life_days=0.1),
    ]
    for options in variants:
        procedure = export_interactions(runner, options)
        reference = _reference(runner, options)
        assert procedure.n_interactions > 20, options
        assert procedure.id_map == reference.id_map, options
        np.testing.assert_array_equal(procedure.users, reference.users)
        np.testing.assert_array_equal(procedure.items, reference.items)
        np.testing.assert_array_equal(procedure.weights, reference.weights)
        pairs = set(
            zip(
                procedure.id_map.user_ids(procedure.users),
                procedure.id_map.item_ids(procedure.items),
                strict=True,
            )
        )
        assert not pairs & {(user, item) for user, item in rejected}, options


@pytest.mark.parametrize("key", ["since", "until"])
def test_a_naive_time_gets_the_same_class_and_sentence_from_the_client_and_the_procedure(
    runner: GraphRunner, key: str
) -> None:
    naive = datetime(2024, 3, 1)
    with pytest.raises(BadArgumentError) as from_client:
        ExportOptions(**{key: naive})
    # The driver sends a naive datetime as a Cypher localdatetime.
    with pytest.raises(BadArgumentError) as from_procedure:
        runner.read("call_export_interactions", {"config": {key: naive}})
    assert str(from_procedure.value) == str(from_client.value)
    assert str(from_client.value) == (
        f"Config key '{key}' must be a datetime with a timezone, "
        "got the local datetime 2024-03-01T00:00:00."
    )


def test_the_influence_bound_caps_a_pushed_item_in_the_export(
    shop: ShopGraph, tmp_path: Path
) -> None:
    from shopgraph.gnn.influence import InfluenceBound

    rows = []
    for u in range(6):  # six users view a, b, c, d; g0 and g1 also view t
        for n, item in enumerate(["a", "b", "c", "d", "t"] if u < 2 else ["a", "b", "c", "d"]):
            rows.append(f"2020-01-0{u + 1} 10:0{n}:00 UTC,view,{item},1,home,b,1.0,g{u},s{u}")
    for k in range(20):  # 20 accounts view t and an item of their own
        for n, item in enumerate(["t", f"x{k:02d}"]):
            rows.append(f"2020-01-08 11:{k:02d}:0{n} UTC,view,{item},1,home,b,1.0,f{k:02d},z{k}")
    path = tmp_path / "events.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    shop.load_rees46(path)

    plain = ExportOptions(half_life_days=None)
    bounded = ExportOptions(half_life_days=None, influence=InfluenceBound())
    before = _edges(export_interactions(shop.runner, plain))
    after = _edges(export_interactions(shop.runner, bounded))

    assert set(before.values()) == {1.0}
    assert after.keys() == before.keys()
    # t: established weight 2 (g0, g1), 20 edges that fit nothing: cap 1 x 2 + 3 = 5 of 20
    pushed = {edge for edge in after if edge[0].startswith("f") and edge[1] == "t"}
    assert len(pushed) == 20
    assert all(after[edge] == pytest.approx(0.25) for edge in pushed)
    assert all(after[edge] == 1.0 for edge in after.keys() - pushed)
    assert bounded.describe()["influence"] == {
        "fit_threshold": 0.003, "coherence": 0.7, "ratio": 1.0, "slack": 3.0, "narrowness": 1.2
    }  # fmt: skip
