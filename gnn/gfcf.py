"""GF-CF: training-free graph filtering for collaborative filtering.

Shen, Wu, Zhang, Zhang, Letaief and Li, "How Powerful is Graph Convolution for
Recommendation?", CIKM 2021 (arXiv:2108.07567). With ``R~ = D_u^-1/2 R D_i^-1/2``, a user's
interaction row ``r_u`` is scored against every item by a linear filter plus an ideal
low-pass filter::

    s_u = r_u R~^T R~  +  alpha * r_u D_i^-1/2 V_K V_K^T D_i^1/2

where ``V_K`` are the top ``K`` right singular vectors of ``R~``. The paper uses ``K = 256``
and ``alpha = 0.3`` for Gowalla and reports recall@20 0.1849 / NDCG@20 0.1518. Nothing is
learned: :meth:`GFCF.fit` is one item-item product and one truncated SVD
(:func:`~shopgraph.gnn.spectral.truncated_svd`), so GF-CF is the baseline every LightGCN
run is reported against.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]
import torch

from shopgraph.core.errors import BadInputError, ModelNotTrainedError
from shopgraph.gnn.data import IdMap, InteractionData
from shopgraph.gnn.ranking import Recommender
from shopgraph.gnn.spectral import degree_scales, normalized_interactions, truncated_svd
from shopgraph.gnn.threads import torch_threads

__all__ = ["GFCF", "GFCFConfig"]

_I64 = npt.NDArray[np.int64]
_FILE = "gfcf.npz"


@dataclass(frozen=True)
class GFCFConfig:
    """GF-CF settings.

    Args:
        alpha: Weight of the ideal low-pass filter (default 0.3, the paper's Gowalla value;
            0 gives the linear filter alone, as the paper uses for Amazon-Book).
        n_factors: Singular vectors ``K`` of the ideal low-pass filter (default 256).
        power_iterations: Power iterations of the randomised SVD (default 4).
        seed: Seed of the randomised SVD (default 0).
        num_threads: torch CPU threads while fitting and scoring (0: torch's default).

    Raises:
        ValueError: When a value is out of range.
    """

    alpha: float = 0.3
    n_factors: int = 256
    power_iterations: int = 4
    seed: int = 0
    num_threads: int = 0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.alpha) and self.alpha >= 0):
            raise ValueError(f"alpha must be at least 0, got {self.alpha}.")
        if self.n_factors < 1:
            raise ValueError(f"n_factors must be at least 1, got {self.n_factors}.")
        if self.power_iterations < 0 or self.num_threads < 0:
            raise ValueError("power_iterations and num_threads must be at least 0.")


class GFCF(Recommender):
    """GF-CF ranker (Shen et al., CIKM 2021): a linear plus an ideal low-pass graph filter.

    Args:
        config: Settings; :class:`GFCFConfig` defaults when ``None``.
    """

    def __init__(self, config: GFCFConfig | None = None) -> None:
        self.config = config if config is not None else GFCFConfig()
        self._item_item: sp.csr_matrix | None = None
        self._into: torch.Tensor | None = None
        self._out_of: torch.Tensor | None = None

    def fit(self, data: InteractionData) -> GFCF:
        """Builds both filters from the interactions (no training).

        Args:
            data: The interactions; the edge weights are the entries of ``R``.

        Returns:
            ``self``.

        Raises:
            ValueError: When ``data`` has no interactions.
        """
        if not len(data):
            raise ValueError("GF-CF needs at least one interaction.")
        with torch_threads(self.config.num_threads):
            rank = min(self.config.n_factors, data.n_users, data.n_items)
            _, _, right = truncated_svd(
                normalized_interactions(data),
                rank,
                seed=self.config.seed,
                power_iterations=self.config.power_iterations,
            )
        self._set(data.matrix, right.numpy(), data.id_map)
        return self

    def _set(self, seen: sp.csr_matrix, right: npt.NDArray[np.float32], id_map: IdMap) -> None:
        data = InteractionData.from_arrays(*_coo(seen), id_map=id_map)
        normalized = normalized_interactions(data)
        _, item_scale = degree_scales(data)
        item_root = np.zeros_like(item_scale)
        np.divide(1.0, item_scale, out=item_root, where=item_scale > 0)
        self._seen = seen
        self._right = np.ascontiguousarray(right, dtype=np.float32)
        self._item_item = (normalized.T @ normalized).tocsr().astype(np.float32)
        self._into = torch.from_numpy(self._right * item_scale[:, None])
        self._out_of = torch.from_numpy(self._right * item_root[:, None])
        self._id_map = id_map

    def _filters(self) -> tuple[sp.csr_matrix, sp.csr_matrix, torch.Tensor, torch.Tensor]:
        if (
            self._seen is None
            or self._item_item is None
            or self._into is None
            or self._out_of is None
        ):
            raise ModelNotTrainedError("This GFCF has no filters: call fit or load first.")
        return self._seen, self._item_item, self._into, self._out_of

    def _apply(self, signal: sp.csr_matrix) -> torch.Tensor:
        _, item_item, into, out_of = self._filters()
        linear = torch.from_numpy((signal @ item_item).toarray().astype(np.float32, copy=False))
        low_pass = torch.from_numpy(np.asarray(signal @ into.numpy(), dtype=np.float32))
        with torch_threads(self.config.num_threads):
            return torch.addmm(linear, low_pass, out_of.T, alpha=self.config.alpha)

    def score(self, users: _I64) -> torch.Tensor:
        """``float32 [len(users), n_items]`` GF-CF scores of user indices."""
        seen = self._filters()[0]
        return self._apply(seen[users])

    def item_scores(self, items: _I64) -> torch.Tensor:
        """``float32 [len(items), n_items]``: the filter applied to each item alone."""
        signal = sp.csr_matrix(
            (np.ones(len(items), np.float32), (np.arange(len(items)), items)),
            shape=(len(items), self.n_items),
        )
        return self._apply(signal)

    def save(self, folder: Path) -> None:
        """Writes ``model.json``, ``id_map.json`` and ``gfcf.npz`` into ``folder``.

        Raises:
            ModelNotTrainedError: Before the model is fitted.
        """
        seen = self._filters()[0]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "model.json").write_text(
            json.dumps({"model": "gfcf", "config": asdict(self.config)}, indent=2)
        )
        self.id_map.save(folder / "id_map.json")
        np.savez(
            folder / _FILE,
            indptr=seen.indptr,
            indices=seen.indices,
            data=seen.data,
            right=self._right,
        )

    @classmethod
    def load(cls, folder: Path) -> GFCF:
        """Reads a model written by :meth:`save`.

        Raises:
            ModelNotTrainedError: When ``folder`` holds no saved model.
            BadInputError: When the files are damaged or hold another kind of model.
        """
        meta = folder / "model.json"
        if not (meta.exists() and (folder / _FILE).exists()):
            raise ModelNotTrainedError(f"No trained GF-CF model in {folder}.")
        try:
            description = json.loads(meta.read_text())
            config = GFCFConfig(**description["config"])
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
            raise BadInputError(f"not a GF-CF model description ({e})", path=meta) from None
        if description.get("model") != "gfcf":
            raise BadInputError(
                f"holds a {description.get('model')} model, not a GF-CF one", path=meta
            )
        id_map = IdMap.load(folder / "id_map.json")
        with np.load(folder / _FILE) as arrays:
            seen = sp.csr_matrix(
                (arrays["data"], arrays["indices"], arrays["indptr"]),
                shape=(id_map.n_users, id_map.n_items),
            )
            right = arrays["right"]
        model = cls(config)
        model._set(seen, right, id_map)
        return model


def _coo(matrix: sp.csr_matrix) -> tuple[_I64, _I64, npt.NDArray[np.float32]]:
    coo = matrix.tocoo()
    return coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data.astype(np.float32)
