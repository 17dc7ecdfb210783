"""Creators over days: the same LIVE simulator, run day after day for a population of creators.

Claims about creators rather than single sessions (C4: a good LIVE brings views to regular
videos afterwards; C8: what earnings grow with; C20: hearts vs follower counts; C21: going LIVE
in the evening) need creators who keep their followers, quality and habits from one LIVE to
the next. :func:`simulate_creators` draws such creators, decides each day who goes LIVE (at
about their usual hour), plays those sessions with :func:`toolkit.simulation.engine.simulate_sessions`,
adds the day's new followers, and records each creator's regular-video views and likes, which
grow with followers and with yesterday's unique LIVE viewers (``world.live_to_video_views``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import polars as pl
from scipy.special import expit, logit

from toolkit._checks import check_count
from toolkit.events.dataset import Dataset
from toolkit.simulation.engine import simulate_sessions
from toolkit.simulation.schedule import (
    FIRST_DAY,
    SESSIONS_SCHEMA,
    draw_durations,
    draw_followers,
    hour_effects,
    start_hour_weights,
)
from toolkit.simulation.worlds import World

__all__ = ["draw_creators", "simulate_creators"]

CREATORS_SCHEMA: dict[str, pl.DataType] = {
    "creator_id": pl.String(),
    "followers": pl.Int64(),
    "quality": pl.Float64(),
    "usual_hour": pl.Int8(),
    "lives_per_week": pl.Float64(),
    "botted": pl.Boolean(),
}
VIDEOS_SCHEMA: dict[str, pl.DataType] = {
    "creator_id": pl.String(),
    "day": pl.Date(),
    "followers": pl.Int64(),
    "video_views": pl.Int64(),
    "video_likes": pl.Int64(),
}


def draw_creators(world: World, n_creators: int, rng: np.random.Generator) -> pl.DataFrame:
    """A population of creators: followers, content quality, usual hour, LIVEs per week."""
    n = check_count(n_creators, "n_creators")
    return pl.DataFrame(
        {
            "creator_id": [f"c{i:05d}" for i in range(n)],
            "followers": draw_followers(world, n, rng),
            "quality": rng.normal(0.0, world.quality_sd, n),
            "usual_hour": rng.choice(24, size=n, p=start_hour_weights()).astype(np.int8),
            "lives_per_week": world.lives_per_week_median * rng.lognormal(0.0, 0.6, n),
            "botted": rng.random(n) < world.botted_session_share,
        },
        schema=CREATORS_SCHEMA,
    )


def simulate_creators(
    world: World, n_creators: int, n_days: int, rng: np.random.Generator,
    progress: Callable[[int, int], None] | None = None,
) -> Dataset:
    """Simulate ``n_creators`` creators for ``n_days`` days from 2026-03-01.

    Parameters
    ----------
    world : World
    n_creators, n_days : int
    rng : numpy.random.Generator
        Source of every random draw.
    progress : callable, optional
        Called as ``progress(days_done, n_days)``.
    """
    creators = draw_creators(world, n_creators, rng)
    n, days = creators.height, check_count(n_days, "n_days")
    followers = creators["followers"].to_numpy().copy()
    quality = creators["quality"].to_numpy()
    usual = creators["usual_hour"].to_numpy().astype(np.int64)
    chance = np.minimum(creators["lives_per_week"].to_numpy() / 7.0, 1.0)
    ids = creators["creator_id"]
    live_viewers_yesterday = np.zeros(n)
    shock = np.zeros(n)  # today's view shock of each creator (a standard score)
    # separate streams for the schedule, the LIVEs and the regular videos, so that a change to
    # one (say, how LIVE viewers spill over to videos) leaves the others' draws untouched
    schedule_rng, live_rng, video_rng = rng.spawn(3)
    parts: list[Dataset] = []
    videos: list[pl.DataFrame] = []
    weekly = world.gift_budget_split > 0 or world.generous_week_sd > 0
    plan, gift_scale = np.zeros((7, n), dtype=bool), np.ones(n)
    for day in range(days):
        date = (FIRST_DAY + dt.timedelta(days=day)).date()
        mean_views = world.video_views_per_follower_day * followers**world.follower_elasticity
        if world.view_shock_sd > 0:  # good and bad days, with memory
            m = world.view_shock_memory
            shock = m * shock + np.sqrt(1 - m * m) * video_rng.standard_normal(n)
            mean_views = mean_views * np.exp(world.view_shock_sd * shock
                                             - world.view_shock_sd**2 / 2)
        if world.viral_day_probability > 0:
            viral = video_rng.random(n) < world.viral_day_probability
            mean_views = mean_views * np.where(viral, world.viral_day_lift, 1.0)
        views = video_rng.poisson(mean_views + world.live_to_video_views * live_viewers_yesterday)
        videos.append(pl.DataFrame({
            "creator_id": ids, "day": [date] * n, "followers": followers.copy(),
            "video_views": views,
            "video_likes": video_rng.binomial(views, world.video_like_probability),
        }, schema=VIDEOS_SCHEMA))
        today = chance
        if world.live_on_high_view_days:  # creators go LIVE on their good days
            with np.errstate(divide="ignore"):
                today = expit(logit(chance) + world.live_on_high_view_days * shock)
        if weekly:  # each creator plans the week's LIVEs on its first day
            if day % 7 == 0:
                plan, gift_scale = _plan_week(world, today, chance, min(7, days - day),
                                              schedule_rng)
            going = np.flatnonzero(plan[day % 7])
        else:
            going = np.flatnonzero(schedule_rng.random(n) < today)
        live_viewers_yesterday = np.zeros(n)
        if len(going):
            sessions = _sessions_for_day(world, day, going, ids, followers, quality, usual,
                                         creators["botted"].to_numpy(), schedule_rng)
            if weekly:
                sessions = sessions.with_columns(gift_scale=pl.Series(gift_scale[going]))
            sim = simulate_sessions(world, sessions, live_rng)
            parts.append(sim)
            per_creator = (
                sim.table("events").join(sessions.select("session_id", "creator_id"), on="session_id")
                .group_by("creator_id")
                .agg(follows=(pl.col("kind") == "follow").sum(),
                     viewers=pl.col("user_id").filter(pl.col("kind") == "join").n_unique())
            )
            index = {c: i for i, c in enumerate(ids.to_list())}
            rows = np.array([index[c] for c in per_creator["creator_id"]], dtype=np.int64)
            followers[rows] += per_creator["follows"].to_numpy()
            live_viewers_yesterday[rows] = per_creator["viewers"].to_numpy()
        if progress is not None:
            progress(day + 1, days)
    def joined(name: str) -> pl.DataFrame:
        return pl.concat([p.table(name) for p in parts]) if parts else pl.DataFrame()

    return Dataset.from_tables(
        events=joined("events"), platform=joined("platform"), viewers=joined("viewers"),
        sessions=joined("sessions") if parts else pl.DataFrame(schema=SESSIONS_SCHEMA),
        creators=creators, videos=pl.concat(videos), source="simulated", name=world.name,
        **({"replies": joined("replies")} if parts and parts[0].has("replies") else {}),
    )


def _plan_week(world: World, today: np.ndarray, chance: np.ndarray, week_days: int,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Each creator's LIVE days of one week, and the factor on the gift rates of its LIVEs.

    Parameters
    ----------
    today : float array
        Each creator's chance of going LIVE on the week's first day (its usual chance, lifted
        on a good day when ``live_on_high_view_days`` is set).
    chance : float array
        Each creator's usual daily chance (``lives_per_week / 7``).
    week_days : int
        Days in the week (7, or fewer at the end of the run).

    Returns
    -------
    plan : bool array (week_days x creators)
    gift_scale : float array
        ``(expected / k) ** gift_budget_split``, times ``exp(sd z - sd^2 / 2)`` in a generous
        week of standard score ``z`` (see :class:`toolkit.simulation.worlds.World`).
    """
    sd = world.generous_week_sd
    z = rng.standard_normal(len(today)) if sd > 0 else np.zeros(len(today))
    with np.errstate(divide="ignore"):  # a chance of 1 is a logit of +inf
        week_chance = expit(logit(today) + z)
    plan = rng.random((week_days, len(today))) < week_chance
    lives = np.maximum(plan.sum(axis=0), 1)
    scale = (chance * week_days / lives) ** world.gift_budget_split
    return plan, scale * np.exp(sd * z - sd * sd / 2)


def _sessions_for_day(
    world: World, day: int, going: np.ndarray, ids: pl.Series, followers: np.ndarray,
    quality: np.ndarray, usual: np.ndarray, botted: np.ndarray, rng: np.random.Generator,
) -> pl.DataFrame:
    """Sessions table of the creators in ``going`` for one day, at about their usual hour."""
    k = len(going)
    hour = (usual[going] + rng.integers(-1, 2, k)) % 24
    minute = rng.integers(0, 60, k)
    duration = draw_durations(world, k, rng)
    session_quality, duration = hour_effects(world, hour, quality[going], duration)
    start_ms = int(FIRST_DAY.timestamp() * 1000) + ((day * 24 + hour) * 60 + minute) * 60_000
    creator = ids.gather(going)
    return pl.DataFrame(
        {
            "session_id": [f"d{day:03d}-{c}" for c in creator],
            "creator_id": creator,
            "start": pl.Series(start_ms.astype(np.int64)).cast(pl.Datetime("ms", "UTC")),
            "hour": hour.astype(np.int8),
            "duration_minutes": duration,
            "followers": followers[going],
            "quality": session_quality,
            "botted": botted[going],
            "world": [world.name] * k,
        },
        schema=SESSIONS_SCHEMA,
    )
