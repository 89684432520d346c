"""REES46 / Open CDP event files (Kaggle "eCommerce behavior data from multi category store").

Columns: ``event_time, event_type, product_id, category_id, category_code, brand, price,
user_id, user_session``; ``.csv`` or ``.csv.gz`` of any size, streamed. Event types are
``view``, ``cart``, ``remove_from_cart`` and ``purchase``; the purchases of a session make one
order whose id is the session id. Times look like ``2019-10-01 00:00:00 UTC``.
"""

from __future__ import annotations

from pathlib import Path

from shopgraph.loaders.mapping import ColumnMapping, DelimitedSource
from shopgraph.loaders.records import EventType

__all__ = ["REES46_COLUMNS", "REES46_MAPPING", "rees46_source"]

#: The columns of a REES46 file, in order.
REES46_COLUMNS = (
    "event_time",
    "event_type",
    "product_id",
    "category_id",
    "category_code",
    "brand",
    "price",
    "user_id",
    "user_session",
)

REES46_MAPPING = ColumnMapping(
    name="rees46",
    columns={
        "time": "event_time",
        "event_type": "event_type",
        "item": "product_id",
        "category_id": "category_id",
        "category": "category_code",
        "brand": "brand",
        "price": "price",
        "user": "user_id",
        "session": "user_session",
    },
    event_types={t.value: t for t in EventType},
)


def rees46_source(path: Path) -> DelimitedSource:
    """Returns the event source of a REES46 file."""
    return DelimitedSource(path, REES46_MAPPING)
