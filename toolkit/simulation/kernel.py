"""The compiled step loop of the LIVE simulator: one session at a time, one viewer at a time.

:mod:`toolkit.simulation.engine` prepares a batch of sessions (their rates, calls to action,
strong moments and gift battles, as arrays) and hands it to :func:`play_sessions`, compiled by
numba. The model is the one in ``docs/simulator.md``; what is particular to this code is how
it draws a viewer's engagement.

**Exponential clocks.** A viewer taps (comments, shares, gifts) in a step with probability
``1 - exp(-h)``, where ``h`` is that step's hazard: the viewer's rate x the step's length x
the step's lifts (calls to action, strong moments). Instead of one uniform number per
viewer, process and step, each viewer carries a *clock* per process: an ``Exp(1)`` draw, from
which every step's hazard is taken away. The event happens in the step where the clock runs
out, and a fresh clock starts with the next step. The chance of an event in a step is then
exactly ``1 - exp(-h)``, at most one a step, whatever happened before (the exponential
distribution is memoryless): the model, drawn per *event* rather than per viewer-step.

For hearts, comments and shares the lifts of every step of the LIVE are known before it
starts, so a viewer's events are all drawn when the viewer joins: the step where a clock runs
out is found by binary search in the session's cumulative lift. Gifts depend on the room's
recent gifts (herding), so the gifters' clocks run step by step. A session's events are then
put in the order of time (a counting sort by step, then by millisecond; ties keep the order
they were drawn in). A 2,000-session batch of the baseline world has about 16 million
viewer-steps and needs about 12 million random numbers instead of 60 million.

Random streams: one :class:`numpy.random.Generator` per process (exposure, audience,
hearts, social, gifts), so that changing one process (say, hearts in a world where they do not
feed visibility) leaves the draws of the others untouched: the basis of same-seed replays.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

__all__ = ["Rates", "Catalogue", "play_sessions", "heart_ratio", "engagement_index",
           "JOIN", "HEART", "COMMENT", "SHARE", "FOLLOW", "GIFT", "VIEWERS", "REPLY"]

JOIN, HEART, COMMENT, SHARE, FOLLOW, GIFT, VIEWERS = range(7)  # order of events.schema.KINDS
REPLY = 7  # the host answers a viewer (by name): the replies table, not an event kind


class Rates(NamedTuple):
    """The world's parameters in the units of one step (see :class:`toolkit.simulation.World`)."""

    step_ms: int
    per_minute: int
    step_minutes: float
    visibility_sensitivity: float
    linear_link: bool
    bot_share: float
    gifter_share: float
    gifter_group_mean: float
    heavy_tapper_share: float
    bot_stay_steps: float
    follow_probability: float
    tap_sessions_per_minute: float
    tap_taste_sigma: float
    bot_taps_per_minute: float
    gift_coins_median: float
    gift_coins_sigma: float
    cta_tap_lift: float
    moment_lift: float
    bot_taps_per_batch: float
    taps_per_batch_mean: float
    batch_follows_tapping: float
    max_taps_per_message: int
    heart_bunch_steps: int
    comments_per_minute: float
    cta_comment_lift: float
    shares_per_minute: float
    gifts_per_gifter_minute: float
    gift_excitation: float
    gift_shock_lift: float
    streak_mean: float
    reply_share: float          # chance the host answers a comment, the step after it
    reply_gifter_bias: float    # ... times this for a gifter's comment (at most 1)
    reply_moment_lift: float    # ... times this in a strong moment (at most 1)
    thank_share: float          # chance the host thanks a gift by name, the step after it
    reply_gift_lift: float      # factor on an answered gifter's gift rate ...
    reply_lift_steps: int       # ... for this many steps from the reply
    excitation_decay: float
    memory: float
    heart_window: int
    heart_power: float
    heart_weight: float
    comment_weight: float
    share_weight: float
    gift_weight: float
    retention_weight: float
    # the platform's norms, per viewer-minute (toolkit.simulation.visibility.NORMS)
    norm_hearts: float
    norm_comments: float
    norm_shares: float
    norm_gifts: float
    norm_retention: float
    signal_cap: float


class Catalogue(NamedTuple):
    """Gift prices in a form fast to draw from: distinct prices, sorted, and their gifts."""

    ids: np.ndarray         # gift id of each catalogue row, rows sorted by price
    coins: np.ndarray       # price of each row, coins
    streakable: np.ndarray  # whether the row's gift can be sent in a streak
    first: np.ndarray       # first row of each distinct price
    per_price: np.ndarray   # rows at each distinct price
    log_mid: np.ndarray     # log of the geometric midpoints between distinct prices


@njit(cache=True, error_model="numpy")
def _grow(a: np.ndarray, rows: int) -> np.ndarray:
    """``a`` (rows x columns) with room for ``rows`` rows (twice as many, or more), its rows kept."""
    if rows <= a.shape[0]:
        return a
    bigger = np.empty((max(rows, 2 * a.shape[0]), a.shape[1]), dtype=a.dtype)
    bigger[:a.shape[0]] = a
    return bigger


@njit(cache=True, error_model="numpy")
def _widen(a: np.ndarray, n: int) -> np.ndarray:
    """``a`` (fields x records) with room for ``n`` records (twice as many, or more)."""
    if n <= a.shape[1]:
        return a
    bigger = np.empty((a.shape[0], max(n, 2 * a.shape[1])), dtype=a.dtype)
    bigger[:, :a.shape[1]] = a
    return bigger


@njit(cache=True, error_model="numpy")
def _put(events: np.ndarray, row: int, session: int, ms: int, kind: int, viewer: int,
         count: int, gift: int, coins: int) -> None:
    """Write one event."""
    events[0, row] = session
    events[1, row] = ms
    events[2, row] = kind
    events[3, row] = viewer
    events[4, row] = count
    events[5, row] = gift
    events[6, row] = coins


@njit(cache=True, error_model="numpy")
def _signal(observed: float, expected: float, cap: float) -> float:
    """Excess of observed over expected events, ``(observed - expected) / (expected + 1)``, capped."""
    return min((observed - expected) / (expected + 1.0), cap)


@njit(cache=True, error_model="numpy")
def _first_step_after(cumulative: np.ndarray, begin: int, end: int, threshold: float) -> int:
    """The step where a clock runs out: the first ``k`` in ``begin .. end - 1`` with
    ``cumulative[k + 1] > threshold``, or ``end`` if there is none."""
    if cumulative[end] <= threshold:
        return end
    low, high = begin, end - 1  # the answer is in low .. high
    while low < high:
        middle = (low + high) >> 1
        if cumulative[middle + 1] > threshold:
            high = middle
        else:
            low = middle + 1
    return low


@njit(cache=True, error_model="numpy")
def _block_middle(k: int, block: int, earliest: int, latest: int) -> int:
    """The middle step of ``k``'s block of ``block`` steps (for an even block, the step before
    or after the middle, alternating, so that on average no message moves in time), kept in
    ``earliest .. latest``."""
    middle = k - k % block + (block - 1) // 2
    if block % 2 == 0:
        middle += (k // block) % 2
    return min(max(middle, earliest), latest)


@njit(cache=True, error_model="numpy")
def heart_ratio(r: Rates, hearts: float, audience_minutes: float) -> float:
    """One step's hearts against the norm, ``((hearts + 1) / (expected + 1)) ** r.heart_power``
    (see :func:`toolkit.simulation.visibility.heart_ratio`)."""
    return ((hearts + 1.0) / (r.norm_hearts * audience_minutes + 1.0)) ** r.heart_power


@njit(cache=True, error_model="numpy")
def engagement_index(r: Rates, heart_ratio_mean: float, comments: float, shares: float,
                     gifts: float, stayed: float, present_before: float,
                     audience_minutes: float) -> float:
    """One step's engagement index of one session (see
    :func:`toolkit.simulation.visibility.engagement_index`)."""
    cap = r.signal_cap
    return (r.heart_weight * min(heart_ratio_mean - 1.0, cap)
            + r.comment_weight * _signal(comments, r.norm_comments * audience_minutes, cap)
            + r.share_weight * _signal(shares, r.norm_shares * audience_minutes, cap)
            + r.gift_weight * _signal(gifts, r.norm_gifts * audience_minutes, cap)
            + r.retention_weight * _signal(stayed, present_before * r.norm_retention, cap))


#: Events of one step above which the step is sorted by a stable merge sort, not by insertion.
_FEW = 32


@njit(cache=True, error_model="numpy")
def _sort_by_time(events: np.ndarray, first: int, last: int, n_steps: int, step_ms: int,
                  per_step: np.ndarray, spare: np.ndarray) -> None:
    """Order one session's events (rows ``first .. last - 1``) by time, ties in the order they
    were drawn: a counting sort by step, then inside each step an insertion sort (a few
    events) or a stable merge sort (a crowded step: a viral LIVE can have thousands of events
    in one step, where an insertion sort's cost grows with the square)."""
    per_step[:n_steps + 1] = 0
    for i in range(first, last):
        per_step[events[1, i] // step_ms + 1] += 1
    for k in range(n_steps):
        per_step[k + 1] += per_step[k]
    for i in range(first, last):  # per_step[k] is now where step k's next event goes
        k = events[1, i] // step_ms
        spare[:, per_step[k]] = events[:, i]
        per_step[k] += 1
    start = 0
    for k in range(n_steps):
        end = per_step[k]
        if end - start > _FEW:  # stable: equal times keep the order they were drawn in
            order = np.argsort(spare[1, start:end], kind="mergesort")
            block = spare[:, start:end].copy()
            for i in range(end - start):
                spare[:, start + i] = block[:, order[i]]
        else:
            for i in range(start + 1, end):  # few events a step: insertion sort
                j = i
                while j > start and spare[1, j - 1] > spare[1, j]:
                    for c in range(7):
                        spare[c, j - 1], spare[c, j] = spare[c, j], spare[c, j - 1]
                    j -= 1
        start = end
    events[:, first:last] = spare[:, :last - first]


@njit(cache=True, error_model="numpy")
def play_sessions(r: Rates, steps: np.ndarray, base_impressions: np.ndarray,
                  p_join: np.ndarray, stay_steps_mean: np.ndarray, botted: np.ndarray,
                  cta: np.ndarray, moment: np.ndarray, shock: np.ndarray,
                  gift_scale: np.ndarray, cat: Catalogue, exposure: np.random.Generator,
                  audience: np.random.Generator, hearts_rng: np.random.Generator, social: np.random.Generator,
                  gifts_rng: np.random.Generator, replies_rng: np.random.Generator
                  ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray], np.ndarray]:
    """Play out every session of a batch; see the module docstring and ``docs/simulator.md``.

    Parameters
    ----------
    r : Rates
    steps : int64 array
        Each session's length in steps.
    base_impressions, p_join, stay_steps_mean : float arrays
        Per session: impressions per step at visibility 0, the share of impressions who join,
        a viewer's mean stay (steps).
    botted : bool array
        Sessions whose creator bought hearts.
    cta, moment, shock : bool arrays (sessions x steps)
        Calls to action, strong moments, gift battles.
    gift_scale : float array
        Per session: a factor on every gifter's rate (1 for none; a weekly budget or a
        generous week in the creators-over-days model).
    cat : Catalogue
    exposure, audience, hearts_rng, social, gifts_rng, replies_rng : numpy.random.Generator
        One stream per process (``replies_rng`` is drawn from only in worlds where the host
        answers comments or thanks gifts).

    Returns
    -------
    events : int64 array (7 x events)
        session index, time since the session's start (ms), kind, viewer (a row of
        ``viewers``; -1 for the viewer count), count, catalogue row (-1 when not a gift),
        coins; by session and time. Kind :data:`REPLY` is the host answering the viewer.
    platform : int64 array (8 x session-minutes), float array
        Session index, minute, impressions, joins, viewers, bots, a call running, a strong
        moment running; and the visibility score at the minute's end.
    viewers : int64 array (6 x viewers)
        Session index, number, join step, leave step, bot, gifter.
    """
    n_sessions = len(steps)
    horizon = 0
    for s in range(n_sessions):
        horizon = max(horizon, steps[s])
    events = np.empty((7, 4096), np.int64)
    n_events = 0
    minutes = int(steps.sum()) // r.per_minute
    platform = np.empty((8, minutes), np.int64)
    platform_visibility = np.empty(minutes)
    n_rows = 0
    viewers = np.empty((6, 1024), np.int64)
    n_viewers = 0
    # per step of the current session: what the viewers scheduled for it, and arrivals
    hearts_at = np.zeros(horizon + 1)
    comments_at = np.zeros(horizon + 1, np.int64)
    shares_at = np.zeros(horizon + 1, np.int64)
    present_change = np.zeros(horizon + 1, np.int64)   # viewers present: +1 at join, -1 at leave
    engaged_change = np.zeros(horizon + 1, np.int64)   # engaged: from the step after joining
    bots_change = np.zeros(horizon + 1, np.int64)
    # cumulative lifts of the session (hazard of a rate-1 viewer up to each step)
    tap_lift = np.zeros(horizon + 1)
    talk_lift = np.zeros(horizon + 1)
    share_lift = np.zeros(horizon + 1)
    # the gifters present (their gift rate depends on the room's recent gifts: stepped)
    # viewer row, leave step, join step; its comment replies (rows of `reply_steps`: next,
    # end) and the window of its latest thanks (first step, end step)
    gifters = np.empty((64, 7), np.int64)
    reply_steps = np.empty(256, np.int64)    # steps of replies to gifters' comments
    lifting = (r.reply_share > 0.0 or r.thank_share > 0.0) and r.reply_gift_lift != 1.0
    gifter_state = np.empty((64, 2))        # price scale, clock
    history = np.ones(r.heart_window)
    per_step = np.zeros(horizon + 1, np.int64)  # for sorting a session's events by time
    spare = np.empty((7, 4096), np.int64)

    for s in range(n_sessions):
        n_steps = steps[s]
        session_first_event = n_events
        hearts_at[:] = 0.0
        comments_at[:] = 0
        shares_at[:] = 0
        present_change[:] = 0
        engaged_change[:] = 0
        bots_change[:] = 0
        for k in range(n_steps):
            boost = r.moment_lift if moment[s, k] else 1.0
            tap_lift[k + 1] = tap_lift[k] + (r.cta_tap_lift if cta[s, k] else 1.0) * boost
            talk_lift[k + 1] = talk_lift[k] + (r.cta_comment_lift if cta[s, k] else 1.0) * boost
            share_lift[k + 1] = share_lift[k] + boost
        visibility = 0.0
        recent_gifts = 0.0
        history[:] = 1.0
        history_sum = float(r.heart_window)
        present = 0
        engaged = 0
        bots_present = 0
        present_before = 0.0
        next_viewer = 0
        n_gifters = 0
        n_reply_steps = 0
        minute_impressions = 0
        minute_joins = 0
        minute_cta = False
        minute_moment = False
        for t in range(n_steps):
            t_ms = t * r.step_ms
            # 1. exposure and joins
            reach = (max(0.0, 1.0 + r.visibility_sensitivity * visibility) if r.linear_link
                     else np.exp(r.visibility_sensitivity * visibility))
            impressions = exposure.poisson(base_impressions[s] * reach)
            joins = exposure.binomial(impressions, p_join[s]) if impressions > 0 else 0
            bots = exposure.poisson(r.bot_share * joins) if botted[s] and joins > 0 else 0
            grouped = 0
            if r.gifter_group_mean > 1.0 and joins > 0:  # gifters who join in groups
                for _ in range(audience.poisson(joins * r.gifter_share / r.gifter_group_mean)):
                    grouped += audience.geometric(1.0 / r.gifter_group_mean)
                joins += grouped
            minute_impressions += impressions
            minute_joins += joins
            new = joins + bots
            # 2. the new viewers: who they are, how long they stay, what they will do
            viewers = _widen(viewers, n_viewers + new)
            first_group_gifter = joins - grouped
            group_stay = 0
            for v in range(new):
                number = next_viewer + v
                is_bot = v >= joins
                is_quiet = (not is_bot and r.heavy_tapper_share > 0.0
                            and audience.random() < r.heavy_tapper_share)
                bot_like = is_bot or is_quiet
                mean_stay = r.bot_stay_steps if bot_like else stay_steps_mean[s]
                stay = max(1, int(np.ceil(audience.exponential(1.0) * mean_stay)))
                follows = not is_bot and audience.random() < r.follow_probability
                if r.gifter_group_mean > 1.0:  # a step's group gifters share one stay
                    is_gifter = not is_bot and v >= first_group_gifter
                    if is_gifter:
                        if v == first_group_gifter:
                            group_stay = stay
                        stay = group_stay
                else:
                    is_gifter = not is_bot and audience.random() < r.gifter_share
                is_gifter = is_gifter and not is_quiet
                leave = min(t + 1 + stay, n_steps)
                follow_at = t + 1 + int(audience.random() * stay) if follows else -1
                if bot_like:
                    tap = r.bot_taps_per_minute
                else:
                    sigma = r.tap_taste_sigma
                    tap = r.tap_sessions_per_minute * audience.lognormal(-sigma * sigma / 2, sigma)
                price_scale = r.gift_coins_median * audience.lognormal(0.0, r.gift_coins_sigma)
                viewers[0, n_viewers] = s
                viewers[1, n_viewers] = number
                viewers[2, n_viewers] = t
                viewers[3, n_viewers] = leave
                viewers[4, n_viewers] = is_bot
                viewers[5, n_viewers] = is_gifter
                row = n_viewers  # the viewer's row in `viewers`, named in its events
                n_viewers += 1
                present_change[t] += 1
                present_change[leave] -= 1
                engaged_change[t + 1] += 1
                engaged_change[leave] -= 1
                if is_bot:
                    bots_change[t] += 1
                    bots_change[leave] -= 1
                events = _widen(events, n_events + 1)
                _put(events, n_events, s, t_ms + int(audience.random() * r.step_ms), JOIN, row,
                                    1, -1, 0)
                n_events += 1
                # what this viewer will do, drawn now (module docstring: exponential clocks)
                # a heart, a comment, its reply and a share a step at most, a follow and a join
                events = _widen(events, n_events + (4 if r.reply_share > 0.0 else 3) * (leave - t) + 2)
                rate = tap * r.step_minutes  # hearts: bots tap at a steady rate, people faster
                if rate > 0.0:               # in calls to action and strong moments
                    k = t + 1
                    while True:
                        if is_bot:
                            k += int(hearts_rng.exponential(1.0) / rate)
                        else:
                            k = _first_step_after(tap_lift, k, leave, tap_lift[k]
                                                  + hearts_rng.exponential(1.0) / rate)
                        if k >= leave:
                            break
                        batch = r.bot_taps_per_batch if bot_like else r.taps_per_batch_mean
                        if r.batch_follows_tapping != 0.0 and not is_bot:  # faster tapping packs
                            lift = tap_lift[k + 1] - tap_lift[k]          # more taps a message
                            batch = max(1.0, batch * lift ** r.batch_follows_tapping)
                        taps = hearts_rng.geometric(1.0 / batch)
                        if r.max_taps_per_message > 0:
                            taps = min(taps, r.max_taps_per_message)
                        sent = k  # when the message goes out: now, or in its block's middle
                        if r.heart_bunch_steps > 1:
                            sent = _block_middle(k, r.heart_bunch_steps, t + 1, leave - 1)
                        hearts_at[sent] += taps
                        _put(events, n_events, s,
                             sent * r.step_ms + int(hearts_rng.random() * r.step_ms),
                             HEART, row, taps, -1, 0)
                        n_events += 1
                        k += 1
                first_reply = n_reply_steps
                if not bot_like:  # comments and shares: people only
                    for kind in (COMMENT, SHARE):
                        if kind == COMMENT:
                            cumulative = talk_lift
                            rate = r.comments_per_minute * r.step_minutes
                        else:
                            cumulative = share_lift
                            rate = r.shares_per_minute * r.step_minutes
                        if rate <= 0.0:
                            continue
                        k = t + 1
                        while True:
                            k = _first_step_after(cumulative, k, leave, cumulative[k]
                                                  + social.exponential(1.0) / rate)
                            if k >= leave:
                                break
                            if kind == COMMENT:
                                comments_at[k] += 1
                            else:
                                shares_at[k] += 1
                            _put(events, n_events, s, k * r.step_ms + int(social.random() * r.step_ms),
                                 kind, row, 1, -1, 0)
                            n_events += 1
                            if kind == COMMENT and r.reply_share > 0.0 and k + 1 < n_steps:
                                chance = r.reply_share
                                if is_gifter:
                                    chance *= r.reply_gifter_bias
                                if moment[s, k]:
                                    chance *= r.reply_moment_lift
                                if replies_rng.random() < chance:  # the host answers, by name
                                    _put(events, n_events, s, (k + 1) * r.step_ms
                                         + int(replies_rng.random() * r.step_ms), REPLY, row, 1, -1, 0)
                                    n_events += 1
                                    if is_gifter and lifting:
                                        if n_reply_steps == len(reply_steps):
                                            more_steps = np.empty(2 * len(reply_steps), np.int64)
                                            more_steps[:n_reply_steps] = reply_steps
                                            reply_steps = more_steps
                                        reply_steps[n_reply_steps] = k + 1
                                        n_reply_steps += 1
                            k += 1
                if 0 <= follow_at < leave:
                    _put(events, n_events, s, follow_at * r.step_ms + int(social.random() * r.step_ms),
                                        FOLLOW, row, 1, -1, 0)
                    n_events += 1
                if is_gifter:
                    if n_gifters == gifters.shape[0]:
                        gifters = _grow(gifters, n_gifters + 1)
                        more = np.empty((gifters.shape[0], 2))
                        more[:n_gifters] = gifter_state[:n_gifters]
                        gifter_state = more
                    gifters[n_gifters, 0] = row
                    gifters[n_gifters, 1] = leave
                    gifters[n_gifters, 2] = t
                    gifters[n_gifters, 3] = first_reply
                    gifters[n_gifters, 4] = n_reply_steps
                    gifters[n_gifters, 5] = -1
                    gifters[n_gifters, 6] = -1
                    gifter_state[n_gifters, 0] = price_scale
                    gifter_state[n_gifters, 1] = gifts_rng.exponential(1.0)
                    n_gifters += 1
            next_viewer += new
            present += present_change[t]
            engaged += engaged_change[t]
            bots_present += bots_change[t]
            if t % r.per_minute == 0:
                events = _widen(events, n_events + 1)
                _put(events, n_events, s, t_ms, VIEWERS, -1, present, -1, 0)
                n_events += 1
            # 3. gifts: each present gifter's rate rises (herding) or falls (crowding out)
            #    with the room's recent gifts, and in gift battles
            boost = r.moment_lift if moment[s, t] else 1.0
            herd = max(0.0, 1.0 + r.gift_excitation * np.tanh(recent_gifts))
            gift_hazard = (r.gifts_per_gifter_minute * r.step_minutes * boost * herd
                           * (r.gift_shock_lift if shock[s, t] else 1.0))
            if gift_scale[s] != 1.0:  # (x 1.0 would give the same bits; this skips the work)
                gift_hazard *= gift_scale[s]
            gifts = 0
            g = 0
            # a gift a gifter, and its thanks where the host thanks gifts
            events = _widen(events, n_events + (2 if r.thank_share > 0.0 else 1) * n_gifters)
            while g < n_gifters:
                if gifters[g, 1] <= t:  # gone: the last one takes the place
                    n_gifters -= 1
                    gifters[g] = gifters[n_gifters]
                    gifter_state[g] = gifter_state[n_gifters]
                    continue
                if gifters[g, 2] < t:  # engaged from the step after joining
                    hazard = gift_hazard
                    if lifting:  # answered lately (a comment's reply or a thanks)?
                        while (gifters[g, 3] < gifters[g, 4]
                               and reply_steps[gifters[g, 3]] + r.reply_lift_steps <= t):
                            gifters[g, 3] += 1
                        if ((gifters[g, 3] < gifters[g, 4] and reply_steps[gifters[g, 3]] <= t)
                                or gifters[g, 5] <= t < gifters[g, 6]):
                            hazard *= r.reply_gift_lift
                    gifter_state[g, 1] -= hazard
                    if gifter_state[g, 1] < 0.0:
                        gifter_state[g, 1] = gifts_rng.exponential(1.0)
                        gifts += 1
                        target = gifter_state[g, 0] * gifts_rng.lognormal(0.0, 0.3)
                        level = np.searchsorted(cat.log_mid, np.log(target))
                        item = cat.first[level] + int(gifts_rng.random() * cat.per_price[level])
                        streak = gifts_rng.geometric(1.0 / r.streak_mean) if cat.streakable[item] else 1
                        _put(events, n_events, s, t_ms + int(gifts_rng.random() * r.step_ms), GIFT,
                                            gifters[g, 0], streak, item, cat.coins[item] * streak)
                        n_events += 1
                        if (r.thank_share > 0.0 and t + 1 < n_steps
                                and replies_rng.random() < r.thank_share):  # thanks, by name
                            _put(events, n_events, s, (t + 1) * r.step_ms
                                 + int(replies_rng.random() * r.step_ms), REPLY, gifters[g, 0],
                                 1, -1, 0)
                            n_events += 1
                            if lifting:  # windows start in step order: join or restart
                                if t + 1 <= gifters[g, 6]:
                                    gifters[g, 6] = max(gifters[g, 6], t + 1 + r.reply_lift_steps)
                                else:
                                    gifters[g, 5] = t + 1
                                    gifters[g, 6] = t + 1 + r.reply_lift_steps
                g += 1
            recent_gifts = recent_gifts * r.excitation_decay + gifts
            # 4. visibility from this step's engagement, relative to the platform's norms
            audience_minutes = engaged * r.step_minutes
            ratio = heart_ratio(r, hearts_at[t], audience_minutes)
            slot = t % r.heart_window
            history_sum += ratio - history[slot]
            history[slot] = ratio
            index = (engagement_index(r, history_sum / r.heart_window, comments_at[t],
                                      shares_at[t], gifts, engaged, present_before,
                                      audience_minutes)
                     if present_before > 0 else 0.0)
            visibility += r.memory * (index - visibility)
            present_before = float(present)
            minute_cta = minute_cta or cta[s, t]
            minute_moment = minute_moment or moment[s, t]
            if t % r.per_minute == r.per_minute - 1:
                platform[0, n_rows] = s
                platform[1, n_rows] = t // r.per_minute
                platform[2, n_rows] = minute_impressions
                platform[3, n_rows] = minute_joins
                platform[4, n_rows] = present
                platform[5, n_rows] = bots_present
                platform[6, n_rows] = minute_cta
                platform[7, n_rows] = minute_moment
                platform_visibility[n_rows] = visibility
                n_rows += 1
                minute_impressions = 0
                minute_joins = 0
                minute_cta = False
                minute_moment = False
        # the session's events, in the order of time (ties in the order they were drawn)
        if n_events - session_first_event > 1:
            if spare.shape[1] < n_events - session_first_event:
                spare = np.empty((7, 2 * (n_events - session_first_event)), np.int64)
            _sort_by_time(events, session_first_event, n_events, n_steps, r.step_ms, per_step,
                          spare)
    return (events[:, :n_events], (platform[:, :n_rows], platform_visibility[:n_rows]),
            viewers[:, :n_viewers])
