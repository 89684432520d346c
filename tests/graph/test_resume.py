"""A load killed mid-way (kill -9 of the loader, or of Neo4j) resumes to exactly one clean load."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import neo4j
import pytest

from shopgraph.core.settings import Settings
from shopgraph.graph import server
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.loading import LoadOptions

from conftest import dump_graph, free_port, wipe

CHUNK = 100  # 175 chunks for the 17,434 sample rows: slow enough to be killed mid-way


@pytest.fixture(scope="module")
def events_path(data_dir: Path) -> Path:
    return data_dir / "rees46-multicategory-sample" / "events.csv.gz"


def _loader(settings: Settings, path: Path, tmp_path: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "NEO4J_URI": settings.bolt_uri, "NEO4J_DATABASE": settings.database}
    if settings.password:
        env["NEO4J_PASSWORD"] = settings.password
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "shopgraph.cli",
            "load",
            "rees46",
            str(path),
            "--chunk-size",
            str(CHUNK),
            "--no-progress",
            "--rejects",
            str(tmp_path / "r.csv"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _load_state(settings: Settings) -> tuple[int, str] | None:
    with neo4j.GraphDatabase.driver(settings.bolt_uri, auth=settings.auth) as driver:
        rows, _, _ = driver.execute_query(
            "MATCH (l:Load) RETURN l.nextChunk AS next, l.status AS status",
            database_=settings.database,
        )
    return (rows[0]["next"], rows[0]["status"]) if rows else None


def _wait_for_chunks(settings: Settings, process: subprocess.Popen[str], n: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        state = _load_state(settings)
        if state is not None and state[0] >= n:
            return
        if process.poll() is not None:
            raise AssertionError(f"the loader ended early: {process.communicate()}")
        time.sleep(0.02)
    raise AssertionError(f"the loader did not write {n} chunks in time")


@pytest.fixture(scope="module")
def clean_graph(settings: Settings, events_path: Path) -> dict[str, Any]:
    """The graph of one clean, uninterrupted load."""
    wipe(settings)
    with ShopGraph.connect(settings) as shop:
        shop.ensure_schema()
        shop.load_rees46(events_path, LoadOptions(chunk_size=CHUNK))
    return dump_graph(settings)


def test_loader_killed_mid_way_resumes_to_the_clean_graph(
    clean_graph: dict[str, Any],
    shop: ShopGraph,
    settings: Settings,
    events_path: Path,
    tmp_path: Path,
    graph_dump: Callable[[], Any],
) -> None:
    process = _loader(settings, events_path, tmp_path)
    _wait_for_chunks(settings, process, 10)
    process.send_signal(signal.SIGKILL)
    process.wait()
    state = _load_state(settings)
    assert state is not None
    written, status = state
    assert status == "running"
    assert 10 <= written < 175
    assert graph_dump() != clean_graph

    report = shop.load_rees46(events_path, LoadOptions(chunk_size=CHUNK))

    assert report.chunks_resumed == written
    assert report.chunks == 175
    assert report.rows_read == 17_434
    assert graph_dump() == clean_graph
    assert _load_state(settings) == (175, "complete")


def test_neo4j_killed_mid_load_resumes_to_the_clean_graph(
    clean_graph: dict[str, Any], settings: Settings, events_path: Path, tmp_path: Path
) -> None:
    if not settings.embedded:
        pytest.skip("kills an embedded server of its own; needs Java, not NEO4J_URI")
    own = Settings(home=tmp_path / "crash-home", port=free_port(), heap="1g", pagecache="128m")
    state = server.start(own)
    try:
        with ShopGraph.connect(own) as shop:
            shop.ensure_schema()
        process = _loader(own, events_path, tmp_path)
        _wait_for_chunks(own, process, 10)
        assert state.pid is not None
        os.kill(state.pid, signal.SIGKILL)
        process.kill()
        process.wait()
        while server.status(own).state == "running":
            time.sleep(0.05)

        server.start(own)
        after_crash = _load_state(own)
        assert after_crash is not None
        assert after_crash[1] == "running"
        assert 10 <= after_crash[0] < 175
        with ShopGraph.connect(own) as shop:
            report = shop.load_rees46(events_path, LoadOptions(chunk_size=CHUNK))

        assert report.chunks_resumed == after_crash[0]
        assert dump_graph(own) == clean_graph
    finally:
        server.stop(own)
