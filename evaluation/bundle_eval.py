"""``shopgraph eval bundles``: the served bundles against classic baselines, on real orders.

The protocol is :mod:`shopgraph.evaluation.bundle_protocol` on UCI Online Retail (orders only,
products only, 80/20 by invoice number, one held-out item per test basket). The train baskets
are loaded into an empty graph through the ordinary loader, the bundle masses are refreshed,
and every test cart is answered by ``CALL shopgraph.bundle`` through the Python client, so the
figure is the one users get. The baselines (popularity, co-occurrence count, association
rules, item cosine) are fitted on the same train baskets in the same run.

UCI invoices carry no time in the basket files, so each train order gets a time interpolated
linearly over the data's span (2010-12-01 to 2011-12-09) by invoice rank, and the recency
half-life is set in days to the tuned 8,000 orders. A linear time map with the matching
half-life gives the reference scorer's exact weights. The train file lists each basket's
items in basket order, so the loader's ``CONTAINS.position`` (the row's line number) gives
the line adjacency of the reference.
"""

from __future__ import annotations

import csv
import logging
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from shopgraph.core.errors import ConfigError
from shopgraph.evaluation.bundle_baselines import (
    AssociationRulesBaseline,
    CooccurrenceBaseline,
    ItemCosineBaseline,
    PopularityBaseline,
    RuleMetric,
)
from shopgraph.evaluation.bundle_protocol import (
    Basket,
    BundleProtocol,
    build_protocol,
    bundle_metrics,
)
from shopgraph.evaluation.bundles import CoPurchaseConfig
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.loading import LoadOptions
from shopgraph.graph.recommend import refresh_bundle_masses
from shopgraph.loaders.mapping import ColumnMapping
from shopgraph.loaders.records import EventType

__all__ = ["BundleEvalReport", "MethodResult", "evaluate_bundles"]

_log = logging.getLogger(__name__)

#: The span of UCI Online Retail's invoices, over which order times are interpolated.
UCI_FIRST = datetime(2010, 12, 1, 8, 26, tzinfo=UTC)
UCI_LAST = datetime(2011, 12, 9, 12, 50, tzinfo=UTC)
#: Normal (non-cancelled) UCI invoices: the interpolation's denominator.
UCI_ORDERS = 22_061

_MAPPING = ColumnMapping(
    name="uci-bundle-eval",
    columns={"order": "order", "item": "item", "time": "time"},
    default_event_type=EventType.PURCHASE,
    require_user=False,
    namespace="uci",
)


@dataclass(frozen=True)
class MethodResult:
    """One method's metrics on the test cases."""

    method: str
    hit_rate: float
    mrr: float
    coverage: float
    seconds: float


@dataclass(frozen=True)
class BundleEvalReport:
    """The protocol's size and every method's metrics (shopgraph first)."""

    train_baskets: int
    test_cases: int
    catalogue: int
    unseen_test: int
    k: int
    results: tuple[MethodResult, ...]

    @property
    def best_baseline(self) -> MethodResult:
        return max(self.results[1:], key=lambda r: r.hit_rate)


def evaluate_bundles(
    shop: ShopGraph,
    parquet: Path,
    *,
    k: int = 10,
    seed: int = 42,
    rule_supports: Sequence[float] = (0.002, 0.005),
    progress: Callable[[str, int, int], None] | None = None,
) -> BundleEvalReport:
    """Runs the protocol: shopgraph's served bundles and the baselines.

    Args:
        shop: A client on an EMPTY graph (the train baskets are loaded into it).
        parquet: UCI ``baskets_long.parquet``.
        k: List length.
        seed: Seed of the held-out items and carts.
        rule_supports: ``min_support`` values of the association-rule baseline (pairs and
            triples); lower values are slower (0.001 takes minutes).
        progress: Called with (stage, done, total).

    Returns:
        The report.

    Raises:
        ConfigError: When the graph is not empty.
    """
    if shop.stats().nodes:
        raise ConfigError(
            "The bundle evaluation loads its own train baskets and needs an empty graph; "
            "run it without --uri (it starts a temporary embedded Neo4j)."
        )
    started = time.monotonic()
    protocol = build_protocol(parquet, seed=seed)
    _log.info("protocol built in %.1f s", time.monotonic() - started)
    per_order_days = (UCI_LAST - UCI_FIRST) / timedelta(days=1) / UCI_ORDERS
    with tempfile.TemporaryDirectory(prefix="shopgraph-eval-") as folder:
        train_file = Path(folder) / "train.csv"
        _write_train(protocol.train, train_file, per_order_days)
        started = time.monotonic()
        shop.load_csv(train_file, _MAPPING, LoadOptions(rejects=Path(folder) / "rejects.csv"))
        _log.info("train baskets loaded in %.1f s", time.monotonic() - started)
    half_life = CoPurchaseConfig().half_life
    refresh_bundle_masses(
        shop.runner,
        {"halfLifeDays": half_life * per_order_days} if half_life is not None else {},
    )
    _log.info("bundle masses refreshed")
    known = set(protocol.catalogue)

    def served(cart: Sequence[str], count: int) -> list[str]:
        in_graph = [item for item in cart if item in known]
        if not in_graph:
            return []
        return [item.item_id for item in shop.bundle(in_graph, count)]

    methods: list[tuple[str, Callable[[Sequence[str], int], Sequence[str]]]] = [
        ("shopgraph bundle (procedure)", served),
        ("popularity", PopularityBaseline().fit(protocol.train).recommend),
        ("co-occurrence count", CooccurrenceBaseline().fit(protocol.train).recommend),
        ("item cosine", ItemCosineBaseline().fit(protocol.train).recommend),
    ]
    for support in rule_supports:
        rules = AssociationRulesBaseline(min_support=support, max_len=3).fit(protocol.train)
        for metric in (RuleMetric.CONFIDENCE, RuleMetric.LIFT):
            name = f"association rules (support {support}, by {metric.value})"
            methods.append((name, rules.ranked_by(metric).recommend))
    results = [_run(name, method, protocol, k, progress) for name, method in methods]
    return BundleEvalReport(
        len(protocol.train),
        len(protocol.test),
        len(protocol.catalogue),
        protocol.unseen_test,
        k,
        tuple(results),
    )


def _run(
    name: str,
    recommend: Callable[[Sequence[str], int], Sequence[str]],
    protocol: BundleProtocol,
    k: int,
    progress: Callable[[str, int, int], None] | None,
) -> MethodResult:
    started = time.monotonic()
    recommendations = []
    for done, case in enumerate(protocol.test, start=1):
        recommendations.append(list(recommend(case.cart, k)))
        if progress is not None and (done % 100 == 0 or done == len(protocol.test)):
            progress(name, done, len(protocol.test))
    metrics = bundle_metrics(
        recommendations, [case.held_out for case in protocol.test], protocol.catalogue, k
    )
    return MethodResult(
        name,
        metrics[f"hit_rate@{k}"],
        metrics[f"mrr@{k}"],
        metrics[f"coverage@{k}"],
        time.monotonic() - started,
    )


def _write_train(baskets: Sequence[Basket], path: Path, per_order_days: float) -> None:
    """Writes the train baskets as order lines with interpolated invoice times.

    Items are written in basket order: their line numbers become the positions of the lines.
    """
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["order", "item", "time"])
        for basket in baskets:
            at = UCI_FIRST + timedelta(days=basket.time * per_order_days)
            stamp = at.isoformat(timespec="microseconds")
            writer.writerows((basket.index, item, stamp) for item in basket.items)
