"""Ranking metrics on hand-computed fixtures (LightGCN reference conventions)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from shopgraph.gnn.metrics import ndcg_at_k, precision_at_k, ranking_metrics, recall_at_k

# Three users, ranked lists of length 4. User 0 has 2 relevant items (hits at ranks 0, 2),
# user 1 has 3 (no hit), user 2 has 5 (hits everywhere).
HITS = np.array(
    [[True, False, True, False], [False, False, False, False], [True, True, True, True]]
)
N_RELEVANT = np.array([2, 3, 5])
D = [1 / math.log2(r + 2) for r in range(4)]  # 1, 0.6309, 0.5, 0.4307


def test_recall_divides_by_all_relevant_items() -> None:
    assert recall_at_k(HITS, N_RELEVANT, 4).tolist() == pytest.approx([1.0, 0.0, 0.8])
    assert recall_at_k(HITS, N_RELEVANT, 2).tolist() == pytest.approx([0.5, 0.0, 0.4])


def test_precision_divides_by_k() -> None:
    assert precision_at_k(HITS, N_RELEVANT, 4).tolist() == pytest.approx([0.5, 0.0, 1.0])
    assert precision_at_k(HITS, N_RELEVANT, 1).tolist() == pytest.approx([1.0, 0.0, 1.0])


def test_ndcg_ideal_list_has_min_k_relevant_hits() -> None:
    user0 = (D[0] + D[2]) / (D[0] + D[1])  # 1.5 / 1.6309 = 0.9197
    assert ndcg_at_k(HITS, N_RELEVANT, 4).tolist() == pytest.approx([user0, 0.0, 1.0])
    assert ndcg_at_k(HITS, N_RELEVANT, 4)[0] == pytest.approx(0.91972, abs=1e-5)
    # k = 2: user 0 has one hit of an ideal two.
    assert ndcg_at_k(HITS, N_RELEVANT, 2).tolist() == pytest.approx([1 / (D[0] + D[1]), 0.0, 1.0])


def test_aggregator_skips_users_without_relevant_items() -> None:
    hits = np.vstack([HITS, [[True, True, False, False]]])
    n_relevant = np.append(N_RELEVANT, 0)
    result = ranking_metrics(hits, n_relevant, ks=(4,))
    assert list(result) == ["recall@4", "ndcg@4", "precision@4"]
    assert result["recall@4"] == pytest.approx(1.8 / 3)
    assert result["precision@4"] == pytest.approx(1.5 / 3)
    assert result["ndcg@4"] == pytest.approx((0.91972 + 1.0) / 3, abs=1e-5)


def test_aggregator_default_is_at_20() -> None:
    hits = np.zeros((1, 20), bool)
    hits[0, 19] = True
    result = ranking_metrics(hits, np.array([1]))
    assert result == pytest.approx(
        {"recall@20": 1.0, "ndcg@20": 1 / math.log2(21), "precision@20": 0.05}
    )


def test_metrics_refuse_users_without_relevant_items() -> None:
    with pytest.raises(ValueError, match="at least one relevant item"):
        recall_at_k(HITS, np.array([2, 0, 5]), 4)


def test_metrics_refuse_bad_k() -> None:
    with pytest.raises(ValueError, match="k must be between 1 and the list length 4, got 5"):
        ndcg_at_k(HITS, N_RELEVANT, 5)
