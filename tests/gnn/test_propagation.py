"""Our fused propagation equals a stack of PyG LGConv layers, values and gradients."""

from __future__ import annotations

import numpy as np
import torch
from torch_geometric.nn import LGConv

from shopgraph.gnn.data import InteractionData
from shopgraph.gnn.propagation import normalized_adjacency, propagate, to_torch_csr


def _data() -> InteractionData:
    rng = np.random.default_rng(0)
    pairs = {(int(u), int(i)) for u, i in rng.integers(0, [30, 20], (150, 2))}
    users, items = np.array(sorted(pairs)).T
    return InteractionData.from_arrays(users, items, rng.uniform(0.5, 2.0, len(users)))


def test_adjacency_is_symmetric_normalised_with_weights() -> None:
    data = InteractionData.from_arrays([0, 0, 1], [0, 1, 1], [1.0, 3.0, 2.0])
    a = normalized_adjacency(data).toarray()
    assert np.allclose(a, a.T)
    # Degrees: user 0: 4, user 1: 2, item 0 (node 2): 1, item 1 (node 3): 5.
    assert a[0, 3] == np.float32(3 / np.sqrt(4 * 5))
    assert a[1, 3] == np.float32(2 / np.sqrt(2 * 5))
    assert a[0, 2] == np.float32(1 / np.sqrt(4 * 1))
    assert a[1, 2] == 0
    assert a[0, 1] == 0  # bipartite: no user-user edge
    assert a[2, 3] == 0  # and no item-item edge


def test_matches_lgconv_stack_forward_and_backward() -> None:
    data = _data()
    adjacency = to_torch_csr(normalized_adjacency(data))
    n = data.n_users + data.n_items
    x = torch.randn(n, 8, generator=torch.Generator().manual_seed(0), dtype=torch.float32)
    weight = torch.randn(n, 8, generator=torch.Generator().manual_seed(1))

    ours_x = x.clone().requires_grad_()
    ours = propagate(adjacency, ours_x, 3)
    (ours * weight).sum().backward()

    conv = LGConv(normalize=False)
    ref_x = x.clone().requires_grad_()
    layers = [ref_x]
    for _ in range(3):
        layers.append(conv(layers[-1], adjacency))
    reference = torch.stack(layers).mean(dim=0)
    (reference * weight).sum().backward()

    assert torch.allclose(ours, reference, atol=1e-6)
    assert ours_x.grad is not None
    assert ref_x.grad is not None
    assert torch.allclose(ours_x.grad, ref_x.grad, atol=1e-6)
    assert not torch.equal(ours_x.grad, weight)  # the gradient went through the graph
