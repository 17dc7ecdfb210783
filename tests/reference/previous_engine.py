"""The simulator's previous version (numpy over all sessions, one Python step loop), frozen.

Kept as a reference, not as a second simulator: ``tests/simulation/test_kernel.py`` checks
that the compiled kernel (:mod:`toolkit.simulation.kernel`) draws from the same model (the
same distributions of every per-session total, within Monte Carlo error, in many worlds),
and ``benchmarks/bench_simulator.py`` times it beside the kernel on the same sessions. This is
the code of ``toolkit/simulation/engine.py`` and ``visibility.py`` as of commit 7ce099b,
with the engagement index inlined; the windows (calls, moments, battles) are drawn by the
engine's own functions, unchanged.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.special import expit, logit

from toolkit.events.dataset import Dataset
from toolkit.events.schema import EVENTS_SCHEMA, KINDS, EventKind
from toolkit.money import reference
from toolkit.simulation.engine import PLATFORM_SCHEMA, VIEWERS_SCHEMA, _call_windows, _windows
from toolkit.simulation.schedule import audience_activity
from toolkit.simulation.visibility import NORMS, SIGNAL_CAP
from toolkit.simulation.worlds import World

__all__ = ["simulate_sessions"]

CHUNK_SESSIONS = 2000
JOIN, HEART, COMMENT, SHARE, FOLLOW, GIFT, VIEWERS = range(len(KINDS))


def simulate_sessions(world: World, sessions: pl.DataFrame, rng: np.random.Generator) -> Dataset:
    """The previous version's ``toolkit.simulation.simulate_sessions``."""
    n = sessions.height
    starts = range(0, n, CHUNK_SESSIONS) if n else range(1)
    parts = [_simulate_chunk(world, sessions.slice(start, CHUNK_SESSIONS), stream)
             for start, stream in zip(starts, rng.spawn(len(starts)), strict=True)]
    return Dataset.from_tables(
        events=pl.concat([p.table("events") for p in parts]),
        platform=pl.concat([p.table("platform") for p in parts]),
        sessions=sessions,
        viewers=pl.concat([p.table("viewers") for p in parts]),
        source="simulated", name=world.name,
    )


def heart_ratio(world: World, hearts: np.ndarray, audience_minutes: np.ndarray) -> np.ndarray:
    expected = NORMS.tap_sessions_per_minute * NORMS.taps_per_batch_mean * audience_minutes
    return ((hearts + 1.0) / (expected + 1.0)) ** (1.0 / (1.0 + world.steadiness_penalty))


def engagement_index(world: World, heart_ratios: np.ndarray, comments: np.ndarray,
                     shares: np.ndarray, gifts: np.ndarray, stayed: np.ndarray,
                     present_before: np.ndarray, audience_minutes: np.ndarray) -> np.ndarray:
    step_minutes = world.step_seconds / 60.0
    expected_gifts = NORMS.gifter_share * NORMS.gifts_per_gifter_minute
    expected_retention = np.exp(-step_minutes / NORMS.stay_minutes_mean)
    hearts = np.minimum(heart_ratios.mean(axis=1) - 1.0, SIGNAL_CAP)
    return (
        world.heart_weight * hearts
        + world.comment_weight * _signal(comments, NORMS.comments_per_minute * audience_minutes)
        + world.share_weight * _signal(shares, NORMS.shares_per_minute * audience_minutes)
        + world.gift_weight * _signal(gifts, expected_gifts * audience_minutes)
        + world.retention_weight * _signal(stayed, present_before * expected_retention)
    )


def _signal(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    return np.minimum((observed - expected) / (expected + 1.0), SIGNAL_CAP)


class _Catalogue:
    """Gift prices in a form fast to draw from: sorted distinct prices and their gifts."""

    def __init__(self) -> None:
        table = reference.gift_catalogue().sort("coins", "gift_id")
        if table.is_empty():
            raise ValueError("the gift catalogue is empty: the simulator needs gifts")
        self.ids = table["gift_id"].to_numpy()
        self.coins = table["coins"].to_numpy()
        self.streakable = table["streakable"].to_numpy()
        self.prices, self.first = np.unique(self.coins, return_index=True)
        self.count = np.diff(np.append(self.first, len(self.coins)))
        self.log_mid = np.log(np.sqrt(self.prices[:-1] * self.prices[1:]))

    def draw(self, rng: np.random.Generator, target: np.ndarray) -> np.ndarray:
        """Index of a gift whose price is nearest (in log terms) to each target price."""
        level = np.searchsorted(self.log_mid, np.log(target))
        return self.first[level] + (rng.random(len(target)) * self.count[level]).astype(np.int64)


def _simulate_chunk(world: World, sessions: pl.DataFrame, rng: np.random.Generator) -> Dataset:
    w = world
    step_s, step_min = w.step_seconds, w.step_seconds / 60.0
    per_minute = 60 // step_s
    s_count = sessions.height
    steps = sessions["duration_minutes"].to_numpy().astype(np.int64) * per_minute
    horizon = int(steps.max(initial=0))
    followers = sessions["followers"].to_numpy().astype(float)
    quality = sessions["quality"].to_numpy()
    botted = sessions["botted"].to_numpy()
    hour_factor = 1.0 + w.evening_lift * audience_activity(sessions["hour"].to_numpy())
    base_impressions = (w.impressions_per_follower_minute * followers**w.follower_elasticity
                        * hour_factor * step_min)
    with np.errstate(divide="ignore"):  # a join probability of 0 or 1 is a logit of -/+inf
        p_join = expit(logit(w.join_probability) + quality)
    stay_steps_mean = w.stay_minutes_mean * np.exp(w.quality_stay_elasticity * quality) * per_minute
    # one random stream per process, so that changing one process (say, hearts) leaves the
    # draws of the others untouched: the basis of same-seed replays (common random numbers)
    exposure, audience_rng, heart_rng, social_rng, gift_rng, window_rng = rng.spawn(6)
    cta, moment = _call_windows(w, window_rng, steps, per_minute)
    shock = (_windows(window_rng, steps, w.gift_shocks_per_hour,
                      max(1, round(w.gift_shock_minutes * per_minute)), step_s)
             if w.gift_shocks_per_hour > 0 else None)
    if w.weekend_lift > 0:  # Saturday and Sunday (ISO weekdays 6 and 7)
        weekend = sessions["start"].dt.weekday().to_numpy() >= 6
        base_impressions = base_impressions * np.where(weekend, 1.0 + w.weekend_lift, 1.0)
    catalogue = _Catalogue()

    memory = 1.0 - np.exp(-step_min / w.visibility_memory_minutes)
    excitation_decay = np.exp(-step_min / w.excitation_minutes)
    window = max(2, round(w.steadiness_minutes * per_minute))

    visibility = np.zeros(s_count)
    recent_gifts = np.zeros(s_count)
    heart_history = np.ones((s_count, window))  # transformed heart ratios; 1 = at the norm
    next_viewer = np.zeros(s_count, dtype=np.int64)
    # the viewers present (flat arrays over all sessions of the chunk)
    v = {k: np.zeros(0, dtype=t) for k, t in [
        ("session", np.int64), ("number", np.int64), ("join", np.int64), ("leave", np.int64),
        ("follow", np.int64), ("tap", float), ("gifter", bool), ("scale", float), ("bot", bool),
        ("quiet", bool)]}
    out: list[tuple[np.ndarray, ...]] = []
    audience: list[tuple[np.ndarray, ...]] = []
    platform: list[tuple[np.ndarray, ...]] = []

    def emit(stream: np.random.Generator, session: np.ndarray, t: int, kind: int,
             number: np.ndarray, count: np.ndarray, gift: np.ndarray | None = None,
             coins: np.ndarray | None = None) -> None:
        k = len(session)
        if k == 0:
            return
        offset = (stream.random(k) * step_s * 1000).astype(np.int64) if kind != VIEWERS else \
            np.zeros(k, dtype=np.int64)
        none = np.full(k, -1, dtype=np.int64)
        out.append((session, t * step_s * 1000 + offset, np.full(k, kind, dtype=np.int8),
                    number, count.astype(np.int64), none if gift is None else gift,
                    np.zeros(k, dtype=np.int64) if coins is None else coins))

    minute_impressions = np.zeros(s_count, dtype=np.int64)
    minute_joins = np.zeros(s_count, dtype=np.int64)
    present_before = np.zeros(s_count)
    for t in range(horizon):
        live = t < steps
        # 1. exposure and joins
        impressions = exposure.poisson(base_impressions * np.exp(w.visibility_sensitivity * visibility))
        impressions = np.where(live, impressions, 0)
        joins = exposure.binomial(impressions, p_join)
        bots = np.where(botted & live, exposure.poisson(w.bot_share * joins), 0)
        grouped = (_gifter_groups(w, audience_rng, joins) if w.gifter_group_mean > 1
                   else None)
        if grouped is not None:  # the groups' gifters join after the step's other joiners
            joins = joins + grouped
        minute_impressions += impressions
        minute_joins += joins
        new = joins + bots
        total_new = int(new.sum())
        if total_new:
            owner = np.repeat(np.arange(s_count), new)
            rank = np.arange(total_new) - np.repeat(np.cumsum(new) - new, new)
            is_bot = rank >= np.repeat(joins, new)
            number = next_viewer[owner] + rank
            next_viewer += new
            quiet = ((~is_bot) & (audience_rng.random(total_new) < w.heavy_tapper_share)
                     if w.heavy_tapper_share > 0 else np.zeros(total_new, dtype=bool))
            bot_like = is_bot | quiet
            mean_stay = np.where(bot_like, w.bot_stay_minutes * per_minute, stay_steps_mean[owner])
            stay = np.maximum(1, np.ceil(audience_rng.exponential(1.0, total_new) * mean_stay)
                              ).astype(np.int64)
            leave = np.minimum(t + 1 + stay, steps[owner])
            follows = (~is_bot) & (audience_rng.random(total_new) < w.follow_probability)
            follow_at = np.where(follows, t + 1 + np.floor(audience_rng.random(total_new) * stay), -1)
            tap = np.where(
                bot_like, w.bot_taps_per_minute,
                w.tap_sessions_per_minute * audience_rng.lognormal(-w.tap_taste_sigma**2 / 2,
                                                          w.tap_taste_sigma, total_new),
            )
            if grouped is not None:  # a step's group gifters share one stay and leave together
                first_gifter = np.repeat(joins - grouped, new)
                gifter = (~is_bot) & (rank >= first_gifter)
                lead = np.maximum.accumulate(np.where(gifter & (rank == first_gifter),
                                                      np.arange(total_new), 0))
                stay = np.where(gifter, stay[lead], stay)
                leave = np.where(gifter, np.minimum(t + 1 + stay, steps[owner]), leave)
            else:
                gifter = (~is_bot) & (audience_rng.random(total_new) < w.gifter_share)
            gifter = gifter & ~quiet
            scale = w.gift_coins_median * audience_rng.lognormal(0.0, w.gift_coins_sigma, total_new)
            emit(audience_rng, owner, t, JOIN, number, np.ones(total_new))
            audience.append((owner, number, np.full(total_new, t * float(step_s)),
                             (leave - t) * float(step_s), is_bot, gifter))
            for key, values in [("session", owner), ("number", number), ("join", np.full(total_new, t)),
                                ("leave", leave), ("follow", follow_at), ("tap", tap),
                                ("gifter", gifter), ("scale", scale), ("bot", is_bot),
                                ("quiet", quiet)]:
                v[key] = np.concatenate([v[key], values])
        present = v["leave"] > t
        for key in v:
            v[key] = v[key][present]
        counts = np.bincount(v["session"], minlength=s_count)
        if t % per_minute == 0:
            snap = np.flatnonzero(live)
            emit(exposure, snap, t, VIEWERS, np.full(len(snap), -1), counts[snap])

        # 2. engagement of viewers who joined before this step
        engaged = v["join"] < t
        sess, num, bot = v["session"][engaged], v["number"][engaged], v["bot"][engaged]
        quiet = v["quiet"][engaged]
        boost = np.where(moment[sess, t], w.moment_lift, 1.0)
        calling = cta[sess, t]
        lift = np.where(calling & ~bot, w.cta_tap_lift, 1.0) * np.where(bot, 1.0, boost)
        tap_rate = v["tap"][engaged] * step_min * lift
        hearts = heart_rng.random(len(sess)) < -np.expm1(-tap_rate)
        batch_mean = np.where(bot | quiet, w.bot_taps_per_batch, w.taps_per_batch_mean)[hearts]
        if w.batch_follows_tapping:  # faster tapping packs more taps into one message
            batch_mean = np.maximum(1.0, batch_mean * lift[hearts] ** w.batch_follows_tapping)
        taps = heart_rng.geometric(1.0 / batch_mean)
        if w.max_taps_per_message:
            taps = np.minimum(taps, w.max_taps_per_message)
        emit(heart_rng, sess[hearts], t, HEART, num[hearts], taps)
        hearts_per_session = np.bincount(sess[hearts], weights=taps, minlength=s_count)

        real = ~(bot | quiet)
        talk = boost * np.where(calling, w.cta_comment_lift, 1.0) if w.cta_comment_lift != 1 \
            else boost
        said = real & (social_rng.random(len(sess)) < -np.expm1(-w.comments_per_minute * step_min * talk))
        emit(social_rng, sess[said], t, COMMENT, num[said], np.ones(int(said.sum())))
        shared = real & (social_rng.random(len(sess)) < -np.expm1(-w.shares_per_minute * step_min * boost))
        emit(social_rng, sess[shared], t, SHARE, num[shared], np.ones(int(shared.sum())))
        followed = v["follow"][engaged] == t
        emit(social_rng, sess[followed], t, FOLLOW, num[followed], np.ones(int(followed.sum())))

        gifting = v["gifter"][engaged]
        herd = np.maximum(0.0, 1.0 + w.gift_excitation * np.tanh(recent_gifts[sess]))
        gift_rate = w.gifts_per_gifter_minute * step_min * boost * herd
        if shock is not None:  # gift battles and goals lift gifts alone
            gift_rate = gift_rate * np.where(shock[sess, t], w.gift_shock_lift, 1.0)
        gave = gifting & (gift_rng.random(len(sess)) < -np.expm1(-gift_rate))
        n_gifts = int(gave.sum())
        if n_gifts:
            target = v["scale"][engaged][gave] * gift_rng.lognormal(0.0, 0.3, n_gifts)
            pick = catalogue.draw(gift_rng, target)
            streak = np.where(catalogue.streakable[pick],
                              gift_rng.geometric(1.0 / w.streak_mean, n_gifts), 1)
            emit(gift_rng, sess[gave], t, GIFT, num[gave], streak, catalogue.ids[pick],
                 catalogue.coins[pick] * streak)
        gifts_per_session = np.bincount(sess[gave], minlength=s_count)
        recent_gifts = recent_gifts * excitation_decay + gifts_per_session

        # 5. visibility from this step's engagement, relative to what the world expects
        audience_minutes = np.bincount(sess, minlength=s_count) * step_min
        heart_history = np.roll(heart_history, -1, axis=1)
        heart_history[:, -1] = heart_ratio(w, hearts_per_session, audience_minutes)
        comments_per_session = np.bincount(sess[said], minlength=s_count)
        shares_per_session = np.bincount(sess[shared], minlength=s_count)
        stayed = np.bincount(sess, minlength=s_count)  # present before this step and still here
        index = engagement_index(w, heart_history, comments_per_session, shares_per_session,
                                 gifts_per_session, stayed, present_before, audience_minutes)
        index = np.where(present_before > 0, index, 0.0)
        visibility = np.where(live, visibility + memory * (index - visibility), visibility)
        present_before = counts.astype(float)
        if t % per_minute == per_minute - 1 or t == horizon - 1:
            rows = np.flatnonzero(live)
            n_bots = np.bincount(v["session"][v["bot"]], minlength=s_count)
            first = t - t % per_minute  # the minute's first step
            # numpy's stubs type any(axis=1) as "a bool or an array"; of a 2-D mask, an array
            platform.append((rows, np.full(len(rows), t // per_minute), visibility[rows],  # type: ignore[arg-type]
                             minute_impressions[rows], minute_joins[rows], counts[rows],
                             n_bots[rows], cta[rows, first:t + 1].any(axis=1),
                             moment[rows, first:t + 1].any(axis=1)))
            minute_impressions[:] = 0
            minute_joins[:] = 0
    return _tables(sessions, out, platform, audience)


def _gifter_groups(w: World, rng: np.random.Generator, joins: np.ndarray) -> np.ndarray:
    """Gifters arriving together: per session, the number of gifters who join this step in
    groups (``gifter_group_mean`` in size on average, geometric), about ``gifter_share`` of
    the step's other joins on average."""
    groups = rng.poisson(joins * w.gifter_share / w.gifter_group_mean)
    size = rng.geometric(1.0 / w.gifter_group_mean, int(groups.sum()))
    return np.bincount(np.repeat(np.arange(len(joins)), groups), weights=size,
                       minlength=len(joins)).astype(np.int64)


def _tables(sessions: pl.DataFrame, out: list, platform: list, audience: list) -> Dataset:
    ids = sessions["session_id"]
    start_ms = sessions["start"].dt.epoch("ms").to_numpy()
    if out:
        columns = (np.concatenate(c) for c in zip(*out, strict=True))
        session, offset, kind, number, count, gift, coins = columns
    else:
        session = offset = number = count = gift = coins = np.zeros(0, dtype=np.int64)
        kind = np.zeros(0, dtype=np.int8)
    ts = start_ms[session] + offset
    order = np.lexsort((np.arange(len(ts)), ts, session))
    session, ts, kind, number = session[order], ts[order], kind[order], number[order]
    count, gift, coins = count[order], gift[order], coins[order]
    sid = ids.gather(session)
    events = pl.DataFrame({
        "session_id": sid,
        "ts": pl.Series(ts, dtype=pl.Int64).cast(pl.Datetime("ms", "UTC")),
        "kind": pl.Series(kind, dtype=pl.Int8).replace_strict(
            list(range(len(KINDS))), list(KINDS), return_dtype=EventKind),
        "user_id": pl.Series(number, dtype=pl.Int64),
        "count": count,
        "gift_id": pl.Series(gift, dtype=pl.Int64),
        "coins": coins,
    }).with_columns(
        user_id=pl.when(pl.col("user_id") >= 0).then(
            pl.concat_str(pl.col("session_id"), pl.lit("-v"), pl.col("user_id").cast(pl.String))),
        gift_id=pl.when(pl.col("gift_id") >= 0).then(pl.col("gift_id")),
    ).select(list(EVENTS_SCHEMA)).cast(EVENTS_SCHEMA)  # type: ignore[arg-type]

    names = list(PLATFORM_SCHEMA)
    if platform:
        cols = [np.concatenate(c) for c in zip(*platform, strict=True)]
    else:
        cols = [np.zeros(0, dtype=np.int64)] * len(names)
    table = pl.DataFrame({n: c for n, c in zip(names[1:], cols[1:], strict=True)})
    table = table.with_columns(session_id=ids.gather(cols[0])).select(names)
    table = table.cast(PLATFORM_SCHEMA).sort("session_id", "minute")  # type: ignore[arg-type]

    if audience:
        columns = (np.concatenate(c) for c in zip(*audience, strict=True))
        owner, number, join_s, stay_s, is_bot, gifter = columns
    else:
        owner = number = np.zeros(0, dtype=np.int64)
        join_s = stay_s = np.zeros(0)
        is_bot = gifter = np.zeros(0, dtype=bool)
    viewers = pl.DataFrame({
        "session_id": ids.gather(owner), "number": number, "join_second": join_s,
        "stay_seconds": stay_s, "is_bot": is_bot, "is_gifter": gifter,
    }).with_columns(
        user_id=pl.concat_str(pl.col("session_id"), pl.lit("-v"), pl.col("number").cast(pl.String))
    ).sort("session_id", "number").select(list(VIEWERS_SCHEMA)).cast(VIEWERS_SCHEMA)  # type: ignore[arg-type]
    return Dataset.from_tables(events=events, platform=table, sessions=sessions, viewers=viewers,
                               source="simulated",
                               name=str(sessions["world"][0]) if sessions.height else "simulation")

