"""BPR triplet sampling: never a positive as negative, weights respected, resumable."""

from __future__ import annotations

import numpy as np
import pytest

from shopgraph.gnn.data import InteractionData
from shopgraph.gnn.sampling import Sampling, TripletSampler


def _data() -> InteractionData:
    # User 0: items 0 (weight 1) and 1 (weight 3); user 1: item 2; user 2: items 0..3 minus 1.
    return InteractionData.from_arrays(
        [0, 0, 1, 2, 2, 2], [0, 1, 2, 0, 2, 3], [1.0, 3.0, 1.0, 1.0, 1.0, 1.0], n_items=5
    )


@pytest.mark.parametrize("mode", list(Sampling))
def test_triplets_are_real_positives_and_true_negatives(mode: Sampling) -> None:
    data = _data()
    users, positives, negatives = TripletSampler(data, mode, seed=0).sample(10_000, 2)
    assert negatives.shape == (10_000, 2)
    negatives = negatives.reshape(-1)
    users = users.repeat_interleave(2)
    positives = positives.repeat_interleave(2)
    pairs = set(zip(data.users.tolist(), data.items.tolist(), strict=True))
    drawn = set(zip(users.tolist(), positives.tolist(), strict=True))
    assert drawn == pairs
    assert not set(zip(users.tolist(), negatives.tolist(), strict=True)) & pairs
    assert set(negatives.tolist()) == {0, 1, 2, 3, 4}  # every item is some user's negative


def test_user_mode_draws_users_uniformly_and_items_by_weight() -> None:
    users, positives, _ = TripletSampler(_data(), Sampling.USER, seed=1).sample(60_000)
    share = np.bincount(users.numpy(), minlength=3) / 60_000
    assert share == pytest.approx([1 / 3] * 3, abs=0.01)
    of_user0 = positives.numpy()[users.numpy() == 0]
    assert (of_user0 == 1).mean() == pytest.approx(0.75, abs=0.01)


def test_edge_mode_draws_edges_by_weight() -> None:
    users, _, _ = TripletSampler(_data(), Sampling.EDGE, seed=1).sample(80_000)
    share = np.bincount(users.numpy(), minlength=3) / 80_000
    assert share == pytest.approx([4 / 8, 1 / 8, 3 / 8], abs=0.01)


def test_user_with_every_item_is_never_drawn() -> None:
    data = InteractionData.from_arrays([0, 0, 1], [0, 1, 0])
    users, _, negatives = TripletSampler(data, seed=0).sample(1000, 3)
    assert set(users.tolist()) == {1}
    assert set(negatives.reshape(-1).tolist()) == {1}
    with pytest.raises(ValueError, match="No user has both an interaction and an item left"):
        TripletSampler(InteractionData.from_arrays([0], [0]), seed=0)


def test_state_resumes_the_same_stream() -> None:
    data = _data()
    sampler = TripletSampler(data, seed=5)
    sampler.sample(100)
    state = sampler.state_dict()
    expected = sampler.sample(100)
    other = TripletSampler(data, seed=99)
    other.load_state_dict(state)
    for a, b in zip(other.sample(100), expected, strict=True):
        assert a.tolist() == b.tolist()


@pytest.mark.parametrize("mode", list(Sampling))
def test_equal_weights_draw_a_user_s_items_uniformly(mode: Sampling) -> None:
    data = InteractionData.from_arrays([0, 0, 0, 1], [0, 1, 2, 3], n_items=6)
    users, positives, _ = TripletSampler(data, mode, seed=2).sample(60_000)
    of_user0 = positives.numpy()[users.numpy() == 0]
    assert np.bincount(of_user0, minlength=3) / len(of_user0) == pytest.approx(
        [1 / 3] * 3, abs=0.01
    )
    share_user0 = len(of_user0) / 60_000
    assert share_user0 == pytest.approx(0.5 if mode is Sampling.USER else 0.75, abs=0.01)
    assert set(positives.numpy()[users.numpy() == 1].tolist()) == {3}
