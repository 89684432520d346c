"""The offline protocol of "frequently bought together" bundles, and its metrics.

The protocol (``shopgraph eval bundles``) on UCI Online Retail's ``baskets_long.parquet``
(columns ``basket_idx``, ``basket_kind``, ``position``, ``stock_code``), in this order:

1. Orders only: rows with ``basket_kind == "order"`` (cancellations and the bad-debt
   adjustments are dropped).
2. Stock codes are stripped and upper-cased (``85123a`` and ``85123A`` are one item).
3. Non-product codes are dropped: :data:`NON_PRODUCT_CODES` and every code starting with one
   of :data:`NON_PRODUCT_PREFIXES` (each is documented there).
4. Distinct items per basket, in the order of their first ``position``.
5. Baskets with at least 2 items after steps 1-4 are kept, sorted by ``basket_idx`` (invoice
   number, which is chronological).
6. The first ``floor(n * train_fraction)`` baskets train, the rest test.
7. Each test basket becomes one :class:`BundleCase`: a random number generator seeded with
   ``(seed, basket_idx)`` picks the held-out item uniformly among the basket's items, and, if
   more than ``max_cart`` items remain, ``max_cart`` of them uniformly without replacement.
   The cart keeps the basket's item order. Cases are kept even when the held-out item never
   occurs in the train baskets (no method can hit it; see :attr:`BundleProtocol.unseen_test`).

Validation for tuning is the same split applied to the train baskets only
(:func:`validation_protocol`), so the test baskets are never used to choose a setting.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "NON_PRODUCT_CODES",
    "NON_PRODUCT_PREFIXES",
    "Basket",
    "BundleCase",
    "BundleProtocol",
    "Source",
    "build_protocol",
    "bundle_metrics",
    "coverage",
    "evaluate",
    "hit_rate_at_k",
    "is_product_code",
    "make_cases",
    "mrr_at_k",
    "protocol_from_baskets",
    "read_uci_baskets",
    "top_k",
    "validation_protocol",
]

#: Upper-cased UCI stock codes that are not products, with what they are in the original file.
#: With :data:`NON_PRODUCT_PREFIXES` these are exactly the codes of the file that do not have
#: the product form (5 digits and up to 2 letters, e.g. ``85123A``).
NON_PRODUCT_CODES: dict[str, str] = {
    "POST": "postage",
    "DOT": "dotcom postage",
    "C2": "carriage",
    "M": "manual line, price entered by hand (also written lower-case 'm')",
    "D": "discount",
    "S": "samples",
    "B": "adjust bad debt",
    "CRUK": "CRUK commission",
    "BANK CHARGES": "bank charges",
    "AMAZONFEE": "Amazon fee",
    "PADS": "'pads to match all cushions', a 0.001 GBP bookkeeping line",
}

#: Upper-cased prefixes of UCI stock codes that are not regular products.
NON_PRODUCT_PREFIXES: dict[str, str] = {
    "GIFT_0001_": "gift vouchers (gift_0001_10 to gift_0001_50)",
    "DCGS": (
        "ad-hoc codes outside the regular stock codes (DCGS0003 to DCGS0076, DCGSSBOY, "
        "DCGSSGIRL; 45 order lines)"
    ),
}


class Source(StrEnum):
    """Where a co-occurrence comes from: the kind of basket two items share."""

    ORDER = "order"
    """Bought in the same order (``(:Order)-[:CONTAINS]->(:Item)``)."""
    CART = "cart"
    """Added to cart in the same session (``(:Session)-[:ADDED_TO_CART]->(:Item)``)."""
    VIEW = "view"
    """Viewed in the same session (``(:Session)-[:VIEWED]->(:Item)``)."""


@dataclass(frozen=True, slots=True)
class Basket:
    """One order or session with its distinct items.

    Attributes:
        index: Order index (UCI: ``basket_idx``, the invoice's line number).
        items: Distinct item ids, in basket order.
        time: When it happened, in the unit of the recency half-life (UCI: ``basket_idx``).
        source: The kind of basket.
        user: The user, or ``None`` when unknown (then the basket is its own user).
        weights: The relationship weight of each item (same length as ``items``), or ``None``
            for 1.0 each (until trust scoring sets them).
        positions: The place of each item in the order (same length as ``items``; ``None``
            for an item without one), as ``CONTAINS.position`` in the graph; or ``None``
            (default) when ``items`` are in order, i.e. places 0, 1, 2, ....
            :meth:`order_ranks` turns them into line adjacency.
    """

    index: int
    items: tuple[str, ...]
    time: float
    source: Source = Source.ORDER
    user: str | None = None
    weights: tuple[float, ...] | None = None
    positions: tuple[int | None, ...] | None = None

    def __post_init__(self) -> None:
        if len(set(self.items)) != len(self.items):
            raise ValueError(f"The items of basket {self.index} must be distinct.")
        if self.weights is not None and len(self.weights) != len(self.items):
            raise ValueError(
                f"Basket {self.index} has {len(self.items)} items but {len(self.weights)} weights."
            )
        if self.positions is not None and len(self.positions) != len(self.items):
            raise ValueError(
                f"Basket {self.index} has {len(self.items)} items but "
                f"{len(self.positions)} positions."
            )

    def order_ranks(self) -> tuple[int, ...]:
        """Each item's rank in the order of its lines, or -1 for an item outside it.

        An order's items with a place, sorted by (place, item id), get ranks 0, 1, 2, ...;
        two items are adjacent (on neighbouring lines) when their ranks differ by 1. Items
        without a place, and every item of a session (carts and views have no line order),
        get -1 and are never adjacent.
        """
        if self.source is not Source.ORDER:
            return (-1,) * len(self.items)
        if self.positions is None:
            return tuple(range(len(self.items)))
        placed = sorted(
            (position, item, n)
            for n, (item, position) in enumerate(zip(self.items, self.positions, strict=True))
            if position is not None
        )
        ranks = [-1] * len(self.items)
        for rank, (_, _, n) in enumerate(placed):
            ranks[n] = rank
        return tuple(ranks)


@dataclass(frozen=True, slots=True)
class BundleCase:
    """One test query: a cart and the item held out of the same basket."""

    index: int
    cart: tuple[str, ...]
    held_out: str


@dataclass(frozen=True, slots=True)
class BundleProtocol:
    """Chronological train baskets and held-out test cases.

    Attributes:
        train: Train baskets, ascending ``index``.
        test: One case per test basket, ascending ``index``.
        catalogue: Sorted distinct items of the train baskets (what a model can recommend).
    """

    train: tuple[Basket, ...]
    test: tuple[BundleCase, ...]
    catalogue: tuple[str, ...]

    @property
    def unseen_test(self) -> int:
        """Test cases whose held-out item never occurs in the train baskets."""
        known = set(self.catalogue)
        return sum(case.held_out not in known for case in self.test)


def is_product_code(code: str) -> bool:
    """Whether an upper-cased stock code is a product (not postage, fees, vouchers, ...)."""
    return code not in NON_PRODUCT_CODES and not code.startswith(tuple(NON_PRODUCT_PREFIXES))


def read_uci_baskets(path: Path) -> list[Basket]:
    """Reads steps 1-5 of the protocol from ``baskets_long.parquet``.

    Args:
        path: The parquet file.

    Returns:
        The order baskets with at least 2 distinct product items, ascending ``basket_idx``;
        ``time`` is ``basket_idx``.
    """
    rows = pd.read_parquet(path, columns=["basket_idx", "basket_kind", "position", "stock_code"])
    rows = rows[rows["basket_kind"] == "order"]
    codes = rows["stock_code"].astype(str).str.strip().str.upper()
    rows = rows.assign(stock_code=codes)[codes.map(is_product_code)]
    rows = rows.sort_values(["basket_idx", "position"], kind="stable")
    rows = rows.drop_duplicates(["basket_idx", "stock_code"], keep="first")
    index = rows["basket_idx"].to_numpy(dtype=np.int64)
    ids = [str(code) for code in rows["stock_code"]]
    bounds = [0, *(np.flatnonzero(np.diff(index)) + 1).tolist(), len(index)]
    baskets: list[Basket] = []
    for lo, hi in itertools.pairwise(bounds):
        if hi - lo >= 2:
            baskets.append(Basket(int(index[lo]), tuple(ids[lo:hi]), float(index[lo])))
    return baskets


def make_cases(baskets: Iterable[Basket], *, seed: int, max_cart: int) -> list[BundleCase]:
    """Step 7: holds one item out of each basket and keeps at most ``max_cart`` as the cart.

    Args:
        baskets: Baskets with at least 2 items.
        seed: Seed; each basket draws from ``numpy.random.default_rng((seed, index))``.
        max_cart: Largest cart.

    Returns:
        One case per basket, in the given order.

    Raises:
        ValueError: If a basket has fewer than 2 items or ``max_cart < 1``.
    """
    if max_cart < 1:
        raise ValueError(f"max_cart must be at least 1, got {max_cart}.")
    cases = []
    for basket in baskets:
        if len(basket.items) < 2:
            raise ValueError(f"Basket {basket.index} has fewer than 2 items.")
        rng = np.random.default_rng((seed, basket.index))
        held = int(rng.integers(len(basket.items)))
        rest = [item for pos, item in enumerate(basket.items) if pos != held]
        if len(rest) > max_cart:
            keep = np.sort(rng.choice(len(rest), size=max_cart, replace=False))
            rest = [rest[int(pos)] for pos in keep]
        cases.append(BundleCase(basket.index, tuple(rest), basket.items[held]))
    return cases


def protocol_from_baskets(
    baskets: Sequence[Basket], *, train_fraction: float, seed: int, max_cart: int
) -> BundleProtocol:
    """Steps 6-7 on chronological baskets (ascending ``index``); the input is not changed.

    Raises:
        ValueError: If ``train_fraction`` is not strictly between 0 and 1, or the split leaves
            either side empty.
    """
    if not 0.0 < train_fraction < 1.0:
        raise ValueError(f"train_fraction must be between 0 and 1, got {train_fraction}.")
    ordered = sorted(baskets, key=lambda basket: basket.index)
    n_train = math.floor(len(ordered) * train_fraction + 1e-9)  # 0.8 * 5 is 4, not 3
    if n_train == 0 or n_train == len(ordered):
        raise ValueError(f"{len(ordered)} baskets cannot be split at {train_fraction}.")
    train = tuple(ordered[:n_train])
    catalogue = tuple(sorted({item for basket in train for item in basket.items}))
    test = tuple(make_cases(ordered[n_train:], seed=seed, max_cart=max_cart))
    return BundleProtocol(train, test, catalogue)


def build_protocol(
    path: Path, *, train_fraction: float = 0.8, seed: int = 42, max_cart: int = 10
) -> BundleProtocol:
    """The full protocol on UCI Online Retail's ``baskets_long.parquet``.

    Args:
        path: The parquet file.
        train_fraction: Share of the baskets (by ``basket_idx``) that train.
        seed: Seed of the held-out item and cart draws.
        max_cart: Largest cart.

    Returns:
        The protocol; the same arguments always give the same protocol.
    """
    baskets = read_uci_baskets(path)
    return protocol_from_baskets(
        baskets, train_fraction=train_fraction, seed=seed, max_cart=max_cart
    )


def validation_protocol(
    protocol: BundleProtocol, *, fraction: float = 0.1, seed: int = 42, max_cart: int = 10
) -> BundleProtocol:
    """Carves a validation protocol out of the train baskets only: the last ``fraction``."""
    return protocol_from_baskets(
        protocol.train, train_fraction=1.0 - fraction, seed=seed, max_cart=max_cart
    )


def top_k(
    scores: npt.NDArray[np.float64], k: int, *, exclude: npt.NDArray[np.bool_] | None = None
) -> list[int]:
    """Positions of the ``k`` highest scores above 0, ties by position ascending.

    With items sorted by id, ties go to the smaller id. Excluded positions never appear.

    Args:
        scores: One score per item, shape ``(n_items,)``.
        k: How many.
        exclude: Boolean mask of shape ``(n_items,)``; ``True`` positions are left out.
    """
    mask = scores > 0.0
    if exclude is not None:
        mask &= ~exclude
    candidates = np.flatnonzero(mask)
    order = np.argsort(-scores[candidates], kind="stable")[:k]
    return [int(pos) for pos in candidates[order]]


def _check(recommendations: Sequence[Sequence[str]], held_out: Sequence[str], k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}.")
    if len(recommendations) != len(held_out):
        raise ValueError(
            f"{len(recommendations)} recommendation lists for {len(held_out)} held-out items."
        )


def hit_rate_at_k(
    recommendations: Sequence[Sequence[str]], held_out: Sequence[str], k: int = 10
) -> float:
    """Share of cases whose held-out item is among the first ``k`` recommendations.

    Every case counts, including those with fewer than ``k`` (or no) recommendations and
    those whose held-out item is not in the catalogue. 0.0 when there are no cases.
    """
    _check(recommendations, held_out, k)
    if not held_out:
        return 0.0
    hits = sum(item in recs[:k] for recs, item in zip(recommendations, held_out, strict=True))
    return hits / len(held_out)


def mrr_at_k(
    recommendations: Sequence[Sequence[str]], held_out: Sequence[str], k: int = 10
) -> float:
    """Mean over cases of ``1 / rank`` (rank 1-based) of the held-out item, 0 beyond ``k``.

    Same cases as :func:`hit_rate_at_k`. 0.0 when there are no cases.
    """
    _check(recommendations, held_out, k)
    if not held_out:
        return 0.0
    total = 0.0
    for recs, item in zip(recommendations, held_out, strict=True):
        top = list(recs[:k])
        if item in top:
            total += 1.0 / (top.index(item) + 1)
    return total / len(held_out)


def coverage(
    recommendations: Sequence[Sequence[str]], catalogue: Sequence[str], k: int = 10
) -> float:
    """Share of catalogue items that appear in at least one top-``k`` list.

    ``|union of recs[:k] over cases, intersected with catalogue| / |catalogue|``; items
    outside the catalogue do not count. 0.0 for an empty catalogue.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}.")
    known = set(catalogue)
    if not known:
        return 0.0
    shown = {item for recs in recommendations for item in recs[:k]}
    return len(shown & known) / len(known)


def bundle_metrics(
    recommendations: Sequence[Sequence[str]],
    held_out: Sequence[str],
    catalogue: Sequence[str],
    k: int = 10,
) -> dict[str, float]:
    """``{"hit_rate@k", "mrr@k", "coverage@k"}`` of one method on one set of cases."""
    return {
        f"hit_rate@{k}": hit_rate_at_k(recommendations, held_out, k),
        f"mrr@{k}": mrr_at_k(recommendations, held_out, k),
        f"coverage@{k}": coverage(recommendations, catalogue, k),
    }


def evaluate(
    recommend: Callable[[Sequence[str], int], Sequence[str]],
    protocol: BundleProtocol,
    k: int = 10,
) -> dict[str, float]:
    """Runs ``recommend(cart, k)`` on every test case and returns :func:`bundle_metrics`."""
    recs = [list(recommend(case.cart, k)) for case in protocol.test]
    held = [case.held_out for case in protocol.test]
    return bundle_metrics(recs, held, protocol.catalogue, k)
