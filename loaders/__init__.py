"""Raw files -> validated, normalised events -> batched graph rows.

Loaders never talk to Neo4j: they parse and validate input files (rejecting bad rows with
file, line, field and reason) and aggregate them into the rows of the graph's batched writes,
which :mod:`shopgraph.graph.loading` runs.
"""

from shopgraph.loaders.baskets import BasketLinesSource, ParquetSource, baskets_source
from shopgraph.loaders.mapping import ColumnMapping, DelimitedSource
from shopgraph.loaders.records import Event, EventType, OrderKind, Reject
from shopgraph.loaders.rees46 import REES46_MAPPING, rees46_source
from shopgraph.loaders.source import EventSource, ParsedChunk, read_rejects

__all__ = [
    "REES46_MAPPING",
    "BasketLinesSource",
    "ColumnMapping",
    "DelimitedSource",
    "Event",
    "EventSource",
    "EventType",
    "OrderKind",
    "ParquetSource",
    "ParsedChunk",
    "Reject",
    "baskets_source",
    "read_rejects",
    "rees46_source",
]
