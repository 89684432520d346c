"""A live shop under load on the real server: 4 writer threads record batches (with retries)
while 4 reader threads call bundle and recommend; afterwards the graph equals a file load of
the same events. The suite runs it for a few seconds; the slow test for the full minute."""

from __future__ import annotations

import random
import threading
import time
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from shopgraph.core.settings import Settings
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.live import Event
from shopgraph.loaders.generate import SyntheticShopConfig, generate_events

from conftest import wipe
from live_events import LIVE_MAPPING, events_of, with_line_ranks, write_live_csv


@dataclass(frozen=True)
class LiveLoad:
    """What a run of :func:`run_live_load` did."""

    recorded: list[Event]
    batches: int
    retries: int
    reads: int
    seconds: float


def _constant_items(events: list[Event]) -> list[Event]:
    """The events with each item's price, brand and category fixed to the first given: an
    item's stored values are those of its last event in commit order, which concurrent writers
    do not fix (a session's and an order's events all go through one writer, in order)."""
    first: dict[str, tuple[Any, Any, Any]] = {}
    for e in events:
        price, brand, category = first.get(e.item, (None, None, None))
        first[e.item] = (
            price if price is not None else e.price,
            brand if brand is not None else e.brand,
            category if category is not None else e.category,
        )
    return [
        replace(e, price=first[e.item][0], brand=first[e.item][1], category=first[e.item][2])
        for e in events
    ]


def run_live_load(
    shop: ShopGraph,
    events: list[Event],
    *,
    seconds: float,
    writers: int = 4,
    readers: int = 4,
    batch: int = 100,
) -> LiveLoad:
    """Records ``events`` with ``writers`` threads (each the sessions whose hash falls to it, in
    order, every tenth batch sent twice) while ``readers`` threads call ``bundle`` and
    ``recommend``, until every event is recorded or ``seconds`` have passed.

    Returns:
        The events recorded, in the order of ``events``, and what was done.
    """
    index = {e.event_id: n for n, e in enumerate(events)}
    lanes: list[list[Event]] = [[] for _ in range(writers)]
    for e in events:
        lanes[zlib.crc32(e.session.encode()) % writers].append(e)
    popular = shop.runner.read_tx(
        lambda tx: tx._tx.run(
            "MATCH (o:Order)-[:CONTAINS]->(i:Item) RETURN i.itemId AS item, count(o) AS n "
            "ORDER BY n DESC, item LIMIT 40"
        ).values()
    )
    items = [row[0] for row in popular]
    users = shop.runner.read_tx(
        lambda tx: tx._tx.run("MATCH (u:User) RETURN u.userId ORDER BY u.userId LIMIT 200").value()
    )
    assert len(items) >= 10
    assert users
    deadline = time.monotonic() + seconds
    done = threading.Event()
    counts = {"batches": 0, "retries": 0, "reads": 0}
    lock = threading.Lock()

    def write(lane: list[Event]) -> list[Event]:
        sent: list[Event] = []
        for n, start in enumerate(range(0, len(lane), batch)):
            if time.monotonic() > deadline:
                break
            chunk = lane[start : start + batch]
            report = shop.record(chunk)
            assert (report.recorded, report.duplicates) == (len(chunk), 0)
            sent += chunk
            if n % 10 == 9:  # a retry after a timeout: changes nothing
                again = shop.record(chunk)
                assert (again.recorded, again.duplicates) == (0, len(chunk))
                with lock:
                    counts["retries"] += 1
            with lock:
                counts["batches"] += 1
        return sent

    def read(seed: int) -> int:
        rng = random.Random(seed)
        calls = 0
        while not done.is_set():
            if calls % 2:
                answer = shop.recommend(rng.choice(users), k=10)
            else:
                answer = shop.bundle(rng.sample(items, 2), k=10)
            assert len(answer) <= 10
            calls += 1
        return calls

    started = time.monotonic()
    with ThreadPoolExecutor(writers + readers) as pool:
        reading = [pool.submit(read, seed) for seed in range(readers)]
        writing = [pool.submit(write, lane) for lane in lanes]
        try:
            recorded = [e for future in writing for e in future.result()]
        finally:
            done.set()
        counts["reads"] = sum(future.result() for future in reading)
    recorded.sort(key=lambda e: index[e.event_id])
    return LiveLoad(
        recorded, counts["batches"], counts["retries"], counts["reads"], time.monotonic() - started
    )


def _shop_graph(dump: dict[str, Any]) -> dict[str, Any]:
    """The dump without what serving derives from it (bundle statistics and item masses)."""
    nodes = {
        key: {k: v for k, v in props.items() if k != "bundleMass"}
        for key, props in dump["nodes"].items()
        if key[0] != "BundleStats"
    }
    return with_line_ranks({"nodes": nodes, "relationships": dump["relationships"]})


def _check_live_load(
    shop: ShopGraph,
    settings: Settings,
    graph_dump: Callable[[], dict[str, Any]],
    tmp_path: Path,
    *,
    events: int,
    seconds: float,
) -> LiveLoad:
    config = SyntheticShopConfig(events=events, seed=11)
    generated = generate_events(tmp_path / "shop.csv.gz", config)
    all_events = _constant_items(events_of(generated.path))
    base = all_events[: len(all_events) // 4]
    shop.load_csv(write_live_csv(base, tmp_path / "base.csv"), LIVE_MAPPING)
    shop.refresh()

    load = run_live_load(shop, all_events[len(base) :], seconds=seconds)
    live = _shop_graph(graph_dump())

    wipe(settings)
    shop.load_csv(write_live_csv(base + load.recorded, tmp_path / "all.csv"), LIVE_MAPPING)
    loaded = _shop_graph(graph_dump())
    assert live["nodes"].keys() == loaded["nodes"].keys()
    assert live["relationships"].keys() == loaded["relationships"].keys()
    assert live == loaded
    return load


def test_writers_and_readers_at_once_leave_the_graph_of_a_file_load(
    shop: ShopGraph, settings: Settings, graph_dump: Callable[[], Any], tmp_path: Path
) -> None:
    load = _check_live_load(shop, settings, graph_dump, tmp_path, events=24_000, seconds=20)

    assert len(load.recorded) > 2_000
    assert load.retries > 0
    assert load.reads > 20


@pytest.mark.slow
def test_a_minute_of_writers_and_readers_leaves_the_graph_of_a_file_load(
    shop: ShopGraph, settings: Settings, graph_dump: Callable[[], Any], tmp_path: Path
) -> None:
    load = _check_live_load(shop, settings, graph_dump, tmp_path, events=300_000, seconds=60)

    assert load.seconds >= 60 or len(load.recorded) == 225_000
    assert load.reads > 100
