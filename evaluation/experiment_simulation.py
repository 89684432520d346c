"""Proof of the online experiments on real data: UCI Online Retail's held-out orders replayed as
shopping sessions through the live API (``shopgraph experiment simulate``).

**Data.** The baskets of the bundle protocol (:mod:`~shopgraph.evaluation.bundle_protocol`:
orders only, products only, distinct items in basket order, at least 2 of them), in invoice
order; ``baskets`` keeps the first N of them (a slice). The first 80% are the shop's history,
loaded through the ordinary loader; the last 20% are the shoppers. The basket file has no
customer, date, quantity or price, so:

* each held-out order is one anonymous shopper with a visitor id of its own
  (``visitor-<basket index>``), recorded as the events' user so that the report can attribute
  by user;
* all orders, history and held-out, are placed on one time axis, ``orders_per_day`` apart
  (72: the file's 22,061 invoices over a year of about 305 trading days), the held-out ones
  ending before now, so the experiment's days are simulated days; the co-purchase half-life
  is the protocol's 8,000 orders in days on that axis;
* an item's quantity is the number of rows it has in the invoice (the file repeats an item when
  the original had two rows for it), and its price the median ``UnitPrice`` of its rows in the
  file's first 10,000 original rows (``first_10000_rows.csv.gz``); items never seen there have
  no price (their revenue counts 0, and the report counts such lines).

**A shopper** adds the first item of the real basket to the cart, then up to ``max_requests``
times asks for a bundle for the cart (its last ``max_cart`` items the graph knows) through the
experiment; if a shown item is still in the real basket, the shopper clicks the best ranked of
them and adds it to the cart, else adds the next item of the basket without help; once the
requests are used up the rest of the basket is added without help. Then the shopper buys the
whole basket. Every request is logged by the plugin; carts and purchases are recorded through
``ShopGraph.record`` after the session (one batch per shopper) and attributed by the report.

**The three results.**

* A/B: control ``popularity`` (the plain baseline) against ``shopgraph`` (the bundle procedure),
  50/50: the report's lift, to compare with the offline hit-rate ratio of the same data
  (:func:`offline_hit_rates`: the bundle protocol's held-out cases on the same history). A
  shopper clicks at most one item per answer, so a variant's clicks per request
  (:func:`clicks_per_request`) is its online hit rate: the share of answers that held an item
  of the rest of the basket; the ratio of the two arms' is the online counterpart of the
  offline ratio (CTR divides by the items shown instead, and an answer may hold fewer than k).
  The bundle protocol hides one item of a basket, while a shopper's answer hits when it holds
  any item of the rest of the basket, which favours popularity; so the shoppers' first requests
  are also asked offline, with the same cart and the same target (:func:`first_request_hit_rates`
  against :func:`first_request_rates` of the replay): that ratio is the one the online lift
  should come near.
* A/A: both arms the bundle procedure. Since the arms are identical, a shopper's answers and
  actions do not depend on the arm, so one replay's log serves every assignment: the rows are
  relabeled by the assignment of each of ``runs`` salts and the report is computed for each
  (:func:`aa_false_positives`); the share of runs with p < 0.05 is the false-positive rate.
* SRM: the A/A log relabeled by an assignment that gives more to the first arm (55% by default)
  while the experiment says 50/50 (:func:`skewed_report`): the report must flag it.
"""

from __future__ import annotations

import csv
import math
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from shopgraph.core.errors import ConfigError
from shopgraph.evaluation.bundle_baselines import PopularityBaseline
from shopgraph.evaluation.bundle_protocol import (
    Basket,
    hit_rate_at_k,
    is_product_code,
    make_cases,
    read_uci_baskets,
)
from shopgraph.evaluation.bundles import CoPurchaseConfig
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.experiments.assignment import assign
from shopgraph.graph.experiments.definition import Baseline, Experiment, Surface, Variant
from shopgraph.graph.experiments.report import (
    METRICS,
    ExperimentReport,
    UnitDay,
    build_report,
    report_rows,
)
from shopgraph.graph.live import Event
from shopgraph.graph.loading import LoadOptions
from shopgraph.loaders.mapping import ColumnMapping
from shopgraph.loaders.records import EventType

__all__ = [
    "AAResult",
    "ReplayResult",
    "Shopper",
    "SimulationConfig",
    "SimulationData",
    "SimulationResult",
    "aa_experiment",
    "aa_false_positives",
    "ab_experiment",
    "clicks_per_request",
    "first_request_hit_rates",
    "first_request_rates",
    "load_history",
    "offline_hit_rates",
    "relabel",
    "replay",
    "simulate",
    "simulation_data",
    "skewed_report",
]

#: Invoices of the year of UCI Online Retail per trading day (22,061 over about 305 days).
ORDERS_PER_DAY = 72.0

_HISTORY = ColumnMapping(
    name="uci-simulation-history",
    columns={"order": "order", "item": "item", "time": "time"},
    default_event_type=EventType.PURCHASE,
    require_user=False,
    namespace="uci",
)


@dataclass(frozen=True)
class SimulationConfig:
    """How the replay runs.

    Attributes:
        baskets: Keep only the first N baskets of the protocol (a slice); ``None``: all.
        train_fraction: Share of the baskets that are history.
        k: Items per bundle.
        max_cart: The cart sent with a request: its last items the graph knows, at most this
            many.
        max_requests: Bundle requests per shopper at most.
        orders_per_day: Orders per simulated day.
    """

    baskets: int | None = None
    train_fraction: float = 0.8
    k: int = 10
    max_cart: int = 10
    max_requests: int = 5
    orders_per_day: float = ORDERS_PER_DAY


@dataclass(frozen=True)
class Shopper:
    """One held-out order, replayed as a shopping session.

    Attributes:
        visitor: The visitor id.
        items: The basket's distinct items, in basket order.
        quantities: Each item's quantity (its rows in the invoice).
        at: When the session starts.
    """

    visitor: str
    items: tuple[str, ...]
    quantities: tuple[int, ...]
    at: datetime


@dataclass(frozen=True)
class SimulationData:
    """The history, the shoppers and the prices, on the simulated time axis.

    Attributes:
        history: The history's baskets (``time``: days since ``origin``).
        shoppers: The held-out orders, in order.
        prices: Known prices by item.
        origin: The time of the first history order.
        half_life_days: The co-purchase half-life on this axis.
    """

    history: tuple[Basket, ...]
    shoppers: tuple[Shopper, ...]
    prices: dict[str, float]
    origin: datetime
    half_life_days: float

    @property
    def first_session(self) -> datetime:
        return self.shoppers[0].at

    def experiment_window(self) -> tuple[datetime, datetime]:
        """From an hour before the first session to a day after now."""
        return self.first_session - timedelta(hours=1), datetime.now(UTC) + timedelta(days=1)


@dataclass(frozen=True)
class ReplayResult:
    """One replay: what it did, its report and the rows it was computed from.

    Attributes:
        experiment: The experiment replayed through.
        shoppers: Shoppers replayed.
        requests: Bundle requests sent.
        clicks: Clicks sent.
        helped: Items that shoppers added to the cart after clicking them in an answer.
        seconds: Wall time of the replay (the history load not included).
        rows: The report's rows (the log per user, variant and day, with attribution).
        report: The report.
        first_requests: Variant -> (shoppers whose first answer held an item of the rest of
            their basket, shoppers who asked at least once).
    """

    experiment: Experiment
    shoppers: int
    requests: int
    clicks: int
    helped: int
    seconds: float
    rows: tuple[UnitDay, ...]
    report: ExperimentReport
    first_requests: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class AAResult:
    """The A/A false-positive rates over relabeled runs.

    Attributes:
        runs: Runs (salts).
        alpha: The significance level.
        false_positives: Metric -> share of runs whose lift has p < ``alpha``.
        srm_flags: Share of runs flagged for a sample-ratio mismatch.
        p_values: Metric -> the runs' p-values.
    """

    runs: int
    alpha: float
    false_positives: dict[str, float]
    srm_flags: float
    p_values: dict[str, tuple[float, ...]]


@dataclass(frozen=True)
class SimulationResult:
    """The three results of :func:`simulate`.

    Attributes:
        config: How the replays ran.
        history: History orders loaded.
        offline: HitRate@k of the bundle protocol on the shoppers' baskets (``shopgraph``,
            ``popularity``), on the same history.
        offline_first: The same shoppers' first requests asked offline on the same history
            (:func:`first_request_hit_rates`), by arm.
        ab: The A/B replay (control ``popularity``, treatment ``shopgraph``).
        aa: The A/A replay (identical arms).
        aa_runs: The A/A false-positive rates over relabeled runs.
        skewed: The A/A log under a skewed assignment (by default 55/45 against 50/50).
    """

    config: SimulationConfig
    history: int
    offline: dict[str, float]
    offline_first: dict[str, float]
    ab: ReplayResult
    aa: ReplayResult
    aa_runs: AAResult
    skewed: ExperimentReport


def simulate(
    open_shop: Callable[[], AbstractContextManager[ShopGraph]],
    data_dir: Path,
    config: SimulationConfig = SimulationConfig(),
    *,
    runs: int = 200,
    skew: float = 0.55,
    progress: Callable[[str, int, int], None] | None = None,
) -> SimulationResult:
    """The A/B replay, the A/A replay with its relabeled runs, and the skewed assignment.

    Args:
        open_shop: Opens a client on an EMPTY graph; called once per replay (each replay
            starts from the history alone).
        data_dir: The datasets' folder.
        config: The slice and the shoppers' behaviour.
        runs: A/A runs (salts).
        skew: The first arm's share in the skewed assignment (the experiment says 50/50).
        progress: Called with (stage, done, total).
    """
    data = simulation_data(data_dir, config)

    def step(stage: str) -> Callable[[int, int], None] | None:
        return None if progress is None else lambda done, total: progress(stage, done, total)

    with open_shop() as shop:
        load_history(shop, data)
        offline = offline_hit_rates(shop, data, config)
        offline_first = first_request_hit_rates(shop, data, config)
        ab = replay(shop, data, ab_experiment(data), config, progress=step("A/B replay"))
    with open_shop() as shop:
        load_history(shop, data)
        aa = replay(shop, data, aa_experiment(data), config, progress=step("A/A replay"))
    return SimulationResult(
        config=config,
        history=len(data.history),
        offline=offline,
        offline_first=offline_first,
        ab=ab,
        aa=aa,
        aa_runs=aa_false_positives(aa, runs),
        skewed=skewed_report(aa, skew),
    )


def simulation_data(
    data_dir: Path, config: SimulationConfig = SimulationConfig(), *, now: datetime | None = None
) -> SimulationData:
    """Reads UCI Online Retail into history, shoppers and prices (see the module docstring).

    Args:
        data_dir: The datasets' folder (``SHOPGRAPH_DATA``).
        config: The slice, split and time axis.
        now: The end of the time axis (default: the current time); the last session starts
            an hour before it.

    Raises:
        ConfigError: When the dataset is missing, or the slice leaves no history or no shopper.
    """
    folder = data_dir / "uci-online-retail"
    parquet = folder / "baskets_long.parquet"
    if not parquet.exists():
        raise ConfigError(f"UCI Online Retail is not at {folder}: set SHOPGRAPH_DATA.")
    baskets = read_uci_baskets(parquet)
    if config.baskets is not None:
        baskets = baskets[: config.baskets]
    n_history = math.floor(len(baskets) * config.train_fraction + 1e-9)
    if not 0 < n_history < len(baskets):
        raise ConfigError(
            f"{len(baskets)} baskets split at {config.train_fraction} leave no history or no "
            "shopper."
        )
    quantities = _quantities(parquet)
    reference = (now or datetime.now(UTC)).replace(microsecond=0)
    spacing = timedelta(days=1) / config.orders_per_day
    origin = reference - timedelta(hours=1) - spacing * (len(baskets) - 1)
    history = tuple(
        replace(basket, time=n / config.orders_per_day)
        for n, basket in enumerate(baskets[:n_history])
    )
    shoppers = tuple(
        Shopper(
            visitor=f"visitor-{basket.index}",
            items=basket.items,
            quantities=tuple(quantities.get((basket.index, item), 1) for item in basket.items),
            at=origin + spacing * n,
        )
        for n, basket in enumerate(baskets)
        if n >= n_history
    )
    half_life = CoPurchaseConfig().half_life
    return SimulationData(
        history=history,
        shoppers=shoppers,
        prices=_prices(folder / "first_10000_rows.csv.gz"),
        origin=origin,
        half_life_days=(half_life or 8_000.0) / config.orders_per_day,
    )


def aa_experiment(data: SimulationData, name: str = "aa") -> Experiment:
    """Two identical arms of the bundle procedure, 50/50."""
    start, end = data.experiment_window()
    return Experiment(
        name=name,
        surfaces=(Surface.BUNDLE,),
        variants=(Variant("a", 0.5), Variant("b", 0.5)),
        start=start,
        end=end,
    )


def ab_experiment(data: SimulationData, name: str = "ab") -> Experiment:
    """Control ``popularity`` (the plain baseline) against ``shopgraph`` (the procedure), 50/50."""
    start, end = data.experiment_window()
    return Experiment(
        name=name,
        surfaces=(Surface.BUNDLE,),
        variants=(
            Variant("popularity", 0.5, baseline=Baseline.POPULARITY),
            Variant("shopgraph", 0.5),
        ),
        start=start,
        end=end,
    )


def load_history(shop: ShopGraph, data: SimulationData) -> None:
    """Loads the history's orders through the ordinary loader and refreshes serving.

    Raises:
        ConfigError: When the graph is not empty.
    """
    if shop.stats().nodes:
        raise ConfigError(
            "The simulation loads its own history and needs an empty graph; run it without "
            "--uri (it starts a temporary embedded Neo4j)."
        )
    with tempfile.TemporaryDirectory(prefix="shopgraph-simulation-") as folder:
        path = Path(folder) / "history.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["order", "item", "time"])
            for basket in data.history:
                at = data.origin + timedelta(days=basket.time)
                stamp = at.isoformat(timespec="microseconds")
                writer.writerows((basket.index, item, stamp) for item in basket.items)
        shop.load_csv(path, _HISTORY, LoadOptions(rejects=Path(folder) / "rejects.csv"))
    shop.refresh(half_life_days=data.half_life_days)


def offline_hit_rates(
    shop: ShopGraph, data: SimulationData, config: SimulationConfig, *, seed: int = 42
) -> dict[str, float]:
    """HitRate@k of the bundle protocol's held-out cases on the shoppers' baskets, on the
    loaded history: the bundle procedure (plain calls) and the popularity baseline of
    ``shopgraph eval bundles`` (purchase counts of the history)."""
    baskets = [Basket(n, s.items, 0.0) for n, s in enumerate(data.shoppers)]
    cases = make_cases(baskets, seed=seed, max_cart=config.max_cart)
    known = {item for basket in data.history for item in basket.items}
    popularity = PopularityBaseline().fit(data.history)
    served = []
    for case in cases:
        cart = [item for item in case.cart if item in known]
        served.append([i.item_id for i in shop.bundle(cart, config.k)] if cart else [])
    held = [case.held_out for case in cases]
    return {
        "shopgraph": hit_rate_at_k(served, held, config.k),
        "popularity": hit_rate_at_k(
            [popularity.recommend(case.cart, config.k) for case in cases], held, config.k
        ),
    }


def first_request_hit_rates(
    shop: ShopGraph, data: SimulationData, config: SimulationConfig
) -> dict[str, float]:
    """The shoppers' first requests asked offline, on the loaded history: the share whose
    answer holds an item of the rest of the basket, for the bundle procedure (plain calls) and
    the popularity baseline of ``shopgraph eval bundles``.

    The same cart and target as a replay's first request (:func:`replay`): the basket's items up
    to its first item the history knows, that item the query, the items after it the target;
    a shopper whose only known item is the last asks nothing. Online the graph has also learnt
    the shoppers replayed before, offline it holds the history only.
    """
    known = {item for basket in data.history for item in basket.items}
    popularity = PopularityBaseline().fit(data.history)
    hits = {"shopgraph": 0, "popularity": 0}
    asked = 0
    for shopper in data.shoppers:
        first = next((n for n, item in enumerate(shopper.items) if item in known), None)
        if first is None or first == len(shopper.items) - 1:
            continue
        target = set(shopper.items[first + 1 :])
        asked += 1
        served = [i.item_id for i in shop.bundle([shopper.items[first]], config.k)]
        hits["shopgraph"] += any(item in target for item in served)
        cart = shopper.items[: first + 1]
        hits["popularity"] += any(item in target for item in popularity.recommend(cart, config.k))
    return {arm: n / asked if asked else math.nan for arm, n in hits.items()}


def first_request_rates(result: ReplayResult) -> dict[str, float]:
    """Each variant's share of shoppers whose first answer held an item of the rest of their
    basket (NaN for a variant nobody asked)."""
    return {
        name: hits / asked if asked else math.nan
        for name, (hits, asked) in result.first_requests.items()
    }


def replay(
    shop: ShopGraph,
    data: SimulationData,
    experiment: Experiment,
    config: SimulationConfig = SimulationConfig(),
    *,
    progress: Callable[[int, int], None] | None = None,
) -> ReplayResult:
    """Replays the shoppers through an experiment on a graph holding the history only.

    Starts the experiment, replays every shopper (see the module docstring), stops it and
    reports.

    Args:
        shop: A client on the graph of :func:`load_history`.
        data: The shoppers.
        experiment: The experiment (over bundle; its window covers the sessions).
        config: Cart size, k and requests per shopper.
        progress: Called with (shoppers done, shoppers).
    """
    started = time.monotonic()
    shop.start_experiment(experiment)
    known = {item for basket in data.history for item in basket.items}
    second = timedelta(seconds=1)
    requests = clicks = helped = 0
    first: dict[str, list[int]] = {v.name: [0, 0] for v in experiment.variants}
    for done, shopper in enumerate(data.shoppers, start=1):
        session = f"{shopper.visitor}-s"
        t = shopper.at
        events = [_event(shopper, 0, t, EventType.CART, session, data.prices)]
        cart = [shopper.items[0]]
        remaining = list(shopper.items[1:])
        asked = 0
        while remaining:
            t += 3 * second
            query = [item for item in cart if item in known][-config.max_cart :]
            hit = None
            if query and asked < config.max_requests:
                served = shop.bundle(
                    query, config.k, experiment=experiment.name, user=shopper.visitor, at=t
                )
                asked += 1
                hit = next((i.item_id for i in served.items if i.item_id in remaining), None)
                if asked == 1 and served.variant is not None:
                    first[served.variant][0] += hit is not None
                    first[served.variant][1] += 1
                if hit is not None and served.request_id is not None:
                    shop.click(served.request_id, hit, at=t + second)
                    clicks += 1
                    helped += 1
            item = hit if hit is not None else remaining[0]
            remaining.remove(item)
            cart.append(item)
            n = shopper.items.index(item)
            events.append(_event(shopper, n, t + 2 * second, EventType.CART, session, data.prices))
        requests += asked
        t += 5 * second
        events += [
            _event(shopper, n, t, EventType.PURCHASE, session, data.prices)
            for n in range(len(shopper.items))
        ]
        shop.record(events)
        known.update(shopper.items)
        if progress is not None:
            progress(done, len(data.shoppers))
    shop.stop_experiment(experiment.name)
    info = shop.experiment(experiment.name)
    rows = tuple(report_rows(shop.runner, info.experiment))
    return ReplayResult(
        experiment=info.experiment,
        shoppers=len(data.shoppers),
        requests=requests,
        clicks=clicks,
        helped=helped,
        seconds=time.monotonic() - started,
        rows=rows,
        report=build_report(info.experiment, rows, info.status),
        first_requests={name: (hits, asked) for name, (hits, asked) in first.items()},
    )


def clicks_per_request(report: ExperimentReport) -> dict[str, float]:
    """Each variant's clicks per request answered (NaN for a variant without requests)."""
    return {v.name: v.clicks / v.requests if v.requests else math.nan for v in report.variants}


def relabel(
    rows: Sequence[UnitDay], salt: str, shares: Sequence[float], names: Sequence[str]
) -> list[UnitDay]:
    """The rows with each user's variant given by the assignment under ``salt`` and ``shares``
    (sound for an A/A log only: there the answers do not depend on the variant)."""
    variant: dict[str, str] = {}
    relabeled = []
    for row in rows:
        if row.user not in variant:
            variant[row.user] = names[assign(salt, row.user, shares)]
        relabeled.append(replace(row, variant=variant[row.user]))
    return relabeled


def aa_false_positives(result: ReplayResult, runs: int = 200, *, alpha: float = 0.05) -> AAResult:
    """The A/A log's report under ``runs`` salts: how often each metric's lift has p < alpha.

    Args:
        result: A replay through an experiment with identical arms.
        runs: Salts ``aa-run-0`` to ``aa-run-<runs - 1>``.
        alpha: The significance level.
    """
    experiment = result.experiment
    names = [v.name for v in experiment.variants]
    p_values: dict[str, list[float]] = {m: [] for m in METRICS}
    flagged = 0
    for run in range(runs):
        rows = relabel(result.rows, f"aa-run-{run}", experiment.shares, names)
        report = build_report(experiment, rows, result.report.status)
        for metric in METRICS:
            p_values[metric].append(report.lifts[names[1]][metric].p_value)
        flagged += report.srm
    return AAResult(
        runs=runs,
        alpha=alpha,
        false_positives={
            m: float(np.mean([p < alpha for p in values])) for m, values in p_values.items()
        },
        srm_flags=flagged / runs,
        p_values={m: tuple(values) for m, values in p_values.items()},
    )


def skewed_report(result: ReplayResult, first_share: float = 0.55) -> ExperimentReport:
    """The A/A log relabeled by an assignment that gives ``first_share`` to the first arm,
    reported against the experiment's own shares (a broken assignment)."""
    experiment = result.experiment
    names = [v.name for v in experiment.variants]
    rows = relabel(result.rows, "skewed", [first_share, 1.0 - first_share], names)
    return build_report(experiment, rows, result.report.status)


def _event(
    shopper: Shopper, n: int, at: datetime, kind: EventType, session: str, prices: dict[str, float]
) -> Event:
    item = shopper.items[n]
    return Event(
        event_id=f"{session}-{kind.value}-{item}",
        time=at,
        type=kind,
        item=item,
        session=session,
        user=shopper.visitor,
        price=prices.get(item),
        quantity=shopper.quantities[n] if kind is EventType.PURCHASE else 1,
    )


def _quantities(parquet: Path) -> dict[tuple[int, str], int]:
    """Rows per (basket, upper-cased product code): the quantity of the simulation."""
    rows = pd.read_parquet(parquet, columns=["basket_idx", "basket_kind", "stock_code"])
    rows = rows[rows["basket_kind"] == "order"]
    codes = rows["stock_code"].astype(str).str.strip().str.upper()
    counts = rows.assign(code=codes).groupby(["basket_idx", "code"]).size()
    return {
        (int(index), str(code)): int(count)
        for (index, code), count in zip(counts.index.tolist(), counts.tolist(), strict=True)
    }


def _prices(path: Path) -> dict[str, float]:
    """The median unit price of each product code's sold rows in the first 10,000 rows."""
    rows = pd.read_csv(path, usecols=["StockCode", "Quantity", "UnitPrice"])
    rows = rows[(rows["Quantity"] > 0) & (rows["UnitPrice"] > 0)]
    codes = rows["StockCode"].astype(str).str.strip().str.upper()
    medians = rows.assign(code=codes).groupby("code")["UnitPrice"].median()
    return {
        str(code): float(price)
        for code, price in zip(medians.index.tolist(), medians.tolist(), strict=True)
        if is_product_code(str(code))
    }
