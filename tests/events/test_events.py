"""The canonical events table: schema, validate() per violation type, the CSV reader."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from toolkit import events as ev

HEADER = "session_id,ts,kind,user_id,count,gift_id,coins\n"
GOOD = [
    "s1,2026-01-01T10:00:00Z,join,u1,1,,0",
    "s1,2026-01-01T10:00:01Z,heart,u1,5,,0",
    "s1,2026-01-01T10:00:02Z,gift,u1,3,5655,3",
    "s1,2026-01-01T10:00:03Z,viewers,,0,,0",
]


def _write(tmp_path: Path, rows: list[str], name: str = "events.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "\n".join(rows) + "\n")
    return path


def test_example_session_is_valid_and_canonical() -> None:
    session = ev.example_session()
    assert dict(session.schema) == ev.EVENTS_SCHEMA
    assert ev.validate(session).is_empty()
    assert set(session["kind"].unique()) == set(ev.KINDS)


def test_empty_events_have_the_schema() -> None:
    assert dict(ev.empty_events().schema) == ev.EVENTS_SCHEMA
    assert ev.validate(ev.empty_events()).is_empty()


def _bad(column: str, value: object, row: int = 1) -> pl.DataFrame:
    frame = ev.read_events_csv(_path_for_good).events
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == row).then(pl.lit(value)).otherwise(pl.col(column))
        .cast(frame.schema[column]).alias(column)
    )
    return ev.validate(frame)


_path_for_good: Path


@pytest.fixture(autouse=True)
def _good_file(tmp_path: Path) -> None:
    global _path_for_good
    _path_for_good = _write(tmp_path, GOOD, "good.csv")


@pytest.mark.parametrize(
    ("column", "value", "row", "problem"),
    [
        ("session_id", None, 1, "missing value"),
        ("user_id", None, 1, "only viewers snapshots have no user"),
        ("count", 0, 1, "must be at least 1"),
        ("count", -4, 1, "must be at least 1"),
        ("count", -1, 3, "viewer count must not be negative"),
        ("coins", 7, 1, "must be 0 unless kind is gift"),
        ("coins", -3, 2, "must not be negative"),
        ("coins", 4, 2, "does not equal the gift's price x count"),
        ("gift_id", 5655, 1, "must be null unless kind is gift"),
        ("gift_id", None, 2, "missing for a gift"),
        ("gift_id", 1, 2, "unknown gift id"),
        ("kind", None, 0, "missing value"),
    ],
)
def test_each_violation_is_reported(column, value, row, problem) -> None:
    found = _bad(column, value, row)
    match = found.filter(pl.col("row") == row, pl.col("column") == column)
    assert match.height >= 1, found
    assert match["problem"].str.contains(problem, literal=True).any(), found


def test_out_of_order_time_is_reported() -> None:
    frame = ev.read_events_csv(_path_for_good).events
    swapped = pl.concat([frame[1:2], frame[0:1], frame[2:]])
    found = ev.validate(swapped)
    assert found.rows() == [(1, "ts", "2026-01-01 10:00:00.000+00:00", found["problem"][0])]
    assert "out of order" in found["problem"][0]


def test_every_violation_is_reported_not_just_the_first() -> None:
    frame = ev.read_events_csv(_path_for_good).events.with_columns(count=pl.lit(-1, pl.Int64))
    assert ev.validate(frame).filter(column="count").height == 4


def test_wrong_types_and_missing_columns_are_reported() -> None:
    frame = ev.read_events_csv(_path_for_good).events
    found = ev.validate(frame.drop("coins").with_columns(pl.col("count").cast(pl.Float64)))
    assert set(found["column"]) == {"coins", "count"}
    assert found["row"].is_null().all()


def test_reader_raises_with_file_line_and_field(tmp_path: Path) -> None:
    rows = [*GOOD[:2], "s1,2026-01-01T10:00:02Z,gift,u1,three,5655,3", GOOD[3]]
    path = _write(tmp_path, rows)
    with pytest.raises(ValueError, match=r"events.csv, line 4, field count: 'three'"):
        ev.read_events_csv(path)


def test_reader_quarantine_keeps_every_row_accounted_for(tmp_path: Path) -> None:
    rows = [
        *GOOD,
        "s1,not-a-time,heart,u2,5,,0",          # unreadable time
        "s1,2026-01-01T10:00:05Z,dance,u2,1,,0",  # unknown kind
        "s1,2026-01-01T10:00:06Z,heart,u2,-5,,0",  # negative count
        "s1,2026-01-01T10:00:07Z,gift,u2,1,999999,1",  # unknown gift
        "s1,2026-01-01T09:00:00Z,comment,u2,1,,0",  # out of order
    ]
    result = ev.read_events_csv(_write(tmp_path, rows), on_error="quarantine")
    assert result.rows_read == 9
    assert result.rows_read == result.events.height + result.rejected.height
    assert result.events.height == 4
    assert result.rejected["line"].to_list() == [6, 7, 8, 9, 10]
    assert result.rejected["field"].to_list() == ["ts", "kind", "count", "gift_id", "ts"]
    assert result.rejected["file"].str.ends_with("events.csv").all()


def test_reader_handles_an_empty_file_and_a_missing_column(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ValueError, match="empty.csv, line 1: the file is empty"):
        ev.read_events_csv(empty)
    (tmp_path / "cols.csv").write_text("session_id,ts\ns1,2026-01-01T10:00:00Z\n")
    with pytest.raises(ValueError, match=r"cols.csv, line 1: missing column\(s\) \['kind'"):
        ev.read_events_csv(tmp_path / "cols.csv")
    header_only = _write(tmp_path, [], "header.csv")
    header_only.write_text(HEADER)
    result = ev.read_events_csv(header_only)
    assert result.rows_read == 0 and result.events.is_empty()
    assert dict(result.events.schema) == ev.EVENTS_SCHEMA


def test_reader_refuses_an_unknown_mode(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="on_error"):
        ev.read_events_csv(_write(tmp_path, GOOD), on_error="ignore")  # type: ignore[arg-type]


def test_reader_sets_aside_damaged_lines(tmp_path: Path) -> None:
    path = tmp_path / "damaged.csv"
    path.write_bytes(
        HEADER.encode()
        + (GOOD[0] + "\n").encode()
        + b"s1,2026-01-01T10:00:01Z,comment,u\xff2,1,,0\n"  # not UTF-8
        + b"s1,2026-01-01T10:00:02Z,comment\n"  # truncated line
        + (GOOD[1] + ",extra\n").encode()  # one field too many
        + (GOOD[3] + "\n").encode()
    )
    result = ev.read_events_csv(path, on_error="quarantine")
    assert result.rows_read == 5 == result.events.height + result.rejected.height
    assert result.events.height == 2
    assert result.rejected["line"].to_list() == [3, 4, 5]
    assert result.rejected["reason"].to_list() == [
        "not UTF-8 text (byte 0xff)",  # a row cut short: its missing fields are empty
        "missing value; missing value; missing value (only viewers snapshots have no user)",
        "has 8 fields, expected 7",
    ]
    with pytest.raises(ValueError, match=r"damaged.csv, line 3, field line"):
        ev.read_events_csv(path)
