"""Deterministic assignment of users (or visitors) to the variants of an experiment.

The rule, identical in this module, in the plugin (``io.shopgraph.plugin.experiment.Assignment``)
and therefore in every client and procedure:

1. ``digest = SHA-256(UTF-8(salt + ":" + id))``.
2. ``h`` = the first 8 bytes of the digest as an unsigned 64-bit big-endian number.
3. ``u = floor(h / 2**11) / 2**53``: ``h / 2**64`` cut to the 53 bits a double holds exactly,
   so both languages compute the same ``u`` in ``[0, 1)`` without rounding.
4. The variants' traffic shares are summed left to right, in declaration order, in double
   precision: ``c_0 = s_0``, ``c_i = c_(i-1) + s_i``. The variant is the first ``i`` with
   ``u < c_i``; the last variant takes every ``u`` beyond the others (so a sum that rounds
   below 1 leaves no gap).

A user keeps the same variant for the whole experiment (same salt, same shares). A new salt
reshuffles everyone independently of the old assignment. The committed test vectors
``cypher/plugin/src/test/resources/io/shopgraph/plugin/experiment/assignment_vectors.tsv`` are
checked by the Python and the Java tests.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

__all__ = ["assign", "bucket"]

_SHIFT = 11
_SCALE = float(2**53)


def bucket(salt: str, unit: str) -> float:
    """The point ``u`` in ``[0, 1)`` of a user (or visitor) id under a salt (steps 1-3).

    Args:
        salt: The experiment's salt.
        unit: The user or visitor id.

    Returns:
        ``floor(h / 2**11) / 2**53``, ``h`` the first 8 bytes of ``SHA-256(salt:id)``.
    """
    digest = hashlib.sha256(f"{salt}:{unit}".encode()).digest()
    h = int.from_bytes(digest[:8], "big")
    return (h >> _SHIFT) / _SCALE


def assign(salt: str, unit: str, shares: Sequence[float]) -> int:
    """The index of the variant a user (or visitor) id falls in (step 4).

    Args:
        salt: The experiment's salt.
        unit: The user or visitor id.
        shares: The variants' traffic shares in declaration order (positive, summing to 1;
            :class:`~shopgraph.graph.experiments.definition.Experiment` checks them).

    Returns:
        The 0-based index of the variant.

    Raises:
        ValueError: When ``shares`` is empty.
    """
    if not shares:
        raise ValueError("An assignment needs at least one variant share.")
    u = bucket(salt, unit)
    cumulative = 0.0
    for index, share in enumerate(shares[:-1]):
        cumulative += share
        if u < cumulative:
            return index
    return len(shares) - 1
