"""The ``shopgraph`` command line against the real test server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shopgraph.cli import main
from shopgraph.core.settings import Settings
from shopgraph.graph.client import ShopGraph


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
