"""The learned half of shopgraph: export to PyTorch Geometric, LightGCN, training, evaluation."""

__all__: list[str] = []
