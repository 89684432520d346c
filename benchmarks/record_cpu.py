"""Server CPU per recorded event: Neo4j's CPU seconds per 10,000 events of ``ShopGraph.record``.

CPU time of the server process (``/proc/PID/stat``) depends far less on other load on the
machine than wall-clock throughput does (not at all on time spent waiting for a core, a little
on caches and cores shared with others); this script measures it for one or more builds of the
plugin in the same run, in turn, on the same graph and the same events:

1. The shop of ``benchmarks/live.py`` (SYNTHETIC, ``shopgraph generate`` seed 1): its first
   ``--events`` rows are loaded once into a server home kept under ``out/`` (later runs reuse
   it), the rest is the stream.
2. For each round and each build: a copy of that home is started with the build's launcher and
   plugin, ``refresh`` builds the serving state (pair index, walk projection: the change feed's
   subscribers), ``--warmup`` events of the stream are recorded (JIT), then ``--writers``
   processes record the next
   ``--record`` events in batches of ``--batch`` as fast as they go, and the server's CPU is
   read from just before they start until it settles after they stop (a second with under
   ``--settle`` CPU seconds: the background merges of the changes are done).
3. Reported per run: events, server CPU seconds, and CPU seconds per 10,000 events of all
   threads, of all but the JIT compilers, of the Bolt workers (the calls themselves: the
   steadiest figure) and of shopgraph's own threads (background merges and builds of serving
   state, paced by time rather than by events, so their share per event varies from run to
   run), with the top thread groups (``/proc`` thread names, trailing digits dropped), and
   what the bundle pair index did in the window (``shopgraph.bundle.status``: merges, those
   with session changes, items recomputed, merge seconds, full builds).

A build is a Maven project folder (``cypher/`` of a checkout) whose ``launcher/target`` holds
the built launcher and plugin; the server is started by ``shopgraph.graph.server.start`` with
its project folder pointed there.

    python benchmarks/record_cpu.py [--build base=../base/cypher --build new=cypher]
        [--events 1000000] [--record 100000] [--rounds 2] [--jfr DIR] [--no-append]

``--jfr DIR`` also records a JFR profile (settings=profile) of each measured window into DIR;
the profiler's own cost then counts in the CPU figures (and the JIT works far more under it),
so compare CPU figures only between runs without it. Results are printed and appended to
benchmarks/RESULTS.md (not with ``--no-append``).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

from _common import OUT, append_results, free_port, generated, machine
from live import _split, record

from shopgraph.core.settings import Settings
from shopgraph.graph import server
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.loading import LoadOptions
from shopgraph.loaders.records import Event, EventGroup
from shopgraph.loaders.rees46 import rees46_source

_TICK = os.sysconf("SC_CLK_TCK")
# Thread groups (names as /proc gives them, 15 characters at most).
_JIT = ("C2 CompilerThre", "C1 CompilerThre")
_BOLT = "neo4j.BoltWorke"
_SHOPGRAPH = "shopgraph-"
# Counters of shopgraph.bundle.status, differenced over the measured window.
_INDEX = ("merges", "itemsMerged", "mergeMillis", "sessionMerges", "builds")


@dataclass(frozen=True)
class Build:
    name: str
    project: Path


@dataclass
class Run:
    build: str
    round: int
    events: int
    seconds: float
    cpu: float
    threads: dict[str, float]
    index: dict[str, int]  # what the pair index's merges and builds did in the window

    @property
    def per_10k(self) -> float:
        return self.cpu / self.events * 10_000

    def group_per_10k(self, *prefixes: str, exclude: bool = False) -> float:
        """CPU s per 10,000 events of the thread groups named by ``prefixes`` (or the rest)."""
        chosen = sum(
            value
            for name, value in self.threads.items()
            if any(name.startswith(p) for p in prefixes) != exclude
        )
        return chosen / self.events * 10_000


# --- the server's CPU ---------------------------------------------------------------------------


def _ticks(stat: str) -> int:
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def _cpu(pid: int) -> float:
    return _ticks(Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")) / _TICK


def _threads(pid: int) -> dict[str, float]:
    """CPU seconds per thread group (the thread's name, digits and trailing dashes dropped)."""
    out: dict[str, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            stat = (task / "stat").read_text(encoding="utf-8")
        except FileNotFoundError:
            continue  # the thread ended meanwhile
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        group = re.sub(r"[\d\-#\[\]]+$", "", name).strip() or name
        out[group] = out.get(group, 0.0) + _ticks(stat) / _TICK
    return out


def _settle(pid: int, quiet: float, limit: float) -> None:
    """Waits until a second passes with under ``quiet`` CPU seconds of the server."""
    deadline = time.monotonic() + limit
    before = _cpu(pid)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = _cpu(pid)
        if now - before < quiet:
            return
        before = now


# --- writers ------------------------------------------------------------------------------------


def _write_worker(settings: Settings, batches: list[list[Event]], start: float) -> int:
    with ShopGraph.connect(settings) as shop:
        shop.ensure_schema()
        while time.time() < start:
            time.sleep(0.001)
        for batch in batches:
            record(shop, batch)
    return sum(len(b) for b in batches)


def _record(settings: Settings, events: list[Event], writers: int, batch: int) -> float:
    """Records ``events`` from ``writers`` processes; returns the seconds from start to end."""
    batches = [events[i : i + batch] for i in range(0, len(events), batch)]
    per_writer = [batches[w::writers] for w in range(writers)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(writers, mp_context=context) as pool:
        start = time.time() + 5.0  # the processes start and connect meanwhile
        futures = [pool.submit(_write_worker, settings, part, start) for part in per_writer]
        for future in futures:
            future.result()
    return time.time() - start


# --- one measurement ----------------------------------------------------------------------------


def _template(events: int, base: Path, build: Build, args: argparse.Namespace) -> Path:
    """A server home holding the loaded base shop, made once (with ``build``) and kept."""
    home = OUT / f"record-cpu-home-{events}"
    if (home / "loaded").exists():
        return home
    shutil.rmtree(home, ignore_errors=True)
    settings = Settings(home=home, port=free_port(), heap=args.heap, pagecache=args.pagecache)
    with _started(settings, build), ShopGraph.connect(settings) as shop:
        shop.ensure_schema()
        shop.load_rees46(base, LoadOptions(rejects=home / "rejects.csv"))
    (home / "loaded").touch()
    return home


class _started:
    """The server of ``settings`` started with ``build``'s jars, stopped on exit; yields its pid."""

    def __init__(self, settings: Settings, build: Build) -> None:
        self.settings = settings
        self.build = build

    def __enter__(self) -> int:
        with mock.patch.object(server, "_project_dir", return_value=self.build.project):
            status = server.start(self.settings)
        if status.pid is None:
            raise RuntimeError("The server started without a pid.")
        return status.pid

    def __exit__(self, *exc: object) -> None:
        server.stop(self.settings)


def _measure(
    template: Path, build: Build, round_: int, stream: list[Event], args: argparse.Namespace
) -> Run:
    with tempfile.TemporaryDirectory(prefix="shopgraph-cpu-") as folder:
        home = Path(folder) / "home"
        shutil.copytree(
            template, home, ignore=shutil.ignore_patterns("neo4j.pid", "launcher.log", "build")
        )
        settings = Settings(home=home, port=free_port(), heap=args.heap, pagecache=args.pagecache)
        with _started(settings, build) as pid, ShopGraph.connect(settings) as shop:
            shop.refresh()
            _record(settings, stream[: args.warmup], args.writers, args.batch)
            _settle(pid, args.settle, 120.0)
            measured = stream[args.warmup : args.warmup + args.record]
            jfr = None
            if args.jfr is not None:
                args.jfr.mkdir(parents=True, exist_ok=True)
                jfr = args.jfr.resolve() / f"record-{build.name}-{round_}.jfr"
                subprocess.run(
                    [
                        "jcmd",
                        str(pid),
                        "JFR.start",
                        "name=record",
                        "settings=profile",
                        f"filename={jfr}",
                    ],
                    check=True,
                    capture_output=True,
                )
            threads_before = _threads(pid)
            index_before = _index(shop)
            before = _cpu(pid)
            began = time.time()
            _record(settings, measured, args.writers, args.batch)
            _settle(pid, args.settle, 120.0)
            cpu = _cpu(pid) - before
            seconds = time.time() - began
            threads_after = _threads(pid)
            index_after = _index(shop)
            if jfr is not None:
                subprocess.run(
                    ["jcmd", str(pid), "JFR.stop", "name=record"], check=True, capture_output=True
                )
    threads = {
        name: value - threads_before.get(name, 0.0)
        for name, value in threads_after.items()
        if value - threads_before.get(name, 0.0) >= 0.05
    }
    index = {key: index_after[key] - index_before[key] for key in _INDEX}
    return Run(build.name, round_, len(measured), seconds, cpu, threads, index)


def _index(shop: ShopGraph) -> dict[str, int]:
    """The pair index's counters of merges and builds since the server started."""
    rows = shop.runner.read("call_bundle_status")
    if not rows:
        raise RuntimeError("The bundle pair index was not built; is the shop refreshed?")
    return {key: int(rows[0][key]) for key in _INDEX}


# --- report -------------------------------------------------------------------------------------


def _report(runs: list[Run], args: argparse.Namespace) -> str:
    command = "python benchmarks/record_cpu.py " + " ".join(sys.argv[1:])
    lines = [
        f"\n## Server CPU per recorded event ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)\n",
        f"- machine: {machine()}",
        f"- command: `{command.strip()}`",
        f"- builds: {', '.join(f'{b.name} = {b.project}' for b in args.build)}",
        f"- {args.events:,} events loaded; per run {args.warmup:,} events of warm-up, then "
        f"{args.record:,} measured, {args.writers} writers, batches of {args.batch}"
        + ("; JFR profiling on" if args.jfr else ""),
        "",
        "CPU s per 10,000 events: all threads; less the JIT compiler threads; the Bolt workers "
        "(the calls themselves); the shopgraph threads (background merges and builds of serving "
        "state).",
        "",
        "Pair index in the window: merges (of them with sessions), items recomputed, merge "
        "seconds, full builds.",
        "",
        "| build | round | events | CPU s | all | less JIT | Bolt workers | shopgraph | "
        "pair index | top thread groups (CPU s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for run in runs:
        top = sorted(run.threads.items(), key=lambda kv: -kv[1])[:6]
        lines.append(
            f"| {run.build} | {run.round} | {run.events:,} | {run.cpu:.1f} | {run.per_10k:.2f} | "
            f"{run.per_10k - run.group_per_10k(*_JIT):.2f} | "
            f"{run.group_per_10k(_BOLT):.2f} | {run.group_per_10k(_SHOPGRAPH):.2f} | "
            f"{run.index['merges']:,} ({run.index['sessionMerges']}), "
            f"{run.index['itemsMerged']:,}, {run.index['mergeMillis'] / 1000:.1f} s, "
            f"{run.index['builds']} | "
            + ", ".join(f"{name} {value:.1f}" for name, value in top)
            + " |"
        )
    lines.append("")
    for build in args.build:
        mine = [r for r in runs if r.build == build.name]
        if mine:
            lines.append(
                f"- {build.name}, mean of {len(mine)} runs, CPU s per 10,000 events: all "
                f"{_mean(r.per_10k for r in mine):.2f}, less JIT "
                f"{_mean(r.per_10k - r.group_per_10k(*_JIT) for r in mine):.2f}, Bolt workers "
                f"{_mean(r.group_per_10k(_BOLT) for r in mine):.2f}, shopgraph threads "
                f"{_mean(r.group_per_10k(_SHOPGRAPH) for r in mine):.2f}"
            )
    return "\n".join(lines) + "\n"


def _mean(values: Iterable[float]) -> float:
    items = list(values)
    return sum(items) / len(items)


def _build(text: str) -> Build:
    name, _, folder = text.partition("=")
    project = Path(folder).resolve()
    if not name or not (project / "pom.xml").exists():
        raise argparse.ArgumentTypeError(f"--build takes NAME=MAVEN_PROJECT_FOLDER, got {text!r}.")
    return Build(name, project)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--build", type=_build, action="append", help="NAME=FOLDER (default: this checkout)"
    )
    parser.add_argument("--events", type=int, default=1_000_000, help="events loaded first")
    parser.add_argument("--stream", type=int, default=800_000, help="the live benchmark's stream")
    parser.add_argument("--warmup", type=int, default=20_000)
    parser.add_argument("--record", type=int, default=100_000, help="measured events per run")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--settle", type=float, default=0.1, help="CPU s in a quiet second")
    parser.add_argument("--heap", default="4g")
    parser.add_argument("--pagecache", default="2g")
    parser.add_argument("--jfr", type=Path, default=None)
    parser.add_argument("--no-append", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args(argv)
    if not args.build:
        args.build = [_build(f"this={Path(__file__).resolve().parent.parent / 'cypher'}")]
    if args.warmup + args.record > args.stream:
        parser.error("--warmup plus --record must not exceed --stream.")
    base, rest = _split(generated(args.events + args.stream, seed=1), args.events, args.stream)
    stream: list[Event] = []
    for record_ in rees46_source(rest).records():
        if isinstance(record_, EventGroup):
            stream.extend(record_)
        elif isinstance(record_, Event):
            stream.append(record_)
    template = _template(args.events, base, args.build[0], args)
    runs = []
    for round_ in range(1, args.rounds + 1):
        for build in args.build:
            runs.append(_measure(template, build, round_, stream, args))
            last = runs[-1]
            print(
                f"{last.build} round {last.round}: {last.per_10k:.2f} CPU s per 10,000 events",
                flush=True,
            )
    text = _report(runs, args)
    print(text)
    if not args.no_append:
        append_results(text)


if __name__ == "__main__":
    main()
