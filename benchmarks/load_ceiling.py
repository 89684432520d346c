"""The ceiling of transactional loading: the graph of 1M generated events created in-process.

Writes the chunks of the 1M-event SYNTHETIC file (the rows the loader sends to
``shopgraph.load.chunk``, one JSON line per chunk) and runs the Java class ``LoadCeiling``
(``cypher/plugin/src/test/java/io/shopgraph/plugin/load/``) once per variant, each in a fresh
JVM (heap 2g, ParallelGC, as the embedded server) on an empty database: no Bolt, no Cypher, no
Python while it writes. Variants, each dropping one more part of the work:

- ``shipped``: the plugin's ChunkWriter with the schema's constraints and indexes;
- ``map-lookups``: the same graph, node ids from an in-memory map instead of index seeks;
- ``no-schema``: the same graph without constraints and indexes;
- ``keys-only``: no schema and only the business keys as properties (the structure alone).

    python benchmarks/load_ceiling.py [--events 1000000] [--chunk-size 10000] [--repeat 1]
        [--variant shipped ...] [--conf db.some.setting=value ...]

Results (seconds, CPU seconds of the writing thread, of garbage collection and of the JIT
compilers, store and transaction log sizes) are printed and appended to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from _common import HERE, append_results, generated, machine

from shopgraph.graph.loading import LoadOptions
from shopgraph.loaders.rees46 import rees46_source

VARIANTS = ("shipped", "map-lookups", "no-schema", "keys-only")
PROJECT = HERE.parent / "cypher"


def _chunks(path: Path, chunk_size: int, folder: Path) -> Path:
    """Writes the chunk rows of ``path`` as JSON lines into ``folder``.

    Not cached under out/: their shape follows the loader's.
    """
    target = folder / f"{path.name.removesuffix('.csv.gz')}-chunks{chunk_size}.jsonl"
    with target.open("w", encoding="utf-8") as f:
        for chunk in rees46_source(path).chunks(chunk_size):
            rows = {"events": chunk.rows_read, **dataclasses.asdict(chunk.batch)}
            f.write(json.dumps(rows) + "\n")
    return target


def _classpath() -> str:
    """The plugin's test classpath, built with Maven."""
    listing = PROJECT / "plugin" / "target" / "test.classpath"
    subprocess.run(
        [
            "mvn",
            "-q",
            "-B",
            "-f",
            str(PROJECT / "pom.xml"),
            "-pl",
            "plugin",
            "test-compile",
            "dependency:build-classpath",
            "-Dmdep.includeScope=test",
            f"-Dmdep.outputFile={listing}",
        ],
        check=True,
    )
    target = PROJECT / "plugin" / "target"
    return os.pathsep.join(
        [str(target / "test-classes"), str(target / "classes"), listing.read_text().strip()]
    )


def _run(variant: str, chunks: Path, classpath: str, conf: list[str]) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="shopgraph-ceiling-") as home:
        done = subprocess.run(
            [
                "java",
                "-Xmx2g",
                "-XX:+UseParallelGC",
                "-cp",
                classpath,
                "io.shopgraph.plugin.load.LoadCeiling",
                variant,
                str(chunks),
                home,
                *conf,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    line = next(x for x in done.stdout.splitlines() if x.startswith("CEILING "))
    result: dict[str, object] = json.loads(line.removeprefix("CEILING "))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--chunk-size", type=int, default=LoadOptions.chunk_size)
    parser.add_argument("--repeat", type=int, default=1, help="rounds over the variants")
    parser.add_argument("--variant", action="append", choices=VARIANTS, help="default: all")
    parser.add_argument("--conf", action="append", default=[], help="a Neo4j setting key=value")
    args = parser.parse_args()

    classpath = _classpath()
    with tempfile.TemporaryDirectory(prefix="shopgraph-ceiling-") as folder:
        chunks = _chunks(generated(args.events, seed=1), args.chunk_size, Path(folder))
        load_at_start = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        results = [
            _run(variant, chunks, classpath, args.conf)
            for _ in range(args.repeat)
            for variant in args.variant or VARIANTS
        ]

    command = "python benchmarks/load_ceiling.py " + " ".join(sys.argv[1:])
    now = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    lines = [
        f"\n## Load ceiling: the graph of a load created in-process ({now})\n",
        f"- machine: {machine()} (at start: {load_at_start}); one JVM per row (heap 2g, "
        "ParallelGC, page cache 1g), empty database, one transaction per chunk",
        f"- command: `{command.strip()}` (SYNTHETIC {args.events:,} events, chunk size "
        f"{args.chunk_size:,})",
        "",
        "| variant | seconds | events/s | write s | commit s | CPU s: writer | GC | JIT "
        "| store MiB | tx log MiB | nodes | relationships |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        seconds = float(str(r["seconds"]))
        lines.append(
            f"| {r['variant']} | {seconds:.1f} | {int(str(r['events'])) / seconds:,.0f} "
            f"| {r['write_s']:.1f} | {r['commit_s']:.1f} | {r['cpu_main']:.1f} "
            f"| {r['cpu_gc']:.1f} | {r['cpu_jit']:.1f} | {r['store_mib']:.0f} "
            f"| {r['tx_log_mib']:.0f} | {r['nodes']:,} | {r['relationships']:,} |"
        )
    if args.conf:
        lines += ["", f"- Neo4j settings: {', '.join(args.conf)}"]
    text = "\n".join(lines) + "\n"
    print(text)
    append_results(text)


if __name__ == "__main__":
    main()
