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
from shopgraph.graph.catalog import CLEAR, CatalogItem, UpsertReport
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.erasure import ForgetReport
from shopgraph.graph.identity import MergeReport
from shopgraph.graph.live import Event, FeedbackKind, FeedbackReport, RecordReport
from shopgraph.graph.loading import LoadOptions, LoadProgress, LoadReport
from shopgraph.graph.stats import GraphStats
from shopgraph.loaders.records import EventType

__all__ = [
    "CLEAR",
    "BadArgumentError",
    "BadInputError",
    "CatalogItem",
    "ConfigError",
    "ConflictError",
    "EmbeddedServerError",
    "Event",
    "EventType",
    "FeedbackKind",
    "FeedbackReport",
    "ForgetReport",
    "GraphStats",
    "GraphUnavailableError",
    "LoadConflictError",
    "LoadOptions",
    "LoadProgress",
    "LoadReport",
    "MergeReport",
    "ModelNotTrainedError",
    "QueryError",
    "RecordReport",
    "Settings",
    "ShopGraph",
    "ShopgraphError",
    "UnknownEntityError",
    "UpsertReport",
]
