"""Identity: an anonymous visitor who logs in becomes the known user.

:func:`merge_users` calls ``CALL shopgraph.users.merge($source, $target)``, which in one
transaction moves every relationship of the source user to the target (sessions through
``HAS_SESSION``, orders through ``PLACED``, feedback through ``REJECTED``, and any other) and
deletes the source node, with its id, trust and embeddings. Nothing is counted twice: what both
hold (a session where both ids were seen, an order both placed) is kept once, and feedback on
the same item from both becomes one ``REJECTED`` whose ``count`` is the sum (``first`` the
earliest, ``at`` and ``kind`` the latest).

Trust inputs (sessions and orders) move with their edge ``weight`` (the source's trust), and
the target is marked stale, ``User.trustStale = true``, when either user had a trust score; it
is not recomputed by the merge. ``shopgraph trust --users TARGET`` (or any trust run that
scores the target) recomputes it from the merged history, reweights its edges and clears the
mark.

Online experiments: the source's exposures (and their clicks) move to the target and keep the
variant they were served in and the id they were logged under (``loggedUserId``); the report
counts them for the target. From the merge on, calls name the target, whose own assignment
answers. When source and target fell in different variants, the report counts the target as a
unit in each and says how many users that happened to (``ExperimentReport.switched_users``).
"""

from __future__ import annotations

from dataclasses import dataclass

from shopgraph.core.errors import BadArgumentError
from shopgraph.graph._input import argument_id
from shopgraph.graph.runner import GraphRunner

__all__ = ["MergeReport", "merge_users"]


@dataclass(frozen=True)
class MergeReport:
    """What a merge did.

    Attributes:
        source: The user merged away (gone now).
        target: The user who remains.
        sessions: Sessions moved to the target.
        orders: Orders moved to the target.
        feedback: Feedback relationships moved to the target.
        combined: Relationships the target already had (kept once; feedback counts summed).
        target_created: Whether the target was new (the login of a new known id).
        exposures: The source's exposures of online experiments, now the target's.
    """

    source: str
    target: str
    sessions: int
    orders: int
    feedback: int
    combined: int
    target_created: bool
    exposures: int


def merge_users(runner: GraphRunner, source: str, target: str) -> MergeReport:
    """Merges the user ``source`` into the user ``target`` (see the module docstring).

    Args:
        runner: The graph.
        source: The user merged away, e.g. the anonymous visitor's id.
        target: The user who remains, e.g. the account that logged in; created if unknown.

    Returns:
        What moved.

    Raises:
        BadArgumentError: For an empty id, or when both are the same user.
        UnknownEntityError: When ``source`` is not in the graph.
    """
    argument_id("source", source)
    argument_id("target", target)
    if source == target:
        raise BadArgumentError(
            f"A user cannot be merged into itself, got '{source}' as source and target."
        )
    row = runner.write("call_users_merge", {"source": source, "target": target})[0]
    return MergeReport(
        source=source,
        target=target,
        sessions=row["sessions"],
        orders=row["orders"],
        feedback=row["feedback"],
        combined=row["combined"],
        target_created=row["targetCreated"],
        exposures=row["exposures"],
    )
