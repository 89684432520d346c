"""Promises of the client that no other test holds: two loaders on one file, a wrong database
name, and connecting by URI."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from shopgraph.core.errors import ConfigError, GraphUnavailableError, LoadConflictError
from shopgraph.core.settings import Settings
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.loading import LoadOptions, LoadProgress, LoadReport

from conftest import REPO, free_port, wipe

SAMPLE = REPO / "loaders/samples/rees46-2019-10-01-head.csv.gz"
CHUNK = 2_000


def test_a_second_loader_of_the_same_file_finishes_it_and_the_first_stops_with_a_conflict(
    settings: Settings, graph_dump: Callable[[], dict[str, Any]], tmp_path: Path
) -> None:
    # Loader A pauses after its first chunk; loader B, started then, writes every chunk
    # left; A then finds its next chunk taken and stops with a conflict. The graph is the
    # graph of one clean load.
    wipe(settings)
    second: list[LoadReport] = []

    def run_second() -> None:
        with ShopGraph.connect(settings) as other:
            second.append(other.load_rees46(SAMPLE, LoadOptions(chunk_size=CHUNK)))

    def pause_once(progress: LoadProgress) -> None:
        if not second:
            thread = threading.Thread(target=run_second)
            thread.start()
            thread.join(timeout=300)

    with ShopGraph.connect(settings) as first:
        first.ensure_schema()
        with pytest.raises(LoadConflictError, match="written by another loader meanwhile"):
            first.load_rees46(SAMPLE, LoadOptions(chunk_size=CHUNK, progress=pause_once))
        assert len(second) == 1
        assert second[0].chunks_resumed == 1
        assert second[0].rows_read > CHUNK
        twice = graph_dump()
        again = first.load_rees46(SAMPLE, LoadOptions(chunk_size=CHUNK))
        assert again.already_loaded
        assert graph_dump() == twice
        wipe(settings)
        first.load_rees46(SAMPLE, LoadOptions(chunk_size=CHUNK))
        assert graph_dump() == twice


def test_a_database_that_does_not_exist_is_a_config_error_naming_it(settings: Settings) -> None:
    with (
        ShopGraph.connect(replace(settings, database="nosuchdb")) as shop,
        pytest.raises(ConfigError, match="has no database of that name") as raised,
    ):
        shop.stats()
    assert "nosuchdb" in str(raised.value)


def test_from_uri_reaches_the_server_and_a_closed_port_is_unavailable(
    shop: ShopGraph, settings: Settings
) -> None:
    shop.load_rees46(SAMPLE)
    with ShopGraph.from_uri(
        settings.bolt_uri, user=settings.user, password=settings.password
    ) as other:
        assert other.runner.database == "neo4j"
        assert other.stats() == shop.stats()
        assert other.stats().labels["Item"] > 0
    with pytest.raises(GraphUnavailableError, match="is not reachable"):
        ShopGraph.from_uri(f"bolt://127.0.0.1:{free_port()}")
