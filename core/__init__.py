"""The bottom layer of shopgraph: the error hierarchy, the settings and the timezone check
(:mod:`~shopgraph.core.times`) every layer uses.

Nothing here imports another shopgraph package, so :mod:`shopgraph.loaders`,
:mod:`shopgraph.gnn`, :mod:`shopgraph.graph` and the rest can all import it without a cycle::

    shopgraph.cli          the command line (nothing imports it)
    shopgraph.evaluation   protocols, baselines, attack generators (never imported by serving)
    shopgraph.graph        Neo4j access, loading, the client, serving, the embedded server
    shopgraph.gnn          models and training
    shopgraph.loaders      raw files -> validated events -> batched graph rows
    shopgraph.cypher       the Cypher statements, loaded by name
    shopgraph.core         errors and settings
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

__all__ = [
    "BadArgumentError",
    "BadInputError",
    "ConfigError",
    "ConflictError",
    "EmbeddedServerError",
    "GraphUnavailableError",
    "LoadConflictError",
    "ModelNotTrainedError",
    "QueryError",
    "Settings",
    "ShopgraphError",
    "UnknownEntityError",
]
