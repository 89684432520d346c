"""Trust weights in LightGCN: an injected user's influence on item scores scales with t."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from shopgraph.gnn.config import LightGCNConfig, LossWeights
from shopgraph.gnn.data import InteractionData
from shopgraph.gnn.propagation import DegreeNorm, normalized_adjacency, propagate, to_torch_csr
from shopgraph.gnn.sampling import TripletSampler
from shopgraph.gnn.train import train_lightgcn

N_USERS, N_ITEMS, TARGET = 60, 40, 39


def _graph(t: float) -> InteractionData:
    """60 genuine users with 5 items each among items 0-38, and user 60 holding the target
    item 39 and 5 fillers, all its edges weighted ``t``."""
    rng = np.random.default_rng(0)
    users, items = [], []
    for u in range(N_USERS):
        for i in rng.choice(TARGET, 5, replace=False):
            users.append(u)
            items.append(int(i))
    fake = [TARGET, *(int(i) for i in rng.choice(TARGET, 5, replace=False))]
    users += [N_USERS] * len(fake)
    items += fake
    weights = np.ones(len(users))
    weights[-len(fake) :] = t
    return InteractionData.from_arrays(users, items, weights, n_users=N_USERS + 1, n_items=N_ITEMS)


def _target_scores(t: float, norm: DegreeNorm) -> torch.Tensor:
    """Genuine users' scores of the target item after 3 layers from fixed layer-0 embeddings."""
    adjacency = to_torch_csr(normalized_adjacency(_graph(t), norm))
    x = torch.randn(N_USERS + 1 + N_ITEMS, 16, generator=torch.Generator().manual_seed(1))
    final = propagate(adjacency, x, 3)
    return final[:N_USERS] @ final[N_USERS + 1 + TARGET]


def _influence(t: float, norm: DegreeNorm) -> float:
    """How far the injected user moves the target's scores, relative to trust 1 (t -> 0 is
    the baseline: the same graph, the user's edges nearly weightless)."""
    base = _target_scores(1e-9, norm)
    moved = (_target_scores(t, norm) - base).abs().mean()
    full = (_target_scores(1.0, norm) - base).abs().mean()
    return float(moved / full)


@pytest.mark.parametrize("t", [0.02, 0.1, 0.25, 0.5])
def test_count_degrees_damp_influence_by_t_and_weighted_degrees_only_by_sqrt_t(t: float) -> None:
    count = _influence(t, DegreeNorm.COUNT)
    weighted = _influence(t, DegreeNorm.WEIGHTED)

    # Paths through two or more of the user's edges add t^2, t^3 terms, so with counted
    # degrees the influence is at most t; with weighted degrees it stays near sqrt(t).
    assert 0.5 * t <= count <= t
    assert weighted == pytest.approx(np.sqrt(t), rel=0.25)
    assert weighted > 2 * count


def test_default_normalisation_is_unchanged_by_the_new_option() -> None:
    data = _graph(0.5)
    default = normalized_adjacency(data)
    weighted = normalized_adjacency(data, DegreeNorm.WEIGHTED)
    counted = normalized_adjacency(data, DegreeNorm.COUNT)

    assert (default != weighted).nnz == 0
    # A count-normalised entry of the injected user is t / sqrt(d_u d_i) with counts.
    degree_target = 1
    assert counted[N_USERS, N_USERS + 1 + TARGET] == pytest.approx(0.5 / np.sqrt(6 * degree_target))


def test_sampler_returns_the_positive_edge_weights_on_the_same_stream() -> None:
    data = _graph(0.25)
    plain = TripletSampler(data, seed=3).sample(500, 2)
    users, positives, negatives, weights = TripletSampler(data, seed=3).sample_with_weights(500, 2)

    assert torch.equal(plain[0], users)
    assert torch.equal(plain[1], positives)
    assert torch.equal(plain[2], negatives)
    expected = np.where(users.numpy() == N_USERS, 0.25, 1.0)
    np.testing.assert_array_equal(weights.numpy(), expected.astype(np.float32))


def test_edge_loss_weights_with_unit_weights_train_exactly_like_plain_bpr() -> None:
    data = _graph(1.0)

    def train(loss_weights: LossWeights) -> np.ndarray:
        config = LightGCNConfig(
            embedding_dim=8, epochs=3, batch_size=64, init_scale=1.0, validation_fraction=0.0,
            checkpoint_every=0, loss_weights=loss_weights, seed=0,
        )  # fmt: skip
        return train_lightgcn(config, data).item_embeddings

    np.testing.assert_allclose(train(LossWeights.EDGE), train(LossWeights.NONE), atol=1e-5)
