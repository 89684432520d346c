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

The fit cannot see *camouflage*: fakes whose fillers are drawn from the target's real
audience's items fit their profiles, helped by one another. Such a crowd brings no new items:
however many accounts join, the audience of the target holds no more distinct items than the
pool the fillers came from. So each item's audience is also checked for *diversity*, counted
over fitting edges only (fit at least ``fit_threshold``): items that fit nothing in their
user's profile are no evidence of a real audience, and random items added to the crowd's
profiles to feign diversity do not fit. With ``n_i`` the item's holders, ``S_i`` the other
items they hold by fitting edges counted with repetition and ``D_i`` the distinct ones, a
least-squares fit over the items of ``data`` (those with at least two holders and ``D_i >=
1``) gives the usual diversity of an audience:

    log D_i  ~  c0 + c1 log n_i + c2 log S_i

The *shortfall* of an item is ``r_i = log D_i - (c0 + c1 log n_i + c2 log S_i)``. An item whose
shortfall is below ``-narrowness`` is *narrow*: every edge on it is scaled by
``exp(r_i / (c1 + c2))``, the share of its audience whose size the fit says the observed
diversity can account for (an audience of ``n'`` members with the same profiles would have
``log D`` lower by ``(c1 + c2) log(n_i / n')``). Other items are untouched. A few pushed
targets do not move a fit over thousands of items; with fewer than
:data:`MIN_FITTED_ITEMS` fitted items, or a fit with ``c1 + c2 <= 0``, there is no reference
and no item is narrow.

Why this should hold against attackers who know a detector: it needs no account to be found.
However many fakes push an item, the exposure they can add is bounded by the item's audience
of users it fits; to get past the bound the fakes' target edges must fit their profiles in
*other* users' behaviour, which takes fillers that the target's real audience holds
(camouflage, :attr:`shopgraph.evaluation.attacks.ProfileKind.AUDIENCE`) or a crowd that
co-holds enough other items with the target to make them fit (which is what the lockstep
signal of trust sees). Camouflage then meets the diversity check: to pass it the crowd must
also bring items the target's audience does not hold, in numbers usual for its size, while
keeping most of each profile fitting. Genuine items are untouched where most of their
audience fits them and their audience is as diverse as usual, which is nearly always; what a
genuine item loses is bounded by the same rules.

The edges of ``data`` and their order are kept; only weights change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from shopgraph.gnn.data import InteractionData

__all__ = [
    "MIN_FITTED_ITEMS",
    "InfluenceBound",
    "audience_shortfall",
    "bound_influence",
    "edge_fit",
]

_F32 = npt.NDArray[np.float32]

MIN_FITTED_ITEMS = 30
"""Fewest items with two or more holders for the diversity fit (module docstring)."""


@dataclass(frozen=True)
class InfluenceBound:
    """Settings of :func:`bound_influence` (module docstring).

    Attributes:
        fit_threshold: Least fit of an established edge (default 0.003).
        coherence: Least share of a user's edges that fit for any of them to be established
            (default 0.7).
        ratio: Non-established weight an item may carry per unit of established weight (1.0).
        slack: Non-established weight every item may carry on top (3.0).
        narrowness: Least diversity shortfall (natural log, module docstring) of a narrow
            item (1.2: its audience holds under 30 % of the distinct items usual for its
            size); ``None`` turns the check off.

    Raises:
        ValueError: When a value is out of range.
    """

    fit_threshold: float = 0.003
    coherence: float = 0.7
    ratio: float = 1.0
    slack: float = 3.0
    narrowness: float | None = 1.2

    def __post_init__(self) -> None:
        for name in ("fit_threshold", "coherence"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {getattr(self, name)}.")
        for name in ("ratio", "slack", "narrowness"):
            if getattr(self, name) is not None and not getattr(self, name) >= 0.0:
                raise ValueError(f"{name} must be at least 0, got {getattr(self, name)}.")


def edge_fit(data: InteractionData) -> _F32:
    """The fit of every edge (module docstring), in the order of ``data``'s edges.

    Cost: one item co-occurrence matrix (``sum over users of profile size squared`` entries)
    and, per user, its profile's block of it.

    Returns:
        ``float32 [n_interactions]``; 0 for the edges of users with one item.
    """
    matrix = _holdings(data)
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


def audience_shortfall(
    data: InteractionData, bound: InfluenceBound | None = None, *, fit: _F32 | None = None
) -> _F32:
    """The diversity shortfall ``r_i`` of every item's audience (module docstring).

    Args:
        data: Interactions (weights are not used).
        bound: Settings (its ``fit_threshold`` says which edges fit); the defaults when omitted.
        fit: :func:`edge_fit` of ``data`` when already computed.

    Returns:
        ``float32 [n_items]``: ``r_i`` for the fitted items (two or more holders, at least one
        other item held by a fitting edge), 0 for the others and for every item when there is
        no reference (fewer than :data:`MIN_FITTED_ITEMS` fitted items).

    Raises:
        ValueError: When ``fit`` does not have one value per edge.
    """
    bound = bound or InfluenceBound()
    fits = _fits(data, bound, fit)
    shortfall, _ = _shortfall_and_slope(data, fits)
    return shortfall


def _fits(data: InteractionData, bound: InfluenceBound, fit: _F32 | None) -> npt.NDArray[np.bool_]:
    fit = edge_fit(data) if fit is None else fit
    if fit.shape != data.users.shape:
        raise ValueError(f"fit must have shape {data.users.shape}, got {fit.shape}.")
    return fit >= bound.fit_threshold


def _shortfall_and_slope(data: InteractionData, fits: npt.NDArray[np.bool_]) -> tuple[_F32, float]:
    """``r_i`` per item and ``c1 + c2`` (0 when there is no reference: every ``r_i`` 0)."""
    holding = _holdings(data)
    fitting = _holdings(data, fits)
    holders = np.asarray(holding.sum(axis=0), dtype=np.float64).ravel()
    per_user = np.asarray(fitting.sum(axis=1), dtype=np.float64).ravel()
    own = np.asarray(fitting.sum(axis=0), dtype=np.float64).ravel()  # i itself, by fitting edges
    slots = np.asarray(holding.T @ per_user, dtype=np.float64).ravel() - own
    # Row i: the items that i's holders hold by fitting edges, i itself among them if any fits.
    together = (holding.T @ fitting).tocsr()
    distinct = (np.diff(together.indptr) - (together.diagonal() > 0)).astype(np.float64)
    shortfall = np.zeros(data.n_items, np.float32)
    fitted = (holders >= 2) & (distinct >= 1)
    if fitted.sum() < MIN_FITTED_ITEMS:
        return shortfall, 0.0
    design = np.column_stack(
        [np.ones(fitted.sum()), np.log(holders[fitted]), np.log(slots[fitted])]
    )
    observed = np.log(distinct[fitted])
    coef, *_ = np.linalg.lstsq(design, observed, rcond=None)
    slope = float(coef[1] + coef[2])
    if slope <= 0.0:
        return shortfall, 0.0
    shortfall[fitted] = observed - design @ coef
    return shortfall, slope


def _holdings(data: InteractionData, keep: npt.NDArray[np.bool_] | None = None) -> Any:
    """The 0/1 user x item matrix of ``data``'s edges (those of ``keep`` when given), CSR."""
    # scipy comes with the gnn extra; the export imports this module without it.
    import scipy.sparse as sp  # type: ignore[import-untyped]

    users, items = (
        (data.users, data.items) if keep is None else (data.users[keep], data.items[keep])
    )
    return sp.csr_matrix(
        (np.ones(len(users), np.float32), (users, items)), shape=(data.n_users, data.n_items)
    )


def bound_influence(
    data: InteractionData, bound: InfluenceBound | None = None, *, fit: _F32 | None = None
) -> InteractionData:
    """Caps, per item, the weight of edges that are not established (module docstring).

    Args:
        data: Weighted interactions (e.g. trust-weighted).
        bound: Settings; the defaults when omitted.
        fit: :func:`edge_fit` of ``data`` when already computed.

    Returns:
        The same edges, the non-established ones of over-bound items scaled down and every
        edge of a narrow item scaled by its share.

    Raises:
        ValueError: When ``fit`` does not have one value per edge.
    """
    bound = bound or InfluenceBound()
    fits = _fits(data, bound, fit)
    edges = np.bincount(data.users, minlength=data.n_users)
    fitting = np.bincount(data.users, fits.astype(np.float64), minlength=data.n_users)
    coherent = fitting >= bound.coherence * np.maximum(edges, 1)
    established = fits & coherent[data.users]
    weights = data.weights.astype(np.float64)
    held = np.bincount(data.items, np.where(established, weights, 0.0), minlength=data.n_items)
    loose = np.bincount(data.items, np.where(established, 0.0, weights), minlength=data.n_items)
    cap = bound.ratio * held + bound.slack
    capped = np.ones(data.n_items)
    over = loose > cap
    capped[over] = cap[over] / loose[over]
    narrowed = np.ones(data.n_items)
    if bound.narrowness is not None:
        shortfall, slope = _shortfall_and_slope(data, fits)
        narrow = shortfall < -bound.narrowness
        narrowed[narrow] = np.exp(shortfall[narrow] / slope)
    bounded = weights * narrowed[data.items] * np.where(established, 1.0, capped[data.items])
    # A weight of exactly 0 is not an edge; an item with nothing established and no slack
    # keeps a trace.
    bounded = np.maximum(bounded, np.finfo(np.float32).tiny)
    return InteractionData.from_arrays(
        data.users, data.items, bounded.astype(np.float32), id_map=data.id_map
    )
