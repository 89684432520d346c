"""LightGCN propagation on a CPU-friendly sparse graph: built once, applied once per step.

LightGCN's final embeddings are ``E = sum_l a_l A^l E0`` with the symmetric normalised
user-item adjacency ``A = D^-1/2 [[0, R], [R^T, 0]] D^-1/2`` and ``a_l = 1 / (L + 1)``
(He et al., SIGIR 2020, eq. 3-4). Because ``A`` is symmetric, the whole map ``E0 -> E`` is a
symmetric linear operator, so its backward pass is the same operator applied to the
gradient. :class:`_LightGCNPropagation` uses that: forward and backward are ``L`` sparse
products each, on one ``float32`` CSR matrix built once per training run.

Why not PyG's ``LightGCN`` / ``LGConv`` here: PyG re-normalises ``edge_index`` (``gcn_norm``)
and scatters over COO edges on every call, and autograd differentiates each layer through
the transpose of the sparse matrix and keeps every layer's output; here the matrix is
normalised once and no layer output is kept for the backward pass. ``benchmarks/train.py``
measures both. ``LGConv`` remains the reference this module is tested against.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
import torch

from shopgraph.gnn.config import DegreeNorm
from shopgraph.gnn.data import InteractionData

__all__ = ["DegreeNorm", "normalized_adjacency", "propagate", "to_torch_csr"]


def normalized_adjacency(
    data: InteractionData, degree_norm: DegreeNorm = DegreeNorm.WEIGHTED
) -> sp.csr_matrix:
    """The symmetric normalised bipartite adjacency ``D^-1/2 A D^-1/2`` of the data.

    Users are nodes ``0 .. n_users - 1``, items ``n_users .. n_users + n_items - 1``. The
    edge weights of ``data`` are the entries of ``A`` (both directions), and ``D`` holds the
    weighted degrees, or the edge counts with ``degree_norm=COUNT`` (:class:`DegreeNorm`);
    isolated nodes get an all-zero row.

    Args:
        data: The training interactions (the message-passing graph: never include held-out
            edges).
        degree_norm: Which degrees normalise (default ``WEIGHTED``).

    Returns:
        ``float32 [N, N]`` CSR matrix with ``N = n_users + n_items``, sorted indices.
    """
    n = data.n_users + data.n_items
    rows = np.concatenate([data.users, data.items + data.n_users])
    cols = np.concatenate([data.items + data.n_users, data.users])
    values = np.concatenate([data.weights, data.weights]).astype(np.float64)
    counted = values if DegreeNorm(degree_norm) is DegreeNorm.WEIGHTED else None
    degree = np.bincount(rows, weights=counted, minlength=n).astype(np.float64)
    scale = np.zeros(n)
    np.divide(1.0, np.sqrt(degree), out=scale, where=degree > 0)
    values = values * scale[rows] * scale[cols]
    matrix = sp.csr_matrix((values.astype(np.float32), (rows, cols)), shape=(n, n))
    matrix.sort_indices()
    return matrix


def to_torch_csr(matrix: sp.csr_matrix) -> torch.Tensor:
    """A scipy CSR matrix as a ``torch.sparse_csr_tensor`` (``int64`` indices, same values)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")
        return torch.sparse_csr_tensor(
            torch.from_numpy(matrix.indptr.astype(np.int64)),
            torch.from_numpy(matrix.indices.astype(np.int64)),
            torch.from_numpy(np.ascontiguousarray(matrix.data)),
            size=matrix.shape,
            check_invariants=False,
        )


def _mean_of_powers(adjacency: torch.Tensor, x: torch.Tensor, num_layers: int) -> torch.Tensor:
    total = x.clone()
    current = x
    for _ in range(num_layers):
        current = torch.sparse.mm(adjacency, current)
        total += current
    return total.div_(num_layers + 1)


class _LightGCNPropagation(torch.autograd.Function):
    """``E0 -> mean(E0, A E0, ..., A^L E0)`` with the same operator as its backward pass.

    Valid only for a symmetric ``A`` (what :func:`normalized_adjacency` builds).
    """

    @staticmethod
    def forward(adjacency: torch.Tensor, x: torch.Tensor, num_layers: int) -> torch.Tensor:
        return _mean_of_powers(adjacency, x, num_layers)

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: Any) -> None:
        ctx.adjacency, _, ctx.num_layers = inputs

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[None, torch.Tensor, None]:
        return None, _mean_of_powers(ctx.adjacency, grad.contiguous(), ctx.num_layers), None


def propagate(adjacency: torch.Tensor, x: torch.Tensor, num_layers: int) -> torch.Tensor:
    """LightGCN's layer combination ``mean_{l=0..L} A^l x``, differentiable in ``x``.

    Args:
        adjacency: ``[N, N]`` symmetric sparse CSR tensor (:func:`normalized_adjacency`).
        x: ``float32 [N, d]`` layer-0 embeddings.
        num_layers: ``L >= 0``.

    Returns:
        ``float32 [N, d]`` final embeddings.

    Raises:
        ValueError: When shapes disagree or ``num_layers`` is negative.
    """
    if num_layers < 0:
        raise ValueError(f"num_layers must be at least 0, got {num_layers}.")
    if adjacency.shape[0] != x.shape[0] or adjacency.shape[1] != x.shape[0]:
        raise ValueError(f"The adjacency is {tuple(adjacency.shape)} but x has {x.shape[0]} rows.")
    out: torch.Tensor = _LightGCNPropagation.apply(adjacency, x, num_layers)
    return out
