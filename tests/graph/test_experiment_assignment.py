"""Assignment: the Python rule against the committed vectors the Java tests check too."""

from __future__ import annotations

import hashlib
import importlib.util
from types import ModuleType

import pytest

from shopgraph.graph.experiments.assignment import assign, bucket

from conftest import REPO

VECTORS = REPO / "cypher/plugin/src/test/resources/io/shopgraph/plugin/experiment"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_assignment_vectors", VECTORS / "make_assignment_vectors.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows() -> list[list[str]]:
    text = (VECTORS / "assignment_vectors.tsv").read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if not line.startswith("#")]


def test_the_committed_vectors_are_what_the_generator_renders() -> None:
    committed = (VECTORS / "assignment_vectors.tsv").read_text(encoding="utf-8")
    assert committed == _generator().render()
    assert len(_rows()) == 1140


def test_every_vector_gives_its_point_and_variant() -> None:
    for salt, unit, shares, h, u53, variant in _rows():
        digest = hashlib.sha256(f"{salt}:{unit}".encode()).hexdigest()
        assert digest[:16] == h
        assert bucket(salt, unit) * 2**53 == int(u53)
        assert assign(salt, unit, [float(s) for s in shares.split(",")]) == int(variant)


def test_by_hand_the_first_eight_bytes_of_sha256() -> None:
    # printf '%s' 'exp-1:u1' | sha256sum -> c291368a05220224 482366244156bd6a...
    assert bucket("exp-1", "u1") == (0xC291368A05220224 >> 11) / 2**53
    # u = 0.7599...: above 0.5 (the second of two halves), below 0.9 (the first of 90/10).
    assert assign("exp-1", "u1", [0.5, 0.5]) == 1
    assert assign("exp-1", "u1", [0.9, 0.1]) == 0
    assert assign("exp-1", "u1", [0.25, 0.25, 0.25, 0.25]) == 3


def test_the_split_is_near_its_shares_over_many_ids() -> None:
    counts = [0, 0, 0]
    for n in range(30_000):
        counts[assign("share-check", f"user-{n}", [0.2, 0.3, 0.5])] += 1
    # Binomial standard deviations: about 69, 79 and 87; 4 of them either way.
    assert abs(counts[0] - 6_000) < 280
    assert abs(counts[1] - 9_000) < 320
    assert abs(counts[2] - 15_000) < 350


def test_an_assignment_needs_a_share() -> None:
    with pytest.raises(ValueError, match="at least one variant share"):
        assign("s", "u", [])
