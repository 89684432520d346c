"""Bounded influence: how much weight edges that do not fit their user can add to one item.

A fake account pushing a target holds it next to items it has nothing to do with: random or
popular fillers, or a real user's cloned profile. A detector must tell the account apart; a
bound need not. For every edge ``(u, i)`` the *fit* is how well ``i`` goes with the rest of
``u``'s profile in everyone else's behaviour:

    fit(u, i) = mean over j in items(u), j != i, of
                (|U_i and U_j| - 1) / (|U_i or U_j| - 1)

the Jaccard overlap of the audiences of ``i`` and ``j`` with ``u`` left out (``U_i``: users
holding ``i``). An edge is *established* when its fit is at least ``fit_threshold`` and its
user is coherent (at least ``coherence`` of the user's edges fit); a user with a single item
has no evidence and no established edge. Then, per item, the weight of the edges that are not
established is capped by the weight of those that are:

    not established weight on i  <=  ratio x established weight on i + slack

by scaling the item's non-established edges down by the same factor when they exceed it.

Why this should hold against attackers who know a detector: it needs no account to be found.
However many fakes push an item, the exposure they can add is bounded by the item's audience
of users it fits; to get past the bound the fakes' target edges must fit their profiles in
*other* users' behaviour, which takes fillers that the target's real audience holds
(camouflage, :attr:`shopgraph.evaluation.attacks.ProfileKind.AUDIENCE`) or a crowd that
co-holds enough other items with the target to make them fit (which is what the lockstep
signal of trust sees). Genuine items are untouched where most of their audience fits them,
which is nearly always; what a genuine item loses is bounded by the same rule.

The edges of ``data`` and their order are kept; only weights change.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shopgraph.gnn.data import InteractionData

__all__ = ["InfluenceBound", "bound_influence", "edge_fit"]

_F32 = npt.NDArray[np.float32]


@dataclass(frozen=True)
class InfluenceBound:
    """Settings of :func:`bound_influence` (module docstring).

    Attributes:
        fit_threshold: Least fit of an established edge (default 0.003).
        coherence: Least share of a user's edges that fit for any of them to be established
            (default 0.7).
        ratio: Non-established weight an item may carry per unit of established weight (1.0).
        slack: Non-established weight every item may carry on top (3.0).

    Raises:
        ValueError: When a value is out of range.
    """

    fit_threshold: float = 0.003
    coherence: float = 0.7
    ratio: float = 1.0
    slack: float = 3.0

    def __post_init__(self) -> None:
        for name in ("fit_threshold", "coherence"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {getattr(self, name)}.")
        for name in ("ratio", "slack"):
            if not getattr(self, name) >= 0.0:
                raise ValueError(f"{name} must be at least 0, got {getattr(self, name)}.")


def edge_fit(data: InteractionData) -> _F32:
    """The fit of every edge (module docstring), in the order of ``data``'s edges.

    Cost: one item co-occurrence matrix (``sum over users of profile size squared`` entries)
    and, per user, its profile's block of it.

    Returns:
        ``float32 [n_interactions]``; 0 for the edges of users with one item.
    """
    # scipy comes with the gnn extra; the export imports this module without it.
    import scipy.sparse as sp  # type: ignore[import-untyped]

    matrix = sp.csr_matrix(
        (np.ones(len(data), np.float32), (data.users, data.items)),
        shape=(data.n_users, data.n_items),
    )
    audience = np.asarray(matrix.sum(axis=0), dtype=np.float32).ravel()
    together = (matrix.T @ matrix).tocsr()
    fit = np.zeros(len(data), np.float32)
    # data is sorted by (user, item), as the CSR rows are: edge k is matrix.data[k].
    for user in range(data.n_users):
        lo, hi = matrix.indptr[user], matrix.indptr[user + 1]
        if hi - lo < 2:
            continue
        items = matrix.indices[lo:hi]
        both = together[items][:, items].toarray() - 1.0
        either = audience[items][:, None] + audience[items][None, :] - both - 2.0
        overlap = np.divide(both, either, out=np.zeros_like(both), where=either > 0)
        np.fill_diagonal(overlap, 0.0)
        fit[lo:hi] = overlap.sum(axis=1) / (hi - lo - 1)
    return fit


def bound_influence(
    data: InteractionData, bound: InfluenceBound | None = None, *, fit: _F32 | None = None
) -> InteractionData:
    """Caps, per item, the weight of edges that are not established (module docstring).

    Args:
        data: Weighted interactions (e.g. trust-weighted).
        bound: Settings; the defaults when omitted.
        fit: :func:`edge_fit` of ``data`` when already computed.

    Returns:
        The same edges, the non-established ones of over-bound items scaled down.

    Raises:
        ValueError: When ``fit`` does not have one value per edge.
    """
    bound = bound or InfluenceBound()
    fit = edge_fit(data) if fit is None else fit
    if fit.shape != data.users.shape:
        raise ValueError(f"fit must have shape {data.users.shape}, got {fit.shape}.")
    fits = fit >= bound.fit_threshold
    edges = np.bincount(data.users, minlength=data.n_users)
    fitting = np.bincount(data.users, fits.astype(np.float64), minlength=data.n_users)
    coherent = fitting >= bound.coherence * np.maximum(edges, 1)
    established = fits & coherent[data.users]
    weights = data.weights.astype(np.float64)
    held = np.bincount(data.items, np.where(established, weights, 0.0), minlength=data.n_items)
    loose = np.bincount(data.items, np.where(established, 0.0, weights), minlength=data.n_items)
    cap = bound.ratio * held + bound.slack
    scale = np.ones(data.n_items)
    over = loose > cap
    scale[over] = cap[over] / loose[over]
    bounded = np.where(established, weights, weights * scale[data.items])
    # A weight of exactly 0 is not an edge; an item with nothing established and no slack
    # keeps a trace.
    bounded = np.maximum(bounded, np.finfo(np.float32).tiny)
    return InteractionData.from_arrays(
        data.users, data.items, bounded.astype(np.float32), id_map=data.id_map
    )
