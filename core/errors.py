"""The one exception hierarchy of shopgraph.

Every error that shopgraph raises on purpose is a :class:`ShopgraphError`; the graph layer
translates Neo4j driver exceptions into it, so callers never need to import the driver.
Bad arguments to a function are plain :class:`ValueError` (for programmers), bad data and bad
settings are :class:`BadInputError` and :class:`ConfigError` (for operators)::

    ShopgraphError
    ├── ConfigError              a setting (environment, flag, mapping file) is wrong
    ├── GraphUnavailableError    Neo4j cannot be reached, or refused the credentials
    │   └── EmbeddedServerError  the embedded server cannot be built, started or stopped
    ├── QueryError               Neo4j rejected a statement (a bug, or a schema conflict)
    ├── BadInputError            an input file or row is invalid (names file, line, field)
    │   └── LoadConflictError    another load of the same file is running
    ├── UnknownEntityError       an item or user id is not in the graph
    └── ModelNotTrainedError     a model is needed and none has been trained or activated
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "BadInputError",
    "ConfigError",
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


class BadInputError(ShopgraphError):
    """An input file or one of its rows is invalid.

    Attributes:
        path: The file, when the error is about a file.
        line: The 1-based physical line number, when the error is about one row.
        field: The column name, when the error is about one field.
        reason: The explanation without the location prefix.
    """

    def __init__(
        self,
        reason: str,
        *,
        path: Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.reason = reason
        super().__init__(_locate(reason, path, line, field))


class LoadConflictError(BadInputError):
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


def _locate(reason: str, path: Path | None, line: int | None, field: str | None) -> str:
    where = []
    if path is not None:
        where.append(str(path) + (f":{line}" if line is not None else ""))
    if field:
        where.append(f"field {field!r}")
    return f"{', '.join(where)}: {reason}" if where else reason
