"""Trust per user: computed in the graph, stored on the user, written as edge weights.

``shopgraph.trust.compute`` (the plugin, ``io.shopgraph.plugin.trust``) scores users from
their behaviour; this module runs it, stores each user's trust and signals on the ``User``
node and sets the ``weight`` of every behaviour relationship of the user to the trust
(``cypher/trust_write.cypher``), in batches. Readers multiply that weight by their event-type
weight and recency decay (bundles: source weights and half-life; walks: ``typeWeights``;
export: ``ExportOptions`` event weights and half-life), so the effective edge weight is
``trust x event-type weight x recency decay`` everywhere, and decay never goes stale in the
graph.

Signals (each a penalty ``p`` in [0, 1]; ``trust = max(floor, prod(1 - p))``), and why they
point at fraud:

* **lockstep** (structure, needs no times): two items are a lockstep pair when at least
  ``min_group`` users hold both and their audiences overlap with Jaccard ``>= jaccard``.
  Genuine audiences of two items rarely coincide; a crowd of fake accounts pushing the same
  target items does (CopyCatch, Beutel et al., WWW 2013). ``L`` is the most partners one of
  the user's items has inside the user's own profile; ``p = clamp((L - 1) / (lockstep_full -
  1))``. A user who holds one item of a crowd is not punished; one who holds the crowd's
  whole item set is. A genuine community is spared: a user who shares at least
  ``corroboration`` *crowd items* with the holders of its lockstep item (items outside every
  lockstep pair, held by at least two other members and by less than ``jaccard`` of the
  crowd, the crowd holding at least ``crowd_share`` of the item's audience) gets no lockstep
  penalty (``corroboration=0`` turns this off). Fakes share nothing else with their crowd
  beyond chance; fillers they do share are popular (held mostly outside the crowd) or held by
  the whole crowd (as good as lockstep items).
* **velocity** (event times): the highest events per minute of a session with at least
  ``min_session_events`` events, ramping from ``rate_start`` to ``rate_full``: scripts fire
  dozens of events a minute, people read pages.
* **repeat** (item diversity): events per distinct item, ramping from ``repeat_start`` to
  ``repeat_full``: view-inflation bots hammer a few items.
* **blind purchases** (funnel shape): purchased items never viewed nor carted, ``p = min(1,
  n / blind_full)``, only when the graph records browsing at all (order-only data such as UCI
  or Gowalla has no funnel): fake orders placed through an API skip the funnel.
* **new account** (account age): events spanning less than ``new_account_hours`` with a
  purchase give ``new_account_penalty``; weak alone, it compounds the other signals.

A genuine heavy buyer (many purchases, browsed first, spread over days, diverse items) has
every penalty 0. Anonymous orders (no ``User``) keep weight 1.0: there is no one to score.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

from shopgraph.core.errors import UnknownEntityError
from shopgraph.core.times import require_timezone
from shopgraph.graph.runner import GraphRunner

__all__ = [
    "TrustConfig",
    "TrustExplanation",
    "TrustReport",
    "TrustScore",
    "compute_trust",
    "explain_trust",
    "users_since",
]

_BATCH = 2_000


@dataclass(frozen=True)
class TrustConfig:
    """The thresholds of ``shopgraph.trust.compute`` (module docstring); defaults as in Java.

    Raises:
        ValueError: When a value is out of range (checked again, with the same rules, by the
            procedure).
    """

    min_group: int = 10
    jaccard: float = 0.7
    lockstep_full: int = 3
    corroboration: int = 3
    crowd_share: float = 0.2
    rate_start: float = 20.0
    rate_full: float = 60.0
    min_session_events: int = 5
    repeat_start: float = 10.0
    repeat_full: float = 40.0
    blind_full: int = 3
    new_account_hours: float = 1.0
    new_account_penalty: float = 0.2
    floor: float = 0.02

    def __post_init__(self) -> None:
        for name in ("jaccard", "crowd_share", "new_account_penalty", "floor"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {getattr(self, name)}.")
        if self.min_group < 2 or self.lockstep_full < 2 or self.min_session_events < 2:
            raise ValueError("min_group, lockstep_full and min_session_events must be at least 2.")
        if self.corroboration < 0:
            raise ValueError(f"corroboration must be at least 0, got {self.corroboration}.")
        if self.rate_full <= self.rate_start or self.repeat_full <= self.repeat_start:
            raise ValueError("rate_full and repeat_full must be above their starts.")

    def procedure_config(self) -> dict[str, Any]:
        """The config map of the procedure (camelCase keys)."""
        return {_camel(f.name): getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class TrustScore:
    """One user's trust and signals; raw values are -1 where the data cannot tell."""

    user_id: str
    trust: float
    lockstep_partners: int
    crowd_items: int
    lockstep_penalty: float
    max_rate: float
    velocity_penalty: float
    events_per_item: float
    repeat_penalty: float
    blind_purchases: int
    blind_penalty: float
    span_hours: float
    new_account_penalty: float

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> TrustScore:
        return cls(**{f.name: row[_camel(f.name)] for f in fields(cls)})

    def to_row(self) -> dict[str, Any]:
        return {_camel(k): v for k, v in asdict(self).items()}


@dataclass(frozen=True)
class TrustReport:
    """What a trust run did.

    Attributes:
        scores: Every user scored, as returned by the procedure.
        seconds: Wall time, scoring and writing.
    """

    scores: tuple[TrustScore, ...]
    seconds: float

    @property
    def low(self) -> int:
        """Users with trust below 0.5."""
        return sum(s.trust < 0.5 for s in self.scores)


@dataclass(frozen=True)
class TrustExplanation:
    """A user's stored trust and why.

    Attributes:
        score: The stored score.
        computed_at: When it was computed.
    """

    score: TrustScore
    computed_at: datetime

    def reasons(self) -> list[str]:
        """One sentence per signal that lowered the trust, strongest first; empty if none."""
        s = self.score
        found = [
            (s.lockstep_penalty, f"in a lockstep group: one of its items has "
             f"{s.lockstep_partners} lockstep partners in its profile, and the group shares "
             f"{s.crowd_items} other items"),
            (s.velocity_penalty, f"bot-like velocity: {s.max_rate:.1f} events per minute in "
             "one session"),
            (s.repeat_penalty, f"repeats: {s.events_per_item:.1f} events per distinct item"),
            (s.blind_penalty, f"{s.blind_purchases} purchased items never viewed or carted"),
            (s.new_account_penalty, f"new account: all events within {s.span_hours:.2f} hours, "
             "with a purchase"),
        ]  # fmt: skip
        return [f"{text} (penalty {p:.2f})" for p, text in sorted(found, key=lambda x: -x[0]) if p]


def compute_trust(
    runner: GraphRunner, config: TrustConfig | None = None, *, users: Sequence[str] | None = None
) -> TrustReport:
    """Scores users in the graph, stores trust and signals, and sets their edge weights.

    Args:
        runner: The graph.
        config: Thresholds; the defaults when omitted.
        users: Only these users (and those sharing a lockstep pair found among their items),
            for incremental runs after a load; ``None`` (default) scores everyone.

    Returns:
        The scores written.

    Raises:
        UnknownEntityError: When a given user id is not in the graph.
    """
    started = time.perf_counter()
    params = {
        "users": None if users is None else list(users),
        "config": (config or TrustConfig()).procedure_config(),
    }
    rows = runner.read("call_trust_compute", params)
    scores = tuple(TrustScore.from_row(row) for row in rows)
    at = int(time.time() * 1000)
    for start in range(0, len(scores), _BATCH):
        batch = [s.to_row() for s in scores[start : start + _BATCH]]
        runner.write("trust_write", {"rows": batch, "at": at})
    return TrustReport(scores, time.perf_counter() - started)


def users_since(runner: GraphRunner, since: datetime) -> list[str]:
    """Users with a session ending or an order placed at or after ``since`` (ascending ids).

    Raises:
        BadArgumentError: When ``since`` has no timezone.
    """
    require_timezone(since, "since")
    rows = runner.read("trust_users_since", {"since": int(since.timestamp() * 1000)})
    return [str(row["userId"]) for row in rows]


def explain_trust(runner: GraphRunner, user_id: str) -> TrustExplanation | None:
    """The stored trust of a user and its signals, or ``None`` when never computed.

    Raises:
        UnknownEntityError: When the user is not in the graph.
    """
    rows = runner.read("trust_explain", {"userId": user_id})
    if not rows:
        raise UnknownEntityError("user", [user_id])
    row = rows[0]
    if row["trust"] is None:
        return None
    at = datetime.fromtimestamp(row["at"] / 1000).astimezone()
    return TrustExplanation(TrustScore.from_row(row), at)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
