"""The Cypher statements of shopgraph, one per ``.cypher`` file, loaded by name.

Every statement lives in ``cypher/<name>.cypher`` with a header comment naming its
``$parameters`` and returned columns; values travel only as parameters. ``schema.cypher``
is the one file with several statements (constraints and indexes, ``IF NOT EXISTS``),
separated by semicolons.

The Maven project of the Neo4j plugin and the embedded-server launcher lives beside these
files (``cypher/pom.xml``); :mod:`shopgraph.graph.server` builds and runs it.
"""

from __future__ import annotations

import functools
from importlib import resources

__all__ = ["load", "names", "schema_statements"]

_SUFFIX = ".cypher"


@functools.cache
def load(name: str) -> str:
    """Returns the statement stored in ``<name>.cypher``, without its comment lines.

    Args:
        name: File name without the ``.cypher`` suffix, e.g. ``"graph_stats"``.

    Returns:
        The Cypher text, ready to run with parameters.

    Raises:
        KeyError: When no file of that name exists.
    """
    path = resources.files(__name__).joinpath(name + _SUFFIX)
    if not path.is_file():
        raise KeyError(f"No Cypher statement named {name!r} in shopgraph.cypher.")
    return _strip_comments(path.read_text(encoding="utf-8"))


def names() -> list[str]:
    """Returns the names of all statement files, sorted."""
    return sorted(
        entry.name[: -len(_SUFFIX)]
        for entry in resources.files(__name__).iterdir()
        if entry.name.endswith(_SUFFIX)
    )


def schema_statements() -> list[str]:
    """Returns the constraint and index statements of ``schema.cypher``, in file order."""
    return [part.strip() for part in load("schema").split(";") if part.strip()]


def _strip_comments(text: str) -> str:
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("//")]
    return "\n".join(lines).strip()
