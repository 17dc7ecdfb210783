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
import zlib
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

__all__ = ["REJECTED_SCHEMA", "MESSAGES_SCHEMA", "Collector", "name_of", "read_jsonl",
           "read_java", "sniff", "digest", "first_records"]

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


def read_jsonl(path: Path, into: Collector) -> int:
    """Every non-blank line of a JSON Lines recording; the number of records read."""
    rows, number = 0, 0
    with _open(path) as handle:
        lines = enumerate(handle, start=1)
        while True:
            try:
                number, raw = next(lines)
            except StopIteration:
                break
            except EOFError as error:  # a gzip file cut off
                rows += 1
                into.add(path, number + 1, None, Rejected(
                    "truncated last line", "", "", f"the compressed file ends early: {error}"))
                break
            except (OSError, zlib.error) as error:  # a gzip file damaged inside
                rows += 1
                into.add(path, number + 1, None, Rejected(
                    "damaged compressed file", "", "", f"cannot unpack from here on: {error}"))
                break
            if not raw.strip():
                continue
            rows += 1
            complete = raw.endswith(b"\n")
            try:
                obj = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as error:
                into.add(path, number, None, _bad_bytes(raw, error))
                continue
            except (ValueError, RecursionError) as error:  # also numbers of > 4,300 digits
                reason = "truncated last line" if not complete else "malformed JSON"
                into.add(path, number, None, Rejected(reason, "", raw[:60].decode(
                    "utf-8", "replace"), str(error)))
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
    """``("empty", None)``, ``("java-collector", document)`` or ``("jsonl", None)``."""
    first = b""
    with _open(path) as handle:
        try:
            for raw in handle:
                if raw.strip():
                    first = raw
                    break
        except (EOFError, OSError, zlib.error):  # damaged gzip: the line reader reports it
            return "jsonl", None
    if not first:
        return "empty", None
    try:
        obj = json.loads(first.decode("utf-8"))
    except (ValueError, RecursionError):
        obj = None
    if is_java_collector(obj):  # a whole file, unless other lines follow (then JSON Lines)
        return ("jsonl", None) if _more_lines(path, first) else ("java-collector", obj)
    if obj is None and first.lstrip().startswith(b"{"):  # perhaps one pretty-printed object
        with _open(path) as handle:
            try:
                text = handle.read()
            except (EOFError, OSError, zlib.error):
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


def _more_lines(path: Path, first: bytes) -> bool:
    """Whether a non-blank line follows the first non-blank line ``first``."""
    with _open(path) as handle:
        seen = False
        try:
            for raw in handle:
                if seen and raw.strip():
                    return True
                seen = seen or raw == first
        except (EOFError, OSError, zlib.error):
            return True  # damaged after the first line: the line reader reports where
    return False


def first_records(path: str | Path, n: int = 1, width: int = 240) -> list[str]:
    """The first ``n`` non-blank lines of a recording as text (gzip unpacked), each cut to
    ``width`` characters: a look at the raw format."""
    lines: list[str] = []
    with _open(Path(path)) as handle:
        for raw in handle:
            if raw.strip():
                text = raw.decode("utf-8", "replace").rstrip()
                lines.append(text if len(text) <= width else text[:width - 3] + "...")
                if len(lines) == n:
                    break
    return lines


def digest(path: Path) -> str:
    """SHA-256 of a file's bytes (as stored: a gzip file and its unpacked text differ)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
