"""Model I/O against Neo4j: export of interactions, write-back of embeddings, serving latency.

On a fresh embedded Neo4j (heap 2g, page cache 1g) holding a SYNTHETIC shop
(``shopgraph generate``, calibrated on the REES46 sample), in one run:

1. ``export``: :func:`shopgraph.graph.export.export_interactions` with default options over
   the whole graph (the edges come from the plugin's ``shopgraph.export.interactions``),
   twice (cold, then warm).
2. ``write-back``: :func:`shopgraph.graph.models.publish_embeddings` of ``--embeddings``
   64-dimensional vectors (at least ``--users`` users, the export's items up to the count,
   then more users until it is reached), twice: into slot A, then into slot B (which also
   retires and clears nothing; a third publish would clear A first). The vectors are random:
   this measures I/O, not quality.
3. ``serve``: ``ShopGraph.recommend(user, 10)`` through the Python client for ``--users``
   users with history, with the model active and, as the baseline in the same run, with
   ``use_model=False``; and ``ShopGraph.similar(item, 10)`` (model: vector index; baseline:
   walks). p50 and p95 per call, after one warm-up pass. Recommend with the model is measured
   twice: right after the write-back, while the bundle pair index and the walk projection
   (stale: the database changed) rebuild in the background and calls traverse, and after
   ``--settle`` seconds of calls. A background rebuild of the pair index waits ten times the
   last build's duration after it (``PairIndexes``): 40 to 70 s on a quiet machine, three
   minutes where a build takes 18 s on a busy one, so ``--settle`` may end before it. Last,
   after ``ShopGraph.refresh()`` has rebuilt both at once (the masses it recomputes are the
   same: the write-back changes no basket), recommend with the model and the baseline again:
   the steady state whatever the machine's load.

Export and write-back are also reported as CPU seconds of the Neo4j server process and of this
client (Linux ``/proc``), which depend much less than wall time on other jobs sharing the
machine.

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
from pathlib import Path

import numpy as np
from _common import append_results, generated

from shopgraph.core.settings import Settings
from shopgraph.graph import server
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.export import ExportOptions, export_interactions
from shopgraph.graph.loading import LoadReport
from shopgraph.graph.models import publish_embeddings
from shopgraph.graph.recommend import RecommendOptions, WalkOptions


def _timed(function: Callable[[], LoadReport]) -> tuple[float, LoadReport]:
    started = time.perf_counter()
    value = function()
    return time.perf_counter() - started, value


class _Meter:
    """Wall seconds, and CPU seconds of the server process and of this process, of a block."""

    def __init__(self, server_pid: int) -> None:
        self._stat = Path(f"/proc/{server_pid}/stat")

    def _server_cpu(self) -> float:
        fields = self._stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def __enter__(self) -> _Meter:
        self._started = (time.perf_counter(), self._server_cpu(), time.process_time())
        return self

    def __exit__(self, *exc: object) -> None:
        wall, server_cpu, client_cpu = self._started
        self.wall = time.perf_counter() - wall
        self.server_cpu = self._server_cpu() - server_cpu
        self.client_cpu = time.process_time() - client_cpu


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
    parser.add_argument(
        "--settle",
        type=float,
        default=20.0,
        help="seconds of recommend calls after the write-back before the steady-state figures (20)",
    )
    parser.add_argument("--no-append", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args(argv)
    if args.embeddings <= args.users:
        parser.error(
            f"--embeddings must be more than --users ({args.users}), got {args.embeddings}"
        )
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
        pid = server.status(settings).pid
        if pid is None:
            raise SystemExit("The temporary Neo4j server is not running.")
        exports = []
        for _ in range(2):  # cold, then warm
            with _Meter(pid) as meter:
                data = export_interactions(runner, ExportOptions())
            exports.append(meter)
        id_map = data.id_map
        # At least --users users get embeddings (they are served below), items fill up to the
        # count, then more users.
        n_users = min(len(id_map.users), args.users)
        n_items = min(len(id_map.items), args.embeddings - n_users)
        n_users = min(len(id_map.users), args.embeddings - n_items)
        rng = np.random.default_rng(0)
        user_vectors = rng.standard_normal((n_users, 64)).astype(np.float32)
        item_vectors = rng.standard_normal((n_items, 64)).astype(np.float32)
        publishes = []
        for name in ("bench-1", "bench-2"):
            with _Meter(pid) as meter:
                published = publish_embeddings(
                    runner,
                    name,
                    user_ids=id_map.users[:n_users],
                    user_embeddings=user_vectors,
                    item_ids=id_map.items[:n_items],
                    item_embeddings=item_vectors,
                    metadata={"benchmark": "model_io"},
                )
            publishes.append((published, meter))
        users = list(id_map.users[: n_users : max(1, n_users // args.users)])[: args.users]
        items = list(id_map.items[: n_items : max(1, n_items // args.users)])[: args.users]
        model = RecommendOptions()
        blended = RecommendOptions(use_model=False)
        # Right after the write-back the bundle pair index and the walk projection are stale
        # (the database changed): calls traverse while both rebuild in the background.
        rec_fresh = _latencies([lambda u=u: shop.recommend(u, 10, model) for u in users])
        settle_until = time.perf_counter() + args.settle
        while time.perf_counter() < settle_until:
            for u in users[:20]:
                shop.recommend(u, 10, model)
        rec_model = _latencies([lambda u=u: shop.recommend(u, 10, model) for u in users])
        rec_blend = _latencies([lambda u=u: shop.recommend(u, 10, blended) for u in users])
        shop.refresh()
        rec_model_fresh = _latencies([lambda u=u: shop.recommend(u, 10, model) for u in users])
        rec_blend_fresh = _latencies([lambda u=u: shop.recommend(u, 10, blended) for u in users])
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
    say("| step | seconds | server CPU s | client CPU s | goal |")
    say("|---|---:|---:|---:|---|")
    for label, meter in zip(("cold", "warm"), exports, strict=True):
        say(
            f"| export, {label} ({n_interactions:,} interactions) | {meter.wall:.1f} | "
            f"{meter.server_cpu:.1f} | {meter.client_cpu:.1f} | <= 10 s |"
        )
    for published, meter in publishes:
        written = published.users_written + published.items_written
        say(
            f"| write-back, slot {published.slot} ({written:,} embeddings: "
            f"{published.items_written:,} items + {published.users_written:,} users, 64 d) | "
            f"{meter.wall:.1f} | {meter.server_cpu:.1f} | {meter.client_cpu:.1f} | <= 20 s |"
        )
    say()
    say(f"Serving through the Python client, {len(users)} users / {len(items)} items, k = 10:")
    say()
    say("| call | p50 ms | p95 ms | goal |")
    say("|---|---:|---:|---|")
    say(f"| recommend, model active, right after the write-back | {rec_fresh[0]:.1f} | "
        f"{rec_fresh[1]:.1f} | |")  # fmt: skip
    say(f"| recommend, model active (ranked by embeddings), after {args.settle:.0f} s | "
        f"{rec_model[0]:.1f} | {rec_model[1]:.1f} | p50 <= 5 ms |")  # fmt: skip
    say(f"| recommend, useModel false (blended stages; baseline) | {rec_blend[0]:.1f} | "
        f"{rec_blend[1]:.1f} | |")  # fmt: skip
    say(f"| recommend, model active, after refresh() (pair index and projection rebuilt) | "
        f"{rec_model_fresh[0]:.1f} | {rec_model_fresh[1]:.1f} | p50 <= 5 ms |")  # fmt: skip
    say(f"| recommend, useModel false, after refresh() (baseline) | {rec_blend_fresh[0]:.1f} | "
        f"{rec_blend_fresh[1]:.1f} | |")  # fmt: skip
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
