"""The report of an experiment: per variant users, requests, CTR, add-to-cart rate, conversion
and revenue per user; each variant's lift over the control with a 95% interval and p-value; the
sample-ratio-mismatch check; and the lifts day by day (cumulative) for the plot.

**Unit of analysis: the user** (or visitor) in a variant. Every metric is a ratio of sums over
users with a delta-method variance (:mod:`~shopgraph.graph.experiments.stats`):

========================  ==========================================  ==================
metric                    numerator per user                          denominator
========================  ==========================================  ==================
``ctr``                   items clicked (once per request and item)   items shown
``add_to_cart_rate``      cart adds attributed                        items shown
``conversion``            1 if any purchase is attributed, else 0     1 (share of users)
``revenue_per_user``      revenue attributed (price x quantity)       1
========================  ==========================================  ==================

**Attribution** happens here, at report time, from the graph's sessions and orders, so carts
and purchases recorded by any client count without more logging (``cypher/
experiment_report_rows.cypher``): a cart add or purchase of an item by the user counts for the
latest exposure of this experiment that showed them the item at or before it, within the
experiment's attribution window (24 h by default): last touch, so an event counts once however
many times the item was shown.

**Users in several variants.** A user stays in one variant, but a visitor merged into a known
user (a login) keeps the exposures of the visitor's variant: each exposure keeps its logged
variant, so such a user is a unit in each variant they were served in (``switched_users``
counts them). Users are otherwise independent units, which the statistics assume.

The report needs numpy only (no scipy), so a plain install can run it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from shopgraph.graph.experiments.definition import Experiment
from shopgraph.graph.experiments.stats import (
    SRM_THRESHOLD,
    Lift,
    RatioEstimate,
    lift,
    ratio_estimate,
    sample_ratio_mismatch,
)
from shopgraph.graph.experiments.store import experiment_info, flush_log
from shopgraph.graph.runner import GraphRunner

__all__ = [
    "METRICS",
    "DailyLifts",
    "ExperimentReport",
    "UnitDay",
    "VariantSummary",
    "build_report",
    "experiment_report",
    "report_rows",
]

#: The report's metrics, in the order it shows them.
METRICS = ("ctr", "add_to_cart_rate", "conversion", "revenue_per_user")

_COUNTS = ("requests", "impressions", "clicks", "carts", "purchases", "revenue", "unpriced")


@dataclass(frozen=True)
class UnitDay:
    """What one user did in one variant on one day (UTC), as the log and attribution count it.

    Attributes:
        user: The user or visitor id.
        variant: The variant.
        day: The day.
        requests: Requests answered.
        impressions: Items shown.
        clicks: Items clicked (once per request and item).
        carts: Cart adds attributed.
        purchases: Order lines attributed.
        revenue: Their revenue (price x quantity).
        unpriced: Attributed order lines without a price (revenue 0).
    """

    user: str
    variant: str
    day: date
    requests: int = 0
    impressions: int = 0
    clicks: int = 0
    carts: int = 0
    purchases: int = 0
    revenue: float = 0.0
    unpriced: int = 0


@dataclass(frozen=True)
class VariantSummary:
    """One variant's totals and metrics.

    Attributes:
        name: The variant.
        share: Its configured traffic share.
        users: Users with at least one request in it.
        requests: Requests answered.
        impressions: Items shown.
        clicks: Items clicked.
        carts: Cart adds attributed.
        purchases: Order lines attributed.
        buyers: Users with at least one attributed purchase.
        revenue: Revenue attributed.
        metrics: Each metric of :data:`METRICS` with its variance.
    """

    name: str
    share: float
    users: int
    requests: int
    impressions: int
    clicks: int
    carts: int
    purchases: int
    buyers: int
    revenue: float
    metrics: dict[str, RatioEstimate]


@dataclass(frozen=True)
class DailyLifts:
    """The lifts over the control on the data up to the end of one day (cumulative).

    Attributes:
        day: The day.
        users: Users per variant so far.
        lifts: Variant -> metric -> lift, for every variant but the control.
    """

    day: date
    users: dict[str, int]
    lifts: dict[str, dict[str, Lift]]


@dataclass(frozen=True)
class ExperimentReport:
    """An experiment's report.

    Attributes:
        experiment: The experiment.
        status: ``running`` or ``stopped``.
        variants: Each variant's summary, in declaration order.
        lifts: Variant -> metric -> lift over the control, for every variant but the control.
        srm_p_value: The sample-ratio-mismatch p-value of users per variant against the shares.
        srm: Whether it is below :data:`~shopgraph.graph.experiments.stats.SRM_THRESHOLD`: the
            assignment or the log is broken and no lift can be trusted.
        switched_users: Users counted in more than one variant (merged visitors).
        unpriced: Attributed order lines without a price (counted with revenue 0).
        days: The cumulative lifts at the end of each day with requests, for the plot.
    """

    experiment: Experiment
    status: str
    variants: tuple[VariantSummary, ...]
    lifts: dict[str, dict[str, Lift]]
    srm_p_value: float
    srm: bool
    switched_users: int
    unpriced: int
    days: tuple[DailyLifts, ...]

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready values (NaN as ``None``)."""
        return {
            "experiment": self.experiment.name,
            "status": self.status,
            "control": self.experiment.control,
            "attribution_hours": self.experiment.attribution_hours,
            "unit": "user",
            "method": "delta method, two-sided z test, 95% intervals",
            "srm": self.srm,
            "srm_p_value": _finite(self.srm_p_value),
            "srm_threshold": SRM_THRESHOLD,
            "switched_users": self.switched_users,
            "unpriced_lines": self.unpriced,
            "variants": [
                {
                    "name": v.name,
                    "share": v.share,
                    "users": v.users,
                    "requests": v.requests,
                    "impressions": v.impressions,
                    "clicks": v.clicks,
                    "carts": v.carts,
                    "purchases": v.purchases,
                    "buyers": v.buyers,
                    "revenue": v.revenue,
                    "metrics": {
                        m: {"value": _finite(e.value), "variance": _finite(e.variance)}
                        for m, e in v.metrics.items()
                    },
                    "lifts": {
                        m: _lift_dict(lift_) for m, lift_ in self.lifts.get(v.name, {}).items()
                    },
                }
                for v in self.variants
            ],
            "days": [
                {
                    "day": d.day.isoformat(),
                    "users": d.users,
                    "lifts": {
                        variant: {m: _lift_dict(lift_) for m, lift_ in lifts.items()}
                        for variant, lifts in d.lifts.items()
                    },
                }
                for d in self.days
            ],
        }


def report_rows(runner: GraphRunner, experiment: Experiment) -> list[UnitDay]:
    """The experiment's log per user, variant and day, with the carts and purchases attributed.

    It first waits until the log has committed what it holds.
    """
    flush_log(runner)
    rows = runner.read_values(
        "experiment_report_rows",
        {"experiment": experiment.name, "hours": float(experiment.attribution_hours)},
    )
    return [
        UnitDay(
            user=row[0],
            variant=row[1],
            day=row[2].to_native(),
            requests=row[3],
            impressions=row[4],
            clicks=row[5],
            carts=row[6],
            purchases=row[7],
            revenue=float(row[8]),
            unpriced=row[9],
        )
        for row in rows
    ]


def experiment_report(runner: GraphRunner, name: str) -> ExperimentReport:
    """The report of the experiment of that name, from its log and the graph now.

    Raises:
        UnknownEntityError: When there is no experiment of that name.
    """
    info = experiment_info(runner, name)
    return build_report(info.experiment, report_rows(runner, info.experiment), info.status)


def build_report(
    experiment: Experiment, rows: Sequence[UnitDay], status: str = "running"
) -> ExperimentReport:
    """The report of an experiment from its rows (see the module docstring for the rules).

    Args:
        experiment: The experiment.
        rows: Its log per user, variant and day (:func:`report_rows`); rows of variants the
            experiment does not have are ignored.
        status: Its status.

    Returns:
        The report.
    """
    names = [v.name for v in experiment.variants]
    rows = sorted((row for row in rows if row.variant in names), key=lambda row: row.day)
    units = sorted({(row.user, row.variant) for row in rows})
    unit_index = {unit: n for n, unit in enumerate(units)}
    variant_of = np.array([names.index(variant) for _, variant in units], dtype=np.int64)
    control = names.index(experiment.control)
    # What each unit did so far (rows: units; columns: _COUNTS), day after day.
    totals = np.zeros((len(units), len(_COUNTS)), dtype=np.float64)
    daily = []
    for day, group in itertools.groupby(rows, key=lambda row: row.day):
        for row in group:
            totals[unit_index[(row.user, row.variant)]] += [getattr(row, c) for c in _COUNTS]
        so_far = _summaries(experiment, totals, variant_of)
        daily.append(
            DailyLifts(
                day=day, users={s.name: s.users for s in so_far}, lifts=_lifts(so_far, control)
            )
        )
    summaries = _summaries(experiment, totals, variant_of)
    lifts = _lifts(summaries, control)
    srm_p = sample_ratio_mismatch([s.users for s in summaries], experiment.shares)
    per_user: dict[str, set[str]] = {}
    for user, variant in units:
        per_user.setdefault(user, set()).add(variant)
    return ExperimentReport(
        experiment=experiment,
        status=status,
        variants=summaries,
        lifts=lifts,
        srm_p_value=srm_p,
        srm=srm_p < SRM_THRESHOLD,
        switched_users=sum(len(v) > 1 for v in per_user.values()),
        unpriced=int(totals[:, _COUNTS.index("unpriced")].sum()),
        days=tuple(daily),
    )


def _summaries(
    experiment: Experiment, totals: npt.NDArray[np.float64], variant_of: npt.NDArray[np.int64]
) -> tuple[VariantSummary, ...]:
    """Each variant's summary over its users: the units with a request so far."""
    seen = totals[:, 0] > 0
    return tuple(
        _summary(experiment, index, totals[(variant_of == index) & seen])
        for index in range(len(experiment.variants))
    )


def _summary(experiment: Experiment, index: int, units: npt.NDArray[np.float64]) -> VariantSummary:
    """A variant's summary from its units' totals (rows: units; columns: :data:`_COUNTS`)."""
    variant = experiment.variants[index]
    column = {name: units[:, n] for n, name in enumerate(_COUNTS)}
    ones = np.ones(len(units))
    bought = (column["purchases"] > 0).astype(np.float64)
    return VariantSummary(
        name=variant.name,
        share=float(variant.share),
        users=len(units),
        requests=int(column["requests"].sum()),
        impressions=int(column["impressions"].sum()),
        clicks=int(column["clicks"].sum()),
        carts=int(column["carts"].sum()),
        purchases=int(column["purchases"].sum()),
        buyers=int(bought.sum()),
        revenue=float(column["revenue"].sum()),
        metrics={
            "ctr": ratio_estimate(column["clicks"], column["impressions"]),
            "add_to_cart_rate": ratio_estimate(column["carts"], column["impressions"]),
            "conversion": ratio_estimate(bought, ones),
            "revenue_per_user": ratio_estimate(column["revenue"], ones),
        },
    )


def _lifts(summaries: Sequence[VariantSummary], control: int) -> dict[str, dict[str, Lift]]:
    base = summaries[control]
    return {
        s.name: {m: lift(s.metrics[m], base.metrics[m]) for m in METRICS}
        for n, s in enumerate(summaries)
        if n != control
    }


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _lift_dict(value: Lift) -> dict[str, float | None]:
    return {
        "relative": _finite(value.relative),
        "low": _finite(value.low),
        "high": _finite(value.high),
        "p_value": _finite(value.p_value),
    }
