"""What serving through an online experiment costs: the same calls with and without one.

A fresh embedded Neo4j on this machine is loaded with the SYNTHETIC event file of ``shopgraph
generate`` (seed 1, as ``benchmarks/serving.py``), refreshed, and an experiment is started over
bundle, recommend and similar whose two variants change nothing (so an experiment's call does
the same work as a plain one, plus the assignment, the request id and the log). Then, per
operation, after a warm-up of ``--warmup`` seconds of both kinds of calls:

1. ``plain, first``: plain calls before any experiment call of that operation was timed;
2. ``plain`` and ``experiment``: blocks of ``--block`` calls, alternately plain and through
   the experiment, so that both see the same machine load and the same state of the server's
   caches (the experiment log's commits are writes like any other: a write makes the bundle
   pair index stale until it is rebuilt, for both kinds of calls alike).

The overhead is the difference of the two p50s of step 2 (goal: at most 1 ms). Latencies are
wall times of the client call (Bolt round trip included). The exposures committed by the log
are counted at the end (all of them must be there). Results are printed and appended to
benchmarks/RESULTS.md.

    python benchmarks/experiment_overhead.py [--events 1000000] [--calls 2000] [--block 100]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from _common import append_results, generated, machine
from serving import _workload

from shopgraph.core.settings import Settings
from shopgraph.graph import server
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.experiments.definition import Experiment, Surface, Variant
from shopgraph.graph.experiments.store import flush_log
from shopgraph.graph.loading import LoadOptions
from shopgraph.graph.recommend import WalkOptions

_GOAL_MS = 1.0


def _timed(call: Callable[[int], object], indices: Sequence[int]) -> list[float]:
    times = []
    for i in indices:
        started = time.perf_counter()
        call(i)
        times.append((time.perf_counter() - started) * 1000.0)
    return times


def _compare(
    plain: Callable[[int], object],
    through: Callable[[int], object],
    calls: int,
    block: int,
    warmup: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(plain before any timed experiment call, plain, experiment) latencies in ms."""
    first = np.array(_timed(plain, range(calls)))
    until = time.perf_counter() + warmup
    i = 0
    while time.perf_counter() < until:
        plain(i % calls)
        through(i % calls)
        i += 1
    plain_ms: list[float] = []
    through_ms: list[float] = []
    for start in range(0, calls, block):
        indices = range(start, min(calls, start + block))
        plain_ms += _timed(plain, indices)
        through_ms += _timed(through, indices)
    return first, np.array(plain_ms), np.array(through_ms)


def _row(name: str, ms: np.ndarray) -> str:
    return (
        f"| {name} | {len(ms)} | {np.percentile(ms, 50):.2f} | {np.percentile(ms, 99):.2f} "
        f"| {ms.mean():.2f} |"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=2_000, help="timed calls per kind")
    parser.add_argument("--block", type=int, default=100, help="calls per alternating block")
    parser.add_argument("--warmup", type=float, default=20.0, help="seconds per operation")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    path = generated(args.events, seed=1)
    carts, users = _workload(path, args.seed, args.calls)
    items = [cart[0] for cart in carts]
    visitors = [f"visitor-{n}" for n in range(args.calls)]
    walk = WalkOptions(seed=args.seed)
    now = datetime.now(UTC)
    experiment = Experiment(
        name="overhead",
        surfaces=(Surface.BUNDLE, Surface.RECOMMEND, Surface.SIMILAR),
        variants=(Variant("a", 0.5), Variant("b", 0.5)),
        start=now - timedelta(minutes=1),
        end=now + timedelta(days=1),
    )
    results = {}
    with (
        tempfile.TemporaryDirectory(prefix="shopgraph-experiment-") as work,
        server.temporary(Settings.from_env()) as settings,
        ShopGraph.connect(settings) as shop,
    ):
        shop.ensure_schema()
        report = shop.load_rees46(path, LoadOptions(rejects=Path(work) / "rejects.csv"))
        shop.refresh()
        shop.start_experiment(experiment)
        operations: dict[str, tuple[Callable[[int], object], Callable[[int], object]]] = {
            "bundle": (
                lambda i: shop.bundle(carts[i], 10),
                lambda i: shop.bundle(carts[i], 10, experiment="overhead", user=visitors[i]),
            ),
            "recommend": (
                lambda i: shop.recommend(users[i], 10),
                lambda i: shop.recommend(users[i], 10, experiment="overhead"),
            ),
            "similar": (
                lambda i: shop.similar(items[i], 10, walk),
                lambda i: shop.similar(items[i], 10, walk, experiment="overhead", user=visitors[i]),
            ),
        }
        for name, (plain, through) in operations.items():
            print(f"{name} ...", file=sys.stderr)
            results[name] = _compare(plain, through, args.calls, args.block, args.warmup)
        dropped = flush_log(shop.runner)
        logged = shop.runner.read("experiment_report_rows", {"experiment": "overhead", "hours": 1})
        requests = sum(row["requests"] for row in logged)

    command = "python benchmarks/experiment_overhead.py " + " ".join(sys.argv[1:])
    lines = [
        f"\n## Experiment overhead on serving ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)\n",
        f"- machine: {machine()}; Neo4j 5.26 embedded on the same machine",
        f"- command: `{command.strip()}`",
        f"- graph: SYNTHETIC {report.rows_read:,} events; an experiment over bundle, recommend "
        "and similar with two variants that change nothing; k = 10",
        f"- {args.calls:,} timed calls per kind, plain and through the experiment alternating "
        f"in blocks of {args.block}, after {args.warmup:g} s of warm-up; the log committed "
        f"{requests:,} requests and dropped {dropped}",
        "",
        "| operation | calls | p50 (ms) | p99 (ms) | mean (ms) |",
        "|---|---:|---:|---:|---:|",
    ]
    verdicts = []
    for name, (first, plain_ms, through_ms) in results.items():
        lines.append(_row(f"{name}, plain, before any experiment call", first))
        lines.append(_row(f"{name}, plain", plain_ms))
        lines.append(_row(f"{name}, through the experiment", through_ms))
        overhead = float(np.percentile(through_ms, 50) - np.percentile(plain_ms, 50))
        verdict = "met" if overhead <= _GOAL_MS else "NOT met"
        verdicts.append(
            f"- {name}: experiment overhead at p50 {overhead:+.2f} ms (goal <= {_GOAL_MS:g} ms: "
            f"{verdict})"
        )
    text = "\n".join([*lines, "", *verdicts]) + "\n"
    print(text)
    append_results(text)


if __name__ == "__main__":
    main()
