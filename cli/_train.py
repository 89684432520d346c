"""``shopgraph train (--dataset DIR | --write-back) [--config FILE.toml] [--SETTING VALUE ...]``.

Trains LightGCN on a LightGCN-format dataset folder (``--dataset``), or on a subgraph
exported from Neo4j whose embeddings are then published as the new active model version
(``--write-back``, :func:`~shopgraph.graph.retrain.retrain`; export flags choose the
subgraph). Settings come from the defaults of :class:`~shopgraph.gnn.config.LightGCNConfig`,
then the TOML file (top-level keys, or a ``[lightgcn]`` table), then flags (one per setting).
Each run gets its own folder (config, data description, id map, metrics, checkpoints, curves,
model); ``--resume RUN_DIR`` continues an interrupted dataset run with the settings saved in it.
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

from shopgraph.cli._common import (
    add_connection_flags,
    aware_datetime,
    print_json,
    settings_from,
    show_progress,
    table,
)
from shopgraph.core.errors import ConfigError
from shopgraph.gnn.config import LightGCNConfig
from shopgraph.gnn.influence import InfluenceBound
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.export import EventWeights, ExportOptions

if TYPE_CHECKING:  # torch and PyG load only when a model is trained (fast `shopgraph --help`)
    from shopgraph.gnn.train import EpochReport


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train LightGCN on a dataset folder, or on the graph with --write-back",
        description="Train LightGCN (BPR, early stopping on a validation split) and save the "
        "run folder: config, data description, id map, metrics, checkpoints, curves, model. "
        "With --write-back, train on a subgraph exported from Neo4j and publish the embeddings "
        "as the new active model version (the one before is kept for `shopgraph model "
        "rollback`).",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--dataset", type=Path, help="folder with train.txt[.gz] (LightGCN format)")
    source.add_argument(
        "--write-back",
        action="store_true",
        help="train on the graph in Neo4j and publish the embeddings as the active model",
    )
    parser.add_argument("--config", type=Path, help="TOML file of settings")
    parser.add_argument(
        "--runs", type=Path, default=Path(".shopgraph/runs"), help="parent of new run folders"
    )
    parser.add_argument("--run-dir", type=Path, help="exact folder of the new run")
    parser.add_argument(
        "--resume", type=Path, metavar="RUN_DIR", help="continue this run from its checkpoint"
    )
    parser.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress bar (there is none when stderr is not a terminal)",
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    _register_export(parser)
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


def _register_export(parser: argparse.ArgumentParser) -> None:
    add_connection_flags(parser)
    group = parser.add_argument_group("--write-back: the exported subgraph and the model version")
    defaults, weights = ExportOptions(), EventWeights()
    group.add_argument("--version", help="name of the new model version (default: the run's)")
    group.add_argument(
        "--since",
        type=aware_datetime,
        metavar="TIME",
        help="only interactions at or after this ISO time with a timezone, "
        "e.g. 2019-10-01T00:00:00+00:00",
    )
    group.add_argument(
        "--until",
        type=aware_datetime,
        metavar="TIME",
        help="only interactions at or before this ISO time with a timezone",
    )
    group.add_argument(
        "--category",
        dest="categories",
        action="append",
        default=[],
        metavar="CODE",
        help="only items under this category code (repeat for several; default all)",
    )
    for name in ("view", "cart", "remove_from_cart", "purchase"):
        group.add_argument(
            f"--{name.replace('_', '-')}-weight",
            dest=f"weight_{name}",
            type=float,
            default=getattr(weights, name),
            metavar="W",
            help=f"weight of a {name.replace('_', ' ')} (default {getattr(weights, name)}; 0: off)",
        )
    group.add_argument(
        "--half-life-days",
        type=float,
        default=defaults.half_life_days,
        help=f"recency half-life (default {defaults.half_life_days})",
    )
    group.add_argument("--no-decay", action="store_true", help="no recency decay")
    group.add_argument("--no-trust", action="store_true", help="ignore trust weights")
    group.add_argument(
        "--bound-influence",
        action="store_true",
        help=(
            "cap per item the weight of edges that do not fit their user, and scale down"
            " items whose audience is far narrower than usual (gnn.influence)"
        ),
    )
    for kind in ("user", "item"):
        group.add_argument(
            f"--min-{kind}-interactions",
            type=int,
            default=1,
            metavar="N",
            help=f"keep {kind}s with at least N interactions (default 1)",
        )


#: Flags that only apply to --write-back: flag -> (argument name, default). A dataset run
#: refuses them rather than ignoring them.
_GRAPH_FLAGS: dict[str, tuple[str, Any]] = {
    "--uri": ("uri", None),
    "--database": ("database", None),
    "--version": ("version", None),
    "--since": ("since", None),
    "--until": ("until", None),
    "--category": ("categories", []),
    "--view-weight": ("weight_view", EventWeights().view),
    "--cart-weight": ("weight_cart", EventWeights().cart),
    "--remove-from-cart-weight": ("weight_remove_from_cart", EventWeights().remove_from_cart),
    "--purchase-weight": ("weight_purchase", EventWeights().purchase),
    "--half-life-days": ("half_life_days", ExportOptions().half_life_days),
    "--no-decay": ("no_decay", False),
    "--no-trust": ("no_trust", False),
    "--bound-influence": ("bound_influence", False),
    "--min-user-interactions": ("min_user_interactions", 1),
    "--min-item-interactions": ("min_item_interactions", 1),
}


def _export_options(args: argparse.Namespace) -> ExportOptions:
    try:
        return ExportOptions(
            since=args.since,
            until=args.until,
            categories=tuple(args.categories),
            weights=EventWeights(
                view=args.weight_view,
                cart=args.weight_cart,
                remove_from_cart=args.weight_remove_from_cart,
                purchase=args.weight_purchase,
            ),
            half_life_days=None if args.no_decay else args.half_life_days,
            use_trust=not args.no_trust,
            influence=InfluenceBound() if args.bound_influence else None,
            min_user_interactions=args.min_user_interactions,
            min_item_interactions=args.min_item_interactions,
        )
    except ValueError as e:
        raise ConfigError(str(e)) from None


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
    if args.write_back:
        return _write_back(args, config)
    graph_only = [
        flag for flag, (name, default) in _GRAPH_FLAGS.items() if getattr(args, name) != default
    ]
    if graph_only:
        raise ConfigError(f"{', '.join(graph_only)} only apply with --write-back.")
    dataset = read_lightgcn_folder(args.dataset)
    if args.resume is not None:
        run_dir = args.resume
    else:
        run_dir = args.run_dir if args.run_dir is not None else new_run_path(args.runs)
    bar = _EpochBar(config.epochs, enabled=show_progress(args))
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


def _write_back(args: argparse.Namespace, config: LightGCNConfig) -> int:
    from shopgraph.gnn.runs import new_run_path
    from shopgraph.graph.retrain import retrain

    if args.resume is not None:
        raise ConfigError("--resume continues a --dataset run; a --write-back run starts afresh.")
    options = _export_options(args)
    run_dir = args.run_dir if args.run_dir is not None else new_run_path(args.runs)
    bar = _EpochBar(config.epochs, enabled=show_progress(args))
    try:
        with ShopGraph.connect(settings_from(args)) as shop:
            report = retrain(
                shop.runner, options, config, run_dir=run_dir, version=args.version, progress=bar
            )
    except ValueError as e:
        raise ConfigError(str(e)) from None
    finally:
        bar.close()
    if args.json:
        print_json(report)
        return 0
    print(f"Run folder: {run_dir}")
    rows: list[tuple[str, Any]] = [
        ("exported interactions", report.interactions),
        ("users / items", f"{report.users:,} / {report.items:,}"),
        ("epochs", report.epochs_run),
        ("best epoch", report.best_epoch),
        ("export seconds", report.export_seconds),
        ("train seconds", report.train_seconds),
        ("write-back seconds", report.publish.seconds),
        ("users / items written", f"{report.publish.users_written:,} / "
         f"{report.publish.items_written:,}"),
    ]  # fmt: skip
    for name, value in (report.validation or {}).items():
        rows.append((f"validation {name}", f"{value:.4f}"))
    print(table(rows))
    print(f"Active model version: {report.version} (slot {report.publish.slot}).")
    return 0
