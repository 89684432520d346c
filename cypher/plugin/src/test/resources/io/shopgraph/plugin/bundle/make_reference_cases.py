"""Writes reference_cases.txt: random baskets scored by the Python reference (evaluation/bundles.py).

``ReferenceCasesTest`` replays every case with the Java ``BundleScorer`` and checks the same
items, order, scores, supports, confidences, lifts and because lists;
``tests/evaluation/test_reference_cases.py`` renders the cases again and compares them with the
committed file, so they cannot go stale when the reference changes. After a change to the
reference, run from the repository root with shopgraph importable, then commit the output:

    python cypher/plugin/src/test/resources/io/shopgraph/plugin/bundle/make_reference_cases.py

Line format (space separated; floats as Python ``repr``, so exact):

    config NAME orderWeight cartWeight viewWeight alpha beta smoothing sizeExponent
           halfLife|none userCap maxBasketSize|none adjacencyBonus
    basket INDEX SOURCE TIME USER|- ITEM:WEIGHT:POSITION|-,ITEM:WEIGHT:POSITION|-,...
    mass CONFIG ITEM VALUE
    case CONFIG K CART_ID,CART_ID,...
    row ITEM SCORE SUPPORT CONFIDENCE LIFT BECAUSE_ID,...|-
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from shopgraph.evaluation.bundle_protocol import Basket, Source
from shopgraph.evaluation.bundles import CoPurchaseConfig, CoPurchaseScorer

SEED = 20261126
CONFIGS = {
    "defaults": CoPurchaseConfig(half_life=300.0),  # adjacency bonus 2
    "tight": CoPurchaseConfig(
        cart_weight=0.8,
        view_weight=0.3,
        alpha=1.0,
        beta=0.3,
        smoothing=2.0,
        size_exponent=1.0,
        half_life=50.0,
        user_cap=1.5,
        max_basket_size=4,
        adjacency_bonus=0.5,
    ),
    "flat": CoPurchaseConfig(
        alpha=0.0,
        beta=0.0,
        smoothing=0.0,
        size_exponent=0.0,
        half_life=None,
        user_cap=1.0,
        adjacency_bonus=0.0,
    ),
    "noviews": CoPurchaseConfig(view_weight=0.0, half_life=None, user_cap=3.0, adjacency_bonus=4.0),
}


def baskets(rng: np.random.Generator) -> list[Basket]:
    out = []
    sources = [Source.ORDER, Source.CART, Source.VIEW]
    for index in range(300):
        size = int(rng.integers(1, 9))
        # Skewed popularity: low ids more often.
        pool = np.minimum(39, np.floor(rng.random(size) ** 2 * 40)).astype(int)
        items = tuple(dict.fromkeys(f"i{n}" for n in pool))
        weights = tuple(
            float(rng.choice([0.25, 0.5, 1.0, 1.0, 1.0, 0.0])) if rng.random() < 0.3 else 1.0
            for _ in items
        )
        user = None if rng.random() < 0.3 else f"u{int(rng.integers(25))}"
        source = sources[int(rng.integers(3))]
        # Line positions: in item order (None), or drawn with gaps, ties and absent ones.
        positions = None
        if rng.random() < 0.6:
            positions = tuple(
                None if rng.random() < 0.15 else int(rng.integers(0, len(items) + 2))
                for _ in items
            )
        time = float(rng.integers(0, 500))
        out.append(Basket(index, items, time, source, user, weights, positions))
    return out


def render() -> str:
    """The whole text of ``reference_cases.txt``, from the seed and the Python reference."""
    rng = np.random.default_rng(SEED)
    data = baskets(rng)
    lines = []
    for name, cfg in CONFIGS.items():
        lines.append(
            " ".join(
                [
                    "config",
                    name,
                    repr(cfg.order_weight),
                    repr(cfg.cart_weight),
                    repr(cfg.view_weight),
                    repr(cfg.alpha),
                    repr(cfg.beta),
                    repr(cfg.smoothing),
                    repr(cfg.size_exponent),
                    "none" if cfg.half_life is None else repr(cfg.half_life),
                    repr(cfg.user_cap),
                    "none" if cfg.max_basket_size is None else str(cfg.max_basket_size),
                    repr(cfg.adjacency_bonus),
                ]
            )
        )
    for b in data:
        places = b.positions if b.positions is not None else range(len(b.items))
        pairs = ",".join(
            f"{item}:{w!r}:{'-' if p is None else p}"
            for item, w, p in zip(b.items, b.weights or (), places, strict=True)
        )
        lines.append(f"basket {b.index} {b.source.value} {b.time!r} {b.user or '-'} {pairs}")
    for name, cfg in CONFIGS.items():
        scorer = CoPurchaseScorer(cfg).fit(data)
        for item in scorer.items:
            lines.append(f"mass {name} {item} {scorer.mass(item)!r}")
        for _ in range(25):
            size = int(rng.integers(1, 5))
            cart = list(dict.fromkeys(str(rng.choice(scorer.items)) for _ in range(size)))
            k = int(rng.choice([1, 5, 50]))
            lines.append(f"case {name} {k} {','.join(cart)}")
            for s in scorer.recommend(cart, k):
                because = ",".join(s.because) or "-"
                lines.append(
                    f"row {s.item} {s.score!r} {s.support!r} {s.confidence!r} {s.lift!r} {because}"
                )
    return "\n".join(lines) + "\n"


def main() -> None:
    Path(__file__).with_name("reference_cases.txt").write_text(render(), encoding="utf-8")


if __name__ == "__main__":
    main()
