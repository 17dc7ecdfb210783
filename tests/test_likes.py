"""The two like counts: C1 (hearts not on the profile), C19 (kept for the LIVE), C3 (what-if)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit import likes
from toolkit.events.reading import example_session

counts = st.integers(0, 10**12)


@given(video=counts, hearts=counts)
def test_profile_total_ignores_live_hearts_on_the_platform(video: int, hearts: int) -> None:
    """C1: the profile total is the video likes, whatever the hearts."""
    assert likes.profile_like_total(video, hearts) == video
    assert likes.profile_like_total(video, hearts, likes.MERGED_RULES) == video + hearts


def test_profile_total_on_columns() -> None:
    frame = pl.DataFrame({"v": [1, 2], "h": [10, 20]})
    out = frame.select(
        platform=likes.profile_like_total(pl.col("v"), pl.col("h")),
        merged=likes.profile_like_total(pl.col("v"), pl.col("h"), likes.MERGED_RULES),
    )
    assert out.rows() == [(1, 11), (2, 22)]


def test_profile_total_refuses_negative_counts() -> None:
    with pytest.raises(ValueError, match="live_hearts must not be negative"):
        likes.profile_like_total(10, -1)
    with pytest.raises(ValueError, match="video_likes must be a whole number"):
        likes.profile_like_total(1.5, 0)


def test_heart_totals_are_kept_after_the_live() -> None:
    """C19: the session's heart total is the sum of its heart batches, and it is kept."""
    events = example_session()
    totals = likes.live_heart_totals(events).row(0, named=True)
    hearts = events.filter(kind="heart")
    assert totals["hearts"] == hearts["count"].sum() == 511
    assert totals["heart_batches"] == hearts.height == 21
    assert totals["hearting_viewers"] == hearts["user_id"].n_unique()
    gone = likes.live_heart_totals(events, likes.LikeRules(hearts_kept_after_live=False))
    assert gone["hearts"].to_list() == [None]


def test_a_session_without_hearts_has_zero_hearts() -> None:
    events = example_session().with_columns(session_id=pl.lit("quiet")).filter(
        pl.col("kind") != "heart"
    )
    both = pl.concat([example_session(), events])
    assert likes.live_heart_totals(both).rows() == [("example-001", 511, 21, 12),
                                                    ("quiet", 0, 0, 0)]


def test_merging_hearts_moves_heavy_streamers_up() -> None:
    """C3: with hearts merged, the creator who streams most overtakes the others."""
    creators = pl.DataFrame({
        "creator": ["video_star", "steady", "streamer"],
        "video_likes": [100_000, 50_000, 1_000],
        "live_hours": [0, 2, 200],
        "live_hearts": [0, 4_000, 600_000],
    })
    table, tau = likes.ranking_shift(creators)
    assert table["creator"].to_list() == ["streamer", "video_star", "steady"]
    assert dict(table.select("creator", "rank_change").iter_rows()) == {
        "streamer": 2, "video_star": -1, "steady": -1
    }
    assert tau == pytest.approx(-1 / 3)


def test_no_hearts_no_change() -> None:
    creators = likes.toy_creators(30, np.random.default_rng(1)).with_columns(live_hearts=0)
    table, tau = likes.ranking_shift(creators)
    assert tau == 1.0 and (table["rank_change"] == 0).all()


def test_toy_creators_are_reproducible() -> None:
    first = likes.toy_creators(25, np.random.default_rng(3))
    assert first.equals(likes.toy_creators(25, np.random.default_rng(3)))
    assert not first.equals(likes.toy_creators(25, np.random.default_rng(4)))
    assert (first["live_hearts"] >= 0).all() and first.height == 25
