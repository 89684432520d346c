"""Erasure (ShopGraph.forget_user, shopgraph.users.forget, shopgraph forget) on the real server:
afterwards neither the database (every label, every property) nor the files shopgraph keeps
(run folders of two model versions and one more, reject files, logs) hold the id."""

from __future__ import annotations

import gzip
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from shopgraph.cli import main
from shopgraph.core.errors import UnknownEntityError
from shopgraph.core.settings import Settings
from shopgraph.gnn.config import LightGCNConfig
from shopgraph.gnn.data import IdMap
from shopgraph.gnn.gfcf import GFCF, GFCFConfig
from shopgraph.gnn.lightgcn import LightGCN
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.erasure import forget_user, mentions
from shopgraph.graph.export import ExportOptions, export_interactions
from shopgraph.graph.live import Event
from shopgraph.graph.loading import LoadOptions
from shopgraph.graph.models import list_versions
from shopgraph.graph.retrain import retrain
from shopgraph.loaders.records import EventType
from shopgraph.loaders.rees46 import REES46_COLUMNS
from shopgraph.loaders.source import read_rejects

from live_events import SAMPLE

USER = "forget-me-7f3a"
KEEPER = "keeper-1"
T0 = datetime(2019, 10, 1, 3, 0, tzinfo=UTC)
CONFIG = LightGCNConfig(
    embedding_dim=8, epochs=2, eval_every=2, batch_size=4096, num_threads=1, patience=0
)


def _file_with_the_user(folder: Path) -> Path:
    """The first 3,000 rows of the shipped sample, plus the user's session fs-1 (a view and a
    purchase of item 1004856) and a row of the user that is rejected (negative price)."""
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as f:
        header, *rows = f.read().splitlines()
    assert header == ",".join(REES46_COLUMNS)
    item = "1004856,1,electronics.smartphone,samsung"
    mine = [
        f"2019-10-01 02:00:00 UTC,view,{item},130.76,{USER},fs-1",
        f"2019-10-01 02:01:00 UTC,purchase,{item},130.76,{USER},fs-1",
        f"2019-10-01 02:02:00 UTC,view,{item},-5,{USER},fs-1",
    ]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "events.csv"
    path.write_text("\n".join([header, *rows[:3000], *mine]) + "\n", encoding="utf-8")
    return path


def _event(n: int, kind: EventType, item: str, session: str, user: str) -> Event:
    return Event(f"live-{n}", T0 + timedelta(minutes=n), kind, item, session, user=user,
                 price=10.0, brand="acme", category="home.kitchen")  # fmt: skip


@pytest.fixture
def shop_with_user(shop: ShopGraph, tmp_path: Path) -> ShopGraph:
    """The user in a loaded file (and its reject file), in live sessions (live-s1 alone, and
    shared-s with KEEPER, who buys there), with feedback; then two trained model versions."""
    shop.load_rees46(
        _file_with_the_user(tmp_path / "input"), LoadOptions(rejects=tmp_path / "rejects.csv")
    )
    shop.record(
        [
            _event(0, EventType.VIEW, "live-b", "live-s1", USER),
            _event(1, EventType.CART, "live-b", "live-s1", USER),
            _event(2, EventType.PURCHASE, "live-b", "live-s1", USER),
            _event(3, EventType.VIEW, "live-c", "shared-s", USER),
            _event(4, EventType.VIEW, "live-c", "shared-s", KEEPER),
            _event(5, EventType.PURCHASE, "live-c", "shared-s", KEEPER),
        ]
    )
    shop.feedback(USER, "1004856", "not_interested")
    shop.refresh()
    runner = shop.runner
    for version, run_dir in (("v1", tmp_path / "elsewhere"), ("v2", tmp_path / "home" / "runs")):
        retrain(runner, ExportOptions(), CONFIG, run_dir=run_dir / version, version=version)
    return shop


def _home(tmp_path: Path) -> Path:
    """A home with logs that mention the user (and lines that do not)."""
    home = tmp_path / "home"
    (home / "neo4j" / "logs").mkdir(parents=True)
    (home / "launcher.log").write_text(
        f"started\nUnknown user id: {USER}.\nuser {KEEPER} logged in\n", encoding="utf-8"
    )
    (home / "neo4j" / "logs" / "debug.log").write_text(
        f"2024 INFO ok\n2024 WARN call failed for userId '{USER}'\n", encoding="utf-8"
    )
    return home


def _values_holding(shop: ShopGraph, text: str) -> list[Any]:
    """Every label, type, property key and value (list elements too) of the whole database,
    of nodes and relationships, that contains ``text``."""
    rows = shop.runner.read_tx(
        lambda tx: tx._tx.run(
            "MATCH (n) RETURN labels(n) AS names, properties(n) AS props "
            "UNION ALL MATCH ()-[r]->() RETURN [type(r)] AS names, properties(r) AS props"
        ).values()
    )
    found = []
    for names, props in rows:
        values = [*names, *props.keys()]
        for value in props.values():
            values += value if isinstance(value, list) else [value]
        found += [v for v in values if isinstance(v, str) and text in v]
    return found


def _files_holding(folders: list[Path], text: str) -> list[Path]:
    return [
        path
        for folder in folders
        for path in ([folder] if folder.is_file() else sorted(folder.rglob("*")))
        if path.is_file() and text.encode() in path.read_bytes()
    ]


def test_forget_removes_the_user_from_the_database_and_every_file(
    shop_with_user: ShopGraph, tmp_path: Path
) -> None:
    shop = shop_with_user
    home = _home(tmp_path)
    runs = [tmp_path / "elsewhere" / "v1", home / "runs" / "v2"]
    data = export_interactions(shop.runner, ExportOptions())
    gfcf_dir = tmp_path / "gfcf"
    GFCF(GFCFConfig()).fit(data).save(gfcf_dir)
    kept_files = [tmp_path / "rejects.csv", home, runs[0], gfcf_dir]
    before = {run: LightGCN.load(run) for run in runs}
    assert {v.version for v in list_versions(shop.runner)} == {"v1", "v2"}
    assert _values_holding(shop, USER)
    assert len(_files_holding(kept_files, USER)) >= 6
    others = [row for row in read_rejects(tmp_path / "rejects.csv") if USER not in row.raw]

    report = forget_user(shop.runner, USER, home=home, run_folders=[gfcf_dir])

    assert _values_holding(shop, USER) == []
    assert _files_holding(kept_files, USER) == []
    assert report.in_graph
    # fs-1 and live-s1 deleted, shared-s kept for KEEPER; their orders with one line each.
    sessions = (report.sessions, report.sessions_kept, report.session_events)
    orders = (report.orders, report.orders_kept, report.order_lines)
    assert (sessions, orders) == ((2, 1, 3), (2, 0, 2))
    assert (report.feedback, report.recorded_events) == (1, 3)
    assert report.relationships == 13
    assert report.rows_removed == 3  # one reject row, one line of each log
    assert {p.name for p in report.files_rewritten} == {
        "id_map.json", "lightgcn.npz", "checkpoint.pt", "gfcf.npz", "rejects.csv",
        "launcher.log", "debug.log",
    }  # fmt: skip
    # Others' rows, lines and the shop's items stay.
    assert (home / "launcher.log").read_text() == f"started\nuser {KEEPER} logged in\n"
    if others:
        assert read_rejects(tmp_path / "rejects.csv") == others
    else:
        assert not (tmp_path / "rejects.csv").exists()
    items = shop.runner.read_tx(
        lambda tx: tx._tx.run(
            "MATCH (i:Item) WHERE i.itemId IN ['1004856', 'live-b', 'live-c'] RETURN count(i)"
        ).single(strict=True)[0]
    )
    assert items == 3
    assert [r.item_id for r in shop.recommend(KEEPER, k=3)]
    for run in runs:
        model = LightGCN.load(run)
        old = before[run]
        assert model.id_map.users == tuple(u for u in old.id_map.users if u != USER)
        assert model.id_map.items == old.id_map.items
        keep = [old.id_map.users.index(u) for u in model.id_map.users]
        np.testing.assert_array_equal(model.user_embeddings(), old.user_embeddings()[keep])
        np.testing.assert_array_equal(model.item_embeddings(), old.item_embeddings())
        assert IdMap.load(run / "id_map.json") == model.id_map
        state = torch.load(run / "checkpoint.pt", weights_only=True)
        assert state["weights"].shape[0] == model.id_map.n_users + model.id_map.n_items
    assert USER not in IdMap.load(gfcf_dir / "id_map.json").users
    assert GFCF.load(gfcf_dir).id_map.n_users == data.n_users - 1


def test_forget_of_an_unknown_user_touches_nothing_unless_missing_is_ok(
    shop: ShopGraph, tmp_path: Path
) -> None:
    home = _home(tmp_path)

    with pytest.raises(UnknownEntityError, match=f"Unknown user id: {USER}."):
        forget_user(shop.runner, USER, home=home)
    assert USER in (home / "launcher.log").read_text()

    report = forget_user(shop.runner, USER, home=home, missing_ok=True)
    assert (report.in_graph, report.sessions, report.rows_removed) == (False, 0, 2)
    assert _files_holding([home], USER) == []


def test_the_procedure_alone_erases_the_graph_part(shop: ShopGraph) -> None:
    shop.record(_event(0, EventType.VIEW, "p1", "s1", USER))

    row = shop.runner.write("call_users_forget", {"userId": USER})[0]

    assert (row["sessions"], row["sessionEvents"], row["recordedEvents"]) == (1, 1, 1)
    assert _values_holding(shop, USER) == []
    with pytest.raises(UnknownEntityError) as error:
        shop.runner.write("call_users_forget", {"userId": USER})
    assert error.value.ids == [USER]


def test_mentions_finds_whole_tokens_only() -> None:
    assert mentions(f"id {USER}.", USER)
    assert mentions(f"'{USER}'", USER)
    assert mentions(f"{USER},fs-1", USER)
    assert not mentions(f"{USER}0", USER)
    assert not mentions(f"x{USER}", USER)


def test_the_command_forgets_a_user_and_reports_it(
    shop: ShopGraph,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    shop.record([_event(0, EventType.VIEW, "p1", "s1", USER),
                 replace(_event(1, EventType.VIEW, "p2", "s2", USER), user="other")])  # fmt: skip
    monkeypatch.setenv("NEO4J_URI", settings.bolt_uri)
    monkeypatch.setenv("NEO4J_DATABASE", settings.database)
    monkeypatch.setenv("SHOPGRAPH_HOME", str(_home(tmp_path)))

    assert main(["forget", USER, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["user_id"], report["sessions"], report["rows_removed"]) == (USER, 1, 2)
    assert len(report["files_rewritten"]) == 2

    assert main(["forget", USER]) == 1
    assert f"shopgraph: error: Unknown user id: {USER}." in capsys.readouterr().err
    assert main(["forget", USER, "--missing-ok"]) == 0
    assert "was not in the graph; its files were cleaned" in capsys.readouterr().out
