"""GF-CF: the closed form on a tiny graph, the contract, and the paper's Gowalla number."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
import torch

from shopgraph.core.errors import BadInputError, ModelNotTrainedError
from shopgraph.gnn.data import InteractionData
from shopgraph.gnn.datasets import read_lightgcn_folder
from shopgraph.gnn.evaluate import evaluate
from shopgraph.gnn.gfcf import GFCF, GFCFConfig


def _dense_gfcf(data: InteractionData, alpha: float, k: int) -> np.ndarray:
    """GF-CF written out with dense numpy and an exact SVD, as in the paper."""
    r = np.zeros((data.n_users, data.n_items))
    r[data.users, data.items] = data.weights
    du, di = r.sum(axis=1), r.sum(axis=0)
    norm = r / np.sqrt(du)[:, None] / np.sqrt(di)[None, :]
    _, s, vt = np.linalg.svd(norm)
    assert s[k - 1] - s[k] > 1e-3  # the top-k subspace is unique
    v = vt[:k].T
    ideal = np.diag(1 / np.sqrt(di)) @ v @ v.T @ np.diag(np.sqrt(di))
    return r @ norm.T @ norm + alpha * r @ ideal


def test_scores_match_the_closed_form(communities: InteractionData) -> None:
    weighted = InteractionData.from_arrays(
        communities.users,
        communities.items,
        np.linspace(0.5, 2.0, len(communities)),
        id_map=communities.id_map,
    )
    model = GFCF(GFCFConfig(alpha=0.3, n_factors=3)).fit(weighted)
    scores = model.score(np.arange(weighted.n_users)).numpy()
    assert scores.dtype == np.float32
    np.testing.assert_allclose(scores, _dense_gfcf(weighted, 0.3, 3), atol=1e-5)


def test_recommends_within_the_community(communities: InteractionData) -> None:
    model = GFCF(GFCFConfig(n_factors=4)).fit(communities)
    ids, scores = model.recommend(["u0", "u20"], k=4)
    assert all(int(i[1:]) < 10 for i in ids[0])
    assert all(int(i[1:]) >= 10 for i in ids[1])
    seen = set(communities.id_map.item_ids(communities.user_items(0)))
    assert not seen & set(ids[0])
    assert scores[0] == sorted(scores[0], reverse=True)
    similar, _ = model.similar_items(["i12"], k=3)
    assert "i12" not in similar[0]
    assert all(int(i[1:]) >= 10 for i in similar[0])


def test_save_load_round_trip(communities: InteractionData, tmp_path: Path) -> None:
    model = GFCF(GFCFConfig(n_factors=4, alpha=0.5)).fit(communities)
    model.save(tmp_path / "gfcf")
    loaded = GFCF.load(tmp_path / "gfcf")
    assert loaded.config == model.config
    assert loaded.id_map == communities.id_map
    users = np.arange(communities.n_users)
    assert torch.equal(loaded.score(users), model.score(users))
    assert loaded.recommend(["u3"], k=5) == model.recommend(["u3"], k=5)

    # A folder whose description names another kind of model is bad input, not "no model".
    meta = tmp_path / "gfcf" / "model.json"
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "model": "lightgcn"}))
    with pytest.raises(BadInputError, match=r"model\.json: holds a lightgcn model, not a GF-CF"):
        GFCF.load(tmp_path / "gfcf")


def test_unfitted_model_raises(tmp_path: Path) -> None:
    with pytest.raises(ModelNotTrainedError, match="call fit or load first"):
        GFCF().recommend(["u1"])
    with pytest.raises(ModelNotTrainedError, match="No trained GF-CF model in"):
        GFCF.load(tmp_path)
    with pytest.raises(ValueError, match=r"n_factors must be at least 1, got 0\."):
        GFCFConfig(n_factors=0)


@pytest.mark.slow
def test_gowalla_recall_reaches_the_paper(data_dir: Path) -> None:
    """Real data: GF-CF on the LightGCN Gowalla split (paper: recall@20 0.1849).

    Scored on a fixed sample of 8,000 of the 29,858 test users to stay under a minute.
    """
    dataset = read_lightgcn_folder(data_dir / "lightgcn-gowalla")
    threads = min(2, os.cpu_count() or 1)
    model = GFCF(GFCFConfig(num_threads=threads)).fit(dataset.train)
    metrics = evaluate(model, dataset.test, exclude=dataset.train, max_users=8000, seed=0)
    assert metrics["recall@20"] >= 0.18
    assert metrics["ndcg@20"] >= 0.15
