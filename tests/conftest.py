"""Shared fixtures: one real Neo4j per test session, a clean graph per test, the datasets, and
small interaction graphs with known answers for the model tests.

With ``NEO4J_URI`` set the tests use that server (it is wiped between tests: never point the
suite at a server whose data you want to keep). Otherwise one embedded server starts on a
free port in a temporary folder and stops at the end.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import neo4j
import numpy as np
import pytest

from shopgraph.core.settings import Settings
from shopgraph.gnn.config import Init, LightGCNConfig, LrSchedule
from shopgraph.gnn.data import IdMap, InteractionData
from shopgraph.graph import server
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.runner import GraphRunner

REPO = Path(__file__).resolve().parents[1]

#: The property that identifies each kind of node.
KEYS = {
    "User": "userId",
    "Item": "itemId",
    "Brand": "name",
    "Category": "code",
    "Session": "sessionId",
    "Order": "orderId",
    "Load": "loadId",
    "BundleStats": "key",
    "ModelVersion": "version",
}

#: Bookkeeping labels, not part of the shop graph: loads and recorded event ids.
BOOKKEEPING = ("Load", "RecordedEvent")


#: Fixtures that need a Neo4j server; a test that uses one (directly or through another
#: fixture) is marked ``neo4j`` and left out of the fast tier (``make test-fast``).
NEO4J_FIXTURES = frozenset({"settings", "shop", "runner", "graph_dump"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks every test that needs a Neo4j server with ``neo4j``."""
    for item in items:
        if NEO4J_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.neo4j)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The public datasets (``SHOPGRAPH_DATA``, default ``../shared/data`` beside the repo)."""
    configured = Settings.from_env().data_dir
    path = configured if configured.is_absolute() else (REPO / configured).resolve()
    if not (path / "README.md").exists():
        pytest.fail(f"The datasets are not at {path}: set SHOPGRAPH_DATA to their folder.")
    return path


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings of the test server: the external one, or an embedded one started here."""
    env = Settings.from_env()
    if not env.embedded:
        yield env
        return
    embedded = Settings(
        home=tmp_path_factory.mktemp("neo4j-home"),
        port=free_port(),
        # 2g: the live bundle index of all of UCI Online Retail, rebuilt over the next load after
        # a wipe, holds two versions for a moment beside the load's own memory (1g ran out).
        heap="2g",
        pagecache="256m",
        data_dir=env.data_dir,
    )
    server.start(embedded)
    try:
        yield embedded
    finally:
        server.stop(embedded)


def wipe(settings: Settings) -> None:
    """Deletes every node and relationship (the schema stays).

    The experiment log is flushed first, so that exposures an earlier test handed to the
    plugin's background writer are not committed into the next test's graph.
    Relationships go first, in batches of their own: a batch of 1,000 nodes detached at once
    can hold most of a big graph's relationships (the items of the whole UCI file hold 400k
    order lines) and exceed the server's transaction memory.
    """
    with (
        neo4j.GraphDatabase.driver(settings.bolt_uri, auth=settings.auth) as driver,
        driver.session(database=settings.database) as session,
    ):
        session.run("CALL shopgraph.experiment.flush()").consume()
        session.run(
            "MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 1000 ROWS").consume()


@pytest.fixture
def shop(settings: Settings) -> Iterator[ShopGraph]:
    """A client on an empty graph with the schema in place."""
    wipe(settings)
    with ShopGraph.connect(settings) as client:
        client.ensure_schema()
        yield client


@pytest.fixture
def runner(shop: ShopGraph) -> GraphRunner:
    return shop.runner


def _plain(value: Any) -> Any:
    if isinstance(value, neo4j.time.DateTime):
        return value.to_native()
    if isinstance(value, list):
        return tuple(_plain(v) for v in value)
    return value


def _node_key(labels: list[str], props: dict[str, Any]) -> tuple[str, str]:
    label = next(label for label in labels if label in KEYS)
    return label, str(props[KEYS[label]])


def dump_graph(settings: Settings) -> dict[str, Any]:
    """The whole shop graph as comparable plain values (bookkeeping nodes, :data:`BOOKKEEPING`,
    left out).

    Nodes are keyed by (label, business key) with all their properties; relationships by
    (start key, type, end key) with all theirs.
    """
    with neo4j.GraphDatabase.driver(settings.bolt_uri, auth=settings.auth) as driver:
        nodes_rows, _, _ = driver.execute_query(
            "MATCH (n) WHERE none(label IN labels(n) WHERE label IN $bookkeeping) "
            "RETURN labels(n) AS labels, properties(n) AS props",
            bookkeeping=list(BOOKKEEPING),
            database_=settings.database,
        )
        rel_rows, _, _ = driver.execute_query(
            "MATCH (a)-[r]->(b) RETURN labels(a) AS al, properties(a) AS ap, type(r) AS type, "
            "properties(r) AS rp, labels(b) AS bl, properties(b) AS bp",
            database_=settings.database,
        )
    nodes = {
        _node_key(r["labels"], r["props"]): {k: _plain(v) for k, v in r["props"].items()}
        for r in nodes_rows
    }
    rels: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in rel_rows:
        key = (_node_key(r["al"], r["ap"]), r["type"], _node_key(r["bl"], r["bp"]))
        if key in rels:
            raise AssertionError(f"duplicate relationship {key}")
        rels[key] = {k: _plain(v) for k, v in r["rp"].items()}
    return {"nodes": nodes, "relationships": rels}


@pytest.fixture
def graph_dump(settings: Settings) -> Callable[[], dict[str, Any]]:
    return lambda: dump_graph(settings)


@pytest.fixture(autouse=True)
def _run_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs every test in its own folder, so default reject files never land in the repo."""
    monkeypatch.chdir(tmp_path)


# Small graphs with known answers, shared by the model tests (tests/gnn). They live here, not
# in tests/gnn/conftest.py: a second module named conftest shadows this one for the tests
# that import helpers with `from conftest import ...`.
@pytest.fixture
def communities() -> InteractionData:
    """Two disjoint communities: users u0-u11 buy items i0-i9, users u12-u23 items i10-i19.

    Every user has 6 of the 10 items of their community, so every recommendation that ranks
    the community first has 4 right answers left per user.
    """
    rng = np.random.default_rng(0)
    users, items = [], []
    for user in range(24):
        base = 0 if user < 12 else 10
        for item in rng.choice(10, size=6, replace=False):
            users.append(user)
            items.append(base + int(item))
    id_map = IdMap(tuple(f"u{u}" for u in range(24)), tuple(f"i{i}" for i in range(20)))
    return InteractionData.from_arrays(users, items, id_map=id_map)


@pytest.fixture
def small_config() -> LightGCNConfig:
    """A LightGCN configuration that learns the community graph in well under a second.

    Few dimensions and epochs on purpose: with 8 dimensions and 80 epochs the 24 users are
    memorised, every unobserved item is pushed down alike, and the communities blur.
    """
    return LightGCNConfig(
        embedding_dim=4,
        num_layers=2,
        init=Init.NORMAL,
        init_scale=0.1,
        epochs=20,
        negatives=8,
        negative_candidates=1,
        batch_size=64,
        learning_rate=0.05,
        lr_schedule=LrSchedule.CONSTANT,
        weight_decay=1e-4,
        validation_fraction=0.0,
        eval_every=1,
        patience=0,
        num_threads=1,
        seed=3,
    )
