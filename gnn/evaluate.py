"""All-item ranking evaluation of any model that scores items for users.

The protocol is the LightGCN paper's: every item is ranked for every user who has at least
one test item, the user's training items are masked (they can never be recommended, and
do not count as misses), and recall, NDCG and precision at k (:mod:`shopgraph.gnn.metrics`)
are averaged over those users.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]
import torch

from shopgraph.gnn.data import InteractionData
from shopgraph.gnn.metrics import ndcg_at_k, precision_at_k, recall_at_k

__all__ = ["Scorer", "evaluate", "mask_items"]


class Scorer(Protocol):
    """Anything that scores every item for a batch of users (GF-CF, LightGCN, ...)."""

    @property
    def n_items(self) -> int: ...

    def score(self, users: npt.NDArray[np.int64]) -> torch.Tensor:
        """``float32 [len(users), n_items]`` scores, higher is better; a fresh tensor that
        the caller may change in place."""
        ...


def mask_items(scores: torch.Tensor, users: npt.NDArray[np.int64], seen: sp.csr_matrix) -> None:
    """Sets ``scores[b, j] = -inf`` for each item ``j`` of user ``users[b]`` in ``seen``.

    Args:
        scores: ``float32 [len(users), n_items]``, changed in place.
        users: User row of each score row.
        seen: ``[n_users, n_items]`` CSR; its stored entries are masked.
    """
    starts, ends = seen.indptr[users], seen.indptr[users + 1]
    counts = ends - starts
    if counts.sum() == 0:
        return
    rows = np.repeat(np.arange(len(users)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    cols = seen.indices[np.repeat(starts, counts) + offsets]
    scores[torch.from_numpy(rows), torch.from_numpy(cols.astype(np.int64))] = float("-inf")


def evaluate(
    model: Scorer,
    test: InteractionData,
    *,
    exclude: InteractionData | None,
    ks: tuple[int, ...] = (20,),
    batch_size: int = 2048,
    max_users: int | None = None,
    seed: int = 0,
) -> dict[str, float]:
    """Recall, NDCG and precision at each k of ``model`` on ``test``, ranking all items.

    Args:
        model: The scorer; its item count must equal ``test.n_items``.
        test: Held-out interactions; users without any are skipped.
        exclude: Interactions masked before ranking (the training items), or ``None``.
        ks: Cut-offs (default ``(20,)``).
        batch_size: Users scored at once (default 2048); memory is about
            ``batch_size * n_items * 4`` bytes.
        max_users: Evaluate a random sample of this many test users (for quick validation
            during training); ``None`` (default) evaluates all of them.
        seed: Seed of that sample (default 0).

    Returns:
        ``{"recall@20": ..., "ndcg@20": ..., "precision@20": ...}`` for each k.

    Raises:
        ValueError: When the item counts differ, ``ks`` is empty or out of range, or the
            batch size is below 1.
    """
    if model.n_items != test.n_items:
        raise ValueError(f"The model has {model.n_items} items but the test data {test.n_items}.")
    if not ks or min(ks) < 1 or max(ks) > test.n_items:
        raise ValueError(f"Every k must be between 1 and {test.n_items}, got {ks}.")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}.")
    truth = test.matrix
    n_relevant_all = np.diff(truth.indptr)
    users = np.flatnonzero(n_relevant_all > 0).astype(np.int64)
    if max_users is not None and max_users < len(users):
        rng = np.random.default_rng(seed)
        users = np.sort(rng.choice(users, size=max_users, replace=False))
    seen = exclude.matrix if exclude is not None else None
    keys = test.users * test.n_items + test.items  # sorted, as the data is
    k_max = max(ks)
    sums = {f"{name}@{k}": 0.0 for k in ks for name in ("recall", "ndcg", "precision")}
    with torch.no_grad():
        for start in range(0, len(users), batch_size):
            batch = users[start : start + batch_size]
            scores = model.score(batch)
            if seen is not None:
                mask_items(scores, batch, seen)
            top = torch.topk(scores, k_max, dim=1, sorted=True).indices.numpy()
            wanted = batch[:, None] * test.n_items + top
            position = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
            hits = keys[position] == wanted
            n_relevant = n_relevant_all[batch]
            for k in ks:
                sums[f"recall@{k}"] += float(recall_at_k(hits, n_relevant, k).sum())
                sums[f"ndcg@{k}"] += float(ndcg_at_k(hits, n_relevant, k).sum())
                sums[f"precision@{k}"] += float(precision_at_k(hits, n_relevant, k).sum())
    n = len(users)
    return {name: (total / n if n else float("nan")) for name, total in sums.items()}
