"""Ingest recordings of real LIVEs into the canonical tables every analysis reads.

``toolkit ingest FILE... --out DIR`` (or :func:`ingest` then :func:`write`) reads recordings
in any of the formats of :mod:`toolkit.recordings.formats`, told apart by their content, and writes

==========================  ===============================================================
``DIR/events.parquet``      the canonical events table (:data:`toolkit.events.EVENTS_SCHEMA`)
``DIR/sessions.parquet``    one row per LIVE (room): start, length, followers, both heart
                            totals, cumulative viewers, how it ended
``DIR/messages.parquet``    every record loaded, decoded and flattened, with its source file
                            and line, server time and receive time (for audits)
``DIR/gifts.parquet``       the gifts seen, with the coin price the recording carries
``DIR/replies.parquet``     the host's chat messages that @-mention a viewer: session, time,
                            the viewer (:data:`toolkit.events.REPLIES_SCHEMA`; empty when the
                            host answers nobody by name, or the format does not say who wrote
                            a chat or whom it mentions)
``DIR/rejected.csv``        every record not loaded: file, line (or item), field, value,
                            reason
``DIR/ingest.json``         the counts: rows read = loaded + rejected, by reason; what each
                            counting rule did
``DIR/dataset.json``        the manifest, written first (incomplete) and last: the tables of
                            this run and their fingerprints (:mod:`toolkit.events.manifest`)
==========================  ===============================================================

The counting rules (:mod:`toolkit.recordings.counting`) turn messages into events: gift streaks counted
once, message ids de-duplicated, a follow reported twice counted once, heart batches kept
beside the room's running total, viewer counts once a minute.

Privacy: viewer ids become salted pseudonyms (HMAC-SHA-256) and names are dropped unless
``keep_ids=True``. The salt is a secret kept *beside* the output folder (``DIR.salt``), never in
it; reusing it gives the same pseudonyms across ingests, so recordings of one creator link up.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import os
import zlib
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import NotRequired, TypedDict

import polars as pl

from toolkit.events import manifest
from toolkit.events.dataset import Dataset
from toolkit.recordings import counting
from toolkit.recordings.formats import (
    INT_FIELDS,
    TEXT_FIELDS,
    Rejected,
    is_java_collector,
    line_format,
    read_connector_line,
    read_java_sample,
    read_own_line,
)
from toolkit.recordings.pseudonyms import pseudonyms

__all__ = [
    "FileReport", "IngestReport", "IngestResult", "ingest", "write", "first_records",
    "summary_lines", "REJECTED_SCHEMA", "MESSAGES_SCHEMA",
]

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


class _Collector:
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
        result.update(file=str(path), line=line, item=item, order=self.order)
        self.rows.append(result)
        if len(self.rows) >= _CHUNK:
            self.flush()

    def reject(self, path: Path, line: int | None, item: str | None, why: Rejected) -> None:
        self.rejected.append({"file": str(path), "line": line, "item": item, "field": why.field,
                              "value": why.value, "reason": why.reason, "detail": why.detail})

    def flush(self) -> None:
        if self.rows:
            self.frames.append(pl.from_dicts(self.rows, schema=MESSAGES_SCHEMA))
            self.rows = []

    def messages(self) -> pl.DataFrame:
        self.flush()
        return pl.concat(self.frames) if self.frames else pl.DataFrame(schema=MESSAGES_SCHEMA)


def _open(path: Path) -> io.BufferedIOBase:
    """The file's bytes, unpacked when it is gzip-compressed (told by its first two bytes)."""
    with path.open("rb") as handle:
        packed = handle.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if packed else path.open("rb")


def _bad_bytes(raw: bytes, error: UnicodeDecodeError) -> Rejected:
    byte = raw[error.start:error.start + 1].hex()
    return Rejected("not UTF-8", "encoding", f"0x{byte}", f"byte {error.start + 1} of the line")


def _read_jsonl(path: Path, into: _Collector) -> int:
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
            kind = line_format(obj)
            if kind == "toolkit-live":
                into.add(path, number, None, read_own_line(obj))
            elif kind == "connector":
                into.add(path, number, None, read_connector_line(obj))
            else:
                what = "not a JSON object" if not isinstance(obj, dict) else "unknown format"
                into.add(path, number, None, Rejected(
                    what, "", raw[:60].decode("utf-8", "replace").strip(),
                    "neither a toolkit-live/1 line nor a tiktok-live-connector event"))
    return rows


def _show_value(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def _read_java(path: Path, document: dict, into: _Collector) -> int:
    rows = 0
    for method, samples in document.items():
        if not isinstance(samples, list):
            rows += 1
            into.add(path, None, method, Rejected("wrong type", method, _show_value(samples),
                                                  "expected a list of samples"))
            continue
        for index, sample in enumerate(samples):
            rows += 1
            into.add(path, None, f"{method}[{index}]", read_java_sample(method, sample))
    return rows


def _sniff(path: Path) -> tuple[str, object]:
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
    if is_java_collector(obj):
        return "java-collector", obj
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


class FileReport(TypedDict):
    """One file in :class:`IngestReport`: ``loaded`` and ``rejected`` once it is counted;
    ``copy_of`` when its bytes are those of a file read before (its records are rejected)."""

    file: str
    format: str
    rows: int
    copy_of: NotRequired[str]
    loaded: NotRequired[int]
    rejected: NotRequired[int]


class IngestReport(TypedDict):
    """The report of :func:`ingest` (written as ``ingest.json``)."""

    rows_read: int
    loaded: int
    rejected: int
    rejected_by_reason: dict[str, int]
    files: list[FileReport]
    repeated_paths: list[str]
    rules: dict[str, int]
    sessions: int
    pseudonymised: bool
    timezone: str


@dataclass(frozen=True)
class IngestResult:
    """What :func:`ingest` made of some recordings.

    Attributes
    ----------
    events, sessions, messages, gifts, replies : polars.DataFrame
        The tables written by :func:`write` (see the module docstring).
    rejected : polars.DataFrame
        Records not loaded (:data:`REJECTED_SCHEMA`).
    report : dict
        ``rows_read``, ``loaded``, ``rejected`` (total and by reason), ``files`` (per file:
        format, rows), ``rules`` (what each counting rule did), ``pseudonymised``.
    """

    events: pl.DataFrame
    sessions: pl.DataFrame
    messages: pl.DataFrame
    gifts: pl.DataFrame
    replies: pl.DataFrame
    rejected: pl.DataFrame
    report: IngestReport = field(repr=False)

    @property
    def dataset(self) -> Dataset:
        """The events, sessions and replies as a :class:`toolkit.events.Dataset` of source
        ``"recorded"`` (tests that need what only the platform knows skip, saying why)."""
        return Dataset.from_tables(events=self.events, sessions=self.sessions,
                                   replies=self.replies, source="recorded", name="recording")


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


def ingest(paths: list[str | Path], *, keep_ids: bool = False, salt: bytes | None = None,
           timezone: str = "UTC", now: dt.datetime | None = None) -> IngestResult:
    """Read recordings into the canonical tables (nothing is written; see :func:`write`).

    Parameters
    ----------
    paths : list of str or Path
        Recording files, in any mix of the supported formats.
    keep_ids : bool
        Keep viewers' numeric ids, handles and nicknames, and the room and streamer ids. The
        default replaces them with salted pseudonyms and drops names.
    salt : bytes, optional
        Secret for the pseudonyms; required unless ``keep_ids``.
    timezone : str
        IANA zone for the sessions' local start ``hour`` (server times stay in UTC).
    now : datetime, optional
        Latest plausible server time (default: the clock, plus one day).

    Returns
    -------
    IngestResult
    """
    if not keep_ids and salt is None:
        raise ValueError("pseudonyms need a salt (see read_salt), or pass keep_ids=True")
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {timezone!r} (use an IANA name such as "
                         "'Europe/Lisbon' or 'UTC')") from None
    collector = _Collector()
    files: list[FileReport] = []
    given: list[Path] = []
    repeated: list[str] = []
    for path in map(Path, paths):
        if path.is_dir():
            raise ValueError(f"{path}: is a folder; give the recording files (e.g. {path}/*)")
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such recording")
        if any(path.samefile(other) for other in given):  # one file, named twice
            repeated.append(str(path))
            continue
        given.append(path)
    digests: dict[str, str] = {}
    for path in given:
        digest = _digest(path)
        first = digests.setdefault(digest, str(path))
        collector.copy_of = None if first == str(path) else Rejected(
            "duplicate file", "", "", f"the same bytes as {first}, read already")
        kind, document = _sniff(path)
        if kind == "java-collector":
            rows = _read_java(path, document, collector)  # type: ignore[arg-type]
        elif kind == "broken-java":  # one record: the whole file, with where it breaks
            rows = 1
            collector.add(path, None, None, Rejected(
                "malformed JSON", "", "", f"a Java collector file that does not parse as a "
                f"whole (cut off while written?): {document}"))
            kind = "java-collector"
        elif kind == "jsonl":
            rows = _read_jsonl(path, collector)
        else:
            rows = 0
        files.append({"file": str(path), "format": kind, "rows": rows})
        if collector.copy_of is not None:
            files[-1]["copy_of"] = first
    collector.copy_of = None
    messages = collector.messages()
    rejected = pl.DataFrame(collector.rejected, schema=REJECTED_SCHEMA, orient="row")
    for info in files:  # the line formats by what the file's loaded lines say
        formats = messages.filter(pl.col("file") == info["file"])["format"].unique().sort()
        if info["format"] == "jsonl":
            info["format"] = ", ".join(f for f in formats.to_list() if f) or "unknown"

    now = now or dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    checked, problems = counting.check_messages(messages, now)
    rejected = pl.concat([rejected, problems.select(list(REJECTED_SCHEMA))])
    tables = counting.count(checked, timezone, file_keys=_file_keys(given))
    rejected = pl.concat([rejected, tables.duplicates.select(list(REJECTED_SCHEMA))])
    loaded = tables.messages

    if not keep_ids:
        assert salt is not None
        loaded = loaded.with_columns(
            user=pseudonyms(loaded["user"], salt, "u"),
            reply_to=pseudonyms(loaded["reply_to"], salt, "u"),
            session_id=pseudonyms(loaded["session_id"], salt, "s"),
            streamer=pseudonyms(loaded["streamer"], salt, "c"),
        ).drop("user_id", "unique_id", "nickname", "room_id", "at_user_id", "at_unique_id")
    events = counting.events_from(loaded)
    sessions = counting.sessions_from(loaded, events, timezone)
    if not keep_ids:  # values that may hold a person's id, handle, name or text
        sensitive = ["", "user_id", "unique_id", "nickname", "streamer", "user", "data",
                     "sample", "eventData", "raw_b64"]
        rejected = rejected.with_columns(
            value=pl.when(pl.col("field").is_in(sensitive) & (pl.col("value") != ""))
            .then(pl.lit("(hidden: may identify a person; --keep-ids shows it)"))
            .otherwise(pl.col("value")))
    per_file = (loaded.group_by("file").len("loaded")
                .join(rejected.group_by("file").len("rejected"), on="file", how="full",
                      coalesce=True).fill_null(0))
    for info in files:
        match = per_file.filter(pl.col("file") == info["file"])
        info["loaded"] = int(match["loaded"].sum())
        info["rejected"] = int(match["rejected"].sum())
    reasons = Counter(rejected["reason"].to_list())
    report: IngestReport = {
        "rows_read": sum(f["rows"] for f in files),
        "loaded": loaded.height,
        "rejected": rejected.height,
        "rejected_by_reason": dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        "files": files,
        "repeated_paths": repeated,
        "rules": counting.rule_counts(loaded, events),
        "sessions": sessions.height,
        "pseudonymised": not keep_ids,
        "timezone": timezone,
    }
    assert report["rows_read"] == report["loaded"] + report["rejected"], report
    return IngestResult(events, sessions, loaded.sort("order"), counting.gifts_seen(loaded),
                        counting.replies_from(loaded),
                        rejected.sort("file", "line", "item", nulls_last=True), report)


def _digest(path: Path) -> str:
    """SHA-256 of a file's bytes (as stored: a gzip file and its unpacked text differ)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _file_keys(paths: list[Path]) -> dict[str, str]:
    """Each file's name for a session key: its path from the folder all the files share
    (``alice/live.jsonl``, ``bob/live.jsonl``; a lone file's own name), so that two files of
    one name in different folders are two LIVEs wherever the folders lie."""
    if not paths:
        return {}
    resolved = [p.resolve() for p in paths]
    common = Path(os.path.commonpath([r.parent for r in resolved]))
    return {str(p): r.relative_to(common).as_posix() for p, r in zip(paths, resolved,
                                                                      strict=True)}


def write(result: IngestResult, out: str | Path, tables: bool = True) -> dict[str, Path]:
    """Write the tables of ``result`` into the folder ``out``; returns the paths by table.

    With ``tables=False`` only ``rejected.csv`` and ``ingest.json`` are written (what the
    command does when nothing could be loaded, so the reasons can be read).
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out}: exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    manifest.begin(out, "recorded", "toolkit ingest")
    names: tuple[str, ...] = ("events", "sessions", "messages", "gifts", "replies")
    if not tables:  # tables of an earlier run must not pass for this one's
        for name in names:
            (out / f"{name}.parquet").unlink(missing_ok=True)
        names = ()
    paths = {name: out / f"{name}.parquet" for name in names}
    for name, path in paths.items():
        with manifest.atomic_file(path) as partial:
            getattr(result, name).write_parquet(partial)
    paths["rejected"] = out / "rejected.csv"
    with manifest.atomic_file(paths["rejected"]) as partial:
        result.rejected.write_csv(partial)
    paths["report"] = out / "ingest.json"
    with manifest.atomic_file(paths["report"]) as partial:
        partial.write_text(json.dumps(result.report, indent=2, ensure_ascii=False) + "\n",
                           encoding="utf-8")
    # the dataset's tables (messages and gifts are for audits: not tables of a Dataset)
    manifest.finish(out, "recorded", "toolkit ingest",
                    {n: paths[n] for n in ("events", "sessions", "replies") if n in paths})
    return paths


def summary_lines(report: IngestReport) -> list[str]:
    """The report as the lines ``toolkit ingest`` prints."""
    lines = [f"read {report['rows_read']:,} records from {len(report['files'])} file(s) = "
             f"loaded {report['loaded']:,} + rejected {report['rejected']:,}"]
    for path in report.get("repeated_paths", []):
        lines.append(f"  {Path(path).name}: given more than once, read once")
    for info in report["files"]:
        note = "  (empty file)" if info["rows"] == 0 else ""
        if "copy_of" in info:
            note += f"  (the same bytes as {Path(info['copy_of']).name}: every record rejected)"
        lines.append(f"  {Path(info['file']).name}: {info['format']}, {info['rows']:,} "
                     f"records{note}" + (f" ({info['rejected']:,} rejected)"
                                         if info.get("rejected") else ""))
    for reason, count in report["rejected_by_reason"].items():
        lines.append(f"  rejected, {reason}: {count:,}")
    rules = report["rules"]
    lines.append(f"events: {rules['events']:,} rows in {report['sessions']} session(s)")
    lines.extend(f"  {text}" for text in counting.describe_rules(rules))
    return lines
