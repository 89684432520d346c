"""The simulation of online experiments (``shopgraph experiment simulate``), fast versions.

On a slice of UCI Online Retail (600 baskets: 480 orders of history, 120 shoppers) replayed
through the live API on a real server (an embedded one of its own): the A/B experiment finds
shopgraph bundles better than popularity, the skewed assignment is flagged, and the A/A log's
relabeled runs are calibrated. The 200-run A/A on all of the file is
benchmarks/experiment_simulation.py.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from shopgraph.core.errors import ConfigError
from shopgraph.core.settings import Settings
from shopgraph.evaluation.bundle_protocol import read_uci_baskets
from shopgraph.evaluation.experiment_simulation import (
    ReplayResult,
    SimulationConfig,
    SimulationResult,
    aa_experiment,
    aa_false_positives,
    clicks_per_request,
    first_request_rates,
    load_history,
    relabel,
    replay,
    simulate,
    simulation_data,
)
from shopgraph.graph import server
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.experiments.definition import Experiment, Surface, Variant
from shopgraph.graph.experiments.report import METRICS, UnitDay, build_report

from conftest import wipe

_BASKETS = 600
_START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def own_server(settings: Settings) -> Iterator[Settings]:
    """An embedded server of the module's own, as the command runs it: the serving state the
    replays build (the live pair index of their graph) stays out of the shared test server,
    where later tests load and wipe all of UCI Online Retail."""
    with server.temporary(settings) as own:
        yield own


@contextmanager
def _empty_shop(own: Settings) -> Iterator[ShopGraph]:
    wipe(own)
    with ShopGraph.connect(own) as shop:
        shop.ensure_schema()
        yield shop


@pytest.fixture(scope="module")
def simulated(own_server: Settings, data_dir: Path) -> SimulationResult:
    """The simulation on the module's own server."""
    config = SimulationConfig(baskets=_BASKETS)
    return simulate(lambda: _empty_shop(own_server), data_dir, config, runs=20, skew=0.75)


@pytest.mark.slow
def test_the_data_split_and_time_axis(data_dir: Path) -> None:
    data = simulation_data(data_dir, SimulationConfig(baskets=100))
    baskets = read_uci_baskets(data_dir / "uci-online-retail" / "baskets_long.parquet")[:100]
    assert [b.items for b in data.history] == [b.items for b in baskets[:80]]
    assert [s.items for s in data.shoppers] == [b.items for b in baskets[80:]]
    assert [s.visitor for s in data.shoppers] == [f"visitor-{b.index}" for b in baskets[80:]]
    # 72 orders a day, one after the other, the history first.
    spacing = timedelta(days=1) / 72
    assert data.shoppers[0].at == data.origin + 80 * spacing
    assert [b.at - a.at for a, b in zip(data.shoppers, data.shoppers[1:], strict=False)] == [
        spacing
    ] * 19
    assert data.history[1].time == pytest.approx(1 / 72)
    assert all(len(s.quantities) == len(s.items) and min(s.quantities) >= 1 for s in data.shoppers)
    with pytest.raises(ConfigError, match=r"^1 baskets split at 0.8 leave no history"):
        simulation_data(data_dir, SimulationConfig(baskets=1))


@pytest.mark.slow
def test_ab_finds_shopgraph_bundles_better_than_popularity(simulated: SimulationResult) -> None:
    ab = simulated.ab
    assert ab.shoppers == _BASKETS - math.floor(_BASKETS * 0.8)
    assert [v.name for v in ab.report.variants] == ["popularity", "shopgraph"]
    assert sum(v.requests for v in ab.report.variants) == ab.requests
    assert sum(v.clicks for v in ab.report.variants) == ab.clicks > 0
    ctr = ab.report.lifts["shopgraph"]["ctr"]
    assert ctr.relative > 0.2
    assert ctr.low > 0
    assert ctr.p_value < 0.05
    # The online hit rate and the offline one agree in sign.
    hits = clicks_per_request(ab.report)
    assert hits["shopgraph"] > hits["popularity"]
    assert simulated.offline["shopgraph"] > simulated.offline["popularity"]
    # The first requests (too few here for their sign): counted per arm, as rates.
    online = first_request_rates(ab)
    assert set(online) == set(simulated.offline_first) == {"popularity", "shopgraph"}
    assert all(0 <= rate <= 1 for rate in [*online.values(), *simulated.offline_first.values()])
    asked = sum(n for _, n in ab.first_requests.values())
    assert 0 < asked <= ab.shoppers
    assert sum(hits for hits, _ in ab.first_requests.values()) <= asked
    assert not ab.report.srm


@pytest.mark.slow
def test_a_skewed_assignment_is_flagged_and_the_aa_split_is_not(
    simulated: SimulationResult,
) -> None:
    skewed = simulated.skewed
    assert skewed.srm
    first, second = (v.users for v in skewed.variants)
    assert first > 2 * second
    assert not simulated.aa.report.srm
    assert simulated.aa_runs.srm_flags == 0.0


@pytest.mark.slow
def test_the_aa_replay_relabeled_by_its_own_salt_is_its_report(
    simulated: SimulationResult,
) -> None:
    aa: ReplayResult = simulated.aa
    names = [v.name for v in aa.experiment.variants]
    rows = relabel(aa.rows, aa.experiment.salt, aa.experiment.shares, names)
    assert rows == list(aa.rows)
    # repr: a day with one user per arm has NaN intervals, and NaN != NaN in ==.
    assert repr(build_report(aa.experiment, rows, aa.report.status)) == repr(aa.report)
    # Both arms answered as the procedure does: nothing tells them apart but the assignment.
    assert min(v.clicks for v in aa.report.variants) > 0
    runs = simulated.aa_runs
    assert runs.runs == 20
    for metric in METRICS:
        p_values = runs.p_values[metric]
        assert len(p_values) == 20
        # Loose: calibrated p-values are uniform (mean 0.5); at most 4 of 20 below 0.05.
        assert 0.25 < float(np.mean(p_values)) < 0.75, metric
        assert runs.false_positives[metric] <= 0.2, metric


@pytest.mark.slow
def test_a_second_aa_replay_under_another_salt_is_the_first_relabeled(
    simulated: SimulationResult, own_server: Settings, data_dir: Path
) -> None:
    """The A/A runs relabel one replay instead of replaying under each salt. A real replay
    under another salt must then give what relabeling gives: every user in the arm the salt
    assigns, the same requests, and the same behaviour up to the answers that background
    merges of the pair index change by landing a little earlier or later, which touch both
    arms alike."""
    first = simulated.aa
    data = simulation_data(data_dir, simulated.config)
    experiment = replace(aa_experiment(data, "aa-second"), salt="another-salt")
    with _empty_shop(own_server) as shop:
        load_history(shop, data)
        second = replay(shop, data, experiment, simulated.config)
    names = [v.name for v in experiment.variants]
    relabeled = relabel(first.rows, "another-salt", experiment.shares, names)

    arms = {row.user: row.variant for row in second.rows}
    assert arms == {row.user: row.variant for row in relabeled}
    # Another salt splits the users another way.
    assert arms != {row.user: row.variant for row in first.rows}
    assert second.requests == first.requests
    # Rows are keyed by (user, day); a row differs when a click, cart or purchase moved. The
    # shoppers come tens of milliseconds apart, so whether the last one's order is merged when
    # the next one asks is a matter of timing: about one shopper in ten gets another answer.
    by_key = {(r.user, r.day): r for r in relabeled}
    assert {(r.user, r.day) for r in second.rows} == set(by_key)
    differing = sum(1 for r in second.rows if r != by_key[(r.user, r.day)])
    assert differing <= 0.25 * len(second.rows), (differing, len(second.rows))
    assert abs(second.clicks - first.clicks) <= max(5, 0.1 * first.clicks)
    # The report's figures per arm: the same users and requests, nearly the same clicks.
    report = build_report(experiment, relabeled, second.report.status)
    for real, relabeled_arm in zip(second.report.variants, report.variants, strict=True):
        assert real.name == relabeled_arm.name
        assert real.users == relabeled_arm.users
        assert real.requests == relabeled_arm.requests
        assert abs(real.clicks - relabeled_arm.clicks) <= max(5, 0.1 * relabeled_arm.clicks)


def test_aa_false_positive_rate_is_near_alpha_on_synthetic_users() -> None:
    """The report's tests over 200 relabelings of 1,000 users whose behaviour does not depend on
    the arm: about 5% of runs below p = 0.05 (bounds of 1% and 11%: four binomial standard
    deviations of 200 runs)."""
    rng = np.random.default_rng(7)
    rows = []
    for n in range(1_000):
        requests = int(rng.integers(1, 6))
        impressions = 10 * requests
        propensity = rng.beta(1, 20)  # heterogeneous users: a few click much more
        clicks = int(rng.binomial(impressions, propensity))
        carts = int(rng.binomial(clicks, 0.5))
        purchases = int(rng.binomial(carts, 0.6))
        rows.append(
            UnitDay(
                user=f"u{n}",
                variant="a",
                day=date(2026, 1, 1) + timedelta(days=n % 2),
                requests=requests,
                impressions=impressions,
                clicks=clicks,
                carts=carts,
                purchases=purchases,
                revenue=float(purchases * rng.gamma(2.0, 5.0)),
            )
        )
    experiment = Experiment(
        name="aa-synthetic",
        surfaces=(Surface.BUNDLE,),
        variants=(Variant("a", 0.5), Variant("b", 0.5)),
        start=_START,
        end=_START + timedelta(days=30),
    )
    report = build_report(experiment, rows, "stopped")
    replay = ReplayResult(experiment, 1_000, 0, 0, 0, 0.0, tuple(rows), report)
    runs = aa_false_positives(replay, 200)
    for metric in METRICS:
        assert 0.01 <= runs.false_positives[metric] <= 0.11, (metric, runs.false_positives)
    assert runs.srm_flags <= 0.01


def test_aa_false_positives_see_a_real_difference() -> None:
    """The same machinery is not blind: when arm b's users click twice as often (relabeled so
    the effect follows the assignment), every run finds it."""
    experiment = Experiment(
        name="ab-synthetic",
        surfaces=(Surface.BUNDLE,),
        variants=(Variant("a", 0.5), Variant("b", 0.5)),
        start=_START,
        end=_START + timedelta(days=30),
    )
    rows = [
        UnitDay(f"u{n}", "a", date(2026, 1, 1), requests=2, impressions=20, clicks=1 + n % 2)
        for n in range(1_000)
    ]
    labeled = relabel(rows, "s", experiment.shares, ["a", "b"])
    doubled = [replace(r, clicks=2 * r.clicks) if r.variant == "b" else r for r in labeled]
    report = build_report(experiment, doubled, "stopped")
    ctr = {
        arm: sum(r.clicks for r in doubled if r.variant == arm)
        / sum(r.impressions for r in doubled if r.variant == arm)
        for arm in ("a", "b")
    }
    assert report.lifts["b"]["ctr"].relative == pytest.approx(ctr["b"] / ctr["a"] - 1)
    assert report.lifts["b"]["ctr"].relative > 0.8
    assert report.lifts["b"]["ctr"].p_value < 1e-6
