"""The LIVE session simulator: a seeded generative model of TikTok LIVE sessions.

Time moves in steps of ``world.step_seconds``. Each step of each session:

1. **Exposure.** The platform shows the LIVE to ``Poisson`` impressions, growing with
   followers, the audience's hour of day and ``exp(sensitivity x visibility score)``; a share
   of them (higher for better content) join.
2. **Staying.** Each viewer stays an exponential time that grows with content quality.
3. **Engagement.** Present viewers send hearts (one heart event of a geometric number of
   taps), comment, share and follow; calls to action lift taps, strong moments lift
   everything, for a while.
4. **Gifts.** Gifters (a small share of viewers, each with a log-normal taste for gift prices)
   send gifts from the catalogue, streakable ones in streaks; recent gifts in the session raise
   (herding) or lower (crowding out) everyone's gift rate.
5. **Visibility.** An engagement index per session (hearts, comments, shares, gifts per
   viewer and retention, each relative to the platform's norms; in some worlds hearts count
   for less when they come in bursts) updates the visibility score, which sets the next
   step's impressions: the feedback loop of claims C7, C11 and C13.

Bots (bought hearts) join botted sessions, tap a lot and do nothing else. See
``docs/simulator.md`` for the equations.

This module draws what is fixed before a LIVE starts (calls to action, strong moments, gift
battles: numpy over a whole batch) and builds the tables; the step loop itself is compiled
(:mod:`toolkit.simulation.kernel`, numba), one session at a time.

Outputs (a :class:`toolkit.events.Dataset`): the canonical **events** table (what a LIVE client records), a
**platform** table per session-minute (visibility, impressions, calls to action: what only the
platform knows), the **sessions** table and a **viewers** table (each viewer's true stay, gifter
and bot labels: platform knowledge, for checking detectors); in worlds where the host answers
comments or thanks gifts by name, a **replies** table (observable: the host's @-mentions).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import polars as pl
from scipy.special import expit, logit

from toolkit.events.dataset import REPLIES_SCHEMA, Dataset
from toolkit.events.schema import EventKind
from toolkit.money import reference
from toolkit.simulation import kernel
from toolkit.simulation.schedule import audience_activity, draw_sessions
from toolkit.simulation.visibility import rates
from toolkit.simulation.worlds import World

__all__ = [
    "simulate", "simulate_sessions", "simulate_in_chunks", "PLATFORM_SCHEMA", "VIEWERS_SCHEMA",
    "REPLIES_SCHEMA",
]

CHUNK_SESSIONS = 2000  # sessions simulated together; part of the algorithm (fixes the streams)

PLATFORM_SCHEMA: dict[str, pl.DataType] = {
    "session_id": pl.String(),
    "minute": pl.Int32(),
    "visibility": pl.Float64(),
    "impressions": pl.Int64(),
    "joins": pl.Int64(),
    "viewers": pl.Int64(),
    "bots": pl.Int64(),
    "cta": pl.Boolean(),
    "moment": pl.Boolean(),
}
VIEWERS_SCHEMA: dict[str, pl.DataType] = {
    "session_id": pl.String(),
    "user_id": pl.String(),
    "join_second": pl.Float64(),
    "stay_seconds": pl.Float64(),
    "is_bot": pl.Boolean(),
    "is_gifter": pl.Boolean(),
}


def simulate(
    world: World, n_sessions: int, rng: np.random.Generator,
    progress: Callable[[int, int], None] | None = None,
) -> Dataset:
    """Draw ``n_sessions`` independent LIVE sessions and play them out in ``world``.

    Parameters
    ----------
    world : World
        The parameters (see :mod:`toolkit.simulation.worlds`).
    n_sessions : int
    rng : numpy.random.Generator
        Source of every random draw: the same world, number and seed give identical tables.
    progress : callable, optional
        Called as ``progress(sessions_done, n_sessions)`` after each batch.
    """
    sessions = draw_sessions(world, n_sessions, rng)
    return simulate_sessions(world, sessions, rng, progress)


def simulate_sessions(
    world: World, sessions: pl.DataFrame, rng: np.random.Generator,
    progress: Callable[[int, int], None] | None = None,
) -> Dataset:
    """Play out the sessions of a sessions table (see :mod:`toolkit.simulation.schedule`) in ``world``.

    Sessions are simulated in batches of :data:`CHUNK_SESSIONS`, each with its own random
    stream spawned from ``rng``, so the result does not depend on memory or machine. An
    optional float column ``gift_scale`` multiplies each session's gift rates (the weekly
    budgets of :func:`toolkit.simulation.creators.simulate_creators`); it is not kept in the
    sessions table (it is the model's, like the visibility score).
    """
    parts = list(simulate_in_chunks(world, sessions, rng, progress))
    extra = ({"replies": pl.concat([p.table("replies") for p in parts])}
             if parts and parts[0].has("replies") else {})
    return Dataset.from_tables(
        events=pl.concat([p.table("events") for p in parts]),
        platform=pl.concat([p.table("platform") for p in parts]),
        sessions=sessions.drop("gift_scale", strict=False),
        viewers=pl.concat([p.table("viewers") for p in parts]),
        source="simulated", name=world.name, **extra,
    )


def simulate_in_chunks(
    world: World, sessions: pl.DataFrame, rng: np.random.Generator,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[Dataset]:
    """The same as :func:`simulate_sessions`, one batch of sessions at a time.

    Use it to write large simulations to disk with bounded memory: the batches, concatenated,
    are exactly the tables of :func:`simulate_sessions` with the same ``rng`` state.
    """
    n = sessions.height
    starts = range(0, n, CHUNK_SESSIONS) if n else range(1)
    streams = rng.spawn(len(starts))
    for start, stream in zip(starts, streams, strict=True):
        yield _simulate_chunk(world, sessions.slice(start, CHUNK_SESSIONS), stream)
        if progress is not None:
            progress(min(start + CHUNK_SESSIONS, n), n)


def _window_starts(rng: np.random.Generator, steps: np.ndarray, per_hour: float,
                   step_seconds: int) -> tuple[np.ndarray, np.ndarray]:
    """Poisson-placed window starts: (session index, step) of each window."""
    counts = rng.poisson(per_hour * steps * step_seconds / 3600.0)
    owner = np.repeat(np.arange(len(steps)), counts)
    start = np.floor(rng.random(counts.sum()) * steps[owner]).astype(np.int64)
    return owner, start


def _mask(owner: np.ndarray, start: np.ndarray, length: int, steps: np.ndarray) -> np.ndarray:
    """Boolean (sessions x steps) matrix, true in the ``length`` steps from each start."""
    n, horizon = len(steps), int(steps.max(initial=0))
    change = np.zeros((n, horizon + 1), dtype=np.int32)
    np.add.at(change, (owner, start), 1)
    np.add.at(change, (owner, np.minimum(start + length, horizon)), -1)
    return np.cumsum(change, axis=1)[:, :horizon] > 0


def _windows(rng: np.random.Generator, steps: np.ndarray, per_hour: float, length: int,
             step_seconds: int) -> np.ndarray:
    """Boolean (sessions x steps) matrix of Poisson-placed windows of ``length`` steps."""
    return _mask(*_window_starts(rng, steps, per_hour, step_seconds), length, steps)


def _call_windows(w: World, rng: np.random.Generator, steps: np.ndarray,
                  per_minute: int) -> tuple[np.ndarray, np.ndarray]:
    """The calls to action and strong moments of each session (sessions x steps masks).

    Calls come at random times, at the start of strong moments (``cta_timing="moments"``,
    each moment with probability ``cta_per_hour / moments_per_hour``) or in the last quarter
    of the LIVE (``"late"``).
    """
    cta_length = max(1, round(w.cta_minutes * per_minute))
    moment_length = max(1, round(w.moment_minutes * per_minute))
    if w.cta_timing == "random":  # the original order of draws: calls, then moments
        cta = _windows(rng, steps, w.cta_per_hour, cta_length, w.step_seconds)
        moment = _windows(rng, steps, w.moments_per_hour, moment_length, w.step_seconds)
        return cta, moment
    owner, start = _window_starts(rng, steps, w.moments_per_hour, w.step_seconds)
    moment = _mask(owner, start, moment_length, steps)
    if w.cta_timing == "moments":
        keep = rng.random(len(owner)) < min(1.0, w.cta_per_hour / max(w.moments_per_hour, 1e-9))
        return _mask(owner[keep], start[keep], cta_length, steps), moment
    counts = rng.poisson(w.cta_per_hour * steps * w.step_seconds / 3600.0)
    late_owner = np.repeat(np.arange(len(steps)), counts)
    last_quarter = steps[late_owner] * 0.75
    late = np.floor(last_quarter + rng.random(counts.sum()) * (steps[late_owner] - last_quarter))
    return _mask(late_owner, late.astype(np.int64), cta_length, steps), moment


def _catalogue() -> kernel.Catalogue:
    """The gift catalogue sorted by price, as the kernel draws from it."""
    table = reference.gift_catalogue().sort("coins", "gift_id")
    if table.is_empty():
        raise ValueError("the gift catalogue is empty: the simulator needs gifts")
    coins = table["coins"].to_numpy().astype(np.int64)
    prices, first = np.unique(coins, return_index=True)
    return kernel.Catalogue(
        ids=table["gift_id"].to_numpy().astype(np.int64), coins=coins,
        streakable=table["streakable"].to_numpy().astype(np.bool_),
        first=first.astype(np.int64), per_price=np.diff(np.append(first, len(coins))).astype(np.int64),
        log_mid=np.log(np.sqrt(prices[:-1] * prices[1:])).astype(np.float64),
    )


def _simulate_chunk(world: World, sessions: pl.DataFrame, rng: np.random.Generator) -> Dataset:
    w = world
    step_s, step_min = w.step_seconds, w.step_seconds / 60.0
    per_minute = 60 // step_s
    steps = sessions["duration_minutes"].to_numpy().astype(np.int64) * per_minute
    followers = sessions["followers"].to_numpy().astype(float)
    quality = sessions["quality"].to_numpy().astype(float)
    botted = sessions["botted"].to_numpy().astype(np.bool_)
    hour_factor = 1.0 + w.evening_lift * audience_activity(sessions["hour"].to_numpy())
    base_impressions = (w.impressions_per_follower_minute * followers**w.follower_elasticity
                        * hour_factor * step_min)
    with np.errstate(divide="ignore"):  # a join probability of 0 or 1 is a logit of -/+inf
        p_join = expit(logit(w.join_probability) + quality)
    stay_steps_mean = w.stay_minutes_mean * np.exp(w.quality_stay_elasticity * quality) * per_minute
    # one random stream per process, so that changing one process (say, hearts) leaves the
    # draws of the others untouched: the basis of same-seed replays (common random numbers)
    exposure, audience_rng, heart_rng, social_rng, gift_rng, window_rng = rng.spawn(6)
    replies_rng = window_rng.spawn(1)[0]  # a child: the six streams above stay as they were
    cta, moment = _call_windows(w, window_rng, steps, per_minute)
    shock = (_windows(window_rng, steps, w.gift_shocks_per_hour,
                      max(1, round(w.gift_shock_minutes * per_minute)), step_s)
             if w.gift_shocks_per_hour > 0 else np.zeros_like(cta))
    if w.weekend_lift > 0:  # Saturday and Sunday (ISO weekdays 6 and 7)
        weekend = sessions["start"].dt.weekday().to_numpy() >= 6
        base_impressions = base_impressions * np.where(weekend, 1.0 + w.weekend_lift, 1.0)
    # a factor on each session's gift rates (the creators-over-days model's weekly budgets)
    gift_scale = (sessions["gift_scale"].to_numpy().astype(np.float64)
                  if "gift_scale" in sessions.columns else np.ones(len(steps)))
    sessions = sessions.drop("gift_scale", strict=False)
    catalogue = _catalogue()
    events, platform, viewers = kernel.play_sessions(
        rates(w), steps, np.ascontiguousarray(base_impressions, dtype=np.float64),
        np.ascontiguousarray(p_join, dtype=np.float64),
        np.ascontiguousarray(stay_steps_mean, dtype=np.float64), botted, cta, moment, shock,
        np.ascontiguousarray(gift_scale), catalogue, exposure, audience_rng, heart_rng,
        social_rng, gift_rng, replies_rng)
    return _tables(sessions, events, platform, viewers, step_s, catalogue.ids,
                   answers=w.host_answers)


def _tables(sessions: pl.DataFrame, events: np.ndarray, platform: tuple[np.ndarray, np.ndarray],
            viewers: np.ndarray, step_seconds: int, gift_ids: np.ndarray,
            answers: bool = False) -> Dataset:
    """The kernel's arrays as the canonical tables (events come ordered by session and time).

    Strings are built once per viewer (``viewers``) and gathered into the events by row.
    Where the host ``answers`` (the world's replies), the kernel's replies become the
    ``replies`` table.
    """
    ids = sessions["session_id"]
    # a row per field (each contiguous); viewers by session, then number: the order drawn
    viewers_table = pl.DataFrame({
        "session_id": ids.gather(viewers[0]), "number": viewers[1],
        "join_second": viewers[2] * float(step_seconds),
        "stay_seconds": (viewers[3] - viewers[2]) * float(step_seconds),
        "is_bot": viewers[4].astype(bool), "is_gifter": viewers[5].astype(bool),
    }).with_columns(
        user_id=pl.concat_str(pl.col("session_id"), pl.lit("-v"), pl.col("number").cast(pl.String))
    ).select(list(VIEWERS_SCHEMA)).cast(VIEWERS_SCHEMA)  # type: ignore[arg-type]

    start_ms = sessions["start"].dt.epoch("ms").to_numpy()
    replies = None
    if answers:
        is_reply = events[2] == kernel.REPLY
        said = events[:, is_reply]
        replies = pl.DataFrame({
            "session_id": ids.gather(said[0]),
            "ts": pl.Series(start_ms[said[0]] + said[1], dtype=pl.Int64).cast(pl.Datetime("ms", "UTC")),
            "user_id": viewers_table["user_id"].gather(said[3]),
        }).cast(REPLIES_SCHEMA)  # type: ignore[arg-type]
        events = events[:, ~is_reply]
    session, viewer, gift_row = events[0], events[3], events[5]
    someone = viewer >= 0
    events_table = pl.DataFrame({
        "session_id": ids.gather(session),
        "ts": pl.Series(start_ms[session] + events[1], dtype=pl.Int64).cast(pl.Datetime("ms", "UTC")),
        "kind": _KIND_OF_CODE.gather(events[2]),
        "user_id": viewers_table["user_id"].gather(
            pl.Series(np.where(someone, viewer, 0)).set(pl.Series(~someone), None)),
        "count": events[4],
        "gift_id": pl.Series(np.where(gift_row >= 0, gift_ids[np.maximum(gift_row, 0)], 0),
                             dtype=pl.Int64).set(pl.Series(gift_row < 0), None),
        "coins": events[6],
    })

    rows, visibility = platform
    platform_table = pl.DataFrame({
        "session_id": ids.gather(rows[0]), "minute": rows[1], "visibility": visibility,
        "impressions": rows[2], "joins": rows[3], "viewers": rows[4],
        "bots": rows[5], "cta": rows[6].astype(bool), "moment": rows[7].astype(bool),
    }).cast(PLATFORM_SCHEMA)  # type: ignore[arg-type]
    extra = {"replies": replies} if replies is not None else {}
    return Dataset.from_tables(events=events_table, platform=platform_table, sessions=sessions,
                               viewers=viewers_table, source="simulated",
                               name=str(sessions["world"][0]) if sessions.height else "simulation",
                               **extra)


#: Each kind of event at the kernel's code for it (``kernel.JOIN`` = 0, ...).
_KIND_OF_CODE = pl.Series("kind", EventKind.categories, dtype=EventKind)
