"""The frozen configuration of a LightGCN model and its training run.

One dataclass holds every choice, so that a run folder's ``config.json`` reproduces the run.
Field metadata carries the help text that ``shopgraph train`` turns into flags, so the
options are written down once.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["DegreeNorm", "Init", "LightGCNConfig", "LossWeights", "LrSchedule", "Sampling"]


class Sampling(StrEnum):
    """How positives are drawn.

    ``USER``: a user uniformly among users with interactions, then one of the user's items
    with probability proportional to the edge weight (LightGCN's reference sampler when all
    weights are 1). ``EDGE``: an interaction with probability proportional to its weight,
    so active users are drawn more often.
    """

    USER = "user"
    EDGE = "edge"


class DegreeNorm(StrEnum):
    """Which degrees ``D`` normalise the adjacency.

    ``WEIGHTED``: the sums of edge weights (LightGCN with weighted edges). ``COUNT``: the
    numbers of edges, whatever their weights. With ``WEIGHTED``, scaling every edge of a
    user by ``t`` also divides the user's degree by ``t``, so the entries become
    ``t / sqrt(t d_u d_i) = sqrt(t) / sqrt(d_u d_i)``: the user's influence on items falls
    only as ``sqrt(t)`` (a trust of 0.04 keeps 20 %). With ``COUNT`` the entries are
    ``t / sqrt(d_u d_i)``, so influence falls as ``t`` (0.04 keeps 4 %), which is what a trust
    weight means (``tests/gnn/test_trust_weighting.py`` measures both).
    """

    WEIGHTED = "weighted"
    COUNT = "count"


class Init(StrEnum):
    """How the layer-0 embeddings start.

    ``NORMAL``: i.i.d. normal with standard deviation ``init_scale`` (the LightGCN reference
    uses 0.1). ``SVD``: the top ``embedding_dim`` singular vectors of the normalised
    user-item matrix times ``init_scale``, so training starts from a low-pass graph filter
    instead of noise (see :func:`shopgraph.gnn.spectral.spectral_embeddings`).
    """

    NORMAL = "normal"
    SVD = "svd"


class LrSchedule(StrEnum):
    """How the learning rate moves within a run.

    ``CONSTANT``: ``learning_rate`` throughout (until a patience drop). ``COSINE``: from
    ``learning_rate`` down to 0 at the last step of ``epochs``, along a half cosine, step by
    step (Loshchilov and Hutter, "SGDR", ICLR 2017, without restarts); patience drops scale
    it further.
    """

    CONSTANT = "constant"
    COSINE = "cosine"


class LossWeights(StrEnum):
    """How BPR pairs are weighted.

    ``NONE``: every pair counts the same (LightGCN). ``EDGE``: each pair's loss is multiplied
    by the weight of its positive edge, so a user whose edges carry trust ``t`` pushes the
    model with weight ``t`` (with ``sampling=user`` such a user is still drawn as often as
    any other; the weight is what damps it).
    """

    NONE = "none"
    EDGE = "edge"


@dataclass(frozen=True)
class LightGCNConfig:
    """LightGCN model and training settings (He et al., SIGIR 2020).

    The defaults train from a spectral initialisation with dynamic negative sampling (2
    negatives, each the hardest of 8 uniform candidates) and a cosine learning rate, for 100
    epochs; what they reach on the LightGCN paper's Gowalla split, and in how long, is in the
    README and ``benchmarks/RESULTS.md``. The paper's own settings are ``init=normal,
    init_scale=0.1, batch_size=2048, learning_rate=0.001, sampling=user`` for about 1,000
    epochs.

    Raises:
        ValueError: When a value is out of range (the message names the field).
    """

    embedding_dim: int = field(default=64, metadata={"help": "embedding size d"})
    num_layers: int = field(default=3, metadata={"help": "propagation layers L"})
    init: Init = field(default=Init.SVD, metadata={"help": "layer-0 embeddings: svd or normal"})
    init_scale: float = field(
        default=10.0,
        metadata={"help": "svd: multiplier of the singular vectors; normal: standard deviation"},
    )
    epochs: int = field(default=100, metadata={"help": "maximum number of epochs"})
    batch_size: int = field(default=65_536, metadata={"help": "BPR triplets per optimisation step"})
    learning_rate: float = field(default=0.05, metadata={"help": "Adam learning rate"})
    lr_schedule: LrSchedule = field(
        default=LrSchedule.COSINE,
        metadata={"help": "learning rate over the run: constant, or cosine (down to 0)"},
    )
    negatives: int = field(
        default=2, metadata={"help": "negative items per positive, one BPR pair each"}
    )
    negative_candidates: int = field(
        default=8,
        metadata={
            "help": "uniform candidates drawn per negative; the one the model scores highest is "
            "used (dynamic negative sampling; 1: uniform negatives)"
        },
    )
    weight_decay: float = field(
        default=1e-3, metadata={"help": "L2 weight on the batch's layer-0 embeddings"}
    )
    sampling: Sampling = field(
        default=Sampling.USER, metadata={"help": "positives: user (uniform users) or edge"}
    )
    validation_fraction: float = field(
        default=0.1,
        metadata={
            "help": "share of each user's interactions held out for early stopping (0: none)"
        },
    )
    eval_every: int = field(default=5, metadata={"help": "epochs between validation evaluations"})
    eval_users: int = field(
        default=0, metadata={"help": "validation users sampled per evaluation (0: all)"}
    )
    patience: int = field(
        default=3, metadata={"help": "evaluations without improvement before stopping (0: never)"}
    )
    lr_drop: float = field(
        default=0.2, metadata={"help": "learning rate factor when patience runs out (1: none)"}
    )
    lr_drops: int = field(
        default=2, metadata={"help": "learning rate drops before patience stops the run"}
    )
    checkpoint_every: int = field(
        default=1, metadata={"help": "epochs between checkpoints (0: none)"}
    )
    seed: int = field(
        default=0, metadata={"help": "seed of the split, the initialisation and the sampler"}
    )
    num_threads: int = field(
        default=1, metadata={"help": "torch CPU threads (0: leave torch's default)"}
    )
    degree_norm: DegreeNorm = field(
        default=DegreeNorm.WEIGHTED,
        metadata={
            "help": "propagation degrees: weighted (sums of edge weights) or count (number of "
            "edges: a user's influence scales with its trust t, not sqrt(t))"
        },
    )
    loss_weights: LossWeights = field(
        default=LossWeights.NONE,
        metadata={"help": "BPR pair weights: none, or edge (the positive edge's weight)"},
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "init", Init(self.init))
        object.__setattr__(self, "sampling", Sampling(self.sampling))
        object.__setattr__(self, "degree_norm", DegreeNorm(self.degree_norm))
        object.__setattr__(self, "loss_weights", LossWeights(self.loss_weights))
        object.__setattr__(self, "lr_schedule", LrSchedule(self.lr_schedule))
        positive = (
            "embedding_dim",
            "epochs",
            "batch_size",
            "negatives",
            "negative_candidates",
            "eval_every",
        )
        for name in positive:
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}.")
        not_negative = (
            "num_layers",
            "eval_users",
            "patience",
            "lr_drops",
            "checkpoint_every",
            "num_threads",
        )
        for name in not_negative:
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be at least 0, got {getattr(self, name)}.")
        for name in ("init_scale", "learning_rate"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be positive and finite, got {value}.")
        if not 0 < self.lr_drop <= 1:
            raise ValueError(f"lr_drop must be above 0 and at most 1, got {self.lr_drop}.")
        if not (math.isfinite(self.weight_decay) and self.weight_decay >= 0):
            raise ValueError(f"weight_decay must be at least 0, got {self.weight_decay}.")
        if not 0 <= self.validation_fraction < 1:
            raise ValueError(
                f"validation_fraction must be at least 0 and below 1, got "
                f"{self.validation_fraction}."
            )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON/TOML values (enums as their strings)."""
        return {
            f.name: (v.value if isinstance(v := getattr(self, f.name), StrEnum) else v)
            for f in dataclasses.fields(self)
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> LightGCNConfig:
        """Builds a config from plain values, e.g. a TOML table or ``config.json``.

        Raises:
            ValueError: When a key is not a field (a typo), or a value has the wrong type or
                is out of range.
        """
        known = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ValueError(
                f"Unknown LightGCN setting {', '.join(map(repr, unknown))}; known settings "
                f"are {', '.join(sorted(known))}."
            )
        converted: dict[str, Any] = {}
        for name, value in values.items():
            expected = type(getattr(cls(), name))
            if expected is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if issubclass(expected, StrEnum):
                try:
                    value = expected(value)
                except ValueError:
                    choices = ", ".join(m.value for m in expected)
                    raise ValueError(f"{name} must be one of {choices}, got {value!r}.") from None
            if not isinstance(value, expected) or isinstance(value, bool):
                raise ValueError(f"{name} must be a {expected.__name__}, got {value!r}.")
            converted[name] = value
        return cls(**converted)
