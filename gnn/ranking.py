"""The public contract shared by GF-CF and LightGCN: business ids in, ranked business ids out.

A model subclasses :class:`Recommender` and supplies two score functions on indices
(:meth:`Recommender.score` for users, :meth:`Recommender.item_scores` for item-to-item
similarity); this module turns them into :meth:`Recommender.recommend` and
:meth:`Recommender.similar_items`, with seen items filtered and candidates restricted the
same way for every model.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]
import torch

from shopgraph.core.errors import ModelNotTrainedError
from shopgraph.gnn.data import IdMap
from shopgraph.gnn.evaluate import mask_items

__all__ = ["Recommendations", "Recommender"]

#: ``(ids, scores)``: per query, up to ``k`` item ids best first and their scores.
Recommendations = tuple[list[list[str]], list[list[float]]]

_I64 = npt.NDArray[np.int64]
_Scorer = Callable[[_I64], torch.Tensor]
_BATCH = 1024


class Recommender(ABC):
    """Top-k recommendation and item similarity on top of index-level score functions."""

    _id_map: IdMap | None = None
    _seen: sp.csr_matrix | None = None

    @property
    def fitted(self) -> bool:
        """True once :meth:`fit` or ``load`` has given the model its parameters."""
        return self._id_map is not None

    @property
    def id_map(self) -> IdMap:
        """Business ids of the model's users and items.

        Raises:
            ModelNotTrainedError: Before the model is fitted or loaded.
        """
        if self._id_map is None:
            raise ModelNotTrainedError(
                f"This {type(self).__name__} has no trained parameters: call fit or load first."
            )
        return self._id_map

    @property
    def n_users(self) -> int:
        return self.id_map.n_users

    @property
    def n_items(self) -> int:
        return self.id_map.n_items

    @abstractmethod
    def score(self, users: _I64) -> torch.Tensor:
        """``float32 [len(users), n_items]`` scores of every item for user indices."""

    @abstractmethod
    def item_scores(self, items: _I64) -> torch.Tensor:
        """``float32 [len(items), n_items]`` similarity of every item to item indices."""

    def recommend(
        self,
        users: Sequence[str],
        k: int = 10,
        *,
        filter_seen: bool = True,
        candidates: Sequence[str] | None = None,
    ) -> Recommendations:
        """The top ``k`` items for each user.

        Args:
            users: User business ids.
            k: Items per user, at least 1 (default 10).
            filter_seen: Leave out the items each user interacted with in the data the model
                was fitted on (default true).
            candidates: Rank only these item ids (e.g. from random-walk candidate
                generation); ``None`` (default) ranks every item.

        Returns:
            ``(ids, scores)``: for each user, up to ``k`` item ids best first, and their
            scores. A list is shorter than ``k`` only when fewer items are left to rank.

        Raises:
            ValueError: When ``k`` is below 1.
            UnknownEntityError: When a user or candidate id is unknown.
            ModelNotTrainedError: Before the model is fitted or loaded.
        """
        index = self.id_map.user_index(users)
        seen = self._seen if filter_seen else None
        return self._top(self.score, index, k, seen=seen, candidates=candidates)

    def similar_items(
        self, items: Sequence[str], k: int = 10, *, candidates: Sequence[str] | None = None
    ) -> Recommendations:
        """The ``k`` items most similar to each item (the item itself left out).

        Args:
            items: Item business ids.
            k: Items per query, at least 1 (default 10).
            candidates: Rank only these item ids; ``None`` (default) ranks every item.

        Returns:
            ``(ids, scores)`` as in :meth:`recommend`.

        Raises:
            ValueError: When ``k`` is below 1.
            UnknownEntityError: When an item or candidate id is unknown.
            ModelNotTrainedError: Before the model is fitted or loaded.
        """
        index = self.id_map.item_index(items)
        n = self.n_items
        itself = sp.csr_matrix(
            (np.ones(len(index), np.float32), (np.arange(len(index)), index)),
            shape=(len(index), n),
        )
        return self._top(
            lambda rows: self.item_scores(index[rows]),
            np.arange(len(index), dtype=np.int64),
            k,
            seen=itself,
            candidates=candidates,
        )

    def _top(
        self,
        scorer: _Scorer,
        rows: _I64,
        k: int,
        *,
        seen: sp.csr_matrix | None,
        candidates: Sequence[str] | None,
    ) -> Recommendations:
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}.")
        id_map = self.id_map
        allowed = None
        if candidates is not None:
            allowed = torch.from_numpy(np.unique(id_map.item_index(candidates)))
        ids: list[list[str]] = []
        scores: list[list[float]] = []
        for start in range(0, len(rows), _BATCH):
            batch = rows[start : start + _BATCH]
            values = scorer(batch)
            if seen is not None:
                mask_items(values, batch, seen)
            if allowed is not None:
                restricted = torch.full_like(values, float("-inf"))
                restricted[:, allowed] = values[:, allowed]
                values = restricted
            top = torch.topk(values, min(k, values.shape[1]), dim=1)
            for row_scores, row_items in zip(top.values.numpy(), top.indices.numpy(), strict=True):
                keep = np.isfinite(row_scores)
                ids.append(id_map.item_ids(row_items[keep]))
                scores.append([float(v) for v in row_scores[keep]])
        return ids, scores
