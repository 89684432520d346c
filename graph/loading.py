"""Loads an :class:`~shopgraph.loaders.source.EventSource` into Neo4j, idempotently and resumably.

How a load stays exact:

* The load's identity is the SHA-256 of the file's bytes with the loader and its options.
  A ``(:Load {loadId})`` node counts the chunks already written (``nextChunk``) and fixes the
  chunk size at the first run, so chunk boundaries never move.
* Each chunk is written in one transaction that first advances ``nextChunk`` from ``k`` to
  ``k + 1``. The chunk's data and the counter commit together or not at all, so a load killed
  at any moment (the loader or Neo4j, even with ``kill -9``) resumes where it stopped, and
  running it again after it completed changes nothing.
* In strict mode the whole file is validated before the first write; the first bad row
  stops the load and nothing is written.
* The ``(:Load)`` node records the reject file of each run (``rejectFiles``), so that
  :func:`~shopgraph.graph.erasure.forget_user` finds the rejected rows that name a user.

Parsing runs in a background thread while the previous chunk is being written. A chunk is
written by one call of the plugin's ``shopgraph.load.chunk`` (Core API, several times faster),
or with :attr:`ChunkWriter.CYPHER` by the ``merge_*.cypher`` statements, which are the readable
reference: both give the same graph (``tests/graph/test_chunk_writers.py``).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from functools import partial
from pathlib import Path
from typing import Any, cast

from shopgraph.core.errors import LoadConflictError, QueryError
from shopgraph.graph.runner import GraphRunner, Tx, WriteCounters
from shopgraph.loaders.batch import GraphBatch
from shopgraph.loaders.source import EventSource, ParsedChunk, RejectWriter

__all__ = [
    "ChunkWriter",
    "LoadOptions",
    "LoadProgress",
    "LoadReport",
    "chunk_statements",
    "load_source",
]

_log = logging.getLogger(__name__)


class ChunkWriter(Enum):
    """How a chunk's rows are written; both give exactly the same graph.

    Attributes:
        PROCEDURE: One call of the plugin's ``shopgraph.load.chunk`` (``load_chunk.cypher``),
            which writes with the Core API: several times faster.
        CYPHER: The four ``UNWIND $rows ... MERGE`` statements ``merge_categories``,
            ``merge_items``, ``merge_sessions`` and ``merge_orders``: the readable reference,
            and the way for a Neo4j without the plugin.
    """

    PROCEDURE = "procedure"
    CYPHER = "cypher"


def chunk_statements(writer: ChunkWriter, batch: GraphBatch) -> list[tuple[str, dict[str, Any]]]:
    """The statements that write ``batch``, in the order they run, with their parameters.

    Statements with no rows are left out; an empty batch gives no statement.
    """
    if writer is ChunkWriter.PROCEDURE:
        params: dict[str, Any] = {
            "categories": batch.categories,
            "items": batch.items,
            "sessions": batch.sessions,
            "orders": batch.orders,
        }
        return [("load_chunk", params)] if any(params.values()) else []
    return [
        (name, {"rows": rows})
        for name, rows in (
            ("merge_categories", batch.categories),
            ("merge_items", batch.items),
            ("merge_sessions", batch.sessions),
            ("merge_orders", batch.orders),
        )
        if rows
    ]


@dataclass(frozen=True)
class LoadProgress:
    """How far a load has come; passed to the progress callback after every chunk."""

    bytes_done: int
    bytes_total: int
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    seconds: float


@dataclass(frozen=True)
class LoadOptions:
    """How to load a file.

    Attributes:
        strict: Validate the whole file first and stop at the first bad row, writing nothing.
        chunk_size: Rows per transaction. A resumed load keeps the size of its first run.
            The default, 10,000, keeps each transaction's state small: Neo4j holds it on the
            heap until the commit, and young collections copy it (``benchmarks/load.py``).
        rejects: Reject file; defaults to ``<file name>.rejects.csv`` in the working folder.
        progress: Called after every chunk with a :class:`LoadProgress`.
        writer: How chunks are written (:class:`ChunkWriter`); not part of the load's
            identity, since both writers give the same graph.
    """

    strict: bool = False
    chunk_size: int = 10_000
    rejects: Path | None = None
    writer: ChunkWriter = ChunkWriter.PROCEDURE
    progress: Callable[[LoadProgress], None] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not 1 <= self.chunk_size <= 1_000_000:
            raise ValueError(f"chunk_size must be between 1 and 1000000, got {self.chunk_size}.")


@dataclass(frozen=True)
class LoadReport:
    """What a load did.

    Attributes:
        file: The input file.
        kind: The loader, e.g. ``"rees46"``.
        load_id: The load's identity (see the module docstring).
        rows_read: Rows in the file (good and rejected).
        rows_loaded: Good rows.
        rows_rejected: Bad rows, written to ``rejects_file``.
        chunks: Chunks in the file.
        chunks_resumed: Chunks an earlier, interrupted run had already written.
        already_loaded: True when an earlier run had completed this load; nothing was done.
        rejects_file: The reject file, or ``None`` when no row was rejected (or nothing ran).
        nodes_created: Nodes created by this run.
        relationships_created: Relationships created by this run.
        properties_set: Properties set by this run.
        seconds: Wall time of this run.
    """

    file: Path
    kind: str
    load_id: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    chunks: int
    chunks_resumed: int
    already_loaded: bool
    rejects_file: Path | None
    nodes_created: int
    relationships_created: int
    properties_set: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds > 0 else 0.0


def load_source(runner: GraphRunner, source: EventSource, options: LoadOptions) -> LoadReport:
    """Loads one file into the graph (the schema must exist).

    Args:
        runner: The Neo4j runner.
        source: The parsed file.
        options: Strictness, chunk size, reject file and progress callback.

    Returns:
        The report of this run.

    Raises:
        BadInputError: In strict mode, for the first bad row; nothing was written.
        LoadConflictError: When another loader is writing the same file.
        GraphUnavailableError: When Neo4j goes away; run the load again to resume it.
    """
    started = time.monotonic()
    if options.strict:
        for _ in source.chunks(options.chunk_size, strict=True):
            pass
    load_id = source.fingerprint()
    rejects_path = options.rejects or Path.cwd() / f"{source.path.name}.rejects.csv"
    state = runner.write(
        "load_begin",
        {
            "loadId": load_id,
            "kind": source.kind,
            "file": str(source.path),
            "chunkSize": options.chunk_size,
            "rejects": str(rejects_path.absolute()),
        },
    )[0]
    if state["status"] == "complete":
        return LoadReport(
            source.path,
            source.kind,
            load_id,
            state["rowsRead"],
            state["rowsLoaded"],
            state["rowsRejected"],
            0,
            0,
            True,
            None,
            0,
            0,
            0,
            time.monotonic() - started,
        )
    chunk_size = int(state["chunkSize"])
    resume_from = int(state["nextChunk"])
    if chunk_size != options.chunk_size:
        _log.info("resuming %s with its first run's chunk size %d", source.path, chunk_size)
    counters = WriteCounters()
    rows = loaded = rejected = chunks = 0
    with RejectWriter(rejects_path) as rejects:
        for chunk in _prefetched(source.chunks(chunk_size)):
            rejects.write(chunk.rejects)
            if chunk.index >= resume_from:
                counters = counters + runner.write_tx(
                    partial(_write_chunk, load_id=load_id, chunk=chunk, writer=options.writer)
                )
            rows += chunk.rows_read
            loaded += chunk.rows_loaded
            rejected += len(chunk.rejects)
            chunks = chunk.index + 1
            if options.progress is not None:
                options.progress(
                    LoadProgress(
                        chunk.position,
                        source.size,
                        rows,
                        loaded,
                        rejected,
                        time.monotonic() - started,
                    )
                )
    if not runner.write("load_finish", {"loadId": load_id, "chunks": chunks}):
        raise QueryError(
            f"The load of {source.path} wrote {chunks} chunks but its bookkeeping node "
            "disagrees; another process changed it. Run the load again."
        )
    return LoadReport(
        source.path,
        source.kind,
        load_id,
        rows,
        loaded,
        rejected,
        chunks,
        min(resume_from, chunks),
        False,
        rejects_path if rejected else None,
        counters.nodes_created,
        counters.relationships_created,
        counters.properties_set,
        time.monotonic() - started,
    )


def _write_chunk(tx: Tx, *, load_id: str, chunk: ParsedChunk, writer: ChunkWriter) -> WriteCounters:
    claimed = tx.run(
        "load_claim_chunk",
        {
            "loadId": load_id,
            "chunk": chunk.index,
            "rowsRead": chunk.rows_read,
            "rowsLoaded": chunk.rows_loaded,
            "rowsRejected": len(chunk.rejects),
        },
    )
    if not claimed:
        raise LoadConflictError(
            f"chunk {chunk.index} of this file was written by another loader meanwhile; "
            "only one load of a file may run at a time"
        )
    written = WriteCounters()
    for name, params in chunk_statements(writer, chunk.batch):
        for row in tx.run(name, params):
            # Writes inside the procedure are not in the statement's counters: it returns them.
            written = written + WriteCounters(
                nodes_created=row["nodesCreated"],
                relationships_created=row["relationshipsCreated"],
                properties_set=row["propertiesSet"],
            )
    return tx.counters + written


_DONE = object()


def _prefetched(chunks: Iterator[ParsedChunk], depth: int = 2) -> Iterator[ParsedChunk]:
    """Runs ``chunks`` in a background thread, ``depth`` chunks ahead of the consumer."""
    buffer: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for chunk in chunks:
                while not stop.is_set():
                    try:
                        buffer.put(chunk, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            buffer.put(_DONE)
        except BaseException as e:  # noqa: BLE001 - handed to the consumer, which re-raises
            buffer.put(e)

    thread = threading.Thread(target=produce, name="shopgraph-parse", daemon=True)
    thread.start()
    try:
        while True:
            item = buffer.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield cast(ParsedChunk, item)
    finally:
        stop.set()
        while thread.is_alive():
            try:
                buffer.get_nowait()
            except queue.Empty:
                thread.join(timeout=0.1)
