"""UCI Online Retail baskets in a real Neo4j: basket form, long Parquet form, long CSV form."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from shopgraph.graph.client import ShopGraph
from shopgraph.graph.loading import LoadOptions
from shopgraph.loaders.source import read_rejects


@pytest.fixture(scope="module")
def uci(data_dir: Path) -> Path:
    return data_dir / "uci-online-retail"


def test_basket_form_counts_equal_pandas(
    shop: ShopGraph, uci: Path, graph_dump: Callable[[], Any]
) -> None:
    path = uci / "baskets_by_invoice.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        baskets = [line.rstrip("\n").split(",") for line in f if line.strip()]
    long = pd.DataFrame(
        [(n, item) for n, basket in enumerate(baskets) for item in basket],
        columns=["order", "item"],
    )

    report = shop.load_baskets(path, LoadOptions(chunk_size=5000))

    stats = shop.stats()
    assert report.rows_read == len(baskets) == 25_900
    assert report.rows_rejected == 0
    assert stats.labels == {"Item": long["item"].nunique(), "Order": len(baskets), "Load": 1}
    assert stats.labels["Item"] == 4070
    assert stats.types == {"CONTAINS": len(long.drop_duplicates())}
    rels = graph_dump()["relationships"]
    lines = long.groupby(["order", "item"]).size()
    repeated = lines[lines > 1]
    assert len(repeated) > 1000
    for (order, item), count in repeated.items():
        rel = rels[(("Order", f"baskets_by_invoice:{order}"), "CONTAINS", ("Item", item))]
        assert rel["lines"] == rel["quantity"] == count
    # Positions: the item's first 0-based index in its line.
    for order, basket in enumerate(baskets):
        for item in set(basket):
            rel = rels[(("Order", f"baskets_by_invoice:{order}"), "CONTAINS", ("Item", item))]
            assert rel["position"] == basket.index(item)


def test_long_parquet_form_counts_and_kinds_equal_pandas(
    shop: ShopGraph, uci: Path, graph_dump: Callable[[], Any]
) -> None:
    path = uci / "baskets_long.parquet"
    df = pd.read_parquet(path)

    report = shop.load_baskets(path)

    stats = shop.stats()
    assert report.rows_read == len(df) == 541_909
    assert report.rows_rejected == 0
    assert stats.labels == {
        "Item": df.stock_code.nunique(),
        "Order": df.basket_idx.nunique(),
        "Load": 1,
    }
    assert stats.types == {"CONTAINS": len(df[["basket_idx", "stock_code"]].drop_duplicates())}
    graph = graph_dump()
    nodes, rels = graph["nodes"], graph["relationships"]
    # Positions: the 1-based row number of the item's first row in its order.
    first_row = df.reset_index().groupby(["basket_idx", "stock_code"])["index"].min() + 1
    for (order, item), row in first_row.items():
        rel = rels[(("Order", f"baskets_by_invoice:{order}"), "CONTAINS", ("Item", item))]
        assert rel["position"] == row
    kinds = pd.Series(
        {key: props["kind"] for key, props in nodes.items() if key[0] == "Order"}
    ).value_counts()
    expected = df.drop_duplicates("basket_idx").basket_kind.value_counts()
    assert (
        kinds.to_dict()
        == expected.to_dict()
        == {
            "order": 22_061,
            "cancellation": 3_836,
            "adjustment": 3,
        }
    )
    # The same order ids as the basket form: basket_idx is the line number there.
    assert ("Order", "baskets_by_invoice:22064") in nodes
    assert nodes[("Order", "baskets_by_invoice:22064")]["kind"] == "cancellation"


def test_long_csv_form_with_users_times_prices_and_rejects(
    shop: ShopGraph, uci: Path, tmp_path: Path, graph_dump: Callable[[], Any]
) -> None:
    path = uci / "first_10000_rows.csv.gz"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    quantity = df.Quantity.astype(int)
    bad = (quantity < 0) & ~df.InvoiceNo.str.startswith("C")
    good = df[~bad]
    assert bad.sum() == 30

    report = shop.load_baskets(path, LoadOptions(rejects=tmp_path / "rejects.csv"))

    assert report.rows_read == 10_000
    assert report.rows_rejected == 30
    rejects = read_rejects(tmp_path / "rejects.csv")
    assert [r.line for r in rejects] == [i + 2 for i in df.index[bad]]
    assert {(r.field, r.reason.split(" in ")[-1]) for r in rejects} == {
        ("Quantity", "a order (not a cancellation)")
    }
    customers = good[good.CustomerID != ""]
    stats = shop.stats()
    assert stats.labels == {
        "Item": good.StockCode.nunique(),
        "Order": good.InvoiceNo.nunique(),
        "User": customers.CustomerID.nunique(),
        "Load": 1,
    }
    assert stats.types == {
        "CONTAINS": len(good[["InvoiceNo", "StockCode"]].drop_duplicates()),
        "PLACED": len(customers[["InvoiceNo", "CustomerID"]].drop_duplicates()),
    }
    graph = graph_dump()
    nodes, rels = graph["nodes"], graph["relationships"]
    # Float-formatted customer ids (17850.0) become 17850.
    assert (("User", "17850"), "PLACED", ("Order", "536365")) in rels
    assert nodes[("Order", "C536379")]["kind"] == "cancellation"
    assert nodes[("Order", "536365")]["kind"] == "order"
    assert nodes[("Order", "536365")]["at"].isoformat() == "2010-12-01T08:26:00+00:00"
    last_price = good.groupby("StockCode").UnitPrice.last().astype(float)
    for item, price in last_price.items():
        assert nodes[("Item", item)]["price"] == price
    line = rels[(("Order", "536365"), "CONTAINS", ("Item", "85123A"))]
    assert line == {"quantity": 6, "lines": 1, "price": 2.55, "position": 2, "weight": 1.0}
    assert nodes[("Item", "85123A")]["name"] == "WHITE HANGING HEART T-LIGHT HOLDER"
