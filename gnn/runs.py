"""The run folder of one training run: what was trained, on what, how it went, and where.

Layout (one folder per run)::

    config.json     the LightGCNConfig, plus torch / PyG versions and the start time
    data.json       descriptions (sizes, sha256) of the training and validation snapshots
    id_map.json     business ids of the model's rows (:class:`~shopgraph.gnn.data.IdMap`)
    metrics.jsonl   one JSON object per epoch: loss, seconds, validation metrics
    checkpoint.pt   the latest training state (resume from here)
    curves.png      loss and validation recall@20 per epoch
    model/          the trained model (``LightGCN.load`` reads it)
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import torch

from shopgraph.core.errors import BadInputError
from shopgraph.gnn.config import LightGCNConfig
from shopgraph.gnn.data import InteractionData

__all__ = ["RunFolder", "new_run_path"]

_CHECKPOINT = "checkpoint.pt"


def new_run_path(root: Path, name: str = "lightgcn") -> Path:
    """A fresh folder name under ``root``: ``<name>-YYYYmmdd-HHMMSS`` (``-2``, ... if taken)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = root / f"{name}-{stamp}"
    suffix = 2
    while path.exists():
        path = root / f"{name}-{stamp}-{suffix}"
        suffix += 1
    return path


class RunFolder:
    """Reads and writes the files of one run folder (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def model_dir(self) -> Path:
        return self.path / "model"

    @property
    def checkpoint_path(self) -> Path:
        return self.path / _CHECKPOINT

    @classmethod
    def create(
        cls,
        path: Path,
        config: LightGCNConfig,
        train: InteractionData,
        validation: InteractionData | None,
    ) -> RunFolder:
        """Starts a new run in ``path`` (created; it must not hold a run already).

        Raises:
            ValueError: When ``path`` already holds a run (resume it instead).
        """
        if (path / "config.json").exists():
            raise ValueError(f"{path} already holds a run; resume it or choose a new folder.")
        path.mkdir(parents=True, exist_ok=True)
        run = cls(path)
        run._write_json(
            "config.json",
            {
                "model": "lightgcn",
                "config": config.to_dict(),
                "started": datetime.now(UTC).isoformat(timespec="seconds"),
                "torch": torch.__version__,
                "torch_geometric": metadata.version("torch_geometric"),
            },
        )
        run._write_json("data.json", _describe(train, validation))
        train.id_map.save(path / "id_map.json")
        (path / "metrics.jsonl").write_text("")
        return run

    @classmethod
    def reopen(
        cls,
        path: Path,
        config: LightGCNConfig,
        train: InteractionData,
        validation: InteractionData | None,
    ) -> RunFolder:
        """Opens a run to resume it, checking that config and data are the same as before.

        Raises:
            ValueError: When ``path`` holds no run, or the config or data differ.
        """
        run = cls(path)
        try:
            saved = json.loads((path / "config.json").read_text())
            data = json.loads((path / "data.json").read_text())
        except FileNotFoundError:
            raise ValueError(f"{path} holds no run to resume.") from None
        if saved.get("config") != config.to_dict():
            changed = sorted(
                k
                for k in {**saved.get("config", {}), **config.to_dict()}
                if saved.get("config", {}).get(k) != config.to_dict().get(k)
            )
            raise ValueError(
                f"The run in {path} was trained with other settings ({', '.join(changed)}); "
                "resume it with its own config.json."
            )
        if data != _describe(train, validation):
            raise ValueError(f"The run in {path} was trained on other data; see its data.json.")
        return run

    def _write_json(self, name: str, value: Any) -> None:
        (self.path / name).write_text(json.dumps(value, indent=2, sort_keys=True) + "\n")

    def write_metrics(self, rows: Sequence[dict[str, Any]]) -> None:
        """Replaces ``metrics.jsonl`` with these rows (one per epoch)."""
        text = "".join(json.dumps(row, sort_keys=True) + "\n" for row in rows)
        (self.path / "metrics.jsonl").write_text(text)

    def append_metrics(self, row: dict[str, Any]) -> None:
        """Adds one epoch's row to ``metrics.jsonl``."""
        with (self.path / "metrics.jsonl").open("a") as f:
            f.write(json.dumps(row, sort_keys=True) + "\n")

    def save_checkpoint(self, state: dict[str, Any]) -> None:
        """Writes the training state atomically (a crash never leaves half a checkpoint)."""
        partial = self.path / (_CHECKPOINT + ".partial")
        torch.save(state, partial)
        os.replace(partial, self.checkpoint_path)

    def load_checkpoint(self) -> dict[str, Any]:
        """The state of the last :meth:`save_checkpoint`.

        Raises:
            ValueError: When the run has no checkpoint.
            BadInputError: When the checkpoint cannot be read.
        """
        if not self.checkpoint_path.exists():
            raise ValueError(f"{self.path} has no checkpoint to resume from.")
        try:
            state: dict[str, Any] = torch.load(self.checkpoint_path, weights_only=True)
        except (OSError, RuntimeError, EOFError) as e:
            raise BadInputError(
                f"cannot read the checkpoint ({e})", path=self.checkpoint_path
            ) from e
        return state

    def plot_curves(self, rows: Sequence[dict[str, Any]]) -> Path:
        """Draws training loss and validation recall@20 per epoch into ``curves.png``."""
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot as plt

        path = self.path / "curves.png"
        fig, loss_axis = plt.subplots(figsize=(7, 4), dpi=100)
        try:
            epochs = [row["epoch"] for row in rows]
            loss_axis.plot(epochs, [row["loss"] for row in rows], color="tab:blue")
            loss_axis.set_xlabel("epoch")
            loss_axis.set_ylabel("BPR loss", color="tab:blue")
            evaluated = [row for row in rows if row.get("val_recall@20") is not None]
            if evaluated:
                recall_axis = loss_axis.twinx()
                recall_axis.plot(
                    [row["epoch"] for row in evaluated],
                    [row["val_recall@20"] for row in evaluated],
                    color="tab:orange",
                    marker=".",
                )
                recall_axis.set_ylabel("validation recall@20", color="tab:orange")
            loss_axis.set_title(self.path.name)
            fig.tight_layout()
            fig.savefig(path)
        finally:
            plt.close(fig)
        return path


def _describe(train: InteractionData, validation: InteractionData | None) -> dict[str, Any]:
    return {
        "train": train.describe(),
        "validation": validation.describe() if validation is not None else None,
    }
