"""C15 from a recording: the spread of hearts over ten-second slots, and the test built on it."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from toolkit.analytics.minutes import live_minutes
from toolkit.claims.steadiness import heart_spread, test_c15
from toolkit.events import Dataset
from toolkit.simulation import simulate, worlds

START = datetime(2026, 5, 1, 20, 0, tzinfo=UTC)


def _events(rows: list[tuple[float, str, int]]) -> pl.DataFrame:
    """One session: (seconds since its start, kind, count) rows, first a viewer count at 0."""
    return pl.DataFrame({
        "session_id": "s1",
        "ts": [START + timedelta(seconds=s) for s, _, _ in rows],
        "kind": [k for _, k, _ in rows],
        "user_id": [None if k == "viewers" else "u1" for _, k, _ in rows],
        "count": [c for _, _, c in rows],
        "gift_id": pl.Series([None] * len(rows), dtype=pl.Int64),
        "coins": 0,
    })


def test_spread_is_the_effective_number_of_slots_the_hearts_fill() -> None:
    # minute 0: one message of 8 taps (slot 0); minute 1: a message of 4 (slot 6), then 4 and
    # 2 in slot 7; minutes 2 and 3: a viewer count only
    events = _events([(0, "viewers", 10), (5, "heart", 8), (61, "heart", 4), (75, "heart", 4),
                      (78, "heart", 2), (200, "viewers", 10)])
    spread = heart_spread(events, live_minutes(events, complete=True), window=2).sort("minute")
    assert spread["window_hearts"].to_list()[1:] == [18.0, 10.0, 0.0]
    log2 = spread["log2_spread"].to_list()
    assert log2[1] == pytest.approx(math.log2(18**2 / (8**2 + 4**2 + 6**2)))
    assert log2[2] == pytest.approx(math.log2(10**2 / (4**2 + 6**2)))
    assert log2[3] is None  # no hearts in the window
    messages = spread["log2_message_spread"].to_list()  # messages: 1 | 1 | 2 in three slots
    assert messages[1] == pytest.approx(math.log2(4**2 / (1 + 1 + 4)))


def test_c15_needs_ten_sessions_and_estimates_a_slope_per_doubling() -> None:
    few = simulate(worlds.world("bursts_equal"), 5, np.random.default_rng(2))
    assert test_c15(few, np.random.default_rng(0)).verdict == "skipped"
    data = simulate(worlds.world("bursts_equal"), 60, np.random.default_rng(3))
    e = test_c15(Dataset.from_tables(events=data.table("events"), source="recorded"),
                 np.random.default_rng(0))  # events alone: what a recording has
    assert e.n == 60 and e.low < e.estimate < e.high and 0 < e.p_value <= 1
    assert e.verdict in ("supported", "not supported", "contradicted")
