"""Top-k ranking metrics, computed exactly as the LightGCN reference code computes them.

Each metric is a pure function of a *hit matrix* and returns one value per user:
``hits[u, r]`` is true when the item at rank ``r`` (0-based) of user ``u``'s ranked list is
one of the user's relevant (held-out) items, and ``n_relevant[u]`` is how many relevant items
the user has. The ranked lists are built by the caller (:mod:`shopgraph.gnn.evaluate`):
all items ranked, the user's training items masked. Users without relevant items are
skipped: the functions refuse them, and :func:`ranking_metrics` leaves them out before
averaging.

The definitions follow ``RecallPrecision_ATk`` and ``NDCGatK_r`` in
``gusye1234/LightGCN-PyTorch`` (``code/utils.py``), the code behind the LightGCN paper's
PyTorch numbers:

- recall@k = hits in the top k / number of relevant items (not capped at k);
- precision@k = hits in the top k / k;
- ndcg@k = DCG / IDCG with binary relevance, ``DCG = sum_r hits[r] / log2(r + 2)`` over the
  top k, and ``IDCG`` the DCG of a list whose first ``min(k, n_relevant)`` items are hits.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["ndcg_at_k", "precision_at_k", "ranking_metrics", "recall_at_k"]

_F64 = npt.NDArray[np.float64]
_Hits = npt.NDArray[np.bool_]
_Counts = npt.NDArray[np.integer]


def _check(hits: _Hits, n_relevant: _Counts, k: int) -> None:
    if hits.ndim != 2:
        raise ValueError(f"hits must be a 2-D [users, ranks] array, got shape {hits.shape}.")
    if not 1 <= k <= hits.shape[1]:
        raise ValueError(f"k must be between 1 and the list length {hits.shape[1]}, got {k}.")
    if n_relevant.shape != (hits.shape[0],):
        raise ValueError(f"n_relevant must have shape ({hits.shape[0]},), got {n_relevant.shape}.")
    if (n_relevant < 1).any():
        raise ValueError("Every user must have at least one relevant item; skip the others.")
    if (hits[:, :k].sum(axis=1) > n_relevant).any():
        raise ValueError("A user has more hits than relevant items.")


def recall_at_k(hits: _Hits, n_relevant: _Counts, k: int) -> _F64:
    """Share of each user's relevant items found in the top ``k``.

    Args:
        hits: ``bool [n_users, length]``, ``length >= k``: hit at each rank.
        n_relevant: ``int [n_users]``, each at least 1.
        k: Cut-off.

    Returns:
        ``float64 [n_users]``: ``hits[:, :k].sum(1) / n_relevant``.

    Raises:
        ValueError: When shapes disagree, ``k`` is out of range or a user has no relevant
            item.
    """
    _check(hits, n_relevant, k)
    found = hits[:, :k].sum(axis=1, dtype=np.float64)
    return np.asarray(found / n_relevant, dtype=np.float64)


def precision_at_k(hits: _Hits, n_relevant: _Counts, k: int) -> _F64:
    """Share of each user's top ``k`` that is relevant: ``hits[:, :k].sum(1) / k``.

    Args, returns and raises as :func:`recall_at_k`.
    """
    _check(hits, n_relevant, k)
    return np.asarray(hits[:, :k].sum(axis=1, dtype=np.float64) / k, dtype=np.float64)


def ndcg_at_k(hits: _Hits, n_relevant: _Counts, k: int) -> _F64:
    """Normalised discounted cumulative gain of each user's top ``k``, binary relevance.

    ``DCG = sum_{r<k} hits[r] / log2(r + 2)``; ``IDCG = sum_{r<min(k, n_relevant)}
    1 / log2(r + 2)``; the result is ``DCG / IDCG`` (LightGCN's ``NDCGatK_r``).

    Args, returns and raises as :func:`recall_at_k`.
    """
    _check(hits, n_relevant, k)
    discount = 1.0 / np.log2(np.arange(2, k + 2, dtype=np.float64))
    dcg = hits[:, :k] @ discount
    ideal = np.concatenate(([0.0], np.cumsum(discount)))
    idcg = ideal[np.minimum(n_relevant, k)]
    return np.asarray(dcg / idcg, dtype=np.float64)


_METRICS = {"recall": recall_at_k, "ndcg": ndcg_at_k, "precision": precision_at_k}


def ranking_metrics(
    hits: _Hits, n_relevant: _Counts, ks: tuple[int, ...] = (20,)
) -> dict[str, float]:
    """Recall, NDCG and precision at each cut-off, averaged over users with relevant items.

    Args:
        hits: ``bool [n_users, length]`` with ``length >= max(ks)``.
        n_relevant: ``int [n_users]``; users with 0 are left out of every average.
        ks: Cut-offs (default ``(20,)``).

    Returns:
        ``{"recall@20": ..., "ndcg@20": ..., "precision@20": ...}`` (one triple per k);
        ``nan`` values when no user has a relevant item.
    """
    keep = n_relevant > 0
    hits, n_relevant = hits[keep], n_relevant[keep]
    out: dict[str, float] = {}
    for k in ks:
        for name, metric in _METRICS.items():
            out[f"{name}@{k}"] = (
                float(metric(hits, n_relevant, k).mean()) if len(n_relevant) else float("nan")
            )
    return out
