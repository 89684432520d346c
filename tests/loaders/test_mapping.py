"""Row parsing, time formats and mapping files: pure functions, no Neo4j."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopgraph.core.errors import BadInputError, ConfigError
from shopgraph.loaders.mapping import ColumnMapping, DelimitedSource, RowParser, parse_time
from shopgraph.loaders.records import Event, EventType, OrderKind, Reject
from shopgraph.loaders.rees46 import REES46_COLUMNS, REES46_MAPPING

HEADER = list(REES46_COLUMNS)


def parse(row: str, mapping: ColumnMapping = REES46_MAPPING) -> Event | Reject:
    return RowParser(mapping, HEADER, Path("f.csv")).parse(7, row.split(","))


def test_a_rees46_row_becomes_an_event() -> None:
    event = parse(
        "2019-10-01 00:00:05 UTC,purchase,1003461,2053013555631882655,"
        "electronics.smartphone,xiaomi,489.07,520088904,4d3b30da-a5e4"
    )
    assert event == Event(
        time=1569888005000,
        type=EventType.PURCHASE,
        item="1003461",
        user="520088904",
        session="4d3b30da-a5e4",
        price=489.07,
        brand="xiaomi",
        category="electronics.smartphone",
        category_id="2053013555631882655",
        quantity=1,
        order=None,
        order_kind=OrderKind.ORDER,
        item_name=None,
        position=7,
    )


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        ("2019-10-01 00:00:05 UTC,view,,1,,b,1.0,9,s", "product_id", "missing item id"),
        ("2019-10-01 00:00:05 UTC,view,5,1,,b,1.0,,s", "user_id", "missing user id"),
        (
            "2019-10-01 00:00:05 UTC,view,5,1,,b,1.0,9,",
            "user_session",
            "missing session id for a view event",
        ),
        ("2019-10-01 00:00:05 UTC,view,5,1,,b,,9,s", None, None),
        (
            "2019-10-01 00:00:05 UTC,view,5,1,,b,nan,9,s",
            "price",
            "price is not a finite number: 'nan'",
        ),
        (
            "2019-10-01 00:00:05 UTC,view,5,1,a..b,b,1,9,s",
            "category_code",
            "malformed category code 'a..b'",
        ),
        (
            "2019-13-01 00:00:05 UTC,view,5,1,,b,1,9,s",
            "event_time",
            "unparseable time '2019-13-01 00:00:05 UTC' (format iso)",
        ),
        (",view,5,1,,b,1,9,s", "event_time", "missing time"),
    ],
)
def test_bad_fields_are_named_with_a_reason(
    row: str, field: str | None, reason: str | None
) -> None:
    result = parse(row)
    if field is None:
        assert isinstance(result, Event)
        assert result.price is None
        return
    assert result == Reject("f.csv", 7, field, reason, row)


def test_wrong_field_count_rejects_the_whole_row() -> None:
    result = parse("a,b,c")
    assert isinstance(result, Reject)
    assert (result.field, result.reason) == ("", "expected 9 fields, found 3")


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("2019-10-01 00:00:00 UTC", "iso", 1569888000000),
        ("2019-10-01T00:00:00+02:00", "iso", 1569880800000),
        ("2019-10-01T00:00:00Z", "iso", 1569888000000),
        ("2016-05-09", "date", 1462752000000),
        ("1433221332117", "epoch_ms", 1433221332117),
        ("1433221332.5", "epoch_s", 1433221332500),
        ("01/10/2019 08:26", "%d/%m/%Y %H:%M", 1569918360000),
    ],
)
def test_time_formats(text: str, fmt: str, expected: int) -> None:
    assert parse_time(text, fmt) == expected


def test_float_formatted_ids_and_quantities() -> None:
    mapping = ColumnMapping(
        name="t",
        columns={"order": "o", "item": "i", "user": "u", "quantity": "q"},
        default_event_type=EventType.PURCHASE,
        order_kind_prefixes={"C": OrderKind.CANCELLATION},
    )
    parser = RowParser(mapping, ["o", "i", "u", "q"], Path("b.csv"))
    event = parser.parse(2, ["536365", "85123A", "17850.0", "6"])
    assert isinstance(event, Event)
    assert (event.user, event.quantity, event.order_kind) == ("17850", 6, OrderKind.ORDER)
    cancelled = parser.parse(3, ["C536379", "D", "14527.0", "-1"])
    assert isinstance(cancelled, Event)
    assert (cancelled.quantity, cancelled.order_kind) == (-1, OrderKind.CANCELLATION)
    negative = parser.parse(4, ["536380", "D", "1", "-3"])
    assert negative == Reject(
        "b.csv", 4, "q", "negative quantity -3 in a order (not a cancellation)", "536380,D,1,-3"
    )


def test_session_from_user_day_and_namespace() -> None:
    mapping = ColumnMapping(
        name="rr",
        columns={"time": "t", "user": "u", "item": "i", "event_type": "e"},
        time_format="epoch_ms",
        session_from_user_day=True,
        namespace="rr",
        event_types={"view": EventType.VIEW},
    )
    event = RowParser(mapping, ["t", "u", "i", "e"], Path("x")).parse(
        2, ["1433221332117", "257597", "355908", "view"]
    )
    assert isinstance(event, Event)
    assert event.session == "rr:257597/2015-06-02"


def test_mapping_file_errors_name_the_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "m.toml"
    path.write_text('delimter = ";"\n[columns]\nitem = "i"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"m\.toml: unknown keys \['delimter'\]"):
        ColumnMapping.from_toml(path)
    path.write_text('[columns]\nitem = "i"\nsku = "s"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unknown column fields \['sku'\]"):
        ColumnMapping.from_toml(path)
    path.write_text('[columns]\nitem = "i"\n[event_types]\nx = "wish"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"'wish' is not a valid EventType"):
        ColumnMapping.from_toml(path)
    path.write_text("[columns\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"m\.toml: not a valid TOML mapping"):
        ColumnMapping.from_toml(path)


def test_a_mapped_column_missing_from_the_header_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("event_time,product\n", encoding="utf-8")
    with pytest.raises(
        BadInputError,
        match=r"e\.csv:1: the mapping's item column 'product_id' is not in the header",
    ):
        list(DelimitedSource(path, REES46_MAPPING).records())
