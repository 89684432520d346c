"""Retraining from the graph: export a subgraph, train LightGCN on it, publish the embeddings.

:func:`retrain` is the pipeline behind ``shopgraph train --write-back``::

    Neo4j ──export_interactions──▶ InteractionData ──LightGCN.fit──▶ run folder
          ◀──publish_embeddings── user and item embeddings (a new, active model version)

The run folder holds everything a run from a file holds (config, data description, id map,
metrics, checkpoints, curves, model) plus ``snapshot.json``, which says where the data came
from: the export options, the exported counts and the graph's node and relationship counts at
export time; and ``publish.json``, what was written back. The new version becomes active in
one transaction (:func:`~shopgraph.graph.models.publish_embeddings`); the version active
before stays in its slot as ``previous``, so ``shopgraph model rollback`` returns to it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shopgraph.core.errors import BadArgumentError, BadInputError
from shopgraph.gnn.config import LightGCNConfig
from shopgraph.gnn.lightgcn import LightGCN
from shopgraph.gnn.train import EpochReport
from shopgraph.graph.export import ExportOptions, export_interactions
from shopgraph.graph.models import PublishReport, publish_embeddings
from shopgraph.graph.runner import GraphRunner
from shopgraph.graph.stats import graph_stats

__all__ = ["RetrainReport", "retrain"]

SNAPSHOT_FILE = "snapshot.json"
PUBLISH_FILE = "publish.json"


@dataclass(frozen=True)
class RetrainReport:
    """What :func:`retrain` did.

    Attributes:
        run_dir: The run folder.
        version: The model version published and activated.
        interactions: Exported (user, item) edges.
        users: Users in the export (rows of the id map).
        items: Items in the export.
        epochs_run: Epochs trained.
        best_epoch: Epoch of the published embeddings.
        validation: Validation metrics of that epoch, or ``None`` without validation.
        export_seconds: Wall time of the export.
        train_seconds: Wall time of the training (setup included).
        publish: What the write-back wrote.
    """

    run_dir: Path
    version: str
    interactions: int
    users: int
    items: int
    epochs_run: int
    best_epoch: int
    validation: dict[str, float] | None
    export_seconds: float
    train_seconds: float
    publish: PublishReport


def retrain(
    runner: GraphRunner,
    options: ExportOptions,
    config: LightGCNConfig,
    *,
    run_dir: Path,
    version: str | None = None,
    progress: Callable[[EpochReport], None] | None = None,
    publish_progress: Callable[[int, int], None] | None = None,
) -> RetrainReport:
    """Exports a subgraph, trains LightGCN on it and publishes the result as the active model.

    Args:
        runner: The Neo4j runner.
        options: Which subgraph to export and how to weight its edges.
        config: LightGCN settings (a seeded ``validation_fraction`` of each user's
            interactions is held out for early stopping, as for any run).
        run_dir: A new run folder.
        version: Name of the new model version; default the run folder's name.
        progress: Called after every training epoch.
        publish_progress: Called with (rows written, rows in all) during the write-back.

    Returns:
        What was exported, trained and written.

    Raises:
        BadArgumentError: When ``run_dir`` already holds a run.
        BadInputError: When the export holds no interaction.
        ConflictError: When the version name is taken.

    A write-back that fails half-way leaves the version active before active (see
    :func:`~shopgraph.graph.models.publish_embeddings`).
    """
    if (run_dir / "config.json").exists():
        raise BadArgumentError(f"{run_dir} already holds a run; choose a new folder.")
    version = version if version is not None else run_dir.name
    started = time.perf_counter()
    stats = graph_stats(runner)
    data = export_interactions(runner, options)
    export_seconds = time.perf_counter() - started
    if not len(data):
        raise BadInputError(
            "the exported subgraph holds no interactions; widen the time window or the "
            "categories, or lower the minimum interaction counts"
        )
    run_dir.mkdir(parents=True, exist_ok=True)
    _write_json(
        run_dir / SNAPSHOT_FILE,
        {
            "source": "neo4j",
            "database": runner.database,
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "export_options": options.describe(),
            "counts": {
                "interactions": len(data),
                "users": data.n_users,
                "items": data.n_items,
            },
            "graph": stats.as_dict(),
            "export_seconds": round(export_seconds, 3),
        },
    )
    started = time.perf_counter()
    model = LightGCN(config).fit(data, run_dir=run_dir, progress=progress)
    train_seconds = time.perf_counter() - started
    training = model.training
    published = publish_embeddings(
        runner,
        version,
        user_ids=data.id_map.users,
        user_embeddings=model.user_embeddings(),
        item_ids=data.id_map.items,
        item_embeddings=model.item_embeddings(),
        metadata={
            "model": "lightgcn",
            "run_dir": str(run_dir.absolute()),
            "config": config.to_dict(),
            "export_options": options.describe(),
            "interactions": len(data),
            "best_epoch": training.best_epoch,
            "validation": training.best_metrics,
        },
        progress=publish_progress,
    )
    _write_json(run_dir / PUBLISH_FILE, asdict(published))
    return RetrainReport(
        run_dir=run_dir,
        version=version,
        interactions=len(data),
        users=data.n_users,
        items=data.n_items,
        epochs_run=training.epochs_run,
        best_epoch=training.best_epoch,
        validation=training.best_metrics,
        export_seconds=export_seconds,
        train_seconds=train_seconds,
        publish=published,
    )


def _write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n")
