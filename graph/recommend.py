"""Serving: bundles for a cart, recommendations for a user, similar items, walk candidates.

Every function here calls one plugin procedure (``CALL shopgraph.…``) through a named Cypher
file and returns frozen dataclasses. Arguments are checked before the call with the same
sentences the procedures use (:class:`~shopgraph.core.errors.BadArgumentError`); unknown ids
come back as :class:`~shopgraph.core.errors.UnknownEntityError` naming them.

With ``experiment="name"`` a call runs through an online experiment: the procedure answers
with the variant of the user (or visitor) and logs the answer, and the call returns a
:class:`Served` (request id, variant, items) instead of the items alone.

An option left at ``None`` keeps the procedure's default; every value a procedure accepts can
be said: ``in_stock_only=False`` is sent as ``false``, and :data:`UNLIMITED` as the ``null``
that means "no limit". With ``details=True`` the answer's items carry their name, brand,
category, price and stock (:class:`ItemDetails`), read by one more statement for all of them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum
from typing import Any, Final, Generic, Literal, TypeAlias, TypeVar, overload

from shopgraph.core.errors import BadArgumentError
from shopgraph.core.times import require_timezone
from shopgraph.graph.runner import GraphRunner

__all__ = [
    "UNLIMITED",
    "BundleCompaction",
    "BundleItem",
    "BundleOptions",
    "BundleRefresh",
    "Candidate",
    "ItemDetails",
    "Limit",
    "RecommendOptions",
    "Recommendation",
    "Served",
    "WalkOptions",
    "WalkRefresh",
    "bundle",
    "candidates",
    "compact_bundle_index",
    "item_details",
    "recommend",
    "refresh_bundle_masses",
    "refresh_walks",
    "similar",
]

MAX_K = 1000
MAX_CART = 50


class _Unlimited(Enum):
    UNLIMITED = "unlimited"

    def __repr__(self) -> str:
        return "UNLIMITED"


#: A diversity limit that never binds (``max_per_brand``, ``max_per_category``); sent to the
#: procedures as ``null``, which they read as "no limit".
UNLIMITED: Final = _Unlimited.UNLIMITED

#: A diversity limit: at most this many items (1 to 1000), :data:`UNLIMITED`, or ``None`` for
#: the procedure's default.
Limit: TypeAlias = int | Literal[_Unlimited.UNLIMITED] | None


@dataclass(frozen=True)
class ItemDetails:
    """What the graph knows of an item, for answers people read; ``None`` where it knows nothing.

    Attributes:
        name: The item's name (``Item.name``).
        brand: Its brand's name (``HAS_BRAND``; the first by name if it has several).
        category: The code of its category (``IN_CATEGORY``, the deepest one).
        price: Its price (``Item.price``, from the last row that carried one).
        in_stock: Its ``inStock`` property (``None``: not recorded, which counts as in stock).
    """

    name: str | None = None
    brand: str | None = None
    category: str | None = None
    price: float | None = None
    in_stock: bool | None = None


@dataclass(frozen=True)
class Recommendation:
    """One recommended item: the shared result shape of every procedure.

    Attributes:
        item_id: The item's business id.
        score: Higher is better; comparable only within one answer.
        rank: 1-based position.
        reason: Why it is here, e.g. ``"bought together"``, ``"walk"``, ``"popular"``.
        item: The item's name, brand, category, price and stock when the call asked for
            details (``details=True``), else ``None``.
    """

    item_id: str
    score: float
    rank: int
    reason: str
    item: ItemDetails | None = field(default=None, kw_only=True)


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


_R = TypeVar("_R", bound=Recommendation)


@dataclass(frozen=True)
class Served(Generic[_R]):
    """An answer through an online experiment.

    Attributes:
        request_id: The logged request's id, for :meth:`ShopGraph.click
            <shopgraph.graph.client.ShopGraph.click>`; ``None`` when the experiment was not
            live at the call's time (its control answered, nothing was logged) or when the
            answer is empty (it is logged, but no row carries its id back).
        experiment: The experiment's name.
        variant: The variant that answered; ``None`` when the call was not logged.
        items: The answer, best first.
    """

    request_id: str | None
    experiment: str
    variant: str | None
    items: list[_R]


@dataclass(frozen=True)
class BundleOptions:
    """Options of :func:`bundle`; ``None`` keeps the server's default.

    Attributes:
        user: A user id: items this user already bought are left out.
        max_per_brand: At most this many items of one brand (server default: no limit;
            :data:`UNLIMITED` says so explicitly).
        categories: Only items under one of these category codes (or their descendants).
        in_stock_only: Leave out items whose ``inStock`` is false (server default true);
            ``False`` includes them.
        max_price: Leave out items dearer than this (and items without a price).
        alpha: Exponent of the cart item's mass (popularity of what is in the cart).
        beta: Exponent of the candidate's mass (popularity normalisation).
        smoothing: Pseudo-count added to the candidate's mass.
        size_exponent: Basket-size weighting ``(|basket| - 1) ** -size_exponent``.
        max_basket_size: Ignore pairs from baskets larger than this.
        adjacency_bonus: Items on neighbouring lines of an order count ``1 + adjacency_bonus``
            times (server default 2.0; 0 turns it off).

    Raises:
        BadArgumentError: When ``adjacency_bonus`` is not a finite number of at least 0.
    """

    user: str | None = None
    max_per_brand: Limit = None
    categories: tuple[str, ...] = ()
    in_stock_only: bool | None = None
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
            raise BadArgumentError(
                f"adjacency_bonus must be a finite number of at least 0, got {bonus!r}."
            )

    def config(self) -> dict[str, Any]:
        """The procedure's config map: the options that are set (:data:`UNLIMITED` as null)."""
        return _config(
            {
                "user": self.user,
                "maxPerBrand": self.max_per_brand,
                "categories": list(self.categories) or None,
                "inStockOnly": self.in_stock_only,
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
        in_stock_only: Skip items whose ``inStock`` is false (server default true); ``False``
            includes them.
        use_model: :func:`similar` only: answer from the active embedding model's vector
            index when there is one and the item has an embedding (server default true);
            ``False`` always walks.
        user_id: :func:`similar` only: the user who asks; the items they rejected
            (:meth:`~shopgraph.graph.client.ShopGraph.feedback`) are left out and those very
            similar to them come last.
        new_items: :func:`similar` only: how many of the last places new items (nobody
            interacted with them yet) of the item's brand and category may take (server
            default 1; 0: none).
    """

    steps: int | None = None
    restart: float | None = None
    seed: int | None = None
    in_stock_only: bool | None = None
    use_model: bool | None = None
    user_id: str | None = None
    new_items: int | None = None

    def config(self) -> dict[str, Any]:
        """The procedure's config map: the options that are set."""
        return _config(
            {
                "steps": self.steps,
                "restart": self.restart,
                "seed": self.seed,
                "inStockOnly": self.in_stock_only,
                "useModel": self.use_model,
                "userId": self.user_id,
                "newItems": self.new_items,
            }
        )


@dataclass(frozen=True)
class RecommendOptions:
    """Options of :func:`recommend`; ``None`` keeps the server default.

    Attributes:
        max_per_brand: At most this many items of one brand (server default 3;
            :data:`UNLIMITED`: no limit).
        max_per_category: At most this many items of one category (server default 4;
            :data:`UNLIMITED`: no limit).
        in_stock_only: Leave out items whose ``inStock`` is false (server default true);
            ``False`` includes them.
        use_model: Rank with the active embedding model when there is one (default true).
        seed: Seed of the random walks.
        steps: Steps of the random walks when the stages' blended scores rank (10,000).
        model_steps: Steps of the random walks when the model ranks (5,000).
        walk_candidates: Candidates of the random walks, 0 to 1000 (200; 0 turns them off).
        bundle_candidates: Candidates of the co-purchase stage, 0 to 1000 (200).
        popular_candidates: Candidates of the popular-in-category stage, 0 to 1000 (100).
        walk_weight: Weight of the walks' normalised score in the blend (1.0).
        bundle_weight: Weight of the co-purchase score in the blend (1.0).
        popular_weight: Weight of the popularity score in the blend (0.25).
        cart_items: The user's most recent items taken as the co-purchase stage's cart (10).
        new_items: How many of the last places new items (nobody interacted with them yet) of
            the brands and categories of the user's recent items may take (server default 1;
            0: none).
    """

    max_per_brand: Limit = None
    max_per_category: Limit = None
    in_stock_only: bool | None = None
    use_model: bool | None = None
    seed: int | None = None
    steps: int | None = None
    model_steps: int | None = None
    walk_candidates: int | None = None
    bundle_candidates: int | None = None
    popular_candidates: int | None = None
    walk_weight: float | None = None
    bundle_weight: float | None = None
    popular_weight: float | None = None
    cart_items: int | None = None
    new_items: int | None = None

    def config(self) -> dict[str, Any]:
        """The procedure's config map: the options that are set (:data:`UNLIMITED` as null)."""
        return _config(
            {
                "maxPerBrand": self.max_per_brand,
                "maxPerCategory": self.max_per_category,
                "inStockOnly": self.in_stock_only,
                "useModel": self.use_model,
                "seed": self.seed,
                "steps": self.steps,
                "modelSteps": self.model_steps,
                "walkCandidates": self.walk_candidates,
                "bundleCandidates": self.bundle_candidates,
                "popularCandidates": self.popular_candidates,
                "walkWeight": self.walk_weight,
                "bundleWeight": self.bundle_weight,
                "popularWeight": self.popular_weight,
                "cartItems": self.cart_items,
                "newItems": self.new_items,
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


@overload
def bundle(
    runner: GraphRunner,
    cart: Sequence[str],
    k: int = ...,
    options: BundleOptions | None = ...,
    *,
    details: bool = ...,
    experiment: None = ...,
    user: str | None = ...,
    at: datetime | None = ...,
) -> list[BundleItem]: ...


@overload
def bundle(
    runner: GraphRunner,
    cart: Sequence[str],
    k: int = ...,
    options: BundleOptions | None = ...,
    *,
    details: bool = ...,
    experiment: str,
    user: str | None = ...,
    at: datetime | None = ...,
) -> Served[BundleItem]: ...


def bundle(
    runner: GraphRunner,
    cart: Sequence[str],
    k: int = 10,
    options: BundleOptions | None = None,
    *,
    details: bool = False,
    experiment: str | None = None,
    user: str | None = None,
    at: datetime | None = None,
) -> list[BundleItem] | Served[BundleItem]:
    """Items frequently bought together with a cart.

    Args:
        runner: The Neo4j runner.
        cart: 1 to 50 item ids (duplicates count once).
        k: How many items, 1 to 1000.
        options: Filters and scoring knobs.
        details: Also read each item's :class:`ItemDetails` (one more statement).
        experiment: Run the call through this experiment (see the module docstring).
        user: The shopper (a user or visitor id): with ``experiment`` their variant answers;
            like ``options.user``, what they bought is left out.
        at: With ``experiment``, the request's time (default: the server's clock).

    Returns:
        The items, best first (cart items are never among them); a :class:`Served` with them
        when ``experiment`` is given.

    Raises:
        BadArgumentError: When ``k`` or the cart size is out of range, or an experiment's call
            names no user.
        UnknownEntityError: When cart items or the experiment are not in the graph.
    """
    _check_k(k)
    cart = list(dict.fromkeys(cart))
    if not 1 <= len(cart) <= MAX_CART:
        raise BadArgumentError(f"A cart must have 1 to {MAX_CART} items, got {len(cart)}.")
    options = options or BundleOptions()
    if user is not None:
        if options.user is not None and options.user != user:
            raise BadArgumentError(
                f"user is given twice, as {user!r} and as options.user {options.user!r}."
            )
        options = replace(options, user=user)
    config = _experiment_config(options.config(), experiment, None, at)
    rows = runner.serve("call_bundle", {"cart": cart, "k": k, "config": config})
    items = [
        BundleItem(item_id, score, rank, reason, support, confidence, lift, tuple(because))
        for item_id, score, rank, reason, support, confidence, lift, because, _, _ in rows
    ]
    found = _with_details(runner, items) if details else items
    return found if experiment is None else _served(experiment, rows, found)


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
    """Rebuilds the walk projection now (writes reach it on their own within a second)."""
    row = runner.read("call_walk_refresh")[0]
    return WalkRefresh(row["nodes"], row["relationships"], row["millis"], row["bytes"])


@dataclass(frozen=True)
class BundleCompaction:
    """The pair index :func:`compact_bundle_index` built.

    Attributes:
        items: Items whose pairs it holds.
        pairs: Pairs it holds, each direction counted.
        millis: How long the build took.
        bytes: Approximate heap it holds.
    """

    items: int
    pairs: int
    millis: int
    bytes: int


def compact_bundle_index(runner: GraphRunner) -> BundleCompaction:
    """Rebuilds the bundle pair index from the graph with the last refresh's statistics.

    What the server does in the background once many changes were merged into the index; the
    answers stay the same (the merged index holds what a full build holds). Nothing is written.
    """
    row = runner.read("call_bundle_compact")[0]
    return BundleCompaction(row["items"], row["pairs"], row["millis"], row["bytes"])


def candidates(
    runner: GraphRunner,
    query: str | Sequence[str],
    k: int = 10,
    options: WalkOptions | None = None,
    *,
    details: bool = False,
) -> list[Candidate]:
    """Random-walk candidates for a user (an id) or for a list of item ids.

    Args:
        runner: The Neo4j runner.
        query: A user id (the user's recent items start the walks), or 1 to 50 item ids.
        k: How many items, 1 to 1000.
        options: Walk settings (``use_model`` does not apply: candidates always walk).
        details: Also read each item's :class:`ItemDetails` (one more statement).

    Returns:
        The candidates, most visited first (query items are never among them).

    Raises:
        BadArgumentError: When ``k`` is out of range or ``options`` sets ``use_model``,
            ``user_id`` or ``new_items``.
        UnknownEntityError: When the user or query items are not in the graph.
    """
    _check_k(k)
    if options is not None and options.use_model is not None:
        raise BadArgumentError("use_model applies to similar, not to candidates (always walks).")
    if options is not None and (options.user_id is not None or options.new_items is not None):
        raise BadArgumentError(
            "user_id and new_items apply to similar, not to candidates (a user query is the user)."
        )
    value: str | list[str] = query if isinstance(query, str) else list(query)
    rows = runner.serve(
        "call_candidates", {"query": value, "k": k, "config": (options or WalkOptions()).config()}
    )
    found = [
        Candidate(item_id, score, rank, reason, visits)
        for item_id, score, rank, reason, visits in rows
    ]
    return _with_details(runner, found) if details else found


@overload
def similar(
    runner: GraphRunner,
    item: str,
    k: int = ...,
    options: WalkOptions | None = ...,
    *,
    details: bool = ...,
    experiment: None = ...,
    user: None = ...,
    at: None = ...,
) -> list[Recommendation]: ...


@overload
def similar(
    runner: GraphRunner,
    item: str,
    k: int = ...,
    options: WalkOptions | None = ...,
    *,
    details: bool = ...,
    experiment: str,
    user: str,
    at: datetime | None = ...,
) -> Served[Recommendation]: ...


def similar(
    runner: GraphRunner,
    item: str,
    k: int = 10,
    options: WalkOptions | None = None,
    *,
    details: bool = False,
    experiment: str | None = None,
    user: str | None = None,
    at: datetime | None = None,
) -> list[Recommendation] | Served[Recommendation]:
    """Items similar to one item (for item pages).

    With an active model version and an item it has an embedding for, the nearest items in
    the active slot's vector index (reason ``"model"``); otherwise random walks (``"walk"``).

    Args:
        runner: The Neo4j runner.
        item: The item's id.
        k: How many items, 1 to 1000.
        options: Walk settings, and whether the model may answer.
        details: Also read each item's :class:`ItemDetails` (one more statement).
        experiment: Run the call through this experiment (see the module docstring).
        user: With ``experiment``, the user or visitor looking (required); the procedure
            takes them as ``options.user_id`` too (their rejections apply), so a different
            ``options.user_id`` is an error.
        at: With ``experiment``, the request's time (default: the server's clock).

    Returns:
        The items, most similar first (never ``item`` itself); a :class:`Served` with them
        when ``experiment`` is given.

    Raises:
        BadArgumentError: When ``k`` is out of range, ``user`` or ``at`` come without
            ``experiment``, or ``options.user_id`` is not ``user``.
        UnknownEntityError: When the item or the experiment is not in the graph.
    """
    _check_k(k)
    config = _experiment_config((options or WalkOptions()).config(), experiment, user, at)
    rows = runner.serve("call_similar", {"item": item, "k": k, "config": config})
    found = _recommendations(rows)
    found = _with_details(runner, found) if details else found
    return found if experiment is None else _served(experiment, rows, found)


@overload
def recommend(
    runner: GraphRunner,
    user: str,
    k: int = ...,
    options: RecommendOptions | None = ...,
    *,
    details: bool = ...,
    experiment: None = ...,
    at: None = ...,
) -> list[Recommendation]: ...


@overload
def recommend(
    runner: GraphRunner,
    user: str,
    k: int = ...,
    options: RecommendOptions | None = ...,
    *,
    details: bool = ...,
    experiment: str,
    at: datetime | None = ...,
) -> Served[Recommendation]: ...


def recommend(
    runner: GraphRunner,
    user: str,
    k: int = 10,
    options: RecommendOptions | None = None,
    *,
    details: bool = False,
    experiment: str | None = None,
    at: datetime | None = None,
) -> list[Recommendation] | Served[Recommendation]:
    """Recommendations for a user; an unknown user gets popular items (reason ``popular``).

    With an active model version (and ``options.use_model`` not false), candidates the model
    has embeddings for are ranked by the dot product of the user's and the item's embeddings,
    and their reason reads ``"model: "`` before the candidate stage's reason.

    Args:
        runner: The Neo4j runner.
        user: The user's id.
        k: How many items, 1 to 1000.
        options: Diversity, stock and ranking settings.
        details: Also read each item's :class:`ItemDetails` (one more statement).
        experiment: Run the call through this experiment: the user's variant answers.
        at: With ``experiment``, the request's time (default: the server's clock).

    Returns:
        The items, best first; a :class:`Served` with them when ``experiment`` is given.

    Raises:
        BadArgumentError: When ``k`` is out of range, or ``at`` comes without ``experiment``.
        UnknownEntityError: When the experiment is not in the graph.
    """
    _check_k(k)
    config = _experiment_config((options or RecommendOptions()).config(), experiment, None, at)
    rows = runner.serve("call_recommend", {"user": user, "k": k, "config": config})
    found = _recommendations(rows)
    found = _with_details(runner, found) if details else found
    return found if experiment is None else _served(experiment, rows, found)


def item_details(runner: GraphRunner, item_ids: Sequence[str]) -> dict[str, ItemDetails]:
    """What the graph knows of items (name, brand, category, price, stock), by id.

    Args:
        runner: The Neo4j runner.
        item_ids: Item ids; ids not in the graph are left out of the answer.

    Returns:
        The details of every id found.
    """
    rows = runner.serve("item_details", {"ids": list(dict.fromkeys(item_ids))})
    return {
        item_id: ItemDetails(name, brand, category, price, in_stock)
        for item_id, name, brand, category, price, in_stock in rows
    }


def _with_details(runner: GraphRunner, found: list[_R]) -> list[_R]:
    if not found:
        return found
    known = item_details(runner, [r.item_id for r in found])
    return [replace(r, item=known.get(r.item_id, ItemDetails())) for r in found]


def _recommendations(rows: list[list[Any]]) -> list[Recommendation]:
    return [
        Recommendation(item_id, score, rank, reason) for item_id, score, rank, reason, _, _ in rows
    ]


def _experiment_config(
    config: dict[str, Any], experiment: str | None, user: str | None, at: datetime | None
) -> dict[str, Any]:
    """The procedure's config with the experiment's keys: ``experiment``, ``user``, ``at``."""
    if experiment is None:
        if user is not None or at is not None:
            raise BadArgumentError("user and at name an experiment's request: give experiment too.")
        return config
    config = {**config, "experiment": experiment}
    if user is not None:
        config["user"] = user
    if at is not None:
        config["at"] = require_timezone(at, "Config key 'at'")
    return config


def _served(experiment: str, rows: list[list[Any]], items: list[_R]) -> Served[_R]:
    """The answer of an experiment's call; every row carries the request id and variant."""
    request_id, variant = (rows[0][-2], rows[0][-1]) if rows else (None, None)
    return Served(request_id, experiment, variant, items)


def _check_k(k: int) -> None:
    if not 1 <= k <= MAX_K:
        raise BadArgumentError(f"k must be between 1 and {MAX_K}, got {k}.")


def _config(values: dict[str, Any]) -> dict[str, Any]:
    """The options that are set; :data:`UNLIMITED` travels as the null of "no limit"."""
    return {
        key: None if value is UNLIMITED else value
        for key, value in values.items()
        if value is not None
    }
