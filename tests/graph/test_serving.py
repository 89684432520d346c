"""Serving through the Python client against the real server with the plugin: walks."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopgraph.core.errors import BadArgumentError, UnknownEntityError
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.recommend import RecommendOptions, WalkOptions


@pytest.fixture(scope="module")
def sample(data_dir: Path) -> Path:
    return data_dir / "rees46-multicategory-sample" / "events.csv.gz"


@pytest.fixture
def loaded(shop: ShopGraph, sample: Path) -> ShopGraph:
    shop.load_rees46(sample)
    shop.runner.read("call_walk_refresh")
    return shop


def _most_viewed_user(shop: ShopGraph) -> str:
    rows = shop.runner.read_tx(
        lambda tx: tx._tx.run(
            "MATCH (u:User)-[:HAS_SESSION]->(:Session)-[:VIEWED]->(i:Item) "
            "RETURN u.userId AS user, count(DISTINCT i) AS n ORDER BY n DESC, user LIMIT 1"
        ).data()
    )
    return str(rows[0]["user"])


def test_candidates_for_a_user_and_for_items(loaded: ShopGraph) -> None:
    user = _most_viewed_user(loaded)
    first = loaded.candidates(user, 20, WalkOptions(seed=7))
    again = loaded.candidates(user, 20, WalkOptions(seed=7))
    assert first == again
    assert len(first) == 20
    assert [c.rank for c in first] == list(range(1, 21))
    assert [c.score for c in first] == sorted((c.score for c in first), reverse=True)
    assert {c.reason for c in first} == {"walk"}
    assert all(c.visits >= 1 for c in first)

    seeds = [c.item_id for c in first[:3]]
    by_items = loaded.candidates(seeds, 10, WalkOptions(seed=1))
    assert by_items
    assert not set(seeds) & {c.item_id for c in by_items}


def test_similar_items(loaded: ShopGraph) -> None:
    rows = loaded.runner.read_tx(
        lambda tx: tx._tx.run(
            "MATCH (i:Item)<-[:VIEWED]-() RETURN i.itemId AS item, count(*) AS n "
            "ORDER BY n DESC, item LIMIT 1"
        ).data()
    )
    item = str(rows[0]["item"])
    similar = loaded.similar(item, 5, WalkOptions(seed=3))
    assert 1 <= len(similar) <= 5
    assert item not in {s.item_id for s in similar}


def test_bad_arguments_give_clear_errors(loaded: ShopGraph) -> None:
    with pytest.raises(UnknownEntityError, match=r"Unknown item ids: nope-1, nope-2\."):
        loaded.candidates(["nope-1", "nope-2"], 5)
    with pytest.raises(UnknownEntityError, match=r"Unknown user id: ghost\."):
        loaded.candidates("ghost", 5)
    with pytest.raises(ValueError, match="k must be between 1 and 1000, got 0"):
        loaded.similar("x", 0)
    with pytest.raises(BadArgumentError, match="Unknown config key 'stpes'"):
        loaded.runner.read("call_similar", {"item": "x", "k": 3, "config": {"stpes": 1}})


def test_the_one_record_answer_holds_the_procedures_rows_in_order(loaded: ShopGraph) -> None:
    """The client's serving statements collect the rows into one record; nothing is lost."""
    user = _most_viewed_user(loaded)
    loaded.refresh()

    def direct(statement: str, params: dict[str, object]) -> list[list[object]]:
        return loaded.runner.read_tx(lambda tx: tx._tx.run(statement, params).values())

    walks = direct(
        "CALL shopgraph.candidates($user, 30, {seed: 7}) "
        "YIELD itemId, score, rank, reason, visits RETURN itemId, score, rank, reason, visits",
        {"user": user},
    )
    candidates = loaded.candidates(user, 30, WalkOptions(seed=7))
    assert len(candidates) == 30
    assert [[c.item_id, c.score, c.rank, c.reason, c.visits] for c in candidates] == walks
    expected = direct(
        "CALL shopgraph.recommend($user, 12, {seed: 3}) "
        "YIELD itemId, score, rank, reason RETURN itemId, score, rank, reason",
        {"user": user},
    )
    got = loaded.recommend(user, 12, RecommendOptions(seed=3))
    assert [[r.item_id, r.score, r.rank, r.reason] for r in got] == expected
    assert [r.rank for r in got] == list(range(1, len(got) + 1))
    cart = [
        str(row[0])
        for row in direct(
            "MATCH (o:Order)-[:CONTAINS]->(i:Item) RETURN i.itemId, count(o) AS n "
            "ORDER BY n DESC, i.itemId LIMIT 2",
            {},
        )
    ]
    expected = direct(
        "CALL shopgraph.bundle($cart, 15, {}) YIELD itemId, score, rank, reason, support, "
        "confidence, lift, because RETURN itemId, score, rank, reason, support, confidence, "
        "lift, because",
        {"cart": cart},
    )
    bundle = loaded.bundle(cart, 15)
    assert len(bundle) >= 2
    assert [
        [b.item_id, b.score, b.rank, b.reason, b.support, b.confidence, b.lift, list(b.because)]
        for b in bundle
    ] == expected
