"""Checks of the elements of a batch sent to a write procedure (events, catalog items).

The plugin's ``InputMap`` checks every element of such a batch with one sentence per rule; the
client checks the same values here first, with the same sentences, so that a bad element gets
the same :class:`~shopgraph.core.errors.BadInputError` (index, field, reason) from either. A
field is named by the key it travels under (``itemId``, ``categoryCode``).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import NoReturn

from shopgraph.core.errors import BadArgumentError, BadInputError
from shopgraph.core.values import describe

__all__ = ["Element", "argument_id", "is_category_code"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
#: The epoch milliseconds of 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z.
MIN_EPOCH_MILLIS = -62_135_596_800_000
MAX_EPOCH_MILLIS = 253_402_300_799_999


def is_category_code(code: str) -> bool:
    """A dotted code as the file loaders accept it: not blank, no dot first, last or twice."""
    return (
        bool(code.strip())
        and not code.startswith(".")
        and not code.endswith(".")
        and (".." not in code)
    )


def argument_id(name: str, value: object) -> str:
    """An id argument of a call, with the procedures' sentence (``Arguments.id``).

    Raises:
        BadArgumentError: ``<name> must be a non-empty id, got <value>.``
    """
    if isinstance(value, str) and not _blank(value):
        return value
    raise BadArgumentError(f"{name} must be a non-empty id, got {describe(value)}.")


def _blank(text: str) -> bool:
    return not text.strip()


class Element:
    """The checks of element ``index`` of a batch; each failure is a ``BadInputError``."""

    def __init__(self, index: int) -> None:
        self.index = index

    def fail(self, field: str | None, reason: str) -> NoReturn:
        raise BadInputError(reason, index=self.index, field=field)

    def invalid(self, field: str, expected: str, value: object) -> NoReturn:
        """``<field> must be <expected>, got <value>.``"""
        self.fail(field, f"{field} must be {expected}, got {describe(value)}.")

    def id(self, field: str, value: object, *, nullable: bool = False) -> str | None:
        """A non-empty string id; ``None`` only when ``nullable``."""
        if value is None and nullable:
            return None
        if isinstance(value, str) and not _blank(value):
            return value
        self.invalid(field, "a non-empty id or null" if nullable else "a non-empty id", value)

    def text(self, field: str, value: object) -> str | None:
        """A non-empty string, or ``None``."""
        if value is None or (isinstance(value, str) and not _blank(value)):
            return value
        self.invalid(field, "a non-empty string or null", value)

    def time(self, field: str, value: object) -> int:
        """Epoch milliseconds of a datetime with a timezone, or of an integer between years 1
        and 9999 (sub-milliseconds dropped, as the procedure drops them)."""
        if isinstance(value, datetime) and value.utcoffset() is not None:
            return (value - _EPOCH) // _MS
        if (
            isinstance(value, int)
            and not isinstance(value, bool)
            and MIN_EPOCH_MILLIS <= value <= MAX_EPOCH_MILLIS
        ):
            return value
        self.invalid(field, "a datetime with a timezone or epoch milliseconds", value)

    def price(self, field: str, value: object) -> float | None:
        """A finite number of at least 0 (integers too), as a float, or ``None``."""
        if value is None:
            return None
        if (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and math.isfinite(value)
            and value >= 0
        ):
            return float(value)
        self.invalid(field, "a finite number of at least 0 or null", value)

    def positive(self, field: str, value: object) -> int:
        """An integer of at least 1."""
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value
        self.invalid(field, "an integer of at least 1", value)

    def bool(self, field: str, value: object) -> bool | None:
        """A boolean, or ``None``."""
        if value is None or isinstance(value, bool):
            return value
        self.invalid(field, "a boolean or null", value)

    def category(self, field: str, value: object) -> str | None:
        """A dotted category code, or ``None``."""
        if value is None or (isinstance(value, str) and is_category_code(value)):
            return value
        self.invalid(field, "a dotted code without empty parts or null", value)
