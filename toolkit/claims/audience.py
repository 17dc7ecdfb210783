"""Claims about audiences across sessions and days: C4, C5, C20, C21.

Each test compares sessions (or creator-days) that an outside observer can tell apart:
evening against other hours (C21), the day after a LIVE against other days of the same
creator (C4), creators with more or fewer followers (C20); C5 describes how the LIVE summary's
numbers go together.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy import stats

from toolkit._checks import to_float
from toolkit.analytics.summary import live_summary
from toolkit.claims.evidence import Evidence, claim_test, skipped, verdict_from_test
from toolkit.events.dataset import Dataset
from toolkit.stats.estimates import rank_correlation
from toolkit.stats.regression import demean, ols

__all__ = [
    "EVENING_HOURS", "SUCCESS_MEASURES", "session_table", "success_correlations",
    "by_start_hour", "MIN_CREATORS", "creator_clusters", "test_c4", "test_c5", "test_c20",
    "test_c21",
]

#: Local hours counted as evening (18:00 to 23:59).
EVENING_HOURS = range(18, 24)


def session_table(data: Dataset) -> pl.DataFrame:
    """The LIVE summary joined with the sessions table (when there is one), sorted by session.

    Computed once per dataset (several claim tests read it).
    """
    def compute() -> pl.DataFrame:
        summary = live_summary(data.events.lazy()).collect()
        if data.sessions is None:
            return summary
        return summary.join(data.sessions.collect(), on="session_id", how="left",
                            suffix="_session").sort("session_id")

    return data.derived("session_table", compute)


@claim_test
def test_c21(data: Dataset, rng: np.random.Generator) -> Evidence:
    """C21: going LIVE in the evening brings more interaction.

    Robust regression across sessions of log(1 + comments) on an evening indicator, holding
    log followers and log duration fixed; the estimate is the log ratio evening / other.
    """
    measure = "log ratio of comments, evening (18-24 h) vs other hours, same followers and length"
    if data.sessions is None or "hour" not in data.sessions.collect_schema().names():
        return skipped("C21", measure, "needs the local start hour of each session")
    table = session_table(data).with_columns(
        evening=pl.col("hour").is_in(list(EVENING_HOURS)).cast(pl.Float64),
        log_comments=(1 + pl.col("comments").cast(pl.Float64)).log(),
        log_followers=pl.col("followers").cast(pl.Float64).log(),
        log_minutes=pl.col("duration_minutes").cast(pl.Float64).log(),
    ).drop_nulls(["evening", "log_followers", "log_minutes"])
    if len(table) < 20 or table["evening"].n_unique() < 2:
        return skipped("C21", measure, "needs at least 20 sessions, some in the evening and "
                                       "some not")
    row = ols(table, "log_comments", ["evening", "log_followers", "log_minutes"]).row("evening")
    return Evidence("C21", measure, row["estimate"], row["low"], row["high"], row["p_value"],
                    len(table), verdict_from_test(row["estimate"], row["p_value"]),
                    "Compares sessions, not a creator switching hours: creators who choose "
                    "evenings may differ in ways the followers count does not capture "
                    "(n = sessions).")


@claim_test
def test_c4(data: Dataset, rng: np.random.Generator) -> Evidence:
    """C4: a LIVE sends viewers to the creator's regular videos the next day.

    Within each creator, log(1 + video views) on days after a LIVE against other days,
    holding log followers and the views of the day before fixed (so that a creator who goes
    LIVE on a good day, in a good spell, is compared with their own good spells: the
    diagnosis's ``live_on_good_days`` world); errors clustered by creator.
    """
    measure = "log ratio of regular-video views the day after a LIVE vs other days (same creator)"
    if data.videos is None or data.sessions is None:
        return skipped("C4", measure, "needs regular-video views per creator and day "
                                      "(a creators-over-days dataset)")
    lived = (data.sessions.select("creator_id",
                                  day=(pl.col("start").dt.date() + pl.duration(days=1)))
             .unique().with_columns(after_live=pl.lit(1.0)).collect())
    days = (data.videos.collect()
            .join(lived, on=["creator_id", "day"], how="left")
            .sort("creator_id", "day")
            .with_columns(pl.col("after_live").fill_null(0.0),
                          log_views=(1 + pl.col("video_views").cast(pl.Float64)).log(),
                          log_followers=pl.col("followers").cast(pl.Float64).log())
            .with_columns(log_views_before=pl.col("log_views").shift(1).over("creator_id"))
            .drop_nulls("log_views_before"))
    creators = days["creator_id"].n_unique()
    if creators < 10 or days["after_live"].n_unique() < 2:
        return skipped("C4", measure, "needs at least 10 creators with days after a LIVE and "
                                      "days without")
    x = ["after_live", "log_followers", "log_views_before"]
    within = demean(days, "creator_id", ["log_views", *x])
    row = ols(within, "log_views", x, cluster="creator_id", intercept=False).row("after_live")
    return Evidence("C4", measure, row["estimate"], row["low"], row["high"], row["p_value"],
                    creators, verdict_from_test(row["estimate"], row["p_value"]),
                    "Each creator is compared with their own other days at the same views the "
                    "day before; a LIVE on a day the creator also posted more would still mix "
                    "the two (n = creators).")


SUCCESS_MEASURES = ("unique_viewers", "watch_minutes", "comments", "gifts", "hearts")


def success_correlations(data: Dataset, rng: np.random.Generator) -> pl.DataFrame:
    """Spearman rank correlation of each LIVE-summary measure with coins, across sessions.

    Returns
    -------
    polars.DataFrame
        ``measure``, ``rho``, ``low``, ``high`` (bootstrap 95 %), ``n`` (sessions).
    """
    table = session_table(data)
    coins = table["coins"].to_numpy()
    rows = []
    for name in SUCCESS_MEASURES:
        link = rank_correlation(table[name].to_numpy(), coins, rng, n_resamples=999)
        rows.append({"measure": name, **link})
    return pl.DataFrame(rows).with_columns(pl.col("n").cast(pl.Int64))


def by_start_hour(data: Dataset) -> pl.DataFrame:
    """Per local start hour: sessions, median comments and unique viewers, median followers.

    Medians, because a few huge LIVEs would swing the means of a single hour.
    """
    table = session_table(data)
    return (table.group_by("hour")
            .agg(sessions=pl.len(), comments=pl.col("comments").median(),
                 unique_viewers=pl.col("unique_viewers").median(),
                 followers=pl.col("followers").median())
            .sort("hour"))


@claim_test
def test_c5(data: Dataset, rng: np.random.Generator) -> Evidence:
    """C5: success is read from unique viewers, watch time, comments and gifts (not hearts)."""
    measure = "Spearman rho of unique viewers with coins, across sessions"
    if data.events.select(pl.col("session_id").n_unique()).collect().item() < 10:
        return skipped("C5", measure, "needs at least 10 sessions")
    table = success_correlations(data, rng)
    rho = dict(zip(table["measure"], table["rho"], strict=True))
    view = table.row(0, named=True)
    return Evidence("C5", measure, view["rho"], view["low"], view["high"], None, view["n"],
                    "described",
                    f"Coins go with viewers (rho {rho['unique_viewers']:.2f}), watch minutes "
                    f"({rho['watch_minutes']:.2f}), comments ({rho['comments']:.2f}) and "
                    f"hearts ({rho['hearts']:.2f}); all grow with the audience, so this "
                    "describes the data and shows no cause (n = sessions).")


#: Fewest creators for clustered errors (and for C20, which compares creators).
MIN_CREATORS = 10


def creator_clusters(table: pl.DataFrame) -> str | None:
    """``"creator_id"`` when sessions should be clustered by creator (some creators have
    several sessions, and there are at least :data:`MIN_CREATORS` of them), else None
    (one creator's sessions, or one session each: HC1 errors)."""
    if "creator_id" not in table.columns:
        return None
    creators = table["creator_id"].n_unique()
    return "creator_id" if MIN_CREATORS <= creators < len(table) else None


@claim_test
def test_c20(data: Dataset, rng: np.random.Generator) -> Evidence:
    """C20: hearts do not simply follow the follower count; small accounts can get many.

    "Simply follow" is read as "in proportion": a creator with twice the followers gets twice
    the hearts. Least squares across sessions of log(1 + hearts) on log followers, holding log
    duration fixed (HC1 errors, clustered by creator when creators have several sessions);
    the estimate is 1 minus the slope (the elasticity), positive when hearts grow more slowly
    than followers, so that small accounts get more hearts per follower. Skipped with fewer
    than :data:`MIN_CREATORS` creators (one creator's LIVEs say nothing about creators with
    other follower counts).
    """
    measure = ("1 - elasticity of a LIVE's hearts to its creator's followers, same length "
               "(0: hearts in proportion to followers)")
    del rng  # the test draws nothing
    if data.sessions is None:
        return skipped("C20", measure, "needs the follower count of each session's creator")
    table = session_table(data).drop_nulls(["followers", "duration_minutes"]).filter(
        (pl.col("followers") > 0) & (pl.col("duration_minutes") > 0)).with_columns(
        log_hearts=(1 + pl.col("hearts").cast(pl.Float64)).log(),
        log_followers=pl.col("followers").cast(pl.Float64).log(),
        log_minutes=pl.col("duration_minutes").cast(pl.Float64).log())
    if len(table) < 20 or table["followers"].n_unique() < 3:
        return skipped("C20", measure, f"needs at least 20 sessions of creators with different "
                                       f"follower counts, found {len(table)}")
    if "creator_id" in table.columns and table["creator_id"].n_unique() < MIN_CREATORS:
        return skipped("C20", measure, f"compares creators: needs sessions of at least "
                                       f"{MIN_CREATORS} creators, found "
                                       f"{table['creator_id'].n_unique()}")
    fit = ols(table, "log_hearts", ["log_followers", "log_minutes"],
              cluster=creator_clusters(table))
    row = fit.row("log_followers")
    estimate = 1.0 - row["estimate"]  # its test: is the slope 1?
    p_value = float(2 * stats.t.sf(abs(estimate) / row["se"], fit.df)) if row["se"] > 0 \
        else float("nan")
    top = table.filter(pl.col("hearts") >= pl.col("hearts").quantile(0.9))
    small = to_float((top["followers"] < table["followers"].median()).mean())
    return Evidence("C20", measure, estimate, 1.0 - row["high"], 1.0 - row["low"],
                    p_value, len(table), verdict_from_test(estimate, p_value),
                    f"Hearts grow as followers to the power {row['estimate']:.2f}; "
                    f"{100 * small:.0f} % of the top-10 % sessions by hearts belong to creators "
                    "below the median follower count. An association across creators, not "
                    "what more followers would do for one creator (n = sessions).")
