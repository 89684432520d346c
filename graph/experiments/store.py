"""Experiments in the graph: start, stop, list, and their log's clicks, retention and erasure.

An experiment is an ``(:Experiment)`` node written by ``CALL shopgraph.experiment.start``, which
checks it (the sentences of :class:`~shopgraph.graph.experiments.definition.Experiment`, and
each variant's config with the procedure's own checks). At most one experiment covers a
surface at a time; names are never reused, so a report always reads one experiment's log.

**The log** lives in the graph too: one ``(:Exposure)`` node per answered request of an
experiment (``requestId``, ``at``, ``userId``, ``surface``, ``experiment``, ``variant``,
``items`` in rank order, ``query``, and the clicks: ``clickedItems``, ``clickedAt``). The
serving procedures hand exposures to a writer in the plugin, which commits them in batches
(every 100 ms or 1,000 entries) and on shutdown; a crash can lose the last batch. Carts and
purchases are not logged again: the report reads them from the graph's sessions and orders.

**Retention.** Exposures older than :data:`RETENTION` (90 days) are deleted by
:func:`purge_log`, which :func:`start_experiment` and :func:`stop_experiment` run, so the log
cannot grow without bound; ``shopgraph experiment purge`` runs it on demand.

**Users.** A user's exposures carry their id (indexed), so the user's erasure reaches them
(``shopgraph.users.forget``, which :func:`~shopgraph.graph.erasure.forget_user` calls, runs the
plugin's ``ExperimentUsers.forget`` first; :func:`forget_user_log` erases the log of an id the
graph holds no user for), and a merge moves them to the user merged into, keeping their variant
(``shopgraph.users.merge`` runs ``ExperimentUsers.merge``; :func:`merge_user_log` alone moves
the log). Both wait until the log has committed what it holds, so nothing of the user is
written after them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from shopgraph.core.errors import BadArgumentError, UnknownEntityError
from shopgraph.core.times import require_timezone
from shopgraph.graph.experiments.definition import Experiment
from shopgraph.graph.runner import GraphRunner, Tx

__all__ = [
    "RETENTION",
    "Click",
    "ExperimentInfo",
    "click",
    "experiment_info",
    "flush_log",
    "forget_user_log",
    "list_experiments",
    "merge_user_log",
    "pinning_experiments",
    "purge_log",
    "start_experiment",
    "stop_experiment",
]

#: How long exposures are kept.
RETENTION = timedelta(days=90)
_PURGE_BATCH = 10_000


@dataclass(frozen=True)
class ExperimentInfo:
    """An experiment as stored in the graph.

    Attributes:
        experiment: Its definition.
        status: ``running`` or ``stopped``.
        created_at: When it was started.
        stopped_at: When it was stopped, or ``None``.
    """

    experiment: Experiment
    status: str
    created_at: datetime
    stopped_at: datetime | None


@dataclass(frozen=True)
class Click:
    """A logged click: the item's place in the answer of its request.

    Attributes:
        request_id: The request.
        item_id: The clicked item.
        position: Its 1-based place in the answer.
        experiment: The request's experiment.
        variant: The request's variant.
    """

    request_id: str
    item_id: str
    position: int
    experiment: str
    variant: str


def start_experiment(
    runner: GraphRunner, experiment: Experiment, *, retention: timedelta = RETENTION
) -> ExperimentInfo:
    """Starts an experiment: stores it, then deletes exposures older than ``retention``.

    Raises:
        BadArgumentError: When the plugin refuses a variant's config (the procedures' checks).
        ConflictError: When the name is taken, another experiment covers one of its surfaces
            at an overlapping time, or a pinned model version holds no embeddings.
    """
    runner.write("call_experiment_start", {"definition": experiment.definition()})
    purge_log(runner, retention)
    return experiment_info(runner, experiment.name)


def stop_experiment(
    runner: GraphRunner, name: str, *, retention: timedelta = RETENTION
) -> ExperimentInfo:
    """Stops a running experiment now, then deletes exposures older than ``retention``.

    From now on calls naming it are answered by its control and not logged; its log stays for
    the report.

    Raises:
        UnknownEntityError: When there is no experiment of that name.
        ConflictError: When it was stopped already.
    """
    runner.write("call_experiment_stop", {"name": name})
    purge_log(runner, retention)
    return experiment_info(runner, name)


def list_experiments(runner: GraphRunner) -> list[ExperimentInfo]:
    """Every experiment, newest first."""
    return [_info(row) for row in runner.read("experiment_list", {"name": None})]


def experiment_info(runner: GraphRunner, name: str) -> ExperimentInfo:
    """One experiment.

    Raises:
        UnknownEntityError: When there is none of that name.
    """
    rows = runner.read("experiment_list", {"name": name})
    if not rows:
        raise UnknownEntityError("experiment", [name])
    return _info(rows[0])


def pinning_experiments(runner: GraphRunner, version: str) -> list[str]:
    """The experiments, running or yet to start, of which a variant pins a model version."""
    now = datetime.now(UTC)
    return [
        info.experiment.name
        for info in list_experiments(runner)
        if info.stopped_at is None
        and info.experiment.end > now
        and any(v.model_version == version for v in info.experiment.variants)
    ]


def click(runner: GraphRunner, request_id: str, item: str, *, at: datetime | None = None) -> Click:
    """Logs a click on an item that a request of an experiment showed.

    Args:
        runner: The Neo4j runner.
        request_id: The request's id (``Served.request_id``).
        item: The clicked item; it must be among the request's items.
        at: When (default: the server's clock); not before the request, not in the future.

    Raises:
        UnknownEntityError: When no request has that id.
        BadArgumentError: When the request did not show the item, or ``at`` is invalid.
    """
    config: dict[str, Any] = {}
    if at is not None:
        config["at"] = require_timezone(at, "Config key 'at'")
    row = runner.read(
        "call_experiment_click", {"requestId": request_id, "itemId": item, "config": config}
    )[0]
    return Click(
        row["requestId"], row["itemId"], row["position"], row["experiment"], row["variant"]
    )


def flush_log(runner: GraphRunner) -> int:
    """Waits until the log has committed every exposure and click handed to it so far.

    Returns:
        How many entries the log could not write since the server started (0 when all went
        well).
    """
    dropped: int = runner.read("call_experiment_flush")[0]["dropped"]
    return dropped


def purge_log(
    runner: GraphRunner, older_than: timedelta = RETENTION, *, now: datetime | None = None
) -> int:
    """Deletes exposures answered more than ``older_than`` before ``now``, in batches.

    Args:
        runner: The Neo4j runner.
        older_than: The retention period (positive).
        now: The reference time (default: the current time), with a timezone.

    Returns:
        How many exposures were deleted.

    Raises:
        BadArgumentError: When ``older_than`` is not positive or ``now`` has no timezone.
    """
    if older_than <= timedelta(0):
        raise BadArgumentError(f"older_than must be positive, got {older_than}.")
    reference = datetime.now(UTC) if now is None else require_timezone(now, "now")
    before = reference - older_than
    deleted = 0
    while True:
        batch: int = runner.write("experiment_purge", {"before": before, "batch": _PURGE_BATCH})[0][
            "deleted"
        ]
        deleted += batch
        if batch < _PURGE_BATCH:
            return deleted


def forget_user_log(tx: Tx, user: str) -> int:
    """Erases a user's (or visitor's) exposures and clicks, in the caller's transaction.

    For the erasure of a user: run it first in the transaction that removes the user's other
    data, so that nothing of them is left in the log (it waits until the log has committed
    what it holds, then deletes).

    Returns:
        How many exposures were deleted.
    """
    deleted: int = tx.run("call_experiment_forget_user", {"userId": user})[0]["deleted"]
    return deleted


def merge_user_log(tx: Tx, source: str, target: str) -> int:
    """Moves ``source``'s exposures to ``target``, in the caller's transaction.

    For a merge of users (a visitor who logs in): the exposures keep their variant and the id
    they were logged under (``loggedUserId``); the report counts them for ``target`` in that
    variant. From the merge on, calls name ``target``, whose assignment holds.

    Returns:
        How many exposures were moved.
    """
    moved: int = tx.run("call_experiment_merge_users", {"source": source, "target": target})[0][
        "moved"
    ]
    return moved


def _info(row: dict[str, Any]) -> ExperimentInfo:
    definition = {
        "name": row["name"],
        "surfaces": row["surfaces"],
        "variants": json.loads(row["variants"]),
        "start": row["start"].to_native(),
        "end": row["end"].to_native(),
        "salt": row["salt"],
        "control": row["control"],
        "attributionHours": row["attributionHours"],
    }
    stopped = row["stoppedAt"]
    return ExperimentInfo(
        experiment=Experiment.from_definition(definition),
        status=row["status"],
        created_at=row["createdAt"].to_native(),
        stopped_at=stopped.to_native() if stopped is not None else None,
    )
