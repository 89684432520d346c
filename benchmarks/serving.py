"""Serving latency and throughput through the Python client, on a generated shop or a real graph.

A fresh embedded Neo4j on this machine is loaded with one graph (``--graph``):

- ``synthetic`` (default): the SYNTHETIC event file of ``shopgraph generate`` (seed 1,
  ``--events`` events, the file ``benchmarks/load.py`` uses); carts of 3 items drawn from its
  orders of at least 3 items;
- ``gowalla``: the LightGCN Gowalla train split loaded as orders, one per user (as
  ``shopgraph eval served`` loads it); carts are users' check-in sets;
- ``uci``: UCI Online Retail's invoices (``baskets_long.parquet``) as anonymous orders; no
  customers, so no ``recommend`` or ``candidates``;
- ``rees46``: the REES46 multi-category sample (views, carts and purchases in sessions);
  carts are purchase sessions' and cart sessions' items.

On real graphs a cart holds up to 10 items: ``min(10, basket size)`` items drawn from a basket
of at least 2 items, so real baskets' sizes and skewed item degrees come through; users are
drawn among those with at least one order. With ``--model-epochs N`` (N > 0) a LightGCN is
trained through the graph for N epochs and published first, so ``recommend`` and ``similar``
include the model's stage (latency does not depend on how well the model is trained).

The bundle masses and the walk projection are refreshed, and then, each after a warm-up of
``--warmup`` seconds of calls (at least as many calls as are timed):

- ``bundle``: through ``ShopGraph.bundle`` (``CALL shopgraph.bundle``); beside it, in the same
  run on the synthetic shop, the readable pure-Cypher statement ``cypher/bundle.cypher`` on the
  same carts (the baseline the procedure must beat by 10x; on real graphs' carts of 10 items it
  runs out of Neo4j's transaction memory, so it is left out there);
- ``candidates``: random-walk candidates for a user with a 10,000-step budget;
- ``recommend``: the multi-stage recommendation for a user;
- ``similar``: items similar to an item of the carts;
- throughput: 4 client threads, each with its own driver, calling bundle (then recommend)
  for a fixed time.

    python benchmarks/serving.py [--graph synthetic|gowalla|uci|rees46] [--events 1000000]
        [--calls 1000] [--seconds 20] [--model-epochs 0]
        [--skip cypher candidates recommend similar throughput] [--no-append]

Latencies are wall times of the client call (Bolt round trip included). The warm-up is long
because a server that has just started runs its Bolt, Cypher and procedure code interpreted
until the JIT has compiled it, over the first several thousand calls. The bundle is also timed
after a warm-up of only ``--calls`` calls, for comparison with older entries. Results are
printed and appended to benchmarks/RESULTS.md; ``--skip`` leaves parts out (their rows and
goals too), for quicker runs while working on one operation.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from _common import add_data_argument, append_results, generated, machine
from tqdm import tqdm

from shopgraph.core.settings import Settings
from shopgraph.graph import server
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.loading import LoadOptions
from shopgraph.graph.recommend import WalkOptions

_GOALS = {
    "bundle p50": 3.0,
    "bundle p99": 15.0,
    "candidates p50": 10.0,
    "recommend p50": 8.0,
    "recommend p99": 30.0,
    "similar p50": 5.0,
}
_PARTS = ("cypher", "candidates", "recommend", "similar", "throughput")
_GRAPHS = ("synthetic", "gowalla", "uci", "rees46")
_MAX_CART = 10


@dataclass(frozen=True)
class Workload:
    """A graph to load and what to ask of it.

    Attributes:
        name: The graph as the results name it.
        load: Loads the graph into an empty database; returns the rows (lines) loaded.
        carts: Carts for ``bundle``.
        users: Users for ``candidates`` and ``recommend`` (empty: the graph has none).
        items: Items for ``similar``.
        carts_described: How the carts were drawn, for the results.
    """

    name: str
    load: Callable[[ShopGraph, Path], int]
    carts: list[list[str]]
    users: list[str]
    items: list[str]
    carts_described: str


def _draw(
    baskets: Sequence[Sequence[str]], owners: Sequence[str], seed: int, n: int
) -> tuple[list[list[str]], list[str], list[str]]:
    """Carts of min(10, size) items of baskets with >= 2 distinct items, users, items."""
    rng = random.Random(seed)
    usable = [sorted(set(b)) for b in baskets if len(set(b)) >= 2]
    carts = []
    for _ in range(n):
        basket = rng.choice(usable)
        carts.append(rng.sample(basket, min(_MAX_CART, len(basket))))
    users = [rng.choice(owners) for _ in range(n)] if owners else []
    items = [rng.choice(cart) for cart in carts]
    return carts, users, items


def _synthetic(events: int, seed: int, n: int) -> Workload:
    """3-item carts from orders of at least 3 distinct items, and users who bought."""
    path = generated(events, seed=1)
    frame = pd.read_csv(
        path,
        usecols=["event_type", "product_id", "user_id", "user_session"],
        dtype=str,
    )
    bought = frame[frame["event_type"] == "purchase"].drop_duplicates(
        ["user_session", "product_id"]
    )
    orders = [
        sorted(items)
        for items in bought.groupby("user_session")["product_id"].agg(list)
        if len(items) >= 3
    ]
    rng = random.Random(seed)
    carts = [rng.sample(rng.choice(orders), 3) for _ in range(n)]
    users = sorted(set(bought["user_id"]))

    def load(shop: ShopGraph, work: Path) -> int:
        return shop.load_rees46(path, LoadOptions(rejects=work / "rejects.csv")).rows_loaded

    return Workload(
        f"SYNTHETIC {events:,} events",
        load,
        carts,
        [rng.choice(users) for _ in range(n)],
        [rng.choice(cart) for cart in carts],
        "3-item carts drawn from generated orders with at least 3 items",
    )


def _gowalla(data: Path, seed: int, n: int) -> Workload:
    from shopgraph.evaluation.served import load_train_orders
    from shopgraph.gnn.datasets import read_lightgcn_folder

    dataset = read_lightgcn_folder(data / "lightgcn-gowalla")
    train = dataset.train
    ids = train.id_map
    matrix = train.matrix.tocsr()
    baskets = [
        [ids.items[int(i)] for i in matrix.indices[matrix.indptr[u] : matrix.indptr[u + 1]]]
        for u in range(matrix.shape[0])
    ]
    owners = [ids.users[u] for u in np.flatnonzero(np.diff(matrix.indptr) > 0).tolist()]
    carts, users, items = _draw(baskets, owners, seed, n)
    return Workload(
        "Gowalla train split as orders (one per user)",
        lambda shop, work: load_train_orders(shop, dataset, work),
        carts,
        users,
        items,
        "carts of min(10, size) items of users' check-in sets (orders of >= 2 items)",
    )


def _uci(data: Path, seed: int, n: int) -> Workload:
    path = data / "uci-online-retail" / "baskets_long.parquet"
    frame = pd.read_parquet(path, columns=["basket_idx", "stock_code"])
    baskets = frame.groupby("basket_idx")["stock_code"].agg(list).tolist()
    carts, users, items = _draw(baskets, [], seed, n)

    def load(shop: ShopGraph, work: Path) -> int:
        return shop.load_baskets(path, LoadOptions(rejects=work / "rejects.csv")).rows_loaded

    return Workload(
        "UCI Online Retail invoices as anonymous orders",
        load,
        carts,
        users,
        items,
        "carts of min(10, size) items of invoices of >= 2 items",
    )


def _rees46(data: Path, seed: int, n: int) -> Workload:
    path = data / "rees46-multicategory-sample" / "events.csv.gz"
    frame = pd.read_csv(
        path, usecols=["event_type", "product_id", "user_id", "user_session"], dtype=str
    )
    wanted = frame[frame["event_type"].isin(["cart", "purchase"])]
    baskets = wanted.groupby(["user_session", "event_type"])["product_id"].agg(list).tolist()
    owners = sorted(set(frame.loc[frame["event_type"] == "purchase", "user_id"]))
    carts, users, items = _draw(baskets, owners, seed, n)

    def load(shop: ShopGraph, work: Path) -> int:
        return shop.load_rees46(path, LoadOptions(rejects=work / "rejects.csv")).rows_loaded

    return Workload(
        "REES46 multi-category sample",
        load,
        carts,
        users,
        items,
        "carts of min(10, size) items of the purchases or cart adds of a session (>= 2 items); "
        "users who bought",
    )


def _latencies(
    call: Callable[[int], object], n: int, label: str, warmup: float = 0.0
) -> np.ndarray:
    """Milliseconds of ``call(i)`` for i in range(n), after a warm-up (JIT, caches) of at
    least n calls and at least ``warmup`` seconds."""
    for i in tqdm(range(n), desc=f"{label} (warm-up)", file=sys.stderr, leave=False):
        call(i)
    until = time.perf_counter() + warmup
    i = 0
    while time.perf_counter() < until:
        call(i % n)
        i += 1
    times = np.empty(n)
    for i in tqdm(range(n), desc=label, file=sys.stderr, leave=False):
        started = time.perf_counter()
        call(i)
        times[i] = (time.perf_counter() - started) * 1000.0
    return times


def _throughput(
    settings: Settings, work: Callable[[ShopGraph, int], object], clients: int, seconds: float
) -> float:
    """Calls per second of ``clients`` threads, each with its own client, for ``seconds``."""
    counts = [0] * clients
    stop = threading.Event()
    errors: list[BaseException] = []

    def run(slot: int) -> None:
        try:
            with ShopGraph.connect(settings) as shop:
                n = slot
                while not stop.is_set():
                    work(shop, n)
                    counts[slot] += 1
                    n += clients
        except BaseException as e:  # noqa: BLE001 - re-raised in the main thread below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(slot,)) for slot in range(clients)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return sum(counts) / seconds


def _row(name: str, ms: np.ndarray) -> str:
    return (
        f"| {name} | {len(ms)} | {np.percentile(ms, 50):.2f} | {np.percentile(ms, 99):.2f} "
        f"| {ms.mean():.2f} |"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--graph", choices=_GRAPHS, default="synthetic")
    parser.add_argument(
        "--events", type=int, default=1_000_000, help="events of the synthetic shop"
    )
    add_data_argument(parser)
    parser.add_argument("--calls", type=int, default=1_000, help="timed calls per operation")
    parser.add_argument("--cypher-calls", type=int, default=100, help="pure-Cypher bundle calls")
    parser.add_argument("--seconds", type=float, default=20.0, help="per throughput run")
    parser.add_argument(
        "--warmup", type=float, default=20.0, help="seconds of warm-up calls per operation"
    )
    parser.add_argument(
        "--model-epochs",
        type=int,
        default=0,
        help="train and publish a LightGCN for this many epochs first (0: no model)",
    )
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--no-append", action="store_true", help="print only; leave RESULTS.md as it is"
    )
    parser.add_argument(
        "--skip",
        nargs="+",
        default=[],
        choices=_PARTS,
        help="parts to leave out (default: none)",
    )
    args = parser.parse_args(argv)
    if args.graph == "synthetic":
        workload = _synthetic(args.events, args.seed, args.calls)
    else:
        draw = {"gowalla": _gowalla, "uci": _uci, "rees46": _rees46}[args.graph]
        workload = draw(args.data, args.seed, args.calls)
    run = {part: part not in args.skip for part in _PARTS}
    run["cypher"] = run["cypher"] and args.graph == "synthetic"
    if not workload.users:
        run["candidates"] = run["recommend"] = False
    carts, users, items = workload.carts, workload.users, workload.items
    walk = WalkOptions(steps=10_000, seed=args.seed)
    model = ""
    with (
        tempfile.TemporaryDirectory(prefix="shopgraph-serving-") as work,
        server.temporary(Settings.from_env()) as settings,
        ShopGraph.connect(settings) as shop,
    ):
        shop.ensure_schema()
        started = time.perf_counter()
        rows = workload.load(shop, Path(work))
        load_seconds = time.perf_counter() - started
        refresh, projection = shop.refresh()
        if args.model_epochs > 0:
            from shopgraph.gnn.config import LightGCNConfig
            from shopgraph.graph.export import ExportOptions
            from shopgraph.graph.retrain import retrain

            started = time.perf_counter()
            trained = retrain(
                shop.runner,
                ExportOptions(),
                LightGCNConfig(epochs=args.model_epochs),
                run_dir=Path(work) / "run",
            )
            model = (
                f"; LightGCN version {trained.version} trained {args.model_epochs} epochs and "
                f"published in {time.perf_counter() - started:.0f} s (recommend and similar "
                "include the model's stage)"
            )

        bundle_early = _latencies(lambda i: shop.bundle(carts[i], 10), args.calls, "bundle")
        bundle = _latencies(lambda i: shop.bundle(carts[i], 10), args.calls, "bundle", args.warmup)
        cypher = (
            _latencies(
                lambda i: shop.runner.read("bundle", {"cart": carts[i], "k": 10, "config": {}}),
                args.cypher_calls,
                "bundle (pure Cypher)",
                args.warmup,
            )
            if run["cypher"]
            else None
        )
        candidates = (
            _latencies(
                lambda i: shop.candidates(users[i], 100, walk),
                args.calls,
                "candidates",
                args.warmup,
            )
            if run["candidates"]
            else None
        )
        recommend = (
            _latencies(lambda i: shop.recommend(users[i], 10), args.calls, "recommend", args.warmup)
            if run["recommend"]
            else None
        )
        similar = (
            _latencies(lambda i: shop.similar(items[i], 10), args.calls, "similar", args.warmup)
            if run["similar"]
            else None
        )
        rates = None
        if run["throughput"]:
            rates = (
                _throughput(
                    settings,
                    lambda s, i: s.bundle(carts[i % len(carts)], 10),
                    args.clients,
                    args.seconds,
                ),
                _throughput(
                    settings,
                    lambda s, i: s.recommend(users[i % len(users)], 10),
                    args.clients,
                    args.seconds,
                )
                if workload.users
                else None,
            )

    timed = {"bundle": bundle, "candidates": candidates, "recommend": recommend, "similar": similar}
    figures = {
        f"{name} p{q}": float(np.percentile(ms, q))
        for name, ms in timed.items()
        if ms is not None
        for q in (50, 99)
    }
    sizes = np.array([len(cart) for cart in carts])
    command = "python benchmarks/serving.py " + " ".join(sys.argv[1:])
    lines = [
        f"\n## Serving through the Python client: {workload.name} "
        f"({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)\n",
        f"- machine: {machine()}; Neo4j 5.26 embedded on the same machine (heap "
        f"{settings.heap}, page cache {settings.pagecache})",
        f"- command: `{command.strip()}`",
        f"- graph: {workload.name}, {rows:,} rows loaded in {load_seconds:.0f} s; "
        f"{refresh.items:,} items and {refresh.baskets:,} baskets with bundle masses; walk "
        f"projection {projection.nodes:,} nodes, {projection.relationships:,} "
        f"relationships{model}",
        f"- workload: {workload.carts_described} (cart size mean {sizes.mean():.1f}, max "
        f"{sizes.max()}); seed {args.seed}; candidates with a 10,000-step budget, k = 100; "
        f"bundle, recommend and similar k = 10; each operation timed after {args.warmup:g} s of "
        "warm-up calls"
        + ("" if workload.users else "; the graph has no users: no candidates or recommend"),
        "",
        "| operation | calls | p50 (ms) | p99 (ms) | mean (ms) |",
        "|---|---:|---:|---:|---:|",
        _row(f"bundle, procedure, after {args.calls:,} warm-up calls only", bundle_early),
        _row("bundle, procedure", bundle),
    ]
    if cypher is not None:
        lines.append(_row("bundle, pure Cypher (cypher/bundle.cypher)", cypher))
    if candidates is not None:
        lines.append(_row("candidates (user, 10k steps)", candidates))
    if recommend is not None:
        lines.append(_row("recommend (user)", recommend))
    if similar is not None:
        lines.append(_row("similar (item)", similar))
    lines.append("")
    if rates is not None:
        throughput = f"bundle {rates[0]:,.0f} calls/s"
        if rates[1] is not None:
            throughput += f", recommend {rates[1]:,.0f} calls/s"
        lines.append(
            f"- throughput with {args.clients} concurrent clients ({args.seconds:.0f} s each): "
            + throughput
        )
    if cypher is not None:
        speedup = float(np.percentile(cypher, 50) / np.percentile(bundle, 50))
        lines.append(
            f"- procedure vs pure Cypher, p50: {speedup:.1f}x faster (goal >= 10x: "
            f"{'met' if speedup >= 10 else 'NOT met'})"
        )
    for name, goal in _GOALS.items():
        if name in figures:
            verdict = "met" if figures[name] <= goal else "NOT met"
            lines.append(f"- goal {name} <= {goal:g} ms: {verdict} ({figures[name]:.2f} ms)")
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_append:
        append_results(text)


if __name__ == "__main__":
    main()
