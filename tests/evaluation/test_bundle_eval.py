"""``shopgraph eval bundles`` on a real slice of UCI Online Retail, against the real server.

The served bundles (``CALL shopgraph.bundle`` through the client), the readable Cypher
statement ``cypher/bundle.cypher`` and the reference scorer of :mod:`shopgraph.evaluation.bundles`
must give the same lists on every test cart, so the evaluation measures what users get.
"""

from __future__ import annotations

from pathlib import Path

import neo4j
import pandas as pd
import pytest

from shopgraph import cli
from shopgraph.core.errors import ConfigError
from shopgraph.core.settings import Settings
from shopgraph.evaluation.bundle_eval import evaluate_bundles
from shopgraph.evaluation.bundle_protocol import build_protocol, bundle_metrics
from shopgraph.evaluation.bundles import CoPurchaseScorer
from shopgraph.graph.client import ShopGraph

#: Invoices below this index: about 900 orders with at least two products.
_SLICE = 1_500


@pytest.fixture(scope="module")
def uci_slice(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = pd.read_parquet(data_dir / "uci-online-retail" / "baskets_long.parquet")
    path = tmp_path_factory.mktemp("uci") / "baskets_long.parquet"
    rows[rows["basket_idx"] < _SLICE].to_parquet(path)
    return path


def test_served_bundles_equal_the_reference_scorer_and_the_cypher_statement(
    shop: ShopGraph, uci_slice: Path
) -> None:
    stages: list[str] = []
    report = evaluate_bundles(
        shop,
        uci_slice,
        rule_supports=(0.03,),
        progress=lambda stage, done, total: stages.append(stage),
    )
    protocol = build_protocol(uci_slice)
    assert (report.train_baskets, report.test_cases) == (len(protocol.train), len(protocol.test))
    assert report.test_cases > 150
    assert [r.method for r in report.results] == [
        "shopgraph bundle (procedure)",
        "popularity",
        "co-occurrence count",
        "item cosine",
        "association rules (support 0.03, by confidence)",
        "association rules (support 0.03, by lift)",
    ]
    assert set(stages) == {r.method for r in report.results}

    scorer = CoPurchaseScorer().fit(protocol.train)
    known = set(protocol.catalogue)
    reference: list[list[str]] = []
    for n, case in enumerate(protocol.test):
        cart = [item for item in case.cart if item in known]
        expected = scorer.recommend_ids(cart, 10) if cart else []
        reference.append(expected)
        if cart:
            assert [item.item_id for item in shop.bundle(cart, 10)] == expected, case
        if cart and n % 40 == 0:
            rows = shop.runner.read("bundle", {"cart": cart, "k": 10, "config": {}})
            assert [row["itemId"] for row in rows] == expected, case
    metrics = bundle_metrics(
        reference, [case.held_out for case in protocol.test], protocol.catalogue, 10
    )
    served = report.results[0]
    assert served.hit_rate == pytest.approx(metrics["hit_rate@10"], abs=1e-12)
    assert served.mrr == pytest.approx(metrics["mrr@10"], abs=1e-12)
    assert served.hit_rate > report.best_baseline.hit_rate


def test_the_evaluation_refuses_a_graph_with_data(
    shop: ShopGraph, settings: Settings, uci_slice: Path
) -> None:
    with (
        neo4j.GraphDatabase.driver(settings.bolt_uri, auth=settings.auth) as driver,
        driver.session(database=settings.database) as session,
    ):
        session.run("CREATE (:Item {itemId: 'x'})").consume()
    with pytest.raises(ConfigError, match="needs an empty graph"):
        evaluate_bundles(shop, uci_slice)


def test_cli_rejects_a_missing_dataset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere.parquet"
    assert cli.main(["eval", "bundles", "--dataset", str(missing), "--no-progress"]) == 1
    assert f"No UCI Online Retail baskets at {missing}" in capsys.readouterr().err
