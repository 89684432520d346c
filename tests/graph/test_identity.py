"""A visitor who logs in (ShopGraph.merge_users, shopgraph.users.merge) on the real server: the
history moves, nothing is counted twice, the source id is gone, trust is marked stale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shopgraph.core.errors import BadArgumentError, UnknownEntityError
from shopgraph.gnn.data import InteractionData
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.export import ExportOptions, export_interactions
from shopgraph.graph.live import Event
from shopgraph.graph.trust import compute_trust
from shopgraph.loaders.records import EventType

T0 = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)


def _event(n: int, kind: EventType, item: str, session: str, user: str) -> Event:
    return Event(f"e{n}", T0 + timedelta(minutes=n), kind, item, session, user=user, price=5.0)


@pytest.fixture
def visit(shop: ShopGraph) -> ShopGraph:
    """The known user u42 bought p1 last week (session k1). Visitor v-7 browses anonymously in
    session s9: views p2 and p3, buys p2; logs in within the same session, where the events now
    carry u42: buys p3 (the same order s9). Both said "not interested" about p4."""
    shop.record(
        [
            _event(0, EventType.VIEW, "p1", "k1", "u42"),
            _event(1, EventType.PURCHASE, "p1", "k1", "u42"),
            _event(10_000, EventType.VIEW, "p2", "s9", "v-7"),
            _event(10_001, EventType.VIEW, "p3", "s9", "v-7"),
            _event(10_002, EventType.PURCHASE, "p2", "s9", "v-7"),
            _event(10_003, EventType.PURCHASE, "p3", "s9", "u42"),
            _event(10_004, EventType.VIEW, "p4", "s9", "u42"),
        ]
    )
    shop.feedback("v-7", "p4", "not_interested", at=T0 + timedelta(days=7))
    shop.feedback("u42", "p4", "dismissed", at=T0 + timedelta(days=8))
    compute_trust(shop.runner)
    return shop


def _user(shop: ShopGraph, user: str) -> dict[str, object]:
    rows = shop.runner.read_tx(
        lambda tx: tx._tx.run(
            "MATCH (u:User {userId: $user}) RETURN u.trustStale AS stale, "
            "[(u)-[:HAS_SESSION]->(s) | s.sessionId] AS sessions, "
            "[(u)-[:PLACED]->(o) | o.orderId] AS orders, "
            "[(u)-[r:REJECTED]->(i) | [i.itemId, r.kind, r.count]] AS feedback",
            user=user,
        ).data()
    )
    return dict(rows[0]) if rows else {}


def _edges(data: InteractionData) -> dict[tuple[str, str], float]:
    users = data.id_map.user_ids(data.users)
    items = data.id_map.item_ids(data.items)
    return {(u, i): float(w) for u, i, w in zip(users, items, data.weights, strict=True)}


def test_a_login_moves_the_visitors_history_once_and_removes_the_visitor(visit: ShopGraph) -> None:
    export = ExportOptions(half_life_days=None)
    before = export_interactions(visit.runner, export)
    edges = _edges(before)

    report = visit.merge_users("v-7", "u42")

    # s9 and its order were held by both: kept once; the feedback on p4 from both: one, count 2.
    assert (report.sessions, report.orders, report.feedback, report.combined) == (0, 0, 0, 3)
    assert not report.target_created
    assert _user(visit, "v-7") == {}
    user = _user(visit, "u42")
    assert sorted(user["sessions"]) == ["k1", "s9"]  # type: ignore[call-overload]
    assert sorted(user["orders"]) == ["k1", "s9"]  # type: ignore[call-overload]
    assert user["feedback"] == [["p4", "dismissed", 2]]
    assert user["stale"] is True
    counts = visit.runner.read_tx(
        lambda tx: tx._tx.run(
            "MATCH (s:Session {sessionId: 's9'}) RETURN count{(:User)-[:HAS_SESSION]->(s)} AS h, "
            "count{(:User)-[:PLACED]->(:Order {orderId: 's9'})} AS p, s.events AS events"
        ).single(strict=True)
    )
    assert (counts["h"], counts["p"], counts["events"]) == (1, 1, 5)
    # The export holds the visitor's items under u42, each counted once (nothing twice).
    after = export_interactions(visit.runner, export)
    merged = _edges(after)
    assert after.id_map.users == ("u42",)
    assert merged == {
        ("u42", "p1"): pytest.approx(edges[("u42", "p1")]),
        ("u42", "p2"): pytest.approx(edges[("v-7", "p2")]),
        ("u42", "p3"): pytest.approx(edges[("v-7", "p3")]),
    }

    compute_trust(visit.runner, users=["u42"])
    assert _user(visit, "u42")["stale"] is None


def test_the_login_of_a_new_account_creates_it(visit: ShopGraph) -> None:
    report = visit.merge_users("v-7", "new-account")

    assert report.target_created
    assert (report.sessions, report.orders, report.feedback, report.combined) == (1, 1, 1, 0)
    user = _user(visit, "new-account")
    assert user["sessions"] == ["s9"]
    assert user["feedback"] == [["p4", "not_interested", 1]]


def test_bad_merges_get_the_procedures_class_and_sentence(visit: ShopGraph) -> None:
    cases: list[tuple[str, str, type[Exception], str]] = [
        ("ghost", "u42", UnknownEntityError, "Unknown user id: ghost."),
        ("u42", "u42", BadArgumentError,
         "A user cannot be merged into itself, got 'u42' as source and target."),
        ("", "u42", BadArgumentError, "source must be a non-empty id, got an empty string."),
        ("v-7", None, BadArgumentError, "target must be a non-empty id, got null."),
    ]  # fmt: skip
    for source, target, kind, sentence in cases:
        with pytest.raises(kind) as from_client:
            visit.merge_users(source, target)  # type: ignore[arg-type]
        with pytest.raises(kind) as from_procedure:
            visit.runner.write("call_users_merge", {"source": source, "target": target})
        assert str(from_client.value) == str(from_procedure.value) == sentence
    assert _user(visit, "v-7")["sessions"] == ["s9"]
