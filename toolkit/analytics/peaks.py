"""Heart peaks and lulls inside a LIVE, and how well they find its strong moments.

A peak is a minute whose hearts per viewer stand well above the session's own usual level
(``scipy.signal.find_peaks`` on the log rate, with a prominence threshold, :class:`PeakRules`);
a lull is a run of minutes well below it. :func:`peak_agreement` compares the peaks with the
strong moments only the platform knows (simulations only). The claims about peaks (C16) and
calls to action (C17) are tested in :mod:`toolkit.claims.moments`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, TypedDict

import numpy as np
import polars as pl
from scipy import signal

from toolkit._checks import Interval, Rule, check_fields, to_float
from toolkit.analytics.minutes import live_minutes

__all__ = ["PeakRules", "minute_rates", "find_peaks", "find_lulls", "PeakAgreement", "peak_agreement"]


@dataclass(frozen=True)
class PeakRules:
    """How peaks and lulls are found.

    Attributes
    ----------
    prominence : float
        A peak stands at least this much above its surroundings, in natural-log units of
        hearts per viewer-minute (0.7 = about twice the level around it).
    lull_drop : float
        A lull minute is below the session median by at least this much (log units).
    lull_minutes : int
        Shortest run of low minutes that counts as a lull.
    """

    prominence: float = 0.7
    lull_drop: float = 0.7
    lull_minutes: int = 3

    RULES: ClassVar[dict[str, Rule]] = {
        "prominence": Interval(0, math.inf, closed="neither"),
        "lull_drop": Interval(0, math.inf, closed="left"),
        "lull_minutes": Interval(1, None, whole=True),
    }

    def __post_init__(self) -> None:
        check_fields(self)


def minute_rates(events: pl.DataFrame | pl.LazyFrame, minutes: pl.DataFrame | None = None
                 ) -> pl.DataFrame:
    """Per session and minute: ``viewers``, ``hearts``, ``comments`` and their log-rates.

    ``minutes``, when given, is ``live_minutes(events, complete=True)`` already computed (a
    caller that needs it for other things too passes it, so it is computed once).

    ``log_hearts`` and ``log_comments`` are log((1 + count) / (1 + viewers present)), with
    viewers present the mean of the counts at the minute's start and end; minutes with no
    events count as zero (a complete grid from the first minute to the last).
    """
    # viewers present during the minute: the mean of the counts at its start and its end
    # (the start alone would make every per-viewer rate jump together when people join)
    during = (pl.col("viewers") + pl.col("viewers").shift(-1).over("session_id")
              .fill_null(pl.col("viewers"))) / 2
    exposure = (1 + during.cast(pl.Float64)).log()
    return (
        (live_minutes(events, complete=True) if minutes is None else minutes)
        .select("session_id", "minute", "viewers", "hearts", "comments")
        .with_columns(log_hearts=(1 + pl.col("hearts").cast(pl.Float64)).log() - exposure,
                      log_comments=(1 + pl.col("comments").cast(pl.Float64)).log() - exposure)
    )


def find_peaks(rates: pl.DataFrame, rules: PeakRules = PeakRules()) -> pl.DataFrame:
    """Mark peak minutes in a :func:`minute_rates` table (adds a Boolean ``peak`` column)."""
    flags = np.zeros(len(rates), dtype=bool)
    ids = rates["session_id"].to_numpy()
    values = rates["log_hearts"].to_numpy()
    bounds = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1], True])
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):  # one call per session, not per minute
        found, _ = signal.find_peaks(values[a:b], prominence=rules.prominence)
        flags[a + found] = True
    return rates.with_columns(peak=pl.Series(flags))


def find_lulls(rates: pl.DataFrame, rules: PeakRules = PeakRules()) -> pl.DataFrame:
    """Mark lull minutes: runs of at least ``lull_minutes`` below the session median.

    Adds a Boolean ``lull`` column to a :func:`minute_rates` table.
    """
    low = pl.col("log_hearts") < pl.col("log_hearts").median().over("session_id") - rules.lull_drop
    run = (low != low.shift(1).over("session_id")).fill_null(True).cum_sum().over("session_id")
    return (
        rates.with_columns(_low=low).with_columns(_run=run)
        .with_columns(lull=pl.col("_low") & (pl.len().over("session_id", "_run")
                                             >= rules.lull_minutes))
        .drop("_low", "_run")
    )


class PeakAgreement(TypedDict):
    """The result of :func:`peak_agreement` (the counts are floats, as they always were)."""

    precision: float
    from_calls: float
    recall: float
    peaks: float
    moment_minutes: float


def peak_agreement(rates: pl.DataFrame, platform: pl.DataFrame) -> PeakAgreement:
    """How well heart peaks find the strong moments the platform knows (simulations only).

    Parameters
    ----------
    rates : polars.DataFrame
        :func:`find_peaks` output (``session_id``, ``minute``, ``peak``).
    platform : polars.DataFrame
        ``session_id``, ``minute``, ``moment`` and ``cta``.

    Returns
    -------
    dict
        ``precision`` (share of peak minutes inside a strong moment), ``from_calls`` (share
        of peak minutes inside a call to action and no moment), ``recall`` (share of
        moment minutes that are peaks), ``peaks`` and ``moment_minutes`` (counts).
    """
    joined = rates.join(platform.select("session_id", "minute", "moment", "cta"),
                        on=["session_id", "minute"], how="inner")
    peaks = joined.filter(pl.col("peak"))
    moments = joined.filter(pl.col("moment"))
    return {
        "precision": to_float(peaks["moment"].mean()) if len(peaks) else float("nan"),
        "from_calls": to_float((peaks["cta"] & ~peaks["moment"]).mean()) if len(peaks)
        else float("nan"),
        "recall": to_float(moments["peak"].mean()) if len(moments) else float("nan"),
        "peaks": float(len(peaks)),
        "moment_minutes": float(len(moments)),
    }


