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

The edges are computed in the plugin by ``shopgraph.export.interactions``, which walks the
users' sessions and orders and returns compact rows (a batch of users with their item
positions and weights); ``cypher/export_interactions.cypher`` is the readable statement of the
same edges (the tests check that both give the same tensors). Rows per batch of users rather
than per edge keep Bolt and the driver out of the way (``benchmarks/model_io.py``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from shopgraph.core.errors import BadArgumentError
from shopgraph.core.times import require_timezone
from shopgraph.gnn.data import IdMap, InteractionData
from shopgraph.graph.runner import GraphRunner, Tx

__all__ = ["EventWeights", "ExportOptions", "export_interactions"]


@dataclass(frozen=True)
class EventWeights:
    """Weight of each kind of interaction in an exported edge (0 leaves the kind out).

    Raises:
        BadArgumentError: When a weight is below 0.
    """

    view: float = 1.0
    cart: float = 2.0
    remove_from_cart: float = 0.0
    purchase: float = 4.0

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not value >= 0:
                raise BadArgumentError(f"The {name} weight must be at least 0, got {value}.")

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
        since: Only interactions at or after this time (with a timezone), or all.
        until: Only interactions at or before this time (with a timezone), or all.
        categories: Category codes; items under any of them (or their descendants) only.
            Empty: every item.
        weights: Weight per kind of interaction.
        half_life_days: Recency half-life; ``None`` turns decay off.
        use_trust: Multiply by the relationship ``weight`` (the trust weighting).
        min_user_interactions: Keep users with at least this many items (applied together
            with ``min_item_interactions`` until both hold).
        min_item_interactions: Keep items with at least this many users.

    Raises:
        BadArgumentError: When a value is out of range, or ``since`` or ``until`` has no
            timezone (the sentence of the export procedure's config keys of the same names:
            ``Config key 'since' must be a datetime with a timezone, got ....``).
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
            if value is not None:
                require_timezone(value, f"Config key '{name}'")
        if self.since and self.until and self.since > self.until:
            raise BadArgumentError("since must not be later than until.")
        if self.half_life_days is not None and not self.half_life_days > 0:
            raise BadArgumentError(f"half_life_days must be positive, got {self.half_life_days}.")
        for name in ("min_user_interactions", "min_item_interactions"):
            if getattr(self, name) < 1:
                raise BadArgumentError(f"{name} must be at least 1, got {getattr(self, name)}.")

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description, stored with every model trained on the export."""
        data = asdict(self)
        for name in ("since", "until"):
            data[name] = data[name].isoformat() if data[name] else None
        data["categories"] = list(self.categories)
        return data


def export_interactions(runner: GraphRunner, options: ExportOptions) -> InteractionData:
    """Exports the chosen subgraph as weighted user-item interactions.

    The reference time of the decay and the edges are read in one read transaction. Without
    any timed event in the window there is nothing to measure ages from, and no decay.

    Args:
        runner: The Neo4j runner.
        options: The subgraph and its weighting.

    Returns:
        The interactions; user and item indices follow the sorted business ids.

    Raises:
        UnknownEntityError: When a category code is not in the graph.
    """
    # Times go as UTC, the zone of every stored time: the procedure compares instants, Cypher
    # compares zoned datetimes, and both agree on times of one zone.
    since = options.since.astimezone(UTC) if options.since else None
    until = options.until.astimezone(UTC) if options.until else None

    def read(tx: Tx) -> list[list[Any]]:
        now = tx.run("export_latest_time", {"until": until})[0]["latest"]
        config = {
            "since": since,
            "until": until,
            "categories": list(options.categories),
            "weights": options.weights.by_type(),
            "halfLifeDays": options.half_life_days if now is not None else None,
            "now": now,
            "useTrust": options.use_trust,
        }
        return tx.values("call_export_interactions", {"config": config})

    rows = runner.read_tx(read)
    user_ids: list[str] = []
    item_ids: list[str] = []
    for row_users, _, _, _, new_items in rows:
        user_ids.extend(row_users)
        item_ids.extend(new_items)
    counts = _concatenate([row[1] for row in rows], np.int64)
    users = np.repeat(np.arange(len(user_ids), dtype=np.int64), counts)
    items = _concatenate([row[2] for row in rows], np.int64)
    weights = _concatenate([row[3] for row in rows], np.float64)
    keep = _dense_core(users, items, options.min_user_interactions, options.min_item_interactions)
    users, items, weights = users[keep], items[keep], weights[keep]
    sorted_users, users = _by_id(user_ids, users)
    sorted_items, items = _by_id(item_ids, items)
    return InteractionData.from_arrays(
        users, items, weights.astype(np.float32), id_map=IdMap(sorted_users, sorted_items)
    )


def _concatenate(parts: list[list[Any]], dtype: type[np.generic]) -> npt.NDArray[Any]:
    if not parts:
        return np.zeros(0, dtype)
    return np.concatenate([np.asarray(part, dtype) for part in parts])


def _dense_core(
    users: npt.NDArray[np.int64], items: npt.NDArray[np.int64], min_user: int, min_item: int
) -> npt.NDArray[np.bool_]:
    """Mask of the interactions left after repeatedly dropping users and items that are rare."""
    keep = np.ones(len(users), dtype=bool)
    if (min_user <= 1 and min_item <= 1) or not len(users):
        return keep
    n_users, n_items = int(users.max()) + 1, int(items.max()) + 1
    while True:
        user_counts = np.bincount(users[keep], minlength=n_users)
        item_counts = np.bincount(items[keep], minlength=n_items)
        next_keep = keep & (user_counts[users] >= min_user) & (item_counts[items] >= min_item)
        if (next_keep == keep).all():
            return keep
        keep = next_keep


def _by_id(
    ids: list[str], positions: npt.NDArray[np.int64]
) -> tuple[tuple[str, ...], npt.NDArray[np.int64]]:
    """The ids that ``positions`` use, sorted, and the positions renumbered in that order."""
    present = np.unique(positions)
    names = np.array(ids, dtype=str)[present] if len(present) else np.array([], dtype=str)
    order = np.argsort(names, kind="stable")
    index = np.full(len(ids), -1, dtype=np.int64)
    index[present[order]] = np.arange(len(present), dtype=np.int64)
    return tuple(names[order].tolist()), index[positions]
