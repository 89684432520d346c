"""Frequently bought together: the co-purchase score that shopgraph serves for a cart.

:class:`CoPurchaseScorer` is the reference implementation. The Java procedure and the Cypher
statement compute the same numbers by a traversal from the cart items, cart item ``i`` ->
baskets ``b`` containing ``i`` -> other items ``j`` of ``b``, with no item-item matrix:

Per basket ``b`` (an order, or a session for the cart and view sources):

* ``w(b)``: the weight of its source (:class:`CoPurchaseConfig`: ``order_weight``,
  ``cart_weight``, ``view_weight``);
* ``d(b) = 0.5 ** ((now - time(b)) / half_life)``, its recency (1 when ``half_life`` is
  ``None``); ``now`` defaults to the newest basket's time;
* ``h(b) = (|b| - 1) ** -size_exponent``, where ``|b|`` is its number of distinct items (the
  basket node's degree); single-item baskets have no pairs;
* ``u(b)``: its user; a basket without a user is its own user (keyed by source and basket);
* ``r(b, i)``: the relationship weight of item ``i`` in ``b`` (1.0 until trust is set);
* ``a(b, i, j) = 1 + adjacency_bonus`` when ``i`` and ``j`` sit on neighbouring lines of
  order ``b``, else 1: an order's items with a position (``CONTAINS.position``, the place of
  the item's first line), sorted by (position, item id), are its line order, and two items
  are adjacent when they are consecutive in it (:meth:`Basket.order_ranks`). Items without a
  position are never adjacent, nor are the items of sessions (cart and view baskets have no
  line order).

Per item and pair, with ``cap = user_cap`` and ``min(cap, .)`` taken per user:

* item mass ``n(i) = sum_u min(cap, sum_{b of u, i in b} w(b) d(b) r(b,i))``;
* basket mass ``N = sum_u min(cap, sum_{b of u} w(b) d(b))``;
* pair support ``n(i,j) = sum_u f_u(i,j) m_u(i,j)`` and size- and adjacency-weighted evidence
  ``e(i,j) = sum_u f_u(i,j) sum_{b of u, i,j in b} w(b) d(b) r(b,i) r(b,j) h(b) a(b,i,j)``,
  where ``m_u(i,j) = sum_{b of u, i,j in b} w(b) d(b) r(b,i) r(b,j)`` (no ``a``: adjacency
  weighs the evidence only, never the support, the masses or the cap) and
  ``f_u(i,j) = min(1, cap / m_u(i,j))`` scales all of that user's evidence down so that it
  adds at most ``cap`` to the support. With weights in [0, 1] and ``cap >= 1`` the cap only
  binds for users with several baskets, so it is a no-op on anonymous data such as UCI.
  Pair sums run over the baskets with ``2 <= |b| <= max_basket_size`` (no upper limit by
  default); the masses ``n`` and ``N`` always run over all baskets.

For a cart ``C`` (distinct ids; ids not in the data contribute nothing) and a candidate
``j`` not in ``C``:

* ``contribution(i, j) = e(i,j) / (n(i) ** alpha * (n(j) + smoothing) ** beta)``;
* ``score(j) = sum_{i in C} contribution(i, j)``; items with ``score > 0`` are ranked by
  score descending, ties by item id ascending;
* ``support(j) = sum_{i in C} n(i,j)``;
* ``confidence(j) = support(j) / sum_{i in C} n(i)`` (the classic ``conf(i -> j)`` for a
  one-item cart; in [0, 1] when all weights are in [0, 1]);
* ``lift(j) = confidence(j) / (n(j) / N)``;
* ``because(j)``: the cart items with ``contribution(i, j) > 0``, by contribution descending,
  ties by item id ascending.

All sums are in double precision; another implementation that sums in another order agrees
to about 1e-12 relative, so rankings are compared with scores closer than that as ties.

``beta`` with ``smoothing`` is the popularity normalisation (an item everyone buys is divided
by its large mass); ``alpha`` keeps one popular cart item from dominating; ``h`` is the
basket-size weighting (a 60-item wholesale order says less about each pair than a 3-item
one); ``a`` is the line adjacency (items entered one after the other are much more often
complements than items far apart in a long order). The form is the asymmetric cosine of
Aiolli, "Efficient top-N recommendation for very large scale binary rated datasets" (RecSys
2013), with basket-size, recency and adjacency weights.
Defaults were tuned on a validation split carved from the train baskets of UCI Online Retail
(``benchmarks/bundles_quality.py --explore``); the source weights and the user cap cannot be
tuned there (orders only, no users) and are reasoned defaults. ``benchmarks/RESULTS.md``
has what each choice did on the validation and test baskets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Self

import numpy as np
import numpy.typing as npt

from shopgraph.core.errors import ModelNotTrainedError
from shopgraph.evaluation.bundle_protocol import Basket, Source, top_k

__all__ = ["MAX_CART", "MAX_K", "CoPurchaseConfig", "CoPurchaseScorer", "ScoredItem"]

#: Largest cart :meth:`CoPurchaseScorer.recommend` accepts.
MAX_CART = 50
#: Largest ``k`` :meth:`CoPurchaseScorer.recommend` accepts.
MAX_K = 1000

_F = npt.NDArray[np.float64]
_I = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class CoPurchaseConfig:
    """Every knob of the co-purchase score (module docstring); defaults are the tuned ones.

    Attributes:
        order_weight: ``w(b)`` of orders (bought in the same order). Default 1.0.
        cart_weight: ``w(b)`` of sessions for added-to-cart items. Default 0.5 (not tuned).
        view_weight: ``w(b)`` of sessions for viewed items. Default 0.1 (not tuned).
        alpha: Exponent of the cart item's mass. Default 0.5.
        beta: Exponent of the candidate's mass. Default 0.6.
        smoothing: Pseudo-count added to the candidate's mass. Default 10.0.
        size_exponent: ``h(b) = (|b| - 1) ** -size_exponent``. Default 0.5.
        half_life: Recency half-life in the unit of :attr:`Basket.time` (UCI: orders), or
            ``None`` for no decay. Default 8000.0.
        user_cap: Most that one user adds to an item's mass or a pair's support. Default 1.0.
        max_basket_size: Pairs (``e``, ``n(i,j)``) are counted only in baskets of at most this
            many items; masses ``n`` and ``N`` still count every basket. ``None`` (default)
            for no limit. A serving bound: on the UCI validation split, 100 cuts the paths
            of the traversal about 3 times for about the same hit rate.
        adjacency_bonus: ``a(b,i,j) = 1 + adjacency_bonus`` for items on neighbouring lines
            of an order; 0 turns adjacency off. Default 2.0.
    """

    order_weight: float = 1.0
    cart_weight: float = 0.5
    view_weight: float = 0.1
    alpha: float = 0.5
    beta: float = 0.6
    smoothing: float = 10.0
    size_exponent: float = 0.5
    half_life: float | None = 8000.0
    user_cap: float = 1.0
    max_basket_size: int | None = None
    adjacency_bonus: float = 2.0

    def __post_init__(self) -> None:
        for name in ("order_weight", "cart_weight", "view_weight"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}.")
        for name in ("alpha", "beta", "smoothing", "size_exponent", "adjacency_bonus"):
            if getattr(self, name) < 0.0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}.")
        if self.half_life is not None and not self.half_life > 0.0:
            raise ValueError(f"half_life must be positive or None, got {self.half_life}.")
        if not self.user_cap > 0.0:
            raise ValueError(f"user_cap must be positive, got {self.user_cap}.")
        if self.max_basket_size is not None and self.max_basket_size < 2:
            raise ValueError(
                f"max_basket_size must be at least 2 or None, got {self.max_basket_size}."
            )

    def source_weight(self, source: Source) -> float:
        """``w(b)`` of a basket of this source."""
        return {
            Source.ORDER: self.order_weight,
            Source.CART: self.cart_weight,
            Source.VIEW: self.view_weight,
        }[source]


@dataclass(frozen=True, slots=True)
class ScoredItem:
    """One recommended item with the numbers of the module docstring."""

    item: str
    score: float
    support: float
    confidence: float
    lift: float
    because: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Fitted:
    items: tuple[str, ...]
    index: dict[str, int]
    basket_ptr: _I  # basket -> its items (CSR)
    basket_items: _I
    basket_rel: _F
    basket_rank: _I  # the slot's item's rank in its order's line order, -1 outside it
    basket_weight: _F  # w(b) d(b)
    basket_size_weight: _F  # h(b)
    basket_pairs: npt.NDArray[np.bool_]  # whether b's pairs count
    basket_user: _I
    item_ptr: _I  # item -> its baskets (CSR)
    item_baskets: _I
    item_rel: _F
    item_rank: _I
    mass: _F  # n(i)
    total: float  # N
    cap_binds: bool


class CoPurchaseScorer:
    """Frequently-bought-together bundles for a cart (reference implementation).

    Args:
        config: The knobs; the tuned defaults when omitted.
    """

    def __init__(self, config: CoPurchaseConfig | None = None) -> None:
        self.config = config or CoPurchaseConfig()
        self._fitted: _Fitted | None = None

    def fit(self, baskets: Sequence[Basket], *, now: float | None = None) -> Self:
        """Indexes the baskets (any mix of sources); the input is not changed.

        Args:
            baskets: Orders and sessions with distinct items; relationship weights in [0, 1].
            now: Reference time of the recency decay; the newest basket's time by default.

        Returns:
            This scorer.

        Raises:
            ValueError: If there are no baskets, a weight is outside [0, 1], or a basket is
                newer than ``now``.
        """
        cfg = self.config
        kept = [b for b in baskets if cfg.source_weight(b.source) > 0.0]
        if not kept:
            raise ValueError("fit needs at least one basket of a source with a weight above 0.")
        ref = max(b.time for b in kept) if now is None else now
        items = tuple(sorted({item for b in kept for item in b.items}))
        index = {item: n for n, item in enumerate(items)}
        sizes = np.array([len(b.items) for b in kept], dtype=np.int64)
        ptr = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        flat = np.array([index[item] for b in kept for item in b.items], dtype=np.int64)
        rel = np.array(
            [w for b in kept for w in (b.weights or (1.0,) * len(b.items))], dtype=np.float64
        )
        if rel.size and (rel.min() < 0.0 or rel.max() > 1.0):
            raise ValueError("Relationship weights must be between 0 and 1.")
        rank = np.array([r for b in kept for r in b.order_ranks()], dtype=np.int64)
        times = np.array([b.time for b in kept], dtype=np.float64)
        if times.max() > ref:
            raise ValueError(f"A basket has time {times.max()}, after now={ref}.")
        decay = (
            np.ones(len(kept)) if cfg.half_life is None else 0.5 ** ((ref - times) / cfg.half_life)
        )
        weight = np.array([cfg.source_weight(b.source) for b in kept]) * decay
        size_weight = np.maximum(sizes - 1, 1).astype(np.float64) ** -cfg.size_exponent
        pairs = sizes >= 2
        if cfg.max_basket_size is not None:
            pairs &= sizes <= cfg.max_basket_size
        users: dict[tuple[str, str | int], int] = {}
        user = np.array(
            [
                users.setdefault(
                    ("user", b.user) if b.user is not None else (b.source, b.index), len(users)
                )
                for b in kept
            ],
            dtype=np.int64,
        )
        owner = np.repeat(np.arange(len(kept)), sizes)
        by_item = np.lexsort((owner, flat))
        item_ptr = np.concatenate(([0], np.cumsum(np.bincount(flat, minlength=len(items)))))
        # n(i): per (user, item) sums, capped, then summed per item.
        mass = _capped_sums(user[owner], flat, weight[owner] * rel, len(items), cfg.user_cap)
        total = float(
            np.minimum(np.bincount(user, weights=weight, minlength=len(users)), cfg.user_cap).sum()
        )
        cap_binds = bool(len(users) < len(kept) or (weight.size and weight.max() > cfg.user_cap))
        self._fitted = _Fitted(
            items=items,
            index=index,
            basket_ptr=ptr,
            basket_items=flat,
            basket_rel=rel,
            basket_rank=rank,
            basket_weight=weight,
            basket_size_weight=size_weight,
            basket_pairs=pairs,
            basket_user=user,
            item_ptr=item_ptr.astype(np.int64),
            item_baskets=owner[by_item],
            item_rel=rel[by_item],
            item_rank=rank[by_item],
            mass=mass,
            total=total,
            cap_binds=cap_binds,
        )
        return self

    @property
    def items(self) -> tuple[str, ...]:
        """The fitted items, sorted."""
        return self._require().items

    def mass(self, item: str) -> float:
        """``n(item)``, 0.0 for an item not in the data."""
        fitted = self._require()
        pos = fitted.index.get(item)
        return 0.0 if pos is None else float(fitted.mass[pos])

    def recommend(self, cart: Sequence[str], k: int = 10) -> list[ScoredItem]:
        """The top-``k`` bundle items for a cart.

        Args:
            cart: 1 to :data:`MAX_CART` item ids (repeats count once; unknown ids are ignored).
            k: How many items, 1 to :data:`MAX_K`.

        Returns:
            Up to ``k`` items with ``score > 0``, by score descending, ties by id ascending;
            none of them in the cart.

        Raises:
            ValueError: If the cart or ``k`` is out of range.
            ModelNotTrainedError: If the scorer has not been fitted.
        """
        if not 1 <= len(cart) <= MAX_CART:
            raise ValueError(f"A cart must have 1 to {MAX_CART} items, got {len(cart)}.")
        if not 1 <= k <= MAX_K:
            raise ValueError(f"k must be between 1 and {MAX_K}, got {k}.")
        fitted = self._require()
        cfg = self.config
        known = [fitted.index[i] for i in dict.fromkeys(cart) if i in fitted.index]
        n_items = len(fitted.items)
        denominator = (fitted.mass + cfg.smoothing) ** cfg.beta
        contributions = np.zeros((len(known), n_items))
        support = np.zeros(n_items)
        for row, i in enumerate(known):
            evidence, pair_support = self._pair_sums(fitted, i)
            if fitted.mass[i] > 0.0:
                contributions[row] = evidence / (fitted.mass[i] ** cfg.alpha) / denominator
            support += pair_support
        score = contributions.sum(axis=0)
        exclude = np.zeros(n_items, dtype=bool)
        exclude[known] = True
        ranked = top_k(score, k, exclude=exclude)
        cart_mass = float(fitted.mass[known].sum())
        out = []
        for j in ranked:
            confidence = float(support[j]) / cart_mass if cart_mass > 0.0 else 0.0
            lift = confidence * fitted.total / float(fitted.mass[j])
            because = sorted(
                (row for row in range(len(known)) if contributions[row, j] > 0.0),
                key=lambda row: (-contributions[row, j], fitted.items[known[row]]),
            )
            out.append(
                ScoredItem(
                    fitted.items[j],
                    float(score[j]),
                    float(support[j]),
                    confidence,
                    lift,
                    tuple(fitted.items[known[row]] for row in because),
                )
            )
        return out

    def recommend_ids(self, cart: Sequence[str], k: int = 10) -> list[str]:
        """The ids of :meth:`recommend`."""
        return [scored.item for scored in self.recommend(cart, k)]

    def _require(self) -> _Fitted:
        if self._fitted is None:
            raise ModelNotTrainedError("The scorer has not been fitted: call fit() first.")
        return self._fitted

    def _pair_sums(self, fitted: _Fitted, i: int) -> tuple[_F, _F]:
        """``e(i, .)`` and ``n(i, .)`` over all items (0 at ``i`` itself)."""
        lo, hi = fitted.item_ptr[i], fitted.item_ptr[i + 1]
        baskets = fitted.item_baskets[lo:hi]
        rel_i = fitted.item_rel[lo:hi]
        rank_i = fitted.item_rank[lo:hi]
        counted = fitted.basket_pairs[baskets]
        baskets, rel_i, rank_i = baskets[counted], rel_i[counted], rank_i[counted]
        starts = fitted.basket_ptr[baskets]
        lengths = fitted.basket_ptr[baskets + 1] - starts
        # Every (basket, item) slot of the baskets that contain i.
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        slots = offsets + np.arange(int(lengths.sum()))
        owner = np.repeat(np.arange(baskets.size), lengths)
        j = fitted.basket_items[slots]
        keep = j != i
        j, owner, slots = j[keep], owner[keep], slots[keep]
        b = baskets[owner]
        m = fitted.basket_weight[b] * rel_i[owner] * fitted.basket_rel[slots]
        e = m * fitted.basket_size_weight[b]
        bonus = self.config.adjacency_bonus
        if bonus > 0.0:
            # a(b,i,j): ranks of consecutive lines; -1 (no line order) is never adjacent.
            rank_j = fitted.basket_rank[slots]
            rank_i = rank_i[owner]
            adjacent = (rank_i >= 0) & (rank_j >= 0) & (np.abs(rank_i - rank_j) == 1)
            e = np.where(adjacent, e * (1.0 + bonus), e)
        n_items = len(fitted.items)
        if fitted.cap_binds:
            key = fitted.basket_user[b] * n_items + j
            groups, inverse = np.unique(key, return_inverse=True)
            m_group = _sum_by(inverse, m, groups.size)
            e_group = _sum_by(inverse, e, groups.size)
            factor = np.minimum(1.0, self.config.user_cap / np.maximum(m_group, 1e-300))
            item = groups % n_items
            return (
                _sum_by(item, factor * e_group, n_items),
                _sum_by(item, factor * m_group, n_items),
            )
        return _sum_by(j, e, n_items), _sum_by(j, m, n_items)


def _capped_sums(user: _I, item: _I, value: _F, n_items: int, cap: float) -> _F:
    """``sum_u min(cap, sum of value over (u, item))`` for every item."""
    if value.size == 0:
        return np.zeros(n_items)
    key = user * n_items + item
    groups, inverse = np.unique(key, return_inverse=True)
    per_group = np.minimum(_sum_by(inverse, value, groups.size), cap)
    return _sum_by(groups % n_items, per_group, n_items)


def _sum_by(key: _I, value: _F, size: int) -> _F:
    """``out[n] = sum of value where key == n`` for ``n < size`` (summed in input order)."""
    return np.bincount(key, weights=value, minlength=size).astype(np.float64)
