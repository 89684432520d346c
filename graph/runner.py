"""The one runner that talks to Neo4j.

:class:`GraphRunner` owns the process's :class:`neo4j.Driver`, runs named statements from
:mod:`shopgraph.cypher` in managed transactions (``execute_read`` / ``execute_write``) on the
configured database, consumes every result inside the transaction and returns plain values;
single read-only serving calls (procedure calls answering shoppers) take the one-round-trip
path of :meth:`GraphRunner.serve`, and idempotent writes (recorded events) the one-round-trip
path of :meth:`GraphRunner.write_idempotent`. Driver exceptions are translated into
:mod:`shopgraph.core.errors`.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields
from types import TracebackType
from typing import Any, TypeVar

import neo4j
from neo4j import exceptions as neo4j_errors

from shopgraph import cypher
from shopgraph.core.errors import (
    CODES,
    BadInputError,
    ConfigError,
    GraphUnavailableError,
    QueryError,
    ShopgraphError,
    UnknownEntityError,
)
from shopgraph.core.settings import Settings

__all__ = ["GraphRunner", "Tx", "WriteCounters"]

_log = logging.getLogger(__name__)
T = TypeVar("T")

Params = Mapping[str, Any]
Row = dict[str, Any]

#: How long :meth:`GraphRunner.write_idempotent` retries, as the driver retries managed ones.
_RETRY_SECONDS = 30.0
#: Runs of a serving statement when the server answers with a transient error (see ``serve``).
_SERVE_ATTEMPTS = 3

#: Where a procedure's error starts in a Neo4j message: ``[shopgraph.<code> ...] <sentence>``.
_PROCEDURE_ERROR = "[shopgraph."


@dataclass(frozen=True)
class WriteCounters:
    """What a write changed, summed over its statements."""

    nodes_created: int = 0
    nodes_deleted: int = 0
    relationships_created: int = 0
    relationships_deleted: int = 0
    properties_set: int = 0
    labels_added: int = 0

    def __add__(self, other: WriteCounters) -> WriteCounters:
        return WriteCounters(
            *(getattr(self, f.name) + getattr(other, f.name) for f in fields(self))
        )

    @classmethod
    def from_summary(cls, counters: neo4j.SummaryCounters) -> WriteCounters:
        return cls(
            nodes_created=counters.nodes_created,
            nodes_deleted=counters.nodes_deleted,
            relationships_created=counters.relationships_created,
            relationships_deleted=counters.relationships_deleted,
            properties_set=counters.properties_set,
            labels_added=counters.labels_added,
        )


class Tx:
    """A managed transaction handed to the work function of :meth:`GraphRunner.write_tx`.

    Runs named statements and consumes their results at once; the counters of all statements
    run through it are summed in :attr:`counters`.
    """

    def __init__(self, tx: neo4j.ManagedTransaction) -> None:
        self._tx = tx
        self.counters = WriteCounters()

    def run(self, name: str, params: Params | None = None) -> list[Row]:
        """Runs the statement ``<name>.cypher`` and returns its rows as dicts."""
        result = self._tx.run(cypher.load(name), dict(params or {}))
        rows = [record.data() for record in result]
        self.counters = self.counters + WriteCounters.from_summary(result.consume().counters)
        return rows

    def values(self, name: str, params: Params | None = None) -> list[list[Any]]:
        """Runs ``<name>.cypher`` and returns its rows as lists of values (fast for big reads)."""
        result = self._tx.run(cypher.load(name), dict(params or {}))
        rows = result.values()
        self.counters = self.counters + WriteCounters.from_summary(result.consume().counters)
        return rows


class GraphRunner:
    """Owns the Neo4j driver; runs named Cypher statements in managed transactions.

    Use one per process, as a context manager so the driver is closed::

        with GraphRunner.from_settings(Settings.from_env()) as runner:
            rows = runner.read("graph_stats")

    Args:
        uri: Bolt or neo4j URI.
        auth: ``(user, password)`` or ``None`` when the server has auth off.
        database: Database name passed to every transaction.
    """

    def __init__(self, uri: str, auth: tuple[str, str] | None, database: str) -> None:
        self.uri = uri
        self.database = database
        with _translated(uri):
            self._driver = neo4j.GraphDatabase.driver(
                uri,
                auth=auth,
                notifications_min_severity="OFF",
                max_transaction_retry_time=30.0,
            )
        self._local = threading.local()
        self._serving_sessions: list[neo4j.Session] = []
        self._serving_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> GraphRunner:
        """Builds a runner for the server the settings point at."""
        return cls(settings.bolt_uri, settings.auth, settings.database)

    def __enter__(self) -> GraphRunner:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Closes the serving sessions, the driver and its connections."""
        with self._serving_lock:
            sessions, self._serving_sessions = self._serving_sessions, []
        for session in sessions:
            session.close()
        self._driver.close()

    def verify(self) -> str:
        """Checks that Neo4j answers and returns its agent string, e.g. ``Neo4j/5.26.30``.

        Raises:
            GraphUnavailableError: When it does not answer or refuses the credentials.
        """
        with _translated(self.uri):
            info = self._driver.get_server_info()
        return str(info.agent)

    def read(self, name: str, params: Params | None = None) -> list[Row]:
        """Runs a read statement in a managed read transaction and returns its rows."""
        with _translated(self.uri), self._session() as session:
            return session.execute_read(_run_rows, cypher.load(name), dict(params or {}))

    def serve(self, name: str, params: Params | None = None) -> list[list[Any]]:
        """Runs one read-only serving statement (a procedure call) with the least latency.

        A serving statement returns one record whose one column is its whole answer: the
        procedure's rows, in order, each a list of values in the statement's column order
        (``RETURN collect([itemId, score, ...]) AS rows``). The driver reads every Bolt
        message with two socket reads and builds a record for each, so one message for the
        answer instead of one per row saves most of the client's work on a 10-row answer and
        more on the 100 rows of a candidate list.

        A serving call is a single read-only statement, so it runs as an auto-commit
        transaction on a read session kept per thread: one network round trip, where a managed
        transaction on a new session costs a session set-up and BEGIN and COMMIT round trips
        (``benchmarks/serving.py`` measures both). A transient error (the server asks for a
        retry, e.g. a read that met data a concurrent writer had just changed) is retried, up
        to ``_SERVE_ATTEMPTS`` runs in all: the statement only reads. On
        :class:`~shopgraph.core.errors.GraphUnavailableError` call again.

        Returns:
            The answer's rows.

        Raises:
            QueryError: When the statement does not return exactly one record.
        """
        session = self._thread_session("session", neo4j.READ_ACCESS)
        query = cypher.load(name)
        values = dict(params or {})
        with _translated(self.uri):
            for attempt in range(1, _SERVE_ATTEMPTS + 1):
                try:
                    record = session.run(query, values).single(strict=True)
                    break
                except neo4j_errors.ResultNotSingleError as e:
                    raise QueryError(
                        f"The serving statement {name!r} must return exactly one record: {e}"
                    ) from e
                except neo4j_errors.TransientError as e:
                    if attempt == _SERVE_ATTEMPTS:
                        raise
                    _log.debug("retrying %s after %s", name, e)
        rows: list[list[Any]] = record[0]
        return rows

    def write_idempotent(self, name: str, params: Params | None = None) -> list[Row]:
        """Runs one idempotent write statement with the least latency, retrying until it commits.

        The statement runs as an auto-commit transaction (one transaction: all of it commits,
        or nothing) on a write session kept per thread: one network round trip, where a managed
        transaction on a new session costs a session set-up and BEGIN and COMMIT round trips.
        Transient errors (a deadlock with a concurrent writer) and a lost connection are retried
        with a growing, jittered pause for up to 30 seconds. That is safe only because running
        the statement twice changes nothing the first run did not (recording events by their
        ids): after a lost connection the first run may have committed.

        Returns:
            The statement's rows.
        """
        query = cypher.load(name)
        values = dict(params or {})
        deadline = time.monotonic() + _RETRY_SECONDS
        pause = 0.005
        with _translated(self.uri):
            while True:
                session = self._thread_session("write_session", neo4j.WRITE_ACCESS)
                try:
                    return [record.data() for record in session.run(query, values)]
                except (
                    neo4j_errors.TransientError,
                    neo4j_errors.ServiceUnavailable,
                    neo4j_errors.SessionExpired,
                ) as e:
                    if not isinstance(e, neo4j_errors.TransientError):
                        self._drop_thread_session("write_session")
                    if time.monotonic() + pause > deadline:
                        raise
                    _log.debug("retrying %s after %s", name, e)
                    time.sleep(pause * (0.5 + random.random()))
                    pause = min(2 * pause, 1.0)

    def _thread_session(self, slot: str, mode: str) -> neo4j.Session:
        """This thread's session in ``slot``, opened on first use and closed by :meth:`close`."""
        session: neo4j.Session | None = getattr(self._local, slot, None)
        if session is None:
            session = self._driver.session(database=self.database, default_access_mode=mode)
            setattr(self._local, slot, session)
            with self._serving_lock:
                self._serving_sessions.append(session)
        return session

    def _drop_thread_session(self, slot: str) -> None:
        session: neo4j.Session | None = getattr(self._local, slot, None)
        if session is None:
            return
        setattr(self._local, slot, None)
        with self._serving_lock:
            if session in self._serving_sessions:
                self._serving_sessions.remove(session)
        session.close()

    def read_values(self, name: str, params: Params | None = None) -> list[list[Any]]:
        """Runs a read statement and returns its rows as lists of values (fast for big reads)."""
        with _translated(self.uri), self._session() as session:
            return session.execute_read(_run_values, cypher.load(name), dict(params or {}))

    def write(self, name: str, params: Params | None = None) -> list[Row]:
        """Runs a write statement in a managed write transaction and returns its rows."""
        return self.write_tx(lambda tx: tx.run(name, params))

    def write_tx(self, work: Callable[[Tx], T]) -> T:
        """Runs ``work`` in one managed write transaction: all of it commits, or nothing.

        ``work`` may be retried on transient errors, so it must only run statements through
        the :class:`Tx` it is given.
        """
        with _translated(self.uri), self._session() as session:
            return session.execute_write(lambda tx: work(Tx(tx)))

    def read_tx(self, work: Callable[[Tx], T]) -> T:
        """Runs ``work`` in one managed read transaction."""
        with _translated(self.uri), self._session() as session:
            return session.execute_read(lambda tx: work(Tx(tx)))

    def run_schema(self) -> int:
        """Creates the constraints and indexes of ``schema.cypher`` (idempotent).

        Returns:
            The number of statements run.
        """
        statements = cypher.schema_statements()
        with _translated(self.uri), self._session() as session:
            for statement in statements:
                session.run(statement).consume()
        self.await_indexes()
        return len(statements)

    def await_indexes(self, seconds: int = 300) -> None:
        """Waits until every index is online (after creating one or writing many vectors)."""
        with _translated(self.uri), self._session() as session:
            session.run(cypher.load("await_indexes"), {"seconds": seconds}).consume()

    def _session(self) -> neo4j.Session:
        return self._driver.session(database=self.database)


def _run_rows(tx: neo4j.ManagedTransaction, query: str, params: dict[str, Any]) -> list[Row]:
    return [record.data() for record in tx.run(query, params)]


def _run_values(
    tx: neo4j.ManagedTransaction, query: str, params: dict[str, Any]
) -> list[list[Any]]:
    return tx.run(query, params).values()


@contextmanager
def _translated(uri: str) -> Iterator[None]:
    """Translates driver exceptions into shopgraph errors."""
    try:
        yield
    except neo4j_errors.AuthError as e:
        raise GraphUnavailableError(
            f"Neo4j at {uri} refused the credentials ({e.message}); "
            "check NEO4J_USER and NEO4J_PASSWORD."
        ) from e
    except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired) as e:
        raise GraphUnavailableError(
            f"Neo4j at {uri} is not reachable ({e}). Start the embedded server with "
            "`shopgraph neo4j start`, or point NEO4J_URI at a running Neo4j."
        ) from e
    except neo4j_errors.ConfigurationError as e:
        raise ConfigError(f"The Neo4j connection settings are invalid: {e}") from e
    except neo4j_errors.Neo4jError as e:
        code = e.code or "Neo.Unknown"
        message = e.message or str(e)
        if code.endswith("DatabaseNotFound"):
            raise ConfigError(f"Neo4j at {uri} has no database of that name: {message}") from e
        error = _procedure_error(message)
        if error is not None:
            raise error from e
        raise QueryError(f"{code}: {message}") from e


def _procedure_error(message: str) -> ShopgraphError | None:
    """The shopgraph error that a procedure signalled in a Neo4j error message, if any.

    Procedures end their message with ``[CODE] SENTENCE`` or ``[CODE DETAILS] SENTENCE``,
    ``DETAILS`` being one JSON object (the plugin's ``ShopgraphException``). The code picks the
    class from :data:`~shopgraph.core.errors.CODES`; unknown ids come back as
    ``UnknownEntityError(kind, ids)`` and bad input as ``BadInputError(sentence, index=,
    field=)`` from the details, every other class with the sentence.

    Args:
        message: The message of a Neo4j error.

    Returns:
        The error to raise, or ``None`` when the message carries no code this client knows
        (it is then a plain :class:`~shopgraph.core.errors.QueryError`).
    """
    start = message.find(_PROCEDURE_ERROR)
    if start < 0:
        return None
    position = start + 1
    end = position
    while end < len(message) and message[end] not in " ]":
        end += 1
    code = message[position:end]
    details: dict[str, Any] = {}
    if message.startswith(" {", end):
        try:
            parsed, end = json.JSONDecoder().raw_decode(message, end + 1)
        except json.JSONDecodeError:
            return None
        if not isinstance(parsed, dict):
            return None
        details = parsed
    if not message.startswith("] ", end):
        return None
    sentence = message[end + 2 :].strip()
    kind = CODES.get(code)
    if kind is None:
        return None
    if kind is UnknownEntityError:
        ids = details.get("ids")
        if not isinstance(details.get("kind"), str) or not isinstance(ids, list):
            return None
        return UnknownEntityError(details["kind"], [str(i) for i in ids])
    if kind is BadInputError:
        index = details.get("index")
        field = details.get("field")
        return BadInputError(
            sentence,
            index=index if isinstance(index, int) else None,
            field=field if isinstance(field, str) else None,
        )
    return kind(sentence)
