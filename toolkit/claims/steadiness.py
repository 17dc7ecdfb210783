"""Steady hearts against bursts (claim C15), from what a recording shows.

C15 says a steady flow of hearts is worth more to visibility than the same hearts in bursts.
An observer cannot rearrange one LIVE's hearts, but hearts come more or less bunched by
chance. Not all of that is chance: a strong moment or a call to action bunches many viewers'
tap sessions into the same seconds, and also brings viewers by itself, so "bursty windows
are followed by more joins" would say nothing about bursts. What is chance (in the model, and
plausibly on TikTok) is how many taps each heart message holds. So the test compares windows
with the *same* messages in the same ten-second slots and the same number of hearts, whose
taps happened to pile up more or less unevenly across those slots.

For the last three minutes, with ``h`` taps and ``n`` heart messages in each ten-second slot
(``H`` and ``M`` in all): the *spread* of the hearts is ``log2(H**2 / sum(h**2))`` (the
effective number of slots they fill: 0 when all came in one slot) and that of the messages
is ``log2(M**2 / sum(n**2))``. Inside each session (fixed effects), the slope of next-minute
joins on the hearts' spread, at the same spread of messages, hearts, heart messages,
comments, gifts, shares, viewers and recent joins as :mod:`toolkit.claims.signals` holds
fixed, is the estimate: the change in log joins per doubling of the slots the same hearts
fill. Slots are counted from the session's first event, as the minutes are.

What this cannot see: where message sizes follow the room's mood (fast tapping packs more
taps into a message, the diagnosis's ``tap_speed_batches``), bursts and lively moments are
mixed again. The diagnosis measures how much that matters, and how small the chance part of
burstiness is: in the model, only an experiment (notebook 06) moves it enough to matter.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from toolkit.claims.evidence import Evidence, claim_test, skipped, verdict_from_test
from toolkit.claims.signals import CONTROLS, WINDOW_MINUTES, complete_minutes, minute_panel
from toolkit.events.dataset import Dataset
from toolkit.stats.regression import demean, ols

__all__ = ["SLOT_SECONDS", "heart_spread", "test_c15"]

#: Width of the slots in which the spread of hearts is counted (the simulator's step).
SLOT_SECONDS = 10


def heart_spread(events: pl.DataFrame | pl.LazyFrame, minutes: pl.DataFrame,
                 window: int = WINDOW_MINUTES) -> pl.DataFrame:
    """Per session and minute: how spread out the hearts of the last ``window`` minutes were.

    Parameters
    ----------
    events : polars.DataFrame or LazyFrame
        The canonical events table.
    minutes : polars.DataFrame
        ``live_minutes(events, complete=True)`` (its ``session_id`` and ``minute`` grid).
    window : int
        Minutes in the window, ending at the row's minute.

    Returns
    -------
    polars.DataFrame
        ``session_id``, ``minute``, ``window_hearts`` (taps in the window),
        ``log2_spread`` (log2 of ``H**2 / sum(h**2)`` over the window's
        :data:`SLOT_SECONDS`-second slots, for ``H`` taps of which ``h`` fell in each slot)
        and ``log2_message_spread`` (the same for heart messages); both are null when the
        window has no hearts.
    """
    start = pl.col("ts").min().over("session_id")
    slot_ms = SLOT_SECONDS * 1000
    per_minute = (
        events.lazy().select("session_id", "ts", "kind", "count")
        .with_columns(slot=(pl.col("ts") - start).dt.total_milliseconds() // slot_ms)
        .filter(pl.col("kind") == "heart")
        .group_by("session_id", "slot")
        .agg(taps=pl.col("count").sum().cast(pl.Float64), messages=pl.len().cast(pl.Float64))
        .group_by("session_id", minute=(pl.col("slot") * slot_ms // 60_000).cast(pl.Int32))
        .agg(taps=pl.col("taps").sum(), tap_squares=(pl.col("taps") ** 2).sum(),
             messages=pl.col("messages").sum(), message_squares=(pl.col("messages") ** 2).sum())
        .collect()
    )
    sums = ("taps", "tap_squares", "messages", "message_squares")
    roll = {c: pl.col(c).rolling_sum(window).over("session_id") for c in sums}
    tapped = roll["taps"] > 0
    return (
        minutes.select("session_id", "minute")
        .join(per_minute, on=["session_id", "minute"], how="left")
        .with_columns(pl.col(*sums).fill_null(0.0))
        .sort("session_id", "minute")
        .with_columns(
            window_hearts=roll["taps"],
            log2_spread=pl.when(tapped).then((roll["taps"] ** 2 / roll["tap_squares"]).log(2)),
            log2_message_spread=pl.when(tapped).then(
                (roll["messages"] ** 2 / roll["message_squares"]).log(2)),
        )
        .select("session_id", "minute", "window_hearts", "log2_spread", "log2_message_spread")
    )


@claim_test
def test_c15(data: Dataset, rng: np.random.Generator) -> Evidence:
    """C15: the same hearts count for more when they come steadily than in bursts.

    Within sessions, the slope of next-minute joins on the spread of the last three minutes'
    hearts over ten-second slots (:func:`heart_spread`), at the same spread of the heart
    messages, hearts, heart messages, comments, gifts, shares, viewers and recent joins;
    windows with no hearts are left out (see the module docstring).
    """
    measure = ("change in log next-minute joins when the last 3 minutes' hearts fill twice as "
               "many 10-second slots, same messages in the same slots")
    minutes = complete_minutes(data)
    panel = data.derived("minute_panel", lambda: minute_panel(data.events, minutes=minutes))
    if panel.is_empty():
        return skipped("C15", measure, "needs minute-by-minute events of at least 10 sessions, "
                                       "found 0")
    spread = data.derived("heart_spread", lambda: heart_spread(data.events, minutes))
    rows = panel.join(spread, on=["session_id", "minute"], how="inner").filter(
        pl.col("log2_spread").is_not_null())
    sessions = rows["session_id"].n_unique()
    if sessions < 10:
        return skipped("C15", measure, f"needs minute-by-minute hearts in at least 10 "
                                       f"sessions, found {sessions}")
    x = ["log2_spread", "log2_message_spread", "log_hearts", "log_heart_events", "log_comments", "log_gifts",
         "log_shares", *CONTROLS]
    within = demean(rows, "session_id", ["next_joins", *x])
    row = ols(within, "next_joins", x, cluster="session_id", intercept=False).row("log2_spread")
    return Evidence(
        "C15", measure, row["estimate"], row["low"], row["high"], row["p_value"], sessions,
        verdict_from_test(row["estimate"], row["p_value"]),
        "Above 0: with the same heart messages in the same ten-second slots, windows whose "
        "taps happened to spread more evenly are followed by more joins. It leans on the taps "
        "per message being chance, true in the model; where fast tapping packs bigger "
        "messages in lively moments it is not (n = sessions).")
