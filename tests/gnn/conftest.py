"""Small graphs with known answers, shared by the model tests."""

from __future__ import annotations

import numpy as np
import pytest

from shopgraph.gnn.config import Init, LightGCNConfig
from shopgraph.gnn.data import IdMap, InteractionData


@pytest.fixture
def communities() -> InteractionData:
    """Two disjoint communities: users u0-u11 buy items i0-i9, users u12-u23 items i10-i19.

    Every user has 6 of the 10 items of their community, so every recommendation that ranks
    the community first has 4 right answers left per user.
    """
    rng = np.random.default_rng(0)
    users, items = [], []
    for user in range(24):
        base = 0 if user < 12 else 10
        for item in rng.choice(10, size=6, replace=False):
            users.append(user)
            items.append(base + int(item))
    id_map = IdMap(tuple(f"u{u}" for u in range(24)), tuple(f"i{i}" for i in range(20)))
    return InteractionData.from_arrays(users, items, id_map=id_map)


@pytest.fixture
def small_config() -> LightGCNConfig:
    """A LightGCN configuration that learns the community graph in well under a second.

    Few dimensions and epochs on purpose: with 8 dimensions and 80 epochs the 24 users are
    memorised, every unobserved item is pushed down alike, and the communities blur.
    """
    return LightGCNConfig(
        embedding_dim=4,
        num_layers=2,
        init=Init.NORMAL,
        init_scale=0.1,
        epochs=20,
        negatives=8,
        batch_size=64,
        learning_rate=0.05,
        weight_decay=1e-4,
        validation_fraction=0.0,
        eval_every=1,
        patience=0,
        num_threads=1,
        seed=3,
    )
