"""Bounded influence: edge fit on a hand-computed fixture, the per-item cap, and narrow
audiences (a second computation of the diversity fit from plain sets, and real Gowalla)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from shopgraph.evaluation.attacks import AttackConfig, ProfileKind, profile_attack
from shopgraph.gnn.data import InteractionData
from shopgraph.gnn.datasets import read_lightgcn_folder
from shopgraph.gnn.influence import (
    MIN_FITTED_ITEMS,
    InfluenceBound,
    audience_shortfall,
    bound_influence,
    edge_fit,
)


def test_edge_fit_is_the_mean_leave_one_out_jaccard_of_the_profile() -> None:
    # u0 {0, 1}, u1 {0, 1}, u2 {0, 1, 2}, u3 {2, 3}, u4 {3}
    users = [0, 0, 1, 1, 2, 2, 2, 3, 3, 4]
    items = [0, 1, 0, 1, 0, 1, 2, 2, 3, 3]
    data = InteractionData.from_arrays(users, items)

    fit = edge_fit(data)

    # audiences: 0 -> {u0, u1, u2}, 1 -> {u0, u1, u2}, 2 -> {u2, u3}, 3 -> {u3, u4}
    # leave-one-out Jaccard: J(0, 1) = (3 - 1) / (3 - 1) = 1; J(0, 2) = J(1, 2) = 0 / (4 - 1);
    # J(2, 3) = 0 / (3 - 1)
    expected = [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.0, 0.0, 0.0, 0.0]
    np.testing.assert_allclose(fit, expected)


def _pushed() -> tuple[InteractionData, np.ndarray]:
    """Six users share the items 0-3, users 0 and 1 also hold item 9; 20 fakes hold 9 and
    one item of their own (10 + k) each."""
    users, items = [], []
    for u in range(6):
        held = [0, 1, 2, 3, 9] if u < 2 else [0, 1, 2, 3]
        users += [u] * len(held)
        items += held
    for k in range(20):
        users += [6 + k, 6 + k]
        items += [9, 10 + k]
    data = InteractionData.from_arrays(users, items)
    fakes_on_target = (data.users >= 6) & (data.items == 9)
    return data, fakes_on_target


def test_edges_that_do_not_fit_are_capped_by_the_items_established_weight() -> None:
    data, fakes_on_target = _pushed()

    bounded = bound_influence(data)

    # item 9: established weight 2 (users 0 and 1), 20 loose edges of weight 1;
    # cap = 1.0 x 2 + 3 = 5, so each loose edge keeps 5 / 20
    np.testing.assert_allclose(bounded.weights[fakes_on_target], 0.25)
    np.testing.assert_array_equal(bounded.weights[~fakes_on_target], 1.0)
    np.testing.assert_array_equal(bounded.users, data.users)
    np.testing.assert_array_equal(bounded.items, data.items)


def test_the_cap_applies_to_the_weights_given() -> None:
    data, fakes_on_target = _pushed()
    trust = np.where(data.users >= 6, 0.5, 1.0)
    weighted = InteractionData.from_arrays(data.users, data.items, trust)

    bounded = bound_influence(weighted, InfluenceBound(ratio=0.5, slack=1.0))

    # loose weight 20 x 0.5 = 10 over the cap 0.5 x 2 + 1 = 2: scaled by 0.2
    np.testing.assert_allclose(bounded.weights[fakes_on_target], 0.1)
    np.testing.assert_allclose(bounded.weights[(data.users >= 6) & ~fakes_on_target], 0.5)


def test_an_incoherent_users_fitting_edges_are_not_established() -> None:
    data, fakes_on_target = _pushed()
    # User 0 also holds 12 items nobody else holds: 5 of its 17 edges fit, below 0.7.
    extra = InteractionData.from_arrays(
        np.r_[data.users, np.zeros(12, np.int64)], np.r_[data.items, np.arange(30, 42)]
    )
    fakes = (extra.users >= 6) & (extra.items == 9)
    user0_target = (extra.users == 0) & (extra.items == 9)

    bounded = bound_influence(extra)

    # item 9: established weight 1 (user 1); loose 21 (user 0 and the fakes): cap 4
    np.testing.assert_allclose(bounded.weights[fakes | user0_target], 4 / 21, rtol=1e-6)
    assert fakes_on_target.sum() == 20


def test_bad_settings_and_fit_are_refused() -> None:
    with pytest.raises(ValueError, match=r"coherence must be between 0 and 1, got 1\.5\."):
        InfluenceBound(coherence=1.5)
    with pytest.raises(ValueError, match=r"slack must be at least 0, got -1\.0\."):
        InfluenceBound(slack=-1.0)
    data, _ = _pushed()
    with pytest.raises(ValueError, match=r"fit must have shape \(66,\), got \(3,\)\."):
        bound_influence(data, fit=np.zeros(3, np.float32))


def _crowded(seed: int = 7) -> tuple[InteractionData, int, set[int]]:
    """2,000 users with 5 to 15 items each drawn from 10,000 with chances falling as
    ``1 / rank``; 8 of them also hold item 10000. Then a crowd of 200 accounts holds item
    10000 and 10 fillers each from a pool of 30 of the items those 8 hold."""
    rng = np.random.default_rng(seed)
    chances = 1.0 / np.arange(1, 10001)
    chances /= chances.sum()
    profiles = [
        set(rng.choice(10000, size=rng.integers(5, 16), replace=False, p=chances).tolist())
        for _ in range(2000)
    ]
    for profile in profiles[:8]:
        profile.add(10000)
    pool = np.array(sorted({i for p in profiles[:8] for i in p if i != 10000}))[:30]
    profiles += [{10000, *rng.choice(pool, size=10, replace=False).tolist()} for _ in range(200)]
    users = [u for u, p in enumerate(profiles) for _ in p]
    items = [i for p in profiles for i in sorted(p)]
    return InteractionData.from_arrays(users, items), 10000, set(pool.tolist())


def _shortfall_from_sets(
    data: InteractionData, fits: np.ndarray | None = None
) -> tuple[dict[int, float], float]:
    """The module docstring's definition, from Python sets: r_i per fitted item, c1 + c2;
    ``fits`` marks the edges whose items count towards diversity (default every edge)."""
    fits = np.ones(len(data), bool) if fits is None else fits
    held: dict[int, set[int]] = {}
    audiences: dict[int, list[int]] = {}
    for u, i, counts in zip(data.users.tolist(), data.items.tolist(), fits.tolist(), strict=True):
        held.setdefault(u, set())
        if counts:
            held[u].add(i)
        audiences.setdefault(i, []).append(u)
    rows = []
    for item, audience in sorted(audiences.items()):
        others = [held[u] - {item} for u in audience]
        distinct = set().union(*others)
        if len(audience) >= 2 and distinct:
            rows.append((item, len(audience), sum(map(len, others)), len(distinct)))
    design = np.array([[1.0, math.log(n), math.log(s)] for _, n, s, _ in rows])
    observed = np.array([math.log(d) for *_, d in rows])
    coef = np.linalg.lstsq(design, observed, rcond=None)[0]
    residual = observed - design @ coef
    return {row[0]: float(r) for row, r in zip(rows, residual, strict=True)}, coef[1] + coef[2]


def test_a_crowd_from_one_pool_makes_its_target_narrow_and_scales_every_edge_on_it() -> None:
    data, target, pool = _crowded()
    expected, slope = _shortfall_from_sets(data)

    every_edge = InfluenceBound(fit_threshold=0.0, coherence=0.0)
    shortfall = audience_shortfall(data, every_edge)
    bounded = bound_influence(data, every_edge)

    assert len(expected) >= MIN_FITTED_ITEMS
    for item, r in expected.items():
        assert shortfall[item] == pytest.approx(r, abs=1e-5)
    narrow = {i for i, r in expected.items() if r < -1.2}
    assert target in narrow
    assert narrow <= pool | {target}
    # every edge established (no fit threshold): only the narrow rule changes weights
    on_target = data.items == target
    np.testing.assert_allclose(
        bounded.weights[on_target], math.exp(expected[target] / slope), rtol=1e-5
    )
    untouched = ~np.isin(data.items, list(narrow))
    np.testing.assert_array_equal(bounded.weights[untouched], 1.0)


def test_items_that_fit_nothing_do_not_make_an_audience_diverse() -> None:
    data, target, _ = _crowded()
    # each crowd account also holds 3 items nobody else holds: new items, none of which fits
    crowd = np.unique(data.users[data.users >= 2000])
    extra = np.arange(len(crowd) * 3) + data.n_items
    mixed = InteractionData.from_arrays(
        np.r_[data.users, np.repeat(crowd, 3)], np.r_[data.items, extra]
    )
    fit = edge_fit(mixed)
    expected, _ = _shortfall_from_sets(mixed, fit >= 0.003)

    shortfall = audience_shortfall(mixed, fit=fit)

    for item, r in expected.items():
        assert shortfall[item] == pytest.approx(r, abs=1e-5)
    assert (fit[np.isin(mixed.items, extra)] == 0.0).all()
    assert shortfall[target] < -1.2
    # counted over every edge, the new items would hide the crowd
    assert audience_shortfall(mixed, InfluenceBound(fit_threshold=0.0), fit=fit)[target] > -1.2


def test_without_the_crowd_no_item_is_narrow_and_the_check_can_be_turned_off() -> None:
    data, target, _ = _crowded()
    kept = data.users < 2000
    genuine = InteractionData.from_arrays(data.users[kept], data.items[kept])

    assert audience_shortfall(genuine).min() > -1.2
    assert (bound_influence(genuine, InfluenceBound(fit_threshold=0.0)).weights == 1.0).all()
    off = bound_influence(data, InfluenceBound(fit_threshold=0.0, narrowness=None))
    assert (off.weights == 1.0).all()
    assert target == 10000


def test_too_few_items_give_no_reference() -> None:
    data, _ = _pushed()  # 30 items of which 5 have two or more holders

    assert (audience_shortfall(data) == 0.0).all()


@pytest.mark.slow
def test_gowalla_has_no_narrow_item_until_a_camouflaged_crowd_pushes_one(data_dir: Path) -> None:
    """Real data: on the Gowalla training split no item's audience falls 1.2 below the fit;
    299 camouflaged fakes (1 %, fillers from the target's real audience's items) make their
    target narrow, and the bound leaves them under a tenth of the weight they had."""
    genuine = read_lightgcn_folder(data_dir / "lightgcn-gowalla").train
    assert audience_shortfall(genuine).min() > -1.2

    attack = profile_attack(genuine, ProfileKind.AUDIENCE, AttackConfig(share=0.01, n_targets=1))
    data = attack.data
    shortfall = audience_shortfall(data)
    bounded = bound_influence(data)

    target = int(attack.targets[0])
    assert shortfall[target] < -1.2
    fakes_on_target = (data.users >= genuine.n_users) & (data.items == target)
    assert fakes_on_target.sum() == 299
    assert bounded.weights[fakes_on_target].sum() < 29.9
