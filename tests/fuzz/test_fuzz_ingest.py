"""Fuzzing ``toolkit ingest`` with damaged recordings (docs/ingest.md, "Bad input").

Each example starts from valid recordings of every format and damages them (see
``fuzz_strategies``). The promises checked, for any bytes at all:

1. nothing escapes :func:`toolkit.recordings.ingest`: every record is loaded or rejected;
2. the ledger balances: rows read = loaded + rejected, per file and in total, with a reason
   from the documented list;
3. what :func:`toolkit.recordings.write` writes is valid: the dataset folder reads back,
   its events pass :func:`toolkit.events.validate` against the recording's own gift prices,
   and ``rejected.csv`` has one printable row (values of at most 80 characters) per rejection;
4. each example takes a few seconds at most (the profile's deadline);
5. ``toolkit ingest`` exits 0 (something loaded) or 1 (nothing), without a traceback.
"""

from __future__ import annotations

import json
import os
import tempfile
import unicodedata
from pathlib import Path

import polars as pl
import pytest
from fuzz_strategies import (
    REASONS,
    SALT,
    RecordingFile,
    connector_v1,
    fuzz_settings,
    message,
    read_back_csv,
    recording_files,
    run_cli,
)
from hypothesis import example, given
from hypothesis import strategies as st

from toolkit import recordings
from toolkit.events import Dataset
from toolkit.events.schema import EVENTS_SCHEMA, validate
from toolkit.recordings.reader import REJECTED_SCHEMA

#: Unicode categories a shown value never holds: controls, surrogates, line and paragraph
#: separators.
_UNSHOWN = frozenset({"Cc", "Cs", "Zl", "Zp"})

#: Some recordings, a copy of one of them sometimes (read as a ``duplicate file``).
recordings_given = st.tuples(st.lists(recording_files(), min_size=1, max_size=3), st.booleans())


def write_files(folder: Path, files: list[RecordingFile], copy: bool) -> list[Path]:
    """Each file in its own sub-folder (names may repeat), plus a copy of the first."""
    paths = []
    for i, file in enumerate(files):
        (folder / f"f{i}").mkdir()
        path = Path(os.fsdecode(os.fsencode(folder / f"f{i}") + b"/" + os.fsencode(file.name)))
        path.write_bytes(file.content)
        paths.append(path)
    if copy:
        (folder / "copy").mkdir()
        paths.append(folder / "copy" / "again.jsonl")
        paths[-1].write_bytes(files[0].content)
    return paths


def check_ledger(result: recordings.IngestResult) -> None:
    """Rows read = loaded + rejected, in total, per file and by reason."""
    report = result.report
    assert report["rows_read"] == report["loaded"] + report["rejected"], report
    assert report["rows_read"] == sum(f["rows"] for f in report["files"])
    assert result.messages.height == report["loaded"]
    assert result.rejected.height == report["rejected"]
    assert sum(report["rejected_by_reason"].values()) == report["rejected"]
    for info in report["files"]:
        assert info["rows"] == info["loaded"] + info["rejected"], info
    reasons = set(result.rejected["reason"].to_list())
    assert reasons <= REASONS, reasons - REASONS
    assert result.rejected.schema == pl.Schema(REJECTED_SCHEMA)
    assert result.events.schema == pl.Schema(EVENTS_SCHEMA)


def printable_value(value: str | None) -> bool:
    """A value of ``rejected.csv`` as the docs promise it: at most 80 characters, without a
    control character, a lone surrogate or a line separator (each is written as its escape),
    so it cannot forge a line. A leading apostrophe that defuses a formula is not part of it."""
    if value is None:
        return True
    if value[:1] == "'" and value[1:2] in ("=", "+", "-", "@", "\t", "\r"):
        value = value[1:]
    return len(value) <= 80 and not any(unicodedata.category(c) in _UNSHOWN for c in value)


@fuzz_settings(0.25)
@given(file=recording_files(damaged=False))
def test_undamaged_recordings_load_whole(file: RecordingFile) -> None:
    """The starting point of the damage is valid: every record loads (so what the other
    tests see rejected was rejected for the damage)."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_files(Path(tmp), [file], copy=False)
        result = recordings.ingest(paths, salt=SALT)
        check_ledger(result)
        assert result.report["rejected"] == 0, result.rejected.to_dicts()
        assert result.report["loaded"] == result.report["rows_read"] > 0  # (a host's chat alone
        # makes no event: it is not a viewer's comment)
        prices = result.gifts.select("gift_id", "coins")
        assert validate(result.events, prices).is_empty()


@fuzz_settings(1.0)
@given(given_files=recordings_given, keep_ids=st.booleans())
@example(given_files=([RecordingFile("empty.jsonl", b"", "none")], False), keep_ids=False)
def test_every_record_is_loaded_or_rejected(given_files: tuple[list[RecordingFile], bool],
                                            keep_ids: bool) -> None:
    files, copy = given_files
    with tempfile.TemporaryDirectory() as tmp:
        result = ingest_files(Path(tmp), files, copy, keep_ids)
        check_ledger(result)
        if copy and files[0].content.strip():
            copied = [f for f in result.report["files"] if f.get("copy_of")]
            assert copied and copied[0]["loaded"] == 0


@fuzz_settings(0.75)
@given(given_files=recordings_given, keep_ids=st.booleans())
@example(given_files=([RecordingFile("one.jsonl", (json.dumps(connector_v1(message("heart", 0)))
                                                   + "\n").encode(), "connector-v1")], False),
         keep_ids=True)
def test_what_is_written_reads_back_valid(given_files: tuple[list[RecordingFile], bool],
                                          keep_ids: bool) -> None:
    files, copy = given_files
    with tempfile.TemporaryDirectory() as tmp:
        result = ingest_files(Path(tmp), files, copy, keep_ids)
        out = Path(tmp) / "out"
        loaded = result.report["loaded"] > 0
        recordings.write(result, out, tables=loaded)
        if loaded:
            events = Dataset.from_folder(out).table("events")
            assert events.schema == pl.Schema(EVENTS_SCHEMA)
            assert events.equals(result.events)
            prices = pl.read_parquet(out / "gifts.parquet").select("gift_id", "coins")
            problems = at_one_price(validate(events, prices), events, result.messages)
            assert problems.is_empty(), problems.join(
                events.with_row_index("row").with_columns(pl.col("row").cast(pl.Int64)), on="row")
            assert pl.read_parquet(out / "messages.parquet").height == result.report["loaded"]
        else:
            with pytest.raises(FileNotFoundError, match="lists no events table"):
                Dataset.from_folder(out)
        written = read_back_csv(out / "rejected.csv")
        assert written.columns == list(REJECTED_SCHEMA)
        assert written.height == result.rejected.height
        shown = [v for v, reason in written.select("value", "reason").iter_rows()
                 if not printable_value(v)]
        assert not shown, shown
        report = json.loads((out / "ingest.json").read_text(encoding="utf-8"))
        assert (report["rows_read"], report["loaded"], report["rejected"]) == (
            result.report["rows_read"], result.report["loaded"], result.report["rejected"])


@fuzz_settings(0.5)
@given(file=recording_files())
def test_the_command_exits_0_or_1_without_a_traceback(file: RecordingFile) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        (path,) = write_files(Path(tmp), [file], copy=False)
        out = Path(tmp) / "out"
        code, printed, err = run_cli(["ingest", str(path), "--out", str(out)])
        assert "Traceback" not in err and "Traceback" not in printed
        assert code in (0, 1), (code, err)  # 2 is for errors in the command, not in the file
        report = json.loads((out / "ingest.json").read_text(encoding="utf-8"))
        assert code == (0 if report["loaded"] else 1), (code, report["loaded"], err)
        assert len(err.splitlines()) == (0 if code == 0 else 1), err
        assert all(line.isprintable() for line in printed.splitlines())


# --- what the fuzzing found ------------------------------------------------------------------


def at_one_price(problems: pl.DataFrame, events: pl.DataFrame,
                 messages: pl.DataFrame) -> pl.DataFrame:
    """The violations of the events table, but for the documented one: a gift whose price
    changed during the recording keeps each message's price, and ``gifts.parquet`` can list
    one (the highest), so those rows differ from it (its ``prices`` column says so)."""
    rows = events.with_row_index("row").with_columns(pl.col("row").cast(pl.Int64))
    priced = messages.filter(pl.col("kind") == "gift").group_by("gift_id").agg(
        prices=pl.col("diamond_count").n_unique())
    found = problems.join(rows.select("row", "kind", "gift_id"), on="row", how="left").join(
        priced, on="gift_id", how="left")
    two_prices = (pl.col("column") == "coins") & (pl.col("prices") > 1) & pl.col(
        "problem").str.starts_with("does not equal the gift's price")
    return found.filter(~two_prices.fill_null(False)).select(problems.columns)


def ingest_files(folder: Path, files: list[RecordingFile], copy: bool,
                 keep_ids: bool) -> recordings.IngestResult:
    """Write the files into ``folder`` (the first twice under two names when ``copy``) and
    ingest them."""
    paths = write_files(folder, files, copy)
    return recordings.ingest(paths, keep_ids=keep_ids, salt=None if keep_ids else SALT)


def ingest_lines(folder: Path, *lines: str | bytes, keep_ids: bool = True
                 ) -> recordings.IngestResult:
    path = folder / "r.jsonl"
    path.write_bytes(b"".join((x if isinstance(x, bytes) else x.encode()) + b"\n" for x in lines))
    result = recordings.ingest([path], keep_ids=keep_ids, salt=None if keep_ids else SALT)
    check_ledger(result)
    return result


def test_a_like_of_zero_taps_is_rejected(tmp_path: Path) -> None:
    """Found by the fuzzing (a heart of 0 taps was loaded, which validate() refuses); fixed."""
    for count in ("0", "0.0", '"0"'):
        result = ingest_lines(tmp_path, '{"event": "like", "data": {"uniqueId": "a", '
                              f'"createTime": 1718000000000, "likeCount": {count}}}}}')
        assert result.rejected["field"].to_list() == ["count"], count
        assert validate(result.events, result.gifts.select("gift_id", "coins")).is_empty()


def test_a_number_beyond_64_bits_is_shown_cut(tmp_path: Path) -> None:
    """Was: shown whole (100 digits), above the 80 characters every value keeps to."""
    result = ingest_lines(tmp_path, '{"event": "like", "data": {"uniqueId": "a", '
                          '"createTime": 1718000000000, "likeCount": ' + "9" * 100 + "}}",
                          keep_ids=False)
    (value,) = result.rejected["value"].to_list()
    assert len(value) <= 80, (len(value), result.rejected["reason"].to_list())


def test_one_gift_at_two_prices_keeps_each_price_and_says_so(tmp_path: Path) -> None:
    """Documented: each gift row keeps its message's price; ``gifts.parquet`` lists the
    highest and how many prices were seen."""
    gift = ('{{"event": "gift", "data": {{"uniqueId": "a", "createTime": {t}, "giftId": 6064, '
            '"giftType": 2, "diamondCount": {price}, "msgId": "{t}"}}}}')
    result = ingest_lines(tmp_path, gift.format(t=1718000000000, price=100),
                          gift.format(t=1718000001000, price=200))
    assert result.report["loaded"] == 2
    assert result.events.filter(pl.col("kind") == "gift")["coins"].to_list() == [100, 200]
    assert result.gifts.select("gift_id", "coins", "prices").rows() == [(6064, 200, 2)]
