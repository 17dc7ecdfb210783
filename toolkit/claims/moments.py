"""Moments of a LIVE: peaks and lulls in the heart rate, and calls to action (C16, C17).

A peak is a minute whose hearts per viewer stand well above the session's own usual level
(``scipy.signal.find_peaks`` on the log rate, with a prominence threshold); a lull is a run of
minutes well below it. Claim C16 says peaks mark the strong moments of a LIVE: if so, the
*other* signals (comments per viewer) should rise in peak minutes too, which an outside
observer can check. Claim C17 says calls to action raise hearts within seconds: that needs the
times of the calls, which the creator knows (the simulator's platform table keeps them).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from toolkit.analytics.peaks import find_peaks, minute_rates
from toolkit.claims.evidence import Evidence, claim_test, skipped, verdict_from_test
from toolkit.claims.signals import complete_minutes
from toolkit.events.dataset import Dataset
from toolkit.stats.regression import demean, ols

__all__ = ["test_c16", "test_c17"]


def _minute_rates(data: Dataset) -> pl.DataFrame:
    return data.derived("minute_rates",
                        lambda: minute_rates(data.events, minutes=complete_minutes(data)))


def _within_session_contrast(rates: pl.DataFrame, flag: str, value: str) -> np.ndarray:
    """Per session: mean ``value`` in flagged minutes minus in the others."""
    per = (rates.group_by("session_id")
           .agg(on=pl.col(value).filter(pl.col(flag)).mean(),
                off=pl.col(value).filter(~pl.col(flag)).mean())
           .drop_nulls().sort("session_id"))
    return (per["on"] - per["off"]).to_numpy()


@claim_test
def test_c16(data: Dataset, rng: np.random.Generator) -> Evidence:
    """C16: heart peaks mark strong moments, so viewers spend more in peak minutes too.

    Within-session regression of log(1 + gift events) on the peak indicator, holding the
    viewer counts at the minute's start and end fixed, with their squares and product (not
    dividing by them: a shared, noisy denominator would make two rates per viewer rise
    together by itself). Gifts, not comments: a call to action may ask for comments as well as
    hearts, and then comments rise in heart peaks with no strong moment at all (the
    diagnosis's ``no_strong_moments+cta_asks_comments`` world); what moves hearts and gifts
    together is the stream itself.
    """
    measure = "log ratio of gift events in heart-peak minutes vs other minutes, same viewers"
    gifts = complete_minutes(data)
    rates = find_peaks(_minute_rates(data)).join(
        gifts.select("session_id", "minute", "gift_events"), on=["session_id", "minute"],
        how="left",
    ).with_columns(
        peak=pl.col("peak").cast(pl.Float64),
        log_count=(1 + pl.col("gift_events").fill_null(0).cast(pl.Float64)).log(),
        log_start=(1 + pl.col("viewers").cast(pl.Float64)).log(),
        log_end=(1 + pl.col("viewers").shift(-1).over("session_id").cast(pl.Float64)).log(),
    ).drop_nulls("log_end").with_columns(
        # a curved relation of gifts to viewers, so that the peak indicator (more often in
        # minutes with few viewers, where the rate is jumpier) cannot pick up its bend
        log_start2=pl.col("log_start") ** 2, log_end2=pl.col("log_end") ** 2,
        log_both=pl.col("log_start") * pl.col("log_end"),
    )
    with_peaks = rates.filter(pl.col("peak").sum().over("session_id") > 0)
    sessions = with_peaks["session_id"].n_unique()
    if sessions < 10:
        return skipped("C16", measure, f"needs at least 10 sessions with heart peaks, "
                                       f"found {sessions}")
    x = ["peak", "log_start", "log_end", "log_start2", "log_end2", "log_both"]
    within = demean(with_peaks, "session_id", ["log_count", *x])
    row = ols(within, "log_count", x, cluster="session_id", intercept=False).row("peak")
    return Evidence("C16", measure, row["estimate"], row["low"], row["high"], row["p_value"],
                    sessions, verdict_from_test(row["estimate"], row["p_value"]),
                    "Above 0: when hearts peak, viewers also send more gifts, as in a strong "
                    "moment; peaks from calls to action (even calls for comments) or from bots "
                    "would not lift gifts (n = sessions).")


def _pooled_log_ratio(on_hearts: np.ndarray, on_comments: np.ndarray, off_hearts: np.ndarray,
                      off_comments: np.ndarray) -> np.ndarray:
    """log((hearts / comments) in call minutes / (hearts / comments) in other minutes), of
    sums over sessions; one value per row of the (resamples x sessions) weight matrix."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (np.log(on_hearts) - np.log(on_comments)) - (np.log(off_hearts)
                                                            - np.log(off_comments))


@claim_test
def test_c17(data: Dataset, rng: np.random.Generator, n_resamples: int = 999) -> Evidence:
    """C17: calls to action raise hearts at once (needs the times of the calls).

    Hearts *relative to comments* in the minutes of a call against the other minutes, pooled
    over sessions (sums, not per-minute logs, so that small counts do not bias it), with a
    bootstrap over sessions. A call asks for hearts; a lively room (a strong moment) lifts
    hearts and comments alike, and so does whatever changes late in a LIVE, so comparing
    hearts with comments keeps a creator who calls when the room is already lively or dying
    from looking like proof (the diagnosis's ``cta_when_lively`` and ``cta_when_dying``
    worlds). A call that also asks for comments would make this estimate smaller.
    """
    measure = ("log ratio of hearts per comment in call-to-action minutes to other minutes, "
               "pooled over sessions")
    if not data.has("platform"):
        return skipped("C17", measure, "needs the times of the calls to action (the creator's "
                                       "own log; the simulator's platform table)")
    rates = _minute_rates(data)
    cta = data.platform.select("session_id", "minute", "cta").collect()  # type: ignore[union-attr]
    sums = (rates.join(cta, on=["session_id", "minute"], how="inner")
            .group_by("session_id")
            .agg(on_hearts=pl.col("hearts").filter(pl.col("cta")).sum(),
                 on_comments=pl.col("comments").filter(pl.col("cta")).sum(),
                 off_hearts=pl.col("hearts").filter(~pl.col("cta")).sum(),
                 off_comments=pl.col("comments").filter(~pl.col("cta")).sum(),
                 calls=pl.col("cta").sum())
            .filter(pl.col("calls") > 0).sort("session_id"))
    if sums.height < 10:
        return skipped("C17", measure, f"needs at least 10 sessions with a call to action, "
                                       f"found {sums.height}")
    columns = [sums[c].cast(pl.Float64).to_numpy() for c in
               ("on_hearts", "on_comments", "off_hearts", "off_comments")]
    if min(float(c.sum()) for c in columns) <= 0:
        return skipped("C17", measure, "needs hearts and comments both in call minutes and in "
                                       "the others")
    estimate = float(_pooled_log_ratio(*(c.sum() for c in columns)))
    picks = rng.integers(0, sums.height, size=(n_resamples, sums.height))
    draws = _pooled_log_ratio(*(c[picks].sum(axis=1) for c in columns))
    draws = draws[np.isfinite(draws)]
    low, high = (float(q) for q in np.quantile(draws, [0.025, 0.975]))
    tail = min(float((draws <= 0).mean()), float((draws >= 0).mean()))
    p = min(1.0, max(2 * tail, 1 / (len(draws) + 1)))
    return Evidence("C17", measure, estimate, low, high, p, sums.height,
                    verdict_from_test(estimate, p),
                    "Above 0: hearts rise more than comments while a call runs. Comparing with "
                    "comments cancels what lifts both (a lively room, the end of a LIVE); a "
                    "call that also asked for comments would hide part of its effect "
                    "(n = sessions).")
