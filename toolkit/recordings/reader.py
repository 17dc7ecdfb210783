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
``DIR/dataset.json``        the manifest, written last (every file is staged, then moved):
                            this run's tables and their fingerprints
                            (:mod:`toolkit.events.manifest`)
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
import json
import os
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import NotRequired, TypedDict

import polars as pl

from toolkit.events import manifest
from toolkit.events.dataset import Dataset
from toolkit.recordings import counting
from toolkit.recordings.files import (
    MESSAGES_SCHEMA,
    REJECTED_SCHEMA,
    Collector,
    digest,
    first_records,
    name_of,
    read_java,
    read_jsonl,
    sniff,
)
from toolkit.recordings.formats import Rejected, shown
from toolkit.recordings.pseudonyms import pseudonyms

__all__ = [
    "FileReport", "IngestReport", "IngestResult", "ingest", "write", "first_records",
    "summary_lines", "REJECTED_SCHEMA", "MESSAGES_SCHEMA",
]


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
    collector = Collector()
    files: list[FileReport] = []
    given: list[Path] = []
    repeated: list[str] = []
    for path in map(Path, paths):
        if path.is_dir():
            raise ValueError(f"{path}: is a folder; give the recording files (e.g. {path}/*)")
        if path.exists() and not path.is_file():  # a pipe (<(...)), a device or a FIFO
            raise ValueError(f"{path}: not a regular file (a pipe or device); save the "
                             "recording to a file first")
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such recording")
        if any(path.samefile(other) for other in given):  # one file, named twice
            repeated.append(name_of(path))
            continue
        given.append(path)
    digests: dict[str, str] = {}
    for path in given:
        first = digests.setdefault(digest(path), name_of(path))
        collector.copy_of = None if first == name_of(path) else Rejected(
            "duplicate file", "", "", f"the same bytes as {first}, read already")
        kind, document = sniff(path)
        if kind == "java-collector":
            rows = read_java(path, document, collector)  # type: ignore[arg-type]
        elif kind == "broken-java":  # one record: the whole file, with where it breaks
            rows = 1
            collector.add(path, None, None, Rejected(
                "malformed JSON", "", "", f"a Java collector file that does not parse as a "
                f"whole (cut off while written?): {document}"))
            kind = "java-collector"
        elif kind == "jsonl":
            rows = read_jsonl(path, collector)
        else:
            rows = 0
        files.append({"file": name_of(path), "format": kind, "rows": rows})
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


def _file_keys(paths: list[Path]) -> dict[str, str]:
    """Each file's name for a session key: its path from the folder all the files share
    (``alice/live.jsonl``, ``bob/live.jsonl``; a lone file's own name), so that two files of
    one name in different folders are two LIVEs wherever the folders lie."""
    if not paths:
        return {}
    resolved = [p.resolve() for p in paths]
    common = Path(os.path.commonpath([r.parent for r in resolved]))
    return {name_of(p): name_of(r.relative_to(common).as_posix())
            for p, r in zip(paths, resolved, strict=True)}


_COMMAND = "toolkit ingest"
_REPORTS = ("rejected.csv", "ingest.json", manifest.MANIFEST)


def _check_output(out: Path, result: IngestResult, tables: list[str]) -> None:
    """Refuse an output folder whose files this command did not write (another command's
    dataset, a user's tables) and one that holds an input under an output's name: ingest
    overwrites and removes only what an earlier ``toolkit ingest`` wrote there."""
    if not out.is_dir():
        return
    inputs = [f["file"] for f in result.report["files"]] + result.report["repeated_paths"]
    for name in (*tables, *_REPORTS):
        target = out / name
        if target.exists() and any(Path(i).exists() and target.samefile(i) for i in inputs):
            raise ValueError(f"{target} is one of the inputs: toolkit ingest would overwrite "
                             "it; write to another folder (--out)")
    manifest.refuse_foreign(out, _COMMAND, [*tables, *_REPORTS], marker="ingest.json",
                            keys=("rows_read", "loaded", "rejected"))


def write(result: IngestResult, out: str | Path, tables: bool = True) -> dict[str, Path]:
    """Write the tables of ``result`` into the folder ``out``; returns the paths by table.

    With ``tables=False`` only ``rejected.csv`` and ``ingest.json`` are written (what the
    command does when nothing could be loaded, so the reasons can be read), and the tables
    of an earlier ingest into ``out`` are removed. ``out`` must be new, empty of tables, or
    an earlier ingest's folder; an input lying in ``out`` under an output's name is refused
    (:class:`ValueError`), so no input and nothing another command wrote is overwritten.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out}: exists and is not a folder")
    names: tuple[str, ...] = ("events", "sessions", "messages", "gifts", "replies")
    _check_output(out, result, [f"{n}.parquet" for n in names])
    out.mkdir(parents=True, exist_ok=True)
    with manifest.staging(out) as stage:  # nothing is moved into place before all is written
        paths = {name: out / f"{name}.parquet" for name in names} if tables else {}
        for name, path in paths.items():
            getattr(result, name).write_parquet(stage.path(path.name))
        paths["rejected"] = out / "rejected.csv"
        manifest.write_report_csv(result.rejected, paths["rejected"], stage.path("rejected.csv"))
        paths["report"] = out / "ingest.json"
        stage.path("ingest.json").write_text(
            json.dumps(result.report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        # the dataset's tables (messages and gifts are for audits: not tables of a Dataset)
        stage.commit("recorded", _COMMAND,
                     {n: paths[n] for n in ("events", "sessions", "replies") if n in paths})
    if not tables:  # tables of an earlier ingest must not lie beside this run's report
        for name in names:
            (out / f"{name}.parquet").unlink(missing_ok=True)
    return paths


def _shown_name(file: str) -> str:
    """A file's name for a printed line (a newline in it must not start a line of its own)."""
    return shown(Path(file).name, 200)


def summary_lines(report: IngestReport) -> list[str]:
    """The report as the lines ``toolkit ingest`` prints."""
    lines = [f"read {report['rows_read']:,} records from {len(report['files'])} file(s) = "
             f"loaded {report['loaded']:,} + rejected {report['rejected']:,}"]
    for path in report.get("repeated_paths", []):
        lines.append(f"  {_shown_name(path)}: given more than once, read once")
    for info in report["files"]:
        note = "  (empty file)" if info["rows"] == 0 else ""
        if "copy_of" in info:
            note += f"  (the same bytes as {_shown_name(info['copy_of'])}: every record rejected)"
        lines.append(f"  {_shown_name(info['file'])}: {info['format']}, {info['rows']:,} "
                     f"records{note}" + (f" ({info['rejected']:,} rejected)"
                                         if info.get("rejected") else ""))
    for reason, count in report["rejected_by_reason"].items():
        lines.append(f"  rejected, {reason}: {count:,}")
    rules = report["rules"]
    lines.append(f"events: {rules['events']:,} rows in {report['sessions']} session(s)")
    lines.extend(f"  {text}" for text in counting.describe_rules(rules))
    return lines
