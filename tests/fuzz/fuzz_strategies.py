"""Hypothesis strategies for the fuzz tests: valid recordings and events CSVs, then broken.

A recording starts valid (connector v1 and v2 lines, ``toolkit-live/1`` lines with real
protobuf payloads, a Java collector document) and is then damaged in two steps: values inside
records are replaced by hostile JSON text (odd numbers, odd text, deep nesting, lone
surrogates, odd times and ids), and the file's bytes are damaged (encodings, BOMs, NUL bytes,
CRLF, blank, repeated or shuffled lines, a cut at a random byte, gzip). Hostile values are
spliced in as raw JSON text, so values that ``json.dumps`` cannot write (a list 1,000 levels
deep, a number of 5,000 digits, ``"\\ud800"``) are still in the file as a client could write
them.

The settings profiles (``fuzz`` and ``fuzz-long``) are registered in ``conftest.py`` beside this
module; :func:`fuzz_settings` gives the one in use, scaled for a test.
"""

from __future__ import annotations

import base64
import csv
import gzip
import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl
from hypothesis import settings
from hypothesis import strategies as st

from toolkit.recordings.writers import connector_line

SALT = b"0123456789abcdef"
T0 = 1_718_000_000_000  # 2024-06-10 06:13:20 UTC, in ms
ROOM = 7_300_000_000_000_000_001
#: The profile in use: ``TOOLKIT_FUZZ=long`` selects the long one.
PROFILE = "fuzz-long" if os.environ.get("TOOLKIT_FUZZ") == "long" else "fuzz"

#: Every reason a rejected record may give (docs/ingest.md, "Bad input").
REASONS = frozenset({
    "not UTF-8", "malformed JSON", "truncated last line", "damaged compressed file",
    "not a JSON object", "unknown format", "unknown event type", "missing field", "wrong type",
    "payload does not decode", "negative count", "absurd value", "time out of range",
    "unknown gift", "duplicate message", "duplicate file", "unreadable record",
})


def fuzz_settings(share: float = 1.0) -> settings:
    """The fuzz profile in use, with ``share`` of its examples (at least 5)."""
    profile = settings.get_profile(PROFILE)
    return settings(profile, max_examples=max(5, round(profile.max_examples * share)))


# --- valid messages ---------------------------------------------------------------------------

KINDS = ("viewers", "join", "heart", "rose", "gift", "follow", "share", "comment", "reply")


def message(kind: str, i: int) -> dict[str, Any]:
    """The ``i``-th message of a small LIVE, of ``kind`` (the row the writers take)."""
    t = T0 + 1_000 * i
    user = None if kind == "viewers" else 11 + i % 3
    base: dict[str, Any] = {
        "kind": kind, "msg_id": 1_000 + i, "room_id": ROOM, "create_time_ms": t,
        "received_ms": t + 300, "streamer": "creator_x", "user_id": user,
        "unique_id": None if user is None else f"viewer_{user}",
        "nickname": None if user is None else f"Name {user} \u2728 caf\u00e9",
        "display_key": None, "count": None, "total": None, "gift_id": None, "gift_name": None,
        "diamond_count": None, "gift_type": None, "repeat_count": None, "repeat_end": None,
        "group_id": None, "action": None, "follow_count": None, "member_count": None,
        "total_user": None, "content": "hi", "at_user_id": None, "at_unique_id": None,
        "is_host": None,
    }
    extra: dict[str, dict[str, Any]] = {
        "viewers": {"total": 4 + i, "total_user": 9 + i},
        "join": {"action": 1, "member_count": 5},
        "heart": {"count": 1 + i % 15, "total": 100 + i},
        "rose": {"kind": "gift", "gift_id": 5655, "gift_name": "Rose", "diamond_count": 1,
                 "gift_type": 1, "repeat_count": 1 + i % 4, "repeat_end": i % 2,
                 "group_id": T0},
        "gift": {"gift_id": 6064, "gift_name": "GG", "diamond_count": 100, "gift_type": 2,
                 "repeat_count": 1, "repeat_end": 1, "group_id": 0},
        "follow": {"action": 1, "follow_count": 500 + i,
                   "display_key": "pm_main_follow_message_viewer_2"},
        "share": {"action": 3, "display_key": "pm_mt_guidance_share"},
        "comment": {"content": "hello \u00e9"},
        "reply": {"kind": "comment", "user_id": 900, "unique_id": "creator_x", "is_host": 1,
                  "at_user_id": 11, "at_unique_id": "viewer_11", "content": "@viewer_11 thx"},
    }
    base.update(extra[kind])
    return base


_CLASS = {"viewers": "RoomUserSeqEvent", "join": "JoinEvent", "heart": "LikeEvent",
          "gift": "GiftEvent", "follow": "FollowEvent", "share": "ShareEvent",
          "comment": "CommentEvent"}
_METHOD = {"viewers": "WebcastRoomUserSeqMessage", "join": "WebcastMemberMessage",
           "heart": "WebcastLikeMessage", "gift": "WebcastGiftMessage",
           "follow": "WebcastSocialMessage", "share": "WebcastSocialMessage",
           "comment": "WebcastChatMessage"}


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def connector_v1(m: dict[str, Any]) -> dict[str, Any]:
    """A ``tiktok-live-connector`` 1.x line: the viewer flattened into the event."""
    return connector_line(m, "v1")


def connector_v2(m: dict[str, Any]) -> dict[str, Any]:
    """A ``tiktok-live-connector`` 2.x line: nested objects, 64-bit numbers as text."""
    return connector_line(m, "v2")


try:  # the record extra's classes write the protobuf payloads (imported once, here: they
    # use the random module on import, which Hypothesis warns about inside a strategy)
    from toolkit.recordings.writers import proto_message

    proto_message(message("heart", 0))
except ImportError:  # pragma: no cover - without the extra: connector files only
    proto_message = None


def payload(m: dict[str, Any]) -> bytes | None:
    """The protobuf bytes ``tiktoklive`` would have received (None without the ``record``
    extra)."""
    return None if proto_message is None else bytes(proto_message(m))


def own_line(m: dict[str, Any], raw: bytes) -> dict[str, Any]:
    """A ``toolkit-live/1`` line (``toolkit record``): payload in base64 and readable fields."""
    readable = {k: m[k] for k in ("user_id", "unique_id", "nickname", "count", "total",
                                  "gift_id", "repeat_count", "repeat_end", "diamond_count",
                                  "total_user", "action")}
    return {"format": "toolkit-live/1", "type": _CLASS[m["kind"]], "method": _METHOD[m["kind"]],
            "received_ms": m["received_ms"], "create_time_ms": m["create_time_ms"],
            "msg_id": m["msg_id"], "room_id": m["room_id"], **_clean(readable),
            "raw_b64": base64.b64encode(raw).decode()}


def java_sample(m: dict[str, Any], raw: bytes) -> dict[str, Any]:
    """One sample of a Java collector document."""
    when = f"2024-06-10T06:{13 + (m['received_ms'] - T0) // 60_000:02d}:20.300"
    return {"eventData": base64.b64encode(raw).decode(), "uniqueId": m["streamer"], "ts": when}


# --- hostile JSON values, as raw text ---------------------------------------------------------

_NUMBERS = [
    "0", "-0", "1", "-1", "-5", "15", "10001", "100000", "100001", "2147483648",
    "9223372036854775807", "9223372036854775808", "-9223372036854775809",
    "18446744073709551616", "1" + "0" * 25, "1.5", "3.0", "-0.0", "1e3", "1E400", "-1e400",
    "NaN", "Infinity", "-Infinity", "true", "false", "null",
]
_NUMBER_TEXTS = [
    '"0"', '"-0"', '"007"', '"+5"', '" 7 "', '"--5"', '"\u00b2"', '"5\u00b2"', '"\u0665"',
    '"1e3"', '"1.5"', '"0x10"', '"-1"', '"9223372036854775808"', '"' + "9" * 26 + '"',
    '""', '"many"', '"\uff15"',
]
_TIMES = [
    str(T0 // 1000), str(T0), str(T0 * 1000), str(T0 * 1_000_000), str(T0 + 0.5),
    f'"{T0}"', f'"{T0 // 1000}"', '"2024-06-10T06:13:20Z"', '"2024-06-10 06:13:20+02:00"',
    '"2024-06-10"', '"2024-06-10T06:13:20.123456"', '"9999-12-31T23:59:59"', '"0001-01-01"',
    '"2024-13-01"', '"yesterday"', '"2015-01-01"', '"2100-01-01T00:00:00Z"', "86400",
    "-1718000000", "99999999999", "100000000000", "1473000000", "1473000000000",
    '"2016-09-02T00:00:00Z"', '"2025-06-01T00:00:00Z"', '"2024-06-10T06:13:20+14:00"',
]
_TEXTS = [
    '"\\ud800"', '"\\udfff x"', '"\\ud83d\\ude00"', '"\\ud83d"', '"a\\u0000b"', '"line\\nbreak"',
    '"tab\\there"', '"\\r"', '"=HYPERLINK(\\"http://x\\")"', '"+1+2"', '"@me"', '"-x"',
    '"\\u2028"', '"caf\u00e9"', '"\ufeff"', '"x' + "y" * 300 + '"', '"0"', '"@creator_x"',
]
_CONTAINERS = ["[]", "{}", "[5]", '["5"]', '{"a": 1}', '[[[[1]]]]', '{"id": 5}']


def _deep(depth: int, kind: str) -> str:
    if kind == "list":
        return "[" * depth + "]" * depth
    return '{"a": ' * depth + "1" + "}" * depth


def _digits(n: int) -> str:
    return "9" * n


#: One hostile JSON value as raw text.
hostile_value = st.one_of(
    st.sampled_from(_NUMBERS),
    st.sampled_from(_NUMBER_TEXTS),
    st.sampled_from(_TIMES),
    st.sampled_from(_TEXTS),
    st.sampled_from(_CONTAINERS),
    st.builds(_deep, st.sampled_from([50, 900, 990, 1000, 1500]), st.sampled_from(["list", "dict"])),
    st.builds(_digits, st.sampled_from([20, 26, 4299, 4301, 5000])),
    st.integers().map(str),
    st.integers(min_value=-(2**70), max_value=2**70).map(lambda n: f'"{n}"'),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.text(max_size=12).map(lambda s: json.dumps(s)),
    st.text(max_size=12).map(lambda s: json.dumps(s, ensure_ascii=False)),
)

#: Keys a mutation may add (fields the readers look at) or use as a key.
FIELD_NAMES = [
    "likeCount", "count", "total", "totalLikeCount", "createTime", "msgId", "roomId", "userId",
    "uniqueId", "nickname", "giftId", "repeatCount", "repeatEnd", "groupId", "diamondCount",
    "giftType", "viewerCount", "totalUser", "memberCount", "action", "followCount", "common",
    "user", "gift", "data", "payload", "event", "type", "name", "receivedAt", "ts", "format",
    "method", "raw_b64", "received_ms", "create_time_ms", "msg_id", "room_id", "eventData",
    "atUser", "userIdentity", "isAnchor", "displayId", "id", "content", "streamer",
]


# --- mutating records -------------------------------------------------------------------------

_MARK = "__fuzz_{}__"


def _paths(node: object, prefix: tuple = ()) -> list[tuple]:
    """Every place in a parsed JSON value (dict keys and list indices), the root excluded."""
    found: list[tuple] = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.append((*prefix, key))
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.append((*prefix, index))
            found.extend(_paths(value, (*prefix, index)))
    return found


def _parent(node: Any, path: tuple) -> Any:
    for part in path[:-1]:
        node = node[part]
    return node


@dataclass(frozen=True)
class Edit:
    """One change to a record: ``set`` a value, ``drop`` it, ``add`` a field, or replace the
    protobuf ``payload`` by damaged bytes."""

    op: str
    where: int  # which place (modulo the number of places)
    raw: str  # the hostile value, as JSON text
    key: str = ""
    cut: int = 0


edits = st.builds(
    Edit,
    op=st.sampled_from(["set", "set", "set", "drop", "add", "payload"]),
    where=st.integers(min_value=0, max_value=10_000),
    raw=hostile_value,
    key=st.sampled_from(FIELD_NAMES),
    cut=st.integers(min_value=0, max_value=10_000),
)


def _damaged_payload(raw: bytes, cut: int) -> bytes:
    """Protobuf bytes cut short, with one byte changed, or doubled (the last value wins)."""
    how = cut % 4
    if how == 0 or not raw:
        return raw[: cut % (len(raw) + 1)]
    if how == 1:
        at = cut % len(raw)
        return raw[:at] + bytes([(raw[at] + 1 + cut) % 256]) + raw[at + 1:]
    if how == 2:
        return raw + raw
    return bytes([0x08 | (cut % 4) << 3, 0xFF]) + raw  # a varint that runs on


class Record:
    """A record being damaged: its parsed JSON and the raw texts spliced into it."""

    def __init__(self, obj: Any) -> None:
        self.obj = json.loads(json.dumps(obj))
        self.spliced: dict[str, str] = {}

    def apply(self, edit: Edit) -> None:
        places = _paths(self.obj)
        if edit.op == "payload":  # damage the protobuf bytes of one payload
            payloads = [p for p in places if p[-1] in ("raw_b64", "eventData")
                        and isinstance(_parent(self.obj, p)[p[-1]], str)]
            if payloads:
                path = payloads[edit.where % len(payloads)]
                parent = _parent(self.obj, path)
                try:
                    raw = base64.b64decode(parent[path[-1]], validate=True)
                except ValueError:
                    return
                parent[path[-1]] = base64.b64encode(_damaged_payload(raw, edit.cut)).decode()
            return
        mark = _MARK.format(len(self.spliced))
        if edit.op == "add" or not places:
            target = self.obj
            if places and edit.where % 3:  # into a nested object, sometimes
                nested = [p for p in places if isinstance(_parent(self.obj, (*p, 0)), dict)]
                if nested:
                    target = _parent(self.obj, (*nested[edit.where % len(nested)], 0))
            if isinstance(target, dict):
                target[edit.key] = mark
                self.spliced[mark] = edit.raw
            return
        path = places[edit.where % len(places)]
        parent = _parent(self.obj, path)
        if edit.op == "drop":
            del parent[path[-1]]
        else:
            parent[path[-1]] = mark
            self.spliced[mark] = edit.raw

    def text(self, ascii_only: bool, indent: int | None = None) -> str:
        text = json.dumps(self.obj, ensure_ascii=ascii_only, indent=indent)
        for mark, raw in self.spliced.items():
            text = text.replace(f'"{mark}"', raw)
        return text


# --- whole files ------------------------------------------------------------------------------

FORMATS = ("connector-v1", "connector-v2", "toolkit-live", "java", "java-line", "mixed")


@st.composite
def records(draw: st.DrawFn, fmt: str) -> tuple[str, list[Record]]:
    """The records of a valid file of format ``fmt`` (Java: one record, the document), and
    the format (connector v2 when ``fmt`` needs payloads that cannot be written here)."""
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=8))
    start = draw(st.integers(min_value=0, max_value=50))
    messages = [message(kind, start + i) for i, kind in enumerate(kinds)]
    raws = [payload(m) for m in messages]
    if fmt in ("toolkit-live", "java", "java-line") and None in raws:
        fmt = "connector-v2"  # without the record extra there are no payloads
    if fmt == "connector-v1":
        return fmt, [Record(connector_v1(m)) for m in messages]
    if fmt == "connector-v2":
        return fmt, [Record(connector_v2(m)) for m in messages]
    if fmt == "toolkit-live":
        return fmt, [Record(own_line(m, r)) for m, r in zip(messages, raws, strict=True)]
    if fmt == "mixed":
        makers: list[Callable[[dict[str, Any]], dict[str, Any]]] = [connector_v1, connector_v2]
        return fmt, [Record(makers[draw(st.integers(0, 1))](m)) for m in messages]
    document: dict[str, list[dict[str, Any]]] = {}
    for m, r in zip(messages, raws, strict=True):
        assert r is not None
        document.setdefault(_METHOD[m["kind"]], []).append(java_sample(m, r))
    return fmt, [Record(document)]


#: Damage to a file's bytes: (operation, position, byte).
BYTE_OPS = ("crlf", "blank", "nul", "bom", "utf16-bom", "latin-1", "high-byte", "dup", "shuffle",
            "truncate", "flip", "gzip", "no-final-newline", "cr")
byte_ops = st.lists(
    st.tuples(st.sampled_from(BYTE_OPS), st.integers(min_value=0, max_value=100_000),
              st.integers(min_value=0, max_value=255)),
    max_size=4,
)


def damage(content: bytes, ops: list[tuple[str, int, int]]) -> bytes:
    """``content`` with each byte operation applied in turn (positions taken modulo)."""
    for op, at, byte in ops:
        lines = content.split(b"\n")
        where = at % (len(content) + 1)
        if op == "crlf":
            content = content.replace(b"\n", b"\r\n")
        elif op == "cr":
            content = content.replace(b"\n", b"\r")
        elif op == "blank":
            lines.insert(at % (len(lines) + 1), [b"", b"  ", b"\r", b"\t"][byte % 4])
            content = b"\n".join(lines)
        elif op == "nul":
            content = content[:where] + b"\x00" + content[where:]
        elif op == "bom":
            content = b"\xef\xbb\xbf" + content
        elif op == "utf16-bom":
            content = b"\xff\xfe" + content
        elif op == "latin-1":
            content = content.decode("utf-8", "replace").encode("latin-1", "replace")
        elif op == "high-byte":
            content = content[:where] + bytes([0x80 | byte]) + content[where:]
        elif op == "dup":
            line = lines[at % len(lines)]
            lines.insert(at % len(lines), line)
            content = b"\n".join(lines)
        elif op == "shuffle":
            order = sorted(range(len(lines)), key=lambda i: (i * (at | 1) + byte) % (len(lines) + 7))
            content = b"\n".join(lines[i] for i in order)
        elif op == "truncate":
            content = content[:where]
        elif op == "flip" and content:
            spot = at % len(content)
            content = content[:spot] + bytes([byte]) + content[spot + 1:]
        elif op == "gzip":
            content = gzip.compress(content, mtime=0)
        elif op == "no-final-newline":
            content = content.rstrip(b"\n")
    return content


@dataclass(frozen=True)
class RecordingFile:
    """A recording to write: its name and bytes, and how it was made (for reports)."""

    name: str
    content: bytes
    fmt: str


#: File names, odd ones included (a newline, a byte that is not UTF-8, a formula).
NAMES = ["rec.jsonl", "live.jsonl.gz", "x.jsonl\nrejected, forged: 9", "caf\udce9.jsonl",
         "=HYPERLINK(1).jsonl", "-rec.jsonl", " spaced .json"]


def _lines(fmt: str, recs: list[Record], ascii_only: bool, indent: int | None) -> bytes:
    if fmt == "java":
        lines = [recs[0].text(ascii_only, indent=indent)]
    elif fmt == "java-line":  # a Java object on the first line, then connector lines
        lines = [recs[0].text(ascii_only)] + [
            Record(connector_v1(message("heart", 60 + i))).text(ascii_only) for i in range(2)]
    else:
        lines = [r.text(ascii_only) for r in recs]
    # a lone surrogate written raw (not as an escape) is not UTF-8: surrogatepass keeps the
    # bytes a careless client would have written
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")


@st.composite
def recording_files(draw: st.DrawFn, max_edits: int = 4, damaged: bool = True) -> RecordingFile:
    """One recording file: valid records of one format, damaged inside and then as bytes
    (``damaged=False``: as the client wrote it)."""
    fmt, recs = draw(records(draw(st.sampled_from(FORMATS))))
    if damaged:
        for edit in draw(st.lists(edits, max_size=max_edits)):
            recs[draw(st.integers(0, len(recs) - 1))].apply(edit)
    content = _lines(fmt, recs, draw(st.booleans()), draw(st.sampled_from([None, 1])))
    if damaged:
        content = damage(content, draw(byte_ops))
    return RecordingFile(draw(st.sampled_from(NAMES)), content, fmt)


# --- events CSV -------------------------------------------------------------------------------

HEADER = ["session_id", "ts", "kind", "user_id", "count", "gift_id", "coins"]

_CSV_TS = [
    "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", "2026-01-01 00:00:02", "2026-01-01",
    "2026-01-01T00:00:03.250", "2026-01-01T02:00:04+0200", "2026-01-01T02:00:05+02:00",
    "2026-01-01T00:05", "2026-01-01T00:00:00z", "2026-13-01", "2026-02-30", "1767225600000",
    "1767225600", "2026-01-01T24:00:00", "yesterday", "", " 2026-01-01 ", "0000-01-01",
    "9999-12-31T23:59:59.999999999Z", "2026-01-01T00:00:00+25:00", "\u0662\u0660\u0662\u0666-01-01",
]
_CSV_INTS = ["1", "0", "-1", "2", "15", "100", "1.0", "1e3", "\u00b2", "--5", "+3", " 4 ",
             "9223372036854775807", "9223372036854775808", "99999999999999999999", "", "x",
             "0x10", "\u0665", "true", "NaN"]
_CSV_KINDS = ["join", "heart", "comment", "share", "follow", "gift", "viewers", "Heart", "",
              "teleport", " heart", "gift "]
_CSV_GIFTS = ["", "5655", "6064", "5827", "99999999", "-1", "0", "x"]
_CSV_TEXT = ["s1", "s2", "u1", "u2", "", "=HYPERLINK(1)", "caf\u00e9", "a,b", 'q"uote',
             "multi\nline", "cr\rhere", "crlf\r\nhere", "nul\x00byte", "\ufeffbom", "\t", " ",
             "\udce9", "\ud800"]


def _cell(values: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(values), st.text(max_size=6))


@st.composite
def csv_row(draw: st.DrawFn) -> dict[str, str]:
    """One events row: mostly valid values, some hostile."""
    kind = draw(st.sampled_from(_CSV_KINDS))
    gift = draw(st.sampled_from(_CSV_GIFTS)) if kind.strip() == "gift" else ""
    good = {"session_id": draw(st.sampled_from(["s1", "s2"])), "ts": draw(st.sampled_from(_CSV_TS[:9])),
            "kind": kind, "user_id": draw(st.sampled_from(["u1", "u2"])), "count": "1",
            "gift_id": gift, "coins": "1" if gift == "5655" else "0"}
    hostile = {"session_id": _cell(_CSV_TEXT), "ts": _cell(_CSV_TS), "kind": _cell(_CSV_KINDS),
               "user_id": _cell(_CSV_TEXT), "count": _cell(_CSV_INTS), "gift_id": _cell(_CSV_GIFTS),
               "coins": _cell(_CSV_INTS)}
    for column in draw(st.lists(st.sampled_from(HEADER), max_size=2, unique=True)):
        good[column] = draw(hostile[column])
    return good


#: How one row is written: quoted as needed, always, or joined raw (a delimiter or quote in a
#: value then breaks the row), with extra or missing fields.
ROW_STYLES = ("minimal", "minimal", "all", "raw", "extra-field", "missing-field")


def row_bytes(row: dict[str, str], columns: list[str], style: str, newline: str,
              encoding: str) -> bytes:
    """One CSV row as bytes (with its line end)."""
    values = [row.get(c, "") for c in columns]
    if style == "extra-field":
        values.append("extra")
    elif style == "missing-field":
        values = values[:-1]
    if style == "raw":
        text = ",".join(values) + newline
    else:
        out = io.StringIO()
        quoting = csv.QUOTE_ALL if style == "all" else csv.QUOTE_MINIMAL
        csv.writer(out, quoting=quoting, lineterminator=newline).writerow(values)
        text = out.getvalue()
    if encoding == "latin-1":
        return text.encode("latin-1", "replace")
    return text.encode("utf-8", "surrogateescape" if "\udce9" in text else "surrogatepass")


@dataclass(frozen=True)
class CsvFile:
    """An events CSV: header bytes, each row's bytes, and the damage done to the whole."""

    header: bytes
    rows: list[bytes]
    ops: list[tuple[str, int, int]]

    def content(self) -> bytes:
        return damage(self.header + b"".join(self.rows), self.ops)

    def header_intact(self) -> bool:
        """Whether the damaged file still starts with the canonical header line."""
        return self.content().startswith(self.header)


@st.composite
def csv_files(draw: st.DrawFn, damage_bytes: bool = True) -> CsvFile:
    """An events CSV with a canonical (or shuffled, extended) header and hostile rows."""
    columns = list(HEADER)
    if draw(st.booleans()):
        columns = draw(st.permutations(HEADER))
    if draw(st.integers(0, 4)) == 0:
        columns.append("note")
    newline = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    header = (",".join(columns) + newline).encode()
    rows = []
    for row in draw(st.lists(csv_row(), min_size=1, max_size=6)):
        style = draw(st.sampled_from(ROW_STYLES))
        encoding = draw(st.sampled_from(["utf-8", "utf-8", "latin-1"]))
        rows.append(row_bytes(row, columns, style, newline, encoding))
        if draw(st.integers(0, 5)) == 0:
            rows.append(draw(st.sampled_from([b"\n", b"\r\n", b"  \n", b",,,,,,\n"])))
    ops = draw(byte_ops) if damage_bytes else []
    return CsvFile(header, rows, ops)


def read_back_csv(path: os.PathLike[str] | str) -> pl.DataFrame:
    """A rejected-rows CSV as text columns."""
    return pl.read_csv(path, infer_schema=False)


def run_cli(arguments: list[str]) -> tuple[int | str | None, str, str]:
    """``toolkit ARGUMENTS`` in this process: the exit code, standard output and error (an
    argparse refusal, which none of these arguments should meet, gives its code too)."""
    import contextlib
    import io

    from toolkit import cli

    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            code: int | str | None = cli.main(arguments)
        except SystemExit as stop:
            code = stop.code
    return code, stdout.getvalue(), stderr.getvalue()
