"""Reading an events table from a CSV file, with a quarantine of the rows that are wrong.

:func:`read_events_csv` checks every row against the canonical table
(:mod:`toolkit.events.schema`) and accounts for all of them: rows read = loaded + rejected,
with the file, line, field and reason of each rejected row. :func:`example_session` reads the
small hand-made LIVE of ``data/example/`` used for teaching.
"""

from __future__ import annotations

import csv
import mmap
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from toolkit import _paths
from toolkit.events.dataset import Dataset
from toolkit.events.schema import EVENTS_SCHEMA, EventKind, validate

__all__ = ["LoadResult", "read_events_csv", "example_session"]


@dataclass(frozen=True)
class LoadResult:
    """What :func:`read_events_csv` loaded and what it set aside.

    Attributes
    ----------
    events : polars.DataFrame
        Valid rows, in the canonical schema.
    rejected : polars.DataFrame
        One row per rejected input row: ``file``, ``line`` (1-based, the header is line 1),
        ``field``, ``value``, ``reason`` (several reasons are joined with "; ").
    rows_read : int
        Data rows in the file. Always ``rows_read == len(events) + len(rejected)``.
    """

    events: pl.DataFrame
    rejected: pl.DataFrame
    rows_read: int

    @property
    def dataset(self) -> Dataset:
        """The valid rows as a :class:`toolkit.events.Dataset` of source ``"recorded"``."""
        return Dataset.from_tables(events=self.events, source="recorded", name="csv")


def read_events_csv(
    path: str | Path,
    on_error: Literal["raise", "quarantine"] = "raise",
    catalogue: pl.DataFrame | None = None,
) -> LoadResult:
    """Read a CSV file of events into the canonical table.

    Parameters
    ----------
    path : str or Path
        CSV with a header naming the canonical columns; ``ts`` as ISO 8601 (UTC if no zone),
        each row read on its own.
    on_error : {"raise", "quarantine"}
        ``"raise"``: the first bad rows raise a ``ValueError`` naming file, line and field.
        ``"quarantine"``: bad rows go to ``LoadResult.rejected`` with their reasons.
    catalogue : polars.DataFrame, optional
        Gift catalogue for the gift checks (see :func:`validate`).

    Returns
    -------
    LoadResult
    """
    path = Path(path)
    if on_error not in ("raise", "quarantine"):
        raise ValueError(f"on_error must be 'raise' or 'quarantine', got {on_error!r}")
    raw, broken = _read_lines(path)
    rows_read = raw.height + broken.height

    parsed = raw.with_columns(
        _times(pl.col("ts")),
        pl.col("kind").cast(EventKind, strict=False),
        *(pl.col(c).cast(pl.Int64, strict=False) for c in ("count", "gift_id", "coins")),
    )
    unreadable = pl.concat(
        [
            raw.select("line", pl.lit(c).alias("field"), pl.col(c).alias("value"),
                       pl.lit(f"cannot read as {EVENTS_SCHEMA[c]}").alias("reason"))
            .filter(pl.col("value").is_not_null() & parsed[c].is_null())
            for c in ("ts", "kind", "count", "gift_id", "coins")
        ]
    )
    table = parsed.drop("line")
    found = validate(table, catalogue)
    whole = found.filter(pl.col("row").is_null())
    if whole.height:  # a column's total beyond 64 bits: no one row is at fault
        first = whole.row(0, named=True)
        raise ValueError(f"{path}, column {first['column']}: {first['problem']} "
                         f"({first['value']}); the file cannot be summed as it is")
    rules = (
        found
        .filter(pl.col("row").is_not_null(), pl.col("problem") != _OUT_OF_ORDER)
        .select(line=pl.col("row").replace_strict(
                    pl.int_range(raw.height, eager=True), raw["line"]),
                field="column", value="value", reason="problem")
        # a value that could not be read shows up again as "missing value": report it once
        .join(unreadable.select("line", "field"), on=["line", "field"], how="anti")
    )
    problems = pl.concat([broken, unreadable, rules])
    # the time order among the rows kept: a row is late if an earlier row kept is later
    kept = parsed.select("line", "session_id", "ts", text=raw["ts"]).filter(
        ~pl.col("line").is_in(problems["line"].implode()))
    late = kept.filter(pl.col("ts") < pl.col("ts").cum_max().shift(1).over("session_id")).select(
        "line", field=pl.lit("ts"), value="text", reason=pl.lit(_OUT_OF_ORDER))
    problems = pl.concat([problems, late]).sort("line", "field")
    rejected = problems.group_by("line", maintain_order=True).agg(
        field=pl.col("field").str.join("; "),
        value=pl.col("value").fill_null("").str.join("; "),
        reason=pl.col("reason").str.join("; "),
    ).select(pl.lit(str(path)).alias("file"), "line", "field", "value", "reason")

    if on_error == "raise" and rejected.height:
        details = "\n".join(
            f"  {r['file']}, line {r['line']}, field {r['field']}: {r['value']!r}: {r['reason']}"
            for r in rejected.head(5).iter_rows(named=True)
        )
        raise ValueError(f"{path}: {rejected.height} bad row(s) out of {rows_read}:\n{details}")
    keep = ~raw["line"].is_in(rejected["line"].implode())
    return LoadResult(table.filter(keep), rejected, rows_read)


_OUT_OF_ORDER = "earlier than the previous event of the same session (out of order)"


def _times(text: pl.Expr) -> pl.Expr:
    """ISO 8601 times, each row read on its own (not by a format guessed from the first row):
    a date, with ``T`` or a space before the time, seconds and their fraction optional, and
    ``Z`` or an offset (``+02:00``, ``+0200``) or none (UTC). Anything else is null."""
    iso = (text.str.strip_chars()
           .str.replace(r"^(\d{4}-\d{2}-\d{2})$", "${1}T00:00:00")
           .str.replace(r"^(\d{4}-\d{2}-\d{2}) ", "${1}T")
           .str.replace(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})($|[zZ+-])", "${1}:00${2}")
           .str.replace(r"[zZ]$", "+00:00"))
    return pl.coalesce(
        iso.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%#z", time_unit="ms", time_zone="UTC",
                            strict=False),
        iso.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", time_unit="ms", time_zone="UTC",
                            strict=False)).alias("ts")


_LONE_CR = re.compile(rb"\r(?!\n)")
_REJECTED_SCHEMA = {"line": pl.Int64, "field": pl.String, "value": pl.String,
                    "reason": pl.String}


def _read_lines(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Text of every data row with the line it starts on, and the rows that are not rows.

    A plain file (no quotes, no blank lines: one line is one row) takes polars' fast reader.
    Any other file, or one the fast reader refuses, takes a careful reader that follows the
    CSV rules (a quoted field may hold a newline: the row keeps the line it starts on; a blank
    line is no row) and sets aside rows that are not UTF-8 or have the wrong number of fields
    (field ``line``) instead of failing the whole file. Both give the same rows and line
    numbers where both apply, so a row's verdict never depends on another row.
    """
    if path.exists() and not path.is_file():  # a FIFO would hang, a device never end
        raise ValueError(f"{path}: not a regular file (a folder, device or pipe); save the "
                         "CSV to a file first")
    if path.is_file() and path.stat().st_size == 0:
        raise ValueError(f"{path}, line 1: the file is empty (no header line)")
    with path.open("rb") as handle:
        start = handle.read(4)
    if start[:2] == b"\x1f\x8b" or start == b"\x28\xb5\x2f\xfd":
        raise ValueError(f"{path}: a compressed file (gzip or zstd); unpack it first, then "
                         "validate the CSV it holds")
    if not _plain(path):
        return _read_lines_carefully(path)
    try:
        raw = pl.read_csv(path, infer_schema=False)
    except pl.exceptions.NoDataError as error:
        raise ValueError(f"{path}, line 1: the file is empty (no header line)") from error
    except pl.exceptions.ComputeError:
        return _read_lines_carefully(path)
    _check_header(path, raw.columns)
    lines = pl.int_range(2, raw.height + 2, dtype=pl.Int64, eager=True).alias("line")
    return raw.select(list(EVENTS_SCHEMA)).with_columns(lines), pl.DataFrame(
        schema=_REJECTED_SCHEMA
    )


def _plain(path: Path) -> bool:
    """Whether every line of the file is one row: no quote character, no blank line, no
    carriage return but before a newline (the csv module ends a row at a lone one)."""
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as m:
        return (all(m.find(mark) == -1 for mark in (b'"', b"\n\n", b"\n\r\n", b"\r\r"))
                and _LONE_CR.search(m) is None
                and m[:4].lstrip(b"\xef\xbb\xbf")[:1] not in (b"\n", b"\r"))


def _check_header(path: Path, columns: list[str]) -> None:
    missing = [c for c in EVENTS_SCHEMA if c not in columns]
    if missing:
        raise ValueError(f"{path}, line 1: missing column(s) {missing}")


def _read_lines_carefully(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The CSV rules, one row at a time (see :func:`_read_lines`)."""
    rows: list[list[str | None]] = []
    line_numbers: list[int] = []
    broken: list[tuple[int, str, str | None, str]] = []
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
            while not header:  # blank lines before the header are no rows either
                header = next(reader)
        except (StopIteration, csv.Error) as error:
            raise ValueError(f"{path}, line 1: no readable header line") from error
        if _odd_byte(header) is not None:
            raise ValueError(f"{path}, line 1: the header is not readable UTF-8 text")
        _check_header(path, header)
        positions = [header.index(c) for c in EVENTS_SCHEMA]
        start = reader.line_num + 1
        while True:
            number = start
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as error:  # e.g. a field beyond the csv module's size limit
                start = reader.line_num + 1
                broken.append((number, "line", None, f"not a CSV row ({error})"))
                continue
            start = reader.line_num + 1
            if not fields:  # a blank line is no row
                continue
            if (odd := _odd_byte(fields)) is not None:
                broken.append((number, "line", None, f"not UTF-8 text (byte 0x{odd:02x})"))
                continue
            if len(fields) < len(header):  # as polars reads it: the missing fields are empty
                fields = fields + [""] * (len(header) - len(fields))
            if len(fields) != len(header):
                text = ",".join(fields)
                broken.append((number, "line", text if len(text) <= 200 else text[:197] + "...",
                               f"has {len(fields)} fields, expected {len(header)}"))
                continue
            rows.append([fields[i] or None for i in positions])
            line_numbers.append(number)
    raw = pl.DataFrame(rows, schema=dict.fromkeys(EVENTS_SCHEMA, pl.String), orient="row")
    raw = raw.with_columns(line=pl.Series(line_numbers, dtype=pl.Int64))
    return raw, pl.DataFrame(broken, schema=_REJECTED_SCHEMA, orient="row")


def _odd_byte(fields: list[str]) -> int | None:
    """The first byte that was not UTF-8 (read as a lone surrogate), or None."""
    for field in fields:
        if not field.isascii():
            for char in field:
                if 0xDC80 <= ord(char) <= 0xDCFF:
                    return ord(char) - 0xDC00
    return None


def example_session() -> pl.DataFrame:
    """The small hand-made example LIVE in ``data/example/session.csv`` (ten minutes)."""
    return read_events_csv(_paths.data_dir() / "example" / "session.csv").events


