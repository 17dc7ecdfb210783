"""Writing messages in the LIVE clients' recording formats (the mirror of
:mod:`toolkit.recordings.formats`, which reads them).

Used by :mod:`toolkit.recordings` for the synthetic bundle and by the tests. The protobuf
payloads are built with the real classes ``tiktoklive`` 7.0.1 decodes with, and the
``toolkit-live/1`` files are written by passing real ``tiktoklive`` events through the
recorder (:class:`toolkit.recordings.recorder.Recorder`), so these writers need the ``record`` extra; the
connector writer needs nothing.

A *message* here is one row of :func:`toolkit.recordings.wire_messages`: ``kind`` (the
canonical kind it stands for), ``msg_id``, ``room_id``, ``streamer``, ``create_time_ms``,
``received_ms``, ``user_id``, ``unique_id``, ``nickname`` and the fields of its kind.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from toolkit.recordings.methods import CONTROL, METHOD_OF_KIND

__all__ = ["proto_message", "connector_line", "write_connector", "write_java_collector", "write_toolkit_live"]

def _open(path: Path, gz: bool) -> io.BufferedIOBase:
    # mtime=0: the same messages give the same bytes
    return (gzip.GzipFile(path, "wb", mtime=0) if gz else path.open("wb"))


def _clean(row: dict) -> dict:
    return {k: v for k, v in row.items() if v is not None}


def write_connector(messages: pl.DataFrame, path: str | Path, version: str = "v2",
                    gz: bool = False) -> Path:
    """Write messages as a ``tiktok-live-connector`` dump: ``{"event", "data", "receivedAt"}``
    per line, ``data`` in the v1 flat shape or the v2.3+ nested shape (64-bit ids as text)."""
    if version not in ("v1", "v2"):
        raise ValueError(f"version must be 'v1' or 'v2', got {version!r}")
    path = Path(path)
    with _open(path, gz) as handle:
        for row in messages.iter_rows(named=True):
            line = connector_line(row, version)
            handle.write(json.dumps(line, ensure_ascii=False).encode("utf-8") + b"\n")
    return path


_CONNECTOR_EVENTS = {"join": "member", "heart": "like", "comment": "chat", "share": "share",
                     "follow": "follow", "gift": "gift", "viewers": "roomUser"}


def connector_line(row: dict, version: str = "v2") -> dict:
    """One message (a row of the messages table) as a ``tiktok-live-connector`` line:
    ``{"event", "data", "receivedAt"}``, ``data`` in the v1 or v2.3+ shape."""
    if version not in ("v1", "v2"):
        raise ValueError(f"version must be 'v1' or 'v2', got {version!r}")
    data = _connector_v1(row) if version == "v1" else _connector_v2(row)
    return {"event": _CONNECTOR_EVENTS[row["kind"]], "data": data,
            "receivedAt": row["received_ms"]}


def _connector_v1(row: dict) -> dict:
    data = {"userId": _s(row["user_id"]), "uniqueId": row["unique_id"],
            "nickname": row["nickname"], "createTime": _s(row["create_time_ms"]),
            "msgId": _s(row["msg_id"])}
    kind = row["kind"]
    if kind == "heart":
        data.update(likeCount=row["count"], totalLikeCount=row["total"])
    elif kind == "gift":
        data.update(giftId=row["gift_id"], repeatCount=row["repeat_count"],
                    repeatEnd=bool(row["repeat_end"]), groupId=_s(row["group_id"]),
                    giftType=row["gift_type"], diamondCount=row["diamond_count"],
                    giftName=row["gift_name"])
    elif kind in ("follow", "share"):
        data.update(displayType=row["display_key"], followCount=row["follow_count"])
    elif kind == "join":
        data.update(actionId=1)
    elif kind == "viewers":
        data = {"viewerCount": row["total"]}
    elif kind == "comment":
        data.update(comment=row["content"])
    return _clean(data)


def _connector_v2(row: dict) -> dict:
    common: dict[str, object] = {
        "method": METHOD_OF_KIND[row["kind"]], "msgId": _s(row["msg_id"]),
        "roomId": _s(row["room_id"]), "createTime": _s(row["create_time_ms"])}
    if row["display_key"]:
        common["displayText"] = {"key": row["display_key"]}
    data: dict = {"common": common}
    if row["user_id"] is not None:
        data["user"] = {"id": _s(row["user_id"]), "displayId": row["unique_id"],
                        "nickname": row["nickname"]}
    kind = row["kind"]
    if kind == "heart":
        data.update(count=row["count"], total=_s(row["total"]))
    elif kind == "gift":
        data.update(giftId=_s(row["gift_id"]), repeatCount=row["repeat_count"],
                    repeatEnd=row["repeat_end"], groupId=_s(row["group_id"]),
                    gift={"id": _s(row["gift_id"]), "name": row["gift_name"],
                          "diamondCount": row["diamond_count"], "type": row["gift_type"]})
    elif kind in ("follow", "share"):
        data.update(action=_s(row["action"]), followCount=_s(row["follow_count"]))
    elif kind == "join":
        data.update(memberCount=row["member_count"], action=row["action"])
    elif kind == "viewers":
        data.update(total=_s(row["total"]), totalUser=_s(row["total_user"]))
    elif kind == "comment":
        data.update(content=row["content"])
        if row.get("at_user_id") is not None:
            data["atUser"] = {"id": _s(row["at_user_id"]), "displayId": row["at_unique_id"]}
        if row.get("is_host"):
            data["userIdentity"] = {"isAnchor": True}
    return _clean(data)


def _s(value: object) -> str | None:
    return None if value is None else str(value)


def proto_message(row: dict) -> Any:  # a TikTokLive (betterproto) message
    """The real ``TikTokLiveProto`` message (the class ``tiktoklive`` 7.0.1 decodes with)."""
    from TikTokLive import proto
    from TikTokLiveProto.v3.webcast.model.message.common import Text

    header = proto.CommonMessageData(
        method=METHOD_OF_KIND[row["kind"]], msg_id=row["msg_id"], room_id=row["room_id"],
        create_time=row["create_time_ms"],
        display_text=Text(key=row["display_key"]) if row["display_key"] else None)
    user = (proto.ExtendedUser(id=row["user_id"], nickname=row["nickname"],
                               display_id=row["unique_id"])
            if row["user_id"] is not None else None)
    kind = row["kind"]
    if kind == "heart":
        return proto.WebcastLikeMessage(common=header, user=user, count=row["count"],
                                        total=row["total"])
    if kind == "gift":
        gift = proto.ExtendedGift(id=row["gift_id"], name=row["gift_name"],
                                  diamond_count=row["diamond_count"], type=row["gift_type"])
        return proto.WebcastGiftMessage(
            common=header, user=user, gift_id=row["gift_id"], gift=gift,
            repeat_count=row["repeat_count"], repeat_end=row["repeat_end"],
            group_id=row["group_id"])
    if kind in ("follow", "share"):
        return proto.WebcastSocialMessage(common=header, user=user, action=row["action"],
                                          follow_count=row["follow_count"] or 0)
    if kind == "join":
        return proto.WebcastMemberMessage(common=header, user=user, action=row["action"],
                                          member_count=row["member_count"])
    if kind == "viewers":
        return proto.WebcastRoomUserSeqMessage(common=header, total=row["total"],
                                               total_user=row["total_user"])
    from TikTokLiveProto.v3.webcast.model.data import UserIdentity

    mentioned = (proto.ExtendedUser(id=row["at_user_id"], display_id=row["at_unique_id"])
                 if row.get("at_user_id") is not None else None)
    identity = UserIdentity(is_anchor=True) if row.get("is_host") else None
    return proto.WebcastChatMessage(common=header, user=user, content=row["content"],
                                    at_user=mentioned, user_identity=identity)


def write_java_collector(messages: pl.DataFrame, path: str | Path) -> Path:
    """Write messages as a Java collector file: method -> list of base64 samples."""
    samples: dict[str, list[dict]] = {}
    for row in messages.iter_rows(named=True):
        payload = base64.b64encode(bytes(proto_message(row))).decode("ascii")
        when = np.datetime64(row["received_ms"], "ms").astype(str)
        samples.setdefault(METHOD_OF_KIND[row["kind"]], []).append(
            {"eventData": payload, "uniqueId": row["streamer"], "ts": when})
    path = Path(path)
    path.write_text(json.dumps(samples, indent=1) + "\n", encoding="utf-8")
    return path


def write_toolkit_live(messages: pl.DataFrame, path: str | Path, gz: bool = True) -> Path:
    """Write messages as ``toolkit record`` does: real ``tiktoklive`` events passed through the
    recorder (:class:`toolkit.recordings.recorder.Recorder`), receive times from the messages."""
    from TikTokLive.events import (
        EVENT_MAPPINGS,
        ConnectEvent,
        ControlEvent,
        DisconnectEvent,
    )

    from toolkit.recordings import recorder

    path = Path(path)
    first = messages.row(0, named=True)
    last = messages.row(messages.height - 1, named=True)
    with _open(path, gz) as raw:
        clock_values: list[int] = []
        writer = recorder.Recorder(_TextSink(raw), clock=lambda: clock_values[-1])
        clock_values.append(first["received_ms"] - 1000)
        writer.write(ConnectEvent(unique_id=first["streamer"], room_id=first["room_id"]))
        for row in messages.iter_rows(named=True):
            clock_values.append(row["received_ms"])
            message = proto_message(row)
            event = EVENT_MAPPINGS[METHOD_OF_KIND[row["kind"]]]().parse(bytes(message))
            writer.write(event)
        clock_values.append(last["received_ms"] + 500)
        end = ControlEvent().parse(bytes(_control(last)))
        writer.write(end)
        writer.write(DisconnectEvent())
    return path


def _control(last: dict) -> Any:
    from TikTokLive import proto

    header = proto.CommonMessageData(method=CONTROL, msg_id=last["msg_id"] + 1,
                                     room_id=last["room_id"],
                                     create_time=last["create_time_ms"] + 100)
    return proto.WebcastControlMessage(common=header, action=3)


class _TextSink:
    """A text-file face for a binary (possibly gzip) stream, for the recorder."""

    def __init__(self, raw: io.BufferedIOBase) -> None:
        self.raw = raw

    @property
    def closed(self) -> bool:
        return bool(self.raw.closed)

    def write(self, text: str) -> int:
        return self.raw.write(text.encode("utf-8"))

    def flush(self) -> None:
        self.raw.flush()
