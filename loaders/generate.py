"""Synthetic shop events in the REES46 / Open CDP CSV format, for scale and speed tests.

**The data written here is synthetic, not real.** No row describes a real user, product or
purchase. Use it to test loaders, the graph schema and throughput at sizes the real sample
cannot reach; never report model quality on it.

Rows have the nine REES46 "multi-category store" columns in their order (``event_time`` like
``2019-10-01 00:00:00 UTC``, non-decreasing, sessions interleaved; ``\\r\\n`` line ends as in
``shared/data/rees46-multicategory-sample``). The shape is calibrated on that real sample
(17,434 events of 2019-10-01 00:00-02:50 UTC):

- items: Zipf popularity (exponent 0.8; items without category code 0.6 times as popular),
  ids grouped by category, one category, brand and price each; prices lognormal around the
  sample's median per top-level category (log-sd 0.6 between, 1.0 within categories),
  capped at the sample's maximum 2,574.07, 0.2% free;
- categories: 19-digit ids with lognormal sizes; 57% have an empty code (holding 45% of
  the items), the others one dotted code of depth 2-3 from a fixed taxonomy (parents such
  as ``apparel.shoes`` are codes too);
- brands: lognormal number of items (capped), 95% of a brand's items under one top-level
  category, 17% of items without brand;
- sessions: distinct items per session as measured (54% one item, mean 2.4), each viewed
  Geometric(0.7) times (0.75 in one-item sessions), gaps lognormal(ln 33 s, 1.0); the first
  item by popularity, each later one from the first one's category with probability 0.75;
- funnel: 4% of sessions buy one item, 12% of those with 2+ items several (one order); a
  purchase follows the item's views, after a cart add in 33% of cases (the real ratio, so
  carts are rarer than purchases); 0.5% of other viewed items are carted and abandoned,
  20% of those removed again (the real October has no ``remove_from_cart``);
- users: lognormal activity, so some return with several sessions, occasionally overlapping.

Scaling with ``E = events`` (``E0 = 17,434``): catalog ``35,000 (E/E0)^0.2`` items (a fixed
shop whose catalog is revealed by traffic), user pool ``50,000 (E/E0)^0.55``, categories
``3 items^0.5``, brands ``0.5 items^0.75``, rate ``100 (E/E0)^0.29`` events per minute (the
sample's ~100/min and the full October file's 42.4 M events in 31 days). Not all catalog
items and pooled users show up: E0 gives about 4.5 k users, 6.9 k items, 5 k sessions;
1 M events about 170 k users, 75 k items, 285 k sessions over 50 hours.
"""

from __future__ import annotations

import gzip
import io
import math
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

from shopgraph.core.times import require_timezone

__all__ = ["GenerateReport", "SyntheticShopConfig", "generate_events"]

_I64 = npt.NDArray[np.int64]
_F64 = npt.NDArray[np.float64]
_OBJ = npt.NDArray[np.object_]

# fmt: off
_HEADER = ",".join(("event_time", "event_type", "product_id", "category_id", "category_code",
                    "brand", "price", "user_id", "user_session"))
_KINDS: _OBJ = np.array(["view", "cart", "remove_from_cart", "purchase"], dtype=object)
_VIEW, _CART, _REMOVE, _PURCHASE = 0, 1, 2, 3
_SAMPLE_EVENTS = 17_434
_MAX_PRICE = 2574.07
_BLOCK_SESSIONS = 32_768
# P(k distinct items in a session), k = 1..12, measured; beyond: 13 + Geometric(0.15) - 1.
_ITEMS_PMF = (0.5371, 0.1856, 0.0932, 0.0574, 0.0349, 0.0255, 0.0178, 0.0132, 0.0077, 0.0069,
              0.0045, 0.0036)
_VIEW_P_SINGLE, _VIEW_P = 0.75, 0.7  # real views per item: 1.37 in one-item sessions, else 1.44
_MEAN_SESSION_EVENTS = _ITEMS_PMF[0] / _VIEW_P_SINGLE + (
    sum((k + 1) * p for k, p in enumerate(_ITEMS_PMF) if k)
    + (1 - sum(_ITEMS_PMF)) * (12 + 1 / 0.15)) / _VIEW_P
# top-level category -> (median price in the sample, codes below it); "" = no code.
_TAXONOMY: dict[str, tuple[float, str]] = {
    "": (78.0, ""),
    "accessories": (46.0, "bag umbrella wallet"),
    "apparel": (72.0, "costume dress jacket jeans scarf shirt shoes shoes.ballet_shoes "
                "shoes.espadrilles shoes.keds shoes.moccasins shoes.sandals shoes.slipons skirt "
                "sock trousers tshirt underwear"),
    "appliances": (108.0, "environment.air_conditioner environment.air_heater environment.vacuum "
                   "environment.water_heater iron ironing_board kitchen.blender "
                   "kitchen.coffee_machine kitchen.dishwasher kitchen.grill kitchen.hob "
                   "kitchen.hood kitchen.kettle kitchen.microwave kitchen.mixer kitchen.oven "
                   "kitchen.refrigerators kitchen.toster kitchen.washer personal.hair_cutter "
                   "personal.scales sewing_machine"),
    "auto": (121.0, "accessories.alarm accessories.compressor accessories.player "
             "accessories.radar accessories.videoregister"),
    "computers": (386.0, "components.cooler components.cpu components.hdd components.memory "
                  "components.motherboard components.videocards desktop ebooks notebook "
                  "peripherals.keyboard peripherals.monitor peripherals.mouse peripherals.printer"),
    "construction": (92.0, "components.faucet tools.drill tools.generator tools.light "
                     "tools.pump tools.saw tools.welding"),
    "country_yard": (177.0, "cultivator furniture.hammok"),
    "electronics": (196.0, "audio audio.acoustic audio.headphone audio.microphone "
                    "audio.subwoofer camera.photo camera.video clocks smartphone tablet "
                    "telephone video.projector video.tv"),
    "furniture": (206.0, "bathroom.bath bathroom.toilet bedroom.bed bedroom.blanket "
                  "bedroom.pillow kitchen.chair kitchen.table living_room.cabinet "
                  "living_room.sofa universal.light"),
    "kids": (72.0, "carriage dolls fmcg.diapers skates swing toys"),
    "medicine": (51.0, "tools.tonometer"),
    "sport": (334.0, "bicycle ski snowboard tennis trainer"),
    "stationery": (11.0, "cartrige"),
}
_SYLLABLES = ("ka", "lo", "mi", "ra", "ten", "vo", "zi", "bel", "dor", "fax", "gen", "hal", "jun",
              "kor", "lux", "mar", "nex", "or", "pol", "qui", "ros", "sun", "tek", "uni", "vel",
              "win", "xo", "yan", "zen", "bra", "cro", "dra", "fle", "gro", "pra", "tri", "vis")

# fmt: on


@dataclass(frozen=True)
class SyntheticShopConfig:
    """What to generate; defaults are calibrated on the real REES46 sample (see module doc).

    Args:
        events: Exact number of event rows to write, at least 1.
        seed: Seed of ``numpy.random.default_rng``; the same config writes the same bytes.
        n_items: Catalog size; default ``round(35,000 (events/17,434)^0.2)``.
        n_users: User pool size; default ``round(50,000 (events/17,434)^0.55)``.
        start: Timezone-aware start of the first session; default 2019-10-01 00:00 UTC.
        events_per_minute: Mean event rate; default ``100 (events/17,434)^0.29``.
        purchase_session_rate: Share of sessions that buy; default 0.04.
        multi_item_order_rate: Share of buying sessions with 2+ items that buy several
            items; default 0.12.
        cart_before_purchase_rate: Share of purchases preceded by a cart add; default 0.33.
        abandoned_cart_rate: Share of viewed, not bought items added to cart; default 0.005.
        remove_from_cart_rate: Share of abandoned cart adds removed again; default 0.2.
        popularity_exponent: Zipf exponent of item popularity; default 0.8.

    Raises:
        ValueError: If a value is out of range (a ``BadArgumentError`` when ``start`` has no
            timezone).
    """

    events: int
    seed: int = 0
    n_items: int | None = None
    n_users: int | None = None
    start: datetime = datetime(2019, 10, 1, tzinfo=UTC)
    events_per_minute: float | None = None
    purchase_session_rate: float = 0.04
    multi_item_order_rate: float = 0.12
    cart_before_purchase_rate: float = 0.33
    abandoned_cart_rate: float = 0.005
    remove_from_cart_rate: float = 0.2
    popularity_exponent: float = 0.8

    def __post_init__(self) -> None:
        for name in ("events", "n_items", "n_users"):
            count = getattr(self, name)
            if count is not None and count < 1:
                raise ValueError(f"{name} must be at least 1, got {count}.")
        if self.seed < 0:
            raise ValueError(f"seed must be non-negative, got {self.seed}.")
        require_timezone(self.start, "start")
        for name in ("events_per_minute", "popularity_exponent"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(f"{name} must be greater than 0, got {value}.")
        for name in (
            "purchase_session_rate",
            "multi_item_order_rate",
            "cart_before_purchase_rate",
            "abandoned_cart_rate",
            "remove_from_cart_rate",
        ):
            rate = getattr(self, name)
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {rate}.")


@dataclass(frozen=True)
class GenerateReport:
    """What :func:`generate_events` wrote; counts are distinct values present in the file.

    Attributes:
        path: The file written.
        events: Event rows written.
        users: Distinct ``user_id``.
        items: Distinct ``product_id``.
        sessions: Distinct ``user_session``.
        brands: Distinct non-empty ``brand``.
        categories: Distinct ``category_id``.
        purchases: Rows with ``event_type`` ``purchase``.
        orders: Sessions with at least one purchase.
        seconds: Wall-clock seconds spent.
    """

    path: Path
    events: int
    users: int
    items: int
    sessions: int
    brands: int
    categories: int
    purchases: int
    orders: int
    seconds: float


@dataclass(frozen=True)
class _Catalog:
    item_cat: _I64  # (n_items,) category index, non-decreasing
    item_brand: _I64  # (n_items,) brand index, -1 without brand
    cum: _F64  # (n_items,) cumulative popularity in item order
    cat_first: _I64  # (n_categories,) first item of each category
    cat_last: _I64  # (n_categories,) last item of each category (inclusive)
    item_text: _OBJ  # (n_items,) "product_id,category_id,category_code,brand,price"


@dataclass(frozen=True)
class _Events:
    t: _I64  # seconds after start
    item: _I64
    user: _I64
    kind: npt.NDArray[np.int8]
    tail: _OBJ  # "user_id,user_session"
    first: npt.NDArray[np.bool_]  # first event of its session
    first_buy: npt.NDArray[np.bool_]  # first purchase of its session

    def take(self, index: npt.NDArray[np.intp] | slice) -> _Events:
        return _Events(*(getattr(self, f.name)[index] for f in fields(self)))

    def concat(self, other: _Events) -> _Events:
        return _Events(
            *(np.concatenate([getattr(self, f.name), getattr(other, f.name)]) for f in fields(self))
        )


def _scaled(base: float, events: int, exponent: float) -> float:
    return float(base * (events / _SAMPLE_EVENTS) ** exponent)


def _draw(cum: _F64, values: _F64) -> _I64:
    """Index of each value in a cumulative weight array (inverse-CDF sampling)."""
    return np.minimum(np.searchsorted(cum, values, side="right"), len(cum) - 1).astype(np.int64)


def _brand_names(rng: np.random.Generator, n: int) -> list[str]:
    names: dict[str, None] = {}
    while len(names) < n:
        parts = rng.choice(len(_SYLLABLES), size=(2 * n + 8, 4)).tolist()
        sizes = rng.choice(np.array([2, 3, 4]), size=len(parts), p=[0.45, 0.45, 0.1]).tolist()
        for row, size in zip(parts, sizes, strict=True):
            names.setdefault("".join(_SYLLABLES[i] for i in row[:size]))
    return list(names)[:n]


def _build_catalog(rng: np.random.Generator, n_items: int, exponent: float) -> _Catalog:
    tops = list(_TAXONOMY)
    codes = [(i, f"{t}.{rest}") for i, t in enumerate(tops) for rest in _TAXONOMY[t][1].split()]
    n_cat = max(1, round(3.0 * n_items**0.5))
    coded = np.flatnonzero(rng.random(n_cat) >= 0.57)
    code_w = rng.lognormal(0.0, 1.0, len(codes))
    extra = rng.choice(len(codes), len(coded), p=code_w / code_w.sum())
    code_of = np.full(n_cat, -1, dtype=np.int64)
    code_of[coded] = np.concatenate([rng.permutation(len(codes)), extra])[: len(coded)]
    cat_top = np.array([0 if c < 0 else codes[c][0] for c in code_of.tolist()], dtype=np.int64)
    cat_code = ["" if c < 0 else codes[c][1] for c in code_of.tolist()]
    cat_ids = 2_053_013_552_000_000_000 + np.cumsum(rng.integers(1, 2 * 10**17 // n_cat, n_cat))
    weights = rng.lognormal(0.0, 1.8, n_cat)
    for group, share in ((code_of < 0, 0.45), (code_of >= 0, 0.55)):  # real: 45% without code
        weights[group] *= share / max(weights[group].sum(), 1e-300)
    item_cat = np.sort(rng.choice(n_cat, n_items, p=weights / weights.sum())).astype(np.int64)
    cat_first = np.searchsorted(item_cat, np.arange(n_cat)).astype(np.int64)
    cat_last = np.searchsorted(item_cat, np.arange(n_cat), side="right").astype(np.int64) - 1

    medians = np.log([_TAXONOMY[t][0] for t in tops])
    log_price = (medians[cat_top] + rng.normal(0.0, 0.6, n_cat))[item_cat]
    price = np.exp(log_price + rng.normal(0.0, 1.0, n_items))
    for _ in range(8):  # redraw prices above the cap instead of piling them on it
        over = np.flatnonzero(price > _MAX_PRICE)
        price[over] = np.exp(log_price[over] + rng.normal(0.0, 1.0, len(over)))
    price = np.where(rng.random(n_items) < 0.002, 0.0, np.clip(price, 0.88, _MAX_PRICE))

    n_brands = max(1, round(0.5 * n_items**0.75))
    brand_w = np.minimum(rng.lognormal(0.0, 1.6, n_brands), 250.0)  # no single giant brand
    item_top = cat_top[item_cat]
    home = rng.choice(len(tops), n_brands, p=np.bincount(item_top, minlength=len(tops)) / n_items)
    item_brand = _draw(np.cumsum(brand_w), rng.random(n_items) * brand_w.sum())
    local = rng.random(n_items) < 0.95
    for top in range(len(tops)):
        own = np.flatnonzero(home == top)
        pick = np.flatnonzero(local & (item_top == top))
        if len(own) and len(pick):
            cum = np.cumsum(brand_w[own])
            item_brand[pick] = own[_draw(cum, rng.random(len(pick)) * cum[-1])]
    item_brand[rng.random(n_items) < 0.17] = -1
    brands = [*_brand_names(rng, n_brands), ""]

    popularity = (rng.permutation(n_items) + 1.0) ** -exponent
    popularity[code_of[item_cat] < 0] *= 0.6
    gap = max(1, 49_000_000 // n_items)
    product_ids = 1_000_000 + np.cumsum(rng.integers(1, 2 * gap + 1, n_items))
    text = [
        f"{p},{cat_ids[c]},{cat_code[c]},{brands[b]},{v:.2f}"
        for p, c, b, v in zip(
            product_ids.tolist(),
            item_cat.tolist(),
            item_brand.tolist(),
            price.tolist(),
            strict=True,
        )
    ]
    item_text = np.array(text, dtype=object)
    return _Catalog(item_cat, item_brand, np.cumsum(popularity), cat_first, cat_last, item_text)


def _session_tails(rng: np.random.Generator, user_ids: list[int]) -> _OBJ:
    """``"user_id,user_session"`` per session, with a random version-4 UUID."""
    raw = np.frombuffer(rng.bytes(16 * len(user_ids)), dtype=np.uint8).reshape(-1, 16).copy()
    raw[:, 6] = raw[:, 6] & 0x0F | 0x40
    raw[:, 8] = raw[:, 8] & 0x3F | 0x80
    h = raw.tobytes().hex()
    return np.array(
        [
            f"{u},{h[i : i + 8]}-{h[i + 8 : i + 12]}-{h[i + 12 : i + 16]}-"
            f"{h[i + 16 : i + 20]}-{h[i + 20 : i + 32]}"
            for u, i in zip(user_ids, range(0, 32 * len(user_ids), 32), strict=True)
        ],
        dtype=object,
    )


def _expand(
    rng: np.random.Generator,
    cfg: SyntheticShopConfig,
    cat: _Catalog,
    user_cum: _F64,
    user_ids: _I64,
    starts: _F64,
) -> _Events:
    """Turns sessions (start seconds, ascending) into their events, session by session."""
    n = len(starts)
    pmf = np.array([*_ITEMS_PMF, 1.0 - sum(_ITEMS_PMF)])
    k = rng.choice(len(pmf), n, p=pmf) + 1
    k = np.where(k > len(_ITEMS_PMF), k + rng.geometric(0.15, n) - 1, k)
    user = _draw(user_cum, rng.random(n) * user_cum[-1])
    tail = _session_tails(rng, user_ids[user].tolist())

    slot_session = np.repeat(np.arange(n), k)  # a slot is one viewed item of a session
    offsets = np.cumsum(k) - k
    m = len(slot_session)
    item = _draw(cat.cum, rng.random(m) * cat.cum[-1])
    first_cat = cat.item_cat[item[offsets]][slot_session]
    lo = np.where(cat.cat_first[first_cat] > 0, cat.cum[cat.cat_first[first_cat] - 1], 0.0)
    hi = cat.cum[cat.cat_last[first_cat]]
    near = np.clip(
        _draw(cat.cum, lo + rng.random(m) * (hi - lo)),
        cat.cat_first[first_cat],
        cat.cat_last[first_cat],
    )
    item = np.where((rng.random(m) < 0.75) & (np.arange(m) != offsets[slot_session]), near, item)
    key = slot_session * len(cat.cum) + item  # redraw an item repeated in its session, once
    by_key = np.argsort(key, kind="stable")
    again = by_key[1:][key[by_key][1:] == key[by_key][:-1]]
    item[again] = _draw(cat.cum, rng.random(len(again)) * cat.cum[-1])

    buys = rng.random(n) < cfg.purchase_session_rate
    multi = (k > 1) & (rng.random(n) < cfg.multi_item_order_rate)
    n_buy = np.where(multi, 1 + rng.geometric(0.8, n), 1)
    shuffled = np.argsort(slot_session + rng.random(m), kind="stable")
    rank = np.empty(m, dtype=np.int64)
    rank[shuffled] = np.arange(m) - offsets[slot_session[shuffled]]
    buy = buys[slot_session] & (rank < n_buy[slot_session])
    u = rng.random(m)
    carted = np.where(buy, u < cfg.cart_before_purchase_rate, u < cfg.abandoned_cart_rate)
    n_cart = carted * rng.geometric(0.77, m)  # real: 1.3 cart rows per carted item
    remove = carted & ~buy & (rng.random(m) < cfg.remove_from_cart_rate)
    views = rng.geometric(np.where(k == 1, _VIEW_P_SINGLE, _VIEW_P)[slot_session])
    per_slot = views + n_cart + remove + buy

    slot = np.repeat(np.arange(m), per_slot)
    pos = np.arange(len(slot)) - np.repeat(np.cumsum(per_slot) - per_slot, per_slot)
    kind = np.where(
        pos < views[slot],
        _VIEW,
        np.where(pos < (views + n_cart)[slot], _CART, np.where(buy[slot], _PURCHASE, _REMOVE)),
    )
    session = slot_session[slot]
    first = np.r_[True, session[1:] != session[:-1]]
    clock = np.cumsum(np.where(first, 0.0, np.round(rng.lognormal(math.log(33.0), 1.0, len(slot)))))
    t = np.floor(starts[session] + clock - clock[first][np.cumsum(first) - 1]).astype(np.int64)
    bought = np.flatnonzero(kind == _PURCHASE)
    first_buy = np.zeros(len(slot), dtype=bool)
    new_order = np.r_[True, session[bought][1:] != session[bought][:-1]][: len(bought)]
    first_buy[bought[new_order]] = True
    return _Events(
        t, item[slot], user[session], kind.astype(np.int8), tail[session], first, first_buy
    )


def _encode(ev: _Events, cat: _Catalog, epoch: int) -> bytes:
    change = np.r_[True, ev.t[1:] != ev.t[:-1]]
    stamps = np.datetime_as_string((ev.t[change] + epoch).astype("datetime64[s]"), unit="s")
    text = np.array([s.replace("T", " ") + " UTC" for s in stamps.tolist()], dtype=object)
    rows = zip(
        text[np.cumsum(change) - 1].tolist(),
        _KINDS[ev.kind].tolist(),
        cat.item_text[ev.item].tolist(),
        ev.tail.tolist(),
        strict=True,
    )
    return "".join([f"{a},{b},{c},{d}\r\n" for a, b, c, d in rows]).encode()


@contextmanager
def _sink(path: Path, gzipped: bool) -> Iterator[io.BufferedWriter | gzip.GzipFile]:
    with open(path, "wb") as raw:
        if gzipped:  # no file name and mtime 0 in the header: same config, same bytes
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0) as gz:
                yield gz
        else:
            yield raw


def generate_events(
    path: Path, config: SyntheticShopConfig, *, progress: Callable[[int], None] | None = None
) -> GenerateReport:
    """Writes ``config.events`` synthetic REES46-format events to ``path``, block by block.

    Memory stays bounded (the catalog, one block of up to 32,768 sessions and the events of
    sessions still open at its end), so 10 M events are fine. The file is written as
    ``<path>.partial`` and renamed when complete.

    Args:
        path: Output file ending in ``.csv`` or ``.csv.gz`` (gzip level 6).
        config: What to generate.
        progress: Called with the number of events written so far after each block.

    Returns:
        A :class:`GenerateReport` with the distinct counts present in the file.

    Raises:
        ValueError: If ``path`` does not end with ``.csv`` or ``.csv.gz``.
        OSError: If the file cannot be written.
    """
    path = Path(path)
    if not path.name.endswith((".csv", ".csv.gz")):
        raise ValueError(f"path must end with .csv or .csv.gz, got {path.name!r}.")
    clock = time.perf_counter()
    total = config.events
    rng = np.random.default_rng(config.seed)
    n_items = config.n_items or max(1, round(_scaled(35_000, total, 0.2)))
    n_users = config.n_users or max(1, round(_scaled(50_000, total, 0.55)))
    mean_gap = (
        60.0 * _MEAN_SESSION_EVENTS / (config.events_per_minute or _scaled(100.0, total, 0.29))
    )
    cat = _build_catalog(rng, n_items, config.popularity_exponent)
    user_cum = np.cumsum(rng.lognormal(0.0, 1.0, n_users))
    user_ids = 510_000_000 + np.cumsum(
        rng.integers(1, 2 * max(1, 45_000_000 // n_users) + 1, n_users)
    )
    epoch = math.floor(config.start.timestamp())

    def session_starts(after: float, remaining: int) -> _F64:
        size = min(_BLOCK_SESSIONS, 16 + math.ceil(1.2 * remaining / _MEAN_SESSION_EVENTS))
        return after + np.cumsum(rng.exponential(mean_gap, size))

    seen_users = np.zeros(n_users, dtype=bool)
    seen_items = np.zeros(n_items, dtype=bool)
    written = sessions = purchases = orders = 0
    starts = session_starts(0.0, total)
    starts -= starts[0]  # the first session starts at config.start
    carry: _Events | None = None
    partial = path.with_name(path.name + ".partial")
    try:
        with _sink(partial, path.name.endswith(".gz")) as out:
            out.write(f"{_HEADER}\r\n".encode())
            while written < total:
                upcoming = session_starts(float(starts[-1]), total - written)
                block = _expand(rng, config, cat, user_cum, user_ids, starts)
                pool = block if carry is None else carry.concat(block)
                pool = pool.take(np.argsort(pool.t, kind="stable"))
                # Later sessions start at or after `upcoming[0]`: everything before is final.
                cut = min(int(np.searchsorted(pool.t, math.floor(upcoming[0]))), total - written)
                ready, carry = pool.take(slice(0, cut)), pool.take(slice(cut, None))
                if cut:
                    out.write(_encode(ready, cat, epoch))
                seen_users[ready.user] = True
                seen_items[ready.item] = True
                sessions += int(ready.first.sum())
                orders += int(ready.first_buy.sum())
                purchases += int((ready.kind == _PURCHASE).sum())
                written += cut
                starts = upcoming
                if progress is not None:
                    progress(written)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    brands = np.unique(cat.item_brand[seen_items])
    return GenerateReport(
        path=path,
        events=written,
        users=int(seen_users.sum()),
        items=int(seen_items.sum()),
        sessions=sessions,
        brands=int((brands >= 0).sum()),
        categories=len(np.unique(cat.item_cat[seen_items])),
        purchases=purchases,
        orders=orders,
        seconds=time.perf_counter() - clock,
    )
