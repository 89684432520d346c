"""InteractionData, IdMap, the per-user split and the LightGCN-format reader."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from shopgraph.core.errors import BadInputError, UnknownEntityError
from shopgraph.gnn.data import IdMap, InteractionData, split_per_user, stack
from shopgraph.gnn.datasets import read_lightgcn_folder


def _data(n_users: int = 50, n_items: int = 40, seed: int = 1) -> InteractionData:
    rng = np.random.default_rng(seed)
    pairs = {(int(u), int(i)) for u, i in rng.integers(0, [n_users, n_items], (600, 2))}
    users, items = np.array(sorted(pairs)).T
    weights = rng.uniform(0.5, 3.0, len(users))
    return InteractionData.from_arrays(users, items, weights, id_map=IdMap.range(n_users, n_items))


def test_id_map_round_trip(tmp_path: Path) -> None:
    id_map = IdMap(("u-7", "u-2", "ü-3"), ("sku 1", "sku,2", 'sku"3', "4"))
    id_map.save(tmp_path / "id_map.json")
    loaded = IdMap.load(tmp_path / "id_map.json")
    assert loaded == id_map
    assert loaded.users == ("u-7", "u-2", "ü-3")
    assert loaded.user_index(["ü-3", "u-7"]).tolist() == [2, 0]
    assert loaded.item_ids([3, 1]) == ["4", "sku,2"]


def test_id_map_names_unknown_ids() -> None:
    id_map = IdMap(("a", "b"), ("x",))
    with pytest.raises(UnknownEntityError, match=r"Unknown user ids: c, d\."):
        id_map.user_index(["a", "c", "d"])


def test_id_map_rejects_duplicates() -> None:
    with pytest.raises(ValueError, match=r"The item id 'x' appears more than once\."):
        IdMap(("a",), ("x", "y", "x"))


def test_id_map_load_reports_bad_files(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{"users": ["a"]}')
    with pytest.raises(BadInputError, match="not an id map"):
        IdMap.load(tmp_path / "bad.json")
    with pytest.raises(BadInputError, match="no such file"):
        IdMap.load(tmp_path / "missing.json")


def test_from_arrays_copies_sorts_and_freezes() -> None:
    users = np.array([2, 0, 1])
    items = np.array([0, 1, 1])
    data = InteractionData.from_arrays(users, items, [1.0, 2.0, 3.0])
    users[0] = 0  # the caller's array is not shared
    assert data.users.tolist() == [0, 1, 2]
    assert data.items.tolist() == [1, 1, 0]
    assert data.weights.tolist() == [2.0, 3.0, 1.0]
    assert (data.n_users, data.n_items) == (3, 2)
    with pytest.raises(ValueError, match="read-only"):
        data.users[0] = 5


def test_from_arrays_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match=r"The pair \(user 1, item 2\) appears more than once"):
        InteractionData.from_arrays([1, 0, 1], [2, 0, 2])
    with pytest.raises(ValueError, match=r"The item index 5 is outside 0\.\.3\."):
        InteractionData.from_arrays([0], [5], n_items=4)
    with pytest.raises(ValueError, match="positive and finite"):
        InteractionData.from_arrays([0, 1], [0, 1], [1.0, 0.0])
    with pytest.raises(ValueError, match="The id map has 2 users and 2 items"):
        InteractionData.from_arrays([0], [0], id_map=IdMap.range(2, 2), n_users=3)


def test_split_is_deterministic_and_leaves_the_input_alone() -> None:
    data = _data()
    before = (data.users.copy(), data.items.copy(), data.weights.copy())
    first = split_per_user(data, 0.25, seed=7)
    second = split_per_user(data, 0.25, seed=7)
    other = split_per_user(data, 0.25, seed=8)
    for a, b in zip(first, second, strict=True):
        assert a.fingerprint == b.fingerprint
    assert first[1].fingerprint != other[1].fingerprint
    assert np.array_equal(data.users, before[0])
    assert np.array_equal(data.items, before[1])
    assert np.array_equal(data.weights, before[2])


def test_split_never_leaks_held_out_edges() -> None:
    data = _data()
    kept, held = split_per_user(data, 0.25, seed=3)
    kept_pairs = set(zip(kept.users.tolist(), kept.items.tolist(), strict=True))
    held_pairs = set(zip(held.users.tolist(), held.items.tolist(), strict=True))
    all_pairs = set(zip(data.users.tolist(), data.items.tolist(), strict=True))
    assert not kept_pairs & held_pairs
    assert kept_pairs | held_pairs == all_pairs
    assert stack([kept, held]).fingerprint == data.fingerprint  # weights travel along
    counts = np.bincount(data.users, minlength=data.n_users)
    held_counts = np.bincount(held.users, minlength=data.n_users)
    assert held_counts.tolist() == np.minimum(counts // 4, counts - 1).clip(0).tolist()


def test_split_keeps_min_train_interactions() -> None:
    data = InteractionData.from_arrays([0, 0, 0, 1], [0, 1, 2, 0])
    kept, held = split_per_user(data, 0.9, seed=0, min_train=2)
    assert np.bincount(kept.users).tolist() == [2, 1]
    assert held.users.tolist() == [0]
    with pytest.raises(ValueError, match=r"fraction must be at least 0 and below 1, got 1\.0\."):
        split_per_user(data, 1.0, seed=0)


def test_read_lightgcn_folder(tmp_path: Path) -> None:
    (tmp_path / "train.txt").write_text("0 0 1\n1 2 0\n2 3\n")
    with gzip.open(tmp_path / "test.txt.gz", "wt") as f:
        f.write("0 2\n1 4 1\n")
    dataset = read_lightgcn_folder(tmp_path)
    assert (dataset.train.n_users, dataset.train.n_items) == (3, 5)
    assert dataset.test.id_map == dataset.train.id_map
    pairs = zip(dataset.train.users.tolist(), dataset.train.items.tolist(), strict=True)
    assert list(pairs) == [
        (0, 0), (0, 1), (1, 0), (1, 2), (2, 3)
    ]  # fmt: skip
    assert dataset.test.items.tolist() == [2, 1, 4]
    assert dataset.train.id_map.user_ids([2]) == ["2"]


def test_read_lightgcn_folder_reports_the_bad_line(tmp_path: Path) -> None:
    (tmp_path / "train.txt").write_text("0 0 1\n1 x\n")
    (tmp_path / "test.txt").write_text("0 2\n")
    with pytest.raises(BadInputError, match=r"train.txt:2: a line must hold integers"):
        read_lightgcn_folder(tmp_path)
    (tmp_path / "train.txt").write_text("0 0 2\n")
    with pytest.raises(BadInputError, match="1 pairs are in both train and test"):
        read_lightgcn_folder(tmp_path)
