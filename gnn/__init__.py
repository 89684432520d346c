"""The learned half of shopgraph: interaction data, GF-CF, LightGCN, training, evaluation.

The names below are imported on first use, so that ``shopgraph.gnn.metrics`` and
``shopgraph.gnn.data`` load without torch_geometric.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shopgraph.gnn.config import LightGCNConfig
    from shopgraph.gnn.data import IdMap, InteractionData, split_per_user
    from shopgraph.gnn.evaluate import evaluate
    from shopgraph.gnn.gfcf import GFCF, GFCFConfig
    from shopgraph.gnn.lightgcn import LightGCN

__all__ = [
    "GFCF",
    "GFCFConfig",
    "IdMap",
    "InteractionData",
    "LightGCN",
    "LightGCNConfig",
    "evaluate",
    "split_per_user",
]

_LAZY = {
    "GFCF": "shopgraph.gnn.gfcf",
    "GFCFConfig": "shopgraph.gnn.gfcf",
    "IdMap": "shopgraph.gnn.data",
    "InteractionData": "shopgraph.gnn.data",
    "LightGCN": "shopgraph.gnn.lightgcn",
    "LightGCNConfig": "shopgraph.gnn.config",
    "evaluate": "shopgraph.gnn.evaluate",
    "split_per_user": "shopgraph.gnn.data",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
