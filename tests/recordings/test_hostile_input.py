"""Hostile input to ``toolkit ingest``: one odd value rejects its record, never the file.

Each test reproduces a failure found by a hostile tester (issue 18, classes 1, 2, 8 and 9)
and checks the promise that broke: rows read = loaded + rejected, a rejection that names
file, line, field and reason, and a command that ends with its documented exit code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from toolkit import _paths, cli, recordings
from toolkit.recordings import formats

SALT = b"0123456789abcdef"
T0 = 1_718_000_000_000  # 2024-06-10 06:13:20 UTC, in ms


def like(count: object = 3, user: object = "viewer_1", **more: object) -> str:
    """One connector ``like`` line (JSON text), with any field replaced by raw JSON text."""
    data = {"uniqueId": user, "userId": "11", "createTime": T0, "likeCount": count,
            "totalLikeCount": 100, "roomId": "7300000000000000001", **more}
    return json.dumps({"event": "like", "data": data}, ensure_ascii=False)


def raw_like(field: str, raw_json: str) -> str:
    """A like line whose ``field`` holds ``raw_json`` as written (not re-encoded)."""
    marker = "__MARKER__"
    return like(**{field: marker}).replace(f'"{marker}"', raw_json)


def ingest(*paths: Path) -> recordings.IngestResult:
    result = recordings.ingest(list(paths), salt=SALT)
    report = result.report
    assert report["rows_read"] == report["loaded"] + report["rejected"]
    return result


def three_lines(path: Path, middle: str) -> Path:
    """A good like, the hostile line, another good like."""
    path.write_text("\n".join([like(3), middle, like(5)]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("depth", [900, 985, 990, 995, 5_000])
def test_a_deeply_nested_value_rejects_its_record_only(tmp_path: Path, depth: int) -> None:
    nested = "[" * depth + "]" * depth
    for field in ("likeCount", "uniqueId"):
        path = three_lines(tmp_path / f"deep-{field}.jsonl", raw_like(field, nested))
        result = ingest(path)
        assert result.report["loaded"] == 2 and result.report["rejected"] == 1
        rejected = result.rejected.row(0, named=True)
        assert rejected["line"] == 2 and rejected["file"] == str(path)
        assert len(rejected["value"] or "") <= 80  # shown, not dumped
        assert result.events["count"].sum() == 8


def test_a_lone_surrogate_in_text_rejects_its_record_with_the_field(tmp_path: Path) -> None:
    path = three_lines(tmp_path / "surrogate.jsonl", raw_like("nickname", '"\\ud800x"'))
    result = ingest(path)
    assert result.report["loaded"] == 2
    rejected = result.rejected.row(0, named=True)
    assert (rejected["reason"], rejected["field"], rejected["line"]) == (
        "not UTF-8", "nickname", 2)
    assert rejected["value"].startswith("(hidden")  # a nickname may identify a person
    kept = recordings.ingest([path], keep_ids=True).rejected.row(0, named=True)
    assert kept["value"] == "\\ud800x"  # shown escaped, so the CSV can hold it
    recordings.write(result, tmp_path / "out")  # every table and report can be written
    assert pl.read_csv(tmp_path / "out" / "rejected.csv")["reason"].to_list() == ["not UTF-8"]


def test_a_paired_surrogate_escape_is_ordinary_text(tmp_path: Path) -> None:
    path = three_lines(tmp_path / "emoji.jsonl", raw_like("nickname", '"\\ud83d\\ude00"'))
    assert ingest(path).report["rejected"] == 0


def test_any_error_while_reading_a_record_rejects_that_record(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = formats._int

    def fragile(value: object, field: str) -> int | None:
        if value == "13":
            raise ZeroDivisionError("a bug in a reader")
        return real(value, field)

    monkeypatch.setattr(formats, "_int", fragile)
    path = three_lines(tmp_path / "bug.jsonl", like("13"))
    result = ingest(path)
    assert result.report["loaded"] == 2
    rejected = result.rejected.row(0, named=True)
    assert rejected["reason"] == "unreadable record" and rejected["line"] == 2
    assert "ZeroDivisionError: a bug in a reader" in rejected["detail"]


def test_a_file_name_that_is_not_utf8_is_read_and_shown_safely(tmp_path: Path) -> None:
    if sys.platform == "darwin":  # pragma: no cover - APFS refuses such names
        pytest.skip("the file system refuses names that are not UTF-8")
    name = os.fsdecode(os.fsencode(str(tmp_path)) + b"/caf\xe9.jsonl")
    Path(name).write_text(like(3) + "\n", encoding="utf-8")
    result = ingest(Path(name))
    assert result.report["loaded"] == 1
    shown = result.report["files"][0]["file"]
    assert shown.endswith("caf\\xe9.jsonl") and shown.encode("utf-8")
    assert result.events["session_id"].n_unique() == 1
    out = tmp_path / "out"
    recordings.write(result, out)
    assert json.loads((out / "ingest.json").read_text())["files"][0]["file"] == shown


def test_a_file_name_with_a_newline_cannot_forge_report_lines(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl\nrejected, forged: 999"
    path.write_text(like(3) + "\n", encoding="utf-8")
    lines = recordings.summary_lines(ingest(path).report)
    assert not any(line.startswith("rejected, forged") for line in lines)
    assert any("x.jsonl\\nrejected, forged: 999" in line for line in lines)


def test_a_java_collector_object_on_the_first_line_does_not_hide_the_others(
        tmp_path: Path) -> None:
    from toolkit.recordings.writers import proto_message

    payload = proto_message({
        "kind": "heart", "msg_id": 1, "room_id": 7300000000000000001, "create_time_ms": T0,
        "received_ms": T0, "streamer": "creator_x", "user_id": 11, "unique_id": "viewer_1",
        "nickname": "Name", "display_key": None, "count": 7, "total": 7, "gift_id": None,
        "gift_name": None, "diamond_count": None, "gift_type": None, "repeat_count": None,
        "repeat_end": None, "group_id": None, "action": None, "follow_count": None,
        "member_count": None, "total_user": None, "content": None})
    import base64

    java = {"WebcastLikeMessage": [{"eventData": base64.b64encode(bytes(payload)).decode(),
                                    "uniqueId": "viewer_1", "ts": "2024-06-10"}]}
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join([json.dumps(java), like(3), like(5)]) + "\n", encoding="utf-8")
    result = ingest(path)
    assert result.report["rows_read"] == 3 and result.report["loaded"] == 3
    assert result.events["count"].sum() == 15


def rose(t: int, repeat: int, end: bool) -> str:
    """A Rose streak message from viewer_1 without a group id (as some clients write it)."""
    return json.dumps({"event": "gift", "data": {
        "uniqueId": "viewer_1", "userId": "11", "createTime": t, "giftId": 5655,
        "giftType": 1, "diamondCount": 1, "repeatCount": repeat, "repeatEnd": end,
        "giftName": "Rose", "roomId": "7300000000000000001"}})


def test_streaks_without_group_ids_count_when_their_final_message_is_lost(
        tmp_path: Path) -> None:
    lines = [rose(T0 + 100 * i, n, False) for i, n in enumerate([1, 2, 3])]  # no final
    lines += [rose(T0 + 1_000, 1, False), rose(T0 + 1_100, 2, True)]  # a second streak, ended
    lines += [rose(T0 + 2_000, 1, False), rose(T0 + 2_000, 1, False)]  # a third, sent twice
    path = tmp_path / "roses.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    gifts = ingest(path).events.filter(pl.col("kind") == "gift")
    assert gifts["count"].to_list() == [3, 2, 1] and gifts["coins"].sum() == 6


# --- the command line ------------------------------------------------------------------------

def test_an_abbreviated_flag_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = three_lines(tmp_path / "rec.jsonl", like(4))
    with pytest.raises(SystemExit) as stop:  # "--k" must not mean --keep-ids
        cli.main(["ingest", str(path), "--out", str(tmp_path / "o"), "--k"])
    assert stop.value.code == 2
    assert "unrecognized arguments: --k" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_unknown_claim_ids_are_refused(capsys: pytest.CaptureFixture) -> None:
    bundled = str(_paths.data_dir() / "simulated" / "baseline")
    assert cli.main(["claims", "--data", bundled, "--claims", "C13,C99"]) == 2
    err = capsys.readouterr().err
    assert "unknown claim id(s): C99" in err and "C13" in err  # the known ids are listed


def test_a_closed_pipe_ends_quietly_after_the_outputs_are_written(tmp_path: Path) -> None:
    path = three_lines(tmp_path / "rec.jsonl", like(4))
    out = tmp_path / "o"
    command = f"{sys.executable} -m toolkit ingest {path} --out {out} | true"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True,
                          text=True, timeout=120)
    assert "Traceback" not in done.stderr and "Broken pipe" not in done.stderr
    assert done.returncode == 0
    assert (out / "events.parquet").is_file() and (out / "dataset.json").is_file()


# --- outputs that must not harm inputs or the system ------------------------------------------

BAD_CSV = ("session_id,ts,kind,user_id,count,gift_id,coins\n"
           "s1,2026-01-01T00:00:00Z,heart,u,=HYPERLINK(\"\"http://x\"\"),,0\n")


def test_validate_never_overwrites_the_file_it_checks(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "x.csv"
    path.write_text(BAD_CSV)
    assert cli.main(["validate", str(path), "--rejected", str(path)]) == 2
    assert "is the file being checked" in capsys.readouterr().err
    assert path.read_text() == BAD_CSV


def test_formula_looking_cells_are_escaped_in_rejected_csv(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(BAD_CSV)
    assert cli.main(["validate", str(path), "--rejected", str(tmp_path / "r.csv")]) == 1
    text = (tmp_path / "r.csv").read_text()
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    recording = three_lines(tmp_path / "rec.jsonl", raw_like("likeCount", '"=1+2"'))
    out = tmp_path / "out"
    recordings.write(recordings.ingest([recording], keep_ids=True), out)
    values = pl.read_csv(out / "rejected.csv", infer_schema=False)["value"].to_list()
    assert values == ["'=1+2"]


def test_numbers_are_not_taken_for_formulas(tmp_path: Path) -> None:
    from toolkit.events.manifest import write_report_csv

    frame = pl.DataFrame({"value": ["-3", "+1.5e2", "-x", "@me", "plain"]})
    write_report_csv(frame, tmp_path / "r.csv")
    assert pl.read_csv(tmp_path / "r.csv", infer_schema=False)["value"].to_list() == [
        "-3", "+1.5e2", "'-x", "'@me", "plain"]


def test_a_device_or_fifo_is_never_an_output(tmp_path: Path,
                                             capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "x.csv"
    path.write_text(BAD_CSV)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for target in (fifo, Path(os.devnull)):
        assert cli.main(["validate", str(path), "--rejected", str(target)]) == 2
        assert "not a regular file" in capsys.readouterr().err
    assert Path(os.devnull).is_char_device() and fifo.is_fifo()
    recording = three_lines(tmp_path / "rec.jsonl", like(4))
    for salt in (fifo, Path(os.devnull)):  # a FIFO would hang, /dev/null would be written
        code = cli.main(["ingest", str(recording), "--out", str(tmp_path / "o"),
                         "--salt-file", str(salt)])
        assert code == 2 and "is not a regular file" in capsys.readouterr().err
    assert Path(os.devnull).is_char_device() and fifo.is_fifo()


def test_a_new_salt_file_is_private_from_the_start(tmp_path: Path) -> None:
    salt = tmp_path / "secret.salt"
    recordings.read_salt(salt)
    assert salt.stat().st_mode & 0o777 == 0o600


def test_an_input_in_the_output_folder_is_never_overwritten(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "o"
    recording = three_lines(tmp_path / "rec.jsonl", like(4))
    assert cli.main(["ingest", str(recording), "--out", str(out)]) == 0
    events = (out / "events.parquet").read_bytes()
    assert cli.main(["ingest", str(out / "events.parquet"), "--out", str(out)]) == 2
    assert "is one of the inputs" in capsys.readouterr().err
    assert (out / "events.parquet").read_bytes() == events


def test_a_folder_of_tables_ingest_did_not_write_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    pl.DataFrame({"a": [1]}).write_parquet(out / "sessions.parquet")
    recording = three_lines(tmp_path / "rec.jsonl", like(4))
    assert cli.main(["ingest", str(recording), "--out", str(out)]) == 2
    assert "not written by toolkit ingest" in capsys.readouterr().err
    assert pl.read_parquet(out / "sessions.parquet").columns == ["a"]


def test_a_table_that_is_not_parquet_is_named_not_a_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "events.parquet").write_bytes(os.urandom(5_000))
    assert cli.main(["claims", "--data", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "events.parquet: not a readable parquet file" in err and "Traceback" not in err


def test_money_commands_refuse_amounts_past_their_bound(capsys: pytest.CaptureFixture) -> None:
    for command in ("cost", "flow"):
        assert cli.main([command, str(10**22)]) == 2
        assert "at most 1,000,000,000,000,000,000" in capsys.readouterr().err


# --- tiny inputs that must not cost without bound (class 5) ----------------------------------

def viewers(t: int, total: int) -> str:
    return json.dumps({"event": "roomUser", "data": {
        "viewerCount": total, "createTime": t, "roomId": "7300000000000000001"}})


def test_two_viewer_counts_years_apart_make_two_minute_rows_not_millions(
        tmp_path: Path) -> None:
    seven_years = 7 * 365 * 24 * 3600 * 1000  # (nine would be before TikTok: rejected)
    path = tmp_path / "apart.jsonl"
    path.write_text("\n".join([viewers(T0 - seven_years, 5), like(3), viewers(T0, 7)]) + "\n")
    result = ingest(path)
    rows = result.events.filter(pl.col("kind") == "viewers")
    assert rows["count"].to_list() == [5, 7]  # each stretch keeps its own count
    assert result.sessions.height == 1


def test_viewer_minutes_within_a_stretch_are_filled(tmp_path: Path) -> None:
    path = tmp_path / "close.jsonl"
    path.write_text("\n".join([viewers(T0, 5), like(3), viewers(T0 + 20 * 60_000 + 40_000, 7)])
                    + "\n")  # T0 is 06:13:20, so the last count comes at 06:34:00
    rows = ingest(path).events.filter(pl.col("kind") == "viewers")
    assert rows.height == 22 and rows["count"].to_list() == [5] * 21 + [7]


def test_a_gzip_of_256_mib_of_blank_lines_is_read_in_seconds(tmp_path: Path) -> None:
    import gzip
    import time

    path = tmp_path / "blank.jsonl.gz"
    with gzip.open(path, "wb", compresslevel=1) as out:
        block = b"\n" * 2**24
        for _ in range(16):  # 256 MiB unpacked, 250 KB packed: 268 million blank lines
            out.write(block)
        out.write((like(3) + "\n").encode())
    started = time.perf_counter()
    result = ingest(path)
    assert time.perf_counter() - started < 20  # about 1 s; 2 min 32 s read line by line
    assert result.report["loaded"] == 1
    assert result.messages["line"].to_list() == [2**28 + 1]


def test_a_line_longer_than_the_limit_is_rejected_unread(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit.recordings import files

    monkeypatch.setattr(files, "MAX_LINE_BYTES", 2**20)
    path = tmp_path / "nul.jsonl"
    path.write_bytes(b"\0" * (5 * 2**20) + b"\n" + like(3).encode() + b"\n" + b"\0" * 2**21)
    result = ingest(path)
    assert result.report["loaded"] == 1
    assert result.rejected.select("line", "reason").rows() == [(1, "line too long"),
                                                               (3, "line too long")]


def test_a_file_past_the_unpacked_limit_stops_with_one_rejection(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit.recordings import files

    monkeypatch.setattr(files, "MAX_FILE_BYTES", 2**20)
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(like(n + 1) for n in range(20_000)) + "\n")
    result = ingest(path)
    assert 0 < result.report["loaded"] < 20_000
    assert result.rejected["reason"].to_list() == ["file too large"]


# --- one validator at every boundary (class 6) ------------------------------------------------

def test_ingest_writes_no_row_that_breaks_the_events_tables_rules(tmp_path: Path) -> None:
    from toolkit.events.schema import validate

    def event(name: str, **data: object) -> str:
        base = {"uniqueId": "a", "userId": "11", "createTime": T0,
                "roomId": "7300000000000000001", **data}
        return json.dumps({"event": name, "data": base})

    path = tmp_path / "odd.jsonl"
    path.write_text("\n".join([
        event("like", likeCount=0, totalLikeCount=5),  # a like of no taps
        event("member", actionId=1, memberCount=2**62),  # a room count near 2^63
        event("gift", giftId=-5, diamondCount=1, repeatCount=1, repeatEnd=True, giftType=2),
        event("gift", giftId=5655, diamondCount=777, repeatCount=1, repeatEnd=True, giftType=2),
        event("like", likeCount=3, totalLikeCount=9)]) + "\n")
    result = ingest(path)
    assert result.rejected.select("line", "reason", "field").rows() == [
        (1, "absurd value", "count"), (2, "absurd value", "member_count"),
        (3, "negative count", "gift_id")]
    problems = validate(result.events)  # only the Rose at the recording's price is flagged
    assert problems["problem"].to_list() == ["does not equal the gift's price x count"]
    assert result.report["rules"]["gifts_off_catalogue"] == 1
    assert any("priced otherwise than the gift catalogue" in line
               for line in recordings.summary_lines(result.report))


def test_claims_refuses_events_that_break_the_rules(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture) -> None:
    from toolkit.events.schema import EVENTS_SCHEMA

    folder = tmp_path / "bad"
    folder.mkdir()
    pl.DataFrame({"session_id": ["s1", "s1"], "ts": [T0, T0 + 1_000], "kind": ["gift", "heart"],
                  "user_id": ["u", "u"], "count": [1, 2], "gift_id": [5655, None],
                  "coins": [-1, 0]}).with_columns(
        pl.col("ts").cast(pl.Datetime("ms", "UTC"))).cast(EVENTS_SCHEMA).write_parquet(
        folder / "events.parquet")
    assert cli.main(["claims", "--data", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "row 0, coins = -1: must not be negative" in err


def test_validate_refuses_counts_whose_total_overflows(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "big.csv"
    path.write_text("session_id,ts,kind,user_id,count,gift_id,coins\n"
                    + "s1,2026-01-01T00:00:00Z,heart,u,4611686018427387904,,0\n" * 2)
    assert cli.main(["validate", str(path)]) == 2
    assert "column count: the column's total is beyond a 64-bit integer" in \
        capsys.readouterr().err


# --- found by a second hostile reading ---------------------------------------------------------

def test_ctrl_c_inside_a_compiled_kernel_is_an_interruption(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    def kernel(args: object) -> int:  # what numba raises when Ctrl-C lands inside a kernel
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as interrupt:
            raise SystemError("returned a result with an exception set") from interrupt

    parser = cli.parser()
    monkeypatch.setattr(cli, "parser", lambda: parser)
    parser._subparsers._group_actions[0].choices["simulate"].set_defaults(  # type: ignore
        run=kernel)
    assert cli.main(["simulate", "--seed", "1", "--out", "x"]) == 130
    assert "interrupted" in capsys.readouterr().err


def test_a_dataset_whose_other_tables_lack_their_columns_is_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    recording = three_lines(tmp_path / "rec.jsonl", like(4))
    out = tmp_path / "d"
    assert cli.main(["ingest", str(recording), "--out", str(out)]) == 0
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "events.parquet").write_bytes((out / "events.parquet").read_bytes())
    pl.DataFrame({"x": [1]}).write_parquet(mine / "sessions.parquet")
    capsys.readouterr()
    assert cli.main(["claims", "--data", str(mine)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "the data do not have the form this command needs" in err


def test_a_users_report_files_are_not_overwritten(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "rejected.csv").write_text("my,own,file\n")
    (out / "ingest.json").write_text('{"mine": 1}\n')
    recording = three_lines(tmp_path / "rec.jsonl", like(4))
    assert cli.main(["ingest", str(recording), "--out", str(out)]) == 2
    assert "not written by toolkit ingest" in capsys.readouterr().err
    assert (out / "rejected.csv").read_text() == "my,own,file\n"
    assert (out / "ingest.json").read_text() == '{"mine": 1}\n'


def test_inputs_that_are_not_regular_files_are_named(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # reading it would wait for a writer for ever
    for command in (["validate", str(fifo)], ["validate", os.devnull],
                    ["ingest", str(fifo), "--out", str(tmp_path / "o")]):
        assert cli.main(command) == 2
        assert "not a regular file" in capsys.readouterr().err
