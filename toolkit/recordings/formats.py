"""The recording formats of the open-source TikTok LIVE clients, read one record at a time.

Three formats are read (see ``docs/ingest.md``); which one a file holds is told from its
content, never from its name:

``toolkit-live/1``
    JSON Lines written by ``toolkit record`` (:mod:`toolkit.recordings.recorder`): each line has the event
    type, the webcast method, the receive time, the server time, the raw protobuf payload in
    base64 and flattened fields. The raw payload is decoded and wins over the flattened fields.
``connector-v1`` and ``connector-v2``
    JSON Lines dumped from the Node client ``tiktok-live-connector``: one object per line,
    ``{"event": "gift", "data": {...}}`` (``type``/``name`` and ``payload`` are accepted too,
    with an optional receive time in ``receivedAt``/``ts``/``timestamp``). v1 (up to 1.2.3)
    flattens the user into the event (``uniqueId``, ``userId``, ``likeCount``...); v2.3 and
    later nest it (``user.displayId``, ``count``, ``gift.diamondCount``) and write 64-bit
    numbers as strings; v2.0-2.2 names (``giftDetails``, ``viewerCount``) are read too.
``java-collector``
    One JSON object mapping each webcast method to a list of samples
    ``{"eventData": <base64 protobuf>, "uniqueId": <streamer>, "ts": <receive time>}``, as saved
    by the Java client's tools.

Each record becomes a flat *message* (a dict with the keys of :data:`MESSAGE_FIELDS`) or a
:class:`Rejected` that says which field is wrong and why. Recordings are untrusted input:
nothing here uses pickle or eval, and every value is type-checked.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec

from toolkit.recordings.methods import (
    CHAT,
    CLASS_METHODS,
    CONNECTOR_METHODS,
    CONTROL,
    GIFT,
    KNOWN_METHODS,
    LIKE,
    MEMBER,
    RECORDING_MARKERS,
    ROOM_USER_SEQ,
    SOCIAL,
)
from toolkit.recordings.wire import WireError, decode

#: A whole number as text: an optional minus and ASCII digits (``str.isdigit`` also takes
#: superscripts and other scripts' digits, which ``int`` then refuses).
_WHOLE = re.compile(r"-?[0-9]+")
#: Control characters (a newline in a value or a file name), shown as escapes in reports.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

__all__ = [
    "MESSAGE_FIELDS", "Rejected", "read_own_line", "read_connector_line", "read_java_sample",
    "is_java_collector", "line_format", "shown", "unreadable",
]

#: Integer fields of a message (``None`` where absent).
INT_FIELDS = ("received_ms", "create_time_ms", "msg_id", "room_id", "user_id", "count",
              "total", "gift_id", "repeat_count", "repeat_end", "group_id", "diamond_count",
              "gift_type", "action", "follow_count", "share_count", "member_count",
              "total_user", "at_user_id", "is_host")
#: Text fields of a message.
TEXT_FIELDS = ("format", "event", "method", "streamer", "unique_id", "nickname", "gift_name",
               "display_key", "at_unique_id")
#: Ids for which 0 means "unknown" (what clients send when they have none; protobuf omits
#: a 0, so only JSON files hold one): read as missing, never as an id shared by every record.
_IDS = ("msg_id", "room_id", "user_id", "at_user_id")
#: Fields written as true/false by some clients (read as 1/0).
_FLAGS = ("repeat_end", "is_host")
MESSAGE_FIELDS = TEXT_FIELDS + INT_FIELDS
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


@dataclass(frozen=True)
class Rejected:
    """Why one record was not loaded: the field at fault (or ``""``), its value and a reason.

    ``reason`` is one of a fixed set of short labels (``"malformed JSON"``, ``"wrong type"``,
    ``"unknown event type"``, ``"payload does not decode"``, ...) so rejections can be counted
    by reason; ``detail`` says more.
    """

    reason: str
    field: str = ""
    value: str = ""
    detail: str = ""


class _Bad(Exception):
    def __init__(self, rejected: Rejected):
        super().__init__(rejected.reason)
        self.rejected = rejected


def _int(value: object, field: str) -> int | None:
    """A JSON value as an int: ints, bools (0/1) and decimal strings; else a rejection."""
    if type(value) is int or value is None:
        return value
    if value == "":
        return None
    if isinstance(value, bool):
        if field in _FLAGS:  # v1 connector files write true/false
            return int(value)
        raise _Bad(Rejected("wrong type", field, shown(value), "expected a whole number"))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if _WHOLE.fullmatch(text):  # ASCII digits only: "²" and "--5" pass isdigit(), not int()
            if len(text) > 25:  # beyond any 64-bit number (and Python's 4,300-digit limit)
                raise _Bad(Rejected("absurd value", field, text[:20] + "...",
                                    f"a number of {len(text)} digits"))
            return int(text)
    raise _Bad(Rejected("wrong type", field, shown(value), "expected a whole number"))


def _text(value: object, field: str) -> str | None:
    if value is None:
        return None
    if type(value) is str:
        return value or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise _Bad(Rejected("wrong type", field, shown(value), "expected text"))


def shown(value: object, limit: int = 80) -> str:
    """``value`` as at most ``limit`` characters of printable UTF-8 text, for reports (a lone
    surrogate or a control character is shown as its escape; a value nested too deep for
    JSON is named, not shown)."""
    if isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (RecursionError, ValueError, TypeError):
            text = f"a {type(value).__name__} nested too deep to show"
    if not text.isascii():  # a lone surrogate cannot be written as UTF-8: show its escape
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    if not text.isprintable():  # a newline or control character must not forge lines
        text = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode(), text)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _ms(value: object, field: str) -> int | None:
    """A time as Unix milliseconds: a number (ms, or seconds when below 1e11) or ISO 8601 text
    (UTC when it has no zone)."""
    if isinstance(value, str) and not _WHOLE.fullmatch(value.strip()):
        try:
            when = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise _Bad(Rejected("wrong type", field, shown(value),
                                "expected a time (ms since 1970 or ISO 8601)")) from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        return round(when.timestamp() * 1000)
    number = _int(value, field)
    if number is not None and abs(number) < 100_000_000_000:  # seconds, not ms
        number *= 1000
    return number


def _get(data: dict, *paths: str) -> object:
    """The first present value among dotted paths (``"common.createTime"``)."""
    for path in paths:
        node: object = data
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                break
            node = node[part]
        else:
            if node is not None:
                return node
    return None


def _payload(text: object, field: str) -> bytes:
    if not isinstance(text, str):
        raise _Bad(Rejected("wrong type", field, shown(text), "expected base64 text"))
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise _Bad(Rejected("payload does not decode", field, shown(text),
                            "not valid base64")) from None


def _decoded(method: str, payload: bytes, field: str) -> dict[str, object]:
    try:
        return decode(method, payload)
    except WireError as error:
        raise _Bad(Rejected("payload does not decode", field, f"{len(payload)} bytes",
                            f"not a {method}: {error}")) from None


def _finish(message: dict[str, object]) -> dict[str, object]:
    """Check the types of a message's fields (ints as ints, text as text)."""
    out: dict[str, object] = {}
    get = message.get
    for key in INT_FIELDS:
        value = get(key)
        if value is not None:
            value = value if type(value) is int else _int(value, key)
            if value is not None and not _INT64_MIN <= value <= _INT64_MAX:
                digits = str(value)
                raise _Bad(Rejected("absurd value", key, digits if len(digits) <= 25
                                    else digits[:20] + "...",
                                    f"a number of {len(digits.lstrip('-'))} digits, outside "
                                    "the range of a 64-bit integer"))
            if value == 0 and key in _IDS:
                value = None
        out[key] = value
    for key in TEXT_FIELDS:
        value = get(key)
        value = value if value is None or type(value) is str and value else _text(value, key)
        if value is not None and not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate, from a "\ud800" escape in JSON
                raise _Bad(Rejected("not UTF-8", key, shown(value),
                                    "a lone surrogate (an unpaired \\ud800-\\udfff escape) "
                                    "is not text")) from None
        out[key] = value
    return out


_P = ParamSpec("_P")


def _guard(read: Callable[_P, dict[str, object] | Rejected]
           ) -> Callable[_P, dict[str, object] | Rejected]:
    """Turn the :class:`_Bad` raised while reading a record into its :class:`Rejected`, and
    any other exception into an ``"unreadable record"`` (a reader's bug, a value no rule
    foresaw): one record is rejected, never the file."""
    def reader(*args: _P.args, **kwargs: _P.kwargs) -> dict[str, object] | Rejected:
        try:
            return read(*args, **kwargs)
        except _Bad as bad:
            return bad.rejected
        except Exception as error:  # noqa: BLE001 - the promise is: never the whole file
            return unreadable(error)
    reader.__doc__, reader.__name__ = read.__doc__, read.__name__
    return reader


def unreadable(error: BaseException) -> Rejected:
    """The rejection of a record whose reading raised ``error`` (no rule names it)."""
    try:
        message = str(error)
    except Exception:  # noqa: BLE001 - an exception that cannot even say what it is
        message = ""
    return Rejected("unreadable record", "", "",
                    shown(f"{type(error).__name__}: {message}".rstrip(": "), 200))


# --- toolkit-live/1 -----------------------------------------------------------------------




@_guard
def read_own_line(obj: dict) -> dict[str, object] | Rejected:
    """One line of a ``toolkit-live/1`` recording (already parsed JSON) as a message."""
    kind = obj.get("type")
    if not isinstance(kind, str) or not kind:
        raise _Bad(Rejected("missing field", "type", shown(kind), "every line needs a type"))
    message: dict[str, object] = {"format": str(obj.get("format")), "event": kind}
    if kind in RECORDING_MARKERS:
        message.update(method=RECORDING_MARKERS[kind], streamer=obj.get("streamer"),
                       room_id=obj.get("room_id"),
                       received_ms=_ms(obj.get("received_ms"), "received_ms"))
        return _finish(message)
    method = obj.get("method") or CLASS_METHODS.get(kind)
    if not isinstance(method, str) or method not in KNOWN_METHODS:
        raise _Bad(Rejected("unknown event type", "method" if obj.get("method") else "type",
                            shown(obj.get("method") or kind),
                            "not a webcast method tiktoklive 7.0.1 knows"))
    raw = obj.get("raw_b64")
    if raw is not None:
        fields = _decoded(method, _payload(raw, "raw_b64"), "raw_b64")
    else:  # no payload: the flattened fields are all there is
        fields = {k: obj.get(k) for k in MESSAGE_FIELDS if k in obj}
        fields["create_time_ms"] = obj.get("create_time_ms")
    message.update(fields)
    message.update(method=method, received_ms=_ms(obj.get("received_ms"), "received_ms"))
    return _finish(message)


# --- tiktok-live-connector ----------------------------------------------------------------


_ENVELOPE_NAMES = ("event", "type", "name", "eventName")
_ENVELOPE_DATA = ("data", "payload")
_ENVELOPE_TIME = ("receivedAt", "received_ms", "ts", "timestamp", "time")


def _envelope(obj: dict) -> tuple[object, object, object]:
    name = next((obj[k] for k in _ENVELOPE_NAMES if k in obj), None)
    data = next((obj[k] for k in _ENVELOPE_DATA if k in obj), None)
    when = next((obj[k] for k in _ENVELOPE_TIME if k in obj), None)
    return name, data, when


@_guard
def read_connector_line(obj: dict) -> dict[str, object] | Rejected:
    """One line of a ``tiktok-live-connector`` dump (already parsed JSON) as a message."""
    name, data, when = _envelope(obj)
    if not isinstance(name, str) or name not in CONNECTOR_METHODS:
        raise _Bad(Rejected("unknown event type", "event", shown(name),
                            "not an event name of tiktok-live-connector 1.x or 2.x"))
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise _Bad(Rejected("wrong type", "data", shown(data), "expected an object"))
    method = CONNECTOR_METHODS[name]
    nested = isinstance(data.get("user"), dict) or isinstance(data.get("common"), dict)
    message: dict[str, object] = {
        "format": "connector-v2" if nested else "connector-v1",
        "event": name,
        "method": method or name,
        "received_ms": _ms(when, "receivedAt"),
        "create_time_ms": _ms(_get(data, "common.createTime", "createTime",
                                   "common.create_time"), "createTime"),
        "msg_id": _get(data, "common.msgId", "msgId"),
        "room_id": _get(data, "common.roomId", "roomId"),
        "display_key": _get(data, "common.displayText.key", "common.displayType",
                            "displayType"),
        "user_id": _get(data, "user.userId", "user.id", "userId"),
        "unique_id": _get(data, "user.uniqueId", "user.displayId", "uniqueId"),
        "nickname": _get(data, "user.nickname", "nickname"),
    }
    if method == LIKE:
        message.update(count=_get(data, "count", "likeCount"),
                       total=_get(data, "total", "totalLikeCount"))
    elif method == GIFT:
        message.update(
            gift_id=_get(data, "giftId", "gift.id", "gift.gift_id"),
            repeat_count=_get(data, "repeatCount", "gift.repeat_count"),
            repeat_end=_get(data, "repeatEnd", "gift.repeat_end"),
            group_id=_get(data, "groupId"),
            gift_name=_get(data, "gift.name", "giftDetails.giftName", "giftName",
                           "extendedGiftInfo.name"),
            diamond_count=_get(data, "gift.diamondCount", "giftDetails.diamondCount",
                               "diamondCount", "extendedGiftInfo.diamond_count"),
            gift_type=_get(data, "gift.type", "giftDetails.giftType", "giftType",
                           "gift.gift_type"),
        )
    elif method == SOCIAL:
        action = _get(data, "action")
        if action is None and name in ("follow", "share"):
            action = 1 if name == "follow" else 3
        message.update(action=action, follow_count=_get(data, "followCount"),
                       share_count=_get(data, "shareCount"))
    elif method == MEMBER:
        message.update(member_count=_get(data, "memberCount"),
                       action=_get(data, "action", "actionId"))
    elif method == ROOM_USER_SEQ:
        message.update(total=_get(data, "total", "viewerCount"),
                       total_user=_get(data, "totalUser"))
    elif method == CONTROL:
        message.update(action=_get(data, "action", "actionId"))
    elif method == CHAT:  # the host's chat and whom it @-mentions (TikTokLiveProto v3 names)
        message.update(at_user_id=_get(data, "atUser.id", "atUser.userId"),
                       at_unique_id=_get(data, "atUser.displayId", "atUser.uniqueId"),
                       is_host=_get(data, "userIdentity.isAnchor"))
    return _finish(message)


# --- Java collector -----------------------------------------------------------------------

def is_java_collector(obj: object) -> bool:
    """Whether parsed JSON has the Java collector's shape: method -> list of samples (at least
    one list holds a sample with ``eventData``; other values are rejected one by one)."""
    return (isinstance(obj, dict)
            and any(isinstance(v, list) and any(isinstance(s, dict) and "eventData" in s
                                                for s in v) for v in obj.values()))


@_guard
def read_java_sample(method: str, sample: object) -> dict[str, object] | Rejected:
    """One sample of a Java collector file as a message."""
    if method not in KNOWN_METHODS:
        raise _Bad(Rejected("unknown event type", "method", shown(method),
                            "not a webcast method tiktoklive 7.0.1 knows"))
    if not isinstance(sample, dict):
        raise _Bad(Rejected("wrong type", "sample", shown(sample), "expected an object"))
    if "eventData" not in sample:
        raise _Bad(Rejected("missing field", "eventData", "", "a sample needs its payload"))
    message = _decoded(method, _payload(sample["eventData"], "eventData"), "eventData")
    message.update(format="java-collector", event=method, method=method,
                   streamer=sample.get("uniqueId"),
                   received_ms=_ms(sample.get("ts"), "ts"))
    return _finish(message)


def line_format(obj: object) -> str | None:
    """Which line-based format one parsed JSON line belongs to (``None``: neither)."""
    if not isinstance(obj, dict):
        return None
    if isinstance(obj.get("format"), str) and obj["format"].startswith("toolkit-live/"):
        return "toolkit-live"
    name, data, _ = _envelope(obj)
    if isinstance(name, str) and (data is not None or name in CONNECTOR_METHODS):
        return "connector"  # a wrong-typed data object is then rejected field by field
    return None
