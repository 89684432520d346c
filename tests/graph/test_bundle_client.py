"""Bundles through the client on a basket-form file: line adjacency from the loaded positions.

The same three orders as the reference's adjacency fixture (``tests/gnn/test_bundles.py``):
A sits next to B, X and Y and never next to C. The loader writes each item's index in its
line as ``CONTAINS.position``, so the served scores equal the reference's on the same baskets.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shopgraph.core.errors import BadArgumentError, UnknownEntityError
from shopgraph.evaluation.bundle_protocol import Basket
from shopgraph.evaluation.bundles import CoPurchaseConfig, CoPurchaseScorer
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.recommend import BundleOptions

LINES = ("A,B", "A,X,C", "C,Y,A")


@pytest.fixture
def orders(shop: ShopGraph, tmp_path: Path) -> ShopGraph:
    path = tmp_path / "shop.csv"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    shop.load_baskets(path)
    shop.refresh()
    return shop


@pytest.mark.parametrize(
    ("bonus", "ranking"), [(None, ["B", "X", "Y", "C"]), (0.0, ["C", "B", "X", "Y"])]
)
def test_neighbouring_lines_change_the_ranking_as_in_the_reference(
    orders: ShopGraph, bonus: float | None, ranking: list[str]
) -> None:
    got = orders.bundle(["A"], 10, BundleOptions(adjacency_bonus=bonus))
    assert [item.item_id for item in got] == ranking
    # The orders have no time: the reference without decay, on the baskets in line order.
    config = CoPurchaseConfig(half_life=None, adjacency_bonus=2.0 if bonus is None else bonus)
    baskets = [Basket(n, tuple(line.split(",")), 0.0) for n, line in enumerate(LINES)]
    expected = CoPurchaseScorer(config).fit(baskets).recommend(["A"], 10)
    assert [item.item_id for item in got] == [item.item for item in expected]
    for served, reference in zip(got, expected, strict=True):
        assert served.score == pytest.approx(reference.score, rel=1e-12)
        assert served.support == pytest.approx(reference.support, rel=1e-12)
        assert served.lift == pytest.approx(reference.lift, rel=1e-12)


@pytest.mark.parametrize("bonus", [-1.0, float("nan"), float("inf"), "2", True])
def test_a_bad_adjacency_bonus_is_a_sentence_from_the_client(bonus: object) -> None:
    with pytest.raises(ValueError, match="adjacency_bonus must be a finite number of at least 0"):
        BundleOptions(adjacency_bonus=bonus)  # type: ignore[arg-type]


def test_a_bad_adjacency_bonus_is_a_sentence_from_the_procedure(orders: ShopGraph) -> None:
    def call(bonus: object) -> None:
        config = {"adjacencyBonus": bonus}
        orders.runner.serve("call_bundle", {"cart": ["A"], "k": 10, "config": config})

    sentence = r"^Config key 'adjacencyBonus' must be a finite number of at least 0, got "
    with pytest.raises(BadArgumentError, match=sentence + r"the integer -1\.$"):
        call(-1)
    with pytest.raises(BadArgumentError, match=sentence + r"the string 'two'\.$"):
        call("two")


def test_bad_bundle_arguments_give_the_same_sentences_from_the_client_and_the_procedure(
    orders: ShopGraph,
) -> None:
    def procedure(cart: list[str], k: int, config: dict[str, object]) -> None:
        orders.runner.serve("call_bundle", {"cart": cart, "k": k, "config": config})

    cases: list[tuple[list[str], int, str]] = [
        ([], 10, r"^A cart must have 1 to 50 items, got 0\.$"),
        ([str(n) for n in range(51)], 10, r"^A cart must have 1 to 50 items, got 51\.$"),
        (["A"], 0, r"^k must be between 1 and 1000, got 0\.$"),
        (["A"], 1001, r"^k must be between 1 and 1000, got 1001\.$"),
    ]
    for cart, k, message in cases:
        with pytest.raises(ValueError, match=message):
            orders.bundle(cart, k)
        with pytest.raises(BadArgumentError, match=message):
            procedure(cart, k, {})
    with pytest.raises(UnknownEntityError, match=r"^Unknown item ids: nope, zip\.$") as unknown:
        orders.bundle(["nope", "A", "zip"], 5)
    assert (unknown.value.kind, unknown.value.ids) == ("item", ["nope", "zip"])
    with pytest.raises(BadArgumentError, match=r"^Unknown config key 'maxPerBrnd'; known keys: "):
        procedure(["A"], 5, {"maxPerBrnd": 2})
