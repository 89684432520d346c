"""Bad rows: each kind gives the right reject line, the rest loads, and nothing else changes."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from shopgraph.core.errors import BadInputError
from shopgraph.core.settings import Settings
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.loading import LoadOptions
from shopgraph.loaders.source import read_rejects

from conftest import wipe

GOOD = (
    "2019-10-01 00:00:00 UTC,view,44600062,2103807459595387724,,shiseido,35.79,541312140,"
    "72d76fde-8bb3-4e00-8c23-a032dfed738c"
)

#: (bad line, field, reason) per kind of bad row.
BAD_ROWS: list[tuple[bytes, str, str]] = [
    (
        b"2019-10-01 00:00:01 UTC,view,,2103807459595387724,,shiseido,35.79,541312140,s-1",
        "product_id",
        "missing item id",
    ),
    (
        b"2019-10-01 00:00:01 UTC,view,44600062,2103807459595387724,,shiseido,35.79,,s-1",
        "user_id",
        "missing user id",
    ),
    (
        b"2019-10-01 00:00:01 UTC,view,44600062,2103807459595387724,,shiseido,35.79,541312140,",
        "user_session",
        "missing session id for a view event",
    ),
    (
        b"yesterday noon,view,44600062,2103807459595387724,,shiseido,35.79,541312140,s-1",
        "event_time",
        "unparseable time 'yesterday noon' (format iso)",
    ),
    (
        b"2019-10-01 00:00:01 UTC,view,44600062,2103807459595387724,,shiseido,3O.5,541312140,s-1",
        "price",
        "unparseable price '3O.5'",
    ),
    (
        b"2019-10-01 00:00:01 UTC,view,44600062,2103807459595387724,,shiseido,-4.20,541312140,s-1",
        "price",
        "negative price -4.20",
    ),
    (
        b"2019-10-01 00:00:01 UTC,wishlist,44600062,2103807459595387724,,shiseido,3.5,"
        b"541312140,s-1",
        "event_type",
        "unknown event type 'wishlist'; expected one of cart, purchase, remove_from_cart, view",
    ),
    (
        b"2019-10-01 00:00:01 UTC,view,44600062,2103807459595387724,shiseido,35.79,541312140,s-1",
        "",
        "expected 9 fields, found 8",
    ),
    (
        b"2019-10-01 00:00:01 UTC,view,44600062,2103807459595387724,,shis\xff\xfeeido,3.5,"
        b"5413121,s-1",
        "",
        "not valid UTF-8 (invalid start byte at byte 63)",
    ),
]


def _sample_lines(data_dir: Path, n: int) -> list[bytes]:
    path = data_dir / "rees46-multicategory-sample" / "events.csv.gz"
    with gzip.open(path, "rb") as f:
        return [next(f).rstrip(b"\n") for _ in range(n + 1)]  # header and n rows


@pytest.fixture
def files(tmp_path: Path, data_dir: Path) -> tuple[Path, Path, list[int]]:
    """A clean file of real rows, and the same rows with one bad row of each kind mixed in."""
    lines = _sample_lines(data_dir, 3000)
    clean = tmp_path / "clean.csv"
    clean.write_bytes(b"\n".join(lines) + b"\n")
    dirty_lines = list(lines)
    bad_line_numbers = []
    for k, (bad, _, _) in enumerate(BAD_ROWS):
        position = 1 + 300 * (k + 1)  # after the header, spread over several chunks
        dirty_lines.insert(position, bad)
        bad_line_numbers.append(position + 1)  # 1-based physical line
    dirty = tmp_path / "dirty.csv"
    dirty.write_bytes(b"\n".join(dirty_lines) + b"\n")
    return clean, dirty, bad_line_numbers


def _line_order(graph: dict[str, Any]) -> dict[str, Any]:
    """The graph with each order line's position replaced by its rank among its order's lines.

    Positions are file line numbers, and the dirty file's bad rows shift the lines after them:
    the positions differ from the clean file's, the line order of every order does not.
    """
    positions: dict[Any, list[int]] = {}
    for (start, kind, _), props in graph["relationships"].items():
        if kind == "CONTAINS":
            positions.setdefault(start, []).append(props["position"])
    relationships = {}
    for key, props in graph["relationships"].items():
        if key[1] == "CONTAINS":
            props = {**props, "position": sorted(positions[key[0]]).index(props["position"])}
        relationships[key] = props
    return {**graph, "relationships": relationships}


def test_each_bad_row_kind_is_rejected_with_file_line_field_and_reason(
    shop: ShopGraph,
    settings: Settings,
    files: tuple[Path, Path, list[int]],
    tmp_path: Path,
    graph_dump: Callable[[], Any],
) -> None:
    clean, dirty, bad_lines = files
    rejects_path = tmp_path / "rejects.csv"

    report = shop.load_rees46(dirty, LoadOptions(chunk_size=500, rejects=rejects_path))

    assert report.rows_read == 3000 + len(BAD_ROWS)
    assert report.rows_loaded == 3000
    assert report.rows_rejected == len(BAD_ROWS)
    assert report.rejects_file == rejects_path
    rejects = read_rejects(rejects_path)
    assert [(r.file, r.line, r.field, r.reason) for r in rejects] == [
        (str(dirty), line, field, reason)
        for line, (_, field, reason) in zip(bad_lines, BAD_ROWS, strict=True)
    ]
    assert rejects[0].raw.startswith("2019-10-01 00:00:01 UTC,view,,2103807459595387724")
    assert "\\xff\\xfe" in rejects[-1].raw
    with_rejects = graph_dump()

    wipe(settings)
    shop.load_rees46(clean, LoadOptions(chunk_size=500, rejects=tmp_path / "none.csv"))

    clean_graph = graph_dump()
    assert clean_graph != with_rejects  # positions: the bad rows shift the line numbers
    assert _line_order(clean_graph) == _line_order(with_rejects)
    assert not (tmp_path / "none.csv").exists()


@pytest.mark.parametrize("kind", range(len(BAD_ROWS)))
def test_strict_stops_at_the_first_bad_row_and_writes_nothing(
    shop: ShopGraph, tmp_path: Path, data_dir: Path, kind: int
) -> None:
    lines = _sample_lines(data_dir, 400)
    bad, field, reason = BAD_ROWS[kind]
    path = tmp_path / "one-bad.csv"
    path.write_bytes(b"\n".join([*lines[:300], bad, *lines[300:]]) + b"\n")

    with pytest.raises(BadInputError) as caught:
        shop.load_rees46(path, LoadOptions(strict=True, chunk_size=100))

    assert caught.value.path == path
    assert caught.value.line == 301
    assert caught.value.field == field
    assert caught.value.reason == reason
    where = f"{path}:301" + (f", field {field!r}" if field else "")
    assert str(caught.value) == f"{where}: {reason}"
    assert shop.stats().nodes == 0


def test_strict_mode_keeps_what_was_stored_before(
    shop: ShopGraph, files: tuple[Path, Path, list[int]], graph_dump: Callable[[], Any]
) -> None:
    clean, dirty, _ = files
    shop.load_rees46(clean)
    before = graph_dump()

    with pytest.raises(BadInputError):
        shop.load_rees46(dirty, LoadOptions(strict=True))

    assert graph_dump() == before


def test_missing_file_is_a_clear_error(shop: ShopGraph, tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match=r"nope\.csv: no such file"):
        shop.load_rees46(tmp_path / "nope.csv")
