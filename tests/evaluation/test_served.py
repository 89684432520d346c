"""``shopgraph eval served`` on a small split with a known structure, on the real server."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from shopgraph.core.errors import ConfigError
from shopgraph.evaluation.served import MODEL_FREE, OFFLINE, SERVED, evaluate_served
from shopgraph.gnn.config import LightGCNConfig
from shopgraph.graph.client import ShopGraph


def _write_split(folder: Path) -> dict[int, tuple[list[int], list[int]]]:
    """Two communities of 12 users over 10 items each; every user bought 4 of their
    community's items (train) and 2 more later (test)."""
    rng = np.random.default_rng(7)
    folder.mkdir()
    split: dict[int, tuple[list[int], list[int]]] = {}
    for user in range(24):
        base = 0 if user < 12 else 10
        items = [base + int(i) for i in rng.choice(10, size=6, replace=False)]
        split[user] = (items[:4], items[4:])
    for name, part in (("train", 0), ("test", 1)):
        lines = [" ".join(map(str, [u, *sorted(split[u][part])])) for u in range(24)]
        (folder / f"{name}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return split


def test_served_quality_on_communities(
    shop: ShopGraph, small_config: LightGCNConfig, tmp_path: Path
) -> None:
    split = _write_split(tmp_path / "communities")
    report = evaluate_served(
        shop,
        tmp_path / "communities",
        run_dir=tmp_path / "runs" / "one",
        users=None,
        k=5,
        config=small_config,
    )
    assert [r.method for r in report.results] == [SERVED, MODEL_FREE, OFFLINE]
    assert (report.test_users, report.users, report.interactions) == (24, 24, 96)
    for result in report.results:
        assert result.p50_ms <= result.p99_ms
    # Served answers never hold what the user bought, and stay in the user's community,
    # where the two test items are among the six items left to find.
    for user, (train, _test) in split.items():
        answer = [int(r.item_id) for r in shop.recommend(str(user), 5)]
        assert not set(answer) & set(train)
        community = range(0, 10) if user < 12 else range(10, 20)
        assert sum(item in community for item in answer) >= 4
    served = report.results[0].metrics
    assert served["recall@5"] >= 0.6
    assert served["precision@5"] == pytest.approx(served["recall@5"] * 2 / 5)


def test_an_occupied_graph_is_refused(shop: ShopGraph, tmp_path: Path) -> None:
    shop.runner.write(
        "merge_categories", {"rows": [{"code": "c", "name": "c", "level": 0, "parent": None}]}
    )
    with pytest.raises(ConfigError, match="needs an empty graph"):
        evaluate_served(shop, tmp_path, run_dir=tmp_path / "run")
