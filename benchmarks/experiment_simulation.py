"""The proof of the online experiments on all of UCI Online Retail, with the 200-run A/A.

``shopgraph experiment simulate`` in a benchmark (``evaluation/experiment_simulation.py``): the
first 80% of the protocol's orders are the history of a temporary embedded Neo4j, the last 20%
are replayed as shoppers through the live API, once through an A/B experiment (popularity
against shopgraph bundles) and once through an A/A experiment, in a fresh graph each; the
offline hit rates of the bundle protocol on the same history are measured in the A/B run.

The 200 A/A runs reuse the one A/A replay: its arms are identical, so no shopper's answers or
actions depend on the arm, and each run's report is the replay's log relabeled by the
assignment under that run's salt (the report's code, on the server's rows). The same log is
also reported under ``--more-runs`` salts for a tighter estimate of each rate. Results are
printed and appended to benchmarks/RESULTS.md; ``--plot`` writes the A/B report's plot (the
README's).

    python benchmarks/experiment_simulation.py [--runs 200] [--more-runs 2000]
        [--max-requests 5] [--plot docs/experiment-lift.png]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from _common import append_results, machine
from tqdm import tqdm

from shopgraph.core.settings import Settings
from shopgraph.evaluation.experiment_simulation import (
    SimulationConfig,
    aa_false_positives,
    clicks_per_request,
    first_request_rates,
    simulate,
)
from shopgraph.graph import server
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.experiments.plot import plot_report
from shopgraph.graph.experiments.report import METRICS

_NAMES = {
    "ctr": "CTR",
    "add_to_cart_rate": "add-to-cart rate",
    "conversion": "conversion",
    "revenue_per_user": "revenue per user",
}


def _binomial_interval(rate: float, runs: int) -> str:
    half = 1.96 * math.sqrt(rate * (1 - rate) / runs) if 0 < rate < 1 else 0.0
    return f"{100 * rate:.1f}% (± {100 * half:.1f})"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--more-runs", type=int, default=2_000)
    parser.add_argument("--max-requests", type=int, default=5)
    parser.add_argument("--baskets", type=int, default=None)
    parser.add_argument("--plot", type=Path, default=None)
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    config = SimulationConfig(baskets=args.baskets, max_requests=args.max_requests)
    bars: dict[str, tqdm] = {}  # type: ignore[type-arg]

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total, desc=stage, file=sys.stderr, leave=False)
        bar.update(done - bar.n)

    @contextmanager
    def temporary_shop() -> Iterator[ShopGraph]:
        with server.temporary(settings) as temporary, ShopGraph.connect(temporary) as shop:
            yield shop

    started = time.monotonic()
    result = simulate(temporary_shop, settings.data_dir, config, runs=args.runs, progress=progress)
    more = aa_false_positives(result.aa, args.more_runs)
    seconds = time.monotonic() - started
    if args.plot is not None:
        plot_report(result.ab.report, args.plot)

    ab = result.ab.report
    offline_ratio = result.offline["shopgraph"] / result.offline["popularity"]
    hits = clicks_per_request(ab)
    online_ratio = hits["shopgraph"] / hits["popularity"]
    first_offline = result.offline_first
    first_offline_ratio = first_offline["shopgraph"] / first_offline["popularity"]
    first_online = first_request_rates(result.ab)
    first_online_ratio = first_online["shopgraph"] / first_online["popularity"]
    command = "python benchmarks/experiment_simulation.py " + " ".join(sys.argv[1:])
    lines = [
        "\n## Online experiments, simulated on UCI Online Retail "
        f"({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)\n",
        f"- machine: {machine()}; Neo4j 5.26 embedded on the same machine",
        f"- command: `{command.strip()}`; {seconds / 60:.0f} min in all",
        f"- data: {result.history:,} history orders loaded; {result.ab.shoppers:,} held-out "
        f"orders replayed as shoppers, up to {config.max_requests} bundle requests each "
        f"(A/B: {result.ab.requests:,} requests, {result.ab.clicks:,} clicks, "
        f"{result.ab.seconds:.0f} s; A/A: {result.aa.requests:,} requests, "
        f"{result.aa.seconds:.0f} s)",
        "",
        "A/B, control popularity (the plain baseline), treatment shopgraph bundles, 50/50 "
        "(unit: user; delta method; 95% intervals):",
        "",
        "| metric | popularity | shopgraph | lift | 95% interval | p-value |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    control, treatment = ab.variants
    for metric in METRICS:
        x = ab.lifts["shopgraph"][metric]
        lines.append(
            f"| {_NAMES[metric]} | {control.metrics[metric].value:.4f} | "
            f"{treatment.metrics[metric].value:.4f} | {100 * x.relative:+.1f}% | "
            f"[{100 * x.low:+.1f}%, {100 * x.high:+.1f}%] | {x.p_value:.2g} |"
        )
    lines += [
        "",
        f"- users {control.users:,} / {treatment.users:,} (SRM p = {ab.srm_p_value:.2f}); "
        f"offline HitRate@{config.k} on the same history: shopgraph "
        f"{result.offline['shopgraph']:.4f}, popularity {result.offline['popularity']:.4f}, "
        f"ratio {offline_ratio:.2f}; online clicks per request (the online hit rate): "
        f"shopgraph {hits['shopgraph']:.4f}, popularity {hits['popularity']:.4f}, ratio "
        f"{online_ratio:.2f}; CTR ratio {ab.lifts['shopgraph']['ctr'].relative + 1:.2f}",
        f"- first requests, the same cart and target (the rest of the basket): offline "
        f"shopgraph {first_offline['shopgraph']:.4f}, popularity "
        f"{first_offline['popularity']:.4f}, ratio {first_offline_ratio:.2f}; online "
        f"shopgraph {first_online['shopgraph']:.4f}, popularity "
        f"{first_online['popularity']:.4f}, ratio {first_online_ratio:.2f} "
        f"({' / '.join(f'{asked:,}' for _, asked in result.ab.first_requests.values())} "
        "shoppers asked)",
        f"- A/A, p < 0.05 over {result.aa_runs.runs} runs (one replay relabeled by "
        f"{result.aa_runs.runs} salts; 95% binomial half-width in brackets): "
        + ", ".join(
            f"{_NAMES[m]} {_binomial_interval(r, result.aa_runs.runs)}"
            for m, r in result.aa_runs.false_positives.items()
        )
        + f"; SRM flagged in {100 * result.aa_runs.srm_flags:.1f}% of runs",
        f"- the same over {more.runs:,} runs: "
        + ", ".join(
            f"{_NAMES[m]} {_binomial_interval(r, more.runs)}"
            for m, r in more.false_positives.items()
        )
        + f"; SRM flagged in {100 * more.srm_flags:.2f}%",
        f"- skewed assignment (55/45 against 50/50): users "
        f"{' / '.join(f'{v.users:,}' for v in result.skewed.variants)}, SRM p = "
        f"{result.skewed.srm_p_value:.2g}: {'flagged' if result.skewed.srm else 'NOT flagged'}",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    append_results(text)


if __name__ == "__main__":
    main()
