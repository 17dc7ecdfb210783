"""LIVE analytics equal a slow, obvious reference implementation on small data."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import numpy as np
import polars as pl
import pytest

from toolkit import analytics, events, money, simulation
from toolkit.simulation import worlds


@pytest.fixture(scope="module")
def small() -> pl.DataFrame:
    sim = simulation.simulate(worlds.world("bought_hearts"), 25, np.random.default_rng(3))
    return pl.concat([sim.table("events"), events.example_session()])


def slow_summary(frame: pl.DataFrame) -> dict[str, dict[str, object]]:
    """Row by row, with plain Python: the definitions of the module docstring."""
    out: dict[str, dict[str, object]] = defaultdict(lambda: defaultdict(int))
    joined, gifted, snaps = defaultdict(set), defaultdict(set), defaultdict(list)
    for row in frame.iter_rows(named=True):
        s, kind = row["session_id"], row["kind"]
        acc = out[s]
        if kind == "join":
            joined[s].add(row["user_id"])
        elif kind == "heart":
            acc["hearts"] += row["count"]
        elif kind == "comment":
            acc["comments"] += 1
        elif kind == "share":
            acc["shares"] += 1
        elif kind == "follow":
            acc["new_followers"] += 1
        elif kind == "gift":
            gifted[s].add(row["user_id"])
            acc["gifts"] += row["count"]
            acc["coins"] += row["coins"]
        elif kind == "viewers":
            snaps[s].append(row["count"])
    rates = money.rates()
    for s, acc in out.items():
        acc["unique_viewers"] = len(joined[s])
        acc["gifters"] = len(gifted[s])
        acc["duration_minutes"] = len(snaps[s])
        acc["peak_viewers"] = max(snaps[s])
        acc["watch_minutes"] = sum(snaps[s])
        acc["average_viewers"] = sum(snaps[s]) / len(snaps[s])
        acc["average_watch_minutes"] = acc["watch_minutes"] / acc["unique_viewers"]
        acc["gifts_per_minute"] = acc["gifts"] / acc["duration_minutes"]
        acc["gifter_conversion"] = acc["gifters"] / acc["unique_viewers"]
        acc["diamonds"] = acc["coins"]  # 1 Diamond per coin
        acc["payout_usd"] = Decimal(acc["coins"]) * rates.usd_per_diamond
    return out


def test_summary_equals_the_slow_reference(small: pl.DataFrame) -> None:
    fast = analytics.live_summary(small)
    slow = slow_summary(small)
    assert sorted(fast["session_id"]) == sorted(slow)
    for row in fast.iter_rows(named=True):
        expected = slow[row["session_id"]]
        for column in analytics.SUMMARY_COLUMNS[1:]:
            value = expected.get(column, 0)
            if isinstance(value, float):
                assert row[column] == pytest.approx(value), column
            else:
                assert row[column] == value, (row["session_id"], column)


def test_lazy_streaming_and_eager_agree(small: pl.DataFrame) -> None:
    eager = analytics.live_summary(small)
    lazy = analytics.live_summary(small.lazy())
    assert isinstance(lazy, pl.LazyFrame)
    assert lazy.collect(engine="streaming").equals(eager)
    minutes = analytics.live_minutes(small)
    assert analytics.live_minutes(small.lazy()).collect(engine="streaming").equals(minutes)


def test_minutes_add_up_to_the_summary(small: pl.DataFrame) -> None:
    minutes = analytics.live_minutes(small)
    totals = minutes.group_by("session_id").agg(
        pl.col("hearts", "comments", "gifts", "coins", "joins").sum()).sort("session_id")
    summary = analytics.live_summary(small)
    for column in ("hearts", "comments", "gifts", "coins"):
        assert totals[column].equals(summary[column])
    snap_total = minutes.group_by("session_id").agg(pl.col("viewers").sum()).sort("session_id")
    assert snap_total["viewers"].equals(summary["watch_minutes"])


def test_example_session_summary() -> None:
    row = analytics.live_summary(events.example_session()).row(0, named=True)
    assert row["unique_viewers"] == 12 and row["peak_viewers"] == 12
    assert row["hearts"] == 511 and row["gifts"] == 20 and row["coins"] == 651
    assert row["gifters"] == 5 and row["gifter_conversion"] == pytest.approx(5 / 12)
    assert row["payout_usd"] == Decimal("3.255")


def test_typical_sessions_keep_only_what_the_rules_ask() -> None:
    data = simulation.simulate(worlds.world(), 60, np.random.default_rng(3))
    summary = analytics.live_summary(data.table("events"))
    platform = data.table("platform")
    picked = analytics.typical_sessions(summary, data.events, platform, minutes=(20, 60),
                                        peak_viewers=(5, 500), min_streaks=1)
    assert picked.height > 0 and picked["session_id"].is_sorted()
    assert picked["duration_minutes"].is_between(20, 60).all()
    assert (picked["streaks"] >= 1).all() and (picked["cta_minutes"] >= 1).all()
    none = analytics.typical_sessions(summary, data.events, platform, min_streaks=10**6)
    assert none.is_empty()
