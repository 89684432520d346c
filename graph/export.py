"""Export of a user-item subgraph from Neo4j into :class:`~shopgraph.gnn.data.InteractionData`.

Choose the subgraph (time window, categories, event types and their weights, users and items
with at least ``n`` interactions) with :class:`ExportOptions`. Each (user, item) pair becomes
one weighted edge::

    weight = sum over the pair's session aggregates and purchases of
             event-type weight x 0.5 ^ (age / half-life) x relationship weight (trust)

Ages are measured from the latest event in the window, never from the wall clock, and ids are
sorted, so the same graph and options always give the same tensors and the same id map.
Neo4j internal ids are never used: the :class:`~shopgraph.gnn.data.IdMap` maps business ids
to contiguous indices and travels with every model trained on the export.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from shopgraph.gnn.data import IdMap, InteractionData
from shopgraph.graph.runner import GraphRunner

__all__ = ["EventWeights", "ExportOptions", "export_interactions"]


@dataclass(frozen=True)
class EventWeights:
    """Weight of each kind of interaction in an exported edge (0 leaves the kind out)."""

    view: float = 1.0
    cart: float = 2.0
    remove_from_cart: float = 0.0
    purchase: float = 4.0

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not value >= 0:
                raise ValueError(f"The {name} weight must be at least 0, got {value}.")

    def by_type(self) -> dict[str, float]:
        """The weights keyed by relationship type, as the export statement takes them."""
        return {
            "VIEWED": self.view,
            "ADDED_TO_CART": self.cart,
            "REMOVED_FROM_CART": self.remove_from_cart,
            "CONTAINS": self.purchase,
        }


@dataclass(frozen=True)
class ExportOptions:
    """Which subgraph to export and how to weight its edges.

    Attributes:
        since: Only interactions at or after this time (timezone-aware), or all.
        until: Only interactions at or before this time, or all.
        categories: Category codes; items under any of them (or their descendants) only.
            Empty: every item.
        weights: Weight per kind of interaction.
        half_life_days: Recency half-life; ``None`` turns decay off.
        use_trust: Multiply by the relationship ``weight`` (the trust weighting).
        min_user_interactions: Keep users with at least this many items (applied together
            with ``min_item_interactions`` until both hold).
        min_item_interactions: Keep items with at least this many users.
    """

    since: datetime | None = None
    until: datetime | None = None
    categories: tuple[str, ...] = ()
    weights: EventWeights = field(default_factory=EventWeights)
    half_life_days: float | None = 30.0
    use_trust: bool = True
    min_user_interactions: int = 1
    min_item_interactions: int = 1

    def __post_init__(self) -> None:
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and value.utcoffset() is None:
                raise ValueError(f"{name} must be timezone-aware, got {value.isoformat()}.")
        if self.since and self.until and self.since > self.until:
            raise ValueError("since must not be later than until.")
        if self.half_life_days is not None and not self.half_life_days > 0:
            raise ValueError(f"half_life_days must be positive, got {self.half_life_days}.")
        for name in ("min_user_interactions", "min_item_interactions"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}.")

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description, stored with every model trained on the export."""
        data = asdict(self)
        for name in ("since", "until"):
            data[name] = data[name].isoformat() if data[name] else None
        data["categories"] = list(self.categories)
        return data


def export_interactions(runner: GraphRunner, options: ExportOptions) -> InteractionData:
    """Exports the chosen subgraph as weighted user-item interactions.

    Args:
        runner: The Neo4j runner.
        options: The subgraph and its weighting.

    Returns:
        The interactions; user and item indices follow the sorted business ids.
    """
    now = runner.read("export_latest_time", {"until": options.until})[0]["latest"]
    rows = runner.read_values(
        "export_interactions",
        {
            "since": options.since,
            "until": options.until,
            "categories": list(options.categories),
            "weights": options.weights.by_type(),
            "halfLifeDays": options.half_life_days,
            "now": now,
            "useTrust": options.use_trust,
        },
    )
    users = np.array([row[0] for row in rows], dtype=object)
    items = np.array([row[1] for row in rows], dtype=object)
    weights = np.array([row[2] for row in rows], dtype=np.float64)
    keep = _dense_core(users, items, options.min_user_interactions, options.min_item_interactions)
    users, items, weights = users[keep], items[keep], weights[keep]
    user_ids, user_index = np.unique(users.astype(str), return_inverse=True)
    item_ids, item_index = np.unique(items.astype(str), return_inverse=True)
    return InteractionData.from_arrays(
        user_index.astype(np.int64),
        item_index.astype(np.int64),
        weights.astype(np.float32),
        id_map=IdMap(tuple(user_ids.tolist()), tuple(item_ids.tolist())),
    )


def _dense_core(
    users: np.ndarray[Any, Any], items: np.ndarray[Any, Any], min_user: int, min_item: int
) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Mask of the interactions left after repeatedly dropping users and items that are rare."""
    keep = np.ones(len(users), dtype=bool)
    if min_user <= 1 and min_item <= 1:
        return keep
    _, user_of = np.unique(users.astype(str), return_inverse=True)
    _, item_of = np.unique(items.astype(str), return_inverse=True)
    while True:
        user_counts = np.bincount(user_of[keep], minlength=user_of.max() + 1)
        item_counts = np.bincount(item_of[keep], minlength=item_of.max() + 1)
        next_keep = keep & (user_counts[user_of] >= min_user) & (item_counts[item_of] >= min_item)
        if (next_keep == keep).all():
            return keep
        keep = next_keep
