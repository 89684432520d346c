"""Values named in error sentences, worded as the procedures word them.

The plugin's ``CypherValues.describe`` names a refused value as a Cypher user sees it ("got the
string 'abc'.", "got the float -1.5."); :func:`describe` names a Python value the way that value
reaches a procedure through the driver, so that a check made here and the same check made by a
procedure end in the same sentence.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from shopgraph.core.times import iso_local

__all__ = ["describe", "java_double"]

#: Longer renderings of strings and lists are cut to this many characters, as in the plugin.
_MAX_SHOWN = 60


def describe(value: object) -> str:
    """Names a value for a "..., got X." sentence, as ``CypherValues.describe`` does.

    ``None`` is ``null``; ``""`` is ``an empty string``; then ``the string 'abc'``,
    ``the boolean true``, ``the integer 5``, ``the float 1.5`` (Java's ``Double.toString``),
    ``an empty list`` or ``the list ['a', 1]``, ``a map``, ``the local datetime
    2024-03-01T00:00:00`` (a naive datetime), ``the date 2024-03-01``. Strings and lists longer
    than 60 characters are cut short with ``...``.
    """
    if value is None:
        return "null"
    if isinstance(value, str):
        return "the string " + _literal(value) if value else "an empty string"
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, float):
        return "the float " + java_double(value)
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, list | tuple):
        return "the list " + _literal(list(value)) if value else "an empty list"
    if isinstance(value, Mapping):
        return "a map"
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            return "the local datetime " + iso_local(value)
        return "the datetime " + value.isoformat()
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    if isinstance(value, timedelta):
        return f"the duration {value}"
    if isinstance(value, bytes | bytearray):
        return "a byte array"
    return f"a value of type {type(value).__name__}"


def java_double(value: float) -> str:
    """``Double.toString`` of Java: ``1.5``, ``-0.0``, ``NaN``, ``Infinity``, ``1.0E7``, ``1.5E-4``.

    Decimal notation from 0.001 up to (not including) 10,000,000, scientific notation outside,
    with the shortest digits that give the value back.
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0 or 1e-3 <= abs(value) < 1e7:
        text = repr(value)
        if "e" in text or "E" in text:  # repr uses exponents only from 1e16 and below 1e-4
            text = format(Decimal(text), "f")
        return text if "." in text else text + ".0"
    sign, digits, exponent = Decimal(repr(value)).as_tuple()
    shown = "".join(map(str, digits)).rstrip("0") or "0"
    power = len(digits) + int(exponent) - 1
    mantissa = shown[0] + "." + (shown[1:] or "0")
    return ("-" if sign else "") + f"{mantissa}E{power}"


def _literal(value: Any) -> str:
    out: list[str] = []
    _write(out, value)
    text = "".join(out)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def _write(out: list[str], value: Any) -> None:
    if sum(map(len, out)) > _MAX_SHOWN:
        return
    if isinstance(value, str):
        out.append("'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'")
    elif isinstance(value, list | tuple):
        out.append("[")
        for n, element in enumerate(value):
            if sum(map(len, out)) > _MAX_SHOWN:
                break
            if n:
                out.append(", ")
            _write(out, element)
        out.append("]")
    elif isinstance(value, Mapping):
        out.append("{...}")
    elif value is None:
        out.append("null")
    elif isinstance(value, bool):
        out.append("true" if value else "false")
    elif isinstance(value, float):
        out.append(java_double(value))
    else:
        out.append(str(value))
