"""Model I/O against Neo4j: export of interactions, write-back of embeddings, serving latency.

On a fresh embedded Neo4j (heap 2g, page cache 1g) holding a SYNTHETIC shop
(``shopgraph generate``, calibrated on the REES46 sample), in one run:

1. ``export``: :func:`shopgraph.graph.export.export_interactions` with default options over
   the whole graph (one (user, item) row per interacting pair), twice (cold, then warm).
2. ``write-back``: :func:`shopgraph.graph.models.publish_embeddings` of ``--embeddings``
   64-dimensional vectors (every item of the export, then users until the count is reached),
   twice: into slot A, then into slot B (which also retires and clears nothing; a third
   publish would clear A first). The vectors are random: this measures I/O, not quality.
3. ``serve``: ``ShopGraph.recommend(user, 10)`` through the Python client for ``--users``
   users with history, with the model active and, as the baseline in the same run, with
   ``use_model=False``; and ``ShopGraph.similar(item, 10)`` (model: vector index; baseline:
   walks). p50 and p95 per call, after one warm-up pass.

    .venv/bin/python benchmarks/model_io.py [--events 1000000] [--embeddings 100000]

Results are printed and appended to ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np
from _common import append_results, generated

from shopgraph.graph import server
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.export import ExportOptions, export_interactions
from shopgraph.graph.loading import LoadReport
from shopgraph.graph.models import publish_embeddings
from shopgraph.graph.recommend import RecommendOptions, WalkOptions
from shopgraph.graph.settings import Settings


def _timed(function: Callable[[], LoadReport]) -> tuple[float, LoadReport]:
    started = time.perf_counter()
    value = function()
    return time.perf_counter() - started, value


def _latencies(calls: list[Callable[[], object]]) -> tuple[float, float]:
    """(p50, p95) in milliseconds of each call, after one warm-up pass over all of them."""
    for call in calls:
        call()
    times = []
    for call in calls:
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="synthetic events (1M)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--embeddings", type=int, default=100_000, help="vectors written (100k)")
    parser.add_argument("--users", type=int, default=200, help="users served (200)")
    parser.add_argument("--no-append", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args(argv)
    load_at_start = os.getloadavg()
    events_file = generated(args.events, args.seed)
    lines: list[str] = []

    def say(line: str = "") -> None:
        print(line, flush=True)
        lines.append(line)

    with server.temporary(Settings.from_env()) as settings, ShopGraph.connect(settings) as shop:
        load_s, report = _timed(lambda: shop.load_rees46(events_file))
        shop.refresh()
        runner = shop.runner
        export_s = []
        for _ in range(2):  # cold, then warm
            started = time.perf_counter()
            data = export_interactions(runner, ExportOptions())
            export_s.append(time.perf_counter() - started)
        id_map = data.id_map
        n_items = min(len(id_map.items), args.embeddings)
        n_users = min(len(id_map.users), args.embeddings - n_items)
        rng = np.random.default_rng(0)
        user_vectors = rng.standard_normal((n_users, 64)).astype(np.float32)
        item_vectors = rng.standard_normal((n_items, 64)).astype(np.float32)
        publishes = []
        for name in ("bench-1", "bench-2"):
            publishes.append(
                publish_embeddings(
                    runner,
                    name,
                    user_ids=id_map.users[:n_users],
                    user_embeddings=user_vectors,
                    item_ids=id_map.items[:n_items],
                    item_embeddings=item_vectors,
                    metadata={"benchmark": "model_io"},
                )
            )
        users = [u for u in id_map.users[:n_users]][:: max(1, n_users // args.users)]
        users = users[: args.users]
        items = list(id_map.items[:: max(1, n_items // args.users)])[: args.users]
        model = RecommendOptions()
        blended = RecommendOptions(use_model=False)
        rec_model = _latencies([lambda u=u: shop.recommend(u, 10, model) for u in users])
        rec_blend = _latencies([lambda u=u: shop.recommend(u, 10, blended) for u in users])
        walk = WalkOptions(use_model=False)
        sim_model = _latencies([lambda i=i: shop.similar(i, 10) for i in items])
        sim_walk = _latencies([lambda i=i: shop.similar(i, 10, walk) for i in items])
        reasons = {r.reason.split(":")[0] for u in users[:20] for r in shop.recommend(u)}
        similar_reasons = {r.reason for i in items[:20] for r in shop.similar(i)}

    command = "python benchmarks/model_io.py " + " ".join(sys.argv[1:] if argv is None else argv)
    n_interactions = len(data)
    say(f"## Model I/O with Neo4j ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)")
    say()
    say(
        f"- machine: {platform.node() or 'vm'}, {os.cpu_count()} CPUs, {platform.machine()}, "
        f"Python {platform.python_version()}; Neo4j 5.26 embedded on the same machine (heap "
        f"{settings.heap}, page cache {settings.pagecache}); load average at start "
        f"{load_at_start[0]:.2f} / {load_at_start[1]:.2f} / {load_at_start[2]:.2f}, at end "
        f"{os.getloadavg()[0]:.2f}"
    )
    say(f"- command: `{command.strip()}`")
    say(
        f"- data: SYNTHETIC shop, {report.rows_read:,} events (seed {args.seed}) loaded in "
        f"{load_s:.0f} s; export: {n_interactions:,} (user, item) interactions, "
        f"{len(id_map.users):,} users, {len(id_map.items):,} items"
    )
    say()
    say("| step | seconds | goal |")
    say("|---|---:|---|")
    for label, seconds in zip(("cold", "warm"), export_s, strict=True):
        say(f"| export, {label} ({n_interactions:,} interactions) | {seconds:.1f} | <= 10 s |")
    for published in publishes:
        written = published.users_written + published.items_written
        say(
            f"| write-back, slot {published.slot} ({written:,} embeddings: {n_items:,} items + "
            f"{n_users:,} users, 64 d) | {published.seconds:.1f} | <= 20 s |"
        )
    say()
    say(f"Serving through the Python client, {len(users)} users / {len(items)} items, k = 10:")
    say()
    say("| call | p50 ms | p95 ms | goal |")
    say("|---|---:|---:|---|")
    say(f"| recommend, model active (ranked by embeddings) | {rec_model[0]:.1f} | "
        f"{rec_model[1]:.1f} | p50 <= 5 ms |")  # fmt: skip
    say(f"| recommend, useModel false (blended stages; baseline) | {rec_blend[0]:.1f} | "
        f"{rec_blend[1]:.1f} | |")  # fmt: skip
    say(f"| similar, model active (vector index) | {sim_model[0]:.1f} | {sim_model[1]:.1f} | |")
    say(f"| similar, useModel false (walks; baseline) | {sim_walk[0]:.1f} | {sim_walk[1]:.1f} | |")
    say()
    say(f"- reasons seen with the model: recommend {sorted(reasons)}, similar "
        f"{sorted(similar_reasons)}")  # fmt: skip
    if not args.no_append:
        append_results("\n" + "\n".join(lines).rstrip() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
