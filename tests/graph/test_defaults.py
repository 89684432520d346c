"""Python's defaults equal the procedures': read from the server's own signatures."""

from __future__ import annotations

import inspect
import re

import pytest

from shopgraph.graph import recommend as serving
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.runner import GraphRunner

#: Serving procedure -> (its Python function, the client's method, the id argument's name).
SERVING = {
    "shopgraph.bundle": (serving.bundle, ShopGraph.bundle, "cart"),
    "shopgraph.recommend": (serving.recommend, ShopGraph.recommend, "userId"),
    "shopgraph.similar": (serving.similar, ShopGraph.similar, "itemId"),
    "shopgraph.candidates": (serving.candidates, ShopGraph.candidates, "query"),
}


def _signatures(runner: GraphRunner) -> dict[str, str]:
    with runner._driver.session(database=runner.database) as session:
        rows = session.run(
            "SHOW PROCEDURES YIELD name, signature WHERE name STARTS WITH 'shopgraph.' "
            "RETURN name, signature"
        ).data()
    return {row["name"]: row["signature"] for row in rows}


@pytest.mark.parametrize("name", sorted(SERVING))
def test_default_k_and_id_argument_match_the_procedure(runner: GraphRunner, name: str) -> None:
    signature = _signatures(runner)[name]
    function, method, id_argument = SERVING[name]
    arguments = re.match(rf"^{re.escape(name)}\((?P<args>.*)\) ::", signature)
    assert arguments is not None, signature
    first = arguments.group("args").split(",")[0].strip()
    assert first.startswith(f"{id_argument} :: "), signature
    k_default = re.search(r"\bk = (?P<k>\d+) :: INTEGER", signature)
    assert k_default is not None, signature
    assert int(k_default.group("k")) == 10
    assert inspect.signature(function).parameters["k"].default == 10
    assert inspect.signature(method).parameters["k"].default == 10
