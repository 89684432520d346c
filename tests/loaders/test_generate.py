"""Tests of the synthetic REES46-format event generator."""

from __future__ import annotations

import gzip
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from shopgraph.loaders.generate import GenerateReport, SyntheticShopConfig, generate_events

HEADER = (
    "event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session"
)
TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC")
UUID4 = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
CODE = r"[a-z_]+(\.[a-z_]+){0,2}"
# Event-type shares of the real sample shared/data/rees46-multicategory-sample (17,434 rows).
REAL_SHARE = {"view": 0.97826, "cart": 0.00946, "purchase": 0.01227}


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[GenerateReport, pd.DataFrame]:
    path = tmp_path_factory.mktemp("generate") / "events.csv"
    report = generate_events(path, SyntheticShopConfig(events=50_000, seed=7))
    return report, _read(path)


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    config = SyntheticShopConfig(events=5_000, seed=3)
    first = generate_events(tmp_path / "a.csv.gz", config).path.read_bytes()
    second = generate_events(tmp_path / "b.csv.gz", config).path.read_bytes()
    other = generate_events(tmp_path / "c.csv.gz", SyntheticShopConfig(events=5_000, seed=4))
    assert first == second
    assert gzip.decompress(first) != gzip.decompress(other.path.read_bytes())


def test_gzip_holds_the_same_rows_as_plain_csv(tmp_path: Path) -> None:
    config = SyntheticShopConfig(events=3_000, seed=1)
    plain = generate_events(tmp_path / "e.csv", config)
    packed = generate_events(tmp_path / "e.csv.gz", config)
    assert gzip.decompress(packed.path.read_bytes()) == plain.path.read_bytes()
    assert plain == GenerateReport(
        **{**packed.__dict__, "path": plain.path, "seconds": plain.seconds}
    )


def test_format_is_exact(tmp_path: Path) -> None:
    report = generate_events(tmp_path / "e.csv", SyntheticShopConfig(events=4_321, seed=2))
    lines = report.path.read_bytes().decode().split("\r\n")
    assert lines[0] == HEADER
    assert lines[-1] == ""
    rows = [line.split(",") for line in lines[1:-1]]
    assert len(rows) == report.events == 4_321
    assert {len(row) for row in rows} == {9}
    times = [row[0] for row in rows]
    assert all(TIME.fullmatch(t) for t in times)
    assert times == sorted(times)
    assert times[0] == "2019-10-01 00:00:00 UTC"
    assert {row[1] for row in rows} <= {"view", "cart", "remove_from_cart", "purchase"}
    for row in rows:
        assert re.fullmatch(r"[1-9]\d*", row[2])
        assert re.fullmatch(r"[1-9]\d*", row[7])
        assert re.fullmatch(r"[1-9]\d{18}", row[3])
        assert row[4] == "" or re.fullmatch(CODE, row[4])
        assert row[5] == row[5].lower()
        assert re.fullmatch(r"\d+\.\d\d", row[6])
        assert re.fullmatch(UUID4, row[8])


def test_report_matches_the_file(sample: tuple[GenerateReport, pd.DataFrame]) -> None:
    report, df = sample
    purchases = df[df.event_type == "purchase"]
    assert report.events == len(df) == 50_000
    assert report.users == df.user_id.nunique()
    assert report.items == df.product_id.nunique()
    assert report.sessions == df.user_session.nunique()
    assert report.brands == df.brand[df.brand != ""].nunique()
    assert report.categories == df.category_id.nunique()
    assert report.purchases == len(purchases)
    assert report.orders == purchases.user_session.nunique()


def test_funnel_order_within_sessions(sample: tuple[GenerateReport, pd.DataFrame]) -> None:
    _, df = sample
    df = df.assign(row=np.arange(len(df)))
    assert df.groupby("user_session").user_id.nunique().max() == 1
    first_view = df[df.event_type == "view"].groupby(["user_session", "product_id"]).row.min()
    first_cart = df[df.event_type == "cart"].groupby(["user_session", "product_id"]).row.min()
    for kind, before in (
        ("purchase", first_view),
        ("cart", first_view),
        ("remove_from_cart", first_cart),
    ):
        rows = df[df.event_type == kind].join(
            before.rename("before"), on=["user_session", "product_id"]
        )
        assert len(rows) > 0, kind
        assert (rows.before.notna() & (rows.before < rows.row)).all(), kind
    carts = df[df.event_type == "cart"]
    buys = df[df.event_type == "purchase"]
    carted = set(zip(carts.user_session, carts.product_id, strict=True))
    bought = list(zip(buys.user_session, buys.product_id, strict=True))
    assert 0.15 < sum(pair in carted for pair in bought) / len(bought) < 0.6  # real: 0.33


def test_event_mix_matches_the_real_sample(sample: tuple[GenerateReport, pd.DataFrame]) -> None:
    _, df = sample
    share = df.event_type.value_counts(normalize=True)
    assert share["view"] == pytest.approx(REAL_SHARE["view"], abs=0.006)
    assert share["cart"] == pytest.approx(REAL_SHARE["cart"], abs=0.003)
    assert share["purchase"] == pytest.approx(REAL_SHARE["purchase"], abs=0.003)
    assert 0 < share["remove_from_cart"] < 0.002


def test_sessions_users_and_orders_look_real(sample: tuple[GenerateReport, pd.DataFrame]) -> None:
    report, df = sample
    assert 2.5 <= report.events / report.sessions <= 5.0
    per_session = df.groupby("user_session").size()
    assert 0.3 < (per_session == 1).mean() < 0.5
    per_pair = df.groupby(["user_session", "product_id"]).size().mean()
    assert 1.2 < per_pair < 1.7  # real sample: 1.42
    sessions_per_user = df.groupby("user_id").user_session.nunique()
    assert 1.05 < sessions_per_user.mean() < 1.6
    assert (sessions_per_user >= 3).sum() > 50
    items_per_order = df[df.event_type == "purchase"].groupby("user_session").product_id.nunique()
    assert 0.02 < (items_per_order >= 2).mean() < 0.15  # real sample: 10 of 200 orders


def test_popularity_brands_and_prices_are_heavy_tailed(
    sample: tuple[GenerateReport, pd.DataFrame],
) -> None:
    _, df = sample
    views = df[df.event_type == "view"].product_id.value_counts()
    assert views.iloc[: len(views) // 100].sum() / views.sum() > 0.15
    assert (views == 1).mean() > 0.3
    items = df.drop_duplicates("product_id")
    per_brand = items[items.brand != ""].brand.value_counts()
    assert per_brand.iloc[0] > 20 * per_brand.median()
    price = items.price.astype(float)
    assert (price >= 0).all()
    assert price.max() <= 2574.07
    log_price = np.log(price[price > 0].to_numpy())
    assert 4.0 < np.median(log_price) < 5.5  # real sample: 4.71
    assert 0.9 < log_price.std() < 1.6  # real sample: 1.32


def test_catalog_is_consistent(sample: tuple[GenerateReport, pd.DataFrame]) -> None:
    _, df = sample
    per_product = df.groupby("product_id")[["category_id", "brand", "price"]].nunique()
    assert (per_product == 1).all().all()
    assert df.groupby("category_id").category_code.nunique().max() == 1
    codes = set(df.category_code) - {""}
    assert len(codes) > 50
    assert all(re.fullmatch(CODE, code) for code in codes)
    assert all(code.count(".") >= 1 for code in codes)
    assert len({code.split(".")[0] for code in codes}) <= 15
    prefixes = {code.rsplit(".", 1)[0] for code in codes if code.count(".") == 2}
    assert all(any(c.startswith(p + ".") for c in codes) for p in prefixes)
    assert prefixes & codes, "some parents, such as apparel.shoes, are codes themselves"
    assert 0.15 < (df.category_code == "").mean() < 0.6  # real sample: 0.33
    assert 0.05 < (df.brand == "").mean() < 0.3  # real sample: 0.14


def test_sizes_grow_sublinearly(
    sample: tuple[GenerateReport, pd.DataFrame], tmp_path: Path
) -> None:
    small, _ = sample
    big = generate_events(tmp_path / "big.csv", SyntheticShopConfig(events=150_000, seed=7))
    assert 1.5 < big.users / small.users < 2.9
    assert 1.2 < big.items / small.items < 2.9
    assert 2.6 < big.sessions / small.sessions < 3.4


def test_explicit_sizes_start_and_rate_are_respected(tmp_path: Path) -> None:
    start = datetime(2020, 1, 1, 3, 0, tzinfo=timezone(timedelta(hours=3)))
    config = SyntheticShopConfig(
        events=2_000, n_items=40, n_users=25, start=start, events_per_minute=10.0
    )
    report = generate_events(tmp_path / "e.csv", config)
    df = _read(report.path)
    assert report.items == df.product_id.nunique() <= 40
    assert report.users == df.user_id.nunique() <= 25
    first = datetime.strptime(df.event_time.iloc[0], "%Y-%m-%d %H:%M:%S UTC").replace(tzinfo=UTC)
    last = datetime.strptime(df.event_time.iloc[-1], "%Y-%m-%d %H:%M:%S UTC").replace(tzinfo=UTC)
    assert first == datetime(2020, 1, 1, tzinfo=UTC)
    assert timedelta(minutes=140) < last - first < timedelta(minutes=260)


def test_single_event_and_progress(tmp_path: Path) -> None:
    calls: list[int] = []
    report = generate_events(
        tmp_path / "one.csv", SyntheticShopConfig(events=1), progress=calls.append
    )
    assert (report.events, report.sessions, report.users, report.items) == (1, 1, 1, 1)
    assert calls == [1]
    assert len(report.path.read_text().splitlines()) == 2
    calls.clear()
    generate_events(
        tmp_path / "many.csv", SyntheticShopConfig(events=300_000), progress=calls.append
    )
    assert len(calls) > 2
    assert calls == sorted(calls)
    assert calls[-1] == 300_000
    assert not list(tmp_path.glob("*.partial"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"events": 0}, "events must be at least 1, got 0."),
        ({"events": 10, "n_items": 0}, "n_items must be at least 1, got 0."),
        ({"events": 10, "n_users": -5}, "n_users must be at least 1, got -5."),
        ({"events": 10, "seed": -1}, "seed must be non-negative, got -1."),
        (
            {"events": 10, "start": datetime(2019, 10, 1)},
            "start must be a datetime with a timezone, got the local datetime 2019-10-01T00:00:00.",
        ),
        (
            {"events": 10, "events_per_minute": 0.0},
            "events_per_minute must be greater than 0, got 0.0.",
        ),
        (
            {"events": 10, "popularity_exponent": -1.0},
            "popularity_exponent must be greater than 0, got -1.0.",
        ),
        (
            {"events": 10, "purchase_session_rate": 1.5},
            "purchase_session_rate must be between 0 and 1, got 1.5.",
        ),
        (
            {"events": 10, "remove_from_cart_rate": -0.1},
            "remove_from_cart_rate must be between 0 and 1, got -0.1.",
        ),
    ],
)
def test_bad_config_raises(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        SyntheticShopConfig(**kwargs)


def test_bad_suffix_raises_and_writes_nothing(tmp_path: Path) -> None:
    message = "path must end with .csv or .csv.gz, got 'e.txt'."
    with pytest.raises(ValueError, match=re.escape(message)):
        generate_events(tmp_path / "e.txt", SyntheticShopConfig(events=10))
    assert list(tmp_path.iterdir()) == []
