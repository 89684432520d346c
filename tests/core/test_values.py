"""Values named in sentences as the plugin's CypherValues.describe names them (hand-written
expectations: Java's Double.toString and the plugin's wording)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pytest

from shopgraph.core.values import describe, java_double


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.5, "1.5"),
        (-2.0, "-2.0"),
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (0.001, "0.001"),
        (0.0001, "1.0E-4"),
        (1.5e-05, "1.5E-5"),
        (1234567.0, "1234567.0"),
        (9999999.0, "9999999.0"),
        (1e7, "1.0E7"),
        (12345678.0, "1.2345678E7"),
        (-1e20, "-1.0E20"),
        (math.nan, "NaN"),
        (math.inf, "Infinity"),
        (-math.inf, "-Infinity"),
        (0.1 + 0.2, "0.30000000000000004"),
    ],
)
def test_floats_read_as_javas_double_to_string(value: float, text: str) -> None:
    assert java_double(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "null"),
        ("", "an empty string"),
        ("it's", "the string 'it\\'s'"),
        ("x" * 70, "the string '" + "x" * 56 + "..."),
        (True, "the boolean true"),
        (7, "the integer 7"),
        (-2.5, "the float -2.5"),
        ([], "an empty list"),
        (["a", 1, None, 2.0, False], "the list ['a', 1, null, 2.0, false]"),
        ({"a": 1}, "a map"),
        (datetime(2024, 3, 1), "the local datetime 2024-03-01T00:00:00"),
        (datetime(2024, 3, 1, 0, 0, 0, 500_000), "the local datetime 2024-03-01T00:00:00.5"),
        (date(2024, 3, 1), "the date 2024-03-01"),
        (b"x", "a byte array"),
    ],
)
def test_values_are_named_as_the_procedures_name_them(value: object, text: str) -> None:
    assert describe(value) == text


def test_a_long_list_is_cut_short() -> None:
    shown = describe([f"item-{n}" for n in range(20)])
    assert shown.startswith("the list ['item-0', 'item-1', ")
    assert shown.endswith("...")
    assert len(shown) == len("the list ") + 60
    assert describe(datetime(2024, 3, 1, tzinfo=UTC)).startswith("the datetime 2024-03-01T00:00")
