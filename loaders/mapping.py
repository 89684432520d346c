"""Column mappings: how the columns of an event or order-line file become events.

A :class:`ColumnMapping` names the source column of each field and how to read it. Built-in
mappings cover REES46 (:mod:`shopgraph.loaders.rees46`) and UCI Online Retail
(:mod:`shopgraph.loaders.baskets`); users describe their own CSV in a small TOML file
(see ``examples/mapping.toml`` in the README) and load it without code::

    name = "diginetica"
    delimiter = ";"
    null_values = ["", "NA"]
    time_format = "date"            # iso | date | epoch_s | epoch_ms | a strptime format
    default_event_type = "view"     # when there is no event_type column
    require_user = false            # anonymous sessions are allowed
    namespace = "diginetica"        # prefixes session and order ids

    [columns]                       # our field = the file's column
    session = "session_id"
    user = "user_id"
    item = "item_id"
    time = "eventdate"
    time_offset_ms = "timeframe"

    [event_types]                   # the file's value = our event type
    addtocart = "cart"

Validation of each row (what makes a reject) is described in :class:`RowParser`.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from shopgraph.core.errors import BadInputError, ConfigError
from shopgraph.loaders.records import Event, EventType, OrderKind, Reject
from shopgraph.loaders.source import EventSource, TextRows

__all__ = ["ColumnMapping", "DelimitedSource", "RowParser", "parse_time"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
_FLOAT_ID = re.compile(r"^-?\d+\.0$")
_TIME_FORMATS = ("iso", "date", "epoch_s", "epoch_ms")
_COLUMN_FIELDS = (
    "item",
    "time",
    "event_type",
    "user",
    "session",
    "price",
    "brand",
    "category",
    "category_id",
    "quantity",
    "order",
    "order_kind",
    "item_name",
    "time_offset_ms",
)
_DEFAULT_EVENT_TYPES = {t.value: t for t in EventType}
_DEFAULT_ORDER_KINDS = {k.value: k for k in OrderKind}


@dataclass(frozen=True)
class ColumnMapping:
    """How a delimited file's columns become events.

    Attributes:
        name: Loader name stored with each load, e.g. ``"rees46"``.
        columns: Our field name -> the file's column name. ``item`` is required; the others
            are optional: ``time``, ``event_type``, ``user``, ``session``, ``price``,
            ``brand``, ``category`` (a dotted code), ``category_id``, ``quantity``,
            ``order``, ``order_kind``, ``item_name``, ``time_offset_ms`` (added to ``time``).
        delimiter: Field separator.
        header: Whether the first line names the columns; without one, ``names`` must.
        names: Column names of a file without header.
        null_values: Field values that mean "missing".
        time_format: ``iso`` (ISO 8601, optionally ending in `` UTC``; naive times are UTC),
            ``date``, ``epoch_s``, ``epoch_ms``, or a ``strptime`` format.
        event_types: The file's event-type value -> our event type.
        default_event_type: Type of every row when there is no ``event_type`` column.
        order_kinds: The file's order-kind value -> our order kind.
        order_kind_prefixes: Order-id prefix -> order kind (UCI: ``C`` = cancellation).
        require_user: Reject rows without a user id.
        session_from_user_day: Without a session id, use one session per user and UTC day.
        namespace: Prefix (``namespace:``) of session and order ids, to keep sources apart.
    """

    name: str
    columns: Mapping[str, str]
    delimiter: str = ","
    header: bool = True
    names: tuple[str, ...] = ()
    null_values: frozenset[str] = frozenset({""})
    time_format: str = "iso"
    event_types: Mapping[str, EventType] = field(default_factory=lambda: _DEFAULT_EVENT_TYPES)
    default_event_type: EventType | None = None
    order_kinds: Mapping[str, OrderKind] = field(default_factory=lambda: _DEFAULT_ORDER_KINDS)
    order_kind_prefixes: Mapping[str, OrderKind] = field(default_factory=dict)
    require_user: bool = True
    session_from_user_day: bool = False
    namespace: str | None = None

    def __post_init__(self) -> None:
        unknown = sorted(set(self.columns) - set(_COLUMN_FIELDS))
        if unknown:
            raise ConfigError(
                f"Mapping {self.name!r} has unknown column fields {unknown}; "
                f"known fields: {', '.join(_COLUMN_FIELDS)}."
            )
        if "item" not in self.columns:
            raise ConfigError(f"Mapping {self.name!r} must name the item column.")
        if "event_type" not in self.columns and self.default_event_type is None:
            raise ConfigError(
                f"Mapping {self.name!r} needs an event_type column or a default_event_type."
            )
        if "time_offset_ms" in self.columns and "time" not in self.columns:
            raise ConfigError(f"Mapping {self.name!r} has time_offset_ms but no time column.")
        if self.time_format not in _TIME_FORMATS and "%" not in self.time_format:
            raise ConfigError(
                f"Mapping {self.name!r}: time_format must be one of {', '.join(_TIME_FORMATS)} "
                f"or a strptime format, got {self.time_format!r}."
            )
        if not self.header and not self.names:
            raise ConfigError(f"Mapping {self.name!r} has no header, so it must list names.")
        if len(self.delimiter) != 1:
            raise ConfigError(
                f"Mapping {self.name!r}: the delimiter must be one character, "
                f"got {self.delimiter!r}."
            )

    def canonical(self) -> str:
        """A stable JSON text of the mapping, part of a load's identity."""
        data = asdict(self)
        data["null_values"] = sorted(self.null_values)
        return json.dumps(data, sort_keys=True, default=str)

    @classmethod
    def from_toml(cls, path: Path) -> ColumnMapping:
        """Reads a mapping file (format in the module docstring).

        Raises:
            ConfigError: When the file is missing, not TOML, or has unknown or bad keys.
        """
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: mapping file not found.") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(f"{path}: not a valid TOML mapping ({e}).") from e
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(
                f"{path}: unknown keys {unknown}; known keys: {', '.join(sorted(known))}."
            )
        try:
            return cls(
                name=str(data.get("name", path.stem)),
                columns=_str_table(data, "columns", path),
                delimiter=str(data.get("delimiter", ",")),
                header=bool(data.get("header", True)),
                names=tuple(str(n) for n in data.get("names", ())),
                null_values=frozenset(str(v) for v in data.get("null_values", [""])),
                time_format=str(data.get("time_format", "iso")),
                event_types={
                    **_DEFAULT_EVENT_TYPES,
                    **{k: EventType(v) for k, v in _str_table(data, "event_types", path).items()},
                },
                default_event_type=(
                    EventType(data["default_event_type"]) if "default_event_type" in data else None
                ),
                order_kinds={
                    **_DEFAULT_ORDER_KINDS,
                    **{k: OrderKind(v) for k, v in _str_table(data, "order_kinds", path).items()},
                },
                order_kind_prefixes={
                    k: OrderKind(v)
                    for k, v in _str_table(data, "order_kind_prefixes", path).items()
                },
                require_user=bool(data.get("require_user", True)),
                session_from_user_day=bool(data.get("session_from_user_day", False)),
                namespace=str(data["namespace"]) if "namespace" in data else None,
            )
        except ValueError as e:
            raise ConfigError(f"{path}: {e}") from e


class DelimitedSource(EventSource):
    """A delimited text file (CSV, TSV, ``.gz`` or plain) read through a mapping.

    Args:
        path: The file.
        mapping: How its columns become events.
    """

    def __init__(self, path: Path, mapping: ColumnMapping) -> None:
        super().__init__(path)
        self.mapping = mapping
        self.kind = mapping.name
        self._rows: TextRows | None = None

    def describe(self) -> dict[str, str]:
        return {"mapping": self.mapping.canonical()}

    @property
    def position(self) -> int:
        return self._rows.position if self._rows is not None else 0

    def records(self) -> Iterator[Event | Reject]:
        with TextRows(self.path, self.mapping.delimiter) as rows:
            self._rows = rows
            stream = rows.rows()
            names = list(self.mapping.names)
            if self.mapping.header:
                first = next(stream, None)
                if first is None:
                    return
                if isinstance(first, Reject):
                    raise BadInputError(
                        f"the header cannot be read: {first.reason}", path=self.path, line=1
                    )
                names = [name.strip().lstrip("\ufeff") for name in first[1]]
            parser = RowParser(self.mapping, names, self.path)
            for row in stream:
                yield row if isinstance(row, Reject) else parser.parse(row[0], row[1])


class RowParser:
    """Turns one row of fields into an event, or a reject that names the field and reason.

    A row is rejected when: its number of fields differs from the header's; the item id is
    missing; the user id is missing and the mapping requires one; the event type is not
    mapped; the time is missing or unparseable (when the mapping has a time column); the
    price or quantity is unparseable, the price negative or not finite; the quantity is 0,
    or negative in anything but a cancellation; a view or cart event has no session (and no
    user-day fallback); a purchase has neither order nor session; a category code has an
    empty segment (``a..b``).

    Args:
        mapping: The mapping.
        names: The file's column names, in order.
        path: The file, for messages.

    Raises:
        BadInputError: When a column named by the mapping is not in ``names``.
    """

    def __init__(self, mapping: ColumnMapping, names: list[str], path: Path) -> None:
        self.mapping = mapping
        self.path = path
        self.width = len(names)
        self.file = str(path)
        self._positions: list[int] = []
        for ours in _COLUMN_FIELDS:
            theirs = mapping.columns.get(ours)
            if theirs is None:
                self._positions.append(-1)
            elif theirs in names:
                self._positions.append(names.index(theirs))
            else:
                raise BadInputError(
                    f"the mapping's {ours} column {theirs!r} is not in the header "
                    f"({', '.join(names)})",
                    path=path,
                    line=1,
                )
        self._nulls = mapping.null_values
        self._types = mapping.event_types
        self._has_type = "event_type" in mapping.columns
        self._has_time = "time" in mapping.columns
        self._times: dict[str, int] = {}

    def parse(self, line: int, row: list[str]) -> Event | Reject:
        """Parses one row; never raises for bad data, returns a reject instead."""
        if len(row) != self.width:
            return self._reject(line, "", f"expected {self.width} fields, found {len(row)}", row)
        nulls = self._nulls
        values = [None if i < 0 else row[i].strip() for i in self._positions]
        values = [None if v is None or v in nulls else v for v in values]
        try:
            return self._event(line, *values)
        except _FieldError as e:
            return self._reject(line, self.mapping.columns.get(e.field, e.field), e.reason, row)

    def _event(
        self,
        line: int,
        item: str | None,
        time_text: str | None,
        type_text: str | None,
        user: str | None,
        session: str | None,
        price_text: str | None,
        brand: str | None,
        category: str | None,
        category_id: str | None,
        quantity_text: str | None,
        order: str | None,
        kind_text: str | None,
        item_name: str | None,
        offset_text: str | None,
    ) -> Event:
        m = self.mapping
        if item is None:
            raise _FieldError("item", "missing item id")
        item = _normal_id(item)
        etype = self._types.get(type_text or "") if self._has_type else m.default_event_type
        if etype is None:
            raise _FieldError(
                "event_type",
                f"unknown event type {type_text!r}; expected one of "
                f"{', '.join(sorted(self._types))}",
            )
        if user is not None:
            user = _normal_id(user)
        elif m.require_user:
            raise _FieldError("user", "missing user id")
        t = self._time(time_text, offset_text) if self._has_time else None
        price = _price(price_text) if price_text is not None else None
        if order is not None:
            order = _normal_id(order)
        kind = self._order_kind(kind_text, order)
        quantity = _quantity(quantity_text, kind) if quantity_text is not None else 1
        if session is None and m.session_from_user_day and user is not None and t is not None:
            session = f"{user}/{(_EPOCH + t * _MS).date().isoformat()}"
        if session is None and etype is not EventType.PURCHASE:
            raise _FieldError("session", f"missing session id for a {etype.value} event")
        if etype is EventType.PURCHASE and order is None and session is None:
            raise _FieldError("order", "a purchase needs an order id or a session id")
        if m.namespace is not None:
            session = f"{m.namespace}:{session}" if session is not None else None
            order = f"{m.namespace}:{order}" if order is not None else None
        if category is not None and (category[0] == "." or category[-1] == "." or ".." in category):
            raise _FieldError("category", f"malformed category code {category!r}")
        if category_id is not None:
            category_id = _normal_id(category_id)
        return Event(
            t,
            etype,
            item,
            user,
            session,
            price,
            brand,
            category,
            category_id,
            quantity,
            order,
            kind,
            item_name,
            line,
        )

    def _time(self, text: str | None, offset: str | None) -> int:
        if text is None:
            raise _FieldError("time", "missing time")
        t = self._times.get(text)
        if t is None:
            try:
                t = parse_time(text, self.mapping.time_format)
            except ValueError:
                raise _FieldError(
                    "time", f"unparseable time {text!r} (format {self.mapping.time_format})"
                ) from None
            if len(self._times) > 100_000:
                self._times.clear()
            self._times[text] = t
        if offset is not None:
            try:
                t += int(offset)
            except ValueError:
                raise _FieldError("time_offset_ms", f"unparseable offset {offset!r}") from None
        return t

    def _order_kind(self, text: str | None, order: str | None) -> OrderKind:
        if text is not None:
            kind = self.mapping.order_kinds.get(text)
            if kind is None:
                raise _FieldError("order_kind", f"unknown order kind {text!r}")
            return kind
        if order is not None:
            for prefix, kind in self.mapping.order_kind_prefixes.items():
                if order.startswith(prefix):
                    return kind
        return OrderKind.ORDER

    def _reject(self, line: int, field_name: str, reason: str, row: list[str]) -> Reject:
        raw = self.mapping.delimiter.join(row)
        return Reject(self.file, line, field_name, reason, raw[:300])


def parse_time(text: str, time_format: str) -> int:
    """Parses a time into epoch milliseconds (UTC).

    Args:
        text: The time as written in the file.
        time_format: ``iso`` (ISO 8601; a trailing `` UTC`` or ``Z`` is accepted; naive
            times are UTC), ``date`` (``YYYY-MM-DD``, midnight UTC), ``epoch_s``,
            ``epoch_ms``, or a ``strptime`` format (naive results are UTC).

    Returns:
        Milliseconds since 1970-01-01 UTC.

    Raises:
        ValueError: When the text does not match the format.
    """
    if time_format == "epoch_ms":
        return int(text)
    if time_format == "epoch_s":
        return round(float(text) * 1000)
    if time_format in ("iso", "date"):
        if text.endswith(" UTC"):
            text = text[:-4]
        moment = datetime.fromisoformat(text)
    else:
        moment = datetime.strptime(text, time_format)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // _MS


def _normal_id(value: str) -> str:
    """Ids written as floats by spreadsheets and pandas (``17850.0``) become ``17850``."""
    return value[:-2] if value.endswith(".0") and _FLOAT_ID.match(value) else value


def _price(text: str) -> float:
    try:
        price = float(text)
    except ValueError:
        raise _FieldError("price", f"unparseable price {text!r}") from None
    if not math.isfinite(price):
        raise _FieldError("price", f"price is not a finite number: {text!r}")
    if price < 0:
        raise _FieldError("price", f"negative price {text}")
    return price


def _quantity(text: str, kind: OrderKind) -> int:
    try:
        quantity = int(text)
    except ValueError:
        raise _FieldError("quantity", f"unparseable quantity {text!r}") from None
    if quantity == 0:
        raise _FieldError("quantity", "quantity is 0")
    if quantity < 0 and kind is not OrderKind.CANCELLATION:
        raise _FieldError(
            "quantity", f"negative quantity {quantity} in a {kind.value} (not a cancellation)"
        )
    return quantity


class _FieldError(Exception):
    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field_name
        self.reason = reason


def _str_table(data: dict[str, Any], key: str, path: Path) -> dict[str, str]:
    table = data.get(key, {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise ConfigError(f"{path}: [{key}] must be a table of strings.")
    return {str(k): v for k, v in table.items()}
