"""minutes: split from toolkit.likes (docstring to be written)."""

from __future__ import annotations

import polars as pl

from toolkit.analytics.summary import _counts, _kind

__all__ = ["hearts_over_time", "live_minutes", "minute_grid"]


def hearts_over_time(
    events: pl.DataFrame | pl.LazyFrame, every: str = "30s"
) -> pl.DataFrame | pl.LazyFrame:
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


def live_minutes(events: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame | pl.LazyFrame:
    """One row per session and minute since the session's first event.

    Returns
    -------
    Same kind of frame: ``session_id``, ``minute`` (0-based), ``viewers`` (the viewer count
    at the start of the minute, null if none was recorded), ``joins`` (joins in the minute),
    and the counts of :func:`live_summary` for that minute (``unique_viewers`` here counts
    users who joined in that minute). Minutes without events are absent.
    """
    start = pl.col("ts").min().over("session_id")
    minute = ((pl.col("ts") - start).dt.total_milliseconds() // 60_000).cast(pl.Int32)
    return (
        events.with_columns(minute=minute)
        .group_by("session_id", "minute")
        .agg(
            pl.col("count").filter(_kind("viewers")).first().cast(pl.Int64).alias("viewers"),
            _kind("join").sum().cast(pl.Int64).alias("joins"),
            *_counts(),
        )
        .sort("session_id", "minute")
    )


def minute_grid(events: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Every minute of every session, with counts of each kind of event (zeros included).

    Unlike :func:`live_minutes` (minutes with events only), the grid has a row for each
    minute from a session's first event to its last, so that rolling windows and "the next
    minute" are exact. Used by the minute-by-minute tests of :mod:`toolkit.claims.signals` and
    :mod:`toolkit.claims.moments`.

    Returns
    -------
    polars.DataFrame
        ``session_id``, ``minute`` (Int32, since the first event), ``viewers`` (the count at
        the minute's start, carried forward from the last count when a minute has none),
        ``joins``, ``hearts`` (taps), ``heart_events`` (batches), ``comments``, ``shares``
        and ``gift_events``; sorted by session and minute.
    """
    kind = pl.col("kind")
    start = pl.col("ts").min().over("session_id")
    counts = ("joins", "hearts", "heart_events", "comments", "shares", "gift_events")
    frame = (
        events.lazy()
        .with_columns(minute=((pl.col("ts") - start).dt.total_milliseconds() // 60_000)
                      .cast(pl.Int32))
        .group_by("session_id", "minute")
        .agg(
            viewers=pl.col("count").filter(kind == "viewers").first(),
            joins=(kind == "join").sum(),
            hearts=pl.col("count").filter(kind == "heart").sum(),
            heart_events=(kind == "heart").sum(),
            comments=(kind == "comment").sum(),
            shares=(kind == "share").sum(),
            gift_events=(kind == "gift").sum(),
        )
        .collect()
    )
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
                      pl.col(counts).fill_null(0).cast(pl.Int64))
    )


