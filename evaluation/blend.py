"""A weighted blend of two rankers' per-user standardised scores (e.g. LightGCN + GF-CF).

Scores of different models live on different scales (LightGCN dot products, GF-CF filter
responses), so each model's scores are standardised per user (zero mean, unit variance
over all items) before they are mixed: ``s = z(first) + weight * z(second)``. Both models
must be fitted on the same id map; seen items are filtered as the first model filters them.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import torch

from shopgraph.gnn.ranking import Recommender

__all__ = ["Blend"]

_I64 = npt.NDArray[np.int64]


def _standardised(scores: torch.Tensor) -> torch.Tensor:
    mean = scores.mean(dim=1, keepdim=True)
    std = scores.std(dim=1, keepdim=True).clamp_min(1e-12)
    return (scores - mean) / std


class Blend(Recommender):
    """``z(first) + weight * z(second)``, with ``z`` the per-user standardisation.

    Args:
        first: A fitted ranker (its seen items are the blend's).
        second: A fitted ranker on the same id map.
        weight: Weight of ``second``, at least 0.

    Raises:
        ValueError: When the weight is negative or the id maps differ.
        ModelNotTrainedError: When a model is not fitted.
    """

    def __init__(self, first: Recommender, second: Recommender, weight: float) -> None:
        if not (math.isfinite(weight) and weight >= 0):
            raise ValueError(f"weight must be at least 0, got {weight}.")
        if first.id_map != second.id_map:
            raise ValueError("Both models of a blend must use the same id map.")
        self.first, self.second, self.weight = first, second, weight
        self._id_map = first.id_map
        self._seen = first._seen

    def score(self, users: _I64) -> torch.Tensor:
        """``float32 [len(users), n_items]`` blended scores."""
        first = _standardised(self.first.score(users))
        return first.add_(_standardised(self.second.score(users)), alpha=self.weight)

    def item_scores(self, items: _I64) -> torch.Tensor:
        """``float32 [len(items), n_items]`` blended item similarities."""
        first = _standardised(self.first.item_scores(items))
        return first.add_(_standardised(self.second.item_scores(items)), alpha=self.weight)
