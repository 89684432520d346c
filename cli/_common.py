"""Helpers shared by the sub-commands: settings from flags, flag types, JSON output, progress
bars, tables."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm

from shopgraph.core.settings import Settings
from shopgraph.graph.loading import LoadProgress


def add_connection_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--uri", help="Neo4j URI (default: NEO4J_URI, else the embedded server)")
    parser.add_argument("--database", help="database name (default: NEO4J_DATABASE or neo4j)")


def aware_datetime(text: str) -> datetime:
    """The argparse type of a time flag: an ISO date-time with a timezone."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date-time: {text!r}") from None
    if value.utcoffset() is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} must carry a timezone, e.g. 2024-03-01T00:00:00+00:00"
        )
    return value


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings.from_env().with_overrides(
        uri=getattr(args, "uri", None), database=getattr(args, "database", None)
    )


def show_progress(args: argparse.Namespace) -> bool:
    """Whether to draw progress bars: on a terminal, unless ``--no-progress`` or ``--json``."""
    quiet = getattr(args, "no_progress", False) or getattr(args, "json", False)
    return not quiet and sys.stderr.isatty()


def print_json(value: Any) -> None:
    print(json.dumps(_plain(value), indent=2, sort_keys=True))


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


class LoadBar:
    """A tqdm bar over the input's bytes, with rows/s and rejects in its postfix."""

    def __init__(self, label: str, enabled: bool) -> None:
        self._bar: tqdm[Any] | None = None
        self._label = label
        self._enabled = enabled

    def __call__(self, progress: LoadProgress) -> None:
        if not self._enabled:
            return
        if self._bar is None:
            self._bar = tqdm(
                total=progress.bytes_total,
                unit="B",
                unit_scale=True,
                desc=self._label,
                file=sys.stderr,
                dynamic_ncols=True,
            )
        self._bar.update(progress.bytes_done - self._bar.n)
        rate = progress.rows_read / progress.seconds if progress.seconds else 0.0
        self._bar.set_postfix(
            rows=f"{progress.rows_read:,}", rows_s=f"{rate:,.0f}", rejected=progress.rows_rejected
        )

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


class StageBars:
    """A tqdm bar per stage of a long job, fed ``(stage, done, total)`` as library progress
    callbacks give it; a bar closes when its stage is done. Draws nothing when disabled."""

    def __init__(self, unit: str, enabled: bool) -> None:
        self._bars: dict[str, tqdm[Any]] = {}
        self._unit = unit
        self._enabled = enabled

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self._enabled:
            return
        bar = self._bars.get(stage)
        if bar is None:
            bar = tqdm(total=total, desc=stage, unit=self._unit, file=sys.stderr)
            self._bars[stage] = bar
        bar.update(done - bar.n)
        if done == total:
            bar.close()


def table(rows: list[tuple[str, Any]]) -> str:
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"  {k:<{width}}  {_fmt(v)}" for k, v in rows)


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)
