"""Serving options say every value the procedures accept, the client checks arguments with the
procedures' sentences, and answers can carry what the graph knows of their items.

The server tests run on the shipped REES46 sample (loaded once for the module): it has brands,
category codes and prices, no item names and no stock, so out-of-stock items are made here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from shopgraph.core.errors import BadArgumentError
from shopgraph.core.settings import Settings
from shopgraph.graph import recommend as serving
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.export import ExportOptions
from shopgraph.graph.recommend import (
    UNLIMITED,
    BundleOptions,
    ItemDetails,
    Recommendation,
    RecommendOptions,
    WalkOptions,
)
from shopgraph.graph.runner import GraphRunner
from shopgraph.graph.trust import users_since

from conftest import REPO, wipe

SAMPLE = REPO / "loaders" / "samples" / "rees46-2019-10-01-head.csv.gz"
PHONE = "1004833"  # a phone bought with others in the sample
BUYER = "517953667"  # a user of the sample with views and purchases


class _Recorder:
    """A runner that records the serving calls it gets and answers nothing."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def serve(self, name: str, params: dict[str, Any]) -> list[list[Any]]:
        self.calls.append((name, params))
        return []


def _runner(recorder: _Recorder) -> GraphRunner:
    return recorder  # type: ignore[return-value]


# --- What the options send -------------------------------------------------------------------


def test_none_keeps_the_server_default_and_every_other_value_travels_as_itself() -> None:
    assert BundleOptions().config() == {}
    assert RecommendOptions().config() == {}
    assert WalkOptions().config() == {}
    assert BundleOptions(in_stock_only=False).config() == {"inStockOnly": False}
    assert BundleOptions(in_stock_only=True).config() == {"inStockOnly": True}
    assert WalkOptions(in_stock_only=False).config() == {"inStockOnly": False}
    assert RecommendOptions(in_stock_only=False, use_model=False).config() == {
        "inStockOnly": False,
        "useModel": False,
    }
    # UNLIMITED is the null that the procedures read as "no limit"; None leaves the key out.
    assert RecommendOptions(max_per_brand=UNLIMITED, max_per_category=2).config() == {
        "maxPerBrand": None,
        "maxPerCategory": 2,
    }
    assert BundleOptions(max_per_brand=UNLIMITED).config() == {"maxPerBrand": None}
    assert repr(UNLIMITED) == "UNLIMITED"


# --- Argument checks in the client -----------------------------------------------------------


@pytest.mark.parametrize("k", [0, 1001])
def test_k_out_of_range_is_a_bad_argument_with_the_procedures_sentence(k: int) -> None:
    recorder = _Recorder()
    message = rf"^k must be between 1 and 1000, got {k}\.$"
    for call in (
        lambda: serving.bundle(_runner(recorder), ["a"], k),
        lambda: serving.recommend(_runner(recorder), "u", k),
        lambda: serving.similar(_runner(recorder), "a", k),
        lambda: serving.candidates(_runner(recorder), "u", k),
    ):
        with pytest.raises(BadArgumentError, match=message):
            call()
    assert recorder.calls == []


def test_the_cart_size_counts_distinct_items() -> None:
    recorder = _Recorder()
    too_many = [str(n) for n in range(51)]
    with pytest.raises(BadArgumentError, match=r"^A cart must have 1 to 50 items, got 51\.$"):
        serving.bundle(_runner(recorder), too_many)
    with pytest.raises(BadArgumentError, match=r"^A cart must have 1 to 50 items, got 0\.$"):
        serving.bundle(_runner(recorder), [])
    assert recorder.calls == []
    # 50 distinct items and their repeats make a cart of 50, sent once each.
    serving.bundle(_runner(recorder), too_many[:50] + too_many[:50])
    assert recorder.calls[0][1]["cart"] == too_many[:50]
    # A bad argument is a ValueError too, for code that catches those.
    with pytest.raises(ValueError, match="got 51"):
        serving.bundle(_runner(recorder), too_many)


def test_python_defaults_are_the_procedures() -> None:
    """k is 10 everywhere, as in every serving procedure; no option is sent unless set."""
    recorder = _Recorder()
    runner = _runner(recorder)
    serving.bundle(runner, ["a"])
    serving.recommend(runner, "u")
    serving.similar(runner, "a")
    serving.candidates(runner, "u")
    assert [(name, params["k"], params["config"]) for name, params in recorder.calls] == [
        ("call_bundle", 10, {}),
        ("call_recommend", 10, {}),
        ("call_similar", 10, {}),
        ("call_candidates", 10, {}),
    ]
    with pytest.raises(BadArgumentError, match="use_model applies to similar"):
        serving.candidates(runner, "u", options=WalkOptions(use_model=False))


@pytest.mark.parametrize("key", ["since", "until"])
def test_a_naive_export_time_is_refused_with_the_procedures_sentence(key: str) -> None:
    message = (
        rf"^Config key '{key}' must be a datetime with a timezone, "
        r"got the local datetime 2024-03-01T00:00:00\.$"
    )
    with pytest.raises(BadArgumentError, match=message):
        ExportOptions(**{key: datetime(2024, 3, 1)})


def test_users_since_refuses_a_naive_time() -> None:
    with pytest.raises(
        BadArgumentError,
        match=r"^since must be a datetime with a timezone, got the local datetime 2024-03-01T00:00",
    ):
        users_since(_runner(_Recorder()), datetime(2024, 3, 1))


# --- On the real server ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(settings: Settings) -> Iterator[ShopGraph]:
    """The shipped sample, loaded once; the tests here change only ``inStock``, and undo it."""
    wipe(settings)
    with ShopGraph.connect(settings) as shop:
        shop.load_rees46(SAMPLE)
        shop.refresh()
        yield shop


def _set_in_stock(shop: ShopGraph, item: str, value: bool | None) -> None:
    shop.runner.write_tx(
        lambda tx: tx._tx.run(
            "MATCH (i:Item {itemId: $item}) SET i.inStock = $value", item=item, value=value
        ).consume()
    )


def _ids(items: list[Any]) -> list[str]:
    return [item.item_id for item in items]


def test_an_out_of_stock_item_is_served_only_when_asked_for(sample: ShopGraph) -> None:
    top = sample.bundle([PHONE], 5)[0].item_id
    walked = sample.similar(PHONE, 5, WalkOptions(seed=1))[0].item_id
    recommended = sample.recommend(BUYER, 5)[0].item_id
    for item in {top, walked, recommended}:
        _set_in_stock(sample, item, False)
    try:
        assert top not in _ids(sample.bundle([PHONE], 5))
        assert top not in _ids(sample.bundle([PHONE], 5, BundleOptions(in_stock_only=True)))
        assert _ids(sample.bundle([PHONE], 5, BundleOptions(in_stock_only=False)))[0] == top

        assert walked not in _ids(sample.similar(PHONE, 5, WalkOptions(seed=1)))
        unfiltered = sample.similar(PHONE, 5, WalkOptions(seed=1, in_stock_only=False))
        assert _ids(unfiltered)[0] == walked

        assert recommended not in _ids(sample.recommend(BUYER, 5))
        included = sample.recommend(BUYER, 5, RecommendOptions(in_stock_only=False))
        assert _ids(included)[0] == recommended
        details = sample.recommend(BUYER, 5, RecommendOptions(in_stock_only=False), details=True)
        assert details[0].item is not None
        assert details[0].item.in_stock is False
    finally:
        for item in {top, walked, recommended}:
            _set_in_stock(sample, item, None)


def _brands(items: list[Recommendation]) -> Counter[str]:
    return Counter(item.item.brand for item in items if item.item and item.item.brand)


def test_no_limit_per_brand_is_expressible(sample: ShopGraph) -> None:
    limited = sample.recommend(BUYER, 40, details=True)
    assert max(_brands(limited).values()) <= 3  # the procedure's default
    free = RecommendOptions(max_per_brand=UNLIMITED, max_per_category=UNLIMITED)
    unlimited = sample.recommend(BUYER, 40, free, details=True)
    assert max(_brands(unlimited).values()) > 3
    assert len(unlimited) == 40

    # bundle: no limit is the default, UNLIMITED says so, and 1 limits.
    default = sample.bundle([PHONE], 20, details=True)
    assert sample.bundle([PHONE], 20, BundleOptions(max_per_brand=UNLIMITED), details=True) == (
        default
    )
    assert max(_brands(default).values()) > 1
    one = sample.bundle([PHONE], 20, BundleOptions(max_per_brand=1), details=True)
    assert max(_brands(one).values()) == 1


def _graph_details(shop: ShopGraph, ids: list[str]) -> dict[str, tuple[Any, ...]]:
    rows = shop.runner.read_tx(
        lambda tx: tx._tx.run(
            "UNWIND $ids AS id MATCH (i:Item {itemId: id}) "
            "OPTIONAL MATCH (i)-[:HAS_BRAND]->(b:Brand) "
            "OPTIONAL MATCH (i)-[:IN_CATEGORY]->(c:Category) "
            "RETURN id, i.name AS name, b.name AS brand, c.code AS category, i.price AS price",
            ids=ids,
        ).values()
    )
    return {row[0]: tuple(row[1:]) for row in rows}


def test_details_show_what_the_graph_knows_and_nothing_else(sample: ShopGraph) -> None:
    plain = sample.bundle([PHONE], 10)
    assert all(item.item is None for item in plain)
    detailed = sample.bundle([PHONE], 10, details=True)
    assert [(d.item_id, d.score, d.because) for d in detailed] == [
        (p.item_id, p.score, p.because) for p in plain
    ]
    expected = _graph_details(sample, _ids(detailed))
    for item in detailed:
        assert item.item is not None
        got = item.item
        assert (got.name, got.brand, got.category, got.price) == expected[item.item_id]
        assert got.name is None  # REES46 has no item names: none is invented
        assert got.in_stock is None
    assert any(d.item and d.item.brand and d.item.category and d.item.price for d in detailed)

    for answer in (
        sample.similar(PHONE, 5, WalkOptions(seed=1), details=True),
        sample.recommend(BUYER, 5, details=True),
        sample.candidates(BUYER, 5, WalkOptions(seed=1), details=True),
    ):
        assert answer
        assert {
            item.item_id: (item.item.name, item.item.brand, item.item.category, item.item.price)
            for item in answer
            if item.item is not None
        } == _graph_details(sample, _ids(answer))


def test_item_details_of_an_item_without_brand_or_category(sample: ShopGraph) -> None:
    rows = sample.runner.read_tx(
        lambda tx: tx._tx.run(
            "MATCH (i:Item) WHERE NOT (i)-[:HAS_BRAND]->() AND NOT (i)-[:IN_CATEGORY]->() "
            "RETURN i.itemId AS id, i.price AS price ORDER BY id LIMIT 1"
        ).single()
    )
    bare = str(rows["id"])
    found = serving.item_details(sample.runner, [bare, "no-such-item", bare])
    assert found == {bare: ItemDetails(price=rows["price"])}


def test_the_same_answer_with_and_without_details_for_the_buyer(sample: ShopGraph) -> None:
    """Details do not change the answer: one more statement reads them afterwards."""
    plain = sample.recommend(BUYER, 10)
    detailed = sample.recommend(BUYER, 10, details=True)
    assert [(r.item_id, r.score, r.rank, r.reason) for r in detailed] == [
        (r.item_id, r.score, r.rank, r.reason) for r in plain
    ]
