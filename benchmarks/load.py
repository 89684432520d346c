"""Load speed and loader memory: 1M generated events, 250k generated events, the REES46 sample.

Each load runs the real CLI (`shopgraph load rees46`) in its own process against a fresh
embedded Neo4j on this machine, and records events per second, the CPU seconds of the loader
process and of the Neo4j process during the load (user + system, all threads: on a shared
machine they say more than wall time), and the loader's peak memory (max RSS of the loader
process; Neo4j's own memory is not the loader's). In the same run, as
baselines: the parser alone (no Neo4j), which bounds what the loader could reach, the 1M load
with the reference Cypher MERGE writer (``--writer cypher``; the default writes through the
plugin's ``shopgraph.load.chunk``), and a 250k-event load, whose peak memory must equal the 1M
one's for memory to be flat in file size.

    python benchmarks/load.py [--events 1000000] [--chunk-size 10000] [--no-cypher-baseline]
                              [--compare-chunk-size 20000]

``--compare-chunk-size`` loads the 1M file once more with that chunk size, in the same run.

Results are printed and appended to benchmarks/RESULTS.md. The 1M-event file is SYNTHETIC
(``shopgraph generate``), calibrated on the REES46 sample; the sample is real.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from _common import HERE, append_results, free_port, generated, machine

from shopgraph.core.settings import Settings
from shopgraph.graph import server
from shopgraph.graph.loading import LoadOptions
from shopgraph.loaders.rees46 import rees46_source

SAMPLE = HERE.parent / "loaders" / "samples" / "rees46-2019-10-01-head.csv.gz"


#: Runs the CLI, then prints the process's peak RSS (KiB) and CPU seconds (user + system, all
#: threads) as the last line of stderr.
_MEASURED_CLI = (
    "import resource, sys\n"
    "from shopgraph.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "usage = resource.getrusage(resource.RUSAGE_SELF)\n"
    "print('peak_rss_kib', usage.ru_maxrss, usage.ru_utime + usage.ru_stime, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def _cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system, all threads) a running process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _parse_only(path: Path, chunk_size: int) -> tuple[float, float]:
    """Events per second and CPU seconds of parsing and aggregating alone (no Neo4j)."""
    started, cpu = time.perf_counter(), time.process_time()
    rows = sum(chunk.rows_read for chunk in rees46_source(path).chunks(chunk_size))
    return rows / (time.perf_counter() - started), time.process_time() - cpu


def _load(path: Path, chunk_size: int, work: Path, writer: str = "procedure") -> dict[str, float]:
    """Loads ``path`` with the CLI into a fresh embedded Neo4j; returns the measurements."""
    settings = Settings(home=work / f"neo4j-{path.stem}-{writer}-{chunk_size}", port=free_port())
    pid = server.start(settings).pid
    if pid is None:
        raise RuntimeError(f"The embedded Neo4j at {settings.bolt_uri} reports no process id.")
    try:
        env = {**os.environ, "NEO4J_URI": settings.bolt_uri}
        env.pop("NEO4J_PASSWORD", None)
        server_cpu = _cpu_seconds(pid)
        started = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                _MEASURED_CLI,
                "load",
                "rees46",
                str(path),
                "--json",
                "--chunk-size",
                str(chunk_size),
                "--rejects",
                str(work / "rejects.csv"),
                "--no-refresh",
                "--writer",
                writer,
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        seconds = time.perf_counter() - started
        server_cpu = _cpu_seconds(pid) - server_cpu
    finally:
        server.stop(settings)
    report = json.loads(done.stdout)
    _, peak_kib, loader_cpu = done.stderr.strip().splitlines()[-1].split()
    return {
        "events": report["rows_read"],
        "seconds": seconds,
        "events_per_s": report["rows_read"] / seconds,
        "peak_rss_mib": int(peak_kib) / 1024,
        "loader_cpu": float(loader_cpu),
        "server_cpu": server_cpu,
        "nodes": report["nodes_created"],
        "relationships": report["relationships_created"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--chunk-size", type=int, default=LoadOptions.chunk_size)
    parser.add_argument(
        "--compare-chunk-size",
        type=int,
        action="append",
        default=[],
        help="also load the big file with this chunk size (repeatable)",
    )
    parser.add_argument(
        "--no-cypher-baseline",
        action="store_true",
        help="skip the 1M load with the Cypher MERGE writer",
    )
    args = parser.parse_args()

    big = generated(args.events, seed=1)
    small = generated(args.events // 4, seed=2)
    load_at_start = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="shopgraph-bench-") as tmp:
        work = Path(tmp)
        parse_rate, parse_cpu = _parse_only(big, args.chunk_size)
        sample = _load(SAMPLE, args.chunk_size, work)
        quarter = _load(small, args.chunk_size, work)
        full = _load(big, args.chunk_size, work)
        compared = [(size, _load(big, size, work)) for size in args.compare_chunk_size]
        reference = None if args.no_cypher_baseline else _load(big, args.chunk_size, work, "cypher")

    command = "python benchmarks/load.py " + " ".join(sys.argv[1:])
    lines = [
        f"\n## Load speed and loader memory ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)\n",
        f"- machine: {machine()} (at start: {load_at_start}); Neo4j 5.26 embedded on the same "
        "machine (heap 2g, page cache 1g)",
        f"- command: `{command.strip()}` (chunk size {args.chunk_size})",
        "",
        "| input | events | seconds | events/s | loader CPU s | Neo4j CPU s "
        "| loader peak RSS (MiB) | nodes | relationships |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows = [
        ("REES46 sample (real)", sample),
        (f"synthetic {args.events // 4:,}", quarter),
        (f"synthetic {args.events:,}", full),
    ]
    rows += [(f"synthetic {args.events:,}, chunk size {size:,}", m) for size, m in compared]
    if reference is not None:
        rows.append((f"synthetic {args.events:,}, Cypher MERGE writer (baseline)", reference))
    for name, m in rows:
        lines.append(
            f"| {name} | {m['events']:,.0f} | {m['seconds']:.1f} | {m['events_per_s']:,.0f} "
            f"| {m['loader_cpu']:.1f} | {m['server_cpu']:.1f} "
            f"| {m['peak_rss_mib']:.0f} | {m['nodes']:,.0f} | {m['relationships']:,.0f} |"
        )
    lines += [
        "",
        "- writer: the plugin's shopgraph.load.chunk, except the baseline row (--writer cypher)",
        f"- baseline in the same run, parsing and aggregating alone (no Neo4j): "
        f"{parse_rate:,.0f} events/s, {parse_cpu:.1f} CPU s",
        f"- goal: >= 50,000 events/s over 1M events: "
        f"{'met' if full['events_per_s'] >= 50_000 else 'NOT met'} "
        f"({full['events_per_s']:,.0f} events/s)",
        f"- memory flat in file size: peak RSS {quarter['peak_rss_mib']:.0f} MiB at "
        f"{args.events // 4:,} events vs {full['peak_rss_mib']:.0f} MiB at {args.events:,}",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    append_results(text)


if __name__ == "__main__":
    main()
