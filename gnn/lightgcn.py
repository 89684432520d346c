"""LightGCN: user and item embeddings smoothed over the interaction graph, trained with BPR.

He, Deng, Wang, Li, Zhang and Wang, "LightGCN: Simplifying and Powering Graph Convolution
Network for Recommendation", SIGIR 2020 (arXiv:2002.02126). The final embedding of a node is
the mean of its layer-0 embedding and ``L`` rounds of symmetric-normalised neighbourhood
averaging; a user's score for an item is the dot product of their final embeddings.

Training lives in :mod:`shopgraph.gnn.train`; this module is the trained model with the
contract every shopgraph model shares (``fit``, ``recommend``, ``similar_items``, ``save``,
``load``), and the final embeddings that go back into Neo4j.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]
import torch

from shopgraph.core.errors import BadInputError, ModelNotTrainedError
from shopgraph.gnn.config import LightGCNConfig
from shopgraph.gnn.data import IdMap, InteractionData
from shopgraph.gnn.ranking import Recommender
from shopgraph.gnn.train import EpochReport, TrainResult, train_lightgcn

__all__ = ["LightGCN"]

_I64 = npt.NDArray[np.int64]
_F32 = npt.NDArray[np.float32]
_FILE = "lightgcn.npz"


class LightGCN(Recommender):
    """LightGCN recommender (He et al., SIGIR 2020).

    Args:
        config: Model and training settings; :class:`LightGCNConfig` defaults when ``None``.

    Example::

        model = LightGCN(LightGCNConfig(epochs=50)).fit(data, run_dir=Path("runs/a"))
        ids, scores = model.recommend(["u1", "u2"], k=10)
        model.save(Path("models/lightgcn"))
    """

    def __init__(self, config: LightGCNConfig | None = None) -> None:
        self.config = config if config is not None else LightGCNConfig()
        self._users: torch.Tensor | None = None
        self._items: torch.Tensor | None = None
        self._training: TrainResult | None = None

    def fit(
        self,
        data: InteractionData,
        *,
        validation: InteractionData | None = None,
        run_dir: Path | None = None,
        resume: bool = False,
        progress: Callable[[EpochReport], None] | None = None,
    ) -> LightGCN:
        """Trains the model (:func:`~shopgraph.gnn.train.train_lightgcn`).

        Args:
            data: All known interactions. Unless ``validation`` is given, a seeded share
                ``config.validation_fraction`` of each user's interactions is held out for
                early stopping (and never propagated over). ``recommend`` filters all of
                ``data`` as seen.
            validation: Explicit held-out interactions, or ``None``.
            run_dir: Run folder; the trained model is saved in its ``model/`` subfolder.
            resume: Continue the run in ``run_dir`` from its last checkpoint.
            progress: Called after every epoch with an :class:`EpochReport`.

        Returns:
            ``self``; :attr:`training` describes the run.

        Raises:
            ValueError: As :func:`~shopgraph.gnn.train.train_lightgcn`.
        """
        result = train_lightgcn(
            self.config,
            data,
            validation=validation,
            run_dir=run_dir,
            resume=resume,
            progress=progress,
        )
        self._set(result.user_embeddings, result.item_embeddings, data.matrix, data.id_map)
        self._training = result
        if result.run_dir is not None:
            self.save(result.run_dir / "model")
        return self

    @property
    def training(self) -> TrainResult:
        """The outcome of the last :meth:`fit` (history, best epoch, validation metrics).

        Raises:
            ModelNotTrainedError: When the model was not fitted in this process (loaded
                models carry a summary in ``model.json`` instead).
        """
        if self._training is None:
            raise ModelNotTrainedError("This LightGCN was not fitted here; it has no history.")
        return self._training

    def _set(self, users: _F32, items: _F32, seen: sp.csr_matrix, id_map: IdMap) -> None:
        self._users = torch.from_numpy(np.ascontiguousarray(users, dtype=np.float32))
        self._items = torch.from_numpy(np.ascontiguousarray(items, dtype=np.float32))
        self._seen = seen.tocsr()
        self._id_map = id_map

    def _embeddings(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self._parts()[:2]

    def _parts(self) -> tuple[torch.Tensor, torch.Tensor, sp.csr_matrix]:
        if self._users is None or self._items is None or self._seen is None:
            raise ModelNotTrainedError("This LightGCN has no embeddings: call fit or load first.")
        return self._users, self._items, self._seen

    def user_embeddings(self) -> _F32:
        """``float32 [n_users, d]`` final user embeddings, rows in id-map order (a copy)."""
        users, _ = self._embeddings()
        return users.numpy().copy()

    def item_embeddings(self) -> _F32:
        """``float32 [n_items, d]`` final item embeddings, rows in id-map order (a copy)."""
        _, items = self._embeddings()
        return items.numpy().copy()

    def score(self, users: _I64) -> torch.Tensor:
        """``float32 [len(users), n_items]`` dot products of final embeddings."""
        user_vectors, item_vectors = self._embeddings()
        return user_vectors[torch.from_numpy(users)] @ item_vectors.T

    def item_scores(self, items: _I64) -> torch.Tensor:
        """``float32 [len(items), n_items]`` cosine similarity of final item embeddings."""
        _, item_vectors = self._embeddings()
        unit = torch.nn.functional.normalize(item_vectors, dim=1)
        return unit[torch.from_numpy(items)] @ unit.T

    def save(self, folder: Path) -> None:
        """Writes ``model.json``, ``id_map.json`` and ``lightgcn.npz`` into ``folder``.

        Raises:
            ModelNotTrainedError: Before the model is fitted or loaded.
        """
        users, items, seen = self._parts()
        folder.mkdir(parents=True, exist_ok=True)
        description = {"model": "lightgcn", "config": self.config.to_dict()}
        if self._training is not None:
            description["training"] = {
                "epochs_run": self._training.epochs_run,
                "best_epoch": self._training.best_epoch,
                "best_metrics": self._training.best_metrics,
                "stopped_early": self._training.stopped_early,
                "train_seconds": round(self._training.train_seconds, 3),
            }
        (folder / "model.json").write_text(json.dumps(description, indent=2) + "\n")
        self.id_map.save(folder / "id_map.json")
        np.savez(
            folder / _FILE,
            users=users.numpy(),
            items=items.numpy(),
            seen_indptr=seen.indptr,
            seen_indices=seen.indices,
            seen_data=seen.data,
        )

    @classmethod
    def load(cls, folder: Path) -> LightGCN:
        """Reads a model written by :meth:`save` (or the ``model/`` folder of a run).

        Args:
            folder: The model folder, or a run folder holding ``model/``.

        Raises:
            ModelNotTrainedError: When the folder holds no trained model.
            BadInputError: When the files are damaged or hold another kind of model.
        """
        if not (folder / _FILE).exists() and (folder / "model" / _FILE).exists():
            folder = folder / "model"
        meta = folder / "model.json"
        if not (meta.exists() and (folder / _FILE).exists()):
            raise ModelNotTrainedError(f"No trained LightGCN model in {folder}.")
        try:
            description = json.loads(meta.read_text())
            config = LightGCNConfig.from_dict(description["config"])
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
            raise BadInputError(f"not a LightGCN model description ({e})", path=meta) from None
        if description.get("model") != "lightgcn":
            raise BadInputError(
                f"holds a {description.get('model')} model, not a LightGCN one", path=meta
            )
        id_map = IdMap.load(folder / "id_map.json")
        with np.load(folder / _FILE) as arrays:
            users, items = arrays["users"], arrays["items"]
            seen = sp.csr_matrix(
                (arrays["seen_data"], arrays["seen_indices"], arrays["seen_indptr"]),
                shape=(id_map.n_users, id_map.n_items),
            )
        if users.shape[0] != id_map.n_users or items.shape[0] != id_map.n_items:
            raise BadInputError("the embeddings do not match the id map", path=folder / _FILE)
        model = cls(config)
        model._set(users, items, seen, id_map)
        return model
