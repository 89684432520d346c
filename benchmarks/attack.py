"""Attack benchmark: exposure of injected target items, undefended and with each defence.

Every attacked copy (and the clean data) is loaded into a temporary embedded Neo4j, trust is
computed there by ``shopgraph.trust.compute`` (the same code that scores real users) and read
back; the models are then fitted undefended (every weight 1) and with each defence of
``--defences``.

* **Gowalla** (``--part gowalla``): each user's check-ins become one order of the user (no
  times, no sessions: only the structural signals can fire, and "timestamps copied from real
  users" has nothing to copy). For the clean split and every family of ``FAMILIES``
  (:mod:`shopgraph.evaluation.attacks`: issue 5's three where every fake holds the same 5 random
  unpopular targets, and issue 15's single target, targets spread one per account, popularity,
  bandwagon, camouflage (``audience``; ``audience-mixed`` with 30 % random fillers) and
  ``clone`` profiles; fillers = mean profile size) at each ``--sizes`` share of fake users and
  each ``--seeds`` seed, LightGCN is trained with a short fixed budget, the same for every
  variant: SVD initialisation then ``--epochs`` epochs of BPR (defaults of
  :class:`LightGCNConfig` otherwise, no validation split, no early stopping). Undefended
  (``off``): plain LightGCN. Defences, each with ``degree_norm=count`` and
  ``loss_weights=edge``: ``trust`` (edge weight = user's trust), ``bounded``
  (:func:`shopgraph.gnn.influence.bound_influence` on weights 1), ``trust+bounded`` (the bound
  on the trust weights). Reported: the targets' HR@50 among genuine users (per target, the share
  of genuine users who do not hold it whose top 50, training items masked, contains it; mean
  over targets), recall@20 / NDCG@20 on the test split (genuine users only), and per (family,
  size, defence) the mean and standard deviation over seeds and the share of the undefended mean
  that is left. ``--trust-only`` scores trust and trains nothing (the shares of fakes and
  genuine users below trust 0.5).
* **UCI Online Retail** (``--part uci``): the bundle protocol's train baskets, each invoice
  its own customer (the file has no customers), plus cart-stuffing orders from fresh accounts
  (``--stuffing``: ``all``, 5 unpopular targets + mean-basket-size fillers among the 100 most
  popular items in every order; ``spread``, one target per order and anchors never paired
  with it before). :class:`CoPurchaseScorer` (defaults) is fitted off (weights 1) and on
  (each basket's item weights = its user's trust). Reported: the share of the 100 most
  popular train items whose top-10 bundle holds a target, and HR@10 / MRR@10 on the
  protocol's test cases.

Results are appended to ``benchmarks/RESULTS.md`` with the machine, the command and the load.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch

from shopgraph.core.settings import Settings
from shopgraph.evaluation.attacks import (
    AttackConfig,
    Placement,
    ProfileKind,
    cart_stuffing,
    profile_attack,
    write_orders,
)
from shopgraph.evaluation.bundle_protocol import Basket, build_protocol
from shopgraph.evaluation.bundle_protocol import evaluate as evaluate_bundles
from shopgraph.evaluation.bundles import CoPurchaseScorer
from shopgraph.gnn.config import LightGCNConfig, LossWeights
from shopgraph.gnn.data import InteractionData
from shopgraph.gnn.datasets import read_lightgcn_folder
from shopgraph.gnn.evaluate import evaluate, mask_items
from shopgraph.gnn.influence import bound_influence, edge_fit
from shopgraph.gnn.propagation import DegreeNorm
from shopgraph.gnn.train import train_lightgcn
from shopgraph.graph import server
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.trust import compute_trust

RESULTS = Path(__file__).with_name("RESULTS.md")
_I64 = npt.NDArray[np.int64]


def graph_trust(settings: Settings, baskets: Sequence[Basket], folder: Path) -> dict[str, float]:
    """Loads baskets as orders into an emptied graph, runs trust there, returns user -> trust."""
    path = folder / "orders.parquet"
    write_orders(baskets, path)
    with ShopGraph.connect(settings) as shop:
        _wipe(shop)
        shop.ensure_schema()
        shop.load_baskets(path)
        report = compute_trust(shop.runner)
    return {s.user_id: s.trust for s in report.scores}


def _wipe(shop: ShopGraph) -> None:
    """Empties the graph in small transactions: relationships first, then nodes."""
    for statement in (
        "MATCH ()-[r]->() WITH r LIMIT 20000 DELETE r RETURN count(*) AS n",
        "MATCH (n) WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS n",
    ):
        while shop.runner.write_tx(lambda tx, q=statement: tx._tx.run(q).single()["n"]):
            pass


def user_baskets(data: InteractionData) -> list[Basket]:
    """One order per user holding all the user's items (Gowalla check-ins)."""
    order = np.argsort(data.users, kind="stable")
    users, items = data.users[order], data.items[order]
    bounds = np.flatnonzero(np.diff(users)) + 1
    out = []
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(users)], strict=True):
        user = data.id_map.users[int(users[lo])]
        ids = tuple(data.id_map.items[int(i)] for i in items[lo:hi])
        out.append(Basket(int(users[lo]), ids, 0.0, user=f"gw{user}"))
    return out


class _Scores:
    def __init__(self, users: npt.NDArray[np.float32], items: npt.NDArray[np.float32]) -> None:
        self._users = torch.from_numpy(users)
        self._items = torch.from_numpy(items)

    @property
    def n_items(self) -> int:
        return int(self._items.shape[0])

    def score(self, users: _I64) -> torch.Tensor:
        return self._users[torch.from_numpy(users)] @ self._items.T


def target_hit_rate(
    model: _Scores, train: InteractionData, genuine: int, targets: _I64, k: int = 50
) -> float:
    """Mean over targets of the share of genuine users not holding it with it in their top k."""
    seen = train.matrix
    holds = np.zeros((genuine, len(targets)), dtype=bool)
    for t, target in enumerate(targets):
        holds[:, t] = np.asarray(seen[:genuine, int(target)].todense()).ravel() > 0
    hits = np.zeros(len(targets))
    with torch.no_grad():
        for start in range(0, genuine, 2048):
            batch = np.arange(start, min(start + 2048, genuine), dtype=np.int64)
            scores = model.score(batch)
            mask_items(scores, batch, seen)
            top = torch.topk(scores, k, dim=1).indices.numpy()
            for t, target in enumerate(targets):
                hits[t] += ((top == target).any(axis=1) & ~holds[batch, t]).sum()
    return float(np.mean(hits / (genuine - holds.sum(axis=0))))


#: Gowalla attack families: name -> (filler kind, number of targets, placement, share of
#: random fillers). The first three are issue 5's (every fake holds all 5 targets); the others
#: are issue 15's, which avoid a crowd co-holding one item set; ``audience-mixed`` is
#: camouflage topped up with 30 % random fillers, built to pass the influence bound's checks.
FAMILIES: dict[str, tuple[ProfileKind, int, Placement, float]] = {
    "random": (ProfileKind.RANDOM, 5, Placement.ALL, 0.0),
    "average": (ProfileKind.AVERAGE, 5, Placement.ALL, 0.0),
    "bandwagon": (ProfileKind.BANDWAGON, 5, Placement.ALL, 0.0),
    "single-random": (ProfileKind.RANDOM, 1, Placement.ALL, 0.0),
    "single-average": (ProfileKind.AVERAGE, 1, Placement.ALL, 0.0),
    "single-bandwagon": (ProfileKind.BANDWAGON, 1, Placement.ALL, 0.0),
    "spread-random": (ProfileKind.RANDOM, 5, Placement.SPREAD, 0.0),
    "spread-average": (ProfileKind.AVERAGE, 5, Placement.SPREAD, 0.0),
    "audience": (ProfileKind.AUDIENCE, 1, Placement.ALL, 0.0),
    "audience-mixed": (ProfileKind.AUDIENCE, 1, Placement.ALL, 0.3),
    "clone": (ProfileKind.CLONE, 1, Placement.ALL, 0.0),
}


def _edge_weights(
    defence: str, data: InteractionData, user_trust: npt.NDArray[np.float32], fit: Any
) -> Any:
    """The LightGCN edge weights of one defence (``DEFENCES``): ``trust`` (each edge the
    user's trust), ``bounded`` (:func:`bound_influence` on weights 1), ``trust+bounded``
    (:func:`bound_influence` on the trust weights)."""
    trust_weights = user_trust[data.users]
    if defence == "trust":
        return trust_weights
    base = data if defence == "bounded" else _reweighted(data, trust_weights)
    if defence in ("bounded", "trust+bounded"):
        return bound_influence(base, fit=fit).weights
    raise ValueError(f"Unknown defence {defence!r}.")


def _reweighted(data: InteractionData, weights: Any) -> InteractionData:
    return InteractionData.from_arrays(data.users, data.items, weights, id_map=data.id_map)


DEFENCES = ("trust", "bounded", "trust+bounded")


def gowalla(args: argparse.Namespace, settings: Settings, folder: Path) -> list[str]:
    dataset = read_lightgcn_folder(args.data / "lightgcn-gowalla")
    genuine = dataset.train
    base = LightGCNConfig(
        epochs=args.epochs, validation_fraction=0.0, checkpoint_every=0, num_threads=args.threads
    )
    defended = replace(base, degree_norm=DegreeNorm.COUNT, loss_weights=LossWeights.EDGE)
    rows = []
    runs: list[tuple[str, float, int]] = []
    for name in args.scenarios:
        if name == "clean":
            runs.append((name, 0.0, 0))
        else:
            runs += [(name, size, seed) for size in args.sizes for seed in args.seeds]
    summary: dict[tuple[str, float, str], list[float]] = {}
    for name, size, seed in runs:
        started = time.perf_counter()
        if name == "clean":
            data, targets, fakes = genuine, np.empty(0, np.int64), 0
        else:
            kind, n_targets, placement, random_share = FAMILIES[name]
            config = AttackConfig(
                share=size,
                n_targets=n_targets,
                placement=placement,
                random_share=random_share,
                seed=seed,
            )
            attack = profile_attack(genuine, kind, config)
            data, targets, fakes = attack.data, attack.targets, len(attack.fake_users)
        trust = graph_trust(settings, user_baskets(data), folder)
        user_trust = np.array([trust[f"gw{u}"] for u in data.id_map.users], dtype=np.float32)
        trust_seconds = time.perf_counter() - started
        low_fake = float(np.mean(user_trust[genuine.n_users :] < 0.5)) if fakes else float("nan")
        low_genuine = float(np.mean(user_trust[: genuine.n_users] < 0.5))
        head = [name, f"{size:g}", f"{seed}", f"{fakes}", f"{low_fake:.3f}", f"{low_genuine:.4f}"]
        head.append(f"{trust_seconds:.0f}")
        if args.trust_only:
            line = [*head, "-", "-", "-", "-", "-"]
            print(" | ".join(line), file=sys.stderr, flush=True)
            rows.append("| " + " | ".join(line) + " |")
            continue
        variants = [] if args.skip_off else [("off", base, data)]
        fit = edge_fit(data) if any("bounded" in d for d in args.defences) else None
        for defence in args.defences:
            weighted = _reweighted(data, _edge_weights(defence, data, user_trust, fit))
            variants.append((defence, defended, weighted))
        for label, config_, train_data in variants:
            t0 = time.perf_counter()
            result = train_lightgcn(config_, train_data)
            model = _Scores(result.user_embeddings, result.item_embeddings)
            quality = evaluate(model, dataset.test, exclude=genuine)
            hr = target_hit_rate(model, data, genuine.n_users, targets) if fakes else float("nan")
            line = [*head, label, f"{hr:.6f}", f"{quality['recall@20']:.4f}"]
            line += [f"{quality['ndcg@20']:.4f}", f"{time.perf_counter() - t0:.0f}"]
            print(" | ".join(line), file=sys.stderr, flush=True)
            rows.append("| " + " | ".join(line) + " |")
            summary.setdefault((name, size, label), []).append(hr)
    header = [
        "| data | size | seed | fakes | fakes with trust < 0.5 | genuine with trust < 0.5 "
        "| trust (s) | defence | target HR@50 | recall@20 | NDCG@20 | fit (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    return header + rows + ["", *_summary(summary)]


def _summary(summary: dict[tuple[str, float, str], list[float]]) -> list[str]:
    """Mean and standard deviation over seeds of each (family, size, defence), and the share
    of the undefended mean that is left."""
    out = [
        "| data | size | defence | seeds | target HR@50 mean | sd | share of off |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for (name, size, label), values in summary.items():
        if name == "clean":
            continue
        if (name, size, "off") not in summary:
            continue
        off = float(np.mean(summary[(name, size, "off")]))
        mean, sd = float(np.mean(values)), float(np.std(values))
        share = f"{mean / off:.3f}" if off > 0 else "-"
        out.append(
            f"| {name} | {size:g} | {label} | {len(values)} | {mean:.6f} | {sd:.6f} | {share} |"
        )
    return out


def uci(args: argparse.Namespace, settings: Settings, folder: Path) -> list[str]:
    protocol = build_protocol(args.data / "uci-online-retail" / "baskets_long.parquet")
    train = list(protocol.train)
    counts: dict[str, int] = {}
    for basket in train:
        for item in basket.items:
            counts[item] = counts.get(item, 0) + 1
    popular = sorted(counts, key=lambda i: (-counts[i], i))[:100]
    rows = []
    runs: list[tuple[str, float, int]] = [("clean", 0.0, 0)]
    runs += [(p, size, seed) for p in args.stuffing for size in args.sizes for seed in args.seeds]
    for placement, size, seed in runs:
        attacked = placement != "clean"
        started = time.perf_counter()
        if attacked:
            config = AttackConfig(share=size, placement=Placement(placement), seed=seed)
            attack = cart_stuffing(train, config)
            baskets, targets = list(attack.baskets), set(attack.targets)
        else:
            baskets, targets = train, set()
        trust = graph_trust(settings, baskets, folder)
        weights = [trust[b.user if b.user else f"customer-{b.index}"] for b in baskets]
        trust_seconds = time.perf_counter() - started
        n_fake = len(baskets) - len(train)
        low_fake = float(np.mean([w < 0.5 for w in weights[len(train) :]])) if n_fake else None
        low_genuine = float(np.mean([w < 0.5 for w in weights[: len(train)]]))
        name = f"cart-stuffing {placement}" if attacked else "clean"
        line = [name, f"{size:g}", f"{seed}", f"{n_fake}"]
        line += ["-" if low_fake is None else f"{low_fake:.3f}", f"{low_genuine:.4f}"]
        line.append(f"{trust_seconds:.0f}")
        variants = (
            baskets,
            [
                replace(b, weights=(w,) * len(b.items))
                for b, w in zip(baskets, weights, strict=True)
            ],
        )
        for fitted in variants:
            t0 = time.perf_counter()
            scorer = CoPurchaseScorer().fit(fitted)
            share = np.mean([bool(targets & set(scorer.recommend_ids([p], 10))) for p in popular])
            quality = evaluate_bundles(scorer.recommend_ids, protocol)
            line += [f"{share:.3f}" if attacked else "-", f"{quality['hit_rate@10']:.4f}"]
            line += [f"{quality['mrr@10']:.4f}", f"{time.perf_counter() - t0:.0f}"]
            print(" | ".join(line), file=sys.stderr, flush=True)
        rows.append("| " + " | ".join(line) + " |")
    header = [
        "| data | size | seed | fake orders | fakes with trust < 0.5 | genuine with trust < 0.5 "
        "| trust (s) | off: top-100 with a target | off: HR@10 | off: MRR@10 | off (s) "
        "| on: top-100 with a target | on: HR@10 | on: MRR@10 | on (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    return header + rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=["gowalla", "uci", "all"], default="all")
    parser.add_argument("--epochs", type=int, default=10, help="LightGCN epochs after SVD init")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="attack seeds (0)")
    parser.add_argument(
        "--sizes", type=float, nargs="+", default=[0.01], help="fake share of users (0.01)"
    )
    parser.add_argument(
        "--scenarios",
        nargs="+",
        choices=["clean", *FAMILIES],
        default=["clean", *FAMILIES],
        help="Gowalla scenarios to run (default all)",
    )
    parser.add_argument(
        "--defences",
        nargs="+",
        choices=DEFENCES,
        default=["trust"],
        help="edge weightings trained next to the undefended model (default trust)",
    )
    parser.add_argument(
        "--stuffing",
        nargs="+",
        choices=[p.value for p in Placement],
        default=[p.value for p in Placement],
        help="UCI cart-stuffing placements (default both)",
    )
    parser.add_argument(
        "--skip-off", action="store_true", help="train only the defences, not the undefended model"
    )
    parser.add_argument(
        "--trust-only", action="store_true", help="score trust only, train no model (Gowalla)"
    )
    parser.add_argument("--no-append", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args(argv)
    env = Settings.from_env()
    args.data = env.data_dir if env.data_dir.is_absolute() else Path.cwd() / env.data_dir
    started = time.perf_counter()
    load_before = os.getloadavg()
    sections = []
    with server.temporary(env) as settings, tempfile.TemporaryDirectory() as tmp:
        if args.part in ("uci", "all"):
            sections.append(
                ("UCI Online Retail, cart-stuffing orders", uci(args, settings, Path(tmp)))
            )
        if args.part in ("gowalla", "all"):
            title = f"Gowalla, fake users, LightGCN SVD init + {args.epochs} epochs"
            sections.append((title, gowalla(args, settings, Path(tmp))))
    load_after = os.getloadavg()
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = []
    for title, table in sections:
        text += [
            f"## Attack benchmark: {title}",
            "",
            f"- date: {stamp}",
            f"- machine: {platform.node()}, {platform.machine()}, {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}",
            f"- command: `attack.py {' '.join(sys.argv[1:])}`",
            f"- load average (1, 5, 15 min) before {tuple(round(x, 2) for x in load_before)}, "
            f"after {tuple(round(x, 2) for x in load_after)}; machine shared with other jobs",
            f"- total time: {time.perf_counter() - started:.0f} s",
            "",
            *table,
            "",
        ]
    print("\n".join(text))
    if not args.no_append:
        with RESULTS.open("a") as f:
            f.write("\n" + "\n".join(text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
