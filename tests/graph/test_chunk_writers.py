"""Both chunk writers give the same graph: the plugin's shopgraph.load.chunk and the Cypher
MERGE statements (the readable reference), on real files, with chunks small enough that
sessions, orders and items span chunks (so every "add to what is stored" path runs)."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from shopgraph.core.errors import BadInputError
from shopgraph.core.settings import Settings
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.loading import ChunkWriter, LoadOptions, LoadReport, chunk_statements
from shopgraph.graph.runner import Tx
from shopgraph.loaders.batch import GraphBatch

from conftest import wipe

SAMPLE = (
    Path(__file__).resolve().parents[2] / "loaders" / "samples" / "rees46-2019-10-01-head.csv.gz"
)


def _load_both(
    settings: Settings,
    graph_dump: Callable[[], dict[str, Any]],
    load: Callable[[ShopGraph, ChunkWriter], list[LoadReport]],
) -> tuple[dict[str, Any], dict[str, Any], list[LoadReport], list[LoadReport]]:
    graphs: list[dict[str, Any]] = []
    reports: list[list[LoadReport]] = []
    for writer in (ChunkWriter.CYPHER, ChunkWriter.PROCEDURE):
        wipe(settings)
        with ShopGraph.connect(settings) as shop:
            reports.append(load(shop, writer))
        graphs.append(graph_dump())
    return graphs[0], graphs[1], reports[0], reports[1]


def _assert_same(
    reference: dict[str, Any],
    fast: dict[str, Any],
    ref_reports: list[LoadReport],
    fast_reports: list[LoadReport],
) -> None:
    assert fast["nodes"].keys() == reference["nodes"].keys()
    assert fast["relationships"].keys() == reference["relationships"].keys()
    assert fast == reference
    for ref, got in zip(ref_reports, fast_reports, strict=True):
        assert (got.rows_read, got.rows_loaded, got.rows_rejected, got.chunks) == (
            ref.rows_read,
            ref.rows_loaded,
            ref.rows_rejected,
            ref.chunks,
        )
        assert got.nodes_created == ref.nodes_created
        assert got.relationships_created == ref.relationships_created


def test_rees46_events_in_small_chunks_give_the_same_graph(
    settings: Settings, data_dir: Path, tmp_path: Path, graph_dump: Callable[[], Any]
) -> None:
    path = data_dir / "rees46-multicategory-sample" / "events.csv.gz"

    def load(shop: ShopGraph, writer: ChunkWriter) -> list[LoadReport]:
        return [shop.load_rees46(path, LoadOptions(chunk_size=700, writer=writer))]

    reference, fast, ref_reports, fast_reports = _load_both(settings, graph_dump, load)

    _assert_same(reference, fast, ref_reports, fast_reports)
    assert ref_reports[0].chunks > 20
    rels = reference["relationships"]
    types = {key[1] for key in rels}
    assert types >= {"VIEWED", "ADDED_TO_CART", "CONTAINS", "HAS_SESSION", "PLACED"}
    assert types >= {"IN_SESSION", "HAS_BRAND", "IN_CATEGORY", "CHILD_OF"}
    assert max(props["count"] for key, props in rels.items() if key[1] == "VIEWED") > 1


def test_two_files_sharing_sessions_items_and_prices_give_the_same_graph(
    settings: Settings, tmp_path: Path, graph_dump: Callable[[], Any]
) -> None:
    # The shipped sample cut in two interleaved halves: the second file's sessions, users,
    # items and orders already exist, so counts add, times widen and prices change.
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as f:
        header, *lines = f.read().splitlines()
    halves = [tmp_path / "odd.csv", tmp_path / "even.csv"]
    for n, half in enumerate(halves):
        half.write_text("\n".join([header, *lines[1 - n :: 2]]) + "\n", encoding="utf-8")

    def load(shop: ShopGraph, writer: ChunkWriter) -> list[LoadReport]:
        return [
            shop.load_rees46(half, LoadOptions(chunk_size=1000, writer=writer)) for half in halves
        ]

    reference, fast, ref_reports, fast_reports = _load_both(settings, graph_dump, load)

    _assert_same(reference, fast, ref_reports, fast_reports)
    sessions = [props for key, props in reference["nodes"].items() if key[0] == "Session"]
    assert max(props["events"] for props in sessions) > 10
    # An order line in both files keeps the smaller of its first line numbers in each file.
    first: list[dict[tuple[str, str], int]] = [{}, {}]
    for n, half in enumerate(halves):
        rows = half.read_text(encoding="utf-8").splitlines()[1:]
        for line, row in enumerate(rows, start=2):
            fields = row.split(",")
            if fields[1] == "purchase":
                first[n].setdefault((fields[-1], fields[2]), line)
    both = first[0].keys() & first[1].keys()
    assert any(first[1][key] < first[0][key] for key in both)  # the later file's is smaller
    for session, item in first[0].keys() | first[1].keys():
        position = min(n[(session, item)] for n in first if (session, item) in n)
        rel = reference["relationships"][(("Order", session), "CONTAINS", ("Item", item))]
        assert rel["position"] == position


def test_baskets_with_cancellations_users_and_missing_prices_give_the_same_graph(
    settings: Settings, data_dir: Path, tmp_path: Path, graph_dump: Callable[[], Any]
) -> None:
    path = data_dir / "uci-online-retail" / "first_10000_rows.csv.gz"

    def load(shop: ShopGraph, writer: ChunkWriter) -> list[LoadReport]:
        options = LoadOptions(chunk_size=800, writer=writer, rejects=tmp_path / "r.csv")
        return [shop.load_baskets(path, options)]

    reference, fast, ref_reports, fast_reports = _load_both(settings, graph_dump, load)

    _assert_same(reference, fast, ref_reports, fast_reports)
    assert ref_reports[0].rows_rejected == 30
    kinds = {props["kind"] for key, props in reference["nodes"].items() if key[0] == "Order"}
    assert kinds == {"order", "cancellation"}
    lines = [props for key, props in reference["relationships"].items() if key[1] == "CONTAINS"]
    assert all(isinstance(props["position"], int) for props in lines)


def test_a_malformed_row_fails_the_whole_chunk_with_a_sentence(shop: ShopGraph) -> None:
    item = {"id": "i1", "price": 1.0, "categoryId": None, "name": None, "brand": None}
    session = {"id": "s1", "start": 0, "end": 0, "n": "three", "users": ["u1"]}
    batch = GraphBatch(
        items=[{**item, "category": None}],
        sessions=[{**session, "views": [["i1", 1, 0, 0]], "carts": [], "removals": []}],
    )

    def work(tx: Tx) -> None:
        for name, params in chunk_statements(ChunkWriter.PROCEDURE, batch):
            tx.run(name, params)

    with pytest.raises(BadInputError) as raised:
        shop.runner.write_tx(work)

    assert (raised.value.index, raised.value.field) == (0, "n")
    assert raised.value.reason == (
        "Field n of a row of sessions must be an integer, got the string 'three'."
    )
    assert shop.stats().labels == {}
