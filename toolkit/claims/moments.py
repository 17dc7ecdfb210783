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
from toolkit.events.dataset import Dataset
from toolkit.stats.estimates import mean_interval
from toolkit.stats.regression import demean, ols

__all__ = ["test_c16", "test_c17"]


def _minute_rates(data: Dataset) -> pl.DataFrame:
    return data.derived("minute_rates", lambda: minute_rates(data.events))


def _within_session_contrast(rates: pl.DataFrame, flag: str, value: str) -> np.ndarray:
    """Per session: mean ``value`` in flagged minutes minus in the others."""
    per = (rates.group_by("session_id")
           .agg(on=pl.col(value).filter(pl.col(flag)).mean(),
                off=pl.col(value).filter(~pl.col(flag)).mean())
           .drop_nulls().sort("session_id"))
    return (per["on"] - per["off"]).to_numpy()


@claim_test
def test_c16(data: Dataset, rng: np.random.Generator) -> Evidence:
    """C16: heart peaks mark strong moments, so people comment more in peak minutes too.

    Within-session regression of log(1 + comments) on the peak indicator, holding the viewer
    counts at the minute's start and end fixed, with their squares and product (not dividing
    by them: a shared, noisy denominator would make hearts and comments per viewer rise
    together by itself; a straight-line control leaves a bias of about -0.015 in a world
    without strong moments, the quadratic removes it).
    """
    measure = "log ratio of comments in heart-peak minutes vs other minutes, same viewers"
    rates = find_peaks(_minute_rates(data)).with_columns(
        peak=pl.col("peak").cast(pl.Float64),
        log_count=(1 + pl.col("comments").cast(pl.Float64)).log(),
        log_start=(1 + pl.col("viewers").cast(pl.Float64)).log(),
        log_end=(1 + pl.col("viewers").shift(-1).over("session_id").cast(pl.Float64)).log(),
    ).drop_nulls("log_end").with_columns(
        # a curved relation of comments to viewers, so that the peak indicator (more often in
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
                    "Above 0: when hearts peak, viewers also comment more, as in a strong "
                    "moment; peaks from calls to action alone would not lift comments "
                    "(n = sessions).")


@claim_test
def test_c17(data: Dataset, rng: np.random.Generator) -> Evidence:
    """C17: calls to action raise hearts at once (needs the times of the calls)."""
    measure = "log hearts per viewer, call-to-action minutes minus other minutes"
    if not data.has("platform"):
        return skipped("C17", measure, "needs the times of the calls to action (the creator's "
                                       "own log; the simulator's platform table)")
    rates = _minute_rates(data)
    cta = data.platform.select("session_id", "minute", "cta").collect()  # type: ignore[union-attr]
    joined = rates.join(cta, on=["session_id", "minute"], how="inner")
    contrast = _within_session_contrast(joined, "cta", "log_hearts")
    if len(contrast) < 10:
        return skipped("C17", measure, f"needs at least 10 sessions with a call to action, "
                                       f"found {len(contrast)}")
    r = mean_interval(contrast, rng)
    return Evidence("C17", measure, r["estimate"], r["low"], r["high"], r["p_value"],
                    len(contrast), verdict_from_test(r["estimate"], r["p_value"]),
                    "Calls come at random times in the simulator, so this compares like with "
                    "like; a creator who calls only when the room is already lively would "
                    "overstate it (n = sessions).")


