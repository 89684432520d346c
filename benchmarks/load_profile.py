"""Where the time of a load goes, per chunk: parsing, each write statement, Bolt and commit.

Loads a file serially (no parse-ahead thread, so the parts do not overlap) into a fresh
embedded Neo4j and sums, over all chunks, the seconds spent parsing and aggregating a chunk,
and per statement the client's wall time and the server's own time (the driver's
``result_available_after + result_consumed_after``); the difference is parameter encoding and
the Bolt transfer. Commit is timed apart.

    python benchmarks/load_profile.py [--events 1000000] [--chunk-size 10000] [--chunks N]
"""

from __future__ import annotations

import argparse
import os
import time
from collections import defaultdict

import neo4j
from _common import generated

from shopgraph import cypher
from shopgraph.core.settings import Settings
from shopgraph.graph import server
from shopgraph.graph.loading import ChunkWriter, LoadOptions, chunk_statements
from shopgraph.graph.runner import GraphRunner
from shopgraph.loaders.rees46 import rees46_source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--chunk-size", type=int, default=LoadOptions.chunk_size)
    parser.add_argument("--chunks", type=int, default=0, help="stop after N chunks (0: all)")
    parser.add_argument("--writer", default="cypher", choices=["cypher", "procedure"])
    args = parser.parse_args()

    path = generated(args.events, seed=1)
    source = rees46_source(path)
    writer = ChunkWriter(args.writer)
    names: list[str] = []
    client: dict[str, float] = defaultdict(float)
    server_s: dict[str, float] = defaultdict(float)
    rows_of: dict[str, int] = defaultdict(int)
    with server.temporary(Settings.from_env()) as settings:
        with GraphRunner.from_settings(settings) as runner:
            runner.run_schema()
        driver = neo4j.GraphDatabase.driver(settings.bolt_uri, auth=None)
        session = driver.session(database="neo4j")
        started = time.perf_counter()
        events = chunks = 0
        chunk_iter = source.chunks(args.chunk_size)
        while True:
            t0 = time.perf_counter()
            chunk = next(chunk_iter, None)
            client["parse"] += time.perf_counter() - t0
            if chunk is None:
                break
            tx = session.begin_transaction()
            for name, params in chunk_statements(writer, chunk.batch):
                if name not in names:
                    names.append(name)
                t0 = time.perf_counter()
                summary = tx.run(cypher.load(name), params).consume()
                client[name] += time.perf_counter() - t0
                server_s[name] += (
                    (summary.result_available_after or 0) + (summary.result_consumed_after or 0)
                ) / 1000
                rows_of[name] += sum(len(rows) for rows in params.values())
            t0 = time.perf_counter()
            tx.commit()
            client["commit"] += time.perf_counter() - t0
            events += chunk.rows_read
            chunks += 1
            if args.chunks and chunks >= args.chunks:
                break
        total = time.perf_counter() - started
        session.close()
        driver.close()
    print(f"load average {os.getloadavg()}; writer {args.writer}")
    print(
        f"{events:,} events in {chunks} chunks of {args.chunk_size}: {total:.1f} s, "
        f"{events / total:,.0f} events/s (serial: parse and writes do not overlap)"
    )
    print(f"{'part':<24}{'rows':>10}{'client s':>10}{'server s':>10}{'bolt+enc s':>11}")
    for name in ["parse", *names, "commit"]:
        c = client.get(name, 0.0)
        s = server_s.get(name, 0.0)
        extra = c - s if name in server_s else 0.0
        print(f"{name:<24}{rows_of.get(name, 0):>10,}{c:>10.1f}{s:>10.1f}{extra:>11.1f}")


if __name__ == "__main__":
    main()
