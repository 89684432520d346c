"""User-item interactions as contiguous indices, the id map, and a seeded per-user split.

:class:`InteractionData` is the one input of every model here. It knows nothing of file
formats or Neo4j: the Gowalla reader (:mod:`shopgraph.gnn.datasets`) and the graph export
both build it from index arrays, edge weights and an :class:`IdMap` that turns business ids
(user id, product id) into contiguous indices and back. Every array is a read-only copy, so
no model and no split can change what a caller passed in. Only the sparse view
(:attr:`InteractionData.matrix`) needs scipy, so a graph export works without the gnn extra.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from shopgraph.core.errors import BadInputError, UnknownEntityError

if TYPE_CHECKING:
    import scipy.sparse as sp  # type: ignore[import-untyped]

__all__ = ["IdMap", "InteractionData", "split_per_user", "stack"]

_I64 = npt.NDArray[np.int64]
_F32 = npt.NDArray[np.float32]


def _frozen(array: npt.ArrayLike, dtype: type[np.generic]) -> Any:
    out = np.array(array, dtype=dtype, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class IdMap:
    """Business ids <-> contiguous indices, for users and items.

    Index ``i`` of ``users`` is the business id of user row ``i`` (likewise items). It is
    saved as ``id_map.json`` next to every trained model, so that a model's rows can always
    be traced back to real users and products.

    Args:
        users: User ids in index order; unique, non-empty strings.
        items: Item ids in index order; unique, non-empty strings.

    Raises:
        ValueError: When an id repeats or is empty.
    """

    users: tuple[str, ...]
    items: tuple[str, ...]
    _user_index: dict[str, int] = field(init=False, repr=False, compare=False)
    _item_index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for kind, ids in (("user", self.users), ("item", self.items)):
            index = {value: i for i, value in enumerate(ids)}
            if len(index) != len(ids):
                counts = Counter(ids)
                duplicate = next(v for v in ids if counts[v] > 1)
                raise ValueError(f"The {kind} id {duplicate!r} appears more than once.")
            if "" in index:
                raise ValueError(f"A {kind} id must not be empty.")
            object.__setattr__(self, f"_{kind}_index", index)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, IdMap):
            return NotImplemented
        return self.users == other.users and self.items == other.items

    def __hash__(self) -> int:
        return hash((self.users, self.items))

    @classmethod
    def range(cls, n_users: int, n_items: int) -> IdMap:
        """The identity map: user ``i`` has id ``"i"``, item ``j`` has id ``"j"``."""
        return cls(tuple(map(str, range(n_users))), tuple(map(str, range(n_items))))

    @property
    def n_users(self) -> int:
        return len(self.users)

    @property
    def n_items(self) -> int:
        return len(self.items)

    def user_index(self, ids: Iterable[str]) -> _I64:
        """Indices of user ids; raises :class:`UnknownEntityError` naming every unknown id."""
        return _lookup("user", self._user_index, ids)

    def item_index(self, ids: Iterable[str]) -> _I64:
        """Indices of item ids; raises :class:`UnknownEntityError` naming every unknown id."""
        return _lookup("item", self._item_index, ids)

    def user_ids(self, index: npt.ArrayLike) -> list[str]:
        """Business ids of user indices (any integer array shape is flattened)."""
        return [self.users[i] for i in np.asarray(index, dtype=np.int64).ravel()]

    def item_ids(self, index: npt.ArrayLike) -> list[str]:
        """Business ids of item indices (any integer array shape is flattened)."""
        return [self.items[i] for i in np.asarray(index, dtype=np.int64).ravel()]

    def save(self, path: Path) -> None:
        """Writes the map as JSON: ``{"users": [...], "items": [...]}``."""
        path.write_text(json.dumps({"users": list(self.users), "items": list(self.items)}))

    @classmethod
    def load(cls, path: Path) -> IdMap:
        """Reads a map written by :meth:`save`.

        Raises:
            BadInputError: When the file is missing or not such a map.
        """
        try:
            raw = json.loads(path.read_text())
            users, items = raw["users"], raw["items"]
        except FileNotFoundError:
            raise BadInputError("no such file", path=path) from None
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise BadInputError(f"not an id map ({e})", path=path) from None
        if not all(isinstance(v, str) for v in [*users, *items]):
            raise BadInputError("every id in an id map must be a string", path=path)
        try:
            return cls(tuple(users), tuple(items))
        except ValueError as e:
            raise BadInputError(str(e), path=path) from None


def _lookup(kind: str, index: dict[str, int], ids: Iterable[str]) -> _I64:
    ids = list(ids)
    out = np.fromiter((index.get(v, -1) for v in ids), dtype=np.int64, count=len(ids))
    if (out < 0).any():
        raise UnknownEntityError(kind, [v for v, i in zip(ids, out, strict=True) if i < 0])
    return out


@dataclass(frozen=True, eq=False)
class InteractionData:
    """Weighted user-item interactions on contiguous indices: the edges of a bipartite graph.

    Build it with :meth:`from_arrays`, which copies and checks the arrays. Each (user, item)
    pair appears at most once; the edge weight says how strong the interaction is (1.0 for
    plain implicit feedback; e.g. purchase > cart > view).

    Attributes:
        n_users: Number of users (rows); users without interactions are allowed.
        n_items: Number of items (columns).
        users: ``int64 [n_interactions]`` user index of each interaction, read-only.
        items: ``int64 [n_interactions]`` item index of each interaction, read-only.
        weights: ``float32 [n_interactions]`` positive, finite edge weights, read-only.
        id_map: Business ids of the rows and columns.
    """

    n_users: int
    n_items: int
    users: _I64
    items: _I64
    weights: _F32
    id_map: IdMap

    @classmethod
    def from_arrays(
        cls,
        users: npt.ArrayLike,
        items: npt.ArrayLike,
        weights: npt.ArrayLike | None = None,
        *,
        id_map: IdMap | None = None,
        n_users: int | None = None,
        n_items: int | None = None,
    ) -> InteractionData:
        """Copies and validates interaction arrays.

        Args:
            users: User index per interaction.
            items: Item index per interaction, same length.
            weights: Edge weight per interaction; all ``1.0`` when ``None``.
            id_map: Business ids; when ``None``, :meth:`IdMap.range` of the sizes.
            n_users: Number of users; default from ``id_map``, else ``max(users) + 1``.
            n_items: Number of items; default from ``id_map``, else ``max(items) + 1``.

        Returns:
            The data, sorted by (user, item).

        Raises:
            ValueError: When lengths differ, an index is out of range, a weight is not
                positive and finite, a (user, item) pair repeats, or the sizes disagree with
                the id map.
        """
        u = np.asarray(users)
        i = np.asarray(items)
        if u.ndim != 1 or i.ndim != 1 or len(u) != len(i):
            raise ValueError(
                f"users and items must be 1-D arrays of one length, got shapes {u.shape} "
                f"and {i.shape}."
            )
        integers = np.issubdtype(u.dtype, np.integer) and np.issubdtype(i.dtype, np.integer)
        if len(u) and not integers:
            raise ValueError(
                f"users and items must be integer arrays, got {u.dtype} and {i.dtype}."
            )
        w = np.ones(len(u), np.float32) if weights is None else np.asarray(weights, np.float32)
        if w.shape != u.shape:
            raise ValueError(f"weights must have shape {u.shape}, got {w.shape}.")
        if id_map is not None:
            n_users = id_map.n_users if n_users is None else n_users
            n_items = id_map.n_items if n_items is None else n_items
        n_users = int(u.max()) + 1 if n_users is None and len(u) else (n_users or 0)
        n_items = int(i.max()) + 1 if n_items is None and len(i) else (n_items or 0)
        id_map = id_map if id_map is not None else IdMap.range(n_users, n_items)
        order = np.lexsort((i, u))
        return cls(
            n_users,
            n_items,
            _frozen(u[order], np.int64),
            _frozen(i[order], np.int64),
            _frozen(w[order], np.float32),
            id_map,
        )

    def __post_init__(self) -> None:
        for name, dtype in (("users", np.int64), ("items", np.int64), ("weights", np.float32)):
            value = getattr(self, name)
            if not isinstance(value, np.ndarray) or value.dtype != dtype or value.flags.writeable:
                object.__setattr__(self, name, _frozen(value, dtype))
        n = len(self.users)
        if len(self.items) != n or len(self.weights) != n:
            raise ValueError("users, items and weights must have one length.")
        if (self.id_map.n_users, self.id_map.n_items) != (self.n_users, self.n_items):
            raise ValueError(
                f"The id map has {self.id_map.n_users} users and {self.id_map.n_items} items, "
                f"but the data has {self.n_users} and {self.n_items}."
            )
        if n == 0:
            return
        for kind, index, size in (
            ("user", self.users, self.n_users),
            ("item", self.items, self.n_items),
        ):
            low, high = int(index.min()), int(index.max())
            if low < 0 or high >= size:
                bad = low if low < 0 else high
                raise ValueError(f"The {kind} index {bad} is outside 0..{size - 1}.")
        if not (np.isfinite(self.weights).all() and (self.weights > 0).all()):
            raise ValueError("Every edge weight must be positive and finite.")
        keys = self.users * self.n_items + self.items
        if not (np.diff(keys) > 0).all():
            repeated = np.flatnonzero(np.diff(np.sort(keys)) == 0)
            if len(repeated):
                k = int(np.sort(keys)[repeated[0]])
                raise ValueError(
                    f"The pair (user {k // self.n_items}, item {k % self.n_items}) appears "
                    "more than once; merge repeated interactions into one weighted edge."
                )
            raise ValueError("users and items must be sorted by (user, item).")

    def __len__(self) -> int:
        return len(self.users)

    @property
    def n_interactions(self) -> int:
        return len(self.users)

    @cached_property
    def matrix(self) -> sp.csr_matrix:
        """``float32 [n_users, n_items]`` CSR matrix of the edge weights (cached, do not modify)."""
        # scipy belongs to the gnn extra: the arrays, the id map and the export need only numpy.
        import scipy.sparse as sp

        return sp.csr_matrix(
            (self.weights, (self.users, self.items)), shape=(self.n_users, self.n_items)
        )

    @cached_property
    def fingerprint(self) -> str:
        """sha256 of the sizes, index arrays and weights: names the exact data snapshot."""
        digest = hashlib.sha256(np.array([self.n_users, self.n_items], np.int64).tobytes())
        for array in (self.users, self.items, self.weights):
            digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description of the snapshot: sizes, weight range and fingerprint."""
        return {
            "n_users": self.n_users,
            "n_items": self.n_items,
            "n_interactions": self.n_interactions,
            "users_with_interactions": len(np.unique(self.users)),
            "weight_min": float(self.weights.min()) if len(self) else None,
            "weight_max": float(self.weights.max()) if len(self) else None,
            "weight_sum": float(self.weights.sum(dtype=np.float64)),
            "sha256": self.fingerprint,
        }

    def select(self, mask: npt.NDArray[np.bool_]) -> InteractionData:
        """The interactions where ``mask`` is true, on the same users, items and id map."""
        if mask.shape != self.users.shape or mask.dtype != np.bool_:
            raise ValueError(f"mask must be a boolean array of shape {self.users.shape}.")
        return InteractionData(
            self.n_users,
            self.n_items,
            _frozen(self.users[mask], np.int64),
            _frozen(self.items[mask], np.int64),
            _frozen(self.weights[mask], np.float32),
            self.id_map,
        )

    def user_items(self, user: int) -> _I64:
        """Item indices of one user, ascending."""
        start, end = np.searchsorted(self.users, [user, user + 1])
        return self.items[start:end]


def split_per_user(
    data: InteractionData, fraction: float, *, seed: int, min_train: int = 1
) -> tuple[InteractionData, InteractionData]:
    """Holds out a random ``fraction`` of every user's interactions (e.g. for validation).

    A user with ``n`` interactions gives ``floor(fraction * n)`` of them, but never so many
    that fewer than ``min_train`` stay; users with too few interactions give none. The split
    depends only on ``data`` and ``seed`` (a ``numpy.random.default_rng(seed)``) and leaves
    ``data`` untouched. The two parts share no (user, item) pair, so a model whose
    message-passing graph is built from the first part never sees a held-out edge.

    Args:
        data: The interactions to split.
        fraction: Share to hold out per user, ``0 <= fraction < 1``.
        seed: Seed of the split.
        min_train: Interactions every user keeps in the first part, at least 1 (default 1).

    Returns:
        ``(kept, held_out)`` on the same sizes and id map.

    Raises:
        ValueError: When ``fraction`` or ``min_train`` is out of range.
    """
    if not 0.0 <= fraction < 1.0:
        raise ValueError(f"fraction must be at least 0 and below 1, got {fraction}.")
    if min_train < 1:
        raise ValueError(f"min_train must be at least 1, got {min_train}.")
    rng = np.random.default_rng(seed)
    keys = rng.random(len(data))
    order = np.lexsort((keys, data.users))
    counts = np.bincount(data.users, minlength=data.n_users)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    rank = np.empty(len(data), np.int64)
    rank[order] = np.arange(len(data)) - np.repeat(starts, counts)
    wanted = np.floor(fraction * counts).astype(np.int64)
    hold = np.minimum(wanted, np.maximum(counts - min_train, 0))
    held = rank < hold[data.users]
    return data.select(~held), data.select(held)


def stack(parts: Sequence[InteractionData]) -> InteractionData:
    """All interactions of several parts on one id map (their pairs must not overlap)."""
    if not parts:
        raise ValueError("stack needs at least one part.")
    first = parts[0]
    if any(p.id_map != first.id_map for p in parts[1:]):
        raise ValueError("Only parts on the same id map can be stacked.")
    return InteractionData.from_arrays(
        np.concatenate([p.users for p in parts]),
        np.concatenate([p.items for p in parts]),
        np.concatenate([p.weights for p in parts]),
        id_map=first.id_map,
    )
