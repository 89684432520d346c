"""All-item evaluation: training items masked, users without test items skipped."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from shopgraph.gnn.data import InteractionData
from shopgraph.gnn.evaluate import evaluate


class _FixedScores:
    """Scores item j for every user as ``n_items - j``: item 0 first, then 1, 2, ..."""

    n_items = 6

    def score(self, users: np.ndarray) -> torch.Tensor:
        return torch.arange(6, 0, -1, dtype=torch.float32).repeat(len(users), 1)


def test_hand_computed_metrics() -> None:
    # User 0 trained on items 0 and 1 (masked), so its list is 2, 3, 4, 5; test item 3.
    # User 1 trained on item 4; list 0, 1, 2, 3; test items 1 and 5.
    # User 2 has no test item and is skipped.
    train = InteractionData.from_arrays([0, 0, 1, 2], [0, 1, 4, 0], n_users=3, n_items=6)
    test = InteractionData.from_arrays([0, 1, 1], [3, 1, 5], n_users=3, n_items=6)
    result = evaluate(_FixedScores(), test, exclude=train, ks=(2, 4))
    log2 = math.log2
    assert result["recall@2"] == pytest.approx((1 + 0.5) / 2)
    assert result["precision@2"] == pytest.approx((0.5 + 0.5) / 2)
    assert result["ndcg@2"] == pytest.approx((1 / log2(3) + (1 / log2(3)) / (1 + 1 / log2(3))) / 2)
    assert result["recall@4"] == pytest.approx((1 + 0.5) / 2)
    assert result["precision@4"] == pytest.approx((0.25 + 0.25) / 2)


def test_training_items_are_masked_not_counted_as_misses() -> None:
    # Ranking 0, 1, 2, ...; the user trained on 0 and 1, test item 2.
    train = InteractionData.from_arrays([0, 0], [0, 1], n_users=1, n_items=6)
    test = InteractionData.from_arrays([0], [2], n_users=1, n_items=6)
    assert evaluate(_FixedScores(), test, exclude=train, ks=(1,))["recall@1"] == 1.0
    assert evaluate(_FixedScores(), test, exclude=None, ks=(1,))["recall@1"] == 0.0


def test_sample_of_users_is_fixed_by_the_seed() -> None:
    users = np.arange(40)
    test = InteractionData.from_arrays(users, users % 6, n_users=40, n_items=6)
    full = evaluate(_FixedScores(), test, exclude=None, ks=(1,))
    assert full["recall@1"] == pytest.approx(7 / 40)  # users 0, 6, 12, ... have item 0
    first = evaluate(_FixedScores(), test, exclude=None, ks=(1,), max_users=10, seed=1)
    again = evaluate(_FixedScores(), test, exclude=None, ks=(1,), max_users=10, seed=1)
    assert first == again
    assert first["recall@1"] in {i / 10 for i in range(11)}


def test_rejects_bad_arguments() -> None:
    data = InteractionData.from_arrays([0], [3], n_users=1, n_items=6)
    with pytest.raises(ValueError, match=r"Every k must be between 1 and 6, got \(7,\)."):
        evaluate(_FixedScores(), data, exclude=None, ks=(7,))
    other = InteractionData.from_arrays([0], [3], n_users=1, n_items=7)
    with pytest.raises(ValueError, match=r"The model has 6 items but the test data 7\."):
        evaluate(_FixedScores(), other, exclude=None)
