"""Online experiments (A/B tests) of recommendation variants.

- :mod:`~shopgraph.graph.experiments.definition`: :class:`Experiment` and its TOML file;
- :mod:`~shopgraph.graph.experiments.assignment`: the deterministic assignment of users;
- :mod:`~shopgraph.graph.experiments.store`: experiments and their log in the graph;
- :mod:`~shopgraph.graph.experiments.stats`: the report's statistics.
"""

from shopgraph.graph.experiments.assignment import assign, bucket
from shopgraph.graph.experiments.definition import Baseline, Experiment, Surface, Variant
from shopgraph.graph.experiments.stats import (
    SRM_THRESHOLD,
    Lift,
    RatioEstimate,
    chi_square_p_value,
    lift,
    ratio_estimate,
    sample_ratio_mismatch,
)
from shopgraph.graph.experiments.store import (
    RETENTION,
    Click,
    ExperimentInfo,
)

__all__ = [
    "RETENTION",
    "SRM_THRESHOLD",
    "Baseline",
    "Click",
    "Experiment",
    "ExperimentInfo",
    "Lift",
    "RatioEstimate",
    "Surface",
    "Variant",
    "assign",
    "bucket",
    "chi_square_p_value",
    "lift",
    "ratio_estimate",
    "sample_ratio_mismatch",
]
