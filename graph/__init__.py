"""Neo4j access, the client API, loading and settings of shopgraph.

The client and loading names are imported on first use, so that the bottom layer
(:mod:`shopgraph.loaders`) can import :mod:`shopgraph.graph.errors` without a cycle.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from shopgraph.graph.errors import (
    BadInputError,
    ConfigError,
    EmbeddedServerError,
    GraphUnavailableError,
    LoadConflictError,
    ModelNotTrainedError,
    QueryError,
    ShopgraphError,
    UnknownEntityError,
)
from shopgraph.graph.settings import Settings

if TYPE_CHECKING:
    from shopgraph.graph.client import ShopGraph
    from shopgraph.graph.loading import LoadOptions, LoadProgress, LoadReport
    from shopgraph.graph.stats import GraphStats

__all__ = [
    "BadInputError",
    "ConfigError",
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

_LAZY = {
    "ShopGraph": "shopgraph.graph.client",
    "LoadOptions": "shopgraph.graph.loading",
    "LoadProgress": "shopgraph.graph.loading",
    "LoadReport": "shopgraph.graph.loading",
    "GraphStats": "shopgraph.graph.stats",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
