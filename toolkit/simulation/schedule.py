"""Who goes LIVE, when, for how long: drawing the sessions the simulator plays out.

A *sessions table* has one row per LIVE session: ``session_id``, ``creator_id``, ``start``
(UTC), ``hour`` (0-23), ``duration_minutes``, ``followers``, ``quality`` (content quality,
a standard score: known to the platform, not to an outside observer), ``botted`` (whether the
creator bought hearts for it) and ``world``. :func:`draw_sessions` makes independent sessions
(one per creator); :mod:`toolkit.simulation.creators` schedules creators over days.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from toolkit._checks import check_count
from toolkit.simulation.worlds import World

__all__ = [
    "SESSIONS_SCHEMA", "audience_activity", "start_hour_weights", "draw_durations",
    "draw_followers", "hour_effects", "draw_sessions",
]

SESSIONS_SCHEMA: dict[str, pl.DataType] = {
    "session_id": pl.String(),
    "creator_id": pl.String(),
    "start": pl.Datetime("ms", "UTC"),
    "hour": pl.Int8(),
    "duration_minutes": pl.Int32(),
    "followers": pl.Int64(),
    "quality": pl.Float64(),
    "botted": pl.Boolean(),
    "world": pl.String(),
}

FIRST_DAY = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def audience_activity(hour: np.ndarray) -> np.ndarray:
    """How active the audience is at each hour, from 0 (about 05:00-08:00) to 1 (20:00).

    A smooth daily curve (a von Mises bump centred on 20:00). The evening peak follows the
    advice of third-party guides; no published hourly curve for TikTok LIVE was found.
    """
    angle = 2 * np.pi * (np.asarray(hour, dtype=float) - 20.0) / 24.0
    return np.exp(1.5 * (np.cos(angle) - 1.0))


def start_hour_weights() -> np.ndarray:
    """Probability of each start hour 0..23: creators go LIVE more when audiences are there."""
    weights = 0.3 + audience_activity(np.arange(24))
    return weights / weights.sum()


def draw_durations(world: World, n: int, rng: np.random.Generator) -> np.ndarray:
    """LIVE lengths in whole minutes: log-normal, clipped to the world's bounds."""
    minutes = world.session_minutes_median * rng.lognormal(0.0, world.session_minutes_sigma, n)
    return np.clip(np.rint(minutes), world.session_minutes_min,
                   world.session_minutes_max).astype(np.int32)


def draw_followers(world: World, n: int, rng: np.random.Generator) -> np.ndarray:
    """Follower counts: log-normal, at least 1,000 (the threshold to host a LIVE)."""
    followers = world.followers_median * rng.lognormal(0.0, world.followers_sigma, n)
    return np.maximum(1_000, np.rint(followers)).astype(np.int64)


def hour_effects(world: World, hour: np.ndarray, quality: np.ndarray, duration: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Quality and length after the world's start-hour mechanisms (both off in ``baseline``).

    ``quality_hour_slope`` adds that times the hour's audience activity (0..1) to quality;
    ``evening_minutes_lift`` multiplies the length by ``1 + lift x activity`` (clipped to the
    world's bounds again).
    """
    activity = audience_activity(hour)
    if world.quality_hour_slope:
        quality = quality + world.quality_hour_slope * activity
    if world.evening_minutes_lift:
        duration = np.clip(np.rint(duration * (1.0 + world.evening_minutes_lift * activity)),
                           world.session_minutes_min, world.session_minutes_max
                           ).astype(np.int32)
    return quality, duration


def draw_sessions(
    world: World, n_sessions: int, rng: np.random.Generator, days: int = 28
) -> pl.DataFrame:
    """Independent LIVE sessions, one per creator, spread over ``days`` days from 2026-03-01.

    Parameters
    ----------
    world : World
    n_sessions : int
    rng : numpy.random.Generator
        Source of every random draw.
    days : int
        Sessions start on a uniformly drawn day of this period.

    Returns
    -------
    polars.DataFrame
        The sessions table (:data:`SESSIONS_SCHEMA`).
    """
    n = check_count(n_sessions, "n_sessions")
    day = rng.integers(0, check_count(days, "days"), n)
    if world.weekend_lift > 0:  # weekend LIVEs start in the evening more often
        weekday = (FIRST_DAY.weekday() + day) % 7 >= 5
        weekend_weights = start_hour_weights() ** 2
        cdfs = np.cumsum(np.vstack([start_hour_weights(), weekend_weights
                                    / weekend_weights.sum()]), axis=1)
        u = rng.random(n)
        hour = np.minimum(np.where(weekday, np.searchsorted(cdfs[1], u, side="right"),
                                   np.searchsorted(cdfs[0], u, side="right")), 23)
    else:
        hour = rng.choice(24, size=n, p=start_hour_weights())
    minute = rng.integers(0, 60, n)
    duration = draw_durations(world, n, rng)
    followers = draw_followers(world, n, rng)
    quality = rng.normal(0.0, world.quality_sd, n)
    quality, duration = hour_effects(world, hour, quality, duration)
    botted = rng.random(n) < world.botted_session_share
    start_ms = (
        int(FIRST_DAY.timestamp() * 1000)
        + ((day * 24 + hour) * 60 + minute).astype(np.int64) * 60_000
    )
    ids = [f"s{i:06d}" for i in range(n)]
    return pl.DataFrame(
        {
            "session_id": ids,
            "creator_id": [f"c{i:06d}" for i in range(n)],
            "start": pl.Series(start_ms, dtype=pl.Int64).cast(pl.Datetime("ms", "UTC")),
            "hour": hour.astype(np.int8),
            "duration_minutes": duration,
            "followers": followers,
            "quality": quality,
            "botted": botted,
            "world": [world.name] * n,
        },
        schema=SESSIONS_SCHEMA,
    )
