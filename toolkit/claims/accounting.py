"""The accounting claims (C1, C6, C10, C12, C19) checked on a dataset, and the C3 what-if.

An identity is true by the platform's rules, so no sample can make it more or less likely;
what a dataset *can* do is show the rule at work on real numbers, and catch a recording that
breaks it (coins on a heart row, say, which would be a broken file). Each check computes the
quantity the rule says is zero and reports it; any other value is reported as a contradiction
with the rows at fault counted in the note.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy import stats

from toolkit.claims.evidence import Evidence, claim_test, skipped
from toolkit.events.dataset import Dataset
from toolkit.likes import (
    MERGED_RULES,
    PLATFORM_RULES,
    live_heart_totals,
    profile_like_total,
)
from toolkit.money.payout import rates, session_money
from toolkit.money.rewards import creator_rewards_usd

__all__ = ["test_c1", "test_c3", "test_c6", "test_c10", "test_c12", "test_c19"]


def _identity(claim: str, measure: str, value: float, n: int, holds: str, broken: str
              ) -> Evidence:
    verdict = "holds by the rules" if value == 0 else "contradicted"
    return Evidence(claim, measure, value, value, value, None, n, verdict,
                    holds if value == 0 else broken)


def _creator_hearts(data: Dataset) -> pl.DataFrame:
    hearts = live_heart_totals(data.events.lazy()).collect()
    if data.sessions is None:
        return hearts.select(creator=pl.col("session_id"), live_hearts="hearts")
    owners = data.sessions.select("session_id", "creator_id").collect()
    return (hearts.join(owners, on="session_id", how="left")
            .group_by(creator=pl.col("creator_id").fill_null(pl.col("session_id")))
            .agg(live_hearts=pl.col("hearts").sum()))


@claim_test
def test_c1(data: Dataset, rng: np.random.Generator) -> Evidence:
    """C1: LIVE hearts add nothing to the profile like total."""
    creators = _creator_hearts(data)
    no_video_likes = pl.zeros(len(creators), pl.Int64, eager=True)
    added = profile_like_total(no_video_likes, creators["live_hearts"], PLATFORM_RULES).sum()
    return _identity("C1", "profile likes added by all LIVE hearts (likes)", float(added),
                     len(creators),
                     f"{creators['live_hearts'].sum():,} hearts on LIVE added 0 likes to the "
                     "profiles under the platform's rules (n = creators).",
                     "LIVE hearts reached the profile totals: the rules were changed.")


@claim_test
def test_c19(data: Dataset, rng: np.random.Generator) -> Evidence:
    """C19: each LIVE's heart total is kept for its replay and statistics."""
    kept = live_heart_totals(data.events.lazy(), PLATFORM_RULES).collect()
    raw = (data.events.filter(pl.col("kind") == "heart").group_by("session_id")
           .agg(raw=pl.col("count").sum()).collect())
    lost = kept.join(raw, on="session_id", how="left").select(
        (pl.col("raw").fill_null(0) - pl.col("hearts").fill_null(-1)).abs().sum()).item()
    return _identity("C19", "hearts missing from the kept session totals (taps)", float(lost),
                     len(kept), "Every session's heart total is kept in full, apart from the "
                                "profile likes (n = sessions).",
                     "Some session totals differ from the taps recorded.")


@claim_test
def test_c6(data: Dataset, rng: np.random.Generator) -> Evidence:
    """C6: hearts earn nothing; the creator's money comes from gifts only."""
    reference = rates()
    money = session_money(data.events.lazy(), reference).collect()
    louder = session_money(
        data.events.lazy().with_columns(
            count=pl.when(pl.col("kind") == "heart").then(pl.col("count") * 10)
            .otherwise(pl.col("count"))),
        reference).collect()
    change = (louder["creator_usd"] - money["creator_usd"]).abs().sum()
    return _identity("C6", "change in creator dollars when every heart count is multiplied "
                           "by 10 (USD)", float(change), len(money),
                     f"Ten times the hearts change the creators' ${money['creator_usd'].sum():,.2f} "
                     "by $0: only gifts pay (n = sessions).",
                     "Creator dollars moved with hearts: the money flow is broken.")


@claim_test
def test_c10(data: Dataset, rng: np.random.Generator) -> Evidence:
    """C10: hearts have no cash value at any step (no coins on heart rows)."""
    on_hearts = data.events.filter(pl.col("kind") == "heart").select(
        pl.col("coins").fill_null(0).abs().sum(), pl.len()).collect()
    coins, rows = on_hearts.row(0)
    return _identity("C10", "coins carried by heart events (coins)", float(coins), rows,
                     f"{rows:,} heart events carry 0 coins; coins, Diamonds and dollars move "
                     "only with gifts (n = heart events).",
                     "Some heart rows carry coins: the recording or the mapping is broken.")


@claim_test
def test_c12(data: Dataset, rng: np.random.Generator) -> Evidence:
    """C12: the regular-video programme pays on qualified views, not on LIVE hearts.

    The pay formula (:func:`toolkit.money.rewards.creator_rewards_usd`) takes qualified views and an
    RPM and nothing else; there is nothing in a dataset that could contradict that, so this
    reports what the rule pays for these data's regular-video views.
    """
    measure = "regular-video rewards for all views at the central RPM (USD, an upper bound)"
    if data.videos is None:
        return skipped("C12", measure, "needs regular-video views (a creators-over-days "
                                       "dataset); the rule itself is checked in the unit tests")
    views = int(data.videos.select(pl.col("video_views").sum()).collect().item())
    pay = creator_rewards_usd(views)
    creators = data.videos.select(pl.col("creator_id").n_unique()).collect().item()
    return Evidence("C12", measure, float(pay), float(pay), float(pay), None, creators,
                    "holds by the rules",
                    f"{views:,} regular-video views would earn ${pay} if all were qualified; "
                    "LIVE hearts are no input to the formula (n = creators).")


@claim_test
def test_c3(data: Dataset, rng: np.random.Generator) -> Evidence:
    """C3 what-if: how much adding LIVE hearts to profile totals would reorder creators."""
    measure = "Kendall tau between rankings without and with LIVE hearts on profiles"
    if data.videos is None:
        return skipped("C3", measure, "needs regular-video likes per creator (a "
                                      "creators-over-days dataset)")
    likes = (data.videos.group_by(creator=pl.col("creator_id"))
             .agg(video_likes=pl.col("video_likes").sum()).collect())
    table = likes.join(_creator_hearts(data), on="creator", how="left").with_columns(
        pl.col("live_hearts").fill_null(0)).sort("creator")  # a fixed order for the bootstrap
    if len(table) < 10:
        return skipped("C3", measure, "needs at least 10 creators")
    before = profile_like_total(table["video_likes"], 0, PLATFORM_RULES).to_numpy()
    after = profile_like_total(table["video_likes"], table["live_hearts"],
                               MERGED_RULES).to_numpy()

    def tau(a: np.ndarray, b: np.ndarray) -> float:
        return stats.kendalltau(a, b).statistic

    ci = stats.bootstrap((before, after), tau, paired=True, vectorized=False,
                         n_resamples=999, method="percentile", rng=rng).confidence_interval
    return Evidence("C3", measure, float(tau(before, after)), float(ci.low), float(ci.high),
                    None, len(table), "what-if",
                    "1 would mean the same order; lower values mean merged totals would "
                    "reorder creators, most for those who stream a lot (n = creators).")
