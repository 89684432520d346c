"""``shopgraph train`` and ``shopgraph eval lightgcn`` on a tiny LightGCN-format folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shopgraph import cli


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    """Two communities of 8 users and 10 items each; every user trains on 6 items, tests on 2."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    train, test = [], []
    for user in range(16):
        base = 0 if user < 8 else 10
        items = [base + (user + j) % 10 for j in range(8)]
        train.append(" ".join(map(str, [user, *items[:6]])))
        test.append(" ".join(map(str, [user, *items[6:]])))
    (folder / "train.txt").write_text("\n".join(train) + "\n")
    (folder / "test.txt").write_text("\n".join(test) + "\n")
    return folder


_FAST = ["--epochs", "4", "--batch-size", "64", "--embedding-dim", "8", "--no-progress"]


def test_train_then_eval(dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "lightgcn.toml"
    config.write_text('[lightgcn]\nlearning_rate = 0.05\nepochs = 9\ninit = "normal"\n')
    run = tmp_path / "run"
    code = cli.main(
        ["train", "--dataset", str(dataset), "--config", str(config), "--run-dir", str(run),
         *_FAST, "--json"]
    )  # fmt: skip
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["run_dir"] == str(run)
    assert summary["epochs_run"] == 4  # the flag beats the file
    saved = json.loads((run / "config.json").read_text())["config"]
    assert saved["learning_rate"] == 0.05
    assert saved["init"] == "normal"
    assert (run / "model" / "lightgcn.npz").exists()

    assert (
        cli.main(["eval", "lightgcn", "--run", str(run), "--dataset", str(dataset), "--json"]) == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert result["model"] == "lightgcn"
    assert result["test_users"] == 16
    assert set(result["metrics"]) == {"recall@20", "ndcg@20", "precision@20"}
    assert result["metrics"]["recall@20"] == 1.0  # 20 items, 12 of them masked: all 8 fit

    blend = ["eval", "lightgcn", "--run", str(run), "--dataset", str(dataset), "--blend", "0.5"]
    assert cli.main([*blend, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["model"] == "lightgcn + 0.5 x gfcf (blend)"
    assert result["metrics"]["recall@20"] == 1.0
    graph_flags = ["train", "--dataset", str(dataset), "--since", "2020-01-01T00:00:00+00:00"]
    assert cli.main([*graph_flags, "--purchase-weight", "2"]) == 1
    assert "--since, --purchase-weight only apply with --write-back" in capsys.readouterr().err
    gfcf_blend = ["eval", "lightgcn", "--model", "gfcf", "--dataset", str(dataset), "--blend", "1"]
    assert cli.main(gfcf_blend) == 1
    assert "use it with --model lightgcn" in capsys.readouterr().err


def test_eval_gfcf_prints_a_table(dataset: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        cli.main(["eval", "lightgcn", "--model", "gfcf", "--dataset", str(dataset), "--k", "2"])
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("gfcf on tiny:")
    assert "recall@2" in out
    assert "test users" in out


def test_eval_without_a_model_is_an_error(
    dataset: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["eval", "lightgcn", "--dataset", str(dataset)]) == 1
    assert "--model lightgcn needs --run RUN_DIR" in capsys.readouterr().err


def test_train_rejects_unknown_settings(
    dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("learning_rat = 0.1\n")
    code = cli.main(["train", "--dataset", str(dataset), "--config", str(config), *_FAST])
    assert code == 1
    assert "Unknown LightGCN setting 'learning_rat'" in capsys.readouterr().err


def test_train_resume_finishes_a_run(
    dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    assert cli.main(["train", "--dataset", str(dataset), "--run-dir", str(run), *_FAST]) == 0
    assert f"Run folder: {run}" in capsys.readouterr().out
    code = cli.main(["train", "--dataset", str(dataset), "--resume", str(run), "--no-progress"])
    assert code == 0
    assert "epochs" in capsys.readouterr().out
    assert cli.main(["train", "--dataset", str(dataset), "--resume", str(run), *_FAST]) == 1
    assert "--resume takes its settings from the run" in capsys.readouterr().err
