"""A scoped torch CPU thread count, so models never change the process setting for good."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch

__all__ = ["torch_threads"]


@contextmanager
def torch_threads(count: int) -> Iterator[None]:
    """Runs the block with ``torch.set_num_threads(count)``, then restores the old count.

    Args:
        count: Threads for torch's CPU kernels; 0 leaves the current setting alone.
    """
    if count < 0:
        raise ValueError(f"count must be at least 0, got {count}.")
    previous = torch.get_num_threads()
    if count:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        if count:
            torch.set_num_threads(previous)
