"""FBT bundles: the protocol, its metrics, the baselines and the co-purchase scorer.

The tiny fixtures are computed by hand in the comments; the last test runs the full protocol
on UCI Online Retail and checks that the co-purchase scorer beats every baseline.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from shopgraph.core.errors import ModelNotTrainedError
from shopgraph.evaluation.bundle_baselines import (
    AssociationRulesBaseline,
    CooccurrenceBaseline,
    ItemCosineBaseline,
    PopularityBaseline,
    RuleMetric,
)
from shopgraph.evaluation.bundle_protocol import (
    Basket,
    BundleCase,
    BundleProtocol,
    Source,
    build_protocol,
    bundle_metrics,
    coverage,
    evaluate,
    hit_rate_at_k,
    is_product_code,
    make_cases,
    mrr_at_k,
    protocol_from_baskets,
    read_uci_baskets,
    validation_protocol,
)
from shopgraph.evaluation.bundles import CoPurchaseConfig, CoPurchaseScorer, ScoredItem

# --- metrics -----------------------------------------------------------------------------

RECS = [["a", "b", "c"], ["x", "y"], [], ["b", "a"], ["c", "d", "a"]]
HELD = ["b", "z", "a", "a", "a"]


def test_hit_rate_counts_every_case_including_empty_lists() -> None:
    # k=2: hits in case 0 (b at 2) and 3 (a at 2); case 4 has a at rank 3.
    assert hit_rate_at_k(RECS, HELD, 2) == pytest.approx(2 / 5)
    assert hit_rate_at_k(RECS, HELD, 3) == pytest.approx(3 / 5)
    assert hit_rate_at_k(RECS, HELD, 1) == 0.0
    assert hit_rate_at_k([], [], 10) == 0.0


def test_mrr_is_reciprocal_rank_within_k() -> None:
    assert mrr_at_k(RECS, HELD, 2) == pytest.approx((1 / 2 + 1 / 2) / 5)
    assert mrr_at_k(RECS, HELD, 3) == pytest.approx((1 / 2 + 1 / 2 + 1 / 3) / 5)


def test_coverage_counts_catalogue_items_only() -> None:
    # top-2 union {a, b, x, y, c, d}; y is not in the catalogue; e never shown.
    assert coverage(RECS, ["a", "b", "c", "d", "e", "x"], 2) == pytest.approx(5 / 6)
    # top-1 union {a, x, b, c}.
    assert coverage(RECS, ["a", "b", "c", "d", "e", "x"], 1) == pytest.approx(4 / 6)
    assert coverage(RECS, [], 2) == 0.0


def test_bundle_metrics_keys_and_values() -> None:
    got = bundle_metrics(RECS, HELD, ["a", "b", "c", "d", "e", "x"], k=2)
    assert got == {
        "hit_rate@2": pytest.approx(0.4),
        "mrr@2": pytest.approx(0.2),
        "coverage@2": pytest.approx(5 / 6),
    }


def test_metrics_reject_bad_arguments() -> None:
    with pytest.raises(ValueError, match="k must be at least 1, got 0"):
        hit_rate_at_k(RECS, HELD, 0)
    with pytest.raises(ValueError, match="5 recommendation lists for 4 held-out items"):
        mrr_at_k(RECS, HELD[:4], 10)


def test_evaluate_runs_recommend_on_every_case() -> None:
    protocol = BundleProtocol(
        train=(), test=(BundleCase(0, ("a",), "b"), BundleCase(1, ("b",), "c")), catalogue=("b",)
    )
    got = evaluate(lambda cart, k: ["b", "c"][:k], protocol, k=1)
    assert got == {"hit_rate@1": 0.5, "mrr@1": 0.5, "coverage@1": 1.0}


# --- protocol ----------------------------------------------------------------------------


def _parquet(path: Path) -> Path:
    rows = [
        # basket 3 first: the reader must sort by basket_idx, then position.
        (3, "order", 1, "22002"),
        (3, "order", 0, "22001"),
        (0, "order", 0, "85123a"),
        (0, "order", 1, "85123A"),  # same item once upper-cased
        (0, "order", 2, "POST"),
        (0, "order", 3, "21000"),
        (1, "order", 0, "21000"),
        (1, "order", 1, "DOT"),  # one product left: dropped
        (2, "order", 0, "m"),
        (2, "order", 1, "gift_0001_10"),
        (2, "order", 2, "DCGS0003"),
        (2, "order", 3, "BANK CHARGES"),
        (4, "order", 0, "22001"),
        (4, "order", 1, "22003"),
        (4, "order", 2, "22004"),
        (5, "order", 0, "22001"),
        (5, "order", 1, "21000"),
        (6, "adjustment", 0, "B"),
        (6, "adjustment", 1, "22001"),
        (7, "cancellation", 0, "22001"),
        (7, "cancellation", 1, "22002"),
    ]
    frame = pd.DataFrame(rows, columns=["basket_idx", "basket_kind", "position", "stock_code"])
    out = path / "baskets_long.parquet"
    frame.to_parquet(out)
    return out


def test_reader_keeps_distinct_upper_cased_products_of_orders_with_two_items(
    tmp_path: Path,
) -> None:
    baskets = read_uci_baskets(_parquet(tmp_path))
    assert baskets == [
        Basket(0, ("85123A", "21000"), 0.0),
        Basket(3, ("22001", "22002"), 3.0),
        Basket(4, ("22001", "22003", "22004"), 4.0),
        Basket(5, ("22001", "21000"), 5.0),
    ]


@pytest.mark.parametrize(
    ("code", "product"),
    [
        ("POST", False),
        ("DOT", False),
        ("M", False),
        ("C2", False),
        ("D", False),
        ("S", False),
        ("B", False),
        ("CRUK", False),
        ("BANK CHARGES", False),
        ("AMAZONFEE", False),
        ("PADS", False),
        ("GIFT_0001_20", False),
        ("DCGSSGIRL", False),
        ("85123A", True),
        ("22001", True),
    ],
)
def test_non_product_codes(code: str, product: bool) -> None:
    assert is_product_code(code) is product


def test_split_is_chronological_80_20_with_seeded_cases(tmp_path: Path) -> None:
    protocol = build_protocol(_parquet(tmp_path), seed=7)
    # 4 baskets: floor(3.2) = 3 train, the last (basket_idx 5) test.
    assert [b.index for b in protocol.train] == [0, 3, 4]
    assert [case.index for case in protocol.test] == [5]
    assert protocol.catalogue == ("21000", "22001", "22002", "22003", "22004", "85123A")
    (case,) = protocol.test
    assert {case.held_out, *case.cart} == {"22001", "21000"}
    assert len(case.cart) == 1
    assert build_protocol(_parquet(tmp_path), seed=7) == protocol


def _baskets(n: int, size: int) -> list[Basket]:
    return [Basket(i, tuple(f"{i}-{p}" for p in range(size)), float(i)) for i in range(n)]


def test_cases_are_deterministic_capped_and_keep_basket_order() -> None:
    baskets = _baskets(50, 15)
    before = list(baskets)
    cases = make_cases(baskets, seed=3, max_cart=10)
    assert baskets == before
    assert cases == make_cases(baskets, seed=3, max_cart=10)
    assert cases != make_cases(baskets, seed=4, max_cart=10)
    # Each case draws from its own generator: a subset gives the same cases.
    assert make_cases(baskets[10:20], seed=3, max_cart=10) == cases[10:20]
    for basket, case in zip(baskets, cases, strict=True):
        assert len(case.cart) == 10
        assert case.held_out in basket.items
        assert case.held_out not in case.cart
        positions = [basket.items.index(item) for item in case.cart]
        assert positions == sorted(positions)
    small = make_cases(_baskets(5, 4), seed=3, max_cart=10)
    assert all(len(case.cart) == 3 for case in small)


def test_protocol_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="max_cart must be at least 1, got 0"):
        make_cases(_baskets(2, 3), seed=0, max_cart=0)
    with pytest.raises(ValueError, match="Basket 0 has fewer than 2 items"):
        make_cases([Basket(0, ("a",), 0.0)], seed=0, max_cart=10)
    with pytest.raises(ValueError, match=r"train_fraction must be between 0 and 1, got 1\.0"):
        protocol_from_baskets(_baskets(5, 3), train_fraction=1.0, seed=0, max_cart=10)
    with pytest.raises(ValueError, match="The items of basket 0 must be distinct"):
        Basket(0, ("a", "a"), 0.0)


def test_validation_comes_from_train_only() -> None:
    protocol = protocol_from_baskets(_baskets(100, 3), train_fraction=0.8, seed=1, max_cart=10)
    val = validation_protocol(protocol, fraction=0.1, seed=1)
    assert [b.index for b in val.train] == list(range(72))
    assert [case.index for case in val.test] == list(range(72, 80))


# --- co-purchase scorer ------------------------------------------------------------------

# Without line adjacency: its own tests below.
SIMPLE = CoPurchaseConfig(
    alpha=1.0,
    beta=1.0,
    smoothing=1.0,
    size_exponent=1.0,
    half_life=None,
    user_cap=1.0,
    adjacency_bonus=0.0,
)
FLAT = CoPurchaseConfig(
    alpha=0.0,
    beta=0.0,
    smoothing=0.0,
    size_exponent=0.0,
    half_life=None,
    user_cap=1.0,
    adjacency_bonus=0.0,
)


def _orders(*baskets: str) -> list[Basket]:
    return [Basket(n, tuple(items), float(n)) for n, items in enumerate(baskets)]


def _expect(
    got: ScoredItem,
    item: str,
    score: float,
    support: float,
    confidence: float,
    lift: float,
    because: tuple[str, ...],
) -> None:
    assert got.item == item
    assert got.score == pytest.approx(score, rel=1e-12)
    assert got.support == pytest.approx(support, rel=1e-12)
    assert got.confidence == pytest.approx(confidence, rel=1e-12)
    assert got.lift == pytest.approx(lift, rel=1e-12)
    assert got.because == because


# M is in 6 of the 7 orders. n: A=4, B=3, M=6, C=2, D=1; N=7. h = 1/(|b|-1).
SHOP = _orders("ABM", "AB", "AM", "BMC", "MC", "MD", "AM")


def test_scores_by_hand_and_popularity_normalisation_demotes_the_universal_item() -> None:
    scorer = CoPurchaseScorer(SIMPLE).fit(SHOP)
    # e(A,B) = 1/2 (ABM) + 1 (AB) = 1.5, n(A,B) = 2: score 1.5 / (4 * (3 + 1)) = 0.09375.
    # e(A,M) = 1/2 + 1 + 1 = 2.5, n(A,M) = 3: score 2.5 / (4 * (6 + 1)) = 0.0892857.
    b, m = scorer.recommend(["A"], 10)
    _expect(b, "B", 0.09375, 2.0, 0.5, 0.5 / (3 / 7), ("A",))
    _expect(m, "M", 2.5 / 28, 3.0, 0.75, 0.75 / (6 / 7), ("A",))
    # Raw co-occurrence (and our score without normalisation) puts M first.
    assert CooccurrenceBaseline().fit(SHOP).recommend(["A"], 2) == ["M", "B"]
    no_norm = dataclasses.replace(SIMPLE, beta=0.0)
    assert CoPurchaseScorer(no_norm).fit(SHOP).recommend_ids(["A"], 2) == ["M", "B"]


def test_several_cart_items_add_up_and_cart_items_are_excluded() -> None:
    scorer = CoPurchaseScorer(SIMPLE).fit(SHOP)
    # From C (n=2): e(C,B) = 1/2 (BMC), e(C,M) = 1/2 + 1 (MC) = 1.5.
    # B: 1.5/16 + 0.5/(2*4) = 0.15625; M: 2.5/28 + 1.5/(2*7) = 0.1964286.
    got = scorer.recommend(["A", "C"], 10)
    assert [s.item for s in got] == ["M", "B"]
    m, b = got
    _expect(m, "M", 2.5 / 28 + 1.5 / 14, 5.0, 5 / 6, (5 / 6) / (6 / 7), ("C", "A"))
    _expect(b, "B", 0.15625, 3.0, 0.5, 0.5 / (3 / 7), ("A", "C"))
    # Unknown and repeated cart ids change nothing.
    assert scorer.recommend(["A", "nope", "C", "A"], 10) == got
    assert scorer.recommend(["A", "C"], 1) == got[:1]


def test_max_basket_size_skips_pairs_of_big_baskets_but_not_masses() -> None:
    small = CoPurchaseScorer(dataclasses.replace(SIMPLE, max_basket_size=2)).fit(SHOP)
    # Only AB, AM, AM count: e(A,B) = 1, e(A,M) = 2; n(A) = 4, n(M) = 6 as before.
    m, b = small.recommend(["A"], 10)
    _expect(m, "M", 2 / (4 * 7), 2.0, 2 / 4, (2 / 4) / (6 / 7), ("A",))
    _expect(b, "B", 1 / (4 * 4), 1.0, 1 / 4, (1 / 4) / (3 / 7), ("A",))
    assert small.mass("A") == 4.0


def test_ties_go_to_the_smaller_id() -> None:
    no_decay = dataclasses.replace(CoPurchaseConfig(), half_life=None, adjacency_bonus=0.0)
    scorer = CoPurchaseScorer(no_decay).fit(_orders("AYX", "BYX", "AB"))
    # From A: e(A,B) = 1 beats e(A,X) = e(A,Y) = 1/sqrt(2); X and Y tie.
    assert scorer.recommend_ids(["A"], 10) == ["B", "X", "Y"]
    got = scorer.recommend(["A", "B"], 10)
    # X and Y have the same evidence from A and from B; A and B have the same mass.
    assert [s.item for s in got] == ["X", "Y"]
    assert got[0].score == got[1].score
    assert got[0].because == ("A", "B")


def test_recency_decay() -> None:
    baskets = [Basket(0, ("X", "Y"), 0.0), Basket(1, ("X", "Z"), 2.0)]
    scorer = CoPurchaseScorer(dataclasses.replace(FLAT, half_life=1.0)).fit(baskets)
    # d = 0.25 and 1 (now = 2): n(X) = 1.25, N = 1.25.
    z, y = scorer.recommend(["X"], 10)
    _expect(z, "Z", 1.0, 1.0, 0.8, 1.0, ("X",))
    _expect(y, "Y", 0.25, 0.25, 0.2, 0.2 / (0.25 / 1.25), ("X",))
    assert scorer.mass("X") == 1.25
    with pytest.raises(ValueError, match=r"after now=1\.0"):
        scorer.fit(baskets, now=1.0)


def test_each_user_contribution_is_capped() -> None:
    baskets = [
        Basket(0, ("P", "Q"), 0.0, user="u1"),
        Basket(1, ("P", "Q"), 1.0, user="u1"),
        Basket(2, ("P", "Q"), 2.0, user="u1"),
        Basket(3, ("P", "R"), 3.0, user="u2"),
        Basket(4, ("P", "R"), 4.0),
    ]
    # cap 1: u1 adds 1 to n(P,Q); u2 and the anonymous order add 1 each to n(P,R).
    capped = CoPurchaseScorer(FLAT).fit(baskets)
    assert [(s.item, s.support) for s in capped.recommend(["P"])] == [("R", 2.0), ("Q", 1.0)]
    assert capped.mass("P") == 3.0
    loose = CoPurchaseScorer(dataclasses.replace(FLAT, user_cap=10.0)).fit(baskets)
    assert [(s.item, s.support) for s in loose.recommend(["P"])] == [("Q", 3.0), ("R", 2.0)]


def test_relationship_and_source_weights() -> None:
    baskets = [
        Basket(0, ("A", "B"), 0.0, weights=(1.0, 0.5)),
        Basket(0, ("A", "C"), 0.0, source=Source.CART),
        Basket(0, ("A", "D"), 0.0, source=Source.VIEW),
        Basket(1, ("A", "D"), 0.0, source=Source.VIEW),
    ]
    scorer = CoPurchaseScorer(FLAT).fit(baskets)
    # B: 1 * 0.5; C: cart 0.5; D: two views of 0.1. n(A) = 1 + 0.5 + 0.2 = 1.7.
    got = scorer.recommend(["A"])
    assert [(s.item, s.score) for s in got] == [
        ("B", 0.5),
        ("C", 0.5),
        ("D", pytest.approx(0.2)),
    ]
    assert got[0].confidence == pytest.approx(0.5 / 1.7)
    no_views = CoPurchaseScorer(dataclasses.replace(FLAT, view_weight=0.0)).fit(baskets)
    assert no_views.recommend_ids(["A"]) == ["B", "C"]


def test_neighbouring_lines_weigh_the_evidence_only() -> None:
    baskets = _orders("AB", "AXC", "CYA")
    # Without adjacency: e(A,C) = 2 leads B, X, Y (1 each).
    assert CoPurchaseScorer(FLAT).fit(baskets).recommend_ids(["A"]) == ["C", "B", "X", "Y"]
    # Bonus 2: A is next to B, X and Y (e = 1 * 3 each) but never next to C (e = 1 + 1).
    adjacent = CoPurchaseScorer(dataclasses.replace(FLAT, adjacency_bonus=2.0)).fit(baskets)
    got = adjacent.recommend(["A"])
    assert [(s.item, s.score) for s in got] == [("B", 3.0), ("X", 3.0), ("Y", 3.0), ("C", 2.0)]
    # Support, confidence and lift do not change: n(A) = 3, N = 3.
    _expect(got[0], "B", 3.0, 1.0, 1 / 3, (1 / 3) / (1 / 3), ("A",))
    _expect(got[3], "C", 2.0, 2.0, 2 / 3, (2 / 3) / (2 / 3), ("A",))
    # With the other knobs: e(A,X) = 3 / sqrt(2) in AXC; e(A,C) = 2 / sqrt(2).
    defaults = CoPurchaseScorer(dataclasses.replace(CoPurchaseConfig(), half_life=None))
    scored = defaults.fit(baskets).recommend(["A"])
    x = next(s for s in scored if s.item == "X")
    assert x.score == pytest.approx(3 / 2**0.5 / 3**0.5 / (1 + 10) ** 0.6, rel=1e-12)


def test_line_order_comes_from_positions_then_ids() -> None:
    bonus = dataclasses.replace(FLAT, adjacency_bonus=1.0)
    # Places 5, none, 2: the line order is C, A; B has no place and no neighbour.
    placed = Basket(0, ("A", "B", "C"), 0.0, positions=(5, None, 2))
    assert placed.order_ranks() == (1, -1, 0)
    got = CoPurchaseScorer(bonus).fit([placed]).recommend(["A"])
    assert [(s.item, s.score, s.support) for s in got] == [("C", 2.0, 1.0), ("B", 1.0, 1.0)]
    # Equal places go by item id: C (0), then A and B (1): C-A and A-B are adjacent, C-B not.
    tied = Basket(0, ("B", "A", "C"), 0.0, positions=(1, 1, 0))
    assert tied.order_ranks() == (2, 1, 0)
    assert [(s.item, s.score) for s in CoPurchaseScorer(bonus).fit([tied]).recommend(["C"])] == [
        ("A", 2.0),
        ("B", 1.0),
    ]
    # Sessions have no line order: a cart of A, B counts w(b) = 0.5, no bonus.
    cart = Basket(0, ("A", "B"), 0.0, source=Source.CART)
    assert cart.order_ranks() == (-1, -1)
    assert CoPurchaseScorer(bonus).fit([cart]).recommend(["A"])[0].score == 0.5


def test_scorer_rejects_bad_input() -> None:
    scorer = CoPurchaseScorer()
    with pytest.raises(ModelNotTrainedError, match="call fit"):
        scorer.recommend(["A"])
    scorer.fit(SHOP)
    with pytest.raises(ValueError, match="A cart must have 1 to 50 items, got 0"):
        scorer.recommend([])
    with pytest.raises(ValueError, match="A cart must have 1 to 50 items, got 51"):
        scorer.recommend([str(n) for n in range(51)])
    with pytest.raises(ValueError, match="k must be between 1 and 1000, got 0"):
        scorer.recommend(["A"], 0)
    with pytest.raises(ValueError, match="beta must not be negative, got -1"):
        CoPurchaseConfig(beta=-1.0)
    with pytest.raises(ValueError, match="adjacency_bonus must not be negative, got -1"):
        CoPurchaseConfig(adjacency_bonus=-1.0)
    with pytest.raises(ValueError, match="Basket 0 has 2 items but 1 positions"):
        Basket(0, ("A", "B"), 0.0, positions=(0,))
    with pytest.raises(ValueError, match="max_basket_size must be at least 2 or None, got 1"):
        CoPurchaseConfig(max_basket_size=1)
    with pytest.raises(ValueError, match="view_weight must be between 0 and 1, got 2"):
        CoPurchaseConfig(view_weight=2.0)
    with pytest.raises(ValueError, match="Relationship weights must be between 0 and 1"):
        CoPurchaseScorer().fit([Basket(0, ("A", "B"), 0.0, weights=(1.0, 1.5))])


# --- baselines ---------------------------------------------------------------------------


def test_baselines_by_hand() -> None:
    with pytest.raises(ModelNotTrainedError, match="call fit"):
        ItemCosineBaseline().recommend(["A"], 5)
    # pop: A=4, B=3, M=6, C=2, D=1. c(A,B)=2, c(A,M)=3.
    assert PopularityBaseline().fit(SHOP).recommend(["M"], 3) == ["A", "B", "C"]
    # cosine: cos(A,B) = 2/sqrt(4*3) = 0.577 < cos(A,M) = 3/sqrt(4*6) = 0.612.
    assert ItemCosineBaseline().fit(SHOP).recommend(["A"], 5) == ["M", "B"]
    # C: cos(C,B) = 1/sqrt(6) = 0.408, cos(C,M) = 2/sqrt(12) = 0.577.
    assert ItemCosineBaseline().fit(SHOP).recommend(["C", "A"], 5) == ["M", "B"]
    # Rules with support >= 2/7: A->B conf 2/4, A->M conf 3/4, lift 0.875 and 1.1667.
    rules = AssociationRulesBaseline(2 / 7 - 1e-9, max_len=2).fit(SHOP)
    assert rules.recommend(["A"], 5) == ["M", "B"]
    assert rules.ranked_by(RuleMetric.LIFT).recommend(["A"], 5) == ["B", "M"]
    assert rules.recommend(["D"], 5) == []


# --- the real data -----------------------------------------------------------------------


@pytest.mark.slow
def test_co_purchase_scorer_beats_every_baseline_on_uci(data_dir: Path) -> None:
    protocol = build_protocol(data_dir / "uci-online-retail" / "baskets_long.parquet")
    assert (len(protocol.train), len(protocol.test), len(protocol.catalogue)) == (
        14633,
        3659,
        3729,
    )
    ours = evaluate(CoPurchaseScorer().fit(protocol.train).recommend_ids, protocol)
    # Measured 0.2372 (benchmarks/RESULTS.md); the floor catches a broken scorer.
    assert ours["hit_rate@10"] > 0.232
    train = protocol.train
    # Mining at min_support 0.001-0.002 takes minutes: benchmarks/bundles_quality.py runs
    # those; the ranking of that sweep is the same (see benchmarks/RESULTS.md).
    rules = AssociationRulesBaseline(0.005, max_len=2).fit(train)
    baselines = {
        "popularity": PopularityBaseline().fit(train).recommend,
        "co-occurrence": CooccurrenceBaseline().fit(train).recommend,
        "cosine": ItemCosineBaseline().fit(train).recommend,
        "rules by confidence": rules.recommend,
        "rules by lift": rules.ranked_by(RuleMetric.LIFT).recommend,
    }
    for name, recommend in baselines.items():
        theirs = evaluate(recommend, protocol)
        assert ours["hit_rate@10"] > theirs["hit_rate@10"], name
