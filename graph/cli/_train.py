"""``shopgraph train --dataset DIR [--config FILE.toml] [--SETTING VALUE ...]``: train LightGCN.

Settings come from the defaults of :class:`~shopgraph.gnn.config.LightGCNConfig`, then the
TOML file (top-level keys, or a ``[lightgcn]`` table), then flags (one per setting). Each run
gets its own folder (config, data description, id map, metrics, checkpoints, curves, model);
``--resume RUN_DIR`` continues an interrupted run with the settings saved in it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from shopgraph.gnn.config import LightGCNConfig
from shopgraph.graph.cli._common import print_json, table
from shopgraph.graph.errors import ConfigError

if TYPE_CHECKING:  # torch and PyG load only when a model is trained (fast `shopgraph --help`)
    from shopgraph.gnn.train import EpochReport


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train LightGCN on a LightGCN-format dataset folder",
        description="Train LightGCN (BPR, early stopping on a validation split) and save the "
        "run folder: config, data description, id map, metrics, checkpoints, curves, model.",
    )
    parser.add_argument(
        "--dataset", type=Path, required=True, help="folder with train.txt[.gz] (LightGCN format)"
    )
    parser.add_argument("--config", type=Path, help="TOML file of settings")
    parser.add_argument(
        "--runs", type=Path, default=Path(".shopgraph/runs"), help="parent of new run folders"
    )
    parser.add_argument("--run-dir", type=Path, help="exact folder of the new run")
    parser.add_argument(
        "--resume", type=Path, metavar="RUN_DIR", help="continue this run from its checkpoint"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    settings = parser.add_argument_group("settings (override the config file)")
    defaults = LightGCNConfig()
    for field in dataclasses.fields(LightGCNConfig):
        default = getattr(defaults, field.name)
        kind = type(default)
        settings.add_argument(
            "--" + field.name.replace("_", "-"),
            dest=f"setting_{field.name}",
            type=str if issubclass(kind, StrEnum) else kind,
            choices=[m.value for m in kind] if issubclass(kind, StrEnum) else None,
            metavar=None if issubclass(kind, StrEnum) else kind.__name__.upper(),
            help=f"{field.metadata['help']} (default {_show(default)})",
        )
    parser.set_defaults(run=_train)


def _show(value: Any) -> str:
    return value.value if isinstance(value, StrEnum) else str(value)


def _flags(args: argparse.Namespace) -> dict[str, Any]:
    return {
        name.removeprefix("setting_"): value
        for name, value in vars(args).items()
        if name.startswith("setting_") and value is not None
    }


def _config(args: argparse.Namespace) -> LightGCNConfig:
    if args.resume is not None:
        if args.config is not None or _flags(args):
            raise ConfigError("--resume takes its settings from the run; drop --config and flags.")
        saved = args.resume / "config.json"
        try:
            return LightGCNConfig.from_dict(json.loads(saved.read_text())["config"])
        except FileNotFoundError:
            raise ConfigError(f"{args.resume} holds no run to resume (no config.json).") from None
        except (json.JSONDecodeError, KeyError, ValueError) as e:
            raise ConfigError(f"{saved} is not a run configuration: {e}") from None
    values: dict[str, Any] = {}
    if args.config is not None:
        try:
            document = tomllib.loads(args.config.read_text())
        except FileNotFoundError:
            raise ConfigError(f"The config file {args.config} does not exist.") from None
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{args.config} is not valid TOML: {e}") from None
        values = document.get("lightgcn", document)
    try:
        return LightGCNConfig.from_dict({**values, **_flags(args)})
    except ValueError as e:
        raise ConfigError(str(e)) from None


class _EpochBar:
    """One tqdm step per epoch, with loss and validation recall@20 in the postfix."""

    def __init__(self, total: int, enabled: bool) -> None:
        self._bar = tqdm(
            total=total, unit="epoch", desc="train", file=sys.stderr, disable=not enabled
        )
        self._recall: str = "-"

    def __call__(self, report: EpochReport) -> None:
        if self._bar.n == 0 and report.epoch > 1:
            self._bar.update(report.epoch - 1)  # resumed
        if report.metrics is not None:
            self._recall = f"{report.metrics['recall@20']:.4f}"
        self._bar.set_postfix(loss=f"{report.loss:.4f}", val_recall20=self._recall)
        self._bar.update(1)

    def close(self) -> None:
        self._bar.close()


def _train(args: argparse.Namespace) -> int:
    from shopgraph.gnn.datasets import read_lightgcn_folder
    from shopgraph.gnn.lightgcn import LightGCN
    from shopgraph.gnn.runs import new_run_path

    config = _config(args)
    dataset = read_lightgcn_folder(args.dataset)
    if args.resume is not None:
        run_dir = args.resume
    else:
        run_dir = args.run_dir if args.run_dir is not None else new_run_path(args.runs)
    bar = _EpochBar(config.epochs, enabled=not (args.no_progress or args.json))
    try:
        model = LightGCN(config).fit(
            dataset.train, run_dir=run_dir, resume=args.resume is not None, progress=bar
        )
    except ValueError as e:
        raise ConfigError(str(e)) from None
    finally:
        bar.close()
    result = model.training
    summary = {
        "run_dir": str(run_dir),
        "epochs_run": result.epochs_run,
        "best_epoch": result.best_epoch,
        "stopped_early": result.stopped_early,
        "train_seconds": round(result.train_seconds, 1),
        "validation": result.best_metrics,
    }
    if args.json:
        print_json(summary)
        return 0
    print(f"Run folder: {run_dir}")
    rows: list[tuple[str, Any]] = [
        ("epochs", result.epochs_run),
        ("best epoch", result.best_epoch),
        ("stopped early", result.stopped_early),
        ("train seconds", result.train_seconds),
    ]
    for name, value in (result.best_metrics or {}).items():
        rows.append((f"validation {name}", f"{value:.4f}"))
    print(table(rows))
    return 0
