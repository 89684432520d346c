"""Quality of "frequently bought together" bundles on UCI Online Retail.

Runs the protocol of :mod:`shopgraph.evaluation.bundle_protocol` with every baseline of
:mod:`shopgraph.evaluation.bundle_baselines` and
:class:`~shopgraph.evaluation.bundles.CoPurchaseScorer`,
prints a table and appends it to ``benchmarks/RESULTS.md``.

    .venv/bin/python benchmarks/bundles_quality.py            # test table, 6-12 min on 2 cores
    .venv/bin/python benchmarks/bundles_quality.py --explore  # validation sweep, about 6 min

``--explore`` never looks at the test baskets: it fits on the first 90% of the train baskets
and scores the last 10%, with the cases drawn three times (seeds 42, 43, 44).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import functools
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from _common import add_data_argument

from shopgraph.evaluation.bundle_baselines import (
    AssociationRulesBaseline,
    CooccurrenceBaseline,
    ItemCosineBaseline,
    PopularityBaseline,
    RuleMetric,
)
from shopgraph.evaluation.bundle_protocol import (
    BundleProtocol,
    build_protocol,
    evaluate,
    make_cases,
    read_uci_baskets,
    validation_protocol,
)
from shopgraph.evaluation.bundles import CoPurchaseConfig, CoPurchaseScorer

REPO = Path(__file__).resolve().parents[1]
PARQUET = Path("uci-online-retail/baskets_long.parquet")
#: (min_support, max_len) of the association-rule baseline.
RULE_SETTINGS = ((0.001, 2), (0.002, 3), (0.005, 3), (0.01, 3))
#: Validation sweep: one knob changed at a time from the defaults.
SWEEP: tuple[tuple[str, CoPurchaseConfig], ...] = (
    ("defaults", CoPurchaseConfig()),
    ("alpha=0", CoPurchaseConfig(alpha=0.0)),
    ("alpha=0.25", CoPurchaseConfig(alpha=0.25)),
    ("alpha=0.75", CoPurchaseConfig(alpha=0.75)),
    ("beta=0", CoPurchaseConfig(beta=0.0)),
    ("beta=0.5", CoPurchaseConfig(beta=0.5)),
    ("beta=0.7", CoPurchaseConfig(beta=0.7)),
    ("smoothing=0", CoPurchaseConfig(smoothing=0.0)),
    ("smoothing=20", CoPurchaseConfig(smoothing=20.0)),
    ("size_exponent=0", CoPurchaseConfig(size_exponent=0.0)),
    ("size_exponent=1", CoPurchaseConfig(size_exponent=1.0)),
    ("half_life=None", CoPurchaseConfig(half_life=None)),
    ("half_life=2000", CoPurchaseConfig(half_life=2000.0)),
    ("half_life=16000", CoPurchaseConfig(half_life=16000.0)),
    ("adjacency_bonus=0 (no line adjacency)", CoPurchaseConfig(adjacency_bonus=0.0)),
    ("adjacency_bonus=1", CoPurchaseConfig(adjacency_bonus=1.0)),
    ("adjacency_bonus=3", CoPurchaseConfig(adjacency_bonus=3.0)),
    (
        "no size weight, no recency, beta=0.5, smoothing=0 (asymmetric cosine)",
        CoPurchaseConfig(size_exponent=0.0, half_life=None, beta=0.5, smoothing=0.0),
    ),
)

Recommend = Callable[[Sequence[str], int], Sequence[str]]
Row = tuple[str, dict[str, float], float]


def _timed(name: str, fit: Callable[[], Recommend], protocol: BundleProtocol, k: int) -> Row:
    start = time.perf_counter()
    metrics = evaluate(fit(), protocol, k)
    seconds = time.perf_counter() - start
    print(f"  {name}: {metrics} ({seconds:.1f} s)", file=sys.stderr, flush=True)
    return name, metrics, seconds


def _ranked(rules: AssociationRulesBaseline, metric: RuleMetric) -> Recommend:
    return rules.ranked_by(metric).recommend


def _scorer(config: CoPurchaseConfig, protocol: BundleProtocol) -> Recommend:
    return CoPurchaseScorer(config).fit(protocol.train).recommend_ids


def _table(rows: list[Row], k: int) -> str:
    lines = [
        f"| method | HR@{k} | MRR@{k} | coverage@{k} | fit + eval (s) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, m, seconds in rows:
        lines.append(
            f"| {name} | {m[f'hit_rate@{k}']:.4f} | {m[f'mrr@{k}']:.4f} | "
            f"{m[f'coverage@{k}']:.4f} | {seconds:.1f} |"
        )
    return "\n".join(lines)


def test_rows(protocol: BundleProtocol, k: int) -> list[Row]:
    """Every baseline setting and our scorer on the test cases."""
    train = protocol.train
    rows = [
        _timed("popularity", lambda: PopularityBaseline().fit(train).recommend, protocol, k),
        _timed(
            "co-occurrence count", lambda: CooccurrenceBaseline().fit(train).recommend, protocol, k
        ),
        _timed("item cosine", lambda: ItemCosineBaseline().fit(train).recommend, protocol, k),
    ]
    for support, max_len in RULE_SETTINGS:
        start = time.perf_counter()
        rules = AssociationRulesBaseline(support, max_len=max_len).fit(train)
        mined = time.perf_counter() - start
        print(f"  rules {support}/{max_len}: {rules.n_rules} rules", file=sys.stderr)
        for metric in RuleMetric:
            name, metrics, seconds = _timed(
                f"rules min_support={support} max_len={max_len} by {metric}",
                functools.partial(_ranked, rules, metric),
                protocol,
                k,
            )
            rows.append((name, metrics, seconds + mined))
    no_adjacency = CoPurchaseConfig(adjacency_bonus=0.0)
    rows.append(
        _timed(
            "CoPurchaseScorer, adjacency_bonus=0 (no line adjacency)",
            lambda: CoPurchaseScorer(no_adjacency).fit(train).recommend_ids,
            protocol,
            k,
        )
    )
    rows.append(
        _timed(
            "**CoPurchaseScorer (defaults)**",
            lambda: CoPurchaseScorer().fit(train).recommend_ids,
            protocol,
            k,
        )
    )
    return rows


def explore_rows(protocol: BundleProtocol, k: int, seeds: Sequence[int]) -> list[Row]:
    """The validation sweep: cosine for reference, our defaults, one knob at a time."""
    val = validation_protocol(protocol, seed=seeds[0])
    n_fit = len(val.train)
    cases = [
        case
        for seed in seeds
        for case in make_cases(protocol.train[n_fit:], seed=seed, max_cart=10)
    ]
    val = dataclasses.replace(val, test=tuple(cases))
    rows = [_timed("item cosine", lambda: ItemCosineBaseline().fit(val.train).recommend, val, k)]
    for name, config in SWEEP:
        rows.append(_timed(name, functools.partial(_scorer, config, val), val, k))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_data_argument(parser)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--explore", action="store_true", help="validation sweep instead of test")
    parser.add_argument("--results", type=Path, default=REPO / "benchmarks" / "RESULTS.md")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    path = args.data / PARQUET
    baskets = read_uci_baskets(path)
    protocol = build_protocol(path, seed=args.seed)
    items = {item for basket in baskets for item in basket.items}
    carts = [len(case.cart) for case in protocol.test]
    facts = (
        f"{len(baskets)} baskets ({len(items)} items) -> {len(protocol.train)} train baskets "
        f"({len(protocol.catalogue)} items), {len(protocol.test)} test cases (mean cart "
        f"{sum(carts) / len(carts):.2f}; {protocol.unseen_test} held-out items unseen in train)"
    )
    print(facts, file=sys.stderr)
    if args.explore:
        seeds = (args.seed, args.seed + 1, args.seed + 2)
        title = f"validation sweep (first 90% of train fit, last 10% scored, seeds {seeds})"
        rows = explore_rows(protocol, args.k, seeds)
        val = validation_protocol(protocol, seed=args.seed)
        facts += (
            f"; validation: {len(val.train)} fit baskets, {len(val.test)} scored baskets x "
            f"{len(seeds)} seeds"
        )
    else:
        title = "test"
        rows = test_rows(protocol, args.k)
    table = _table(rows, args.k)
    print(table)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = (
        f"{platform.node()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    command = " ".join([Path(sys.argv[0]).name, *(argv if argv is not None else sys.argv[1:])])
    entry = (
        f"\n## FBT bundles, UCI Online Retail, {title}\n\n"
        f"- date: {stamp}\n- machine: {machine}\n- command: `{command}`\n"
        f"- protocol: {facts}\n- total time: {time.perf_counter() - start:.0f} s\n\n{table}\n"
    )
    if not args.results.exists():
        args.results.write_text("# shopgraph benchmark results\n")
    with args.results.open("a") as out:
        out.write(entry)
    return 0


if __name__ == "__main__":
    sys.exit(main())
