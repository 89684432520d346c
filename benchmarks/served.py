"""Quality and latency of what ``recommend`` serves, on a LightGCN-format split (issue 14).

Runs ``shopgraph eval served`` (:mod:`shopgraph.evaluation.served`) in a temporary embedded
Neo4j: the split's train part loaded as one order per user, the retraining job with the
defaults of ``shopgraph train --write-back``, then a seeded sample of test users answered
through the client as served, without the model, and by the published model offline. Appends
the table to ``benchmarks/RESULTS.md``.

    .venv/bin/python benchmarks/served.py                     # Gowalla, 2,000 users
    .venv/bin/python benchmarks/served.py --users 0           # every test user
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from _common import append_results, machine

from shopgraph.core.settings import Settings
from shopgraph.evaluation.served import evaluate_served
from shopgraph.graph import server
from shopgraph.graph.client import ShopGraph


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, help="default $SHOPGRAPH_DATA/lightgcn-gowalla")
    parser.add_argument("--users", type=int, default=2000, help="test users sampled (0: all)")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    settings = Settings.from_env()
    folder = args.dataset or settings.data_dir / "lightgcn-gowalla"
    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="shopgraph-served-") as runs,
        server.temporary(settings) as embedded,
        ShopGraph.connect(embedded) as shop,
    ):
        report = evaluate_served(
            shop, folder, run_dir=Path(runs) / "run", users=args.users or None, seed=args.seed
        )
    wall = time.perf_counter() - started
    k = report.k
    lines = [
        f"\n## Served recommendations on {report.dataset} "
        f"({datetime.now(UTC).strftime('%Y-%m-%d %H:%M')} UTC)\n",
        f"- machine: {machine()}",
        f"- command: `python benchmarks/served.py --users {args.users} --seed {args.seed}`",
        f"- {report.interactions:,} train order lines loaded in {report.load_seconds:,.0f} s; "
        f"retraining job (export, fit, publish) {report.retrain_seconds:,.0f} s; "
        f"{report.users:,} of {report.test_users:,} test users; whole run {wall:,.0f} s\n",
        f"| method | recall@{k} | ndcg@{k} | precision@{k} | p50 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in report.results:
        m = r.metrics
        lines.append(
            f"| {r.method} | {m[f'recall@{k}']:.4f} | {m[f'ndcg@{k}']:.4f} | "
            f"{m[f'precision@{k}']:.4f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    append_results(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
