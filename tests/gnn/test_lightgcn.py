"""LightGCN: learns a known structure, saves and loads, resumes to the same model."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from shopgraph.core.errors import ModelNotTrainedError, UnknownEntityError
from shopgraph.gnn.config import Init, LightGCNConfig, LrSchedule
from shopgraph.gnn.data import InteractionData
from shopgraph.gnn.lightgcn import LightGCN
from shopgraph.gnn.train import EpochReport, _Trainer, train_lightgcn


def _community(item_or_user: str) -> int:
    return 0 if int(item_or_user[1:]) < (12 if item_or_user[0] == "u" else 10) else 1


@pytest.mark.parametrize("init", list(Init))
def test_recommends_within_the_community(
    communities: InteractionData, small_config: LightGCNConfig, init: Init
) -> None:
    config = dataclasses.replace(
        small_config, init=init, init_scale=0.1 if init is Init.NORMAL else 1.0
    )
    model = LightGCN(config).fit(communities)
    users = list(communities.id_map.users)
    ids, scores = model.recommend(users, k=4)
    for user, items, values in zip(users, ids, scores, strict=True):
        assert len(items) == 4
        assert {_community(item) for item in items} == {_community(user)}
        seen = set(communities.id_map.item_ids(communities.user_items(int(user[1:]))))
        assert not seen & set(items)
        assert values == sorted(values, reverse=True)


def test_dynamic_negatives_recommend_within_the_community(
    communities: InteractionData, small_config: LightGCNConfig
) -> None:
    config = dataclasses.replace(small_config, negatives=2, negative_candidates=4)
    model = LightGCN(config).fit(communities)
    users = list(communities.id_map.users)
    ids, _ = model.recommend(users, k=4)
    for user, items in zip(users, ids, strict=True):
        assert {_community(item) for item in items} == {_community(user)}


def test_dynamic_negatives_are_the_highest_scored_candidates(
    communities: InteractionData, small_config: LightGCNConfig
) -> None:
    config = dataclasses.replace(small_config, negatives=2, negative_candidates=3)
    trainer = _Trainer(config, communities, None, None, None)
    final = torch.randn(communities.n_users + communities.n_items, config.embedding_dim)
    users = torch.tensor([0, 5])
    drawn = torch.tensor([[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]])
    chosen = trainer._hardest(final, users, drawn).view(2, 2)
    scores = final[users] @ final[communities.n_users :].T
    for row in range(2):
        for negative in range(2):
            candidates = drawn[row, 3 * negative : 3 * negative + 3]
            best = candidates[scores[row, candidates].argmax()]
            assert chosen[row, negative] == best
    uniform = _Trainer(small_config, communities, None, None, None)
    assert torch.equal(uniform._hardest(final, users, drawn), drawn.reshape(-1))


def test_similar_items_stay_in_the_community(
    communities: InteractionData, small_config: LightGCNConfig
) -> None:
    model = LightGCN(small_config).fit(communities)
    ids, _ = model.similar_items(["i3", "i15"], k=5)
    assert "i3" not in ids[0]
    assert "i15" not in ids[1]
    assert {_community(i) for i in ids[0]} == {0}
    assert {_community(i) for i in ids[1]} == {1}


def test_recommend_options(communities: InteractionData, small_config: LightGCNConfig) -> None:
    model = LightGCN(small_config).fit(communities)
    unfiltered, _ = model.recommend(["u0"], k=20, filter_seen=False)
    assert len(unfiltered[0]) == 20
    seen = set(communities.id_map.item_ids(communities.user_items(0)))
    assert seen <= set(unfiltered[0][:10])  # known items rank above the other community
    filtered, _ = model.recommend(["u0"], k=20)
    assert len(filtered[0]) == 14
    assert not seen & set(filtered[0])
    seen13 = set(communities.id_map.item_ids(communities.user_items(13)))
    new13 = sorted({f"i{i}" for i in range(10, 20)} - seen13)[0]
    candidates = [new13, "i0", "i1", "i2"]
    only, _ = model.recommend(["u0", "u13"], k=3, candidates=candidates)
    assert set(only[0]) <= set(candidates) - seen
    assert only[1][0] == new13
    with pytest.raises(UnknownEntityError, match=r"Unknown user id: nobody\."):
        model.recommend(["u1", "nobody"])
    with pytest.raises(ValueError, match=r"k must be at least 1, got 0\."):
        model.recommend(["u1"], k=0)


def test_embeddings_are_float32_in_id_map_order(
    communities: InteractionData, small_config: LightGCNConfig
) -> None:
    model = LightGCN(small_config).fit(communities)
    users, items = model.user_embeddings(), model.item_embeddings()
    assert users.dtype == items.dtype == np.float32
    assert users.shape == (24, 4)
    assert items.shape == (20, 4)
    score = model.score(np.array([5]))[0, 7].item()
    assert score == pytest.approx(float(users[5] @ items[7]), rel=1e-5)


def test_untrained_model_raises(tmp_path: Path) -> None:
    model = LightGCN()
    with pytest.raises(ModelNotTrainedError, match="call fit or load first"):
        model.recommend(["u1"])
    with pytest.raises(ModelNotTrainedError, match="call fit or load first"):
        model.user_embeddings()
    with pytest.raises(ModelNotTrainedError, match="No trained LightGCN model in"):
        LightGCN.load(tmp_path)


def test_save_load_round_trip(
    communities: InteractionData, small_config: LightGCNConfig, tmp_path: Path
) -> None:
    model = LightGCN(small_config).fit(communities)
    model.save(tmp_path / "model")
    loaded = LightGCN.load(tmp_path / "model")
    assert loaded.config == small_config
    assert loaded.id_map == communities.id_map
    assert np.array_equal(loaded.user_embeddings(), model.user_embeddings())
    assert np.array_equal(loaded.item_embeddings(), model.item_embeddings())
    users = list(communities.id_map.users)
    assert loaded.recommend(users, k=5) == model.recommend(users, k=5)
    assert loaded.similar_items(["i4"], k=3) == model.similar_items(["i4"], k=3)


def test_run_folder_has_every_artefact(
    communities: InteractionData, small_config: LightGCNConfig, tmp_path: Path
) -> None:
    config = LightGCNConfig.from_dict(
        {**small_config.to_dict(), "validation_fraction": 0.2, "epochs": 6, "eval_every": 2}
    )
    reports: list[EpochReport] = []
    model = LightGCN(config).fit(communities, run_dir=tmp_path / "run", progress=reports.append)
    run = tmp_path / "run"
    assert sorted(p.name for p in run.iterdir()) == [
        "checkpoint.pt", "config.json", "curves.png", "data.json", "id_map.json",
        "metrics.jsonl", "model",
    ]  # fmt: skip
    assert json.loads((run / "config.json").read_text())["config"] == config.to_dict()
    data = json.loads((run / "data.json").read_text())
    assert data["train"]["n_interactions"] + data["validation"]["n_interactions"] == 144
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [row["epoch"] for row in rows] == [1, 2, 3, 4, 5, 6]
    assert [("val_recall@20" in row) for row in rows] == [False, True] * 3
    assert [r.epoch for r in reports] == [1, 2, 3, 4, 5, 6]
    assert (run / "curves.png").read_bytes().startswith(b"\x89PNG")
    assert model.training.best_epoch in (2, 4, 6)
    loaded = LightGCN.load(run)  # a run folder loads through its model/
    assert np.array_equal(loaded.item_embeddings(), model.item_embeddings())


class _Crash(Exception):
    pass


@pytest.mark.parametrize(
    ("schedule", "candidates"),
    [(LrSchedule.CONSTANT, 1), (LrSchedule.COSINE, 1), (LrSchedule.COSINE, 4)],
)
def test_resume_gives_the_uninterrupted_model(
    communities: InteractionData,
    small_config: LightGCNConfig,
    tmp_path: Path,
    schedule: LrSchedule,
    candidates: int,
) -> None:
    # No validation: the returned embeddings are those of the last epoch. With hard
    # negatives (candidates > 1) the candidates are scored on the resumed model's weights.
    config = LightGCNConfig.from_dict(
        {
            **small_config.to_dict(),
            "epochs": 8,
            "lr_schedule": schedule.value,
            "negative_candidates": candidates,
        }
    )
    straight = train_lightgcn(config, communities, run_dir=tmp_path / "straight")

    def crash_at_5(report: EpochReport) -> None:
        if report.epoch == 5:
            raise _Crash

    with pytest.raises(_Crash):
        train_lightgcn(config, communities, run_dir=tmp_path / "resumed", progress=crash_at_5)
    epochs = []
    resumed = train_lightgcn(
        config,
        communities,
        run_dir=tmp_path / "resumed",
        resume=True,
        progress=lambda r: epochs.append(r.epoch),
    )
    assert epochs == [6, 7, 8]
    assert torch.equal(resumed.embeddings, straight.embeddings)
    assert np.array_equal(resumed.item_embeddings, straight.item_embeddings)
    assert resumed.best_epoch == straight.best_epoch
    assert [r.loss for r in resumed.history] == [r.loss for r in straight.history]
    lines = (tmp_path / "resumed" / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in lines] == list(range(1, 9))


def test_cosine_schedule_falls_to_zero_at_the_last_step(
    communities: InteractionData, small_config: LightGCNConfig, tmp_path: Path
) -> None:
    config = LightGCNConfig.from_dict({**small_config.to_dict(), "lr_schedule": "cosine"})
    train_lightgcn(config, communities, run_dir=tmp_path / "run")
    state = torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=True)
    steps = config.epochs * math.ceil(len(communities) / config.batch_size)
    last = 0.05 * 0.5 * (1 + math.cos(math.pi * (steps - 1) / steps))
    assert state["optimizer"]["param_groups"][0]["lr"] == pytest.approx(last)
    assert last < 0.05 * 1e-2
    # The first step takes the full rate, the later ones less.
    one_step = {"epochs": 1, "batch_size": len(communities)}
    runs = {
        schedule: train_lightgcn(
            LightGCNConfig.from_dict({**config.to_dict(), **one_step, "lr_schedule": schedule}),
            communities,
        )
        for schedule in ("constant", "cosine")
    }
    assert torch.equal(runs["constant"].embeddings, runs["cosine"].embeddings)
    constant = train_lightgcn(small_config, communities)
    assert not torch.equal(constant.embeddings, train_lightgcn(config, communities).embeddings)


def test_resume_refuses_other_settings(
    communities: InteractionData, small_config: LightGCNConfig, tmp_path: Path
) -> None:
    train_lightgcn(small_config, communities, run_dir=tmp_path / "run")
    other = LightGCNConfig.from_dict({**small_config.to_dict(), "learning_rate": 0.5})
    with pytest.raises(ValueError, match=r"other settings \(learning_rate\)"):
        train_lightgcn(other, communities, run_dir=tmp_path / "run", resume=True)
    with pytest.raises(ValueError, match="already holds a run"):
        train_lightgcn(small_config, communities, run_dir=tmp_path / "run")


def test_early_stopping_keeps_the_best_epoch(
    communities: InteractionData, small_config: LightGCNConfig
) -> None:
    # With 20 items, recall@20 is 1.0 from the first evaluation on and can never improve:
    # patience 3 without learning-rate drops stops after epoch 4 with epoch 1's embeddings.
    config = LightGCNConfig.from_dict(
        {
            **small_config.to_dict(),
            "validation_fraction": 0.3,
            "epochs": 60,
            "patience": 3,
            "lr_drops": 0,
        }
    )
    result = train_lightgcn(config, communities)
    assert result.stopped_early
    assert result.epochs_run == 4
    assert result.best_epoch == 1
    assert result.best_metrics is not None
    assert result.best_metrics["recall@20"] == 1.0
    assert [r.best_epoch for r in result.history] == [1, 1, 1, 1]
    one_epoch = train_lightgcn(
        LightGCNConfig.from_dict({**config.to_dict(), "epochs": 1}), communities
    )
    assert torch.equal(result.embeddings, one_epoch.embeddings)


def test_learning_rate_drops_before_stopping_and_resumes(
    communities: InteractionData, small_config: LightGCNConfig, tmp_path: Path
) -> None:
    # Patience 1 with two drops: epoch 2 and 3 drop the rate (restarting from epoch 1's
    # embeddings), epoch 4 stops. A crash after epoch 3 resumes to the same run.
    config = LightGCNConfig.from_dict(
        {
            **small_config.to_dict(),
            "validation_fraction": 0.3,
            "epochs": 60,
            "patience": 1,
            "lr_drops": 2,
            "lr_drop": 0.5,
        }
    )
    straight = train_lightgcn(config, communities, run_dir=tmp_path / "straight")
    assert straight.stopped_early
    assert straight.epochs_run == 4
    state = torch.load(tmp_path / "straight" / "checkpoint.pt", weights_only=True)
    assert state["lr_drops"] == 2
    assert state["optimizer"]["param_groups"][0]["lr"] == pytest.approx(0.05 * 0.25)

    def crash_at_3(report: EpochReport) -> None:
        if report.epoch == 3:
            raise _Crash

    with pytest.raises(_Crash):
        train_lightgcn(config, communities, run_dir=tmp_path / "resumed", progress=crash_at_3)
    resumed = train_lightgcn(config, communities, run_dir=tmp_path / "resumed", resume=True)
    assert [r.loss for r in resumed.history] == [r.loss for r in straight.history]
    assert resumed.epochs_run == 4
