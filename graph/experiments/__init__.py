"""Online experiments (A/B tests) of recommendation variants: statistics of the report."""

from shopgraph.graph.experiments.stats import (
    SRM_THRESHOLD,
    Lift,
    RatioEstimate,
    chi_square_p_value,
    lift,
    ratio_estimate,
    sample_ratio_mismatch,
)

__all__ = [
    "SRM_THRESHOLD",
    "Lift",
    "RatioEstimate",
    "chi_square_p_value",
    "lift",
    "ratio_estimate",
    "sample_ratio_mismatch",
]
