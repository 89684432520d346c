"""Baskets: orders with their items, in basket form (one line per order) or long form.

* **Basket form**: one order per line, its item ids separated by commas, no header (as in
  UCI Online Retail's ``baskets_by_invoice.csv.gz``). The file has no order ids, so order
  ``n`` (0-based line index) gets the id ``<namespace>:n``; the namespace defaults to the file
  name without its suffixes. Every item of a line is a purchase of quantity 1; an item
  listed twice in a line is one order line of quantity 2. An item's position in its order
  is its first 0-based index in the line.
* **Long form**: one order line per row, in CSV or Parquet, read through a
  :class:`~shopgraph.loaders.mapping.ColumnMapping`. Built in: the original UCI Online Retail
  columns (``InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID,
  Country``; invoices starting with ``C`` are cancellations, ``A`` adjustments) and the UCI
  ``baskets_long.parquet`` (``basket_idx, basket_kind, position, stock_code``).

User, time, quantity and price are optional in the long form. An item's position in its
order is the file's line (CSV) or 1-based row (Parquet) number of its first row in that order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pyarrow.parquet as pq

from shopgraph.core.errors import BadInputError
from shopgraph.loaders.mapping import ColumnMapping, DelimitedSource, RowParser
from shopgraph.loaders.records import Event, EventGroup, EventType, OrderKind, Reject
from shopgraph.loaders.source import EventSource, TextRows

__all__ = [
    "ORDER_LINES_MAPPING",
    "UCI_PARQUET_MAPPING",
    "UCI_RETAIL_MAPPING",
    "BasketLinesSource",
    "ParquetSource",
    "baskets_source",
]

UCI_RETAIL_MAPPING = ColumnMapping(
    name="uci-retail",
    columns={
        "order": "InvoiceNo",
        "item": "StockCode",
        "item_name": "Description",
        "quantity": "Quantity",
        "time": "InvoiceDate",
        "price": "UnitPrice",
        "user": "CustomerID",
    },
    default_event_type=EventType.PURCHASE,
    order_kind_prefixes={"C": OrderKind.CANCELLATION, "A": OrderKind.ADJUSTMENT},
    require_user=False,
)

UCI_PARQUET_MAPPING = ColumnMapping(
    name="uci-baskets-long",
    columns={"order": "basket_idx", "item": "stock_code", "order_kind": "basket_kind"},
    default_event_type=EventType.PURCHASE,
    require_user=False,
    namespace="baskets_by_invoice",
)

#: Order lines with a user: ``order, item, user`` (what ``shopgraph attack`` writes).
ORDER_LINES_MAPPING = ColumnMapping(
    name="order-lines",
    columns={"order": "order", "item": "item", "user": "user"},
    default_event_type=EventType.PURCHASE,
)


class BasketLinesSource(EventSource):
    """A basket-form file: one order per line, items separated by ``delimiter``.

    Args:
        path: The file (plain or gzip).
        namespace: Prefix of the order ids; defaults to the file name without suffixes.
        delimiter: Item separator.
    """

    kind = "baskets"

    def __init__(self, path: Path, *, namespace: str | None = None, delimiter: str = ",") -> None:
        super().__init__(path)
        self.namespace = namespace or self.path.name.split(".")[0]
        self.delimiter = delimiter
        self._rows: TextRows | None = None

    def describe(self) -> dict[str, str]:
        return {"namespace": self.namespace, "delimiter": self.delimiter}

    @property
    def position(self) -> int:
        return self._rows.position if self._rows is not None else 0

    def records(self) -> Iterator[Event | EventGroup | Reject]:
        with TextRows(self.path, self.delimiter) as rows:
            self._rows = rows
            for row in rows.rows():
                if isinstance(row, Reject):
                    yield row
                    continue
                line, items = row
                ids = [item.strip() for item in items]
                if "" in ids:
                    position = ids.index("")
                    yield rows.reject(
                        line,
                        "item",
                        f"empty item id at position {position + 1} of the basket",
                        self.delimiter.join(items),
                    )
                    continue
                order = f"{self.namespace}:{line - 1}"
                yield EventGroup(
                    Event(
                        None,
                        EventType.PURCHASE,
                        item,
                        None,
                        None,
                        None,
                        None,
                        None,
                        None,
                        1,
                        order,
                        OrderKind.ORDER,
                        None,
                        position,
                    )
                    for position, item in enumerate(ids)
                )


class ParquetSource(EventSource):
    """A Parquet file of order lines or events, read in record batches through a mapping.

    Rejects name the 1-based row number as their line.
    """

    def __init__(self, path: Path, mapping: ColumnMapping, *, batch_rows: int = 65_536) -> None:
        super().__init__(path)
        self.mapping = mapping
        self.kind = mapping.name
        self._batch_rows = batch_rows
        self._done = 0
        try:
            self._file = pq.ParquetFile(self.path)
        except (OSError, ValueError) as e:
            raise BadInputError(f"not a readable Parquet file ({e})", path=self.path) from e
        self._total = max(1, int(self._file.metadata.num_rows))

    def describe(self) -> dict[str, str]:
        return {"mapping": self.mapping.canonical()}

    @property
    def position(self) -> int:
        return self.size * self._done // self._total

    def records(self) -> Iterator[Event | Reject]:
        names = self._file.schema_arrow.names
        parser = RowParser(self.mapping, names, self.path)
        wanted = sorted(set(self.mapping.columns.values()), key=names.index)
        self._done = 0
        for batch in self._file.iter_batches(batch_size=self._batch_rows, columns=wanted):
            columns = [(names.index(name), batch.column(name).to_pylist()) for name in wanted]
            for j in range(batch.num_rows):
                row = [""] * len(names)
                for position, values in columns:
                    value = values[j]
                    row[position] = "" if value is None else str(value)
                self._done += 1
                yield parser.parse(self._done, row)


def baskets_source(
    path: Path,
    *,
    mapping: ColumnMapping | None = None,
    namespace: str | None = None,
) -> EventSource:
    """Chooses the source for a baskets file by its content.

    Parquet files and CSV files whose header has ``InvoiceNo`` and ``StockCode`` are long
    form (UCI mappings unless ``mapping`` is given; Parquet with ``order, item, user``
    columns: :data:`ORDER_LINES_MAPPING`); other text files are basket form.

    Args:
        path: The file.
        mapping: Mapping of a long-form file of your own.
        namespace: Order-id prefix (basket form, or overriding the mapping's).

    Raises:
        BadInputError: When the file is missing, or a Parquet file has unknown columns and no
            mapping was given.
    """
    path = Path(path)
    if not path.is_file():
        raise BadInputError("no such file", path=path)
    with path.open("rb") as raw:
        magic = raw.read(4)
    if magic == b"PAR1":
        names = set(pq.ParquetFile(path).schema_arrow.names)
        if mapping is None and set(ORDER_LINES_MAPPING.columns.values()) <= names:
            mapping = ORDER_LINES_MAPPING
        if mapping is None:
            if not set(UCI_PARQUET_MAPPING.columns.values()) <= names:
                raise BadInputError(
                    f"a Parquet file with columns {sorted(names)} needs a column mapping",
                    path=path,
                )
            mapping = UCI_PARQUET_MAPPING
        return ParquetSource(path, _renamespaced(mapping, namespace))
    if mapping is None and {"InvoiceNo", "StockCode"} <= set(_header(path)):
        mapping = UCI_RETAIL_MAPPING
    if mapping is not None:
        return DelimitedSource(path, _renamespaced(mapping, namespace))
    return BasketLinesSource(path, namespace=namespace)


def _renamespaced(mapping: ColumnMapping, namespace: str | None) -> ColumnMapping:
    if namespace is None:
        return mapping
    return replace(mapping, namespace=namespace)


def _header(path: Path) -> list[str]:
    with TextRows(path, ",") as rows:
        for row in rows.rows():
            return [] if isinstance(row, Reject) else [name.strip() for name in row[1]]
    return []
