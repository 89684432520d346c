"""A user's own event CSV loaded through a TOML column mapping, without code (DIGINETICA)."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from shopgraph.graph.client import ShopGraph

MAPPINGS = Path(str(resources.files("shopgraph.loaders") / "mappings"))


def test_diginetica_views_through_a_mapping_file(
    shop: ShopGraph, data_dir: Path, graph_dump: Callable[[], Any]
) -> None:
    path = data_dir / "diginetica-sample" / "sample_train-item-views.csv.gz"
    df = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    df["t"] = pd.to_datetime(df.eventdate, utc=True) + pd.to_timedelta(
        df.timeframe.astype(int), unit="ms"
    )
    known = df[df.user_id != "NA"]

    report = shop.load_csv(path, MAPPINGS / "diginetica.toml")

    assert report.kind == "diginetica"
    assert report.rows_read == len(df) == 12_391
    assert report.rows_rejected == 0
    stats = shop.stats()
    assert stats.labels == {
        "Session": df.session_id.nunique(),
        "Item": df.item_id.nunique(),
        "User": known.user_id.nunique(),
        "Load": 1,
    }
    assert stats.types == {
        "VIEWED": len(df[["session_id", "item_id"]].drop_duplicates()),
        "HAS_SESSION": len(known[["session_id", "user_id"]].drop_duplicates()),
    }
    graph = graph_dump()
    nodes, rels = graph["nodes"], graph["relationships"]
    spans = df.groupby("session_id").t.agg(["min", "max", "count"])
    for session_id, span in spans.iterrows():
        props = nodes[("Session", f"diginetica:{session_id}")]
        assert props["start"] == span["min"].to_pydatetime()
        assert props["end"] == span["max"].to_pydatetime()
        assert props["events"] == span["count"]
    first = df.iloc[0]
    view = rels[(("Session", "diginetica:1"), "VIEWED", ("Item", first.item_id))]
    assert view["count"] == len(df[(df.session_id == "1") & (df.item_id == first.item_id)])
