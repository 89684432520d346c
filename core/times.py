"""Times that cross an edge (a call, a flag, a procedure's config) must carry a timezone.

A naive datetime is ambiguous: Python reads it as local time, Neo4j's ``datetime()`` as UTC.
Every function that takes a time checks it here, so the refusal reads the same everywhere.
"""

from __future__ import annotations

from datetime import datetime

from shopgraph.core.errors import BadArgumentError

__all__ = ["require_timezone"]


def require_timezone(value: object, what: str) -> datetime:
    """Returns ``value`` when it is a datetime with a timezone.

    Args:
        value: The time given.
        what: How the sentence names it, e.g. ``"Config key 'since'"`` or ``"since"``.

    Returns:
        ``value``, unchanged.

    Raises:
        BadArgumentError: ``"<what> must be a datetime with a timezone, got <value>."``
            (the value in ISO form) when it is naive or not a datetime.
    """
    if isinstance(value, datetime) and value.utcoffset() is not None:
        return value
    shown = value.isoformat() if isinstance(value, datetime) else repr(value)
    raise BadArgumentError(f"{what} must be a datetime with a timezone, got {shown}.")
