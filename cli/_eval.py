"""``shopgraph eval SUITE ...``: offline evaluations on public benchmark data.

Each suite is a sub-command registered by one function in ``_SUITES``; a new suite (e.g.
``eval bundles``) adds its own ``register(suites)`` there.

``shopgraph eval lightgcn [--model lightgcn|gfcf] [--run RUN_DIR] [--blend W] [--dataset DIR]
[--json]`` ranks all items for every test user of a LightGCN-format split (default
``$SHOPGRAPH_DATA/lightgcn-gowalla``), training items masked, and reports recall, NDCG and
precision at 20 (:mod:`shopgraph.gnn.evaluate`). GF-CF is fitted on the spot (it needs no
training); LightGCN is read from a run folder made by ``shopgraph train``. ``--blend W``
ranks by the LightGCN run blended with GF-CF (:class:`~shopgraph.evaluation.blend.Blend`,
``z(LightGCN) + W z(GF-CF)``); the output names the blend, so it is never mistaken for
LightGCN alone.

``shopgraph eval bundles [--dataset PARQUET] [--k 10] [--seed 42] [--uri URI] [--json]``
loads the UCI Online Retail train baskets into a temporary embedded Neo4j (or the empty
server at ``--uri``/``NEO4J_URI``), answers every test cart with ``shopgraph.bundle`` through
the client and scores the classic baselines in the same run
(:mod:`shopgraph.evaluation.bundle_eval`).

``shopgraph eval served [--dataset DIR] [--users 2000] [--seed 42] [--k 20] [--json]`` loads a
LightGCN-format split into a temporary embedded Neo4j as orders, retrains through the graph
with the defaults, and reports the quality and latency of what ``recommend`` serves beside the
model-free answer and the published model's offline ranking
(:mod:`shopgraph.evaluation.served`).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shopgraph.cli._common import (
    StageBars,
    add_connection_flags,
    print_json,
    settings_from,
    show_progress,
    table,
)
from shopgraph.core.errors import BadInputError, ConfigError
from shopgraph.core.settings import Settings
from shopgraph.graph import server
from shopgraph.graph.client import ShopGraph

if TYPE_CHECKING:  # torch, PyG and mlxtend load only when an evaluation runs
    from shopgraph.evaluation.bundle_eval import BundleEvalReport
    from shopgraph.gnn.ranking import Recommender


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("eval", help="evaluate models on public benchmark data")
    suites = parser.add_subparsers(dest="suite", required=True, metavar="SUITE")
    for register_suite in _SUITES:
        register_suite(suites)


def _register_lightgcn(suites: Any) -> None:
    parser = suites.add_parser(
        "lightgcn",
        help="all-item top-20 ranking on a LightGCN-format split (default: Gowalla)",
        description="Recall, NDCG and precision at 20 on a LightGCN-format train/test split, "
        "all items ranked, training items masked, users without test items skipped.",
    )
    parser.add_argument(
        "--model", choices=("lightgcn", "gfcf"), default="lightgcn", help="model (lightgcn)"
    )
    parser.add_argument(
        "--run",
        dest="run_dir",
        type=Path,
        metavar="RUN_DIR",
        help="LightGCN run folder (or its model/)",
    )
    parser.add_argument(
        "--dataset", type=Path, help="dataset folder (default $SHOPGRAPH_DATA/lightgcn-gowalla)"
    )
    parser.add_argument(
        "--blend",
        type=float,
        metavar="W",
        help="with --model lightgcn: rank by z(LightGCN) + W z(GF-CF) (per-user standardised)",
    )
    parser.add_argument("--k", type=int, default=20, help="cut-off (20)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=_eval_lightgcn)


def _register_bundles(suites: Any) -> None:
    parser = suites.add_parser(
        "bundles",
        help="FBT bundles on UCI Online Retail against classic baselines",
        description="Served shopgraph.bundle HitRate@k, MRR@k and coverage on the UCI Online "
        "Retail protocol (first 80%% of orders train, one held-out item per test basket), "
        "beside popularity, co-occurrence, item cosine and association rules in the same run.",
    )
    parser.add_argument(
        "--dataset",
        type=Path,
        help="UCI long-form baskets (default: uci-online-retail/baskets_long.parquet "
        "under $SHOPGRAPH_DATA)",
    )
    parser.add_argument("--k", type=int, default=10, help="list length (10)")
    parser.add_argument("--seed", type=int, default=42, help="seed of held-out items (42)")
    parser.add_argument(
        "--rule-supports",
        type=float,
        nargs="+",
        default=[0.002, 0.005],
        metavar="S",
        help="min_support values of the association-rule baseline (0.002 0.005)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.add_argument("--json", action="store_true", help="print JSON")
    add_connection_flags(parser)
    parser.set_defaults(run=_eval_bundles)


def _register_served(suites: Any) -> None:
    parser = suites.add_parser(
        "served",
        help="recall/NDCG@20 and latency of what recommend serves, on a LightGCN-format split",
        description="Loads a LightGCN-format train split (default Gowalla) into an empty graph, "
        "one order per user, retrains through the graph with the defaults of `shopgraph train "
        "--write-back`, publishes, then answers test users through the client: recommend as "
        "served, recommend without the model, and the published model's offline ranking; "
        "reports recall, NDCG and precision at k and p50/p99 latency of each.",
    )
    parser.add_argument(
        "--dataset", type=Path, help="dataset folder (default $SHOPGRAPH_DATA/lightgcn-gowalla)"
    )
    parser.add_argument(
        "--users",
        type=int,
        default=2000,
        help="a seeded sample of this many test users (2000); 0: every test user",
    )
    parser.add_argument("--seed", type=int, default=42, help="seed of the sample (42)")
    parser.add_argument("--k", type=int, default=20, help="cut-off (20)")
    parser.add_argument(
        "--runs", type=Path, default=Path(".shopgraph/runs"), help="parent of the new run folder"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.add_argument("--json", action="store_true", help="print JSON")
    add_connection_flags(parser)
    parser.set_defaults(run=_eval_served)


_SUITES: tuple[Callable[[Any], None], ...] = (
    _register_lightgcn,
    _register_bundles,
    _register_served,
)


def _eval_lightgcn(args: argparse.Namespace) -> int:
    from shopgraph.evaluation.blend import Blend
    from shopgraph.gnn.datasets import read_lightgcn_folder
    from shopgraph.gnn.evaluate import evaluate
    from shopgraph.gnn.gfcf import GFCF, GFCFConfig
    from shopgraph.gnn.lightgcn import LightGCN
    from shopgraph.gnn.threads import torch_threads

    if args.model == "gfcf" and args.run_dir is not None:
        raise ConfigError("--run applies to --model lightgcn; GF-CF is fitted on the spot.")
    if args.blend is not None and args.model != "lightgcn":
        raise ConfigError("--blend mixes GF-CF into a LightGCN run; use it with --model lightgcn.")
    if args.model == "lightgcn" and args.run_dir is None:
        raise ConfigError(
            "--model lightgcn needs --run RUN_DIR: train a model with `shopgraph train` and "
            "pass its run folder, or evaluate the training-free --model gfcf."
        )
    folder = args.dataset or Settings.from_env().data_dir / "lightgcn-gowalla"
    dataset = read_lightgcn_folder(folder)
    started = time.perf_counter()
    model: Recommender
    with torch_threads(args.threads):
        if args.model == "gfcf":
            model = GFCF(GFCFConfig(num_threads=args.threads)).fit(dataset.train)
        else:
            model = LightGCN.load(args.run_dir)
            if model.id_map != dataset.train.id_map:
                raise BadInputError(
                    f"the model in {args.run_dir} was trained on other users or items than "
                    f"{folder.name}",
                    path=folder,
                )
            if args.blend is not None:
                try:
                    gfcf = GFCF(GFCFConfig(num_threads=args.threads)).fit(dataset.train)
                    model = Blend(model, gfcf, args.blend)
                except ValueError as e:
                    raise ConfigError(str(e)) from None
        fit_seconds = time.perf_counter() - started
        started = time.perf_counter()
        metrics = evaluate(model, dataset.test, exclude=dataset.train, ks=(args.k,))
        eval_seconds = time.perf_counter() - started
    name = args.model if args.blend is None else f"lightgcn + {args.blend:g} x gfcf (blend)"
    result = {
        "dataset": dataset.name,
        "model": name,
        "run": str(args.run_dir) if args.run_dir is not None else None,
        "metrics": metrics,
        "test_users": int((dataset.test.matrix.getnnz(axis=1) > 0).sum()),
        "fit_seconds": round(fit_seconds, 2),
        "eval_seconds": round(eval_seconds, 2),
    }
    if args.json:
        print_json(result)
        return 0
    print(f"{name} on {dataset.name}:")
    rows: list[tuple[str, Any]] = [(name, f"{value:.4f}") for name, value in metrics.items()]
    rows += [
        ("test users", result["test_users"]),
        ("fit/load seconds", fit_seconds),
        ("eval seconds", eval_seconds),
    ]
    print(table(rows))
    return 0


def _eval_bundles(args: argparse.Namespace) -> int:
    from shopgraph.evaluation.bundle_eval import evaluate_bundles

    if args.k < 1:
        raise ConfigError(f"--k must be at least 1, got {args.k}.")
    settings = settings_from(args)
    parquet = args.dataset or (settings.data_dir / "uci-online-retail" / "baskets_long.parquet")
    if not parquet.is_file():
        raise ConfigError(f"No UCI Online Retail baskets at {parquet}: set SHOPGRAPH_DATA.")
    progress = StageBars("cart", show_progress(args))

    with ExitStack() as stack:
        if settings.embedded:
            settings = stack.enter_context(server.temporary(settings))
        shop = stack.enter_context(ShopGraph.connect(settings))
        report = evaluate_bundles(
            shop,
            parquet,
            k=args.k,
            seed=args.seed,
            rule_supports=args.rule_supports,
            progress=progress,
        )
    if args.json:
        print_json(report)
        return 0
    _print_bundles(report)
    return 0


def _eval_served(args: argparse.Namespace) -> int:
    from shopgraph.evaluation.served import evaluate_served
    from shopgraph.gnn.runs import new_run_path

    if args.users < 0:
        raise ConfigError(f"--users must be 0 (all) or more, got {args.users}.")
    settings = settings_from(args)
    folder = args.dataset or settings.data_dir / "lightgcn-gowalla"
    progress = StageBars("user", show_progress(args))

    with ExitStack() as stack:
        if settings.embedded:
            settings = stack.enter_context(server.temporary(settings))
        shop = stack.enter_context(ShopGraph.connect(settings))
        report = evaluate_served(
            shop,
            folder,
            run_dir=new_run_path(args.runs),
            users=args.users or None,
            seed=args.seed,
            k=args.k,
            progress=progress,
        )
    if args.json:
        print_json(report)
        return 0
    print(
        f"{report.dataset}: {report.interactions:,} train order lines loaded in "
        f"{report.load_seconds:,.0f} s; retrained and published {report.version} in "
        f"{report.retrain_seconds:,.0f} s; {report.users:,} of {report.test_users:,} test "
        f"users (seed {report.seed})"
    )
    k = report.k
    width = max(len(r.method) for r in report.results)
    print(f"  {'method':<{width}}  recall@{k}  ndcg@{k}  precision@{k}  p50 ms  p99 ms")
    for r in report.results:
        m = r.metrics
        print(
            f"  {r.method:<{width}}  {m[f'recall@{k}']:.4f}     {m[f'ndcg@{k}']:.4f}   "
            f"{m[f'precision@{k}']:.4f}         {r.p50_ms:6.1f}  {r.p99_ms:6.1f}"
        )
    return 0


def _print_bundles(report: BundleEvalReport) -> None:
    print(
        f"UCI Online Retail: {report.train_baskets:,} train baskets, {report.test_cases:,} "
        f"test carts, {report.catalogue:,} items ({report.unseen_test:,} held-out items "
        "never seen in train)"
    )
    k = report.k
    width = max(len(r.method) for r in report.results)
    print(f"  {'method':<{width}}  HR@{k:<4} MRR@{k:<3} coverage  seconds")
    for r in report.results:
        print(
            f"  {r.method:<{width}}  {r.hit_rate:.4f}  {r.mrr:.4f}  {r.coverage:.4f}"
            f"    {r.seconds:,.1f}"
        )
    best = report.best_baseline
    verdict = "beats" if report.results[0].hit_rate > best.hit_rate else "does NOT beat"
    print(f"shopgraph {verdict} the best baseline ({best.method}, HR@{k} {best.hit_rate:.4f}).")
