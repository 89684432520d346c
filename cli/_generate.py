"""``shopgraph generate --events N --seed S --out FILE``: a SYNTHETIC shop, for scale tests."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm

from shopgraph.cli._common import print_json, show_progress, table
from shopgraph.loaders.generate import SyntheticShopConfig, generate_events


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "generate",
        help="write a synthetic REES46-format event file (for scale and speed tests only)",
    )
    parser.add_argument("--events", type=int, required=True, help="number of events")
    parser.add_argument("--seed", type=int, default=0, help="random seed (0)")
    parser.add_argument("--out", type=Path, required=True, help="output file (.csv or .csv.gz)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(run=_generate)


def _generate(args: argparse.Namespace) -> int:
    try:
        config = SyntheticShopConfig(events=args.events, seed=args.seed)
    except ValueError as e:
        print(f"shopgraph: error: {e}", file=sys.stderr)
        return 2
    with tqdm(
        total=args.events,
        unit="ev",
        unit_scale=True,
        desc="generate",
        disable=not show_progress(args),
    ) as bar:

        def advance(written: int) -> None:
            bar.update(written - bar.n)

        report = generate_events(args.out, config, progress=advance)
    if args.json:
        print_json(report)
    else:
        print(f"Wrote {report.path}: SYNTHETIC data, for scale and speed tests only.")
        print(
            table(
                [
                    ("events", report.events),
                    ("users", report.users),
                    ("items", report.items),
                    ("sessions", report.sessions),
                    ("orders", report.orders),
                    ("seconds", report.seconds),
                ]
            )
        )
    return 0
