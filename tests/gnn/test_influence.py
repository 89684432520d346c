"""Bounded influence: edge fit on a hand-computed fixture and the per-item cap."""

from __future__ import annotations

import numpy as np
import pytest

from shopgraph.gnn.data import InteractionData
from shopgraph.gnn.influence import InfluenceBound, bound_influence, edge_fit


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
