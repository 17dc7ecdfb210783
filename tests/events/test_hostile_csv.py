"""``validate`` and :func:`read_events_csv` under odd but legal CSV (issue 18, class 9): line
numbers that follow the file, blank lines that are no rows, times read row by row, and a
row's verdict that does not depend on another row."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.events.reading import read_events_csv

HEADER = "session_id,ts,kind,user_id,count,gift_id,coins\n"


def read(tmp_path: Path, body: str, name: str = "x.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    result = read_events_csv(path, on_error="quarantine")
    assert result.rows_read == result.events.height + result.rejected.height
    return result


def test_line_numbers_count_the_newlines_inside_quoted_fields(tmp_path: Path) -> None:
    body = ('s1,2026-01-01T00:00:00Z,comment,"u\nwith a newline",1,,0\n'
            "s1,2026-01-01T00:00:01Z,heart,u,-1,,0\n")
    result = read(tmp_path, body)
    assert result.rows_read == 2 and result.rejected["line"].to_list() == [4]
    assert result.events["user_id"].to_list() == ["u\nwith a newline"]


def test_blank_lines_are_not_rows(tmp_path: Path) -> None:
    result = read(tmp_path, "s1,2026-01-01T00:00:00Z,heart,u,1,,0\n\n\r\n\n")
    assert (result.rows_read, result.rejected.height) == (1, 0)
    inner = read(tmp_path, "\ns1,2026-01-01T00:00:00Z,heart,u,1,,0\n\ns1,x,heart,u,1,,0\n",
                 "inner.csv")
    assert inner.rows_read == 2 and inner.rejected["line"].to_list() == [5]


def test_a_rows_verdict_does_not_depend_on_a_broken_row_elsewhere(tmp_path: Path) -> None:
    good = 's1,2026-01-01T00:00:00Z,comment,"multi\nline",1,,0\n'
    alone = read(tmp_path, good, "alone.csv")
    beside = read(tmp_path, good + "s1,2026-01-01T00:00:01Z,heart\n", "beside.csv")
    assert alone.events.equals(beside.events) and alone.events.height == 1
    assert beside.rejected["line"].to_list() == [4]


@pytest.mark.parametrize("first", ["2026-01-01 00:00:00", "2026-01-01T00:00:00Z",
                                   "2026-01-01T02:00:00+02:00", "2026-01-01"])
def test_each_time_is_read_on_its_own_not_by_the_first_rows_format(
        tmp_path: Path, first: str) -> None:
    times = [first, "2026-01-01T00:00:01Z", "2026-01-01 00:00:02", "2026-01-01T00:00:03.250",
             "2026-01-01T02:00:04+0200", "2026-01-01T00:05"]
    body = "".join(f"s1,{t},heart,u,1,,0\n" for t in times)
    result = read(tmp_path, body)
    assert result.rejected.is_empty()
    seconds = [t.timestamp() - 1767225600 for t in result.events["ts"].to_list()]
    assert seconds == [0, 1, 2, 3.25, 4, 300]


def test_a_time_that_is_not_iso_8601_is_rejected_by_name(tmp_path: Path) -> None:
    result = read(tmp_path, "s1,2026-01-01T00:00:00Z,heart,u,1,,0\n"
                            "s1,1767225600000,heart,u,1,,0\ns1,2026-13-01,heart,u,1,,0\n")
    assert result.rejected["line"].to_list() == [3, 4]
    assert set(result.rejected["field"]) == {"ts"}


def test_bytes_that_are_not_utf8_inside_a_quoted_row_reject_that_row(tmp_path: Path) -> None:
    path = tmp_path / "bytes.csv"
    path.write_bytes(HEADER.encode() + b's1,2026-01-01T00:00:00Z,comment,"u\xff\nx",1,,0\n'
                     + b"s1,2026-01-01T00:00:01Z,heart,u,2,,0\n")
    result = read_events_csv(path, on_error="quarantine")
    assert result.rejected.select("line", "reason").rows() == [(2, "not UTF-8 text (byte 0xff)")]
    assert result.events["count"].to_list() == [2]


def test_blank_lines_before_the_header_are_no_rows_either(tmp_path: Path) -> None:
    body = "s1,2024-06-10T00:00:00Z,heart,u1,0,,0\n"  # count 0: rejected, on line 3
    plain = tmp_path / "plain.csv"
    plain.write_text("\n" + HEADER + body)
    quoted = tmp_path / "quoted.csv"
    quoted.write_text("\n" + HEADER + body + '"s1",2024-06-10T00:00:01Z,heart,u1,1,,0\n')
    for path in (plain, quoted):
        result = read_events_csv(path, on_error="quarantine")
        assert result.rejected["line"].to_list() == [3], path.name
    assert read_events_csv(quoted, on_error="quarantine").events.height == 1
