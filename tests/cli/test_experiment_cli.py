"""``shopgraph experiment``: start from a TOML file, list, show, report (text, JSON, plot, the
sample-ratio-mismatch warning), stop and purge, on the real server."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from shopgraph.cli import main
from shopgraph.core.settings import Settings
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.experiments.assignment import assign

from experiment_shop import Clock, history, load_events

TOML = """
name = "cli-e1"
surfaces = ["bundle"]
start = {start}
end = 2124-01-01T00:00:00Z

[[variants]]
name = "shopgraph"
share = 0.5

[[variants]]
name = "popularity"
share = 0.5
baseline = "popularity"
"""


@pytest.fixture
def cli_env(settings: Settings, shop: ShopGraph, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("NEO4J_URI", settings.bolt_uri)
    monkeypatch.setenv("NEO4J_DATABASE", settings.database)
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    return settings


def test_start_report_stop(
    cli_env: Settings, shop: ShopGraph, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = Clock()
    load_events(shop, tmp_path / "history.csv", history(clock))
    path = tmp_path / "e.toml"
    path.write_text(TOML.format(start=(clock.now - timedelta(days=1)).isoformat()), "utf-8")

    assert main(["experiment", "start", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Experiment cli-e1: running\n  surfaces: bundle\n")
    assert "popularity       share 0.50  {'baseline': 'popularity'}" in out
    assert main(["experiment", "list", "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert (listed["name"], listed["status"], listed["salt"]) == ("cli-e1", "running", "cli-e1")

    # Two visitors per variant see a bundle; one of the shopgraph variant clicks.
    visitors: dict[int, list[str]] = {0: [], 1: []}
    shown = {0: 0, 1: 0}
    for n in range(50):
        index = assign("cli-e1", f"v{n}", [0.5, 0.5])
        if len(visitors[index]) < 2:
            visitors[index].append(f"v{n}")
    for index, users in visitors.items():
        for user in users:
            served = shop.bundle(["p1"], 3, experiment="cli-e1", user=user)
            shown[index] += len(served.items)
            if index == 0 and user == users[0]:
                shop.click(str(served.request_id), served.items[0].item_id)

    plot = tmp_path / "lift.png"
    assert main(["experiment", "report", "cli-e1", "--plot", str(plot)]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    lines = captured.out.splitlines()
    assert lines[0].startswith("Experiment cli-e1 (running), control shopgraph; unit: user;")
    assert lines[2].split() == [
        "variant", "share", "users", "requests", "CTR", "add-to-cart", "conversion",
        "revenue/user",
    ]  # fmt: skip
    assert lines[3].split()[:4] == ["shopgraph", "0.50", "2", "2"]
    assert lines[4].split()[:4] == ["popularity", "0.50", "2", "2"]
    assert "Lift over shopgraph:" in lines
    assert any(line.startswith("Sample ratio: users 2 / 2 against shares") for line in lines)
    assert plot.stat().st_size > 10_000
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    assert main(["experiment", "report", "cli-e1", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    shopgraph, popularity = report["variants"]
    assert (shopgraph["users"], shopgraph["impressions"], shopgraph["clicks"]) == (2, shown[0], 1)
    assert (popularity["users"], popularity["impressions"]) == (2, shown[1])
    assert shopgraph["metrics"]["ctr"]["value"] == pytest.approx(1 / shown[0])
    assert popularity["clicks"] == 0
    assert popularity["lifts"]["ctr"]["relative"] == pytest.approx(-1.0)
    assert report["srm"] is False

    assert main(["experiment", "stop", "cli-e1"]) == 0
    assert capsys.readouterr().out.startswith("Experiment cli-e1: stopped (stopped ")
    assert main(["experiment", "stop", "cli-e1"]) == 1
    assert "was stopped already" in capsys.readouterr().err
    assert main(["experiment", "purge", "--days", "1e-9"]) == 0
    assert capsys.readouterr().out == "Deleted 4 exposures older than 1e-09 days.\n"


def test_a_sample_ratio_mismatch_is_a_loud_warning(
    cli_env: Settings, shop: ShopGraph, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = Clock()
    load_events(shop, tmp_path / "history.csv", history(clock))
    path = tmp_path / "e.toml"
    path.write_text(TOML.format(start=(clock.now - timedelta(days=1)).isoformat()), "utf-8")
    assert main(["experiment", "start", str(path)]) == 0
    # A broken client: it only logs the visitors of one variant.
    users = [f"v{n}" for n in range(200) if assign("cli-e1", f"v{n}", [0.5, 0.5]) == 0][:30]
    for user in users:
        shop.bundle(["p1"], 3, experiment="cli-e1", user=user)
    capsys.readouterr()

    assert main(["experiment", "report", "cli-e1", "--json"]) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith(
        "shopgraph: WARNING: SAMPLE RATIO MISMATCH in experiment cli-e1: users shopgraph 30, "
        "popularity 0 against shares shopgraph 0.50, popularity 0.50 (p = "
    )
    assert "do not trust these lifts" in captured.err
    assert json.loads(captured.out)["srm"] is True


def test_a_bad_file_is_an_error_naming_it(
    cli_env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(TOML.format(start="2024-01-01T00:00:00").replace("0.5\nbaseline", "0.6\nb"))
    assert main(["experiment", "start", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"shopgraph: error: {path}: variants[1].b: unknown key; known keys:")


def test_serving_commands_through_an_experiment(
    cli_env: Settings, shop: ShopGraph, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = Clock()
    load_events(shop, tmp_path / "history.csv", history(clock))
    path = tmp_path / "e.toml"
    text = TOML.format(start=(clock.now - timedelta(days=1)).isoformat())
    path.write_text(text.replace('["bundle"]', '["bundle", "similar"]'), "utf-8")
    assert main(["experiment", "start", str(path)]) == 0
    capsys.readouterr()
    variant = ["shopgraph", "popularity"][assign("cli-e1", "v1", [0.5, 0.5])]

    assert main(["bundle", "p1", "--experiment", "cli-e1", "--user", "v1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"Experiment cli-e1, variant {variant}, request ")
    assert lines[1] == "Bought together with p1:"
    assert (
        main(["similar", "p1", "--k", "2", "--experiment", "cli-e1", "--user", "v1", "--json"]) == 0
    )
    served = json.loads(capsys.readouterr().out)
    assert (served["experiment"], served["variant"]) == ("cli-e1", variant)
    assert len(served["items"]) == 2
    assert served["request_id"] != lines[0].rsplit(" ", 1)[1]
    request = served["request_id"]
    item = served["items"][1]["item_id"]
    assert main(["experiment", "click", request, item]) == 0
    assert capsys.readouterr().out == (
        f"Click on {item} (position 2) logged for request {request} of experiment cli-e1, "
        f"variant {variant}.\n"
    )
    assert main(["experiment", "click", request, "p9"]) == 1
    assert f"Item 'p9' was not shown in request {request}." in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["experiment", "click", request, item, "--at", "2024-03-01T10:00:00"])
    assert exited.value.code == 2
    assert "must carry a timezone" in capsys.readouterr().err
    assert main(["similar", "p1", "--experiment", "cli-e1"]) == 1
    assert "--experiment needs --user" in capsys.readouterr().err
    assert main(["recommend", "h1", "--experiment", "cli-e1"]) == 1
    assert "Experiment 'cli-e1' does not cover recommend" in capsys.readouterr().err
