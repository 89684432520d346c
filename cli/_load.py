"""``shopgraph load rees46|baskets|csv FILE``: batched, idempotent, resumable loads."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from shopgraph.cli._common import (
    LoadBar,
    add_connection_flags,
    print_json,
    settings_from,
    show_progress,
    table,
)
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.loading import ChunkWriter, LoadOptions, LoadReport
from shopgraph.loaders.mapping import ColumnMapping


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("load", help="load a file into the graph")
    kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
    rees46 = kinds.add_parser("rees46", help="REES46 / Open CDP events (.csv or .csv.gz)")
    baskets = kinds.add_parser(
        "baskets", help="orders with items: basket form (a line per order) or long form"
    )
    baskets.add_argument("--namespace", help="prefix of order ids (basket form: the file name)")
    baskets.add_argument("--mapping", type=Path, help="TOML column mapping of a long-form file")
    csv = kinds.add_parser("csv", help="your own event CSV, through a TOML column mapping")
    csv.add_argument("--mapping", type=Path, required=True, help="TOML column mapping")
    for sub in (rees46, baskets, csv):
        sub.add_argument("file", type=Path, help="the input file")
        sub.add_argument("--strict", action="store_true", help="stop at the first bad row")
        sub.add_argument(
            "--chunk-size",
            type=int,
            default=LoadOptions.chunk_size,
            help=f"rows per transaction (default {LoadOptions.chunk_size:,})",
        )
        sub.add_argument("--rejects", type=Path, help="reject file (FILE.rejects.csv here)")
        sub.add_argument(
            "--writer",
            choices=[w.value for w in ChunkWriter],
            default=ChunkWriter.PROCEDURE.value,
            help="procedure: the plugin's shopgraph.load.chunk (fast); cypher: the MERGE "
            "statements, for a Neo4j without the plugin (same graph)",
        )
        sub.add_argument("--json", action="store_true", help="print the report as JSON")
        sub.add_argument(
            "--no-progress",
            action="store_true",
            help="no progress bar (there is none when stderr is not a terminal)",
        )
        sub.add_argument(
            "--no-refresh",
            action="store_true",
            help="skip recomputing bundle masses and the walk projection after the load",
        )
        add_connection_flags(sub)
        sub.set_defaults(run=_load)


def _load(args: argparse.Namespace) -> int:
    bar = LoadBar(f"load {args.kind}", enabled=show_progress(args))
    options = LoadOptions(
        strict=args.strict,
        chunk_size=args.chunk_size,
        rejects=args.rejects,
        progress=bar,
        writer=ChunkWriter(args.writer),
    )
    try:
        with ShopGraph.connect(settings_from(args)) as shop:
            if args.kind == "rees46":
                report = shop.load_rees46(args.file, options)
            elif args.kind == "baskets":
                mapping = ColumnMapping.from_toml(args.mapping) if args.mapping else None
                report = shop.load_baskets(
                    args.file, options, mapping=mapping, namespace=args.namespace
                )
            else:
                report = shop.load_csv(args.file, args.mapping, options)
            bar.close()
            refreshed = None if args.no_refresh else shop.refresh()
    finally:
        bar.close()
    if args.json:
        print_json(report)
        return 0
    print(_describe(report))
    if refreshed is not None:
        bundles, walks = refreshed
        print(
            f"Refreshed for serving: bundle masses of {bundles.items:,} items over "
            f"{bundles.baskets:,} baskets ({bundles.millis:,} ms); walk projection of "
            f"{walks.nodes:,} nodes ({walks.millis:,} ms)."
        )
    return 0


def _describe(report: LoadReport) -> str:
    if report.already_loaded:
        return (
            f"{report.file} was already loaded completely (load {report.load_id[:12]}); "
            "nothing changed.\n"
            + table(
                [
                    ("rows read", report.rows_read),
                    ("rows loaded", report.rows_loaded),
                    ("rows rejected", report.rows_rejected),
                ]
            )
        )
    rows = [
        ("rows read", report.rows_read),
        ("rows loaded", report.rows_loaded),
        ("rows rejected", report.rows_rejected),
        ("nodes created", report.nodes_created),
        ("relationships created", report.relationships_created),
        ("properties set", report.properties_set),
        ("chunks", report.chunks),
        ("seconds", report.seconds),
        ("rows per second", report.rows_per_second),
    ]
    if report.chunks_resumed:
        rows.insert(6, ("chunks resumed", report.chunks_resumed))
    text = f"Loaded {report.file} ({report.kind}):\n" + table(rows)
    if report.rejects_file is not None:
        text += f"\nRejected rows are listed in {report.rejects_file}"
    return text
