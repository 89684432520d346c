"""Renders assignment_vectors.tsv: test vectors of the experiment assignment rule.

Run from anywhere: ``python make_assignment_vectors.py > assignment_vectors.tsv``. The Java
tests (``AssignmentTest``) and the Python tests (``tests/graph/test_experiment_assignment.py``)
check their implementations against the committed file, and the Python tests check that the
committed file is what this script renders.

The rule (graph/experiments/assignment.py): ``h`` = the first 8 bytes of SHA-256(UTF-8(salt +
":" + id)), big-endian, unsigned; ``u53 = h >> 11``; the variant is the first ``i`` whose
cumulative share (summed left to right in double precision) exceeds ``u53 / 2**53``, the last
variant taking the rest. This script states it in integers and exact fractions, apart from the
module it checks: ``u53 < Fraction(c_i) * 2**53``. ``h`` can be checked by hand:
``printf '%s' 'salt:id' | sha256sum`` and its first 16 hex digits.

Columns: salt, id, shares (comma-separated, as Python writes floats), h (16 hex digits), u53
(decimal), variant (0-based index).
"""

from __future__ import annotations

import hashlib
from fractions import Fraction

SHARES = [
    [0.5, 0.5],
    [0.1, 0.2, 0.7],
    [0.9, 0.1],
    [1 / 3, 1 / 3, 1 / 3],
    [0.25, 0.25, 0.25, 0.25],
    [1.0],
]
SALTS = ["exp-1", "bundle-cfg-2024", "sälz", "a:b"]
IDS = [
    "u1",
    "517953667",
    "visitor-0f3a",
    "ünïcødé-用户",
    "id:with:colons",
    " spaced id ",
    "x" * 200,
    *(f"user-{n}" for n in range(40)),
]
# The ids among user-0 ... user-1999999 whose u is nearest to 0.5 from below and from above
# under salt "edge" (the boundary of a 50/50 split): found once by find_edge_ids() (about 10 s,
# `python make_assignment_vectors.py --find-edges`) and kept here so the file renders fast.
EDGE_SALT = "edge"
EDGE_IDS = ["user-1641329", "user-1858681"]


def _h(salt: str, unit: str) -> int:
    return int.from_bytes(hashlib.sha256((salt + ":" + unit).encode("utf-8")).digest()[:8], "big")


def _variant(u53: int, shares: list[float]) -> int:
    total = 0.0
    for index, share in enumerate(shares[:-1]):
        total += share
        if u53 < Fraction(total) * 2**53:
            return index
    return len(shares) - 1


def find_edge_ids() -> list[str]:
    """The ids among user-0 ... user-1999999 whose u is nearest to 0.5 from below and above."""
    half = 2**52
    below = above = None
    for n in range(2_000_000):
        unit = f"user-{n}"
        u53 = _h(EDGE_SALT, unit) >> 11
        if u53 < half and (below is None or u53 > below[0]):
            below = (u53, unit)
        if u53 >= half and (above is None or u53 < above[0]):
            above = (u53, unit)
    assert below is not None and above is not None
    return [below[1], above[1]]


def render() -> str:
    lines = ["# salt\tid\tshares\th\tu53\tvariant"]
    rows = [(salt, unit) for salt in SALTS for unit in IDS]
    rows += [(EDGE_SALT, unit) for unit in EDGE_IDS]
    for salt, unit in rows:
        h = _h(salt, unit)
        for shares in SHARES:
            text = ",".join(repr(s) for s in shares)
            lines.append(f"{salt}\t{unit}\t{text}\t{h:016x}\t{h >> 11}\t{_variant(h >> 11, shares)}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys

    print(find_edge_ids() if sys.argv[1:] == ["--find-edges"] else render(), end="")
