"""Helpers shared by the benchmark scripts: synthetic inputs, the machine line, RESULTS.md."""

from __future__ import annotations

import argparse
import os
import platform
import socket
from pathlib import Path

from shopgraph.loaders.generate import SyntheticShopConfig, generate_events

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
RESULTS = HERE / "RESULTS.md"


def add_data_argument(parser: argparse.ArgumentParser) -> None:
    """``--data``: the datasets folder, default ``$SHOPGRAPH_DATA`` or ``shared/data`` beside
    the checkout."""
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get("SHOPGRAPH_DATA", HERE.parent.parent / "shared" / "data")),
        help="the datasets folder (default $SHOPGRAPH_DATA or ../shared/data beside the checkout)",
    )


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def generated(events: int, seed: int) -> Path:
    """A SYNTHETIC REES46-format event file (``shopgraph generate``), cached under out/."""
    path = OUT / f"synthetic-{events}-seed{seed}.csv.gz"
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        generate_events(path, SyntheticShopConfig(events=events, seed=seed))
    return path


def machine() -> str:
    """One line naming the machine and its load when the benchmark ran."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{platform.node()}, {os.cpu_count()} cores, {platform.machine()}, "
        f"Python {platform.python_version()}, load average {load}"
    )


def append_results(text: str) -> None:
    """Appends a section to benchmarks/RESULTS.md."""
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmark results\n", encoding="utf-8")
    with RESULTS.open("a", encoding="utf-8") as f:
        f.write(text)
