"""Spectral helpers: the degree-normalised user-item matrix and its truncated SVD.

Both GF-CF (its ideal low-pass filter) and the SVD initialisation of LightGCN need the top
singular vectors of ``R~ = D_u^-1/2 R D_i^-1/2``. :func:`truncated_svd` is a randomised
range finder with power iterations (Halko, Martinsson and Tropp, SIAM Review 2011) on
torch's sparse products. Four power iterations are the default: more do not change
GF-CF's recall on Gowalla (``benchmarks/RESULTS.md``).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]
import torch

from shopgraph.gnn.data import InteractionData
from shopgraph.gnn.propagation import DegreeNorm, to_torch_csr

__all__ = ["degree_scales", "normalized_interactions", "spectral_embeddings", "truncated_svd"]

_F32 = npt.NDArray[np.float32]


def degree_scales(
    data: InteractionData, degree_norm: DegreeNorm = DegreeNorm.WEIGHTED
) -> tuple[_F32, _F32]:
    """``(d_u^-1/2, d_i^-1/2)`` of the weighted degrees (or edge counts, ``COUNT``); 0 for
    users or items without edges."""
    weights = data.weights.astype(np.float64)
    counted = weights if DegreeNorm(degree_norm) is DegreeNorm.WEIGHTED else None
    scales = []
    for index, size in ((data.users, data.n_users), (data.items, data.n_items)):
        degree = np.bincount(index, weights=counted, minlength=size).astype(np.float64)
        scale = np.zeros(size)
        np.divide(1.0, np.sqrt(degree), out=scale, where=degree > 0)
        scales.append(scale.astype(np.float32))
    return scales[0], scales[1]


def normalized_interactions(
    data: InteractionData, degree_norm: DegreeNorm = DegreeNorm.WEIGHTED
) -> sp.csr_matrix:
    """``R~ = D_u^-1/2 R D_i^-1/2``: ``float32 [n_users, n_items]`` CSR of the edge weights,
    with the degrees of :func:`degree_scales`."""
    user_scale, item_scale = degree_scales(data, degree_norm)
    values = data.weights * user_scale[data.users] * item_scale[data.items]
    return sp.csr_matrix(
        (values.astype(np.float32), (data.users, data.items)), shape=(data.n_users, data.n_items)
    )


def truncated_svd(
    matrix: sp.csr_matrix,
    rank: int,
    *,
    seed: int,
    power_iterations: int = 4,
    oversampling: int = 64,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The top ``rank`` singular triplets of a sparse matrix, by randomised SVD.

    Args:
        matrix: ``[m, n]`` sparse matrix.
        rank: Number of triplets, ``1 <= rank <= min(m, n)``.
        seed: Seed of the random test matrix (a ``torch.Generator``).
        power_iterations: Subspace iterations; more is more exact (default 4).
        oversampling: Extra columns of the test matrix (default 64).

    Returns:
        ``(U [m, rank], s [rank], V [n, rank])``, ``float32``, ``s`` descending, so that
        ``matrix ~ U diag(s) V^T``.

    Raises:
        ValueError: When ``rank`` or ``power_iterations`` is out of range.
    """
    m, n = matrix.shape
    if not 1 <= rank <= min(m, n):
        raise ValueError(f"rank must be between 1 and {min(m, n)}, got {rank}.")
    if power_iterations < 0 or oversampling < 0:
        raise ValueError("power_iterations and oversampling must be at least 0.")
    forward = to_torch_csr(sp.csr_matrix(matrix, dtype=np.float32))
    backward = to_torch_csr(sp.csr_matrix(matrix.T, dtype=np.float32))
    width = min(rank + oversampling, m, n)
    generator = torch.Generator().manual_seed(seed)
    basis, _ = torch.linalg.qr(torch.randn(n, width, generator=generator))
    for _ in range(power_iterations):
        basis, _ = torch.linalg.qr(torch.sparse.mm(backward, torch.sparse.mm(forward, basis)))
    projected = torch.sparse.mm(forward, basis)  # [m, width], matrix ~ projected @ basis.T
    left, values, right_t = torch.linalg.svd(projected, full_matrices=False)
    right = basis @ right_t.T
    return (
        left[:, :rank].contiguous(),
        values[:rank].contiguous(),
        right[:, :rank].contiguous(),
    )


def spectral_embeddings(
    data: InteractionData,
    dim: int,
    *,
    scale: float,
    seed: int,
    degree_norm: DegreeNorm = DegreeNorm.WEIGHTED,
) -> torch.Tensor:
    """Layer-0 LightGCN embeddings: the top ``dim`` singular vectors of ``R~``, times ``scale``.

    For ``R~ = U S V^T``, the stacked ``[U; V]`` are eigenvectors of LightGCN's adjacency
    ``[[0, R~], [R~^T, 0]]`` with eigenvalues ``S``, so ``L`` layers of propagation turn
    ``E0 = scale [U; V]`` into ``scale [U; V] g(S)`` with ``g(s) = mean_{l=0..L} s^l``: the
    first scores ``scale^2 U g(S)^2 V^T`` are already a low-pass filter of the graph, the
    kind of ranking GF-CF shows to be strong, instead of noise.

    When ``dim`` exceeds ``min(n_users, n_items)``, the missing columns start as small
    normal noise (standard deviation ``0.01 * scale``) so that training can still use them.

    Args:
        data: Training interactions (the message-passing graph).
        dim: Embedding size.
        scale: Multiplier of the embeddings.
        seed: Seed of the randomised SVD and of any noise columns.
        degree_norm: Degrees of ``R~``, as in the propagation (default ``WEIGHTED``).

    Returns:
        ``float32 [n_users + n_items, dim]``.
    """
    rank = min(dim, data.n_users, data.n_items)
    u, _, v = truncated_svd(normalized_interactions(data, degree_norm), rank, seed=seed)
    embeddings = torch.cat([u, v]) * scale
    if rank == dim:
        return embeddings
    generator = torch.Generator().manual_seed(seed)
    noise = torch.randn(len(embeddings), dim - rank, generator=generator) * (0.01 * scale)
    return torch.cat([embeddings, noise], dim=1)
