"""How many walk steps recommend needs when the model ranks: answers against long walks.

On a fresh embedded Neo4j holding the SYNTHETIC shop of ``shopgraph generate`` (seed 1, the
file of ``serving.py``), with random 64-dimensional embeddings published and active (as
``model_io.py`` does), for ``--users`` users that have an embedding:

- the walks' top 200 candidates (``shopgraph.candidates``, what recommend's walk stage brings)
  and recommend's top 10 ranked by the model, at several step budgets (seeds 42 and 43);
- each compared with the answer of ``--reference`` steps (seed 1): the share of the
  reference's items it holds, averaged over users;
- beside them, how much two seeds agree at 10,000 steps: the walks' own sampling noise.

Random embeddings make the model's order independent of the walks' visits, so every change
in the candidate set can reach the top 10: a harsher test than a trained model.

    python benchmarks/walk_steps.py [--events 1000000] [--users 200] [--no-append]

Results are printed and appended to ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
from _common import append_results, generated, machine

from shopgraph.core.settings import Settings
from shopgraph.graph import server
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.export import ExportOptions, export_interactions
from shopgraph.graph.models import publish_embeddings
from shopgraph.graph.recommend import RecommendOptions, WalkOptions

_STEPS = (10_000, 5_000, 3_000, 2_000)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--reference", type=int, default=200_000, help="steps of the reference")
    parser.add_argument("--no-append", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args(argv)
    path = generated(args.events, seed=1)
    lines: list[str] = []
    with server.temporary(Settings.from_env()) as settings, ShopGraph.connect(settings) as shop:
        shop.load_rees46(path)
        shop.refresh()
        id_map = export_interactions(shop.runner, ExportOptions()).id_map
        n_users = min(len(id_map.users), 25_000)
        n_items = len(id_map.items)
        rng = np.random.default_rng(0)
        publish_embeddings(
            shop.runner,
            "walk-steps",
            user_ids=id_map.users[:n_users],
            user_embeddings=rng.standard_normal((n_users, 64)).astype(np.float32),
            item_ids=id_map.items,
            item_embeddings=rng.standard_normal((n_items, 64)).astype(np.float32),
            metadata={"benchmark": "walk_steps"},
        )
        users = list(id_map.users[: n_users : max(1, n_users // args.users)])[: args.users]

        def walks(user: str, steps: int, seed: int) -> set[str]:
            return {c.item_id for c in shop.candidates(user, 200, WalkOptions(steps, seed=seed))}

        def ranked(user: str, steps: int, seed: int) -> set[str]:
            options = RecommendOptions(seed=seed, model_steps=steps)
            return {r.item_id for r in shop.recommend(user, 10, options)}

        lines += [
            f"\n## Walk steps when the model ranks ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)\n",
            f"- machine: {machine()}; Neo4j 5.26 embedded on the same machine",
            "- command: `python benchmarks/walk_steps.py "
            + " ".join(sys.argv[1:] if argv is None else argv)
            + "`",
            f"- data: SYNTHETIC shop, {args.events:,} events; random 64-d embeddings of "
            f"{n_items:,} items and {n_users:,} users, active; {len(users)} users with one",
            f"- share of the {args.reference:,}-step answer (seed 1) held, mean over users",
            "",
            "| answer | steps | seed 42 | seed 43 | seed 42 vs 43 |",
            "|---|---:|---:|---:|---:|",
        ]
        for answer, name in (
            (walks, "walks' top 200 (candidates)"),
            (ranked, "recommend's top 10, model ranks"),
        ):
            reference = {u: answer(u, args.reference, 1) for u in users}
            kept = [u for u in users if reference[u]]
            for steps in _STEPS:
                shares = [
                    np.mean([len(reference[u] & answer(u, steps, seed)) / len(reference[u])
                             for u in kept])
                    for seed in (42, 43)
                ]  # fmt: skip
                noise = ""
                if steps == _STEPS[0]:
                    pairs = [(answer(u, steps, 42), answer(u, steps, 43)) for u in kept]
                    noise = f"{np.mean([len(a & b) / max(1, len(a)) for a, b in pairs]):.3f}"
                lines.append(
                    f"| {name} | {steps:,} | {shares[0]:.3f} | {shares[1]:.3f} | {noise} |"
                )
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_append:
        append_results(text)


if __name__ == "__main__":
    main()
