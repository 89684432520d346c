"""The live shop (issue 12): record latency, ingest beside serving, freshness, memory.

A shop is split in two: the first part is loaded into a fresh embedded Neo4j with
``shopgraph load`` semantics and refreshed once; the rest is the live stream, recorded event
by event or in batches, in file order. Shops (``--graph``):

- ``synthetic`` (default): for each size (1M and 10M events by default), a SYNTHETIC shop of
  ``shopgraph generate`` (seed 1) of that many events plus ``--stream`` more;
- ``uci``: UCI Online Retail, real invoices (large baskets, skewed item degrees; the file has
  no users and no times): the first ``--loaded-share`` of the invoices loaded as anonymous
  orders (``load_baskets``), the order lines of the later invoices of kind order recorded as
  purchases, each invoice its own session and order, a minute apart. Without users, the
  readers call ``bundle`` only.

Measured on each:

- **record**: one event per call, through the client, ``--single`` timed calls after as
  many warm-up calls (p50, p99);
- **sustained**: ``--writers`` processes record batches of ``--batch`` events while
  ``--readers`` processes call ``bundle`` (3-item carts of loaded orders) and
  ``recommend`` (users who bought) in turn, each reader ``--read-rate`` calls per second, for
  ``--seconds``; once with the writers paced to ``--rate`` events/s in all, once as fast as
  they go (events/s; serving p50/p99 under that load); every process has its own client;
- **freshness**: from a ``record`` call returning to the change visible in ``bundle`` (the
  other item of a new two-item order in the bundle of the first, k = 1000, the first an item
  with under 500 partners so that any new pair shows; polled every 5 ms, then at 5 % of the
  wait), ``--probes`` times on a quiet server (once the pair index has merged the single
  records before: no merge or build for 2 s) and as many during the paced ingest; the same for
  two views in a new session (sessions are merged into the pair index in coarser steps than
  orders);
- **memory**: the server's heap (``dbms.queryJmx``) and resident set (``/proc``) after the
  load, and after the ingest; the bundle index's own figures (``shopgraph.bundle.status``).

Events are recorded with ``ShopGraph.record`` when this checkout has it (issue 12's live
API), else written as ``ShopGraph.record`` writes them: one ``shopgraph.load.chunk`` call
per batch (the chunk writer of file loads) in one transaction; the results say which.

    python benchmarks/live.py [--events 1000000 10000000] [--stream 800000] [--seconds 60]
        [--rate 5000] [--heap 4g] [--pagecache 2g] [--no-append]
    python benchmarks/live.py --graph uci [--loaded-share 0.4] [--seconds 30]

Results are printed and appended to benchmarks/RESULTS.md (not with ``--no-append``). The
machine's cores are shared by Neo4j, the writers and the readers.
"""

from __future__ import annotations

import argparse
import gzip
import multiprocessing
import os
import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _common import OUT, add_data_argument, append_results, generated, machine

from shopgraph.core.settings import Settings
from shopgraph.graph import server
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.live import Event as LiveEvent
from shopgraph.graph.loading import LoadOptions
from shopgraph.graph.recommend import BundleOptions
from shopgraph.loaders.baskets import baskets_source
from shopgraph.loaders.records import Event, EventGroup, EventType, OrderKind
from shopgraph.loaders.rees46 import rees46_source

_GOALS = {
    "record p50": 3.0,
    "record p99": 20.0,
    "serving p99 at the paced rate": 15.0,
    "order freshness max": 1000.0,
}
_PARTS = ("record", "sustained", "freshness")
_TOP = 1000  # k of the freshness probes; their first items have under _TOP // 2 partners


# --- Writing events ---------------------------------------------------------------------------


def _live(event: Event, n: int) -> LiveEvent:
    """A loader event as the live API's event (its id: session, line in the stream, item)."""
    line = event.position if event.position is not None else n
    return LiveEvent(
        event_id=f"{event.session}-{line}-{event.item}",
        time=datetime.fromtimestamp((event.time or 0) / 1000, UTC),
        type=event.type,
        item=event.item,
        session=event.session or f"none-{n}",
        user=event.user,
        price=event.price,
        quantity=max(1, event.quantity),
        brand=event.brand,
        category=event.category,
    )


def record(shop: ShopGraph, events: Sequence[Event]) -> None:
    """Records ``events`` in one transaction through ``ShopGraph.record``."""
    shop.record([_live(e, n) for n, e in enumerate(events)])


# --- Data ---------------------------------------------------------------------------------------


@dataclass
class Shop:
    """A shop split into a file to load and a stream to record."""

    workload: str  # what the report says of it
    size: int  # events (or order lines) of the file
    base: Path
    load: Callable[[ShopGraph, Path, LoadOptions], object]
    stream: list[Event]
    carts: list[list[str]]
    users: list[str]  # users who bought; empty: readers call bundle only
    items: list[str]


def _split(source: Path, events: int, stream: int) -> tuple[Path, Path]:
    """The first ``events`` rows (a file to load) and the rest (the stream), header kept."""
    base = OUT / f"live-base-{events}.csv.gz"
    rest = OUT / f"live-stream-{events}-{stream}.csv.gz"
    if base.exists() and rest.exists():
        return base, rest
    with (
        gzip.open(source, "rt", encoding="utf-8") as lines,
        gzip.open(base, "wt", encoding="utf-8", compresslevel=1) as first,
        gzip.open(rest, "wt", encoding="utf-8", compresslevel=1) as second,
    ):
        header = next(lines)
        first.write(header)
        second.write(header)
        for n, line in enumerate(lines):
            (first if n < events else second).write(line)
    return base, rest


def _shop(events: int, stream: int, seed: int, workload: int) -> Shop:
    base, rest = _split(generated(events + stream, seed=1), events, stream)
    parsed: list[Event] = []
    for record_ in rees46_source(rest).records():
        if isinstance(record_, EventGroup):
            parsed.extend(record_)
        elif isinstance(record_, Event):
            parsed.append(record_)
    sample = pd.read_csv(
        base,
        usecols=["event_type", "product_id", "user_id", "user_session"],
        dtype=str,
        nrows=1_000_000,
    )
    bought = sample[sample["event_type"] == "purchase"].drop_duplicates(
        ["user_session", "product_id"]
    )
    orders = [
        sorted(items)
        for items in bought.groupby("user_session")["product_id"].agg(list)
        if len(items) >= 3
    ]
    rng = random.Random(seed)
    carts = [rng.sample(rng.choice(orders), 3) for _ in range(workload)]
    buyers = sorted(set(bought["user_id"]))
    users = [rng.choice(buyers) for _ in range(workload)]
    items = sorted(set(sample["product_id"]))
    return Shop(
        f"SYNTHETIC shop (shopgraph generate, seed 1): the first {events:,} events loaded and "
        f"refreshed, the next {stream:,} recorded live in file order; readers call bundle "
        "(3-item carts of generated orders) and recommend (buyers) in turn",
        events,
        base,
        lambda shop, path, options: shop.load_rees46(path, options),
        parsed,
        carts,
        users,
        items,
    )


#: Where the stream of UCI invoices starts, a minute apart (the file has no times).
_UCI_START = datetime(2011, 12, 10, tzinfo=UTC)


def _uci_shop(data: Path, loaded_share: float, seed: int, workload: int) -> Shop:
    """UCI Online Retail: the first invoices loaded, the order lines of the rest the stream."""
    path = data / "uci-online-retail" / "baskets_long.parquet"
    frame = pd.read_parquet(path)
    invoices = int(frame["basket_idx"].max()) + 1
    cut = int(invoices * loaded_share)
    base = OUT / f"live-uci-base-{cut}.parquet"
    if not base.exists():
        OUT.mkdir(exist_ok=True)
        frame[frame["basket_idx"] < cut].to_parquet(base, index=False)
    loaded = frame[frame["basket_idx"] < cut]
    stream: list[Event] = []
    start_ms = int(_UCI_START.timestamp() * 1000)
    for record_ in baskets_source(path).records():
        if not isinstance(record_, Event) or record_.order_kind != OrderKind.ORDER:
            continue
        index = int(record_.order.rsplit(":", 1)[1]) if record_.order else -1
        if index < cut:
            continue
        at = start_ms + (index - cut) * 60_000
        stream.append(record_._replace(time=at, session=record_.order, order=None))
    orders = [
        sorted(set(items))
        for kind, items in loaded.groupby("basket_idx")[["basket_kind", "stock_code"]]
        .agg({"basket_kind": "first", "stock_code": list})
        .itertuples(index=False)
        if kind == "order" and len(set(items)) >= 3
    ]
    rng = random.Random(seed)
    carts = [rng.sample(rng.choice(orders), 3) for _ in range(workload)]
    return Shop(
        f"UCI Online Retail (real invoices; no users, no times): invoices 0-{cut - 1:,} of "
        f"{invoices:,} loaded as anonymous orders (load_baskets) and refreshed; the "
        f"{len(stream):,} order lines of the later invoices of kind order recorded live as "
        "purchases in file order, each invoice its own session and order, a minute apart; "
        "readers call bundle only (3-item carts of loaded invoices)",
        len(loaded),
        base,
        lambda shop, path, options: shop.load_baskets(path, options),
        stream,
        carts,
        [],
        sorted(set(loaded["stock_code"])),
    )


# --- Workers (separate processes, each with its own client) -----------------------------------


def _percentiles(ms: Sequence[float]) -> tuple[float, float]:
    if not ms:
        return float("nan"), float("nan")
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99))


def _write_worker(
    settings: Settings, batches: list[list[Event]], start: float, until: float, rate: float
) -> tuple[int, list[float], float, float]:
    """Records batches from ``start`` to ``until`` (wall clock), paced to ``rate`` batches/s
    (0: as fast as it goes), or until its batches run out; returns events written, each
    batch's milliseconds, when it stopped (wall clock) and the CPU seconds it used meanwhile."""
    written = 0
    times: list[float] = []
    with ShopGraph.connect(settings) as shop:
        record(shop, batches[0][:1])  # connect and warm the path before the start
        while time.time() < start:
            time.sleep(0.001)
        cpu = time.process_time()
        n = 0
        while time.time() < until and n < len(batches):
            if rate > 0:
                due = start + n / rate
                while time.time() < due:
                    time.sleep(0.0005)
            began = time.perf_counter()
            record(shop, batches[n])
            times.append((time.perf_counter() - began) * 1000.0)
            written += len(batches[n])
            n += 1
        stopped = time.time()
        cpu = time.process_time() - cpu
    return written, times, stopped, cpu


def _read_worker(
    settings: Settings,
    carts: list[list[str]],
    users: list[str],
    start: float,
    until: float,
    rate: float,
    offset: int,
) -> tuple[dict[str, list[tuple[float, float]]], float]:
    """Calls bundle and recommend in turn, ``rate`` calls/s, from ``start`` to ``until``;
    returns each call's start (wall clock) and milliseconds, by kind, and the CPU seconds it
    used meanwhile."""
    times: dict[str, list[tuple[float, float]]] = {"bundle": [], "recommend": []}
    with ShopGraph.connect(settings) as shop:
        shop.bundle(carts[0], 10)
        while time.time() < start:
            time.sleep(0.001)
        cpu = time.process_time()
        n = 0
        while time.time() < until:
            due = start + n / rate
            while time.time() < due:
                time.sleep(0.0005)
            i = offset + n
            called = time.time()
            began = time.perf_counter()
            if n % 2 == 0 or not users:
                shop.bundle(carts[i % len(carts)], 10)
                kind = "bundle"
            else:
                shop.recommend(users[i % len(users)], 10)
                kind = "recommend"
            times[kind].append((called, (time.perf_counter() - began) * 1000.0))
            n += 1
        cpu = time.process_time() - cpu
    return times, cpu


# --- Measurements -------------------------------------------------------------------------------


@dataclass
class Sustained:
    rate_target: float
    events: int
    seconds: float
    write_ms: list[float]
    bundle_ms: list[float]
    recommend_ms: list[float]
    probes: dict[str, list[float]] = field(default_factory=dict)
    # CPU seconds of the server, the writers and the readers, and the seconds they span.
    cpu: tuple[float, float, float, float] | None = None

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds

    @property
    def serving_ms(self) -> list[float]:
        return self.bundle_ms + self.recommend_ms


def _probe(shop: ShopGraph, items: list[str], rng: random.Random, n: int, kind: str) -> float:
    """Milliseconds from ``record`` returning to the new pair showing in ``bundle``."""
    while True:
        a, b = rng.sample(items, 2)
        partners = {x.item_id for x in shop.bundle([a], _TOP, BundleOptions(in_stock_only=False))}
        # Every partner of a shows (with room for those the ingest adds meanwhile), so b shows
        # once the pair is merged, however weak one session of views makes it.
        if b not in partners and len(partners) < _TOP // 2:
            break
    now = int(time.time() * 1000)
    session = f"probe-{kind}-{n}-{now}"
    event_type = EventType.PURCHASE if kind == "order" else EventType.VIEW
    events = [
        Event(
            now,
            event_type,
            item,
            None,
            session,
            None,
            None,
            None,
            None,
            1,
            None,
            OrderKind.ORDER,
            None,
            None,
        )
        for item in (a, b)
    ]
    record(shop, events)
    returned = time.perf_counter()
    while True:
        shown = shop.bundle([a], _TOP, BundleOptions(in_stock_only=False))
        waited = time.perf_counter() - returned
        if b in {x.item_id for x in shown}:
            return waited * 1000.0
        if waited > 120.0:
            return float("inf")
        # Polls of k = 1,000 load the server: every 5 ms at first, then at 5 % of the wait
        # (at most every 250 ms), so a long wait is measured within 5 % without loading it.
        time.sleep(min(0.25, max(0.005, waited / 20)))


def _settle(shop: ShopGraph, quiet: float = 2.0, limit: float = 300.0) -> float:
    """Waits until the pair index has merged what was recorded before: until its count of
    merges and builds stays the same for ``quiet`` seconds (at most ``limit``). Returns the
    seconds waited."""
    began = time.perf_counter()
    last: tuple[int, int] | None = None
    since = began
    while time.perf_counter() - began < limit:
        rows = shop.runner.read("call_bundle_status")
        now = (rows[0]["merges"], rows[0]["builds"]) if rows else (0, 0)
        if now != last:
            last, since = now, time.perf_counter()
        elif time.perf_counter() - since >= quiet:
            break
        time.sleep(0.1)
    return time.perf_counter() - began


def _probes(
    shop: ShopGraph, items: list[str], count: int, seed: int, pause: float
) -> dict[str, list[float]]:
    rng = random.Random(seed)
    out: dict[str, list[float]] = {"order": [], "session": []}
    for n in range(count):
        for kind in ("order", "session"):
            out[kind].append(_probe(shop, items, rng, n, kind))
            time.sleep(pause)
    return out


def _sustained(
    settings: Settings,
    shop: ShopGraph,
    data: Shop,
    events: list[Event],
    args: argparse.Namespace,
    rate: float,
    probes: int,
) -> Sustained:
    batches = [events[i : i + args.batch] for i in range(0, len(events), args.batch)]
    per_writer = [batches[w :: args.writers] for w in range(args.writers)]
    start = time.time() + 8.0  # the processes start and connect meanwhile
    until = start + args.seconds
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(args.writers + args.readers, mp_context=context) as pool:
        writers: list[Future[tuple[int, list[float], float, float]]] = [
            pool.submit(
                _write_worker,
                settings,
                per_writer[w],
                start,
                until,
                rate / args.batch / args.writers if rate > 0 else 0.0,
            )
            for w in range(args.writers)
        ]
        readers: list[Future[tuple[dict[str, list[tuple[float, float]]], float]]] = [
            pool.submit(
                _read_worker,
                settings,
                data.carts,
                data.users,
                start,
                until,
                args.read_rate,
                r * 997,
            )
            for r in range(args.readers)
        ]
        while time.time() < start:
            time.sleep(0.01)
        server_cpu = _server_cpu(settings)
        window = time.time()
        while time.time() < start + 2.0:
            time.sleep(0.05)
        found = _probes(shop, data.items, probes, args.seed + 3, 1.0) if probes else {}
        written = [f.result() for f in writers]
        read = [f.result() for f in readers]
        server_after = _server_cpu(settings)
        window = time.time() - window
    # The ingest lasts until the last writer stops (its batches may run out before --seconds);
    # serving counts the calls made meanwhile.
    stopped = min(until, max(w[2] for w in written))
    return Sustained(
        rate,
        sum(w[0] for w in written),
        stopped - start,
        [t for w in written for t in w[1]],
        [ms for r in read for called, ms in r[0]["bundle"] if called < stopped],
        [ms for r in read for called, ms in r[0]["recommend"] if called < stopped],
        found,
        None
        if server_cpu is None or server_after is None
        else (
            server_after - server_cpu,
            sum(w[3] for w in written),
            sum(r[1] for r in read),
            window,
        ),
    )


def _server_cpu(settings: Settings) -> float | None:
    """CPU seconds the embedded server used so far (None for an external one)."""
    if settings.uri is not None:
        return None
    pid = server.status(settings).pid
    if pid is None:
        return None
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _memory(shop: ShopGraph, settings: Settings) -> tuple[float, float]:
    """The server's heap in use and resident set, in MiB."""
    heap = shop.runner.read("server_heap")[0]["used"] / 2**20
    pid = server.status(settings).pid
    rss = float("nan")
    if pid is not None:
        for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
    return heap, rss


@dataclass
class Figures:
    workload: str
    events: int
    load_seconds: float
    items: int
    baskets: int
    projection: tuple[int, int]
    record_ms: list[float] = field(default_factory=list)
    quiet_probes: dict[str, list[float]] = field(default_factory=dict)
    settle_seconds: float = float("nan")
    paced: Sustained | None = None
    flat_out: Sustained | None = None
    memory_loaded: tuple[float, float] = (float("nan"), float("nan"))
    memory_after: tuple[float, float] = (float("nan"), float("nan"))
    index: dict[str, Any] = field(default_factory=dict)


def _run(data: Shop, args: argparse.Namespace, run: dict[str, bool]) -> Figures:
    events = data.size
    base = Settings.from_env()
    base = Settings(
        home=base.home, heap=args.heap, pagecache=args.pagecache, data_dir=base.data_dir
    )
    stream = data.stream
    with server.temporary(base) as settings, ShopGraph.connect(settings) as shop:
        shop.ensure_schema()
        started = time.perf_counter()
        data.load(shop, data.base, LoadOptions(rejects=OUT / f"live-rejects-{events}.csv"))
        load_seconds = time.perf_counter() - started
        refresh, projection = shop.refresh()
        figures = Figures(
            data.workload,
            events,
            load_seconds,
            refresh.items,
            refresh.baskets,
            (projection.nodes, projection.relationships),
        )
        for i in range(200):  # warm the serving paths (JIT) before anything is timed
            shop.bundle(data.carts[i], 10)
            if data.users:
                shop.recommend(data.users[i], 10)
        figures.memory_loaded = _memory(shop, settings)
        used = 0
        if run["record"]:
            for event in stream[: args.single]:
                record(shop, [event])
            for event in stream[args.single : 2 * args.single]:
                began = time.perf_counter()
                record(shop, [event])
                figures.record_ms.append((time.perf_counter() - began) * 1000.0)
            used = 2 * args.single
        if run["freshness"]:
            figures.settle_seconds = _settle(shop)
            figures.quiet_probes = _probes(shop, data.items, args.probes, args.seed, 0.2)
        if run["sustained"]:
            half = used + (len(stream) - used) // 2
            figures.paced = _sustained(
                settings,
                shop,
                data,
                stream[used:half],
                args,
                args.rate,
                args.probes if run["freshness"] else 0,
            )
            figures.flat_out = _sustained(settings, shop, data, stream[half:], args, 0.0, 0)
        figures.memory_after = _memory(shop, settings)
        status = shop.runner.read("call_bundle_status")
        figures.index = dict(status[0]) if status else {}
    return figures


# --- Report ---------------------------------------------------------------------------------------


def _ms(values: Sequence[float]) -> str:
    p50, p99 = _percentiles(values)
    return f"{p50:.2f} / {p99:.2f}"


def _report(all_figures: list[Figures], args: argparse.Namespace) -> str:
    command = "python benchmarks/live.py " + " ".join(sys.argv[1:])
    when = f"{datetime.now(UTC):%Y-%m-%d %H:%M}"
    lines = [
        f"\n## Live shop: record, ingest beside serving, freshness ({when} UTC)\n",
        f"- machine: {machine()}; Neo4j 5.26 embedded on the same machine (heap {args.heap}, "
        f"page cache {args.pagecache}), {args.writers} writer and {args.readers} reader "
        "processes beside it",
        f"- command: `{command.strip()}`",
        "- writer: ShopGraph.record",
        *(f"- workload: {workload}" for workload in dict.fromkeys(f.workload for f in all_figures)),
        f"- readers {args.read_rate:g} calls/s each; batches of {args.batch}; {args.seconds:g} s "
        "per ingest run; freshness: a new 2-item order (or 2 views in a new session) until its "
        f"pair shows in bundle, k = {_TOP}",
        "",
        "| figure | " + " | ".join(f"{f.events:,} events" for f in all_figures) + " |",
        "|---|" + "---:|" * len(all_figures),
    ]

    def row(name: str, value: Callable[[Figures], str]) -> None:
        lines.append(f"| {name} | " + " | ".join(value(f) for f in all_figures) + " |")

    row(
        "load (s) / items / baskets",
        lambda f: f"{f.load_seconds:.0f} / {f.items:,} / {f.baskets:,}",
    )
    row(
        "walk projection nodes / relationships",
        lambda f: f"{f.projection[0]:,} / {f.projection[1]:,}",
    )
    row("record, 1 event, p50 / p99 (ms)", lambda f: _ms(f.record_ms))
    row(
        "merges settled before the quiet probes, after (s)",
        lambda f: f"{f.settle_seconds:.1f}",
    )
    row(
        "freshness quiet, order, p50 / p99 / max (ms)",
        lambda f: _fresh(f.quiet_probes.get("order")),
    )
    row(
        "freshness quiet, session, p50 / p99 / max (ms)",
        lambda f: _fresh(f.quiet_probes.get("session")),
    )
    for label, pick in (("paced", lambda f: f.paced), ("flat out", lambda f: f.flat_out)):

        def run_of(
            f: Figures, pick: Callable[[Figures], Sustained | None] = pick
        ) -> Sustained | None:
            return pick(f)

        row(f"ingest {label}: target / events/s", lambda f, r=run_of: _rate(r(f)))
        row(
            f"ingest {label}: batch of {args.batch}, p50 / p99 (ms)",
            lambda f, r=run_of: _ms(r(f).write_ms) if r(f) else "-",
        )
        row(
            f"ingest {label}: bundle p50 / p99 (ms)",
            lambda f, r=run_of: _ms(r(f).bundle_ms) if r(f) else "-",
        )
        row(
            f"ingest {label}: recommend p50 / p99 (ms)",
            lambda f, r=run_of: _ms(r(f).recommend_ms) if r(f) else "-",
        )
        row(
            f"ingest {label}: serving p50 / p99 (ms)",
            lambda f, r=run_of: _ms(r(f).serving_ms) if r(f) else "-",
        )
        row(
            f"ingest {label}: CPU s of Neo4j / writers / readers, of cores x s",
            lambda f, r=run_of: _cpu(r(f)),
        )
    row(
        "freshness under paced ingest, order, p50 / p99 / max (ms)",
        lambda f: _fresh(f.paced.probes.get("order") if f.paced else None),
    )
    row(
        "freshness under paced ingest, session, p50 / p99 / max (ms)",
        lambda f: _fresh(f.paced.probes.get("session") if f.paced else None),
    )
    row(
        "heap used / RSS after load (MiB)",
        lambda f: f"{f.memory_loaded[0]:,.0f} / {f.memory_loaded[1]:,.0f}",
    )
    row(
        "heap used / RSS after ingest (MiB)",
        lambda f: f"{f.memory_after[0]:,.0f} / {f.memory_after[1]:,.0f}",
    )
    row(
        "bundle index: merges / items merged / merge s / session merges / builds",
        lambda f: (
            f"{f.index.get('merges', 0):,} / {f.index.get('itemsMerged', 0):,} / "
            f"{f.index.get('mergeMillis', 0) / 1000:.1f} / {f.index.get('sessionMerges', 0):,} / "
            f"{f.index.get('builds', 0)}"
        ),
    )
    row(
        "bundle index: pairs / merged items / MiB",
        lambda f: (
            f"{f.index.get('pairs', 0):,} / {f.index.get('mergedItems', 0):,} / "
            f"{f.index.get('bytes', 0) / 2**20:,.0f}"
        ),
    )
    lines.append("")
    for f in all_figures:
        checks = {
            "record p50": _percentiles(f.record_ms)[0],
            "record p99": _percentiles(f.record_ms)[1],
            "serving p99 at the paced rate": _percentiles(f.paced.serving_ms)[1]
            if f.paced
            else float("nan"),
            "order freshness max": max(
                (f.quiet_probes.get("order") or [float("nan")])
                + ((f.paced.probes.get("order") or []) if f.paced else [])
            ),
        }
        for name, goal in _GOALS.items():
            value = checks[name]
            verdict = "met" if value <= goal else "NOT met"
            lines.append(
                f"- {f.events:,} events: goal {name} <= {goal:g} ms: {verdict} ({value:.2f} ms)"
            )
        if f.paced is not None:
            rate = f.paced.events_per_second
            both = rate >= 5000 and checks["serving p99 at the paced rate"] <= 15
            flat = f.flat_out.events_per_second if f.flat_out else 0.0
            lines.append(
                f"- {f.events:,} events: goal >= 5,000 events/s with serving p99 <= 15 ms: "
                f"{'met' if both else 'NOT met'} ({rate:,.0f} events/s paced, {flat:,.0f} flat out)"
            )
    if len(all_figures) >= 2:
        small, large = all_figures[0], all_figures[-1]
        for name, value in (
            ("record p99", lambda f: _percentiles(f.record_ms)[1]),
            (
                "serving p99 at the paced rate",
                lambda f: _percentiles(f.paced.serving_ms)[1] if f.paced else float("nan"),
            ),
            (
                "order freshness p99",
                lambda f: _percentiles(
                    (f.quiet_probes.get("order") or [])
                    + ((f.paced.probes.get("order") or []) if f.paced else [])
                )[1],
            ),
        ):
            ratio = value(large) / value(small)
            lines.append(
                f"- goal {large.events:,} within 2x of {small.events:,}, {name}: "
                f"{'met' if ratio <= 2 else 'NOT met'} ({ratio:.2f}x)"
            )
    return "\n".join(lines) + "\n"


def _rate(run: Sustained | None) -> str:
    if run is None:
        return "-"
    target = f"{run.rate_target:,.0f}" if run.rate_target > 0 else "none"
    return f"{target} / {run.events_per_second:,.0f} ({run.events:,} in {run.seconds:.0f} s)"


def _cpu(run: Sustained | None) -> str:
    if run is None or run.cpu is None:
        return "-"
    server_s, writers_s, readers_s, window = run.cpu
    cores = os.cpu_count() or 1
    return f"{server_s:.0f} / {writers_s:.0f} / {readers_s:.0f} of {cores * window:.0f}"


def _fresh(values: list[float] | None) -> str:
    if not values:
        return "-"
    p50, p99 = _percentiles(values)
    return f"{p50:.0f} / {p99:.0f} / {max(values):.0f}"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--graph", choices=("synthetic", "uci"), default="synthetic")
    parser.add_argument(
        "--events",
        type=int,
        nargs="+",
        default=[1_000_000, 10_000_000],
        help="loaded events of each synthetic shop",
    )
    parser.add_argument(
        "--loaded-share", type=float, default=0.4, help="uci: the share of invoices loaded"
    )
    add_data_argument(parser)
    parser.add_argument(
        "--stream",
        type=int,
        default=800_000,
        help="events recorded live (each ingest run takes half of what the single records leave)",
    )
    parser.add_argument("--single", type=int, default=2000, help="timed single-event records")
    parser.add_argument("--seconds", type=float, default=60.0, help="per ingest run")
    parser.add_argument("--rate", type=float, default=5000.0, help="paced ingest, events/s in all")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--read-rate", type=float, default=20.0, help="calls/s per reader")
    parser.add_argument("--probes", type=int, default=20, help="freshness probes per kind and run")
    parser.add_argument("--heap", default="4g")
    parser.add_argument("--pagecache", default="2g")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip", nargs="+", default=[], choices=_PARTS)
    parser.add_argument("--no-append", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args(argv)
    run = {part: part not in args.skip for part in _PARTS}
    os.environ.setdefault("PYTHONHASHSEED", "0")
    if args.graph == "uci":
        shops: Iterator[Shop] = iter([_uci_shop(args.data, args.loaded_share, args.seed, 2000)])
    else:
        shops = (_shop(events, args.stream, args.seed, 2000) for events in args.events)
    all_figures = [_run(data, args, run) for data in shops]
    text = _report(all_figures, args)
    print(text)
    if not args.no_append:
        append_results(text)


if __name__ == "__main__":
    main()
