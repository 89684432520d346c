"""Erasure: a customer asks to be forgotten.

:func:`forget_user` removes a user from the graph and from every file shopgraph keeps:

1. **Run folders**: every run folder that a model version names (its ``run_dir``), every run
   folder under ``SHOPGRAPH_HOME/runs``, and the folders given. The user's row goes from
   every file indexed by the run's id map, and the id from the map
   (:func:`~shopgraph.gnn.erasure.drop_user`).
2. **Reject files** of every load (each ``(:Load)`` node records its reject file): rows that
   mention the id go.
3. **The graph** (``CALL shopgraph.users.forget($userId)``, one transaction): the user node
   with its trust, signals and the embeddings of every model version (they are properties of
   the node), its sessions with their views, cart adds and removals, the bookkeeping of event
   ids recorded in them, the orders it placed or made in its sessions with their lines, and its
   feedback, and its exposures of online experiments with their clicks (those still pending in
   the experiment log's writer included). A session or order that another user holds too stays
   for that user (only the link goes). Items stay: they are the shop's. These are ordinary
   committed writes, which serving sees like any other. A visitor the experiment log knows but
   the graph holds no ``User`` for (someone who was only served) is erased with
   ``missing_ok=True``: their exposures go.
4. **Logs** under ``SHOPGRAPH_HOME`` (``launcher.log`` and the embedded server's
   ``neo4j/logs/``): lines that mention the id go.

A row or line *mentions* the id when the id appears in it as a whole token (not inside a
longer id: ``u1`` is not in ``u10``). Run folders and reject files are rewritten through a
temporary file, so a crash leaves the old or the new one; logs are rewritten in place, since
the server keeps appending to them. The graph step runs after the files and before the logs: an
erasure interrupted after it is finished by calling again with ``missing_ok=True`` (``shopgraph
forget USER --missing-ok``). Neo4j's own store and transaction logs are not files of
shopgraph: deleted records are reused and transaction logs rotate away as Neo4j's retention
settings say (``db.tx_log.rotation.retention_policy``).
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from shopgraph.core.errors import UnknownEntityError
from shopgraph.gnn.erasure import drop_user
from shopgraph.graph._input import argument_id
from shopgraph.graph.experiments.store import forget_user_log
from shopgraph.graph.runner import GraphRunner
from shopgraph.loaders.records import Reject
from shopgraph.loaders.source import RejectWriter

__all__ = ["ForgetReport", "forget_user", "mentions"]


@dataclass(frozen=True)
class ForgetReport:
    """What an erasure removed.

    Attributes:
        user_id: The user.
        in_graph: Whether the graph held the user (false only with ``missing_ok``).
        sessions: Sessions deleted.
        sessions_kept: Sessions another user holds too (only the user's link removed).
        session_events: View, cart and removal aggregates deleted.
        orders: Orders deleted.
        orders_kept: Orders another user placed too (only the user's link removed).
        order_lines: Order lines deleted.
        feedback: Feedback relationships deleted.
        recorded_events: Bookkeeping nodes of event ids recorded in the deleted sessions.
        relationships: Relationships deleted in all.
        exposures: Exposures of online experiments deleted, with their clicks.
        files_rewritten: Every file rewritten (run folders, reject files, logs).
        rows_removed: Reject rows and log lines removed.
    """

    user_id: str
    in_graph: bool
    sessions: int = 0
    sessions_kept: int = 0
    session_events: int = 0
    orders: int = 0
    orders_kept: int = 0
    order_lines: int = 0
    feedback: int = 0
    recorded_events: int = 0
    relationships: int = 0
    exposures: int = 0
    files_rewritten: tuple[Path, ...] = field(default=())
    rows_removed: int = 0


def mentions(text: str, user_id: str) -> bool:
    """Whether ``user_id`` appears in ``text`` as a whole token (not inside a longer id)."""
    return _token(user_id).search(text) is not None


def forget_user(
    runner: GraphRunner,
    user_id: str,
    *,
    home: Path | None = None,
    run_folders: Sequence[Path] = (),
    missing_ok: bool = False,
) -> ForgetReport:
    """Removes a user from the graph and from shopgraph's files (see the module docstring).

    Args:
        runner: The graph.
        user_id: The user.
        home: ``SHOPGRAPH_HOME`` (its ``runs/`` and logs); ``None``: no home is searched.
        run_folders: More run or model folders to remove the user from.
        missing_ok: Clean the files even when the graph does not hold the user (to finish an
            interrupted erasure); otherwise that is an error and nothing is touched.

    Returns:
        What was removed.

    Raises:
        BadArgumentError: For an empty id.
        UnknownEntityError: When the graph does not hold the user and not ``missing_ok``.
        BadInputError: When a run folder's files are damaged.
        ConfigError: When a checkpoint holds the user and torch is not installed.
    """
    argument_id("userId", user_id)
    in_graph = bool(runner.read("user_exists", {"userId": user_id})[0]["exists"])
    if not in_graph and not missing_ok:
        raise UnknownEntityError("user", [user_id])
    sources = runner.read("forget_sources")[0]
    rewritten: list[Path] = []
    removed = 0
    for folder in _run_folders(sources["metadata"], home, run_folders):
        rewritten += drop_user(folder, user_id)
    for path in sorted({Path(p) for p in sources["rejectFiles"]}):
        dropped = _drop_rejects(path, user_id)
        if dropped:
            rewritten.append(path)
            removed += dropped
    row: dict[str, int] = {}
    if in_graph:
        row = runner.write("call_users_forget", {"userId": user_id})[0]
    else:
        row = {"exposures": runner.write_tx(lambda tx: forget_user_log(tx, user_id))}
    for path in _logs(home):
        dropped = _drop_lines(path, user_id)
        if dropped:
            rewritten.append(path)
            removed += dropped
    return ForgetReport(
        user_id=user_id,
        in_graph=in_graph,
        sessions=row.get("sessions", 0),
        sessions_kept=row.get("sessionsKept", 0),
        session_events=row.get("sessionEvents", 0),
        orders=row.get("orders", 0),
        orders_kept=row.get("ordersKept", 0),
        order_lines=row.get("orderLines", 0),
        feedback=row.get("feedback", 0),
        recorded_events=row.get("recordedEvents", 0),
        relationships=row.get("relationships", 0),
        exposures=row.get("exposures", 0),
        files_rewritten=tuple(rewritten),
        rows_removed=removed,
    )


def _run_folders(
    metadata: list[str | None], home: Path | None, extra: Sequence[Path]
) -> list[Path]:
    """Run folders named by model versions, under ``home/runs``, and given; each once."""
    found: list[Path] = []
    for text in metadata:
        run_dir = json.loads(text).get("run_dir") if text else None
        if isinstance(run_dir, str):
            found.append(Path(run_dir))
    if home is not None and (home / "runs").is_dir():
        found += sorted(p for p in (home / "runs").iterdir() if p.is_dir())
    found += [Path(p) for p in extra]
    unique: dict[Path, Path] = {}
    for path in found:
        if path.is_dir():
            unique.setdefault(path.resolve(), path)
    return list(unique.values())


def _drop_rejects(path: Path, user_id: str) -> int:
    """Rewrites a reject file without the rows that mention the user; returns rows dropped."""
    if not path.is_file():
        return 0
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    token = _token(user_id)
    kept = [row for row in rows[1:] if not any(token.search(value) for value in row)]
    if len(kept) == len(rows) - 1:
        return 0
    partial = path.with_name(path.name + ".partial")
    with RejectWriter(partial) as writer:
        writer.write([_reject(row) for row in kept])
    if kept:
        os.replace(partial, path)
    else:
        path.unlink()  # a reject file exists only when the load rejected rows
    return len(rows) - 1 - len(kept)


def _reject(row: list[str]) -> Reject:
    return Reject(row[0], int(row[1]), row[2], row[3], row[4])


def _logs(home: Path | None) -> list[Path]:
    """The log files under the home: the launcher's and the embedded server's."""
    if home is None:
        return []
    logs = [home / "launcher.log"]
    server_logs = home / "neo4j" / "logs"
    if server_logs.is_dir():
        logs += sorted(p for p in server_logs.rglob("*") if p.is_file())
    return [p for p in logs if p.is_file()]


def _drop_lines(path: Path, user_id: str) -> int:
    """Rewrites a log file in place without the lines that mention the user; returns lines
    dropped. In place, not through a temporary file: the server and the launcher keep the
    file open and go on appending to it."""
    token = _token(user_id)
    with path.open("r+b") as f:
        lines = f.readlines()
        kept = [line for line in lines if not token.search(line.decode("utf-8", "replace"))]
        if len(kept) == len(lines):
            return 0
        f.seek(0)
        f.write(b"".join(kept))
        f.truncate()
    return len(lines) - len(kept)


def _token(user_id: str) -> re.Pattern[str]:
    return re.compile(r"(?<![0-9A-Za-z_\-])" + re.escape(user_id) + r"(?![0-9A-Za-z_\-])")
