"""Model versions: write-back into a free slot, atomic switch, list, rollback, vector index."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from shopgraph.core.errors import (
    ConflictError,
    GraphUnavailableError,
    ModelNotTrainedError,
    UnknownEntityError,
)
from shopgraph.graph import models
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.models import (
    activate,
    active_version,
    list_versions,
    publish_embeddings,
    rollback,
)
from shopgraph.graph.recommend import WalkOptions
from shopgraph.graph.runner import GraphRunner
from shopgraph.loaders.rees46 import REES46_COLUMNS

N_ITEMS = 3000
N_USERS = 1000


@pytest.fixture
def catalogue(shop: ShopGraph, tmp_path: Path) -> ShopGraph:
    """A graph with N_USERS users who each viewed three of N_ITEMS items."""
    rows = [
        f"2020-01-01 10:00:00 UTC,view,i{(u * 3 + k) % N_ITEMS},1,,b,1.0,u{u},s{u}"
        for u in range(N_USERS)
        for k in range(3)
    ]
    path = tmp_path / "events.csv"
    path.write_text("\n".join([",".join(REES46_COLUMNS), *rows]) + "\n", encoding="utf-8")
    shop.load_rees46(path)
    return shop


def _publish(runner: GraphRunner, version: str, value: float, dims: int = 8) -> Any:
    users = [f"u{u}" for u in range(N_USERS)] + ["ghost-user"]
    items = [f"i{i}" for i in range(N_ITEMS)]
    return publish_embeddings(
        runner,
        version,
        user_ids=users,
        user_embeddings=np.full((len(users), dims), value, np.float32),
        item_ids=items,
        item_embeddings=np.full((len(items), dims), value, np.float32),
        metadata={"run": version},
    )


READ_ACTIVE = """
MATCH (m:ModelVersion {active: true})
MATCH (i:Item)
WITH m, CASE m.slot WHEN 'A' THEN i.embeddingA ELSE i.embeddingB END AS e
RETURN m.version AS version, count(e) AS items, collect(DISTINCT e[0]) AS values
"""


def test_publish_list_and_rollback(catalogue: ShopGraph) -> None:
    runner = catalogue.runner
    with pytest.raises(ModelNotTrainedError, match="No model version is active"):
        active_version(runner)
    with pytest.raises(ConflictError, match="no previous model version to roll back to"):
        rollback(runner)

    first = _publish(runner, "v1", 1.0)
    assert (first.slot, first.items_written, first.users_written) == ("A", N_ITEMS, N_USERS)
    assert first.users_missing == 1
    second = _publish(runner, "v2", 2.0)
    assert second.slot == "B"
    versions = {v.version: v for v in list_versions(runner)}
    assert (versions["v2"].status, versions["v2"].active) == ("active", True)
    assert (versions["v1"].status, versions["v1"].slot) == ("previous", "A")
    assert versions["v2"].metadata == {"run": "v2"}

    assert rollback(runner).version == "v1"
    assert active_version(runner).slot == "A"
    assert {v.version: v.status for v in list_versions(runner)} == {
        "v1": "active",
        "v2": "previous",
    }
    assert rollback(runner).version == "v2"

    # A third version takes the free slot (A) and retires v1, which can no longer return.
    third = _publish(runner, "v3", 3.0)
    assert third.slot == "A"
    statuses = {v.version: (v.status, v.slot) for v in list_versions(runner)}
    assert statuses == {"v3": ("active", "A"), "v2": ("previous", "B"), "v1": ("retired", None)}
    with pytest.raises(ConflictError, match=r"^Model version 'v1' is retired and cannot be"):
        activate(runner, "v1")
    with pytest.raises(UnknownEntityError, match=r"^Unknown model version id: v9\.$"):
        activate(runner, "v9")
    with pytest.raises(ConflictError, match=r"^Model version 'v3' exists already"):
        _publish(runner, "v3", 4.0)
    rows = runner.read_tx(lambda tx: tx._tx.run(READ_ACTIVE).data())
    assert rows == [{"version": "v3", "items": N_ITEMS, "values": [3.0]}]


def test_active_slot_vector_index_answers(catalogue: ShopGraph) -> None:
    runner = catalogue.runner
    users = ["u0"]
    items = ["i0", "i1", "i2"]
    publish_embeddings(
        runner,
        "tiny",
        user_ids=users,
        user_embeddings=np.array([[1, 0, 0]], np.float32),
        item_ids=items,
        item_embeddings=np.array([[1, 0, 0], [0.8, 0.2, 0], [0, 0, 1]], np.float32),
        metadata={},
    )
    nearest = runner.read_tx(
        lambda tx: tx._tx.run(
            "CALL db.index.vector.queryNodes('item_embedding_a', 2, [1.0, 0.0, 0.0]) "
            "YIELD node RETURN node.itemId AS id"
        ).value()
    )
    assert nearest == ["i0", "i1"]


def test_readers_during_write_back_see_exactly_one_complete_version(
    catalogue: ShopGraph,
) -> None:
    runner = catalogue.runner
    _publish(runner, "old", 1.0)
    seen: list[dict[str, Any]] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            seen.extend(runner.read_tx(lambda tx: tx._tx.run(READ_ACTIVE).data()))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        _publish(runner, "new", 2.0, dims=64)
    finally:
        stop.set()
        reader.join()
    seen.extend(runner.read_tx(lambda tx: tx._tx.run(READ_ACTIVE).data()))
    assert len(seen) > 3
    assert {row["version"] for row in seen} == {"old", "new"}
    for row in seen:
        assert row["items"] == N_ITEMS
        assert row["values"] == ([1.0] if row["version"] == "old" else [2.0])
    versions = [row["version"] for row in seen]
    assert versions == sorted(versions, key=lambda v: v == "new")  # old ... old, new ... new


def test_embeddings_round_trip_as_float32_and_progress_reaches_the_total(
    catalogue: ShopGraph,
) -> None:
    runner = catalogue.runner
    rng = np.random.default_rng(3)
    users = [f"u{u}" for u in range(N_USERS)]
    items = [f"i{i}" for i in range(N_ITEMS)] + ["ghost-item"]
    user_vectors = rng.standard_normal((len(users), 16)).astype(np.float32)
    item_vectors = rng.standard_normal((len(items), 16)).astype(np.float32)
    calls: list[tuple[int, int]] = []

    report = publish_embeddings(
        runner,
        "random",
        user_ids=users,
        user_embeddings=user_vectors,
        item_ids=items,
        item_embeddings=item_vectors,
        metadata={},
        progress=lambda done, total: calls.append((done, total)),
    )

    assert (report.items_written, report.items_missing, report.users_written) == (
        N_ITEMS,
        1,
        N_USERS,
    )
    info = active_version(runner)
    assert (info.version, info.users, info.items, info.dimensions) == (
        "random",
        N_USERS,
        N_ITEMS,
        16,
    )
    assert calls[-1] == (N_USERS + N_ITEMS + 1, N_USERS + N_ITEMS + 1)
    assert [done for done, _ in calls] == sorted({done for done, _ in calls})
    for label, key, ids, vectors in (
        ("Item", "itemId", items, item_vectors),
        ("User", "userId", users, user_vectors),
    ):
        stored = dict(
            runner.read_tx(
                lambda tx, label=label, key=key: tx._tx.run(
                    f"MATCH (n:{label}) RETURN n.{key} AS id, n.embeddingA AS e"
                ).values()
            )
        )
        for index in (0, 1, len(ids) // 2, len(ids) - 2):
            np.testing.assert_array_equal(np.array(stored[ids[index]], np.float32), vectors[index])


def test_a_write_back_failing_half_way_leaves_the_active_version_active_and_serving(
    catalogue: ShopGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = catalogue.runner
    _publish(runner, "v1", 1.0)
    _publish(runner, "v2", 2.0)  # active in slot B; v1 previous in slot A
    write = runner.write
    batches = 0

    def failing_write(name: str, params: Any = None) -> Any:
        """The write-back's second batch fails, as when the server goes away mid-way."""
        nonlocal batches
        if name == "model_write_embeddings":
            batches += 1
            if batches == 2:
                raise GraphUnavailableError("Neo4j went away in the middle of the write-back.")
        return write(name, params)

    monkeypatch.setattr(runner, "write", failing_write)
    with pytest.raises(GraphUnavailableError, match="in the middle of the write-back"):
        _publish(runner, "v3", 3.0)
    monkeypatch.undo()

    assert batches >= 2
    assert models._BATCH < N_ITEMS  # the first batch was written before the failure
    # v2 is still the active version, nothing is left writing, v3 is gone, and the slot it
    # wrote into (A, where v1 was retired) holds no partial embeddings.
    statuses = {v.version: (v.status, v.slot) for v in list_versions(runner)}
    assert statuses == {"v2": ("active", "B"), "v1": ("retired", None)}
    assert active_version(runner).version == "v2"
    rows = runner.read_tx(lambda tx: tx._tx.run(READ_ACTIVE).data())
    assert rows == [{"version": "v2", "items": N_ITEMS, "values": [2.0]}]
    left = runner.read_tx(
        lambda tx: tx._tx.run(
            "MATCH (n) WHERE n.embeddingA IS NOT NULL RETURN count(n) AS n"
        ).single()["n"]
    )
    assert left == 0
    # Serving still answers from v2's embeddings (the vector index of slot B).
    similar = catalogue.similar("i0", 3, WalkOptions(use_model=True))
    assert [r.reason for r in similar] == ["model"] * 3

    # The name is free again, and a new try publishes it.
    assert _publish(runner, "v3", 3.0).slot == "A"
    assert active_version(runner).version == "v3"
