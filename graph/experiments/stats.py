"""The statistics of an experiment report: user-level metrics, lifts with 95% intervals, SRM.

The unit of analysis is the user: every metric is a ratio of two sums over users,
``m = sum_u x_u / sum_u y_u`` (for a per-user mean such as revenue per user, ``y_u = 1``), and
its variance comes from the **delta method** (Deng, Knoblich and Lu, "Applying the Delta Method
in Metric Analytics", KDD 2018), which is exact to first order for ratio metrics whose
numerator and denominator are correlated within a user (clicks and impressions):

    Var(m) ~= (Var(x) - 2 m Cov(x, y) + m^2 Var(y)) / (n * mean(y)^2)

with ``Var`` and ``Cov`` the sample (``n - 1``) moments over the ``n`` users. Two variants are
independent samples, so for the relative lift ``L = m_t / m_c - 1``

    Var(L) ~= Var(m_t) / m_c^2 + m_t^2 Var(m_c) / m_c^4

and its 95% interval is ``L +- 1.96 sqrt(Var(L))``. The p-value is two-sided, from the z
statistic of the difference ``(m_t - m_c) / sqrt(Var(m_t) + Var(m_c))``.

The **sample-ratio-mismatch** check is Pearson's chi-square goodness-of-fit test of the users
seen per variant against the configured traffic shares (Fabijan et al., "Diagnosing Sample
Ratio Mismatch in Online Controlled Experiments", KDD 2019); a p-value below
:data:`SRM_THRESHOLD` means the assignment or the logging is broken and no lift can be
trusted.

Only the standard library and numpy are used, so a plain install can report.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = [
    "SRM_THRESHOLD",
    "Lift",
    "RatioEstimate",
    "chi_square_p_value",
    "lift",
    "ratio_estimate",
    "sample_ratio_mismatch",
]

#: A sample-ratio-mismatch p-value below this flags the experiment.
SRM_THRESHOLD = 0.001

_Z95 = 1.959963984540054


@dataclass(frozen=True)
class RatioEstimate:
    """A metric ``sum x / sum y`` over users, and its delta-method variance.

    Attributes:
        value: The metric; NaN when ``sum y`` is 0.
        variance: Variance of the estimate; NaN with fewer than 2 users.
        users: Users in the sample.
    """

    value: float
    variance: float
    users: int


@dataclass(frozen=True)
class Lift:
    """The relative lift of a treatment over the control, with its 95% interval.

    Attributes:
        relative: ``m_t / m_c - 1``; NaN when the control's metric is 0.
        low: Lower end of the 95% interval.
        high: Upper end of the 95% interval.
        p_value: Two-sided p-value of ``m_t = m_c``.
    """

    relative: float
    low: float
    high: float
    p_value: float


def ratio_estimate(
    numerators: Sequence[float] | npt.NDArray[np.float64],
    denominators: Sequence[float] | npt.NDArray[np.float64],
) -> RatioEstimate:
    """The metric ``sum x / sum y`` over users and its delta-method variance.

    Args:
        numerators: ``x_u`` per user.
        denominators: ``y_u`` per user, in the same order (all 1 for a per-user mean).

    Returns:
        The estimate.

    Raises:
        ValueError: When the sequences differ in length.
    """
    x: npt.NDArray[np.float64] = np.asarray(numerators, dtype=np.float64)
    y: npt.NDArray[np.float64] = np.asarray(denominators, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"numerators and denominators differ in length: {x.size} and {y.size}.")
    n = int(x.size)
    total_y = float(y.sum())
    if n == 0 or total_y == 0.0:
        return RatioEstimate(math.nan, math.nan, n)
    value = float(x.sum()) / total_y
    if n < 2:
        return RatioEstimate(value, math.nan, n)
    var_x = float(np.var(x, ddof=1))
    var_y = float(np.var(y, ddof=1))
    cov = float(np.cov(x, y, ddof=1)[0, 1])
    mean_y = total_y / n
    variance = (var_x - 2.0 * value * cov + value * value * var_y) / (n * mean_y * mean_y)
    return RatioEstimate(value, max(variance, 0.0), n)


def lift(treatment: RatioEstimate, control: RatioEstimate) -> Lift:
    """The relative lift of ``treatment`` over ``control`` (independent samples)."""
    mt, mc = treatment.value, control.value
    if not (math.isfinite(mt) and math.isfinite(mc)) or mc == 0.0:
        return Lift(math.nan, math.nan, math.nan, math.nan)
    relative = mt / mc - 1.0
    var_lift = treatment.variance / mc**2 + mt**2 * control.variance / mc**4
    se_lift = math.sqrt(var_lift) if math.isfinite(var_lift) else math.nan
    se_diff = math.sqrt(treatment.variance + control.variance)
    if se_diff > 0.0:
        p_value = math.erfc(abs(mt - mc) / se_diff / math.sqrt(2.0))
    elif math.isfinite(se_diff):
        p_value = 1.0 if mt == mc else 0.0
    else:
        p_value = math.nan
    return Lift(relative, relative - _Z95 * se_lift, relative + _Z95 * se_lift, p_value)


def sample_ratio_mismatch(observed: Sequence[int], shares: Sequence[float]) -> float:
    """The p-value of Pearson's chi-square test of observed users per variant against shares.

    Args:
        observed: Users seen per variant.
        shares: The configured traffic share per variant (they need not sum to 1; they are
            normalised).

    Returns:
        The p-value (1.0 when no user was seen).

    Raises:
        ValueError: With fewer than 2 variants, different lengths or a share that is not
            positive.
    """
    if len(observed) != len(shares) or len(observed) < 2:
        raise ValueError("observed and shares must give the same 2 or more variants.")
    if any(not (share > 0.0) for share in shares):
        raise ValueError(f"every share must be positive, got {list(shares)}.")
    total = sum(observed)
    if total == 0:
        return 1.0
    scale = sum(shares)
    statistic = 0.0
    for count, share in zip(observed, shares, strict=True):
        expected = total * share / scale
        statistic += (count - expected) ** 2 / expected
    return chi_square_p_value(statistic, len(observed) - 1)


def chi_square_p_value(statistic: float, dof: int) -> float:
    """``P(X >= statistic)`` for a chi-square variable with ``dof`` degrees of freedom.

    The regularised upper incomplete gamma ``Q(dof / 2, statistic / 2)``, by its series below
    ``a + 1`` and its continued fraction above (Numerical Recipes, 6.2), to about 1e-14.

    Raises:
        ValueError: When ``dof`` is below 1 or ``statistic`` is negative.
    """
    if dof < 1:
        raise ValueError(f"dof must be at least 1, got {dof}.")
    if statistic < 0.0:
        raise ValueError(f"statistic must not be negative, got {statistic}.")
    a, x = dof / 2.0, statistic / 2.0
    if x == 0.0:
        return 1.0
    log_prefix = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1.0:
        term = total = 1.0 / a
        denominator = a
        for _ in range(10_000):
            denominator += 1.0
            term *= x / denominator
            total += term
            if abs(term) < abs(total) * 1e-16:
                break
        return max(0.0, 1.0 - total * math.exp(log_prefix))
    tiny = 1e-300
    b = x + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    return min(1.0, math.exp(log_prefix) * h)
