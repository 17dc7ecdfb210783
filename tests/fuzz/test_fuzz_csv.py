"""Fuzzing :func:`toolkit.events.read_events_csv` and ``toolkit validate`` with hostile CSVs
(docs/data-dictionary.md, "Reading a CSV file").

Each example is an events CSV of mostly valid rows with hostile values (odd times, numbers,
kinds, text with commas, quotes, newlines, NUL bytes, bytes that are not UTF-8), rows written
quoted, unquoted or with a field too many or too few, and damage to the whole file (see
``fuzz_strategies``). The promises checked:

1. in quarantine mode nothing but the documented ``ValueError`` (no readable header, a missing
   column, a compressed file, a column whose total is beyond 64 bits) escapes;
2. the ledger balances: rows read = loaded + rejected, one rejection per line, each on a line
   of the file;
3. the rows loaded are a valid events table (:func:`toolkit.events.validate` finds nothing);
4. a row's verdict does not depend on another row (the same row alone in a file is loaded or
   rejected alike), as the data dictionary promises;
5. ``toolkit validate`` exits 0, 1 or 2 as documented, without a traceback, and writes one row
   per rejection to ``--rejected``.
"""

from __future__ import annotations

import contextlib
import gzip
import re
import tempfile
from pathlib import Path

import polars as pl
import pytest
from fuzz_strategies import CsvFile, csv_files, fuzz_settings, read_back_csv, run_cli
from hypothesis import assume, given
from hypothesis import strategies as st

from toolkit.events.reading import LoadResult, read_events_csv
from toolkit.events.schema import EVENTS_SCHEMA, validate

_REJECTED_COLUMNS = ["file", "line", "field", "value", "reason"]
#: What ends a line: CRLF, LF or a lone CR (as Python's csv module counts lines).
_LINE_END = re.compile(rb"\r\n|\r|\n")
_QUOTED = re.compile(rb'"[^"]*"')


def read(path: Path) -> LoadResult | ValueError:
    """What the quarantine reader makes of ``path``: a result, or the documented error."""
    try:
        return read_events_csv(path, on_error="quarantine")
    except ValueError as error:
        if summed_beyond_64_bits(error):  # documented: no one row is at fault
            return error
        if str(error).startswith(f"{path}: a compressed file"):  # documented: unpack it first
            assert compressed(path.read_bytes()), error
            return error
        assert str(error).startswith(f"{path}, line 1: "), error  # names the file and line 1
        return error


def check_ledger(result: LoadResult, content: bytes) -> None:
    """Rows read = loaded + rejected; each rejection on its own line of the file (of what it
    unpacks to, for a gzip file: see the known bugs)."""
    if content[:2] == b"\x1f\x8b":
        with contextlib.suppress(OSError, EOFError):
            content = gzip.decompress(content)
    assert result.rows_read == result.events.height + result.rejected.height
    assert result.events.schema == pl.Schema(EVENTS_SCHEMA)
    assert result.rejected.columns == _REJECTED_COLUMNS
    lines = result.rejected["line"].to_list()
    assert len(set(lines)) == len(lines), lines
    last = content.count(b"\n") + content.count(b"\r") + 1  # at most this many lines
    assert all(2 <= line <= last for line in lines), (lines, last)


@fuzz_settings(1.0)
@given(file=csv_files())
def test_every_row_is_loaded_or_rejected(file: CsvFile) -> None:
    content = file.content()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.csv"
        path.write_bytes(content)
        result = read(path)
        if isinstance(result, ValueError):
            assert (not file.header_intact() or not content.strip()
                    or summed_beyond_64_bits(result) or compressed(content)), result
            return
        check_ledger(result, content)
        problems = validate(result.events)
        assert problems.is_empty(), (problems, result.events)


def outcome(folder: Path, name: str, content: bytes) -> LoadResult | str:
    """The result of reading ``content``, or the error it is refused with."""
    path = folder / name
    path.write_bytes(content)
    result = read(path)
    return str(result) if isinstance(result, Exception) else result


def one_row(row: bytes) -> bool:
    """Whether ``row`` is one CSV row on its own: its quotes balanced (an open quote runs on
    into the next rows, as the CSV rules say) and no line end outside quotes but the last.
    A lone CR outside quotes is left out: Python's csv module ends a line there, polars does
    not (see ``test_a_lone_cr_is_read_alike_by_both_readers``)."""
    if row.count(b'"') % 2:
        return False
    outside = _QUOTED.sub(b"", row)
    return len(_LINE_END.findall(outside)) == 1 and outside.endswith(b"\n")


@fuzz_settings(0.75)
@given(file=csv_files(damage_bytes=False), bom=st.booleans())
def test_a_rows_verdict_does_not_depend_on_other_rows(file: CsvFile, bom: bool) -> None:
    rows = [r for r in file.rows if r.strip(b" \r\n")]
    assume(all(one_row(r) for r in rows))
    header = (b"\xef\xbb\xbf" if bom else b"") + file.header
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        whole = outcome(folder, "whole.csv", header + b"".join(rows))
        alone = [outcome(folder, f"row{i}.csv", header + row) for i, row in enumerate(rows)]
        if isinstance(whole, str):
            if "sums overflow" in whole:
                return  # documented: rows valid alone whose total overflows refuse the file
            assert all(isinstance(a, str) for a in alone), (whole, "but its rows alone are read")
            return
        assert not any(isinstance(a, str) for a in alone), "a row alone is refused, not the file"
        line = 2
        for row, one in zip(rows, alone, strict=True):
            assert isinstance(one, LoadResult)
            verdict = whole.rejected.filter(pl.col("line") == line)
            ordering = verdict["reason"].str.contains("out of order").any()  # by the rule
            if not ordering:
                assert verdict.is_empty() == one.rejected.is_empty(), (row, verdict, one.rejected)
                assert one.rows_read == 1, (row, one.rows_read)
            line += len(_LINE_END.findall(row))


@fuzz_settings(0.5)
@given(file=csv_files())
def test_the_validate_command_exits_as_documented(file: CsvFile) -> None:
    content = file.content()
    with tempfile.TemporaryDirectory() as tmp:
        path, rejected = Path(tmp) / "events.csv", Path(tmp) / "rejected.csv"
        path.write_bytes(content)
        expected = read(path)
        code, out, err = run_cli(["validate", str(path), "--rejected", str(rejected)])
        assert "Traceback" not in err and "Traceback" not in out
        if isinstance(expected, Exception):
            assert code == 2 and len(err.splitlines()) == 1, (code, err)
            return
        assert code == (1 if expected.rejected.height else 0), (code, err)
        if expected.rejected.height:
            written = read_back_csv(rejected)
            assert written.columns == _REJECTED_COLUMNS
            assert written.height == expected.rejected.height
        else:
            assert not rejected.exists()


@pytest.mark.parametrize("body", [b"", b"\n", b"\r\n\r\n", b"\xef\xbb\xbf", b"\x00"])
def test_a_file_without_a_header_is_the_documented_error(body: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "empty.csv"
        path.write_bytes(body)
        assert isinstance(read(path), ValueError)


# --- known bugs -------------------------------------------------------------------------------
# Each bug the fuzzing found is reproduced by a test below (the fixed ones as regression
# tests, the rules they led to as documented behaviour).

HEADER_TEXT = b"session_id,ts,kind,user_id,count,gift_id,coins\n"
ROW = b"s1,2026-01-01T00:00:00Z,heart,u1,1,,0\n"


def summed_beyond_64_bits(error: ValueError) -> bool:
    """The error of a file whose counts or coins sum beyond 64 bits (documented)."""
    return "sums overflow" in str(error)


def compressed(content: bytes) -> bool:
    """Whether ``content`` starts as a gzip or zstd file (refused: unpack it first)."""
    return content[:2] == b"\x1f\x8b" or content[:4] == b"\x28\xb5\x2f\xfd"


def read_bytes(tmp_path: Path, content: bytes, name: str = "events.csv") -> LoadResult:
    path = tmp_path / name
    path.write_bytes(content)
    return read_events_csv(path, on_error="quarantine")


def test_the_rows_kept_are_in_time_order(tmp_path: Path) -> None:
    """Was: the order was checked on every row, then the rejected ones dropped, so the rows
    kept could be out of order. Now a row is late when a kept row before it is later."""
    result = read_bytes(tmp_path, HEADER_TEXT + b"s1,2026-01-01T00:00:01Z,heart,u1,1,,0\n"
                        + ROW + ROW)
    assert result.rejected["line"].to_list() == [3, 4]
    assert validate(result.events).is_empty(), validate(result.events).to_dicts()


def test_a_bom_is_read_whichever_reader_takes_the_file(tmp_path: Path) -> None:
    plain = read_bytes(tmp_path, b"\xef\xbb\xbf" + HEADER_TEXT + ROW, "plain.csv")
    assert plain.events.height == 1
    quoted = read_bytes(tmp_path, b"\xef\xbb\xbf" + HEADER_TEXT + ROW + b'"s1"' + ROW[2:],
                        "quoted.csv")
    assert quoted.events.height == 2


def test_a_lone_cr_is_read_alike_by_both_readers(tmp_path: Path) -> None:
    """A lone CR ends a row (the CSV rules of Python's csv module), whether or not another
    row of the file is quoted: the row's verdict is the same alone and beside others."""
    row = b"s1,2026-01-01T00:00:00Z,heart,u\rx,1,,0\n"
    alone = read_bytes(tmp_path, HEADER_TEXT + row, "alone.csv")
    beside = read_bytes(tmp_path, HEADER_TEXT + row + b'"s1"' + ROW[2:], "beside.csv")
    assert alone.rejected["line"].to_list() == beside.rejected["line"].to_list()[:2]
    assert (alone.events.height, beside.events.height) == (0, 1)


def test_a_compressed_csv_is_refused_with_the_documented_error(tmp_path: Path) -> None:
    for content in (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03zz",
                    gzip.compress(HEADER_TEXT + ROW, mtime=0)[:-12],
                    gzip.compress(HEADER_TEXT + ROW + b"\n", mtime=0)):
        with pytest.raises(ValueError, match="a compressed file"):
            read_bytes(tmp_path, content)


def test_a_row_of_too_few_fields_is_read_alike_by_both_readers(tmp_path: Path) -> None:
    """A row short of its last fields has them empty, as polars reads it, whether or not
    another row is quoted (here only the extra column is missing, so it loads)."""
    header = HEADER_TEXT.rstrip(b"\n") + b",note\n"
    alone = read_bytes(tmp_path, header + ROW, "alone.csv")  # 7 fields of 8
    beside = read_bytes(tmp_path, header + ROW + b'"s1"' + ROW[2:-1] + b",x\n", "beside.csv")
    assert alone.rejected.is_empty() and beside.rejected.is_empty()
    assert (alone.events.height, beside.events.height) == (1, 2)


def test_two_valid_rows_whose_counts_overflow_refuse_the_file(tmp_path: Path) -> None:
    """Documented: a column whose total is beyond 64 bits is an error of the file (no one
    row is at fault), in both modes."""
    big = b"s1,2026-01-01T00:00:00Z,heart,u1,9223372036854775807,,0\n"
    assert read_bytes(tmp_path, HEADER_TEXT + big, "alone.csv").rejected.is_empty()
    with pytest.raises(ValueError, match="sums overflow"):
        read_bytes(tmp_path, HEADER_TEXT + big + ROW, "both.csv")
