"""Retraining from the graph on the REES46 sample: export, train, publish, serve, roll back."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from shopgraph.cli import main
from shopgraph.core.errors import BadInputError
from shopgraph.core.settings import Settings
from shopgraph.gnn.config import LightGCNConfig
from shopgraph.gnn.data import IdMap
from shopgraph.gnn.lightgcn import LightGCN
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.export import EventWeights, ExportOptions, export_interactions
from shopgraph.graph.models import active_version, list_versions, publish_embeddings, rollback
from shopgraph.graph.recommend import RecommendOptions, refresh_bundle_masses
from shopgraph.graph.retrain import retrain

#: Small and quick: a few epochs are enough to test the pipeline, not the model's quality.
CONFIG = LightGCNConfig(
    embedding_dim=16, epochs=4, eval_every=2, batch_size=4096, num_threads=1, patience=0
)
NO_LIMITS = RecommendOptions(max_per_brand=1000, max_per_category=1000)


@pytest.fixture
def loaded(shop: ShopGraph, data_dir: Path) -> ShopGraph:
    shop.load_rees46(data_dir / "rees46-multicategory-sample" / "events.csv.gz")
    shop.runner.read("call_walk_refresh")
    refresh_bundle_masses(shop.runner)
    return shop


def _slot_counts(shop: ShopGraph, slot: str) -> tuple[int, int]:
    prop = f"embedding{slot}"
    row = shop.runner.read_tx(
        lambda tx: tx._tx.run(
            "MATCH (n) WHERE (n:User OR n:Item) AND n[$prop] IS NOT NULL "
            "RETURN count(CASE WHEN n:User THEN 1 END) AS users, "
            "count(CASE WHEN n:Item THEN 1 END) AS items",
            prop=prop,
        ).single()
    )
    return int(row["users"]), int(row["items"])


def _most_active_user(shop: ShopGraph) -> str:
    rows = shop.runner.read_tx(
        lambda tx: tx._tx.run(
            "MATCH (u:User)-[:HAS_SESSION]->(:Session)-[:VIEWED]->(i:Item) "
            "RETURN u.userId AS user, count(DISTINCT i) AS n ORDER BY n DESC, user LIMIT 1"
        ).data()
    )
    return str(rows[0]["user"])


def test_retrain_publishes_an_active_version_that_recommend_ranks_by(
    loaded: ShopGraph, tmp_path: Path
) -> None:
    runner = loaded.runner
    options = ExportOptions(weights=EventWeights(view=1.0, cart=3.0, purchase=5.0))
    expected = export_interactions(runner, options)

    first = retrain(runner, options, CONFIG, run_dir=tmp_path / "first", version="v1")

    assert (first.interactions, first.users, first.items) == (
        len(expected),
        expected.n_users,
        expected.n_items,
    )
    assert (first.publish.users_written, first.publish.items_written) == (
        expected.n_users,
        expected.n_items,
    )
    assert (first.publish.users_missing, first.publish.items_missing) == (0, 0)
    active = active_version(runner)
    assert (active.version, active.status, active.slot) == ("v1", "active", first.publish.slot)
    assert (active.users, active.items, active.dimensions) == (
        expected.n_users,
        expected.n_items,
        16,
    )
    assert active.metadata["run_dir"] == str(tmp_path / "first")
    assert active.metadata["export_options"]["weights"]["cart"] == 3.0
    assert _slot_counts(loaded, first.publish.slot) == (expected.n_users, expected.n_items)

    # The run folder: everything a dataset run has, plus where the data came from.
    run = tmp_path / "first"
    for name in ("config.json", "data.json", "id_map.json", "metrics.jsonl", "curves.png"):
        assert (run / name).exists(), name
    snapshot = json.loads((run / "snapshot.json").read_text())
    assert snapshot["export_options"] == options.describe()
    assert snapshot["counts"] == {
        "interactions": len(expected),
        "users": expected.n_users,
        "items": expected.n_items,
    }
    assert snapshot["graph"]["labels"]["Item"] == loaded.stats().labels["Item"]
    assert IdMap.load(run / "id_map.json") == expected.id_map
    assert json.loads((run / "publish.json").read_text())["version"] == "v1"

    # recommend ranks by the dot products of the published embeddings, and says so.
    model = LightGCN.load(run)
    user = _most_active_user(loaded)
    users, items = model.user_embeddings(), model.item_embeddings()
    user_vector = users[model.id_map.users.index(user)]
    rows = loaded.recommend(user, 10, NO_LIMITS)
    assert len(rows) == 10
    assert all(row.reason.startswith("model: ") for row in rows)
    dots = [float(items[model.id_map.items.index(row.item_id)] @ user_vector) for row in rows]
    np.testing.assert_allclose([row.score for row in rows], dots, rtol=1e-4, atol=1e-5)
    assert [row.score for row in rows] == sorted((row.score for row in rows), reverse=True)

    # similar answers from the vector index of the active slot, scored by exact cosine.
    item = model.id_map.items[int(np.argmax(expected.matrix.getnnz(axis=0)))]
    # Items with a zero embedding have no cosine (the vector index leaves them out).
    norms = np.linalg.norm(items, axis=1, keepdims=True)
    unit = np.divide(items, norms, out=np.zeros_like(items), where=norms > 0)
    cosine = unit @ unit[model.id_map.items.index(item)]
    similar = loaded.similar(item, 5)
    assert [row.reason for row in similar] == ["model"] * 5
    assert item not in {row.item_id for row in similar}
    np.testing.assert_allclose(
        [row.score for row in similar],
        [cosine[model.id_map.items.index(row.item_id)] for row in similar],
        atol=1e-5,
    )
    assert [row.score for row in similar] == sorted((row.score for row in similar), reverse=True)
    exact = {model.id_map.items[i] for i in np.argsort(-cosine)[1:11]}
    assert len(exact & {row.item_id for row in similar}) >= 4

    # A second run takes the other slot; the first stays as previous and comes back.
    second = retrain(runner, options, CONFIG, run_dir=tmp_path / "second", version="v2")
    assert second.publish.slot != first.publish.slot
    statuses = {v.version: v.status for v in list_versions(runner)}
    assert statuses == {"v1": "previous", "v2": "active"}
    assert rollback(runner).version == "v1"
    assert [r.score for r in loaded.recommend(user, 10, NO_LIMITS)] == [r.score for r in rows]


def test_recommend_follows_the_embedding_dot_products(loaded: ShopGraph) -> None:
    """Known embeddings: the model's answer is the candidates' top k by dot product.

    When the model ranks, the walks take ``modelSteps`` (5,000 by default) instead of
    ``steps``; the blended answer with as many steps has the same candidates.
    """
    runner = loaded.runner
    user = _most_active_user(loaded)
    same_walks = RecommendOptions(
        max_per_brand=1000, max_per_category=1000, use_model=False, steps=5_000
    )
    blended = loaded.recommend(user, 1000, same_walks)
    assert len(blended) > 20
    assert not any(row.reason.startswith("model") for row in blended)
    item_ids = [str(v) for v in runner.read_tx(
        lambda tx: tx._tx.run("MATCH (i:Item) RETURN i.itemId AS id ORDER BY id").value()
    )]  # fmt: skip
    rng = np.random.default_rng(3)
    scores = dict(zip(item_ids, rng.random(len(item_ids)).round(6).tolist(), strict=True))
    publish_embeddings(
        runner,
        "known",
        user_ids=[user],
        user_embeddings=np.array([[2.0, 0.0]], np.float32),
        item_ids=item_ids,
        item_embeddings=np.array([[scores[i], 1.0] for i in item_ids], np.float32),
        metadata={},
    )
    rows = loaded.recommend(user, 15, NO_LIMITS)
    expected = sorted((row.item_id for row in blended), key=lambda i: (-scores[i], i))[:15]
    assert [row.item_id for row in rows] == expected
    np.testing.assert_allclose(
        [row.score for row in rows], [2 * np.float32(scores[i]) for i in expected], rtol=1e-6
    )
    reasons = {row.item_id: row.reason for row in blended}
    assert [row.reason for row in rows] == [f"model: {reasons[i]}" for i in expected]
    assert loaded.recommend(user, 15, same_walks) == blended[:15]
    # steps applies to the blended ranking only, modelSteps to the model's.
    assert loaded.recommend(user, 15, replace(NO_LIMITS, steps=1)) == rows
    # One step from an item reaches a session, an order, a brand or a category: no candidate.
    every = [row.reason for row in loaded.recommend(user, 1000, NO_LIMITS)]
    assert "model: walk" in every
    no_walks = loaded.recommend(user, 1000, replace(NO_LIMITS, model_steps=1))
    assert "model: walk" not in [row.reason for row in no_walks]


def test_an_empty_export_is_refused(loaded: ShopGraph, tmp_path: Path) -> None:
    nothing = ExportOptions(weights=EventWeights(view=0.0, cart=0.0, purchase=0.0))
    with pytest.raises(BadInputError, match="holds no interactions"):
        retrain(loaded.runner, nothing, CONFIG, run_dir=tmp_path / "run")
    assert list_versions(loaded.runner) == []


def test_cli_write_back(
    loaded: ShopGraph,
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEO4J_URI", settings.bolt_uri)
    monkeypatch.setenv("NEO4J_DATABASE", settings.database)
    if settings.password is not None:
        monkeypatch.setenv("NEO4J_PASSWORD", settings.password)
    else:
        monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    run = tmp_path / "cli-run"
    code = main(
        [
            "train", "--write-back", "--run-dir", str(run), "--version", "cli",
            "--epochs", "2", "--embedding-dim", "8", "--eval-every", "1",
            "--purchase-weight", "6", "--min-user-interactions", "2",
            "--no-decay", "--json",
        ]
    )  # fmt: skip
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["version"] == "cli"
    expected = export_interactions(
        loaded.runner,
        ExportOptions(
            weights=EventWeights(purchase=6.0), half_life_days=None, min_user_interactions=2
        ),
    )
    assert (out["users"], out["items"]) == (expected.n_users, expected.n_items)
    snapshot = json.loads((run / "snapshot.json").read_text())
    assert snapshot["export_options"]["half_life_days"] is None
    assert snapshot["export_options"]["min_user_interactions"] == 2
    active = active_version(loaded.runner)
    assert (active.version, active.users, active.dimensions) == ("cli", expected.n_users, 8)
