"""Counts of the graph: nodes and relationships, per label and per relationship type."""

from __future__ import annotations

from dataclasses import dataclass

from shopgraph.graph.runner import GraphRunner

__all__ = ["GraphStats", "graph_stats"]

#: Labels that are bookkeeping rather than shop data.
BOOKKEEPING_LABELS = frozenset({"Load", "RecordedEvent"})


@dataclass(frozen=True)
class GraphStats:
    """Node and relationship counts.

    Attributes:
        nodes: All nodes.
        relationships: All relationships.
        labels: Label -> node count, labels with no node left out.
        types: Relationship type -> count, types with no relationship left out.
    """

    nodes: int
    relationships: int
    labels: dict[str, int]
    types: dict[str, int]

    @property
    def shop_labels(self) -> dict[str, int]:
        """Label counts without bookkeeping labels (``Load``, ``RecordedEvent``)."""
        return {k: v for k, v in self.labels.items() if k not in BOOKKEEPING_LABELS}

    def as_dict(self) -> dict[str, object]:
        return {
            "nodes": self.nodes,
            "relationships": self.relationships,
            "labels": self.labels,
            "types": self.types,
        }


def graph_stats(runner: GraphRunner) -> GraphStats:
    """Reads the counts from Neo4j's count store (constant time)."""
    row = runner.read("graph_stats")[0]
    return GraphStats(
        nodes=int(row["nodes"] or 0),
        relationships=int(row["relationships"] or 0),
        labels={str(k): int(v) for k, v in sorted(row["labels"]) if v},
        types={str(k): int(v) for k, v in sorted(row["types"]) if v},
    )
