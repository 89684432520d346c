"""The REES46 sample in a real Neo4j: counts and properties against pandas, hierarchy, reload."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from shopgraph.core.settings import Settings
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.loading import LoadOptions, LoadProgress

from conftest import wipe


@pytest.fixture(scope="module")
def events_path(data_dir: Path) -> Path:
    return data_dir / "rees46-multicategory-sample" / "events.csv.gz"


@pytest.fixture(scope="module")
def events(events_path: Path) -> pd.DataFrame:
    df = pd.read_csv(events_path, dtype=str, keep_default_na=False)
    df["t"] = pd.to_datetime(df["event_time"].str.replace(" UTC", "", regex=False), utc=True)
    return df


def expected_counts(df: pd.DataFrame) -> tuple[dict[str, int], dict[str, int]]:
    """Counts per label and type, computed from the file with pandas alone."""
    codes = {
        ".".join(parts[: i + 1])
        for code in df.loc[df.category_code != "", "category_code"].unique()
        for parts in [code.split(".")]
        for i in range(len(parts))
    }
    purchases = df[df.event_type == "purchase"]

    def pairs(kind: str) -> int:
        sub = df[df.event_type == kind]
        return len(sub[["user_session", "product_id"]].drop_duplicates())

    labels = {
        "User": df.user_id.nunique(),
        "Item": df.product_id.nunique(),
        "Brand": df.loc[df.brand != "", "brand"].nunique(),
        "Category": len(codes),
        "Session": df.user_session.nunique(),
        "Order": purchases.user_session.nunique(),
        "Load": 1,
    }
    types = {
        "HAS_SESSION": len(df[["user_id", "user_session"]].drop_duplicates()),
        "VIEWED": pairs("view"),
        "ADDED_TO_CART": pairs("cart"),
        "CONTAINS": pairs("purchase"),
        "PLACED": len(purchases[["user_id", "user_session"]].drop_duplicates()),
        "IN_SESSION": purchases.user_session.nunique(),
        "HAS_BRAND": len(df.loc[df.brand != "", ["product_id", "brand"]].drop_duplicates()),
        "IN_CATEGORY": len(
            df.loc[df.category_code != "", ["product_id", "category_code"]].drop_duplicates()
        ),
        "CHILD_OF": sum(1 for code in codes if "." in code),
    }
    if pairs("remove_from_cart"):
        types["REMOVED_FROM_CART"] = pairs("remove_from_cart")
    return labels, types


def test_counts_per_label_and_type_equal_pandas(
    shop: ShopGraph, events_path: Path, events: pd.DataFrame
) -> None:
    seen: list[LoadProgress] = []
    report = shop.load_rees46(events_path, LoadOptions(chunk_size=4000, progress=seen.append))

    labels, types = expected_counts(events)
    stats = shop.stats()
    assert stats.labels == labels
    assert stats.types == types
    assert report.rows_read == len(events) == 17_434
    assert report.rows_loaded == 17_434
    assert report.rows_rejected == 0
    assert report.chunks == 5
    assert report.nodes_created == stats.nodes - 1  # all but the Load node
    assert report.relationships_created == stats.relationships
    assert [p.rows_read for p in seen] == [4000, 8000, 12000, 16000, 17434]
    assert seen[-1].bytes_done == events_path.stat().st_size


def test_properties_equal_pandas(
    shop: ShopGraph, events_path: Path, events: pd.DataFrame, graph_dump: Callable[[], Any]
) -> None:
    shop.load_rees46(events_path, LoadOptions(chunk_size=3000))
    graph = graph_dump()
    nodes, rels = graph["nodes"], graph["relationships"]

    views = events[events.event_type == "view"].groupby(["user_session", "product_id"])
    agg = views.t.agg(["count", "min", "max"]).reset_index()
    assert len(agg) > 10_000
    for row in agg.itertuples():
        rel = rels[(("Session", row.user_session), "VIEWED", ("Item", row.product_id))]
        assert rel["count"] == row.count
        assert rel["first"] == row.min.to_pydatetime()
        assert rel["last"] == row.max.to_pydatetime()
        assert rel["weight"] == 1.0

    sessions = events.groupby("user_session").t.agg(["count", "min", "max"])
    for session_id, row in sessions.iterrows():
        props = nodes[("Session", session_id)]
        assert props["events"] == row["count"]
        assert props["start"] == row["min"].to_pydatetime()
        assert props["end"] == row["max"].to_pydatetime()

    # The stored price is the one of the item's latest event (the file is in time order).
    last_price = events.groupby("product_id").price.last().astype(float)
    for item_id, price in last_price.items():
        assert nodes[("Item", item_id)]["price"] == price

    purchases = events[events.event_type == "purchase"]
    lines = purchases.groupby(["user_session", "product_id"]).size()
    # An order line's position: the file line of the item's first purchase row in the order
    # (the header is line 1; the sample has no quoted line breaks).
    first_line = purchases.reset_index().groupby(["user_session", "product_id"])["index"].min() + 2
    for (session_id, item_id), count in lines.items():
        rel = rels[(("Order", session_id), "CONTAINS", ("Item", item_id))]
        assert rel["quantity"] == count
        assert rel["lines"] == count
        assert rel["position"] == first_line[(session_id, item_id)]
    assert {nodes[("Order", s)]["kind"] for s in purchases.user_session} == {"order"}


def test_category_hierarchy_from_dotted_codes(
    shop: ShopGraph, events_path: Path, graph_dump: Callable[[], Any]
) -> None:
    shop.load_rees46(events_path)
    graph = graph_dump()
    nodes, rels = graph["nodes"], graph["relationships"]

    smartphone = nodes[("Category", "electronics.smartphone")]
    assert smartphone == {"code": "electronics.smartphone", "name": "smartphone", "level": 2}
    assert nodes[("Category", "electronics")]["level"] == 1
    assert (("Category", "electronics.smartphone"), "CHILD_OF", ("Category", "electronics")) in rels
    # Every non-root category has exactly one parent: the code without its last segment.
    parents = {start[1]: end[1] for (start, rtype, end) in rels if rtype == "CHILD_OF"}
    categories = [code for (label, code) in nodes if label == "Category"]
    for code in categories:
        if "." in code:
            assert parents[code] == code.rsplit(".", 1)[0]
        else:
            assert code not in parents
    # The sample's one four-level code hangs under its three ancestors.
    deep = [code for code in categories if code.count(".") == 3]
    assert len(deep) == 1
    assert parents[parents[parents[deep[0]]]] == deep[0].split(".")[0]


def test_reload_changes_nothing(
    shop: ShopGraph, events_path: Path, graph_dump: Callable[[], Any]
) -> None:
    first = shop.load_rees46(events_path)
    before = graph_dump()
    stats_before = shop.stats()

    again = shop.load_rees46(events_path, LoadOptions(chunk_size=1000))

    assert not first.already_loaded
    assert again.already_loaded
    assert again.rows_read == first.rows_read
    assert again.nodes_created == again.relationships_created == again.properties_set == 0
    assert shop.stats() == stats_before
    assert graph_dump() == before


def test_chunk_size_does_not_change_the_graph(
    shop: ShopGraph, settings: Settings, events_path: Path, graph_dump: Callable[[], Any]
) -> None:
    shop.load_rees46(events_path, LoadOptions(chunk_size=17_434))
    whole = graph_dump()

    wipe(settings)
    shop.load_rees46(events_path, LoadOptions(chunk_size=777))

    assert graph_dump() == whole
