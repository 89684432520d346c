"""Input files as streams of validated events and rejects, cut into deterministic chunks.

An :class:`EventSource` reads one file (plain or gzip, any size) row by row and yields an
:class:`~shopgraph.loaders.records.Event` or a :class:`~shopgraph.loaders.records.Reject`
per row, in file order. :meth:`EventSource.chunks` groups a fixed number of rows into a
:class:`ParsedChunk` with its aggregated :class:`~shopgraph.loaders.batch.GraphBatch`; the
same file and chunk size always give the same chunks, which is what makes loads resumable.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, cast

from shopgraph.core.errors import BadInputError
from shopgraph.loaders.batch import BatchBuilder, CatalogCache, GraphBatch
from shopgraph.loaders.records import Event, EventGroup, Reject

__all__ = ["EventSource", "ParsedChunk", "RejectWriter", "TextRows", "read_rejects"]

_GZIP_MAGIC = b"\x1f\x8b"
_RAW_LIMIT = 300


@dataclass
class ParsedChunk:
    """One chunk of rows, parsed and aggregated.

    Attributes:
        index: 0-based chunk number.
        batch: The rows of the graph writes for the chunk's good rows.
        rows_read: Rows in the chunk (good and rejected; blank lines are not rows).
        rows_loaded: Good rows.
        rejects: The rejected rows, in file order.
        position: Bytes of the file consumed so far (compressed bytes for gzip).
    """

    index: int
    batch: GraphBatch
    rows_read: int
    rows_loaded: int
    rejects: list[Reject]
    position: int


class EventSource(ABC):
    """A file of shop events (or order lines) read row by row.

    Args:
        path: The file; gzip is recognised by its magic bytes, not its name.

    Raises:
        BadInputError: When the file does not exist or cannot be read.
    """

    #: Short name of the loader, stored on the load's bookkeeping node.
    kind: str = ""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise BadInputError("no such file", path=self.path)
        self.size = self.path.stat().st_size

    @abstractmethod
    def describe(self) -> dict[str, str]:
        """Options that change what the file loads as; part of the load's identity."""

    @abstractmethod
    def records(self) -> Iterator[Event | EventGroup | Reject]:
        """Yields one event, group of events or reject per row, in file order."""

    @property
    @abstractmethod
    def position(self) -> int:
        """Bytes consumed by :meth:`records` so far."""

    def fingerprint(self) -> str:
        """The load identity: SHA-256 of the file's bytes, the loader kind and its options."""
        digest = hashlib.sha256()
        with self.path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        content = digest.hexdigest()
        options = json.dumps({"kind": self.kind, **self.describe()}, sort_keys=True)
        return hashlib.sha256(f"{content}\n{options}".encode()).hexdigest()

    def chunks(self, chunk_size: int, *, strict: bool = False) -> Iterator[ParsedChunk]:
        """Yields the file in chunks of ``chunk_size`` rows.

        Args:
            chunk_size: Rows per chunk (the last chunk may be shorter).
            strict: Raise at the first bad row instead of collecting it as a reject.

        Raises:
            ValueError: When ``chunk_size`` is not positive.
            BadInputError: In strict mode, for the first bad row (file, line, field, reason).
        """
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be at least 1, got {chunk_size}.")
        index = 0
        cache = CatalogCache()
        builder = BatchBuilder(self.kind)
        rows = loaded = 0
        rejects: list[Reject] = []
        for record in self.records():
            rows += 1
            if isinstance(record, Reject):
                if strict:
                    raise BadInputError(
                        record.reason, path=self.path, line=record.line, field=record.field
                    )
                rejects.append(record)
            elif isinstance(record, EventGroup):
                for event in record:
                    builder.add(event)
                loaded += 1
            else:
                builder.add(record)
                loaded += 1
            if rows == chunk_size:
                yield ParsedChunk(index, builder.build(cache), rows, loaded, rejects, self.position)
                index += 1
                builder = BatchBuilder(self.kind)
                rows = loaded = 0
                rejects = []
        if rows:
            yield ParsedChunk(index, builder.build(cache), rows, loaded, rejects, self.position)


class TextRows:
    """Delimited rows of a plain or gzip text file, with physical line numbers.

    Lines that are not UTF-8 and rows the CSV parser rejects come out as rejects; the
    rest come out as ``(line, fields)``. Blank lines are skipped.
    """

    def __init__(self, path: Path, delimiter: str) -> None:
        self.path = path
        self.delimiter = delimiter
        self._raw: IO[bytes] = path.open("rb")
        magic = self._raw.read(2)
        self._raw.seek(0)
        self._stream: IO[bytes] = self._raw
        if magic == _GZIP_MAGIC:
            self._stream = cast(IO[bytes], gzip.GzipFile(fileobj=self._raw, mode="rb"))
        self.line = 0
        self._end = 0

    @property
    def position(self) -> int:
        return self._end if self._raw.closed else self._raw.tell()

    def __enter__(self) -> TextRows:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._end = self._raw.tell()
        self._stream.close()
        self._raw.close()

    def rows(self) -> Iterator[tuple[int, list[str]] | Reject]:
        """Yields ``(line, fields)`` per row, or a reject for an undecodable or malformed one.

        ``line`` is the row's first physical line. Lines without a quote character are split
        directly (fast path); quoted fields may span lines as in RFC 4180.
        """
        delimiter = self.delimiter
        pending: list[str] = []
        start = 0
        try:
            for number, raw in enumerate(self._stream, start=1):
                self.line = number
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as e:
                    yield self.reject(
                        number,
                        "",
                        f"not valid UTF-8 ({e.reason} at byte {e.start})",
                        raw.decode("utf-8", errors="backslashreplace").rstrip("\r\n"),
                    )
                    continue
                if not pending and '"' not in text:
                    text = text.rstrip("\r\n")
                    if text:
                        yield number, text.split(delimiter)
                    continue
                if not pending:
                    start = number
                pending.append(text)
                parsed = self._parse_quoted("".join(pending))
                if parsed is None:
                    continue  # a quoted field goes on in the next line
                pending = []
                if isinstance(parsed, str):
                    yield self.reject(start, "", parsed, text.rstrip("\r\n"))
                elif parsed:
                    yield start, parsed
        except (EOFError, gzip.BadGzipFile, OSError) as e:
            raise BadInputError(f"the file is truncated or corrupt ({e})", path=self.path) from e
        if pending:
            yield self.reject(start, "", "unterminated quoted field at the end of the file", "")

    def _parse_quoted(self, text: str) -> list[str] | str | None:
        """Parses one CSV record: its fields, an error message, or None if it continues."""
        try:
            records = list(csv.reader(io.StringIO(text), delimiter=self.delimiter, strict=True))
        except csv.Error as e:
            if "unexpected end of data" in str(e) or "EOF inside string" in str(e):
                return None
            return f"malformed CSV row ({e})"
        if len(records) > 1:
            return None if text.count('"') % 2 else "malformed CSV row (stray line break)"
        return records[0] if records else []

    def reject(self, line: int, field: str, reason: str, raw: str) -> Reject:
        return Reject(str(self.path), line, field, reason, raw[:_RAW_LIMIT])


class RejectWriter:
    """Writes rejects to a CSV file (``file,line,field,reason,raw``) as they come.

    The file is created, or emptied, when opened; when no reject was written it is removed on
    close, so its presence means the load rejected rows.
    """

    HEADER = ("file", "line", "field", "reason", "raw")

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._file)
        self._writer.writerow(self.HEADER)

    def __enter__(self) -> RejectWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def write(self, rejects: list[Reject]) -> None:
        self._writer.writerows(rejects)
        self.count += len(rejects)

    def close(self) -> None:
        if self._file.closed:
            return
        self._file.close()
        if self.count == 0:
            self.path.unlink(missing_ok=True)


def read_rejects(path: Path) -> list[Reject]:
    """Reads a reject file back (for tests and reports)."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return [Reject(r[0], int(r[1]), r[2], r[3], r[4]) for r in rows[1:]]
