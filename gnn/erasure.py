"""Removing one user from the files of trained models: run folders and model folders.

A model's rows are indexed by its id map (:class:`~shopgraph.gnn.data.IdMap`), so removing a
user means removing the user's row from every file indexed by that map, and the id from the
map, so that the files stay consistent with each other:

* ``id_map.json`` (of the run and of its ``model/``): the user's id goes, later users move up
  one row;
* ``model/lightgcn.npz``: the user's embedding row and its row of seen items;
  ``model/gfcf.npz``: the user's row of seen items;
* ``checkpoint.pt``: the user's row of every tensor indexed by users then items (the
  embeddings, the optimiser's moments, the best weights), so the model it holds is the model
  of the remaining users. The run's ``data.json`` still describes (by sizes and fingerprint,
  no ids) the data it was trained on, so the run cannot be resumed as it was.

Item rows, the training configuration and the metrics do not change. Only the checkpoint needs
torch (the ``gnn`` extra); it is imported when a checkpoint holds the user.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from shopgraph.core.errors import BadInputError, ConfigError
from shopgraph.gnn.data import IdMap

__all__ = ["drop_user"]

_ID_MAP = "id_map.json"
_CHECKPOINT = "checkpoint.pt"


def drop_user(folder: Path, user_id: str) -> list[Path]:
    """Removes ``user_id`` from a run folder, or a model folder, that holds it.

    Args:
        folder: A run folder (``id_map.json``, ``checkpoint.pt``, ``model/``) or a model
            folder (``model.json``, ``id_map.json``, ``lightgcn.npz`` or ``gfcf.npz``).
        user_id: The user.

    Returns:
        The files rewritten; empty when no file held the user.

    Raises:
        BadInputError: When a file is damaged or its rows disagree with its id map.
        ConfigError: When a checkpoint holds the user and torch is not installed.
    """
    rewritten: list[Path] = []
    for model_dir in (folder, folder / "model"):
        if (model_dir / "model.json").exists():
            rewritten += _drop_from_model(model_dir, user_id)
    id_map_path = folder / _ID_MAP
    if (folder / "model.json").exists() or not id_map_path.exists():
        return rewritten
    id_map = IdMap.load(id_map_path)
    if user_id not in id_map.users:
        return rewritten
    row = id_map.users.index(user_id)
    checkpoint = folder / _CHECKPOINT
    if checkpoint.exists():
        _drop_from_checkpoint(checkpoint, row, id_map.n_users + id_map.n_items)
        rewritten.append(checkpoint)
    _save_id_map(id_map_path, id_map, row)
    rewritten.append(id_map_path)
    return rewritten


def _drop_from_model(folder: Path, user_id: str) -> list[Path]:
    id_map_path = folder / _ID_MAP
    if not id_map_path.exists():
        return []
    id_map = IdMap.load(id_map_path)
    if user_id not in id_map.users:
        return []
    row = id_map.users.index(user_id)
    rewritten = []
    for name, user_arrays, csr in (
        ("lightgcn.npz", ("users",), ("seen_indptr", "seen_indices", "seen_data")),
        ("gfcf.npz", (), ("indptr", "indices", "data")),
    ):
        path = folder / name
        if not path.exists():
            continue
        with np.load(path) as stored:
            arrays = {key: stored[key] for key in stored.files}
        missing = [key for key in (*user_arrays, *csr) if key not in arrays]
        if missing or len(arrays[csr[0]]) != id_map.n_users + 1:
            raise BadInputError(f"the model's rows do not match {id_map_path}", path=path)
        for key in user_arrays:
            if arrays[key].shape[0] != id_map.n_users:
                raise BadInputError(f"the {key} rows do not match {id_map_path}", path=path)
            arrays[key] = np.delete(arrays[key], row, axis=0)
        arrays[csr[0]], arrays[csr[1]], arrays[csr[2]] = _drop_csr_row(
            arrays[csr[0]], arrays[csr[1]], arrays[csr[2]], row
        )
        _replace(path, lambda f, a=arrays: np.savez(f, **a))
        rewritten.append(path)
    _save_id_map(id_map_path, id_map, row)
    rewritten.append(id_map_path)
    return rewritten


def _drop_csr_row(
    indptr: npt.NDArray[Any], indices: npt.NDArray[Any], data: npt.NDArray[Any], row: int
) -> tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any]]:
    start, end = int(indptr[row]), int(indptr[row + 1])
    counts = np.delete(np.diff(indptr), row)
    new_indptr = np.zeros(len(counts) + 1, dtype=indptr.dtype)
    np.cumsum(counts, out=new_indptr[1:])
    keep = np.r_[0:start, end : len(indices)]
    return new_indptr, indices[keep], data[keep]


def _drop_from_checkpoint(path: Path, row: int, rows: int) -> None:
    try:
        import torch
    except ImportError as e:
        raise ConfigError(
            f"{path} holds the user, and rewriting a checkpoint needs torch: install the gnn "
            "extra (pip install 'shopgraph[gnn]')."
        ) from e

    def drop(value: Any) -> Any:
        if isinstance(value, torch.Tensor) and value.dim() >= 1 and value.shape[0] == rows:
            keep = torch.ones(rows, dtype=torch.bool)
            keep[row] = False
            return value[keep].clone()
        if isinstance(value, dict):
            return {key: drop(v) for key, v in value.items()}
        if isinstance(value, list):
            return [drop(v) for v in value]
        return value

    try:
        state = torch.load(path, weights_only=True)
    except (OSError, RuntimeError, EOFError) as e:
        raise BadInputError(f"cannot read the checkpoint ({e})", path=path) from e
    _replace(path, lambda f: torch.save(drop(state), f))


def _save_id_map(path: Path, id_map: IdMap, row: int) -> None:
    users = id_map.users[:row] + id_map.users[row + 1 :]
    text = json.dumps({"users": list(users), "items": list(id_map.items)})
    _replace(path, lambda f: f.write(text.encode()))


def _replace(path: Path, write: Any) -> None:
    """Writes a file through a temporary one beside it, so that a crash leaves either."""
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as f:
        write(f)
    os.replace(partial, path)
