"""Neo4j access, loading and the client API of shopgraph.

The errors and settings every layer uses live in :mod:`shopgraph.core`; they are exported
here too, so that a client needs one import.
"""

from shopgraph.core.errors import (
    BadArgumentError,
    BadInputError,
    ConfigError,
    ConflictError,
    EmbeddedServerError,
    GraphUnavailableError,
    LoadConflictError,
    ModelNotTrainedError,
    QueryError,
    ShopgraphError,
    UnknownEntityError,
)
from shopgraph.core.settings import Settings
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.loading import LoadOptions, LoadProgress, LoadReport
from shopgraph.graph.stats import GraphStats

__all__ = [
    "BadArgumentError",
    "BadInputError",
    "ConfigError",
    "ConflictError",
    "EmbeddedServerError",
    "GraphStats",
    "GraphUnavailableError",
    "LoadConflictError",
    "LoadOptions",
    "LoadProgress",
    "LoadReport",
    "ModelNotTrainedError",
    "QueryError",
    "Settings",
    "ShopGraph",
    "ShopgraphError",
    "UnknownEntityError",
]
