"""``shopgraph attack profile KIND FOLDER --out DIR`` and ``shopgraph attack cart-stuffing
BASKETS --out DIR``: fake users injected into a copy of a dataset
(:mod:`shopgraph.evaluation.attacks`). ``--placement spread`` gives each fake one target (in
turn) instead of all; ``--n-targets 1`` pushes a single target.

The copy is written to ``--out`` with ``attack.json`` (the kind, its config, the fake user ids
and the target item ids): a LightGCN folder (``train.txt`` with the fake users appended,
``test.txt`` copied) for profile attacks, ``orders.parquet`` (``order, item, user``; load it
with ``shopgraph load baskets``) for cart-stuffing.
"""

from __future__ import annotations

import argparse
import json
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

from shopgraph.core.errors import BadArgumentError
from shopgraph.evaluation.attacks import (
    AttackConfig,
    Placement,
    ProfileKind,
    cart_stuffing,
    profile_attack,
    write_lightgcn_train,
    write_orders,
)
from shopgraph.evaluation.bundle_protocol import read_uci_baskets
from shopgraph.gnn.datasets import read_lightgcn_folder


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("attack", help="inject fake users into a copy of a dataset")
    kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
    profile = kinds.add_parser(
        "profile",
        help="shilling profiles: random, average, bandwagon, audience or clone",
    )
    profile.add_argument("profile", choices=[k.value for k in ProfileKind], help="filler kind")
    profile.add_argument("folder", type=Path, help="LightGCN-format folder (train.txt, test.txt)")
    _add_common(profile)
    profile.set_defaults(run=_profile)
    stuffing = kinds.add_parser("cart-stuffing", help="fake orders of targets with popular items")
    stuffing.add_argument("baskets", type=Path, help="UCI baskets_long.parquet")
    _add_common(stuffing)
    stuffing.set_defaults(run=_stuffing)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="folder of the attacked copy")
    parser.add_argument("--share", type=float, default=0.01, help="fakes per genuine (0.01)")
    parser.add_argument("--filler", type=int, help="fillers per fake (default: mean size)")
    parser.add_argument("--n-targets", type=int, default=5, help="targets drawn (5)")
    parser.add_argument("--targets", nargs="+", metavar="ITEM", help="target item ids")
    parser.add_argument("--popular", type=int, default=100, help="popular filler pool (100)")
    parser.add_argument(
        "--placement",
        choices=[p.value for p in Placement],
        default=Placement.ALL.value,
        help="all: every target in every fake (default); spread: one target per fake, in turn",
    )
    parser.add_argument(
        "--random-share",
        type=float,
        default=0.0,
        help="share of each fake's fillers drawn at random instead (profile attacks; 0)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of every draw (0)")


def _config(args: argparse.Namespace) -> AttackConfig:
    return AttackConfig(
        share=args.share,
        filler=args.filler,
        n_targets=args.n_targets,
        targets=tuple(args.targets) if args.targets else None,
        popular=args.popular,
        placement=Placement(args.placement),
        random_share=args.random_share,
        seed=args.seed,
    )


def _prepare(out: Path) -> None:
    if out.exists() and any(out.iterdir()):
        raise BadArgumentError(f"--out {out} exists and is not empty; choose a new folder.")
    out.mkdir(parents=True, exist_ok=True)


def _profile(args: argparse.Namespace) -> int:
    config = _config(args)
    dataset = read_lightgcn_folder(args.folder)
    attack = profile_attack(dataset.train, ProfileKind(args.profile), config)
    _prepare(args.out)
    write_lightgcn_train(attack.data, args.out / "train.txt")
    test = next(p for p in (args.folder / "test.txt", args.folder / "test.txt.gz") if p.exists())
    shutil.copyfile(test, args.out / test.name)
    ids = attack.data.id_map
    _describe(
        args.out,
        args.profile,
        config,
        ids.user_ids(attack.fake_users),
        ids.item_ids(attack.targets),
    )
    print(
        f"{len(attack.fake_users):,} {args.profile} fake users with {len(attack.targets)} targets "
        f"written to {args.out}"
    )
    return 0


def _stuffing(args: argparse.Namespace) -> int:
    config = _config(args)
    attack = cart_stuffing(read_uci_baskets(args.baskets), config)
    _prepare(args.out)
    write_orders(attack.baskets, args.out / "orders.parquet")
    _describe(args.out, "cart-stuffing", config, list(attack.fake_users), list(attack.targets))
    print(
        f"{len(attack.fake_users):,} cart-stuffing orders with {len(attack.targets)} targets "
        f"written to {args.out}"
    )
    return 0


def _describe(
    out: Path, kind: str, config: AttackConfig, fakes: list[str], targets: list[str]
) -> None:
    description = {"kind": kind, "config": asdict(config), "fake_users": fakes, "targets": targets}
    (out / "attack.json").write_text(json.dumps(description, indent=2))
