"""Serving: bundles for a cart, recommendations for a user, similar items, walk candidates.

Every function here calls one plugin procedure (``CALL shopgraph.…``) through a named Cypher
file and returns frozen dataclasses. Arguments are checked before the call with the same
sentences the procedures use; unknown ids come back as
:class:`~shopgraph.core.errors.UnknownEntityError` naming them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shopgraph.graph.runner import GraphRunner

__all__ = [
    "BundleItem",
    "BundleOptions",
    "BundleRefresh",
    "Candidate",
    "RecommendOptions",
    "Recommendation",
    "WalkOptions",
    "WalkRefresh",
    "bundle",
    "candidates",
    "recommend",
    "refresh_bundle_masses",
    "refresh_walks",
    "similar",
]

MAX_K = 1000
MAX_CART = 50


@dataclass(frozen=True)
class Recommendation:
    """One recommended item: the shared result shape of every procedure.

    Attributes:
        item_id: The item's business id.
        score: Higher is better; comparable only within one answer.
        rank: 1-based position.
        reason: Why it is here, e.g. ``"bought together"``, ``"walk"``, ``"popular"``.
    """

    item_id: str
    score: float
    rank: int
    reason: str


@dataclass(frozen=True)
class BundleItem(Recommendation):
    """A "frequently bought together" item, with its co-purchase statistics.

    Attributes:
        support: Weighted co-purchase count with the cart (each user's share capped).
        confidence: ``support / (the cart items' weighted purchase counts)``.
        lift: ``confidence / (the item's share of all baskets)``; above 1: bought with the
            cart more often than on its own.
        because: The cart items that led to it, strongest first.
    """

    support: float
    confidence: float
    lift: float
    because: tuple[str, ...]


@dataclass(frozen=True)
class Candidate(Recommendation):
    """A random-walk candidate; ``visits`` is how often the walks reached it."""

    visits: int


@dataclass(frozen=True)
class BundleOptions:
    """Options of :func:`bundle`; ``None`` keeps the server's default.

    Attributes:
        user: A user id: items this user already bought are left out.
        max_per_brand: At most this many items of one brand.
        categories: Only items under one of these category codes (or their descendants).
        in_stock_only: Leave out items whose ``inStock`` is false.
        max_price: Leave out items dearer than this (and items without a price).
        alpha: Exponent of the cart item's mass (popularity of what is in the cart).
        beta: Exponent of the candidate's mass (popularity normalisation).
        smoothing: Pseudo-count added to the candidate's mass.
        size_exponent: Basket-size weighting ``(|basket| - 1) ** -size_exponent``.
        max_basket_size: Ignore pairs from baskets larger than this.
        adjacency_bonus: Items on neighbouring lines of an order count ``1 + adjacency_bonus``
            times (server default 2.0; 0 turns it off).

    Raises:
        ValueError: When ``adjacency_bonus`` is not a finite number of at least 0.
    """

    user: str | None = None
    max_per_brand: int | None = None
    categories: tuple[str, ...] = ()
    in_stock_only: bool = False
    max_price: float | None = None
    alpha: float | None = None
    beta: float | None = None
    smoothing: float | None = None
    size_exponent: float | None = None
    max_basket_size: int | None = None
    adjacency_bonus: float | None = None

    def __post_init__(self) -> None:
        bonus: object = self.adjacency_bonus
        if bonus is not None and (
            isinstance(bonus, bool)
            or not isinstance(bonus, int | float)
            or not (math.isfinite(bonus) and bonus >= 0)
        ):
            raise ValueError(
                f"adjacency_bonus must be a finite number of at least 0, got {bonus!r}."
            )

    def config(self) -> dict[str, Any]:
        """The procedure's config map (only the options that are set)."""
        return _config(
            {
                "user": self.user,
                "maxPerBrand": self.max_per_brand,
                "categories": list(self.categories) or None,
                "inStockOnly": self.in_stock_only or None,
                "maxPrice": self.max_price,
                "alpha": self.alpha,
                "beta": self.beta,
                "smoothing": self.smoothing,
                "sizeExponent": self.size_exponent,
                "maxBasketSize": self.max_basket_size,
                "adjacencyBonus": self.adjacency_bonus,
            }
        )


@dataclass(frozen=True)
class WalkOptions:
    """Options of :func:`candidates` and :func:`similar`; ``None`` keeps the server default.

    Attributes:
        steps: Total step budget of the walks.
        restart: Probability of jumping back to the query item at each step.
        seed: Seed of the walks (same graph and seed: same answer).
        use_model: :func:`similar` only: answer from the active embedding model's vector
            index when there is one and the item has an embedding (server default true);
            ``False`` always walks.
    """

    steps: int | None = None
    restart: float | None = None
    seed: int | None = None
    use_model: bool | None = None

    def config(self) -> dict[str, Any]:
        return _config(
            {
                "steps": self.steps,
                "restart": self.restart,
                "seed": self.seed,
                "useModel": self.use_model,
            }
        )


@dataclass(frozen=True)
class RecommendOptions:
    """Options of :func:`recommend`; ``None`` keeps the server default.

    Attributes:
        max_per_brand: At most this many items of one brand.
        max_per_category: At most this many items of one category.
        in_stock_only: Leave out items whose ``inStock`` is false.
        use_model: Rank with the active embedding model when there is one (default true).
        seed: Seed of the random walks.
        steps: Steps of the random walks when the stages' blended scores rank (10,000).
        model_steps: Steps of the random walks when the model ranks (5,000).
    """

    max_per_brand: int | None = None
    max_per_category: int | None = None
    in_stock_only: bool = False
    use_model: bool | None = None
    seed: int | None = None
    steps: int | None = None
    model_steps: int | None = None

    def config(self) -> dict[str, Any]:
        return _config(
            {
                "maxPerBrand": self.max_per_brand,
                "maxPerCategory": self.max_per_category,
                "inStockOnly": self.in_stock_only or None,
                "useModel": self.use_model,
                "seed": self.seed,
                "steps": self.steps,
                "modelSteps": self.model_steps,
            }
        )


@dataclass(frozen=True)
class BundleRefresh:
    """What :func:`refresh_bundle_masses` computed."""

    items: int
    baskets: int
    now: datetime | None
    basket_mass: float
    millis: int


def bundle(
    runner: GraphRunner, cart: Sequence[str], k: int = 10, options: BundleOptions | None = None
) -> list[BundleItem]:
    """Items frequently bought together with a cart.

    Args:
        runner: The Neo4j runner.
        cart: 1 to 50 item ids (duplicates count once).
        k: How many items, 1 to 1000.
        options: Filters and scoring knobs.

    Returns:
        The items, best first (cart items are never among them).

    Raises:
        ValueError: When ``k`` or the cart size is out of range.
        UnknownEntityError: When cart items are not in the graph.
    """
    _check_k(k)
    cart = list(dict.fromkeys(cart))
    if not 1 <= len(cart) <= MAX_CART:
        raise ValueError(f"A cart must have 1 to {MAX_CART} items, got {len(cart)}.")
    rows = runner.serve(
        "call_bundle", {"cart": cart, "k": k, "config": (options or BundleOptions()).config()}
    )
    return [
        BundleItem(item_id, score, rank, reason, support, confidence, lift, tuple(because))
        for item_id, score, rank, reason, support, confidence, lift, because in rows
    ]


def refresh_bundle_masses(
    runner: GraphRunner, config: dict[str, Any] | None = None
) -> BundleRefresh:
    """Recomputes the item masses bundles normalise by; run it after loads and trust updates."""
    row = runner.write("call_bundle_refresh", {"config": config or {}})[0]
    now = row["now"]
    return BundleRefresh(
        row["items"],
        row["baskets"],
        now.to_native() if now is not None else None,
        row["basketMass"],
        row["millis"],
    )


@dataclass(frozen=True)
class WalkRefresh:
    """The in-memory projection :func:`refresh_walks` built for the random walks."""

    nodes: int
    relationships: int
    millis: int
    bytes: int


def refresh_walks(runner: GraphRunner) -> WalkRefresh:
    """Rebuilds the walk projection now (otherwise it is rebuilt lazily when it expires)."""
    row = runner.read("call_walk_refresh")[0]
    return WalkRefresh(row["nodes"], row["relationships"], row["millis"], row["bytes"])


def candidates(
    runner: GraphRunner,
    query: str | Sequence[str],
    k: int = 100,
    options: WalkOptions | None = None,
) -> list[Candidate]:
    """Random-walk candidates for a user (an id) or for a list of item ids.

    Raises:
        ValueError: When ``k`` is out of range or ``options.use_model`` is set (candidates
            always come from walks).
    """
    _check_k(k)
    if options is not None and options.use_model is not None:
        raise ValueError("use_model applies to similar, not to candidates (always walks).")
    value: str | list[str] = query if isinstance(query, str) else list(query)
    rows = runner.serve(
        "call_candidates", {"query": value, "k": k, "config": (options or WalkOptions()).config()}
    )
    return [
        Candidate(item_id, score, rank, reason, visits)
        for item_id, score, rank, reason, visits in rows
    ]


def similar(
    runner: GraphRunner, item: str, k: int = 10, options: WalkOptions | None = None
) -> list[Recommendation]:
    """Items similar to one item (for item pages).

    With an active model version and an item it has an embedding for, the nearest items in
    the active slot's vector index (reason ``"model"``); otherwise random walks (``"walk"``).
    """
    _check_k(k)
    rows = runner.serve(
        "call_similar", {"item": item, "k": k, "config": (options or WalkOptions()).config()}
    )
    return _recommendations(rows)


def recommend(
    runner: GraphRunner, user: str, k: int = 10, options: RecommendOptions | None = None
) -> list[Recommendation]:
    """Recommendations for a user; an unknown user gets popular items (reason ``popular``).

    With an active model version (and ``options.use_model`` not false), candidates the model
    has embeddings for are ranked by the dot product of the user's and the item's embeddings,
    and their reason reads ``"model: "`` before the candidate stage's reason.
    """
    _check_k(k)
    rows = runner.serve(
        "call_recommend",
        {"user": user, "k": k, "config": (options or RecommendOptions()).config()},
    )
    return _recommendations(rows)


def _recommendations(rows: list[list[Any]]) -> list[Recommendation]:
    return [Recommendation(item_id, score, rank, reason) for item_id, score, rank, reason in rows]


def _check_k(k: int) -> None:
    if not 1 <= k <= MAX_K:
        raise ValueError(f"k must be between 1 and {MAX_K}, got {k}.")


def _config(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}
