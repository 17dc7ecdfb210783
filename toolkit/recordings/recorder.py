"""Record a TikTok LIVE room to a JSON Lines file with the open-source client ``tiktoklive``.

This is what ``toolkit record @user --out FILE`` runs. It needs the optional extra
(``pip install '.[record]'``, which pulls in ``tiktoklive`` 7.0.1); nothing here imports
``TikTokLive`` until a function needs it, so the rest of the toolkit works without it.

The file format is ``toolkit-live/1``: one JSON object per line, UTF-8, each line flushed to
the operating system as soon as it is written (a crash loses at most the line being written).
Every line has these keys:

- ``format``: ``"toolkit-live/1"``;
- ``type``: the event's class name (``"GiftEvent"``, ``"LikeEvent"``, ``"ConnectEvent"``, ...);
- ``method``: TikTok's name for the message (``"WebcastGiftMessage"``), null for
  ``ConnectEvent`` and ``DisconnectEvent``;
- ``received_ms``: when this computer received the event, Unix epoch milliseconds (UTC);
- ``create_time_ms``: when TikTok's server made it, Unix epoch milliseconds, or null;
- ``msg_id``, ``room_id``: TikTok's message id (unique per message) and room id, or null;
- ``raw_b64``: the event exactly as received (its protobuf bytes), base64; null for
  ``ConnectEvent`` and ``DisconnectEvent``. Everything else can be re-read from it later.

Events that carry a user add ``user_id``, ``unique_id`` (the @handle) and ``nickname``; some
types add a few flattened fields (see :func:`record_line` and ``docs/recording.md``). TikTok's
protobuf uses 0 and "" for "not sent", so ids, times, handles and names that are 0 or "" are
written as null.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import functools
import json
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from importlib import metadata
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, TextIO

__all__ = ["FORMAT", "INSTALL_HINT", "record_line", "subscribed_types", "Recorder", "record"]

#: The value of the ``format`` key on every line.
FORMAT = "toolkit-live/1"

#: The message of the ImportError raised when ``tiktoklive`` is not installed.
INSTALL_HINT = ("toolkit record needs the optional extra: pip install "
                "'live-engagement-toolkit[record]' (tiktoklive 7.0.1)")

_log = logging.getLogger(__name__)


def _now_ms() -> int:
    """The current time, Unix epoch milliseconds (UTC)."""
    return time.time_ns() // 1_000_000


def _events_module() -> Any:
    """``TikTokLive.events``, or an ImportError that says how to install it."""
    try:
        import TikTokLive.events as events
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    return events


def _versions() -> str:
    """``"toolkit 0.1.0 / tiktoklive 7.0.1"``: the programs that wrote a recording."""
    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "unknown"
    return f"toolkit {version('live-engagement-toolkit')} / tiktoklive {version('tiktoklive')}"


def _int_or_none(value: Any) -> int | None:
    """An id or a time as an int; 0 (protobuf's "not sent") and missing values as None."""
    return int(value) if value else None


def _str_or_none(value: Any) -> str | None:
    """A text; "" (protobuf's "not sent") and missing values as None."""
    return str(value) if value else None


def _method_of(event: Any, events: Any) -> str | None:
    """The webcast method name: ``common.method``, else looked up from the event's class."""
    message = getattr(event, "common", None)
    if message is not None and message.method:
        return str(message.method)
    by_class = {cls: name for name, cls in events.EVENT_MAPPINGS.items()}
    for cls in type(event).__mro__:  # FollowEvent -> SocialEvent -> "WebcastSocialMessage"
        if cls in by_class:
            return by_class[cls]
    return None


@functools.cache
def _has_user_field(cls: type) -> bool:
    """Whether an event class has a ``user`` field (set or not on a given event)."""
    return dataclasses.is_dataclass(cls) and any(
        f.name == "user" for f in dataclasses.fields(cls))


def _user_keys(event: Any) -> dict[str, Any]:
    """``user_id``, ``unique_id`` (the @handle, ``display_id``) and ``nickname``."""
    user = event.user
    if user is None:
        return {"user_id": None, "unique_id": None, "nickname": None}
    # display_id, not .unique_id: plain User objects (not ExtendedUser) lack that alias.
    return {"user_id": _int_or_none(user.id), "unique_id": _str_or_none(user.display_id),
            "nickname": _str_or_none(user.nickname)}


def _type_keys(event: Any, events: Any) -> dict[str, Any]:
    """The flattened fields of one event type, read from the protobuf fields only."""
    if isinstance(event, events.LikeEvent):
        return {"count": int(event.count), "total": int(event.total)}
    if isinstance(event, events.GiftEvent):
        gift = event.gift
        return {
            "gift_id": int(event.gift_id), "repeat_count": int(event.repeat_count),
            "repeat_end": int(event.repeat_end), "group_id": int(event.group_id),
            "gift_name": None if gift is None else gift.name,
            "diamond_count": None if gift is None else int(gift.diamond_count),
            "gift_type": None if gift is None else int(gift.type),
        }
    if isinstance(event, events.SocialEvent):  # also FollowEvent and ShareEvent
        shown = None if event.common is None else event.common.display_text
        return {"action": int(event.action), "follow_count": int(event.follow_count),
                "share_count": int(event.share_count),
                "display_key": None if shown is None else _str_or_none(shown.key)}
    if isinstance(event, events.JoinEvent):
        return {"member_count": int(event.member_count), "action": int(event.action)}
    if isinstance(event, events.RoomUserSeqEvent):
        return {"total": int(event.total), "total_user": int(event.total_user)}
    if isinstance(event, events.CommentEvent):  # the host's chat, and whom it @-mentions
        mentioned, identity = event.at_user, event.user_identity
        keys = {"at_user_id": None if mentioned is None else _int_or_none(mentioned.id),
                "at_unique_id": None if mentioned is None else _str_or_none(
                    mentioned.display_id),
                "is_host": 1 if identity is not None and identity.is_anchor else None}
        return {k: v for k, v in keys.items() if v is not None}  # most chats: none of them
    if isinstance(event, events.ControlEvent):  # also LiveEndEvent, LivePauseEvent, ...
        return {"action": int(event.action)}
    if isinstance(event, events.ConnectEvent):
        return {"streamer": event.unique_id, "room_id": _int_or_none(event.room_id),
                "recorder": _versions()}
    return {}


def _common_keys(event: Any, received_ms: int, events: Any) -> dict[str, Any]:
    """The keys every line has, plus the user keys if the event type has a user."""
    line: dict[str, Any] = {"format": FORMAT, "type": type(event).__name__, "method": None,
                            "received_ms": int(received_ms), "create_time_ms": None,
                            "msg_id": None, "room_id": None, "raw_b64": None}
    if hasattr(type(event), "__bytes__"):  # a protobuf message (not Connect/Disconnect)
        line["method"] = _method_of(event, events)
        message = event.common
        if message is not None:
            line["create_time_ms"] = _int_or_none(message.create_time)
            line["msg_id"] = _int_or_none(message.msg_id)
            line["room_id"] = _int_or_none(message.room_id)
        line["raw_b64"] = base64.b64encode(bytes(event)).decode("ascii")
    event_type: type = type(event)  # as type[Any], mypy would not see that it is hashable
    if _has_user_field(event_type):
        line.update(_user_keys(event))
    return line


def record_line(event: Any, received_ms: int) -> dict[str, Any]:
    """One line of a recording, as a dict: the event turned into plain JSON values.

    Pure: it reads the event and nothing else (no clock, no file).

    Parameters
    ----------
    event : TikTokLive event
        A ``tiktoklive`` 7.0.1 event object: a protobuf event such as ``GiftEvent``, or
        ``ConnectEvent`` / ``DisconnectEvent``.
    received_ms : int
        When this computer received it, Unix epoch milliseconds (UTC).

    Returns
    -------
    dict
        The common keys of the module docstring, the user keys if the event type has a
        ``user`` field, and per type: ``LikeEvent`` ``count``, ``total``; ``GiftEvent``
        ``gift_id``, ``repeat_count``, ``repeat_end``, ``group_id``, ``gift_name``,
        ``diamond_count`` (coins for one gift), ``gift_type`` (1 = streakable); ``SocialEvent``
        ``action``, ``follow_count``, ``share_count``, ``display_key``; ``CommentEvent``
        ``at_user_id``, ``at_unique_id`` (the viewer it @-mentions) and ``is_host`` (1: the
        host wrote it), each only when the message has it; ``JoinEvent``
        ``member_count``, ``action``; ``RoomUserSeqEvent`` ``total`` (viewers now),
        ``total_user`` (viewers so far); ``ControlEvent`` ``action`` (3 = ended,
        4 = suspended); ``ConnectEvent`` ``streamer``, ``room_id``, ``recorder``. Integers
        (and enum values) are ints; missing values are None.
    """
    events = _events_module()
    line = _common_keys(event, received_ms, events)
    line.update(_type_keys(event, events))
    return line


def subscribed_types() -> tuple[type, ...]:
    """The event classes a :class:`Recorder` listens to.

    Every class of ``TikTokLive.events.EVENT_MAPPINGS`` (one per kind of TikTok message),
    plus ``ConnectEvent`` and ``DisconnectEvent``. Not the extra classes the client emits
    for the same message (``FollowEvent``, ``ShareEvent``, ``LiveEndEvent``, ...), so that
    each message is written once.
    """
    events = _events_module()
    return (*dict.fromkeys(events.EVENT_MAPPINGS.values()), events.ConnectEvent,
            events.DisconnectEvent)


class TextSink(Protocol):
    """An open text file as a :class:`Recorder` uses one it did not open."""

    @property
    def closed(self) -> bool: ...
    def write(self, text: str, /) -> int: ...
    def flush(self) -> None: ...


class Recorder:
    """Writes events to a ``toolkit-live/1`` JSON Lines file, one flushed line per event.

    Parameters
    ----------
    out : path or open text file
        A path is opened for appending (UTF-8) and closed by :meth:`close`; an open text
        file is written to and flushed, but left open for its owner to close.
    clock : callable, optional
        Returns the receive time of an event, Unix epoch milliseconds (UTC). Tests pass a
        fake clock.

    Examples
    --------
    >>> with Recorder("live.jsonl") as rec:          # doctest: +SKIP
    ...     rec.attach(client)                        # client: a TikTokLiveClient
    """

    def __init__(self, out: str | Path | TextSink, clock: Callable[[], int] = _now_ms) -> None:
        self._opened: TextIO | None = None  # the file this recorder opened (and closes)
        if isinstance(out, (str, Path)):
            self._opened = open(out, "a", encoding="utf-8", newline="\n")
            self._file: TextSink = self._opened
        else:
            self._file = out
        self._clock = clock
        self._counts: Counter[str] = Counter()
        self.failures = 0  #: events that could not be written at all (see :meth:`on_event`)
        self.last_type: str | None = None  #: the ``type`` of the last line written

    @property
    def counts(self) -> dict[str, int]:
        """Lines written so far, by ``type`` (a copy)."""
        return dict(self._counts)

    def write_line(self, line: dict[str, Any]) -> None:
        """Append one already-built line and flush it."""
        self._file.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
        self._file.flush()
        self._counts[line["type"]] += 1
        self.last_type = line["type"]

    def write(self, event: Any) -> dict[str, Any]:
        """Record one event, stamped with the clock; returns the line written."""
        line = record_line(event, self._clock())
        self.write_line(line)
        return line

    async def on_event(self, event: Any) -> None:
        """The handler the client calls for every event; never raises.

        If the flattened fields cannot be read (a TikTok change the client did not expect),
        the line is still written with the common keys and ``raw_b64``, so nothing is lost.
        """
        received_ms = self._clock()
        try:
            self.write_line(record_line(event, received_ms))
        except Exception:  # keep recording: one odd message must not end a LIVE's recording
            _log.warning("could not flatten a %s; writing it raw", type(event).__name__,
                         exc_info=True)
            try:
                self.write_line(_common_keys(event, received_ms, _events_module()))
            except Exception:
                self.failures += 1
                _log.error("could not record a %s", type(event).__name__, exc_info=True)

    def handlers(self) -> dict[type, Callable[[Any], Awaitable[None]]]:
        """The handler for each event class of :func:`subscribed_types` (all :meth:`on_event`)."""
        return {cls: self.on_event for cls in subscribed_types()}

    def attach(self, client: Any) -> None:
        """Register :meth:`on_event` on a ``TikTokLiveClient`` for every subscribed class."""
        for cls, handler in self.handlers().items():
            client.add_listener(cls, handler)

    def close(self) -> None:
        """Flush, and close the file if this recorder opened it."""
        if self._file.closed:
            return
        self._file.flush()
        if self._opened is not None:
            self._opened.close()

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


async def _run(client: Any, minutes: float | None) -> None:
    """Connect, wait until the LIVE ends, Ctrl-C or ``minutes`` pass, then disconnect."""
    try:
        task = await client.start()
        # shield: Ctrl-C or the time limit stop the waiting, not the client's own loop, so
        # disconnect() below closes the connection cleanly and the client sends its
        # DisconnectEvent.
        try:
            await asyncio.wait_for(asyncio.shield(task),
                                   timeout=None if minutes is None else minutes * 60)
        except TimeoutError:
            pass
    finally:
        await client.disconnect()
        await client.web.close()
        for _ in range(3):  # let the handlers of the last events (DisconnectEvent) run
            await asyncio.sleep(0)


def record(unique_id: str, out: Path, minutes: float | None = None,
           clock: Callable[[], int] = _now_ms) -> dict[str, int]:
    """Record a creator's LIVE to ``out`` until it ends, Ctrl-C, or ``minutes`` pass.

    Needs a network connection to TikTok (through ``tiktoklive``'s sign server).

    Parameters
    ----------
    unique_id : str
        The creator's handle, with or without the ``@``.
    out : Path
        The JSON Lines file. An existing file is appended to, never overwritten.
    minutes : float, optional
        Stop after this many minutes (default: when the LIVE ends or on Ctrl-C).
    clock : callable, optional
        Receive times, Unix epoch milliseconds (UTC).

    Returns
    -------
    dict of str to int
        Lines written, by event type.
    """
    events = _events_module()
    from TikTokLive import TikTokLiveClient

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists() and out.stat().st_size > 0:
        print(f"note: {out} already exists; adding the new lines at its end")
    client = TikTokLiveClient(unique_id=unique_id.strip().removeprefix("@"))
    with Recorder(out, clock=clock) as recorder:
        recorder.attach(client)
        try:
            asyncio.run(_run(client, minutes))
        except KeyboardInterrupt:
            print("stopped (Ctrl-C)")
        finally:
            if recorder.counts and recorder.last_type != "DisconnectEvent":
                recorder.write(events.DisconnectEvent())  # mark the end of this recording
    return recorder.counts
