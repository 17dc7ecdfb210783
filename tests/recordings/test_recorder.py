"""The recorder writes real tiktoklive 7.0.1 events as toolkit-live/1 JSON Lines.

Events are built offline (no network) inside functions: a module-level name ``common`` would
break their construction (pydantic resolves the forward ref ``common.Text`` in our globals).
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("TikTokLive")

from TikTokLive import TikTokLiveClient  # noqa: E402
from TikTokLive import events as tl  # noqa: E402
from TikTokLive.proto import CommonMessageData, ExtendedGift, ExtendedUser  # noqa: E402
from TikTokLiveProto.v3.webcast.model.message.common import Text  # noqa: E402

from toolkit.recordings import recorder

ROOM = 7309128470994258694
T0 = 1_718_000_000_000  # server time of the first event, ms
STREAK = 1_718_000_000_123  # a gift streak's group_id


def _msg(method: str, msg_id: int, offset_ms: int, key: str | None = None) -> CommonMessageData:
    shown = None if key is None else Text(key=key)
    return CommonMessageData(method=method, msg_id=msg_id, room_id=ROOM,
                             create_time=T0 + offset_ms, display_text=shown)


def _alice() -> ExtendedUser:
    return ExtendedUser(id=6913894233900516358, nickname="⚔️ Ålice 🌸", display_id="alice_01")


def _bob() -> ExtendedUser:
    return ExtendedUser(id=42, nickname="Bob", display_id="bob")


def _rose_streak() -> list[tl.GiftEvent]:
    rose = ExtendedGift(id=5655, name="Rose", diamond_count=1, type=1)
    return [tl.GiftEvent(common=_msg("WebcastGiftMessage", 200 + n, 10 + n), gift_id=5655,
                         repeat_count=count, repeat_end=end, group_id=STREAK, user=_bob(),
                         gift=rose)
            for n, (count, end) in enumerate([(1, 0), (2, 0), (3, 0), (3, 1)])]


def _session() -> list[Any]:
    """One LIVE as the client emits it (proto events and Connect/Disconnect)."""
    big = ExtendedGift(id=6064, name="GG", diamond_count=1000, type=2)
    parsed = tl.GiftEvent().parse(bytes(tl.GiftEvent(
        common=_msg("WebcastGiftMessage", 205, 20), gift_id=6064, repeat_count=1,
        user=_alice(), gift=big)))
    return [
        tl.ConnectEvent(unique_id="creator_1", room_id=ROOM),
        tl.LikeEvent(common=_msg("WebcastLikeMessage", 101, 1), count=15, total=12345,
                     user=_alice()),
        *_rose_streak(),
        tl.GiftEvent(common=_msg("WebcastGiftMessage", 210, 15), gift_id=6064,
                     repeat_count=1, repeat_end=0, group_id=0, user=_alice(), gift=big),
        # method left empty: the recorder looks it up from the class
        tl.CommentEvent(common=_msg("", 401, 30), content="héllo 世界 🎉", user=_alice()),
        tl.SocialEvent(common=_msg("WebcastSocialMessage", 301, 40,
                                   "pm_main_follow_message_viewer_2"),
                       action=1, follow_count=1000, share_count=0, user=_bob()),
        tl.JoinEvent(common=_msg("WebcastMemberMessage", 501, 50), member_count=57, action=1,
                     user=_bob()),
        tl.RoomUserSeqEvent(common=_msg("WebcastRoomUserSeqMessage", 601, 60), total=1565,
                            total_user=44730),
        tl.ControlEvent(action=3),  # no common at all
        parsed,
        tl.DisconnectEvent(),
    ]


def _clock(start: int = 1_700_000_000_000):
    ticks = iter(range(start, start + 10_000))
    return lambda: next(ticks)


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _emit_like_the_client(client: TikTokLiveClient, events: list[Any]) -> None:
    """Emit as client.py does per message: custom event, WebsocketResponseEvent, proto event."""
    async def go() -> None:
        for ev in events:
            if isinstance(ev, tl.SocialEvent):
                follow = tl.FollowEvent().parse(bytes(ev))
                client.emit(follow.get_type(), follow)
            if isinstance(ev, tl.ControlEvent) and ev.action in (3, 4):
                end = tl.LiveEndEvent().parse(bytes(ev))
                client.emit(end.get_type(), end)
            if hasattr(type(ev), "__bytes__"):
                client.emit("WebsocketResponseEvent", tl.WebsocketResponseEvent())
            client.emit(ev.get_type(), ev)
            await asyncio.sleep(0)
        for _ in range(3):
            await asyncio.sleep(0)
    asyncio.run(go())


@pytest.fixture
def recorded(tmp_path: Path) -> tuple[list[Any], list[dict[str, Any]], dict[str, int]]:
    """The session recorded through a real (never connected) TikTokLiveClient."""
    events = _session()
    client = TikTokLiveClient(unique_id="x")
    out = tmp_path / "live.jsonl"
    with recorder.Recorder(out, clock=_clock()) as rec:
        rec.attach(client)
        _emit_like_the_client(client, events)
    return events, _lines(out), rec.counts


COMMON = {"format", "type", "method", "received_ms", "create_time_ms", "msg_id", "room_id",
          "raw_b64"}
USER = {"user_id", "unique_id", "nickname"}
ALICE = {"user_id": 6913894233900516358, "unique_id": "alice_01", "nickname": "⚔️ Ålice 🌸"}
BOB = {"user_id": 42, "unique_id": "bob", "nickname": "Bob"}


def _without_raw(line: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in line.items() if k != "raw_b64"}


def test_one_line_per_event_in_order_with_the_clock(recorded) -> None:
    events, lines, counts = recorded
    assert [ln["type"] for ln in lines] == [type(ev).__name__ for ev in events]
    assert [ln["received_ms"] for ln in lines] == list(range(1_700_000_000_000,
                                                            1_700_000_000_000 + len(events)))
    assert all(ln["format"] == "toolkit-live/1" for ln in lines)
    assert counts == {"ConnectEvent": 1, "LikeEvent": 1, "GiftEvent": 6, "CommentEvent": 1,
                      "SocialEvent": 1, "JoinEvent": 1, "RoomUserSeqEvent": 1,
                      "ControlEvent": 1, "DisconnectEvent": 1}


def test_connect_and_disconnect_lines(recorded) -> None:
    _, lines, _ = recorded
    version = metadata.version
    assert lines[0] == {"format": "toolkit-live/1", "type": "ConnectEvent", "method": None,
                        "received_ms": 1_700_000_000_000, "create_time_ms": None,
                        "msg_id": None, "room_id": ROOM, "raw_b64": None,
                        "streamer": "creator_1",
                        "recorder": f"toolkit {version('live-engagement-toolkit')} / tiktoklive "
                                    f"{version('tiktoklive')}"}
    assert lines[0]["recorder"].endswith("tiktoklive 7.0.1")
    assert _without_raw(lines[-1]) == {"format": "toolkit-live/1", "type": "DisconnectEvent",
                                       "method": None, "received_ms": lines[-1]["received_ms"],
                                       "create_time_ms": None, "msg_id": None,
                                       "room_id": None}
    assert lines[-1]["raw_b64"] is None


def test_like_line(recorded) -> None:
    _, lines, _ = recorded
    assert _without_raw(lines[1]) == {
        "format": "toolkit-live/1", "type": "LikeEvent", "method": "WebcastLikeMessage",
        "received_ms": 1_700_000_000_001, "create_time_ms": T0 + 1, "msg_id": 101,
        "room_id": ROOM, **ALICE, "count": 15, "total": 12345}


def test_gift_streak_and_single_gift(recorded) -> None:
    _, lines, _ = recorded
    gifts = [ln for ln in lines if ln["type"] == "GiftEvent"]
    keys = COMMON | USER | {"gift_id", "repeat_count", "repeat_end", "group_id", "gift_name",
                            "diamond_count", "gift_type"}
    assert all(set(ln) == keys for ln in gifts)
    streak = [(g["msg_id"], g["repeat_count"], g["repeat_end"], g["group_id"]) for g in gifts[:4]]
    assert streak == [(200, 1, 0, STREAK), (201, 2, 0, STREAK), (202, 3, 0, STREAK),
                      (203, 3, 1, STREAK)]
    assert {(g["gift_id"], g["gift_name"], g["diamond_count"], g["gift_type"], g["user_id"])
            for g in gifts[:4]} == {(5655, "Rose", 1, 1, 42)}
    single = gifts[4]
    assert (single["gift_id"], single["repeat_count"], single["repeat_end"],
            single["group_id"], single["gift_name"], single["diamond_count"],
            single["gift_type"], single["create_time_ms"]) == (6064, 1, 0, 0, "GG", 1000, 2,
                                                               T0 + 15)
    # the event parsed from bytes, as the client builds them
    assert {k: gifts[5][k] for k in ("msg_id", "gift_id", "gift_name", "diamond_count",
                                     "gift_type", "nickname")} == {
        "msg_id": 205, "gift_id": 6064, "gift_name": "GG", "diamond_count": 1000,
        "gift_type": 2, "nickname": "⚔️ Ålice 🌸"}


def test_comment_social_join_viewers_control(recorded) -> None:
    _, lines, _ = recorded
    by_type = {ln["type"]: ln for ln in lines}
    comment = by_type["CommentEvent"]
    assert _without_raw(comment) == {
        "format": "toolkit-live/1", "type": "CommentEvent", "method": "WebcastChatMessage",
        "received_ms": comment["received_ms"], "create_time_ms": T0 + 30, "msg_id": 401,
        "room_id": ROOM, **ALICE}
    social = by_type["SocialEvent"]
    assert {k: social[k] for k in set(social) - COMMON} == {
        **BOB, "action": 1, "follow_count": 1000, "share_count": 0,
        "display_key": "pm_main_follow_message_viewer_2"}
    assert (social["method"], social["msg_id"]) == ("WebcastSocialMessage", 301)
    join = by_type["JoinEvent"]
    assert {k: join[k] for k in set(join) - COMMON} == {**BOB, "member_count": 57, "action": 1}
    seq = by_type["RoomUserSeqEvent"]
    assert {k: seq[k] for k in set(seq) - COMMON} == {"total": 1565, "total_user": 44730}
    control = by_type["ControlEvent"]
    assert _without_raw(control) == {
        "format": "toolkit-live/1", "type": "ControlEvent", "method": "WebcastControlMessage",
        "received_ms": control["received_ms"], "create_time_ms": None, "msg_id": None,
        "room_id": None, "action": 3}
    assert type(control["action"]) is int and type(join["action"]) is int


def test_raw_b64_is_lossless(recorded) -> None:
    events, lines, _ = recorded
    for ev, line in zip(events, lines, strict=True):
        if line["raw_b64"] is None:
            assert isinstance(ev, (tl.ConnectEvent, tl.DisconnectEvent))
            continue
        raw = base64.b64decode(line["raw_b64"], validate=True)
        assert base64.b64encode(raw).decode() == line["raw_b64"]  # standard, padded
        assert raw == bytes(ev)
        again = type(ev)().parse(raw)
        assert recorder.record_line(again, line["received_ms"]) == line
    comment = tl.CommentEvent().parse(base64.b64decode(lines[7]["raw_b64"]))
    assert comment.content == "héllo 世界 🎉"
    assert comment.user.display_id == "alice_01"


def test_file_is_utf8_compact_json(tmp_path: Path) -> None:
    out = tmp_path / "live.jsonl"
    with recorder.Recorder(out, clock=lambda: 5) as rec:
        rec.write(tl.LikeEvent(common=_msg("WebcastLikeMessage", 1, 0), count=1, total=2,
                               user=_alice()))
    text = out.read_bytes().decode("utf-8")
    assert text.endswith("\n") and text.count("\n") == 1
    assert '"nickname":"⚔️ Ålice 🌸"' in text  # not \\u escapes
    assert text.startswith('{"format":"toolkit-live/1","type":"LikeEvent",')


def test_handlers_cover_exactly_the_proto_messages(tmp_path: Path) -> None:
    expected = set(tl.EVENT_MAPPINGS.values()) | {tl.ConnectEvent, tl.DisconnectEvent}
    with recorder.Recorder(tmp_path / "a.jsonl") as rec:
        handlers = rec.handlers()
        client = TikTokLiveClient(unique_id="x")
        rec.attach(client)
    assert set(handlers) == expected and len(handlers) == 64
    assert {h.__func__ for h in handlers.values()} == {recorder.Recorder.on_event}
    names = set(client.event_names())
    assert names == {cls.__name__ for cls in expected}
    for custom in ("FollowEvent", "ShareEvent", "LiveEndEvent", "WebsocketResponseEvent",
                   "UnknownEvent"):
        assert custom not in names
    assert all(len(client.listeners(n)) == 1 for n in names)


def test_handlers_called_directly(tmp_path: Path) -> None:
    out = tmp_path / "direct.jsonl"
    streak = _rose_streak()
    with recorder.Recorder(out, clock=_clock(7)) as rec:
        handlers = rec.handlers()
        for ev in streak:
            asyncio.run(handlers[tl.GiftEvent](ev))
    assert [(ln["received_ms"], ln["repeat_count"]) for ln in _lines(out)] == [
        (7, 1), (8, 2), (9, 3), (10, 3)]


def test_follow_event_written_directly_keeps_its_class(tmp_path: Path) -> None:
    social = _session()[8]
    follow = tl.FollowEvent().parse(bytes(social))
    line = recorder.record_line(follow, 1)
    assert (line["type"], line["method"], line["msg_id"], line["display_key"]) == (
        "FollowEvent", "WebcastSocialMessage", 301, "pm_main_follow_message_viewer_2")
    bare = recorder.record_line(tl.ShareEvent(action=3, share_count=2), 1)
    assert (bare["method"], bare["display_key"], bare["share_count"]) == (
        "WebcastSocialMessage", None, 2)


def test_missing_user_gift_and_empty_handle_are_null() -> None:
    gift = recorder.record_line(tl.GiftEvent(gift_id=1), 3)
    empty = USER | {"gift_name", "diamond_count", "gift_type"}
    assert {k: gift[k] for k in empty} == dict.fromkeys(empty)
    like = recorder.record_line(tl.LikeEvent(user=ExtendedUser(id=9, nickname="n")), 3)
    assert (like["user_id"], like["unique_id"], like["nickname"]) == (9, None, "n")
    unset = recorder.record_line(tl.LikeEvent(common=CommonMessageData(method="WebcastLikeMessage"),
                                            user=ExtendedUser(nickname="")), 3)
    assert [unset[k] for k in ("create_time_ms", "msg_id", "room_id", "user_id", "nickname")] == [
        None] * 5  # protobuf's 0 and "" mean "not sent"
    other = recorder.record_line(tl.RoomPinEvent(common=_msg("WebcastRoomPinMessage", 9, 0)), 3)
    assert set(other) == COMMON and other["msg_id"] == 9  # no user field, no extra keys


def test_plain_user_and_gift_objects() -> None:
    """Plain User/Gift (no .unique_id, no .streakable) are read from their proto fields."""
    from TikTokLive.proto import Gift, User
    ev = tl.GiftEvent(gift_id=7, repeat_count=2, user=User(id=3, nickname="p", display_id="pp"),
                      gift=Gift(id=7, name="Rose", diamond_count=1, type=1))
    assert not hasattr(ev.user, "unique_id") and not hasattr(ev.gift, "streakable")
    line = recorder.record_line(ev, 1)
    assert [line[k] for k in ("user_id", "unique_id", "nickname", "gift_name", "gift_type",
                              "repeat_count")] == [3, "pp", "p", "Rose", 1, 2]


def test_flushed_per_line_and_appends(tmp_path: Path) -> None:
    out = tmp_path / "live.jsonl"
    first = recorder.Recorder(out, clock=lambda: 1)
    first.write(tl.ControlEvent(action=1))
    assert len(_lines(out)) == 1  # readable before close: flushed
    first.close()
    first.close()  # closing twice is harmless
    with recorder.Recorder(out, clock=lambda: 2) as second:
        second.write(tl.ControlEvent(action=2))
    assert [(ln["received_ms"], ln["action"]) for ln in _lines(out)] == [(1, 1), (2, 2)]


def test_open_file_is_left_open(tmp_path: Path) -> None:
    buffer = io.StringIO()
    with recorder.Recorder(buffer, clock=lambda: 1) as rec:
        rec.write(tl.DisconnectEvent())
    assert not buffer.closed
    assert json.loads(buffer.getvalue())["type"] == "DisconnectEvent"


def test_a_failing_flatten_still_writes_the_raw_line(tmp_path: Path, monkeypatch) -> None:
    def broken(event: Any, events: Any) -> dict[str, Any]:
        raise AttributeError("TikTok changed something")
    monkeypatch.setattr(recorder, "_type_keys", broken)
    out = tmp_path / "live.jsonl"
    ev = _rose_streak()[0]
    with recorder.Recorder(out, clock=lambda: 4) as rec:
        asyncio.run(rec.on_event(ev))
    (line,) = _lines(out)
    assert set(line) == COMMON | USER and line["msg_id"] == 200
    assert base64.b64decode(line["raw_b64"]) == bytes(ev)
    assert rec.counts == {"GiftEvent": 1} and rec.failures == 0


class _FakeClient:
    """Stands in for TikTokLiveClient in record(): emits a short LIVE, no network."""

    made: list[_FakeClient] = []

    def __init__(self, unique_id: str) -> None:
        self.unique_id, self.handlers, self.disconnected = unique_id, {}, False
        self.web = self
        self.closed = False
        _FakeClient.made.append(self)

    def add_listener(self, cls: type, f: Any) -> None:
        self.handlers[cls.__name__] = f

    def _emit(self, ev: Any) -> None:
        if type(ev).__name__ in self.handlers:
            asyncio.ensure_future(self.handlers[type(ev).__name__](ev))

    async def _loop(self) -> None:
        self._emit(tl.ConnectEvent(unique_id=self.unique_id, room_id=ROOM))
        self._emit(tl.LikeEvent(count=3, total=3))
        if self.unique_id == "endless":
            await asyncio.sleep(3600)
        self._emit(tl.ControlEvent(action=3))

    async def start(self) -> asyncio.Task:
        return asyncio.ensure_future(self._loop())

    async def disconnect(self) -> None:
        # Like the real client when it closes: the last batch's events, then DisconnectEvent
        # (its handlers run only if record() lets the loop turn before it stops).
        if self.unique_id == "endless" and not self.disconnected:
            self._emit(tl.LikeEvent(count=1, total=4))
            self._emit(tl.DisconnectEvent())
        self.disconnected = True

    async def close(self) -> None:
        self.closed = True


def test_record_runs_the_client_and_appends(tmp_path: Path, monkeypatch, capsys) -> None:
    import TikTokLive
    monkeypatch.setattr(TikTokLive, "TikTokLiveClient", _FakeClient)
    _FakeClient.made.clear()
    out = tmp_path / "recordings" / "live.jsonl"
    counts = recorder.record("@creator_1", out, clock=_clock(100))
    assert _FakeClient.made[0].unique_id == "creator_1"
    assert _FakeClient.made[0].disconnected and _FakeClient.made[0].closed
    assert counts == {"ConnectEvent": 1, "LikeEvent": 1, "ControlEvent": 1,
                      "DisconnectEvent": 1}  # the recorder marks the end itself
    assert "already exists" not in capsys.readouterr().out
    counts = recorder.record("endless", out, minutes=0.001, clock=_clock(200))
    assert counts == {"ConnectEvent": 1, "LikeEvent": 2, "DisconnectEvent": 1}
    assert "already exists" in capsys.readouterr().out
    lines = _lines(out)
    assert [ln["type"] for ln in lines] == ["ConnectEvent", "LikeEvent", "ControlEvent",
                                            "DisconnectEvent", "ConnectEvent", "LikeEvent",
                                            "LikeEvent", "DisconnectEvent"]
    assert [ln["streamer"] for ln in lines if ln["type"] == "ConnectEvent"] == [
        "creator_1", "endless"]


def test_import_guard_message(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "TikTokLive", None)  # import TikTokLive now fails
    monkeypatch.setitem(sys.modules, "TikTokLive.events", None)
    with pytest.raises(ImportError) as caught:
        recorder.record_line(object(), 0)
    assert str(caught.value) == ("toolkit record needs the optional extra: pip install "
                                 "'live-engagement-toolkit[record]' (tiktoklive 7.0.1)")
    for call in (recorder.subscribed_types, lambda: recorder.record("x", tmp_path / "a.jsonl")):
        with pytest.raises(ImportError, match=r"pip install 'live-engagement-toolkit\[record\]'"):
            call()
    assert not (tmp_path / "a.jsonl").exists()


def test_module_imports_without_tiktoklive() -> None:
    code = ("import sys; sys.modules['TikTokLive'] = None\n"
            "import toolkit.recordings.recorder as r\n"
            "assert r.FORMAT == 'toolkit-live/1'\n"
            "assert not any(m.startswith(('TikTokLive', 'betterproto2')) for m in sys.modules "
            "if sys.modules[m] is not None), 'imported at module level'\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_recording_ingests_with_the_counting_rules(recorded, tmp_path: Path) -> None:
    """Recorder handlers -> file -> ``toolkit ingest``: the whole path of a real recording."""
    from toolkit import recordings

    _, lines, _ = recorded
    path = tmp_path / "live.jsonl"
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines),
                    encoding="utf-8")
    result = recordings.ingest([path], keep_ids=True)
    assert result.report["rows_read"] == len(lines) == result.report["loaded"]
    counts = {str(k): v for k, v in result.events.group_by("kind").len().iter_rows()}
    # the Rose streak (4 messages) and the 1,000-coin gift sent twice (the second time read
    # back from bytes) are 3 gift rows; the follow is one row
    assert counts == {"heart": 1, "gift": 3, "comment": 1, "follow": 1, "join": 1,
                      "viewers": 1}
    gifts = result.events.filter(kind="gift").sort("coins")
    assert gifts.select("count", "coins").rows() == [(3, 3), (1, 1000), (1, 1000)]
    session = result.sessions.row(0, named=True)
    assert session["session_id"] == str(ROOM) and session["creator_id"] == "creator_1"
    assert session["ended"] == "by the host" and session["followers"] == 999
    assert session["hearts_room_total"] == 12345 and session["viewers_cumulative"] == 44730


def test_the_command_reports_a_failed_connection_without_a_traceback(
        tmp_path: Path, monkeypatch, capsys) -> None:
    from toolkit import cli

    def offline(unique_id, out, minutes=None):
        Path(out).touch()
        try:
            raise OSError("[Errno -2] Name or service not known")
        except OSError as low:
            raise RuntimeError("could not fetch the room id") from low

    monkeypatch.setattr(recorder, "record", offline)
    out = tmp_path / "live.jsonl"
    assert cli.main(["record", "@someone", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "could not record @someone" in err and "Name or service not known" in err
    assert "Traceback" not in err and not out.exists()
