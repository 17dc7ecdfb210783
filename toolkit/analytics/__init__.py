"""LIVE measures computed from the events table, lazily where data can be large.

Modules:

- :mod:`toolkit.analytics.summary`: the LIVE summary per session; coins per viewer and per session
- :mod:`toolkit.analytics.minutes`: the minute table of a LIVE (with or without its empty
  minutes) and hearts per interval
- :mod:`toolkit.analytics.peaks`: heart-rate peaks and lulls, and how well they find the
  platform's strong moments

The names below are the public API; import them from here.
"""

from __future__ import annotations

from toolkit.analytics.minutes import hearts_over_time, live_minutes
from toolkit.analytics.peaks import (
    PeakAgreement,
    PeakRules,
    find_lulls,
    find_peaks,
    minute_rates,
    peak_agreement,
)
from toolkit.analytics.summary import (
    SUMMARY_COLUMNS,
    live_summary,
    session_coins,
    typical_sessions,
    viewer_coins,
)

__all__ = [
    "live_summary",
    "SUMMARY_COLUMNS",
    "viewer_coins",
    "session_coins",
    "typical_sessions",
    "hearts_over_time",
    "live_minutes",
    "PeakRules",
    "minute_rates",
    "find_peaks",
    "find_lulls",
    "PeakAgreement",
    "peak_agreement",
]
