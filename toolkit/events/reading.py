"""Reading an events table from a CSV file, with a quarantine of the rows that are wrong.

:func:`read_events_csv` checks every row against the canonical table
(:mod:`toolkit.events.schema`) and accounts for all of them: rows read = loaded + rejected,
with the file, line, field and reason of each rejected row. :func:`example_session` reads the
small hand-made LIVE of ``data/example/`` used for teaching.
"""

from __future__ import annotations

import csv
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
        CSV with a header naming the canonical columns; ``ts`` as ISO 8601 (UTC if no zone).
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
        pl.col("ts").str.to_datetime(time_unit="ms", time_zone="UTC", strict=False),
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
    rules = (
        validate(table, catalogue)
        .filter(pl.col("row").is_not_null())
        .select(line=pl.col("row").replace_strict(
                    pl.int_range(raw.height, eager=True), raw["line"]),
                field="column", value="value", reason="problem")
        # a value that could not be read shows up again as "missing value": report it once
        .join(unreadable.select("line", "field"), on=["line", "field"], how="anti")
    )
    problems = pl.concat([broken, unreadable, rules]).sort("line", "field")
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


_REJECTED_SCHEMA = {"line": pl.Int64, "field": pl.String, "value": pl.String,
                    "reason": pl.String}


def _read_lines(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Text of every data row with its line number, and the lines that are not rows at all.

    A clean file takes polars' fast reader. A file with lines that are not UTF-8 or have the
    wrong number of fields takes a careful line-by-line reader, which sets those lines aside
    (field ``line``) instead of failing the whole file.
    """
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


def _check_header(path: Path, columns: list[str]) -> None:
    missing = [c for c in EVENTS_SCHEMA if c not in columns]
    if missing:
        raise ValueError(f"{path}, line 1: missing column(s) {missing}")


def _read_lines_carefully(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Slow path for damaged files: one line at a time (only used when the fast path fails)."""
    rows: list[list[str | None]] = []
    line_numbers: list[int] = []
    broken: list[tuple[int, str, str | None, str]] = []
    with path.open("rb") as handle:
        header_bytes = handle.readline()
        try:
            header = next(csv.reader([header_bytes.decode("utf-8")]))
        except (UnicodeDecodeError, StopIteration) as error:
            raise ValueError(f"{path}, line 1: the header is not readable UTF-8 text") from error
        _check_header(path, header)
        positions = [header.index(c) for c in EVENTS_SCHEMA]
        for number, data in enumerate(handle, start=2):
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as error:
                broken.append((number, "line", None, f"not UTF-8 text ({error.reason})"))
                continue
            fields = next(csv.reader([text]), [])
            if len(fields) != len(header):
                broken.append((number, "line", text.strip(),
                               f"has {len(fields)} fields, expected {len(header)}"))
                continue
            rows.append([fields[i] or None for i in positions])
            line_numbers.append(number)
    raw = pl.DataFrame(rows, schema=dict.fromkeys(EVENTS_SCHEMA, pl.String), orient="row")
    raw = raw.with_columns(line=pl.Series(line_numbers, dtype=pl.Int64))
    return raw, pl.DataFrame(broken, schema=_REJECTED_SCHEMA, orient="row")


def example_session() -> pl.DataFrame:
    """The small hand-made example LIVE in ``data/example/session.csv`` (ten minutes)."""
    return read_events_csv(_paths.data_dir() / "example" / "session.csv").events


