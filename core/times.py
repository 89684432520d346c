"""Times that cross an edge (a call, a flag, a procedure's config) must carry a timezone.

A naive datetime is ambiguous: Python reads it as local time, Neo4j's ``datetime()`` as UTC.
Every function that takes a time checks it here, so the refusal reads the same everywhere.
"""

from __future__ import annotations

from datetime import datetime

from shopgraph.core.errors import BadArgumentError

__all__ = ["iso_local", "require_timezone"]


def require_timezone(value: object, what: str) -> datetime:
    """Returns ``value`` when it is a datetime with a timezone.

    Args:
        value: The time given.
        what: How the sentence names it, e.g. ``"Config key 'since'"`` or ``"since"``.

    Returns:
        ``value``, unchanged.

    Raises:
        BadArgumentError: ``"<what> must be a datetime with a timezone, got <value>."`` when
            it is naive or not a datetime; a naive one reads ``the local datetime
            2024-03-01T00:00:00``, as the procedures name a Cypher ``localdatetime``.
    """
    if isinstance(value, datetime) and value.utcoffset() is not None:
        return value
    shown = repr(value)
    if isinstance(value, datetime):
        shown = f"the local datetime {iso_local(value)}"
    raise BadArgumentError(f"{what} must be a datetime with a timezone, got {shown}.")


def iso_local(value: datetime) -> str:
    """ISO 8601 without a zone, seconds always shown and the fraction without trailing zeros
    (``java.time.format.DateTimeFormatter.ISO_LOCAL_DATE_TIME``)."""
    text = value.replace(microsecond=0).isoformat()
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text
