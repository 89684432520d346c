"""Classic "frequently bought together" baselines that :class:`~shopgraph.evaluation.bundles.
CoPurchaseScorer` must beat in ``shopgraph eval bundles``.

Every baseline has ``fit(train)`` and ``recommend(cart, k) -> list[str]``, shares these
conventions, and counts each train basket once (its items are distinct):

* ``pop(i)``: number of train baskets containing ``i``; ``c(i, j)``: number containing both;
* cart ids that are not in the train baskets are ignored;
* only items with a score above 0 are returned (so a list may be shorter than ``k``), never a
  cart item, by score descending, ties by item id ascending.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from enum import StrEnum
from typing import Self

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp  # type: ignore[import-untyped, unused-ignore]
from mlxtend.frequent_patterns import (  # type: ignore[import-untyped, unused-ignore]
    association_rules,
    fpgrowth,
)

from shopgraph.core.errors import ModelNotTrainedError
from shopgraph.evaluation.bundle_protocol import Basket, top_k

__all__ = [
    "AssociationRulesBaseline",
    "CooccurrenceBaseline",
    "ItemCosineBaseline",
    "PopularityBaseline",
    "RuleMetric",
]

_F = npt.NDArray[np.float64]


class _Baseline:
    """Item index, ``pop`` and the ranking shared by the baselines."""

    def __init__(self) -> None:
        self.items: tuple[str, ...] = ()
        self._index: dict[str, int] = {}
        self.pop: _F = np.zeros(0)

    def _index_baskets(self, train: Sequence[Basket]) -> sp.csr_matrix:
        """Indexes the items and returns the binary basket x item matrix."""
        if not train:
            raise ValueError("fit needs at least one train basket.")
        self.items = tuple(sorted({item for basket in train for item in basket.items}))
        self._index = {item: n for n, item in enumerate(self.items)}
        rows = np.repeat(np.arange(len(train)), [len(basket.items) for basket in train])
        cols = np.array([self._index[item] for basket in train for item in basket.items])
        matrix = sp.csr_matrix(
            (np.ones(cols.size), (rows, cols)), shape=(len(train), len(self.items))
        )
        self.pop = np.asarray(matrix.sum(axis=0), dtype=np.float64).ravel()
        return matrix

    def _cart(self, cart: Sequence[str]) -> list[int]:
        if not self.items:
            raise ModelNotTrainedError(
                f"{type(self).__name__} has not been fitted: call fit() first."
            )
        return [self._index[item] for item in dict.fromkeys(cart) if item in self._index]

    def _rank(self, scores: _F, cart: list[int], k: int) -> list[str]:
        exclude = np.zeros(len(self.items), dtype=bool)
        exclude[cart] = True
        return [self.items[pos] for pos in top_k(scores, k, exclude=exclude)]


class PopularityBaseline(_Baseline):
    """``score(j) = pop(j)``, the same list for every cart (minus the cart's items)."""

    def fit(self, train: Sequence[Basket]) -> Self:
        """Counts the train baskets of every item."""
        self._index_baskets(train)
        return self

    def recommend(self, cart: Sequence[str], k: int) -> list[str]:
        """The ``k`` most bought items that are not in the cart."""
        return self._rank(self.pop, self._cart(cart), k)


class _ItemItemBaseline(_Baseline):
    """``score(j) = sum_{i in cart} sim(i, j)`` over a sparse item-item matrix."""

    def __init__(self) -> None:
        super().__init__()
        self._sim: sp.csr_matrix | None = None

    def fit(self, train: Sequence[Basket]) -> Self:
        """Counts ``c(i, j)`` and turns it into ``sim`` (see the class docstring)."""
        matrix = self._index_baskets(train)
        counts = (matrix.T @ matrix).tocsr()
        counts.setdiag(0.0)
        counts.eliminate_zeros()
        self._sim = self._similarity(counts.tocoo())
        return self

    def _similarity(self, counts: sp.coo_matrix) -> sp.csr_matrix:
        raise NotImplementedError

    def recommend(self, cart: Sequence[str], k: int) -> list[str]:
        """The ``k`` items of highest summed similarity to the cart's items."""
        rows = self._cart(cart)
        if self._sim is None:
            raise ModelNotTrainedError(
                f"{type(self).__name__} has not been fitted: call fit() first."
            )
        scores = np.asarray(self._sim[rows].sum(axis=0), dtype=np.float64).ravel()
        return self._rank(scores, rows, k)


class CooccurrenceBaseline(_ItemItemBaseline):
    """Raw co-occurrence count: ``score(j) = sum_{i in cart} c(i, j)``."""

    def _similarity(self, counts: sp.coo_matrix) -> sp.csr_matrix:
        return counts.tocsr()


class ItemCosineBaseline(_ItemItemBaseline):
    """Item-item cosine: ``score(j) = sum_{i in cart} c(i, j) / sqrt(pop(i) pop(j))``."""

    def _similarity(self, counts: sp.coo_matrix) -> sp.csr_matrix:
        norm = np.sqrt(self.pop[counts.row] * self.pop[counts.col])
        return sp.csr_matrix((counts.data / norm, (counts.row, counts.col)), shape=counts.shape)


class RuleMetric(StrEnum):
    """What ranks the consequents of association rules."""

    CONFIDENCE = "confidence"
    LIFT = "lift"


class AssociationRulesBaseline(_Baseline):
    """Association rules mined with mlxtend's FP-growth (Han et al., SIGMOD 2000).

    Frequent itemsets have support (share of train baskets) ``>= min_support`` and at most
    ``max_len`` items; rules ``A -> {j}`` (one-item consequents) come from
    ``mlxtend.frequent_patterns.association_rules``. ``score(j)`` is the highest ``metric``
    among rules whose antecedent ``A`` lies inside the cart; items no such rule reaches get
    nothing.

    Args:
        min_support: Smallest itemset support, in (0, 1].
        max_len: Largest itemset (antecedent plus consequent), at least 2.
        metric: What ranks the consequents.
    """

    def __init__(
        self, min_support: float, *, max_len: int = 2, metric: RuleMetric = RuleMetric.CONFIDENCE
    ) -> None:
        super().__init__()
        if not 0.0 < min_support <= 1.0:
            raise ValueError(f"min_support must be in (0, 1], got {min_support}.")
        if max_len < 2:
            raise ValueError(f"max_len must be at least 2, got {max_len}.")
        self.min_support = min_support
        self.max_len = max_len
        self.metric = metric
        # antecedent -> {consequent position: (confidence, lift)}
        self._rules: dict[frozenset[str], dict[int, tuple[float, float]]] = {}
        self.n_rules = 0

    def fit(self, train: Sequence[Basket]) -> Self:
        """Mines the frequent itemsets and the one-consequent rules of the train baskets."""
        matrix = self._index_baskets(train)
        onehot = pd.DataFrame(matrix.toarray().astype(bool), columns=list(self.items))
        itemsets = fpgrowth(
            onehot, min_support=self.min_support, use_colnames=True, max_len=self.max_len
        )
        self._rules = {}
        self.n_rules = 0
        if len(itemsets) == 0:
            return self
        rules = association_rules(
            itemsets, num_itemsets=len(onehot), metric="confidence", min_threshold=0.0
        )
        for antecedent, consequent, confidence, lift in zip(
            rules["antecedents"],
            rules["consequents"],
            rules["confidence"],
            rules["lift"],
            strict=True,
        ):
            if len(consequent) != 1:
                continue
            (item,) = consequent
            targets = self._rules.setdefault(frozenset(antecedent), {})
            targets[self._index[item]] = (float(confidence), float(lift))
            self.n_rules += 1
        return self

    def ranked_by(self, metric: RuleMetric) -> AssociationRulesBaseline:
        """The same fitted rules, ranked by another metric (no second mining)."""
        other = AssociationRulesBaseline(self.min_support, max_len=self.max_len, metric=metric)
        other.items, other._index, other.pop = self.items, self._index, self.pop
        other._rules, other.n_rules = self._rules, self.n_rules
        return other

    def recommend(self, cart: Sequence[str], k: int) -> list[str]:
        """The ``k`` consequents with the best rule whose antecedent is in the cart."""
        rows = self._cart(cart)
        known = [self.items[pos] for pos in rows]
        column = 0 if self.metric is RuleMetric.CONFIDENCE else 1
        scores = np.zeros(len(self.items))
        for size in range(1, min(self.max_len - 1, len(known)) + 1):
            for antecedent in itertools.combinations(known, size):
                for pos, values in self._rules.get(frozenset(antecedent), {}).items():
                    scores[pos] = max(scores[pos], values[column])
        return self._rank(scores, rows, k)
