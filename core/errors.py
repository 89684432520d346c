"""The one exception hierarchy of shopgraph.

Every error that shopgraph raises on purpose is a :class:`ShopgraphError`; the graph layer
translates Neo4j driver exceptions into it, so callers never need to import the driver::

    ShopgraphError
    ├── ConfigError              a setting (environment, flag, mapping file) is wrong
    ├── GraphUnavailableError    Neo4j cannot be reached, or refused the credentials
    │   └── EmbeddedServerError  the embedded server cannot be built, started or stopped
    ├── QueryError               Neo4j rejected a statement (a bug, or a schema conflict)
    ├── BadArgumentError         an argument of a call is invalid (also a ValueError)
    ├── BadInputError            input data is invalid: a file, a row, an event of a batch
    ├── UnknownEntityError       an id (item, user, model version, ...) is not in the graph
    ├── ConflictError            the graph's current state forbids the call
    │   └── LoadConflictError    another load of the same file is running
    └── ModelNotTrainedError     a model is needed and none has been trained or activated

Each class means one thing. A bad argument (``k`` out of range, an unknown config key, a
naive datetime where a timezone is required) is a :class:`BadArgumentError` whether the
client's own check or a procedure finds it, with the same sentence. Procedures signal their
errors with a stable code (:data:`CODES`) that the graph layer turns back into these classes.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "CODES",
    "BadArgumentError",
    "BadInputError",
    "ConfigError",
    "ConflictError",
    "EmbeddedServerError",
    "GraphUnavailableError",
    "LoadConflictError",
    "ModelNotTrainedError",
    "QueryError",
    "ShopgraphError",
    "UnknownEntityError",
]


class ShopgraphError(Exception):
    """Base class of every error shopgraph raises on purpose."""


class ConfigError(ShopgraphError):
    """A setting is missing or wrong: an environment variable, a flag or a mapping file."""


class GraphUnavailableError(ShopgraphError):
    """Neo4j cannot be reached, or it refused the credentials."""


class EmbeddedServerError(GraphUnavailableError):
    """The embedded Neo4j cannot be built, started or stopped (Java, Maven, port, data dir)."""


class QueryError(ShopgraphError):
    """Neo4j rejected a statement; the message carries Neo4j's code and explanation."""


class BadArgumentError(ShopgraphError, ValueError):
    """An argument of a call is invalid: out of range, of the wrong type, or unknown.

    It is also a :class:`ValueError`, so code that validates arguments the standard way
    catches it. The message is one full sentence, the same from the client and the procedures.
    """


class BadInputError(ShopgraphError):
    """Input data is invalid: a file, one of its rows, or an event of a batch.

    Attributes:
        path: The file, when the error is about a file.
        line: The 1-based physical line number, when the error is about one row of a file.
        index: The 0-based index in the batch, when the error is about one element of a batch
            (an event, an item) sent through the API.
        field: The field or column name, when the error is about one field.
        reason: The explanation without the location prefix.
    """

    def __init__(
        self,
        reason: str,
        *,
        path: Path | None = None,
        line: int | None = None,
        index: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.index = index
        self.field = field
        self.reason = reason
        super().__init__(_locate(reason, path, line, index, field))


class ConflictError(ShopgraphError):
    """The graph's current state forbids the call: a version name is taken, there is no
    previous model version to roll back to, another writer holds what the call needs."""


class LoadConflictError(ConflictError):
    """Another loader is writing the same file right now; only one may run at a time."""


class UnknownEntityError(ShopgraphError):
    """One or more ids are not in the graph.

    Attributes:
        kind: What the ids are, e.g. ``"item"`` or ``"user"``.
        ids: The unknown ids, in the order they were given.
    """

    def __init__(self, kind: str, ids: list[str]) -> None:
        self.kind = kind
        self.ids = ids
        shown = ", ".join(ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
        super().__init__(f"Unknown {kind} id{'s' if len(ids) != 1 else ''}: {shown}.")


class ModelNotTrainedError(ShopgraphError):
    """A trained model is needed and none exists or none is active."""


#: The stable codes with which the procedures signal errors, and the class each becomes.
CODES: dict[str, type[ShopgraphError]] = {
    "shopgraph.bad_argument": BadArgumentError,
    "shopgraph.bad_input": BadInputError,
    "shopgraph.unknown_id": UnknownEntityError,
    "shopgraph.conflict": ConflictError,
    "shopgraph.model_not_trained": ModelNotTrainedError,
}


def _locate(
    reason: str, path: Path | None, line: int | None, index: int | None, field: str | None
) -> str:
    where = []
    if path is not None:
        where.append(str(path) + (f":{line}" if line is not None else ""))
    if index is not None:
        where.append(f"index {index}")
    if field:
        where.append(f"field {field!r}")
    return f"{', '.join(where)}: {reason}" if where else reason
