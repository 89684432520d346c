"""Reader of the LightGCN/NGCF benchmark format (Gowalla, Yelp2018, Amazon-Book).

A dataset folder holds ``train.txt`` and ``test.txt`` (optionally gzipped), one line per
user: ``user item item ...``, with 0-based contiguous ids. The ids become the business ids
of the :class:`~shopgraph.gnn.data.IdMap` as they are (``"0"``, ``"1"``, ...), so model
outputs can be compared line by line with the reference code.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shopgraph.core.errors import BadInputError
from shopgraph.gnn.data import IdMap, InteractionData

__all__ = ["LightGCNDataset", "read_lightgcn_folder"]


@dataclass(frozen=True)
class LightGCNDataset:
    """A train/test pair on one id map.

    Attributes:
        name: The folder name, e.g. ``"lightgcn-gowalla"``.
        train: Training interactions (all weights 1).
        test: Test interactions; no pair is also in ``train``.
    """

    name: str
    train: InteractionData
    test: InteractionData


def read_lightgcn_folder(folder: Path) -> LightGCNDataset:
    """Reads ``train.txt[.gz]`` and ``test.txt[.gz]`` of a LightGCN-format folder.

    The number of users and items is the largest id in either file plus one.

    Args:
        folder: The dataset folder.

    Returns:
        The dataset.

    Raises:
        BadInputError: When a file is missing, a line is not integers, an id is negative,
            a pair repeats, or a pair is in both files.
    """
    parts = [_read_lines(_find(folder, name)) for name in ("train", "test")]
    n_users = max((int(u.max()) + 1 for u, _, _ in parts if len(u)), default=0)
    n_items = max((int(i.max()) + 1 for _, i, _ in parts if len(i)), default=0)
    id_map = IdMap.range(n_users, n_items)
    train, test = (_to_data(users, items, id_map, path) for (users, items, path) in parts)
    train_keys = train.users * n_items + train.items
    test_keys = test.users * n_items + test.items
    overlap = np.intersect1d(train_keys, test_keys)
    if len(overlap):
        k = int(overlap[0])
        raise BadInputError(
            f"{len(overlap)} pairs are in both train and test, e.g. user {k // n_items}, "
            f"item {k % n_items}",
            path=folder,
        )
    return LightGCNDataset(folder.name, train, test)


def _find(folder: Path, name: str) -> Path:
    for candidate in (folder / f"{name}.txt", folder / f"{name}.txt.gz"):
        if candidate.exists():
            return candidate
    raise BadInputError(f"no {name}.txt or {name}.txt.gz", path=folder)


def _read_lines(path: Path) -> tuple[np.ndarray, np.ndarray, Path]:
    users: list[np.ndarray] = []
    items: list[np.ndarray] = []
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="ascii") as f:
            for number, line in enumerate(f, start=1):
                fields = line.split()
                if not fields:
                    continue
                try:
                    row = np.array(fields, dtype=np.int64)
                except ValueError:
                    raise BadInputError(
                        "a line must hold integers: user item item ...", path=path, line=number
                    ) from None
                if (row < 0).any():
                    raise BadInputError("ids must not be negative", path=path, line=number)
                users.append(np.full(len(row) - 1, row[0], np.int64))
                items.append(row[1:])
    except (OSError, EOFError, UnicodeDecodeError) as e:
        raise BadInputError(f"cannot read the file ({e})", path=path) from e
    if not users:
        return np.empty(0, np.int64), np.empty(0, np.int64), path
    return np.concatenate(users), np.concatenate(items), path


def _to_data(users: np.ndarray, items: np.ndarray, id_map: IdMap, path: Path) -> InteractionData:
    try:
        return InteractionData.from_arrays(users, items, id_map=id_map)
    except ValueError as e:
        raise BadInputError(str(e), path=path) from None
