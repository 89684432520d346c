"""Serving latency and throughput through the Python client, on a 1M-event generated shop.

A fresh embedded Neo4j on this machine is loaded with the SYNTHETIC 1M-event file of
``shopgraph generate`` (seed 1, the file ``benchmarks/load.py`` uses), the bundle masses and
the walk projection are refreshed, and then, each after a warm-up of ``--warmup`` seconds of
calls (at least as many calls as are timed):

- ``bundle``: 3-item carts drawn (seeded) from real orders of the file, through
  ``ShopGraph.bundle`` (``CALL shopgraph.bundle``); beside it, in the same run, the readable
  pure-Cypher statement ``cypher/bundle.cypher`` on the same carts (the baseline the
  procedure must beat by 10x);
- ``candidates``: random-walk candidates for a user with a 10,000-step budget;
- ``recommend``: the multi-stage recommendation for a user;
- throughput: 4 client threads, each with its own driver, calling bundle (then recommend)
  for a fixed time.

    python benchmarks/serving.py [--events 1000000] [--calls 1000] [--seconds 20]
        [--skip candidates recommend throughput]

Latencies are wall times of the client call (Bolt round trip included). The warm-up is long
because a server that has just started runs its Bolt, Cypher and procedure code interpreted
until the JIT has compiled it, over the first several thousand calls: on a busy 2-core
machine the bundle's p50 was 1.2 ms after 1,000 calls (the former warm-up) and 0.6 ms after
8,000. The bundle is also timed after the former warm-up of 1,000 calls, for comparison with
older entries. Results are printed and appended to benchmarks/RESULTS.md; ``--skip`` leaves
parts out (their rows and goals too), for quicker runs while working on one operation.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from _common import append_results, generated, machine
from tqdm import tqdm

from shopgraph.core.settings import Settings
from shopgraph.graph import server
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.loading import LoadOptions
from shopgraph.graph.recommend import WalkOptions

_GOALS = {
    "bundle p50": 3.0,
    "bundle p99": 15.0,
    "candidates p50": 10.0,
}
_PARTS = ("cypher", "candidates", "recommend", "throughput")


def _workload(path: Path, seed: int, n: int) -> tuple[list[list[str]], list[str]]:
    """3-item carts from orders of at least 3 distinct items, and users who bought."""
    events = pd.read_csv(
        path,
        usecols=["event_type", "product_id", "user_id", "user_session"],
        dtype=str,
    )
    bought = events[events["event_type"] == "purchase"].drop_duplicates(
        ["user_session", "product_id"]
    )
    orders = [
        sorted(items)
        for items in bought.groupby("user_session")["product_id"].agg(list)
        if len(items) >= 3
    ]
    rng = random.Random(seed)
    carts = [rng.sample(rng.choice(orders), 3) for _ in range(n)]
    users = sorted(set(bought["user_id"]))
    return carts, [rng.choice(users) for _ in range(n)]


def _latencies(
    call: Callable[[int], object], n: int, label: str, warmup: float = 0.0
) -> np.ndarray:
    """Milliseconds of ``call(i)`` for i in range(n), after a warm-up (JIT, caches) of at
    least n calls and at least ``warmup`` seconds."""
    for i in tqdm(range(n), desc=f"{label} (warm-up)", file=sys.stderr, leave=False):
        call(i)
    until = time.perf_counter() + warmup
    i = 0
    while time.perf_counter() < until:
        call(i % n)
        i += 1
    times = np.empty(n)
    for i in tqdm(range(n), desc=label, file=sys.stderr, leave=False):
        started = time.perf_counter()
        call(i)
        times[i] = (time.perf_counter() - started) * 1000.0
    return times


def _throughput(
    settings: Settings, work: Callable[[ShopGraph, int], object], clients: int, seconds: float
) -> float:
    """Calls per second of ``clients`` threads, each with its own client, for ``seconds``."""
    counts = [0] * clients
    stop = threading.Event()
    errors: list[BaseException] = []

    def run(slot: int) -> None:
        try:
            with ShopGraph.connect(settings) as shop:
                n = slot
                while not stop.is_set():
                    work(shop, n)
                    counts[slot] += 1
                    n += clients
        except BaseException as e:  # noqa: BLE001 - re-raised in the main thread below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(slot,)) for slot in range(clients)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return sum(counts) / seconds


def _row(name: str, ms: np.ndarray) -> str:
    return (
        f"| {name} | {len(ms)} | {np.percentile(ms, 50):.2f} | {np.percentile(ms, 99):.2f} "
        f"| {ms.mean():.2f} |"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=1_000, help="timed calls per operation")
    parser.add_argument("--cypher-calls", type=int, default=100, help="pure-Cypher bundle calls")
    parser.add_argument("--seconds", type=float, default=20.0, help="per throughput run")
    parser.add_argument(
        "--warmup", type=float, default=20.0, help="seconds of warm-up calls per operation"
    )
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--skip",
        nargs="+",
        default=[],
        choices=_PARTS,
        help="parts to leave out (default: none)",
    )
    args = parser.parse_args(argv)
    run = {part: part not in args.skip for part in _PARTS}

    path = generated(args.events, seed=1)
    carts, users = _workload(path, args.seed, args.calls)
    walk = WalkOptions(steps=10_000, seed=args.seed)
    with (
        tempfile.TemporaryDirectory(prefix="shopgraph-serving-") as work,
        server.temporary(Settings.from_env()) as settings,
        ShopGraph.connect(settings) as shop,
    ):
        shop.ensure_schema()
        started = time.perf_counter()
        report = shop.load_rees46(path, LoadOptions(rejects=Path(work) / "rejects.csv"))
        load_seconds = time.perf_counter() - started
        refresh, projection = shop.refresh()

        bundle_early = _latencies(lambda i: shop.bundle(carts[i], 10), args.calls, "bundle")
        bundle = _latencies(lambda i: shop.bundle(carts[i], 10), args.calls, "bundle", args.warmup)
        cypher = (
            _latencies(
                lambda i: shop.runner.read("bundle", {"cart": carts[i], "k": 10, "config": {}}),
                args.cypher_calls,
                "bundle (pure Cypher)",
                args.warmup,
            )
            if run["cypher"]
            else None
        )
        candidates = (
            _latencies(
                lambda i: shop.candidates(users[i], 100, walk),
                args.calls,
                "candidates",
                args.warmup,
            )
            if run["candidates"]
            else None
        )
        recommend = (
            _latencies(lambda i: shop.recommend(users[i], 10), args.calls, "recommend", args.warmup)
            if run["recommend"]
            else None
        )
        rates = None
        if run["throughput"]:
            rates = (
                _throughput(
                    settings,
                    lambda s, i: s.bundle(carts[i % len(carts)], 10),
                    args.clients,
                    args.seconds,
                ),
                _throughput(
                    settings,
                    lambda s, i: s.recommend(users[i % len(users)], 10),
                    args.clients,
                    args.seconds,
                ),
            )

    figures = {
        "bundle p50": float(np.percentile(bundle, 50)),
        "bundle p99": float(np.percentile(bundle, 99)),
    }
    if candidates is not None:
        figures["candidates p50"] = float(np.percentile(candidates, 50))
    command = "python benchmarks/serving.py " + " ".join(sys.argv[1:])
    lines = [
        f"\n## Serving through the Python client ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)\n",
        f"- machine: {machine()}; Neo4j 5.26 embedded on the same machine (heap 2g, page cache 1g)",
        f"- command: `{command.strip()}`",
        f"- graph: SYNTHETIC {report.rows_read:,} events loaded in {load_seconds:.0f} s; "
        f"{refresh.items:,} items and {refresh.baskets:,} baskets with bundle masses; walk "
        f"projection {projection.nodes:,} nodes, {projection.relationships:,} "
        "relationships",
        "- workload: 3-item carts drawn from generated orders with at least 3 items; users who "
        f"bought; seed {args.seed}; candidates with a 10,000-step budget, k = 100; bundle and "
        f"recommend k = 10; each operation timed after {args.warmup:g} s of warm-up calls",
        "",
        "| operation | calls | p50 (ms) | p99 (ms) | mean (ms) |",
        "|---|---:|---:|---:|---:|",
        _row(f"bundle, procedure, after {args.calls:,} warm-up calls only", bundle_early),
        _row("bundle, procedure", bundle),
    ]
    if cypher is not None:
        lines.append(_row("bundle, pure Cypher (cypher/bundle.cypher)", cypher))
    if candidates is not None:
        lines.append(_row("candidates (user, 10k steps)", candidates))
    if recommend is not None:
        lines.append(_row("recommend (user)", recommend))
    lines.append("")
    if rates is not None:
        lines.append(
            f"- throughput with {args.clients} concurrent clients ({args.seconds:.0f} s each): "
            f"bundle {rates[0]:,.0f} calls/s, recommend {rates[1]:,.0f} calls/s"
        )
    if cypher is not None:
        speedup = float(np.percentile(cypher, 50) / np.percentile(bundle, 50))
        lines.append(
            f"- procedure vs pure Cypher, p50: {speedup:.1f}x faster (goal >= 10x: "
            f"{'met' if speedup >= 10 else 'NOT met'})"
        )
    for name, goal in _GOALS.items():
        if name in figures:
            verdict = "met" if figures[name] <= goal else "NOT met"
            lines.append(f"- goal {name} <= {goal:g} ms: {verdict} ({figures[name]:.2f} ms)")
    text = "\n".join(lines) + "\n"
    print(text)
    append_results(text)


if __name__ == "__main__":
    main()
