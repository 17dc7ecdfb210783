"""Simulated sessions as a LIVE client would record them: the measurement pipeline in memory.

A verdict on a recording is worth the error rates of its test *on recordings*, and a recording
is not the simulator's event table: like messages hold at most 15 taps and some never arrive
on busy LIVEs, the last message of a gift streak can be lost, messages come late, out of
order and sometimes twice, and the viewer count is read once a minute. :func:`as_recorded`
sends a simulated dataset through the same steps ``toolkit ingest`` takes:

1. :func:`toolkit.recordings.synthetic.wire_messages`: the messages the client receives,
   with the delivery habits listed there;
2. :func:`toolkit.recordings.counting.check_messages`: the value checks (rejections counted);
3. :func:`toolkit.recordings.counting.count`: sessions (by room id), duplicates set aside,
   canonical kinds;
4. :func:`toolkit.recordings.counting.events_from`,
   :func:`~toolkit.recordings.counting.sessions_from` and
   :func:`~toolkit.recordings.counting.replies_from`: the canonical tables (the host's
   replies by name come back from its chat messages that @-mention a viewer).

Only the file formats are skipped (writing the messages as JSON lines and parsing them back
gives the same messages: ``tests/recordings/test_delivery.py`` checks it on a small
dataset), so the diagnosis can run thousands of recorded datasets (``toolkit diagnose``,
worlds named ``<world>@recorded``). The result is a ``"recorded"`` dataset: it has no
platform or viewer-label table, a replies table as ``toolkit ingest`` writes it (empty where
the host answers nobody), the session ids are room ids, and the sessions table holds
what a recording shows (:func:`~toolkit.recordings.counting.sessions_from`), so every test
behaves as it would on a real recording.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from toolkit.events.dataset import Dataset
from toolkit.recordings import counting
from toolkit.recordings.files import MESSAGES_SCHEMA
from toolkit.recordings.methods import CONTROL, METHOD_OF_KIND
from toolkit.recordings.synthetic import Delivery, wire_messages

__all__ = ["RECORDED", "FILE", "MAX_EVENTS_PER_PART", "messages_as_read", "as_recorded"]

#: The suffix of a world name whose datasets go through :func:`as_recorded`.
RECORDED = "@recorded"
#: The file name the in-memory messages carry (rejections would name it).
FILE = "(simulated client)"
#: Events recorded in one piece at most: a larger dataset is recorded in parts of whole sessions
#: (the messages of a part take about 1.2 GB per million events).
MAX_EVENTS_PER_PART = 3_000_000
#: Server times of simulated LIVEs lie in 2026; a recording is checked against this "now".
_NOW = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


#: Number fields of the protobuf messages: proto3 does not send a zero, so a file holds none.
_NUMBERS = ("count", "total", "gift_id", "repeat_count", "repeat_end", "group_id",
            "diamond_count", "gift_type", "action", "follow_count", "share_count",
            "member_count", "total_user")


def messages_as_read(wire: pl.DataFrame, file: str = FILE) -> pl.DataFrame:
    """Wire messages (:func:`~toolkit.recordings.synthetic.wire_messages`) as the reader
    hands them on from ``toolkit record`` files of each session: one line per message in the
    order received, format ``toolkit-live/1``, in :data:`~toolkit.recordings.reader.MESSAGES_SCHEMA`.

    What a file adds or loses is here too: a ``connect`` line 1 s before the first message,
    the host's end of the LIVE (a control message 100 ms after the last one, received 500 ms
    after it), and no zeros in number fields (proto3 does not send them, so a viewer count of
    0 reads as missing).
    """
    wire = wire.sort("session_id", "received_ms", maintain_order=True)
    spans = wire.group_by("session_id", maintain_order=True).agg(
        pl.col("room_id", "streamer").first(), first=pl.col("received_ms").first(),
        last_ms=pl.col("received_ms").last(), last_id=pl.col("msg_id").last(),
        last_created=pl.col("create_time_ms").last())
    connect = spans.select("session_id", "room_id", "streamer", method=pl.lit("connect"),
                           received_ms=pl.col("first") - 1000, _at=pl.lit(0))
    end = spans.select("session_id", "room_id", "streamer", method=pl.lit(CONTROL),
                       received_ms=pl.col("last_ms") + 500, msg_id=pl.col("last_id") + 1,
                       create_time_ms=pl.col("last_created") + 100,
                       action=pl.lit(3, pl.Int64), _at=pl.lit(2))
    body = wire.with_columns(
        method=pl.col("kind").cast(pl.String).replace_strict(METHOD_OF_KIND), _at=pl.lit(1))
    frame = (pl.concat([connect, body, end], how="diagonal_relaxed")
             .sort("session_id", "_at", maintain_order=True)
             .with_columns([pl.when(pl.col(c) != 0).then(pl.col(c)).alias(c)
                            for c in _NUMBERS if c in body.columns])
             .with_columns(file=pl.lit(file),
                           line=pl.int_range(1, pl.len() + 1, dtype=pl.Int64),
                           item=pl.lit(None, pl.String),
                           order=pl.int_range(1, pl.len() + 1, dtype=pl.Int64),
                           format=pl.lit("toolkit-live/1")))
    return frame.select([pl.col(c).cast(t) if c in frame.columns else pl.lit(None, t).alias(c)
                         for c, t in MESSAGES_SCHEMA.items()])


def as_recorded(data: Dataset, rng: np.random.Generator,
                delivery: Delivery | None = None,
                max_events: int = MAX_EVENTS_PER_PART) -> Dataset:
    """The dataset a LIVE client's recording of these simulated sessions would give.

    Parameters
    ----------
    data : Dataset
        A simulated dataset (``events`` and ``sessions`` with ``creator_id`` and
        ``followers``).
    rng : numpy.random.Generator
        Every random choice of the delivery (lost and repeated messages, delays, ids).
    delivery : Delivery, optional
        The shares of messages lost and repeated (default ``Delivery()``: the bundle's habits).
        ``Delivery(like_loss_max=0)`` records every like message, to tell what the loss
        does from what the rest of the recording does.
    max_events : int
        A dataset with more events is recorded in ``k = ceil(events / max_events)`` parts of
        whole sessions (in the sessions table's order, about equal in events), each with its
        own stream (``rng.spawn(k)``), so that memory stays bounded (a job of 2,000 LIVEs
        whose hearts follow the followers has 11 million events; in one piece its messages
        took more than 13 GB). A recording treats every LIVE apart, so the parts change only
        which random numbers each LIVE gets. At or under it, one piece with ``rng`` itself.

    Returns
    -------
    Dataset
        ``source="recorded"``, with ``events``, ``sessions`` and ``replies``; sessions are in
        the order of their ids (room ids), events and replies in ``session_id``, ``ts`` order.
    """
    if data.sessions is None:
        raise ValueError(f"dataset {data.name!r}: as_recorded needs its sessions table (the "
                         "creator and followers of each LIVE)")
    if not (isinstance(max_events, int) and max_events >= 1):
        raise ValueError(f"max_events must be a whole number >= 1, got {max_events!r}")
    events, sessions = data.table("events"), data.table("sessions")
    replies = data.table("replies") if data.replies is not None else None
    parts = -(-events.height // max_events)
    if parts <= 1:
        recorded = _record(events, sessions, replies, rng, delivery or Delivery())
    else:
        def only(frame: pl.DataFrame | None, ids: pl.Series) -> pl.DataFrame | None:
            return (None if frame is None
                    else frame.filter(pl.col("session_id").is_in(ids.implode())))

        pieces = [_record(only(events, ids), only(sessions, ids), only(replies, ids), stream,
                          delivery or Delivery())
                  for ids, stream in zip(_parts(events, sessions, parts), rng.spawn(parts),
                                         strict=True) if len(ids)]
        joined = [pl.concat([piece[k] for piece in pieces]).sort("session_id",
                                                                 maintain_order=True)
                  for k in range(3)]
        recorded = (joined[0], joined[1], joined[2])
    return Dataset.from_tables(events=recorded[0], sessions=recorded[1], replies=recorded[2],
                               source="recorded", name=data.name + RECORDED)


def _parts(events: pl.DataFrame, sessions: pl.DataFrame, parts: int) -> list[pl.Series]:
    """The session ids of each part: consecutive sessions, about equal in events."""
    counts = sessions.select("session_id").join(
        events.group_by("session_id").len(), on="session_id", how="left",
        maintain_order="left").with_columns(pl.col("len").fill_null(0))
    before = counts["len"].cum_sum() - counts["len"]
    part = (before * parts // max(1, events.height)).clip(0, parts - 1)
    return [counts.filter(part == k)["session_id"] for k in range(parts)]


def _record(events: pl.DataFrame | None, sessions: pl.DataFrame | None,
            replies: pl.DataFrame | None, rng: np.random.Generator,
            delivery: Delivery) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Events, sessions and replies tables of one piece's recording."""
    assert events is not None and sessions is not None
    wire = wire_messages(events, sessions, rng, delivery, replies)
    checked, _ = counting.check_messages(messages_as_read(wire), _NOW)
    loaded = counting.count(checked).messages
    recorded = counting.events_from(loaded)
    return recorded, counting.sessions_from(loaded, recorded), counting.replies_from(loaded)
