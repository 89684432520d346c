"""The bundle reference cases that the Java tests replay are what the Python reference gives.

``ReferenceCasesTest`` (Java) checks ``BundleScorer`` against the committed
``reference_cases.txt``; this test renders the cases again from the Python reference
(:mod:`shopgraph.evaluation.bundles`), so a change to the reference that is not carried into
the committed file fails here instead of leaving the Java test checking stale numbers.
"""

from __future__ import annotations

import importlib.util
from types import ModuleType

from conftest import REPO

CASES = REPO / "cypher/plugin/src/test/resources/io/shopgraph/plugin/bundle"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_reference_cases", CASES / "make_reference_cases.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_cases_equal_the_python_reference() -> None:
    committed = (CASES / "reference_cases.txt").read_text(encoding="utf-8").splitlines()
    rendered = _generator().render().splitlines()
    assert len(rendered) == len(committed)
    for number, (want, got) in enumerate(zip(rendered, committed, strict=True), start=1):
        assert got == want, f"reference_cases.txt:{number} is stale; run make_reference_cases.py"
    assert sum(line.startswith("case ") for line in committed) == 100
    assert any(line.startswith("row ") for line in committed)
