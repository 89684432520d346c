"""``shopgraph eval served``: the quality and latency of what ``recommend`` serves from the graph.

Offline figures rank a model's scores on files; users get ``shopgraph.recommend`` on their own
graph. This evaluation measures the second, on a LightGCN-format split (default Gowalla), as a
new user would get it:

1. The train split goes into an **empty** graph through the ordinary loader, one order per
   user (order id ``<dataset>:<user>``, the user's train items as its lines), and the
   serving state is refreshed.
2. The retraining job runs through the graph with its defaults
   (:func:`~shopgraph.graph.retrain.retrain`: export, fit, publish and activate), as
   ``shopgraph train --write-back`` runs it.
3. Every test user, or a seeded sample of them, is answered through the Python client three
   ways, each timed: ``recommend`` as served (the active model ranks), ``recommend`` with
   ``useModel: false`` (walks, co-purchases and popularity, no model), and the published
   model's offline ranking of all items (its embeddings, read from the run folder).

The three lists are scored alike: recall, NDCG and precision at ``k`` over the user's test
items (:mod:`shopgraph.gnn.metrics`), users without test items skipped. A user's train items
are never relevant and never counted as misses: ``recommend`` drops what a user bought, and
the offline ranking masks the same items, as the offline protocol does.
"""

from __future__ import annotations

import csv
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import torch

from shopgraph.core.errors import BadArgumentError, ConfigError
from shopgraph.gnn.config import LightGCNConfig
from shopgraph.gnn.data import InteractionData
from shopgraph.gnn.datasets import LightGCNDataset, read_lightgcn_folder
from shopgraph.gnn.evaluate import mask_items
from shopgraph.gnn.lightgcn import LightGCN
from shopgraph.gnn.metrics import ranking_metrics
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.export import ExportOptions, export_interactions
from shopgraph.graph.loading import LoadOptions
from shopgraph.graph.recommend import RecommendOptions
from shopgraph.graph.retrain import retrain
from shopgraph.loaders.mapping import ColumnMapping
from shopgraph.loaders.records import EventType

__all__ = ["ServedEvalReport", "ServedMethod", "evaluate_served"]

_log = logging.getLogger(__name__)

#: The three ways every sampled user is answered, in the report's order.
SERVED = "recommend (served, model ranks)"
MODEL_FREE = "recommend (served, useModel false)"
OFFLINE = "published model, offline ranking"


@dataclass(frozen=True)
class ServedMethod:
    """One way of answering: its metrics over the sampled users, and its latency.

    Attributes:
        method: What answered.
        metrics: ``{"recall@20": ..., "ndcg@20": ..., "precision@20": ...}``.
        p50_ms: Median time of one user's answer, in milliseconds (through the client for
            the served methods; one user's share of a batch for the offline ranking).
        p99_ms: Its 99th percentile.
    """

    method: str
    metrics: dict[str, float]
    p50_ms: float
    p99_ms: float


@dataclass(frozen=True)
class ServedEvalReport:
    """What was loaded and trained, and how each method did.

    Attributes:
        dataset: The split's folder name.
        k: The cut-off.
        test_users: Users of the split with test items.
        users: Users evaluated (all test users, or the seeded sample).
        seed: Seed of the sample.
        interactions: Train interactions loaded (order lines).
        load_seconds: Wall time of the load and refresh.
        retrain_seconds: Wall time of the retraining job (export, fit, publish).
        version: The model version published and served.
        results: Served, model-free and offline, in that order.
    """

    dataset: str
    k: int
    test_users: int
    users: int
    seed: int
    interactions: int
    load_seconds: float
    retrain_seconds: float
    version: str
    results: tuple[ServedMethod, ...]


def evaluate_served(
    shop: ShopGraph,
    dataset_dir: Path,
    *,
    run_dir: Path,
    users: int | None = 2_000,
    seed: int = 42,
    k: int = 20,
    config: LightGCNConfig | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> ServedEvalReport:
    """Loads a split into an empty graph, retrains through it, and scores what is served.

    Args:
        shop: A client on an EMPTY graph (the train split is loaded into it).
        dataset_dir: A LightGCN-format folder (``train.txt``, ``test.txt``).
        run_dir: A new run folder for the retraining job.
        users: Evaluate a seeded sample of this many test users; ``None``: all of them.
        seed: Seed of the sample.
        k: The cut-off, 1 to 1000.
        config: The model's config; ``None``: the defaults of ``shopgraph train``.
        progress: Called with (stage, done, total) while users are answered.

    Returns:
        The report.

    Raises:
        ConfigError: When the graph is not empty.
        BadArgumentError: When ``k`` or ``users`` is out of range (``users`` below 1).
    """
    if not 1 <= k <= 1000:
        raise BadArgumentError(f"k must be between 1 and 1000, got {k}.")
    if users is not None and users < 1:
        raise BadArgumentError(f"users must be at least 1, got {users}.")
    if shop.stats().nodes:
        raise ConfigError(
            "The served evaluation loads its own train split and needs an empty graph; run it "
            "without --uri (it starts a temporary embedded Neo4j)."
        )
    dataset = read_lightgcn_folder(dataset_dir)
    started = time.perf_counter()
    lines = _load_train(shop, dataset, run_dir.parent)
    shop.refresh()
    load_seconds = time.perf_counter() - started
    _log.info("loaded %d order lines in %.1f s", lines, load_seconds)
    started = time.perf_counter()
    report = retrain(shop.runner, ExportOptions(), config or LightGCNConfig(), run_dir=run_dir)
    retrain_seconds = time.perf_counter() - started
    shop.refresh()

    test = dataset.test
    relevant = test.matrix.tocsr()
    with_test = np.flatnonzero(np.diff(relevant.indptr) > 0)
    sample = with_test
    if users is not None and users < len(with_test):
        sample = np.sort(np.random.default_rng(seed).choice(with_test, users, replace=False))
    user_ids = [test.id_map.users[int(u)] for u in sample]

    def served(options: RecommendOptions | None) -> Callable[[str], list[str]]:
        return lambda user: [r.item_id for r in shop.recommend(user, k, options)]

    results = [
        _answer(SERVED, served(None), user_ids, progress),
        _answer(MODEL_FREE, served(RecommendOptions(use_model=False)), user_ids, progress),
        _offline(shop, run_dir, user_ids, k),
    ]
    scored = tuple(
        ServedMethod(name, _metrics(lists, sample, test, k), p50, p99)
        for name, lists, p50, p99 in results
    )
    return ServedEvalReport(
        dataset=dataset.name,
        k=k,
        test_users=len(with_test),
        users=len(sample),
        seed=seed,
        interactions=lines,
        load_seconds=round(load_seconds, 1),
        retrain_seconds=round(retrain_seconds, 1),
        version=report.version,
        results=scored,
    )


def _load_train(shop: ShopGraph, dataset: LightGCNDataset, folder: Path) -> int:
    """Writes the train split as order lines, one order per user, and loads it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{dataset.name}-train-orders.csv"
    train = dataset.train
    ids = train.id_map
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["order", "user", "item"])
        for user, item in zip(train.users.tolist(), train.items.tolist(), strict=True):
            writer.writerow((ids.users[user], ids.users[user], ids.items[item]))
    mapping = ColumnMapping(
        name=f"{dataset.name}-orders",
        columns={"order": "order", "user": "user", "item": "item"},
        default_event_type=EventType.PURCHASE,
        namespace=dataset.name,
    )
    report = shop.load_csv(path, mapping, LoadOptions(rejects=folder / "train.rejects.csv"))
    path.unlink()
    if report.rows_rejected:
        raise ConfigError(f"{report.rows_rejected} train rows were rejected; see {folder}.")
    return report.rows_loaded


def _answer(
    name: str,
    answer: Callable[[str], list[str]],
    user_ids: Sequence[str],
    progress: Callable[[str, int, int], None] | None,
) -> tuple[str, list[list[str]], float, float]:
    lists: list[list[str]] = []
    millis = np.empty(len(user_ids))
    for done, user in enumerate(user_ids):
        started = time.perf_counter()
        lists.append(answer(user))
        millis[done] = (time.perf_counter() - started) * 1000
        if progress is not None and ((done + 1) % 100 == 0 or done + 1 == len(user_ids)):
            progress(name, done + 1, len(user_ids))
    return name, lists, float(np.percentile(millis, 50)), float(np.percentile(millis, 99))


def _offline(
    shop: ShopGraph, run_dir: Path, user_ids: Sequence[str], k: int
) -> tuple[str, list[list[str]], float, float]:
    """The published model's ranking of all items, the user's exported items masked."""
    model = LightGCN.load(run_dir / "model")
    exported = export_interactions(shop.runner, ExportOptions())
    if exported.id_map != model.id_map:
        raise ConfigError(f"The export no longer matches the model of {run_dir}.")
    model_users = set(model.id_map.users)
    known = [user for user in user_ids if user in model_users]
    lists: dict[str, list[str]] = {}
    started = time.perf_counter()
    index = model.id_map.user_index(known)
    with torch.no_grad():
        for start in range(0, len(index), 1024):
            batch = index[start : start + 1024]
            scores = model.score(batch)
            mask_items(scores, batch, exported.matrix)
            top = torch.topk(scores, k, dim=1).indices.numpy()
            for user, row in zip(batch.tolist(), top, strict=True):
                lists[model.id_map.users[user]] = model.id_map.item_ids(row)
    per_user = (time.perf_counter() - started) * 1000 / max(1, len(known))
    return OFFLINE, [lists.get(user, []) for user in user_ids], per_user, per_user


def _metrics(
    lists: Sequence[Sequence[str]],
    sample: npt.NDArray[np.int64],
    test: InteractionData,
    k: int,
) -> dict[str, float]:
    matrix = test.matrix.tocsr()
    hits = np.zeros((len(sample), k), dtype=bool)
    n_relevant = np.diff(matrix.indptr)[sample]
    item_index = {item: i for i, item in enumerate(test.id_map.items)}
    for row, (user, items) in enumerate(zip(sample.tolist(), lists, strict=True)):
        wanted = set(matrix.indices[matrix.indptr[user] : matrix.indptr[user + 1]].tolist())
        for rank, item in enumerate(items[:k]):
            hits[row, rank] = item_index.get(item, -1) in wanted
    return ranking_metrics(hits, n_relevant, (k,))
