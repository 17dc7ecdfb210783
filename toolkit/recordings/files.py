"""Reading one recording file's records: JSON Lines, a Java collector's document, gzip or
not, told apart by content (:mod:`toolkit.recordings.formats` reads each record).

Every line or object of a file is counted as a record, and every record becomes a message or
a rejection (:class:`Collector`), whatever goes wrong while it is read: one record is
rejected, never the file. :mod:`toolkit.recordings.reader` runs these over the files given
and counts the messages into tables.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import zlib
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from toolkit.recordings.formats import (
    INT_FIELDS,
    TEXT_FIELDS,
    Rejected,
    is_java_collector,
    line_format,
    read_connector_line,
    read_java_sample,
    read_own_line,
    shown,
    unreadable,
)

__all__ = ["REJECTED_SCHEMA", "MESSAGES_SCHEMA", "MAX_LINE_BYTES", "MAX_FILE_BYTES",
           "MAX_DOCUMENT_BYTES", "Collector", "name_of", "lines", "read_jsonl", "read_java",
           "sniff", "digest", "first_records"]

#: Columns of the rejected table.
REJECTED_SCHEMA: dict[str, pl.DataType] = {
    "file": pl.String(), "line": pl.Int64(), "item": pl.String(), "field": pl.String(),
    "value": pl.String(), "reason": pl.String(), "detail": pl.String(),
}
#: Columns of the messages table as read (before pseudonyms and counting rules).
MESSAGES_SCHEMA: dict[str, pl.DataType] = {
    "file": pl.String(), "line": pl.Int64(), "item": pl.String(), "order": pl.Int64(),
    **{name: pl.String() for name in TEXT_FIELDS},
    **{name: pl.Int64() for name in INT_FIELDS},
}
_CHUNK = 100_000  # records held as Python lists before they become a polars frame
#: The longest line read (64 MiB): a longer one is rejected as ``line too long`` unread.
MAX_LINE_BYTES = 64 * 2**20
#: The most bytes read from one file, unpacked (16 GiB; a two-hour LIVE of a million messages
#: is about 1 GB): the rest is rejected as one ``file too large`` record.
MAX_FILE_BYTES = 16 * 2**30
#: The largest file read as one JSON document (a Java collector's file): 1 GiB unpacked.
MAX_DOCUMENT_BYTES = 2**30
_CHUNK_BYTES = 1 << 16
_NONBLANK = re.compile(rb"[^ \t\r\n\f\v]")


class Collector:
    """Messages and rejections of the records read so far, in reading order."""

    def __init__(self) -> None:
        self.rows: list[dict[str, object]] = []
        self.frames: list[pl.DataFrame] = []
        self.rejected: list[dict[str, object]] = []
        self.order = 0
        #: While set, every record read is rejected with this reason (a file read twice).
        self.copy_of: Rejected | None = None

    def add(self, path: Path, line: int | None, item: str | None,
            result: dict[str, object] | Rejected) -> None:
        self.order += 1
        if self.copy_of is not None:
            result = self.copy_of
        if isinstance(result, Rejected):
            self.reject(path, line, item, result)
            return
        result.update(file=name_of(path), line=line, item=item, order=self.order)
        self.rows.append(result)
        if len(self.rows) >= _CHUNK:
            self.flush()

    def reject(self, path: Path, line: int | None, item: str | None, why: Rejected) -> None:
        self.rejected.append({"file": name_of(path), "line": line, "item": item, "field": why.field,
                              "value": why.value, "reason": why.reason, "detail": why.detail})

    def flush(self) -> None:
        if self.rows:
            self.frames.append(pl.from_dicts(self.rows, schema=MESSAGES_SCHEMA))
            self.rows = []

    def messages(self) -> pl.DataFrame:
        self.flush()
        return pl.concat(self.frames) if self.frames else pl.DataFrame(schema=MESSAGES_SCHEMA)


def name_of(path: Path | str) -> str:
    """A file's path as text that any table or report can hold: a name that is not UTF-8
    (possible on Linux) keeps its odd bytes as escapes (``caf\\xe9.jsonl``)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _open(path: Path) -> io.BufferedIOBase:
    """The file's bytes, unpacked when it is gzip-compressed (told by its first two bytes)."""
    with path.open("rb") as handle:
        packed = handle.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if packed else path.open("rb")


def _bad_bytes(raw: bytes, error: UnicodeDecodeError) -> Rejected:
    byte = raw[error.start:error.start + 1].hex()
    return Rejected("not UTF-8", "encoding", f"0x{byte}", f"byte {error.start + 1} of the line")


def lines(handle: io.BufferedIOBase, max_line: int | None = None, max_file: int | None = None
          ) -> Iterator[tuple[int, bytes | Rejected]]:
    """``(line number, bytes)`` of every non-blank line of an open file, read in chunks.

    Runs of blank lines are skipped in one step each (a gzip file of a gigabyte of newlines
    takes about a second, not minutes); a line longer than ``max_line`` bytes (default
    :data:`MAX_LINE_BYTES`) comes as a ``line too long`` :class:`Rejected`, never held in
    memory; past ``max_file`` unpacked bytes (default :data:`MAX_FILE_BYTES`), or where a
    compressed file ends early or is damaged, a last :class:`Rejected` says why the rest was
    not read. Leading blanks of a line may be left out (JSON does not mind).
    """
    max_line = MAX_LINE_BYTES if max_line is None else max_line
    max_file = MAX_FILE_BYTES if max_file is None else max_file
    number, total, overlong = 1, 0, -1  # overlong: the length so far of a line skipped
    pending = bytearray()
    while True:
        try:
            chunk = handle.read1(_CHUNK_BYTES)  # read1: what a cut gzip file gave up to the cut
        except EOFError as error:  # a gzip file cut off
            yield number, Rejected("truncated last line", "", "",
                                   f"the compressed file ends early: {error}")
            return
        except (OSError, zlib.error) as error:  # a gzip file damaged inside
            yield number, Rejected("damaged compressed file", "", "",
                                   f"cannot unpack from here on: {error}")
            return
        if not chunk:
            break
        total += len(chunk)
        if total > max_file:
            yield number, Rejected("file too large", "", "",
                                   f"unpacks to more than {max_file:,} bytes: the rest of the "
                                   "file is not read")
            return
        start, size = 0, len(chunk)
        while start < size:
            if not pending and overlong < 0:  # between lines: skip the blank ones at once
                found = _NONBLANK.search(chunk, start)
                if found is None:
                    number += chunk.count(b"\n", start)
                    break
                begin = max(start, chunk.rfind(b"\n", start, found.start()) + 1)
                number += chunk.count(b"\n", start, begin)
                start = begin
            end = chunk.find(b"\n", start)
            stop = size if end < 0 else end + 1
            if overlong >= 0:
                overlong += stop - start
            else:
                pending += chunk[start:stop]
                if len(pending) > max_line:
                    overlong, pending = len(pending), bytearray()
            start = stop
            if end < 0:
                break
            if overlong >= 0:
                yield number, _too_long(overlong, max_line)
                overlong = -1
            elif pending.strip():
                yield number, bytes(pending)
            pending.clear()
            number += 1
    if overlong >= 0:
        yield number, _too_long(overlong, max_line)
    elif pending.strip():
        yield number, bytes(pending)


def _too_long(length: int, limit: int) -> Rejected:
    return Rejected("line too long", "", "", f"{length:,} bytes or more, above the limit of "
                    f"{limit:,}: skipped without being read")


def read_jsonl(path: Path, into: Collector) -> int:
    """Every non-blank line of a JSON Lines recording; the number of records read."""
    rows = 0
    with _open(path) as handle:
        for number, raw in lines(handle):
            rows += 1
            if isinstance(raw, Rejected):
                into.add(path, number, None, raw)
                continue
            complete = raw.endswith(b"\n")
            try:
                obj = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as error:
                into.add(path, number, None, _bad_bytes(raw, error))
                continue
            except (ValueError, RecursionError) as error:  # also numbers of > 4,300 digits
                reason = "truncated last line" if not complete else "malformed JSON"
                into.add(path, number, None, Rejected(reason, "", shown(raw[:60].decode(
                    "utf-8", "replace")), shown(str(error), 200)))
                continue
            if is_java_collector(obj):  # a Java collector's object on one line: its samples
                rows += read_java(path, obj, into, line=number) - 1
                continue
            try:
                record = _line_record(obj, raw)
            except Exception as error:  # noqa: BLE001 - one record is rejected, not the file
                record = unreadable(error)
            into.add(path, number, None, record)
    return rows


def _line_record(obj: object, raw: bytes) -> dict[str, object] | Rejected:
    """One parsed JSON line as a message, or why it is not one."""
    kind = line_format(obj)
    if kind == "toolkit-live":
        return read_own_line(obj)  # type: ignore[arg-type]
    if kind == "connector":
        return read_connector_line(obj)  # type: ignore[arg-type]
    what = "not a JSON object" if not isinstance(obj, dict) else "unknown format"
    return Rejected(what, "", shown(raw[:60].decode("utf-8", "replace").strip()),
                    "neither a toolkit-live/1 line nor a tiktok-live-connector event")


def read_java(path: Path, document: dict, into: Collector, line: int | None = None) -> int:
    """The samples of a Java collector's document (a whole file, or one line of a JSON Lines
    file, then ``line``); the number of records read."""
    rows = 0
    for method, samples in document.items():
        name = shown(method, 200)
        if not isinstance(samples, list):
            rows += 1
            into.add(path, line, name, Rejected("wrong type", name, shown(samples),
                                                "expected a list of samples"))
            continue
        for index, sample in enumerate(samples):
            rows += 1
            into.add(path, line, f"{name}[{index}]", read_java_sample(method, sample))
    return rows


def sniff(path: Path) -> tuple[str, object]:
    """``("empty", None)``, ``("java-collector", document)``, ``("broken-java", why)`` or
    ``("jsonl", None)``."""
    first, second = _first_lines(path, 2)
    if first is None:
        return "empty", None
    if isinstance(first, Rejected):  # a damaged or huge start: the line reader reports it
        return "jsonl", None
    try:
        obj = json.loads(first.decode("utf-8"))
    except (ValueError, RecursionError):
        obj = None
    if is_java_collector(obj):  # a whole file, unless other lines follow (then JSON Lines)
        return ("jsonl", None) if second is not None else ("java-collector", obj)
    if obj is None and first.lstrip().startswith(b"{"):  # perhaps one pretty-printed object
        with _open(path) as handle:
            try:
                text = handle.read(MAX_DOCUMENT_BYTES + 1)
            except (EOFError, OSError, zlib.error):
                return "jsonl", None
        if len(text) > MAX_DOCUMENT_BYTES:
            if b'"eventData"' in text[:65536]:
                return "broken-java", (f"larger than {MAX_DOCUMENT_BYTES:,} bytes unpacked, "
                                       "the limit for a file that is one JSON document")
            return "jsonl", None
        try:
            document = json.loads(text.decode("utf-8"))
        except (ValueError, RecursionError) as error:
            if b'"eventData"' in text[:65536]:  # a Java collector file, cut or broken
                return "broken-java", error
            return "jsonl", None
        if is_java_collector(document):
            return "java-collector", document
    return "jsonl", None


def _first_lines(path: Path, n: int) -> list[bytes | Rejected | None]:
    """The first ``n`` non-blank lines (a :class:`Rejected` for one that cannot be read;
    None where there are fewer)."""
    found: list[bytes | Rejected | None] = []
    with _open(path) as handle:
        for _, raw in lines(handle):
            found.append(raw)
            if len(found) == n:
                break
    return found + [None] * (n - len(found))


def first_records(path: str | Path, n: int = 1, width: int = 240) -> list[str]:
    """The first ``n`` non-blank lines of a recording as text (gzip unpacked), each cut to
    ``width`` characters: a look at the raw format."""
    shown_lines: list[str] = []
    for raw in _first_lines(Path(path), n):
        if isinstance(raw, bytes):
            text = raw.decode("utf-8", "replace").rstrip()
            shown_lines.append(text if len(text) <= width else text[:width - 3] + "...")
    return shown_lines


def digest(path: Path) -> str:
    """SHA-256 of a file's bytes (as stored: a gzip file and its unpacked text differ)."""
    hashed = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            hashed.update(block)
    return hashed.hexdigest()
