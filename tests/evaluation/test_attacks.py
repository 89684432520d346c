"""Attack simulator: profile attacks and cart-stuffing on small hand-made data."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from shopgraph.evaluation.attacks import (
    AttackConfig,
    Placement,
    ProfileKind,
    cart_stuffing,
    profile_attack,
    unpopular_targets,
    write_lightgcn_train,
)
from shopgraph.evaluation.bundle_protocol import Basket
from shopgraph.gnn.data import InteractionData
from shopgraph.gnn.datasets import read_lightgcn_folder


def _data() -> InteractionData:
    """100 users; item i is held by about 100 / (i + 1) users (a long tail over 50 items)."""
    rng = np.random.default_rng(0)
    users, items = [], []
    for u in range(100):
        held = np.flatnonzero(rng.random(50) < 1.0 / (np.arange(50) + 1) ** 0.8)
        held = held if len(held) else np.array([0])
        users += [u] * len(held)
        items += held.tolist()
    return InteractionData.from_arrays(users, items, n_items=50)


_FILLED = [k for k in ProfileKind if k is not ProfileKind.CLONE]


def _profile(attack_data: InteractionData, user: int) -> set[int]:
    return set(attack_data.items[attack_data.users == user].tolist())


@pytest.mark.parametrize("kind", _FILLED)
def test_profile_attacks_add_fakes_holding_every_target(kind: ProfileKind) -> None:
    data = _data()
    attack = profile_attack(data, kind, AttackConfig(share=0.05, filler=6, n_targets=3, seed=1))

    assert attack.data.n_users == 105
    np.testing.assert_array_equal(attack.fake_users, np.arange(100, 105))
    assert attack.data.id_map.users[100:] == ("100", "101", "102", "103", "104")
    genuine = attack.data.users < 100
    np.testing.assert_array_equal(attack.data.users[genuine], data.users)
    popularity = np.bincount(data.items, minlength=50)
    median = np.median(popularity[popularity > 0])
    assert all(1 <= popularity[t] <= median for t in attack.targets)
    for fake in attack.fake_users:
        held = attack.data.items[attack.data.users == fake]
        assert len(held) == 3 + 6
        assert set(attack.targets) <= set(held.tolist())
    assert np.array_equal(data.users[:3], _data().users[:3])  # the input is unchanged


def test_bandwagon_fillers_are_half_popular() -> None:
    attack = profile_attack(
        _data(), ProfileKind.BANDWAGON, AttackConfig(share=0.1, filler=8, popular=5, seed=2)
    )
    popular = set(np.argsort(-np.bincount(_data().items, minlength=50), kind="stable")[:10])
    for fake in attack.fake_users:
        fillers = set(attack.data.items[attack.data.users == fake].tolist()) - set(attack.targets)
        assert len(fillers & popular) >= 4


def test_same_seed_same_attack_and_default_filler_is_the_mean_profile() -> None:
    data = _data()
    first = profile_attack(data, ProfileKind.RANDOM, AttackConfig(seed=4))
    again = profile_attack(data, ProfileKind.RANDOM, AttackConfig(seed=4))
    mean = round(len(data) / 100)

    np.testing.assert_array_equal(first.data.items, again.data.items)
    assert len(first.fake_users) == 1  # 1 % of 100 users
    assert int((first.data.users == 100).sum()) == 5 + mean


def test_gowalla_copy_round_trips(tmp_path: Path) -> None:
    attack = profile_attack(_data(), ProfileKind.AVERAGE, AttackConfig(share=0.03, seed=0))
    write_lightgcn_train(attack.data, tmp_path / "train.txt")
    (tmp_path / "test.txt").write_text("")

    back = read_lightgcn_folder(tmp_path).train

    assert back.n_users == 103
    assert sorted(zip(back.users.tolist(), back.items.tolist(), strict=True)) == sorted(
        zip(attack.data.users.tolist(), attack.data.items.tolist(), strict=True)
    )


@pytest.mark.parametrize("kind", _FILLED)
def test_a_single_pushed_target_is_in_every_fake(kind: ProfileKind) -> None:
    attack = profile_attack(_data(), kind, AttackConfig(share=0.1, filler=5, n_targets=1, seed=3))

    assert len(attack.targets) == 1
    target = int(attack.targets[0])
    for fake in attack.fake_users:
        held = _profile(attack.data, int(fake))
        assert target in held
        assert len(held) == 6


def test_spread_targets_go_one_per_account_in_turn() -> None:
    config = AttackConfig(share=0.1, filler=4, n_targets=3, placement=Placement.SPREAD, seed=5)
    attack = profile_attack(_data(), ProfileKind.RANDOM, config)

    targets = attack.targets.tolist()
    held = [sorted(_profile(attack.data, int(f)) & set(targets)) for f in attack.fake_users]
    assert held == [[targets[k % 3]] for k in range(10)]
    assert all(len(_profile(attack.data, int(f))) == 5 for f in attack.fake_users)


def test_average_fillers_follow_popularity_and_random_ones_do_not() -> None:
    data = _data()
    popularity = np.bincount(data.items, minlength=50)
    mean_popularity = {}
    for kind in (ProfileKind.AVERAGE, ProfileKind.RANDOM):
        config = AttackConfig(share=1.0, filler=3, n_targets=1, seed=6)
        attack = profile_attack(data, kind, config)
        fakes = np.isin(attack.data.users, attack.fake_users)
        fillers = attack.data.items[fakes & (attack.data.items != attack.targets[0])]
        mean_popularity[kind] = popularity[fillers].mean()
    others = np.setdiff1d(np.arange(50), attack.targets)
    uniform = popularity[others].mean()
    weighted = (popularity[others] ** 2).sum() / popularity[others].sum()
    # 100 fakes x 3 fillers: the sample means sit near their expectations
    assert abs(mean_popularity[ProfileKind.RANDOM] - uniform) < 0.25 * uniform
    assert mean_popularity[ProfileKind.AVERAGE] > 0.8 * weighted
    assert mean_popularity[ProfileKind.AVERAGE] > 2 * mean_popularity[ProfileKind.RANDOM]


def test_audience_fillers_are_items_of_the_targets_genuine_holders() -> None:
    data = _data()
    attack = profile_attack(
        data, ProfileKind.AUDIENCE, AttackConfig(share=0.1, filler=3, n_targets=1, seed=7)
    )
    target = int(attack.targets[0])
    holders = set(data.users[data.items == target].tolist())
    audience = set(data.items[np.isin(data.users, list(holders))].tolist()) - {target}

    assert len(audience) >= 3
    for fake in attack.fake_users:
        assert _profile(attack.data, int(fake)) - {target} <= audience


def test_random_share_tops_camouflage_up_with_items_outside_the_audience() -> None:
    data = _data()
    config = AttackConfig(share=0.1, filler=4, n_targets=1, seed=7)
    plain = profile_attack(data, ProfileKind.AUDIENCE, config)
    mixed = profile_attack(data, ProfileKind.AUDIENCE, replace(config, random_share=0.5))
    target = int(mixed.targets[0])
    holders = set(data.users[data.items == target].tolist())
    audience = set(data.items[np.isin(data.users, list(holders))].tolist()) - {target}

    outside = 0
    for fake in mixed.fake_users:
        profile = _profile(mixed.data, int(fake)) - {target}
        assert len(profile) == 4
        assert len(profile & audience) >= 2  # 2 drawn from the audience, 2 at random
        outside += len(profile - audience)
    assert outside > 0
    assert (plain.data.items == mixed.data.items).sum() < len(plain.data.items)
    # without random fillers the draws are those of an attack that never heard of them
    np.testing.assert_array_equal(
        profile_attack(data, ProfileKind.AUDIENCE, replace(config, random_share=0.0)).data.items,
        plain.data.items,
    )


def test_a_clone_differs_from_its_source_by_the_targets_only() -> None:
    data = _data()
    attack = profile_attack(data, ProfileKind.CLONE, AttackConfig(share=0.1, n_targets=2, seed=8))

    assert len(attack.sources) == 10 == len(set(attack.sources))
    targets = set(attack.targets.tolist())
    for fake, source in zip(attack.fake_users, attack.sources, strict=True):
        original = set(data.user_items(source).tolist())
        assert not original & targets
        assert _profile(attack.data, int(fake)) == original | targets


def test_spread_cart_stuffing_never_repeats_a_target_anchor_pair() -> None:
    baskets = [Basket(n, ("a", "b", f"x{n % 7}", f"y{n % 13}"), float(n)) for n in range(200)]
    config = AttackConfig(
        share=0.05, n_targets=2, filler=3, popular=2, placement=Placement.SPREAD, seed=0
    )
    attack = cart_stuffing(baskets, config)

    fakes = attack.baskets[200:]
    assert [b.items[0] for b in fakes] == [attack.targets[k % 2] for k in range(10)]
    pairs = [(b.items[0], anchor) for b in fakes for anchor in b.items[1:]]
    assert len(pairs) == 30 == len(set(pairs))
    assert not {a for _, a in pairs} & set(attack.targets)
    assert {b.time for b in fakes} <= {b.time for b in baskets}


def test_spread_cart_stuffing_refuses_when_anchors_run_out() -> None:
    baskets = [Basket(n, ("a", "b", f"x{n % 3}"), float(n)) for n in range(100)]
    config = AttackConfig(
        share=0.2, n_targets=1, targets=("a",), filler=2, placement=Placement.SPREAD
    )
    with pytest.raises(ValueError, match=r"20 orders per target with 2 anchors each need 40"):
        cart_stuffing(baskets, config)


def test_cart_stuffing_adds_fresh_accounts_buying_targets_with_popular_items() -> None:
    baskets = [Basket(n, ("a", "b", f"x{n % 7}", f"y{n % 13}"), float(n)) for n in range(200)]
    attack = cart_stuffing(baskets, AttackConfig(share=0.05, n_targets=2, popular=4, seed=0))

    assert attack.baskets[:200] == tuple(baskets)
    fakes = attack.baskets[200:]
    assert len(fakes) == 10
    assert attack.fake_users == tuple(f"fake-{k}" for k in range(10))
    assert all(b.user == u for b, u in zip(fakes, attack.fake_users, strict=True))
    assert all(t.startswith("y") for t in attack.targets)  # the rarer items
    for fake in fakes:
        assert fake.items[:2] == attack.targets
        assert len(fake.items) == 2 + 4  # filler = mean basket size
        assert set(fake.items[2:]) <= {"a", "b", "x0", "x1", "x2", "x3", "x4", "x5", "x6"}


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match=r"share must be above 0 and at most 1, got 0\.0\."):
        AttackConfig(share=0.0)
    with pytest.raises(ValueError, match=r"Only 0 unpopular items to draw 1 targets from\."):
        unpopular_targets(np.zeros(4), 1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="filler 60 exceeds the 45 items that are not targets"):
        profile_attack(_data(), ProfileKind.RANDOM, AttackConfig(filler=60))
    with pytest.raises(ValueError, match=r"random_share must be between 0 and 1, got 1\.5\."):
        AttackConfig(random_share=1.5)
    with pytest.raises(ValueError, match="random_share is for fillers; a clone has none"):
        profile_attack(_data(), ProfileKind.CLONE, AttackConfig(random_share=0.2))


def _source(tmp_path: Path, test: str = "") -> Path:
    """A LightGCN-format folder of :func:`_data` (its test split ``test``)."""
    source = tmp_path / "src"
    source.mkdir()
    write_lightgcn_train(_data(), source / "train.txt")
    (source / "test.txt").write_text(test)
    return source


def test_cli_writes_an_attacked_gowalla_copy(tmp_path: Path) -> None:
    import json

    from shopgraph.cli import main

    data = _data()
    unheld = int(np.setdiff1d(np.arange(50), data.items[data.users == 0])[0])
    source = _source(tmp_path, f"0 {unheld}\n")
    out = tmp_path / "out"

    code = main(["attack", "profile", "random", str(source), "--out", str(out), "--share", "0.02"])

    assert code == 0
    described = json.loads((out / "attack.json").read_text())
    assert described["kind"] == "random"
    assert described["fake_users"] == ["100", "101"]
    assert len(described["targets"]) == 5
    attacked = read_lightgcn_folder(out)
    assert attacked.train.n_users == 102
    assert main(["attack", "profile", "random", str(source), "--out", str(out)]) == 1


def test_order_lines_are_written_and_recognised_by_the_baskets_loader(tmp_path: Path) -> None:
    from shopgraph.evaluation.attacks import write_orders
    from shopgraph.loaders.baskets import baskets_source
    from shopgraph.loaders.records import Event

    baskets = [Basket(7, ("a", "b"), 7.0), Basket(9, ("b", "c"), 9.0, user="fake-0")]
    write_orders(baskets, tmp_path / "orders.parquet")

    source = baskets_source(tmp_path / "orders.parquet")
    events = [r for r in source.records() if isinstance(r, Event)]

    assert source.kind == "order-lines"
    assert [(e.order, e.item, e.user) for e in events] == [
        ("customer-7:7", "a", "customer-7"),
        ("customer-7:7", "b", "customer-7"),
        ("fake-0:9", "b", "fake-0"),
        ("fake-0:9", "c", "fake-0"),
    ]


def test_cli_writes_a_spread_clone_attack(tmp_path: Path) -> None:
    import json

    from shopgraph.cli import main

    source = _source(tmp_path)
    out = tmp_path / "out"

    args = ["attack", "profile", "clone", str(source), "--out", str(out), "--share", "0.04"]
    code = main([*args, "--n-targets", "2", "--placement", "spread", "--seed", "3"])

    assert code == 0
    described = json.loads((out / "attack.json").read_text())
    assert described["config"]["placement"] == "spread"
    train = read_lightgcn_folder(out).train
    targets = train.id_map.item_index(described["targets"])
    held = [set(train.user_items(u).tolist()) & set(targets.tolist()) for u in range(100, 104)]
    assert held == [{int(targets[k % 2])} for k in range(4)]


def test_cli_tops_camouflage_up_with_random_fillers(tmp_path: Path) -> None:
    import json

    from shopgraph.cli import main

    source = _source(tmp_path)
    out = tmp_path / "out"

    args = ["attack", "profile", "audience", str(source), "--out", str(out), "--share", "0.04"]
    code = main([*args, "--n-targets", "1", "--filler", "4", "--random-share", "0.5"])

    assert code == 0
    assert json.loads((out / "attack.json").read_text())["config"]["random_share"] == 0.5
    config = AttackConfig(share=0.04, filler=4, n_targets=1, random_share=0.5)
    expected = profile_attack(_data(), ProfileKind.AUDIENCE, config).data
    train = read_lightgcn_folder(out).train
    assert [set(train.user_items(u).tolist()) for u in range(100, 104)] == [
        set(expected.user_items(u).tolist()) for u in range(100, 104)
    ]
