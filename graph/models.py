"""Model versions in Neo4j: embeddings written back, switched atomically, rolled back.

Embeddings live on the nodes in two slots, ``embeddingA`` and ``embeddingB``, as float32
arrays (as ``db.create.setNodeVectorProperty`` stores vectors), each item slot with its own
vector index (``item_embedding_a``, ``item_embedding_b``). A ``(:ModelVersion)``
node per version records its slot and status::

    writing ──▶ ready ──▶ active ◀──▶ previous ──▶ retired
       │                  (one)       (one)        (slot overwritten)
       └──▶ (removed, when the write-back fails)

:func:`publish_embeddings` writes a new version into the slot that is not active (retiring
the version that held it), then activates it in one transaction. Readers, the procedures
among them, read the active version and its slot in the same transaction as the embeddings,
so they see exactly one complete model, old or new, never a mix. The version active before
stays in its slot as ``previous`` for :func:`rollback`. A write-back that fails half-way
removes its version and clears the embeddings it wrote before the error is raised: the
active version stays active and serving, and no version is left ``writing``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from shopgraph.core.errors import (
    BadArgumentError,
    ConflictError,
    ModelNotTrainedError,
    ShopgraphError,
    UnknownEntityError,
)
from shopgraph.graph.experiments.store import pinning_experiments
from shopgraph.graph.runner import GraphRunner

__all__ = [
    "ModelVersionInfo",
    "PublishReport",
    "activate",
    "active_version",
    "list_versions",
    "publish_embeddings",
    "rollback",
]

# Vectors are written into a slot with its vector index in batches of 2,000 rows per
# transaction: every commit adds a Lucene segment whose HNSW graph is merged into the others,
# so both small and big commits cost more (benchmarks/model_io.py measures it). Two writers keep
# the server busy while the client sends the next batch. Vectors go as float32 bytes: as lists
# of floats the Python driver formats every value and the server reads a value each.
_log = logging.getLogger(__name__)

_BATCH = 2_000
_WRITERS = 2
_SLOT_PROPERTIES = {"A": "embeddingA", "B": "embeddingB"}


@dataclass(frozen=True)
class ModelVersionInfo:
    """One model version as stored in the graph."""

    version: str
    status: str
    slot: str | None
    active: bool
    created_at: datetime | None
    activated_at: datetime | None
    dimensions: int
    users: int
    items: int
    metadata: dict[str, Any]


@dataclass(frozen=True)
class PublishReport:
    """What :func:`publish_embeddings` wrote.

    Attributes:
        version: The new, now active, version.
        slot: Its slot.
        users_written: Users found in the graph and given an embedding.
        items_written: Items found in the graph and given an embedding.
        users_missing: Users of the model that are not in the graph.
        items_missing: Items of the model that are not in the graph.
        seconds: Wall time.
    """

    version: str
    slot: str
    users_written: int
    items_written: int
    users_missing: int
    items_missing: int
    seconds: float


def list_versions(runner: GraphRunner) -> list[ModelVersionInfo]:
    """Every model version, newest first."""
    return [_info(row) for row in runner.read("model_versions")]


def active_version(runner: GraphRunner) -> ModelVersionInfo:
    """The active version.

    Raises:
        ModelNotTrainedError: When no version is active.
    """
    for info in list_versions(runner):
        if info.active:
            return info
    raise ModelNotTrainedError(
        "No model version is active: train one with `shopgraph train --write-back`."
    )


def publish_embeddings(
    runner: GraphRunner,
    version: str,
    *,
    user_ids: Sequence[str],
    user_embeddings: npt.NDArray[np.float32],
    item_ids: Sequence[str],
    item_embeddings: npt.NDArray[np.float32],
    metadata: dict[str, Any],
    progress: Callable[[int, int], None] | None = None,
) -> PublishReport:
    """Writes a model's embeddings into the free slot and makes it the active version.

    Args:
        runner: The Neo4j runner.
        version: A new, unique version name.
        user_ids: Business ids of the rows of ``user_embeddings``.
        user_embeddings: ``float32 [n_users, d]``.
        item_ids: Business ids of the rows of ``item_embeddings``.
        item_embeddings: ``float32 [n_items, d]``.
        metadata: JSON-ready description (run folder, config, metrics) stored on the version.
        progress: Called with (rows written, rows in all) after every batch.

    Returns:
        What was written.

    Raises:
        BadArgumentError: When shapes disagree or an array holds non-finite values.
        ConflictError: When the version name is already taken, or the slot to write holds a
            version that a running (or scheduled) experiment pins.

    When the write-back fails after the new version was created (the server goes away, a
    batch is refused), the version is removed and its slot's embeddings cleared before the
    error is raised; the active version stays active.
    """
    started = time.monotonic()
    if user_embeddings.ndim != 2 or item_embeddings.ndim != 2:
        raise BadArgumentError("Embeddings must be 2-D arrays [rows, dimensions].")
    if user_embeddings.shape[1] != item_embeddings.shape[1]:
        raise BadArgumentError(
            f"Users have {user_embeddings.shape[1]} dimensions but items have "
            f"{item_embeddings.shape[1]}."
        )
    for name, ids, matrix in (
        ("user", user_ids, user_embeddings),
        ("item", item_ids, item_embeddings),
    ):
        if len(ids) != len(matrix):
            raise BadArgumentError(f"{len(ids)} {name} ids but {len(matrix)} {name} embeddings.")
        if not np.isfinite(matrix).all():
            raise BadArgumentError(f"The {name} embeddings hold values that are not finite.")
    versions = list_versions(runner)
    if any(info.version == version for info in versions):
        raise ConflictError(f"Model version {version!r} exists already; choose another name.")
    current = next((info for info in versions if info.active), None)
    slot = "B" if current is not None and current.slot == "A" else "A"
    overwritten = next((info for info in versions if info.slot == slot and not info.active), None)
    if overwritten is not None:
        pinning = pinning_experiments(runner, overwritten.version)
        if pinning:
            raise ConflictError(
                f"Model version {overwritten.version!r} holds slot {slot}, which a new version "
                f"would overwrite, and experiment {pinning[0]!r} pins it: stop the experiment "
                "first."
            )
    runner.write(
        "model_begin",
        {
            "version": version,
            "slot": slot,
            "dimensions": int(item_embeddings.shape[1]),
            "metadata": json.dumps(metadata, sort_keys=True, default=str),
        },
    )
    published = False
    try:
        _clear_slot(runner, slot)
        batches = _batches("Item", item_ids, item_embeddings) + _batches(
            "User", user_ids, user_embeddings
        )
        written = _write(runner, _SLOT_PROPERTIES[slot], batches, progress)
        items_written = written.get("Item", 0)
        users_written = written.get("User", 0)
        runner.write(
            "model_finish", {"version": version, "users": users_written, "items": items_written}
        )
        runner.await_indexes()
        activate(runner, version)
        published = True
    finally:
        if not published:
            _discard(runner, version, slot)
    return PublishReport(
        version,
        slot,
        users_written,
        items_written,
        len(user_ids) - users_written,
        len(item_ids) - items_written,
        time.monotonic() - started,
    )


def _clear_slot(runner: GraphRunner, slot: str) -> None:
    while runner.write("model_clear_slot", {"slot": slot, "batch": 20_000})[0]["cleared"]:
        pass


def _discard(runner: GraphRunner, version: str, slot: str) -> None:
    """Removes a version whose write-back failed, and the embeddings it wrote into its slot.

    Runs while the write-back's error propagates: when Neo4j fails here too, that is logged and
    the write-back's error stays the one raised. What is left (a ``writing`` version, part of
    a slot) is cleared by the next publish into that slot.
    """
    try:
        # Not when the version became active after all (the error came after the commit).
        if runner.write("model_discard", {"version": version})[0]["removed"]:
            _clear_slot(runner, slot)
    except ShopgraphError as e:
        _log.warning("Could not remove the failed model version %r: %s", version, e)


@dataclass(frozen=True)
class _Batch:
    """Rows of one write-back transaction."""

    label: str
    ids: Sequence[str]
    vectors: npt.NDArray[np.float32]


def _batches(label: str, ids: Sequence[str], matrix: npt.NDArray[np.float32]) -> list[_Batch]:
    return [
        _Batch(label, ids[start : start + _BATCH], matrix[start : start + _BATCH])
        for start in range(0, len(ids), _BATCH)
    ]


def _write(
    runner: GraphRunner,
    property_: str,
    batches: list[_Batch],
    progress: Callable[[int, int], None] | None,
) -> dict[str, int]:
    """Runs the batches, ``_WRITERS`` transactions at a time; returns nodes written per label.

    ``progress`` is called in this thread, in batch order. After a failed batch, those not
    started yet are cancelled and the error is raised.
    """

    def write(batch: _Batch) -> int:
        params = {
            "label": batch.label,
            "property": property_,
            "ids": list(batch.ids),
            "vectors": np.ascontiguousarray(batch.vectors, dtype="<f4").tobytes(),
        }
        return int(runner.write("model_write_embeddings", params)[0]["written"])

    total = sum(len(batch.ids) for batch in batches)
    written: dict[str, int] = {}
    done = 0
    with ThreadPoolExecutor(_WRITERS, thread_name_prefix="shopgraph-write-back") as pool:
        futures = [pool.submit(write, batch) for batch in batches]
        try:
            for batch, future in zip(batches, futures, strict=True):
                written[batch.label] = written.get(batch.label, 0) + future.result()
                done += len(batch.ids)
                if progress is not None:
                    progress(done, total)
        finally:
            for future in futures:
                future.cancel()
    return written


def activate(runner: GraphRunner, version: str) -> ModelVersionInfo:
    """Makes ``version`` (ready, or the previous one) active, atomically.

    Raises:
        UnknownEntityError: When the version does not exist.
        ConflictError: When it cannot be activated (still writing, or retired).
    """
    if not runner.write("model_activate", {"version": version}):
        known = {info.version: info.status for info in list_versions(runner)}
        if version not in known:
            raise UnknownEntityError("model version", [version])
        raise ConflictError(
            f"Model version {version!r} is {known[version]} and cannot be activated."
        )
    return active_version(runner)


def rollback(runner: GraphRunner) -> ModelVersionInfo:
    """Activates the previous version again; the active one becomes previous.

    Raises:
        ConflictError: When there is no previous version to return to.
    """
    previous = [info for info in list_versions(runner) if info.status == "previous"]
    if not previous:
        raise ConflictError("There is no previous model version to roll back to.")
    return activate(runner, previous[0].version)


def _info(row: dict[str, Any]) -> ModelVersionInfo:
    created, activated = row["createdAt"], row["activatedAt"]
    return ModelVersionInfo(
        version=row["version"],
        status=row["status"],
        slot=row["slot"],
        active=bool(row["active"]),
        created_at=created.to_native() if created is not None else None,
        activated_at=activated.to_native() if activated is not None else None,
        dimensions=int(row["dimensions"]),
        users=int(row["users"]),
        items=int(row["items"]),
        metadata=json.loads(row["metadata"]) if row["metadata"] else {},
    )
