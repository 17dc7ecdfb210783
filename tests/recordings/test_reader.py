"""Ingesting recordings: formats, counting rules, privacy and every kind of bad input."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit import cli, recordings
from toolkit.events.schema import EVENTS_SCHEMA, validate

pytest.importorskip("TikTokLive")
from toolkit.recordings import writers
from toolkit.recordings.writers import proto_message

SALT = b"0123456789abcdef"
T0 = 1_718_000_000_000  # 2024-06-10 06:13:20 UTC, in ms
ROOM = 7_300_000_000_000_000_001


def row(kind: str, t: int, user: int | None = 11, msg: int | None = None, **fields) -> dict:
    """One message as :func:`toolkit.recordings.writers.proto_message` and the writers take it."""
    base = {"kind": kind, "msg_id": msg if msg is not None else t, "room_id": ROOM,
            "create_time_ms": t, "received_ms": t + 300, "streamer": "creator_x",
            "user_id": user, "unique_id": None if user is None else f"viewer_{user}",
            "nickname": None if user is None else f"Name {user} ✨", "display_key": None,
            "count": None, "total": None, "gift_id": None, "gift_name": None,
            "diamond_count": None, "gift_type": None, "repeat_count": None,
            "repeat_end": None, "group_id": None, "action": None, "follow_count": None,
            "member_count": None, "total_user": None, "content": "hi"}
    base.update(fields)
    return base


def gift(t: int, n: int, end: int, user: int = 11, group: int = T0, gift_id: int = 5655,
         price: int = 1, gift_type: int = 1, msg: int | None = None) -> dict:
    return row("gift", t, user, msg, gift_id=gift_id, gift_name="Rose", diamond_count=price,
               gift_type=gift_type, repeat_count=n, repeat_end=end, group_id=group)


def own_line(message: dict, method: str | None = None, type_: str | None = None) -> dict:
    """A ``toolkit-live/1`` line with the real protobuf payload."""
    payload = base64.b64encode(bytes(proto_message(message))).decode()
    names = {"heart": "LikeEvent", "gift": "GiftEvent", "comment": "CommentEvent",
             "follow": "SocialEvent", "share": "SocialEvent", "join": "JoinEvent",
             "viewers": "RoomUserSeqEvent"}
    return {"format": "toolkit-live/1", "type": type_ or names[message["kind"]],
            "method": method, "received_ms": message["received_ms"],
            "create_time_ms": message["create_time_ms"], "msg_id": message["msg_id"],
            "room_id": message["room_id"], "raw_b64": payload}


def write_lines(path: Path, lines: list, end: bytes = b"\n") -> Path:
    chunks = [(json.dumps(x, ensure_ascii=False).encode() if not isinstance(x, bytes) else x)
              for x in lines]
    path.write_bytes(b"\n".join(chunks) + end)
    return path


def run(*paths: Path, **options) -> recordings.IngestResult:
    options.setdefault("salt", SALT)
    result = recordings.ingest(list(paths), **options)
    report = result.report
    assert report["rows_read"] == report["loaded"] + report["rejected"]
    assert result.events.schema == pl.Schema(EVENTS_SCHEMA)
    return result


def reasons(result: recordings.IngestResult) -> list[str]:
    return result.rejected["reason"].to_list()


def kinds(result: recordings.IngestResult) -> dict[str, int]:
    counts = result.events.group_by("kind").agg(pl.col("count").sum())
    return {str(k): int(v) for k, v in counts.iter_rows()}


# --- the three formats, told apart by content ------------------------------------------------

def session_messages() -> list[dict]:
    """A small LIVE: a join, hearts, a Rose streak of 3, a 100-coin gift, a follow, a share,
    a comment and viewer counts."""
    return [
        row("viewers", T0, None, total=4, total_user=4),
        row("join", T0 + 1_000, action=1, member_count=4),
        row("heart", T0 + 2_000, count=15, total=15),
        row("heart", T0 + 2_500, count=5, total=20),
        gift(T0 + 3_000, 1, 0), gift(T0 + 3_300, 2, 0), gift(T0 + 3_600, 3, 0),
        gift(T0 + 3_900, 3, 1),
        gift(T0 + 5_000, 1, 0, user=12, group=0, gift_id=6064, price=100, gift_type=2),
        row("follow", T0 + 61_000, action=1, follow_count=501,
            display_key="pm_main_follow_message_viewer_2"),
        row("share", T0 + 62_000, action=3, display_key="pm_mt_guidance_share"),
        row("comment", T0 + 63_000),
        row("viewers", T0 + 60_000, None, total=6, total_user=7),
    ]


EXPECTED = {"join": 1, "heart": 20, "gift": 4, "follow": 1, "share": 1, "comment": 1}


def test_toolkit_live_lines_decode_their_payload(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "rec.jsonl", [own_line(m) for m in session_messages()])
    result = run(path)
    got = kinds(result)
    assert {k: got[k] for k in EXPECTED} == EXPECTED
    assert result.events.filter(pl.col("kind") == "gift")["coins"].sum() == 3 + 100
    assert result.report["files"][0]["format"] == "toolkit-live/1"
    assert validate(result.events, result.gifts.select("gift_id", "coins")).is_empty()


def test_connector_v1_and_v2_give_the_same_table(tmp_path: Path) -> None:
    from toolkit.recordings.writers import write_connector

    frame = pl.DataFrame(session_messages(), infer_schema_length=None).with_columns(
        pl.col("kind").cast(EVENTS_SCHEMA["kind"]))
    one = run(write_connector(frame, tmp_path / "a.jsonl", "v1"))
    two = run(write_connector(frame, tmp_path / "b.jsonl", "v2"))
    assert one.report["files"][0]["format"] == "connector-v1"
    assert two.report["files"][0]["format"] == "connector-v2"
    for result in (one, two):
        got = kinds(result)
        assert {k: got[k] for k in EXPECTED} == EXPECTED
    assert (one.events.drop("session_id", "user_id")
            .equals(two.events.drop("session_id", "user_id")))


def test_v2_int64_values_as_strings_are_read_as_numbers(tmp_path: Path) -> None:
    line = {"event": "gift", "data": {
        "common": {"createTime": str(T0), "msgId": "9007199254740993", "roomId": str(ROOM)},
        "user": {"id": "9007199254740995", "displayId": "ann"}, "giftId": "5655",
        "repeatCount": 2, "repeatEnd": 1, "groupId": str(T0),
        "gift": {"id": "5655", "name": "Rose", "diamondCount": 1, "type": 1}}}
    result = run(write_lines(tmp_path / "a.jsonl", [line]), keep_ids=True, salt=None)
    assert result.messages["msg_id"].to_list() == [9007199254740993]  # beyond float precision
    assert result.events["user_id"].to_list() == ["9007199254740995"]
    assert result.events["coins"].to_list() == [2]


def test_java_collector_files_are_read_by_content_not_name(tmp_path: Path) -> None:
    from toolkit.recordings.writers import write_java_collector

    frame = pl.DataFrame(session_messages(), infer_schema_length=None).with_columns(
        pl.col("kind").cast(EVENTS_SCHEMA["kind"]))
    path = write_java_collector(frame, tmp_path / "samples.jsonl")  # misleading name
    result = run(path)
    assert result.report["files"][0]["format"] == "java-collector"
    got = kinds(result)
    assert {k: got[k] for k in EXPECTED} == EXPECTED
    assert result.rejected.is_empty()


def test_gzip_recordings_are_unpacked(tmp_path: Path) -> None:
    plain = write_lines(tmp_path / "rec.jsonl", [own_line(m) for m in session_messages()])
    packed = tmp_path / "rec.data"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert run(packed).events.drop("session_id").equals(run(plain).events.drop("session_id"))


# --- counting rules --------------------------------------------------------------------------

def test_a_streak_is_counted_once_with_its_highest_repeat_count(tmp_path: Path) -> None:
    lines = [own_line(gift(T0 + 300 * i, n, end)) for i, (n, end) in
             enumerate([(1, 0), (2, 0), (3, 0), (4, 0), (4, 1)])]
    result = run(write_lines(tmp_path / "r.jsonl", lines))
    gifts = result.events.filter(pl.col("kind") == "gift")
    assert gifts.select("count", "coins").rows() == [(4, 4)]  # naive sum of counts: 14
    assert result.report["rules"]["gift_messages"] == 5


def test_a_streak_whose_final_message_was_lost_still_counts(tmp_path: Path) -> None:
    lines = [own_line(gift(T0 + 300 * i, n, 0)) for i, n in enumerate([1, 2, 3])]
    result = run(write_lines(tmp_path / "r.jsonl", lines))
    assert result.events.filter(pl.col("kind") == "gift")["count"].to_list() == [3]


def test_streaks_are_keyed_by_user_gift_and_group(tmp_path: Path) -> None:
    lines = [own_line(gift(T0, 2, 1)), own_line(gift(T0 + 1, 2, 1, user=12)),
             own_line(gift(T0 + 2, 5, 1, group=T0 + 99)),
             own_line(gift(T0 + 3, 1, 1, gift_id=5827))]
    result = run(write_lines(tmp_path / "r.jsonl", lines))
    assert sorted(result.events.filter(pl.col("kind") == "gift")["count"].to_list()) == [1, 2,
                                                                                          2, 5]


def test_non_streakable_gifts_count_once_per_message(tmp_path: Path) -> None:
    lines = [own_line(gift(T0 + i, 1, 0, group=0, gift_id=6064, price=100, gift_type=2))
             for i in range(3)]
    result = run(write_lines(tmp_path / "r.jsonl", lines))
    gifts = result.events.filter(pl.col("kind") == "gift")
    assert gifts.height == 3 and gifts["coins"].sum() == 300


def test_a_repeated_message_id_is_loaded_once_and_rejected_once(tmp_path: Path) -> None:
    message = row("comment", T0)
    result = run(write_lines(tmp_path / "r.jsonl", [own_line(message), own_line(message)]))
    assert kinds(result) == {"comment": 1}
    assert reasons(result) == ["duplicate message"]
    assert result.rejected["line"].to_list() == [2]


def test_a_follow_reported_as_follow_and_social_counts_once(tmp_path: Path) -> None:
    follow = row("follow", T0, action=1, follow_count=10,
                 display_key="pm_main_follow_message_viewer_2")
    again = row("follow", T0 + 60_000, msg=T0 + 1, action=1, follow_count=11,
                display_key="pm_main_follow_message_viewer_2")
    lines = [own_line(follow, type_="FollowEvent"), own_line(follow, type_="SocialEvent"),
             own_line(again)]
    result = run(write_lines(tmp_path / "r.jsonl", lines))
    assert kinds(result) == {"follow": 1}
    assert result.report["rules"]["follow_messages"] == 2  # the copy was a duplicate message
    assert result.sessions["followers"].to_list() == [9]  # before the first follow seen


def test_hearts_keep_batches_and_the_rooms_running_total(tmp_path: Path) -> None:
    # the room total says 100 hearts arrived in this window; batches delivered only 25
    lines = [own_line(row("heart", T0, count=15, total=1_015)),
             own_line(row("heart", T0 + 5_000, user=12, count=10, total=1_100))]
    result = run(write_lines(tmp_path / "r.jsonl", lines))
    session = result.sessions.row(0, named=True)
    assert session["hearts_batches"] == 25
    assert session["hearts_room"] == 1_100 - (1_015 - 15)
    assert session["hearts_room_total"] == 1_100
    assert kinds(result) == {"heart": 25}


def test_viewer_counts_become_one_row_per_minute(tmp_path: Path) -> None:
    lines = [own_line(row("viewers", T0 + 10_000 * i, None, msg=i + 1,
                          total=10 + i, total_user=20 + i)) for i in range(14)]
    result = run(write_lines(tmp_path / "r.jsonl", lines))
    viewers = result.events.filter(pl.col("kind") == "viewers")
    # minute marks 06:13, 06:14, 06:15: the last count at or before each (the first: the
    # first count, as none came before the mark)
    assert viewers["ts"].dt.strftime("%H:%M:%S").to_list() == ["06:13:00", "06:14:00",
                                                               "06:15:00"]
    assert viewers["count"].to_list() == [10, 14, 20]
    assert result.sessions["viewers_cumulative"].to_list() == [33]


def test_server_time_is_used_and_receive_time_kept(tmp_path: Path) -> None:
    message = row("comment", T0, received_ms=T0 + 1_234)
    result = run(write_lines(tmp_path / "r.jsonl", [own_line(message)]))
    assert result.events["ts"].dt.epoch("ms").to_list() == [T0]
    assert result.messages.select("create_time_ms", "received_ms").row(0) == (T0, T0 + 1_234)
    assert str(result.events.schema["ts"]) == "Datetime(time_unit='ms', time_zone='UTC')"


def test_receive_time_stands_in_when_there_is_no_server_time(tmp_path: Path) -> None:
    line = {"event": "roomUser", "data": {"viewerCount": 7}, "receivedAt": T0}
    result = run(write_lines(tmp_path / "r.jsonl", [line]))
    assert result.messages["time_source"].to_list() == ["receive"]
    assert result.report["rules"]["receive_time_used"] == 1


def test_local_start_hour_follows_the_timezone(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "r.jsonl", [own_line(row("comment", T0))])
    assert run(path).sessions["hour"].to_list() == [6]
    assert run(path, timezone="Asia/Tokyo").sessions["hour"].to_list() == [15]


# --- privacy ---------------------------------------------------------------------------------

def test_ids_and_names_are_pseudonymised_and_the_salt_stays_outside(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "rec.jsonl", [own_line(m) for m in session_messages()])
    out = tmp_path / "out"
    assert cli.main(["ingest", str(path), "--out", str(out)]) == 0
    salt_file = tmp_path / "out.salt"
    assert salt_file.is_file() and not list(out.glob("*salt*"))
    blob = b"".join(p.read_bytes() for p in out.iterdir())
    for secret in (b"viewer_11", b"Name 11", b"creator_x", str(ROOM).encode(), b"11\"",
                   salt_file.read_text().strip().encode()):
        assert secret not in blob, secret
    events = pl.read_parquet(out / "events.parquet")
    assert events["user_id"].drop_nulls().str.contains(r"^u[0-9a-f]{12}$").all()
    # the same salt gives the same pseudonyms; another salt other ones
    again = run(path, salt=bytes.fromhex(salt_file.read_text()))
    assert again.events["user_id"].to_list() == events["user_id"].to_list()
    assert run(path, salt=b"x" * 16).events["user_id"].to_list() != events["user_id"].to_list()


def test_keep_ids_keeps_them(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "rec.jsonl", [own_line(m) for m in session_messages()])
    result = run(path, keep_ids=True, salt=None)
    assert "11" in result.events["user_id"].to_list()
    assert "viewer_11" in result.messages["unique_id"].to_list()
    with pytest.raises(ValueError, match="salt"):
        recordings.ingest([path])


def test_the_salt_file_may_not_sit_in_the_output(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "rec.jsonl", [own_line(row("comment", T0))])
    out = tmp_path / "out"
    assert cli.main(["ingest", str(path), "--out", str(out),
                     "--salt-file", str(out / "salt")]) == 2


# --- bad input: each case loaded or rejected with file, line and reason ----------------------

def test_truncated_last_line(tmp_path: Path) -> None:
    good = own_line(row("comment", T0))
    path = write_lines(tmp_path / "r.jsonl", [good, json.dumps(good)[:40].encode()], end=b"")
    result = run(path)
    assert reasons(result) == ["truncated last line"]
    assert result.rejected.select("file", "line").row(0) == (str(path), 2)
    assert kinds(result) == {"comment": 1}


def test_a_file_that_only_looks_like_gzip(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_bytes(b"\x1f\x8b not really")
    result = run(path)
    assert reasons(result) == ["damaged compressed file"] and result.report["rows_read"] == 1


def test_truncated_gzip_file(tmp_path: Path) -> None:
    lines = [own_line(row("comment", T0 + i, msg=i + 1)) for i in range(200)]
    packed = gzip.compress(b"\n".join(json.dumps(x).encode() for x in lines) + b"\n")
    path = tmp_path / "r.jsonl.gz"
    path.write_bytes(packed[: len(packed) * 2 // 3])
    result = run(path)
    assert reasons(result)[-1] == "truncated last line"
    assert 0 < result.report["loaded"] < 200


def test_malformed_json_in_the_middle(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "r.jsonl", [own_line(row("comment", T0)), b"{not json",
                                              own_line(row("comment", T0 + 1))])
    result = run(path)
    assert reasons(result) == ["malformed JSON"] and result.rejected["line"].to_list() == [2]
    assert kinds(result) == {"comment": 2}


@pytest.mark.parametrize("data, field", [
    ({"likeCount": "many", "uniqueId": "a", "createTime": T0}, "count"),
    ({"likeCount": [5], "uniqueId": "a", "createTime": T0}, "count"),
    ({"likeCount": 1.5, "uniqueId": "a", "createTime": T0}, "count"),
    ({"likeCount": 5, "uniqueId": {"a": 1}, "createTime": T0}, "unique_id"),
    ({"likeCount": 5, "uniqueId": "a", "createTime": "yesterday"}, "createTime"),
])
def test_wrong_types(tmp_path: Path, data: dict, field: str) -> None:
    result = run(write_lines(tmp_path / "r.jsonl", [{"event": "like", "data": data}]))
    assert reasons(result) == ["wrong type"]
    assert result.rejected["field"].to_list() == [field]


def test_the_hosts_chat_is_not_a_comment_and_its_mentions_are_replies(tmp_path: Path) -> None:
    """The host (told by user_identity.is_anchor) answering a viewer by name is a reply to
    that viewer, under the viewer's pseudonym; a host chat without a mention is neither."""
    host = dict(user=900, unique_id="creator_x", is_host=1)
    messages = [
        row("viewers", T0, None, total=4, total_user=4),
        row("comment", T0 + 1_000, content="hello!"),
        row("comment", T0 + 2_000, **host, content="@viewer_11 thanks!", at_user_id=11,
            at_unique_id="viewer_11"),
        row("comment", T0 + 3_000, **host, content="welcome all"),
        row("viewers", T0 + 60_000, None, total=5, total_user=6),
    ]
    for name, lines in (("own.jsonl", [own_line(m) for m in messages]), ("v2.jsonl", None)):
        path = tmp_path / name
        if lines is None:
            path = writers.write_connector(pl.DataFrame(messages, infer_schema_length=None),
                                           path)
        else:
            write_lines(path, lines)
        result = run(path)
        assert kinds(result)["comment"] == 1, name
        assert result.report["rules"]["host_messages"] == 2
        assert result.replies.height == result.report["rules"]["reply_rows"] == 1
        viewer = result.events.filter(pl.col("kind") == "comment")["user_id"].item()
        assert result.replies["user_id"].item() == viewer
        assert result.replies["ts"].item() == dt.datetime.fromtimestamp((T0 + 2_000) / 1000,
                                                                        dt.UTC)


def test_without_the_host_flag_the_streamers_own_handle_tells_the_host(tmp_path: Path) -> None:
    lines = [row("comment", T0, content="hi"),
             row("comment", T0 + 1_000, user=900, unique_id="@creator_x", at_user_id=11,
                 at_unique_id="viewer_11")]
    result = run(write_lines(tmp_path / "r.jsonl",
                             [{"event": "chat", "data": {**writers._connector_v2(m)},
                               "receivedAt": m["received_ms"]} for m in lines]))
    # a connector file names no streamer: the handle cannot tell, so both are comments
    assert kinds(result)["comment"] == 2 and result.replies.is_empty()
    own = [{**own_line(m), "streamer": "creator_x"} for m in lines]
    marker = {"format": "toolkit-live/1", "type": "ConnectEvent", "received_ms": T0 - 1000,
              "streamer": "creator_x", "room_id": ROOM}
    result = run(write_lines(tmp_path / "own.jsonl", [marker, *own]))
    assert kinds(result)["comment"] == 1 and result.replies.height == 1


@pytest.mark.parametrize("identity, field", [({"isAnchor": "yes"}, "is_host"),
                                             ({"isAnchor": [1]}, "is_host")])
def test_a_host_flag_of_the_wrong_type_rejects_its_record(tmp_path: Path, identity: dict,
                                                          field: str) -> None:
    data = {"common": {"createTime": str(T0), "msgId": "5"}, "user": {"id": "9"},
            "content": "hi", "userIdentity": identity}
    result = run(write_lines(tmp_path / "r.jsonl", [{"event": "chat", "data": data}]))
    assert reasons(result) == ["wrong type"]
    assert result.rejected["field"].to_list() == [field]


def test_a_connector_line_whose_data_is_not_an_object(tmp_path: Path) -> None:
    result = run(write_lines(tmp_path / "r.jsonl", [{"event": "like", "data": [1, 2]}]))
    assert reasons(result) == ["wrong type"] and result.rejected["field"].to_list() == ["data"]


def test_unknown_event_types(tmp_path: Path) -> None:
    lines = [{"event": "teleport", "data": {}},
             {"format": "toolkit-live/1", "type": "TeleportEvent", "received_ms": T0},
             {"format": "toolkit-live/1", "type": "X", "method": "WebcastTeleportMessage"},
             {"WebcastTeleportMessage": [{"eventData": "AA=="}]} | {"note": 1}]
    result = run(write_lines(tmp_path / "r.jsonl", lines))
    # the last line is a Java collector's object: each of its entries is a record
    assert reasons(result) == ["unknown event type"] * 4 + ["wrong type"]
    assert result.rejected["item"].to_list()[3:] == ["WebcastTeleportMessage[0]", "note"]


def test_known_events_the_table_does_not_hold_are_kept_as_messages(tmp_path: Path) -> None:
    line = {"format": "toolkit-live/1", "type": "EmoteChatEvent",
            "method": "WebcastEmoteChatMessage", "received_ms": T0,
            "raw_b64": base64.b64encode(bytes(proto_message(row("comment", T0)))).decode()}
    result = run(write_lines(tmp_path / "r.jsonl", [line]))
    assert result.report["loaded"] == 1 and result.events.is_empty()
    assert result.report["rules"]["other_messages"] == 1


@pytest.mark.parametrize("payload, detail", [("not base64!!", "not valid base64"),
                                             (base64.b64encode(b"\xff\xff\xff").decode(),
                                              "not a WebcastGiftMessage")])
def test_payload_that_does_not_decode(tmp_path: Path, payload: str, detail: str) -> None:
    own = own_line(gift(T0, 1, 1)) | {"raw_b64": payload}
    java = {"WebcastGiftMessage": [{"eventData": payload, "uniqueId": "x", "ts": "2024-06-10"}]}
    for name, content in (("own.jsonl", [own]), ("java.json", [java])):
        result = run(write_lines(tmp_path / name, content))
        assert reasons(result) == ["payload does not decode"], name
        assert detail in result.rejected["detail"][0]


@pytest.mark.parametrize("message, reason", [
    (row("heart", T0, count=-3, total=5), "negative count"),
    (gift(T0, -2, 1), "negative count"),
    (row("heart", T0, count=50_000, total=60_000), "absurd value"),
    (gift(T0, 3, 1, price=5_000_000), "absurd value"),
    (row("viewers", T0, None, total=900_000_000, total_user=900_000_000), "absurd value"),
    (row("heart", T0, count=2**63, total=5), "absurd value"),  # beyond 64 bits
    (row("comment", 86_400_000), "time out of range"),
    (row("comment", 4_102_444_800_000), "time out of range"),  # the year 2100
])
def test_negative_or_absurd_values(tmp_path: Path, message: dict, reason: str) -> None:
    line = {"event": {"heart": "like", "gift": "gift", "viewers": "roomUser",
                      "comment": "chat"}[message["kind"]], "data": {
        "common": {"createTime": str(message["create_time_ms"]), "msgId": "1"},
        "user": {"id": "5", "displayId": "a"}, "count": message["count"],
        "total": message["total"], "giftId": message["gift_id"],
        "repeatCount": message["repeat_count"], "repeatEnd": message["repeat_end"],
        "groupId": message["group_id"],
        "gift": {"diamondCount": message["diamond_count"], "type": 1},
        "totalUser": message["total_user"]}}
    result = run(write_lines(tmp_path / "r.jsonl", [line]))
    assert reasons(result) == [reason]


def test_unknown_gift_without_a_price(tmp_path: Path) -> None:
    line = {"event": "gift", "data": {"common": {"createTime": str(T0)}, "uniqueId": "a",
                                      "giftId": 99_999_999, "repeatCount": 1}}
    assert reasons(run(write_lines(tmp_path / "r.jsonl", [line]))) == ["unknown gift"]


def test_out_of_order_events_are_sorted_and_counted(tmp_path: Path) -> None:
    lines = [own_line(row("comment", T0 + 5_000)), own_line(row("comment", T0)),
             own_line(row("comment", T0 + 9_000))]
    result = run(write_lines(tmp_path / "r.jsonl", lines))
    assert result.events["ts"].is_sorted()
    assert result.report["rules"]["out_of_order"] == 1
    assert validate(result.events).is_empty()


def test_duplicated_events_across_files(tmp_path: Path) -> None:
    lines = [own_line(m) for m in session_messages()]
    one = write_lines(tmp_path / "a.jsonl", lines)
    two = write_lines(tmp_path / "b.jsonl", lines[::-1])  # the same messages, other bytes
    result = run(one, two)
    got = kinds(result)
    assert {k: got[k] for k in EXPECTED} == EXPECTED
    assert reasons(result) == ["duplicate message"] * len(lines)


def test_a_copy_of_a_file_is_rejected_record_by_record(tmp_path: Path) -> None:
    """Hearts without message ids would count twice if a copy were read again."""
    lines = [{"event": "like", "data": {"uniqueId": "a", "likeCount": 5, "createTime": T0 + i}}
             for i in range(4)]
    one = write_lines(tmp_path / "a.jsonl", lines)
    copy = tmp_path / "elsewhere" / "copy.jsonl"
    copy.parent.mkdir()
    copy.write_bytes(one.read_bytes())
    result = run(one, copy)
    assert kinds(result)["heart"] == 20
    assert reasons(result) == ["duplicate file"] * 4
    assert result.report["files"][1]["copy_of"] == str(one)
    assert any("every record rejected" in line
               for line in recordings.summary_lines(result.report))


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    lines = [{"event": "like", "data": {"uniqueId": "a", "likeCount": 5, "createTime": T0}}]
    one = write_lines(tmp_path / "a.jsonl", lines)
    result = run(one, tmp_path / "." / "a.jsonl", one)
    assert result.report["rows_read"] == 1 and kinds(result)["heart"] == 5
    assert len(result.report["repeated_paths"]) == 2 and not reasons(result)


def test_files_of_one_name_in_two_folders_are_two_lives(tmp_path: Path) -> None:
    """Without room ids or a streamer, two creators' live.jsonl are still two sessions."""
    paths = []
    for creator in ("alice", "bob"):
        (tmp_path / creator).mkdir()
        paths.append(write_lines(tmp_path / creator / "live.jsonl", [
            {"event": "chat", "data": {"uniqueId": f"fan_of_{creator}", "comment": "hi",
                                       "createTime": T0}}]))
    result = run(*paths, keep_ids=True, salt=None)
    assert sorted(result.sessions["session_id"].to_list()) == ["file:alice/live.jsonl",
                                                               "file:bob/live.jsonl"]
    moved = tmp_path / "moved"
    moved.mkdir()
    for path in paths:  # the same keys wherever the folders lie
        (moved / path.parent.name).mkdir()
        (moved / path.parent.name / "live.jsonl").write_bytes(path.read_bytes())
    again = run(*(moved / p.parent.name / "live.jsonl" for p in paths), keep_ids=True,
                salt=None)
    assert again.sessions["session_id"].to_list() == result.sessions["session_id"].to_list()


def test_an_id_of_zero_is_unknown(tmp_path: Path) -> None:
    """Room id 0 does not join LIVEs weeks apart; message id 0 does not make copies."""
    week = 7 * 24 * 3600 * 1000
    lines = [{"event": "chat", "data": {"common": {"roomId": "0", "msgId": "0",
                                                   "createTime": str(T0 + t)},
                                        "user": {"id": "0", "displayId": f"v{t}"},
                                        "content": "hi"}}
             for t in (0, 1000, week, week + 1000)]
    result = run(write_lines(tmp_path / "r.jsonl", lines), keep_ids=True, salt=None)
    assert not reasons(result) and kinds(result)["comment"] == 4
    assert result.sessions.height == 2  # split at the silence, as without a room id
    assert result.events["user_id"].drop_nulls().n_unique() == 4  # handles, not id 0


def test_several_rooms_in_one_file_become_sessions(tmp_path: Path) -> None:
    lines = [own_line(row("comment", T0)), own_line(row("comment", T0 + 1, room_id=ROOM + 1)),
             own_line(row("comment", T0 + 2, msg=7))]
    result = run(write_lines(tmp_path / "r.jsonl", lines), keep_ids=True, salt=None)
    assert result.sessions["session_id"].to_list() == [str(ROOM), str(ROOM + 1)]
    assert result.events.group_by("session_id").len().sort("session_id")["len"].to_list() == [
        2, 1]


def test_non_utf8_bytes(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "r.jsonl", [own_line(row("comment", T0)),
                                              b'{"event": "chat", "data": {"x": "\xff\xfe"}}'])
    result = run(path)
    assert reasons(result) == ["not UTF-8"]
    assert result.rejected.select("line", "value").row(0) == (2, "0xff")


def test_empty_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.jsonl"
    blank.write_bytes(b"\n\n  \n")
    result = run(empty, blank)
    assert result.report["rows_read"] == 0 and result.events.is_empty()
    assert [f["format"] for f in result.report["files"]] == ["empty", "empty"]
    assert cli.main(["ingest", str(empty), "--out", str(tmp_path / "o")]) == 1
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [
        "dataset.json", "ingest.json", "rejected.csv"]


def test_nothing_loaded_still_says_why(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "table.csv"
    path.write_text("session_id,ts,kind\ns1,2024-01-01,join\n")
    out = tmp_path / "o"
    assert cli.main(["ingest", str(path), "--out", str(out)]) == 1
    assert "nothing loaded" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["dataset.json", "ingest.json", "rejected.csv"]
    assert pl.read_csv(out / "rejected.csv")["line"].to_list() == [1, 2]


def test_a_missing_file_is_an_error_naming_it(tmp_path: Path,
                                              capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["ingest", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path)]) == 2
    assert "nope.jsonl" in capsys.readouterr().err


def test_the_command_prints_rows_read_loaded_and_rejected_by_reason(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = write_lines(tmp_path / "r.jsonl", [own_line(row("comment", T0)), b"{oops",
                                              own_line(row("comment", T0))])
    assert cli.main(["ingest", str(path), "--out", str(tmp_path / "o")]) == 0
    printed = capsys.readouterr().out
    assert "read 3 records from 1 file(s) = loaded 1 + rejected 2" in printed
    assert "rejected, malformed JSON: 1" in printed and "rejected, duplicate message: 1" in printed
    written = pl.read_csv(tmp_path / "o" / "rejected.csv")
    assert written.select("line", "reason").rows() == [(2, "malformed JSON"),
                                                       (3, "duplicate message")]
    report = json.loads((tmp_path / "o" / "ingest.json").read_text())
    assert report["rows_read"] == 3 and report["rejected_by_reason"]["malformed JSON"] == 1


_VALID = [own_line(m) for m in session_messages()]
_LINES = st.one_of(
    st.sampled_from(_VALID).map(lambda x: json.dumps(x, ensure_ascii=False).encode()),
    st.binary(max_size=40).filter(lambda b: b"\n" not in b),
    st.text(max_size=30).map(lambda s: s.replace("\n", " ").encode()),
    st.builds(lambda k, v: json.dumps({"event": "like", "data": {k: v}}).encode(),
              st.sampled_from(["likeCount", "uniqueId", "createTime", "common"]),
              st.one_of(st.integers(), st.text(max_size=5), st.none(), st.lists(st.integers()))),
    st.builds(lambda k, v: json.dumps({"format": "toolkit-live/1", "type": "GiftEvent",
                                       "received_ms": T0, k: v}).encode(),
              st.sampled_from(["raw_b64", "method", "received_ms", "type", "format"]),
              st.one_of(st.integers(), st.text(max_size=8), st.none(),
                        st.binary(max_size=30).map(lambda b: base64.b64encode(b).decode()))),
)


@given(lines=st.lists(_LINES, max_size=25), newline=st.booleans())
def test_every_record_is_loaded_or_rejected(tmp_path_factory, lines, newline) -> None:
    path = tmp_path_factory.mktemp("h") / "r.jsonl"
    content = b"\n".join(lines) + (b"\n" if newline else b"")
    path.write_bytes(content)
    result = run(path)  # the invariant rows read = loaded + rejected is checked inside
    if content[:2] == b"\x1f\x8b":  # looks like gzip but is not: one damaged record
        assert result.report["rows_read"] == 1 and result.report["rejected"] == 1
    else:
        assert result.report["rows_read"] == sum(1 for x in lines if x.strip())


def test_command_errors_are_clear(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = write_lines(tmp_path / "r.jsonl", [own_line(row("comment", T0))])
    taken = tmp_path / "taken"
    taken.write_text("x")
    for args, words in ((["--out", str(taken)], "not a folder"),
                        (["--out", str(tmp_path / "o"), "--timezone", "Mars/Olympus"],
                         "unknown time zone"),
                        ([str(tmp_path), "--out", str(tmp_path / "o")], "is a folder")):
        assert cli.main(["ingest", str(path), *args]) == 2
        assert words in capsys.readouterr().err


def test_pseudonyms_do_not_depend_on_where_the_files_lie(tmp_path: Path) -> None:
    line = {"event": "chat", "data": {"uniqueId": "a", "createTime": T0, "comment": "hi"}}
    one = write_lines(tmp_path / "live.jsonl", [line])  # v1 lines carry no room id
    (tmp_path / "elsewhere").mkdir()
    two = write_lines(tmp_path / "elsewhere" / "live.jsonl", [line])
    assert run(one).events.equals(run(two).events)


def test_a_failed_run_removes_the_tables_of_an_earlier_one(tmp_path: Path) -> None:
    good = write_lines(tmp_path / "good.jsonl", [own_line(row("comment", T0))])
    bad = write_lines(tmp_path / "bad.jsonl", [b"{oops"])
    out = tmp_path / "o"
    assert cli.main(["ingest", str(good), "--out", str(out)]) == 0
    assert (out / "events.parquet").is_file()
    assert cli.main(["ingest", str(bad), "--out", str(out)]) == 1
    assert sorted(p.name for p in out.iterdir()) == ["dataset.json", "ingest.json", "rejected.csv"]
    assert json.loads((out / "ingest.json").read_text())["loaded"] == 0


def test_copies_in_files_without_room_ids_are_duplicates(tmp_path: Path) -> None:
    line = {"event": "chat", "data": {"uniqueId": "a", "createTime": T0, "msgId": "77"}}
    one = write_lines(tmp_path / "one.jsonl", [line])
    two = write_lines(tmp_path / "backup.jsonl", [line], end=b"\n\n")  # not a byte copy
    result = run(one, two)
    assert kinds(result) == {"comment": 1} and reasons(result) == ["duplicate message"]


def test_a_damaged_gzip_file_does_not_stop_the_others(tmp_path: Path) -> None:
    lines = [own_line(row("comment", T0 + i, msg=i + 1)) for i in range(300)]
    packed = bytearray(gzip.compress(b"\n".join(json.dumps(x).encode() for x in lines)))
    packed[len(packed) // 2: len(packed) // 2 + 50] = bytes(50)
    broken = tmp_path / "broken.jsonl.gz"
    broken.write_bytes(bytes(packed))
    good = write_lines(tmp_path / "good.jsonl", [own_line(row("share", T0, msg=9_999,
                                                             action=3))])
    result = run(broken, good)
    assert "damaged compressed file" in reasons(result)
    assert kinds(result).get("share") == 1


@pytest.mark.parametrize("text", ['{"event": "like", "data": {"likeCount": "%s"}}',
                                  '{"event": "like", "data": {"likeCount": %s}}'])
def test_numbers_of_thousands_of_digits(tmp_path: Path, text: str) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(text % ("9" * 5000) + "\n")
    result = run(path, write_lines(tmp_path / "ok.jsonl", [own_line(row("comment", T0))]))
    assert reasons(result)[0] in ("absurd value", "malformed JSON")
    assert kinds(result) == {"comment": 1}


def test_rejected_values_that_may_identify_people_are_hidden(tmp_path: Path) -> None:
    lines = [b'{"event": "member", "data": {"userId": "6064313604426464386"',
             {"event": "like", "data": {"likeCount": 1, "nickname": ["Secret Name"],
                                        "createTime": T0}}]
    path = write_lines(tmp_path / "r.jsonl", lines)
    hidden = run(path).rejected["value"].to_list()
    assert not any("6064313604426464386" in v or "Secret" in v for v in hidden)
    shown = run(path, keep_ids=True, salt=None).rejected["value"].to_list()
    assert any("Secret Name" in v for v in shown)


@pytest.mark.parametrize("content", ["", "00", "hello", "00" * 15])
def test_a_weak_or_broken_salt_file_is_refused(tmp_path: Path, content: str) -> None:
    salt = tmp_path / "my.salt"
    salt.write_text(content)
    with pytest.raises(ValueError, match="my.salt"):
        recordings.read_salt(salt)


def test_bools_are_not_counts(tmp_path: Path) -> None:
    line = {"event": "like", "data": {"likeCount": True, "uniqueId": "a", "createTime": T0}}
    assert reasons(run(write_lines(tmp_path / "r.jsonl", [line]))) == ["wrong type"]


def test_a_broken_java_file_is_one_rejected_record(tmp_path: Path) -> None:
    from toolkit.recordings.writers import write_java_collector

    frame = pl.DataFrame(session_messages(), infer_schema_length=None).with_columns(
        pl.col("kind").cast(EVENTS_SCHEMA["kind"]))
    whole = write_java_collector(frame, tmp_path / "java.json").read_bytes()
    cut = tmp_path / "cut.json"
    cut.write_bytes(whole[: len(whole) // 2])
    result = run(cut)
    assert result.report["rows_read"] == 1 and reasons(result) == ["malformed JSON"]
    odd = json.loads(whole) | {"WebcastChatMessage": {"oops": 1}}
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(odd))
    result = run(path)
    assert reasons(result) == ["wrong type"] and result.report["loaded"] > 5


def test_without_room_ids_a_long_silence_starts_a_new_session(tmp_path: Path) -> None:
    day = 86_400_000
    lines = [{"event": "chat", "data": {"uniqueId": "a", "createTime": T0 + t, "msgId": str(i)}}
             for i, t in enumerate([0, 60_000, day, day + 60_000])]
    result = run(write_lines(tmp_path / "two-days.jsonl", lines))
    assert result.sessions.height == 2
    assert result.events.group_by("session_id").len()["len"].to_list() == [2, 2]


@pytest.mark.parametrize("count", ["\u00b2", "--5", "\u0665", "5\u00b2"])
def test_a_count_that_only_looks_like_digits_rejects_its_record(tmp_path, count: str) -> None:
    # str.isdigit() takes superscripts and Arabic-Indic digits, and lstrip("-") two minus
    # signs; int() refuses them all: the record is rejected, the file still read
    path = tmp_path / "odd.jsonl"
    path.write_text(json.dumps({"event": "like", "data": {"likeCount": count}}) + "\n"
                    + json.dumps({"event": "like", "data": {"likeCount": 3}}) + "\n")
    result = recordings.ingest([path], salt=bytes(16))
    report = result.report
    assert report["rows_read"] == report["loaded"] + report["rejected"] == 2
    first = result.rejected.filter(pl.col("line") == 1).row(0, named=True)
    assert (first["field"], first["reason"], first["value"]) == ("count", "wrong type", count)
    assert result.rejected.filter(pl.col("line") == 2)["field"].to_list() != ["count"]
