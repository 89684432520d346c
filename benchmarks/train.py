"""LightGCN training speed and quality on Gowalla: our trainer beside a PyG-example loop.

Sections (all on the LightGCN paper's Gowalla split, evaluated on its test set with
:func:`shopgraph.gnn.evaluate.evaluate`, all items ranked, training items masked):

1. ``propagation``: one forward + backward of 3-layer propagation, three ways: PyG's
   ``LightGCN.get_embedding(edge_index)``, a stack of ``LGConv`` on a precomputed CSR matrix,
   and :func:`shopgraph.gnn.propagation.propagate`.
2. ``compare``: ``--epochs`` epochs of a loop in the style of PyG's ``examples/lightgcn.py``
   (PyG ``LightGCN``, full propagation per mini-batch of 8192 training edges, uniform
   negatives, Adam lr 0.001, ``recommendation_loss`` with lambda 1e-4) beside the same
   number of epochs of :func:`shopgraph.gnn.train.train_lightgcn` with its default config
   (validation off, so both train on the whole training split); seconds per epoch and
   test metrics after those epochs.
3. ``gfcf``: GF-CF fit and full evaluation, the training-free baseline.
4. ``full``: two complete runs of the default config: the paper's protocol (whole training
   split, test set evaluated during training and the best epoch kept, as in the LightGCN
   reference code; also when test recall@20 first reaches 0.18) and a held-out protocol
   (validation split for early stopping, test set touched once).

    .venv/bin/python benchmarks/train.py                       # every section
    .venv/bin/python benchmarks/train.py --sections compare --epochs 3

Results are printed and appended to ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch_geometric.nn import LGConv
from torch_geometric.nn import LightGCN as PyGLightGCN

from shopgraph.core.settings import Settings
from shopgraph.evaluation.blend import Blend
from shopgraph.gnn.config import LightGCNConfig
from shopgraph.gnn.data import InteractionData
from shopgraph.gnn.datasets import LightGCNDataset, read_lightgcn_folder
from shopgraph.gnn.evaluate import evaluate
from shopgraph.gnn.gfcf import GFCF, GFCFConfig
from shopgraph.gnn.lightgcn import LightGCN
from shopgraph.gnn.propagation import normalized_adjacency, propagate, to_torch_csr
from shopgraph.gnn.runs import new_run_path
from shopgraph.gnn.threads import torch_threads
from shopgraph.gnn.train import EpochReport, train_lightgcn

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "RESULTS.md"
OUT = REPO / "benchmarks" / "out"
SECTIONS = ("propagation", "compare", "gfcf", "full", "blend")


class _Embeddings:
    """Final user/item embeddings as an evaluate.Scorer."""

    def __init__(self, users: torch.Tensor, items: torch.Tensor) -> None:
        self._users, self._items = users, items

    @property
    def n_items(self) -> int:
        return int(self._items.shape[0])

    def score(self, users: np.ndarray) -> torch.Tensor:
        return self._users[torch.from_numpy(users)] @ self._items.T


def _edge_index(data: InteractionData) -> torch.Tensor:
    users = torch.from_numpy(data.users)
    items = torch.from_numpy(data.items + data.n_users)
    return torch.stack([torch.cat([users, items]), torch.cat([items, users])])


def bench_propagation(data: InteractionData, repeats: int) -> list[tuple[str, float]]:
    """Seconds of one forward + backward of 3-layer propagation (64 dimensions)."""
    n = data.n_users + data.n_items
    adjacency = to_torch_csr(normalized_adjacency(data))
    edge_index = _edge_index(data)
    pyg = PyGLightGCN(n, 64, num_layers=3)
    conv = LGConv(normalize=False)

    def lgconv_stack(x: torch.Tensor) -> torch.Tensor:
        layers = [x]
        for _ in range(3):
            layers.append(conv(layers[-1], adjacency))
        return torch.stack(layers).mean(dim=0)

    def pyg_model(x: torch.Tensor) -> torch.Tensor:
        pyg.embedding.weight.data = x.detach()
        out: torch.Tensor = pyg.get_embedding(edge_index)
        return out

    variants: list[tuple[str, Callable[[torch.Tensor], torch.Tensor]]] = [
        ("PyG LightGCN.get_embedding(edge_index)", pyg_model),
        ("PyG LGConv x3 on a precomputed CSR matrix", lgconv_stack),
        ("shopgraph propagate (symmetric operator, CSR)", lambda x: propagate(adjacency, x, 3)),
    ]
    out = []
    generator = torch.Generator().manual_seed(0)
    for name, function in variants:
        x = torch.randn(n, 64, generator=generator).requires_grad_()
        pyg.embedding.weight.grad = None
        function(x).square().sum().backward()  # warm-up
        started = time.perf_counter()
        for _ in range(repeats):
            x.grad = None
            pyg.embedding.weight.grad = None
            function(x).square().sum().backward()
        out.append((name, (time.perf_counter() - started) / repeats))
    return out


def pyg_example_loop(
    data: InteractionData, test: InteractionData, epochs: int, seed: int
) -> tuple[list[float], dict[str, float]]:
    """The training loop of PyG's ``examples/lightgcn.py`` (3 layers), on Gowalla."""
    torch.manual_seed(seed)  # the example relies on torch's global generator
    n_users = data.n_users
    edge_index = _edge_index(data)
    train_edges = edge_index[:, : len(data)]
    model = PyGLightGCN(n_users + data.n_items, embedding_dim=64, num_layers=3)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    loader = torch.utils.data.DataLoader(range(len(data)), shuffle=True, batch_size=8192)
    seconds = []
    for _ in range(epochs):
        started = time.perf_counter()
        for index in loader:
            positive = train_edges[:, index]
            negative = torch.stack(
                [positive[0], torch.randint(n_users, n_users + data.n_items, (len(index),))]
            )
            label_index = torch.cat([positive, negative], dim=1)
            optimizer.zero_grad()
            pos_rank, neg_rank = model(edge_index, label_index).chunk(2)
            loss = model.recommendation_loss(pos_rank, neg_rank, node_id=label_index.unique())
            loss.backward()
            optimizer.step()
        seconds.append(time.perf_counter() - started)
    with torch.no_grad():
        final = model.get_embedding(edge_index)
    scorer = _Embeddings(final[:n_users], final[n_users:])
    return seconds, evaluate(scorer, test, exclude=data)


def our_loop(
    config: LightGCNConfig, data: InteractionData, test: InteractionData
) -> tuple[list[float], dict[str, float], float]:
    """Our trainer for ``config.epochs`` epochs; seconds per epoch, test metrics, init s."""
    started = time.perf_counter()
    reports: list[EpochReport] = []
    result = train_lightgcn(config, data, progress=reports.append)
    total = time.perf_counter() - started
    scorer = _Embeddings(
        torch.from_numpy(result.user_embeddings), torch.from_numpy(result.item_embeddings)
    )
    seconds = [r.seconds for r in reports]
    return seconds, evaluate(scorer, test, exclude=data), total - sum(seconds)


def full_run(
    config: LightGCNConfig, dataset: LightGCNDataset, *, paper_protocol: bool
) -> dict[str, Any]:
    """One complete training run of ``config``, then its test metrics.

    ``paper_protocol``: train on the whole training split and evaluate the test set every
    ``config.eval_every`` epochs, picking the best epoch on it, as the LightGCN reference
    code does; also records the first moment test recall@20 reaches 0.18. Otherwise hold
    out ``config.validation_fraction`` of the training split for early stopping and touch
    the test set once, at the end.
    """
    started = time.perf_counter()
    reached: dict[str, float] = {}
    train_seconds = 0.0

    def progress(report: EpochReport) -> None:
        nonlocal train_seconds
        train_seconds += report.seconds
        recall = report.metrics["recall@20"] if report.metrics else 0.0
        if recall >= 0.18 and not reached:
            reached.update(
                epoch=report.epoch,
                wall=time.perf_counter() - started,
                train=train_seconds,
            )

    run_dir = new_run_path(OUT, "lightgcn-paper" if paper_protocol else "lightgcn-heldout")
    model = LightGCN(
        dataclasses.replace(config, validation_fraction=0.0) if paper_protocol else config
    )
    model.fit(
        dataset.train,
        validation=dataset.test if paper_protocol else None,
        run_dir=run_dir,
        progress=progress,
    )
    result = model.training
    wall = time.perf_counter() - started
    return {
        "model": model,
        "run_dir": run_dir,
        "metrics": evaluate(model, dataset.test, exclude=dataset.train),
        "wall_seconds": wall,
        "train_seconds": train_seconds,
        "epochs_run": result.epochs_run,
        "best_epoch": result.best_epoch,
        "reached": reached,
    }


def _changed(config: LightGCNConfig) -> str:
    return ", ".join(f"{k}={v}" for k, v in config.to_dict().items())


def _fmt(metrics: dict[str, float]) -> str:
    return " | ".join(f"{metrics[k]:.4f}" for k in ("recall@20", "ndcg@20", "precision@20"))


def _machine() -> str:
    load = os.getloadavg()
    return (
        f"{platform.node() or 'vm'}, {os.cpu_count()} CPUs, {platform.machine()}, "
        f"Python {platform.python_version()}, torch {torch.__version__}; load average at "
        f"start {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, help="default $SHOPGRAPH_DATA/lightgcn-gowalla")
    parser.add_argument("--sections", nargs="+", choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument("--epochs", type=int, default=3, help="epochs of the comparison (3)")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (2)")
    parser.add_argument("--repeats", type=int, default=5, help="propagation repeats (5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-append", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args(argv)

    data_dir = Settings.from_env().data_dir
    folder = args.dataset or (data_dir if data_dir.is_absolute() else REPO / data_dir) / (
        "lightgcn-gowalla"
    )
    command = "python benchmarks/train.py " + " ".join(sys.argv[1:] if argv is None else argv)
    machine = _machine()
    dataset = read_lightgcn_folder(folder)
    train, test = dataset.train, dataset.test
    lines = [
        f"## LightGCN on Gowalla ({datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"- machine: {machine}",
        f"- command: `{command.strip()}`, torch threads {args.threads}",
        f"- data: {folder.name}: {train.n_users:,} users, {train.n_items:,} items, "
        f"{len(train):,} train / {len(test):,} test interactions; metrics on the test set, "
        "all items ranked, training items masked",
        "",
    ]

    def say(line: str = "") -> None:
        print(line, flush=True)
        lines.append(line)

    defaults = LightGCNConfig(num_threads=args.threads, seed=args.seed)
    gfcf: GFCF | None = None
    trained: dict[bool, LightGCN] = {}
    with torch_threads(args.threads):
        if "propagation" in args.sections:
            say("Propagation, one forward + backward, 3 layers, 64 dimensions:")
            say()
            say("| variant | seconds |")
            say("|---|---:|")
            for name, seconds in bench_propagation(train, args.repeats):
                say(f"| {name} | {seconds:.3f} |")
            say()
        if "compare" in args.sections:
            ours_config = dataclasses.replace(
                defaults, epochs=args.epochs, validation_fraction=0.0, patience=0
            )
            ours_s, ours_m, ours_setup = our_loop(ours_config, train, test)
            pyg_s, pyg_m = pyg_example_loop(train, test, args.epochs, args.seed)
            say(f"Same {args.epochs} epochs, whole training split, test metrics after them:")
            say()
            say("| trainer | s/epoch | setup s | recall@20 | ndcg@20 | precision@20 |")
            say("|---|---:|---:|---:|---:|---:|")
            say(
                f"| PyG examples/lightgcn.py loop (batch 8192, lr 0.001) | "
                f"{np.mean(pyg_s):.1f} | - | {_fmt(pyg_m)} |"
            )
            say(
                f"| shopgraph train_lightgcn (batch {ours_config.batch_size}, lr "
                f"{ours_config.learning_rate}, init {ours_config.init.value}) | "
                f"{np.mean(ours_s):.1f} | {ours_setup:.1f} | {_fmt(ours_m)} |"
            )
            say()
            say(f"- speed-up per epoch: {np.mean(pyg_s) / np.mean(ours_s):.1f}x (goal >= 5x)")
            say()
        if "gfcf" in args.sections:
            started = time.perf_counter()
            model = GFCF(GFCFConfig(num_threads=args.threads)).fit(train)
            fit_s = time.perf_counter() - started
            started = time.perf_counter()
            metrics = evaluate(model, test, exclude=train)
            eval_s = time.perf_counter() - started
            say("GF-CF (training-free baseline, alpha 0.3, 256 singular vectors):")
            say()
            say("| model | fit s | eval s | recall@20 | ndcg@20 | precision@20 |")
            say("|---|---:|---:|---:|---:|---:|")
            say(f"| GF-CF | {fit_s:.1f} | {eval_s:.1f} | {_fmt(metrics)} |")
            gfcf = model
            say("| paper GF-CF (Shen et al. 2021) | | | 0.1849 | 0.1518 | |")
            say()
        if "full" in args.sections:
            say(f"Full runs of the default config ({_changed(defaults)}):")
            say()
            say(
                "| protocol | wall s | train s | epochs | best epoch | recall@20 | ndcg@20 "
                "| precision@20 | test recall@20 >= 0.18 at |"
            )
            say("|---|---:|---:|---:|---:|---:|---:|---:|---|")
            for paper in (True, False):
                outcome = full_run(defaults, dataset, paper_protocol=paper)
                trained[paper] = outcome["model"]
                reached = outcome["reached"]
                when = (
                    f"epoch {reached['epoch']}, {reached['wall']:.0f} s wall "
                    f"({reached['train']:.0f} s training)"
                    if reached
                    else "-"
                )
                name = (
                    "paper: whole train split, best test epoch"
                    if paper
                    else f"held out: {defaults.validation_fraction:.0%} validation, early stop"
                )
                say(
                    f"| {name} | {outcome['wall_seconds']:.0f} | {outcome['train_seconds']:.0f} "
                    f"| {outcome['epochs_run']} | {outcome['best_epoch']} | "
                    f"{_fmt(outcome['metrics'])} | {when if paper else '-'} |"
                )
            say("| LightGCN paper (He et al. 2020, Table 3) | | | | | 0.1830 | 0.1554 | | |")
            say()
        if "blend" in args.sections and gfcf is not None and False in trained:
            say("Blend of the held-out LightGCN and GF-CF, z(LightGCN) + w z(GF-CF) per user:")
            say()
            say("| w | recall@20 | ndcg@20 | precision@20 |")
            say("|---:|---:|---:|---:|")
            for weight in (0.5, 1.0, 2.0):
                blend = Blend(trained[False], gfcf, weight)
                say(f"| {weight} | {_fmt(evaluate(blend, test, exclude=train))} |")
            say()
    if not args.no_append:
        if not RESULTS.exists():
            RESULTS.write_text("# Benchmark results\n")
        with RESULTS.open("a") as f:
            f.write("\n" + "\n".join(lines).rstrip() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
