"""Shilling and cart-stuffing attacks: fake users injected into a copy of a dataset.

Profile attacks (Gowalla form, implicit feedback; Lam and Riedl, WWW 2004; Mobasher et al.,
ACM TOIT 2007, adapted to implicit data as in the poisoning literature). Where the targets go
(:class:`Placement`): ``ALL``, every fake holds every target (the classic push: the crowd
co-holds one item set); ``SPREAD``, fake ``k`` holds target ``k mod n`` only, so no two
targets share an audience. A single pushed target is ``n_targets=1``. Each fake gets
``filler`` fillers drawn without replacement, per account, from the items that are not
targets (:class:`ProfileKind`):

* ``RANDOM``: uniformly at random;
* ``AVERAGE``: with probability proportional to popularity (the implicit analogue of rating
  fillers at their mean: each profile looks like an average user's);
* ``BANDWAGON``: half uniformly among the ``popular`` most popular items, the rest uniformly
  at random, so fakes look like fans of the hits;
* ``AUDIENCE`` (camouflage): with probability proportional to how many genuine holders of the
  fake's target also hold the item (the items of the target's would-be audience), topped up
  from the popularity distribution when that pool is smaller than ``filler``;
* ``CLONE``: no fillers: fake ``k`` is a copy of the profile of a distinct genuine user drawn
  at random (one who holds none of the fake's targets) with the targets added, so its
  profile size and its items are a real user's. Data with event times would also copy the
  source's timeline; the LightGCN form has no times (Gowalla as orders is one timeless order
  per user), so there the copy is the item set only.

Cart-stuffing (baskets): each fake order, placed by a fresh fake account, holds targets plus
``filler`` popular items, so that the targets are "frequently bought together" with the hits.
With ``ALL`` each order holds every target and fillers drawn uniformly among the ``popular``
most popular items; with ``SPREAD`` each order holds one target (in turn) and anchors drawn
among the most popular items that order's target was never paired with before, so no
(target, anchor) pair repeats across fake orders (the pool grows beyond ``popular`` when the
fakes need more anchors). A fake order copies the index and time of a genuine basket drawn at
random, so it sits among the genuine orders in time.

Targets are drawn uniformly among the unpopular items (held by at least one user and at most
the median number of users) unless given. Every draw comes from one seeded
``numpy.random.default_rng``; inputs are never changed.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from shopgraph.evaluation.bundle_protocol import Basket
from shopgraph.gnn.data import IdMap, InteractionData

__all__ = [
    "AttackConfig",
    "BasketAttack",
    "Placement",
    "ProfileAttack",
    "ProfileKind",
    "cart_stuffing",
    "profile_attack",
    "unpopular_targets",
    "write_lightgcn_train",
    "write_orders",
]

_I64 = npt.NDArray[np.int64]

#: Prefix of the ids of fake users (and of fake orders in cart-stuffing).
FAKE_PREFIX = "fake-"


class ProfileKind(StrEnum):
    """How the fillers of a fake profile are drawn (module docstring)."""

    RANDOM = "random"
    AVERAGE = "average"
    BANDWAGON = "bandwagon"
    AUDIENCE = "audience"
    CLONE = "clone"


class Placement(StrEnum):
    """Which targets each fake holds (module docstring)."""

    ALL = "all"
    SPREAD = "spread"


@dataclass(frozen=True)
class AttackConfig:
    """Size and shape of an attack.

    Attributes:
        share: Fake users (profile attacks) or fake orders (cart-stuffing) as a share of the
            genuine ones, e.g. ``0.01``; at least one is injected.
        filler: Fillers per fake; ``None`` (default) for the mean genuine profile or basket
            size, rounded.
        n_targets: Number of target items drawn when ``targets`` is not given (default 5).
        targets: Target item ids, or ``None`` to draw unpopular ones.
        popular: Size of the popular pool of bandwagon and cart-stuffing fillers (100).
        placement: Every target in every fake (``ALL``, default) or one per fake (``SPREAD``).
        random_share: Share of each fake's fillers drawn uniformly at random instead of by the
            profile kind (default 0; not for ``CLONE``): camouflage topped up with new items.
        seed: Seed of every draw (default 0).

    Raises:
        ValueError: When a value is out of range.
    """

    share: float = 0.01
    filler: int | None = None
    n_targets: int = 5
    targets: tuple[str, ...] | None = None
    popular: int = 100
    placement: Placement = Placement.ALL
    random_share: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "placement", Placement(self.placement))
        if not 0.0 < self.share <= 1.0:
            raise ValueError(f"share must be above 0 and at most 1, got {self.share}.")
        if self.filler is not None and self.filler < 0:
            raise ValueError(f"filler must be at least 0, got {self.filler}.")
        if self.n_targets < 1:
            raise ValueError(f"n_targets must be at least 1, got {self.n_targets}.")
        if self.popular < 1:
            raise ValueError(f"popular must be at least 1, got {self.popular}.")
        if not 0.0 <= self.random_share <= 1.0:
            raise ValueError(f"random_share must be between 0 and 1, got {self.random_share}.")

    def n_fakes(self, genuine: int) -> int:
        """Fakes to inject next to ``genuine`` users or orders."""
        return max(1, round(self.share * genuine))


@dataclass(frozen=True)
class ProfileAttack:
    """An attacked copy of interaction data.

    Attributes:
        data: Genuine users (same indices) followed by the fake users; same items.
        fake_users: ``int64`` indices of the fake users in ``data``.
        targets: ``int64`` indices of the target items.
        sources: ``CLONE``: the genuine user each fake copies, in fake order; else empty.
    """

    data: InteractionData
    fake_users: _I64
    targets: _I64
    sources: tuple[int, ...] = ()


@dataclass(frozen=True)
class BasketAttack:
    """An attacked copy of baskets.

    Attributes:
        baskets: The genuine baskets followed by the fake orders.
        fake_users: Ids of the fake accounts (one per fake order).
        targets: Target item ids.
    """

    baskets: tuple[Basket, ...]
    fake_users: tuple[str, ...]
    targets: tuple[str, ...]


def unpopular_targets(popularity: npt.ArrayLike, n: int, rng: np.random.Generator) -> _I64:
    """``n`` distinct indices drawn uniformly among items with ``1 <= popularity <= median``.

    Raises:
        ValueError: When fewer than ``n`` items qualify.
    """
    counts = np.asarray(popularity)
    held = counts[counts > 0]
    pool = np.flatnonzero((counts > 0) & (counts <= np.median(held))) if held.size else held
    if len(pool) < n:
        raise ValueError(f"Only {len(pool)} unpopular items to draw {n} targets from.")
    return np.sort(rng.choice(pool, n, replace=False)).astype(np.int64)


def profile_attack(data: InteractionData, kind: ProfileKind, config: AttackConfig) -> ProfileAttack:
    """Injects fake users into a copy of ``data`` (weights of fake edges are 1).

    Args:
        data: Genuine interactions (Gowalla: the training split).
        kind: How fillers are drawn (``CLONE``: none, a real user's profile instead).
        config: Attack size, fillers, targets, placement and seed.

    Returns:
        The attacked copy. Fake user ids continue the numbering when ``data`` has integer ids
        ``0 .. n_users - 1`` (Gowalla), else they are ``fake-0``, ``fake-1``, ...

    Raises:
        ValueError: When a target id is unknown, there are too few items for the fillers, too
            few genuine users to clone, or a clone is asked for random fillers.
    """
    if kind is ProfileKind.CLONE and config.random_share:
        raise ValueError("random_share is for fillers; a clone has none, so it must be 0.")
    rng = np.random.default_rng(config.seed)
    popularity = np.bincount(data.items, minlength=data.n_items)
    if config.targets is None:
        targets = unpopular_targets(popularity, config.n_targets, rng)
    else:
        targets = np.sort(data.id_map.item_index(config.targets))
    per_user = np.bincount(data.users, minlength=data.n_users)
    filler = config.filler if config.filler is not None else round(per_user[per_user > 0].mean())
    others = np.setdiff1d(np.arange(data.n_items), targets)
    if filler > len(others):
        raise ValueError(f"filler {filler} exceeds the {len(others)} items that are not targets.")
    n_fakes = config.n_fakes(data.n_users)
    draw = _FillerDraw(data, kind, targets, others, popularity, config, rng)
    profiles = []
    for k in range(n_fakes):
        held = targets if config.placement is Placement.ALL else targets[k % len(targets) :][:1]
        n_random = round(config.random_share * filler)
        chosen = draw.fillers(held, filler - n_random)
        if n_random:  # no draw otherwise, so attacks without random fillers stay as they were
            rest = np.setdiff1d(others, chosen)
            chosen = np.concatenate([chosen, rng.choice(rest, n_random, replace=False)])
        profiles.append(np.concatenate([held, np.sort(chosen)]))
    fake_index = np.arange(data.n_users, data.n_users + n_fakes, dtype=np.int64)
    users = np.concatenate([data.users, np.repeat(fake_index, [len(p) for p in profiles])])
    items = np.concatenate([data.items, *profiles])
    weights = np.concatenate([data.weights, np.ones(len(items) - len(data.items))])
    if data.id_map == IdMap.range(data.n_users, data.n_items):  # Gowalla: ids stay integers
        fake_ids = tuple(str(i) for i in fake_index)
    else:
        fake_ids = tuple(f"{FAKE_PREFIX}{k}" for k in range(n_fakes))
    id_map = IdMap(data.id_map.users + fake_ids, data.id_map.items)
    attacked = InteractionData.from_arrays(users, items, weights, id_map=id_map)
    return ProfileAttack(attacked, fake_index, targets, tuple(draw.sources))


class _FillerDraw:
    """The fillers of one fake after another, as :class:`ProfileKind` says."""

    def __init__(
        self,
        data: InteractionData,
        kind: ProfileKind,
        targets: _I64,
        others: _I64,
        popularity: _I64,
        config: AttackConfig,
        rng: np.random.Generator,
    ) -> None:
        self._data, self._kind, self._others, self._rng = data, kind, others, rng
        self._popularity = popularity[others].astype(np.float64) + 1e-12
        self._popular = others[np.argsort(-popularity[others], kind="stable")[: config.popular]]
        self._matrix = data.matrix
        self._audience: dict[int, npt.NDArray[np.float64]] = {}
        self._order: _I64 | None = None  # CLONE: genuine users in the order they are copied
        self._next = 0
        self.sources: list[int] = []

    def fillers(self, held: _I64, filler: int) -> _I64:
        kind, rng, others = self._kind, self._rng, self._others
        if kind is ProfileKind.RANDOM:
            return rng.choice(others, filler, replace=False)
        if kind is ProfileKind.AVERAGE:
            p = self._popularity / self._popularity.sum()
            return rng.choice(others, filler, replace=False, p=p)
        if kind is ProfileKind.BANDWAGON:
            hits = rng.choice(self._popular, min(filler // 2, len(self._popular)), replace=False)
            rest = np.setdiff1d(others, hits)
            return np.concatenate([hits, rng.choice(rest, filler - len(hits), replace=False)])
        if kind is ProfileKind.AUDIENCE:
            return self._audience_fillers(held, filler)
        return self._clone(held)

    def _audience_fillers(self, held: _I64, filler: int) -> _I64:
        key = int(held[0]) if len(held) == 1 else -1
        if key not in self._audience:
            holders = np.flatnonzero(np.asarray(self._matrix[:, held].sum(axis=1)).ravel() > 0)
            counts = np.asarray((self._matrix[holders] > 0).sum(axis=0)).ravel()
            self._audience[key] = counts[self._others].astype(np.float64)
        weight = self._audience[key]
        pool = int(np.count_nonzero(weight))
        near = np.empty(0, np.int64)
        if pool:
            p = weight / weight.sum()
            near = self._rng.choice(self._others, min(filler, pool), replace=False, p=p)
        if len(near) == filler:
            return near
        rest = self._popularity.copy()
        rest[np.isin(self._others, near)] = 0.0
        p = rest / rest.sum()
        top_up = self._rng.choice(self._others, filler - len(near), replace=False, p=p)
        return np.concatenate([near, top_up])

    def _clone(self, held: _I64) -> _I64:
        if self._order is None:
            self._order = self._rng.permutation(self._data.n_users).astype(np.int64)
        while self._next < len(self._order):
            source = int(self._order[self._next])
            self._next += 1
            items = self._data.user_items(source)
            if len(items) and not np.isin(held, items).any():
                self.sources.append(source)
                return np.asarray(items, dtype=np.int64)
        raise ValueError("Too few genuine users without the targets to clone one per fake.")


def cart_stuffing(baskets: Sequence[Basket], config: AttackConfig) -> BasketAttack:
    """Adds fake orders, each by a fresh account, holding targets and popular fillers.

    Fake order ``k`` gets ``index`` and ``time`` of a genuine basket drawn at random (so it
    falls among the genuine orders in time and decays like them) and the user ``fake-k``.
    ``ALL``: every target and ``filler`` items of the ``popular`` pool; ``SPREAD``: target
    ``k mod n`` and ``filler`` anchors it was never paired with in an earlier fake order.

    Args:
        baskets: Genuine baskets (the training history); not changed.
        config: Attack size, fillers (default: mean basket size), targets, popular pool,
            placement, seed.

    Returns:
        The genuine baskets followed by the fake ones.

    Raises:
        ValueError: When there are no baskets or too few items for the fillers.
    """
    if not baskets:
        raise ValueError("cart_stuffing needs at least one basket.")
    rng = np.random.default_rng(config.seed)
    counts = Counter(item for basket in baskets for item in basket.items)
    items = sorted(counts)
    popularity = np.array([counts[item] for item in items])
    if config.targets is None:
        targets = tuple(items[i] for i in unpopular_targets(popularity, config.n_targets, rng))
    else:
        targets = tuple(config.targets)
    target_set = set(targets)
    by_popularity = sorted((i for i in items if i not in target_set), key=lambda i: (-counts[i], i))
    popular = by_popularity[: config.popular]
    mean_size = sum(len(b.items) for b in baskets) / len(baskets)
    filler = config.filler if config.filler is not None else math.floor(mean_size + 0.5)
    if config.placement is Placement.ALL and filler > len(popular):
        raise ValueError(f"filler {filler} exceeds the popular pool of {len(popular)} items.")
    n_fakes = config.n_fakes(len(baskets))
    fakes = []
    if config.placement is Placement.ALL:
        for k in range(n_fakes):
            template = baskets[int(rng.integers(len(baskets)))]
            fill = [popular[int(i)] for i in rng.choice(len(popular), filler, replace=False)]
            fakes.append(
                Basket(template.index, (*targets, *fill), template.time, user=f"{FAKE_PREFIX}{k}")
            )
    else:
        per_target = -(-n_fakes // len(targets))
        pool = by_popularity[: max(config.popular, per_target * filler)]
        if len(pool) < per_target * filler:
            raise ValueError(
                f"{per_target} orders per target with {filler} anchors each need "
                f"{per_target * filler} items that are not targets; there are {len(pool)}."
            )
        unused = {t: list(rng.permutation(len(pool))) for t in targets}
        for k in range(n_fakes):
            template = baskets[int(rng.integers(len(baskets)))]
            target = targets[k % len(targets)]
            anchors = [pool[int(i)] for i in unused[target][:filler]]
            del unused[target][:filler]
            fakes.append(
                Basket(template.index, (target, *anchors), template.time, user=f"{FAKE_PREFIX}{k}")
            )
    users = tuple(str(b.user) for b in fakes)
    return BasketAttack((*baskets, *fakes), users, targets)


def write_lightgcn_train(data: InteractionData, path: Path) -> None:
    """Writes ``data`` as a LightGCN ``train.txt``: one line ``user item item ...`` per user
    with interactions, ascending user; the ids must be integers (an :meth:`IdMap.range` map
    extended by :func:`profile_attack`)."""
    order = np.lexsort((data.items, data.users))
    users, items = data.users[order], data.items[order]
    bounds = np.flatnonzero(np.diff(users)) + 1
    with path.open("w", encoding="ascii") as f:
        for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(users)], strict=True):
            user = data.id_map.users[int(users[lo])]
            f.write(" ".join([user, *(data.id_map.items[int(i)] for i in items[lo:hi])]) + "\n")


def write_orders(
    baskets: Sequence[Basket], path: Path, *, anonymous_prefix: str = "customer-"
) -> None:
    """Writes baskets as a long-form Parquet file of order lines: ``order, item, user``.

    The order id is ``<user>:<index>``; a basket without a user gets the user
    ``<anonymous_prefix><index>`` (UCI's basket file has no customers: each invoice is its own
    customer). Load it with :data:`shopgraph.loaders.baskets.ORDER_LINES_MAPPING`.
    """
    rows: dict[str, list[str]] = {"order": [], "item": [], "user": []}
    for basket in baskets:
        user = basket.user if basket.user is not None else f"{anonymous_prefix}{basket.index}"
        for item in basket.items:
            rows["order"].append(f"{user}:{basket.index}")
            rows["item"].append(item)
            rows["user"].append(user)
    pd.DataFrame(rows).to_parquet(path, index=False)
