"""The catalog: items named, priced, stocked, hidden and described as the shop changes them.

:func:`upsert_items` sends a batch of :class:`CatalogItem` to ``CALL
shopgraph.items.upsert($items)`` in one transaction, after checking every item here with the
procedure's rules and sentences (a bad item is a :class:`~shopgraph.core.errors.BadInputError`
naming its index, field and reason, from either). An upsert changes what it names and nothing
else:

* a field left at ``None`` keeps the stored value; :data:`CLEAR` removes it (sent as ``null``);
* ``name``, ``price``, ``in_stock`` and ``hidden`` are the properties ``Item.name``,
  ``Item.price``, ``Item.inStock`` and ``Item.hidden``; serving leaves out items whose
  ``inStock`` is false (unless asked not to) and items whose ``hidden`` is true, from the next
  call on;
* ``brand`` makes the brand (created if new) the item's one ``HAS_BRAND``; ``category`` makes
  the category the item's one ``IN_CATEGORY``, creating it and its ancestors as loads do
  (``home.kitchen.kettles`` is ``CHILD_OF`` ``home.kitchen``, ``CHILD_OF`` ``home``);
* ``attributes`` are free attributes, each stored as the property ``attr_<name>`` (names start
  with a letter and hold letters, digits and underscores, at most 64; values are strings,
  integers, finite floats or booleans); a name mapped to :data:`CLEAR` removes that attribute,
  ``attributes=CLEAR`` removes them all.

Every upserted item gets ``inCatalog = true``: items that events created before the catalog
named them carry ``inCatalog = false``. Unknown items are created.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final, Literal, TypeAlias

from shopgraph.core.errors import BadArgumentError
from shopgraph.core.values import describe
from shopgraph.graph._input import Element
from shopgraph.graph.live import MAX_BATCH
from shopgraph.graph.runner import GraphRunner

__all__ = ["CLEAR", "CatalogItem", "UpsertReport", "check_items", "upsert_items"]


class _Clear(Enum):
    CLEAR = "clear"

    def __repr__(self) -> str:
        return "CLEAR"


#: Removes a stored value in an upsert (sent to the procedure as ``null``).
CLEAR: Final = _Clear.CLEAR

_Cleared: TypeAlias = Literal[_Clear.CLEAR]
#: A free attribute's value.
AttributeValue: TypeAlias = str | int | float | bool

_ATTRIBUTE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")


@dataclass(frozen=True)
class CatalogItem:
    """What the catalog says about one item; ``None`` keeps a stored value, :data:`CLEAR`
    removes it.

    Attributes:
        id: The item's id; created when unknown.
        name: ``Item.name``.
        brand: The brand's name (the item's one ``HAS_BRAND``).
        category: The dotted category code (the item's one ``IN_CATEGORY``).
        price: ``Item.price``, a finite number of at least 0.
        in_stock: ``Item.inStock``; ``False`` keeps the item out of answers that ask for items
            in stock (the default).
        hidden: ``Item.hidden``; ``True`` keeps the item out of every answer.
        attributes: Free attributes by name (``Item.attr_<name>``), each a value or
            :data:`CLEAR`; :data:`CLEAR` for the whole mapping removes every attribute.
    """

    id: str
    name: str | _Cleared | None = None
    brand: str | _Cleared | None = None
    category: str | _Cleared | None = None
    price: float | _Cleared | None = None
    in_stock: bool | _Cleared | None = None
    hidden: bool | _Cleared | None = None
    attributes: Mapping[str, AttributeValue | _Cleared] | _Cleared | None = None

    def to_map(self) -> dict[str, Any]:
        """The item as ``shopgraph.items.upsert`` takes it, unchecked: only the fields given,
        :data:`CLEAR` as ``null``."""
        fields = {
            "name": self.name,
            "brand": self.brand,
            "categoryCode": self.category,
            "price": self.price,
            "inStock": self.in_stock,
            "hidden": self.hidden,
        }
        out: dict[str, Any] = {"itemId": self.id}
        for key, value in fields.items():
            if value is not None:
                out[key] = None if value is CLEAR else value
        if self.attributes is CLEAR:
            out["attributes"] = None
        elif self.attributes is not None:
            out["attributes"] = (
                {k: None if v is CLEAR else v for k, v in self.attributes.items()}
                if isinstance(self.attributes, Mapping)
                else self.attributes
            )
        return out


@dataclass(frozen=True)
class UpsertReport:
    """What an upsert did.

    Attributes:
        items: Items upserted (an id given twice counts twice).
        created: Items that were not in the graph.
    """

    items: int = 0
    created: int = 0


def check_items(items: CatalogItem | Iterable[CatalogItem]) -> list[dict[str, Any]]:
    """The procedure's maps of ``items``, each checked with the procedure's rules.

    Raises:
        BadArgumentError: When there are more than :data:`~shopgraph.graph.live.MAX_BATCH`.
        BadInputError: For the first bad item: its index, field and reason.
    """
    batch = [items] if isinstance(items, CatalogItem) else list(items)
    if len(batch) > MAX_BATCH:
        raise BadArgumentError(f"A batch must have at most {MAX_BATCH} items, got {len(batch)}.")
    return [_checked(index, item) for index, item in enumerate(batch)]


def _checked(index: int, item: object) -> dict[str, Any]:
    check = Element(index)
    if not isinstance(item, CatalogItem):
        check.fail(None, f"An item must be a CatalogItem, got {describe(item)}.")
    sent = item.to_map()
    check.id("itemId", sent["itemId"])
    if "name" in sent:
        check.text("name", sent["name"])
    if "brand" in sent:
        check.text("brand", sent["brand"])
    if "categoryCode" in sent:
        check.category("categoryCode", sent["categoryCode"])
    if "price" in sent:
        sent["price"] = check.price("price", sent["price"])
    for key in ("inStock", "hidden"):
        if key in sent:
            check.bool(key, sent[key])
    attributes = sent.get("attributes")
    if attributes is not None:
        if not isinstance(attributes, Mapping):
            check.invalid("attributes", "a map of attribute names to values or null", attributes)
        for name in sorted(map(str, attributes)):
            value = attributes[name]
            if not _ATTRIBUTE_NAME.fullmatch(name):
                check.fail(
                    "attributes",
                    f"Attribute name '{name}' must start with a letter and hold only letters, "
                    "digits and underscores, at most 64.",
                )
            if not (
                value is None
                or isinstance(value, str | int)
                or (isinstance(value, float) and math.isfinite(value))
            ):
                check.fail(
                    "attributes",
                    f"Attribute {name} must be a string, an integer, a finite float, a boolean "
                    f"or null, got {describe(value)}.",
                )
    return sent


def upsert_items(runner: GraphRunner, items: CatalogItem | Iterable[CatalogItem]) -> UpsertReport:
    """Creates or changes catalog items, in one transaction (see the module docstring).

    Args:
        runner: The graph (its schema must exist: ``ShopGraph.ensure_schema``).
        items: An item, or up to :data:`~shopgraph.graph.live.MAX_BATCH` of them, applied in
            order (a later one of the same id wins); an empty batch sends nothing.

    Returns:
        How many items were upserted and created.

    Raises:
        BadArgumentError: When there are too many items.
        BadInputError: For the first bad item (index, field, reason); nothing was written.
    """
    maps = check_items(items)
    if not maps:
        return UpsertReport()
    row = runner.write("call_items_upsert", {"items": maps})[0]
    return UpsertReport(items=row["items"], created=row["created"])
