"""Time inside a LIVE: the minute table and hearts per interval.

- :func:`live_minutes`: the one per-minute table of a LIVE (counts of each kind of event and
  the viewer count), with or without the minutes in which nothing happened;
- :func:`hearts_over_time`: hearts per interval of any length (10 s, 30 s, 1 min), for charts
  of tapping bursts.

Both read only the canonical events table, so they run the same on simulated sessions and on
recordings.
"""

from __future__ import annotations

from typing import Literal, overload

import polars as pl

from toolkit._checks import FrameT
from toolkit.analytics.summary import _counts, _kind

__all__ = ["hearts_over_time", "live_minutes"]


def hearts_over_time(events: FrameT, every: str = "30s") -> FrameT:
    """Hearts per time interval of each session.

    Parameters
    ----------
    events : polars.DataFrame or LazyFrame
        The canonical events table.
    every : str
        Interval length as a polars duration (``"10s"``, ``"1m"``).

    Returns
    -------
    Same kind of frame: ``session_id``, ``ts`` and ``ts_end`` (start and end of the
    interval, UTC), ``minute`` and ``minute_end`` (the same, in minutes since the session's
    first event), ``hearts`` (taps) and ``heart_batches``. Intervals without hearts are
    absent.
    """
    starts = events.group_by("session_id").agg(_start=pl.col("ts").min())
    since_start = (pl.col("ts") - pl.col("_start")).dt.total_milliseconds() / 60_000
    return (
        events.filter(pl.col("kind") == "heart")
        .sort("session_id", "ts")
        .group_by_dynamic("ts", every=every, group_by="session_id", include_boundaries=True)
        .agg(hearts=pl.col("count").sum().cast(pl.Int64), heart_batches=pl.len().cast(pl.Int64))
        .join(starts, on="session_id", how="left")
        .select(
            "session_id", "ts", ts_end="_upper_boundary",
            minute=since_start,
            minute_end=since_start + (pl.col("_upper_boundary") - pl.col("ts"))
            .dt.total_milliseconds() / 60_000,
            hearts="hearts", heart_batches="heart_batches",
        )
        .sort("session_id", "ts")
    )


@overload
def live_minutes(events: FrameT, complete: Literal[False] = ...) -> FrameT: ...
@overload
def live_minutes(events: pl.DataFrame | pl.LazyFrame, complete: Literal[True]) -> pl.DataFrame: ...
@overload
def live_minutes(
    events: pl.DataFrame | pl.LazyFrame, complete: bool = ...
) -> pl.DataFrame | pl.LazyFrame: ...
def live_minutes(
    events: pl.DataFrame | pl.LazyFrame, complete: bool = False
) -> pl.DataFrame | pl.LazyFrame:
    """The minute table: one row per session and minute since the session's first event.

    Parameters
    ----------
    events : polars.DataFrame or LazyFrame
        The canonical events table.
    complete : bool
        ``False`` (default): minutes without events are absent, and the result is the same
        kind of frame as ``events`` (lazy stays lazy, for streaming). ``True``: a row for every
        minute from a session's first event to its last, counts 0 where nothing happened and
        the viewer count carried forward from the last one recorded (0 before the first), so
        that rolling windows and "the next minute" are exact; always a ``DataFrame``. The
        minute-by-minute claim tests (:mod:`toolkit.claims.signals`,
        :mod:`toolkit.claims.moments`) use the complete table.

    Returns
    -------
    polars.DataFrame or LazyFrame
        ``session_id``, ``minute`` (Int32, 0-based), ``viewers`` (the viewer count at the
        start of the minute; null when none was recorded, unless ``complete``), ``joins``,
        the counts of :func:`toolkit.analytics.live_summary` for that minute
        (``unique_viewers`` here counts users who joined in that minute, ``hearts`` taps),
        ``heart_events`` (batches of taps) and ``gift_events`` (gift messages); sorted by
        session and minute.
    """
    start = pl.col("ts").min().over("session_id")
    minute = ((pl.col("ts") - start).dt.total_milliseconds() // 60_000).cast(pl.Int32)
    sparse = (
        events.with_columns(minute=minute)
        .group_by("session_id", "minute")
        .agg(
            pl.col("count").filter(_kind("viewers")).first().cast(pl.Int64).alias("viewers"),
            _kind("join").sum().cast(pl.Int64).alias("joins"),
            *_counts(),
            _kind("heart").sum().cast(pl.Int64).alias("heart_events"),
            _kind("gift").sum().cast(pl.Int64).alias("gift_events"),
        )
        .sort("session_id", "minute")
    )
    if not complete:
        return sparse
    frame = sparse.lazy().collect()
    counts = [c for c in frame.columns if c not in ("session_id", "minute", "viewers")]
    grid = (
        frame.group_by("session_id")
        .agg(pl.int_ranges(0, pl.col("minute").max() + 1).alias("minute"))
        .explode("minute")
        .with_columns(pl.col("minute").cast(pl.Int32))
    )
    return (
        grid.join(frame, on=["session_id", "minute"], how="left")
        .sort("session_id", "minute")
        .with_columns(pl.col("viewers").forward_fill().over("session_id").fill_null(0),
                      pl.col(counts).fill_null(0))
    )
