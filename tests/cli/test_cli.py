"""The ``shopgraph`` command line against the real test server."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import neo4j
import numpy as np
import pytest

from shopgraph.cli import main
from shopgraph.core.settings import Settings
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.models import publish_embeddings
from shopgraph.graph.runner import GraphRunner

from conftest import REPO


@pytest.fixture
def cli_env(settings: Settings, shop: ShopGraph, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Points the CLI at the test server through the standard variables."""
    monkeypatch.setenv("NEO4J_URI", settings.bolt_uri)
    monkeypatch.setenv("NEO4J_DATABASE", settings.database)
    if settings.password:
        monkeypatch.setenv("NEO4J_PASSWORD", settings.password)
    else:
        monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    return settings


def test_load_stats_and_reload(
    cli_env: Settings, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = data_dir / "rees46-multicategory-sample" / "events.csv.gz"

    assert main(["load", "rees46", str(events), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["rows_read"] == 17_434
    assert report["rows_rejected"] == 0
    assert report["already_loaded"] is False

    assert main(["stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["labels"]["User"] == 4504
    assert stats["types"]["VIEWED"] == 12_294

    assert main(["load", "rees46", str(events)]) == 0
    out = capsys.readouterr().out
    assert "was already loaded completely" in out
    assert "nothing changed" in out
    assert "Refreshed for serving: bundle masses of 6,493 items over" in out

    assert main(["refresh", "--json", "--half-life-days", "30"]) == 0
    refreshed = json.loads(capsys.readouterr().out)
    assert refreshed["bundles"]["items"] == 6493
    assert refreshed["bundles"]["now"].startswith("2019-10-01T02:")
    assert refreshed["walks"]["nodes"] > 6493
    assert main(["refresh", "--half-life-days", "0"]) == 1
    assert "--half-life-days must be above 0, got 0.0." in capsys.readouterr().err

    assert main(["stats"]) == 0
    text = capsys.readouterr().out
    assert "Item" in text
    assert "6,493" in text


def test_errors_exit_1_with_a_message(
    cli_env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["load", "rees46", str(tmp_path / "missing.csv")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("shopgraph: error: ")
    assert "missing.csv: no such file" in err

    bad = tmp_path / "bad.csv"
    bad.write_text("event_time,event_type\n", encoding="utf-8")
    assert main(["load", "csv", str(bad), "--mapping", str(tmp_path / "none.toml")]) == 1
    assert "none.toml: mapping file not found" in capsys.readouterr().err


def test_status_of_an_external_server(
    cli_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["neo4j", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["state"] == "external"
    assert status["agent"].startswith("Neo4j/5.26")
    assert main(["neo4j", "start"]) == 1
    assert "NEO4J_URI is set" in capsys.readouterr().err


def test_unreachable_server_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:9")
    assert main(["stats"]) == 1
    err = capsys.readouterr().err
    assert "Neo4j at bolt://127.0.0.1:9 is not reachable" in err
    assert "shopgraph neo4j start" in err


def test_generate_writes_a_synthetic_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "synthetic.csv.gz"
    assert main(["generate", "--events", "5000", "--seed", "3", "--out", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["events"] == 5000
    assert out.exists()
    assert main(["generate", "--events", "0", "--out", str(out)]) == 2


SAMPLE = REPO / "loaders" / "samples" / "rees46-2019-10-01-head.csv.gz"


def test_bundle_recommend_similar_show_what_the_graph_knows(
    cli_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["load", "rees46", str(SAMPLE), "--json"]) == 0
    capsys.readouterr()

    assert main(["bundle", "1004833", "--k", "5", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 5
    assert set(rows[0]) == {
        "item_id", "score", "rank", "reason", "support", "confidence", "lift", "because", "item",
    }  # fmt: skip
    for row in rows:
        assert set(row["item"]) == {"name", "brand", "category", "price", "in_stock"}
        assert row["item"]["name"] is None  # the sample has no names: none is invented
    assert main(["bundle", "1004833", "--k", "5"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Bought together with 1004833:"
    assert lines[1].split() == ["#", "item", "brand", "category", "price", "score", "reason"]
    for row, line in zip(rows, lines[2:], strict=True):
        item = row["item"]
        cells = [str(row["rank"]), row["item_id"], item["brand"] or "-", item["category"] or "-"]
        price = "-" if item["price"] is None else f"{item['price']:,.2f}"
        assert line.split()[:5] == [*cells, price]
        assert f"because {', '.join(row['because'])}" in line

    # The stock filter is a real choice: an item out of stock is left out unless included.
    top = rows[0]["item_id"]
    with neo4j.GraphDatabase.driver(cli_env.bolt_uri, auth=cli_env.auth) as driver:
        driver.execute_query(
            "MATCH (i:Item {itemId: $id}) SET i.inStock = false",
            id=top,
            database_=cli_env.database,
        )
    for flags, served in (([], False), (["--in-stock"], False), (["--include-out-of-stock"], True)):
        assert main(["bundle", "1004833", "--k", "5", "--json", *flags]) == 0
        ids = [row["item_id"] for row in json.loads(capsys.readouterr().out)]
        assert (top in ids) is served, flags
    assert main(["bundle", "1004833", "--k", "5", "--include-out-of-stock"]) == 0
    assert capsys.readouterr().out.splitlines()[1].split()[5] == "stock"
    with pytest.raises(SystemExit) as usage:
        main(["bundle", "1004833", "--in-stock", "--include-out-of-stock"])
    assert usage.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err

    # No limit per brand and category: more than the default 3 of one brand.
    def most_of_one_brand(flags: list[str]) -> int:
        assert main(["recommend", "517953667", "--k", "40", "--json", *flags]) == 0
        rows = json.loads(capsys.readouterr().out)
        brands = Counter(row["item"]["brand"] for row in rows if row["item"]["brand"])
        return max(brands.values())

    assert most_of_one_brand([]) <= 3
    assert most_of_one_brand(["--max-per-brand", "none", "--max-per-category", "none"]) > 3
    assert most_of_one_brand(["--max-per-brand", "1", "--max-per-category", "none"]) == 1
    with pytest.raises(SystemExit):
        main(["recommend", "517953667", "--max-per-brand", "many"])
    assert "not a number or 'none': 'many'" in capsys.readouterr().err

    assert main(["recommend", "517953667", "--k", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Recommended for 517953667:"
    assert out[1].split()[:5] == ["#", "item", "brand", "category", "price"]
    assert len(out) == 5
    assert main(["similar", "1004833", "--k", "3", "--seed", "1", "--json"]) == 0
    similar = json.loads(capsys.readouterr().out)
    assert [row["rank"] for row in similar] == [1, 2, 3]
    assert all(row["item"]["category"] for row in similar)
    assert main(["similar", "1004833", "--k", "3", "--seed", "1"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Similar to 1004833:\n")
    for row in similar:
        assert row["item_id"] in text
        assert row["item"]["category"] in text

    assert main(["bundle", *(str(n) for n in range(51))]) == 1
    assert "shopgraph: error: A cart must have 1 to 50 items, got 51." in capsys.readouterr().err
    assert main(["similar", "1004833", "--k", "0"]) == 1
    assert "shopgraph: error: k must be between 1 and 1000, got 0." in capsys.readouterr().err


def test_model_list_rollback_and_activate(
    cli_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["model", "list"]) == 0
    assert "No model versions yet" in capsys.readouterr().out
    assert main(["model", "rollback"]) == 1
    assert "There is no previous model version to roll back to." in capsys.readouterr().err

    with GraphRunner.from_settings(cli_env) as runner:
        for n, version in enumerate(("v1", "v2"), start=1):
            publish_embeddings(
                runner,
                version,
                user_ids=["u"],
                user_embeddings=np.full((1, 4), n, np.float32),
                item_ids=["i"],
                item_embeddings=np.full((1, 4), n, np.float32),
                metadata={"run": version},
            )

    assert main(["model", "list", "--json"]) == 0
    versions = {v["version"]: v for v in json.loads(capsys.readouterr().out)}
    assert {name: (v["status"], v["slot"], v["active"]) for name, v in versions.items()} == {
        "v2": ("active", "B", True),
        "v1": ("previous", "A", False),
    }
    assert versions["v2"]["metadata"] == {"run": "v2"}
    assert main(["model", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["version", "status", "slot", "dims", "users", "items", "created"]
    assert lines[1].split()[:6] == ["*v2", "active", "B", "4", "0", "0"]
    assert lines[2].split()[:6] == ["v1", "previous", "A", "4", "0", "0"]

    assert main(["model", "rollback"]) == 0
    assert capsys.readouterr().out == "Active model version is now v1 (slot A).\n"
    assert main(["model", "activate", "v2"]) == 0
    assert capsys.readouterr().out == "Active model version is now v2 (slot B).\n"
    assert main(["model", "activate", "v7"]) == 1
    assert "shopgraph: error: Unknown model version id: v7." in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["trust", "--since", "2024-03-01T00:00"],
        ["train", "--write-back", "--since", "2024-03-01T00:00"],
        ["train", "--write-back", "--until", "2024-03-01T00:00"],
    ],
)
def test_a_time_flag_without_a_timezone_is_refused_naming_the_flag(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as usage:
        main(argv)
    assert usage.value.code == 2
    flag = argv[-2]
    assert (
        f"argument {flag}: '2024-03-01T00:00' must carry a timezone, e.g. 2024-03-01T00:00:00+00:00"
    ) in capsys.readouterr().err


def test_trust_since_with_a_timezone(cli_env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", "rees46", str(SAMPLE), "--json", "--no-refresh"]) == 0
    capsys.readouterr()
    assert main(["trust", "--since", "2019-10-01T02:00:00+00:00", "--no-bundle-refresh"]) == 0
    late = capsys.readouterr().out
    assert main(["trust", "--since", "2019-10-01T04:00:00+02:00", "--no-bundle-refresh"]) == 0
    same = capsys.readouterr().out
    assert late.split(" in ")[0] == same.split(" in ")[0]  # the same instant, the same users
    assert late.startswith("Scored ")
