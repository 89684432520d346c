"""The report's statistics against values computed by hand (worked in the comments)."""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest

from shopgraph.graph.experiments.stats import (
    chi_square_p_value,
    lift,
    ratio_estimate,
    sample_ratio_mismatch,
)


def test_ratio_metric_variance_by_the_delta_method() -> None:
    # x = (1, 0, 2), y = (2, 1, 2): m = 3/5 = 0.6, n = 3, mean(y) = 5/3.
    # Var(x) = 2/2 = 1, Var(y) = (1/9 + 4/9 + 1/9)/2 = 1/3, Cov = (0 + 2/3 + 1/3)/2 = 1/2.
    # Var(m) = (1 - 2*0.6*0.5 + 0.36/3) / (3 * 25/9) = 0.52 * 3/25 = 0.0624.
    estimate = ratio_estimate([1, 0, 2], [2, 1, 2])
    assert estimate.value == pytest.approx(0.6)
    assert estimate.variance == pytest.approx(0.0624)
    assert estimate.users == 3


def test_a_per_user_mean_has_the_variance_of_the_mean() -> None:
    # y = 1 for all: Var(m) = Var(x) / n = (1/3) / 4.
    estimate = ratio_estimate([0, 1, 1, 0], [1, 1, 1, 1])
    assert estimate.value == pytest.approx(0.5)
    assert estimate.variance == pytest.approx(1 / 12)


def test_relative_lift_interval_and_p_value() -> None:
    treatment = ratio_estimate([1, 0, 2], [2, 1, 2])  # 0.6, 0.0624
    control = ratio_estimate([0, 1, 1, 0], [1, 1, 1, 1])  # 0.5, 1/12
    result = lift(treatment, control)
    # L = 0.6/0.5 - 1 = 0.2; Var(L) = 0.0624/0.25 + 0.36*(1/12)/0.0625 = 0.2496 + 0.48.
    se = math.sqrt(0.7296)
    assert result.relative == pytest.approx(0.2)
    assert result.low == pytest.approx(0.2 - 1.959964 * se, rel=1e-6)
    assert result.high == pytest.approx(0.2 + 1.959964 * se, rel=1e-6)
    # z = 0.1 / sqrt(0.0624 + 1/12).
    z = 0.1 / math.sqrt(0.0624 + 1 / 12)
    assert result.p_value == pytest.approx(2 * (1 - NormalDist().cdf(z)), rel=1e-9)


def test_no_lift_without_a_control_value() -> None:
    result = lift(ratio_estimate([1, 2], [1, 1]), ratio_estimate([0, 0], [1, 1]))
    assert math.isnan(result.relative)
    assert math.isnan(result.p_value)


def test_sample_ratio_mismatch_p_value() -> None:
    # 520 / 480 against 50 / 50: chi2 = 2 * 20^2 / 500 = 1.6, one degree of freedom,
    # P = erfc(sqrt(0.8)) = 0.2059.
    assert sample_ratio_mismatch([520, 480], [0.5, 0.5]) == pytest.approx(0.205903, abs=1e-6)
    # 600 / 400 against 50 / 50: chi2 = 40, P ~ 2.5e-10: a mismatch.
    assert sample_ratio_mismatch([600, 400], [1, 1]) < 1e-9
    # Shares need not sum to 1, and uneven shares are honoured: 700 / 300 at 70 / 30 is fine.
    assert sample_ratio_mismatch([700, 300], [7, 3]) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("statistic", "dof", "expected"),
    [
        (3.841459, 1, 0.05),  # the 95% quantile of chi2(1)
        (5.991465, 2, 0.05),  # chi2(2): P = exp(-x/2)
        (7.814728, 3, 0.05),
        (0.0, 4, 1.0),
        (2.0, 2, math.exp(-1.0)),
    ],
)
def test_chi_square_tail(statistic: float, dof: int, expected: float) -> None:
    assert chi_square_p_value(statistic, dof) == pytest.approx(expected, rel=1e-5)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        ratio_estimate([1, 2], [1])
    with pytest.raises(ValueError, match="every share must be positive"):
        sample_ratio_mismatch([1, 2], [1, 0])
    with pytest.raises(ValueError, match="dof must be at least 1"):
        chi_square_p_value(1.0, 0)
