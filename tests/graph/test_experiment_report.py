"""The report: its statistics against values computed by hand, and attribution on the server.

The statistics (:func:`build_report`) are checked on rows whose metrics, variances, lifts and
p-values are worked out in the comments. Attribution (``experiment_report_rows.cypher``) runs
on the real server over exposures placed at known times and items, and carts and purchases
loaded as events before and after them.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import neo4j
import pytest

from shopgraph.core.settings import Settings
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.experiments.definition import Experiment, Surface, Variant
from shopgraph.graph.experiments.report import UnitDay, build_report, experiment_report

from experiment_shop import Clock, Event, history, load_events

D1 = date(2024, 6, 1)
D2 = date(2024, 6, 2)
HALVES = Experiment(
    name="e1",
    surfaces=(Surface.BUNDLE,),
    variants=(Variant("a", 0.5), Variant("b", 0.5)),
    start=datetime(2024, 6, 1, tzinfo=UTC),
    end=datetime(2024, 7, 1, tzinfo=UTC),
)
Z95 = 1.959963984540054


def _rows() -> list[UnitDay]:
    return [
        UnitDay("u1", "a", D1, 1, 2, 1, 1, 1, 10.0),
        UnitDay("u2", "a", D1, 1, 2, 0, 0, 0, 0.0),
        UnitDay("u3", "b", D1, 1, 2, 1),
        UnitDay("u3", "b", D2, 1, 2, 1, 0, 1, 30.0),
        UnitDay("u4", "b", D2, 1, 4, 2, 1),
        UnitDay("u9", "gone", D2, 5, 5, 5),  # a variant the experiment does not have
    ]


def test_totals_and_metrics_by_hand() -> None:
    report = build_report(HALVES, _rows())
    a, b = report.variants
    assert (a.users, a.requests, a.impressions, a.clicks, a.carts, a.purchases) == (
        2,
        2,
        4,
        1,
        1,
        1,
    )
    assert (a.buyers, a.revenue) == (1, 10.0)
    assert (b.users, b.requests, b.impressions, b.clicks, b.carts, b.purchases) == (
        2,
        3,
        8,
        4,
        1,
        1,
    )
    assert (b.buyers, b.revenue) == (1, 30.0)
    # CTR a: clicks (1, 0) over shown (2, 2): 1/4; Var(x) = 1/2, Var(y) = 0, Cov = 0:
    # Var(m) = (1/2) / (2 * 2^2) = 1/16. CTR b: (2, 2) over (4, 4): 1/2, variance 0.
    assert a.metrics["ctr"].value == pytest.approx(0.25)
    assert a.metrics["ctr"].variance == pytest.approx(1 / 16)
    assert b.metrics["ctr"].value == pytest.approx(0.5)
    assert b.metrics["ctr"].variance == pytest.approx(0.0)
    # Add to cart a: (1, 0) over (2, 2): 1/4, 1/16; b: (0, 1) over (4, 4): 1/8,
    # Var = (1/2) / (2 * 16) = 1/64.
    assert b.metrics["add_to_cart_rate"].value == pytest.approx(0.125)
    assert b.metrics["add_to_cart_rate"].variance == pytest.approx(1 / 64)
    # Conversion: one buyer of two in each: 1/2, Var = Var((1, 0)) / 2 = 1/4.
    assert a.metrics["conversion"].value == b.metrics["conversion"].value == pytest.approx(0.5)
    assert a.metrics["conversion"].variance == pytest.approx(0.25)
    # Revenue per user a: (10, 0): 5, Var = 50 / 2 = 25; b: (30, 0): 15, Var = 450 / 2 = 225.
    assert a.metrics["revenue_per_user"].value == pytest.approx(5.0)
    assert b.metrics["revenue_per_user"].variance == pytest.approx(225.0)


def test_lifts_intervals_and_p_values_by_hand() -> None:
    lifts = build_report(HALVES, _rows()).lifts
    assert set(lifts) == {"b"}
    ctr = lifts["b"]["ctr"]
    # L = 0.5 / 0.25 - 1 = 1; Var(L) = 0 / 0.25^2 + 0.5^2 * (1/16) / 0.25^4 = 4: se 2.
    # z = (0.5 - 0.25) / sqrt(1/16) = 1: p = erfc(1 / sqrt(2)) = 0.3173.
    assert ctr.relative == pytest.approx(1.0)
    assert (ctr.low, ctr.high) == pytest.approx((1 - Z95 * 2, 1 + Z95 * 2))
    assert ctr.p_value == pytest.approx(math.erfc(1 / math.sqrt(2)))
    revenue = lifts["b"]["revenue_per_user"]
    # L = 15 / 5 - 1 = 2; Var(L) = 225 / 25 + 15^2 * 25 / 5^4 = 9 + 9 = 18.
    # z = 10 / sqrt(25 + 225) = 0.6325.
    assert revenue.relative == pytest.approx(2.0)
    assert revenue.high - revenue.relative == pytest.approx(Z95 * math.sqrt(18))
    assert revenue.p_value == pytest.approx(math.erfc(10 / math.sqrt(250) / math.sqrt(2)))
    assert lifts["b"]["conversion"].relative == pytest.approx(0.0)
    assert lifts["b"]["conversion"].p_value == pytest.approx(1.0)
    assert lifts["b"]["add_to_cart_rate"].relative == pytest.approx(-0.5)


def test_the_days_are_cumulative() -> None:
    report = build_report(HALVES, _rows())
    first, second = report.days
    assert (first.day, second.day) == (D1, D2)
    assert first.users == {"a": 2, "b": 1}
    assert second.users == {"a": 2, "b": 2}
    # Day 1: b is u3 alone, 1 click of 2 shown: 1/2 against 1/4; one user, no variance.
    assert first.lifts["b"]["ctr"].relative == pytest.approx(1.0)
    assert math.isnan(first.lifts["b"]["ctr"].low)
    assert second.lifts == report.lifts


def test_sample_ratio_mismatch_is_flagged() -> None:
    # 30 users in a and 70 in b against 50/50: chi2 = 2 * 20^2 / 50 = 16, p = erfc(sqrt(8)).
    rows = [UnitDay(f"u{n}", "a" if n < 30 else "b", D1, 1, 1) for n in range(100)]
    report = build_report(HALVES, rows)
    assert report.srm_p_value == pytest.approx(math.erfc(math.sqrt(8)), rel=1e-9)
    assert report.srm
    assert report.to_dict()["srm"] is True
    balanced = build_report(HALVES, [UnitDay(f"u{n}", "ab"[n % 2], D1, 1, 1) for n in range(100)])
    assert balanced.srm_p_value == pytest.approx(1.0)
    assert not balanced.srm


def test_a_user_in_two_variants_is_a_unit_in_each() -> None:
    rows = [UnitDay("u1", "a", D1, 1, 1), UnitDay("u1", "b", D1, 1, 1), UnitDay("u2", "a", D1, 1)]
    report = build_report(HALVES, rows)
    assert [v.users for v in report.variants] == [2, 1]
    assert report.switched_users == 1


# --- attribution on the server ------------------------------------------------------------


def _expose(
    shop: ShopGraph, rows: list[tuple[str, str, str, datetime, list[str], list[str]]]
) -> None:
    """Writes exposures as the plugin's log does: (request, user, variant, at, items, clicked)."""
    settings = Settings(uri=shop.runner.uri, database=shop.runner.database)
    with neo4j.GraphDatabase.driver(settings.bolt_uri) as driver:
        driver.execute_query(
            "UNWIND $rows AS r CREATE (:Exposure {requestId: r[0], userId: r[1], variant: r[2], "
            "at: r[3], items: r[4], clickedItems: r[5], clickedAt: [x IN r[5] | r[3]], "
            "experiment: 'e1', surface: 'bundle', query: []})",
            {"rows": [list(row) for row in rows]},
            database_=settings.database,
        )


def test_attribution_by_last_touch_within_the_window(shop: ShopGraph, tmp_path: Path) -> None:
    clock = Clock()
    t = clock.ago(days=3)
    hour = timedelta(hours=1)
    events = [
        *history(clock),
        Event(t + hour, "cart", "p2", "h1", "sa"),  # shown at t: counts
        Event(t - hour, "cart", "p3", "h1", "sb"),  # before it was shown: no
        Event(t + 2 * hour, "purchase", "p2", "h1", "sc", price=7.5),  # 2 x 7.5
        Event(t + 2 * hour, "purchase", "p2", "h1", "sc", price=7.5),
        Event(t + 24 * hour, "purchase", "p3", "h1", "sd", price=4.0),  # the window's end: counts
        Event(t + 24 * hour + timedelta(seconds=1), "purchase", "p5", "h1", "se"),  # too late
        Event(t + hour, "purchase", "p4", "h1", "sf"),  # never shown: no
        Event(t + 2 * hour, "purchase", "p1", "h2", "sg", price=1.0),  # last touch: b's, then a's
        Event(t + 2 * hour, "purchase", "p3", "h2", "sg", price=1.0),  # shown in b only
    ]
    load_events(shop, tmp_path / "events.csv", events)
    experiment = Experiment(
        name="e1",
        surfaces=(Surface.BUNDLE,),
        variants=(Variant("a", 0.5), Variant("b", 0.5)),
        start=clock.ago(days=30),
        end=clock.now + timedelta(days=30),
    )
    shop.start_experiment(experiment)
    _expose(
        shop,
        [
            ("r1", "h1", "a", t, ["p2", "p3", "p5"], ["p2", "p2"]),
            ("r2", "h2", "b", t, ["p1", "p3"], []),
            ("r3", "h2", "a", t + hour, ["p1"], ["p1"]),
        ],
    )
    report = experiment_report(shop.runner, "e1")
    a, b = report.variants
    # a: h1 (r1: 3 shown, p2 clicked twice = once, p2 carted, p2 x 2 and p3 bought) and h2 (r3).
    assert (a.users, a.requests, a.impressions, a.clicks, a.carts) == (2, 2, 4, 2, 1)
    assert (a.purchases, a.buyers, a.revenue) == (3, 2, pytest.approx(7.5 * 2 + 4.0 + 1.0))
    # b: h2's r2 showed p1 and p3; p1's last touch is r3 (a), p3 is b's.
    assert (b.users, b.requests, b.impressions, b.clicks, b.carts) == (1, 1, 2, 0, 0)
    assert (b.purchases, b.buyers, b.revenue) == (1, 1, pytest.approx(1.0))
    assert report.switched_users == 1
    assert report.unpriced == 0
